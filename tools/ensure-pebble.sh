#!/usr/bin/env bash
# Ensure Pebble (Let's Encrypt's test ACME CA) and pebble-challtestsrv (its mock DNS) and print the directory that
# holds them:
#
#   PEBBLE_DIR="$(tools/ensure-pebble.sh)"   # $PEBBLE_DIR/bin/{pebble,pebble-challtestsrv}, $PEBBLE_DIR/certs/
#
# Built with `go install` from github.com/letsencrypt/pebble/v2, pinned below, into a cache outside the repository
# (${TENANTCTL_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantctl}/pebble-<version>/), as tools/ensure-pulumi.sh
# does for the engine; nothing binary is committed. certs/ holds the TLS certificate Pebble's own HTTPS endpoint
# serves (cert.pem/key.pem, for `localhost` and 127.0.0.1) and the CA that signed it (pebble.minica.pem), copied from
# the module: clients of the ACME directory trust that CA. A cold build takes ~70 s here (see tools/README.md).
# stdout is only the directory; progress goes to stderr. Exit codes: 0 ok, 3 no go, 1 build failed.
set -euo pipefail

VERSION=v2.10.3
MODULE=github.com/letsencrypt/pebble/v2
TOOL=ensure-pebble
# log, die, tools_cache, lock_cache_entry, prepare_go_build
source "$(dirname -- "${BASH_SOURCE[0]}")/lib/go-build.sh"

complete() { [[ -x "$1/bin/pebble" && -x "$1/bin/pebble-challtestsrv" && -f "$1/certs/pebble.minica.pem" && -f "$1/.complete" ]]; }

main() {
    local dest
    dest="$(tools_cache)/pebble-$VERSION"
    if complete "$dest"; then
        printf '%s\n' "$dest"
        return 0
    fi
    command -v go >/dev/null 2>&1 || die 3 "'go' not found on PATH: Go >= 1.24 is needed to build Pebble"
    lock_cache_entry "$dest"
    if complete "$dest"; then
        printf '%s\n' "$dest"
        return 0
    fi

    prepare_go_build
    # `go install pkg@version` builds outside any module: -mod=readonly does not apply there.
    export GOFLAGS="-buildvcs=false"
    local start=$SECONDS work="$dest/partial" module_dir
    rm -rf -- "$work"
    mkdir -p -- "$work/bin" "$work/certs"
    log "building $MODULE $VERSION into $dest"
    GOBIN="$work/bin" "${NICE[@]}" go install -trimpath "$MODULE/cmd/pebble@$VERSION" "$MODULE/cmd/pebble-challtestsrv@$VERSION" >&2 ||
        die 1 "building Pebble failed"
    module_dir=$(go mod download -json "$MODULE@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [[ -d "$module_dir/test/certs" ]] || die 1 "Pebble's test certificates not found in the module ($module_dir)"
    cp -- "$module_dir/test/certs/localhost/cert.pem" "$module_dir/test/certs/localhost/key.pem" \
        "$module_dir/test/certs/pebble.minica.pem" "$work/certs/"
    chmod 0644 "$work/certs/"*
    date -u +%FT%TZ >"$work/.complete"
    rm -rf -- "$dest/bin" "$dest/certs" "$dest/.complete"
    mv -- "$work/bin" "$work/certs" "$work/.complete" "$dest/"
    rmdir -- "$work"
    log "done in $((SECONDS - start))s: $dest"
    printf '%s\n' "$dest"
}

main "$@"
