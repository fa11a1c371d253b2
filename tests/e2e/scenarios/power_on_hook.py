"""The Intel-Mac power-on hook (issue 8): with a wake schedule, the VMM arms
the RTC alarm before the OS's S3 or power-off reaches the hardware, so the
machine wakes by itself, whatever the OS did to the wake enable."""

import re

from smx_e2e.guest import Guest, cmdline, fields
from smx_e2e.sleepmux import make_sleepmux_esp, vmm_lines
from smx_e2e.suite import scenario

SCHEDULE = ("wake = daily 07:30\n"
            "wake-from = s3 s5\n"
            "rtc = utc\n"
            "on-s3 = sleep\n")


@scenario("power-on-hook", suites=("check", "demo"))
def power_on_hook(t):
    """S3 with a wake slot 10 s ahead wakes by itself; a power-off leaves the next alarm armed"""
    # The guest sets the RTC just before it sleeps and before it powers off,
    # so the slot is always the same distance ahead however slow the boot,
    # and it clears RTC_EN each time, as Windows does on its way down.
    args = cmdline(cycles=1, end="poweroff",
                   extra="sleepmux.rtc=2026-11-27T07:29:50 sleepmux.rtc_off=2026-11-27T08:00:00 "
                         "sleepmux.clear_rtc_en=1")
    esp = make_sleepmux_esp(t, guest_args=args, os_extra={"A": SCHEDULE})
    m = t.machine(disks=[esp], no_shutdown=True)
    m.start()
    g = Guest(t, m, "A")
    _, _, active = m.wait_line(r"vmm: active: svm back end, (\d+) trapped port ranges", 120, port="vmm",
                               what="the VMM to become active")
    t.check("with a schedule the VMM also traps PM1a_EN, one range more than without (%s)" % active.group(1),
            active.group(1) == "4" and vmm_lines(m, "wake", r"schedule for OS A: daily 07:30"))
    g.boot()
    _, f, _ = g.wait(r"event=rtc-en-cleared", 60, "the guest to clear RTC_EN")
    t.check("PM1_EN.RTC_EN is clear as the guest goes to sleep (PM1_EN %s -> %s)" % (f.get("before"), f.get("after")),
            int(f.get("after", "0x400"), 16) & 0x400 == 0, str(f))
    c = g.s3_cycle(1, wake=False, timeout=90)
    wakeups = [e for e in m.qmp.events if e[1] == "WAKEUP"]
    t.phase("S3 -> woken by the RTC alarm", c["verified"] - c["suspended"])
    t.check("S3 with a slot 10 s ahead: the machine woke by itself (no QMP wakeup sent) and the pattern "
            "is intact", c["ok"] and wakeups, "%s, WAKEUP events %d" % (c["fields"], len(wakeups)))
    armed = vmm_lines(m, "wake", r"wake armed for 2026-11-27 07:30 local \(rtc utc\+00:00\), next of: daily 07:30")
    t.check("the VMM logged what it armed for the S3: %s" % (armed[0][3] if armed else "-"), armed)

    _, f, _ = g.wait(r"event=poweroff", 60, "the guest to power off")
    m.wait_event("SHUTDOWN", 60)
    armed = vmm_lines(m, "wake", r"wake armed for 2026-11-28 07:30 local .*\(S5")
    t.check("powering off at 08:00 arms tomorrow's 07:30 slot: %s" % (armed[0][3] if armed else "-"), armed)
    cleared = [fields(text) for _, text in m.port("guest").lines if "event=rtc-en-cleared" in text]
    f = cleared[-1] if len(cleared) == 2 else {}
    rb = vmm_lines(m, "wake", r"read back: alarm 07:30:00 .*AIE on, RTC_EN set, RTC_STS clear")
    t.check("after the guest cleared RTC_EN (PM1_EN %s) and powered off, the VMM's read-back shows the "
            "alarm at 07:30:00 with AIE on and RTC_EN set" % f.get("after"),
            len(rb) == 2 and int(f.get("after", "0x400"), 16) & 0x400 == 0,
            "read-backs: %s" % [x[3] for x in vmm_lines(m, "wake", "read back")])
