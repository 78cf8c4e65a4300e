#!/usr/bin/env bash
# The long runs, whose value is their length; `npm test` runs a shorter version of each. 48 minutes on a
# quiet 2-core machine: on each n8n line a volume burst of 3,000 events and five minutes of a steady inbox (with a
# restart and 400 resends), the queue-mode fault suite sending klink's third and fourth attempts at klink's own
# times (110 and 210 s after the first), and the queue-mode benchmark. Prints the same time table and total as
# `npm test`, and writes the figures the suites printed to docs/results/soak.md. SOAK_MAJORS="1 2" (default)
# chooses the lines; SOAK_BENCH=0 leaves out the benchmark.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$root"
started=$(date +%s)
export KLINK_RESULTS_DIR=${KLINK_RESULTS_DIR:-$KLINK_CACHE_DIR/results/soak-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$KLINK_RESULTS_DIR"
export KLINK_FIGURES_FILE="$KLINK_RESULTS_DIR/figures.md"
: > "$KLINK_FIGURES_FILE"
majors=${SOAK_MAJORS:-"1 2"}
ensure_node_modules
N8N_MAJORS=$majors timed "system packages, n8n installs, Go signer" bash scripts/prepare-e2e.sh || exit 1
export KLINK_PACKAGE_TARBALL=$(timed "build and pack" pack_package)
export KLINK_GO_SIGNER="$KLINK_CACHE_DIR/bin/klink-sign"

status=0
expected=()
jest_e2e() {
  local name=$1; shift
  expected+=("$name")
  echo "=== $name"
  timed "$name" npx jest --selectProjects e2e --runInBand --json --outputFile="$KLINK_RESULTS_DIR/$name.json" "$@" || status=1
}
for major in $majors; do
  # A steady inbox at a rate each line holds on 2 cores (2.x stores each execution before answering).
  rate=30; [ "$major" = 1 ] || rate=12
  N8N_MAJOR=$major KLINK_E2E_STATE="$KLINK_RESULTS_DIR/state-n8n$major.json" KLINK_VOLUME_EVENTS=3000 \
    jest_e2e "volume-3000-n8n$major" test/e2e/volume.e2e.test.ts
  N8N_MAJOR=$major KLINK_E2E_STATE="$KLINK_RESULTS_DIR/state-n8n$major.json" KLINK_VOLUME_EVENTS=$(( rate * 300 )) \
    KLINK_VOLUME_RATE=$rate KLINK_VOLUME_CONTROL=0 jest_e2e "steady-5min-n8n$major" test/e2e/volume.e2e.test.ts
  port_var=KLINK_E2E_QUEUE_PORT_N8N$major
  N8N_MAJOR=$major KLINK_E2E_QUEUE=1 KLINK_E2E_PORT=${!port_var:-$(( 5700 + 10 * major ))} \
    KLINK_E2E_STATE="$KLINK_RESULTS_DIR/state-queue-n8n$major.json" KLINK_FAULTS_LATE_ATTEMPTS_MS=110000,210000 KLINK_FAULTS_EVENTS=200 \
    jest_e2e "faults-n8n$major" test/e2e/queueFaults.e2e.test.ts
done
if [ "${SOAK_BENCH:-1}" != 0 ]; then
  npx tsc -p tsconfig.tools.json
  for major in $majors; do
    timed "queue benchmark, n8n $major.x" node build-tools/bench/queueLoad.bench.js "$major" | tee -a "$KLINK_RESULTS_DIR/bench.txt" || status=1
  done
fi

printf '%s\t%s\t%s\n' "whole soak" "$(( $(date +%s) - started ))" "$([ "$status" = 0 ] && echo ok || echo FAILED)" >> "$KLINK_RESULTS_DIR/steps.tsv"
node scripts/summarize-results.js "$KLINK_RESULTS_DIR" "${expected[*]}" "" | tee "$KLINK_RESULTS_DIR/summary.txt"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
page=docs/results/soak.md
mkdir -p "$(dirname "$page")"
{
  echo "# Soak results"
  echo
  echo "Written by \`npm run soak\` on $(date -u +%Y-%m-%dT%H:%MZ): $(nproc) cores, Node $(node --version), n8n $N8N_V1_VERSION and $N8N_V2_VERSION."
  echo "What each run is: [development.md](../development.md)."
  echo
  echo '```'
  cat "$KLINK_RESULTS_DIR/summary.txt"
  echo '```'
  echo
  cat "$KLINK_FIGURES_FILE"
  if [ -s "$KLINK_RESULTS_DIR/bench.txt" ]; then echo '```'; cat "$KLINK_RESULTS_DIR/bench.txt"; echo '```'; fi
} > "$page"
echo "figures written to $page"
exit $status
