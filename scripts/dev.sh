#!/usr/bin/env bash
# Starts a local n8n on 127.0.0.1 (sqlite, nothing else) with this package installed the way the Community
# Nodes panel installs it. N8N_MAJOR=2 for n8n 2.x; N8N_PORT to change the port (default 5678).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
major=${N8N_MAJOR:-1}
port=${N8N_PORT:-5678}
ensure_node_modules
bash "$root/test/e2e/setup/install-n8n.sh" "$major"
tarball=$(pack_package)
cd "$root"
npx tsc -p tsconfig.tools.json
exec node build-tools/scripts/dev.js "$major" "$port" "$tarball"
