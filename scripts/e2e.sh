#!/usr/bin/env bash
# The suites that need a real n8n: installs what they need (scripts/prepare-e2e.sh, unless `npm test` already
# did, KLINK_PREPARED=1), packs this package once, then runs, per n8n major, `npm run dev` as a user runs it,
# test/e2e with the packed package installed like a user does, and the trigger, action, queue and fault suites
# once more with n8n in queue mode (PostgreSQL, Redis, main, 2 webhook processes, 2 workers, nginx; ports
# KLINK_E2E_QUEUE_PORT_N8N1/2, default 5710 and 5720, each to + 8 and + 1000). Two workers take these jobs
# side by side (KLINK_E2E_WORKERS; KLINK_E2E_SERIAL=1 runs one at a time); each output line starts with its job.
# The fault suite of a major in KLINK_FAULTS_ALONE (default 2, scripts/lib.sh) is a job of its own, run after
# the others with nothing beside it.
# N8N_MAJORS="1" or "2" runs one line; results go to $KLINK_RESULTS_DIR, each step's seconds to its steps.tsv.
# The long runs are in `npm run soak` (scripts/soak.sh); these are their shorter versions, which still fail
# when the property breaks.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$root"
ensure_node_modules
majors=${N8N_MAJORS:-"1 2"}
export KLINK_RESULTS_DIR=${KLINK_RESULTS_DIR:-$KLINK_CACHE_DIR/results}
results=$KLINK_RESULTS_DIR
mkdir -p "$results"
[ "${KLINK_PREPARED:-}" = 1 ] || bash scripts/prepare-e2e.sh

export KLINK_PACKAGE_TARBALL=$(timed "build and pack" pack_package)
export KLINK_GO_SIGNER="$KLINK_CACHE_DIR/bin/klink-sign"

# The jobs, one n8n run each: `npm run dev`, test/e2e, and the queue-mode suites, per major.
job() {
  local kind=$1 major=$2
  case $kind in
    dev)
      N8N_MAJOR=$major timed "npm run dev, n8n $major.x" \
        npx jest --selectProjects dev --runInBand --json --outputFile="$results/dev-n8n$major.json" ;;
    e2e)
      N8N_MAJOR=$major KLINK_E2E_STATE="$results/state-n8n$major.json" \
        timed "e2e, n8n $major.x" env "${short_volume_env[@]}" npx jest --selectProjects e2e --runInBand --testPathIgnorePatterns 'queue(Faults)?\.e2e' \
          --json --outputFile="$results/e2e-n8n$major.json" ;;
    queue)
      local files=(test/e2e/trigger.e2e.test.ts test/e2e/action.e2e.test.ts test/e2e/queue.e2e.test.ts)
      faults_alone "$major" || files+=(test/e2e/queueFaults.e2e.test.ts)
      queue_mode "$major" queue "e2e in queue mode, n8n $major.x" "${files[@]}" ;;
    faults)
      queue_mode "$major" faults "fault suite in queue mode, n8n $major.x (alone)" test/e2e/queueFaults.e2e.test.ts ;;
  esac
}

# queue_mode MAJOR NAME STEP FILES...: jest on FILES against n8n MAJOR in queue mode; results in e2e-NAME-n8nMAJOR.
# The fault suite's sizes and late attempts: short_faults_env (scripts/lib.sh).
queue_mode() {
  local major=$1 name=$2 step=$3 port_var=KLINK_E2E_QUEUE_PORT_N8N$1
  shift 3
  N8N_MAJOR=$major KLINK_E2E_QUEUE=1 KLINK_E2E_PORT=${!port_var:-$(( 5700 + 10 * major ))} \
    KLINK_E2E_STATE="$results/state-$name-n8n$major.json" \
    timed "$step" env "${short_faults_env[@]}" npx jest "$@" --selectProjects e2e --runInBand --json --outputFile="$results/e2e-$name-n8n$major.json"
}

# Longest first (2.x is the slower line; queue mode then test/e2e then dev), so that the two workers end close
# together. Every job uses ports, folders and servers of its own, whatever runs beside it.
queue_file=$(mktemp)
for kind in queue e2e dev; do
  for major in $(echo "$majors" | tr ' ' '\n' | sort -r); do echo "$kind $major" >> "$queue_file"; done
done
# next_job: takes the first job off the queue (one worker at a time); prints nothing when it is empty.
next_job() {
  (
    flock 9
    head -n 1 "$queue_file"
    sed -i 1d "$queue_file"
  ) 9>"$queue_file.lock"
}
worker() {
  local status=0 next
  while next=$(next_job) && [ -n "$next" ]; do
    echo "=== $next.x"
    # Each line prefixed with its job, as it comes (CI shows progress; a job's own order is kept).
    ( set -o pipefail; job $next 2>&1 | sed -u "s/^/[$next.x] /" ) || status=1
  done
  return $status
}

workers=${KLINK_E2E_WORKERS:-2}
[ "${KLINK_E2E_SERIAL:-}" = 1 ] && workers=1
status=0
pids=()
for _ in $(seq "$workers"); do worker & pids+=($!); done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
rm -f "$queue_file" "$queue_file.lock"
for major in $(echo "$majors" | tr ' ' '\n' | sort -r); do
  faults_alone "$major" || continue
  echo "=== faults $major.x"
  ( set -o pipefail; job faults "$major" 2>&1 | sed -u "s/^/[faults $major.x] /" ) || status=1
done
exit $status
