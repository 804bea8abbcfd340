#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Whole-set replace (`block load`, `allow load`) under load: the program sees the old set or the
# new one, never their union and never neither, with one switch instant; and a `block load` killed
# at any point leaves one of the two sets in force and state that the next start cleans up.
#
# Measuring the switch: one sender alternates a datagram from A and one from B, both carrying the
# round number; the receiver in NS_P records which arrived. Before the switch only B's arrive
# (A blocked), after it only A's. Per round, both arriving means no list blocked them for a
# moment and neither arriving means both lists did; the one allowed exception is the round whose
# A was judged before the switch and whose B after it (both blocked, by the old and by the new
# set; in the allowlist test, where A passes first, both pass). The resolution is one round:
# 50 us at the 40,000 datagrams/s used here.

load rel.bash

PAIR_PPS=40000

setup() {
	rel_setup
	xf_daemon --iface "$IF_P"
}

teardown() {
	rel_teardown
}

# Prints "key=value ..." for the recorded rounds; FIRST is the index (0: A, 1: B) that arrives
# before the switch.
analyse() {
	python3 - "$XF_TMP/switch.recv" "$1" "$2" <<'EOF'
import sys
path, first, sent = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
got = {0: set(), 1: set()}
dup = 0
for line in open(path):
    idx, rnd = (int(x) for x in line.split()[:2])
    if rnd >= sent // 2:
        continue
    dup += rnd in got[idx]
    got[idx].add(rnd)
# An odd count ends with a round that has only A's datagram: leave it out.
rounds = sent // 2
before, after = got[first], got[1 - first]
both = sorted(r for r in before & after if r < rounds)
neither = [r for r in range(rounds) if r not in before and r not in after]
# Each round sends A, then B. At the switch round A is judged by the old set and B by the new one:
# if A is the source that passes first, both pass; if B is, both are dropped. That one round is
# the only exception allowed.
exception = both if first == 0 else neither
other = neither if first == 0 else both
last_before = max(before) if before else -1
first_after = min(after) if after else rounds
if first == 0:
    clean = (not other and len(exception) <= 1 and
             len(before) == last_before + 1 and len(after) == rounds - first_after and
             last_before - first_after == len(exception) - 1 and
             (not exception or exception[0] == first_after))
else:
    clean = (not other and len(exception) <= 1 and
             len(before) == last_before + 1 and len(after) == rounds - first_after and
             first_after - last_before == 1 + len(exception) and
             (not exception or exception[0] == last_before + 1))
print("rounds=%d before=%d after=%d both=%d neither=%d switch_round=%d dup=%d clean=%d" %
      (rounds, len(before), len(after), len(both), len(neither), first_after, dup, int(clean)))
if both and (first == 1 or len(both) > 1):
    print("rounds where both arrived (nothing blocked them):", both[:20])
if neither and (first == 0 or len(neither) > 1):
    print("rounds where neither arrived (both blocked, or a loss):", neither[:20])
EOF
}

# switch_under_load LIST OLD_FILE NEW_FILE A B FIRST: loads OLD, then NEW while A and B alternate.
switch_under_load() {
	local list=$1 old=$2 new=$3 a=$4 b=$5 first=$6 t0 t1 sent
	xf_cli "$list" load "$old"
	rel_recv_start switch
	rel_flood_bg pair "$a,$b" 400000 3 "$PAIR_PPS"
	sleep 1
	rel_flood_alive pair
	t0=$(rel_now)
	xf_cli "$list" load "$new"
	t1=$(rel_now)
	rel_flood_alive pair
	rel_flood_wait pair
	rel_recv_stop switch
	sent=$(rel_flood_sent pair)
	result=$(analyse "$first" "$sent")
	echo "$result"
	rel_figure "new set of $(wc -l <"$new") entries, load took $(((t1 - t0) / 1000000)) ms, sent $sent: ${result%%$'\n'*}"
	[[ "$result" == *" clean=1"* ]]
	[[ "$result" == *" dup=0 "* ]]
	# The switch happened in the middle of the traffic, not before or after it.
	[[ "$result" =~ before=([0-9]+)\ after=([0-9]+) ]]
	[ "${BASH_REMATCH[1]}" -ge 1000 ]
	[ "${BASH_REMATCH[2]}" -ge 1000 ]
}

@test "block load {A} -> {B} under load: one switch instant, never both, never neither" {
	echo 198.18.0.2 >"$XF_TMP/old.txt"
	echo 198.18.0.3 >"$XF_TMP/new.txt"
	switch_under_load block "$XF_TMP/old.txt" "$XF_TMP/new.txt" 198.18.0.2 198.18.0.3 1
	[ "$(xf_entries | sort)" = 198.18.0.3 ]
}

# 10,000 entries of every kind, half of them shared between the two files.
ten_thousand() {
	python3 - "$1" "$2" <<'EOF'
import ipaddress, sys
first, path = sys.argv[1], sys.argv[2]
shared = ["198.19.%d.%d" % (i // 250, i % 250 + 1) for i in range(2500)]
shared += ["2001:2:1::%x" % i for i in range(1500)]
shared += ["198.19.%d.0/24" % (100 + i) for i in range(100)]
shared += ["2001:2:2:%x::/64" % i for i in range(899)]
own = ["2001:2:%x::%x" % (3 if first == "A" else 4, i) for i in range(4000)]
own += ["198.19.%d.%d/30" % (200 + i // 60, (i % 60) * 4) for i in range(1000)] if first == "A" else \
       ["2001:2:5:%x::/64" % i for i in range(1000)]
own += ["198.18.0.2" if first == "A" else "198.18.0.3"]
# Written the way `block list` prints them, so the two compare as text.
canon = [str(ipaddress.ip_network(e)) if "/" in e else str(ipaddress.ip_address(e)) for e in shared + own]
with open(path, "w") as f:
    f.write("\n".join(canon) + "\n")
EOF
}

@test "block load of 10,000 entries (A among them) -> 10,000 (B among them) under load: one switch" {
	ten_thousand A "$XF_TMP/old.txt"
	ten_thousand B "$XF_TMP/new.txt"
	[ "$(wc -l <"$XF_TMP/new.txt")" = 10000 ]
	switch_under_load block "$XF_TMP/old.txt" "$XF_TMP/new.txt" 198.18.0.2 198.18.0.3 1
	[ "$(xf_entries | sort | wc -l)" = 10000 ]
	[ "$(diff <(xf_entries | sort) <(sort "$XF_TMP/new.txt"))" = "" ]
}

@test "block load of IPv6 prefixes {A/127} -> {B/126} among 10,000 under load: one switch" {
	python3 -c 'print("\n".join("2001:2:6:%x::/64" % i for i in range(9999)))' >"$XF_TMP/common.txt"
	{ cat "$XF_TMP/common.txt"; echo 2001:2::2/127; } >"$XF_TMP/old.txt"
	{ cat "$XF_TMP/common.txt"; echo 2001:2::4/126; } >"$XF_TMP/new.txt"
	switch_under_load block "$XF_TMP/old.txt" "$XF_TMP/new.txt" 2001:2::2 2001:2::4 1
}

@test "allow load {A} -> {B} under a blocking prefix: one switch the other way round" {
	xf_cli block add 198.18.0.0/29
	echo 198.18.0.2 >"$XF_TMP/old.txt"
	echo 198.18.0.3 >"$XF_TMP/new.txt"
	# Before: A allowed (arrives), B blocked; after: the reverse.
	switch_under_load allow "$XF_TMP/old.txt" "$XF_TMP/new.txt" 198.18.0.2 198.18.0.3 0
}

# ---- killed halfway ----

# Which set the program enforces: "A" (A dropped, B passes), "B" (the reverse), or what it saw.
in_force() {
	local before after a b
	before=$(rel_counts 198.18.0.2 198.18.0.3)
	rel_flood 198.18.0.2,198.18.0.3 200 2 1000 >/dev/null
	sleep 0.2
	after=$(rel_counts 198.18.0.2 198.18.0.3)
	a=$((${after% *} - ${before% *}))
	b=$((${after#* } - ${before#* }))
	if [ "$a" = 0 ] && [ "$b" = 100 ]; then
		echo A
	elif [ "$a" = 100 ] && [ "$b" = 0 ]; then
		echo B
	else
		echo "A arrived $a of 100, B $b of 100"
	fi
}

# Half a million entries (or N): A or B, 2,000 IPv4 and 2,000 IPv6 prefixes, the rest IPv6
# addresses (2001:2::/48 is the only range this large we may use). The two files share nothing.
half_million() {
	python3 - "$1" "$2" "${3:-500000}" <<'EOF'
import sys
which, path = sys.argv[1], sys.argv[2]
n = int(sys.argv[3])
with open(path, "w") as f:
    f.write(("198.18.0.2" if which == "A" else "198.18.0.3") + "\n")
    off = 0 if which == "A" else 128
    for i in range(2000):
        f.write("198.19.%d.%d/30\n" % (off + i // 64, (i % 64) * 4))
    for i in range(2000):
        f.write("2001:2:%x:%x::/64\n" % (0x10 if which == "A" else 0x11, i))
    net = 0xa if which == "A" else 0xb
    for i in range(n - 4001):
        f.write("2001:2:%x::%x:%x\n" % (net, i >> 16, i & 0xffff))
EOF
}

# A replace is past its switch: meta's marker is set and its set's generation bit has flipped
# (`relnet active` prints it last).
switched() {
	local a
	a=$(xf_p "$RELNET" active "$PIN")
	[ "${a##* }" = 1 ]
}

# What a killed replace left behind, from `relnet mapcheck` output.
phase_of() {
	case $1 in
	*" switched=1 "*) echo "past the switch" ;;
	*" staged=0 dead=0 replacing=0 "*) echo "nothing staged" ;;
	*) echo "staging" ;;
	esac
}

@test "kill -9 of block load (500,000 entries) at random points: one set in force, the next start or edit cleans up" {
	half_million A "$XF_TMP/A.txt"
	half_million B "$XF_TMP/B.txt"
	[ "$(wc -l <"$XF_TMP/B.txt")" = 500000 ]
	xf_cli block load "$XF_TMP/A.txt"
	[ "$(in_force)" = A ]
	# How long an uninterrupted replace takes, to spread the kills over it.
	t0=$(rel_now)
	xf_cli block load "$XF_TMP/B.txt"
	full_ms=$((($(rel_now) - t0) / 1000000))
	[ "$(in_force)" = B ]
	current=B
	local outcomes=""
	for round in 1 2 3 4; do
		if [ "$current" = A ]; then target=B; else target=A; fi
		# The first third of a replace reads the file and the old set and changes nothing:
		# rounds 1-3 kill at a random point of the next three sixths (mostly while staging);
		# round 4 right after the switch, while the entries are settled behind it.
		delay_ms=$((full_ms / 3 + (round - 1) * full_ms / 6 + RANDOM % (full_ms / 6 + 1)))
		t0=$(rel_now)
		nsenter --net="/run/netns/$NS_P" "$XDPFWD" block load "$XF_TMP/$target.txt" --pin-dir "$PIN" \
			>/dev/null 2>&1 3>&- &
		pid=$!
		if [ "$round" = 4 ]; then
			rel_wait_ms $((full_ms / 500 + 5)) switched >/dev/null || true
		else
			sleep "$(awk -v ms="$delay_ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
		fi
		kill -9 "$pid" 2>/dev/null || true
		delay_ms=$((($(rel_now) - t0) / 1000000))
		wait "$pid" || true
		state=$(xf_p "$RELNET" mapcheck "$PIN")
		phase=$(phase_of "$state")

		# The program enforces exactly one of the two sets...
		seen=$(in_force)
		[ "$seen" = A ] || [ "$seen" = B ] || { echo "round $round ($phase): $seen"; false; }
		if [ "$phase" = "nothing staged" ]; then
			[ "$seen" = "$current" ] && phase="before staging" || phase="finished"
		fi
		# ...the one `block list` shows (it hides what a dead replace staged).
		xf_cli block list >"$XF_TMP/list.txt"
		[ "$(($(wc -l <"$XF_TMP/list.txt") - 1))" = 500000 ]
		grep -q "^198\.18\.0\.$([ "$seen" = A ] && echo 2 || echo 3) " "$XF_TMP/list.txt"

		# The next daemon start (odd rounds) or the next edit (even rounds) finishes or discards
		# the half-done replace; `block list` above only reads.
		if [ $((round % 2)) = 1 ]; then
			repaired_by="daemon start"
			xf_daemon_stop TERM
			xf_daemon --iface "$IF_P"
		else
			repaired_by="block add"
			xf_cli block add 198.18.0.5
			xf_cli block del 198.18.0.5
		fi
		clean=$(xf_p "$RELNET" mapcheck "$PIN")
		echo "round $round: killed after $delay_ms ms ($phase, $seen in force), $repaired_by: $state -> $clean"
		# Nothing staged, nothing dead, no marker: exactly the set in force, in place.
		[[ "$clean" == *" staged=0 dead=0 replacing=0 switched=0 "* ]]
		[[ "$clean" == "block_v4_addr=1 block_v6_addr=495999 block_v4_net=2000 block_v6_net=2000 "* ]]
		[ "$(in_force)" = "$seen" ]
		outcomes+="${delay_ms} ms ($phase, $seen in force, cleaned by $repaired_by); "
		current=$seen
	done
	rel_figure "replacing 500,000 entries by 500,000 others took $full_ms ms; killed at: $outcomes"
}

# ---- counts after a kill ----

# "list L, status S, metrics M" for the blocklist; fails unless all three agree.
counts_agree() {
	local listed st me
	listed=$(($(xf_cli block list | wc -l) - 1))
	st=$(xf_json 'j["blocklist"]["addresses"] + j["blocklist"]["prefixes"]' xf_cli status --json)
	me=$(xf_cli metrics | awk '$1 ~ /^xdpfwd_entries[{]list="block"/ { n += $2 } END { print n + 0 }')
	echo "list $listed, status $st, metrics $me"
	[ "$st" = "$listed" ] && [ "$me" = "$listed" ]
}

# The set not in force (B holds 198.18.0.3) is the next one to load.
next_target() {
	if grep -q "^198\.18\.0\.3 " <(xf_cli block list); then
		target=A
	else
		target=B
	fi
}

# A replace is staging: its marker is set and its set's generation not flipped yet.
staging() {
	local a
	a=$(xf_p "$RELNET" active "$PIN")
	a=${a#* }
	a=${a#* }
	[ "${a% *}" != 0 ] && [ "${a##* }" = 0 ]
}

@test "status and metrics count what block list shows after a block load killed while staging or past its switch" {
	local phase target=B state try hit
	half_million A "$XF_TMP/A.txt" 200000
	half_million B "$XF_TMP/B.txt" 200000
	xf_cli block load "$XF_TMP/A.txt"
	counts_agree
	for phase in staging switched; do
		# The kill must land in the phase; a replace that outran the poll is tried again.
		hit=0
		for try in 1 2 3 4 5; do
			nsenter --net="/run/netns/$NS_P" "$XDPFWD" block load "$XF_TMP/$target.txt" --pin-dir "$PIN" \
				>/dev/null 2>&1 3>&- &
			pid=$!
			if [ "$phase" = staging ]; then
				rel_wait_ms 30 staging >/dev/null || true
				# Well into the staging writes, not at their first entry.
				sleep 0.05
			else
				rel_wait_ms 30 switched >/dev/null || true
			fi
			kill -9 "$pid" 2>/dev/null || true
			wait "$pid" || true
			state=$(xf_p "$RELNET" mapcheck "$PIN")
			echo "$phase, try $try: $state"
			if [ "$phase" = staging ] && [[ $state == *" switched=0 "* ]] && [[ $state != *" staged=0 "* ]]; then
				hit=1
			elif [ "$phase" = switched ] && [[ $state == *" switched=1 "* ]]; then
				hit=1
			fi
			[ "$hit" = 1 ] && break
			# Finished, or killed too early: the next edit tidies up; the roles swap if it finished.
			xf_cli block add 198.18.0.5 && xf_cli block del 198.18.0.5
			next_target
		done
		[ "$hit" = 1 ]
		# What a dead replace left is hidden from `list`, and from the counts.
		counts_agree
		# The next edit finishes or discards it and counts afresh.
		xf_cli block add 198.18.0.5
		counts_agree
		xf_cli block del 198.18.0.5
		counts_agree
		[ "$(xf_p "$RELNET" mapcheck "$PIN" | grep -c ' staged=0 dead=0 replacing=0 switched=0 ')" = 1 ]
		rel_figure "block load of 200,000 killed $phase (try $try): $(counts_agree)"
		next_target
	done
}
