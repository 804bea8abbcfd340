#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The daemon keeps the firewall in place: an interface deleted and recreated under the same name,
# the program detached behind its back by three different tools, pins removed by hand. Each is
# noticed within a second, repaired, logged as a warning, and enforcement is back within a second.
#
# A blocked source floods (20,000 datagrams/s) across the tampering; a receiver in NS_P records the
# send time of every datagram that got through, so "enforcement back" is the send time of the
# last leaked datagram, counted from the moment of the tampering.

load rel.bash

PPS=20000

setup() {
	rel_setup
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2
	prog=$(xf_prog_id)
	[ -n "$prog" ]
}

teardown() {
	rel_teardown
}

# Leaks recorded by the receiver "leak", relative to T0: "TOTAL LAST_MS LATE" where LATE counts
# datagrams sent more than 1 s after T0.
leaks_since() {
	awk -v t0="$1" 'BEGIN { n = 0; last = -1; late = 0 }
		$1 == 0 { n++; ms = ($3 - t0) / 1e6; if (ms > last) last = ms; if (ms > 1000) late++ }
		END { printf "%d %d %d\n", n, last, late }' "$XF_TMP/leak.recv"
}

# tamper_and_measure WHAT CHECK CMD...: floods, runs CMD at T0, waits for CHECK to pass again.
tamper_and_measure() {
	local what=$1 check=$2 t0 fixed_ms leaks after0
	shift 2
	rel_recv_start leak
	rel_flood_bg flood 198.18.0.2 200000 3 "$PPS"
	sleep 0.5
	t0=$(rel_now)
	"$@"
	fixed_ms=$(rel_wait_since "$t0" 2 "$check") || fixed_ms=never
	rel_flood_alive flood
	rel_flood_wait flood
	rel_recv_stop leak
	read -r leaks last_ms late <<<"$(leaks_since "$t0")"
	# Afterwards: 0 of 1000.
	after0=$(rel_count 198.18.0.2)
	rel_flood 198.18.0.2 1000 1 5000 >/dev/null
	sleep 0.2
	after=$(($(rel_count 198.18.0.2) - after0))
	rel_figure "$what: repaired after $fixed_ms ms; $leaks of $(rel_flood_sent flood) leaked" \
		"(last sent $last_ms ms after the tampering, $late later than 1 s); afterwards $after of 1000"
	echo "repaired after $fixed_ms ms, leaks $leaks, last $last_ms ms, late $late, afterwards $after"
	[ "$fixed_ms" != never ]
	[ "$fixed_ms" -lt 1000 ]
	[ "$late" = 0 ]
	[ "$after" = 0 ]
}

# In the background from now on (at most 3 s): writes the time (rel_now) xdpfwd is first seen
# attached on $IF_P to $XF_TMP/attached.at.
watch_attach_bg() {
	(
		end=$(($(rel_now) + 3000000000))
		while [ "$(rel_now)" -lt "$end" ]; do
			if rel_ours_attached 2>/dev/null; then
				rel_now >"$XF_TMP/attached.at"
				exit 0
			fi
			sleep 0.01
		done
	) 3>&- &
	XF_PIDS+=($!)
	REL_WATCH_PID=$!
}

@test "interface deleted and recreated with the same name: enforcement back within 1 s" {
	rel_flood 198.18.0.2 200 1 1000 >/dev/null
	[ "$(rel_count 198.18.0.2)" = 0 ]
	d0=$(xf_json 'j["interfaces"][0]["packets"]["drop"]["blocklist"]' xf_cli status --json)
	[ "$d0" -ge 200 ]
	ip -n "$NS_P" link del "$IF_P"
	rel_wait_ms 3 grep -q "$IF_P: interface disappeared" "$XF_TMP/daemon.err"
	rel_recv_start leak
	t0=$(rel_now)
	ip link add "$IF_P" netns "$NS_P" type veth peer name "$IF_S" netns "$NS_S"
	watch_attach_bg
	# The sender binds now and sends as soon as the link is up (earlier sends fail, uncounted).
	for i in 2 3 4 5; do
		ip -n "$NS_S" addr add 198.18.0.$i/24 dev "$IF_S"
		ip -n "$NS_S" addr add 2001:2::$i/64 dev "$IF_S" nodad
	done
	rel_flood_bg flood 198.18.0.2 200000 2.5 "$PPS"
	ip -n "$NS_P" addr add 198.18.0.1/24 dev "$IF_P"
	ip -n "$NS_P" addr add 2001:2::1/64 dev "$IF_P" nodad
	ip -n "$NS_P" link set "$IF_P" up
	ip -n "$NS_S" link set "$IF_S" up
	xf_static_neigh
	up=$(rel_now)
	wait "$REL_WATCH_PID" || true
	rel_flood_wait flood
	rel_recv_stop leak
	[ -s "$XF_TMP/attached.at" ]
	attached_ms=$((($(cat "$XF_TMP/attached.at") - t0) / 1000000))
	read -r leaks last_ms late <<<"$(leaks_since "$t0")"
	rel_figure "re-attached $attached_ms ms after ip link add (links up after $(((up - t0) / 1000000)) ms);" \
		"$leaks of $(rel_flood_sent flood) leaked (last sent $last_ms ms after ip link add, $late later than 1 s)"
	[ "$attached_ms" -lt 1000 ]
	[ "$late" = 0 ]
	grep -q "$IF_P: interface is back" "$XF_TMP/daemon.err"
	grep -q "$IF_P: re-attached program $prog" "$XF_TMP/daemon.err"
	before=$(rel_count 198.18.0.2)
	[ "$(rel_flood 198.18.0.2 1000 1 5000)" = 1000 ]
	sleep 0.2
	[ "$(rel_count 198.18.0.2)" = "$before" ]
	[ "$(xf_json 'j["interfaces"][0]["state"]' xf_cli status --json)" = attached ]
	# Same name, new ifindex: the interface keeps its counters and goes on counting in them.
	d1=$(xf_json 'j["interfaces"][0]["packets"]["drop"]["blocklist"]' xf_cli status --json)
	[ "$d1" -ge $((d0 + 1000)) ]
}

@test "tampering: ip link set dev IF xdp off" {
	tamper_and_measure "xdp off" rel_ours_attached xf_p ip link set dev "$IF_P" xdp off
	grep -q "$IF_P: xdpfwd was detached behind its back" "$XF_TMP/daemon.err"
	grep -q "$IF_P: re-attached program $prog" "$XF_TMP/daemon.err"
}

@test "tampering: bpftool net detach xdp dev IF" {
	tamper_and_measure "bpftool net detach" rel_ours_attached xf_p bpftool net detach xdp dev "$IF_P"
	grep -q "$IF_P: xdpfwd was detached behind its back" "$XF_TMP/daemon.err"
	grep -q "$IF_P: re-attached program $prog" "$XF_TMP/daemon.err"
}

# xdp-loader takes a machine-wide lock file, /run/xdp-loader.lck, and never clears a stale one
# (a killed xdp-loader elsewhere on the host blocks every later run). It runs here with a private
# /run in a private mount namespace; libxdp's own lock (in bpffs) still serialises the detach.
xdp_loader_unload() {
	xf_p unshare --mount --propagation private sh -c \
		'mount -t tmpfs xdp-loader-run /run && exec xdp-loader unload "$0" --all' "$IF_P"
}

@test "tampering: xdp-loader unload IF --all" {
	tamper_and_measure "xdp-loader unload" rel_ours_attached xdp_loader_unload
	grep -q "$IF_P: xdpfwd was detached behind its back" "$XF_TMP/daemon.err"
	grep -q "$IF_P: re-attached program $prog" "$XF_TMP/daemon.err"
}


prog_pin_exists() {
	[ -e "$PIN/prog" ]
}

map_pin_exists() {
	[ -e "$PIN/block_v4_addr" ]
}

@test "tampering: rm PIN/prog" {
	tamper_and_measure "rm prog pin" prog_pin_exists rm "$PIN/prog"
	[ "$(bpftool -j prog show pinned "$PIN/prog" | xf_json 'j["id"]')" = "$prog" ]
	grep -q "pins under $PIN were removed; pinning again" "$XF_TMP/daemon.err"
	[ "$(stat -c %a "$PIN/prog")" = 600 ]
	[ "$(xf_prog_id)" = "$prog" ]
}


@test "tampering: rm PIN/block_v4_addr" {
	map=$(bpftool -j map show pinned "$PIN/block_v4_addr" | xf_json 'j["id"]')
	tamper_and_measure "rm block_v4_addr pin" map_pin_exists rm "$PIN/block_v4_addr"
	# The very map the program uses, not a new empty one.
	[ "$(bpftool -j map show pinned "$PIN/block_v4_addr" | xf_json 'j["id"]')" = "$map" ]
	grep -q "pins under $PIN were removed; pinning again" "$XF_TMP/daemon.err"
	[ "$(stat -c %a "$PIN/block_v4_addr")" = 600 ]
	# The CLI reaches the list again.
	[ "$(xf_entries | sort)" = 198.18.0.2 ]
}

@test "rm PIN/block_v4_addr, then a restart: the entries survive and still drop" {
	rm "$PIN/block_v4_addr"
	sleep 1
	xf_daemon_stop TERM
	xf_daemon --iface "$IF_P"
	sent=$(rel_flood 198.18.0.2 500 1 2000)
	sleep 0.2
	leaked=$(rel_count 198.18.0.2)
	rel_figure "after the restart: $leaked of $sent leaked; blocklist: $(xf_entries | sort | tr '\n' ' ')"
	[ "$leaked" = 0 ]
	[ "$(xf_entries | sort)" = 198.18.0.2 ]
}
