#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Installs, from Debian 12's own archive, everything xdpfwd needs to build, run and test.
# Does nothing (and needs no network) when all of it is already there.
# `install-deps.sh bench` adds what only `make bench` needs.
set -eu

PKGS="make gcc clang llvm pkg-config man-db systemd libbpf-dev libxdp-dev xdp-tools bpftool libelf-dev zlib1g-dev
libcmocka-dev libpcap-dev python3-scapy python3-yaml tcpdump libclang-rt-14-dev bats socat iproute2 iputils-ping util-linux python3 procps
nftables valgrind debootstrap strace fail2ban crowdsec crowdsec-custom-bouncer libncurses-dev tmux curl"
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
# crowdsec's postinst registers with the Central API (online) unless this file is non-empty: a
# host without Internet access would fail the install. The tests (tests/ops/crowdsec.bats) run
# their own Local API, offline, and never read /etc/crowdsec.
case " $missing " in
*" crowdsec "*)
	if [ ! -s /etc/crowdsec/online_api_credentials.yaml ]; then
		mkdir -p /etc/crowdsec
		echo "# Central API registration skipped (xdpfwd's install-deps.sh: offline install)" \
			>/etc/crowdsec/online_api_credentials.yaml
	fi ;;
esac
# fail2ban and crowdsec are installed for the tests, which run their own instances: the install
# starts no service (on a systemd host fail2ban's default sshd jail and crowdsec's agent would
# start now). A policy-rc.d only for this install. The packages still enable their units for the
# next boot: `systemctl disable fail2ban crowdsec crowdsec-custom-bouncer` where unwanted.
nopolicy=""
case " $missing " in
*" fail2ban "* | *" crowdsec "*)
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 0755 /usr/sbin/policy-rc.d
		nopolicy=1
	fi ;;
esac
apt-get update -q >/dev/null
rc=0
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null || rc=$?
[ -z "$nopolicy" ] || rm -f /usr/sbin/policy-rc.d
exit $rc
