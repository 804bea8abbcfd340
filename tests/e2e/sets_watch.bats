#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The sets dir follows its files (issue 17): without a SIGHUP, a NAME.list written in place,
# renamed over, added or removed is applied as its set's atomic replace (or its set's removal),
# debounced, with a line per applied set; Kubernetes' ConfigMap update (kubelet's AtomicWriter:
# a new ..TIMESTAMP dir, the ..data symlink renamed over, NAME.list -> ..data/NAME.list),
# reproduced step by step by tests/lib/configmap_write.py, under traffic: the new version in force
# within 2 s of the swap, never a moment with neither version; a bad file keeps its set; a burst
# of writes is a few applies; an unchanged file is never applied again; a dir that goes away
# keeps its sets; --no-watch-sets-dir leaves it to SIGHUP.

load ../lib/xf

N=20

setup() {
	xf_setup_traffic
	SETS="$XF_TMP/sets.d"
	mkdir -p "$SETS"
}

teardown() {
	xf_teardown
}

# Lines saying block set NAME was applied.
applied() {
	xf_count_lines "block set $1: [0-9]+ entries from " "$XF_TMP/daemon.err"
}

# Waits at most 2 s (the promise) for the Nth line saying block set NAME was applied.
applied_wait() {
	xf_wait_lines "block set $1: [0-9]+ entries from " "$2" "$XF_TMP/daemon.err" 2
}

# kubelet's update of the ConfigMap volume at $SETS: KEY=FILE..., the whole new payload.
configmap() {
	"$XF_PYTHON" "$XF_LIB/configmap_write.py" "$SETS" "$@"
}

@test "a file written in place or renamed over, added or removed: applied within 2 s, one line per set, unchanged files never again" {
	printf '198.18.0.2\n' >"$SETS/a.list"
	printf '198.18.0.5\n' >"$SETS/b.list"
	# Refused (set manual is the command line's): said once, at start, not at every change.
	printf '198.18.0.9\n' >"$SETS/manual.list"
	xf_daemon --iface "$IF_P" --sets-dir "$SETS"
	[ "$(applied a)" = 1 ]
	# In place (an editor that writes the file itself: IN_CLOSE_WRITE).
	printf '198.18.0.3\n' >"$SETS/a.list"
	applied_wait a 2
	grep -q "block set a: 1 entries from $SETS/a.list" "$XF_TMP/daemon.err"
	[ "$(xf_sets_of 198.18.0.3)" = a ]
	[ "$(xf_sets_of 198.18.0.2)" = "" ]
	# Renamed over (an editor's or a download's temp file: IN_MOVED_TO); the temp name is ignored.
	printf '198.18.0.4\n198.18.0.2\n' >"$SETS/.a.list.tmp"
	mv "$SETS/.a.list.tmp" "$SETS/a.list"
	applied_wait a 3
	[ "$(xf_sets_of 198.18.0.4)" = a ]
	[ "$(xf_sets_of 198.18.0.3)" = "" ]
	[ "$(XF_N=$N xf_round 198.18.0.2 198.18.0.3 198.18.0.4 198.18.0.5)" = \
		"198.18.0.2=0 198.18.0.3=$N 198.18.0.4=0 198.18.0.5=0" ]
	# A new file is a new set; a removed one's set goes, as at a SIGHUP.
	printf '198.18.0.3\n' >"$SETS/c.list"
	applied_wait c 1
	[ "$(xf_sets_of 198.18.0.3)" = c ]
	rm "$SETS/c.list"
	xf_wait_lines "block set c: its file $SETS/c.list is gone: flushed and removed" 1 "$XF_TMP/daemon.err" 2
	[ "$(xf_sets_of 198.18.0.3)" = "" ]
	# b never changed: applied once, at start, whatever happened around it; the same bytes written
	# again, or a file that is no set's, change nothing.
	printf '198.18.0.5\n' >"$SETS/b.list"
	printf 'notes\n' >"$SETS/README"
	printf '198.18.0.2\n198.18.0.4\n' >"$SETS/a.list"
	applied_wait a 4
	sleep 1
	[ "$(applied b)" = 1 ]
	[ "$(applied a)" = 4 ]
	[ "$(xf_sets_of 198.18.0.5)" = b ]
	[ "$(xf_count_lines "manual.list: set manual is the command line's" "$XF_TMP/daemon.err")" = 1 ]
	grep -q "sets dir $SETS: applying its files as they change" "$XF_TMP/daemon.err"
	grep -q "sets dir $SETS: 1 file changed, added or removed: applying" "$XF_TMP/daemon.err"
	# A clean stop: the watcher's memory and descriptors freed (the sanitizers' build says so).
	xf_daemon_stop
	[ "$XF_DAEMON_RC" = 0 ]
}

# Sends from SRC... in turn, GAP_MS apart, for SECONDS (at most 20 000 datagrams); the receiver on
# port 9001 stamps each arrival (listen.py udpt). Prints "end <monotonic>" when done.
timed_send() {
	local secs=$1 gap=$2
	shift 2
	nsenter --net="/run/netns/$NS_S" timeout $((secs + 10)) "$XF_PYTHON" -c '
import socket, sys, time
secs, gap, srcs = float(sys.argv[1]), float(sys.argv[2]) / 1000, sys.argv[3:]
socks = []
for src in srcs:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    socks.append(s)
end, n = time.monotonic() + secs, 0
while time.monotonic() < end and n < 20000:
    for s in socks:
        s.sendto(b"xdpfwd-test-pkt!", ("198.18.0.1", 9001))
        n += 1
    time.sleep(gap)
print("end %.6f" % time.monotonic())' "$secs" "$gap" "$@" 3>&-
}

@test "kubelet's ConfigMap swap under traffic: the new version in force within 2 s, never neither, one switch" {
	# Version 1: a = {.2, .3}; version 2: a = {.2, .4}. b is the same in both.
	printf '198.18.0.2\n198.18.0.3\n' >"$XF_TMP/a1"
	printf '198.18.0.2\n198.18.0.4\n' >"$XF_TMP/a2"
	printf '198.18.0.5\n' >"$XF_TMP/b"
	[ "$(configmap a.list="$XF_TMP/a1" b.list="$XF_TMP/b")" != unchanged ]
	[ -L "$SETS/a.list" ] && [ "$(readlink "$SETS/a.list")" = ..data/a.list ]
	xf_daemon --iface "$IF_P" --sets-dir "$SETS"
	[ "$(xf_sets_of 198.18.0.3)" = a ]
	: >"$XF_TMP/recv.9001"
	xf_start recvt "$XF_PYTHON" "$XF_LIB/listen.py" udpt 9001 "$XF_TMP/recv.9001" "$XF_TMP/recvt.ready" 30
	# .2 (in both versions), .3 (the old one only) and .4 (the new one only), every 2 ms for 5 s.
	timed_send 5 2 198.18.0.2 198.18.0.3 198.18.0.4 >"$XF_TMP/send.out" &
	local sender=$!
	sleep 1.5
	local swap
	swap=$(configmap a.list="$XF_TMP/a2" b.list="$XF_TMP/b")
	[[ "$swap" == "swapped "* ]]
	wait "$sender"
	# Everything sent went through XDP (the barrier's datagrams came after them on the same link).
	[ "$(XF_N=5 xf_round 198.18.0.9)" = "198.18.0.9=5" ]
	sleep 0.2
	"$XF_PYTHON" - "$XF_TMP/recv.9001" "${swap#swapped }" "$(sed -n 's/^end //p' "$XF_TMP/send.out")" <<-'EOF'
		import sys
		path, swap, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
		got = [(float(t), src) for t, src in (line.split() for line in open(path))]
		idx = {s: [i for i, (_, src) in enumerate(got) if src == s] for s in ("198.18.0.2", "198.18.0.3", "198.18.0.4")}
		at = {s: [got[i][0] for i in v] for s, v in idx.items()}
		print("swap at %.3f, sender until %.3f; arrivals: .2 %d, .3 %d (first %+.3f s), .4 %d (last %+.3f s)" % (
		    swap, end, len(at["198.18.0.2"]), len(at["198.18.0.3"]), (min(at["198.18.0.3"]) - swap) if at["198.18.0.3"] else 0,
		    len(at["198.18.0.4"]), (max(at["198.18.0.4"]) - swap) if at["198.18.0.4"] else 0))
		# The sender ran on well past swap + 2 s, so a .4 datagram missing there was dropped.
		assert end > swap + 2.5, "the sender stopped too soon"
		# Never neither: .2, in both versions, never passed.
		assert not at["198.18.0.2"], ".2 passed: a moment with neither version in force"
		# The old version until the swap: .3 blocked, .4 through.
		assert all(t > swap for t in at["198.18.0.3"]), ".3 passed before the swap"
		assert any(t < swap for t in at["198.18.0.4"]), ".4 did not pass before the swap"
		# The new version within 2 s: .3 through, .4 blocked from then on.
		assert at["198.18.0.3"] and min(at["198.18.0.3"]) < swap + 2, "the new version was not in force within 2 s"
		assert max(at["198.18.0.4"]) < swap + 2, ".4 still passed 2 s after the swap"
		# One switch: every .4 that passed arrived before every .3 that did (never both versions' gaps).
		assert max(idx["198.18.0.4"]) < min(idx["198.18.0.3"]), "the versions interleaved"
	EOF
	[ "$(applied a)" = 2 ]
	# b is byte for byte the same in the new version: not applied again.
	[ "$(applied b)" = 1 ]
	[ "$(xf_sets_of 198.18.0.4)" = a ]
	[ "$(xf_sets_of 198.18.0.5)" = b ]
	# Nothing of kubelet's own names became a set.
	[ "$(xf_cli sets --json | xf_json '",".join(sorted(s["name"] for s in (j if isinstance(j, list) else j["sets"]) if s["kind"] == "block"))')" = a,b,manual ]
}

@test "a ConfigMap swap with a bad file keeps that set and says FILE:LINE; its good and dropped keys still apply" {
	printf '198.18.0.2\n' >"$XF_TMP/a1"
	printf '198.18.0.3\n' >"$XF_TMP/b1"
	printf '198.18.0.4\n' >"$XF_TMP/c1"
	configmap a.list="$XF_TMP/a1" b.list="$XF_TMP/b1" c.list="$XF_TMP/c1"
	xf_daemon --iface "$IF_P" --sets-dir "$SETS"
	# a goes bad, b changes, c is dropped from the ConfigMap.
	printf '198.18.0.2\n198.18.0.1/24\n' >"$XF_TMP/a2"
	printf '198.18.0.5\n' >"$XF_TMP/b2"
	configmap a.list="$XF_TMP/a2" b.list="$XF_TMP/b2"
	applied_wait b 2
	xf_wait_lines "$SETS/a.list:2: '198.18.0.1/24' has host bits set.*; block set a keeps its running entries" 1 \
		"$XF_TMP/daemon.err" 2
	xf_wait_lines "block set c: its file $SETS/c.list is gone: flushed and removed" 1 "$XF_TMP/daemon.err" 2
	[ ! -e "$SETS/c.list" ]
	[ "$(applied a)" = 1 ]
	[ "$(xf_sets_of 198.18.0.2)" = a ]
	[ "$(xf_sets_of 198.18.0.5)" = b ]
	[ "$(xf_sets_of 198.18.0.4)" = "" ]
	[ "$(XF_N=$N xf_round 198.18.0.2 198.18.0.3 198.18.0.4 198.18.0.5)" = \
		"198.18.0.2=0 198.18.0.3=$N 198.18.0.4=$N 198.18.0.5=0" ]
	# The bad version is said once: another key's change does not report it again.
	printf '198.18.0.3\n' >"$XF_TMP/b3"
	configmap a.list="$XF_TMP/a2" b.list="$XF_TMP/b3"
	applied_wait b 3
	sleep 0.5
	[ "$(xf_count_lines "$SETS/a.list:2: " "$XF_TMP/daemon.err")" = 1 ]
	# Fixed: applied.
	printf '198.18.0.4\n' >"$XF_TMP/a3"
	configmap a.list="$XF_TMP/a3" b.list="$XF_TMP/b3"
	applied_wait a 2
	[ "$(xf_sets_of 198.18.0.4)" = a ]
	[ "$(xf_sets_of 198.18.0.2)" = "" ]
}

@test "a burst of writes is debounced: 40 versions in 0.8 s are one or two applies, the last version in force" {
	printf '198.18.0.2\n' >"$SETS/a.list"
	xf_daemon --iface "$IF_P" --sets-dir "$SETS"
	local i
	for i in $(seq 40); do
		printf '198.18.1.%d\n' "$i" >"$SETS/.a.tmp"
		mv "$SETS/.a.tmp" "$SETS/a.list"
		sleep 0.02
	done
	applied_wait a 2
	sleep 1
	echo "applies after start: $(($(applied a) - 1))"
	[ "$(applied a)" -le 3 ]
	[ "$(xf_sets_of 198.18.1.40)" = a ]
	[ "$(xf_cli block list --set a --json | xf_json 'len(j)')" = 1 ]
}

@test "a sets dir that goes away keeps its sets; back, it is compared and applied again" {
	printf '198.18.0.2\n' >"$SETS/a.list"
	printf '198.18.0.3\n' >"$SETS/b.list"
	xf_daemon --iface "$IF_P" --sets-dir "$SETS"
	mv "$SETS" "$XF_TMP/sets.old"
	xf_wait_lines "sets dir $SETS is gone .*: its sets keep their entries" 1 "$XF_TMP/daemon.err" 2
	sleep 1
	[ "$(xf_sets_of 198.18.0.2)" = a ]
	[ "$(xf_sets_of 198.18.0.3)" = b ]
	# Another dir in its place, with a changed and without b: applied as a SIGHUP would.
	mkdir "$SETS"
	printf '198.18.0.4\n' >"$SETS/a.list"
	xf_wait_lines "sets dir $SETS is back: watching it" 1 "$XF_TMP/daemon.err" 3
	applied_wait a 2
	xf_wait_lines "block set b: its file $SETS/b.list is gone: flushed and removed" 1 "$XF_TMP/daemon.err" 2
	[ "$(xf_sets_of 198.18.0.4)" = a ]
	# And it is watched: a change is applied.
	printf '198.18.0.5\n' >"$SETS/a.list"
	applied_wait a 3
	[ "$(xf_sets_of 198.18.0.5)" = a ]
}

@test "--no-watch-sets-dir: the files wait for SIGHUP" {
	printf '198.18.0.2\n' >"$SETS/a.list"
	xf_daemon --iface "$IF_P" --sets-dir "$SETS" --no-watch-sets-dir
	xf_lacks "applying its files as they change" "$XF_TMP/daemon.err"
	printf '198.18.0.3\n' >"$SETS/a.list"
	sleep 1.5
	[ "$(applied a)" = 1 ]
	[ "$(xf_sets_of 198.18.0.2)" = a ]
	kill -HUP "$XF_DAEMON_PID"
	applied_wait a 2
	[ "$(xf_sets_of 198.18.0.3)" = a ]
}
