// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>
#include "lib_error.h"
#include "capture.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

#define SLL_HDR_LEN	16
#define SLL2_HDR_LEN	20
#define ETH_HDR_LEN	14
#define PCAPNG_MAGIC	0x0a0d0d0aU
/* What a converted frame may grow to: libpcap's largest snap length. */
#define CAPTURE_MAX_FRAME 262144

struct capture {
	pcap_t *p;
	FILE *fp;
	const char *path;
	int linktype;
	int pcapng;
	__u64 frames;
	__u8 *conv;		/* a cooked frame rebuilt as Ethernet */
};

int capture_open(const char *path, struct capture **out)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct capture *c = calloc(1, sizeof(*c));
	__u32 magic = 0;
	int err;

	if (!c)
		return lib_error_set(-ENOMEM, "reading %s: out of memory", path);
	c->path = path;
	c->fp = fopen(path, "rb");
	if (!c->fp) {
		err = -errno;
		free(c);
		return lib_error_set(err, "opening capture %s failed: %s", path, strerror(-err));
	}
	/* libpcap reads the header itself; the magic only tells which format to name. */
	if (fread(&magic, sizeof(magic), 1, c->fp) == 1)
		c->pcapng = magic == PCAPNG_MAGIC;
	rewind(c->fp);
	c->p = pcap_fopen_offline_with_tstamp_precision(c->fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!c->p) {
		fclose(c->fp);
		free(c);
		return lib_error_set(-EBADMSG, "reading capture %s failed at byte offset 0: %s; give a pcap or pcapng "
				     "file (tcpdump -w)", path, errbuf);
	}
	c->linktype = pcap_datalink(c->p);
	if (c->linktype != DLT_EN10MB && c->linktype != DLT_LINUX_SLL && c->linktype != DLT_LINUX_SLL2) {
		err = lib_error_set(-EPROTONOSUPPORT, "capture %s has link type %s (%s): replay takes Ethernet "
				    "captures and Linux cooked ones (tcpdump -i any); record on the interface itself "
				    "(tcpdump -i IFACE -w FILE)", path,
				    pcap_datalink_val_to_name(c->linktype) ?: "unknown",
				    pcap_datalink_val_to_description(c->linktype) ?: "?");
		capture_close(c);
		return err;
	}
	if (c->linktype != DLT_EN10MB) {
		c->conv = malloc(CAPTURE_MAX_FRAME);
		if (!c->conv) {
			capture_close(c);
			return lib_error_set(-ENOMEM, "reading %s: out of memory", path);
		}
	}
	*out = c;
	return 0;
}

static __u16 get_be16(const __u8 *p)
{
	return (__u16)p[0] << 8 | p[1];
}

/*
 * A cooked frame as the Ethernet frame the program would have seen: no
 * destination MAC (the cooked header has none), the source MAC when the
 * header holds a 6-byte one, and the cooked header's protocol as the
 * EtherType. What follows the protocol is the frame's payload in both.
 */
static int uncook(struct capture *c, const __u8 *data, __u32 caplen, struct capture_frame *f)
{
	__u32 hlen = c->linktype == DLT_LINUX_SLL ? SLL_HDR_LEN : SLL2_HDR_LEN;
	const __u8 *addr;
	__u16 proto;
	__u8 halen;

	if (caplen < hlen)
		return lib_error_set(-EBADMSG, "reading capture %s failed at byte offset %llu: a cooked record of %u "
				     "bytes is shorter than its %u-byte header; the capture is corrupt",
				     c->path, (unsigned long long)f->offset, caplen, hlen);
	if (c->linktype == DLT_LINUX_SLL) {
		halen = get_be16(data + 4) > 8 ? 0 : get_be16(data + 4);
		addr = data + 6;
		proto = get_be16(data + 14);
	} else {
		halen = data[11];
		addr = data + 12;
		proto = get_be16(data);
	}
	memset(c->conv, 0, 12);
	if (halen == 6)
		memcpy(c->conv + 6, addr, 6);
	c->conv[12] = proto >> 8;
	c->conv[13] = proto & 0xff;
	memcpy(c->conv + ETH_HDR_LEN, data + hlen, caplen - hlen);
	f->data = c->conv;
	f->len = caplen - hlen + ETH_HDR_LEN;
	f->wire_len = f->wire_len - hlen + ETH_HDR_LEN;
	return 0;
}

int capture_next(struct capture *c, struct capture_frame *f)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	long off = ftell(c->fp);
	int r;

	/* libpcap's messages do not say where: the offset is the record's start, before libpcap reads it. */
	f->offset = off < 0 ? 0 : (__u64)off;
	r = pcap_next_ex(c->p, &h, &data);
	if (r == PCAP_ERROR_BREAK)
		return 0;
	if (r != 1)
		return lib_error_set(-EBADMSG, "reading capture %s failed at byte offset %llu (after %llu frames): "
				     "%s; the capture is corrupt or was cut short", c->path,
				     (unsigned long long)f->offset, (unsigned long long)c->frames, pcap_geterr(c->p));
	c->frames++;
	f->ts_ns = (__u64)h->ts.tv_sec * 1000000000ULL + (__u64)h->ts.tv_usec;
	f->data = data;
	f->len = h->caplen;
	f->wire_len = h->len > h->caplen ? h->len : h->caplen;
	if (c->linktype != DLT_EN10MB)
		return uncook(c, data, h->caplen, f) ?: 1;
	return 1;
}

const char *capture_format(const struct capture *c)
{
	return c->pcapng ? "pcapng" : "pcap";
}

const char *capture_linktype(const struct capture *c)
{
	return pcap_datalink_val_to_name(c->linktype) ?: "unknown";
}

void capture_close(struct capture *c)
{
	if (!c)
		return;
	if (c->p)
		pcap_close(c->p);	/* closes fp too */
	else if (c->fp)
		fclose(c->fp);
	free(c->conv);
	free(c);
}

struct capture_writer {
	pcap_t *p;
	pcap_dumper_t *d;
	const char *path;
};

int capture_writer_open(const char *path, struct capture_writer **out)
{
	struct capture_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return lib_error_set(-ENOMEM, "writing %s: out of memory", path);
	w->path = path;
	w->p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, CAPTURE_MAX_FRAME, PCAP_TSTAMP_PRECISION_NANO);
	if (w->p)
		w->d = pcap_dump_open(w->p, path);
	if (!w->d) {
		lib_error_set(-EIO, "creating %s failed: %s", path, w->p ? pcap_geterr(w->p) : "out of memory");
		if (w->p)
			pcap_close(w->p);
		free(w);
		return -EIO;
	}
	*out = w;
	return 0;
}

int capture_write(struct capture_writer *w, const struct capture_frame *f)
{
	struct pcap_pkthdr h = {
		.ts.tv_sec = f->ts_ns / 1000000000ULL,
		.ts.tv_usec = f->ts_ns % 1000000000ULL,	/* ns: the dumper was opened with nanosecond precision */
		.caplen = f->len,
		.len = f->wire_len,
	};

	pcap_dump((u_char *)w->d, &h, f->data);
	return 0;
}

int capture_writer_close(struct capture_writer *w)
{
	int err = 0;

	if (!w)
		return 0;
	if (pcap_dump_flush(w->d))
		err = lib_error_set(-EIO, "writing %s failed: %s", w->path, strerror(errno));
	pcap_dump_close(w->d);
	pcap_close(w->p);
	free(w);
	return err;
}
