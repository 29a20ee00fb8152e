/* JSON lines: one object per frame, and the summary object. */
#include <inttypes.h>
#include <stdio.h>

#include "dump.h"
#include "format.h"
#include "json_pdu.h"

static void emit(FILE *out, yajl_gen g)
{
	const unsigned char *buf;
	size_t len;
	yajl_gen_get_buf(g, &buf, &len);
	fwrite(buf, 1, len, out);
	fputc('\n', out);
}

void print_json_frame(FILE *out, const struct frame_result *r)
{
	char a[LSOE_MAC_STRLEN], b[32];
	yajl_gen g = yajl_gen_alloc(NULL);
	yajl_gen_map_open(g);
	lsoe_json_kstr(g, "file", r->file);
	lsoe_json_kint(g, "frame", (long long)r->index);
	snprintf(b, sizeof(b), "%" PRIu64 ".%0*" PRIu32, r->sec, r->nano ? 9 : 6, r->frac);
	lsoe_json_kdecimal(g, "time", b);
	lsoe_json_kstr(g, "src", lsoe_fmt_mac(a, r->eth.src));
	lsoe_json_kstr(g, "dst", lsoe_fmt_mac(a, r->eth.dst));
	snprintf(b, sizeof(b), "0x%04x", r->eth.ethertype);
	lsoe_json_kstr(g, "ethertype", b);
	if (r->eth.nvlan) {
		lsoe_json_key(g, "vlan");
		yajl_gen_array_open(g);
		for (unsigned i = 0; i < r->eth.nvlan; i++)
			yajl_gen_integer(g, r->eth.vlan[i]);
		yajl_gen_array_close(g);
	}
	lsoe_json_kint(g, "frame_length", (long long)r->caplen);
	if (r->have_dgram) {
		const struct lsoe_dgram *d = &r->dgram;
		lsoe_json_kint(g, "version", d->version);
		lsoe_json_kint(g, "fragment", d->number);
		lsoe_json_kbool(g, "last", d->last);
		lsoe_json_kint(g, "length", d->length);
		snprintf(b, sizeof(b), "0x%08" PRIx32, d->checksum);
		lsoe_json_kstr(g, "checksum", b);
		lsoe_json_key(g, "checksum_ok");
		if (d->payload)
			yajl_gen_bool(g, d->checksum_ok);
		else
			yajl_gen_null(g); /* length invalid: nothing to check */
	}
	if (r->err != LSOE_OK) {
		lsoe_json_kstr(g, "error", lsoe_err_name(r->err));
		lsoe_json_kstr(g, "error_text", lsoe_err_desc(r->err));
	} else if (r->pdu_complete) {
		lsoe_json_key(g, "pdu");
		lsoe_json_pdu(g, &r->pdu);
		lsoe_json_kint(g, "datagrams", r->pdu_fragments);
	}
	if (r->rt_checked) {
		lsoe_json_kbool(g, "roundtrip_ok", r->rt_ok);
		if (!r->rt_ok) {
			lsoe_json_key(g, "roundtrip_mismatch");
			yajl_gen_map_open(g);
			lsoe_json_kstr(g, "in", r->rt_what);
			lsoe_json_kint(g, "offset", (long long)r->rt_offset);
			lsoe_json_kint(g, "wire", r->rt_wire);
			lsoe_json_kint(g, "encoded", r->rt_encoded);
			yajl_gen_map_close(g);
		}
	}
	yajl_gen_map_close(g);
	emit(out, g);
	yajl_gen_free(g);
}

void print_json_summary(FILE *out, const struct dump_totals *t)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	yajl_gen_map_open(g);
	lsoe_json_kint(g, "files", (long long)t->files);
	lsoe_json_kint(g, "frames", (long long)t->frames);
	lsoe_json_kint(g, "other_frames", (long long)t->other_frames);
	lsoe_json_key(g, "pdus");
	yajl_gen_map_open(g);
	for (unsigned i = 0; i < 256; i++)
		if (t->pdus[i])
			lsoe_json_kint(g, lsoe_pdu_type_name(i), (long long)t->pdus[i]);
	yajl_gen_map_close(g);
	lsoe_json_key(g, "errors");
	yajl_gen_map_open(g);
	for (unsigned i = 0; i < LSOE_ERR_COUNT; i++)
		if (t->errors[i])
			lsoe_json_kint(g, lsoe_err_name(i), (long long)t->errors[i]);
	yajl_gen_map_close(g);
	lsoe_json_kint(g, "incomplete", (long long)t->incomplete);
	lsoe_json_kint(g, "roundtrip_mismatches", (long long)t->roundtrip_mismatches);
	yajl_gen_map_close(g);
	emit(out, g);
	yajl_gen_free(g);
}
