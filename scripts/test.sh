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

# PostgreSQL server binaries, from Debian's packages: the test setup starts a throwaway cluster with them.
if ! { skips integration && skips e2e; } && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "test.sh: installing PostgreSQL (Debian package postgresql)" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
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
