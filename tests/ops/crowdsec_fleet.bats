#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# One CrowdSec Local API (LAPI) feeding the xdpfwd of several hosts, as a fleet runs it: each
# host runs its own xdpfwd and its own crowdsec-custom-bouncer (contrib's configuration and
# script), registered with an API key of its own, polling the one LAPI over the network. A
# decision added once is enforced on every host, its deletion lifted on every host, and a
# bouncer that was down catches up from the LAPI's start-up stream when it starts again.
#
# Three namespaces stand for three machines (the bouncers run beside their xdpfwd, in the host's
# namespace, and reach the LAPI through a management link, not loopback: what a fleet does):
#
#   NS_S "internet"  ---- IF_P  NS_P "host A" (198.18.0.1/24) ---- mgmt 198.19.1.2 --+
#   198.18.0.2-.5,.9 ---- IF_B  NS_B "host B" (198.18.1.1/24) ---- mgmt 198.19.2.2 --+-- NS_L "LAPI"
#                                                                         198.19.0.1:8080 (lo)
#
# NS_S reaches host B from the same source addresses as host A (routed through its 198.18.1.2),
# so one decision on 198.18.0.2 is about the same packets' source on both hosts. xdpfwd guards the
# data link (IF_P, IF_B); the management link is not behind it. The bouncers poll every
# second (update_frequency: 1s in the hosts' .local override): the figures this suite prints
# (decision to enforcement on each host, LAPI requests per bouncer) are for docs/FLEET.md;
# nothing passes or fails on time beyond a bounded wait of a few poll intervals.

load ops
load crowdsec

LAPI_ADDR=198.19.0.1
LAPI_URL=http://$LAPI_ADDR:8080/
LAPI_METRICS=127.0.0.1:6060
POLL=1
HOSTS="A B"

setup() {
	xf_setup
	xf_static_neigh
	NS_B=xfb-$XF_ID
	NS_L=xfl-$XF_ID
	IF_B=xfb$XF_ID
	PIN_B=$PIN-b
	CS=$XF_TMP/cs
	# shellcheck disable=SC2034 # crowdsec.bash's: cscli and the LAPI run on the LAPI's machine
	CS_NS=$NS_L
	ETC_BEFORE=$(cs_etc_state)
	declare -gA H_NS=([A]=$NS_P [B]=$NS_B) H_IF=([A]=$IF_P [B]=$IF_B) H_PIN=([A]=$PIN [B]=$PIN_B)
	declare -gA H_DST=([A]=198.18.0.1 [B]=198.18.1.1) H_PID=()
	ip netns add "$NS_B"
	ip netns add "$NS_L"
	ip -n "$NS_B" link set lo up
	ip -n "$NS_L" link set lo up
	# Host B's data link from the same "internet", and the way back to its sources.
	ip link add "$IF_B" netns "$NS_B" type veth peer name "xfc$XF_ID" netns "$NS_S"
	ip -n "$NS_B" addr add 198.18.1.1/24 dev "$IF_B"
	ip -n "$NS_S" addr add 198.18.1.2/24 dev "xfc$XF_ID"
	ip -n "$NS_B" link set "$IF_B" up
	ip -n "$NS_S" link set "xfc$XF_ID" up
	ip -n "$NS_B" route add 198.18.0.0/24 via 198.18.1.2
	static_neigh "$NS_B" "$IF_B" 198.18.1.2 "$NS_S" "xfc$XF_ID" 198.18.1.1
	# The management links: host A and host B to the LAPI's machine, which answers on 198.19.0.1.
	ip -n "$NS_L" addr add "$LAPI_ADDR/32" dev lo
	mgmt_link A "$NS_P" 1
	mgmt_link B "$NS_B" 2
	mkdir -p "$XF_TMP/A" "$XF_TMP/B"
}

# static_neigh NS1 IF1 ADDR2 NS2 IF2 ADDR1: permanent neighbours both ways on one veth pair (no
# ARP: a blocked source's ARP must not decide what is measured).
static_neigh() {
	ip -n "$1" neigh replace "$3" lladdr "$(_xf_mac "$4" "$5")" dev "$2" nud permanent
	ip -n "$4" neigh replace "$6" lladdr "$(_xf_mac "$1" "$2")" dev "$5" nud permanent
}

# mgmt_link NAME NS N: a veth pair NS (198.19.N.2) -- NS_L (198.19.N.1), the LAPI routed through it.
mgmt_link() {
	local h=xfh$3$XF_ID l=xfl$3$XF_ID
	ip link add "$h" netns "$2" type veth peer name "$l" netns "$NS_L"
	ip -n "$2" addr add "198.19.$3.2/24" dev "$h"
	ip -n "$NS_L" addr add "198.19.$3.1/24" dev "$l"
	ip -n "$2" link set "$h" up
	ip -n "$NS_L" link set "$l" up
	ip -n "$2" route add "$LAPI_ADDR/32" via "198.19.$3.1"
}

teardown() {
	# CS_DEBUG=DIR (by hand): a copy of the run's files (LAPI and bouncer logs, configurations).
	[ -z "${CS_DEBUG:-}" ] || cp -r "$XF_TMP" "$CS_DEBUG"
	local h pid
	# The bouncers out of the LAPI (as an operator retires a host), then everything stopped.
	if [ -n "${CS_PID:-}" ] && kill -0 "$CS_PID" 2>/dev/null; then
		for h in $HOSTS; do
			cs_cli bouncers delete "xdpfwd-$h" >/dev/null 2>&1 || true
		done
	fi
	xf_teardown
	if [ -n "${NS_B:-}" ] && [ -e "/run/netns/$NS_B" ]; then
		nsenter --net="/run/netns/$NS_B" ip link set dev "$IF_B" xdp off 2>/dev/null || true
		nsenter --net="/run/netns/$NS_B" ip link set dev "$IF_B" xdpgeneric off 2>/dev/null || true
	fi
	[ -n "${PIN_B:-}" ] && rm -rf "$PIN_B"
	[ -n "${NS_B:-}" ] && ip netns del "$NS_B" 2>/dev/null
	[ -n "${NS_L:-}" ] && ip netns del "$NS_L" 2>/dev/null
	return 0
}

# on HOST CMD...: CMD with the xf helpers pointed at HOST's namespace, interface, pin dir and
# files (xf_daemon, xf_cli, ...).
on() {
	local h=$1
	shift
	local NS_P=${H_NS[$h]} IF_P=${H_IF[$h]} PIN=${H_PIN[$h]} XF_TMP=$XF_TMP/$h
	"$@"
}

# The fleet: the LAPI, xdpfwd on every host, and every host's bouncer registered (its own key).
fleet_start() {
	local h
	cs_start "$LAPI_ADDR:8080" "$LAPI_METRICS"
	for h in $HOSTS; do
		on "$h" xf_daemon --iface "${H_IF[$h]}"
		bouncer_register "$h"
		bouncer_start "$h"
	done
}

# bouncer_register HOST: `cscli bouncers add` on the LAPI's machine; the key goes into the host's
# .local, beside the LAPI's URL (the one line that differs from a single host's setup).
bouncer_register() {
	local key
	key=$(cs_cli bouncers add "xdpfwd-$1" -o raw) && [ -n "$key" ]
	cs_bouncer_conf "$CS/$1" "$key" "$LAPI_URL" "$CS_CONTRIB/xdpfwd-crowdsec" \
		"update_frequency: ${POLL}s
daemonize: false"
}

# bouncer_start HOST: HOST's bouncer in HOST's namespace, on HOST's instance; waits for its first
# poll (the start-up stream).
bouncer_start() {
	local h=$1 n
	n=$(xf_count_lines "adding '[0-9]+' decisions" "$CS/$h/crowdsec-custom-bouncer.log")
	XDPFWD=$XDPFWD XDPFWD_PIN_DIR=${H_PIN[$h]} nsenter --net="/run/netns/${H_NS[$h]}" \
		crowdsec-custom-bouncer -c "$CS/$h/crowdsec-custom-bouncer.yaml" >>"$CS/$h/bouncer.out" 2>&1 3>&- &
	XF_PIDS+=($!)
	H_PID[$h]=$!
	cs_bouncer_wait_poll "$CS/$h" $((${n:-0} + 1)) 10 || { cat "$CS/$h/bouncer.out" >&2; return 1; }
}

# bouncer_stop HOST: SIGTERM (systemctl stop), waits (at most 5 s) for it to exit.
bouncer_stop() {
	local pid=${H_PID[$1]} i
	kill "$pid"
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	! kill -0 "$pid" 2>/dev/null || { echo "bouncer of host $1 did not stop" >&2; return 1; }
	wait "$pid" 2>/dev/null || true
}

# banned HOST ADDR: ADDR is an entry of set crowdsec on HOST.
banned() {
	on "$1" xf_cli block list --json | "$XF_PYTHON" -c 'import json, sys
sys.exit(not any(e["entry"] == sys.argv[1] and "crowdsec" in e["sets"] for e in json.load(sys.stdin)))' "$2"
}

# wait_hosts ADDR WANT SECONDS: polls every host's set crowdsec until ADDR is in it (WANT 1) or
# not (WANT 0) on all of them, for at most SECONDS; prints, per host in HOSTS order, the
# milliseconds from the call to the first poll that saw it; fails naming the hosts that never did.
wait_hosts() {
	local addr=$1 want=$2 secs=$3 t0 t h now left
	declare -A ms=()
	t0=$(date +%s%N)
	while :; do
		left=
		for h in $HOSTS; do
			[ -z "${ms[$h]:-}" ] || continue
			now=0
			banned "$h" "$addr" && now=1
			t=$(date +%s%N)
			if [ "$now" = "$want" ]; then
				ms[$h]=$(((t - t0) / 1000000))
			else
				left+=" $h"
			fi
		done
		[ -n "$left" ] || break
		[ $((($(date +%s%N) - t0) / 1000000)) -le $((secs * 1000)) ] || {
			echo "$addr never $([ "$want" = 1 ] && echo added to || echo deleted from) set crowdsec in $secs s on host(s):$left" >&2
			return 1
		}
		sleep 0.02
	done
	for h in $HOSTS; do
		printf '%s ' "${ms[$h]}"
	done
	echo
}

# replies HOST SRC N: echo replies HOST sends to N pings from SRC (an "internet" address).
replies() {
	xf_ping "$2" "$3" 10 "${H_DST[$1]}"
}

# is_ban HOST ADDR SECONDS: ADDR is in set crowdsec alone on HOST, ending within SECONDS.
is_ban() {
	on "$1" xf_cli block list --json | "$XF_PYTHON" -c 'import json, sys
e = [e for e in json.load(sys.stdin) if e["entry"] == sys.argv[1]]
d = int(sys.argv[2])
assert len(e) == 1 and d - 20 <= e[0]["expires_in"] <= d and e[0]["sets"] == ["crowdsec"], e' "$2" "$3"
}

# The LAPI's request counter for a bouncer (its Prometheus endpoint, on the LAPI's machine).
lapi_requests() {
	nsenter --net="/run/netns/$NS_L" "$XF_PYTHON" -c 'import sys, urllib.request
n = 0
for l in urllib.request.urlopen("http://" + sys.argv[1] + "/metrics", timeout=5).read().decode().splitlines():
    if l.startswith("cs_lapi_bouncer_requests_total{") and "bouncer=\"" + sys.argv[2] + "\"" in l:
        n += float(l.split()[-1])
print(int(n))' "$LAPI_METRICS" "$1" 3>&-
}

# stream_requests N: decision polls in the LAPI's access log from host N's address (198.19.N.2).
stream_requests() {
	xf_count_lines "198\\.19\\.$1\\.2 - .*GET /v1/decisions/stream" "$CS/crowdsec_api.log"
}

# The median time the LAPI took to answer a poll (its access log), in microseconds.
poll_us() {
	"$XF_PYTHON" -c 'import re, statistics, sys
t = [float(m[0]) * {"m": 1000, "": 1e6}.get(m[1], 1) for m in
     re.findall(r"GET /v1/decisions/stream\S* HTTP/1.1 200 ([0-9.]+)(\S*?)s? ", open(sys.argv[1], encoding="utf-8").read())]
print(int(statistics.median(t)) if t else "?")' "$CS/crowdsec_api.log"
}

# The script's failures, as a bouncer logs them ("Error in 'add' command ...").
no_script_errors() {
	local h
	for h in $HOSTS; do
		xf_lacks "Error in" "$CS/$h/crowdsec-custom-bouncer.log"
	done
}

# medians "MS-A MS-B MS-A MS-B ...": the median of each host's figures, "A X B Y".
medians() {
	local v n i=0 h
	read -ra v <<<"$1"
	n=$(wc -w <<<"$HOSTS")
	for h in $HOSTS; do
		printf '%s %s ' "$h" "$(printf '%s\n' "${v[@]}" | awk -v n="$n" -v i="$i" '(NR - 1) % n == i' |
			sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
		i=$((i + 1))
	done
	echo
}

@test "crowdsec fleet: one decision reaches every host's xdpfwd, drops there, its deletion lifts it everywhere" {
	local ms h a n0 n1 t0 t1 add='' del='' r l0 l1 m0 m1
	fleet_start
	# Each host polls with a key of its own: the LAPI knows both bouncers and has counted requests
	# from each. (Not last_pull: `cscli bouncers add` sets it already.)
	[ "$(cs_cli bouncers list -o json | xf_json 'sorted(b["name"] for b in j)')" = "['xdpfwd-A', 'xdpfwd-B']" ]
	for h in $HOSTS; do
		[ "$(lapi_requests "xdpfwd-$h")" -gt 0 ]
	done
	for h in $HOSTS; do
		[ "$(replies "$h" 198.18.0.2 1)" = 1 ]
	done

	cs_cli decisions add --ip 198.18.0.2 --duration 2m
	ms=$(wait_hosts 198.18.0.2 1 $((POLL + 2)))
	echo "# decision -> set crowdsec on hosts A B: $ms ms (update_frequency ${POLL}s)" >&3
	for h in $HOSTS; do
		[ "$(replies "$h" 198.18.0.2 3)" = 0 ]
		[ "$(replies "$h" 198.18.0.3 3)" = 3 ]
		is_ban "$h" 198.18.0.2 120
	done
	cs_cli decisions delete --ip 198.18.0.2
	ms=$(wait_hosts 198.18.0.2 0 $((POLL + 2)))
	echo "# deletion -> gone on hosts A B: $ms ms" >&3
	for h in $HOSTS; do
		[ "$(replies "$h" 198.18.0.2 3)" = 3 ]
	done

	# More of the same, for the figures: decision to enforcement, on each host. Each on an address
	# of its own: the bouncer (0.0.15) skips an add or a del of an address it ran one for within
	# cache_retention_duration (10 s), even with the opposite in between.
	for a in 198.18.0.11 198.18.0.12 198.18.0.13 198.18.0.14 198.18.0.15; do
		cs_cli decisions add --ip "$a" --duration 2m
		add+=" $(wait_hosts "$a" 1 $((POLL + 2)))"
		cs_cli decisions delete --ip "$a"
		del+=" $(wait_hosts "$a" 0 $((POLL + 2)))"
	done
	echo "# decision -> enforced, per host A B in turn (ms):$add; median $(medians "$add")" >&3
	echo "# deletion -> lifted, per host A B in turn (ms):$del; median $(medians "$del")" >&3

	# The LAPI's load: requests per bouncer over a measured window.
	# (Its access log says the same: one GET /v1/decisions/stream per poll, from the host's address.)
	n0=$(lapi_requests xdpfwd-A) r=$(lapi_requests xdpfwd-B) t0=$(date +%s%N)
	l0=$(stream_requests 1) m0=$(stream_requests 2)
	sleep 5
	n1=$(lapi_requests xdpfwd-A) a=$(lapi_requests xdpfwd-B) t1=$(date +%s%N)
	l1=$(stream_requests 1) m1=$(stream_requests 2)
	[ "$n1" -gt "$n0" ]
	[ "$a" -gt "$r" ]
	echo "# LAPI requests in $(((t1 - t0) / 1000000)) ms: bouncer A $((n1 - n0)), bouncer B $((a - r)) (update_frequency ${POLL}s); access log: $((l1 - l0)), $((m1 - m0)); LAPI time per poll: median $(poll_us) us" >&3
	no_script_errors
	[ "$(cs_etc_state)" = "$ETC_BEFORE" ]
}

@test "crowdsec fleet: a bouncer that was down catches up from the LAPI's start-up stream" {
	local t0
	fleet_start
	bouncer_stop B
	cs_cli decisions add --ip 198.18.0.4 --duration 2m
	HOSTS=A wait_hosts 198.18.0.4 1 $((POLL + 2))
	# Three poll intervals later host B still knows nothing: its bouncer is what carries decisions.
	sleep $((3 * POLL))
	run banned B 198.18.0.4
	[ "$status" = 1 ]
	[ "$(replies B 198.18.0.4 3)" = 3 ]
	[ "$(replies A 198.18.0.4 3)" = 0 ]

	t0=$(date +%s%N)
	bouncer_start B
	HOSTS=B wait_hosts 198.18.0.4 1 1
	echo "# host B's bouncer restarted -> enforced after $((($(date +%s%N) - t0) / 1000000)) ms" >&3
	[ "$(replies B 198.18.0.4 3)" = 0 ]
	is_ban B 198.18.0.4 120

	# A deletion while a bouncer is down: the start-up stream carries it too.
	bouncer_stop B
	cs_cli decisions delete --ip 198.18.0.4
	HOSTS=A wait_hosts 198.18.0.4 0 $((POLL + 2))
	sleep $((3 * POLL))
	banned B 198.18.0.4
	bouncer_start B
	HOSTS=B wait_hosts 198.18.0.4 0 1
	[ "$(replies B 198.18.0.4 3)" = 3 ]
	no_script_errors
}
