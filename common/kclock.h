/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The XDP program's clock (see struct xdpfwd_entry): jiffies64 * ns_per_jiffy,
 * or CLOCK_MONOTONIC (coarse) when HZ is unknown. Which of the two, and at
 * what HZ, is decided once per instance by its first daemon and recorded in
 * the pinned "clock" map (struct xdpfwd_clock); every later daemon loads its
 * program with the recorded value, and every reader converts with it, so no
 * process re-derives the clock from files a sandbox may hide from it
 * (systemd's ProcSubset=pid hides /proc/config.gz from the daemon only).
 */
#ifndef XDPFWD_KCLOCK_H
#define XDPFWD_KCLOCK_H

#include <linux/types.h>
#include "xdpfwd.h"

#define XDPFWD_CLOCK_PIN "clock"	/* the map's pin in the pin dir */

/* CONFIG_HZ from /proc/config.gz or /boot/config-$(uname -r); 0 if neither is readable. */
unsigned int kclock_config_hz(void);

/* 1e9 / kclock_config_hz(), 0 if unknown: what daemons before the clock map used, and the fallback. */
__u64 kclock_ns_per_jiffy(void);

/*
 * HZ measured, no file needed: jiffies64, read twice KCLOCK_MEASURE_MS apart
 * by a tiny BPF program (BPF_PROG_TEST_RUN), against CLOCK_MONOTONIC. 0, or
 * -ERANGE if no HZ of 100, 250, 300 or 1000 fits, or the -errno of loading
 * or running the program (it needs root).
 */
#define KCLOCK_MEASURE_MS 200
int kclock_measure_hz(unsigned int *hz);

/*
 * Sets a jiffies clock's mono_offset_ns from one reading of jiffies64 against
 * CLOCK_MONOTONIC: jiffies lag INITIAL_JIFFIES + uptime * HZ by a few ticks
 * from boot on (260 ms here), which kclock_from_hz()'s offset does not know.
 */
int kclock_measure_offset(struct xdpfwd_clock *c);

/* The clock of a program loaded with ns_per_jiffy = 1e9 / hz (hz 0: the coarse clock). */
void kclock_from_hz(unsigned int hz, __u32 source, struct xdpfwd_clock *c);

/* A new instance's clock: HZ from the config if readable, else measured, else the coarse clock. */
void kclock_decide(struct xdpfwd_clock *c);

/* The clock recorded in a "clock" map (fd) or an instance's pin; -ENOENT without the pin, -ENODATA if never filled. */
int kclock_read_map(int fd, struct xdpfwd_clock *c);
int kclock_read_pinned(const char *pin_dir, struct xdpfwd_clock *c);

/* The clock of the instance's running program (pin dir/prog), from its .rodata through BTF. */
int kclock_from_prog(const char *pin_dir, struct xdpfwd_clock *c);

/*
 * The clock a daemon loads its program with: the one recorded in the pin dir;
 * for an instance whose pins predate the clock map, the running program's;
 * for a new instance, kclock_decide()'s.
 */
void kclock_of_instance(const char *pin_dir, struct xdpfwd_clock *c);

/* Records c in a "clock" map (the daemon's, pinned or about to be). */
int kclock_record(int map_fd, const struct xdpfwd_clock *c);

/* Conversions below use c from now on. */
void kclock_use(const struct xdpfwd_clock *c);

/*
 * Conversions use the instance's recorded clock; without a clock pin (an
 * instance of an older daemon) they fall back to the config files, as that
 * daemon did, and return the error of reading the pin.
 */
int kclock_use_instance(const char *pin_dir);

/* An xdpfwd-clock time as CLOCK_MONOTONIC nanoseconds (the config-file fallback if no clock was set). */
__u64 kclock_to_monotonic(__u64 t);

#endif
