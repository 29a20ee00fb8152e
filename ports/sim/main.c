/*
 * lsoe-sim: the deterministic simulator.
 *
 *   lsoe-sim run SCENARIO [--seed N] [--until T] [--pcap DIR] [--events FILE] [--json] [--log LEVEL]
 *                [--dot FILE] [--timeline FILE.html] [--timeline-svg FILE.svg] [--links FILE]
 *   lsoe-sim replay CAPTURE --as MAC [--ethertype HEX] [--config FILE] [--out PCAP] [--json]
 *
 * Exit status: 0 when every expectation held; 1 when one failed; 2 on bad usage or
 * a bad scenario (the message says FILE:LINE:COLUMN).
 *
 * The clock is read here, and only here, to report wall time and show progress; it
 * never reaches the simulation.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>

#include "json_event.h"
#include "json_pdu.h"
#include "sim.h"
#include "world.h"

#define DEFAULT_SCENARIO "sim-scenarios/clos-4x8.json"

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *out)
{
	fputs("usage: lsoe-sim run [SCENARIO] [--seed N] [--until T] [--pcap DIR] [--events FILE] [--json]\n"
	      "                    [--log LEVEL] [--dot FILE] [--timeline FILE.html] [--timeline-svg FILE.svg]\n"
	      "                    [--links FILE]\n"
	      "       lsoe-sim replay CAPTURE --as MAC [--ethertype HEX] [--config FILE] [--out PCAP] [--json]\n"
	      "       lsoe-sim campaign SCENARIO --seeds A..B [--jobs N] [--json]\n"
	      "\n"
	      "run:     execute a scenario (default " DEFAULT_SCENARIO ") in virtual time and check\n"
	      "         its expectations; exit 0 if and only if all of them held\n"
	      "  --seed N        seed of every random choice (default: the scenario's)\n"
	      "  --until T       stop at T virtual seconds instead of the scenario's duration\n"
	      "  --pcap DIR      write one pcap per link into DIR (created if needed)\n"
	      "  --events FILE   write every node's northbound events there, as JSON lines\n"
	      "  --json          the summary as one JSON object\n"
	      "  --log LEVEL     engine logs on stderr: error, warning, info or debug\n"
	      "  --dot FILE      the topology at the end as Graphviz DOT, links coloured by session state\n"
	      "  --timeline FILE.html      the sessions over virtual time: a self-contained HTML page\n"
	      "  --timeline-svg FILE.svg   the same timeline as a standalone SVG\n"
	      "  --links FILE    the link-state database at the end: every address pair both ends of a\n"
	      "                  link report, as one JSON object\n"
	      "replay:  run one node standing in for station MAC in a capture; see docs/simulator.md\n"
	      "campaign: swarm faults per seed, safety and liveness invariants; see docs/simulator.md\n",
	    out);
}

/* --links: the link-state database has no use for the pictures' figure. */
static void links_write(const struct sim_world *w, uint32_t sessions_expected, FILE *out)
{
	(void)sessions_expected;
	sim_linkdb_write(w, out);
}

/* Links that can carry a session at the end: up, uncut, both ends running the same EtherType. */
static uint32_t sessions_expected(const struct sim_world *w)
{
	uint32_t k = 0;
	for (size_t i = 0; i < w->sc->nlinks; i++) {
		const struct sim_link_spec *ls = &w->sc->links[i];
		const struct sim_node *a = &w->nodes[ls->a], *b = &w->nodes[ls->b];
		const struct sim_link *l = &w->links[i];
		k += l->carrier && !l->cut && !l->partitioned && a->node && b->node && a->cfg->ethertype == b->cfg->ethertype;
	}
	return k;
}

static void summary_json(const struct sim_world *w, double wall)
{
	char buf[64];
	yajl_gen g = yajl_gen_alloc(NULL);
	yajl_gen_map_open(g);
	lsoe_json_kstr(g, "scenario", w->sc->name);
	lsoe_json_ku64(g, "seed", w->seed);
	lsoe_json_kseconds(g, "virtual_seconds", w->end);
	snprintf(buf, sizeof(buf), "%.3f", wall);
	lsoe_json_kdecimal(g, "wall_seconds", buf);
	lsoe_json_ku64(g, "events", w->st.events);
	lsoe_json_ku64(g, "frames", w->st.frames);
	lsoe_json_ku64(g, "frames_delivered", w->st.delivered);
	lsoe_json_ku64(g, "frames_lost", w->st.frames_lost);
	lsoe_json_ku64(g, "frames_corrupted", w->st.frames_corrupted);
	lsoe_json_ku64(g, "frames_duplicated", w->st.frames_duplicated);
	lsoe_json_ku64(g, "nodes", w->sc->nnodes);
	lsoe_json_ku64(g, "links", w->sc->nlinks);
	lsoe_json_ku64(g, "sessions_open", sim_sessions_open(w));
	lsoe_json_ku64(g, "sessions_expected", sessions_expected(w));
	lsoe_json_key(g, "expectations");
	yajl_gen_map_open(g);
	lsoe_json_ku64(g, "passed", w->passed);
	lsoe_json_ku64(g, "failed", w->nfailures);
	lsoe_json_key(g, "failures");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < w->nfailures; i++)
		lsoe_json_str(g, w->failures[i]);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	lsoe_json_print_line(g, stdout);
	yajl_gen_free(g);
}

static void summary_text(const struct sim_world *w, double wall)
{
	printf("scenario %s, seed %llu: %zu nodes, %zu links, %.9g virtual s in %.3f s wall\n", w->sc->name,
	    (unsigned long long)w->seed, w->sc->nnodes, w->sc->nlinks, (double)w->end / 1e9, wall);
	printf("events %llu, frames %llu (delivered %llu, lost %llu, corrupted %llu, duplicated %llu)\n",
	    (unsigned long long)w->st.events, (unsigned long long)w->st.frames, (unsigned long long)w->st.delivered,
	    (unsigned long long)w->st.frames_lost, (unsigned long long)w->st.frames_corrupted,
	    (unsigned long long)w->st.frames_duplicated);
	printf("sessions open %u of %u expected\n", sim_sessions_open(w), sessions_expected(w));
	printf("expectations: %u passed, %zu failed\n", w->passed, w->nfailures);
	for (size_t i = 0; i < w->nfailures; i++)
		printf("  FAIL %s\n", w->failures[i]);
}

static int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' }, { "until", required_argument, NULL, 'u' },
		{ "pcap", required_argument, NULL, 'p' }, { "events", required_argument, NULL, 'e' },
		{ "json", no_argument, NULL, 'j' }, { "log", required_argument, NULL, 'l' },
		{ "dot", required_argument, NULL, 'D' }, { "timeline", required_argument, NULL, 'T' },
		{ "timeline-svg", required_argument, NULL, 'S' }, { "links", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	/* Files written at the end of the run, whether or not the expectations held (pictures,
	   the link-state database); opened first so that a bad path fails at once. */
	struct picture {
		const char *path;
		FILE *f;
		void (*write)(const struct sim_world *w, uint32_t sessions_expected, FILE *out);
	} pics[] = { { NULL, NULL, sim_dot_write }, { NULL, NULL, sim_timeline_html }, { NULL, NULL, sim_timeline_svg },
		{ NULL, NULL, links_write } };
	enum { NPICS = sizeof(pics) / sizeof(pics[0]) };
	struct sim_opts o = { .log_level = -1 };
	const char *events_path = NULL;
	bool json = false;
	int c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 's':
			o.seed = strtoull(optarg, &end, 10);
			if (*end || !*optarg) {
				fprintf(stderr, "lsoe-sim: --seed: not a number: %s\n", optarg);
				return 2;
			}
			o.seed_set = true;
			break;
		case 'u': {
			double t = strtod(optarg, &end);
			if (*end || !*optarg || !(t > 0) || t > 1e7) {
				fprintf(stderr, "lsoe-sim: --until: want seconds > 0: %s\n", optarg);
				return 2;
			}
			o.until = (uint64_t)(t * 1e9 + 0.5);
			break;
		}
		case 'p': o.pcap_dir = optarg; break;
		case 'e': events_path = optarg; break;
		case 'j': json = true; break;
		case 'D': pics[0].path = optarg; break;
		case 'T': pics[1].path = optarg; break;
		case 'S': pics[2].path = optarg; break;
		case 'L': pics[3].path = optarg; break;
		case 'l':
			o.log_level = sim_log_level(optarg);
			if (o.log_level < 0) {
				fprintf(stderr, "lsoe-sim: --log: want error, warning, info or debug: %s\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 1 < argc) {
		fprintf(stderr, "lsoe-sim: one scenario at a time (got %s and %s)\n", argv[optind], argv[optind + 1]);
		return 2;
	}
	const char *path = optind < argc ? argv[optind] : DEFAULT_SCENARIO;

	static struct sim_scenario sc;
	char err[2048];
	if (!sim_scenario_load(&sc, path, err, sizeof(err)) || !sim_expect_validate(&sc, err, sizeof(err))) {
		fprintf(stderr, "lsoe-sim: %s\n", err);
		return 2;
	}
	if (events_path && !(o.events_out = fopen(events_path, "w"))) {
		perror(events_path);
		sim_scenario_free(&sc);
		return 2;
	}
	for (int i = 0; i < NPICS; i++)
		if (pics[i].path && !(pics[i].f = fopen(pics[i].path, "w"))) {
			perror(pics[i].path);
			for (int j = 0; j < i; j++)
				if (pics[j].f)
					fclose(pics[j].f);
			if (o.events_out)
				fclose(o.events_out);
			sim_scenario_free(&sc);
			return 2;
		}
	o.progress = isatty(STDERR_FILENO);
	static struct sim_world w;
	if (!sim_world_init(&w, &sc, &o, err, sizeof(err))) {
		fprintf(stderr, "lsoe-sim: %s\n", err);
		for (int i = 0; i < NPICS; i++)
			if (pics[i].f)
				fclose(pics[i].f);
		sim_world_free(&w);
		sim_scenario_free(&sc);
		return 2;
	}
	w.wall_now = wall_now;
	double t0 = wall_now();
	sim_world_run(&w);
	double wall = wall_now() - t0;
	if (json)
		summary_json(&w, wall);
	else
		summary_text(&w, wall);
	int rc = w.nfailures ? 1 : 0;
	if (o.events_out && fclose(o.events_out) != 0) {
		perror(events_path);
		rc = 2;
	}
	for (int i = 0; i < NPICS; i++) {
		if (!pics[i].f)
			continue;
		pics[i].write(&w, sessions_expected(&w), pics[i].f);
		bool bad = ferror(pics[i].f) != 0;
		if (fclose(pics[i].f) != 0 || bad) {
			perror(pics[i].path);
			rc = 2;
		}
	}
	sim_world_free(&w);
	sim_scenario_free(&sc);
	if (fflush(stdout) != 0)
		rc = 2;
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		/* The embedded default: the shipped 4x8 Clos. */
		char *args[] = { argv[0], "run", NULL };
		return cmd_run(2 - 1, args + 1);
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "replay") == 0)
		return sim_replay_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "campaign") == 0)
		return sim_campaign_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "lsoe-sim: unknown command '%s' (run, replay or campaign)\n", argv[1]);
	usage(stderr);
	return 2;
}
