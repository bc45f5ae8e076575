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
  /** A password generated ahead of a rotation (`stage`), not in use yet; a secret. */
  readonly next?: string;
  /** The rotation requests already carried out (see GeneratedPasswordArgs). */
  readonly stagedBy?: string;
  readonly committedBy?: string;
}

/** Rotation requests: each a token naming one `tenantctl rotate` run; absent, the password stays. */
export interface GeneratedPasswordInputs {
  readonly stage?: string;
  readonly commit?: string;
}

/**
 * The provider, as one self-contained function: its source is what travels in state (see prebuilt.ts), so it may
 * refer to nothing outside itself but globals and `require`.
 */
function generatedPasswordModule() {
  /** 24 random bytes are exactly 32 base64url characters: 192 bits, no padding, safe in URLs and DSNs. */
  const GENERATED_PASSWORD_BYTES = 24;

  function generate(): string {
    // biome-ignore lint/style/useNodejsImportProtocol: this source is serialised into every password's state (__provider): it stays as deployed
    const crypto = require("crypto") as typeof import("crypto");
    return crypto.randomBytes(GENERATED_PASSWORD_BYTES).toString("base64url");
  }

  /** What a request asks that this state has not done yet. */
  function pending(olds: Partial<GeneratedPasswordOutputs>, news: GeneratedPasswordInputs) {
    return {
      stage: news.stage !== undefined && news.stage !== olds.stagedBy,
      commit: news.commit !== undefined && news.commit !== olds.committedBy,
    };
  }

  const provider: pulumi.dynamic.ResourceProvider<GeneratedPasswordInputs, GeneratedPasswordOutputs> = {
    async create(inputs) {
      // biome-ignore lint/style/useNodejsImportProtocol: this source is serialised into every password's state (__provider): it stays as deployed
      const crypto = require("crypto") as typeof import("crypto");
      const outs: GeneratedPasswordOutputs = {
        value: generate(),
        ...(inputs?.stage !== undefined ? { stagedBy: inputs.stage } : {}),
        ...(inputs?.commit !== undefined ? { committedBy: inputs.commit } : {}),
      };
      return { id: crypto.randomUUID(), outs };
    },

    // No input of an unrelated edit can change the password: only a rotation request it has not carried out yet
    // (`tenantctl rotate`). `stage` generates the next password beside the current one; `commit` makes the next one
    // (or a new one, without a stage) current. In place: the resource, and everything that names it, stays.
    async diff(_id, olds, news) {
      const { stage, commit } = pending(olds ?? {}, news ?? {});
      return { changes: stage || commit };
    },

    async update(_id, olds, news) {
      const { stage, commit } = pending(olds, news);
      let outs: GeneratedPasswordOutputs = { ...olds };
      if (stage) outs = { ...outs, next: outs.next ?? generate(), stagedBy: news.stage };
      if (commit) {
        const { next, ...rest } = outs;
        outs = { ...rest, value: next ?? generate(), committedBy: news.commit };
      }
      return { outs };
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

/**
 * A rotation (`tenantctl rotate`, infra/context's `rotation`): `stage` a next password beside the current one (the
 * runtime role's, so apps learn it before the role changes), then `commit` it; `commit` alone replaces the current one.
 * Each is a token naming the run that asks; a token already carried out does nothing.
 */
export interface GeneratedPasswordArgs {
  readonly stage?: string;
  readonly commit?: string;
}

export class GeneratedPassword extends PrebuiltDynamicResource {
  /** The generated password, marked secret so that neither state nor logs ever show it. */
  declare public readonly value: pulumi.Output<string>;

  /** The password staged by a rotation and not committed yet, or undefined; a secret. */
  declare public readonly next: pulumi.Output<string | undefined>;

  constructor(name: string, args: GeneratedPasswordArgs = {}, opts: pulumi.CustomResourceOptions = {}) {
    super(
      GENERATED_PASSWORD_PROVIDER_SOURCE,
      "GeneratedPassword",
      name,
      // Rotation tokens only when asked: a password's inputs stay `{value}` otherwise, as every stack deployed them.
      {
        value: undefined,
        next: undefined,
        ...(args.stage !== undefined ? { stage: args.stage } : {}),
        ...(args.commit !== undefined ? { commit: args.commit } : {}),
      },
      { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), "value", "next"] },
    );
  }
}
