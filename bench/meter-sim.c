// SPDX-License-Identifier: GPL-2.0
/*
 * The meter's set conflicts, simulated (make build/bench/meter-sim): N flooding sources, sent in rotation as
 * the live flood scenario sends them, into the meter's table (the
 * program's hash, include/xdpfwd.h, under random seeds; its way choice,
 * bpf/limit.bpf.h way_victim()), each banned at its (burst + 1)th frame in
 * its bucket's life, after which its frames no longer reach the meter.
 * Counts the sources evicted before their ban (each one got a new burst)
 * those never banned within the rounds, and the round the last ban came in
 * (the first possible: burst + 1). CHOICES=1 tries one set per key.
 *
 *   meter-sim SOURCES [WAYS_TOTAL [BURST [ROUNDS [TRIALS]]]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "xdpfwd.h"

struct way {
	__u32 src;	/* source + 1; 0: free */
	__u64 last;
};

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 65536;
	unsigned long ways = argc > 2 ? strtoul(argv[2], NULL, 0) : XDPFWD_METER_KEYS;
	unsigned int burst = argc > 3 ? atoi(argv[3]) : 5, rounds = argc > 4 ? atoi(argv[4]) : 100;
	unsigned int trials = argc > 5 ? atoi(argv[5]) : 5, choices = getenv("CHOICES") ? atoi(getenv("CHOICES")) : 2;
	__u32 nsets = ways / XDPFWD_METER_WAYS, w[4] = { 0, 0, 0 };
	unsigned int *frames = calloc(n, sizeof(*frames)), t, r;
	unsigned char *banned = calloc(n, 1);
	__u32 (*sets)[2] = calloc(n, sizeof(*sets));
	struct way *tab = calloc((size_t)nsets * XDPFWD_METER_WAYS, sizeof(*tab));
	__u64 seed[XDPFWD_METER_SEEDS], now;
	unsigned long i, evicted, unbanned, last_round;
	int j, c;

	if (!frames || !banned || !sets || !tab || !nsets)
		return 1;
	w[2] = __builtin_bswap32(0xffff);
	for (t = 0; t < trials; t++) {
		if (getrandom(seed, sizeof(seed), 0) != sizeof(seed))
			return 1;
		srandom((unsigned int)seed[0]);
		memset(tab, 0, (size_t)nsets * XDPFWD_METER_WAYS * sizeof(*tab));
		memset(frames, 0, n * sizeof(*frames));
		memset(banned, 0, n);
		for (i = 0; i < n; i++) {
			__u64 h;

			/* 198.19.0.0 on, as the live scenario; RANDOM=1: random sources. */
			w[3] = getenv("RANDOM") ? (__u32)random() : __builtin_bswap32(0xc6130000 + (__u32)i);
			h = xdpfwd_meter_hash(w, seed);
			sets[i][0] = xdpfwd_meter_set0(h, nsets);
			sets[i][1] = choices > 1 ? xdpfwd_meter_set1(h, seed, nsets) : sets[i][0];
		}
		evicted = last_round = 0;
		now = 1;
		for (r = 0; r < rounds; r++)
			for (i = 0; i < n; i++, now++) {
				struct way *hit = NULL, *v = NULL;
				__u64 vt = 0;

				if (banned[i])
					continue;
				for (c = 0; c < 2 && !hit; c++)
					for (j = 0; j < XDPFWD_METER_WAYS; j++) {
						struct way *x = &tab[(size_t)sets[i][c] * XDPFWD_METER_WAYS + j];
						__u64 xt = x->src ? x->last : 0;

						if (x->src == i + 1) {
							hit = x;
							break;
						}
						if (!v || xt < vt) {
							v = x;
							vt = xt;
						}
					}
				if (!hit) {
					if (v->src && !banned[v->src - 1] && frames[v->src - 1]) {
						evicted++;
						frames[v->src - 1] = 0;	/* it starts afresh */
					}
					v->src = i + 1;
					hit = v;
				}
				hit->last = now;
				if (++frames[i] > burst) {
					banned[i] = 1;
					last_round = r + 1;
				}
			}
		for (i = unbanned = 0; i < n; i++)
			unbanned += !banned[i];
		printf("sources %lu ways %lu choices %u burst %u rounds %u: evicted before their ban %lu, never banned %lu, last ban in round %lu\n",
		       n, ways, choices, burst, rounds, evicted, unbanned, last_round);
	}
	return 0;
}
