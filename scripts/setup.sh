#!/usr/bin/env bash
# Installs what holdfast needs on Debian/Ubuntu (Node 20+ must already be there), then
# installs and builds the project. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_node_major=20
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt "$need_node_major" ]; then
  echo "holdfast needs Node.js $need_node_major or newer (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# Debian packages: binary to check -> package that provides it. Chromium runs the browser
# tests (playwright-core drives /usr/bin/chromium; no browser is ever downloaded);
# redis-server runs the shared-state tests (each starts its own on loopback).
declare -A packages=([rtpengine]=rtpengine-daemon [sipp]=sip-tester [docker-compose]=docker-compose [chromium]=chromium [redis-server]=redis-server)
missing=()
for bin in "${!packages[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("${packages[$bin]}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
