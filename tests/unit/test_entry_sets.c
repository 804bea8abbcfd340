// SPDX-License-Identifier: GPL-2.0
/* The set bits of a list entry (common/entry_sets): the rules include/xdpfwd.h states, without a kernel. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "entry_sets.h"

#define BIT(i) (1U << (i))

/* An entry written with plain bpftool (all zeros) is in set manual alone, in both generations, for good. */
static void zero_value_is_manual(void **state)
{
	struct xdpfwd_entry e;

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(entry_members_gen(&e, 0), BIT(XDPFWD_SET_MANUAL));
	assert_int_equal(entry_members_gen(&e, ~0U), BIT(XDPFWD_SET_MANUAL));
	assert_int_equal(entry_members_live(&e, 0, ~0ULL), BIT(XDPFWD_SET_MANUAL));
	assert_int_equal(entry_count_set(entry_members_gen(&e, 0), BIT(0)), XDPFWD_SET_MANUAL);
}

/* Each set reads the generation its gen bit names; the other sets are unaffected by that bit. */
static void generations_per_set(void **state)
{
	struct xdpfwd_entry e;

	(void)state;
	entry_init(&e, 3, 0, 0);
	assert_int_equal(entry_members_gen(&e, 0), BIT(3));
	/* Stage set 3 out of generation 1 only: generation 0 still has it. */
	entry_gen_set_real(&e, 1, entry_gen_real(&e, 1) & ~BIT(3));
	assert_int_equal(entry_members_gen(&e, 0), BIT(3));
	assert_int_equal(entry_members_gen(&e, BIT(3)), 0);
	/* Another set's gen bit does not move set 3. */
	assert_int_equal(entry_members_gen(&e, BIT(5)), BIT(3));
	/* At rest both generations agree again. */
	entry_member_put(&e, 3, 1);
	entry_member_put(&e, 7, 1);
	assert_int_equal(entry_members_gen(&e, 0), BIT(3) | BIT(7));
	assert_int_equal(entry_members_gen(&e, ~0U), BIT(3) | BIT(7));
	entry_member_put(&e, 3, 0);
	assert_int_equal(entry_members_gen(&e, BIT(3)), BIT(7));
}

/* Timed memberships end at the shared deadline; untimed sets hold the entry after it. */
static void expiry_removes_timed_sets_only(void **state)
{
	struct xdpfwd_entry e;

	(void)state;
	entry_init(&e, 2, 1000, 0);
	entry_member_put(&e, 4, 1);
	entry_time_set(&e, 4, 0);
	entry_settle(&e, entry_members_gen(&e, 0), ~0U);
	assert_int_equal(e.timed, BIT(2));
	assert_int_equal(entry_members_live(&e, 0, 999), BIT(2) | BIT(4));
	assert_int_equal(entry_members_live(&e, 0, 1000), BIT(4));
	assert_int_equal(entry_expire(&e, 999), 0);
	assert_int_equal(entry_expire(&e, 1000), BIT(2));
	assert_int_equal(entry_members_gen(&e, 0), BIT(4));
	assert_int_equal(e.timed, 0);
	assert_int_equal(e.expires_ns, 0);
}

/* Several timed sets: the latest deadline any of them asked for; one set alone: its own, shorter too. */
static void deadline_is_latest_of_timed_sets(void **state)
{
	struct xdpfwd_entry e;

	(void)state;
	entry_init(&e, 1, 5000, 0);
	entry_time_set(&e, 1, 3000);
	assert_int_equal(e.expires_ns, 3000);
	entry_member_put(&e, 2, 1);
	entry_time_set(&e, 2, 2000);
	assert_int_equal(e.expires_ns, 3000);
	entry_time_set(&e, 2, 9000);
	assert_int_equal(e.expires_ns, 9000);
	assert_int_equal(e.timed, BIT(1) | BIT(2));
	/* Made permanent in set 2: set 1 still timed. */
	entry_time_set(&e, 2, 0);
	assert_int_equal(e.timed, BIT(1));
	assert_int_equal(e.expires_ns, 9000);
	/* Set 1 leaves: no timed set, no deadline. */
	entry_member_put(&e, 1, 0);
	entry_settle(&e, entry_members_gen(&e, 0), ~0U);
	assert_int_equal(e.timed, 0);
	assert_int_equal(e.expires_ns, 0);
}

/* count_set: the lowest enforcing member, else the lowest member. */
static void count_set_prefers_enforcing(void **state)
{
	(void)state;
	assert_int_equal(entry_count_set(BIT(3) | BIT(9), BIT(9)), 9);
	assert_int_equal(entry_count_set(BIT(3) | BIT(9), BIT(0)), 3);
	assert_int_equal(entry_count_set(BIT(3) | BIT(9), BIT(3) | BIT(9)), 3);
	assert_int_equal(entry_count_set(BIT(31), ~0U), 31);
	assert_int_equal(entry_count_set(0, ~0U), XDPFWD_SET_MANUAL);
}

/* A new entry of a set other than manual is not in manual (the XOR), and knows its trie length. */
static void init_not_in_manual(void **state)
{
	struct xdpfwd_entry e;

	(void)state;
	entry_init(&e, 6, 0, 25);
	assert_int_equal(entry_members_gen(&e, 0), BIT(6));
	assert_int_equal(e.count_set, 6);
	assert_int_equal(e.plen1, 25);
	assert_int_equal(e.timed, 0);
	entry_init(&e, XDPFWD_SET_MANUAL, 0, 0);
	/* Manual alone stored as all zeros, like bpftool's entries. */
	assert_int_equal(e.sets[0], 0);
	assert_int_equal(e.sets[1], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zero_value_is_manual),
		cmocka_unit_test(generations_per_set),
		cmocka_unit_test(expiry_removes_timed_sets_only),
		cmocka_unit_test(deadline_is_latest_of_timed_sets),
		cmocka_unit_test(count_set_prefers_enforcing),
		cmocka_unit_test(init_not_in_manual),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
