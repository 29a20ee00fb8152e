/*
 * The safety and liveness invariants a campaign checks (campaign.c draws the faults;
 * the world calls these when w->inv is set).
 */
#ifndef LSOE_SIM_INVARIANTS_H
#define LSOE_SIM_INVARIANTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_INV_TICK (50 * 1000000ull) /* invariant checks every 50 ms of virtual time */

struct history {
	uint64_t *h;
	size_t n, cap;
};

struct sim_inv {
	uint64_t heal_at, live_by;
	uint64_t *closed_since;       /* per link end (2 per link): when it last had no session; 0 = has one */
	uint64_t *up_since;           /* per link end: when its session last came up */
	struct history *announced;    /* per link end and type: hashes of every list announced */
	size_t *mem_cap;              /* per node */
	bool violated;
	char invariant[32];
	uint64_t when;
	char detail[256];
};

/* Allocate the state for a world of nlinks links and nnodes nodes; false: out of memory. */
bool sim_inv_init(struct sim_inv *v, size_t nlinks, size_t nnodes);
void sim_inv_free(struct sim_inv *v, size_t nlinks);

#endif
