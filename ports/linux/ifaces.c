/*
 * The interface table, kept by netlink.c, and what it means for the engine: which
 * interfaces are ports, whether they are up, and what each announces. Announcements
 * follow the configuration:
 *
 *   every address of the port (IPv6 link-local included, tentative ones not), plus
 *   the loopback addresses expose-loopback names ("all", "none" or a list), flagged
 *   Loopback; Primary on the addresses primary-addresses names, or else on the sole
 *   non-link-local, non-loopback address of a family (draft 12.1: the sole address
 *   SHOULD be primary); MPLS lists only for addresses mpls-labels gives labels to.
 *
 * The engine is told only what changed. Each list goes to it whole, however long: what
 * one PDU can carry depends on the type and the port's MTU, and the engine cuts a
 * longer list by its rule (Primary, then Loopback, then address order; node.h), counts
 * encaps_truncated and logs the cut. There is no count shared across families here,
 * and no cap on the addresses we mirror: the kernel holds every one of them already
 * (several hundred octets each), and we keep 64 octets an address (the mirror, and
 * the list last given to the engine), so the kernel's table bounds ours.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fnmatch.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrs.h"
#include "bgp.h"
#include "lsoed.h"

struct iface *ifaces_find(struct ifaces *t, int ifindex)
{
	for (size_t k = 0; k < t->n; k++)
		if (t->v[k]->ifindex == ifindex)
			return t->v[k];
	return NULL;
}

struct iface *ifaces_upsert(struct ifaces *t, int ifindex)
{
	struct iface *i = ifaces_find(t, ifindex);
	if (i)
		return i;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct iface **v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		t->v = v;
		t->cap = cap;
	}
	i = calloc(1, sizeof(*i));
	if (!i)
		return NULL;
	i->ifindex = ifindex;
	t->v[t->n++] = i;
	return i;
}

static void forget_announced(struct iface *i)
{
	for (int k = 0; k < 4; k++) {
		free(i->announced[k]);
		free(i->announced_labels[k]);
		i->announced[k] = NULL;
		i->announced_labels[k] = NULL;
		i->nannounced[k] = 0;
		i->announced_set[k] = false;
	}
}

static void iface_free(struct iface *i)
{
	forget_announced(i);
	free(i->addrs);
	free(i);
}

static void port_drop(struct lsoed *d, struct iface *i)
{
	if (!i->is_port)
		return;
	lsoe_node_port_remove(d->node, (uint32_t)i->ifindex);
	if (i->member && d->pkt)
		packet_membership(d->pkt, i->ifindex, d->cfg.hello_mac, false);
	i->member = false;
	i->is_port = false;
	forget_announced(i);
	log_info("%s: no longer a port", i->name);
}

void ifaces_remove(struct lsoed *d, int ifindex)
{
	struct ifaces *t = &d->ifaces;
	for (size_t k = 0; k < t->n; k++)
		if (t->v[k]->ifindex == ifindex) {
			struct iface *i = t->v[k];
			if (i->is_port) {
				/* Gone: its sessions end now (reason port_down); the group membership went with it. */
				i->member = false;
				port_drop(d, i);
			}
			iface_free(i);
			t->v[k] = t->v[--t->n];
			/* Loopback addresses may have gone with it. */
			return;
		}
}

void ifaces_free(struct ifaces *t)
{
	for (size_t k = 0; k < t->n; k++)
		iface_free(t->v[k]);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

bool iface_addr_set(struct iface *i, int family, const uint8_t *addr, uint8_t plen, uint32_t flags, bool add)
{
	size_t alen = family == AF_INET ? 4 : 16;
	for (size_t k = 0; k < i->naddrs; k++) {
		struct if_addr *a = &i->addrs[k];
		if (a->family != family || memcmp(a->addr, addr, alen) != 0)
			continue;
		if (!add) {
			i->addrs[k] = i->addrs[--i->naddrs];
			return true;
		}
		bool changed = a->prefix_len != plen || a->flags != flags;
		a->prefix_len = plen;
		a->flags = flags;
		a->seen = true;
		return changed;
	}
	if (!add)
		return false;
	if (i->naddrs == i->addrs_cap) {
		size_t cap = i->addrs_cap ? i->addrs_cap * 2 : 8;
		struct if_addr *v = realloc(i->addrs, cap * sizeof(*v));
		if (!v) {
			char text[INET6_ADDRSTRLEN];
			log_err("%s: out of memory: address %s/%u not kept, not announced", i->name,
			    inet_ntop(family, addr, text, sizeof(text)) ? text : "?", plen);
			return false;
		}
		i->addrs = v;
		i->addrs_cap = cap;
	}
	struct if_addr *a = &i->addrs[i->naddrs++];
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->addr, addr, alen);
	a->prefix_len = plen;
	a->flags = flags;
	a->seen = true;
	return true;
}

/* ---- selection ---- */

static bool match_any(const char *patterns, const char *name)
{
	char buf[LSOE_CFG_TEXT_MAX];
	snprintf(buf, sizeof(buf), "%s", patterns);
	for (char *save = NULL, *tok = strtok_r(buf, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save))
		if (fnmatch(tok, name, 0) == 0)
			return true;
	return false;
}

bool lsoed_selects(const struct lsoed *d, const struct iface *i)
{
	if (i->arptype != ARPHRD_ETHER || (i->flags & IFF_LOOPBACK) || !i->name[0])
		return false;
	if (d->cfg.include_ports[0] && !match_any(d->cfg.include_ports, i->name))
		return false;
	return !match_any(d->cfg.exclude_ports, i->name);
}

/* ---- announcements ---- */

static bool link_local(int family, const uint8_t *a)
{
	return family == AF_INET6 ? (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) : (a[0] == 169 && a[1] == 254);
}

/* One list being built: room for every address it could take, reserved before (labels point into it). */
struct builder {
	struct lsoe_encap *e;
	uint8_t *labels;
	size_t n, cap, nlabel_octets, labels_cap; /* labels_cap: entries whose labels fit */
};

static bool builder_reserve(struct builder *b, size_t n, bool mpls)
{
	if (n > b->cap) {
		struct lsoe_encap *e = realloc(b->e, n * sizeof(*e));
		if (!e)
			return false;
		b->e = e;
		b->cap = n;
	}
	if (mpls && n > b->labels_cap) {
		uint8_t *l = realloc(b->labels, n * 3 * ADDRS_LABELS_MAX);
		if (!l)
			return false;
		b->labels = l;
		b->labels_cap = n;
	}
	return true;
}

static void builder_free(struct builder *b)
{
	free(b->e);
	free(b->labels);
	memset(b, 0, sizeof(*b));
}

static void add_entry(struct builder *b, const struct addrs_cfg *ac, unsigned type, const struct if_addr *a,
    bool loopback)
{
	if (b->n == b->cap)
		return; /* cannot happen: build reserves room for every address */
	const struct addrs_item *lab = NULL;
	if (lsoe_encap_is_mpls(type)) {
		lab = addrs_find(ac->labels, ac->nlabels, a->family, a->addr);
		if (!lab)
			return; /* MPLS lists carry only labelled addresses */
	}
	struct lsoe_encap *e = &b->e[b->n++];
	memset(e, 0, sizeof(*e));
	memcpy(e->addr, a->addr, a->family == AF_INET ? 4 : 16);
	e->prefix_len = a->prefix_len;
	if (loopback)
		e->flags |= LSOE_ENCAP_LOOPBACK;
	if (lab) {
		e->nlabels = lab->nlabels;
		e->labels = b->labels + b->nlabel_octets;
		for (unsigned k = 0; k < lab->nlabels; k++)
			lsoe_label_put(b->labels + b->nlabel_octets, k, lab->labels[k], 0, k + 1 == lab->nlabels);
		b->nlabel_octets += 3u * lab->nlabels;
	}
}

static void mark_primary(struct builder *b, const struct addrs_cfg *ac, int family)
{
	size_t sole = b->n, candidates = 0;
	bool configured = false;
	for (size_t k = 0; k < b->n; k++) {
		if (addrs_find(ac->primary, ac->nprimary, family, b->e[k].addr)) {
			b->e[k].flags |= LSOE_ENCAP_PRIMARY;
			configured = true;
		}
		if (!(b->e[k].flags & LSOE_ENCAP_LOOPBACK) && !link_local(family, b->e[k].addr)) {
			sole = k;
			candidates++;
		}
	}
	if (!configured && !ac->nprimary && candidates == 1)
		b->e[sole].flags |= LSOE_ENCAP_PRIMARY;
}

static bool build(const struct lsoed *d, const struct iface *i, unsigned type, struct builder *b,
    const struct addrs_cfg *ac)
{
	int family = lsoe_encap_addr_len(type) == 4 ? AF_INET : AF_INET6;
	b->n = b->nlabel_octets = 0;
	size_t room = i->naddrs;
	for (size_t n = 0; n < d->ifaces.n && ac->expose != ADDRS_EXPOSE_NONE; n++)
		if (d->ifaces.v[n]->flags & IFF_LOOPBACK)
			room += d->ifaces.v[n]->naddrs;
	if (!builder_reserve(b, room, lsoe_encap_is_mpls(type)))
		return false;
	for (size_t k = 0; k < i->naddrs; k++) {
		const struct if_addr *a = &i->addrs[k];
		if (a->family == family && !(a->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
			add_entry(b, ac, type, a, false);
	}
	/* Exposed loopbacks: addresses of loopback interfaces the config names (or all). */
	for (size_t n = 0; n < d->ifaces.n && ac->expose != ADDRS_EXPOSE_NONE; n++) {
		const struct iface *lo = d->ifaces.v[n];
		if (!(lo->flags & IFF_LOOPBACK))
			continue;
		for (size_t k = 0; k < lo->naddrs; k++) {
			const struct if_addr *a = &lo->addrs[k];
			if (a->family == family &&
			    (ac->expose == ADDRS_EXPOSE_ALL || addrs_find(ac->exposed, ac->nexposed, family, a->addr)))
				add_entry(b, ac, type, a, true);
		}
	}
	mark_primary(b, ac, family);
	return true;
}

static bool same_list(const struct iface *i, unsigned k, const struct builder *b)
{
	if (!i->announced_set[k] || i->nannounced[k] != b->n)
		return false;
	for (size_t j = 0; j < b->n; j++) {
		const struct lsoe_encap *x = &i->announced[k][j], *y = &b->e[j];
		if (x->flags != y->flags || x->prefix_len != y->prefix_len || memcmp(x->addr, y->addr, 16) != 0 ||
		    x->nlabels != y->nlabels || (x->nlabels && memcmp(x->labels, y->labels, 3u * x->nlabels) != 0))
			return false;
	}
	return true;
}

static void remember(struct iface *i, unsigned k, const struct builder *b)
{
	free(i->announced[k]);
	free(i->announced_labels[k]);
	i->announced[k] = b->n ? malloc(b->n * sizeof(struct lsoe_encap)) : NULL;
	i->announced_labels[k] = b->nlabel_octets ? malloc(b->nlabel_octets) : NULL;
	if ((b->n && !i->announced[k]) || (b->nlabel_octets && !i->announced_labels[k])) {
		i->announced_set[k] = false; /* announce again next time */
		return;
	}
	if (b->nlabel_octets)
		memcpy(i->announced_labels[k], b->labels, b->nlabel_octets);
	for (size_t j = 0; j < b->n; j++) {
		i->announced[k][j] = b->e[j];
		if (b->e[j].nlabels)
			i->announced[k][j].labels = i->announced_labels[k] + (b->e[j].labels - b->labels);
	}
	i->nannounced[k] = b->n;
	i->announced_set[k] = true;
}

static void announce(struct lsoed *d, struct iface *i, const struct addrs_cfg *ac)
{
	struct builder b = { 0 };
	for (unsigned type = LSOE_PDU_IPV4_ENCAP; type <= LSOE_PDU_MPLS_IPV6_ENCAP; type++) {
		unsigned k = type - LSOE_PDU_IPV4_ENCAP;
		if (lsoe_encap_is_mpls(type) && !ac->nlabels)
			continue; /* no labels configured: we do not carry MPLS */
		if (!build(d, i, type, &b, ac)) {
			log_err("%s: out of memory: %s entries not announced", i->name, lsoe_pdu_type_name(type));
			i->announced_set[k] = false; /* try again at the next change */
			continue;
		}
		if (same_list(i, k, &b))
			continue;
		/* A list longer than one PDU carries is cut by the engine, which says so (warning, encaps_truncated). */
		enum lsoe_err e = lsoe_node_set_encaps(d->node, (uint32_t)i->ifindex, type, b.e, b.n);
		if (e != LSOE_OK) {
			log_err("%s: cannot announce %zu %s entries: %s", i->name, b.n, lsoe_pdu_type_name(type),
			    lsoe_err_desc(e));
			continue;
		}
		log_debug("%s: announcing %zu %s entries", i->name, b.n, lsoe_pdu_type_name(type));
		remember(i, k, &b);
	}
	builder_free(&b);
}

/* ---- sync ---- */

void ifaces_sync(struct lsoed *d)
{
	bgp_links_changed(d->bgp); /* our loopbacks may have changed: the export looks again */
	struct addrs_cfg ac;
	char err[256];
	if (!addrs_cfg_parse(&d->cfg, &ac, err, sizeof(err)))
		log_err("%s", err); /* checked at load; cannot happen */
	for (size_t k = 0; k < d->ifaces.n; k++) {
		struct iface *i = d->ifaces.v[k];
		bool want = lsoed_selects(d, i);
		if (!want) {
			port_drop(d, i);
			continue;
		}
		bool up = (i->flags & IFF_UP) && (i->flags & IFF_RUNNING);
		if (!i->is_port) {
			enum lsoe_err e = lsoe_node_port_add(d->node, (uint32_t)i->ifindex, i->name, i->mac, up ? LSOE_PORT_UP : 0);
			if (e != LSOE_OK) {
				log_err("%s: cannot become a port: %s", i->name, lsoe_err_desc(e));
				continue;
			}
			i->is_port = true;
			log_info("%s: port (ifindex %d, %s)", i->name, i->ifindex, up ? "up" : "down");
		} else {
			lsoe_node_port_set_up(d->node, (uint32_t)i->ifindex, up);
		}
		if (i->mtu && lsoe_node_port_set_mtu(d->node, (uint32_t)i->ifindex, i->mtu) != LSOE_OK)
			log_warn("%s: MTU %u not applied (too small for the lists announced?)", i->name, i->mtu);
		if (i->mtu && d->pkt)
			packet_fit_mtu(d->pkt, i->mtu);
		if (!i->member && d->pkt)
			i->member = packet_membership(d->pkt, i->ifindex, d->cfg.hello_mac, true);
		announce(d, i, &ac);
	}
	addrs_cfg_free(&ac);
	lsoed_rearm(d);
}
