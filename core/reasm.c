/*
 * Bounded reassembly. Partial PDUs live in an open-addressing table (linear
 * probing, backward-shift deletion) sized for max_sources at load <= 1/2, so a
 * flood of sources costs a bounded table and never a probe chain longer than the
 * table. The hash is keyed with a seed so an attacker cannot aim at one chain.
 */
#include <string.h>

#include "lsoe/pdu.h"
#include "lsoe/reasm.h"

struct slot {
	uint64_t key;            /* 0 = empty; else the MAC with bit 63 set */
	uint32_t port;
	uint64_t started_ns;
	uint8_t *buf;
	uint32_t len;
	uint32_t cap;
	uint8_t next;            /* next expected datagram number */
};

struct lsoe_reasm {
	struct lsoe_reasm_config cfg;
	struct lsoe_allocator a;
	struct lsoe_reasm_stats st;
	uint8_t *done_buf;       /* the last completed PDU, freed at the next call */
	uint32_t done_cap;
	uint32_t mask;
	struct slot slots[];
};

void lsoe_reasm_config_default(struct lsoe_reasm_config *cfg)
{
	cfg->timeout_ns = LSOE_REASM_TIMEOUT_NS_DEFAULT;
	cfg->max_sources = LSOE_REASM_MAX_SOURCES_DEFAULT;
	cfg->max_source_bytes = LSOE_REASM_MAX_SOURCE_BYTES_DEFAULT;
	cfg->max_total_bytes = LSOE_REASM_MAX_TOTAL_BYTES_DEFAULT;
	cfg->hash_seed = 0;
}

static uint64_t make_key(const uint8_t mac[6])
{
	uint64_t k = 0;
	for (int i = 0; i < 6; i++)
		k = k << 8 | mac[i];
	return k | 1ull << 63;
}

static uint32_t slot_of(const struct lsoe_reasm *r, uint64_t key, uint32_t port)
{
	uint64_t x = key ^ ((uint64_t)port << 48) ^ r->cfg.hash_seed; /* splitmix64 finaliser */
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	x ^= x >> 31;
	return (uint32_t)x & r->mask;
}

struct lsoe_reasm *lsoe_reasm_create(const struct lsoe_reasm_config *cfg, const struct lsoe_allocator *a)
{
	if (!cfg || !a || !a->alloc || !a->free || cfg->max_sources == 0 || cfg->max_sources > (1u << 24))
		return NULL;
	uint32_t n = 2;
	while (n < 2u * cfg->max_sources)
		n <<= 1;
	size_t size = sizeof(struct lsoe_reasm) + (size_t)n * sizeof(struct slot);
	struct lsoe_reasm *r = a->alloc(a->ctx, size);
	if (!r)
		return NULL;
	memset(r, 0, size);
	r->cfg = *cfg;
	if (r->cfg.max_source_bytes > LSOE_PDU_MAX_LEN)
		r->cfg.max_source_bytes = LSOE_PDU_MAX_LEN;
	r->a = *a;
	r->mask = n - 1;
	return r;
}

static void release(struct lsoe_reasm *r, uint8_t *buf, uint32_t cap)
{
	if (!buf)
		return;
	r->a.free(r->a.ctx, buf, cap);
	r->st.bytes_buffered -= cap;
}

static void release_done(struct lsoe_reasm *r)
{
	release(r, r->done_buf, r->done_cap);
	r->done_buf = NULL;
	r->done_cap = 0;
}

/* Remove slot i, freeing its buffer unless keep_buf, and close the probe gap. */
static void remove_slot(struct lsoe_reasm *r, uint32_t i, bool keep_buf)
{
	if (!keep_buf)
		release(r, r->slots[i].buf, r->slots[i].cap);
	r->st.sources--;
	uint32_t hole = i;
	for (uint32_t j = (i + 1) & r->mask; r->slots[j].key; j = (j + 1) & r->mask) {
		uint32_t home = slot_of(r, r->slots[j].key, r->slots[j].port);
		/* Move j into the hole unless its home lies cyclically in (hole, j]. */
		bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
		if (!stays) {
			r->slots[hole] = r->slots[j];
			hole = j;
		}
	}
	memset(&r->slots[hole], 0, sizeof(struct slot));
}

static struct slot *find(struct lsoe_reasm *r, uint64_t key, uint32_t port, uint32_t *idx)
{
	for (uint32_t i = slot_of(r, key, port);; i = (i + 1) & r->mask) {
		if (r->slots[i].key == key && r->slots[i].port == port) {
			*idx = i;
			return &r->slots[i];
		}
		if (!r->slots[i].key)
			return NULL;
	}
}

static struct slot *insert(struct lsoe_reasm *r, uint64_t key, uint32_t port, uint32_t *idx)
{
	uint32_t i = slot_of(r, key, port);
	while (r->slots[i].key)
		i = (i + 1) & r->mask;
	memset(&r->slots[i], 0, sizeof(struct slot));
	r->slots[i].key = key;
	r->slots[i].port = port;
	r->st.sources++;
	if (r->st.sources > r->st.sources_peak)
		r->st.sources_peak = r->st.sources;
	*idx = i;
	return &r->slots[i];
}

/* Capacity a buffer of cap octets grows to, to hold need octets of a PDU claiming hint octets. */
static size_t grow_cap(const struct lsoe_reasm *r, size_t cap, size_t need, size_t hint)
{
	cap = cap ? cap * 2 : 2048;
	if (hint > cap)
		cap = hint;
	if (cap < need)
		cap = need;
	if (cap > r->cfg.max_source_bytes)
		cap = r->cfg.max_source_bytes;
	return cap;
}

/* Append a slice, growing the buffer within the limits. hint: claimed PDU size. */
static enum lsoe_err append(struct lsoe_reasm *r, struct slot *s, const uint8_t *p, size_t n, size_t hint)
{
	size_t need = (size_t)s->len + n;
	if (need > LSOE_PDU_MAX_LEN)
		return LSOE_E_REASM_PDU_TOO_BIG;
	if (need > r->cfg.max_source_bytes)
		return LSOE_E_REASM_SOURCE_LIMIT;
	if (need > s->cap) {
		size_t cap = grow_cap(r, s->cap, need, hint);
		if (r->st.bytes_buffered - s->cap + cap > r->cfg.max_total_bytes)
			return LSOE_E_REASM_TOTAL_LIMIT;
		uint8_t *nb = r->a.alloc(r->a.ctx, cap);
		if (!nb)
			return LSOE_E_REASM_NOMEM;
		r->st.bytes_buffered += cap;
		if (s->len)
			memcpy(nb, s->buf, s->len);
		release(r, s->buf, s->cap);
		s->buf = nb;
		s->cap = (uint32_t)cap;
		if (r->st.bytes_buffered > r->st.bytes_buffered_peak)
			r->st.bytes_buffered_peak = r->st.bytes_buffered;
	}
	/* An empty datagram appends nothing: s->buf may still be NULL (no memcpy, no NULL + 0). */
	if (n)
		memcpy(s->buf + s->len, p, n);
	s->len = (uint32_t)need;
	return LSOE_OK;
}

static bool stale(const struct lsoe_reasm *r, const struct slot *s, uint64_t now_ns)
{
	return now_ns >= s->started_ns && now_ns - s->started_ns >= r->cfg.timeout_ns;
}

static enum lsoe_err fail(struct lsoe_reasm *r, enum lsoe_err e)
{
	r->st.errors[e]++;
	return e;
}

enum lsoe_err lsoe_reasm_input(struct lsoe_reasm *r, uint32_t port, const uint8_t src[6],
    const struct lsoe_dgram *d, uint64_t now_ns, bool *complete, const uint8_t **pdu, size_t *pdu_len)
{
	*complete = false;
	*pdu = NULL;
	*pdu_len = 0;
	release_done(r);

	/* The key is made only when needed: the single-datagram fast path with no partial PDU needs none. */
	uint32_t idx = 0;
	struct slot *s = r->st.sources ? find(r, make_key(src), port, &idx) : NULL;
	bool was_stale = false;
	if (s && stale(r, s, now_ns)) {
		remove_slot(r, idx, false);
		r->st.expired++;
		s = NULL;
		was_stale = true;
	}

	if (d->number == 0) {
		if (s) {
			/* A new PDU starts: the partial one can never complete (digest 2.4, rule 2). */
			r->st.abandoned++;
			remove_slot(r, idx, false);
			s = NULL;
		}
		if (d->last) { /* the common case: one datagram, no copy */
			r->st.pdus++;
			*complete = true;
			*pdu = d->payload;
			*pdu_len = d->payload_len;
			return LSOE_OK;
		}
		/*
		 * The claimed PDU length sizes the buffer, but only up to 4x what has arrived:
		 * a 64-octet fragment claiming 65535 must not reserve 64 KiB at once.
		 */
		size_t hint = d->payload_len >= LSOE_PDU_HDR_LEN ? (size_t)(d->payload[1] << 8 | d->payload[2]) : 0;
		if (hint > 4 * d->payload_len)
			hint = 4 * d->payload_len;
		/* Reclaim stale partials before refusing a new source for lack of a slot or of bytes. */
		if (r->st.sources >= r->cfg.max_sources ||
		    r->st.bytes_buffered + grow_cap(r, 0, d->payload_len, hint) > r->cfg.max_total_bytes)
			lsoe_reasm_expire(r, now_ns);
		if (r->st.sources >= r->cfg.max_sources)
			return fail(r, LSOE_E_REASM_TABLE_FULL);
		s = insert(r, make_key(src), port, &idx);
		s->started_ns = now_ns;
		enum lsoe_err e = append(r, s, d->payload, d->payload_len, hint);
		if (e != LSOE_OK) {
			remove_slot(r, idx, false);
			return fail(r, e);
		}
		s->next = 1;
		return LSOE_OK;
	}

	if (!s)
		return fail(r, was_stale ? LSOE_E_FRAG_STALE : LSOE_E_FRAG_NO_START);
	if (d->number != s->next) {
		/* A gap or a duplicate: with no PDU identifier this PDU cannot be trusted. */
		remove_slot(r, idx, false);
		return fail(r, LSOE_E_FRAG_OUT_OF_ORDER);
	}
	enum lsoe_err e = append(r, s, d->payload, d->payload_len, 0);
	if (e != LSOE_OK) {
		remove_slot(r, idx, false);
		return fail(r, e);
	}
	s->next++;
	if (!d->last)
		return LSOE_OK;

	r->done_buf = s->buf;
	r->done_cap = s->cap;
	*complete = true;
	*pdu = s->buf;
	*pdu_len = s->len;
	remove_slot(r, idx, true);
	r->st.pdus++;
	r->st.pdus_multi++;
	return LSOE_OK;
}

uint64_t lsoe_reasm_expire(struct lsoe_reasm *r, uint64_t now_ns)
{
	uint64_t next = UINT64_MAX;
	for (uint32_t i = 0; i <= r->mask && r->st.sources; i++) {
		while (r->slots[i].key && stale(r, &r->slots[i], now_ns)) {
			remove_slot(r, i, false);
			r->st.expired++;
		}
		if (r->slots[i].key) {
			uint64_t dl = r->slots[i].started_ns + r->cfg.timeout_ns;
			if (dl < next)
				next = dl;
		}
	}
	return next;
}

void lsoe_reasm_flush(struct lsoe_reasm *r, uint32_t port)
{
	release_done(r);
	for (uint32_t i = 0; i <= r->mask && r->st.sources; i++) {
		while (r->slots[i].key && (port == UINT32_MAX || r->slots[i].port == port))
			remove_slot(r, i, false);
	}
}

void lsoe_reasm_destroy(struct lsoe_reasm *r)
{
	if (!r)
		return;
	lsoe_reasm_flush(r, UINT32_MAX);
	r->a.free(r->a.ctx, r, lsoe_reasm_footprint(r));
}

void lsoe_reasm_set_timeout(struct lsoe_reasm *r, uint64_t timeout_ns)
{
	r->cfg.timeout_ns = timeout_ns;
}

const struct lsoe_reasm_stats *lsoe_reasm_stats(const struct lsoe_reasm *r)
{
	return &r->st;
}

size_t lsoe_reasm_footprint(const struct lsoe_reasm *r)
{
	return sizeof(struct lsoe_reasm) + ((size_t)r->mask + 1) * sizeof(struct slot);
}
