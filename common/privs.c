// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include "log.h"
#include "privs.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int has_cap(const struct __user_cap_data_struct d[2], int cap)
{
	return !!(d[cap / 32].effective & (1U << (cap % 32)));
}

int privs_has_cap(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	return syscall(SYS_capget, &hdr, data) == 0 && has_cap(data, cap);
}

int privs_check(const char *what)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	/* Raw capget keeps libcap out of the build; the answer is the same. */
	if (syscall(SYS_capget, &hdr, data) == 0 &&
	    (has_cap(data, CAP_SYS_ADMIN) ||
	     (has_cap(data, CAP_BPF) && has_cap(data, CAP_NET_ADMIN) && has_cap(data, CAP_PERFMON))))
		return 0;
	/* Without CAP_PERFMON the verifier refuses the program's pointer comparisons. */
	pr_warn("%s needs root (CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON): run it with sudo or as root\n", what);
	return -EPERM;
}
