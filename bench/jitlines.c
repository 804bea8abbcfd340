// SPDX-License-Identifier: GPL-2.0
/*
 * xfbench jitlines PIN: where a loaded program's JIT image is and which source line each
 * stretch of machine code came from (the kernel keeps a JIT address per BTF line-info record).
 * With perf samples this gives a per-source-line profile of the running program, on a VM
 * without hardware counters and with a bpftool built without a disassembler.
 * Output: "base ADDR LEN", then "OFFSET<TAB>LINE<TAB>FILE<TAB>SOURCE" per record.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "xfbench.h"

int cmd_jitlines(int argc, char **argv)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), n, i;
	struct bpf_line_info *li = NULL;
	struct btf *btf = NULL;
	__u64 ksym = 0, *jli = NULL;
	int fd, err = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: xfbench jitlines PIN\n");
		return -EINVAL;
	}
	fd = bpf_obj_get(argv[1]);
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		xfb_err("%s: %s\n", argv[1], strerror(errno));
		return -errno;
	}
	n = info.nr_line_info < info.nr_jited_line_info ? info.nr_line_info : info.nr_jited_line_info;
	li = calloc(n ? n : 1, sizeof(*li));
	jli = calloc(n ? n : 1, sizeof(*jli));
	if (!li || !jli) {
		err = -ENOMEM;
		goto out;
	}
	memset(&info, 0, sizeof(info));
	info.nr_jited_ksyms = 1;
	info.jited_ksyms = (__u64)(unsigned long)&ksym;
	info.nr_line_info = n;
	info.line_info_rec_size = sizeof(*li);
	info.line_info = (__u64)(unsigned long)li;
	info.nr_jited_line_info = n;
	info.jited_line_info_rec_size = sizeof(*jli);
	info.jited_line_info = (__u64)(unsigned long)jli;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		xfb_err("reading %s's line info failed: %s\n", argv[1], strerror(-err));
		goto out;
	}
	btf = btf__load_from_kernel_by_id(info.btf_id);
	printf("base %llx %u\n", (unsigned long long)ksym, info.jited_prog_len);
	for (i = 0; i < n; i++) {
		const char *file = btf ? btf__name_by_offset(btf, li[i].file_name_off) : NULL;
		const char *src = btf ? btf__name_by_offset(btf, li[i].line_off) : NULL;
		const char *base = file ? strrchr(file, '/') : NULL;

		printf("%llx\t%u\t%s\t%s\n", (unsigned long long)(jli[i] - ksym), BPF_LINE_INFO_LINE_NUM(li[i].line_col),
		       base ? base + 1 : file ? file : "", src ? src : "");
	}
out:
	btf__free(btf);
	free(li);
	free(jli);
	close(fd);
	return err;
}
