/*
 * core/timer.c (white box): random arms, re-arms and cancels against a linear model;
 * every pop takes the earliest deadline, ties in arming order, and the heap keeps
 * each entry's key equal to its timer's and each timer's position right.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "timer.h"

#define NT 64

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void check_heap(const struct timer_heap *h)
{
	for (uint32_t i = 0; i < h->n; i++) {
		const struct timer_ent *e = &h->v[i];
		assert_int_equal(e->t->idx, i);
		assert_int_equal(e->t->when, e->when);
		if (i > 0) {
			const struct timer_ent *p = &h->v[(i - 1) / 2];
			assert_true(p->when < e->when || (p->when == e->when && p->seq < e->seq));
		}
	}
}

static void test_model(void **state)
{
	(void)state;
	struct lsoe_timer t[NT];
	uint64_t seq[NT]; /* the model: arming order of each armed timer */
	struct timer_ent v[NT];
	struct timer_heap h = { .v = v, .cap = NT };
	uint64_t order = 0;
	for (int i = 0; i < NT; i++)
		timer_init(&t[i], 0);
	for (int step = 0; step < 200000; step++) {
		int k = (int)(next_rand() % NT);
		unsigned op = (unsigned)(next_rand() % 8);
		if (op < 5) {
			timer_arm(&h, &t[k], next_rand() % 16); /* few distinct deadlines: many ties */
			seq[k] = order++;
		} else if (op < 6) {
			timer_cancel(&h, &t[k]);
			assert_false(timer_armed(&t[k]));
		} else {
			uint64_t now = next_rand() % 16;
			int want = -1;
			for (int i = 0; i < NT; i++)
				if (timer_armed(&t[i]) && t[i].when <= now &&
				    (want < 0 || t[i].when < t[want].when || (t[i].when == t[want].when && seq[i] < seq[want])))
					want = i;
			struct lsoe_timer *got = timer_pop_due(&h, now);
			if (want < 0)
				assert_null(got);
			else {
				assert_ptr_equal(got, &t[want]);
				assert_false(timer_armed(got));
			}
		}
		check_heap(&h);
		uint32_t armed = 0;
		uint64_t first = UINT64_MAX;
		for (int i = 0; i < NT; i++)
			if (timer_armed(&t[i])) {
				armed++;
				if (t[i].when < first)
					first = t[i].when;
			}
		assert_int_equal(h.n, armed);
		assert_int_equal(timer_next(&h), first);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
