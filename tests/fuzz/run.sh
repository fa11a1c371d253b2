#!/bin/sh
# SPDX-License-Identifier: MIT
# Run libFuzzer targets for a bounded time each.
#
#   run.sh --seconds N TARGET...
#
# Target T is build/fuzz/bin/T. Its corpus grows in build/fuzz/corpus/T,
# seeded from tests/fuzz/seeds/T (committed) and build/fuzz/seeds/T (made at
# build time, e.g. from compiled fixtures). A crash, leak or timeout fails
# the run; the input that caused it is kept in build/fuzz/artifacts/T/.
set -u
secs=15
[ "${1:-}" = "--seconds" ] && { secs=$2; shift 2; }
[ $# -gt 0 ] || { echo "fuzz: no targets registered"; exit 0; }
b=${SMX_BUILD:-build}
fail=""
for t in "$@"; do
    bin="$b/fuzz/bin/$t"
    corpus="$b/fuzz/corpus/$t" art="$b/fuzz/artifacts/$t"
    mkdir -p "$corpus" "$art"
    seeds=""
    for d in "tests/fuzz/seeds/$t" "$b/fuzz/seeds/$t"; do [ -d "$d" ] && seeds="$seeds $d"; done
    log="$b/fuzz/$t.log"
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$art/" "$corpus" $seeds > "$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1)
    if [ $rc -eq 0 ]; then
        echo "ok: fuzz $t: ${runs:-?} runs in ${secs}s, $cov, corpus $(ls "$corpus" | wc -l)"
    else
        echo "FAIL: fuzz $t (exit $rc); reproducer in $art/, log $log:"
        grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/    /'
        fail="$fail $t"
    fi
done
[ -z "$fail" ]
