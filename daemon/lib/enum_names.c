// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include "xdpfwd.h"
#include "enum_names.h"

const char *action_name(unsigned int action)
{
	return action == XDPFWD_ACT_DROP ? "drop" : action == XDPFWD_ACT_PASS ? "pass" :
	       action == XDPFWD_ACT_AUDIT ? "audit" : "unknown";
}

const char *reason_name(unsigned int reason)
{
	static const char *const names[XDPFWD_R_ALL] = {
		[XDPFWD_R_NO_MATCH] = "no_match",
		[XDPFWD_R_ALLOWLIST] = "allowlist",
		[XDPFWD_R_BLOCKLIST] = "blocklist",
		[XDPFWD_R_NOT_IP] = "not_ip",
		[XDPFWD_R_VLAN_DEPTH] = "vlan_depth",
		[XDPFWD_R_MALFORMED] = "malformed",
		[XDPFWD_R_RATE_LIMIT] = "rate_limit",	/* counted in limit_stats, not stats */
	};

	return reason < XDPFWD_R_ALL ? names[reason] : "unknown";
}

const char *proto_name(unsigned int proto)
{
	switch (proto) {
	case 1:
		return "icmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 47:
		return "gre";
	case 50:
		return "esp";
	case 58:
		return "ipv6-icmp";
	case 132:
		return "sctp";
	default:
		return NULL;
	}
}
