#!/usr/bin/env bash
# Benchmarks (never timed tests): prints ratios measured side by side in one run.
# BENCH_MAJORS="1 2" (default) chooses the n8n versions; BENCH_PORT_OFFSET moves every n8n port (5900-5999 by
# default); BENCH_CPU_PROF_DIR writes a CPU profile of each n8n there.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$root"
ensure_node_modules
majors=${BENCH_MAJORS:-"1 2"}
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
done
