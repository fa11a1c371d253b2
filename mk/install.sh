#!/bin/sh
# SPDX-License-Identifier: MIT
# make install ESP=DIR: put sleepmux on a mounted EFI system partition.
# Never overwrites an existing sleepmux.conf: that file is the user's.
set -eu
esp=$1
b=${SMX_BUILD:-build}
[ -d "$esp/EFI" ] || { echo "install: $esp does not look like an EFI system partition (no EFI/ folder)" >&2; exit 2; }
dest="$esp/EFI/sleepmux"
mkdir -p "$dest"
cp "$b/efi/sleepmux.efi" "$dest/sleepmux.efi"
[ -f "$b/fs/vmm.elf" ] && cp "$b/fs/vmm.elf" "$dest/vmm.elf"
if [ -f "$dest/sleepmux.conf" ]; then
    echo "install: kept your $dest/sleepmux.conf"
elif [ -f docs/sleepmux.conf.example ]; then
    cp docs/sleepmux.conf.example "$dest/sleepmux.conf"
    echo "install: wrote an example $dest/sleepmux.conf: edit it before rebooting"
fi
echo "install: sleepmux is in $dest"
echo "To boot it first, add a boot entry (adjust disk and partition number):"
echo "  efibootmgr --create --disk /dev/sda --part 1 --label sleepmux --loader '\\EFI\\sleepmux\\sleepmux.efi'"
