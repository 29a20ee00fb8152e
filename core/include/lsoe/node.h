/*
 * The LSOE node: one switch's worth of protocol, sans I/O.
 *
 * The shape is picoquic's: feed it what happened (a frame arrived, a port changed,
 * addresses changed), let it run its due timers, ask it when it next needs to run.
 *
 *     node = lsoe_node_create(&cfg, &platform);
 *     lsoe_node_port_add(node, 1, "eth0", mac, LSOE_PORT_UP);
 *     lsoe_node_set_encaps(node, 1, LSOE_PDU_IPV4_ENCAP, entries, n);
 *     for (;;) {
 *         uint64_t deadline = lsoe_node_run(node);      // sends what is due
 *         wait for a frame or until deadline (platform clock);
 *         if (frame) lsoe_node_input(node, port, src, dst, payload, len);
 *     }
 *
 * Everything the node does to the world goes through the platform (platform.h):
 * frames out, events north, logs, memory, randomness and the clock. A node never
 * blocks, never reads a clock other than platform.now_ns, and never allocates
 * without a bound: sessions per port are capped, reassembly is bounded, and every
 * refusal is counted.
 *
 * Port ids are chosen by the caller (an ifindex, a simulator link end).
 */
#ifndef LSOE_NODE_H
#define LSOE_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lsoe/config.h"
#include "lsoe/error.h"
#include "lsoe/event.h"
#include "lsoe/pdu.h"
#include "lsoe/platform.h"

struct lsoe_node;

#define LSOE_NEVER UINT64_MAX

/* Port flags. */
#define LSOE_PORT_UP        0x1u  /* link is up: HELLOs flow, sessions may exist */
#define LSOE_PORT_LOOPBACK  0x2u  /* a loopback: never sends HELLO */

/* ---- lifetime ---- */

/* NULL if cfg fails lsoe_config_check or memory runs out. */
struct lsoe_node *lsoe_node_create(const struct lsoe_config *cfg, const struct lsoe_platform *pf);
/*
 * A graceful stop, in two steps. LSOE has no CLOSE message, so a peer would only
 * notice our going at its keepalive timeout. First lsoe_node_withdraw announces an
 * empty list (Count = 0 withdraws all, draft 12.1) of every type we advertise, on
 * every established session; keep running the node until lsoe_node_unacked is 0 or
 * a deadline of your choosing passes; then lsoe_node_shutdown.
 * lsoe_node_withdraw returns the number of PDUs now awaiting an ACK.
 */
unsigned lsoe_node_withdraw(struct lsoe_node *n);
/* ACKed PDUs sent or queued and not yet acknowledged, over every session. */
unsigned lsoe_node_unacked(const struct lsoe_node *n);
/* Close every session (session_down "shutdown" and withdrawals are reported). */
void lsoe_node_shutdown(struct lsoe_node *n);
/* Free everything. Reports nothing; call lsoe_node_shutdown first for a clean stop. */
void lsoe_node_destroy(struct lsoe_node *n);
/*
 * Apply a new configuration without dropping sessions: timers take their new
 * values from their next arming, the local ID and attributes apply to new OPENs.
 * Returns LSOE_E_INVALID if cfg fails lsoe_config_check, LSOE_E_NOMEM if new
 * attributes or auth-data cannot be stored (either way the old one stays).
 * The node keeps only the keys it reads, not cfg: the caller keeps its own copy.
 */
enum lsoe_err lsoe_node_reconfigure(struct lsoe_node *n, const struct lsoe_config *cfg);

/* ---- ports ---- */

/* A port's name is kept to this many characters: an interface name (IFNAMSIZ - 1 on Linux). */
#define LSOE_PORT_NAME_MAX 15u

/* name: shown in logs and events (NULL: "port<id>"), cut to LSOE_PORT_NAME_MAX characters. */
enum lsoe_err lsoe_node_port_add(struct lsoe_node *n, uint32_t port, const char *name, const uint8_t mac[6],
    unsigned flags);
/* Tears its sessions down (reason port_down). */
enum lsoe_err lsoe_node_port_remove(struct lsoe_node *n, uint32_t port);
/* Up: a HELLO goes out at once. Down: sessions torn down (port_down), partial PDUs dropped. */
enum lsoe_err lsoe_node_port_set_up(struct lsoe_node *n, uint32_t port, bool up);
/*
 * MTU of the port's link (largest datagram), default the configured mtu. The lists
 * set on the port are measured again against the new bound (see
 * lsoe_node_set_encaps): a smaller MTU may cut a list, a larger one announce more
 * of a list that was cut; a list whose announced part changes goes to the sessions
 * as any new list does.
 */
enum lsoe_err lsoe_node_port_set_mtu(struct lsoe_node *n, uint32_t port, uint32_t mtu);

/*
 * Set this port's encapsulations of one type (4..7), replacing the previous list.
 * The list is copied. Established sessions on the port get a full replacement PDU
 * (one in flight per type; newer lists wait for its ACK and replace each other).
 * Once a type has been set, it is advertised, empty or not, in every new session.
 * Entries: flags (LSOE_ENCAP_PRIMARY, LSOE_ENCAP_LOOPBACK), address, prefix length,
 * labels (MPLS types); LSOE_E_ENCAP_PREFIX_LEN if a prefix length exceeds the
 * address, LSOE_E_INVALID if an entry claims labels it does not point to.
 *
 * A list of any length is taken. What one PDU can carry is bounded: the PDU is at
 * most 65535 octets (LSOE_PDU_MAX_LEN) and at most 128 datagrams of the port's MTU,
 * that is lsoe_encap_room(mtu) octets, 5 of them the PDU's header and count. A list
 * that fits is announced as given. A longer one is cut by a fixed rule: entries
 * flagged Primary first, then those flagged Loopback, then the others; within each,
 * by address (octets, most significant first), then prefix length, then the order
 * given; the longest head of that order that fits is announced, in that order, and
 * the rest is not. A cut counts encaps_truncated and logs a warning once per change:
 * setting the same list again (in any order) at the same MTU says nothing more.
 */
enum lsoe_err lsoe_node_set_encaps(struct lsoe_node *n, uint32_t port, unsigned type,
    const struct lsoe_encap *entries, size_t count);
/* Octets an encapsulation PDU may occupy on a port of this MTU: min(65535, 128 * (mtu - 8)). */
size_t lsoe_encap_room(uint32_t mtu);

/* ---- input and time ---- */

/*
 * A frame arrived on port: payload is everything after the Ethernet header
 * (padding included), src/dst its MACs. Frames from our own MAC are ignored.
 */
void lsoe_node_input(struct lsoe_node *n, uint32_t port, const uint8_t src[6], const uint8_t dst[6],
    const uint8_t *payload, size_t len);

/* Run every timer due at platform.now_ns. Returns the next deadline, or LSOE_NEVER. */
uint64_t lsoe_node_run(struct lsoe_node *n);
uint64_t lsoe_node_next_deadline(const struct lsoe_node *n);

/*
 * Hints for a caller that knows which calls come next (the simulator reads its event
 * queue ahead). They change nothing; they only ask the CPU to fetch the memory that
 * lsoe_node_input(n, port, ...) or lsoe_node_run(n) will read. At scale that memory is
 * long out of cache and is a chain of dependent loads (node, port table, port,
 * session), so a hint comes in steps 0 to LSOE_PREFETCH_STEPS - 1, given for the same
 * call a few calls apart: each step reads what the step before fetched and fetches the
 * next link. Steps out of order, or a hint for a call that never comes, cost a little
 * time and nothing else.
 */
#define LSOE_PREFETCH_STEPS 4
void lsoe_node_prefetch_input(const struct lsoe_node *n, uint32_t port, unsigned step);
void lsoe_node_prefetch_run(const struct lsoe_node *n, unsigned step);

/* ---- VENDOR PDUs (draft section 14) ---- */

typedef void (*lsoe_vendor_fn)(void *ctx, uint32_t port, const uint8_t peer[6], const struct lsoe_vendor *v);
/* One handler per enterprise number; fn NULL removes it. VENDOR PDUs are ACKed either way. */
enum lsoe_err lsoe_node_vendor_register(struct lsoe_node *n, uint32_t enterprise, lsoe_vendor_fn fn, void *ctx);
/* Send a VENDOR PDU on an established session (ACKed and retransmitted like the others). */
enum lsoe_err lsoe_node_vendor_send(struct lsoe_node *n, uint32_t port, const uint8_t peer[6], uint32_t enterprise,
    uint8_t ent_type, const uint8_t *data, uint16_t len);

/* Clear a session held after a "hopeless" error ACK; the next HELLO restarts it. */
enum lsoe_err lsoe_node_session_reset(struct lsoe_node *n, uint32_t port, const uint8_t peer[6]);

/* ---- the link view (draft sections 5 and 16) ---- */

/*
 * Most address pairs one link of one type holds (per session and type). More would
 * take a hostile peer listing hundreds of addresses in our subnets: the view keeps
 * the first LSOE_LINKS_MAX in its sort order and counts links_truncated.
 */
#define LSOE_LINKS_MAX 256u

/*
 * The pairing rule: two entries of encapsulation type `type` (ours and the peer's)
 * make a link address pair when neither is a loopback, their addresses differ (the
 * same address is a conflict), and each address lies inside the other's prefix
 * (192.0.2.0/31 with 192.0.2.1/31; 192.0.2.1/24 with 192.0.2.0/31 too, but not
 * 192.0.2.1/24 with 192.0.2.9/31). Labels play no part.
 */
bool lsoe_link_addresses_agree(unsigned type, const struct lsoe_encap *a, const struct lsoe_encap *b);

/* ---- state, for display ---- */

enum lsoe_session_state {
	LSOE_STATE_OPENING,      /* OPEN exchange under way */
	LSOE_STATE_ESTABLISHED,
	LSOE_STATE_HOLD,         /* after a hopeless error; no automatic restart */
};
const char *lsoe_session_state_name(enum lsoe_session_state s); /* "opening", "established", "hold" */

/* Counters: the same set per node and per port. Every drop has a name. */
#define LSOE_COUNTERS(X) \
	X(rx_frames,            "frames received") \
	X(rx_pdus,              "complete PDUs received") \
	X(rx_dropped,           "frames or PDUs dropped (see rx_errors)") \
	X(rx_own_frames,        "our own frames seen again") \
	X(rx_unexpected,        "valid PDUs not acceptable in the session state") \
	X(tx_frames,            "datagrams sent") \
	X(tx_pdus,              "PDUs sent") \
	X(tx_hellos,            "HELLOs sent") \
	X(tx_keepalives,        "KEEPALIVEs sent") \
	X(retransmits,          "PDUs retransmitted") \
	X(retransmit_failures,  "PDUs that exhausted their retransmissions") \
	X(acks_sent,            "ACKs sent") \
	X(error_acks_sent,      "ACKs sent with an error") \
	X(error_acks_received,  "ACKs received with an error") \
	X(sessions_created,     "sessions created") \
	X(sessions_established, "sessions that reached ESTABLISHED") \
	X(sessions_closed,      "sessions closed") \
	X(sessions_refused,     "new peers refused: session cap reached") \
	X(sessions_expired,     "idle non-established sessions forgotten") \
	X(alloc_failures,       "allocations refused by the platform") \
	X(encap_conflicts,      "address conflicts detected") \
	X(vendor_pdus,          "VENDOR PDUs received") \
	X(links_incompatible,   "types both ends announced with addresses in no common subnet: no link") \
	X(links_truncated,      "link views cut at LSOE_LINKS_MAX address pairs") \
	X(encaps_truncated,     "our encapsulation lists cut to fit one PDU (the entries left out are not announced)")

struct lsoe_counters {
#define LSOE_COUNTER_FIELD(name, doc) uint64_t name;
	LSOE_COUNTERS(LSOE_COUNTER_FIELD)
#undef LSOE_COUNTER_FIELD
	uint64_t rx_errors[LSOE_ERR_COUNT];     /* per reason, names from lsoe_err_name */
	uint64_t rx_by_type[LSOE_PDU_TYPE_SLOTS]; /* valid PDUs received, per type: index lsoe_pdu_type_slot() */
	uint64_t tx_by_type[LSOE_PDU_TYPE_SLOTS]; /* PDUs sent, per type */
	uint64_t sessions_down[LSOE_DOWN_COUNT];/* per reason */
};

/* Names and descriptions of the scalar counters, in struct order. */
size_t lsoe_counter_count(void);
const char *lsoe_counter_name(size_t i);
const char *lsoe_counter_doc(size_t i);
uint64_t lsoe_counter_value(const struct lsoe_counters *c, size_t i);

struct lsoe_port_view {
	uint32_t port;
	const char *name;
	uint8_t mac[6];
	bool up, loopback;
	uint32_t mtu;
	uint32_t sessions;
	uint8_t encap_types;                    /* bit (type - 4) set: type advertised */
	const struct lsoe_counters *counters;   /* valid during the callback only */
	/*
	 * What the port announces, index type - 4: the entries as sent (a cut list in
	 * the order of the rule, see lsoe_node_set_encaps), and how many entries of the
	 * list last set were left out to fit one PDU (0: all of it is announced). The
	 * entries are decoded for the callback: valid during it, until it calls the node.
	 */
	const struct lsoe_encap *encaps[4];
	uint16_t encap_count[4];
	uint32_t encap_left_out[4];
};

struct lsoe_session_view {
	uint32_t port;
	const char *port_name;
	uint8_t peer_mac[6];
	enum lsoe_session_state state;
	bool has_peer_id;                       /* the peer's OPEN has been received */
	uint8_t peer_id[LSOE_LOCAL_ID_LEN];
	const uint8_t *attrs;
	uint8_t attr_count;
	uint64_t since_ns;                      /* entered its current state */
	uint64_t last_rx_ns;
	uint32_t our_nonce, peer_nonce;
	/*
	 * The peer's encapsulations, index type - 4; a type never received has count 0 and
	 * received false. The entries are decoded for the callback: valid during it, until
	 * it calls the node.
	 */
	bool encaps_received[4];
	const struct lsoe_encap *encaps[4];
	uint16_t encap_count[4];
	/*
	 * The link view, index type - 4: the address pairs (as in the links event), and
	 * whether both ends announce addresses of that type but none pairs up. The
	 * peer's loopbacks are its entries flagged LSOE_ENCAP_LOOPBACK in encaps[].
	 */
	const struct lsoe_link *links[4];
	uint16_t link_count[4];
	bool link_incompatible[4];
	uint32_t retransmits;
};

typedef void (*lsoe_port_visit_fn)(void *ctx, const struct lsoe_port_view *p);
typedef void (*lsoe_session_visit_fn)(void *ctx, const struct lsoe_session_view *s);

/* Whether a session (in any state) exists with peer on port: O(1), for invariant checkers. */
bool lsoe_node_has_session(struct lsoe_node *n, uint32_t port, const uint8_t peer[6]);

/* Visit in a stable order: ports by id; sessions by port id, then peer MAC. */
void lsoe_node_foreach_port(struct lsoe_node *n, lsoe_port_visit_fn fn, void *ctx);
void lsoe_node_foreach_session(struct lsoe_node *n, lsoe_session_visit_fn fn, void *ctx);
/*
 * The node's counters. lsoe_node_counters_get copies them into *out and needs no memory.
 * lsoe_node_counters returns them in a copy the node keeps (made at the first call, so
 * that a node never asked does not pay for it): valid until the next call into the
 * node; NULL only if that copy could not be made (out of memory).
 */
void lsoe_node_counters_get(const struct lsoe_node *n, struct lsoe_counters *out);
const struct lsoe_counters *lsoe_node_counters(const struct lsoe_node *n);

struct lsoe_node_memory {
	size_t bytes;                           /* allocated through the platform now */
	size_t peak_bytes;
	uint32_t sessions;
	uint32_t ports;
	uint32_t timers_armed;
};
void lsoe_node_memory(const struct lsoe_node *n, struct lsoe_node_memory *m);

#endif
