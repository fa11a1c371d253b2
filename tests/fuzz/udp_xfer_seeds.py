#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seed inputs for the udp_xfer_engine fuzzer (format in its header): a few
complete, well-behaved transfers, so that fuzzing starts from sessions that
reach the data phase instead of having to discover TFTP from nothing.

usage: udp_xfer_seeds.py OUTDIR
"""
import os
import struct
import sys


def rec(kind, payload=b"", tick_ms=None):
    if tick_ms is not None:
        return bytes([3]) + struct.pack(">H", tick_ms)
    return bytes([kind]) + struct.pack(">H", len(payload)) + payload


def data(block, n):
    return struct.pack(">HH", 3, block & 0xFFFF) + bytes([block & 0xFF]) * n


def ack(block):
    return struct.pack(">HH", 4, block & 0xFFFF)


def oack(*pairs):
    return struct.pack(">H", 6) + b"".join(k.encode() + b"\0" + str(v).encode() + b"\0" for k, v in pairs)


def request(op, *pairs):
    return struct.pack(">H", op) + b"image\0octet\0" + b"".join(
        k.encode() + b"\0" + str(v).encode() + b"\0" for k, v in pairs)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    seeds = {}
    # Client get, RFC 1350.
    seeds["get-plain"] = bytes([0]) + rec(0, data(1, 512)) + rec(0, data(2, 100))
    # Client get with blksize 1024, windowsize 8, a gap and a duplicate.
    s = bytes([4 | 8 | 64]) + rec(0, oack(("blksize", 1024), ("windowsize", 8), ("tsize", 9000)))
    for b in (1, 2, 4, 3, 3, 4, 5, 6, 7, 8, 9):
        s += rec(0, data(b, 1024 if b < 9 else 8))
    seeds["get-window"] = s
    # Client put, window, then the server silent for a while.
    s = bytes([2 | 4 | 8]) + rec(0, oack(("blksize", 1024), ("windowsize", 8)))
    s += rec(0, ack(8)) + rec(0, ack(5)) + rec(3, tick_ms=300) + rec(0, ack(16)) + rec(1, ack(16))
    seeds["put-window"] = s
    # Server receiving a write with options, then a stranger.
    r = request(2, ("blksize", 1024), ("windowsize", 4), ("tsize", 2000))
    seeds["serve-put"] = bytes([1 | 16]) + struct.pack(">H", len(r)) + r + rec(0, data(1, 1024)) + \
        rec(1, data(2, 976)) + rec(0, data(2, 976)) + rec(0, data(2, 976))
    # Server sending a read, RFC 1350.
    r = request(1)
    seeds["serve-get"] = bytes([1]) + struct.pack(">H", len(r)) + r + \
        b"".join(rec(0, ack(b)) for b in range(1, 26))
    # An error from the server, and an ERROR 8 refusal.
    seeds["get-error"] = bytes([4 | 128]) + rec(0, struct.pack(">HH", 5, 8) + b"no options\0") + \
        rec(0, data(1, 512)) + rec(0, data(2, 0))
    for name, body in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(body)


if __name__ == "__main__":
    main()
