/*
 * The link view as BGP-LS (draft section 16; RFC 9552, 9086): Link NLRIs and the
 * BGP-LS attribute. Every function writes into the caller's buffer and returns the
 * octets written, 0 when the buffer is too short, so a caller can never overrun.
 */
#include "lsoe/bgpls.h"

#include <string.h>

#include "bytes.h"

enum {
	NLRI_LINK = 2,
	TLV_LOCAL_NODE = 256,
	TLV_REMOTE_NODE = 257,
	TLV_IPV4_IF = 259,
	TLV_IPV4_NBR = 260,
	TLV_IPV6_IF = 261,
	TLV_IPV6_NBR = 262,
	TLV_AS = 512,
	TLV_BGPLS_ID = 513,
	TLV_IGP_ROUTER_ID = 515,
	TLV_BGP_ROUTER_ID = 516,
	TLV_LOCAL_RID4 = 1028,
	TLV_LOCAL_RID6 = 1029,
	TLV_REMOTE_RID4 = 1030,
	TLV_REMOTE_RID6 = 1031,
	TLV_PEER_ADJ_SID = 1102,
};

#define SID_FLAG_V 0x80u  /* RFC 9086 section 5: the SID is a label value... */
#define SID_FLAG_L 0x40u  /* ...of local significance */

/* A writer that stops at the first overflow and remembers it. */
struct out {
	uint8_t *p;
	size_t len, cap;
	bool short_;
};

static uint8_t *reserve(struct out *o, size_t n)
{
	if (o->short_ || o->cap - o->len < n) {
		o->short_ = true;
		return NULL;
	}
	uint8_t *at = o->p + o->len;
	o->len += n;
	return at;
}

static void put_tlv(struct out *o, uint16_t type, const uint8_t *v, size_t n)
{
	uint8_t *at = reserve(o, 4 + n);
	if (!at)
		return;
	lsoe_put16(at, type);
	lsoe_put16(at + 2, (uint16_t)n);
	if (n)
		memcpy(at + 4, v, n);
}

static size_t done(const struct out *o)
{
	return o->short_ ? 0 : o->len;
}

bool lsoe_bgpls_id_fits(const uint8_t id[LSOE_LOCAL_ID_LEN])
{
	return id[0] == 0 && id[1] == 0;
}

size_t lsoe_bgpls_node_descriptor(const uint8_t id[LSOE_LOCAL_ID_LEN], uint8_t *out, size_t cap)
{
	struct out o = { out, 0, cap, false };
	static const uint8_t zero[6];
	put_tlv(&o, TLV_AS, id + 2, 4);
	if (!lsoe_bgpls_id_fits(id)) {
		uint8_t v[4] = { 0, 0, id[0], id[1] };
		put_tlv(&o, TLV_BGPLS_ID, v, 4);
	}
	/* 4 octets reads as an OSPF Router-ID, 8 as Router-ID:address; both are lengths
	   every RFC 9552 receiver takes (10 is refused by GoBGP and disables the family). */
	if (memcmp(id, zero, 6) == 0)
		put_tlv(&o, TLV_IGP_ROUTER_ID, id + 6, 4);
	else
		put_tlv(&o, TLV_IGP_ROUTER_ID, id + 2, 8);
	put_tlv(&o, TLV_BGP_ROUTER_ID, id + 6, 4);
	return done(&o);
}

/* A TLV holding a node descriptor: its header, then the sub-TLVs. */
static void put_node(struct out *o, uint16_t type, const uint8_t id[LSOE_LOCAL_ID_LEN])
{
	uint8_t sub[LSOE_BGPLS_NODE_DESC_MAX];
	size_t n = lsoe_bgpls_node_descriptor(id, sub, sizeof(sub));
	put_tlv(o, type, sub, n);
}

size_t lsoe_bgpls_link_nlri(const struct lsoe_bgpls_params *p, const struct lsoe_bgpls_link *l, uint8_t *out,
    size_t cap)
{
	struct out o = { out, 0, cap, false };
	uint8_t *hdr = reserve(&o, 4 + 1 + 8);
	if (!hdr)
		return 0;
	lsoe_put16(hdr, NLRI_LINK);
	hdr[4] = p->protocol_id;
	lsoe_put32(hdr + 5, (uint32_t)(p->identifier >> 32));
	lsoe_put32(hdr + 9, (uint32_t)p->identifier);
	put_node(&o, TLV_LOCAL_NODE, l->local_id);
	put_node(&o, TLV_REMOTE_NODE, l->peer_id);
	size_t alen = l->ipv6 ? 16 : 4;
	put_tlv(&o, l->ipv6 ? TLV_IPV6_IF : TLV_IPV4_IF, l->local_addr, alen);
	put_tlv(&o, l->ipv6 ? TLV_IPV6_NBR : TLV_IPV4_NBR, l->peer_addr, alen);
	if (o.short_)
		return 0;
	lsoe_put16(hdr + 2, (uint16_t)(o.len - 4));
	return o.len;
}

size_t lsoe_bgpls_link_attr(const struct lsoe_bgpls_link *l, uint8_t *out, size_t cap)
{
	struct out o = { out, 0, cap, false };
	if (l->local_rid.has_v4)
		put_tlv(&o, TLV_LOCAL_RID4, l->local_rid.v4, 4);
	if (l->local_rid.has_v6)
		put_tlv(&o, TLV_LOCAL_RID6, l->local_rid.v6, 16);
	if (l->peer_rid.has_v4)
		put_tlv(&o, TLV_REMOTE_RID4, l->peer_rid.v4, 4);
	if (l->peer_rid.has_v6)
		put_tlv(&o, TLV_REMOTE_RID6, l->peer_rid.v6, 16);
	unsigned nl = l->label_count < LSOE_BGPLS_LABELS_MAX ? l->label_count : LSOE_BGPLS_LABELS_MAX;
	for (unsigned i = 0; i < nl; i++) {
		uint32_t label = l->labels[i] & 0xFFFFFu;
		uint8_t v[7] = { SID_FLAG_V | SID_FLAG_L, 0, 0, 0,
			(uint8_t)(label >> 16), (uint8_t)(label >> 8), (uint8_t)label };
		put_tlv(&o, TLV_PEER_ADJ_SID, v, sizeof(v));
	}
	return done(&o);
}

/* ---- from the engine's view ---- */

static bool link_local6(const uint8_t *a);

static bool is_v6_type(unsigned type)
{
	return type == LSOE_PDU_IPV6_ENCAP || type == LSOE_PDU_MPLS_IPV6_ENCAP;
}

void lsoe_bgpls_pick_router_ids(const struct lsoe_encap *const lists[4], const uint16_t counts[4],
    struct lsoe_bgpls_router_ids *out)
{
	memset(out, 0, sizeof(*out));
	bool primary4 = false, primary6 = false;
	for (unsigned t = 0; t < 4; t++) {
		bool v6 = is_v6_type(4 + t);
		for (unsigned i = 0; lists[t] && i < counts[t]; i++) {
			const struct lsoe_encap *e = &lists[t][i];
			if (!(e->flags & LSOE_ENCAP_LOOPBACK) || (v6 && link_local6(e->addr)))
				continue;
			bool prim = e->flags & LSOE_ENCAP_PRIMARY;
			bool *has = v6 ? &out->has_v6 : &out->has_v4;
			bool *was_primary = v6 ? &primary6 : &primary4;
			if (*has && (*was_primary || !prim))
				continue;
			memcpy(v6 ? out->v6 : out->v4, e->addr, v6 ? 16 : 4);
			*has = true;
			*was_primary = prim;
		}
	}
}

/* fe80::/10. RFC 9552's 261/262 carry global addresses (RFC 6119 section 4.2), and
   GoBGP 3.10 disables the whole family on a link-local one. */
static bool link_local6(const uint8_t *a)
{
	return a[0] == 0xFE && (a[1] & 0xC0) == 0x80;
}

/* Whether pair j of type t has the same two addresses as an earlier exported pair. */
static bool seen_before(const struct lsoe_session_view *s, unsigned t, unsigned j, size_t alen)
{
	const struct lsoe_link *x = &s->links[t][j];
	for (unsigned u = t & 1u; u <= t; u += 2) /* the same family: 4 with 6, 5 with 7 */
		for (unsigned i = 0; i < (u == t ? j : s->link_count[u]); i++) {
			const struct lsoe_link *y = &s->links[u][i];
			if (memcmp(x->local.addr, y->local.addr, alen) == 0 && memcmp(x->peer.addr, y->peer.addr, alen) == 0)
				return true;
		}
	return false;
}

/* Our labels of the MPLS pair (of type mt) with l's addresses, into out. */
static void add_labels(const struct lsoe_session_view *s, unsigned mt, const uint8_t *local, const uint8_t *peer,
    size_t alen, struct lsoe_bgpls_link *out)
{
	for (unsigned i = 0; i < s->link_count[mt]; i++) {
		const struct lsoe_link *y = &s->links[mt][i];
		if (memcmp(local, y->local.addr, alen) != 0 || memcmp(peer, y->peer.addr, alen) != 0)
			continue;
		for (unsigned k = 0; k < y->local.nlabels && out->label_count < LSOE_BGPLS_LABELS_MAX; k++)
			out->labels[out->label_count++] = lsoe_label_value(y->local.labels, k);
		return;
	}
}

size_t lsoe_bgpls_session_links(const struct lsoe_session_view *s, const uint8_t local_id[LSOE_LOCAL_ID_LEN],
    const struct lsoe_bgpls_router_ids *ours, lsoe_bgpls_link_fn fn, void *ctx)
{
	if (s->state != LSOE_STATE_ESTABLISHED || !s->has_peer_id)
		return 0;
	struct lsoe_bgpls_router_ids theirs;
	lsoe_bgpls_pick_router_ids(s->encaps, s->encap_count, &theirs);
	size_t n = 0;
	/* index t: 0 IPv4, 1 IPv6, 2 MPLS-IPv4, 3 MPLS-IPv6 */
	for (unsigned t = 0; t < 4; t++) {
		bool v6 = t & 1u;
		size_t alen = v6 ? 16 : 4;
		for (unsigned j = 0; s->links[t] && j < s->link_count[t]; j++) {
			const struct lsoe_link *x = &s->links[t][j];
			if ((v6 && (link_local6(x->local.addr) || link_local6(x->peer.addr))) || seen_before(s, t, j, alen))
				continue;
			struct lsoe_bgpls_link l;
			memset(&l, 0, sizeof(l));
			memcpy(l.local_id, local_id, LSOE_LOCAL_ID_LEN);
			memcpy(l.peer_id, s->peer_id, LSOE_LOCAL_ID_LEN);
			l.ipv6 = v6;
			memcpy(l.local_addr, x->local.addr, alen);
			memcpy(l.peer_addr, x->peer.addr, alen);
			if (ours)
				l.local_rid = *ours;
			l.peer_rid = theirs;
			add_labels(s, v6 ? 3 : 2, l.local_addr, l.peer_addr, alen, &l);
			fn(ctx, &l);
			n++;
		}
	}
	return n;
}
