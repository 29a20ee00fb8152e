/* The pool of frames in flight (fpool.h). */
#include "fpool.h"
#include "slab.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#ifdef SIM_SLAB_MALLOC

struct sim_fpool {
	int unused;
};

struct sim_fpool *sim_fpool_new(void)
{
	return calloc(1, sizeof(struct sim_fpool));
}

void sim_fpool_destroy(struct sim_fpool *p)
{
	free(p);
}

void *sim_fpool_alloc(struct sim_fpool *p, size_t size)
{
	(void)p;
	return malloc(size ? size : 1);
}

void sim_fpool_free(struct sim_fpool *p, void *x, size_t size)
{
	(void)p;
	(void)size;
	free(x);
}

#else

#define BLOCK     ((size_t)64 << 10)         /* aligned to its size: a frame finds its block */
#define REGION    ((size_t)4 << 20)          /* blocks are mapped this many at a time */
#define WARM_MAX  32                         /* spare blocks kept in memory; the rest are given back */

struct block {
	uint32_t live;               /* frames not yet freed */
	struct block *next;          /* on the warm list */
};

#define HDR ((sizeof(struct block) + 7) & ~(size_t)7)
#define FRAME_MAX (BLOCK - HDR)              /* larger: malloc */

struct sim_fpool {
	struct block *cur;           /* being bumped from; NULL: none */
	uint8_t *bump, *end;
	struct block *warm;          /* spare blocks in memory */
	size_t nwarm;
	struct block **cold;         /* spare blocks given back (a stack: their memory reads as zeros) */
	size_t ncold, coldcap;
	uint8_t *next_block, *region_end; /* unused blocks of the newest region */
	void **regions;
	size_t nregions, cap;
};

struct sim_fpool *sim_fpool_new(void)
{
	return calloc(1, sizeof(struct sim_fpool));
}

/* One region outlives its pool for the next one in this process (as in slab.c). */
static uint8_t *spare_region;

void sim_fpool_destroy(struct sim_fpool *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nregions; i++) {
		if (i == 0 && !spare_region)
			spare_region = p->regions[0];
		else
			munmap(p->regions[i], REGION);
	}
	free(p->regions);
	free(p->cold);
	free(p);
}

/* A region aligned to BLOCK. */
static bool map_region(struct sim_fpool *p)
{
	if (p->nregions == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		void **v = realloc(p->regions, cap * sizeof(*v));
		if (!v)
			return false;
		p->regions = v;
		p->cap = cap;
	}
	uint8_t *r = spare_region;
	spare_region = NULL;
	if (!r && !(r = sim_map_aligned(REGION, BLOCK)))
		return false;
	p->regions[p->nregions++] = r;
	p->next_block = r;
	p->region_end = r + REGION;
	return true;
}

static struct block *take_block(struct sim_fpool *p)
{
	struct block *b;
	if (p->warm) {
		b = p->warm;
		p->warm = b->next;
		p->nwarm--;
	} else if (p->ncold) {
		b = p->cold[--p->ncold];
	} else {
		if (p->next_block == p->region_end && !map_region(p))
			return NULL;
		b = (struct block *)p->next_block;
		p->next_block += BLOCK;
	}
	b->live = 0;
	b->next = NULL;
	return b;
}

/* An empty block that is not being bumped from: kept, or its memory given back. */
static void spare(struct sim_fpool *p, struct block *b)
{
	if (p->nwarm < WARM_MAX) {
		b->next = p->warm;
		p->warm = b;
		p->nwarm++;
		return;
	}
	if (p->ncold == p->coldcap) {
		size_t cap = p->coldcap ? 2 * p->coldcap : 64;
		struct block **v = realloc(p->cold, cap * sizeof(*v));
		if (!v) { /* keep it in memory */
			b->next = p->warm;
			p->warm = b;
			p->nwarm++;
			return;
		}
		p->cold = v;
		p->coldcap = cap;
	}
	madvise(b, BLOCK, MADV_DONTNEED);
	p->cold[p->ncold++] = b;
}

void *sim_fpool_alloc(struct sim_fpool *p, size_t size)
{
	size = (size + 3) & ~(size_t)3;
	if (size > FRAME_MAX)
		return malloc(size);
	if (!p->cur || (size_t)(p->end - p->bump) < size) {
		struct block *old = p->cur;
		struct block *b = take_block(p);
		if (!b)
			return NULL;
		if (old && old->live == 0)
			spare(p, old);
		p->cur = b;
		p->bump = (uint8_t *)b + HDR;
		p->end = (uint8_t *)b + BLOCK;
	}
	void *x = p->bump;
	p->bump += size;
	p->cur->live++;
	return x;
}

void sim_fpool_free(struct sim_fpool *p, void *x, size_t size)
{
	if (!x)
		return;
	if (((size + 3) & ~(size_t)3) > FRAME_MAX) {
		free(x);
		return;
	}
	struct block *b = (struct block *)((uintptr_t)x & ~(uintptr_t)(BLOCK - 1));
	if (--b->live)
		return;
	if (b == p->cur)
		p->bump = (uint8_t *)b + HDR; /* empty: bump from its start again */
	else
		spare(p, b);
}

#endif
