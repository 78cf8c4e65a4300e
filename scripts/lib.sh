# Shared by the project's scripts: dependencies, build and the packed tarball n8n installs.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/test/e2e/setup/versions.sh"

ensure_node_modules() {
  if [ ! -d "$root/node_modules" ] || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Builds and packs the package once per change of its sources; prints the tarball's path. Each checkout packs
# into a folder of its own, so two clones sharing one cache never install each other's build.
pack_package() {
  local out hash
  out="$KLINK_CACHE_DIR/pack/$(printf '%s' "$root" | cksum | cut -d' ' -f1)"
  hash=$(cd "$root" && find nodes credentials icons package.json package-lock.json tsconfig.json tsconfig.build.json gulpfile.js \
    -type f ! -name '*.test.ts' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
  mkdir -p "$KLINK_CACHE_DIR/pack"
  (
    # One build at a time per checkout (a test run and `npm run dev` may ask at once).
    flock 9
    if [ "$(cat "$out/.sources" 2>/dev/null)" != "$hash" ] || ! ls "$out"/n8n-nodes-klink-*.tgz >/dev/null 2>&1; then
      rm -rf "$out" && mkdir -p "$out"
      (cd "$root" && npm run --silent build >&2 && npm pack --silent --pack-destination "$out" >/dev/null)
      echo "$hash" > "$out/.sources"
    fi
    ls "$out"/n8n-nodes-klink-*.tgz
  ) 9>"$out.lock"
}

# timed NAME CMD...: runs CMD and adds "NAME<TAB>seconds<TAB>ok|FAILED" to $KLINK_RESULTS_DIR/steps.tsv, the
# time table `npm test` prints at its end (scripts/summarize-results.js). Returns CMD's status.
timed() {
  local name=$1 t0 rc=0
  shift
  t0=$(date +%s)
  "$@" || rc=$?
  if [ -n "${KLINK_RESULTS_DIR:-}" ]; then
    mkdir -p "$KLINK_RESULTS_DIR"
    printf '%s\t%s\t%s\n' "$name" "$(( $(date +%s) - t0 ))" "$([ "$rc" = 0 ] && echo ok || echo FAILED)" >> "$KLINK_RESULTS_DIR/steps.tsv"
  fi
  return "$rc"
}

# The n8n majors whose queue-mode fault suite runs by itself, after every other e2e job (KLINK_FAULTS_ALONE,
# default "2"): on 2 cores, n8n 2.x in queue mode under the suite's bursts left events unanswered when another
# job's n8n and browser ran beside it (n8n's own Webhook node too). What the suite measures is the faults, not
# the neighbour. n8n 1.x answers before it stores, does less per request, and runs its suite beside the others.
faults_alone() {
  local major=$1
  [[ " ${KLINK_FAULTS_ALONE-2} " == *" $major "* ]]
}

# The sizes of `npm test`'s shorter versions of soak's long runs, for scripts/e2e.sh and the check that they
# still fail when the dedupe breaks (scripts/break-dedupe.sh). Volume: 500 events still show a doubled or lost
# event, and the dedupe record across a restart; without the burst to n8n's Webhook node beside it (that
# comparison is a benchmark figure, soak's and bench's). Fault suite: bursts of 100 events with a fault, 300
# without (soak: 200 and 500); an event still unanswered after the quick attempts gets klink's third and fourth
# attempts 110 and 210 s after its first, here at 90 and 120 s: still after a dead process's 60 s claim.
short_volume_env=(KLINK_VOLUME_EVENTS="${KLINK_VOLUME_EVENTS:-500}" KLINK_VOLUME_CONTROL="${KLINK_VOLUME_CONTROL:-0}")
short_faults_env=(KLINK_FAULTS_EVENTS="${KLINK_FAULTS_EVENTS:-100}" KLINK_FAULTS_LATE_ATTEMPTS_MS="${KLINK_FAULTS_LATE_ATTEMPTS_MS:-90000,120000}")
