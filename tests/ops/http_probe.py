#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Raw HTTP probes for the metrics endpoint (curl is not among the test dependencies).

http_probe.py send HOST PORT REQUEST OUTDIR
    sends REQUEST (Python escapes such as \\r\\n are decoded), reads until the server
    closes, and writes OUTDIR/status (the code), OUTDIR/headers (one per line,
    names lower-cased) and OUTDIR/body. Fails if Content-Length and the body disagree.
http_probe.py idle HOST PORT N SECONDS [PREFIX]
    opens N connections that send PREFIX (default nothing) and then stall; prints
    how many the server closed within SECONDS, and the time the first was closed.
http_probe.py scrape HOST PORT N
    N scrapes of GET /metrics one after the other; fails unless every answer is 200.
http_probe.py storm HOST PORT SECONDS
    for SECONDS: 8 threads that scrape GET /metrics in a loop, 16 slowloris clients
    (a byte of a request every second, reconnecting when cut off) and 4 that send a
    request and never read; prints "scrapes=N ok=N".
"""
import threading
import socket
import sys
import time


def connect(host, port, timeout):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((host, int(port)))
    return s


def read_all(s):
    """What the server sends until it closes."""
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return data
        data += chunk


def send(host, port, request, outdir):
    s = connect(host, port, 5)
    s.sendall(request.encode("latin-1").decode("unicode_escape").encode("latin-1"))
    data = read_all(s)
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        sys.exit("no end of headers in %r" % data[:200])
    lines = head.decode("latin-1").split("\r\n")
    status = lines[0].split(" ")
    if len(status) < 3 or status[0] not in ("HTTP/1.0", "HTTP/1.1"):
        sys.exit("bad status line %r" % lines[0])
    headers = {}
    for h in lines[1:]:
        k, _, v = h.partition(":")
        headers[k.strip().lower()] = v.strip()
    if "content-length" in headers and int(headers["content-length"]) != len(body):
        if not request.startswith("HEAD ") or body:
            sys.exit("Content-Length %s, body %d bytes" % (headers["content-length"], len(body)))
    open(outdir + "/status", "w").write(status[1] + "\n")
    open(outdir + "/headers", "w").write("".join("%s: %s\n" % kv for kv in headers.items()))
    open(outdir + "/body", "wb").write(body)


def idle(host, port, n, secs, prefix=""):
    conns = [connect(host, port, 5) for _ in range(int(n))]
    for c in conns:
        if prefix:
            c.sendall(prefix.encode("latin-1").decode("unicode_escape").encode("latin-1"))
        c.setblocking(False)
    start, closed, first = time.monotonic(), set(), None
    while time.monotonic() - start < float(secs) and len(closed) < len(conns):
        for i, c in enumerate(conns):
            if i in closed:
                continue
            try:
                if c.recv(65536) == b"":
                    closed.add(i)
            except BlockingIOError:
                continue
            except ConnectionResetError:
                closed.add(i)
            if i in closed and first is None:
                first = time.monotonic() - start
        time.sleep(0.05)
    print(len(closed), "%.2f" % (first if first is not None else -1))


def scrape(host, port, n):
    for _ in range(int(n)):
        s = connect(host, port, 5)
        s.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
        data = read_all(s)
        s.close()
        if not data.startswith(b"HTTP/1.0 200 "):
            sys.exit("answer: %r" % data[:80])


def storm(host, port, secs):
    end = time.monotonic() + float(secs)
    counts = {"scrapes": 0, "ok": 0}
    lock = threading.Lock()

    def scraper():
        while time.monotonic() < end:
            try:
                s = connect(host, port, 5)
                s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
                data = read_all(s)
                s.close()
                ok = data.startswith(b"HTTP/1.0 200 ")
            except OSError:
                ok = False
            with lock:
                counts["scrapes"] += 1
                counts["ok"] += ok
            if not ok:
                time.sleep(0.05)  # turned away (every slot busy): as a scraper would, not in a spin

    def slowloris():
        req = b"GET /metrics HTTP/1.1\r\nX-Slow: " + b"a" * 4000
        while time.monotonic() < end:
            try:
                s = connect(host, port, 5)
                for b in req:
                    if time.monotonic() >= end:
                        break
                    s.sendall(bytes([b]))
                    time.sleep(1)
            except OSError:
                time.sleep(0.1)

    def nonreader():
        while time.monotonic() < end:
            try:
                s = connect(host, port, 5)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
                s.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
                time.sleep(max(0, min(3, end - time.monotonic())))
                s.close()
            except OSError:
                time.sleep(0.1)

    threads = [threading.Thread(target=f, daemon=True)
               for f in [scraper] * 8 + [slowloris] * 16 + [nonreader] * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0, end - time.monotonic()) + 6)
    print("scrapes=%d ok=%d" % (counts["scrapes"], counts["ok"]))


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(*sys.argv[2:6])
    elif sys.argv[1] == "idle":
        idle(*sys.argv[2:])
    elif sys.argv[1] == "scrape":
        scrape(*sys.argv[2:5])
    elif sys.argv[1] == "storm":
        storm(*sys.argv[2:5])
    else:
        sys.exit(__doc__)
