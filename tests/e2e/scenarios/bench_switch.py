# SPDX-License-Identifier: MIT
"""make bench, switching (issue 12): from one run, on one emulated PC
(q35, 2 GiB, AHCI, QEMU TCG):
  resident switch   S3 request of one OS -> the other running again (its
                    pattern check excluded), against a plain S3 of the same
                    OS (on-s3 = sleep, same disk, same firmware)
  from the store    S3 request of B -> A running again from its image,
                    against a cold boot of A (QEMU start -> user space)
  image I/O         the VMM's image write and read rate (MiB of sealed stream
                    per second, from its log), against the raw rate of the same
                    emulated disk through the same driver (the VMM reads the
                    image's slot back without decrypting: `store: raw read`)
Under TCG the spread between runs is large: every figure is printed with
the runs it came from."""

import re

from smx_e2e.sleepmux import vmm_lines
from smx_e2e.suite import scenario
from smx_e2e.twoos import TwoOS, guest_args, make_two_os_disk

SWAPS = 4


def running_again(req, done, f):
    return done - req - float(f.get("seconds", 0))


@scenario("bench-switch", suites=("bench",), timeout=2400)
def bench_switch(t):
    """switching against plain S3 and a cold boot, image I/O against the raw disk, same run"""
    # The baseline: the same OS, the same disk and firmware, on-s3 = sleep.
    plain_args = {"A": guest_args(3, end="poweroff"), "B": guest_args(0)}
    disk = make_two_os_disk(t, plain_args, name="plain.img", extra={"A": "on-s3 = sleep\n"})
    p = TwoOS(t, disk, "ahci", "plain", t.path("e2e", t.name, "VARS-plain.fd"))
    p.booted("A")
    plain = []
    for n in (1, 2, 3):
        req, _, done, f = p.switch("A", n, "A", n)
        plain.append(running_again(req, done, f))
    p.m.wait_exit(120)
    p.m.stop()

    args = {"A": guest_args(1 + SWAPS, end="idle"), "B": guest_args(0)}
    disk = make_two_os_disk(t, args, debug=("bench",))
    x = TwoOS(t, disk, "ahci", "switch", t.path("e2e", t.name, "VARS-switch.fd"))
    cold_a, _, _ = x.g["A"].wait(r"event=boot", 300, "A's user space")  # host seconds since QEMU started
    x.booted("A")
    x.g["A"].wait(r"cycle=1 event=suspend", 120)
    x.booted("B")
    req, _, done, f = x.switch("B", 1, "A", 1)
    from_store = running_again(req, done, f)
    resident = []
    na, nb, src = 1, 1, "A"
    for _ in range(SWAPS):
        if src == "A":
            na += 1
            req, _, done, f = x.switch("A", na, "B", nb)
            src = "B"
        else:
            nb += 1
            req, _, done, f = x.switch("B", nb, "A", na)
            src = "A"
        resident.append(running_again(req, done, f))
    saved = vmm_lines(x.m, "image", r"saved to slot .*, (\d+) MiB/s of stream\)")
    read = vmm_lines(x.m, "image", r"restored from slot .*, (\d+) MiB/s of stream\)")
    raw = vmm_lines(x.m, "store", r"raw read of (\d+) MiB in (\d+) ms \((\d+) MiB/s\)")

    def rate(lines):
        return int(re.search(r", (\d+) MiB/s of stream", lines[0][3]).group(1)) if lines else 0

    t.note("%-44s %10s %10s %8s" % ("", "measured", "baseline", "ratio"))
    t.note("%-44s %9.2fs %9.2fs %7.2fx" % ("resident switch vs plain S3 (best)", min(resident), min(plain),
                                             min(resident) / min(plain)))
    t.note("%-44s %10s %10s" % ("  all runs", " ".join("%.2f" % v for v in resident),
                                 " ".join("%.2f" % v for v in plain)))
    t.note("%-44s %9.2fs %9.2fs %7.2fx" % ("switch back from the store vs cold boot of A", from_store, cold_a,
                                             from_store / cold_a))
    if raw:
        r = int(raw[0][3].split("(")[1].split()[0])
        t.note("%-44s %6d MiB/s %6d MiB/s %7.2fx" % ("image write vs raw read of the same disk", rate(saved), r,
                                                      rate(saved) / float(r)))
        t.note("%-44s %6d MiB/s %6d MiB/s %7.2fx" % ("image read vs raw read of the same disk", rate(read), r,
                                                      rate(read) / float(r)))
    else:
        t.note("image write %d MiB/s, read %d MiB/s (no raw baseline line in the VMM log)" % (rate(saved), rate(read)))
    t.check("the bench measured %d resident switches, %d plain S3 cycles and a restore from the store"
            % (len(resident), len(plain)), len(resident) == SWAPS and len(plain) == 3 and from_store > 0)
