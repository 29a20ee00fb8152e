/*
 * Counters: the names of the public set, and the per-port ones stored sparsely.
 *
 * A node keeps its counters in 32 bits (struct node_ctr, half of struct lsoe_counters'
 * 744 octets). Each port had a struct lsoe_counters too, and in a fabric a port is a
 * session end, so that was most of the memory of a session.
 * A port increments a score of the 93 counters in its life: it stores those only,
 * found by a presence bitmap (node_internal.h says in which order, and why the hot
 * path needs no population count). The first 23 are inside struct port; beyond
 * them an array grows through node_alloc when a counter is first incremented; if
 * that fails, the increment is kept at node level only (alloc_failures says so).
 * Values are 32 bits, with a high word aside for those that pass 2^32 - 1.
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

/* Room in more[] for one more position: it grows by four (16 octets, one allocator granule). */
static bool more_room(struct lsoe_node *n, struct port_ctr *c)
{
	unsigned used = c->n - PORT_CTR_INLINE, cap = c->more_cap + 4u;
	if (used < c->more_cap)
		return true;
	uint32_t *v = node_alloc(n, cap * sizeof(*v));
	if (!v)
		return false;
	if (used)
		memcpy(v, c->more, used * sizeof(*v));
	node_free(n, c->more, c->more_cap * sizeof(*v));
	c->more = v;
	c->more_cap = (uint8_t)cap;
	return true;
}

/* The counter of this key wrapped to 0 in *lo: one more in its high word in *wide (grown by two). */
static void wide_carry(struct lsoe_node *n, struct ctr_wide **wide, uint8_t *nwide, uint8_t *cap, unsigned key,
    uint32_t *lo)
{
	for (unsigned k = 0; k < *nwide; k++)
		if ((*wide)[k].bit == key) {
			(*wide)[k].hi++;
			return;
		}
	if (*nwide == *cap) {
		unsigned ncap = *cap + 2u;
		struct ctr_wide *w = node_alloc(n, ncap * sizeof(*w));
		if (!w) {
			*lo = UINT32_MAX; /* stuck at 2^32 - 1 rather than back to a small count */
			return;
		}
		if (*nwide)
			memcpy(w, *wide, *nwide * sizeof(*w));
		node_free(n, *wide, *cap * sizeof(*w));
		*wide = w;
		*cap = (uint8_t)ncap;
	}
	(*wide)[(*nwide)++] = (struct ctr_wide){ key, 1 };
}

void port_count_carry(struct lsoe_node *n, struct port_ctr *c, unsigned bit, uint32_t *lo)
{
	wide_carry(n, &c->wide, &c->nwide, &c->wide_cap, bit, lo);
}

void node_count_carry(struct lsoe_node *n, unsigned i)
{
	wide_carry(n, &n->cold.wide, &n->cold.nwide, &n->cold.wide_cap, i, &n->cold.lo[i]);
}

void node_ctr_expand(const struct lsoe_node *n, struct lsoe_counters *out)
{
	uint64_t w[CTR_SLOTS];
	for (unsigned i = 0; i < CTR_SLOTS; i++)
		w[i] = node_hot_rank[i] ? n->hot_ctr[node_hot_rank[i] - 1] : n->cold.lo[i];
	for (unsigned k = 0; k < n->cold.nwide; k++)
		w[n->cold.wide[k].bit] += (uint64_t)n->cold.wide[k].hi << 32;
	memcpy(out, w, sizeof(*out));
	out->alloc_failures += n->alloc_failures;
}

void node_ctr_free(struct lsoe_node *n)
{
	node_free(n, n->cold.wide, n->cold.wide_cap * sizeof(*n->cold.wide));
	n->cold.wide = NULL;
	n->cold.nwide = n->cold.wide_cap = 0;
}

void port_count_slow(struct lsoe_node *n, struct port_ctr *c, unsigned i)
{
	unsigned bit = ctr_bit(i);
	if (port_ctr_has(c, bit)) {
		uint32_t *lo = port_ctr_at(c, port_ctr_pos(c, bit));
		if (!++*lo)
			port_count_carry(n, c, bit, lo);
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
	*port_ctr_word(c, bit) |= 1ull << (bit & 63);
}

void port_count_add(struct lsoe_node *n, struct port_ctr *c, unsigned i, uint32_t k)
{
	port_count(n, c, i); /* stores it if it was not, with its first increment */
	unsigned bit = ctr_bit(i);
	if (k <= 1 || !port_ctr_has(c, bit))
		return; /* done, or not stored (no memory): counted at node level only */
	uint32_t *lo = port_ctr_at(c, port_ctr_pos(c, bit));
	uint32_t was = *lo;
	*lo += k - 1;
	if (*lo < was) /* k < 2^32: at most one carry */
		port_count_carry(n, c, bit, lo);
}

/* The whole value of the counter of this bit, stored at pos. */
static uint64_t value_at(const struct port_ctr *c, unsigned bit, unsigned pos)
{
	uint64_t v = pos < PORT_CTR_INLINE ? c->v[pos] : c->more[pos - PORT_CTR_INLINE];
	for (unsigned k = 0; k < c->nwide; k++)
		if (c->wide[k].bit == bit)
			v += (uint64_t)c->wide[k].hi << 32;
	return v;
}

uint64_t port_ctr_get(const struct port_ctr *c, unsigned i)
{
	unsigned bit = ctr_bit(i);
	return port_ctr_has(c, bit) ? value_at(c, bit, port_ctr_pos(c, bit)) : 0;
}

void port_ctr_expand(const struct port_ctr *c, struct lsoe_counters *out)
{
	uint8_t index_of_hot[CTR_HOT];
	for (unsigned i = 0; i < CTR_SLOTS; i++)
		if (ctr_hot_rank[i])
			index_of_hot[ctr_hot_rank[i] - 1] = (uint8_t)i;
	uint64_t w[CTR_SLOTS] = { 0 };
	for (unsigned bit = 0, k = 0; bit < CTR_HOT + CTR_SLOTS; bit++)
		if (port_ctr_has(c, bit))
			w[bit < CTR_HOT ? index_of_hot[bit] : bit - CTR_HOT] = value_at(c, bit, k++);
	memcpy(out, w, sizeof(*out));
}

void port_ctr_free(struct lsoe_node *n, struct port_ctr *c)
{
	node_free(n, c->more, c->more_cap * sizeof(*c->more));
	node_free(n, c->wide, c->wide_cap * sizeof(*c->wide));
	c->more = NULL;
	c->wide = NULL;
	c->more_cap = c->wide_cap = c->nwide = 0;
}
