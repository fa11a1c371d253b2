"""The VMM's own storage (issue 12, deliverable 3): its AHCI and NVMe
drivers, its GPT lookup and imagestore's store on the partition, proven by
the store self-test (\\EFI\\sleepmux\\debug-store-selftest) at an S3
request of guest A, once per controller, and by the host tool reading the
committed image back out of the disk afterwards."""

import os
import re
import subprocess

from smx_e2e.disk import make_disk
from smx_e2e.guest import Guest, cmdline
from smx_e2e.sleepmux import sleepmux_files, vmm_lines
from smx_e2e.suite import scenario

SELFTEST = r"store: self-test (ok|FAILED): (.*)"


# imagestore's superblock copies: bytes 0 and 4096 of the partition; byte
# 24 is inside the store id, covered by the copy's checksum
# (docs/image-format.md, "The store on a partition").
SB_COPY = (0, 4096)
SB_STORE_ID = 24


def boot_selftest(t, bus, disk, label):
    """Boot guest A from `disk`, one S3 cycle with the self-test; returns
    (machine, cycle result)."""
    m = t.machine(label=label, disks=[disk.path], disk_bus=bus)
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


def one_bus(t, bus, key_file):
    files = sleepmux_files(t, guest_args=cmdline(cycles=1, end="poweroff"))
    files["EFI/sleepmux/debug-store-selftest"] = b"on\n"
    disk = make_disk(t.path("e2e", t.name, "disk-%s.img" % bus), files)
    m, c = boot_selftest(t, bus, disk, bus)
    _, _, st = m.wait_line(SELFTEST, 10, port="vmm", what="the store self-test's verdict")
    t.check("%s: the VMM's self-test wrote, read back and verified an image: %s" % (bus, st.group(2)),
            st.group(1) == "ok", st.group(0))
    opened = vmm_lines(m, "store", r"^(ahci|nvme) \S+ (port|ns) \d+, partition 2 \(lba (\d+)\+(\d+), (\d+)-byte")
    where = re.search(r"\(lba (\d+)\+(\d+), (\d+)-byte", opened[0][3]) if opened else None
    t.check("%s: the store is partition 2 of the %s disk, found by its type GUID, at lba %d+%d"
            % (bus, bus, disk.store_lba, disk.store_sectors),
            where and opened[0][3].startswith(bus) and
            (int(where.group(1)), int(where.group(2)), int(where.group(3))) == (disk.store_lba, disk.store_sectors, 512),
            str([x[3] for x in vmm_lines(m, "store")]))
    closed = vmm_lines(m, bus, r"power-on state")
    t.check("%s: the controller was reset to its power-on state before the guest ran again: %s"
            % (bus, closed[-1][3] if closed else "no such line"), closed, str([x[3] for x in vmm_lines(m, bus)]))
    t.check("%s: guest A resumed after the self-test with its 256 MiB pattern intact" % bus, c["ok"],
            str(c["fields"]))
    t.check("%s: guest A powers off cleanly (QEMU exits 0)" % bus, m.wait_exit(60) == 0)

    part = disk.extract_store(t.path("e2e", t.name, "store-%s.part" % bus))
    tool = t.path("bin", "sleepmux-image")
    info = subprocess.run([tool, "info", "--store", part, "--key-file", key_file], capture_output=True, text=True)
    t.note("%s: sleepmux-image info:\n      %s" % (bus, info.stdout.strip().replace("\n", "\n      ")))
    ver = subprocess.run([tool, "verify", "--store", part, "--key-file", key_file, "--os", "A"],
                         capture_output=True, text=True)
    t.check("%s: on the host, sleepmux-image verifies the committed image of A in the extracted partition"
            " (exit %d)" % (bus, ver.returncode), info.returncode == 0 and ver.returncode == 0,
            (info.stderr + ver.stdout + ver.stderr).strip())
    m_rate = re.search(r"\((\d+) MiB/s\), read back in (\d+) ms \((\d+) MiB/s\)", st.group(2))
    if m_rate:
        t.note("%s: self-test write %s MiB/s, read %s MiB/s (QEMU TCG)" % (bus, m_rate.group(1), m_rate.group(3)))
    return disk, m


def damaged_store(t, bus, disk, first, key_file):
    """The same disk again, with superblock copy 0 damaged: the store
    opens from copy 1 (not reformatted) and the next image goes to the
    other slot; then with both copies damaged: refused, nothing written."""
    sid, _ = store_id(first)
    b = disk.store_read(SB_COPY[0] + SB_STORE_ID, 1)
    disk.store_write(SB_COPY[0] + SB_STORE_ID, bytes([b[0] ^ 0xff]))
    m, c = boot_selftest(t, bus, disk, bus + "-copy0")
    m.wait_exit(60)
    sid2, how = store_id(m)
    _, _, st = m.wait_line(SELFTEST, 10, port="vmm", what="the store self-test's verdict")
    t.check("%s, superblock copy 0 damaged: the store %s opened from copy 1 (%s %s), not formatted anew"
            % (bus, sid, how, sid2), sid2 == sid and how == "opened", str([x[3] for x in vmm_lines(m, "store")]))
    t.check("%s, superblock copy 0 damaged: the self-test wrote generation 2 into slot 1: %s" % (bus, st.group(2)),
            st.group(1) == "ok" and "slot 1, generation 2" in st.group(2), st.group(0))
    t.check("%s: guest A resumed with its pattern intact" % bus, c["ok"], str(c["fields"]))
    part = disk.extract_store(t.path("e2e", t.name, "store-%s-2.part" % bus))
    info = subprocess.run([t.path("bin", "sleepmux-image"), "info", "--store", part, "--key-file", key_file],
                          capture_output=True, text=True)
    t.check("%s: on the host, slot 1 holds A's generation 2 and slot 0 the superseded generation 1" % bus,
            re.search(r"slot 0: superseded, OS A, generation 1", info.stdout) and
            re.search(r"slot 1: committed, OS A, generation 2", info.stdout), info.stdout + info.stderr)

    for off in SB_COPY:
        b = disk.store_read(off + SB_STORE_ID, 1)
        disk.store_write(off + SB_STORE_ID, bytes([b[0] ^ 0xff]))
    before = disk.store_digest()
    m, c = boot_selftest(t, bus, disk, bus + "-both")
    m.wait_exit(60)
    _, _, st = m.wait_line(SELFTEST, 10, port="vmm", what="the store self-test's verdict")
    t.check("%s, both superblock copies damaged: the VMM refuses the store: %s" % (bus, st.group(2)),
            st.group(1) == "FAILED" and "checksum does not match" in st.group(2), st.group(0))
    t.check("%s, both superblock copies damaged: not formatted over, not a byte of the partition written" % bus,
            disk.store_digest() == before and not vmm_lines(m, "store", "formatted"))
    t.check("%s: the controller is reset after the refusal too, and guest A resumes intact" % bus,
            vmm_lines(m, bus, "power-on state") and c["ok"], str(c["fields"]))


@scenario("store-drivers", suites=("check",), timeout=1200)
def store_drivers(t):
    """the VMM's AHCI and NVMe drivers, GPT lookup and store: self-test at S3, image verified on the host"""
    # The loader does not fill bi->master_key yet (someone else's work in
    # progress): the VMM seals with 32 zero bytes, so the host check uses an
    # all-zero key file. Switch to the real key (tests/fixtures/imagestore/
    # test.key or the loader's) once the loader provides one.
    key_file = t.path("e2e", t.name, "zero.key")
    os.makedirs(os.path.dirname(key_file), exist_ok=True)
    with open(key_file, "wb") as f:
        f.write(bytes(32))
    disk, m = one_bus(t, "ahci", key_file)
    one_bus(t, "nvme", key_file)
    damaged_store(t, "ahci", disk, m, key_file)
