#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Make a raw dump of a real test guest's memory: boot guest A or B under
OVMF, let it fill its pattern buffer and suspend to RAM, then save its RAM
with QMP pmemsave while it is in S3 (nothing changes memory then, so the dump
is one consistent image). Used by imagestore's round-trip tests and
benchmarks as real guest memory.

usage: dump_memory.py --os A --memory 512 --buffer 64M --out build/guest/mem-A.raw
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from smx_e2e import suite  # noqa: E402
from smx_e2e.guest import Guest, cmdline  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--os", default="A", choices=["A", "B"])
    ap.add_argument("--memory", type=int, default=512, help="guest RAM in MiB")
    ap.add_argument("--buffer", default="64M")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    root = os.environ.get("SMX_ROOT") or os.path.dirname(os.path.dirname(HERE))
    build = os.environ.get("SMX_BUILD") or os.path.join(root, "build")
    out = os.path.abspath(a.out)
    name = "dump-memory-%s" % a.os

    @suite.scenario(name, suites=())
    def dump(t):
        """real guest memory for imagestore, saved while the guest is in S3"""
        m = t.machine(kernel=t.path("guest", "vmlinuz"), initrd=t.path("guest", "initrd-%s.img" % a.os),
                      append=cmdline(cycles=1, buffer=a.buffer, end="poweroff"), memory="%dM" % a.memory,
                      vmm_port=False)
        m.start()
        g = Guest(t, m, a.os)
        g.boot()
        ev = m.event_mark()
        g.wait(r"cycle=1 event=suspend", 60)
        m.wait_event("SUSPEND", 60, since=ev)
        tmp = out + ".tmp"
        m.qmp.execute("pmemsave", val=0, size=a.memory << 20, filename=tmp, timeout=120)
        ok = os.path.exists(tmp) and os.path.getsize(tmp) == a.memory << 20
        if ok:
            os.replace(tmp, out)
        t.check("saved %d MiB of guest %s's RAM while in S3 to %s" % (a.memory, a.os, out), ok)

    passed, failed = suite.run([s for s in suite.SCENARIOS if s["name"] == name], root, build,
                               lambda s: print(s, flush=True))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
