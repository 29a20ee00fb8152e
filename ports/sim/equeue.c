/*
 * The event queue (equeue.h): a hierarchical timing wheel in front of a sorted run and
 * two binary heaps. Invariants, with FB = EQ_FINE_BITS:
 *   coarse << FB <= cursor <= (coarse + 1) << FB
 *   run, now: fine slot < cursor
 *   fine:     fine slot >= cursor, coarse slot == coarse
 *   coarse:   coarse slot in (coarse, coarse + 2^EQ_COARSE_BITS)
 *   far:      coarse slot >= coarse + 2^EQ_COARSE_BITS
 * so the lesser of the run's next entry and now's top, if any, is the first entry of all.
 */
#include "equeue.h"
#include "slab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FINE_N (1u << EQ_FINE_BITS)
#define COARSE_N (1u << EQ_COARSE_BITS)
#define SUB_N (1u << EQ_FINE_SHIFT) /* distinct times in a fine slot */
/* Chunks at most: every slot count then fits in 32 bits. */
#define POOL_MAX (UINT32_MAX / EQ_CHUNK)

_Static_assert(EQ_FINE_BITS >= 6 && EQ_COARSE_BITS >= 6, "bitmaps are whole 64-bit words");
_Static_assert(EQ_FINE_SHIFT <= 8, "the counting sort's counters are on the stack");

static void oom(void)
{
	fputs("lsoe-sim: out of memory (event queue)\n", stderr);
	exit(1);
}

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	while (n < need)
		n *= 2;
	p = realloc(p, n * size);
	if (!p)
		oom();
	*cap = n;
	return p;
}

/* ---- binary heaps ordered by (time, seqkind) ---- */

static void sift_up(struct qheap *h, size_t i, struct qentry e)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!equeue_less(&e, &h->v[parent]))
			break;
		h->v[i] = h->v[parent];
		i = parent;
	}
	h->v[i] = e;
}

static void heap_push(struct qheap *h, const struct qentry *e)
{
	if (h->n == h->cap)
		h->v = grow(h->v, &h->cap, h->n + 1, sizeof(*h->v));
	sift_up(h, h->n++, *e);
}

/* Bottom-up (Floyd): the hole walks to a leaf along the smaller children, one comparison
   per level, and the last element is sifted up from there, usually no distance at all. */
static struct qentry heap_pop(struct qheap *h)
{
	struct qentry top = h->v[0];
	size_t n = --h->n;
	if (n == 0)
		return top;
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && equeue_less(&h->v[c + 1], &h->v[c]))
			c++;
		h->v[i] = h->v[c];
		i = c;
	}
	sift_up(h, i, h->v[n]);
	return top;
}

static void sift_down(struct qheap *h, size_t i)
{
	struct qentry e = h->v[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && equeue_less(&h->v[c + 1], &h->v[c]))
			c++;
		if (!equeue_less(&h->v[c], &e))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	h->v[i] = e;
}

/* ---- wheel slots: FIFO lists of chunks, and bitmaps of the non-empty ones ---- */

static inline struct qchunk *chunk(const struct equeue *q, uint32_t i)
{
	return &q->seg[i >> EQ_SEG_BITS][i & ((1u << EQ_SEG_BITS) - 1)];
}

static inline void prefetch_chunk_w(const struct qchunk *c)
{
	for (size_t off = 0; off < sizeof(*c); off += 64)
		__builtin_prefetch((const char *)c + off, 1);
}

/*
 * A segment is mapped on a huge-page boundary and collapsed into a huge page once all of
 * its chunks have been taken (chunk_new): at 10k nodes the chunks a burst of pushes takes
 * are scattered over the segments, and with 4 KiB pages each was a TLB miss too. Untouched,
 * its pages cost nothing.
 */
#define SEG_SIZE (sizeof(struct qchunk) << EQ_SEG_BITS)

static uint32_t chunk_new(struct equeue *q)
{
	if (q->nfree) {
		/* The one taken next is fetched now: at 10k nodes a free chunk was last used a second
		   ago, and a burst of pushes into such chunks waits for them (a full store buffer). */
		if (q->nfree > 1)
			prefetch_chunk_w(chunk(q, q->free_chunks[q->nfree - 2]));
		return q->free_chunks[--q->nfree];
	}
	if (q->pool_n >= q->nseg << EQ_SEG_BITS) { /* >=: pool_n starts at 1 */
		/* A segment more: nothing is copied, so the queue never holds twice its memory. */
		if (q->pool_n > POOL_MAX - (1u << EQ_SEG_BITS)) {
			fputs("lsoe-sim: event queue full\n", stderr);
			exit(1);
		}
		if (q->nseg == q->seg_cap) {
			size_t cap = q->seg_cap;
			q->seg = grow(q->seg, &cap, q->nseg + 1, sizeof(*q->seg));
			q->seg_cap = (uint32_t)cap;
		}
		size_t room = (size_t)(q->nseg + 1) << EQ_SEG_BITS;
		struct qchunk *sg = sim_map_hot(SEG_SIZE, false);
		uint32_t *f = realloc(q->free_chunks, room * sizeof(*f));
		if (!sg || !f)
			oom();
		q->seg[q->nseg++] = sg;
		q->free_chunks = f;
	}
	if (((q->pool_n + 1) & ((1u << EQ_SEG_BITS) - 1)) == 0) /* the segment's last chunk: it is full */
		sim_collapse_full((uint8_t *)q->seg[q->pool_n >> EQ_SEG_BITS], SEG_SIZE);
	return q->pool_n++;
}

static inline void chunk_free(struct equeue *q, uint32_t c)
{
	q->free_chunks[q->nfree++] = c; /* room: the stack is as long as the segments */
}

static inline void prefetch_chunk(const struct qchunk *c)
{
	for (size_t off = 0; off < sizeof(*c); off += 64)
		__builtin_prefetch((const char *)c + off);
}

static inline void bit_set(uint64_t *bits, uint64_t *sum, uint32_t i)
{
	bits[i >> 6] |= 1ull << (i & 63);
	sum[i >> 12] |= 1ull << ((i >> 6) & 63);
}

static inline void bit_clear(uint64_t *bits, uint64_t *sum, uint32_t i)
{
	bits[i >> 6] &= ~(1ull << (i & 63));
	if (!bits[i >> 6])
		sum[i >> 12] &= ~(1ull << ((i >> 6) & 63));
}

/* The first set bit at from or after, below nbits (a multiple of 64); -1: none. */
static long bit_next(const uint64_t *bits, const uint64_t *sum, uint32_t nbits, uint32_t from)
{
	if (from >= nbits)
		return -1;
	uint32_t w = from >> 6;
	uint64_t m = bits[w] & (~0ull << (from & 63));
	if (m)
		return (long)w * 64 + __builtin_ctzll(m);
	uint32_t nw = nbits >> 6;
	if (++w >= nw)
		return -1;
	uint32_t s = w >> 6;
	m = sum[s] & (~0ull << (w & 63));
	for (;;) {
		if (m) {
			uint32_t ww = s * 64 + (uint32_t)__builtin_ctzll(m);
			return (long)ww * 64 + __builtin_ctzll(bits[ww]);
		}
		if (++s >= (nw + 63) / 64)
			return -1;
		m = sum[s];
	}
}

/* Appends an entry to slot i: stores only, into the newest chunk or a new one. Fields
   rather than a struct: one just built on the stack and read back whole stalls. */
static inline void slot_add(struct equeue *q, struct qwheel *wh, uint32_t i, uint64_t time, uint64_t seqkind,
    union qpayload u)
{
	struct qslot *sl = &wh->slot[i];
	uint32_t n = sl->count, c = sl->tail;
	unsigned at = n % EQ_CHUNK;
	if (at == 0) {
		uint32_t fresh = chunk_new(q);
		chunk(q, fresh)->next = 0;
		if (n)
			chunk(q, c)->next = fresh;
		else {
			sl->head = fresh;
			bit_set(wh->bits, wh->sum, i);
		}
		sl->tail = c = fresh;
	}
	struct qentry *d = &chunk(q, c)->e[at];
	d->seqkind = seqkind;
	d->time = time;
	d->u = u;
	sl->count = n + 1;
}

/*
 * Emptying a slot oldest first, a chunk at a time: each is copied out and freed before its
 * entries are used (the caller may take chunks, and the pool move), and the next one is
 * prefetched meanwhile, so there is one exposed miss per chunk at most.
 */
struct drain {
	uint32_t chunk;              /* the next chunk to copy out */
	uint32_t left;               /* entries still in the slot */
};

static uint32_t drain_begin(struct qwheel *wh, uint32_t i, struct drain *d)
{
	d->chunk = wh->slot[i].head;
	d->left = wh->slot[i].count;
	wh->slot[i] = (struct qslot){ 0, 0, 0 };
	bit_clear(wh->bits, wh->sum, i);
	return d->left;
}

/* The next chunk's entries into out; their count, 0 at the end. */
static inline unsigned drain_chunk(struct equeue *q, struct drain *d, struct qentry *out)
{
	if (!d->left)
		return 0;
	const struct qchunk *c = chunk(q, d->chunk);
	uint32_t next = c->next;
	unsigned n = d->left < EQ_CHUNK ? d->left : EQ_CHUNK;
	if (next)
		prefetch_chunk(chunk(q, next));
	memcpy(out, c->e, n * sizeof(*out));
	chunk_free(q, d->chunk);
	d->chunk = next;
	d->left -= n;
	return n;
}

static inline uint32_t fine_index(uint64_t time)
{
	return (uint32_t)(time >> EQ_FINE_SHIFT) & (FINE_N - 1);
}

/* A wheel of n slots (a multiple of 64) in one block: bitmap words, then slots. */
static size_t wheel_size(uint32_t n)
{
	return (n / 64 + (n / 4096 ? n / 4096 : 1)) * sizeof(uint64_t) + (size_t)n * sizeof(struct qslot);
}

static void wheel_carve(struct qwheel *wh, uint32_t n, char **p)
{
	wh->bits = (uint64_t *)*p;
	wh->sum = wh->bits + n / 64;
	wh->slot = (struct qslot *)(wh->sum + (n / 4096 ? n / 4096 : 1));
	*p += wheel_size(n);
}

static void wheels_init(struct equeue *q)
{
	/* The fine wheel first: its size is a multiple of 8, so the coarse one is aligned too. */
	char *p = calloc(1, wheel_size(FINE_N) + wheel_size(COARSE_N));
	if (!p)
		oom();
	q->block = p;
	wheel_carve(&q->fine, FINE_N, &p);
	wheel_carve(&q->cw, COARSE_N, &p);
	q->pool_n = 1; /* chunk 0 ends lists */
}

/* Files an entry where the invariants put it. */
static inline void place(struct equeue *q, uint64_t time, uint64_t seqkind, union qpayload u)
{
	uint64_t f = time >> EQ_FINE_SHIFT;
	uint64_t k = time >> EQ_COARSE_SHIFT; /* >= coarse when f >= cursor */
	if (f >= q->cursor && k == q->coarse)
		slot_add(q, &q->fine, (uint32_t)f & (FINE_N - 1), time, seqkind, u);
	else if (f >= q->cursor && k - q->coarse < COARSE_N)
		slot_add(q, &q->cw, (uint32_t)k & (COARSE_N - 1), time, seqkind, u);
	else {
		struct qentry e = { .seqkind = seqkind, .time = time, .u = u };
		heap_push(f < q->cursor ? &q->now : &q->far, &e);
	}
}

void equeue_push(struct equeue *q, uint64_t time, uint64_t seqkind, union qpayload u)
{
	if (!q->block)
		wheels_init(q);
	q->n++;
	place(q, time, seqkind, u);
}

static bool sorted(const struct qentry *v, size_t k)
{
	for (size_t j = 1; j < k; j++)
		if (!equeue_less(&v[j - 1], &v[j]))
			return false;
	return true;
}

/* Fine slot i becomes the run (run and now are empty): its entries in push order, stably
   sorted on their time within the slot, in order if the push order was the sequence
   order; if not, they go to now, a heap, instead. */
static void load_fine(struct equeue *q, uint32_t i)
{
	struct qrun *r = &q->run;
	struct drain d;
	uint32_t k = drain_begin(&q->fine, i, &d);
	if (r->cap < k) {
		size_t cap = r->cap;
		r->v = grow(r->v, &cap, k, sizeof(*r->v));
		r->tmp = grow(r->tmp, &r->cap, k, sizeof(*r->tmp));
	}
	for (size_t at = 0, n; (n = drain_chunk(q, &d, r->tmp + at)) != 0;)
		at += n;
	r->r = 0;
	r->n = k;
	if (sorted(r->tmp, k)) { /* all at one time, say: no sort */
		struct qentry *t = r->v;
		r->v = r->tmp;
		r->tmp = t;
		return;
	}
	size_t pos[SUB_N] = { 0 };
	for (size_t j = 0; j < k; j++)
		pos[r->tmp[j].time & (SUB_N - 1)]++;
	for (size_t s = 0, sum = 0; s < SUB_N; s++) {
		size_t c = pos[s];
		pos[s] = sum;
		sum += c;
	}
	for (size_t j = 0; j < k; j++)
		r->v[pos[r->tmp[j].time & (SUB_N - 1)]++] = r->tmp[j];
	if (!sorted(r->v, k)) {
		struct qheap *h = &q->now;
		if (h->cap < k)
			h->v = grow(h->v, &h->cap, k, sizeof(*h->v));
		memcpy(h->v, r->v, k * sizeof(*h->v));
		h->n = k;
		for (size_t p = k / 2; p-- > 0;)
			sift_down(h, p);
		r->n = 0;
	}
}

/* run and now are empty: fills them with the next non-empty fine slot, moving the wheels on
   as far as needed. False: the queue is empty. */
static bool advance(struct equeue *q)
{
	for (;;) {
		uint64_t base = q->coarse << EQ_FINE_BITS;
		long i = bit_next(q->fine.bits, q->fine.sum, FINE_N, (uint32_t)(q->cursor - base));
		if (i >= 0) {
			load_fine(q, (uint32_t)i);
			q->cursor = base + (uint64_t)i + 1;
			q->walk_chunk = 0; /* the walk starts again after it (walk_step) */
			q->walk_slot = (uint32_t)i + 1;
			return true;
		}
		/* The fine wheel is empty: on to the next non-empty coarse slot, or the first far one. */
		uint32_t from = (uint32_t)(q->coarse + 1) & (COARSE_N - 1);
		long j = bit_next(q->cw.bits, q->cw.sum, COARSE_N, from);
		if (j < 0 && from)
			j = bit_next(q->cw.bits, q->cw.sum, COARSE_N, 0);
		uint64_t k;
		if (j >= 0)
			k = q->coarse + 1 + (((uint64_t)j - from) & (COARSE_N - 1));
		else if (q->far.n)
			k = q->far.v[0].time >> EQ_COARSE_SHIFT;
		else
			return false;
		q->coarse = k;
		q->cursor = k << EQ_FINE_BITS;
		if (j >= 0) { /* the coarse slot spread over the fine wheel, in its order */
			struct drain d;
			struct qentry e[EQ_CHUNK];
			drain_begin(&q->cw, (uint32_t)j, &d);
			for (unsigned n; (n = drain_chunk(q, &d, e)) != 0;)
				for (unsigned x = 0; x < n; x++)
					slot_add(q, &q->fine, fine_index(e[x].time), e[x].time, e[x].seqkind, e[x].u);
		}
		/* The coarse window slid: far entries now inside it join the wheels. */
		while (q->far.n && (q->far.v[0].time >> EQ_COARSE_SHIFT) - k < COARSE_N) {
			struct qentry e = heap_pop(&q->far);
			place(q, e.time, e.seqkind, e.u);
		}
	}
}

/*
 * The chunks of the fine slots after the run's, one every WALK_PACE pops: a slot is copied
 * out in one go when its turn comes (load_fine), and a list of chunks prefetched one ahead
 * there exposed the miss of nearly every chunk (at 10k nodes a slot of ~400 frames in 40
 * chunks, each pushed long ago). Walked meanwhile, a slot is in cache when it is loaded. A
 * hint: it reads only the slots' heads and the chunks' links, each checked, and changes
 * nothing (a chunk freed meanwhile makes it fetch in vain).
 */
#define WALK_PACE 4u /* a power of two; every pop measured x0.953, every 4th x0.932, every 8th slower (tools/bench-ab at 10k) */
static inline void walk_step(struct equeue *q)
{
	uint32_t c = q->walk_chunk;
	if (c) {
		uint32_t next = c < q->pool_n ? chunk(q, c)->next : 0; /* c was fetched a pop ago */
		if (next && next < q->pool_n)
			prefetch_chunk(chunk(q, next));
		q->walk_chunk = next;
		return;
	}
	if (q->walk_slot >= FINE_N || !q->block)
		return;
	long i = bit_next(q->fine.bits, q->fine.sum, FINE_N, q->walk_slot);
	if (i < 0) {
		q->walk_slot = FINE_N;
		return;
	}
	q->walk_slot = (uint32_t)i + 1;
	uint32_t h = q->fine.slot[i].head;
	if (h && h < q->pool_n) {
		prefetch_chunk(chunk(q, h));
		q->walk_chunk = h;
	}
}

bool equeue_pop(struct equeue *q, uint64_t limit, struct qentry *out)
{
	if ((++q->walk_pace & (WALK_PACE - 1)) == 0)
		walk_step(q);
	const struct qentry *m = equeue_next(q);
	if (!m) {
		if (!q->n || !advance(q))
			return false;
		m = equeue_next(q);
	}
	if (m->time > limit)
		return false;
	*out = *m;
	if (q->now.n && m == &q->now.v[0])
		heap_pop(&q->now);
	else
		q->run.r++;
	q->n--;
	return true;
}

static void wheel_each(const struct equeue *q, const struct qwheel *wh, uint32_t slots,
    void (*fn)(void *ctx, const struct qentry *e), void *ctx)
{
	for (long i = bit_next(wh->bits, wh->sum, slots, 0); i >= 0;
	    i = bit_next(wh->bits, wh->sum, slots, (uint32_t)i + 1)) {
		uint32_t left = wh->slot[i].count;
		for (uint32_t c = wh->slot[i].head; left; c = chunk(q, c)->next)
			for (unsigned j = 0; j < EQ_CHUNK && left; j++, left--)
				fn(ctx, &chunk(q, c)->e[j]);
	}
}

void equeue_each(const struct equeue *q, void (*fn)(void *ctx, const struct qentry *e), void *ctx)
{
	for (size_t i = q->run.r; i < q->run.n; i++)
		fn(ctx, &q->run.v[i]);
	for (size_t i = 0; i < q->now.n; i++)
		fn(ctx, &q->now.v[i]);
	for (size_t i = 0; i < q->far.n; i++)
		fn(ctx, &q->far.v[i]);
	if (!q->block)
		return;
	wheel_each(q, &q->fine, FINE_N, fn, ctx);
	wheel_each(q, &q->cw, COARSE_N, fn, ctx);
}

void equeue_free(struct equeue *q)
{
	free(q->run.v);
	free(q->run.tmp);
	free(q->now.v);
	free(q->far.v);
	for (uint32_t i = 0; i < q->nseg; i++)
		sim_unmap_hot(q->seg[i], SEG_SIZE);
	free(q->seg);
	free(q->free_chunks);
	free(q->block);
	memset(q, 0, sizeof(*q));
}
