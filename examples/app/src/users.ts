import type { PoolClient } from "pg";

/** A user of the app, kept in the tenant's own data. */
export interface AppUser {
  readonly id: number;
  readonly email: string;
  readonly createdAt: string;
}

export type CreateUserOutcome =
  | { readonly created: AppUser }
  | { readonly limitReached: { readonly limit: number; readonly count: number } }
  | { readonly exists: string };

/**
 * The app's users table, created by the tenant's role (so the tenant owns it, like the rest of its data) the first
 * time it is needed. Until migrations (`tenantctl migrate`) own the app's schema, this is how it gets there.
 */
async function ensureUsersTable(client: PoolClient, schema: string): Promise<void> {
  // Two first requests at once would both try to create it, and one fails ("already exists": IF NOT EXISTS does not
  // guard against a concurrent CREATE). One at a time per schema, until the request's transaction ends.
  await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`${schema}.app_users`]);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${schema}.app_users (
       id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       email text NOT NULL UNIQUE,
       created_at timestamptz NOT NULL DEFAULT now()
     )`,
  );
}

/**
 * Adds a user unless the tenant already has `limit` of them (the plan's `limits.users`, from the registry). The table
 * is locked against other writers for the count and the insert, so two concurrent requests cannot both take the last
 * seat; readers are not blocked.
 */
export async function createUser(
  client: PoolClient,
  schema: string,
  email: string,
  limit: number | undefined,
): Promise<CreateUserOutcome> {
  await ensureUsersTable(client, schema);
  await client.query(`LOCK TABLE ${schema}.app_users IN SHARE ROW EXCLUSIVE MODE`);
  const { rows: counted } = await client.query<{ count: string }>(`SELECT count(*) AS count FROM ${schema}.app_users`);
  const count = Number(counted[0]?.count ?? 0);
  if (limit !== undefined && count >= limit) return { limitReached: { limit, count } };
  const { rows } = await client.query<{ id: string; email: string; created_at: Date }>(
    `INSERT INTO ${schema}.app_users (email) VALUES ($1) ON CONFLICT (email) DO NOTHING RETURNING id, email, created_at`,
    [email],
  );
  const row = rows[0];
  if (!row) return { exists: email };
  return { created: { id: Number(row.id), email: row.email, createdAt: row.created_at.toISOString() } };
}

export async function countUsers(client: PoolClient, schema: string): Promise<number> {
  await ensureUsersTable(client, schema);
  const { rows } = await client.query<{ count: string }>(`SELECT count(*) AS count FROM ${schema}.app_users`);
  return Number(rows[0]?.count ?? 0);
}
