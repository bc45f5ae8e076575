/** What `tenantctl sandbox` prints after its run: what each stack created, and how to look at it (never a password). */
import { CONTROL_PLANE_STACK } from "../core/naming";
import { changesNothing, type RunReport, type TenantRun } from "../report/runReport";
import type { EnvServer } from "./envScript";

interface DatabaseOutput {
  readonly host?: string;
  readonly port?: number;
  readonly database?: string;
  readonly schema?: string;
  readonly user?: string;
}

/** `127.0.0.1:5433`, or with more than one server `primary 127.0.0.1:5433, secondary 127.0.0.1:5434`. */
function whereServersAre(clusters: readonly EnvServer[]): string {
  if (clusters.length === 1) return `${clusters[0]!.postgres.host}:${clusters[0]!.postgres.port}`;
  return clusters.map(({ name, postgres }) => `${name} ${postgres.host}:${postgres.port}`).join(", ");
}

/** A short account of every stack: the database objects and the resources by type. */
export function describeSandbox(
  report: RunReport,
  clusters: readonly EnvServer[],
  servers: readonly { name: string; sharedDatabase: string }[],
): string {
  const width = Math.max(...report.tenants.map((t) => t.slug.length), CONTROL_PLANE_STACK.length);
  const lines = [
    "",
    `What the sandbox created, in PostgreSQL ${whereServersAre(clusters)} (superuser ${clusters[0]!.postgres.user}):`,
    "",
  ];
  for (const tenant of report.tenants) {
    const head = `  ${tenant.slug.padEnd(width)}  `;
    const more = " ".repeat(head.length);
    if (tenant.outcome === "failed" || tenant.outcome === "skipped") {
      lines.push(`${head}${tenant.outcome}: ${(tenant.message ?? "").split("\n")[0]}`);
      continue;
    }
    if (tenant.slug === CONTROL_PLANE_STACK) {
      const shared = servers
        .map((server) => `"${server.sharedDatabase}"${servers.length > 1 ? ` on ${server.name}` : ""}`)
        .join(", ");
      lines.push(`${head}shared database ${shared} for schema-isolated tenants; PUBLIC may not connect to it`);
    } else {
      const outputs = tenant.outputs ?? {};
      const db = (outputs["database"] ?? {}) as DatabaseOutput;
      const server = (outputs["dataLocation"] as { server?: string } | undefined)?.server;
      const on = clusters.length > 1 && server ? ` on ${server}` : "";
      const where = `${db.schema && db.schema !== "public" ? `schema ${db.schema} in database ${db.database}` : `database ${db.database}`}${on}`;
      const login = outputs["status"] === "active" ? "login role" : "role (login disabled)";
      lines.push(
        `${head}${where}, owned by ${login} ${db.user} (${String(outputs["plan"])} plan, ${String(outputs["status"])})`,
      );
      const keys = Array.isArray(outputs["settingsKeys"]) ? outputs["settingsKeys"].length : 0;
      lines.push(`${more}settings: ${keys} keys in ${db.database}: ${db.schema}.tenant_settings`);
    }
    const byType = new Map<string, number>();
    for (const resource of tenant.resources) {
      if (changesNothing(resource.op)) continue;
      const type = resource.type.split(":").pop() ?? resource.type;
      byType.set(type, (byType.get(type) ?? 0) + 1);
    }
    if (byType.size > 0)
      lines.push(`${more}resources: ${[...byType].map(([type, n]) => (n > 1 ? `${type} ×${n}` : type)).join(", ")}`);
  }
  return `${lines.join("\n")}\n`;
}

/** psql command lines (host, port, user; never a password) and how to read a tenant's password. */
export function howToLook(report: RunReport, clusters: readonly EnvServer[], sandboxDir: string, stop: string): string {
  const tenants = report.tenants.filter(
    (t): t is TenantRun & { outputs: Record<string, unknown> } =>
      t.slug !== CONTROL_PLANE_STACK && t.outputs !== undefined,
  );
  const lines = [
    "",
    "PostgreSQL keeps running (--keep). Look at it:",
    "",
    `  source ${sandboxDir}/env.sh    # PATH, the sandbox's Pulumi backend and passphrase, PGPASSFILE`,
    ...clusters.map(
      ({ name, postgres }) =>
        `  psql -h ${postgres.host} -p ${postgres.port} -U ${postgres.user} -d postgres    # the superuser${clusters.length > 1 ? ` of server ${name}` : ""}; its password is in ${sandboxDir}/pgpass`,
    ),
  ];
  for (const tenant of tenants) {
    const db = (tenant.outputs["database"] ?? {}) as DatabaseOutput;
    lines.push(`  psql -h ${db.host} -p ${db.port} -U ${db.user} -d ${db.database}    # as ${tenant.slug}`);
  }
  if (tenants[0]) {
    const slug = tenants[0].slug;
    lines.push(
      "",
      "A tenant's password is a Pulumi secret (encrypted in the sandbox's state, never printed). To read it, or to connect with it:",
      "",
      `  pulumi -C ${sandboxDir}/project stack output connectionString --show-secrets -s ${slug}`,
      `  psql "$(pulumi -C ${sandboxDir}/project stack output connectionString --show-secrets -s ${slug})"`,
      "",
      "(after `source`-ing env.sh, from this directory; the same for every tenant's stack)",
    );
  }
  lines.push(
    "",
    "Stop it and remove its data:",
    "",
    `  ${stop} && rm -rf ${sandboxDir}`,
    "",
    "(or `npx tenantctl sandbox --stop`, from this directory)",
  );
  return `${lines.join("\n")}\n`;
}
