/* Every configuration key in core/config.c has a row in docs/configuration.md's reference table, and no row names a key that does not exist. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint_section.h"
#include "lsoe/config.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s docs/configuration.md\n", argv[0]);
		return 2;
	}
	static char text[1 << 20];
	int status;
	/* The page from its "# Configuration" title to the next section. */
	char *sec = lint_read_section(argv[1], "# Configuration\n", "\n## ", text, sizeof(text), &status);
	if (!sec)
		return status;
	int bad = 0;
	for (size_t i = 0; i < lsoe_config_key_count(); i++) {
		char row[128];
		snprintf(row, sizeof(row), "\n| `%s` |", lsoe_config_key_at(i)->name);
		if (!strstr(sec, row)) {
			printf("docs/configuration.md: no row for configuration key '%s'\n", lsoe_config_key_at(i)->name);
			bad = 1;
		}
	}
	for (char *p = strstr(sec, "\n| `"); p; p = strstr(p + 1, "\n| `")) {
		char key[128];
		if (sscanf(p, "\n| `%127[^`]`", key) == 1 && !lsoe_config_key_find(key)) {
			printf("docs/configuration.md: row for unknown configuration key '%s'\n", key);
			bad = 1;
		}
	}
	if (!bad)
		printf("docs/configuration.md documents all %zu configuration keys\n", lsoe_config_key_count());
	return bad;
}
