// SPDX-License-Identifier: GPL-2.0
/* The sets dir watcher's pure half: which events count, and when a burst of them is acted on. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/inotify.h>

#include "dir_watch.h"

#define MS 1000000ULL

static void classify_events(void **state)
{
	static const struct {
		__u32 mask;
		const char *name;
		enum dir_event want;
	} rows[] = {
		/* Editors: written in place, or a temp file renamed over. */
		{ IN_CLOSE_WRITE, "feed.list", DIR_EVENT_CHANGE },
		{ IN_MOVED_TO, "feed.list", DIR_EVENT_CHANGE },
		{ IN_CLOSE_WRITE, ".feed.list.swp", DIR_EVENT_IGNORE },
		{ IN_CLOSE_WRITE, "feed.list~", DIR_EVENT_IGNORE },
		{ IN_CLOSE_WRITE, ".spamhaus.tmp", DIR_EVENT_IGNORE },
		{ IN_MOVED_FROM, ".spamhaus.tmp", DIR_EVENT_IGNORE },
		{ IN_CLOSE_WRITE, "README", DIR_EVENT_IGNORE },
		{ IN_CLOSE_WRITE, ".list", DIR_EVENT_IGNORE },
		/* A file removed or renamed away: its set goes. */
		{ IN_DELETE, "feed.list", DIR_EVENT_CHANGE },
		{ IN_MOVED_FROM, "feed.list", DIR_EVENT_CHANGE },
		{ IN_CREATE, "feed.list", DIR_EVENT_CHANGE },
		{ IN_ATTRIB, "feed.list", DIR_EVENT_CHANGE },
		/* kubelet's AtomicWriter: only the ..data swap and the visible links count. */
		{ IN_CREATE | IN_ISDIR, "..2026_12_03_05_11_16.123456789", DIR_EVENT_IGNORE },
		{ IN_CREATE, "..data_tmp", DIR_EVENT_IGNORE },
		{ IN_MOVED_FROM, "..data_tmp", DIR_EVENT_IGNORE },
		{ IN_MOVED_TO, "..data", DIR_EVENT_CHANGE },
		{ IN_CREATE, "..data", DIR_EVENT_CHANGE },
		{ IN_DELETE | IN_ISDIR, "..2026_12_03_05_11_16.123456789", DIR_EVENT_IGNORE },
		/* The directory itself. */
		{ IN_DELETE_SELF, "", DIR_EVENT_GONE },
		{ IN_MOVE_SELF, "", DIR_EVENT_GONE },
		{ IN_UNMOUNT, "", DIR_EVENT_GONE },
		{ IN_IGNORED, "", DIR_EVENT_GONE },
		{ IN_Q_OVERFLOW, "", DIR_EVENT_RESCAN },
		{ IN_ATTRIB, "", DIR_EVENT_IGNORE },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (dir_event_classify(rows[i].mask, rows[i].name) != rows[i].want)
			fail_msg("row %zu: %#x '%s' is %d, not %d", i, rows[i].mask, rows[i].name,
				 dir_event_classify(rows[i].mask, rows[i].name), rows[i].want);
	assert_int_equal(dir_event_classify(IN_CLOSE_WRITE, NULL), DIR_EVENT_IGNORE);
}

/* One event: due once it has been quiet for quiet_ns, then never again. */
static void one_event_waits_for_quiet(void **state)
{
	struct debounce d;

	(void)state;
	debounce_init(&d, 300 * MS, 2000 * MS);
	assert_false(debounce_due(&d, 1000 * MS));
	debounce_event(&d, 1000 * MS);
	assert_false(debounce_due(&d, 1000 * MS));
	assert_false(debounce_due(&d, 1299 * MS));
	assert_true(debounce_due(&d, 1300 * MS));
	assert_false(debounce_due(&d, 1400 * MS));
	assert_false(debounce_due(&d, 9000 * MS));
}

/* A burst (a kubelet swap, an editor's save) is one apply; each event restarts the quiet time. */
static void burst_is_one(void **state)
{
	struct debounce d;
	__u64 t;
	int due = 0;

	(void)state;
	debounce_init(&d, 300 * MS, 2000 * MS);
	for (t = 1000 * MS; t < 1500 * MS; t += 10 * MS) {
		debounce_event(&d, t);
		due += debounce_due(&d, t);
	}
	/* The last event at 1490 ms. */
	for (; t < 5000 * MS; t += 10 * MS)
		due += debounce_due(&d, t);
	assert_int_equal(due, 1);
}

/* Events without pause: applied at most max_ns after the burst began, again and again. */
static void never_quiet_still_applies(void **state)
{
	struct debounce d;
	__u64 t, at[8];
	int due = 0;

	(void)state;
	debounce_init(&d, 300 * MS, 2000 * MS);
	for (t = 0; t < 7000 * MS && due < 8; t += 100 * MS) {
		debounce_event(&d, t + 1);
		if (debounce_due(&d, t + 1))
			at[due++] = t + 1;
	}
	assert_int_equal(due, 3);
	assert_int_equal(at[0], 2000 * MS + 1);
	/* The next burst begins with the event after the apply. */
	assert_int_equal(at[1], 4100 * MS + 1);
	assert_int_equal(at[2], 6200 * MS + 1);
}

/* Events, an apply, then more: the second burst is counted from its own first event. */
static void bursts_apart(void **state)
{
	struct debounce d;

	(void)state;
	debounce_init(&d, 300 * MS, 2000 * MS);
	debounce_event(&d, 100 * MS);
	assert_true(debounce_due(&d, 400 * MS));
	debounce_event(&d, 5000 * MS);
	assert_false(debounce_due(&d, 5200 * MS));
	debounce_event(&d, 5200 * MS);
	assert_false(debounce_due(&d, 5400 * MS));
	assert_true(debounce_due(&d, 5500 * MS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(classify_events),
		cmocka_unit_test(one_event_waits_for_quiet),
		cmocka_unit_test(burst_is_one),
		cmocka_unit_test(never_quiet_still_applies),
		cmocka_unit_test(bursts_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
