#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Writes a synthetic capture for `xdpfwd replay` benchmarks: N Ethernet/IPv4/UDP frames of 64
bytes from sources spread over 198.18.0.0/15 (plain pcap, nanosecond timestamps, 1 us apart),
and a blocklist holding every 16th of those sources. Fast: raw struct packing, no scapy.
Usage: replay_capture.py FRAMES CAPTURE.pcap BLOCKLIST"""
import struct
import sys

n, out, blocklist = int(sys.argv[1]), sys.argv[2], sys.argv[3]
SOURCES = 65536
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b23c4d, 2, 4, 0, 0, 262144, 1))
    eth = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00"
    t0 = 1_700_000_000 * 10**9
    buf = []
    for i in range(n):
        s = (i * 40503) % SOURCES
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 50, i & 0xffff, 0, 64, 17, 0,
                         bytes([198, 18 + (s >> 15 & 1), s >> 8 & 0x7f, s & 0xff]), bytes([198, 19, 255, 1]))
        udp = struct.pack("!HHHH", 1024 + (i & 0x3fff), 53, 30, 0) + bytes(22)
        frame = eth + ip + udp
        ts = t0 + i * 1000
        buf.append(struct.pack("<IIII", ts // 10**9, ts % 10**9, len(frame), len(frame)) + frame)
        if len(buf) == 65536:
            f.write(b"".join(buf))
            buf = []
    f.write(b"".join(buf))
with open(blocklist, "w") as f:
    for s in range(0, SOURCES, 16):
        f.write("198.%d.%d.%d\n" % (18 + (s >> 15 & 1), s >> 8 & 0x7f, s & 0xff))
