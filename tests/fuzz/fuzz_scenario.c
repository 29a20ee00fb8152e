/*
 * libFuzzer target: the simulator's scenario parser (ports/sim/scenario.c on the JSON
 * tree of json_dom.c; format: sim-scenarios/README.md).
 *
 * Input: the text of a scenario file, at most 64 KiB (a larger input is skipped: the
 * parser's own bound is JD_MAX_TEXT, 64 MiB, which tests/unit/test_scenario.c covers).
 * The parser bounds what a small file can make it build: SIM_MAX_NODES nodes,
 * SIM_MAX_LINKS links, MAX_TARGETS process targets, MAX_CONFIG_SETS configuration
 * changes, MAX_EXPECTS expectations, MAX_PROCS processes (scenario.h, scenario.c); the
 * largest topologies take a while to generate, but are within those documented caps.
 *
 * Checks: an error is "NAME:..." and leaves the scenario empty; a success is
 * internally consistent (every index in range, link ends distinct nodes with port
 * ids within their node's ports, link names as the nodes', events in time order,
 * expectation and process targets in range, addresses of a known family with a
 * prefix length within it, loopbacks bounded and flagged) and names resolve back (sim_scenario_node, and
 * sim_scenario_link both ways, on small topologies). Everything is freed with
 * sim_scenario_free: LeakSanitizer reports what is not.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "scenario.h"

#define FZ_MAX_INPUT (64u * 1024u)
#define FZ_NAME      "fuzz.json"
#define FZ_LOOKUPS   200 /* name lookups are linear: check them on small topologies */

static void check_addr(const struct sim_addr *a)
{
	CHECK(a->family == 4 || a->family == 6);
	CHECK(a->prefix_len <= (a->family == 4 ? 32 : 128));
	if (a->family == 4)
		for (int i = 4; i < 16; i++)
			CHECK(a->addr[i] == 0);
}

static void check_node_index(const struct sim_scenario *sc, int n, bool any, bool star)
{
	CHECK((n >= 0 && (size_t)n < sc->nnodes) || (any && n == -1) || (star && n == -2));
}

static void check_link_index(const struct sim_scenario *sc, int l, bool none)
{
	CHECK((l >= 0 && (size_t)l < sc->nlinks) || (none && l == -1));
}

static void check_scenario(const struct sim_scenario *sc)
{
	CHECK(strcmp(sc->path, FZ_NAME) == 0);
	CHECK(sc->name[0] != '\0' && strnlen(sc->name, sizeof(sc->name)) < sizeof(sc->name));
	CHECK(sc->duration > 0);
	CHECK(sc->nnodes >= 1 && sc->nnodes <= SIM_MAX_NODES && sc->nlinks <= SIM_MAX_LINKS);

	uint32_t *ports = calloc(sc->nnodes, sizeof(*ports));
	CHECK(ports != NULL);
	for (size_t i = 0; i < sc->nlinks; i++) {
		const struct sim_link_spec *l = &sc->links[i];
		check_node_index(sc, l->a, false, false);
		check_node_index(sc, l->b, false, false);
		CHECK(l->a != l->b);
		/* Ports are numbered per node from 1 in link order. */
		CHECK(l->a_port == ++ports[l->a] && l->b_port == ++ports[l->b]);
		char name[SIM_LINK_NAME_MAX];
		snprintf(name, sizeof(name), "%s-%s", sc->nodes[l->a].name, sc->nodes[l->b].name);
		CHECK(strcmp(name, SIM_LINK_NAME(sc, l)) == 0);
		CHECK(l->addrs == SIM_GEN_ADDRS || l->addrs < sc->nlink_addrs);
		for (int side = 0; side < 2; side++) {
			struct sim_addr buf[2];
			unsigned na;
			const struct sim_addr *a = sim_link_addrs(sc, i, side, buf, &na);
			CHECK(na <= SIM_MAX_ADDRS && (na == 0) == (a == NULL));
			for (unsigned k = 0; k < na; k++)
				check_addr(&a[k]);
		}
		CHECK(l->ab < sc->ndirs && l->ba < sc->ndirs);
		const struct sim_dir *d[2] = { sim_link_dir(sc, l, 0), sim_link_dir(sc, l, 1) };
		for (int k = 0; k < 2; k++)
			CHECK(d[k]->loss >= 0 && d[k]->loss <= 1 && d[k]->duplicate >= 0 && d[k]->duplicate <= 1 &&
			    d[k]->reorder >= 0 && d[k]->reorder <= 1 && d[k]->corrupt >= 0 && d[k]->corrupt <= 1);
	}
	char why[256];
	struct lsoe_config *whole = malloc(sizeof(*whole));
	CHECK(whole != NULL);
	for (size_t i = 0; i < sc->nnodes; i++) {
		const struct sim_node_spec *n = &sc->nodes[i];
		CHECK(n->name[0] && strnlen(n->name, sizeof(n->name)) < sizeof(n->name));
		CHECK(n->nports == ports[i]);
		sim_node_config(sc, i, whole);
		CHECK(strcmp(whole->name, n->name) == 0 && whole->local_id_set);
		CHECK(lsoe_config_check(whole, why, sizeof(why)));
		/* Loopbacks: bounded, flagged Loopback and never Primary, none without addresses. */
		CHECK(n->nloopbacks <= SIM_MAX_LOOPBACKS && (n->nloopbacks == 0) == (n->loopbacks == NULL));
		CHECK(sc->addresses || n->nloopbacks == 0);
		for (unsigned k = 0; k < n->nloopbacks; k++) {
			check_addr(&n->loopbacks[k]);
			CHECK(n->loopbacks[k].loopback && !n->loopbacks[k].primary);
		}
	}
	free(ports);
	free(whole);
	/* Nodes share configurations: one per distinct one. */
	CHECK(sc->ncfgs >= 1 && sc->ncfgs <= sc->nnodes);

	for (size_t i = 0; i < sc->nevents; i++) {
		const struct sim_event_spec *e = &sc->events[i];
		CHECK(i == 0 || sc->events[i - 1].at <= e->at);
		check_link_index(sc, e->link, true);
		check_node_index(sc, e->node, true, e->kind == SE_CONFIG);
		if (e->kind == SE_ADDRESS_ADD || e->kind == SE_ADDRESS_REMOVE || e->kind == SE_MAC_FLOOD) {
			CHECK(e->node >= 0 && e->port >= 1 && e->port <= sc->nodes[e->node].nports);
		}
		if (e->kind == SE_ADDRESS_ADD || e->kind == SE_ADDRESS_REMOVE)
			check_addr(&e->addr);
		if (e->kind != SE_CONFIG)
			CHECK(e->nset == 0 && e->set == NULL);
		for (size_t k = 0; k < e->nset; k++) {
			CHECK(lsoe_config_key_find(e->set[k].key) != NULL);
			CHECK(strnlen(e->set[k].value, sizeof(e->set[k].value)) < sizeof(e->set[k].value));
		}
		for (size_t k = 0; k < e->nnodes; k++)
			check_node_index(sc, e->nodes[k], false, false);
		if (e->kind == SE_DROP)
			CHECK(e->dir >= 0 && e->dir <= 2 && e->until > e->at && lsoe_pdu_type_name((unsigned)e->pdu));
	}
	for (size_t i = 0; i < sc->nprocs; i++) {
		const struct sim_process_spec *p = &sc->procs[i];
		CHECK(p->ntargets >= 1 && p->mean_up > 0 && p->mean_down > 0 && p->until > p->from);
		for (size_t k = 0; k < p->ntargets; k++) {
			if (p->kind == SP_FLAP)
				check_link_index(sc, p->targets[k], false);
			else
				check_node_index(sc, p->targets[k], false, false);
		}
	}
	for (size_t i = 0; i < sc->nexpects; i++) {
		const struct sim_expect_spec *x = &sc->expects[i];
		CHECK(x->t1 <= x->t2 || x->kind == SX_SENT_TIMES);
		CHECK(strnlen(x->where, sizeof(x->where)) < sizeof(x->where));
		check_node_index(sc, x->node, true, false);
		for (size_t k = 0; k < x->nlinks; k++)
			check_link_index(sc, x->links[k], false);
		for (size_t k = 1; k < x->ntimes; k++)
			CHECK(x->times[k - 1] <= x->times[k]);
		if (x->has_min && x->has_max)
			CHECK(x->min <= x->max);
	}

	/* Names resolve back. */
	for (size_t i = 0; i < sc->nnodes && i < FZ_LOOKUPS; i++)
		CHECK(sim_scenario_node(sc, sc->nodes[i].name) == (int)i);
	for (size_t i = 0; i < sc->nlinks && i < FZ_LOOKUPS; i++) {
		const struct sim_link_spec *l = &sc->links[i];
		CHECK(sim_scenario_link(sc, SIM_LINK_NAME(sc, l)) == (int)i);
		char rev[SIM_LINK_NAME_MAX];
		snprintf(rev, sizeof(rev), "%s-%s", sc->nodes[l->b].name, sc->nodes[l->a].name);
		CHECK(sim_scenario_link(sc, rev) == (int)i);
	}
	CHECK(sim_scenario_node(sc, NULL) == -1 && sim_scenario_link(sc, NULL) == -1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FZ_MAX_INPUT)
		return 0;
	/* The simulator's own caps (200,000 nodes, 2,000,000 links) would take more than the fuzzer's
	   512 MB; the parser's bounding is the same code at these lower caps. */
	sim_topology_max_nodes = 10000;
	sim_topology_max_links = 100000;
	/* Exactly the input, not NUL-terminated: the parser takes a length. */
	char *text = malloc(size ? size : 1);
	CHECK(text != NULL);
	if (size)
		memcpy(text, data, size);

	struct sim_scenario *sc = malloc(sizeof(*sc));
	CHECK(sc != NULL);
	/* The message buffer: 512 octets, or (odd sizes) 8, which must be cut, not overrun. */
	char err[512];
	size_t cap = size & 1 ? 8 : sizeof(err);
	memset(err, 'x', sizeof(err));
	bool ok = sim_scenario_parse(sc, text, size, FZ_NAME, err, cap);
	CHECK(strnlen(err, cap) < cap);
	if (ok) {
		CHECK(err[0] == '\0');
		check_scenario(sc);
		sim_scenario_free(sc);
	} else {
		CHECK(strncmp(err, FZ_NAME ":", cap - 1 < strlen(FZ_NAME ":") ? cap - 1 : strlen(FZ_NAME ":")) == 0);
		CHECK(sc->nodes == NULL && sc->links == NULL && sc->events == NULL && sc->procs == NULL &&
		    sc->expects == NULL && sc->nnodes == 0 && sc->nlinks == 0);
	}
	free(sc);
	free(text);
	return 0;
}
