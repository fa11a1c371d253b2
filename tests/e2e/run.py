#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sleepmux end-to-end runner.

  run.py --suite check          the suite `make check` runs
  run.py --demo                 the demo: live timeline of one scenario
  run.py --only NAME [NAME...]  just these scenarios
  run.py --list                 what exists
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from smx_e2e import suite  # noqa: E402
import scenarios  # noqa: E402,F401  (registers every scenario)

DEMO_LINES = (r"SLEEPMUX-GUEST|Linux version|ACPI: PM: (Preparing|Waking|Low-level)|PM: suspend (entry|exit)"
              r"|sleepmux")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--suite", default=None)
    ap.add_argument("--demo", action="store_true")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()

    root = os.environ.get("SMX_ROOT") or os.path.dirname(os.path.dirname(HERE))
    build = os.environ.get("SMX_BUILD") or os.path.join(root, "build")
    if a.list:
        for sc in suite.SCENARIOS:
            print("%-24s %-16s %s" % (sc["name"], ",".join(sorted(sc["suites"])), sc["about"]))
        return 0

    import threading
    lock = threading.Lock()

    def out(s):
        with lock:  # serial reader threads echo too: whole lines only
            print(s, flush=True)

    echo = None
    if a.demo:
        import re
        rx = re.compile(DEMO_LINES)

        from smx_e2e.sleepmux import VMM_LOG

        def echo(port, t, text):
            # The VMM's own lines and the loader's; the firmware console
            # that OVMF mirrors onto the same port is left out.
            if (port == "vmm" and (VMM_LOG.match(text) or text.startswith("sleepmux:"))) or \
                    (port == "guest" and rx.search(text) and not text.startswith("sleepmux:")):
                out("  [%8.3f] %-5s %s" % (t, port, text))

        chosen = [s for s in suite.SCENARIOS if "demo" in s["suites"]]
    elif a.only:
        chosen = [s for s in suite.SCENARIOS if s["name"] in a.only]
        missing = set(a.only) - {s["name"] for s in chosen}
        if missing:
            out("no such scenario: %s" % ", ".join(sorted(missing)))
            return 2
    else:
        want = a.suite or "check"
        chosen = [s for s in suite.SCENARIOS if want in s["suites"]]
    if a.verbose:
        def echo(port, t, text):  # noqa: F811
            out("  [%8.3f] %-5s %s" % (t, port, text))
    passed, failed = suite.run(chosen, root, build, out, a.verbose, echo)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
