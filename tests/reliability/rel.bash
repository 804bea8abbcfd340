# SPDX-License-Identifier: GPL-2.0
# Helpers of the reliability suite, on top of tests/lib/xf.bash (which this loads). Leaks are measured on the
# receiving side, after XDP: named nftables counters in NS_P's input hook count every datagram
# from each sender address that reached the protected host's IP stack.
#
#   rel_setup / rel_teardown    xf_setup + static neighbours + the counters / xf_teardown
#   rel_count SRC               datagrams from SRC (198.18.0.2-5, 2001:2::2-5) that arrived so far
#   rel_counts SRC...           the same for several sources at once, space-separated
#   rel_flood SRCS N SECS [PPS] [DST]
#                               relnet flood from NS_S (SRCS: one address or A,B alternating);
#                               prints how many it sent
#   rel_flood_bg NAME SRCS N SECS [PPS] [DST]
#                               the same in the background; rel_flood_wait NAME waits for it to
#                               end, then rel_flood_sent NAME prints the count
#   rel_recv_start NAME [PORT] / rel_recv_stop NAME
#                               relnet recv in NS_P, recording "SRC_INDEX ROUND SENT_NS RECV_NS"
#                               lines in $XF_TMP/NAME.recv
#   rel_now                     CLOCK_MONOTONIC in ns (the clock of the payload send times)
#   rel_ours_attached           $IF_P runs a program named xdpfwd_xdp: a cheap check (one ip, no
#                               python) to poll every 20 ms while timing a repair
#   rel_wait_ms SECS CMD...     retries CMD every 20 ms for at most SECS; prints the ms it took
#                               (fails if it never succeeded)
#   rel_wait_since T0 SECS CMD  the same, printing the ms since T0 (a rel_now value) instead
#   rel_pinned_map_ids          "NAME=ID" of every map pinned under $PIN
#   rel_figure TEXT             appends "TEST: TEXT" to the figures file
#   rel_build_bpf SRC OUT       compiles a BPF object with the Makefile's flags (make reliability-bpf)
# (The program's id is xf_prog_id, the block list xf_cli block list, its entries xf_entries and
# their counters xf_entry_packets / xf_wait_entry_packets.)

# shellcheck source=../lib/xf.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/xf.bash"

REL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
REL_OUT=${REL_OUT:-$REL_ROOT/build/reliability}
REL_FIGURES=${REL_FIGURES:-$REL_ROOT/build/reliability-figures.txt}
RELNET=$REL_OUT/relnet
XDPFWD_PLAIN=${XDPFWD_PLAIN:-$REL_ROOT/build/xdpfwd}

rel_setup() {
	xf_setup
	xf_static_neigh
	rel_nft_counters
}

# Every test also fails if the daemon's stderr shows a sanitizer report.
rel_teardown() {
	local san=""
	[ -n "${XF_TMP:-}" ] && san=$(grep -hE 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
		"$XF_TMP"/daemon.err 2>/dev/null | head -5)
	# The nft table lives in NS_P and goes with it.
	xf_teardown
	[ -z "$san" ] || { echo "sanitizer report in the daemon's stderr: $san" >&2; return 1; }
}

# One named counter per sender address; never in the root namespace (xf_p).
rel_nft_counters() {
	local i rules="" counters=""
	for i in 2 3 4 5; do
		counters+="counter v4_$i {}"$'\n'"counter v6_$i {}"$'\n'
		rules+="ip saddr 198.18.0.$i counter name v4_$i"$'\n'"ip6 saddr 2001:2::$i counter name v6_$i"$'\n'
	done
	xf_p nft -f - <<EOF
table inet xfrel {
$counters
	chain in {
		type filter hook input priority 0; policy accept;
$rules
	}
}
EOF
}

rel_counter_name() {
	case $1 in
	198.18.0.*) echo "v4_${1##*.}" ;;
	2001:2::*) echo "v6_${1##*:}" ;;
	*) echo "rel_counter_name: no counter for $1" >&2; return 1 ;;
	esac
}

rel_count() {
	local name
	name=$(rel_counter_name "$1") || return 1
	xf_p nft list counter inet xfrel "$name" | sed -n 's/.*packets \([0-9]*\) .*/\1/p'
}

# Counts of several sources from one nft call, space-separated in the order given.
rel_counts() {
	local src out="" all
	all=$(xf_p nft list counters table inet xfrel | tr -d '\n\t' | sed 's/counter /\n/g')
	for src in "$@"; do
		out+="$(sed -n "s/^$(rel_counter_name "$src") {.*packets \([0-9]*\) .*/\1/p" <<<"$all") "
	done
	echo "${out% }"
}

# Sets REL_FLOOD to the command of a flood: SRCS N SECS [PPS] [DST] (DST: xf_default_dst of the
# first source).
_rel_flood_cmd() {
	local srcs=$1 n=$2 secs=$3 pps=${4:-0} dst=${5:-}
	[ -n "$dst" ] || dst=$(xf_default_dst "${srcs%%,*}")
	REL_FLOOD=(nsenter --net="/run/netns/$NS_S" timeout $((${secs%.*} + 10)) "$RELNET" flood --src "$srcs"
		--dst "$dst" --count "$n" --seconds "$secs" --pps "$pps")
}

rel_flood() {
	_rel_flood_cmd "$@"
	"${REL_FLOOD[@]}" 3>&- | sed -n 's/^sent //p'
}

rel_flood_bg() {
	local name=$1
	shift
	_rel_flood_cmd "$@"
	# nsenter execs timeout, which the teardown's kill -9 reaches through XF_PIDS.
	"${REL_FLOOD[@]}" >"$XF_TMP/$name.flood" 2>&1 3>&- &
	XF_PIDS+=($!)
	eval "REL_FLOOD_PID_$name=$!"
}

rel_flood_alive() {
	local pid
	eval "pid=\$REL_FLOOD_PID_$1"
	kill -0 "$pid" 2>/dev/null
}

# Not in $(...): only the shell that started the flood can wait for it.
rel_flood_wait() {
	local pid
	eval "pid=\$REL_FLOOD_PID_$1"
	wait "$pid" || { echo "flood $1 failed: $(cat "$XF_TMP/$1.flood")" >&2; return 1; }
}

rel_flood_sent() {
	sed -n 's/^sent //p' "$XF_TMP/$1.flood"
}

rel_recv_start() {
	local name=$1 port=${2:-9000} rc=0
	xf_start "$name" timeout 70 "$RELNET" recv --port "$port" --out "$XF_TMP/$name.recv" \
		--seconds 60 --ready "$XF_TMP/$name.ready" || rc=$?
	eval "REL_RECV_PID_$name=$XF_START_PID"
	return $rc
}

# Stops the receiver after the last datagrams had time to arrive; it writes its file on exit.
rel_recv_stop() {
	local pid
	eval "pid=\$REL_RECV_PID_$1"
	sleep 0.3
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" || true
}

rel_now() {
	"$RELNET" now
}

rel_ours_attached() {
	ip -n "$NS_P" link show dev "$IF_P" | grep -q 'prog/xdp id [0-9]* name xdpfwd_xdp '
}

rel_wait_ms() {
	local secs=$1 start end
	shift
	start=$(rel_now)
	end=$((start + secs * 1000000000))
	while :; do
		if "$@" >/dev/null 2>&1; then
			echo $((($(rel_now) - start) / 1000000))
			return 0
		fi
		[ "$(rel_now)" -lt "$end" ] || return 1
		sleep 0.02
	done
}

# Like rel_wait_ms, but prints the ms since T0 (a rel_now value) at which CMD first succeeded.
rel_wait_since() {
	local t0=$1 secs=$2
	shift 2
	rel_wait_ms "$secs" "$@" >/dev/null || return 1
	echo $((($(rel_now) - t0) / 1000000))
}

# Ids of the maps pinned under $PIN, "name=id" per line, sorted.
rel_pinned_map_ids() {
	bpftool -f -j map list | "$XF_PYTHON" -c '
import json, os, sys
pin = sys.argv[1]
for m in json.load(sys.stdin):
    for p in m.get("pinned", []):
        if os.path.dirname(p) == pin:
            print("%s=%d" % (os.path.basename(p), m["id"]))
' "$PIN" | sort
}

rel_figure() {
	local t=${BATS_TEST_DESCRIPTION:-test}
	mkdir -p "$(dirname "$REL_FIGURES")"
	echo "[${BATS_TEST_FILENAME##*/}] ${t%%:*}: $*" >>"$REL_FIGURES"
}

# The build itself is reliability.mk's, so the flags are the Makefile's BPF_CFLAGS. MAKEFLAGS
# cleared: under `make check-long` it names the outer make's jobserver, which bats does not pass on.
rel_build_bpf() {
	MAKEFLAGS= make -s --no-print-directory -C "$REL_ROOT" reliability-bpf \
		REL_BPF_SRC="$1" REL_BPF_OBJ="$2" 3>&-
}
