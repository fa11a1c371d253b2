#!/bin/sh
# SPDX-License-Identifier: MIT
# Rebuild the guest binary and both initramfs images in a scratch folder and
# compare them with the ones `make` built.
set -eu
built=$1 busybox=$2 mod_A=$3 mod_B=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
top=$(pwd)
cc -std=gnu11 -O2 -static -ffile-prefix-map="$top"=. -o "$tmp/sleepmux-guest" tests/guest/guest.c
fail=0
for f in sleepmux-guest; do
    cmp -s "$tmp/$f" "$built/$f" || { echo "FAIL: $f differs when rebuilt"; fail=1; }
done
for os in A B; do
    eval mod=\$mod_$os
    python3 tests/guest/mkinitramfs.py --os $os --busybox "$busybox" --guest "$tmp/sleepmux-guest" \
        --init tests/guest/init --module "$mod" --out "$tmp/initrd-$os.img"
    if cmp -s "$tmp/initrd-$os.img" "$built/initrd-$os.img"; then
        echo "ok: initrd-$os.img $(sha256sum < "$built/initrd-$os.img" | cut -c1-16)"
    else
        echo "FAIL: initrd-$os.img differs when rebuilt"; fail=1
    fi
done
cmp -s "$built/initrd-A.img" "$built/initrd-B.img" && { echo "FAIL: guests A and B are identical"; fail=1; }
exit $fail
