# SPDX-License-Identifier: MIT
"""One raw disk image with a GPT (sfdisk): an EFI system partition filled
with mtools at its offset (same file dict as esp.make_esp) and a store
partition of a given type and unique GUID. No root, no loop devices."""

import os
import subprocess

SECTOR = 512
MIB = 1 << 20
ESP_TYPE = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"   # UEFI 2.10 §5.3.3, EFI System Partition
LINUX_DATA = "0fc63daf-8483-4772-8e79-3d69d8477de4"  # what smx_e2e.sleepmux.config() names
STORE_GUID = "6e0c2a4f-3b1d-4c8e-9f27-5a81d0c4e9b2"


class Disk:
    def __init__(self, path, esp_lba, esp_sectors, store_lba, store_sectors, store_type, store_guid):
        self.path = path
        self.esp_lba, self.esp_sectors = esp_lba, esp_sectors
        self.store_lba, self.store_sectors = store_lba, store_sectors
        self.store_type, self.store_guid = store_type, store_guid

    def store_read(self, offset, n):
        """n bytes at byte `offset` of the store partition."""
        with open(self.path, "rb") as f:
            f.seek(self.store_lba * SECTOR + offset)
            return f.read(n)

    def store_write(self, offset, data):
        """Overwrite bytes of the store partition (to damage it on purpose)."""
        with open(self.path, "r+b") as f:
            f.seek(self.store_lba * SECTOR + offset)
            f.write(data)

    def store_digest(self):
        """SHA-256 of the whole store partition."""
        import hashlib
        h = hashlib.sha256()
        for b in self._store_chunks():
            h.update(b)
        return h.hexdigest()

    def _store_chunks(self):
        """The store partition's bytes, 8 MiB at a time."""
        with open(self.path, "rb") as f:
            f.seek(self.store_lba * SECTOR)
            left = self.store_sectors * SECTOR
            while left:
                b = f.read(min(left, 8 * MIB))
                if not b:
                    break
                yield b
                left -= len(b)

    def extract_store(self, out):
        """Copy the store partition's bytes to `out` (what `dd` of /dev/sdX2 gives)."""
        with open(out, "wb") as dst:
            for b in self._store_chunks():
                dst.write(b)
        return out


def _mtools(args):
    subprocess.run(args, check=True, env=dict(os.environ, MTOOLS_SKIP_CHECK="1"), stdout=subprocess.DEVNULL)


def make_disk(path, files, store_mib=192, store_type=LINUX_DATA, store_guid=STORE_GUID, esp_mib=64):
    """Partition 1: the ESP (FAT32, esp_mib), partition 2: the store
    (store_mib, left zero: the VMM formats it). Both 1 MiB aligned."""
    if os.path.exists(path):
        os.unlink(path)
    esp_lba = MIB // SECTOR
    esp_sectors = esp_mib * MIB // SECTOR
    store_lba = esp_lba + esp_sectors
    store_sectors = store_mib * MIB // SECTOR
    total = (store_lba + store_sectors) * SECTOR + MIB  # room for the backup GPT
    with open(path, "wb") as f:
        f.truncate(total)
    script = ("label: gpt\n"
              "start=%d, size=%d, type=%s, name=\"EFI system\"\n"
              "start=%d, size=%d, type=%s, uuid=%s, name=\"sleepmux store\"\n"
              % (esp_lba, esp_sectors, ESP_TYPE, store_lba, store_sectors, store_type, store_guid))
    subprocess.run(["sfdisk", "--quiet", "--no-reread", "--no-tell-kernel", path], input=script.encode(),
                   check=True, stdout=subprocess.DEVNULL)
    # One sector per cluster: FAT32 needs at least 65525 clusters, and mkfs.fat
    # sizes clusters for the whole disk, not for the partition it is given.
    subprocess.run(["mkfs.fat", "-F", "32", "-s", "1", "-n", "SMXESP", "--offset", str(esp_lba), path,
                    str(esp_sectors * SECTOR // 1024)], check=True, stdout=subprocess.DEVNULL)
    img = "%s@@%d" % (path, esp_lba * SECTOR)
    made = set()
    for dest in sorted(files):
        parts = dest.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in made:
                _mtools(["mmd", "-i", img, "::/" + d])
                made.add(d)
        src = files[dest]
        tmp = None
        if isinstance(src, (bytes, bytearray)):
            tmp = path + ".content"
            with open(tmp, "wb") as f:
                f.write(src)
            src = tmp
        _mtools(["mcopy", "-o", "-i", img, src, "::/" + dest])
        if tmp:
            os.unlink(tmp)
    return Disk(path, esp_lba, esp_sectors, store_lba, store_sectors, store_type, store_guid)
