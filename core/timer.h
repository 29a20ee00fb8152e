/*
 * Deadlines: one binary min-heap per node of timers embedded in their owners
 * (sessions, ports, the node). Arming, cancelling and popping are O(log n); ties
 * are broken by arming order, so runs are deterministic. Capacity is reserved
 * when an owner is created, so arming never allocates and never fails.
 *
 * The heap array holds each timer's key (deadline, arming order) beside its
 * pointer: a sift compares entries of the contiguous array and never loads an
 * owner (at scale each owner is a cache miss), it only stores the moved timers'
 * positions. The earliest deadline is kept in the header: asking for it loads nothing else.
 */
#ifndef LSOE_TIMER_H
#define LSOE_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TIMER_IDLE UINT32_MAX

struct lsoe_timer {
	uint64_t when;       /* a copy of the heap key, for the owner's own checks (valid while armed) */
	uint32_t idx;        /* position in the heap, TIMER_IDLE when not armed */
	uint8_t kind;        /* what the owner is, for dispatch (node.c) */
};

struct timer_ent {
	uint64_t when;
	uint64_t seq;        /* arming order: the tie-break */
	struct lsoe_timer *t;
};

struct timer_heap {
	struct timer_ent *v;
	uint32_t n, cap;
	uint64_t seq;
	uint64_t next;       /* v[0].when while n > 0: the earliest deadline without loading the array */
};

static inline void timer_init(struct lsoe_timer *t, uint8_t kind)
{
	t->when = 0;
	t->idx = TIMER_IDLE;
	t->kind = kind;
}
static inline bool timer_armed(const struct lsoe_timer *t) { return t->idx != TIMER_IDLE; }

/* (Re)arm t at when. The heap must have room (see node.c's reservation). */
void timer_arm(struct timer_heap *h, struct lsoe_timer *t, uint64_t when);
void timer_cancel(struct timer_heap *h, struct lsoe_timer *t);
/* The earliest timer if it is due at now (removed from the heap), else NULL. */
struct lsoe_timer *timer_pop_due(struct timer_heap *h, uint64_t now);
/* The earliest deadline, or UINT64_MAX: read from the heap's header, no entry and no timer is touched. */
static inline uint64_t timer_next(const struct timer_heap *h) { return h->n ? h->next : UINT64_MAX; }

#endif
