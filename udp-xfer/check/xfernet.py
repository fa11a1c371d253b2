# SPDX-License-Identifier: MIT
"""Real peers for udp-xfer's checks and benchmark: a private network
namespace per run, tftpd-hpa and our own server started in the foreground
on private ports, packet loss from nftables, and byte-for-byte comparison.

Needs root (namespaces, TAP devices, nftables). Nothing here touches the
system's own TFTP service or network configuration: everything lives in a
namespace created here and deleted at the end.
"""
import filecmp
import os
import re
import shutil
import subprocess
import sys
import time

TFTPD = "/usr/sbin/in.tftpd"
ATFTP = "/usr/bin/atftp"


class Failure(Exception):
    pass


def sh(*args, check=True, **kw):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if check and r.returncode:
        raise Failure(f"{' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


class Netns:
    """A network namespace with loopback up; optionally a TAP device whose
    kernel side has `addr`. Deleted (with everything in it) by close()."""

    def __init__(self, tag):
        self.name = f"smx-xfer-{tag}-{os.getpid()}"
        self.procs = []
        sh("ip", "netns", "add", self.name)
        self.ip("link", "set", "lo", "up")
        # tftpd-hpa resolves its -a address with AI_ADDRCONFIG, which finds
        # no IPv4 in a namespace that has only loopback: give it one on an
        # unattached TAP (this kernel has no dummy interfaces).
        self.ip("tuntap", "add", "dev", "anchor0", "mode", "tap")
        self.ip("addr", "add", "10.255.255.1/32", "dev", "anchor0")
        self.ip("link", "set", "anchor0", "up")

    def ip(self, *args):
        return sh("ip", "-n", self.name, *args)

    def add_tap(self, dev, addr, mtu=1500):
        self.ip("tuntap", "add", "dev", dev, "mode", "tap")
        self.ip("link", "set", dev, "mtu", str(mtu))
        self.ip("addr", "add", addr, "dev", dev)
        self.ip("link", "set", dev, "up")

    def run(self, *args, timeout=300, check=False):
        return sh("ip", "netns", "exec", self.name, *args, timeout=timeout, check=check)

    def spawn(self, *args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
        p = subprocess.Popen(("ip", "netns", "exec", self.name) + args, stdout=stdout, stderr=stderr, text=True)
        self.procs.append(p)
        return p

    def _nft(self, script):
        r = subprocess.run(("ip", "netns", "exec", self.name, "nft", "-f", "-"), input=script, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode:
            raise Failure(f"nft: {r.stderr.strip()}")

    def drop(self, percent, dev=None):
        """Lose `percent` % of UDP traffic, chosen at random by the kernel
        (nftables numgen; this kernel has no netem). Silently, as a network
        would: the sender's sendto still succeeds.
          dev=None: datagrams, as they are delivered (the input hook, after
                    reassembly), in every direction of the namespace;
          dev=TAP:  Ethernet frames on that device's wire, both ways, so a
                    datagram in N fragments is lost N times as often.
        0 removes the rules."""
        self.run("nft", "delete", "table", "inet", "smxloss")
        self.run("nft", "delete", "table", "netdev", "smxloss")
        if not percent:
            return
        rule = f"meta l4proto udp numgen random mod 1000 < {int(percent * 10)} counter drop"
        if dev is None:
            self._nft("table inet smxloss {\n chain input {\n"
                      f"  type filter hook input priority 0; policy accept;\n  {rule}\n }}\n}}\n")
        else:
            chains = "".join(f" chain {h} {{\n  type filter hook {h} device \"{dev}\" priority 0; "
                             f"policy accept;\n  {rule}\n }}\n" for h in ("ingress", "egress"))
            self._nft(f"table netdev smxloss {{\n{chains}}}\n")

    def dropped(self):
        out = self.run("nft", "list", "ruleset").stdout
        return sum(int(n) for n in re.findall(r"counter packets (\d+)", out))

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        sh("ip", "netns", "del", self.name, check=False)


def wait_udp_port(ns, port, timeout=5.0):
    """Until something in `ns` listens on UDP `port` (its /proc/net/udp)."""
    want = f":{port:04X} "
    end = time.time() + timeout
    while time.time() < end:
        if want in ns.run("cat", "/proc/net/udp").stdout:
            return
        time.sleep(0.05)
    raise Failure(f"nothing listens on UDP port {port} after {timeout} s")


def start_tftpd(ns, addr, port, root):
    """tftpd-hpa in the foreground (-L), chrooted to `root` (-s), allowing
    uploads (-c) without permission games (-p), as root (-u root)."""
    p = ns.spawn(TFTPD, "-L", "-a", f"{addr}:{port}", "-s", "-c", "-p", "-u", "root", root)
    wait_udp_port(ns, port)
    if p.poll() is not None:
        raise Failure(f"in.tftpd exited: {p.returncode}")
    return p


def start_serve(ns, tool, addr, root, *extra, log=None):
    """Our server; returns the port it chose (it prints 'listening on A:P').
    Its log (one line per transfer) goes to the file `log`, if given."""
    p = ns.spawn(tool, "serve", "-a", f"{addr}:0", "-W", *extra, root, stdout=subprocess.PIPE,
                 stderr=open(log, "w") if log else subprocess.DEVNULL)
    line = p.stdout.readline()
    m = re.match(r"listening on .*:(\d+)$", line.strip())
    if not m:
        raise Failure(f"sleepmux-xfer serve did not start: {line!r}")
    return int(m.group(1))


def make_file(path, size, seed):
    """`size` reproducible pseudo-random bytes: a 1 MiB pattern from a
    SHA-256 chain, each MiB stamped with its index so that no block of a
    transfer can stand in for another."""
    import hashlib
    h = hashlib.sha256(f"udp-xfer {seed}".encode()).digest()
    pattern = bytearray()
    while len(pattern) < (1 << 20):
        h = hashlib.sha256(h).digest()
        pattern += h
    with open(path, "wb") as f:
        i = 0
        while i * len(pattern) < size:
            chunk = bytearray(pattern[: min(len(pattern), size - i * len(pattern))])
            stamp = i.to_bytes(8, "little")[: len(chunk)]
            chunk[: len(stamp)] = stamp
            f.write(chunk)
            i += 1


def same(a, b):
    return os.path.exists(b) and filecmp.cmp(a, b, shallow=False)


class Report:
    def __init__(self, title):
        self.failed = 0
        self.title = title

    def ok(self, msg):
        print(f"ok: {self.title}: {msg}", flush=True)

    def fail(self, msg):
        self.failed += 1
        print(f"FAIL: {self.title}: {msg}", flush=True)

    def check(self, cond, msg, why=""):
        if cond:
            self.ok(msg)
        else:
            self.fail(f"{msg}: {why}" if why else msg)
        return cond


def need_root(title):
    if os.geteuid() != 0:
        print(f"FAIL: {title}: needs root (network namespaces, TAP, nftables)")
        sys.exit(1)
    for tool in (TFTPD, ATFTP, shutil.which("nft") or "/usr/sbin/nft"):
        if not os.path.exists(tool):
            print(f"FAIL: {title}: {tool} is missing (mk/packages.txt)")
            sys.exit(1)
