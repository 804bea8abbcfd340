/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The words of named sets, shared by the library (sets.c), the service
 * (sets.d directives, --persist files) and the CLI: set names, scopes, and
 * the name of each set's --persist file in the state dir. Pure C, no state,
 * no kernel; parsers return 0 or -EINVAL with one line saying why in err
 * (always NUL-terminated when errlen > 0).
 */
#ifndef XDPFWD_SET_NAMES_H
#define XDPFWD_SET_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "xdpfwd.h"

/* [a-z0-9_-]{1,XDPFWD_SET_NAME_MAX}: safe in file names, metric labels and JSON without quoting. */
bool set_name_valid(const char *name);
/* set_name_valid, or one line in err saying what is wrong and what a name may be. */
int set_name_check(const char *name, char *err, size_t errlen);

/*
 * "tcp:22,443", "udp:53", "tcp,udp:53", or a protocol alone ("tcp": every
 * port). Ports 1..65535, at most XDPFWD_SCOPE_PORTS, each once; kept in the
 * order given, in network byte order. Outputs written only on success.
 */
int set_scope_text_parse(const char *text, __u8 *protos, __u8 *nports, __be16 ports[XDPFWD_SCOPE_PORTS],
			 char *err, size_t errlen);
/* The text set_scope_text_parse reads back; "" when protos is 0 (no scope). Truncates to len. */
void set_scope_text_format(__u8 protos, __u8 nports, const __be16 *ports, char *buf, size_t len);

/*
 * The state dir file of a set's --persist entries: "blocklist" and
 * "allowlist" for set manual (the names from before sets, so an upgrade keeps
 * them), "blocklist@NAME" / "allowlist@NAME" for any other set. '@' is in no
 * set name, so the mapping is one to one, and the writer's "FILE.tmp" can
 * never be another set's file. kind: XDPFWD_KIND_*. -ENAMETOOLONG, -EINVAL.
 */
int set_state_file(char *buf, size_t len, int kind, const char *set);
/* The other way, for a reader walking the state dir: 0 and kind/set, or -EINVAL for any other file. */
int set_state_file_parse(const char *file, int *kind, char set[XDPFWD_SET_NAME_MAX + 1]);

#endif /* XDPFWD_SET_NAMES_H */
