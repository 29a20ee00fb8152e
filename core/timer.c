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
	if (i == 0)
		h->next = e->when;
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

void timer_arm(struct timer_heap *h, struct lsoe_timer *t, uint64_t when)
{
	struct timer_ent e = { .when = when, .seq = h->seq++, .t = t };
	t->when = when;
	if (!timer_armed(t)) {
		sift_up(h, h->n++, e);
		return;
	}
	uint32_t i = t->idx;
	if (when >= h->v[i].when) /* equal: the new seq sorts it later */
		sift_down(h, i, e);
	else
		sift_up(h, i, e);
}

/* Take out the entry at i: the last one fills the hole and moves whichever way its key says. */
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
	if (timer_armed(t))
		remove_at(h, t->idx);
}

struct lsoe_timer *timer_pop_due(struct timer_heap *h, uint64_t now)
{
	if (!h->n || h->v[0].when > now)
		return NULL;
	struct lsoe_timer *t = h->v[0].t;
	remove_at(h, 0);
	return t;
}
