#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Every output parses, whatever the interface names: names with every kind of byte the kernel
# allows (it refuses only '/', ':', whitespace, "." and ".."; dev_valid_name()): quotes,
# backslashes, control bytes, UTF-8 and bytes that are not UTF-8, up to 15 of them, through the
# drop log (JSON and text), status (text and JSON), list --json and metrics; and with
# --log-format json, every line on stdout is JSON, the stats lines too.

load cli_helpers

# A quote and a backslash; then 15 bytes: UTF-8 e-acute, an ESC, an invalid byte (0xff).
NAME_Q=$'x"q\\1'
NAME_U=$'\xc3\xa9t\x1b\xff0123456789'

setup() {
	xf_setup
	CLI_EXTRA_DIRS=()
	# The second pair (198.19.0.0/24) carries the second name.
	xf_setup_pair2
	rename_if "$IF_P" "$NAME_Q"
	IF_P=$NAME_Q
	rename_if "$IF_P2" "$NAME_U"
	IF_P2=$NAME_U
	XF_EXTRA_IFS=("$IF_P2")
	# Taking a device down drops its IPv6 addresses and neighbours: set them up again.
	ip -n "$NS_P" addr add 2001:2::1/64 dev "$IF_P" nodad
	xf_static_neigh
	ip -n "$NS_S" neigh replace 198.19.0.1 lladdr "$(ip -n "$NS_P" -br link show dev "$IF_P2" | awk '{ print $3 }')" \
		dev "$IF_S2" nud permanent
	for i in 2 3; do
		ip -n "$NS_P" neigh replace 198.19.0.$i lladdr "$(ip -n "$NS_S" -br link show dev "$IF_S2" | awk '{ print $3 }')" \
			dev "$IF_P2" nud permanent
	done
	[ "$(ip -n "$NS_P" -o link show dev "$NAME_U" | wc -l)" = 1 ]
}

teardown() {
	cli_teardown
}

rename_if() {
	ip -n "$NS_P" link set dev "$1" down
	ip -n "$NS_P" link set dev "$1" name "$2"
	ip -n "$NS_P" link set dev "$2" up
}

# Drops from .2 on each interface; waits for a log line of each (two lines alone may both be the
# first interface's: every datagram is logged with --log-source-interval 0).
drops_on_both() {
	xf_cli block add 198.18.0.2 198.19.0.2
	xf_udp_send 198.18.0.2 3
	xf_udp_send 198.19.0.2 3 198.19.0.1
	xf_wait_lines '198\.18\.0\.2.*( drop |"action":"drop")|( drop |"action":"drop").*198\.18\.0\.2' 1
	xf_wait_lines '198\.19\.0\.2.*( drop |"action":"drop")|( drop |"action":"drop").*198\.19\.0\.2' 1
}

# The names as a JSON reader (and the metrics) show them: U+FFFD for the invalid byte.
WANT_PY='
import os, sys
want = [os.fsencode(a).decode("utf-8", "replace") for a in sys.argv[1:3]]
assert want[1] == "\u00e9t\x1b\ufffd0123456789", want
'
# ... and as the text log and status show them: backslash doubled, \xHH for ESC and 0xff.
TEXT_Q='x"q\\1'
TEXT_U=$'\xc3\xa9t\\x1b\\xff0123456789'

@test "drop log, --log-format json: every line parses, each interface's name as JSON has it" {
	xf_daemon --iface "$IF_P" --iface "$IF_P2" --log-format json --log-source-interval 0
	drops_on_both
	python3 -c "$WANT_PY"'
import json
seen = set()
for line in open(sys.argv[3], "rb").read().splitlines():
    line.decode("utf-8")        # strict: each line is UTF-8
    ev = json.loads(line)
    assert ev["iface"] in want, (ev, want)
    assert (ev["action"], ev["reason"]) == ("drop", "blocklist"), ev
    seen.add(ev["iface"])
assert seen == set(want), (seen, want)
' "$NAME_Q" "$NAME_U" "$XF_TMP/daemon.out"
}

@test "drop log, text: the name one field, escaped (\\\\, \\xHH), the line valid UTF-8" {
	xf_daemon --iface "$IF_P" --iface "$IF_P2" --log-source-interval 0
	drops_on_both
	python3 -c '
import sys
lines = open(sys.argv[3], "rb").read().decode("utf-8").splitlines()
want = {sys.argv[1]: "src=198.18.0.2", sys.argv[2]: "src=198.19.0.2"}
seen = set()
for line in lines:
    f = line.split(" ")
    # Since sets (issue 13) the event names its set, last.
    assert len(f) == 8 and f[2:4] == ["drop", "blocklist"] and f[7] == "set=manual", f
    assert want.get(f[1]) == f[4], (f, want)
    seen.add(f[1])
assert seen == set(want), (seen, want)
' "$TEXT_Q" "$TEXT_U" "$XF_TMP/daemon.out"
}

@test "status, status --json, list --json: names intact, nothing read past a name" {
	xf_daemon --iface "$IF_P" --iface "$IF_P2"
	xf_cli block add 198.18.0.2 2001:2::/48
	run -0 --separate-stderr xf_cli status --json
	python3 -c "$WANT_PY"'
import json
j = json.loads(sys.stdin.buffer.read())
assert sorted(i["name"] for i in j["interfaces"]) == sorted(want), j["interfaces"]
' "$NAME_Q" "$NAME_U" <<<"$output"
	run -0 --separate-stderr xf_cli block list --json
	python3 -c 'import json, sys; j = json.load(sys.stdin); assert {e["entry"] for e in j} == {"198.18.0.2", "2001:2::/48"}, j' <<<"$output"
	run -0 --separate-stderr xf_cli status
	# Each name escaped in its column, then the ifindex: the 15-byte one with nothing after it.
	[[ $output == *$'\n  '"$TEXT_Q"' '*' ifindex '* ]]
	[[ $output == *$'\n  '"$TEXT_U"' ifindex '* ]]
	python3 -c 'import sys; sys.stdin.buffer.read().decode("utf-8")' <<<"$output"
}

@test "status: a recorded name of 16 bytes with no NUL prints as those 16 bytes" {
	local ifindex key value
	xf_daemon --iface "$IF_P"
	ifindex=$(ip -n "$NS_P" -o link show dev "$IF_P" | cut -d: -f1)
	key=$(printf '%d %d %d %d' $((ifindex & 255)) $((ifindex >> 8 & 255)) $((ifindex >> 16 & 255)) $((ifindex >> 24)))
	# The record as bpftool prints it, its name replaced by 16 'A's (no terminator).
	value=$(bpftool map lookup pinned "$PIN/ifaces" key $key -j |
		python3 -c 'import json, sys; v = json.load(sys.stdin)["value"]; print(" ".join(["0x41"] * 16 + v[16:]))')
	bpftool map update pinned "$PIN/ifaces" key $key value $value
	run -0 --separate-stderr xf_cli status
	[[ $output == *$'\n  AAAAAAAAAAAAAAAA ifindex '* ]]
	run -0 --separate-stderr xf_cli status --json
	[ "$(xf_json '[i["name"] for i in j["interfaces"]]' <<<"$output")" = "['AAAAAAAAAAAAAAAA']" ]
}

@test "metrics: strict exposition format, the interface label carries each name" {
	xf_daemon --iface "$IF_P" --iface "$IF_P2"
	xf_cli block add 198.18.0.2
	xf_udp_send 198.18.0.2 3
	xf_cli metrics >"$XF_TMP/m"
	python3 "$BATS_TEST_DIRNAME/../ops/promparse.py" "$XF_TMP/m" >"$XF_TMP/m.n"
	python3 -c "$WANT_PY"'
import re
got = set()
for line in open(sys.argv[3], encoding="utf-8"):
    if line.startswith("xdpfwd_interface_attached{"):
        v = re.search(r"interface=\"((?:[^\"\\]|\\.)*)\"", line).group(1)
        got.add(re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), v))
assert got == set(want), (got, want)
' "$NAME_Q" "$NAME_U" "$XF_TMP/m.n"
}

@test "--log-format json --stats-interval 1: every stdout line is JSON, stats lines included" {
	xf_daemon --iface "$IF_P" --iface "$IF_P2" --log-format json --log-source-interval 0 --stats-interval 1
	drops_on_both
	xf_wait_lines '^\{"stats":' 1
	python3 -c '
import json, sys
stats = drops = 0
for line in open(sys.argv[1], "rb").read().splitlines():
    ev = json.loads(line)
    if "stats" in ev:
        s = ev["stats"]
        assert {"pass", "drop", "events_sent", "events_suppressed", "events_lost"} <= set(s), s
        assert all(isinstance(v, int) for v in s.values()), s
        stats += 1
    else:
        assert ev["action"] == "drop", ev
        drops += 1
assert stats >= 1 and drops >= 2, (stats, drops)
' "$XF_TMP/daemon.out"
}
