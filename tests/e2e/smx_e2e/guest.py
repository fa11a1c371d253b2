# SPDX-License-Identifier: MIT
"""Driving the test guests (tests/guest): boot them, run S3 cycles, and read
their machine-readable lines:

  SLEEPMUX-GUEST os=A cycle=3 pattern=ok seconds=0.52 uptime=41.20
"""

import re

from .machine import MachineError

CONSOLE = "console=ttyS0,115200 mem_sleep_default=deep no_console_suspend"
LINE = r"SLEEPMUX-GUEST os=%s "


def cmdline(cycles=3, buffer="256M", end="poweroff", extra=""):
    return ("%s sleepmux.buffer=%s sleepmux.cycles=%d sleepmux.end=%s %s"
            % (CONSOLE, buffer, cycles, end, extra)).strip()


def fields(text):
    return dict(kv.split("=", 1) for kv in text.split() if "=" in kv)


class Guest:
    """One test guest running on machine `m`, reporting as OS `os_id`."""

    def __init__(self, ctx, m, os_id):
        self.ctx = ctx
        self.m = m
        self.os = os_id
        self.prefix = LINE % os_id
        self.cursor = 0

    def wait(self, pattern, timeout, what=None):
        i, t, mt = self.m.wait_line(self.prefix + pattern, timeout, since=self.cursor, what=what)
        self.cursor = i + 1
        return t, fields(self.m.port("guest").lines[i][1]), mt

    def boot(self, timeout=180):
        """Firmware + kernel + the guest filling its buffer. Returns the
        host time at which the guest is ready."""
        _, t_kernel, _ = self.m.wait_line(r"Linux version \S+", timeout, what="the kernel banner")
        self.ctx.phase("QEMU start -> kernel banner", t_kernel)
        t_boot, f, _ = self.wait(r"event=boot", timeout, "guest %s user space" % self.os)
        self.ctx.phase("kernel banner -> guest user space", t_boot - t_kernel)
        t_fill, f, _ = self.wait(r"event=(filled|error)", timeout, "guest %s to fill its buffer" % self.os)
        if "error" in f.get("event", ""):
            raise MachineError("guest %s could not set up its buffer: %s" % (self.os, f))
        self.ctx.phase("fill %s MiB pattern (guest: %s s)" % (f.get("mib"), f.get("seconds")), t_fill - t_boot)
        return t_fill

    def s3_cycle(self, n, wake=True, timeout=120):
        """One S3 cycle: the guest asks for S3, QEMU reports SUSPEND, the
        host wakes it (QMP system_wakeup) unless wake=False, and the guest
        verifies its buffer. Returns a dict of timings and the verdict."""
        ev = self.m.event_mark()
        t_req, _, _ = self.wait(r"cycle=%d event=suspend" % n, timeout, "guest %s to request S3 (cycle %d)" % (self.os, n))
        _, t_susp, _ = self.m.wait_event("SUSPEND", timeout, since=ev)
        t_wake = None
        if wake:
            self.m.qmp.execute("system_wakeup")
            t_wake = self.m.clock()
        t_done, f, _ = self.wait(r"cycle=%d (pattern=\S+|event=suspend-failed)" % n, timeout,
                                 "guest %s to verify after resume (cycle %d)" % (self.os, n))
        return {"request": t_req, "suspended": t_susp, "wake": t_wake, "verified": t_done,
                "ok": f.get("pattern") == "ok", "fields": f,
                "sleep": t_susp - t_req, "resume": t_done - (t_wake if t_wake is not None else t_susp)}

    def done(self, timeout=60):
        t, f, _ = self.wait(r"event=done", timeout, "guest %s to finish" % self.os)
        return t, f
