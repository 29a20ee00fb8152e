/*
 * The invariants of a campaign, checked while the world runs:
 *
 *   half_open     no session stays established on one side for longer than that side's
 *                 keepalive receive timeout (plus the link's delay) after the other side
 *                 has closed it (no session at all, or crashed)
 *   encaps_view   every list a node reports for a peer is one that peer announced on
 *                 that link (or empty: a withdrawal)
 *   memory        no node's engine memory exceeds a bound derived from its caps
 *   liveness      after healing, every session is open on both ends within a bound
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invariants.h"
#include "world.h"

#define SEC 1000000000ull
#define TICK SIM_INV_TICK

bool sim_inv_init(struct sim_inv *v, size_t nlinks, size_t nnodes)
{
	memset(v, 0, sizeof(*v));
	v->closed_since = calloc(nlinks * 2 + 1, sizeof(*v->closed_since));
	v->up_since = calloc(nlinks * 2 + 1, sizeof(*v->up_since));
	v->announced = calloc(nlinks * 8 + 1, sizeof(*v->announced));
	v->mem_cap = calloc(nnodes + 1, sizeof(*v->mem_cap));
	return v->closed_since && v->up_since && v->announced && v->mem_cap;
}

void sim_inv_free(struct sim_inv *v, size_t nlinks)
{
	for (size_t i = 0; v->announced && i < nlinks * 8; i++)
		free(v->announced[i].h);
	free(v->announced);
	free(v->closed_since);
	free(v->up_since);
	free(v->mem_cap);
}

static void violate(struct sim_world *w, const char *inv, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void violate(struct sim_world *w, const char *inv, const char *fmt, ...)
{
	struct sim_inv *v = w->inv;
	if (v->violated)
		return; /* the first one is the story */
	v->violated = true;
	snprintf(v->invariant, sizeof(v->invariant), "%s", inv);
	v->when = w->now;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
	va_end(ap);
}

static uint64_t list_hash(unsigned type, const struct lsoe_encap *e, unsigned k)
{
	uint64_t h = 0xcbf29ce484222325ull ^ type;
	unsigned alen = lsoe_encap_addr_len(type);
	for (unsigned i = 0; i < k; i++) {
		uint8_t b[20 + 3 * 255];
		size_t n = 0;
		b[n++] = e[i].flags;
		b[n++] = e[i].prefix_len;
		b[n++] = e[i].nlabels;
		memcpy(b + n, e[i].addr, alen);
		n += alen;
		if (e[i].nlabels) {
			memcpy(b + n, e[i].labels, 3u * e[i].nlabels);
			n += 3u * e[i].nlabels;
		}
		for (size_t j = 0; j < n; j++)
			h = (h ^ b[j]) * 0x100000001b3ull;
		h = (h ^ 0xff) * 0x100000001b3ull; /* entry separator */
	}
	return h;
}

static struct history *history_of(struct sim_world *w, int link, int side, unsigned type)
{
	return &w->inv->announced[((size_t)link * 2 + (size_t)side) * 4 + (type - LSOE_PDU_IPV4_ENCAP)];
}

void sim_inv_announced(struct sim_world *w, struct sim_node *n, uint32_t port, unsigned type, const struct lsoe_encap *e,
    unsigned k)
{
	struct history *hs = history_of(w, n->ports[port].link, n->ports[port].side, type);
	uint64_t h = list_hash(type, e, k);
	for (size_t i = 0; i < hs->n; i++)
		if (hs->h[i] == h)
			return;
	if (hs->n == hs->cap) {
		hs->cap = hs->cap ? hs->cap * 2 : 4;
		hs->h = realloc(hs->h, hs->cap * sizeof(*hs->h));
		if (!hs->h)
			exit(1);
	}
	hs->h[hs->n++] = h;
}

void sim_inv_event(struct sim_world *w, struct sim_node *n, const struct lsoe_event *ev)
{
	if (ev->port == 0 || ev->port > n->nports)
		return;
	const struct sim_port *sp = &n->ports[ev->port];
	/*
	 * A session that came up may be gone again before the next tick (a crash): its
	 * end was not closed all along, and the peer's session may be a new one. Restart
	 * the count from the next tick that sees it closed.
	 */
	if (ev->type == LSOE_EV_SESSION_UP) {
		w->inv->closed_since[(size_t)sp->link * 2 + (size_t)sp->side] = 0;
		w->inv->up_since[(size_t)sp->link * 2 + (size_t)sp->side] = w->now;
	}
	if (ev->type != LSOE_EV_ENCAPS || !ev->encap_count)
		return;
	const struct sim_link_spec *ls = &w->sc->links[sp->link];
	const struct sim_node *peer = &w->nodes[sp->side ? ls->a : ls->b];
	uint32_t peer_port = sp->side ? ls->a_port : ls->b_port;
	uint8_t peer_mac[6];
	sim_port_mac(peer->index, peer_port, peer_mac);
	if (memcmp(ev->peer_mac, peer_mac, 6) != 0)
		return;
	const struct history *hs = history_of(w, sp->link, !sp->side, ev->encap_type);
	uint64_t h = list_hash(ev->encap_type, ev->encaps, ev->encap_count);
	for (size_t i = 0; i < hs->n; i++)
		if (hs->h[i] == h)
			return;
	violate(w, "encaps_view", "%s reports for %s on %s a %s list of %u entries that %s never announced", sim_node_name(n),
	    sim_node_name(peer), SIM_LINK_NAME(w->sc, ls), lsoe_pdu_type_name(ev->encap_type), ev->encap_count, sim_node_name(peer));
}

void sim_inv_tick(struct sim_world *w)
{
	struct sim_inv *v = w->inv;
	for (size_t i = 0; i < w->sc->nlinks; i++) {
		const struct sim_link_spec *ls = &w->sc->links[i];
		for (int side = 0; side < 2; side++) {
			struct sim_node *n = &w->nodes[side ? ls->b : ls->a], *peer = &w->nodes[side ? ls->a : ls->b];
			uint32_t port = side ? ls->b_port : ls->a_port, peer_port = side ? ls->a_port : ls->b_port;
			/* An end established with its peer has a session: only the others are looked up in
			   their engine (at 10k nodes, 180k lookups per tick were most of a campaign's time). */
			bool closed = false;
			if (!w->up[i][side]) {
				uint8_t peer_mac[6];
				sim_port_mac(peer->index, peer_port, peer_mac);
				closed = !n->node || !lsoe_node_has_session(n->node, port, peer_mac);
			}
			uint64_t *since = &v->closed_since[i * 2 + (size_t)side];
			if (!closed)
				*since = 0;
			else if (!*since)
				*since = w->now;
			/* The other end, established, must notice within its timeout (+ the link's delay, + a tick). */
			if (!closed || !w->up[i][!side] || !peer->node)
				continue;
			uint64_t timeout = peer->cfg->keepalive_receive_timeout;
			if (!timeout)
				continue; /* "never": the operator asked for it */
			const struct sim_dir *d = sim_link_dir(w->sc, ls, side ? 0 : 1);
			uint64_t bound = timeout + d->delay + d->jitter + d->reorder_delay + 10 * d->delay + 1000000u + 2 * TICK;
			/* A session that came up after the other end closed is a new one: count from then. */
			uint64_t from = *since;
			if (v->up_since[i * 2 + (size_t)!side] > from)
				from = v->up_since[i * 2 + (size_t)!side];
			if (w->now - from > bound)
				violate(w, "half_open", "%s keeps the session on %s established %.3f s after %s closed it "
				    "(receive timeout %.3f s)", sim_node_name(peer), SIM_LINK_NAME(w->sc, ls), (double)(w->now - from) / 1e9,
				    sim_node_name(n), (double)timeout / 1e9);
		}
	}
	for (size_t i = 0; i < w->sc->nnodes; i++)
		if (w->nodes[i].mem_bytes > v->mem_cap[i])
			violate(w, "memory", "%s holds %zu bytes, above its bound of %zu", sim_node_name(&w->nodes[i]),
			    w->nodes[i].mem_bytes, v->mem_cap[i]);
	if (w->now + TICK <= w->end)
		sim_push(w, w->now + TICK, QE_INV, 0, 0, NULL);
}

void sim_inv_heal(struct sim_world *w)
{
	const struct sim_scenario *base = w->inv_base;
	w->dirs = base->dirs; /* the scenario's own, fault-free properties (its links are the same) */
	for (size_t i = 0; i < w->sc->nlinks; i++) {
		struct sim_link *l = &w->links[i];
		l->cut = false;
		l->partitioned = false;
		if (!l->carrier)
			sim_link_carrier(w, (int)i, true);
	}
	for (size_t i = 0; i < w->sc->nnodes; i++)
		if (!w->nodes[i].node)
			sim_node_start(w, &w->nodes[i]);
	sim_push(w, w->inv->live_by, QE_LIVE, 0, 0, NULL);
}

void sim_inv_live(struct sim_world *w)
{
	for (size_t i = 0; i < w->sc->nlinks; i++)
		if (!(w->up[i][0] && w->up[i][1])) {
			violate(w, "liveness", "%zu s after healing, the session on %s is not open on both ends",
			    (size_t)((w->now - w->inv->heal_at) / SEC), SIM_LINK_NAME(w->sc, &w->sc->links[i]));
			return;
		}
}

