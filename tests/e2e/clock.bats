#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# One clock for the whole instance: the first daemon records what the program's times mean in
# the pinned "clock" map, later daemons load their programs with it and every reader converts
# with it, whichever of them can read the kernel's config (systemd's ProcSubset=pid hides
# /proc/config.gz from the daemon only). Times shown must be within 2 s of the real hit.

load ../lib/xf

setup() {
	xf_setup
	# The program as the daemon sees it under the unit: no kernel config anywhere it looks.
	NOCONF=$XF_TMP/noconf
	cat >"$NOCONF" <<EOF
#!/bin/sh
exec unshare --mount --propagation private sh -c 'for f in /proc/config.gz /boot/config-\$(uname -r); do
	[ -e "\$f" ] && mount --bind /dev/null "\$f"; done; exec "\$0" "\$@"' "$XDPFWD" "\$@"
EOF
	chmod +x "$NOCONF"
	HZ=$( { zcat /proc/config.gz 2>/dev/null || cat "/boot/config-$(uname -r)"; } | sed -n 's/^CONFIG_HZ=//p')
	# Every test compares the clock with the kernel's HZ.
	[ -n "$HZ" ] || skip "no kernel config to compare with"
}

# Exit 0 if the UTC time $1 ("2026-12-02T15:00:00.123Z") is within 2 s of the epoch time $2.
near() {
	"$XF_PYTHON" -c '
import datetime, sys
t = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%S.%fZ")
d = t.replace(tzinfo=datetime.timezone.utc).timestamp() - float(sys.argv[2])
print("# %s is %.3f s from the hit" % (sys.argv[1], d), file=sys.stderr)
sys.exit(abs(d) >= 2)' "$1" "$2"
}

# Blocks .2, sends from it and sets HIT to the epoch time of the sends.
hit() {
	xf_cli block add 198.18.0.2
	HIT=$(date +%s.%N)
	[ "$(xf_udp_count 198.18.0.2 3)" = 0 ]
}

# LAST_HIT of .2 as the CLI ($1: the binary) shows it.
last_hit() {
	XDPFWD=$1 xf_json 'j[0]["last_hit"]' xf_cli block list --json
}

event_time() {
	xf_wait_lines ' drop blocklist src=198\.18\.0\.2 ' 1
	grep -m1 ' drop blocklist src=198\.18\.0\.2 ' "$XF_TMP/daemon.out" | cut -d' ' -f1
}

# Calls hit, then checks that LAST_HIT as each CLI binary given shows it, and the daemon's event
# line, are within 2 s of it.
hit_shown_right() {
	local bin
	hit || return 1
	for bin in "$@"; do
		near "$(last_hit "$bin")" "$HIT" || return 1
	done
	near "$(event_time)" "$HIT"
}

clock_field() {
	xf_json "j[0].get(\"formatted\", j[0])[\"value\"][\"$1\"]" bpftool map dump pinned "$PIN/clock" -j
}

@test "a daemon that cannot read the kernel config, a CLI that can: LAST_HIT and event times are right" {
	XDPFWD=$NOCONF xf_daemon --iface "$IF_P"
	hit_shown_right "$XDPFWD"
	# The daemon measured HZ (no file to read) and recorded it; bpftool names the fields.
	[ "$(clock_field hz)" = "$HZ" ]
	[ "$(clock_field ns_per_jiffy)" = $((1000000000 / HZ)) ]
	[ "$(clock_field source)" = 2 ]
}

@test "a daemon that reads the kernel config, a CLI that cannot: LAST_HIT is right" {
	xf_daemon --iface "$IF_P"
	hit_shown_right "$NOCONF" "$XDPFWD"
	[ "$(clock_field source)" = 1 ]
}

@test "a later daemon of the instance runs on the recorded clock, whatever it can read" {
	xf_daemon --iface "$IF_P"
	xf_daemon_stop TERM
	: >"$XF_TMP/daemon.out"
	XDPFWD=$NOCONF xf_daemon --iface "$IF_P"
	grep -q "adopted the running firewall" "$XF_TMP/daemon.err"
	hit_shown_right "$XDPFWD" "$NOCONF"
	[ "$(clock_field source)" = 1 ]
}

@test "pins of a daemon older than the clock map: the restart takes the clock of the running program" {
	xf_daemon --iface "$IF_P"
	xf_daemon_stop TERM
	# What an older build leaves: every pin but the clock.
	rm "$PIN/clock"
	run xf_cli block list
	[ "$status" = 0 ]
	XDPFWD=$NOCONF xf_daemon --iface "$IF_P"
	[ "$(clock_field source)" = 3 ]
	[ "$(clock_field hz)" = "$HZ" ]
	hit
	near "$(last_hit "$XDPFWD")" "$HIT"
	near "$(last_hit "$NOCONF")" "$HIT"
}
