// SPDX-License-Identifier: GPL-2.0
/*
 * xdpfwd's XDP program with its bounds checks removed: every header is read
 * without comparing against data_end first. The verifier must reject it; the
 * reliability suite uses it as "a new build that does not load".
 *
 * parse.bpf.h is included first so its include guard makes the program's own
 * #include a no-op, then cursor_pull() is redirected to the unchecked copy.
 */
#include "vmlinux.h"
#include "parse.bpf.h"

static __always_inline void *cursor_pull_unchecked(struct cursor *c, __u32 len)
{
	void *p = c->pos;

	c->pos = p + len;
	return p;
}

#define cursor_pull cursor_pull_unchecked
#include "../../bpf/xdpfwd.bpf.c"
