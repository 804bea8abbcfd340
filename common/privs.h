/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XDPFWD_PRIVS_H
#define XDPFWD_PRIVS_H

/* 0 if the process can use BPF and change XDP attachments; else a message and -EPERM. */
int privs_check(const char *what);

/* Whether the effective set holds cap (CAP_* from linux/capability.h). */
int privs_has_cap(int cap);

#endif
