#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: every contender, every scenario, side by side in one run, then the table and chart.
#
# It touches nothing it did not create: two network namespaces joined by a veth pair (addresses
# from 198.18.0.0/15 and 2001:2::/48 only), spare veth pairs inside the receiving namespace for
# the xdpfwd daemons to attach to, pins under /sys/fs/bpf/xfbench-$ID and xdpfwd-bench-$ID-*.
# Everything goes on exit, Ctrl-C and failures included. Traffic is bounded by xfbench live's
# --rounds, --max-seconds and packet limit.
#
# Environment: XDPFWD, XFBENCH, BENCH_OUT (set by bench.mk); BENCH_ROUNDS (default 20),
# BENCH_SLOT_MS (default 200), BENCH_SCENARIOS (default: all, space separated names),
# BENCH_NO_DOC=1 to leave BENCHMARKS.md alone, BENCH_VARIANTS to measure other builds of the
# XDP program next to the real one: "NAME=FILE[,DAEMON_ARG...] ..." (each gets a daemon with the
# small list, and joins the one-source and pass scenarios). FILE is a BPF object (*.o: the daemon
# runs it with --bpf-object) or another build of the xdpfwd binary (its own program and daemon).
set -Eeuo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_OUT=${BENCH_OUT:-$ROOT/build/bench}
XFBENCH=${XFBENCH:-$BENCH_OUT/xfbench}
XDPFWD_BUILT=${XDPFWD:-$ROOT/build/xdpfwd}
# A copy: others may rebuild build/xdpfwd while this runs, and every step must use the same one.
XDPFWD=$BENCH_OUT/xdpfwd.bench
# The program's object, for the contenders the harness loads itself (the flood scenario).
XDPFWD_OBJ_BUILT=${XDPFWD_OBJ:-$ROOT/build/xdpfwd.bpf.o}
# The flood scenario: a limit every rotating source exceeds, and a source under it.
FLOOD_PPS=5
FLOOD_GOOD=198.18.20.1
FLOOD_GOOD_EVERY=524288
ROUNDS=${BENCH_ROUNDS:-20}
SLOT_MS=${BENCH_SLOT_MS:-200}
GEN_CPU=1
CTL_CPU=0
XDPFILTER_OBJ=/usr/lib/$(gcc -dumpmachine)/bpf/xdpfilt_alw_ip.o

ID=$(printf '%05x' $(($$ % 0xfffff)))
NS_G=xfb-$ID-g
NS_R=xfb-$ID-r
IF_G=xfbg$ID
IF_R=xfbr$ID
PINS=/sys/fs/bpf/xfbench-$ID
XPIN=/sys/fs/bpf/xdpfwd-bench-$ID
RES=$BENCH_OUT/results
TMP=$(mktemp -d /tmp/xfbench.XXXXXX)
LISTS=$BENCH_OUT/lists
DAEMON_PIDS=()
INSTANCES=()
PERF_PID=
LIVE_OUT=
read -r -a VARIANTS <<<"${BENCH_VARIANTS:-}"

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
in_r() { nsenter --net="/run/netns/$NS_R" "$@"; }

cleanup() {
	local rc=$? pid inst
	trap - EXIT INT TERM ERR
	set +e
	if [ -n "$PERF_PID" ]; then
		kill -INT "$PERF_PID" 2>/dev/null
		wait "$PERF_PID" 2>/dev/null
	fi
	for pid in "${DAEMON_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${DAEMON_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	# The daemons leave their program attached by design; detach also removes their pins.
	for inst in "${INSTANCES[@]}"; do
		[ -e "/run/netns/$NS_R" ] && in_r "$XDPFWD" detach --all --pin-dir "$inst" >/dev/null 2>&1
		rm -rf "$inst"
	done
	# Deleting the namespaces takes their veths, XDP attachments and nft tables with them.
	ip netns del "$NS_G" 2>/dev/null
	ip netns del "$NS_R" 2>/dev/null
	rm -rf "$PINS" "$TMP"
	if [ $rc -ne 0 ]; then
		log "failed (exit $rc); everything it created is removed"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'log "line $LINENO: failed: $BASH_COMMAND"' ERR

preflight() {
	[ "$(id -u)" = 0 ] || die "run as root: it creates namespaces and attaches XDP programs"
	[ -x "$XFBENCH" ] && [ -x "$XDPFWD_BUILT" ] || die "build first: make bench"
	cp "$XDPFWD_BUILT" "$XDPFWD"
	[ -s "$XDPFWD_OBJ_BUILT" ] || die "build first: make bench ($XDPFWD_OBJ_BUILT missing)"
	[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs: the generator runs on CPU $GEN_CPU, everything else on CPU $CTL_CPU"
	# Run-time BPF statistics time every program run and about halve the packet rate.
	[ "$(sysctl -n kernel.bpf_stats_enabled)" = 0 ] ||
		die "kernel.bpf_stats_enabled is on; it distorts every number here: sysctl kernel.bpf_stats_enabled=0"
	[ -r "$XDPFILTER_OBJ" ] || die "$XDPFILTER_OBJ missing: apt-get install xdp-tools"
	mkdir -p "$RES"
	rm -f "$RES"/*.csv
}

# The lists are deterministic: generated once, reused by later runs.
make_lists() {
	[ -s "$LISTS/1m.nft" ] && [ "$LISTS/1m.nft" -nt "$ROOT/bench/gen-lists.py" ] && return
	log "generating the lists (once)"
	python3 "$ROOT/bench/gen-lists.py" "$LISTS"
}

setup_net() {
	local i
	ip netns add "$NS_G"
	ip netns add "$NS_R"
	ip link add "$IF_G" netns "$NS_G" type veth peer name "$IF_R" netns "$NS_R"
	ip -n "$NS_G" addr add 198.18.0.2/24 dev "$IF_G"
	ip -n "$NS_R" addr add 198.18.0.1/24 dev "$IF_R"
	ip -n "$NS_R" addr add 2001:2::1/64 dev "$IF_R" nodad
	ip -n "$NS_G" link set "$IF_G" up
	ip -n "$NS_R" link set "$IF_R" up
	# GRO keeps the receiver's NAPI running without XDP: what the nftables slots need.
	in_r ethtool -K "$IF_R" gro on
	# One spare pair per xdpfwd instance: the daemon attaches there, the harness borrows its program.
	for ((i = 0; i < 5 + ${#VARIANTS[@]}; i++)); do
		ip -n "$NS_R" link add "xfba$ID$i" type veth peer name "xfbb$ID$i"
		ip -n "$NS_R" link set "xfba$ID$i" up
		ip -n "$NS_R" link set "xfbb$ID$i" up
	done
}

rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# start_daemon NAME ANCHOR ARGS...: an xdpfwd instance on CPU $CTL_CPU, waits until it is attached.
# DAEMON (default $XDPFWD) is the binary.
start_daemon() {
	local name=$1 anchor=$2 pin=$XPIN-$1 i
	shift 2
	INSTANCES+=("$pin")
	taskset -c "$CTL_CPU" nsenter --net="/run/netns/$NS_R" "${DAEMON:-$XDPFWD}" --iface "$anchor" \
		--pin-dir "$pin" "$@" \
		>/dev/null 2>"$TMP/$name.err" &
	DAEMON_PIDS+=($!)
	eval "PID_${name//-/_}=$!"
	for i in $(seq 200); do
		grep -qs 'attached program' "$TMP/$name.err" && return 0
		sleep 0.05
	done
	cat "$TMP/$name.err" >&2
	die "xdpfwd instance $name did not attach"
}

# Daemon start to attached, as an operator sees it (exec, BTF, maps, verifier, netlink): 5 times.
measure_attach() {
	local i t0 t1 pid pin=$XPIN-lat
	INSTANCES+=("$pin")
	for i in 1 2 3 4 5; do
		t0=$(date +%s%N)
		# A fresh file each time: the shell creates it asynchronously, an old one could answer first.
		nsenter --net="/run/netns/$NS_R" "$XDPFWD" --iface "xfba${ID}4" --pin-dir "$pin" --no-log \
			>/dev/null 2>"$TMP/lat$i.err" &
		pid=$!
		until grep -qs 'attached program' "$TMP/lat$i.err"; do
			kill -0 "$pid" 2>/dev/null || { cat "$TMP/lat$i.err" >&2; die "xdpfwd did not start"; }
			sleep 0.002
		done
		t1=$(date +%s%N)
		kill "$pid"
		wait "$pid" || true
		in_r "$XDPFWD" detach --all --pin-dir "$pin" >/dev/null 2>&1
		echo "control,attach_ms,$i,$(((t1 - t0) / 1000))" >>"$RES/control.csv"
	done
}

setup_contenders() {
	local t0 t1 out small cli

	mkdir -p "$PINS"
	"$XFBENCH" load ref "$PINS/ref"
	"$XFBENCH" load ref "$PINS/ref-1m"
	"$XFBENCH" load xdp-filter "$XDPFILTER_OBJ" "$PINS/xf"
	"$XFBENCH" load xdp-filter "$XDPFILTER_OBJ" "$PINS/xf-1m" 1048576
	"$XFBENCH" fill bare "$PINS/ref" "$LISTS/small.txt" >>"$RES/control.csv"
	"$XFBENCH" fill bare "$PINS/ref-1m" "$LISTS/1m.txt" >>"$RES/control.csv"
	"$XFBENCH" fill xdp-filter "$PINS/xf" "$LISTS/small.txt" >>"$RES/control.csv"
	"$XFBENCH" fill xdp-filter "$PINS/xf-1m" "$LISTS/1m.txt" >>"$RES/control.csv"

	setup_flood
	log "xdpfwd: load + attach time"
	measure_attach
	log "xdpfwd: starting the four instances"
	start_daemon nolog "xfba${ID}0" --no-log
	start_daemon def "xfba${ID}1"
	start_daemon logall "xfba${ID}2" --log-source-interval 0 --log-rate unlimited
	start_daemon big "xfba${ID}3"
	echo "control,rss_start_kib,logall,$(rss_kib "$PID_logall")" >>"$RES/control.csv"
	echo "control,rss_start_kib,def,$(rss_kib "$PID_def")" >>"$RES/control.csv"

	start_variants
	small=$(grep -v '^#' "$LISTS/small.txt" | tr '\n' ' ')
	for inst in nolog def logall "${VARIANTS[@]%%=*}"; do
		# A build variant's instance is edited by its own binary: another layout's pins are refused.
		cli=$XDPFWD
		[ -x "$TMP/xdpfwd.$inst" ] && cli=$TMP/xdpfwd.$inst
		# shellcheck disable=SC2086
		"$cli" block add $small --pin-dir "$XPIN-$inst" >/dev/null 2>&1
	done

	log "xdpfwd block load of 1,000,000 entries"
	if "$XDPFWD" block load /dev/null --pin-dir "$XPIN-big" >/dev/null 2>&1; then
		t0=$(date +%s%N)
		"$XDPFWD" block load "$LISTS/1m.txt" --pin-dir "$XPIN-big" >/dev/null 2>"$TMP/load.err" ||
			{ cat "$TMP/load.err" >&2; die "xdpfwd block load failed"; }
		t1=$(date +%s%N)
		echo "control,block_load_ms,xdpfwd block load,$(((t1 - t0) / 1000000))" >>"$RES/control.csv"
	else
		# Only until the CLI has it: the same maps filled by batch updates, labelled as such.
		t0=$(date +%s%N)
		"$XFBENCH" fill xdpfwd "$XPIN-big" "$LISTS/1m.txt" >>"$RES/control.csv"
		t1=$(date +%s%N)
		echo "control,block_load_ms,xfbench fill (no xdpfwd block load yet),$(((t1 - t0) / 1000000))" \
			>>"$RES/control.csv"
	fi

	log "nftables: nft -f of the same 1,000,000 entries"
	in_r nft -f "$LISTS/small.nft"
	t0=$(date +%s%N)
	in_r nft -f "$LISTS/1m.nft"
	t1=$(date +%s%N)
	echo "control,nft_load_ms,nft -f,$(((t1 - t0) / 1000000))" >>"$RES/control.csv"
	for out in small 1m; do
		cat >"$TMP/nft-$out.on" <<-EOF
			table netdev xfb_$out {
				chain in {
					type filter hook ingress device "$IF_R" priority 0; policy accept;
					meta protocol ip ip saddr @s4 drop
					meta protocol ip6 ip6 saddr @s6 drop
				}
			}
		EOF
		echo "delete chain netdev xfb_$out in" >"$TMP/nft-$out.off"
	done
}

zeros() { local i; for ((i = 0; i < $1; i++)); do printf '0 '; done; }
le64() { python3 -c 'import struct,sys; print(" ".join(str(b) for b in struct.pack("<Q", int(sys.argv[1]))))' "$1"; }

# The flood scenario's two xdpfwd programs, loaded by the harness (no daemon: the limits map is
# written directly): "flood" with the limits on (ban over FLOOD_PPS, /32 keys, bans in set 1 for
# 600 s) and empty lists, "listed" with the 65,536 rotating sources in its exact map beforehand
# (set manual) and the limits off. Both enforce sets manual and 1.
setup_flood() {
	local hz nsj v
	[ -n "${BENCH_SCENARIOS:-}" ] && [[ " $BENCH_SCENARIOS " != *" v4-flood "* ]] && return 0
	cp "$XDPFWD_OBJ_BUILT" "$TMP/xdpfwd.bpf.o"
	hz=$( { cat "/boot/config-$(uname -r)" 2>/dev/null || zcat /proc/config.gz 2>/dev/null; } |
		sed -n 's/^CONFIG_HZ=//p')
	nsj=$([ -n "$hz" ] && echo $((1000000000 / hz)) || echo 0)
	for v in flood onset listed; do
		"$XFBENCH" load xdpfwd "$TMP/xdpfwd.bpf.o" "$PINS/$v" "$nsj"
		bpftool map update pinned "$PINS/$v/meta" key 0 0 0 0 \
			value 0x66 0x70 0x64 0x78 3 0 0 0 $(zeros 8) 3 0 0 0 $(zeros 12)
	done
	# struct xdpfwd_limits: ban, /32, /128, auto_set 1, pps, burst = pps, no bit limit, 600 s, generation 1,
	# random meter seeds (as a daemon draws them).
	for v in flood onset; do
		bpftool map update pinned "$PINS/$v/limits" key 0 0 0 0 value 2 0 0 0 32 128 1 0 \
			$(le64 $FLOOD_PPS) $(le64 $FLOOD_PPS) $(zeros 16) $(le64 600000000000) $(le64 1) \
			$(python3 -c 'import os; print(" ".join(str(b) for b in os.urandom(32)))')
	done
	python3 -c 'import ipaddress; [print(ipaddress.IPv4Address("198.19.0.0") + i) for i in range(65536)]' \
		>"$TMP/flood.txt"
	"$XFBENCH" fill xdpfwd "$PINS/listed" "$TMP/flood.txt" >/dev/null
}

boot_ns() { python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_BOOTTIME))'; }

# The onset of the flood, alone: the "onset" program (the flood program's twin, fresh maps) stays
# attached for two 500 ms slots (it is its own floor), so every ban time counts from one start.
flood_onset() {
	[ -e "$PINS/onset/meter" ] || return 0
	log "flood onset: the flood program alone, 1 s, bans timed from the start"
	echo "scenario,round,seq,contender,role,packets,frames,cpu_ns,wall_ns,start_ns,gen_tid" >"$TMP/onset.csv"
	FLOOD_T0=$(boot_ns)
	taskset -c "$CTL_CPU" "$XFBENCH" live --scenario v4-flood-onset --gen-ns "$NS_G" --gen-if "$IF_G" \
		--rx-ns "$NS_R" --rx-if "$IF_R" --cpu "$GEN_CPU" --src 198.19.0.0 --nsrc 65536 \
		--slot-ms 500 --rounds 1 --max-seconds 30 --floor "onset=xdp:$PINS/onset/xdpfwd_xdp" \
		--contender "onset-again=xdp:$PINS/onset/xdpfwd_xdp" \
		--good-src "$FLOOD_GOOD" --good-every "$FLOOD_GOOD_EVERY" --out "$TMP/onset.csv"
	flood_summary onset "$FLOOD_T0"
}

# What a flood program (NAME: flood, onset) did: bans (count, their times: from T0 when given, else
# from the first), the good source's losses.
flood_summary() {
	local v=$1 t0=${2:-0}
	[ -e "$PINS/$v/meter" ] || return 0
	bpftool -j map dump pinned "$PINS/$v/block_v4_addr" >"$TMP/bans.json"
	# The good source's bucket: in one of its two sets of the meter (include/xdpfwd.h xdpfwd_meter_hash()).
	python3 - "$PINS/$v" "$FLOOD_GOOD" >"$TMP/good.json" 2>/dev/null <<-'PY' || echo '{}' >"$TMP/good.json"
		import ipaddress, json, subprocess, sys
		pins, good = sys.argv[1], ipaddress.IPv4Address(sys.argv[2])
		def bt(*a):
		    return json.loads(subprocess.run(["bpftool", "-j", *a], check=True, capture_output=True).stdout)
		def fmt(e):
		    return e.get("formatted", e)
		M = 2**64
		seed = fmt(bt("map", "lookup", "pinned", f"{pins}/limits", "key", "0", "0", "0", "0"))["value"]["meter_seed"]
		nsets = bt("map", "show", "pinned", f"{pins}/meter")["max_entries"]
		key = bytes(10) + b"\xff\xff" + good.packed
		lo, hi = int.from_bytes(key[:8], "little"), int.from_bytes(key[8:], "little")
		h = (seed[0] + lo * ((seed[1] ^ 0x9e3779b97f4a7c15) | 1) + hi * ((seed[2] ^ 0xbf58476d1ce4e5b9) | 1)) % M
		g = h * ((seed[3] ^ 0x94d049bb133111eb) | 1) % M
		for x in (h, g):
		    i = ((x >> 32) * nsets) >> 32
		    s = fmt(bt("map", "lookup", "pinned", f"{pins}/meter", "key", *(str(b) for b in i.to_bytes(4, "little"))))
		    for w in s["value"]["way"]:
		        if bytes(w["key"]["addr"]) == key and w["m"]["generation"]:
		            print(json.dumps({"value": w["m"]}))
		            sys.exit(0)
		print("{}")
	PY
	bpftool -j map dump pinned "$PINS/$v/limit_stats" >"$TMP/lstats.json"
	if [ -n "${BENCH_FLOOD_DEBUG:-}" ]; then
		bpftool map dump pinned "$PINS/flood/limits" >&2
		bpftool map dump pinned "$PINS/flood/meta" >&2
		bpftool map lookup pinned "$PINS/flood/stats" key 0 0 0 0 >&2
		bpftool map show pinned "$PINS/flood/meter" >&2
		bpftool map dump pinned "$PINS/flood/meter" | sed -n 1,40p >&2
	fi
	python3 - "$TMP" "$FLOOD_GOOD_EVERY" "$LIVE_OUT" "$v" "$t0" >>"$RES/flood.txt" <<-'PY'
		import csv, json, sys
		tmp, every, live, name, t0 = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
		def fmt(e):
		    return e.get("formatted", e)
		bans = [fmt(e)["value"] for e in json.load(open(f"{tmp}/bans.json"))]
		auto = [v for v in bans if v["timed"] == 2 and v["count_set"] == 1]
		t = sorted(v["expires_ns"] - 600 * 10**9 for v in auto)
		good = json.load(open(f"{tmp}/good.json"))
		good = fmt(good).get("value", {}) if good else {}
		ls = [fmt(e)["values"] if "values" in fmt(e) else fmt(e)["value"] for e in json.load(open(f"{tmp}/lstats.json"))]
		tot = {"bans": 0, "ban_failed": 0, "dropped": 0}
		for slot in ls:
		    for cpu in slot:
		        v = cpu.get("value", cpu)
		        tot["bans"] += v["bans"]; tot["ban_failed"] += v["ban_failed"]; tot["dropped"] += v["packets"][1]
		src = live if name == "flood" else f"{tmp}/onset.csv"
		frames = sum(int(r["frames"]) for r in csv.DictReader(open(src))
		             if r["contender"] in ("xdpfwd-flood", "onset", "onset-again"))
		print(f"{name},banned_auto,{len(auto)}")
		print(f"{name},bans_counted,{tot['bans']}")
		print(f"{name},ban_failed,{tot['ban_failed']}")
		print(f"{name},over_limit_dropped,{tot['dropped']}")
		if t:
		    base = t0 or t[0]
		    what = "after_start" if t0 else "after_first_ban"
		    print(f"{name},ban_first_{what}_ms,{(t[0] - base) / 1e6:.0f}")
		    print(f"{name},ban_p50_{what}_ms,{(t[len(t) // 2] - base) / 1e6:.0f}")
		    print(f"{name},ban_p99_{what}_ms,{(t[int(len(t) * 0.99) - 1] - base) / 1e6:.0f}")
		    print(f"{name},ban_last_{what}_ms,{(t[-1] - base) / 1e6:.0f}")
		print(f"{name},good_over,{good.get('over', 'no bucket')}")
		print(f"{name},good_sent_in_sampled_windows,{frames // every}")
	PY
	grep "^$v," "$RES/flood.txt" >&2
}

# Each BENCH_VARIANTS entry: a daemon running another build of the program, on a spare pair of its own.
start_variants() {
	local v name obj args k=5
	for v in "${VARIANTS[@]}"; do
		name=${v%%=*}
		IFS=, read -r -a args <<<"${v#*=}"
		obj=${args[0]}
		[ -r "$obj" ] || die "BENCH_VARIANTS: $obj not found"
		if [[ $obj == *.o ]]; then
			start_daemon "$name" "xfba$ID$k" --bpf-object "$(realpath "$obj")" "${args[@]:1}"
		else
			# A copy, like $XDPFWD: the build it names may change while this runs.
			cp "$obj" "$TMP/xdpfwd.$name"
			DAEMON=$TMP/xdpfwd.$name start_daemon "$name" "xfba$ID$k" "${args[@]:1}"
		fi
		k=$((k + 1))
	done
}

spec() {
	local v
	for v in "${VARIANTS[@]}"; do
		[ "$1" = "${v%%=*}" ] && { echo "$1=xdp:$XPIN-$1/prog"; return; }
	done
	case $1 in
	floor) echo "xdp-drop=xdp:$PINS/ref/xfb_drop" ;;
	xdp-pass) echo "xdp-pass=xdp:$PINS/ref/xfb_pass" ;;
	bare) echo "bare-hash=xdp:$PINS/ref/xfb_hash" ;;
	bare-1m) echo "bare-hash-1m=xdp:$PINS/ref-1m/xfb_hash" ;;
	xdpfwd-nolog) echo "xdpfwd-nolog=xdp:$XPIN-nolog/prog" ;;
	xdpfwd) echo "xdpfwd=xdp:$XPIN-def/prog" ;;
	xdpfwd-logall) echo "xdpfwd-logall=xdp:$XPIN-logall/prog" ;;
	xdpfwd-1m) echo "xdpfwd-1m=xdp:$XPIN-big/prog" ;;
	xdp-filter) echo "xdp-filter=xdp:$PINS/xf/xdpfilt_alw_ip" ;;
	xdpfwd-flood) echo "xdpfwd-flood=xdp:$PINS/flood/xdpfwd_xdp" ;;
	xdpfwd-listed) echo "xdpfwd-listed=xdp:$PINS/listed/xdpfwd_xdp" ;;
	xdp-filter-1m) echo "xdp-filter-1m=xdp:$PINS/xf-1m/xdpfilt_alw_ip" ;;
	nft) echo "nft=nft:$TMP/nft-small.on:$TMP/nft-small.off" ;;
	nft-1m) echo "nft-1m=nft:$TMP/nft-1m.on:$TMP/nft-1m.off" ;;
	*) die "unknown contender $1" ;;
	esac
}

# scenario NAME SRC NSRC CONTENDER...
scenario() {
	local name=$1 src=$2 nsrc=$3 c args=()
	shift 3
	if [ -n "${BENCH_SCENARIOS:-}" ] && [[ " $BENCH_SCENARIOS " != *" $name "* ]]; then
		return 0
	fi
	for c in "$@"; do
		args+=(--contender "$(spec "$c")")
	done
	log "scenario $name: $# contenders x $ROUNDS rounds of ${SLOT_MS} ms slots"
	taskset -c "$CTL_CPU" "$XFBENCH" live --scenario "$name" --gen-ns "$NS_G" --gen-if "$IF_G" \
		--rx-ns "$NS_R" --rx-if "$IF_R" --cpu "$GEN_CPU" --src "$src" --nsrc "$nsrc" \
		--slot-ms "$SLOT_MS" --rounds "$ROUNDS" --max-seconds 240 --floor "$(spec floor)" "${args[@]}" \
		"${SCN_ARGS[@]}" --out "$LIVE_OUT"
}
SCN_ARGS=()

run_live() {
	local v vars=("${VARIANTS[@]%%=*}")
	LIVE_OUT=$RES/live.csv
	echo "scenario,round,seq,contender,role,packets,frames,cpu_ns,wall_ns,start_ns,gen_tid" >"$LIVE_OUT"
	scenario v4-1src 198.18.10.1 1 bare bare-1m xdpfwd-nolog xdpfwd xdpfwd-logall xdpfwd-1m xdp-filter nft \
		"${vars[@]}"
	echo "control,rss_flood_kib,logall,$(rss_kib "$PID_logall")" >>"$RES/control.csv"
	echo "control,rss_flood_kib,def,$(rss_kib "$PID_def")" >>"$RES/control.csv"
	for v in logall "${vars[@]}"; do
		if [[ $v == *logall ]]; then
			"$XFBENCH" evstats "$XPIN-$v" | sed "s/^/$v,/" >>"$RES/control.csv"
		fi
	done
	scenario v6-1src 2001:2:0:10::1 1 bare xdpfwd-nolog xdpfwd xdpfwd-1m xdp-filter nft "${vars[@]}"
	scenario v4-pass 198.18.20.1 1 xdp-pass bare xdpfwd xdpfwd-1m xdp-filter "${vars[@]}"
	scenario v6-pass 2001:2:0:20::1 1 xdp-pass bare xdpfwd xdp-filter "${vars[@]}"
	scenario v4-64-half 198.18.1.0 64 bare xdpfwd xdp-filter nft
	scenario v4-65536-1m 198.19.0.0 65536 bare-1m xdpfwd-1m xdp-filter-1m nft-1m
	# Issue 14: the flood program bans every rotating source in its first slots; the rest of its
	# slots are blocklist drops of those bans, beside the same sources listed beforehand.
	SCN_ARGS=(--good-src "$FLOOD_GOOD" --good-every "$FLOOD_GOOD_EVERY")
	scenario v4-flood 198.19.0.0 65536 xdpfwd-flood xdpfwd-listed bare-1m
	SCN_ARGS=()
	rm -f "$RES/flood.txt"
	flood_summary flood
	flood_onset
}

# The one-source IPv4 scenario again, shorter, under perf: where each contender's time goes
# (bench/profile.py). Separate from the measured run because sampling costs CPU time too.
profile_pass() {
	local vars=("${VARIANTS[@]%%=*}")

	if ! command -v perf >/dev/null; then
		log "perf is missing: no profile"
		return 0
	fi
	log "profile pass: v4-1src under perf (cpu-clock samples on CPU $GEN_CPU)"
	"$XFBENCH" jitlines "$XPIN-def/prog" >"$RES/jit-xdpfwd.tsv"
	LIVE_OUT=$RES/prof.csv
	echo "scenario,round,seq,contender,role,packets,frames,cpu_ns,wall_ns,start_ns,gen_tid" >"$LIVE_OUT"
	perf record -q -C "$GEN_CPU" -e cpu-clock -c 100000 -k CLOCK_MONOTONIC -o "$RES/perf.data" \
		-- sleep 600 >/dev/null 2>&1 &
	PERF_PID=$!
	sleep 1
	ROUNDS=6 scenario v4-1src 198.18.10.1 1 bare xdpfwd-nolog xdpfwd xdpfwd-logall xdpfwd-1m xdp-filter nft \
		"${vars[@]}"
	kill -INT "$PERF_PID"
	wait "$PERF_PID" || true
	PERF_PID=
	perf script -i "$RES/perf.data" --ns -F comm,tid,cpu,time,ip,sym >"$RES/perf.txt" 2>/dev/null
	python3 "$ROOT/bench/profile.py" "$RES" "$ROOT" >/dev/null
}

run_progcost() {
	local cases=(--case v4-hit=198.18.10.1 --case v4-pass=198.18.20.1 --case v6-hit=2001:2:0:10::1
		--case v6-pass=2001:2:0:20::1 --case v4-vlan-hit=198.18.10.1/vlan1
		--case v4-qinq-hit=198.18.10.1/vlan2)
	local v vprogs=()

	for v in "${VARIANTS[@]%%=*}"; do
		vprogs+=(--prog "$v=$XPIN-$v/prog")
	done
	log "BPF_PROG_TEST_RUN cross-check"
	taskset -c "$GEN_CPU" "$XFBENCH" progcost --repeat 500000 --runs 11 \
		--prog "xdp-drop=$PINS/ref/xfb_drop" --prog "bare-hash=$PINS/ref/xfb_hash" \
		--prog "xdp-filter=$PINS/xf/xdpfilt_alw_ip" --prog "xdpfwd-nolog=$XPIN-nolog/prog" \
		--prog "xdpfwd=$XPIN-def/prog" --prog "xdpfwd-1m=$XPIN-big/prog" "${vprogs[@]}" "${cases[@]}" \
		>"$RES/progcost.csv"
	# Last, because a non-empty allowlist costs every later packet a trie lookup.
	"$XDPFWD" allow add 198.18.10.1 --pin-dir "$XPIN-nolog" >/dev/null 2>&1
	taskset -c "$GEN_CPU" "$XFBENCH" progcost --repeat 500000 --runs 11 \
		--prog "xdp-drop=$PINS/ref/xfb_drop" --prog "xdpfwd-nolog=$XPIN-nolog/prog" --case v4-allowlisted=198.18.10.1 \
		--case v4-hit-allow-nonempty=198.18.1.0 --case v4-pass-allow-nonempty=198.18.20.1 \
		>>"$RES/progcost.csv"
}

machine() {
	{
		echo "kernel=$(uname -r)"
		echo "cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
		echo "cpus=$(nproc)"
		echo "mem_gib=$(awk '/^MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)"
		echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
		echo "xdpfwd=$("$XDPFWD" --version 2>/dev/null | head -1)"
		echo "clang=$(clang --version | head -1)"
		echo "libbpf=$(dpkg-query -W -f='${Version}' libbpf1 2>/dev/null)"
		echo "xdp_tools=$(dpkg-query -W -f='${Version}' xdp-tools 2>/dev/null)"
		echo "nftables=$(dpkg-query -W -f='${Version}' nftables 2>/dev/null)"
		echo "rounds=$ROUNDS"
		echo "slot_ms=$SLOT_MS"
	} >"$RES/machine.txt"
}

preflight
make_lists
machine
setup_net
setup_contenders
run_live
profile_pass
run_progcost
log "report"
python3 "$ROOT/bench/report.py" "$RES" "$ROOT" ${BENCH_NO_DOC:+--no-doc}
