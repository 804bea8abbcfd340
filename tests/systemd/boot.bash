# SPDX-License-Identifier: GPL-2.0
# Boots a Debian root (tests/systemd/base.sh) with systemd 252 as PID 1 in a container of our
# own making, for the unit tests in tests/systemd. systemd-nspawn cannot run on the test VM, so:
# unshare(1) gives the container new pid, mount, uts, ipc, cgroup and network namespaces, a
# cgroup of its own under the host's cgroup2 hierarchy is its cgroup root, and chroot(1) starts
# /lib/systemd/systemd in a copy of the base. /sys is a fresh, writable sysfs (so udevd runs and
# announces the container's interfaces), /dev a tmpfs with a few nodes of its own (nothing in
# the container can touch the host's /dev), /sys/fs/bpf a bpffs of its own (pins die with it).
# Units that would act on the whole host (coldplug, sysctl, modules, binfmt, remount, rfkill,
# fstrim) are masked.
#
#   sd_unsupported     prints why the tests cannot run here (not root, no debootstrap), or fails
#   sd_boot            copies the base, installs xdpfwd (make install DESTDIR=), boots, waits
#                      until systemd is up; sets SD_ID, SD_ROOT, SD_PID (PID 1, as the host sees
#                      it), SD_TMP, NS_S (the sender namespace). SD_SYS_RO=1: /sys read-only, as
#                      systemd-nspawn gives it (no udevd, no device units)
#   sd_in CMD...       runs CMD in the container (all its namespaces, its root), clean environment
#   sd_net CMD...      runs a host tool in the container's network namespace only
#   sd_link IF         a veth pair, both ends up: IF in the container with 198.18.0.1/24, its
#                      peer (IF's name with its first "c" made "s") in NS_S with 198.18.0.2-.5/24
#   sd_shutdown        stops the container (poweroff, then SIGKILL after 20 s); idempotent
#   sd_cleanup         sd_shutdown, then removes the namespace, cgroup and copy; leaves the host
#                      as found (checked by sd_host_clean)
#   sd_host_clean      fails unless /dev/null is 0666 root:root and nothing of ours is left
# The tests ping the container from NS_S with tests/lib/xf.bash's xf_ping (loaded here).

SD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/xf.bash
source "$SD_DIR/../lib/xf.bash"
# xf.bash's default teardown() is per test; these suites build one container per file
# (setup_file) and remove it in teardown_file, so a per-test teardown must leave it alone.
teardown() {
	:
}
SD_REPO=$(cd "$SD_DIR/../.." && pwd)
SD_CG_PARENT=/sys/fs/cgroup/unified
[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && SD_CG_PARENT=/sys/fs/cgroup
SD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# Units that would act on the host (its sysctls, modules, binfmt handlers, the root file
# system, every device through a coldplug trigger), log in on a console, or only slow the boot.
SD_MASK="systemd-udev-trigger.service systemd-sysctl.service systemd-remount-fs.service
	systemd-binfmt.service proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount
	systemd-modules-load.service kmod-static-nodes.service systemd-rfkill.service
	systemd-rfkill.socket console-getty.service getty@.service serial-getty@.service
	container-getty@.service getty.target fstrim.timer fstrim.service e2scrub_all.timer
	e2scrub_reap.service apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer
	systemd-tmpfiles-clean.timer systemd-pstore.service systemd-repart.service
	systemd-firstboot.service systemd-hwdb-update.service ldconfig.service
	systemd-journald-audit.socket sys-kernel-config.mount sys-kernel-debug.mount
	sys-kernel-tracing.mount sys-fs-fuse-connections.mount systemd-pcrphase.service
	systemd-pcrphase-sysinit.service systemd-random-seed.service"

# Prints why this machine cannot run the tests, or fails (prints nothing) when it can.
sd_unsupported() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "needs root (boots a container)"
	elif ! command -v debootstrap >/dev/null; then
		echo "needs debootstrap (make deps installs it)"
	else
		return 1
	fi
}

# What a run killed outright (SIGKILL leaves no trap to run) left behind: its container died with
# its unshare (--kill-child), but the sender namespace, the cgroup and the copy stay. A run is
# dead when the unshare its directory names is gone.
_sd_sweep() {
	local dir pid
	for dir in /tmp/xdpfwd-sd.*; do
		{ [ -f "$dir/unshare.pid" ] && [ -f "$dir/id" ]; } || continue
		pid=$(cat "$dir/unshare.pid")
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = unshare ] && continue
		(
			SD_ID=$(cat "$dir/id") SD_TMP=$dir SD_ROOT=$dir/root SD_UNSHARE=
			SD_CG=$SD_CG_PARENT/xdpfwd-test-$SD_ID NS_S=xfs-sd$SD_ID
			echo "removing what a killed run left: $dir" >&2
			sd_cleanup
		)
	done
}

sd_boot() {
	local tar i state
	_sd_sweep
	SD_ID=$(printf '%04x%02x' $((RANDOM)) $((RANDOM % 256)))
	SD_TMP=$(mktemp -d /tmp/xdpfwd-sd.XXXXXX)
	SD_ROOT=$SD_TMP/root
	SD_CG=$SD_CG_PARENT/xdpfwd-test-$SD_ID
	NS_S=xfs-sd$SD_ID
	echo "$SD_ID" >"$SD_TMP/id"
	tar=$("$SD_DIR/base.sh") || return 1
	# Each step says if it failed: callers test sd_boot in an if, where set -e does not act.
	mkdir "$SD_ROOT" || return 1
	tar -C "$SD_ROOT" -xf "$tar" || return 1
	# The copy's / is mktemp's 0700 otherwise, and no service user could reach a file.
	chmod 0755 "$SD_ROOT"
	make -s -C "$SD_REPO" install DESTDIR="$SD_ROOT" >"$SD_TMP/install.log" || return 1
	_sd_configure || return 1
	ip netns add "$NS_S" || return 1
	mkdir "$SD_CG" || return 1
	# The subshell joins the cgroup, then becomes unshare; its child is PID 1 in the container
	# and dies with it (--kill-child). The console (systemd's own output) goes to a file.
	(
		echo "$BASHPID" >"$SD_CG/cgroup.procs"
		SD_SYS_RO=${SD_SYS_RO:-0} exec unshare --pid --fork --kill-child --mount --uts --ipc \
			--cgroup --net /bin/bash "$SD_DIR/init.sh" "$SD_ROOT"
	) </dev/null >"$SD_TMP/console.log" 2>&1 3>&- &
	SD_UNSHARE=$!
	echo "$SD_UNSHARE" >"$SD_TMP/unshare.pid"
	for i in $(seq 100); do
		SD_PID=$(awk '{print $1}' "/proc/$SD_UNSHARE/task/$SD_UNSHARE/children" 2>/dev/null)
		case $(readlink "/proc/${SD_PID:-0}/exe" 2>/dev/null) in */lib/systemd/systemd) break ;; esac
		SD_PID=
		sleep 0.1
	done
	if [ -z "$SD_PID" ]; then
		echo "the container's init did not start; console:" >&2
		cat "$SD_TMP/console.log" >&2
		return 1
	fi
	# Up: every start job done ("running", or "degraded" if some unit failed: listed below).
	for i in $(seq 300); do
		state=$(sd_in systemctl is-system-running 2>/dev/null) || true
		case $state in running | degraded) break ;; esac
		sleep 0.1
	done
	case $state in
	running) ;;
	degraded) sd_in systemctl --failed --no-legend >&2 ;;
	*)
		echo "systemd in the container did not come up (state '$state'); journal:" >&2
		sd_in journalctl -b --no-pager 2>&1 | tail -n 30 >&2
		return 1
		;;
	esac
	[ "${SD_SYS_RO:-0}" = 1 ] && return 0
	# udevd started after PID 1, which then did not take in udev's events (seen here with
	# systemd 252): interfaces moved in later got no device unit, and a unit that wants one
	# waited 90 s. Re-executed once udevd runs, it does.
	sd_in systemctl is-active -q systemd-udevd || {
		echo "udevd is not running in the container" >&2
		return 1
	}
	sd_in systemctl daemon-reexec || return 1
}

# The copy as a test needs it: masks, an identity, the list files the checks look for.
_sd_configure() {
	local u
	for u in $SD_MASK; do
		ln -sf /dev/null "$SD_ROOT/etc/systemd/system/$u"
	done
	echo "xdpfwd-sd-$SD_ID" >"$SD_ROOT/etc/hostname"
	od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$SD_ROOT/etc/machine-id"
	echo >>"$SD_ROOT/etc/machine-id"
	# The journal in memory only: the copy is thrown away anyway.
	mkdir -p "$SD_ROOT/etc/systemd/journald.conf.d"
	printf '[Journal]\nStorage=volatile\n' >"$SD_ROOT/etc/systemd/journald.conf.d/test.conf"
}

sd_in() {
	nsenter -t "$SD_PID" -m -u -i -n -p -C -r -w env -i PATH="$SD_PATH" "$@"
}

sd_net() {
	nsenter --net="/proc/$SD_PID/ns/net" "$@"
}

# IF in the container, IF's peer ${IF/c/s} in NS_S.
sd_link() {
	local ifc=$1 ifs=${1/c/s} i
	ip link add "$ifc" netns "$SD_PID" type veth peer name "$ifs" netns "$NS_S"
	sd_net ip link set lo up
	sd_net ip addr add 198.18.0.1/24 dev "$ifc"
	sd_net ip link set "$ifc" up
	ip -n "$NS_S" link set lo up
	for i in 2 3 4 5; do
		ip -n "$NS_S" addr add 198.18.0.$i/24 dev "$ifs"
	done
	ip -n "$NS_S" link set "$ifs" up
}

sd_shutdown() {
	local i
	[ -n "${SD_UNSHARE:-}" ] || return 0
	if kill -0 "$SD_UNSHARE" 2>/dev/null; then
		sd_in systemctl --no-block poweroff >/dev/null 2>&1 || true
		for i in $(seq 200); do
			kill -0 "$SD_UNSHARE" 2>/dev/null || break
			sleep 0.1
		done
		# unshare --kill-child takes PID 1, and with it the whole container, along.
		kill -KILL "$SD_UNSHARE" 2>/dev/null || true
	fi
	wait "$SD_UNSHARE" 2>/dev/null || true
	SD_UNSHARE=
}

# Removes the cgroup tree bottom up (the container's processes are gone by then).
_sd_rm_cgroup() {
	local i
	[ -d "$SD_CG" ] || return 0
	for i in $(seq 50); do
		find "$SD_CG" -depth -mindepth 0 -type d -exec rmdir {} + 2>/dev/null
		[ -d "$SD_CG" ] || return 0
		sleep 0.1
	done
	echo "could not remove the test cgroup $SD_CG" >&2
}

sd_cleanup() {
	sd_shutdown
	[ -n "${NS_S:-}" ] && ip netns del "$NS_S" 2>/dev/null
	[ -n "${SD_CG:-}" ] && _sd_rm_cgroup
	if [ -n "${SD_TMP:-}" ] && [ -d "$SD_TMP" ]; then
		# Never into a mount: the container's mounts were private to it, but be sure.
		if grep -q " ${SD_ROOT}[/ ]" /proc/self/mountinfo; then
			echo "mounts under $SD_ROOT are left; not removing it" >&2
		else
			rm -rf "$SD_TMP"
		fi
	fi
	return 0
}

sd_host_clean() {
	local bad=0 null
	null=$(stat -c '%a %U:%G %t:%T' /dev/null)
	if [ "$null" != "666 root:root 1:3" ]; then
		echo "host /dev/null is now '$null' (was 666 root:root 1:3)" >&2
		bad=1
	fi
	if [ -n "${SD_ID:-}" ]; then
		if grep -qF "$SD_TMP" /proc/self/mountinfo; then
			echo "mounts left under $SD_TMP" >&2
			bad=1
		fi
		[ -e "$SD_CG" ] && { echo "cgroup $SD_CG left" >&2; bad=1; }
		[ -e "/run/netns/$NS_S" ] && { echo "namespace $NS_S left" >&2; bad=1; }
		[ -e "$SD_TMP" ] && { echo "$SD_TMP left" >&2; bad=1; }
	fi
	return $bad
}
