#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The flood defense's settings on the command line (issue 14): the daemon's --limit-* options and
# --limits-file, `xdpfwd limit set|off`: rates with decimal k/M/G suffixes, key lengths, actions,
# durations; a bad value is exit 2 with one line naming the option and what it takes, and nothing
# changes (no daemon starts, the limits map keeps its value); a bad --limits-file line refuses the
# start with FILE:LINE (exit 1, as a bad --blocklist-file).

load cli_helpers

setup() {
	cli_setup_daemon
}

teardown() {
	cli_teardown
}

# xdpfwd ARGS in NS_P: exit 2, one line on stderr matching REGEX.
refused() {
	local regex=$1
	shift
	run -2 --separate-stderr xf_p timeout 20 "$XDPFWD" "$@"
	[ "$(printf '%s\n' "$stderr" | grep -c .)" -ge 1 ]
	if ! [[ $stderr =~ $regex ]]; then
		echo "message does not match /$regex/: $stderr" >&2
		return 1
	fi
}

limits_json() {
	xf_json "$1" xf_cli limit --json
}

@test "daemon --limit-*: bad values are refused before anything starts, one line naming the option" {
	local -a cases=(
		'--limit-pps|10x|--limit-pps .10x.: use packets per second 0\.\.1G \(suffixes k, M, G are decimal'
		'--limit-pps|-5|--limit-pps .-5.'
		'--limit-pps|2G|--limit-pps .2G.'
		'--limit-pps||--limit-pps ..'
		'--limit-pps|1.5k|--limit-pps .1\.5k.'
		'--limit-bps|1001G|--limit-bps .1001G.: use bits per second 0\.\.1000G'
		'--limit-bps|10m|--limit-bps .10m.'
		'--limit-burst|0|--limit-burst .0.: use packets 1\.\.1G'
		'--limit-key|/24|--limit-key ./24.: use /V4LEN,/V6LEN'
		'--limit-key|/33,/64|--limit-key ./33,/64.'
		'--limit-key|/24,/129|--limit-key ./24,/129.'
		'--limit-key|/0,/64|--limit-key ./0,/64.'
		'--limit-action|block|--limit-action .block.: use drop, ban, audit or off'
		'--limit-ban|0|--limit-ban: '
		'--limit-ban|10y|--limit-ban: '
	)
	local c opt val re
	for c in "${cases[@]}"; do
		IFS='|' read -r opt val re <<<"$c"
		echo "# $opt '$val'" >&2
		refused "$re" --iface lo --pin-dir "$PIN.x" "$opt" "$val"
	done
	# A setting without a rate limits nothing: said, not ignored.
	refused 'without limit-pps or limit-bps limits nothing' --iface lo --pin-dir "$PIN.x" --limit-action drop
	refused 'without limit-pps or limit-bps limits nothing' --iface lo --pin-dir "$PIN.x" --limit-ban 1h
	[ ! -e "$PIN.x" ]
}

@test "limit set: suffixes are decimal, unnamed settings keep their values, defaults fill in, limit off clears" {
	run -0 xf_cli limit --json
	[ "$(limits_json 'j["action"]')" = off ]
	run -0 xf_cli limit set --pps 10k
	[ "$(limits_json '"%s %s %s %s %s %s" % (j["action"], j["pps"], j["pkt_burst"], j["key4"], j["key6"], j["ban_s"])')" = "ban 10000 10000 32 128 600" ]
	# set auto exists for the bans (a runtime set: `sets` lists it).
	xf_cli sets | grep -qE '^block +auto '
	run -0 xf_cli limit set --bps 2M --key /24,/64 --ban 2h
	[ "$(limits_json '"%s %s %s %s %s %s" % (j["pps"], j["bps"], j["bit_burst"], j["key4"], j["key6"], j["ban_s"])')" = "10000 2000000 2000000 24 64 7200" ]
	run -0 xf_cli limit set --pps 1G --burst 5 --action drop
	# The bit bucket lasts as long as the packet one, but holds at least one 64 KiB frame.
	[ "$(limits_json '"%s %s %s %s" % (j["pps"], j["pkt_burst"], j["bit_burst"], j["action"])')" = "1000000000 5 524288 drop" ]
	run -0 xf_cli limit
	[[ $output == "pps=1G bps=2M burst=5 bit-burst=524288 key=/24,/64 action=drop ban=2h"* ]]
	local gen
	gen=$(limits_json 'j["generation"]')
	# Nothing changed: no new generation (the buckets keep their tokens).
	run -0 --separate-stderr xf_cli limit set --pps 1G
	[[ $stderr == *"(unchanged)"* ]]
	[ "$(limits_json 'j["generation"]')" = "$gen" ]
	# The bit bucket never holds more than the program computes exactly (XDPFWD_LIMIT_BURST_MAX).
	run -0 xf_cli limit set --pps 1 --bps 1000G --burst 1G
	[ "$(limits_json 'j["bit_burst"]')" = 10000000000 ]
	run -0 xf_cli limit set --pps 1G --bps 2M --burst 5
	run -0 xf_cli limit off
	[ "$(limits_json '"%s %s" % (j["action"], j["generation"])')" = "off $((gen + 3))" ]
	# From off, set starts from the defaults again.
	run -0 xf_cli limit set --pps 100 --action audit
	[ "$(limits_json '"%s %s %s" % (j["action"], j["pps"], j["key4"])')" = "audit 100 32" ]
}

@test "limit set: bad values and combinations are refused and change nothing" {
	run -0 xf_cli limit set --pps 500
	local before
	before=$(xf_cli limit --json)
	refused "--pps .5k5.: use packets per second" limit set --pps 5k5 --pin-dir "$PIN"
	refused "--key ./24.: use /V4LEN,/V6LEN" limit set --key /24 --pin-dir "$PIN"
	refused "--action .allow.: use drop, ban, audit or off" limit set --action allow --pin-dir "$PIN"
	refused "--ban: " limit set --ban forever --pin-dir "$PIN"
	refused "set: say what to change" limit set --pin-dir "$PIN"
	refused "go with set" limit --pps 5 --pin-dir "$PIN"
	refused "unknown command 'on'" limit on --pin-dir "$PIN"
	refused "--json goes with showing" limit off --json --pin-dir "$PIN"
	[ "$(xf_cli limit --json)" = "$before" ]
	# From off, a setting without a rate is an error (exit 1: the running limits decide it).
	run -0 xf_cli limit off
	run -1 --separate-stderr xf_cli limit set --action drop
	[[ $stderr == *"limits nothing"* ]]
	[ "$(limits_json 'j["action"]')" = off ]
}

@test "--limits-file: KEY=VALUE lines over the options; a bad line refuses the start naming FILE:LINE" {
	printf 'limit-pps = 7k   # per source\n\n# comment\nlimit-key=/24,/64\n' >"$XF_TMP/limits.conf"
	xf_daemon_stop
	xf_daemon --iface "$IF_P" --limit-pps 100 --limit-action drop --limits-file "$XF_TMP/limits.conf"
	[ "$(limits_json '"%s %s %s" % (j["pps"], j["action"], j["key4"])')" = "7000 drop 24" ]
	xf_daemon_stop
	local id
	id=$(xf_prog_id)
	# As a bad --blocklist-file: exit 1 (the daemon read it), nothing changed.
	printf 'limit-pps=7k\nlimit-speed=9\n' >"$XF_TMP/limits.conf"
	run -1 --separate-stderr xf_p timeout 20 "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN" --limits-file "$XF_TMP/limits.conf"
	[[ $stderr == *"limits.conf:2: unknown setting 'limit-speed'"* ]]
	[ "$(xf_prog_id)" = "$id" ]
	[ "$(limits_json 'j["pps"]')" = 7000 ]
	printf 'limit-pps 7k\n' >"$XF_TMP/limits.conf"
	run -1 --separate-stderr xf_p timeout 20 "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN" --limits-file "$XF_TMP/limits.conf"
	[[ $stderr == *"limits.conf:1: 'limit-pps 7k' is not KEY=VALUE"* ]]
	# A missing file adds nothing: the options apply.
	xf_daemon --iface "$IF_P" --limit-pps 300 --limits-file "$XF_TMP/none.conf"
	[ "$(limits_json 'j["pps"]')" = 300 ]
}

@test "a daemon without limit settings leaves the limits as it finds them" {
	run -0 xf_cli limit set --pps 900 --action drop
	xf_daemon_stop
	xf_daemon --iface "$IF_P"
	[ "$(limits_json '"%s %s" % (j["pps"], j["action"])')" = "900 drop" ]
}

@test "sets del block auto is refused while the limits ban or audit into it, allowed once they are off" {
	run -0 xf_cli limit set --pps 100
	run -1 --separate-stderr xf_cli sets del block auto
	[[ $stderr == *"block set auto holds the flood defense's bans and the limits are on (action ban); turn them off first (xdpfwd limit off)"* ]]
	xf_cli sets | grep -qE '^block +auto '
	run -0 xf_cli limit set --action audit
	run -1 xf_cli sets del block auto
	run -0 xf_cli limit off
	run -0 xf_cli sets del block auto
	[ -z "$(xf_cli sets | grep -E '^block +auto ')" ]
	# The next ban limits make it again.
	run -0 xf_cli limit set --pps 100 --action ban
	xf_cli sets | grep -qE '^block +auto '
}
