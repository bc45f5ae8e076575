/**
 * An `up` reports its change summary and the stack's outputs from the engine events it streams (instead of three more
 * CLI starts). The events are what the real engine 3.248 sent for an unchanged `up --refresh` of a tenant stack on
 * this machine (trimmed to the fields read).
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "vitest";
import { publicOutputs, RunSummary } from "../../../../src/orchestrate/run/automation";

const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "[secret]" };
const outputsOf = (op: string, outputs: Record<string, unknown>) =>
  ({
    sequence: 1,
    timestamp: 1,
    resOutputsEvent: {
      metadata: {
        op,
        urn: "urn:pulumi:q001::tenantctl::pulumi:pulumi:Stack::tenantctl-q001",
        type: "pulumi:pulumi:Stack",
        new: { type: "pulumi:pulumi:Stack", urn: "", outputs },
      },
    },
  }) as unknown as EngineEvent;
const summaryOf = (resourceChanges: Record<string, number>) =>
  ({
    sequence: 2,
    timestamp: 2,
    summaryEvent: { maybeCorrupt: false, durationSeconds: 2, resourceChanges, policyPacks: {} },
  }) as unknown as EngineEvent;

describe("RunSummary", () => {
  it("takes the change summary and the stack outputs of the update, not of its refresh", () => {
    const summary = new RunSummary();
    summary.take(outputsOf("refresh", { plan: "basic", connectionString: SECRET }));
    summary.take(
      outputsOf("same", {
        plan: "enterprise",
        connectionString: SECRET,
        database: { database: "tenant_q001", port: 44045 },
        settingsKeys: ["locale"],
      }),
    );
    summary.take(summaryOf({ same: 13 }));
    expect(summary.changes()).toEqual({ same: 13 });
    expect(summary.outputs()).toEqual({
      plan: { value: "enterprise", secret: false },
      connectionString: { value: "[secret]", secret: true },
      database: { value: { database: "tenant_q001", port: 44045 }, secret: false },
      settingsKeys: { value: ["locale"], secret: false },
    });
    // What reaches the report: secrets replaced, never their ciphertext.
    expect(publicOutputs(summary.outputs())).toEqual({
      plan: "enterprise",
      connectionString: "[secret]",
      database: { database: "tenant_q001", port: 44045 },
      settingsKeys: ["locale"],
    });
  });

  it("masks a secret nested inside an output that is not secret as a whole", () => {
    const summary = new RunSummary();
    summary.take(outputsOf("update", { customDomains: [{ hostname: "app.acme-corp.com", token: SECRET }] }));
    expect(summary.outputs()["customDomains"]).toEqual({
      value: [{ hostname: "app.acme-corp.com", token: "[secret]" }],
      secret: false,
    });
  });

  it("forgets what an earlier attempt said (a retry after a lock)", () => {
    const summary = new RunSummary();
    summary.take(summaryOf({ update: 1 }));
    summary.take(outputsOf("update", { plan: "basic" }));
    summary.clear();
    expect(summary.changes()).toEqual({});
    expect(summary.outputs()).toEqual({});
  });

  it("ignores the outputs events of other resources", () => {
    const summary = new RunSummary();
    const other = outputsOf("same", { value: "x" }) as { resOutputsEvent: { metadata: { type: string } } };
    other.resOutputsEvent.metadata.type = "pulumi-nodejs:dynamic:GeneratedPassword";
    summary.take(other as unknown as EngineEvent);
    expect(summary.outputs()).toEqual({});
  });

  it("keeps where the stack's last deployment put the tenant's data: its dataLocation output before this run", () => {
    const summary = new RunSummary();
    const stackStep = (old: Record<string, unknown> | undefined) =>
      ({
        sequence: 3,
        timestamp: 3,
        resourcePreEvent: {
          metadata: {
            op: "same",
            urn: "urn:pulumi:initech::tenantctl::pulumi:pulumi:Stack::tenantctl-initech",
            type: "pulumi:pulumi:Stack",
            ...(old ? { old: { type: "pulumi:pulumi:Stack", urn: "", outputs: old } } : {}),
          },
        },
      }) as unknown as EngineEvent;
    // A stack never deployed has no old state; one deployed before the output existed has no dataLocation.
    summary.take(stackStep(undefined));
    summary.take(stackStep({ plan: "trial" }));
    expect(summary.deployedLocation()).toBeUndefined();
    summary.take(
      stackStep({
        plan: "trial",
        dataLocation: { server: "primary", database: "tenants", schema: "tenant_initech" },
        connectionString: SECRET,
      }),
    );
    // The outputs this run registers are the files' location, not the deployed one.
    summary.take(
      outputsOf("update", { dataLocation: { server: "primary", database: "tenant_initech", schema: "public" } }),
    );
    expect(summary.deployedLocation()).toEqual({ server: "primary", database: "tenants", schema: "tenant_initech" });
    summary.clear();
    expect(summary.deployedLocation()).toBeUndefined();
  });
});
