#!/usr/bin/env bash
# The browser runs, each in headless Chromium against its own real `infohus serve` on a
# throwaway data dir:
#   e2e/lifecycle.mjs  a whole case life cycle clicked through the web UI (target/e2e/*.png);
#   e2e/agenda.mjs     a new referral screened into a case that lands on a meeting's agenda,
#                      then log-off and the session gone (target/e2e/agenda/);
#   e2e/axe.mjs        axe-core (WCAG 2.0/2.1 A and AA) on every main page as the role that
#                      uses it; fails on serious or critical violations
#                      (target/e2e/axe-report.json, target/e2e/axe/).
# Installs what it needs when it is missing: Debian's chromium, the pinned playwright-core and
# axe-core from e2e/package-lock.json (never a browser download), and the debug build of
# infohus. Each run is bounded (E2E_TIMEOUT_SECONDS inside, `timeout` outside, which also
# ends the server and browser it started); all three run, and any failure fails the script.
# `./scripts/e2e.sh agenda axe` runs only those.
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
  echo "e2e: installing playwright-core and axe-core from e2e/package-lock.json" >&2
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix e2e --no-audit --no-fund --loglevel=error
  echo "$lock_sum" >"$stamp"
fi

cargo build -p infohus --locked
export INFOHUS_BIN="${INFOHUS_BIN:-${CARGO_TARGET_DIR:-target}/debug/infohus}"

runs=("$@")
if [ ${#runs[@]} -eq 0 ]; then runs=(lifecycle agenda axe); fi
limit="${E2E_TIMEOUT_SECONDS:-300}"
failed=()
started=$SECONDS
for run in "${runs[@]}"; do
  case "$run" in
    lifecycle | agenda | axe) ;;
    *)
      echo "e2e: no such run: $run (lifecycle, agenda or axe)" >&2
      exit 2
      ;;
  esac
  echo "e2e: $run" >&2
  run_started=$SECONDS
  # The script stops itself after E2E_TIMEOUT_SECONDS; `timeout` is the backstop and signals
  # the whole process group (node, the server, Chromium).
  if timeout --kill-after=15 "$((limit + 30))" node "e2e/$run.mjs"; then
    echo "e2e: $run passed ($((SECONDS - run_started)) s)" >&2
  else
    echo "e2e: $run FAILED ($((SECONDS - run_started)) s)" >&2
    failed+=("$run")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "e2e: failed: ${failed[*]} ($((SECONDS - started)) s)" >&2
  exit 1
fi
echo "e2e: all passed: ${runs[*]} ($((SECONDS - started)) s)" >&2
