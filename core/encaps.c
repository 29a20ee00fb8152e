/*
 * Encapsulation lists: the blocks that hold them (ours and the peers'), the PDUs
 * shared by reference, and what a port announces: the bound one PDU sets, the rule
 * that cuts a longer list, and the MTU that moves the bound.
 */
#include <string.h>

#include "lsoe/node.h"
#include "node_internal.h"

/* ---- shared PDUs and encapsulation lists ---- */

struct pdubuf *pdubuf_new(struct lsoe_node *n, const uint8_t *bytes, size_t len, uint8_t type)
{
	struct pdubuf *b = node_alloc(n, sizeof(*b) + len);
	if (!b)
		return NULL;
	b->refs = 1;
	b->len = (uint16_t)len;
	b->type = type;
	b->list = 0;
	if (bytes)
		memcpy(b->bytes, bytes, len);
	return b;
}

/*
 * A port's list of one type and its PDU are one allocation (port_list_new):
 *     struct port_list | struct pdubuf | PDU octets [| padding | struct port_list_cut]
 * the last only for a cut list. It goes with the last reference to the PDU, which
 * sessions hold until it is ACKed.
 */
static size_t port_list_size(size_t plen, bool cut)
{
	return sizeof(struct port_list) + (cut ? pdubuf_head(plen) + sizeof(struct port_list_cut) : sizeof(struct pdubuf) + plen);
}

void pdubuf_unref(struct lsoe_node *n, struct pdubuf *b)
{
	if (!b || --b->refs)
		return;
	if (b->list)
		node_free(n, (struct port_list *)(void *)b - 1, port_list_size(b->len, b->list == 2));
	else
		node_free(n, b, sizeof(*b) + b->len);
}

/* A block of count entries and their label octets (a cut list's longer head). */
static struct encap_block *encap_block_alloc(struct lsoe_node *n, uint16_t count, size_t label_octets)
{
	size_t size = sizeof(struct encap_block) + (size_t)count * sizeof(struct lsoe_encap) + label_octets;
	struct encap_block *b = node_alloc(n, size);
	if (!b)
		return NULL;
	b->count = count;
	b->size = (uint32_t)size;
	return b;
}

static size_t pick_label_octets(unsigned type, const struct lsoe_encap *v, uint16_t count)
{
	size_t label_octets = 0;
	for (unsigned i = 0; lsoe_encap_is_mpls(type) && i < count; i++)
		label_octets += (size_t)v[i].nlabels * LSOE_LABEL_LEN;
	return label_octets;
}

/* Fill b (count and size set) with the entries v[0..count-1], their labels moved in. */
static void encap_block_fill(struct encap_block *b, unsigned type, const struct lsoe_encap *v)
{
	bool mpls = lsoe_encap_is_mpls(type);
	uint16_t count = b->count;
	uint8_t *labels = (uint8_t *)&b->entries[count];
	for (unsigned i = 0; i < count; i++) {
		const struct lsoe_encap *e = &v[i];
		b->entries[i] = *e;
		if (!mpls)
			b->entries[i].nlabels = 0;
		size_t ln = (size_t)b->entries[i].nlabels * LSOE_LABEL_LEN;
		if (ln)
			memcpy(labels, e->labels, ln);
		b->entries[i].labels = ln ? labels : NULL;
		labels += ln;
	}
}

static struct encap_block *encap_block_pick(struct lsoe_node *n, unsigned type, const struct lsoe_encap *v,
    uint16_t count)
{
	struct encap_block *b = encap_block_alloc(n, count, pick_label_octets(type, v, count));
	if (b)
		encap_block_fill(b, type, v);
	return b;
}

/* The list to announce, v[0..count-1], in a port list with its PDU of plen octets, encoded; cut: with a port_list_cut. */
static struct port_list *port_list_new(struct lsoe_node *n, unsigned type, const struct lsoe_encap *v,
    uint16_t count, size_t plen, bool cut, enum lsoe_err *err)
{
	struct port_list *l = node_alloc(n, port_list_size(plen, cut));
	if (!l) {
		*err = LSOE_E_NOMEM;
		return NULL;
	}
	memset(l, 0, sizeof(*l));
	l->count = count;
	struct pdubuf *b = port_list_pdu(l);
	b->refs = 1;
	b->len = (uint16_t)plen;
	b->type = (uint8_t)type;
	b->list = cut ? 2 : 1;
	if (cut)
		memset(port_list_cut(l), 0, sizeof(struct port_list_cut));
	struct lsoe_pdu pdu = { .type = (uint8_t)type };
	pdu.u.encap.count = count;
	pdu.u.encap.entries = v;
	size_t out = 0;
	*err = lsoe_pdu_encode(&pdu, b->bytes, plen, &out);
	if (*err == LSOE_OK && out != plen)
		*err = LSOE_E_PDU_TOO_BIG;
	if (*err != LSOE_OK) {
		pdubuf_unref(n, b);
		return NULL;
	}
	return l;
}

/* count validated entries of type from wire into v. */
static void decode_wire(struct lsoe_encap *v, unsigned type, uint16_t count, const uint8_t *wire, size_t wire_len)
{
	struct lsoe_pdu pdu = { .type = (uint8_t)type };
	pdu.u.encap.count = count;
	pdu.u.encap.wire = wire;
	pdu.u.encap.wire_len = wire_len;
	struct lsoe_encap_iter it;
	lsoe_encap_iter_init(&it, &pdu);
	for (unsigned i = 0; i < count && lsoe_encap_iter_next(&it, &v[i]); i++)
		if (!v[i].nlabels)
			v[i].labels = NULL; /* as the entries were given */
}

/* What an empty list decodes to: no entry, but not NULL (a list of that type is there). */
static const struct lsoe_encap no_entries[1];

const struct lsoe_encap *port_list_decode(struct lsoe_node *n, const struct port_list *l, size_t at)
{
	if (!l->count)
		return no_entries; /* the buffer may not exist yet: no list with an entry was ever set */
	const struct pdubuf *b = port_list_pdu(l);
	struct lsoe_encap *v = &n->dec->entries[at];
	decode_wire(v, b->type, l->count, b->bytes + LSOE_ENCAP_HDR_LEN, (size_t)b->len - LSOE_ENCAP_HDR_LEN);
	return v;
}

const struct lsoe_encap *peer_list_decode(struct lsoe_node *n, const struct peer_list *b, size_t at)
{
	if (!b->count)
		return no_entries;
	struct lsoe_encap *v = &n->dec_peer->entries[at];
	decode_wire(v, b->type, b->count, b->wire, b->wire_len);
	return v;
}

/* The entries a decode buffer has room for (its size says: its count is not used). */
static size_t dec_cap(const struct encap_block *d)
{
	return d ? (d->size - sizeof(*d)) / sizeof(struct lsoe_encap) : 0;
}

/* Room in *d (n->dec or n->dec_peer) for need entries at once: false, no memory (nothing changed). */
static bool dec_room(struct lsoe_node *n, struct encap_block **d, size_t need)
{
	if (need <= dec_cap(*d))
		return true;
	size_t size = sizeof(struct encap_block) + need * sizeof(struct lsoe_encap);
	struct encap_block *m = node_alloc(n, size);
	if (!m)
		return false;
	m->size = (uint32_t)size; /* at most four lists of 65535 entries: 8 MiB */
	m->count = 0;
	encap_block_free(n, *d);
	*d = m;
	return true;
}

/* What a session keeps of its peer, of this type: count items in wire_len octets, unchained, no link hash. */
static struct peer_list *peer_list_new(struct lsoe_node *n, unsigned type, uint16_t count, const uint8_t *wire,
    uint16_t wire_len)
{
	struct peer_list *b = node_alloc(n, offsetof(struct peer_list, wire) + wire_len);
	if (!b)
		return NULL;
	b->link_hash = 0;
	b->next = NULL;
	b->count = count;
	b->wire_len = wire_len;
	b->type = (uint8_t)type;
	if (wire_len)
		memcpy(b->wire, wire, wire_len);
	return b;
}

struct peer_list *peer_list_from_pdu(struct lsoe_node *n, const struct session *s, const struct lsoe_pdu *pdu)
{
	/* Room to decode every list of the session at once, this one in place of its type's. */
	size_t need = pdu->u.encap.count;
	for (const struct peer_list *b = s->peer; b; b = b->next)
		need += b->type != PEER_ATTRS && b->type != pdu->type ? b->count : 0;
	if (!dec_room(n, &n->dec_peer, need))
		return NULL;
	/* The validated wire form, as it came: a PDU's body is under 65535 octets. */
	return peer_list_new(n, pdu->type, pdu->u.encap.count, pdu->u.encap.wire, (uint16_t)pdu->u.encap.wire_len);
}

void encap_block_free(struct lsoe_node *n, struct encap_block *b)
{
	if (b)
		node_free(n, b, b->size);
}

void peer_list_free(struct lsoe_node *n, struct peer_list *b)
{
	if (b)
		node_free(n, b, offsetof(struct peer_list, wire) + b->wire_len);
}

struct peer_list *peer_attrs_new(struct lsoe_node *n, const uint8_t *attrs, uint8_t count)
{
	return peer_list_new(n, PEER_ATTRS, count, attrs, count);
}

void session_peer_set(struct lsoe_node *n, struct session *s, unsigned type, struct peer_list *b)
{
	struct peer_list **pp = &s->peer;
	while (*pp && (*pp)->type < type)
		pp = &(*pp)->next;
	struct peer_list *old = *pp && (*pp)->type == type ? *pp : NULL;
	struct peer_list *rest = old ? old->next : *pp;
	if (b) {
		b->next = rest;
		*pp = b;
	} else {
		*pp = rest;
	}
	peer_list_free(n, old);
}

/* ---- our encapsulation lists: what one PDU carries, and the rule that cuts a longer list ---- */

size_t lsoe_encap_room(uint32_t mtu)
{
	if (mtu <= LSOE_DGRAM_HDR_LEN)
		return 0;
	size_t room = (size_t)(LSOE_DGRAM_NUM_MAX + 1u) * (mtu - LSOE_DGRAM_HDR_LEN); /* lsoe_frag_init's bound */
	return room < LSOE_PDU_MAX_LEN ? room : LSOE_PDU_MAX_LEN;
}

static size_t entry_len(unsigned type, const struct lsoe_encap *e)
{
	return lsoe_encap_entry_len(type, lsoe_encap_is_mpls(type) ? e->nlabels : 0);
}

static unsigned cut_rank(const struct lsoe_encap *e)
{
	return (e->flags & LSOE_ENCAP_PRIMARY) ? 0 : (e->flags & LSOE_ENCAP_LOOPBACK) ? 1 : 2;
}

/*
 * The rule's order (node.h, lsoe_node_set_encaps): Primary, then Loopback, then the
 * rest; within each by address, prefix length, and the order given (so it is total).
 */
static bool cut_before(const struct lsoe_encap *v, unsigned alen, size_t a, size_t b)
{
	unsigned ra = cut_rank(&v[a]), rb = cut_rank(&v[b]);
	if (ra != rb)
		return ra < rb;
	int c = memcmp(v[a].addr, v[b].addr, alen);
	if (c)
		return c < 0;
	if (v[a].prefix_len != v[b].prefix_len)
		return v[a].prefix_len < v[b].prefix_len;
	return a < b;
}

static void cut_sift(const struct lsoe_encap *v, unsigned alen, size_t *idx, size_t root, size_t end)
{
	for (size_t child; (child = 2 * root + 1) < end; root = child) {
		if (child + 1 < end && cut_before(v, alen, idx[child], idx[child + 1]))
			child++;
		if (!cut_before(v, alen, idx[root], idx[child]))
			return;
		size_t t = idx[root];
		idx[root] = idx[child];
		idx[child] = t;
	}
}

/* Heapsort of the indexes 0..count-1 of v into the rule's order: no recursion, no allocation. */
static void cut_sort(const struct lsoe_encap *v, unsigned alen, size_t *idx, size_t count)
{
	for (size_t i = 0; i < count; i++)
		idx[i] = i;
	for (size_t i = count / 2; i-- > 0;)
		cut_sift(v, alen, idx, i, count);
	for (size_t end = count; end > 1; end--) {
		size_t t = idx[0];
		idx[0] = idx[end - 1];
		idx[end - 1] = t;
		cut_sift(v, alen, idx, 0, end - 1);
	}
}

/* What a port announces of one type: built whole before it replaces anything. */
struct encap_plan {
	struct port_list *local;
	struct encap_block *cut;     /* its port_list_cut's longer */
	uint64_t given_hash;         /* its port_list_cut's, if it has one (the caller's to set) */
};

/* Give up the port's reference to a list: its longer head goes, the rest with the PDU's last reference. */
static void port_list_release(struct lsoe_node *n, struct port_list *l)
{
	if (!l)
		return;
	struct port_list_cut *c = port_list_cut(l);
	if (c) {
		encap_block_free(n, c->longer);
		c->longer = NULL;
	}
	pdubuf_unref(n, port_list_pdu(l));
}

static void encap_plan_free(struct lsoe_node *n, struct encap_plan *pl)
{
	port_list_release(n, pl->local);
	encap_block_free(n, pl->cut);
	memset(pl, 0, sizeof(*pl));
}

/* Entries a caller may give: prefix lengths within the address, labels where they are claimed. */
static enum lsoe_err encap_check(unsigned type, const struct lsoe_encap *v, size_t count)
{
	unsigned bits = 8u * lsoe_encap_addr_len(type);
	bool mpls = lsoe_encap_is_mpls(type);
	for (size_t i = 0; i < count; i++) {
		if (v[i].prefix_len > bits)
			return LSOE_E_ENCAP_PREFIX_LEN;
		if (mpls && v[i].nlabels && !v[i].labels)
			return LSOE_E_INVALID;
	}
	return LSOE_OK;
}

/*
 * The list v (count entries, of a list of given entries as last set) as the port of
 * this MTU announces it: whole and as given if it fits, else cut by the rule (and then,
 * in pl->cut, the head one 65535-octet PDU would hold, if that is longer).
 */
static enum lsoe_err encap_plan_make(struct lsoe_node *n, unsigned type, const struct lsoe_encap *v, size_t count,
    size_t given, uint32_t mtu, struct encap_plan *pl)
{
	memset(pl, 0, sizeof(*pl));
	size_t room = lsoe_encap_room(mtu), total = LSOE_ENCAP_HDR_LEN;
	enum lsoe_err e = LSOE_E_NOMEM;
	for (size_t i = 0; i < count && total <= LSOE_PDU_MAX_LEN; i++)
		total += entry_len(type, &v[i]);
	if (total <= room) {
		pl->local = port_list_new(n, type, v, (uint16_t)count, total, count < given, &e);
	} else {
		size_t *idx = node_alloc(n, count * sizeof(*idx));
		if (!idx)
			return LSOE_E_NOMEM;
		cut_sort(v, lsoe_encap_addr_len(type), idx, count);
		size_t len = LSOE_ENCAP_HDR_LEN, fit = 0, whole = 0, fit_len = len;
		for (; whole < count; whole++) {
			size_t el = entry_len(type, &v[idx[whole]]);
			if (len + el > LSOE_PDU_MAX_LEN)
				break;
			len += el;
			if (len <= room) {
				fit = whole + 1;
				fit_len = len;
			}
		}
		/* The head in the rule's order, made contiguous for the encoder and the cut. */
		struct lsoe_encap *ord = node_alloc(n, (whole ? whole : 1) * sizeof(*ord));
		if (ord) {
			for (size_t k = 0; k < whole; k++)
				ord[k] = v[idx[k]];
			pl->local = port_list_new(n, type, ord, (uint16_t)fit, fit_len, true, &e);
			if (whole > fit && pl->local)
				pl->cut = encap_block_pick(n, type, ord, (uint16_t)whole);
			node_free(n, ord, (whole ? whole : 1) * sizeof(*ord));
		}
		node_free(n, idx, count * sizeof(*idx));
		if (whole > fit && !pl->cut) {
			encap_plan_free(n, pl);
			return LSOE_E_NOMEM;
		}
	}
	if (!pl->local)
		return e;
	/* Cannot fail: the list was measured against the room, and the entries checked. */
	struct lsoe_frag f;
	const struct pdubuf *b = port_list_pdu(pl->local);
	e = lsoe_frag_init(&f, b->bytes, b->len, mtu);
	if (e != LSOE_OK)
		encap_plan_free(n, pl);
	return e;
}

/* Replace the port's list of one type by the plan (which is emptied). */
static void encap_plan_apply(struct lsoe_node *n, struct port *p, unsigned type, struct encap_plan *pl)
{
	unsigned i = encap_index(type);
	struct port_list *l = pl->local;
	struct port_list_cut *c = port_list_cut(l);
	if (c) {
		c->longer = pl->cut;
		c->given_hash = pl->given_hash;
	}
	struct port_list *old = port_local(p, i);
	if (old) /* the list last set stays the same (lsoe_node_set_encaps then records a new one) */
		l->given = old->given;
	port_local_set(p, i, pl->local);
	port_list_release(n, old); /* after: it may go with its PDU */
	memset(pl, 0, sizeof(*pl));
}

static bool encap_is_cut(const struct port *p, unsigned i)
{
	const struct port_list *l = port_local(p, i);
	return (p->encap_set & (1u << i)) && l && l->count < l->given;
}

/* Say what a new list, or an old one at a new MTU, announces: a cut is news (counted, warned). */
static void encap_report(struct lsoe_node *n, struct port *p, unsigned type, bool was_cut, bool news)
{
	unsigned i = encap_index(type);
	const struct port_list *l = port_local(p, i);
	uint32_t sent = l->count, given = l->given;
	if (sent < given && news) {
		COUNT(n, p, encaps_truncated);
		node_log(n, LSOE_LOG_WARNING, "port",
		    "%s: %u %s entries do not fit one PDU (%zu octets at MTU %u): announcing %u (Primary, Loopback,"
		    " then by address), %u left out",
		    p->name, (unsigned)given, lsoe_pdu_type_name(type), lsoe_encap_room(p->mtu), (unsigned)p->mtu,
		    (unsigned)sent, (unsigned)(given - sent));
	} else if (sent == given && was_cut && given) {
		node_log(n, LSOE_LOG_INFO, "port", "%s: all %u %s entries fit one PDU again", p->name, (unsigned)given,
		    lsoe_pdu_type_name(type));
	}
}

/* An entry's hash (flags, address, prefix length, labels), summed over a list: any order gives the same. */
static uint64_t encap_hash(unsigned type, const struct lsoe_encap *v, size_t count)
{
	unsigned alen = lsoe_encap_addr_len(type);
	bool mpls = lsoe_encap_is_mpls(type);
	uint64_t sum = (uint64_t)count * 0x9E3779B97F4A7C15ull;
	for (size_t i = 0; i < count; i++) {
		const struct lsoe_encap *e = &v[i];
		uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, then a finaliser */
#define HASH_OCTET(o) (h = (h ^ (uint8_t)(o)) * 0x100000001b3ull)
		HASH_OCTET(e->flags);
		HASH_OCTET(e->prefix_len);
		for (unsigned k = 0; k < alen; k++)
			HASH_OCTET(e->addr[k]);
		if (mpls) {
			HASH_OCTET(e->nlabels);
			for (size_t k = 0; k < (size_t)e->nlabels * LSOE_LABEL_LEN; k++)
				HASH_OCTET(e->labels[k]);
		}
#undef HASH_OCTET
		h ^= h >> 33;
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 33;
		sum += h;
	}
	return sum;
}

enum lsoe_err lsoe_node_port_set_mtu(struct lsoe_node *n, uint32_t id, uint32_t mtu)
{
	struct port *p = port_find(n, id, NULL);
	if (!p)
		return LSOE_E_NO_PORT;
	if (mtu < LSOE_MTU_MIN || mtu > LSOE_DGRAM_MAX_LEN)
		return LSOE_E_MTU;
	if (mtu == p->mtu)
		return LSOE_OK;
	n->now = node_clock(n);
	/*
	 * Every list is measured against the new bound: one that no longer fits is cut,
	 * one that was cut may now announce more. All are planned before any changes, so
	 * a refusal (memory) leaves the port as it was.
	 */
	struct encap_plan pl[ENCAP_TYPES] = { 0 };
	enum lsoe_err e = LSOE_OK;
	for (unsigned i = 0; i < ENCAP_TYPES && e == LSOE_OK; i++) {
		const struct port_list *l = port_local(p, i);
		if (!(p->encap_set & (1u << i)) || !l)
			continue;
		const struct port_list_cut *c = port_list_cut(l);
		const struct encap_block *longer = c ? c->longer : NULL;
		if (!longer && port_list_pdu(l)->len <= lsoe_encap_room(mtu))
			continue; /* announced whole, or cut only by the 65535-octet PDU: nothing to gain or lose */
		/* Decoded entries are read here only, before anything else decodes. */
		const struct lsoe_encap *src = longer ? longer->entries : port_list_decode(n, l, 0);
		size_t count = longer ? longer->count : l->count;
		e = encap_plan_make(n, LSOE_PDU_IPV4_ENCAP + i, src, count, l->given, mtu, &pl[i]);
		/* A list whole until now is all its entries, in the PDU: its hash is theirs. */
		pl[i].given_hash = c ? c->given_hash : encap_hash(LSOE_PDU_IPV4_ENCAP + i, src, count);
	}
	unsigned changing = 0;
	size_t dec_need = 0;
	for (unsigned i = 0; i < ENCAP_TYPES; i++) {
		changing |= pl[i].local ? 1u << i : 0u;
		const struct port_list *l = pl[i].local ? pl[i].local : port_local(p, i);
		dec_need += l ? l->count : 0;
	}
	if (e == LSOE_OK && changing && (!session_encaps_room(n, p, changing) || !dec_room(n, &n->dec, dec_need)))
		e = LSOE_E_NOMEM;
	if (e != LSOE_OK) {
		for (unsigned i = 0; i < ENCAP_TYPES; i++)
			encap_plan_free(n, &pl[i]);
		return e;
	}
	node_log(n, LSOE_LOG_INFO, "port", "%s: MTU %u (was %u)", p->name, (unsigned)mtu, (unsigned)p->mtu);
	p->mtu = mtu;
	for (unsigned i = 0; i < ENCAP_TYPES; i++) {
		unsigned type = LSOE_PDU_IPV4_ENCAP + i;
		if (!pl[i].local)
			continue;
		if (pl[i].local->count == port_local(p, i)->count) {
			/* The same head of the same order (and the same cut): nothing changes on the wire. */
			encap_plan_free(n, &pl[i]);
			continue;
		}
		bool was_cut = encap_is_cut(p, i);
		encap_plan_apply(n, p, type, &pl[i]);
		encap_report(n, p, type, was_cut, true);
		session_encaps_changed(n, p, type);
		for (struct session *s = p->sessions; s; s = s->next)
			links_update(n, s, type);
	}
	return LSOE_OK;
}

void port_encaps_free(struct lsoe_node *n, struct port *p)
{
	while (p->lists) {
		struct port_list *l = p->lists;
		p->lists = l->next;
		port_list_release(n, l);
	}
}

void port_local_set(struct port *p, unsigned i, struct port_list *l)
{
	struct port_list **pp = &p->lists;
	while (*pp && (*pp)->index < i)
		pp = &(*pp)->next;
	struct port_list *rest = *pp && (*pp)->index == i ? (*pp)->next : *pp;
	if (l) {
		l->index = (uint8_t)i;
		l->next = rest;
		*pp = l;
	} else
		*pp = rest;
}

enum lsoe_err lsoe_node_set_encaps(struct lsoe_node *n, uint32_t id, unsigned type, const struct lsoe_encap *entries,
    size_t count)
{
	struct port *p = port_find(n, id, NULL);
	if (!p)
		return LSOE_E_NO_PORT;
	if (!lsoe_pdu_type_is_encap(type) || (count && !entries) || count > UINT32_MAX)
		return LSOE_E_INVALID;
	enum lsoe_err e = encap_check(type, entries, count);
	if (e != LSOE_OK)
		return e;
	n->now = node_clock(n);

	/*
	 * A full replacement that cannot fit one PDU cannot be said in -01 (digest 12.27):
	 * the head that fits is announced, by the rule in node.h, and the cut is reported.
	 */
	struct encap_plan pl;
	e = encap_plan_make(n, type, entries, count, count, p->mtu, &pl);
	if (e != LSOE_OK)
		return e;
	unsigned i = encap_index(type);
	size_t dec_need = pl.local->count;
	for (unsigned k = 0; k < ENCAP_TYPES; k++) {
		const struct port_list *o = k == i ? NULL : port_local(p, k);
		dec_need += o ? o->count : 0;
	}
	if (!session_encaps_room(n, p, 1u << i) || !dec_room(n, &n->dec, dec_need)) {
		encap_plan_free(n, &pl);
		return LSOE_E_NOMEM;
	}
	uint64_t hash = encap_hash(type, entries, count);
	bool was_cut = encap_is_cut(p, i);
	/* News: a cut of another list than the one already cut, or to another length. */
	const struct port_list *cur = port_local(p, i);
	bool news = !was_cut || port_list_cut(cur)->given_hash != hash || cur->given != count ||
	    cur->count != pl.local->count;
	pl.given_hash = hash;
	encap_plan_apply(n, p, type, &pl);
	port_local(p, i)->given = (uint32_t)count;
	p->encap_set |= (uint8_t)(1u << i);
	encap_report(n, p, type, was_cut, news);
	session_encaps_changed(n, p, type);
	for (struct session *s = p->sessions; s; s = s->next)
		links_update(n, s, type);
	return LSOE_OK;
}
