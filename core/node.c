/*
 * The node: ports, the receive path, timers, the session table, and the views
 * the ports display. Encapsulation lists are in encaps.c, counters in counters.c,
 * the per-peer protocol in session.c and session_fsm.c.
 */
#include <string.h>

#include "lsoe/node.h"
#include "node_internal.h"
#include "text.h"

/* ---- names ---- */

const char *lsoe_event_type_name(enum lsoe_event_type t)
{
	static const char *const names[] = { "session_up", "session_down", "encaps", "error", "links" };
	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

const char *lsoe_down_reason_name(enum lsoe_down_reason r)
{
	static const char *const names[] = {
#define LSOE_DOWN_NAME(code, name) [code] = name,
		LSOE_DOWN_REASONS(LSOE_DOWN_NAME)
#undef LSOE_DOWN_NAME
	};
	return (unsigned)r < LSOE_DOWN_COUNT ? names[r] : "unknown";
}

const char *lsoe_error_kind_name(enum lsoe_error_kind k)
{
	static const char *const names[] = {
#define LSOE_ERRK_NAME(code, name) [code] = name,
		LSOE_ERROR_KINDS(LSOE_ERRK_NAME)
#undef LSOE_ERRK_NAME
	};
	return (unsigned)k < LSOE_ERRK_COUNT ? names[k] : "unknown";
}

const char *lsoe_session_state_name(enum lsoe_session_state s)
{
	static const char *const names[] = { "opening", "established", "hold" };
	return (unsigned)s < 3 ? names[s] : "unknown";
}

/* ---- memory, logs, events ---- */

void *node_alloc(struct lsoe_node *n, size_t size)
{
	void *p = n->pf.alloc(n->pf.ctx, size);
	if (!p) {
		n->alloc_failures++;
		return NULL;
	}
	n->mem_bytes += size;
	if (n->mem_bytes > n->mem_peak)
		n->mem_peak = n->mem_bytes;
	return p;
}

void node_free(struct lsoe_node *n, void *p, size_t size)
{
	if (!p)
		return;
	n->pf.free(n->pf.ctx, p, size);
	n->mem_bytes -= size;
}

bool node_log_enabled(const struct lsoe_node *n, enum lsoe_log_level level)
{
	return level <= (enum lsoe_log_level)n->log_level && n->pf.log; /* the level first: pf is cold */
}

void node_log(struct lsoe_node *n, enum lsoe_log_level level, const char *subsystem, const char *fmt, ...)
{
	if (!node_log_enabled(n, level))
		return;
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	lsoe_vfmt(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n->pf.log(n->pf.ctx, level, subsystem, msg);
}

void node_event(struct lsoe_node *n, struct lsoe_event *ev, const struct port *p, const struct session *s)
{
	ev->time_ns = n->now;
	memcpy(ev->local_id, n->cfg.local_id, LSOE_LOCAL_ID_LEN);
	ev->port = p->id;
	ev->port_name = p->name;
	if (s) {
		ev->has_peer = true;
		memcpy(ev->peer_mac, s->mac, 6);
		if ((s->flags & SF_PEER_OPEN) || s->state != SS_OPENING) {
			ev->has_peer_id = true;
			memcpy(ev->peer_id, s->peer_id, LSOE_LOCAL_ID_LEN);
			if (!ev->attr_count)
				ev->attrs = session_attrs(s, &ev->attr_count);
		}
	}
	if (n->pf.event)
		n->pf.event(n->pf.ctx, ev);
}

/*
 * HELLO and KEEPALIVE are the bulk of what a node sends and never change: their
 * sealed datagrams (the digest's test vectors, checked by tests/unit/test_checksum.c)
 * are sent as they are, without the fragmentation iterator and the checksum
 * (node_send_pdu for a HELLO, node_send_keepalive).
 */
static const uint8_t hello_dgram[11] = { 0x00, 0x80, 0x00, 0x0b, 0xea, 0x89, 0xca, 0x1c, 0x00, 0x00, 0x03 };
static const uint8_t keepalive_dgram[11] = { 0x00, 0x80, 0x00, 0x0b, 0x50, 0x89, 0xca, 0x1c, 0x02, 0x00, 0x03 };

/*
 * Any other PDU, fragmented. Out of line, so that its datagram buffer and the
 * registers it needs stay off the path of the keepalives.
 */
static __attribute__((noinline)) void send_fragmented(struct lsoe_node *n, struct port *p, const uint8_t dst[6],
    const uint8_t *pdu, size_t len)
{
	struct lsoe_frag f;
	/* Cannot fail for what we build: lists are checked against the MTU when set and when it changes. */
	if (lsoe_frag_init(&f, pdu, len, p->mtu) != LSOE_OK) {
		node_log(n, LSOE_LOG_ERROR, "tx", "%s: %s of %zu octets cannot be sent at MTU %u", p->name,
		    lsoe_pdu_type_name(pdu[0]), len, p->mtu);
		return;
	}
	/*
	 * The datagrams are built on the stack when they are small (ACKs, any OPEN, short
	 * lists); a larger one takes a buffer of its size for the call, so that no node
	 * holds an MTU-sized block between sends. If that is refused, nothing is sent: an
	 * ACKed PDU goes again at its retransmission.
	 */
	uint8_t small[SEND_STACK_DGRAM];
	size_t cap = len + LSOE_DGRAM_HDR_LEN < p->mtu ? len + LSOE_DGRAM_HDR_LEN : p->mtu;
	uint8_t *buf = cap <= sizeof(small) ? small : node_alloc(n, cap);
	if (!buf) {
		node_log(n, LSOE_LOG_ERROR, "tx", "%s: no memory for a datagram of %zu octets: %s not sent", p->name, cap,
		    lsoe_pdu_type_name(pdu[0]));
		return;
	}
	size_t dl;
	while ((dl = lsoe_frag_next(&f, buf, cap, NULL)) > 0) {
		n->pf_send(n->pf_ctx, p->id, dst, buf, dl);
		COUNT(n, p, tx_frames);
	}
	if (buf != small)
		node_free(n, buf, cap);
	COUNT(n, p, tx_pdus);
	COUNT_ARR(n, p, tx_by_type, lsoe_pdu_type_slot(pdu[0]));
}

/* The node's counters of ka_sent_ctrs, each with a constant index (a hot counter: one increment). */
void node_send_keepalive(struct lsoe_node *n, uint32_t port, const uint8_t dst[6])
{
	n->pf_send(n->pf_ctx, port, dst, keepalive_dgram, sizeof(keepalive_dgram));
	node_count(n, CTR_INDEX(tx_frames));
	node_count(n, CTR_INDEX(tx_pdus));
	node_count(n, CTR_INDEX(tx_by_type) + LSOE_PDU_KEEPALIVE);
	node_count(n, CTR_INDEX(tx_keepalives));
}

void node_send_pdu(struct lsoe_node *n, struct port *p, const uint8_t dst[6], const uint8_t *pdu, size_t len)
{
	/* KEEPALIVEs go out through node_send_keepalive. */
	if (len != LSOE_PDU_HDR_LEN || pdu[0] != LSOE_PDU_HELLO) {
		send_fragmented(n, p, dst, pdu, len);
		return;
	}
	/* Counted with constant indices: the port's counter is then a mask test and an increment. */
	n->pf_send(n->pf_ctx, p->id, dst, hello_dgram, sizeof(hello_dgram));
	COUNT(n, p, tx_frames);
	COUNT(n, p, tx_pdus);
	COUNT_ARR(n, p, tx_by_type, LSOE_PDU_HELLO);
}

/* ---- timers: room is reserved when an owner is created, so arming never fails ---- */

static uint32_t timers_needed(uint32_t ports, uint32_t sessions)
{
	return 1 + ports + 3 * sessions; /* reassembly; a HELLO per port; send, receive, retransmit per session */
}

static bool timers_reserve(struct lsoe_node *n, uint32_t need)
{
	struct timer_heap *h = &n->timers;
	if (need <= h->cap)
		return true;
	/*
	 * Grown by an eighth: the heap grows as ports are added (one session each reserved),
	 * so its final size is what those need with at most an eighth to spare (a leaf's eight
	 * ports: 33 entries, exactly), where growing by half left up to a half (a spine's 176:
	 * 913 for 705). The steps copy eight times the final array at most, once, at start.
	 */
	uint32_t cap = h->cap ? h->cap : 16;
	while (cap < need)
		cap += cap / 8 > 2 ? cap / 8 : 2;
	struct timer_ent *v = node_alloc(n, (size_t)cap * sizeof(*v));
	if (!v)
		return false;
	struct timer_ent *old = h->v;
	uint32_t old_cap = h->cap;
	timer_move(h, v, cap);
	node_free(n, old, (size_t)old_cap * sizeof(*v));
	return true;
}

/* ---- reassembly, made on demand ---- */

/* The reassembler allocates through the node, so its memory is counted with the rest. */
static void *reasm_alloc(void *ctx, size_t size) { return node_alloc(ctx, size); }
static void reasm_free(void *ctx, void *p, size_t size) { node_free(ctx, p, size); }

/*
 * The reassembler's table (about 25 KB at the default bounds) is made only when a
 * PDU spans several datagrams, which most links never see, and is freed again once
 * it holds nothing (at the expiry run, dispatch). Its bounds are those of the configuration the node
 * was created with, as when it was made at creation; a reload changes its timeout only.
 */
static bool reasm_start(struct lsoe_node *n)
{
	struct lsoe_reasm_config rc;
	lsoe_reasm_config_default(&rc);
	rc.timeout_ns = n->cfg.reassembly_timeout;
	rc.max_sources = n->reasm_max_sources;
	rc.max_total_bytes = n->reasm_max_bytes;
	rc.hash_seed = n->hash_seed ^ 0x5555555555555555ull;
	struct lsoe_allocator ra = { reasm_alloc, reasm_free, n };
	n->reasm = lsoe_reasm_create(&rc, &ra);
	return n->reasm != NULL;
}

/* Without a reassembler: a single-datagram PDU is complete in place, any other number has no start. */
static enum lsoe_err reasm_input(struct lsoe_node *n, struct port *p, const uint8_t src[6],
    const struct lsoe_dgram *d, bool *complete, const uint8_t **bytes, size_t *blen)
{
	if (!n->reasm) {
		*complete = false;
		if (d->number != 0)
			return LSOE_E_FRAG_NO_START;
		if (d->last) {
			*complete = true;
			*bytes = d->payload;
			*blen = d->payload_len;
			return LSOE_OK;
		}
		if (!reasm_start(n))
			return LSOE_E_REASM_NOMEM;
	}
	return lsoe_reasm_input(n->reasm, p->id, src, d, n->now, complete, bytes, blen);
}

/* Drop the partial PDUs of one port (it went down or away). */
static void reasm_flush(struct lsoe_node *n, uint32_t port)
{
	if (n->reasm)
		lsoe_reasm_flush(n->reasm, port);
}

/* ---- ports ---- */

static void send_hello(struct lsoe_node *n, struct port *p)
{
	static const uint8_t hello[LSOE_PDU_HDR_LEN] = { LSOE_PDU_HELLO, 0, LSOE_PDU_HDR_LEN };
	node_send_pdu(n, p, n->cfg.hello_mac, hello, sizeof(hello));
	COUNT(n, p, tx_hellos);
	timer_arm(&n->timers, &p->hello, n->now + n->cfg.hello_interval);
}

static bool beacons(const struct port *p) { return p->up && !p->loopback; }

enum lsoe_err lsoe_node_port_add(struct lsoe_node *n, uint32_t id, const char *name, const uint8_t mac[6],
    unsigned flags)
{
	uint32_t pos;
	n->now = node_clock(n);
	if (port_find(n, id, &pos))
		return LSOE_E_EXISTS;
	/*
	 * Room for a session on the new port too (see session_create): ports are added one
	 * after another at start, so the steps the heap grows by are taken there, where the
	 * next node's first arrays reuse what they leave, and not at the first session, when
	 * every node's leftover array would stay on the free lists for good.
	 */
	uint32_t expect = n->nsessions > n->nports + 1 ? n->nsessions : n->nports + 1;
	if (!timers_reserve(n, timers_needed(n->nports + 1, expect)))
		return LSOE_E_NOMEM;
	if (n->nports == n->ports_cap) {
		uint32_t cap = n->ports_cap ? n->ports_cap * 2 : 8;
		struct port **v = node_alloc(n, (size_t)cap * sizeof(*v));
		uint32_t *ids = v ? node_alloc(n, (size_t)cap * sizeof(*ids)) : NULL;
		if (!ids) {
			node_free(n, v, (size_t)cap * sizeof(*v));
			return LSOE_E_NOMEM;
		}
		if (n->nports) {
			memcpy(v, n->ports, (size_t)n->nports * sizeof(*v));
			memcpy(ids, n->port_ids, (size_t)n->nports * sizeof(*ids));
		}
		node_free(n, n->ports, (size_t)n->ports_cap * sizeof(*v));
		node_free(n, n->port_ids, (size_t)n->ports_cap * sizeof(*ids));
		n->ports = v;
		n->port_ids = ids;
		n->ports_cap = cap;
	}
	struct port *p = node_alloc(n, sizeof(*p));
	if (!p)
		return LSOE_E_NOMEM;
	memset(p, 0, sizeof(*p));
	p->id = id;
	if (name)
		lsoe_fmt(p->name, sizeof(p->name), "%s", name);
	else
		lsoe_fmt(p->name, sizeof(p->name), "port%u", id);
	memcpy(p->mac, mac, 6);
	p->up = (flags & LSOE_PORT_UP) != 0;
	p->loopback = (flags & LSOE_PORT_LOOPBACK) != 0;
	p->mtu = n->cfg.mtu;
	timer_init(&p->hello, TK_PORT_HELLO);
	memmove(&n->ports[pos + 1], &n->ports[pos], (size_t)(n->nports - pos) * sizeof(*n->ports));
	memmove(&n->port_ids[pos + 1], &n->port_ids[pos], (size_t)(n->nports - pos) * sizeof(*n->port_ids));
	n->ports[pos] = p;
	n->port_ids[pos] = id;
	n->nports++;
	node_log(n, LSOE_LOG_INFO, "port", "%s: added%s%s", p->name, p->up ? ", up" : ", down",
	    p->loopback ? ", loopback" : "");
	if (beacons(p))
		send_hello(n, p); /* a HELLO at once when a port comes up (draft section 9) */
	return LSOE_OK;
}

static void port_close_sessions(struct lsoe_node *n, struct port *p, enum lsoe_down_reason why)
{
	while (p->sessions)
		session_close(n, p->sessions, why);
}

enum lsoe_err lsoe_node_port_set_up(struct lsoe_node *n, uint32_t id, bool up)
{
	struct port *p = port_find(n, id, NULL);
	if (!p)
		return LSOE_E_NO_PORT;
	n->now = node_clock(n);
	if (p->up == up)
		return LSOE_OK;
	p->up = up;
	node_log(n, LSOE_LOG_INFO, "port", "%s: %s", p->name, up ? "up" : "down");
	if (up) {
		if (beacons(p))
			send_hello(n, p);
	} else {
		timer_cancel(&n->timers, &p->hello);
		port_close_sessions(n, p, LSOE_DOWN_PORT_DOWN);
		reasm_flush(n, p->id);
	}
	return LSOE_OK;
}

static void port_free(struct lsoe_node *n, struct port *p)
{
	port_encaps_free(n, p);
	timer_cancel(&n->timers, &p->hello);
	port_ctr_free(n, &p->ctr);
	node_free(n, p, sizeof(*p));
}

enum lsoe_err lsoe_node_port_remove(struct lsoe_node *n, uint32_t id)
{
	uint32_t pos;
	struct port *p = port_find(n, id, &pos);
	if (!p)
		return LSOE_E_NO_PORT;
	n->now = node_clock(n);
	port_close_sessions(n, p, LSOE_DOWN_PORT_DOWN);
	reasm_flush(n, p->id);
	node_log(n, LSOE_LOG_INFO, "port", "%s: removed", p->name);
	port_free(n, p);
	memmove(&n->ports[pos], &n->ports[pos + 1], (size_t)(n->nports - pos - 1) * sizeof(*n->ports));
	memmove(&n->port_ids[pos], &n->port_ids[pos + 1], (size_t)(n->nports - pos - 1) * sizeof(*n->port_ids));
	n->nports--;
	return LSOE_OK;
}

/* ---- sessions: a hash table keyed by (port, MAC), seeded from the platform's randomness ---- */

static uint32_t session_hash(const struct lsoe_node *n, uint32_t port, const uint8_t mac[6])
{
	uint64_t x = (uint64_t)mac[0] << 40 | (uint64_t)mac[1] << 32 | (uint64_t)mac[2] << 24 |
	    (uint64_t)mac[3] << 16 | (uint64_t)mac[4] << 8 | mac[5];
	x ^= (uint64_t)port << 48 ^ n->hash_seed;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	x ^= x >> 31;
	return (uint32_t)x & (n->nbuckets - 1);
}

struct session *session_find(struct lsoe_node *n, const struct port *p, const uint8_t mac[6])
{
	/*
	 * A port's sessions are all on its list: a fabric port has one peer, checked
	 * directly without touching the bucket array (a cache miss at scale).
	 */
	if (p->nsessions <= 1)
		return p->nsessions && memcmp(p->sessions->mac, mac, 6) == 0 ? p->sessions : NULL;
	for (struct session *s = n->buckets[session_hash(n, p->id, mac)]; s; s = s->hnext)
		if (s->port_id == p->id && memcmp(s->mac, mac, 6) == 0)
			return s;
	return NULL;
}

static void buckets_grow(struct lsoe_node *n)
{
	uint32_t nb = n->nbuckets * 2;
	struct session **v = node_alloc(n, (size_t)nb * sizeof(*v));
	if (!v)
		return; /* longer chains, still correct */
	memset(v, 0, (size_t)nb * sizeof(*v));
	struct session **old = n->buckets;
	uint32_t oldn = n->nbuckets;
	n->buckets = v;
	n->nbuckets = nb;
	for (uint32_t i = 0; i < oldn; i++)
		for (struct session *s = old[i], *next; s; s = next) {
			next = s->hnext;
			uint32_t h = session_hash(n, s->port_id, s->mac);
			s->hnext = v[h];
			v[h] = s;
		}
	node_free(n, old, (size_t)oldn * sizeof(*old));
}

struct session *session_create(struct lsoe_node *n, struct port *p, const uint8_t mac[6])
{
	if (p->nsessions >= n->cfg.max_sessions_per_port) {
		COUNT(n, p, sessions_refused);
		/* An event on the first refusal and then at powers of two: a flood must not flood the operator. */
		uint64_t k = port_ctr_get(&p->ctr, CTR_INDEX(sessions_refused)); /* 0: not stored (no memory) */
		if (k && (k & (k - 1)) == 0) {
			struct lsoe_event ev = { .type = LSOE_EV_ERROR, .error = LSOE_ERRK_SESSION_CAP,
				.text = "new peer refused: max-sessions-per-port reached" };
			ev.has_peer = true;
			memcpy(ev.peer_mac, mac, 6);
			node_event(n, &ev, p, NULL);
		}
		return NULL;
	}
	/* A port reserved one session's timers as it was added (lsoe_node_port_add): more peers than ports need more. */
	if (!timers_reserve(n, timers_needed(n->nports, n->nsessions + 1 > n->nports ? n->nsessions + 1 : n->nports)))
		return NULL;
	struct session *s = node_alloc(n, sizeof(*s));
	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->port_id = p->id;
	memcpy(s->mac, mac, 6);
	s->state = SS_OPENING;
	s->since = s->last_rx = n->now;
	timer_init(&s->t_send, TK_SESSION_SEND);
	timer_init(&s->t_recv, TK_SESSION_RECV);
	timer_init(&s->t_rtx, TK_SESSION_RTX);

	if (n->nsessions + 1 > n->nbuckets)
		buckets_grow(n);
	uint32_t h = session_hash(n, p->id, mac);
	s->hnext = n->buckets[h];
	n->buckets[h] = s;
	struct session **pp = &p->sessions;
	while (*pp && memcmp((*pp)->mac, mac, 6) < 0)
		pp = &(*pp)->next;
	s->next = *pp;
	*pp = s;
	p->nsessions++;
	n->nsessions++;
	COUNT(n, p, sessions_created);
	return s;
}

void session_destroy(struct lsoe_node *n, struct session *s)
{
	session_fold_sent(n, s);
	timer_cancel(&n->timers, &s->t_send);
	timer_cancel(&n->timers, &s->t_recv);
	timer_cancel(&n->timers, &s->t_rtx);
	links_free(n, s);
	session_side_free(n, s);
	while (s->peer)
		session_peer_set(n, s, s->peer->type, NULL);

	struct session **pp = &n->buckets[session_hash(n, s->port_id, s->mac)];
	while (*pp != s)
		pp = &(*pp)->hnext;
	*pp = s->hnext;
	struct port *p = session_port(n, s);
	for (pp = &p->sessions; *pp != s; pp = &(*pp)->next)
		;
	*pp = s->next;
	p->nsessions--;
	n->nsessions--;
	node_free(n, s, sizeof(*s));
}

/* ---- receive path ---- */

static void drop(struct lsoe_node *n, struct port *p, enum lsoe_err why, const uint8_t src[6])
{
	COUNT(n, p, rx_dropped);
	COUNT_ARR(n, p, rx_errors, why);
	if (node_log_enabled(n, LSOE_LOG_DEBUG)) {
		char mac[18];
		node_log(n, LSOE_LOG_DEBUG, "rx", "%s %s: dropped: %s", p ? p->name : "?", lsoe_text_mac(mac, src),
		    lsoe_err_name(why));
	}
}

static void arm_reasm(struct lsoe_node *n)
{
	/* The earliest new expiry is now + timeout; anything older already has the timer armed. */
	if (n->reasm && lsoe_reasm_stats(n->reasm)->sources && !timer_armed(&n->t_reasm))
		timer_arm(&n->timers, &n->t_reasm, n->now + n->cfg.reassembly_timeout);
}

/*
 * Most of a fabric's input is a KEEPALIVE to an established session. A valid KEEPALIVE
 * datagram is always the same 11 octets (version, one last fragment, its length, its
 * checksum, the PDU header), so matching them is decoding and checking it, and such a
 * session takes it with no transition (session_keepalive). Counted as the general way
 * counts it. Only without partial PDUs: then the general way would not reassemble it.
 */
static bool keepalive_fast(struct lsoe_node *n, struct port *p, const uint8_t src[6], const uint8_t *payload,
    size_t len)
{
	if (len < sizeof(keepalive_dgram) || memcmp(payload, keepalive_dgram, sizeof(keepalive_dgram)) != 0)
		return false;
	struct session *s = session_find(n, p, src);
	if (!s || !session_keepalive(n, s))
		return false;
	COUNT(n, p, rx_pdus);
	COUNT_ARR(n, p, rx_by_type, LSOE_PDU_KEEPALIVE);
	return true;
}

void lsoe_node_input(struct lsoe_node *n, uint32_t port, const uint8_t src[6], const uint8_t dst[6],
    const uint8_t *payload, size_t len)
{
	n->now = node_clock(n);
	struct port *p = port_find(n, port, NULL);
	if (!p) {
		node_count(n, CTR_INDEX(rx_frames));
		drop(n, NULL, LSOE_E_NO_PORT, src);
		return;
	}
	COUNT(n, p, rx_frames);
	if (!p->up) {
		drop(n, p, LSOE_E_PORT_DOWN, src);
		return;
	}
	if (memcmp(src, p->mac, 6) == 0) {
		COUNT(n, p, rx_own_frames);
		return;
	}
	if (lsoe_mac_is_group(src)) {
		drop(n, p, LSOE_E_SRC_MULTICAST, src);
		return;
	}
	/*
	 * Unicast for another station (a promiscuous port, a shared segment): not ours,
	 * and taking it would let us answer for someone else. Any group address is
	 * accepted, and so is our own for any PDU: HELLO to a unicast address, or the
	 * reverse, is accepted leniently (digest 12.28).
	 */
	if (!lsoe_mac_is_group(dst) && memcmp(dst, p->mac, 6) != 0) {
		drop(n, p, LSOE_E_NOT_FOR_US, src);
		return;
	}
	if (!n->reasm && keepalive_fast(n, p, src, payload, len))
		return;
	struct lsoe_dgram d;
	enum lsoe_err e = lsoe_dgram_decode(payload, len, &d);
	if (e != LSOE_OK) {
		drop(n, p, e, src);
		return;
	}
	bool complete;
	const uint8_t *bytes;
	size_t blen;
	e = reasm_input(n, p, src, &d, &complete, &bytes, &blen);
	arm_reasm(n);
	if (e != LSOE_OK) {
		drop(n, p, e, src);
		return;
	}
	if (!complete)
		return;
	struct lsoe_pdu pdu;
	e = lsoe_pdu_decode(bytes, blen, &pdu);
	if (e != LSOE_OK) {
		/* Malformed: no ACK, the sender's retransmission limit ends a persistent problem (digest 3.1). */
		drop(n, p, e, src);
		return;
	}
	COUNT(n, p, rx_pdus);
	if (pdu.type == LSOE_PDU_KEEPALIVE) /* the bulk: a constant index folds the port's lookup */
		COUNT_ARR(n, p, rx_by_type, LSOE_PDU_KEEPALIVE);
	else
		COUNT_ARR(n, p, rx_by_type, lsoe_pdu_type_slot(pdu.type));
	session_input(n, p, src, session_find(n, p, src), &pdu);
}

/* ---- time ---- */

static void dispatch(struct lsoe_node *n, struct lsoe_timer *t, uint64_t when)
{
	switch (t->kind) {
	case TK_NODE_REASM: {
		uint64_t next = n->reasm ? lsoe_reasm_expire(n->reasm, n->now) : LSOE_NEVER;
		if (next != LSOE_NEVER) {
			timer_arm(&n->timers, &n->t_reasm, next);
		} else if (n->reasm) {
			/* Nothing partial is left: the table goes until the next multi-datagram PDU. */
			lsoe_reasm_destroy(n->reasm);
			n->reasm = NULL;
		}
		break;
	}
	case TK_PORT_HELLO:
		send_hello(n, container_of(t, struct port, hello));
		break;
	case TK_SESSION_SEND:
		session_timer(n, container_of(t, struct session, t_send), t, when);
		break;
	case TK_SESSION_RECV:
		session_timer(n, container_of(t, struct session, t_recv), t, when);
		break;
	case TK_SESSION_RTX:
		session_timer(n, container_of(t, struct session, t_rtx), t, when);
		break;
	}
}

uint64_t lsoe_node_run(struct lsoe_node *n)
{
	n->now = node_clock(n);
	struct lsoe_timer *t;
	uint64_t when;
	node_prefetch_lane_start(n);
	while ((t = timer_pop_due(&n->timers, n->now, &when))) {
		node_prefetch_lane(n);
		dispatch(n, t, when);
	}
	return lsoe_node_next_deadline(n);
}

uint64_t lsoe_node_next_deadline(const struct lsoe_node *n)
{
	_Static_assert(LSOE_NEVER == UINT64_MAX, "timer_next's none");
	return timer_next(&n->timers);
}

/* ---- lifetime ---- */

struct lsoe_node *lsoe_node_create(const struct lsoe_config *cfg, const struct lsoe_platform *pf)
{
	char why[128];
	if (!cfg || !pf || !pf->now_ns || !pf->send || !pf->random || !pf->alloc || !pf->free ||
	    !lsoe_config_check(cfg, why, sizeof(why)))
		return NULL;
	struct lsoe_node *n = pf->alloc(pf->ctx, sizeof(*n));
	if (!n)
		return NULL;
	memset(n, 0, sizeof(*n));
	n->pf = *pf;
	n->pf_ctx = pf->ctx;
	n->clock = pf->clock;
	n->pf_send = pf->send;
	n->pf_prefetch_send = pf->prefetch_send;
	n->mem_bytes = n->mem_peak = sizeof(*n);
	if (!node_cfg_make(n, &n->cfg, cfg, NULL)) {
		pf->free(pf->ctx, n, sizeof(*n));
		return NULL;
	}
	n->log_level = n->cfg.log_level;
	n->now = n->epoch = node_clock(n);
	pf->random(pf->ctx, &n->hash_seed, sizeof(n->hash_seed));
	timer_init(&n->t_reasm, TK_NODE_REASM);
	n->reasm_max_sources = cfg->reassembly_max_sources;
	n->reasm_max_bytes = cfg->reassembly_max_bytes;

	n->nbuckets = 16;
	n->buckets = node_alloc(n, n->nbuckets * sizeof(*n->buckets));
	if (!n->buckets || !timers_reserve(n, timers_needed(0, 0))) {
		lsoe_node_destroy(n);
		return NULL;
	}
	memset(n->buckets, 0, n->nbuckets * sizeof(*n->buckets));
	return n;
}

unsigned lsoe_node_withdraw(struct lsoe_node *n)
{
	for (uint32_t i = 0; i < n->nports; i++) {
		struct port *p = n->ports[i];
		for (unsigned t = 0; t < ENCAP_TYPES; t++)
			if (p->encap_set & (1u << t))
				lsoe_node_set_encaps(n, p->id, LSOE_PDU_IPV4_ENCAP + t, NULL, 0);
	}
	node_log(n, LSOE_LOG_INFO, "node", "withdrawing every encapsulation before shutdown");
	return lsoe_node_unacked(n);
}

unsigned lsoe_node_unacked(const struct lsoe_node *n)
{
	unsigned k = 0;
	for (uint32_t i = 0; i < n->nports; i++)
		for (const struct session *s = n->ports[i]->sessions; s; s = s->next)
			for (unsigned j = 0; j < SLOTS; j++) {
				const struct rtx_slot *r = session_slot(s, j);
				k += r ? 1u + (session_slot_pending(n, s, j, r) != NULL) : 0u;
			}
	return k;
}

void lsoe_node_shutdown(struct lsoe_node *n)
{
	n->now = node_clock(n);
	for (uint32_t i = 0; i < n->nports; i++)
		port_close_sessions(n, n->ports[i], LSOE_DOWN_SHUTDOWN);
}

void lsoe_node_destroy(struct lsoe_node *n)
{
	if (!n)
		return;
	for (uint32_t i = 0; i < n->nports; i++) {
		while (n->ports[i]->sessions)
			session_destroy(n, n->ports[i]->sessions);
		port_free(n, n->ports[i]);
	}
	node_free(n, n->ports, (size_t)n->ports_cap * sizeof(*n->ports));
	node_free(n, n->port_ids, (size_t)n->ports_cap * sizeof(*n->port_ids));
	node_free(n, n->buckets, (size_t)n->nbuckets * sizeof(*n->buckets));
	node_free(n, n->vendors, (size_t)n->nvendors * sizeof(*n->vendors));
	node_free(n, n->timers.v, (size_t)n->timers.cap * sizeof(*n->timers.v));
	encap_block_free(n, n->dec);
	encap_block_free(n, n->dec_peer);
	node_cfg_free(n, &n->cfg);
	node_ctr_free(n);
	node_free(n, n->ctr_view, sizeof(*n->ctr_view));
	pdubuf_unref(n, n->open_pdu);
	if (n->reasm)
		lsoe_reasm_destroy(n->reasm);
	n->pf.free(n->pf.ctx, n, sizeof(*n));
}

enum lsoe_err lsoe_node_reconfigure(struct lsoe_node *n, const struct lsoe_config *cfg)
{
	char why[128];
	if (!lsoe_config_check(cfg, why, sizeof(why)))
		return LSOE_E_INVALID;
	struct node_cfg next;
	if (!node_cfg_make(n, &next, cfg, &n->cfg))
		return LSOE_E_NOMEM;
	n->now = node_clock(n);
	/*
	 * A reload never drops a session because timers changed (README, "Interpretations"):
	 * a changed receive (or idle) timeout counts from now for every session, since the
	 * peer's spacing was set for the old one; shorter intervals take effect at once
	 * (the next HELLO, KEEPALIVE or retransmission no later than the new values allow
	 * from now), longer ones from the next send.
	 */
	if (cfg->keepalive_receive_timeout != n->cfg.keepalive_receive_timeout)
		n->recv_changed = n->now;
	if (cfg->idle_timeout != n->cfg.idle_timeout)
		n->idle_changed = n->now;
	/* Partial PDUs: a new reassembly timeout counts from each one's start; the expiry run finds the next. */
	if (cfg->reassembly_timeout != n->cfg.reassembly_timeout && timer_armed(&n->t_reasm))
		timer_arm(&n->timers, &n->t_reasm, n->now);
	node_cfg_replace(n, &n->cfg, &next);
	n->log_level = n->cfg.log_level;
	/* The next fresh OPEN says the new local ID, attributes and auth; those out still resend as they were. */
	pdubuf_unref(n, n->open_pdu);
	n->open_pdu = NULL;
	if (n->reasm)
		lsoe_reasm_set_timeout(n->reasm, cfg->reassembly_timeout);
	for (uint32_t i = 0; i < n->nports; i++) {
		struct port *p = n->ports[i];
		if (timer_armed(&p->hello) && timer_when(&n->timers, &p->hello) > n->now + cfg->hello_interval)
			timer_arm(&n->timers, &p->hello, n->now + cfg->hello_interval);
		for (struct session *s = p->sessions; s; s = s->next)
			session_reconfigured(n, s);
	}
	node_log(n, LSOE_LOG_INFO, "node", "configuration applied");
	return LSOE_OK;
}

/* ---- vendor PDUs and operator actions ---- */

enum lsoe_err lsoe_node_vendor_register(struct lsoe_node *n, uint32_t enterprise, lsoe_vendor_fn fn, void *ctx)
{
	for (uint32_t i = 0; i < n->nvendors; i++)
		if (n->vendors[i].enterprise == enterprise) {
			n->vendors[i].fn = fn;
			n->vendors[i].ctx = ctx;
			return LSOE_OK;
		}
	struct vendor_handler *v = node_alloc(n, (size_t)(n->nvendors + 1) * sizeof(*v));
	if (!v)
		return LSOE_E_NOMEM;
	if (n->nvendors)
		memcpy(v, n->vendors, (size_t)n->nvendors * sizeof(*v));
	node_free(n, n->vendors, (size_t)n->nvendors * sizeof(*v));
	v[n->nvendors] = (struct vendor_handler){ enterprise, fn, ctx };
	n->vendors = v;
	n->nvendors++;
	return LSOE_OK;
}

enum lsoe_err lsoe_node_vendor_send(struct lsoe_node *n, uint32_t port, const uint8_t peer[6], uint32_t enterprise,
    uint8_t ent_type, const uint8_t *data, uint16_t len)
{
	struct port *p = port_find(n, port, NULL);
	if (!p)
		return LSOE_E_NO_PORT;
	struct session *s = session_find(n, p, peer);
	if (!s)
		return LSOE_E_NO_SESSION;
	n->now = node_clock(n);
	struct lsoe_pdu pdu = { .type = LSOE_PDU_VENDOR };
	pdu.u.vendor.enterprise = enterprise;
	pdu.u.vendor.ent_type = ent_type;
	pdu.u.vendor.data = data;
	pdu.u.vendor.data_len = len;
	size_t plen = lsoe_pdu_encoded_len(&pdu), out;
	if (plen == 0)
		return LSOE_E_PDU_TOO_BIG;
	struct pdubuf *b = pdubuf_new(n, NULL, plen, LSOE_PDU_VENDOR);
	if (!b)
		return LSOE_E_NOMEM;
	enum lsoe_err e = lsoe_pdu_encode(&pdu, b->bytes, plen, &out);
	if (e == LSOE_OK)
		e = session_queue_vendor(n, s, b);
	pdubuf_unref(n, b);
	return e;
}

enum lsoe_err lsoe_node_session_reset(struct lsoe_node *n, uint32_t port, const uint8_t peer[6])
{
	struct port *p = port_find(n, port, NULL);
	if (!p)
		return LSOE_E_NO_PORT;
	struct session *s = session_find(n, p, peer);
	if (!s)
		return LSOE_E_NO_SESSION;
	if (s->state != SS_HOLD)
		return LSOE_E_INVALID;
	n->now = node_clock(n);
	struct fsm_input in = { .port = p, .src = peer, .reason = LSOE_DOWN_SHUTDOWN };
	fsm_run(n, s, EV_RESET, &in);
	return LSOE_OK;
}

/* ---- views ---- */

bool lsoe_node_has_session(struct lsoe_node *n, uint32_t port, const uint8_t peer[6])
{
	struct port *p = port_find(n, port, NULL);
	return p && session_find(n, p, peer) != NULL;
}

void lsoe_node_foreach_port(struct lsoe_node *n, lsoe_port_visit_fn fn, void *ctx)
{
	struct lsoe_counters ctr; /* the port's counters, whole, for the duration of the call */
	for (uint32_t i = 0; i < n->nports; i++) {
		const struct port *p = n->ports[i];
		port_ctr_expand(&p->ctr, &ctr);
		for (const struct session *s = p->sessions; s; s = s->next) /* their KEEPALIVEs not yet folded */
			for (size_t k = 0; k < sizeof(ka_sent_ctrs); k++)
				((uint64_t *)(void *)&ctr)[ka_sent_ctrs[k]] += s->ka_sent;
		struct lsoe_port_view v = {
			.port = p->id, .name = p->name, .up = p->up, .loopback = p->loopback, .mtu = p->mtu,
			.sessions = p->nsessions, .encap_types = p->encap_set, .counters = &ctr,
		};
		memcpy(v.mac, p->mac, 6);
		size_t at = 0; /* every list of the port decoded side by side */
		for (unsigned t = 0; t < ENCAP_TYPES; t++) {
			const struct port_list *l = port_local(p, t);
			if (l) {
				v.encaps[t] = port_list_decode(n, l, at);
				v.encap_count[t] = l->count;
				v.encap_left_out[t] = l->given - l->count;
				at += l->count;
			}
		}
		fn(ctx, &v);
	}
}

void lsoe_node_foreach_session(struct lsoe_node *n, lsoe_session_visit_fn fn, void *ctx)
{
	for (uint32_t i = 0; i < n->nports; i++)
		for (struct session *s = n->ports[i]->sessions; s; s = s->next) {
			struct lsoe_session_view v;
			session_fill_view(n, s, &v);
			fn(ctx, &v);
		}
}

void lsoe_node_counters_get(const struct lsoe_node *n, struct lsoe_counters *out)
{
	node_ctr_expand(n, out);
}

const struct lsoe_counters *lsoe_node_counters(const struct lsoe_node *n)
{
	/* The copy is made on demand, the node being ours to write: most nodes are never asked (744 octets each). */
	struct lsoe_node *m = (struct lsoe_node *)(uintptr_t)n;
	if (!m->ctr_view && !(m->ctr_view = node_alloc(m, sizeof(*m->ctr_view))))
		return NULL;
	lsoe_node_counters_get(m, m->ctr_view);
	return m->ctr_view;
}

void lsoe_node_memory(const struct lsoe_node *n, struct lsoe_node_memory *m)
{
	m->bytes = n->mem_bytes;
	m->peak_bytes = n->mem_peak;
	m->sessions = n->nsessions;
	m->ports = n->nports;
	m->timers_armed = timer_count(&n->timers);
}
