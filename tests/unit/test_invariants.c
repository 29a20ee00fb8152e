/*
 * The campaign's invariant checkers must fire on a state that breaks them: a
 * checker that cannot fail proves nothing. Each test builds a two-node world,
 * lets it settle, then puts it in a bad state the engine itself would never
 * reach (time jumped without running the engine, a fabricated event, a cap set
 * below use) and asserts the violation and its name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "invariants.h"
#include "world.h"

#define SEC 1000000000ull

static const char pair_text[] = "{ \"name\": \"inv\", \"duration\": 300, \"topology\": { \"type\": \"pair\" } }";

struct fixture {
	struct sim_scenario sc;
	struct sim_world w;
	struct sim_inv inv;
};

static void setup_world(struct fixture *f, uint64_t settle)
{
	char err[512];
	memset(f, 0, sizeof(*f));
	assert_true(sim_scenario_parse(&f->sc, pair_text, sizeof(pair_text) - 1, "inv", err, sizeof(err)));
	assert_true(sim_inv_init(&f->inv, f->sc.nlinks, f->sc.nnodes));
	for (size_t i = 0; i < f->sc.nnodes; i++)
		f->inv.mem_cap[i] = 1u << 20;
	f->inv.heal_at = 0;
	struct sim_opts o = { .seed = 1, .seed_set = true, .until = settle, .log_level = -1 };
	assert_true(sim_world_init(&f->w, &f->sc, &o, err, sizeof(err)));
	f->w.inv = &f->inv;
	f->w.inv_base = &f->sc;
	sim_world_run(&f->w); /* both ends up; every announced list recorded */
	assert_true(f->w.up[0][0] && f->w.up[0][1]);
	assert_false(f->inv.violated);
}

static void teardown_world(struct fixture *f)
{
	f->w.inv = NULL;
	sim_world_free(&f->w);
	sim_inv_free(&f->inv, f->sc.nlinks);
	sim_scenario_free(&f->sc);
}

static void test_settled_world_holds(void **state)
{
	(void)state;
	struct fixture f;
	setup_world(&f, 5 * SEC);
	sim_inv_tick(&f.w);
	sim_inv_live(&f.w);
	assert_false(f.inv.violated);
	teardown_world(&f);
}

static void test_half_open_fires(void **state)
{
	(void)state;
	struct fixture f;
	setup_world(&f, 5 * SEC);
	sim_node_crash(&f.w, &f.w.nodes[1]);
	sim_inv_tick(&f.w); /* b closed since now */
	assert_false(f.inv.violated);
	/* a's engine does not run: still established a timeout and more later */
	f.w.now += f.w.nodes[0].cfg->keepalive_receive_timeout + 2 * SEC;
	sim_inv_tick(&f.w);
	assert_true(f.inv.violated);
	assert_string_equal(f.inv.invariant, "half_open");
	teardown_world(&f);
}

static void test_half_open_waits_for_the_timeout(void **state)
{
	(void)state;
	struct fixture f;
	setup_world(&f, 5 * SEC);
	sim_node_crash(&f.w, &f.w.nodes[1]);
	sim_inv_tick(&f.w);
	f.w.now += f.w.nodes[0].cfg->keepalive_receive_timeout - SEC;
	sim_inv_tick(&f.w);
	assert_false(f.inv.violated);
	teardown_world(&f);
}

static void test_encaps_view_fires(void **state)
{
	(void)state;
	struct fixture f;
	setup_world(&f, 5 * SEC);
	struct sim_node *a = &f.w.nodes[0], *b = &f.w.nodes[1];
	uint32_t bport = f.sc.links[0].b_port;
	struct lsoe_encap e = { .prefix_len = 32 };
	memcpy(e.addr, (const uint8_t[]){ 203, 0, 113, 99 }, 4); /* never announced by b */
	struct lsoe_event ev = { .type = LSOE_EV_ENCAPS, .port = f.sc.links[0].a_port,
		.encap_type = LSOE_PDU_IPV4_ENCAP, .encaps = &e, .encap_count = 1 };
	sim_port_mac(b->index, bport, ev.peer_mac);
	sim_inv_event(&f.w, a, &ev);
	assert_true(f.inv.violated);
	assert_string_equal(f.inv.invariant, "encaps_view");
	teardown_world(&f);
}

static void test_encaps_view_accepts_what_was_announced(void **state)
{
	(void)state;
	struct fixture f;
	setup_world(&f, 5 * SEC);
	struct sim_node *a = &f.w.nodes[0], *b = &f.w.nodes[1];
	uint32_t bport = f.sc.links[0].b_port;
	/* b's announced IPv4 list, as the world computes it */
	struct lsoe_encap e[SIM_MAX_ENCAPS];
	uint8_t labels[SIM_MAX_ENCAPS * 3];
	unsigned k = sim_port_expected(&f.w, b, bport, LSOE_PDU_IPV4_ENCAP, e, labels);
	assert_true(k > 0);
	struct lsoe_event ev = { .type = LSOE_EV_ENCAPS, .port = f.sc.links[0].a_port,
		.encap_type = LSOE_PDU_IPV4_ENCAP, .encaps = e, .encap_count = (uint16_t)k };
	sim_port_mac(b->index, bport, ev.peer_mac);
	sim_inv_event(&f.w, a, &ev);
	assert_false(f.inv.violated);
	teardown_world(&f);
}

static void test_memory_fires(void **state)
{
	(void)state;
	struct fixture f;
	setup_world(&f, 5 * SEC);
	f.inv.mem_cap[1] = f.w.nodes[1].mem_bytes - 1;
	sim_inv_tick(&f.w);
	assert_true(f.inv.violated);
	assert_string_equal(f.inv.invariant, "memory");
	teardown_world(&f);
}

static void test_liveness_fires(void **state)
{
	(void)state;
	struct fixture f;
	setup_world(&f, 5 * SEC);
	sim_node_crash(&f.w, &f.w.nodes[0]);
	sim_inv_live(&f.w);
	assert_true(f.inv.violated);
	assert_string_equal(f.inv.invariant, "liveness");
	teardown_world(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settled_world_holds),
		cmocka_unit_test(test_half_open_fires),
		cmocka_unit_test(test_half_open_waits_for_the_timeout),
		cmocka_unit_test(test_encaps_view_fires),
		cmocka_unit_test(test_encaps_view_accepts_what_was_announced),
		cmocka_unit_test(test_memory_fires),
		cmocka_unit_test(test_liveness_fires),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
