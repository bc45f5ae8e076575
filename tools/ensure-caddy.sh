#!/usr/bin/env bash
# Ensure Caddy (the ingress of the `acme` TLS provider: on-demand certificates from an ACME CA, each one allowed by
# the registry through tenantctl's ask endpoint) and print the directory that holds it:
#
#   "$(tools/ensure-caddy.sh)/caddy" version
#
# A `caddy` on PATH is used as it is (any v2 has on-demand TLS). Otherwise it is built with `go install` from
# github.com/caddyserver/caddy/v2, pinned below, into a cache outside the repository
# (${TENANTCTL_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantctl}/caddy-<version>/bin), as tools/ensure-pulumi.sh
# does for the engine; nothing binary is committed. Cold build time: tools/README.md.
# stdout is only the directory; progress goes to stderr. Exit codes: 0 ok, 3 neither caddy nor go, 1 build failed.
set -euo pipefail

VERSION=v2.11.9
MODULE=github.com/caddyserver/caddy/v2
TOOL=ensure-caddy
# log, die, tools_cache, lock_cache_entry, prepare_go_build
source "$(dirname -- "${BASH_SOURCE[0]}")/lib/go-build.sh"

main() {
    local existing dest
    if existing=$(command -v caddy 2>/dev/null); then
        dirname -- "$existing"
        return 0
    fi
    dest="$(tools_cache)/caddy-$VERSION/bin"
    if [[ -x "$dest/caddy" ]]; then
        printf '%s\n' "$dest"
        return 0
    fi
    command -v go >/dev/null 2>&1 || die 3 "neither caddy nor go is on PATH: Go >= 1.26 builds Caddy $VERSION"
    lock_cache_entry "$(dirname -- "$dest")"
    if [[ -x "$dest/caddy" ]]; then
        printf '%s\n' "$dest"
        return 0
    fi

    prepare_go_build
    # `go install pkg@version` builds outside any module: -mod=readonly does not apply there.
    export GOFLAGS="-buildvcs=false"
    local start=$SECONDS
    rm -rf -- "$dest.partial"
    mkdir -p -- "$dest.partial"
    log "building $MODULE $VERSION into $dest (a few minutes the first time)"
    GOBIN="$dest.partial" "${NICE[@]}" go install -trimpath "$MODULE/cmd/caddy@$VERSION" >&2 || die 1 "building Caddy failed"
    rm -rf -- "$dest"
    mv -- "$dest.partial" "$dest"
    log "done in $((SECONDS - start))s: $dest"
    printf '%s\n' "$dest"
}

main "$@"
