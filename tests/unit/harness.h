/*
 * A tiny deterministic world for engine tests: a fake clock, nodes, and an
 * in-memory wire of point-to-point links with per-direction delay and a drop
 * filter. Frames are delivered from a queue, never from inside a send callback
 * (the engine forbids re-entry). Every event is recorded for assertions.
 */
#ifndef LSOE_HARNESS_H
#define LSOE_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lsoe/node.h"

#define H_MAX_NODES 8
#define H_MAX_PORTS 8
#define H_MAX_LINKS 16
#define H_MAX_EVENTS 4096
#define H_MAX_SENT 4096
#define SEC 1000000000ull
#define MS 1000000ull

struct h_world;

/* One recorded event, with copies of what the event pointed to. */
struct h_event {
	uint64_t time;
	enum lsoe_event_type type;
	uint32_t port;
	uint8_t peer_mac[6];
	bool has_peer_id;
	uint8_t peer_id[LSOE_LOCAL_ID_LEN];
	enum lsoe_down_reason reason;
	uint8_t encap_type;
	uint16_t encap_count;
	struct lsoe_encap encaps[8];  /* the first 8 (labels not kept) */
	uint16_t link_count;          /* links events */
	struct lsoe_link links[4];    /* the first 4 pairs (labels not kept: link_labels has the first of each end) */
	uint32_t link_labels[4][2];   /* [pair][0 local, 1 peer]: first label value, or UINT32_MAX when none */
	uint8_t local_id[LSOE_LOCAL_ID_LEN];
	enum lsoe_error_kind error;
	uint8_t etype, ack_pdu_type;
	uint16_t code, hint;
	uint8_t attrs[8];
	uint8_t attr_count;
	char text[192];               /* the event's text (error, session_down), truncated; "" when none */
};

/* One PDU a node sent (first datagram of each PDU), for asserting timings. */
struct h_sent {
	uint64_t time;
	uint32_t port;
	uint8_t dst[6];
	uint8_t type;                 /* PDU type of the first datagram's payload */
	uint8_t ack_type;             /* for ACKs */
	/* Decoded when the PDU fits this one datagram (all but big encapsulation PDUs): */
	bool decoded;
	uint8_t etype;                /* ACKs */
	uint16_t code, hint;
	uint32_t nonce;               /* OPENs */
	uint16_t count;               /* encapsulation PDUs: entries */
	size_t len;                   /* datagram length */
	bool last;                    /* L bit: the PDU ends in this datagram */
};

struct h_node {
	struct h_world *w;
	int index;
	char name[16];
	struct lsoe_node *node;
	struct lsoe_config cfg;       /* what node was created with (the node keeps only what it reads) */
	struct lsoe_platform pf;
	uint8_t mac[H_MAX_PORTS][6];
	uint64_t rng;
	size_t live_bytes, peak_bytes;
	long fail_allocs_after;       /* < 0 never */
	struct h_event events[H_MAX_EVENTS];
	size_t nevents;
	struct h_sent sent[H_MAX_SENT];
	size_t nsent;
	uint64_t dgrams_sent;         /* every datagram, fragments included */
	size_t nwarnings;             /* log lines at LSOE_LOG_WARNING */
	char last_warning[256];
	struct h_kept *kept;          /* the entries of the session views h_session returned (freed with the world) */
};

/* A drop filter: return true to lose the datagram (from node, port, PDU type of the datagram's first octets). */
typedef bool (*h_drop_fn)(void *ctx, const struct h_node *from, uint32_t port, const uint8_t *dgram, size_t len);

struct h_link {
	int a, b;                     /* node indexes */
	uint32_t pa, pb;              /* port ids */
	bool up;
	uint64_t delay;
};

struct h_frame {
	uint64_t when;
	uint64_t seq;
	int to;
	uint32_t port;
	uint8_t src[6], dst[6];
	size_t len;
	uint8_t *bytes;
};

struct h_world {
	uint64_t now;
	struct h_node *nodes[H_MAX_NODES];
	int nnodes;
	struct h_link links[H_MAX_LINKS];
	int nlinks;
	struct h_frame *q;            /* pending frames (unsorted; picked by when, seq) */
	size_t nq, qcap;
	uint64_t seq;
	h_drop_fn drop;
	void *drop_ctx;
	uint64_t delivered, dropped;
};

/* A world at time t0 (nonzero so "time 0" bugs show). */
void h_world_init(struct h_world *w, uint64_t t0);
void h_world_free(struct h_world *w);

/* A node with a config (NULL: defaults), local ID ending in id_octet, MACs 02:00:00:00:<index>:<port>. */
struct h_node *h_node_add(struct h_world *w, const char *name, uint8_t id_octet, const struct lsoe_config *cfg);
/* The platform's prefetch_send of the nodes added from now on (NULL: none, the default); ctx is the h_node. */
extern void (*h_prefetch_send)(void *ctx, uint32_t port);
/* Join node a port pa to node b port pb with a one-way delay; adds both ports (up). */
void h_link(struct h_world *w, struct h_node *a, uint32_t pa, struct h_node *b, uint32_t pb, uint64_t delay);
void h_link_set_up(struct h_world *w, int link, bool up);

/* The world most engine tests start from: A (local ID octet 1) and B (2), linked on their ports `port`; nothing run yet. */
struct h_pair {
	struct h_world w;
	struct h_node *a, *b;
};
void h_pair_init(struct h_pair *p, uint64_t t0, uint32_t port, uint64_t delay);

/* Advance the world until time t (absolute), delivering frames and running timers. */
void h_run_until(struct h_world *w, uint64_t t);
static inline void h_run_for(struct h_world *w, uint64_t d) { h_run_until(w, w->now + d); }

/* Feed a raw frame payload into a node as if it arrived on port from src. */
void h_inject(struct h_world *w, struct h_node *n, uint32_t port, const uint8_t src[6], const uint8_t dst[6],
    const uint8_t *payload, size_t len);

/* Queries on recorded events and sends. */
size_t h_count_events(const struct h_node *n, enum lsoe_event_type type);
/*
 * A node's counters as they are now, copied (lsoe_node_counters_get) into one of eight
 * buffers taken in turn: no allocation, so the tests that count bytes are not moved by
 * it. Read them again after the world has run.
 */
const struct lsoe_counters *h_counters(const struct lsoe_node *node);
const struct h_event *h_last_event(const struct h_node *n, enum lsoe_event_type type);
const struct h_event *h_nth_event(const struct h_node *n, enum lsoe_event_type type, size_t i);
/*
 * Times at which n sent PDUs of type (and for ACKs, acknowledging ack_type; H_ACK_ANY = any: not 0xFF,
 * which is VENDOR's type). Returns count.
 */
#define H_ACK_ANY 0u /* HELLO (0) is never acknowledged */
size_t h_sent_times(const struct h_node *n, uint8_t type, uint8_t ack_type, uint64_t *times, size_t max);
/* The node's session view with peer (first found on any port), or false. */
bool h_session(struct h_node *n, const uint8_t peer[6], struct lsoe_session_view *v);
enum lsoe_session_state h_state(struct h_node *n, const uint8_t peer[6], bool *exists);
/* Default config with short, test-friendly values left at defaults except the local id. */
void h_config(struct lsoe_config *cfg, uint8_t id_octet);
/* Peek the PDU type of a datagram (first fragment only), or -1. */
int h_dgram_pdu_type(const uint8_t *dgram, size_t len);


/* ---- extensions for the engine tests ---- */

/* A link with no ports added yet (add them with h_port_add); returns its index. */
int h_wire(struct h_world *w, struct h_node *a, uint32_t pa, struct h_node *b, uint32_t pb, uint64_t delay);
/* Add port p ("eth<p>", the node's MAC for p, up) now. */
void h_port_add(struct h_node *n, uint32_t p);
/*
 * The node restarts: its lsoe_node is destroyed (aborts if it leaked), a new one
 * is created with the same configuration (and the same platform: the random
 * stream continues, so nonces differ) and every port that is a link end is added
 * again. Recorded events and sends are kept.
 */
void h_node_restart(struct h_world *w, struct h_node *n);

/* Drop rules for w->drop: a datagram is lost if any rule matches (and has drops left). */
struct h_drop_rule {
	int from;                     /* node index, -1 any */
	int type;                     /* PDU type of a first datagram, -1 any (fragments n > 0 match only -1) */
	int ack_type;                 /* for type ACK: the type acknowledged, -1 any */
	long remaining;               /* datagrams still to drop, -1 unlimited, 0 inactive */
	uint64_t dropped;
};
#define H_MAX_RULES 8
struct h_drop_rules {
	struct h_drop_rule r[H_MAX_RULES];
	int n;
};
bool h_drop_by_rules(void *ctx, const struct h_node *from, uint32_t port, const uint8_t *dgram, size_t len);
/* Install rules as w's drop filter (rules may be changed afterwards) and add one; returns it. */
struct h_drop_rule *h_drop_add(struct h_world *w, struct h_drop_rules *rules, int from, int type, int ack_type,
    long count);

/* Encode pdu, fragment it at mtu and inject every datagram (padded to 46) into n on port from src. */
void h_inject_pdu(struct h_world *w, struct h_node *n, uint32_t port, const uint8_t src[6], struct lsoe_pdu *pdu,
    uint32_t mtu);
void h_inject_ack(struct h_world *w, struct h_node *n, uint32_t port, const uint8_t src[6], uint8_t type,
    uint8_t etype, uint16_t code, uint16_t hint);
void h_inject_hello(struct h_world *w, struct h_node *n, uint32_t port, const uint8_t src[6]);

/* Encapsulation entries. */
struct lsoe_encap h_ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t plen, uint8_t flags);
/* IPv6 from 8 groups of 16 bits. */
struct lsoe_encap h_ipv6(const uint16_t groups[8], uint8_t plen, uint8_t flags);

/* Count of n's sends of type in [from, to] (ACKs: of ack_type, H_ACK_ANY any). */
size_t h_sent_between(const struct h_node *n, uint8_t type, uint8_t ack_type, uint64_t from, uint64_t to);
/* The i-th send of type (ACKs: of ack_type, H_ACK_ANY any), or NULL. */
const struct h_sent *h_nth_sent(const struct h_node *n, uint8_t type, uint8_t ack_type, size_t i);
/* Recorded session_down events of reason (-1: any), and error events of kind. */
size_t h_count_down(const struct h_node *n, int reason);
size_t h_count_errors(const struct h_node *n, enum lsoe_error_kind kind);

#endif
