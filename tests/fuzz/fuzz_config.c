/*
 * libFuzzer target: the INI configuration loader (ports/common/config_ini.c: our line
 * reader around libinih, then lsoe_config_set for every key and lsoe_config_check).
 *
 * Input: the text of a configuration file (at most 64 KiB; the loader takes a C string,
 * so a NUL ends the text as it ends a file's text for libinih's string reader).
 * It is loaded with lsoe_config_load_string on top of the defaults. Checks:
 *  - the result is 0 or -1, the same with a message buffer of any size (1 to 256
 *    octets, or none) and across two runs; every message is NUL-terminated, starts
 *    with the file's name, and is cut, never overrun, in a small buffer;
 *  - on -1 the configuration is left exactly as it was;
 *  - on 0 it passes lsoe_config_check, and every key's canonical text (lsoe_config_get)
 *    is accepted again by lsoe_config_set and gives back the same text.
 * Configurations are compared key by key through their canonical text, not with
 * memcmp: struct copies need not copy padding.
 */
#include <stdbool.h>
#include <string.h>

#include "config_ini.h"
#include "fuzz.h"
#include "lsoe/config.h"

#define FZ_MAX_INPUT (64u * 1024u)
#define FZ_NAME      "fuzz.conf"

static void check_message(const char *err, size_t cap)
{
	size_t n = strnlen(err, cap);
	CHECK(n < cap); /* NUL-terminated within the buffer */
	if (n == 0)
		return;
	size_t want = strlen(FZ_NAME) < cap - 1 ? strlen(FZ_NAME) : cap - 1;
	CHECK(strncmp(err, FZ_NAME, want) == 0);
}

/* Equal in every key. */
static bool same_config(const struct lsoe_config *a, const struct lsoe_config *b)
{
	for (size_t i = 0; i < lsoe_config_key_count(); i++) {
		const char *key = lsoe_config_key_at(i)->name;
		char ta[LSOE_CFG_VALUE_MAX], tb[LSOE_CFG_VALUE_MAX];
		CHECK(lsoe_config_get(a, key, ta, sizeof(ta)) && lsoe_config_get(b, key, tb, sizeof(tb)));
		if (strcmp(ta, tb) != 0)
			return false;
	}
	return true;
}

static void check_canonical(const struct lsoe_config *cfg)
{
	char why[256];
	CHECK(lsoe_config_check(cfg, why, sizeof(why)));
	struct lsoe_config *again = malloc(sizeof(*again));
	CHECK(again != NULL);
	*again = *cfg;
	for (size_t i = 0; i < lsoe_config_key_count(); i++) {
		const struct lsoe_config_key *k = lsoe_config_key_at(i);
		char text[LSOE_CFG_VALUE_MAX], text2[LSOE_CFG_VALUE_MAX];
		CHECK(lsoe_config_get(cfg, k->name, text, sizeof(text)));
		CHECK(strlen(text) < sizeof(text) - 1); /* LSOE_CFG_VALUE_MAX is always enough */
		if (lsoe_config_set(again, k->name, text, why, sizeof(why)) != LSOE_CFG_OK) {
			fprintf(stderr, "fuzz_config: %s = \"%s\" refused: %s\n", k->name, text, why);
			CHECK(!"the canonical text of a key is accepted again");
		}
		CHECK(lsoe_config_get(again, k->name, text2, sizeof(text2)));
		CHECK(strcmp(text, text2) == 0);
	}
	CHECK(lsoe_config_check(again, why, sizeof(why)));
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FZ_MAX_INPUT)
		return 0;
	char *text = malloc(size + 1);
	CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';

	struct lsoe_config *def = malloc(sizeof(*def)), *cfg = malloc(sizeof(*cfg));
	CHECK(def && cfg);
	lsoe_config_default(def);
	*cfg = *def;

	char err[256];
	memset(err, 'x', sizeof(err));
	int r = lsoe_config_load_string(cfg, text, FZ_NAME, err, sizeof(err));
	CHECK(r == 0 || r == -1);
	check_message(err, sizeof(err));
	if (r == 0) {
		CHECK(err[0] == '\0');
		check_canonical(cfg);
	} else {
		CHECK(err[0] != '\0');
		CHECK(same_config(cfg, def)); /* unchanged */
	}

	/* The same outcome and message with a buffer of another size, or none. */
	size_t cap = 1 + (size % 48);
	char *small = malloc(cap);
	CHECK(small != NULL);
	struct lsoe_config *cfg2 = malloc(sizeof(*cfg2));
	CHECK(cfg2 != NULL);
	*cfg2 = *def;
	CHECK(lsoe_config_load_string(cfg2, text, FZ_NAME, small, cap) == r);
	check_message(small, cap);
	CHECK(strncmp(small, err, cap - 1) == 0);
	*cfg2 = *def;
	CHECK(lsoe_config_load_string(cfg2, text, FZ_NAME, NULL, 0) == r);
	if (r == 0)
		CHECK(same_config(cfg2, cfg)); /* deterministic */
	free(small);
	free(cfg2);
	free(cfg);
	free(def);
	free(text);
	return 0;
}
