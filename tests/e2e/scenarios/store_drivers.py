# SPDX-License-Identifier: MIT
"""The VMM's own storage (issue 12, deliverable 3): its AHCI and NVMe
drivers, its GPT lookup and imagestore's store on the partition, proven by
the store self-test (\\EFI\\sleepmux\\debug-store-selftest) at an S3
request of guest A, once per controller, and by the host tool reading the
image back out of the disk afterwards with the key the loader keeps."""

import os
import re
import subprocess

from smx_e2e.disk import make_disk
from smx_e2e.guest import Guest, cmdline
from smx_e2e.sleepmux import sleepmux_files, vmm_lines
from smx_e2e.suite import scenario
from smx_e2e.twoos import store_key

SELFTEST = r"store: self-test (ok|FAILED): (.*)"


# imagestore's superblock copies: bytes 0 and 4096 of the partition; byte
# 24 is inside the store id, covered by the copy's checksum
# (docs/image-format.md, "The store on a partition").
SB_COPY = (0, 4096)
SB_STORE_ID = 24


def boot_selftest(t, bus, disk, label, vars_file):
    """Boot guest A from `disk` on the computer whose UEFI variables are
    `vars_file` (the loader keeps the image key there), one S3 cycle with
    the self-test, power off; returns (machine, cycle result)."""
    m = t.machine(label=label, disks=[disk.path], disk_bus=bus, vars_file=vars_file)
    m.start()
    g = Guest(t, m, "A")
    m.wait_line(r"vmm: active: svm", 120, port="vmm", what="the VMM to become active")
    g.boot()
    c = g.s3_cycle(1, timeout=400)
    g.done()
    return m, c


def store_id(m):
    ids = vmm_lines(m, "store", r"store ([0-9a-f]{8}) (formatted|opened) in")
    return re.search(r"store ([0-9a-f]{8}) (formatted|opened)", ids[0][3]).groups() if ids else (None, None)


def host_info(t, disk, key_file, label):
    part = disk.extract_store(t.path("e2e", t.name, "store-%s.part" % label))
    info = subprocess.run([t.path("bin", "sleepmux-image"), "info", "--store", part, "--key-file", key_file],
                          capture_output=True, text=True)
    t.note("%s: sleepmux-image info:\n      %s" % (label, info.stdout.strip().replace("\n", "\n      ")))
    return part, info


def host_verify(t, part, key_file, slot):
    """verify --slot: the self-test's image is marked restored, which
    inspection may still read (a restore may not)."""
    return subprocess.run([t.path("bin", "sleepmux-image"), "verify", "--store", part, "--key-file", key_file,
                           "--slot", str(slot)], capture_output=True, text=True)


def one_bus(t, bus):
    vars_file = t.path("e2e", t.name, "vars-%s.fd" % bus)
    if os.path.exists(vars_file):
        os.unlink(vars_file)  # a new computer: the loader creates its key
    files = sleepmux_files(t, guest_args=cmdline(cycles=1, buffer="64M", end="poweroff"))
    files["EFI/sleepmux/debug-store-selftest"] = b"on\n"
    disk = make_disk(t.path("e2e", t.name, "disk-%s.img" % bus), files)
    m, c = boot_selftest(t, bus, disk, bus, vars_file)
    _, _, st = m.wait_line(SELFTEST, 10, port="vmm", what="the store self-test's verdict")
    t.check("%s: the VMM's self-test wrote, read back and verified an image: %s" % (bus, st.group(2)),
            st.group(1) == "ok", st.group(0))
    opened = vmm_lines(m, "store", r"^(ahci|nvme) \S+ (port|ns) \d+, partition 2 \(lba (\d+)\+(\d+), (\d+)-byte")
    where = re.search(r"\(lba (\d+)\+(\d+), (\d+)-byte", opened[0][3]) if opened else None
    t.check("%s: the store is partition 2 of the %s disk, found by its type GUID, at lba %d+%d, where the loader "
            "found it" % (bus, bus, disk.store_lba, disk.store_sectors),
            where and opened[0][3].startswith(bus) and
            (int(where.group(1)), int(where.group(2)), int(where.group(3))) == (disk.store_lba, disk.store_sectors, 512),
            str([x[3] for x in vmm_lines(m, "store")]))
    if bus == "nvme":
        # q35 always has its ICH9 AHCI too: the loader's hint (bi->store) is what keeps the VMM off it.
        t.check("nvme: the VMM went straight to the controller the loader named, leaving q35's AHCI alone",
                not vmm_lines(m, "ahci"), str([x[3] for x in vmm_lines(m, "ahci")]))
    closed = vmm_lines(m, bus, r"power-on state")
    t.check("%s: the controller was reset to its power-on state before the guest ran again: %s"
            % (bus, closed[-1][3] if closed else "no such line"), closed, str([x[3] for x in vmm_lines(m, bus)]))
    t.check("%s: guest A resumed after the self-test with its pattern intact" % bus, c["ok"], str(c["fields"]))
    t.check("%s: guest A powers off cleanly (QEMU exits 0)" % bus, m.wait_exit(60) == 0)

    key_file = store_key(t, vars_file)
    t.require("%s: the loader keeps the image key in the UEFI variable SleepmuxKey" % bus, key_file)
    own = t.path("e2e", t.name, "key-%s" % bus)  # store_key's file is one per scenario: each computer has its own
    os.replace(key_file, own)
    key_file = own
    slot = re.search(r"slot (\d+)", st.group(2))
    part, info = host_info(t, disk, key_file, bus)
    ver = host_verify(t, part, key_file, slot.group(1) if slot else 0)
    t.check("%s: on the host, sleepmux-image verifies the self-test's image in the extracted partition with the "
            "machine's key, and it is marked restored (no OS waits in the store)" % bus,
            info.returncode == 0 and ver.returncode == 0 and
            re.search(r"slot %s: restored, OS A, generation 1" % (slot.group(1) if slot else "?"), info.stdout),
            (info.stdout + info.stderr + ver.stdout + ver.stderr).strip())
    m_rate = re.search(r"\((\d+) MiB/s\), read back in (\d+) ms \((\d+) MiB/s\)", st.group(2))
    if m_rate:
        t.note("%s: self-test write %s MiB/s, read %s MiB/s (QEMU TCG)" % (bus, m_rate.group(1), m_rate.group(3)))
    return disk, m, vars_file, key_file


def damaged_copy(t, bus, disk, first, vars_file, key_file):
    """The same computer and disk again, superblock copy 0 damaged: the
    store opens from copy 1 (not formatted anew) and the next image is
    generation 2. (Both copies damaged is refused before the VMM runs:
    the loader boots nothing while it cannot read the store.)"""
    sid, _ = store_id(first)
    b = disk.store_read(SB_COPY[0] + SB_STORE_ID, 1)
    disk.store_write(SB_COPY[0] + SB_STORE_ID, bytes([b[0] ^ 0xff]))
    m, c = boot_selftest(t, bus, disk, bus + "-copy0", vars_file)
    m.wait_exit(60)
    sid2, how = store_id(m)
    _, _, st = m.wait_line(SELFTEST, 10, port="vmm", what="the store self-test's verdict")
    t.check("%s, superblock copy 0 damaged: the store %s opened from copy 1 (%s %s), not formatted anew"
            % (bus, sid, how, sid2), sid2 == sid and how == "opened", str([x[3] for x in vmm_lines(m, "store")]))
    t.check("%s, superblock copy 0 damaged: the self-test wrote generation 2: %s" % (bus, st.group(2)),
            st.group(1) == "ok" and "generation 2" in st.group(2), st.group(0))
    t.check("%s: guest A resumed with its pattern intact" % bus, c["ok"], str(c["fields"]))
    slot = re.search(r"slot (\d+)", st.group(2))
    part, info = host_info(t, disk, key_file, bus + "-2")
    ver = host_verify(t, part, key_file, slot.group(1) if slot else 0)
    t.check("%s: on the host, both self-test images are there, generations 1 and 2, and generation 2 verifies" % bus,
            ver.returncode == 0 and re.search(r"restored, OS A, generation 1", info.stdout) and
            re.search(r"restored, OS A, generation 2", info.stdout), info.stdout + info.stderr + ver.stderr)


@scenario("store-drivers", suites=("check",), timeout=1200)
def store_drivers(t):
    """the VMM's AHCI and NVMe drivers, GPT lookup and store: self-test at S3, image verified on the host"""
    disk, m, vars_file, key_file = one_bus(t, "ahci")
    one_bus(t, "nvme")
    damaged_copy(t, "ahci", disk, m, vars_file, key_file)
