/*
 * The simulator's scenario parser (ports/sim/scenario.c, json_dom.c; format:
 * sim-scenarios/README.md).
 *
 * Each generated topology's nodes, links, names and ports; link addresses (both
 * families, flags) and their overrides; link properties per link and per
 * direction; node configuration (defaults, per node, derived local IDs); every
 * event, process and expectation type; times to nanoseconds; and errors, each
 * at its exact FILE:LINE:COLUMN. The scenarios are written with ' for " to keep
 * them readable here, and where an error is expected an @ marks its position.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "json_dom.h"
#include "lsoe/config.h"
#include "lsoe/event.h"
#include "lsoe/pdu.h"
#include "scenario.h"

#define S 1000000000ull
#define MS 1000000ull

/* The text with every ' made a ". */
static char *dq(const char *src)
{
	char *t = strdup(src);
	assert_non_null(t);
	for (char *c = t; *c; c++)
		if (*c == '\'')
			*c = '"';
	return t;
}

static void parse_ok(struct sim_scenario *sc, const char *src)
{
	char *t = dq(src), err[1024];
	if (!sim_scenario_parse(sc, t, strlen(t), "t.json", err, sizeof(err)))
		fail_msg("unexpected error: %s\n--- in:\n%s", err, t);
	free(t);
}

/*
 * The parse fails with the message msg (its start) at the position marked by the
 * one '@' in src, as "t.json:LINE:COLUMN: msg...".
 */
static void parse_err(const char *src, const char *msg)
{
	struct sim_scenario sc;
	const char *at = strchr(src, '@');
	assert_non_null(at);
	unsigned line = 1, col = 1;
	for (const char *c = src; c < at; c++) {
		col++;
		if (*c == '\n') {
			line++;
			col = 1;
		}
	}
	char *t = dq(src), err[1024], want[1024];
	memmove(t + (at - src), t + (at - src) + 1, strlen(at));
	snprintf(want, sizeof(want), "t.json:%u:%u: %s", line, col, msg);
	if (sim_scenario_parse(&sc, t, strlen(t), "t.json", err, sizeof(err))) {
		sim_scenario_free(&sc);
		fail_msg("parsed, but expected the error %s\n--- in:\n%s", want, t);
	}
	free(t);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("error \"%s\"\n expected \"%s...\"", err, want);
	/* The structure is left empty. */
	assert_null(sc.nodes);
	assert_int_equal(sc.nnodes, 0);
}

static const char *node_name(const struct sim_scenario *sc, int i)
{
	assert_true(i >= 0 && (size_t)i < sc->nnodes);
	return sc->nodes[i].name;
}

/* A link end's addresses (generated ones in a buffer per end) and their number. */
static struct sim_addr gen_buf[2][2];

static const struct sim_addr *end_addrs(const struct sim_scenario *sc, size_t link, int side)
{
	unsigned n;
	return sim_link_addrs(sc, link, side, gen_buf[side], &n);
}

static unsigned end_naddrs(const struct sim_scenario *sc, size_t link, int side)
{
	struct sim_addr buf[2];
	unsigned n;
	sim_link_addrs(sc, link, side, buf, &n);
	return n;
}

static void assert_link(const struct sim_scenario *sc, size_t i, const char *name, const char *a, const char *b)
{
	assert_true(i < sc->nlinks);
	assert_string_equal(SIM_LINK_NAME(sc, &sc->links[i]), name);
	assert_string_equal(node_name(sc, sc->links[i].a), a);
	assert_string_equal(node_name(sc, sc->links[i].b), b);
	assert_int_equal(sim_scenario_link(sc, name), (int)i);
}

#define HEAD "{ 'duration': 10, "

/* ---- topologies ---- */

static void test_pair(void **state)
{
	(void)state;
	struct sim_scenario sc;
	parse_ok(&sc, HEAD "'topology': { 'type': 'pair' } }");
	assert_string_equal(sc.name, "t");
	assert_string_equal(sc.path, "t.json");
	assert_int_equal(sc.duration, 10 * S);
	assert_int_equal(sc.seed, 1);
	assert_true(sc.addresses);
	assert_false(sc.mpls);
	assert_int_equal(sc.nnodes, 2);
	assert_string_equal(sc.nodes[0].name, "a");
	assert_string_equal(sc.nodes[1].name, "b");
	assert_int_equal(sc.nlinks, 1);
	assert_link(&sc, 0, "a-b", "a", "b");
	assert_int_equal(sim_scenario_link(&sc, "b-a"), 0);
	assert_int_equal(sim_scenario_link(&sc, "a-c"), -1);
	assert_int_equal(sim_scenario_link(&sc, "b-"), -1);
	assert_int_equal(sim_scenario_node(&sc, "b"), 1);
	assert_int_equal(sim_scenario_node(&sc, "c"), -1);
	assert_int_equal(sc.links[0].a_port, 1);
	assert_int_equal(sc.links[0].b_port, 1);
	assert_int_equal(sc.nodes[0].nports, 1);
	/* Link defaults: 100 µs, nothing else. */
	const struct sim_dir *d = sim_link_dir(&sc, &sc.links[0], 0);
	assert_int_equal(d->delay, 100000);
	assert_int_equal(d->jitter, 0);
	assert_int_equal(d->reorder_delay, 0);
	assert_true(d->loss == 0 && d->duplicate == 0 && d->reorder == 0 && d->corrupt == 0);
	assert_memory_equal(d, sim_link_dir(&sc, &sc.links[0], 1), sizeof(struct sim_dir));
	assert_int_equal(sc.ndirs, 1); /* one for all */
	assert_int_equal(sc.nevents + sc.nprocs + sc.nexpects, 0);
	sim_scenario_free(&sc);
	assert_null(sc.nodes);
	sim_scenario_free(&sc); /* twice is harmless */
}

static void test_chain_ring(void **state)
{
	(void)state;
	struct sim_scenario sc;
	parse_ok(&sc, HEAD "'topology': { 'type': 'chain', 'nodes': 5 } }");
	assert_int_equal(sc.nnodes, 5);
	assert_int_equal(sc.nlinks, 4);
	for (int i = 0; i < 5; i++) {
		char n[8];
		snprintf(n, sizeof(n), "n%d", i + 1);
		assert_string_equal(sc.nodes[i].name, n);
	}
	assert_link(&sc, 0, "n1-n2", "n1", "n2");
	assert_link(&sc, 3, "n4-n5", "n4", "n5");
	assert_int_equal(sc.nodes[0].nports, 1);
	assert_int_equal(sc.nodes[1].nports, 2);
	assert_int_equal(sc.links[0].b_port, 1); /* n2's first port: to n1 */
	assert_int_equal(sc.links[1].a_port, 2); /* n2's second: to n3 */
	assert_int_equal(sc.nodes[4].nports, 1);
	sim_scenario_free(&sc);

	parse_ok(&sc, HEAD "'topology': { 'type': 'ring', 'nodes': 5 } }");
	assert_int_equal(sc.nnodes, 5);
	assert_int_equal(sc.nlinks, 5);
	assert_link(&sc, 4, "n5-n1", "n5", "n1");
	assert_int_equal(sim_scenario_link(&sc, "n1-n5"), 4);
	for (int i = 0; i < 5; i++)
		assert_int_equal(sc.nodes[i].nports, 2);
	assert_int_equal(sc.links[4].a_port, 2);
	assert_int_equal(sc.links[4].b_port, 2);
	sim_scenario_free(&sc);

	parse_ok(&sc, HEAD "'topology': { 'type': 'chain', 'nodes': 2 } }");
	assert_int_equal(sc.nlinks, 1);
	sim_scenario_free(&sc);
	parse_err(HEAD "'topology': { 'type': 'ring', 'nodes': @2 } }", "nodes: must be at least 3");
	parse_err(HEAD "'topology': { 'type': 'chain', 'nodes': @1.5 } }", "nodes: expected a whole number");
	parse_err(HEAD "'topology': { 'type': 'chain', 'nodes': @200001 } }", "nodes: must be at most");
}

static void test_clos(void **state)
{
	(void)state;
	struct sim_scenario sc;
	parse_ok(&sc, HEAD "'topology': { 'type': 'clos', 'spines': 4, 'leaves': 8 } }");
	assert_int_equal(sc.nnodes, 12);
	assert_int_equal(sc.nlinks, 32);
	assert_string_equal(sc.nodes[0].name, "spine1");
	assert_string_equal(sc.nodes[3].name, "spine4");
	assert_string_equal(sc.nodes[4].name, "leaf1");
	assert_string_equal(sc.nodes[11].name, "leaf8");
	assert_link(&sc, 0, "leaf1-spine1", "leaf1", "spine1");
	assert_link(&sc, 1, "leaf1-spine2", "leaf1", "spine2");
	assert_link(&sc, 4, "leaf2-spine1", "leaf2", "spine1");
	assert_link(&sc, 31, "leaf8-spine4", "leaf8", "spine4");
	for (int i = 0; i < 4; i++)
		assert_int_equal(sc.nodes[i].nports, 8);
	for (int i = 4; i < 12; i++)
		assert_int_equal(sc.nodes[i].nports, 4);
	assert_int_equal(sc.links[4].b_port, 2); /* spine1's port to leaf2 */
	assert_int_equal(sc.links[31].a_port, 4);
	assert_int_equal(sc.links[31].b_port, 8);
	sim_scenario_free(&sc);
}

static void test_clos3(void **state)
{
	(void)state;
	struct sim_scenario sc;
	parse_ok(&sc, HEAD "'topology': { 'type': 'clos3', 'pods': 2, 'spines_per_pod': 2, 'leaves_per_pod': 4, "
	    "'super_spines': 4 } }");
	assert_int_equal(sc.nnodes, 2 * (4 + 2) + 4);
	assert_int_equal(sc.nlinks, 2 * (4 * 2) + 2 * 2 * 2);
	static const char *const names[] = { "pod1-leaf1", "pod1-leaf2", "pod1-leaf3", "pod1-leaf4", "pod1-spine1",
		"pod1-spine2", "pod2-leaf1", "pod2-leaf2", "pod2-leaf3", "pod2-leaf4", "pod2-spine1", "pod2-spine2",
		"super1", "super2", "super3", "super4" };
	for (size_t i = 0; i < 16; i++)
		assert_string_equal(sc.nodes[i].name, names[i]);
	/* Pod 1: the full mesh, then its spines' uplinks (plane 1: super1-2, plane 2: super3-4). */
	assert_link(&sc, 0, "pod1-leaf1-pod1-spine1", "pod1-leaf1", "pod1-spine1");
	assert_link(&sc, 1, "pod1-leaf1-pod1-spine2", "pod1-leaf1", "pod1-spine2");
	assert_link(&sc, 7, "pod1-leaf4-pod1-spine2", "pod1-leaf4", "pod1-spine2");
	assert_link(&sc, 8, "pod1-spine1-super1", "pod1-spine1", "super1");
	assert_link(&sc, 9, "pod1-spine1-super2", "pod1-spine1", "super2");
	assert_link(&sc, 10, "pod1-spine2-super3", "pod1-spine2", "super3");
	assert_link(&sc, 11, "pod1-spine2-super4", "pod1-spine2", "super4");
	assert_link(&sc, 12, "pod2-leaf1-pod2-spine1", "pod2-leaf1", "pod2-spine1");
	assert_link(&sc, 20, "pod2-spine1-super1", "pod2-spine1", "super1");
	assert_link(&sc, 23, "pod2-spine2-super4", "pod2-spine2", "super4");
	assert_int_equal(sim_scenario_link(&sc, "super4-pod2-spine2"), 23);
	assert_int_equal(sim_scenario_link(&sc, "pod1-spine1-super3"), -1); /* other plane */
	for (size_t i = 12; i < 16; i++)
		assert_int_equal(sc.nodes[i].nports, 2); /* one per pod */
	assert_int_equal(sc.nodes[4].nports, 4 + 2);
	assert_int_equal(sc.links[8].a_port, 5);     /* after its four leaves */
	assert_int_equal(sc.links[20].b_port, 2);    /* super1's second pod */
	sim_scenario_free(&sc);

	parse_err(HEAD "'topology': { 'type': 'clos3', 'pods': 2, 'spines_per_pod': 2, 'leaves_per_pod': 4,\n"
	    "  'super_spines': @3 } }", "super_spines: must be a multiple of spines_per_pod (2)");
}

/* Connected: every node reached from n1. */
static bool connected(const struct sim_scenario *sc)
{
	size_t n = sc->nnodes;
	bool *seen = calloc(n, sizeof(*seen));
	int *queue = calloc(n, sizeof(*queue));
	size_t head = 0, tail = 0, count = 1;
	seen[0] = true;
	queue[tail++] = 0;
	while (head < tail) {
		int u = queue[head++];
		for (size_t i = 0; i < sc->nlinks; i++) {
			int v = sc->links[i].a == u ? sc->links[i].b : sc->links[i].b == u ? sc->links[i].a : -1;
			if (v >= 0 && !seen[v]) {
				seen[v] = true;
				queue[tail++] = v;
				count++;
			}
		}
	}
	free(seen);
	free(queue);
	return count == n;
}

static void test_random(void **state)
{
	(void)state;
	struct sim_scenario sc, again, other, reseeded;
	const char *text = HEAD "'seed': 7, 'topology': { 'type': 'random', 'nodes': 20, 'degree': 4 } }";
	parse_ok(&sc, text);
	assert_int_equal(sc.nnodes, 20);
	assert_int_equal(sc.nlinks, 40);
	assert_string_equal(sc.nodes[19].name, "n20");
	assert_link(&sc, 0, "n1-n2", "n1", "n2");
	assert_link(&sc, 19, "n20-n1", "n20", "n1");
	assert_true(connected(&sc));
	unsigned ports = 0;
	for (size_t i = 0; i < sc.nnodes; i++)
		ports += sc.nodes[i].nports;
	assert_int_equal(ports, 80);
	for (size_t i = 0; i < sc.nlinks; i++) {
		assert_int_not_equal(sc.links[i].a, sc.links[i].b);
		for (size_t j = 0; j < i; j++)
			assert_false((sc.links[i].a == sc.links[j].a && sc.links[i].b == sc.links[j].b) ||
			    (sc.links[i].a == sc.links[j].b && sc.links[i].b == sc.links[j].a));
	}
	/* The same graph again, and with another run seed; another graph_seed gives another. */
	parse_ok(&again, text);
	parse_ok(&reseeded, HEAD "'seed': 8, 'topology': { 'type': 'random', 'nodes': 20, 'degree': 4 } }");
	parse_ok(&other, HEAD "'topology': { 'type': 'random', 'nodes': 20, 'degree': 4, 'graph_seed': 2 } }");
	bool differs = false;
	for (size_t i = 0; i < sc.nlinks; i++) {
		const char *name = SIM_LINK_NAME(&sc, &sc.links[i]);
		assert_string_equal(name, SIM_LINK_NAME(&again, &again.links[i]));
		assert_string_equal(name, SIM_LINK_NAME(&reseeded, &reseeded.links[i]));
		differs = differs || strcmp(name, SIM_LINK_NAME(&other, &other.links[i])) != 0;
	}
	assert_true(differs);
	assert_true(connected(&other));
	sim_scenario_free(&sc);
	sim_scenario_free(&again);
	sim_scenario_free(&reseeded);
	sim_scenario_free(&other);

	/* Complete graph: degree n - 1. */
	parse_ok(&sc, HEAD "'topology': { 'type': 'random', 'nodes': 6, 'degree': 5 } }");
	assert_int_equal(sc.nlinks, 15);
	sim_scenario_free(&sc);
	/* Odd n * degree: the average is rounded down. */
	parse_ok(&sc, HEAD "'topology': { 'type': 'random', 'nodes': 5, 'degree': 3 } }");
	assert_int_equal(sc.nlinks, 7);
	sim_scenario_free(&sc);

	parse_err(HEAD "'topology': { 'type': 'random', 'nodes': 5, 'degree': @5 } }",
	    "degree: must be less than the number of nodes (5)");
	parse_err(HEAD "'topology': { 'type': 'random', 'nodes': 5, 'degree': @1 } }",
	    "degree: must be at least 2");
}

static void test_explicit(void **state)
{
	(void)state;
	struct sim_scenario sc;
	parse_ok(&sc, HEAD "'topology': { 'type': 'explicit', 'nodes': ['r1', 'r2', 'r3', 'lone'],\n"
	    "  'links': [['r1', 'r2'], ['r3', 'r1'], ['r2', 'r3']] } }");
	assert_int_equal(sc.nnodes, 4);
	assert_int_equal(sc.nlinks, 3);
	assert_link(&sc, 1, "r3-r1", "r3", "r1");
	assert_int_equal(sc.links[1].a_port, 1);
	assert_int_equal(sc.links[1].b_port, 2);
	assert_int_equal(sc.nodes[3].nports, 0);
	sim_scenario_free(&sc);

	parse_err(HEAD "'topology': { 'type': 'explicit', 'nodes': ['r1', 'r2'],\n  'links': [['r1', @'r9']] } }",
	    "unknown node 'r9'");
	parse_err(HEAD "'topology': { 'type': 'explicit', 'nodes': ['r1', @'r1'] } }",
	    "node 'r1' is listed twice");
	parse_err(HEAD "'topology': { 'type': 'explicit', 'nodes': ['r1', 'r2'],\n"
	    "  'links': [['r1', 'r2'], @['r2', 'r1']] } }",
	    "a second link between 'r2' and 'r1'");
	parse_err(HEAD "'topology': { 'type': 'explicit', 'nodes': ['r1'],\n  'links': [@['r1', 'r1']] } }",
	    "a link from node 'r1' to itself");
	parse_err(HEAD "'topology': { 'type': 'explicit', 'nodes': [@'a b'] } }",
	    "'a b' is not a valid node name");
	parse_err(HEAD "'topology': { 'type': 'explicit', 'nodes': [@'*'] } }", "'*' is not a valid");
	/* Names with '-' can make two links' names the same. */
	parse_err(HEAD "'topology': { 'type': 'explicit', 'nodes': ['a-b', 'c', 'a', 'b-c'],\n"
	    "  'links': [['a-b', 'c'], @['a', 'b-c']] } }",
	    "the link 'a-b-c' has the same name as link 'a-b-c'");
	parse_err(HEAD "'topology': { 'type': 'explicit', 'nodes': ['a'], 'links': [@['a']] } }",
	    "links: each link is a list of two node names");
}

/* ---- addresses ---- */

static void assert_addr(const struct sim_addr *a, const char *text, unsigned len, bool primary)
{
	uint8_t want[16] = { 0 };
	unsigned family = strchr(text, ':') ? 6 : 4;
	assert_int_equal(inet_pton(family == 4 ? AF_INET : AF_INET6, text, want), 1);
	assert_int_equal(a->family, family);
	if (memcmp(a->addr, want, family == 4 ? 4 : 16) != 0) {
		char got[64];
		inet_ntop(family == 4 ? AF_INET : AF_INET6, a->addr, got, sizeof(got));
		fail_msg("address %s, expected %s", got, text);
	}
	assert_int_equal(a->prefix_len, len);
	assert_int_equal(a->primary, primary);
	assert_false(a->loopback);
}

static void test_addresses(void **state)
{
	(void)state;
	struct sim_scenario sc;
	parse_ok(&sc, HEAD "'topology': { 'type': 'clos', 'spines': 4, 'leaves': 100 } }");
	assert_int_equal(sc.nlinks, 400);
	const struct sim_link_spec *l = &sc.links[0];
	assert_int_equal(end_naddrs(&sc, (size_t)(l - sc.links), 0), 2);
	assert_int_equal(end_naddrs(&sc, (size_t)(l - sc.links), 1), 2);
	assert_addr(&end_addrs(&sc, (size_t)(l - sc.links), 0)[0], "10.0.0.0", 31, true);
	assert_addr(&end_addrs(&sc, (size_t)(l - sc.links), 1)[0], "10.0.0.1", 31, true);
	assert_addr(&end_addrs(&sc, (size_t)(l - sc.links), 0)[1], "2001:db8::a", 127, true);
	assert_addr(&end_addrs(&sc, (size_t)(l - sc.links), 1)[1], "2001:db8::b", 127, true);
	l = &sc.links[300];
	assert_addr(&end_addrs(&sc, (size_t)(l - sc.links), 0)[0], "10.0.2.88", 31, true);
	assert_addr(&end_addrs(&sc, (size_t)(l - sc.links), 1)[0], "10.0.2.89", 31, true);
	assert_addr(&end_addrs(&sc, (size_t)(l - sc.links), 0)[1], "2001:db8:0:12c::a", 127, true);
	assert_addr(&end_addrs(&sc, (size_t)(l - sc.links), 1)[1], "2001:db8:0:12c::b", 127, true);
	sim_scenario_free(&sc);

	/* "addresses": false, with an override on one end of one link. */
	parse_ok(&sc, HEAD "'addresses': false, 'mpls': true, 'topology': { 'type': 'chain', 'nodes': 3 },\n"
	    "'links': { 'n3-n2': { 'b_addresses': ['192.0.2.1/24', '2001:db8:1::1/64', '192.0.2.7/32', "
	    "'fe80::1/64'] } } }");
	assert_false(sc.addresses);
	assert_true(sc.mpls);
	assert_int_equal(end_naddrs(&sc, 0, 0) + end_naddrs(&sc, 0, 1) + end_naddrs(&sc, 1, 0), 0);
	l = &sc.links[1];
	assert_int_equal(end_naddrs(&sc, (size_t)(l - sc.links), 1), 4);
	assert_addr(&end_addrs(&sc, (size_t)(l - sc.links), 1)[0], "192.0.2.1", 24, true);
	assert_addr(&end_addrs(&sc, (size_t)(l - sc.links), 1)[1], "2001:db8:1::1", 64, true);
	assert_addr(&end_addrs(&sc, (size_t)(l - sc.links), 1)[2], "192.0.2.7", 32, false);
	assert_addr(&end_addrs(&sc, (size_t)(l - sc.links), 1)[3], "fe80::1", 64, false);
	sim_scenario_free(&sc);

	/* An override replaces that end's generated list; an empty one removes it. */
	parse_ok(&sc, HEAD "'topology': { 'type': 'pair' }, 'links': { 'a-b': { 'a_addresses': [] } } }");
	assert_int_equal(end_naddrs(&sc, 0, 0), 0);
	assert_int_equal(end_naddrs(&sc, 0, 1), 2);
	sim_scenario_free(&sc);

	parse_err(HEAD "'topology': { 'type': 'pair' }, 'links': { 'a-b': { 'a_addresses': [@'10.0.0.1'] } } }",
	    "a_addresses: '10.0.0.1' is not ADDRESS/LENGTH");
	parse_err(HEAD "'topology': { 'type': 'pair' }, 'links': { 'a-b': { 'a_addresses': [@'10.0.0.1/33'] } } }",
	    "a_addresses: '10.0.0.1/33': the prefix length must be a number from 0 to 32");
	parse_err(HEAD "'topology': { 'type': 'pair' }, 'links': { 'a-b': { 'a_addresses': [@'10.0.0.256/8'] } } }",
	    "a_addresses: '10.0.0.256/8' is not an IPv4 or IPv6 address");
	parse_err(HEAD "'topology': { 'type': 'pair' }, 'links': { 'a-b': { 'b_addresses': ['::1/128', @'::1/127'] } } }",
	    "b_addresses: '::1/127' is listed twice");
	/* At most SIM_MAX_ADDRS per end. */
	char big[8192];
	size_t o = (size_t)snprintf(big, sizeof(big),
	    HEAD "'topology': { 'type': 'pair' }, 'links': { 'a-b': { 'b_addresses': [");
	for (int i = 0; i < SIM_MAX_ADDRS; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "%s'2001:db8:1::%x/128'", i ? ", " : "", i + 1);
	snprintf(big + o, sizeof(big) - o, "] } } }");
	parse_ok(&sc, big);
	assert_int_equal(end_naddrs(&sc, 0, 1), SIM_MAX_ADDRS);
	assert_addr(&end_addrs(&sc, 0, 1)[0], "2001:db8:1::1", 128, true);
	assert_addr(&end_addrs(&sc, 0, 1)[SIM_MAX_ADDRS - 1], "2001:db8:1::80", 128, false);
	sim_scenario_free(&sc);
	char *b = strstr(big, "'b_addresses': [") + strlen("'b_addresses': ");
	memmove(b + 1, b, strlen(b) + 1);
	*b = '@';
	o = strlen(big) - strlen("] } } }");
	snprintf(big + o, sizeof(big) - o, ", '::1/128'] } } }");
	parse_err(big, "b_addresses: at most 128 addresses");
}

/* ---- loopbacks ---- */

static void assert_loopback(const struct sim_addr *a, const char *text, unsigned len)
{
	struct sim_addr plain = *a;
	assert_true(a->loopback);
	assert_false(a->primary); /* a node's own address, not a link's primary one */
	plain.loopback = false;
	assert_addr(&plain, text, len, false);
}

static void test_loopbacks(void **state)
{
	(void)state;
	struct sim_scenario sc;
	parse_ok(&sc, HEAD "'topology': { 'type': 'chain', 'nodes': 3 },\n"
	    "'loopbacks': { 'n3': ['192.0.2.3/32', '2001:db8:ffff::3/128', '198.51.100.3/32'], 'n1': [] } }");
	assert_int_equal(sc.nodes[0].nloopbacks, 0);
	assert_null(sc.nodes[0].loopbacks);
	assert_int_equal(sc.nodes[1].nloopbacks, 0);
	assert_int_equal(sc.nodes[2].nloopbacks, 3);
	assert_loopback(&sc.nodes[2].loopbacks[0], "192.0.2.3", 32);
	assert_loopback(&sc.nodes[2].loopbacks[1], "2001:db8:ffff::3", 128);
	assert_loopback(&sc.nodes[2].loopbacks[2], "198.51.100.3", 32);
	/* The links' own addresses are untouched. */
	assert_int_equal(end_naddrs(&sc, 1, 1), 2);
	assert_addr(&end_addrs(&sc, 1, 1)[0], "10.0.0.3", 31, true);
	sim_scenario_free(&sc);

	/* At most SIM_MAX_LOOPBACKS a node. */
	char text[4096];
	size_t o = (size_t)snprintf(text, sizeof(text), HEAD "'topology': { 'type': 'pair' }, 'loopbacks': { 'b': [");
	for (int i = 0; i < SIM_MAX_LOOPBACKS; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s'192.0.2.%d/32'", i ? ", " : "", i + 1);
	snprintf(text + o, sizeof(text) - o, "] } }");
	parse_ok(&sc, text);
	assert_int_equal(sc.nodes[1].nloopbacks, SIM_MAX_LOOPBACKS);
	assert_loopback(&sc.nodes[1].loopbacks[SIM_MAX_LOOPBACKS - 1], "192.0.2.16", 32);
	sim_scenario_free(&sc);
	char *b = strstr(text, "'b': ") + strlen("'b': ");
	memmove(b + 1, b, strlen(b) + 1);
	*b = '@';
	o = strlen(text) - strlen("] } }");
	snprintf(text + o, sizeof(text) - o, ", '192.0.2.99/32'] } }");
	parse_err(text, "loopbacks.b: at most 16 addresses");

#define LB(x) HEAD "'topology': { 'type': 'pair' },\n'loopbacks': " x " }"
	parse_err(LB("{ 'a': ['192.0.2.1/32', @'192.0.2.1/24'] }"), "loopbacks.a: '192.0.2.1/24' is listed twice");
	parse_err(LB("{ 'a': [@'192.0.2.1'] }"), "loopbacks.a: '192.0.2.1' is not ADDRESS/LENGTH");
	parse_err(LB("{ 'a': [@'2001:db8::1/129'] }"),
	    "loopbacks.a: '2001:db8::1/129': the prefix length must be a number from 0 to 128");
	parse_err(LB("{ 'a': [@12] }"), "loopbacks.a: expected an address with its prefix length");
	parse_err(LB("{ 'a': @'192.0.2.1/32' }"), "loopbacks.a: expected a list of addresses");
	parse_err(LB("{ @'c': ['192.0.2.1/32'] }"), "loopbacks: unknown node 'c'");
	parse_err(HEAD "'topology': { 'type': 'chain', 'nodes': 2 },\n'loopbacks': { @'n3': [] } }",
	    "loopbacks: unknown node 'n3' (did you mean 'n1'?)");
	parse_err(LB("{ 'a': [], @'a': [] }"), "duplicate key 'a'");
	parse_err(LB("@['192.0.2.1/32']"), "loopbacks: expected an object");
	parse_err(HEAD "'addresses': false, 'topology': { 'type': 'pair' },\n'loopbacks': @{ 'a': ['192.0.2.1/32'] } }",
	    "loopbacks: \"addresses\": false announces no addresses, loopbacks included");
#undef LB
	/* Nothing to announce, nothing to refuse. */
	parse_ok(&sc, HEAD "'addresses': false, 'topology': { 'type': 'pair' }, 'loopbacks': {} }");
	sim_scenario_free(&sc);
}

/* ---- link properties ---- */

static void test_link_properties(void **state)
{
	(void)state;
	struct sim_scenario sc;
	parse_ok(&sc, HEAD "'topology': { 'type': 'chain', 'nodes': 3 },\n"
	    "'link_defaults': { 'delay': 0.001, 'loss': 0.1, 'jitter': 0.0005, 'corrupt': 0 },\n"
	    "'links': {\n"
	    "  'n2-n1': { 'delay': 0.002, 'duplicate': 0.25,\n"
	    "             'b_to_a': { 'loss': 0.5, 'reorder': 1, 'reorder_delay': 0.02 } },\n"
	    "  'n2-n3': { 'a_to_b': { 'delay': 1e-3, 'corrupt': 1e-2 } }\n"
	    "} }");
	const struct sim_link_spec *l = &sc.links[0];
	assert_int_equal(sim_link_dir(&sc, l, 0)->delay, 2 * MS);
	assert_int_equal(sim_link_dir(&sc, l, 1)->delay, 2 * MS);
	assert_int_equal(sim_link_dir(&sc, l, 0)->jitter, 500000);
	assert_true(sim_link_dir(&sc, l, 0)->loss == 0.1);
	assert_true(sim_link_dir(&sc, l, 1)->loss == 0.5);
	assert_true(sim_link_dir(&sc, l, 0)->duplicate == 0.25 && sim_link_dir(&sc, l, 1)->duplicate == 0.25);
	assert_true(sim_link_dir(&sc, l, 0)->reorder == 0 && sim_link_dir(&sc, l, 1)->reorder == 1);
	assert_int_equal(sim_link_dir(&sc, l, 0)->reorder_delay, 0);
	assert_int_equal(sim_link_dir(&sc, l, 1)->reorder_delay, 20 * MS);
	l = &sc.links[1];
	assert_int_equal(sim_link_dir(&sc, l, 0)->delay, 1 * MS);
	assert_int_equal(sim_link_dir(&sc, l, 1)->delay, 1 * MS);
	assert_true(sim_link_dir(&sc, l, 0)->corrupt == 0.01 && sim_link_dir(&sc, l, 1)->corrupt == 0);
	assert_true(sim_link_dir(&sc, l, 1)->loss == 0.1);
	sim_scenario_free(&sc);

	parse_err(HEAD "'topology': { 'type': 'pair' },\n'link_defaults': { 'loss': @1.5 } }",
	    "loss: must be between 0 and 1");
	parse_err(HEAD "'topology': { 'type': 'pair' },\n'link_defaults': { 'loss': @-0.1 } }",
	    "loss: must be between 0 and 1");
	parse_err(HEAD "'topology': { 'type': 'pair' },\n'link_defaults': { 'loss': @'0.1' } }",
	    "loss: expected a probability (a number from 0 to 1)");
	parse_err(HEAD "'topology': { 'type': 'pair' },\n'link_defaults': { 'delay': @-1 } }",
	    "delay: must not be negative");
	parse_err(HEAD "'topology': { 'type': 'pair' },\n'link_defaults': { @'a_to_b': {} } }",
	    "unknown key 'a_to_b' in link_defaults");
	parse_err(HEAD "'topology': { 'type': 'pair' },\n'links': { @'a-c': {} } }",
	    "links: unknown link 'a-c' (did you mean 'a-b'?)");
	parse_err(HEAD "'topology': { 'type': 'pair' },\n'links': { 'a-b': {}, @'b-a': {} } }",
	    "links: link 'a-b' is configured twice");
	parse_err(HEAD "'topology': { 'type': 'pair' },\n'links': { 'a-b': { 'b_to_a': { @'dealy': 1 } } } }",
	    "unknown key 'dealy' in links.a-b.b_to_a (did you mean 'delay'?)");
}

/* ---- node configuration ---- */

static void test_config(void **state)
{
	(void)state;
	struct sim_scenario sc;
	struct lsoe_config def;
	lsoe_config_default(&def);
	parse_ok(&sc, HEAD "'topology': { 'type': 'chain', 'nodes': 3 },\n"
	    "'defaults': { 'hello-interval': 1, 'keepalive-receive-timeout': '3', 'retransmit-exponential-backoff': false },\n"
	    "'nodes': { 'n2': { 'keepalive-send-interval': 0.5, 'attributes': [1, 2, 3],\n"
	    "                   'retransmit-initial-interval': 2e-1 },\n"
	    "           'n3': { 'local-id': '00:11:22:33:44:55:66:77:88:99', 'mtu': 9000 } } }");
	static struct lsoe_config cfg[3];
	for (size_t i = 0; i < 3; i++) {
		const struct lsoe_config *c = &cfg[i];
		sim_node_config(&sc, i, &cfg[i]);
		assert_string_equal(c->name, sc.nodes[i].name);
		assert_int_equal(c->hello_interval, 1 * S);
		assert_int_equal(c->keepalive_receive_timeout, 3 * S);
		assert_false(c->retransmit_backoff);
		assert_true(c->local_id_set);
		assert_int_equal(c->ethertype, def.ethertype); /* untouched keys keep their defaults */
		assert_int_equal(c->retransmit_max_drop, def.retransmit_max_drop);
	}
	assert_int_equal(cfg[0].keepalive_send, def.keepalive_send);
	assert_int_equal(cfg[1].keepalive_send, 500 * MS);
	assert_int_equal(cfg[1].retransmit_initial, 200 * MS);
	assert_int_equal(cfg[1].attr_count, 3);
	assert_int_equal(cfg[1].attrs[2], 3);
	assert_int_equal(cfg[0].attr_count, 0);
	assert_int_equal(cfg[2].mtu, 9000);
	/* Local IDs: derived from the index, unless set. */
	static const uint8_t id1[10] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, id2[10] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 },
		id3[10] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99 };
	assert_memory_equal(cfg[0].local_id, id1, 10);
	assert_memory_equal(cfg[1].local_id, id2, 10);
	assert_memory_equal(cfg[2].local_id, id3, 10);
	/* Three distinct configurations; the shared ones carry neither name nor derived ID. */
	assert_int_equal(sc.ncfgs, 3);
	assert_false(sc.nodes[0].cfg->local_id_set);
	assert_true(sc.nodes[2].cfg->local_id_set);
	sim_scenario_free(&sc);

	/* Index 300 in four octets, big-endian; nodes configured alike share one configuration. */
	parse_ok(&sc, HEAD "'topology': { 'type': 'chain', 'nodes': 300 },\n"
	    "'nodes': { 'n7': { 'mtu': 9000 }, 'n9': { 'mtu': 9000 }, 'n8': { 'mtu': 1500 } } }");
	static const uint8_t id300[10] = { 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x2c };
	sim_node_config(&sc, 299, &cfg[0]);
	assert_memory_equal(cfg[0].local_id, id300, 10);
	assert_int_equal(cfg[0].hello_interval, def.hello_interval);
	assert_string_equal(cfg[0].name, "n300");
	assert_int_equal(sc.ncfgs, 2); /* mtu 1500 is the default */
	assert_ptr_equal(sc.nodes[6].cfg, sc.nodes[8].cfg);
	assert_ptr_equal(sc.nodes[0].cfg, sc.nodes[7].cfg);
	assert_ptr_not_equal(sc.nodes[0].cfg, sc.nodes[6].cfg);
	sim_scenario_free(&sc);

	parse_err(HEAD "'topology': { 'type': 'pair' },\n'defaults': { @'hello-intervall': 1 } }",
	    "unknown configuration key 'hello-intervall' (did you mean 'hello-interval'?)");
	parse_err(HEAD "'topology': { 'type': 'pair' },\n'nodes': { 'b': { 'hello-interval': @'soon' } } }",
	    "hello-interval: must be");
	parse_err(HEAD "'topology': { 'type': 'pair' },\n'nodes': { 'b': { 'mtu': @10 } } }",
	    "mtu: must be");
	parse_err(HEAD "'topology': { 'type': 'pair' },\n'nodes': { 'b': { 'mtu': @null } } }",
	    "mtu: expected a string, a number, true/false or a list of them");
	parse_err(HEAD "'topology': { 'type': 'pair' },\n'nodes': { @'c': { 'mtu': 1500 } } }",
	    "nodes: unknown node 'c' (did you mean 'a'?)");
	parse_err(HEAD "'topology': { 'type': 'pair' },\n'nodes': { 'b': { @'name': 'x' } } }",
	    "name: a node's name is its name in the topology");
	/* Checked across keys, per node, at its overrides. */
	parse_err(HEAD "'topology': { 'type': 'pair' },\n'nodes': { 'b': @{ 'keepalive-receive-timeout': 0.5 } } }",
	    "node b: keepalive-receive-timeout");
}

/* ---- events ---- */

static void test_events(void **state)
{
	(void)state;
	struct sim_scenario sc;
	parse_ok(&sc, HEAD "'topology': { 'type': 'chain', 'nodes': 3 },\n"
	    "'events': [\n"
	    "  { 'at': 50, 'type': 'mac_flood', 'node': 'n2', 'port': 'eth2', 'sources': 1000, 'pdu': 'FRAGMENT' },\n"
	    "  { 'at': 1, 'type': 'link_down', 'link': 'n1-n2' },\n"
	    "  { 'at': 2, 'type': 'link_up', 'link': 'n2-n1' },\n"
	    "  { 'at': 3, 'type': 'link_cut', 'link': 'n2-n3' },\n"
	    "  { 'at': 4, 'type': 'link_heal', 'link': 'n2-n3' },\n"
	    "  { 'at': 5, 'type': 'crash', 'node': 'n1', 'restart_after': 2.5 },\n"
	    "  { 'at': 5, 'type': 'crash', 'node': 'n3' },\n"
	    "  { 'at': 6, 'type': 'restart', 'node': 'n3' },\n"
	    "  { 'at': 7, 'type': 'address_add', 'node': 'n2', 'port': 'eth1', 'address': '192.0.2.1/24' },\n"
	    "  { 'at': 8, 'type': 'address_remove', 'node': 'n2', 'link': 'n2-n3', 'address': '2001:db8:0:1::a/127' },\n"
	    "  { 'at': 9, 'type': 'config', 'node': '*', 'set': { 'hello-interval': 2, 'auth-required': true } },\n"
	    "  { 'at': 9, 'type': 'config', 'node': 'n1', 'set': { 'keepalive-send-interval': '0.25' } },\n"
	    "  { 'at': 10, 'type': 'partition', 'nodes': ['n1', 'n3'] },\n"
	    "  { 'at': 11, 'type': 'heal' },\n"
	    "  { 'at': 12, 'type': 'drop', 'link': 'n1-n2', 'direction': 'b_to_a', 'pdu': 'ACK', 'ack_of': 'OPEN',\n"
	    "    'until': 13 },\n"
	    "  { 'at': 12.5, 'type': 'drop', 'link': 'n1-n2', 'pdu': 'KEEPALIVE' },\n"
	    "  { 'at': 14, 'type': 'mac_flood', 'node': 'n1', 'link': 'n1-n2', 'sources': 5, 'rate': 100 }\n"
	    "] }");
	assert_int_equal(sc.nevents, 17);
	const struct sim_event_spec *e = sc.events;
	for (size_t i = 1; i < sc.nevents; i++)
		assert_true(e[i - 1].at <= e[i].at);
	assert_int_equal(e[0].kind, SE_LINK_DOWN);
	assert_int_equal(e[0].at, 1 * S);
	assert_int_equal(e[0].link, 0);
	assert_int_equal(e[0].node, -1);
	assert_int_equal(e[1].kind, SE_LINK_UP);
	assert_int_equal(e[1].link, 0);
	assert_int_equal(e[2].kind, SE_LINK_CUT);
	assert_int_equal(e[2].link, 1);
	assert_int_equal(e[3].kind, SE_LINK_HEAL);
	/* Equal times keep the file's order. */
	assert_int_equal(e[4].kind, SE_CRASH);
	assert_int_equal(e[4].node, 0);
	assert_int_equal(e[4].restart_after, 2500 * MS);
	assert_int_equal(e[5].kind, SE_CRASH);
	assert_int_equal(e[5].node, 2);
	assert_int_equal(e[5].restart_after, 0);
	assert_int_equal(e[6].kind, SE_RESTART);
	assert_int_equal(e[7].kind, SE_ADDRESS_ADD);
	assert_int_equal(e[7].node, 1);
	assert_int_equal(e[7].port, 1);
	assert_addr(&e[7].addr, "192.0.2.1", 24, false);
	assert_int_equal(e[8].kind, SE_ADDRESS_REMOVE);
	assert_int_equal(e[8].port, 2);
	assert_int_equal(e[8].link, 1);
	assert_addr(&e[8].addr, "2001:db8:0:1::a", 127, false);
	assert_int_equal(e[9].kind, SE_CONFIG);
	assert_int_equal(e[9].node, -2);
	assert_int_equal(e[9].nset, 2);
	assert_string_equal(e[9].set[0].key, "hello-interval");
	assert_string_equal(e[9].set[0].value, "2");
	assert_string_equal(e[9].set[1].key, "auth-required");
	assert_string_equal(e[9].set[1].value, "yes");
	assert_int_equal(e[10].kind, SE_CONFIG);
	assert_int_equal(e[10].node, 0);
	assert_string_equal(e[10].set[0].value, "0.25");
	assert_int_equal(e[11].kind, SE_PARTITION);
	assert_int_equal(e[11].nnodes, 2);
	assert_int_equal(e[11].nodes[0], 0);
	assert_int_equal(e[11].nodes[1], 2);
	assert_int_equal(e[12].kind, SE_HEAL);
	assert_int_equal(e[13].kind, SE_DROP);
	assert_int_equal(e[13].link, 0);
	assert_int_equal(e[13].dir, 1);
	assert_int_equal(e[13].pdu, LSOE_PDU_ACK);
	assert_int_equal(e[13].ack_of, LSOE_PDU_OPEN);
	assert_int_equal(e[13].until, 13 * S);
	assert_int_equal(e[14].kind, SE_DROP);
	assert_int_equal(e[14].at, 12500 * MS);
	assert_int_equal(e[14].dir, 2);
	assert_int_equal(e[14].pdu, LSOE_PDU_KEEPALIVE);
	assert_int_equal(e[14].ack_of, -1);
	assert_true(e[14].until == UINT64_MAX);
	assert_int_equal(e[15].kind, SE_MAC_FLOOD);
	assert_int_equal(e[15].node, 0);
	assert_int_equal(e[15].port, 1);
	assert_int_equal(e[15].sources, 5);
	assert_int_equal(e[15].rate, 100);
	assert_int_equal(e[15].pdu, LSOE_PDU_HELLO);
	assert_int_equal(e[16].kind, SE_MAC_FLOOD);
	assert_int_equal(e[16].at, 50 * S);
	assert_int_equal(e[16].node, 1);
	assert_int_equal(e[16].port, 2);
	assert_int_equal(e[16].sources, 1000);
	assert_int_equal(e[16].rate, 10000);
	assert_int_equal(e[16].pdu, -1);
	sim_scenario_free(&sc);

#define EV(x) HEAD "'topology': { 'type': 'pair' },\n'events': [ " x " ] }"
	parse_err(EV("{ 'at': 1, 'type': @'link_dwn', 'link': 'a-b' }"),
	    "type: unknown event type 'link_dwn' (did you mean 'link_down'?)");
	parse_err(EV("{ 'at': 1, 'type': 'link_down', 'link': @'a-c' }"),
	    "link: unknown link 'a-c' (did you mean 'a-b'?)");
	parse_err(EV("{ 'at': 1, 'type': 'crash', 'node': @'x' }"), "node: unknown node 'x'");
	parse_err(EV("{ 'at': 1, 'type': 'crash', @'link': 'a-b' }"), "unknown key 'link' in a crash event");
	parse_err(EV("@{ 'type': 'heal' }"), "missing key 'at' in a heal event");
	parse_err(EV("{ 'at': @'soon', 'type': 'heal' }"), "at: expected a number of seconds");
	parse_err(EV("{ 'at': 1, 'type': 'address_add', 'node': 'a', 'port': @'eth2', 'address': '10.1.1.1/32' }"),
	    "port: node 'a' has no port 'eth2' (its ports are eth1 to eth1)");
	parse_err(EV("{ 'at': 1, 'type': 'address_add', 'node': 'a', 'port': 'eth1', 'link': @'a-b', 'address': '::/0' }"),
	    "give either 'port' or 'link'");
	parse_err(EV("{ 'at': 1, 'type': 'config', 'node': 'a', 'set': { 'mtu': @'big' } }"),
	    "mtu: must be");
	parse_err(EV("{ 'at': 1, 'type': 'drop', 'link': 'a-b', 'pdu': 'KEEPALIVE', 'ack_of': @'OPEN' }"),
	    "ack_of: only for \"pdu\": \"ACK\"");
	parse_err(EV("{ 'at': 1, 'type': 'drop', 'link': 'a-b', 'pdu': @'HELO' }"),
	    "pdu: unknown PDU type 'HELO' (did you mean 'HELLO'?)");
	parse_err(EV("{ 'at': 2, 'type': 'drop', 'link': 'a-b', 'pdu': 'ACK', 'until': @1 }"),
	    "until: must be later than 'at'");
	parse_err(EV("{ 'at': 1, 'type': 'drop', 'link': 'a-b', 'pdu': 'ACK', 'direction': @'up' }"),
	    "direction: unknown direction 'up'");
	parse_err(EV("{ 'at': 1, 'type': 'mac_flood', 'node': 'a', 'port': 'eth1', 'sources': @0 }"),
	    "sources: must be at least 1");
	parse_err(EV("{ 'at': 1, 'type': 'mac_flood', 'node': 'a', 'port': 'eth1', 'sources': 1, 'pdu': @'OPEN' }"),
	    "pdu: unknown flood PDU 'OPEN'");
	parse_err(EV("{ 'at': 1, 'type': 'partition', 'nodes': ['a', @'a'] }"),
	    "nodes: 'a' is listed twice");
	parse_err(EV("{ 'at': 1, 'type': 'crash', 'node': 'a', 'restart_after': @0 }"),
	    "restart_after: must be greater than 0");
#undef EV
}

static void test_processes(void **state)
{
	(void)state;
	struct sim_scenario sc;
	parse_ok(&sc, HEAD "'topology': { 'type': 'ring', 'nodes': 4 },\n'processes': [\n"
	    "  { 'type': 'flap', 'links': 'all', 'mean_up': 30, 'mean_down': 2, 'from': 10, 'until': 100 },\n"
	    "  { 'type': 'crash', 'nodes': ['n4', 'n2'], 'mean_up': 60, 'mean_down': 5 } ] }");
	assert_int_equal(sc.nprocs, 2);
	const struct sim_process_spec *p = sc.procs;
	assert_int_equal(p[0].kind, SP_FLAP);
	assert_int_equal(p[0].ntargets, 4);
	assert_int_equal(p[0].targets[3], 3);
	assert_int_equal(p[0].mean_up, 30 * S);
	assert_int_equal(p[0].mean_down, 2 * S);
	assert_int_equal(p[0].from, 10 * S);
	assert_int_equal(p[0].until, 100 * S);
	assert_int_equal(p[1].kind, SP_CRASH);
	assert_int_equal(p[1].ntargets, 2);
	assert_int_equal(p[1].targets[0], 3);
	assert_int_equal(p[1].targets[1], 1);
	assert_int_equal(p[1].from, 0);
	assert_true(p[1].until == UINT64_MAX);
	sim_scenario_free(&sc);

	parse_err(HEAD "'topology': { 'type': 'pair' },\n'processes': [ { 'type': 'flap', 'links': ['a-b'], "
	    "'mean_up': @0, 'mean_down': 1 } ] }", "mean_up: must be greater than 0");
	parse_err(HEAD "'topology': { 'type': 'pair' },\n'processes': [ { 'type': 'flap', @'nodes': 'all', "
	    "'mean_up': 1, 'mean_down': 1 } ] }", "unknown key 'nodes' in a flap process");
	parse_err(HEAD "'topology': { 'type': 'pair' },\n'processes': [ { 'type': 'flap', 'links': @[], "
	    "'mean_up': 1, 'mean_down': 1 } ] }", "links: expected at least one link name");
}

/* ---- expectations ---- */

static void test_expectations(void **state)
{
	(void)state;
	struct sim_scenario sc;
	parse_ok(&sc, HEAD "'topology': { 'type': 'chain', 'nodes': 3 },\n'expect': [\n"
	    "  { 'type': 'sessions_open', 'by': 5 },\n"
	    "  { 'type': 'sessions_open', 'by': 6, 'sessions': ['n3-n2'] },\n"
	    "  { 'type': 'session_down', 'session': 'n1-n2', 'between': [33, 33.1], 'reason': 'keepalive_timeout',\n"
	    "    'node': 'n2' },\n"
	    "  { 'type': 'session_down', 'session': 'n2-n3', 'between': [1, 2] },\n"
	    "  { 'type': 'no_session_down', 'between': [0, 100] },\n"
	    "  { 'type': 'no_session_down', 'between': [0, 100], 'sessions': ['n1-n2', 'n2-n3'] },\n"
	    "  { 'type': 'no_flaps_after', 'time': 40 },\n"
	    "  { 'type': 'encaps_match' },\n"
	    "  { 'type': 'encaps_match', 'at': 20 },\n"
	    "  { 'type': 'counter', 'name': 'rx_errors.bad_checksum', 'min': 1 },\n"
	    "  { 'type': 'counter', 'name': 'retransmits', 'node': 'n3', 'min': 0, 'max': 10 },\n"
	    "  { 'type': 'sent_times', 'node': 'n1', 'pdu': 'HELLO', 'times': [2, 0, 1.5], 'from': 10 },\n"
	    "  { 'type': 'sent_times', 'node': 'n1', 'pdu': 'ACK', 'ack_of': 'IPV4_ENCAP', 'times': [] },\n"
	    "  { 'type': 'memory', 'max_bytes': 100000 },\n"
	    "  { 'type': 'memory', 'node': 'n2', 'max_bytes': 5e4 },\n"
	    "  { 'type': 'counter', 'name': 'rx_dropped', 'equals': 'sim.frames_corrupted' },\n"
	    "  { 'type': 'counter', 'name': 'retransmits', 'node': 'n1', 'equals': 2 },\n"
	    "  { 'type': 'sent_times', 'node': 'n3', 'pdu': 'IPV4_ENCAP', 'from': 5, 'until': 11.9, 'times': [0, 1, 3] },\n"
	    "  { 'type': 'links_match' },\n"
	    "  { 'type': 'links_match', 'at': 0 },\n"
	    "  { 'type': 'links_match', 'at': 12.5 }\n"
	    "] }");
	assert_int_equal(sc.nexpects, 21);
	const struct sim_expect_spec *x = sc.expects;
	assert_int_equal(x[0].kind, SX_SESSIONS_OPEN);
	assert_string_equal(x[0].where, "t.json:3:3");
	assert_int_equal(x[0].t1, 5 * S);
	assert_int_equal(x[0].t2, 5 * S);
	assert_null(x[0].links);
	assert_int_equal(x[0].node, -1);
	assert_int_equal(x[1].nlinks, 1);
	assert_int_equal(x[1].links[0], 1);
	assert_int_equal(x[2].kind, SX_SESSION_DOWN);
	assert_string_equal(x[2].where, "t.json:5:3");
	assert_int_equal(x[2].nlinks, 1);
	assert_int_equal(x[2].links[0], 0);
	assert_int_equal(x[2].t1, 33 * S);
	assert_int_equal(x[2].t2, 33100 * MS);
	assert_true(x[2].has_reason);
	assert_int_equal(x[2].reason, LSOE_DOWN_KEEPALIVE_TIMEOUT);
	assert_int_equal(x[2].node, 1);
	assert_false(x[3].has_reason);
	assert_int_equal(x[3].node, -1);
	assert_int_equal(x[4].kind, SX_NO_SESSION_DOWN);
	assert_null(x[4].links);
	assert_int_equal(x[4].t2, 100 * S);
	assert_int_equal(x[5].nlinks, 2);
	assert_int_equal(x[6].kind, SX_NO_FLAPS_AFTER);
	assert_int_equal(x[6].t1, 40 * S);
	assert_int_equal(x[7].kind, SX_ENCAPS_MATCH);
	assert_true(x[7].t1 == UINT64_MAX);
	assert_int_equal(x[8].t1, 20 * S);
	assert_int_equal(x[9].kind, SX_COUNTER);
	assert_string_equal(x[9].counter, "rx_errors.bad_checksum");
	assert_true(x[9].has_min);
	assert_false(x[9].has_max);
	assert_int_equal(x[9].min, 1);
	assert_int_equal(x[9].node, -1);
	assert_int_equal(x[10].node, 2);
	assert_true(x[10].has_min && x[10].has_max);
	assert_int_equal(x[10].max, 10);
	assert_int_equal(x[11].kind, SX_SENT_TIMES);
	assert_int_equal(x[11].node, 0);
	assert_int_equal(x[11].pdu, LSOE_PDU_HELLO);
	assert_int_equal(x[11].ack_of, -1);
	assert_int_equal(x[11].t1, 10 * S);
	assert_int_equal(x[11].ntimes, 3);
	assert_int_equal(x[11].times[0], 0);
	assert_int_equal(x[11].times[1], 1500 * MS);
	assert_int_equal(x[11].times[2], 2 * S);
	assert_int_equal(x[12].pdu, LSOE_PDU_ACK);
	assert_int_equal(x[12].ack_of, LSOE_PDU_IPV4_ENCAP);
	assert_int_equal(x[12].ntimes, 0);
	assert_int_equal(x[12].t1, 0);
	assert_int_equal(x[13].kind, SX_MEMORY);
	assert_int_equal(x[13].node, -1);
	assert_true(x[13].has_max);
	assert_int_equal(x[13].max, 100000);
	assert_int_equal(x[14].node, 1);
	assert_int_equal(x[14].max, 50000);
	assert_int_equal(x[15].kind, SX_COUNTER);
	assert_string_equal(x[15].counter, "rx_dropped");
	assert_string_equal(x[15].equals, "sim.frames_corrupted");
	assert_false(x[15].has_min || x[15].has_max);
	assert_string_equal(x[16].equals, "");
	assert_true(x[16].has_min && x[16].has_max);
	assert_int_equal(x[16].min, 2);
	assert_int_equal(x[16].max, 2);
	assert_string_equal(x[9].equals, "");
	assert_int_equal(x[17].kind, SX_SENT_TIMES);
	assert_int_equal(x[17].t1, 5 * S);
	assert_int_equal(x[17].t2, 11900 * MS);
	assert_true(x[11].t2 == UINT64_MAX); /* no until: the end */
	assert_int_equal(x[18].kind, SX_LINKS_MATCH);
	assert_string_equal(x[18].where, "t.json:22:3");
	assert_true(x[18].t1 == UINT64_MAX && x[18].t2 == UINT64_MAX); /* no at: the end */
	assert_int_equal(x[19].kind, SX_LINKS_MATCH);
	assert_int_equal(x[19].t1, 0);                                 /* at 0 is the start, not the end */
	assert_int_equal(x[20].t1, 12500 * MS);
	assert_int_equal(x[20].t2, 12500 * MS);
	sim_scenario_free(&sc);

	/* Every down reason by name. */
	for (int r = 0; r < LSOE_DOWN_COUNT; r++) {
		char text[512];
		snprintf(text, sizeof(text), HEAD "'topology': { 'type': 'pair' }, 'expect': [ { 'type': 'session_down', "
		    "'session': 'a-b', 'between': [1, 2], 'reason': '%s' } ] }", lsoe_down_reason_name((enum lsoe_down_reason)r));
		parse_ok(&sc, text);
		assert_int_equal(sc.expects[0].reason, r);
		sim_scenario_free(&sc);
	}

#define EX(x) HEAD "'topology': { 'type': 'pair' },\n'expect': [ " x " ] }"
	parse_err(EX("{ 'type': 'session_down', 'session': 'a-b', 'between': @[2, 1] }"),
	    "between: t2 must not be before t1");
	parse_err(EX("{ 'type': 'session_down', 'session': 'a-b', 'between': @[2] }"),
	    "between: expected [t1, t2]");
	parse_err(EX("{ 'type': 'session_down', 'session': 'a-b', 'between': [1, 2], 'reason': @'timeout' }"),
	    "reason: unknown reason 'timeout'");
	parse_err(EX("{ 'type': 'session_down', 'session': @'x-y', 'between': [1, 2] }"),
	    "session: unknown link 'x-y'");
	parse_err(EX("{ 'type': 'sessions_open', 'by': 1, 'sessions': ['a-b', @'b-c'] }"),
	    "sessions: unknown link 'b-c'");
	parse_err(EX("{ 'type': 'counter', 'name': @'' }"), "name: a counter name has 1 to 63 characters");
	parse_err(EX("{ 'type': 'counter', 'name': 'x', 'min': 5, 'max': @4 }"), "max: must not be less than min");
	parse_err(EX("{ 'type': 'counter', 'name': 'x', 'min': @-1 }"), "min: must be at least 0");
	parse_err(EX("@{ 'type': 'sent_times', 'node': 'a', 'pdu': 'HELLO' }"),
	    "missing key 'times' in a sent_times expectation");
	parse_err(EX("{ 'type': 'counter', 'name': 'x', 'min': 1, 'equals': @'y' }"), "equals: not with min or max");
	parse_err(EX("{ 'type': 'counter', 'name': 'x', 'equals': @true }"), "equals: expected a number or a counter name");
	parse_err(EX("{ 'type': 'sent_times', 'node': 'a', 'pdu': 'HELLO', 'from': 5, 'until': @5, 'times': [] }"),
	    "until: must be later than 'from'");
	parse_err(EX("@{ 'type': 'memory' }"), "missing key 'max_bytes' in a memory expectation");
	parse_err(EX("{ 'type': @'sessions_opn', 'by': 1 }"),
	    "type: unknown expectation type 'sessions_opn' (did you mean 'sessions_open'?)");
	parse_err(EX("{ 'type': 'session_down', 'session': 'a-b', 'between': [1, 2], 'node': @'c' }"),
	    "node: unknown node 'c'");
	parse_err(EX("{ 'type': 'links_match', @'sessions': ['a-b'] }"),
	    "unknown key 'sessions' in a links_match expectation");
	parse_err(EX("{ 'type': 'links_match', 'at': @-1 }"), "at: must not be negative");
	parse_err(EX("{ 'type': 'links_match', 'at': @'5' }"), "at: expected a number of seconds");
	parse_err(EX("{ 'type': @'link_match' }"),
	    "type: unknown expectation type 'link_match' (did you mean 'links_match'?)");
#undef EX
}

/* ---- times ---- */

static uint64_t duration_of(const char *num)
{
	char text[256];
	struct sim_scenario sc;
	snprintf(text, sizeof(text), "{ 'duration': %s, 'topology': { 'type': 'pair' } }", num);
	parse_ok(&sc, text);
	uint64_t d = sc.duration;
	sim_scenario_free(&sc);
	return d;
}

static void test_times(void **state)
{
	(void)state;
	assert_int_equal(duration_of("1"), S);
	assert_int_equal(duration_of("1.5"), 1500 * MS);
	assert_int_equal(duration_of("0.000000001"), 1);
	assert_int_equal(duration_of("0.0000000005"), 1);  /* halves round up */
	assert_int_equal(duration_of("0.0000000014999"), 1);
	assert_int_equal(duration_of("1e-9"), 1);
	assert_int_equal(duration_of("2.5E+3"), 2500 * S);
	assert_int_equal(duration_of("10000000"), 10000000 * S);
	assert_int_equal(duration_of("1e7"), 10000000 * S);
	assert_int_equal(duration_of("0.1e1"), S);
	assert_int_equal(duration_of("123.4567890124"), 123456789012ull);
	assert_int_equal(duration_of("0.00000000000000000000000000000000000000000000000001e50"), S);

	parse_err("{ 'duration': @10000000.000000001, 'topology': { 'type': 'pair' } }",
	    "duration: must be at most 10000000 seconds");
	parse_err("{ 'duration': @1e400, 'topology': { 'type': 'pair' } }",
	    "duration: must be at most 10000000 seconds");
	parse_err("{ 'duration': @1e99999999999999999999, 'topology': { 'type': 'pair' } }",
	    "duration: must be at most");
	parse_err("{ 'duration': @-1, 'topology': { 'type': 'pair' } }", "duration: must not be negative");
	parse_err("{ 'duration': @0, 'topology': { 'type': 'pair' } }", "duration: must be greater than 0");
	parse_err("{ 'duration': @1e-10, 'topology': { 'type': 'pair' } }",
	    "duration: must be greater than 0");
	parse_err("{\n  'topology': { 'type': 'pair' },\n  'duration': @'10'\n}",
	    "duration: expected a number of seconds");
}

/* ---- errors in the file itself ---- */

static void test_errors(void **state)
{
	(void)state;
	/* Syntax. */
	parse_err("{\n  'duration': 10,\n  'topology': { 'type': 'pair' }\n  @'seed': 2\n}",
	    "syntax error: after key and value, inside map, I expect ',' or '}'");
	parse_err("{ 'duration': 10, 'topology': { 'type': 'pair' }, @}", "syntax error");
	parse_err("{ 'duration': 10,\n@", "syntax error: premature EOF");
	parse_err("@", "empty document");
	parse_err("  // only a comment\n@", "empty document");
	parse_err("@[1, 2]", "a scenario is a JSON object ({ ... }), not an array");
	parse_err("{ 'duration': 10, 'topology': { 'type': 'pair' } } @x", "syntax error: trailing garbage");
	parse_err("{ 'name': 'caf@\xc3' }", "syntax error: invalid bytes in UTF8 string");
	/* Comments are fine. */
	struct sim_scenario sc;
	parse_ok(&sc, "// a scenario\n{ /* the length */ 'duration': 10, // seconds\n 'topology': { 'type': 'pair' } }\n");
	sim_scenario_free(&sc);

	/* Unknown keys, with a suggestion when one is near. */
	parse_err("{\n  'duration': 10,\n  'topology': { 'type': 'pair' },\n  @'durration': 5\n}",
	    "unknown key 'durration' in the scenario (did you mean 'duration'?)");
	parse_err("{ 'duration': 10, 'topology': { 'type': 'pair' }, @'zzzzzz': 1 }",
	    "unknown key 'zzzzzz' in the scenario");
	{
		struct sim_scenario s2;
		char err[512], *t = dq("{ 'duration': 10, 'topology': { 'type': 'pair' }, 'zzzzzz': 1 }");
		assert_false(sim_scenario_parse(&s2, t, strlen(t), "t.json", err, sizeof(err)));
		assert_null(strstr(err, "did you mean"));
		free(t);
	}
	parse_err("{ 'duration': 10, 'topology': { 'type': 'clos', @'spine': 4, 'leaves': 8 } }",
	    "unknown key 'spine' in a clos topology (did you mean 'spines'?)");
	parse_err("{ 'duration': 10, 'topology': { 'type': @'pear' } }",
	    "unknown topology type 'pear' (did you mean 'pair'?)");
	/* Types. */
	parse_err("{ 'duration': 10, 'topology': { 'type': 'pair' }, 'seed': @1.5 }", "seed: expected a whole number");
	parse_err("{ 'duration': 10, 'topology': { 'type': 'pair' }, 'addresses': @'no' }",
	    "addresses: expected true or false");
	parse_err("{ 'duration': 10, 'topology': @[] }", "topology: expected an object, not an array");
	parse_err("{ 'duration': 10, 'topology': { 'type': 'pair' }, 'events': @{} }",
	    "events: expected a list of events");
	parse_err("{ 'duration': 10, 'topology': { 'type': 'pair' }, 'name': @'a\\u0000b' }",
	    "name: contains a NUL character");
	/* Required. */
	parse_err("@{\n  'topology': { 'type': 'pair' }\n}", "missing key 'duration' in the scenario");
	parse_err("@{ 'duration': 10 }", "missing key 'topology' in the scenario");
	parse_err("{ 'duration': 10, 'topology': @{ 'type': 'clos', 'spines': 4 } }",
	    "missing key 'leaves' in the topology");
	/* Duplicate keys, at the second. */
	parse_err("{ 'duration': 10,\n  'topology': { 'type': 'pair' },\n  @'duration': 20 }",
	    "duplicate key 'duration' (first at line 1, column 3)");
	parse_err("{ 'duration': 10, 'topology': { 'type': 'pair', @'type': 'ring' } }",
	    "duplicate key 'type'");
	/* Nesting: the scenario object and 63 lists are 64 levels; one more is too deep. */
	char deep[300] = "{ 'duration': 10, 'topology': { 'type': 'pair' }, 'description': ";
	size_t o = strlen(deep);
	for (int i = 0; i < 70; i++) {
		if (i == 63)
			deep[o++] = '@';
		deep[o++] = '[';
	}
	deep[o] = '\0';
	parse_err(deep, "nested deeper than 64 levels");
	/* A message names the file given. */
	{
		struct sim_scenario s2;
		char err[512];
		assert_false(sim_scenario_parse(&s2, "{}", 2, "dir/x.json", err, sizeof(err)));
		assert_string_equal(err, "dir/x.json:1:1: missing key 'duration' in the scenario");
	}
}

/* ---- names, files ---- */

static void test_name_and_load(void **state)
{
	(void)state;
	struct sim_scenario sc;
	parse_ok(&sc, HEAD "'name': 'my test', 'description': 'd', 'seed': 18446744073709551615, "
	    "'topology': { 'type': 'pair' } }");
	assert_string_equal(sc.name, "my test");
	assert_true(sc.seed == UINT64_MAX);
	sim_scenario_free(&sc);
	parse_err(HEAD "'name': @'', 'topology': { 'type': 'pair' } }", "name: 1 to 63 characters");

	char path[] = "/tmp/lsoe-test-scenario-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	char *t = dq("{ 'duration': 3, 'topology': { 'type': 'ring', 'nodes': 3 } }\n");
	assert_int_equal(write(fd, t, strlen(t)), (ssize_t)strlen(t));
	close(fd);
	free(t);
	char err[512];
	assert_true(sim_scenario_load(&sc, path, err, sizeof(err)));
	assert_string_equal(sc.path, path);
	assert_string_equal(sc.name, path + 5);
	assert_int_equal(sc.nlinks, 3);
	sim_scenario_free(&sc);
	unlink(path);
	assert_false(sim_scenario_load(&sc, path, err, sizeof(err)));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "No such file"));
	assert_false(sim_scenario_load(&sc, "/tmp", err, sizeof(err)));
	assert_string_equal(err, "/tmp: is a directory");
}

/* ---- bounds: what a small file could make the parser allocate ---- */

/* The parse of text (built with ' for ") fails at line 1 with a message containing part. */
static void parse_err_contains(const char *src, const char *part)
{
	struct sim_scenario sc;
	char *t = dq(src), err[1024];
	bool ok = sim_scenario_parse(&sc, t, strlen(t), "t.json", err, sizeof(err));
	free(t);
	if (ok) {
		sim_scenario_free(&sc);
		fail_msg("parsed, but expected an error with: %s", part);
	}
	if (strncmp(err, "t.json:1:", 9) != 0 || !strstr(err, part))
		fail_msg("error \"%s\", expected one with \"%s\"", err, part);
}

static void test_bounds(void **state)
{
	(void)state;
	parse_err_contains("{ 'duration': 1, 'topology': { 'type': 'clos', 'spines': 1001, 'leaves': 2000 } }",
	    "the topology has 2002000 links; at most 2000000");
	parse_err_contains("{ 'duration': 1, 'topology': { 'type': 'clos', 'spines': 100001, 'leaves': 100000 } }",
	    "the topology has 200001 nodes; at most 200000");
	parse_err_contains("{ 'duration': 1, 'topology': { 'type': 'clos', 'spines': 200001, 'leaves': 1 } }",
	    "spines: must be at most 200000");
	parse_err_contains("{ 'duration': 1, 'topology': { 'type': 'random', 'nodes': 20000, 'degree': 201 } }",
	    "the topology has 2010000 links; at most 2000000");

	size_t cap = 1 << 20, o;
	char *big = malloc(cap);
	assert_non_null(big);
	/* "all" expands: ten flap processes over 100,000 links are a million targets, eleven too many. */
	o = (size_t)snprintf(big, cap, "{ 'duration': 1, 'topology': { 'type': 'clos', 'spines': 100, 'leaves': 1000 }, "
	    "'processes': [");
	for (int i = 0; i < 11; i++)
		o += (size_t)snprintf(big + o, cap - o, "%s{ 'type': 'flap', 'links': 'all', 'mean_up': 1, 'mean_down': 1 }",
		    i ? ", " : "");
	snprintf(big + o, cap - o, "] }");
	parse_err_contains(big, "links: too many process targets (at most 1000000 in all processes)");
	/* Configuration changes are kept as text (1 KiB each): 10,000 at most. */
	o = (size_t)snprintf(big, cap, "{ 'duration': 1, 'topology': { 'type': 'pair' }, 'events': [");
	for (int i = 0; i < 5001; i++)
		o += (size_t)snprintf(big + o, cap - o, "%s{ 'at': 1, 'type': 'config', 'node': '*', 'set': "
		    "{ 'mtu': 1500, 'hello-interval': 2 } }", i ? ", " : "");
	snprintf(big + o, cap - o, "] }");
	parse_err_contains(big, "set: too many configuration changes in the events (at most 10000 in all)");
	o = (size_t)snprintf(big, cap, "{ 'duration': 1, 'topology': { 'type': 'pair' }, 'expect': [");
	for (int i = 0; i < 10001; i++)
		o += (size_t)snprintf(big + o, cap - o, "%s{ 'type': 'encaps_match' }", i ? ", " : "");
	snprintf(big + o, cap - o, "] }");
	parse_err_contains(big, "expect: at most 10000 expectations");
	free(big);
}

/* ---- the JSON tree itself ---- */

static void test_json_dom(void **state)
{
	(void)state;
	const char *text = "{\n\t\"k\": [1, -2.5e3, \"s\\u00e9\", true, null, {}],\n  \"o\" : { \"x\": false }\n}";
	char err[256];
	struct jd_doc *d = jd_parse(text, strlen(text), "j", err, sizeof(err));
	assert_non_null(d);
	const struct jd_value *r = jd_root(d);
	assert_int_equal(r->type, JD_OBJECT);
	assert_int_equal(r->u.obj.n, 2);
	assert_string_equal(r->u.obj.items[0].key, "k");
	assert_int_equal(r->u.obj.items[0].line, 2);
	assert_int_equal(r->u.obj.items[0].col, 2);
	const struct jd_value *k = jd_get(r, "k");
	assert_int_equal(k->type, JD_ARRAY);
	assert_int_equal(k->line, 2);
	assert_int_equal(k->col, 7);
	assert_int_equal(k->u.arr.n, 6);
	assert_string_equal(k->u.arr.items[1]->u.str.s, "-2.5e3");
	assert_int_equal(k->u.arr.items[1]->col, 11);
	assert_string_equal(k->u.arr.items[2]->u.str.s, "s\xc3\xa9");
	assert_int_equal(k->u.arr.items[2]->col, 19);
	assert_int_equal(k->u.arr.items[3]->type, JD_BOOL);
	assert_true(k->u.arr.items[3]->u.b);
	assert_int_equal(k->u.arr.items[4]->type, JD_NULL);
	assert_int_equal(k->u.arr.items[5]->type, JD_OBJECT);
	assert_int_equal(k->u.arr.items[5]->u.obj.n, 0);
	const struct jd_member *m = jd_member(r, "o");
	assert_int_equal(m->line, 3);
	assert_int_equal(m->col, 3);
	assert_int_equal(m->value->col, 9);
	assert_false(jd_get(m->value, "x")->u.b);
	assert_null(jd_get(r, "x"));
	assert_null(jd_get(k, "x"));
	jd_free(d);

	/* A large object's duplicate keys are found too (sorted), the first in file order reported. */
	char big[8192];
	size_t o = (size_t)snprintf(big, sizeof(big), "{");
	for (int i = 0; i < 200; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "%s\"k%d\": %d", i ? ",\n" : "", i % 150 == 149 ? 5 : i, i);
	snprintf(big + o, sizeof(big) - o, "}");
	assert_null(jd_parse(big, strlen(big), "j", err, sizeof(err)));
	assert_string_equal(err, "j:150:1: duplicate key 'k5' (first at line 6, column 1)");

	/* 64 levels, not 65. */
	char nest[200];
	memset(nest, '[', 64);
	memset(nest + 64, ']', 64);
	d = jd_parse(nest, 128, "j", err, sizeof(err));
	assert_non_null(d);
	jd_free(d);
	memset(nest, '[', 65);
	memset(nest + 65, ']', 65);
	assert_null(jd_parse(nest, 130, "j", err, sizeof(err)));
	assert_string_equal(err, "j:1:65: nested deeper than 64 levels");

	/* Too big, before reading anything. */
	assert_null(jd_parse("{}", (size_t)JD_MAX_TEXT + 1, "j", err, sizeof(err)));
	assert_non_null(strstr(err, "too large"));
	/* Embedded NUL in the text. */
	assert_null(jd_parse("{\"a\":\0}", 7, "j", err, sizeof(err)));
	assert_int_equal(strncmp(err, "j:1:", 4), 0);
}

/* Every prefix of a valid scenario, and every one-octet change of it, is handled (no crash, no leak). */
static void test_hostile(void **state)
{
	(void)state;
	char *t = dq("{ 'duration': 10, 'seed': 3, 'defaults': { 'hello-interval': 1 },\n"
	    "'topology': { 'type': 'explicit', 'nodes': ['a', 'b', 'c'], 'links': [['a', 'b'], ['b', 'c']] },\n"
	    "'links': { 'a-b': { 'loss': 0.5, 'a_to_b': { 'delay': 0.01 }, 'a_addresses': ['10.9.9.9/24'] } },\n"
	    "'events': [ { 'at': 1, 'type': 'config', 'node': '*', 'set': { 'mtu': 1400 } },\n"
	    "  { 'at': 2, 'type': 'partition', 'nodes': ['a'] } ],\n"
	    "'processes': [ { 'type': 'crash', 'nodes': 'all', 'mean_up': 5, 'mean_down': 1 } ],\n"
	    "'expect': [ { 'type': 'sent_times', 'node': 'a', 'pdu': 'HELLO', 'times': [1, 2] },\n"
	    "  { 'type': 'sessions_open', 'by': 3, 'sessions': ['b-c'] } ] }");
	size_t n = strlen(t);
	struct sim_scenario sc;
	char err[512];
	assert_true(sim_scenario_parse(&sc, t, n, "h", err, sizeof(err)));
	sim_scenario_free(&sc);
	for (size_t i = 0; i < n; i++) {
		if (sim_scenario_parse(&sc, t, i, "h", err, sizeof(err)))
			sim_scenario_free(&sc);
		else
			assert_int_equal(strncmp(err, "h:", 2), 0);
	}
	static const char subst[] = { '"', '{', '}', '[', ']', ',', ':', '0', '-', 'x', ' ', '\0', '\\', '/', 'e' };
	for (size_t i = 0; i < n; i++) {
		char saved = t[i];
		for (size_t k = 0; k < sizeof(subst); k++) {
			t[i] = subst[k];
			if (sim_scenario_parse(&sc, t, n, "h", err, sizeof(err)))
				sim_scenario_free(&sc);
			else
				assert_int_equal(strncmp(err, "h:", 2), 0);
		}
		t[i] = saved;
	}
	free(t);
	/* A tiny error buffer is respected. */
	char small[8];
	assert_false(sim_scenario_parse(&sc, "{}", 2, "long-name.json", small, sizeof(small)));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_false(sim_scenario_parse(&sc, "{}", 2, "x", NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pair),
		cmocka_unit_test(test_chain_ring),
		cmocka_unit_test(test_clos),
		cmocka_unit_test(test_clos3),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_explicit),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_loopbacks),
		cmocka_unit_test(test_link_properties),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_processes),
		cmocka_unit_test(test_expectations),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_name_and_load),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_json_dom),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
