#!/usr/bin/env bash
# What the suites in a real n8n need from outside the repo, installed once per run: Debian's packages (Go,
# Chromium, PostgreSQL, Redis, nginx), each pinned n8n line (with Node 24 for 2.x; both side by side) and the
# Go signer klink's requests are signed with, the installs beside Debian's packages. `npm test` runs this in
# the background beside lint, typecheck and the unit tests. N8N_MAJORS="1" or "2" installs one line.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$root"
majors=${N8N_MAJORS:-"1 2"}
results=${KLINK_RESULTS_DIR:-$KLINK_CACHE_DIR/results}
mkdir -p "$results" "$KLINK_CACHE_DIR/bin"

# The n8n installs need only Node and the machine's compiler, not Debian's packages: all three side by side.
pids=()
for major in $majors; do
  timed "install n8n $major.x" bash test/e2e/setup/install-n8n.sh "$major" > "$results/install-n8n$major.log" 2>&1 &
  pids+=($!)
done
status=0
if timed "system packages" bash scripts/ensure-system-deps.sh; then
  timed "Go signer" bash -c 'cd test/go && GOFLAGS=-mod=mod go build -o "$1" ./cmd/sign' _ "$KLINK_CACHE_DIR/bin/klink-sign" || status=1
else
  status=1
fi
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
cat "$results"/install-n8n*.log
exit $status
