#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The units in systemd/ under a real systemd 252 running as PID 1 (a Debian bookworm container
# booted by boot.bash), driven with systemctl from outside; traffic from a sender namespace.
# One boot for the whole file: the tests run in order and build on each other.
# Root only. The base is built on first use (tests/systemd/base.sh: 41 s to 2 min 15 s here).
#
# Addresses in the sender namespace: .2 blocked at run time (`xdpfwd block add --persist`, so
# it outlives restarts on fresh maps; reloads never touch set manual), .3 never blocked (the control), .4 in /etc/xdpfwd/blocklist
# from the start, .5 added to it before a reload.

load boot

# The exposure `systemd-analyze security` gives xdpfwd@.service under systemd 252: 2.0 (1.8
# before ProtectKernelTunables= had to go; see the unit). Raise deliberately.
MAX_EXPOSURE=2.0
# Shortened for the test (30 s in the unit), so that two periods pass in a few seconds.
WATCHDOG_SEC=3

setup_file() {
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
	# (bats 1.8 cannot skip from setup_file: setup does it for every test.)
	if SD_SKIP=$(sd_unsupported); then
		export SD_SKIP
		return 0
	fi
	# A failed boot cleans up after itself; teardown_file does it after the tests.
	if ! sd_boot; then
		sd_cleanup
		return 1
	fi
	IFC=xsc$SD_ID
	# A name with a '-', which the unit's instance name carries escaped (xt\x2dc...).
	IFC2=xt-c$SD_ID
	CUNIT2=xdpfwd-container@$(systemd-escape "$IFC2").service
	export SD_ID SD_TMP SD_ROOT SD_CG SD_PID SD_UNSHARE NS_S IFC IFC2 CUNIT2
	sd_link "$IFC"
	# The list file as an admin edits it; the test's shorter watchdog as a drop-in.
	echo 198.18.0.4 >>"$SD_ROOT/etc/xdpfwd/blocklist"
	mkdir -p "$SD_ROOT/etc/systemd/system/xdpfwd@.service.d"
	printf '[Service]\nWatchdogSec=%ss\n' "$WATCHDOG_SEC" \
		>"$SD_ROOT/etc/systemd/system/xdpfwd@.service.d/test-watchdog.conf"
	sd_in systemctl daemon-reload
}

setup() {
	[ -z "${SD_SKIP:-}" ] || skip "$SD_SKIP"
}

teardown_file() {
	# Leave the host as found; say so if not.
	[ -s "${SD_TMP:-/nonexistent}/server.pid" ] && kill "$(cat "$SD_TMP/server.pid")" 2>/dev/null
	sd_cleanup
	sd_host_clean
}

main_pid() {
	sd_in systemctl show -p MainPID --value "$1"
}

# Waits (at most SECONDS, default 10) until the unit's journal has a line matching ERE.
wait_journal() {
	local unit=$1 ere=$2 secs=${3:-10} i
	for i in $(seq $((secs * 10))); do
		sd_in journalctl -q -u "$unit" --no-pager | grep -qE -- "$ere" && return 0
		sleep 0.1
	done
	echo "no '$ere' in the journal of $unit:" >&2
	sd_in journalctl -q -u "$unit" --no-pager | tail -n 20 >&2
	return 1
}

# How often the unit applied the list file so far (at start and on every reload).
applied() {
	sd_in journalctl -q -u "xdpfwd@$IFC" --no-pager | grep -c 'block set file: [0-9]* entries from /etc/xdpfwd/blocklist'
}

xdp_attached() {
	sd_net ip -d link show dev "$1" | grep -q 'prog/xdp id'
}

@test "systemctl enable xdpfwd@IF prints nothing but the symlinks it creates, and the boot starts it" {
	run sd_in systemctl enable "xdpfwd@$IFC" 2>&1
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^Created symlink' <<<"$output"
	[ -z "$(grep -v '^Created symlink' <<<"$output")" ]
	# What the boot does: multi-user.target's start pulls in what it wants.
	[ "$(sd_in systemctl show -p ActiveState --value "xdpfwd@$IFC")" = inactive ]
	sd_in timeout 30 systemctl start multi-user.target
	[ "$(sd_in systemctl show -p ActiveState --value "xdpfwd@$IFC")" = active ]
	sd_in timeout 30 systemctl stop "xdpfwd@$IFC"
	sd_in systemctl disable -q "xdpfwd@$IFC"
}

@test "start: READY, status line, attached, journal, the list file applied" {
	local t0 t1 n
	t0=$(date +%s%N)
	run sd_in timeout 30 systemctl start "xdpfwd@$IFC"
	t1=$(date +%s%N)
	echo "$output"
	[ "$status" -eq 0 ]
	echo "# systemctl start took $(((t1 - t0) / 1000000)) ms" >&3
	# Type=notify: active only after READY=1; the status line comes from STATUS=.
	[ "$(sd_in systemctl show -p ActiveState --value "xdpfwd@$IFC")" = active ]
	[ "$(sd_in systemctl show -p SubState --value "xdpfwd@$IFC")" = running ]
	sd_in systemctl show -p StatusText --value "xdpfwd@$IFC" | grep -q 'enforcing on 1 interface'
	xdp_attached "$IFC"
	wait_journal "xdpfwd@$IFC" "$IFC: attached program"
	wait_journal "xdpfwd@$IFC" 'block set file: 1 entries from /etc/xdpfwd/blocklist'
	[ "$(xf_ping 198.18.0.4 5 50)" = 0 ]
	[ "$(xf_ping 198.18.0.3 5 50)" = 5 ]
	n=$(sd_in ls "/proc/$(main_pid "xdpfwd@$IFC")/fd" | wc -l)
	echo "# descriptors after start: $n" >&3
	[ "$(sd_in systemctl show -p LimitNOFILE --value "xdpfwd@$IFC")" = 512 ]
}

# The options of the mount the daemon sees at PATH (the last one mounted there).
mount_opts() {
	sd_in awk -v m="$1" '$5 == m { o = $6 } END { print o }' "/proc/$(main_pid "xdpfwd@$IFC")/mountinfo"
}

@test "the sandbox: what ProtectKernelTunables= did, with /sys/fs/bpf writable" {
	[[ "$(mount_opts /sys/fs/bpf)" == rw,* ]]
	[[ "$(mount_opts /sys)" == ro,* ]]
	# The kernel's tunables and symbols: not in the daemon's /proc at all (ProcSubset=pid), or
	# read-only / inaccessible where a /proc shows them.
	local p pid
	pid=$(main_pid "xdpfwd@$IFC")
	for p in /proc/sys /proc/irq /proc/kallsyms /proc/kcore; do
		if sd_in test -e "/proc/$pid/root$p"; then
			[ -n "$(mount_opts "$p")" ]
		fi
	done
	! sd_in test -e "/proc/$pid/root/proc/sys/kernel" || false
	# ProcSubset=pid hides the kernel's config from the daemon, which still runs the program on
	# jiffies: HZ measured (clock source 2) and recorded for every reader.
	! sd_in test -e "/proc/$(main_pid "xdpfwd@$IFC")/root/proc/config.gz" || false
	local clock
	clock=$(bpftool -j map dump pinned "/proc/$SD_PID/root/sys/fs/bpf/xdpfwd/clock")
	python3 -c 'import json,sys; v=json.loads(sys.argv[1])[0]["formatted"]["value"]; \
		assert v["kind"] == 1 and v["source"] == 2 and v["hz"] > 0, v' "$clock"
}

@test "xdpfwd block add is enforced; LAST_HIT is the real hit's time" {
	local before after hit line
	sd_in xdpfwd block add --persist 198.18.0.2
	[ "$(xf_ping 198.18.0.2 5 50)" = 0 ]
	[ "$(xf_ping 198.18.0.3 5 50)" = 5 ]
	sleep 2
	before=$(date +%s.%N)
	[ "$(xf_ping 198.18.0.2 1 50)" = 0 ]
	after=$(date +%s.%N)
	# Read outside the unit, as an admin does.
	line=$(sd_in xdpfwd block list | awk '$1 == "198.18.0.2"')
	echo "$line"
	hit=$(date -d "$(awk '{print $4}' <<<"$line")" +%s.%N)
	echo "# LAST_HIT $hit, the ping between $before and $after" >&3
	awk -v h="$hit" -v b="$before" -v a="$after" 'BEGIN { exit !(h >= b - 2 && h <= a + 2) }'
}

@test "reload: the list file and the sets dir are read again, the same process" {
	local pid before
	pid=$(main_pid "xdpfwd@$IFC")
	before=$(applied)
	echo 198.18.0.5 >>"$SD_ROOT/etc/xdpfwd/blocklist"
	# A set file in the unit's sets dir (make install made it), in audit mode: logged, not dropped.
	printf '# xdpfwd-set: mode=audit\n198.18.99.0/24\n' >"$SD_ROOT/etc/xdpfwd/sets.d/feed.list"
	[ "$(xf_ping 198.18.0.5 3 50)" = 3 ]
	sd_in timeout 30 systemctl reload "xdpfwd@$IFC"
	[ "$(main_pid "xdpfwd@$IFC")" = "$pid" ]
	[ "$(sd_in systemctl show -p ActiveState --value "xdpfwd@$IFC")" = active ]
	wait_journal "xdpfwd@$IFC" 'block set file: 2 entries from /etc/xdpfwd/blocklist'
	wait_journal "xdpfwd@$IFC" 'block set feed: 1 entries from /etc/xdpfwd/sets.d/feed.list, audit mode'
	[ "$(applied)" = $((before + 1)) ]
	[ "$(xf_ping 198.18.0.5 5 50)" = 0 ]
	[ "$(xf_ping 198.18.0.4 5 50)" = 0 ]
	# In set manual, which no reload touches (and persisted, for restarts on fresh maps).
	[ "$(xf_ping 198.18.0.2 5 50)" = 0 ]
	[ "$(xf_ping 198.18.0.3 5 50)" = 5 ]
}

@test "the sets dir follows its files without a reload: inotify works in the unit's sandbox" {
	local pid
	pid=$(main_pid "xdpfwd@$IFC")
	# Renamed over, as a download or an editor does; no reload.
	printf '198.18.0.3\n' >"$SD_ROOT/etc/xdpfwd/sets.d/.watched.tmp"
	mv "$SD_ROOT/etc/xdpfwd/sets.d/.watched.tmp" "$SD_ROOT/etc/xdpfwd/sets.d/watched.list"
	wait_journal "xdpfwd@$IFC" 'block set watched: 1 entries from /etc/xdpfwd/sets.d/watched.list' 3
	[ "$(xf_ping 198.18.0.3 5 50)" = 0 ]
	rm "$SD_ROOT/etc/xdpfwd/sets.d/watched.list"
	wait_journal "xdpfwd@$IFC" 'block set watched: its file /etc/xdpfwd/sets.d/watched.list is gone: flushed and removed' 3
	[ "$(xf_ping 198.18.0.3 5 50)" = 5 ]
	[ "$(main_pid "xdpfwd@$IFC")" = "$pid" ]
	sd_in journalctl -q -u "xdpfwd@$IFC" --no-pager | grep -q 'sets dir /etc/xdpfwd/sets.d: applying its files as they change'
}

@test "reload: /etc/xdpfwd/limits.conf sets the flood defense in place, the same process and program" {
	local pid prog
	pid=$(main_pid "xdpfwd@$IFC")
	prog=$(sd_net ip -d link show dev "$IFC" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
	[ -n "$prog" ]
	# As installed: every line commented out, limits off.
	[ "$(sd_in xdpfwd limit | head -n 1)" = off ]
	cp "$SD_ROOT/etc/xdpfwd/limits.conf" "$SD_TMP/limits.conf.orig"
	printf 'limit-pps=10k\nlimit-ban=1h\n' >>"$SD_ROOT/etc/xdpfwd/limits.conf"
	sd_in timeout 30 systemctl reload "xdpfwd@$IFC"
	wait_journal "xdpfwd@$IFC" 'flood defense \(SIGHUP\): pps=10k bps=off burst=10000 .* action=ban ban=1h'
	[ "$(main_pid "xdpfwd@$IFC")" = "$pid" ]
	[ "$(sd_net ip -d link show dev "$IFC" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')" = "$prog" ]
	sd_in xdpfwd limit | grep -q '^pps=10k .* action=ban ban=1h$'
	sd_in xdpfwd sets | grep -qE '^block +auto '
	# Back as installed: off again at the next reload; set auto and its bans stay.
	cp "$SD_TMP/limits.conf.orig" "$SD_ROOT/etc/xdpfwd/limits.conf"
	sd_in timeout 30 systemctl reload "xdpfwd@$IFC"
	wait_journal "xdpfwd@$IFC" 'flood defense \(SIGHUP\): off$'
	[ "$(sd_in xdpfwd limit | head -n 1)" = off ]
	[ "$(xf_ping 198.18.0.3 5 50)" = 5 ]
}

# The feed server (tests/lib/feed_server.py) in NS_S at 198.18.0.3, never blocked here; it
# exits by itself after 60 s if the test dies before it stops it.
feed_server_start() {
	mkdir -p "$SD_TMP/www"
	nsenter --net="/run/netns/$NS_S" python3 "$SD_DIR/../lib/feed_server.py" 198.18.0.3 8080 \
		"$SD_TMP/www" "$SD_TMP/server.ready" "$SD_TMP/server.log" 60 >"$SD_TMP/server.err" 2>&1 3>&- &
	FEED_SERVER=$!
	echo "$FEED_SERVER" >"$SD_TMP/server.pid"
	for _ in $(seq 50); do
		[ -e "$SD_TMP/server.ready" ] && return 0
		sleep 0.1
	done
	cat "$SD_TMP/server.err" >&2
	return 1
}

@test "xdpfwd-feed@NAME: the feed becomes set NAME; 304 loads nothing; a failed fetch fails the unit, keeps the set" {
	local unit=xdpfwd-feed@spamhaus.service conf=$SD_ROOT/etc/xdpfwd/feeds/spamhaus.conf line
	printf '; Spamhaus DROP List (xdpfwd test)\n198.19.64.0/20 ; SBL000001\n198.19.80.0/20 ; SBL000002\n' \
		>"$SD_TMP/drop.txt"
	feed_server_start
	cp "$SD_TMP/drop.txt" "$SD_TMP/www/drop.txt"
	# As the example the install ships, pointed at the test's server.
	sed -e 's|^url=.*|url=http://198.18.0.3:8080/f/drop.txt|' \
		"$SD_ROOT/etc/xdpfwd/feeds/spamhaus.conf.example" >"$conf"
	run sd_in timeout 30 systemctl start "$unit"
	echo "$output"
	[ "$status" -eq 0 ]
	wait_journal "$unit" 'xdpfwd-feed\[[0-9]+\]: feed spamhaus: loaded 2 entries from http://198.18.0.3:8080/f/drop.txt \(.*\) into block set spamhaus$'
	line=$(sd_in xdpfwd sets | awk '$2 == "spamhaus"')
	echo "$line"
	[[ "$line" =~ ^block\ +spamhaus\ +enforce\ .*\ 2\ .*\ /var/lib/xdpfwd/feeds/spamhaus.body$ ]]
	[ "$(stat -c %a "$SD_ROOT/var/lib/xdpfwd/feeds")" = 700 ]
	# Unchanged: a conditional GET, 304, nothing loaded, the unit succeeds.
	sd_in timeout 30 systemctl start "$unit"
	wait_journal "$unit" 'feed spamhaus: not modified since the last load .*: nothing loaded, block set spamhaus keeps its entries$'
	[[ "$(tail -n 1 "$SD_TMP/server.log")" == 'GET /f/drop.txt inm="'*' -> 304' ]]
	# The server fails: the unit fails, `systemctl status` says so, the journal says why at
	# priority err, and the set stays in force.
	sed -i 's|^url=.*|url=http://198.18.0.3:8080/status/500|' "$conf"
	run sd_in timeout 30 systemctl start "$unit"
	[ "$status" -ne 0 ]
	[ "$(sd_in systemctl show -p ActiveState --value "$unit")" = failed ]
	run sd_in systemctl status --no-pager "$unit"
	echo "$output"
	[[ "$output" == *"Active: failed (Result: exit-code)"* ]]
	sd_in journalctl -q -u "$unit" -p err --no-pager | grep -q 'feed spamhaus: fetching http://198.18.0.3:8080/status/500 failed, the download failed: .*500; block set spamhaus keeps its entries; '
	[[ "$(sd_in xdpfwd sets | awk '$2 == "spamhaus"')" =~ ^block\ +spamhaus\ +enforce\ .*\ 2\  ]]
	sd_in systemctl reset-failed "$unit"
	# The timer: enabled, it has a next run.
	sd_in systemctl enable -q --now xdpfwd-feed@spamhaus.timer
	[ "$(sd_in systemctl show -p ActiveState --value xdpfwd-feed@spamhaus.timer)" = active ]
	[ -n "$(sd_in systemctl show -p NextElapseUSecRealtime --value xdpfwd-feed@spamhaus.timer)" ]
	sd_in systemctl disable -q --now xdpfwd-feed@spamhaus.timer
	echo "# $(sd_in systemd-analyze security --no-pager "$unit" | grep 'Overall exposure level')" >&3
	kill "$FEED_SERVER"
	wait "$FEED_SERVER" || true
	rm -f "$SD_TMP/server.pid"
	sd_in xdpfwd sets del block spamhaus
	rm -f "$conf"
}

@test "systemd-analyze verify accepts the feed units as installed" {
	# --man=no: the container has no man-db (tests/ops/install.bats checks the page on the host).
	run sd_in systemd-analyze verify --man=no xdpfwd-feed@spamhaus.service xdpfwd-feed@spamhaus.timer
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "the watchdog does not fire in twice WatchdogSec" {
	local pid
	pid=$(main_pid "xdpfwd@$IFC")
	[ "$(sd_in systemctl show -p WatchdogUSec --value "xdpfwd@$IFC")" = "${WATCHDOG_SEC}s" ]
	sleep $((2 * WATCHDOG_SEC + 1))
	[ "$(main_pid "xdpfwd@$IFC")" = "$pid" ]
	[ "$(sd_in systemctl show -p NRestarts --value "xdpfwd@$IFC")" = 0 ]
	[ "$(sd_in systemctl show -p ActiveState --value "xdpfwd@$IFC")" = active ]
	run sd_in journalctl -q -u "xdpfwd@$IFC" --no-pager
	[ "$(grep -ci 'watchdog' <<<"$output")" = 0 ]
}

@test "stop leaves the firewall enforcing" {
	sd_in timeout 30 systemctl stop "xdpfwd@$IFC"
	[ "$(sd_in systemctl show -p ActiveState --value "xdpfwd@$IFC")" = inactive ]
	xdp_attached "$IFC"
	[ "$(xf_ping 198.18.0.2 5 50)" = 0 ]
	[ "$(xf_ping 198.18.0.4 5 50)" = 0 ]
	[ "$(xf_ping 198.18.0.3 5 50)" = 5 ]
}

@test "start and restart adopt the running firewall: no ping from a blocked address answered" {
	local out=$SD_TMP/ping.out
	sd_in timeout 30 systemctl start "xdpfwd@$IFC"
	wait_journal "xdpfwd@$IFC" 'adopted the running firewall'
	# 60 pings over 3 s from an address in the list file while the unit restarts.
	xf_ping 198.18.0.4 60 50 >"$out" 3>&- &
	sleep 0.5
	sd_in timeout 30 systemctl restart "xdpfwd@$IFC"
	wait
	echo "# answered during the restart: $(cat "$out") of 60" >&3
	[ "$(cat "$out")" = 0 ]
	[ "$(sd_in systemctl show -p ActiveState --value "xdpfwd@$IFC")" = active ]
	[ "$(xf_ping 198.18.0.3 5 50)" = 5 ]
}

@test "systemd-analyze security: the exposure is no worse than $MAX_EXPOSURE" {
	# Before the metrics drop-in, which allows AF_INET and raises the figure by 0.2.
	local line score
	line=$(sd_in systemd-analyze security --no-pager "xdpfwd@$IFC" | grep 'Overall exposure level')
	echo "# $line" >&3
	score=$(sed -E 's/.*: ([0-9]+\.[0-9]+) .*/\1/' <<<"$line")
	awk -v s="$score" -v max="$MAX_EXPOSURE" 'BEGIN { exit !(s <= max) }'
}

@test "metrics with the documented drop-in (--metrics-listen, AF_INET)" {
	local body
	echo 'XDPFWD_IFACE_OPTS=--metrics-listen 127.0.0.1:9740' >"$SD_ROOT/etc/xdpfwd/$IFC.conf"
	mkdir -p "$SD_ROOT/etc/systemd/system/xdpfwd@$IFC.service.d"
	printf '[Service]\nRestrictAddressFamilies=AF_INET AF_INET6\n' \
		>"$SD_ROOT/etc/systemd/system/xdpfwd@$IFC.service.d/metrics.conf"
	sd_in systemctl daemon-reload
	sd_in timeout 30 systemctl restart "xdpfwd@$IFC"
	wait_journal "xdpfwd@$IFC" 'serving metrics on http://127.0.0.1:9740/metrics'
	body=$(sd_net python3 -c 'import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode(), end="")' http://127.0.0.1:9740/metrics)
	grep -q '^xdpfwd_entries{list="block",kind="address"} 3$' <<<"$body"
	grep -q "^xdpfwd_interface_attached{interface=\"$IFC\"" <<<"$body"
}

@test "the interface deleted and recreated: the same process attaches again" {
	local pid
	pid=$(main_pid "xdpfwd@$IFC")
	sd_net ip link del "$IFC"
	wait_journal "xdpfwd@$IFC" "$IFC: interface disappeared"
	sd_link "$IFC"
	wait_journal "xdpfwd@$IFC" "$IFC: re-attached program"
	[ "$(main_pid "xdpfwd@$IFC")" = "$pid" ]
	[ "$(sd_in systemctl show -p ActiveState --value "xdpfwd@$IFC")" = active ]
	xdp_attached "$IFC"
	[ "$(xf_ping 198.18.0.2 5 50)" = 0 ]
	[ "$(xf_ping 198.18.0.3 5 50)" = 5 ]
}

@test "xdpfwd-container@IF starts in under 5 s where udev announces nothing, and attaches again" {
	# (IF has a '-' in its name here: the unit gets it back from its escaped instance name.)
	local t0 t1 pid
	# No udev from here on: new interfaces get no device unit, as in a container without it.
	sd_in systemctl stop systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket
	ip link add "$IFC2" netns "$SD_PID" type veth peer name "${IFC2/c/s}" netns "$NS_S"
	sd_net ip link set "$IFC2" up
	t0=$(date +%s%N)
	sd_in timeout 30 systemctl start "$CUNIT2"
	t1=$(date +%s%N)
	echo "# systemctl start xdpfwd-container@ took $(((t1 - t0) / 1000000)) ms" >&3
	[ $((t1 - t0)) -lt 5000000000 ]
	[ "$(sd_in systemctl show -p ActiveState --value "$CUNIT2")" = active ]
	xdp_attached "$IFC2"
	# It joined the running instance: one blocklist for both interfaces.
	sd_in xdpfwd status | grep -q "$IFC2"
	pid=$(main_pid "$CUNIT2")
	sd_net ip link del "$IFC2"
	wait_journal "$CUNIT2" "$IFC2: interface disappeared"
	ip link add "$IFC2" netns "$SD_PID" type veth peer name "${IFC2/c/s}" netns "$NS_S"
	wait_journal "$CUNIT2" "$IFC2: re-attached program"
	[ "$(main_pid "$CUNIT2")" = "$pid" ]
	xdp_attached "$IFC2"
}
