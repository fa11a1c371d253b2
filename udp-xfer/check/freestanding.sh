#!/bin/sh
# SPDX-License-Identifier: MIT
# check-udp-xfer-freestanding: the engine as the VMM and the loader carry it.
#   1. libxfer (fs and efi) needs nothing from outside but memcpy, memset,
#      memmove, memcmp and strlen (DESIGN.md: the libraries' whole libc);
#   2. libxferlwip needs nothing but that, the engine and lwIP;
#   3. no SSE, AVX or x87 instruction in either (the VMM never saves the
#      guest's FPU state).
#
# usage: freestanding.sh BUILD
set -u
b=$1
fail=0
allowed="memcmp memcpy memmove memset strlen"

undefined() {   # archives... -> symbols they use and do not define among themselves
    if ! ld -r -o "$b/udp-xfer/fs-probe.o" --whole-archive "$@" --no-whole-archive; then
        echo "LINK-FAILED"
        return
    fi
    nm -u "$b/udp-xfer/fs-probe.o" | awk '{print $2}' | sort -u
}
mkdir -p "$b/udp-xfer"

for world in fs efi; do
    extra=$(undefined "$b/$world/lib/libxfer.a" | grep -vxF "$(echo $allowed | tr ' ' '\n')")
    if [ -n "$extra" ]; then
        echo "FAIL: udp-xfer ($world) needs more than $allowed:" $extra; fail=1
    else
        echo "ok: udp-xfer ($world) needs only: $(undefined "$b/$world/lib/libxfer.a" | tr '\n' ' ')"
    fi
done

lwip_defs=$(nm --defined-only "$b/fs/lib/liblwip.a" 2>/dev/null | awk 'NF==3 {print $3}' | sort -u)
extra=$(undefined "$b/fs/lib/libxferlwip.a" "$b/fs/lib/libxfer.a" |
        grep -vxF "$(printf '%s\n' $allowed $lwip_defs)")
if [ -n "$extra" ]; then
    echo "FAIL: udp-xfer lwIP binding (fs) needs more than lwIP and $allowed:" $extra; fail=1
else
    echo "ok: udp-xfer lwIP binding (fs) needs only lwIP and the libc subset"
fi

tests/freestanding/no-fpu.sh "udp-xfer (fs, efi)" "$b/fs/lib/libxfer.a" "$b/fs/lib/libxferlwip.a" \
    "$b/efi/lib/libxfer.a" || fail=1
exit $fail
