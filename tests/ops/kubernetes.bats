#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# deploy/kubernetes, offline: the manifests parse and carry what the DaemonSet needs (the unit's
# capabilities and no more, the host's bpffs and BTF, the ConfigMap at --sets-dir, options the
# binary accepts, probes and Service on the metrics port), the Containerfile's COPY source exists
# and its packages give every library the binary links, and kubectl (when one is installed)
# decodes every object into Kubernetes' types without dropping a field. Each check is also run
# on mutated copies, each of which it must refuse: a check that cannot fail proves nothing.
# Then the pod itself, as far as a host without Kubernetes can run it: the DaemonSet's own
# arguments, the container's capabilities only, a mount namespace whose /sys/fs/bpf is a slave
# of the host's (HostToContainer), the ConfigMap as kubelet lays it out (..data symlinks); the
# rollout: the pod's exit leaves the firewall enforcing, the next pod adopts it.

load ../lib/xf

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
# K8S_DEPLOY: another copy of the manifests (to see a test fail on a mutated one).
DEPLOY=${K8S_DEPLOY:-$ROOT/deploy/kubernetes}
CHECK="$XF_PYTHON $BATS_TEST_DIRNAME/k8s_check.py"
XDPFWD_BIN=$ROOT/build/xdpfwd

check() {
	$CHECK "$1" "${2:-$DEPLOY}" --root "$ROOT" --xdpfwd "$XDPFWD_BIN" --unit "${3:-$ROOT/systemd/xdpfwd@.service}"
}

# mutated CHECK FILE SED_EXPR WANT: a copy of deploy/kubernetes whose FILE is changed by SED_EXPR
# (which must change it) fails CHECK with a line containing WANT.
mutated() {
	local chk=$1 file=$2 expr=$3 want=$4 d
	d=$(mktemp -d "$BATS_TEST_TMPDIR/deploy.XXXXXX")
	cp -r "$DEPLOY/." "$d/"
	sed -i -e "$expr" "$d/$file"
	if cmp -s "$DEPLOY/$file" "$d/$file"; then
		echo "mutation '$expr' changed nothing in $file"
		return 1
	fi
	run check "$chk" "$d"
	[ "$status" -eq 1 ] || { echo "$chk accepted $file with '$expr': $output"; return 1; }
	[[ "$output" == *"$want"* ]] || { echo "$chk refused '$expr' for another reason: $output (want: $want)"; return 1; }
}

@test "kubernetes: every manifest parses, with apiVersion, kind, name and namespace" {
	run check parse
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	mutated parse daemonset.yaml 's/^  selector:/ selector:/' "not YAML"
	mutated parse service.yaml 's/^  name: xdpfwd-metrics$/  nam: xdpfwd-metrics/' "without metadata.name"
	mutated parse configmap-sets.yaml 's/^  namespace: xdpfwd$/  namespace: default/' "not xdpfwd"
	mutated parse kustomization.yaml 's/service.yaml/services.yaml/' "does not exist"
}

@test "kubernetes: the DaemonSet has its required fields: selector, hostNetwork, rolling update one node at a time, probe" {
	run check daemonset
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	mutated daemonset daemonset.yaml 's/hostNetwork: true/hostNetwork: false/' "hostNetwork"
	mutated daemonset daemonset.yaml 's/maxUnavailable: 1/maxUnavailable: 2/' "maxUnavailable"
	mutated daemonset daemonset.yaml 's/maxSurge: 0/maxSurge: 1/' "maxSurge"
	mutated daemonset daemonset.yaml 's/type: RollingUpdate/type: OnDelete/' "RollingUpdate"
	mutated daemonset daemonset.yaml '0,/app.kubernetes.io\/name: xdpfwd$/!{0,/app.kubernetes.io\/name: xdpfwd$/s//app.kubernetes.io\/name: other/}' "selector"
	mutated daemonset daemonset.yaml 's/livenessProbe:/readinessProbe:/' "livenessProbe"
}

@test "kubernetes: the daemon's capabilities are the unit's CapabilityBoundingSet, and nothing is privileged but the bpffs init" {
	run check caps
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	mutated caps daemonset.yaml 's/add: \[NET_ADMIN, SYS_ADMIN\]/add: [NET_ADMIN, SYS_ADMIN, SYS_PTRACE]/' "CAP_SYS_PTRACE"
	mutated caps daemonset.yaml 's/add: \[NET_ADMIN, SYS_ADMIN\]/add: [NET_ADMIN]/' "capabilities.add"
	mutated caps daemonset.yaml 's/drop: \[ALL\]/drop: [NET_RAW]/' "ALL"
	mutated caps daemonset.yaml 's/privileged: false/privileged: true/' "privileged"
	mutated caps daemonset.yaml 's/add: \[NET_ADMIN, SYS_ADMIN\]/add: [NET_ADMIN, CAP_SYS_ADMIN]/' "refused by the API server"
	mutated caps daemonset.yaml 's/allowPrivilegeEscalation: false/allowPrivilegeEscalation: true/' "NoNewPrivileges"
	# The unit is read, not a copy of it: a capability the unit gains must appear here too.
	local unit=$BATS_TEST_TMPDIR/xdpfwd@.service
	sed 's/^CapabilityBoundingSet=CAP_NET_ADMIN CAP_SYS_ADMIN$/CapabilityBoundingSet=CAP_NET_ADMIN CAP_SYS_ADMIN CAP_BPF/' \
		"$ROOT/systemd/xdpfwd@.service" >"$unit"
	cmp -s "$unit" "$ROOT/systemd/xdpfwd@.service" && { echo "the unit mutation changed nothing"; false; }
	run check caps "$DEPLOY" "$unit"
	[ "$status" -eq 1 ] && [[ "$output" == *"CAP_BPF"* ]] || { echo "a unit with CAP_BPF: $output"; false; }
}

@test "kubernetes: host's bpffs and BTF, ConfigMap at --sets-dir, state on the host, Bidirectional only where privileged" {
	run check mounts
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	mutated mounts daemonset.yaml 's/mountPropagation: HostToContainer/mountPropagation: None/' "mountPropagation None"
	mutated mounts daemonset.yaml '/name: bpffs$/,/mountPath/s|mountPath: /sys/fs/bpf|mountPath: /sys/fs/bpf2|' "/sys/fs/bpf"
	mutated mounts daemonset.yaml 's|^            path: /sys/fs/bpf$|            path: /run/xdpfwd-bpf|' "/sys/fs/bpf"
	mutated mounts daemonset.yaml '/mountPath: \/sys\/kernel\/btf/{n;s/readOnly: true/readOnly: false/}' "read-only"
	mutated mounts daemonset.yaml 's/privileged: true/privileged: false/' "Bidirectional propagation without privileged"
	mutated mounts daemonset.yaml 's|--sets-dir=/etc/xdpfwd/sets.d|--sets-dir=/etc/xdpfwd/sets|' "ConfigMap volume"
	mutated mounts configmap-sets.yaml 's/name: xdpfwd-sets/name: xdpfwd-lists/' "no manifest defines"
	mutated mounts daemonset.yaml 's|--state-dir=/var/lib/xdpfwd|--state-dir=/tmp/xdpfwd|' "--persist entries would die"
	mutated mounts daemonset.yaml 's|--pin-dir=/sys/fs/bpf/xdpfwd|--pin-dir=/run/xdpfwd|' "not under the host's bpffs"
}

@test "kubernetes: the container's arguments are options the binary accepts, values and all" {
	run check args
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	mutated args daemonset.yaml 's/--iface=/--interface=/' "not an option"
	mutated args daemonset.yaml 's/--log-format=json/--log-format=jsonl/' "refuses the DaemonSet's arguments"
	mutated args daemonset.yaml 's/NODE_IP):9740/NODE_IP):97400/' "refuses the DaemonSet's arguments"
	mutated args daemonset.yaml '/- --metrics-allow-remote/d' "--metrics-allow-remote is missing"
	mutated args daemonset.yaml 's/- name: XDPFWD_IFACE/- name: XDPFWD_IF/' "does not define"
}

@test "kubernetes: probes, Service and ServiceMonitor all reach the metrics port" {
	run check ports
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	mutated ports daemonset.yaml 's/containerPort: 9740/containerPort: 9741/' "containerPort 9740"
	mutated ports daemonset.yaml '0,/path: \/metrics/s//path: \/healthz/' "only /metrics"
	mutated ports service.yaml 's/targetPort: metrics/targetPort: http/' "no Service port"
	mutated ports service.yaml '/selector:/{n;s/xdpfwd/xdpfwd-agent/}' "do not carry"
	mutated ports servicemonitor.yaml 's/- port: metrics/- port: http-metrics/' "does not name"
}

@test "kubernetes: the Containerfile is Debian 12, copies a file that exists, installs every library the binary links" {
	[ -x "$XDPFWD_BIN" ] || skip "build/xdpfwd is not built"
	run check containerfile
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	mutated containerfile Containerfile 's/ libpcap0.8//' "libpcap.so.0.8"
	mutated containerfile Containerfile 's/ libbpf1//' "libbpf.so.1"
	mutated containerfile Containerfile 's|^COPY build/xdpfwd|COPY build/xdpfwd-static|' "no such file"
	mutated containerfile Containerfile 's/debian:12-slim/debian:11-slim/' "not Debian 12"
	mutated containerfile Containerfile 's|/usr/local/sbin/xdpfwd$|/usr/sbin/xdpfwd|' "copies the binary"
}

@test "kubernetes: kubectl (no cluster) builds the kustomization and decodes every object without dropping a field" {
	command -v kubectl >/dev/null || skip "no kubectl (Debian 12's kubernetes-client has one; apply --dry-run=client needs a server, this check does not)"
	run $CHECK kubectl "$DEPLOY"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	mutated kubectl daemonset.yaml 's/mountPropagation: HostToContainer/mountPropogation: HostToContainer/' "mountPropogation"
	mutated kubectl daemonset.yaml 's/hostNetwork: true/hostNetwork: "yes"/' "cannot decode"
	mutated kubectl service.yaml 's/clusterIP: None/clusterIp: None/' "clusterIp"
	mutated kubectl kustomization.yaml 's/- service.yaml/- service.yaml\n  - missing.yaml/' "kustomize"
}

# ---- the pod, run here as the DaemonSet would run it ----

# The DaemonSet's args, as the kubelet expands them, with the node's paths moved to the test's
# (pin dir, sets dir, state dir) and the interface and node address the test bed's.
pod_args() {
	"$XF_PYTHON" - "$DEPLOY/daemonset.yaml" "$IF_P" 198.18.0.1 "$PIN" "$XF_TMP/sets.d" "$XF_TMP/state" <<'EOF'
import sys, yaml
ds = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d.get("kind") == "DaemonSet"][0]
c = [c for c in ds["spec"]["template"]["spec"]["containers"] if c["name"] == "xdpfwd"][0]
env = {"XDPFWD_IFACE": sys.argv[2], "NODE_IP": sys.argv[3]}
moved = {"--pin-dir": sys.argv[4], "--sets-dir": sys.argv[5], "--state-dir": sys.argv[6]}
for a in c["args"]:
    for k, v in env.items():
        a = a.replace(f"$({k})", v)
    name = a.split("=", 1)[0]
    print(f"{name}={moved[name]}" if name in moved else a)
EOF
}

# The ConfigMap's files as the kubelet writes a configMap volume: the data in a timestamped
# directory, ..data a symlink to it, each key a symlink through ..data.
configmap_volume() {
	local dir=$1
	mkdir -p "$dir/..2026_12_03_06_00_00.000000001"
	"$XF_PYTHON" - "$DEPLOY/configmap-sets.yaml" "$dir/..2026_12_03_06_00_00.000000001" <<'EOF'
import os, sys, yaml
cm = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d.get("kind") == "ConfigMap"][0]
for k, v in cm["data"].items():
    with open(os.path.join(sys.argv[2], k), "w") as f:
        f.write(v)
EOF
	ln -s ..2026_12_03_06_00_00.000000001 "$dir/..data"
	local k
	for k in "$dir"/..data/*; do
		ln -s "..data/${k##*/}" "$dir/${k##*/}"
	done
}

# The xdpfwd container's capabilities.add as setpriv's --bounding-set.
pod_caps() {
	"$XF_PYTHON" - "$DEPLOY/daemonset.yaml" <<'EOF'
import sys, yaml
ds = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d.get("kind") == "DaemonSet"][0]
c = [c for c in ds["spec"]["template"]["spec"]["containers"] if c["name"] == "xdpfwd"][0]
add = c.get("securityContext", {}).get("capabilities", {}).get("add") or []
print(",".join(["-all"] + ["+" + a.lower().removeprefix("cap_") for a in add]))
EOF
}

# One pod: a mount namespace whose mounts are slaves of the host's (HostToContainer) and whose
# root is read-only (readOnlyRootFilesystem) but for the state dir (a hostPath volume) and the
# bpffs, the node's network namespace, the bounding set of the container (its capabilities.add:
# root gets exactly those), no new privileges. unshare, sh, nsenter and setpriv exec each other:
# $! is the daemon.
pod_start() {
	local args caps
	mapfile -t args < <(pod_args)
	caps=$(pod_caps)
	XF_DAEMON_FROM=$(($(stat -c %s "$XF_TMP/daemon.err" 2>/dev/null || echo 0) + 1))
	# shellcheck disable=SC2016
	unshare --mount --propagation slave sh -ec 'mount --bind "$1" "$1"; mount -o remount,bind,ro /
		mount -o remount,bind,ro "$(findmnt -no TARGET -T "${1%/*}")"; shift; exec "$@"' sh "$XF_TMP/state" \
		nsenter --net="/run/netns/$NS_P" setpriv --bounding-set="$caps" --inh-caps=-all --no-new-privs \
		"$XDPFWD_BIN" "${args[@]}" >>"$XF_TMP/daemon.out" 2>>"$XF_TMP/daemon.err" 3>&- &
	XF_PIDS+=($!)
	XF_DAEMON_PID=$!
	xf_daemon_wait pod
}

map_id() {
	bpftool -j map show pinned "$PIN/$1" | "$XF_PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}

@test "kubernetes: the pod as the DaemonSet runs it enforces the ConfigMap's sets; its exit leaves the firewall; the next pod adopts it" {
	[ -x "$XDPFWD_BIN" ] || skip "build/xdpfwd is not built"
	xf_setup
	xf_static_neigh
	configmap_volume "$XF_TMP/sets.d"
	mkdir -m 0755 "$XF_TMP/state"

	pod_start
	# The container's capabilities and nothing else: CAP_NET_ADMIN (12) and CAP_SYS_ADMIN (21).
	grep -q '^CapEff:	0000000000201000$' "/proc/$XF_DAEMON_PID/status" ||
		{ grep ^Cap "/proc/$XF_DAEMON_PID/status"; false; }
	# A read-only root, the state dir writable.
	[[ "$(awk '$5 == "/" { print $6 }' "/proc/$XF_DAEMON_PID/mountinfo")" == ro,* ]]
	[[ "$(awk -v d="$XF_TMP/state" '$5 == d { print $6 }' "/proc/$XF_DAEMON_PID/mountinfo")" == rw,* ]]
	# The ConfigMap's three files are three sets, read through the ..data symlinks.
	run xf_cli sets
	echo "$output"
	[[ "$output" == *"allow management"*"$XF_TMP/sets.d/management.list"* ]]
	[[ "$output" =~ block\ blocklist\ +enforce ]]
	[[ "$output" =~ block\ candidates\ +audit ]]
	# The liveness probe's request, at the node's address.
	xf_p curl -fsS -o "$XF_TMP/metrics" --max-time 5 http://198.18.0.1:9740/metrics
	grep -q '^xdpfwd_set_entries{kind="block",set="blocklist"} 3$' "$XF_TMP/metrics"

	# A source blocked at run time (kubectl exec ... xdpfwd block add), and a control source.
	xf_cli block add 198.18.0.2
	[ "$(xf_ping 198.18.0.2 3)" = 0 ]
	[ "$(xf_ping 198.18.0.3 3)" = 3 ]
	local prog v4
	prog=$(xf_prog_id)
	v4=$(map_id block_v4_addr)

	# The rollout deletes the old pod: SIGTERM. The firewall stays, enforcing, with no pod.
	xf_daemon_stop TERM
	[ "$XF_DAEMON_RC" = 0 ]
	[ "$(xf_prog_id)" = "$prog" ]
	[ "$(xf_ping 198.18.0.2 3)" = 0 ]
	[ "$(xf_ping 198.18.0.3 3)" = 3 ]

	# The new pod adopts: same maps (entries and counters kept), its own program swapped in.
	pod_start
	tail -c +"$XF_DAEMON_FROM" "$XF_TMP/daemon.err" | grep -q 'adopted the running'
	[ "$(map_id block_v4_addr)" = "$v4" ]
	[ -n "$(xf_prog_id)" ]
	xf_entries | grep -qx '198.18.0.2'
	[ "$(xf_ping 198.18.0.2 3)" = 0 ]
	[ "$(xf_entry_packets 198.18.0.2)" -ge 9 ]
	xf_daemon_stop TERM
	[ "$XF_DAEMON_RC" = 0 ]
}

@test "fleet: a poisoned feed (128.0.0.0/1) drops what it covers, but not the management ranges of an allow set" {
	[ -x "$XDPFWD_BIN" ] || skip "build/xdpfwd is not built"
	xf_setup
	xf_static_neigh
	mkdir "$XF_TMP/sets.d"
	printf '# xdpfwd-set: kind=allow\n198.18.0.3\n' >"$XF_TMP/sets.d/management.list"
	printf '128.0.0.0/1\n' >"$XF_TMP/sets.d/feed.list"
	XDPFWD=$XDPFWD_BIN xf_daemon --iface "$IF_P" --sets-dir "$XF_TMP/sets.d" --state-dir "$XF_TMP/state"
	# No guard takes a /1 for a mistake: the whole upper half of IPv4 is dropped...
	[ "$(xf_ping 198.18.0.2 3)" = 0 ]
	# ...but the allow set wins over every block set.
	[ "$(xf_ping 198.18.0.3 3)" = 3 ]
	# What an alert can watch: the feed's drops (docs/FLEET.md).
	XDPFWD=$XDPFWD_BIN xf_cli metrics | grep -q '^xdpfwd_set_packets_total{kind="block",set="feed"} [1-9]'
}
