/* Timing, repetitions and the report, shared by every lsoe-bench subcommand. */
#include "bench.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_gen.h>

#include "json_pdu.h"

/* Everything the work functions return ends here, so none of it is dead code. */
static volatile uint64_t bench_sink;

void bench_die(const char *fmt, ...)
{
	va_list ap;
	fputs("lsoe-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		bench_die("clock_gettime(CLOCK_MONOTONIC) failed");
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void bench_opts_default(struct bench_opts *o)
{
	o->reps = BENCH_REPS_DEFAULT;
	o->seconds = BENCH_SECONDS_DEFAULT;
	o->json = false;
}

/* "--name VALUE" or "--name=VALUE": returns the value (advancing *i), or NULL if argv[*i] is not --name. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	*missing = false;
	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

int bench_parse_opts(int argc, char **argv, struct bench_opts *o, const char *usage)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		bool missing;
		if (strcmp(a, "--json") == 0) {
			o->json = true;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if ((v = opt_value(argc, argv, &i, "--reps", &missing)) || missing) {
			char *end;
			errno = 0;
			unsigned long n = missing ? 0 : strtoul(v, &end, 10);
			if (missing || errno || end == v || *end || n < 1 || n > BENCH_REPS_MAX) {
				fprintf(stderr, "lsoe-bench %s: --reps needs a number from 1 to %u\n", argv[0], BENCH_REPS_MAX);
				return 2;
			}
			o->reps = (unsigned)n;
		} else if ((v = opt_value(argc, argv, &i, "--seconds", &missing)) || missing) {
			char *end;
			errno = 0;
			double s = missing ? 0 : strtod(v, &end);
			if (missing || errno || end == v || *end || !(s >= 0.001 && s <= 60.0)) {
				fprintf(stderr, "lsoe-bench %s: --seconds needs a duration from 0.001 to 60\n", argv[0]);
				return 2;
			}
			o->seconds = s;
		} else {
			fprintf(stderr, "lsoe-bench %s: unknown option '%s' (try 'lsoe-bench %s --help')\n", argv[0], a,
			    argv[0]);
			return 2;
		}
	}
	return -1;
}

static uint64_t timed(bench_work_fn fn, void *ctx, uint64_t iters)
{
	uint64_t t0 = bench_now_ns();
	bench_sink += fn(ctx, iters);
	uint64_t t1 = bench_now_ns();
	return t1 > t0 ? t1 - t0 : 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct bench_rate bench_measure(const struct bench_opts *o, bench_work_fn fn, void *ctx, double units_per_iter)
{
	/* Calibrate: double the work until it takes at least a tenth of a repetition (and 5 ms). */
	double target_ns = o->seconds * 1e9;
	double probe_ns = target_ns / 10 > 5e6 ? target_ns / 10 : 5e6;
	uint64_t iters = 1, ns;
	while ((ns = timed(fn, ctx, iters)) < probe_ns && iters < (1ull << 40))
		iters *= 2;
	double scaled = (double)iters * target_ns / (double)ns;
	iters = scaled < 1 ? 1 : (uint64_t)scaled;
	timed(fn, ctx, iters / 4 + 1); /* warm-up at the final size */

	double rates[BENCH_REPS_MAX];
	for (unsigned r = 0; r < o->reps; r++)
		rates[r] = (double)iters * units_per_iter * 1e9 / (double)timed(fn, ctx, iters);
	qsort(rates, o->reps, sizeof(rates[0]), cmp_double);

	struct bench_rate res;
	res.min = rates[0];
	res.max = rates[o->reps - 1];
	res.median = o->reps % 2 ? rates[o->reps / 2] : (rates[o->reps / 2 - 1] + rates[o->reps / 2]) / 2;
	res.iters = iters;
	return res;
}

const char *bench_cpu_model(char *buf, size_t cap)
{
	snprintf(buf, cap, "unknown");
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return buf;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10) != 0)
			continue;
		const char *v = strchr(line, ':');
		if (!v)
			continue;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		size_t n = strcspn(v, "\n");
		if (n)
			snprintf(buf, cap, "%.*s", (int)n, v);
		break;
	}
	fclose(f);
	return buf;
}

/* 12345678.9 -> "  12.35 M" (SI prefix, fixed width). */
static const char *si(char *out, size_t cap, double v)
{
	static const char prefix[] = { ' ', 'k', 'M', 'G', 'T' };
	unsigned p = 0;
	while (v >= 1000.0 && p + 1 < sizeof(prefix)) {
		v /= 1000.0;
		p++;
	}
	snprintf(out, cap, "%7.2f %c", v, prefix[p]);
	return out;
}

static void report_json(const char *benchmark, const struct bench_opts *o, const struct bench_metric *m, size_t n)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	if (!g)
		bench_die("out of memory");
	yajl_gen_map_open(g);
	lsoe_json_kstr(g, "benchmark", benchmark);
	for (size_t i = 0; i < n; i++)
		lsoe_json_kint(g, m[i].key, (long long)(m[i].rate.median + 0.5));
	lsoe_json_kint(g, "repetitions", o->reps);
	yajl_gen_map_close(g);
	lsoe_json_print_line(g, stdout);
	yajl_gen_free(g);
}

static void report_text(const char *benchmark, const struct bench_opts *o, const struct bench_metric *m, size_t n)
{
	char cpu[256], a[32], b[32], c[32], per[48];
	printf("lsoe-bench %s\n", benchmark);
	printf("  cpu          %s\n", bench_cpu_model(cpu, sizeof(cpu)));
	printf("  repetitions  %u per figure, ~%.3g s each; median reported (min, max shown); 1 thread\n\n", o->reps,
	    o->seconds);
	printf("  %-28s %11s %11s %11s  %-9s %s\n", "figure", "median", "min", "max", "unit", "time/op (median)");
	for (size_t i = 0; i < n; i++) {
		const struct bench_metric *x = &m[i];
		snprintf(per, sizeof(per), "%.1f ns/%s", 1e9 * x->units_per_op / x->rate.median, x->op);
		printf("  %-28s %11s %11s %11s  %-9s %s\n", x->key, si(a, sizeof(a), x->rate.median),
		    si(b, sizeof(b), x->rate.min), si(c, sizeof(c), x->rate.max), x->unit, per);
	}
}

void bench_report(const char *benchmark, const struct bench_opts *o, const struct bench_metric *m, size_t n)
{
	if (o->json)
		report_json(benchmark, o, m, n);
	else
		report_text(benchmark, o, m, n);
	fflush(stdout);
}
