/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writers for the Prometheus text exposition format (version 0.0.4), the
 * format node_exporter's textfile collector and every Prometheus scraper read:
 *
 *   # HELP name text          (text escapes '\' and newline)
 *   # TYPE name counter|gauge
 *   name{label="value",...} 42  (values escape '\', '"' and newline)
 *
 * Label values come from outside (interface names may hold quotes and
 * backslashes, and need not be UTF-8), so they are always escaped here and
 * each invalid UTF-8 sequence becomes one U+FFFD (utf8.h): one bad name must not make
 * the whole scrape unparseable.
 */
#ifndef XDPFWD_PROM_TEXT_H
#define XDPFWD_PROM_TEXT_H

#include <stdio.h>

/* Content-Type of an HTTP response carrying this format. */
#define PROM_TEXT_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The HELP and TYPE lines that open a metric family; type is "counter" or "gauge". */
void prom_family(FILE *f, const char *name, const char *type, const char *help);

/*
 * One sample. labels is NULL or a NULL-terminated list of name, value pairs:
 * (const char *[]){ "action", "drop", "reason", "blocklist", NULL }.
 * Label names are the caller's constants and are written as given.
 */
void prom_sample(FILE *f, const char *name, const char *const *labels, unsigned long long value);

/* s as a label value (without the quotes): '\' '"' newline escaped, invalid UTF-8 replaced. */
void prom_write_label_value(FILE *f, const char *s);

#endif
