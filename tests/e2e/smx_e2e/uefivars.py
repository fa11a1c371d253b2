# SPDX-License-Identifier: MIT
"""Read a UEFI variable out of an OVMF variable store file (the firmware's
own NV storage, as QEMU's pflash keeps it), so a test can use the key the
loader created on the machine without the OS ever seeing it.

The store is EDK2's authenticated variable format (UEFI 2.10 §8.2 describes
the variables; the on-flash layout is EDK2's VARIABLE_STORE_HEADER followed
by AUTHENTICATED_VARIABLE_HEADER records): StartId 0x55AA, State, Reserved,
Attributes, MonotonicCount, TimeStamp (16 bytes), PubKeyIndex, NameSize,
DataSize, VendorGuid, then the UCS-2 name and the data, each record 4-byte
aligned. Only records whose State is VAR_ADDED (0x3f, nothing else cleared)
are current; older copies of a variable are marked deleted."""

import struct
import uuid

HEADER = struct.Struct("<HBBIQ16sIII16s")
VAR_ADDED = 0x3F


def read_variable(path, name, vendor=None):
    """The data of the current variable `name` (and vendor GUID string, if
    given), or None."""
    with open(path, "rb") as f:
        blob = f.read()
    want = name.encode("utf-16-le") + b"\0\0"
    found = None
    at = blob.find(b"\xaa\x55")
    while at >= 0 and at + HEADER.size <= len(blob):
        start, state, _, _, _, _, _, nsize, dsize, guid = HEADER.unpack_from(blob, at)
        body = at + HEADER.size
        if start == 0x55AA and nsize == len(want) and blob[body:body + nsize] == want and state == VAR_ADDED:
            if vendor is None or str(uuid.UUID(bytes_le=guid)) == vendor.lower():
                found = blob[body + nsize:body + nsize + dsize]
        at = blob.find(b"\xaa\x55", at + 2)
    return found
