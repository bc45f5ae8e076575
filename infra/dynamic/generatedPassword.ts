/**
 * A random password generated once, at create, and kept for the life of the resource.
 *
 * Why a dynamic provider instead of `@pulumi/random`'s RandomPassword: the random provider is a plugin
 * binary the engine downloads on first use, and the machines this project is built and tested on are offline.
 * A dynamic provider runs inside the Node.js runtime we already have, needs no plugin, and does the one thing
 * we need.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * 24 random bytes are exactly 32 base64url characters: 192 bits, no padding, safe in URLs and DSNs.
 * (Exported separately: `export const` compiles to `exports.X` references, and the serialized provider
 * would then capture this whole module.)
 */
const GENERATED_PASSWORD_BYTES = 24;
export { GENERATED_PASSWORD_BYTES };

export interface GeneratedPasswordOutputs {
  /** The password; a secret in state and in every output that uses it. */
  readonly value: string;
}

/**
 * Serialized into state as a closure (that is how dynamic providers travel), so it captures nothing:
 * `crypto` is required inside the function that needs it.
 */
export const generatedPasswordProvider: pulumi.dynamic.ResourceProvider<Record<string, never>, GeneratedPasswordOutputs> = {
  async create() {
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

/** Neither option exists yet; the empty args keep the call sites stable when one is added. */
export type GeneratedPasswordArgs = Record<string, never>;

export class GeneratedPassword extends pulumi.dynamic.Resource {
  /** The generated password, marked secret so that neither state nor logs ever show it. */
  declare public readonly value: pulumi.Output<string>;

  constructor(name: string, _args: GeneratedPasswordArgs = {}, opts: pulumi.CustomResourceOptions = {}) {
    super(
      generatedPasswordProvider,
      name,
      { value: undefined },
      { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), "value"] },
      undefined,
      "GeneratedPassword",
    );
  }
}
