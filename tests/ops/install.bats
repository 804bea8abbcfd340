#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# make install / make uninstall into a temporary DESTDIR: the tree, the paths the installed
# files name, configuration that survives, and nothing left behind.

load ops

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

setup() {
	D=$(mktemp -d /tmp/xdpfwd-destdir.XXXXXX)
}

teardown() {
	rm -rf "$D"
}

mk() {
	make -C "$REPO" --no-print-directory -s "$@" DESTDIR="$D"
}

files() {
	(cd "$D" && find . -type f -o -type l | sort)
}

@test "install with the default PREFIX puts each file in its place, uninstall removes them all" {
	mk install
	[ "$(files)" = "./etc/fail2ban/action.d/xdpfwd.conf
./etc/xdpfwd/allowlist
./etc/xdpfwd/allowlist.example
./etc/xdpfwd/blocklist
./etc/xdpfwd/blocklist.example
./etc/xdpfwd/feeds/spamhaus.conf.example
./etc/xdpfwd/limits.conf
./etc/xdpfwd/xdpfwd.conf
./usr/local/lib/systemd/system/xdpfwd-container@.service
./usr/local/lib/systemd/system/xdpfwd-feed@.service
./usr/local/lib/systemd/system/xdpfwd-feed@.timer
./usr/local/lib/systemd/system/xdpfwd@.service
./usr/local/lib/xdpfwd/xdpfwd-feed
./usr/local/sbin/xdpfwd
./usr/local/share/bash-completion/completions/xdpfwd
./usr/local/share/man/man8/xdpfwd.8" ]
	[ "$(stat -c %a "$D/usr/local/sbin/xdpfwd")" = 755 ]
	[ "$(stat -c %a "$D/usr/local/lib/xdpfwd/xdpfwd-feed")" = 755 ]
	for f in etc/xdpfwd/xdpfwd.conf usr/local/lib/systemd/system/xdpfwd@.service \
		usr/local/lib/systemd/system/xdpfwd-container@.service \
		usr/local/lib/systemd/system/xdpfwd-feed@.service usr/local/lib/systemd/system/xdpfwd-feed@.timer \
		usr/local/share/man/man8/xdpfwd.8 usr/local/share/bash-completion/completions/xdpfwd; do
		[ "$(stat -c %a "$D/$f")" = 644 ]
	done
	# The installed binary is the build's, and the man page carries its version.
	version=$("$D/usr/local/sbin/xdpfwd" --version)
	grep -qx ".TH XDPFWD 8 \"\" \"$version\" \"System Administration\"" "$D/usr/local/share/man/man8/xdpfwd.8"
	grep -q '^ExecStart=/usr/local/sbin/xdpfwd --iface %I ' "$D/usr/local/lib/systemd/system/xdpfwd@.service"
	grep -qx 'xdpfwd = /usr/local/sbin/xdpfwd' "$D/etc/fail2ban/action.d/xdpfwd.conf"
	# The units' --sets-dir exists, empty, for the operator's set files.
	grep -q ' --sets-dir /etc/xdpfwd/sets.d ' "$D/usr/local/lib/systemd/system/xdpfwd@.service"
	[ -d "$D/etc/xdpfwd/sets.d" ] && [ "$(stat -c %a "$D/etc/xdpfwd/sets.d")" = 755 ]
	# The feed unit runs the installed fetcher, which runs the installed binary.
	grep -qx 'ExecStart=/usr/local/lib/xdpfwd/xdpfwd-feed %i' "$D/usr/local/lib/systemd/system/xdpfwd-feed@.service"
	grep -qx 'XDPFWD=${XDPFWD:-/usr/local/sbin/xdpfwd}' "$D/usr/local/lib/xdpfwd/xdpfwd-feed"
	mk uninstall
	[ -z "$(files)" ]
	[ ! -e "$D/etc/xdpfwd" ]
}

@test "PREFIX=/usr: the unit and the fail2ban action name /usr/sbin/xdpfwd" {
	mk install PREFIX=/usr
	[ -x "$D/usr/sbin/xdpfwd" ]
	grep -q '^ExecStart=/usr/sbin/xdpfwd --iface %I ' "$D/usr/lib/systemd/system/xdpfwd@.service"
	grep -q '^#ExecStopPost=/usr/sbin/xdpfwd detach ' "$D/usr/lib/systemd/system/xdpfwd@.service"
	grep -q '^ExecStart=/usr/sbin/xdpfwd --iface %I ' "$D/usr/lib/systemd/system/xdpfwd-container@.service"
	grep -qx 'xdpfwd = /usr/sbin/xdpfwd' "$D/etc/fail2ban/action.d/xdpfwd.conf"
	grep -qx 'ExecStart=/usr/lib/xdpfwd/xdpfwd-feed %i' "$D/usr/lib/systemd/system/xdpfwd-feed@.service"
	grep -qx 'Environment=XDPFWD=/usr/sbin/xdpfwd' "$D/usr/lib/systemd/system/xdpfwd-feed@.service"
	grep -qx 'XDPFWD=${XDPFWD:-/usr/sbin/xdpfwd}' "$D/usr/lib/xdpfwd/xdpfwd-feed"
	[ -e "$D/usr/share/man/man8/xdpfwd.8" ]
	[ -e "$D/usr/share/bash-completion/completions/xdpfwd" ]
	mk uninstall PREFIX=/usr
	[ -z "$(files)" ]
}

@test "an edited configuration file survives reinstall and uninstall" {
	mk install
	echo 'XDPFWD_OPTS="--log-rate 5"' >>"$D/etc/xdpfwd/xdpfwd.conf"
	run mk install
	[ "$status" -eq 0 ]
	[[ "$output" == *"KEEP"*"/etc/xdpfwd/xdpfwd.conf (exists)"* ]]
	grep -qx 'XDPFWD_OPTS="--log-rate 5"' "$D/etc/xdpfwd/xdpfwd.conf"
	run mk uninstall
	[ "$status" -eq 0 ]
	[[ "$output" == *"KEEP"*"/etc/xdpfwd/xdpfwd.conf (changed)"* ]]
	[ "$(files)" = ./etc/xdpfwd/xdpfwd.conf ]
}

@test "the installed unit verifies with the installed man page" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
	# SBINDIR at the build, so ExecStart names a binary that exists on this machine.
	mk install SBINDIR="$REPO/build"
	run env MANPATH="$D/usr/local/share/man" systemd-analyze verify \
		"$D/usr/local/lib/systemd/system/xdpfwd@.service"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "the installed feed units verify: the timer, its service, the fetcher they name" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
	mk install SBINDIR="$REPO/build"
	# An instance, as `systemctl start xdpfwd-feed@spamhaus` makes one (verify wants no template).
	local u=$D/usr/local/lib/systemd/system
	cp "$u/xdpfwd-feed@.service" "$D/xdpfwd-feed@spamhaus.service"
	cp "$u/xdpfwd-feed@.timer" "$D/xdpfwd-feed@spamhaus.timer"
	sed -i "s|^ExecStart=/usr/local/lib/xdpfwd/|ExecStart=$D/usr/local/lib/xdpfwd/|" "$D/xdpfwd-feed@spamhaus.service"
	run env MANPATH="$D/usr/local/share/man" systemd-analyze verify \
		"$D/xdpfwd-feed@spamhaus.timer" "$D/xdpfwd-feed@spamhaus.service"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	bash -n "$D/usr/local/lib/xdpfwd/xdpfwd-feed"
}
