/*
 * Engine tests against the reference captures (tests/data/README.md): a node
 * plays A (MAC 02:00:00:00:00:0a, EtherType 0x8885, A's addresses from the
 * README) and is fed, at their timestamps, every frame of the capture that A did
 * not send. B is py-lsoed; what our node learns of B must be exactly what the
 * README says B has.
 *
 * Our A answers with its own OPEN nonce, which B in the capture never saw; B's
 * ACKs match by type only (digest 5.4), so B's ACK of the recorded A's OPEN
 * completes ours, and B's ACKs of the recorded A's encapsulation PDUs complete
 * ours: with A's addresses configured, nothing is unexpected and nothing is
 * retransmitted.
 *
 * Expected times are derived from the capture itself: the session is up when
 * the later of B's first OPEN and B's first ACK of an OPEN arrives; in
 * ref-restart it goes down when B's OPEN with a new nonce arrives and comes back
 * with B's next ACK of an OPEN.
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
#include "support.h"

static const uint8_t MAC_A[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };
static const uint8_t ID_A[LSOE_LOCAL_ID_LEN] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x01 };
static const uint8_t ID_B[LSOE_LOCAL_ID_LEN] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x02 };
#define P 1u

/* What B's frames say, for the expected times. */
struct b_timeline {
	uint64_t first_open, first_open_ack;  /* B's first OPEN, B's first ACK of an OPEN */
	uint64_t new_open;                    /* B's OPEN with a nonce other than its first (0: none) */
	uint64_t ack_after_new;               /* B's first ACK of an OPEN after that */
};

static void scan_b(const struct test_frame *fr, size_t nf, struct b_timeline *tl)
{
	memset(tl, 0, sizeof(*tl));
	uint32_t nonce1 = 0;
	for (size_t i = 0; i < nf; i++) {
		struct lsoe_eth eth;
		struct lsoe_dgram d;
		if (lsoe_eth_decode(fr[i].data, fr[i].len, &eth) != LSOE_OK || memcmp(eth.src, MAC_B, 6) != 0)
			continue;
		if (lsoe_dgram_decode(eth.payload, eth.payload_len, &d) != LSOE_OK || d.number != 0 || !d.last)
			continue;
		struct lsoe_pdu pdu;
		if (lsoe_pdu_decode(d.payload, d.payload_len, &pdu) != LSOE_OK)
			continue;
		uint64_t t = fr[i].time_ns;
		if (pdu.type == LSOE_PDU_OPEN) {
			if (!tl->first_open) {
				tl->first_open = t;
				nonce1 = pdu.u.open.nonce;
			} else if (!tl->new_open && pdu.u.open.nonce != nonce1) {
				tl->new_open = t;
			}
		} else if (pdu.type == LSOE_PDU_ACK && pdu.u.ack.pdu_type == LSOE_PDU_OPEN) {
			if (!tl->first_open_ack)
				tl->first_open_ack = t;
			if (tl->new_open && !tl->ack_after_new && t > tl->new_open)
				tl->ack_after_new = t;
		}
	}
	assert_true(tl->first_open && tl->first_open_ack);
}

static struct lsoe_encap v6(uint16_t g0, uint16_t g1, uint16_t g2, uint16_t g5, uint16_t g6, uint16_t g7, uint8_t plen,
    uint8_t flags)
{
	const uint16_t g[8] = { g0, g1, g2, 0, 0, g5, g6, g7 };
	return h_ipv6(g, plen, flags);
}

/* "2001:db8:1::N" as written in decimal digits: the last group's hex digits are N's decimal ones. */
static uint16_t decimal_as_hex(unsigned n) { return (uint16_t)((n / 100) << 8 | ((n / 10) % 10) << 4 | (n % 10)); }

static size_t expected_b_ipv6(bool big, struct lsoe_encap *v)
{
	size_t k = 0;
	v[k++] = v6(0, 0, 0, 0, 0, 1, 128, LSOE_ENCAP_LOOPBACK);
	if (big)
		for (unsigned n = 120; n >= 1; n--)
			v[k++] = v6(0x2001, 0xdb8, 1, 0, 0, decimal_as_hex(n), 128, 0);
	v[k++] = v6(0x2001, 0xdb8, 0, 0, 0, 0xb, 127, 0);
	v[k++] = v6(0xfe80, 0, 0, 0xff, 0xfe00, 0xb, 64, 0);
	return k;
}

static void configure_a(struct lsoe_node *n)
{
	const struct lsoe_encap a4[2] = { h_ipv4(127, 0, 0, 1, 8, LSOE_ENCAP_LOOPBACK), h_ipv4(192, 0, 2, 1, 31, 0) };
	const struct lsoe_encap a6[3] = { v6(0, 0, 0, 0, 0, 1, 128, LSOE_ENCAP_LOOPBACK),
		v6(0x2001, 0xdb8, 0, 0, 0, 0xa, 127, 0), v6(0xfe80, 0, 0, 0xff, 0xfe00, 0xa, 64, 0) };
	assert_int_equal(lsoe_node_set_encaps(n, P, LSOE_PDU_IPV4_ENCAP, a4, 2), LSOE_OK);
	assert_int_equal(lsoe_node_set_encaps(n, P, LSOE_PDU_IPV6_ENCAP, a6, 3), LSOE_OK);
	assert_int_equal(lsoe_node_set_encaps(n, P, LSOE_PDU_MPLS_IPV4_ENCAP, NULL, 0), LSOE_OK);
	assert_int_equal(lsoe_node_set_encaps(n, P, LSOE_PDU_MPLS_IPV6_ENCAP, NULL, 0), LSOE_OK);
}

static void assert_entries(const struct lsoe_encap *got, size_t ngot, const struct lsoe_encap *want, size_t n,
    unsigned alen)
{
	assert_int_equal(ngot, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(got[i].flags, want[i].flags);
		assert_int_equal(got[i].prefix_len, want[i].prefix_len);
		assert_memory_equal(got[i].addr, want[i].addr, alen);
	}
}

/* The five events of one session opening: up, then B's four lists at their arrival. */
static void assert_session_up(const struct h_node *a, size_t up_index, uint64_t t_up, bool big)
{
	const struct h_event *up = h_nth_event(a, LSOE_EV_SESSION_UP, up_index);
	assert_non_null(up);
	assert_int_equal(up->time, t_up);
	assert_int_equal(up->port, P);
	assert_memory_equal(up->peer_mac, MAC_B, 6);
	assert_true(up->has_peer_id);
	assert_memory_equal(up->peer_id, ID_B, LSOE_LOCAL_ID_LEN);
	assert_int_equal(up->attr_count, 0);
	const struct lsoe_encap b4[2] = { h_ipv4(127, 0, 0, 1, 8, LSOE_ENCAP_LOOPBACK), h_ipv4(192, 0, 2, 0, 31, 0) };
	struct lsoe_encap b6[123];
	size_t n6 = expected_b_ipv6(big, b6);
	size_t i = (size_t)(up - a->events) + 1;
	for (unsigned k = 0; k < 4; k++, i++) {
		while (i < a->nevents && a->events[i].type == LSOE_EV_LINKS)
			i++; /* the link view follows each list that forms a link: checked below */
		assert_true(i < a->nevents);
		const struct h_event *e = &a->events[i];
		assert_int_equal(e->type, LSOE_EV_ENCAPS);
		assert_int_equal(e->encap_type, LSOE_PDU_IPV4_ENCAP + k);
		assert_true(e->time >= t_up);
		size_t shown = e->encap_count < 8 ? e->encap_count : 8; /* the harness keeps the first 8 */
		if (k == 0)
			assert_entries(e->encaps, e->encap_count, b4, 2, 4);
		else if (k == 1) {
			assert_int_equal(e->encap_count, n6);
			assert_entries(e->encaps, shown, b6, shown, 16);
		} else
			assert_int_equal(e->encap_count, 0);
	}
}

/*
 * The link view after session up number up_index: B's IPv4 list pairs A's 192.0.2.1/31
 * with B's 192.0.2.0/31; its IPv6 list the /127s and the link-locals (B's 120 extra
 * /128s of bigencap are in no subnet of A's, the loopbacks never pair). The MPLS lists
 * are empty on both sides: no link, none incompatible.
 */
static void assert_links_up(const struct h_node *a, size_t up_index)
{
	const struct h_event *up = h_nth_event(a, LSOE_EV_SESSION_UP, up_index);
	size_t i = (size_t)(up - a->events), seen = 0;
	for (i++; i < a->nevents && a->events[i].type != LSOE_EV_SESSION_DOWN; i++) {
		const struct h_event *e = &a->events[i];
		if (e->type != LSOE_EV_LINKS)
			continue;
		assert_memory_equal(e->peer_mac, MAC_B, 6);
		assert_memory_equal(e->peer_id, ID_B, LSOE_LOCAL_ID_LEN);
		assert_memory_equal(e->local_id, ID_A, LSOE_LOCAL_ID_LEN);
		if (seen == 0) {
			assert_int_equal(e->encap_type, LSOE_PDU_IPV4_ENCAP);
			assert_int_equal(e->link_count, 1);
			assert_memory_equal(e->links[0].local.addr, ((const uint8_t[]){ 192, 0, 2, 1 }), 4);
			assert_memory_equal(e->links[0].peer.addr, ((const uint8_t[]){ 192, 0, 2, 0 }), 4);
			assert_int_equal(e->links[0].local.prefix_len, 31);
			assert_int_equal(e->links[0].peer.prefix_len, 31);
		} else {
			assert_int_equal(seen, 1);
			assert_int_equal(e->encap_type, LSOE_PDU_IPV6_ENCAP);
			assert_int_equal(e->link_count, 2);
			struct lsoe_encap want[4] = { v6(0x2001, 0xdb8, 0, 0, 0, 0xa, 127, 0), v6(0x2001, 0xdb8, 0, 0, 0, 0xb, 127, 0),
				v6(0xfe80, 0, 0, 0xff, 0xfe00, 0xa, 64, 0), v6(0xfe80, 0, 0, 0xff, 0xfe00, 0xb, 64, 0) };
			for (unsigned k = 0; k < 2; k++) {
				assert_memory_equal(e->links[k].local.addr, want[2 * k].addr, 16);
				assert_memory_equal(e->links[k].peer.addr, want[2 * k + 1].addr, 16);
				assert_int_equal(e->links[k].local.prefix_len, want[2 * k].prefix_len);
			}
		}
		seen++;
	}
	assert_int_equal(seen, 2);
}

static void session_visit(void *ctx, const struct lsoe_session_view *v)
{
	*(struct lsoe_session_view *)ctx = *v;
}

static void replay(const char *file, bool big, bool restart)
{
	struct test_frame *fr;
	size_t nf = test_read_pcap(file, &fr);
	assert_true(nf > 0);
	struct b_timeline tl;
	scan_b(fr, nf, &tl);
	assert_true(restart == (tl.new_open != 0));

	struct h_world w;
	h_world_init(&w, fr[0].time_ns - SEC);
	struct lsoe_config c;
	h_config(&c, 0x01);
	memcpy(c.local_id, ID_A, LSOE_LOCAL_ID_LEN);
	c.ethertype = LSOE_ETHERTYPE_PYLSOED;
	c.hello_interval = 2 * SEC; /* as in the captures (README) */
	struct h_node *a = h_node_add(&w, "A", 1, &c);
	memcpy(a->mac[P], MAC_A, 6);
	assert_int_equal(lsoe_node_port_add(a->node, P, "veth-a", MAC_A, LSOE_PORT_UP), LSOE_OK);
	configure_a(a->node);

	size_t fed = 0, own = 0;
	for (size_t i = 0; i < nf; i++) {
		struct lsoe_eth eth;
		assert_int_equal(lsoe_eth_decode(fr[i].data, fr[i].len, &eth), LSOE_OK);
		assert_int_equal(eth.ethertype, LSOE_ETHERTYPE_PYLSOED);
		if (memcmp(eth.src, MAC_A, 6) == 0) {
			own++;
			continue;
		}
		h_run_until(&w, fr[i].time_ns);
		lsoe_node_input(a->node, P, eth.src, eth.dst, eth.payload, eth.payload_len);
		fed++;
	}
	const uint64_t end = fr[nf - 1].time_ns;
	h_run_until(&w, end + 500 * MS); /* less than a keepalive timeout: the session stays up */

	const uint64_t up1 = tl.first_open > tl.first_open_ack ? tl.first_open : tl.first_open_ack;
	assert_int_equal(h_count_events(a, LSOE_EV_SESSION_UP), restart ? 2 : 1);
	assert_session_up(a, 0, up1, big);
	assert_links_up(a, 0);
	if (restart) {
		assert_int_equal(h_count_events(a, LSOE_EV_SESSION_DOWN), 1);
		const struct h_event *dn = h_nth_event(a, LSOE_EV_SESSION_DOWN, 0);
		assert_int_equal(dn->reason, LSOE_DOWN_PEER_RESTART);
		assert_int_equal(dn->time, tl.new_open);
		assert_memory_equal(dn->peer_mac, MAC_B, 6);
		size_t i = (size_t)(dn - a->events);
		for (unsigned k = 0; k < 4; k++) {
			const struct h_event *e = &a->events[i + 1 + k];
			assert_int_equal(e->type, LSOE_EV_ENCAPS);
			assert_int_equal(e->encap_type, LSOE_PDU_IPV4_ENCAP + k);
			assert_int_equal(e->encap_count, 0);
			assert_int_equal(e->time, tl.new_open);
		}
		/* Then the links go: an empty list for each type that had pairs. */
		for (unsigned k = 0; k < 2; k++) {
			const struct h_event *e = &a->events[i + 5 + k];
			assert_int_equal(e->type, LSOE_EV_LINKS);
			assert_int_equal(e->encap_type, LSOE_PDU_IPV4_ENCAP + k);
			assert_int_equal(e->link_count, 0);
			assert_int_equal(e->time, tl.new_open);
		}
		assert_session_up(a, 1, tl.ack_after_new, big);
		assert_links_up(a, 1);
		assert_int_equal(a->nevents, 7 + 7 + 7);
	} else {
		assert_int_equal(h_count_events(a, LSOE_EV_SESSION_DOWN), 0);
		assert_int_equal(a->nevents, 7); /* up, four lists, two links */
	}

	/* The view holds B's full lists (all 123 IPv6 entries for bigencap). */
	struct lsoe_session_view v;
	memset(&v, 0, sizeof(v));
	lsoe_node_foreach_session(a->node, session_visit, &v);
	assert_int_equal(v.state, LSOE_STATE_ESTABLISHED);
	assert_memory_equal(v.peer_id, ID_B, LSOE_LOCAL_ID_LEN);
	const struct lsoe_encap b4[2] = { h_ipv4(127, 0, 0, 1, 8, LSOE_ENCAP_LOOPBACK), h_ipv4(192, 0, 2, 0, 31, 0) };
	struct lsoe_encap b6[123];
	size_t n6 = expected_b_ipv6(big, b6);
	assert_entries(v.encaps[0], v.encap_count[0], b4, 2, 4);
	assert_entries(v.encaps[1], v.encap_count[1], b6, n6, 16);
	for (unsigned k = 0; k < 4; k++)
		assert_true(v.encaps_received[k]);
	assert_int_equal(v.encap_count[2], 0);
	assert_int_equal(v.encap_count[3], 0);
	assert_int_equal(v.link_count[0], 1);
	assert_int_equal(v.link_count[1], 2);
	assert_int_equal(v.link_count[2], 0);
	assert_int_equal(v.link_count[3], 0);
	for (unsigned k = 0; k < 4; k++)
		assert_false(v.link_incompatible[k]);

	const struct lsoe_counters *ct = h_counters(a->node);
	assert_int_equal(ct->rx_frames, fed);
	assert_int_equal(ct->rx_dropped, 0);
	assert_int_equal(ct->rx_unexpected, 0);
	assert_int_equal(ct->retransmits, 0);
	assert_int_equal(ct->error_acks_received, 0);
	assert_int_equal(ct->error_acks_sent, 0);
	assert_int_equal(ct->rx_pdus, fed - (big ? 1 : 0)); /* bigencap: one PDU in two frames */
	assert_true(own > 0);
	h_world_free(&w);
	test_free_frames(fr, nf);
}

static void test_replay_basic(void **state)
{
	(void)state;
	replay("ref-basic.pcap", false, false);
}

static void test_replay_bigencap(void **state)
{
	(void)state;
	replay("ref-bigencap.pcap", true, false);
}

static void test_replay_restart(void **state)
{
	(void)state;
	replay("ref-restart.pcap", false, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_basic),
		cmocka_unit_test(test_replay_bigencap),
		cmocka_unit_test(test_replay_restart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
