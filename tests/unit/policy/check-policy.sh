#!/bin/sh
# SPDX-License-Identifier: MIT
# make check-policy: what the unit tests cannot see.
#   1. The library, as the VMM and the loader link it, calls nothing beyond
#      memcpy/memset/memmove/memcmp/strlen, holds no writable global state
#      (.data/.bss are empty; PIC's relocated constant tables are
#      .data.rel.ro), and has no SSE/x87 instruction.
#   2. docs/config.md shows docs/sleepmux.conf.example byte for byte.
#   3. sleepmux-config prints what tests/fixtures/policy/cli/ expects, and
#      exits 0 / 1 / 2 as documented.
#
# usage: check-policy.sh BUILD
set -u
b=$1
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

for w in fs efi; do
    lib=$b/$w/lib/libpolicy.a
    extra=$(nm -u "$lib" | awk 'NF == 2 {print $2}' | grep -v '^pol_' |
            grep -vxE 'memcpy|memset|memmove|memcmp|strlen|_GLOBAL_OFFSET_TABLE_' | sort -u | tr '\n' ' ' | sed 's/ *$//')
    [ -z "$extra" ] || bad "policy ($w) calls outside its libc subset: $extra"
    state=$(for o in "$b/$w"/policy/*.o; do
                objdump -h "$o" | awk -v o="${o##*/}" '($2 == ".data" || $2 == ".bss") && $3 !~ /^0+$/ {print o ":" $2}'
            done | tr '\n' ' ')
    [ -z "$state" ] || bad "policy ($w) has writable global state: $state"
    fpu=""
    tests/freestanding/no-fpu.sh "policy ($w)" "$lib" > "$b/policy-no-fpu-$w.txt" || { fpu=1; fail=1; }
    [ -z "$fpu" ] || cat "$b/policy-no-fpu-$w.txt"
    [ -n "$extra$state$fpu" ] || ok "policy ($w): only memcpy/memset/memcmp/strlen, no writable globals, no SSE/x87"
done

awk '/^This is `docs\/sleepmux.conf.example`/{f=1; next} f && /^```/{n++; if (n == 2) exit; next} f && n == 1' \
    docs/config.md > "$b/config-md-example.conf"
if cmp -s "$b/config-md-example.conf" docs/sleepmux.conf.example; then
    ok "docs/config.md shows docs/sleepmux.conf.example as it is"
else
    bad "docs/config.md's example differs from docs/sleepmux.conf.example:"
    diff "$b/config-md-example.conf" docs/sleepmux.conf.example | head -10 | sed 's/^/    /'
fi

tool=$b/bin/sleepmux-config
fx=tests/fixtures/policy
run() { # expected-exit expected-stdout-file expected-stderr-file args...
    want_rc=$1 want_out=$2 want_err=$3; shift 3
    "$tool" "$@" > "$b/cli.out" 2> "$b/cli.err"; rc=$?
    if [ $rc -ne "$want_rc" ]; then bad "sleepmux-config $*: exit $rc, expected $want_rc"; return; fi
    if ! cmp -s "$b/cli.out" "$want_out"; then
        bad "sleepmux-config $*: output differs from $want_out:"; diff "$want_out" "$b/cli.out" | head -8 | sed 's/^/    /'; return
    fi
    if ! cmp -s "$b/cli.err" "$want_err"; then
        bad "sleepmux-config $*: errors differ from $want_err:"; diff "$want_err" "$b/cli.err" | head -8 | sed 's/^/    /'; return
    fi
    ok "sleepmux-config $* (exit $rc)"
}
cd "$fx/cli"
run 0 example.out /dev/null check ../../../../docs/sleepmux.conf.example --ram 16G --now 2026-11-27T23:59
run 0 tftp.out /dev/null check ../good/tftp.conf --now 2028-02-28T23:59
run 1 /dev/null switch-typo.err check ../bad/switch-typo.conf
run 1 /dev/null memory-does-not-fit.err check ../good/tftp.conf --ram 16G
run 2 /dev/null missing.err check no-such.conf
run 2 /dev/null usage.err frobnicate
exit $fail
