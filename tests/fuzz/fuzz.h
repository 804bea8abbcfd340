/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared bits of the libFuzzer harnesses. A broken property aborts, which
 * libFuzzer reports as a crash and saves the input, like a sanitizer finding.
 */
#ifndef XDPFWD_FUZZ_H
#define XDPFWD_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)								\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "property failed: %s (%s:%d)\n", #cond,	\
				__FILE__, __LINE__);				\
			abort();						\
		}								\
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A heap copy of the input as a C string, so ASan sees any read past its end. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	CHECK(s);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif /* XDPFWD_FUZZ_H */
