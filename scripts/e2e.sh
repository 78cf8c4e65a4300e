#!/usr/bin/env bash
# The suites that need a real n8n: installs what they need (scripts/prepare-e2e.sh, unless `npm test` already
# did, KLINK_PREPARED=1), runs `npm run dev` as a user would, then packs this package once, installs it like a
# user does and runs test/e2e once per n8n major, then the trigger, action, queue and fault suites once more per
# major with n8n in queue mode (PostgreSQL, Redis, main, 2 webhook processes, 2 workers, nginx; ports
# KLINK_E2E_QUEUE_PORT_N8N1/2, default 5710 and 5720, each to + 8 and + 1000). N8N_MAJORS="1" or "2" runs one
# of them; results go to $KLINK_RESULTS_DIR, each step's seconds to its steps.tsv. The long runs are in
# `npm run soak` (scripts/soak.sh); these are their shorter versions, which still fail when the property breaks.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$root"
ensure_node_modules
majors=${N8N_MAJORS:-"1 2"}
export KLINK_RESULTS_DIR=${KLINK_RESULTS_DIR:-$KLINK_CACHE_DIR/results}
results=$KLINK_RESULTS_DIR
mkdir -p "$results"
[ "${KLINK_PREPARED:-}" = 1 ] || bash scripts/prepare-e2e.sh

status=0
for major in $majors; do
  echo "=== npm run dev on n8n $major.x"
  N8N_MAJOR=$major timed "npm run dev, n8n $major.x" \
    npx jest --selectProjects dev --runInBand --json --outputFile="$results/dev-n8n$major.json" || status=1
done

export KLINK_PACKAGE_TARBALL=$(timed "build and pack" pack_package)
export KLINK_GO_SIGNER="$KLINK_CACHE_DIR/bin/klink-sign"

# Shorter than soak's: 500 events still show a doubled or lost event, and the dedupe record across a restart.
volume_events=${KLINK_VOLUME_EVENTS:-500}
for major in $majors; do
  echo "=== e2e on n8n $major.x (volume suite: $volume_events events)"
  N8N_MAJOR=$major KLINK_E2E_STATE="$results/state-n8n$major.json" KLINK_VOLUME_EVENTS=$volume_events \
    timed "e2e, n8n $major.x" npx jest --selectProjects e2e --runInBand --testPathIgnorePatterns 'queue(Faults)?\.e2e' \
      --json --outputFile="$results/e2e-n8n$major.json" || status=1
done

for major in $majors; do
  echo "=== e2e in queue mode on n8n $major.x"
  port_var=KLINK_E2E_QUEUE_PORT_N8N$major
  # The fault suite's bursts: 100 events with a fault, 250 without (soak: 200 and 500); klink's last retry of an
  # event still unanswered after the quick attempts comes 220 s after the burst began, here at 90 s.
  N8N_MAJOR=$major KLINK_E2E_QUEUE=1 KLINK_E2E_PORT=${!port_var:-$(( 5700 + 10 * major ))} \
    KLINK_E2E_STATE="$results/state-queue-n8n$major.json" KLINK_FAULTS_LAST_RETRY_MS=${KLINK_FAULTS_LAST_RETRY_MS:-90000} \
    KLINK_FAULTS_EVENTS=${KLINK_FAULTS_EVENTS:-100} \
    timed "e2e in queue mode, n8n $major.x" npx jest test/e2e/trigger.e2e.test.ts test/e2e/action.e2e.test.ts \
      test/e2e/queue.e2e.test.ts test/e2e/queueFaults.e2e.test.ts \
      --selectProjects e2e --runInBand --json --outputFile="$results/e2e-queue-n8n$major.json" || status=1
done
exit $status
