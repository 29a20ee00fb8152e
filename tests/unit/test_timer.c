/*
 * core/timer.c (white box): random arms, re-arms and cancels against a linear model;
 * every pop takes the earliest deadline, ties in arming order, and the heap keeps
 * each entry's key equal to its timer's and each timer's position right. The lane
 * (timer_arm_lane) is driven the same way, with deadlines mostly in order as a beat
 * gives them and some not (those must go to the heap), and the array is grown with
 * both in use (timer_move): the order of pops is still exactly the model's.
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

/* The model's deadline of each timer (the timers keep none: timer_when reads the heap's). */
static uint64_t mwhen[NT];
static const struct lsoe_timer *mbase;

static uint64_t model_when(const struct lsoe_timer *t) { return mwhen[t - mbase]; }

static void check_heap(const struct timer_heap *h)
{
	/* The lane: above the heap, newest at lo, in (when, seq) order, its head a timer. */
	assert_true(h->lo <= h->hi && h->hi <= h->cap);
	if (h->lo != h->hi) {
		assert_true(h->lo >= h->n);
		assert_non_null(h->v[h->hi - 1].t);
	}
	for (uint32_t i = h->lo; i < h->hi; i++) {
		const struct timer_ent *e = &h->v[i];
		if (e->t) {
			assert_int_equal(e->t->idx, TIMER_LANE);
			assert_int_equal(model_when(e->t), e->when);
			assert_int_equal(timer_when(h, e->t), e->when);
		}
		if (i > h->lo) {
			const struct timer_ent *newer = &h->v[i - 1];
			assert_true(e->when < newer->when || (e->when == newer->when && e->seq < newer->seq));
		}
	}
	for (uint32_t i = 0; i < h->n; i++) {
		const struct timer_ent *e = &h->v[i];
		assert_int_equal(e->t->idx, i);
		assert_int_equal(model_when(e->t), e->when);
		assert_int_equal(timer_when(h, e->t), e->when);
		if (i > 0) {
			const struct timer_ent *p = &h->v[(i - 1) / 2];
			assert_true(p->when < e->when || (p->when == e->when && p->seq < e->seq));
		}
	}
}

/* lane: also arm in the lane, at a beat that moves forward (and sometimes not); grow: move to larger arrays. */
static struct lsoe_timer t[NT];

static void run_model(bool lane, bool grow)
{
	uint64_t seq[NT]; /* the model: arming order of each armed timer */
	static struct timer_ent arrays[4][NT * 4];
	uint32_t cap = grow ? NT / 2 + 8 : NT, which = 0;
	struct timer_heap h = { .v = arrays[0], .cap = cap };
	uint64_t order = 0, beat = 0;
	mbase = t;
	for (int i = 0; i < NT; i++)
		timer_init(&t[i], 0);
	for (int step = 0; step < 200000; step++) {
		int k = (int)(next_rand() % NT);
		unsigned op = (unsigned)(next_rand() % 8);
		if (grow && timer_count(&h) + 1 >= cap && which < 3) {
			cap = cap * 2 > NT * 4 ? NT * 4 : cap * 2;
			timer_move(&h, arrays[++which], cap);
			check_heap(&h);
		}
		bool full = timer_count(&h) >= cap && !timer_armed(&t[k]); /* the reservation would refuse */
		if (op < 5 && !full) {
			if (lane && op < 3) {
				if (next_rand() % 8 == 0)
					beat += next_rand() % 3; /* the beat moves on */
				uint64_t when = next_rand() % 16 == 0 ? next_rand() % 16 : beat % 16; /* and some out of order */
				timer_arm_lane(&h, &t[k], when);
				mwhen[k] = when;
			} else {
				mwhen[k] = next_rand() % 16; /* few distinct deadlines: many ties */
				timer_arm(&h, &t[k], mwhen[k]);
			}
			seq[k] = order++;
		} else if (op < 6) {
			timer_cancel(&h, &t[k]);
			assert_false(timer_armed(&t[k]));
		} else {
			uint64_t now = next_rand() % 16;
			int want = -1;
			for (int i = 0; i < NT; i++)
				if (timer_armed(&t[i]) && mwhen[i] <= now &&
				    (want < 0 || mwhen[i] < mwhen[want] || (mwhen[i] == mwhen[want] && seq[i] < seq[want])))
					want = i;
			uint64_t when = UINT64_MAX;
			struct lsoe_timer *got = timer_pop_due(&h, now, &when);
			if (want < 0)
				assert_null(got);
			else {
				assert_ptr_equal(got, &t[want]);
				assert_int_equal(when, mwhen[want]);
				assert_false(timer_armed(got));
			}
		}
		check_heap(&h);
		uint32_t armed = 0;
		uint64_t first = UINT64_MAX;
		for (int i = 0; i < NT; i++)
			if (timer_armed(&t[i])) {
				armed++;
				if (mwhen[i] < first)
					first = mwhen[i];
			}
		assert_int_equal(timer_count(&h), armed);
		assert_int_equal(timer_next(&h), first);
	}
}

static void test_model(void **state)
{
	(void)state;
	run_model(false, false);
}

static void test_model_lane(void **state)
{
	(void)state;
	run_model(true, false);
}

static void test_model_lane_grown(void **state)
{
	(void)state;
	run_model(true, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_model_lane),
		cmocka_unit_test(test_model_lane_grown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
