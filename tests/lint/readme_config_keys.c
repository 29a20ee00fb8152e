/* Every configuration key in core/config.c has a row in README.md's reference table, and no row names a key that does not exist. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lsoe/config.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s README.md\n", argv[0]);
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	static char text[1 << 20];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	/* Only the "## Configuration" section counts. */
	char *sec = strstr(text, "\n## Configuration\n");
	if (!sec) {
		printf("README.md: no \"## Configuration\" section\n");
		return 1;
	}
	char *end = strstr(sec + 1, "\n## ");
	if (end)
		end[1] = '\0';
	int bad = 0;
	for (size_t i = 0; i < lsoe_config_key_count(); i++) {
		char row[128];
		snprintf(row, sizeof(row), "\n| `%s` |", lsoe_config_key_at(i)->name);
		if (!strstr(sec, row)) {
			printf("README.md: no row for configuration key '%s'\n", lsoe_config_key_at(i)->name);
			bad = 1;
		}
	}
	for (char *p = strstr(sec, "\n| `"); p; p = strstr(p + 1, "\n| `")) {
		char key[128];
		if (sscanf(p, "\n| `%127[^`]`", key) == 1 && !lsoe_config_key_find(key)) {
			printf("README.md: row for unknown configuration key '%s'\n", key);
			bad = 1;
		}
	}
	if (!bad)
		printf("README.md documents all %zu configuration keys\n", lsoe_config_key_count());
	return bad;
}
