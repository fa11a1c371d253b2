#!/bin/sh
# SPDX-License-Identifier: MIT
# make check-acpi-sleep: the library stays freestanding-clean, and
# sleepmux-acpi gives the right verdict on real and built fixtures, through
# each of its inputs (acpidump text, acpixtract's files, a directory).
#
# usage: check.sh BUILD
set -u
b=$1
tool=$b/bin/sleepmux-acpi
fix=tests/fixtures/acpi-sleep
fail=0
ok() { echo "ok: acpi-sleep: $*"; }
bad() { echo "FAIL: acpi-sleep: $*"; fail=1; }

# 1. In the VMM's world the library needs nothing but what DESIGN.md allows.
for w in fs efi; do
    lib=$b/$w/lib/libacpisleep.a
    own=$(nm --defined-only "$lib" | awk 'NF==3 {print $3}' | sort -u)
    extra=$(nm -u "$lib" | awk '{print $2}' | sort -u | grep -vxF "$own" | grep . | grep -vxE 'memcpy|memset|memmove|memcmp|strlen')
    need=$(nm -u "$lib" | awk '{print $2}' | sort -u | grep . | grep -vxF "$own" | tr '\n' ' ')
    if [ -n "$extra" ]; then bad "$w build needs $(echo $extra)"; else ok "$w build needs only ${need% }"; fi
    # Everything the library exports carries its owner's prefix (issue 14).
    unprefixed=$(nm --defined-only -g "$lib" | awk 'NF==3 {print $3}' | sort -u | grep -v '^acpi_')
    if [ -n "$unprefixed" ]; then bad "$w build exports unprefixed $(echo $unprefixed)"; else ok "$w build exports only acpi_* names"; fi
    # The project's one no-FPU rule (tests/freestanding/no-fpu.sh).
    tests/freestanding/no-fpu.sh "acpi-sleep: $w build" "$lib" || fail=1
done

# 2. The tool: verdict and exit status per input.
run() {     # run WANT_STATUS WANT_LINE ARGS...
    want=$1 line=$2; shift 2
    out=$("$tool" "$@" 2>&1); st=$?
    if [ $st -ne "$want" ]; then
        bad "sleepmux-acpi $*: exit $st, expected $want"; echo "$out" | sed 's/^/    /' | tail -20
    elif ! printf '%s\n' "$out" | grep -qF -- "$line"; then
        bad "sleepmux-acpi $*: no line \"$line\""; echo "$out" | sed 's/^/    /' | tail -20
    else
        ok "sleepmux-acpi $(echo "$*" | sed "s|$b/||g"): $line"
    fi
}
run 0 "S3  SLP_TYPa=1 SLP_TYPb=1" $fix/q35/acpidump.txt
run 0 "Verdict: sleepmux can run here" $fix/pc/acpidump.txt
run 1 "no S3: switching on hibernate/shut-down only (the firmware offers no \\_S3_)" $fix/q35-nos3/acpidump.txt
tmp=$(mktemp -d)
(cd "$tmp" && acpixtract -a "$OLDPWD/$fix/q35/acpidump.txt" >/dev/null 2>&1)
run 0 "PM1a_CNT       I/O    0x604" "$tmp"
run 0 "S5  SLP_TYPa=0 SLP_TYPb=0" "$tmp"/dsdt.dat "$tmp"/facp.dat "$tmp"/facs.dat
# acpidump text as hardware databases keep it: no addresses, a warning first.
{ echo "Firmware Warning (ACPI): Invalid length for FADT/Pm1aControlBlock: 32, using default 16 (20230628/tbfadt-674)"
  sed 's/^\(....\) @ 0x[0-9A-Fa-f]*/\1 @ 0x0000000000000000/' $fix/q35/acpidump.txt; } > "$tmp/noaddr.txt"
run 0 "it has no usable addresses, so they are laid out synthetically" "$tmp/noaddr.txt"
run 0 "S3  SLP_TYPa=1 SLP_TYPb=1" "$tmp/noaddr.txt"
printf '\377\376\375\374%0296d' 0 > "$tmp/DSDT"     # 300 bytes that are no table
run 2 "input: DSDT: not an ACPI table (its first bytes ff fe fd fc are not a table signature); left out" "$tmp"/DSDT "$tmp"/facp.dat "$tmp"/facs.dat
run 2 "Error: DSDT: cannot read its header at 0x3f779000 (the input has no DSDT)" "$tmp"/DSDT "$tmp"/facp.dat "$tmp"/facs.dat
rm -rf "$tmp"
run 0 "SLEEP_CONTROL  memory 0xfe000100" $b/fixtures/acpi-sleep/hw-reduced
run 3 "\\_S3_ depends on firmware data not read here: the If at DSDT+0x83 reads \\SS3E" $b/fixtures/acpi-sleep/conditional
run 3 "Verdict: uncertain" $b/fixtures/acpi-sleep/pred-firmware
run 3 "\\_S3_ depends on firmware data: the If at DSDT+0x6a reads \\DAS3, a field of OperationRegion GNVS (SystemMemory 0x7ffe8000+0x10, 8 bits)" $b/fixtures/acpi-sleep/pred-firmware
run 1 "no S3: switching on hibernate/shut-down only (its definition (DSDT+0x3d) is behind an If that is false at load time)" $b/fixtures/acpi-sleep/pred-const
run 1 "S3  not supported: its definition (DSDT+0x4f) is behind an If that is false at load time" $b/fixtures/acpi-sleep/pred-nested
run 0 "PM1b_CNT       I/O    0x504" $b/fixtures/acpi-sleep/pm1b
run 1 "the dump has no FACS (FACS: the one the FADT names at 0x7fff0000 was not usable" $b/fixtures/acpi-sleep/hw-reduced/facp.aml $b/fixtures/acpi-sleep/hw-reduced/dsdt.aml
run 1 "no S3: switching on hibernate/shut-down only (the firmware offers no \\_S3_)" $fix/firecracker
run 1 "the dump has no FACS (FADT: names no FACS" $fix/firecracker
run 2 "no FACP (FADT) among the tables" $b/fixtures/acpi-sleep/common/dsdt.aml
exit $fail
