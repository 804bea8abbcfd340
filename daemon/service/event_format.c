// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <net/if.h>
#include "addr.h"
#include "json_str.h"
#include "utf8.h"
#include "instance.h"
#include "event_format.h"

void event_format(const struct xdpfwd_event *ev, const char *ifname, const char *set, __u64 ban_s,
		  enum log_format fmt, char *buf, unsigned long len)
{
	char when[40], src[XDPFWD_PREFIX_STRLEN], iface[JSON_STR_MAX(IF_NAMESIZE)], proto[16], vlan[16] = "";
	/* A ban event: how long the ban lasts, or (audit) would have. */
	const char *banw = !(ev->flags & XDPFWD_EVENT_F_BANNED) ? NULL :
			   ev->action == XDPFWD_ACT_AUDIT ? "would_ban_for" : "banned_for";
	char ban[48] = "";
	char setf[XDPFWD_SET_NAME_MAX + 16] = "";
	const char *pname = proto_name(ev->proto);

	time_format_mono(ev->ts_ns, when, sizeof(when));
	if (ev->family)
		xdpfwd_addr16_format(ev->addr, src, sizeof(src));
	else
		snprintf(src, sizeof(src), "-");
	/*
	 * Names may hold any byte but '/', ':' and whitespace (the kernel's
	 * dev_valid_name()): quoted and escaped in JSON, escaped in text
	 * (utf8.h), so one odd name cannot break a line or its fields.
	 */
	if (!ifname)
		snprintf(iface, sizeof(iface), fmt == LOG_FORMAT_JSON ? "\"if%u\"" : "if%u", ev->ifindex);
	else if (fmt == LOG_FORMAT_JSON)
		json_format_string(iface, sizeof(iface), ifname);
	else
		text_format_name(iface, sizeof(iface), ifname);
	if (pname)
		snprintf(proto, sizeof(proto), "%s", pname);
	else
		snprintf(proto, sizeof(proto), "%u", ev->proto);

	if (fmt == LOG_FORMAT_JSON) {
		if (ev->vlan)
			snprintf(vlan, sizeof(vlan), ",\"vlan\":%u", ev->vlan);
		if (set)
			snprintf(setf, sizeof(setf), ",\"set\":\"%s\"", set);
		if (banw)
			snprintf(ban, sizeof(ban), ",\"%s\":%llu", banw, (unsigned long long)ban_s);
		snprintf(buf, len,
			 "{\"time\":\"%s\",\"iface\":%s,\"action\":\"%s\",\"reason\":\"%s\"%s%s,"
			 "\"src\":%s%s%s,\"proto\":\"%s\",\"len\":%u%s}",
			 when, iface, action_name(ev->action), reason_name(ev->reason), ban, setf,
			 ev->family ? "\"" : "", ev->family ? src : "null", ev->family ? "\"" : "",
			 proto, ev->len, vlan);
		return;
	}
	if (ev->vlan)
		snprintf(vlan, sizeof(vlan), " vlan=%u", ev->vlan);
	if (set)
		snprintf(setf, sizeof(setf), " set=%s", set);
	if (banw)
		snprintf(ban, sizeof(ban), " %s=%llu", banw, (unsigned long long)ban_s);
	/* Last, so that what the line said before sets keeps its place. */
	snprintf(buf, len, "%s %s %s %s src=%s proto=%s len=%u%s%s%s", when, iface, action_name(ev->action),
		 reason_name(ev->reason), src, proto, ev->len, vlan, setf, ban);
}

void event_format_stats_json(const struct xdpfwd_stats *s, char *buf, unsigned long len)
{
	static const struct stats_style json = {
		.totals = "{\"stats\":{\"pass\":%llu,\"drop\":%llu,\"audit\":%llu",
		.counter = ",\"%s_%s\":%llu",
		.events = ",\"events_sent\":%llu,\"events_suppressed\":%llu,\"events_lost\":%llu}}",
	};

	stats_format(s, &json, buf, len);
}
