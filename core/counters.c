/*
 * Counters: the names of the public set, and the per-port ones stored sparsely.
 *
 * A node has one struct lsoe_counters (744 octets); each port had another, and in
 * a fabric a port is a session end, so that was most of the memory of a session.
 * A port increments a score of the 93 counters in its life: it stores those only,
 * found by a presence bitmap (node_internal.h says in which order, and why the hot
 * path needs no population count). The first 22 are inside struct port; beyond
 * them an array grows through node_alloc when a counter is first incremented; if
 * that fails, the increment is kept at node level only (alloc_failures says so).
 */
#include <string.h>

#include "node_internal.h"

static const struct {
	const char *name, *doc;
	size_t offset;
} counters[] = {
#define LSOE_COUNTER_ROW(f, d) { #f, d, offsetof(struct lsoe_counters, f) },
	LSOE_COUNTERS(LSOE_COUNTER_ROW)
#undef LSOE_COUNTER_ROW
};

size_t lsoe_counter_count(void) { return sizeof(counters) / sizeof(counters[0]); }
const char *lsoe_counter_name(size_t i) { return i < lsoe_counter_count() ? counters[i].name : NULL; }
const char *lsoe_counter_doc(size_t i) { return i < lsoe_counter_count() ? counters[i].doc : NULL; }

uint64_t lsoe_counter_value(const struct lsoe_counters *c, size_t i)
{
	uint64_t v;
	if (i >= lsoe_counter_count())
		return 0;
	memcpy(&v, (const char *)c + counters[i].offset, sizeof(v));
	return v;
}

/* Room in more[] for one more position: it grows by two (16 octets, one allocator granule). */
static bool more_room(struct lsoe_node *n, struct port_ctr *c)
{
	unsigned used = c->n - PORT_CTR_INLINE, cap = c->more_cap + 2u;
	if (used < c->more_cap)
		return true;
	uint64_t *v = node_alloc(n, cap * sizeof(*v));
	if (!v)
		return false;
	if (used)
		memcpy(v, c->more, used * sizeof(*v));
	node_free(n, c->more, c->more_cap * sizeof(*v));
	c->more = v;
	c->more_cap = (uint8_t)cap;
	return true;
}

void port_count_slow(struct lsoe_node *n, struct port_ctr *c, unsigned i)
{
	unsigned bit = ctr_bit(i);
	if (port_ctr_has(c, bit)) {
		(*port_ctr_at(c, port_ctr_pos(c, bit)))++;
		return;
	}
	if (c->n >= PORT_CTR_INLINE && !more_room(n, c))
		return; /* counted at node level only; node_alloc counted the failure */
	/* Positions pos..n-1 move up by one, across the inline array and more[]. */
	unsigned pos = port_ctr_pos(c, bit);
	for (unsigned k = c->n; k > pos; k--)
		*port_ctr_at(c, k) = *port_ctr_at(c, k - 1);
	*port_ctr_at(c, pos) = 1;
	c->n++;
	c->has[bit >> 6] |= 1ull << (bit & 63);
}

uint64_t port_ctr_get(const struct port_ctr *c, unsigned i)
{
	unsigned bit = ctr_bit(i);
	if (!port_ctr_has(c, bit))
		return 0;
	unsigned pos = port_ctr_pos(c, bit);
	return pos < PORT_CTR_INLINE ? c->v[pos] : c->more[pos - PORT_CTR_INLINE];
}

void port_ctr_expand(const struct port_ctr *c, struct lsoe_counters *out)
{
	uint8_t index_of_hot[CTR_HOT];
	for (unsigned i = 0; i < CTR_SLOTS; i++)
		if (ctr_hot_rank[i])
			index_of_hot[ctr_hot_rank[i] - 1] = (uint8_t)i;
	uint64_t w[CTR_SLOTS] = { 0 };
	for (unsigned bit = 0, k = 0; bit < CTR_HOT + CTR_SLOTS; bit++)
		if (port_ctr_has(c, bit)) {
			w[bit < CTR_HOT ? index_of_hot[bit] : bit - CTR_HOT] =
			    k < PORT_CTR_INLINE ? c->v[k] : c->more[k - PORT_CTR_INLINE];
			k++;
		}
	memcpy(out, w, sizeof(*out));
}

void port_ctr_free(struct lsoe_node *n, struct port_ctr *c)
{
	node_free(n, c->more, c->more_cap * sizeof(*c->more));
	c->more = NULL;
	c->more_cap = 0;
}
