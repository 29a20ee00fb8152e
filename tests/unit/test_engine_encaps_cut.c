/*
 * Engine tests: our encapsulation lists longer than one PDU (issue 13: "no address is
 * dropped without a word"; core/node.c, lsoe_node_set_encaps and lsoe_node_port_set_mtu).
 *
 * What one PDU carries on a port is lsoe_encap_room(mtu) = min(65535, 128 * (mtu - 8))
 * octets: 5 of header and count, then the entries (IPv4 6 octets, IPv6 18, MPLS-IPv4
 * 7 + 3 per label, MPLS-IPv6 19 + 3 per label). A longer list is cut by the rule:
 * Primary first, then Loopback, then the rest; within each by address, prefix length
 * and the order given; the longest head that fits is announced in that order. Each cut
 * counts encaps_truncated on the port and the node and logs one warning; the same list
 * again, in any order, says nothing more; a new MTU measures every list again.
 *
 * A (harness node 0) and B (node 1) share port 1; what A announces is read at B (its
 * session view of A) and in A's port view. Every test ends with h_world_free, which
 * aborts on a leak.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "lsoe/node.h"
#include "lsoe/pdu.h"
#include "lsoe/wire.h"

#define T0 (1000 * SEC)
#define D (10 * MS)
#define P 1u
#define TEST (T0 + 2 * SEC + 500 * MS) /* established, between KEEPALIVEs */

struct pair {
	struct h_world w;
	struct h_node *a, *b;
	const uint8_t *ma, *mb;
};

static void pair_init(struct pair *p)
{
	h_world_init(&p->w, T0);
	p->a = h_node_add(&p->w, "A", 1, NULL);
	p->b = h_node_add(&p->w, "B", 2, NULL);
	h_link(&p->w, p->a, P, p->b, P, D);
	p->ma = p->a->mac[P];
	p->mb = p->b->mac[P];
}

static const struct lsoe_counters *ctr(const struct h_node *n) { return h_counters(n->node); }

struct port_ctx {
	uint32_t port;
	struct lsoe_port_view v;
};

/* The view's counters live for the callback only: a copy stands in for them. */
static struct lsoe_counters port_counters;

static void port_visit(void *ctx, const struct lsoe_port_view *v)
{
	struct port_ctx *c = ctx;
	if (v->port == c->port) {
		c->v = *v;
		port_counters = *v->counters;
		c->v.counters = &port_counters;
	}
}

static struct lsoe_port_view port_view(struct h_node *n, uint32_t port)
{
	struct port_ctx c = { .port = port };
	lsoe_node_foreach_port(n->node, port_visit, &c);
	assert_int_equal(c.v.port, port);
	return c.v;
}

/* What B holds of A's list of type (index type - 4), after the world has run for a while. */
static uint16_t at_b(struct pair *p, unsigned type, const struct lsoe_encap **e)
{
	struct lsoe_session_view v;
	assert_true(h_session(p->b, p->ma, &v));
	assert_int_equal(v.state, LSOE_STATE_ESTABLISHED);
	*e = v.encaps[type - 4];
	return v.encap_count[type - 4];
}

static void assert_same_entries(unsigned type, const struct lsoe_encap *got, const struct lsoe_encap *want, size_t n)
{
	unsigned alen = lsoe_encap_addr_len(type);
	for (size_t i = 0; i < n; i++) {
		if (got[i].flags != want[i].flags || got[i].prefix_len != want[i].prefix_len ||
		    memcmp(got[i].addr, want[i].addr, alen) != 0 || got[i].nlabels != want[i].nlabels)
			fail_msg("entry %zu differs", i);
		if (got[i].nlabels && memcmp(got[i].labels, want[i].labels, 3u * got[i].nlabels) != 0)
			fail_msg("entry %zu: labels differ", i);
	}
}

/* ---- the bound ---- */

static void test_room(void **state)
{
	(void)state;
	assert_int_equal(lsoe_encap_room(1500), 65535);
	assert_int_equal(lsoe_encap_room(9000), 65535);
	assert_int_equal(lsoe_encap_room(520), 65535);   /* 128 * 512 = 65536 */
	assert_int_equal(lsoe_encap_room(519), 65408);   /* 128 * 511 */
	assert_int_equal(lsoe_encap_room(300), 37376);   /* 128 * 292 */
	assert_int_equal(lsoe_encap_room(LSOE_MTU_MIN), 128);
	/* Entries per PDU: (room - 5) / entry size. */
	assert_int_equal((lsoe_encap_room(1500) - 5) / lsoe_encap_entry_len(LSOE_PDU_IPV4_ENCAP, 0), 10921);
	assert_int_equal((lsoe_encap_room(1500) - 5) / lsoe_encap_entry_len(LSOE_PDU_IPV6_ENCAP, 0), 3640);
	assert_int_equal((lsoe_encap_room(1500) - 5) / lsoe_encap_entry_len(LSOE_PDU_MPLS_IPV4_ENCAP, 1), 6553);
	assert_int_equal((lsoe_encap_room(1500) - 5) / lsoe_encap_entry_len(LSOE_PDU_MPLS_IPV6_ENCAP, 1), 2978);
	assert_int_equal((lsoe_encap_room(300) - 5) / lsoe_encap_entry_len(LSOE_PDU_IPV4_ENCAP, 0), 6228);
	assert_int_equal((lsoe_encap_room(300) - 5) / lsoe_encap_entry_len(LSOE_PDU_IPV6_ENCAP, 0), 2076);
}

/* ---- the rule, at two MTUs ---- */

/*
 * 12006 IPv4 entries, given scrambled: 12000 plain (10.0.0.0 + 4k), and six flagged
 * ones with high addresses that address order alone would leave out: two Primary, one
 * Primary and Loopback (a Primary), three Loopback.
 */
#define N4 12006u
static struct lsoe_encap list4[N4], want4[N4];

static void make_list4(void)
{
	unsigned k = 0;
	for (unsigned i = 0; i < 12000; i++) {
		uint32_t j = (uint32_t)(((uint64_t)i * 7919u) % 12000u), a = 0x0A000000u + 4u * j;
		list4[k++] = h_ipv4(10, (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a, 30, 0);
		if (i == 5000) {
			list4[k++] = h_ipv4(10, 250, 0, 3, 32, LSOE_ENCAP_LOOPBACK);
			list4[k++] = h_ipv4(10, 200, 0, 2, 24, LSOE_ENCAP_PRIMARY);
			list4[k++] = h_ipv4(10, 250, 0, 1, 32, LSOE_ENCAP_LOOPBACK);
		}
		if (i == 9000) {
			list4[k++] = h_ipv4(10, 250, 0, 2, 32, LSOE_ENCAP_LOOPBACK);
			list4[k++] = h_ipv4(10, 200, 0, 1, 24, LSOE_ENCAP_PRIMARY | LSOE_ENCAP_LOOPBACK);
			list4[k++] = h_ipv4(10, 200, 0, 3, 24, LSOE_ENCAP_PRIMARY);
		}
	}
	assert_int_equal(k, N4);
	/* The rule's order, written out: Primary by address, Loopback by address, then the rest by address. */
	k = 0;
	want4[k++] = h_ipv4(10, 200, 0, 1, 24, LSOE_ENCAP_PRIMARY | LSOE_ENCAP_LOOPBACK);
	want4[k++] = h_ipv4(10, 200, 0, 2, 24, LSOE_ENCAP_PRIMARY);
	want4[k++] = h_ipv4(10, 200, 0, 3, 24, LSOE_ENCAP_PRIMARY);
	want4[k++] = h_ipv4(10, 250, 0, 1, 32, LSOE_ENCAP_LOOPBACK);
	want4[k++] = h_ipv4(10, 250, 0, 2, 32, LSOE_ENCAP_LOOPBACK);
	want4[k++] = h_ipv4(10, 250, 0, 3, 32, LSOE_ENCAP_LOOPBACK);
	for (unsigned j = 0; j < 12000; j++) {
		uint32_t a = 0x0A000000u + 4u * j;
		want4[k++] = h_ipv4(10, (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a, 30, 0);
	}
}

static void check_rule_at_mtu(uint32_t mtu, uint16_t fit, uint32_t frames)
{
	struct pair p;
	pair_init(&p);
	make_list4();
	if (mtu != 1500)
		assert_int_equal(lsoe_node_port_set_mtu(p.a->node, P, mtu), LSOE_OK);
	h_run_until(&p.w, TEST);
	const uint64_t frames0 = ctr(p.a)->tx_frames;
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV4_ENCAP, list4, N4), LSOE_OK);
	assert_int_equal(ctr(p.a)->tx_frames - frames0, frames);
	/* Counted on the node and the port, and said once. */
	assert_int_equal(ctr(p.a)->encaps_truncated, 1);
	struct lsoe_port_view pv = port_view(p.a, P);
	assert_int_equal(pv.counters->encaps_truncated, 1);
	assert_int_equal(pv.encap_count[0], fit);
	assert_int_equal(pv.encap_left_out[0], N4 - fit);
	assert_same_entries(LSOE_PDU_IPV4_ENCAP, pv.encaps[0], want4, fit);
	assert_int_equal(p.a->nwarnings, 1);
	assert_non_null(strstr(p.a->last_warning, "12006 IPV4_ENCAP entries do not fit one PDU"));
	assert_non_null(strstr(p.a->last_warning, "left out"));
	/* B holds exactly the head that fits, in the rule's order. */
	h_run_until(&p.w, TEST + 5 * SEC);
	const struct lsoe_encap *e;
	assert_int_equal(at_b(&p, LSOE_PDU_IPV4_ENCAP, &e), fit);
	assert_same_entries(LSOE_PDU_IPV4_ENCAP, e, want4, fit);
	assert_int_equal(ctr(p.a)->retransmits, 0);
	assert_int_equal(h_count_events(p.a, LSOE_EV_SESSION_DOWN), 0);
	assert_int_equal(h_count_events(p.b, LSOE_EV_SESSION_DOWN), 0);
	/* Keepalives and HELLOs say nothing more. */
	h_run_until(&p.w, TEST + 60 * SEC);
	assert_int_equal(ctr(p.a)->encaps_truncated, 1);
	assert_int_equal(p.a->nwarnings, 1);
	h_world_free(&p.w);
}

/* 5 + 10921 * 6 = 65531 octets: 44 datagrams of 1492. */
static void test_rule_mtu_1500(void **state)
{
	(void)state;
	check_rule_at_mtu(1500, 10921, 44);
}

/* 128 * 292 = 37376 octets: 6228 entries (37373 octets), all 128 datagrams. */
static void test_rule_mtu_300(void **state)
{
	(void)state;
	check_rule_at_mtu(300, 6228, 128);
}

/* ---- once per change ---- */

static void test_warning_once_per_change(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p);
	h_run_until(&p.w, TEST);
	/* 3700 IPv6 entries (3640 fit), the last one Primary. */
	static struct lsoe_encap v[3701], r[3701];
	for (unsigned i = 0; i < 3701; i++) {
		const uint16_t g[8] = { 0x2001, 0xdb8, 0, 0, 0, 0, (uint16_t)(i >> 8), (uint16_t)(i & 0xff) };
		v[i] = h_ipv6(g, 64, i == 3699 ? LSOE_ENCAP_PRIMARY : 0);
	}
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV6_ENCAP, v, 3700), LSOE_OK);
	assert_int_equal(ctr(p.a)->encaps_truncated, 1);
	assert_int_equal(p.a->nwarnings, 1);
	h_run_for(&p.w, 2 * SEC);
	const struct lsoe_encap *e;
	assert_int_equal(at_b(&p, LSOE_PDU_IPV6_ENCAP, &e), 3640);
	assert_memory_equal(e[0].addr, v[3699].addr, 16); /* Primary first */
	assert_int_equal(e[0].flags, LSOE_ENCAP_PRIMARY);
	assert_same_entries(LSOE_PDU_IPV6_ENCAP, e + 1, v, 3639);

	/* The same list again, and the same list reversed: no news. */
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV6_ENCAP, v, 3700), LSOE_OK);
	for (unsigned i = 0; i < 3700; i++)
		r[i] = v[3699 - i];
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV6_ENCAP, r, 3700), LSOE_OK);
	assert_int_equal(ctr(p.a)->encaps_truncated, 1);
	assert_int_equal(p.a->nwarnings, 1);
	h_run_for(&p.w, 2 * SEC);
	assert_int_equal(at_b(&p, LSOE_PDU_IPV6_ENCAP, &e), 3640);
	assert_same_entries(LSOE_PDU_IPV6_ENCAP, e + 1, v, 3639);

	/* One more entry, among those left out: a change, said once (nothing new reaches B). */
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV6_ENCAP, v, 3701), LSOE_OK);
	assert_int_equal(ctr(p.a)->encaps_truncated, 2);
	assert_int_equal(p.a->nwarnings, 2);
	assert_int_equal(port_view(p.a, P).encap_left_out[1], 3701 - 3640);
	/* A list that fits: whole, as given, not counted, not warned. */
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV6_ENCAP, r + 100, 3600), LSOE_OK);
	assert_int_equal(ctr(p.a)->encaps_truncated, 2);
	assert_int_equal(p.a->nwarnings, 2);
	assert_int_equal(port_view(p.a, P).encap_left_out[1], 0);
	h_run_for(&p.w, 2 * SEC);
	assert_int_equal(at_b(&p, LSOE_PDU_IPV6_ENCAP, &e), 3600);
	assert_same_entries(LSOE_PDU_IPV6_ENCAP, e, r + 100, 3600);
	/* The long list again after it: news again. */
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV6_ENCAP, v, 3700), LSOE_OK);
	assert_int_equal(ctr(p.a)->encaps_truncated, 3);
	assert_int_equal(p.a->nwarnings, 3);
	/* Another type's cut is counted on its own. */
	static struct lsoe_encap v4[11000];
	for (unsigned i = 0; i < 11000; i++)
		v4[i] = h_ipv4(10, 1, (uint8_t)(i >> 8), (uint8_t)i, 32, 0);
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV4_ENCAP, v4, 11000), LSOE_OK);
	assert_int_equal(ctr(p.a)->encaps_truncated, 4);
	assert_int_equal(p.a->nwarnings, 4);
	h_run_for(&p.w, 30 * SEC);
	assert_int_equal(ctr(p.a)->encaps_truncated, 4);
	assert_int_equal(p.a->nwarnings, 4);
	assert_int_equal(at_b(&p, LSOE_PDU_IPV4_ENCAP, &e), 10921);
	assert_same_entries(LSOE_PDU_IPV4_ENCAP, e, v4, 10921);
	assert_int_equal(h_count_events(p.a, LSOE_EV_SESSION_DOWN), 0);
	h_world_free(&p.w);
}

/* ---- a new MTU measures the lists again ---- */

static void test_mtu_change(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p);
	make_list4();
	h_run_until(&p.w, TEST);
	/* A list that fits at 1500 (3000 IPv6 entries, 54005 octets) but not at 300. */
	static struct lsoe_encap v6[3000];
	for (unsigned i = 0; i < 3000; i++) {
		const uint16_t g[8] = { 0x2001, 0xdb8, 1, 0, 0, 0, 0, (uint16_t)(2999 - i) }; /* descending */
		v6[i] = h_ipv6(g, 64, 0);
	}
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV6_ENCAP, v6, 3000), LSOE_OK);
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV4_ENCAP, list4, N4), LSOE_OK);
	assert_int_equal(ctr(p.a)->encaps_truncated, 1); /* IPv4 only */
	assert_int_equal(lsoe_node_port_set_mtu(p.a->node, P, 1500), LSOE_OK); /* the same: nothing */
	assert_int_equal(ctr(p.a)->encaps_truncated, 1);
	h_run_for(&p.w, 2 * SEC);
	const struct lsoe_encap *e;
	assert_int_equal(at_b(&p, LSOE_PDU_IPV6_ENCAP, &e), 3000);
	assert_same_entries(LSOE_PDU_IPV6_ENCAP, e, v6, 3000); /* whole: as given */

	/* MTU 300: both cut (IPv4 further), each counted and said once, and sent again. */
	assert_int_equal(lsoe_node_port_set_mtu(p.a->node, P, 300), LSOE_OK);
	assert_int_equal(ctr(p.a)->encaps_truncated, 3);
	assert_int_equal(p.a->nwarnings, 3);
	h_run_for(&p.w, 5 * SEC);
	assert_int_equal(at_b(&p, LSOE_PDU_IPV4_ENCAP, &e), 6228);
	assert_same_entries(LSOE_PDU_IPV4_ENCAP, e, want4, 6228);
	assert_int_equal(at_b(&p, LSOE_PDU_IPV6_ENCAP, &e), 2076);
	for (unsigned i = 0; i < 2076; i++) /* the lowest addresses, ascending */
		assert_memory_equal(e[i].addr, v6[2999 - i].addr, 16);
	struct lsoe_port_view pv = port_view(p.a, P);
	assert_int_equal(pv.mtu, 300);
	assert_int_equal(pv.encap_left_out[0], N4 - 6228);
	assert_int_equal(pv.encap_left_out[1], 3000 - 2076);
	/* Setting the same lists again at this MTU: no news. */
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV4_ENCAP, list4, N4), LSOE_OK);
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV6_ENCAP, v6, 3000), LSOE_OK);
	assert_int_equal(ctr(p.a)->encaps_truncated, 3);
	assert_int_equal(p.a->nwarnings, 3);

	/* Back to 9000: IPv6 fits whole again (not counted), IPv4 announces more (a new cut). */
	assert_int_equal(lsoe_node_port_set_mtu(p.a->node, P, 9000), LSOE_OK);
	assert_int_equal(ctr(p.a)->encaps_truncated, 4);
	assert_int_equal(p.a->nwarnings, 4);
	h_run_for(&p.w, 5 * SEC);
	assert_int_equal(at_b(&p, LSOE_PDU_IPV4_ENCAP, &e), 10921);
	assert_same_entries(LSOE_PDU_IPV4_ENCAP, e, want4, 10921);
	assert_int_equal(at_b(&p, LSOE_PDU_IPV6_ENCAP, &e), 3000);
	pv = port_view(p.a, P);
	assert_int_equal(pv.encap_left_out[0], N4 - 10921);
	assert_int_equal(pv.encap_left_out[1], 0);
	/* 1500 gives no more and no less than 9000 (65535 octets either way): nothing happens. */
	const uint64_t pdus = ctr(p.a)->tx_by_type[LSOE_PDU_IPV4_ENCAP];
	assert_int_equal(lsoe_node_port_set_mtu(p.a->node, P, 1500), LSOE_OK);
	assert_int_equal(ctr(p.a)->encaps_truncated, 4);
	assert_int_equal(ctr(p.a)->tx_by_type[LSOE_PDU_IPV4_ENCAP], pdus);
	h_run_for(&p.w, 5 * SEC);
	assert_int_equal(ctr(p.a)->retransmit_failures, 0);
	assert_int_equal(h_count_events(p.a, LSOE_EV_SESSION_DOWN), 0);
	h_world_free(&p.w);
}

/* ---- MPLS: entries of different sizes; the head that fits, nothing skipped ---- */

static void test_mpls_labels(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p);
	h_run_until(&p.w, TEST);
	/* 3000 MPLS-IPv6 entries, alternately 1 and 2 labels (22 and 25 octets). */
	static uint8_t labels[3000 * 6];
	static struct lsoe_encap v[3000];
	size_t room = lsoe_encap_room(1500) - 5, len = 0, fit = 0;
	for (unsigned i = 0; i < 3000; i++) {
		const uint16_t g[8] = { 0x2001, 0xdb8, 2, 0, 0, 0, 0, (uint16_t)i };
		v[i] = h_ipv6(g, 127, 0);
		v[i].nlabels = (uint8_t)(1 + i % 2);
		v[i].labels = labels + 6 * i;
		for (unsigned k = 0; k < v[i].nlabels; k++)
			lsoe_label_put(labels + 6 * i, k, 16 + i, 0, k + 1 == v[i].nlabels);
		len += lsoe_encap_entry_len(LSOE_PDU_MPLS_IPV6_ENCAP, v[i].nlabels);
		if (len <= room)
			fit = i + 1;
	}
	assert_int_equal(fit, 2788); /* 1394 pairs of 47 octets (65518) and 5: one more entry would pass 65535 */
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_MPLS_IPV6_ENCAP, v, 3000), LSOE_OK);
	assert_int_equal(ctr(p.a)->encaps_truncated, 1);
	h_run_for(&p.w, 2 * SEC);
	const struct lsoe_encap *e;
	assert_int_equal(at_b(&p, LSOE_PDU_MPLS_IPV6_ENCAP, &e), fit);
	assert_same_entries(LSOE_PDU_MPLS_IPV6_ENCAP, e, v, fit);
	h_world_free(&p.w);
}

/*
 * A port's lists are kept as their PDUs carry them and decoded for the view, every type
 * side by side in one buffer: each type shows its own entries, labels included, and a
 * list set later (longer than the buffer was) moves none of the others.
 */
static void test_port_view_every_type(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p);
	static const uint16_t g6[8] = { 0x2001, 0xdb8, 6, 0, 0, 0, 0, 1 }, g7[8] = { 0x2001, 0xdb8, 7, 0, 0, 0, 0, 1 };
	uint8_t labels[4 * 3];
	for (unsigned k = 0; k < 4; k++)
		lsoe_label_put(labels, k, 100 + k, 0, k == 3);
	struct lsoe_encap v4[2] = { h_ipv4(192, 0, 2, 1, 31, LSOE_ENCAP_PRIMARY), h_ipv4(198, 51, 100, 1, 24, 0) };
	struct lsoe_encap v6[1] = { h_ipv6(g6, 127, 0) };
	struct lsoe_encap m4[1] = { h_ipv4(192, 0, 2, 5, 32, LSOE_ENCAP_LOOPBACK) };
	struct lsoe_encap m6[3] = { h_ipv6(g7, 64, 0), h_ipv6(g6, 128, 0), h_ipv6(g7, 127, 0) };
	m4[0].nlabels = 1;
	m4[0].labels = labels + 9;
	m6[0].nlabels = 4;
	m6[0].labels = labels;
	m6[2].nlabels = 2;
	m6[2].labels = labels + 3;
	const struct { unsigned type; const struct lsoe_encap *v; size_t n; } set[4] = {
		{ LSOE_PDU_IPV6_ENCAP, v6, 1 }, { LSOE_PDU_MPLS_IPV4_ENCAP, m4, 1 },
		{ LSOE_PDU_IPV4_ENCAP, v4, 2 }, { LSOE_PDU_MPLS_IPV6_ENCAP, m6, 3 },
	};
	for (unsigned k = 0; k < 4; k++) {
		assert_int_equal(lsoe_node_set_encaps(p.a->node, P, set[k].type, set[k].v, set[k].n), LSOE_OK);
		struct lsoe_port_view pv = port_view(p.a, P);
		for (unsigned j = 0; j <= k; j++) {
			assert_int_equal(pv.encap_count[set[j].type - 4], set[j].n);
			assert_same_entries(set[j].type, pv.encaps[set[j].type - 4], set[j].v, set[j].n);
		}
	}
	h_run_until(&p.w, TEST);
	/* And the peer holds the same lists: the PDUs were made from the entries as given. */
	for (unsigned k = 0; k < 4; k++) {
		const struct lsoe_encap *e;
		assert_int_equal(at_b(&p, set[k].type, &e), set[k].n);
		assert_same_entries(set[k].type, e, set[k].v, set[k].n);
	}
	h_world_free(&p.w);
}

/*
 * Empty lists, before any list with an entry was ever set on the node (so before it has
 * a buffer to decode into): both views show the type, with no entry (a fuzzed netlink
 * replay found the port view reading through the buffer that was not there).
 */
static void test_empty_lists_view(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p);
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV4_ENCAP, NULL, 0), LSOE_OK);
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_MPLS_IPV6_ENCAP, NULL, 0), LSOE_OK);
	struct lsoe_port_view pv = port_view(p.a, P);
	assert_int_equal(pv.encap_types, 1u | 8u);
	assert_non_null(pv.encaps[0]);
	assert_int_equal(pv.encap_count[0], 0);
	assert_non_null(pv.encaps[3]);
	assert_null(pv.encaps[1]);
	h_run_until(&p.w, TEST);
	struct lsoe_session_view v;
	assert_true(h_session(p.b, p.ma, &v));
	assert_true(v.encaps_received[0]);
	assert_int_equal(v.encap_count[0], 0);
	assert_true(v.encaps_received[3]);
	assert_false(v.encaps_received[1]);
	h_world_free(&p.w);
}

/*
 * Big entries (255 labels: 784 octets each) make MTUs that keep the same head: 47 at
 * MTU 300 (37376 octets) and at 301 (37504). Such a change is no news: nothing is sent,
 * counted or said.
 */
static void test_mtu_same_head(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p);
	h_run_until(&p.w, TEST);
	static uint8_t labels[255 * 3];
	for (unsigned k = 0; k < 255; k++)
		lsoe_label_put(labels, k, 100 + k, 0, k == 254);
	static struct lsoe_encap v[100];
	for (unsigned i = 0; i < 100; i++) {
		const uint16_t g[8] = { 0x2001, 0xdb8, 3, 0, 0, 0, 0, (uint16_t)i };
		v[i] = h_ipv6(g, 127, 0);
		v[i].nlabels = 255;
		v[i].labels = labels;
	}
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_MPLS_IPV6_ENCAP, v, 100), LSOE_OK);
	assert_int_equal(port_view(p.a, P).encap_count[3], 83); /* (65535 - 5) / 784 */
	assert_int_equal(lsoe_node_port_set_mtu(p.a->node, P, 300), LSOE_OK);
	assert_int_equal(port_view(p.a, P).encap_count[3], 47);
	assert_int_equal(ctr(p.a)->encaps_truncated, 2);
	h_run_for(&p.w, 5 * SEC);
	const uint64_t sent = ctr(p.a)->tx_by_type[LSOE_PDU_MPLS_IPV6_ENCAP];
	assert_int_equal(lsoe_node_port_set_mtu(p.a->node, P, 301), LSOE_OK);
	assert_int_equal(port_view(p.a, P).encap_count[3], 47);
	assert_int_equal(ctr(p.a)->encaps_truncated, 2);
	assert_int_equal(p.a->nwarnings, 2);
	assert_int_equal(ctr(p.a)->tx_by_type[LSOE_PDU_MPLS_IPV6_ENCAP], sent);
	/* And back: the 65535-octet head, from what was kept. */
	assert_int_equal(lsoe_node_port_set_mtu(p.a->node, P, 1500), LSOE_OK);
	assert_int_equal(port_view(p.a, P).encap_count[3], 83);
	assert_int_equal(ctr(p.a)->encaps_truncated, 3);
	h_run_for(&p.w, 5 * SEC);
	const struct lsoe_encap *e;
	assert_int_equal(at_b(&p, LSOE_PDU_MPLS_IPV6_ENCAP, &e), 83);
	assert_same_entries(LSOE_PDU_MPLS_IPV6_ENCAP, e, v, 83);
	h_world_free(&p.w);
}

/* ---- an entry the PDU cannot say is refused, even one the cut would leave out ---- */

static void test_bad_entry_refused(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p);
	h_run_until(&p.w, TEST);
	static struct lsoe_encap v[11000];
	for (unsigned i = 0; i < 11000; i++)
		v[i] = h_ipv4(10, 2, (uint8_t)(i >> 8), (uint8_t)i, 32, 0);
	v[10999].prefix_len = 33;
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV4_ENCAP, v, 11000), LSOE_E_ENCAP_PREFIX_LEN);
	assert_int_equal(ctr(p.a)->encaps_truncated, 0);
	assert_int_equal(port_view(p.a, P).encap_types, 0);
	h_world_free(&p.w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_room),
		cmocka_unit_test(test_rule_mtu_1500),
		cmocka_unit_test(test_rule_mtu_300),
		cmocka_unit_test(test_warning_once_per_change),
		cmocka_unit_test(test_mtu_change),
		cmocka_unit_test(test_mpls_labels),
		cmocka_unit_test(test_port_view_every_type),
		cmocka_unit_test(test_empty_lists_view),
		cmocka_unit_test(test_mtu_same_head),
		cmocka_unit_test(test_bad_entry_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
