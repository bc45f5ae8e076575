import type { Rule } from "./context";
import { connectionBudget, customHostnamesOutsideOthers, derivedNamesUnique, noDuplicateHostnames, noDuplicateSubdomains } from "./fleetRules";
import { defaultPlanExists, lockedAndSeedOnlyKeysExist, resourceServerScopesUnique } from "./templateRules";
import { customHostnamesListedOnce, noReservedSlugs, permissionsExist, settingsMatchTemplate, slugMatchesFileName, tenantRolesDoNotShadowTemplateRoles } from "./tenantRules";

export type { FleetContext, Rule, TenantEntry } from "./context";

/** Every rule, in the order their findings are most useful to read. */
export const RULES: readonly Rule[] = [
  defaultPlanExists,
  lockedAndSeedOnlyKeysExist,
  resourceServerScopesUnique,
  slugMatchesFileName,
  noReservedSlugs,
  settingsMatchTemplate,
  tenantRolesDoNotShadowTemplateRoles,
  permissionsExist,
  customHostnamesListedOnce,
  noDuplicateSubdomains,
  noDuplicateHostnames,
  customHostnamesOutsideOthers,
  derivedNamesUnique,
  connectionBudget,
];
