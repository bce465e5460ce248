#!/usr/bin/env bash
# The browser walk-through (e2e/lifecycle.mjs): a whole case life cycle clicked through the
# web UI in headless Chromium against a real `infohus serve` on a throwaway data dir, with a
# full-page screenshot of each step in target/e2e/. Installs what it needs when it is
# missing: Debian's chromium, the pinned playwright-core (never a browser download), and the
# debug build of infohus.
set -euo pipefail
cd "$(dirname "$0")/.."

chromium_bin="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium_bin" ]; then
  echo "Chromium not found at $chromium_bin: installing Debian's chromium" >&2
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  chromium_bin=/usr/bin/chromium
fi
export CHROMIUM="$chromium_bin"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "e2e: Node.js not found: installing Debian's nodejs and npm" >&2
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

# npm ci when the packages are missing or the lock file changed since they were installed.
lock_sum="$(sha256sum e2e/package-lock.json | cut -d' ' -f1)"
stamp=e2e/node_modules/.infohus-lock-sha256
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  echo "e2e: installing playwright-core from e2e/package-lock.json" >&2
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix e2e --no-audit --no-fund --loglevel=error
  echo "$lock_sum" >"$stamp"
fi

cargo build -p infohus --locked
export INFOHUS_BIN="${INFOHUS_BIN:-${CARGO_TARGET_DIR:-target}/debug/infohus}"

node e2e/lifecycle.mjs
