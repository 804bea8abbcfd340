/* SPDX-License-Identifier: GPL-2.0 */
/* Words for the program's enums, as they appear in logs, status and metrics. */
#ifndef XDPFWD_ENUM_NAMES_H
#define XDPFWD_ENUM_NAMES_H

const char *action_name(unsigned int action);
const char *reason_name(unsigned int reason);
/* "udp", "tcp", "icmp", "ipv6-icmp", ... or NULL for a number the caller prints. */
const char *proto_name(unsigned int proto);

#endif
