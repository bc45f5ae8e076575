#!/usr/bin/env bash
# Ensure versitygw (an S3 gateway over a local directory, Apache-2.0) and print the directory that holds it.
#
#   "$(tools/ensure-versitygw.sh)/versitygw" --port 127.0.0.1:7070 posix /some/dir
#
# The shared-state e2e serves Pulumi's S3 backend with it (test/support/versitygw.ts). A versitygw on PATH is used as it
# is. Otherwise it is built from its Go module, pinned below, into a cache outside the repository
# (${TENANTCTL_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantctl}/versitygw-<version>/bin), as
# tools/ensure-actionlint.sh does; nothing binary is committed. A cold build (empty Go caches) takes ~3-4 min here.
# stdout is only the directory; progress goes to stderr. Exit codes: 0 ok, 3 neither versitygw nor go, 1 build failed.
set -euo pipefail

VERSION=v1.8.0
TOOL=ensure-versitygw
# log, die, tools_cache, lock_cache_entry, prepare_go_build
source "$(dirname -- "${BASH_SOURCE[0]}")/lib/go-build.sh"

main() {
    local existing cache dest t0=$SECONDS rc=0
    if existing=$(command -v versitygw 2>/dev/null); then
        dirname -- "$existing"
        return 0
    fi
    cache=$(tools_cache)
    dest="$cache/versitygw-$VERSION/bin"
    if [[ -x "$dest/versitygw" ]]; then
        printf '%s\n' "$dest"
        return 0
    fi
    command -v go >/dev/null || die 3 "neither versitygw nor go is on PATH"
    # Parallel test workers and CI shards wait for one build instead of racing it.
    lock_cache_entry "$cache/versitygw-$VERSION"
    if [[ ! -x "$dest/versitygw" ]]; then
        prepare_go_build
        log "building github.com/versity/versitygw $VERSION into $dest (a few minutes when cold)"
        rm -rf "$dest.partial" && mkdir -p "$dest.partial"
        # `go install pkg@version` needs no go.mod of ours; -mod=readonly does not apply to it.
        (GOFLAGS=-trimpath GOBIN="$dest.partial" exec "${NICE[@]}" go install \
            "github.com/versity/versitygw/cmd/versitygw@$VERSION") >&2 &
        child=$!
        wait "$child" || rc=$?
        child=""
        ((rc == 0)) || die 1 "building versitygw failed (exit $rc)"
        rm -rf "$dest" && mv "$dest.partial" "$dest"
        log "built versitygw in $((SECONDS - t0))s"
    fi
    printf '%s\n' "$dest"
}

main "$@"
