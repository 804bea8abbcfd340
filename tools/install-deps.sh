#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Installs, from Debian 12's own archive, everything xdpfwd needs to build, run and test.
# Does nothing (and needs no network) when all of it is already there.
# `install-deps.sh bench` adds what only `make bench` needs.
set -eu

PKGS="make gcc clang llvm pkg-config man-db systemd libbpf-dev libxdp-dev xdp-tools bpftool libelf-dev zlib1g-dev
libcmocka-dev libclang-rt-14-dev bats socat iproute2 iputils-ping util-linux python3 procps
nftables valgrind debootstrap strace"
[ "${1:-}" = bench ] && PKGS="$PKGS ethtool gnuplot-nox linux-perf"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing; run as root (sudo $0) to install them" >&2
	exit 1
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
