#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# A full map is a clear error and never a partial apply. The allowlist holds XDPFWD_MAX_ALLOW
# (65536) entries per family, small enough to fill from the command line.

load cli_helpers

MAX_ALLOW=65536

setup() {
	cli_setup_daemon
}

# N /32 (or /128) addresses from index START in 198.18.0.0/15 (or 2001:2:0:1::/64), one a line.
gen_v4() {
	python3 -c 'import sys
s, n = int(sys.argv[1]), int(sys.argv[2])
for i in range(s, s + n): print("198.%d.%d.%d" % (18 + (i >> 16), (i >> 8) & 255, i & 255))' "$@"
}

gen_v6() {
	python3 -c 'import sys
s, n = int(sys.argv[1]), int(sys.argv[2])
for i in range(s, s + n): print("2001:2:0:1::%x:%x" % (i >> 16, i & 0xffff))' "$@"
}

# Entries in allow_v4 or allow_v6 (4 or 6) as `allow list` shows them; bpftool's -j dump of a full
# map takes seconds, so it is used once per test only.
count_entries() {
	xf_cli allow list | awk -v f="$1" 'NR > 1 && (f == 6) == ($1 ~ /:/)' | wc -l
}

count_bpftool() {
	bpftool map dump pinned "$PIN/$1" -j | xf_json 'len(j)'
}

@test "allow_v4 fills to 65536 with one command; then adding 3 more fails with 'full' and adds none" {
	local -a addrs
	mapfile -t addrs < <(gen_v4 0 $MAX_ALLOW)
	[ "${#addrs[@]}" -eq $MAX_ALLOW ]
	local t0=$SECONDS
	run -0 xf_cli allow add "${addrs[@]}"
	echo "# one allow add of $MAX_ALLOW addresses took $((SECONDS - t0)) s" >&2
	# Seconds, not tens of them: argument de-duplication must not be quadratic (it took 35 s once).
	[ $((SECONDS - t0)) -lt 20 ]
	[[ $output == *"added $MAX_ALLOW,"* ]]
	[ "$(count_entries 4)" -eq $MAX_ALLOW ]

	# 198.19.0.0 onwards are not in the first 65536 of 198.18.0.0/15.
	run -1 --separate-stderr xf_cli allow add 198.19.0.1 198.19.0.2 198.19.0.3
	[[ $stderr == *full* ]]
	[[ $stderr =~ 198\.19\.0\.[123] ]]
	[ "$(count_entries 4)" -eq $MAX_ALLOW ]
	run -0 xf_cli allow list
	[ "${#lines[@]}" -eq $((MAX_ALLOW + 1)) ]
	[ "$(grep -cE '^198\.19\.0\.[123] ' <<<"$output")" -eq 0 ]

	# An IPv6 entry in the same command is not left behind either, nor is an existing entry touched.
	run -1 xf_cli allow add 2001:2:ff::1 198.18.0.5 198.19.0.4
	[[ $output == *full* ]]
	[ "$(count_entries 6)" -eq 0 ]
	[ "$(count_entries 4)" -eq $MAX_ALLOW ]
	xf_cli allow list | grep -q '^198\.18\.0\.5 '

	# status counts the same, and deleting one makes room for exactly one.
	run -0 --separate-stderr xf_cli status --json
	[ "$(echo "$output" | xf_json 'j["allowlist"]["entries"]')" -eq $MAX_ALLOW ]
	run -0 xf_cli allow del 198.18.0.5
	run -0 xf_cli allow add 198.19.0.1
	run -1 xf_cli allow add 198.19.0.2
	[[ $output == *full* ]]
	[ "$(count_bpftool allow_v4)" -eq $MAX_ALLOW ]
}

@test "a command that fills one family and overflows the other is rolled back completely" {
	local -a addrs
	mapfile -t addrs < <(gen_v6 0 $MAX_ALLOW)
	run -0 xf_cli allow add "${addrs[@]}"
	[ "$(count_entries 6)" -eq $MAX_ALLOW ]

	# The IPv4 entries fit and may be written first; the IPv6 one does not fit, so none stays.
	run -1 xf_cli allow add 198.18.0.3 198.18.0.4 198.18.9.0/24 2001:2:ff::1
	[[ $output == *full* ]]
	[[ $output == *"nothing was changed"* ]] || [[ $output =~ [Nn]othing ]]
	[ "$(count_entries 4)" -eq 0 ]
	[ "$(count_bpftool allow_v6)" -eq $MAX_ALLOW ]
	[ "$(xf_cli allow list | grep -c '^2001:2:ff::1 ')" -eq 0 ]
}
