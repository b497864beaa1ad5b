#!/usr/bin/env bash
# The test command (README): installs what it needs, builds, runs every test
# against the real components, and ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
mkdir -p .tmp
npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest-report.json "$@"
status=$?
node scripts/test-summary.mjs .tmp/vitest-report.json || status=1
exit $status
