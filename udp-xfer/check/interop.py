#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check-udp-xfer-interop: sleepmux-xfer against real TFTP peers on the
loopback of a private network namespace, both directions, small and large
files, and under packet loss. Every transfer must be byte-identical.

  - sleepmux-xfer get/put  <->  tftpd-hpa (in.tftpd, run here in the foreground)
  - atftp get/put          <->  sleepmux-xfer serve
  - sleepmux-xfer          <->  sleepmux-xfer serve (windowsize, rollover)
  - sleepmux-xfer with 5% of UDP datagrams dropped by nftables in the
    namespace, against tftpd-hpa and its own server (not atftp: atftp 0.8.0
    aborts when an OACK is repeated because its ACK 0 was lost)

usage: interop.py BUILD_DIR [--big-mib N]
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xfernet as xn  # noqa: E402

TITLE = "udp-xfer interop"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--big-mib", type=int, default=256)
    args = ap.parse_args()
    xn.need_root(TITLE)
    tool = os.path.abspath(os.path.join(args.build, "bin", "sleepmux-xfer"))
    work = os.path.abspath(os.path.join(args.build, "udp-xfer", "interop"))
    shutil.rmtree(work, ignore_errors=True)
    root, out = os.path.join(work, "root"), os.path.join(work, "out")
    os.makedirs(root)
    os.makedirs(out)
    os.chmod(root, 0o777)
    rep = xn.Report(TITLE)

    sizes = [0, 1, 511, 512, 513, 1468 * 3, 100003]
    for s in sizes:
        xn.make_file(os.path.join(root, f"small-{s}"), s, s)
    big = args.big_mib << 20
    xn.make_file(os.path.join(root, "big"), big, 1)
    # 512-byte blocks past 65535: the block number rolls over (to 0).
    roll = 70000 * 512 + 100
    xn.make_file(os.path.join(root, "roll"), roll, 2)

    ns = xn.Netns("interop")
    try:
        xn.start_tftpd(ns, "127.0.0.1", 69, root)
        port = xn.start_serve(ns, tool, "127.0.0.1", root)
        ours = f"127.0.0.1:{port}"

        def xfer(desc, argv, src, dst, expect_ok=True, timeout=300):
            if os.path.exists(dst):
                os.unlink(dst)
            t = time.time()
            r = ns.run(*argv, timeout=timeout)
            took = time.time() - t
            if r.returncode:
                rep.fail(f"{desc}: exit {r.returncode}: {(r.stderr or r.stdout).strip()[-300:]}")
                return
            rep.check(xn.same(src, dst), f"{desc}: {os.path.getsize(src)} bytes identical ({took:.1f} s)",
                      "the bytes differ")
            if os.path.exists(dst):
                os.unlink(dst)

        def get(desc, server, name, *opts, **kw):
            xfer(desc, (tool, "get", "-q", *opts, server, name, os.path.join(out, name)),
                 os.path.join(root, name), os.path.join(out, name), **kw)

        def put(desc, server, name, *opts, **kw):
            xfer(desc, (tool, "put", "-q", *opts, server, os.path.join(root, name), f"up-{name}"),
                 os.path.join(root, name), os.path.join(root, f"up-{name}"), **kw)

        def aget(desc, name, *opts):
            o = sum((["--option", x] for x in opts), [])
            xfer(desc, (xn.ATFTP, "-g", "-r", name, "-l", os.path.join(out, name), *o, "127.0.0.1", str(port)),
                 os.path.join(root, name), os.path.join(out, name))

        def aput(desc, name, *opts):
            o = sum((["--option", x] for x in opts), [])
            xfer(desc, (xn.ATFTP, "-p", "-l", os.path.join(root, name), "-r", f"up-{name}", *o, "127.0.0.1",
                        str(port)), os.path.join(root, name), os.path.join(root, f"up-{name}"))

        # --- sleepmux-xfer <-> tftpd-hpa (ignores windowsize: lock-step) ---
        for s in sizes:
            get(f"get small-{s} from tftpd-hpa", "127.0.0.1", f"small-{s}")
            put(f"put small-{s} to tftpd-hpa", "127.0.0.1", f"small-{s}")
        get("get from tftpd-hpa, no options (RFC 1350)", "127.0.0.1", "small-100003", "--no-options")
        get(f"get {args.big_mib} MiB from tftpd-hpa, blksize 65464", "127.0.0.1", "big", "-b", "65464")
        put(f"put {args.big_mib} MiB to tftpd-hpa, blksize 65464", "127.0.0.1", "big", "-b", "65464")
        get("get 70000+ blocks from tftpd-hpa (rollover)", "127.0.0.1", "roll", "-b", "512")
        put("put 70000+ blocks to tftpd-hpa (rollover)", "127.0.0.1", "roll", "-b", "512")

        # A missing file: a clear error, and the local file that was there survives.
        keep = os.path.join(out, "keep")
        with open(keep, "w") as f:
            f.write("precious")
        r = ns.run(tool, "get", "-q", "127.0.0.1", "no-such-file", keep)
        rep.check(r.returncode == 1 and 'server error 1 (File not found)' in r.stderr
                  and open(keep).read() == "precious" and not os.path.exists(keep + ".part"),
                  "get of a missing file fails clearly and keeps the local file",
                  f"exit {r.returncode}: {r.stderr.strip()}")

        # --- atftp <-> sleepmux-xfer serve ---
        for s in sizes:
            aget(f"atftp get small-{s} (RFC 1350)", f"small-{s}")
            aput(f"atftp put small-{s} (RFC 1350)", f"small-{s}")
        aget("atftp get, blksize 1468 windowsize 8", "small-100003", "blksize 1468", "windowsize 8")
        aput("atftp put, blksize 1468 windowsize 8", "small-100003", "blksize 1468", "windowsize 8")
        aget(f"atftp get {args.big_mib} MiB, blksize 65464 windowsize 8", "big", "blksize 65464", "windowsize 8")
        aput(f"atftp put {args.big_mib} MiB, blksize 65464 windowsize 8", "big", "blksize 65464", "windowsize 8")

        # --- sleepmux-xfer <-> sleepmux-xfer serve ---
        get(f"get {args.big_mib} MiB from serve, blksize 65464 windowsize 16", ours, "big", "-b", "65464", "-w", "16")
        put(f"put {args.big_mib} MiB to serve, blksize 65464 windowsize 16", ours, "big", "-b", "65464", "-w", "16")
        get("get 70000+ blocks from serve, windowsize 32 (rollover)", ours, "roll", "-b", "512", "-w", "32")
        put("put 70000+ blocks to serve, windowsize 32 (rollover)", ours, "roll", "-b", "512", "-w", "32")

        # --- 5% of UDP datagrams dropped ---
        ns.drop(5)
        lossy = os.path.join(root, "lossy")
        xn.make_file(lossy, 16 << 20, 3)
        get("5% loss: get 16 MiB from serve, windowsize 16", ours, "lossy", "-b", "8192", "-w", "16")
        put("5% loss: put 16 MiB to serve, windowsize 16", ours, "lossy", "-b", "8192", "-w", "16")
        get("5% loss: get from tftpd-hpa", "127.0.0.1", "small-100003", "-b", "8192", timeout=120)
        put("5% loss: put to tftpd-hpa", "127.0.0.1", "small-100003", "-b", "8192", timeout=120)
        rep.check(ns.dropped() > 0, f"nftables dropped {ns.dropped()} datagrams during the lossy transfers")
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
