// SPDX-License-Identifier: GPL-2.0
/*
 * Swapping what receives, between slots, while the generator keeps sending.
 * XDP to XDP is one netlink call with XDP_FLAGS_REPLACE (the old program is
 * named, so a stranger's program is never replaced). nftables needs XDP off
 * (GRO keeps the veth's NAPI running) and its chain loaded with nft -f.
 */
#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include "xfbench.h"
#include "contender.h"

extern char **environ;

int contender_parse(const char *spec, struct contender *c)
{
	const char *eq = strchr(spec, '=');
	char *copy, *on, *off;

	memset(c, 0, sizeof(*c));
	c->prog_fd = -1;
	if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof(c->name))
		goto bad;
	memcpy(c->name, spec, eq - spec);
	if (!strncmp(eq + 1, "xdp:", 4)) {
		c->prog_fd = bpf_obj_get(eq + 5);
		if (c->prog_fd < 0) {
			xfb_err("contender %s: no program pinned at %s: %s\n", c->name, eq + 5, strerror(errno));
			return -errno;
		}
		return 0;
	}
	if (!strncmp(eq + 1, "nft:", 4)) {
		copy = strdup(eq + 5);
		if (!copy)
			return -ENOMEM;
		on = copy;
		off = strchr(copy, ':');
		if (!off) {
			free(copy);
			goto bad;
		}
		*off++ = '\0';
		c->nft_on = on;
		c->nft_off = off;
		return 0;
	}
bad:
	xfb_err("bad contender '%s': use NAME=xdp:PIN or NAME=nft:ON_FILE:OFF_FILE\n", spec);
	return -EINVAL;
}

static int nft_file(const char *path)
{
	char *argv[] = { "nft", "-f", (char *)path, NULL };
	int status;
	pid_t pid;

	/* The child inherits this thread's network namespace: the receiver's. */
	if (posix_spawnp(&pid, "nft", NULL, NULL, argv, environ))
		return -errno;
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		xfb_err("nft -f %s failed\n", path);
		return -EIO;
	}
	return 0;
}

static int xdp_set(struct rx_if *rx, int fd)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = rx->cur_fd);
	__u32 flags = XDP_FLAGS_DRV_MODE;
	int err;

	if (rx->cur_fd >= 0)
		flags |= XDP_FLAGS_REPLACE;
	else
		flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
	err = bpf_xdp_attach(rx->ifindex, fd, flags, rx->cur_fd >= 0 ? &opts : NULL);
	if (err) {
		xfb_err("%s XDP program on ifindex %d failed: %s\n", fd < 0 ? "detaching the" : "attaching an",
			rx->ifindex, strerror(-err));
		return err;
	}
	rx->cur_fd = fd;
	return 0;
}

int contender_switch(struct rx_if *rx, const struct contender *c)
{
	int err = 0;

	if (rx->cur == c)
		return 0;
	if (rx->cur && rx->cur->prog_fd < 0) {
		err = nft_file(rx->cur->nft_off);
		if (err)
			return err;
	}
	rx->cur = NULL;
	if (c->prog_fd >= 0) {
		err = xdp_set(rx, c->prog_fd);
	} else {
		if (rx->cur_fd >= 0)
			err = xdp_set(rx, -1);
		if (!err)
			err = nft_file(c->nft_on);
	}
	if (!err)
		rx->cur = c;
	return err;
}

void contender_clear(struct rx_if *rx)
{
	if (rx->cur && rx->cur->prog_fd < 0)
		nft_file(rx->cur->nft_off);
	rx->cur = NULL;
	if (rx->cur_fd >= 0)
		xdp_set(rx, -1);
}
