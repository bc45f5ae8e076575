#!/usr/bin/env bash
# Ensure actionlint (the linter for .github/workflows) and print the directory that holds it.
#
#   "$(tools/ensure-actionlint.sh)/actionlint"
#
# An actionlint on PATH is used as it is. Otherwise it is built from its Go module, pinned below, into a cache outside
# the repository (${TENANTCTL_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantctl}/actionlint-<version>/bin), as
# tools/ensure-pulumi.sh does for the Pulumi engine; nothing binary is committed. A cold build takes ~15 s here.
# stdout is only the directory; progress goes to stderr. Exit codes: 0 ok, 3 neither actionlint nor go, 1 build failed.
set -euo pipefail

VERSION=v1.7.12
TOOL=ensure-actionlint
# log, die, tools_cache, …
source "$(dirname -- "${BASH_SOURCE[0]}")/lib/go-build.sh"

main() {
    local existing cache dest
    if existing=$(command -v actionlint 2>/dev/null); then
        dirname -- "$existing"
        return 0
    fi
    command -v go >/dev/null || die 3 "neither actionlint nor go is on PATH"
    cache=$(tools_cache)
    dest="$cache/actionlint-$VERSION/bin"
    if [[ ! -x "$dest/actionlint" ]]; then
        log "building github.com/rhysd/actionlint $VERSION into $dest"
        mkdir -p "$dest.partial"
        GOBIN="$dest.partial" GOFLAGS=-trimpath go install "github.com/rhysd/actionlint/cmd/actionlint@$VERSION" >&2 ||
            die 1 "building actionlint failed"
        rm -rf "$dest" && mv "$dest.partial" "$dest"
    fi
    printf '%s\n' "$dest"
}

main "$@"
