/*
 * lsoe-bench: performance figures (not tests). One subcommand per area; each
 * prints an aligned table, or with --json one line of JSON.
 *
 * Exit status: 0 on success, 1 when a benchmark's own data fails to decode, 2 on
 * bad usage (unknown subcommand or option).
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"

struct subcommand {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{ "codec", bench_codec_main, "frame, datagram and PDU decoding, checksum, reassembly" },
	{ "engine", bench_engine_main, "one node with 1,000 and 10,000 sessions: memory, keepalive cost, timers" },
	{ "sim", bench_sim_main, "simulator events per second; clos3-1000 for a virtual hour; --scale N" },
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *out)
{
	fputs("usage: lsoe-bench SUBCOMMAND [options]\n"
	      "       lsoe-bench SUBCOMMAND --help\n\n"
	      "subcommands:\n",
	    out);
	for (size_t i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(out, "  %-8s %s\n", subcommands[i].name, subcommands[i].summary);
	fputs("\ncommon options:\n"
	      "  --json         one line of JSON instead of the table\n"
	      "  --reps N       repetitions per figure, the median is reported (default 7)\n"
	      "  --seconds S    duration of one repetition (default 0.25)\n"
	      "  -h, --help     this text\n",
	    out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < N_SUBCOMMANDS; i++)
		if (strcmp(cmd, subcommands[i].name) == 0)
			return subcommands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "lsoe-bench: unknown subcommand '%s' (available:", cmd);
	for (size_t i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(stderr, " %s", subcommands[i].name);
	fputs("; try 'lsoe-bench --help')\n", stderr);
	return 2;
}
