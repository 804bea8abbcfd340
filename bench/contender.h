/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A contender is what processes the receiving veth's frames during a slot: an
 * XDP program (by its pin) or an nftables ruleset (a file that adds the
 * ingress chain, one that removes it, XDP detached in between).
 */
#ifndef XFBENCH_CONTENDER_H
#define XFBENCH_CONTENDER_H

struct contender {
	char name[32];
	int prog_fd;		/* XDP program, or -1 for nftables */
	const char *nft_on;	/* nft -f files, for nftables contenders */
	const char *nft_off;
};

struct rx_if {
	int ifindex;
	int cur_fd;		/* XDP program attached by us, -1 if none */
	const struct contender *cur;
};

/* "NAME=xdp:PIN" or "NAME=nft:ON_FILE:OFF_FILE". */
int contender_parse(const char *spec, struct contender *c);
/* Makes c the receiver: swaps XDP programs atomically, or detaches XDP and loads the nft chain. */
int contender_switch(struct rx_if *rx, const struct contender *c);
/* Leaves the interface as we found it: no XDP program of ours, no nft chain. */
void contender_clear(struct rx_if *rx);

#endif
