/**
 * A tenant stack's outputs under Pulumi mocks: `dataLocation` is the contract the next run reads to tell a move from
 * an add and a remove (src/core/location.ts), so its shape and values are pinned here.
 */
import { describe, expect, it } from "vitest";
import { createDeploymentContext } from "../../infra/context/deploymentContext";
import { tenantStack } from "../../infra/stacks";
import { aControlPlane } from "../support/domainFixtures";
import { recordResources, resolvedValue } from "../support/pulumiMocks";
import { buildTenant } from "../support/tenantFixtures";

const context = () =>
  createDeploymentContext(aControlPlane(), {
    features: { dns: false, tls: false, auth: false, registry: false },
    databaseServers: { config: { primary: { username: "admin", password: "x" } }, env: {} },
    organization: "organization",
    project: "project",
  });

describe("tenantStack outputs", () => {
  it("dataLocation names the server, database and schema of a schema tenant's data", async () => {
    const recorder = await recordResources();
    const outputs = tenantStack(buildTenant("initech"), context());
    expect(outputs.dataLocation).toEqual({ server: "primary", database: "tenants", schema: "tenant_initech" });
    // The same place the database output says the tenant's clients connect to.
    const database = await resolvedValue(outputs.database);
    expect({ database: database.database, schema: database.schema }).toEqual({
      database: "tenants",
      schema: "tenant_initech",
    });
    await recorder.settled();
  });

  it("dataLocation of a database tenant is its own database's public schema", async () => {
    const recorder = await recordResources();
    const outputs = tenantStack(buildTenant("acme", { database: { isolation: "database" } }), context());
    expect(outputs.dataLocation).toEqual({ server: "primary", database: "tenant_acme", schema: "public" });
    await recorder.settled();
  });
});
