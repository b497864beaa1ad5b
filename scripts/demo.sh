#!/usr/bin/env bash
# The demo (README's main job): installs what it needs, builds, and runs a
# fleet of sandbox nodes through an OS rollout and a failed one.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/demo/main.js "$@"
