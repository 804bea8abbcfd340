// SPDX-License-Identifier: GPL-2.0
/*
 * Counting what the receiving veth processed, whoever the contender is: veth
 * counts every frame its NAPI takes off the ring in rx_queue_N_xdp_packets,
 * with an XDP program attached or without one (the nftables slots), so one
 * counter serves every slot. Read through SIOCETHTOOL: a few microseconds,
 * no fork, so slot boundaries stay sharp.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include "xfbench.h"

static int ethtool(struct rxcount *rc, void *cmd)
{
	struct ifreq ifr = {};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", rc->ifname);
	ifr.ifr_data = cmd;
	return ioctl(rc->sock, SIOCETHTOOL, &ifr) ? -errno : 0;
}

static int suffix_is(const char *s, const char *prefix, const char *suffix)
{
	size_t ls = strlen(s), lp = strlen(prefix), lx = strlen(suffix);

	return ls > lp + lx && !strncmp(s, prefix, lp) && !strcmp(s + ls - lx, suffix);
}

int rxcount_open(struct rxcount *rc, const char *ifname)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ethtool_gstrings *names = NULL;
	__u32 i;
	int err;

	memset(rc, 0, sizeof(*rc));
	snprintf(rc->ifname, sizeof(rc->ifname), "%s", ifname);
	rc->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (rc->sock < 0) {
		err = -errno;
		goto fail;
	}
	err = ethtool(rc, &info);
	if (err)
		goto fail;
	rc->n_stats = info.n_stats;
	names = calloc(1, sizeof(*names) + (size_t)rc->n_stats * ETH_GSTRING_LEN);
	rc->buf = calloc(1, sizeof(struct ethtool_stats) + (size_t)rc->n_stats * sizeof(__u64));
	if (!names || !rc->buf) {
		err = -ENOMEM;
		goto fail;
	}
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_STATS;
	names->len = rc->n_stats;
	err = ethtool(rc, names);
	if (err)
		goto fail;
	for (i = 0; i < rc->n_stats && rc->n_idx < 64; i++) {
		char *s = (char *)names->data + i * ETH_GSTRING_LEN;

		s[ETH_GSTRING_LEN - 1] = '\0';
		if (suffix_is(s, "rx_queue_", "_xdp_packets"))
			rc->idx[rc->n_idx++] = i;
	}
	free(names);
	names = NULL;
	if (!rc->n_idx) {
		xfb_err("%s has no rx_queue_*_xdp_packets counter: is it a veth?\n", ifname);
		err = -ENOTSUP;
		goto fail;
	}
	return 0;
fail:
	free(names);
	if (err != -ENOTSUP)
		xfb_err("reading ethtool counters of %s failed: %s\n", ifname, strerror(-err));
	rxcount_close(rc);
	return err;
}

int rxcount_read(struct rxcount *rc, __u64 *packets)
{
	struct ethtool_stats *st = (struct ethtool_stats *)rc->buf;
	int i, err;

	st->cmd = ETHTOOL_GSTATS;
	st->n_stats = rc->n_stats;
	err = ethtool(rc, st);
	if (err)
		return err;
	*packets = 0;
	for (i = 0; i < rc->n_idx; i++)
		*packets += st->data[rc->idx[i]];
	return 0;
}

void rxcount_close(struct rxcount *rc)
{
	if (rc->sock >= 0)
		close(rc->sock);
	free(rc->buf);
	rc->sock = -1;
	rc->buf = NULL;
}
