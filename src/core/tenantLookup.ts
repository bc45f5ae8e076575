/** A tenant of a fleet by its slug, and the one message for a slug that names no tenant file (exit 2: a usage mistake). */
import { UsageError } from "./errors";
import type { Tenant } from "./model";
import { didYouMean } from "./suggest";

export function tenantOf(fleet: { readonly tenants: readonly Tenant[] }, slug: string): Tenant | undefined {
  return fleet.tenants.find((candidate) => candidate.slug === slug);
}

/**
 * "no tenant file for `acmee`: did you mean `acme`?", `where` just after the slug (" now or at the base ref") and
 * `after` the suggestion (" (archive reads …)").
 */
export function noTenantFile(
  slug: string,
  known: Iterable<string>,
  detail: { readonly where?: string; readonly after?: string } = {},
): UsageError {
  const hint = didYouMean(slug, known);
  return new UsageError(
    `no tenant file for \`${slug}\`${detail.where ?? ""}${hint ? `: ${hint}` : ""}${detail.after ?? ""}`,
  );
}
