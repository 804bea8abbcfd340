// SPDX-License-Identifier: GPL-2.0
/*
 * The reference model's verdicts for a capture, for tests/e2e/replay.bats:
 * `replay_model CAPTURE BLOCKLIST ALLOWLIST [--drop-malformed]` prints one
 * line "ACTION REASON" per frame, in the words of `xdpfwd replay --json -v`
 * (lower case), with the lists as `replay --blocklist-file F --allowlist-file
 * F` makes them: every entry in set "file", an enforcing set. The capture is
 * read with libpcap here, not with xdpfwd's reader, and the model is
 * tests/model/model.c, so the comparison shares nothing with replay but
 * the capture and the list files.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>
#include "list_parse.h"
#include "model.h"

/* The set --blocklist-file / --allowlist-file fill: the first set after "manual" in a fresh instance. */
#define FILE_SET 1
#define STORED(real) ((real) ^ XDPFWD_SETS_XOR)

static void add_list(struct model *m, const char *path, int allow)
{
	struct xdpfwd_prefix_set ps = {};
	struct model_entry e;
	char err[512];
	size_t i;

	if (xdpfwd_listfile_read(path, &ps, err, sizeof(err))) {
		fprintf(stderr, "replay_model: %s\n", err);
		exit(2);
	}
	for (i = 0; i < ps.n; i++) {
		memset(&e, 0, sizeof(e));
		e.family = ps.v[i].family;
		e.prefixlen = ps.v[i].prefixlen;
		memcpy(e.addr, ps.v[i].addr, 16);
		e.list = allow ? MODEL_ALLOW :
			 e.prefixlen == (e.family == 4 ? 32 : 128) ? MODEL_BLOCK_ADDR : MODEL_BLOCK_NET;
		e.sets[0] = e.sets[1] = STORED(1U << FILE_SET);
		e.count_set = FILE_SET;
		if (model_add(m, &e)) {
			fprintf(stderr, "replay_model: adding an entry of %s failed\n", path);
			exit(2);
		}
	}
	xdpfwd_prefix_set_free(&ps);
}

static void put_lower(const char *s)
{
	for (; *s; s++)
		putchar(tolower((unsigned char)*s));
}

int main(int argc, char **argv)
{
	struct model m = {};
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	struct model_verdict v;
	const u_char *data;
	pcap_t *p;

	if (argc < 4) {
		fprintf(stderr, "usage: replay_model CAPTURE BLOCKLIST ALLOWLIST [--drop-malformed]\n");
		return 2;
	}
	m.cfg.drop_malformed = argc > 4 && !strcmp(argv[4], "--drop-malformed");
	m.cfg.drop_sets = 1U << XDPFWD_SET_MANUAL | 1U << FILE_SET;
	add_list(&m, argv[2], 0);
	add_list(&m, argv[3], 1);
	p = pcap_open_offline(argv[1], errbuf);
	if (!p) {
		fprintf(stderr, "replay_model: %s\n", errbuf);
		return 2;
	}
	while (pcap_next_ex(p, &h, &data) == 1) {
		/* The kernel runs no frame shorter than an Ethernet header: replay says "refused too_short". */
		if (h->caplen < 14) {
			puts("refused too_short");
			continue;
		}
		model_judge(&m, data, h->caplen, 1, &v);
		put_lower(model_action_names[v.action]);
		putchar(' ');
		put_lower(model_reason_names[v.reason]);
		putchar('\n');
	}
	pcap_close(p);
	model_free(&m);
	return 0;
}
