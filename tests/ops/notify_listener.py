#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Stands in for systemd's notification socket in the tests.

notify_listener.py ADDR LOG READY_FILE SECONDS [CMD...]

Binds an AF_UNIX datagram socket at ADDR (a path, or '@name' for an abstract
one), touches READY_FILE, then appends one line per datagram to LOG:
'<monotonic seconds> <message, newlines shown as |>'. When a message holds
READY=1 and CMD is given, CMD runs at once and its exit status is logged as
'CHECK <rc>': that is how a test proves what was true when READY=1 arrived.
Exits after SECONDS.
"""
import socket
import subprocess
import sys
import time

addr, log, ready, life = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
check = sys.argv[5:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
open(ready, "w").close()
end = time.monotonic() + life
with open(log, "a", buffering=1) as f:
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            msg = s.recv(4096).decode("utf-8", "replace")
        except socket.timeout:
            break
        f.write("%.3f %s\n" % (time.monotonic(), msg.replace("\n", "|")))
        if check and "READY=1" in msg.split("\n"):
            f.write("CHECK %d\n" % subprocess.run(check, stdout=subprocess.DEVNULL,
                                                  stderr=subprocess.DEVNULL).returncode)
