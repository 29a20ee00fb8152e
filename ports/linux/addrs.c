#define _GNU_SOURCE
#include "addrs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_addr(const char *tok, struct addrs_item *it)
{
	char buf[64];
	if (strlen(tok) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", tok);
	char *slash = strchr(buf, '/');
	if (slash) {
		char *end;
		long plen = strtol(slash + 1, &end, 10);
		if (*end || slash[1] == '\0' || plen < 0 || plen > 128)
			return false;
		*slash = '\0';
	}
	memset(it, 0, sizeof(*it));
	if (inet_pton(AF_INET, buf, it->addr) == 1)
		it->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, it->addr) == 1)
		it->family = AF_INET6;
	else
		return false;
	return true;
}

/* Split text on spaces and commas; parse each token with fn. */
static bool parse_list(const char *key, const char *text, bool labels, struct addrs_item **out, size_t *n, char *err,
    size_t cap)
{
	char buf[LSOE_CFG_TEXT_MAX];
	snprintf(buf, sizeof(buf), "%s", text);
	*out = NULL;
	*n = 0;
	for (char *save = NULL, *tok = strtok_r(buf, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save)) {
		struct addrs_item it;
		char *eq = labels ? strchr(tok, '=') : NULL;
		if (labels && !eq) {
			snprintf(err, cap, "%s: '%s' is not ADDRESS=LABEL[/LABEL...]", key, tok);
			return false;
		}
		if (eq)
			*eq = '\0';
		if (!parse_addr(tok, &it)) {
			snprintf(err, cap, "%s: '%s' is not an IPv4 or IPv6 address", key, tok);
			return false;
		}
		if (eq) {
			for (char *s2 = NULL, *l = strtok_r(eq + 1, "/", &s2); l; l = strtok_r(NULL, "/", &s2)) {
				char *end;
				errno = 0;
				unsigned long v = strtoul(l, &end, 10);
				if (errno || *end || !*l || v > 0xFFFFF || it.nlabels == ADDRS_LABELS_MAX) {
					snprintf(err, cap, "%s: '%s': labels are 0..1048575, at most %d per address", key, l,
					    ADDRS_LABELS_MAX);
					return false;
				}
				it.labels[it.nlabels++] = (uint32_t)v;
			}
			if (!it.nlabels) {
				snprintf(err, cap, "%s: %s has no label", key, tok);
				return false;
			}
		}
		struct addrs_item *v = realloc(*out, (*n + 1) * sizeof(*v));
		if (!v) {
			snprintf(err, cap, "out of memory");
			return false;
		}
		v[(*n)++] = it;
		*out = v;
	}
	return true;
}

bool addrs_cfg_parse(const struct lsoe_config *cfg, struct addrs_cfg *ac, char *err, size_t cap)
{
	memset(ac, 0, sizeof(*ac));
	if (strcmp(cfg->expose_loopback, "all") == 0)
		ac->expose = ADDRS_EXPOSE_ALL;
	else if (strcmp(cfg->expose_loopback, "none") == 0 || !cfg->expose_loopback[0])
		ac->expose = ADDRS_EXPOSE_NONE;
	else
		ac->expose = ADDRS_EXPOSE_LIST;
	bool ok = parse_list("primary-addresses", cfg->primary_addresses, false, &ac->primary, &ac->nprimary, err, cap) &&
	    (ac->expose != ADDRS_EXPOSE_LIST ||
	        parse_list("expose-loopback", cfg->expose_loopback, false, &ac->exposed, &ac->nexposed, err, cap)) &&
	    parse_list("mpls-labels", cfg->mpls_labels, true, &ac->labels, &ac->nlabels, err, cap);
	if (!ok)
		addrs_cfg_free(ac);
	return ok;
}

void addrs_cfg_free(struct addrs_cfg *ac)
{
	free(ac->primary);
	free(ac->exposed);
	free(ac->labels);
	memset(ac, 0, sizeof(*ac));
}

const struct addrs_item *addrs_find(const struct addrs_item *v, size_t n, int family, const uint8_t *addr)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].family == family && memcmp(v[i].addr, addr, family == AF_INET ? 4 : 16) == 0)
			return &v[i];
	return NULL;
}
