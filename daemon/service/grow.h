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

#endif
