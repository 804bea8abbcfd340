# SPDX-License-Identifier: GPL-2.0
# The CLI and what it prints (part of tests/lib/xf.bash).
#
#   xf_cli ARGS...            runs `$XDPFWD ARGS... --pin-dir $PIN` in NS_P (a subcommand first)
#   xf_json EXPR [CMD...]     prints the Python expression EXPR over a JSON document `j`: CMD's
#                             output (fails if CMD fails), or stdin without CMD,
#                             e.g. xf_json 'j["events"]["sent"]' xf_cli status --json
#   xf_wait_json EXPR VALUE CMD...
#                             like xf_json, but retries (at most 3 s, xf_wait_output) until EXPR
#                             is VALUE
#   xf_entries [LIST]         the entries of `xdpfwd LIST list` (default block), one a line, in the
#                             CLI's order; fails unless the table has its header
#   xf_entry_packets ENTRY [LIST]
#                             the packets counter of ENTRY in `xdpfwd LIST list` (default block);
#                             from the table (the column headed PACKETS), so that a fault in the
#                             JSON output fails only the tests about it; fails if ENTRY is not listed
#   xf_wait_entry_packets ENTRY N [LIST]
#                             waits (at most 3 s, xf_wait_output) until ENTRY's packets counter is
#                             N; prints it

xf_cli() {
	nsenter --net="/run/netns/$NS_P" "$XDPFWD" "$@" --pin-dir "$PIN" 3>&-
}

xf_json() {
	local expr=$1 out
	shift
	if [ $# -gt 0 ]; then
		out=$("$@") || return
		printf '%s\n' "$out" | xf_json "$expr"
		return
	fi
	# On stdin, not in argv: a map dump can be larger than one argument may be.
	"$XF_PYTHON" -c 'import json, sys; j = json.load(sys.stdin); print(eval(sys.argv[1]))' "$expr"
}

xf_wait_json() {
	local expr=$1 want=$2
	shift 2
	xf_wait_output "$want" xf_json "$expr" "$@"
}

xf_entries() {
	local out
	out=$(xf_cli "${1:-block}" list) || return 1
	[[ ${out%%$'\n'*} =~ ^ENTRY\ +PACKETS\ +BYTES\ +LAST_HIT ]] || return 1
	printf '%s\n' "$out" | awk 'NR > 1 { print $1 }'
}

xf_entry_packets() {
	xf_cli "${2:-block}" list | awk -v e="$1" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == "PACKETS") c = i; next }
		c && $1 == e { print $c; found = 1 }
		END { exit !(c && found) }'
}

xf_wait_entry_packets() {
	xf_wait_output "$2" xf_entry_packets "$1" "${3:-block}"
}

# The sets of ENTRY in `KIND list --json` (KIND block by default), comma-separated in the CLI's
# order ("" if absent).
#   xf_sets_of ENTRY [KIND]
xf_sets_of() {
	xf_cli "${2:-block}" list --json | "$XF_PYTHON" -c '
import json, sys
for e in json.load(sys.stdin):
    if e["entry"] == sys.argv[1]:
        print(",".join(e["sets"]))' "$1"
}
