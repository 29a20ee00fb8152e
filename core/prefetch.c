/*
 * Prefetch hints (node.h): what lsoe_node_input and lsoe_node_run will read, fetched a
 * few calls ahead by a caller that knows the calls to come. At 10k simulated nodes
 * every one of these lines is a miss of a few hundred ns and they depend on each other;
 * fetched in steps, calls apart, they overlap with other work instead.
 *
 * A hint only reads what the engine owns and never writes: it is as safe as a lookup.
 * What it fetches is the layout of node_internal.h (the hot lines it names).
 */
#include "lsoe/node.h"
#include "node_internal.h"

#define FETCH(p) __builtin_prefetch((const void *)(p), 0, 3)
#define FETCH_W(p) __builtin_prefetch((const void *)(p), 1, 3)

/*
 * Entries of the timer heap and of the lane looked at for due owners before the node
 * runs: only the first few, whose misses come first; node_prefetch_lane fetches the rest
 * while the node runs. All 18 of a fabric node at once overran the outstanding misses
 * the core can hold: 456 -> 415 ns per event at 10k nodes with 4 instead of 48.
 */
#define RUN_SCAN 4u
/* While a node runs its timers (node_prefetch_lane): how many timers ahead the lane's entries, owners and sends. */
#define LANE_AHEAD_ENTRY 7u
#define LANE_AHEAD_OWNER 4u
#define LANE_AHEAD_HINT 2u

/* Line 0 and the timers' line; sending also reads the lines between and after (node_internal.h). */
static void fetch_node(const struct lsoe_node *n, bool send)
{
	const char *b = (const char *)n;
	FETCH_W(b);
	FETCH_W(&n->timers);
	if (send) {
		for (size_t o = 64; o < offsetof(struct lsoe_node, timers); o += 64)
			FETCH(b + o); /* cfg's keepalive fields, pf_send and epoch */
		FETCH_W(&n->hot_ctr[NODE_CTR_HOT - 1]);
	}
}

void lsoe_node_prefetch_input(const struct lsoe_node *n, uint32_t port, unsigned step)
{
	if (!n)
		return;
	switch (step) {
	case 0:
		fetch_node(n, false);
		return;
	case 1:
		/* Where port_find looks first (ports numbered 1..n). */
		if (port - 1u < n->nports)
			FETCH(&n->ports[port - 1u]);
		return;
	case 2:
		/* The port where port_find looks first, not checked: checking would read it, a miss. */
		if (port - 1u < n->nports)
			FETCH_W(n->ports[port - 1u]);
		return;
	case 3: {
		const struct port *p = port_find(n, port, NULL);
		if (p && p->nsessions == 1)
			FETCH_W(p->sessions); /* a fabric port's one peer: the keepalive fields are its first line */
		return;
	}
	default:
		return;
	}
}


void lsoe_node_prefetch_run(const struct lsoe_node *n, unsigned step)
{
	if (!n)
		return;
	const struct timer_heap *h = &n->timers;
	uint32_t scan = h->n < RUN_SCAN ? h->n : RUN_SCAN;
	uint32_t lane = h->hi - h->lo < RUN_SCAN ? h->hi - h->lo : RUN_SCAN; /* from its head, v[hi - 1], down */
	switch (step) {
	case 0:
		fetch_node(n, true);
		return;
	case 1:
		for (size_t o = 0; o < scan * sizeof(*h->v); o += 64)
			FETCH_W((const char *)h->v + o);
		for (size_t o = 0; o < lane * sizeof(*h->v); o += 64)
			FETCH_W((const char *)(h->v + h->hi) - 1 - o);
		return;
	case 2:
		/* The owners of what falls due with the earliest: a keepalive reads its session's first line, no port. */
		for (uint32_t i = 0; i < scan; i++)
			if (h->v[i].when <= h->next)
				FETCH_W(h->v[i].t);
		for (uint32_t i = h->hi; i-- > h->hi - lane && h->v[i].when <= h->next;)
			if (h->v[i].t)
				FETCH_W(h->v[i].t);
		return;
	default:
		return;
	}
}

/*
 * A node's keepalives are its lane's timers (timer.h), run one after the other: each
 * reads its session's first line, a miss at scale. Before each timer runs, the session
 * of the one LANE_AHEAD_OWNER places behind it is fetched, so that the misses of a
 * wake-up overlap with its own sends instead of waiting in turn. The lane's own entries
 * are fetched LANE_AHEAD_ENTRY places ahead (the hints before the run fetch only the
 * first RUN_SCAN), and the platform is told of the port LANE_AHEAD_HINT places ahead
 * (read from its session, fetched two timers ago), so that it can fetch what its send
 * will read. Places count from the timer that runs after this one (v[hi - 1]).
 */
static void hint_send(const struct lsoe_node *n, const struct lsoe_timer *t)
{
	if (t && t->kind == TK_SESSION_SEND)
		n->pf_prefetch_send(n->pf_ctx, container_of(t, struct session, t_send)->port_id);
}

void node_prefetch_lane_start(const struct lsoe_node *n)
{
	const struct timer_heap *h = &n->timers;
	if (!n->pf_prefetch_send)
		return;
	/* The timers up to the first that node_prefetch_lane hints; their sessions were fetched before the run (step 2). */
	for (uint32_t i = 0; i <= LANE_AHEAD_HINT && i < h->hi - h->lo; i++)
		hint_send(n, h->v[h->hi - 1 - i].t);
}

void node_prefetch_lane(const struct lsoe_node *n)
{
	const struct timer_heap *h = &n->timers;
	uint32_t queued = h->hi - h->lo; /* v[hi - 1] runs next */
	if (queued > LANE_AHEAD_ENTRY)
		FETCH(&h->v[h->hi - 1 - LANE_AHEAD_ENTRY]);
	if (queued > LANE_AHEAD_OWNER && h->v[h->hi - 1 - LANE_AHEAD_OWNER].t)
		FETCH_W(h->v[h->hi - 1 - LANE_AHEAD_OWNER].t);
	if (n->pf_prefetch_send && queued > LANE_AHEAD_HINT)
		hint_send(n, h->v[h->hi - 1 - LANE_AHEAD_HINT].t);
}
