/**
 * The scan's ACL parser (src/orchestrate/scan/aclText.ts) against the real PostgreSQL of the global setup: for every
 * ACL the server holds after a range of grants (PUBLIC, grant options, names that need quoting, databases, schemas,
 * default privileges), parsing `acl::text[]` must give exactly what `aclexplode` gives on the server, and the built-in
 * defaults must be `acldefault`'s.
 */
import type { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtInDefaultPrivileges, privilegesOfAcl } from "../../src/orchestrate/scan/aclText";
import { connect } from "../support/postgres";

const DATABASE = "integration_acl_text";
const ODD = 'acl "odd"=role/x';
let superuser: Client;
let db: Client;

const sorted = <T extends { grantee: string; privilege: string; grantable: boolean }>(list: readonly T[]) =>
  list
    .map((p) => ({ grantee: p.grantee, privilege: p.privilege, grantable: p.grantable }))
    .sort((a, b) => `${a.grantee}/${a.privilege}`.localeCompare(`${b.grantee}/${b.privilege}`));

/** Each ACL of `query` (columns `id`, `acl` as aclitem[]) parsed here and exploded there. */
async function bothWays(client: Client, query: string) {
  const rows = await client.query<{ id: string; text: string[] | null; exploded: unknown }>(
    `SELECT q.id, q.acl::text[] AS text,
            coalesce((SELECT json_agg(json_build_object(
                'grantee', CASE WHEN a.grantee = 0 THEN 'public' ELSE pg_get_userbyid(a.grantee) END,
                'privilege', a.privilege_type, 'grantable', a.is_grantable))
              FROM aclexplode(q.acl) a), '[]'::json) AS exploded
       FROM (${query}) q`,
  );
  return rows.rows.map((row) => ({
    id: row.id,
    parsed: sorted(privilegesOfAcl(row.text)),
    exploded: sorted(row.exploded as { grantee: string; privilege: string; grantable: boolean }[]),
  }));
}

beforeAll(async () => {
  superuser = await connect("postgres");
  await superuser.query(`CREATE DATABASE ${DATABASE}`);
  for (const role of ["acl_owner", "acl_reader", ODD])
    await superuser.query(`CREATE ROLE "${role.replace(/"/g, '""')}"`);
  await superuser.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${DATABASE} TO acl_reader WITH GRANT OPTION`);
  await superuser.query(`GRANT CREATE ON DATABASE ${DATABASE} TO "${ODD.replace(/"/g, '""')}"`);
  await superuser.query(`REVOKE TEMPORARY ON DATABASE ${DATABASE} FROM PUBLIC`);
  db = await connect(DATABASE);
  await db.query("CREATE SCHEMA acl_plain AUTHORIZATION acl_owner");
  await db.query("CREATE SCHEMA acl_granted AUTHORIZATION acl_owner");
  await db.query("GRANT USAGE ON SCHEMA acl_granted TO acl_reader WITH GRANT OPTION");
  await db.query(`GRANT CREATE, USAGE ON SCHEMA acl_granted TO "${ODD.replace(/"/g, '""')}", PUBLIC`);
  await db.query("ALTER DEFAULT PRIVILEGES FOR ROLE acl_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC");
  await db.query(
    "ALTER DEFAULT PRIVILEGES FOR ROLE acl_owner GRANT EXECUTE ON FUNCTIONS TO acl_reader WITH GRANT OPTION",
  );
  await db.query(`ALTER DEFAULT PRIVILEGES FOR ROLE acl_owner GRANT USAGE ON TYPES TO "${ODD.replace(/"/g, '""')}"`);
});

afterAll(async () => {
  await db?.end();
  await superuser?.query(`DROP DATABASE IF EXISTS ${DATABASE}`);
  for (const role of ["acl_owner", "acl_reader", ODD])
    await superuser?.query(`DROP ROLE IF EXISTS "${role.replace(/"/g, '""')}"`);
  await superuser?.end();
});

describe("privilegesOfAcl", () => {
  it("reads every database's and schema's ACL as aclexplode does, quoted names and grant options included", async () => {
    const databases = await bothWays(
      superuser,
      "SELECT datname::text AS id, coalesce(datacl, acldefault('d', datdba)) AS acl FROM pg_database",
    );
    const schemas = await bothWays(
      db,
      "SELECT nspname::text AS id, coalesce(nspacl, acldefault('n', nspowner)) AS acl FROM pg_namespace",
    );
    for (const { parsed, exploded } of [...databases, ...schemas]) expect(parsed).toEqual(exploded);
    // The cases this test is for are really there.
    const granted = schemas.find((s) => s.id === "acl_granted")!.parsed;
    expect(granted).toContainEqual({ grantee: "acl_reader", privilege: "USAGE", grantable: true });
    expect(granted).toContainEqual({ grantee: ODD, privilege: "CREATE", grantable: false });
    expect(granted).toContainEqual({ grantee: "public", privilege: "USAGE", grantable: false });
    const database = databases.find((d) => d.id === DATABASE)!.parsed;
    expect(database).toContainEqual({ grantee: "acl_reader", privilege: "TEMPORARY", grantable: true });
    expect(database).not.toContainEqual({ grantee: "public", privilege: "TEMPORARY", grantable: false });
  });

  it("reads default privileges as aclexplode does, and the built-in ones are acldefault's", async () => {
    const set = await bothWays(
      db,
      "SELECT pg_get_userbyid(defaclrole) || '/' || defaclobjtype::text AS id, defaclacl AS acl FROM pg_default_acl",
    );
    expect(set.map((s) => s.id).sort()).toEqual(["acl_owner/T", "acl_owner/f"]);
    for (const { parsed, exploded } of set) expect(parsed).toEqual(exploded);

    const builtIn = await bothWays(
      db,
      `SELECT r.rolname || '/' || t.objtype::text AS id, acldefault(t.objtype, r.oid) AS acl
         FROM pg_roles r CROSS JOIN (VALUES ('f'::"char"), ('T'::"char")) AS t (objtype)
        WHERE r.rolname IN ('acl_owner', '${ODD.replace(/'/g, "''")}')`,
    );
    expect(builtIn).toHaveLength(4);
    for (const { id, exploded } of builtIn) {
      const at = id.lastIndexOf("/");
      expect(sorted(builtInDefaultPrivileges(id.slice(at + 1), id.slice(0, at)))).toEqual(exploded);
    }
  });

  it("refuses what it cannot read instead of guessing", () => {
    expect(() => privilegesOfAcl(["acl_reader=Q/acl_owner"])).toThrow(/unknown privilege "Q"/);
    expect(() => privilegesOfAcl(['"unterminated=U/acl_owner'])).toThrow(/unterminated/);
  });
});
