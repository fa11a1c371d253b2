# SPDX-License-Identifier: MIT
"""Count the UDP datagrams a guest sends (make bench's raw NIC rate).

usage: udp_sink.py ADDR PORT
Binds ADDR:PORT, and once the first full-size datagram came, stops after 3 s
without one. Prints one line: datagrams, bytes, and the seconds from the
first datagram to the last, measured here, on the receiving side."""

import socket
import sys
import time

FULL = 1468  # bytes: a TFTP block's payload at MTU 1500, what the guest sends


def main():
    addr, port = sys.argv[1], int(sys.argv[2])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((addr, port))
    print("listening", flush=True)
    n = size = 0
    first = last = None
    s.settimeout(600)
    while True:
        try:
            data = s.recv(65536)
        except socket.timeout:
            break
        t = time.monotonic()
        if len(data) < FULL:
            continue  # the sender's ARP warm-up
        if first is None:
            first = t
            s.settimeout(3)
        last = t
        n += 1
        size += len(data)
    print("datagrams=%d bytes=%d seconds=%.3f" % (n, size, (last - first) if first else 0.0), flush=True)


if __name__ == "__main__":
    main()
