#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Work proportional to the edit, timing-free: the bpf(2) calls a command makes, counted with
# strace, do not grow with the size of the lists. One `block add`/`del` touches what it changes,
# `status` and `metrics` read the books map instead of walking the lists, and the daemon's expiry
# sweep walks nothing while no timed entry is due. (The times these save: BENCHMARKS.md,
# "Edits and counts with a million entries".)

load cli_helpers

setup() {
	cli_setup_daemon
}

# bpf(2) calls of `xdpfwd ARGS` as strace counts them, threads included. LeakSanitizer cannot
# run under a tracer, so it is off here.
bpf_calls() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		xf_p strace -f -qq -e trace=bpf -o "$XF_TMP/strace.out" "$XDPFWD" "$@" --pin-dir "$PIN" \
		>/dev/null 2>&1 3>&-
	grep -c 'bpf(' "$XF_TMP/strace.out"
}

# N entries of every kind (IPv4 and IPv6 addresses, prefixes of both), as a list file.
entries_file() {
	python3 - "$1" "$2" <<'EOF'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    for i in range(n * 6 // 10):
        f.write("2001:2:a::%x:%x\n" % (i >> 16, i & 0xffff))
    for i in range(n * 2 // 10):
        f.write("198.19.%d.%d\n" % (i // 250, i % 250 + 1))  # 198.19.0.0/17
    for i in range(n // 10):
        f.write("2001:2:b:%x::/64\n" % i)
    for i in range(n - n * 6 // 10 - n * 2 // 10 - n // 10):
        f.write("198.19.%d.%d/31\n" % (128 + 2 * i // 256, 2 * i % 256))
EOF
}

@test "one block add or del makes the same bpf(2) calls with 100,000 entries as with none" {
	local add0 del0 add1 del1 status_n
	add0=$(bpf_calls block add 198.18.0.4)
	del0=$(bpf_calls block del 198.18.0.4)
	entries_file 100000 "$XF_TMP/big.txt"
	xf_cli block load "$XF_TMP/big.txt"
	status_n=$(xf_cli status --json | xf_json 'j["blocklist"]["addresses"] + j["blocklist"]["prefixes"]')
	[ "$status_n" = 100000 ]
	add1=$(bpf_calls block add 198.18.0.4)
	del1=$(bpf_calls block del 198.18.0.4)
	echo "# block add: $add0 calls with no entries, $add1 with 100,000; block del: $del0, $del1" >&3
	[ "$add1" = "$add0" ]
	[ "$del1" = "$del0" ]
	# A timed entry and the allowlist likewise.
	[ "$(bpf_calls block add --timeout 1h 198.18.0.5)" = "$add0" ]
	run -0 xf_cli allow add 198.18.0.6
	[ "$(bpf_calls allow del 198.18.0.6)" -le "$del0" ]
}

@test "status and metrics make the same bpf(2) calls with 100,000 entries as with none" {
	local st0 me0 st1 me1
	st0=$(bpf_calls status --json)
	me0=$(bpf_calls metrics)
	entries_file 100000 "$XF_TMP/big.txt"
	xf_cli block load "$XF_TMP/big.txt"
	head -1000 "$XF_TMP/big.txt" >"$XF_TMP/allow.txt"
	xf_cli allow load "$XF_TMP/allow.txt"
	st1=$(bpf_calls status --json)
	me1=$(bpf_calls metrics)
	echo "# status: $st0 calls with no entries, $st1 with 101,000; metrics: $me0, $me1" >&3
	[ "$st1" = "$st0" ]
	[ "$me1" = "$me0" ]
	[ "$(xf_cli status --json | xf_json '(j["blocklist"]["addresses"], j["blocklist"]["prefixes"], j["allowlist"]["entries"])')" = "(80000, 20000, 1000)" ]
}

# Calls of the daemon that walk a map (one key at a time, or a batch at a time) during SECS seconds.
daemon_walk_calls() {
	timeout -s INT "$1" strace -f -qq -e trace=bpf -o "$XF_TMP/daemon.strace" -p "$XF_DAEMON_PID" \
		>/dev/null 2>&1 || true
	grep -cE 'bpf\(BPF_MAP_(GET_NEXT_KEY|LOOKUP_BATCH)' "$XF_TMP/daemon.strace" || true
}

@test "the expiry sweep walks no list while no timed entry is due, and walks them once one is" {
	local idle due
	entries_file 20000 "$XF_TMP/big.txt"
	xf_cli block load "$XF_TMP/big.txt"
	# The sweep runs every 5 s: 6 s of tracing see at least one.
	idle=$(daemon_walk_calls 6)
	# CONTROL: the same measurement with an entry due sees the walk: at least one batch per map.
	xf_cli block add --timeout 1 198.18.0.4
	due=$(daemon_walk_calls 6)
	echo "# map-walking calls of the daemon in 6 s: $idle with no timed entry, $due with one due" >&3
	[ "$idle" = 0 ]
	[ "$due" -ge 4 ]
	xf_wait_lines 'blocklist: removed 1 expired entry' 1 "$XF_TMP/daemon.err" 6
	# The walk found no other deadline: the next sweeps walk nothing again.
	[ "$(daemon_walk_calls 6)" = 0 ]
	[ "$(xf_cli status --json | xf_json 'j["blocklist"]["addresses"] + j["blocklist"]["prefixes"]')" = 20000 ]
}
