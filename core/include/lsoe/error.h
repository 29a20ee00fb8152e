/*
 * Error codes of the LSOE codec and reassembler.
 *
 * Every way a frame, datagram or PDU can fail validation has its own code, so a
 * drop can always be counted and explained by name (lsoe-dump prints these names).
 */
#ifndef LSOE_ERROR_H
#define LSOE_ERROR_H

/* X-macro: code, short name (snake_case, stable: used in JSON), description. */
#define LSOE_ERRORS(X) \
	X(LSOE_OK,                    "ok",                    "no error") \
	/* Ethernet framing (2.1, 2.6) */ \
	X(LSOE_E_FRAME_SHORT,         "frame_short",           "frame shorter than an Ethernet header") \
	X(LSOE_E_FRAME_VLAN_DEPTH,    "frame_vlan_depth",      "more VLAN tags than supported") \
	X(LSOE_E_SRC_MULTICAST,       "src_multicast",         "source MAC has the group bit set") \
	X(LSOE_E_NOT_FOR_US,          "not_for_us",            "unicast frame addressed to another station") \
	/* Datagram (2.2, 2.6) */ \
	X(LSOE_E_DGRAM_SHORT,         "datagram_short",        "payload shorter than the 8-octet datagram header") \
	X(LSOE_E_DGRAM_VERSION,       "datagram_version",      "datagram version is not 0") \
	X(LSOE_E_DGRAM_LENGTH_SHORT,  "datagram_length_short", "datagram length field below the header size") \
	X(LSOE_E_DGRAM_TRUNCATED,     "datagram_truncated",    "datagram length field exceeds the received payload") \
	X(LSOE_E_DGRAM_CHECKSUM,      "bad_checksum",          "datagram checksum mismatch") \
	/* Reassembly (2.4) */ \
	X(LSOE_E_FRAG_NO_START,       "fragment_orphan",       "fragment n>0 with no PDU being reassembled") \
	X(LSOE_E_FRAG_OUT_OF_ORDER,   "fragment_out_of_order", "fragment is not the next expected number") \
	X(LSOE_E_FRAG_STALE,          "fragment_stale",        "partial PDU exceeded the reassembly timeout") \
	X(LSOE_E_REASM_PDU_TOO_BIG,   "reassembly_too_big",    "reassembled PDU would exceed 65535 octets") \
	X(LSOE_E_REASM_SOURCE_LIMIT,  "reassembly_source_limit", "per-source reassembly byte limit reached") \
	X(LSOE_E_REASM_TOTAL_LIMIT,   "reassembly_total_limit", "total reassembly byte limit reached") \
	X(LSOE_E_REASM_TABLE_FULL,    "reassembly_table_full", "too many sources reassembling at once") \
	X(LSOE_E_REASM_NOMEM,         "reassembly_nomem",      "allocator refused a reassembly buffer") \
	/* PDU header (3.1) */ \
	X(LSOE_E_PDU_SHORT,           "pdu_short",             "PDU shorter than its 3-octet header") \
	X(LSOE_E_PDU_LENGTH,          "pdu_length_mismatch",   "PDU length field differs from the reassembled size") \
	X(LSOE_E_PDU_UNKNOWN_TYPE,    "pdu_unknown_type",      "reserved or unknown PDU type") \
	/* Per type (3.2 - 3.7) */ \
	X(LSOE_E_HELLO_LENGTH,        "hello_length",          "HELLO length is not 3") \
	X(LSOE_E_KEEPALIVE_LENGTH,    "keepalive_length",      "KEEPALIVE length is not 3") \
	X(LSOE_E_OPEN_SHORT,          "open_short",            "OPEN shorter than 20 octets") \
	X(LSOE_E_OPEN_LENGTH,         "open_length",           "OPEN length is not 20 + attribute count + auth length") \
	X(LSOE_E_ACK_LENGTH,          "ack_length",            "ACK length is not 8") \
	X(LSOE_E_ACK_PDU_TYPE,        "ack_pdu_type",          "ACK acknowledges a type that is never ACKed") \
	X(LSOE_E_ACK_NOERROR_NONZERO, "ack_noerror_nonzero",   "ACK with error type 0 has a non-zero code or hint") \
	X(LSOE_E_ENCAP_SHORT,         "encap_short",           "encapsulation PDU shorter than 5 octets") \
	X(LSOE_E_ENCAP_TRUNCATED,     "encap_truncated",       "encapsulation entries overrun the PDU length") \
	X(LSOE_E_ENCAP_TRAILING,      "encap_trailing",        "octets left over after the counted entries") \
	X(LSOE_E_ENCAP_PREFIX_LEN,    "encap_prefix_len",      "prefix length out of range for the address family") \
	X(LSOE_E_VENDOR_SHORT,        "vendor_short",          "VENDOR shorter than 8 octets") \
	/* Encoding and local limits */ \
	X(LSOE_E_BUFFER,              "buffer_too_small",      "output buffer too small") \
	X(LSOE_E_PDU_TOO_BIG,         "pdu_too_big",           "PDU would exceed 65535 octets") \
	X(LSOE_E_MTU,                 "mtu_invalid",           "MTU too small or larger than 65535") \
	X(LSOE_E_TOO_MANY_FRAGMENTS,  "too_many_fragments",    "PDU needs more than 128 datagrams at this MTU") \
	X(LSOE_E_INVALID,             "invalid_argument",      "invalid argument") \
	/* Node */ \
	X(LSOE_E_NO_PORT,             "no_such_port",          "frame or request for a port the node does not have") \
	X(LSOE_E_PORT_DOWN,           "port_down",             "frame received on a port that is down") \
	X(LSOE_E_EXISTS,              "exists",                "already exists") \
	X(LSOE_E_NOMEM,               "out_of_memory",         "the platform refused an allocation") \
	X(LSOE_E_BUSY,                "busy",                  "a PDU of that type is still waiting for its ACK") \
	X(LSOE_E_NO_SESSION,          "no_such_session",       "no session with that peer on that port")

enum lsoe_err {
#define LSOE_ERR_ENUM(code, name, desc) code,
	LSOE_ERRORS(LSOE_ERR_ENUM)
#undef LSOE_ERR_ENUM
	LSOE_ERR_COUNT
};

/* Stable short name, e.g. "bad_checksum". Never NULL. */
const char *lsoe_err_name(enum lsoe_err e);
/* One-line human description. Never NULL. */
const char *lsoe_err_desc(enum lsoe_err e);

#endif
