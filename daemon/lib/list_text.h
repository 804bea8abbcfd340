/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The text of a list file, as both kinds the instance reads take it (the
 * files it owns, set_files.h, and the state dir's persisted entries,
 * list_state.h): read whole, and its catch-all lines checked.
 */
#ifndef XDPFWD_LIST_TEXT_H
#define XDPFWD_LIST_TEXT_H

#include <stddef.h>
#include "list_parse.h"

/* A /0 line may stay when its comment says "--force", as the CLI's --force lets it in. */
#define CATCH_ALL_OK "--force"

/* The message into err (for the caller to report or record), and ret returned. */
int list_say(int ret, char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The whole of fd into a malloc'ed *buf (the caller frees it, on failure too). */
int list_text_read(int fd, char **buf, size_t *len);

/*
 * A /0 entry matches every source: an allowlist one turns the firewall off,
 * a blocklist one cuts the host off. The CLI wants --force for one; a file
 * wants the same word in the line's comment. -EINVAL, with FILE:LINE in
 * err, when set (parsed from buf) holds a /0 whose line does not say it.
 */
int list_text_check_catch_all(const char *name, const char *buf, size_t len, const struct xdpfwd_prefix_set *set,
			      char *err, size_t errlen);

#endif
