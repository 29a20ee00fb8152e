/*
 * A parsed scenario (format: sim-scenarios/README.md). The parser resolves every
 * name to an index, applies defaults and overrides, generates the topology and
 * its addresses, and reports the first error as FILE:LINE:COLUMN: message.
 */
#ifndef LSOE_SIM_SCENARIO_H
#define LSOE_SIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lsoe/config.h"
#include "lsoe/pdu.h"

#define SIM_NAME_MAX 64
#define SIM_MAX_ADDRS 128            /* addresses listed for one link end (a_addresses, b_addresses) */
#define SIM_MAX_LOOPBACKS 16         /* loopbacks one node exposes ("loopbacks") */
/* Entries one port announces of one type: its own addresses, then its node's loopbacks. */
#define SIM_MAX_ENCAPS (SIM_MAX_ADDRS + SIM_MAX_LOOPBACKS)
#define SIM_MAX_NODES 200000         /* bounds on a topology (a hostile file must not exhaust memory): */
#define SIM_MAX_LINKS 2000000        /* about 2 GB of simulation at the most (sim-scenarios/README.md) */

/* One direction of a link. Times in ns. */
/* The bounds in force, SIM_MAX_NODES and SIM_MAX_LINKS unless lowered (the fuzzer lowers them to
   stay within its memory limit). */
extern size_t sim_topology_max_nodes, sim_topology_max_links;

struct sim_dir {
	uint64_t delay;
	uint64_t jitter;
	uint64_t reorder_delay;      /* 0: 10 x delay + 1 ms */
	double loss, duplicate, reorder, corrupt;
};

struct sim_addr {
	unsigned family;             /* 4 or 6 */
	uint8_t addr[16];
	uint8_t prefix_len;
	bool primary;
	bool loopback;
};

/*
 * 28 octets: a topology may have 100,000 links. Its name ("a-b", sim_link_name), its
 * direction properties (mostly the link_defaults for all) and its addresses (mostly
 * generated from its index, sim_link_addrs) are not stored per link.
 */
struct sim_link_spec {
	int a, b;                    /* node indexes */
	uint32_t a_port, b_port;     /* port ids on each node, from 1 */
	uint32_t ab, ba;             /* each direction's properties: indexes into sc->dirs */
	uint32_t addrs;              /* the file's addresses: index into sc->link_addrs, or SIM_GEN_ADDRS */
};

#define SIM_GEN_ADDRS UINT32_MAX     /* the generated pair of each end (none if "addresses" is false) */
#define SIM_LINK_NAME_MAX (2 * SIM_NAME_MAX) /* "a-b" and its NUL */

/* Addresses a file lists for a link (a_addresses, b_addresses; an end it does not list keeps the generated). */
struct sim_link_addrs {
	struct sim_addr *a, *b;      /* na, nb entries (NULL when none); freed by sim_scenario_free */
	unsigned na, nb;
};

struct sim_node_spec {
	char name[SIM_NAME_MAX];
	/*
	 * Defaults, then "defaults", then "nodes" overrides: one copy shared by every node
	 * configured alike (sc->cfgs; a configuration is about 5 KB). Its name is not the
	 * node's and, unless the file set one, neither is its local ID: sim_node_config
	 * gives the whole.
	 */
	const struct lsoe_config *cfg;
	uint32_t nports;
	struct sim_addr *loopbacks;  /* nloopbacks entries flagged loopback, announced on every port (NULL when
	                                none); freed by sim_scenario_free */
	unsigned nloopbacks;
};

enum sim_event_kind {
	SE_LINK_DOWN, SE_LINK_UP, SE_LINK_CUT, SE_LINK_HEAL,
	SE_CRASH, SE_RESTART,
	SE_ADDRESS_ADD, SE_ADDRESS_REMOVE,
	SE_CONFIG,
	SE_PARTITION, SE_HEAL,
	SE_DROP,
	SE_MAC_FLOOD,
};

struct sim_kv {                  /* a config key and its text value */
	char key[64];
	char value[LSOE_CFG_VALUE_MAX];
};

struct sim_event_spec {
	enum sim_event_kind kind;
	uint64_t at;
	int link;                    /* link index, or -1 */
	int node;                    /* node index, -1 (none) or -2 ("*": every node) */
	uint32_t port;               /* address_*, mac_flood: port id on node */
	uint64_t restart_after;      /* crash: 0 = stays down until a restart event */
	struct sim_addr addr;        /* address_* */
	struct sim_kv *set;          /* config */
	size_t nset;
	int *nodes;                  /* partition: node indexes */
	size_t nnodes;
	int dir;                     /* drop: 0 a_to_b, 1 b_to_a, 2 both */
	int pdu;                     /* drop: PDU type; mac_flood: LSOE_PDU_HELLO, or -1 for FRAGMENT */
	int ack_of;                  /* drop: for ACKs, the acknowledged type, or -1 for any */
	uint64_t until;              /* drop: end time (UINT64_MAX: the end of the run) */
	uint32_t sources;            /* mac_flood */
	uint32_t rate;               /* mac_flood: frames per second */
};

enum sim_process_kind { SP_FLAP, SP_CRASH };

struct sim_process_spec {
	enum sim_process_kind kind;
	int *targets;                /* link (flap) or node (crash) indexes */
	size_t ntargets;
	uint64_t mean_up, mean_down, from, until;
};

enum sim_expect_kind {
	SX_SESSIONS_OPEN,
	SX_SESSION_DOWN,
	SX_NO_SESSION_DOWN,
	SX_NO_FLAPS_AFTER,
	SX_ENCAPS_MATCH,
	SX_COUNTER,
	SX_SENT_TIMES,
	SX_MEMORY,
	SX_LINKS_MATCH,
};

struct sim_expect_spec {
	enum sim_expect_kind kind;
	char where[96];              /* "FILE:LINE:COL" of the expectation, for messages */
	uint64_t t1, t2;             /* by / between / time / at / from; t2 = t1 when single; sent_times: from, until
	                                (UINT64_MAX: the end); encaps_match, links_match without at: both
	                                UINT64_MAX (the end) */
	int *links;                  /* sessions: link indexes; NULL = all */
	size_t nlinks;
	int node;                    /* -1: any / all */
	bool has_reason;
	int reason;                  /* enum lsoe_down_reason */
	char counter[64];
	char equals[64];             /* counter: "equals": another counter it must equal ("": none) */
	bool has_min, has_max;
	uint64_t min, max;
	int pdu, ack_of;             /* sent_times */
	uint64_t *times;             /* sent_times: relative to t1 */
	size_t ntimes;
};

struct sim_scenario {
	char path[4096];
	char name[SIM_NAME_MAX];
	uint64_t duration;
	uint64_t seed;
	bool addresses;              /* announce link addresses (default true) */
	bool mpls;
	struct sim_node_spec *nodes;
	size_t nnodes;
	struct lsoe_config **cfgs;   /* the distinct node configurations (nodes[i].cfg), owned */
	size_t ncfgs;
	struct sim_link_spec *links;
	size_t nlinks;
	struct sim_dir *dirs;        /* links[i].ab, .ba: [0] is link_defaults, then two per link the file configures */
	size_t ndirs;
	struct sim_link_addrs *link_addrs; /* links[i].addrs */
	size_t nlink_addrs;
	struct sim_event_spec *events;   /* sorted by time, stable */
	size_t nevents;
	struct sim_process_spec *procs;
	size_t nprocs;
	struct sim_expect_spec *expects;
	size_t nexpects;
};

/*
 * Parse a scenario file. On error returns false and writes "FILE:LINE:COLUMN: message"
 * (or "FILE: message" when there is no position) into err.
 */
bool sim_scenario_load(struct sim_scenario *sc, const char *path, char *err, size_t cap);
/* The same from text in memory (name is used in messages). */
bool sim_scenario_parse(struct sim_scenario *sc, const char *text, size_t len, const char *name, char *err,
    size_t cap);
void sim_scenario_free(struct sim_scenario *sc);

/*
 * Complete cfg (node's shared configuration, or a copy of it) as node's own: its name,
 * and its local ID (four octets of index + 1, right-aligned) unless one is set.
 */
void sim_config_complete(const struct sim_scenario *sc, size_t node, struct lsoe_config *cfg);
/* The local ID of a node whose configuration sets none. */
void sim_default_local_id(size_t node, uint8_t out[LSOE_LOCAL_ID_LEN]);
/* Node's whole configuration as the file gives it. */
void sim_node_config(const struct sim_scenario *sc, size_t node, struct lsoe_config *out);

/*
 * The addresses of one end of a link (side 0: a) and their number: the file's list, or
 * the generated pair (written to buf), or none (NULL).
 */
const struct sim_addr *sim_link_addrs(const struct sim_scenario *sc, size_t link, int side, struct sim_addr buf[2],
    unsigned *n);

/* A link's name, "a-b" from its ends' names, written to buf. */
const char *sim_link_name(const struct sim_scenario *sc, const struct sim_link_spec *l, char buf[SIM_LINK_NAME_MAX]);
/* The same in a buffer that lives as long as the enclosing block, for messages. */
#define SIM_LINK_NAME(sc, l) sim_link_name((sc), (l), (char[SIM_LINK_NAME_MAX]){ 0 })
/* strcmp of two links' names, without writing them. */
int sim_link_name_cmp(const struct sim_scenario *sc, const struct sim_link_spec *x, const struct sim_link_spec *y);
/* A link's direction properties (dir 0: a to b). */
static inline const struct sim_dir *sim_link_dir(const struct sim_scenario *sc, const struct sim_link_spec *l, int dir)
{
	return &sc->dirs[dir ? l->ba : l->ab];
}

/* Find a link by name ("a-b"; "b-a" also matches), or -1. */
int sim_scenario_link(const struct sim_scenario *sc, const char *name);
int sim_scenario_node(const struct sim_scenario *sc, const char *name);

#endif
