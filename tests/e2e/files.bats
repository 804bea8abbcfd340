#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The lists as files: --blocklist-file/--allowlist-file are the files of block and allow set
# "file", applied at start and on SIGHUP as one replace of that set (a bad file is refused as a
# whole with FILE:LINE, the running set stays; other sets are never touched: tests/e2e/sets.bats),
# timeout= per line, and entries added with --persist surviving a restart on fresh maps
# (what a reboot looks like to xdpfwd).

load ../lib/xf

N=10

setup() {
	xf_setup_traffic
	STATE="$XF_TMP/state"
}

# The entries of a list as "ENTRY EXPIRES_IN" lines.
entries() {
	xf_cli "${1:-block}" list --json | "$XF_PYTHON" -c '
import json, sys
for e in json.load(sys.stdin):
    print(e["entry"], "-" if e["expires_in"] is None else "t")'
}

@test "--blocklist-file is block set file at start and after SIGHUP; a bad file changes nothing" {
	printf '# blocked\n198.18.0.2\n198.18.0.3 timeout=1h\n' >"$XF_TMP/block"
	printf '198.18.0.3\n' >"$XF_TMP/allow"
	xf_daemon --iface "$IF_P" --blocklist-file "$XF_TMP/block" --allowlist-file "$XF_TMP/allow" \
		--state-dir "$STATE"
	run entries block
	[ "$output" = $'198.18.0.2 -\n198.18.0.3 t' ]
	xf_udp_send 198.18.0.2 "$N"
	xf_udp_send 198.18.0.3 "$N"
	xf_udp_send 198.18.0.4 "$N"
	[ "$(xf_recv_wait 198.18.0.4 "$N")" = "$N" ]
	[ "$(xf_recv_count 198.18.0.2)" = 0 ]
	# Allowed although blocked.
	[ "$(xf_recv_wait 198.18.0.3 "$N")" = "$N" ]

	# The file is set "file": a runtime entry (set manual) outlives the reload (before sets it
	# was dropped, the file being the whole list).
	xf_cli block add 198.18.0.5
	printf '198.18.0.4\n' >"$XF_TMP/block"
	kill -HUP "$XF_DAEMON_PID"
	xf_wait_lines 'block set file: 1 entries from' 1 "$XF_TMP/daemon.err" 5
	run entries block
	[ "$output" = $'198.18.0.4 -\n198.18.0.5 -' ]

	# A bad line: refused with FILE:LINE, the running set unchanged.
	printf '198.18.0.2\n198.18.0.1/24\n' >"$XF_TMP/block"
	kill -HUP "$XF_DAEMON_PID"
	xf_wait_lines 'block set file keeps its running entries' 1 "$XF_TMP/daemon.err" 5
	grep -q "$XF_TMP/block:2: '198.18.0.1/24' has host bits set" "$XF_TMP/daemon.err"
	run entries block
	[ "$output" = $'198.18.0.4 -\n198.18.0.5 -' ]
	kill -0 "$XF_DAEMON_PID"
}

@test "a bad --blocklist-file at start: exit 1 with FILE:LINE, nothing attached or pinned" {
	printf '198.18.0.2\nbogus # here\n' >"$XF_TMP/block"
	run xf_p "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN" --blocklist-file "$XF_TMP/block"
	[ "$status" = 1 ]
	[[ "$output" == *"$XF_TMP/block:2: 'bogus' is not an IPv4 or IPv6 address"* ]]
	[ ! -e "$PIN" ]
	run xf_p ip -o link show dev "$IF_P"
	[[ "$output" != *xdp* ]]
}

@test "a /0 in a list file is refused at FILE:LINE, at start and on SIGHUP; '# --force' lets it in" {
	printf '198.18.0.2\n::/0\n' >"$XF_TMP/block"
	run xf_p timeout 10 "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN" --blocklist-file "$XF_TMP/block"
	[ "$status" = 1 ]
	[[ "$output" == *"$XF_TMP/block:2: ::/0 matches every IPv6 source; end the line with '# --force' if you mean it"* ]]
	[ ! -e "$PIN" ]
	printf '198.18.0.3\n' >"$XF_TMP/allow"
	printf '198.18.0.2\n' >"$XF_TMP/block"
	xf_daemon --iface "$IF_P" --blocklist-file "$XF_TMP/block" --allowlist-file "$XF_TMP/allow" \
		--state-dir "$STATE"
	printf '198.18.0.3\n  0.0.0.0/0   # everyone\n' >"$XF_TMP/allow"
	kill -HUP "$XF_DAEMON_PID"
	xf_wait_lines 'allow set file keeps its running entries' 1 "$XF_TMP/daemon.err" 5
	grep -q "$XF_TMP/allow:2: 0.0.0.0/0 matches every IPv4 source" "$XF_TMP/daemon.err"
	run entries allow
	[ "$output" = "198.18.0.3 -" ]
	# The blocked source stays blocked.
	xf_udp_send 198.18.0.2 "$N"
	xf_udp_send 198.18.0.4 "$N"
	[ "$(xf_recv_wait 198.18.0.4 "$N")" = "$N" ]
	[ "$(xf_recv_count 198.18.0.2)" = 0 ]
	# Meant: the comment says so, as --force does on the command line.
	printf '198.18.0.3\n0.0.0.0/0 # --force: maintenance window\n' >"$XF_TMP/allow"
	kill -HUP "$XF_DAEMON_PID"
	xf_wait_lines 'allow set file: 2 entries from' 1 "$XF_TMP/daemon.err" 5
	run entries allow
	[ "$output" = $'0.0.0.0/0 -\n198.18.0.3 -' ]
}

@test "a /0 added with --force --persist survives a restart on fresh maps" {
	xf_daemon --iface "$IF_P" --state-dir "$STATE"
	xf_cli allow add ::/0 --force --persist --state-dir "$STATE"
	grep -qx '::/0 # --force' "$STATE/allowlist"
	xf_daemon_stop
	xf_cli detach --iface "$IF_P"
	xf_daemon --iface "$IF_P" --state-dir "$STATE"
	grep -q 'restored 1 persisted entries' "$XF_TMP/daemon.err"
	run entries allow
	[ "$output" = "::/0 -" ]
}

@test "--persist entries survive a restart on fresh maps (a reboot); plain ones do not" {
	xf_daemon --iface "$IF_P" --state-dir "$STATE"
	xf_cli block add 198.18.0.2 --persist --state-dir "$STATE"
	xf_cli block add 198.18.0.3 --persist --timeout 1h --state-dir "$STATE"
	xf_cli block add 198.18.0.4
	xf_cli block add 198.18.0.5 --persist --state-dir "$STATE"
	xf_cli block del 198.18.0.5 --persist --state-dir "$STATE"
	[ "$(stat -c %a "$STATE/blocklist")" = 600 ]
	grep -qx '198.18.0.2' "$STATE/blocklist"
	grep -q '^198.18.0.3 until=[0-9]*$' "$STATE/blocklist"
	! grep -q '198.18.0.[45]' "$STATE/blocklist" || false

	# A reboot empties bpffs: detach (removes the pins), then start again.
	xf_daemon_stop
	xf_cli detach --iface "$IF_P"
	[ ! -e "$PIN" ]
	xf_daemon --iface "$IF_P" --state-dir "$STATE"
	grep -q 'restored 2 persisted entries' "$XF_TMP/daemon.err"
	run entries block
	[ "$output" = $'198.18.0.2 -\n198.18.0.3 t' ]
	xf_udp_send 198.18.0.3 "$N"
	xf_udp_send 198.18.0.4 "$N"
	[ "$(xf_recv_wait 198.18.0.4 "$N")" = "$N" ]
	[ "$(xf_recv_count 198.18.0.3)" = 0 ]

	# A plain restart (maps kept) adds nothing back: what the CLI removed stays removed.
	xf_cli block del 198.18.0.2
	xf_daemon_stop
	xf_daemon --iface "$IF_P" --state-dir "$STATE"
	run entries block
	[ "$output" = "198.18.0.3 t" ]
}
