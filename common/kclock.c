// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <zlib.h>
#include "log.h"
#include "pin_dir.h"
#include "kclock.h"

#define NSEC 1000000000ULL

static unsigned int hz_from(const char *path)
{
	unsigned int hz = 0;
	char line[256];
	gzFile f;

	/* gzopen reads plain files as they are, so one reader serves both configs. */
	f = gzopen(path, "r");
	if (!f)
		return 0;
	while (gzgets(f, line, sizeof(line)))
		if (!strncmp(line, "CONFIG_HZ=", 10)) {
			hz = strtoul(line + 10, NULL, 10);
			break;
		}
	gzclose(f);
	return hz;
}

unsigned int kclock_config_hz(void)
{
	struct utsname u;
	char path[300];
	unsigned int hz;

	hz = hz_from("/proc/config.gz");
	if (!hz && !uname(&u)) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		hz = hz_from(path);
	}
	return hz;
}

__u64 kclock_ns_per_jiffy(void)
{
	static int done;
	static __u64 ns;
	unsigned int hz;

	if (done)
		return ns;
	done = 1;
	hz = kclock_config_hz();
	/* Only HZ values that divide a second evenly keep the conversion exact. */
	if (hz && NSEC % hz == 0)
		ns = NSEC / hz;
	return ns;
}

static __u64 mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * NSEC + ts.tv_nsec;
}

/* 64-bit kernels start jiffies at INITIAL_JIFFIES, (u32)(-300 * HZ), to catch wrap bugs early. */
static __u64 initial_jiffies(unsigned int hz)
{
	return (__u32)(-300 * (__s64)hz);
}

#define INSN(c, d, s, o, i) { .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) }

/*
 * jiffies64 as the program reads it: a seven-instruction XDP program run once
 * through BPF_PROG_TEST_RUN stores bpf_jiffies64() into the test frame.
 * *mono is CLOCK_MONOTONIC halfway through the run.
 */
static int read_jiffies(__u64 *jiffies, __u64 *mono)
{
	const struct bpf_insn prog[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_jiffies64),
		INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_6, 0, 0),	/* xdp_md->data */
		INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_6, 4, 0),	/* xdp_md->data_end */
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_4, BPF_REG_2, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_4, 0, 0, 8),
		INSN(BPF_JMP | BPF_JGT | BPF_X, BPF_REG_4, BPF_REG_3, 1, 0),
		INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_2, BPF_REG_0, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, XDP_PASS),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	__u8 in[64] = {}, out[64] = {};
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = in, .data_size_in = sizeof(in), .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);
	__u64 before, after;
	int fd, err;

	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xdpfwd_jiffies", "GPL", prog, sizeof(prog) / sizeof(prog[0]),
			   NULL);
	if (fd < 0)
		return -errno;
	before = mono_now();
	err = bpf_prog_test_run_opts(fd, &run) ? -errno : 0;
	after = mono_now();
	close(fd);
	if (err)
		return err;
	if (run.retval != XDP_PASS || run.data_size_out < 8)
		return -EIO;
	memcpy(jiffies, out, sizeof(*jiffies));
	*mono = before + (after - before) / 2;
	return 0;
}

/* The HZ a tick rate is, within 10% (the rate's error is a tick over the time measured). */
static unsigned int nearest_hz(__u64 ticks, __u64 ns)
{
	static const unsigned int candidates[] = { 100, 250, 300, 1000 };
	__u64 rate = ns ? ticks * NSEC / ns : 0;
	unsigned int i;

	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (rate * 10 >= candidates[i] * 9ULL && rate * 10 <= candidates[i] * 11ULL)
			return candidates[i];
	return 0;
}

/*
 * The rate, not one reading against INITIAL_JIFFIES + uptime * HZ: that
 * relation holds only to a boot-time lag (65 ticks, 260 ms, on the 6.18 test
 * VM), and near 300 s of uptime every HZ predicts the same jiffies value.
 */
int kclock_measure_hz(unsigned int *hz)
{
	__u64 j1, m1, j2, m2;
	int err;

	err = read_jiffies(&j1, &m1);
	if (err)
		return err;
	usleep(KCLOCK_MEASURE_MS * 1000);
	err = read_jiffies(&j2, &m2);
	if (err)
		return err;
	*hz = nearest_hz(j2 - j1, m2 - m1);
	return *hz ? 0 : -ERANGE;
}

int kclock_measure_offset(struct xdpfwd_clock *c)
{
	__u64 jiffies, mono;
	int err;

	if (c->kind != XDPFWD_CLOCK_JIFFIES)
		return 0;
	err = read_jiffies(&jiffies, &mono);
	if (!err)
		c->mono_offset_ns = jiffies * c->ns_per_jiffy - mono;
	return err;
}

void kclock_from_hz(unsigned int hz, __u32 source, struct xdpfwd_clock *c)
{
	memset(c, 0, sizeof(*c));
	c->source = source;
	if (!hz || NSEC % hz) {
		c->kind = XDPFWD_CLOCK_COARSE;
		return;
	}
	c->kind = XDPFWD_CLOCK_JIFFIES;
	c->hz = hz;
	c->ns_per_jiffy = NSEC / hz;
	c->mono_offset_ns = initial_jiffies(hz) * c->ns_per_jiffy;
}

void kclock_decide(struct xdpfwd_clock *c)
{
	unsigned int hz = kclock_config_hz();

	if (hz)
		kclock_from_hz(hz, XDPFWD_CLOCK_FROM_CONFIG, c);
	else if (!kclock_measure_hz(&hz))
		kclock_from_hz(hz, XDPFWD_CLOCK_MEASURED, c);
	else
		kclock_from_hz(0, XDPFWD_CLOCK_MEASURED, c);
}

int kclock_read_map(int fd, struct xdpfwd_clock *c)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(fd, &zero, c))
		return -errno;
	if (c->kind != XDPFWD_CLOCK_JIFFIES && c->kind != XDPFWD_CLOCK_COARSE)
		return -ENODATA;
	if (c->kind == XDPFWD_CLOCK_JIFFIES && !c->ns_per_jiffy)
		return -EINVAL;
	return 0;
}

int kclock_read_pinned(const char *pin_dir, struct xdpfwd_clock *c)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd, err;

	err = pin_path(path, sizeof(path), pin_dir, XDPFWD_CLOCK_PIN);
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	if (!err && (info.type != BPF_MAP_TYPE_ARRAY || info.value_size != sizeof(*c)))
		err = -EPROTO;
	if (!err)
		err = kclock_read_map(fd, c);
	close(fd);
	return err;
}

/* Finds the global variable's offset in the DATASEC the .rodata map's BTF describes. */
static int rodata_offset(const struct bpf_map_info *m, const char *var, __u32 *off)
{
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct btf *btf;
	int i, err = -ENOENT;

	btf = btf__load_from_kernel_by_id(m->btf_id);
	if (!btf)
		return -errno;
	sec = btf__type_by_id(btf, m->btf_value_type_id);
	if (sec && btf_is_datasec(sec)) {
		vs = btf_var_secinfos(sec);
		for (i = 0; i < btf_vlen(sec); i++, vs++) {
			const struct btf_type *v = btf__type_by_id(btf, vs->type);

			if (v && !strcmp(btf__name_by_offset(btf, v->name_off), var) && vs->size == sizeof(__u64) &&
			    vs->offset + vs->size <= m->value_size) {
				*off = vs->offset;
				err = 0;
				break;
			}
		}
	}
	btf__free(btf);
	return err;
}

/* ns_per_jiffy in the .rodata of one map of the program, if that map is its .rodata. */
static int rodata_ns_per_jiffy(__u32 map_id, __u64 *nspj)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0, off = 0;
	int fd, err;
	__u8 *val;

	fd = bpf_map_get_fd_by_id(map_id);
	if (fd < 0)
		return -errno;
	err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	/* Kernel map names are cut to 15 bytes: "xdpfwd_b.rodata". */
	if (!err && (info.type != BPF_MAP_TYPE_ARRAY || !strstr(info.name, ".rodata") || !info.btf_id))
		err = -ENOENT;
	if (!err)
		err = rodata_offset(&info, "ns_per_jiffy", &off);
	val = err ? NULL : calloc(1, info.value_size);
	if (!err && !val)
		err = -ENOMEM;
	if (!err && bpf_map_lookup_elem(fd, &zero, val))
		err = -errno;
	if (!err)
		memcpy(nspj, val + off, sizeof(*nspj));
	free(val);
	close(fd);
	return err;
}

int kclock_from_prog(const char *pin_dir, struct xdpfwd_clock *c)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), ids[16], i, n;
	char path[PATH_MAX];
	__u64 nspj = 0;
	int fd, err;

	err = pin_path(path, sizeof(path), pin_dir, XDPFWD_PROG_PIN);
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (__u64)(unsigned long)ids;
	err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	close(fd);
	if (err)
		return err;
	n = info.nr_map_ids < sizeof(ids) / sizeof(ids[0]) ? info.nr_map_ids : sizeof(ids) / sizeof(ids[0]);
	for (i = 0; i < n; i++) {
		if (rodata_ns_per_jiffy(ids[i], &nspj))
			continue;
		if (nspj && NSEC % nspj)
			return -EINVAL;
		kclock_from_hz(nspj ? NSEC / nspj : 0, XDPFWD_CLOCK_FROM_PROGRAM, c);
		return 0;
	}
	return -ENOENT;
}

static const char *source_name(__u32 source)
{
	return source == XDPFWD_CLOCK_FROM_CONFIG ? "kernel config" :
	       source == XDPFWD_CLOCK_MEASURED ? "measured" : "running program";
}

void kclock_of_instance(const char *pin_dir, struct xdpfwd_clock *c)
{
	const char *how = "recorded in the instance";
	int err = kclock_read_pinned(pin_dir, c);

	if (err == -ENOENT && !kclock_from_prog(pin_dir, c)) {
		how = "taken from the running program";
	} else if (err) {
		kclock_decide(c);
		how = "decided for the instance";
	}
	/* Recorded with the offset measured: exact to a tick, where INITIAL_JIFFIES alone is not. */
	if (err)
		kclock_measure_offset(c);
	if (c->kind == XDPFWD_CLOCK_JIFFIES)
		pr_debug("program clock: jiffies at HZ=%u (%s, %s)\n", c->hz, source_name(c->source), how);
	else
		pr_debug("program clock: coarse CLOCK_MONOTONIC (%s)\n", how);
}

int kclock_record(int map_fd, const struct xdpfwd_clock *c)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(map_fd, &zero, c, BPF_ANY)) {
		int err = -errno;

		pr_warn("recording the program's clock in the clock map failed: %s\n", strerror(-err));
		return err;
	}
	return 0;
}

static struct xdpfwd_clock used;

void kclock_use(const struct xdpfwd_clock *c)
{
	used = *c;
}

/* What a daemon without the clock map did: HZ from the config files this process can read. */
static void use_config(void)
{
	__u64 nspj = kclock_ns_per_jiffy();

	kclock_from_hz(nspj ? NSEC / nspj : 0, XDPFWD_CLOCK_FROM_CONFIG, &used);
}

int kclock_use_instance(const char *pin_dir)
{
	struct xdpfwd_clock c;
	int err = kclock_read_pinned(pin_dir, &c);

	if (err)
		use_config();
	else
		kclock_use(&c);
	return err;
}

__u64 kclock_to_monotonic(__u64 t)
{
	if (!used.kind)
		use_config();
	return t - used.mono_offset_ns;
}
