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

#include <pcap/pcap.h>

#include "equeue.h"
#include "lsoe/node.h"
#include "rng.h"
#include "scenario.h"

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
};

struct sim_frame {
	struct sim_frame *next_free; /* the free list of small frames */
	int to;                      /* node index */
	uint32_t port;
	uint16_t ethertype;
	bool corrupted;              /* counted when it reaches the receiver, not when sent */
	uint32_t len;
	int link;                    /* -1 for injected frames (floods) */
	uint8_t src[6], dst[6];
	uint8_t data[];
};

struct sim_addrlist {                /* grows with address_add; bounded by SIM_MAX_ADDRS */
	struct sim_addr *a;
	unsigned n, cap;
};

struct sim_port {
	int link;                    /* -1: none (should not happen) */
	int side;                    /* 0: this node is the link's a end */
	uint8_t mac[6];
	struct sim_addrlist addrs;   /* what the port announces now */
};

struct sim_node {
	/* Touched by every event: first. */
	struct lsoe_node *node;      /* NULL while crashed */
	uint64_t wake_at;            /* scheduled QE_WAKE time, UINT64_MAX: none */
	uint16_t ethertype;          /* cfg.ethertype, kept hot */
	struct sim_port *ports;      /* [1..nports] */
	uint32_t nports;
	struct sim_world *w;
	int index;
	struct lsoe_platform pf;
	struct sim_rng rng;
	size_t mem_bytes, mem_peak;
	bool record_sent;            /* keep sent PDU times (sent_times expectations) */
	uint64_t *sent_times;
	uint8_t *sent_types, *sent_ack_of;
	size_t nsent, sent_cap;
	struct lsoe_counters dead;   /* counters of earlier incarnations (crashes) */
	uint32_t crashes;
	struct lsoe_config cfg;      /* current: config events change it; a restart reuses it */
};

struct sim_link {
	const struct sim_dir *dir[2]; /* the spec's a_to_b, b_to_a */
	int to[2];                   /* node reached in each direction */
	uint32_t to_port[2];
	uint64_t last_arrival[2];    /* per direction: jitter never reorders a FIFO link */
	bool carrier;                /* both ports up */
	bool cut;                    /* link_cut: silently lost */
	bool partitioned;            /* cut by a partition */
	struct sim_rng rng;
	pcap_dumper_t *pcap;
};

struct drop_rule {
	int link, dir, pdu, ack_of;
	uint64_t until;
};

/* What the expectations need to know of each session. */
struct sess_log {
	uint64_t time;
	int link, side;              /* side: which end reported */
	bool up;
	int reason;
};

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

struct sim_world {
	const struct sim_scenario *sc;
	struct sim_opts opts;
	uint64_t now, end, seed;
	struct equeue q;             /* equeue.h */
	uint64_t seq;
	struct sim_node *nodes;
	struct sim_link *links;
	struct drop_rule *drops;
	size_t ndrops;
	struct sess_log *log;
	size_t nlog, logcap;
	bool (*up)[2];               /* per link: each end's session established */
	struct sim_rng proc_rng;
	struct sim_stats st;
	uint8_t *frame_buf;          /* a pcap frame being written */
	struct sim_frame *free_frames; /* small frames for reuse */
	char **failures;             /* expectation failures, in order */
	size_t nfailures;
	uint32_t passed;
	bool *expect_done;           /* per expectation: already evaluated (by a check event) */
	double (*wall_now)(void);    /* progress only; never affects the simulation */
	struct sim_inv *inv;         /* campaign invariants; NULL in a plain run */
	const struct sim_scenario *inv_base; /* campaign: the scenario before its faults were drawn */
};

/* world.c */
bool sim_world_init(struct sim_world *w, const struct sim_scenario *sc, const struct sim_opts *o, char *err,
    size_t cap);
void sim_world_run(struct sim_world *w);
void sim_world_free(struct sim_world *w);
void sim_push(struct sim_world *w, uint64_t time, uint32_t kind, uint32_t a, uint32_t b, void *p);
void sim_node_start(struct sim_world *w, struct sim_node *n);
void sim_node_crash(struct sim_world *w, struct sim_node *n);
void sim_node_kick(struct sim_world *w, struct sim_node *n);
void sim_link_carrier(struct sim_world *w, int link, bool up);
void sim_port_announce(struct sim_world *w, struct sim_node *n, uint32_t port);
/* Sessions open now: links whose both ends are established. */
uint32_t sim_sessions_open(const struct sim_world *w);
/* A node's counters, earlier incarnations included. */
void sim_node_counters(const struct sim_node *n, struct lsoe_counters *out);
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
