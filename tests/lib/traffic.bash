# SPDX-License-Identifier: GPL-2.0
# Traffic between the namespaces (part of tests/lib/xf.bash); every loop bounded in count and time.
#
#   xf_default_dst SRC        the protected side's address for a sender address SRC: .1 of SRC's /24,
#                             or 2001:2::1
#   xf_setup_traffic          the bed of the tests that count datagrams: xf_setup, xf_static_neigh
#                             and xf_recv_start
#   xf_recv_start [PORT]      a UDP receiver in NS_P (IPv4 and IPv6, default port 9000) that
#                             records the source of every datagram (listen.py udp); stops by itself
#                             after 60 s
#   xf_recv_count SRC [PORT]  datagrams from SRC received so far
#   xf_recv_wait SRC N [PORT] waits (at most 3 s) until N datagrams from SRC arrived; prints the count
#   xf_udp_send SRC N [DST] [PORT] [GAP_MS]
#                             sends N (<= 10000) 16-byte datagrams from SRC (an address in NS_S),
#                             one process, GAP_MS (default 1) apart; DST defaults to
#                             xf_default_dst SRC; at most 30 s
#   xf_udp_count SRC N        sends N (<= 1000) datagrams from SRC to port 9000 on the protected
#                             side with a receiver of its own, prints how many arrived; at most ~3 s
#   xf_round SRC...           sends XF_N (default 20) datagrams from each SRC in turn, then XF_N from
#                             a barrier source that nothing blocks (XF_BARRIER, default .9 of the
#                             last SRC's /24 or 2001:2::9; if the barrier is one of the SRCs, no
#                             extra ones) and waits for the barrier's; then no datagram of the round
#                             is still on its way. Prints "SRC=COUNT ..." for this round only, and
#                             "barrier=COUNT" after them if the barrier's did not all arrive.
#                             Needs xf_recv_start (and xf_static_neigh for the barrier addresses).
#   xf_ping SRC N [GAP_MS] [DST]
#                             N echo requests from SRC, GAP_MS (default 10) apart, to DST (default
#                             xf_default_dst SRC); prints the replies received; at most N * GAP_MS
#                             + 10 s
#   xf_pcap_start IF          records, in NS_P, the IPv4 UDP frames arriving on IF (as
#                             "SRC vlan=ID" or "SRC", listen.py pcap); count them with
#                             xf_recv_count LINE IF; stops by itself after 60 s
#   xf_raw_udp_send SRC N VLANS [DST]
#                             sends N hand-built IPv4 UDP frames from SRC on $IF_S to $IF_P's MAC,
#                             1 ms apart, tagged with VLANS: 0 (untagged), an 802.1Q ID, or
#                             OUTER,INNER (802.1ad outer tag), OUTER,MIDDLE,INNER, ...

XF_UDP_PAYLOAD_LEN=16

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

xf_default_dst() {
	case $1 in
	*:*) echo 2001:2::1 ;;
	*) echo "${1%.*}.1" ;;
	esac
}

xf_setup_traffic() {
	xf_setup
	xf_static_neigh
	xf_recv_start
}

xf_recv_start() {
	local port=${1:-9000}
	: >"$XF_TMP/recv.$port"
	xf_start "recv.$port" "$XF_PYTHON" "$XF_LIB/listen.py" udp "$port" "$XF_TMP/recv.$port" \
		"$XF_TMP/recv.$port.ready" 60
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

xf_udp_send() {
	local src=$1 n=$2 dst=${3:-} port=${4:-9000} gap=${5:-1}
	[ -n "$dst" ] || dst=$(xf_default_dst "$src")
	[ "$n" -le 10000 ] || { echo "xf_udp_send: at most 10000 datagrams" >&2; return 1; }
	nsenter --net="/run/netns/$NS_S" timeout 30 "$XF_PYTHON" -c "$XF_SEND_PY" \
		"$port" "$gap" "$XF_UDP_PAYLOAD_LEN" "$src" "$dst" "$n" 3>&-
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
		triples+=("$src" "$(xf_default_dst "$src")" "$n")
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

xf_ping() {
	local src=$1 n=$2 gap=${3:-10} dst=${4:-} out
	[ -n "$dst" ] || dst=$(xf_default_dst "$src")
	# ping fails when a reply is missing: the count says so, also under set -e (a job with &).
	out=$(nsenter --net="/run/netns/$NS_S" timeout $((n * gap / 1000 + 10)) ping -n -q -c "$n" \
		-i "$((gap / 1000)).$(printf %03d $((gap % 1000)))" -W 1 -I "$src" "$dst" 2>&1 3>&-) || true
	sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p' <<<"$out"
}

xf_pcap_start() {
	local ifc=$1
	: >"$XF_TMP/recv.$ifc"
	xf_start "recv.$ifc" "$XF_PYTHON" "$XF_LIB/listen.py" pcap "$ifc" "$XF_TMP/recv.$ifc" \
		"$XF_TMP/recv.$ifc.ready" 60
}

xf_raw_udp_send() {
	local src=$1 n=$2 vlan=$3 dst=${4:-$(xf_default_dst "$1")}
	[ "$n" -le 10000 ] || { echo "xf_raw_udp_send: at most 10000 frames" >&2; return 1; }
	nsenter --net="/run/netns/$NS_S" timeout 30 "$XF_PYTHON" -c "$XF_RAW_SEND_PY" "$IF_S" \
		"$(_xf_mac "$NS_P" "$IF_P")" "$vlan" "$src" "$dst" 9000 "$n" "$XF_UDP_PAYLOAD_LEN" 3>&-
}
