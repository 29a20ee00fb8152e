#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lsoe/wire.h"

static uint64_t h_now(void *ctx)
{
	return ((struct h_node *)ctx)->w->now;
}

static void h_random(void *ctx, void *buf, size_t n)
{
	struct h_node *hn = ctx;
	uint8_t *p = buf;
	for (size_t i = 0; i < n; i++) {
		hn->rng ^= hn->rng << 13;
		hn->rng ^= hn->rng >> 7;
		hn->rng ^= hn->rng << 17;
		p[i] = (uint8_t)(hn->rng >> 24);
	}
}

static void *h_alloc(void *ctx, size_t size)
{
	struct h_node *hn = ctx;
	if (hn->fail_allocs_after == 0)
		return NULL;
	if (hn->fail_allocs_after > 0)
		hn->fail_allocs_after--;
	void *p = malloc(size);
	if (p) {
		hn->live_bytes += size;
		if (hn->live_bytes > hn->peak_bytes)
			hn->peak_bytes = hn->live_bytes;
	}
	return p;
}

static void h_free(void *ctx, void *p, size_t size)
{
	struct h_node *hn = ctx;
	if (!p)
		return;
	hn->live_bytes -= size;
	free(p);
}

static void h_log(void *ctx, enum lsoe_log_level level, const char *sub, const char *msg)
{
	struct h_node *hn = ctx;
	if (level == LSOE_LOG_WARNING) {
		hn->nwarnings++;
		snprintf(hn->last_warning, sizeof(hn->last_warning), "%s", msg);
	}
	if (getenv("LSOE_TEST_LOG"))
		fprintf(stderr, "%12.6f %-4s %d %-8s %s\n", (double)hn->w->now / 1e9, hn->name, (int)level, sub, msg);
}

int h_dgram_pdu_type(const uint8_t *dgram, size_t len)
{
	if (len < LSOE_DGRAM_HDR_LEN + 1 || (dgram[1] & 0x7F) != 0)
		return -1;
	return dgram[LSOE_DGRAM_HDR_LEN];
}

static void h_send(void *ctx, uint32_t port, const uint8_t dst[6], const uint8_t *dgram, size_t len)
{
	struct h_node *hn = ctx;
	struct h_world *w = hn->w;
	int t = h_dgram_pdu_type(dgram, len);
	hn->dgrams_sent++;
	if (t >= 0 && hn->nsent < H_MAX_SENT) {
		struct h_sent *s = &hn->sent[hn->nsent++];
		memset(s, 0, sizeof(*s));
		s->time = w->now;
		s->port = port;
		memcpy(s->dst, dst, 6);
		s->type = (uint8_t)t;
		s->ack_type = t == LSOE_PDU_ACK && len > LSOE_DGRAM_HDR_LEN + 3 ? dgram[LSOE_DGRAM_HDR_LEN + 3] : 0;
		s->len = len;
		s->last = (dgram[1] & LSOE_DGRAM_LAST) != 0;
		struct lsoe_pdu pdu;
		if (s->last && lsoe_pdu_decode(dgram + LSOE_DGRAM_HDR_LEN, len - LSOE_DGRAM_HDR_LEN, &pdu) == LSOE_OK) {
			s->decoded = true;
			if (pdu.type == LSOE_PDU_ACK) {
				s->etype = pdu.u.ack.etype;
				s->code = pdu.u.ack.code;
				s->hint = pdu.u.ack.hint;
			} else if (pdu.type == LSOE_PDU_OPEN) {
				s->nonce = pdu.u.open.nonce;
			} else if (lsoe_pdu_type_is_encap(pdu.type)) {
				s->count = pdu.u.encap.count;
			}
		}
	}
	for (int i = 0; i < w->nlinks; i++) {
		struct h_link *l = &w->links[i];
		int to;
		uint32_t to_port;
		if (l->a == hn->index && l->pa == port) {
			to = l->b;
			to_port = l->pb;
		} else if (l->b == hn->index && l->pb == port) {
			to = l->a;
			to_port = l->pa;
		} else
			continue;
		if (!l->up || (w->drop && w->drop(w->drop_ctx, hn, port, dgram, len))) {
			w->dropped++;
			return;
		}
		if (w->nq == w->qcap) {
			w->qcap = w->qcap ? w->qcap * 2 : 64;
			w->q = realloc(w->q, w->qcap * sizeof(*w->q));
			if (!w->q)
				abort();
		}
		struct h_frame *f = &w->q[w->nq++];
		f->when = w->now + l->delay;
		f->seq = w->seq++;
		f->to = to;
		f->port = to_port;
		memcpy(f->src, hn->mac[port], 6);
		memcpy(f->dst, dst, 6);
		/* As a NIC delivers it: padded to the Ethernet minimum payload. */
		f->len = len < 46 ? 46 : len;
		f->bytes = calloc(1, f->len);
		if (!f->bytes)
			abort();
		memcpy(f->bytes, dgram, len);
		return;
	}
}

static void h_event_cb(void *ctx, const struct lsoe_event *ev)
{
	struct h_node *hn = ctx;
	if (hn->nevents == H_MAX_EVENTS)
		return;
	struct h_event *e = &hn->events[hn->nevents++];
	memset(e, 0, sizeof(*e));
	e->time = ev->time_ns;
	e->type = ev->type;
	e->port = ev->port;
	memcpy(e->peer_mac, ev->peer_mac, 6);
	e->has_peer_id = ev->has_peer_id;
	memcpy(e->peer_id, ev->peer_id, LSOE_LOCAL_ID_LEN);
	e->reason = ev->reason;
	e->encap_type = ev->encap_type;
	e->encap_count = ev->encap_count;
	for (unsigned i = 0; i < ev->encap_count && i < 8; i++) {
		e->encaps[i] = ev->encaps[i];
		e->encaps[i].labels = NULL;
	}
	e->link_count = ev->link_count;
	for (unsigned i = 0; i < ev->link_count && i < 4; i++) {
		const struct lsoe_link *l = &ev->links[i];
		e->links[i] = *l;
		e->links[i].local.labels = e->links[i].peer.labels = NULL;
		e->link_labels[i][0] = l->local.nlabels ? lsoe_label_value(l->local.labels, 0) : UINT32_MAX;
		e->link_labels[i][1] = l->peer.nlabels ? lsoe_label_value(l->peer.labels, 0) : UINT32_MAX;
	}
	memcpy(e->local_id, ev->local_id, LSOE_LOCAL_ID_LEN);
	e->error = ev->error;
	e->etype = ev->etype;
	e->ack_pdu_type = ev->ack_pdu_type;
	e->code = ev->code;
	e->hint = ev->hint;
	e->attr_count = ev->attr_count;
	for (unsigned i = 0; i < ev->attr_count && i < 8; i++)
		e->attrs[i] = ev->attrs[i];
	if (ev->text)
		snprintf(e->text, sizeof(e->text), "%s", ev->text);
}

void h_world_init(struct h_world *w, uint64_t t0)
{
	memset(w, 0, sizeof(*w));
	w->now = t0;
}

/*
 * A view's entries are the engine's for the callback only (they are decoded for it):
 * copied here, kept until the world goes, so that a test may hold several views.
 */
struct h_kept {
	struct h_kept *next;
	struct lsoe_encap v[];
};

void h_world_free(struct h_world *w)
{
	for (int i = 0; i < w->nnodes; i++) {
		struct h_node *hn = w->nodes[i];
		lsoe_node_destroy(hn->node);
		while (hn->kept) {
			struct h_kept *k = hn->kept;
			hn->kept = k->next;
			free(k);
		}
		if (hn->live_bytes != 0) {
			fprintf(stderr, "harness: node %s leaked %zu bytes\n", hn->name, hn->live_bytes);
			abort();
		}
		free(hn);
	}
	for (size_t i = 0; i < w->nq; i++)
		free(w->q[i].bytes);
	free(w->q);
	memset(w, 0, sizeof(*w));
}

void h_config(struct lsoe_config *cfg, uint8_t id_octet)
{
	lsoe_config_default(cfg);
	memset(cfg->local_id, 0, sizeof(cfg->local_id));
	cfg->local_id[9] = id_octet;
	cfg->local_id_set = true;
}

void (*h_prefetch_send)(void *ctx, uint32_t port);

struct h_node *h_node_add(struct h_world *w, const char *name, uint8_t id_octet, const struct lsoe_config *cfg)
{
	struct h_node *hn = calloc(1, sizeof(*hn));
	if (!hn)
		abort();
	hn->w = w;
	hn->index = w->nnodes;
	snprintf(hn->name, sizeof(hn->name), "%s", name);
	hn->rng = 0x9E3779B97F4A7C15ull * (uint64_t)(hn->index + 1);
	hn->fail_allocs_after = -1;
	for (int p = 0; p < H_MAX_PORTS; p++) {
		uint8_t m[6] = { 0x02, 0, 0, 0, (uint8_t)hn->index, (uint8_t)p };
		memcpy(hn->mac[p], m, 6);
	}
	hn->pf = (struct lsoe_platform){ .ctx = hn, .now_ns = h_now, .send = h_send, .random = h_random,
		.alloc = h_alloc, .free = h_free, .log = h_log, .event = h_event_cb, .prefetch_send = h_prefetch_send };
	struct lsoe_config c;
	if (cfg)
		c = *cfg;
	else
		h_config(&c, id_octet);
	if (getenv("LSOE_TEST_LOG"))
		memcpy(c.log_level, "debug", 6);
	hn->cfg = c;
	hn->node = lsoe_node_create(&c, &hn->pf);
	if (!hn->node) {
		fprintf(stderr, "harness: lsoe_node_create failed\n");
		abort();
	}
	w->nodes[w->nnodes++] = hn;
	return hn;
}

void h_link(struct h_world *w, struct h_node *a, uint32_t pa, struct h_node *b, uint32_t pb, uint64_t delay)
{
	struct h_link *l = &w->links[w->nlinks++];
	l->a = a->index;
	l->b = b->index;
	l->pa = pa;
	l->pb = pb;
	l->up = true;
	l->delay = delay;
	char name[16];
	snprintf(name, sizeof(name), "eth%u", pa);
	if (lsoe_node_port_add(a->node, pa, name, a->mac[pa], LSOE_PORT_UP) != LSOE_OK)
		abort();
	snprintf(name, sizeof(name), "eth%u", pb);
	if (lsoe_node_port_add(b->node, pb, name, b->mac[pb], LSOE_PORT_UP) != LSOE_OK)
		abort();
}

void h_pair_init(struct h_pair *p, uint64_t t0, uint32_t port, uint64_t delay)
{
	memset(p, 0, sizeof(*p));
	h_world_init(&p->w, t0);
	p->a = h_node_add(&p->w, "A", 1, NULL);
	p->b = h_node_add(&p->w, "B", 2, NULL);
	h_link(&p->w, p->a, port, p->b, port, delay);
}

void h_link_set_up(struct h_world *w, int link, bool up)
{
	w->links[link].up = up;
}

void h_inject(struct h_world *w, struct h_node *n, uint32_t port, const uint8_t src[6], const uint8_t dst[6],
    const uint8_t *payload, size_t len)
{
	(void)w;
	lsoe_node_input(n->node, port, src, dst, payload, len);
}

static struct h_frame *next_frame(struct h_world *w)
{
	struct h_frame *best = NULL;
	for (size_t i = 0; i < w->nq; i++)
		if (!best || w->q[i].when < best->when || (w->q[i].when == best->when && w->q[i].seq < best->seq))
			best = &w->q[i];
	return best;
}

void h_run_until(struct h_world *w, uint64_t t)
{
	if (t < w->now) {
		/* The platform clock never goes backwards: a test asking for the past is wrong. */
		fprintf(stderr, "harness: h_run_until(%llu) is before now (%llu)\n", (unsigned long long)t,
		    (unsigned long long)w->now);
		abort();
	}
	for (;;) {
		uint64_t next = UINT64_MAX;
		struct h_frame *f = next_frame(w);
		if (f)
			next = f->when;
		for (int i = 0; i < w->nnodes; i++) {
			uint64_t d = lsoe_node_next_deadline(w->nodes[i]->node);
			if (d < next)
				next = d;
		}
		if (next > t) {
			w->now = t;
			return;
		}
		if (next > w->now)
			w->now = next;
		if (f && f->when <= w->now) {
			struct h_frame fr = *f;
			*f = w->q[--w->nq];
			w->delivered++;
			lsoe_node_input(w->nodes[fr.to]->node, fr.port, fr.src, fr.dst, fr.bytes, fr.len);
			free(fr.bytes);
			continue;
		}
		for (int i = 0; i < w->nnodes; i++)
			if (lsoe_node_next_deadline(w->nodes[i]->node) <= w->now)
				lsoe_node_run(w->nodes[i]->node);
	}
}

size_t h_count_events(const struct h_node *n, enum lsoe_event_type type)
{
	size_t c = 0;
	for (size_t i = 0; i < n->nevents; i++)
		c += n->events[i].type == type;
	return c;
}

const struct h_event *h_nth_event(const struct h_node *n, enum lsoe_event_type type, size_t k)
{
	for (size_t i = 0; i < n->nevents; i++)
		if (n->events[i].type == type && k-- == 0)
			return &n->events[i];
	return NULL;
}

const struct h_event *h_last_event(const struct h_node *n, enum lsoe_event_type type)
{
	for (size_t i = n->nevents; i-- > 0;)
		if (n->events[i].type == type)
			return &n->events[i];
	return NULL;
}

size_t h_sent_times(const struct h_node *n, uint8_t type, uint8_t ack_type, uint64_t *times, size_t max)
{
	size_t c = 0;
	for (size_t i = 0; i < n->nsent; i++) {
		const struct h_sent *s = &n->sent[i];
		if (s->type != type || (type == LSOE_PDU_ACK && ack_type != H_ACK_ANY && s->ack_type != ack_type))
			continue;
		if (c < max)
			times[c] = s->time;
		c++;
	}
	return c;
}

struct find_ctx {
	const uint8_t *peer;
	struct lsoe_session_view *v;
	bool found;
	struct h_node *n;
};

static void find_visit(void *ctx, const struct lsoe_session_view *v)
{
	struct find_ctx *f = ctx;
	if (!f->found && memcmp(v->peer_mac, f->peer, 6) == 0) {
		*f->v = *v;
		f->found = true;
		for (unsigned i = 0; i < 4; i++) {
			if (!v->encaps[i])
				continue;
			struct h_kept *k = malloc(sizeof(*k) + (v->encap_count[i] + 1u) * sizeof(struct lsoe_encap));
			if (!k)
				abort();
			memcpy(k->v, v->encaps[i], v->encap_count[i] * sizeof(struct lsoe_encap));
			k->next = f->n->kept;
			f->n->kept = k;
			f->v->encaps[i] = k->v;
		}
	}
}

bool h_session(struct h_node *n, const uint8_t peer[6], struct lsoe_session_view *v)
{
	struct find_ctx f = { peer, v, false, n };
	lsoe_node_foreach_session(n->node, find_visit, &f);
	return f.found;
}

enum lsoe_session_state h_state(struct h_node *n, const uint8_t peer[6], bool *exists)
{
	struct lsoe_session_view v;
	*exists = h_session(n, peer, &v);
	return v.state;
}

/* ---- extensions for the engine tests ---- */

int h_wire(struct h_world *w, struct h_node *a, uint32_t pa, struct h_node *b, uint32_t pb, uint64_t delay)
{
	if (w->nlinks == H_MAX_LINKS)
		abort();
	struct h_link *l = &w->links[w->nlinks++];
	l->a = a->index;
	l->b = b->index;
	l->pa = pa;
	l->pb = pb;
	l->up = true;
	l->delay = delay;
	return w->nlinks - 1;
}

void h_port_add(struct h_node *n, uint32_t p)
{
	char name[16];
	snprintf(name, sizeof(name), "eth%u", p);
	if (lsoe_node_port_add(n->node, p, name, n->mac[p], LSOE_PORT_UP) != LSOE_OK)
		abort();
}

void h_node_restart(struct h_world *w, struct h_node *n)
{
	lsoe_node_destroy(n->node);
	if (n->live_bytes != 0) {
		fprintf(stderr, "harness: node %s leaked %zu bytes at restart\n", n->name, n->live_bytes);
		abort();
	}
	n->peak_bytes = 0;
	n->node = lsoe_node_create(&n->cfg, &n->pf);
	if (!n->node) {
		fprintf(stderr, "harness: lsoe_node_create failed at restart\n");
		abort();
	}
	for (int i = 0; i < w->nlinks; i++) {
		const struct h_link *l = &w->links[i];
		if (l->a == n->index)
			h_port_add(n, l->pa);
		else if (l->b == n->index)
			h_port_add(n, l->pb);
	}
}

bool h_drop_by_rules(void *ctx, const struct h_node *from, uint32_t port, const uint8_t *dgram, size_t len)
{
	struct h_drop_rules *rs = ctx;
	(void)port;
	int t = h_dgram_pdu_type(dgram, len);
	int ack = t == LSOE_PDU_ACK && len > LSOE_DGRAM_HDR_LEN + 3 ? dgram[LSOE_DGRAM_HDR_LEN + 3] : -1;
	for (int i = 0; i < rs->n; i++) {
		struct h_drop_rule *r = &rs->r[i];
		if (r->remaining == 0)
			continue;
		if (r->from >= 0 && r->from != from->index)
			continue;
		if (r->type >= 0 && r->type != t)
			continue;
		if (r->ack_type >= 0 && (t != LSOE_PDU_ACK || r->ack_type != ack))
			continue;
		if (r->remaining > 0)
			r->remaining--;
		r->dropped++;
		return true;
	}
	return false;
}

struct h_drop_rule *h_drop_add(struct h_world *w, struct h_drop_rules *rules, int from, int type, int ack_type,
    long count)
{
	if (rules->n == H_MAX_RULES)
		abort();
	w->drop = h_drop_by_rules;
	w->drop_ctx = rules;
	struct h_drop_rule *r = &rules->r[rules->n++];
	*r = (struct h_drop_rule){ .from = from, .type = type, .ack_type = ack_type, .remaining = count };
	return r;
}

void h_inject_pdu(struct h_world *w, struct h_node *n, uint32_t port, const uint8_t src[6], struct lsoe_pdu *pdu,
    uint32_t mtu)
{
	static uint8_t buf[LSOE_PDU_MAX_LEN];
	static uint8_t dg[LSOE_DGRAM_MAX_LEN];
	size_t len;
	if (lsoe_pdu_encode(pdu, buf, sizeof(buf), &len) != LSOE_OK)
		abort();
	struct lsoe_frag f;
	if (lsoe_frag_init(&f, buf, len, mtu) != LSOE_OK)
		abort();
	size_t dl;
	while ((dl = lsoe_frag_next(&f, dg, sizeof(dg), NULL)) > 0) {
		static uint8_t frame[LSOE_DGRAM_MAX_LEN];
		size_t fl = dl < 46 ? 46 : dl;
		memset(frame, 0, fl);
		memcpy(frame, dg, dl);
		h_inject(w, n, port, src, n->mac[port], frame, fl);
	}
}

void h_inject_ack(struct h_world *w, struct h_node *n, uint32_t port, const uint8_t src[6], uint8_t type,
    uint8_t etype, uint16_t code, uint16_t hint)
{
	struct lsoe_pdu p = { .type = LSOE_PDU_ACK };
	p.u.ack.pdu_type = type;
	p.u.ack.etype = etype;
	p.u.ack.code = code;
	p.u.ack.hint = hint;
	h_inject_pdu(w, n, port, src, &p, 1500);
}

void h_inject_hello(struct h_world *w, struct h_node *n, uint32_t port, const uint8_t src[6])
{
	struct lsoe_pdu p = { .type = LSOE_PDU_HELLO };
	h_inject_pdu(w, n, port, src, &p, 1500);
}

struct lsoe_encap h_ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t plen, uint8_t flags)
{
	struct lsoe_encap e;
	memset(&e, 0, sizeof(e));
	e.flags = flags;
	e.prefix_len = plen;
	e.addr[0] = a;
	e.addr[1] = b;
	e.addr[2] = c;
	e.addr[3] = d;
	return e;
}

struct lsoe_encap h_ipv6(const uint16_t groups[8], uint8_t plen, uint8_t flags)
{
	struct lsoe_encap e;
	memset(&e, 0, sizeof(e));
	e.flags = flags;
	e.prefix_len = plen;
	for (int i = 0; i < 8; i++) {
		e.addr[2 * i] = (uint8_t)(groups[i] >> 8);
		e.addr[2 * i + 1] = (uint8_t)groups[i];
	}
	return e;
}

static bool sent_matches(const struct h_sent *s, uint8_t type, uint8_t ack_type)
{
	return s->type == type && (type != LSOE_PDU_ACK || ack_type == H_ACK_ANY || s->ack_type == ack_type);
}

size_t h_sent_between(const struct h_node *n, uint8_t type, uint8_t ack_type, uint64_t from, uint64_t to)
{
	size_t c = 0;
	for (size_t i = 0; i < n->nsent; i++)
		c += sent_matches(&n->sent[i], type, ack_type) && n->sent[i].time >= from && n->sent[i].time <= to;
	return c;
}

const struct h_sent *h_nth_sent(const struct h_node *n, uint8_t type, uint8_t ack_type, size_t k)
{
	for (size_t i = 0; i < n->nsent; i++)
		if (sent_matches(&n->sent[i], type, ack_type) && k-- == 0)
			return &n->sent[i];
	return NULL;
}

size_t h_count_down(const struct h_node *n, int reason)
{
	size_t c = 0;
	for (size_t i = 0; i < n->nevents; i++)
		c += n->events[i].type == LSOE_EV_SESSION_DOWN && (reason < 0 || (int)n->events[i].reason == reason);
	return c;
}

const struct lsoe_counters *h_counters(const struct lsoe_node *node)
{
	static struct lsoe_counters ring[8];
	static unsigned next;
	struct lsoe_counters *c = &ring[next++ % 8];
	lsoe_node_counters_get(node, c);
	return c;
}

size_t h_count_errors(const struct h_node *n, enum lsoe_error_kind kind)
{
	size_t c = 0;
	for (size_t i = 0; i < n->nevents; i++)
		c += n->events[i].type == LSOE_EV_ERROR && n->events[i].error == kind;
	return c;
}
