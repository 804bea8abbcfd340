/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XDPFWD_JSON_STR_H
#define XDPFWD_JSON_STR_H

#include <stdio.h>

/* Writes s as a quoted JSON string: paths and names may hold quotes, backslashes, control bytes. */
void json_put_string(FILE *f, const char *s);

#endif
