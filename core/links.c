/*
 * The link view: what LSOE hands up to BGP-SPF (draft sections 4, 5 and 16).
 *
 * "When two devices on a link have compatible Encapsulations and addresses, i.e. the
 * same AFI/SAFI and the same subnet, the link is announced" (section 5). For every
 * established session and every type both ends announce, the link of that type is
 * the set of pairs (our entry, the peer's entry) that lsoe_link_addresses_agree.
 * Loopback entries are never link addresses: they are the node's own (section 16.2).
 *
 * The view is recomputed only when one of the two lists changes (ours through
 * lsoe_node_set_encaps, the peer's through an Encapsulation PDU); a keepalive never
 * touches it. The pairs are kept sorted, so a reordered list changes nothing, and a
 * links event goes out only when the set really changed.
 */
#include <string.h>

#include "node_internal.h"
#include "text.h"

/* Whether addr lies inside net/plen (alen octets of address). */
static bool prefix_contains(const uint8_t *net, unsigned plen, const uint8_t *addr, unsigned alen)
{
	if (plen > alen * 8)
		return false;
	unsigned full = plen / 8, rest = plen % 8;
	if (memcmp(net, addr, full) != 0)
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xFFu << (8 - rest));
	return ((net[full] ^ addr[full]) & mask) == 0;
}

bool lsoe_link_addresses_agree(unsigned type, const struct lsoe_encap *a, const struct lsoe_encap *b)
{
	if (!lsoe_pdu_type_is_encap(type) || ((a->flags | b->flags) & LSOE_ENCAP_LOOPBACK))
		return false;
	unsigned alen = lsoe_encap_addr_len(type);
	/* One address claimed by both ends is a conflict (reported as such), not a link. */
	if (memcmp(a->addr, b->addr, alen) == 0)
		return false;
	return prefix_contains(a->addr, a->prefix_len, b->addr, alen) &&
	    prefix_contains(b->addr, b->prefix_len, a->addr, alen);
}

/* A candidate pair: entry indexes into our list and the peer's. */
struct cand {
	uint16_t mine, theirs;
};

struct lists {
	unsigned type, alen;
	const struct encap_block *mine, *theirs;
};

/* The view's order: our address, our prefix length, the peer's address, its prefix length. */
static int cand_cmp(const struct lists *l, struct cand a, struct cand b)
{
	const struct lsoe_encap *am = &l->mine->entries[a.mine], *bm = &l->mine->entries[b.mine];
	const struct lsoe_encap *at = &l->theirs->entries[a.theirs], *bt = &l->theirs->entries[b.theirs];
	int c = memcmp(am->addr, bm->addr, l->alen);
	if (c)
		return c;
	if (am->prefix_len != bm->prefix_len)
		return am->prefix_len < bm->prefix_len ? -1 : 1;
	c = memcmp(at->addr, bt->addr, l->alen);
	if (c)
		return c;
	if (at->prefix_len != bt->prefix_len)
		return at->prefix_len < bt->prefix_len ? -1 : 1;
	return 0;
}

/*
 * Every agreeing pair, sorted, at most LSOE_LINKS_MAX of them: the first in the
 * order above, so the choice does not depend on the order of either list. A pair
 * equal (in that order) to one already kept is the same address listed twice: the
 * first one listed stays. Returns the number kept; *cut tells whether any were left out.
 */
static unsigned collect(const struct lists *l, struct cand *out, bool *cut)
{
	unsigned k = 0;
	*cut = false;
	for (uint16_t i = 0; i < l->mine->count; i++) {
		for (uint16_t j = 0; j < l->theirs->count; j++) {
			if (!lsoe_link_addresses_agree(l->type, &l->mine->entries[i], &l->theirs->entries[j]))
				continue;
			struct cand c = { i, j };
			/* Binary search for the first kept pair greater than c. */
			unsigned lo = 0, hi = k;
			bool dup = false;
			while (lo < hi) {
				unsigned mid = lo + (hi - lo) / 2;
				int r = cand_cmp(l, out[mid], c);
				if (r == 0) {
					dup = true;
					break;
				}
				if (r < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (dup)
				continue;
			if (k == LSOE_LINKS_MAX) {
				*cut = true;
				if (lo == k)
					continue; /* greater than everything kept */
				k--;          /* the greatest makes room */
			}
			memmove(&out[lo + 1], &out[lo], (size_t)(k - lo) * sizeof(*out));
			out[lo] = c;
			k++;
		}
	}
	return k;
}

static bool entry_equal(unsigned alen, const struct lsoe_encap *a, const struct lsoe_encap *b)
{
	return a->flags == b->flags && a->prefix_len == b->prefix_len && a->nlabels == b->nlabels &&
	    memcmp(a->addr, b->addr, alen) == 0 &&
	    (!a->nlabels || memcmp(a->labels, b->labels, (size_t)a->nlabels * LSOE_LABEL_LEN) == 0);
}

static bool same_view(const struct lists *l, const struct cand *c, unsigned k, const struct link_block *b)
{
	if (k != (b ? b->count : 0u))
		return false;
	for (unsigned i = 0; i < k; i++)
		if (!entry_equal(l->alen, &l->mine->entries[c[i].mine], &b->pairs[i].local) ||
		    !entry_equal(l->alen, &l->theirs->entries[c[i].theirs], &b->pairs[i].peer))
			return false;
	return true;
}

/* Copy e into *to, its labels to *labels (advanced), and zero the unused address octets. */
static void put_entry(struct lsoe_encap *to, const struct lsoe_encap *e, unsigned alen, uint8_t **labels)
{
	*to = *e;
	memset(to->addr + alen, 0, sizeof(to->addr) - alen);
	size_t ln = (size_t)e->nlabels * LSOE_LABEL_LEN;
	to->labels = ln ? *labels : NULL;
	if (ln) {
		memcpy(*labels, e->labels, ln);
		*labels += ln;
	}
}

static struct link_block *build(struct lsoe_node *n, const struct lists *l, const struct cand *c, unsigned k)
{
	size_t label_octets = 0;
	for (unsigned i = 0; i < k; i++)
		label_octets += ((size_t)l->mine->entries[c[i].mine].nlabels + l->theirs->entries[c[i].theirs].nlabels) *
		    LSOE_LABEL_LEN;
	size_t size = sizeof(struct link_block) + (size_t)k * sizeof(struct lsoe_link) + label_octets;
	struct link_block *b = node_alloc(n, size);
	if (!b)
		return NULL;
	b->count = (uint16_t)k;
	b->size = (uint32_t)size;
	uint8_t *labels = (uint8_t *)&b->pairs[k];
	for (unsigned i = 0; i < k; i++) {
		put_entry(&b->pairs[i].local, &l->mine->entries[c[i].mine], l->alen, &labels);
		put_entry(&b->pairs[i].peer, &l->theirs->entries[c[i].theirs], l->alen, &labels);
	}
	return b;
}

static bool has_link_address(const struct encap_block *b)
{
	for (unsigned i = 0; b && i < b->count; i++)
		if (!(b->entries[i].flags & LSOE_ENCAP_LOOPBACK))
			return true;
	return false;
}

static void report(struct lsoe_node *n, struct session *s, unsigned type, const struct link_block *b)
{
	struct lsoe_event ev = { .type = LSOE_EV_LINKS, .encap_type = (uint8_t)type };
	ev.links = b ? b->pairs : NULL;
	ev.link_count = b ? b->count : 0;
	node_event(n, &ev, s->port, s);
}

static void replace(struct lsoe_node *n, struct session *s, unsigned i, struct link_block *b)
{
	if (s->links[i])
		node_free(n, s->links[i], s->links[i]->size);
	s->links[i] = b;
}

void links_update(struct lsoe_node *n, struct session *s, unsigned type)
{
	unsigned i = encap_index(type);
	struct lists l = { type, lsoe_encap_addr_len(type), s->port->local[i], s->peer[i] };
	struct cand c[LSOE_LINKS_MAX];
	unsigned k = 0;
	bool cut = false;
	/* A type counts once both ends have announced it; until then there is no link of that type. */
	if (s->state == SS_ESTABLISHED && l.mine && l.theirs)
		k = collect(&l, c, &cut);
	char mac[18];
	const char *tname = lsoe_pdu_type_name(type);

	bool incompat = k == 0 && has_link_address(l.mine) && has_link_address(l.theirs) && s->state == SS_ESTABLISHED;
	uint8_t bit = (uint8_t)(1u << i);
	if (incompat && !(s->link_incompat & bit)) {
		/* Counted and logged when it becomes so, not again while it stays so. */
		COUNT(n, s->port, links_incompatible);
		node_log(n, LSOE_LOG_WARNING, "links", "%s %s: %s: both ends announce addresses, none in a common subnet: "
		    "no link", s->port->name, lsoe_text_mac(mac, s->mac), tname);
	}
	s->link_incompat = (uint8_t)(incompat ? s->link_incompat | bit : s->link_incompat & ~bit);
	if (cut) {
		COUNT(n, s->port, links_truncated);
		node_log(n, LSOE_LOG_WARNING, "links", "%s %s: %s: more than %u address pairs; the first %u kept",
		    s->port->name, lsoe_text_mac(mac, s->mac), tname, LSOE_LINKS_MAX, LSOE_LINKS_MAX);
	}

	if (same_view(&l, c, k, s->links[i]))
		return;
	struct link_block *b = NULL;
	if (k && !(b = build(n, &l, c, k))) {
		/* Better no link than a stale one: report it gone, and say why. */
		node_log(n, LSOE_LOG_ERROR, "links", "%s %s: %s: out of memory for the link view", s->port->name,
		    lsoe_text_mac(mac, s->mac), tname);
		struct lsoe_event ev = { .type = LSOE_EV_ERROR, .error = LSOE_ERRK_NOMEM,
			.text = "out of memory: the link view of this type is empty until its lists change" };
		node_event(n, &ev, s->port, s);
		if (!s->links[i])
			return;
	}
	replace(n, s, i, b);
	node_log(n, LSOE_LOG_INFO, "links", "%s %s: %s link: %u address pair%s", s->port->name,
	    lsoe_text_mac(mac, s->mac), tname, k, k == 1 ? "" : "s");
	report(n, s, type, b);
}

void links_withdraw(struct lsoe_node *n, struct session *s)
{
	for (unsigned i = 0; i < ENCAP_TYPES; i++) {
		if (!s->links[i])
			continue;
		replace(n, s, i, NULL);
		report(n, s, LSOE_PDU_IPV4_ENCAP + i, NULL);
	}
	s->link_incompat = 0;
}

void links_free(struct lsoe_node *n, struct session *s)
{
	for (unsigned i = 0; i < ENCAP_TYPES; i++)
		replace(n, s, i, NULL);
}
