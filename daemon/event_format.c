// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include "addr.h"
#include "names.h"
#include "event_format.h"

void event_format(const struct xdpfwd_event *ev, const char *ifname, enum log_format fmt,
		  char *buf, unsigned long len)
{
	char when[40], src[XDPFWD_PREFIX_STRLEN], iface[24], proto[16], vlan[16] = "";
	const char *pname = proto_name(ev->proto);

	time_format_mono(ev->ts_ns, when, sizeof(when));
	if (ev->family)
		xdpfwd_addr16_format(ev->addr, src, sizeof(src));
	else
		snprintf(src, sizeof(src), "-");
	if (ifname)
		snprintf(iface, sizeof(iface), "%s", ifname);
	else
		snprintf(iface, sizeof(iface), "if%u", ev->ifindex);
	if (pname)
		snprintf(proto, sizeof(proto), "%s", pname);
	else
		snprintf(proto, sizeof(proto), "%u", ev->proto);

	if (fmt == LOG_FORMAT_JSON) {
		if (ev->vlan)
			snprintf(vlan, sizeof(vlan), ",\"vlan\":%u", ev->vlan);
		/* Interface names cannot hold '"' or '\\' (the kernel refuses them), so no escaping is needed. */
		snprintf(buf, len,
			 "{\"time\":\"%s\",\"iface\":\"%s\",\"action\":\"%s\",\"reason\":\"%s\","
			 "\"src\":%s%s%s,\"proto\":\"%s\",\"len\":%u%s}",
			 when, iface, action_name(ev->action), reason_name(ev->reason),
			 ev->family ? "\"" : "", ev->family ? src : "null", ev->family ? "\"" : "",
			 proto, ev->len, vlan);
		return;
	}
	if (ev->vlan)
		snprintf(vlan, sizeof(vlan), " vlan=%u", ev->vlan);
	snprintf(buf, len, "%s %s %s %s src=%s proto=%s len=%u%s", when, iface, action_name(ev->action),
		 reason_name(ev->reason), src, proto, ev->len, vlan);
}
