// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's ring-buffer consumer (daemon/service/ringbuf_consumer.c) against the
 * real XDP program as producer: frames through BPF_PROG_TEST_RUN, each
 * dropped and logged (the skeleton is loaded without rate limits), the
 * consumer's lines read back through a FILE of our own.
 *
 * The source of the n-th frame is 198.18.0.0 + n, so a line's source says
 * which event it is: lines must come out complete and in order, across the
 * ring's end, and a drain must return after one ring's worth even while the
 * producer keeps up with it (the FILE's writer sends a frame per line).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <net/if.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpfwd.h"
#include "xdpfwd.skel.h"
#include "event_format.h"
#include "ringbuf_consumer.h"
#include "frames.h"
#include "xdp_run.h"

/* Records are the event rounded up to 8 bytes plus the ring's 8-byte header. */
#define RECORD_BYTES	((sizeof(struct xdpfwd_event) + BPF_RINGBUF_HDR_SZ + 7) & ~7ul)
#define CAPACITY	(XDPFWD_RINGBUF_BYTES / RECORD_BYTES)
#define SRC_BASE	0xc6120000u	/* 198.18.0.0; 198.18.0.0/15 holds every source */

struct fixture {
	struct xdpfwd_bpf *skel;
	struct consumer *consumer;
	FILE *out;
	int prog_fd, ifindex;
	struct frame frame;
	__u32 sent;			/* frames run so far: the next source's offset */
	__u32 next_line;		/* the offset the next line must name */
	__u32 lines, bad_lines, skipped;
	char partial[EVENT_LINE_MAX + 2];
	size_t partial_len;
	char last[EVENT_LINE_MAX + 2];	/* the last complete line */
	/* Set by a test: every line written runs one more frame. */
	int produce_per_line;
	/* Set by a test: the consumer position each line saw. */
	const volatile unsigned long *consumer_pos;
	unsigned long last_pos;
	__u32 pos_changes;
};

static bool run_frames(struct fixture *fx, __u32 n)
{
	__u32 i, src;
	int ret;

	for (i = 0; i < n; i++) {
		src = htonl(SRC_BASE + fx->sent);
		memcpy(fx->frame.data + ETH_HLEN + 12, &src, 4);
		ret = xdp_run(fx->prog_fd, fx->ifindex, fx->frame.data, fx->frame.len);
		if (ret != XDP_DROP) {
			print_error("frame %u returned %d, want XDP_DROP\n", fx->sent, ret);
			return false;
		}
		fx->sent++;
	}
	return true;
}

/*
 * One complete line: a drop whose source comes after the previous line's.
 * Sources in between are events the program lost to a full ring (skipped).
 */
static void check_line(struct fixture *fx, const char *line)
{
	const char *p = strstr(line, " src=");
	char addr[INET_ADDRSTRLEN] = "";
	struct in_addr a;
	__u32 off;

	if (p)
		sscanf(p, " src=%15[0-9.]", addr);
	if (!strstr(line, " drop blocklist ") || inet_pton(AF_INET, addr, &a) != 1 ||
	    (off = ntohl(a.s_addr) - SRC_BASE) < fx->next_line || off >= fx->sent) {
		if (!fx->bad_lines++)
			print_error("line %u is \"%s\", want a drop from source offset %u..%u\n",
				    fx->lines, line, fx->next_line, fx->sent - 1);
		off = fx->next_line;
	}
	fx->skipped += off - fx->next_line;
	fx->next_line = off + 1;
	fx->lines++;
}

static ssize_t on_write(void *cookie, const char *buf, size_t size)
{
	struct fixture *fx = cookie;
	size_t i;

	for (i = 0; i < size; i++) {
		if (buf[i] != '\n') {
			if (fx->partial_len < sizeof(fx->partial) - 1)
				fx->partial[fx->partial_len++] = buf[i];
			continue;
		}
		fx->partial[fx->partial_len] = '\0';
		memcpy(fx->last, fx->partial, fx->partial_len + 1);
		check_line(fx, fx->partial);
		fx->partial_len = 0;
		if (fx->consumer_pos && *fx->consumer_pos != fx->last_pos) {
			fx->last_pos = *fx->consumer_pos;
			fx->pos_changes++;
		}
		if (fx->produce_per_line && !run_frames(fx, 1))
			fx->bad_lines++;
	}
	return size;
}

static int fx_setup(void **state)
{
	static const struct frame_spec spec = { V4("198.18.0.0") };
	cookie_io_functions_t io = { .write = on_write };
	struct fixture *fx;
	/* Every source the tests send from: 198.18.0.0/15, one trie entry. */
	struct xdpfwd_lpm_v4_key key = { .prefixlen = 15, .addr = { 198, 18, 0, 0 } };
	struct xdpfwd_entry val = {};
	struct xdpfwd_meta meta = {
		.magic = XDPFWD_META_MAGIC,
		.layout_version = XDPFWD_LAYOUT_VERSION,
		.drop_sets = 1U << XDPFWD_SET_MANUAL,
	};
	__u32 zero = 0;
	int err;

	fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	fx->skel = xdpfwd_bpf__open();
	if (!fx->skel) {
		print_error("opening the skeleton failed: %s\n", strerror(errno));
		goto fail;
	}
	fx->skel->rodata->log_source_interval_ns = 0;
	fx->skel->rodata->log_global_interval_ns = 0;
	err = xdpfwd_bpf__load(fx->skel);
	if (err) {
		print_error("loading the skeleton failed: %s (run as root?)\n", strerror(-err));
		goto fail;
	}
	fx->prog_fd = bpf_program__fd(fx->skel->progs.xdpfwd_xdp);
	/* As a daemon's start does (sets_init): set manual drops, so the zero-valued entry below drops. */
	if (bpf_map_update_elem(bpf_map__fd(fx->skel->maps.meta), &zero, &meta, BPF_ANY)) {
		print_error("writing meta failed: %s\n", strerror(errno));
		goto fail;
	}
	if (bpf_map_update_elem(bpf_map__fd(fx->skel->maps.block_v4_net), &key, &val, BPF_ANY)) {
		print_error("adding 198.18.0.0/15 failed: %s\n", strerror(errno));
		goto fail;
	}
	fx->ifindex = if_nametoindex("lo");
	if (!fx->ifindex || !frame_build(&fx->frame, &spec))
		goto fail;
	fx->out = fopencookie(fx, "w", io);
	if (!fx->out || setvbuf(fx->out, NULL, _IOLBF, 4096))
		goto fail;
	fx->consumer = consumer_new(bpf_map__fd(fx->skel->maps.events), bpf_map__fd(fx->skel->maps.sets),
				    LOG_FORMAT_TEXT, fx->out);
	if (!fx->consumer)
		goto fail;
	*state = fx;
	return 0;
fail:
	if (fx->out)
		fclose(fx->out);
	xdpfwd_bpf__destroy(fx->skel);
	free(fx);
	return -1;
}

static int fx_teardown(void **state)
{
	struct fixture *fx = *state;

	consumer_free(fx->consumer);
	fclose(fx->out);
	xdpfwd_bpf__destroy(fx->skel);
	free(fx);
	return 0;
}

/* The program's event counters, summed over the CPUs of the "other interface" slot. */
static void read_ev(struct fixture *fx, __u64 *sent, __u64 *lost)
{
	int ncpu = libbpf_num_possible_cpus();
	__u32 slot = XDPFWD_STATS_SLOT_OTHER;
	struct xdpfwd_stats *st = calloc(ncpu, sizeof(*st));
	int cpu;

	assert_non_null(st);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(fx->skel->maps.stats), &slot, st), 0);
	*sent = *lost = 0;
	for (cpu = 0; cpu < ncpu; cpu++) {
		*sent += st[cpu].ev_sent;
		*lost += st[cpu].ev_lost;
	}
	free(st);
}

/* Drains until a drain finds nothing; the events it wrote. */
static __u32 drain_all(struct fixture *fx)
{
	__u32 total = 0;
	int n;

	while ((n = consumer_drain(fx->consumer)) > 0)
		total += n;
	assert_int_equal(n, 0);
	return total;
}

/* Four rounds of two thirds of the ring: every line once, in order, across the ring's end. */
static void test_order_across_wrap(void **state)
{
	struct fixture *fx = *state;
	const __u32 batch = CAPACITY * 2 / 3;
	__u64 sent, lost;
	int round;

	for (round = 0; round < 4; round++) {
		assert_true(run_frames(fx, batch));
		assert_int_equal(drain_all(fx), batch);
		assert_int_equal(fx->lines, fx->sent);
	}
	assert_int_equal(fx->bad_lines, 0);
	assert_int_equal(fx->skipped, 0);
	assert_true(fx->sent * RECORD_BYTES > 2 * XDPFWD_RINGBUF_BYTES);
	read_ev(fx, &sent, &lost);
	assert_int_equal(sent, fx->sent);
	assert_int_equal(lost, 0);
}

/*
 * A full ring while the producer keeps pace: the drain must come back after
 * one ring's worth (libbpf 1.1's consume would not come back at all), and
 * must have told the producer about freed space in a few large steps, not
 * after every record.
 */
static void test_drain_bounded_and_batched(void **state)
{
	struct fixture *fx = *state;
	const size_t page = sysconf(_SC_PAGESIZE);
	unsigned long *pos, start;
	__u64 sent, lost;
	__u32 n, queued_lines;
	int rest;

	pos = mmap(NULL, page, PROT_READ, MAP_SHARED, bpf_map__fd(fx->skel->maps.events), 0);
	assert_true(pos != MAP_FAILED);
	assert_true(run_frames(fx, CAPACITY));
	fx->consumer_pos = pos;
	fx->last_pos = start = *pos;
	fx->produce_per_line = 1;
	/* A consumer that never returns fails here instead of hanging the suite. */
	alarm(60);
	n = consumer_drain(fx->consumer);
	alarm(0);
	fx->produce_per_line = 0;
	assert_int_equal(fx->bad_lines, 0);
	assert_int_equal(n, fx->lines);
	/* Everything queued at the start, and at most one record more: one ring's worth. */
	assert_in_range(n, CAPACITY, CAPACITY + 1);
	/* The producer had room only after a publish: it ran one frame per line and lost the rest. */
	read_ev(fx, &sent, &lost);
	assert_int_equal(sent + lost, fx->sent);
	assert_true(sent > CAPACITY + n / 2);
	/* One publish per 64 KiB consumed, plus the last one (seen by no line, so not counted). */
	assert_in_range(fx->pos_changes, 1, n * RECORD_BYTES / CONSUMER_PUBLISH_BYTES);
	/* The last publish is where the drain stopped. */
	assert_int_equal(*pos, start + n * RECORD_BYTES);
	/* What the producer queued during the drain is still there, and comes out in order. */
	queued_lines = fx->lines;
	rest = drain_all(fx);
	assert_true(rest > 0);
	assert_int_equal(fx->lines, queued_lines + rest);
	assert_int_equal(fx->lines, sent);
	assert_int_equal(fx->bad_lines, 0);
	/* The sources missing from the lines are exactly the events lost. */
	assert_int_equal(fx->skipped + (fx->sent - fx->next_line), lost);
	munmap(pos, page);
}

/* Names block set 0 (the zero-valued entry's count_set) in the sets map. */
static void name_set0(struct fixture *fx, const char *name)
{
	struct xdpfwd_set set = {};
	__u32 key = XDPFWD_KIND_BLOCK * XDPFWD_MAX_SETS + XDPFWD_SET_MANUAL;

	snprintf(set.name, sizeof(set.name), "%s", name);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(fx->skel->maps.sets), &key, &set, BPF_ANY), 0);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

/*
 * The line names the event's set, looked up once per set id: a renamed set
 * still shows its old name (no map lookup per event) until the names are
 * forgotten (every few seconds, and after a reload).
 */
static void test_set_name_cached(void **state)
{
	struct fixture *fx = *state;

	name_set0(fx, "manual");
	assert_true(run_frames(fx, 1));
	assert_int_equal(drain_all(fx), 1);
	assert_true(ends_with(fx->last, " set=manual"));
	name_set0(fx, "renamed");
	assert_true(run_frames(fx, 1));
	assert_int_equal(drain_all(fx), 1);
	assert_true(ends_with(fx->last, " set=manual"));
	consumer_forget_sets(fx->consumer);
	assert_true(run_frames(fx, 1));
	assert_int_equal(drain_all(fx), 1);
	assert_true(ends_with(fx->last, " set=renamed"));
	/* A freed id: no set field at all. */
	name_set0(fx, "");
	consumer_forget_sets(fx->consumer);
	assert_true(run_frames(fx, 1));
	assert_int_equal(drain_all(fx), 1);
	assert_true(strstr(fx->last, " set=") == NULL);
	assert_int_equal(fx->bad_lines, 0);
}

/* A map of another type is refused with EINVAL, before anything is mapped. */
static void test_not_a_ring(void **state)
{
	struct fixture *fx = *state;
	struct consumer *c;

	errno = 0;
	c = consumer_new(bpf_map__fd(fx->skel->maps.meta), -1, LOG_FORMAT_TEXT, fx->out);
	assert_null(c);
	assert_int_equal(errno, EINVAL);
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_order_across_wrap),
		TEST(test_drain_bounded_and_batched),
		TEST(test_set_name_cached),
		TEST(test_not_a_ring),
	};

	return cmocka_run_group_tests_name("ringbuf_consumer", tests, NULL, NULL) ? EXIT_FAILURE
										 : EXIT_SUCCESS;
}
