// SPDX-License-Identifier: GPL-2.0
/*
 * The event ring buffer read straight from its mmap'ed pages (the kernel's
 * ring buffer ABI, include/uapi/linux/bpf.h), instead of through libbpf's
 * ring_buffer__consume(), for two reasons measured under a flood that logs
 * every packet:
 *
 * - libbpf 1.1 stores the consumer position after every record. The program
 *   reads that position on every drop to see whether the ring has room, so
 *   each store costs the packet path a cache miss on the CPU taking the
 *   flood. Here the position is published once per CONSUMER_PUBLISH_BYTES.
 * - ring_buffer__consume() returns only when it finds the ring empty; a
 *   producer as fast as the consumer keeps it inside for as long as the
 *   flood lasts, and the event loop (signals, watchdog, stats) with it. One
 *   drain here reads at most one ring's worth and returns.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include "log.h"
#include "event_format.h"
#include "ringbuf_consumer.h"

#define NAME_CACHE 16

struct consumer {
	int map_fd;
	unsigned long *consumer_pos;	/* the one page user space may write */
	const unsigned long *producer_pos;
	const __u8 *data;		/* mapped twice in a row: a record never wraps */
	size_t data_size;		/* a power of 2 */
	size_t page_size;
	enum log_format fmt;
	FILE *out;
	struct {
		unsigned int ifindex;
		char name[IF_NAMESIZE];
	} names[NAME_CACHE];
	unsigned int next_slot;
	/*
	 * Block set names by id: a flood logs thousands of events a second, and
	 * a map lookup for each would cost a syscall per line. Filled on first
	 * use, forgotten every few seconds and after a reload.
	 */
	int sets_fd;
	int limits_fd;			/* a ban event's duration; -1: none */
	__u32 sets_known;
	char set_names[XDPFWD_MAX_SETS][XDPFWD_SET_NAME_MAX + 1];
};

static const char *ifname_of(struct consumer *c, unsigned int ifindex)
{
	unsigned int i, slot;

	for (i = 0; i < NAME_CACHE; i++)
		if (c->names[i].ifindex == ifindex && ifindex)
			return c->names[i].name;
	slot = c->next_slot++ % NAME_CACHE;
	if (!if_indextoname(ifindex, c->names[slot].name))
		return NULL;
	c->names[slot].ifindex = ifindex;
	return c->names[slot].name;
}

/* The name of block set id, NULL if none (an event of no set, a freed id, no sets map). */
static const char *set_name_of(struct consumer *c, unsigned int id)
{
	struct xdpfwd_set s;
	__u32 key = XDPFWD_KIND_BLOCK * XDPFWD_MAX_SETS + id;

	if (id >= XDPFWD_MAX_SETS || c->sets_fd < 0)
		return NULL;
	if (!(c->sets_known & (1U << id))) {
		if (bpf_map_lookup_elem(c->sets_fd, &key, &s))
			s.name[0] = '\0';
		/* Names are at most XDPFWD_SET_NAME_MAX bytes; a longer one was not written by xdpfwd. */
		s.name[XDPFWD_SET_NAME_MAX] = '\0';
		memcpy(c->set_names[id], s.name, sizeof(c->set_names[id]));
		c->sets_known |= 1U << id;
	}
	return c->set_names[id][0] ? c->set_names[id] : NULL;
}

/*
 * How long a ban lasts now: looked up per ban event (one per key per ban,
 * not per packet), so a SIGHUP or `xdpfwd limit set` shows at once.
 */
static __u64 ban_seconds(const struct consumer *c)
{
	struct xdpfwd_limits l;
	__u32 zero = 0;

	if (c->limits_fd < 0 || bpf_map_lookup_elem(c->limits_fd, &zero, &l))
		return 0;
	return l.ban_ns / 1000000000ULL;
}

static void handle_event(struct consumer *c, const void *data, size_t size)
{
	char line[EVENT_LINE_MAX];
	struct xdpfwd_event ev;

	/* A shorter record would come from a program of another layout; skip rather than misread. */
	if (size < sizeof(ev))
		return;
	memcpy(&ev, data, sizeof(ev));
	event_format(&ev, ifname_of(c, ev.ifindex), set_name_of(c, ev.set),
		     ev.flags & XDPFWD_EVENT_F_BANNED ? ban_seconds(c) : 0, c->fmt, line, sizeof(line));
	fputs(line, c->out);
	fputc('\n', c->out);
}

void consumer_set_limits(struct consumer *c, int limits_fd)
{
	c->limits_fd = limits_fd;
}

enum log_format consumer_log_format(const struct consumer *c)
{
	return c->fmt;
}

struct consumer *consumer_new(int events_fd, int sets_fd, enum log_format fmt, FILE *out)
{
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	struct consumer *c;
	void *p;
	int err;

	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->map_fd = events_fd;
	c->sets_fd = sets_fd;
	c->limits_fd = -1;
	c->fmt = fmt;
	c->out = out;
	c->page_size = sysconf(_SC_PAGESIZE);
	if (bpf_obj_get_info_by_fd(events_fd, &info, &info_len)) {
		err = -errno;
		pr_warn("reading the event ring buffer's map info failed: %s\n", strerror(-err));
		goto fail;
	}
	if (info.type != BPF_MAP_TYPE_RINGBUF || !info.max_entries ||
	    (info.max_entries & (info.max_entries - 1))) {
		err = -EINVAL;
		pr_warn("the event map (id %u) is not a ring buffer of a power-of-2 size; "
			"was the pin dir written by another program?\n", info.id);
		goto fail;
	}
	c->data_size = info.max_entries;
	p = mmap(NULL, c->page_size, PROT_READ | PROT_WRITE, MAP_SHARED, events_fd, 0);
	if (p == MAP_FAILED) {
		err = -errno;
		pr_warn("mapping the event ring buffer's consumer page failed: %s\n", strerror(-err));
		goto fail;
	}
	c->consumer_pos = p;
	/* The kernel maps the data pages twice after the producer page; read-only. */
	p = mmap(NULL, c->page_size + 2 * c->data_size, PROT_READ, MAP_SHARED, events_fd,
		 c->page_size);
	if (p == MAP_FAILED) {
		err = -errno;
		pr_warn("mapping the event ring buffer's data failed: %s\n", strerror(-err));
		munmap(c->consumer_pos, c->page_size);
		goto fail;
	}
	c->producer_pos = p;
	c->data = (const __u8 *)p + c->page_size;
	return c;
fail:
	free(c);
	errno = -err;
	return NULL;
}

int consumer_fd(const struct consumer *c)
{
	return c->map_fd;
}

int consumer_drain(struct consumer *c)
{
	unsigned long cons, prod, published, start;
	__u32 hdr, len;
	const __u8 *rec;
	int n = 0;

	/* Only this process writes it; the producer reads it. */
	cons = published = start = *c->consumer_pos;
	prod = __atomic_load_n(c->producer_pos, __ATOMIC_ACQUIRE);
	while (cons < prod && cons - start < c->data_size) {
		rec = c->data + (cons & (c->data_size - 1));
		/* The producer commits a record by clearing BUSY in its header with release order. */
		hdr = __atomic_load_n((const __u32 *)rec, __ATOMIC_ACQUIRE);
		if (hdr & BPF_RINGBUF_BUSY_BIT)
			break;
		len = hdr & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
		if (!(hdr & BPF_RINGBUF_DISCARD_BIT)) {
			handle_event(c, rec + BPF_RINGBUF_HDR_SZ, len);
			n++;
		}
		cons += (len + BPF_RINGBUF_HDR_SZ + 7) & ~7ul;
		if (cons - published >= CONSUMER_PUBLISH_BYTES) {
			/* Release: the records read above may be overwritten from here on. */
			__atomic_store_n(c->consumer_pos, cons, __ATOMIC_RELEASE);
			published = cons;
		}
		if (cons >= prod)
			prod = __atomic_load_n(c->producer_pos, __ATOMIC_ACQUIRE);
	}
	if (cons != published)
		__atomic_store_n(c->consumer_pos, cons, __ATOMIC_RELEASE);
	/* Line-buffered for journald and pipes, but one flush per batch rather than per line. */
	fflush(c->out);
	return n;
}

void consumer_forget_names(struct consumer *c)
{
	memset(c->names, 0, sizeof(c->names));
}

void consumer_forget_sets(struct consumer *c)
{
	c->sets_known = 0;
}

void consumer_free(struct consumer *c)
{
	if (!c)
		return;
	munmap((void *)c->producer_pos, c->page_size + 2 * c->data_size);
	munmap(c->consumer_pos, c->page_size);
	free(c);
}
