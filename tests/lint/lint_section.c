#include "lint_section.h"

#include <stdio.h>
#include <string.h>

char *lint_read_section(const char *path, const char *heading, const char *next, char *buf, size_t cap,
			int *status)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		*status = 2;
		return NULL;
	}
	size_t n = fread(buf, 1, cap - 1, f);
	int more = fgetc(f) != EOF, err = ferror(f);
	fclose(f);
	if (err || more) {
		/* A lint that read half the file would pass or fail on the wrong text. */
		fprintf(stderr, "%s: %s\n", path, err ? "read error" : "too large for this lint");
		*status = 2;
		return NULL;
	}
	buf[n] = '\0';
	char *sec = strstr(buf, heading);
	if (!sec) {
		printf("%s: no \"%.*s\" section\n", path, (int)strcspn(heading + 1, "\n"), heading + 1);
		*status = 1;
		return NULL;
	}
	char *end = strstr(sec + 1, next);
	if (end)
		end[1] = '\0';
	return sec;
}
