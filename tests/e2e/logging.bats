#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The daemon's stdout: one line per logged drop (text or JSON), the per-source and
# global limits, --no-log, and the periodic stats line. Frames are 14 (Ethernet) +
# 20 or 40 (IP) + 8 (UDP) + $XF_UDP_PAYLOAD_LEN bytes long.

load ../lib/xf

LEN4=$((14 + 20 + 8 + 16))
LEN6=$((14 + 40 + 8 + 16))
ISO='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'

setup() {
	xf_setup
	xf_static_neigh
}

teardown() {
	xf_teardown
}

out() {
	cat "$XF_TMP/daemon.out"
}

# Waits until the events the program sent (status) are all on stdout, then a little
# longer, so that a line too many would show; prints the number of drop lines.
settled_drop_lines() {
	local sent
	sent=$(xf_json 'j["events"]["sent"]' xf_cli status --json)
	xf_wait_lines ' drop |"action":"drop"' "$sent" >/dev/null || true
	sleep 0.3
	grep -cE ' drop |"action":"drop"' "$XF_TMP/daemon.out" || true
}

@test "text log: one line per source per second by default, with time, interface, reason, source, proto, length" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2 2001:2::2
	# 20 datagrams 10 ms apart: well inside one second.
	xf_udp_send 198.18.0.2 20 "" 9000 10
	xf_udp_send 2001:2::2 20 "" 9000 10
	[ "$(xf_wait_entry_packets 198.18.0.2 20)" = 20 ]
	[ "$(xf_wait_entry_packets 2001:2::2 20)" = 20 ]
	[ "$(settled_drop_lines)" = 2 ]
	run out
	[ "${#lines[@]}" = 2 ]
	[[ "${lines[0]}" =~ ^$ISO\ $IF_P\ drop\ blocklist\ src=198\.18\.0\.2\ proto=udp\ len=$LEN4\ set=manual$ ]]
	[[ "${lines[1]}" =~ ^$ISO\ $IF_P\ drop\ blocklist\ src=2001:2::2\ proto=udp\ len=$LEN6\ set=manual$ ]]
	# Every drop is accounted for: 2 sent, 38 suppressed by the per-source limit.
	run xf_json '(j["events"]["eligible"], j["events"]["sent"], j["events"]["suppressed_source"], j["events"]["suppressed_global"], j["events"]["lost"])' xf_cli status --json
	[ "$output" = "(40, 2, 38, 0, 0)" ]
}

@test "text log: the per-source limit also applies to sources matched by a prefix" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.0/30
	xf_udp_send 198.18.0.2 20 "" 9000 10
	xf_udp_send 198.18.0.3 20 "" 9000 10
	[ "$(settled_drop_lines)" = 2 ]
	[ "$(grep -c ' src=198.18.0.2 ' "$XF_TMP/daemon.out")" = 1 ]
	[ "$(grep -c ' src=198.18.0.3 ' "$XF_TMP/daemon.out")" = 1 ]
}

@test "--log-format json: one JSON object per line with the documented fields" {
	xf_daemon --iface "$IF_P" --log-format json
	xf_cli block add 198.18.0.2 2001:2::2
	xf_udp_send 198.18.0.2 5
	xf_udp_send 2001:2::2 5
	[ "$(settled_drop_lines)" = 2 ]
	"$XF_PYTHON" - "$XF_TMP/daemon.out" "$IF_P" "$LEN4" "$LEN6" <<-'EOF'
		import datetime, json, sys
		path, ifname, len4, len6 = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
		lines = open(path).read().splitlines()
		assert len(lines) == 2, lines
		seen = {}
		for line in lines:
		    ev = json.loads(line)
		    assert set(ev) == {"time", "iface", "action", "reason", "set", "src", "proto", "len"}, ev
		    assert (ev["iface"], ev["action"], ev["reason"], ev["set"], ev["proto"]) == (ifname, "drop", "blocklist", "manual", "udp"), ev
		    t = datetime.datetime.strptime(ev["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
		    age = (datetime.datetime.utcnow() - t).total_seconds()
		    assert -5 < age < 30, (ev["time"], age)
		    seen[ev["src"]] = ev["len"]
		assert seen == {"198.18.0.2": len4, "2001:2::2": len6}, seen
	EOF
}

@test "--log-source-interval 0 --log-rate unlimited: one line per dropped packet" {
	xf_daemon --iface "$IF_P" --log-source-interval 0 --log-rate unlimited
	grep -q 'unlimited' "$XF_TMP/daemon.err"
	xf_cli block add 198.18.0.2
	xf_udp_send 198.18.0.2 100
	[ "$(xf_wait_entry_packets 198.18.0.2 100)" = 100 ]
	[ "$(settled_drop_lines)" = 100 ]
	run xf_json '(j["events"]["eligible"], j["events"]["sent"], j["events"]["suppressed_source"], j["events"]["suppressed_global"], j["events"]["lost"])' xf_cli status --json
	[ "$output" = "(100, 100, 0, 0, 0)" ]
	[ "$(grep -c " src=198.18.0.2 proto=udp len=$LEN4 set=manual\$" "$XF_TMP/daemon.out")" = 100 ]
}

@test "--log-rate and --log-burst cap the lines overall; the event counters add up" {
	xf_daemon --iface "$IF_P" --log-source-interval 0 --log-rate 5 --log-burst 3
	xf_cli block add 198.18.0.2
	# 50 datagrams in about 100 ms: the burst of 3, plus one more per 200 ms the sending took.
	t0=$(date +%s%N)
	xf_udp_send 198.18.0.2 50 "" 9000 2
	took_ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$(xf_wait_entry_packets 198.18.0.2 50)" = 50 ]
	n=$(settled_drop_lines)
	[ "$n" -ge 3 ]
	[ "$n" -le $((3 + took_ms / 200 + 1)) ]
	run xf_json '(j["events"]["eligible"], j["events"]["sent"], j["events"]["suppressed_source"] + j["events"]["suppressed_global"] + j["events"]["lost"], j["events"]["suppressed_global"])' xf_cli status --json
	[ "$output" = "(50, $n, $((50 - n)), $((50 - n)))" ]
}

@test "--no-log: drops are enforced and counted but no line is printed" {
	xf_daemon --iface "$IF_P" --no-log
	xf_recv_start
	xf_cli block add 198.18.0.2
	xf_udp_send 198.18.0.2 20
	xf_udp_send 198.18.0.3 20
	[ "$(xf_recv_wait 198.18.0.3 20)" = 20 ]
	[ "$(xf_recv_count 198.18.0.2)" = 0 ]
	[ "$(xf_entry_packets 198.18.0.2)" = 20 ]
	sleep 0.5
	[ ! -s "$XF_TMP/daemon.out" ]
	run xf_json '(j["packets"]["drop"]["blocklist"], j["events"]["eligible"], j["events"]["sent"])' xf_cli status --json
	[ "$output" = "(20, 0, 0)" ]
}

@test "--stats-interval 1 prints a stats line every second with the counters" {
	xf_daemon --iface "$IF_P" --stats-interval 1
	xf_cli block add 198.18.0.2
	xf_wait_lines '^stats ' 1 "$XF_TMP/daemon.out" 2
	grep -qE '^stats pass=[0-9]+ drop=0( [a-z_]+=[0-9]+)* events_sent=0 events_suppressed=0 events_lost=0$' \
		"$XF_TMP/daemon.out"
	xf_udp_send 198.18.0.2 10
	# The next line (at most ~1 s later) has the drops, by reason.
	xf_wait_lines '^stats pass=[0-9]+ drop=10 .*drop_blocklist=10 .*events_sent=1 events_suppressed=9 ' 1 \
		"$XF_TMP/daemon.out" 3
}

@test "the drop-log announcement reads right for --log-source-interval 0 --log-rate unlimited" {
	# Regression: daemon.c announce() printed "per source per 0 ms, unlimited 0 events/s".
	xf_daemon --iface "$IF_P" --log-source-interval 0 --log-rate unlimited
	run grep 'logging drops' "$XF_TMP/daemon.err"
	[ "$status" = 0 ]
	[[ "$output" == *unlimited* ]]
	[[ "$output" != *" 0 events/s"* ]]
	[[ "$output" != *"per 0 ms"* ]]
}
