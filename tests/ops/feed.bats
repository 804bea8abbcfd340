#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# contrib/feed/xdpfwd-feed, the script of xdpfwd-feed@NAME.service, against a feed server of the
# test's own (tests/lib/feed_server.py) in the sender namespace, across the veth pair, and a real
# daemon: the first fetch loads set NAME, an unchanged feed (304) loads nothing, and every failed
# fetch (HTTP 500, a truncated body, a timeout, an oversized body, a file the load refuses, an
# empty body) keeps the set in force, exits non-zero and says why in one line. The configuration
# and state directories are under $XF_TMP (the script's environment points it there).
# The unit itself runs under systemd in tests/systemd/units.bats.

load ops

FEED=${XDPFWD_FEED:-$BATS_TEST_DIRNAME/../../contrib/feed/xdpfwd-feed}
PORT=8080
BASE=http://198.18.0.2:$PORT

setup() {
	xf_setup
	xf_static_neigh
	WWW=$XF_TMP/www
	mkdir -p "$WWW" "$XF_TMP/feeds"
	# A Spamhaus DROP file of test prefixes (none covers the server's 198.18.0.2), its ETag pinned
	# so that a test can change the file and keep it.
	printf '; Spamhaus DROP List (xdpfwd test)\n198.19.10.0/24 ; SBL000001\n198.19.20.0/24 ; SBL000002\n' \
		>"$WWW/drop.txt"
	echo '"v1"' >"$WWW/drop.txt.etag"
	printf '<!DOCTYPE html>\n<html><body>Service Unavailable</body></html>\n' >"$WWW/bad.html"
	: >"$WWW/empty.txt"
	for i in $(seq 100); do echo "198.19.$i.0/24"; done >"$WWW/big.txt"
	nsenter --net="/run/netns/$NS_S" "$XF_PYTHON" "$XF_LIB/feed_server.py" 198.18.0.2 "$PORT" "$WWW" \
		"$XF_TMP/server.ready" "$XF_TMP/server.log" 60 >"$XF_TMP/server.err" 2>&1 3>&- &
	XF_PIDS+=($!)
	for i in $(seq 50); do
		[ -e "$XF_TMP/server.ready" ] && break
		sleep 0.1
	done
	[ -e "$XF_TMP/server.ready" ] || { cat "$XF_TMP/server.err" >&2; return 1; }
	xf_daemon --iface "$IF_P"
	# The operator's own entry, which no feed may touch.
	xf_cli block add 198.19.99.1 >/dev/null 2>&1
}

# conf NAME LINE...: /etc/xdpfwd/feeds/NAME.conf, for the test's instance.
conf() {
	local name=$1
	shift
	printf '%s\n' "pin-dir=$PIN" "$@" >"$XF_TMP/feeds/$name.conf"
}

# feed NAME: the script as the unit runs it, in the protected namespace (its pins).
feed() {
	nsenter --net="/run/netns/$NS_P" env XDPFWD="$XDPFWD" XDPFWD_FEED_CONF_DIR="$XF_TMP/feeds" \
		XDPFWD_FEED_STATE_DIR="$XF_TMP/state" "$FEED" "$@" 3>&-
}

# The entries of set NAME (KIND block), sorted, on one line.
set_entries() {
	xf_cli "${2:-block}" list --set "$1" | awk 'NR > 1 { print $1 }' | sort | tr '\n' ' '
}

# The line of set NAME in `xdpfwd sets`.
sets_line() {
	xf_cli sets | awk -v n="$1" '$2 == n'
}

DROP2="198.19.10.0/24 198.19.20.0/24 "

@test "the first fetch loads the set; an unchanged feed (304) loads nothing; a new ETag loads again" {
	conf drop "url=$BASE/f/drop.txt" format=spamhaus
	run feed drop
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "feed drop: loaded 2 entries from $BASE/f/drop.txt (89 bytes, ETag \"v1\") into block set drop" ]
	[ "$(set_entries drop)" = "$DROP2" ]
	[[ "$(sets_line drop)" == *" $XF_TMP/state/drop.body" ]]
	before=$(sets_line drop)
	# The file changes but keeps its ETag: a client that honours 304 loads nothing.
	echo '198.19.30.0/24 ; SBL000003' >>"$WWW/drop.txt"
	sleep 1
	run feed drop
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "feed drop: not modified since the last load ($BASE/f/drop.txt, ETag \"v1\", Last-Modified "*"): nothing loaded, block set drop keeps its entries" ]]
	[ "$(tail -n 1 "$XF_TMP/server.log")" = "GET /f/drop.txt inm=\"v1\" ims=$(sed -n 's/^last-modified=//p' "$XF_TMP/state/drop.state") -> 304" ]
	[ "$(set_entries drop)" = "$DROP2" ]
	[ "$(sets_line drop)" = "$before" ]
	# Without an ETag the date alone makes it conditional.
	sed -i '/^etag=/d' "$XF_TMP/state/drop.state"
	touch -d '2020-01-01' "$WWW/drop.txt"
	run feed drop
	[ "$status" -eq 0 ]
	[[ "$output" == *"not modified"* ]]
	[[ "$(tail -n 1 "$XF_TMP/server.log")" == "GET /f/drop.txt inm=- ims="*" GMT -> 304" ]]
	# A new ETag and date: the new file is the set.
	echo '"v2"' >"$WWW/drop.txt.etag"
	touch -d '2030-01-01' "$WWW/drop.txt"
	run feed drop
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "feed drop: loaded 3 entries from "* ]]
	[ "$(set_entries drop)" = "${DROP2}198.19.30.0/24 " ]
	[ "$(set_entries manual)" = "198.19.99.1 " ]
}

# bad_fetch URL ERE [CONF_LINE...]: a fetch of URL into set drop (loaded from the good feed
# first) fails with exit 1 and one line matching ERE, and the set keeps its entries.
bad_fetch() {
	local url=$1 ere=$2
	shift 2
	conf drop "url=$BASE/f/drop.txt"
	feed drop >/dev/null
	[ "$(set_entries drop)" = "$DROP2" ]
	conf drop "url=$url" "$@"
	run feed drop
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" =~ $ere ]]
	[[ "$output" == *"; block set drop keeps its entries; "* ]]
	[ "$(set_entries drop)" = "$DROP2" ]
	[ "$(set_entries manual)" = "198.19.99.1 " ]
	cmp "$XF_TMP/state/drop.body" "$WWW/drop.txt"
	# The kept copy and its validators are still the good feed's: back at its URL, a 304.
	conf drop "url=$BASE/f/drop.txt"
	run feed drop
	[ "$status" -eq 0 ]
	[[ "$output" == *"not modified"* ]]
}

@test "HTTP 500 keeps the set in force, fails with one line" {
	bad_fetch "$BASE/status/500" "^feed drop: fetching $BASE/status/500 failed, the download failed: .*error: 500;.*check the URL"
}

@test "a truncated body (short of its Content-Length) keeps the set in force" {
	bad_fetch "$BASE/truncated/big.txt" "^feed drop: fetching .* failed, the download failed: transfer closed with [0-9]+ bytes remaining.*cut short"
}

@test "a timeout keeps the set in force" {
	bad_fetch "$BASE/slow/drop.txt" "failed, the download failed: Operation timed out .*raise timeout=" timeout=1
}

@test "an oversized body keeps the set in force, with and without a Content-Length" {
	bad_fetch "$BASE/f/big.txt" "failed, the body is larger than max-size \(100 bytes\); .*raise max-size=" max-size=100
	bad_fetch "$BASE/nolength/big.txt" "failed, the body is larger than max-size \(1024 bytes\); " max-size=1k
	# Within the limit, the body without a length loads.
	conf drop "url=$BASE/nolength/big.txt" max-size=2k
	run feed drop
	[ "$status" -eq 0 ]
	[[ "$output" == *"loaded 100 entries"* ]]
}

@test "a file the load refuses (an HTML error page) keeps the set in force" {
	bad_fetch "$BASE/f/bad.html" "^feed drop: the feed from $BASE/f/bad.html was refused by xdpfwd block load: $XF_TMP/state/drop.refused:1: .<!DOCTYPE. is not an IPv4 or IPv6 address; nothing was changed; block set drop keeps its entries; fix the feed"
}

@test "an empty body keeps the set in force" {
	bad_fetch "$BASE/f/empty.txt" "failed, the body is empty, which would empty the set; "
}

@test "pins made anew (a reboot): a 304 or a failed fetch brings the set back from the kept copy" {
	conf drop "url=$BASE/f/drop.txt"
	feed drop
	xf_cli sets del block drop
	[ -z "$(sets_line drop)" ]
	run feed drop
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"not modified since the last load ($BASE/f/drop.txt), but block set drop was not in force (pins made anew): loaded the kept copy, 2 entries" ]]
	[ "$(set_entries drop)" = "$DROP2" ]
	xf_cli sets del block drop
	conf drop "url=$BASE/status/503"
	run feed drop
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"; block set drop was not in force: loaded the copy of "*" (2 entries); "* ]]
	[ "$(set_entries drop)" = "$DROP2" ]
}

@test "kind=allow with format=ipsum and min-score; mode=audit on a block feed" {
	printf '# IPsum\n198.19.40.1\t3\n198.19.40.2\t1\n' >"$WWW/ipsum.txt"
	conf good "url=$BASE/f/ipsum.txt" kind=allow format=ipsum min-score=2
	run feed good
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"loaded 1 entries from "*" into allow set good" ]]
	[ "$(set_entries good allow)" = "198.19.40.1 " ]
	conf drop "url=$BASE/f/drop.txt" mode=audit
	feed drop
	[[ "$(sets_line drop)" =~ ^block\ +drop\ +audit\  ]]
	[ "$(set_entries drop)" = "$DROP2" ]
}

@test "a redirect is followed; the validators kept are the final response's" {
	conf drop "url=$BASE/moved/drop.txt"
	run feed drop
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"loaded 2 entries from $BASE/moved/drop.txt (89 bytes, ETag \"v1\") into block set drop" ]]
	grep -qx 'etag="v1"' "$XF_TMP/state/drop.state"
	run feed drop
	[ "$status" -eq 0 ]
	[[ "$output" == *"not modified"* ]]
	[ "$(tail -n 1 "$XF_TMP/server.log")" = "GET /f/drop.txt inm=\"v1\" ims=$(sed -n 's/^last-modified=//p' "$XF_TMP/state/drop.state") -> 304" ]
}

@test "skip-invalid=yes loads the good lines of a feed with junk and says how many were skipped" {
	printf '198.19.50.0/24\n<html>\n198.19.51.0/24\nnot an address\n' >"$WWW/junk.txt"
	conf junk "url=$BASE/f/junk.txt" skip-invalid=yes
	run feed junk
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"feed junk: "*"skipped"* ]]
	[[ "${lines[-1]}" == "feed junk: loaded 2 entries from "* ]]
	[ "$(set_entries junk)" = "198.19.50.0/24 198.19.51.0/24 " ]
	# Without it, the same file is refused.
	conf junk "url=$BASE/f/junk.txt"
	rm -f "$XF_TMP/state/junk.state"
	run feed junk
	[ "$status" -eq 1 ]
	[[ "$output" == *"refused by xdpfwd block load: $XF_TMP/state/junk.refused:2: "* ]]
}

@test "a run killed between setting the new body in place and loading it: the next run puts the old one back" {
	conf drop "url=$BASE/f/drop.txt"
	feed drop >/dev/null
	# What the kill leaves: the good body aside, a new one in its place, validators of the good one.
	mv "$XF_TMP/state/drop.body" "$XF_TMP/state/.drop.prev"
	echo 198.19.77.0/24 >"$XF_TMP/state/drop.body"
	run feed drop
	[ "$status" -eq 0 ]
	[[ "$output" == *"not modified"* ]]
	cmp "$XF_TMP/state/drop.body" "$WWW/drop.txt"
	[ ! -e "$XF_TMP/state/.drop.prev" ]
	# After a reboot, the copy it loads is the good one.
	xf_cli sets del block drop
	feed drop
	[ "$(set_entries drop)" = "$DROP2" ]
}

@test "a bad configuration fetches nothing: exit 2, one line naming the file and line" {
	local c=$XF_TMP/feeds/drop.conf
	conf drop "url=$BASE/f/drop.txt" "colour=blue"
	run feed drop
	echo "$output"
	[ "$status" -eq 2 ]
	[ "$output" = "feed drop: $c:3: unknown key 'colour'; fix the line (keys: README, \"Feeds\")" ]
	conf drop "url=ftp://198.18.0.2/drop.txt"
	run feed drop
	[ "$status" -eq 2 ]
	[[ "$output" == "feed drop: $c:2: url 'ftp://198.18.0.2/drop.txt' is not an http:// or https:// URL; "* ]]
	conf drop format=spamhaus
	run feed drop
	[ "$status" -eq 2 ]
	[[ "$output" == *": no url= line; "* ]]
	conf drop "url=$BASE/f/drop.txt" max-size=300M
	run feed drop
	[ "$status" -eq 2 ]
	conf drop "url=$BASE/f/drop.txt" kind=allow mode=audit
	run feed drop
	[ "$status" -eq 2 ]
	[ "$output" = "feed drop: $c:4: mode= is for block sets (allow sets always enforce); fix the line (keys: README, \"Feeds\")" ]
	run feed Drop
	[ "$status" -eq 2 ]
	[[ "$output" == "xdpfwd-feed: usage: "* ]]
	run feed nosuch
	[ "$status" -eq 2 ]
	[[ "$output" == "feed nosuch: $XF_TMP/feeds/nosuch.conf cannot be read: "* ]]
	# Nothing was fetched, no set was made.
	[ ! -e "$XF_TMP/server.log" ]
	[ -z "$(sets_line drop)" ]
}

@test "no instance at the pin dir: exit 1, nothing fetched" {
	printf '%s\n' "pin-dir=$PIN-none" "url=$BASE/f/drop.txt" >"$XF_TMP/feeds/drop.conf"
	run feed drop
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == "feed drop: no xdpfwd instance at $PIN-none (the pin dir is missing): start xdpfwd@IFACE first"* ]]
	[ ! -e "$XF_TMP/server.log" ]
}
