# SPDX-License-Identifier: MIT
"""A small QMP client: commands and their replies, plus every asynchronous
event (SUSPEND, WAKEUP, SHUTDOWN, RESET, ...) recorded with the host time it
arrived, so tests can wait for them instead of polling query-status."""

import json
import queue
import socket
import threading
import time


class QMPError(Exception):
    pass


class QMP:
    def __init__(self, path, clock, connect_timeout=20.0):
        self.clock = clock
        deadline = time.monotonic() + connect_timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise QMPError("cannot connect to QMP at %s" % path)
                time.sleep(0.05)
        self.file = self.sock.makefile("rwb", buffering=0)
        self.replies = queue.Queue()
        self.events = []  # (host seconds, name, data)
        self.cond = threading.Condition()
        greeting = json.loads(self.file.readline())
        if "QMP" not in greeting:
            raise QMPError("unexpected QMP greeting: %r" % greeting)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.execute("qmp_capabilities")

    def _read(self):
        while True:
            try:
                raw = self.file.readline()
            except OSError:
                raw = b""
            if not raw:
                break
            try:
                msg = json.loads(raw)
            except ValueError:
                continue
            if "event" in msg:
                with self.cond:
                    self.events.append((self.clock(), msg["event"], msg.get("data", {})))
                    self.cond.notify_all()
            else:
                self.replies.put(msg)
        self.replies.put({"error": {"desc": "QMP connection closed"}})
        with self.cond:
            self.cond.notify_all()

    def execute(self, cmd, timeout=30.0, **args):
        req = {"execute": cmd}
        if args:
            req["arguments"] = args
        self.file.write(json.dumps(req).encode() + b"\n")
        try:
            reply = self.replies.get(timeout=timeout)
        except queue.Empty:
            raise QMPError("no reply to %s within %.0f s" % (cmd, timeout))
        if "error" in reply:
            raise QMPError("%s: %s" % (cmd, reply["error"].get("desc", reply["error"])))
        return reply.get("return")

    def wait_event(self, name, timeout, since=0, alive=lambda: True):
        """The first event `name` at index >= since: (index, host time, data)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for i in range(since, len(self.events)):
                    if self.events[i][1] == name:
                        return i, self.events[i][0], self.events[i][2]
                left = deadline - time.monotonic()
                if left <= 0 or not alive():
                    return None
                self.cond.wait(min(left, 0.5))

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
