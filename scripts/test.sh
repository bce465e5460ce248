#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, every unit, property and
# integration test on SQLite, then the whole suite again on a throwaway
# PostgreSQL cluster (every test that opens a database opens a fresh PostgreSQL one).
# Installs what the tests need when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo-nextest >/dev/null 2>&1; then
  echo "cargo-nextest not found: installing it" >&2
  cargo install --locked cargo-nextest
fi

if ! command -v pg_virtualenv >/dev/null 2>&1 || ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  echo "PostgreSQL not found: installing it from Debian's packages" >&2
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql postgresql-common >/dev/null
fi

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo nextest run --workspace --locked --no-fail-fast
./scripts/e2e.sh

# The generated calendar files, checked by a second, independent parser (Python's
# icalendar from PyPI, installed into a project-local virtualenv when missing).
if [ ! -x .tools/venv/bin/python ]; then
  python3 -m venv .tools/venv
fi
if ! .tools/venv/bin/python -c "import icalendar, dateutil, tzdata" >/dev/null 2>&1; then
  .tools/venv/bin/pip install --quiet --disable-pip-version-check icalendar python-dateutil tzdata
fi
rm -rf target/ics && mkdir -p target/ics
INFOHUS_ICS_OUT="$PWD/target/ics" cargo nextest run -p infohus-web --locked --no-fail-fast -E 'test(writes_samples_for_the_external_check)'
.tools/venv/bin/python scripts/check-ics.py target/ics/*.ics

# The proof harness, short versions (scripts/proof.sh runs the long ones before a release):
# every operation of the OpenAPI document through schemathesis with the four checks, every
# fuzz target for a few seconds, and the benchmark and the load run at small sizes. The last
# two run the debug build here: in CI they prove the harness works and the load run's
# zero-error and flat-memory rules hold; the figures in BENCHMARKS.md come from release builds.
# Both run with fixed seeds, so that a CI run is repeatable and a failure replays with the
# same command; scripts/proof.sh and runs by hand draw new seeds, which is where new
# failures are looked for (the schemathesis seed is one that found a real bug, kept as a
# regression run).
SCHEMATHESIS_SEED="${CI_SCHEMATHESIS_SEED:-279530840}" scripts/schemathesis.sh "${CI_SCHEMATHESIS_EXAMPLES:-25}"
FUZZ_SEED="${CI_FUZZ_SEED:-1}" scripts/fuzz.sh "${CI_FUZZ_SECONDS:-10}"
mkdir -p target/proof
cargo build --locked -p infohus -p infohus-bench
target/debug/infohus-bench run --referrals 5000 --reads-per-referral 3 --seconds 1 --clients 1,32 \
  --json target/proof/bench-ci.json
# 30 s is too short for the database caches to fill (they may grow to 32 MB per connection),
# so here memory may at most double; the 5-minute run of scripts/proof.sh allows 25 %.
target/debug/infohus-bench load --seconds 30 --connections 128 --referrals 2000 --max-rss-growth 1.0 \
  --json target/proof/load-ci.json

# pg_virtualenv makes a throwaway cluster (loopback only), exports PGHOST/PGPORT/PGUSER/
# PGPASSWORD/PGDATABASE, runs the command and drops the cluster again. -t: allowed as root.
pg_virtualenv -t sh -c \
  'INFOHUS_TEST_POSTGRES="postgres://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDATABASE" cargo nextest run --workspace --locked --no-fail-fast'
