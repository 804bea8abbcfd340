#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# promparse.py, the strict exposition-format checker the metrics tests rely on, must accept
# what Prometheus accepts and reject what it (or promtool's lint) rejects.

PROM="python3 $BATS_TEST_DIRNAME/promparse.py"

accepts() {
	run $PROM - <<<"$(printf '%b' "$1")"
	[ "$status" -eq 0 ] || { echo "rejected: $1 -> $output"; return 1; }
}

rejects() {
	run $PROM - <<<"$(printf '%b' "$1")"
	[ "$status" -eq 1 ] || { echo "accepted: $1"; return 1; }
	[[ "$output" == *"$2"* ]] || { echo "wrong reason for $1: $output (want $2)"; return 1; }
}

H='# HELP x_total Help.\n# TYPE x_total counter\n'
G='# HELP g Help.\n# TYPE g gauge\n'

@test "valid expositions are accepted and normalised" {
	accepts "${H}x_total 1"
	# The three escapes a label value may use, and a timestamp.
	run $PROM - <<'END'
# HELP x_total Help.
# TYPE x_total counter
x_total{a="1",b="q\"\\\n"} 2 1700000000000
END
	[ "$status" -eq 0 ]
	[ "$output" = 'x_total{a="1",b="q\"\\\n"} 2' ]
	accepts "${G}g{a=\"x\",} 1e3\n${H}x_total 0"
	accepts "${G}g NaN\n${H}x_total +Inf"
	run $PROM - <<<"$(printf '%b' "${G}g{b=\"2\",a=\"1\"} 3")"
	[ "$output" = 'g{a="1",b="2"} 3' ]
}

@test "malformed expositions are rejected with the line and the reason" {
	rejects "# TYPE x_total counter\nx_total 1" "no HELP"
	rejects "# HELP x_total h\nx_total 1" "no TYPE"
	rejects "${H}x_total 1\n# TYPE x_total counter" "after its samples"
	rejects "${H}${H}x_total 1" "second HELP"
	rejects "${G}g 1\n${H}x_total 1\ng{a=\"1\"} 2" "contiguous"
	rejects "${G}g{a=\"1\",a=\"2\"} 1" "given twice"
	rejects "${G}g 1\ng 2" "given twice"
	rejects "${G}g{a=\"\\\\q\"} 1" "bad escape"
	rejects "${G}g{__a=\"x\"} 1" "reserved"
	rejects "${G}g{a=x} 1" "expected =\""
	rejects "${G}g{a=\"x\"}  1" "VALUE"
	rejects "${G}g 0x10" "bad value"
	rejects "${G}g 1 1.5" "bad timestamp"
	rejects "${G}\ng 1" "blank line"
	rejects "${G}g 1\xff" "UTF-8"
	rejects "# HELP c Help.\n# TYPE c counter\nc 1" "should end in _total"
	rejects "# HELP g_total Help.\n# TYPE g_total gauge\ng_total 1" "should not end in _total"
	rejects "${H}x_total -1" "negative counter"
	rejects "${G}1g 1" "bad metric name"
	run $PROM - < <(printf '%b' "${G}g 1")
	[ "$status" -eq 1 ]
	[[ "$output" == *"does not end in a newline"* ]]
}
