# SPDX-License-Identifier: MIT
"""make bench, the air gap's price (issue 17): the same machine (q35 with
an e1000e NIC) and the same ESP booted with `hide-pci` naming the NIC and
without it, in one run. Hiding traps CONFIG_DATA (0xcfc-0xcff) and the
NIC's ECAM page, so every configuration access the firmware and the OS
make after the VMM starts is an exit. Printed: VM exits per second from
power-on to guest user space, and the I/O and MMIO exits of the whole boot
(the VMM's count at the first sleep request), hidden against none."""

import re

from smx_e2e.guest import Guest, cmdline
from smx_e2e.sleepmux import make_sleepmux_esp, vmm_lines
from smx_e2e.suite import scenario

from .airgap import NIC, NIC_ARGS

SLEEP_LINE = r"exits (\d+) \(io (\d+) cpuid (\d+) msr (\d+)"


def one_boot(t, label, hide):
    esp = make_sleepmux_esp(t, name="esp-%s.img" % label,
                            guest_args=cmdline(cycles=1, end="poweroff", buffer="64M"),
                            os_extra={"A": "hide-pci = %s\n" % NIC} if hide else None)
    m = t.machine(label, disks=[esp], extra=NIC_ARGS)
    m.start()
    g = Guest(t, m, "A")
    r = {}
    r["user"], _, _ = g.wait(r"event=boot", 180, "guest user space")
    _, v, _ = g.wait(r"event=vmm ", 60, "the CPUID probe")
    r["exits"] = int(v.get("exits", 0))
    c = g.s3_cycle(1)
    if not c["ok"]:
        raise AssertionError("the S3 cycle failed: %s" % c["fields"])
    sl = [re.search(SLEEP_LINE, s[3]) for s in vmm_lines(m, "sleep", SLEEP_LINE)]
    r["io"] = int(sl[0].group(2)) if sl and sl[0] else -1
    r["total"] = int(sl[0].group(1)) if sl and sl[0] else -1
    r["hidden"] = bool(vmm_lines(m, "pci", r"is hidden from OS A"))
    g.done()
    m.wait_exit(60)
    m.stop()
    return r


@scenario("bench-airgap", suites=("bench",), timeout=900)
def bench_airgap(t):
    """VM exits during boot with one PCI function hidden against none, same machine, same run"""
    none = one_boot(t, "none", False)
    hid = one_boot(t, "hidden", True)
    t.note("%-40s %10s %10s %8s" % ("", "none", "1 hidden", "ratio"))
    a, b = none["exits"] / none["user"], hid["exits"] / hid["user"]
    t.note("%-40s %9.0f/s %9.0f/s %7.2fx" % ("VM exits per second, power-on -> user", a, b, b / a))
    t.note("%-40s %10d %10d %7.2fx" % ("I/O exits, power-on -> first S3 request", none["io"], hid["io"],
                                        hid["io"] / max(none["io"], 1)))
    t.note("%-40s %10d %10d %7.2fx" % ("all exits, power-on -> first S3 request", none["total"], hid["total"],
                                        hid["total"] / max(none["total"], 1)))
    t.check("both boots measured, the NIC hidden in one of them only",
            none["user"] > 0 and hid["user"] > 0 and hid["hidden"] and not none["hidden"] and
            none["io"] >= 0 and hid["io"] >= 0)
