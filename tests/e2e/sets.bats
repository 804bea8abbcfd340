#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Named sets as the traffic sees them (issue 13): a per-set load leaves every other set in force
# while it swaps; an address in two sets is blocked until it has left both; an audit set logs
# (action audit, its name) and passes; a scoped set drops only the protocol and port it names;
# and the daemon's files: every --sets-dir NAME.list is set NAME (its options in
# "# xdpfwd-set:" lines, feeds in their formats), applied at start and on SIGHUP, each on its
# own (a bad file keeps its set, FILE:LINE in the journal), runtime sets untouched, a removed
# file's set flushed and freed, a saved set dropped in as it is; --blocklist-file is block set
# "file"; --persist per set. And the entries' side: timed and untimed memberships of one entry
# expire apart, an entry written with plain bpftool is in set manual, an entry's counters survive
# it gaining or losing a set, `xdpfwd sets` counts entries and packets per set.

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

# FIELD of KIND set NAME in `xdpfwd sets --json` ("" if there is no such set).
set_field() {
	xf_cli sets --json | "$XF_PYTHON" -c '
import json, sys
j = json.load(sys.stdin)
for s in j if isinstance(j, list) else j["sets"]:
    if s["kind"] == sys.argv[1] and s["name"] == sys.argv[2]:
        print(s[sys.argv[3]])' "$1" "$2" "$3"
}

# SIGHUP, then waits for the Nth line (counted over the whole run) saying set NAME was applied.
# The tests that count on it start the daemon with --no-watch-sets-dir, so that only the SIGHUP
# applies the files (the watcher, tests/e2e/sets_watch.bats, would apply them as they are written).
reload_wait() {
	local name=$1 n=$2
	kill -HUP "$XF_DAEMON_PID"
	xf_wait_lines "block set $name: [0-9]+ entries from " "$n" "$XF_TMP/daemon.err" 5
}

@test "block load --set a swaps set a alone under traffic: other sets keep blocking, an address in every version of a never passes" {
	# A fifth source for the manual-only one (xf_setup gives .2-.5).
	ip -n "$NS_S" addr add 198.18.0.6/24 dev "$IF_S"
	xf_daemon --iface "$IF_P"
	printf '198.18.0.2\n198.18.0.4\n' >"$XF_TMP/a1.list"
	printf '198.18.0.2\n198.18.0.5\n' >"$XF_TMP/a2.list"
	xf_cli block add --set b 198.18.0.3
	xf_cli block add 198.18.0.6
	xf_cli block load --set a "$XF_TMP/a1.list"
	# .2 is in every version of set a, .3 only in set b, .6 only in manual: 2 ms apart each, about
	# 2 s, while set a is replaced again and again.
	xf_udp_send 198.18.0.2 1000 "" 9000 2 &
	local s2=$!
	xf_udp_send 198.18.0.3 1000 "" 9000 2 &
	local s3=$!
	xf_udp_send 198.18.0.6 1000 "" 9000 2 &
	local s6=$! swaps=0
	while [ "$swaps" -lt 20 ] && kill -0 "$s2" 2>/dev/null; do
		xf_cli block load --set a "$XF_TMP/a2.list" 2>/dev/null
		xf_cli block load --set a "$XF_TMP/a1.list" 2>/dev/null
		swaps=$((swaps + 2))
	done
	wait "$s2" "$s3" "$s6"
	# Enough swaps happened under traffic to mean something.
	[ "$swaps" -ge 6 ]
	# Everything sent is through XDP (the barrier's datagrams came after them on the same link).
	[ "$(XF_N=5 xf_round 198.18.0.9)" = "198.18.0.9=5" ]
	[ "$(xf_recv_count 198.18.0.2)" = 0 ]
	[ "$(xf_recv_count 198.18.0.3)" = 0 ]
	[ "$(xf_recv_count 198.18.0.6)" = 0 ]
	[ "$(xf_cli block list --set b --json | xf_json '[e["entry"] for e in j]')" = "['198.18.0.3']" ]
	# Ends on a1: .4 blocked, .5 not (gone from every set: deleted).
	[ "$(XF_N=$N xf_round 198.18.0.4 198.18.0.5)" = "198.18.0.4=0 198.18.0.5=$N" ]
	[ "$(xf_cli block list | awk 'NR > 1 { print $1 }' | sort | tr '\n' ' ')" = \
	  "198.18.0.2 198.18.0.3 198.18.0.4 198.18.0.6 " ]
	[ "$(xf_sets_of 198.18.0.6)" = manual ]
	[ "$(xf_sets_of 198.18.0.2)" = a ]
	# The counts: 4 entries, no leftover of the swaps.
	[ "$(xf_cli status --json | xf_json "j['blocklist']['addresses']")" = 4 ]
}

@test "an address in two sets stays blocked until it has left both; a del from one set keeps the other's" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2
	xf_cli block add --set fail2ban 198.18.0.2
	[ "$(xf_sets_of 198.18.0.2)" = manual,fail2ban ]
	[ "$(XF_N=$N xf_round 198.18.0.2 198.18.0.3)" = "198.18.0.2=0 198.18.0.3=$N" ]
	xf_cli block del 198.18.0.2
	[ "$(xf_sets_of 198.18.0.2)" = fail2ban ]
	[ "$(XF_N=$N xf_round 198.18.0.2 198.18.0.3)" = "198.18.0.2=0 198.18.0.3=$N" ]
	# Not in manual any more: a second del from manual says so and changes nothing.
	run xf_cli block del 198.18.0.2
	[[ "$output" == *"1 not present"* ]]
	[ "$(xf_sets_of 198.18.0.2)" = fail2ban ]
	# Flushing another set does not free it either.
	xf_cli block add --set a 198.18.0.4
	xf_cli block flush --set a
	xf_cli block flush
	[ "$(XF_N=$N xf_round 198.18.0.2)" = "198.18.0.2=0" ]
	xf_cli block del --set fail2ban 198.18.0.2
	[ "$(xf_sets_of 198.18.0.2)" = "" ]
	[ -z "$(xf_cli block list | awk 'NR > 1')" ]
	[ "$(XF_N=$N xf_round 198.18.0.2 198.18.0.3)" = "198.18.0.2=$N 198.18.0.3=$N" ]
}

@test "an audit set logs its matches (action audit, its name) and passes them; an enforcing set still drops" {
	xf_daemon --iface "$IF_P" --log-format json --stats-interval 1
	xf_cli sets add block rehearse --mode audit
	xf_cli block add --set rehearse 198.18.0.2 198.18.0.3
	xf_cli block add 198.18.0.3
	[ "$(XF_N=$N xf_round 198.18.0.2 198.18.0.3 198.18.0.4)" = "198.18.0.2=$N 198.18.0.3=0 198.18.0.4=$N" ]
	xf_wait_lines '"action":"audit"' 1
	xf_wait_lines '"action":"drop"' 1
	"$XF_PYTHON" - "$XF_TMP/daemon.out" <<-'EOF'
		import json, sys
		seen = {}
		for line in open(sys.argv[1]):
		    ev = json.loads(line)
		    if "stats" in ev:
		        continue
		    if "src" in ev:
		        seen.setdefault(ev["src"], set()).add((ev["action"], ev["reason"], ev.get("set")))
		# .2: audited in rehearse; .3: dropped, counted under manual (its enforcing set).
		assert seen == {"198.18.0.2": {("audit", "blocklist", "rehearse")},
		                "198.18.0.3": {("drop", "blocklist", "manual")}}, seen
	EOF
	# Counted under the set that decided.
	[ "$(xf_wait_output "$N" set_field block rehearse packets)" = "$N" ]
	[ "$(set_field block manual packets)" = "$N" ]
	[ "$(set_field block rehearse mode)" = audit ]
	# The JSON stats line counts them apart from the passes.
	xf_wait_lines "^\{\"stats\":\{\"pass\":[0-9]+,\"drop\":$N,\"audit\":$N,.*\"audit_blocklist\":$N" 1 \
		"$XF_TMP/daemon.out" 3
}

@test "a mode change moves where its members count: the lowest enforcing set, else the lowest set" {
	xf_daemon --iface "$IF_P"
	# Ids in order of creation: a before b. .2 is in both, counted under a (lowest, enforcing).
	xf_cli sets add block a
	xf_cli sets add block b
	xf_cli block add --set a 198.18.0.2
	xf_cli block add --set b 198.18.0.2
	# a rehearses now: b is .2's only enforcing set, so b drops it and counts it.
	xf_cli sets add block a --mode audit
	[ "$(XF_N=$N xf_round 198.18.0.2)" = "198.18.0.2=0" ]
	[ "$(xf_wait_output "$N" set_field block b packets)" = "$N" ]
	[ "$(set_field block a packets)" = 0 ]
	# Back to enforce: a again.
	xf_cli sets add block a --mode enforce
	[ "$(XF_N=$N xf_round 198.18.0.2)" = "198.18.0.2=0" ]
	[ "$(xf_wait_output "$N" set_field block a packets)" = "$N" ]
	[ "$(set_field block b packets)" = "$N" ]
	# Both audit: the lowest, a, counts what passes.
	xf_cli sets add block b --mode audit
	xf_cli sets add block a --mode audit
	[ "$(XF_N=$N xf_round 198.18.0.2)" = "198.18.0.2=$N" ]
	[ "$(xf_wait_output "$((2 * N))" set_field block a packets)" = "$((2 * N))" ]
	[ "$(set_field block b packets)" = "$N" ]
}

@test "the text log names the set too, last on the line" {
	xf_daemon --iface "$IF_P"
	xf_cli block add --set feed 198.18.0.2
	[ "$(XF_N=5 xf_round 198.18.0.2)" = "198.18.0.2=0" ]
	xf_wait_lines " $IF_P drop blocklist src=198\.18\.0\.2 proto=udp len=[0-9]+ set=feed$" 1
}

@test "a scoped set (tcp:PORT) drops only TCP to that port" {
	xf_daemon --iface "$IF_P"
	xf_cli sets add block ssh --scope tcp:2222
	xf_cli block add --set ssh 198.18.0.2
	# Listeners on two TCP ports; a connection from .2 to each, 1 s at most.
	xf_start tcp "$XF_PYTHON" -c '
import socket, sys, time
ls = []
for port in (2222, 2223):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("198.18.0.1", port))
    s.listen(16)
    ls.append(s)
open(sys.argv[1], "w").close()
time.sleep(60)' "$XF_TMP/tcp.ready"
	connect() {
		xf_s timeout 5 "$XF_PYTHON" -c '
import socket, sys
s = socket.socket()
s.bind((sys.argv[1], 0))
s.settimeout(1)
try:
    s.connect(("198.18.0.1", int(sys.argv[2])))
    print("open")
except OSError:
    print("dropped")' "$@"
	}
	[ "$(connect 198.18.0.2 2222)" = dropped ]
	[ "$(connect 198.18.0.2 2223)" = open ]
	[ "$(connect 198.18.0.3 2222)" = open ]
	# UDP to the same port is not in the scope.
	xf_recv_start 2222
	xf_udp_send 198.18.0.2 "$N" "" 2222
	[ "$(xf_recv_wait 198.18.0.2 "$N" 2222)" = "$N" ]
}

@test "--sets-dir: each NAME.list is set NAME with its options at start and on SIGHUP; runtime sets are kept" {
	printf '# a feed\n# xdpfwd-set: mode=enforce timeout=1h\n198.18.0.2\n' >"$SETS/feed.list"
	printf '# xdpfwd-set: mode=audit\n198.18.0.4\n' >"$SETS/trial.list"
	printf '# xdpfwd-set: kind=allow\n198.18.0.5\n' >"$SETS/office.list"
	printf 'not a set file\n' >"$SETS/README"
	xf_daemon --iface "$IF_P" --sets-dir "$SETS" --no-watch-sets-dir --state-dir "$XF_TMP/state"
	grep -q "block set feed: 1 entries from $SETS/feed.list" "$XF_TMP/daemon.err"
	[ "$(set_field block feed source)" = "$SETS/feed.list" ]
	[ "$(set_field block feed timeout)" = 3600 ]
	[ "$(set_field block trial mode)" = audit ]
	[ "$(set_field allow office source)" = "$SETS/office.list" ]
	# Runtime sets: fail2ban's ban, a manual entry.
	xf_cli block add --set fail2ban 198.18.0.3
	xf_cli block add 198.18.0.5
	[ "$(XF_N=$N xf_round 198.18.0.2 198.18.0.3 198.18.0.4 198.18.0.5)" = \
		"198.18.0.2=0 198.18.0.3=0 198.18.0.4=$N 198.18.0.5=$N" ]

	# The feed changes, the trial goes into force, the office allow set goes away.
	printf '# xdpfwd-set: mode=enforce timeout=1h\n198.18.0.4\n' >"$SETS/feed.list"
	printf '198.18.0.4\n' >"$SETS/trial.list"
	rm "$SETS/office.list"
	reload_wait feed 2
	xf_wait_lines "allow set office: its file $SETS/office.list is gone: flushed and removed" 1 "$XF_TMP/daemon.err" 5
	[ "$(set_field block trial mode)" = enforce ]
	[ "$(set_field allow office name)" = "" ]
	[ "$(xf_sets_of 198.18.0.3)" = fail2ban ]
	[ "$(xf_sets_of 198.18.0.4)" = feed,trial ]
	[ "$(XF_N=$N xf_round 198.18.0.2 198.18.0.3 198.18.0.4 198.18.0.5)" = \
		"198.18.0.2=$N 198.18.0.3=0 198.18.0.4=0 198.18.0.5=0" ]

	# A removed block file: its set flushed and freed; the runtime sets still there.
	rm "$SETS/trial.list"
	reload_wait feed 3
	xf_wait_lines "block set trial: its file $SETS/trial.list is gone: flushed and removed" 1 "$XF_TMP/daemon.err" 5
	[ "$(set_field block trial name)" = "" ]
	[ "$(xf_sets_of 198.18.0.4)" = feed ]
	[ "$(xf_sets_of 198.18.0.3)" = fail2ban ]
	[ "$(xf_sets_of 198.18.0.5)" = manual ]
	kill -0 "$XF_DAEMON_PID"
}

@test "--sets-dir: a removed file's set stays gone after a reboot; its persisted entries are put aside" {
	local state=$XF_TMP/state
	printf '198.18.0.2\n' >"$SETS/feed.list"
	xf_daemon --iface "$IF_P" --sets-dir "$SETS" --no-watch-sets-dir --state-dir "$state"
	xf_cli block add --set feed 198.18.0.3 --persist --state-dir "$state"
	xf_cli block add --set fail2ban 198.18.0.4 --persist --state-dir "$state"
	rm "$SETS/feed.list"
	kill -HUP "$XF_DAEMON_PID"
	xf_wait_lines "block set feed: its persisted entries are kept aside as $state/.blocklist.feed.removed" 1 \
		"$XF_TMP/daemon.err" 5
	[ ! -e "$state/blocklist.feed" ]
	grep -qx 198.18.0.3 "$state/.blocklist.feed.removed"
	# A reboot empties bpffs: detach (removes the pins), then start again.
	xf_daemon_stop
	xf_cli detach --iface "$IF_P"
	xf_daemon --iface "$IF_P" --sets-dir "$SETS" --state-dir "$state"
	[ "$(set_field block feed name)" = "" ]
	[ "$(xf_sets_of 198.18.0.3)" = "" ]
	[ "$(xf_sets_of 198.18.0.4)" = fail2ban ]
}

@test "--sets-dir: a bad file keeps its set's running entries, says FILE:LINE, and the others still apply" {
	printf '198.18.0.2\n' >"$SETS/good.list"
	printf '198.18.0.3\n' >"$SETS/shaky.list"
	xf_daemon --iface "$IF_P" --sets-dir "$SETS" --no-watch-sets-dir
	printf '198.18.0.4\n' >"$SETS/good.list"
	printf '198.18.0.3\n198.18.0.1/24\n' >"$SETS/shaky.list"
	reload_wait good 2
	xf_wait_lines "$SETS/shaky.list:2: '198.18.0.1/24' has host bits set.*; block set shaky keeps its running entries" 1 \
		"$XF_TMP/daemon.err" 5
	[ "$(xf_sets_of 198.18.0.3)" = shaky ]
	[ "$(xf_sets_of 198.18.0.4)" = good ]
	[ "$(XF_N=$N xf_round 198.18.0.2 198.18.0.3 198.18.0.4)" = "198.18.0.2=$N 198.18.0.3=0 198.18.0.4=0" ]
	# A bad option line too, and a file the daemon cannot own.
	printf '# xdpfwd-set: mode=loud\n198.18.0.5\n' >"$SETS/shaky.list"
	printf '198.18.0.5\n' >"$SETS/manual.list"
	reload_wait good 3
	xf_wait_lines "$SETS/shaky.list:1: mode=loud: the mode is enforce or audit; block set shaky keeps its running entries" 1 \
		"$XF_TMP/daemon.err" 5
	grep -q "$SETS/manual.list: set manual is the command line's" "$XF_TMP/daemon.err"
	[ "$(xf_sets_of 198.18.0.3)" = shaky ]
	[ "$(xf_sets_of 198.18.0.5)" = "" ]
	# A bad file at start does not refuse the start: the others apply.
	xf_daemon_stop
	xf_daemon --iface "$IF_P" --sets-dir "$SETS"
	[ "$(xf_sets_of 198.18.0.3)" = shaky ]
	[ "$(xf_sets_of 198.18.0.4)" = good ]
}

@test "--sets-dir: feeds in their formats; each bad option line is named at FILE:LINE and its file skipped" {
	# A Spamhaus DROP feed with a junk line, read with skip-invalid; an ipsum feed with a score.
	printf '# xdpfwd-set: format=spamhaus skip-invalid=yes\n; Spamhaus DROP List\n198.18.64.0/20 ; SBL000001\n<html>\n' \
		>"$SETS/drop.list"
	printf '# xdpfwd-set: format=ipsum min-score=3\n198.18.0.2\t5\n198.18.0.3\t1\n' >"$SETS/ipsum.list"
	printf '# header\n# xdpfwd-set: kind=block mode=audit\n# xdpfwd-set: mode=enforce\n198.18.0.4\n' >"$SETS/twice.list"
	printf '# xdpfwd-set: colour=red\n198.18.0.4\n' >"$SETS/unknown.list"
	printf '# xdpfwd-set: kind=allow mode=audit\n198.18.0.4\n' >"$SETS/allowaudit.list"
	printf '# xdpfwd-set: scope=sctp:9\n198.18.0.4\n' >"$SETS/scope.list"
	printf '198.18.0.4\n' >"$SETS/Bad_Name.list"
	xf_daemon --iface "$IF_P" --sets-dir "$SETS"
	grep -q "block set drop: 1 entries from $SETS/drop.list" "$XF_TMP/daemon.err"
	grep -q "$SETS/drop.list: skipped 1 bad line (skip-invalid=yes):" "$XF_TMP/daemon.err"
	grep -q "$SETS/drop.list:4: " "$XF_TMP/daemon.err"
	[ "$(xf_sets_of 198.18.64.0/20)" = drop ]
	[ "$(xf_sets_of 198.18.0.2)" = ipsum ]
	[ "$(xf_sets_of 198.18.0.3)" = "" ]
	grep -q "$SETS/twice.list:3: mode= is given twice; keep one; block set twice keeps its running entries" "$XF_TMP/daemon.err"
	grep -q "$SETS/unknown.list:1: 'colour' is not an option of xdpfwd-set:" "$XF_TMP/daemon.err"
	grep -q "$SETS/allowaudit.list: an allow set has no mode= or scope=" "$XF_TMP/daemon.err"
	grep -q "$SETS/scope.list:1: scope=sctp:9: " "$XF_TMP/daemon.err"
	grep -q "$SETS/Bad_Name.list: 'Bad_Name' is not a set name" "$XF_TMP/daemon.err"
	# None of them made a set or an entry.
	[ "$(xf_sets_of 198.18.0.4)" = "" ]
	for n in twice unknown allowaudit scope; do
		[ "$(set_field block "$n" name)" = "" ]
		[ "$(set_field allow "$n" name)" = "" ]
	done
	[ "$(XF_N=$N xf_round 198.18.0.2 198.18.0.3 198.18.0.4)" = "198.18.0.2=0 198.18.0.3=$N 198.18.0.4=$N" ]
}

@test "--sets-dir: a set saved with block save goes into the dir as it is, options included" {
	xf_daemon --iface "$IF_P" --sets-dir "$SETS" --no-watch-sets-dir
	xf_cli sets add block ssh --mode audit --scope tcp:22,443 --timeout 1h
	xf_cli block add --set ssh 198.18.0.2 198.18.4.0/24
	xf_cli block save --set ssh "$SETS/ssh.list"
	xf_cli sets del block ssh
	[ "$(set_field block ssh name)" = "" ]
	reload_wait ssh 1
	[ "$(set_field block ssh mode)" = audit ]
	[ "$(set_field block ssh scope)" = tcp:22,443 ]
	[ "$(set_field block ssh timeout)" = 3600 ]
	[ "$(set_field block ssh source)" = "$SETS/ssh.list" ]
	[ "$(xf_sets_of 198.18.4.0/24)" = ssh ]
	[ "$(xf_sets_of 198.18.0.2)" = ssh ]
}

@test "--blocklist-file is block set file, --allowlist-file allow set file; --persist entries go to their set's state file" {
	printf '198.18.0.2\n' >"$XF_TMP/block"
	printf '198.18.0.3\n' >"$XF_TMP/allow"
	xf_daemon --iface "$IF_P" --blocklist-file "$XF_TMP/block" --allowlist-file "$XF_TMP/allow" \
		--state-dir "$XF_TMP/state"
	[ "$(xf_sets_of 198.18.0.2)" = file ]
	[ "$(xf_sets_of 198.18.0.3 allow)" = file ]
	[ "$(set_field block file source)" = "$XF_TMP/block" ]
	[ "$(set_field allow file source)" = "$XF_TMP/allow" ]
	xf_cli block add --set file 198.18.0.4 --persist --state-dir "$XF_TMP/state"
	xf_cli block add --set fail2ban 198.18.0.5 --persist --state-dir "$XF_TMP/state"
	grep -qx 198.18.0.4 "$XF_TMP/state/blocklist.file"
	grep -qx 198.18.0.5 "$XF_TMP/state/blocklist.fail2ban"
	# The file's set is the file plus its persisted entries after a reload.
	reload_wait file 2
	[ "$(xf_sets_of 198.18.0.4)" = file ]
	[ "$(xf_sets_of 198.18.0.5)" = fail2ban ]
	# After a reboot (fresh maps) every persisted entry is back in its set.
	xf_daemon_stop
	xf_cli detach --iface "$IF_P"
	xf_daemon --iface "$IF_P" --blocklist-file "$XF_TMP/block" --state-dir "$XF_TMP/state"
	grep -q 'block set fail2ban: restored 1 persisted entries' "$XF_TMP/daemon.err"
	[ "$(xf_sets_of 198.18.0.4)" = file ]
	[ "$(xf_sets_of 198.18.0.5)" = fail2ban ]
	[ "$(XF_N=$N xf_round 198.18.0.2 198.18.0.3 198.18.0.5)" = "198.18.0.2=0 198.18.0.3=$N 198.18.0.5=0" ]
}

@test "a timed membership expires alone: the entry stays blocked while an untimed set holds it" {
	xf_daemon --iface "$IF_P"
	xf_cli block add --set fail2ban --timeout 2 198.18.0.2 198.18.0.3
	xf_cli block add 198.18.0.3
	[ "$(xf_sets_of 198.18.0.3)" = manual,fail2ban ]
	sleep 2.5
	xf_udp_send 198.18.0.2 "$N"
	xf_udp_send 198.18.0.3 "$N"
	[ "$(xf_recv_wait 198.18.0.2 "$N")" = "$N" ]
	[ "$(xf_recv_count 198.18.0.3)" = 0 ]
	[ "$(xf_sets_of 198.18.0.3)" = manual ]
	# The sweep (every 5 s) deletes .2 and keeps .3 in manual alone.
	xf_wait_lines 'blocklist: removed 1 expired entry' 1 "$XF_TMP/daemon.err" 6
	[ "$(xf_cli block list | awk 'NR > 1 { print $1 }')" = 198.18.0.3 ]
	# The counts are exact after the sweep (README, "List sizes").
	[ "$(set_field block fail2ban entries)" = 0 ]
	[ "$(set_field block manual entries)" = 1 ]
	[ "$(xf_cli status --json | xf_json "j['blocklist']['addresses']")" = 1 ]
	[ "$(xf_cli block list --json | xf_json "[e.get('expires') for e in j]")" = "[None]" ]
}

@test "an entry written with plain bpftool (all zeros) is in set manual: listed, counted, deletable" {
	xf_daemon --iface "$IF_P"
	local size
	size=$(bpftool map show pinned "$PIN/block_v4_addr" | awk '{ for (i = 1; i < NF; i++) if ($i == "value") print $(i + 1) }' | tr -dc 0-9)
	bpftool map update pinned "$PIN/block_v4_addr" key 198 18 0 2 value $(printf '0 %.0s' $(seq "$size"))
	bpftool map update pinned "$PIN/block_v4_net" key 24 0 0 0 198 18 7 0 value $(printf '0 %.0s' $(seq "$size"))
	xf_cli status --recount >/dev/null
	[ "$(xf_sets_of 198.18.0.2)" = manual ]
	[ "$(xf_sets_of 198.18.7.0/24)" = manual ]
	[ "$(xf_cli status --json | xf_json "j['blocklist']['addresses'], j['blocklist']['prefixes']")" = "(1, 1)" ]
	xf_udp_send 198.18.0.2 "$N"
	xf_udp_send 198.18.0.5 "$N"
	[ "$(xf_recv_wait 198.18.0.5 "$N")" = "$N" ]
	[ "$(xf_recv_count 198.18.0.2)" = 0 ]
	xf_cli block del 198.18.0.2 198.18.7.0/24
	[ -z "$(xf_cli block list | awk 'NR > 1')" ]
	[ "$(xf_cli status --json | xf_json "j['blocklist']['addresses'], j['blocklist']['prefixes']")" = "(0, 0)" ]
}

@test "an entry's counters are kept when it gains or loses a set" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2
	xf_udp_send 198.18.0.2 "$N"
	xf_wait_entry_packets 198.18.0.2 "$N"
	xf_cli block add --set fail2ban 198.18.0.2
	[ "$(xf_entry_packets 198.18.0.2)" = "$N" ]
	xf_cli block del 198.18.0.2
	[ "$(xf_entry_packets 198.18.0.2)" = "$N" ]
	# A replace of fail2ban that keeps it keeps them too.
	printf '198.18.0.2\n198.18.0.3\n' >"$XF_TMP/f.list"
	xf_cli block load --set fail2ban "$XF_TMP/f.list"
	[ "$(xf_entry_packets 198.18.0.2)" = "$N" ]
}

@test "xdpfwd sets: entries per set from the books, packets under each entry's count set, updated stamped by that set's edits only" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2
	xf_cli block add --set fail2ban 198.18.0.2 198.18.0.3
	[ "$(set_field block manual entries)" = 1 ]
	[ "$(set_field block fail2ban entries)" = 2 ]
	# .2's hits count under manual (its lowest set), .3's under fail2ban.
	xf_udp_send 198.18.0.2 "$N"
	xf_udp_send 198.18.0.3 "$N"
	xf_udp_send 198.18.0.5 "$N"
	[ "$(xf_recv_wait 198.18.0.5 "$N")" = "$N" ]
	xf_wait_output "$N" set_field block fail2ban packets
	[ "$(set_field block manual packets)" = "$N" ]
	[ "$(set_field block fail2ban bytes)" = "$(set_field block manual bytes)" ]
	# An edit of manual stamps manual alone.
	f2b=$(set_field block fail2ban updated)
	[ "$f2b" != None ]
	sleep 1.1
	xf_cli block del 198.18.0.2
	[ "$(set_field block fail2ban updated)" = "$f2b" ]
	[ "$(set_field block manual updated)" \> "$f2b" ]
	[ "$(set_field block manual entries)" = 0 ]
	[ "$(set_field block fail2ban entries)" = 2 ]
	# Flushing fail2ban: both entries gone, its count 0.
	xf_cli block flush --set fail2ban
	[ "$(set_field block fail2ban entries)" = 0 ]
	[ -z "$(xf_cli block list | awk 'NR > 1')" ]
}
