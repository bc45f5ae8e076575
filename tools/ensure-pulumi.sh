#!/usr/bin/env bash
# Ensure a pinned Pulumi toolchain is available and print its bin directory.
#
#   export PATH="$(tools/ensure-pulumi.sh):$PATH"
#
# * If a `pulumi` CLI is already on PATH, print its directory and do nothing
#   else (set TENANTCTL_PULUMI_FROM_SOURCE=1 to build ours anyway).
# * Otherwise build, from Go modules (tools/pulumi/*, go.sum committed), into a
#   cache outside the repository:
#     ${TENANTCTL_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantctl}/pulumi-v3.248.0-<hash>/bin
#   holding pulumi, pulumi-language-nodejs (+ .libexec/), pulumi-resource-pulumi-nodejs
#   and pulumi-resource-postgresql. A warm run only hashes a few files (~0.05 s).
# * Progress goes to stderr; on success stdout is ONLY the bin directory.
# * Exit codes: 0 ok, 3 `go` missing, 1 build failure.
#
# Knobs: TENANTCTL_TOOLS_CACHE (cache root), TENANTCTL_PULUMI_FROM_SOURCE=1,
# TENANTCTL_SKIP_POSTGRESQL=1 (CLI + nodejs only; separate cache entry).
# See tools/README.md.
set -euo pipefail

# Everything lives in functions and runs from the last line, so that editing
# this file while a (long) build is running cannot break the running build.

PULUMI_VERSION=v3.248.0
# Bump when the build recipe below changes in a way that must invalidate caches.
RECIPE=4

TOOL=ensure-pulumi
# log, die, tools_cache, lock_cache_entry, prepare_go_build, go_build
source "$(dirname -- "${BASH_SOURCE[0]}")/lib/go-build.sh"

# Cache key: every go.mod/go.sum/.go/.json input under tools/pulumi + recipe.
hash_inputs() { # hash_inputs SRC WITH_PG
    (
        cd -- "$1"
        printf 'recipe=%s version=%s postgresql=%s\n' "$RECIPE" "$PULUMI_VERSION" "$2"
        find . -type f \( -name go.mod -o -name go.sum -o -name '*.go' -o -name '*.json' \) -print |
            LC_ALL=C sort | while IFS= read -r f; do
                printf '%s %s\n' "$f" "$(sha256sum <"$f" | cut -c1-64)"
            done
    ) | sha256sum | cut -c1-12
}

complete() { # complete BINDIR NAMES...
    local dir=$1 b
    shift
    for b in "$@" .libexec/pulumi-language-nodejs; do [[ -x "$dir/$b" ]] || return 1; done
    [[ -f "$dir/.complete" ]]
}

main() {
    local existing
    if [[ "${TENANTCTL_PULUMI_FROM_SOURCE:-}" != 1 ]] && existing=$(command -v pulumi 2>/dev/null); then
        dirname -- "$existing"
        return 0
    fi

    local tools_dir src with_pg=1 key suffix="" cache_root dest bin
    tools_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
    src="$tools_dir/pulumi"
    [[ -f "$src/cli/go.mod" ]] || die 1 "missing $src/cli/go.mod"
    [[ "${TENANTCTL_SKIP_POSTGRESQL:-}" == 1 ]] && with_pg=0

    key=$(hash_inputs "$src" "$with_pg")
    [[ $with_pg == 0 ]] && suffix="-nopg"
    cache_root=$(tools_cache)
    dest="$cache_root/pulumi-$PULUMI_VERSION-$key$suffix"
    bin="$dest/bin"

    local want=(pulumi pulumi-language-nodejs pulumi-resource-pulumi-nodejs)
    [[ $with_pg == 1 ]] && want+=(pulumi-resource-postgresql)

    if complete "$bin" "${want[@]}"; then
        printf '%s\n' "$bin"
        return 0
    fi

    command -v go >/dev/null 2>&1 ||
        die 3 "'go' not found on PATH: Go >= 1.25 is needed to build the Pulumi toolchain (or put a pulumi CLI on PATH)"

    lock_cache_entry "$dest"
    if complete "$bin" "${want[@]}"; then
        printf '%s\n' "$bin"
        return 0
    fi

    local work="$dest/bin.partial" gen="$dest/gen"
    rm -rf -- "$work" "$gen"
    mkdir -p -- "$work/.libexec" "$gen"

    prepare_go_build

    local start=$SECONDS lh_version
    log "building Pulumi $PULUMI_VERSION toolchain into $bin (first run takes several minutes)"

    go_build "pulumi $PULUMI_VERSION" "$src/cli" "$work/pulumi" \
        -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
        github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

    # The Node.js language host proper goes to .libexec/; bin/pulumi-language-nodejs
    # is our wrapper that passes it the Pulumi.yaml runtime options as flags.
    lh_version=$(cd -- "$src/language-nodejs" && go list -m -f '{{.Version}}' github.com/pulumi/pulumi/sdk/v3)
    go_build "pulumi-language-nodejs ($lh_version)" "$src/language-nodejs" "$work/.libexec/pulumi-language-nodejs" \
        -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$lh_version" \
        github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
    go_build "pulumi-language-nodejs wrapper" "$src/language-nodejs" "$work/pulumi-language-nodejs" \
        ./cmd/pulumi-language-nodejs

    # The plugin the CLI starts for pulumi.dynamic.Resource (pulumi ships it in
    # sdk/nodejs/dist): runs @pulumi/pulumi's dynamic provider host, resolved
    # from the plugin's working directory (the program directory / the CWD).
    cat >"$work/pulumi-resource-pulumi-nodejs" <<'EOF'
#!/bin/sh
PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH=$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))")
if [ -n "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" ]; then
    exec node "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" "$@"
fi
exit 1
EOF
    chmod 0755 "$work/pulumi-resource-pulumi-nodejs"

    if [[ $with_pg == 1 ]]; then
        local embed="$src/postgresql/cmd/pulumi-resource-postgresql/schema-embed.json"
        go_build "postgresql schema generator" "$src/postgresql" "$gen/gen-schema" ./cmd/gen-schema
        log "generating postgresql schema ..."
        "$gen/gen-schema" "$gen/schema-embed.json" 2>"$gen/gen-schema.log" ||
            { cat "$gen/gen-schema.log" >&2; die 1 "generating the postgresql schema failed"; }
        printf '{"Replace":{"%s":"%s"}}\n' "$embed" "$gen/schema-embed.json" >"$gen/overlay.json"
        go_build "pulumi-resource-postgresql" "$src/postgresql" "$work/pulumi-resource-postgresql" \
            -overlay "$gen/overlay.json" ./cmd/pulumi-resource-postgresql
        rm -f -- "$gen/gen-schema"
    fi

    date -u +%FT%TZ >"$work/.complete"
    rm -rf -- "$bin"
    mv -- "$work" "$bin"
    log "done in $((SECONDS - start))s: $bin"
    printf '%s\n' "$bin"
}

main "$@"; exit $?
