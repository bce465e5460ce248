#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ for a bounded time and reports what each did.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 60; CI: scripts/fuzz.sh 15)
#
# Installs cargo-fuzz when it is missing, builds all targets once (libFuzzer and the
# address sanitizer need unstable flags: RUSTC_BOOTSTRAP=1 lets the stable toolchain pass
# them), then runs each target with -max_total_time and, as a backstop, `timeout`. Prints
# one summary line per target: executions, seconds, corpus size. Exits non-zero when any
# target crashed, failed an invariant, hung or could not run; the input that did it is in
# fuzz/artifacts/<target>/ and the log in fuzz/target/fuzz-logs/<target>.log.
#
# The seeds in fuzz/corpus/<target>/ are read, never written: what the fuzzer finds goes to
# fuzz/target/fuzz-corpus/<target>/ (ignored by git), which later runs start from.
# Environment: FUZZ_TARGETS="a b" runs only those; FUZZ_ARGS adds libFuzzer options;
# FUZZ_SEED=N fixes libFuzzer's random seed (CI does, so a failure there replays here with
# the same seed; unset, every run explores anew and prints its seed when something fails).
set -euo pipefail

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [SECONDS_PER_TARGET]" >&2
    exit 2
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz"
    cargo install --locked cargo-fuzz
fi

started=$(date +%s)
echo "building the fuzz targets"
cargo fuzz build
echo "built in $(($(date +%s) - started)) s"

targets="${FUZZ_TARGETS:-$(cargo fuzz list)}"
logs="$root/fuzz/target/fuzz-logs"
mkdir -p "$logs"
failed=0
summary=()

for target in $targets; do
    seeds="$root/fuzz/corpus/$target"
    corpus="$root/fuzz/target/fuzz-corpus/$target"
    artifacts="$root/fuzz/artifacts/$target"
    log="$logs/$target.log"
    mkdir -p "$corpus" "$seeds" "$artifacts"
    before=$(find "$artifacts" -type f | wc -l)
    echo "fuzzing $target for ${seconds} s"
    t0=$(date +%s)
    status=0
    # shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
    timeout --kill-after=30 $((seconds + 300)) \
        cargo fuzz run "$target" "$corpus" "$seeds" -- \
        -max_total_time="$seconds" -print_final_stats=1 -timeout=60 -rss_limit_mb=4096 \
        ${FUZZ_SEED:+-seed=$FUZZ_SEED} ${FUZZ_ARGS:-} >"$log" 2>&1 || status=$?
    elapsed=$(($(date +%s) - t0))
    after=$(find "$artifacts" -type f | wc -l)
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
    per_second=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
    corp=$(grep -o 'corp: [0-9]*/[0-9.]*[a-zA-Z]*' "$log" | tail -1 | cut -d' ' -f2 || true)
    files=$(find "$corpus" -type f | wc -l)
    result=ok
    if [[ $status -eq 124 || $status -eq 137 ]]; then
        result="HUNG (killed after $elapsed s)"
    elif [[ $status -ne 0 ]]; then
        result="CRASH (exit $status)"
    elif [[ $after -gt $before ]]; then
        result="CRASH (new artifact)"
    fi
    if [[ $result != ok ]]; then
        failed=1
        newest=$(ls -t "$artifacts" 2>/dev/null | head -1 || true)
        [[ -n $newest ]] && result="$result: fuzz/artifacts/$target/$newest"
        # What went wrong first (a CI log keeps only its tail), then how the run ended.
        echo "---- $target: what failed (libFuzzer $(grep -o 'INFO: Seed: [0-9]*' "$log" | head -1 || true))"
        grep -E -A6 'panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer|ERROR: LeakSanitizer|SUMMARY:' "$log" \
            | grep -v -E '^ +[0-9]+: |^ +at ' | head -40 || true
        echo "---- $target: last lines of $log"
        grep -v '^#[0-9]' "$log" | tail -15
        result="$result, $(grep -o 'INFO: Seed: [0-9]*' "$log" | head -1 | sed 's/INFO: Seed: /seed /' || true)"
    fi
    line=$(printf '%-12s execs=%-10s execs/s=%-7s seconds=%-5s corpus=%s (%s files in fuzz/target/fuzz-corpus) %s' \
        "$target" "${execs:-?}" "${per_second:-?}" "$elapsed" "${corp:-?}" "$files" "$result")
    echo "$line"
    summary+=("$line")
done

echo
echo "fuzz summary (${seconds} s per target, $(($(date +%s) - started)) s in all)"
printf '%s\n' "${summary[@]}"
if [[ $failed -ne 0 ]]; then
    echo "FAILED: at least one target crashed, failed an invariant or hung" >&2
    exit 1
fi
