#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# PID 1 of the test container until it execs systemd (see boot.bash): runs in the container's
# new namespaces and gives ROOT the file systems systemd expects. Every mount here is in the
# container's own mount namespace and disappears with it.
set -euo pipefail
ROOT=$1

mount --make-rprivate /
mount --bind "$ROOT" "$ROOT"
mount -t proc proc "$ROOT/proc"
# A new sysfs shows this network namespace's interfaces; writable, so udevd runs, or read-only
# as systemd-nspawn mounts it (SD_SYS_RO=1: then systemd has no device units at all).
if [ "${SD_SYS_RO:-0}" = 1 ]; then
	mount -t sysfs -o ro sysfs "$ROOT/sys"
else
	mount -t sysfs sysfs "$ROOT/sys"
fi
# The cgroup namespace's root is the test's cgroup.
mount -t cgroup2 cgroup2 "$ROOT/sys/fs/cgroup"
# Writable even on a read-only /sys, as a container runtime binds it in for xdpfwd.
mount -t bpf -o mode=0700 bpf "$ROOT/sys/fs/bpf"
# /dev of its own: what systemd does to its console and ttys stays in here.
mount -t tmpfs -o mode=0755,nosuid tmpfs "$ROOT/dev"
for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
	IFS=: read -r name major minor <<<"$n"
	mknod -m 0666 "$ROOT/dev/$name" c "$major" "$minor"
done
mkdir -m 0755 "$ROOT/dev/pts"
mkdir -m 1777 "$ROOT/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$ROOT/dev/pts"
ln -s pts/ptmx "$ROOT/dev/ptmx"
ln -s /proc/self/fd "$ROOT/dev/fd"
ln -s /proc/self/fd/0 "$ROOT/dev/stdin"
ln -s /proc/self/fd/1 "$ROOT/dev/stdout"
ln -s /proc/self/fd/2 "$ROOT/dev/stderr"
hostname "$(cat "$ROOT/etc/hostname")"

export container=xdpfwd-test
exec chroot "$ROOT" /lib/systemd/systemd --log-level=info <"$ROOT/dev/null"
