/* tcpdump-style text: one line per frame. */
#include <inttypes.h>
#include <time.h>

#include "dump.h"
#include "format.h"

#define BRIEF_ENTRIES 8

static void print_time(FILE *out, const struct frame_result *r)
{
	time_t t = (time_t)r->sec;
	struct tm tm;
	gmtime_r(&t, &tm);
	/* tcpdump's microseconds; JSON carries the full precision. */
	fprintf(out, "%02d:%02d:%02d.%06" PRIu32, tm.tm_hour, tm.tm_min, tm.tm_sec, r->nano ? r->frac / 1000u : r->frac);
}

static void print_entry(FILE *out, unsigned type, const struct lsoe_encap *e)
{
	char addr[LSOE_ADDR_STRLEN];
	fprintf(out, "%s/%u", lsoe_fmt_encap_addr(addr, type, e), e->prefix_len);
	for (unsigned i = 0; i < e->nlabels; i++)
		fprintf(out, "%s%" PRIu32, i ? "," : " labels ", lsoe_label_value(e->labels, i));
	if (e->flags & (LSOE_ENCAP_PRIMARY | LSOE_ENCAP_LOOPBACK))
		fprintf(out, " [%s%s]", e->flags & LSOE_ENCAP_PRIMARY ? "primary" : "",
		    (e->flags & LSOE_ENCAP_PRIMARY) && (e->flags & LSOE_ENCAP_LOOPBACK) ? ",loopback"
		    : e->flags & LSOE_ENCAP_LOOPBACK ? "loopback" : "");
}

static void print_pdu(FILE *out, const struct dump_opts *o, const struct lsoe_pdu *p)
{
	char buf[LSOE_ID_STRLEN];
	fprintf(out, "%s len %u", lsoe_pdu_type_name(p->type), p->length);
	switch (p->type) {
	case LSOE_PDU_OPEN:
		fprintf(out, " nonce 0x%08" PRIx32 " id %s attrs [", p->u.open.nonce,
		    lsoe_fmt_hexcolon(buf, sizeof(buf), p->u.open.local_id, LSOE_LOCAL_ID_LEN));
		for (unsigned i = 0; i < p->u.open.attr_count; i++)
			fprintf(out, "%s%u", i ? " " : "", p->u.open.attrs[i]);
		fprintf(out, "] auth %u", p->u.open.auth_len);
		break;
	case LSOE_PDU_ACK:
		fprintf(out, " of %s etype %u (%s) code %u hint %u", lsoe_pdu_type_name(p->u.ack.pdu_type),
		    p->u.ack.etype, lsoe_etype_name(p->u.ack.etype), p->u.ack.code, p->u.ack.hint);
		break;
	case LSOE_PDU_VENDOR:
		fprintf(out, " enterprise %" PRIu32 " type %u data %u octets", p->u.vendor.enterprise,
		    p->u.vendor.ent_type, p->u.vendor.data_len);
		break;
	default:
		if (lsoe_pdu_type_is_encap(p->type)) {
			struct lsoe_encap_iter it;
			struct lsoe_encap e;
			unsigned n = 0;
			fprintf(out, " count %u", p->u.encap.count);
			lsoe_encap_iter_init(&it, p);
			while (lsoe_encap_iter_next(&it, &e)) {
				if (!o->verbose && n == BRIEF_ENTRIES) {
					fprintf(out, ", ... (%u more, -v shows all)", p->u.encap.count - n);
					break;
				}
				fprintf(out, n ? ", " : ": ");
				print_entry(out, p->type, &e);
				n++;
			}
		}
		break;
	}
}

void print_text_frame(FILE *out, const struct dump_opts *o, const struct frame_result *r)
{
	char src[LSOE_MAC_STRLEN], dst[LSOE_MAC_STRLEN];
	print_time(out, r);
	fprintf(out, " %s > %s, ethertype 0x%04x", lsoe_fmt_mac(src, r->eth.src), lsoe_fmt_mac(dst, r->eth.dst),
	    r->eth.ethertype);
	for (unsigned i = 0; i < r->eth.nvlan; i++)
		fprintf(out, ", vlan %u", r->eth.vlan[i]);
	fprintf(out, ", length %zu: ", r->caplen);
	if (r->have_dgram) {
		const struct lsoe_dgram *d = &r->dgram;
		fprintf(out, "LSOE v%u #%u%s len %u cksum 0x%08" PRIx32 " (%s)", d->version, d->number,
		    d->last ? " last" : "", d->length, d->checksum,
		    d->payload ? (d->checksum_ok ? "ok" : "bad") : "unchecked");
	}
	if (r->err != LSOE_OK)
		fprintf(out, ": error %s (%s)", lsoe_err_name(r->err), lsoe_err_desc(r->err));
	else if (r->pdu_complete) {
		fputs(": ", out);
		print_pdu(out, o, &r->pdu);
		if (r->pdu_fragments > 1)
			fprintf(out, " (reassembled from %u datagrams)", r->pdu_fragments);
	} else
		fprintf(out, ": fragment, reassembling");
	if (r->rt_checked && !r->rt_ok)
		fprintf(out, " [roundtrip MISMATCH at %s octet %zu: wire 0x%02x, encoded 0x%02x]", r->rt_what,
		    r->rt_offset, r->rt_wire, r->rt_encoded);
	fputc('\n', out);
}

void print_text_summary(FILE *out, const struct dump_totals *t)
{
	fprintf(out, "%" PRIu64 " LSOE frames (%" PRIu64 " other frames skipped) in %" PRIu64 " file(s)\n", t->frames,
	    t->other_frames, t->files);
	fputs("PDUs:", out);
	unsigned shown = 0;
	for (unsigned i = 0; i < 256; i++)
		if (t->pdus[i]) {
			fprintf(out, " %s %" PRIu64, lsoe_pdu_type_name(i), t->pdus[i]);
			shown++;
		}
	fputs(shown ? "\n" : " none\n", out);
	fputs("errors:", out);
	shown = 0;
	for (unsigned i = 0; i < LSOE_ERR_COUNT; i++)
		if (t->errors[i]) {
			fprintf(out, " %s %" PRIu64, lsoe_err_name(i), t->errors[i]);
			shown++;
		}
	fputs(shown ? "\n" : " none\n", out);
	if (t->incomplete)
		fprintf(out, "incomplete PDUs at end of input: %" PRIu64 "\n", t->incomplete);
	fprintf(out, "roundtrip mismatches: %" PRIu64 "\n", t->roundtrip_mismatches);
}
