#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Publishes files into a directory the way kubelet updates a ConfigMap volume (its AtomicWriter,
pkg/volume/util/atomic_writer.go, Write), step by step, so tests see the inotify events a pod sees:

configmap_write.py DIR KEY=FILE...

The payload is every KEY (a file name in DIR) with FILE's bytes; a key of the running version
left out of the payload is removed. The steps, in kubelet's order:

  1. the running version: readlink DIR/..data (none on the first write)
  2. the keys of that version that the payload drops
  3. nothing changed (same keys, same bytes): done, nothing written
  4. a new version directory DIR/..YYYY_MM_DD_HH_MM_SS.<random digits> (mode 0700, then 0755)
  5. each key written there (created, truncated, written, closed; mode 0644)
  6. the symlink DIR/..data_tmp -> that directory
  7. renamed over DIR/..data: the one atomic step, where every file changes at once
  8. the visible DIR/KEY -> ..data/KEY symlinks the new keys need (existing ones stay)
  9. the visible symlinks of dropped keys removed
 10. the old version directory removed

Prints 'swapped <CLOCK_MONOTONIC seconds>' taken just before step 7 (or 'unchanged').
"""
import os
import random
import shutil
import sys
import time

DATA = "..data"
DATA_TMP = "..data_tmp"


def main():
    target, payload = sys.argv[1], {}
    for arg in sys.argv[2:]:
        key, path = arg.split("=", 1)
        assert "/" not in key and not key.startswith(".."), key
        with open(path, "rb") as f:
            payload[key] = f.read()

    # 1, 2, 3
    try:
        old = os.readlink(os.path.join(target, DATA))
    except FileNotFoundError:
        old = ""
    old_path = os.path.join(target, old) if old else ""
    drop = set()
    if old:
        drop = set(os.listdir(old_path)) - set(payload)
        same = True
        for key, data in payload.items():
            try:
                with open(os.path.join(old_path, key), "rb") as f:
                    same &= f.read() == data
            except FileNotFoundError:
                same = False
        if same and not drop:
            print("unchanged")
            return

    # 4: Go's os.MkdirTemp: the pattern, then a random decimal number; 0700, then chmod 0755.
    stamp = time.strftime("..%Y_%m_%d_%H_%M_%S.", time.gmtime())
    while True:
        ts = stamp + str(random.randrange(1 << 32))
        try:
            os.mkdir(os.path.join(target, ts), 0o700)
            break
        except FileExistsError:
            continue
    ts_path = os.path.join(target, ts)
    os.chmod(ts_path, 0o755)

    # 5: os.WriteFile, then chmod to the projection's mode.
    for key, data in payload.items():
        p = os.path.join(ts_path, key)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, data)
        os.close(fd)
        os.chmod(p, 0o644)

    # 6, 7
    os.symlink(ts, os.path.join(target, DATA_TMP))
    print("swapped %.6f" % time.monotonic(), flush=True)
    os.rename(os.path.join(target, DATA_TMP), os.path.join(target, DATA))

    # 8: only where no link exists yet.
    for key in payload:
        visible = os.path.join(target, key)
        try:
            os.readlink(visible)
        except FileNotFoundError:
            os.symlink(os.path.join(DATA, key), visible)

    # 9, 10
    for key in drop:
        os.remove(os.path.join(target, key))
    if old:
        shutil.rmtree(old_path)


main()
