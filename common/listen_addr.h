/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ADDR:PORT for a listening socket: "127.0.0.1:9740", "[::1]:9740" or
 * "localhost:9740". Numeric addresses only (besides localhost), so a typo
 * cannot resolve to some other host, and the result says whether the address
 * is loopback: the caller refuses anything else unless told otherwise.
 */
#ifndef XDPFWD_LISTEN_ADDR_H
#define XDPFWD_LISTEN_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

struct listen_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int loopback;			/* 127.0.0.0/8, ::1 or ::ffff:127.x.y.z */
};

/* 0, or -EINVAL / -ERANGE with one line saying why in err. */
int listen_addr_parse(const char *text, struct listen_addr *out, char *err, size_t errlen);

/* "127.0.0.1:9740" or "[::1]:9740"; truncates to len. */
void listen_addr_format(const struct listen_addr *a, char *buf, size_t len);

#endif
