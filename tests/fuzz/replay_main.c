/*
 * fuzz_TARGET_replay: runs a fuzz target's LLVMFuzzerTestOneInput over inputs without
 * libFuzzer, so the target's checks run in every build (any compiler; under ASan when
 * LSOE_SANITIZE is on). Linked with each target (tests/fuzz/CMakeLists.txt).
 *
 * usage: fuzz_TARGET_replay PATH...   each PATH a file, or a directory whose files
 * (recursively, names starting with '.' skipped) are run in name order.
 * Exit status: 0 if every input ran (a failed check aborts), 1 if none was found,
 * 2 if a PATH cannot be read.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long n_inputs;
static int status;
static const char *prog = "fuzz_replay";

static void run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		status = 2;
		return;
	}
	size_t cap = 4096, len = 0;
	uint8_t *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	int err = ferror(f);
	fclose(f);
	if (!buf || err) {
		fprintf(stderr, "%s: %s: cannot read\n", prog, path);
		free(buf);
		status = 2;
		return;
	}
	/* Like libFuzzer, hand over a buffer of exactly the input's size. */
	uint8_t *exact = malloc(len ? len : 1);
	if (!exact) {
		free(buf);
		status = 2;
		return;
	}
	memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	n_inputs++;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(const char *path);

static void run_dir(const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		status = 2;
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof(*names));
			if (!nn)
				abort();
			names = nn;
		}
		size_t plen = strlen(path) + 1 + strlen(de->d_name) + 1;
		names[n] = malloc(plen);
		if (!names[n])
			abort();
		snprintf(names[n], plen, "%s/%s", path, de->d_name);
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		run_path(names[i]);
		free(names[i]);
	}
	free(names);
}

static void run_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		status = 2;
	} else if (S_ISDIR(st.st_mode)) {
		run_dir(path);
	} else if (S_ISREG(st.st_mode)) {
		run_file(path);
	}
}

int main(int argc, char **argv)
{
	if (argc > 0 && argv[0][0]) {
		const char *slash = strrchr(argv[0], '/');
		prog = slash ? slash + 1 : argv[0];
	}
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE-OR-DIRECTORY...\n", prog);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		run_path(argv[i]);
	printf("%s: %lu inputs ran without a failed check\n", prog, n_inputs);
	if (status)
		return status;
	if (n_inputs == 0) {
		fprintf(stderr, "%s: no inputs found\n", prog);
		return 1;
	}
	return 0;
}
