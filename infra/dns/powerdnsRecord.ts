/** One rrset in a PowerDNS zone, as a Pulumi resource; use it through the DNS adapter (./powerdns.ts). */
import * as pulumi from "@pulumi/pulumi";
import { PrebuiltDynamicResource } from "../dynamic/prebuilt";
import type { PowerDnsConnection } from "./powerdnsConnection";
import { POWERDNS_RECORD_PROVIDER_SOURCE } from "./powerdnsProvider";

export interface PowerDnsRecordArgs {
  /** A secret in inputs and outputs, whatever the caller passed. */
  readonly connection: pulumi.Input<PowerDnsConnection>;
  /** The stack's tenant, named in every error message. */
  readonly tenant: string;
  /** Zone name, with or without the trailing dot. */
  readonly zone: string;
  /** Fully qualified, with or without the trailing dot. */
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  /** Contents in PowerDNS's presentation format (absolute CNAME targets, quoted TXT). */
  readonly records: pulumi.Input<pulumi.Input<string>[]>;
}

const absolute = (name: string) => (name.endsWith(".") ? name : `${name}.`).toLowerCase();

export class PowerDnsRecord extends PrebuiltDynamicResource {
  declare public readonly name: pulumi.Output<string>;
  declare public readonly records: pulumi.Output<string[]>;
  declare public readonly ttl: pulumi.Output<number>;

  constructor(name: string, args: PowerDnsRecordArgs, opts: pulumi.CustomResourceOptions = {}) {
    const inputs = {
      ...args,
      connection: pulumi.secret(args.connection),
      zone: absolute(args.zone),
      name: absolute(args.name),
      records: pulumi.output(args.records).apply((records) => [...records].sort()),
    };
    super(POWERDNS_RECORD_PROVIDER_SOURCE, "PowerDnsRecord", name, inputs, {
      ...opts,
      additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), "connection"],
    });
  }
}
