# SPDX-License-Identifier: MIT
"""Scenarios, checks and the run report.

A scenario is one function that boots as few machines as it can and makes
several named checks against what they did; sharing a boot between checks
is what keeps the suite within its time budget. Each check is one line of
the report; the last line of a run is "N passed, N failed" over all checks.
A scenario that raises (a timeout, QEMU dying) counts one failed check and
prints the tails of its logs.
"""

import fcntl
import os
import time
import traceback

from .machine import Machine, MachineError

SCENARIOS = []
LOCK_PATH = "/tmp/sleepmux-emulator.lock"


def scenario(name, suites=("check",), timeout=600, about=""):
    def register(fn):
        SCENARIOS.append({"name": name, "fn": fn, "suites": set(suites), "timeout": timeout,
                          "about": about or (fn.__doc__ or "").strip().splitlines()[0]})
        return fn
    return register


class CheckFailed(Exception):
    pass


class Context:
    def __init__(self, name, root, build, out, verbose, echo):
        self.name = name
        self.root = root
        self.build = build
        self.out = out
        self.workdir = os.path.join(build, "e2e", name)
        os.makedirs(self.workdir, exist_ok=True)
        self.verbose = verbose
        self.echo = echo
        self.checks = []  # (ok, text)
        self.phases = []  # (name, seconds)
        self.machines = []
        self.notes = []

    def path(self, *p):
        return os.path.join(self.build, *p)

    def machine(self, label="m", **kw):
        m = Machine("%s/%s" % (self.name, label), os.path.join(self.workdir, label), echo=self.echo, **kw)
        self.machines.append(m)
        return m

    def bochs(self, label="m", **kw):
        """A Bochs PC (bochs.py): the VT-x test ground."""
        from .bochs import BochsMachine
        m = BochsMachine("%s/%s" % (self.name, label), os.path.join(self.workdir, label), echo=self.echo, **kw)
        self.machines.append(m)
        return m

    def check(self, text, ok, detail=""):
        ok = bool(ok)
        self.checks.append((ok, text + ("" if ok or not detail else " — " + detail)))
        self.out("    %s %s%s" % ("ok  " if ok else "FAIL", text, "" if ok or not detail else "\n         " + detail))
        return ok

    def require(self, text, ok, detail=""):
        """A check whose failure makes the rest of the scenario meaningless."""
        if not self.check(text, ok, detail):
            raise CheckFailed(text)

    def phase(self, name, seconds):
        self.phases.append((name, seconds))
        self.out("    %-44s %8.2f s" % (name, seconds))

    def note(self, text):
        self.notes.append(text)
        self.out("    " + text)


def run(selected, root, build, out, verbose=False, echo=None):
    """Run scenarios one after another, holding the emulator lock so two
    suites never share this machine's two cores. Returns (passed, failed)."""
    os.makedirs(build, exist_ok=True)
    lock = open(LOCK_PATH, "w")
    t_lock = time.monotonic()
    fcntl.flock(lock, fcntl.LOCK_EX)
    waited = time.monotonic() - t_lock
    if waited > 1:
        out("(waited %.0f s for another emulator run to finish)" % waited)
    passed = failed = boots = 0
    t_all = time.monotonic()
    for sc in selected:
        ctx = Context(sc["name"], root, build, out, verbose, echo)
        out("%s — %s" % (sc["name"], sc["about"]))
        t = time.monotonic()
        try:
            sc["fn"](ctx)
        except CheckFailed:
            pass
        except MachineError as e:
            ctx.checks.append((False, str(e)))
            out("    FAIL %s" % e)
            for m in ctx.machines:
                for line in m.tails():
                    out("      " + line)
        except Exception:
            ctx.checks.append((False, "scenario raised"))
            out("    FAIL scenario raised:\n" + traceback.format_exc())
            for m in ctx.machines:
                for line in m.tails():
                    out("      " + line)
        finally:
            for m in ctx.machines:
                m.stop()
            boots += len(ctx.machines)
        p = sum(1 for ok, _ in ctx.checks if ok)
        f = sum(1 for ok, _ in ctx.checks if not ok)
        if not ctx.checks:
            f = 1
            out("    FAIL scenario made no checks")
        passed += p
        failed += f
        out("    -> %s in %.1f s (logs: %s)" % ("passed" if f == 0 else "FAILED", time.monotonic() - t,
                                               os.path.relpath(ctx.workdir, root)))
    out("e2e: %d scenarios, %d boots, %.1f s" % (len(selected), boots, time.monotonic() - t_all))
    out("%d passed, %d failed" % (passed, failed))
    lock.close()
    return passed, failed
