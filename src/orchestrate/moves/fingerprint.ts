/**
 * What a move verifies before anything switches: a fingerprint of the schema that holds a tenant's data, taken on the
 * old location and on the copy, and the differences between the two (pure). Per table its row count and a hash of its
 * content (order-independent, so no sort of the table is needed: each row's own hash, summed and XORed); per
 * sequence its value; and an inventory of everything else the schema holds (views, functions, types, indexes,
 * constraints, triggers), with each relation's owner and grants, so a view or a grant the copy lost fails too.
 * Both sides are fingerprinted after the copy, at once: a change made behind the copy shows as a difference.
 */
import type { Client } from "pg";

export interface TableFingerprint {
  readonly rows: number;
  readonly hash: string;
}

export interface SchemaFingerprint {
  readonly tables: Readonly<Record<string, TableFingerprint>>;
  /** `last_value` (null: never called), by sequence. */
  readonly sequences: Readonly<Record<string, string | null>>;
  /** `<kind> <name> ...`, sorted. */
  readonly objects: readonly string[];
  /** On-disk size of the tables, their indexes and TOAST. */
  readonly bytes: number;
}

/**
 * Session settings under which a row's text is the same on any server: the hashes compare values, not how a session
 * prints them. The schema itself first on the search path, then `public` (where extensions live, in a tenant's own
 * database as in the shared one), so what definitions name prints unqualified on both sides, whatever the schema is called.
 */
async function stableSession(client: Client, schema: string): Promise<void> {
  await client.query(
    `SET search_path = ${client.escapeIdentifier(schema)}, public, pg_catalog; SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; SET bytea_output = 'hex'`,
  );
}

/**
 * Not a member of an extension: extensions are the server's (in a tenant's own database, its `public` holds them beside
 * the tenant's objects; in the shared database, every tenant's), and the stack declares them; the tenant's data is the rest.
 */
const notExtension = (oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.objid = ${oid} AND e.deptype = 'e')`;

export async function fingerprintSchema(client: Client, schema: string): Promise<SchemaFingerprint> {
  await stableSession(client, schema);
  const namespace = "(SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1)";
  const tables = await client.query<{ relname: string }>(
    `SELECT relname FROM pg_catalog.pg_class WHERE relnamespace = ${namespace} AND relkind = 'r' ORDER BY relname`,
    [schema],
  );
  const tableFingerprints: Record<string, TableFingerprint> = {};
  for (const { relname } of tables.rows) {
    const table = `${client.escapeIdentifier(schema)}.${client.escapeIdentifier(relname)}`;
    tableFingerprints[relname] =
      ((await hashesPortably(client, table)) ? await rowHash(client, table) : undefined) ??
      (await textHash(client, table));
  }
  const sequences = await client.query<{ sequencename: string; last_value: string | null }>(
    "SELECT sequencename, last_value::text FROM pg_catalog.pg_sequences WHERE schemaname = $1",
    [schema],
  );
  const objects = await client.query<{ object: string }>(
    `SELECT 'relation ' || c.relkind::text || ' ' || c.relname || ' owner ' || pg_catalog.pg_get_userbyid(c.relowner) || ' acl ' || coalesce(c.relacl::text, '-') AS object
       FROM pg_catalog.pg_class c WHERE c.relnamespace = ${namespace} AND c.relkind <> 't' AND ${notExtension("c.oid")}
     UNION ALL
     SELECT 'constraint ' || r.relname || '.' || k.conname || ' ' || pg_catalog.pg_get_constraintdef(k.oid)
       FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class r ON r.oid = k.conrelid WHERE k.connamespace = ${namespace}
     UNION ALL
     SELECT 'function ' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ') owner ' || pg_catalog.pg_get_userbyid(p.proowner) || ' acl ' || coalesce(p.proacl::text, '-')
       FROM pg_catalog.pg_proc p WHERE p.pronamespace = ${namespace} AND ${notExtension("p.oid")}
     UNION ALL
     SELECT 'type ' || t.typtype::text || ' ' || t.typname FROM pg_catalog.pg_type t WHERE t.typnamespace = ${namespace} AND t.typtype IN ('e', 'd', 'r', 'm') AND ${notExtension("t.oid")}
     UNION ALL
     SELECT 'trigger ' || r.relname || '.' || g.tgname FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class r ON r.oid = g.tgrelid WHERE r.relnamespace = ${namespace} AND NOT g.tgisinternal
     UNION ALL
     SELECT 'view ' || c.relname || ' ' || pg_catalog.pg_get_viewdef(c.oid) FROM pg_catalog.pg_class c WHERE c.relnamespace = ${namespace} AND c.relkind IN ('v', 'm')
     ORDER BY 1`,
    [schema],
  );
  const bytes = await client.query<{ bytes: string }>(
    `SELECT coalesce(sum(pg_catalog.pg_total_relation_size(oid)), 0)::text AS bytes FROM pg_catalog.pg_class WHERE relnamespace = ${namespace} AND relkind IN ('r', 'm')`,
    [schema],
  );
  return {
    tables: tableFingerprints,
    sequences: Object.fromEntries(sequences.rows.map((row) => [row.sequencename, row.last_value])),
    objects: objects.rows.map((row) => row.object),
    bytes: Number(bytes.rows[0]!.bytes),
  };
}

/**
 * Whether every column is of a built-in base type (or an array of one) whose hash depends on the value only. An enum
 * hashes its label's OID, and a user-defined type (a domain, a composite) may contain one: the same value in another
 * database hashes differently, so such tables are hashed by their rows' text.
 */
async function hashesPortably(client: Client, table: string): Promise<boolean> {
  const result = await client.query<{ portable: boolean | null }>(
    `SELECT bool_and(b.typnamespace = 'pg_catalog'::regnamespace AND b.typtype = 'b' AND b.typname !~ '^(oid|reg|xid|cid|tid)') AS portable
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
       JOIN pg_catalog.pg_type b ON b.oid = CASE WHEN t.typcategory = 'A' AND t.typelem <> 0 THEN t.typelem ELSE t.oid END
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
    [table],
  );
  return result.rows[0]?.portable === true;
}

/**
 * The row's own 64-bit hash (`hash_record_extended`, PostgreSQL 14+: the values as their types hash them, the hash that
 * hash partitioning relies on staying the same), summed and XORed: no text conversion, no sort. Undefined when a
 * column's type has no such hash (json, point, ...) or the server is older.
 */
async function rowHash(client: Client, table: string): Promise<TableFingerprint | undefined> {
  try {
    const result = await client.query<{ rows: string; sum: string; xor: string }>(
      `SELECT count(*)::text AS rows, coalesce(sum(h), 0)::text AS sum, coalesce(bit_xor(h), 0)::text AS xor
         FROM (SELECT pg_catalog.hash_record_extended(t, 0) AS h FROM ONLY ${table} AS t) AS rows`,
    );
    const row = result.rows[0]!;
    return { rows: Number(row.rows), hash: `record:${row.sum}:${row.xor}` };
  } catch {
    return undefined;
  }
}

/** Each row's text's MD5, in two 60-bit halves summed: any type has a text form. */
async function textHash(client: Client, table: string): Promise<TableFingerprint> {
  const result = await client.query<{ rows: string; a: string; b: string }>(
    `SELECT count(*)::text AS rows,
            coalesce(sum(('x' || substr(h, 1, 15))::bit(60)::bigint), 0)::text AS a,
            coalesce(sum(('x' || substr(h, 16, 15))::bit(60)::bigint), 0)::text AS b
       FROM (SELECT md5(t::text) AS h FROM ONLY ${table} AS t) AS rows`,
  );
  const row = result.rows[0]!;
  return { rows: Number(row.rows), hash: `md5:${row.a}:${row.b}` };
}

/** Every way the copy differs from the original, one sentence each; empty: the copy is verified. */
export function fingerprintDifferences(original: SchemaFingerprint, copy: SchemaFingerprint): string[] {
  const differences: string[] = [];
  for (const [name, table] of Object.entries(original.tables)) {
    const copied = copy.tables[name];
    if (!copied) differences.push(`table ${name} is missing from the copy`);
    else if (copied.rows !== table.rows)
      differences.push(`table ${name}: ${table.rows} rows, the copy has ${copied.rows}`);
    else if (copied.hash !== table.hash) differences.push(`table ${name}: same ${table.rows} rows, different content`);
  }
  for (const name of Object.keys(copy.tables))
    if (!(name in original.tables)) differences.push(`table ${name} is in the copy only`);
  for (const [name, value] of Object.entries(original.sequences)) {
    if (!(name in copy.sequences)) differences.push(`sequence ${name} is missing from the copy`);
    else if (copy.sequences[name] !== value)
      differences.push(
        `sequence ${name}: ${value ?? "never used"}, the copy has ${copy.sequences[name] ?? "never used"}`,
      );
  }
  const copiedObjects = new Set(copy.objects);
  const originalObjects = new Set(original.objects);
  for (const object of original.objects)
    if (!copiedObjects.has(object)) differences.push(`missing from the copy: ${object}`);
  for (const object of copy.objects) if (!originalObjects.has(object)) differences.push(`in the copy only: ${object}`);
  return differences;
}

export function totalRows(fingerprint: SchemaFingerprint): number {
  return Object.values(fingerprint.tables).reduce((sum, table) => sum + table.rows, 0);
}
