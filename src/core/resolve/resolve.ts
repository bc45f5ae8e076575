/**
 * Resolution: defaults < plans.<plan> < tenant. Maps merge key by key; lists and scalars replace; later layers win.
 * Every resolved leaf keeps the layer (and file and path) that set it, for `tenantctl explain` and for reviewers.
 * Pure: no I/O, no Pulumi. Problems come back as findings (placed in their files by the loader), never thrown.
 */
import type { Finding, PathSegment } from "../diagnostics";
import { formatPath, parsePath } from "../diagnostics";
import type { ControlPlaneFile, TenantFile } from "../schema/schema";
import { didYouMean, listOf } from "../suggest";
import { normalizeHostname, tenantIdentifier } from "../naming";
import { REGISTRY_DEFAULT_DATABASE, REGISTRY_SCHEMA } from "../registry";
import { isPlainMap, leafPaths, mergeTrees, type Tree, valueAt, valueAtDotted } from "../trees";
import type { ControlPlane, DatabaseServer, JsonObject, Layer, Provenance, Tenant } from "../model";

interface LayerSource {
  readonly layer: Layer;
  readonly file: string;
  /** Where this layer's tree sits inside its file (`["plans", "enterprise"]`). */
  readonly prefix: readonly PathSegment[];
  readonly tree: Tree;
}

/** The template as the components need it: plain, resolved, readonly. */
export function resolveControlPlane(file: string, spec: ControlPlaneFile): ControlPlane {
  return {
    file,
    baseDomain: normalizeHostname(spec.platform.baseDomain),
    ingressHostname: normalizeHostname(spec.platform.ingressHostname),
    dns: { provider: spec.dns.provider, zone: normalizeHostname(spec.dns.zone) },
    tls: { provider: spec.tls.provider },
    databaseServers: Object.entries(spec.database.servers).map(([name, server]) => ({
      name,
      host: server.host,
      port: server.port ?? 5432,
      sharedDatabase: server.sharedDatabase,
      ...(server.maxConnections !== undefined ? { maxConnections: server.maxConnections } : {}),
    })),
    auth: { provider: spec.auth.provider, resourceServers: spec.auth.resourceServers, roles: spec.auth.roles },
    plans: Object.keys(spec.plans),
    locked: spec.locked ?? [],
    seedOnly: spec.seedOnly ?? [],
    ...(spec.migrations?.dir !== undefined ? { migrationsDir: spec.migrations.dir } : {}),
    registry: {
      server: spec.registry?.server ?? spec.defaults.database?.server ?? Object.keys(spec.database.servers)[0] ?? "",
      database: spec.registry?.database ?? REGISTRY_DEFAULT_DATABASE,
      schema: REGISTRY_SCHEMA,
    },
  };
}

export interface Resolution {
  /** Absent when the tenant cannot be resolved at all (its findings say why). */
  readonly tenant?: Tenant;
  readonly findings: Finding[];
}

/** The part of a tenant file that takes part in inheritance (slug, name, domains, auth and rollout are the tenant's alone). */
function inheritableLayer(spec: TenantFile): Tree {
  const { slug: _slug, name: _name, domains: _domains, auth: _auth, rollout: _rollout, ...rest } = spec;
  return rest as Tree;
}

export function resolveTenant(
  file: string,
  spec: TenantFile,
  template: ControlPlaneFile,
  controlPlane: ControlPlane,
): Resolution {
  const findings: Finding[] = [];
  const defaults = template.defaults as Tree;
  const planName = spec.plan ?? template.defaults.plan;
  const layers: LayerSource[] = [{ layer: "defaults", file: controlPlane.file, prefix: ["defaults"], tree: defaults }];

  if (planName === undefined) {
    findings.push({
      file,
      path: [],
      rule: "planExists",
      message: "the tenant has no plan",
      fix: `add \`plan:\` (one of ${listOf(controlPlane.plans)}) or set \`defaults.plan\` in the template`,
    });
  } else if (!(planName in template.plans)) {
    const where: PathSegment[] = spec.plan !== undefined ? ["plan"] : [];
    findings.push({
      file,
      path: where,
      rule: "planExists",
      message: `plan \`${planName}\` does not exist in the template`,
      fix: didYouMean(planName, controlPlane.plans) ?? `use one of ${listOf(controlPlane.plans)}`,
    });
  } else {
    layers.push({
      layer: `plans.${planName}`,
      file: controlPlane.file,
      prefix: ["plans", planName],
      tree: template.plans[planName] as Tree,
    });
  }
  const tenantLayer = inheritableLayer(spec);
  findings.push(...lockedKeyFindings(file, tenantLayer, controlPlane));
  // Without its plan, every missing value would be reported again as a consequence: report the cause only.
  if (planName === undefined || !(planName in template.plans)) return { findings };
  layers.push({ layer: "tenant", file, prefix: [], tree: tenantLayer });

  const merged = layers.reduce<Tree>((acc, layer) => mergeTrees(acc, layer.tree), {});
  const provenance = new Map<string, Provenance>();
  for (const [segments] of leafPaths(merged)) {
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i]!;
      if (valueAt(layer.tree, segments) !== undefined) {
        provenance.set(segments.join("."), {
          layer: layer.layer,
          file: layer.file,
          filePath: formatPath([...layer.prefix, ...segments]),
        });
        break;
      }
    }
  }

  const required = (path: string): unknown => {
    const value = valueAtDotted(merged, path);
    if (value === undefined) {
      findings.push({
        file,
        path: [],
        rule: "resolvable",
        message: `no layer sets \`${path}\``,
        fix: `set \`${path}\` in the template's \`defaults\`, in \`plans.${planName ?? "<plan>"}\`, or in this file`,
      });
    }
    return value;
  };
  const dbConnections = required("limits.dbConnections") as number | undefined;
  const users = required("limits.users") as number | undefined;
  const isolation = required("database.isolation") as "database" | "schema" | undefined;
  const serverName = required("database.server") as string | undefined;
  const server = controlPlane.databaseServers.find((candidate) => candidate.name === serverName);
  if (serverName !== undefined && !server) {
    const where = provenance.get("database.server");
    findings.push({
      file: where?.file ?? file,
      path: where?.filePath ? parsePath(where.filePath) : [],
      rule: "databaseServerExists",
      message: `database server \`${serverName}\` is not defined in the template`,
      fix:
        didYouMean(
          serverName,
          controlPlane.databaseServers.map((s) => s.name),
        ) ?? `use one of ${listOf(controlPlane.databaseServers.map((s) => s.name))}`,
    });
  }

  if (findings.some((finding) => (finding.severity ?? "error") === "error") || !server) {
    return { findings };
  }

  const identifier = tenantIdentifier(spec.slug);
  const subdomain = spec.domains?.subdomain ?? spec.slug;
  const derived = (path: string) => provenance.set(path, { layer: "derived" });
  for (const path of ["slug", "name"]) provenance.set(path, { layer: "tenant", file, filePath: path });
  if (spec.domains?.subdomain !== undefined)
    provenance.set("domains.subdomain", { layer: "tenant", file, filePath: "domains.subdomain" });
  else derived("domains.subdomain");
  if (spec.domains?.custom !== undefined)
    provenance.set("domains.custom", { layer: "tenant", file, filePath: "domains.custom" });
  if (spec.auth?.roles !== undefined) provenance.set("auth.roles", { layer: "tenant", file, filePath: "auth.roles" });
  if (spec.plan === undefined)
    provenance.set("plan", { layer: "defaults", file: controlPlane.file, filePath: "defaults.plan" });
  if (valueAtDotted(merged, "status") === undefined) derived("status");
  for (const path of ["domains.hostname", "database.roleName", "database.databaseName", "database.schemaName"])
    derived(path);

  const databaseServer: DatabaseServer = server;
  const tenant: Tenant = {
    slug: spec.slug,
    name: spec.name,
    plan: planName,
    status: (valueAtDotted(merged, "status") as Tenant["status"] | undefined) ?? "active",
    file,
    limits: { users: users!, dbConnections: dbConnections! },
    database: {
      isolation: isolation!,
      server: databaseServer,
      extensions: (valueAtDotted(merged, "database.extensions") as string[] | undefined) ?? [],
      roleName: identifier,
      databaseName: isolation === "database" ? identifier : databaseServer.sharedDatabase,
      schemaName: isolation === "database" ? "public" : identifier,
      connectionLimit: dbConnections!,
    },
    domains: {
      subdomain,
      hostname: `${subdomain}.${controlPlane.baseDomain}`,
      custom: (spec.domains?.custom ?? []).map((custom) => ({ hostname: normalizeHostname(custom.hostname) })),
      dns: controlPlane.dns,
      tls: controlPlane.tls,
      ingressHostname: controlPlane.ingressHostname,
    },
    auth: {
      provider: controlPlane.auth.provider,
      organizationName: spec.slug,
      templateRoles: controlPlane.auth.roles,
      roles: spec.auth?.roles ?? [],
      resourceServers: controlPlane.auth.resourceServers,
    },
    settings: {
      values: (valueAtDotted(merged, "settings") as JsonObject | undefined) ?? {},
      seedOnlyKeys: controlPlane.seedOnly.map((key) => key.replace(/^settings\.?/, "")).filter((key) => key !== ""),
    },
    ...(spec.rollout ? { rolloutGroup: spec.rollout.group } : {}),
    provenance,
  };
  return { tenant: deepFreeze(tenant), findings };
}

/** A tenant that sets a locked key, or a map or value that would replace it, is refused at that key. */
function lockedKeyFindings(file: string, tenantLayer: Tree, controlPlane: ControlPlane): Finding[] {
  const findings: Finding[] = [];
  for (const lockedPath of controlPlane.locked) {
    const segments = lockedPath.split(".");
    let current: unknown = tenantLayer;
    for (let i = 0; i < segments.length; i++) {
      if (!isPlainMap(current) || !(segments[i]! in current)) break;
      current = current[segments[i]!];
      const last = i === segments.length - 1;
      if (last || !isPlainMap(current)) {
        findings.push({
          file,
          path: segments.slice(0, i + 1),
          atKey: true,
          rule: "lockedKeys",
          message: `\`${lockedPath}\` is locked by the control-plane template`,
          fix: `remove it from this file; only \`${controlPlane.file}\` may set it`,
        });
        break;
      }
    }
  }
  return findings;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !(value instanceof Map) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
