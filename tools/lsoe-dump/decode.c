/* Per-frame decoding for lsoe-dump: Ethernet, datagram, reassembly, PDU, round trip. */
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "heap.h"

struct dump_file_state {
	const struct dump_opts *o;
	struct lsoe_reasm *reasm;
};

struct dump_file_state *dump_file_begin(const struct dump_opts *o)
{
	struct dump_file_state *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	struct lsoe_reasm_config cfg;
	lsoe_reasm_config_default(&cfg);
	/* An offline decoder can afford more than a daemon: many sources at once. */
	cfg.max_sources = 65536;
	cfg.max_total_bytes = 256u * 1024 * 1024;
	st->o = o;
	st->reasm = lsoe_reasm_create(&cfg, &lsoe_heap_allocator);
	if (!st->reasm) {
		free(st);
		return NULL;
	}
	return st;
}

uint64_t dump_file_end(struct dump_file_state *st)
{
	uint64_t left = lsoe_reasm_stats(st->reasm)->sources;
	lsoe_reasm_destroy(st->reasm);
	free(st);
	return left;
}

static bool first_diff(const uint8_t *a, const uint8_t *b, size_t n, size_t *off)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i]) {
			*off = i;
			return true;
		}
	return false;
}

static void mismatch(struct frame_result *r, const char *what, size_t off, uint8_t wire, uint8_t enc)
{
	r->rt_ok = false;
	r->rt_what = what;
	r->rt_offset = off;
	r->rt_wire = wire;
	r->rt_encoded = enc;
}

/* Re-seal the datagram from its decoded header and compare with the wire. */
static void roundtrip_dgram(struct frame_result *r)
{
	static uint8_t buf[LSOE_DGRAM_MAX_LEN];
	const struct lsoe_dgram *d = &r->dgram;
	memcpy(buf + LSOE_DGRAM_HDR_LEN, d->payload, d->payload_len);
	size_t n = lsoe_dgram_seal(buf, d->number, d->last, d->payload_len);
	size_t off;
	if (n != d->length)
		mismatch(r, "datagram", 2, d->bytes[2], buf[2]);
	else if (first_diff(d->bytes, buf, n, &off))
		mismatch(r, "datagram", off, d->bytes[off], buf[off]);
}

/* Encode the decoded PDU from its typed fields and compare with the reassembled bytes. */
static void roundtrip_pdu(struct frame_result *r)
{
	static uint8_t buf[LSOE_PDU_MAX_LEN];
	struct lsoe_pdu p = r->pdu;
	struct lsoe_encap *entries = NULL;

	if (lsoe_pdu_type_is_encap(p.type)) {
		/* Rebuild from typed entries, not from the wire slice: a real round trip. */
		entries = calloc(p.u.encap.count ? p.u.encap.count : 1, sizeof(*entries));
		if (!entries) {
			mismatch(r, "pdu", 0, 0, 0);
			return;
		}
		struct lsoe_encap_iter it;
		unsigned n = 0;
		lsoe_encap_iter_init(&it, &r->pdu);
		while (n < p.u.encap.count && lsoe_encap_iter_next(&it, &entries[n]))
			n++;
		p.u.encap.entries = entries;
		p.u.encap.wire = NULL;
		p.u.encap.wire_len = 0;
	}
	size_t len = 0, off;
	enum lsoe_err e = lsoe_pdu_encode(&p, buf, sizeof(buf), &len);
	if (e != LSOE_OK || len != r->pdu_len)
		mismatch(r, "pdu", 0, r->pdu_bytes[0], (uint8_t)len);
	else if (first_diff(r->pdu_bytes, buf, len, &off))
		mismatch(r, "pdu", off, r->pdu_bytes[off], buf[off]);
	free(entries);
}

void dump_frame(struct dump_file_state *st, const uint8_t *frame, size_t len, uint64_t time_ns, struct frame_result *r)
{
	r->err = lsoe_eth_decode(frame, len, &r->eth);
	if (r->err != LSOE_OK)
		return;
	enum lsoe_err de = lsoe_dgram_decode(r->eth.payload, r->eth.payload_len, &r->dgram);
	r->have_dgram = de != LSOE_E_DGRAM_SHORT;
	if (lsoe_mac_is_group(r->eth.src)) {
		r->err = LSOE_E_SRC_MULTICAST;
		return;
	}
	if (de != LSOE_OK) {
		r->err = de;
		return;
	}
	if (st->o->roundtrip) {
		r->rt_checked = true;
		r->rt_ok = true;
		roundtrip_dgram(r);
	}

	/* Each VLAN is its own link (digest 2.1): key reassembly by (VLAN, source MAC). */
	uint32_t port = r->eth.nvlan ? r->eth.vlan[r->eth.nvlan - 1] : 0;
	bool complete;
	r->err = lsoe_reasm_input(st->reasm, port, r->eth.src, &r->dgram, time_ns, &complete, &r->pdu_bytes, &r->pdu_len);
	if (r->err != LSOE_OK)
		return;
	if (!complete)
		return;
	r->pdu_complete = true;
	/* Reassembly is strictly in order, so the last number tells the count. */
	r->pdu_fragments = r->dgram.number + 1u;
	r->err = lsoe_pdu_decode(r->pdu_bytes, r->pdu_len, &r->pdu);
	if (r->err == LSOE_OK && st->o->roundtrip && r->rt_ok)
		roundtrip_pdu(r);
}
