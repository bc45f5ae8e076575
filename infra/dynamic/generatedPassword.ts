/**
 * A random password generated once, at create, and kept for the life of the resource.
 *
 * Why a dynamic provider instead of `@pulumi/random`'s RandomPassword: the random provider is a plugin
 * binary the engine downloads on first use, and the machines this project is built and tested on are offline.
 * A dynamic provider runs inside the Node.js runtime we already have, needs no plugin, and does the one thing
 * we need.
 */
import type * as pulumi from "@pulumi/pulumi";
import { composedProviderSource, loadProviderSource, PrebuiltDynamicResource } from "./prebuilt";

export interface GeneratedPasswordOutputs {
  /** The password; a secret in state and in every output that uses it. */
  readonly value: string;
}

/**
 * The provider, as one self-contained function: its source is what travels in state (see prebuilt.ts), so it may
 * refer to nothing outside itself but globals and `require`.
 */
function generatedPasswordModule() {
  /** 24 random bytes are exactly 32 base64url characters: 192 bits, no padding, safe in URLs and DSNs. */
  const GENERATED_PASSWORD_BYTES = 24;

  const provider: pulumi.dynamic.ResourceProvider<Record<string, never>, GeneratedPasswordOutputs> = {
    async create() {
      // biome-ignore lint/style/useNodejsImportProtocol: this source is serialised into every password's state (__provider): it stays as deployed
      const crypto = require("crypto") as typeof import("crypto");
      const value = crypto.randomBytes(GENERATED_PASSWORD_BYTES).toString("base64url");
      return { id: crypto.randomUUID(), outs: { value } };
    },

    // The password has no inputs that could change it: a rotation is an explicit replace
    // (`pulumi up --replace <urn>`), never a side effect of an unrelated edit.
    async diff() {
      return { changes: false };
    },

    // Nothing to read back: the value exists only in state, so state is the truth.
    async read(id, props) {
      return { id, props };
    },
  };

  return { provider };
}

const generatedPassword = generatedPasswordModule();
/** What the engine runs: the provider's own source. */
export const GENERATED_PASSWORD_PROVIDER_SOURCE = composedProviderSource([generatedPasswordModule]);
/** The provider, loaded from that source as the engine loads it: tests exercise exactly what ships. */
export const generatedPasswordProvider = loadProviderSource<typeof generatedPassword.provider>(
  GENERATED_PASSWORD_PROVIDER_SOURCE,
);

/** Neither option exists yet; the empty args keep the call sites stable when one is added. */
export type GeneratedPasswordArgs = Record<string, never>;

export class GeneratedPassword extends PrebuiltDynamicResource {
  /** The generated password, marked secret so that neither state nor logs ever show it. */
  declare public readonly value: pulumi.Output<string>;

  constructor(name: string, _args: GeneratedPasswordArgs = {}, opts: pulumi.CustomResourceOptions = {}) {
    super(
      GENERATED_PASSWORD_PROVIDER_SOURCE,
      "GeneratedPassword",
      name,
      { value: undefined },
      { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), "value"] },
    );
  }
}
