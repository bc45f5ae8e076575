import type { ControlPlane, Tenant } from "../model";
import type { Finding } from "../diagnostics";
import type { ControlPlaneFile, TenantFile } from "../schema/schema";

export interface TenantEntry {
  /** Relative to the working directory. */
  readonly file: string;
  /** The file as written, schema-valid; when `partial`, without the parts that had schema errors. */
  readonly spec: TenantFile;
  /** The file had schema errors (reported already): rules still check the rest of it. */
  readonly partial?: boolean;
  /** Absent when resolution failed; rules that need resolved values skip such tenants. */
  readonly tenant?: Tenant;
}

export interface FleetContext {
  readonly controlPlane: ControlPlane;
  readonly template: ControlPlaneFile;
  /** The template had schema errors (reported already): `template` is without the parts that had them. */
  readonly templatePartial?: boolean;
  readonly tenants: readonly TenantEntry[];
}

/** A rule is a small named function: it reads the fleet and reports findings, never throws. */
export type Rule = (fleet: FleetContext) => Finding[];

/** A rule that needs the tenant files only: it runs even when the template cannot be read. */
export type FileRule = (fleet: Pick<FleetContext, "tenants">) => Finding[];
