/*
 * Engine tests, reconfiguration: a reload never drops a session because timers
 * changed (core/node.c lsoe_node_reconfigure, core/session.c session_reconfigured
 * and session_arm_recv).
 *
 * The rules: a changed keepalive-receive-timeout counts from the change for every
 * session (the deadline is the later of the peer's last PDU and the change, plus the
 * new timeout); an unchanged one keeps its deadline. A shorter keepalive-send-interval
 * takes effect at once (the next KEEPALIVE is the earlier of the armed one and the next
 * beat of the new interval, beats counted from the node's creation); a longer one after
 * the KEEPALIVE already armed. The same for hello-interval (the next HELLO no later
 * than now + the new interval) and retransmit-initial-interval (an outstanding PDU is
 * resent no later than now + the wait the new settings give after as many sends). A
 * timeout shorter than the peer's spacing still times out, and says so. Partial PDUs
 * follow a new reassembly-timeout from their start.
 *
 * As in test_engine_session.c: virtual time, links with a fixed one-way delay D, every
 * expected time computed and asserted exactly. A is harness node 0, B node 1, both
 * created at T0 (the origin of their keepalive beats), port 1; they establish at
 * T0+3D and send their first KEEPALIVE then, the next ones on the beat.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "lsoe/node.h"
#include "lsoe/pdu.h"
#include "lsoe/wire.h"

#define T0 (1000 * SEC)
#define D (10 * MS)
#define P 1u
#define NS 1ull

enum { IA = 0, IB = 1 };

struct pair {
	struct h_world w;
	struct h_drop_rules rules;
	struct h_node *a, *b;
	struct lsoe_config ca, cb;   /* the configurations, changed and applied by reload() */
};

/* A and B with the given keepalive timers (0: the default), linked both at once. */
static void pair_init(struct pair *p, uint64_t ka_a, uint64_t rt_a, uint64_t ka_b, uint64_t rt_b)
{
	memset(p, 0, sizeof(*p));
	h_config(&p->ca, 1);
	h_config(&p->cb, 2);
	if (ka_a)
		p->ca.keepalive_send = ka_a;
	if (rt_a)
		p->ca.keepalive_receive_timeout = rt_a;
	if (ka_b)
		p->cb.keepalive_send = ka_b;
	if (rt_b)
		p->cb.keepalive_receive_timeout = rt_b;
	h_world_init(&p->w, T0);
	p->a = h_node_add(&p->w, "A", 1, &p->ca);
	p->b = h_node_add(&p->w, "B", 2, &p->cb);
	h_link(&p->w, p->a, P, p->b, P, D);
}

static void reload(struct h_node *n, const struct lsoe_config *c)
{
	assert_int_equal(lsoe_node_reconfigure(n->node, c), LSOE_OK);
	n->cfg = *c;
}

static void set_keepalive(struct lsoe_config *c, uint64_t send, uint64_t timeout)
{
	c->keepalive_send = send;
	c->keepalive_receive_timeout = timeout;
}

static void assert_established(struct h_node *n, const uint8_t peer[6])
{
	bool e;
	assert_int_equal(h_state(n, peer, &e), LSOE_STATE_ESTABLISHED);
	assert_true(e);
}

/* n's sends of type in (from, to], in order, equal want[0..nwant). */
static void assert_sent_in(const struct h_node *n, uint8_t type, uint64_t from, uint64_t to, const uint64_t *want,
    size_t nwant)
{
	size_t k = 0;
	for (size_t i = 0; i < n->nsent; i++) {
		const struct h_sent *s = &n->sent[i];
		if (s->type != type || s->time <= from || s->time > to)
			continue;
		assert_true(k < nwant);
		assert_int_equal(s->time, want[k]);
		k++;
	}
	assert_int_equal(k, nwant);
}

/* ---- keepalives ---- */

/*
 * Both ends go from 1 s / 60 s to 0.2 s / 1 s at T = T0+10.5 s. Their KEEPALIVEs were
 * armed at T0+11 s: they go at T0+10.6 s, the next 0.2 s beat, and every 0.2 s after.
 * The last KEEPALIVEs arrived at T0+10 s+D: counted from them, the new 1 s timeout would
 * expire at T0+11 s+D with nothing but the beat in between; counted from the change it
 * expires at T+1 s at the earliest, and the KEEPALIVEs keep it away.
 */
static void test_shorter_keepalive_both_at_once(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p, 0, 0, 0, 0);
	const uint64_t T = T0 + 10 * SEC + 500 * MS;
	h_run_until(&p.w, T);
	assert_established(p.a, p.b->mac[P]);
	assert_int_equal(h_nth_sent(p.a, LSOE_PDU_KEEPALIVE, 0, 10)->time, T0 + 10 * SEC); /* 0: T0+3D; k: T0+k s */

	set_keepalive(&p.ca, 200 * MS, 1 * SEC);
	set_keepalive(&p.cb, 200 * MS, 1 * SEC);
	reload(p.a, &p.ca);
	reload(p.b, &p.cb);
	h_run_until(&p.w, T + 30 * SEC);

	static const uint64_t want[] = { T0 + 10600 * MS, T0 + 10800 * MS, T0 + 11000 * MS, T0 + 11200 * MS,
		T0 + 11400 * MS };
	assert_sent_in(p.a, LSOE_PDU_KEEPALIVE, T, T + 1 * SEC, want, 5);
	assert_sent_in(p.b, LSOE_PDU_KEEPALIVE, T, T + 1 * SEC, want, 5);
	assert_int_equal(h_count_events(p.a, LSOE_EV_SESSION_DOWN), 0);
	assert_int_equal(h_count_events(p.b, LSOE_EV_SESSION_DOWN), 0);
	assert_established(p.a, p.b->mac[P]);
	assert_established(p.b, p.a->mac[P]);
	h_world_free(&p.w);
}

/*
 * The receive deadline after a change of keepalive-receive-timeout: A alone goes from
 * 1 s / 60 s to 0.2 s / 1 s at T = T0+10.5 s, and every KEEPALIVE from B is lost from then on. The
 * peer's last PDU arrived at T0+10 s+D; the session ends at exactly T+1 s, not at
 * T0+11 s+D, and not as a misconfiguration (B's spacing, 1 s, is not longer than 1 s).
 */
static void test_receive_deadline_counts_from_change(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p, 0, 0, 0, 0);
	const uint64_t T = T0 + 10 * SEC + 500 * MS;
	h_run_until(&p.w, T);
	struct lsoe_session_view v;
	assert_true(h_session(p.a, p.b->mac[P], &v));
	assert_int_equal(v.last_rx_ns, T0 + 10 * SEC + D);

	set_keepalive(&p.ca, 200 * MS, 1 * SEC); /* the timeout must exceed our own interval */
	reload(p.a, &p.ca);
	h_drop_add(&p.w, &p.rules, IB, LSOE_PDU_KEEPALIVE, -1, -1);
	h_run_until(&p.w, T + 1 * SEC - NS);
	assert_int_equal(h_count_events(p.a, LSOE_EV_SESSION_DOWN), 0);
	assert_established(p.a, p.b->mac[P]);

	h_run_until(&p.w, T + 1 * SEC);
	assert_int_equal(h_count_events(p.a, LSOE_EV_SESSION_DOWN), 1);
	const struct h_event *dn = h_nth_event(p.a, LSOE_EV_SESSION_DOWN, 0);
	assert_int_equal(dn->time, T + 1 * SEC);
	assert_int_equal(dn->reason, LSOE_DOWN_KEEPALIVE_TIMEOUT);
	assert_string_equal(dn->text, "");
	h_world_free(&p.w);
}

/*
 * A reload that leaves keepalive-receive-timeout alone keeps the deadline: the send
 * interval changes (1 s to 0.5 s) at T = T0+10.5 s, B's KEEPALIVEs are lost from then,
 * and the session ends at the last one + 60 s, exactly as without the reload.
 */
static void test_unchanged_timeout_keeps_deadline(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p, 0, 0, 0, 0);
	const uint64_t T = T0 + 10 * SEC + 500 * MS;
	const uint64_t last_rx = T0 + 10 * SEC + D;
	h_run_until(&p.w, T);
	p.ca.keepalive_send = 500 * MS;
	reload(p.a, &p.ca);
	h_drop_add(&p.w, &p.rules, IB, LSOE_PDU_KEEPALIVE, -1, -1);
	h_run_until(&p.w, last_rx + 60 * SEC - NS);
	assert_int_equal(h_count_events(p.a, LSOE_EV_SESSION_DOWN), 0);
	h_run_until(&p.w, last_rx + 60 * SEC);
	assert_int_equal(h_count_events(p.a, LSOE_EV_SESSION_DOWN), 1);
	assert_int_equal(h_nth_event(p.a, LSOE_EV_SESSION_DOWN, 0)->time, last_rx + 60 * SEC);
	/* The shorter interval took effect at once: T0+11 s was armed, T0+11 s is also the next 0.5 s beat. */
	static const uint64_t want[] = { T0 + 11 * SEC, T0 + 11500 * MS };
	assert_sent_in(p.a, LSOE_PDU_KEEPALIVE, T, T0 + 11600 * MS, want, 2);
	h_world_free(&p.w);
}

/*
 * Lengthened, then shortened again, both ends at once. From 0.2 s / 1 s to 2 s / 10 s at
 * T1 = T0+10.05 s: the KEEPALIVE armed at T0+10.2 s stays, then T0+12 s and T0+14 s (the
 * 2 s beat). Back to 0.2 s / 1 s at T2 = T0+15.5 s: the KEEPALIVE armed at T0+16 s goes
 * at T0+15.6 s. The last one arrived at T0+14 s+D: counted from it, the new 1 s timeout
 * had already expired at T2; counted from the change, nothing goes down.
 */
static void test_longer_then_shorter(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p, 200 * MS, 1 * SEC, 200 * MS, 1 * SEC);
	const uint64_t T1 = T0 + 10 * SEC + 50 * MS, T2 = T0 + 15 * SEC + 500 * MS;
	h_run_until(&p.w, T1);
	set_keepalive(&p.ca, 2 * SEC, 10 * SEC);
	set_keepalive(&p.cb, 2 * SEC, 10 * SEC);
	reload(p.a, &p.ca);
	reload(p.b, &p.cb);
	h_run_until(&p.w, T2);
	static const uint64_t longer[] = { T0 + 10200 * MS, T0 + 12 * SEC, T0 + 14 * SEC };
	assert_sent_in(p.a, LSOE_PDU_KEEPALIVE, T1, T2, longer, 3);
	assert_sent_in(p.b, LSOE_PDU_KEEPALIVE, T1, T2, longer, 3);
	struct lsoe_session_view v;
	assert_true(h_session(p.a, p.b->mac[P], &v));
	assert_int_equal(v.last_rx_ns, T0 + 14 * SEC + D);

	set_keepalive(&p.ca, 200 * MS, 1 * SEC);
	set_keepalive(&p.cb, 200 * MS, 1 * SEC);
	reload(p.a, &p.ca);
	reload(p.b, &p.cb);
	h_run_until(&p.w, T2 + 20 * SEC);
	static const uint64_t shorter[] = { T0 + 15600 * MS, T0 + 15800 * MS, T0 + 16 * SEC };
	assert_sent_in(p.a, LSOE_PDU_KEEPALIVE, T2, T0 + 16 * SEC, shorter, 3);
	assert_sent_in(p.b, LSOE_PDU_KEEPALIVE, T2, T0 + 16 * SEC, shorter, 3);
	assert_int_equal(h_count_events(p.a, LSOE_EV_SESSION_DOWN), 0);
	assert_int_equal(h_count_events(p.b, LSOE_EV_SESSION_DOWN), 0);
	assert_established(p.a, p.b->mac[P]);
	h_world_free(&p.w);
}

/*
 * A genuine misconfiguration still times out, and says why. B sends every 2 s (beats
 * T0+2k s, arriving D later); A goes from 1 s / 60 s to 0.2 s / 1 s at T = T0+10.5 s. The
 * full window from the change ends at T+1 s, before B's next KEEPALIVE (T0+12 s+D): the
 * session ends then, and the text names both numbers.
 */
static void test_misconfigured_timeout_says_why(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p, 0, 0, 2 * SEC, 0);
	const uint64_t T = T0 + 10 * SEC + 500 * MS;
	h_run_until(&p.w, T);
	struct lsoe_session_view v;
	assert_true(h_session(p.a, p.b->mac[P], &v));
	assert_int_equal(v.last_rx_ns, T0 + 10 * SEC + D);

	set_keepalive(&p.ca, 200 * MS, 1 * SEC);
	reload(p.a, &p.ca);
	h_run_until(&p.w, T + 1 * SEC - NS);
	assert_int_equal(h_count_events(p.a, LSOE_EV_SESSION_DOWN), 0);
	h_run_until(&p.w, T + 1 * SEC);
	assert_int_equal(h_count_events(p.a, LSOE_EV_SESSION_DOWN), 1);
	const struct h_event *dn = h_nth_event(p.a, LSOE_EV_SESSION_DOWN, 0);
	assert_int_equal(dn->time, T + 1 * SEC);
	assert_int_equal(dn->reason, LSOE_DOWN_KEEPALIVE_TIMEOUT);
	assert_string_equal(dn->text,
	    "keepalive-receive-timeout (1 s) is shorter than the peer's keepalive spacing observed (2 s)");
	assert_int_equal(h_counters(p.a->node)->sessions_down[LSOE_DOWN_KEEPALIVE_TIMEOUT], 1);
	h_world_free(&p.w);
}

/* ---- HELLO ---- */

/*
 * hello-interval 60 s to 1 s at T = T0+10.5 s: the HELLO armed at T0+60 s goes at T+1 s,
 * then every second. Back to 60 s at T0+12.7 s: the HELLO armed at T0+13.5 s stays, the
 * next is 60 s after it.
 */
static void test_hello_interval(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p, 0, 0, 0, 0);
	const uint64_t T = T0 + 10 * SEC + 500 * MS;
	h_run_until(&p.w, T);
	p.ca.hello_interval = 1 * SEC;
	reload(p.a, &p.ca);
	h_run_until(&p.w, T0 + 12700 * MS);
	p.ca.hello_interval = 60 * SEC;
	reload(p.a, &p.ca);
	h_run_until(&p.w, T0 + 80 * SEC);
	static const uint64_t want[] = { T0 + 11500 * MS, T0 + 12500 * MS, T0 + 13500 * MS, T0 + 73500 * MS };
	assert_sent_in(p.a, LSOE_PDU_HELLO, T, T0 + 80 * SEC, want, 4);
	assert_int_equal(h_count_events(p.a, LSOE_EV_SESSION_DOWN), 0);
	h_world_free(&p.w);
}

/* ---- retransmissions ---- */

/*
 * A's IPv4 list goes out at TC = T0+2.5 s and B's ACKs of it are lost: the retransmission
 * is due at TC+1 s (retransmit-initial-interval 1 s). A reload at TC+0.5 s to `initial`:
 * shorter, it is resent no later than TC+0.5 s + initial, and the next waits follow the
 * new settings (doubling); longer, the armed TC+1 s stays and the next waits follow the
 * new settings. retransmit-max-drop 3: the third send's wait ends the session.
 */
static void run_retransmit_reload(uint64_t initial, const uint64_t *offsets, uint64_t fail_at)
{
	struct pair p;
	pair_init(&p, 0, 0, 0, 0);
	const uint64_t TC = T0 + 2 * SEC + 500 * MS;
	h_run_until(&p.w, TC);
	h_drop_add(&p.w, &p.rules, IB, LSOE_PDU_ACK, LSOE_PDU_IPV4_ENCAP, -1);
	struct lsoe_encap e = h_ipv4(192, 0, 2, 1, 31, 0);
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV4_ENCAP, &e, 1), LSOE_OK);
	h_run_until(&p.w, TC + 500 * MS);
	p.ca.retransmit_initial = initial;
	reload(p.a, &p.ca);

	h_run_until(&p.w, TC + fail_at - NS);
	uint64_t want[3];
	for (int i = 0; i < 3; i++)
		want[i] = TC + offsets[i];
	assert_sent_in(p.a, LSOE_PDU_IPV4_ENCAP, TC - NS, TC + fail_at, want, 3);
	assert_int_equal(h_count_events(p.a, LSOE_EV_SESSION_DOWN), 0);
	h_run_until(&p.w, TC + fail_at);
	assert_int_equal(h_count_events(p.a, LSOE_EV_SESSION_DOWN), 1);
	const struct h_event *dn = h_nth_event(p.a, LSOE_EV_SESSION_DOWN, 0);
	assert_int_equal(dn->time, TC + fail_at);
	assert_int_equal(dn->reason, LSOE_DOWN_RETRANSMIT_LIMIT);
	h_world_free(&p.w);
}

static void test_retransmit_shorter(void **state)
{
	(void)state;
	/* 0.2 s: resent at TC+0.7 s (not TC+1 s), then after 0.4 s, and failed 0.8 s later. */
	static const uint64_t off[] = { 0, 700 * MS, 1100 * MS };
	run_retransmit_reload(200 * MS, off, 1900 * MS);
}

static void test_retransmit_longer(void **state)
{
	(void)state;
	/* 4 s: resent at TC+1 s as armed, then after 8 s, and failed 16 s later. */
	static const uint64_t off[] = { 0, 1 * SEC, 9 * SEC };
	run_retransmit_reload(4 * SEC, off, 25 * SEC);
}

/* ---- reassembly ---- */

/*
 * A partial PDU (the first of two datagrams) arrives at T; reassembly-timeout 1 s would
 * keep it until T+1 s. A reload to 0.1 s at T+0.5 s drops it then (it started 0.5 s ago);
 * a reload to 5 s keeps it until T+5 s.
 */
static void run_reasm_reload(uint64_t timeout, uint64_t freed_at)
{
	struct h_world w;
	h_world_init(&w, T0);
	struct lsoe_config c;
	h_config(&c, 1);
	struct h_node *a = h_node_add(&w, "A", 1, &c);
	h_port_add(a, P);
	const size_t baseline = a->live_bytes;

	static struct lsoe_encap v[123];
	for (unsigned i = 0; i < 123; i++) {
		const uint16_t g[8] = { 0x2001, 0xdb8, 0, 0, 0, 0, 0, (uint16_t)i };
		v[i] = h_ipv6(g, 128, 0);
	}
	struct lsoe_pdu pdu = { .type = LSOE_PDU_IPV6_ENCAP };
	pdu.u.encap.count = 123;
	pdu.u.encap.entries = v;
	static uint8_t buf[4096], dg[2048];
	size_t len;
	struct lsoe_frag fr;
	assert_int_equal(lsoe_pdu_encode(&pdu, buf, sizeof(buf), &len), LSOE_OK);
	assert_int_equal(lsoe_frag_init(&fr, buf, len, 1500), LSOE_OK);
	size_t dl = lsoe_frag_next(&fr, dg, sizeof(dg), NULL);
	static const uint8_t stranger[6] = { 0x02, 0x55, 0, 0, 0, 1 };
	const uint64_t T = T0 + 1 * SEC;
	h_run_until(&w, T);
	h_inject(&w, a, P, stranger, a->mac[P], dg, dl);
	assert_true(a->live_bytes > baseline);

	h_run_until(&w, T + 500 * MS);
	c.reassembly_timeout = timeout;
	reload(a, &c);
	if (freed_at > w.now) {
		h_run_until(&w, freed_at - NS);
		assert_true(a->live_bytes > baseline);
	}
	h_run_until(&w, freed_at);
	assert_int_equal(a->live_bytes, baseline);
	h_world_free(&w);
}

static void test_reassembly_shorter(void **state)
{
	(void)state;
	run_reasm_reload(100 * MS, T0 + 1500 * MS);
}

static void test_reassembly_longer(void **state)
{
	(void)state;
	run_reasm_reload(5 * SEC, T0 + 6 * SEC);
}

/* ---- identity ---- */

/*
 * Attributes and auth-data: the node keeps them in one block, made only when either
 * is set. A reload applies them to new OPENs; the same ones again allocate nothing;
 * a reload that cannot store new ones says so and changes nothing.
 */
static void test_attributes(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p, 0, 0, 0, 0);
	h_run_until(&p.w, T0 + 1 * SEC);
	assert_established(p.b, p.a->mac[P]);
	assert_int_equal(h_last_event(p.b, LSOE_EV_SESSION_UP)->attr_count, 0);

	/* A reload lets go of the OPEN the node made for its sessions (made again at the next fresh one): counted out here. */
	reload(p.a, &p.ca);
	const size_t before = p.a->live_bytes;
	p.ca.attrs[0] = 7;
	p.ca.attrs[1] = 9;
	p.ca.attr_count = 2;
	p.ca.auth[0] = 0xaa;
	p.ca.auth_len = 1;
	reload(p.a, &p.ca);
	assert_int_equal(p.a->live_bytes, before + 3);
	reload(p.a, &p.ca);
	assert_int_equal(p.a->live_bytes, before + 3);

	struct lsoe_config other = p.ca;
	other.attrs[0] = 8;
	p.a->fail_allocs_after = 0;
	assert_int_equal(lsoe_node_reconfigure(p.a->node, &other), LSOE_E_NOMEM);
	p.a->fail_allocs_after = -1;
	assert_int_equal(p.a->live_bytes, before + 3);

	/* A's port goes down and up: its fresh OPEN carries what the reload set. */
	size_t ups = h_count_events(p.b, LSOE_EV_SESSION_UP);
	assert_int_equal(lsoe_node_port_set_up(p.a->node, P, false), LSOE_OK);
	assert_int_equal(lsoe_node_port_set_up(p.a->node, P, true), LSOE_OK);
	h_run_for(&p.w, 1 * SEC);
	assert_established(p.b, p.a->mac[P]);
	assert_int_equal(h_count_events(p.b, LSOE_EV_SESSION_UP), ups + 1);
	const struct h_event *up = h_last_event(p.b, LSOE_EV_SESSION_UP);
	assert_int_equal(up->attr_count, 2);
	assert_int_equal(up->attrs[0], 7);
	assert_int_equal(up->attrs[1], 9);

	/* None again: the block goes. */
	p.ca.attr_count = 0;
	p.ca.auth_len = 0;
	reload(p.a, &p.ca);
	assert_int_equal(p.a->live_bytes, before);
	h_world_free(&p.w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shorter_keepalive_both_at_once),
		cmocka_unit_test(test_receive_deadline_counts_from_change),
		cmocka_unit_test(test_unchanged_timeout_keeps_deadline),
		cmocka_unit_test(test_longer_then_shorter),
		cmocka_unit_test(test_misconfigured_timeout_says_why),
		cmocka_unit_test(test_hello_interval),
		cmocka_unit_test(test_retransmit_shorter),
		cmocka_unit_test(test_retransmit_longer),
		cmocka_unit_test(test_reassembly_shorter),
		cmocka_unit_test(test_reassembly_longer),
		cmocka_unit_test(test_attributes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
