/*
 * The simulated world: nodes running the unchanged engine, links with faults, and
 * one event queue in virtual nanoseconds. Single-threaded and deterministic: the
 * queue orders by (time, sequence number), every random draw comes from a stream
 * seeded by the run's seed, and nothing reads a clock.
 */
#ifndef LSOE_SIM_WORLD_H
#define LSOE_SIM_WORLD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "equeue.h"
#include "lsoe/node.h"
#include "rng.h"
#include "scenario.h"
#include "fpool.h"
#include "slab.h"

/* Queue entries. */
enum {
	QE_FRAME,        /* p: struct sim_frame */
	QE_WAKE,         /* a: node; stale unless it matches the node's wake_at */
	QE_SCHED,        /* a: scheduled event index */
	QE_PROC,         /* a: process index, b: target index within it */
	QE_FLOOD,        /* a: scheduled event index (mac_flood), b: next source */
	QE_RESTART,      /* a: node */
	QE_CHECK,        /* a: expectation index (runs after everything else at its time) */
	QE_INV,          /* campaign: check the safety invariants */
	QE_HEAL,         /* campaign: heal every fault */
	QE_LIVE,         /* campaign: check liveness */
	QE_LINK_FRAME,   /* a: link, b: direction; the frame is in the link (struct sim_link_frame) */
};

/*
 * A frame in flight: 16 octets and the datagram as sent (padding is added on delivery).
 * Hundreds of thousands are in flight while a large fabric converges: each is an idle
 * object of the engines' slab (memory they used and freed) if there is one of its
 * size, else from w->frames, which gives a burst's memory back once delivered.
 * The receiver, its port and the source MAC follow from link and dir.
 */
struct sim_frame {
	uint32_t link;
	uint16_t len;                /* of data: at most LSOE_DGRAM_MAX_LEN */
	uint16_t ethertype;          /* the sender's */
	unsigned dir : 1;            /* 0: from the link's a end to its b end */
	unsigned corrupted : 1;      /* counted when it reaches the receiver, not when sent */
	unsigned in_slab : 1;        /* from w->slab, not w->frames */
	unsigned to : 2;             /* its destination, SIM_TO_*: 12 octets a frame, not 16 */
	uint8_t data[];              /* len octets, then the destination if it is SIM_TO_OTHER */
};
enum { SIM_TO_PORT, SIM_TO_GROUP, SIM_TO_OTHER }; /* the port at the link's other end, the HELLO group, other */

struct sim_addrlist {                /* grows with address_add; bounded by SIM_MAX_ADDRS */
	struct sim_addr *a;
	unsigned n, cap;
};

/* 4 octets: one per session end. The MAC is computed (sim_port_mac), the addresses are
   its link end's in the scenario until an address event gives the port its own (sim_node.own_addrs). */
struct sim_port {
	uint32_t link : 31;
	uint32_t side : 1;           /* 0: this node is the link's a end */
};

/* Sent PDUs of a node that a sent_times expectation watches. */
struct sim_sent {
	uint64_t *times;
	uint8_t *types, *ack_of;
	size_t n, cap;
};

/*
 * One per node, on a line of its own (w->nodes is line-aligned): its first line is what
 * every event reads, a frame's delivery and a wake-up's sends (pf_send).
 */
struct sim_node {
	/* Touched by every event: first. */
	_Alignas(64) struct lsoe_node *node; /* NULL while crashed; its w->hot entry has it too */
	struct sim_port *ports;      /* [1..nports], in w->ports */
	struct sim_world *w;
	struct sim_sent *sent;       /* NULL unless a sent_times expectation watches the node */
	uint32_t nports;
	int index;
	uint16_t ethertype;          /* cfg->ethertype, kept hot */
	uint32_t crashes;
	size_t mem_bytes, mem_peak;  /* the engine's, as pf_alloc counts it */
	struct sim_rng rng;
	/* Current: the scenario's shared one until a config event gives the node its own
	   (own_cfg, complete with name and local ID); a restart reuses it. */
	const struct lsoe_config *cfg;
	struct lsoe_config *own_cfg;
	struct lsoe_counters *dead;  /* counters of earlier incarnations: NULL until the first crash */
	struct sim_addrlist **own_addrs; /* per port, what it announces if not its link end's;
	                                    NULL until an address event */
};

/*
 * A short frame in flight kept in its link's delivery line instead of a frame of its own
 * (a KEEPALIVE or HELLO datagram is 11 octets, an ACK 16): at 10k nodes the frame and
 * the link spec are two cache misses per delivery that this saves, and no frame is taken
 * from the pool (a fabric's ACKs while it converges: 5 MB). Its destination is one of
 * two, so it is a flag: the port at the link's other end, or the nearest-bridge group
 * address HELLOs go to; a frame to any other goes in a frame of its own.
 */
#define SIM_LINK_FRAME_MAX 16
#define SIM_LINK_CORRUPTED 1u        /* flags: bit 0; bits 1-2, the destination (SIM_TO_PORT or SIM_TO_GROUP) */
struct sim_link_frame {
	uint8_t len;                 /* of data; 0: the slot is free */
	uint8_t flags;
	uint16_t ethertype;          /* the sender's */
	uint8_t data[SIM_LINK_FRAME_MAX];
};

/*
 * 128 octets, two lines: what sending reads and writes, then what delivery reads (and
 * sending too, for the flags and a short frame). Its ends are the spec's (sc->links), copied.
 */
struct sim_link {
	struct sim_rng rng;
	uint64_t last_arrival[2];    /* per direction: jitter never reorders a FIFO link */
	uint32_t dir[2];             /* a_to_b, b_to_a: indexes into w->dirs (the spec's ab, ba) */
	_Alignas(64) int32_t end_node[2]; /* the spec's a, b */
	uint32_t end_port[2];        /* the spec's a_port, b_port */
	bool carrier;                /* both ports up */
	bool cut;                    /* link_cut: silently lost */
	bool partitioned;            /* cut by a partition */
	struct sim_link_frame inflight[2]; /* per direction (QE_LINK_FRAME): one short frame */
};

struct drop_rule {
	int link, dir, pdu, ack_of;
	uint64_t until;
};

/* What the expectations need to know of each session: 12 octets (one entry per session end comes up). */
struct sess_log {
	uint64_t time;
	uint32_t link : 21;          /* < SIM_MAX_LINKS */
	uint32_t side : 1;           /* which end reported */
	uint32_t up : 1;
	signed int reason : 8;       /* enum lsoe_down_reason; -1 when up */
} __attribute__((packed, aligned(4)));
_Static_assert(sizeof(struct sess_log) == 12 && SIM_MAX_LINKS <= (1u << 21), "a session log entry is 12 octets");

struct sim_stats {
	uint64_t events, stale_wakes, frames, delivered;
	uint64_t frames_lost, frames_duplicated, frames_reordered, frames_injected;
	uint64_t frames_corrupted;   /* corrupted frames delivered to a receiver */
};

struct sim_opts {
	uint64_t seed;
	bool seed_set;
	uint64_t until;              /* 0: the scenario's duration */
	const char *pcap_dir;
	FILE *events_out;
	int log_level;               /* -1: no engine logs */
	bool progress;               /* a progress line on stderr */
};

/*
 * What delivering a frame reads of its receiving node, in one array for all nodes
 * (w->hot), four to a line: at 10k nodes a node's sim_node line is out of cache by the
 * time its next frame comes (every ~12k events), a line of four such entries mostly not.
 */
struct sim_hot {
	struct lsoe_node *node;      /* the node's engine, NULL while crashed (as its sim_node's) */
	uint64_t wake_at;            /* scheduled QE_WAKE time, UINT64_MAX: none */
};

/* The look-ahead's note of an entry it has placed (world.c ahead_cached). */
#define SIM_AHEAD_RING 16
#define SIM_AHEAD_NONE UINT32_MAX
struct sim_ahead {
	uint64_t seqkind;            /* the entry's, unique (a note never written matches only the first entry of all: a hint lost) */
	uint32_t node;               /* the node it runs, or SIM_AHEAD_NONE */
	uint32_t port;
};

struct sim_world {
	const struct sim_scenario *sc;
	struct sim_opts opts;
	uint64_t now, end, seed;
	struct equeue q;             /* equeue.h */
	uint64_t seq;
	struct sim_node *nodes;
	struct sim_hot *hot;         /* per node, by index */
	uint16_t ethertype;          /* the first node's at the start */
	bool ethertype_mixed;        /* some node has had another: read each node's (sim_node_ethertype) */
	struct sim_link *links;
	struct sim_port *ports;      /* every node's, one array */
	const struct sim_dir *dirs;  /* the scenario's (a campaign heals to its base's) */
	pcap_dumper_t **pcaps;       /* per link, with --pcap; else NULL */
	struct drop_rule *drops;
	size_t ndrops;
	struct sess_log *log;
	size_t nlog, logcap;
	bool (*up)[2];               /* per link: each end's session established */
	struct sim_rng proc_rng;
	struct sim_stats st;
	uint8_t *frame_buf;          /* a pcap frame being written */
	struct sim_slab *slab;       /* the engines' memory */
	struct sim_fpool *frames;    /* the frames in flight */
	char **failures;             /* expectation failures, in order */
	size_t nfailures;
	uint32_t passed;
	bool look_ahead;             /* prefetch the coming events (sim_world_run): a large fabric */
	struct sim_ahead ahead[SIM_AHEAD_RING];
	bool *expect_done;           /* per expectation: already evaluated (by a check event) */
	double (*wall_now)(void);    /* progress only; never affects the simulation */
	double progress_start;       /* wall_now at the start */
	bool progress_shown;         /* a progress line is on stderr */
	struct sim_inv *inv;         /* campaign invariants; NULL in a plain run */
	const struct sim_scenario *inv_base; /* campaign: the scenario before its faults were drawn */
};

/* A port's MAC: 02, the node's index in three octets, the port in two. */
static inline void sim_port_mac(int node, uint32_t port, uint8_t mac[6])
{
	/*
	 * Stored as four octets and two, as memcmp and memcpy of a MAC then read it: a read
	 * of four octets written one by one waits for them to reach the cache (a failed
	 * store forward), which on every frame sent and delivered was measurable at scale.
	 */
	uint32_t n = (uint32_t)node & 0xFFFFFFu, p = port & 0xFFFFu;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint32_t head = 0x02u | (n >> 16) << 8 | (n >> 8 & 0xFFu) << 16 | (n & 0xFFu) << 24;
	uint16_t tail = (uint16_t)(p >> 8 | (p & 0xFFu) << 8);
#else
	uint32_t head = 0x02u << 24 | n;
	uint16_t tail = (uint16_t)p;
#endif
	memcpy(mac, &head, 4);
	memcpy(mac + 4, &tail, 2);
}

/* Whether mac is sim_port_mac(node, port), compared in registers (no MAC built in memory). */
static inline bool sim_is_port_mac(const uint8_t mac[6], int node, uint32_t port)
{
	return mac[0] == 0x02 && mac[1] == (uint8_t)(node >> 16) && mac[2] == (uint8_t)(node >> 8) &&
	    mac[3] == (uint8_t)node && mac[4] == (uint8_t)(port >> 8) && mac[5] == (uint8_t)port;
}

/* A node's name (its configuration's, while shared, is not). */
static inline const char *sim_node_name(const struct sim_node *n)
{
	return n->w->sc->nodes[n->index].name;
}

/* The EtherType node i receives, without its sim_node while every node has had the same. */
static inline uint16_t sim_node_ethertype(const struct sim_world *w, uint32_t i)
{
	return w->ethertype_mixed ? w->nodes[i].ethertype : w->ethertype;
}

/* world.c */
bool sim_world_init(struct sim_world *w, const struct sim_scenario *sc, const struct sim_opts *o, char *err,
    size_t cap);
/* Runs the world from the start to w->end: sim_world_start, sim_world_until(w->end), sim_world_finish. */
void sim_world_run(struct sim_world *w);
/* The same in steps, for a caller that looks at the world between them (lsoe-bench sim --scale):
   the events up to until (at most w->end), in the same order as one run; then w->now is until. */
void sim_world_start(struct sim_world *w);
void sim_world_until(struct sim_world *w, uint64_t until);
void sim_world_finish(struct sim_world *w);
void sim_world_free(struct sim_world *w);
void sim_push(struct sim_world *w, uint64_t time, uint32_t kind, uint32_t a, uint32_t b, void *p);
void sim_node_start(struct sim_world *w, struct sim_node *n);
void sim_node_crash(struct sim_world *w, struct sim_node *n);
void sim_node_kick(struct sim_world *w, struct sim_node *n);
/* n's EtherType has been set from its configuration (sim_node_ethertype). */
void sim_node_ethertype_set(struct sim_world *w, struct sim_node *n);
void sim_link_carrier(struct sim_world *w, int link, bool up);
void sim_port_announce(struct sim_world *w, struct sim_node *n, uint32_t port);
/* Sessions open now: links whose both ends are established. */
uint32_t sim_sessions_open(const struct sim_world *w);
/* A node's whole configuration now, and its local ID. */
void sim_node_config_now(const struct sim_node *n, struct lsoe_config *out);
void sim_node_local_id(const struct sim_node *n, uint8_t out[LSOE_LOCAL_ID_LEN]);
/* A node's counters, earlier incarnations included. */
void sim_node_counters(const struct sim_node *n, struct lsoe_counters *out);
/* A port's own addresses now (*n of them): its link end's in the scenario (buf has room for two
   generated ones) until an address event gave it its own list. */
const struct sim_addr *sim_port_addrs(const struct sim_world *w, const struct sim_node *n, uint32_t port,
    struct sim_addr buf[2], unsigned *na);
/* The port's own list, copied from its link end's on first use, to change. */
struct sim_addrlist *sim_port_own_addrs(struct sim_world *w, struct sim_node *n, uint32_t port);
/* What a port announces of type now (its peer's view should match); out has SIM_MAX_ENCAPS room,
   labels 3 * SIM_MAX_ENCAPS. */
unsigned sim_port_expected(const struct sim_world *w, const struct sim_node *n, uint32_t port, unsigned type,
    struct lsoe_encap *out, uint8_t *labels);
/*
 * The link end a node's session view belongs to: link * 2 + side when v is n's session,
 * on one of its ports, with that link's other end; -1 for any other station (a spoofed
 * source on the port) or a port the node does not have.
 */
long sim_view_link_end(const struct sim_world *w, const struct sim_node *n, const struct lsoe_session_view *v);
/* Deliver a frame into a node now (floods, replay). */
void sim_inject(struct sim_world *w, int node, uint32_t port, const uint8_t src[6], const uint8_t dst[6],
    const uint8_t *data, size_t len);

/* faults.c */
void sim_faults_schedule(struct sim_world *w);
void sim_sched_event(struct sim_world *w, uint32_t index);
void sim_proc_event(struct sim_world *w, uint32_t proc, uint32_t target);
void sim_flood_event(struct sim_world *w, uint32_t index, uint32_t next);
bool sim_drop_matches(const struct sim_world *w, int link, int dir, const uint8_t *dgram, size_t len);

/* expect.c */
void sim_expect_schedule(struct sim_world *w);
void sim_expect_check(struct sim_world *w, uint32_t index);
void sim_expect_finish(struct sim_world *w);
void sim_session_event(struct sim_world *w, struct sim_node *n, const struct lsoe_event *ev);
/* Validate counter names etc. before running; false with a message. */
bool sim_expect_validate(const struct sim_scenario *sc, char *err, size_t cap);

/* links_oracle.c: the links_match expectation. Whether every link's two views hold exactly the
   address pairs its ends' lists give (none where the session is not established at both ends);
   if not, one sentence in why. Independent of the engine's link code. */
bool sim_links_match(struct sim_world *w, char *why, size_t cap);

/*
 * Pictures of a finished run (lsoe-sim run --dot, --timeline, --timeline-svg) and its
 * link-state database (--links); part of the lsoe-sim program, not of this library.
 * sessions_expected: the summary's figure.
 */
/* dot.c: the topology as a Graphviz graph, each link coloured by its session at the end. */
void sim_dot_write(const struct sim_world *w, uint32_t sessions_expected, FILE *out);
/* timeline.c: the sessions over virtual time, as a self-contained HTML page or an SVG. */
void sim_timeline_html(const struct sim_world *w, uint32_t sessions_expected, FILE *out);
void sim_timeline_svg(const struct sim_world *w, uint32_t sessions_expected, FILE *out);
/* linkdb.c: the fabric's link-state database (lsoe-sim run --links): the pairs both ends of a link report. */
void sim_linkdb_write(const struct sim_world *w, FILE *out);

/* campaign.c: the invariants a campaign checks, called from the world when w->inv is set */
void sim_inv_announced(struct sim_world *w, struct sim_node *n, uint32_t port, unsigned type,
    const struct lsoe_encap *e, unsigned k);
void sim_inv_event(struct sim_world *w, struct sim_node *n, const struct lsoe_event *ev);
void sim_inv_tick(struct sim_world *w);
void sim_inv_heal(struct sim_world *w);
void sim_inv_live(struct sim_world *w);

#endif
