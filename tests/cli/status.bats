#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xdpfwd status and status --json: interfaces and their program, list sizes, packet counters,
# event accounting; the same with the daemon stopped.

load cli_helpers

setup() {
	cli_setup_daemon
}

status_json() {
	xf_cli status --json >"$XF_TMP/status.json"
	xf_json "$1" <"$XF_TMP/status.json"
}

@test "status --json: the interface is attached in native mode with the program ip link and bpftool show" {
	run -0 --separate-stderr xf_cli status --json
	echo "$output" >"$XF_TMP/status.json"
	[ "$(status_json 'len(j["interfaces"])')" -eq 1 ]
	[ "$(status_json 'j["interfaces"][0]["name"]')" = "$IF_P" ]
	# -j is --json.
	[ "$(xf_cli status -j | xf_json 'j["interfaces"][0]["name"]')" = "$IF_P" ]
	[ "$(status_json 'j["interfaces"][0]["state"]')" = attached ]
	[ "$(status_json 'j["interfaces"][0]["mode"]')" = native ]
	[ "$(status_json 'j["pin_dir"]')" = "$PIN" ]
	local id link_id net_id pinned_id
	id=$(status_json 'j["interfaces"][0]["prog_id"]')
	[ "$id" -gt 0 ]
	link_id=$(xf_prog_id)
	net_id=$(xf_p bpftool net show dev "$IF_P" -j | xf_json 'j[0]["xdp"][0]["id"]')
	pinned_id=$(bpftool prog show pinned "$PIN/prog" -j | xf_json 'j["id"]')
	[ "$pinned_id" = "$id" ]
	if [ "$(status_json 'j["interfaces"][0]["dispatcher"]')" = False ]; then
		[ "$link_id" = "$id" ]
		[ "$net_id" = "$id" ]
		[ "$(xf_p bpftool net show dev "$IF_P" -j | xf_json 'j[0]["xdp"][0]["mode"]')" = driver ]
	else
		# Under libxdp's dispatcher the interface runs the dispatcher, which runs ours.
		[ -n "$link_id" ]
		[ "$net_id" = "$link_id" ]
	fi
	[ "$(bpftool prog show id "$id" -j | xf_json 'j["name"]')" = xdpfwd_xdp ]
}

@test "status text: instance, interface line, list sizes, counters" {
	run -0 xf_cli block add 198.18.0.2 2001:2::2 198.18.7.0/24
	run -0 xf_cli allow add 198.18.0.4 2001:2:9::/64
	run -0 --separate-stderr xf_cli status
	local id
	id=$(xf_prog_id)
	[[ $output == *"$PIN"* ]]
	[[ $output =~ interfaces\ +1 ]]
	[[ $output =~ $IF_P\ +ifindex\ +[0-9]+\ +attached\ +native\ +program\ $id ]]
	[[ $output =~ blocklist\ +3\ entries\ \(2\ addresses,\ 1\ prefixes\) ]]
	[[ $output =~ allowlist\ +2\ entries ]]
	[[ $output =~ passed\ +[0-9]+\ packets ]]
	[[ $output =~ dropped\ +0\ packets ]]
	[[ $output =~ events\ +eligible\ 0 ]]
}

@test "status counts lists, verdicts by reason and events after traffic" {
	run -0 xf_cli block add 198.18.0.2 2001:2::2 198.18.0.0/24
	run -0 xf_cli allow add 198.18.0.4
	cli_blocked 198.18.0.2 5
	cli_blocked 2001:2::2 5
	# .3 falls in the blocked /24; .4 is allowlisted, which wins.
	cli_blocked 198.18.0.3 5
	cli_arrives 198.18.0.4 5
	cli_arrives 2001:2::3 5

	xf_cli status --json >"$XF_TMP/status.json"
	python3 - "$XF_TMP/status.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["blocklist"] == {"addresses": 2, "prefixes": 1}, j["blocklist"]
assert j["allowlist"]["entries"] == 1, j["allowlist"]
p = j["packets"]
assert p["drop"]["blocklist"] >= 15, p
assert p["pass"]["allowlist"] >= 5, p
assert p["pass"]["no_match"] >= 5, p
assert p["pass"]["blocklist"] == 0 and p["drop"]["allowlist"] == 0 and p["drop"]["no_match"] == 0, p
e = j["events"]
assert e["eligible"] == sum(p["drop"].values()), (e, p)
assert e["sent"] + e["suppressed_source"] + e["suppressed_global"] + e["lost"] == e["eligible"], e
assert e["sent"] >= 3, e
EOF
	run -0 --separate-stderr xf_cli status
	[[ $output =~ dropped\ +[0-9]+\ packets,\ blocklist\ [0-9]+ ]]
	[[ $output =~ passed\ +[0-9]+\ packets.*allowlist\ [0-9]+ ]]
}

@test "after SIGTERM the firewall stays: status says attached, same program, still enforcing" {
	local id
	id=$(xf_prog_id)
	run -0 xf_cli block add 198.18.0.2
	xf_daemon_stop
	[ "$XF_DAEMON_RC" -eq 0 ]
	grep -q 'stays attached' "$XF_TMP/daemon.err"

	run -0 --separate-stderr xf_cli status --json
	echo "$output" >"$XF_TMP/status.json"
	[ "$(status_json 'j["interfaces"][0]["state"]')" = attached ]
	[ "$(status_json 'j["interfaces"][0]["prog_id"]')" = "$id" ]
	[ "$(xf_prog_id)" = "$id" ]
	cli_blocked 198.18.0.2 4
	cli_arrives 198.18.0.3 4
	[ "$(status_json 'j["packets"]["drop"]["blocklist"]')" -ge 4 ]
	run -0 xf_cli status
	[[ $output =~ $IF_P\ +ifindex\ +[0-9]+\ +attached ]]
}

@test "status in another network namespace does not report the interface as detached" {
	# The recorded ifindex means nothing outside NS_P (here it may name an unrelated interface).
	run -0 --separate-stderr "$XDPFWD" status --json --pin-dir "$PIN"
	local state
	state=$(echo "$output" | xf_json 'j["interfaces"][0]["state"]')
	echo "# state seen from the root namespace: $state" >&2
	[ "$state" != detached ]
	[ "$state" != gone ]
}

@test "status --json stays valid JSON when the pin dir name has a quote or a backslash" {
	run -0 xf_cli detach --all
	PIN="$PIN-q\"b\\s"
	xf_daemon --iface "$IF_P"
	xf_cli status --json >"$XF_TMP/status.json"
	[ "$(xf_json 'j["pin_dir"]' <"$XF_TMP/status.json")" = "$PIN" ]
	[ "$(xf_json 'j["interfaces"][0]["state"]' <"$XF_TMP/status.json")" = attached ]
}
