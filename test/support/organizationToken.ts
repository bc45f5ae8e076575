/**
 * An access token for a user of one organization, with the permissions of the roles given to that user there, from
 * the real AuthHero server: how a test (or a person, with curl) logs a user in without a browser.
 *
 *   1. Management API: the user (database connection, with a password), its membership of the organization, and its
 *      roles in that organization.
 *   2. `POST /co/authenticate` (cross-origin login, password realm) with the "Default Application": a login ticket.
 *   3. `GET /authorize?login_ticket=…&response_type=token&audience=…`: a redirect whose fragment holds the user's token.
 *      AuthHero's ticket login ignores `organization`, so this token has no `org_id`.
 *   4. `POST /oauth/token` with `grant_type=urn:ietf:params:oauth:grant-type:token-exchange` and `organization`: the
 *      token the app accepts, with `org_id` and the `permissions` of the user's roles in that organization.
 *      AuthHero checks the membership here (403 for a user outside the organization).
 * The Default Application's secret and callbacks come from the Management API; test/authhero-server lets it use
 * organizations.
 */
import { randomBytes } from "node:crypto";
import type { ManagementClient } from "./authhero";

export const DEFAULT_CLIENT_ID = "default";
const PASSWORD_REALM = "Username-Password-Authentication";

export interface OrganizationUser {
  readonly email: string;
  readonly password: string;
  readonly userId: string;
}

/** Creates a user who is a member of `organizationId` with `roleIds` there (empty: a member without roles). */
export async function createOrganizationUser(
  admin: ManagementClient,
  organizationId: string,
  roleIds: readonly string[],
  email = `user-${randomBytes(4).toString("hex")}@example.test`,
): Promise<OrganizationUser> {
  const password = `Pw-${randomBytes(12).toString("base64url")}!9`;
  const user = await admin.json<{ user_id: string }>("POST", "/users", {
    email,
    password,
    connection: PASSWORD_REALM,
    email_verified: true,
  });
  await admin.json("POST", `/organizations/${organizationId}/members`, { members: [user.user_id] });
  if (roleIds.length > 0)
    await admin.json("POST", `/organizations/${organizationId}/members/${encodeURIComponent(user.user_id)}/roles`, {
      roles: roleIds,
    });
  return { email, password, userId: user.user_id };
}

/** Steps 2 to 4 above: the user's access token for `audience` in `organizationId`. */
export async function organizationToken(
  admin: ManagementClient,
  authheroUrl: string,
  user: Pick<OrganizationUser, "email" | "password">,
  organizationId: string,
  audience: string,
): Promise<string> {
  const client = await admin.json<{ client_secret: string; callbacks: string[] }>(
    "GET",
    `/clients/${DEFAULT_CLIENT_ID}`,
  );
  const callback = client.callbacks.find((url) => url.startsWith("http://localhost")) ?? client.callbacks[0];
  if (!callback) throw new Error("AuthHero's Default Application has no callback URL to log in through");

  const login = await fetch(`${authheroUrl}/co/authenticate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      credential_type: "http://auth0.com/oauth/grant-type/password-realm",
      client_id: DEFAULT_CLIENT_ID,
      username: user.email,
      password: user.password,
      realm: PASSWORD_REALM,
    }),
  });
  if (!login.ok) throw new Error(`POST /co/authenticate: ${login.status} ${await login.text()}`);
  const { login_ticket } = (await login.json()) as { login_ticket: string };

  const query = new URLSearchParams({
    client_id: DEFAULT_CLIENT_ID,
    response_type: "token",
    redirect_uri: callback,
    login_ticket,
    realm: PASSWORD_REALM,
    audience,
    scope: "openid",
    state: randomBytes(8).toString("hex"),
  });
  const authorized = await fetch(`${authheroUrl}/authorize?${query}`, { redirect: "manual" });
  const location = authorized.headers.get("location");
  const userToken = location ? new URLSearchParams(new URL(location).hash.slice(1)).get("access_token") : null;
  if (!userToken) throw new Error(`GET /authorize: ${authorized.status} ${location ?? (await authorized.text())}`);

  const exchanged = await fetch(`${authheroUrl}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: userToken,
      subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
      client_id: DEFAULT_CLIENT_ID,
      client_secret: client.client_secret,
      organization: organizationId,
    }),
  });
  if (!exchanged.ok)
    throw new Error(`POST /oauth/token (token exchange): ${exchanged.status} ${await exchanged.text()}`);
  return ((await exchanged.json()) as { access_token: string }).access_token;
}
