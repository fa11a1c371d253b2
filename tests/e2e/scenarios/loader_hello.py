# SPDX-License-Identifier: MIT
"""The UEFI loader boots from an ESP under OVMF: proves the gnu-efi toolchain
and the ESP image build."""

import re

from smx_e2e.esp import make_esp
from smx_e2e.suite import scenario


@scenario("loader-hello", suites=("check",))
def loader_hello(t):
    """sleepmux.efi starts from the ESP's default boot path and reports its version"""
    with open(t.path("gen", "version.h")) as f:
        version = re.search(r'"(.*)"', f.read()).group(1)
    esp = make_esp(t.path("e2e", t.name, "esp.img"), {"EFI/BOOT/BOOTX64.EFI": t.path("efi", "sleepmux.efi")})
    m = t.machine(disks=[esp], vmm_port=False)
    m.start()
    _, ts, mt = m.wait_line(r"sleepmux loader (\S+)", 120, what="the loader's version line")
    t.phase("QEMU start -> loader version line", ts)
    t.check("the loader prints its version on the serial console (%s)" % mt.group(1),
            mt.group(1) == version, "build says %s" % version)
