#!/usr/bin/env bash
# Installs what this machine lacks for Pitwall, skipping what is present:
#   npm packages (npm ci), and the Debian packages of the servers (and, for tests, Chromium and Python's websockets
#   and msgpack for the independent protocol client). Installs Debian packages only as root; otherwise prints the
#   exact command and fails.
# usage: scripts/setup.sh [demo|test]   (default: demo)
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-demo}"

packages=(nats-server clickhouse-server clickhouse-client)
if [ "$profile" = test ]; then
  packages+=(chromium python3-websockets python3-msgpack)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${missing[*]} from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}"; }
  else
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# npm ci when node_modules is missing or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi
