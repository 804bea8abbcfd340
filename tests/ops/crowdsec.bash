# SPDX-License-Identifier: GPL-2.0
# Helpers for the CrowdSec suites (crowdsec.bats: one host; crowdsec_fleet.bats: one Local API,
# several hosts): Debian's crowdsec Local API (LAPI) alone and offline, and Debian's
# crowdsec-custom-bouncer configured from contrib/crowdsec/. Everything (configuration, SQLite
# database, credentials, logs) is under the directory CS; the host's /etc/crowdsec,
# /var/lib/crowdsec and any running crowdsec are never read or touched. Everything started here is
# in XF_PIDS, so xf_teardown stops it.
#
#   CS_CONTRIB                contrib/crowdsec (the shipped bouncer configuration and script)
#   cs_etc_state              every name, link target, size and time under the host's
#                             /etc/crowdsec (compare before and after: left alone)
#   cs_cli ARGS...            cscli with the test's config.yaml, in CS_NS (default NS_P)
#   cs_start [LISTEN [METRICS]]
#                             the LAPI (`crowdsec -no-cs`: no log acquisition, no hub) in CS_NS,
#                             on LISTEN (default 127.0.0.1:8080), with no online_client section
#                             (no Central API); with METRICS (ADDR:PORT) its Prometheus endpoint
#                             there. Registers the machine cscli uses; waits (at most 10 s) until
#                             the API answers
#   cs_bouncer_conf DIR KEY URL BIN [EXTRA-YAML]
#                             a host's bouncer configuration in DIR: contrib's file as the main
#                             one, and its .local override (where Debian's postinst writes the
#                             key) with the key, api_url URL, bin_path BIN, logs and pid file in
#                             DIR, and EXTRA-YAML (more overrides, one per line)
#   cs_bouncer_wait_poll DIR N [SECONDS]
#                             waits (default 10 s) until the bouncer logging in DIR has finished N
#                             polls that found decisions, or its start-up stream (which it logs
#                             even when empty): "adding 'K' decisions"

CS_CONTRIB=$(cd "$OPS_DIR/../../contrib/crowdsec" && pwd)

cs_etc_state() {
	[ -d /etc/crowdsec ] || return 0
	find /etc/crowdsec -xdev -printf '%p %y %l %s %T@\n' | sort
}

cs_cli() {
	nsenter --net="/run/netns/${CS_NS:-$NS_P}" /usr/bin/cscli --error -c "$CS/config.yaml" "$@" 3>&-
}

# A Local API's config.yaml in $CS, nothing read from /etc/crowdsec (bench/lapi-load.sh uses it too):
#   cs_config LISTEN PROMETHEUS_BODY LOG_LEVEL
cs_config() {
	local listen=$1 prom=$2 level=$3
	cat >"$CS/config.yaml" <<-EOF
		common:
		  daemonize: false
		  log_media: file
		  log_level: $level
		  log_dir: $CS/
		  working_dir: $CS/
		config_paths:
		  config_dir: $CS/
		  data_dir: $CS/data/
		  simulation_path: $CS/simulation.yaml
		  hub_dir: $CS/hub/
		  index_path: $CS/hub/.index.json
		  notification_dir: $CS/notifications/
		  plugin_dir: /usr/lib/crowdsec/plugins/
		cscli:
		  output: human
		db_config:
		  log_level: $level
		  type: sqlite
		  db_path: $CS/data/crowdsec.db
		  use_wal: true
		api:
		  client:
		    credentials_path: $CS/local_api_credentials.yaml
		  server:
		    log_level: $level
		    listen_uri: $listen
		    profiles_path: $CS/profiles.yaml
		    console_path: $CS/console.yaml
		    trusted_ips:
		      - 127.0.0.1
		      - ::1
		prometheus:
		$prom
	EOF
}

cs_start() {
	local listen=${1:-127.0.0.1:8080} metrics=${2:-} i prom='  enabled: false'
	[ -z "$metrics" ] || prom="  enabled: true
  level: full
  listen_addr: ${metrics%:*}
  listen_port: ${metrics##*:}"
	mkdir -p "$CS/data" "$CS/hub" "$CS/notifications"
	# The package's default profile (decisions from alerts; cscli's are made directly) and no
	# simulation, written here: nothing is read from the host's /etc/crowdsec.
	cat >"$CS/profiles.yaml" <<-'EOF'
		name: default_ip_remediation
		filters:
		 - Alert.Remediation == true && Alert.GetScope() == "Ip"
		decisions:
		 - type: ban
		   duration: 4h
		on_success: break
	EOF
	echo 'simulation: off' >"$CS/simulation.yaml"
	cs_config "$listen" "$prom" info
	# The machine cscli uses for decisions (written to credentials_path).
	cs_cli machines add xdpfwd-test --auto -f "$CS/local_api_credentials.yaml" >"$CS/machine.out" 2>&1 ||
		{ cat "$CS/machine.out" >&2; return 1; }
	nsenter --net="/run/netns/${CS_NS:-$NS_P}" crowdsec -c "$CS/config.yaml" -no-cs \
		>"$CS/crowdsec.out" 2>&1 3>&- &
	XF_PIDS+=($!)
	CS_PID=$!
	for i in $(seq 100); do
		cs_cli decisions list >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "the Local API did not answer in 10 s:" >&2
	cat "$CS/crowdsec.out" "$CS"/*.log >&2
	return 1
}

cs_bouncer_conf() {
	local dir=$1 key=$2 url=$3 bin=$4 extra=${5:-}
	mkdir -p "$dir"
	cp "$CS_CONTRIB/crowdsec-custom-bouncer.yaml" "$dir/"
	cat >"$dir/crowdsec-custom-bouncer.yaml.local" <<-EOF
		api_url: $url
		api_key: $key
		bin_path: $bin
		log_dir: $dir/
		piddir: $dir/
	EOF
	[ -z "$extra" ] || printf '%s\n' "$extra" >>"$dir/crowdsec-custom-bouncer.yaml.local"
}

cs_bouncer_wait_poll() {
	xf_wait_lines "adding '[0-9]+' decisions" "$2" "$1/crowdsec-custom-bouncer.log" "${3:-10}"
}
