#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seeds for the acpi-sleep fuzz targets, made from the real fixtures.

  acpi_sleep_seeds.py OUT_TABLES OUT_AML (DIR | ACPIDUMP.txt)...

For acpi_sleep_tables: each platform's tables laid out as one compact image
that starts at physical 0x1000 with its RSDP (the target's convention),
followed by an XSDT, RSDT, FADT (DSDT and FACS pointers moved), FACS, DSDT
and SSDTs, checksums fixed. For acpi_sleep_aml: each definition block's AML
(after its header), behind the target's mode byte: once as is (0), once
with live evaluation of firmware-data predicates (2).
"""
import os
import re
import struct
import sys

BASE = 0x1000


def tables_from(path):
    """{signature: [bytes, ...]} in order, from a directory of table files or acpidump text."""
    out = {}
    if os.path.isdir(path):
        names = sorted(os.listdir(path), key=lambda n: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", n)])
        for n in names:
            if not (n.endswith(".aml") or n.endswith(".dat")):
                continue
            b = open(os.path.join(path, n), "rb").read()
            if len(b) >= 8:
                out.setdefault(b[:4].decode("latin1"), []).append(b)
        return out
    cur = None
    for line in open(path):
        if " @ 0x" in line and not line[0].isspace():
            cur = bytearray()
            out.setdefault(line[:4], []).append(cur)
        elif cur is not None and re.match(r"^\s+[0-9A-Fa-f]{4}: ", line):
            for tok in line.split(":", 1)[1][:49].split():
                cur.append(int(tok, 16))
    return {k: [bytes(x) for x in v] for k, v in out.items()}


def checksum(b, at):
    b[at] = 0
    b[at] = (-sum(b)) & 0xff


def image(t):
    facp = bytearray(t["FACP"][0])
    dsdt = t["DSDT"][0]
    facs = t.get("FACS", [b""])[0]
    ssdts = t.get("SSDT", [])
    n = 1 + len(ssdts)
    layout = [("rsdp", 36), ("xsdt", 36 + 8 * n), ("rsdt", 36 + 4 * n), ("facp", len(facp)),
              ("facs", len(facs)), ("dsdt", len(dsdt))] + [("ssdt%d" % i, len(s)) for i, s in enumerate(ssdts)]
    at, addr = BASE, {}
    for name, size in layout:
        at = (at + 63) & ~63
        addr[name] = at
        at += size
    mem = bytearray(at - BASE)

    def put(name, b):
        mem[addr[name] - BASE:addr[name] - BASE + len(b)] = b

    # FADT: DSDT at 40 and 140, FACS at 36 and 132 (when the table has them).
    struct.pack_into("<I", facp, 40, addr["dsdt"])
    if len(facp) >= 148:
        struct.pack_into("<Q", facp, 140, addr["dsdt"])
    struct.pack_into("<I", facp, 36, addr["facs"] if facs else 0)
    if len(facp) >= 140:
        struct.pack_into("<Q", facp, 132, 0)
    checksum(facp, 9)
    entries = [addr["facp"]] + [addr["ssdt%d" % i] for i in range(len(ssdts))]
    for sig, size, fmt in (("XSDT", 8, "<Q"), ("RSDT", 4, "<I")):
        root = bytearray(36 + size * n)
        root[0:4] = sig.encode()
        struct.pack_into("<I", root, 4, len(root))
        root[8] = 1
        for i, e in enumerate(entries):
            struct.pack_into(fmt, root, 36 + size * i, e)
        checksum(root, 9)
        put(sig.lower(), root)
    rsdp = bytearray(36)
    rsdp[0:8] = b"RSD PTR "
    rsdp[15] = 2
    struct.pack_into("<IIQ", rsdp, 16, addr["rsdt"], 36, addr["xsdt"])
    put("rsdp", rsdp)       # checksums are the target's business
    put("facp", facp)
    put("facs", facs)
    put("dsdt", dsdt)
    for i, s in enumerate(ssdts):
        put("ssdt%d" % i, s)
    return bytes(mem)


def main():
    out_tables, out_aml, inputs = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(out_tables, exist_ok=True)
    os.makedirs(out_aml, exist_ok=True)
    for path in inputs:
        name = os.path.basename(path.rstrip("/"))
        if name == "acpidump.txt":
            name = os.path.basename(os.path.dirname(path))
        t = tables_from(path)
        open(os.path.join(out_tables, name + ".bin"), "wb").write(image(t))
        for sig in ("DSDT", "SSDT"):
            for i, b in enumerate(t.get(sig, [])):
                open(os.path.join(out_aml, "%s-%s%d.aml" % (name, sig.lower(), i)), "wb").write(b"\x00" + b[36:])
                open(os.path.join(out_aml, "%s-%s%d-live.aml" % (name, sig.lower(), i)), "wb").write(b"\x02" + b[36:])


if __name__ == "__main__":
    main()
