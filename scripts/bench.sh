#!/usr/bin/env bash
# Benchmarks (never timed tests): prints ratios measured side by side in one run.
# BENCH_MAJORS="1 2" (default) chooses the n8n versions; BENCH_PORT_OFFSET moves every n8n port (5900-5999 by
# default); BENCH_CPU_PROF_DIR writes a CPU profile of each n8n there. The queue-mode benchmark (PostgreSQL,
# Redis, nginx and five n8n processes on ports 6100-6108 and 7102-7106, plus BENCH_PORT_OFFSET; about 10 minutes
# per major) needs Debian's postgresql, redis-server and nginx (installed as root if missing); BENCH_QUEUE=0
# skips it. Every run also writes its tables to docs/results/benchmarks.md (BENCH_RESULTS_MD to write elsewhere),
# replacing the previous run's; a benchmark that fails is named there and the others still run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$root"
ensure_node_modules
majors=${BENCH_MAJORS:-"1 2"}
queue=${BENCH_QUEUE:-1}
if [ "$queue" != 0 ] && ! bash scripts/ensure-system-deps.sh; then
  echo "(queue-mode benchmark skipped: PostgreSQL, Redis or nginx missing; see above)" >&2
  queue=0
fi
for major in $majors; do bash test/e2e/setup/install-n8n.sh "$major" >/dev/null; done
export KLINK_PACKAGE_TARBALL=$(pack_package)
npx tsc -p tsconfig.tools.json
results_md=${BENCH_RESULTS_MD:-docs/results/benchmarks.md}
BENCH_RESULTS_FILE=$(mktemp "${TMPDIR:-/tmp}/klink-bench-results.XXXXXX")
export BENCH_RESULTS_FILE
trap 'rm -f "$BENCH_RESULTS_FILE"' EXIT
failed=()
# bench NAME ARGS...: one benchmark program; a failure is recorded and the run goes on.
bench() {
  local name="$*"
  if ! node "build-tools/bench/$1.bench.js" "${@:2}"; then
    echo "(benchmark failed: $name)" >&2
    failed+=("$name")
  fi
}
echo "# n8n-nodes-klink benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, Node $(node --version)"
bench verify
for major in $majors; do
  bench triggerLatency "$major"
  if [ "$major" = 2 ]; then
    bench triggerLatency 2 legacy
    bench triggerLatency 2 lazy
  fi
  bench triggerLoad "$major"
  if [ "$major" = 2 ]; then
    bench triggerLoad 2 pool4
  fi
  bench actionThroughput "$major"
  if [ "$queue" != 0 ]; then bench queueLoad "$major"; fi
done
node build-tools/bench/writeResults.js "$BENCH_RESULTS_FILE" "$results_md" "$(IFS=,; echo "${failed[*]+${failed[*]}}")"
[ "${#failed[@]}" = 0 ]
