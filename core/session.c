/*
 * One session: the per-peer protocol of draft -01 sections 9-14 (digest 5 and 6).
 *
 * session_input() turns a valid PDU into a state-machine event; the actions the
 * table (session_fsm.c) names are here: OPEN and ACK handling, retransmission with
 * backoff and a drop limit, keepalives, the encapsulation exchange, VENDOR, and
 * teardown with its northbound withdrawals.
 */
#include <string.h>

#include "bytes.h"
#include "node_internal.h"
#include "text.h"

static const uint8_t slot_type[SLOTS] = {
	[SLOT_OPEN] = LSOE_PDU_OPEN,
	[SLOT_IPV4] = LSOE_PDU_IPV4_ENCAP,
	[SLOT_IPV6] = LSOE_PDU_IPV6_ENCAP,
	[SLOT_MPLS_IPV4] = LSOE_PDU_MPLS_IPV4_ENCAP,
	[SLOT_MPLS_IPV6] = LSOE_PDU_MPLS_IPV6_ENCAP,
	[SLOT_VENDOR] = LSOE_PDU_VENDOR,
};

static unsigned slot_of(unsigned type)
{
	if (type == LSOE_PDU_OPEN)
		return SLOT_OPEN;
	if (lsoe_pdu_type_is_encap(type))
		return SLOT_IPV4 + encap_index(type);
	return SLOT_VENDOR;
}

static const char *peer_text(const struct session *s, char buf[18])
{
	return lsoe_text_mac(buf, s->mac);
}

/* ---- sending ---- */

static void send_ack(struct lsoe_node *n, struct port *p, const uint8_t dst[6], unsigned type, unsigned etype,
    unsigned code, unsigned hint)
{
	struct lsoe_pdu ack = { .type = LSOE_PDU_ACK };
	ack.u.ack.pdu_type = (uint8_t)type;
	ack.u.ack.etype = (uint8_t)etype;
	ack.u.ack.code = (uint16_t)code;
	ack.u.ack.hint = (uint16_t)hint;
	uint8_t buf[LSOE_ACK_LEN];
	size_t len;
	if (lsoe_pdu_encode(&ack, buf, sizeof(buf), &len) != LSOE_OK)
		return;
	node_send_pdu(n, p, dst, buf, len);
	COUNT(n, p, acks_sent);
	if (etype != LSOE_ETYPE_NONE) {
		COUNT(n, p, error_acks_sent);
		struct lsoe_event ev = { .type = LSOE_EV_ERROR, .error = LSOE_ERRK_ACK_SENT, .ack_pdu_type = (uint8_t)type,
			.etype = (uint8_t)etype, .code = (uint16_t)code, .hint = (uint16_t)hint,
			.text = code == LSOE_ECODE_ADDR_CONFLICT ? "link addressing conflict"
			    : code == LSOE_ECODE_AUTH_FAILURE ? "authorisation failure in OPEN" : "error" };
		ev.has_peer = true;
		memcpy(ev.peer_mac, dst, 6);
		node_event(n, &ev, p, NULL);
	}
}

/* Counted in the session: added to its port's counters when they are read, folded into them when the session goes or the count fills. */
static void send_keepalive(struct lsoe_node *n, struct session *s)
{
	node_send_keepalive(n, s->port_id, s->mac);
	if (++s->ka_sent == UINT32_MAX)
		session_fold_sent(n, s);
}

void session_fold_sent(struct lsoe_node *n, struct session *s)
{
	if (!s->ka_sent)
		return;
	for (size_t i = 0; i < sizeof(ka_sent_ctrs); i++)
		port_count_add(n, &session_port(n, s)->ctr, ka_sent_ctrs[i], s->ka_sent);
	s->ka_sent = 0;
}

/* Wait after send number `sends` (1 = the first): doubles with backoff, and stops doubling once it reaches an hour. */
static uint64_t rtx_interval(const struct lsoe_node *n, unsigned sends)
{
	uint64_t iv = n->cfg.retransmit_initial;
	if (n->cfg.retransmit_backoff)
		for (unsigned i = 1; i < sends && iv < 3600000000000ull; i++)
			iv *= 2;
	return iv;
}

/* ---- the side: retransmission slots while anything waits for its ACK ---- */

static size_t side_size(unsigned cap)
{
	return sizeof(struct session_side) + (size_t)cap * sizeof(struct rtx_slot);
}

bool session_side_room(struct lsoe_node *n, struct session *s, unsigned mask, unsigned at_least)
{
	struct session_side *d = s->side;
	unsigned need = ctr_popcount((d ? d->held : 0u) | mask);
	if (need < at_least)
		need = at_least;
	if (d && need <= d->cap)
		return true;
	struct session_side *e = node_alloc(n, side_size(need));
	if (!e)
		return false;
	memset(e, 0, side_size(need));
	if (d) {
		memcpy(e, d, side_size(ctr_popcount(d->held)));
		node_free(n, d, side_size(d->cap));
	}
	e->cap = (uint8_t)need;
	s->side = e;
	return true;
}

void session_side_trim(struct lsoe_node *n, struct session *s, bool always)
{
	struct session_side *d = s->side;
	if (!d || d->held || d->link_view || (!always && s->state != SS_ESTABLISHED))
		return;
	node_free(n, d, side_size(d->cap));
	s->side = NULL;
}

/* Slot i becomes held, empty (room for it was made). */
static struct rtx_slot *slot_hold(struct session *s, unsigned i)
{
	struct session_side *d = s->side;
	unsigned at = side_rank(d, i), k = ctr_popcount(d->held);
	memmove(&d->rtx[at + 1], &d->rtx[at], (size_t)(k - at) * sizeof(d->rtx[0]));
	memset(&d->rtx[at], 0, sizeof(d->rtx[0]));
	d->held |= (uint8_t)(1u << i);
	d->sends[i] = 0;
	return &d->rtx[at];
}

/* Slot i (held) is let go, its PDUs unreferenced unless taken; the side stays, with room for it. */
static void slot_release(struct lsoe_node *n, struct session *s, unsigned i)
{
	struct session_side *d = s->side;
	unsigned at = side_rank(d, i), k = ctr_popcount(d->held);
	pdubuf_unref(n, d->rtx[at].pdu);
	memmove(&d->rtx[at], &d->rtx[at + 1], (size_t)(k - at - 1) * sizeof(d->rtx[0]));
	d->held &= (uint8_t)~(1u << i);
	d->sends[i] = 0;
}

/* The slots s holds at once before its encapsulations are ACKed: its OPEN, then (ACKed by then) one per type of the port. */
static unsigned opening_slots(const struct lsoe_node *n, const struct session *s)
{
	unsigned types = ctr_popcount(session_port(n, s)->encap_set);
	return types ? types : 1u;
}

static void arm_rtx(struct lsoe_node *n, struct session *s)
{
	uint64_t first = LSOE_NEVER;
	const struct session_side *d = s->side;
	for (unsigned i = 0, k = d ? ctr_popcount(d->held) : 0; i < k; i++)
		if (d->rtx[i].deadline < first)
			first = d->rtx[i].deadline;
	if (first == LSOE_NEVER)
		timer_cancel(&n->timers, &s->t_rtx);
	else if (!timer_armed(&s->t_rtx) || timer_when(&n->timers, &s->t_rtx) != first)
		timer_arm(&n->timers, &s->t_rtx, first);
}

/* A held slot's PDU onto the wire. An OPEN's is the node's (open_template): this session's nonce goes in. */
static void send_slot_pdu(struct lsoe_node *n, struct session *s, const struct pdubuf *b)
{
	if (b->type != LSOE_PDU_OPEN) {
		node_send_pdu(n, session_port(n, s), s->mac, b->bytes, b->len);
		return;
	}
	uint8_t buf[LSOE_OPEN_MIN_LEN + 255 + LSOE_CFG_AUTH_MAX];
	memcpy(buf, b->bytes, b->len);
	lsoe_put32(buf + LSOE_PDU_HDR_LEN, s->our_nonce); /* the nonce opens the OPEN's body (pdu.c) */
	node_send_pdu(n, session_port(n, s), s->mac, buf, b->len);
}

static void transmit_slot(struct lsoe_node *n, struct session *s, unsigned slot)
{
	struct rtx_slot *r = session_slot(s, slot);
	send_slot_pdu(n, s, r->pdu);
	s->side->sends[slot]++;
	r->deadline = n->now + rtx_interval(n, s->side->sends[slot]);
}

/*
 * Start an ACKed PDU: send it now, or hold it while one of its type is outstanding (one
 * per type: ACKs carry only the type). The side has room for the slot (session_side_room).
 */
static void queue_slot(struct lsoe_node *n, struct session *s, unsigned slot, struct pdubuf *b)
{
	if (session_slot(s, slot))
		return; /* a list, sent when the outstanding one is ACKed: the newest then replaces all before it (digest 5.4) */
	if (!session_side_room(n, s, 1u << slot, 0)) {
		/* Cannot happen: room is made before (session_side_room's callers). Said, not corrupted. */
		char mac[18];
		node_log(n, LSOE_LOG_ERROR, "session", "%s %s: no room for %s: not sent", session_port(n, s)->name,
		    peer_text(s, mac), lsoe_pdu_type_name(slot_type[slot]));
		return;
	}
	struct rtx_slot *r = slot_hold(s, slot);
	r->pdu = pdubuf_ref(b);
	transmit_slot(n, s, slot);
	arm_rtx(n, s);
}

static void clear_slot(struct lsoe_node *n, struct session *s, unsigned slot)
{
	if (session_slot(s, slot))
		slot_release(n, s, slot);
}

void session_side_free(struct lsoe_node *n, struct session *s)
{
	for (unsigned i = 0; i < SLOTS; i++)
		clear_slot(n, s, i);
	session_side_trim(n, s, true);
}

struct pdubuf *session_slot_pending(const struct lsoe_node *n, const struct session *s, unsigned i,
    const struct rtx_slot *r)
{
	if (i < SLOT_IPV4 || i >= SLOT_IPV4 + ENCAP_TYPES || s->state != SS_ESTABLISHED)
		return NULL;
	struct pdubuf *b = port_pdu(session_port(n, s), i - SLOT_IPV4);
	return b != r->pdu ? b : NULL;
}

/* The outstanding PDU of slot was ACKed: send what waited behind it. */
static void complete_slot(struct lsoe_node *n, struct session *s, unsigned slot)
{
	struct pdubuf *next = session_slot_pending(n, s, slot, session_slot(s, slot));
	slot_release(n, s, slot);
	if (next)
		queue_slot(n, s, slot, next);
	arm_rtx(n, s);
	session_side_trim(n, s, false);
}

/*
 * Our OPEN but for its nonce, made once for every session (a fabric's 180k OPENs were
 * 32 octets each while it converged): a slot holds it, the nonce is the session's.
 */
static struct pdubuf *open_template(struct lsoe_node *n)
{
	if (n->open_pdu)
		return n->open_pdu;
	struct lsoe_pdu open = { .type = LSOE_PDU_OPEN };
	memcpy(open.u.open.local_id, n->cfg.local_id, LSOE_LOCAL_ID_LEN);
	open.u.open.attr_count = n->cfg.attr_count;
	open.u.open.attrs = n->cfg.attrs;
	open.u.open.auth_len = n->cfg.auth_len;
	open.u.open.auth = n->cfg.auth;
	uint8_t buf[LSOE_OPEN_MIN_LEN + 255 + LSOE_CFG_AUTH_MAX];
	size_t len;
	if (lsoe_pdu_encode(&open, buf, sizeof(buf), &len) != LSOE_OK)
		return NULL;
	n->open_pdu = pdubuf_new(n, buf, len, LSOE_PDU_OPEN);
	return n->open_pdu;
}

/*
 * Send our OPEN. A fresh nonce marks a new incarnation of our side of the session
 * (a start, or our own restart); retransmissions resend the PDU unchanged.
 */
static void send_open(struct lsoe_node *n, struct session *s, bool fresh)
{
	uint32_t nonce = s->our_nonce;
	if (fresh)
		n->pf.random(n->pf.ctx, &nonce, sizeof(nonce));
	struct pdubuf *b = open_template(n);
	if (!b || !session_side_room(n, s, 1u << SLOT_OPEN, opening_slots(n, s)))
		return; /* counted; the peer's next HELLO (act_nudge_open) or our restart will try again */
	clear_slot(n, s, SLOT_OPEN);
	s->our_nonce = nonce;
	s->last_open = n->now;
	s->flags = (uint8_t)((s->flags & ~SF_OPEN_DELAYED) | SF_OPEN_SENT);
	queue_slot(n, s, SLOT_OPEN, b);
}

static void send_fresh_open(struct lsoe_node *n, struct session *s)
{
	send_open(n, s, true);
}

/* After a failure, OPEN again at once, but at most once per retransmit-initial-interval (digest 5.6). */
static void restart_open(struct lsoe_node *n, struct session *s)
{
	uint64_t earliest = s->last_open + n->cfg.retransmit_initial;
	if ((s->flags & SF_OPEN_SENT) && n->now < earliest) {
		s->flags |= SF_OPEN_DELAYED;
		timer_arm(&n->timers, &s->t_send, earliest);
		return;
	}
	send_fresh_open(n, s);
}

/* ---- northbound ---- */

/* The peer's list of type (count entries at v; NULL, 0: withdrawn) northbound. */
static void report_encaps(struct lsoe_node *n, struct session *s, unsigned type, const struct lsoe_encap *v,
    uint16_t count)
{
	struct lsoe_event ev = { .type = LSOE_EV_ENCAPS, .encap_type = (uint8_t)type };
	ev.encaps = v;
	ev.encap_count = count;
	node_event(n, &ev, session_port(n, s), s);
}

/*
 * End what the session had: report the down and withdraw the peer's
 * encapsulations if it was up, forget the peer's lists, cancel every
 * retransmission and the keepalive timer. The caller picks the next state.
 */
static void teardown_text(struct lsoe_node *n, struct session *s, enum lsoe_down_reason why, const char *text)
{
	if (s->flags & SF_WAS_UP) {
		struct port *p = session_port(n, s);
		struct lsoe_event ev = { .type = LSOE_EV_SESSION_DOWN, .reason = why, .text = text };
		node_event(n, &ev, p, s);
		/* The withdrawal: an empty list for every type, whatever the peer had sent (as py-lsoed). */
		for (unsigned i = 0; i < ENCAP_TYPES; i++)
			report_encaps(n, s, LSOE_PDU_IPV4_ENCAP + i, NULL, 0);
		links_withdraw(n, s);
		COUNT(n, p, sessions_closed);
		COUNT_ARR(n, p, sessions_down, why);
		s->flags &= (uint8_t)~SF_WAS_UP;
		char mac[18];
		node_log(n, text ? LSOE_LOG_WARNING : LSOE_LOG_INFO, "session", "%s %s: session down (%s%s%s)",
		    p->name, peer_text(s, mac), lsoe_down_reason_name(why), text ? ": " : "", text ? text : "");
	}
	for (unsigned i = 0; i < ENCAP_TYPES; i++)
		session_peer_set(n, s, LSOE_PDU_IPV4_ENCAP + i, NULL); /* its attributes stay, until its next OPEN */
	s->peer_encap_mask = 0;
	session_side_free(n, s);
	s->flags &= (uint8_t)~SF_OPEN_DELAYED;
	timer_cancel(&n->timers, &s->t_rtx);
	timer_cancel(&n->timers, &s->t_send);
}

static void teardown(struct lsoe_node *n, struct session *s, enum lsoe_down_reason why)
{
	teardown_text(n, s, why, NULL);
}

/* Copy the peer's attributes (first half of recording its OPEN: the part that can fail). */
static bool dup_attrs(struct lsoe_node *n, const struct lsoe_open *o, struct peer_list **out)
{
	*out = NULL;
	if (!o->attr_count)
		return true;
	*out = peer_attrs_new(n, o->attrs, o->attr_count);
	return *out != NULL;
}

/* Second half: cannot fail. */
static void commit_peer_open(struct lsoe_node *n, struct session *s, const struct lsoe_open *o, struct peer_list *attrs)
{
	session_peer_set(n, s, PEER_ATTRS, attrs);
	s->peer_nonce = o->nonce;
	memcpy(s->peer_id, o->local_id, LSOE_LOCAL_ID_LEN);
}

static bool record_peer_open(struct lsoe_node *n, struct session *s, const struct lsoe_open *o)
{
	struct peer_list *attrs;
	if (!dup_attrs(n, o, &attrs))
		return false;
	commit_peer_open(n, s, o, attrs);
	return true;
}

/* ---- timers ---- */

void session_arm_recv(struct lsoe_node *n, struct session *s)
{
	uint64_t timeout, changed = n->recv_changed;
	if (s->state == SS_ESTABLISHED) {
		timeout = n->cfg.keepalive_receive_timeout;
	} else if (s->state == SS_HOLD || n->cfg.keepalive_receive_timeout == 0) {
		timeout = n->cfg.idle_timeout;
		/* In OPENING the idle timeout stands in for a receive timeout of 0: a change of either counts. */
		if (s->state == SS_HOLD || n->idle_changed > changed)
			changed = n->idle_changed;
	} else {
		timeout = n->cfg.keepalive_receive_timeout;
	}
	if (timeout == 0) {
		timer_cancel(&n->timers, &s->t_recv);
		return;
	}
	/*
	 * From the peer's last PDU, but never from before the timeout changed: the peer
	 * spaced its PDUs for the old one, so a reload gives it a full new window.
	 */
	uint64_t from = s->last_rx > changed ? s->last_rx : changed;
	/* Lazy: a timer already armed is checked against last_rx when it fires, so a PDU costs no heap work. */
	if (!timer_armed(&s->t_recv) || timer_when(&n->timers, &s->t_recv) > from + timeout)
		timer_arm(&n->timers, &s->t_recv, from + timeout);
}

/*
 * The next keepalive after now, on the node's beat: multiples of keepalive-send-interval
 * from the node's creation. Every session still sends at least once per interval, and
 * a node with many sessions wakes once per interval for all of them instead of once per
 * session (lsoed at 64 neighbours: one wake-up a second instead of 64).
 */
static uint64_t next_beat(const struct lsoe_node *n, uint64_t now)
{
	uint64_t iv = n->cfg.keepalive_send;
	return n->epoch + ((now - n->epoch) / iv + 1) * iv;
}

void session_enter_established(struct lsoe_node *n, struct session *s)
{
	struct port *p = session_port(n, s);
	s->flags |= SF_WAS_UP;
	COUNT(n, p, sessions_established);
	char mac[18], id[LSOE_LOCAL_ID_LEN * 3];
	node_log(n, LSOE_LOG_INFO, "session", "%s %s: session up, peer id %s", p->name, peer_text(s, mac),
	    lsoe_text_hexcolon(id, sizeof(id), s->peer_id, LSOE_LOCAL_ID_LEN));
	struct lsoe_event ev = { .type = LSOE_EV_SESSION_UP };
	ev.attrs = session_attrs(s, &ev.attr_count);
	node_event(n, &ev, p, s);
	/* Keepalives start at once (digest 5.5), then every keepalive-send-interval. */
	send_keepalive(n, s);
	timer_arm_lane(&n->timers, &s->t_send, next_beat(n, n->now));
	timer_cancel(&n->timers, &s->t_recv); /* re-armed for the established timeout by fsm_run */
	/* One PDU per encapsulation type configured on the port, empty lists included (digest 12.21). */
	for (unsigned i = 0; i < ENCAP_TYPES; i++)
		if (port_pdu(p, i))
			queue_slot(n, s, SLOT_IPV4 + i, port_pdu(p, i));
	session_side_trim(n, s, false);
}

void session_timer(struct lsoe_node *n, struct session *s, struct lsoe_timer *t, uint64_t when)
{
	if (t == &s->t_send) { /* a keepalive reads no more than the session's first line */
		if (s->flags & SF_OPEN_DELAYED) {
			send_fresh_open(n, s);
		} else if (s->state == SS_ESTABLISHED) {
			send_keepalive(n, s);
			timer_arm_lane(&n->timers, &s->t_send, next_beat(n, when)); /* on the beat: in order */
		}
		return;
	}
	struct fsm_input in = { .port = session_port(n, s), .src = s->mac };
	if (t == &s->t_recv) {
		session_arm_recv(n, s);
		if (!timer_armed(&s->t_recv) || timer_when(&n->timers, &s->t_recv) > n->now)
			return; /* heard from the peer since (or the timeout is now "never") */
		in.reason = LSOE_DOWN_KEEPALIVE_TIMEOUT;
		if (s->state != SS_ESTABLISHED)
			COUNT(n, in.port, sessions_expired);
		/*
		 * A timeout shorter than the spacing the peer keeps is a misconfiguration, not a
		 * lost peer: say so (its last two KEEPALIVEs in a row are the evidence).
		 */
		char why[160], a[24], b[24];
		uint64_t gap = (uint64_t)s->rx_gap_ms * 1000000u;
		if (s->state == SS_ESTABLISHED && gap > n->cfg.keepalive_receive_timeout) {
			lsoe_fmt(why, sizeof(why),
			    "keepalive-receive-timeout (%s s) is shorter than the peer's keepalive spacing observed (%s s)",
			    lsoe_text_seconds(a, sizeof(a), n->cfg.keepalive_receive_timeout),
			    lsoe_text_seconds(b, sizeof(b), gap));
			in.text = why;
		}
		fsm_run(n, s, EV_RECV_TIMEOUT, &in);
		return;
	}
	/* Retransmissions: every slot whose deadline has come. */
	for (unsigned i = 0; i < SLOTS; i++) {
		struct rtx_slot *r = session_slot(s, i);
		if (!r || r->deadline > n->now)
			continue;
		if (s->side->sends[i] >= n->cfg.retransmit_max_drop) {
			/* retransmit-max-drop counts the first transmission (digest 5.4, 12.10). */
			COUNT(n, in.port, retransmit_failures);
			char mac[18];
			node_log(n, LSOE_LOG_INFO, "session", "%s %s: %s not acknowledged after %u sends", in.port->name,
			    peer_text(s, mac), lsoe_pdu_type_name(slot_type[i]), s->side->sends[i]);
			in.slot = i;
			in.reason = LSOE_DOWN_RETRANSMIT_LIMIT;
			fsm_run(n, s, EV_RTX_FAILED, &in);
			return;
		}
		transmit_slot(n, s, i);
		s->retransmits++;
		COUNT(n, in.port, retransmits);
	}
	arm_rtx(n, s);
}

/* ---- input: a valid PDU becomes an event ---- */

static bool auth_ok(const struct lsoe_node *n, const struct lsoe_open *o)
{
	/* Without a required secret, auth data is accepted and ignored (digest 12.24). */
	if (!n->cfg.auth_required)
		return true;
	return o->auth_len == n->cfg.auth_len && memcmp(o->auth, n->cfg.auth, o->auth_len) == 0;
}

/*
 * A valid PDU from the peer. The peer's keepalive spacing is kept to explain a timeout
 * shorter than it (ms: 49 days fit). Two KEEPALIVEs in a row measure it; after another
 * PDU (an ACK, a list) the gap is only a lower bound, which may raise the last measure
 * but not replace it.
 */
static inline void note_rx(struct lsoe_node *n, struct session *s, bool keepalive)
{
	if (keepalive) {
		uint64_t gap = (n->now - s->last_rx) / 1000000u;
		uint32_t ms = gap > UINT32_MAX ? UINT32_MAX : (uint32_t)gap;
		if ((s->flags & SF_RX_KEEPALIVE) || ms > s->rx_gap_ms)
			s->rx_gap_ms = ms;
		s->flags |= SF_RX_KEEPALIVE;
	} else {
		s->flags &= (uint8_t)~SF_RX_KEEPALIVE;
	}
	s->last_rx = n->now;
}

bool session_keepalive(struct lsoe_node *n, struct session *s)
{
	/* What fsm_run does for KEEPALIVE in ESTABLISHED (act_none, SAME), but for its debug log line. */
	if (s->state != SS_ESTABLISHED || node_log_enabled(n, LSOE_LOG_DEBUG))
		return false;
	note_rx(n, s, true);
	n->fsm_abort = false;
	/*
	 * An armed receive timer of an established session counts from an earlier PDU with
	 * the same timeout (entering ESTABLISHED and a reload re-arm it): this PDU could only
	 * move it later, which is left to when it fires (session_arm_recv's laziness). Not
	 * asking saves reading its deadline from the heap: a line a KEEPALIVE at scale.
	 */
	if (!timer_armed(&s->t_recv))
		session_arm_recv(n, s);
	return true;
}

void session_input(struct lsoe_node *n, struct port *p, const uint8_t src[6], struct session *s,
    const struct lsoe_pdu *pdu)
{
	struct fsm_input in = { .port = p, .src = src, .pdu = pdu };
	enum fsm_event ev;

	/*
	 * Any valid PDU feeds the receive timer (digest 12.14) except, once established, a
	 * HELLO: it is multicast and sessionless, proof that the box is up, not that it
	 * still holds the session. A peer that crashed and came back would otherwise keep a
	 * dead session alive with its HELLOs for as long as its new OPEN is lost (found by
	 * lsoe-sim campaign on lossy-20pct, seed 115).
	 */
	if (s && !(pdu->type == LSOE_PDU_HELLO && s->state == SS_ESTABLISHED))
		note_rx(n, s, pdu->type == LSOE_PDU_KEEPALIVE);
	switch (pdu->type) {
	case LSOE_PDU_HELLO:
		ev = EV_HELLO;
		break;
	case LSOE_PDU_KEEPALIVE:
		ev = EV_KEEPALIVE;
		break;
	case LSOE_PDU_OPEN:
		if (!auth_ok(n, &pdu->u.open))
			ev = EV_OPEN_BAD_AUTH;
		else if (s && (s->flags & SF_PEER_OPEN))
			ev = pdu->u.open.nonce == s->peer_nonce ? EV_OPEN_SAME : EV_OPEN_NEW;
		else
			ev = EV_OPEN;
		break;
	case LSOE_PDU_ACK: {
		const struct lsoe_ack *a = &pdu->u.ack;
		in.slot = slot_of(a->pdu_type);
		if (a->etype != LSOE_ETYPE_NONE) {
			COUNT(n, p, error_acks_received);
			struct lsoe_event e = { .type = LSOE_EV_ERROR, .error = LSOE_ERRK_ACK_RECEIVED,
				.ack_pdu_type = a->pdu_type, .etype = a->etype, .code = a->code, .hint = a->hint,
				.text = lsoe_etype_name(a->etype) };
			e.has_peer = true;
			memcpy(e.peer_mac, src, 6);
			node_event(n, &e, p, s);
		}
		/* ACKs match by type only: one for a type we have nothing outstanding of is ignored (digest 5.4). */
		if (!s || !session_slot(s, in.slot)) {
			COUNT(n, p, rx_unexpected);
			return;
		}
		if (a->etype == LSOE_ETYPE_NONE || a->etype == LSOE_ETYPE_WARNING)
			ev = in.slot == SLOT_OPEN ? EV_ACK_OPEN : EV_ACK;
		else if (a->etype == LSOE_ETYPE_HOPELESS)
			ev = EV_ACK_HOPELESS;
		else /* restart, and reserved 4..15 taken as restart, the conservative reading (digest 6) */
			ev = EV_ACK_RESTART;
		in.reason = LSOE_DOWN_ERROR_ACK;
		break;
	}
	case LSOE_PDU_VENDOR:
		ev = EV_VENDOR;
		break;
	default:
		ev = EV_ENCAP;
		break;
	}
	fsm_run(n, s, ev, &in);
}

/* ---- actions ---- */

struct session *act_none(struct lsoe_node *n, struct session *s, const struct fsm_input *in)
{
	(void)n;
	(void)in;
	return s;
}

struct session *act_drop(struct lsoe_node *n, struct session *s, const struct fsm_input *in)
{
	COUNT(n, in->port, rx_unexpected);
	return s;
}

struct session *act_start(struct lsoe_node *n, struct session *s, const struct fsm_input *in)
{
	(void)s;
	s = session_create(n, in->port, in->src);
	if (s)
		send_fresh_open(n, s);
	return s;
}

struct session *act_start_on_open(struct lsoe_node *n, struct session *s, const struct fsm_input *in)
{
	(void)s;
	s = session_create(n, in->port, in->src);
	if (!s)
		return NULL;
	if (!record_peer_open(n, s, &in->pdu->u.open)) {
		session_destroy(n, s);
		return NULL;
	}
	send_ack(n, in->port, in->src, LSOE_PDU_OPEN, LSOE_ETYPE_NONE, 0, 0);
	send_fresh_open(n, s);
	return s;
}

struct session *act_reject_open(struct lsoe_node *n, struct session *s, const struct fsm_input *in)
{
	/* The draft's "ERROR PDU" is an ACK with EType != 0 (digest 12.6); code 2 is auth failure, EType 2 (12.8). */
	send_ack(n, in->port, in->src, LSOE_PDU_OPEN, LSOE_ETYPE_RESTART, LSOE_ECODE_AUTH_FAILURE, 0);
	return s;
}

struct session *act_reject_open_close(struct lsoe_node *n, struct session *s, const struct fsm_input *in)
{
	act_reject_open(n, s, in);
	teardown(n, s, LSOE_DOWN_ERROR_ACK);
	return s;
}

struct session *act_accept_open(struct lsoe_node *n, struct session *s, const struct fsm_input *in)
{
	if (!record_peer_open(n, s, &in->pdu->u.open)) {
		COUNT(n, in->port, rx_dropped); /* no ACK: the peer will retransmit */
		n->fsm_abort = true;
		return s;
	}
	send_ack(n, in->port, in->src, LSOE_PDU_OPEN, LSOE_ETYPE_NONE, 0, 0);
	return s;
}

struct session *act_reack_open(struct lsoe_node *n, struct session *s, const struct fsm_input *in)
{
	send_ack(n, in->port, in->src, LSOE_PDU_OPEN, LSOE_ETYPE_NONE, 0, 0);
	return s;
}

struct session *act_replace_open(struct lsoe_node *n, struct session *s, const struct fsm_input *in)
{
	/* The peer restarted before we were established: its new OPEN simply replaces the old one. */
	return act_accept_open(n, s, in);
}

struct session *act_peer_restart(struct lsoe_node *n, struct session *s, const struct fsm_input *in)
{
	/*
	 * A new nonce: withdraw everything learnt, ACK the new OPEN, and OPEN again
	 * (digest 5.3). Again, but with OUR SAME nonce: the peer restarted, we did not.
	 * (Digest 12.25 says a new one. That makes the peer, if it had not restarted
	 * after all, see a restart of ours; with a forged or crossed OPEN both sides
	 * then restart each other forever. The engine tests caught that livelock.)
	 */
	struct peer_list *attrs;
	if (!dup_attrs(n, &in->pdu->u.open, &attrs)) {
		COUNT(n, in->port, rx_dropped); /* nothing changes; the peer retransmits its OPEN */
		n->fsm_abort = true;
		return s;
	}
	teardown(n, s, LSOE_DOWN_PEER_RESTART); /* reports the old peer's ID: commit after */
	commit_peer_open(n, s, &in->pdu->u.open, attrs);
	send_ack(n, in->port, in->src, LSOE_PDU_OPEN, LSOE_ETYPE_NONE, 0, 0);
	send_open(n, s, false);
	return s;
}

struct session *act_nudge_open(struct lsoe_node *n, struct session *s, const struct fsm_input *in)
{
	struct rtx_slot *r = session_slot(s, SLOT_OPEN);
	bool keepalive = in->pdu && in->pdu->type == LSOE_PDU_KEEPALIVE;
	if (!r && !(s->flags & (SF_OPEN_ACKED | SF_OPEN_DELAYED))) {
		/* Our OPEN is not out: making it failed for want of memory (send_open). The peer is there: again, as a restart would. */
		restart_open(n, s);
		return keepalive ? act_drop(n, s, in) : s;
	}
	/*
	 * Resend the same OPEN now (same nonce: the peer re-ACKs a duplicate). A KEEPALIVE
	 * proves the peer established, so our ACK was lost: resend. A HELLO only shows the
	 * peer is there: resend only if backoff has pushed our next retransmission further
	 * than retransmit-initial-interval. At most once per that interval, and outside the
	 * drop count: the regular retransmissions still decide failure.
	 */
	bool due = r && (keepalive || r->deadline > n->now + n->cfg.retransmit_initial) &&
	    (!s->side->last_nudge || n->now >= s->side->last_nudge + n->cfg.retransmit_initial);
	if (!due)
		return keepalive ? act_drop(n, s, in) : s;
	s->side->last_nudge = n->now;
	send_slot_pdu(n, s, r->pdu);
	s->retransmits++;
	COUNT(n, session_port(n, s), retransmits);
	return s;
}

struct session *act_open_acked(struct lsoe_node *n, struct session *s, const struct fsm_input *in)
{
	complete_slot(n, s, in->slot);
	return s;
}

struct session *act_acked(struct lsoe_node *n, struct session *s, const struct fsm_input *in)
{
	complete_slot(n, s, in->slot);
	return s;
}

struct session *act_restart(struct lsoe_node *n, struct session *s, const struct fsm_input *in)
{
	teardown(n, s, in->reason);
	restart_open(n, s);
	return s;
}

struct session *act_hold(struct lsoe_node *n, struct session *s, const struct fsm_input *in)
{
	teardown(n, s, in->reason);
	char mac[18];
	node_log(n, LSOE_LOG_WARNING, "session", "%s %s: hopeless error from the peer; session held until reset",
	    in->port->name, peer_text(s, mac));
	struct lsoe_event ev = { .type = LSOE_EV_ERROR, .error = LSOE_ERRK_HOLD,
		.text = "hopeless error ACK: no automatic restart until the session is reset" };
	node_event(n, &ev, session_port(n, s), s);
	return s;
}

/* Index of the first peer entry (count at peer) that claims one of our own non-loopback addresses of that type, or -1. */
static int find_conflict(struct lsoe_node *n, const struct port *p, unsigned type, const struct lsoe_encap *peer,
    uint16_t count)
{
	const struct port_list *l = port_local(p, encap_index(type));
	if (!l)
		return -1;
	const struct lsoe_encap *mine = port_list_decode(n, l, 0);
	unsigned alen = lsoe_encap_addr_len(type);
	for (unsigned i = 0; i < count; i++) {
		if (peer[i].flags & LSOE_ENCAP_LOOPBACK)
			continue;
		for (unsigned j = 0; j < l->count; j++)
			if (!(mine[j].flags & LSOE_ENCAP_LOOPBACK) && memcmp(mine[j].addr, peer[i].addr, alen) == 0)
				return (int)i;
	}
	return -1;
}

struct session *act_encap(struct lsoe_node *n, struct session *s, const struct fsm_input *in)
{
	const struct lsoe_pdu *pdu = in->pdu;
	struct peer_list *b = peer_list_from_pdu(n, s, pdu);
	if (!b) {
		COUNT(n, in->port, rx_dropped); /* no ACK: the peer retransmits, perhaps when memory is back */
		n->fsm_abort = true;
		return s;
	}
	unsigned i = encap_index(pdu->type);
	/* Full replacement: this list is everything of its type (digest 3.6). */
	b->link_hash = session_link_hash(s, i); /* what links_update compares with */
	session_peer_set(n, s, pdu->type, b);
	s->peer_encap_mask |= (uint8_t)(1u << i);

	const struct lsoe_encap *v = peer_list_decode(n, b, 0);
	int conflict = find_conflict(n, in->port, pdu->type, v, b->count);
	if (conflict >= 0) {
		/* Log and continue, EType 1 (digest 3.6, 12.8); the hint names the entry. */
		COUNT(n, in->port, encap_conflicts);
		struct lsoe_event ev = { .type = LSOE_EV_ERROR, .error = LSOE_ERRK_ADDR_CONFLICT, .ack_pdu_type = pdu->type,
			.etype = LSOE_ETYPE_WARNING, .code = LSOE_ECODE_ADDR_CONFLICT, .hint = (uint16_t)conflict,
			.text = "the peer announces one of our own addresses" };
		node_event(n, &ev, session_port(n, s), s);
		v = peer_list_decode(n, b, 0); /* the event's handler may have decoded into the same buffer */
		send_ack(n, in->port, s->mac, pdu->type, LSOE_ETYPE_WARNING, LSOE_ECODE_ADDR_CONFLICT, (unsigned)conflict);
	} else {
		send_ack(n, in->port, s->mac, pdu->type, LSOE_ETYPE_NONE, 0, 0);
	}
	report_encaps(n, s, pdu->type, v, b->count);
	links_update(n, s, pdu->type);
	return s;
}

struct session *act_vendor(struct lsoe_node *n, struct session *s, const struct fsm_input *in)
{
	const struct lsoe_vendor *v = &in->pdu->u.vendor;
	COUNT(n, in->port, vendor_pdus);
	/* ACKed whether or not anyone handles this enterprise number (digest 3.7). */
	send_ack(n, in->port, s->mac, LSOE_PDU_VENDOR, LSOE_ETYPE_NONE, 0, 0);
	for (uint32_t i = 0; i < n->nvendors; i++)
		if (n->vendors[i].enterprise == v->enterprise && n->vendors[i].fn)
			n->vendors[i].fn(n->vendors[i].ctx, in->port->id, s->mac, v);
	return s;
}

struct session *act_close(struct lsoe_node *n, struct session *s, const struct fsm_input *in)
{
	teardown_text(n, s, in->reason, in->text);
	return s;
}

struct session *act_forget(struct lsoe_node *n, struct session *s, const struct fsm_input *in)
{
	teardown(n, s, in->reason);
	return s;
}

/* ---- from the node ---- */

bool session_encaps_room(struct lsoe_node *n, struct port *p, unsigned types)
{
	/* Opening, the side is to hold every type of the port at once when the session is established (opening_slots). */
	unsigned all = ctr_popcount((unsigned)p->encap_set | types);
	for (struct session *s = p->sessions; s; s = s->next)
		if ((s->state == SS_ESTABLISHED || (s->state == SS_OPENING && s->side)) &&
		    !session_side_room(n, s, types << SLOT_IPV4, s->state == SS_OPENING ? all : 0)) {
			for (struct session *t = p->sessions; t; t = t->next)
				session_side_trim(n, t, false);
			return false;
		}
	return true;
}

void session_encaps_changed(struct lsoe_node *n, struct port *p, unsigned type)
{
	unsigned i = encap_index(type);
	for (struct session *s = p->sessions; s; s = s->next)
		if (s->state == SS_ESTABLISHED && port_pdu(p, i))
			queue_slot(n, s, SLOT_IPV4 + i, port_pdu(p, i));
}

void session_close(struct lsoe_node *n, struct session *s, enum lsoe_down_reason why)
{
	struct fsm_input in = { .port = session_port(n, s), .src = s->mac, .reason = why };
	fsm_run(n, s, why == LSOE_DOWN_SHUTDOWN ? EV_SHUTDOWN : EV_PORT_DOWN, &in);
}

enum lsoe_err session_queue_vendor(struct lsoe_node *n, struct session *s, struct pdubuf *b)
{
	if (s->state != SS_ESTABLISHED)
		return LSOE_E_INVALID;
	/* Unlike encapsulations, VENDOR PDUs do not replace each other: never overwrite one that waits. */
	if (session_slot(s, SLOT_VENDOR))
		return LSOE_E_BUSY;
	if (!session_side_room(n, s, 1u << SLOT_VENDOR, 0))
		return LSOE_E_NOMEM;
	queue_slot(n, s, SLOT_VENDOR, b);
	return LSOE_OK;
}

void session_reconfigured(struct lsoe_node *n, struct session *s)
{
	if (timer_armed(&s->t_send) && (s->flags & SF_OPEN_DELAYED)) {
		/* A rate-limited restart OPEN: no later than the new retransmit-initial-interval allows. */
		uint64_t earliest = s->last_open + n->cfg.retransmit_initial;
		if (earliest < n->now)
			earliest = n->now;
		if (timer_when(&n->timers, &s->t_send) > earliest)
			timer_arm(&n->timers, &s->t_send, earliest);
	} else if (s->state == SS_ESTABLISHED && timer_armed(&s->t_send) &&
	    timer_when(&n->timers, &s->t_send) > next_beat(n, n->now)) {
		/*
		 * A shorter keepalive interval takes effect now: the next KEEPALIVE is the earlier
		 * of the armed one and the next beat of the new interval (at most one interval
		 * away). A longer one takes effect after the KEEPALIVE already armed.
		 */
		timer_arm(&n->timers, &s->t_send, next_beat(n, n->now));
	}
	/*
	 * Retransmissions: an outstanding PDU is resent no later than now plus the wait the
	 * new settings give after as many sends (now + retransmit-initial-interval after the
	 * first); a longer wait applies from its next send.
	 */
	for (unsigned i = 0; i < SLOTS; i++) {
		struct rtx_slot *r = session_slot(s, i);
		if (r && r->deadline > n->now + rtx_interval(n, s->side->sends[i]))
			r->deadline = n->now + rtx_interval(n, s->side->sends[i]);
	}
	arm_rtx(n, s);
	/* The receive timer, from the later of the peer's last PDU and the change (session_arm_recv). */
	timer_cancel(&n->timers, &s->t_recv);
	session_arm_recv(n, s);
}

void session_fill_view(struct lsoe_node *n, struct session *s, struct lsoe_session_view *v)
{
	const struct link_view *lv = links_view(n, s);
	memset(v, 0, sizeof(*v));
	v->port = s->port_id;
	v->port_name = session_port(n, s)->name;
	memcpy(v->peer_mac, s->mac, 6);
	v->state = s->state == SS_ESTABLISHED ? LSOE_STATE_ESTABLISHED
	    : s->state == SS_HOLD ? LSOE_STATE_HOLD : LSOE_STATE_OPENING;
	v->has_peer_id = (s->flags & SF_PEER_OPEN) || s->state != SS_OPENING;
	if (v->has_peer_id)
		memcpy(v->peer_id, s->peer_id, LSOE_LOCAL_ID_LEN);
	v->attrs = session_attrs(s, &v->attr_count);
	v->since_ns = s->since;
	v->last_rx_ns = s->last_rx;
	v->our_nonce = s->our_nonce;
	v->peer_nonce = s->peer_nonce;
	for (unsigned i = 0, at = 0; i < ENCAP_TYPES; i++) {
		v->encaps_received[i] = (s->peer_encap_mask >> i) & 1u;
		/* Decoded side by side, after links_view, which decodes into the same buffer. */
		const struct peer_list *b = session_peer(s, i);
		v->encaps[i] = b ? peer_list_decode(n, b, at) : NULL;
		v->encap_count[i] = b ? b->count : 0;
		at += v->encap_count[i];
		v->links[i] = lv && lv->count[i] ? &lv->pairs[lv->first[i]] : NULL;
		v->link_count[i] = lv ? lv->count[i] : 0;
		v->link_incompatible[i] = (s->link_incompat >> i) & 1u;
	}
	v->retransmits = s->retransmits;
}
