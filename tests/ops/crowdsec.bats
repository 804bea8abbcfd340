#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The real CrowdSec (Debian's crowdsec and crowdsec-custom-bouncer) with contrib/crowdsec/: a
# Local API of the test's own (`crowdsec -no-cs`: the API alone, offline, no Central API), the
# bouncer with contrib's configuration calling contrib's script, against a daemon started with
# the shipped unit's options. `cscli decisions add` blocks within the bouncer's poll interval,
# `cscli decisions delete` lets through again. Everything (configuration, database, logs,
# credentials) is under $XF_TMP and the API listens on NS_P's loopback: the host's
# /etc/crowdsec, /var/lib/crowdsec and any running crowdsec are not touched.

load ops
load bantools
load crowdsec

CONTRIB=$CS_CONTRIB

setup() {
	xf_setup
	xf_static_neigh
	CS=$XF_TMP/cs
	ETC_BEFORE=$(cs_etc_state)
	# The bouncer's poll interval, as contrib ships it (update_frequency: Ns).
	POLL=$(sed -n 's/^update_frequency: *\([0-9]*\)s.*/\1/p' "$CONTRIB/crowdsec-custom-bouncer.yaml")
	[ -n "$POLL" ]
}

teardown() {
	xf_teardown
}

# The bouncer registered as Debian's postinst does (cscli bouncers add), configured as a host
# would be: contrib's file as the main one, the key and the local paths in its .local override
# (where the postinst puts them). It runs contrib's script on this test's instance, and is
# given a stand-in notification socket as its systemd unit would (Type=notify).
bouncer_start() {
	local key
	key=$(cs_cli bouncers add xdpfwd-test -o raw) && [ -n "$key" ]
	cs_bouncer_conf "$CS/bouncers" "$key" http://127.0.0.1:8080/ "$CONTRIB/xdpfwd-crowdsec"
	xf_start bnotify "$XF_PYTHON" "$XF_LIB/listen.py" notify "$XF_TMP/bnotify" "$XF_TMP/bnotify.log" \
		"$XF_TMP/bnotify.ready" 60
	NOTIFY_SOCKET=$XF_TMP/bnotify XDPFWD=$XDPFWD XDPFWD_PIN_DIR=$PIN nsenter --net="/run/netns/$NS_P" \
		crowdsec-custom-bouncer -c "$CS/bouncers/crowdsec-custom-bouncer.yaml" >"$CS/bouncer.out" 2>&1 3>&- &
	XF_PIDS+=($!)
	xf_wait_lines 'READY=1' 1 "$XF_TMP/bnotify.log" 5 || { cat "$CS/bouncer.out" >&2; return 1; }
	# Its first poll (the start-up stream) has happened once it logs what it added.
	cs_bouncer_wait_poll "$CS/bouncers" 1
}

# is_ban ENTRY-JSON SECONDS: an entry of set crowdsec alone ending within SECONDS (the decision's).
is_ban() {
	bt_is_ban "$1" "$2" 20 crowdsec only
}

# The script's failures, as the bouncer logs them ("Error in 'add' command ...").
no_script_errors() {
	xf_lacks "Error in" "$CS/bouncers/crowdsec-custom-bouncer.log"
}

@test "crowdsec: a ban decision blocks within the poll interval, a reload keeps it, its deletion lifts it" {
	local ms
	bt_unit_daemon
	cs_start
	bouncer_start
	[ "$(xf_ping 198.18.0.2 1)" = 1 ]
	cs_cli decisions add --ip 198.18.0.2 --duration 1m
	ms=$(bt_wait_ping 198.18.0.2 0 $((POLL + 1)))
	echo "# blocked ${ms} ms after cscli decisions add (poll interval ${POLL} s)" >&3
	[ "$(xf_ping 198.18.0.2 3)" = 0 ]
	[ "$(xf_ping 198.18.0.3 3)" = 3 ]
	is_ban "$(bt_entry 198.18.0.2)" 60

	# systemctl reload xdpfwd@IF: the list files are applied again, CrowdSec's ban stays.
	# (The reload does apply the files: an address added to the list file is blocked after it.)
	echo 198.18.0.5 >>"$XF_TMP/etc/blocklist"
	bt_reload
	"$XF_PYTHON" -c 'import json, sys; e = json.loads(sys.argv[1]); assert e["sets"] == ["file"], e' \
		"$(bt_entry 198.18.0.5)"
	[ "$(xf_ping 198.18.0.2 3)" = 0 ]
	is_ban "$(bt_entry 198.18.0.2)" 60

	cs_cli decisions delete --ip 198.18.0.2
	ms=$(bt_wait_ping 198.18.0.2 1 $((POLL + 1)))
	echo "# passes again ${ms} ms after cscli decisions delete" >&3
	[ "$(xf_ping 198.18.0.2 3)" = 3 ]
	[ -z "$(bt_entry 198.18.0.2)" ]
	no_script_errors
	[ "$(cs_etc_state)" = "$ETC_BEFORE" ]
}

@test "crowdsec: IPv6, ranges with host bits, and decisions xdpfwd cannot carry out" {
	bt_unit_daemon
	cs_start
	bouncer_start
	# Ignored: a captcha (not a ban) and a country (not an address).
	cs_cli decisions add --ip 198.18.0.2 --duration 1m --type captcha
	cs_cli decisions add --scope Country --value FR --duration 1m
	cs_cli decisions add --ip 2001:2::3 --duration 2m
	# CrowdSec keeps a range as given, host bits and all; it means the prefix.
	cs_cli decisions add --range 198.18.0.5/31 --duration 3m
	cs_cli decisions add --range 2001:2::5/127 --duration 3m
	bt_wait_ping 2001:2::3 0 $((POLL + 1))
	bt_wait_ping 198.18.0.4 0 $((POLL + 1))
	bt_wait_ping 2001:2::4 0 $((POLL + 1))
	[ "$(xf_ping 198.18.0.5 3)" = 0 ]
	[ "$(xf_ping 2001:2::5 3)" = 0 ]
	[ "$(xf_ping 2001:2::2 3)" = 3 ]
	[ "$(xf_ping 198.18.0.3 3)" = 3 ]
	[ "$(xf_ping 198.18.0.2 3)" = 3 ]
	is_ban "$(bt_entry 2001:2::3)" 120
	is_ban "$(bt_entry 198.18.0.4/31)" 180
	is_ban "$(bt_entry 2001:2::4/127)" 180
	[ "$(xf_cli block list --json | xf_json 'len(j)')" = 3 ]

	cs_cli decisions delete --all
	bt_wait_ping 2001:2::3 1 $((POLL + 1))
	bt_wait_ping 198.18.0.4 1 $((POLL + 1))
	bt_wait_ping 2001:2::5 1 $((POLL + 1))
	[ "$(xf_cli block list --json | xf_json 'len(j)')" = 0 ]
	no_script_errors
	[ "$(cs_etc_state)" = "$ETC_BEFORE" ]
}

# The script alone, called as the bouncer calls it: xdpfwd-crowdsec add|del VALUE SECONDS REASON JSON.
script() {
	XDPFWD=$XDPFWD XDPFWD_PIN_DIR=$PIN nsenter --net="/run/netns/$NS_P" "$CONTRIB/xdpfwd-crowdsec" "$@" 3>&-
}

# decision SCOPE VALUE TYPE: the JSON the bouncer passes (Go's encoding of models.Decision).
decision() {
	printf '{"duration":"59.9s","id":7,"origin":"cscli","scenario":"manual '"'"'ban'"'"' from '"'"'m'"'"'","scope":"%s","type":"%s","value":"%s"}' \
		"$1" "$3" "$2"
}

@test "crowdsec script: durations kept in bounds, other scopes and remediations ignored, bad calls refused" {
	xf_daemon --iface "$IF_P"
	# A deletion before any ban (set crowdsec not made yet, as after a reboot): nothing to do.
	script del 198.18.0.7 0 r "$(decision Ip 198.18.0.7 ban)"
	[ "$(xf_cli sets --json | xf_json '[s["name"] for s in j if s["name"] == "crowdsec"]')" = "[]" ]
	# Without an instance, a deletion fails.
	run env XDPFWD="$XDPFWD" XDPFWD_PIN_DIR="$PIN-none" "$CONTRIB/xdpfwd-crowdsec" del 198.18.0.7 0 r
	[ "$status" -ne 0 ]
	# Less than a second left (the bouncer passes 0): a ban of one second, never one without end.
	script add 198.18.0.2 0 r "$(decision Ip 198.18.0.2 ban)"
	"$XF_PYTHON" -c 'import json, sys; e = json.loads(sys.argv[1]); assert 0 < e["expires_in"] <= 1, e' \
		"$(bt_entry 198.18.0.2)"
	# Longer than xdpfwd's longest timeout: held to it (the bouncer deletes it when it ends).
	script add 198.18.0.3 400000000 r "$(decision Ip 198.18.0.3 ban)"
	"$XF_PYTHON" -c 'import json, sys; e = json.loads(sys.argv[1]); assert 315350000 < e["expires_in"] <= 315360000, e' \
		"$(bt_entry 198.18.0.3)"
	run script add 198.18.0.4 60 r "$(decision Ip 198.18.0.4 captcha)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"captcha decision on 198.18.0.4 ignored"* ]]
	run script add FR 60 r "$(decision Country FR ban)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"decision on country FR ignored"* ]]
	[ -z "$(bt_entry 198.18.0.4)" ]
	# Without JSON (by hand), the value says what it is.
	script add 198.18.0.9/24 60 r
	[ -n "$(bt_entry 198.18.0.0/24)" ]
	run script add 198.18.0.5 soon r "$(decision Ip 198.18.0.5 ban)"
	[ "$status" -eq 2 ]
	[ -z "$(bt_entry 198.18.0.5)" ]
	run script ban 198.18.0.5 60
	[ "$status" -eq 2 ]
	[[ "$output" == *usage* ]]
	# del of what is gone already is no error; del takes ranges as add does.
	script del 198.18.0.5 0 r "$(decision Ip 198.18.0.5 ban)"
	script del 198.18.0.9/24 0 r
	[ -z "$(bt_entry 198.18.0.0/24)" ]
	# Left: the two bans (the one-second one may have gone already).
	xf_cli block list --set crowdsec --json |
		xf_json '[e["entry"] for e in j if e["entry"] not in ("198.18.0.2", "198.18.0.3")] == []' | grep -qx True
}
