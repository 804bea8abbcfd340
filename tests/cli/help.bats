#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# --help for the daemon and every subcommand: exit 0 and every option mentioned; --version.

load cli_helpers

setup() {
	cli_setup
}

# Runs xdpfwd ARGS --help (no pin dir, no namespace needed) and checks every WORD is in it.
help_mentions() {
	local -a args=()
	while [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	shift
	run -0 --separate-stderr "$XDPFWD" "${args[@]}" --help
	[ -z "$stderr" ]
	local w
	for w in "$@"; do
		if [[ $output != *"$w"* ]]; then
			echo "xdpfwd ${args[*]} --help does not mention $w" >&2
			return 1
		fi
	done
}

@test "xdpfwd --help: every daemon option and every subcommand" {
	help_mentions -- --iface --mode --pin-dir --log-format --log-rate --log-burst --log-source-interval \
		--no-log --stats-interval --drop-malformed --force --verbose --help --version \
		"block add" "allow" "status" "detach" "--json" "--all" "Exit status"
	# The values the options take.
	[[ $output == *auto* && $output == *native* && $output == *skb* ]]
	[[ $output == *text* && $output == *json* && $output == *unlimited* ]]
	[[ $output == */sys/fs/bpf/xdpfwd* ]]
	run -0 "$XDPFWD" "-?"
	run -0 "$XDPFWD" --usage
	[[ $output == *--iface* ]]
}

@test "-h is --help and -j is --json, for every command that has them" {
	local cmd
	for cmd in "" block allow status top metrics detach "block add"; do
		# shellcheck disable=SC2086
		run -0 --separate-stderr "$XDPFWD" $cmd -h
		[ -z "$stderr" ]
		[ "$output" = "$("$XDPFWD" $cmd --help)" ]
		[[ $output == *"-h, -?, --help"* ]]
		[ "$("$XDPFWD" $cmd -?)" = "$output" ]
	done
	help_mentions block -- "-j, --json"
	help_mentions allow -- "-j, --json"
	help_mentions status -- "-j, --json"
	help_mentions top -- "-j, --json"
	# metrics and detach have no --json, so no -j either.
	run -2 --separate-stderr "$XDPFWD" metrics -j
	[[ $stderr == *"invalid option -- 'j'"* ]]
}

@test "xdpfwd block --help and allow --help: every option and command" {
	help_mentions block -- --pin-dir --json --force --verbose add del list flush ADDR
	help_mentions allow -- --pin-dir --json --force --verbose add del list flush ADDR
	[[ $output == *"xdpfwd allow"* ]]
	# Also after the command word.
	help_mentions block add -- --pin-dir --force
}

@test "xdpfwd status --help and detach --help: every option" {
	help_mentions status -- --pin-dir --json --verbose
	help_mentions detach -- --iface --all --pin-dir --verbose
}

@test "--help needs no instance and changes nothing; --version prints a version" {
	run -0 xf_cli block --help
	run -0 xf_cli status --help
	[ ! -e "$PIN" ]
	run -0 --separate-stderr "$XDPFWD" --version
	[[ $output =~ ^xdpfwd\ [0-9a-zA-Z.+-]+$ ]]
	run -0 "$XDPFWD" block --version
	[[ $output =~ ^xdpfwd\ [0-9a-zA-Z.+-]+$ ]]
}
