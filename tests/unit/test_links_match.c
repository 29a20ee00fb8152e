/*
 * The links_match oracle (ports/sim/links_oracle.c) must agree with the engine where
 * the engine is right, and fire where a view is wrong: an oracle that cannot fail
 * proves nothing. Each test runs a small world until it settles, checks that the
 * oracle holds, then (where it must fire) puts the world in a state whose views are
 * wrong: the simulator's idea of what an end announces changed behind the engine's
 * back, a session said to be down while its pairs stay, a label that is not the
 * node's. The messages are checked too: they name the link, the end and the type.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "format.h"
#include "world.h"

#define SEC 1000000000ull

struct fixture {
	struct sim_scenario sc;
	struct sim_world w;
	char why[1024];
};

/* The scenario text, run to `until` seconds. */
static void setup_world(struct fixture *f, const char *text, uint64_t until)
{
	char err[512];
	memset(f, 0, sizeof(*f));
	if (!sim_scenario_parse(&f->sc, text, strlen(text), "t.json", err, sizeof(err)))
		fail_msg("%s", err);
	struct sim_opts o = { .seed = 1, .seed_set = true, .until = until * SEC, .log_level = -1 };
	assert_true(sim_world_init(&f->w, &f->sc, &o, err, sizeof(err)));
	sim_world_run(&f->w);
}

static void teardown_world(struct fixture *f)
{
	sim_world_free(&f->w);
	sim_scenario_free(&f->sc);
}

static bool holds(struct fixture *f)
{
	return sim_links_match(&f->w, f->why, sizeof(f->why));
}

static void assert_fires(struct fixture *f, const char *want)
{
	if (holds(f))
		fail_msg("the oracle held; expected: %s", want);
	if (!strstr(f->why, want))
		fail_msg("message \"%s\"\n does not contain \"%s\"", f->why, want);
}

/* The session view of node's port with the link's other end (tests only look, never keep). */
struct find {
	uint32_t port;
	const uint8_t *mac;
	struct lsoe_session_view v;
	bool found;
};

static void find_visit(void *ctx, const struct lsoe_session_view *v)
{
	struct find *f = ctx;
	if (v->port == f->port && memcmp(v->peer_mac, f->mac, 6) == 0) {
		f->v = *v;
		f->found = true;
	}
}

static struct lsoe_session_view view_of(struct fixture *f, int side)
{
	const struct sim_link_spec *ls = &f->sc.links[0];
	struct sim_node *n = &f->w.nodes[side ? ls->b : ls->a], *peer = &f->w.nodes[side ? ls->a : ls->b];
	uint8_t peer_mac[6];
	sim_port_mac(peer->index, side ? ls->a_port : ls->b_port, peer_mac);
	struct find fd = { .port = side ? ls->b_port : ls->a_port, .mac = peer_mac };
	lsoe_node_foreach_session(n->node, find_visit, &fd);
	assert_true(fd.found);
	return fd.v;
}

/* b's first address of a family on its port of link 0, in the simulator's list. */
static struct sim_addr *b_addr(struct fixture *f, unsigned family)
{
	struct sim_addrlist *al = sim_port_own_addrs(&f->w, &f->w.nodes[f->sc.links[0].b], f->sc.links[0].b_port);
	for (unsigned i = 0; i < al->n; i++)
		if (al->a[i].family == family)
			return &al->a[i];
	fail_msg("b has no IPv%u address", family);
	return NULL;
}

static const char pair_text[] = "{ \"duration\": 10, \"topology\": { \"type\": \"pair\" } }";
static const char mpls_text[] = "{ \"duration\": 10, \"mpls\": true, \"topology\": { \"type\": \"pair\" } }";

/* ---- where the engine is right, the oracle agrees ---- */

static void test_settled_pair_holds(void **state)
{
	(void)state;
	struct fixture f;
	setup_world(&f, mpls_text, 2);
	assert_true(holds(&f));
	assert_string_equal(f.why, "");
	/* Not vacuously: every type has its pair at both ends. */
	for (int side = 0; side < 2; side++) {
		struct lsoe_session_view v = view_of(&f, side);
		for (int j = 0; j < 4; j++)
			assert_int_equal(v.link_count[j], 1);
	}
	teardown_world(&f);
}

/*
 * The rule's edges, engine and oracle side by side: /24 with a /31 inside it pairs, a /24
 * with a /31 outside it does not, one address on both ends is a conflict, one /64 pairs
 * with two addresses of the other end, link-locals pair, loopbacks never (each end has one that
 * would pair were it not one), in the view's order.
 */
static void test_agrees_with_the_engine_on_the_edges(void **state)
{
	(void)state;
	static const char text[] =
	    "{ \"duration\": 10, \"mpls\": true, \"topology\": { \"type\": \"pair\" },\n"
	    "  \"links\": { \"a-b\": {\n"
	    "    \"a_addresses\": [\"198.51.100.1/24\", \"192.0.2.1/24\", \"10.9.0.0/31\", \"fe80::1/64\",\n"
	    "                      \"2001:db8:5::1/64\"],\n"
	    "    \"b_addresses\": [\"192.0.2.0/31\", \"198.51.100.9/31\", \"10.9.0.0/31\", \"2001:db8:5::3/64\",\n"
	    "                      \"fe80::2/64\", \"2001:db8:5::2/64\"] } },\n"
	    "  \"loopbacks\": { \"a\": [\"2001:db8:5::8/64\"], \"b\": [\"192.0.2.5/24\"] } }";
	struct fixture f;
	setup_world(&f, text, 2);
	assert_true(holds(&f));
	struct lsoe_session_view v = view_of(&f, 0);
	char addr[LSOE_ADDR_STRLEN];
	assert_int_equal(v.link_count[0], 1); /* IPV4_ENCAP */
	assert_string_equal(lsoe_fmt_encap_addr(addr, LSOE_PDU_IPV4_ENCAP, &v.links[0][0].local), "192.0.2.1");
	assert_string_equal(lsoe_fmt_encap_addr(addr, LSOE_PDU_IPV4_ENCAP, &v.links[0][0].peer), "192.0.2.0");
	assert_int_equal(v.link_count[1], 3); /* IPV6_ENCAP: sorted by our address, then the peer's */
	assert_string_equal(lsoe_fmt_encap_addr(addr, LSOE_PDU_IPV6_ENCAP, &v.links[1][0].peer), "2001:db8:5::2");
	assert_string_equal(lsoe_fmt_encap_addr(addr, LSOE_PDU_IPV6_ENCAP, &v.links[1][1].peer), "2001:db8:5::3");
	assert_string_equal(lsoe_fmt_encap_addr(addr, LSOE_PDU_IPV6_ENCAP, &v.links[1][2].local), "fe80::1");
	assert_int_equal(v.link_count[2], 1);
	assert_int_equal(v.link_count[3], 3);
	teardown_world(&f);
}

/* No addresses that agree: no link, and the oracle holds with nothing on either side. */
static void test_disagreeing_subnets_hold_with_no_link(void **state)
{
	(void)state;
	static const char text[] =
	    "{ \"duration\": 10, \"topology\": { \"type\": \"pair\" },\n"
	    "  \"links\": { \"a-b\": { \"a_addresses\": [\"192.0.2.1/24\"], \"b_addresses\": [\"192.0.2.9/31\"] } } }";
	struct fixture f;
	setup_world(&f, text, 2);
	assert_true(holds(&f));
	struct lsoe_session_view v = view_of(&f, 1);
	assert_int_equal(v.link_count[0], 0);
	assert_true(v.link_incompatible[0]);
	teardown_world(&f);
}

/* ---- where a view is wrong, the oracle fires ---- */

static void test_fires_when_a_pair_should_be_gone(void **state)
{
	(void)state;
	struct fixture f;
	setup_world(&f, pair_text, 2);
	assert_true(holds(&f));
	b_addr(&f, 4)->addr[3] = 9; /* b "announces" 10.0.0.9/31 now: no IPv4 link */
	assert_fires(&f, "on a-b, a's IPV4_ENCAP view has 1 pair (10.0.0.0/31 primary with 10.0.0.1/31 primary), "
	    "want 0 pairs (none)");
	teardown_world(&f);
}

static void test_fires_on_a_prefix_length(void **state)
{
	(void)state;
	struct fixture f;
	setup_world(&f, pair_text, 2);
	b_addr(&f, 6)->prefix_len = 64; /* still pairs, with another prefix length */
	assert_fires(&f, "a's IPV6_ENCAP view has 1 pair (2001:db8::a/127 primary with 2001:db8::b/127 primary), "
	    "want 1 pair (2001:db8::a/127 primary with 2001:db8::b/64 primary) (the same number, different entries)");
	teardown_world(&f);
}

static void test_fires_on_a_primary_flag(void **state)
{
	(void)state;
	struct fixture f;
	setup_world(&f, pair_text, 2);
	b_addr(&f, 4)->primary = false;
	assert_fires(&f, "want 1 pair (10.0.0.0/31 primary with 10.0.0.1/31) (the same number, different entries)");
	teardown_world(&f);
}

static void test_fires_on_a_loopback(void **state)
{
	(void)state;
	struct fixture f;
	setup_world(&f, pair_text, 2);
	b_addr(&f, 4)->loopback = true; /* a node's own address is never a link's */
	assert_fires(&f, "a's IPV4_ENCAP view has 1 pair");
	assert_fires(&f, "want 0 pairs (none)");
	teardown_world(&f);
}

static void test_fires_on_a_label(void **state)
{
	(void)state;
	struct fixture f;
	setup_world(&f, mpls_text, 2);
	assert_true(holds(&f));
	/* b's label is 16000 + its index: say it is node 0, only while the oracle looks. */
	f.w.nodes[1].index = 0;
	assert_fires(&f, "a's MPLS_IPV4_ENCAP view has 1 pair (10.0.0.0/31 primary label 16000 with 10.0.0.1/31 "
	    "primary label 16001), want 1 pair (10.0.0.0/31 primary label 16000 with 10.0.0.1/31 primary label 16000)");
	f.w.nodes[1].index = 1;
	assert_true(holds(&f));
	teardown_world(&f);
}

static void test_fires_when_pairs_outlive_the_session(void **state)
{
	(void)state;
	struct fixture f;
	setup_world(&f, pair_text, 2);
	f.w.up[0][1] = false; /* b "closed" it; a keeps its pairs */
	assert_fires(&f, "on a-b, a's IPV4_ENCAP view has 1 pair (10.0.0.0/31 primary with 10.0.0.1/31 primary) but the "
	    "session is not established at both ends (a: established, b: not established): want none");
	teardown_world(&f);
}

static void test_fires_on_a_crashed_end(void **state)
{
	(void)state;
	struct fixture f;
	setup_world(&f, pair_text, 2);
	sim_node_crash(&f.w, &f.w.nodes[1]); /* a has not noticed: its pairs stay */
	assert_fires(&f, "(a: established, b: crashed): want none");
	f.w.up[0][1] = true; /* said established, but b runs no engine */
	assert_fires(&f, "on a-b, b has no session with a");
	teardown_world(&f);
}

/* Through the expectation: b's view lags a's change by the link's delay, so at the instant
   of the change the check fails, naming b; a delay later it holds. */
static void test_expectation_names_the_lagging_end(void **state)
{
	(void)state;
	static const char text[] =
	    "{ \"duration\": 5, \"topology\": { \"type\": \"pair\" },\n"
	    "  \"events\": [ { \"at\": 2, \"type\": \"address_remove\", \"node\": \"a\", \"link\": \"a-b\", "
	    "\"address\": \"10.0.0.0/31\" } ],\n"
	    "  \"expect\": [ { \"type\": \"links_match\", \"at\": 2 }, { \"type\": \"links_match\", \"at\": 2.0001 },\n"
	    "              { \"type\": \"links_match\", \"at\": 7 }, { \"type\": \"links_match\" } ] }";
	struct fixture f;
	setup_world(&f, text, 5);
	assert_int_equal(f.w.passed, 2);
	assert_int_equal(f.w.nfailures, 2);
	assert_string_equal(f.w.failures[0], "t.json:3:15: links_match at 2 s: on a-b, b's IPV4_ENCAP view has 1 pair "
	    "(10.0.0.1/31 primary with 10.0.0.0/31 primary), want 0 pairs (none)");
	assert_string_equal(f.w.failures[1], "t.json:4:15: links_match at 7 s: the run ended at 5 s (--until?)");
	teardown_world(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settled_pair_holds),
		cmocka_unit_test(test_agrees_with_the_engine_on_the_edges),
		cmocka_unit_test(test_disagreeing_subnets_hold_with_no_link),
		cmocka_unit_test(test_fires_when_a_pair_should_be_gone),
		cmocka_unit_test(test_fires_on_a_prefix_length),
		cmocka_unit_test(test_fires_on_a_primary_flag),
		cmocka_unit_test(test_fires_on_a_loopback),
		cmocka_unit_test(test_fires_on_a_label),
		cmocka_unit_test(test_fires_when_pairs_outlive_the_session),
		cmocka_unit_test(test_fires_on_a_crashed_end),
		cmocka_unit_test(test_expectation_names_the_lagging_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
