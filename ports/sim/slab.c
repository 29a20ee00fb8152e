/* The simulator's size-class allocator (slab.h). */
#include "slab.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/*
 * 8-octet classes up to SMALL_MAX; from LARGE_MIN, 64-octet classes that start on a
 * line. An engine reads a session (128 octets) or a port (192) by the line, its first
 * line on every KEEPALIVE: one that straddles two lines costs two misses. Measured at
 * 10k nodes (tools/bench-ab, 5 runs each): 542 -> 438 ns per event, +30 octets per
 * session end.
 */
#define SMALL_MAX   120u
#define LARGE_MIN   128u
/*
 * 64-octet classes up to here; larger: malloc. The large objects of an engine are its
 * arrays that grow by steps (timer heap, session table, port table): each step frees
 * the last array, of a size nothing else asks for, so that on a class free list it
 * stayed in memory for good (17 MB at 10k nodes); malloc reuses it. An engine's node
 * (1,200 octets) stays here, on a line.
 */
#define SLAB_MAX    1536u
#define NCLASSES    (SMALL_MAX / 8 + 1 + (SLAB_MAX - LARGE_MIN) / 64 + 1)
#define REGION      ((size_t)64 << 20)       /* mapped at a time; untouched pages cost nothing */
#define HUGE_PAGE   ((size_t)2 << 20)        /* regions are aligned to it, huge pages or not */
#define POPULATE    ((size_t)1 << 20)        /* faulted in at a time, at most (at least 64 KiB) */

struct sim_slab {
	void *free[NCLASSES];        /* free lists: the first word of a free object links the next */
	uint8_t *cur, *end;          /* the region being carved */
	uint8_t *populated;          /* it is faulted in up to here */
	uint8_t *collapsed;          /* its huge-page blocks below here are collapsed (sim_collapse_full) */
	void **regions;              /* for sim_slab_destroy */
	size_t nregions, cap;
};

struct sim_slab *sim_slab_new(void)
{
	return calloc(1, sizeof(struct sim_slab));
}

void *sim_map_aligned(size_t size, size_t align)
{
	uint8_t *m = mmap(NULL, size + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	uint8_t *r = (uint8_t *)(((uintptr_t)m + align - 1) & ~(uintptr_t)(align - 1));
	if (r > m)
		munmap(m, (size_t)(r - m));
	if (r + size < m + size + align)
		munmap(r + size, (size_t)(m + size + align - (r + size)));
	return r;
}

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25 /* Linux 6.1; older C libraries do not name it */
#endif

uint8_t *sim_collapse_full(uint8_t *start, size_t len)
{
	uint8_t *end = start + len / HUGE_PAGE * HUGE_PAGE;
#ifndef SIM_SLAB_MALLOC
	for (uint8_t *b = start; b < end; b += HUGE_PAGE)
		madvise(b, HUGE_PAGE, MADV_COLLAPSE); /* a hint: where it fails (an older kernel, no free huge page), 4 KiB pages stay */
#endif
	return end;
}

#ifdef SIM_SLAB_MALLOC

void *sim_map_hot(size_t size, bool populate)
{
	(void)populate;
	size_t len = (size + 63) / 64 * 64;
	void *p = aligned_alloc(64, len ? len : 64);
	if (p)
		memset(p, 0, len);
	return p;
}

void sim_unmap_hot(void *p, size_t size)
{
	(void)size;
	free(p);
}

#else

void *sim_map_hot(size_t size, bool populate)
{
	size_t len = (size + 4095) / 4096 * 4096;
	uint8_t *p = sim_map_aligned(len ? len : 4096, HUGE_PAGE);
	if (!p || !populate)
		return p;
#ifdef MADV_POPULATE_WRITE
	madvise(p, len, MADV_POPULATE_WRITE);
#endif
	sim_collapse_full(p, len);
	return p;
}

void sim_unmap_hot(void *p, size_t size)
{
	size_t len = (size + 4095) / 4096 * 4096;
	if (p)
		munmap(p, len ? len : 4096);
}

#endif

#ifdef SIM_SLAB_MALLOC

void sim_slab_destroy(struct sim_slab *s)
{
	free(s);
}

void *sim_slab_alloc(struct sim_slab *s, size_t size)
{
	(void)s;
	return malloc(size ? size : 1);
}

void *sim_slab_reuse(struct sim_slab *s, size_t size)
{
	(void)s;
	(void)size;
	return NULL;
}

void sim_slab_free(struct sim_slab *s, void *p, size_t size)
{
	(void)s;
	(void)size;
	free(p);
}

#else

static size_t class_of(size_t size)
{
	if (size <= SMALL_MAX)
		return size ? (size + 7) / 8 : 1;
	return SMALL_MAX / 8 + 1 + (size - LARGE_MIN + 63) / 64;
}

static size_t class_size(size_t k)
{
	return k <= SMALL_MAX / 8 ? k * 8 : LARGE_MIN + (k - SMALL_MAX / 8 - 1) * 64;
}

/*
 * One region outlives its slab, faulted in, for the next one in this process: a
 * benchmark or a campaign runs world after world, and malloc kept its heap warm too.
 */
static uint8_t *spare_region;
static size_t spare_populated;

void sim_slab_destroy(struct sim_slab *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nregions; i++) {
		if (i == 0 && !spare_region) {
			spare_region = s->regions[0];
			spare_populated = s->nregions == 1 ? (size_t)(s->populated - spare_region) : REGION;
		} else
			munmap(s->regions[i], REGION);
	}
	free(s->regions);
	free(s);
}

/*
 * A piece of len octets (a multiple of 8) that will not be carved: onto the free lists,
 * largest classes first, a large class's pieces on a line (up to it, small ones).
 */
static void give_back(struct sim_slab *s, uint8_t *p, size_t len)
{
	while (len >= 8) {
		size_t to_line = (size_t)(-(uintptr_t)p & 63u), piece;
		if (to_line)
			piece = to_line < len ? to_line : len;
		else if (len >= LARGE_MIN)
			piece = len >= SLAB_MAX ? SLAB_MAX : LARGE_MIN + (len - LARGE_MIN) / 64 * 64;
		else
			piece = len <= SMALL_MAX ? len : SMALL_MAX;
		size_t k = class_of(piece);
		*(void **)p = s->free[k];
		s->free[k] = p;
		p += piece;
		len -= piece;
	}
}

/* A region aligned to huge pages: its blocks are collapsed into them as they fill (carve). */
static uint8_t *map_region(void)
{
	return sim_map_aligned(REGION, HUGE_PAGE);
}

/* n octets (a multiple of 8, at most SLAB_MAX) from the current region. */
static void *carve(struct sim_slab *s, size_t n)
{
	if ((size_t)(s->end - s->cur) < n) {
		if (s->nregions == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 16;
			void **v = realloc(s->regions, cap * sizeof(*v));
			if (!v)
				return NULL;
			s->regions = v;
			s->cap = cap;
		}
		uint8_t *r = spare_region;
		size_t populated = spare_populated;
		spare_region = NULL;
		if (!r && !(r = map_region()))
			return NULL;
		give_back(s, s->cur, (size_t)(s->end - s->cur));
		s->regions[s->nregions++] = r;
		s->cur = r;
		s->populated = r + populated;
		s->collapsed = r;
		s->end = r + REGION;
	}
#ifdef MADV_POPULATE_WRITE
	/*
	 * Fault pages in a batch ahead of use: one call instead of a fault per page. The
	 * batch doubles from 64 KiB to POPULATE, so that a small world faults in little.
	 */
	if (s->cur + n > s->populated && s->populated < s->end) {
		size_t len = (size_t)(s->populated - (s->end - REGION));
		len = len < ((size_t)64 << 10) ? (size_t)64 << 10 : len > POPULATE ? POPULATE : len;
		if (len > (size_t)(s->end - s->populated))
			len = (size_t)(s->end - s->populated);
		madvise(s->populated, len, MADV_POPULATE_WRITE); /* if it fails, pages fault as they are touched */
		s->populated += len;
	}
#endif
	void *p = s->cur;
	s->cur += n;
	if ((size_t)(s->cur - s->collapsed) >= HUGE_PAGE)
		s->collapsed = sim_collapse_full(s->collapsed, (size_t)(s->cur - s->collapsed));
	return p;
}

void *sim_slab_alloc(struct sim_slab *s, size_t size)
{
	if (size > SLAB_MAX)
		return malloc(size);
	size_t k = class_of(size);
	void *p = s->free[k];
	if (p) {
		s->free[k] = *(void **)p;
		return p;
	}
	size_t cs = class_size(k);
	/*
	 * A small object from a free one up to 16 octets larger, the rest given back: the pads
	 * before objects on lines are such pieces (a port of 192 octets after its lists of 96
	 * and 104 leaves 56: 10 MB at 10k), which the peer's lists of 48 then take.
	 */
	for (size_t j = k + 1; cs <= SMALL_MAX && j <= k + 2 && class_size(j) <= SMALL_MAX; j++) {
		if ((p = s->free[j])) {
			s->free[j] = *(void **)p;
			give_back(s, (uint8_t *)p + cs, class_size(j) - cs);
			return p;
		}
	}
	/* The large classes from a line boundary: their layouts count lines. */
	if (cs > SMALL_MAX && ((uintptr_t)s->cur & 63u)) {
		size_t pad = (size_t)(-(uintptr_t)s->cur & 63u);
		if ((size_t)(s->end - s->cur) >= pad + cs) {
			give_back(s, s->cur, pad);
			s->cur += pad;
		} /* else carve starts a new region, which is aligned */
	}
	return carve(s, cs);
}

void *sim_slab_reuse(struct sim_slab *s, size_t size)
{
	if (size > SLAB_MAX)
		return NULL;
	size_t k = class_of(size);
	void *p = s->free[k];
	if (p) {
		s->free[k] = *(void **)p;
		/* The next taker reads the new head's link: a miss when idle objects are cold (frames at scale). */
		__builtin_prefetch(s->free[k], 1);
	}
	return p;
}

void sim_slab_free(struct sim_slab *s, void *p, size_t size)
{
	if (!p)
		return;
	if (size > SLAB_MAX) {
		free(p);
		return;
	}
	size_t k = class_of(size);
	*(void **)p = s->free[k];
	s->free[k] = p;
}

#endif
