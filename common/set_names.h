/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The words of named sets, shared by the library (sets.c), the service
 * (sets.d directives) and the CLI: set names and scopes. Pure C, no state,
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

#endif /* XDPFWD_SET_NAMES_H */
