#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Without root (CAP_BPF + CAP_NET_ADMIN, or CAP_SYS_ADMIN) every command refuses with a message
# that says so, and changes nothing; --help and --version still work.

load cli_helpers

setup() {
	cli_setup_daemon
	xf_cli block add 198.18.0.2 >/dev/null 2>&1
}

# Runs xdpfwd ARGS in NS_P as nobody, with no capabilities.
as_nobody() {
	xf_p setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$XDPFWD" "$@"
}

@test "unprivileged: every command and the daemon say 'needs root', exit non-zero, change nothing" {
	cli_snapshot "$XF_TMP/snap.before"
	local id cmd
	id=$(xf_prog_id)
	for cmd in "block list" "block list --json" "block add 198.18.0.3" "block del 198.18.0.2" "block flush" \
		"allow add 198.18.0.4" "allow list" "status" "status --json" "top --once" "top --json" "detach --all" \
		"detach --iface $IF_P"; do
		echo "# xdpfwd $cmd" >&2
		# shellcheck disable=SC2086 # word splitting wanted
		run --separate-stderr as_nobody $cmd --pin-dir "$PIN"
		[ "$status" -ne 0 ]
		[[ $stderr == *"needs root"* ]]
		[ -z "$output" ]
	done
	# The daemon, on the running instance and on a new pin dir.
	run --separate-stderr xf_p timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN"
	[ "$status" -ne 0 ] && [ "$status" -ne 124 ]
	[[ $stderr == *"needs root"* ]]
	run --separate-stderr xf_p timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN-other"
	CLI_EXTRA_DIRS+=("$PIN-other")
	[ "$status" -ne 0 ] && [ "$status" -ne 124 ]
	[[ $stderr == *"needs root"* ]]
	[ ! -e "$PIN-other" ]

	cli_snapshot "$XF_TMP/snap.after"
	diff "$XF_TMP/snap.before" "$XF_TMP/snap.after"
	[ "$(xf_prog_id)" = "$id" ]
	[ -d "$PIN" ]
	kill -0 "$XF_DAEMON_PID"
	cli_blocked 198.18.0.2 3
	cli_arrives 198.18.0.3 3
}

@test "root without CAP_BPF/CAP_NET_ADMIN/CAP_SYS_ADMIN is refused too" {
	run --separate-stderr xf_p setpriv --inh-caps=-all --bounding-set=-bpf,-net_admin,-sys_admin \
		"$XDPFWD" block add 198.18.0.3 --pin-dir "$PIN"
	[ "$status" -ne 0 ]
	[[ $stderr == *"needs root"* ]]
	[ "$(cli_map_entries block_v4_addr)" = 198.18.0.2 ]
}

@test "unprivileged: --help and --version still work" {
	run -0 as_nobody --help
	[[ $output == *--iface* ]]
	run -0 as_nobody block --help
	[[ $output == *--pin-dir* ]]
	run -0 as_nobody --version
	[[ $output == xdpfwd\ * ]]
}
