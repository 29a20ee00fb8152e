#include <string.h>

#include "timer.h"

static bool before(const struct timer_ent *a, const struct timer_ent *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

/* A store into the timer, no load of it: the sifts stay in the array. */
static void place(struct timer_heap *h, uint32_t i, const struct timer_ent *e)
{
	h->v[i] = *e;
	e->t->idx = i;
}

static void sift_up(struct timer_heap *h, uint32_t i, struct timer_ent e)
{
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (!before(&e, &h->v[parent]))
			break;
		place(h, i, &h->v[parent]);
		i = parent;
	}
	place(h, i, &e);
}

static void sift_down(struct timer_heap *h, uint32_t i, struct timer_ent e)
{
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && before(&h->v[c + 1], &h->v[c]))
			c++;
		if (!before(&h->v[c], &e))
			break;
		place(h, i, &h->v[c]);
		i = c;
	}
	place(h, i, &e);
}

static bool lane_empty(const struct timer_heap *h) { return h->lo == h->hi; }

static void set_next(struct timer_heap *h)
{
	uint64_t a = h->n ? h->v[0].when : UINT64_MAX;
	uint64_t b = lane_empty(h) ? UINT64_MAX : h->v[h->hi - 1].when;
	h->next = a < b ? a : b;
}

/* Cancelled entries at the head go, so that the head is always a timer. */
static void lane_trim(struct timer_heap *h)
{
	while (!lane_empty(h) && !h->v[h->hi - 1].t)
		h->hi--;
}

/* The lane's live entries moved to the top of the array, in order: room below it. */
static void lane_compact(struct timer_heap *h)
{
	uint32_t w = h->cap;
	for (uint32_t r = h->hi; r-- > h->lo;) /* from the head down: w never passes r */
		if (h->v[r].t)
			h->v[--w] = h->v[r];
	h->lo = w;
	h->hi = h->cap;
}

/* A lane timer out of the lane (rare: a keepalive re-armed off its beat or cancelled): found by a scan. */
static void lane_remove(struct timer_heap *h, struct lsoe_timer *t)
{
	for (uint32_t i = h->lo; i < h->hi; i++)
		if (h->v[i].t == t) {
			h->v[i].t = NULL;
			break;
		}
	t->idx = TIMER_IDLE;
	lane_trim(h);
}

void timer_arm(struct timer_heap *h, struct lsoe_timer *t, uint64_t when)
{
	if (t->idx == TIMER_LANE)
		lane_remove(h, t);
	struct timer_ent e = { .when = when, .seq = h->seq++, .t = t };
	if (!timer_armed(t)) {
		if (!lane_empty(h) && h->n == h->lo)
			lane_compact(h); /* the reservation counts every timer: compacted, there is room */
		sift_up(h, h->n++, e);
	} else {
		uint32_t i = t->idx;
		if (when >= h->v[i].when) /* equal: the new seq sorts it later */
			sift_down(h, i, e);
		else
			sift_up(h, i, e);
	}
	set_next(h);
}

void timer_arm_lane(struct timer_heap *h, struct lsoe_timer *t, uint64_t when)
{
	if (timer_armed(t))
		timer_cancel(h, t);
	if (lane_empty(h))
		h->lo = h->hi = h->cap;
	else if (when < h->v[h->lo].when) {
		timer_arm(h, t, when); /* out of order: the heap */
		return;
	}
	if (h->lo == h->n)
		lane_compact(h); /* the reservation counts every timer: compacted, there is room */
	h->v[--h->lo] = (struct timer_ent){ .when = when, .seq = h->seq++, .t = t };
	t->idx = TIMER_LANE;
	set_next(h);
}

/* Take out the heap entry at i: the last one fills the hole and moves whichever way its key says. */
static void remove_at(struct timer_heap *h, uint32_t i)
{
	h->v[i].t->idx = TIMER_IDLE;
	if (i == --h->n)
		return;
	struct timer_ent last = h->v[h->n];
	if (i > 0 && before(&last, &h->v[(i - 1) / 2]))
		sift_up(h, i, last);
	else
		sift_down(h, i, last);
}

void timer_cancel(struct timer_heap *h, struct lsoe_timer *t)
{
	if (t->idx == TIMER_LANE)
		lane_remove(h, t);
	else if (timer_armed(t))
		remove_at(h, t->idx);
	else
		return;
	set_next(h);
}

uint64_t timer_when(const struct timer_heap *h, const struct lsoe_timer *t)
{
	if (t->idx != TIMER_LANE)
		return h->v[t->idx].when;
	for (uint32_t i = h->lo; i < h->hi; i++)
		if (h->v[i].t == t)
			return h->v[i].when;
	return UINT64_MAX; /* not reached: a lane timer is in the lane */
}

struct lsoe_timer *timer_pop_due(struct timer_heap *h, uint64_t now, uint64_t *when)
{
	bool heap = h->n && (lane_empty(h) || before(&h->v[0], &h->v[h->hi - 1]));
	const struct timer_ent *e = heap ? &h->v[0] : lane_empty(h) ? NULL : &h->v[h->hi - 1];
	if (!e || e->when > now)
		return NULL;
	struct lsoe_timer *t = e->t;
	*when = e->when;
	if (heap) {
		remove_at(h, 0);
	} else {
		t->idx = TIMER_IDLE;
		h->hi--;
		lane_trim(h);
	}
	set_next(h);
	return t;
}

uint32_t timer_count(const struct timer_heap *h)
{
	uint32_t k = h->n;
	for (uint32_t i = h->lo; i < h->hi; i++)
		k += h->v[i].t != NULL;
	return k;
}

void timer_move(struct timer_heap *h, struct timer_ent *v, uint32_t cap)
{
	if (h->n)
		memcpy(v, h->v, (size_t)h->n * sizeof(*v));
	uint32_t len = h->hi - h->lo;
	if (len)
		memcpy(v + cap - len, h->v + h->lo, (size_t)len * sizeof(*v));
	h->v = v;
	h->cap = cap;
	h->lo = cap - len;
	h->hi = cap;
}
