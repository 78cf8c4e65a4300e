#!/usr/bin/env bash
# The whole test suite, as CI runs it: lint, types, unit tests, then `npm run dev` and the end-to-end suites in
# real n8n 1.x and 2.x. What those need from outside (Debian's packages, both n8n lines, the Go signer) is
# installed in the background meanwhile. Ends with a time table (one line per step and per test file) and one
# line "total: N passed, N failed" that counts every suite the run meant to execute: a suite that never started
# or wrote no result counts as failed, by name.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$root"
started=$(date +%s)
export KLINK_RESULTS_DIR=${KLINK_RESULTS_DIR:-$KLINK_CACHE_DIR/results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$KLINK_RESULTS_DIR"
majors=${N8N_MAJORS:-"1 2"}

status=0
failed_steps=()
# run NAME COUNTED CMD...: COUNTED=no for steps whose outcome is already in jest result files (a missing file
# counts there), so a failure is never counted twice.
run() {
  local name=$1 counted=$2; shift 2
  echo; echo "### $name"
  local t0; t0=$(date +%s)
  if timed "$name" "$@"; then echo "### $name: ok ($(( $(date +%s) - t0 )) s)"; return; fi
  status=1
  [ "$counted" = yes ] && failed_steps+=("$name")
  echo "### $name: FAILED ($(( $(date +%s) - t0 )) s)"
}
step() { run "$1" yes "${@:2}"; }
suites() { run "$1" no "${@:2}"; }

# Downloads first, side by side: the project's dependencies, and what the e2e suites need.
N8N_MAJORS=$majors bash scripts/prepare-e2e.sh > "$KLINK_RESULTS_DIR/prepare.log" 2>&1 &
prepare=$!
step "npm ci" ensure_node_modules
step lint npm run --silent lint
step typecheck npm run --silent typecheck
suites "unit tests" npx jest --selectProjects unit --json --outputFile="$KLINK_RESULTS_DIR/unit.json"
echo; echo "### system packages, n8n installs and the Go signer (beside the steps above)"
if wait "$prepare"; then prepared=1; else prepared=0; status=1; failed_steps+=("system packages, n8n installs, Go signer"); fi
cat "$KLINK_RESULTS_DIR/prepare.log"
if [ "$prepared" = 1 ]; then
  export KLINK_PREPARED=1
  suites "dev command and e2e" bash scripts/e2e.sh
fi

expected=(unit)
for major in $majors; do
  expected+=("dev-n8n$major" "e2e-n8n$major" "e2e-queue-n8n$major")
  faults_alone "$major" && expected+=("e2e-faults-n8n$major")
done
echo
echo "test suite took $(( $(date +%s) - started )) s"
printf '%s\t%s\t%s\n' "whole test suite" "$(( $(date +%s) - started ))" "$([ "$status" = 0 ] && echo ok || echo FAILED)" >> "$KLINK_RESULTS_DIR/steps.tsv"
node scripts/summarize-results.js "$KLINK_RESULTS_DIR" "${expected[*]}" "$(IFS=,; echo "${failed_steps[*]+${failed_steps[*]}}")" \
  | tee "$KLINK_RESULTS_DIR/summary.txt"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
exit $status
