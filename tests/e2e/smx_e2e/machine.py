# SPDX-License-Identifier: MIT
"""One emulated PC: QEMU q35 (or i440fx, chipset="pc") + OVMF under TCG, its
serial ports captured line by line with host timestamps (seconds since QEMU
started), and QMP.

Serial ports are unix sockets QEMU waits on (server=on,wait=on), so not a
byte of early firmware output is lost. Port "guest" is COM1 (firmware
console and the OS's console=ttyS0); port "vmm" is COM2 (sleepmux's log).
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

from .qmp import QMP

OVMF_DIR = "/usr/share/OVMF"
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class MachineError(Exception):
    """A wait that failed: carries the tails of the logs for the report."""


class SerialPort:
    def __init__(self, name, sock_path, log_path, clock, echo=None):
        self.name = name
        self.sock_path = sock_path
        self.log = open(log_path, "w", buffering=1)
        self.clock = clock
        self.echo = echo
        self.lines = []  # (host seconds, text)
        self.cond = threading.Condition()
        self.closed = False

    def connect(self, deadline):
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.sock_path)
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise MachineError("serial %s: QEMU never opened %s" % (self.name, self.sock_path))
                time.sleep(0.02)
        self.sock = s
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buf = b""
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            buf += data
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                self._add(raw)
        if buf:
            self._add(buf)
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def _add(self, raw):
        # The firmware console draws with ANSI sequences and bare CRs; keep the
        # text of the last CR-separated segment that has any.
        parts = [ANSI.sub(b"", p) for p in raw.split(b"\r")]
        text = next((p for p in reversed(parts) if p.strip()), b"").decode("utf-8", "replace").rstrip()
        if not text:
            return
        t = self.clock()
        with self.cond:
            self.lines.append((t, text))
            self.cond.notify_all()
        self.log.write("[%9.3f] %s\n" % (t, text))
        if self.echo:
            self.echo(self.name, t, text)

    def find(self, pattern, start=0):
        rx = re.compile(pattern)
        with self.cond:
            for i in range(start, len(self.lines)):
                m = rx.search(self.lines[i][1])
                if m:
                    return i, self.lines[i][0], m
        return None

    def wait(self, pattern, timeout, start, alive):
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        dead_at = None
        i = start
        with self.cond:
            while True:
                while i < len(self.lines):
                    m = rx.search(self.lines[i][1])
                    if m:
                        return i, self.lines[i][0], m
                    i += 1
                now = time.monotonic()
                if now >= deadline or self.closed:
                    return None
                # The emulator may exit right after writing the line we
                # wait for: the reader drains what it wrote and then
                # closes the port, so only a closed port (or a reader that
                # never finishes) means the line will not come.
                if not alive():
                    dead_at = dead_at or now
                    if now - dead_at > 5:
                        return None
                self.cond.wait(min(deadline - now, 0.25))

    def tail(self, n=25):
        with self.cond:
            return ["[%9.3f] %s" % l for l in self.lines[-n:]]


class Machine:
    def __init__(self, name, workdir, *, firmware="OVMF_CODE_4M.fd", vars_template="OVMF_VARS_4M.fd",
                 cpu="EPYC", smp=2, memory="1G", smm=False, kernel=None, initrd=None, append=None,
                 disks=(), vmm_port=True, no_shutdown=False, extra=(), echo=None, chipset="q35",
                 disk_bus="virtio", vars_file=None):
        """smp: 2 by default, as every PC has several cores (a scenario that
        measures the one-CPU case says smp=1).
        vars_file: the UEFI variable store to use and keep (a fresh copy
        of vars_template when it does not exist yet), so that several
        machines in turn are the same computer booting again; by default
        each machine gets a fresh store of its own."""
        self.name = name
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.t0 = None
        vars_path = vars_file or os.path.join(workdir, "OVMF_VARS.fd")
        if not vars_file or not os.path.exists(vars_path):
            shutil.copyfile(os.path.join(OVMF_DIR, vars_template), vars_path)
        # q35's ICH9 disables S3 unless told otherwise; say it for pc's PIIX4 too.
        pm = {"q35": "ICH9-LPC", "pc": "PIIX4_PM"}[chipset]
        machine = chipset + ",accel=tcg" + (",smm=on" if smm else ",smm=off")
        self.ports = {}
        cmd = ["qemu-system-x86_64", "-machine", machine, "-cpu", cpu, "-smp", str(smp), "-m", memory,
               "-global", "%s.disable_s3=0" % pm,
               "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=%s" % os.path.join(OVMF_DIR, firmware),
               "-drive", "if=pflash,format=raw,unit=1,file=%s" % vars_path,
               "-display", "none", "-vga", "none", "-nodefaults", "-no-user-config",
               "-net", "none"]
        if smm:
            cmd += ["-global", "driver=cfi.pflash01,property=secure,value=on"]
        for idx, port in enumerate(["guest", "vmm"] if vmm_port else ["guest"]):
            sock = os.path.join(workdir, "serial-%s.sock" % port)
            if os.path.exists(sock):
                os.unlink(sock)
            self.ports[port] = SerialPort(port, sock, os.path.join(workdir, "serial-%s.log" % port),
                                          self.clock, echo)
            cmd += ["-chardev", "socket,id=ser%d,path=%s,server=on,wait=on" % (idx, sock),
                    "-serial", "chardev:ser%d" % idx]
        self.qmp_path = os.path.join(workdir, "qmp.sock")
        if os.path.exists(self.qmp_path):
            os.unlink(self.qmp_path)
        cmd += ["-qmp", "unix:%s,server=on,wait=off" % self.qmp_path]
        if os.environ.get("SMX_E2E_MONITOR"):
            # Debugging: a human monitor beside the harness's QMP (info registers -a, ...).
            cmd += ["-monitor", "unix:%s,server=on,wait=off" % os.path.join(workdir, "monitor.sock")]
        if os.environ.get("SMX_E2E_TRACE"):
            # Debugging: QEMU's trace events matching the pattern (e.g. e1000e_*) to trace.log.
            cmd += ["-trace", "enable=%s,file=%s" % (os.environ["SMX_E2E_TRACE"], os.path.join(workdir, "trace.log"))]
        if kernel:
            cmd += ["-kernel", kernel]
        if initrd:
            cmd += ["-initrd", initrd]
        if append:
            cmd += ["-append", append]
        # disk_bus: "virtio" (virtio-blk, the default), "ahci" (q35's built-in
        # ICH9 AHCI, one disk per port) or "nvme" (one controller per disk):
        # the last two are the controllers the VMM's own drivers know.
        for i, d in enumerate(disks):
            cmd += ["-drive", "if=none,id=disk%d,format=raw,file=%s" % (i, d)]
            if disk_bus == "ahci":
                cmd += ["-device", "ide-hd,drive=disk%d,bus=ide.%d,bootindex=%d" % (i, i, i + 1)]
            elif disk_bus == "nvme":
                cmd += ["-device", "nvme,drive=disk%d,serial=smx%d,bootindex=%d" % (i, i, i + 1)]
            else:
                cmd += ["-device", "virtio-blk-pci,drive=disk%d,bootindex=%d" % (i, i + 1)]
        if no_shutdown:
            cmd += ["-no-shutdown"]
        cmd += list(extra)
        self.cmd = cmd
        self.proc = None
        self.qmp = None

    def clock(self):
        return time.monotonic() - self.t0 if self.t0 is not None else 0.0

    def start(self):
        with open(os.path.join(self.workdir, "command"), "w") as f:
            f.write(" ".join(self.cmd) + "\n")
        self.stderr = open(os.path.join(self.workdir, "qemu-stderr.log"), "w")
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=self.stderr,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        for p in self.ports.values():
            p.connect(deadline)
        self.qmp = QMP(self.qmp_path, self.clock)
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def port(self, name):
        return self.ports[name]

    def mark(self, port="guest"):
        """A cursor: waits starting here see only lines that arrive later."""
        return len(self.ports[port].lines)

    def wait_line(self, pattern, timeout, port="guest", since=0, what=None):
        """Wait for a line matching `pattern` at or after index `since`.
        Returns (index, host seconds, match); raises MachineError with the
        log tails on timeout or if QEMU exits."""
        r = self.ports[port].wait(pattern, timeout, since, self.alive)
        if r is None:
            why = "QEMU exited (status %s)" % self.proc.poll() if not self.alive() else "timeout %.0f s" % timeout
            raise MachineError("%s: waiting for %s on %s: %s" % (self.name, what or repr(pattern), port, why))
        return r

    def find_line(self, pattern, port="guest", since=0):
        return self.ports[port].find(pattern, since)

    def wait_event(self, name, timeout, since=0):
        r = self.qmp.wait_event(name, timeout, since, self.alive)
        if r is None:
            raise MachineError("%s: QMP event %s did not come within %.0f s" % (self.name, name, timeout))
        return r

    def event_mark(self):
        return len(self.qmp.events)

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise MachineError("%s: QEMU still running after %.0f s" % (self.name, timeout))

    def tails(self, n=25):
        out = []
        for name, p in self.ports.items():
            out.append("--- last lines of serial %s (%s)" % (name, p.log.name))
            out += p.tail(n)
        try:
            with open(os.path.join(self.workdir, "qemu-stderr.log")) as f:
                err = f.read().strip().splitlines()[-10:]
            if err:
                out.append("--- qemu stderr")
                out += err
        except OSError:
            pass
        return out

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                self.qmp.execute("quit", timeout=5)
            except Exception:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass  # it went on its own meanwhile
                self.proc.wait()
        if self.qmp:
            self.qmp.close()
        for p in self.ports.values():
            p.log.close()
        if getattr(self, "stderr", None):
            self.stderr.close()
