# SPDX-License-Identifier: MIT
"""make bench, the TFTP store (issue 19): the VMM's image upload and
download over an emulated e1000e, against the raw UDP rate of the same
emulated NIC as a guest drives it, in the same boot; loss-free, at 1% and
at 5% frame loss (nftables on the TAP's wire, both ways). tftpd-hpa runs
with -T 20000 (20 ms before it sends a block again, as on a LAN).

One boot per loss setting (q35, QEMU TCG, the namespace of switch-tftp):
  raw UDP      guest A (Linux's e1000e driver) sends 1468-byte datagrams, a
               TFTP block's payload, for 8 s; a receiver beside tftpd-hpa
               counts what arrives (bytes per second of payload received)
  save         A's first sleep request: the image sealed and uploaded
               (MiB of sealed stream per second: sealing included)
  download     the VMM reads the slot it just wrote back raw (no opening)
  upload       the VMM writes as many raw bytes to the other slot, never
               committed, flush and the server's size check included
The three VMM figures are goodput: file bytes over the time the transfer
took, retransmissions not counted. A's NIC was driven by Linux and put to
sleep by it before the VMM takes it over, as on a user's machine."""

import os
import shutil
import subprocess

from smx_e2e.sleepmux import vmm_lines
from smx_e2e.suite import scenario
from smx_e2e.twoos import TwoOS, guest_args, make_two_os_disk

from .switch_tftp import CLIENT, MAC, PATH, SERVER, TAP, Net

GUEST_ADDR = "10.77.0.3"
SINK_PORT = 5001
SECONDS = 8
# tftpd-hpa has no windowsize: a download is lock-step, and a lost block
# or ACK waits for the server's retransmission (the receiving engine
# leaves that to the sender, timer.c). Its 1 s default would make 1% loss
# cost some 45 minutes here; on a LAN a user gives it -T as this does.
RETRANSMIT_US = 20000
LOSSES = tuple(int(p) for p in os.environ.get("SMX_BENCH_LOSSES", "0,1,5").split(","))
SINK = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "smx_e2e", "udp_sink.py")


def mibs(nbytes, seconds):
    return nbytes / seconds / (1 << 20) if seconds > 0 else 0.0


def one(t, pct):
    """One boot at `pct` % loss: the four rates in MiB/s, and the notes."""
    root = t.path("e2e", t.name, "tftproot-%d" % pct)
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, PATH))
    store = "tftp-server = %s\ntftp-path = %s\ntftp-client = %s/24\n" % (SERVER, PATH, CLIENT)
    args = {"A": guest_args(1, end="idle", extra="sleepmux.udpsend=%s,%s:%d,%d"
                            % (GUEST_ADDR, SERVER, SINK_PORT, SECONDS)),
            "B": guest_args(0)}
    disk = make_two_os_disk(t, args, name="disk-%d.img" % pct, store_mib=16, store=store, debug=("bench",))
    vars_file = t.path("e2e", t.name, "VARS-%d.fd" % pct)
    if os.path.exists(vars_file):
        os.unlink(vars_file)
    net = Net(root)
    sink = None
    try:
        net.start_server(retransmit_us=RETRANSMIT_US)
        net.drop(pct)
        sink = subprocess.Popen(net.prefix() + ("python3", SINK, SERVER, str(SINK_PORT)), stdout=subprocess.PIPE,
                                text=True)
        sink.stdout.readline()  # "listening"
        nic = ["-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no" % TAP,
               "-device", "e1000e,netdev=n0,mac=%s,romfile=" % MAC]
        x = TwoOS(t, disk, "ahci", "loss-%d" % pct, vars_file, extra=nic, prefix=net.prefix())
        x.booted("A")
        _, f, _ = x.g["A"].wait(r"event=udpsend ", 120, "guest A's UDP run")
        t.check("%d%%: guest A drove the NIC with Linux's driver and sent %s datagrams in %s s (%s failed)"
                % (pct, f.get("datagrams"), f.get("seconds"), f.get("failed")),
                int(f.get("datagrams", "0")) > 0 and "error" not in f, str(f))
        out, _ = sink.communicate(timeout=60)
        got = dict(kv.split("=") for kv in out.split())
        udp = mibs(int(got["bytes"]), float(got["seconds"]))
        sent = int(f.get("datagrams", "0"))
        t.note("%d%%: the receiver got %s of %d datagrams (%.1f%%) in %s s" % (
            pct, got["datagrams"], sent, 100.0 * int(got["datagrams"]) / max(sent, 1), got["seconds"]))
        x.g["A"].wait(r"cycle=1 event=suspend", 120, "guest A's S3 request")
        wait = dict(timeout=1800, port="vmm")
        _, _, saved = x.m.wait_line(r"image: OS A saved to slot \d+: .* in (\d+) MiB of stream, (\d+) ms", what="A's image on the server", **wait)
        _, _, rd = x.m.wait_line(r"store: raw read of (\d+) MiB in (\d+) ms", what="the raw download", **wait)
        _, _, wr = x.m.wait_line(r"store: raw write of (\d+) MiB in (\d+) ms \(\d+ MiB/s\)(.*), slot", what="the raw upload", **wait)
        t.check("%d%%: the raw upload reached the server and its size agreed (%s)" % (pct, wr.group(0)),
                "FAILED" not in wr.group(3))
        puts = vmm_lines(x.m, "tftp", r"put \S+slot\d: (\d+) bytes acknowledged, (\d+) retransmissions, (\d+) timeouts")
        for p in puts:
            t.note("%d%%: %s" % (pct, p[3]))
        t.note("%d%%: nftables dropped %d frames" % (pct, net.dropped()))
        x.m.stop()
        save = mibs(int(saved.group(1)) << 20, int(saved.group(2)) / 1000)
        down = mibs(int(rd.group(1)) << 20, int(rd.group(2)) / 1000)
        up = mibs(int(wr.group(1)) << 20, int(wr.group(2)) / 1000)
        return udp, save, down, up
    finally:
        if sink and sink.poll() is None:
            sink.kill()
            sink.wait()
        net.close()


@scenario("bench-tftp", suites=("bench",), timeout=5400)
def bench_tftp(t):
    """the TFTP store's upload and download over an emulated e1000e against the guest's raw UDP rate, 0/1/5% loss"""
    rows = {pct: one(t, pct) for pct in LOSSES}
    t.note("MiB/s of payload; ratios to the guest's raw UDP over the same NIC in the same boot, and to loss-free")
    t.note("%-5s %9s %9s %9s %9s   %-23s %s" % ("loss", "raw UDP", "download", "upload", "save", "down/up vs raw UDP",
                                            "down/up vs loss-free"))
    base = rows.get(0, (0, 0, 0, 0))  # SMX_BENCH_LOSSES may leave loss-free out (debugging)
    for pct in LOSSES:
        udp, save, down, up = rows[pct]
        t.note("%3d%%  %9.2f %9.2f %9.2f %9.2f   %5.2fx %5.2fx           %5.2fx %5.2fx"
               % (pct, udp, down, up, save, down / udp if udp else 0, up / udp if udp else 0,
                  down / base[2] if base[2] else 0, up / base[3] if base[3] else 0))
    t.check("every transfer moved data at every loss setting",
            all(r[1] > 0 and r[2] > 0 and r[3] > 0 for r in rows.values()), str(rows))
