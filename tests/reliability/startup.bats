#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Start-up under everything that can happen around it: the interface's XDP program detached while
# a restart adopts it, several daemons starting at once on one fresh pin dir, a program left
# attached without pins by a start killed before pinning, `ip netns exec`, a bpffs that cannot be
# mounted. Each ends in one true state: protected by one instance the CLI sees, or refused with
# a one-line reason, and every message says what is true.

load rel.bash

setup() {
	rel_setup
}

teardown() {
	local d
	for d in ${ST_EXTRA_DIRS[@]+"${ST_EXTRA_DIRS[@]}"}; do
		rm -rf "$d"
	done
	rel_teardown
}

# The interface runs the program the instance recorded, and the daemon is alive.
st_ours_attached() {
	local attached recorded
	kill -0 "$XF_DAEMON_PID" || return 1
	attached=$(xf_prog_id)
	recorded=$(xf_json 'j["interfaces"][0]["prog_id"]' xf_cli status --json 2>/dev/null)
	[ -n "$attached" ] && [ "$attached" = "$recorded" ]
}

# A blocked source's datagrams are dropped: none of 100 reach the protected host.
st_blocked_dropped() {
	local before
	before=$(rel_count 198.18.0.2)
	[ "$(rel_flood 198.18.0.2 100 1 1000)" = 100 ]
	sleep 0.2
	[ "$(rel_count 198.18.0.2)" = "$before" ]
}

# The last xf_daemon_bg attached or adopted, or the daemon is gone.
st_started() {
	xf_daemon_started || ! kill -0 "$XF_DAEMON_PID" 2>/dev/null
}

# Restarts after a kill -9 and runs `ip link set dev IF xdp off` from another process DELAY
# seconds into the start; the interface must end protected by the new daemon.
restart_detached_at() {
	local delay=$1 from
	shift
	xf_daemon_stop KILL
	xf_daemon_bg --iface "$IF_P" "$@"
	from=$XF_DAEMON_FROM
	sleep "$delay"
	xf_p ip link set dev "$IF_P" xdp off
	# Started (or died), then protected within the watch's reach.
	rel_wait_ms 20 st_started >/dev/null || true
	if ! rel_wait_ms 3 st_ours_attached >/dev/null; then
		echo "delay $delay: not protected; this start's stderr:" >&2
		tail -c +"$from" "$XF_TMP/daemon.err" >&2
		return 1
	fi
	st_blocked_dropped
	# Every line of this start is true: no "stays attached" for a program that is gone.
	if tail -c +"$from" "$XF_TMP/daemon.err" | grep 'stays attached'; then
		return 1
	fi
}

@test "xdp off from another process 0-500 ms into a restart: the interface ends protected, each time" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2
	local d
	for d in 0 0.02 0.05 0.1 0.2 0.35 0.5; do
		echo "# plain, detach at $d s" >&2
		restart_detached_at "$d"
	done
}

@test "xdp off from another process 0-500 ms into a restart with a 200,000-entry list file: protected each time" {
	python3 - "$XF_TMP/big" <<-'EOF'
		import sys
		with open(sys.argv[1], "w") as f:
		    f.write("198.18.0.2\n")
		    for i in range(200000):
		        f.write("2001:2:a::%x:%x\n" % (i >> 16, i & 0xffff))
	EOF
	xf_daemon --iface "$IF_P" --blocklist-file "$XF_TMP/big" --state-dir "$XF_TMP/state"
	local d
	for d in 0 0.02 0.05 0.1 0.2 0.35 0.5; do
		echo "# list file, detach at $d s" >&2
		restart_detached_at "$d" --blocklist-file "$XF_TMP/big" --state-dir "$XF_TMP/state"
	done
}

# Any program not ours: xdp-tools' default AF_XDP one.
st_foreign_obj() {
	ls /usr/lib/*/bpf/xsk_def_xdp_prog.o /usr/lib/bpf/xsk_def_xdp_prog.o 2>/dev/null | head -1
}

@test "another program replaces xdpfwd's 0-500 ms into a restart: refused or left alone, and every message true" {
	local obj d from foreign out
	obj=$(st_foreign_obj)
	[ -n "$obj" ] || skip "xdp-tools' xsk_def_xdp_prog.o is not installed"
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2
	for d in 0 0.02 0.05 0.1 0.2 0.35 0.5; do
		echo "# foreign program at $d s" >&2
		xf_daemon_stop KILL
		# Each round starts from xdpfwd's own program, the state a restart adopts.
		if [ "$(xf_xdp_prog "$IF_P" | cut -d' ' -f3)" != xdpfwd_xdp ]; then
			xf_p ip link set dev "$IF_P" xdp off
			xf_daemon --iface "$IF_P"
			xf_daemon_stop KILL
		fi
		xf_daemon_bg --iface "$IF_P"
		from=$XF_DAEMON_FROM
		sleep "$d"
		xf_attach_foreign "$IF_P" "$obj"
		foreign=$(xf_prog_id)
		rel_wait_ms 20 st_started >/dev/null || true
		sleep 0.5
		out=$(tail -c +"$from" "$XF_TMP/daemon.err")
		echo "$out" >&2
		# Nobody took the interface from the program that came last, without --force.
		[ "$(xf_prog_id)" = "$foreign" ]
		if kill -0 "$XF_DAEMON_PID" 2>/dev/null; then
			# Attached before the other program came: the watch saw it and left it.
			[[ "$out" == *"$IF_P: program 'xsk_def_prog' (id $foreign) replaced xdpfwd; leaving it"* ]]
		else
			[[ "$out" == *"$IF_P already has XDP program 'xsk_def_prog' (id $foreign, native mode) that xdpfwd does not own"* ]]
			[[ "$out" != *"adopted"* ]]
			[[ "$out" != *"attached program"* ]]
		fi
		[[ "$out" != *"stays attached"* ]]
	done
}

@test "the interface deleted 0-500 ms into a restart and created again: the daemon protects the new one" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2
	local d from
	for d in 0.02 0.1 0.2 0.35; do
		echo "# interface deleted at $d s" >&2
		xf_daemon_stop KILL
		xf_daemon_bg --iface "$IF_P"
		from=$XF_DAEMON_FROM
		sleep "$d"
		ip -n "$NS_P" link del "$IF_P"
		sleep 0.3
		ip link add "$IF_P" netns "$NS_P" type veth peer name "$IF_S" netns "$NS_S"
		for i in 2 3 4 5; do
			ip -n "$NS_S" addr add 198.18.0.$i/24 dev "$IF_S"
		done
		ip -n "$NS_P" addr add 198.18.0.1/24 dev "$IF_P"
		ip -n "$NS_P" link set "$IF_P" up
		ip -n "$NS_S" link set "$IF_S" up
		xf_static_neigh 2>/dev/null
		if ! rel_wait_ms 5 st_ours_attached >/dev/null; then
			echo "not protected; this start's stderr:" >&2
			tail -c +"$from" "$XF_TMP/daemon.err" >&2
			return 1
		fi
		st_blocked_dropped
		tail -c +"$from" "$XF_TMP/daemon.err" >&2
	done
}

# ---- several daemons at once on one fresh pin dir ----

# FILE has N lines matching PATTERN.
st_lines() {
	[ "$(xf_count_lines "$2" "$3")" = "$1" ]
}

# Ids of the maps pinned under $PIN that every program of the instance must use.
st_shared_map_ids() {
	rel_pinned_map_ids | grep -vE '^events_' | cut -d= -f2 | sort -n
}

st_exited() {
	! kill -0 "$1" 2>/dev/null
}

# The map ids program ID uses, one a line.
st_prog_map_ids() {
	bpftool -j prog show id "$1" | xf_json '"\n".join(map(str, j.get("map_ids", [])))'
}

@test "three daemons started at once on three interfaces and one fresh pin dir: one instance, 12 rounds" {
	xf_setup_pair2
	# A third pair, not a macvlan on IF_P: a generic-mode program on a macvlan makes the kernel
	# refuse native XDP changes on the device below it (EBUSY/EEXIST).
	ip link add "xfr$XF_ID" netns "$NS_P" type veth peer name "xfu$XF_ID" netns "$NS_S"
	xf_add_extra_if "xfr$XF_ID"
	ip -n "$NS_P" link set "xfr$XF_ID" up
	ip -n "$NS_S" link set "xfu$XF_ID" up
	local ifs=("$IF_P" "$IF_P2" "xfr$XF_ID") round ifc pids id shared missing n
	for round in $(seq 12); do
		echo "# round $round" >&2
		[ ! -e "$PIN" ]
		pids=()
		rm -f "$XF_TMP/go"
		mkfifo "$XF_TMP/go"
		for ifc in "${ifs[@]}"; do
			# Each waits at the fifo; closing it releases all three at the same instant.
			nsenter --net="/run/netns/$NS_P" sh -c 'read -r _ <"$0"; exec "$@"' "$XF_TMP/go" \
				"$XDPFWD" --pin-dir "$PIN" --iface "$ifc" \
				>>"$XF_TMP/daemon.out" 2>>"$XF_TMP/daemon.err.$round" 3>&- &
			pids+=($!)
			XF_PIDS+=($!)
		done
		sleep 0.2
		: >"$XF_TMP/go"
		rel_wait_ms 20 st_lines 3 'attached program' "$XF_TMP/daemon.err.$round" >/dev/null || {
			cat "$XF_TMP/daemon.err.$round" >&2
			return 1
		}
		shared=$(st_shared_map_ids)
		[ -n "$shared" ]
		for ifc in "${ifs[@]}"; do
			id=$(xf_prog_id "$ifc")
			[ -n "$id" ] || { echo "$ifc: nothing attached; stderr:" >&2; cat "$XF_TMP/daemon.err.$round" >&2; return 1; }
			# Every pinned map is one this interface's program uses (the program uses them all but
			# ifaces, log_state, clock, books and ban_books, which only user space touches).
			missing=$(comm -23 <(echo "$shared" | sort) <(st_prog_map_ids "$id" | sort) |
				grep -vxF -f <(rel_pinned_map_ids | grep -E '^(ifaces|log_state|clock|books|ban_books)=' |
					cut -d= -f2) || true)
			if [ -n "$missing" ]; then
				echo "$ifc: program $id does not use pinned maps $missing; stderr:" >&2
				cat "$XF_TMP/daemon.err.$round" >&2
				return 1
			fi
		done
		n=$(xf_json 'len(j["interfaces"])' xf_cli status --json)
		[ "$n" = 3 ]
		xf_cli detach --all >&2 || {
			cat "$XF_TMP/daemon.err.$round" >&2
			for ifc in "${ifs[@]}"; do ip -n "$NS_P" -d link show dev "$ifc" >&2; done
			xf_cli status >&2
			return 1
		}
		for ifc in "${ifs[@]}"; do
			[ -z "$(xf_xdp_prog "$ifc")" ] || { echo "$ifc still has $(xf_xdp_prog "$ifc")" >&2; return 1; }
		done
		# The daemons let their interfaces go and exit.
		for id in "${pids[@]}"; do
			rel_wait_ms 5 st_exited "$id" >/dev/null
		done
	done
}

# ---- a program left attached without pins ----

# What a kill -9 between attaching and pinning leaves: xdpfwd's program with maps of its own,
# attached, pinned nowhere (bpftool pins the program to load it; the pin goes at once).
st_attach_unpinned() {
	local obj=$1 tmp=$PIN-unpinned
	ST_EXTRA_DIRS+=("$tmp")
	xf_p bpftool prog load "$obj" "$tmp" type xdp
	xf_p bpftool net attach xdp pinned "$tmp" dev "$IF_P"
	rm -f "$tmp"
}

@test "xdpfwd's program attached without pins (a start killed before pinning) is recognised and replaced, no --force" {
	st_attach_unpinned "$(dirname "$REL_OUT")/xdpfwd.bpf.o"
	orphan=$(xf_prog_id)
	[ -n "$orphan" ]
	xf_daemon --iface "$IF_P"
	new=$(xf_prog_id)
	[ "$new" != "$orphan" ]
	grep -q "$IF_P: program 'xdpfwd_xdp' (id $orphan) is an xdpfwd program no instance published (same name, BTF and map layout" \
		"$XF_TMP/daemon.err"
	grep -q "$IF_P: attached program $new in native mode in place of the unpublished xdpfwd program $orphan" \
		"$XF_TMP/daemon.err"
	st_ours_attached
	xf_cli block add 198.18.0.2
	st_blocked_dropped
	# And the instance is whole: a restart adopts it as usual.
	xf_daemon_stop KILL
	xf_daemon --iface "$IF_P"
	grep -q "$IF_P: adopted the running firewall: program $new swapped for" "$XF_TMP/daemon.err"
}

# Holds the program pinned at PATH open (BPF_OBJ_GET, x86_64 bpf(2)) until killed, as a loader does.
ST_HOLD_PY='
import ctypes, struct, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
path = ctypes.create_string_buffer(sys.argv[1].encode())
attr = ctypes.create_string_buffer(struct.pack("QII", ctypes.addressof(path), 0, 0), 64)
fd = libc.syscall(321, 7, attr, 64)
assert fd >= 0, ctypes.get_errno()
open(sys.argv[2], "w").close()
time.sleep(60)
'

@test "an unpublished xdpfwd program that a process still holds (a start under way) is not replaced" {
	[ "$(uname -m)" = x86_64 ] || skip "the holder uses the x86_64 bpf(2) number"
	local tmp=$PIN-held
	ST_EXTRA_DIRS+=("$tmp")
	xf_p bpftool prog load "$(dirname "$REL_OUT")/xdpfwd.bpf.o" "$tmp" type xdp
	xf_p bpftool net attach xdp pinned "$tmp" dev "$IF_P"
	"$XF_PYTHON" -c "$ST_HOLD_PY" "$tmp" "$XF_TMP/held" 3>&- &
	XF_PIDS+=($!)
	holder=$!
	rel_wait_ms 5 test -e "$XF_TMP/held" >/dev/null
	rm -f "$tmp"
	id=$(xf_prog_id)
	run xf_p timeout 20 "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN" 3>&-
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"$IF_P already has XDP program 'xdpfwd_xdp' (id $id, native mode) that xdpfwd does not own"* ]]
	[ "$(xf_prog_id)" = "$id" ]
	# Once nobody holds it, it is the leftover of a dead start.
	kill "$holder"
	wait "$holder" 2>/dev/null || true
	xf_daemon --iface "$IF_P"
	grep -q "$IF_P: attached program $(xf_prog_id) in native mode in place of the unpublished xdpfwd program $id" \
		"$XF_TMP/daemon.err"
}

@test "another program that is only named xdpfwd_xdp is refused as foreign, not replaced" {
	cat >"$XF_TMP/impostor.bpf.c" <<-'EOF2'
		#include "vmlinux.h"
		#include <bpf/bpf_helpers.h>
		SEC("xdp") int xdpfwd_xdp(struct xdp_md *ctx) { return XDP_PASS; }
		char LICENSE[] SEC("license") = "GPL";
	EOF2
	rel_build_bpf "$XF_TMP/impostor.bpf.c" "$XF_TMP/impostor.bpf.o"
	st_attach_unpinned "$XF_TMP/impostor.bpf.o"
	id=$(xf_prog_id)
	[ "$(xf_xdp_prog "$IF_P" | cut -d' ' -f3)" = xdpfwd_xdp ]
	run xf_p timeout 20 "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN" 3>&-
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"$IF_P already has XDP program 'xdpfwd_xdp' (id $id, native mode) that xdpfwd does not own"* ]]
	[[ "$output" != *"no instance published"* ]]
	[ "$(xf_prog_id)" = "$id" ]
	[ ! -e "$PIN" ]
}

@test "an instance of another pin dir is not taken for an unpublished program" {
	xf_daemon --iface "$IF_P" --pin-dir "$PIN-other"
	ST_EXTRA_DIRS+=("$PIN-other")
	id=$(xf_prog_id)
	xf_daemon_stop KILL
	run xf_p timeout 20 "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN" 3>&-
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"$IF_P already has XDP program 'xdpfwd_xdp' (id $id, native mode) that xdpfwd does not own"* ]]
	[ "$(xf_prog_id)" = "$id" ]
}

# ---- where bpffs is not the host's, or cannot be mounted ----

@test "under ip netns exec the daemon refuses, naming nsenter, and attaches and mounts nothing" {
	run timeout 10 ip netns exec "$NS_P" "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN" 3>&-
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"runs in a mount namespace of its own whose /sys/fs/bpf is not the host's bpffs"* ]]
	[[ "$output" == *"nsenter --net=/run/netns/NAME"* ]]
	[ "$(echo "$output" | wc -l)" = 1 ]
	[ -z "$(xf_prog_id)" ]
	[ ! -e "$PIN" ]
}

@test "under ip netns exec a command says why it sees no instance; detach's advice names nsenter" {
	xf_daemon --iface "$IF_P"
	run ip netns exec "$NS_P" "$XDPFWD" status --pin-dir "$PIN" 3>&-
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"this xdpfwd command runs in a mount namespace of its own"*"nsenter --net=/run/netns/NAME"* ]]
	# From the host's network namespace, detach sends the operator into the daemon's.
	run "$XDPFWD" detach --all --pin-dir "$PIN" 3>&-
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"attached from another network namespace"*"nsenter --net=/run/netns/NAME xdpfwd detach"* ]]
	[[ "$output" != *"(ip netns exec NAME"* ]]
}

# A container's view: a pid and mount namespace of its own (so no process outside shows the
# host's bpffs) with /sys/fs/bpf unmounted; runs CMD... there, in NS_P's network namespace.
st_without_bpffs() {
	nsenter --net="/run/netns/$NS_P" unshare --mount --propagation private --pid --fork --mount-proc \
		sh -c 'for i in 1 2 3 4; do mountpoint -q /sys/fs/bpf && umount /sys/fs/bpf; done; "$@"' sh "$@" 3>&-
}

# Refuses mount(2) with EPERM through a seccomp filter, as systemd's SystemCallFilter= does, then
# execs CMD... (x86_64 syscall numbers).
ST_NO_MOUNT_PY='
import ctypes, os, struct, sys
ALLOW, EPERM = 0x7fff0000, 0x00050000 | 1
insns = [(0x20, 0, 0, 4), (0x15, 1, 0, 0xc000003e), (0x06, 0, 0, ALLOW),
         (0x20, 0, 0, 0), (0x15, 0, 1, 165), (0x06, 0, 0, EPERM), (0x06, 0, 0, ALLOW)]
buf = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *i) for i in insns))
prog = struct.pack("HxxxxxxQ", len(insns), ctypes.addressof(buf))
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
assert libc.prctl(38, 1, 0, 0, 0) == 0                       # PR_SET_NO_NEW_PRIVS
fprog = ctypes.create_string_buffer(prog)
assert libc.prctl(22, 2, ctypes.addressof(fprog), 0, 0) == 0  # PR_SET_SECCOMP, FILTER
os.execv(sys.argv[1], sys.argv[1:])
'

# Starts the daemon on IF_P through WRAPPER... (a command that execs its arguments) without bpffs
# (st_without_bpffs); mount(2) is refused, so the start must fail with exit 1 and one line that
# gives CAUSE for the EPERM (and does not blame a missing root), with nothing attached.
st_mount_refused() {
	local cause=$1
	shift
	run st_without_bpffs "$@" "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN"
	echo "$output"
	[ "$status" = 1 ] || return 1
	[[ "$output" == *"mounting bpffs on /sys/fs/bpf failed: Operation not permitted: $cause"* ]] || return 1
	[[ "$output" != *"run as root"* ]] || return 1
	[ "$(echo "$output" | wc -l)" = 1 ] || return 1
	[ -z "$(xf_prog_id)" ]
}

@test "bpffs not mounted and mount(2) refused for want of CAP_SYS_ADMIN: the message names that cause" {
	st_mount_refused "mounting needs CAP_SYS_ADMIN, which this process does not have; mount bpffs there before starting xdpfwd" \
		setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin
}

@test "bpffs not mounted and mount(2) refused by a seccomp filter to root: the message names the filter" {
	[ "$(uname -m)" = x86_64 ] || skip "the filter uses x86_64 syscall numbers"
	st_mount_refused "a seccomp filter forbids mount(2) to this process" "$XF_PYTHON" -c "$ST_NO_MOUNT_PY"
}

@test "a pin dir that is a symlink, even to a safe directory, is refused before anything is locked or pinned" {
	mkdir -m 0700 "$PIN-target"
	ST_EXTRA_DIRS+=("$PIN-target")
	ln -s "$PIN-target" "$PIN"
	run xf_p timeout 20 "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN" 3>&-
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"pin dir $PIN exists but is not a directory"* ]]
	[ -z "$(ls -A "$PIN-target")" ]
	[ -z "$(xf_prog_id)" ]
	rm "$PIN"
}
