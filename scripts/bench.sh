#!/usr/bin/env bash
# Benchmarks (never timed tests): prints ratios measured side by side in one run.
# BENCH_MAJORS="1 2" (default) chooses the n8n versions; BENCH_PORT_OFFSET moves every n8n port (5900-5999 by
# default); BENCH_CPU_PROF_DIR writes a CPU profile of each n8n there. The queue-mode benchmark (PostgreSQL,
# Redis, nginx and five n8n processes on ports 6100-6108 and 7102-7106, plus BENCH_PORT_OFFSET; about 10 minutes
# per major) needs Debian's postgresql, redis-server and nginx (installed as root if missing); BENCH_QUEUE=0
# skips it.
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
echo "# n8n-nodes-klink benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, Node $(node --version)"
node build-tools/bench/verify.bench.js
for major in $majors; do
  node build-tools/bench/triggerLatency.bench.js "$major"
  if [ "$major" = 2 ]; then
    node build-tools/bench/triggerLatency.bench.js 2 legacy
    node build-tools/bench/triggerLatency.bench.js 2 lazy
  fi
  node build-tools/bench/triggerLoad.bench.js "$major"
  if [ "$major" = 2 ]; then
    node build-tools/bench/triggerLoad.bench.js 2 pool4
  fi
  node build-tools/bench/actionThroughput.bench.js "$major"
  if [ "$queue" != 0 ]; then node build-tools/bench/queueLoad.bench.js "$major"; fi
done
