/*
 * libFuzzer target: the BGP-4 side of the BGP-LS export (core/bgp_msg.c, core/bgpls.c;
 * lsoe/bgpls.h): what a peer sends us, and what we build from the link view.
 *
 * Input: [flags: 1][expect_as: 4, big-endian][afi: 2][safi: 1][stream...]
 *   flags bits 0-1: the family we run: 0 BGP-LS (16388/71), 1 BGP-LS-SPF (16388/80),
 *                   2 IPv4 unicast (1/1), 3 the afi and safi octets above;
 *   flags bit 2:    expect the peer AS expect_as (else any, 0);
 *   flags bit 3:    our BGP Identifier is 192.0.2.1 (else 10.0.0.1).
 * An input shorter than the 8-octet prefix is a prefix padded with zeros and no stream.
 *
 * 1. The stream is what a peer wrote to the TCP connection: lsoe_bgp_frame cuts it
 *    into messages until it wants more or finds a bad header, and each message (copied
 *    to a buffer of exactly its length, so ASan sees any read past it) goes to the
 *    parser of its type. Checks:
 *    - frame: 1 only with 19 <= length <= 4096, the length fits what was given, the
 *      type is 1..5, KEEPALIVE is 19 octets; every shorter cut of that message (from
 *      19 octets on) says 0, and every cut under 19 octets says 0 or, when the marker
 *      is already wrong, -1; -1 only with 1/1 (a marker octet not 0xFF), 1/2 (the
 *      Length field as 2 octets of data) or 1/3 (the Type as 1 octet of data). The
 *      NOTIFICATION for the error encodes, frames and parses back to the same code,
 *      subcode and data; the stream ends there, as the session would.
 *    - OPEN: accepted only when version 4, hold time 0 or >= 3, BGP Identifier not 0
 *      and not ours, the peer AS the one expected (if any); the fields reported are the
 *      message's (My AS unless the 4-octet AS capability); family implies mp_count > 0;
 *      refused only with code 2 (and data 00 04 for a bad version).
 *    - UPDATE: refused only with code 3; NOTIFICATION: always accepted, data pointing
 *      into the message; ROUTE-REFRESH: afi and safi as in the message.
 *    - every error's data_len <= 6; the names of codes, subcodes and types are strings.
 * 2. From the input read backwards (cycling), a link, parameters and messages are built:
 *    - lsoe_bgpls_node_descriptor of both IDs: sub-TLVs in ascending type order, at
 *      most LSOE_BGPLS_NODE_DESC_MAX octets, and decoding them gives back the ID
 *      (distinct IDs, distinct descriptors); lsoe_bgpls_id_fits as the header says;
 *    - lsoe_bgpls_link_nlri: exactly type 2, length, Protocol-ID, Identifier, 256
 *      and 257 holding those descriptors, then 259/260 or 261/262 with the addresses;
 *      one octet short of room gives 0;
 *    - lsoe_bgpls_link_attr: the Router-ID TLVs asked for and one 1102 per label
 *      (at most LSOE_BGPLS_LABELS_MAX, V and L set, the 20-bit label), at most
 *      LSOE_BGPLS_ATTR_MAX, 0 when there is nothing to say;
 *    - lsoe_bgp_update_reach of 1..64 copies of the NLRI: 0 exactly when the message
 *      cannot fit 4096 octets; otherwise it frames, lsoe_bgp_parse_update accepts it,
 *      and its attributes are what the parameters ask (ORIGIN IGP; AS_PATH empty for
 *      iBGP, else one AS_SEQUENCE of our AS in 4 octets or 2 (AS_TRANS above 65535);
 *      LOCAL_PREF 100 only for iBGP; AS4_PATH only towards a 2-octet peer with a
 *      4-octet AS; MP_REACH_NLRI with the family, next hop and NLRIs; the BGP-LS
 *      attribute when given), each once; one octet short of room gives 0;
 *    - lsoe_bgp_update_unreach of the same: 0 exactly above LSOE_BGP_UNREACH_NLRI_MAX,
 *      else it frames, parses and MP_UNREACH_NLRI holds the family and NLRIs;
 *    - lsoe_bgp_open, lsoe_bgp_keepalive, lsoe_bgp_notification: frame and parse back
 *      to what was asked;
 *    - lsoe_bgpls_session_links of a session view of up to 3 pairs per type: one link
 *      per distinct address pair of each family, each link's addresses from the view
 *      and its labels our labels of the family's MPLS pair with those addresses.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "lsoe/bgpls.h"
#include "lsoe/event.h"

#define PREFIX_LEN 8u

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);
	CHECK(c != NULL);
	if (n)
		memcpy(c, p, n);
	return c;
}

static void check_name(const char *s)
{
	if (s)
		CHECK(strlen(s) > 0 && strlen(s) < 200);
}

static void check_error(const struct lsoe_bgp_error *e)
{
	CHECK(e->data_len <= sizeof(e->data));
	check_name(lsoe_bgp_code_name(e->code));
	check_name(lsoe_bgp_subcode_name(e->code, e->subcode));
	if (e->why)
		check_name(e->why);
}

/* The NOTIFICATION for e: it frames and parses back to e. */
static void check_notification_of(const struct lsoe_bgp_error *e)
{
	uint8_t out[64];
	size_t n = lsoe_bgp_notification(e, out, sizeof(out));
	CHECK(n == LSOE_BGP_HDR_LEN + 2 + e->data_len);
	size_t ml = 0;
	struct lsoe_bgp_error fe;
	CHECK(lsoe_bgp_frame(out, n, &ml, &fe) == 1 && ml == n);
	uint8_t *m = dup_exact(out, n);
	struct lsoe_bgp_notification_info info;
	CHECK(lsoe_bgp_parse_notification(m, n, &info, &fe));
	CHECK(info.code == e->code && info.subcode == e->subcode && info.data_len == e->data_len);
	CHECK(info.data_len == 0 || memcmp(info.data, e->data, info.data_len) == 0);
	free(m);
}

struct run {
	uint32_t expect_as;
	uint16_t afi;
	uint8_t safi;
	uint8_t our_id[4];
};

static void on_open(const struct run *r, const uint8_t *m, size_t len)
{
	struct lsoe_bgp_open_info info;
	struct lsoe_bgp_error err;
	memset(&err, 0, sizeof(err));
	if (lsoe_bgp_parse_open(m, len, r->expect_as, r->our_id, r->afi, r->safi, &info, &err)) {
		CHECK(len >= 29);
		CHECK(info.version == 4 && m[19] == 4);
		CHECK(info.hold_time == get16(m + 22));
		CHECK(info.hold_time == 0 || info.hold_time >= 3);
		CHECK(memcmp(info.router_id, m + 24, 4) == 0);
		static const uint8_t zero[4];
		CHECK(memcmp(info.router_id, zero, 4) != 0 && memcmp(info.router_id, r->our_id, 4) != 0);
		if (!info.as4)
			CHECK(info.peer_as == get16(m + 20));
		CHECK(r->expect_as == 0 || info.peer_as == r->expect_as);
		CHECK(!info.family || info.mp_count > 0);
		/* the same OPEN with "any AS" is accepted too, with the same facts */
		struct lsoe_bgp_open_info any;
		CHECK(lsoe_bgp_parse_open(m, len, 0, r->our_id, r->afi, r->safi, &any, &err));
		CHECK(any.peer_as == info.peer_as && any.family == info.family && any.as4 == info.as4);
	} else {
		check_error(&err);
		CHECK(err.code == LSOE_BGP_ERR_OPEN);
		if (err.subcode == 1)
			CHECK(m[19] != 4 && err.data_len == 2 && err.data[0] == 0 && err.data[1] == 4);
		check_notification_of(&err);
	}
}

static void on_message(const struct run *r, const uint8_t *m, size_t len)
{
	struct lsoe_bgp_error err;
	memset(&err, 0, sizeof(err));
	uint8_t type = m[18];
	check_name(lsoe_bgp_msg_name(type));
	CHECK(lsoe_bgp_msg_name(type) != NULL);
	switch (type) {
	case LSOE_BGP_OPEN:
		on_open(r, m, len);
		break;
	case LSOE_BGP_UPDATE:
		if (!lsoe_bgp_parse_update(m, len, &err)) {
			check_error(&err);
			CHECK(err.code == LSOE_BGP_ERR_UPDATE);
			check_notification_of(&err);
		}
		break;
	case LSOE_BGP_NOTIFICATION: {
		struct lsoe_bgp_notification_info info;
		CHECK(lsoe_bgp_parse_notification(m, len, &info, &err));
		CHECK(info.code == m[19] && info.subcode == m[20]);
		CHECK(info.data_len == len - 21 && (info.data_len == 0 || info.data == m + 21));
		check_name(lsoe_bgp_code_name(info.code));
		check_name(lsoe_bgp_subcode_name(info.code, info.subcode));
		break;
	}
	case LSOE_BGP_KEEPALIVE:
		CHECK(len == LSOE_BGP_HDR_LEN);
		break;
	case LSOE_BGP_ROUTE_REFRESH: {
		uint16_t afi = 0;
		uint8_t safi = 0;
		if (lsoe_bgp_parse_route_refresh(m, len, &afi, &safi, &err))
			CHECK(len >= 23 && afi == get16(m + 19) && safi == m[22]);
		else
			check_error(&err);
		break;
	}
	default:
		CHECK(!"lsoe_bgp_frame passed an unknown type");
	}
}

static void fuzz_stream(const struct run *r, const uint8_t *s, size_t len)
{
	size_t off = 0;
	for (int guard = 0; guard < 10000; guard++) {
		const uint8_t *b = s + off;
		size_t left = len - off;
		size_t ml = 0;
		struct lsoe_bgp_error err;
		memset(&err, 0, sizeof(err));
		int rc = lsoe_bgp_frame(b, left, &ml, &err);
		CHECK(rc >= -1 && rc <= 1);
		if (rc == 0) {
			/* more is needed: a valid header so far, or less than one */
			if (left >= LSOE_BGP_HDR_LEN) {
				size_t n = get16(b + 16);
				CHECK(n > left && n <= LSOE_BGP_MSG_MAX);
			}
			return;
		}
		if (rc < 0) {
			check_error(&err);
			CHECK(err.code == LSOE_BGP_ERR_HEADER);
			switch (err.subcode) {
			case 1: {
				bool bad = false;
				for (size_t i = 0; i < 16 && i < left; i++)
					bad |= b[i] != 0xFF;
				CHECK(bad && err.data_len == 0);
				break;
			}
			case 2:
				CHECK(left >= LSOE_BGP_HDR_LEN && err.data_len == 2 && memcmp(err.data, b + 16, 2) == 0);
				break;
			case 3:
				CHECK(left >= LSOE_BGP_HDR_LEN && err.data_len == 1 && err.data[0] == b[18]);
				CHECK(b[18] < 1 || b[18] > 5);
				break;
			default:
				CHECK(!"frame error subcode not 1, 2 or 3");
			}
			check_notification_of(&err);
			return; /* the session ends */
		}
		CHECK(ml >= LSOE_BGP_HDR_LEN && ml <= LSOE_BGP_MSG_MAX && ml <= left);
		CHECK(ml == get16(b + 16));
		CHECK(b[18] >= 1 && b[18] <= 5);
		/* a cut of the message: from a whole header on, more is needed */
		size_t ml2;
		struct lsoe_bgp_error e2;
		if (ml > LSOE_BGP_HDR_LEN) {
			CHECK(lsoe_bgp_frame(b, ml - 1, &ml2, &e2) == 0);
			CHECK(lsoe_bgp_frame(b, LSOE_BGP_HDR_LEN, &ml2, &e2) == 0);
		}
		CHECK(lsoe_bgp_frame(b, left > 7 ? 7 : left, &ml2, &e2) == 0);
		uint8_t *m = dup_exact(b, ml);
		on_message(r, m, ml);
		free(m);
		off += ml;
	}
}

/* ---- part 2: building ---- */

/* The input, read backwards and round and round (all zeros when empty). */
struct reader {
	const uint8_t *p;
	size_t n, i;
};

static uint8_t rd8(struct reader *r)
{
	if (!r->n)
		return 0;
	uint8_t v = r->p[r->n - 1 - (r->i % r->n)];
	r->i++;
	return v;
}

static uint32_t rd32(struct reader *r)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v = v << 8 | rd8(r);
	return v;
}

static void rdn(struct reader *r, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = rd8(r);
}

/* Octets the descriptor of id must take. */
static size_t desc_len(const uint8_t *id)
{
	static const uint8_t zero[6];
	size_t n = 8;                                   /* 512 */
	if (id[0] || id[1])
		n += 8;                                     /* 513 */
	n += memcmp(id, zero, 6) == 0 ? 8 : 12;         /* 515 */
	return n + 8;                                   /* 516 */
}

/* Decode a node descriptor back into the ID it was made from. */
static void check_descriptor(const uint8_t *id, const uint8_t *d, size_t n)
{
	CHECK(n == desc_len(id) && n <= LSOE_BGPLS_NODE_DESC_MAX);
	uint8_t back[LSOE_LOCAL_ID_LEN];
	memset(back, 0, sizeof(back));
	bool has[4] = { false, false, false, false };
	unsigned last = 0;
	size_t off = 0;
	while (off < n) {
		CHECK(off + 4 <= n);
		unsigned t = get16(d + off), l = get16(d + off + 2);
		CHECK(off + 4 + l <= n);
		CHECK(t > last);                            /* ascending, each once */
		last = t;
		const uint8_t *v = d + off + 4;
		switch (t) {
		case 512:
			CHECK(l == 4);
			memcpy(back + 2, v, 4);
			has[0] = true;
			break;
		case 513:
			CHECK(l == 4 && v[0] == 0 && v[1] == 0 && (v[2] || v[3]));
			back[0] = v[2];
			back[1] = v[3];
			has[1] = true;
			break;
		case 515:
			CHECK(l == 4 || l == 8);
			if (l == 8)
				CHECK(memcmp(back + 2, v, 4) == 0);  /* agrees with 512 */
			memcpy(back + 10 - l, v, l);
			has[2] = true;
			break;
		case 516:
			CHECK(l == 4);
			CHECK(memcmp(back + 6, v, 4) == 0);      /* agrees with 515 */
			has[3] = true;
			break;
		default:
			CHECK(!"unexpected node descriptor sub-TLV");
		}
		off += 4 + l;
	}
	CHECK(has[0] && has[2] && has[3] && has[1] == !lsoe_bgpls_id_fits(id));
	CHECK(memcmp(back, id, LSOE_LOCAL_ID_LEN) == 0);
}

static size_t check_nlri(const struct lsoe_bgpls_params *p, const struct lsoe_bgpls_link *l, uint8_t *out, size_t cap)
{
	size_t n = lsoe_bgpls_link_nlri(p, l, out, cap);
	size_t dl = desc_len(l->local_id), dp = desc_len(l->peer_id), alen = l->ipv6 ? 16 : 4;
	size_t want = 4 + 1 + 8 + 4 + dl + 4 + dp + 2 * (4 + alen);
	CHECK(n == want);
	/* the structural worst case: 133 octets (the unit tests hold it to LSOE_BGPLS_NLRI_MAX) */
	CHECK(n <= 4 + 1 + 8 + 2 * (4 + LSOE_BGPLS_NODE_DESC_MAX) + 2 * (4 + 16));
	CHECK(get16(out) == 2 && get16(out + 2) == n - 4 && out[4] == p->protocol_id);
	CHECK(((uint64_t)get32(out + 5) << 32 | get32(out + 9)) == p->identifier);
	const uint8_t *q = out + 13;
	CHECK(get16(q) == 256 && get16(q + 2) == dl);
	check_descriptor(l->local_id, q + 4, dl);
	q += 4 + dl;
	CHECK(get16(q) == 257 && get16(q + 2) == dp);
	check_descriptor(l->peer_id, q + 4, dp);
	q += 4 + dp;
	CHECK(get16(q) == (l->ipv6 ? 261 : 259) && get16(q + 2) == alen && memcmp(q + 4, l->local_addr, alen) == 0);
	q += 4 + alen;
	CHECK(get16(q) == (l->ipv6 ? 262 : 260) && get16(q + 2) == alen && memcmp(q + 4, l->peer_addr, alen) == 0);
	uint8_t shorter[200];
	CHECK(lsoe_bgpls_link_nlri(p, l, shorter, n - 1) == 0);
	return n;
}

static size_t check_attr(const struct lsoe_bgpls_link *l, uint8_t *out, size_t cap)
{
	size_t n = lsoe_bgpls_link_attr(l, out, cap);
	unsigned nl = l->label_count < LSOE_BGPLS_LABELS_MAX ? l->label_count : LSOE_BGPLS_LABELS_MAX;
	size_t want = (l->local_rid.has_v4 ? 8 : 0) + (l->local_rid.has_v6 ? 20 : 0) + (l->peer_rid.has_v4 ? 8 : 0) +
	    (l->peer_rid.has_v6 ? 20 : 0) + 11 * (size_t)nl;
	CHECK(n == want && n <= LSOE_BGPLS_ATTR_MAX);
	size_t off = 0;
	unsigned last = 0, labels = 0;
	while (off < n) {
		unsigned t = get16(out + off), len = get16(out + off + 2);
		const uint8_t *v = out + off + 4;
		CHECK(t >= last);
		last = t;
		switch (t) {
		case 1028:
			CHECK(len == 4 && l->local_rid.has_v4 && memcmp(v, l->local_rid.v4, 4) == 0);
			break;
		case 1029:
			CHECK(len == 16 && l->local_rid.has_v6 && memcmp(v, l->local_rid.v6, 16) == 0);
			break;
		case 1030:
			CHECK(len == 4 && l->peer_rid.has_v4 && memcmp(v, l->peer_rid.v4, 4) == 0);
			break;
		case 1031:
			CHECK(len == 16 && l->peer_rid.has_v6 && memcmp(v, l->peer_rid.v6, 16) == 0);
			break;
		case 1102:
			CHECK(len == 7 && v[0] == 0xC0 && v[1] == 0 && v[2] == 0 && v[3] == 0);
			CHECK(labels < nl);
			CHECK(((uint32_t)v[4] << 16 | (uint32_t)v[5] << 8 | v[6]) == (l->labels[labels] & 0xFFFFFu));
			labels++;
			break;
		default:
			CHECK(!"unexpected BGP-LS attribute TLV");
		}
		off += 4 + len;
	}
	CHECK(off == n && labels == nl);
	if (n) {
		uint8_t shorter[LSOE_BGPLS_ATTR_MAX];
		CHECK(lsoe_bgpls_link_attr(l, shorter, n - 1) == 0);
	}
	return n;
}

/* The path attributes of an UPDATE we built: each once, found by type. */
struct attrs {
	const uint8_t *v[256];
	size_t len[256];
	uint8_t flags[256];
	int count[256];
};

static void split_attrs(const uint8_t *m, size_t len, struct attrs *a)
{
	memset(a, 0, sizeof(*a));
	CHECK(len >= 23 && get16(m + 19) == 0);
	size_t al = get16(m + 21);
	CHECK(23 + al == len);                          /* no IPv4 NLRI */
	size_t off = 23;
	while (off < len) {
		uint8_t f = m[off], t = m[off + 1];
		size_t hdr = (f & 0x10) ? 4 : 3;
		CHECK(off + hdr <= len);
		size_t vl = hdr == 4 ? get16(m + off + 2) : m[off + 2];
		CHECK(off + hdr + vl <= len);
		a->v[t] = m + off + hdr;
		a->len[t] = vl;
		a->flags[t] = f & 0xEF;
		a->count[t]++;
		CHECK(a->count[t] == 1);
		off += hdr + vl;
	}
}

static void check_reach(const struct lsoe_bgp_update_params *p, const uint8_t *nlris, size_t nlri_len,
    const uint8_t *attr, size_t attr_len)
{
	static uint8_t out[2 * LSOE_BGP_MSG_MAX], again[2 * LSOE_BGP_MSG_MAX];
	size_t n = lsoe_bgp_update_reach(p, nlris, nlri_len, attr, attr_len, out, sizeof(out));
	/* the message with every attribute header short (3 octets) and long (4) */
	size_t aspath = p->ebgp ? (p->as4 ? 6 : 4) : 0;
	bool as4path = p->ebgp && !p->as4 && p->local_as > 0xFFFFu;
	size_t mp = 5 + p->next_hop_len + nlri_len;
	size_t body = 1 + aspath + (p->ebgp ? 0 : 4) + mp + (as4path ? 6 : 0) + attr_len;
	size_t nattr = 3 + (p->ebgp ? 0 : 1) + (as4path ? 1 : 0) + (attr_len ? 1 : 0);
	size_t least = LSOE_BGP_HDR_LEN + 4 + body + 3 * nattr, most = least + nattr;
	if (n == 0) {
		CHECK(most > LSOE_BGP_MSG_MAX);
		return;
	}
	CHECK(n >= least && n <= most && n <= LSOE_BGP_MSG_MAX);
	CHECK(lsoe_bgp_update_reach(p, nlris, nlri_len, attr, attr_len, again, n) == n);
	CHECK(memcmp(out, again, n) == 0);
	CHECK(lsoe_bgp_update_reach(p, nlris, nlri_len, attr, attr_len, again, n - 1) == 0);
	size_t ml = 0;
	struct lsoe_bgp_error err;
	CHECK(lsoe_bgp_frame(out, n, &ml, &err) == 1 && ml == n && out[18] == LSOE_BGP_UPDATE);
	uint8_t *m = dup_exact(out, n);
	CHECK(lsoe_bgp_parse_update(m, n, &err));
	static struct attrs a;
	split_attrs(m, n, &a);
	/* ORIGIN IGP */
	CHECK(a.count[1] == 1 && a.flags[1] == 0x40 && a.len[1] == 1 && a.v[1][0] == 0);
	/* AS_PATH */
	CHECK(a.count[2] == 1 && a.flags[2] == 0x40 && a.len[2] == aspath);
	if (p->ebgp) {
		CHECK(a.v[2][0] == 2 && a.v[2][1] == 1);
		if (p->as4)
			CHECK(get32(a.v[2] + 2) == p->local_as);
		else
			CHECK(get16(a.v[2] + 2) == (p->local_as > 0xFFFFu ? LSOE_BGP_AS_TRANS : p->local_as));
	}
	/* LOCAL_PREF only inside the AS */
	CHECK(a.count[5] == (p->ebgp ? 0 : 1));
	if (!p->ebgp)
		CHECK(a.flags[5] == 0x40 && a.len[5] == 4 && get32(a.v[5]) == 100);
	/* AS4_PATH only towards a 2-octet peer, when our AS does not fit */
	CHECK(a.count[17] == (as4path ? 1 : 0));
	if (as4path)
		CHECK(a.flags[17] == 0xC0 && a.len[17] == 6 && a.v[17][0] == 2 && a.v[17][1] == 1 &&
		    get32(a.v[17] + 2) == p->local_as);
	/* MP_REACH_NLRI */
	CHECK(a.count[14] == 1 && a.flags[14] == 0x80 && a.len[14] == mp);
	const uint8_t *r = a.v[14];
	CHECK(get16(r) == p->afi && r[2] == p->safi && r[3] == p->next_hop_len);
	CHECK(memcmp(r + 4, p->next_hop, p->next_hop_len) == 0 && r[4 + p->next_hop_len] == 0);
	CHECK(nlri_len == 0 || memcmp(r + 5 + p->next_hop_len, nlris, nlri_len) == 0);
	/* the BGP-LS attribute */
	CHECK(a.count[29] == (attr_len ? 1 : 0));
	if (attr_len)
		CHECK(a.flags[29] == 0x80 && a.len[29] == attr_len && memcmp(a.v[29], attr, attr_len) == 0);
	/* nothing else */
	int total = 0;
	for (int t = 0; t < 256; t++)
		total += a.count[t];
	CHECK((size_t)total == nattr);
	free(m);
}

static void check_unreach(uint16_t afi, uint8_t safi, const uint8_t *nlris, size_t nlri_len)
{
	static uint8_t out[2 * LSOE_BGP_MSG_MAX];
	size_t n = lsoe_bgp_update_unreach(afi, safi, nlris, nlri_len, out, sizeof(out));
	if (nlri_len > LSOE_BGP_UNREACH_NLRI_MAX) {
		CHECK(n == 0);
		return;
	}
	CHECK(n > 0 && n <= LSOE_BGP_MSG_MAX);
	CHECK(lsoe_bgp_update_unreach(afi, safi, nlris, nlri_len, out, n - 1) == 0);
	size_t ml = 0;
	struct lsoe_bgp_error err;
	CHECK(lsoe_bgp_frame(out, n, &ml, &err) == 1 && ml == n);
	uint8_t *m = dup_exact(out, n);
	CHECK(lsoe_bgp_parse_update(m, n, &err));
	static struct attrs a;
	split_attrs(m, n, &a);
	CHECK(a.count[15] == 1 && a.flags[15] == 0x80 && a.len[15] == 3 + nlri_len);
	CHECK(get16(a.v[15]) == afi && a.v[15][2] == safi);
	CHECK(nlri_len == 0 || memcmp(a.v[15] + 3, nlris, nlri_len) == 0);
	int total = 0;
	for (int t = 0; t < 256; t++)
		total += a.count[t];
	CHECK(total == 1);
	free(m);
}

static void check_open_build(struct reader *rd)
{
	struct lsoe_bgp_open_params p;
	memset(&p, 0, sizeof(p));
	p.local_as = rd32(rd) | 1u;                     /* never AS 0 (RFC 7607) */
	p.hold_time = (uint16_t)(rd8(rd) << 8 | rd8(rd));
	if (p.hold_time == 1 || p.hold_time == 2)
		p.hold_time = 3;
	rdn(rd, p.router_id, 4);
	p.router_id[3] |= 1;                            /* never 0 */
	p.afi = (uint16_t)(rd8(rd) << 8 | rd8(rd));
	p.safi = rd8(rd);
	uint8_t out[128];
	size_t n = lsoe_bgp_open(&p, out, sizeof(out));
	CHECK(n >= 29 && n <= sizeof(out));
	CHECK(lsoe_bgp_open(&p, out, n - 1) == 0);
	size_t ml = 0;
	struct lsoe_bgp_error err;
	CHECK(lsoe_bgp_frame(out, n, &ml, &err) == 1 && ml == n);
	uint8_t *m = dup_exact(out, n);
	const uint8_t other[4] = { (uint8_t)(p.router_id[0] ^ 0xFF), 0, 0, 0 };
	struct lsoe_bgp_open_info info;
	CHECK(lsoe_bgp_parse_open(m, n, p.local_as, other, p.afi, p.safi, &info, &err));
	CHECK(info.version == 4 && info.peer_as == p.local_as && info.hold_time == p.hold_time);
	CHECK(memcmp(info.router_id, p.router_id, 4) == 0);
	CHECK(info.as4 && info.family && info.mp_count == 1 && !info.route_refresh);
	CHECK(get16(m + 20) == (p.local_as > 0xFFFFu ? LSOE_BGP_AS_TRANS : p.local_as));
	/* our own Identifier coming back is refused */
	CHECK(!lsoe_bgp_parse_open(m, n, 0, p.router_id, p.afi, p.safi, &info, &err));
	CHECK(err.code == LSOE_BGP_ERR_OPEN && err.subcode == 3);
	free(m);

	n = lsoe_bgp_keepalive(out, sizeof(out));
	CHECK(n == LSOE_BGP_HDR_LEN && lsoe_bgp_frame(out, n, &ml, &err) == 1 && out[18] == LSOE_BGP_KEEPALIVE);

	struct lsoe_bgp_error e;
	memset(&e, 0, sizeof(e));
	e.code = rd8(rd);
	e.subcode = rd8(rd);
	e.data_len = rd8(rd) % (sizeof(e.data) + 1);
	rdn(rd, e.data, sizeof(e.data));
	check_notification_of(&e);
}

/* session links: up to 3 pairs per type from the reader, over a few addresses */
struct sv {
	struct lsoe_session_view v;
	struct lsoe_link links[4][3];
	struct lsoe_encap peer[4][3];
	uint8_t labels[4][3][20 * 3];
};

struct seen {
	const struct sv *sv;
	size_t n;
	uint8_t addrs[32][2][16];
	bool v6[32];
};

/* Our labels of the MPLS pair of family v6 with these addresses (the first such pair). */
static size_t our_labels(const struct sv *sv, bool v6, const uint8_t *a, const uint8_t *b, uint32_t *out)
{
	unsigned t = v6 ? 3 : 2;
	size_t alen = v6 ? 16 : 4;
	for (unsigned i = 0; i < sv->v.link_count[t]; i++) {
		const struct lsoe_link *y = &sv->links[t][i];
		if (memcmp(y->local.addr, a, alen) || memcmp(y->peer.addr, b, alen))
			continue;
		size_t n = 0;
		for (unsigned k = 0; k < y->local.nlabels && n < LSOE_BGPLS_LABELS_MAX; k++)
			out[n++] = lsoe_label_value(y->local.labels, k);
		return n;
	}
	return 0;
}

static void on_link(void *ctx, const struct lsoe_bgpls_link *l)
{
	struct seen *s = ctx;
	size_t alen = l->ipv6 ? 16 : 4;
	/* its addresses are a pair of the view, of its family */
	bool found = false;
	for (unsigned t = l->ipv6 ? 1 : 0; t < 4 && !found; t += 2)
		for (unsigned i = 0; i < s->sv->v.link_count[t]; i++)
			if (!memcmp(s->sv->links[t][i].local.addr, l->local_addr, alen) &&
			    !memcmp(s->sv->links[t][i].peer.addr, l->peer_addr, alen))
				found = true;
	CHECK(found);
	/* not exported twice */
	for (size_t i = 0; i < s->n; i++)
		CHECK(s->v6[i] != l->ipv6 || memcmp(s->addrs[i][0], l->local_addr, alen) ||
		    memcmp(s->addrs[i][1], l->peer_addr, alen));
	CHECK(s->n < 32);
	memcpy(s->addrs[s->n][0], l->local_addr, alen);
	memcpy(s->addrs[s->n][1], l->peer_addr, alen);
	s->v6[s->n] = l->ipv6;
	s->n++;
	uint32_t want[LSOE_BGPLS_LABELS_MAX];
	size_t nl = our_labels(s->sv, l->ipv6, l->local_addr, l->peer_addr, want);
	CHECK(l->label_count == nl);
	for (size_t i = 0; i < nl; i++)
		CHECK(l->labels[i] == want[i]);
	CHECK(memcmp(l->peer_id, s->sv->v.peer_id, LSOE_LOCAL_ID_LEN) == 0);
}

static void check_session_links(struct reader *rd, const uint8_t local_id[LSOE_LOCAL_ID_LEN],
    const struct lsoe_bgpls_router_ids *ours)
{
	static struct sv sv;
	memset(&sv, 0, sizeof(sv));
	uint8_t f = rd8(rd);
	sv.v.state = (f & 3) == 3 ? LSOE_STATE_OPENING : LSOE_STATE_ESTABLISHED;
	sv.v.has_peer_id = true;
	rdn(rd, sv.v.peer_id, LSOE_LOCAL_ID_LEN);
	size_t pairs = 0;
	for (unsigned t = 0; t < 4; t++) {
		unsigned n = rd8(rd) % 4;
		for (unsigned i = 0; i < n; i++) {
			struct lsoe_link *k = &sv.links[t][i];
			uint8_t x = rd8(rd);
			/* addresses from a small set, so that pairs repeat across types */
			k->local.addr[0] = k->peer.addr[0] = 10;
			k->local.addr[3] = (uint8_t)(x & 3);
			k->peer.addr[3] = (uint8_t)(4 + ((x >> 2) & 3));
			k->local.prefix_len = k->peer.prefix_len = (uint8_t)(24 + (x >> 6));
			if (t >= 2) {
				k->local.nlabels = (uint8_t)(rd8(rd) % 21); /* more than LSOE_BGPLS_LABELS_MAX too */
				for (unsigned j = 0; j < k->local.nlabels; j++)
					lsoe_label_put(sv.labels[t][i], j, rd32(rd) & 0xFFFFF, 0, j + 1 == k->local.nlabels);
				k->local.labels = sv.labels[t][i];
			}
			sv.peer[t][i] = k->peer;
			if (rd8(rd) & 1)
				sv.peer[t][i].flags |= LSOE_ENCAP_LOOPBACK;
		}
		sv.v.links[t] = n ? sv.links[t] : NULL;
		sv.v.link_count[t] = (uint16_t)n;
		sv.v.encaps[t] = sv.peer[t];
		sv.v.encap_count[t] = (uint16_t)n;
		sv.v.encaps_received[t] = true;
		pairs += n;
	}
	struct seen s;
	memset(&s, 0, sizeof(s));
	s.sv = &sv;
	size_t n = lsoe_bgpls_session_links(&sv.v, local_id, ours, on_link, &s);
	CHECK(n == s.n && n <= pairs);
	if (sv.v.state != LSOE_STATE_ESTABLISHED)
		CHECK(n == 0);
	else if (pairs)
		CHECK(n > 0);
}

static void fuzz_build(const uint8_t *data, size_t size)
{
	struct reader rd = { data, size, 0 };
	struct lsoe_bgpls_link l;
	memset(&l, 0, sizeof(l));
	rdn(&rd, l.local_id, LSOE_LOCAL_ID_LEN);
	rdn(&rd, l.peer_id, LSOE_LOCAL_ID_LEN);
	/* IDs of every shape, not only the random one: the top octets often 0 */
	uint8_t shape = rd8(&rd);
	if (shape & 1)
		l.local_id[0] = l.local_id[1] = 0;
	if (shape & 2)
		memset(l.local_id, 0, 6);
	if (shape & 4)
		l.peer_id[0] = l.peer_id[1] = 0;
	if (shape & 8)
		memset(l.peer_id, 0, 6);
	l.ipv6 = shape & 16;
	rdn(&rd, l.local_addr, l.ipv6 ? 16 : 4);
	rdn(&rd, l.peer_addr, l.ipv6 ? 16 : 4);
	uint8_t has = rd8(&rd);
	l.local_rid.has_v4 = has & 1;
	l.local_rid.has_v6 = has & 2;
	l.peer_rid.has_v4 = has & 4;
	l.peer_rid.has_v6 = has & 8;
	rdn(&rd, l.local_rid.v4, 4);
	rdn(&rd, l.local_rid.v6, 16);
	rdn(&rd, l.peer_rid.v4, 4);
	rdn(&rd, l.peer_rid.v6, 16);
	l.label_count = (uint8_t)(rd8(&rd) % (LSOE_BGPLS_LABELS_MAX + 1));
	for (unsigned i = 0; i < l.label_count; i++)
		l.labels[i] = rd32(&rd) & 0xFFFFFu;

	uint8_t d1[64], d2[64];
	size_t n1 = lsoe_bgpls_node_descriptor(l.local_id, d1, sizeof(d1));
	size_t n2 = lsoe_bgpls_node_descriptor(l.peer_id, d2, sizeof(d2));
	check_descriptor(l.local_id, d1, n1);
	check_descriptor(l.peer_id, d2, n2);
	CHECK(lsoe_bgpls_node_descriptor(l.local_id, d1, n1 - 1) == 0);
	CHECK(lsoe_bgpls_id_fits(l.local_id) == (l.local_id[0] == 0 && l.local_id[1] == 0));
	if (memcmp(l.local_id, l.peer_id, LSOE_LOCAL_ID_LEN) != 0)
		CHECK(n1 != n2 || memcmp(d1, d2, n1) != 0);

	struct lsoe_bgpls_params p = { .protocol_id = rd8(&rd), .identifier = (uint64_t)rd32(&rd) << 32 | rd32(&rd) };
	uint8_t nlri[256], attr[LSOE_BGPLS_ATTR_MAX + 64];
	size_t nn = check_nlri(&p, &l, nlri, sizeof(nlri));
	size_t na = check_attr(&l, attr, sizeof(attr));

	/* 1..64 copies of the NLRI: some fit a message, some do not */
	static uint8_t nlris[64 * 256];
	size_t copies = 1 + rd8(&rd) % 64;
	for (size_t i = 0; i < copies; i++)
		memcpy(nlris + i * nn, nlri, nn);
	uint8_t opts = rd8(&rd);
	uint8_t nh[16];
	rdn(&rd, nh, sizeof(nh));
	struct lsoe_bgp_update_params up = {
		.afi = (opts & 1) ? LSOE_BGP_AFI_LS : (uint16_t)(rd8(&rd) << 8 | rd8(&rd)),
		.safi = (opts & 2) ? LSOE_BGP_SAFI_LS : rd8(&rd),
		.ebgp = opts & 4,
		.as4 = opts & 8,
		.local_as = (opts & 16) ? rd32(&rd) : (uint32_t)rd8(&rd) << 8 | rd8(&rd),
		.next_hop = nh,
		.next_hop_len = (opts & 32) ? 16 : 4,
	};
	size_t nlri_len = (opts & 64) ? copies * nn : (copies % 4) * nn; /* sometimes none at all */
	check_reach(&up, nlris, nlri_len, na ? attr : NULL, (opts & 128) ? na : 0);
	check_unreach(up.afi, up.safi, nlris, nlri_len);
	/* a withdrawal of just under, at and over the most one UPDATE holds */
	static uint8_t many[LSOE_BGP_UNREACH_NLRI_MAX + 1];
	size_t around = LSOE_BGP_UNREACH_NLRI_MAX - 1 + rd8(&rd) % 3;
	for (size_t i = 0; i < around; i++)
		many[i] = nlri[i % nn];
	check_unreach(up.afi, up.safi, many, around);

	check_open_build(&rd);
	check_session_links(&rd, l.local_id, &l.local_rid);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t pre[PREFIX_LEN] = { 0 };
	memcpy(pre, data, size < PREFIX_LEN ? size : PREFIX_LEN);
	struct run r;
	memset(&r, 0, sizeof(r));
	switch (pre[0] & 3) {
	case 0:
		r.afi = LSOE_BGP_AFI_LS;
		r.safi = LSOE_BGP_SAFI_LS;
		break;
	case 1:
		r.afi = LSOE_BGP_AFI_LS;
		r.safi = LSOE_BGP_SAFI_SPF;
		break;
	case 2:
		r.afi = 1;
		r.safi = 1;
		break;
	default:
		r.afi = get16(pre + 5);
		r.safi = pre[7];
		break;
	}
	r.expect_as = (pre[0] & 4) ? get32(pre + 1) : 0;
	static const uint8_t id_a[4] = { 192, 0, 2, 1 }, id_b[4] = { 10, 0, 0, 1 };
	memcpy(r.our_id, (pre[0] & 8) ? id_a : id_b, 4);

	if (size > PREFIX_LEN) {
		uint8_t *stream = dup_exact(data + PREFIX_LEN, size - PREFIX_LEN);
		fuzz_stream(&r, stream, size - PREFIX_LEN);
		free(stream);
	}
	fuzz_build(data, size);
	return 0;
}
