# SPDX-License-Identifier: GPL-2.0
# Shared by the bats suites: a protected namespace and a sender namespace joined by a veth pair,
# unique names per run, and cleanup that runs even when a test fails.
#
#   xf_setup          creates NS_P (veth $IF_P, 198.18.0.1/24, 2001:2::1/64) and
#                     NS_S (veth $IF_S, 198.18.0.2-.5/24, 2001:2::2-5/64), and PIN (unused pin dir)
#   xf_teardown       kills daemons started with xf_daemon, detaches, removes pins and namespaces
#   xf_p CMD...       runs CMD in NS_P's network namespace only, so bpffs pins stay visible
#   xf_s CMD...       runs CMD in NS_S
#   xf_daemon ARGS... starts $XDPFWD in NS_P in the background (stdout $XF_TMP/daemon.out,
#                     stderr $XF_TMP/daemon.err), waits until it is attached
#   xf_udp_count SRC N  sends N UDP datagrams from SRC to the protected side, prints how many arrived

XDPFWD=${XDPFWD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/xdpfwd}

xf_setup() {
	XF_ID=$(printf '%04x%02x' $((RANDOM)) $((RANDOM % 256)))
	NS_P=xfp-$XF_ID
	NS_S=xfs-$XF_ID
	IF_P=xfp$XF_ID
	IF_S=xfs$XF_ID
	PIN=/sys/fs/bpf/xdpfwd-test-$XF_ID
	XF_TMP=$(mktemp -d /tmp/xdpfwd-test.XXXXXX)
	XF_PIDS=()
	ip netns add "$NS_P"
	ip netns add "$NS_S"
	ip link add "$IF_P" netns "$NS_P" type veth peer name "$IF_S" netns "$NS_S"
	ip -n "$NS_P" link set lo up
	ip -n "$NS_S" link set lo up
	ip -n "$NS_P" addr add 198.18.0.1/24 dev "$IF_P"
	ip -n "$NS_P" addr add 2001:2::1/64 dev "$IF_P" nodad
	local i
	for i in 2 3 4 5; do
		ip -n "$NS_S" addr add 198.18.0.$i/24 dev "$IF_S"
		ip -n "$NS_S" addr add 2001:2::$i/64 dev "$IF_S" nodad
	done
	ip -n "$NS_P" link set "$IF_P" up
	ip -n "$NS_S" link set "$IF_S" up
}

xf_p() {
	nsenter --net="/run/netns/$NS_P" "$@"
}

xf_s() {
	nsenter --net="/run/netns/$NS_S" "$@"
}

# Starts the daemon and waits (at most 10 s) for its "attached"/"adopted" line.
xf_daemon() {
	# Only this start's lines count: a restart appends to the same files.
	local from
	from=$(($(stat -c %s "$XF_TMP/daemon.err" 2>/dev/null || echo 0) + 1))
	# nsenter execs the daemon, so $! is its pid; fd 3 is bats' and must not be inherited.
	nsenter --net="/run/netns/$NS_P" "$XDPFWD" --pin-dir "$PIN" "$@" \
		>>"$XF_TMP/daemon.out" 2>>"$XF_TMP/daemon.err" 3>&- &
	XF_PIDS+=($!)
	XF_DAEMON_PID=$!
	local i
	for i in $(seq 100); do
		tail -c +"$from" "$XF_TMP/daemon.err" 2>/dev/null |
			grep -qE 'attached program|adopted the running' && return 0
		kill -0 "$XF_DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "daemon did not attach; stderr:" >&2
	tail -c +"$from" "$XF_TMP/daemon.err" >&2
	return 1
}

# Sends N datagrams from SRC (an address of NS_S) to port 9000 on the protected side
# and prints how many arrived. Bounded: N <= 1000, at most ~3 s.
xf_udp_count() {
	local src=$1 n=$2 dst=198.18.0.1 out
	case $src in *:*) dst=[2001:2::1] src=[$src] ;; esac
	out=$XF_TMP/udp.$RANDOM
	# nsenter execs timeout, so $! is the process to kill; its stdout is not the caller's
	# pipe, so $(xf_udp_count ...) returns as soon as the count is printed.
	nsenter --net="/run/netns/$NS_P" timeout 5 socat -u "UDP6-RECV:9000,ipv6only=0" \
		"OPEN:$out,creat,append" >/dev/null 2>&1 3>&- &
	local rpid=$!
	sleep 0.3
	local i
	for ((i = 0; i < n && i < 1000; i++)); do
		echo "pkt$i" | xf_s timeout 1 socat -u - "UDP-SENDTO:$dst:9000,bind=$src" 2>/dev/null || true
	done
	sleep 0.3
	kill "$rpid" 2>/dev/null
	wait "$rpid" 2>/dev/null
	grep -c '^pkt' "$out" 2>/dev/null || true
}

xf_teardown() {
	local pid
	for pid in "${XF_PIDS[@]}"; do
		kill -9 "$pid" 2>/dev/null || true
	done
	# Reaping them here keeps bash's "Killed" job notices out of the test output.
	for pid in "${XF_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	# xdp-filter first (a test's, see xf_xdp_filter_load): its pins are global.
	xf_xdp_filter_cleanup
	if [ -n "${NS_P:-}" ] && [ -e "/run/netns/$NS_P" ]; then
		# Detach whatever is left (ours or a test's xdp-filter) before the namespace goes.
		local ifc
		for ifc in "$IF_P" ${XF_EXTRA_IFS[@]+"${XF_EXTRA_IFS[@]}"}; do
			nsenter --net="/run/netns/$NS_P" ip link set dev "$ifc" xdp off 2>/dev/null || true
			nsenter --net="/run/netns/$NS_P" ip link set dev "$ifc" xdpgeneric off 2>/dev/null || true
		done
	fi
	[ -n "${PIN:-}" ] && rm -rf "$PIN"
	[ -n "${NS_P:-}" ] && ip netns del "$NS_P" 2>/dev/null
	[ -n "${NS_S:-}" ] && ip netns del "$NS_S" 2>/dev/null
	[ -n "${XF_TMP:-}" ] && rm -rf "$XF_TMP"
	return 0
}

# ---- Helpers for the end-to-end suites (tests/e2e) ----
#
# Topology
#   xf_static_neigh           permanent neighbour entries both ways on the main pair, so no ARP or
#                             ND crosses the wire and per-entry packet counters are exact; also
#                             gives NS_S the barrier addresses 198.18.0.9 and 2001:2::9 (xf_round)
#   xf_setup_pair2            a second veth pair between the same namespaces: $IF_P2 in NS_P
#                             (198.19.0.1/24), $IF_S2 in NS_S (198.19.0.2-.5/24 and the barrier
#                             198.19.0.9), static neighbours
#   xf_add_no_xdp_if NAME     creates NAME in NS_P, a device without native XDP (dummy, or a macvlan
#                             on $IF_P where the kernel has no dummy driver), up; teardown detaches it
#   xf_add_extra_if NAME      remember an interface created in NS_P so teardown detaches it
#   xf_xdp_prog IF [NS]       "MODE ID NAME" of the XDP program on IF (MODE: native, skb, ...), or
#                             nothing; NS defaults to NS_P
#
# Traffic (every loop bounded in count and time)
#   xf_recv_start [PORT]      a UDP receiver in NS_P (IPv4 and IPv6, default port 9000) that
#                             records the source of every datagram; stops by itself after 60 s
#   xf_recv_count SRC [PORT]  datagrams from SRC received so far
#   xf_recv_wait SRC N [PORT] waits (at most 3 s) until N datagrams from SRC arrived; prints the count
#   xf_udp_send SRC N [DST] [PORT] [GAP_MS]
#                             sends N (<= 10000) 16-byte datagrams from SRC (an address in NS_S),
#                             one process, GAP_MS (default 1) apart; DST defaults to .1 of SRC's
#                             /24, or 2001:2::1; at most 30 s
#   xf_round SRC...           sends XF_N (default 20) datagrams from each SRC in turn, then XF_N from
#                             a barrier source that nothing blocks (XF_BARRIER, default .9 of the
#                             last SRC's /24 or 2001:2::9; if the barrier is one of the SRCs, no
#                             extra ones) and waits for the barrier's; then no datagram of the round
#                             is still on its way. Prints "SRC=COUNT ..." for this round only, and
#                             "barrier=COUNT" after them if the barrier's did not all arrive.
#                             Needs xf_recv_start (and xf_static_neigh for the barrier addresses).
#   xf_ping SRC N [DST]       N echo requests from SRC 10 ms apart; prints the replies received
#   xf_pcap_start IF          records, in NS_P, the IPv4 UDP frames arriving on IF (as
#                             "SRC vlan=ID" or "SRC"); count them with xf_recv_count LINE IF
#   xf_raw_udp_send SRC N VLANS [DST]
#                             sends N hand-built IPv4 UDP frames from SRC on $IF_S to $IF_P's MAC,
#                             1 ms apart, tagged with VLANS: 0 (untagged), an 802.1Q ID, or
#                             OUTER,INNER (802.1ad outer tag), OUTER,MIDDLE,INNER, ...
#
# The daemon and the CLI
#   xf_daemon_stop [SIGNAL]   signals the last xf_daemon (default TERM), waits (at most 10 s) and
#                             sets XF_DAEMON_RC to its exit status
#   xf_daemon_wait_exit [SECONDS]
#                             the same without a signal: for a daemon that exits by itself
#   xf_wait_lines PATTERN N [FILE] [SECONDS]
#                             waits until FILE (default daemon.out) has N lines matching the ERE
#   xf_cli ARGS...            runs `$XDPFWD ARGS... --pin-dir $PIN` in NS_P (a subcommand first)
#   xf_json EXPR CMD...       runs CMD and prints the Python expression EXPR over its JSON output `j`,
#                             e.g. xf_json 'j["events"]["sent"]' xf_cli status --json
#   xf_wait_json EXPR VALUE CMD...
#                             like xf_json, but retries (at most 3 s) until EXPR is VALUE: frames
#                             a sender has handed to the veth may not have met XDP yet
#   xf_entry_packets ENTRY [LIST]
#                             the packets counter of ENTRY in `xdpfwd LIST list` (default block);
#                             from the table (the column headed PACKETS), so that a fault in the
#                             JSON output fails only the tests about it
#   xf_wait_entry_packets ENTRY N [LIST]
#                             waits (at most 3 s) until ENTRY's packets counter is N; prints it
#
# Other programs
#   xf_xdp_filter_load ARGS.. loads xdp-filter in NS_P (teardown unloads it and removes its pins)

XF_UDP_PAYLOAD_LEN=16
# The distribution's interpreter starts several times faster than a version manager's shim.
XF_PYTHON=${XF_PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}

# Receiver: argv port, output file, ready file, lifetime in seconds.
XF_RECV_PY='
import socket, sys, time
port, out, ready, life = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE: bursts must not overflow
s.bind(("::", port))
open(ready, "w").close()
end = time.monotonic() + life
with open(out, "a", buffering=1) as f:
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            data, addr = s.recvfrom(4096)
        except socket.timeout:
            break
        a = addr[0]
        f.write((a[7:] if a.startswith("::ffff:") else a) + "\n")
'

# Sender: argv port, gap in ms, payload length, then SOURCE DESTINATION COUNT triples, sent in turn.
XF_SEND_PY='
import socket, sys, time
port, gap, plen, rest = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
payload = b"xdpfwd-test-pkt!"[:plen].ljust(plen, b".")
for k in range(0, len(rest), 3):
    src, dst, n = rest[k], rest[k + 1], int(rest[k + 2])
    s = socket.socket(socket.AF_INET6 if ":" in src else socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    for i in range(n):
        s.sendto(payload, (dst, port))
        if gap:
            time.sleep(gap / 1000.0)
    s.close()
'

_xf_mac() {
	ip -n "$1" -br link show dev "$2" | awk '{ print $3 }'
}

xf_static_neigh() {
	local mac_p mac_s i
	mac_p=$(_xf_mac "$NS_P" "$IF_P")
	mac_s=$(_xf_mac "$NS_S" "$IF_S")
	ip -n "$NS_S" neigh replace 198.18.0.1 lladdr "$mac_p" dev "$IF_S" nud permanent
	ip -n "$NS_S" neigh replace 2001:2::1 lladdr "$mac_p" dev "$IF_S" nud permanent
	ip -n "$NS_S" addr add 198.18.0.9/24 dev "$IF_S"
	ip -n "$NS_S" addr add 2001:2::9/64 dev "$IF_S" nodad
	for i in 2 3 4 5 9; do
		ip -n "$NS_P" neigh replace 198.18.0.$i lladdr "$mac_s" dev "$IF_P" nud permanent
		ip -n "$NS_P" neigh replace 2001:2::$i lladdr "$mac_s" dev "$IF_P" nud permanent
	done
}

xf_add_extra_if() {
	XF_EXTRA_IFS+=("$1")
}

xf_setup_pair2() {
	local mac_p mac_s i
	IF_P2=xfq$XF_ID
	IF_S2=xft$XF_ID
	ip link add "$IF_P2" netns "$NS_P" type veth peer name "$IF_S2" netns "$NS_S"
	xf_add_extra_if "$IF_P2"
	ip -n "$NS_P" addr add 198.19.0.1/24 dev "$IF_P2"
	for i in 2 3 4 5 9; do
		ip -n "$NS_S" addr add 198.19.0.$i/24 dev "$IF_S2"
	done
	ip -n "$NS_P" link set "$IF_P2" up
	ip -n "$NS_S" link set "$IF_S2" up
	mac_p=$(_xf_mac "$NS_P" "$IF_P2")
	mac_s=$(_xf_mac "$NS_S" "$IF_S2")
	ip -n "$NS_S" neigh replace 198.19.0.1 lladdr "$mac_p" dev "$IF_S2" nud permanent
	for i in 2 3 4 5 9; do
		ip -n "$NS_P" neigh replace 198.19.0.$i lladdr "$mac_s" dev "$IF_P2" nud permanent
	done
}

xf_recv_start() {
	local port=${1:-9000} i
	rm -f "$XF_TMP/recv.$port.ready"
	: >"$XF_TMP/recv.$port"
	# nsenter execs python, so the pid in XF_PIDS is the receiver itself.
	nsenter --net="/run/netns/$NS_P" "$XF_PYTHON" -c "$XF_RECV_PY" "$port" "$XF_TMP/recv.$port" \
		"$XF_TMP/recv.$port.ready" 60 >/dev/null 2>"$XF_TMP/recv.$port.err" 3>&- &
	XF_PIDS+=($!)
	for i in $(seq 50); do
		[ -e "$XF_TMP/recv.$port.ready" ] && return 0
		sleep 0.1
	done
	echo "UDP receiver on port $port did not start" >&2
	cat "$XF_TMP/recv.$port.err" >&2
	return 1
}

xf_recv_count() {
	local port=${2:-9000}
	grep -cxF "$1" "$XF_TMP/recv.$port" || true
}

xf_recv_wait() {
	local src=$1 n=$2 port=${3:-9000} i c=0
	for i in $(seq 30); do
		c=$(xf_recv_count "$src" "$port")
		[ "$c" -ge "$n" ] && break
		sleep 0.1
	done
	echo "$c"
}

_xf_default_dst() {
	case $1 in
	*:*) echo 2001:2::1 ;;
	*) echo "${1%.*}.1" ;;
	esac
}

xf_udp_send() {
	local src=$1 n=$2 dst=${3:-} port=${4:-9000} gap=${5:-1}
	[ -n "$dst" ] || dst=$(_xf_default_dst "$src")
	[ "$n" -le 10000 ] || { echo "xf_udp_send: at most 10000 datagrams" >&2; return 1; }
	nsenter --net="/run/netns/$NS_S" timeout 30 "$XF_PYTHON" -c "$XF_SEND_PY" \
		"$port" "$gap" "$XF_UDP_PAYLOAD_LEN" "$src" "$dst" "$n" 3>&-
}

xf_ping() {
	local src=$1 n=$2 dst=${3:-} out
	if [ -z "$dst" ]; then
		case $src in
		*:*) dst=2001:2::1 ;;
		*) dst=${src%.*}.1 ;;
		esac
	fi
	out=$(nsenter --net="/run/netns/$NS_S" timeout 10 ping -n -q -c "$n" -i 0.01 -W 1 -I "$src" "$dst" 2>&1 3>&-)
	sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p' <<<"$out"
}

xf_daemon_stop() {
	kill -"${1:-TERM}" "$XF_DAEMON_PID" 2>/dev/null || true
	xf_daemon_wait_exit 10
}

xf_daemon_wait_exit() {
	local i
	XF_DAEMON_RC=
	for i in $(seq $((${1:-10} * 10))); do
		kill -0 "$XF_DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$XF_DAEMON_PID" 2>/dev/null; then
		echo "daemon $XF_DAEMON_PID did not exit" >&2
		return 1
	fi
	XF_DAEMON_RC=0
	wait "$XF_DAEMON_PID" || XF_DAEMON_RC=$?
	return 0
}

xf_wait_lines() {
	local pat=$1 n=$2 file=${3:-$XF_TMP/daemon.out} secs=${4:-3} i c=0
	for i in $(seq $((secs * 10))); do
		c=$(grep -cE -- "$pat" "$file" 2>/dev/null || true)
		[ "${c:-0}" -ge "$n" ] && return 0
		sleep 0.1
	done
	echo "expected $n lines matching '$pat' in $file, found ${c:-0}:" >&2
	cat "$file" >&2
	return 1
}

# xdp-filter keeps its maps in one global directory, so the tests only use it when no one else does.
XF_XDP_FILTER_DIR=/sys/fs/bpf/xdp-filter

xf_xdp_filter_load() {
	if [ -e "$XF_XDP_FILTER_DIR" ]; then
		echo "$XF_XDP_FILTER_DIR exists: xdp-filter is in use on this machine" >&2
		return 1
	fi
	# A file, not a variable: `run xf_xdp_filter_load` runs in a subshell.
	touch "$XF_TMP/xdp-filter-used"
	nsenter --net="/run/netns/$NS_P" xdp-filter load "$@" 3>&-
}

xf_xdp_filter_cleanup() {
	[ -n "${XF_TMP:-}" ] && [ -e "$XF_TMP/xdp-filter-used" ] || return 0
	nsenter --net="/run/netns/$NS_P" xdp-filter unload "$IF_P" >/dev/null 2>&1 || true
	# Unload leaves the maps when the program was already replaced; they were all ours.
	rm -rf "$XF_XDP_FILTER_DIR"
	rm -f "$XF_TMP/xdp-filter-used"
}

xf_xdp_prog() {
	# The first line says how (xdp, xdpgeneric, ...), a "prog/xdp id ID name NAME" line what.
	ip -n "${2:-$NS_P}" -d link show dev "$1" | awk '
		NR == 1 {
			for (i = 1; i <= NF; i++)
				if ($i == "xdp") m = "native"; else if ($i == "xdpgeneric") m = "skb"
				else if ($i == "xdpoffload") m = "hw"; else if ($i == "xdpmulti") m = "multi"
		}
		$1 ~ /^prog\/xdp/ && !id { id = $3; name = $5 }
		END { if (id) print m, id, name }'
}

xf_add_no_xdp_if() {
	ip -n "$NS_P" link add "$1" type dummy 2>/dev/null ||
		ip -n "$NS_P" link add "$1" link "$IF_P" type macvlan mode bridge
	xf_add_extra_if "$1"
	ip -n "$NS_P" link set "$1" up
}

# Packet capture: argv interface, output file, ready file, lifetime in seconds.
XF_PCAP_PY='
import socket, struct, sys, time
ifname, out, ready, life = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.setsockopt(263, 8, 1)  # SOL_PACKET, PACKET_AUXDATA: the stripped VLAN tag
s.bind((ifname, 3))
open(ready, "w").close()
end = time.monotonic() + life
with open(out, "a", buffering=1) as f:
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            data, anc, flags, addr = s.recvmsg(4096, socket.CMSG_SPACE(20))
        except socket.timeout:
            break
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        vlan, off = None, 12
        for level, typ, cdata in anc:
            if level == 263 and typ == 8 and len(cdata) >= 20:
                status, tci = struct.unpack_from("I", cdata, 0)[0], struct.unpack_from("H", cdata, 16)[0]
                if status & 0x10:  # TP_STATUS_VLAN_VALID
                    vlan = tci & 0xfff
        if data[12:14] == b"\x81\x00":
            vlan, off = struct.unpack_from("!H", data, 14)[0] & 0xfff, 16
        if data[off:off + 2] != b"\x08\x00" or len(data) < off + 2 + 20 or data[off + 2 + 9] != 17:
            continue
        src = socket.inet_ntoa(data[off + 2 + 12:off + 2 + 16])
        f.write(src + ("" if vlan is None else " vlan=%d" % vlan) + "\n")
'

# Raw sender: argv interface, destination MAC, VLAN id, source, destination, port, count, payload length.
XF_RAW_SEND_PY='
import socket, struct, sys, time
ifname, dmac, vlans, src, dst, port, n, plen = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
tags = [int(v) for v in vlans.split(",") if int(v)]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
smac = s.getsockname()[4]
payload = b"xdpfwd-test-pkt!"[:plen].ljust(plen, b".")
udp = struct.pack("!HHHH", 40000, port, 8 + plen, 0) + payload
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, socket.inet_aton(src), socket.inet_aton(dst))
csum = sum(struct.unpack("!10H", ip))
csum = (csum & 0xffff) + (csum >> 16)
csum = ~((csum & 0xffff) + (csum >> 16)) & 0xffff
ip = ip[:10] + struct.pack("!H", csum) + ip[12:]
eth = bytes.fromhex(dmac.replace(":", "")) + smac
for i, tag in enumerate(tags):
    eth += struct.pack("!HH", 0x88a8 if i == 0 and len(tags) > 1 else 0x8100, tag)
eth += b"\x08\x00"
for i in range(n):
    s.send(eth + ip + udp)
    time.sleep(0.001)
'

xf_pcap_start() {
	local ifc=$1 i
	rm -f "$XF_TMP/recv.$ifc.ready"
	: >"$XF_TMP/recv.$ifc"
	nsenter --net="/run/netns/$NS_P" "$XF_PYTHON" -c "$XF_PCAP_PY" "$ifc" "$XF_TMP/recv.$ifc" \
		"$XF_TMP/recv.$ifc.ready" 60 >/dev/null 2>"$XF_TMP/recv.$ifc.err" 3>&- &
	XF_PIDS+=($!)
	for i in $(seq 50); do
		[ -e "$XF_TMP/recv.$ifc.ready" ] && return 0
		sleep 0.1
	done
	echo "capture on $ifc did not start" >&2
	cat "$XF_TMP/recv.$ifc.err" >&2
	return 1
}

xf_raw_udp_send() {
	local src=$1 n=$2 vlan=$3 dst=${4:-${1%.*}.1}
	[ "$n" -le 10000 ] || { echo "xf_raw_udp_send: at most 10000 frames" >&2; return 1; }
	nsenter --net="/run/netns/$NS_S" timeout 30 "$XF_PYTHON" -c "$XF_RAW_SEND_PY" "$IF_S" \
		"$(_xf_mac "$NS_P" "$IF_P")" "$vlan" "$src" "$dst" 9000 "$n" "$XF_UDP_PAYLOAD_LEN" 3>&-
}

xf_cli() {
	local cmd=$1
	shift
	nsenter --net="/run/netns/$NS_P" "$XDPFWD" "$cmd" "$@" --pin-dir "$PIN" 3>&-
}

xf_json() {
	local expr=$1 out
	shift
	out=$("$@") || return
	"$XF_PYTHON" -c 'import json, sys; j = json.loads(sys.argv[2]); print(eval(sys.argv[1]))' "$expr" "$out"
}

xf_entry_packets() {
	xf_cli "${2:-block}" list | awk -v e="$1" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == "PACKETS") c = i; next }
		c && $1 == e { print $c; found = 1 }
		END { exit !(c && found) }'
}

xf_wait_json() {
	local expr=$1 want=$2 got i
	shift 2
	for i in $(seq 30); do
		got=$(xf_json "$expr" "$@" 2>/dev/null) || true
		[ "$got" = "$want" ] && break
		sleep 0.1
	done
	[ "$got" = "$want" ] || got=$(xf_json "$expr" "$@") # once more, with its errors
	echo "$got"
}

xf_wait_entry_packets() {
	local got i
	for i in $(seq 30); do
		got=$(xf_entry_packets "$1" "${3:-block}" 2>/dev/null) || true
		[ "$got" = "$2" ] && break
		sleep 0.1
	done
	echo "$got"
}

xf_round() {
	local n=${XF_N:-20} last=${*: -1} barrier src i=0 out= extra=1 before=() b0
	barrier=${XF_BARRIER:-}
	if [ -z "$barrier" ]; then
		case $last in
		*:*) barrier=2001:2::9 ;;
		*) barrier=${last%.*}.9 ;;
		esac
	fi
	for src in "$@"; do
		before+=("$(xf_recv_count "$src")")
		[ "$src" = "$barrier" ] && extra=
	done
	b0=$(xf_recv_count "$barrier")
	local triples=()
	for src in "$@" ${extra:+"$barrier"}; do
		triples+=("$src" "$(_xf_default_dst "$src")" "$n")
	done
	# One sender process for the whole round, 1 ms between datagrams.
	nsenter --net="/run/netns/$NS_S" timeout 30 "$XF_PYTHON" -c "$XF_SEND_PY" \
		9000 1 "$XF_UDP_PAYLOAD_LEN" "${triples[@]}" 3>&-
	b0=$(($(xf_recv_wait "$barrier" $((b0 + n))) - b0))
	# Other flows may sit in another rx queue of the veth: give them a moment too.
	sleep 0.1
	for src in "$@"; do
		out+="$src=$(($(xf_recv_count "$src") - ${before[i]})) "
		i=$((i + 1))
	done
	[ "$b0" = "$n" ] || out+="barrier=$b0 "
	echo "${out% }"
}
