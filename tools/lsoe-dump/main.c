/*
 * lsoe-dump: decode LSOE traffic in pcap files, with reassembly.
 *
 * Exit status: 0 when every input was read; 1 under --strict when any LSOE frame
 * failed to decode or round-trip; 2 when an input cannot be read or on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"

#define SLL_HDR_LEN 16

static void usage(FILE *out)
{
	fputs("usage: lsoe-dump [options] FILE...   (FILE '-' reads standard input)\n"
	      "  --json            one JSON object per frame (and for the summary)\n"
	      "  --summary         counts per PDU type and per error at the end\n"
	      "  --roundtrip       re-encode every datagram and PDU and report differences\n"
	      "  --strict          exit 1 if any LSOE frame failed\n"
	      "  --ethertype HEX   decode this EtherType; repeatable, replaces the default\n"
	      "                    set 0x88B5 and 0x8885\n"
	      "  -q, --quiet       no per-frame output\n"
	      "  -v, --verbose     show every encapsulation entry in text output\n"
	      "  -h, --help        this text\n",
	    out);
}

static bool parse_ethertype(const char *s, uint16_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 16);
	if (errno || end == s || *end || v == 0 || v > 0xFFFF)
		return false;
	*out = (uint16_t)v;
	return true;
}

static bool accepted(const struct dump_opts *o, uint16_t ethertype)
{
	for (unsigned i = 0; i < o->n_ethertypes; i++)
		if (o->ethertypes[i] == ethertype)
			return true;
	return false;
}

/* A Linux cooked (SLL) header carries the source address and protocol; rebuild an Ethernet header. */
static const uint8_t *sll_to_eth(const uint8_t *p, size_t len, uint8_t *buf, size_t cap, size_t *out_len)
{
	if (len < SLL_HDR_LEN || len - SLL_HDR_LEN + 14 > cap)
		return NULL;
	static const uint8_t unknown_dst[6] = { 0 };
	memcpy(buf, unknown_dst, 6);
	memcpy(buf + 6, p + 6, 6);
	memcpy(buf + 12, p + 14, 2);
	memcpy(buf + 14, p + SLL_HDR_LEN, len - SLL_HDR_LEN);
	*out_len = len - SLL_HDR_LEN + 14;
	return buf;
}

static void account(const struct dump_opts *o, struct dump_totals *t, const struct frame_result *r)
{
	t->frames++;
	bool failed = false;
	if (r->err != LSOE_OK) {
		t->errors[r->err]++;
		failed = true;
	} else if (r->pdu_complete)
		t->pdus[r->pdu.type]++;
	if (r->rt_checked && !r->rt_ok) {
		t->roundtrip_mismatches++;
		failed = true;
	}
	if (failed)
		t->failed_frames++;
	(void)o;
}

/* Returns false if the file could not be read. */
static bool dump_file(const char *path, const struct dump_opts *o, struct dump_totals *t)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!pc) {
		fprintf(stderr, "lsoe-dump: %s: %s\n", path, errbuf);
		return false;
	}
	int dlt = pcap_datalink(pc);
	if (dlt != DLT_EN10MB && dlt != DLT_LINUX_SLL) {
		fprintf(stderr, "lsoe-dump: %s: unsupported link type %s (want Ethernet or Linux cooked)\n", path,
		    pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?");
		pcap_close(pc);
		return false;
	}
	struct dump_file_state *st = dump_file_begin(o);
	if (!st) {
		fprintf(stderr, "lsoe-dump: %s: out of memory\n", path);
		pcap_close(pc);
		return false;
	}
	t->files++;
	static uint8_t sll_buf[65536 + 14];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t index = 0;
	int rc;
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		index++;
		const uint8_t *frame = data;
		size_t len = h->caplen;
		if (dlt == DLT_LINUX_SLL && !(frame = sll_to_eth(data, h->caplen, sll_buf, sizeof(sll_buf), &len))) {
			t->other_frames++;
			continue;
		}
		struct lsoe_eth eth;
		if (lsoe_eth_decode(frame, len, &eth) != LSOE_OK || !accepted(o, eth.ethertype)) {
			t->other_frames++;
			continue;
		}
		struct frame_result r;
		memset(&r, 0, sizeof(r));
		r.file = path;
		r.index = index;
		r.sec = (uint64_t)h->ts.tv_sec;
		r.frac = (uint32_t)h->ts.tv_usec; /* nanoseconds: opened with nano precision */
		r.nano = true;
		r.caplen = h->caplen;
		dump_frame(st, frame, len, r.sec * 1000000000ull + r.frac, &r);
		account(o, t, &r);
		if (o->quiet)
			continue;
		if (o->json)
			print_json_frame(stdout, &r);
		else
			print_text_frame(stdout, o, &r);
	}
	bool ok = true;
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "lsoe-dump: %s: %s\n", path, pcap_geterr(pc));
		ok = false;
	}
	t->incomplete += dump_file_end(st);
	pcap_close(pc);
	return ok;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "summary", no_argument, NULL, 's' },
		{ "roundtrip", no_argument, NULL, 'r' },
		{ "strict", no_argument, NULL, 'S' },
		{ "ethertype", required_argument, NULL, 'e' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dump_opts o;
	memset(&o, 0, sizeof(o));
	int c;
	while ((c = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o.json = true; break;
		case 's': o.summary = true; break;
		case 'r': o.roundtrip = true; break;
		case 'S': o.strict = true; break;
		case 'q': o.quiet = true; break;
		case 'v': o.verbose = true; break;
		case 'e':
			if (o.n_ethertypes == DUMP_MAX_ETHERTYPES || !parse_ethertype(optarg, &o.ethertypes[o.n_ethertypes])) {
				fprintf(stderr, "lsoe-dump: bad or too many --ethertype: %s (want hex, e.g. 0x88B5)\n", optarg);
				return 2;
			}
			o.n_ethertypes++;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		fputs("lsoe-dump: no input file (use - for standard input)\n", stderr);
		usage(stderr);
		return 2;
	}
	if (o.n_ethertypes == 0) {
		o.ethertypes[o.n_ethertypes++] = LSOE_ETHERTYPE_DEFAULT;
		o.ethertypes[o.n_ethertypes++] = LSOE_ETHERTYPE_PYLSOED;
	}

	static struct dump_totals t;
	bool read_all = true;
	for (int i = optind; i < argc; i++)
		read_all &= dump_file(argv[i], &o, &t);
	if (o.summary) {
		if (o.json)
			print_json_summary(stdout, &t);
		else
			print_text_summary(stdout, &t);
	}
	if (fflush(stdout) != 0) {
		perror("lsoe-dump: stdout");
		return 2;
	}
	if (!read_all)
		return 2;
	return o.strict && t.failed_frames ? 1 : 0;
}
