/**
 * How our dynamic providers look at the values the engine hands them: the sentinel an input not known yet arrives as,
 * and the JSON text two values compare equal by. One factory, composed first into each provider's source (see
 * prebuilt.ts), so it refers to nothing outside itself.
 */
export function providerValues() {
  /** During preview, inputs computed from other resources arrive as this sentinel (pulumi's rpc.unknownValue). */
  const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

  function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
  }

  /** JSON text with object keys sorted at every level, so equal values always compare equal as strings; absent is `null`. */
  function canonicalJson(value: unknown): string {
    return JSON.stringify(sortKeys(value ?? null));
  }

  function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value !== null && typeof value === "object") {
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
      return sorted;
    }
    return value;
  }

  return { UNKNOWN, containsUnknown, canonicalJson };
}

export type ProviderValues = ReturnType<typeof providerValues>;
