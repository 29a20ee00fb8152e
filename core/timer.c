#include "timer.h"

static bool before(const struct lsoe_timer *a, const struct lsoe_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void place(struct timer_heap *h, uint32_t i, struct lsoe_timer *t)
{
	h->v[i] = t;
	t->idx = i;
}

static void sift_up(struct timer_heap *h, uint32_t i)
{
	struct lsoe_timer *t = h->v[i];
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (!before(t, h->v[parent]))
			break;
		place(h, i, h->v[parent]);
		i = parent;
	}
	place(h, i, t);
}

static void sift_down(struct timer_heap *h, uint32_t i)
{
	struct lsoe_timer *t = h->v[i];
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && before(h->v[c + 1], h->v[c]))
			c++;
		if (!before(h->v[c], t))
			break;
		place(h, i, h->v[c]);
		i = c;
	}
	place(h, i, t);
}

void timer_arm(struct timer_heap *h, struct lsoe_timer *t, uint64_t when)
{
	bool later = timer_armed(t) && when >= t->when; /* equal: the new seq sorts it later */
	t->when = when;
	t->seq = h->seq++;
	if (!timer_armed(t)) {
		place(h, h->n++, t);
		sift_up(h, t->idx);
	} else if (later) {
		sift_down(h, t->idx);
	} else {
		sift_up(h, t->idx);
	}
}

void timer_cancel(struct timer_heap *h, struct lsoe_timer *t)
{
	if (!timer_armed(t))
		return;
	uint32_t i = t->idx;
	struct lsoe_timer *last = h->v[--h->n];
	t->idx = TIMER_IDLE;
	if (last == t)
		return;
	place(h, i, last);
	if (i > 0 && before(last, h->v[(i - 1) / 2]))
		sift_up(h, i);
	else
		sift_down(h, i);
}
