#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Security: pins 0600 in a 0700 directory whatever the umask; a pin directory or a map at one of
# our names that xdpfwd did not create is refused, not reused; without root every command says
# so and changes nothing.

load rel.bash

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)

setup() {
	rel_setup
}

teardown() {
	rel_teardown
}

modes_under_pin() {
	stat -c '%a %u %n' "$PIN" "$PIN"/*
}

@test "pins are 0600 and the pin dir 0700 under umask 000, also after the daemon re-pins" {
	local old
	old=$(umask)
	umask 000
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2
	xf_cli block load <(echo 198.18.0.3)
	umask "$old"
	modes_under_pin
	[ "$(stat -c '%a %u' "$PIN")" = "700 0" ]
	[ "$(ls "$PIN" | wc -l)" -ge 16 ]
	[ -z "$(stat -c '%a %u %n' "$PIN"/* | grep -v '^600 0 ')" ]
	# Pins put back by the running daemon (started under umask 000) are 0600 too.
	rm "$PIN/prog" "$PIN/meta"
	rel_wait_ms 2 test -e "$PIN/prog"
	[ -z "$(stat -c '%a %u %n' "$PIN"/* | grep -v '^600 0 ')" ]
	rel_figure "pin dir $(stat -c %a "$PIN"), $(ls "$PIN" | wc -l) pins all 600, owner root"
}

# The daemon must refuse the pin dir: exit 1, MESSAGE, nothing attached, the dir untouched.
refused() {
	local message=$1 before
	before=$(stat -c '%a %u %Y' "$PIN"; ls -ln "$PIN")
	run xf_p timeout 10 "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN" 3>&-
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"$message"* ]]
	[ -z "$(xf_prog_id)" ]
	[ "$(stat -c '%a %u %Y' "$PIN"; ls -ln "$PIN")" = "$before" ]
}

@test "a pre-existing pin dir with mode 0755 is refused" {
	mkdir -m 0755 "$PIN"
	refused "pin dir $PIN is owned by uid 0 with mode 0755; refusing to trust it"
}

@test "a pre-existing pin dir owned by uid 65534 is refused" {
	mkdir -m 0700 "$PIN"
	chown 65534:65534 "$PIN"
	refused "pin dir $PIN is owned by uid 65534 with mode 0700; refusing to trust it"
}

@test "a foreign map of another shape pinned at one of our names is refused, not reused" {
	mkdir -m 0700 "$PIN"
	bpftool map create "$PIN/stats" type array key 4 value 8 entries 1 name stats
	id=$(bpftool -j map show pinned "$PIN/stats" | xf_json 'j["id"]')
	refused "pinned map $PIN/stats ('stats': type 2, key 4, value 8 bytes, 1 entries) does not match the program's"
	[ "$(bpftool -j map show pinned "$PIN/stats" | xf_json 'j["id"]')" = "$id" ]
}

@test "a foreign map of our shape but another size pinned at one of our names is refused, not reused" {
	mkdir -m 0700 "$PIN"
	# ifaces as the program declares it (hash, 4-byte key, 32-byte value), but 8 entries, not 64.
	bpftool map create "$PIN/ifaces" type hash key 4 value 32 entries 8 name ifaces
	refused "ifaces"
}

# Everything a non-root command could have changed.
snapshot() {
	xf_prog_id
	xf_cli block list
	rel_pinned_map_ids
	stat -c '%a %u %n' "$PIN" "$PIN"/*
}

@test "without root every command says it needs root and changes nothing" {
	xf_daemon --iface "$IF_P"
	xf_cli block add 198.18.0.2
	xf_daemon_stop TERM
	before=$(snapshot)
	local cmds=(
		"--iface $IF_P --pin-dir $PIN"
		"block add 198.18.0.3 --pin-dir $PIN"
		"block del 198.18.0.2 --pin-dir $PIN"
		"block list --pin-dir $PIN"
		"block load /dev/null --pin-dir $PIN"
		"status --pin-dir $PIN"
		"detach --iface $IF_P --pin-dir $PIN"
	)
	for c in "${cmds[@]}"; do
		# shellcheck disable=SC2086
		run xf_p "${NOBODY[@]}" "$XDPFWD" $c 3>&-
		echo "xdpfwd $c: $status: $output"
		[ "$status" = 1 ]
		# The list of capabilities may grow (CAP_PERFMON, ...); it starts with these two.
		[[ "$output" == *"needs root (CAP_BPF, CAP_NET_ADMIN"* ]]
	done
	[ "$(snapshot)" = "$before" ]
	# And the firewall still enforces.
	[ "$(rel_flood 198.18.0.2 500 1 2000)" = 500 ]
	sleep 0.2
	[ "$(rel_count 198.18.0.2)" = 0 ]
	rel_figure "${#cmds[@]} commands run as uid 65534 without capabilities: all refused, nothing changed"
}

# A state dir that another user owns, and a root file that user would like overwritten.
untrusted_state() {
	STATE=$XF_TMP/state
	VICTIM=$XF_TMP/victim
	# uid 65534 must reach into XF_TMP (0700) to plant its files.
	chmod 711 "$XF_TMP"
	mkdir -m 0755 "$STATE"
	chown 65534:65534 "$STATE"
	echo precious >"$VICTIM"
}

@test "--persist into a state dir another user owns: refused, a symlink at blocklist.tmp overwrites nothing" {
	untrusted_state
	"${NOBODY[@]}" ln -s "$VICTIM" "$STATE/blocklist.tmp"
	xf_daemon --iface "$IF_P" --state-dir "$XF_TMP/rootstate"
	run xf_cli block add 198.18.0.2 --persist --state-dir "$STATE"
	echo "$output"
	cat "$VICTIM"
	[ "$(cat "$VICTIM")" = precious ]
	[ "$status" = 1 ]
	[[ "$output" == *"state dir $STATE is owned by uid 65534 with mode 0755; refusing to trust it (chown root and chmod go-w it, or choose another --state-dir)"* ]]
	[ -L "$STATE/blocklist.tmp" ]
	# Refused before the lists changed.
	[ -z "$(xf_entries | sort)" ]
	# Root's own but writable by others, or a symlink to a good one: refused too.
	mkdir -m 0777 "$XF_TMP/open"
	run xf_cli block add 198.18.0.2 --persist --state-dir "$XF_TMP/open"
	[ "$status" = 1 ]
	[[ "$output" == *"state dir $XF_TMP/open is owned by uid 0 with mode 0777; refusing to trust it"* ]]
	mkdir -m 0700 "$XF_TMP/good"
	ln -s "$XF_TMP/good" "$XF_TMP/link"
	run xf_cli block add 198.18.0.2 --persist --state-dir "$XF_TMP/link"
	[ "$status" = 1 ]
	[[ "$output" == *"state dir $XF_TMP/link is a symlink or not a directory; refusing to trust it"* ]]
	[ -z "$(xf_entries | sort)" ]
	[ -z "$(ls "$XF_TMP/good")" ]
}

@test "0.0.0.0/0 planted in the persisted allowlist by the state dir's owner: the start is refused" {
	untrusted_state
	"${NOBODY[@]}" sh -c "echo 0.0.0.0/0 >'$STATE/allowlist'"
	run xf_p timeout 10 "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN" --state-dir "$STATE" 3>&-
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"state dir $STATE is owned by uid 65534 with mode 0755; refusing to trust it"* ]]
	[ -z "$(xf_prog_id)" ]
	[ ! -e "$PIN" ]
	# In root's own state dir, a /0 that --force did not put there is refused at FILE:LINE.
	mkdir -m 0700 "$XF_TMP/rootstate"
	printf '198.18.0.4\n0.0.0.0/0\n' >"$XF_TMP/rootstate/allowlist"
	run xf_p timeout 10 "$XDPFWD" --iface "$IF_P" --pin-dir "$PIN" --state-dir "$XF_TMP/rootstate" 3>&-
	[ "$status" = 1 ]
	[[ "$output" == *"$XF_TMP/rootstate/allowlist:2: 0.0.0.0/0 matches every IPv4 source; end the line with '# --force' if you mean it"* ]]
	[ -z "$(xf_prog_id)" ]
}
