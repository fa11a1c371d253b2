# SPDX-License-Identifier: MIT
"""make bench, the VMM's part (issue 7): the same ESP booted without
vmm.elf (the loader reads its config, finds no VMM, says so and chain-loads
the OS itself: its fallback path) and with it, so both runs pay for the
loader and the only difference is the VMM.
Printed as ratios from this one run:
  boot      QEMU start -> guest user space, with / without the VMM
  exits     VM exits per second during boot and while the guest idles
  sleep     S3 request -> suspended, with / without
  resume    wakeup -> guest running again (its pattern check excluded), with / without
Each configuration boots RUNS times, alternating; the best run counts
(emulation noise only ever adds time) and the spread of all runs is printed
next to it, because under TCG it is as large as the effects measured."""

from smx_e2e.guest import Guest, cmdline
from smx_e2e.sleepmux import make_sleepmux_esp
from smx_e2e.suite import scenario

RUNS = 3
CYCLES = 3
IDLE = 10


def one_boot(t, label, vmm, smp=1):
    extra = "sleepmux.idle=%d" % IDLE + (" sleepmux.cpus=1" if smp > 1 else "")
    esp = make_sleepmux_esp(t, name="esp-%s.img" % label, vmm=vmm,
                            guest_args=cmdline(cycles=CYCLES, end="poweroff", buffer="64M", extra=extra))
    m = t.machine(label, disks=[esp], smp=smp)
    m.start()
    g = Guest(t, m, "A")
    r = {}
    r["user"], f, _ = g.wait(r"event=boot", 180, "guest user space")
    _, v, _ = g.wait(r"event=vmm ", 60, "the CPUID probe")
    r["boot_exits"] = int(v.get("exits", 0))
    _, idle, _ = g.wait(r"event=idle", IDLE + 60, "the idle measurement")
    r["idle_exits_per_s"] = int(idle["exits"]) / float(idle["seconds"])
    if smp > 1 and vmm:
        _, ic, _ = g.wait(r"event=idle-cpus", IDLE + 60, "the per-CPU idle measurement")
        r["idle_cpus"] = ic.get("rates", "")
    sleeps, resumes = [], []
    for n in range(1, CYCLES + 1):
        c = g.s3_cycle(n)
        if not c["ok"]:
            raise AssertionError("cycle %d failed: %s" % (n, c["fields"]))
        sleeps.append(c["sleep"])
        resumes.append(c["resume"] - float(c["fields"].get("seconds", 0)))
    r["sleep"] = min(sleeps)
    r["resume"] = min(resumes)
    g.done()
    m.wait_exit(60)
    m.stop()
    return r


@scenario("bench-vmm", suites=("bench",))
def bench_vmm(t):
    """boot, exits and S3 latency with the VMM against without it, same ESP, same run"""
    res = {False: [], True: []}
    for i in range(RUNS):
        for vmm in (False, True):
            res[vmm].append(one_boot(t, "%s-%d" % ("vmm" if vmm else "bare", i), vmm))
    best = {k: {m: min(r[m] for r in v) for m in v[0]} for k, v in res.items()}
    b, v = best[False], best[True]
    t.note("%-34s %10s %10s %8s  goal" % ("", "bare", "sleepmux", "ratio"))
    t.note("%-34s %9.2fs %9.2fs %7.3fx  <= 1.05x" % ("QEMU start -> guest user space", b["user"], v["user"],
                                                      v["user"] / b["user"]))
    t.note("%-34s %10s %10s" % ("  spread of all runs", "%.2f-%.2f" % (min(r["user"] for r in res[False]),
                                                                      max(r["user"] for r in res[False])),
                                 "%.2f-%.2f" % (min(r["user"] for r in res[True]), max(r["user"] for r in res[True]))))
    t.note("%-34s %10s %9.0f/s" % ("VM exits per second during boot", "-", v["boot_exits"] / v["user"]))
    t.note("%-34s %10s %9.2f/s           near 0" % ("VM exits per second while idle", "-", v["idle_exits_per_s"]))
    t.note("%-34s %9.3fs %9.3fs %7.3fx" % ("S3 request -> suspended", b["sleep"], v["sleep"], v["sleep"] / b["sleep"]))
    t.note("%-34s %9.3fs %9.3fs %7.3fx  <= 1.1x" % ("wakeup -> guest running again", b["resume"], v["resume"],
                                                     v["resume"] / b["resume"]))
    total_b, total_v = b["sleep"] + b["resume"], v["sleep"] + v["resume"]
    t.note("%-34s %9.3fs %9.3fs %7.3fx  <= 1.1x" % ("sleep request -> running again", total_b, total_v,
                                                     total_v / total_b))
    # one_boot raises on any wait that fails, so getting here is most of the
    # check; what is left is that every run measured something.
    t.check("the bench ran %d boots with and without the VMM, every one with a boot time and %d S3 cycles"
            % (2 * RUNS, CYCLES),
            all(len(res[k]) == RUNS and all(r["user"] > 0 and r["sleep"] > 0 and r["resume"] > 0 for r in res[k])
                for k in res) and v["boot_exits"] > 0)


@scenario("bench-smp", suites=("bench",))
def bench_smp(t):
    """-smp 2: boot time with the VMM against without, and each CPU's exits while idle, same run"""
    runs = 2
    res = {False: [], True: []}
    for i in range(runs):
        for vmm in (False, True):
            res[vmm].append(one_boot(t, "smp2-%s-%d" % ("vmm" if vmm else "bare", i), vmm, smp=2))
    b = min(r["user"] for r in res[False])
    v = min(r["user"] for r in res[True])
    t.note("-smp 2, best of %d boots each:" % runs)
    t.note("%-34s %9.2fs %9.2fs %7.3fx" % ("QEMU start -> guest user space", b, v, v / b))
    t.note("%-34s %10s %s" % ("VM exits per second while idle", "", "  ".join(
        "cpu %s: %s/s" % tuple(x.split(":")) for x in res[True][-1]["idle_cpus"].split(",") if ":" in x)))
    t.check("the bench booted -smp 2 %d times with and %d times without the VMM, and measured each CPU idle"
            % (runs, runs), all(len(res[k]) == runs for k in res)
            and all(len(r["idle_cpus"].split(",")) == 2 for r in res[True]))
