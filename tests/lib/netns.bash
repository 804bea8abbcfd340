# SPDX-License-Identifier: GPL-2.0
# The test bed (part of tests/lib/xf.bash): a protected namespace and a sender namespace joined by a
# veth pair, unique names per run, and cleanup that runs even when a test fails.
#
#   xf_setup                  creates NS_P (veth $IF_P, 198.18.0.1/24, 2001:2::1/64) and
#                             NS_S (veth $IF_S, 198.18.0.2-.5/24, 2001:2::2-5/64), PIN (an unused pin
#                             dir) and XF_TMP (a scratch dir)
#   xf_teardown               kills what xf_daemon and xf_start started, detaches, removes pins,
#                             namespaces and XF_TMP
#   xf_p CMD...               runs CMD in NS_P's network namespace only, so bpffs pins stay visible
#   xf_s CMD...               runs CMD in NS_S
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
#   xf_prog_id [IF [NS]]      the ID alone (IF defaults to $IF_P); empty if none
#   xf_no_xdp [IF [NS]]       succeeds when no XDP program is attached to IF (default $IF_P)
#   xf_attach_foreign IF OBJ  attaches OBJ's XDP program to IF in NS_P in place of what runs (bpftool)
#   xf_xdp_filter_load ARGS.. loads xdp-filter in NS_P (teardown unloads it and removes its pins)

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
	_xf_xdp_filter_cleanup
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

xf_add_no_xdp_if() {
	ip -n "$NS_P" link add "$1" type dummy 2>/dev/null ||
		ip -n "$NS_P" link add "$1" link "$IF_P" type macvlan mode bridge
	xf_add_extra_if "$1"
	ip -n "$NS_P" link set "$1" up
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

xf_prog_id() {
	xf_xdp_prog "${1:-$IF_P}" "${2:-}" | cut -d' ' -f2
}

xf_no_xdp() {
	[ -z "$(xf_prog_id "$@")" ]
}

# Attaches the XDP program of OBJ to IFACE in NS_P in place of whatever runs there, with bpftool:
# `ip link set ... xdp obj` would leave iproute2's ip/, tc/ and xdp/globals folders in bpffs.
xf_attach_foreign() {
	local pin=/sys/fs/bpf/xdpfwd-test-$XF_ID-foreign rc
	bpftool prog load "$2" "$pin" type xdp || return 1
	xf_p bpftool net attach xdp pinned "$pin" dev "$1" overwrite
	rc=$?
	rm -f "$pin"
	return $rc
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

_xf_xdp_filter_cleanup() {
	[ -n "${XF_TMP:-}" ] && [ -e "$XF_TMP/xdp-filter-used" ] || return 0
	nsenter --net="/run/netns/$NS_P" xdp-filter unload "$IF_P" >/dev/null 2>&1 || true
	# Unload leaves the maps when the program was already replaced; they were all ours.
	rm -rf "$XF_XDP_FILTER_DIR"
	rm -f "$XF_TMP/xdp-filter-used"
}
