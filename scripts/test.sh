#!/usr/bin/env bash
# The whole test suite, as CI runs it: lint, types, unit tests, then the end-to-end suites in real n8n 1.x
# and 2.x. Ends with one line "N passed, N failed" summing every jest run.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$root"
started=$(date +%s)
export KLINK_RESULTS_DIR=${KLINK_RESULTS_DIR:-$KLINK_CACHE_DIR/results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$KLINK_RESULTS_DIR"
ensure_node_modules || exit 1

status=0
step() { echo; echo "### $*"; "$@" || status=1; }
step npm run --silent lint
step npm run --silent typecheck
step npx jest --selectProjects unit --json --outputFile="$KLINK_RESULTS_DIR/unit.json"
step bash scripts/e2e.sh

node -e '
const fs = require("fs"), path = require("path");
const dir = process.argv[1];
let passed = 0, failed = 0;
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json") && !f.startsWith("state"))) {
  const r = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
  passed += r.numPassedTests; failed += r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
  console.log(`${file}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
}
console.log(`total: ${passed} passed, ${failed} failed`);
' "$KLINK_RESULTS_DIR" > "$KLINK_RESULTS_DIR/summary.txt"
echo
echo "test suite took $(( $(date +%s) - started )) s"
cat "$KLINK_RESULTS_DIR/summary.txt"
exit $status
