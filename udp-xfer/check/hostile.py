#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check-udp-xfer-hostile: `sleepmux-xfer serve` against hostile peers and
a hostile directory (issue 15), on this machine's loopback only.

  - spoofed ERRORs (and DATA) between two servers and from a server to
    itself: no ping-pong, no CPU burnt, no log flood
  - a flood of bad requests: refusals are rate-limited
  - symbolic links to directories inside the served directory: never
    followed, for reads or writes
  - a 289-byte name (components under 255 bytes): written under that name,
    never under a truncated one; a component over 255 bytes is refused
  - a FIFO: refused at once, and the server keeps answering
  - silent requests (never acknowledged) from one address or many: other
    clients are still served

Spoofed datagrams are sent through a raw socket (root) to 127.0.0.1.

usage: hostile.py BUILD_DIR
"""
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xfernet as xn  # noqa: E402

TITLE = "udp-xfer hostile"
LO = "127.0.0.1"


class Server:
    """`sleepmux-xfer serve` on 127.0.0.1, its log in a file."""

    def __init__(self, tool, root, log, *extra):
        self.log = log
        self.p = subprocess.Popen((tool, "serve", "-a", f"{LO}:0", "-W", *extra, root), stdout=subprocess.PIPE,
                                  stderr=open(log, "w"), text=True)
        line = self.p.stdout.readline()
        m = re.match(r"listening on .*:(\d+)$", line.strip())
        if not m:
            raise xn.Failure(f"sleepmux-xfer serve did not start: {line!r}")
        self.port = int(m.group(1))

    def cpu_s(self):
        """User + system CPU seconds the server has used so far."""
        f = open(f"/proc/{self.p.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")

    def lines(self):
        return open(self.log).read().splitlines()

    def close(self):
        if self.p.poll() is None:
            self.p.terminate()
            self.p.wait(5)


def udp_from(src_ip, src_port, dst_port, payload):
    """A UDP datagram to 127.0.0.1:dst_port that claims to come from
    src_ip:src_port (a raw socket writes the UDP header; checksum 0 means
    none, which IPv4 allows)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
    try:
        s.bind((src_ip, 0))
        s.sendto(struct.pack("!HHHH", src_port, dst_port, 8 + len(payload), 0) + payload, (LO, 0))
    finally:
        s.close()


def error_pkt(code, text):
    return struct.pack("!HH", 5, code) + text.encode() + b"\0"


def request(op, name, mode="octet", *opts):
    return struct.pack("!H", op) + name.encode() + b"\0" + mode.encode() + b"\0" + \
        b"".join(o.encode() + b"\0" for o in opts)


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    if os.geteuid() != 0:
        print(f"FAIL: {TITLE}: needs root (raw sockets for spoofed datagrams)")
        sys.exit(1)
    build = sys.argv[1]
    tool = os.path.abspath(os.path.join(build, "bin", "sleepmux-xfer"))
    work = os.path.abspath(os.path.join(build, "udp-xfer", "hostile"))
    shutil.rmtree(work, ignore_errors=True)
    root, outside, out = (os.path.join(work, d) for d in ("root", "outside", "out"))
    for d in (root, outside, out):
        os.makedirs(d)
    rep = xn.Report(TITLE)
    xn.make_file(os.path.join(root, "small"), 5000, 1)
    servers = []

    def serve(tag, *extra):
        s = Server(tool, root, os.path.join(work, f"{tag}.log"), *extra)
        servers.append(s)
        return s

    def run(*argv, timeout=30):
        t = time.time()
        try:
            r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
            return r.returncode, r.stderr.strip(), time.time() - t
        except subprocess.TimeoutExpired:
            return None, f"no answer in {timeout} s", time.time() - t

    def get(srv, name, dst, *opts, timeout=30):
        return run(tool, "get", "-q", "--retries", "3", *opts, f"{LO}:{srv.port}", name, dst, timeout=timeout)

    def put(srv, src, name, *opts, timeout=30):
        return run(tool, "put", "-q", "--retries", "3", *opts, f"{LO}:{srv.port}", src, name, timeout=timeout)

    def gets_small(srv, what):
        dst = os.path.join(out, "small")
        rc, err, took = get(srv, "small", dst)
        rep.check(rc == 0 and xn.same(os.path.join(root, "small"), dst),
                  f"{what}: a get still works ({took:.2f} s)", f"exit {rc}: {err}")

    try:
        r = subprocess.run((tool, "--help"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        rep.check(r.returncode == 0 and "usage:" in r.stdout and not r.stderr,
                  "sleepmux-xfer --help: exit 0, usage on stdout", f"exit {r.returncode}, stderr {r.stderr[:80]!r}")

        # 1. Spoofed ERRORs: B -> A, and A -> A. Without care the listening
        #    ports answer each other (and A itself) forever.
        a, b = serve("a"), serve("b")
        cpu0 = a.cpu_s() + b.cpu_s()
        udp_from(LO, b.port, a.port, error_pkt(0, "spoofed"))
        udp_from(LO, a.port, a.port, error_pkt(0, "spoofed, from itself"))
        udp_from(LO, b.port, a.port, struct.pack("!HH", 3, 1) + b"stray DATA")
        udp_from(LO, a.port, b.port, struct.pack("!HH", 4, 7))
        time.sleep(2)
        cpu = a.cpu_s() + b.cpu_s() - cpu0
        lines = len(a.lines()) + len(b.lines())
        rep.check(cpu < 0.2 and lines <= 2,
                  f"spoofed ERROR/DATA/ACK between two servers and from a server to itself: "
                  f"{lines} log lines, {cpu:.2f} s CPU in 2 s", "the servers answer each other")
        gets_small(a, "after the spoofed ERRORs")

        # 2. A flood of bad requests: refusals are rate-limited.
        c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        c.bind((LO, 0))
        c.settimeout(0.5)
        for _ in range(500):
            c.sendto(request(1, "small", "mail"), (LO, a.port))
        answers = 0
        try:
            while True:
                c.recvfrom(600)
                answers += 1
        except socket.timeout:
            pass
        c.close()
        rep.check(1 <= answers <= 40, f"500 bad requests at once: {answers} refusals sent (rate-limited)",
                  "not rate-limited" if answers > 40 else "none answered")
        a.close()
        b.close()
        srv = serve("main")

        # 3. Symbolic links to directories outside DIR.
        with open(os.path.join(outside, "secret"), "w") as f:
            f.write("outside the served directory\n")
        os.symlink(outside, os.path.join(root, "link"))
        os.symlink(os.path.join(outside, "secret"), os.path.join(root, "leaf-link"))
        os.makedirs(os.path.join(root, "sub", "deeper"))
        xn.make_file(os.path.join(root, "sub", "deeper", "file"), 3000, 2)
        dst = os.path.join(out, "secret")
        rc, err, _ = get(srv, "link/secret", dst)
        rep.check(rc != 0 and not os.path.exists(dst) and "symbolic link" in err,
                  f"get link/secret (link -> a directory outside) refused: {err[-90:]}", f"exit {rc}")
        dst = os.path.join(out, "leaf-link")
        rc, err, _ = get(srv, "leaf-link", dst)
        rep.check(rc != 0 and not os.path.exists(dst), f"get of a symbolic link refused: {err[-80:]}", f"exit {rc}")
        rc, err, _ = put(srv, os.path.join(root, "small"), "link/new")
        rep.check(rc != 0 and not os.path.exists(os.path.join(outside, "new")) and
                  not [n for n in os.listdir(outside) if n != "secret"],
                  f"put link/new refused, nothing created outside: {err[-80:]}",
                  f"exit {rc}, outside holds {os.listdir(outside)}")
        rc, err, _ = get(srv, "/sub/./deeper//file", os.path.join(out, "file"))
        rep.check(rc == 0 and xn.same(os.path.join(root, "sub", "deeper", "file"), os.path.join(out, "file")),
                  "get /sub/./deeper//file (real directories) works", f"exit {rc}: {err}")

        # 4. Long names: 289 bytes, each component under 255.
        d = "d" * 100
        os.makedirs(os.path.join(root, d))
        long_name, cut = f"{d}/{'f' * 188}", f"{d}/{'f' * 154}"
        assert len(long_name) == 289 and len(cut) == 255
        with open(os.path.join(root, cut), "wb") as f:
            f.write(b"precious\n")
        src = os.path.join(root, "small")
        rc, err, _ = put(srv, src, long_name)
        rep.check(rc == 0 and xn.same(src, os.path.join(root, long_name)) and
                  open(os.path.join(root, cut), "rb").read() == b"precious\n",
                  "put of a 289-byte name lands under that name; the file at its first 255 bytes is untouched",
                  f"exit {rc}: {err}; precious file now {open(os.path.join(root, cut), 'rb').read()[:20]!r}")
        rc, err, _ = get(srv, long_name, os.path.join(out, "long"))
        rep.check(rc == 0 and xn.same(src, os.path.join(out, "long")), "get of the 289-byte name works",
                  f"exit {rc}: {err}")
        rc, err, _ = put(srv, src, "g" * 300)
        rep.check(rc != 0 and "255" in err and not [n for n in os.listdir(root) if n.startswith("ggg")],
                  f"put of a 300-byte component refused: {err[-70:]}", f"exit {rc}: {err}")
        leftovers = [n for n in os.listdir(root) if n.endswith(".part")]
        rep.check(not leftovers, "no temporary file left behind", f"left {leftovers}")

        # 5. A FIFO: refused without blocking the server.
        os.mkfifo(os.path.join(root, "pipe"))
        rc, err, took = get(srv, "pipe", os.path.join(out, "pipe"), timeout=10)
        rep.check(rc not in (0, None) and "not a regular file" in err and took < 3,
                  f"get of a FIFO refused in {took:.2f} s: {err[-60:]}", f"exit {rc}: {err}")
        gets_small(srv, "after the FIFO")
        srv.close()

        # 6. Silent requests: 40 from one address, then 40 from 40
        #    addresses, none ever acknowledged. Others are still served.
        srv = serve("silent")
        socks = []
        for i in range(80):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((f"127.0.0.2" if i < 40 else f"127.0.1.{i - 39}", 0))
            s.sendto(request(1, "small", "octet", "blksize", "1468"), (LO, srv.port))
            socks.append(s)
        time.sleep(0.3)
        gets_small(srv, "80 silent requests (40 from one address, 40 from 40 others)")
        log = "\n".join(srv.lines())
        per_host = log.count("from your address")
        rep.check(per_host >= 1, f"one address holds at most a share of the slots ({per_host} of its requests "
                  "refused, rate-limited)", "never refused")
        time.sleep(5.5)
        gone = "\n".join(srv.lines()).count("no answer from the client in 5 s")
        rep.check(gone >= 1, f"transfers never acknowledged end after 5 s ({gone} ended so)", "still waiting")
        for s in socks:
            s.close()
    except xn.Failure as e:
        rep.fail(str(e))
    finally:
        for s in servers:
            s.close()
    if not rep.failed:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if rep.failed else 0)


if __name__ == "__main__":
    main()
