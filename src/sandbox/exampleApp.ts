/**
 * What a kept sandbox prints about examples/app: the command that starts it against the sandbox (the registry and
 * runtime login from env.sh, AuthHero as its token issuer) and one curl that works, for the first active tenant.
 */
import { join, relative } from "node:path";
import type { Tenant } from "../core/model";

/** The app's port in the printed commands: the README's, free on a fresh machine more often than not. */
export const EXAMPLE_APP_PORT = 3000;

export interface ExampleAppCommandsArgs {
  readonly tenants: readonly Tenant[];
  /** The template's first resource server: the audience the app checks tokens for. */
  readonly audience: string | undefined;
  /** Whether AuthHero runs in the sandbox (env.sh then names it; the app uses it as its issuer). */
  readonly withAuth: boolean;
  readonly repoRoot: string;
  readonly projectDir: string;
  /** env.sh, relative to where the user stands. */
  readonly envScript: string;
}

export function exampleAppCommands(args: ExampleAppCommandsArgs): string {
  const tenant = args.tenants.find((candidate) => candidate.status === "active");
  if (!tenant) return "";
  const start = relative(args.projectDir, join(args.repoRoot, "examples", "app", "start.js"));
  const audience = args.withAuth && args.audience ? `TENANTCTL_AUTH_AUDIENCE=${args.audience} ` : "";
  const lines = [
    "",
    "The example app (examples/app) serves the tenants through the registry. Start it, then ask it for a tenant:",
    "",
    `  source ${args.envScript}`,
    `  ${audience}PORT=${EXAMPLE_APP_PORT} node ${start} &`,
    `  curl -H 'Host: ${tenant.domains.hostname}' http://127.0.0.1:${EXAMPLE_APP_PORT}/`,
    "",
    `It answers {"tenant":"${tenant.slug}","name":${JSON.stringify(tenant.name)},"status":"active","plan":"${tenant.plan}",…};` +
      " an unknown host 404, a suspended tenant 403, a decommissioned one 410.",
  ];
  if (args.withAuth)
    lines.push(
      "GET /settings and POST /users need an AuthHero token of the tenant's organization: examples/app/README.md.",
    );
  return `${lines.join("\n")}\n`;
}
