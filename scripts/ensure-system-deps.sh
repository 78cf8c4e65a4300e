#!/usr/bin/env bash
# System packages the tests use, from Debian's registry: Go (to sign requests exactly as klink's Go sender
# does), Chromium (the editor test), and PostgreSQL, Redis and nginx for n8n's queue mode (test/e2e/harness/
# queueTopology.ts starts each as a plain process of its own, on its own port and data folder). Installs only
# what is missing; never downloads a browser of its own. Debian starts the services it installs: they are
# stopped and disabled again, so nothing holds the default ports or keeps running.
set -euo pipefail
missing=()
command -v go >/dev/null 2>&1 || missing+=(golang-go)
[ -x /usr/bin/chromium ] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing system packages: ${missing[*]} (install them with apt-get as root)" >&2
  exit 1
fi
echo "installing ${missing[*]} from Debian"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
# The services Debian may have started (and enabled) on this install: the project runs its own instances.
for service in "${missing[@]}"; do
  case $service in postgresql | redis-server | nginx) ;; *) continue ;; esac
  [ -x "/etc/init.d/$service" ] || continue
  service "$service" stop >/dev/null 2>&1 || true
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now "$service" >/dev/null 2>&1 || true
  else
    update-rc.d "$service" disable >/dev/null 2>&1 || true
  fi
done
