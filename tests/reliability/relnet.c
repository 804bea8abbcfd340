// SPDX-License-Identifier: GPL-2.0
/*
 * relnet: the reliability suite's traffic and map tools, each bounded in packets and time.
 *
 *   relnet flood --src A[,B...] --dst D [--port P] --count N --seconds S [--pps R]
 *       sends up to N datagrams, round-robin over the sources (one "round" = one datagram from
 *       each), for at most S seconds, R per second (0: as fast as possible); prints "sent N".
 *       Payload: magic, source index, round, CLOCK_MONOTONIC send time.
 *   relnet recv --port P --out FILE --seconds S [--ready FILE]
 *       records every datagram carrying the magic as "SRC_INDEX ROUND SENT_NS RECV_NS" lines
 *       in FILE, until S seconds passed or SIGTERM/SIGINT.
 *   relnet now
 *       prints CLOCK_MONOTONIC in nanoseconds (the clock the payload times use).
 *   relnet mapcheck PIN_DIR
 *       counts entries of the pinned lists: key=value pairs, one count per list map, then how
 *       many entries a replace left staged (while meta's replace marker is set: the entries
 *       whose two generations of the marked set differ) and how many are dead (no member set
 *       in the generations the program reads), the meta
 *       map's replace marker and whether its set's generation bit has flipped (switched=1: a
 *       replace is past its switch).
 *   relnet active PIN_DIR
 *       prints the meta map's set_gen of each kind, its replace marker and switched (0 or 1;
 *       cheap enough to poll).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "xdpfwd.h"

#define MAGIC 0x5846524cU /* "XFRL" */
#define MAX_SOURCES 8
#define MAX_COUNT 20000000ULL
#define MAX_SECONDS 120

struct payload {
	uint32_t magic;
	uint32_t src_index;
	uint64_t round;
	uint64_t sent_ns;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int parse_addr(const char *s, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*len = sizeof(*a4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*len = sizeof(*a6);
		return AF_INET6;
	}
	fprintf(stderr, "relnet: '%s' is not an IP address\n", s);
	return -1;
}

static const char *opt(int argc, char **argv, const char *name, const char *def)
{
	int i;

	for (i = 0; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return argv[i + 1];
	return def;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static int flood(int argc, char **argv)
{
	const char *srcs = opt(argc, argv, "--src", NULL), *dst = opt(argc, argv, "--dst", NULL);
	uint16_t port = atoi(opt(argc, argv, "--port", "9000"));
	uint64_t count = strtoull(opt(argc, argv, "--count", "0"), NULL, 10);
	double seconds = atof(opt(argc, argv, "--seconds", "0"));
	double pps = atof(opt(argc, argv, "--pps", "0"));
	struct sockaddr_storage to, from;
	socklen_t to_len, from_len;
	int fds[MAX_SOURCES], nsrc = 0, family, i;
	uint64_t sent = 0, k, start, deadline, due;
	char list[512], *tok, *save;
	struct payload p = { .magic = MAGIC };

	if (!srcs || !dst || !count || count > MAX_COUNT || seconds <= 0 || seconds > MAX_SECONDS) {
		fprintf(stderr, "relnet flood: need --src, --dst, --count 1..%llu, --seconds (0,%d]\n",
			(unsigned long long)MAX_COUNT, MAX_SECONDS);
		return 2;
	}
	family = parse_addr(dst, port, &to, &to_len);
	if (family < 0)
		return 2;
	snprintf(list, sizeof(list), "%s", srcs);
	for (tok = strtok_r(list, ",", &save); tok && nsrc < MAX_SOURCES; tok = strtok_r(NULL, ",", &save)) {
		if (parse_addr(tok, 0, &from, &from_len) != family) {
			fprintf(stderr, "relnet flood: source %s is not of the destination's family\n", tok);
			return 2;
		}
		fds[nsrc] = socket(family, SOCK_DGRAM, 0);
		if (fds[nsrc] < 0 || bind(fds[nsrc], (struct sockaddr *)&from, from_len)) {
			fprintf(stderr, "relnet flood: binding to %s failed: %s\n", tok, strerror(errno));
			return 1;
		}
		nsrc++;
	}
	install_signals();
	start = now_ns();
	deadline = start + (uint64_t)(seconds * 1e9);
	due = start;
	for (k = 0; k < count && !stop; k++) {
		uint64_t t = now_ns();

		if (t >= deadline)
			break;
		if (pps > 0) {
			while (t < due && !stop) {
				if (due - t > 200000) {
					struct timespec ts = { 0, (due - t) / 2 };

					nanosleep(&ts, NULL);
				}
				t = now_ns();
			}
			/* Late (descheduled): carry on at the rate from here, no catch-up burst. */
			due = (t > due + 1000000 ? t : due) + (uint64_t)(1e9 / pps);
		}
		i = k % nsrc;
		p.src_index = i;
		p.round = k / nsrc;
		p.sent_ns = t;
		if (sendto(fds[i], &p, sizeof(p), 0, (struct sockaddr *)&to, to_len) == sizeof(p))
			sent++;
	}
	printf("sent %llu\n", (unsigned long long)sent);
	return 0;
}

#define BATCH 64

static int recv_main(int argc, char **argv)
{
	uint16_t port = atoi(opt(argc, argv, "--port", "9000"));
	const char *out = opt(argc, argv, "--out", NULL), *ready = opt(argc, argv, "--ready", NULL);
	double seconds = atof(opt(argc, argv, "--seconds", "0"));
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct payload bufs[BATCH];
	struct sockaddr_in6 srcs[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct timeval tv = { 0, 100000 };
	int fd, zero = 0, rcvbuf = 64 << 20, n, i;
	uint64_t deadline, got = 0;
	FILE *f;

	if (!out || seconds <= 0 || seconds > MAX_SECONDS) {
		fprintf(stderr, "relnet recv: need --out and --seconds (0,%d]\n", MAX_SECONDS);
		return 2;
	}
	f = fopen(out, "w");
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (!f || fd < 0)
		return 1;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	/* SO_RCVBUFFORCE: a burst must not overflow the socket and look like a drop. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "relnet recv: bind to port %u failed: %s\n", port, strerror(errno));
		return 1;
	}
	/* Big stdio buffer: writing must not slow the receive loop. */
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	if (ready) {
		FILE *r = fopen(ready, "w");

		if (r)
			fclose(r);
	}
	install_signals();
	deadline = now_ns() + (uint64_t)(seconds * 1e9);
	while (!stop && now_ns() < deadline) {
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = &bufs[i];
			iov[i].iov_len = sizeof(bufs[i]);
			memset(&msgs[i], 0, sizeof(msgs[i]));
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &srcs[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(srcs[i]);
		}
		n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0)
			continue;
		uint64_t t = now_ns();

		for (i = 0; i < n; i++) {
			if (msgs[i].msg_len != sizeof(struct payload) || bufs[i].magic != MAGIC)
				continue;
			fprintf(f, "%u %llu %llu %llu\n", bufs[i].src_index, (unsigned long long)bufs[i].round,
				(unsigned long long)bufs[i].sent_ns, (unsigned long long)t);
			got++;
		}
	}
	fclose(f);
	printf("received %llu\n", (unsigned long long)got);
	return 0;
}

/* Entries of a pinned map, and how many of them a replace left staged or dead. */
#define CHUNK 8192

static __u32 gen_of_map;	/* meta's set_gen of the map's kind */
static __u32 staged_bit;	/* the set a replace of the map's kind is staging, 0 at rest */

struct tally {
	long n, staged, dead;
};

static void tally_one(const struct xdpfwd_entry *e, struct tally *t)
{
	__u32 members = ((e->sets[0] & ~gen_of_map) | (e->sets[1] & gen_of_map)) ^ XDPFWD_SETS_XOR;

	t->n++;
	t->staged += !!((e->sets[0] ^ e->sets[1]) & staged_bit);
	t->dead += !members;
}

/* Hash maps: batch lookups, a million entries in a fraction of a second. */
static int count_hash(int fd, struct tally *t)
{
	static struct xdpfwd_v6_key keys[CHUNK];
	static struct xdpfwd_entry vals[CHUNK];
	__u32 in = 0, out = 0, n, i;
	void *in_p = NULL;
	int err;

	do {
		n = CHUNK;
		err = bpf_map_lookup_batch(fd, in_p, &out, keys, vals, &n, NULL);
		if (err && errno != ENOENT)
			return -1;
		for (i = 0; i < n; i++)
			tally_one(&vals[i], t);
		in = out;
		in_p = &in;
	} while (!err);
	return 0;
}

static long count_map(const char *dir, const char *name, int exact, struct tally *all)
{
	char path[4096], key[64], next[64];
	struct xdpfwd_entry e;
	struct tally t = {};
	void *prev = NULL;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -1;
	if (exact) {
		if (count_hash(fd, &t))
			t.n = -1;
	} else {
		while (!bpf_map_get_next_key(fd, prev, next)) {
			memcpy(key, next, sizeof(key));
			prev = key;
			if (!bpf_map_lookup_elem(fd, key, &e))
				tally_one(&e, &t);
		}
	}
	close(fd);
	all->staged += t.staged;
	all->dead += t.dead;
	return t.n;
}

static int meta_read(const char *dir, struct xdpfwd_meta *meta)
{
	char path[4096];
	__u32 zero = 0;
	int fd, err;

	snprintf(path, sizeof(path), "%s/meta", dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -1;
	err = bpf_map_lookup_elem(fd, &zero, meta);
	close(fd);
	return err;
}

/* A replace is past its switch: its set's generation bit is no longer the one it started from. */
static int switched(const struct xdpfwd_meta *m)
{
	__u32 r = m->replacing;

	return r && (XDPFWD_REPLACING_KIND(r) < XDPFWD_KINDS) &&
	       ((m->set_gen[XDPFWD_REPLACING_KIND(r)] >> XDPFWD_REPLACING_SET(r)) & 1) != XDPFWD_REPLACING_FROM(r);
}

static int mapcheck(const char *dir)
{
	static const char *const maps[] = { "block_v4_addr", "block_v6_addr", "block_v4_net", "block_v6_net",
					    "allow_v4", "allow_v6" };
	struct xdpfwd_meta meta;
	struct tally all = {};
	unsigned int i;

	if (meta_read(dir, &meta)) {
		printf("meta=missing\n");
		return 1;
	}
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		gen_of_map = meta.set_gen[i < 4 ? XDPFWD_KIND_BLOCK : XDPFWD_KIND_ALLOW];
		staged_bit = meta.replacing &&
			     XDPFWD_REPLACING_KIND(meta.replacing) == (i < 4 ? XDPFWD_KIND_BLOCK : XDPFWD_KIND_ALLOW) ?
			     1U << XDPFWD_REPLACING_SET(meta.replacing) : 0;
		printf("%s=%ld ", maps[i], count_map(dir, maps[i], i < 2, &all));
	}
	printf("staged=%ld dead=%ld replacing=%#x switched=%d magic=%#x layout_version=%u set_gen_block=%#x "
	       "set_gen_allow=%#x\n", all.staged, all.dead, meta.replacing, switched(&meta), meta.magic,
	       meta.layout_version, meta.set_gen[XDPFWD_KIND_BLOCK], meta.set_gen[XDPFWD_KIND_ALLOW]);
	return 0;
}

static int active(const char *dir)
{
	struct xdpfwd_meta meta;

	if (meta_read(dir, &meta))
		return 1;
	printf("%u %u %u %d\n", meta.set_gen[XDPFWD_KIND_BLOCK], meta.set_gen[XDPFWD_KIND_ALLOW], meta.replacing,
	       switched(&meta));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "flood"))
		return flood(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "recv"))
		return recv_main(argc - 1, argv + 1);
	if (argc == 2 && !strcmp(argv[1], "now")) {
		printf("%llu\n", (unsigned long long)now_ns());
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "mapcheck"))
		return mapcheck(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "active"))
		return active(argv[2]);
	fprintf(stderr, "usage: relnet flood|recv|now|mapcheck|active ... (see the comment at the top of relnet.c)\n");
	return 2;
}
