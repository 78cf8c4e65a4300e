#!/usr/bin/env bash
# Shows that the shorter suites `npm test` runs in place of soak's long ones still fail when the dedupe breaks.
# Copies HEAD's files to a temporary checkout, deletes the line where the trigger consults its record of started
# events (a retry of an event already started is then started again), packs that build and runs, against it,
# CI's volume suite (500 events, a restart, 400 resends) and the fault suite's round without a fault (each
# event retried on the other webhook process), at CI's sizes (short_volume_env, short_faults_env in lib.sh), on
# N8N_MAJORS (default "1": the quicker line; the check is the same on both). Exits 0 only when every one of them failed on its dedupe check; prints each failure's first
# lines. Its n8n ports (5791-5792, 5770-5788 and their + 1000) are apart from `npm test`'s and soak's.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
main=$root
majors=${N8N_MAJORS:-1}
copy=$(mktemp -d "${TMPDIR:-/tmp}/klink-break-dedupe.XXXXXX")
trap 'rm -rf "$copy"' EXIT
git -C "$main" archive HEAD | tar -x -C "$copy"
ln -s "$main/node_modules" "$copy/node_modules"

file=nodes/KlinkTrigger/seenEventsStore.ts
line="if (state.record.has(digest, now)) return { kind: 'started' };"
[ "$(grep -cF "$line" "$copy/$file")" = 1 ] || { echo "break-dedupe: the line to delete is not in $file once; update this script" >&2; exit 2; }
grep -vF "$line" "$main/$file" > "$copy/$file"
report=$copy/report.txt
{ echo "dedupe broken in the copy ($file):"; diff "$main/$file" "$copy/$file"; } | tee "$report"

. "$copy/scripts/lib.sh" # root is the copy from here on
cd "$root"
export KLINK_RESULTS_DIR=$copy/.results
mkdir -p "$KLINK_RESULTS_DIR"
N8N_MAJORS=$majors bash scripts/prepare-e2e.sh > "$KLINK_RESULTS_DIR/prepare.log" 2>&1 || { cat "$KLINK_RESULTS_DIR/prepare.log"; exit 2; }
export KLINK_PACKAGE_TARBALL
KLINK_PACKAGE_TARBALL=$(pack_package) || exit 2
export KLINK_GO_SIGNER="$KLINK_CACHE_DIR/bin/klink-sign"

# suite NAME PATTERN ENV... -- JEST ARGS...: runs one suite against the broken build (its jest report in
# NAME.json), then reads the report: the suite must have failed, on an assertion whose message matches PATTERN
# (the dedupe's, not a set-up failure).
status=0
suite() {
  local name=$1 pattern=$2 envs=()
  shift 2
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  echo "=== $name"
  env "${envs[@]}" npx jest --selectProjects e2e --runInBand --json --outputFile="$KLINK_RESULTS_DIR/$name.json" "$@" > "$KLINK_RESULTS_DIR/$name.log" 2>&1
  node -e '
    const fs = require("fs");
    const [file, name, pattern] = process.argv.slice(1);
    if (!fs.existsSync(file)) { console.log(`${name}: no report, the suite did not run`); process.exit(1); }
    const report = JSON.parse(fs.readFileSync(file, "utf8"));
    console.log(`${name}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
    let onDedupe = false;
    for (const result of report.testResults) {
      if (result.message && report.numFailedTests === 0) console.log(`  ${result.message.split("\n")[0]}`);
      for (const test of result.assertionResults.filter((t) => t.status === "failed")) {
        const text = test.failureMessages.join("\n").replace(/\x1b\[[0-9;]*m/g, "");
        onDedupe ||= new RegExp(pattern).test(text);
        const lines = text.split("\n").filter((l) => l.trim()).slice(0, 8);
        console.log(`  failed: ${test.title}\n    ${lines.join("\n    ")}`);
      }
    }
    if (!onDedupe) console.log(`  NOT what the broken dedupe should cause: no failure matching /${pattern}/`);
    process.exit(onDedupe ? 0 : 1);
  ' "$KLINK_RESULTS_DIR/$name.json" "$name" "$pattern" | tee -a "$report"
  [ "${PIPESTATUS[0]}" = 0 ] || status=1
}
for major in $majors; do
  # The 400 resends after the restart must all be answered "duplicate delivery".
  suite "volume-n8n$major" 'toHaveLength|doubled' N8N_MAJOR="$major" KLINK_E2E_PORT=$(( 5790 + major )) KLINK_E2E_STATE="$KLINK_RESULTS_DIR/state-n8n$major.json" \
    "${short_volume_env[@]}" -- test/e2e/volume.e2e.test.ts
  # Each event retried on the other webhook process must be answered as a duplicate.
  suite "faults-no-fault-n8n$major" 'duplicates|doubled' N8N_MAJOR="$major" KLINK_E2E_QUEUE=1 \
    KLINK_E2E_PORT=$(( 5760 + 10 * major )) KLINK_E2E_STATE="$KLINK_RESULTS_DIR/state-queue-n8n$major.json" \
    "${short_faults_env[@]}" -- test/e2e/queueFaults.e2e.test.ts -t 'no fault'
done
{ [ "$status" = 0 ] && echo "break-dedupe: every short suite failed on its dedupe check with the dedupe broken" \
  || echo "break-dedupe: a short suite did not fail on its dedupe check with the dedupe broken"; } | tee -a "$report"

page=$main/docs/results/break-dedupe.md
{
  echo "# The short suites with the dedupe broken"
  echo
  echo "Written by \`npm run break-dedupe\` on $(date -u +%Y-%m-%dT%H:%MZ) from commit $(git -C "$main" rev-parse --short HEAD), n8n $(echo "$majors" | sed "s/ /.x and /g").x; replaced by its next run, not edited by hand. What it does: [development.md](../development.md#soak-runs)."
  echo
  echo '```'
  cat "$report"
  echo '```'
} > "$page"
echo "written to $page"
exit $status
