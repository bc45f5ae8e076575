#!/usr/bin/env bash
# The pinned Pulumi CLI for the job's next steps. A runner that already has it (`pulumi version` prints
# v$PULUMI_VERSION: a self-hosted runner, or the workflows run locally under act, see the README) uses its own and
# downloads nothing; any other runner installs that version from get.pulumi.com into ~/.pulumi/bin and puts it on
# the job's PATH through $GITHUB_PATH. Another version on PATH is not used: the version is pinned on purpose.
set -euo pipefail
: "${PULUMI_VERSION:?the workflow sets PULUMI_VERSION, the Pulumi CLI version to use}"

if have="$(pulumi version 2>/dev/null)" && [ "$have" = "v$PULUMI_VERSION" ]; then
  echo "Pulumi CLI $have already on PATH ($(command -v pulumi)): nothing to download"
  exit 0
fi
curl -fsSL https://get.pulumi.com | sh -s -- --version "$PULUMI_VERSION"
echo "$HOME/.pulumi/bin" >> "$GITHUB_PATH"
