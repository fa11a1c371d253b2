# SPDX-License-Identifier: MIT
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


AHEAD = 25  # seconds from setting the clock to the wake slot


@scenario("power-on-hook", suites=("check",))
def power_on_hook(t):
    """S3 with a wake slot 25 s ahead wakes by itself; a power-off leaves the next alarm armed"""
    # The guest sets the RTC just before it sleeps and before it powers off,
    # so the slot is always the same distance ahead however slow the boot,
    # and it clears RTC_EN each time, as Windows does on its way down. The
    # slot is AHEAD seconds after the clock is set: the guest must reach S3
    # before it, which takes about a second under TCG; the margin is for a
    # machine busy with other work. The checks below go by the order of
    # events, not by how many seconds passed.
    args = cmdline(cycles=1, end="poweroff",
                   extra="sleepmux.rtc=2026-11-27T07:29:%02d sleepmux.rtc_off=2026-11-27T08:00:00 " % (60 - AHEAD) +
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
    c = g.s3_cycle(1, wake=False, timeout=AHEAD + 90)
    rtc_set = m.find_line(r"SLEEPMUX-GUEST os=A event=rtc-set utc=")
    t_set = rtc_set[1] if rtc_set else float("inf")
    wakeups = [e for e in m.qmp.events if e[1] == "WAKEUP"]
    t.phase("S3 -> woken by the RTC alarm", c["verified"] - c["suspended"])
    t.check("S3 with a slot %d s ahead: the machine woke by itself (no QMP wakeup sent), after it was "
            "suspended, and the pattern is intact" % AHEAD,
            c["ok"] and len(wakeups) == 1 and c["suspended"] <= wakeups[0][0] <= c["verified"],
            "%s, WAKEUP events %s, suspended at %.2f s" % (c["fields"], [e[0] for e in wakeups], c["suspended"]))
    t.check("the guest set its clock, then asked for S3, within the %d s before the slot (%.1f s)"
            % (AHEAD, c["suspended"] - t_set), t_set <= c["request"] <= c["suspended"] < t_set + AHEAD)
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
