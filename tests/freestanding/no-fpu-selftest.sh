#!/bin/sh
# SPDX-License-Identifier: MIT
# no-fpu.sh can fail: every kind of instruction it must refuse is refused
# on its own, and what it must let through passes.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
try() {   # want(ok|FAIL) instruction
    printf '.text\n%s\n' "$2" > "$tmp/t.s"
    as --64 -o "$tmp/t.o" "$tmp/t.s"
    if tests/freestanding/no-fpu.sh t "$tmp/t.o" > /dev/null; then got=ok; else got=FAIL; fi
    [ "$got" = "$1" ] || { echo "FAIL: no-fpu.sh says $got for '$2', should say $1"; fail=1; }
}
for i in 'addsd %xmm1,%xmm0' 'movaps %xmm6,(%rsp)' 'vaddps %ymm1,%ymm2,%ymm3' 'vmovdqu64 %zmm1,(%rax)' \
         'kmovw %k1,%eax' 'paddb %mm1,%mm0' 'fld1' 'fnstcw (%rax)' 'fldcw (%rax)' 'fxsave (%rax)' 'fwait' \
         'fstp %st(1)' 'emms' 'ldmxcsr (%rax)' 'stmxcsr (%rax)' 'vzeroupper' 'xsave (%rax)' 'xrstor (%rax)' \
         'movq %rax,%xmm0'; do
    try FAIL "$i"
done
for i in 'mov %rax,%rbx' 'rep stosb' 'lfence' 'mfence' 'sfence' 'clflush (%rax)' 'movnti %eax,(%rbx)' \
         'prefetcht0 (%rax)' 'lock addl $1,(%rax)' 'add %r8,%r9'; do
    try ok "$i"
done
[ $fail = 1 ] || echo "ok: no-fpu.sh refuses 19 kinds of x87/MMX/SSE/AVX instruction and passes 10 general ones"
exit $fail
