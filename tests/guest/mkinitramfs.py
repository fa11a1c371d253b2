#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write a test guest's initramfs: a gzip'd newc cpio, byte-for-byte
reproducible (sorted entries, zero timestamps and owners, sequential inode
numbers, gzip without a name or time), so the same inputs always give the
same image and a test can check that they do.

usage: mkinitramfs.py --os A --busybox /bin/busybox --guest sleepmux-guest
                      --init tests/guest/init [--module e1000e.ko ...] --out initrd-A.img

Modules go to /lib/modules/ under their own names; the guest loads them
itself (sleepmux.airgap).
"""
import argparse
import gzip
import io
import os
import stat
import sys

BUSYBOX_LINKS = ["sh", "mount", "hostname", "cat", "udhcpc", "true"]


def newc_entry(ino, name, mode, data=b"", rdev=(0, 0), nlink=1):
    namez = name.encode() + b"\0"
    hdr = b"070701" + b"".join(
        b"%08X" % v
        for v in (ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(namez), 0)
    )
    out = hdr + namez
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--os", required=True, choices=["A", "B"])
    ap.add_argument("--busybox", required=True)
    ap.add_argument("--guest", required=True)
    ap.add_argument("--init", required=True)
    ap.add_argument("--module", action="append", default=[])
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    def read(p):
        with open(p, "rb") as f:
            return f.read()

    entries = {}  # name -> (mode, data, rdev)
    for d in ["bin", "dev", "etc", "proc", "sys", "tmp"] + (["lib", "lib/modules"] if a.module else []):
        entries[d] = (stat.S_IFDIR | 0o755, b"", (0, 0))
    for mod in a.module:
        entries["lib/modules/" + os.path.basename(mod)] = (stat.S_IFREG | 0o644, read(mod), (0, 0))
    # The kernel opens /dev/console for init before devtmpfs is mounted.
    entries["dev/console"] = (stat.S_IFCHR | 0o600, b"", (5, 1))
    entries["init"] = (stat.S_IFREG | 0o755, read(a.init), (0, 0))
    entries["bin/busybox"] = (stat.S_IFREG | 0o755, read(a.busybox), (0, 0))
    for link in BUSYBOX_LINKS:
        entries["bin/" + link] = (stat.S_IFLNK | 0o777, b"busybox", (0, 0))
    entries["bin/sleepmux-guest"] = (stat.S_IFREG | 0o755, read(a.guest), (0, 0))
    entries["etc/sleepmux-os"] = (stat.S_IFREG | 0o644, a.os.encode() + b"\n", (0, 0))

    cpio = io.BytesIO()
    for ino, name in enumerate(sorted(entries), start=1):
        mode, data, rdev = entries[name]
        cpio.write(newc_entry(ino, name, mode, data, rdev, 2 if stat.S_ISDIR(mode) else 1))
    cpio.write(newc_entry(0, "TRAILER!!!", 0))

    raw = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
        gz.write(cpio.getvalue())
    tmp = a.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(raw.getvalue())
    os.replace(tmp, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
