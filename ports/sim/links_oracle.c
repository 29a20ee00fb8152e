/*
 * The links_match oracle: what every simulated link's link view must hold, worked out
 * here from what its two ends announce now (sim_port_expected), and compared with
 * what each engine reports (lsoe_node_foreach_session).
 *
 * An oracle must not share code with what it checks: the pairing rule of the draft
 * (section 5: the same AFI/SAFI and the same subnet) is written again below, without
 * core/links.c or lsoe_link_addresses_agree, so that a mistake in one shows up as a
 * disagreement with the other.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "world.h"

#define TYPES 4          /* IPV4_ENCAP .. MPLS_IPV6_ENCAP */
#define SHOWN 3          /* pairs quoted in a message */

/* One expected pair: entries of this end's list and of the other end's, and where they were listed. */
struct want_pair {
	const struct lsoe_encap *local, *peer;
	unsigned i, j;
};

/* Whether addr lies in net/plen, bit by bit. */
static bool in_prefix(const uint8_t *net, unsigned plen, const uint8_t *addr, unsigned alen)
{
	if (plen > 8 * alen)
		return false;
	for (unsigned bit = 0; bit < plen; bit++) {
		uint8_t mask = (uint8_t)(0x80u >> (bit % 8));
		if ((net[bit / 8] & mask) != (addr[bit / 8] & mask))
			return false;
	}
	return true;
}

/* The draft's rule: loopbacks never (a node's own address), one address on both ends never
   (a conflict), otherwise each address inside the other's prefix. */
static bool pairs_up(unsigned alen, const struct lsoe_encap *a, const struct lsoe_encap *b)
{
	if ((a->flags | b->flags) & LSOE_ENCAP_LOOPBACK)
		return false;
	if (memcmp(a->addr, b->addr, alen) == 0)
		return false;
	return in_prefix(a->addr, a->prefix_len, b->addr, alen) && in_prefix(b->addr, b->prefix_len, a->addr, alen);
}

/* Unused address octets are zero in the simulator's entries: all 16 can be compared. */
static int key_cmp(const struct want_pair *x, const struct want_pair *y)
{
	int c = memcmp(x->local->addr, y->local->addr, 16);
	if (c)
		return c;
	if (x->local->prefix_len != y->local->prefix_len)
		return x->local->prefix_len < y->local->prefix_len ? -1 : 1;
	c = memcmp(x->peer->addr, y->peer->addr, 16);
	if (c)
		return c;
	if (x->peer->prefix_len != y->peer->prefix_len)
		return x->peer->prefix_len < y->peer->prefix_len ? -1 : 1;
	return 0;
}

/* The view's order; among equal keys the first listed first (it is the one kept). */
static int want_cmp(const void *p, const void *q)
{
	const struct want_pair *x = p, *y = q;
	int c = key_cmp(x, y);
	if (c)
		return c;
	if (x->i != y->i)
		return x->i < y->i ? -1 : 1;
	return x->j < y->j ? -1 : x->j > y->j;
}

/* The pairs one end's view of type must hold: sorted, without repeats, at most LSOE_LINKS_MAX. */
static unsigned want_pairs(unsigned type, const struct lsoe_encap *mine, unsigned nmine,
    const struct lsoe_encap *theirs, unsigned ntheirs, struct want_pair *out)
{
	unsigned alen = lsoe_encap_addr_len(type), k = 0;
	for (unsigned i = 0; i < nmine; i++)
		for (unsigned j = 0; j < ntheirs; j++)
			if (pairs_up(alen, &mine[i], &theirs[j]))
				out[k++] = (struct want_pair){ &mine[i], &theirs[j], i, j };
	qsort(out, k, sizeof(*out), want_cmp);
	unsigned kept = 0;
	for (unsigned e = 0; e < k && kept < LSOE_LINKS_MAX; e++)
		if (!kept || key_cmp(&out[kept - 1], &out[e]) != 0)
			out[kept++] = out[e];
	return kept;
}

static bool same_end(unsigned type, const struct lsoe_encap *seen, const struct lsoe_encap *want)
{
	return seen->flags == want->flags && seen->prefix_len == want->prefix_len &&
	    memcmp(seen->addr, want->addr, lsoe_encap_addr_len(type)) == 0 && seen->nlabels == want->nlabels &&
	    (!want->nlabels || memcmp(seen->labels, want->labels, 3u * want->nlabels) == 0);
}

/* ---- messages ---- */

struct text {
	char *s;
	size_t cap, len;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
	if (t->len >= t->cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len = n < 0 ? t->cap : t->len + (size_t)n;
}

/* "10.0.0.0/31 primary label 16000" */
static void put_end(struct text *t, unsigned type, const struct lsoe_encap *e)
{
	char a[LSOE_ADDR_STRLEN];
	put(t, "%s/%u", lsoe_fmt_encap_addr(a, type, e), e->prefix_len);
	if (e->flags & LSOE_ENCAP_PRIMARY)
		put(t, " primary");
	for (unsigned l = 0; l < e->nlabels; l++)
		put(t, "%s%u", l ? "," : " label ", lsoe_label_value(e->labels, l));
}

/* "2 pairs (A with B, C with D)" or "0 pairs (none)": what a view holds, then what it should. */
static void put_seen(struct text *t, unsigned type, const struct lsoe_link *p, unsigned k)
{
	put(t, "%u pair%s (", k, k == 1 ? "" : "s");
	for (unsigned e = 0; e < k && e < SHOWN; e++) {
		put(t, "%s", e ? ", " : "");
		put_end(t, type, &p[e].local);
		put(t, " with ");
		put_end(t, type, &p[e].peer);
	}
	put(t, "%s)", k == 0 ? "none" : k > SHOWN ? ", ..." : "");
}

static void put_want(struct text *t, unsigned type, const struct want_pair *p, unsigned k)
{
	put(t, "%u pair%s (", k, k == 1 ? "" : "s");
	for (unsigned e = 0; e < k && e < SHOWN; e++) {
		put(t, "%s", e ? ", " : "");
		put_end(t, type, p[e].local);
		put(t, " with ");
		put_end(t, type, p[e].peer);
	}
	put(t, "%s)", k == 0 ? "none" : k > SHOWN ? ", ..." : "");
}

/* ---- the views the engines report ---- */

struct views {
	struct sim_world *w;
	struct sim_node *n;
	struct lsoe_session_view *end;   /* per link end (link * 2 + side): the session with the other end */
	bool *found;
	struct text *why;
	bool bad;
};

static unsigned pair_total(const struct lsoe_session_view *v, unsigned *type)
{
	for (unsigned j = 0; j < TYPES; j++)
		if (v->link_count[j]) {
			*type = LSOE_PDU_IPV4_ENCAP + j;
			return v->link_count[j];
		}
	return 0;
}

static void collect(void *ctx, const struct lsoe_session_view *v)
{
	struct views *c = ctx;
	if (v->port == 0 || v->port > c->n->nports)
		return;
	long e = sim_view_link_end(c->w, c->n, v);
	if (e >= 0) {
		c->end[e] = *v;
		c->found[e] = true;
		return;
	}
	const struct sim_link_spec *ls = &c->w->sc->links[c->n->ports[v->port].link];
	/* A station that is not the link's other end (a spoofed source) has no link with us. */
	unsigned type = 0, k = pair_total(v, &type);
	if (k && !c->bad) {
		char mac[LSOE_MAC_STRLEN];
		c->bad = true;
		put(c->why, "on %s, %s's %s view of %s, which is not the link's other end, has ", SIM_LINK_NAME(c->w->sc, ls),
		    sim_node_name(c->n), lsoe_pdu_type_name(type), lsoe_fmt_mac(mac, v->peer_mac));
		put_seen(c->why, type, v->links[type - LSOE_PDU_IPV4_ENCAP], k);
		put(c->why, ", want none");
	}
}

/* ---- the check ---- */

static const char *end_state(const struct sim_world *w, int link, int side)
{
	const struct sim_link_spec *ls = &w->sc->links[link];
	if (!w->nodes[side ? ls->b : ls->a].node)
		return "crashed";
	return w->up[link][side] ? "established" : "not established";
}

/* One end of an established link: its view of every type must be the pairs its lists give. */
static bool check_end(struct sim_world *w, int link, int side, const struct lsoe_session_view *v, struct want_pair *buf,
    struct text *why)
{
	const struct sim_link_spec *ls = &w->sc->links[link];
	const struct sim_node *n = &w->nodes[side ? ls->b : ls->a], *peer = &w->nodes[side ? ls->a : ls->b];
	uint32_t port = side ? ls->b_port : ls->a_port, peer_port = side ? ls->a_port : ls->b_port;
	for (unsigned j = 0; j < TYPES; j++) {
		unsigned type = LSOE_PDU_IPV4_ENCAP + j;
		struct lsoe_encap mine[SIM_MAX_ENCAPS], theirs[SIM_MAX_ENCAPS];
		uint8_t mine_labels[SIM_MAX_ENCAPS * 3], their_labels[SIM_MAX_ENCAPS * 3];
		unsigned nm = sim_port_expected(w, n, port, type, mine, mine_labels);
		unsigned nt = sim_port_expected(w, peer, peer_port, type, theirs, their_labels);
		unsigned k = want_pairs(type, mine, nm, theirs, nt, buf);
		bool ok = v->link_count[j] == k;
		for (unsigned e = 0; ok && e < k; e++)
			ok = same_end(type, &v->links[j][e].local, buf[e].local) && same_end(type, &v->links[j][e].peer, buf[e].peer);
		if (ok)
			continue;
		put(why, "on %s, %s's %s view has ", SIM_LINK_NAME(w->sc, ls), sim_node_name(n), lsoe_pdu_type_name(type));
		put_seen(why, type, v->links[j], v->link_count[j]);
		put(why, ", want ");
		put_want(why, type, buf, k);
		if (v->link_count[j] == k)
			put(why, " (the same number, different entries)");
		return false;
	}
	return true;
}

bool sim_links_match(struct sim_world *w, char *why, size_t cap)
{
	const struct sim_scenario *sc = w->sc;
	struct text t = { why, cap, 0 };
	if (cap)
		why[0] = '\0';
	struct views c = { .w = w, .why = &t };
	c.end = calloc(sc->nlinks * 2 + 1, sizeof(*c.end));
	c.found = calloc(sc->nlinks * 2 + 1, sizeof(*c.found));
	/* Every pair one end can expect: each of its entries with each of the other end's. */
	struct want_pair *buf = malloc((size_t)SIM_MAX_ENCAPS * SIM_MAX_ENCAPS * sizeof(*buf));
	if (!c.end || !c.found || !buf) {
		fputs("lsoe-sim: out of memory\n", stderr);
		exit(1);
	}
	for (size_t i = 0; i < sc->nnodes && !c.bad; i++) {
		c.n = &w->nodes[i];
		if (c.n->node)
			lsoe_node_foreach_session(c.n->node, collect, &c);
	}
	bool ok = !c.bad;
	for (size_t i = 0; ok && i < sc->nlinks; i++) {
		const struct sim_link_spec *ls = &sc->links[i];
		bool established = w->up[i][0] && w->up[i][1];
		for (int side = 0; ok && side < 2; side++) {
			const struct lsoe_session_view *v = &c.end[i * 2 + (size_t)side];
			const char *name = sc->nodes[side ? ls->b : ls->a].name, *other = sc->nodes[side ? ls->a : ls->b].name;
			bool found = c.found[i * 2 + (size_t)side];
			if (established && !found) {
				put(&t, "on %s, %s has no session with %s", SIM_LINK_NAME(sc, ls), name, other);
				ok = false;
			} else if (established) {
				ok = check_end(w, (int)i, side, v, buf, &t);
			} else {
				unsigned type = 0, k = found ? pair_total(v, &type) : 0;
				if (k) {
					put(&t, "on %s, %s's %s view has ", SIM_LINK_NAME(sc, ls), name, lsoe_pdu_type_name(type));
					put_seen(&t, type, v->links[type - LSOE_PDU_IPV4_ENCAP], k);
					put(&t, " but the session is not established at both ends (%s: %s, %s: %s): want none",
					    sc->nodes[ls->a].name, end_state(w, (int)i, 0), sc->nodes[ls->b].name,
					    end_state(w, (int)i, 1));
					ok = false;
				}
			}
		}
	}
	free(buf);
	free(c.end);
	free(c.found);
	return ok;
}
