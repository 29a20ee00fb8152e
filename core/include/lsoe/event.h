/*
 * Northbound events: what a node tells the layer above (BGP-SPF, a monitor, a test).
 *
 *   session_up     a session reached ESTABLISHED: peer MAC, peer ID, attributes
 *   session_down   it ended, with a reason
 *   encaps         the peer's full list of one encapsulation type, after every
 *                  update; at session down an empty list per type it had sent,
 *                  which is the withdrawal
 *   error          something the operator should know (an error ACK, an address
 *                  conflict, an allocation failure)
 *   links          the link of one encapsulation type with this peer (draft sections 5
 *                  and 16): every pair of our address and the peer's that lie in one
 *                  subnet, in full, whenever that set changes; an empty list when the
 *                  link of that type is gone (session down, a list withdrawn, addresses
 *                  that stopped agreeing)
 */
#ifndef LSOE_EVENT_H
#define LSOE_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lsoe/error.h"
#include "lsoe/pdu.h"

enum lsoe_event_type {
	LSOE_EV_SESSION_UP,
	LSOE_EV_SESSION_DOWN,
	LSOE_EV_ENCAPS,
	LSOE_EV_ERROR,
	LSOE_EV_LINKS,
};

#define LSOE_DOWN_REASONS(X) \
	X(LSOE_DOWN_KEEPALIVE_TIMEOUT, "keepalive_timeout") \
	X(LSOE_DOWN_RETRANSMIT_LIMIT,  "retransmit_limit") \
	X(LSOE_DOWN_PEER_RESTART,      "peer_restart") \
	X(LSOE_DOWN_PORT_DOWN,         "port_down") \
	X(LSOE_DOWN_ERROR_ACK,         "error_ack") \
	X(LSOE_DOWN_SHUTDOWN,          "shutdown")

enum lsoe_down_reason {
#define LSOE_DOWN_ENUM(code, name) code,
	LSOE_DOWN_REASONS(LSOE_DOWN_ENUM)
#undef LSOE_DOWN_ENUM
	LSOE_DOWN_COUNT
};

/* What an error event is about. */
#define LSOE_ERROR_KINDS(X) \
	X(LSOE_ERRK_ACK_RECEIVED,  "error_ack_received") /* the peer sent an ACK with EType != 0 */ \
	X(LSOE_ERRK_ACK_SENT,      "error_ack_sent")     /* we answered a PDU with an error ACK */ \
	X(LSOE_ERRK_ADDR_CONFLICT, "address_conflict")   /* the peer claims one of our addresses */ \
	X(LSOE_ERRK_NOMEM,         "out_of_memory")      /* an allocation failed; something was dropped */ \
	X(LSOE_ERRK_SESSION_CAP,   "session_cap")        /* a new peer was refused: the port is full */ \
	X(LSOE_ERRK_HOLD,          "hold")               /* a hopeless error: session held until reset */

enum lsoe_error_kind {
#define LSOE_ERRK_ENUM(code, name) code,
	LSOE_ERROR_KINDS(LSOE_ERRK_ENUM)
#undef LSOE_ERRK_ENUM
	LSOE_ERRK_COUNT
};

/*
 * One address pair of a link: our entry and the peer's, of the same encapsulation
 * type, each address inside the other's prefix (labels pointing into the pair's
 * storage). Neither is ever a loopback entry.
 */
struct lsoe_link {
	struct lsoe_encap local;
	struct lsoe_encap peer;
};

struct lsoe_event {
	enum lsoe_event_type type;
	uint64_t time_ns;            /* the node's clock */
	uint32_t port;               /* port id as given to lsoe_node_port_add */
	const char *port_name;
	bool has_peer;
	uint8_t peer_mac[6];
	bool has_peer_id;
	uint8_t peer_id[LSOE_LOCAL_ID_LEN];

	/* The peer's OPEN attributes, on every event whose peer's OPEN is known */
	const uint8_t *attrs;
	uint8_t attr_count;

	/* session_down */
	enum lsoe_down_reason reason;

	/* encaps and links: type is one of the four encapsulation PDU types */
	uint8_t encap_type;
	const struct lsoe_encap *encaps;
	uint16_t encap_count;

	/* links: the pairs, sorted by our address (then prefix length, the peer's address and
	   prefix length), and our local ID as the node's configuration has it */
	const struct lsoe_link *links;
	uint16_t link_count;
	uint8_t local_id[LSOE_LOCAL_ID_LEN];

	/* error */
	enum lsoe_error_kind error;
	uint8_t ack_pdu_type;        /* for ACK errors: the type acknowledged */
	uint8_t etype;
	uint16_t code;
	uint16_t hint;
	const char *text;            /* human-readable detail */
};

const char *lsoe_event_type_name(enum lsoe_event_type t);      /* "session_up", ... */
const char *lsoe_down_reason_name(enum lsoe_down_reason r);   /* "keepalive_timeout", ... */
const char *lsoe_error_kind_name(enum lsoe_error_kind k);

#endif
