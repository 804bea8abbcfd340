#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What one CrowdSec Local API spends per bouncer poll, for docs/FLEET.md's 10,000 hosts: Debian's
# crowdsec (the API alone, -no-cs, SQLite with WAL, offline) with DECISIONS ban decisions, polled
# by KEYS bouncers the way crowdsec-custom-bouncer polls (GET /v1/decisions/stream, startup=true
# once, then startup=false every update_frequency) as fast as THREADS client threads go for
# SECONDS. Prints the polls answered per second, their latency, the response size, and the API
# process's CPU time per poll (user + system, from /proc): the figure that scales.
#
# Usage (root): bench/lapi-load.sh [DECISIONS [KEYS [THREADS [SECONDS]]]]  (defaults 10000 20 4 10)
# It touches nothing it did not create: one network namespace (the API on its loopback), a
# temporary directory with the configuration and database; the host's /etc/crowdsec is not read.
set -Eeuo pipefail

DECISIONS=${1:-10000}
KEYS=${2:-20}
THREADS=${3:-4}
SECONDS_RUN=${4:-10}
ID=$$
NS=xflapi-$ID
CS=$(mktemp -d /tmp/xdpfwd-bench-lapi.XXXXXX)
API=

cleanup() {
	[ -z "$API" ] || { kill "$API" 2>/dev/null; wait "$API" 2>/dev/null || true; }
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$CS"
}
trap cleanup EXIT

in_ns() { nsenter --net="/run/netns/$NS" "$@"; }
cscli() { in_ns /usr/bin/cscli --error -c "$CS/config.yaml" "$@"; }

ip netns add "$NS"
ip -n "$NS" link set lo up
mkdir -p "$CS/data" "$CS/hub" "$CS/notifications"
echo 'simulation: off' >"$CS/simulation.yaml"
printf 'name: none\nfilters:\n - false\non_success: break\n' >"$CS/profiles.yaml"
# shellcheck source=tests/ops/crowdsec.bash
OPS_DIR=$(cd "$(dirname "$0")/../tests/ops" && pwd)
source "$OPS_DIR/crowdsec.bash"
cs_config 127.0.0.1:8080 '  enabled: false' warning
cscli machines add xdpfwd-bench --auto -f "$CS/local_api_credentials.yaml" >/dev/null
nsenter --net="/run/netns/$NS" crowdsec -c "$CS/config.yaml" -no-cs >"$CS/crowdsec.out" 2>&1 &
API=$!
for _ in $(seq 100); do
	cscli decisions list >/dev/null 2>&1 && break
	sleep 0.1
done

# DECISIONS bans of addresses in 198.18.0.0/15, imported in one go.
python3 - "$DECISIONS" >"$CS/decisions.csv" <<'EOF'
import ipaddress, sys
print("value,duration,reason,scope,type")
for i in range(int(sys.argv[1])):
    print(f"{ipaddress.IPv4Address('198.18.0.0') + i},24h,bench,ip,ban")
EOF
t0=$(date +%s%N)
cscli decisions import -i "$CS/decisions.csv" >/dev/null
echo "imported $DECISIONS decisions in $((($(date +%s%N) - t0) / 1000000)) ms"
for i in $(seq "$KEYS"); do
	cscli bouncers add "bench-$i" -o raw
	echo
done >"$CS/keys"

# The API process's CPU ticks (user + system) and the clock's ticks per second.
ticks() { awk '{ print $14 + $15 }' "/proc/$API/stat"; }
hz=$(getconf CLK_TCK)

run_polls() {
	local mode=$1 c0 c1
	c0=$(ticks)
	in_ns python3 - "$CS/keys" "$THREADS" "$SECONDS_RUN" "$mode" >"$CS/polls" <<'EOF'
import http.client, statistics, sys, threading, time
keys = open(sys.argv[1]).read().split()
threads, secs, mode = int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
lat, size, lock = [], [], threading.Lock()
def worker(n):
    c = http.client.HTTPConnection("127.0.0.1", 8080, timeout=30)
    i, end = n, time.monotonic() + secs
    first = set()
    while time.monotonic() < end:
        k = keys[i % len(keys)]
        i += threads
        # startup: every poll is a bouncer's first (the full list); delta: each key's first
        # poll is its start-up, untimed, then only what changed since its last poll.
        startup = mode == "startup" or k not in first
        first.add(k)
        t = time.monotonic()
        c.request("GET", f"/v1/decisions/stream?startup={'true' if startup else 'false'}",
                  headers={"X-Api-Key": k, "User-Agent": "xdpfwd-bench"})
        body = c.getresponse().read()
        if startup and mode != "startup":
            continue
        with lock:
            lat.append(time.monotonic() - t)
            size.append(len(body))
ts = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
[t.start() for t in ts]
[t.join() for t in ts]
lat.sort()
print(len(lat), statistics.median(lat) * 1000, lat[int(len(lat) * 0.99)] * 1000, statistics.mean(size))
EOF
	c1=$(ticks)
	read -r n med p99 bytes <"$CS/polls"
	awk -v n="$n" -v s="$SECONDS_RUN" -v med="$med" -v p99="$p99" -v b="$bytes" -v cpu=$((c1 - c0)) \
		-v hz="$hz" -v mode="$mode" 'BEGIN {
		printf "%-7s polls: %d in %d s = %.0f/s; latency median %.1f ms, p99 %.1f ms; %.0f bytes each; API CPU %.2f ms per poll\n",
			mode, n, s, n / s, med, p99, b, cpu * 1000 / hz / n }'
}

run_polls delta
run_polls startup
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs (the client threads share them)"
