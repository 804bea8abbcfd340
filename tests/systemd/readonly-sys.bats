#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The units in a container whose /sys is read-only, as systemd-nspawn mounts it: systemd
# then has no device units ("unsupported"), udevd does not run, and the container runtime binds a
# writable bpffs onto /sys/fs/bpf. Root only; see boot.bash.

load boot

setup_file() {
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
	# (bats 1.8 cannot skip from setup_file: setup does it for every test.)
	if SD_SKIP=$(sd_unsupported); then
		export SD_SKIP
		return 0
	fi
	if ! SD_SYS_RO=1 sd_boot; then
		sd_cleanup
		return 1
	fi
	IFC=xsc$SD_ID
	export SD_ID SD_TMP SD_ROOT SD_CG SD_PID SD_UNSHARE NS_S IFC
	sd_link "$IFC"
}

setup() {
	[ -z "${SD_SKIP:-}" ] || skip "$SD_SKIP"
}

teardown_file() {
	sd_cleanup
	sd_host_clean
}

# systemctl start UNIT in under 5 s; prints how long it took.
start_quickly() {
	local t0 t1
	t0=$(date +%s%N)
	sd_in timeout 30 systemctl start "$1"
	t1=$(date +%s%N)
	echo "# systemctl start $1 took $(((t1 - t0) / 1000000)) ms" >&3
	[ $((t1 - t0)) -lt 5000000000 ]
	[ "$(sd_in systemctl show -p ActiveState --value "$1")" = active ]
	sd_net ip -d link show dev "$IFC" | grep -q 'prog/xdp id'
}

@test "read-only /sys: no udevd, and device units are unsupported" {
	[ "$(sd_in systemctl show -p ActiveState --value systemd-udevd)" != active ]
	run sd_in systemctl start "sys-subsystem-net-devices-$IFC.device"
	echo "$output"
	[ "$status" -ne 0 ]
	grep -qi 'not supported' <<<"$output"
}

@test "xdpfwd-container@IF starts at once and enforces" {
	start_quickly "xdpfwd-container@$IFC"
	# --persist: a start applies the list files plus persisted entries, and nothing else.
	sd_in xdpfwd block add --persist 198.18.0.2
	[ "$(xf_ping 198.18.0.2 5 50)" = 0 ]
	[ "$(xf_ping 198.18.0.3 5 50)" = 5 ]
	sd_in timeout 30 systemctl stop "xdpfwd-container@$IFC"
}

# Only wanted, the unsupported device unit is skipped (BindsTo= failed the start here).
@test "xdpfwd@IF starts too and adopts the running firewall" {
	start_quickly "xdpfwd@$IFC"
	sd_in journalctl -q -u "xdpfwd@$IFC" --no-pager | grep -q 'adopted the running firewall'
	[ "$(xf_ping 198.18.0.2 5 50)" = 0 ]
	[ "$(xf_ping 198.18.0.3 5 50)" = 5 ]
}
