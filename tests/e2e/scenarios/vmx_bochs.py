# SPDX-License-Identifier: MIT
"""The VT-x back end under Bochs (issue 16), the only emulator here that
implements VMX. The firmware is OVMF; the test kit's bochs-acpi.efi installs
the ACPI tables OVMF lacks under Bochs and starts the loader; the "OS" is
bochs-probe.efi, a UEFI application that prints what the guest sees
(CPUID, the VMM's region) and then requests a sleep state through PM1a_CNT
as an OS does. A Linux boot takes ~90 s under Bochs; this guest takes a
second, so each scenario is one boot of well under a minute."""

import re

from smx_e2e.esp import make_esp
from smx_e2e.sleepmux import vmm_lines
from smx_e2e.suite import scenario

LOADER_LINE = r"sleepmux: starting the VMM: region (0x[0-9a-f]+)\+(\d+) MiB"
PROBE = r"SMX-PROBE event=%s (.*)"


def probe_fields(text):
    return dict(kv.split("=", 1) for kv in text.split() if "=" in kv)


def conf(sleep):
    def os_section(x):
        return ("[os %s]\nname = probe %s\nloader = \\EFI\\guest\\probe.efi\nargs = \"%s\"\nmemory = 40%%\n"
                % (x, x, sleep))
    return ("[global]\ndefault = A\nswitch = sleep\nvmm-memory = 32 MiB\nlog = com2\n"
            "[store]\npartition-type = 0fc63daf-8483-4772-8e79-3d69d8477de4\n"
            + os_section("A") + os_section("B")).encode()


def bochs_esp(t, sleep):
    return make_esp(t.path("e2e", t.name, "esp.img"), {
        "EFI/BOOT/BOOTX64.EFI": t.path("efi", "bochs", "bochs-acpi.efi"),
        "EFI/sleepmux/sleepmux.efi": t.path("efi", "sleepmux.efi"),
        "EFI/sleepmux/vmm.elf": t.path("fs", "vmm.elf"),
        "EFI/sleepmux/sleepmux.conf": conf(sleep),
        "EFI/guest/probe.efi": t.path("efi", "bochs", "bochs-probe.efi"),
    })


def wait_probe(t, m, event, timeout, what):
    _, when, mt = m.wait_line(PROBE % event, timeout, what=what)
    return when, probe_fields(mt.group(1))


@scenario("vmx-fallback", suites=("check",))
def vmx_fallback(t):
    """Bochs, VT-x without EPT or unrestricted guest: the VMM refuses by name, the loader boots the OS without it"""
    m = t.bochs(disk=bochs_esp(t, "s5"), cpu="vmx-basic")
    m.start()
    _, t_acpi, acpi = m.wait_line(r"bochs-acpi: .* installed: PM base (\w+), PM1a_CNT (\w+)", 120,
                                  what="the test kit's ACPI tables")
    t.phase("Bochs start -> ACPI tables installed", t_acpi)
    _, _, refused = m.wait_line(r"the VMM refused to start: (.*)", 60, what="the loader's refusal message")
    t.check("the loader reports the VMM's refusal (%s)" % refused.group(1),
            "unrestricted guest" in refused.group(1) or "EPT" in refused.group(1), refused.group(0))
    why = vmm_lines(m, "vmx")
    t.check("the VMM's log names what the CPU lacks (%s)" % (why[-1][3] if why else "no vmx line"),
            any(re.search(r"no EPT|no unrestricted guest", w[3]) for w in why))
    t_probe, cp = wait_probe(t, m, "cpuid", 60, "the OS (probe) to start without the VMM")
    t.phase("Bochs start -> OS running without the VMM", t_probe)
    t.check("the OS runs without the VMM: no sleepmux CPUID signature (%s)" % cp.get("signature"),
            cp.get("signature") == "none", str(cp))
    _, sl = wait_probe(t, m, "sleep", 30, "the OS's S5 request")
    rc = m.wait_exit(60)
    t.check("the OS's power-off (S5, SLP_TYP %s) reaches the hardware: Bochs powers off (status %s)"
            % (sl.get("slp_typ"), rc), sl.get("slp_typ") == "0" and m.log_has("ACPI control: soft power off"))


@scenario("vmx-boot-s3", suites=("check",))
def vmx_boot_s3(t):
    """Bochs, VT-x with EPT: the VMM runs on VMX before the OS, which sees sleepmux, not its memory; S3 is trapped"""
    m = t.bochs(disk=bochs_esp(t, "s3"), cpu="vmx")
    m.start()
    _, t_active, active = m.wait_line(r"vmm: active: (\w+) back end, (\d+) trapped port ranges", 120, port="vmm",
                                      what="the VMM to become active")
    t.phase("Bochs start -> VMM active", t_active)
    t.check("the VMM chose the VMX back end on an Intel CPU (%s)" % active.group(1), active.group(1) == "vmx")
    t_probe, cp = wait_probe(t, m, "cpuid", 60, "the OS (probe) to start")
    t.phase("Bochs start -> OS running under the VMM", t_probe)
    # Bochs writes its serial files in bursts, so the two ports' host times
    # cannot order lines; the OS's own first CPUID can: it already answers
    # from the VMM.
    t.check("the VMM is active before the OS starts: the OS's first CPUID shows sleepmux's signature (%s)"
            % cp.get("signature"), cp.get("signature") == "sleepmux-vmm", str(cp))
    t.check("the OS sees a CPU without VMX (CPUID.1:ECX.VMX = %s)" % cp.get("vmx"), cp.get("vmx") == "0", str(cp))
    _, rg = wait_probe(t, m, "region", 60, "the OS's read of the VMM region")
    ld = m.find_line(LOADER_LINE)
    loader = (int(ld[2].group(1), 16), int(ld[2].group(2)) << 20) if ld else None
    told = (int(rg.get("base", "0"), 16), int(rg.get("size", "0"), 16))
    t.check("the region the OS reads is the loader's (%#x, %d MiB)" % (told[0], told[1] >> 20),
            loader is not None and told == loader, "CPUID says %s, loader %s" % (told, loader))
    marker = vmm_lines(m, "vmm", r"region marker at (0x[0-9a-f]+)")
    t.check("the OS reads only zeros from the VMM's region (%s nonzero words of %d; marker at %s)"
            % (rg.get("nonzero_words"), told[1] // 8, marker[0][3].split()[-1] if marker else "?"),
            marker and rg.get("nonzero_words") == "0", str(rg))
    _, sl = wait_probe(t, m, "sleep", 30, "the OS's S3 request")
    _, _, trap = m.wait_line(r"sleep: (PM1a_CNT) <- (0x[0-9a-f]+) \((S\d), SLP_TYP (\d+)/(\d+)\)", 30, port="vmm",
                             what="the VMM's log of the sleep request")
    t.check("the OS's S3 request is trapped and logged with SLP_TYP %s from \\_S3_ (%s)" % (sl.get("slp_typ"),
            trap.group(0)), trap.group(3) == "S3" and trap.group(4) == sl.get("slp_typ") == "1"
            and int(trap.group(2), 16) == int(sl.get("value", "0"), 16), str(sl))
