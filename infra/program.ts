/**
 * The Pulumi program (Pulumi.yaml points here, compiled to dist/infra/program.js). The stack name says what to
 * deploy: `control-plane`, or a tenant slug whose file is `<dir>/<slug>.yaml`. So `pulumi up -s acme` by hand
 * and `tenantctl up acme` run exactly the same thing.
 *
 * The module exports the program as a function (the Node.js language host calls an exported function and uses what
 * it returns as the stack's outputs). `pulumi up -s acme` calls it with nothing: it reads and validates the whole fleet
 * itself. tenantctl runs the same function in its own process, as the Automation API's inline program of each stack
 * (src/orchestrate/engine/engineSession.ts), handing it what its one validation of the fleet resolved for that stack: one
 * Node.js process with @pulumi/pulumi loaded once serves every stack of a run, instead of a language host and a
 * program process per stack, and no stack parses and validates the fleet again.
 *
 * This is the one place that reads stack config and the environment: into the deployment settings, from which the
 * deployment context every component gets is built.
 */
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { SetupError } from "../src/core/errors";
import { renderDiagnosticsText } from "../src/core/formatDiagnostics";
import { errorsAffecting, loadFleet } from "../src/core/load";
import type { ControlPlane, Tenant } from "../src/core/model";
import { CONTROL_PLANE_STACK } from "../src/core/naming";
import { didYouMean } from "../src/core/suggest";
import { tenantOf } from "../src/core/tenantLookup";
import type { VerdictForStack } from "../src/core/verdict";
import { sharedDatabaseImports, tenantAdoption } from "./adopt/adoption";
import { type AdoptionConsent, NO_CONSENT } from "./adopt/adoptionPlan";
import { auth0Adoption } from "./auth/auth0Adoption";
import { adminCredentialsEnv } from "./context/databaseServerConfig";
import { createDeploymentContext, type DeploymentSettings } from "./context/deploymentContext";
import { featuresFrom } from "./context/features";
import { ROTATE_ENV, rotationFrom } from "./context/rotation";
import { moveRefusalFor } from "./moves/moveGuard";
import { runError } from "./resourceErrors";
import { controlPlaneStack, tenantStack } from "./stacks";

type Env = Readonly<Record<string, string | undefined>>;

async function main(
  validated: VerdictForStack | undefined,
  consent: AdoptionConsent,
  env: Env,
): Promise<Record<string, unknown>> {
  const stack = pulumi.getStack();
  const config = new pulumi.Config("tenantctl");
  // tenantctl validated the whole fleet once for its run, in this process: that verdict stands for the files it read.
  if (validated)
    return declare(validated.controlPlane, validated.tenant, readDeploymentSettings(config, env), consent, false);
  const dir = tenantsDir(env.TENANTCTL_DIR ?? config.get("dir") ?? "tenants");
  // Otherwise (`pulumi up -s acme` by hand) the whole fleet is validated here: a tenant that is fine alone can still clash with another
  // (a hostname, a subdomain, the connection budget), and such a tenant must not be deployed.
  // File names in messages read as from the directory above the tenants directory (`tenants/acme.yaml`).
  const fleet = loadFleet({ dir, cwd: dirname(dir) });
  const blocking = errorsAffecting(fleet, stack);
  if (blocking.length > 0 || !fleet.controlPlane) {
    throw runError(
      `the tenant files are invalid; nothing was deployed:\n\n${renderDiagnosticsText(blocking, fleet.sources)}`,
    );
  }
  if (stack === CONTROL_PLANE_STACK)
    return declare(fleet.controlPlane, undefined, readDeploymentSettings(config, env), consent, true);
  const tenant = tenantOf(fleet, stack);
  if (!tenant) {
    const hint = didYouMean(stack, fleet.slugs);
    throw runError(
      `stack \`${stack}\` has no tenant file ${dir}/${stack}.yaml${hint ? ` (${hint})` : ""}: select a tenant's stack, or \`${CONTROL_PLANE_STACK}\``,
    );
  }
  return declare(fleet.controlPlane, tenant, readDeploymentSettings(config, env), consent, true);
}

/**
 * Declares the stack's resources, after looking at what the database server already holds under the names they
 * get: what a retained tenant left, or what `tenantctl adopt` takes over, is imported (infra/adopt/).
 */
async function declare(
  controlPlane: ControlPlane,
  tenant: Tenant | undefined,
  settings: DeploymentSettings,
  consent: AdoptionConsent,
  byHand: boolean,
): Promise<Record<string, unknown>> {
  const context = createDeploymentContext(controlPlane, settings);
  if (!tenant)
    return controlPlaneStack(
      controlPlane,
      context,
      await sharedDatabaseImports(controlPlane, settings.databaseServers, consent),
    );
  // Run by hand, the program moves no data (tenantctl's move step does, before it runs the stack): a tenant whose data
  // is elsewhere, or whose move was interrupted, is refused instead of switched to an empty database.
  if (byHand) {
    const refusal = await moveRefusalFor(tenant, settings.databaseServers);
    if (refusal) throw runError(refusal);
  }
  const adoption = await tenantAdoption(tenant, settings.databaseServers, consent);
  const auth =
    settings.features.auth && context.authProvider === "auth0" ? await auth0Adoption(tenant, consent) : undefined;
  return { ...tenantStack(tenant, context, adoption, auth) };
}

/** Stack config and environment, read once. */
function readDeploymentSettings(config: pulumi.Config, env: Env): DeploymentSettings {
  const rotation = rotationFrom(env[ROTATE_ENV]);
  return {
    features: featuresFrom(env.TENANTCTL_DISABLE, config.getObject<string[]>("disable")),
    databaseServers: {
      config: config.getObject<unknown>("databaseServers"),
      env: adminCredentialsEnv(env),
    },
    authhero: {
      config: config.getObject<unknown>("authhero"),
      env: {
        TENANTCTL_AUTHHERO_URL: env.TENANTCTL_AUTHHERO_URL,
        TENANTCTL_AUTHHERO_CLIENT_ID: env.TENANTCTL_AUTHHERO_CLIENT_ID,
        TENANTCTL_AUTHHERO_CLIENT_SECRET: env.TENANTCTL_AUTHHERO_CLIENT_SECRET,
      },
    },
    authProvider: env.TENANTCTL_AUTH_PROVIDER ?? config.get("authProvider"),
    cloudflareZoneId: config.get("cloudflareZoneId"),
    route53ZoneId: config.get("route53ZoneId"),
    acmRegion: config.get("acmRegion"),
    ...(rotation ? { rotation } : {}),
    organization: pulumi.getOrganization(),
    project: pulumi.getProject(),
  };
}

/**
 * A relative tenants directory is relative to the project (where Pulumi.yaml is), as a user reads
 * `tenantctl:dir: tenants`; never to the process's working directory, which the engine sets to the directory
 * of `main` (dist/infra/, where there are no tenant files). The project root comes from the language host
 * when it passes one; older hosts do not, and then it is the nearest directory above this compiled program
 * that holds a Pulumi.yaml (the repository, for `pulumi up -s acme` by hand). `tenantctl` itself always
 * passes an absolute TENANTCTL_DIR.
 */
function tenantsDir(dir: string): string {
  if (isAbsolute(dir)) return dir;
  return resolve(projectRoot(), dir);
}

function projectRoot(): string {
  const fromHost = pulumi.getRootDirectory();
  if (fromHost && isAbsolute(fromHost)) return fromHost;
  for (let candidate = __dirname; ; candidate = dirname(candidate)) {
    if (existsSync(join(candidate, "Pulumi.yaml"))) return candidate;
    if (dirname(candidate) === candidate) return process.cwd();
  }
}

/**
 * The program. A setup mistake (missing credentials, bad JSON, an unknown feature) is one message for the user, not a
 * stack trace.
 *
 * @param validated what tenantctl's validation of the fleet resolved for this stack; absent (`pulumi up -s acme` by
 * hand), the program finds the tenant files and validates the fleet itself.
 * @param adoption what this run of tenantctl consents to import; absent, only a retained tenant's own objects are taken
 * back (infra/adopt/adoptionPlan.ts).
 * @param env the environment the program reads its settings from: the process's, or, for an inline program, the
 * run's (the sandbox's database servers and features, which it does not set on tenantctl's whole process).
 */
async function runProgram(
  validated?: VerdictForStack,
  adoption: AdoptionConsent = NO_CONSENT,
  env: Env = process.env,
): Promise<Record<string, unknown>> {
  try {
    return await main(validated, adoption, env);
  } catch (error) {
    if (error instanceof SetupError) throw runError(error.message);
    throw error;
  }
}

export = runProgram;
