#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The source layout (README's "Source layout", docs/ARCHITECTURE.md) against the tree and the
# Makefile: the map cannot drift from the files, and an include that points up cannot compile.

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
ROOMS="common daemon/lib daemon/service daemon/cli"

# README's Source layout rows for a room, as "room name" lines, one per named file stem.
named_in_readme() {
	sed -n '/^## Source layout$/,/^## /p' "$REPO/README.md" |
		awk -F'|' -v room="\`$1/\`" '{ gsub(/^ +| +$/, "", $2) } $2 == room { print $3 }' |
		grep -oE '`[^`]+`' | tr -d '`'
}

@test "every .c and .h under common/ and daemon/ is named in README's Source layout in its room, and every name there exists" {
	local room f stem name bad=0

	[ -z "$(find "$REPO/daemon" -maxdepth 1 -type f -name '*.[ch]')" ] || {
		echo "files directly under daemon/, outside the rooms:" >&2
		find "$REPO/daemon" -maxdepth 1 -type f -name '*.[ch]' >&2
		return 1
	}
	for room in $ROOMS; do
		[ -n "$(named_in_readme "$room")" ] || { echo "README names no files for $room/" >&2; return 1; }
		for f in "$REPO/$room"/*.[ch]; do
			stem=$(basename "${f%.?}")
			if ! named_in_readme "$room" | grep -qxF "$stem"; then
				echo "$room/$(basename "$f") is not named in README's Source layout row for $room/" >&2
				bad=1
			fi
		done
		while read -r name; do
			if [ ! -e "$REPO/$room/$name.c" ] && [ ! -e "$REPO/$room/$name.h" ]; then
				echo "README's Source layout names $room/$name, which has neither a .c nor a .h" >&2
				bad=1
			fi
		done < <(named_in_readme "$room")
	done
	[ "$bad" = 0 ]
}

# The compile command make uses for SRC (with the build folder make check built: the skeleton is
# there), with the source replaced by stdin and no output.
compile_like() {
	local src=$1 cmd
	cmd=$(make -C "$REPO" -n -B V=1 "build/obj/${src%.c}.o" 2>/dev/null |
		grep -F -- "-c $src -o") || return 2
	cmd=${cmd%%-c $src -o*}
	(cd "$REPO" && eval "$cmd -fsyntax-only -x c -")
}

@test "each room compiles with only the include paths below it: an upward include fails, a downward one works" {
	# room's source, a header of the room above it, a header below it
	local rows=(
		"common/log.c lists.h addr.h"
		"common/log.c xdpfwd.skel.h xdpfwd.h"
		"daemon/lib/stats.c daemon.h pin_dir.h"
		"daemon/lib/stats.c event_format.h xdpfwd.skel.h"
		"daemon/lib/stats.c daemon_files.h set_files.h"
		"daemon/service/watch.c cli_options.h instance.h"
		"daemon/service/watch.c commands.h daemon.h"
	) row src up down

	for row in "${rows[@]}"; do
		read -r src up down <<<"$row"
		echo "# $src: #include \"$down\" compiles, #include \"$up\" does not" >&2
		printf '#include "%s"\n' "$down" | compile_like "$src"
		if printf '#include "%s"\n' "$up" | compile_like "$src" 2>"$BATS_TEST_TMPDIR/err"; then
			echo "$src could include $up, a header of a room above it" >&2
			return 1
		fi
		grep -q "$up: No such file or directory" "$BATS_TEST_TMPDIR/err"
	done
}

@test "the instance library never prints: no daemon/lib file calls a printing function or includes log.h" {
	local f bad=0

	for f in "$REPO"/daemon/lib/*.[ch]; do
		# Lines of comment (" * ...", "/* ...", "// ...") may name these words; code may not.
		if grep -nE '(^|[^A-Za-z0-9_])(pr_warn|pr_info|pr_debug|log_msg|printf|fprintf|vfprintf|puts|fputs|putchar|perror)[[:space:]]*\(|#include "log.h"|(^|[^A-Za-z0-9_])std(out|err)([^A-Za-z0-9_]|$)' \
			"$f" | grep -vE '^[0-9]+:[[:space:]]*(\*|/\*|//)' >"$BATS_TEST_TMPDIR/hits"; then
			echo "daemon/lib/$(basename "$f") prints (return lib_error_set(...) or call lib_notice(...) instead):" >&2
			cat "$BATS_TEST_TMPDIR/hits" >&2
			bad=1
		fi
	done
	[ "$bad" = 0 ]
}
