/*
 * The address-valued configuration keys, parsed: primary-addresses (a list),
 * expose-loopback ("all", "none" or a list), mpls-labels (ADDR=LABEL[/LABEL...] ...).
 * Addresses may carry a /LEN, which is ignored: an address is what is matched.
 */
#ifndef LSOED_ADDRS_H
#define LSOED_ADDRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lsoe/config.h"

#define ADDRS_LABELS_MAX 8

enum { ADDRS_EXPOSE_NONE, ADDRS_EXPOSE_ALL, ADDRS_EXPOSE_LIST };

struct addrs_item {
	int family;                  /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t nlabels;
	uint32_t labels[ADDRS_LABELS_MAX];
};

struct addrs_cfg {
	struct addrs_item *primary;
	size_t nprimary;
	int expose;
	struct addrs_item *exposed;
	size_t nexposed;
	struct addrs_item *labels;
	size_t nlabels;
};

/* On error: "KEY: why" in err (the caller adds the file). */
bool addrs_cfg_parse(const struct lsoe_config *cfg, struct addrs_cfg *out, char *err, size_t cap);
void addrs_cfg_free(struct addrs_cfg *ac);
const struct addrs_item *addrs_find(const struct addrs_item *v, size_t n, int family, const uint8_t *addr);

#endif
