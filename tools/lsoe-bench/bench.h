/*
 * lsoe-bench: what every subcommand shares — timing, the repetition/median method,
 * and the report (an aligned table, or one line of JSON).
 *
 * Method: one thread; each figure is a fixed amount of work, calibrated once so a
 * repetition takes about opts.seconds, run opts.reps times; the figure is the median
 * rate. Work functions return a value that is folded into a volatile sink so the
 * compiler cannot drop the work.
 */
#ifndef LSOE_BENCH_H
#define LSOE_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_REPS_DEFAULT    7u
#define BENCH_REPS_MAX        99u
#define BENCH_SECONDS_DEFAULT 0.25

struct bench_opts {
	unsigned reps;               /* repetitions per figure (the median is reported) */
	double seconds;              /* target duration of one repetition */
	bool json;
};

/* Defaults, then the options every subcommand accepts: --json, --reps N, --seconds S. */
void bench_opts_default(struct bench_opts *o);
/*
 * Parse argv[1..] (argv[0] is the subcommand). Returns -1 when all was consumed,
 * 0 after printing help (exit 0), or 2 on bad usage (message already printed).
 */
int bench_parse_opts(int argc, char **argv, struct bench_opts *o, const char *usage);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t bench_now_ns(void);

/* Performs iters iterations of one unit of work; returns anything data-dependent. */
typedef uint64_t (*bench_work_fn)(void *ctx, uint64_t iters);

/* Rates of one figure: median and spread over the repetitions, in units per second. */
struct bench_rate {
	double median, min, max;
	uint64_t iters;              /* per repetition, after calibration */
};

/*
 * Calibrate, then run opts->reps repetitions of fn; units_per_iter converts
 * iterations to the reported unit (1 for frames, 1500 for bytes of a datagram).
 */
struct bench_rate bench_measure(const struct bench_opts *o, bench_work_fn fn, void *ctx,
    double units_per_iter);

/* One reported figure. key is the JSON key; unit is shown in the table only. */
struct bench_metric {
	const char *key;
	const char *unit;            /* e.g. "frames/s" */
	const char *op;              /* what one operation is, for the ns/op column, e.g. "frame" */
	double units_per_op;         /* units in one operation (1500 for a datagram checksum) */
	struct bench_rate rate;
};

/* Print the report: the table, or one JSON line with "benchmark", the keys and "repetitions". */
void bench_report(const char *benchmark, const struct bench_opts *o, const struct bench_metric *m,
    size_t n);

/* "model name" from /proc/cpuinfo, or "unknown". */
const char *bench_cpu_model(char *buf, size_t cap);

/* Print "lsoe-bench: ..." to stderr and exit 1 (the benchmark's own data failed). */
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Subcommands. argv[0] is the subcommand name; the return value is the exit status. */
int bench_codec_main(int argc, char **argv);
int bench_engine_main(int argc, char **argv);
int bench_sim_main(int argc, char **argv);

#endif
