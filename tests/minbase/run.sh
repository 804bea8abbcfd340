#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The README's first two commands on a fresh Debian 12 as the issue found it: a `debootstrap
# --variant=minbase bookworm` root (no make, no gcc, no git), as root. Each command runs in a
# fresh throw-away copy of that root holding this working tree as a clone would (no build/, no
# .git), with what a real host mounts: proc, sysfs, bpffs at /sys/fs/bpf, cgroup2, a tmpfs /run
# and /dev. The chroot shares the host's kernel and network namespace; the demo makes its own.
#
#   tests/minbase/run.sh                     # both commands, each twice: 15-20 minutes
#   MINBASE_ONLY=demo tests/minbase/run.sh   # or =check: one of them
#
# Asserts: the README's first code block is exactly two commands and .ci/run runs make check;
# each command installs the packages (make, gcc) and succeeds, then succeeds again in the same
# boot installing nothing, and leaves no namespace, pin or process behind; the demo shows drops,
# replies and drop log lines, and cleans up; no test of the test command fails.
# Needs root, debootstrap, unshare and the mirror (MINBASE_MIRROR, default deb.debian.org). The
# minbase root is built once and cached as MINBASE_CACHE. Everything is mounted in a mount and
# PID namespace of its own, so whatever happens the host keeps none of it (no mount, namespace,
# pin or process); the copies under /var/tmp are removed on exit.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${MINBASE_CACHE:-/var/cache/xdpfwd-tests/minbase-bookworm.tar}
MIRROR=${MINBASE_MIRROR:-http://deb.debian.org/debian}
ONLY=${MINBASE_ONLY:-}
DEMO_TIMEOUT=${MINBASE_DEMO_TIMEOUT:-1200}
CHECK_TIMEOUT=${MINBASE_CHECK_TIMEOUT:-7200}
WORK=
FAILED=0

say() { printf '\n== minbase: %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }
fail() { echo "minbase: FAIL: $*" >&2; FAILED=1; }
die() { echo "minbase: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (chroot, mounts, namespaces): run it with sudo or as root"
for c in debootstrap unshare chroot tar timeout flock; do
	command -v "$c" >/dev/null || die "$c is missing; apt-get install debootstrap util-linux coreutils tar"
done
case "$ONLY" in '' | demo | check) ;; *) die "MINBASE_ONLY='$ONLY': use demo, check or nothing" ;; esac

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	if [ -n "$WORK" ]; then
		# The mounts live in namespaces that ended with their commands; never follow one anyway.
		if grep -qF " $WORK/" /proc/self/mountinfo; then
			echo "minbase: mounts under $WORK survived their namespace; unmounting" >&2
			grep -F " $WORK/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
		fi
		rm -rf --one-file-system "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the README's first code block: exactly two commands, demo then tests ----
mapfile -t BLOCK < <(awk '/^```/ { if (inb) exit; inb = 1; next } inb' "$SRC/README.md")
[ "${#BLOCK[@]}" = 2 ] || die "README.md's first code block has ${#BLOCK[@]} lines, not two commands: ${BLOCK[*]}"
DEMO_CMD=${BLOCK[0]}
CHECK_CMD=${BLOCK[1]}
# The README's second command is install-deps.sh + make check; CI runs the same two steps.
grep -qxF "make check" "$SRC/.ci/run" || die ".ci/run does not run the test command 'make check'"
echo "minbase: README's commands: '$DEMO_CMD' and '$CHECK_CMD'; .ci/run runs make check"

WORK=$(mktemp -d /var/tmp/xdpfwd-minbase.XXXXXX)

# ---- the cached minbase root ----
if [ ! -s "$CACHE" ]; then
	mkdir -p "$(dirname "$CACHE")"
	exec 9>"$CACHE.lock"
	flock 9
	if [ ! -s "$CACHE" ]; then
		say "building the minbase root ($MIRROR), cached as $CACHE"
		# In a mount namespace of its own: debootstrap mounts proc and sys in the target and
		# leaves them mounted when it fails.
		unshare --mount --propagation private \
			debootstrap --variant=minbase bookworm "$WORK/debootstrap" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
			{ tail -20 "$WORK/debootstrap.log"; die "debootstrap failed (log above); is $MIRROR reachable?"; }
		tar --numeric-owner -C "$WORK/debootstrap" -cf "$CACHE.tmp" .
		mv "$CACHE.tmp" "$CACHE"
		rm -rf --one-file-system "$WORK/debootstrap"
	fi
	exec 9>&-
fi

# ---- the working tree as a clone has it: tracked and new files, no build/, no .git ----
if git -C "$SRC" rev-parse --show-toplevel >/dev/null 2>&1; then
	# shellcheck disable=SC2016 # the inner sh expands it
	(cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf "$WORK/tree.tar")
else
	tar -C "$SRC" --exclude=./build --exclude=./.git -cf "$WORK/tree.tar" .
fi

new_root() {
	local r=$WORK/$1
	mkdir "$r"
	tar --numeric-owner -C "$r" -xpf "$CACHE"
	mkdir "$r/root/xdpfwd"
	tar -C "$r/root/xdpfwd" -xf "$WORK/tree.tar"
	cp /etc/resolv.conf "$r/etc/resolv.conf"
	echo "$r"
}

# in_root ROOT SECONDS COMMAND: runs COMMAND with sh in /root/xdpfwd of ROOT, as a fresh host
# would: its own mount and PID namespace (so nothing outlives it), the host's network namespace.
# Afterwards prints what the command left behind: network namespaces, pins, processes.
in_root() {
	# shellcheck disable=SC2016 # the inner sh expands it
	timeout --kill-after=30 "$2" unshare --mount --pid --kill-child --propagation private \
		/bin/sh -c '
set -e
r=$1 cmd=$2
# / is a mount point on a host, and ip netns add remounts it (--make-rslave): so here too.
mount --bind "$r" "$r"
mount -t proc -o nosuid,nodev,noexec proc "$r/proc"
mount -t sysfs -o nosuid,nodev,noexec sysfs "$r/sys"
mount -t bpf -o mode=700 bpffs "$r/sys/fs/bpf"
# A fresh bpffs holds the kernel'"'"'s preloaded iterators (maps.debug, progs.debug): not left-overs.
pins0=$(ls -A "$r/sys/fs/bpf")
mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$r/sys/fs/cgroup"
mount -t tmpfs -o nosuid,nodev,mode=755 tmpfs "$r/run"
mount -t tmpfs -o nosuid,mode=755 tmpfs "$r/dev"
for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0 net/tun:10:200; do
	dev=${n%%:*} maj=${n#*:}
	min=${maj#*:} maj=${maj%:*}
	mkdir -p "$(dirname "$r/dev/$dev")"
	mknod -m 666 "$r/dev/$dev" c "$maj" "$min"
done
mkdir "$r/dev/pts" "$r/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$r/dev/pts"
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs "$r/dev/shm"
ln -s pts/ptmx "$r/dev/ptmx"
ln -s /proc/self/fd "$r/dev/fd"
ln -s /proc/self/fd/0 "$r/dev/stdin"
ln -s /proc/self/fd/1 "$r/dev/stdout"
ln -s /proc/self/fd/2 "$r/dev/stderr"
set +e
# A child, not exec: this shell is PID 1 here and reaps what the command orphans, as init would.
chroot "$r" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	/bin/sh -c "cd /root/xdpfwd && $cmd" </dev/null
rc=$?
left=""
[ -d "$r/run/netns" ] && for f in "$r"/run/netns/*; do [ -e "$f" ] && left="$left netns:${f##*/}"; done
# Every pin and pin directory that was not there at mount time, except libxdp'"'"'s own directory
# "xdp" (it stays after any libxdp attach, as on every host; pins in it still count).
for f in $(find "$r/sys/fs/bpf" -mindepth 1 ! -path "$r/sys/fs/bpf/xdp"); do
	case "
$pins0
" in *"
${f#"$r/sys/fs/bpf/"}
"*) ;; *) left="$left pin:${f#"$r/sys/fs/bpf/"}" ;; esac
done
for p in "$r"/proc/[0-9]*; do
	[ "${p##*/}" = 1 ] && continue
	read -r comm <"$p/comm" 2>/dev/null && left="$left process:${p##*/}:$comm"
done
echo "minbase: rc=$rc left behind:${left:- nothing}"
exit $rc
' sh "$1" "$3"
}

# expect LOG PATTERN WHAT: LOG must have a line matching PATTERN.
expect() { grep -qE -- "$2" "$1" || fail "$3"; }
reject() { ! grep -qE -- "$2" "$1" || fail "$3: $(grep -E -- "$2" "$1" | head -3 | tr '\n' ' ')"; }

host_state() {
	stat -c '/dev/null %a %U:%G %F' /dev/null
	grep -F "$WORK" /proc/self/mountinfo | sed 's/^/mount /' || true
}
host_state >"$WORK/host.before"

# twice NAME COMMAND SECONDS: COMMAND on a fresh root, then again on the same root in the same
# boot (its pins and mounts still there); logs $WORK/NAME.1 and $WORK/NAME.2.
twice() {
	local r
	r=$(new_root "$1")
	say "on a fresh minbase root: $2, then $2 again"
	in_root "$r" "$3" "$2; rc=\$?; echo \"minbase: first run rc=\$rc\"; [ \$rc = 0 ] || exit \$rc
echo '== minbase: the same command again, same boot'; $2" 2>&1 | tee "$WORK/$1.log" || true
	sed '/^minbase: first run rc=/q' "$WORK/$1.log" >"$WORK/$1.1"
	sed '1,/^minbase: first run rc=/d' "$WORK/$1.log" >"$WORK/$1.2"
	expect "$WORK/$1.1" '^minbase: first run rc=0$' "'$2' failed on a fresh minbase root"
	expect "$WORK/$1.log" '^minbase: rc=0 ' "'$2' failed when run a second time"
	reject "$WORK/$1.2" '^install-deps' "'$2' run a second time installed packages"
	expect "$WORK/$1.log" '^minbase: rc=[0-9]+ left behind: nothing$' "'$2' left something behind"
	rm -rf --one-file-system "$r"
}

run_demo() {
	local n
	twice demo "$DEMO_CMD" "$DEMO_TIMEOUT"
	expect "$WORK/demo.1" '^install-deps: installing .*\bmake\b' "'$DEMO_CMD' did not install make"
	for n in 1 2; do
		expect "$WORK/demo.$n" 'from 198\.18\.0\.2 \(blocked\): DROPPED' "demo run $n showed no dropped ping"
		expect "$WORK/demo.$n" 'from 198\.18\.0\.3 \(allowed\): reply' "demo run $n showed no allowed reply"
		expect "$WORK/demo.$n" '\[log\] .* drop blocklist src=198\.18\.0\.2' "demo run $n showed no drop log line"
		expect "$WORK/demo.$n" '^demo: cleaned up' "demo run $n did not clean up"
	done
}

run_check() {
	twice check "$CHECK_CMD" "$CHECK_TIMEOUT"
	expect "$WORK/check.1" '^install-deps: installing .*\bgcc\b' "'$CHECK_CMD' did not install gcc"
	reject "$WORK/check.log" '^not ok ' "a test failed"
}

start=$SECONDS
[ "$ONLY" = check ] || run_demo
[ "$ONLY" = demo ] || run_check

host_state >"$WORK/host.after"
diff -u "$WORK/host.before" "$WORK/host.after" || fail "the host is not as it was (above)"
grep -qx '/dev/null 666 root:root character special file' "$WORK/host.after" ||
	fail "/dev/null is not 0666 root:root: $(cat "$WORK/host.after")"

say "done in $(((SECONDS - start) / 60)) min"
if [ "$FAILED" = 0 ]; then
	case "$ONLY" in
	demo) echo "minbase: PASS: '$DEMO_CMD' on a fresh Debian 12 minbase root" ;;
	check) echo "minbase: PASS: '$CHECK_CMD' on a fresh Debian 12 minbase root" ;;
	*) echo "minbase: PASS: '$DEMO_CMD' and '$CHECK_CMD', each on a fresh Debian 12 minbase root" ;;
	esac
else
	echo "minbase: FAILED (see above)"
	exit 1
fi
