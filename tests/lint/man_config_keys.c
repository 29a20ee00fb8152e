/*
 * lsoed.conf(5) documents every configuration key of core/config.c with the table's
 * default, and no key that does not exist.
 *
 * An entry of the KEYS section is "\.TP" then ".BI name ..." (hyphens written "\-"),
 * whose text has "Default: empty." or "Default:" then ".BR value ." on the next
 * line; an alias says "Another name for" instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint_section.h"
#include "lsoe/config.h"

/* Copy roff text into out without the escapes used for names and values: "\-" -> "-", "\&" -> "". */
static void unroff(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		if (s[i] == '\\' && i + 1 < n && s[i + 1] == '-') {
			out[o++] = '-';
			i++;
		} else if (s[i] == '\\' && i + 1 < n && s[i + 1] == '&') {
			i++;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
}

/* The text of the entry for key, from its ".BI" line to the next ".TP", ".SS" or ".SH". */
static const char *find_entry(const char *sec, const char *key, size_t *len)
{
	for (const char *p = strstr(sec, "\n.BI "); p; p = strstr(p + 1, "\n.BI ")) {
		const char *name = p + 5, *end = name + strcspn(name, " \n");
		char k[128];
		unroff(name, (size_t)(end - name), k, sizeof(k));
		if (strcmp(k, key) != 0)
			continue;
		const char *stop = end + strlen(end);
		static const char *const markers[] = { "\n.TP", "\n.SS", "\n.SH" };
		for (size_t m = 0; m < sizeof(markers) / sizeof(markers[0]); m++) {
			const char *at = strstr(end, markers[m]);
			if (at && at < stop)
				stop = at;
		}
		*len = (size_t)(stop - p);
		return p;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s lsoed.conf.5\n", argv[0]);
		return 2;
	}
	static char text[1 << 20];
	int status;
	char *sec = lint_read_section(argv[1], "\n.SH KEYS\n", "\n.SH ", text, sizeof(text), &status);
	if (!sec)
		return status;

	int bad = 0;
	for (size_t i = 0; i < lsoe_config_key_count(); i++) {
		const struct lsoe_config_key *k = lsoe_config_key_at(i);
		size_t len;
		const char *e = find_entry(sec, k->name, &len);
		if (!e) {
			printf("%s: no entry for configuration key '%s'\n", argv[1], k->name);
			bad = 1;
			continue;
		}
		char entry[4096];
		snprintf(entry, sizeof(entry), "%.*s", (int)len, e);
		if (k->alias_of) {
			char want[128];
			snprintf(want, sizeof(want), "Another name for\n.BR %s", k->alias_of);
			char got[4096];
			unroff(entry, strlen(entry), got, sizeof(got));
			if (!strstr(got, want)) {
				printf("%s: '%s' should say it is another name for '%s'\n", argv[1], k->name, k->alias_of);
				bad = 1;
			}
			continue;
		}
		const char *d = strstr(entry, "Default:");
		char def[256] = "?";
		if (!d) {
			printf("%s: the entry for '%s' gives no default\n", argv[1], k->name);
			bad = 1;
			continue;
		}
		if (!strncmp(d, "Default: empty.", 15)) {
			def[0] = '\0';
		} else if (!strncmp(d, "Default:\n.BR ", 13)) {
			const char *v = d + 13, *ve = strstr(v, " .\n");
			if (ve)
				unroff(v, (size_t)(ve - v), def, sizeof(def));
		}
		if (strcmp(def, k->def) != 0) {
			printf("%s: '%s' has default '%s' here, '%s' in core/config.c\n", argv[1], k->name, def, k->def);
			bad = 1;
		}
	}
	/* Every entry names a key. */
	for (const char *p = strstr(sec, "\n.TP\n.BI "); p; p = strstr(p + 1, "\n.TP\n.BI ")) {
		const char *name = p + 9, *ne = name + strcspn(name, " \n");
		char k[128];
		unroff(name, (size_t)(ne - name), k, sizeof(k));
		if (!lsoe_config_key_find(k)) {
			printf("%s: entry for unknown configuration key '%s'\n", argv[1], k);
			bad = 1;
		}
	}
	if (!bad)
		printf("%s documents all %zu configuration keys with their defaults\n", argv[1], lsoe_config_key_count());
	return bad;
}
