// SPDX-License-Identifier: GPL-2.0
/*
 * xfbench evstats PIN_DIR: xdpfwd's event accounting summed over CPUs, read
 * from its pinned stats map with the layout in include/xdpfwd.h, as one CSV
 * row: eligible, sent, suppressed (per-source + global), lost. The target is
 * sent + suppressed + lost == eligible, exactly, after a flood.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdpfwd.h"
#include "xfbench.h"

int cmd_evstats(int argc, char **argv)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), key = 0;
	struct xdpfwd_stats *v, sum = {};
	char path[256];
	int fd, n, i, err = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: xfbench evstats PIN_DIR\n");
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/stats", argv[1]);
	fd = bpf_obj_get(path);
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		xfb_err("%s: %s\n", path, strerror(errno));
		return -errno;
	}
	/* A layout change in xdpfwd.h must show up here, not as wrong numbers. */
	if (info.value_size != sizeof(*v)) {
		xfb_err("%s holds %u-byte values, include/xdpfwd.h says %zu: rebuild xfbench\n", path,
			info.value_size, sizeof(*v));
		close(fd);
		return -EINVAL;
	}
	n = libbpf_num_possible_cpus();
	v = calloc(n, sizeof(*v));
	if (!v || bpf_map_lookup_elem(fd, &key, v)) {
		err = v ? -errno : -ENOMEM;
		xfb_err("reading %s failed: %s\n", path, strerror(-err));
		goto out;
	}
	for (i = 0; i < n; i++) {
		sum.ev_eligible += v[i].ev_eligible;
		sum.ev_sent += v[i].ev_sent;
		sum.ev_suppressed_source += v[i].ev_suppressed_source;
		sum.ev_suppressed_global += v[i].ev_suppressed_global;
		sum.ev_lost += v[i].ev_lost;
	}
	printf("evstats,%llu,%llu,%llu,%llu,%llu\n", (unsigned long long)sum.ev_eligible,
	       (unsigned long long)sum.ev_sent, (unsigned long long)sum.ev_suppressed_source,
	       (unsigned long long)sum.ev_suppressed_global, (unsigned long long)sum.ev_lost);
out:
	free(v);
	close(fd);
	return err;
}
