# Sourced (bash) by tools/ensure-*.sh: what each of them needs to build a pinned Go tool into the tools cache, once.
# The sourcing script sets TOOL first: the name its messages start with (`ensure-pulumi: building …`).
# Only functions and one variable: sourcing it runs nothing.

log() { printf '%s: %s\n' "$TOOL" "$*" >&2; }
die() { # die CODE MESSAGE...
    local code=$1
    shift
    printf '%s: error: %s\n' "$TOOL" "$*" >&2
    exit "$code"
}

# The cache outside the repository that every tool is built into.
tools_cache() { printf '%s\n' "${TENANTCTL_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantctl}"; }

# lock_cache_entry DEST: one builder at a time per cache entry (parallel test workers, CI shards); the others wait,
# then find it built. The lock is fd 9, held until the script exits.
lock_cache_entry() {
    mkdir -p -- "$1"
    exec 9>"$1/.lock"
    if command -v flock >/dev/null 2>&1 && ! flock -n 9; then
        log "another build of $1 is running; waiting for it"
        flock 9
    fi
}

child=""
on_exit() { if [[ -n $child ]]; then kill "$child" 2>/dev/null || true; fi; }

# prepare_go_build: go.mod/go.sum as committed (-mod=readonly: never edited here), no workspace, builds at a lower
# priority, and a build in flight stopped when the script is interrupted (test timeout, Ctrl-C) instead of orphaned.
prepare_go_build() {
    export GOFLAGS="-mod=readonly -buildvcs=false"
    export GOWORK=off
    NICE=()
    command -v nice >/dev/null 2>&1 && NICE=(nice -n 10)
    trap on_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# go_build LABEL DIR OUT [go build args...]: `go build -trimpath -o OUT args` in DIR (a module), timed, logged.
go_build() {
    local label=$1 dir=$2 out=$3 t0=$SECONDS rc=0
    shift 3
    log "building $label ..."
    # In the background and waited for, so that the EXIT trap can stop it.
    (cd -- "$dir" && exec "${NICE[@]}" go build -trimpath -o "$out" "$@") >&2 &
    child=$!
    wait "$child" || rc=$?
    child=""
    ((rc == 0)) || die 1 "building $label failed (in $dir, exit $rc)"
    log "built $label in $((SECONDS - t0))s"
}
