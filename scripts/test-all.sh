#!/usr/bin/env bash
# Every check CI runs, in order: servers, types, lint, the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-servers.sh
echo "== typecheck"
npx tsc --noEmit -p .
echo "== lint"
npx biome ci .
echo "== tests (unit and integration)"
mkdir -p .tmp
status=0
npx vitest run --reporter=default --reporter=json --outputFile=.tmp/vitest-results.json || status=$?
node -e '
const r = JSON.parse(require("fs").readFileSync(".tmp/vitest-results.json", "utf8"));
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' || true
exit $status
