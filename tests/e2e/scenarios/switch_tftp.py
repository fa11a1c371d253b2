# SPDX-License-Identifier: MIT
"""The store on a TFTP server (issue 19): the VMM's e1000e driver and lwIP
reach tftpd-hpa on the host. Every packet stays inside a network namespace
made here: a TAP device whose host side holds the server's address, the
server and QEMU all run in it, and it is deleted at the end."""

import os
import re
import shutil
import signal
import subprocess
import time

from smx_e2e.sleepmux import vmm_lines
from smx_e2e.suite import scenario
from smx_e2e.twoos import TwoOS, guest_args, make_two_os_disk, store_key

TFTPD = "/usr/sbin/in.tftpd"
SERVER, CLIENT = "10.77.0.1", "10.77.0.2"   # the namespace's own link: nothing outside it
MAC = "52:54:00:5a:17:01"
PATH = "sleepmux/pc-17"
TAP = "smxtap0"
SLOT_OFFSET, SLOT_SIZE = 65536, 1 << 40     # vmm/store/tftp.h


def sh(*args, check=True):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and r.returncode:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr.strip()))
    return r


class Net:
    """The namespace, its TAP (QEMU's NIC on the other end) and tftpd-hpa."""

    def __init__(self, root):
        self.ns = "smx-tftp-%d" % os.getpid()
        self.root = root
        self.tftpd = None
        sh("ip", "netns", "add", self.ns)
        self.ip("link", "set", "lo", "up")
        self.ip("tuntap", "add", "dev", TAP, "mode", "tap")
        self.ip("addr", "add", SERVER + "/24", "dev", TAP)
        self.ip("link", "set", TAP, "up")

    def ip(self, *args):
        return sh("ip", "-n", self.ns, *args)

    def prefix(self):
        return ("ip", "netns", "exec", self.ns)

    def start_server(self, retransmit_us=None):
        """tftpd-hpa as a user would run it for sleepmux: -c (create files),
        -s (chroot to the root), in the foreground (-L); retransmit_us: its
        -T, the time before it sends a block again (1 s by default)."""
        extra = ("-T", str(retransmit_us)) if retransmit_us else ()
        self.tftpd = subprocess.Popen(self.prefix() + (TFTPD, "-L", "-a", SERVER + ":69", "-s", "-c", "-p",
                                                       "-u", "root") + extra + (self.root,),
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if ":0045 " in sh("ip", "netns", "exec", self.ns, "cat", "/proc/net/udp").stdout:
                return
            time.sleep(0.05)
        raise RuntimeError("tftpd-hpa does not listen on %s:69" % SERVER)

    def start_dhcp(self, workdir):
        """busybox's udhcpd on the TAP, leasing from a small range of the namespace's link."""
        conf = os.path.join(workdir, "udhcpd.conf")
        with open(conf, "w") as f:
            f.write("start 10.77.0.50\nend 10.77.0.59\ninterface %s\nlease_file %s\noption subnet 255.255.255.0\n"
                    % (TAP, os.path.join(workdir, "udhcpd.leases")))
        self.dhcpd = subprocess.Popen(self.prefix() + ("busybox", "udhcpd", "-f", conf),
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def drop(self, percent):
        """Lose `percent` % of the UDP frames on the TAP's wire, both ways,
        chosen at random by the kernel (nftables numgen: this kernel has no
        netem), silently, as a network would. 0 removes the rules."""
        sh(*self.prefix(), "nft", "delete", "table", "netdev", "smxloss", check=False)
        if not percent:
            return
        rule = "meta l4proto udp numgen random mod 1000 < %d counter drop" % int(percent * 10)
        chains = "".join(" chain %s {\n  type filter hook %s device \"%s\" priority 0; policy accept;\n  %s\n }\n"
                         % (h, h, TAP, rule) for h in ("ingress", "egress"))
        r = subprocess.run(self.prefix() + ("nft", "-f", "-"), input="table netdev smxloss {\n%s}\n" % chains,
                           text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode:
            raise RuntimeError("nft: %s" % r.stderr.strip())

    def dropped(self):
        """Frames the loss rules have dropped so far."""
        out = sh(*self.prefix(), "nft", "list", "table", "netdev", "smxloss", check=False).stdout
        return sum(int(n) for n in re.findall(r"counter packets (\d+)", out))

    def stop_server(self):
        """The server and every child it forked for a transfer."""
        pids = sh("ip", "netns", "pids", self.ns, check=False).stdout.split()
        for pid in pids:
            try:
                with open("/proc/%s/comm" % pid) as f:
                    if f.read().strip() == "in.tftpd":
                        os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass
        if self.tftpd:
            self.tftpd.wait()
            self.tftpd = None

    def close(self):
        self.stop_server()
        if getattr(self, "dhcpd", None):
            self.dhcpd.kill()
            self.dhcpd.wait()
        sh("ip", "netns", "del", self.ns, check=False)


def files(root):
    base = os.path.join(root, PATH, MAC.replace(":", ""))
    return {k: base + "." + k for k in ("super0", "super1", "slot0", "slot1")}


def host_verify(t, root, key, os_id, label):
    """The server's four files put back together as the block device the
    VMM saw (sparse), then sleepmux-image verifies it like a partition."""
    f = files(root)
    dev = t.path("e2e", t.name, "tftp-store-%s.img" % label)
    with open(dev, "wb") as out:
        out.truncate(SLOT_OFFSET + 2 * SLOT_SIZE)
        for name, off in (("super0", 0), ("super1", 4096), ("slot0", SLOT_OFFSET),
                          ("slot1", SLOT_OFFSET + SLOT_SIZE)):
            if os.path.exists(f[name]):
                out.seek(off)
                with open(f[name], "rb") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
    tool = t.path("bin", "sleepmux-image")
    info = subprocess.run([tool, "info", "--store", dev, "--key-file", key], capture_output=True, text=True)
    ver = subprocess.run([tool, "verify", "--store", dev, "--key-file", key, "--os", os_id],
                         capture_output=True, text=True)
    t.note("sleepmux-image info --store (%s):\n      %s" % (label, info.stdout.strip().replace("\n", "\n      ")))
    t.check("%s: on the host, sleepmux-image verifies the server's committed image of %s with the machine's key"
            % (label, os_id), info.returncode == 0 and ver.returncode == 0,
            (info.stderr + ver.stdout + ver.stderr).strip())
    os.unlink(dev)


def boot(t, device, cycles_a, body, dhcp=False, store_extra="", args_a=""):
    """A fresh server root, the namespace, the server, and one machine with
    `device` as its NIC; body(x, net, root, vars_file) runs the checks.
    dhcp: the VMM takes its address from udhcpd instead of the config."""
    root = t.path("e2e", t.name, "tftproot")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, PATH))
    store = ("tftp-server = %s\ntftp-path = %s\ntftp-client = %s\n"
             % (SERVER, PATH, "dhcp" if dhcp else CLIENT + "/24")) + store_extra
    args = {"A": guest_args(cycles_a, end="poweroff", extra=args_a), "B": guest_args(0)}
    disk = make_two_os_disk(t, args, store_mib=16, store=store)
    vars_file = t.path("e2e", t.name, "OVMF_VARS.fd")
    if os.path.exists(vars_file):
        os.unlink(vars_file)
    net = Net(root)
    try:
        net.start_server()
        if dhcp:
            net.start_dhcp(t.path("e2e", t.name))
        nic = ["-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no" % TAP,
               "-device", "%s,netdev=n0,mac=%s,romfile=" % (device, MAC)]
        def machine(label):
            return TwoOS(t, disk, "ahci", label, vars_file, extra=nic, prefix=net.prefix())
        body(machine(device), net, root, vars_file, machine)
    finally:
        net.close()


@scenario("switch-tftp", suites=("check",), timeout=2400)
def switch_tftp(t):
    """the store on tftpd-hpa through the VMM's e1000e driver: server lost mid-upload, first switch, restore, power-off keeps B"""
    # A drives the NIC itself before its first sleep, as a user's OS does:
    # Linux's e1000e leaves it in D3hot, its PHY powered down and its own
    # descriptor formats set, and the VMM's driver must still get through.
    boot(t, "e1000e", 3, lambda x, net, root, vars_file, machine: run(t, x, net, root, vars_file),
         args_a="sleepmux.udpsend=10.77.0.3,%s:9,1" % SERVER)


@scenario("switch-tftp-virtio", suites=("check",), timeout=1800)
def switch_tftp_virtio(t):
    """virtio-net, DHCP, 8 KiB blocks; a power cut after the first switch: the loader boots A fresh and its stale image never runs"""
    def body(x, net, root, vars_file, machine):
        x.booted("A")
        first_switch(t, x, root, vars_file, 1, "virtio-net", "virtio")
        up = vmm_lines(x.m, "net", r"up: (10\.77\.0\.5\d)/24 \(DHCP\)")
        t.check("the VMM took its address from the namespace's DHCP server: %s" % (up[0][3] if up else "?"),
                bool(up), str([l[3] for l in vmm_lines(x.m, "net")]))
        x.booted("B")
        # The power is cut while B runs and A's image waits on the server.
        # The loader cannot read the server: it boots A (the default) fresh.
        x.m.stop()
        y = machine("virtio-again")
        y.booted("A")
        gen = first_switch(t, y, root, vars_file, 1, "virtio-net", "virtio")[1]
        stale = vmm_lines(y.m, "switch", r"OS A booted fresh while its image waited in the store")
        t.check("at A's first request the VMM finds A's own image on the server and retires it: %s"
                % (stale[0][3] if stale else "?"), bool(stale), str([l[3] for l in vmm_lines(y.m, "switch")]))
        y.booted("B")
        _, _, _, f = y.switch("B", 1, "A", 1)
        y.check_back("A", 1, f, "restore from the TFTP server over virtio-net")
        restored = vmm_lines(y.m, "image", r"^OS A restored from slot \d+: generation (\d+)")
        t.check("the image restored is the one written after the fresh boot (generation %s), never the stale one: %s"
                % (gen, restored[0][3] if restored else "?"),
                bool(restored) and ("generation %s," % gen) in restored[0][3])
        y.m.stop()
    # tftpd-hpa has no windowsize (RFC 7440): larger blocks, sent as IP
    # fragments, are its way to fewer round trips.
    boot(t, "virtio-net-pci", 1, body, dhcp=True, store_extra="tftp-blksize = 8192\n")


def first_switch(t, x, root, vars_file, cycle, driver, tag):
    """A's sleep (its cycle `cycle`) writes it to the server; the loader boots B."""
    x.g["A"].wait(r"cycle=%d event=suspend" % cycle, 120, "guest A's S3 request (cycle %d)" % cycle)
    _, _, saved = x.m.wait_line(r"image: (OS A saved to slot (\d+): generation (\d+), (\d+) MiB of memory.*)", 900,
                                port="vmm", what="A's image on the server")
    t.check("first switch: the VMM wrote A to the TFTP server through %s: %s" % (driver, saved.group(1)),
            int(saved.group(4)) > 160)
    up = vmm_lines(x.m, tag, r"up.*MAC (\S+),")
    t.check("the VMM's %s driver read the NIC's own MAC address %s" % (driver, MAC),
            bool(up) and ("MAC %s," % MAC) in up[0][3], str([m[3] for m in up]))
    agree = vmm_lines(x.m, "tftp", r"slot\d: the server's size \d+ agrees")
    t.check("the upload was committed only after the server's tsize agreed: %s" % (agree[-1][3] if agree else "?"),
            bool(agree))
    _, _, boot_b = x.m.wait_line(r"sleepmux loader \S+: booting OS (\w)", 300, port="vmm",
                                 since=x.m.mark("vmm"), what="the loader after the reset")
    t.check("after the reset the loader boots B", boot_b.group(1) == "B")
    key = store_key(t, vars_file)
    t.check("the loader's image key is in the firmware's variable store", key is not None)
    if key:
        host_verify(t, root, key, "A", "after the first switch")
    return key, saved.group(3)


def run(t, x, net, root, vars_file):
    x.booted("A")
    _, f, _ = x.g["A"].wait(r"event=udpsend ", 120, "A's own use of the NIC")
    t.check("A drives the e1000e with Linux's driver before it sleeps: %s datagrams sent through %s"
            % (f.get("datagrams"), f.get("iface")), int(f.get("datagrams", "0")) > 0 and "error" not in f, str(f))

    # The server dies while A's image streams to it: A stays, nothing lost.
    x.g["A"].wait(r"cycle=1 event=suspend", 120, "guest A's first S3 request")
    _, _, put = x.m.wait_line(r"tftp: put (\S+) started", 300, port="vmm", what="the upload of A's image")
    time.sleep(2)
    net.stop_server()
    _, f, _ = x.g["A"].wait(r"cycle=1 (pattern=\S+|event=suspend-failed)", 300, "A to come back after the failure")
    x.check_back("A", 1, f, "server stopped during the upload of %s" % put.group(1))
    fails = vmm_lines(x.m, "switch", r"writing OS A to the store failed: (.*)")
    t.check("the VMM says why A could not be written: %s" % (fails[0][3] if fails else "?"), len(fails) == 1)
    silent = vmm_lines(x.m, "tftp", r"writing a slot: .*no ACK for block \d+ after \d+ retransmissions")
    t.check("the upload failed because the server went silent: %s" % (silent[0][3] if silent else "?"), bool(silent),
            str([l[3] for l in vmm_lines(x.m, "tftp")]))
    t.check("no reset happened: A stayed", not vmm_lines(x.m, "switch", r"resetting the platform"))
    d0 = vmm_lines(x.m, "pci", r"the OS left it in D3hot: brought to D0$")
    phy = vmm_lines(x.m, "e1000e", r"the OS left the PHY powered down: powered up")
    t.check("the VMM's driver took over the NIC Linux had put to sleep: %s; %s"
            % (d0[0][3] if d0 else "no D3hot seen", phy[0][3] if phy else "no PHY power-down seen"),
            bool(d0) and bool(phy))
    reset = vmm_lines(x.m, "e1000e", r"reset to power-on state, PCI command")
    t.check("the NIC was reset and its PCI command register put back before A ran again: %s"
            % (reset[-1][3] if reset else "?"), bool(reset))

    # The server is back: the first switch writes A, the loader boots B.
    net.start_server()
    key = first_switch(t, x, root, vars_file, 2, "e1000e", "e1000e")[0]
    x.booted("B")

    # B sleeps: the VMM finds A on the server and brings it back.
    _, _, _, f = x.switch("B", 1, "A", 2)
    x.check_back("A", 2, f, "restore from the TFTP server")
    t.check("the VMM learnt at B's first request that A waits on the server",
            bool(vmm_lines(x.m, "switch", r"OS A waits in the store")))
    # A swap from RAM each way, then A powers off with B parked.
    _, _, _, f = x.switch("A", 3, "B", 1)
    x.check_back("B", 1, f, "swap from RAM")
    _, _, _, f = x.switch("B", 2, "A", 3)
    x.check_back("A", 3, f, "swap from RAM")
    _, _, pers = x.m.wait_line(r"image: (OS B saved to slot (\d+): generation (\d+), (\d+) MiB of memory.*)", 900,
                               port="vmm", what="B persisted before A's power-off")
    t.check("A powers off with B parked in RAM: B is written to the server first: %s" % pers.group(1),
            int(pers.group(3)) >= 2 and int(pers.group(4)) > 160)
    code = x.m.wait_exit(180)
    t.check("then the machine powers off (QEMU exits %d)" % code, code == 0)
    if key:
        host_verify(t, root, key, "B", "after the power-off")
    names = sorted(os.listdir(os.path.join(root, PATH)))
    t.note("files on the server: %s" % names)
