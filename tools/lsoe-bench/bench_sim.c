/*
 * lsoe-bench sim: the simulator's speed.
 *
 *   events_per_s            queue events processed per wall second (frame deliveries,
 *                           node wake-ups, scheduled events) on clos-4x8 for 600 virtual s;
 *                           median of the repetitions
 *   clos3_hour_wall_s       wall seconds to simulate clos3-1000 (1,008 nodes, 1 s
 *                           keepalives) for one virtual hour; one run
 *   clos3_events_per_s      events per wall second in that run
 *
 * Scenarios are read from sim-scenarios/ of the source tree (--scenarios DIR to change).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "bench.h"
#include "json_pdu.h"
#include "world.h"

#ifndef LSOE_SCENARIO_DIR
#define LSOE_SCENARIO_DIR "sim-scenarios"
#endif

static const char usage_text[] =
    "usage: lsoe-bench sim [--json] [--reps N] [--scenarios DIR] [--hour-seconds S]\n\n"
    "  events_per_s        simulator events per wall second: clos-4x8 for 600 virtual s (median)\n"
    "  clos3_hour_wall_s   wall time of clos3-1000 (1,008 nodes, 1 s keepalives) for one virtual hour\n"
    "  --hour-seconds S    simulate S virtual seconds of clos3-1000 instead of 3600 (quick look)\n";

struct run_result {
	double wall;
	uint64_t events;
	uint32_t sessions_open, links;
};

static struct run_result run_scenario(const char *path, uint64_t until)
{
	static struct sim_scenario sc;
	char err[2048];
	if (!sim_scenario_load(&sc, path, err, sizeof(err)))
		bench_die("%s", err);
	struct sim_opts o = { .until = until, .log_level = -1 };
	static struct sim_world w;
	if (!sim_world_init(&w, &sc, &o, err, sizeof(err)))
		bench_die("%s", err);
	uint64_t t0 = bench_now_ns();
	sim_world_run(&w);
	struct run_result r = { (double)(bench_now_ns() - t0) / 1e9, w.st.events, sim_sessions_open(&w),
		(uint32_t)sc.nlinks };
	sim_world_free(&w);
	sim_scenario_free(&sc);
	return r;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int bench_sim_main(int argc, char **argv)
{
	const char *dir = LSOE_SCENARIO_DIR;
	double hour = 3600;
	/* Our own options first; the rest go to the common parser. */
	int out = 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--scenarios") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--hour-seconds") == 0 && i + 1 < argc)
			hour = atof(argv[++i]);
		else
			argv[out++] = argv[i];
	}
	argc = out;
	struct bench_opts o;
	bench_opts_default(&o);
	o.reps = 3;
	int rc = bench_parse_opts(argc, argv, &o, usage_text);
	if (rc >= 0)
		return rc;
	if (!(hour > 0))
		bench_die("--hour-seconds must be positive");

	char small[4096], big[4096];
	snprintf(small, sizeof(small), "%s/clos-4x8.json", dir);
	snprintf(big, sizeof(big), "%s/clos3-1000.json", dir);

	double rates[BENCH_REPS_MAX];
	uint64_t small_events = 0;
	for (unsigned i = 0; i < o.reps; i++) {
		struct run_result r = run_scenario(small, 600ull * 1000000000ull);
		rates[i] = (double)r.events / r.wall;
		small_events = r.events;
	}
	qsort(rates, o.reps, sizeof(rates[0]), cmp_double);
	double events_per_s = rates[o.reps / 2];

	struct run_result h = run_scenario(big, (uint64_t)(hour * 1e9));
	if (h.sessions_open != h.links)
		bench_die("clos3-1000: only %u of %u sessions open at the end", h.sessions_open, h.links);

	if (o.json) {
		yajl_gen g = yajl_gen_alloc(NULL);
		char buf[64];
		yajl_gen_map_open(g);
		lsoe_json_kstr(g, "benchmark", "sim");
		lsoe_json_kint(g, "events_per_s", (long long)(events_per_s + 0.5));
		snprintf(buf, sizeof(buf), "%.3f", h.wall);
		lsoe_json_kdecimal(g, "clos3_hour_wall_s", buf);
		lsoe_json_kint(g, "clos3_virtual_s", (long long)(hour + 0.5));
		lsoe_json_kint(g, "clos3_events", (long long)h.events);
		lsoe_json_kint(g, "clos3_events_per_s", (long long)((double)h.events / h.wall + 0.5));
		lsoe_json_kint(g, "small_events", (long long)small_events);
		lsoe_json_kint(g, "repetitions", o.reps);
		yajl_gen_map_close(g);
		lsoe_json_print_line(g, stdout);
		yajl_gen_free(g);
	} else {
		char cpu[256];
		printf("lsoe-bench sim\n  cpu          %s\n  1 thread\n\n", bench_cpu_model(cpu, sizeof(cpu)));
		printf("  events_per_s        %12.0f  (clos-4x8, 600 virtual s, %llu events; median of %u)\n",
		    events_per_s, (unsigned long long)small_events, o.reps);
		printf("  clos3_hour_wall_s   %12.2f  (clos3-1000: %u links, %.0f virtual s, %llu events, %.0f events/s)\n",
		    h.wall, h.links, hour, (unsigned long long)h.events, (double)h.events / h.wall);
	}
	fflush(stdout);
	return 0;
}
