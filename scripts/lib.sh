# Shared by the project's scripts: dependencies, build and the packed tarball n8n installs.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/test/e2e/setup/versions.sh"

ensure_node_modules() {
  if [ ! -d "$root/node_modules" ] || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Builds and packs the package; prints the tarball's path. Each checkout packs into a folder of its own, so two
# clones sharing one cache never install each other's build.
pack_package() {
  local out
  out="$KLINK_CACHE_DIR/pack/$(printf '%s' "$root" | cksum | cut -d' ' -f1)"
  rm -rf "$out" && mkdir -p "$out"
  (cd "$root" && npm run --silent build >&2 && npm pack --silent --pack-destination "$out" >/dev/null)
  ls "$out"/n8n-nodes-klink-*.tgz
}
