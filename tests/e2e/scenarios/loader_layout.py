# SPDX-License-Identifier: MIT
"""The memory layout (issue 12): computed and recorded at the first boot,
reused at the next boot of the same machine (same disk, same UEFI variable
store), and visible in the booting OS's memory map."""

import os
import re

from smx_e2e.guest import cmdline
from smx_e2e.sleepmux import make_sleepmux_esp
from smx_e2e.suite import scenario

LAYOUT = (r"sleepmux: layout: A-private (0x[0-9a-f]+)\+(\d+) MiB, B-private (0x[0-9a-f]+)\+(\d+) MiB, "
          r"VMM (0x[0-9a-f]+)\+(\d+) MiB, trampoline (0x[0-9a-f]+), shared set (\d+) MiB \((recorded|reused)\)")
MEMMAP = r"SLEEPMUX-GUEST os=A event=memmap start=(0x[0-9a-f]+) end=(0x[0-9a-f]+) type=(\S+)"
MIB = 1 << 20


def covered(ranges, base, size, want):
    """Is [base, base + size) inside ranges of type `want` (adjacent ones joined)?"""
    at, end = base, base + size
    while at < end:
        hit = [r for r in ranges if r[0] <= at <= r[1] and r[2] == want]
        if not hit:
            return False
        at = max(r[1] for r in hit) + 1
    return True


def boot(t, label, esp, vars_file):
    m = t.machine(label=label, disks=[esp], memory="2G", vars_file=vars_file)
    m.start()
    _, ts, mt = m.wait_line(LAYOUT, 120, port="vmm", what="the loader's layout line")
    t.phase("%s: QEMU start -> layout line" % label, ts)
    _, _, vmm = m.wait_line(r"SLEEPMUX-GUEST os=A event=vmm signature=(\S+)", 240, what="guest A's VMM probe")
    lines = [l for _, l in m.port("guest").lines]
    memmap = []
    for l in lines:
        mm = re.search(MEMMAP, l)
        if mm:
            memmap.append((int(mm.group(1), 16), int(mm.group(2), 16), mm.group(3)))
    m.stop()
    g = mt.groups()
    layout = {"A": (int(g[0], 16), int(g[1]) * MIB), "B": (int(g[2], 16), int(g[3]) * MIB),
              "VMM": (int(g[4], 16), int(g[5]) * MIB), "trampoline": int(g[6], 16), "shared": int(g[7]),
              "how": g[8], "text": mt.group(0)}
    return layout, vmm.group(1), memmap


@scenario("loader-layout", suites=("check",))
def loader_layout(t):
    """the same layout at two boots, recorded then reused; B-private and the VMM reserved in A's map; refused on less RAM"""
    vars_file = t.path("e2e", t.name, "OVMF_VARS.fd")
    if os.path.exists(vars_file):
        os.unlink(vars_file)
    esp = make_sleepmux_esp(t, guest_args=cmdline(buffer="16M", cycles=1, extra="sleepmux.memmap=1"),
                            memory={"A": "50%", "B": "40%"})
    first, sig1, memmap = boot(t, "boot1", esp, vars_file)
    t.note(first["text"])
    t.check("the first boot computes and records the layout", first["how"] == "recorded", first["text"])
    t.check("the VMM is active at the first boot", sig1 == "sleepmux-vmm", sig1)
    t.check("guest A printed its firmware memory map", len(memmap) > 3, "%d ranges" % len(memmap))
    for what in ("B", "VMM"):
        base, size = first[what]
        t.check("%s %#x+%d MiB is reserved in A's memory map" % (what, base, size // MIB),
                covered(memmap, base, size, "Reserved"), str(memmap))
    base, size = first["A"]
    t.check("A-private %#x+%d MiB is A's RAM" % (base, size // MIB), covered(memmap, base, size, "System_RAM"),
            str(memmap))
    t.check("the trampoline page is reserved in A's memory map",
            covered(memmap, first["trampoline"], 4096, "Reserved"), str(memmap))
    t.check("the shared set is small (%d MiB)" % first["shared"], 0 < first["shared"] < 256)

    second, sig2, _ = boot(t, "boot2", esp, vars_file)
    t.check("the second boot reuses the recorded layout", second["how"] == "reused", second["text"])
    same = all(first[k] == second[k] for k in ("A", "B", "VMM", "trampoline"))
    t.check("both boots put A, B, the VMM and the trampoline at the same addresses", same,
            "%s / %s" % (first["text"], second["text"]))
    t.check("the VMM is active at the second boot", sig2 == "sleepmux-vmm", sig2)

    # The same disk and variables on a machine with half the RAM: the
    # recorded A-private range runs past the firmware's memory.
    m = t.machine(label="boot3-1G", disks=[esp], memory="1G", vars_file=vars_file)
    m.start()
    _, _, why = m.wait_line(r"sleepmux: layout: the recorded layout cannot be honoured this boot: (.*); booting "
                            r"without switching", 120, port="vmm", what="the loader's refusal")
    t.note(why.group(0))
    t.check("a machine that cannot honour the layout: the loader names the range and what is in the way",
            re.match(r"A-private %#x\+%d MiB: 0x[0-9a-f]+-0x[0-9a-f]+ is (boot-services|runtime|ACPI|loader|reserved)"
                     % (first["A"][0], first["A"][1] // MIB), why.group(1)) is not None, why.group(1))
    m.wait_line(r"sleepmux: running under the sleepmux VMM, without switching", 60, port="vmm",
                what="the VMM started without switching")
    _, _, vmm = m.wait_line(r"SLEEPMUX-GUEST os=A event=vmm signature=(\S+)", 240, what="guest A's VMM probe")
    t.check("and the OS boots under the VMM without switching", vmm.group(1) == "sleepmux-vmm", vmm.group(0))
    m.stop()
