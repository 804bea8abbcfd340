#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# docs/xdpfwd.8 and the bash completion against the binary: every option that any command's
# --help lists must be documented and completed, every command must have its section.

load ops

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
MAN=$REPO/docs/xdpfwd.8
COMPLETION=$REPO/contrib/bash-completion/xdpfwd
COMMANDS="block allow sets limit status top metrics replay resize detach"

# The long options a --help output lists, one per line.
long_options() {
	grep -oE '^ +(-[a-zA-Z?], )?--[a-z][a-z0-9-]*' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

# "" for the daemon, else a command name.
help_of() {
	if [ -z "$1" ]; then "$XDPFWD" --help; else "$XDPFWD" "$1" --help; fi
}

@test "every option in every --help is in the man page" {
	local cmd opt missing=""
	for cmd in "" $COMMANDS; do
		for opt in $(help_of "$cmd" | long_options); do
			# roff writes a hyphen as \- ; the page says --pin-dir as \-\-pin\-dir.
			grep -qF -- "$(sed 's/-/\\-/g' <<<"$opt")" "$MAN" || missing="$missing ${cmd:-daemon}:$opt"
		done
	done
	[ -z "$missing" ] || { echo "not in $MAN:$missing"; false; }
}

@test "every short option in every --help is in the man page" {
	local cmd opt missing=""
	for cmd in "" $COMMANDS; do
		for opt in $(help_of "$cmd" | grep -oE '^ +-[a-zA-Z?],' | grep -oE -- '-[a-zA-Z?]' | sort -u); do
			grep -qF -- ".BR \\$opt \", \"" "$MAN" || missing="$missing ${cmd:-daemon}:$opt"
		done
	done
	[ -z "$missing" ] || { echo "not in $MAN:$missing"; false; }
}

@test "every command of the daemon's --help has its own section, and nothing more" {
	local listed cmd
	listed=$("$XDPFWD" --help | sed -n 's/^  xdpfwd \([a-z]*\) .*/\1/p' | sort -u | tr '\n' ' ')
	[ "$listed" = "allow block detach limit metrics replay resize sets status top " ]
	for cmd in sets limit status top metrics replay resize detach; do
		grep -q "^\\.SS \"xdpfwd $cmd" "$MAN"
	done
	for op in add del list flush load save; do
		grep -q "^\\.SS \"xdpfwd block|allow $op" "$MAN"
		"$XDPFWD" block --help | grep -qw "$op"
	done
}

@test "--version prints 'xdpfwd VERSION', as the man page says" {
	run "$XDPFWD" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^xdpfwd\ [^\ ]+$ ]]
	for cmd in $COMMANDS; do
		[ "$("$XDPFWD" "$cmd" --version)" = "$output" ]
	done
	grep -qF '.BR \-V ", " \-\-version' "$MAN"
}

@test "the man page renders without warnings" {
	command -v man >/dev/null || skip "man-db is not installed"
	run sh -c "MANWIDTH=100 man --warnings -l '$MAN' 2>&1 >/dev/null"
	echo "$output"
	[ -z "$output" ]
	MANWIDTH=100 man -l "$MAN" 2>/dev/null | grep -q '^NAME'
}

@test "every option in every --help is offered by the bash completion" {
	local cmd opt missing=""
	bash -n "$COMPLETION"
	for cmd in "" $COMMANDS; do
		for opt in $(help_of "$cmd" | long_options); do
			grep -qE -- "(^|[[:space:]\"])$opt([[:space:]\"|)]|$)" "$COMPLETION" || missing="$missing ${cmd:-daemon}:$opt"
		done
	done
	[ -z "$missing" ] || { echo "not in $COMPLETION:$missing"; false; }
}

# Runs the completion function for the words given (the last one is being completed) with
# minimal stand-ins for bash-completion's helpers, and prints the candidates.
complete_words() {
	bash -c '
		_init_completion() { words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; cur=${words[cword]}; prev=${words[cword-1]}; }
		_filedir() { COMPREPLY=(FILES); }
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_xdpfwd
		printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPLETION" "$@"
}

@test "the bash completion completes commands, operations and option values" {
	[ "$(complete_words xdpfwd "" | tr '\n' ' ')" = "block allow sets limit status top metrics replay resize detach " ]
	[ "$(complete_words xdpfwd resize --capacity-v | tr '\n' ' ')" = "--capacity-v4 --capacity-v6 " ]
	[ "$(complete_words xdpfwd replay --write-d)" = --write-dropped ]
	[ "$(complete_words xdpfwd replay "")" = FILES ]
	[ "$(complete_words xdpfwd block "" | tr '\n' ' ')" = "add del list flush load save " ]
	[ "$(complete_words xdpfwd sets "" | tr '\n' ' ')" = "add del " ]
	[ "$(complete_words xdpfwd sets add "" | tr '\n' ' ')" = "block allow " ]
	[ "$(complete_words xdpfwd sets add block x --mode a)" = audit ]
	[ "$(complete_words xdpfwd block load --format s)" = spamhaus ]
	[ "$(complete_words xdpfwd block flush --all)" = --all-sets ]
	[ "$(complete_words xdpfwd block add --set f2b --ma | tr '\n' ' ')" = "--mask4 --mask6 " ]
	[ "$(complete_words xdpfwd block save --set f2b "")" = FILES ]
	[ "$(complete_words xdpfwd block add --t)" = --timeout ]
	[ "$(complete_words xdpfwd allow load "")" = FILES ]
	[ "$(complete_words xdpfwd --mode n)" = native ]
	[ "$(complete_words xdpfwd --metrics-t)" = --metrics-textfile ]
	complete_words xdpfwd --iface "" | grep -qx lo
	[ "$(complete_words xdpfwd status --j)" = --json ]
	[ "$(complete_words xdpfwd limit "" | tr '\n' ' ')" = "set off " ]
	[ "$(complete_words xdpfwd limit set --a)" = --action ]
	[ "$(complete_words xdpfwd limit set --action d)" = drop ]
	[ "$(complete_words xdpfwd --limit-action a)" = audit ]
	[ "$(complete_words xdpfwd --limit-k)" = --limit-key ]
}
