import { assignableRolesFitMetadata, authheroLimits, resourceServersDistinct, templateRolesUnique } from "./authRules";
import type { FileRule, Rule } from "./context";
import { extensionsListedOnce } from "./databaseRules";
import {
  baseDomainInsideDnsZone,
  customHostnameIsNotTheZone,
  customHostnamesFitCertificates,
  tenantHostnameFitsDns,
} from "./domainRules";
import {
  connectionBudget,
  customHostnamesOutsideOthers,
  derivedNamesUnique,
  noDuplicateHostnames,
  noDuplicateSubdomains,
} from "./fleetRules";
import {
  defaultPlanExists,
  lockedAndSeedOnlyKeysExist,
  registryPlacement,
  resourceServerScopesUnique,
} from "./templateRules";
import { settingKeysStorable, settingValuesStorable } from "./settingsRules";
import {
  customHostnamesListedOnce,
  noReservedSlugs,
  permissionsExist,
  settingsMatchTemplate,
  slugMatchesFileName,
  tenantRolesDoNotShadowTemplateRoles,
} from "./tenantRules";

export type { FileRule, FleetContext, Rule, TenantEntry } from "./context";

/** The rules about tenant files alone: they run whatever state the template is in. */
export const FILE_RULES: readonly FileRule[] = [slugMatchesFileName, noReservedSlugs];

/** Every rule that needs the template, in the order their findings are most useful to read. */
export const RULES: readonly Rule[] = [
  defaultPlanExists,
  lockedAndSeedOnlyKeysExist,
  baseDomainInsideDnsZone,
  templateRolesUnique,
  resourceServersDistinct,
  resourceServerScopesUnique,
  registryPlacement,
  settingKeysStorable,
  settingValuesStorable,
  extensionsListedOnce,
  settingsMatchTemplate,
  tenantRolesDoNotShadowTemplateRoles,
  permissionsExist,
  customHostnamesListedOnce,
  noDuplicateSubdomains,
  noDuplicateHostnames,
  customHostnamesOutsideOthers,
  tenantHostnameFitsDns,
  customHostnamesFitCertificates,
  customHostnameIsNotTheZone,
  assignableRolesFitMetadata,
  authheroLimits,
  derivedNamesUnique,
  connectionBudget,
];
