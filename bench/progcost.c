// SPDX-License-Identifier: GPL-2.0
/*
 * xfbench progcost: the programs' own cost per packet, without the generator
 * or veth around them: BPF_PROG_TEST_RUN with repeat on one crafted frame,
 * duration per run as the kernel measures it. A quick cross-check of the live
 * numbers, and the only place VLAN frames and the allowlist are measured.
 *
 * Runs are interleaved (every program on every case, then again) so a drift
 * in CPU speed hits all of them alike. Output: one CSV row per run.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xfbench.h"

#define MAX_ITEMS 16

struct named_prog {
	char name[32];
	int fd;
};

struct tcase {
	char name[32];
	__u8 frame[XFB_FRAME_MAX];
	__u32 len;
};

static int split_name(const char *spec, char *name, size_t len, const char **rest)
{
	const char *eq = strchr(spec, '=');

	if (!eq || eq == spec || (size_t)(eq - spec) >= len) {
		xfb_err("'%s': use NAME=VALUE\n", spec);
		return -EINVAL;
	}
	memcpy(name, spec, eq - spec);
	name[eq - spec] = '\0';
	*rest = eq + 1;
	return 0;
}

/* "NAME=ADDR" or "NAME=ADDR/vlanN" (N 802.1Q tags). */
static int case_parse(const char *spec, struct tcase *c)
{
	struct frame_opts fo = {};
	char addr[64], *v;
	const char *rest;
	int err;

	err = split_name(spec, c->name, sizeof(c->name), &rest);
	if (err)
		return err;
	snprintf(addr, sizeof(addr), "%s", rest);
	v = strstr(addr, "/vlan");
	if (v) {
		fo.vlans = atoi(v + 5);
		*v = '\0';
	}
	fo.src = addr;
	return frame_build(&fo, c->frame, &c->len);
}

int cmd_progcost(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "prog", 1, NULL, 'p' }, { "case", 1, NULL, 'c' }, { "repeat", 1, NULL, 'r' },
		{ "runs", 1, NULL, 'n' }, {},
	};
	struct named_prog progs[MAX_ITEMS];
	struct tcase cases[MAX_ITEMS];
	int np = 0, nc = 0, opt, err = 0, i, j;
	__u32 repeat = 1000000, runs = 5, r;
	const char *rest;

	while (!err && (opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (np == MAX_ITEMS)
				return -E2BIG;
			err = split_name(optarg, progs[np].name, sizeof(progs[np].name), &rest);
			if (err)
				break;
			progs[np].fd = bpf_obj_get(rest);
			if (progs[np].fd < 0) {
				err = -errno;
				xfb_err("program %s: %s\n", rest, strerror(errno));
			}
			np++;
			break;
		case 'c':
			if (nc == MAX_ITEMS)
				return -E2BIG;
			err = case_parse(optarg, &cases[nc++]);
			break;
		case 'r':
			err = parse_u32(optarg, &repeat);
			break;
		case 'n':
			err = parse_u32(optarg, &runs);
			break;
		default:
			err = -EINVAL;
		}
	}
	if (err || !np || !nc) {
		fprintf(stderr, "usage: xfbench progcost --prog NAME=PIN... --case NAME=ADDR[/vlanN]... "
				"[--repeat N] [--runs N]\n");
		return err ? err : -EINVAL;
	}
	for (r = 0; !err && r < runs; r++) {
		for (i = 0; !err && i < np; i++) {
			for (j = 0; !err && j < nc; j++) {
				LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = cases[j].frame,
					    .data_size_in = cases[j].len, .repeat = repeat);

				err = bpf_prog_test_run_opts(progs[i].fd, &t);
				if (err) {
					xfb_err("test run of %s on %s failed: %s\n", progs[i].name, cases[j].name,
						strerror(-err));
					break;
				}
				printf("progcost,%s,%s,%u,%u,%u\n", progs[i].name, cases[j].name, r, t.duration,
				       t.retval);
			}
		}
	}
	for (i = 0; i < np; i++)
		close(progs[i].fd);
	return err;
}
