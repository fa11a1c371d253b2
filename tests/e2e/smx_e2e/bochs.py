# SPDX-License-Identifier: MIT
"""One emulated Intel PC: Bochs 2.7 (Debian's `bochs`), the only emulator on
this machine that implements VT-x (QEMU's TCG does not), with EPT and
unrestricted guest, booting Debian's OVMF. Same interface as Machine
(machine.py): start, wait_line, find_line, mark, wait_exit, tails, stop.

What differs from QEMU, measured on Debian 12:
- The serial ports are files (Bochs 2.7 has no unix-socket mode); a
  follower thread reads each as Bochs writes it and stamps each line with
  host seconds since Bochs started, as the QEMU ports do.
- Debian builds Bochs with its debugger, which stops before the first
  instruction: a command file continues at once. The only GUI that needs
  no display is rfb (a VNC server that does not wait for a client).
- OVMF_CODE.fd is the ROM image, with no variable store: OVMF keeps its
  variables in memory, so every boot is a first boot (the default boot path
  \\EFI\\BOOT\\BOOTX64.EFI is what it starts).
- A PM1 write with SLP_EN and SLP_TYP 1 resets the machine (Bochs's S3),
  SLP_TYP 0 ends Bochs (its soft power-off, exit status 1 with the message
  "ACPI control: soft power off" in bochs.log).

cpu: "vmx" is a Skylake-X (VMX with EPT and unrestricted guest); "vmx-basic"
is Bochs's generic CPU with VMX level 1: VT-x as the first Core 2 had it,
no EPT, no unrestricted guest.
"""

import os
import signal
import subprocess
import threading
import time

from .machine import MachineError, SerialPort

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE.fd"
VGA_ROM = "/usr/share/vgabios/vgabios.bin"
# Instructions per emulated second: with `clock: sync=none` emulated time is
# counted in instructions, so this scales every firmware delay against the
# host's speed (Bochs runs ~50-100 M instructions per host second here).
IPS = 50000000

CPUS = {
    "vmx": "cpu: model=corei7_skylake_x, count=1, ips=%d, reset_on_triple_fault=1\n" % IPS,
    "vmx-basic": ("cpu: model=bx_generic, count=1, ips=%d, reset_on_triple_fault=1\n"
                  "cpuid: level=6, vendor_string=\"GenuineIntel\", family=6, model=0x0f, stepping=6, "
                  "mmx=1, apic=xapic, simd=ssse3, sep=1, x86_64=1, 1g_pages=0, pcid=0, fsgsbase=0, "
                  "smep=0, smap=0, xsave=0, xsaveopt=0, aes=0, movbe=0, vmx=1\n" % IPS),
}


class FileSerial(SerialPort):
    """A serial port Bochs writes to a file, followed as it grows."""

    def __init__(self, name, path, log_path, clock, echo=None):
        super().__init__(name, path, log_path, clock, echo)
        self.stop_flag = False

    def follow(self, alive):
        def run():
            buf = b""
            while not os.path.exists(self.sock_path):
                if self.stop_flag or not alive():
                    break
                time.sleep(0.05)
            f = open(self.sock_path, "rb") if os.path.exists(self.sock_path) else None
            while f:
                data = f.read(65536)
                if data:
                    buf += data
                    while b"\n" in buf:
                        raw, buf = buf.split(b"\n", 1)
                        self._add(raw)
                    continue
                if self.stop_flag or not alive():
                    data = f.read()
                    if not data:
                        break
                    buf += data
                    continue
                time.sleep(0.05)
            if buf:
                self._add(buf)
            if f:
                f.close()
            with self.cond:
                self.closed = True
                self.cond.notify_all()
        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()


class BochsMachine:
    def __init__(self, name, workdir, *, disk, cpu="vmx", memory_mib=512, echo=None):
        self.name = name
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.t0 = None
        self.proc = None
        self.ports = {}
        serial = ""
        for idx, port in enumerate(["guest", "vmm"]):
            raw = os.path.join(workdir, "serial-%s.raw" % port)
            if os.path.exists(raw):
                os.unlink(raw)
            self.ports[port] = FileSerial(port, raw, os.path.join(workdir, "serial-%s.log" % port), self.clock, echo)
            serial += "com%d: enabled=1, mode=file, dev=%s\n" % (idx + 1, raw)
        # Bochs locks a disk image with a file beside it, which stays when
        # Bochs is killed: the harness's emulator lock makes it stale.
        if os.path.exists(disk + ".lock"):
            os.unlink(disk + ".lock")
        self.bochs_log = os.path.join(workdir, "bochs.log")
        conf = ("megs: %d\n"
                "romimage: file=%s\n"
                "vgaromimage: file=%s\n"
                "%s"
                "clock: sync=none, time0=utc\n"
                "display_library: rfb, options=\"timeout=0\"\n"
                "pci: enabled=1, chipset=i440fx\n"
                "ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14\n"
                "ata0-master: type=disk, path=%s, mode=flat\n"
                "boot: disk\n"
                "%s"
                "speaker: enabled=0\n"
                "sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy\n"
                "log: %s\n"
                "panic: action=fatal\n"
                "error: action=report\n"
                "info: action=report\n"
                "debug: action=ignore\n"
                % (memory_mib, OVMF_CODE, VGA_ROM, CPUS[cpu], disk, serial, self.bochs_log))
        self.conf = os.path.join(workdir, "bochsrc")
        with open(self.conf, "w") as f:
            f.write(conf)
        self.rc = os.path.join(workdir, "debugger.rc")
        with open(self.rc, "w") as f:
            f.write("continue\n")
        self.cmd = ["bochs", "-q", "-f", self.conf, "-rc", self.rc]

    def clock(self):
        return time.monotonic() - self.t0 if self.t0 is not None else 0.0

    def start(self):
        with open(os.path.join(self.workdir, "command"), "w") as f:
            f.write(" ".join(self.cmd) + "\n")
        self.stderr = open(os.path.join(self.workdir, "bochs-stdout.log"), "w")
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=self.stderr,
                                     stderr=subprocess.STDOUT, start_new_session=True, cwd=self.workdir)
        for p in self.ports.values():
            p.follow(self.alive)
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def port(self, name):
        return self.ports[name]

    def mark(self, port="guest"):
        return len(self.ports[port].lines)

    def wait_line(self, pattern, timeout, port="guest", since=0, what=None):
        r = self.ports[port].wait(pattern, timeout, since, self.alive)
        if r is None:
            why = "Bochs exited (status %s)" % self.proc.poll() if not self.alive() else "timeout %.0f s" % timeout
            raise MachineError("%s: waiting for %s on %s: %s" % (self.name, what or repr(pattern), port, why))
        return r

    def find_line(self, pattern, port="guest", since=0):
        return self.ports[port].find(pattern, since)

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise MachineError("%s: Bochs still running after %.0f s" % (self.name, timeout))

    def log_has(self, text):
        """Whether Bochs's own log (bochs.log) has `text` (its device
        messages: "ACPI control: soft power off", resets, VMX errors)."""
        try:
            with open(self.bochs_log, errors="replace") as f:
                return text in f.read()
        except OSError:
            return False

    def tails(self, n=25):
        out = []
        for name, p in self.ports.items():
            out.append("--- last lines of serial %s (%s)" % (name, p.log.name))
            out += p.tail(n)
        try:
            with open(self.bochs_log, errors="replace") as f:
                lines = [l.rstrip() for l in f if "PLUGIN" not in l and "lt_dlhandle" not in l][-15:]
            out.append("--- bochs.log")
            out += lines
        except OSError:
            pass
        return out

    def _signal(self, sig):
        # Bochs may exit on its own between the poll and the signal (an S3
        # write resets it, and the reset quits): then there is nobody left.
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.proc.wait()
        for p in self.ports.values():
            p.stop_flag = True
        for p in self.ports.values():
            if getattr(p, "thread", None):
                p.thread.join(5)
            p.log.close()
        if getattr(self, "stderr", None):
            self.stderr.close()
