#!/usr/bin/env bash
# Starts a local n8n on 127.0.0.1 (sqlite, nothing else) with this package installed the way the Community
# Nodes panel installs it. N8N_MAJOR=2 for n8n 2.x; N8N_PORT to change the port (default 5678).
# N8N_QUEUE=1: n8n in queue mode instead (PostgreSQL, Redis, main, 2 webhook processes, 2 workers, nginx in
# front; Debian's packages, see scripts/ensure-system-deps.sh), on ports from KLINK_QUEUE_PORT (or N8N_PORT;
# default 5750, the front) to that + 8 and their + 1000.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
major=${N8N_MAJOR:-1}
mode=single
if [ "${N8N_QUEUE:-}" = 1 ] || [ "${N8N_QUEUE:-}" = true ]; then
  mode=queue
  port=${KLINK_QUEUE_PORT:-${N8N_PORT:-5750}}
  bash "$root/scripts/ensure-system-deps.sh"
else
  port=${N8N_PORT:-5678}
fi
ensure_node_modules
bash "$root/test/e2e/setup/install-n8n.sh" "$major"
tarball=$(pack_package)
cd "$root"
npx tsc -p tsconfig.tools.json
exec node build-tools/scripts/dev.js "$major" "$port" "$tarball" "$mode"
