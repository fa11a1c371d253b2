# SPDX-License-Identifier: MIT
"""Every CPU under the VMM (issue 13): the application processors enter the
VMM before they run any guest code, the firmware's and the OS's INIT and
start-up IPIs go through it, CPUs go offline and online between sleeps, and
S3 with several CPUs works any number of times."""

import re

from smx_e2e.guest import Guest, cmdline
from smx_e2e.sleepmux import make_sleepmux_esp, vmm_lines
from smx_e2e.suite import scenario


def smp_run(t, cpus, cycles):
    esp = make_sleepmux_esp(t, guest_args=cmdline(cycles=cycles, end="poweroff", buffer="128M",
                                                  extra="sleepmux.cpus=1 sleepmux.hotplug=1"))
    m = t.machine(disks=[esp], smp=cpus)
    m.start()
    g = Guest(t, m, "A")
    _, t_aps, aps = m.wait_line(r"smp: (\d+) of (\d+) application processors in the VMM \(APIC IDs ([^)]*)\) "
                                r"after (\d+) ms", 120, port="vmm", what="the APs to arrive in the VMM")
    t.check("at start, all %d application processors arrive in the VMM (%s of %s, APIC IDs %s, %s ms)"
            % (cpus - 1, aps.group(1), aps.group(2), aps.group(3), aps.group(4)),
            aps.group(1) == aps.group(2) == str(cpus - 1))
    _, t_active, _ = m.wait_line(r"vmm: active: svm", 60, port="vmm", what="the VMM to become active")
    g.boot()
    _, t_kernel, _ = m.find_line(r"Linux version")
    t.check("the APs are in the VMM before the kernel starts (%.2f s < %.2f s)" % (t_aps, t_kernel),
            t_aps < t_kernel)
    _, c, _ = g.wait(r"event=cpus ", 120, "the per-CPU probe")
    t.check("at boot, every one of the %d CPUs runs under the VMM: sees sleepmux's CPUID signature and reads "
            "nothing of its region (%s)" % (cpus, c.get("list")),
            c.get("n") == str(cpus) and c.get("probed") == str(cpus) and c.get("signature") == str(cpus)
            and c.get("region_nonzero") == "0", str(c))
    for n in range(1, cycles + 1):
        _, h, _ = g.wait(r"cycle=%d event=hotplug " % n, 120, "CPU offline/online before cycle %d" % n)
        t.check("cycle %d: every AP went offline and came back online through the VMM (%s of %s, %s s)"
                % (n, h.get("ok"), h.get("cpus"), h.get("seconds")),
                h.get("ok") == h.get("cpus") == str(cpus - 1), str(h))
        _, a, _ = g.wait(r"after-hotplug event=cpus ", 60, "the probe after hotplug")
        t.check("cycle %d: after hotplug, all %d CPUs still see the VMM (%s)" % (n, cpus, a.get("list")),
                a.get("signature") == str(cpus) and a.get("region_nonzero") == "0", str(a))
        r = g.s3_cycle(n)
        t.phase("cycle %d: S3 request -> suspended" % n, r["sleep"])
        t.phase("cycle %d: wakeup -> pattern verified" % n, r["resume"])
        t.check("cycle %d: S3 with %d CPUs, resumed with the pattern intact" % (n, cpus), r["ok"], str(r["fields"]))
        _, p, _ = g.wait(r"cycle=%d event=cpus " % n, 60, "the probe after resume %d" % n)
        t.check("cycle %d: after the resume, all %d CPUs run under the VMM (%s)" % (n, cpus, p.get("list")),
                p.get("probed") == str(cpus) and p.get("signature") == str(cpus) and p.get("region_nonzero") == "0",
                str(p))
    back = [re.match(r"(\d+) of", x[3]).group(1) for x in vmm_lines(m, "smp", r"^\d+ of \d+ application processors")]
    t.check("after every wake the VMM took all APs back before the OS restarted them (%d bring-ups for %d wakes: "
            "%s)" % (len(back) - 1, cycles, back), back == [str(cpus - 1)] * (cycles + 1))
    running = vmm_lines(m, "smp", r"was running OS code")
    t.check("at every sleep the OS had already parked its APs (no CPU found running OS code)", not running,
            str([x[3] for x in running]))
    g.done()
    t.check("the guest powers off through the VMM (QEMU exits 0)", m.wait_exit(60) == 0)


@scenario("smp-2", suites=("check",))
def smp_2(t):
    """-smp 2: both CPUs under the VMM at boot, after CPU hotplug and after each of 5 S3 cycles"""
    smp_run(t, 2, 5)


@scenario("smp-4", suites=("check",))
def smp_4(t):
    """-smp 4: all four CPUs under the VMM, hotplug and S3 twice"""
    smp_run(t, 4, 2)
