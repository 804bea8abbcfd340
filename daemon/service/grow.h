/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's side of capacity (lib/capacity.h): each round, under the pin
 * dir lock, a block map (exact hash or trie) past CAPACITY_GROW_PERCENT is
 * grown (unless --no-grow), and a resize by anyone (this daemon, `xdpfwd
 * resize`, another daemon of the instance) is adopted: the daemon's skeleton
 * takes the new maps and its watch the new program, so its sweeps, books, metrics and
 * re-attaches work on what the interfaces run.
 */
#ifndef XDPFWD_GROW_H
#define XDPFWD_GROW_H

#include <stdbool.h>

struct watch;
struct xdp_program;

/* *xprog: the program the daemon holds (replaced on adoption; the caller closes the last one). */
void grow_round(struct watch *w, struct xdp_program **xprog);

/*
 * The adoption alone, for the other tasks that edit the lists under the
 * lock: they must work on the hashes the interfaces use, not on the ones a
 * resize left behind. The caller holds the pin dir lock.
 */
void grow_adopt(struct watch *w, struct xdp_program **xprog);

struct xdpfwd_bpf;
struct daemon_opts;
struct set_files;

/*
 * Before the daemon applies its own list files (at start, on SIGHUP, on a
 * sets dir change): the exact hashes grown first to take their entries
 * (lib's capacity_grow_for), unless --no-grow, as the CLI's loads do, so a
 * big file never fails for want of room. skel then follows the new hashes;
 * the program the interfaces run is adopted by grow_adopt (the caller's, or
 * the next round's). The caller holds the pin dir lock. 1: grown.
 */
int grow_for_files(struct xdpfwd_bpf *skel, const struct daemon_opts *o, const struct set_files *sf,
		   bool fresh_maps);

#endif
