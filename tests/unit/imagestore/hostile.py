#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sleepmux-image under hostile input and interruption (issue 15), on a
dump made of the real-memory fixture repeated:

  - create -o and extract -o killed midway (SIGKILL while the output is
    being written) leave the file that was at the output path as it was
  - an extract whose commit record is damaged leaves no partial output,
    keeps the earlier file and says that it removed the partial copy
  - mark-restored frees a store whose slots both hold committed images,
    only after the image verifies completely, and only once
  - --help exits 0 on stdout; info --store without a key says why;
    random bytes are "not an image"

Prints ok:/FAIL: lines; exits non-zero on any failure.

usage: hostile.py SLEEPMUX_IMAGE FIXTURE KEY WORKDIR
"""
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import time

TITLE = "sleepmux-image hostile"
fails = 0


def ok(msg):
    print(f"ok: {TITLE}: {msg}", flush=True)


def bad(msg):
    global fails
    fails += 1
    print(f"FAIL: {TITLE}: {msg}", flush=True)


def check(cond, msg, why=""):
    (ok if cond else bad)(msg if cond or not why else f"{msg}: {why}")
    return cond


def main():
    if len(sys.argv) != 5:
        print(__doc__)
        sys.exit(2)
    tool, fixture, key, work = (os.path.abspath(a) for a in sys.argv[1:])
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    def run(*args):
        r = subprocess.run((tool,) + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return r.returncode, r.stdout, r.stderr.strip()

    def w(name):
        return os.path.join(work, name)

    def content(path):
        with open(path, "rb") as f:
            return f.read()

    def temps(path):
        return glob.glob(path + ".tmp-*")

    # A dump large enough to kill the tool while it writes: the fixture's
    # 48 pages of real memory, 700 times (131 MiB).
    with open(fixture, "rb") as f:
        piece = f.read()
    with open(w("dump.raw"), "wb") as f:
        for _ in range(700):
            f.write(piece)

    # 1. Small things: --help, info --store without a key, random bytes.
    rc, out, err = run("--help")
    check(rc == 0 and "usage:" in out and not err, "--help: exit 0, usage on stdout", f"exit {rc}, stderr {err!r}")
    with open(w("empty-store.bin"), "wb") as f:
        f.truncate(1 << 20)
    rc, out, err = run("info", "--store", w("empty-store.bin"))
    check(rc == 2 and "needs --key-file" in err, f"info --store without a key: exit 2, {err[:70]!r}",
          f"exit {rc}, {err!r}")
    with open(w("random.bin"), "wb") as f:
        f.write(os.urandom(100))
    for cmd in (("verify", "--key-file", key), ("info",)):
        rc, out, err = run(*cmd, w("random.bin"))
        check(rc == 1 and "(not an image)" in err, f"{cmd[0]} of 100 random bytes: exit 1, {err[-50:]!r}",
              f"exit {rc}, {err!r}")

    # 2. A good image, and an earlier file at the extract path.
    rc, out, err = run("create", "--key-file", key, w("dump.raw"), "-o", w("good.img"))
    if not check(rc == 0, "create a 131 MiB image from the fixture", f"exit {rc}: {err}"):
        sys.exit(1)
    good = content(w("good.img"))
    earlier = b"an earlier file at the output path\n"
    with open(w("out.raw"), "wb") as f:
        f.write(earlier)

    # 3. Extract with a damaged commit record (the image's last bytes).
    damaged = bytearray(good)
    damaged[-20] ^= 0xFF
    with open(w("damaged.img"), "wb") as f:
        f.write(damaged)
    rc, out, err = run("extract", "--key-file", key, w("damaged.img"), "-o", w("out.raw"))
    check(rc == 1 and content(w("out.raw")) == earlier and not temps(w("out.raw")) and
          "partial output was removed" in err,
          "extract of an image with a damaged commit record: exit 1, earlier file kept, no partial output, "
          "says so", f"exit {rc}, output {os.path.getsize(w('out.raw'))} bytes, temps {temps(w('out.raw'))}, "
          f"{err!r}")

    # 4. Killed midway: once the output being written (a temporary file,
    #    or the output path itself if it is written in place) has 8 MiB.
    def kill_midway(args, out_path):
        def sizes():
            got = {}
            for t in temps(out_path) + [out_path]:
                try:
                    st = os.stat(t)
                    got[t] = (st.st_size, st.st_mtime_ns)
                except FileNotFoundError:
                    pass
            return got
        before = sizes()
        p = subprocess.Popen((tool,) + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        grown, end = 0, time.time() + 60
        while p.poll() is None and time.time() < end:
            now = sizes()
            written = [v[0] for t, v in now.items() if before.get(t) != v and v[0] > (8 << 20)]
            if written:
                grown = max(written)
                p.send_signal(signal.SIGKILL)
                break
            time.sleep(0.002)
        p.wait()
        return p.returncode == -signal.SIGKILL, grown

    killed, grown = kill_midway(("extract", "--key-file", key, w("good.img"), "-o", w("out.raw")), w("out.raw"))
    check(killed and content(w("out.raw")) == earlier,
          f"extract killed at {grown >> 20} MiB of output: the earlier file at the output path is unchanged",
          "not killed midway" if not killed else f"output is now {os.path.getsize(w('out.raw'))} bytes")
    for t in temps(w("out.raw")):
        os.unlink(t)

    killed, grown = kill_midway(("create", "--key-file", key, w("dump.raw"), "-o", w("good.img")), w("good.img"))
    same = content(w("good.img")) == good
    rc, out, err = run("verify", "--key-file", key, w("good.img"))
    check(killed and same and rc == 0,
          f"create -o over a good image killed at {grown >> 20} MiB: the good image is intact and verifies",
          "not killed midway" if not killed else f"changed {not same}, verify exit {rc}: {err}")
    for t in temps(w("good.img")):
        os.unlink(t)

    # A finished extract replaces the earlier file, and leaves no temporary.
    rc, out, err = run("extract", "--key-file", key, w("good.img"), "-o", w("out.raw"))
    check(rc == 0 and content(w("out.raw")) == content(w("dump.raw")) and not temps(w("out.raw")),
          "a complete extract replaces the earlier file with the dump's bytes", f"exit {rc}: {err}")
    os.unlink(w("out.raw"))
    os.makedirs(w("real"))
    with open(w("real/mem.raw"), "wb") as f:
        f.write(earlier)
    os.symlink(w("real/mem.raw"), w("link.raw"))
    rc, out, err = run("extract", "--key-file", key, w("good.img"), "-o", w("link.raw"))
    check(rc == 0 and os.path.islink(w("link.raw")) and content(w("real/mem.raw")) == content(w("dump.raw")) and
          not temps(w("real/mem.raw")),
          "extract to a symbolic link replaces the file it points to and keeps the link", f"exit {rc}: {err}")
    os.unlink(w("link.raw"))
    shutil.rmtree(w("real"))

    # 5. mark-restored: both slots committed (A and B) refuses a new save
    #    of A until A's image is marked restored.
    store = w("store.bin")
    with open(store, "wb") as f:
        f.truncate(len(good) * 2 + (16 << 20))
    run("format", "--key-file", key, "--store", store)
    for os_name in ("A", "B"):
        rc, out, err = run("create", "--key-file", key, "--os", os_name, "--store", store, w("dump.raw"))
        check(rc == 0, f"save an image of OS {os_name} to the store", f"exit {rc}: {err}")
    rc, out, err = run("create", "--key-file", key, "--os", "A", "--store", store, w("dump.raw"))
    check(rc == 5 and "unrestored" in err, f"a third save while both wait is refused: exit 5, {err[-60:]!r}",
          f"exit {rc}: {err}")
    rc, out, info = run("info", "--key-file", key, "--store", store)
    slot_a = int(re.search(r"slot (\d): committed, OS A", out).group(1))
    slot_size = int(re.search(r"two slots of (\d+) MiB at byte (\d+)", out).group(1)) << 20
    slot_offset = int(re.search(r"two slots of (\d+) MiB at byte (\d+)", out).group(2))

    # A damaged image is not marked: the checks of a restore come first.
    with open(store, "r+b") as f:
        at = slot_offset + slot_a * slot_size + 5000
        f.seek(at)
        byte = f.read(1)
        f.seek(at)
        f.write(bytes([byte[0] ^ 0xFF]))
    rc, out, err = run("mark-restored", "--key-file", key, "--store", store, "--os", "A")
    rc2, info, _ = run("info", "--key-file", key, "--store", store)
    check(rc == 1 and f"slot {slot_a}: committed" in info,
          f"mark-restored of a damaged image refused (exit 1), the slot stays committed: {err[-60:]!r}",
          f"exit {rc}: {err}; {info}")
    with open(store, "r+b") as f:
        f.seek(at)
        f.write(byte)

    rc, out, err = run("mark-restored", "--key-file", key, "--store", store, "--os", "A")
    rc2, info, _ = run("info", "--key-file", key, "--store", store)
    check(rc == 0 and "marked restored" in out and f"slot {slot_a}: restored" in info,
          f"mark-restored --os A: exit 0, slot {slot_a} restored", f"exit {rc}: {err} {out}; {info}")
    rc, out, err = run("mark-restored", "--key-file", key, "--store", store, "--slot", str(slot_a))
    check(rc == 1 and "restored already" in err, f"marking it again is refused: exit 1, {err[-60:]!r}",
          f"exit {rc}: {err}")
    rc, out, err = run("create", "--key-file", key, "--os", "A", "--store", store, w("dump.raw"))
    check(rc == 0, "then a new save of OS A is taken", f"exit {rc}: {err}")

    if not fails:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
