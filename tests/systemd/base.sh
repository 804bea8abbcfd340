#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prints the path of a Debian bookworm root file system (a tar) that boots systemd 252 as PID 1
# and runs xdpfwd, building it on first use. The tar is cached outside the clone, keyed by the
# hash of what goes into it, so every run and every fresh clone on the machine shares one build
# (debootstrap from deb.debian.org; about 2-3 minutes on the test VM, see README).
#   XDPFWD_TEST_CACHE  cache directory (default /var/cache/xdpfwd-tests)
#   DEBIAN_MIRROR      mirror (default http://deb.debian.org/debian)
set -euo pipefail

SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE=${XDPFWD_TEST_CACHE:-/var/cache/xdpfwd-tests}
# systemd as PID 1 with udev (the device units BindsTo= and WantedBy= need), the libraries
# `ldd xdpfwd` names (libpcap for replay, ncurses for top) and curl, which xdpfwd-feed@.service
# runs. Everything the checks do from outside (ping, the feed server) runs on the host's tools in
# the container's namespaces, so nothing else is needed inside.
PACKAGES=systemd,systemd-sysv,udev,dbus,iproute2,libbpf1,libxdp1,libelf1,zlib1g,libpcap0.8,libncursesw6,curl

key=$(printf '%s\n' "$SUITE" "$MIRROR" "$PACKAGES" | sha256sum | cut -c1-12)
tar=$CACHE/systemd-base-$key.tar
mkdir -p "$CACHE"
# One builder at a time; the others wait for its tar.
exec 9>"$CACHE/.lock"
flock 9
if [ ! -s "$tar" ]; then
	dir=$(mktemp -d "$CACHE/build.XXXXXX")
	trap 'rm -rf "$dir" "$tar.tmp"' EXIT
	echo "building the systemd test base $tar (debootstrap $SUITE, once per machine)" >&2
	start=$(date +%s)
	if ! debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$dir" "$MIRROR" \
		>"$CACHE/debootstrap.log" 2>&1; then
		tail -n 20 "$CACHE/debootstrap.log" >&2
		echo "debootstrap of the systemd test base failed (log: $CACHE/debootstrap.log); check that $MIRROR is reachable" >&2
		exit 1
	fi
	# Downloaded packages are not needed to boot.
	rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
	chmod 0755 "$dir"
	tar -C "$dir" -cf "$tar.tmp" .
	mv "$tar.tmp" "$tar"
	echo "built in $(($(date +%s) - start)) s" >&2
fi
echo "$tar"
