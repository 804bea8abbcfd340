/* SPDX-License-Identifier: GPL-2.0 */
/* One frame through an XDP program with BPF_PROG_TEST_RUN: shared by the program and model tests. */
#ifndef XDPFWD_TESTS_XDP_RUN_H
#define XDPFWD_TESTS_XDP_RUN_H

#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include "xdpfwd.h"

/* The XDP verdict, or -errno when the kernel refuses the run (frames under ETH_HLEN, for one). */
static inline int xdp_run(int prog_fd, __u32 ifindex, const void *data, __u32 len)
{
	struct xdp_md ctx = {
		.data_end = len,
		.ingress_ifindex = ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = data,
		.data_size_in = len,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = 1,
	);
	int err;

	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err)
		return err < 0 ? err : -EIO;
	return opts.retval;
}

/*
 * xdp_run() at a given time, for a program loaded with clock_from_meta: the
 * frame goes in after a struct xdpfwd_frame_time in its XDP metadata.
 */
static inline int xdp_run_at(int prog_fd, __u32 ifindex, const void *data, __u32 len, __u64 now_ns)
{
	struct xdpfwd_frame_time t = { .now_ns = now_ns };
	unsigned char buf[sizeof(t) + 2048];
	struct xdp_md ctx = {
		.data = sizeof(t),
		.data_end = sizeof(t) + len,
		.ingress_ifindex = ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = buf,
		.data_size_in = sizeof(t) + len,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = 1,
	);
	int err;

	if (len > sizeof(buf) - sizeof(t))
		return -E2BIG;
	memcpy(buf, &t, sizeof(t));
	memcpy(buf + sizeof(t), data, len);
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err)
		return err < 0 ? err : -EIO;
	return opts.retval;
}

#endif
