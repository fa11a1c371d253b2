# SPDX-License-Identifier: MIT
"""The loader finds the image store's GPT partition through UEFI Block I/O,
records its controller (AHCI port, NVMe namespace), and refuses to boot
anything when a store exists that it cannot read."""

import os
import subprocess

from smx_e2e.guest import cmdline
from smx_e2e.sleepmux import make_sleepmux_esp
from smx_e2e.suite import scenario

PART_GUID = "3f1d6b2a-6c4e-4b0a-9a53-1e5c2d7f8a90"
PART_TYPE = "5b8e1c3d-2f4a-4e6b-8c7d-9a0b1c2d3e4f"  # sleepmux's own type, for this test
STORE_LINE = r"sleepmux: store: partition at LBA (\d+), (\d+) blocks of (\d+), controller (\S+) (\S+) unit (\d+): (.*)"


def gpt_disk(path, size_mib=64, part_mib=16):
    """A GPT disk with one partition (first LBA 2048) of the test's GUIDs."""
    with open(path, "wb") as f:
        f.truncate(size_mib << 20)
    subprocess.run(["sgdisk", "-n", "1:2048:+%dM" % part_mib, "-t", "1:" + PART_TYPE, "-u", "1:" + PART_GUID, path],
                   check=True, stdout=subprocess.DEVNULL)
    return path


def boot(t, label, store, extra, *patterns, timeout=120):
    """Boot until each pattern has shown on the loader's log, in order."""
    esp = make_sleepmux_esp(t, name="esp-%s.img" % label, guest_args=cmdline(buffer="16M"), store=store)
    m = t.machine(label=label, disks=[esp], memory="1G", extra=extra)
    m.start()
    try:
        found, since = [], 0
        for p in patterns:
            i, _, mt = m.wait_line(p, timeout, port="vmm", since=since, what=repr(p))
            found.append(mt)
            since = i + 1
        return found if len(found) > 1 else found[0]
    finally:
        m.stop()


@scenario("loader-store", suites=("check",))
def loader_store(t):
    """the store partition found by unique and by type GUID, on AHCI and NVMe; an unreadable store stops the boot"""
    disk = gpt_disk(t.path("e2e", t.name, "store-disk.img"))
    ahci = ["-drive", "if=none,id=st,format=raw,file=%s" % disk, "-device", "ide-hd,drive=st,bus=ide.2"]
    nvme = ["-drive", "if=none,id=st,format=raw,file=%s" % disk, "-device", "nvme,drive=st,serial=smxstore"]

    mt = boot(t, "ahci", "partition = " + PART_GUID, ahci, STORE_LINE)
    t.note(mt.group(0))
    t.check("by unique GUID on AHCI: LBA 2048, 16 MiB of 512-byte blocks",
            mt.group(1, 2, 3) == ("2048", str(16 * 2048), "512"), mt.group(0))
    t.check("the controller is q35's AHCI (00:1f.2), port 2", mt.group(4, 5, 6) == ("AHCI", "00:1f.2", "2"),
            mt.group(0))
    t.check("a blank partition is an empty store", mt.group(7).startswith("empty"), mt.group(0))

    mt = boot(t, "nvme", "partition-type = " + PART_TYPE, nvme, STORE_LINE)
    t.note(mt.group(0))
    t.check("by type GUID on NVMe: the same partition", mt.group(1, 2) == ("2048", str(16 * 2048)), mt.group(0))
    t.check("the controller is NVMe, namespace 1", mt.group(4) == "NVMe" and mt.group(6) == "1", mt.group(0))

    # A store sealed under a key this machine does not have: whichever OS
    # may be waiting there, booting either fresh could fork it.
    part = t.path("e2e", t.name, "part.img")
    with open(part, "wb") as f:
        f.truncate(16 << 20)
    key = os.path.join(t.root, "tests", "fixtures", "imagestore", "test.key")
    subprocess.run([t.path("bin", "sleepmux-image"), "format", "--key-file", key, "--store", part], check=True,
                   stdout=subprocess.DEVNULL)
    with open(part, "rb") as src, open(disk, "r+b") as dst:
        dst.seek(2048 * 512)
        dst.write(src.read())
    mt, stop = boot(t, "foreign", "partition = " + PART_GUID, ahci,
                    r"sleepmux: store: partition at LBA 2048: (cannot be read: .*)",
                    r"sleepmux: (cannot choose an OS to boot.*|running under.*|starting .*)")
    t.note(mt.group(0))
    t.check("a store under another key cannot be read", "key" in mt.group(1), mt.group(0))
    t.check("and no OS boots fresh", stop.group(1).startswith("cannot choose an OS"), stop.group(0))
