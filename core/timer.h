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
 *
 * The lane: timers armed in arming order with deadlines that never go down, as a node's
 * keepalives are, each re-armed on the node's beat as it fires, queue in a FIFO at the
 * top of the same array instead of the heap (timer_arm_lane): O(1) where the heap costs
 * a sift per arm and per pop, and a node's keepalives are most of its timer work. A pop
 * takes the earlier of the heap's root and the lane's head, so the order is exactly the
 * one the heap alone gives. A timer armed out of order goes to the heap.
 */
#ifndef LSOE_TIMER_H
#define LSOE_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TIMER_IDLE UINT32_MAX
#define TIMER_LANE (UINT32_MAX - 1)

/* 8 octets: the deadline is the heap entry's only (timer_when), so a session's three timers take a line's third. */
struct lsoe_timer {
	uint32_t idx;        /* position in the heap, TIMER_LANE in the lane, TIMER_IDLE when not armed */
	uint8_t kind;        /* what the owner is, for dispatch (node.c) */
};

struct timer_ent {
	uint64_t when;
	uint64_t seq;        /* arming order: the tie-break */
	struct lsoe_timer *t; /* NULL: a lane entry cancelled */
};

struct timer_heap {
	struct timer_ent *v; /* cap entries: the heap at [0, n), the lane at [lo, hi) */
	uint32_t n, cap;
	uint64_t seq;
	uint64_t next;       /* the earliest deadline of both, while either holds a timer */
	uint32_t lo, hi;     /* the lane: v[hi - 1] its head (the earliest, never cancelled), v[lo] its newest */
};

static inline void timer_init(struct lsoe_timer *t, uint8_t kind)
{
	t->idx = TIMER_IDLE;
	t->kind = kind;
}
static inline bool timer_armed(const struct lsoe_timer *t) { return t->idx != TIMER_IDLE; }

/* (Re)arm t at when. The heap must have room (see node.c's reservation). */
void timer_arm(struct timer_heap *h, struct lsoe_timer *t, uint64_t when);
/* The same, in the lane when when is no earlier than its newest (else in the heap). */
void timer_arm_lane(struct timer_heap *h, struct lsoe_timer *t, uint64_t when);
void timer_cancel(struct timer_heap *h, struct lsoe_timer *t);
/* The earliest timer if it is due at now (removed from the heap, its deadline in *when), else NULL. */
struct lsoe_timer *timer_pop_due(struct timer_heap *h, uint64_t now, uint64_t *when);
/*
 * The deadline of an armed timer: its heap entry's. One in the lane is found by a scan
 * of the lane, O(lane): for the rare caller (a reconfiguration), never on a hot path.
 */
uint64_t timer_when(const struct timer_heap *h, const struct lsoe_timer *t);
/* The earliest deadline, or UINT64_MAX: read from the heap's header, no entry and no timer is touched. */
static inline uint64_t timer_next(const struct timer_heap *h)
{
	return h->n || h->lo != h->hi ? h->next : UINT64_MAX;
}
/* Timers armed, heap and lane. */
uint32_t timer_count(const struct timer_heap *h);
/* Into v, of cap entries (no fewer than the old one): the caller frees the old array. */
void timer_move(struct timer_heap *h, struct timer_ent *v, uint32_t cap);

#endif
