#!/usr/bin/env bash
# Installs a pinned n8n (and, for 2.x, the Node 24 it needs) outside the repo, cached by version.
# Usage: install-n8n.sh 1|2
# An install is marked ready only after it has been checked (its Node runs, n8n's CLI starts under it, the native
# modules n8n needs load); a cached install that fails the check is rebuilt, then reinstalled, never trusted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
major=${1:?usage: install-n8n.sh 1|2}
mkdir -p "$KLINK_CACHE_DIR"
# One install of a major at a time (a test run and `npm run dev` may ask at once); the second waits, then checks.
exec 9>"$KLINK_CACHE_DIR/.install-n8n$major.lock"
flock 9

# `npm run …` exports the project's npm settings (its .npmrc says ignore-scripts=true) to every child process.
# These installs need install scripts (sqlite3's build, the node package's binary): drop every inherited
# npm setting and say so explicitly on each command as well.
while read -r name; do unset "$name"; done < <(env | sed -n 's/^\([Nn][Pp][Mm]_[Cc][Oo][Nn][Ff][Ii][Gg]_[^=]*\)=.*/\1/p')
npm_quiet=(--no-audit --no-fund --loglevel=error --ignore-scripts=false)

node24_dir="$KLINK_CACHE_DIR/node-$NODE24_VERSION"
node24="$node24_dir/node_modules/node/bin/node"

check_node24() {
  [ "$("$node24" --version 2>/dev/null)" = "v$NODE24_VERSION" ]
}

install_node24() {
  if [ -f "$node24_dir/.ready" ] && check_node24; then return; fi
  echo "installing Node $NODE24_VERSION into $node24_dir"
  rm -rf "$node24_dir" && mkdir -p "$node24_dir"
  (cd "$node24_dir" && echo '{"name":"node24-host","private":true}' > package.json \
    && npm install "${npm_quiet[@]}" "node@$NODE24_VERSION" >/dev/null)
  if ! check_node24; then echo "Node $NODE24_VERSION does not run after its install" >&2; exit 1; fi
  touch "$node24_dir/.ready"
}

case "$major" in
  1) version=$N8N_V1_VERSION; node_bin=$(command -v node); native=(sqlite3) ;;
  2) version=$N8N_V2_VERSION; install_node24; node_bin=$node24; native=(sqlite3 isolated-vm) ;;
  *) echo "unknown n8n major $major" >&2; exit 2 ;;
esac
dir="$KLINK_CACHE_DIR/n8n-$version"
bin_dir=$(dirname "$node_bin")
# Native addons must build against the Node that will run them (Node 24's own headers for 2.x).
# The headers ship in the node package's platform package, nested or hoisted depending on npm's layout.
if [ "$major" = 2 ]; then
  gypi=$(find "$node24_dir/node_modules" -path '*/node-linux-*/include/node/common.gypi' -print -quit)
  [ -n "$gypi" ] || { echo "Node $NODE24_VERSION's headers (common.gypi) are missing" >&2; exit 1; }
  export npm_config_nodedir=${gypi%/include/node/common.gypi}
elif [ -f "$(dirname "$bin_dir")/include/node/common.gypi" ]; then
  # The machine's Node ships its headers: build against them rather than have node-gyp download them (only
  # the package registries may be reachable).
  export npm_config_nodedir=$(dirname "$bin_dir")
fi

# The install works when n8n's CLI starts under the intended Node and every native module it needs loads there.
check_n8n() {
  local n8n="$dir/node_modules/n8n" probe out
  [ -f "$n8n/bin/n8n" ] || { echo "check: n8n's CLI is missing"; return 1; }
  for module in "${native[@]}"; do
    if ! out=$(cd "$n8n" && PATH="$bin_dir:$PATH" "$node_bin" -e \
      "require(require.resolve('$module', { paths: [process.cwd()] }))" 2>&1); then
      echo "check: $module does not load under $("$node_bin" --version): ${out##*$'\n'}"; return 1
    fi
  done
  probe=$(mktemp -d)
  out=$(cd "$probe" && PATH="$bin_dir:$PATH" N8N_USER_FOLDER="$probe" N8N_DIAGNOSTICS_ENABLED=false \
    timeout 120 "$node_bin" "$n8n/bin/n8n" --version 2>&1) || true
  rm -rf "$probe"
  if [ "${out##*$'\n'}" != "$version" ]; then echo "check: \`n8n --version\` printed: ${out: -300}"; return 1; fi
}

rebuild_native() {
  (cd "$dir" && PATH="$bin_dir:$PATH" npm rebuild "${npm_quiet[@]}" "${native[@]}")
}

# Installs n8n into $dir as it stands: from nothing, or over an interrupted or broken install (npm makes the
# tree whole again, which is much faster than starting over).
install_here() {
  cd "$dir"
  if [ "$major" = 1 ]; then
    echo '{ "name": "n8n-host", "private": true, "overrides": { "xlsx": "0.18.5" } }' > package.json
    npm install "${npm_quiet[@]}" "n8n@$version"
  else
    echo '{ "name": "n8n-host", "private": true, "overrides": { "xlsx": "0.18.5", "linkedom": "0.18.14" } }' > package.json
    # Kafka's install script downloads a binary: install without scripts (rebuild_native then builds the
    # native addons n8n needs).
    PATH="$bin_dir:$PATH" npm install --no-audit --no-fund --loglevel=error --ignore-scripts=true "n8n@$version"
  fi
}

if [ -f "$dir/.ready" ] && check_n8n; then echo "n8n $version already installed in $dir (checked)"; exit 0; fi
start=$(date +%s)
if [ -d "$dir/node_modules/n8n" ]; then
  echo "n8n $version in $dir is not ready or failed its check: repairing it"
  rm -f "$dir/.ready"
  if (install_here && rebuild_native) && check_n8n; then
    touch "$dir/.ready"; echo "n8n $version repaired and checked in $(( $(date +%s) - start )) s"; exit 0
  fi
  echo "repair did not help: reinstalling n8n $version from nothing"
fi

echo "installing n8n $version into $dir (several minutes on a new machine)"
rm -rf "$dir" && mkdir -p "$dir"
install_here
[ "$major" = 1 ] || rebuild_native
if ! check_n8n; then echo "n8n $version does not work after a fresh install" >&2; exit 1; fi
touch "$dir/.ready"
echo "n8n $version installed and checked in $(( $(date +%s) - start )) s"
