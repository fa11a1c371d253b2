# SPDX-License-Identifier: MIT
"""EFI system partitions for the emulator: a FAT image made with dosfstools
and filled with mtools, no root and no loop devices needed."""

import os
import subprocess


def make_esp(path, files, size_mib=64):
    """files: {"EFI/BOOT/BOOTX64.EFI": "/host/path", ...}; a value of bytes
    is written as the file's content."""
    if os.path.exists(path):
        os.unlink(path)
    subprocess.run(["mkfs.fat", "-C", "-F", "32", "-n", "SMXESP", path, str(size_mib * 1024)],
                   check=True, stdout=subprocess.DEVNULL)
    made = set()
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    for dest in sorted(files):
        parts = dest.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in made:
                subprocess.run(["mmd", "-i", path, "::/" + d], check=True, env=env)
                made.add(d)
        src = files[dest]
        if isinstance(src, (bytes, bytearray)):
            tmp = path + ".content"
            with open(tmp, "wb") as f:
                f.write(src)
            src = tmp
        subprocess.run(["mcopy", "-o", "-i", path, src, "::/" + dest], check=True, env=env)
    if os.path.exists(path + ".content"):
        os.unlink(path + ".content")
    return path


def read_esp_file(path, name):
    """The content of one file on an ESP image, or None if absent."""
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    r = subprocess.run(["mtype", "-i", path, "::/" + name], capture_output=True, env=env)
    return r.stdout if r.returncode == 0 else None
