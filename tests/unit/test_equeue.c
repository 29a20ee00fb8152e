/*
 * The simulator's event queue (ports/sim/equeue.c) against a textbook binary heap: the
 * same random pushes and pops, and every pop must return the very same entry. A run is
 * byte-identical only if the queue pops in the exact total order of (time, seqkind), so
 * the operations aim at the wheels' edges: equal times, bursts at one time, the coarse
 * window's end and beyond, pushes before the time last popped, QE_CHECK-style keys (huge
 * sequence numbers, decreasing with the index), pops with a limit, growth and shrink.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "equeue.h"

#define US 1000ull
#define MS 1000000ull
#define SEC 1000000000ull

/* ---- the reference: a plain binary min-heap on (time, seqkind) ---- */

struct ref {
	struct qentry *v;
	size_t n, cap;
};

static int ref_cmp(const struct qentry *a, const struct qentry *b)
{
	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	return a->seqkind < b->seqkind ? -1 : a->seqkind > b->seqkind;
}

static void ref_push(struct ref *r, struct qentry e)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 256;
		r->v = realloc(r->v, r->cap * sizeof(*r->v));
		assert_non_null(r->v);
	}
	size_t i = r->n++;
	while (i > 0 && ref_cmp(&e, &r->v[(i - 1) / 2]) < 0) {
		r->v[i] = r->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	r->v[i] = e;
}

static struct qentry ref_pop(struct ref *r)
{
	struct qentry top = r->v[0], last = r->v[--r->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= r->n)
			break;
		if (c + 1 < r->n && ref_cmp(&r->v[c + 1], &r->v[c]) < 0)
			c++;
		if (ref_cmp(&r->v[c], &last) >= 0)
			break;
		r->v[i] = r->v[c];
		i = c;
	}
	if (r->n)
		r->v[i] = last;
	return top;
}

/* ---- the driver ---- */

static uint64_t rnd_state;
static uint64_t rnd(void) /* splitmix64: deterministic, independent of the libc */
{
	uint64_t z = (rnd_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}
static uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }

struct run {
	struct equeue q;
	struct ref r;
	uint64_t now, seq, id;
	uint32_t checks;
	size_t pops, peak;
};

/* Where a push's time falls, weights per profile. */
enum { T_EQUAL, T_FRAME, T_REORDER, T_WAKE, T_HELLO, T_FAR, T_HUGE, T_PAST, T_EDGE, T_NKIND };

static uint64_t pick_time(struct run *x, const unsigned *w)
{
	unsigned total = 0;
	for (int k = 0; k < T_NKIND; k++)
		total += w[k];
	unsigned r = (unsigned)below(total), k = 0;
	while (r >= w[k])
		r -= w[k++];
	uint64_t now = x->now;
	switch (k) {
	case T_EQUAL:
		return now;
	case T_FRAME:
		return now + 20 * US + below(30 * US);
	case T_REORDER:
		return now + below(5 * MS);
	case T_WAKE:
		return now + SEC * (1 + below(10)) + below(3); /* mostly exact multiples: many equal times */
	case T_HELLO:
		return now + below(20 * SEC);
	case T_FAR:
		return now + below(10000 * SEC);
	case T_HUGE:
		return UINT64_MAX - below(1ull << 40); /* the coarse slot arithmetic at the end of time */
	case T_PAST:
		return now - below(now < 100 * US ? now + 1 : 100 * US);
	default: { /* T_EDGE: either side of a boundary: the cursor's, the current coarse slot's, the coarse
		    window's end (all three from the queue's own state), or an aligned one further on */
		uint64_t b;
		switch (below(4)) {
		case 0:
			b = x->q.cursor << EQ_FINE_SHIFT;
			break;
		case 1:
			b = (x->q.coarse + 1) << EQ_COARSE_SHIFT;
			break;
		case 2:
			b = (x->q.coarse + (1ull << EQ_COARSE_BITS) + below(2)) << EQ_COARSE_SHIFT;
			break;
		default: {
			static const unsigned shifts[] = { EQ_FINE_SHIFT, EQ_COARSE_SHIFT, EQ_COARSE_SHIFT + EQ_COARSE_BITS };
			unsigned sh = shifts[below(3)];
			b = ((now >> sh) + 1 + below(2)) << sh;
		}
		}
		return b - 2 + below(4);
	}
	}
}

static void push_one(struct run *x, uint64_t t)
{
	struct qentry e = { .time = t };
	/* One in 50 a check: a sequence number counting down from the top, as sim_push gives it. */
	uint64_t seq = below(50) == 0 ? (UINT64_MAX >> 8) - x->checks++ : x->seq++;
	e.seqkind = seq << 8 | (uint32_t)below(10);
	e.u.ab.a = (uint32_t)x->id;
	e.u.ab.b = (uint32_t)(x->id >> 32) ^ 0x5A5A5A5Au;
	x->id++;
	equeue_push(&x->q, e.time, e.seqkind, e.u);
	ref_push(&x->r, e);
	assert_int_equal(equeue_len(&x->q), x->r.n);
	if (x->r.n > x->peak)
		x->peak = x->r.n;
}

/* Pops with a limit: around the first entry's time, below it as often as not. */
static void pop_one(struct run *x)
{
	uint64_t limit = UINT64_MAX;
	if (x->r.n && below(4) == 0) {
		uint64_t t = x->r.v[0].time;
		limit = below(2) || t == 0 ? t : t - 1 - below(t < 1000 ? t : 1000);
	}
	struct qentry got;
	bool want = x->r.n && x->r.v[0].time <= limit;
	bool ok = equeue_pop(&x->q, limit, &got);
	assert_int_equal(ok, want);
	if (!ok)
		return;
	struct qentry exp = ref_pop(&x->r);
	assert_int_equal(got.time, exp.time);
	assert_int_equal(got.seqkind, exp.seqkind);
	assert_int_equal(got.u.ab.a, exp.u.ab.a);
	assert_int_equal(got.u.ab.b, exp.u.ab.b);
	x->now = got.time;
	x->pops++;
}

static void each_count(void *ctx, const struct qentry *e)
{
	uint64_t *acc = ctx;
	acc[0]++;
	acc[1] += e->u.ab.a ^ ((uint64_t)e->u.ab.b << 32) ^ e->time ^ e->seqkind;
}

/* equeue_each visits exactly the queued entries. */
static void check_each(struct run *x)
{
	uint64_t got[2] = { 0, 0 }, want[2] = { 0, 0 };
	equeue_each(&x->q, each_count, got);
	for (size_t i = 0; i < x->r.n; i++)
		each_count(want, &x->r.v[i]);
	assert_int_equal(got[0], want[0]);
	assert_int_equal(got[1], want[1]);
}

/* ops steps: push with probability push_pct (a burst of up to burst entries at one time
   one in 64 pushes), else pop; then drain. */
static void drive(uint64_t seed, const unsigned *w, size_t ops, unsigned push_pct, unsigned burst)
{
	struct run x;
	memset(&x, 0, sizeof(x));
	rnd_state = seed;
	for (size_t i = 0; i < ops; i++) {
		if (below(100) < push_pct) {
			if (burst && below(64) == 0) {
				uint64_t t = pick_time(&x, w);
				for (unsigned b = (unsigned)below(burst) + 1; b; b--)
					push_one(&x, t);
			} else
				push_one(&x, pick_time(&x, w));
		} else
			pop_one(&x);
		if ((i & 4095) == 0)
			check_each(&x);
	}
	check_each(&x);
	while (x.r.n)
		pop_one(&x);
	struct qentry e;
	assert_false(equeue_pop(&x.q, UINT64_MAX, &e));
	assert_int_equal(equeue_len(&x.q), 0);
	equeue_free(&x.q);
	free(x.r.v);
}

/*                                  EQUAL FRAME REORD WAKE HELLO FAR HUGE PAST EDGE */
static const unsigned w_sim[] = { 10, 60, 3, 15, 5, 2, 0, 2, 3 };
static const unsigned w_equal[] = { 80, 5, 0, 10, 0, 0, 0, 5, 0 };
static const unsigned w_far[] = { 5, 10, 5, 10, 20, 30, 5, 5, 10 };
static const unsigned w_past[] = { 10, 20, 0, 5, 0, 0, 0, 60, 5 };
static const unsigned w_edge[] = { 5, 10, 5, 5, 5, 5, 5, 5, 55 };

static void test_simulator_like(void **state)
{
	(void)state;
	drive(1, w_sim, 300000, 55, 0);
	drive(2, w_sim, 300000, 50, 200);
}

static void test_equal_times(void **state)
{
	(void)state;
	drive(3, w_equal, 200000, 60, 1000);
}

static void test_far_future(void **state)
{
	(void)state;
	drive(4, w_far, 200000, 55, 50);
	drive(5, w_far, 200000, 45, 0);
}

static void test_past_pushes(void **state)
{
	(void)state;
	drive(6, w_past, 200000, 52, 20);
}

static void test_slot_edges(void **state)
{
	(void)state;
	drive(7, w_edge, 200000, 55, 10);
}

/* A queue grows to 200k entries, drains to nothing, grows again: the same order, and its
   memory stays bounded by the most entries ever queued at once (nodes and heaps reused). */
static void test_grow_and_shrink(void **state)
{
	(void)state;
	struct run x;
	memset(&x, 0, sizeof(x));
	rnd_state = 8;
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 200000; i++)
			push_one(&x, pick_time(&x, w_sim));
		check_each(&x);
		while (x.r.n > (round == 1 ? 1000u : 0u))
			pop_one(&x);
		for (int i = 0; i < 100000; i++) { /* interleaved, at a steady size */
			if (below(2))
				push_one(&x, pick_time(&x, w_sim));
			else
				pop_one(&x);
		}
		while (x.r.n)
			pop_one(&x);
		/* Chunks: at most one partial one per non-empty slot beyond the full ones (0 is never used). */
		size_t slots = (1u << EQ_FINE_BITS) + (1u << EQ_COARSE_BITS);
		assert_true(x.q.pool_n <= 1 + x.peak / EQ_CHUNK + (x.peak < slots ? x.peak : slots));
		assert_true(x.q.now.cap <= 2 * x.peak && x.q.far.cap <= 2 * x.peak && x.q.run.cap <= 2 * x.peak);
	}
	struct qentry e;
	assert_false(equeue_pop(&x.q, UINT64_MAX, &e));
	equeue_free(&x.q);
	free(x.r.v);
}

/* All nodes start at 0: ten thousand entries at time 0, each pushing more at 0 while
   they are popped (zero-delay wake-ups) and some a little later. */
static void test_burst_at_zero(void **state)
{
	(void)state;
	struct run x;
	memset(&x, 0, sizeof(x));
	rnd_state = 9;
	for (int i = 0; i < 10000; i++)
		push_one(&x, 0);
	for (int i = 0; i < 30000 && x.r.n; i++) {
		pop_one(&x);
		if (below(3) == 0)
			push_one(&x, x.now);
		if (below(3) == 0)
			push_one(&x, x.now + 20 * US + below(30 * US));
	}
	while (x.r.n)
		pop_one(&x);
	equeue_free(&x.q);
	free(x.r.v);
}

/* A zeroed queue is empty; a freed one is a zeroed one and works again. */
static void test_empty(void **state)
{
	(void)state;
	struct equeue q;
	memset(&q, 0, sizeof(q));
	union qpayload u = { .p = NULL };
	struct qentry out;
	assert_false(equeue_pop(&q, UINT64_MAX, &out));
	equeue_push(&q, 5, 1 << 8, u);
	assert_false(equeue_pop(&q, 4, &out));
	assert_int_equal(equeue_len(&q), 1);
	assert_true(equeue_pop(&q, 5, &out));
	assert_int_equal(out.time, 5);
	equeue_push(&q, 5, 2 << 8, u);
	equeue_free(&q);
	assert_int_equal(equeue_len(&q), 0);
	assert_false(equeue_pop(&q, UINT64_MAX, &out));
	equeue_push(&q, 7 * SEC, 3 << 8, u);
	assert_true(equeue_pop(&q, UINT64_MAX, &out));
	assert_int_equal(out.time, 7 * SEC);
	equeue_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_simulator_like),
		cmocka_unit_test(test_equal_times),
		cmocka_unit_test(test_far_future),
		cmocka_unit_test(test_past_pushes),
		cmocka_unit_test(test_slot_edges),
		cmocka_unit_test(test_grow_and_shrink),
		cmocka_unit_test(test_burst_at_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
