#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A feed server for the tests of contrib/feed/xdpfwd-feed (tests/ops/feed.bats, tests/systemd):

feed_server.py ADDR PORT ROOT READY_FILE LOG SECONDS

Serves the files of ROOT over HTTP/1.1 on ADDR:PORT, touches READY_FILE once listening, appends
one line per request to LOG ('METHOD PATH inm=IF-NONE-MATCH ims=IF-MODIFIED-SINCE -> STATUS')
and exits after SECONDS. Paths:

  /f/FILE          FILE with Content-Length, an ETag and a Last-Modified; 304 when the request's
                   If-None-Match is the ETag, or (without If-None-Match) its If-Modified-Since is
                   not older than the file. The ETag is the content of FILE.etag if there is one
                   (so a test can change a file and keep its ETag), else a hash of FILE
  /nolength/FILE   FILE without Content-Length (close-delimited), no validators
  /truncated/FILE  the first half of FILE under a Content-Length of all of it, then the connection
                   closes
  /slow/FILE       FILE, after a pause of 5 s (for a client's timeout)
  /status/N        HTTP status N with a short body
  /moved/FILE      302 to /f/FILE (with an ETag of its own, which a client must not keep)
"""
import email.utils
import hashlib
import os
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def note(self, status):
        line = "%s %s inm=%s ims=%s -> %s\n" % (
            self.command, self.path, self.headers.get("If-None-Match", "-"),
            self.headers.get("If-Modified-Since", "-"), status)
        with open(self.server.log, "a") as f:
            f.write(line)

    def file(self, rel):
        path = os.path.join(self.server.root, os.path.basename(rel))
        try:
            with open(path, "rb") as f:
                body = f.read()
        except OSError:
            return None, None, None
        try:
            with open(path + ".etag") as f:
                etag = f.read().strip()
        except OSError:
            etag = '"%s"' % hashlib.sha256(body).hexdigest()[:16]
        return body, etag, int(os.stat(path).st_mtime)

    def send(self, status, body, headers=(), length=None):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(body)
        self.note(status)

    def do_GET(self):
        parts = self.path.split("/", 2)
        kind, rel = (parts[1], parts[2]) if len(parts) == 3 else ("", "")
        if kind == "status":
            code = int(rel) if rel.isdigit() else 400
            msg = b"<html><body>error %d</body></html>\n" % code
            self.send(code, msg, [("Content-Type", "text/html")], len(msg))
            return
        if kind == "moved":
            self.send(302, b"", [("Location", "/f/" + rel), ("ETag", '"redirect"')], 0)
            return
        body, etag, mtime = self.file(rel)
        if body is None:
            self.send(404, b"not found\n", length=10)
            return
        if kind == "f":
            lm = email.utils.formatdate(mtime, usegmt=True)
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            fresh = inm == etag if inm is not None else (
                ims is not None and email.utils.parsedate_to_datetime(ims).timestamp() >= mtime)
            hdrs = [("ETag", etag), ("Last-Modified", lm), ("Content-Type", "text/plain")]
            if fresh:
                self.send(304, b"", hdrs)
            else:
                self.send(200, body, hdrs, len(body))
        elif kind == "nolength":
            self.close_connection = True
            self.send(200, body, [("Connection", "close"), ("Content-Type", "text/plain")])
        elif kind == "truncated":
            self.close_connection = True
            self.send(200, body[:len(body) // 2], [("Content-Type", "text/plain")], len(body))
        elif kind == "slow":
            time.sleep(5)
            self.send(200, body, [("Content-Type", "text/plain")], len(body))
        else:
            self.send(404, b"not found\n", length=10)


class Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True


def main():
    addr, port, root, ready, log, seconds = sys.argv[1:7]
    srv = Server((addr, int(port)), Handler)
    srv.root, srv.log = root, log
    threading.Timer(float(seconds), lambda: os._exit(0)).start()
    open(ready, "w").close()
    srv.serve_forever()


if __name__ == "__main__":
    main()
