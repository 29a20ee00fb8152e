/* Scheduled events, random fault processes, drop rules and MAC floods. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lsoe/wire.h"
#include "world.h"

void sim_faults_schedule(struct sim_world *w)
{
	const struct sim_scenario *sc = w->sc;
	for (size_t i = 0; i < sc->nevents; i++)
		sim_push(w, sc->events[i].at, QE_SCHED, (uint32_t)i, 0, NULL);
	for (size_t i = 0; i < sc->nprocs; i++) {
		const struct sim_process_spec *p = &sc->procs[i];
		/* Each target starts up; its first failure comes after an exponential wait from `from`. */
		for (size_t t = 0; t < p->ntargets; t++)
			sim_push(w, p->from + sim_rng_exp(&w->proc_rng, p->mean_up), QE_PROC, (uint32_t)i, (uint32_t)t, NULL);
	}
}

static void set_addresses(struct sim_world *w, const struct sim_event_spec *e, bool add)
{
	struct sim_node *n = &w->nodes[e->node];
	struct sim_addrlist *al = sim_port_own_addrs(w, n, e->port);
	unsigned alen = e->addr.family == 4 ? 4 : 16;
	/* An address is one entry whatever its prefix length. */
	for (unsigned i = 0; i < al->n; i++)
		if (al->a[i].family == e->addr.family && memcmp(al->a[i].addr, e->addr.addr, alen) == 0) {
			if (add)
				return; /* already there */
			al->a[i] = al->a[--al->n];
			sim_port_announce(w, n, e->port);
			return;
		}
	if (!add || al->n >= SIM_MAX_ADDRS)
		return;
	if (al->n == al->cap) {
		unsigned cap = al->cap ? al->cap * 2 : 4;
		struct sim_addr *v = realloc(al->a, cap * sizeof(*v));
		if (!v)
			exit(1);
		al->a = v;
		al->cap = cap;
	}
	al->a[al->n++] = e->addr;
	sim_port_announce(w, n, e->port);
}

static void apply_config(struct sim_world *w, struct sim_node *n, const struct sim_event_spec *e)
{
	char why[256];
	if (!n->own_cfg) { /* copy on write: the shared one stays the others' */
		struct lsoe_config *own = malloc(sizeof(*own));
		if (!own) {
			fputs("lsoe-sim: out of memory\n", stderr);
			exit(1);
		}
		sim_node_config_now(n, own);
		n->cfg = n->own_cfg = own;
	}
	for (size_t k = 0; k < e->nset; k++)
		lsoe_config_set(n->own_cfg, e->set[k].key, e->set[k].value, why, sizeof(why)); /* validated when parsed */
	sim_node_ethertype_set(w, n);
	if (n->node) {
		lsoe_node_reconfigure(n->node, n->cfg);
		sim_node_kick(w, n);
	}
}

static bool in_set(const int *set, size_t n, int x)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == x)
			return true;
	return false;
}

void sim_sched_event(struct sim_world *w, uint32_t index)
{
	const struct sim_event_spec *e = &w->sc->events[index];
	switch (e->kind) {
	case SE_LINK_DOWN:
	case SE_LINK_UP:
		sim_link_carrier(w, e->link, e->kind == SE_LINK_UP);
		break;
	case SE_LINK_CUT:
	case SE_LINK_HEAL:
		w->links[e->link].cut = e->kind == SE_LINK_CUT;
		break;
	case SE_CRASH:
		sim_node_crash(w, &w->nodes[e->node]);
		if (e->restart_after)
			sim_push(w, w->now + e->restart_after, QE_RESTART, (uint32_t)e->node, 0, NULL);
		break;
	case SE_RESTART:
		if (!w->nodes[e->node].node)
			sim_node_start(w, &w->nodes[e->node]);
		break;
	case SE_ADDRESS_ADD:
	case SE_ADDRESS_REMOVE:
		set_addresses(w, e, e->kind == SE_ADDRESS_ADD);
		break;
	case SE_CONFIG:
		for (size_t i = 0; i < w->sc->nnodes; i++)
			if (e->node == -2 || e->node == (int)i)
				apply_config(w, &w->nodes[i], e);
		break;
	case SE_PARTITION:
		for (size_t i = 0; i < w->sc->nlinks; i++) {
			const struct sim_link_spec *ls = &w->sc->links[i];
			if (in_set(e->nodes, e->nnodes, ls->a) != in_set(e->nodes, e->nnodes, ls->b))
				w->links[i].partitioned = true;
		}
		break;
	case SE_HEAL:
		for (size_t i = 0; i < w->sc->nlinks; i++)
			w->links[i].partitioned = false;
		break;
	case SE_DROP: {
		struct drop_rule *r = realloc(w->drops, (w->ndrops + 1) * sizeof(*r));
		if (!r)
			exit(1);
		w->drops = r;
		w->drops[w->ndrops++] = (struct drop_rule){ e->link, e->dir, e->pdu, e->ack_of, e->until };
		break;
	}
	case SE_MAC_FLOOD:
		sim_flood_event(w, index, 0);
		break;
	}
}

bool sim_drop_matches(const struct sim_world *w, int link, int dir, const uint8_t *dgram, size_t len)
{
	if (!w->ndrops || len < LSOE_DGRAM_HDR_LEN + 1 || (dgram[1] & LSOE_DGRAM_NUM_MAX) != 0)
		return false;
	uint8_t type = dgram[LSOE_DGRAM_HDR_LEN];
	int ack_of = len > LSOE_DGRAM_HDR_LEN + 3 ? dgram[LSOE_DGRAM_HDR_LEN + 3] : -1;
	for (size_t i = 0; i < w->ndrops; i++) {
		const struct drop_rule *r = &w->drops[i];
		if (r->link == link && (r->dir == 2 || r->dir == dir) && r->pdu == type && w->now < r->until &&
		    (type != LSOE_PDU_ACK || r->ack_of < 0 || r->ack_of == ack_of))
			return true;
	}
	return false;
}

void sim_proc_event(struct sim_world *w, uint32_t proc, uint32_t target)
{
	const struct sim_process_spec *p = &w->sc->procs[proc];
	int t = p->targets[target];
	bool down;
	if (p->kind == SP_FLAP) {
		down = w->links[t].carrier;
		if (!down || w->now < p->until)
			sim_link_carrier(w, t, !down);
	} else {
		down = w->nodes[t].node != NULL;
		if (down && w->now < p->until)
			sim_node_crash(w, &w->nodes[t]);
		else if (!down)
			sim_node_start(w, &w->nodes[t]);
	}
	/* After `until` only repairs happen: everything ends up, for the liveness checks. */
	if (down && w->now >= p->until)
		return;
	/* Just failed: schedule the repair, always. Just repaired: the next failure, if still in the window. */
	uint64_t next = w->now + sim_rng_exp(&w->proc_rng, down ? p->mean_down : p->mean_up);
	if (down || next < p->until)
		sim_push(w, next, QE_PROC, proc, target, NULL);
}

/* A flood: `sources` spoofed MACs, one frame each, at `rate` frames per second. */
void sim_flood_event(struct sim_world *w, uint32_t index, uint32_t next)
{
	const struct sim_event_spec *e = &w->sc->events[index];
	if (next >= e->sources)
		return;
	uint8_t src[6] = { 0x02, 0xfe, (uint8_t)(next >> 24), (uint8_t)(next >> 16), (uint8_t)(next >> 8), (uint8_t)next };
	static const uint8_t dst[6] = LSOE_MAC_NEAREST_BRIDGE;
	uint8_t d[LSOE_DGRAM_HDR_LEN + 64];
	size_t len;
	if (e->pdu == LSOE_PDU_HELLO) {
		d[8] = LSOE_PDU_HELLO;
		d[9] = 0;
		d[10] = 3;
		len = lsoe_dgram_seal(d, 0, true, 3);
	} else {
		/* The first datagram of a PDU claiming 65535 octets: reassembly must hold it within bounds. */
		memset(d + 8, 0, 64);
		d[8] = LSOE_PDU_IPV6_ENCAP;
		d[9] = 0xFF;
		d[10] = 0xFF;
		len = lsoe_dgram_seal(d, 0, false, 64);
	}
	w->st.frames_injected++;
	sim_inject(w, e->node, e->port, src, dst, d, len);
	uint64_t gap = e->rate ? 1000000000ull / e->rate : 0;
	sim_push(w, w->now + gap, QE_FLOOD, index, next + 1, NULL);
}
