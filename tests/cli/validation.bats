#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Bad input: exit 2, a message that says what is wrong, and not one byte changed in any list map.

load cli_helpers

setup() {
	cli_setup_daemon
	# Entries outside the test bed's traffic, so no counter moves while we compare snapshots.
	xf_cli block add 198.19.1.1 198.19.2.0/24 2001:2:ff::1 2001:2:fe::/64 >/dev/null 2>&1
	xf_cli allow add 198.19.3.0/24 198.19.4.4 2001:2:fd::/64 >/dev/null 2>&1
	cli_snapshot "$XF_TMP/snap.before"
	XDP_ID_BEFORE=$(xf_prog_id)
}

# Runs xdpfwd ARGS in NS_P and checks: exit 2 and a message matching REGEX on stderr.
refused() {
	local regex=$1
	shift
	echo "# xdpfwd $*" >&2
	# timeout: a wrongly accepted daemon option would start a daemon that never returns.
	run -2 --separate-stderr xf_p timeout 20 "$XDPFWD" "$@"
	[ -n "$stderr" ]
	if ! [[ $stderr =~ $regex ]]; then
		echo "message does not match /$regex/: $stderr" >&2
		return 1
	fi
}

# Every list (CLI and bpftool views) and the attached program are as before the test.
unchanged() {
	cli_snapshot "$XF_TMP/snap.after"
	diff "$XF_TMP/snap.before" "$XF_TMP/snap.after"
	[ "$(xf_prog_id)" = "$XDP_ID_BEFORE" ]
}

rejected() {
	refused "$@"
	unchanged
}

@test "the snapshot covers every list map and sees a change" {
	grep -q '^== block_v4_addr' "$XF_TMP/snap.before"
	grep -q '^== allow_v6' "$XF_TMP/snap.before"
	run -0 xf_cli block add 198.19.9.9
	cli_snapshot "$XF_TMP/snap.after"
	run -1 diff -q "$XF_TMP/snap.before" "$XF_TMP/snap.after"
}

@test "bad addresses: exit 2, a clear message, no map changed (block add, allow add, block del)" {
	local -a cases=(
		'256.1.1.1|256\.1\.1\.1'
		'1.2.3|1\.2\.3'
		'1.2.3.4.5|1\.2\.3\.4\.5'
		'10.0.0.0/33|33'
		'::1/129|129'
		'|empty'
		'garbage|garbage'
		'198.18.0.1/24|198\.18\.0\.0/24'
		' 198.18.0.1|whitespace'
		'198.18.0.0/-1|-1'
		'198.18.0.0/|198\.18\.0\.0/'
		'fe80::1%eth0|zone'
		'::ffff:198.18.0.1|mapped.*198\.18\.0\.1'
		'2001:2::1/48|2001:2::/48'
		'198.18.0.01|198\.18\.0\.01'
		'2001:2:::1|2001:2:::1'
	)
	local c addr regex
	for c in "${cases[@]}"; do
		addr=${c%%|*}
		regex=${c#*|}
		refused "$regex" block add "$addr" --pin-dir "$PIN"
		refused "$regex" allow add "$addr" --pin-dir "$PIN"
		refused "$regex" block del "$addr" --pin-dir "$PIN"
		unchanged
	done
}

@test "one bad address rejects the whole command: the good ones before and after are not added" {
	rejected '1\.2\.3' block add 198.18.0.9 1.2.3 --pin-dir "$PIN"
	rejected 'garbage' block add garbage 198.18.0.9 2001:2::9 --pin-dir "$PIN"
	rejected '33' allow add 198.18.0.9 2001:2::9 10.0.0.0/33 --pin-dir "$PIN"
	# And a del with one bad address removes nothing, not even the good one before it.
	rejected '256' block del 198.19.1.1 256.1.1.1 --pin-dir "$PIN"
}

@test "/0 needs --force: refused with exit 2 and nothing added, accepted with it" {
	rejected 'force' block add 0.0.0.0/0 --pin-dir "$PIN"
	rejected 'force' block add ::/0 --pin-dir "$PIN"
	rejected 'force' allow add ::/0 --pin-dir "$PIN"
	rejected 'force' block add 198.18.0.9 0.0.0.0/0 --pin-dir "$PIN"

	run -0 xf_cli block add --force 0.0.0.0/0 ::/0
	run -0 xf_cli block list --json
	[[ $output == *'"entry":"0.0.0.0/0"'* ]]
	[[ $output == *'"entry":"::/0"'* ]]
	[ "$(cli_map_entries block_v4_net)" = "$(printf '%s\n' 0.0.0.0/0 198.19.2.0/24)" ]
	run -0 xf_cli allow add 0.0.0.0/0 --force
	[ "$(cli_map_entries allow_v4)" = "$(printf '%s\n' 0.0.0.0/0 198.19.3.0/24 198.19.4.4/32)" ]
}

@test "unknown words and missing arguments: exit 2, nothing changed" {
	rejected "frob" block frob --pin-dir "$PIN"
	rejected "frob" allow frob 198.18.0.9 --pin-dir "$PIN"
	rejected "no address" block add --pin-dir "$PIN"
	rejected "no address" allow del --pin-dir "$PIN"
	rejected "missing command" block --pin-dir "$PIN"
	rejected "unexpected argument 'extra'" block list extra --pin-dir "$PIN"
	rejected "unexpected argument 'extra'" allow flush extra --pin-dir "$PIN"
	rejected "unexpected argument 'extra'" status extra --pin-dir "$PIN"
	rejected "--iface|--all" detach --pin-dir "$PIN"
	rejected "unrecognized option" block list --bogus --pin-dir "$PIN"
	rejected "unknown command 'frob'" frob
	rejected "unknown command 'frob'" frob --pin-dir "$PIN"
}

@test "bad daemon options: exit 2 before touching anything" {
	rejected "--mode 'turbo'" --iface "$IF_P" --mode turbo --pin-dir "$PIN"
	rejected "--log-format 'xml'" --iface "$IF_P" --log-format xml --pin-dir "$PIN"
	rejected "--log-rate '0'" --iface "$IF_P" --log-rate 0 --pin-dir "$PIN"
	rejected "--log-rate 'abc'" --iface "$IF_P" --log-rate abc --pin-dir "$PIN"
	rejected "--stats-interval '-1'" --iface "$IF_P" --stats-interval -1 --pin-dir "$PIN"
	rejected "--log-burst '0'" --iface "$IF_P" --log-burst 0 --pin-dir "$PIN"
	rejected "--log-source-interval" --iface "$IF_P" --log-source-interval -5 --pin-dir "$PIN"
	rejected "no interface" --pin-dir "$PIN"
	rejected "no interface" --mode skb --pin-dir "$PIN"
	rejected "not a valid interface name" --iface "" --pin-dir "$PIN"
	rejected "not a valid interface name" --iface a/b --pin-dir "$PIN"
	rejected "unexpected argument 'eth9'" --iface "$IF_P" eth9 --pin-dir "$PIN"
	rejected "unrecognized option" --iface "$IF_P" --turbo --pin-dir "$PIN"
	# The same against a fresh pin dir: nothing is created there either.
	rejected "--mode 'turbo'" --iface "$IF_P" --mode turbo --pin-dir "$PIN-new"
	[ ! -e "$PIN-new" ]
	# The running daemon was not disturbed.
	kill -0 "$XF_DAEMON_PID"
}

@test "block load - with endless or binary input: exit 2 soon, a message with the limit or FILE:LINE, nothing changed" {
	local t0
	t0=$(date +%s)
	# `yes` never ends: refused once 256 MiB were read, not after memory runs out.
	run -2 --separate-stderr xf_p timeout 60 sh -c "yes | '$XDPFWD' block load - --pin-dir '$PIN'"
	[[ $stderr == *"larger than 256 MiB, the most a list file may be"*"nothing was changed"* ]]
	unchanged
	# A NUL byte stops the read where it is: 100 MiB of them are not read to the end.
	run -2 --separate-stderr xf_p timeout 60 sh -c "head -c 100M /dev/zero | '$XDPFWD' block load - --pin-dir '$PIN'"
	[[ $stderr == *"/dev/stdin:1: NUL byte in line"*"nothing was changed"* ]]
	run -2 --separate-stderr xf_p timeout 60 sh -c "printf '198.18.0.9\n\n1\0002\n' | '$XDPFWD' block load - --pin-dir '$PIN'"
	[[ $stderr == *"/dev/stdin:3: NUL byte in line"* ]]
	unchanged
	# Well under the minute the timeouts allow (about 2 s here with the sanitizer build).
	[ $(($(date +%s) - t0)) -lt 60 ]
}
