/*
 * LSOE transport: Ethernet framing, the 8-octet datagram header, and
 * fragmentation of a PDU into datagrams (draft sections 3, 6, 7; digest 2).
 *
 * Decoding never allocates and never copies: decoded structs point into the
 * caller's buffer and are valid as long as that buffer is.
 */
#ifndef LSOE_WIRE_H
#define LSOE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lsoe/error.h"

#define LSOE_ETHERTYPE_DEFAULT   0x88B5u /* IEEE 802 Local Experimental 1 */
#define LSOE_ETHERTYPE_PYLSOED   0x8885u /* what py-lsoed sends (a typo of 0x88B5) */
#define LSOE_ETH_HDR_LEN         14u
#define LSOE_ETH_MIN_FRAME       60u     /* minimum frame without FCS */
#define LSOE_ETH_VLAN_MAX        2u      /* 802.1ad + 802.1Q */

#define LSOE_DGRAM_HDR_LEN       8u
#define LSOE_DGRAM_MAX_LEN       65535u
#define LSOE_DGRAM_NUM_MAX       127u    /* 7-bit datagram number */
#define LSOE_DGRAM_LAST          0x80u
#define LSOE_VERSION             0u

#define LSOE_MTU_DEFAULT         1500u
#define LSOE_MTU_MIN             (LSOE_DGRAM_HDR_LEN + 1u)

/* Multicast destinations allowed for HELLO (draft section 9). */
#define LSOE_MAC_NEAREST_BRIDGE          { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e }
#define LSOE_MAC_NEAREST_NON_TPMR_BRIDGE { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x03 }

struct lsoe_eth {
	uint8_t dst[6];
	uint8_t src[6];
	uint16_t ethertype;      /* after any VLAN tags */
	uint16_t vlan[LSOE_ETH_VLAN_MAX]; /* VLAN IDs, outermost first */
	unsigned nvlan;
	const uint8_t *payload;
	size_t payload_len;      /* everything after the header, padding included */
};

/* Parse an Ethernet II header, skipping up to two 802.1Q/802.1ad tags. */
enum lsoe_err lsoe_eth_decode(const uint8_t *frame, size_t len, struct lsoe_eth *eth);

/* Write a 14-octet Ethernet header; returns its length. */
size_t lsoe_eth_encode_header(uint8_t *out, const uint8_t dst[6], const uint8_t src[6],
    uint16_t ethertype);

static inline bool lsoe_mac_is_group(const uint8_t mac[6]) { return (mac[0] & 1u) != 0; }

struct lsoe_dgram {
	uint8_t version;
	bool last;
	uint8_t number;          /* 0..127 */
	uint16_t length;         /* datagram length field, header included */
	uint32_t checksum;       /* as carried on the wire */
	bool checksum_ok;        /* meaningful only when length is valid */
	const uint8_t *bytes;    /* the datagram (length octets; padding excluded) */
	const uint8_t *payload;  /* the PDU slice */
	size_t payload_len;
};

/*
 * Decode and validate one datagram from an Ethernet payload of len octets.
 * Octets beyond the length field (Ethernet padding) are ignored. Header fields
 * are filled in as far as they could be read, even when an error is returned,
 * so a decoder tool can show what was on the wire.
 */
enum lsoe_err lsoe_dgram_decode(const uint8_t *buf, size_t len, struct lsoe_dgram *d);

/*
 * Write a datagram header for a payload of payload_len octets already placed at
 * out + 8, then fill in the checksum. Returns the datagram length, or 0 if the
 * result would exceed 65535 octets or number > 127.
 */
size_t lsoe_dgram_seal(uint8_t *out, uint8_t number, bool last, size_t payload_len);

/*
 * Fragmentation: an iterator that slices one encoded PDU into datagrams of at
 * most mtu octets, numbered from 0 with L set on the last (digest 2.4).
 */
struct lsoe_frag {
	const uint8_t *pdu;
	size_t pdu_len;
	size_t slice;            /* payload octets per datagram */
	size_t off;
	unsigned next;           /* next datagram number */
	unsigned total;          /* datagrams this PDU needs */
};

enum lsoe_err lsoe_frag_init(struct lsoe_frag *f, const uint8_t *pdu, size_t pdu_len, size_t mtu);
/* Datagrams the PDU needs (valid after a successful init). */
static inline unsigned lsoe_frag_count(const struct lsoe_frag *f) { return f->total; }
/*
 * Write the next datagram into out (cap octets). Returns its length, 0 when
 * every datagram has been produced, or 0 with *err set if cap is too small.
 */
size_t lsoe_frag_next(struct lsoe_frag *f, uint8_t *out, size_t cap, enum lsoe_err *err);

#endif
