#!/bin/sh
# SPDX-License-Identifier: MIT
# The freestanding world holds: a probe that links LZ4, lwIP and BearSSL the
# way vmm.elf is linked needs from outside only what the VMM provides, and no
# freestanding object contains SSE or x87 instructions (the VMM never saves
# the guest's FPU state, so it must not touch it).
#
# usage: check.sh BUILD PROBE_OBJ PROVIDER_ARCHIVES -- THIRD_PARTY_ARCHIVES
set -eu
build=$1 probe=$2; shift 2
providers=""
while [ "$1" != "--" ]; do providers="$providers $1"; shift; done
shift
tp="$*"
# Each probe gets its own work folder, named after it.
work=$build/fs/tests/freestanding/$(basename "$probe" .o)
mkdir -p "$work"
fail=0

# 1. What the probe plus third-party code leaves undefined...
ld -r -o "$work/partial.o" "$probe" --start-group $tp --end-group
nm -u "$work/partial.o" | awk '{print $2}' | sort -u > "$work/needed.txt"
# ...must all be defined by the VMM's own runtime.
nm --defined-only $providers 2>/dev/null | awk 'NF==3 && $2 ~ /[TDBRW]/ {print $3}' | sort -u > "$work/provided.txt"
extra=$(comm -23 "$work/needed.txt" "$work/provided.txt")
if [ -n "$extra" ]; then
    echo "FAIL: third-party code needs symbols the VMM does not provide:"; echo "$extra" | sed 's/^/    /'
    fail=1
else
    echo "ok: third-party code needs only what the VMM provides: $(tr '\n' ' ' < "$work/needed.txt")"
fi

# 2. The whole thing links as a VMM image with nothing undefined.
ld -nostdlib -static -z max-page-size=4096 -T vmm/vmm.ld -o "$work/probe.elf" \
    "$probe" --start-group $tp $providers --end-group
undef=$(nm -u "$work/probe.elf")
entry=$(readelf -h "$work/probe.elf" | awk '/Entry point/{print $4}')
machine=$(readelf -h "$work/probe.elf" | awk -F: '/Machine/{gsub(/^ +/,"",$2); print $2}')
if [ -n "$undef" ]; then
    echo "FAIL: probe.elf has undefined symbols: $undef"; fail=1
elif [ "$machine" != "Advanced Micro Devices X86-64" ] || [ "${entry#0xffffffff8}" = "$entry" ]; then
    echo "FAIL: probe.elf is not an x86-64 image in the top 2 GiB (machine=$machine entry=$entry)"; fail=1
else
    echo "ok: probe.elf links like vmm.elf: x86-64, entry $entry, $(stat -c %s "$work/probe.elf") bytes, nothing undefined"
fi

# 3. No SSE/AVX/x87 in any freestanding object (the one rule: no-fpu.sh).
tests/freestanding/no-fpu.sh probe.elf "$work/probe.elf" || fail=1
exit $fail
