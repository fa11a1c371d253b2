# SPDX-License-Identifier: MIT
"""The test guest straight on OVMF, no hypervisor: the baseline every
sleepmux scenario is compared with, and the proof the kit itself works."""

from smx_e2e.guest import Guest, cmdline
from smx_e2e.suite import scenario

CYCLES = 3


@scenario("guest-direct", suites=("check",))
def guest_direct(t):
    """guest A boots directly under OVMF (no hypervisor) and survives 3 S3 cycles"""
    # One more cycle than the check needs: in the last, the guest flips a bit
    # on purpose, proving that verification would catch a changed page.
    m = t.machine(kernel=t.path("guest", "vmlinuz"), initrd=t.path("guest", "initrd-A.img"),
                  append=cmdline(cycles=CYCLES + 1, end="poweroff", extra="sleepmux.corrupt=%d" % (CYCLES + 1)),
                  vmm_port=False)
    m.start()
    g = Guest(t, m, "A")
    g.boot()
    for n in range(1, CYCLES + 1):
        c = g.s3_cycle(n)
        t.phase("cycle %d: S3 request -> suspended" % n, c["sleep"])
        t.phase("cycle %d: wakeup -> pattern verified" % n, c["resume"])
        t.check("cycle %d: guest A resumed from S3 with its 256 MiB pattern intact" % n, c["ok"],
                "guest says %s" % c["fields"])
    bad = g.s3_cycle(CYCLES + 1)
    flipped = m.find_line(r"cycle=%d event=corrupted offset=(0x[0-9a-f]+)" % (CYCLES + 1))
    t.check("self-test: a bit flipped before S3 is caught at its offset",
            not bad["ok"] and flipped and bad["fields"].get("first_bad_offset") == flipped[2].group(1)
            and bad["fields"].get("bad_words") == "1", "guest says %s" % bad["fields"])
    _, f = g.done()
    t.check("guest A reports %d of %d cycles good" % (CYCLES, CYCLES + 1), f.get("ok") == str(CYCLES), str(f))
    t.check("guest A powers off cleanly (QEMU exits 0)", m.wait_exit(60) == 0)
