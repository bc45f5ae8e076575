/**
 * Property values as the runtime sends them to the engine (serialized, secrets still wrapped), and how a plan records
 * them: secrets become keyed digests (`SecretValue`), resource references the name of their URN.
 */
import { createHmac, randomBytes } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { type PlanValue, SecretValue } from "../../../core/compare/plannedStack";

export const SIG = pulumi.runtime.specialSigKey;
export const SECRET_SIG = pulumi.runtime.specialSecretSig;
const RESOURCE_SIG = pulumi.runtime.specialResourceSig;
const UNKNOWN = pulumi.runtime.unknownValue;
/** Shown for a value the engine computes and an offline render cannot know. */
const UNKNOWN_TEXT = "(known after up)";

/** Keyed per process: digests compare two renders made here, and reveal nothing once the process is gone. */
const DIGEST_KEY = randomBytes(32);

export type Serialized = null | boolean | number | string | Serialized[] | { [key: string]: Serialized };

export function isObject(value: Serialized | undefined): value is { [key: string]: Serialized } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function secret(value: Serialized): Serialized {
  return { [SIG]: SECRET_SIG, value };
}

/** Serialized inputs → recorded inputs: secrets become `SecretValue`s, resource references their URN's name. */
export function redact(value: Serialized): PlanValue {
  if (value === UNKNOWN) return UNKNOWN_TEXT;
  if (Array.isArray(value)) return value.map(redact);
  if (!isObject(value)) return value;
  const sig = value[SIG];
  if (sig === SECRET_SIG) {
    return new SecretValue(
      createHmac("sha256", DIGEST_KEY)
        .update(JSON.stringify(value.value ?? null))
        .digest("base64url")
        .slice(0, 22),
    );
  }
  if (sig === RESOURCE_SIG) return `<resource ${nameOfUrn(String(value.urn))}>`;
  const out: Record<string, PlanValue> = {};
  for (const key of Object.keys(value)) out[key] = redact(value[key]!);
  return out;
}

export function nameOfUrn(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** What `resolveOutputs` reads from a response object: anything with `toJavaScript()`. */
export function struct(value: { [key: string]: Serialized }): { toJavaScript(): { [key: string]: Serialized } } {
  return { toJavaScript: () => value };
}
