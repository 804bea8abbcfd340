// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "event_format.h"
#include "ringbuf_consumer.h"

#define NAME_CACHE 16

struct consumer {
	struct ring_buffer *rb;
	enum log_format fmt;
	FILE *out;
	struct {
		unsigned int ifindex;
		char name[IF_NAMESIZE];
	} names[NAME_CACHE];
	unsigned int next_slot;
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

static int handle_event(void *ctx, void *data, size_t size)
{
	struct consumer *c = ctx;
	char line[EVENT_LINE_MAX];
	struct xdpfwd_event ev;

	/* A shorter record would come from a program of another layout; skip rather than misread. */
	if (size < sizeof(ev))
		return 0;
	memcpy(&ev, data, sizeof(ev));
	event_format(&ev, ifname_of(c, ev.ifindex), c->fmt, line, sizeof(line));
	fputs(line, c->out);
	fputc('\n', c->out);
	return 0;
}

struct consumer *consumer_new(int events_fd, enum log_format fmt, FILE *out)
{
	struct consumer *c = calloc(1, sizeof(*c));
	int err;

	if (!c)
		return NULL;
	c->fmt = fmt;
	c->out = out;
	c->rb = ring_buffer__new(events_fd, handle_event, c, NULL);
	if (!c->rb) {
		err = -errno;
		pr_warn("opening the event ring buffer failed: %s\n", strerror(-err));
		free(c);
		errno = -err;
		return NULL;
	}
	return c;
}

int consumer_epoll_fd(const struct consumer *c)
{
	return ring_buffer__epoll_fd(c->rb);
}

int consumer_drain(struct consumer *c)
{
	int n = ring_buffer__consume(c->rb);

	/* Line-buffered for journald and pipes, but one flush per batch rather than per line. */
	fflush(c->out);
	return n;
}

void consumer_forget_names(struct consumer *c)
{
	memset(c->names, 0, sizeof(c->names));
}

void consumer_free(struct consumer *c)
{
	if (!c)
		return;
	ring_buffer__free(c->rb);
	free(c);
}
