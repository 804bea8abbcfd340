#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# A steady UDP flood for the tests: RATE datagrams a second from SRC to DST:PORT for SECONDS
# (bounded: at most 50000/s, 60 s), paced every millisecond against the monotonic clock. Every
# 0.1 s it appends "MONOTONIC_SECONDS SENT" to PROGRESS, so a test measures what was actually sent
# over any window (a loaded machine may send less than asked).
# Usage: flood.py SRC DST PORT RATE SECONDS PROGRESS
import socket
import sys
import time

src, dst, port, rate, secs, progress = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), \
    float(sys.argv[5]), sys.argv[6]
rate = max(1, min(rate, 50000))
secs = max(0.1, min(secs, 60.0))
s = socket.socket(socket.AF_INET6 if ":" in src else socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, 0))
payload = b"xdpfwd-flood-pkt"
sent = 0
start = time.monotonic()
next_report = start
with open(progress, "a", buffering=1) as out:
    while True:
        now = time.monotonic()
        if now - start >= secs:
            break
        due = int((now - start) * rate)
        while sent < due:
            try:
                s.sendto(payload, (dst, port))
                sent += 1
            except BlockingIOError:
                break
            except OSError:
                # The bed went away under it (a test's teardown): nothing more to send.
                sys.exit(0)
        if now >= next_report:
            out.write("%.6f %d\n" % (now, sent))
            next_report += 0.1
        time.sleep(0.001)
    out.write("%.6f %d\n" % (time.monotonic(), sent))
