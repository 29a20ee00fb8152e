/*
 * The BGP-4 messages of an export-only BGP-LS speaker: what it sends (OPEN,
 * KEEPALIVE, NOTIFICATION, UPDATE with MP_REACH_NLRI or MP_UNREACH_NLRI) and the
 * checks on what it receives. A peer is wire input like any other: every length is
 * checked against what holds it before it is used, and every refusal names the
 * NOTIFICATION RFC 4271 section 6 asks for.
 */
#include <string.h>

#include "bytes.h"
#include "lsoe/bgpls.h"

enum {
	ATTR_ORIGIN = 1,
	ATTR_AS_PATH = 2,
	ATTR_NEXT_HOP = 3,
	ATTR_MED = 4,
	ATTR_LOCAL_PREF = 5,
	ATTR_ATOMIC_AGGREGATE = 6,
	ATTR_AGGREGATOR = 7,
	ATTR_MP_REACH = 14,
	ATTR_MP_UNREACH = 15,
	ATTR_AS4_PATH = 17,
	ATTR_BGP_LS = 29,
};

#define FLAG_OPTIONAL   0x80u
#define FLAG_TRANSITIVE 0x40u
#define FLAG_EXTENDED   0x10u

#define CAP_MP          1u
#define CAP_ROUTE_REFRESH 2u
#define CAP_AS4         65u

static void header(uint8_t *out, size_t len, uint8_t type)
{
	memset(out, 0xFF, 16);
	lsoe_put16(out + 16, (uint16_t)len);
	out[18] = type;
}

size_t lsoe_bgp_open(const struct lsoe_bgp_open_params *p, uint8_t *out, size_t cap)
{
	const size_t len = LSOE_BGP_HDR_LEN + 10 + 2 + 6 + 6;
	if (cap < len)
		return 0;
	header(out, len, LSOE_BGP_OPEN);
	uint8_t *b = out + LSOE_BGP_HDR_LEN;
	b[0] = 4;
	lsoe_put16(b + 1, (uint16_t)(p->local_as > 0xFFFFu ? LSOE_BGP_AS_TRANS : p->local_as));
	lsoe_put16(b + 3, p->hold_time);
	memcpy(b + 5, p->router_id, 4);
	b[9] = 14;                       /* one Capabilities parameter */
	b[10] = 2;
	b[11] = 12;
	b[12] = CAP_MP;                  /* Multiprotocol: AFI, reserved, SAFI */
	b[13] = 4;
	lsoe_put16(b + 14, p->afi);
	b[16] = 0;
	b[17] = p->safi;
	b[18] = CAP_AS4;                 /* 4-octet AS number */
	b[19] = 4;
	lsoe_put32(b + 20, p->local_as);
	return len;
}

size_t lsoe_bgp_keepalive(uint8_t *out, size_t cap)
{
	if (cap < LSOE_BGP_HDR_LEN)
		return 0;
	header(out, LSOE_BGP_HDR_LEN, LSOE_BGP_KEEPALIVE);
	return LSOE_BGP_HDR_LEN;
}

size_t lsoe_bgp_notification(const struct lsoe_bgp_error *e, uint8_t *out, size_t cap)
{
	size_t dl = e->data_len <= sizeof(e->data) ? e->data_len : sizeof(e->data);
	size_t len = LSOE_BGP_HDR_LEN + 2 + dl;
	if (cap < len)
		return 0;
	header(out, len, LSOE_BGP_NOTIFICATION);
	out[19] = e->code;
	out[20] = e->subcode;
	memcpy(out + 21, e->data, dl);
	return len;
}

/* One path attribute: flags (extended length when needed), type, length, value. */
static uint8_t *put_attr(uint8_t *at, uint8_t flags, uint8_t type, const uint8_t *v, size_t n)
{
	bool ext = n > 255;
	*at++ = (uint8_t)(flags | (ext ? FLAG_EXTENDED : 0));
	*at++ = type;
	if (ext) {
		lsoe_put16(at, (uint16_t)n);
		at += 2;
	} else {
		*at++ = (uint8_t)n;
	}
	if (n)
		memcpy(at, v, n);
	return at + n;
}

static size_t attr_size(size_t n)
{
	return (n > 255 ? 4 : 3) + n;
}

size_t lsoe_bgp_update_reach(const struct lsoe_bgp_update_params *p, const uint8_t *nlris, size_t nlri_len,
    const uint8_t *attr, size_t attr_len, uint8_t *out, size_t cap)
{
	if (p->next_hop_len != 4 && p->next_hop_len != 16)
		return 0;
	uint8_t origin = 0;                              /* IGP */
	uint8_t aspath[6], as4path[6], lpref[4];
	size_t aspath_len = 0, as4path_len = 0;
	bool need_as4path = false;
	if (p->ebgp) {
		aspath[0] = 2;                               /* AS_SEQUENCE */
		aspath[1] = 1;
		if (p->as4) {
			lsoe_put32(aspath + 2, p->local_as);
			aspath_len = 6;
		} else {
			need_as4path = p->local_as > 0xFFFFu;
			lsoe_put16(aspath + 2, (uint16_t)(need_as4path ? LSOE_BGP_AS_TRANS : p->local_as));
			aspath_len = 4;
			if (need_as4path) {
				as4path[0] = 2;
				as4path[1] = 1;
				lsoe_put32(as4path + 2, p->local_as);
				as4path_len = 6;
			}
		}
	}
	lsoe_put32(lpref, 100);
	size_t mp_len = 3 + 1 + p->next_hop_len + 1 + nlri_len;
	size_t attrs = attr_size(1) + attr_size(aspath_len) + (p->ebgp ? 0 : attr_size(4)) + attr_size(mp_len) +
	    (need_as4path ? attr_size(as4path_len) : 0) + (attr_len ? attr_size(attr_len) : 0);
	size_t len = LSOE_BGP_HDR_LEN + 2 + 2 + attrs;
	if (len > LSOE_BGP_MSG_MAX || len > cap || attr_len > 0xFFFFu)
		return 0;
	header(out, len, LSOE_BGP_UPDATE);
	uint8_t *b = out + LSOE_BGP_HDR_LEN;
	lsoe_put16(b, 0);                                /* no withdrawn IPv4 routes */
	lsoe_put16(b + 2, (uint16_t)attrs);
	uint8_t *at = b + 4;
	/* MP_REACH_NLRI first (RFC 7606 5.1, so that a receiver finds the NLRIs even in an
	   UPDATE it must treat as withdrawn), then the others in ascending type order. */
	bool ext = mp_len > 255;
	*at++ = (uint8_t)(FLAG_OPTIONAL | (ext ? FLAG_EXTENDED : 0));
	*at++ = ATTR_MP_REACH;
	if (ext) {
		lsoe_put16(at, (uint16_t)mp_len);
		at += 2;
	} else {
		*at++ = (uint8_t)mp_len;
	}
	lsoe_put16(at, p->afi);
	at[2] = p->safi;
	at[3] = p->next_hop_len;
	memcpy(at + 4, p->next_hop, p->next_hop_len);
	at += 4 + p->next_hop_len;
	*at++ = 0;
	if (nlri_len)
		memcpy(at, nlris, nlri_len);
	at += nlri_len;
	at = put_attr(at, FLAG_TRANSITIVE, ATTR_ORIGIN, &origin, 1);
	at = put_attr(at, FLAG_TRANSITIVE, ATTR_AS_PATH, aspath, aspath_len);
	if (!p->ebgp)
		at = put_attr(at, FLAG_TRANSITIVE, ATTR_LOCAL_PREF, lpref, 4);
	if (need_as4path)
		at = put_attr(at, FLAG_OPTIONAL | FLAG_TRANSITIVE, ATTR_AS4_PATH, as4path, as4path_len);
	if (attr_len)
		put_attr(at, FLAG_OPTIONAL, ATTR_BGP_LS, attr, attr_len);
	return len;
}

size_t lsoe_bgp_update_unreach(uint16_t afi, uint8_t safi, const uint8_t *nlris, size_t nlri_len, uint8_t *out,
    size_t cap)
{
	size_t mp_len = 3 + nlri_len;
	size_t len = LSOE_BGP_HDR_LEN + 2 + 2 + 4 + mp_len;
	if (len > LSOE_BGP_MSG_MAX || len > cap)
		return 0;
	header(out, len, LSOE_BGP_UPDATE);
	uint8_t *b = out + LSOE_BGP_HDR_LEN;
	lsoe_put16(b, 0);
	lsoe_put16(b + 2, (uint16_t)(4 + mp_len));
	b[4] = FLAG_OPTIONAL | FLAG_EXTENDED;
	b[5] = ATTR_MP_UNREACH;
	lsoe_put16(b + 6, (uint16_t)mp_len);
	lsoe_put16(b + 8, afi);
	b[10] = safi;
	if (nlri_len)
		memcpy(b + 11, nlris, nlri_len);
	return len;
}

/* ---- receiving ---- */

static bool fail(struct lsoe_bgp_error *err, uint8_t code, uint8_t subcode, const char *why)
{
	memset(err, 0, sizeof(*err));
	err->code = code;
	err->subcode = subcode;
	err->why = why;
	return false;
}

int lsoe_bgp_frame(const uint8_t *buf, size_t len, size_t *msg_len, struct lsoe_bgp_error *err)
{
	static const size_t min_len[6] = { 0, 29, 23, 21, 19, 23 };
	if (len < LSOE_BGP_HDR_LEN) {
		/* A wrong marker is wrong however little of it has arrived. */
		for (size_t i = 0; i < len && i < 16; i++)
			if (buf[i] != 0xFF) {
				fail(err, LSOE_BGP_ERR_HEADER, 1, "marker is not all ones");
				return -1;
			}
		return 0;
	}
	for (size_t i = 0; i < 16; i++)
		if (buf[i] != 0xFF) {
			fail(err, LSOE_BGP_ERR_HEADER, 1, "marker is not all ones");
			return -1;
		}
	uint16_t n = lsoe_get16(buf + 16);
	uint8_t type = buf[18];
	bool bad_len = n < LSOE_BGP_HDR_LEN || n > LSOE_BGP_MSG_MAX;
	if (!bad_len && type >= 1 && type <= 5)
		bad_len = n < min_len[type] || ((type == LSOE_BGP_KEEPALIVE || type == LSOE_BGP_ROUTE_REFRESH) &&
		    n != min_len[type]);
	if (bad_len) {
		fail(err, LSOE_BGP_ERR_HEADER, 2, "message length out of range for its type");
		lsoe_put16(err->data, n);
		err->data_len = 2;
		return -1;
	}
	if (type < 1 || type > 5) {
		fail(err, LSOE_BGP_ERR_HEADER, 3, "unknown message type");
		err->data[0] = type;
		err->data_len = 1;
		return -1;
	}
	if (len < n)
		return 0;
	*msg_len = n;
	return 1;
}

/* Capabilities (RFC 5492) inside one Capabilities optional parameter. */
static bool parse_caps(const uint8_t *p, size_t n, uint16_t afi, uint8_t safi, struct lsoe_bgp_open_info *o,
    uint32_t *as4, struct lsoe_bgp_error *err)
{
	while (n) {
		if (n < 2 || (size_t)p[1] + 2 > n)
			return fail(err, LSOE_BGP_ERR_OPEN, 0, "capability overruns its parameter");
		uint8_t code = p[0], len = p[1];
		const uint8_t *v = p + 2;
		if (code == CAP_MP) {
			if (len != 4)
				return fail(err, LSOE_BGP_ERR_OPEN, 0, "Multiprotocol capability not 4 octets");
			if (o->mp_count < 255)
				o->mp_count++;
			if (lsoe_get16(v) == afi && v[3] == safi)
				o->family = true;
		} else if (code == CAP_AS4) {
			if (len != 4)
				return fail(err, LSOE_BGP_ERR_OPEN, 0, "4-octet AS capability not 4 octets");
			o->as4 = true;
			*as4 = lsoe_get32(v);
		} else if (code == CAP_ROUTE_REFRESH) {
			o->route_refresh = true;
		}
		p += 2 + (size_t)len;
		n -= 2 + (size_t)len;
	}
	return true;
}

bool lsoe_bgp_parse_open(const uint8_t *msg, size_t len, uint32_t expect_as, const uint8_t our_id[4], uint16_t afi,
    uint8_t safi, struct lsoe_bgp_open_info *info, struct lsoe_bgp_error *err)
{
	memset(info, 0, sizeof(*info));
	if (len < 29)
		return fail(err, LSOE_BGP_ERR_HEADER, 2, "OPEN shorter than 29 octets");
	const uint8_t *b = msg + LSOE_BGP_HDR_LEN;
	info->version = b[0];
	if (b[0] != 4) {
		fail(err, LSOE_BGP_ERR_OPEN, 1, "not BGP version 4");
		lsoe_put16(err->data, 4);
		err->data_len = 2;
		return false;
	}
	uint16_t my_as = lsoe_get16(b + 1);
	info->hold_time = lsoe_get16(b + 3);
	memcpy(info->router_id, b + 5, 4);
	size_t optlen = b[9];
	if (29 + optlen != len)
		return fail(err, LSOE_BGP_ERR_OPEN, 0, "optional parameters do not fill the OPEN");
	const uint8_t *p = b + 10;
	uint32_t as4 = 0;
	while (optlen) {
		if (optlen < 2 || (size_t)p[1] + 2 > optlen)
			return fail(err, LSOE_BGP_ERR_OPEN, 0, "optional parameter overruns the OPEN");
		if (p[0] != 2) {
			fail(err, LSOE_BGP_ERR_OPEN, 4, "optional parameter other than Capabilities");
			return false;
		}
		if (!parse_caps(p + 2, p[1], afi, safi, info, &as4, err))
			return false;
		optlen -= 2 + (size_t)p[1];
		p += 2 + (size_t)p[1];
	}
	info->peer_as = info->as4 ? as4 : my_as;
	if (info->hold_time == 1 || info->hold_time == 2)
		return fail(err, LSOE_BGP_ERR_OPEN, 6, "hold time of 1 or 2 seconds");
	static const uint8_t zero[4];
	if (memcmp(info->router_id, zero, 4) == 0 || (our_id && memcmp(info->router_id, our_id, 4) == 0))
		return fail(err, LSOE_BGP_ERR_OPEN, 3, "BGP Identifier 0 or ours");
	if (info->peer_as == 0 || my_as == 0)
		return fail(err, LSOE_BGP_ERR_OPEN, 2, "peer AS 0 (RFC 7607)");
	if (expect_as && info->peer_as != expect_as)
		return fail(err, LSOE_BGP_ERR_OPEN, 2, "peer AS is not the one configured");
	return true;
}

bool lsoe_bgp_parse_notification(const uint8_t *msg, size_t len, struct lsoe_bgp_notification_info *info,
    struct lsoe_bgp_error *err)
{
	if (len < 21)
		return fail(err, LSOE_BGP_ERR_HEADER, 2, "NOTIFICATION shorter than 21 octets");
	info->code = msg[19];
	info->subcode = msg[20];
	info->data = msg + 21;
	info->data_len = len - 21;
	return true;
}

/* IPv4 prefixes as in withdrawn routes and NLRI: a length in bits, then its octets. */
static bool prefixes_ok(const uint8_t *p, size_t n)
{
	while (n) {
		if (p[0] > 32)
			return false;
		size_t octets = ((size_t)p[0] + 7) / 8;
		if (1 + octets > n)
			return false;
		p += 1 + octets;
		n -= 1 + octets;
	}
	return true;
}

/*
 * The checks that still reset the session under RFC 7606 (7.11): MP_REACH_NLRI and
 * MP_UNREACH_NLRI must hold together. Every other attribute's fault (ORIGIN, AS_PATH,
 * NEXT_HOP, MED, LOCAL_PREF: treat-as-withdraw; ATOMIC_AGGREGATE, AGGREGATOR, AS4_PATH:
 * attribute discard; conflicting flags; a repeat) costs an export-only speaker nothing,
 * as it keeps no route: those UPDATEs are let go, not answered with a NOTIFICATION.
 */
static bool mp_attr_ok(uint8_t type, const uint8_t *v, size_t n, struct lsoe_bgp_error *err)
{
	if (type == ATTR_MP_REACH) {
		/* AFI, SAFI, next hop length, the next hop, the Reserved octet */
		if (n < 5 || (size_t)5 + v[3] > n)
			return fail(err, LSOE_BGP_ERR_UPDATE, 9, "MP_REACH_NLRI next hop overruns it");
	} else if (type == ATTR_MP_UNREACH) {
		if (n < 3)
			return fail(err, LSOE_BGP_ERR_UPDATE, 9, "MP_UNREACH_NLRI shorter than 3 octets");
	}
	return true;
}

bool lsoe_bgp_parse_update(const uint8_t *msg, size_t len, struct lsoe_bgp_error *err)
{
	if (len < 23)
		return fail(err, LSOE_BGP_ERR_HEADER, 2, "UPDATE shorter than 23 octets");
	const uint8_t *b = msg + LSOE_BGP_HDR_LEN;
	size_t n = len - LSOE_BGP_HDR_LEN;
	size_t wlen = lsoe_get16(b);
	if (2 + wlen + 2 > n)
		return fail(err, LSOE_BGP_ERR_UPDATE, 1, "withdrawn routes overrun the UPDATE");
	if (!prefixes_ok(b + 2, wlen))
		return fail(err, LSOE_BGP_ERR_UPDATE, 1, "malformed withdrawn route");
	const uint8_t *a = b + 2 + wlen;
	size_t alen = lsoe_get16(a);
	if (4 + wlen + alen > n)
		return fail(err, LSOE_BGP_ERR_UPDATE, 1, "path attributes overrun the UPDATE");
	a += 2;
	bool mp_reach = false, mp_unreach = false;
	for (size_t left = alen; left;) {
		uint8_t flags = a[0];
		size_t hdr = (flags & FLAG_EXTENDED) ? 4 : 3;
		if (left < hdr)
			return fail(err, LSOE_BGP_ERR_UPDATE, 1, "path attribute header overruns the list");
		uint8_t type = a[1];
		size_t vlen = hdr == 4 ? lsoe_get16(a + 2) : a[2];
		if (hdr + vlen > left)
			return fail(err, LSOE_BGP_ERR_UPDATE, 1, "path attribute overruns the list");
		bool *seen = type == ATTR_MP_REACH ? &mp_reach : type == ATTR_MP_UNREACH ? &mp_unreach : NULL;
		if (seen && *seen)
			return fail(err, LSOE_BGP_ERR_UPDATE, 1, "MP_REACH_NLRI or MP_UNREACH_NLRI repeated");
		if (seen)
			*seen = true;
		if (!mp_attr_ok(type, a + hdr, vlen, err))
			return false;
		a += hdr + vlen;
		left -= hdr + vlen;
	}
	if (!prefixes_ok(a, n - 4 - wlen - alen))
		return fail(err, LSOE_BGP_ERR_UPDATE, 10, "malformed NLRI");
	return true;
}

bool lsoe_bgp_parse_route_refresh(const uint8_t *msg, size_t len, uint16_t *afi, uint8_t *safi,
    struct lsoe_bgp_error *err)
{
	if (len != 23)
		return fail(err, LSOE_BGP_ERR_HEADER, 2, "ROUTE-REFRESH not 23 octets");
	*afi = lsoe_get16(msg + 19);
	*safi = msg[22];
	return true;
}

const char *lsoe_bgp_msg_name(uint8_t type)
{
	static const char *const names[] = { NULL, "OPEN", "UPDATE", "NOTIFICATION", "KEEPALIVE", "ROUTE-REFRESH" };
	return type < 6 ? names[type] : NULL;
}

const char *lsoe_bgp_code_name(uint8_t code)
{
	static const char *const names[] = { "Unknown error", "Message Header Error", "OPEN Message Error",
		"UPDATE Message Error", "Hold Timer Expired", "Finite State Machine Error", "Cease",
		"ROUTE-REFRESH Message Error" };
	return code < 8 ? names[code] : "Unknown error";
}

const char *lsoe_bgp_subcode_name(uint8_t code, uint8_t subcode)
{
	static const char *const header_names[] = { NULL, "Connection Not Synchronized", "Bad Message Length",
		"Bad Message Type" };
	static const char *const open_names[] = { NULL, "Unsupported Version Number", "Bad Peer AS",
		"Bad BGP Identifier", "Unsupported Optional Parameter", NULL, "Unacceptable Hold Time",
		"Unsupported Capability", "Role Mismatch" };
	static const char *const update_names[] = { NULL, "Malformed Attribute List",
		"Unrecognized Well-known Attribute", "Missing Well-known Attribute", "Attribute Flags Error",
		"Attribute Length Error", "Invalid ORIGIN Attribute", NULL, "Invalid NEXT_HOP Attribute",
		"Optional Attribute Error", "Invalid Network Field", "Malformed AS_PATH" };
	static const char *const fsm_names[] = { NULL, "Receive Unexpected Message in OpenSent State",
		"Receive Unexpected Message in OpenConfirm State", "Receive Unexpected Message in Established State" };
	static const char *const cease_names[] = { NULL, "Maximum Number of Prefixes Reached",
		"Administrative Shutdown", "Peer De-configured", "Administrative Reset", "Connection Rejected",
		"Other Configuration Change", "Connection Collision Resolution", "Out of Resources", "Hard Reset",
		"BFD Down" };
#define PICK(t) (subcode < sizeof(t) / sizeof(t[0]) ? t[subcode] : NULL)
	const char *s = NULL;
	switch (code) {
	case 1: s = PICK(header_names); break;
	case 2: s = PICK(open_names); break;
	case 3: s = PICK(update_names); break;
	case 5: s = PICK(fsm_names); break;
	case 6: s = PICK(cease_names); break;
	default: break;
	}
#undef PICK
	return s;
}
