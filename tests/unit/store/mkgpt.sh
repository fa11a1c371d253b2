#!/bin/sh
# SPDX-License-Identifier: MIT
# GPT disk images for tests/unit/store/test_gpt.c, made by the real tools
# (util-linux sfdisk, gdisk's sgdisk) with fixed GUIDs so the test knows
# what to expect (neither tool makes 4 KiB-sector tables in a plain file:
# that needs a loop device with --sector-size, i.e. root, so 4 KiB blocks
# are left to the drivers' own checks):
#   sfdisk-512.img   8 MiB, 512-byte sectors: ESP, two Linux data partitions, swap
#   sgdisk-512.img   8 MiB, sgdisk's defaults (128 entries) with a 32-entry table
set -eu
out=$1
mkdir -p "$out"
ESP=C12A7328-F81F-11D2-BA4B-00A0C93EC93B
LINUX=0FC63DAF-8483-4772-8E79-3D69D8477DE4
SWAP=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F

layout() { # sectors per MiB
    m=$1
    cat <<EOS
label: gpt
label-id: 5B3F4C1E-2D6A-4E8B-9C0D-1E2F3A4B5C6D
start=$((1 * m)), size=$((2 * m)), type=$ESP, uuid=11111111-2222-4333-8444-555555555501, name="esp"
start=$((3 * m)), size=$((1 * m)), type=$LINUX, uuid=11111111-2222-4333-8444-555555555502, name="first linux"
start=$((4 * m)), size=$((2 * m)), type=$LINUX, uuid=6E0C2A4F-3B1D-4C8E-9F27-5A81D0C4E9B2, name="store"
start=$((6 * m)), size=$((1 * m)), type=$SWAP, uuid=11111111-2222-4333-8444-555555555504, name="swap"
EOS
}

rm -f "$out/sfdisk-512.img" "$out/sgdisk-512.img"
truncate -s 8M "$out/sfdisk-512.img"
layout 2048 | sfdisk --quiet --no-reread --no-tell-kernel "$out/sfdisk-512.img" >/dev/null
truncate -s 8M "$out/sgdisk-512.img"
sgdisk --clear --resize-table=32 --disk-guid=5B3F4C1E-2D6A-4E8B-9C0D-1E2F3A4B5C6D \
    -n 1:2048:+2M -t 1:$ESP -u 1:11111111-2222-4333-8444-555555555501 \
    -n 2:6144:+1M -t 2:$LINUX -u 2:11111111-2222-4333-8444-555555555502 \
    -n 3:8192:+2M -t 3:$LINUX -u 3:6E0C2A4F-3B1D-4C8E-9F27-5A81D0C4E9B2 \
    -n 4:12288:+1M -t 4:$SWAP -u 4:11111111-2222-4333-8444-555555555504 \
    "$out/sgdisk-512.img" >/dev/null
