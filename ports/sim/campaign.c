/*
 * lsoe-sim campaign SCENARIO --seeds A..B [--jobs N] [--json]
 *
 * Swarm testing in the manner of TigerBeetle's VOPR: for every seed the faults are
 * drawn anew — which kinds are on (loss, duplication, reordering, corruption, link
 * flaps, node crashes, partitions) and how hard — and the scenario's topology runs
 * under them for FAULT_WINDOW virtual seconds while safety invariants are checked
 * continuously:
 *
 *   half_open     no session stays established on one side for longer than that side's
 *                 keepalive receive timeout (plus the link's delay) after the other side
 *                 has closed it (no session at all, or crashed)
 *   encaps_view   every list a node reports for a peer is one that peer announced on
 *                 that link (or empty: a withdrawal)
 *   memory        no node's engine memory exceeds a bound derived from its caps
 *                 (sessions per port, reassembly bytes)
 *
 * Then every fault is healed (links up and clean, partitions gone, crashed nodes
 * restarted) and liveness is checked: every session must be open within a bound
 * derived from the timers (HELLO interval + receive timeout + a full retransmission
 * cycle + margin). A failing seed is printed with the command that replays it.
 * The run is a pure function of (scenario, seed): the replay is exact.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>

#include "invariants.h"
#include "json_pdu.h"
#include "sim.h"
#include "world.h"

#define SEC 1000000000ull
#define FAULT_WINDOW (60 * SEC)
#define RNG_SWARM 7

/* ---- drawing the faults ---- */

static double unit(struct sim_rng *r) { return sim_rng_unit(r); }
static uint64_t secs(double s) { return (uint64_t)(s * 1e9); }

/* A copy of the scenario with this seed's faults; the base stays untouched. */
static bool swarm(const struct sim_scenario *base, uint64_t seed, struct sim_scenario *sw)
{
	struct sim_rng r;
	sim_rng_seed(&r, seed, RNG_SWARM, 0);
	*sw = *base; /* sharing the base's topology; only the direction properties are the seed's */
	sw->dirs = malloc(base->ndirs * sizeof(*sw->dirs));
	sw->procs = calloc(2, sizeof(*sw->procs));
	sw->events = calloc(8, sizeof(*sw->events));
	sw->expects = NULL;
	sw->nexpects = 0;
	sw->nprocs = 0;
	sw->nevents = 0;
	if (!sw->dirs || !sw->procs || !sw->events)
		return false;
	memcpy(sw->dirs, base->dirs, base->ndirs * sizeof(*sw->dirs));
	/* Each kind of fault is on with probability 1/2, at a strength drawn for the whole run. */
	double loss = unit(&r) < 0.5 ? 0.3 * unit(&r) : 0, dup = unit(&r) < 0.5 ? 0.1 * unit(&r) : 0;
	double reorder = unit(&r) < 0.5 ? 0.1 * unit(&r) : 0, corrupt = unit(&r) < 0.5 ? 0.05 * unit(&r) : 0;
	for (size_t i = 0; i < sw->ndirs; i++) { /* every link's, both ways */
		struct sim_dir *dir = &sw->dirs[i];
		dir->loss = loss;
		dir->duplicate = dup;
		dir->reorder = reorder;
		dir->corrupt = corrupt;
	}
	if (unit(&r) < 0.5) { /* link flaps on a random subset */
		struct sim_process_spec *p = &sw->procs[sw->nprocs++];
		p->kind = SP_FLAP;
		p->targets = malloc(sw->nlinks * sizeof(int));
		for (size_t i = 0; p->targets && i < sw->nlinks; i++)
			if (unit(&r) < 0.5)
				p->targets[p->ntargets++] = (int)i;
		p->mean_up = secs(2 + 18 * unit(&r));
		p->mean_down = secs(0.2 + 2.8 * unit(&r));
		p->from = 0;
		p->until = FAULT_WINDOW;
	}
	if (unit(&r) < 0.5) { /* node crashes on a random subset */
		struct sim_process_spec *p = &sw->procs[sw->nprocs++];
		p->kind = SP_CRASH;
		p->targets = malloc(sw->nnodes * sizeof(int));
		for (size_t i = 0; p->targets && i < sw->nnodes; i++)
			if (unit(&r) < 0.3)
				p->targets[p->ntargets++] = (int)i;
		p->mean_up = secs(5 + 25 * unit(&r));
		p->mean_down = secs(0.5 + 4.5 * unit(&r));
		p->from = 0;
		p->until = FAULT_WINDOW;
	}
	if (unit(&r) < 0.5) { /* up to three partitions, each healed after 1 to 10 s */
		unsigned k = 1 + (unsigned)sim_rng_below(&r, 3);
		for (unsigned j = 0; j < k; j++) {
			struct sim_event_spec *e = &sw->events[sw->nevents++];
			e->kind = SE_PARTITION;
			e->at = secs(50 * unit(&r));
			e->link = e->node = -1;
			e->nodes = malloc(sw->nnodes * sizeof(int));
			for (size_t i = 0; e->nodes && i < sw->nnodes; i++)
				if (unit(&r) < 0.3)
					e->nodes[e->nnodes++] = (int)i;
			struct sim_event_spec *h = &sw->events[sw->nevents++];
			h->kind = SE_HEAL;
			h->at = e->at + secs(1 + 9 * unit(&r));
			h->link = h->node = -1;
		}
		/* scheduled in time order, as the parser leaves them */
		for (size_t a = 1; a < sw->nevents; a++)
			for (size_t b = a; b > 0 && sw->events[b - 1].at > sw->events[b].at; b--) {
				struct sim_event_spec t = sw->events[b];
				sw->events[b] = sw->events[b - 1];
				sw->events[b - 1] = t;
			}
	}
	return true;
}

static void swarm_free(struct sim_scenario *sw)
{
	for (size_t i = 0; i < sw->nprocs; i++)
		free(sw->procs[i].targets);
	for (size_t i = 0; i < sw->nevents; i++)
		free(sw->events[i].nodes);
	free(sw->procs);
	free(sw->events);
	free(sw->dirs);
}

/* ---- one seed ---- */

/* What a seed exercised, to show the faults were real. */
struct exercised {
	uint64_t events, lost, duplicated, reordered, corrupted, crashes, downs;
};

struct outcome {
	bool ok;
	struct exercised x;
	char invariant[32];
	uint64_t when;
	char detail[256];
};

static uint64_t liveness_bound(const struct sim_scenario *sc)
{
	uint64_t worst = 0;
	for (size_t i = 0; i < sc->nnodes; i++) {
		const struct lsoe_config *c = sc->nodes[i].cfg;
		uint64_t rtx = 0, iv = c->retransmit_initial;
		for (unsigned k = 0; k < c->retransmit_max_drop; k++) {
			rtx += iv;
			if (c->retransmit_backoff)
				iv *= 2;
		}
		uint64_t b = c->hello_interval + c->keepalive_receive_timeout + rtx + 10 * SEC;
		if (b > worst)
			worst = b;
	}
	return worst;
}

static struct outcome run_seed(const struct sim_scenario *base, uint64_t seed, const struct sim_opts *extra)
{
	struct outcome o = { .ok = true };
	struct sim_scenario sw;
	if (!swarm(base, seed, &sw)) {
		o.ok = false;
		snprintf(o.invariant, sizeof(o.invariant), "setup");
		snprintf(o.detail, sizeof(o.detail), "out of memory");
		return o;
	}
	struct sim_inv inv;
	bool mem_ok = sim_inv_init(&inv, sw.nlinks, sw.nnodes);
	inv.heal_at = FAULT_WINDOW;
	inv.live_by = FAULT_WINDOW + liveness_bound(base);
	for (size_t i = 0; inv.mem_cap && i < sw.nnodes; i++) {
		const struct lsoe_config *c = sw.nodes[i].cfg;
		/* the engine's base, every port at its session cap with room for peers' lists, reassembly's cap */
		inv.mem_cap[i] = 256u * 1024 + (size_t)sw.nodes[i].nports * c->max_sessions_per_port * 4096u +
		    c->reassembly_max_bytes;
	}
	struct sim_opts opts = *extra;
	opts.seed = seed;
	opts.seed_set = true;
	opts.until = inv.live_by + SEC;
	struct sim_world w;
	char err[512];
	if (!mem_ok || !sim_world_init(&w, &sw, &opts, err, sizeof(err))) {
		o.ok = false;
		snprintf(o.invariant, sizeof(o.invariant), "setup");
		snprintf(o.detail, sizeof(o.detail), "%.200s", mem_ok ? err : "out of memory");
	} else {
		w.inv = &inv;
		w.inv_base = base;
		sim_push(&w, SIM_INV_TICK, QE_INV, 0, 0, NULL);
		sim_push(&w, inv.heal_at, QE_HEAL, 0, 0, NULL);
		sim_world_run(&w);
		o.x.events = w.st.events;
		o.x.lost = w.st.frames_lost;
		o.x.duplicated = w.st.frames_duplicated;
		o.x.reordered = w.st.frames_reordered;
		o.x.corrupted = w.st.frames_corrupted;
		for (size_t i = 0; i < sw.nnodes; i++)
			o.x.crashes += w.nodes[i].crashes;
		for (size_t i = 0; i < w.nlog; i++)
			o.x.downs += !w.log[i].up;
		sim_world_free(&w);
		if (inv.violated) {
			o.ok = false;
			memcpy(o.invariant, inv.invariant, sizeof(o.invariant));
			o.when = inv.when;
			memcpy(o.detail, inv.detail, sizeof(o.detail));
		}
	}
	sim_inv_free(&inv, sw.nlinks);
	swarm_free(&sw);
	return o;
}

/* ---- the command ---- */

static void usage(FILE *out)
{
	fputs("usage: lsoe-sim campaign SCENARIO --seeds A..B [--jobs N] [--json] [--verbose]\n"
	      "  --seeds A..B   the seeds to run (or one seed N)\n"
	      "  --jobs N       parallel workers (default 1)\n"
	      "  --verbose      one line per seed: what it exercised\n"
	      "  --events FILE, --pcap DIR, --log LEVEL\n"
	      "                 with one seed: its events, captures and engine logs, as for run\n"
	      "  --json         the last line is one JSON object: scenario, seeds, passed, violations, failures\n",
	    out);
}

static bool parse_seeds(const char *s, uint64_t *a, uint64_t *b)
{
	char *end;
	*a = strtoull(s, &end, 10);
	if (end == s)
		return false;
	if (!*end) {
		*b = *a;
		return true;
	}
	if (strncmp(end, "..", 2) != 0)
		return false;
	const char *t = end + 2;
	*b = strtoull(t, &end, 10);
	return end != t && !*end && *b >= *a && *b - *a < 100000000ull;
}

int sim_campaign_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seeds", required_argument, NULL, 's' }, { "jobs", required_argument, NULL, 'j' },
		{ "json", no_argument, NULL, 'J' }, { "events", required_argument, NULL, 'e' },
		{ "log", required_argument, NULL, 'l' }, { "pcap", required_argument, NULL, 'p' }, { "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	uint64_t a = 0, b = 0;
	bool have_seeds = false, json = false, verbose = false;
	long jobs = 1;
	struct sim_opts extra = { .log_level = -1 };
	int c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 's':
			if (!parse_seeds(optarg, &a, &b)) {
				fprintf(stderr, "lsoe-sim campaign: --seeds: want A..B or N: %s\n", optarg);
				return 2;
			}
			have_seeds = true;
			break;
		case 'j':
			jobs = strtol(optarg, &end, 10);
			if (*end || jobs < 1 || jobs > 256) {
				fprintf(stderr, "lsoe-sim campaign: --jobs: want 1..256: %s\n", optarg);
				return 2;
			}
			break;
		case 'J': json = true; break;
		case 'v': verbose = true; break;
		case 'e':
			if (!(extra.events_out = fopen(optarg, "w"))) {
				fprintf(stderr, "lsoe-sim campaign: --events %s: %s\n", optarg, strerror(errno));
				return 2;
			}
			break;
		case 'p': extra.pcap_dir = optarg; break;
		case 'l':
			extra.log_level = sim_log_level(optarg);
			if (extra.log_level < 0) {
				fprintf(stderr, "lsoe-sim campaign: --log: want error, warning, info or debug: %s\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc || !have_seeds) {
		usage(stderr);
		return 2;
	}
	const char *path = argv[optind];
	static struct sim_scenario base;
	char err[2048];
	if (!sim_scenario_load(&base, path, err, sizeof(err))) {
		fprintf(stderr, "lsoe-sim: %s\n", err);
		return 2;
	}
	uint64_t n = b - a + 1;
	if ((extra.events_out || extra.pcap_dir || extra.log_level >= 0) && n != 1) {
		fputs("lsoe-sim campaign: --events, --pcap and --log are for replaying one seed\n", stderr);
		return 2;
	}
	if ((uint64_t)jobs > n)
		jobs = (long)n;
	struct outcome *res = calloc(n, sizeof(*res));
	int (*pipes)[2] = calloc((size_t)jobs, sizeof(*pipes));
	pid_t *pids = calloc((size_t)jobs, sizeof(*pids));
	if (!res || !pipes || !pids) {
		fputs("lsoe-sim campaign: out of memory\n", stderr);
		return 2;
	}
	/* Workers take seeds a+k, a+k+jobs, ...; each writes its outcomes in order to a pipe. */
	for (long k = 0; k < jobs; k++) {
		if (pipe(pipes[k]) != 0) {
			perror("lsoe-sim campaign: pipe");
			return 2;
		}
		fflush(NULL);
		pids[k] = fork();
		if (pids[k] < 0) {
			perror("lsoe-sim campaign: fork");
			return 2;
		}
		if (pids[k] == 0) {
			close(pipes[k][0]);
			for (uint64_t i = (uint64_t)k; i < n; i += (uint64_t)jobs) {
				struct outcome o = run_seed(&base, a + i, &extra);
				if (write(pipes[k][1], &o, sizeof(o)) != (ssize_t)sizeof(o))
					_exit(3);
			}
			fflush(NULL); /* --events: _exit does not flush */
			_exit(0);
		}
		close(pipes[k][1]);
	}
	bool tty = isatty(STDERR_FILENO);
	uint64_t got = 0;
	for (uint64_t i = 0; i < n; i++) {
		long k = (long)(i % (uint64_t)jobs);
		size_t off = 0;
		while (off < sizeof(res[i])) {
			ssize_t r = read(pipes[k][0], (char *)&res[i] + off, sizeof(res[i]) - off);
			if (r <= 0) {
				if (r < 0 && errno == EINTR)
					continue;
				fprintf(stderr, "lsoe-sim campaign: a worker died at seed %llu\n", (unsigned long long)(a + i));
				return 2;
			}
			off += (size_t)r;
		}
		got++;
		if (tty && (got % 16 == 0 || got == n))
			fprintf(stderr, "\rlsoe-sim campaign: %llu of %llu seeds", (unsigned long long)got, (unsigned long long)n);
	}
	if (tty)
		fputc('\n', stderr);
	for (long k = 0; k < jobs; k++) {
		close(pipes[k][0]);
		waitpid(pids[k], NULL, 0);
	}

	uint64_t passed = 0;
	struct exercised t = { 0 };
	for (uint64_t i = 0; i < n; i++) {
		const struct exercised *x = &res[i].x;
		if (verbose)
			printf("seed %llu: %s; %llu events, %llu frames lost, %llu duplicated, %llu reordered, %llu corrupted, "
			    "%llu crashes, %llu session downs\n", (unsigned long long)(a + i), res[i].ok ? "ok" : res[i].invariant,
			    (unsigned long long)x->events, (unsigned long long)x->lost, (unsigned long long)x->duplicated,
			    (unsigned long long)x->reordered, (unsigned long long)x->corrupted, (unsigned long long)x->crashes,
			    (unsigned long long)x->downs);
		t.events += x->events;
		t.lost += x->lost;
		t.duplicated += x->duplicated;
		t.reordered += x->reordered;
		t.corrupted += x->corrupted;
		t.crashes += x->crashes;
		t.downs += x->downs;
		if (res[i].ok) {
			passed++;
			continue;
		}
		printf("seed %llu: %s at %.9f s: %s\n  replay: lsoe-sim campaign %s --seeds %llu\n",
		    (unsigned long long)(a + i), res[i].invariant, (double)res[i].when / 1e9, res[i].detail, path,
		    (unsigned long long)(a + i));
	}
	printf("exercised: %llu events, %llu frames lost, %llu duplicated, %llu reordered, %llu corrupted, %llu crashes, "
	    "%llu session downs\n", (unsigned long long)t.events, (unsigned long long)t.lost,
	    (unsigned long long)t.duplicated, (unsigned long long)t.reordered, (unsigned long long)t.corrupted,
	    (unsigned long long)t.crashes, (unsigned long long)t.downs);
	if (json) {
		yajl_gen g = yajl_gen_alloc(NULL);
		char replay[4200];
		yajl_gen_map_open(g);
		lsoe_json_kstr(g, "scenario", base.name);
		lsoe_json_kint(g, "seeds", (long long)n);
		lsoe_json_kint(g, "passed", (long long)passed);
		lsoe_json_kint(g, "violations", (long long)(n - passed));
		lsoe_json_key(g, "failures");
		yajl_gen_array_open(g);
		for (uint64_t i = 0; i < n; i++) {
			if (res[i].ok)
				continue;
			yajl_gen_map_open(g);
			lsoe_json_kint(g, "seed", (long long)(a + i));
			lsoe_json_kstr(g, "invariant", res[i].invariant);
			snprintf(replay, sizeof(replay), "%.9f", (double)res[i].when / 1e9);
			lsoe_json_kdecimal(g, "time", replay);
			lsoe_json_kstr(g, "detail", res[i].detail);
			snprintf(replay, sizeof(replay), "lsoe-sim campaign %s --seeds %llu", path, (unsigned long long)(a + i));
			lsoe_json_kstr(g, "replay", replay);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
		lsoe_json_print_line(g, stdout);
		yajl_gen_free(g);
	} else {
		printf("campaign %s: %llu of %llu seeds passed, %llu violations\n", base.name, (unsigned long long)passed,
		    (unsigned long long)n, (unsigned long long)(n - passed));
	}
	free(res);
	free(pipes);
	free(pids);
	sim_scenario_free(&base);
	return passed == n ? 0 : 1;
}
