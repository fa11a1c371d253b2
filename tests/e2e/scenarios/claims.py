# SPDX-License-Identifier: MIT
"""The README's claims that need a machine of their own (issue 14): sleepmux
steps aside when it cannot run (a CPU without SVM, no vmm.elf) and the OS
boots and sleeps without it; and a VMM whose memory was changed refuses to
be woken into again. The claims that share svm-boot-s3's boot (the probes
of the region and the trampoline page, the exit budgets, the integrity
check's coverage) are checked there."""

import re

from smx_e2e.guest import Guest, cmdline
from smx_e2e.sleepmux import make_sleepmux_esp, vmm_lines
from smx_e2e.suite import scenario

SMALL = dict(buffer="32M", end="poweroff")


def bare_boot_and_sleep(t, m, what):
    """The guest boots, sees no VMM, sleeps and resumes on the bare firmware
    and powers off cleanly."""
    g = Guest(t, m, "A")
    g.boot()
    _, v, _ = g.wait(r"event=vmm ", 30, "the guest's CPUID probe")
    t.check("%s: the guest boots without the VMM (no sleepmux CPUID leaf)" % what,
            v.get("signature") == "none", str(v))
    c = g.s3_cycle(1)
    t.check("%s: and sleeps and resumes on the bare firmware, pattern intact" % what, c["ok"], str(c["fields"]))
    g.done()
    t.check("%s: and powers off cleanly (QEMU exits 0)" % what, m.wait_exit(60) == 0)


@scenario("claims-no-svm", suites=("check",))
def no_svm(t):
    """a CPU without SVM: the VMM refuses, the loader says why and boots the OS without it"""
    esp = make_sleepmux_esp(t, guest_args=cmdline(cycles=1, **SMALL))
    m = t.machine(disks=[esp], cpu="EPYC,-svm")
    m.start()
    _, _, mt = m.wait_line(r"sleepmux: (the VMM refused to start: .*); booting without sleepmux", 120,
                           what="the loader's fallback message")
    t.check("the loader says why: %s" % mt.group(1), "no usable SVM" in mt.group(1))
    t.check("the VMM's own log names the cause (svm: CPU has no SVM) and it never became active",
            vmm_lines(m, "svm", r"^CPU has no SVM$") and not vmm_lines(m, "vmm", r"^active:"))
    bare_boot_and_sleep(t, m, "no SVM")


@scenario("claims-no-vmm-elf", suites=("check",))
def no_vmm_elf(t):
    """no vmm.elf on the ESP: the loader says so and boots the OS without the VMM"""
    esp = make_sleepmux_esp(t, vmm=False, guest_args=cmdline(cycles=1, **SMALL))
    m = t.machine(disks=[esp])
    m.start()
    _, _, mt = m.wait_line(r"sleepmux: (cannot read \\EFI\\sleepmux\\vmm\.elf: .*); booting without sleepmux", 120,
                           what="the loader's fallback message")
    t.check("the loader says why: %s" % mt.group(1), "Not Found" in mt.group(1) or "NOT_FOUND" in mt.group(1)
            or "not found" in mt.group(1).lower(), mt.group(0))
    bare_boot_and_sleep(t, m, "no vmm.elf")


def poke(m, pa, data):
    """Write bytes into the emulated machine's RAM behind everything's back
    (QEMU's gpa2hva, then the QEMU process's memory): what a stray DMA or
    a VMM bug would do, and what no guest instruction can do here."""
    out = m.qmp.execute("human-monitor-command", **{"command-line": "gpa2hva %#x" % pa})
    hva = int(re.search(r"is (0x[0-9a-f]+)", out).group(1), 16)
    with open("/proc/%d/mem" % m.proc.pid, "r+b", buffering=0) as f:
        f.seek(hva)
        old = f.read(len(data))
        f.seek(hva)
        f.write(data)
    return old


@scenario("claims-integrity", suites=("check",))
def integrity(t):
    """a VMM changed while the machine sleeps says so at wake, enters the OS, and hands its next S3 to the firmware"""
    esp = make_sleepmux_esp(t, guest_args=cmdline(cycles=3, buffer="64M", end="poweroff"))
    m = t.machine(disks=[esp])
    m.start()
    g = Guest(t, m, "A")
    m.wait_line(r"vmm: active: svm", 120, port="vmm", what="the VMM to become active")
    g.boot()
    marker = vmm_lines(m, "vmm", r"region marker at (0x[0-9a-f]+)")
    covers = vmm_lines(m, "vmm", r"integrity covers: .* unallocated \(zero\) (0x[0-9a-f]+)-(0x[0-9a-f]+)")
    t.require("the VMM logs its marker's address and what its integrity check covers", marker and covers)
    nested = vmm_lines(m, "vmm", r"integrity: covering nested page tables, root (0x[0-9a-f]+)")
    t.require("the VMM names the nested page tables it covers", nested)
    marker_pa = int(marker[0][3].split()[-1], 16)
    npt_root = int(nested[0][3].split()[-1], 16)
    free_end = int(re.search(r"-(0x[0-9a-f]+);", covers[0][3]).group(1), 16)

    # Cycle 1: while the platform sleeps, one byte of the VMM's read-only
    # data, one of its unallocated pages and one of its nested page tables
    # change. The table entry is the root's last, beyond the guest-physical
    # space and not present: an ignored bit, harmless to the guest, that
    # only the integrity check can notice.
    ev = m.event_mark()
    g.wait(r"cycle=1 event=suspend", 120, "guest A to request S3 (cycle 1)")
    m.wait_event("SUSPEND", 120, since=ev)
    poke(m, marker_pa, b"S")
    poke(m, free_end - 4096 + 123, b"\x5a")
    t.require("the nested root's last entry is empty before the change",
              poke(m, npt_root + 511 * 8 + 1, b"\x02") == b"\x00")
    m.qmp.execute("system_wakeup")
    _, f, _ = g.wait(r"cycle=1 (pattern=\S+|event=suspend-failed)", 120, "guest A to verify (cycle 1)")
    found = [x[3] for x in vmm_lines(m, "vmm", r"IMAGE MODIFIED at wake")]
    t.check("at wake the VMM names all three changes: %s" % found,
            any("code and rodata" in x for x in found) and any("nested page tables" in x for x in found)
            and any("unallocated page written at %#x" % (free_end - 4096 + 120) in x for x in found), str(found))
    t.check("and still enters the OS, which resumes with its pattern intact (its only way back)",
            f.get("pattern") == "ok" and vmm_lines(m, "s3", r"entering the OS anyway"), str(f))

    # Cycle 2: the modified VMM refuses to be woken into: the S3 goes to the
    # firmware with the OS's own waking vector, and the OS resumes bare.
    c = g.s3_cycle(2)
    t.check("at the next S3 the VMM refuses (IMAGE MODIFIED at sleep) and lets it pass without itself",
            vmm_lines(m, "vmm", r"IMAGE MODIFIED at sleep") and vmm_lines(m, "s3", r"S3 passes through without the VMM")
            and len(vmm_lines(m, "s3", r"^wake \d+")) == 1)
    t.check("the OS resumed on the firmware, outside sleepmux, its pattern intact",
            c["ok"] and "vmm_sleeps" not in c["fields"], str(c["fields"]))
    c = g.s3_cycle(3)
    requests = vmm_lines(m, "sleep", r"request \d+")
    t.check("and goes on sleeping without the VMM (it saw 2 sleep requests of 3)",
            c["ok"] and len(requests) == 2, "%s; %d requests" % (c["fields"], len(requests)))
    g.done()
    t.check("guest A powers off cleanly (QEMU exits 0)", m.wait_exit(60) == 0)
