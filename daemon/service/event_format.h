/* SPDX-License-Identifier: GPL-2.0 */
/* One log line per ring-buffer event, as text or as a JSON object. */
#ifndef XDPFWD_EVENT_FORMAT_H
#define XDPFWD_EVENT_FORMAT_H

#include "xdpfwd.h"

enum log_format {
	LOG_FORMAT_TEXT,
	LOG_FORMAT_JSON,
};

/*
 * The longest line, a JSON one with a 15-byte name of control bytes (6 each),
 * IPv6 and a 32-byte set name, is under 350.
 */
#define EVENT_LINE_MAX 384

/*
 * ifname may be NULL (unknown interface): "if<index>" is printed instead.
 * The name is escaped for the format: json_str.h for JSON, text_format_name()
 * (utf8.h) for text. set is the name of the event's set (ev->set), NULL for
 * none: then the line has no set field. Set names are [a-z0-9_-], which
 * need no escaping in either format. A ban event (XDPFWD_EVENT_F_BANNED)
 * says how long the ban lasts, ban_s: "banned_for":600 right after the
 * reason in JSON, banned_for=600 at the end in text (would_ban_for in audit).
 */
void event_format(const struct xdpfwd_event *ev, const char *ifname, const char *set, __u64 ban_s,
		  enum log_format fmt, char *buf, unsigned long len);

/*
 * The periodic stats line (--stats-interval) for --log-format json, so that
 * every line on stdout parses as JSON: {"stats":{"pass":N,"drop":N,"audit":N
 * (audited packets passed too, and are not in "pass"),
 * "ACTION_REASON":N (non-zero ones, as in the text line),"events_sent":N,
 * "events_suppressed":N,"events_lost":N}}. The text line is stats_format_line().
 */
void event_format_stats_json(const struct xdpfwd_stats *s, char *buf, unsigned long len);

#endif
