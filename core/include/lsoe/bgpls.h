/*
 * The north side of the draft (section 16): the link view as BGP-LS (RFC 9552) Link
 * NLRIs and BGP-LS attributes, and the BGP-4 messages (RFC 4271, 4760, 5492, 6793)
 * an export-only speaker sends and must check. Pure functions on caller buffers:
 * no allocation, no I/O. The TCP session is the port's business (ports/linux).
 *
 * How an LSOE link becomes BGP-LS (docs/bgp-ls.md says why):
 *  - one Link NLRI (type 2) per address pair of the link view, Protocol-ID 7 (BGP,
 *    RFC 9086) unless configured, Identifier 0 unless configured;
 *  - node descriptors from the two 10-octet OPEN IDs (lsoe_bgpls_node_descriptor);
 *  - link descriptors 259/260 (IPv4 and MPLS-IPv4 pairs) or 261/262 (IPv6 and
 *    MPLS-IPv6); an MPLS pair with the same addresses as a plain one is the same link;
 *  - the BGP-LS attribute (29) carries the loopbacks of both ends as Router-IDs of the
 *    local and remote node (1028-1031) and our MPLS labels of the link as Peer-Adjacency
 *    SIDs (1102, RFC 9086: V and L flags, a 3-octet label).
 */
#ifndef LSOE_BGPLS_H
#define LSOE_BGPLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lsoe/node.h"
#include "lsoe/pdu.h"

#define LSOE_BGP_AFI_LS         16388u
#define LSOE_BGP_SAFI_LS        71u     /* BGP-LS (RFC 9552) */
#define LSOE_BGP_SAFI_SPF       80u     /* BGP-LS-SPF (draft-ietf-lsvr-bgp-spf) */
#define LSOE_BGPLS_PROTO_BGP    7u      /* Protocol-ID BGP (RFC 9086) */

#define LSOE_BGP_HDR_LEN        19u
#define LSOE_BGP_MSG_MAX        4096u   /* no Extended Message capability (RFC 8654) */
#define LSOE_BGP_AS_TRANS       23456u

/* ---- BGP-LS ---- */

#define LSOE_BGPLS_NODE_DESC_MAX 36u    /* 512, 513, 515 (8 octets) and 516 */
#define LSOE_BGPLS_NLRI_MAX     136u    /* one Link NLRI with its type and length (133 at most) */
#define LSOE_BGPLS_LABELS_MAX   16u     /* labels exported per link; more are left out */
#define LSOE_BGPLS_ATTR_MAX     256u    /* value of one BGP-LS attribute */

struct lsoe_bgpls_params {
	uint8_t protocol_id;                /* bgp-ls-protocol-id */
	uint64_t identifier;                /* bgp-ls-identifier: the NLRI's Identifier (routing universe) */
};

/*
 * Node descriptor sub-TLVs of a 10-octet LSOE ID b[0..9], in ascending type order:
 *   512 Autonomous System = b[2..5]            (ASN of an ASN||RouterID ID; 0 if none)
 *   513 BGP-LS Identifier = 0,0,b[0],b[1]      only when b[0] or b[1] is not 0
 *   515 IGP Router-ID     = b[6..9] (4 octets) when b[0..5] are all 0, else b[2..9] (8)
 *   516 BGP Router-ID     = b[6..9]
 * Every octet of the ID is kept, so distinct IDs give distinct descriptors. An ID
 * whose two high octets are not 0 (an 80-bit System-ID, say) "does not fit": those
 * octets ride only in 513, which RFC 9552 deprecates, so a receiver that ignores 513
 * cannot tell apart IDs that differ only there (lsoe_bgpls_id_fits says which).
 * Returns the octets written (the sub-TLVs, without the 256/257 header), 0 if cap is short.
 */
size_t lsoe_bgpls_node_descriptor(const uint8_t id[LSOE_LOCAL_ID_LEN], uint8_t *out, size_t cap);
bool lsoe_bgpls_id_fits(const uint8_t id[LSOE_LOCAL_ID_LEN]);

/* A node's loopbacks as BGP-LS Router-IDs: the first IPv4 and IPv6 ones. */
struct lsoe_bgpls_router_ids {
	bool has_v4, has_v6;
	uint8_t v4[4], v6[16];
};

/*
 * Pick a node's Router-IDs from its entries: of the loopback entries of each family
 * (IPv4 from types 4 and 6, IPv6 from 5 and 7; never a link-local one), a Primary
 * one first, else the first in list order. lists[i] and counts[i] are type 4 + i.
 */
void lsoe_bgpls_pick_router_ids(const struct lsoe_encap *const lists[4], const uint16_t counts[4],
    struct lsoe_bgpls_router_ids *out);

/* One exported link: one address pair, what its NLRI and attribute are made of. */
struct lsoe_bgpls_link {
	uint8_t local_id[LSOE_LOCAL_ID_LEN], peer_id[LSOE_LOCAL_ID_LEN];
	bool ipv6;                          /* 261/262 rather than 259/260 */
	uint8_t local_addr[16], peer_addr[16];
	struct lsoe_bgpls_router_ids local_rid, peer_rid;
	uint8_t label_count;
	uint32_t labels[LSOE_BGPLS_LABELS_MAX]; /* 20-bit label values */
};

/* The NLRI: type 2, length, Protocol-ID, Identifier, 256, 257, link descriptors. 0: cap too short. */
size_t lsoe_bgpls_link_nlri(const struct lsoe_bgpls_params *p, const struct lsoe_bgpls_link *l, uint8_t *out,
    size_t cap);

/* The value of the BGP-LS attribute (its TLVs in ascending type order); 0: nothing to say. */
size_t lsoe_bgpls_link_attr(const struct lsoe_bgpls_link *l, uint8_t *out, size_t cap);

/*
 * The exported links of one session view: one per distinct (our address, peer's
 * address) over the IPv4 and MPLS-IPv4 pairs, and one per distinct pair over IPv6
 * and MPLS-IPv6, in the view's order (plain types first); IPv6 pairs with a
 * link-local (fe80::/10) address are left out (RFC 9552 link descriptors carry
 * global addresses; GoBGP disables the family on one). A link with an MPLS pair
 * carries our labels of it (the first LSOE_BGPLS_LABELS_MAX). ours: our Router-IDs.
 * Returns the number of links (fn called for each); nothing unless established.
 */
typedef void (*lsoe_bgpls_link_fn)(void *ctx, const struct lsoe_bgpls_link *l);
size_t lsoe_bgpls_session_links(const struct lsoe_session_view *s, const uint8_t local_id[LSOE_LOCAL_ID_LEN],
    const struct lsoe_bgpls_router_ids *ours, lsoe_bgpls_link_fn fn, void *ctx);

/* ---- BGP-4 messages ---- */

enum lsoe_bgp_msg_type {
	LSOE_BGP_OPEN = 1,
	LSOE_BGP_UPDATE = 2,
	LSOE_BGP_NOTIFICATION = 3,
	LSOE_BGP_KEEPALIVE = 4,
	LSOE_BGP_ROUTE_REFRESH = 5,
};

/* NOTIFICATION codes (RFC 4271 section 4.5) and the subcodes we send. */
enum {
	LSOE_BGP_ERR_HEADER = 1,            /* 1 not synchronised, 2 bad length, 3 bad type */
	LSOE_BGP_ERR_OPEN = 2,              /* 1 version, 2 peer AS, 3 BGP id, 4 opt param, 6 hold time, 7 capability */
	LSOE_BGP_ERR_UPDATE = 3,            /* 1 malformed attribute list, ... */
	LSOE_BGP_ERR_HOLD_TIMER = 4,
	LSOE_BGP_ERR_FSM = 5,
	LSOE_BGP_ERR_CEASE = 6,             /* 2 administrative shutdown, 4 administrative reset */
};

/* What a receiver found wrong, as the NOTIFICATION it must send (RFC 4271 6.x). */
struct lsoe_bgp_error {
	uint8_t code, subcode;
	uint8_t data[6];                    /* e.g. the bad length, the unsupported capability */
	uint8_t data_len;
	const char *why;                    /* for the log: "marker is not all ones", ... */
};

struct lsoe_bgp_open_params {
	uint32_t local_as;                  /* 4 octets; the 2-octet field gets AS_TRANS above 65535 */
	uint16_t hold_time;                 /* 0, or 3 and more */
	uint8_t router_id[4];
	uint16_t afi;
	uint8_t safi;
};

/* Each returns the message length written (header included), 0 if cap is short. */
size_t lsoe_bgp_open(const struct lsoe_bgp_open_params *p, uint8_t *out, size_t cap);
size_t lsoe_bgp_keepalive(uint8_t *out, size_t cap);
size_t lsoe_bgp_notification(const struct lsoe_bgp_error *e, uint8_t *out, size_t cap);

struct lsoe_bgp_update_params {
	uint16_t afi;
	uint8_t safi;
	bool ebgp;                          /* AS_PATH of our AS, no LOCAL_PREF; iBGP: empty, LOCAL_PREF 100 */
	bool as4;                           /* the peer speaks 4-octet AS (else AS_TRANS and AS4_PATH) */
	uint32_t local_as;
	const uint8_t *next_hop;            /* 4 or 16 octets */
	uint8_t next_hop_len;
};

/*
 * An UPDATE announcing nlris (nlri_len octets of whole NLRIs sharing the attribute):
 * MP_REACH_NLRI first (RFC 7606 5.1), then ORIGIN IGP, AS_PATH, LOCAL_PREF as params
 * say, AS4_PATH when needed and, when attr_len > 0, the BGP-LS attribute.
 */
size_t lsoe_bgp_update_reach(const struct lsoe_bgp_update_params *p, const uint8_t *nlris, size_t nlri_len,
    const uint8_t *attr, size_t attr_len, uint8_t *out, size_t cap);
/* An UPDATE withdrawing nlris with MP_UNREACH_NLRI. */
size_t lsoe_bgp_update_unreach(uint16_t afi, uint8_t safi, const uint8_t *nlris, size_t nlri_len, uint8_t *out,
    size_t cap);
/* Most octets of NLRIs one withdrawal UPDATE holds. */
#define LSOE_BGP_UNREACH_NLRI_MAX (LSOE_BGP_MSG_MAX - LSOE_BGP_HDR_LEN - 4 - 4 - 3)

/*
 * The first message in buf (len octets received): its length in *msg_len and 1 when
 * it is all there, 0 when more is needed, -1 when the header is wrong (err says
 * which NOTIFICATION to send): marker not all ones, length below 19 or above 4096 or
 * wrong for the type, unknown type.
 */
int lsoe_bgp_frame(const uint8_t *buf, size_t len, size_t *msg_len, struct lsoe_bgp_error *err);

struct lsoe_bgp_open_info {
	uint8_t version;
	uint32_t peer_as;                   /* from the 4-octet AS capability when present */
	uint16_t hold_time;
	uint8_t router_id[4];
	bool as4;                           /* 4-octet AS capability */
	bool route_refresh;                 /* Route Refresh capability (RFC 2918) */
	bool family;                        /* Multiprotocol capability for the AFI/SAFI asked */
	uint8_t mp_count;                   /* Multiprotocol capabilities seen */
};

/*
 * Check an OPEN (the whole message as framed) against what we run: version 4, a
 * hold time of 0 or at least 3, a non-zero BGP Identifier different from our_id
 * (NULL: not checked, for an external peer, RFC 6286 2.2), the
 * peer AS we expect (0: any), well-formed optional parameters and capabilities.
 * Whether the peer offers our family is reported in info->family, not an error
 * here: the caller decides (it logs and backs off).
 */
bool lsoe_bgp_parse_open(const uint8_t *msg, size_t len, uint32_t expect_as, const uint8_t our_id[4], uint16_t afi,
    uint8_t safi, struct lsoe_bgp_open_info *info, struct lsoe_bgp_error *err);

struct lsoe_bgp_notification_info {
	uint8_t code, subcode;
	const uint8_t *data;
	size_t data_len;
};
bool lsoe_bgp_parse_notification(const uint8_t *msg, size_t len, struct lsoe_bgp_notification_info *info,
    struct lsoe_bgp_error *err);

/*
 * Check an UPDATE's structure (we export only, so its routes are not kept): the
 * withdrawn routes and path attribute lengths add up, each attribute's header fits,
 * the well-known attributes have their lengths, MP_REACH/MP_UNREACH hold together.
 */
bool lsoe_bgp_parse_update(const uint8_t *msg, size_t len, struct lsoe_bgp_error *err);

/* A ROUTE-REFRESH: its AFI and SAFI. */
bool lsoe_bgp_parse_route_refresh(const uint8_t *msg, size_t len, uint16_t *afi, uint8_t *safi,
    struct lsoe_bgp_error *err);

/* "Cease", "Cease/Administrative Shutdown", "OPEN Message Error/Unsupported Capability", ... */
const char *lsoe_bgp_code_name(uint8_t code);
const char *lsoe_bgp_subcode_name(uint8_t code, uint8_t subcode);
/* Names of the message types ("OPEN", ...; "type 9" is not given: NULL). */
const char *lsoe_bgp_msg_name(uint8_t type);

#endif
