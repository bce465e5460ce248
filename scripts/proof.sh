#!/usr/bin/env bash
# The long proofs, run before a release (the CI command `scripts/test.sh` runs the short
# versions of the same harness). Every step is bounded and stops itself; results land in
# target/proof/. Installs what it needs when missing, like scripts/test.sh.
#
#   scripts/proof.sh            # everything: ~1 h 15 min on the 2-core machine
#   PROOF_REFERRALS=100000 PROOF_LOAD_SECONDS=60 scripts/proof.sh   # a shorter rehearsal
set -euo pipefail
cd "$(dirname "$0")/.."

referrals="${PROOF_REFERRALS:-1000000}"
seconds="${PROOF_SECONDS:-10}"
load_seconds="${PROOF_LOAD_SECONDS:-300}"
kills="${PROOF_KILLS:-50}"
fuzz_seconds="${PROOF_FUZZ_SECONDS:-300}"
examples="${PROOF_EXAMPLES:-200}"
out=target/proof
mkdir -p "$out"

step() { printf '\n== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

step "release build"
cargo build --release --locked -p infohus -p infohus-bench

step "benchmark: $referrals referrals, ${seconds} s per figure"
target/release/infohus-bench run --referrals "$referrals" --seconds "$seconds" --json "$out/bench.json" | tee "$out/bench.md"

step "load and soak: 128 connections for ${load_seconds} s"
target/release/infohus-bench load --seconds "$load_seconds" --connections 128 --json "$out/load.json" | tee "$out/load.md"

step "crash safety: $kills kills during intake and reads, interrupted export and import"
INFOHUS_CRASH_KILLS="$kills" cargo nextest run -p infohus --locked --test crash --no-capture 2>&1 | tee "$out/crash.log"

step "schemathesis: $examples examples per operation"
scripts/schemathesis.sh "$examples" 2>&1 | tee "$out/schemathesis.log"

step "fuzzing: ${fuzz_seconds} s per target"
scripts/fuzz.sh "$fuzz_seconds" 2>&1 | tee "$out/fuzz.log"

step "demo data for the browser scan: every hour of a week"
INFOHUS_DEMO_SWEEP_HOURS="${PROOF_DEMO_HOURS:-168}" cargo nextest run -p infohus --locked the_scanned_demo 2>&1 | tee "$out/demo-sweep.log"

step "browser: walk-throughs and the accessibility scan"
scripts/e2e.sh 2>&1 | tee "$out/e2e.log"

step "done: results in $out/"
