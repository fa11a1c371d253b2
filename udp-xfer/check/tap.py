#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check-udp-xfer-tap: the VMM's binding (lwIP raw UDP, NO_SYS=1, driven by
one poll loop) over a TAP device in a private network namespace, against a
real tftpd-hpa and against sleepmux-xfer serve on the kernel side of the
TAP. Ethernet MTU 1500, so blocks above 1472 bytes travel as IP fragments
that lwIP reassembles and emits. Every transfer must be byte-identical,
also with Ethernet frames lost on the wire.

usage: tap.py BUILD_DIR [--big-mib N]
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xfernet as xn  # noqa: E402

TITLE = "udp-xfer lwIP/TAP"
SERVER, CLIENT, DEV = "10.77.0.1", "10.77.0.2/24", "xtap0"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--big-mib", type=int, default=256)
    args = ap.parse_args()
    xn.need_root(TITLE)
    bins = os.path.abspath(os.path.join(args.build, "bin"))
    tap_tool, tool = os.path.join(bins, "sleepmux-xfer-tap"), os.path.join(bins, "sleepmux-xfer")
    work = os.path.abspath(os.path.join(args.build, "udp-xfer", "tap"))
    shutil.rmtree(work, ignore_errors=True)
    root, out = os.path.join(work, "root"), os.path.join(work, "out")
    os.makedirs(root)
    os.makedirs(out)
    os.chmod(root, 0o777)
    rep = xn.Report(TITLE)

    for s in (0, 1468, 100003):
        xn.make_file(os.path.join(root, f"small-{s}"), s, s)
    xn.make_file(os.path.join(root, "mid"), 32 << 20, 4)
    xn.make_file(os.path.join(root, "big"), args.big_mib << 20, 5)

    ns = xn.Netns("tap")
    try:
        ns.add_tap(DEV, f"{SERVER}/24")
        xn.start_tftpd(ns, SERVER, 69, root)
        port = xn.start_serve(ns, tool, SERVER, root)

        def run(desc, direction, server, name, *opts, timeout=300):
            if direction == "get":
                src, dst, local, remote = os.path.join(root, name), os.path.join(out, name), \
                    os.path.join(out, name), name
            else:
                src, dst, local, remote = os.path.join(root, name), os.path.join(root, f"up-{name}"), \
                    os.path.join(root, name), f"up-{name}"
            if os.path.exists(dst):
                os.unlink(dst)
            t = time.time()
            r = ns.run(tap_tool, "--tap", DEV, "--ip", CLIENT, "-q", *opts, direction, server, remote, local,
                       timeout=timeout)
            took = time.time() - t
            if r.returncode:
                rep.fail(f"{desc}: exit {r.returncode}: {r.stderr.strip()[-300:]}")
            else:
                rep.check(xn.same(src, dst), f"{desc}: {os.path.getsize(src)} bytes identical ({took:.1f} s)",
                          "the bytes differ")
            if os.path.exists(dst):
                os.unlink(dst)

        # --- lwIP <-> tftpd-hpa (lock-step) ---
        for s in (0, 1468, 100003):
            run(f"get small-{s} from tftpd-hpa", "get", SERVER, f"small-{s}")
            run(f"put small-{s} to tftpd-hpa", "put", SERVER, f"small-{s}")
        run("get from tftpd-hpa, blksize 512 (no fragments)", "get", SERVER, "small-100003", "-b", "512")
        run(f"get {args.big_mib} MiB from tftpd-hpa, blksize 65464 (45 fragments a block)", "get", SERVER, "big",
            "-b", "65464")
        run(f"put {args.big_mib} MiB to tftpd-hpa, blksize 65464", "put", SERVER, "big", "-b", "65464")

        # --- lwIP <-> sleepmux-xfer serve (windowsize) ---
        ours = f"{SERVER}:{port}"
        run("get 32 MiB from serve, blksize 1468 windowsize 32", "get", ours, "mid", "-b", "1468", "-w", "32")
        run("put 32 MiB to serve, blksize 1468 windowsize 32", "put", ours, "mid", "-b", "1468", "-w", "32")
        run("get 32 MiB from serve, blksize 8192 windowsize 16", "get", ours, "mid", "-b", "8192", "-w", "16")
        run("put 32 MiB to serve, blksize 8192 windowsize 16", "put", ours, "mid", "-b", "8192", "-w", "16")

        # --- 2% of Ethernet frames lost on the TAP's wire, both ways ---
        ns.drop(2, dev=DEV)
        run("2% frame loss: get 32 MiB from serve, windowsize 16", "get", ours, "mid", "-b", "1468", "-w", "16")
        run("2% frame loss: put 32 MiB to serve, windowsize 16", "put", ours, "mid", "-b", "1468", "-w", "16")
        run("2% frame loss: get from tftpd-hpa", "get", SERVER, "small-100003", "-b", "1468", timeout=120)
        run("2% frame loss: put to tftpd-hpa", "put", SERVER, "small-100003", "-b", "1468", timeout=120)
        rep.check(ns.dropped() > 0, f"nftables dropped {ns.dropped()} frames during the lossy transfers")
        ns.drop(0)

        # --- 1% frame loss with 64 KiB blocks (45 fragments each, 36% of
        #     blocks lost): the get falls back to frame-sized blocks. ---
        ns.drop(1, dev=DEV)
        for fallback in (True, False):
            dst = os.path.join(out, "mid")
            if os.path.exists(dst):
                os.unlink(dst)
            t = time.time()
            r = ns.run(tap_tool, "--tap", DEV, "--ip", CLIENT, *(() if fallback else ("--no-fallback",)),
                       "get", ours, "mid", dst, "-b", "65464", "-w", "16", timeout=180)
            took = time.time() - t
            line = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
            if fallback:
                rep.check(r.returncode == 0 and xn.same(os.path.join(root, "mid"), dst) and
                          "fell back to smaller blocks" in line and "blksize 1468" in line,
                          f"1% frame loss, blksize 65464: the get falls back to 1468-byte blocks and "
                          f"completes ({took:.1f} s)", f"exit {r.returncode}: {line[-200:]}")
            else:
                # For comparison only: what the fallback saves.
                rep.ok(f"(without the fallback: {'done' if r.returncode == 0 else 'failed'} in {took:.1f} s: "
                       f"{line[-110:]})")
        rep.check(ns.dropped() > 0, f"nftables dropped {ns.dropped()} frames")
        ns.drop(0)
    except (xn.Failure, subprocess.TimeoutExpired) as e:
        rep.fail(str(e))
    finally:
        ns.close()
    if not rep.failed:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main())
