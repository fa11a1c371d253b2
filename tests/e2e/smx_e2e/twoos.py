# SPDX-License-Identifier: MIT
"""Two real OSes on one emulated PC (issue 12): A on Debian's 6.1 kernel, B
on 6.12, one GPT disk (ESP + store) on AHCI or NVMe, q35 with 2 GiB, and the
helpers that follow a switch from the sleep request of one guest to the
other guest's proof that its memory came back."""

import os
import subprocess

from .disk import make_disk
from .guest import CONSOLE, Guest
from .sleepmux import vmm_lines
from .uefivars import read_variable

VENDOR = "b55776e5-c612-49f9-af51-aa0605d65606"  # efi-loader/vars.h, SMX_VENDOR_GUID
MEMORY = "2G"


def guest_args(cycles, end="idle", buffer="160M", extra=""):
    return ("%s sleepmux.buffer=%s sleepmux.cycles=%d sleepmux.end=%s sleepmux.probe=other %s"
            % (CONSOLE, buffer, cycles, end, extra)).strip()


def config(args, mode="sleep", vmm_mib=160, memory="512 MiB", extra=None,
           store="partition-type = 0fc63daf-8483-4772-8e79-3d69d8477de4\n"):
    """sleepmux.conf for both test OSes: args = {"A": ..., "B": ...};
    store: the [store] section's lines."""
    def os_section(x):
        return ("[os %s]\nname = test guest %s (Linux %s)\nloader = \\EFI\\guest\\vmlinuz-%s.efi\n"
                "args = \"initrd=\\EFI\\guest\\initrd-%s.img %s\"\nmemory = %s\n%s"
                % (x, x, "6.1" if x == "A" else "6.12", x, x, args[x], memory, (extra or {}).get(x, "")))
    return ("[global]\ndefault = A\nswitch = %s\nvmm-memory = %d MiB\nlog = com2\n"
            "[store]\n%s%s%s"
            % (mode, vmm_mib, store, os_section("A"), os_section("B"))).encode()


def make_two_os_disk(t, args, name="disk.img", store_mib=640, debug=(), **cfg):
    """debug: loader debug switches to turn on (efi-loader/debug.c), e.g. ("bench",)."""
    files = {
        "EFI/BOOT/BOOTX64.EFI": t.path("efi", "sleepmux.efi"),
        "EFI/sleepmux/sleepmux.conf": config(args, **cfg),
        "EFI/sleepmux/vmm.elf": t.path("fs", "vmm.elf"),
        "EFI/guest/vmlinuz-A.efi": t.path("guest", "vmlinuz"),
        "EFI/guest/vmlinuz-B.efi": t.path("guest", "vmlinuz-B"),
        "EFI/guest/initrd-A.img": t.path("guest", "initrd-A.img"),
        "EFI/guest/initrd-B.img": t.path("guest", "initrd-B.img"),
    }
    for d in debug:
        files["EFI/sleepmux/debug-%s" % d] = b"on\n"
    return make_disk(t.path("e2e", t.name, name), files, store_mib=store_mib)


class TwoOS:
    """One machine (QEMU process) with both guests on its console."""

    def __init__(self, t, disk, bus, label, vars_file, extra=(), prefix=()):
        """prefix: a command QEMU runs under (e.g. ip netns exec NS)."""
        self.t = t
        self.m = t.machine(label=label, disks=[disk.path], disk_bus=bus, memory=MEMORY, vars_file=vars_file,
                           extra=extra)
        self.m.cmd[:0] = list(prefix)
        self.g = {"A": Guest(t, self.m, "A"), "B": Guest(t, self.m, "B")}
        self.memmap = {}
        self.m.start()

    def booted(self, os_id, timeout=300):
        """Wait until os_id has booted fresh and filled its buffer; checks
        what it read of the other OS's private range."""
        g = self.g[os_id]
        t_fill, f, _ = g.wait(r"event=(filled|error)", timeout, "guest %s to boot and fill its buffer" % os_id)
        self.memmap[os_id] = f.get("memmap")
        _, o, _ = g.wait(r"event=other-read ", 120, "guest %s to read the other OS's range" % os_id)
        self.t.check("%s booted fresh; it reads %s non-zero words in the other OS's private range %s+%s"
                     % (os_id, o.get("nonzero_words"), o.get("base"), o.get("size")),
                     o.get("nonzero_words") == "0" and int(o.get("size", "0"), 16) > 0, str(o))
        return t_fill

    def switch(self, src, n, dst, m_cycle, via_s3=True, timeout=400):
        """src asks for S3 (its cycle n); dst comes back and verifies its
        cycle m_cycle. Returns (request time, running-again time, fields)."""
        ev = self.m.event_mark()
        t_req, _, _ = self.g[src].wait(r"cycle=%d event=suspend" % n, timeout,
                                      "guest %s to ask for S3 (cycle %d)" % (src, n))
        t_wake = None
        if via_s3:
            _, t_susp, _ = self.m.wait_event("SUSPEND", timeout, since=ev)
            self.m.qmp.execute("system_wakeup")
            t_wake = self.m.clock()
        t_done, f, _ = self.g[dst].wait(r"cycle=%d (pattern=\S+|event=suspend-failed)" % m_cycle, timeout,
                                        "guest %s to come back and verify (cycle %d)" % (dst, m_cycle))
        return t_req, t_wake, t_done, f

    def check_back(self, dst, m_cycle, f, what):
        """dst's pattern, its view of the other's range, its memory map."""
        ok = (f.get("pattern") == "ok" and f.get("other_nonzero") == "0" and
              f.get("memmap") == self.memmap.get(dst) and "vmm_sleeps" in f)
        self.t.check("%s: %s resumed (cycle %d) under the VMM with its 160 MiB pattern intact, zeros in the other "
                     "OS's range, the same memory map" % (what, dst, m_cycle), ok, str(f))
        return ok


def store_key(t, vars_file):
    """The image key the loader created, read from the firmware's variables."""
    key = read_variable(vars_file, "SleepmuxKey", VENDOR)
    path = t.path("e2e", t.name, "store.key")
    if key is not None:
        with open(path, "wb") as f:
            f.write(key)
    return path if key is not None and len(key) == 32 else None


def host_verify(t, disk, key_file, os_id, label):
    """sleepmux-image on the host: the store partition holds a committed,
    verifiable image of os_id."""
    part = disk.extract_store(t.path("e2e", t.name, "store-%s.part" % label))
    tool = t.path("bin", "sleepmux-image")
    info = subprocess.run([tool, "info", "--store", part, "--key-file", key_file], capture_output=True, text=True)
    ver = subprocess.run([tool, "verify", "--store", part, "--key-file", key_file, "--os", os_id],
                         capture_output=True, text=True)
    t.note("sleepmux-image info --store (%s):\n      %s" % (label, info.stdout.strip().replace("\n", "\n      ")))
    t.check("%s: on the host, sleepmux-image verifies the store's committed image of %s with the machine's key"
            % (label, os_id), info.returncode == 0 and ver.returncode == 0,
            (info.stderr + ver.stdout + ver.stderr).strip())
    os.unlink(part)


def switch_times(m):
    """[(what, ms)] from the VMM's switch lines."""
    out = []
    for _, _, _, text in vmm_lines(m, "switch", r"(entering OS|woke: entering OS) \w .* (\d+) ms after"):
        out.append(text)
    return out
