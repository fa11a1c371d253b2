#!/bin/sh
# SPDX-License-Identifier: MIT
# sleepmux-image on real guest memory: round trips through a file and
# through a store, an ELF core with a hole in its memory map, and the exit
# code of each kind of failure. Prints ok:/FAIL: lines; exits non-zero on
# any failure.
#
# usage: cli.sh SLEEPMUX_IMAGE DUMP KEY WORKDIR
set -u
bin=$1 dump=$2 key=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
fails=0
ok() { echo "ok: sleepmux-image: $*"; }
bad() { echo "FAIL: sleepmux-image: $*"; fails=$((fails + 1)); }
size=$(stat -c %s "$dump")
mib=$((size >> 20))

# expect CODE TEXT DESCRIPTION -- COMMAND...: exit code CODE, TEXT in stderr
expect() {
    code=$1 text=$2 what=$3; shift 4
    "$@" > "$work/out" 2> "$work/err"; rc=$?
    if [ $rc -eq "$code" ] && grep -q -- "$text" "$work/err" "$work/out"; then
        ok "$what: exit $rc, $(tail -n1 "$work/err" | cut -c1-110)"
    else
        bad "$what: exit $rc (want $code, '$text'):"; sed 's/^/    /' "$work/err" "$work/out" | head -5
    fi
}

# 1. A file round trip of the whole dump.
if "$bin" create --key-file "$key" "$dump" -o "$work/a.img" > "$work/out" 2>&1 &&
   "$bin" verify --key-file "$key" "$work/a.img" >> "$work/out" 2>&1 &&
   "$bin" extract --key-file "$key" "$work/a.img" -o "$work/a.raw" >> "$work/out" 2>&1 &&
   cmp -s "$dump" "$work/a.raw"; then
    ok "$mib MiB of real guest memory: create, verify, extract give back the same bytes ($(stat -c %s "$work/a.img") bytes sealed)"
else
    bad "file round trip of $dump:"; sed 's/^/    /' "$work/out"
fi
rm -f "$work/a.raw"

# 2. Each failure has its own exit code and message.
printf '%064x\n' 12345 > "$work/wrong.key"
expect 3 "wrong key" "wrong key" -- "$bin" verify --key-file "$work/wrong.key" "$work/a.img"
img=$(stat -c %s "$work/a.img")
for cut in 0 100 5000 $((img / 3)) $((img - 1)); do
    head -c $cut "$work/a.img" > "$work/cut.img"
    if [ $cut -eq 0 ]; then want="not an image"; else want="torn or truncated"; fi
    expect 1 "$want" "image cut at byte $cut of $img" -- "$bin" verify --key-file "$key" "$work/cut.img"
done
for at in 12 300 $((img / 2)) $((img - 20)); do
    cp "$work/a.img" "$work/flip.img"
    printf '\377' | dd of="$work/flip.img" bs=1 seek=$at conv=notrunc status=none
    expect 1 "(altered)" "byte $at overwritten" -- "$bin" verify --key-file "$key" "$work/flip.img"
done
rm -f "$work/cut.img" "$work/flip.img"
expect 4 "No such file" "missing image" -- "$bin" verify --key-file "$key" "$work/none.img"
expect 4 "cannot create output" "unwritable output" -- "$bin" extract --key-file "$key" "$work/a.img" -o "$work/no/dir/x"
expect 2 "needs --key-file" "no key" -- "$bin" verify "$work/a.img"

# 3. A store: two images of one OS alternate slots; the older is superseded.
truncate -s $((size / 2 + (64 << 20))) "$work/store.bin"
expect 0 "slot 1: empty" "format a store" -- "$bin" format --key-file "$key" --store "$work/store.bin"
"$bin" create --key-file "$key" --store "$work/store.bin" "$dump" > /dev/null 2>&1
"$bin" create --key-file "$key" --store "$work/store.bin" "$dump" > /dev/null 2>&1
expect 0 "slot 0: superseded" "two saves of OS A" -- "$bin" info --key-file "$key" --store "$work/store.bin"
if "$bin" extract --key-file "$key" --store "$work/store.bin" --os A -o "$work/s.raw" > "$work/out" 2>&1 &&
   cmp -s "$dump" "$work/s.raw"; then
    ok "store round trip: generation 2 restores to the same bytes"
else
    bad "store round trip:"; sed 's/^/    /' "$work/out"
fi
rm -f "$work/s.raw"
expect 3 "wrong key" "store under a wrong key" -- "$bin" info --key-file "$work/wrong.key" --store "$work/store.bin"
expect 5 "no committed image for OS B" "no image for OS B" -- "$bin" verify --key-file "$key" --store "$work/store.bin" --os B
truncate -s 1M "$work/small.bin"
"$bin" format --key-file "$key" --store "$work/small.bin" > /dev/null 2>&1
expect 5 "is full" "store too small" -- "$bin" create --key-file "$key" --store "$work/small.bin" "$dump"

# 4. An ELF core (the layout of QEMU's dump-guest-memory) with a hole: the
#    dump's first half at 0, its second half at 4 GiB.
python3 - "$dump" "$work/core.elf" <<'PY'
import struct, sys
src, out = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
half = len(data) // 2
segs = [(0, data[:half]), (4 << 30, data[half:])]
phoff, phnum = 64, len(segs) + 1
off = 4096
with open(out, "wb") as f:
    f.write(b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8))
    f.write(struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, phoff, 0, 0, 64, 56, phnum, 0, 0, 0))
    f.write(struct.pack("<IIQQQQQQ", 4, 0, off, 0, 0, 0, 0, 0))  # PT_NOTE, empty
    for paddr, blob in segs:
        f.write(struct.pack("<IIQQQQQQ", 1, 7, off, paddr, paddr, len(blob), len(blob), 0))
        off += len(blob)
    f.seek(4096)
    for _, blob in segs:
        f.write(blob)
PY
if "$bin" create --key-file "$key" "$work/core.elf" -o "$work/core.img" > "$work/out" 2>&1 &&
   "$bin" info --key-file "$key" "$work/core.img" >> "$work/out" 2>&1 &&
   grep -q "0x000100000000-0x00010fffffff" "$work/out" &&
   "$bin" extract --key-file "$key" "$work/core.img" -o "$work/core.raw" >> "$work/out" 2>&1 &&
   cmp -s -n $((size / 2)) "$dump" "$work/core.raw" &&
   cmp -s -i $((size / 2)):$((4 << 30)) "$dump" "$work/core.raw" &&
   [ "$(stat -c %s "$work/core.raw")" -eq $(((4 << 30) + size / 2)) ]; then
    ok "ELF core with two segments (0 and 4 GiB): regions kept, both halves restored in place"
else
    bad "ELF core round trip:"; sed 's/^/    /' "$work/out"
fi

rm -rf "$work"
[ $fails -eq 0 ]
