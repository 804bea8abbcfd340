// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <net/if.h>
#include "addr.h"
#include "json_str.h"
#include "utf8.h"
#include "instance.h"
#include "event_format.h"

void event_format(const struct xdpfwd_event *ev, const char *ifname, const char *set, enum log_format fmt,
		  char *buf, unsigned long len)
{
	char when[40], src[XDPFWD_PREFIX_STRLEN], iface[JSON_STR_MAX(IF_NAMESIZE)], proto[16], vlan[16] = "";
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
		snprintf(buf, len,
			 "{\"time\":\"%s\",\"iface\":%s,\"action\":\"%s\",\"reason\":\"%s\"%s,"
			 "\"src\":%s%s%s,\"proto\":\"%s\",\"len\":%u%s}",
			 when, iface, action_name(ev->action), reason_name(ev->reason), setf,
			 ev->family ? "\"" : "", ev->family ? src : "null", ev->family ? "\"" : "",
			 proto, ev->len, vlan);
		return;
	}
	if (ev->vlan)
		snprintf(vlan, sizeof(vlan), " vlan=%u", ev->vlan);
	if (set)
		snprintf(setf, sizeof(setf), " set=%s", set);
	/* Last, so that what the line said before sets keeps its place. */
	snprintf(buf, len, "%s %s %s %s src=%s proto=%s len=%u%s%s", when, iface, action_name(ev->action),
		 reason_name(ev->reason), src, proto, ev->len, vlan, setf);
}

void event_format_stats_json(const struct xdpfwd_stats *s, char *buf, unsigned long len)
{
	__u64 total[XDPFWD_ACT_MAX] = {};
	unsigned long used;
	int a, r, n;

	for (a = 0; a < XDPFWD_ACT_MAX; a++)
		for (r = 0; r < XDPFWD_R_MAX; r++)
			total[a] += s->packets[a][r];
	n = snprintf(buf, len, "{\"stats\":{\"pass\":%llu,\"drop\":%llu,\"audit\":%llu",
		     (unsigned long long)total[XDPFWD_ACT_PASS], (unsigned long long)total[XDPFWD_ACT_DROP],
		     (unsigned long long)total[XDPFWD_ACT_AUDIT]);
	used = n > 0 ? (unsigned long)n : 0;
	for (a = 0; a < XDPFWD_ACT_MAX; a++)
		for (r = 0; r < XDPFWD_R_MAX; r++) {
			if (!s->packets[a][r] || used >= len)
				continue;
			n = snprintf(buf + used, len - used, ",\"%s_%s\":%llu", action_name(a), reason_name(r),
				     (unsigned long long)s->packets[a][r]);
			used += n > 0 ? (unsigned long)n : 0;
		}
	if (used < len)
		snprintf(buf + used, len - used, ",\"events_sent\":%llu,\"events_suppressed\":%llu,"
			 "\"events_lost\":%llu}}", (unsigned long long)s->ev_sent,
			 (unsigned long long)(s->ev_suppressed_source + s->ev_suppressed_global),
			 (unsigned long long)s->ev_lost);
}
