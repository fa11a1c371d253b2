# SPDX-License-Identifier: MIT
"""The air gap (issue 17): an e1000e NIC that OS B's config hides does not
exist for B, in sysfs, through the configuration ports and the ECAM window
(read at every size and offset, then written to as a rogue OS would), in
its BAR through /dev/mem, and as a network interface, while A, which may
use it, gets an address from QEMU's user network through it before and
after B ran. QEMU's own view (QMP query-pci) says the NIC decodes nothing
while B runs. Each guest loads its own kernel's e1000e driver."""

import re

from smx_e2e.guest import Guest, cmdline
from smx_e2e.sleepmux import make_sleepmux_esp, vmm_lines
from smx_e2e.suite import scenario
from smx_e2e.twoos import TwoOS, guest_args, make_two_os_disk


NIC = "00:03.0"
MAC = "52:54:00:12:34:56"
# RAL0/RAH0 (82574 datasheet §10.2.5.13): the MAC, low four bytes and high two with Address Valid (bit 31).
RAL, RAH = "12005452", "80005634"
NIC_ARGS = ["-netdev", "user,id=net0", "-device",
            # romfile=: no iPXE option ROM, so the firmware never drives the NIC (the VMM quiesces a
            # hidden function when it starts, but firmware with a live driver is not what is tested here).
            "e1000e,netdev=net0,addr=0x3,mac=%s,romfile=" % MAC]
PROBE = "sleepmux.airgap=%s iomem=relaxed" % NIC
ECAM_LINE = r"PCI: (MMCONFIG for domain|ECAM \[mem)"  # Linux 6.1 / 6.12 saying it uses the MCFG window
UNMAPPED = (-1, 2 ** 64 - 1)  # QEMU's PCI_BAR_UNMAPPED (QMP prints it signed): a BAR that does not decode


def nic_in_qemu(m):
    """query-pci's entry for the NIC: QEMU's own view, whatever the guest is told."""
    for bus in m.qmp.execute("query-pci"):
        for d in bus["devices"]:
            if d["bus"] == 0 and d["slot"] == 3 and d["function"] == 0:
                return d
    return None


def mem_bars(d):
    return [r["address"] for r in (d or {}).get("regions", []) if r.get("type") == "memory"]


def probes(g, cycle, timeout=240):
    """The guest's airgap-* lines for one round (after boot: cycle 0)."""
    out = {}
    for key, ev in (("sysfs now", "sysfs when=now"), ("sysfs after-rescan", "sysfs when=after-rescan"),
                    ("net", "net"), ("ports", "ports"), ("ecam", "ecam"), ("bar", "bar")):
        _, out[key], _ = g.wait(r"cycle=%d event=airgap-%s" % (cycle, ev), timeout, "guest %s: airgap-%s" % (g.os, ev))
    return out


def check_sees(t, os_id, p, what):
    """os_id may use the NIC: every probe finds it."""
    t.check("%s: %s finds %s in sysfs, before and after a rescan" % (what, os_id, NIC),
            p["sysfs now"].get("present") == "1" and p["sysfs after-rescan"].get("present") == "1",
            str(p["sysfs now"]))
    t.check("%s: %s reads the NIC through the ports (id %s) and ECAM (id %s)"
            % (what, os_id, p["ports"].get("id"), p["ecam"].get("id")),
            p["ports"].get("id") == "10d38086" and p["ecam"].get("id") == "10d38086",
            "%s %s" % (p["ports"], p["ecam"]))
    t.check("%s: %s reads the NIC's registers through /dev/mem at BAR0 %s (its MAC in RAL0/RAH0: %s %s)"
            % (what, os_id, p["bar"].get("base"), p["bar"].get("ral"), p["bar"].get("rah")),
            p["bar"].get("source") == "sysfs" and p["bar"].get("ral") == RAL and p["bar"].get("rah") == RAH,
            str(p["bar"]))
    t.check("%s: %s has a network interface (%s) with an address from QEMU's user network (%s)"
            % (what, os_id, p["net"].get("ifaces"), p["net"].get("lease")),
            p["net"].get("ifaces") not in (None, "none") and p["net"].get("lease", "none").startswith("10.0.2."),
            str(p["net"]))


def check_hidden(t, os_id, p, what, bar0):
    """os_id hides the NIC: no probe finds anything of it."""
    t.check("%s: %s finds no %s in sysfs (%s functions), nor after a rescan"
            % (what, os_id, NIC, p["sysfs now"].get("functions")),
            p["sysfs now"].get("present") == "0" and p["sysfs after-rescan"].get("present") == "0" and
            int(p["sysfs now"].get("functions", "0")) > 0, str(p["sysfs after-rescan"]))
    for mech in ("ports", "ecam"):
        q = p[mech]
        t.check("%s: %s reads all ones through %s: %s reads at every size and offset, and again after writing "
                "the command register and BAR0" % (what, os_id, "the ports 0xcf8/0xcfc" if mech == "ports" else
                                                   "ECAM page " + q.get("page", "?"), q.get("reads")),
                q.get("id") == "ffffffff" and q.get("not_all_ones") == "0" and int(q.get("reads", "0")) > 400 and
                q.get("wrote") == "1" and q.get("after_write_not_all_ones") == "0", str(q))
    b = p["bar"]
    t.check("%s: %s reads nothing at the NIC's BAR0 %s through /dev/mem (all %s bytes zero, no MAC)"
            % (what, os_id, b.get("base"), b.get("size")),
            b.get("source") == "vmm" and b.get("base") == bar0 and b.get("nonzero_words") == "0" and
            b.get("ral") == "00000000", str(b))
    t.check("%s: %s loaded its e1000e driver and has no network interface" % (what, os_id),
            p["net"].get("ifaces") == "none", str(p["net"]))


@scenario("airgap", suites=("check",), timeout=1500)
def airgap(t):
    """hide-pci: B cannot see, reach or use the NIC A uses; the view follows the OS across switches"""
    run_airgap(t, "sleep")


def command_change(line):
    """(before, after) of a VMM line "... command 0xBBBB -> 0xAAAA ..."."""
    m = re.search(r"command (0x[0-9a-f]+) -> (0x[0-9a-f]+)", line)
    return (int(m.group(1), 16), int(m.group(2), 16)) if m else (None, None)


def run_airgap(t, mode):
    via_s3 = mode == "sleep"
    # instant: two more swaps in RAM, A -> B -> A, where the NIC is live when B comes in.
    cycles = 1 if via_s3 else 2
    args = {"A": guest_args(cycles, end="idle", extra=PROBE), "B": guest_args(cycles, end="idle", extra=PROBE)}
    disk = make_two_os_disk(t, args, mode=mode, extra={"B": "hide-pci = %s\n" % NIC})
    x = TwoOS(t, disk, "ahci", "two-os", t.path("e2e", t.name, "VARS.fd"), extra=NIC_ARGS)
    ga, gb = x.g["A"], x.g["B"]

    # A boots and uses the NIC.
    x.booted("A")
    _, mod, _ = ga.wait(r"event=module ", 60, "A's driver")
    pa = probes(ga, 0)
    check_sees(t, "A", pa, "boot")
    bar0 = pa["bar"].get("base")
    d = nic_in_qemu(x.m)
    t.check("QEMU decodes the NIC's BAR0 where A's sysfs says (%s, query-pci %s)"
            % (bar0, [hex(a) for a in mem_bars(d)]),
            bar0 is not None and int(bar0, 16) in mem_bars(d), str(d))
    hidden = vmm_lines(x.m, "pci", r"%s \(8086:10d3 class 020000\) is hidden from OS B" % NIC)
    t.check("the VMM found %s and hides it from B only: %s" % (NIC, hidden[0][3] if hidden else "-"),
            len(hidden) == 1 and not vmm_lines(x.m, "pci", r"hidden from OS A"))

    # A sleeps: written to the store, the platform resets, B boots and hides the NIC.
    ga.wait(r"cycle=1 event=suspend", 120, "A's first S3 request")
    _, _, io_a = x.m.wait_line(r"os=A request 1, exits \d+ \(io (\d+)", 60, port="vmm", what="A's sleep request")
    # svm-boot-s3's budget: an OS that hides nothing pays nothing at the ports (B, which hides, pays ~9,000).
    t.check("A, which hides nothing, took %s I/O exits up to its sleep: the ports are not trapped for it"
            % io_a.group(1), int(io_a.group(1)) <= 3000)
    x.m.wait_line(r"image: OS A saved to slot", 600, port="vmm", what="A's image")
    _, _, boot_b = x.m.wait_line(r"sleepmux loader \S+: booting OS (\w)", 300, port="vmm", since=x.m.mark("vmm"),
                                 what="the loader after the reset")
    t.require("after the reset the loader boots B (A waits in the store)", boot_b.group(1) == "B")
    mark = x.m.mark()
    x.booted("B")
    ecam = x.m.find_line(ECAM_LINE, since=mark)
    t.check("B's Linux takes the MCFG's ECAM window (for extended configuration space; %s)"
            % (ecam[2].group(0) if ecam else "no such line"),
            ecam is not None)
    _, mod, _ = gb.wait(r"event=module ", 60, "B's driver")
    t.check("B loads its own kernel's e1000e driver (%s: %s)" % (mod.get("name"), mod.get("result")),
            mod.get("result") == "loaded", str(mod))
    pb = probes(gb, 0)
    check_hidden(t, "B", pb, "boot", bar0)
    d = nic_in_qemu(x.m)
    t.check("while B runs (after its writes) QEMU says the NIC decodes nothing: BARs %s"
            % [hex(a) for a in mem_bars(d)], d is not None and mem_bars(d) and
            all(a in UNMAPPED for a in mem_bars(d)), str(d))
    quiesced = [re.search(r"-> (0x[0-9a-f]+)", q[3]) for q in
                vmm_lines(x.m, "pci", r"%s hidden from OS B: command 0x[0-9a-f]+ -> 0x" % NIC)]
    t.check("the VMM turned the NIC's decoding and bus mastering off for B: command %s"
            % (quiesced[-1].group(1) if quiesced else "-"),
            quiesced and int(quiesced[-1].group(1), 16) & 7 == 0)

    # B sleeps: A comes back from the store; the NIC is A's again.
    _, _, _, f = x.switch("B", 1, "A", 1, via_s3=via_s3)
    x.check_back("A", 1, f, "restore from the store")
    pa2 = probes(ga, 1)
    check_sees(t, "A", pa2, "after B ran")
    counts = [re.search(r"(\d+) configuration reads answered \"no device\" and (\d+) writes dropped at the ports, "
                        r"(\d+) and (\d+) in ECAM", c[3]) for c in vmm_lines(x.m, "pci", r"%s while OS B ran" % NIC)]
    t.check("the VMM answered B's configuration reads and writes itself, at the ports and in ECAM: %s"
            % (counts[0].group(0) if counts and counts[0] else "-"),
            counts and counts[0] and all(int(n) > 0 for n in counts[0].groups()))
    back = vmm_lines(x.m, "pci", r"%s given back to OS A" % NIC)
    t.check("the VMM gave the NIC back to A when A ran again: %s" % (back[0][3] if back else "-"), len(back) == 1)
    d = nic_in_qemu(x.m)
    t.check("QEMU decodes the NIC's BAR0 at %s again while A runs" % bar0,
            bar0 is not None and int(bar0, 16) in mem_bars(d), str(d))
    if via_s3:
        return

    # instant: A, its driver running the NIC, swaps to B in RAM without an S3: the VMM
    # itself must stop the live NIC before B runs, and give it back to A afterwards.
    _, _, _, f = x.switch("A", 2, "B", 1, via_s3=False)
    x.check_back("B", 1, f, "swap in RAM (instant)")
    pb = probes(gb, 1)
    check_hidden(t, "B", pb, "instant swap", bar0)
    d = nic_in_qemu(x.m)
    t.check("while B runs QEMU says the NIC decodes nothing: BARs %s" % [hex(a) for a in mem_bars(d)],
            d is not None and mem_bars(d) and all(a in UNMAPPED for a in mem_bars(d)), str(d))
    q = vmm_lines(x.m, "pci", r"%s hidden from OS B: command" % NIC)
    before, after = command_change(q[-1][3]) if q else (None, None)
    # A's driver suspended the NIC for the S3 A asked for (Linux clears bus mastering, keeps decoding):
    # what it left on, the VMM turns off.
    t.check("the VMM turned off what A's driver left on (command %s -> %s: no decoding, no bus mastering)"
            % (before is not None and hex(before), after is not None and hex(after)),
            before is not None and before & 7 and after & 7 == 0)
    _, _, _, f = x.switch("B", 2, "A", 2, via_s3=False)
    x.check_back("A", 2, f, "swap back in RAM (instant)")
    pa3 = probes(ga, 2)
    check_sees(t, "A", pa3, "after the instant swaps")
    back = vmm_lines(x.m, "pci", r"%s given back to OS A: command" % NIC)
    b0, b1 = command_change(back[-1][3]) if back else (None, None)
    t.check("the VMM gave A its command register back as A's driver left it (%s -> %s)"
            % (b0 is not None and hex(b0), b1 is not None and hex(b1)),
            b1 is not None and b1 == before)


@scenario("airgap-instant", suites=("check",), timeout=1800)
def airgap_instant(t):
    """hide-pci with switch = instant: the VMM stops the NIC A's driver runs before B comes in, and gives it back"""
    run_airgap(t, "instant")


@scenario("airgap-nommconf", suites=("check",), timeout=600)
def airgap_nommconf(t):
    """hide-pci with Linux kept off ECAM (pci=nommconf): the ports alone, at boot and after an S3"""
    esp = make_sleepmux_esp(t, guest_args=cmdline(cycles=1, end="poweroff", buffer="64M",
                                                  extra=PROBE + " pci=nommconf"),
                            # with a host bridge (refused) and a function that does not exist (warned)
                            os_extra={"A": "hide-pci = 00:00.0, %s, 00:07.0\n" % NIC})
    m = t.machine(disks=[esp], extra=NIC_ARGS)
    m.start()
    g = Guest(t, m, "A")
    g.boot()
    refused = vmm_lines(m, "pci", r"hide-pci 00:00.0 for OS A: refused, a host bridge")
    missing = vmm_lines(m, "pci", r"hide-pci 00:07.0 for OS A: no such function on this machine")
    listed = " ".join(l[3] for l in vmm_lines(m, "pci", r"^functions here:"))
    t.check("the VMM refuses to hide the host bridge: %s" % (refused[0][3] if refused else "-"), len(refused) == 1)
    t.check("the VMM warns that 00:07.0 does not exist and lists those that do: %s" % listed,
            len(missing) == 1 and "00:00.0" in listed and NIC in listed and "00:1f.2" in listed)
    t.check("and still hides %s" % NIC, len(vmm_lines(m, "pci", r"^%s \(8086:10d3.*hidden from OS A" % NIC)) == 1)
    t.check("Linux uses no ECAM window (pci=nommconf): no MMCONFIG line in its log",
            not m.find_line(ECAM_LINE) and m.find_line(r"Command line: .*pci=nommconf"))
    _, mod, _ = g.wait(r"event=module ", 60, "A's driver")
    t.check("A loads its e1000e driver (%s)" % mod.get("result"), mod.get("result") == "loaded", str(mod))
    p = probes(g, 0)
    bar0 = p["bar"].get("base")
    check_hidden(t, "A", p, "boot", bar0)
    d = nic_in_qemu(m)
    t.check("QEMU says the NIC decodes nothing: BARs %s" % [hex(a) for a in mem_bars(d)],
            d is not None and mem_bars(d) and all(a in UNMAPPED for a in mem_bars(d)))
    c = g.s3_cycle(1)
    t.check("A resumes from S3 under the VMM", c["ok"], str(c["fields"]))
    p = probes(g, 1)
    check_hidden(t, "A", p, "after S3", bar0)
    again = vmm_lines(m, "pci", r"%s hidden from OS A: command" % NIC)
    t.check("the VMM quiesced the NIC at start and again at the wake (%d times)" % len(again), len(again) == 2)
    g.done()
    m.wait_exit(60)
