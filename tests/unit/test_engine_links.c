/*
 * Engine tests, the link view (core/links.c; draft sections 5 and 16): the pairing
 * rule on its own, then two nodes joined on port 1 whose lists pair up, fail to,
 * change, carry labels and loopbacks, and go away with the session.
 *
 * A (harness node 0) and B (node 1) come up at T0 on a link of one-way delay D and
 * establish at T0+3D; lists set before that are announced on establishment and
 * arrive by T0+4D. Every test ends with h_world_free, which aborts on a leak.
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

#define T0 (1000 * SEC)
#define D (10 * MS)
#define P 1u
#define UP (T0 + 1 * SEC) /* established, lists exchanged and ACKed */

/* ---- the rule ---- */

static struct lsoe_encap v6(uint16_t g0, uint16_t g1, uint16_t g7, uint8_t plen, uint8_t flags)
{
	const uint16_t g[8] = { g0, g1, 0, 0, 0, 0, 0, g7 };
	return h_ipv6(g, plen, flags);
}

static bool agree4(struct lsoe_encap a, struct lsoe_encap b)
{
	bool r = lsoe_link_addresses_agree(LSOE_PDU_IPV4_ENCAP, &a, &b);
	/* Symmetric, and the same for the MPLS type of the family. */
	assert_int_equal(r, lsoe_link_addresses_agree(LSOE_PDU_IPV4_ENCAP, &b, &a));
	assert_int_equal(r, lsoe_link_addresses_agree(LSOE_PDU_MPLS_IPV4_ENCAP, &a, &b));
	return r;
}

static bool agree6(struct lsoe_encap a, struct lsoe_encap b)
{
	bool r = lsoe_link_addresses_agree(LSOE_PDU_IPV6_ENCAP, &a, &b);
	assert_int_equal(r, lsoe_link_addresses_agree(LSOE_PDU_IPV6_ENCAP, &b, &a));
	assert_int_equal(r, lsoe_link_addresses_agree(LSOE_PDU_MPLS_IPV6_ENCAP, &a, &b));
	return r;
}

static void test_rule(void **state)
{
	(void)state;
	/* The /31 and /127 of a point-to-point link; link-locals. */
	assert_true(agree4(h_ipv4(192, 0, 2, 0, 31, 0), h_ipv4(192, 0, 2, 1, 31, 0)));
	assert_true(agree6(v6(0x2001, 0xdb8, 0xa, 127, 0), v6(0x2001, 0xdb8, 0xb, 127, 0)));
	assert_true(agree6(v6(0xfe80, 0, 0xa, 64, 0), v6(0xfe80, 0, 0xb, 64, 0)));
	/* Flags other than Loopback play no part. */
	assert_true(agree4(h_ipv4(192, 0, 2, 0, 31, LSOE_ENCAP_PRIMARY), h_ipv4(192, 0, 2, 1, 31, 0)));
	/* Next door, but another /31, /127. */
	assert_false(agree4(h_ipv4(192, 0, 2, 1, 31, 0), h_ipv4(192, 0, 2, 2, 31, 0)));
	assert_false(agree6(v6(0x2001, 0xdb8, 0xb, 127, 0), v6(0x2001, 0xdb8, 0xc, 127, 0)));
	/* Different prefix lengths: each address must lie inside the other's prefix. */
	assert_true(agree4(h_ipv4(192, 0, 2, 1, 24, 0), h_ipv4(192, 0, 2, 0, 31, 0)));
	assert_false(agree4(h_ipv4(192, 0, 2, 1, 24, 0), h_ipv4(192, 0, 2, 9, 31, 0)));
	assert_true(agree4(h_ipv4(198, 51, 100, 1, 24, 0), h_ipv4(198, 51, 100, 2, 24, 0)));
	assert_false(agree4(h_ipv4(198, 51, 100, 1, 24, 0), h_ipv4(203, 0, 113, 1, 24, 0)));
	/* Host routes hold nobody else. */
	assert_false(agree4(h_ipv4(192, 0, 2, 1, 32, 0), h_ipv4(192, 0, 2, 2, 32, 0)));
	assert_false(agree6(v6(0x2001, 0xdb8, 1, 128, 0), v6(0x2001, 0xdb8, 2, 128, 0)));
	/* The same address is a conflict, not a link. */
	assert_false(agree4(h_ipv4(192, 0, 2, 1, 31, 0), h_ipv4(192, 0, 2, 1, 31, 0)));
	/* Loopbacks are never link addresses, even inside the subnet. */
	assert_false(agree4(h_ipv4(192, 0, 2, 0, 24, LSOE_ENCAP_LOOPBACK), h_ipv4(192, 0, 2, 1, 24, 0)));
	assert_false(agree4(h_ipv4(192, 0, 2, 0, 24, 0), h_ipv4(192, 0, 2, 1, 24, LSOE_ENCAP_LOOPBACK)));
	/* Prefix length 0 holds everything; the bits past the prefix are ignored, to the last one. */
	assert_true(agree4(h_ipv4(0, 0, 0, 0, 0, 0), h_ipv4(203, 0, 113, 9, 0, 0)));
	assert_true(agree4(h_ipv4(10, 0, 0, 0, 7, 0), h_ipv4(11, 255, 255, 255, 7, 0)));
	assert_false(agree4(h_ipv4(10, 0, 0, 0, 8, 0), h_ipv4(11, 0, 0, 0, 8, 0)));
	assert_true(agree6(v6(0x2001, 0xdb8, 0xffff, 113, 0), v6(0x2001, 0xdb8, 0x8000, 113, 0)));
	assert_false(agree6(v6(0x2001, 0xdb8, 0xffff, 113, 0), v6(0x2001, 0xdb8, 0x7fff, 113, 0)));
	/* A prefix length past the family's is no prefix at all. */
	assert_false(agree4(h_ipv4(192, 0, 2, 0, 33, 0), h_ipv4(192, 0, 2, 1, 31, 0)));
	/* Not an encapsulation type. */
	struct lsoe_encap a = h_ipv4(192, 0, 2, 0, 31, 0), b = h_ipv4(192, 0, 2, 1, 31, 0);
	assert_false(lsoe_link_addresses_agree(LSOE_PDU_OPEN, &a, &b));
}

/* ---- two nodes ---- */

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

static void set(struct h_node *n, unsigned type, const struct lsoe_encap *e, uint16_t count)
{
	assert_int_equal(lsoe_node_set_encaps(n->node, P, type, e, count), LSOE_OK);
}

static const struct lsoe_counters *ctr(const struct h_node *n) { return h_counters(n->node); }

static size_t links_events(const struct h_node *n, unsigned type)
{
	size_t k = 0;
	for (size_t i = 0; i < n->nevents; i++)
		k += n->events[i].type == LSOE_EV_LINKS && n->events[i].encap_type == type;
	return k;
}

static const struct h_event *last_links(const struct h_node *n, unsigned type)
{
	for (size_t i = n->nevents; i-- > 0;)
		if (n->events[i].type == LSOE_EV_LINKS && n->events[i].encap_type == type)
			return &n->events[i];
	return NULL;
}

static void assert_pair4(const struct lsoe_link *l, const uint8_t local[4], uint8_t lplen, const uint8_t peer[4],
    uint8_t pplen)
{
	assert_memory_equal(l->local.addr, local, 4);
	assert_int_equal(l->local.prefix_len, lplen);
	assert_memory_equal(l->peer.addr, peer, 4);
	assert_int_equal(l->peer.prefix_len, pplen);
}

#define A4(a, b, c, d) ((const uint8_t[]){ a, b, c, d })

static struct lsoe_session_view view(struct h_node *n, const uint8_t peer[6])
{
	struct lsoe_session_view v;
	assert_true(h_session(n, peer, &v));
	return v;
}

/* A /31 and a /127 on each end: one IPv4 and one IPv6 pair, mirrored, with both IDs. */
static void test_pairs_up(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p);
	const struct lsoe_encap a4 = h_ipv4(192, 0, 2, 1, 31, LSOE_ENCAP_PRIMARY), b4 = h_ipv4(192, 0, 2, 0, 31, 0);
	const struct lsoe_encap a6 = v6(0x2001, 0xdb8, 0xa, 127, 0), b6 = v6(0x2001, 0xdb8, 0xb, 127, LSOE_ENCAP_PRIMARY);
	set(p.a, LSOE_PDU_IPV4_ENCAP, &a4, 1);
	set(p.a, LSOE_PDU_IPV6_ENCAP, &a6, 1);
	set(p.b, LSOE_PDU_IPV4_ENCAP, &b4, 1);
	set(p.b, LSOE_PDU_IPV6_ENCAP, &b6, 1);
	h_run_until(&p.w, UP);

	const struct h_event *e = last_links(p.a, LSOE_PDU_IPV4_ENCAP);
	assert_non_null(e);
	assert_int_equal(links_events(p.a, LSOE_PDU_IPV4_ENCAP), 1);
	assert_int_equal(e->time, T0 + 4 * D); /* when B's list arrived */
	assert_int_equal(e->port, P);
	assert_memory_equal(e->peer_mac, p.mb, 6);
	assert_true(e->has_peer_id);
	assert_int_equal(e->peer_id[9], 2);
	assert_int_equal(e->local_id[9], 1);
	assert_int_equal(e->link_count, 1);
	assert_pair4(&e->links[0], A4(192, 0, 2, 1), 31, A4(192, 0, 2, 0), 31);
	assert_int_equal(e->links[0].local.flags, LSOE_ENCAP_PRIMARY);
	assert_int_equal(e->links[0].peer.flags, 0);
	/* B sees the same link from its side. */
	e = last_links(p.b, LSOE_PDU_IPV4_ENCAP);
	assert_non_null(e);
	assert_int_equal(e->local_id[9], 2);
	assert_int_equal(e->peer_id[9], 1);
	assert_pair4(&e->links[0], A4(192, 0, 2, 0), 31, A4(192, 0, 2, 1), 31);
	e = last_links(p.b, LSOE_PDU_IPV6_ENCAP);
	assert_non_null(e);
	assert_int_equal(e->link_count, 1);
	assert_memory_equal(e->links[0].local.addr, b6.addr, 16);
	assert_memory_equal(e->links[0].peer.addr, a6.addr, 16);
	assert_int_equal(e->links[0].local.flags, LSOE_ENCAP_PRIMARY);
	/* MPLS types were never announced: no link, no event, not incompatible. */
	assert_int_equal(links_events(p.a, LSOE_PDU_MPLS_IPV4_ENCAP) + links_events(p.a, LSOE_PDU_MPLS_IPV6_ENCAP), 0);

	struct lsoe_session_view v = view(p.a, p.mb);
	assert_int_equal(v.link_count[0], 1);
	assert_int_equal(v.link_count[1], 1);
	assert_int_equal(v.link_count[2] + v.link_count[3], 0);
	assert_null(v.links[2]);
	assert_pair4(&v.links[0][0], A4(192, 0, 2, 1), 31, A4(192, 0, 2, 0), 31);
	for (unsigned k = 0; k < 4; k++)
		assert_false(v.link_incompatible[k]);
	assert_int_equal(ctr(p.a)->links_incompatible, 0);
	h_world_free(&p.w);
}

/* Keepalives add nothing: no event, no byte, for a minute of them. */
static void test_keepalives_change_nothing(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p);
	const struct lsoe_encap a4 = h_ipv4(192, 0, 2, 1, 31, 0), b4 = h_ipv4(192, 0, 2, 0, 31, 0);
	set(p.a, LSOE_PDU_IPV4_ENCAP, &a4, 1);
	set(p.b, LSOE_PDU_IPV4_ENCAP, &b4, 1);
	h_run_until(&p.w, UP);
	size_t events = p.a->nevents, bytes = p.a->live_bytes;
	uint64_t kas = ctr(p.a)->rx_by_type[LSOE_PDU_KEEPALIVE];
	h_run_until(&p.w, UP + 60 * SEC);
	assert_true(ctr(p.a)->rx_by_type[LSOE_PDU_KEEPALIVE] >= kas + 50);
	assert_int_equal(p.a->nevents, events);
	assert_int_equal(p.a->live_bytes, bytes);
	/* Setting the same list again re-announces it, but the link does not change. */
	set(p.a, LSOE_PDU_IPV4_ENCAP, &a4, 1);
	h_run_until(&p.w, UP + 61 * SEC);
	assert_int_equal(links_events(p.a, LSOE_PDU_IPV4_ENCAP), 1);
	assert_int_equal(links_events(p.b, LSOE_PDU_IPV4_ENCAP), 1);
	h_world_free(&p.w);
}

/*
 * Different subnets: no link, counted once per end when it becomes so (not for the
 * same list again); then an address change on B moves the link to the new pair.
 */
static void test_incompatible_then_moved(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p);
	const struct lsoe_encap a4[2] = { h_ipv4(192, 0, 2, 1, 31, 0), h_ipv4(198, 51, 100, 1, 24, 0) };
	const struct lsoe_encap b4[1] = { h_ipv4(203, 0, 113, 1, 24, 0) };
	set(p.a, LSOE_PDU_IPV4_ENCAP, a4, 2);
	set(p.b, LSOE_PDU_IPV4_ENCAP, b4, 1);
	h_run_until(&p.w, UP);
	assert_int_equal(links_events(p.a, LSOE_PDU_IPV4_ENCAP), 0);
	assert_int_equal(links_events(p.b, LSOE_PDU_IPV4_ENCAP), 0);
	assert_int_equal(ctr(p.a)->links_incompatible, 1);
	assert_int_equal(ctr(p.b)->links_incompatible, 1);
	struct lsoe_session_view v = view(p.a, p.mb);
	assert_true(v.link_incompatible[0]);
	assert_false(v.link_incompatible[1]);
	assert_int_equal(v.link_count[0], 0);

	/* B announces the same list again, and another that still agrees with nothing: still one. */
	set(p.b, LSOE_PDU_IPV4_ENCAP, b4, 1);
	h_run_until(&p.w, UP + SEC);
	const struct lsoe_encap b4x[2] = { h_ipv4(203, 0, 113, 1, 24, 0), h_ipv4(192, 0, 2, 2, 31, 0) };
	set(p.b, LSOE_PDU_IPV4_ENCAP, b4x, 2);
	h_run_until(&p.w, UP + 2 * SEC);
	assert_int_equal(ctr(p.a)->links_incompatible, 1);
	assert_int_equal(ctr(p.b)->links_incompatible, 1);

	/* B takes an address in A's /24: the link forms on both ends at once (B) and on arrival (A). */
	const uint64_t t = UP + 3 * SEC;
	h_run_until(&p.w, t);
	const struct lsoe_encap b4y[2] = { h_ipv4(203, 0, 113, 1, 24, 0), h_ipv4(198, 51, 100, 2, 24, 0) };
	set(p.b, LSOE_PDU_IPV4_ENCAP, b4y, 2);
	h_run_until(&p.w, t + SEC);
	const struct h_event *e = last_links(p.a, LSOE_PDU_IPV4_ENCAP);
	assert_non_null(e);
	assert_int_equal(e->time, t + D);
	assert_int_equal(e->link_count, 1);
	assert_pair4(&e->links[0], A4(198, 51, 100, 1), 24, A4(198, 51, 100, 2), 24);
	e = last_links(p.b, LSOE_PDU_IPV4_ENCAP);
	assert_non_null(e);
	assert_int_equal(e->time, t); /* B's own list changed: its view follows at once */
	assert_pair4(&e->links[0], A4(198, 51, 100, 2), 24, A4(198, 51, 100, 1), 24);
	v = view(p.a, p.mb);
	assert_false(v.link_incompatible[0]);

	/* Then to A's /31: the pair moves; one event each, with the full new list. */
	const struct lsoe_encap b4z[1] = { h_ipv4(192, 0, 2, 0, 31, 0) };
	set(p.b, LSOE_PDU_IPV4_ENCAP, b4z, 1);
	h_run_until(&p.w, t + 2 * SEC);
	assert_int_equal(links_events(p.a, LSOE_PDU_IPV4_ENCAP), 2);
	e = last_links(p.a, LSOE_PDU_IPV4_ENCAP);
	assert_int_equal(e->link_count, 1);
	assert_pair4(&e->links[0], A4(192, 0, 2, 1), 31, A4(192, 0, 2, 0), 31);

	/* Back to a foreign subnet: the link is gone (empty list) and incompatible counts again. */
	set(p.b, LSOE_PDU_IPV4_ENCAP, b4, 1);
	h_run_until(&p.w, t + 3 * SEC);
	assert_int_equal(links_events(p.a, LSOE_PDU_IPV4_ENCAP), 3);
	assert_int_equal(last_links(p.a, LSOE_PDU_IPV4_ENCAP)->link_count, 0);
	assert_int_equal(ctr(p.a)->links_incompatible, 2);
	assert_int_equal(ctr(p.b)->links_incompatible, 2);
	h_world_free(&p.w);
}

/* Several addresses: every agreeing pair, sorted by our address, whatever the lists' order. */
static void test_several_pairs_sorted(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p);
	const struct lsoe_encap a4[3] = { h_ipv4(198, 51, 100, 9, 24, 0), h_ipv4(192, 0, 2, 1, 31, 0),
		h_ipv4(127, 0, 0, 1, 8, LSOE_ENCAP_LOOPBACK) };
	const struct lsoe_encap b4[4] = { h_ipv4(198, 51, 100, 7, 24, 0), h_ipv4(127, 0, 0, 2, 8, LSOE_ENCAP_LOOPBACK),
		h_ipv4(192, 0, 2, 0, 31, 0), h_ipv4(198, 51, 100, 3, 24, 0) };
	set(p.a, LSOE_PDU_IPV4_ENCAP, a4, 3);
	set(p.b, LSOE_PDU_IPV4_ENCAP, b4, 4);
	h_run_until(&p.w, UP);
	const struct h_event *e = last_links(p.a, LSOE_PDU_IPV4_ENCAP);
	assert_non_null(e);
	assert_int_equal(e->link_count, 3);
	assert_pair4(&e->links[0], A4(192, 0, 2, 1), 31, A4(192, 0, 2, 0), 31);
	assert_pair4(&e->links[1], A4(198, 51, 100, 9), 24, A4(198, 51, 100, 3), 24);
	assert_pair4(&e->links[2], A4(198, 51, 100, 9), 24, A4(198, 51, 100, 7), 24);
	/* The loopbacks (127.0.0.1/8 and 127.0.0.2/8 would agree) never pair: they are B's own addresses. */
	struct lsoe_session_view v = view(p.a, p.mb);
	unsigned loopbacks = 0;
	for (unsigned i = 0; i < v.encap_count[0]; i++)
		loopbacks += (v.encaps[0][i].flags & LSOE_ENCAP_LOOPBACK) != 0;
	assert_int_equal(loopbacks, 1);

	/* B sends the same addresses in another order: nothing changed, no event. */
	const struct lsoe_encap b4r[4] = { b4[3], b4[2], b4[1], b4[0] };
	set(p.b, LSOE_PDU_IPV4_ENCAP, b4r, 4);
	h_run_until(&p.w, UP + SEC);
	assert_int_equal(links_events(p.a, LSOE_PDU_IPV4_ENCAP), 1);
	assert_int_equal(links_events(p.b, LSOE_PDU_IPV4_ENCAP), 1);
	/* A flag change is a change: the pair's Primary is part of what goes north. */
	const struct lsoe_encap b4p[4] = { b4[3], b4[2], b4[1], h_ipv4(198, 51, 100, 7, 24, LSOE_ENCAP_PRIMARY) };
	set(p.b, LSOE_PDU_IPV4_ENCAP, b4p, 4);
	h_run_until(&p.w, UP + 2 * SEC);
	assert_int_equal(links_events(p.a, LSOE_PDU_IPV4_ENCAP), 2);
	e = last_links(p.a, LSOE_PDU_IPV4_ENCAP);
	assert_int_equal(e->links[2].peer.flags, LSOE_ENCAP_PRIMARY);
	h_world_free(&p.w);
}

/* MPLS types pair the same way and carry each end's labels. */
static void test_mpls_labels(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p);
	uint8_t la[6], lb[3];
	lsoe_label_put(la, 0, 16001, 0, false);
	lsoe_label_put(la, 1, 24001, 0, true);
	lsoe_label_put(lb, 0, 16002, 0, true);
	struct lsoe_encap a = h_ipv4(192, 0, 2, 1, 31, 0), b = h_ipv4(192, 0, 2, 0, 31, 0);
	a.nlabels = 2;
	a.labels = la;
	b.nlabels = 1;
	b.labels = lb;
	set(p.a, LSOE_PDU_MPLS_IPV4_ENCAP, &a, 1);
	set(p.b, LSOE_PDU_MPLS_IPV4_ENCAP, &b, 1);
	h_run_until(&p.w, UP);
	const struct h_event *e = last_links(p.a, LSOE_PDU_MPLS_IPV4_ENCAP);
	assert_non_null(e);
	assert_int_equal(e->link_count, 1);
	assert_int_equal(e->links[0].local.nlabels, 2);
	assert_int_equal(e->links[0].peer.nlabels, 1);
	assert_int_equal(e->link_labels[0][0], 16001);
	assert_int_equal(e->link_labels[0][1], 16002);
	struct lsoe_session_view v = view(p.a, p.mb);
	assert_int_equal(v.link_count[2], 1);
	assert_int_equal(lsoe_label_value(v.links[2][0].local.labels, 1), 24001);
	assert_int_equal(lsoe_label_value(v.links[2][0].peer.labels, 0), 16002);
	/* A new label is a change of the link. */
	lsoe_label_put(lb, 0, 16099, 0, true);
	set(p.b, LSOE_PDU_MPLS_IPV4_ENCAP, &b, 1);
	h_run_until(&p.w, UP + SEC);
	assert_int_equal(links_events(p.a, LSOE_PDU_MPLS_IPV4_ENCAP), 2);
	assert_int_equal(last_links(p.a, LSOE_PDU_MPLS_IPV4_ENCAP)->link_labels[0][1], 16099);
	/* The plain IPv4 type was not announced: MPLS-IPv4 is a link type of its own. */
	assert_int_equal(links_events(p.a, LSOE_PDU_IPV4_ENCAP), 0);
	h_world_free(&p.w);
}

/* Withdrawn lists and a lost session empty the links; the session coming back restores them. */
static void test_withdraw_and_session_down(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p);
	const struct lsoe_encap a4 = h_ipv4(192, 0, 2, 1, 31, 0), b4 = h_ipv4(192, 0, 2, 0, 31, 0);
	const struct lsoe_encap a6 = v6(0xfe80, 0, 0xa, 64, 0), b6 = v6(0xfe80, 0, 0xb, 64, 0);
	set(p.a, LSOE_PDU_IPV4_ENCAP, &a4, 1);
	set(p.a, LSOE_PDU_IPV6_ENCAP, &a6, 1);
	set(p.b, LSOE_PDU_IPV4_ENCAP, &b4, 1);
	set(p.b, LSOE_PDU_IPV6_ENCAP, &b6, 1);
	h_run_until(&p.w, UP);

	/* B withdraws its IPv6 list (Count 0): A's IPv6 link is gone, the IPv4 one stays. */
	set(p.b, LSOE_PDU_IPV6_ENCAP, NULL, 0);
	h_run_until(&p.w, UP + SEC);
	assert_int_equal(links_events(p.a, LSOE_PDU_IPV6_ENCAP), 2);
	assert_int_equal(last_links(p.a, LSOE_PDU_IPV6_ENCAP)->link_count, 0);
	assert_int_equal(ctr(p.a)->links_incompatible, 0); /* nothing to pair is not a disagreement */
	set(p.b, LSOE_PDU_IPV6_ENCAP, &b6, 1);
	h_run_until(&p.w, UP + 2 * SEC);
	assert_int_equal(last_links(p.a, LSOE_PDU_IPV6_ENCAP)->link_count, 1);

	/* The port goes down: session_down, the four list withdrawals, then both links emptied. */
	const uint64_t t = UP + 3 * SEC;
	h_run_until(&p.w, t);
	size_t before = p.a->nevents;
	assert_int_equal(lsoe_node_port_set_up(p.a->node, P, false), LSOE_OK);
	assert_int_equal(p.a->nevents, before + 1 + 4 + 2);
	assert_int_equal(p.a->events[before].type, LSOE_EV_SESSION_DOWN);
	for (unsigned k = 0; k < 2; k++) {
		const struct h_event *e = &p.a->events[before + 5 + k];
		assert_int_equal(e->type, LSOE_EV_LINKS);
		assert_int_equal(e->encap_type, LSOE_PDU_IPV4_ENCAP + k);
		assert_int_equal(e->link_count, 0);
		assert_int_equal(e->time, t);
		assert_memory_equal(e->peer_mac, p.mb, 6);
	}
	/* Back up: the session reopens and the links come back, each reported once. */
	assert_int_equal(lsoe_node_port_set_up(p.a->node, P, true), LSOE_OK);
	h_run_until(&p.w, t + 5 * SEC);
	assert_int_equal(last_links(p.a, LSOE_PDU_IPV4_ENCAP)->link_count, 1);
	assert_int_equal(last_links(p.a, LSOE_PDU_IPV6_ENCAP)->link_count, 1);
	assert_int_equal(links_events(p.a, LSOE_PDU_IPV4_ENCAP), 3);
	h_world_free(&p.w);
}

/* Our own list changing moves our view at once, before the peer has it. */
static void test_local_change(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p);
	const struct lsoe_encap a4 = h_ipv4(192, 0, 2, 1, 31, 0), b4[2] = { h_ipv4(192, 0, 2, 0, 31, 0),
		h_ipv4(198, 51, 100, 2, 24, 0) };
	set(p.a, LSOE_PDU_IPV4_ENCAP, &a4, 1);
	set(p.b, LSOE_PDU_IPV4_ENCAP, b4, 2);
	h_run_until(&p.w, UP);
	const uint64_t t = UP;
	const struct lsoe_encap a4n[2] = { h_ipv4(192, 0, 2, 1, 31, 0), h_ipv4(198, 51, 100, 1, 24, 0) };
	set(p.a, LSOE_PDU_IPV4_ENCAP, a4n, 2);
	const struct h_event *e = last_links(p.a, LSOE_PDU_IPV4_ENCAP);
	assert_int_equal(e->time, t);
	assert_int_equal(e->link_count, 2);
	assert_pair4(&e->links[0], A4(192, 0, 2, 1), 31, A4(192, 0, 2, 0), 31);
	assert_pair4(&e->links[1], A4(198, 51, 100, 1), 24, A4(198, 51, 100, 2), 24);
	h_run_until(&p.w, t + SEC);
	assert_int_equal(last_links(p.b, LSOE_PDU_IPV4_ENCAP)->link_count, 2);
	assert_int_equal(last_links(p.b, LSOE_PDU_IPV4_ENCAP)->time, t + D);
	h_world_free(&p.w);
}

/* A peer listing hundreds of addresses in our subnet: the view stops at LSOE_LINKS_MAX, counted. */
static void test_truncated(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p);
	const uint16_t n = 300;
	struct lsoe_encap b6[300];
	for (uint16_t i = 0; i < n; i++)
		b6[i] = v6(0x2001, 0xdb8, (uint16_t)(n - i), 64, 0); /* ::300 down to ::1 */
	const struct lsoe_encap a6 = v6(0x2001, 0xdb8, 0xffff, 64, 0);
	set(p.a, LSOE_PDU_IPV6_ENCAP, &a6, 1);
	set(p.b, LSOE_PDU_IPV6_ENCAP, b6, n);
	h_run_until(&p.w, UP);
	assert_int_equal(ctr(p.a)->links_truncated, 1);
	struct lsoe_session_view v = view(p.a, p.mb);
	assert_int_equal(v.link_count[1], LSOE_LINKS_MAX);
	/* The first LSOE_LINKS_MAX in the view's order: ::1 to ::256 (as a number), whatever the list's order. */
	for (unsigned i = 0; i < LSOE_LINKS_MAX; i++) {
		const uint8_t *a = v.links[1][i].peer.addr;
		assert_int_equal(a[14] << 8 | a[15], i + 1);
	}
	h_world_free(&p.w);
}

/* Out of memory for the view: no stale link, an out_of_memory error, nothing leaked. */
static void test_no_memory(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p);
	const struct lsoe_encap a4 = h_ipv4(192, 0, 2, 1, 31, 0), b4 = h_ipv4(192, 0, 2, 0, 31, 0);
	const struct lsoe_encap b4n[2] = { h_ipv4(192, 0, 2, 0, 31, 0), h_ipv4(192, 0, 2, 9, 24, 0) };
	const struct lsoe_encap a4n[2] = { h_ipv4(192, 0, 2, 1, 31, 0), h_ipv4(192, 0, 2, 10, 24, 0) };
	set(p.a, LSOE_PDU_IPV4_ENCAP, &a4, 1);
	set(p.b, LSOE_PDU_IPV4_ENCAP, &b4, 1);
	h_run_until(&p.w, UP);
	assert_int_equal(last_links(p.a, LSOE_PDU_IPV4_ENCAP)->link_count, 1);
	set(p.b, LSOE_PDU_IPV4_ENCAP, b4n, 2);
	h_run_until(&p.w, UP + SEC);
	/* A's own list changes, and the allocation of its new view (the only one) fails. */
	size_t errors = h_count_errors(p.a, LSOE_ERRK_NOMEM);
	/* The list (one block with its PDU), room in the session and room to decode two entries succeed; the view does not. */
	p.a->fail_allocs_after = 3;
	assert_int_equal(lsoe_node_set_encaps(p.a->node, P, LSOE_PDU_IPV4_ENCAP, a4n, 2), LSOE_OK);
	p.a->fail_allocs_after = -1;
	assert_int_equal(h_count_errors(p.a, LSOE_ERRK_NOMEM), errors + 1);
	const struct h_event *e = last_links(p.a, LSOE_PDU_IPV4_ENCAP);
	assert_int_equal(e->link_count, 0);
	struct lsoe_session_view v = view(p.a, p.mb);
	assert_int_equal(v.link_count[0], 0);
	/* The next change of either list computes it afresh. */
	set(p.b, LSOE_PDU_IPV4_ENCAP, &b4, 1);
	h_run_until(&p.w, UP + 2 * SEC);
	assert_int_equal(last_links(p.a, LSOE_PDU_IPV4_ENCAP)->link_count, 1);
	h_world_free(&p.w);
}

/*
 * A session keeps a hash of each view, not its pairs: they are built for display when
 * first asked, stay (the view's pointers valid) until a view changes, and go then.
 */
static void test_view_built_when_asked(void **state)
{
	(void)state;
	struct pair p;
	pair_init(&p);
	const struct lsoe_encap a4 = h_ipv4(192, 0, 2, 1, 31, 0), b4 = h_ipv4(192, 0, 2, 0, 31, 0);
	const struct lsoe_encap b4p = h_ipv4(192, 0, 2, 0, 31, LSOE_ENCAP_PRIMARY);
	set(p.a, LSOE_PDU_IPV4_ENCAP, &a4, 1);
	set(p.b, LSOE_PDU_IPV4_ENCAP, &b4, 1);
	h_run_until(&p.w, UP);
	assert_int_equal(last_links(p.a, LSOE_PDU_IPV4_ENCAP)->link_count, 1);
	const size_t held = p.a->live_bytes;
	struct lsoe_session_view v = view(p.a, p.mb);
	assert_int_equal(v.link_count[0], 1);
	assert_pair4(&v.links[0][0], A4(192, 0, 2, 1), 31, A4(192, 0, 2, 0), 31);
	const size_t shown = p.a->live_bytes;
	assert_true(shown > held);
	/* Asked again: the same pairs, nothing more. */
	struct lsoe_session_view again = view(p.a, p.mb);
	assert_ptr_equal(again.links[0], v.links[0]);
	assert_int_equal(p.a->live_bytes, shown);
	/* The same list again changes no view: the pairs stay. */
	set(p.b, LSOE_PDU_IPV4_ENCAP, &b4, 1);
	h_run_until(&p.w, UP + SEC);
	assert_int_equal(links_events(p.a, LSOE_PDU_IPV4_ENCAP), 1);
	assert_int_equal(p.a->live_bytes, shown);
	/* A flag changes the pair: a links event, and the pairs shown before go. */
	set(p.b, LSOE_PDU_IPV4_ENCAP, &b4p, 1);
	h_run_until(&p.w, UP + 2 * SEC);
	assert_int_equal(links_events(p.a, LSOE_PDU_IPV4_ENCAP), 2);
	assert_int_equal(p.a->live_bytes, held);
	v = view(p.a, p.mb);
	assert_int_equal(v.link_count[0], 1);
	assert_int_equal(v.links[0][0].peer.flags, LSOE_ENCAP_PRIMARY);
	h_world_free(&p.w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule),
		cmocka_unit_test(test_pairs_up),
		cmocka_unit_test(test_keepalives_change_nothing),
		cmocka_unit_test(test_incompatible_then_moved),
		cmocka_unit_test(test_several_pairs_sorted),
		cmocka_unit_test(test_mpls_labels),
		cmocka_unit_test(test_withdraw_and_session_down),
		cmocka_unit_test(test_local_change),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_no_memory),
		cmocka_unit_test(test_view_built_when_asked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
