/*
 * Route sets of the BGP-LS export: what the engine's link view says now (built
 * afresh whenever it changed), and per peer what it holds from us. Both sorted by
 * NLRI, so the difference is one merge.
 */
#include <stdlib.h>
#include <string.h>

#include "bgp.h"
#include "lsoed.h"

int bgp_route_cmp(const struct bgp_route *a, const struct bgp_route *b)
{
	if (a->nlri_len != b->nlri_len)
		return a->nlri_len < b->nlri_len ? -1 : 1;
	return memcmp(a->nlri, b->nlri, a->nlri_len);
}

bool bgp_route_same_attr(const struct bgp_route *a, const struct bgp_route *b)
{
	return a->attr_len == b->attr_len && memcmp(a->attr, b->attr, a->attr_len) == 0;
}

/* The first index whose NLRI is not below x's. */
static size_t lower_bound(const struct bgp_routes *r, const struct bgp_route *x)
{
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (bgp_route_cmp(&r->v[mid], x) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long bgp_routes_find(const struct bgp_routes *r, const struct bgp_route *x)
{
	size_t i = lower_bound(r, x);
	return i < r->n && bgp_route_cmp(&r->v[i], x) == 0 ? (long)i : -1;
}

static bool grow(struct bgp_routes *r)
{
	if (r->n < r->cap)
		return true;
	if (r->cap >= BGP_ROUTES_MAX)
		return false;
	size_t cap = r->cap ? r->cap * 2 : 16;
	if (cap > BGP_ROUTES_MAX)
		cap = BGP_ROUTES_MAX;
	struct bgp_route *v = realloc(r->v, cap * sizeof(*v));
	if (!v)
		return false;
	r->v = v;
	r->cap = cap;
	return true;
}

bool bgp_routes_put(struct bgp_routes *r, const struct bgp_route *x)
{
	size_t i = lower_bound(r, x);
	if (i < r->n && bgp_route_cmp(&r->v[i], x) == 0) {
		r->v[i] = *x;
		return true;
	}
	if (!grow(r))
		return false;
	memmove(&r->v[i + 1], &r->v[i], (r->n - i) * sizeof(*r->v));
	r->v[i] = *x;
	r->n++;
	return true;
}

void bgp_routes_del(struct bgp_routes *r, const struct bgp_route *x)
{
	long i = bgp_routes_find(r, x);
	if (i < 0)
		return;
	memmove(&r->v[i], &r->v[i + 1], (r->n - (size_t)i - 1) * sizeof(*r->v));
	r->n--;
}

void bgp_routes_clear(struct bgp_routes *r)
{
	r->n = 0;
}

void bgp_routes_free(struct bgp_routes *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* ---- from the engine ---- */

struct build {
	struct lsoed *d;
	const struct lsoe_bgpls_params *params;
	struct bgp_routes *out;
	uint64_t dropped;
};

static int cmp_qsort(const void *a, const void *b)
{
	return bgp_route_cmp(a, b);
}

static void on_link(void *ctx, const struct lsoe_bgpls_link *l)
{
	struct build *b = ctx;
	struct bgp_route r;
	r.nlri_len = (uint16_t)lsoe_bgpls_link_nlri(b->params, l, r.nlri, sizeof(r.nlri));
	r.attr_len = (uint16_t)lsoe_bgpls_link_attr(l, r.attr, sizeof(r.attr));
	if (!r.nlri_len || !grow(b->out)) {
		b->dropped++;
		return;
	}
	b->out->v[b->out->n++] = r; /* sorted once at the end */
}

static void on_session(void *ctx, const struct lsoe_session_view *s)
{
	struct build *b = ctx;
	struct lsoe_bgpls_router_ids ours = { 0 };
	const struct iface *i = ifaces_find(&b->d->ifaces, (int)s->port);
	if (i) {
		const struct lsoe_encap *lists[4];
		uint16_t counts[4];
		for (unsigned t = 0; t < 4; t++) {
			lists[t] = i->announced[t];
			counts[t] = i->nannounced[t];
		}
		lsoe_bgpls_pick_router_ids(lists, counts, &ours);
	}
	lsoe_bgpls_session_links(s, b->d->cfg.local_id, &ours, on_link, b);
}

bool bgp_routes_build(struct lsoed *d, const struct lsoe_bgpls_params *p, struct bgp_routes *out, uint64_t *dropped)
{
	struct build b = { d, p, out, 0 };
	bgp_routes_clear(out);
	lsoe_node_foreach_session(d->node, on_session, &b);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_qsort);
	/* The same NLRI twice (two sessions with the same IDs and addresses): keep the first. */
	size_t w = 0;
	for (size_t k = 0; k < out->n; k++)
		if (!w || bgp_route_cmp(&out->v[w - 1], &out->v[k]) != 0)
			out->v[w++] = out->v[k];
	out->n = w;
	*dropped = b.dropped;
	return b.dropped == 0;
}
