/*
 * The simulated world: each node's platform, links and their faults, frame
 * delivery, pcap recording and the run loop (its event queue: equeue.c).
 */
#include "world.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json_event.h"
#include "lsoe/wire.h"

enum { RNG_NODE = 1, RNG_LINK = 2, RNG_PROC = 3 };

void sim_push(struct sim_world *w, uint64_t time, uint32_t kind, uint32_t a, uint32_t b, void *p)
{
	/* Checks see the world after everything else that happens at their time. */
	uint64_t seq = kind == QE_CHECK ? (UINT64_MAX >> 8) - a : w->seq++;
	union qpayload u;
	if (p)
		u.p = p;
	else {
		u.ab.a = a;
		u.ab.b = b;
	}
	equeue_push(&w->q, time, seq << 8 | kind, u);
}

/* ---- a node's platform ---- */

static uint64_t pf_now(void *ctx)
{
	return ((struct sim_node *)ctx)->w->now;
}

static void pf_random(void *ctx, void *buf, size_t n)
{
	struct sim_node *sn = ctx;
	uint8_t *p = buf;
	while (n) {
		uint64_t v = sim_rng_next(&sn->rng);
		for (int i = 0; i < 8 && n; i++, n--)
			*p++ = (uint8_t)(v >> (8 * i));
	}
}

static void *pf_alloc(void *ctx, size_t size)
{
	struct sim_node *sn = ctx;
	void *p = sim_slab_alloc(sn->w->slab, size);
	if (p) {
		sn->mem_bytes += size;
		if (sn->mem_bytes > sn->mem_peak)
			sn->mem_peak = sn->mem_bytes;
	}
	return p;
}

static void pf_free(void *ctx, void *p, size_t size)
{
	struct sim_node *sn = ctx;
	if (p) {
		sn->mem_bytes -= size;
		sim_slab_free(sn->w->slab, p, size);
	}
}

static void pf_log(void *ctx, enum lsoe_log_level level, const char *subsystem, const char *msg)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	struct sim_node *sn = ctx;
	fprintf(stderr, "%llu.%09llu %s %s %s: %s\n", (unsigned long long)(sn->w->now / 1000000000u),
	    (unsigned long long)(sn->w->now % 1000000000u), sim_node_name(sn), names[level], subsystem, msg);
}

static void pf_event(void *ctx, const struct lsoe_event *ev)
{
	struct sim_node *sn = ctx;
	if (sn->w->opts.events_out) {
		size_t len;
		char *line = lsoe_json_event_line(sim_node_name(sn), ev, &len);
		if (line) {
			fwrite(line, 1, len, sn->w->opts.events_out);
			free(line);
		}
	}
	sim_session_event(sn->w, sn, ev);
	if (sn->w->inv)
		sim_inv_event(sn->w, sn, ev);
}

static void record_sent(struct sim_node *sn, const uint8_t *dgram, size_t len)
{
	if (len < LSOE_DGRAM_HDR_LEN + 1 || (dgram[1] & LSOE_DGRAM_NUM_MAX) != 0)
		return; /* only the first datagram of a PDU names its type */
	struct sim_sent *s = sn->sent;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->times = realloc(s->times, s->cap * sizeof(*s->times));
		s->types = realloc(s->types, s->cap);
		s->ack_of = realloc(s->ack_of, s->cap);
		if (!s->times || !s->types || !s->ack_of) {
			fputs("lsoe-sim: out of memory\n", stderr);
			exit(1);
		}
	}
	s->times[s->n] = sn->w->now;
	s->types[s->n] = dgram[LSOE_DGRAM_HDR_LEN];
	s->ack_of[s->n] = len > LSOE_DGRAM_HDR_LEN + 3 ? dgram[LSOE_DGRAM_HDR_LEN + 3] : 0;
	s->n++;
}

#define MIN_PAYLOAD (LSOE_ETH_MIN_FRAME - LSOE_ETH_HDR_LEN)
_Static_assert(_Alignof(struct sim_frame) <= 4 && sizeof(struct sim_frame) <= 12, "the frame pool aligns to 4");
_Static_assert(sizeof(struct sim_link) == 128 && offsetof(struct sim_link, end_node) == 64,
    "a link is a line for sending and a line for delivery");

static const uint8_t group_mac[6] = LSOE_MAC_NEAREST_BRIDGE;

/* Octets a frame takes: its data, and its destination when it is none of the two a flag says. */
static size_t frame_size(size_t len, unsigned to) { return sizeof(struct sim_frame) + len + (to == SIM_TO_OTHER ? 6 : 0); }

static struct sim_frame *frame_new(struct sim_world *w, size_t len, unsigned to)
{
	struct sim_frame *f = sim_slab_reuse(w->slab, frame_size(len, to));
	bool in_slab = f != NULL;
	if (!f && !(f = sim_fpool_alloc(w->frames, frame_size(len, to)))) {
		fputs("lsoe-sim: out of memory (frames)\n", stderr);
		exit(1);
	}
	f->in_slab = in_slab;
	f->to = to & 3;
	return f;
}

static void frame_free(struct sim_world *w, struct sim_frame *f)
{
	if (f->in_slab)
		sim_slab_free(w->slab, f, frame_size(f->len, f->to));
	else
		sim_fpool_free(w->frames, f, frame_size(f->len, f->to));
}

/* Where a frame goes: the receiving port's MAC (at the link's other end), the HELLO group, or its own. */
static void frame_dst(const struct sim_world *w, const struct sim_frame *f, uint8_t dst[6])
{
	const struct sim_link *l = &w->links[f->link];
	if (f->to == SIM_TO_PORT)
		sim_port_mac(l->end_node[!f->dir], l->end_port[!f->dir], dst);
	else
		memcpy(dst, f->to == SIM_TO_GROUP ? group_mac : f->data + f->len, 6);
}

static bool link_passes(const struct sim_link *l)
{
	return l->carrier && !l->cut && !l->partitioned;
}

/* The engine will send on port soon (a hint): the link's two lines, which sending reads and writes. */
static void pf_prefetch_send(void *ctx, uint32_t port)
{
	const struct sim_node *sn = ctx;
	if (port == 0 || port > sn->nports)
		return;
	const struct sim_link *l = &sn->w->links[sn->ports[port].link];
	__builtin_prefetch(l, 1);
	__builtin_prefetch(&l->end_node, 1);
}

static void pf_send(void *ctx, uint32_t port, const uint8_t dst[6], const uint8_t *dgram, size_t len)
{
	struct sim_node *sn = ctx;
	struct sim_world *w = sn->w;
	w->st.frames++;
	if (sn->sent)
		record_sent(sn, dgram, len);
	if (port == 0 || port > sn->nports)
		return;
	if (len > LSOE_DGRAM_MAX_LEN) { /* no engine sends one: a frame cannot carry it */
		w->st.frames_lost++;
		return;
	}
	const struct sim_port *sp = &sn->ports[port];
	int link = sp->link, dir = sp->side;
	struct sim_link *l = &w->links[link];
	const struct sim_dir *d = &w->dirs[l->dir[dir]];
	if (!link_passes(l) || sim_drop_matches(w, link, dir, dgram, len) || sim_rng_chance(&l->rng, d->loss)) {
		w->st.frames_lost++;
		return;
	}
	int copies = 1;
	if (sim_rng_chance(&l->rng, d->duplicate)) {
		copies = 2;
		w->st.frames_duplicated++;
	}
	/* Where it goes, as a frame says it (SIM_TO_*); one to either of the first two can travel in the link. */
	unsigned to = sim_is_port_mac(dst, l->end_node[!dir], l->end_port[!dir]) ? SIM_TO_PORT
	    : memcmp(dst, group_mac, 6) == 0                                 ? SIM_TO_GROUP
	                                                                     : SIM_TO_OTHER;
	bool short_dst = len && len <= SIM_LINK_FRAME_MAX && to != SIM_TO_OTHER;
	for (int c = 0; c < copies; c++) {
		/* A short frame travels in the link if its direction's slot is free, else in a frame of its own. */
		struct sim_link_frame *s = &l->inflight[dir];
		bool in_link = short_dst && !s->len;
		struct sim_frame *f = NULL;
		uint8_t *data;
		if (in_link) {
			s->len = (uint8_t)len;
			s->flags = (uint8_t)(to << 1);
			s->ethertype = sn->ethertype;
			memcpy(s->data, dgram, len);
			data = s->data;
		} else {
			f = frame_new(w, len, to);
			f->link = (uint32_t)link;
			f->dir = dir & 1;
			f->ethertype = sn->ethertype;
			f->len = (uint16_t)len;
			memcpy(f->data, dgram, len);
			if (to == SIM_TO_OTHER)
				memcpy(f->data + len, dst, 6);
			data = f->data;
		}
		bool corrupt = sim_rng_chance(&l->rng, d->corrupt);
		if (in_link)
			s->flags |= corrupt ? SIM_LINK_CORRUPTED : 0;
		else
			f->corrupted = corrupt;
		if (corrupt) {
			uint64_t bit = sim_rng_below(&l->rng, (uint64_t)len * 8);
			data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		uint64_t at = w->now + d->delay;
		if (d->jitter)
			at += sim_rng_below(&l->rng, d->jitter);
		/* A cable is FIFO: jitter varies the delay but never lets a frame overtake an earlier one. */
		if (at < l->last_arrival[dir])
			at = l->last_arrival[dir];
		l->last_arrival[dir] = at;
		/* Reordering is a fault of its own: the frame is held back and others overtake it. */
		if (sim_rng_chance(&l->rng, d->reorder)) {
			at += d->reorder_delay ? d->reorder_delay : 10 * d->delay + 1000000u;
			w->st.frames_reordered++;
		}
		if (in_link)
			sim_push(w, at, QE_LINK_FRAME, (uint32_t)link, (uint32_t)dir, NULL);
		else
			sim_push(w, at, QE_FRAME, 0, 0, f);
	}
}

/* ---- nodes ---- */

/* Node i's wake-up at its engine's next deadline (sim_node_kick), from its w->hot entry only. */
static void kick(struct sim_world *w, uint32_t i)
{
	struct sim_hot *h = &w->hot[i];
	uint64_t d = h->node ? lsoe_node_next_deadline(h->node) : LSOE_NEVER;
	/*
	 * A deadline already past (a reconfiguration can leave one) is due now. Clamp it
	 * before it is remembered: the wake-up is recognised by its time, and one queued
	 * at now but remembered at the past deadline would be taken as stale and lost.
	 */
	if (d != LSOE_NEVER && d < w->now)
		d = w->now;
	if (d == h->wake_at)
		return;
	h->wake_at = d; /* any earlier queued wake-up is now stale */
	if (d != LSOE_NEVER)
		sim_push(w, d, QE_WAKE, i, 0, NULL);
}

void sim_node_kick(struct sim_world *w, struct sim_node *n)
{
	kick(w, (uint32_t)n->index);
}

void sim_node_ethertype_set(struct sim_world *w, struct sim_node *n)
{
	n->ethertype = n->cfg->ethertype;
	if (n->ethertype != w->ethertype)
		w->ethertype_mixed = true; /* for good: a rare configuration, and the general way is right for any */
}

/* Appends the entries of a[0..na) of type's family to out[*k..), at most SIM_MAX_ENCAPS in all. */
static void encaps_of(const struct sim_node *n, unsigned type, const struct sim_addr *a, unsigned na,
    struct lsoe_encap *out, uint8_t *labels, unsigned *k)
{
	unsigned family = lsoe_encap_addr_len(type) == 4 ? 4 : 6;
	for (unsigned i = 0; i < na && *k < SIM_MAX_ENCAPS; i++) {
		if (a[i].family != family)
			continue;
		struct lsoe_encap *e = &out[*k];
		memset(e, 0, sizeof(*e));
		e->flags = (uint8_t)((a[i].primary ? LSOE_ENCAP_PRIMARY : 0) | (a[i].loopback ? LSOE_ENCAP_LOOPBACK : 0));
		e->prefix_len = a[i].prefix_len;
		memcpy(e->addr, a[i].addr, family == 4 ? 4 : 16);
		if (lsoe_encap_is_mpls(type)) {
			e->nlabels = 1;
			e->labels = labels + 3 * *k;
			lsoe_label_put(labels, *k, 16000u + (uint32_t)n->index, 0, true);
		}
		(*k)++;
	}
}

/* The entries one port announces for one type, as lsoe_node_set_encaps takes them: the
   port's own addresses, then the node's loopbacks. */
static unsigned port_encaps(const struct sim_node *n, uint32_t port, unsigned type, struct lsoe_encap *out,
    uint8_t *labels)
{
	struct sim_addr buf[2];
	unsigned na;
	const struct sim_addr *a = sim_port_addrs(n->w, n, port, buf, &na);
	const struct sim_node_spec *spec = &n->w->sc->nodes[n->index];
	unsigned k = 0;
	encaps_of(n, type, a, na, out, labels, &k);
	encaps_of(n, type, spec->loopbacks, spec->nloopbacks, out, labels, &k);
	return k;
}

const struct sim_addr *sim_port_addrs(const struct sim_world *w, const struct sim_node *n, uint32_t port,
    struct sim_addr buf[2], unsigned *na)
{
	const struct sim_port *sp = &n->ports[port];
	if (n->own_addrs && n->own_addrs[port]) {
		*na = n->own_addrs[port]->n;
		return n->own_addrs[port]->a;
	}
	return sim_link_addrs(w->sc, sp->link, sp->side, buf, na);
}

struct sim_addrlist *sim_port_own_addrs(struct sim_world *w, struct sim_node *n, uint32_t port)
{
	if (n->own_addrs && n->own_addrs[port])
		return n->own_addrs[port];
	const struct sim_port *sp = &n->ports[port];
	struct sim_addr buf[2];
	unsigned na;
	const struct sim_addr *a = sim_link_addrs(w->sc, sp->link, sp->side, buf, &na);
	if (!n->own_addrs && !(n->own_addrs = calloc(n->nports + 1, sizeof(*n->own_addrs)))) {
		fputs("lsoe-sim: out of memory\n", stderr);
		exit(1);
	}
	struct sim_addrlist *al = calloc(1, sizeof(*al));
	if (al && na && !(al->a = malloc(na * sizeof(*a)))) {
		free(al);
		al = NULL;
	}
	if (!al) {
		fputs("lsoe-sim: out of memory\n", stderr);
		exit(1);
	}
	if (na)
		memcpy(al->a, a, na * sizeof(*a));
	al->n = al->cap = na;
	return n->own_addrs[port] = al;
}

void sim_port_announce(struct sim_world *w, struct sim_node *n, uint32_t port)
{
	if (!n->node || !w->sc->addresses)
		return;
	for (unsigned type = LSOE_PDU_IPV4_ENCAP; type <= LSOE_PDU_MPLS_IPV6_ENCAP; type++) {
		if (lsoe_encap_is_mpls(type) && !w->sc->mpls)
			continue;
		struct lsoe_encap e[SIM_MAX_ENCAPS];
		uint8_t labels[SIM_MAX_ENCAPS * 3];
		unsigned k = port_encaps(n, port, type, e, labels);
		if (w->inv)
			sim_inv_announced(w, n, port, type, e, k);
		lsoe_node_set_encaps(n->node, port, type, e, (uint16_t)k);
	}
	sim_node_kick(w, n);
}

unsigned sim_port_expected(const struct sim_world *w, const struct sim_node *n, uint32_t port, unsigned type,
    struct lsoe_encap *out, uint8_t *labels)
{
	if (!w->sc->addresses || (lsoe_encap_is_mpls(type) && !w->sc->mpls))
		return 0;
	return port_encaps(n, port, type, out, labels);
}

long sim_view_link_end(const struct sim_world *w, const struct sim_node *n, const struct lsoe_session_view *v)
{
	if (v->port == 0 || v->port > n->nports)
		return -1;
	const struct sim_port *sp = &n->ports[v->port];
	const struct sim_link_spec *ls = &w->sc->links[sp->link];
	uint8_t peer_mac[6];
	sim_port_mac(sp->side ? ls->a : ls->b, sp->side ? ls->a_port : ls->b_port, peer_mac);
	if (memcmp(v->peer_mac, peer_mac, 6) != 0)
		return -1;
	return (long)sp->link * 2 + sp->side;
}

void sim_node_config_now(const struct sim_node *n, struct lsoe_config *out)
{
	*out = *n->cfg;
	if (!n->own_cfg)
		sim_config_complete(n->w->sc, (size_t)n->index, out);
}

void sim_node_local_id(const struct sim_node *n, uint8_t out[LSOE_LOCAL_ID_LEN])
{
	if (n->own_cfg || n->cfg->local_id_set)
		memcpy(out, n->cfg->local_id, LSOE_LOCAL_ID_LEN);
	else
		sim_default_local_id((size_t)n->index, out);
}

void sim_node_start(struct sim_world *w, struct sim_node *n)
{
	static const char *const levels[] = { "error", "warning", "info", "debug" };
	struct lsoe_config cfg;
	sim_node_config_now(n, &cfg);
	sim_node_ethertype_set(w, n);
	if (w->opts.log_level >= 0)
		snprintf(cfg.log_level, sizeof(cfg.log_level), "%s", levels[w->opts.log_level]);
	/* The engine keeps its own copy. */
	struct lsoe_platform pf = { .ctx = n, .now_ns = pf_now, .send = pf_send, .random = pf_random,
		.alloc = pf_alloc, .free = pf_free, .log = w->opts.log_level >= 0 ? pf_log : NULL, .event = pf_event,
		.prefetch_send = pf_prefetch_send, .clock = &w->now };
	w->hot[n->index].node = n->node = lsoe_node_create(&cfg, &pf);
	if (!n->node) {
		fprintf(stderr, "lsoe-sim: node %s: cannot create its engine\n", sim_node_name(n));
		exit(1);
	}
	for (uint32_t p = 1; p <= n->nports; p++) {
		/* "eth" and p in decimal, without snprintf: once per port at every start */
		char name[16] = "eth", digits[10];
		int nd = 0;
		for (uint32_t v = p; v; v /= 10)
			digits[nd++] = (char)('0' + v % 10);
		for (int i = 0; i < nd; i++)
			name[3 + i] = digits[nd - 1 - i];
		name[3 + nd] = '\0';
		uint8_t mac[6];
		sim_port_mac(n->index, p, mac);
		bool up = w->links[n->ports[p].link].carrier;
		lsoe_node_port_add(n->node, p, name, mac, up ? LSOE_PORT_UP : 0);
		sim_port_announce(w, n, p);
	}
	sim_node_kick(w, n);
}

void sim_node_counters(const struct sim_node *n, struct lsoe_counters *out)
{
	if (n->dead)
		*out = *n->dead;
	else
		memset(out, 0, sizeof(*out));
	if (!n->node)
		return;
	struct lsoe_counters c;
	lsoe_node_counters_get(n->node, &c);
	uint64_t *o = (uint64_t *)out;
	const uint64_t *i = (const uint64_t *)&c;
	for (size_t k = 0; k < sizeof(*out) / sizeof(uint64_t); k++)
		o[k] += i[k];
}

void sim_node_crash(struct sim_world *w, struct sim_node *n)
{
	if (!n->node)
		return;
	if (!n->dead && !(n->dead = calloc(1, sizeof(*n->dead)))) {
		fputs("lsoe-sim: out of memory\n", stderr);
		exit(1);
	}
	sim_node_counters(n, n->dead);
	lsoe_node_destroy(n->node); /* no events: a crashed node says nothing */
	w->hot[n->index].node = n->node = NULL;
	n->crashes++;
	w->hot[n->index].wake_at = LSOE_NEVER;
	for (uint32_t p = 1; p <= n->nports; p++)
		w->up[n->ports[p].link][n->ports[p].side] = false;
}

void sim_link_carrier(struct sim_world *w, int link, bool up)
{
	const struct sim_link_spec *ls = &w->sc->links[link];
	w->links[link].carrier = up;
	for (int side = 0; side < 2; side++) {
		struct sim_node *n = &w->nodes[side ? ls->b : ls->a];
		if (n->node) {
			lsoe_node_port_set_up(n->node, side ? ls->b_port : ls->a_port, up);
			sim_node_kick(w, n);
		}
	}
}

uint32_t sim_sessions_open(const struct sim_world *w)
{
	uint32_t k = 0;
	for (size_t i = 0; i < w->sc->nlinks; i++)
		k += w->up[i][0] && w->up[i][1];
	return k;
}

/* ---- delivery ---- */

static void pcap_write(struct sim_world *w, const struct sim_frame *f, const uint8_t src[6], const uint8_t dst[6])
{
	pcap_dumper_t *d = w->pcaps ? w->pcaps[f->link] : NULL;
	if (!d)
		return;
	size_t len = LSOE_ETH_HDR_LEN + f->len;
	size_t wire = len < LSOE_ETH_MIN_FRAME ? LSOE_ETH_MIN_FRAME : len; /* as on the wire: padded */
	lsoe_eth_encode_header(w->frame_buf, dst, src, f->ethertype);
	memcpy(w->frame_buf + LSOE_ETH_HDR_LEN, f->data, f->len);
	memset(w->frame_buf + len, 0, wire - len);
	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)(w->now / 1000000000u);
	h.ts.tv_usec = (suseconds_t)(w->now % 1000000000u); /* nanoseconds: the file is nanosecond-precision */
	h.caplen = h.len = (bpf_u_int32)wire;
	pcap_dump((u_char *)d, &h, w->frame_buf);
}

void sim_inject(struct sim_world *w, int node, uint32_t port, const uint8_t src[6], const uint8_t dst[6],
    const uint8_t *data, size_t len)
{
	struct sim_node *n = &w->nodes[node];
	if (!n->node)
		return;
	/* As a NIC delivers it: a short frame arrives padded to the Ethernet minimum. */
	uint8_t pad[LSOE_ETH_MIN_FRAME - LSOE_ETH_HDR_LEN];
	if (len < sizeof(pad)) {
		memset(pad, 0, sizeof(pad));
		memcpy(pad, data, len);
		data = pad;
		len = sizeof(pad);
	}
	lsoe_node_input(n->node, port, src, dst, data, len);
	sim_node_kick(w, n);
}

static void deliver(struct sim_world *w, struct sim_frame *f)
{
	const struct sim_link *l = &w->links[f->link];
	unsigned to = !f->dir, from = f->dir; /* ends: 0 is a, 1 is b */
	uint32_t ni = (uint32_t)l->end_node[to];
	struct lsoe_node *node = w->hot[ni].node; /* the receiver's sim_node is not read */
	/* Lost in flight: the cable went down or was cut while the frame travelled. */
	if (!link_passes(l)) {
		w->st.frames_lost++;
		return;
	}
	/* A node bound to another EtherType never sees the frame. */
	if (!node || f->ethertype != sim_node_ethertype(w, ni))
		return;
	w->st.delivered++;
	w->st.frames_corrupted += f->corrupted;
	uint8_t src[6]; /* the sender's port, at the link's other end */
	sim_port_mac(l->end_node[from], l->end_port[from], src);
	uint8_t dst[6];
	frame_dst(w, f, dst);
	pcap_write(w, f, src, dst);
	/* As a NIC delivers it: a short frame arrives padded to the Ethernet minimum. */
	const uint8_t *data = f->data;
	size_t len = f->len;
	uint8_t pad[MIN_PAYLOAD];
	if (len < MIN_PAYLOAD) {
		memset(pad, 0, sizeof(pad));
		/* Short and of a few lengths: copied in 8-octet words, the last one overlapping (no library call). */
		size_t i = 0;
		if (len >= 8) {
			for (; i + 8 <= len; i += 8)
				memcpy(pad + i, data + i, 8);
			memcpy(pad + len - 8, data + len - 8, 8);
		} else {
			for (; i < len; i++)
				pad[i] = data[i];
		}
		data = pad;
		len = MIN_PAYLOAD;
	}
	lsoe_node_input(node, l->end_port[to], src, dst, data, len);
	kick(w, ni);
}

/* A short frame from its link's slot, freed first: delivery may send on the link again. */
static void deliver_from_link(struct sim_world *w, uint32_t link, unsigned dir)
{
	struct sim_link_frame *s = &w->links[link].inflight[dir];
	_Alignas(struct sim_frame) uint8_t buf[sizeof(struct sim_frame) + SIM_LINK_FRAME_MAX];
	struct sim_frame *f = (struct sim_frame *)(void *)buf;
	f->link = link;
	f->len = s->len;
	f->ethertype = s->ethertype;
	f->to = (s->flags >> 1) & 3u;
	f->dir = dir & 1;
	f->corrupted = s->flags & SIM_LINK_CORRUPTED;
	f->in_slab = 0;
	memcpy(f->data, s->data, SIM_LINK_FRAME_MAX);
	s->len = 0;
	deliver(w, f);
}

/* ---- setup and the loop ---- */

static bool open_pcaps(struct sim_world *w, char *err, size_t cap)
{
	const char *dir = w->opts.pcap_dir;
	char path[4096];
	/* mkdir -p */
	snprintf(path, sizeof(path), "%s", dir);
	for (char *s = path + 1;; s++) {
		char c = *s;
		if (c == '/' || c == '\0') {
			*s = '\0';
			if (mkdir(path, 0777) != 0 && errno != EEXIST) {
				snprintf(err, cap, "%s: %s", path, strerror(errno));
				return false;
			}
			*s = c;
		}
		if (c == '\0')
			break;
	}
	w->pcaps = calloc(w->sc->nlinks ? w->sc->nlinks : 1, sizeof(*w->pcaps));
	if (!w->pcaps) {
		snprintf(err, cap, "out of memory");
		return false;
	}
	for (size_t i = 0; i < w->sc->nlinks; i++) {
		snprintf(path, sizeof(path), "%s/%s.pcap", dir, SIM_LINK_NAME(w->sc, &w->sc->links[i]));
		pcap_t *p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
		pcap_dumper_t *d = p ? pcap_dump_open(p, path) : NULL;
		if (!d) {
			snprintf(err, cap, "%s: %s", path, p ? pcap_geterr(p) : "cannot open");
			if (p)
				pcap_close(p);
			return false;
		}
		pcap_close(p); /* the dumper keeps what it needs */
		w->pcaps[i] = d;
	}
	return true;
}

/* From this many links (1k nodes: 4k links, 2 MB of engines) the look-ahead (sim_world_run) pays for itself. */
#define LOOK_AHEAD_LINKS 1024

bool sim_world_init(struct sim_world *w, const struct sim_scenario *sc, const struct sim_opts *o, char *err,
    size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->sc = sc;
	w->dirs = sc->dirs;
	w->opts = *o;
	w->seed = o->seed_set ? o->seed : sc->seed;
	w->end = o->until ? o->until : sc->duration;
	w->nodes = aligned_alloc(_Alignof(struct sim_node), (sc->nnodes ? sc->nnodes : 1) * sizeof(*w->nodes));
	if (w->nodes)
		memset(w->nodes, 0, (sc->nnodes ? sc->nnodes : 1) * sizeof(*w->nodes));
	size_t hot_size = ((sc->nnodes ? sc->nnodes : 1) * sizeof(*w->hot) + 63) / 64 * 64;
	w->hot = aligned_alloc(64, hot_size);
	if (w->hot)
		memset(w->hot, 0, hot_size);
	/* Each link on its two lines: sending, then delivery (struct sim_link). */
	size_t links_size = (sc->nlinks ? sc->nlinks : 1) * sizeof(*w->links);
	w->links = sim_map_hot(links_size, true);
	w->up = calloc(sc->nlinks ? sc->nlinks : 1, sizeof(*w->up));
	w->expect_done = calloc(sc->nexpects ? sc->nexpects : 1, sizeof(*w->expect_done));
	w->frame_buf = malloc(LSOE_ETH_HDR_LEN + LSOE_DGRAM_MAX_LEN + LSOE_ETH_MIN_FRAME);
	w->slab = sim_slab_new();
	w->frames = sim_fpool_new();
	if (!w->nodes || !w->hot || !w->links || !w->up || !w->expect_done || !w->frame_buf || !w->slab || !w->frames) {
		snprintf(err, cap, "out of memory");
		return false;
	}
	sim_rng_seed(&w->proc_rng, w->seed, RNG_PROC, 0);
	/* A fabric whose state stays in cache gains nothing from prefetching and pays for the hints. */
	w->look_ahead = sc->nlinks >= LOOK_AHEAD_LINKS;
	for (size_t i = 0; i < sc->nlinks; i++) {
		const struct sim_link_spec *ls = &sc->links[i];
		w->links[i].carrier = true;
		w->links[i].end_node[0] = ls->a;
		w->links[i].end_node[1] = ls->b;
		w->links[i].end_port[0] = ls->a_port;
		w->links[i].end_port[1] = ls->b_port;
		w->links[i].dir[0] = ls->ab;
		w->links[i].dir[1] = ls->ba;
		sim_rng_seed(&w->links[i].rng, w->seed, RNG_LINK, i);
	}
	/* Every node's ports (and an unused [0] each) in one array. */
	w->ports = calloc(2 * sc->nlinks + sc->nnodes, sizeof(*w->ports));
	if (!w->ports) {
		snprintf(err, cap, "out of memory");
		return false;
	}
	struct sim_port *next_port = w->ports;
	for (size_t i = 0; i < sc->nnodes; i++) {
		struct sim_node *n = &w->nodes[i];
		n->w = w;
		n->index = (int)i;
		n->cfg = sc->nodes[i].cfg;
		if (i == 0)
			w->ethertype = n->cfg->ethertype;
		n->nports = sc->nodes[i].nports;
		n->ports = next_port;
		next_port += n->nports + 1;
		w->hot[i].wake_at = LSOE_NEVER;
		sim_rng_seed(&n->rng, w->seed, RNG_NODE, i);
	}
	/* Ports: which link, which end (the addresses are the link end's until changed). */
	for (size_t i = 0; i < sc->nlinks; i++) {
		const struct sim_link_spec *ls = &sc->links[i];
		for (int side = 0; side < 2; side++) {
			struct sim_node *n = &w->nodes[side ? ls->b : ls->a];
			uint32_t p = side ? ls->b_port : ls->a_port;
			struct sim_port *sp = &n->ports[p];
			sp->link = i & 0x7FFFFFFFu; /* SIM_MAX_LINKS is far below */
			sp->side = side & 1;
		}
	}
	if (o->pcap_dir && !open_pcaps(w, err, cap))
		return false;
	for (size_t i = 0; i < sc->nexpects; i++) {
		if (sc->expects[i].kind != SX_SENT_TIMES || sc->expects[i].node < 0)
			continue;
		struct sim_node *n = &w->nodes[sc->expects[i].node];
		if (!n->sent && !(n->sent = calloc(1, sizeof(*n->sent)))) {
			snprintf(err, cap, "out of memory");
			return false;
		}
	}
	return true;
}

static void progress(struct sim_world *w, double start, bool *shown)
{
	double t = w->wall_now() - start;
	if (t < 2.0)
		return;
	fprintf(stderr, "\rlsoe-sim: %s: virtual %.1f of %.1f s, %llu events, %.1f s wall   ", w->sc->name,
	    (double)w->now / 1e9, (double)w->end / 1e9, (unsigned long long)w->st.events, t);
	*shown = true;
}

/*
 * At 10k nodes what an event reads was last touched a whole keepalive interval ago: a
 * chain of cache misses (frame, link, node, then the engine's node, port table, port and
 * session), each waiting for the one before. The queue knows the events to come, so
 * each is prefetched in stages as it moves up: a stage, a few events before the event
 * runs, reads what the stage before fetched and fetches the next link. Events ahead by
 * AHEAD_FRAME, then fewer. Hints only: they read the world as it is, write nothing, and a
 * wrong one costs a fetch (the behaviour is checked byte for byte by tools/sim-golden).
 */
enum { AHEAD_FRAME = 14, AHEAD_LINK = 11, AHEAD_NODE = 9, AHEAD_ENGINE = 7, AHEAD_STEP = 2 };

/* The node an entry will run (a frame's receiver, a wake-up's node), or SIM_AHEAD_NONE. */
static uint32_t ahead_node(const struct sim_world *w, const struct qentry *e, uint32_t *port)
{
	uint32_t link, to;
	switch (qkind(e)) {
	case QE_FRAME:
		link = ((const struct sim_frame *)e->u.p)->link;
		to = !((const struct sim_frame *)e->u.p)->dir;
		break;
	case QE_LINK_FRAME:
		link = e->u.ab.a;
		to = !e->u.ab.b;
		break;
	case QE_WAKE:
		*port = 0;
		return e->u.ab.a;
	default:
		*port = 0;
		return SIM_AHEAD_NONE;
	}
	const struct sim_link *l = &w->links[link];
	*port = l->end_port[to];
	return (uint32_t)l->end_node[to];
}

static bool is_frame(const struct qentry *e) { return qkind(e) == QE_FRAME || qkind(e) == QE_LINK_FRAME; }

/* The line a frame's delivery reads first: its frame, or its link's delivery line. */
static const void *frame_line(const struct sim_world *w, const struct qentry *e)
{
	return qkind(e) == QE_FRAME ? e->u.p : (const void *)&w->links[e->u.ab.a].end_node;
}

/*
 * An entry's node and port, found once at AHEAD_NODE (when its frame and link are in
 * cache) for the engine's stages after it: filed by the entry's place in the run, and
 * valid while the entry there is the same one (a new run reuses the places).
 */
static uint32_t ahead_cached(struct sim_world *w, const struct qentry *e, size_t at, uint32_t *port)
{
	struct sim_ahead *a = &w->ahead[at % SIM_AHEAD_RING];
	if (a->seqkind != e->seqkind) {
		a->seqkind = e->seqkind;
		a->node = ahead_node(w, e, &a->port);
	}
	*port = a->port;
	return a->node;
}

static void look_ahead(struct sim_world *w)
{
	size_t avail, r;
	const struct qentry *run = equeue_ahead(&w->q, &avail, &r);
	const struct qentry *e;
	if (AHEAD_FRAME < avail && is_frame(e = &run[AHEAD_FRAME]))
		__builtin_prefetch(frame_line(w, e));
	if (AHEAD_LINK < avail) {
		e = &run[AHEAD_LINK];
		if (qkind(e) == QE_FRAME) {
			const struct sim_frame *f = e->u.p;
			__builtin_prefetch(&w->links[f->link].end_node);
		} else if (qkind(e) == QE_WAKE) {
			__builtin_prefetch(&w->nodes[e->u.ab.a]); /* its sends read it (pf_send) */
			__builtin_prefetch(&w->hot[e->u.ab.a], 1);
		}
	}
	uint32_t port, ni;
	if (AHEAD_NODE < avail && (ni = ahead_cached(w, e = &run[AHEAD_NODE], r + AHEAD_NODE, &port)) != SIM_AHEAD_NONE) {
		if (is_frame(e)) {
			__builtin_prefetch(&w->hot[ni], 1); /* a wake-up's was fetched at AHEAD_LINK */
		} else {
			const struct sim_node *n = &w->nodes[ni];
			if (n->nports) { /* the ports it will send on (18: two lines) */
				__builtin_prefetch(&n->ports[1]);
				__builtin_prefetch(&n->ports[n->nports]);
			}
		}
	}
	for (unsigned step = 0; step < LSOE_PREFETCH_STEPS; step++) {
		size_t k = AHEAD_ENGINE - AHEAD_STEP * step;
		if (k >= avail || (ni = ahead_cached(w, e = &run[k], r + k, &port)) == SIM_AHEAD_NONE)
			continue;
		if (is_frame(e)) {
			lsoe_node_prefetch_input(w->hot[ni].node, port, step);
		} else {
			lsoe_node_prefetch_run(w->hot[ni].node, step); /* its links: the engine's hints as it sends (pf_prefetch_send) */
		}
	}
}

static void count_kind(void *ctx, const struct qentry *e)
{
	((size_t *)ctx)[qkind(e) & 15]++;
}

void sim_world_start(struct sim_world *w)
{
	for (size_t i = 0; i < w->sc->nnodes; i++)
		sim_node_start(w, &w->nodes[i]);
	sim_faults_schedule(w);
	sim_expect_schedule(w);
	w->progress_start = w->opts.progress && w->wall_now ? w->wall_now() : 0;
}

void sim_world_until(struct sim_world *w, uint64_t until)
{
	if (until > w->end)
		until = w->end;
	struct qentry e;
	while (equeue_pop(&w->q, until, &e)) {
		w->now = e.time;
		/* The next frame is likely out of cache (sent long ago, at 10k nodes): fetched while this event runs. */
		const struct qentry *next = equeue_next(&w->q);
		if (next && is_frame(next))
			__builtin_prefetch(frame_line(w, next));
		if (w->look_ahead)
			look_ahead(w);
		switch (qkind(&e)) {
		case QE_FRAME:
			deliver(w, e.u.p);
			frame_free(w, e.u.p);
			break;
		case QE_LINK_FRAME:
			deliver_from_link(w, e.u.ab.a, e.u.ab.b);
			break;
		case QE_WAKE: {
			struct sim_hot *h = &w->hot[e.u.ab.a];
			if (!h->node || h->wake_at != e.time) {
				w->st.stale_wakes++;
				continue; /* superseded: not an event */
			}
			h->wake_at = LSOE_NEVER;
			lsoe_node_run(h->node);
			kick(w, e.u.ab.a);
			break;
		}
		case QE_SCHED:
			sim_sched_event(w, e.u.ab.a);
			break;
		case QE_PROC:
			sim_proc_event(w, e.u.ab.a, e.u.ab.b);
			break;
		case QE_FLOOD:
			sim_flood_event(w, e.u.ab.a, e.u.ab.b);
			break;
		case QE_RESTART:
			if (!w->nodes[e.u.ab.a].node)
				sim_node_start(w, &w->nodes[e.u.ab.a]);
			break;
		case QE_CHECK:
			sim_expect_check(w, e.u.ab.a);
			break;
		case QE_INV:
			sim_inv_tick(w);
			break;
		case QE_HEAL:
			sim_inv_heal(w);
			break;
		case QE_LIVE:
			sim_inv_live(w);
			break;
		}
		w->st.events++;
		if (w->opts.progress && w->wall_now && (w->st.events & 0xFFFF) == 0)
			progress(w, w->progress_start, &w->progress_shown);
	}
	if (until > w->now)
		w->now = until;
}

void sim_world_finish(struct sim_world *w)
{
	w->now = w->end;
	if (getenv("LSOE_SIM_STATS")) {
		size_t kinds[16] = { 0 }, nq = equeue_len(&w->q);
		equeue_each(&w->q, count_kind, kinds);
		size_t frames = kinds[QE_FRAME] + kinds[QE_LINK_FRAME];
		fprintf(stderr, "queue: %zu entries at the end (frames %zu, wakes %zu, other %zu), %llu stale wake-ups\n",
		    nq, frames, kinds[QE_WAKE], nq - frames - kinds[QE_WAKE],
		    (unsigned long long)w->st.stale_wakes);
	}
	if (w->progress_shown)
		fputc('\n', stderr);
	sim_expect_finish(w);
}

void sim_world_run(struct sim_world *w)
{
	sim_world_start(w);
	sim_world_until(w, w->end);
	sim_world_finish(w);
}

static void free_queued_frame(void *ctx, const struct qentry *e)
{
	if (qkind(e) == QE_FRAME)
		frame_free(ctx, e->u.p);
}

void sim_world_free(struct sim_world *w)
{
	equeue_each(&w->q, free_queued_frame, w);
	equeue_free(&w->q);
	for (size_t i = 0; w->nodes && i < w->sc->nnodes; i++) {
		struct sim_node *n = &w->nodes[i];
		lsoe_node_destroy(n->node);
		for (uint32_t p = 0; n->own_addrs && p <= n->nports; p++)
			if (n->own_addrs[p]) {
				free(n->own_addrs[p]->a);
				free(n->own_addrs[p]);
			}
		free(n->own_addrs);
		if (n->sent) {
			free(n->sent->times);
			free(n->sent->types);
			free(n->sent->ack_of);
			free(n->sent);
		}
		free(n->own_cfg);
		free(n->dead);
	}
	for (size_t i = 0; w->pcaps && i < w->sc->nlinks; i++)
		if (w->pcaps[i])
			pcap_dump_close(w->pcaps[i]);
	free(w->pcaps);
	for (size_t i = 0; i < w->nfailures; i++)
		free(w->failures[i]);
	free(w->failures);
	free(w->nodes);
	free(w->hot);
	free(w->ports);
	if (w->links)
		sim_unmap_hot(w->links, (w->sc->nlinks ? w->sc->nlinks : 1) * sizeof(*w->links));
	free(w->up);
	free(w->drops);
	free(w->log);
	free(w->expect_done);
	free(w->frame_buf);
	sim_slab_destroy(w->slab); /* after the engines */
	sim_fpool_destroy(w->frames);
}
