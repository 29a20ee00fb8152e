/*
 * The simulator's event queue: entries popped in the exact total order of (time, seqkind).
 *
 * A binary heap of every queued event costs a cache miss per level on each pop once the
 * fabric is large (10k nodes: 200k entries, 18 levels). Here the cost per push and pop does
 * not grow with the queue: a hierarchical timing wheel files each event by its time, and
 * only the events of the current fine slot are put in order.
 *
 *   now     the entries whose fine slot (time >> EQ_FINE_SHIFT) is before the cursor: the
 *           slot being run, as a sorted run, and a binary heap of what is pushed into it
 *           (or into the past) meanwhile
 *   fine    2^EQ_FINE_BITS slots of 2^EQ_FINE_SHIFT ns: the rest of the current coarse slot
 *   coarse  2^EQ_COARSE_BITS slots of 2^EQ_COARSE_SHIFT ns after the current one (a sliding
 *           window: the next 4.3 s)
 *   far     a binary heap of the rest (rare: scheduled scenario events, long timers)
 *
 * A wheel slot is a FIFO list of chunks of entries, with a two-level bitmap to find the
 * next non-empty slot. A coarse slot is spread into the fine wheel when the cursor
 * reaches it; far entries move into the wheels as the coarse window slides over them.
 * A slot's entries are thus in push order, which is sequence order (sim_push numbers them
 * as it pushes; only checks and entries back from the far heap break it), so one stable
 * counting sort on their time within the slot puts them in (time, seqkind) order. That is
 * checked: a slot that does not come out sorted goes to the heap instead.
 *
 * Chunks rather than one node per entry: at 10k nodes the queued entries are long out of
 * cache when they are popped, and a list of nodes costs one dependent miss per entry
 * where a chunk costs one per ten, prefetched. A push only stores into chunk memory (the
 * slot's count and the free stack live apart), so it never waits for a miss. Memory:
 * chunks, run and heaps are reused, bounded by the most entries ever queued at once (plus
 * one partial chunk per non-empty slot), and 0.25 MB of fixed slot arrays.
 *
 * A zeroed struct equeue is an empty queue.
 */
#ifndef LSOE_SIM_EQUEUE_H
#define LSOE_SIM_EQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What an entry carries: 8 octets, so that it is passed in a register. */
union qpayload {
	void *p;
	struct {
		uint32_t a, b;
	} ab;
};

/* 24 octets: the queue is the hottest memory of a large run. */
struct qentry {
	uint64_t seqkind;            /* sequence number << 8 | kind: unique, so it alone breaks ties */
	uint64_t time;               /* after seqkind: (time, seqkind) read as one 128-bit key on little-endian hosts */
	union qpayload u;
};
static inline uint32_t qkind(const struct qentry *e) { return (uint32_t)(e->seqkind & 0xFF); }

/*
 * Tuned on lsoe-bench sim --scale 10000, where every node sends its keepalives at the
 * same instant and 180k frames land 20-50 us later: a 64 ns fine slot holds ~400 of them
 * (sorted in L1); a 262 us coarse slot makes few frames cross into the next one (each
 * crossing costs a second pass); the coarse window, 4.3 s, takes the 1 s keepalive
 * wake-ups, and the 10 s HELLO ones wait in the far heap (10k pushes and pops per 10 s:
 * nothing), so that the fixed slot arrays stay small (0.25 MB). Fine slots of 1 to
 * 256 ns measured within 1% of this (cache misses and instructions per event, callgrind).
 */
#ifndef EQ_FINE_SHIFT
#define EQ_FINE_SHIFT 6                                  /* fine slot: 64 ns */
#endif
#ifndef EQ_FINE_BITS
#define EQ_FINE_BITS 12                                  /* 4,096 fine slots: one coarse slot, 262 us */
#endif
#ifndef EQ_COARSE_BITS
#define EQ_COARSE_BITS 14                                /* 16,384 coarse slots: 4.3 s ahead */
#endif
#define EQ_COARSE_SHIFT (EQ_FINE_SHIFT + EQ_FINE_BITS)
#ifndef EQ_CHUNK
#define EQ_CHUNK 10                                      /* entries per chunk: 256 octets with its link */
#endif
#define EQ_SEG_BITS 13                                   /* 8,192 chunks (2 MB, a huge page) a segment */

struct qheap {
	struct qentry *v;
	size_t n, cap;
};

struct qrun {
	struct qentry *v;            /* [r, n): sorted, next first */
	struct qentry *tmp;          /* the counting sort's input */
	size_t r, n, cap;            /* cap: of both */
};

struct qchunk {
	_Alignas(64) uint32_t next;  /* pool index of the next newer chunk; 0: none */
	struct qentry e[EQ_CHUNK];
};

/* A slot: its oldest and newest chunks and its entry count (all but the newest chunk full);
   together, so that a push touches one line of them. */
struct qslot {
	uint32_t head, tail, count;
};

struct qwheel {
	struct qslot *slot;
	uint64_t *bits, *sum;        /* non-empty slots; sum: non-zero words of bits */
};

struct equeue {
	size_t n;                    /* entries queued, all parts */
	uint64_t cursor;             /* fine slots before it are in now */
	uint64_t coarse;             /* coarse slot of the fine wheel; the coarse wheel holds (coarse, coarse + 2^BITS) */
	struct qrun run;             /* now: the slot being run */
	struct qheap now, far;       /* now: pushed into the run's slot or before */
	struct qwheel fine, cw;
	struct qchunk **seg;         /* the chunks, EQ_SEG_CHUNKS a segment: growing moves none */
	uint32_t nseg, seg_cap;
	uint32_t pool_n;             /* chunks made; 0 is unused: index 0 ends a list */
	uint32_t *free_chunks;       /* a stack of free pool indexes: taking one reads no chunk */
	uint32_t nfree;
	uint32_t walk_chunk;         /* the look-ahead walk (equeue_pop): the chunk it fetched last; 0: none */
	uint32_t walk_slot;          /* the fine slot it looks for next from; FINE_N: done */
	uint32_t walk_pace;          /* pops: the walk takes a step every WALK_PACE */
	void *block;                 /* the wheels' arrays */
};

static inline bool equeue_less(const struct qentry *a, const struct qentry *b)
{
	/* One branchless 128-bit comparison of (time, seqkind). */
	unsigned __int128 ka = (unsigned __int128)a->time << 64 | a->seqkind;
	unsigned __int128 kb = (unsigned __int128)b->time << 64 | b->seqkind;
	return ka < kb;
}

/* Scalars rather than a struct in memory: a caller's fresh stores read back whole would
   stall on store forwarding. */
void equeue_push(struct equeue *q, uint64_t time, uint64_t seqkind, union qpayload u);
/* The first entry if its time is <= limit: removed into *out, true. Otherwise false. */
bool equeue_pop(struct equeue *q, uint64_t limit, struct qentry *out);
static inline size_t equeue_len(const struct equeue *q) { return q->n; }
/* The entry the next pop returns when it is already at hand (no wheel to move), else NULL:
   so that a caller can prefetch what it points to while it runs the current one. */
static inline const struct qentry *equeue_next(const struct equeue *q)
{
	const struct qentry *r = q->run.r < q->run.n ? &q->run.v[q->run.r] : NULL;
	if (q->now.n && (!r || equeue_less(&q->now.v[0], r)))
		return &q->now.v[0];
	return r;
}
/*
 * The entries of the run at hand from the one the next pop takes from it, in order: *n of
 * them, the first at place *at of the run (a place keeps its entry while the run lasts).
 * Only a hint (an entry pushed meanwhile may come first): for prefetching further ahead.
 */
static inline const struct qentry *equeue_ahead(const struct equeue *q, size_t *n, size_t *at)
{
	*n = q->run.n - q->run.r;
	*at = q->run.r;
	return q->run.v + q->run.r;
}
/* Every queued entry, in no particular order (census, freeing what they carry). */
void equeue_each(const struct equeue *q, void (*fn)(void *ctx, const struct qentry *e), void *ctx);
/* Releases the queue's memory (not what entries point to); the queue is then empty. */
void equeue_free(struct equeue *q);

#endif
