#!/usr/bin/env bash
# Prints an access token of a new user of one tenant's organization, with one of the template's roles there, from the
# sandbox's AuthHero (`tenantctl sandbox --keep --auth authhero`, then `source .tenantctl/sandbox/env.sh`):
#
#   TOKEN=$(examples/app/user-token.sh acme admin)
#   curl -H 'Host: acme.app.example.com' -H "Authorization: Bearer $TOKEN" http://127.0.0.1:3000/settings
#
# AuthHero has no password grant; a user's organization token takes its real login flow, without a browser:
#   1. Management API: the user (with a password), its membership of the organization, its role there;
#   2. POST /co/authenticate (password realm): a login ticket;
#   3. GET /authorize with the ticket: the user's token, in the redirect's fragment (without the organization);
#   4. POST /oauth/token, token exchange (RFC 8693) with `organization`: the token the app accepts, carrying `org_id`
#      and the permissions of the user's roles in that organization.
# Needs curl, jq and psql. The organization comes from the registry, as the app sees it.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: examples/app/user-token.sh <tenant slug> <role, e.g. admin or member>" >&2
  exit 2
fi
slug=$1
role=$2
: "${TENANTCTL_AUTHHERO_URL:?run \`source .tenantctl/sandbox/env.sh\` first (a sandbox started with --auth authhero)}"
: "${TENANTCTL_REGISTRY_URL:?run \`source .tenantctl/sandbox/env.sh\` first}"
url=$TENANTCTL_AUTHHERO_URL
audience=${TENANTCTL_AUTH_AUDIENCE:-https://api.example.com}
realm=Username-Password-Authentication

post() { curl -sS --fail-with-body -H 'content-type: application/json' "$@"; }

management=$(post "$url/oauth/token" -d "$(jq -n --arg id "$TENANTCTL_AUTHHERO_CLIENT_ID" \
  --arg secret "$TENANTCTL_AUTHHERO_CLIENT_SECRET" \
  '{grant_type: "client_credentials", client_id: $id, client_secret: $secret, audience: "urn:authhero:management"}')" |
  jq -r .access_token)
api() { curl -sS --fail-with-body -H "authorization: Bearer $management" -H 'content-type: application/json' "$@"; }

# (psql substitutes :'slug', quoted, in what it reads from stdin, not in -c)
organization=$(psql "$TENANTCTL_REGISTRY_URL" -v slug="$slug" -At \
  <<<"SELECT organization_id FROM tenantctl.tenants WHERE slug = :'slug'")
[ -n "$organization" ] || { echo "user-token.sh: no tenant \"$slug\" with an organization in the registry" >&2; exit 1; }
role_id=$(api "$url/api/v2/roles?per_page=100" | jq -r --arg name "$role" '.[] | select(.name == $name) | .id')
[ -n "$role_id" ] || { echo "user-token.sh: AuthHero has no role \"$role\"" >&2; exit 1; }

# 1. The user, a member of the organization with the role there.
email="$role-$(date +%s%N)@$slug.example.test"
password="Pw-$(head -c 12 /dev/urandom | base64 | tr -d '/+=')!9"
user_id=$(api "$url/api/v2/users" -d "$(jq -n --arg email "$email" --arg password "$password" --arg realm "$realm" \
  '{email: $email, password: $password, connection: $realm, email_verified: true}')" | jq -r .user_id)
api "$url/api/v2/organizations/$organization/members" -d "$(jq -n --arg u "$user_id" '{members: [$u]}')" >/dev/null
api "$url/api/v2/organizations/$organization/members/$(jq -rn --arg u "$user_id" '$u|@uri')/roles" \
  -d "$(jq -n --arg r "$role_id" '{roles: [$r]}')" >/dev/null

# 2. Its login, through AuthHero's "Default Application" (test/authhero-server lets it use organizations).
client=$(api "$url/api/v2/clients/default")
client_secret=$(jq -r .client_secret <<<"$client")
callback=$(jq -r '[.callbacks[] | select(startswith("http://localhost"))][0]' <<<"$client")
ticket=$(post "$url/co/authenticate" -d "$(jq -n --arg email "$email" --arg password "$password" --arg realm "$realm" \
  '{credential_type: "http://auth0.com/oauth/grant-type/password-realm", client_id: "default",
    username: $email, password: $password, realm: $realm}')" | jq -r .login_ticket)

# 3. The user's token (the redirect is not followed: the token is in its fragment).
location=$(curl -sS -o /dev/null -w '%{redirect_url}' -G "$url/authorize" \
  --data-urlencode client_id=default --data-urlencode response_type=token \
  --data-urlencode "redirect_uri=$callback" --data-urlencode "login_ticket=$ticket" \
  --data-urlencode "realm=$realm" --data-urlencode "audience=$audience" --data-urlencode scope=openid \
  --data-urlencode state=user-token)
user_token=$(sed -n 's/.*[#&]access_token=\([^&]*\).*/\1/p' <<<"$location")
[ -n "$user_token" ] || { echo "user-token.sh: AuthHero's /authorize gave no token: $location" >&2; exit 1; }

# 4. Exchanged for the organization's token.
post "$url/oauth/token" -d "$(jq -n --arg token "$user_token" --arg secret "$client_secret" --arg org "$organization" \
  '{grant_type: "urn:ietf:params:oauth:grant-type:token-exchange", subject_token: $token,
    subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
    client_id: "default", client_secret: $secret, organization: $org}')" | jq -r .access_token
