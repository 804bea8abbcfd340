#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# One daemon per interface: a second one refuses and the first keeps running. Concurrent CLI
# edits from several processes are serialised: no lost update, no corruption.

load rel.bash

setup() {
	rel_setup
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2
	prog=$(xf_prog_id)
}

teardown() {
	[ -n "${PIN:-}" ] && rm -rf "$PIN-second"
	rel_teardown
}

# The first daemon is alive, still the attached program, enforcing and logging.
first_daemon_fine() {
	kill -0 "$XF_DAEMON_PID"
	[ "$(xf_prog_id)" = "$prog" ]
	before=$(rel_count 198.18.0.2)
	[ "$(rel_flood 198.18.0.2 500 1 2000)" = 500 ]
	sleep 0.2
	[ "$(rel_count 198.18.0.2)" = "$before" ]
	xf_wait_lines " drop blocklist src=198\.18\.0\.2 " 1
}

@test "a second daemon for the same interface and pin dir refuses; the first keeps running" {
	run xf_p timeout 20 "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN" 3>&-
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"another xdpfwd daemon already runs for $IF_P with pin dir $PIN"* ]]
	first_daemon_fine
	xf_daemon_stop TERM
	[ "$XF_DAEMON_RC" = 0 ]
}

@test "a second daemon for the same interface with another pin dir refuses; the first keeps running" {
	run xf_p timeout 20 "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN-second" 3>&-
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"$IF_P already has XDP program 'xdpfwd_xdp' (id $prog"*"that xdpfwd does not own"* ]]
	[ ! -e "$PIN-second" ]
	first_daemon_fine
	xf_daemon_stop TERM
	[ "$XF_DAEMON_RC" = 0 ]
}

# Files for worker W: add.W.C and del.W.C (C = 0..9, 50 entries each; 500 per worker and
# operation), del.all (what the deletes remove), base (entries nobody touches), expected.
make_sets() {
	python3 - "$XF_TMP" "$1" <<'EOF2'
import ipaddress, sys
tmp, workers = sys.argv[1], int(sys.argv[2])
def entries(w, kind):
    # Disjoint per worker and per kind: the third hextet/octet encodes both.
    k = 0 if kind == "add" else 1
    out = ["198.19.%d.%d" % (w * 8 + k * 4 + i // 100, i % 100 + 1) for i in range(300)]
    out += [str(ipaddress.ip_address("2001:2:%x::%x" % (0x100 + w * 2 + k, i + 1))) for i in range(100)]
    out += ["198.19.%d.%d/28" % (128 + w * 8 + k * 4 + i // 16, (i % 16) * 16) for i in range(50)]
    out += [str(ipaddress.ip_network("2001:2:%x:%x::/64" % (0x200 + w * 2 + k, i))) for i in range(50)]
    return out
base = ["198.18.0.2"] + ["198.19.250.%d" % i for i in range(1, 101)]
expected = list(base)
dels = []
for w in range(workers):
    for kind in ("add", "del"):
        e = entries(w, kind)
        if kind == "add":
            expected += e
        else:
            dels += e
        for c in range(10):
            with open("%s/%s.%d.%d" % (tmp, kind, w, c), "w") as f:
                f.write("\n".join(e[c::10]) + "\n")
open(tmp + "/del.all", "w").write("\n".join(dels) + "\n")
open(tmp + "/base", "w").write("\n".join(base) + "\n")
open(tmp + "/expected", "w").write("\n".join(sorted(expected)) + "\n")
EOF2
}

# Worker W: ten rounds of "add 50 of its own, delete 50 of its own", one CLI call each.
worker() {
	local w=$1 c
	for c in 0 1 2 3 4 5 6 7 8 9; do
		xargs -a "$XF_TMP/add.$w.$c" nsenter --net="/run/netns/$NS_P" "$XDPFWD" block add --pin-dir "$PIN" \
			>>"$XF_TMP/worker.$w.log" 2>&1 3>&- || return 1
		xargs -a "$XF_TMP/del.$w.$c" nsenter --net="/run/netns/$NS_P" "$XDPFWD" block del --pin-dir "$PIN" \
			>>"$XF_TMP/worker.$w.log" 2>&1 3>&- || return 1
	done
}

# Lists while the workers write: every listing must succeed and parse.
lister() {
	local i n
	for i in $(seq 15); do
		n=$(xf_cli block list | wc -l) || return 1
		[ "$n" -gt 100 ] || return 1
	done
}

@test "concurrent CLI edits: 5 processes adding and deleting 500 entries each, the final set is exact" {
	local workers=5 pids=() w rc=0
	make_sets "$workers"
	cat "$XF_TMP/base" "$XF_TMP/del.all" >"$XF_TMP/start"
	xf_cli block load "$XF_TMP/start"
	t0=$(rel_now)
	for ((w = 0; w < workers; w++)); do
		worker "$w" &
		pids+=($!)
	done
	lister &
	pids+=($!)
	for w in "${pids[@]}"; do
		wait "$w" || rc=1
	done
	elapsed=$((($(rel_now) - t0) / 1000000))
	cat "$XF_TMP"/worker.*.log | grep -v 'blocklist: \(added 50, 0 already present\|removed 50, 0 not present\)' || true
	[ "$rc" = 0 ]
	xf_entries | sort >"$XF_TMP/final"
	diff "$XF_TMP/expected" "$XF_TMP/final"
	n=$(wc -l <"$XF_TMP/final")
	# The counts every edit kept under the lock add up to the same.
	[ "$(xf_json 'j["blocklist"]["addresses"] + j["blocklist"]["prefixes"]' xf_cli status --json)" = "$n" ]
	rel_figure "$workers writers x 20 calls (500 adds + 500 deletes each) and a lister in parallel: $elapsed ms;" \
		"final set $n entries, exactly as expected"
	# Still enforcing, still one daemon.
	first_daemon_fine
}
