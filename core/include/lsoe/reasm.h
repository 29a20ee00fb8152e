/*
 * Reassembly of PDUs that span several datagrams (digest 2.4), keyed by
 * (port, source MAC), with hard bounds on memory.
 *
 * Rules: number 0 starts a new PDU (discarding any partial one from that source);
 * n > 0 is accepted only as the next expected number, otherwise the partial PDU and
 * the datagram are discarded (this covers out-of-order and duplicated fragments);
 * a partial PDU older than the timeout is discarded. A single-datagram PDU is
 * returned in place, with no copy and no buffer.
 *
 * Memory: at most max_sources partial PDUs, at most max_source_bytes buffered for
 * one source and max_total_bytes for all. Buffers come from the injected allocator.
 * Time is passed in by the caller; the reassembler reads no clock.
 */
#ifndef LSOE_REASM_H
#define LSOE_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lsoe/alloc.h"
#include "lsoe/error.h"
#include "lsoe/wire.h"

#define LSOE_REASM_TIMEOUT_NS_DEFAULT     1000000000ull /* 1 s (digest 12.4) */
#define LSOE_REASM_MAX_SOURCES_DEFAULT    256u
#define LSOE_REASM_MAX_SOURCE_BYTES_DEFAULT 65535u
#define LSOE_REASM_MAX_TOTAL_BYTES_DEFAULT  (4u * 1024u * 1024u)

struct lsoe_reasm_config {
	uint64_t timeout_ns;
	uint32_t max_sources;        /* partial PDUs held at once */
	uint32_t max_source_bytes;   /* per source, <= 65535 is enough for any PDU */
	uint32_t max_total_bytes;
	uint64_t hash_seed;          /* keys the source table against chosen collisions */
};

void lsoe_reasm_config_default(struct lsoe_reasm_config *cfg);

struct lsoe_reasm_stats {
	uint64_t pdus;               /* complete PDUs returned */
	uint64_t pdus_multi;         /* of which reassembled from several datagrams */
	uint64_t abandoned;          /* partial PDUs replaced by a new number 0 */
	uint64_t expired;            /* partial PDUs dropped at the timeout */
	uint64_t errors[LSOE_ERR_COUNT];
	uint64_t bytes_buffered;     /* now */
	uint64_t bytes_buffered_peak;
	uint32_t sources;            /* partial PDUs now */
	uint32_t sources_peak;
};

struct lsoe_reasm;

/* Returns NULL if the allocator fails or cfg is invalid. */
struct lsoe_reasm *lsoe_reasm_create(const struct lsoe_reasm_config *cfg, const struct lsoe_allocator *a);
void lsoe_reasm_destroy(struct lsoe_reasm *r);

/*
 * Feed one validated datagram from (port, src). On LSOE_OK, *complete tells
 * whether a PDU is ready in *pdu / *pdu_len; that pointer stays valid until the
 * next call on this reassembler. On error the datagram was dropped (and perhaps
 * a partial PDU with it); the error is also counted in the stats.
 */
enum lsoe_err lsoe_reasm_input(struct lsoe_reasm *r, uint32_t port, const uint8_t src[6],
    const struct lsoe_dgram *d, uint64_t now_ns, bool *complete, const uint8_t **pdu, size_t *pdu_len);

/*
 * Drop partial PDUs older than the timeout. Returns the earliest time a partial
 * PDU will expire, or UINT64_MAX if none is held.
 */
uint64_t lsoe_reasm_expire(struct lsoe_reasm *r, uint64_t now_ns);

/* Drop every partial PDU from one port (the port went down), or all if port is UINT32_MAX. */
void lsoe_reasm_flush(struct lsoe_reasm *r, uint32_t port);

const struct lsoe_reasm_stats *lsoe_reasm_stats(const struct lsoe_reasm *r);

/* Change the timeout (a reconfiguration); partial PDUs already held use the new value too. */
void lsoe_reasm_set_timeout(struct lsoe_reasm *r, uint64_t timeout_ns);

/* Bytes of memory the reassembler itself occupies (table, not buffers). */
size_t lsoe_reasm_footprint(const struct lsoe_reasm *r);

#endif
