#!/usr/bin/env bash
# Ensure nektos/act (runs GitHub Actions workflows on this machine) and print the directory that holds it.
#
#   "$(tools/ensure-act.sh)/act"
#
# The e2e tests run .github/workflows/ under act, on the host (no Docker). The version is pinned below, and built from
# its Go module with `go install` into a cache outside the repository:
# ${TENANTCTL_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantctl}/act-<version>/bin, one builder at a time (flock),
# as tools/ensure-pulumi.sh does for the engine; nothing binary is committed. An `act` on PATH is NOT used: the tests
# depend on this version's behaviour (host runner, --local-repository), so they always get the pinned one.
# stdout is only the directory; progress goes to stderr. Exit codes: 0 ok, 3 no go, 1 build failed.
set -euo pipefail

VERSION=v0.2.89
TOOL=ensure-act
# log, die, tools_cache, lock_cache_entry, prepare_go_build
source "$(dirname -- "${BASH_SOURCE[0]}")/lib/go-build.sh"

main() {
    local dest work start
    dest="$(tools_cache)/act-$VERSION"
    if [[ -x "$dest/bin/act" ]]; then
        printf '%s\n' "$dest/bin"
        return 0
    fi
    command -v go >/dev/null 2>&1 || die 3 "'go' not found on PATH: Go >= 1.25 is needed to build act $VERSION"

    lock_cache_entry "$dest"
    if [[ -x "$dest/bin/act" ]]; then
        printf '%s\n' "$dest/bin"
        return 0
    fi
    prepare_go_build
    # go install of a module@version ignores -mod; GOFLAGS from prepare_go_build would make it refuse.
    export GOFLAGS="-buildvcs=false"
    work="$dest/bin.partial"
    rm -rf -- "$work"
    mkdir -p -- "$work"
    start=$SECONDS
    log "building github.com/nektos/act $VERSION into $dest/bin (about 2 min the first time)"
    # In the background and waited for, so that the EXIT trap of prepare_go_build stops it on Ctrl-C or a timeout.
    GOBIN="$work" "${NICE[@]}" go install -trimpath "github.com/nektos/act@$VERSION" >&2 &
    child=$!
    wait "$child" || die 1 "building act $VERSION failed"
    child=""
    rm -rf -- "$dest/bin"
    mv -- "$work" "$dest/bin"
    log "built act $VERSION in $((SECONDS - start))s"
    printf '%s\n' "$dest/bin"
}

main "$@"
