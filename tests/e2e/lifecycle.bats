#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The firewall outlives the daemon: SIGTERM and SIGKILL leave it attached and
# enforcing, a restart adopts it in place (lists and counters kept, nothing leaks
# while it happens), and `xdpfwd detach` is what removes it.

load ../lib/xf

N=20
XF_N=$N

setup() {
	xf_setup_traffic
}

prog_id_from_status() {
	xf_json 'j["interfaces"][0]["prog_id"]' xf_cli status --json
}

# .2 then .3, N each, through xf_round; prints the counts of this round as ".2 .3".
round() {
	xf_round 198.18.0.2 198.18.0.3 | sed -E 's/[^ =]+=//g'
}

@test "SIGTERM: the daemon exits 0 and the firewall stays attached and enforcing" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2
	xf_daemon_stop TERM
	[ "$XF_DAEMON_RC" = 0 ]
	grep -q 'Terminated: stopping' "$XF_TMP/daemon.err"
	grep -q "$IF_P: the firewall stays attached (program $(xf_prog_id "$IF_P"))" "$XF_TMP/daemon.err"

	[ "$(round)" = "0 $N" ]
	[ "$(xf_entry_packets 198.18.0.2)" = "$N" ]
	run xf_cli status
	[ "$status" = 0 ]
	[[ "$output" =~ $IF_P\ +ifindex\ [0-9]+\ +attached\  ]]
	[ "$(xf_xdp_prog "$IF_P" | cut -d' ' -f3)" = xdpfwd_xdp ]
}

@test "SIGTERM after another program replaced xdpfwd: the stop says so, not that the firewall stays" {
	local obj id
	# Any program not ours: xdp-tools' default AF_XDP one.
	obj=$(ls /usr/lib/*/bpf/xsk_def_xdp_prog.o /usr/lib/bpf/xsk_def_xdp_prog.o 2>/dev/null | head -1)
	[ -n "$obj" ] || skip "xdp-tools' xsk_def_xdp_prog.o is not installed"
	xf_daemon --iface "$IF_P"
	xf_attach_foreign "$IF_P" "$obj"
	id=$(xf_prog_id "$IF_P")
	xf_wait_lines "$IF_P: program 'xsk_def_prog' \(id $id\) replaced xdpfwd; leaving it" 1 "$XF_TMP/daemon.err"
	xf_daemon_stop TERM
	[ "$XF_DAEMON_RC" = 0 ]
	grep -q "$IF_P: program 'xsk_def_prog' (id $id) replaced xdpfwd there; xdpfwd's lists are not enforced on it" \
		"$XF_TMP/daemon.err"
	run grep 'stays attached' "$XF_TMP/daemon.err"
	[ "$status" = 1 ]
	[ "$(xf_prog_id "$IF_P")" = "$id" ]
}

@test "SIGKILL: the firewall stays attached and enforcing" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2
	xf_daemon_stop KILL
	[ "$XF_DAEMON_RC" = 137 ]

	[ "$(round)" = "0 $N" ]
	[ "$(xf_json 'j["interfaces"][0]["state"]' xf_cli status --json)" = attached ]
	# The CLI still edits the lists without a daemon.
	xf_cli block del 198.18.0.2
	[ "$(round)" = "$N $N" ]
}

@test "restart adopts the running firewall: program swapped in place, lists and counters kept" {
	xf_daemon --iface "$IF_P"
	old=$(prog_id_from_status)
	xf_cli block add 198.18.0.2 198.18.0.0/30 2001:2::/64
	[ "$(round)" = "0 0" ] # .3 is in the /30 too
	before=$(xf_cli block list --json)
	[ "$(xf_entry_packets 198.18.0.2)" = "$N" ]
	[ "$(xf_entry_packets 198.18.0.0/30)" = "$N" ]
	xf_daemon_stop TERM

	xf_daemon --iface "$IF_P"
	new=$(prog_id_from_status)
	[ "$new" != "$old" ]
	grep -q "$IF_P: adopted the running firewall: program $old swapped for $new in place (native mode), lists kept" \
		"$XF_TMP/daemon.err"
	[ "$(xf_xdp_prog "$IF_P")" = "native $new xdpfwd_xdp" ]
	# Same entries, same counters.
	[ "$(xf_cli block list --json)" = "$before" ]

	xf_cli block del 198.18.0.0/30
	[ "$(round)" = "0 $N" ]
	[ "$(xf_entry_packets 198.18.0.2)" = $((2 * N)) ]
}

@test "restart after SIGKILL adopts too, and a second restart does again" {
	xf_daemon --iface "$IF_P"
	first=$(prog_id_from_status)
	xf_cli block add 198.18.0.2
	xf_daemon_stop KILL
	xf_daemon --iface "$IF_P"
	second=$(prog_id_from_status)
	grep -q "adopted the running firewall: program $first swapped for $second " "$XF_TMP/daemon.err"
	xf_daemon_stop TERM
	xf_daemon --iface "$IF_P"
	third=$(prog_id_from_status)
	grep -q "adopted the running firewall: program $second swapped for $third " "$XF_TMP/daemon.err"
	[ "$(round)" = "0 $N" ]
	# The program of each start is the one pinned.
	[ "$(xf_json 'j["id"]' bpftool -j prog show pinned "$PIN/prog")" = "$third" ]
}

@test "traffic during restarts: no blocked datagram leaks, no allowed one is lost" {
	local total=1500
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2
	# Two bounded senders, 2 ms apart each (about 3-4 s), while the daemon restarts twice.
	xf_udp_send 198.18.0.2 "$total" "" 9000 2 &
	local blocked=$!
	xf_udp_send 198.18.0.3 "$total" "" 9000 2 &
	local control=$!
	sleep 0.3
	xf_daemon_stop TERM
	xf_daemon --iface "$IF_P"
	xf_daemon_stop KILL
	xf_daemon --iface "$IF_P"
	# Both senders must still have been running, or the restarts saw no traffic.
	kill -0 "$blocked"
	kill -0 "$control"
	wait "$blocked"
	wait "$control"
	[ "$(xf_recv_wait 198.18.0.3 "$total")" = "$total" ]
	[ "$(xf_recv_count 198.18.0.2)" = 0 ]
	[ "$(xf_entry_packets 198.18.0.2)" = "$total" ]
	[ "$(grep -c 'adopted the running firewall' "$XF_TMP/daemon.err")" = 2 ]
}

@test "detach: traffic flows again, no XDP program is left and the pin dir is gone" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2
	xf_daemon_stop TERM
	[ "$(round)" = "0 $N" ]

	run xf_cli detach --iface "$IF_P"
	[ "$status" = 0 ]
	[[ "$output" == *"$IF_P: detached"* ]]
	[[ "$output" == *"removed the pins under $PIN"* ]]
	[ -z "$(xf_xdp_prog "$IF_P")" ]
	run ip -n "$NS_P" link show dev "$IF_P"
	[[ "$output" != *xdp* ]]
	[ ! -e "$PIN" ]
	[ "$(round)" = "$N $N" ]
	# With the pins gone the CLI says there is no instance.
	run xf_cli status
	[ "$status" = 1 ]
	[[ "$output" == *"no xdpfwd instance at $PIN"* ]]
}

@test "detach while the daemon runs: the firewall goes, the daemon lets it go and exits 0" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2
	run xf_cli detach --iface "$IF_P"
	[ "$status" = 0 ]
	[ -z "$(xf_xdp_prog "$IF_P")" ]
	[ ! -e "$PIN" ]
	xf_daemon_wait_exit 3
	[ "$XF_DAEMON_RC" = 0 ]
	grep -q 'no interface left to protect: exiting' "$XF_TMP/daemon.err"
	grep -q "$IF_P: detached by \`xdpfwd detach\`" "$XF_TMP/daemon.err"
	# The operator's detach is not tampering: nothing is put back.
	[ "$(round)" = "$N $N" ]
	[ -z "$(xf_xdp_prog "$IF_P")" ]
	[ ! -e "$PIN" ]
}

@test "a second daemon for the same instance refuses to start while the first runs" {
	# Bug: both run, both consume the one event ring buffer, and each prints only the
	# share of drop events it happened to read, so neither log is complete.
	xf_daemon --iface "$IF_P" --log-source-interval 0 --log-rate unlimited
	xf_cli block add 198.18.0.2
	run xf_p timeout 5 "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN" --log-source-interval 0 \
		--log-rate unlimited 3>&-
	[ "$status" = 1 ]
	[[ "$output" == *"already"* ]]
	# The first one still logs every drop.
	xf_udp_send 198.18.0.2 "$N"
	xf_wait_lines ' drop ' "$N"
	kill -0 "$XF_DAEMON_PID"
}

@test "SIGHUP is not a stop: the daemon keeps running and logging" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2
	kill -HUP "$XF_DAEMON_PID"
	xf_wait_lines 'SIGHUP' 1 "$XF_TMP/daemon.err"
	kill -0 "$XF_DAEMON_PID"
	xf_udp_send 198.18.0.2 3
	xf_wait_lines ' drop blocklist src=198\.18\.0\.2 ' 1
	xf_daemon_stop TERM
	[ "$XF_DAEMON_RC" = 0 ]
}

@test "drops while no daemon runs are logged by the next one" {
	xf_daemon --iface "$IF_P" --log-source-interval 0 --log-rate unlimited
	xf_cli block add 198.18.0.2
	xf_daemon_stop TERM
	# The program keeps queueing events in the pinned ring buffer.
	xf_udp_send 198.18.0.2 5
	[ "$(xf_wait_entry_packets 198.18.0.2 5)" = 5 ]
	[ ! -s "$XF_TMP/daemon.out" ]
	xf_daemon --iface "$IF_P"
	xf_wait_lines ' drop blocklist src=198\.18\.0\.2 ' 5
}
