/* lsoe-dump: decode LSOE frames from pcap files. Shared between its files. */
#ifndef LSOE_DUMP_H
#define LSOE_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lsoe/error.h"
#include "lsoe/pdu.h"
#include "lsoe/reasm.h"
#include "lsoe/wire.h"

#define DUMP_MAX_ETHERTYPES 16

struct dump_opts {
	bool json, summary, roundtrip, strict, quiet, verbose;
	uint16_t ethertypes[DUMP_MAX_ETHERTYPES];
	unsigned n_ethertypes;
};

/* Everything learnt about one LSOE frame, for the printers. */
struct frame_result {
	const char *file;
	uint64_t index;              /* 1-based within its file */
	uint64_t sec;                /* capture time */
	uint32_t frac;               /* micro- or nanoseconds */
	bool nano;
	size_t caplen;
	struct lsoe_eth eth;
	struct lsoe_dgram dgram;
	bool have_dgram;             /* header could be read */
	enum lsoe_err err;           /* first failure, LSOE_OK if none */
	bool pdu_complete;           /* this frame completed a PDU */
	unsigned pdu_fragments;      /* datagrams that PDU took */
	struct lsoe_pdu pdu;         /* valid when pdu_complete and err == OK */
	const uint8_t *pdu_bytes;
	size_t pdu_len;
	/* --roundtrip */
	bool rt_checked, rt_ok;
	const char *rt_what;         /* "datagram" or "pdu" */
	size_t rt_offset;
	uint8_t rt_wire, rt_encoded;
};

struct dump_totals {
	uint64_t frames, other_frames, files, incomplete;
	uint64_t pdus[256];
	uint64_t errors[LSOE_ERR_COUNT];
	uint64_t roundtrip_mismatches;
	uint64_t failed_frames;
};

/* decode.c */
struct dump_file_state;
struct dump_file_state *dump_file_begin(const struct dump_opts *o);
/* Decode one frame; r->file/index/time/caplen are set by the caller. */
void dump_frame(struct dump_file_state *st, const uint8_t *frame, size_t len, uint64_t time_ns, struct frame_result *r);
/* PDUs still being reassembled at the end of the file. */
uint64_t dump_file_end(struct dump_file_state *st);

/* print_text.c / print_json.c */
void print_text_frame(FILE *out, const struct dump_opts *o, const struct frame_result *r);
void print_text_summary(FILE *out, const struct dump_totals *t);
void print_json_frame(FILE *out, const struct frame_result *r);
void print_json_summary(FILE *out, const struct dump_totals *t);

#endif
