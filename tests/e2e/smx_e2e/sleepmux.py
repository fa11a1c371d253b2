# SPDX-License-Identifier: MIT
"""sleepmux on an emulated PC: the ESP with the loader, the VMM, the config
and the test guests, and the VMM's log lines.

ESP layout (what `make install` produces, plus the guests):
  \\EFI\\BOOT\\BOOTX64.EFI          sleepmux.efi (the firmware's default boot path)
  \\EFI\\sleepmux\\vmm.elf
  \\EFI\\sleepmux\\sleepmux.conf
  \\EFI\\guest\\vmlinuz.efi         Debian's kernel (an EFI stub)
  \\EFI\\guest\\initrd-A.img, initrd-B.img
"""

import re

from .esp import make_esp
from .guest import cmdline

VMM_LOG = re.compile(r"^\[\s*(\d+)\.(\d{3})\] (\w+): (.*)$")


def config(os_id="A", guest_args="", vmm_mib=32, log="com2", default=None, extra_global="", os_extra=None,
           memory=None, store="partition-type = 0fc63daf-8483-4772-8e79-3d69d8477de4"):
    """A sleepmux.conf (policy's format, docs/config.md) booting test guest
    os_id, with both test guests configured. memory: {"A": "40%", ...},
    50% for an OS not named (the loader reserves the rest: a guest gets its
    share and no more, and fills a 256 MiB buffer on a 1 GiB machine)."""
    def os_section(x):
        return ("[os %s]\n"
                "name = test guest %s\n"
                "loader = \\EFI\\guest\\vmlinuz.efi\n"
                "args = \"initrd=\\EFI\\guest\\initrd-%s.img %s\"\n"
                "memory = %s\n%s" % (x, x, x, guest_args, (memory or {}).get(x, "50%"),
                                     (os_extra or {}).get(x, "")))
    return ("[global]\n"
            "default = %s\n"
            "switch = sleep\n"
            "vmm-memory = %d MiB\n"
            "log = %s\n%s"
            "[store]\n"
            "%s\n"
            "%s%s" % (default or os_id, vmm_mib, log, extra_global, store, os_section("A"), os_section("B"))).encode()


def make_sleepmux_esp(ctx, name="esp.img", os_id="A", guest_args=None, vmm_elf=None, conf=None, vmm=True, **cfg):
    """vmm=False leaves vmm.elf off the ESP: the loader takes its fallback
    path and boots the OS without the VMM (the baseline for benchmarks)."""
    files = sleepmux_files(ctx, os_id, guest_args, vmm_elf, conf, vmm, **cfg)
    return make_esp(ctx.path("e2e", ctx.name, name), files)


def sleepmux_files(ctx, os_id="A", guest_args=None, vmm_elf=None, conf=None, vmm=True, **cfg):
    """The ESP's files as make_esp (or disk.make_disk) takes them."""
    if guest_args is None:
        guest_args = cmdline()
    files = {
        "EFI/BOOT/BOOTX64.EFI": ctx.path("efi", "sleepmux.efi"),
        "EFI/sleepmux/sleepmux.conf": conf if conf is not None else config(os_id, guest_args, **cfg),
        "EFI/guest/vmlinuz.efi": ctx.path("guest", "vmlinuz"),
        "EFI/guest/initrd-A.img": ctx.path("guest", "initrd-A.img"),
        "EFI/guest/initrd-B.img": ctx.path("guest", "initrd-B.img"),
    }
    if vmm:
        files["EFI/sleepmux/vmm.elf"] = vmm_elf if vmm_elf is not None else ctx.path("fs", "vmm.elf")
    return files


def vmm_lines(m, tag=None, pattern=None):
    """The VMM's own log lines (not firmware console output on the same
    port): [(host time, vmm seconds, tag, text)]."""
    out = []
    rx = re.compile(pattern) if pattern else None
    for t, text in m.port("vmm").lines:
        mt = VMM_LOG.match(text)
        if not mt:
            continue
        if tag and mt.group(3) != tag:
            continue
        if rx and not rx.search(mt.group(4)):
            continue
        out.append((t, int(mt.group(1)) + int(mt.group(2)) / 1000.0, mt.group(3), mt.group(4)))
    return out
