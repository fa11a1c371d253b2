#!/bin/sh
# SPDX-License-Identifier: MIT
# The one "no SSE/x87" rule, for everything that runs in the VMM or the
# loader: the VMM never saves the guest's FPU, MMX, SSE or AVX state, so no
# instruction that reads or writes that state may appear in its code (nor in
# the libraries it links). An instruction is refused when
#   - an operand is an x87, MMX, SSE, AVX or AVX-512 register
#     (%st, %st(N), %mmN, %xmmN, %ymmN, %zmmN, %kN);
#   - its mnemonic is x87 (every x87 mnemonic starts with f: fld, fnstcw,
#     fxsave, fwait ...; no general-purpose one does) or wait;
#   - it touches that state without naming a register: emms, femms,
#     [v]ldmxcsr, [v]stmxcsr, vzeroupper, vzeroall, xsave*, xrstor*.
# Fences, prefetches, clflush and movnti use no such state and pass.
#
# usage: no-fpu.sh LABEL FILE...   (objects, archives or ELF images)
# Prints one ok/FAIL line (FAIL with the first offenders); exit 1 on FAIL.
set -eu
label=$1; shift
hits=$(objdump -d --no-show-raw-insn "$@" | awk -F'\t' '
    NF < 2 { next }
    {
        n = split($2, w, /[ ,]+/)
        i = 1
        while (i < n && w[i] ~ /^(rep|repz|repnz|repe|repne|lock|data16|addr32|notrack|bnd|cs|ds|es|ss|fs|gs|rex(\..*)?)$/) i++
        m = w[i]
        if (m ~ /^f/ || m == "wait" || m ~ /^(emms|femms|v?ldmxcsr|v?stmxcsr|vzeroupper|vzeroall|xsave.*|xrstor.*)$/ ||
            $2 ~ /%(st|st\([0-7]\)|mm[0-7]|[xyz]mm[0-9]+|k[0-7])([,)]|$)/)
            print $1 "\t" $2
    }' | head -5)
if [ -n "$hits" ]; then
    echo "FAIL: $label: FPU/MMX/SSE/AVX instructions:"
    echo "$hits" | sed 's/^/    /'
    exit 1
fi
echo "ok: $label: no x87, MMX, SSE or AVX instruction"
