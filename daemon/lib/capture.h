/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet captures for `xdpfwd replay`: reading pcap and pcapng (libpcap,
 * nanosecond timestamps) one frame at a time, so a capture of any size
 * takes the memory of one frame, and writing the frames a replay picked out
 * as a pcap that tcpdump reads. Frames come out as Ethernet frames, what
 * the XDP program sees: Linux cooked captures (`tcpdump -i any`, SLL and
 * SLL2) are given an Ethernet header carrying their protocol; other link
 * types are refused. Like the rest of the library this never prints.
 */
#ifndef XDPFWD_CAPTURE_H
#define XDPFWD_CAPTURE_H

#include <stddef.h>
#include <linux/types.h>

struct capture;

struct capture_frame {
	const __u8 *data;	/* valid until the next capture_next */
	__u32 len;		/* bytes captured (after a cooked header's conversion) */
	__u32 wire_len;		/* bytes the frame had on the wire (more when the snap length cut it) */
	__u64 ts_ns;		/* capture time, ns since the epoch */
	__u64 offset;		/* byte offset of its record in the file */
};

/* Opens path; -errno with lib_error naming the file and, for a bad header, offset 0. */
int capture_open(const char *path, struct capture **out);
/*
 * The next frame: 1, 0 at the end, or -EBADMSG with lib_error naming the
 * byte offset of the record that could not be read (a corrupt or truncated
 * capture).
 */
int capture_next(struct capture *c, struct capture_frame *f);
/* "pcap" or "pcapng", and the link type as libpcap names it ("EN10MB", "LINUX_SLL"). */
const char *capture_format(const struct capture *c);
const char *capture_linktype(const struct capture *c);
void capture_close(struct capture *c);

struct capture_writer;

/* A new pcap (nanosecond timestamps, Ethernet) at path, replacing a file there. */
int capture_writer_open(const char *path, struct capture_writer **out);
int capture_write(struct capture_writer *w, const struct capture_frame *f);
/* Flushes and closes; -errno if the file could not be written whole. NULL is fine. */
int capture_writer_close(struct capture_writer *w);

#endif
