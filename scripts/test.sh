#!/usr/bin/env bash
# The README's test command. On a fresh machine it installs what the tests need, then runs every test project:
# unit (incl. Pulumi mocks), integration (a real PostgreSQL, a real AuthHero) and e2e (the real Pulumi engine).
#
# A prerequisite a project needs and this script cannot install fails the run, naming the fix. The only way to leave
# a project out is to name it: TENANTCTL_TEST_SKIP=e2e (or e2e,integration); the last lines of the run count the tests
# of each project and name the ones that did not run.
set -euo pipefail
cd "$(dirname "$0")/.."

skips() { [[ ",${TENANTCTL_TEST_SKIP:-}," == *",$1,"* ]]; }

# Debian packages, with one `apt-get update` for all of them:
# - PostgreSQL server binaries: the test setup starts a throwaway cluster with them;
# - PowerDNS Authoritative with its SQLite backend (sqlite3 creates its database, dig looks): the real DNS server of
#   the PowerDNS adapter's tests and of `tenantctl sandbox --dns` (about 20 s).
APT_PACKAGES=()
if ! { skips integration && skips e2e; }; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || APT_PACKAGES+=(postgresql)
  { [ -x /usr/sbin/pdns_server ] && [ -f /usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql ] &&
    command -v sqlite3 >/dev/null && command -v dig >/dev/null; } ||
    APT_PACKAGES+=(pdns-server pdns-backend-sqlite3 sqlite3 dnsutils)
fi
if [ "${#APT_PACKAGES[@]}" -gt 0 ]; then
  echo "test.sh: installing Debian packages: ${APT_PACKAGES[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${APT_PACKAGES[@]}" >/dev/null
fi

# curl and jq: examples/app/user-token.sh (the README's token command) is run by the integration and e2e tests.
if ! { skips integration && skips e2e; } && ! { command -v curl && command -v jq; } >/dev/null 2>&1; then
  echo "test.sh: installing curl and jq (Debian packages)" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq curl jq >/dev/null
fi

# Node dependencies from the lockfile; `prepare` compiles the CLI and the Pulumi program into dist/.
npm ci --no-audit --no-fund

# The real AuthHero server of the integration and e2e tests (and of `tenantctl sandbox --auth authhero`): a package of
# its own in test/authhero-server, never a dependency of tenantctl. Installed from its lockfile only when missing or
# when the lockfile changed (about a minute: better-sqlite3 compiles); src/sandbox/authhero.ts checks the same stamp.
AUTHHERO_DIR=test/authhero-server
AUTHHERO_STAMP="$AUTHHERO_DIR/node_modules/.tenantctl-installed-lock"
AUTHHERO_LOCK_HASH="$(sha256sum "$AUTHHERO_DIR/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$AUTHHERO_STAMP" 2>/dev/null)" != "$AUTHHERO_LOCK_HASH" ]; then
  echo "test.sh: installing the AuthHero test server (npm ci in $AUTHHERO_DIR)" >&2
  (cd "$AUTHHERO_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$AUTHHERO_LOCK_HASH" > "$AUTHHERO_STAMP"
fi

# The Pulumi engine of the e2e tests: the user's own `pulumi` when one is on PATH, else built from Go modules into a
# cache. Go itself is not installed here (Debian's is older than the build needs): without either, the run stops.
if ! skips e2e; then
  pulumi_rc=0
  PULUMI_BIN="$(tools/ensure-pulumi.sh)" || pulumi_rc=$?
  if [ "$pulumi_rc" -eq 3 ]; then
    echo "test.sh: the e2e tests need the Pulumi engine, and neither \`pulumi\` nor \`go\` is on PATH." >&2
    echo "test.sh: install Go >= 1.25 (https://go.dev/dl/; tools/ensure-pulumi.sh then builds the pinned engine), or the" >&2
    echo "test.sh: Pulumi CLI with its postgresql plugin; or leave the e2e tests out: TENANTCTL_TEST_SKIP=e2e bash scripts/test.sh" >&2
    exit 1
  elif [ "$pulumi_rc" -ne 0 ]; then
    exit "$pulumi_rc"
  fi
  export PATH="$PULUMI_BIN:$PATH"

  # nektos/act, which runs .github/workflows/ in the e2e (test/e2e/workflows.test.ts): built from its Go module into
  # the same cache (tools/ensure-act.sh, about 2 min the first time on an idle machine, then instant). It needs `go`.
  act_rc=0
  tools/ensure-act.sh >/dev/null || act_rc=$?
  if [ "$act_rc" -eq 3 ]; then
    echo "test.sh: the e2e tests run the workflows under act, built from its Go module, and \`go\` is not on PATH." >&2
    echo "test.sh: install Go >= 1.25 (https://go.dev/dl/), or leave the e2e tests out: TENANTCTL_TEST_SKIP=e2e bash scripts/test.sh" >&2
    exit 1
  elif [ "$act_rc" -ne 0 ]; then
    exit "$act_rc"
  fi

  # The ACME CA and the ingress of the acme TLS e2e (test/e2e/acmeTls.test.ts): Pebble and Caddy, built from the Go
  # module proxy into the same cache on first use (see tools/README.md for how long), found there afterwards.
  for tool in pebble caddy; do
    tools/ensure-$tool.sh >/dev/null || {
      echo "test.sh: tools/ensure-$tool.sh failed: the acme TLS e2e needs it (or TENANTCTL_TEST_SKIP=e2e)" >&2
      exit 1
    }
  done
fi

# versitygw, the local S3 service of the shared-state e2e (state on S3): built from its Go module into the tools cache
# (a cold build takes 3-22 min, depending on how busy the machine is; warm, nothing).
if ! skips e2e; then
  versitygw_rc=0
  tools/ensure-versitygw.sh >/dev/null || versitygw_rc=$?
  if [ "$versitygw_rc" -eq 3 ]; then
    echo "test.sh: the e2e tests need versitygw (state on S3), and neither \`versitygw\` nor \`go\` is on PATH: install Go >= 1.25," >&2
    echo "test.sh: or leave the e2e tests out: TENANTCTL_TEST_SKIP=e2e bash scripts/test.sh" >&2
    exit 1
  elif [ "$versitygw_rc" -ne 0 ]; then
    exit "$versitygw_rc"
  fi
fi

# Type-check everything, tests included (vitest itself only strips types).
npm run --silent typecheck

# The layering (src/core <- infra <- the app), with dependency-cruiser: a wrong-direction import fails here.
npm run --silent deps

# Formatting and lint rules, with Biome (biome.json): `npm run format` fixes what it can.
npm run --silent lint

# The GitHub workflows, with actionlint (built from its Go module when it is not on PATH).
actionlint_rc=0
ACTIONLINT_BIN="$(tools/ensure-actionlint.sh)" || actionlint_rc=$?
if [ "$actionlint_rc" -eq 0 ]; then
  "$ACTIONLINT_BIN/actionlint"
elif [ "$actionlint_rc" -eq 3 ]; then
  echo "test.sh: actionlint unavailable (no actionlint and no go on PATH): the workflows are NOT linted" >&2
else
  exit "$actionlint_rc"
fi

npx vitest run "$@"
