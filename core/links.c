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
 *
 * A session keeps a keyed hash of each view (SipHash, keyed from the platform's
 * randomness), not the pairs: the pairs follow from the two lists, and a fabric of
 * many sessions would hold every address twice more. The pairs are built for the
 * links event and freed after it, and built again for lsoe_node_foreach_session,
 * where they stay (link_view) until the view changes, as the ports expect.
 */
#include <string.h>

#include "node_internal.h"
#include "siphash.h"
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
	const struct lsoe_encap *mine, *theirs; /* NULL: that end announced no list of the type */
	uint16_t nmine, ntheirs;
};

/* The view's order: our address, our prefix length, the peer's address, its prefix length. */
static int cand_cmp(const struct lists *l, struct cand a, struct cand b)
{
	const struct lsoe_encap *am = &l->mine[a.mine], *bm = &l->mine[b.mine];
	const struct lsoe_encap *at = &l->theirs[a.theirs], *bt = &l->theirs[b.theirs];
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
	for (uint16_t i = 0; i < l->nmine; i++) {
		for (uint16_t j = 0; j < l->ntheirs; j++) {
			if (!lsoe_link_addresses_agree(l->type, &l->mine[i], &l->theirs[j]))
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

/* What makes two entries of a view the same: flags, prefix length, address, labels. */
static void hash_entry(struct siphash *h, unsigned alen, const struct lsoe_encap *e)
{
	const uint8_t head[3] = { e->flags, e->prefix_len, e->nlabels };
	siphash_bytes(h, head, sizeof(head));
	siphash_bytes(h, e->addr, alen);
	if (e->nlabels)
		siphash_bytes(h, e->labels, (size_t)e->nlabels * LSOE_LABEL_LEN);
}

/* The view's hash: 0 for no pairs, never 0 for some (the pairs' count is hashed too). */
static uint64_t view_hash(const struct lsoe_node *n, const struct lists *l, const struct cand *c, unsigned k)
{
	if (!k)
		return 0;
	struct siphash h;
	uint64_t k1 = (n->hash_seed ^ 0x3c6ef372fe94f82bull) * 0x9E3779B97F4A7C15ull;
	siphash_init(&h, n->hash_seed ^ 0xa54ff53a5f1d36f1ull, k1 ^ (k1 >> 29));
	const uint8_t count[2] = { (uint8_t)(k >> 8), (uint8_t)k };
	siphash_bytes(&h, count, sizeof(count));
	for (unsigned i = 0; i < k; i++) {
		hash_entry(&h, l->alen, &l->mine[c[i].mine]);
		hash_entry(&h, l->alen, &l->theirs[c[i].theirs]);
	}
	uint64_t v = siphash_final(&h);
	return v ? v : 1;
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

static size_t pair_label_octets(const struct lists *l, const struct cand *c, unsigned k)
{
	size_t label_octets = 0;
	for (unsigned i = 0; i < k; i++)
		label_octets += ((size_t)l->mine[c[i].mine].nlabels + l->theirs[c[i].theirs].nlabels) *
		    LSOE_LABEL_LEN;
	return label_octets;
}

/* The k pairs into out, their labels into *labels (advanced). */
static void put_pairs(struct lsoe_link *out, const struct lists *l, const struct cand *c, unsigned k, uint8_t **labels)
{
	for (unsigned i = 0; i < k; i++) {
		put_entry(&out[i].local, &l->mine[c[i].mine], l->alen, labels);
		put_entry(&out[i].peer, &l->theirs[c[i].theirs], l->alen, labels);
	}
}

/* The pairs of one view, for its links event. */
static struct link_block *build(struct lsoe_node *n, const struct lists *l, const struct cand *c, unsigned k)
{
	size_t size = sizeof(struct link_block) + (size_t)k * sizeof(struct lsoe_link) + pair_label_octets(l, c, k);
	struct link_block *b = node_alloc(n, size);
	if (!b)
		return NULL;
	b->count = (uint16_t)k;
	b->size = (uint32_t)size;
	uint8_t *labels = (uint8_t *)&b->pairs[k];
	put_pairs(b->pairs, l, c, k, &labels);
	return b;
}

static bool has_link_address(const struct lsoe_encap *v, uint16_t count)
{
	for (unsigned i = 0; v && i < count; i++)
		if (!(v[i].flags & LSOE_ENCAP_LOOPBACK))
			return true;
	return false;
}

static void report(struct lsoe_node *n, struct session *s, unsigned type, const struct link_block *b)
{
	struct lsoe_event ev = { .type = LSOE_EV_LINKS, .encap_type = (uint8_t)type };
	ev.links = b ? b->pairs : NULL;
	ev.link_count = b ? b->count : 0;
	node_event(n, &ev, session_port(n, s), s);
}

/* The pairs built for display go: a view changed (or the session goes). */
static void drop_view(struct lsoe_node *n, struct session *s)
{
	struct session_side *d = s->side;
	if (!d || !d->link_view)
		return;
	node_free(n, d->link_view, d->link_view->size);
	d->link_view = NULL;
	session_side_trim(n, s, false);
}

static void free_block(struct lsoe_node *n, struct link_block *b)
{
	if (b)
		node_free(n, b, b->size);
}

/*
 * The lists of one type and their pairs as they are now (*cut: some were left out). The
 * lists are decoded into the node's buffers from entries at_mine and at_theirs on: several
 * types held at once (links_view) each take their own stretch.
 */
static unsigned current(struct lsoe_node *n, const struct session *s, unsigned i, size_t at_mine, size_t at_theirs,
    struct lists *l, struct cand *c, bool *cut)
{
	unsigned type = LSOE_PDU_IPV4_ENCAP + i;
	const struct port_list *mine = port_local(session_port(n, s), i);
	const struct peer_list *theirs = session_peer(s, i);
	*l = (struct lists){ type, lsoe_encap_addr_len(type), mine ? port_list_decode(n, mine, at_mine) : NULL,
		theirs ? peer_list_decode(n, theirs, at_theirs) : NULL, mine ? mine->count : 0, theirs ? theirs->count : 0 };
	*cut = false;
	/* A type counts once both ends have announced it; until then there is no link of that type. */
	return s->state == SS_ESTABLISHED && l->mine && l->theirs ? collect(l, c, cut) : 0;
}

void links_update(struct lsoe_node *n, struct session *s, unsigned type)
{
	unsigned i = encap_index(type);
	struct port *p = session_port(n, s);
	struct lists l;
	struct cand c[LSOE_LINKS_MAX];
	bool cut;
	unsigned k = current(n, s, i, 0, 0, &l, c, &cut);
	char mac[18];
	const char *tname = lsoe_pdu_type_name(type);

	bool incompat = k == 0 && has_link_address(l.mine, l.nmine) && has_link_address(l.theirs, l.ntheirs) && s->state == SS_ESTABLISHED;
	uint8_t bit = (uint8_t)(1u << i);
	if (incompat && !(s->link_incompat & bit)) {
		/* Counted and logged when it becomes so, not again while it stays so. */
		COUNT(n, p, links_incompatible);
		node_log(n, LSOE_LOG_WARNING, "links", "%s %s: %s: both ends announce addresses, none in a common subnet: "
		    "no link", p->name, lsoe_text_mac(mac, s->mac), tname);
	}
	s->link_incompat = (uint8_t)(incompat ? s->link_incompat | bit : s->link_incompat & ~bit);
	if (cut) {
		COUNT(n, p, links_truncated);
		node_log(n, LSOE_LOG_WARNING, "links", "%s %s: %s: more than %u address pairs; the first %u kept",
		    p->name, lsoe_text_mac(mac, s->mac), tname, LSOE_LINKS_MAX, LSOE_LINKS_MAX);
	}

	uint64_t hash = view_hash(n, &l, c, k);
	if (hash == session_link_hash(s, i))
		return;
	struct link_block *b = NULL;
	if (k && !(b = build(n, &l, c, k))) {
		/* Better no link than a stale one: report it gone, and say why. */
		node_log(n, LSOE_LOG_ERROR, "links", "%s %s: %s: out of memory for the link view", p->name,
		    lsoe_text_mac(mac, s->mac), tname);
		struct lsoe_event ev = { .type = LSOE_EV_ERROR, .error = LSOE_ERRK_NOMEM,
			.text = "out of memory: the link view of this type is empty until its lists change" };
		node_event(n, &ev, p, s);
		if (!session_link_hash(s, i))
			return;
	}
	drop_view(n, s);
	struct peer_list *theirs = session_peer(s, i);
	if (theirs) /* without it, no pair, and the hash is 0 */
		theirs->link_hash = b ? hash : 0;
	node_log(n, LSOE_LOG_INFO, "links", "%s %s: %s link: %u address pair%s", p->name,
	    lsoe_text_mac(mac, s->mac), tname, k, k == 1 ? "" : "s");
	report(n, s, type, b);
	free_block(n, b);
}

void links_withdraw(struct lsoe_node *n, struct session *s)
{
	drop_view(n, s);
	for (unsigned i = 0; i < ENCAP_TYPES; i++) {
		if (!session_link_hash(s, i))
			continue;
		session_peer(s, i)->link_hash = 0;
		report(n, s, LSOE_PDU_IPV4_ENCAP + i, NULL);
	}
	s->link_incompat = 0;
}

void links_free(struct lsoe_node *n, struct session *s)
{
	drop_view(n, s);
	for (struct peer_list *b = s->peer; b; b = b->next)
		b->link_hash = 0;
}

const struct link_view *links_view(struct lsoe_node *n, struct session *s)
{
	if (s->side && s->side->link_view)
		return s->side->link_view;
	struct lists l[ENCAP_TYPES];
	struct cand c[ENCAP_TYPES][LSOE_LINKS_MAX];
	unsigned k[ENCAP_TYPES] = { 0 }, total = 0;
	size_t label_octets = 0, at_mine = 0, at_theirs = 0;
	for (unsigned i = 0; i < ENCAP_TYPES; i++) {
		if (!session_link_hash(s, i))
			continue;
		bool cut;
		k[i] = current(n, s, i, at_mine, at_theirs, &l[i], c[i], &cut);
		at_mine += l[i].nmine;
		at_theirs += l[i].ntheirs;
		/* The lists are those the view was made from: anything else would show what was never reported. */
		if (view_hash(n, &l[i], c[i], k[i]) != session_link_hash(s, i)) {
			k[i] = 0;
			continue;
		}
		total += k[i];
		label_octets += pair_label_octets(&l[i], c[i], k[i]);
	}
	if (!total)
		return NULL;
	size_t size = sizeof(struct link_view) + (size_t)total * sizeof(struct lsoe_link) + label_octets;
	struct link_view *v = session_side_room(n, s, 0, 0) ? node_alloc(n, size) : NULL;
	if (!v) {
		session_side_trim(n, s, false);
		char mac[18];
		node_log(n, LSOE_LOG_ERROR, "links", "%s %s: out of memory to show the link view", session_port(n, s)->name,
		    lsoe_text_mac(mac, s->mac));
		return NULL;
	}
	v->size = (uint32_t)size;
	uint8_t *labels = (uint8_t *)&v->pairs[total];
	for (unsigned i = 0, at = 0; i < ENCAP_TYPES; i++) {
		v->first[i] = (uint16_t)at;
		v->count[i] = (uint16_t)k[i];
		put_pairs(&v->pairs[at], &l[i], c[i], k[i], &labels);
		at += k[i];
	}
	s->side->link_view = v;
	return v;
}
