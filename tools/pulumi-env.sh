# Source me (bash): puts the pinned Pulumi toolchain on PATH and sets the
# environment the tests use for a local, offline Pulumi.
#
#   source tools/pulumi-env.sh            # state in a fresh temp dir
#   PULUMI_BACKEND_URL=file:///some/dir source tools/pulumi-env.sh
#
# Values already set in the environment win. Returns non-zero (and changes
# nothing) when the toolchain cannot be provided, e.g. because `go` is missing.

__tenantctl_tools_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
if __tenantctl_pulumi_bin=$("$__tenantctl_tools_dir/ensure-pulumi.sh"); then
    case ":$PATH:" in
        *":$__tenantctl_pulumi_bin:"*) ;;
        *) export PATH="$__tenantctl_pulumi_bin:$PATH" ;;
    esac
    export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="${PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION:-true}"
    export PULUMI_SKIP_UPDATE_CHECK="${PULUMI_SKIP_UPDATE_CHECK:-true}"
    if [ -z "${PULUMI_BACKEND_URL:-}" ]; then
        __tenantctl_state=$(mktemp -d "${TMPDIR:-/tmp}/tenantctl-pulumi-state.XXXXXX")
        export PULUMI_BACKEND_URL="file://$__tenantctl_state"
        unset __tenantctl_state
    fi
    export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-tenantctl-test-passphrase}"
    unset __tenantctl_tools_dir __tenantctl_pulumi_bin
else
    unset __tenantctl_tools_dir __tenantctl_pulumi_bin
    echo "pulumi-env.sh: Pulumi toolchain unavailable (see messages above)" >&2
    return 1 2>/dev/null || exit 1
fi
