#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Pin dirs that hold no instance, are not on bpffs, or hold pins that are not ours: a clear
# error, a non-zero exit, and nothing attached or created.

load cli_helpers

setup() {
	cli_setup
}

no_xdp() {
	run -0 xf_p ip -o link show dev "$IF_P"
	[[ $output != *xdp* ]]
}

@test "commands with no instance at the pin dir: exit 1, 'no xdpfwd instance at DIR', nothing created" {
	local none=/sys/fs/bpf/xdpfwd-test-none-$XF_ID-$RANDOM cmd
	CLI_EXTRA_DIRS+=("$none")
	for cmd in "block list" "allow list" "block add 198.18.0.2" "allow del 198.18.0.2" "block flush" \
		"status" "status --json" "top --once" "top --json" "detach --all" "detach --iface $IF_P"; do
		echo "# xdpfwd $cmd" >&2
		# shellcheck disable=SC2086 # word splitting wanted
		run -1 --separate-stderr xf_p "$XDPFWD" $cmd --pin-dir "$none"
		[[ $stderr == *"no xdpfwd instance at $none"* ]]
		[ -z "$output" ]
		[ ! -e "$none" ]
	done
	no_xdp
}

@test "a pin dir that is not on bpffs: a clear error, exit 1" {
	local dir=$XF_TMP/x
	mkdir -m 0700 "$dir"
	run -1 --separate-stderr xf_p "$XDPFWD" block list --pin-dir "$dir"
	[[ $stderr == *"$dir"* ]]
	[[ $stderr == *"not on a BPF filesystem"* ]]
	run -1 --separate-stderr xf_p "$XDPFWD" status --pin-dir "$dir"
	[[ $stderr == *"not on a BPF filesystem"* ]]

	# The daemon refuses both an existing directory and one it would have to create there.
	run -1 --separate-stderr xf_p timeout 20 "$XDPFWD" --iface "$IF_P" --pin-dir "$dir"
	[[ $stderr == *"not on a BPF filesystem"* ]]
	run -1 --separate-stderr xf_p timeout 20 "$XDPFWD" --iface "$IF_P" --pin-dir "$dir/sub"
	[[ $stderr == *"not on a BPF filesystem"* ]]
	[ ! -e "$dir/sub" ]
	[ -z "$(ls -A "$dir")" ]
	no_xdp
}

@test "a foreign map pinned as block_v4_addr: the daemon names it, exits non-zero, attaches nothing" {
	mkdir -m 0700 "$PIN"
	bpftool map create "$PIN/block_v4_addr" type hash key 8 value 8 entries 4 name block_v4_addr
	local before
	before=$(bpftool map show pinned "$PIN/block_v4_addr" -j)

	run --separate-stderr xf_p timeout 20 "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN"
	echo "# exit $status: $stderr" >&2
	[ "$status" -ne 0 ]
	[ "$status" -ne 124 ]
	[[ $stderr == *"$PIN/block_v4_addr"* ]]
	no_xdp
	# The foreign map is untouched and nothing of ours was pinned next to it.
	[ "$(ls "$PIN")" = block_v4_addr ]
	[ "$(bpftool map show pinned "$PIN/block_v4_addr" -j)" = "$before" ]

	# The CLI refuses it the same way.
	run -1 --separate-stderr xf_cli block list
	[[ $stderr == *"$PIN/block_v4_addr"* ]]
	run -1 --separate-stderr xf_cli block add 198.18.0.2
	[[ $stderr == *"$PIN/block_v4_addr"* ]]
	[ "$(bpftool map dump pinned "$PIN/block_v4_addr" -j)" = "[]" ]
}

# How many lines of $stderr contain TEXT.
lines_with() {
	grep -cF -- "$1" <<<"$stderr" || true
}

@test "the instance library's messages (it never prints) reach stderr exactly once, from the daemon and the CLI" {
	mkdir -m 0700 "$PIN"
	run -1 --separate-stderr xf_cli status
	echo "# $stderr" >&2
	[ "$(lines_with "$PIN holds 0 of xdpfwd's")" = 1 ]
	[ "$(lines_with "start the daemon once to complete it")" = 1 ]

	bpftool map create "$PIN/block_v4_addr" type hash key 8 value 8 entries 4 name block_v4_addr
	run --separate-stderr xf_p timeout 20 "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN"
	echo "# exit $status: $stderr" >&2
	[ "$status" -eq 1 ]
	[ "$(lines_with "pinned map $PIN/block_v4_addr ('block_v4_addr': type 1, key 8, value 8 bytes, 4 entries) does not match the program's")" = 1 ]
	[ "$(lines_with "$PIN/block_v4_addr")" = 1 ]
	no_xdp
	run -1 --separate-stderr xf_cli block list
	[ "$(lines_with "pinned map $PIN/block_v4_addr (")" = 1 ]
	[ "$(lines_with "$PIN/block_v4_addr")" = 1 ]
}

@test "a pin dir with mode 0755 (or not owned by root) is refused, by the daemon and the CLI" {
	mkdir -m 0755 "$PIN"
	run --separate-stderr xf_p timeout 20 "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN"
	echo "# exit $status: $stderr" >&2
	[ "$status" -eq 1 ]
	[[ $stderr == *"$PIN"* ]]
	[[ $stderr == *0755* ]]
	no_xdp
	[ -z "$(ls -A "$PIN")" ]
	[ "$(stat -c %a "$PIN")" = 755 ]

	chmod 0700 "$PIN"
	chown 65534 "$PIN"
	run -1 --separate-stderr xf_p timeout 20 "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN"
	[[ $stderr == *"uid 65534"* ]]
	no_xdp
	chown 0 "$PIN"
	rmdir "$PIN"

	# A running instance whose dir was opened up: the CLI stops trusting it too.
	xf_daemon --iface "$IF_P"
	run -0 xf_cli block add 198.18.0.2
	chmod 0755 "$PIN"
	run -1 --separate-stderr xf_cli block add 198.18.0.3
	[[ $stderr == *0755* ]]
	run -1 --separate-stderr xf_cli block list
	[[ $stderr == *0755* ]]
	chmod 0700 "$PIN"
	[ "$(cli_map_entries block_v4_addr)" = 198.18.0.2 ]
}
