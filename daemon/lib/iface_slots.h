/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-interface counters. Every interface an instance is attached to counts
 * in its own slot of the per-CPU "stats" array; the slot is kept in the
 * interface's record in the pinned "ifaces" map (shared by every daemon of
 * the pin dir), and each daemon tells its own program which ifindex counts
 * where (the program's global data: struct xdpfwd_iface_slots). The global
 * counters are the sum over all slots.
 *
 * Callers hold the pin dir lock.
 */
#ifndef XDPFWD_IFACE_SLOTS_H
#define XDPFWD_IFACE_SLOTS_H

#include <net/if.h>
#include "xdpfwd.h"

struct xdpfwd_bpf;

/*
 * Picks a slot for each of the n interfaces: the one its record already has
 * (a restart, or an interface that came back, keeps counting where it did),
 * else the lowest slot no record holds. A newly taken slot is emptied into
 * XDPFWD_STATS_SLOT_RETIRED first, so a new interface starts from zero and
 * the global sums never go backwards. Works before load: maps not reused from
 * pins have no fd yet, and then nothing is recorded and every slot is empty.
 * -ENOSPC when every slot is held.
 */
int iface_slots_assign(struct xdpfwd_bpf *skel, const char (*names)[IF_NAMESIZE], int n, __u32 *slots);

/* Before load: the program starts with this table (ifindex[i] counts in slots[i]). */
void iface_slots_preload(struct xdpfwd_bpf *skel, const int *ifindex, const __u32 *slots, int n);

/* After load: entry i of the running program's table now means ifindex (an interface that came back). */
int iface_slots_update(struct xdpfwd_bpf *skel, int i, int ifindex);

#endif
