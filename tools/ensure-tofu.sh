#!/usr/bin/env bash
# Ensure a pinned OpenTofu + PostgreSQL provider (the peer that bench/peer compares tenantctl with) and print the
# directory that holds them.
#
#   dir=$(tools/ensure-tofu.sh)
#   TF_CLI_CONFIG_FILE=$dir/tofurc "$dir/bin/tofu" init     # works offline
#
# Built from Go modules, like tools/ensure-pulumi.sh, into a cache outside the repository:
#   ${TENANTCTL_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantctl}/tofu-v1.12.6-pg-v1.27.0-r<recipe>/
#     bin/tofu                    github.com/opentofu/opentofu v1.12.6, ./cmd/tofu
#     mirror/registry.opentofu.org/cyrilgdn/postgresql/1.27.0/linux_amd64/terraform-provider-postgresql_v1.27.0
#                                 github.com/cyrilgdn/terraform-provider-postgresql v1.27.0 (the same Terraform
#                                 provider our pulumi-resource-postgresql bridges), as an unpacked filesystem mirror
#     tofurc                      CLI config: that mirror only, no registry access (so `tofu init` works offline)
#
# `go install github.com/opentofu/opentofu/cmd/tofu@v1.12.6` is refused (its go.mod has a `replace`), so the module
# source is downloaded with `go mod download -json` and built in its own directory with its own go.mod/go.sum
# (-mod=readonly: nothing is edited). A cold build takes ~4.5 min on 2 cores; a warm run prints the directory at once.
# stdout is only the directory; progress goes to stderr. Exit codes: 0 ok, 3 `go` missing, 1 build failure.
set -euo pipefail

TOFU_VERSION=v1.12.6
PG_PROVIDER_VERSION=v1.27.0
# Bump when the recipe below changes in a way that must invalidate the cache.
RECIPE=1

TOOL=ensure-tofu
# log, die, tools_cache, lock_cache_entry, prepare_go_build, go_build
source "$(dirname -- "${BASH_SOURCE[0]}")/lib/go-build.sh"

# module_dir MODULE@VERSION: the read-only source directory of a module in GOMODCACHE (downloaded if needed).
module_dir() {
    local json
    json=$(go mod download -json "$1") || die 1 "go mod download $1 failed"
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json" | head -n1
}

main() {
    local cache_root dest
    cache_root=$(tools_cache)
    dest="$cache_root/tofu-$TOFU_VERSION-pg-$PG_PROVIDER_VERSION-r$RECIPE"
    if [[ -f "$dest/.complete" ]]; then
        printf '%s\n' "$dest"
        return 0
    fi
    command -v go >/dev/null 2>&1 || die 3 "'go' not found on PATH: Go >= 1.26 is needed to build OpenTofu"

    lock_cache_entry "$dest"
    if [[ -f "$dest/.complete" ]]; then
        printf '%s\n' "$dest"
        return 0
    fi

    prepare_go_build

    local start=$SECONDS work="$dest/partial" tofu_src pg_src platform mirror_dir
    rm -rf -- "$work"
    mkdir -p -- "$work/bin"
    log "building OpenTofu $TOFU_VERSION and terraform-provider-postgresql $PG_PROVIDER_VERSION into $dest"

    tofu_src=$(module_dir "github.com/opentofu/opentofu@$TOFU_VERSION")
    [[ -f "$tofu_src/cmd/tofu/main.go" ]] || die 1 "no cmd/tofu in $tofu_src"
    # version.dev=no: a release build reports "OpenTofu v1.12.6", not "-dev".
    go_build "tofu $TOFU_VERSION" "$tofu_src" "$work/bin/tofu" \
        -ldflags "-X github.com/opentofu/opentofu/version.dev=no" ./cmd/tofu

    pg_src=$(module_dir "github.com/cyrilgdn/terraform-provider-postgresql@$PG_PROVIDER_VERSION")
    platform="$(go env GOOS)_$(go env GOARCH)"
    # Unpacked mirror layout: HOSTNAME/NAMESPACE/TYPE/VERSION/TARGET/terraform-provider-TYPE_vVERSION
    mirror_dir="$work/mirror/registry.opentofu.org/cyrilgdn/postgresql/${PG_PROVIDER_VERSION#v}/$platform"
    mkdir -p -- "$mirror_dir"
    go_build "terraform-provider-postgresql $PG_PROVIDER_VERSION" "$pg_src" \
        "$mirror_dir/terraform-provider-postgresql_$PG_PROVIDER_VERSION" .

    # Only the mirror: `tofu init` never tries a registry (there is no internet here, and a bench must not depend on it).
    cat >"$work/tofurc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$dest/mirror"
    include = ["registry.opentofu.org/cyrilgdn/postgresql"]
  }
}
disable_checkpoint = true
EOF
    date -u +%FT%TZ >"$work/.complete"
    rm -rf -- "$dest/bin" "$dest/mirror" "$dest/tofurc"
    mv -- "$work/bin" "$work/mirror" "$work/tofurc" "$dest/"
    mv -- "$work/.complete" "$dest/.complete"
    rmdir -- "$work"
    log "done in $((SECONDS - start))s: $dest"
    printf '%s\n' "$dest"
}

main "$@"
exit $?
