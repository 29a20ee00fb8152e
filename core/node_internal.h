/*
 * The node's internals, shared by node.c (ports, input, timers, queries),
 * session.c (the per-peer protocol) and session_fsm.c (the transition table).
 * Not part of the public API.
 */
#ifndef LSOE_NODE_INTERNAL_H
#define LSOE_NODE_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lsoe/node.h"
#include "lsoe/reasm.h"
#include "timer.h"

#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* Timer kinds: which owner a popped timer belongs to. */
enum {
	TK_NODE_REASM,       /* partial PDUs to expire */
	TK_PORT_HELLO,       /* next HELLO beacon */
	TK_SESSION_SEND,     /* next KEEPALIVE, or a rate-limited OPEN */
	TK_SESSION_RECV,     /* keepalive receive timeout; in OPENING/HOLD, the idle timeout */
	TK_SESSION_RTX,      /* earliest retransmission deadline */
};

/* A PDU encoded once and shared by reference (a port's encapsulations go to every session). */
struct pdubuf {
	uint32_t refs;
	uint16_t len;
	uint8_t type;
	uint8_t list;                /* 1: it is a port list's (encaps.c); 2: of a cut list (port_list_cut) */
	uint8_t bytes[];
};

/*
 * Encapsulations as struct lsoe_encap, entries and label octets in one block: a cut list's
 * longer head (struct port_list_cut), and the node's decode buffers (port_list_decode).
 */
struct encap_block {
	uint32_t size;               /* of the whole block, for free (under 64 MiB: 65535 entries of 255 labels) */
	uint16_t count;
	struct lsoe_encap entries[]; /* label octets follow the entries */
};

/* The address pairs of a link view of one type, their label octets after them: for a links event. */
struct link_block {
	uint32_t size;               /* of the whole block, for free */
	uint16_t count;              /* at most LSOE_LINKS_MAX */
	struct lsoe_link pairs[];
};

/* A session's link views as displayed, every type in one block (links_view). */
struct link_view {
	uint32_t size;               /* of the whole block, for free */
	uint16_t first[4], count[4]; /* type 4+i: pairs[first[i]], count[i] of them */
	struct lsoe_link pairs[];
};

/*
 * A port's counters, sparse (counters.c). Counter i is the i-th uint64_t of struct
 * lsoe_counters; it is stored under bit ctr_bit(i) of the presence bitmap (has0: bits
 * 0-63, has1: 64-127; split so that the port's hot line holds has0 only), at the position given by
 * the number of bits set below that one. The bits begin with the counters every port
 * of a fabric link increments (frames and PDUs, HELLO OPEN ACK KEEPALIVE and two types
 * of encapsulations each way, sessions created and established), so that on such a
 * port each of them sits at the position of its bit, which the hot path checks with
 * one mask instead of a population count. The first PORT_CTR_INLINE positions are
 * inside the port; further ones in more[], grown on a counter's first increment.
 * Values are kept in 32 bits: a counter that passes 2^32 - 1 carries into a high
 * word kept aside (wide[], by bit), so a port pays for 64 bits only where it needs them.
 */
#define CTR_SLOTS (sizeof(struct lsoe_counters) / sizeof(uint64_t))
#define CTR_INDEX(field) ((unsigned)(offsetof(struct lsoe_counters, field) / sizeof(uint64_t)))
#define CTR_HOT 21u
#define PORT_CTR_INLINE 21u
_Static_assert(sizeof(struct lsoe_counters) % sizeof(uint64_t) == 0, "counters are uint64_t only");
_Static_assert(CTR_HOT + sizeof(struct lsoe_counters) / sizeof(uint64_t) <= 128, "the presence bitmap has 128 bits");
_Static_assert(CTR_HOT <= PORT_CTR_INLINE, "the hot counters are inside the port");

/* 1 + the bit of each hot counter; 0 for the others, whose bit is CTR_HOT + their index. */
/* The keepalive paths' counters come right after the totals: with them the port's hot line ends (struct port). */
static const uint8_t ctr_hot_rank[CTR_SLOTS] = {
	[CTR_INDEX(rx_frames)] = 1,
	[CTR_INDEX(rx_pdus)] = 2,
	[CTR_INDEX(tx_frames)] = 3,
	[CTR_INDEX(tx_pdus)] = 4,
	[CTR_INDEX(rx_by_type) + LSOE_PDU_KEEPALIVE] = 5,
	[CTR_INDEX(tx_by_type) + LSOE_PDU_KEEPALIVE] = 6,
	[CTR_INDEX(tx_keepalives)] = 7,
	[CTR_INDEX(tx_hellos)] = 8,
	[CTR_INDEX(rx_by_type) + LSOE_PDU_HELLO] = 9,
	[CTR_INDEX(tx_by_type) + LSOE_PDU_HELLO] = 10,
	[CTR_INDEX(sessions_created)] = 11,
	[CTR_INDEX(rx_by_type) + LSOE_PDU_OPEN] = 12,
	[CTR_INDEX(tx_by_type) + LSOE_PDU_OPEN] = 13,
	[CTR_INDEX(rx_by_type) + LSOE_PDU_ACK] = 14,
	[CTR_INDEX(tx_by_type) + LSOE_PDU_ACK] = 15,
	[CTR_INDEX(acks_sent)] = 16,
	[CTR_INDEX(sessions_established)] = 17,
	[CTR_INDEX(rx_by_type) + LSOE_PDU_IPV4_ENCAP] = 18,
	[CTR_INDEX(tx_by_type) + LSOE_PDU_IPV4_ENCAP] = 19,
	[CTR_INDEX(rx_by_type) + LSOE_PDU_IPV6_ENCAP] = 20,
	[CTR_INDEX(tx_by_type) + LSOE_PDU_IPV6_ENCAP] = 21,
};

static inline unsigned ctr_bit(unsigned i) { return ctr_hot_rank[i] ? ctr_hot_rank[i] - 1u : CTR_HOT + i; }

struct ctr_wide {
	uint32_t bit;
	uint32_t hi;                 /* the counter is hi * 2^32 + its 32-bit value */
};

struct port_ctr {
	uint64_t has0;               /* the hot part first: every hot bit, and their values */
	uint32_t v[PORT_CTR_INLINE]; /* the low 32 bits */
	uint8_t n, more_cap;         /* stored in all; room in more */
	uint8_t nwide, wide_cap;
	uint32_t *more;              /* positions PORT_CTR_INLINE and up */
	struct ctr_wide *wide;       /* counters that passed 2^32 - 1; NULL: none did */
	uint64_t has1;
};

static inline uint64_t *port_ctr_word(struct port_ctr *c, unsigned bit) { return bit < 64 ? &c->has0 : &c->has1; }

static inline unsigned ctr_popcount(uint64_t x)
{
#if defined(__POPCNT__)
	return (unsigned)__builtin_popcountll(x);
#else
	/* No popcnt instruction in the baseline x86-64 target: a few shifts beat a libgcc call. */
	x -= (x >> 1) & 0x5555555555555555ull;
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
#endif
}

static inline bool port_ctr_has(const struct port_ctr *c, unsigned bit)
{
	return ((bit < 64 ? c->has0 : c->has1) >> (bit & 63)) & 1u;
}

/* Where the counter of this bit is (or would go). */
static inline unsigned port_ctr_pos(const struct port_ctr *c, unsigned bit)
{
	uint64_t below = (1ull << (bit & 63)) - 1;
	return bit < 64 ? ctr_popcount(c->has0 & below) : ctr_popcount(c->has0) + ctr_popcount(c->has1 & below);
}

static inline uint32_t *port_ctr_at(struct port_ctr *c, unsigned pos)
{
	return pos < PORT_CTR_INLINE ? &c->v[pos] : &c->more[pos - PORT_CTR_INLINE];
}

/* Any counter, any state: found by the population count, or stored at 1 (if more[] can grow). */
void port_count_slow(struct lsoe_node *n, struct port_ctr *c, unsigned i);
/* The counter of this bit wrapped to 0 in *lo: carry into its high word (or, without memory, stay at 2^32 - 1). */
void port_count_carry(struct lsoe_node *n, struct port_ctr *c, unsigned bit, uint32_t *lo);
/*
 * The hot path: a hot counter stored with every hot one below it is at its bit.
 * Inlined even where the compiler would not: with a constant counter it folds to a
 * test of a constant mask and an increment.
 */
static inline __attribute__((always_inline)) void port_count(struct lsoe_node *n, struct port_ctr *c, unsigned i)
{
	unsigned rank = ctr_hot_rank[i];
	uint64_t upto = (1ull << rank) - 1; /* bits 0..rank-1 (rank <= CTR_HOT < 64) */
	if (rank && (c->has0 & upto) == upto) {
		if (!++c->v[rank - 1])
			port_count_carry(n, c, rank - 1, &c->v[rank - 1]);
	} else
		port_count_slow(n, c, i);
}
/* Counter i plus k (k >= 1), as k increments would. */
void port_count_add(struct lsoe_node *n, struct port_ctr *c, unsigned i, uint32_t k);
/* Counter i's value (0 if not stored). */
uint64_t port_ctr_get(const struct port_ctr *c, unsigned i);
/* The full struct, for the port view. */
void port_ctr_expand(const struct port_ctr *c, struct lsoe_counters *out);
void port_ctr_free(struct lsoe_node *n, struct port_ctr *c);

#define ENCAP_TYPES 4
static inline unsigned encap_index(unsigned type) { return type - LSOE_PDU_IPV4_ENCAP; }

/*
 * The first 64 octets are what a KEEPALIVE received or sent reads: id, up, mac,
 * the session (session_find), the counters' presence word and their first seven
 * values (the totals and the keepalive counters, see ctr_hot_rank). Then the rest.
 */
struct port {
	uint32_t id;
	uint32_t nsessions;
	uint8_t mac[6];
	bool up, loopback;
	struct session *sessions;    /* sorted by peer MAC: stable display and iteration order */
	struct port_ctr ctr;
	uint32_t mtu;
	uint8_t encap_set;           /* bit i: type 4+i has been configured */
	char name[LSOE_PORT_NAME_MAX + 1];
	struct lsoe_timer hello;
	struct port_list *lists;     /* what it announces, a list per type set, by type (port_local) */
};
_Static_assert(sizeof(struct port) <= 192, "a port in three lines");
_Static_assert(offsetof(struct port, ctr) + offsetof(struct port_ctr, v) + 7 * sizeof(uint32_t) <= 64,
    "the keepalive counters are in the port's first line");

/*
 * A port's list of one type: the PDU that announces it, right after this struct in
 * one allocation (encaps.c). The entries are kept only as the PDU carries them, and
 * decoded when they are read (port_list_decode): a list held a second time as struct
 * lsoe_encap (32 octets an entry) was 40 % of a fabric port's memory. given is the
 * number of entries of the list last set.
 */
struct port_list {
	struct port_list *next;      /* the port's list of the next type set */
	uint32_t given;
	uint16_t count;              /* entries in the PDU: fewer than given when the list is cut */
	uint8_t index;               /* its type is 4+index */
};

/*
 * A list too long for one PDU at this MTU is cut (lsoe_node_set_encaps): the entries
 * are then the head that fits, in the order of the rule. A cut list keeps this after
 * its PDU, in the same allocation (a whole one, nearly every list, does not pay for
 * it). longer is the longer head a 65535-octet PDU would hold, so that a larger MTU
 * announces more; NULL when the entries already are all of it. given_hash is a hash
 * of the list last set, its entries in any order: the same list again is no news.
 */
struct port_list_cut {
	struct encap_block *longer;
	uint64_t given_hash;
};

/* Octets from a pdubuf to what follows its PDU in the same allocation (8-aligned). */
static inline size_t pdubuf_head(size_t len) { return (sizeof(struct pdubuf) + len + 7u) & ~(size_t)7u; }

/* The PDU of a port list: shared with the sessions that send it. */
static inline struct pdubuf *port_list_pdu(const struct port_list *l)
{
	return (struct pdubuf *)(void *)(uintptr_t)(l + 1);
}
/* What a cut list keeps (count < given), or NULL: the list is whole. */
static inline struct port_list_cut *port_list_cut(const struct port_list *l)
{
	struct pdubuf *b = port_list_pdu(l);
	return b->list == 2 ? (struct port_list_cut *)(void *)((char *)b + pdubuf_head(b->len)) : NULL;
}
/* What the port announces of type 4+i, or NULL: never set. */
static inline struct port_list *port_local(const struct port *p, unsigned i)
{
	for (struct port_list *l = p->lists; l && l->index <= i; l = l->next)
		if (l->index == i)
			return l;
	return NULL;
}
/* The PDU announcing the port's list of type 4+i, or NULL. */
static inline struct pdubuf *port_pdu(const struct port *p, unsigned i)
{
	struct port_list *l = port_local(p, i);
	return l ? port_list_pdu(l) : NULL;
}

/* The ACKed types, one retransmission slot each. */
enum { SLOT_OPEN, SLOT_IPV4, SLOT_IPV6, SLOT_MPLS_IPV4, SLOT_MPLS_IPV6, SLOT_VENDOR, SLOTS };

/*
 * A held slot: its PDU is sent and waits for its ACK. What waits behind it is not kept:
 * only an encapsulation list is ever replaced while one of its type is outstanding (an
 * OPEN slot is cleared first, a second VENDOR PDU is refused), and the replacement is
 * the port's list of that type as it is when the ACK comes (session_slot_pending).
 */
struct rtx_slot {
	struct pdubuf *pdu;          /* never NULL in a held slot */
	uint64_t deadline;
};

/*
 * What a session holds only while PDUs of it wait for their ACKs, or while its link
 * view is shown (session.c, side_*): at 10k nodes every session has one while the
 * fabric converges and none after, so that a session is two lines.
 * Made with room for the slots the session holds at once before its encapsulations
 * are ACKed (its OPEN, then one per type of the port: established, the OPEN was
 * ACKed), so that entering ESTABLISHED never needs memory; a list set or a VENDOR PDU makes room first, or is refused. Gone once it
 * holds nothing and the session is established (or torn down).
 */
struct session_side {
	struct link_view *link_view; /* the pairs as last displayed (links.c); NULL: not built */
	uint64_t last_nudge;         /* our last early OPEN resend (act_nudge_open): the OPEN slot is held, so a side is */
	uint8_t sends[SLOTS];        /* transmissions of slot i's PDU so far (retransmit-max-drop counts the first) */
	uint8_t held;                /* bit i: slot i is held, in rtx[] at the rank of its bit */
	uint8_t cap;                 /* room in rtx[] */
	struct rtx_slot rtx[];
};

/* Session states (NONE is the absence of a session). */
enum sstate {
	SS_OPENING,                  /* with flags A (our OPEN ACKed) and P (peer's OPEN ACKed by us) */
	SS_ESTABLISHED,
	SS_HOLD,
};

#define SF_OPEN_ACKED   0x01u    /* A */
#define SF_PEER_OPEN    0x02u    /* P */
#define SF_WAS_UP       0x04u    /* session_up was reported: a down must be reported too */
#define SF_OPEN_DELAYED 0x08u    /* a restart OPEN waits for the rate limit (t_send) */
#define SF_OPEN_SENT    0x10u    /* last_open is meaningful (0 is a valid time) */
#define SF_RX_KEEPALIVE 0x20u    /* the peer's last PDU (last_rx) was a KEEPALIVE: the next one measures its spacing */

/*
 * The first 64 octets are what a KEEPALIVE received or sent touches (the port's id,
 * the keepalives sent, mac, state, flags, last_rx and the gap, the receive and send
 * timers): sending one reads no port, its counters are the session's until folded into
 * the port's (session_fold_sent; the port view adds them meanwhile). The rest is ordered by size, so that one per session
 * end leaves no padding.
 */
struct session {
	uint32_t port_id;            /* its port's id (session_port) */
	uint32_t ka_sent;            /* KEEPALIVEs sent, not yet in the port's counters (session_fold_sent) */
	uint8_t mac[6];
	uint8_t state;               /* enum sstate */
	uint8_t flags;
	uint64_t last_rx;            /* last valid PDU from the peer */
	uint32_t rx_gap_ms;          /* the peer's keepalive spacing as last observed, ms (session_input) */
	uint32_t retransmits;
	struct lsoe_timer t_recv, t_send;
	struct session *hnext;       /* hash chain */
	struct session *next;        /* port list, sorted by MAC */
	uint32_t our_nonce;
	uint32_t peer_nonce;
	uint8_t peer_encap_mask;     /* types received from the peer this session */
	uint8_t link_incompat;       /* bit i: both ends announce addresses of type 4+i, none pairs up */
	uint8_t peer_id[LSOE_LOCAL_ID_LEN];
	uint64_t since;              /* entered the current state */
	uint64_t last_open;          /* our last fresh OPEN: restarts are rate-limited */
	struct lsoe_timer t_rtx;     /* the earliest deadline of the side's slots */
	struct session_side *side;   /* NULL: nothing outstanding, no link view shown */
	struct peer_list *peer;      /* what the peer sent that is kept, by type (session_peer): its attributes, its lists */
};
_Static_assert(offsetof(struct session, t_send) + sizeof(struct lsoe_timer) <= 64, "the keepalive fields in one line");
_Static_assert(sizeof(struct session) <= 128, "a session in two lines");

/* Where slot i is (or would go) in d->rtx: the held slots below it. */
static inline unsigned side_rank(const struct session_side *d, unsigned i)
{
	return ctr_popcount(d->held & ((1u << i) - 1u));
}

/* Slot i of s, or NULL when it is not held. */
static inline struct rtx_slot *session_slot(const struct session *s, unsigned i)
{
	const struct session_side *d = s->side;
	if (!d || !((d->held >> i) & 1u))
		return NULL;
	return (struct rtx_slot *)&d->rtx[side_rank(d, i)];
}

/*
 * The side, if s has none or it has no room for the slots in mask (and at least at_least
 * of them), made (or grown) so that it has. False: no memory (nothing changed).
 */
bool session_side_room(struct lsoe_node *n, struct session *s, unsigned mask, unsigned at_least);
/* The side goes if it holds nothing and the session is established, or always is: torn down. */
void session_side_trim(struct lsoe_node *n, struct session *s, bool always);
/* Every slot let go, and the side with them unless a link view is shown (teardown; destroy, after links_free). */
void session_side_free(struct lsoe_node *n, struct session *s);
/* The PDU to send once slot i's (held, r) is ACKed, or NULL: the port's newer list of that type. */
struct pdubuf *session_slot_pending(const struct lsoe_node *n, const struct session *s, unsigned i,
    const struct rtx_slot *r);

/*
 * A peer's list of one type, kept as its PDU carried it (validated when received) and
 * decoded when read (peer_list_decode): 32 octets for one IPv4 entry where the entries
 * as struct lsoe_encap took 48. With it, the hash of the session's link view of that
 * type (links.c; 0: no pair): a type whose peer sent no list has no pair, and so no hash
 * to keep. A session chains what it keeps of its peer by type (one pointer where four
 * and the attributes' took forty octets, so that a session is two lines): first the
 * attributes of the peer's OPEN (type PEER_ATTRS: wire holds them, count their number),
 * then the lists, at most one of each type.
 */
struct peer_list {
	uint64_t link_hash;
	struct peer_list *next;      /* of a later type */
	uint16_t count;
	uint16_t wire_len;
	uint8_t type;                /* PEER_ATTRS or an encapsulation PDU type */
	uint8_t wire[];
};
#define PEER_ATTRS 0u

/* What s keeps of this type (PEER_ATTRS or a PDU type), or NULL. */
static inline struct peer_list *session_peer_type(const struct session *s, unsigned type)
{
	for (struct peer_list *b = s->peer; b && b->type <= type; b = b->next)
		if (b->type == type)
			return b;
	return NULL;
}
/* The peer's list of type 4+i, or NULL. */
static inline struct peer_list *session_peer(const struct session *s, unsigned i)
{
	return session_peer_type(s, LSOE_PDU_IPV4_ENCAP + i);
}
static inline uint64_t session_link_hash(const struct session *s, unsigned i)
{
	const struct peer_list *b = session_peer(s, i);
	return b ? b->link_hash : 0;
}
/* b (NULL: nothing) in place of s's of type; the one it replaces is freed. */
void session_peer_set(struct lsoe_node *n, struct session *s, unsigned type, struct peer_list *b);
/* The peer's OPEN attributes and their number (0: none). */
static inline const uint8_t *session_attrs(const struct session *s, uint8_t *count)
{
	const struct peer_list *b = session_peer_type(s, PEER_ATTRS);
	*count = b ? (uint8_t)b->count : 0;
	return b ? b->wire : NULL;
}

struct vendor_handler {
	uint32_t enterprise;
	lsoe_vendor_fn fn;
	void *ctx;
};

/*
 * What the engine reads of struct lsoe_config (node_cfg.c): about 120 octets where
 * the whole struct is almost 5 KB. Timers in ns as in struct lsoe_config.
 */
struct node_cfg {
	/* What the keepalive paths read first: the end of the node's hot lines. */
	uint64_t keepalive_receive_timeout;  /* 0 = never */
	uint64_t keepalive_send;
	uint8_t log_level;                   /* enum lsoe_log_level */
	uint8_t attr_count;
	uint8_t auth_len;
	bool auth_required;
	bool retransmit_backoff;
	uint8_t hello_mac[6];
	uint8_t local_id[LSOE_LOCAL_ID_LEN];
	uint32_t retransmit_max_drop;
	uint32_t max_sessions_per_port;
	uint32_t mtu;
	uint64_t hello_interval;
	uint64_t retransmit_initial;
	uint64_t reassembly_timeout;
	uint64_t idle_timeout;
	const uint8_t *attrs, *auth;         /* never NULL (an empty list points to a static octet) */
	uint8_t *octets;                     /* attrs then auth, one block; NULL when both are empty */
};

/* Fill out from cfg; the octets block of old is taken over when unchanged. False: no memory (nothing held). */
bool node_cfg_make(struct lsoe_node *n, struct node_cfg *out, const struct lsoe_config *cfg,
    const struct node_cfg *old);
/* cur becomes next (made with old = cur), its octets block freed unless next took it over. */
void node_cfg_replace(struct lsoe_node *n, struct node_cfg *cur, const struct node_cfg *next);
void node_cfg_free(struct lsoe_node *n, struct node_cfg *c);

/*
 * The node's counters on the keepalive paths, kept whole in its hot lines; the others
 * in 32 bits (struct node_ctr), with a high word aside for those that pass 2^32 - 1, as
 * a port's are: 372 octets where struct lsoe_counters is 744, and never an allocation
 * to count (a port's may be lost without memory, a node's are not: test_engine_counters).
 * lsoe_node_counters_get puts them together. Index: node_hot_rank - 1.
 */
struct node_ctr {
	uint32_t lo[CTR_SLOTS];      /* by index; the hot ones' unused */
	uint8_t nwide, wide_cap;
	struct ctr_wide *wide;       /* keyed by index; NULL: none passed 2^32 - 1 */
};
/* Counter i of the node wrapped to 0: carry into its high word (or, without memory, stay at 2^32 - 1). */
void node_count_carry(struct lsoe_node *n, unsigned i);
/* The node's counters, whole. */
void node_ctr_expand(const struct lsoe_node *n, struct lsoe_counters *out);
void node_ctr_free(struct lsoe_node *n);
#define NODE_CTR_HOT 7u
static const uint8_t node_hot_rank[CTR_SLOTS] = {
	[CTR_INDEX(rx_frames)] = 1,
	[CTR_INDEX(rx_pdus)] = 2,
	[CTR_INDEX(rx_by_type) + LSOE_PDU_KEEPALIVE] = 3,
	[CTR_INDEX(tx_frames)] = 4,
	[CTR_INDEX(tx_pdus)] = 5,
	[CTR_INDEX(tx_by_type) + LSOE_PDU_KEEPALIVE] = 6,
	[CTR_INDEX(tx_keepalives)] = 7,
};

/*
 * At scale each node is a cache miss per line touched. A KEEPALIVE received reads two
 * lines: line 0 (the clock, the ports, and keepalive-receive-timeout, the first field
 * of cfg) and the line of the timer heap's header (the next deadline, which every call
 * returns) with the receive counters after it. Sending reads those and the rest of
 * cfg's first fields and the send counters. The offsets are from a 64-aligned node
 * (the simulator's slab aligns it); the asserts below hold them.
 */
struct lsoe_node {
	/* Line 0: every call and the receive path. */
	uint64_t now;                /* the time of the call being served */
	void *pf_ctx;                /* pf's ctx, clock and send, copied here: pf's other calls are cold */
	const uint64_t *clock;       /* pf's clock, or NULL: the time is pf.now_ns's (node_clock) */
	struct port **ports;         /* sorted by id */
	uint32_t nports;
	bool fsm_abort;              /* set by an action that could not complete: the state stays */
	uint8_t log_level;           /* cfg.log_level, copied here: every receive asks it (node_log_enabled) */
	struct lsoe_reasm *reasm;    /* NULL until a PDU spans several datagrams, and again once idle */
	uint64_t recv_changed;       /* when keepalive-receive-timeout last changed: no receive deadline counts from earlier */
	struct node_cfg cfg;         /* its first fields: the keepalive timers and the log level */
	/* The send path, and what fills the line up to the timers. */
	void (*pf_send)(void *ctx, uint32_t port, const uint8_t dst[6], const uint8_t *frame, size_t len);
	uint64_t epoch;              /* creation time: the origin of the keepalive beat */
	void (*pf_prefetch_send)(void *ctx, uint32_t port); /* pf's, or NULL */
	/* Both paths, from a line of its own. */
	struct timer_heap timers;
	uint64_t hot_ctr[NODE_CTR_HOT]; /* rx three, then tx four (node_hot_rank) */
	/* Cold. */
	uint64_t idle_changed;       /* the same as recv_changed for the idle timeout (mac-address-cache-timeout) */
	uint32_t *port_ids;          /* the ids of ports, contiguous: a search reads no port */
	struct lsoe_platform pf;
	uint32_t ports_cap;
	uint32_t nbuckets;
	struct session **buckets;    /* session hash table, keyed by (port, MAC) */
	uint32_t nsessions;
	uint32_t reasm_max_sources;  /* the reassembly's bounds: the configuration at creation */
	uint64_t hash_seed;
	uint32_t reasm_max_bytes;
	uint32_t nvendors;
	struct lsoe_timer t_reasm;
	struct vendor_handler *vendors;
	struct encap_block *dec;     /* room to decode a port's lists (port_list_decode); NULL: none yet */
	struct encap_block *dec_peer; /* and a session's peer lists (peer_list_decode) */
	struct pdubuf *open_pdu;     /* our OPEN with nonce 0, shared by the OPEN slots (session.c open_template); NULL: not made since the last configuration */
	size_t mem_bytes, mem_peak;
	uint64_t alloc_failures;     /* apart: counting it must not allocate */
	struct lsoe_counters *ctr_view; /* what lsoe_node_counters returns, made at its first call; NULL: not yet */
	struct node_ctr cold;        /* the others */
};
_Static_assert(offsetof(struct lsoe_node, cfg) + offsetof(struct node_cfg, keepalive_receive_timeout) + 8 <= 64 &&
    offsetof(struct lsoe_node, log_level) < 64,
    "keepalive-receive-timeout in the node's line 0");
_Static_assert(offsetof(struct lsoe_node, timers) % 64 + sizeof(struct timer_heap) + 3 * sizeof(uint64_t) <= 64,
    "the timer heap's header and the receive counters in one line");

/* The time now, from the platform's clock word if it has one. */
static inline uint64_t node_clock(const struct lsoe_node *n)
{
	return n->clock ? *n->clock : n->pf.now_ns(n->pf_ctx);
}

/* ---- prefetch.c ---- */

/* Before a timer of lsoe_node_run runs: fetch what the lane's next ones will read. A hint: changes nothing. */
void node_prefetch_lane(const struct lsoe_node *n);
/* Before the first: the platform's hints for the lane's first sends (pf_prefetch_send). */
void node_prefetch_lane_start(const struct lsoe_node *n);

/* ---- node.c: services for the session code ---- */

/* The port of this id (binary search of the ids); *pos, if given, is where it is or would go. */
static inline struct port *port_find(const struct lsoe_node *n, uint32_t id, uint32_t *pos)
{
	/* Ports numbered 1..n, as most are: the id is its own position, found without a search
	   and with no load but the port, which the caller reads anyway. */
	if (id - 1u < n->nports && n->ports[id - 1u]->id == id) {
		if (pos)
			*pos = id - 1u;
		return n->ports[id - 1u];
	}
	uint32_t lo = 0, hi = n->nports;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (n->port_ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (pos)
		*pos = lo;
	return lo < n->nports && n->port_ids[lo] == id ? n->ports[lo] : NULL;
}

/* A session's port (its id is in the session's first line; the port outlives its sessions). */
static inline struct port *session_port(const struct lsoe_node *n, const struct session *s)
{
	return port_find(n, s->port_id, NULL);
}

void *node_alloc(struct lsoe_node *n, size_t size);
void node_free(struct lsoe_node *n, void *p, size_t size);
void node_log(struct lsoe_node *n, enum lsoe_log_level level, const char *subsystem, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
bool node_log_enabled(const struct lsoe_node *n, enum lsoe_log_level level);
void node_event(struct lsoe_node *n, struct lsoe_event *ev, const struct port *p, const struct session *s);
/* Datagrams up to this size are built on the stack (node_send_pdu): an OPEN with 255 attribute and auth octets fits. */
#define SEND_STACK_DGRAM 576u
_Static_assert(SEND_STACK_DGRAM >= LSOE_DGRAM_HDR_LEN + LSOE_OPEN_MIN_LEN + 255 + 255, "any OPEN on the stack");
/* Fragment and send a PDU to dst on p. */
void node_send_pdu(struct lsoe_node *n, struct port *p, const uint8_t dst[6], const uint8_t *pdu, size_t len);
/* Send a KEEPALIVE to dst on port, counted at node level only: the session counts it for its port (ka_sent). */
void node_send_keepalive(struct lsoe_node *n, uint32_t port, const uint8_t dst[6]);
/* Count on the port (if any) and the node. */
/* Counter i of the node: a hot one (node_hot_rank) in the node's hot lines, folding to one increment when i is constant. */
static inline __attribute__((always_inline)) void node_count(struct lsoe_node *n, unsigned i)
{
	if (node_hot_rank[i])
		n->hot_ctr[node_hot_rank[i] - 1]++;
	else if (!++n->cold.lo[i])
		node_count_carry(n, i);
}
#define COUNT(n, p, field) do { \
		node_count((n), CTR_INDEX(field)); \
		if (p) \
			port_count((n), &(p)->ctr, CTR_INDEX(field)); \
	} while (0)
#define COUNT_ARR(n, p, field, i) do { \
		node_count((n), CTR_INDEX(field) + (unsigned)(i)); \
		if (p) \
			port_count((n), &(p)->ctr, CTR_INDEX(field) + (unsigned)(i)); \
	} while (0)

struct pdubuf *pdubuf_new(struct lsoe_node *n, const uint8_t *bytes, size_t len, uint8_t type);
static inline struct pdubuf *pdubuf_ref(struct pdubuf *b) { if (b) b->refs++; return b; }
void pdubuf_unref(struct lsoe_node *n, struct pdubuf *b);

/* ---- encaps.c: encapsulation lists ---- */

/* Free what a port announces (the port goes). */
void port_encaps_free(struct lsoe_node *n, struct port *p);
/* The port's list of type 4+i becomes l (NULL: none); the one it replaces is the caller's to release. */
void port_local_set(struct port *p, unsigned i, struct port_list *l);
/*
 * l's entries, decoded from its PDU into the node's buffer from entry at on (labels point
 * into the PDU): valid until the next decode or list change. The buffer has room for
 * every list of any one port at once (port lists are made only once it has, node_dec_room).
 */
const struct lsoe_encap *port_list_decode(struct lsoe_node *n, const struct port_list *l, size_t at);
/*
 * A peer's list from a decoded encapsulation PDU for s, its link hash 0, with room made
 * to decode all of s's lists with it in place of its type's; NULL: no memory.
 */
struct peer_list *peer_list_from_pdu(struct lsoe_node *n, const struct session *s, const struct lsoe_pdu *pdu);
/* b's entries decoded into n->dec_peer from entry at on, as port_list_decode does. */
const struct lsoe_encap *peer_list_decode(struct lsoe_node *n, const struct peer_list *b, size_t at);
void peer_list_free(struct lsoe_node *n, struct peer_list *b);
/* The peer's OPEN attributes (count > 0) to keep (session_peer_set, PEER_ATTRS); NULL: no memory. */
struct peer_list *peer_attrs_new(struct lsoe_node *n, const uint8_t *attrs, uint8_t count);
void encap_block_free(struct lsoe_node *n, struct encap_block *b);

/* Session table */
struct session *session_find(struct lsoe_node *n, const struct port *p, const uint8_t mac[6]);
/* Create in OPENING with nothing sent; NULL if the port is full or memory ran out (counted). */
struct session *session_create(struct lsoe_node *n, struct port *p, const uint8_t mac[6]);
/* Unlink, cancel timers, free. Reports nothing. */
void session_destroy(struct lsoe_node *n, struct session *s);

/* ---- session.c: the per-peer protocol ---- */

/* A valid PDU from (p, src); s is NULL when no session exists. */
void session_input(struct lsoe_node *n, struct port *p, const uint8_t src[6], struct session *s,
    const struct lsoe_pdu *pdu);
void session_timer(struct lsoe_node *n, struct session *s, struct lsoe_timer *t, uint64_t when);
/*
 * Before lists of the port change (types: bit i for type 4+i): room in every session that
 * will send them (established, or opening with its OPEN out). False: no memory; nothing to undo.
 */
bool session_encaps_room(struct lsoe_node *n, struct port *p, unsigned types);
/* The port's list of type `type` changed: queue it on every established session. */
void session_encaps_changed(struct lsoe_node *n, struct port *p, unsigned type);
/* Port down, removal, shutdown, operator reset: end the session (reported if it was up). */
void session_close(struct lsoe_node *n, struct session *s, enum lsoe_down_reason why);
enum lsoe_err session_queue_vendor(struct lsoe_node *n, struct session *s, struct pdubuf *b);
/*
 * New timer values after a reconfiguration (n->cfg is the new one, the stamps of
 * changed timeouts are set): no timer is left later than the new values allow.
 */
void session_reconfigured(struct lsoe_node *n, struct session *s);
void session_fill_view(struct lsoe_node *n, struct session *s, struct lsoe_session_view *v);
/* Entry into ESTABLISHED (report up, keepalives, encapsulations); the receive timer for the state. */
void session_enter_established(struct lsoe_node *n, struct session *s);
void session_arm_recv(struct lsoe_node *n, struct session *s);
/* The port's counters a KEEPALIVE sent increments: its session keeps their count meanwhile (ka_sent). */
static const uint8_t ka_sent_ctrs[] = {
	CTR_INDEX(tx_frames), CTR_INDEX(tx_pdus), CTR_INDEX(tx_by_type) + LSOE_PDU_KEEPALIVE, CTR_INDEX(tx_keepalives),
};
/* The KEEPALIVEs s sent into its port's counters (ka_sent_ctrs). */
void session_fold_sent(struct lsoe_node *n, struct session *s);
/*
 * A KEEPALIVE from the peer of s, handled as session_input and the transition table
 * would (established: no action, no change of state) without them, when s is established
 * and nothing logs it. False: not taken, nothing done (the caller goes the general way).
 */
bool session_keepalive(struct lsoe_node *n, struct session *s);

/* ---- links.c: the link view ---- */

/*
 * Recompute the pairs of (s, type) from the port's list and the peer's; report a
 * links event if they changed. Called when either list changes, never per keepalive.
 */
void links_update(struct lsoe_node *n, struct session *s, unsigned type);
/* The session is going down: report an empty list for every type that had pairs, free them. */
void links_withdraw(struct lsoe_node *n, struct session *s);
/* Free without reporting (the session is destroyed). */
void links_free(struct lsoe_node *n, struct session *s);
/* The pairs of every type, for display: built from the lists when first asked, kept until a view changes. NULL: none (or no memory). */
const struct link_view *links_view(struct lsoe_node *n, struct session *s);

/* ---- session_fsm.c: the transition table ---- */

enum fsm_event {
	EV_HELLO,
	EV_OPEN,             /* an OPEN we accept, first from this peer (or from a peer that restarted before P) */
	EV_OPEN_SAME,        /* the nonce we already hold: our ACK was lost */
	EV_OPEN_NEW,         /* a different nonce after we had the peer's OPEN: the peer restarted */
	EV_OPEN_BAD_AUTH,
	EV_KEEPALIVE,
	EV_ACK_OPEN,         /* ACK of our outstanding OPEN, EType 0 or 1 */
	EV_ACK,              /* ACK of another outstanding type, EType 0 or 1 */
	EV_ACK_RESTART,      /* EType 2 (or reserved 4..15) for an outstanding type */
	EV_ACK_HOPELESS,     /* EType 3 for an outstanding type */
	EV_ENCAP,
	EV_VENDOR,
	EV_RTX_FAILED,       /* an ACKed PDU exhausted its retransmissions */
	EV_RECV_TIMEOUT,     /* nothing valid from the peer for too long */
	EV_PORT_DOWN,
	EV_SHUTDOWN,
	EV_RESET,            /* operator clears a HOLD */
	EV_COUNT
};

/* The FSM's view of the state: OPENING is split by its A/P flags. */
enum fsm_state {
	FS_NONE,
	FS_OPENING_00,
	FS_OPENING_10,       /* A: our OPEN ACKed, waiting for the peer's */
	FS_OPENING_01,       /* P: we ACKed the peer's OPEN, waiting for our ACK */
	FS_ESTABLISHED,
	FS_HOLD,
	FS_COUNT
};

/* What the PDU-level handler gives the FSM. */
struct fsm_input {
	struct port *port;
	const uint8_t *src;
	const struct lsoe_pdu *pdu; /* NULL for timer and local events */
	unsigned slot;              /* ACK and RTX events: the slot concerned */
	enum lsoe_down_reason reason; /* local closing events */
	const char *text;           /* closing events: why, in words (the session_down event's text), or NULL */
};

/* Run one event; returns the session (NULL once it no longer exists). */
struct session *fsm_run(struct lsoe_node *n, struct session *s, enum fsm_event ev, const struct fsm_input *in);
const char *fsm_event_name(enum fsm_event ev);
const char *fsm_state_name(enum fsm_state st);
enum fsm_state fsm_state_of(const struct session *s);

/* Actions, implemented in session.c and named in the table. */
struct session *act_none(struct lsoe_node *n, struct session *s, const struct fsm_input *in);
struct session *act_drop(struct lsoe_node *n, struct session *s, const struct fsm_input *in);
struct session *act_start(struct lsoe_node *n, struct session *s, const struct fsm_input *in);
struct session *act_start_on_open(struct lsoe_node *n, struct session *s, const struct fsm_input *in);
struct session *act_reject_open(struct lsoe_node *n, struct session *s, const struct fsm_input *in);
struct session *act_reject_open_close(struct lsoe_node *n, struct session *s, const struct fsm_input *in);
struct session *act_accept_open(struct lsoe_node *n, struct session *s, const struct fsm_input *in);
struct session *act_reack_open(struct lsoe_node *n, struct session *s, const struct fsm_input *in);
struct session *act_replace_open(struct lsoe_node *n, struct session *s, const struct fsm_input *in);
struct session *act_peer_restart(struct lsoe_node *n, struct session *s, const struct fsm_input *in);
struct session *act_open_acked(struct lsoe_node *n, struct session *s, const struct fsm_input *in);
struct session *act_nudge_open(struct lsoe_node *n, struct session *s, const struct fsm_input *in);
struct session *act_acked(struct lsoe_node *n, struct session *s, const struct fsm_input *in);
struct session *act_restart(struct lsoe_node *n, struct session *s, const struct fsm_input *in);
struct session *act_hold(struct lsoe_node *n, struct session *s, const struct fsm_input *in);
struct session *act_encap(struct lsoe_node *n, struct session *s, const struct fsm_input *in);
struct session *act_vendor(struct lsoe_node *n, struct session *s, const struct fsm_input *in);
struct session *act_close(struct lsoe_node *n, struct session *s, const struct fsm_input *in);
struct session *act_forget(struct lsoe_node *n, struct session *s, const struct fsm_input *in);

#endif
