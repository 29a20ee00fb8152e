/*
 * lsoe-flood: send hostile LSOE traffic onto an interface, to test that a node
 * stays within its caps and keeps its real sessions (AttackTest in tests/linux/test_netns.py).
 *
 *   lsoe-flood -i IFACE --kind KIND [--count N] [--rate PPS] [--sources N]
 *              [--dst MAC] [--ethertype HEX] [--seed N]
 *
 * Kinds:
 *   hello     HELLOs from spoofed source MACs
 *   open      OPENs (valid, fresh nonce and ID) from new source MACs
 *   reasm     the first datagram of a large Encapsulation PDU, never the rest
 *   giant     datagrams and PDUs claiming lengths far beyond what they carry
 *   unknown   well-formed datagrams carrying PDUs of undefined types
 *
 * Source MACs are locally administered unicast (02:xx:...), drawn from a seeded
 * generator: the same seed sends the same frames. --sources N cycles through N
 * MACs; 0 (the default) uses a new one for every frame. Datagrams carry valid
 * checksums, so what is tested is the protocol's bounds, not its checksum.
 *
 * Exit status: 0 every frame was sent; 1 some sends failed; 2 bad usage or the
 * interface could not be used.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "send_socket.h"
#include "lsoe/pdu.h"
#include "lsoe/wire.h"

#define PROG "lsoe-flood"
#define ETH_HDR 14
#define ETH_MIN 60
#define DGRAM_HDR 8
#define MTU 1500

enum kind { K_HELLO, K_OPEN, K_REASM, K_GIANT, K_UNKNOWN };
static const char *const kind_names[] = { "hello", "open", "reasm", "giant", "unknown" };

struct opts {
	const char *iface;
	enum kind kind;
	bool have_kind;
	unsigned long count;
	double rate;            /* frames per second; 0: as fast as possible */
	unsigned long sources;
	uint8_t dst[6];
	uint16_t ethertype;
	uint64_t seed;
};

static void usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " -i IFACE --kind hello|open|reasm|giant|unknown [--count N] [--rate PPS]\n"
	    "                  [--sources N] [--dst MAC] [--ethertype HEX] [--seed N]\n"
	    "\n"
	    "Send hostile LSOE frames onto IFACE (needs CAP_NET_RAW).\n"
	    "  --count N       frames to send (default 10000)\n"
	    "  --rate PPS      frames per second (default: as fast as the socket takes them)\n"
	    "  --sources N     cycle through N source MACs (default 0: a new MAC every frame)\n"
	    "  --dst MAC       destination (default 01:80:c2:00:00:0e, LSOE's group address)\n"
	    "  --ethertype HEX default 0x88b5\n"
	    "  --seed N        seed of the source MACs, nonces and types (default 1)\n");
}

/* splitmix64: small, seeded, good enough for spoofed addresses. */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void source_mac(const struct opts *o, unsigned long i, uint8_t mac[6])
{
	uint64_t s = o->seed ^ 0x5eed;
	uint64_t k = o->sources ? i % o->sources : i;
	s += k * 0x100000001b3ull;
	uint64_t r = next_rand(&s);
	mac[0] = 0x02; /* locally administered, unicast */
	for (int j = 1; j < 6; j++)
		mac[j] = (uint8_t)(r >> (8 * j));
}

/* One datagram carrying pdu[0..len) as fragment number, sealed; returns its length or 0. */
static size_t seal(uint8_t *dg, const uint8_t *pdu, size_t len, uint8_t number, bool last)
{
	memcpy(dg + DGRAM_HDR, pdu, len);
	return lsoe_dgram_seal(dg, number, last, len);
}

/* Build frame i's datagram (after the Ethernet header) into dg; returns its length. */
static size_t build(const struct opts *o, unsigned long i, uint64_t *rng, uint8_t *dg, size_t cap)
{
	uint8_t pdu[MTU];
	size_t len = 0;
	(void)cap;
	switch (o->kind) {
	case K_HELLO: {
		struct lsoe_pdu p = { .type = LSOE_PDU_HELLO };
		if (lsoe_pdu_encode(&p, pdu, sizeof(pdu), &len) != LSOE_OK)
			return 0;
		return seal(dg, pdu, len, 0, true);
	}
	case K_OPEN: {
		struct lsoe_pdu p = { .type = LSOE_PDU_OPEN };
		uint64_t r = next_rand(rng);
		p.u.open.nonce = (uint32_t)r | 1u;
		for (unsigned j = 0; j < LSOE_LOCAL_ID_LEN; j++)
			p.u.open.local_id[j] = (uint8_t)(next_rand(rng) >> 7);
		if (lsoe_pdu_encode(&p, pdu, sizeof(pdu), &len) != LSOE_OK)
			return 0;
		return seal(dg, pdu, len, 0, true);
	}
	case K_REASM: {
		/* An IPv4 Encapsulation PDU header claiming 4000 entries; only the first slice is sent. */
		size_t slice = MTU - DGRAM_HDR;
		size_t total = 5 + 4000u * 7;
		pdu[0] = LSOE_PDU_IPV4_ENCAP;
		pdu[1] = (uint8_t)(total >> 8);
		pdu[2] = (uint8_t)total;
		pdu[3] = 0x0f;
		pdu[4] = 0xa0;
		for (size_t j = 5; j < slice; j++)
			pdu[j] = (uint8_t)(j * 7 + i);
		return seal(dg, pdu, slice, 0, false);
	}
	case K_GIANT: {
		switch (i % 4) {
		case 0: { /* the datagram's length field claims 65535 octets; the frame carries 64 */
			memset(pdu, 0, 64);
			pdu[0] = LSOE_PDU_HELLO;
			size_t n = seal(dg, pdu, 56, 0, true);
			dg[2] = 0xff; /* length: see lsoe/wire.h, octets 2..3 */
			dg[3] = 0xff;
			return n;
		}
		case 1: /* a complete PDU whose own length field claims 65535 */
			pdu[0] = LSOE_PDU_IPV6_ENCAP;
			pdu[1] = 0xff;
			pdu[2] = 0xff;
			memset(pdu + 3, 0xab, 200);
			return seal(dg, pdu, 203, 0, true);
		case 2: /* a first fragment of a 65535-octet PDU: reassembly must not reserve it */
			pdu[0] = LSOE_PDU_MPLS_IPV6_ENCAP;
			pdu[1] = 0xff;
			pdu[2] = 0xff;
			memset(pdu + 3, 0xcd, 100);
			return seal(dg, pdu, 103, 0, false);
		default: /* an Encapsulation PDU counting 65535 entries in 40 octets */
			pdu[0] = LSOE_PDU_IPV4_ENCAP;
			pdu[1] = 0;
			pdu[2] = 40;
			pdu[3] = 0xff;
			pdu[4] = 0xff;
			memset(pdu + 5, 0x11, 35);
			return seal(dg, pdu, 40, 0, true);
		}
	}
	case K_UNKNOWN: {
		/* Types 9..254 are undefined (255 is VENDOR); a sane 3-octet header and a body. */
		uint8_t type = (uint8_t)(9 + next_rand(rng) % 246);
		size_t body = 3 + next_rand(rng) % 200;
		pdu[0] = type;
		pdu[1] = (uint8_t)(body >> 8);
		pdu[2] = (uint8_t)body;
		for (size_t j = 3; j < body; j++)
			pdu[j] = (uint8_t)next_rand(rng);
		return seal(dg, pdu, body, 0, true);
	}
	}
	return 0;
}

static bool parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' }, { "kind", required_argument, NULL, 'k' },
		{ "count", required_argument, NULL, 'n' }, { "rate", required_argument, NULL, 'r' },
		{ "sources", required_argument, NULL, 's' }, { "dst", required_argument, NULL, 'd' },
		{ "ethertype", required_argument, NULL, 'e' }, { "seed", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	static const uint8_t group[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e };
	*o = (struct opts){ .count = 10000, .ethertype = 0x88b5, .seed = 1 };
	memcpy(o->dst, group, 6);
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "i:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o->iface = optarg; break;
		case 'k':
			for (size_t k = 0; k < sizeof(kind_names) / sizeof(kind_names[0]); k++)
				if (strcmp(optarg, kind_names[k]) == 0) {
					o->kind = (enum kind)k;
					o->have_kind = true;
				}
			if (!o->have_kind) {
				fprintf(stderr, PROG ": --kind: want hello, open, reasm, giant or unknown: %s\n", optarg);
				return false;
			}
			break;
		case 'n':
			o->count = strtoul(optarg, &end, 10);
			if (*end || !*optarg) {
				fprintf(stderr, PROG ": --count: not a number: %s\n", optarg);
				return false;
			}
			break;
		case 'r':
			o->rate = strtod(optarg, &end);
			if (*end || o->rate < 0) {
				fprintf(stderr, PROG ": --rate: want a rate >= 0: %s\n", optarg);
				return false;
			}
			break;
		case 's':
			o->sources = strtoul(optarg, &end, 10);
			if (*end || !*optarg) {
				fprintf(stderr, PROG ": --sources: not a number: %s\n", optarg);
				return false;
			}
			break;
		case 'd':
			if (!lsoe_parse_mac(optarg, o->dst)) {
				fprintf(stderr, PROG ": --dst: not a MAC address: %s\n", optarg);
				return false;
			}
			break;
		case 'e': {
			unsigned long v = strtoul(optarg, &end, 16);
			if (*end || !*optarg || v < 0x600 || v > 0xffff) {
				fprintf(stderr, PROG ": --ethertype: want 0x0600..0xffff: %s\n", optarg);
				return false;
			}
			o->ethertype = (uint16_t)v;
			break;
		}
		case 'S':
			o->seed = strtoull(optarg, &end, 10);
			if (*end || !*optarg) {
				fprintf(stderr, PROG ": --seed: not a number: %s\n", optarg);
				return false;
			}
			break;
		case 'h': usage(stdout); exit(0);
		default: return false;
		}
	}
	if (optind != argc || !o->iface || !o->have_kind) {
		if (optind != argc)
			fprintf(stderr, PROG ": unexpected argument: %s\n", argv[optind]);
		else
			fprintf(stderr, PROG ": %s is required\n", !o->iface ? "-i IFACE" : "--kind");
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct opts o;
	if (!parse(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	int fd = tool_send_socket(PROG, o.iface, NULL);
	if (fd < 0)
		return 2;
	uint64_t rng = o.seed;
	uint8_t frame[ETH_HDR + MTU];
	unsigned long sent = 0, failed = 0;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long i = 0; i < o.count; i++) {
		uint8_t src[6];
		source_mac(&o, i, src);
		lsoe_eth_encode_header(frame, o.dst, src, o.ethertype);
		size_t n = build(&o, i, &rng, frame + ETH_HDR, MTU);
		if (!n) {
			fprintf(stderr, PROG ": internal error building frame %lu\n", i);
			return 2;
		}
		n += ETH_HDR;
		if (n < ETH_MIN) {
			memset(frame + n, 0, ETH_MIN - n);
			n = ETH_MIN;
		}
		if (o.rate > 0) { /* absolute schedule: lateness does not accumulate */
			double at = (double)i / o.rate;
			struct timespec ts = { t0.tv_sec + (time_t)at, t0.tv_nsec + (long)((at - (double)(time_t)at) * 1e9) };
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
				;
		}
		ssize_t w;
		do
			w = send(fd, frame, n, 0);
		while (w < 0 && (errno == EINTR || errno == ENOBUFS || errno == EAGAIN));
		if (w == (ssize_t)n)
			sent++;
		else if (failed++ < 5)
			fprintf(stderr, PROG ": send: %s\n", w < 0 ? strerror(errno) : "short write");
	}
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf(PROG ": %s: %lu frames sent, %lu failed, %.2f s\n", kind_names[o.kind], sent, failed, secs);
	close(fd);
	return failed ? 1 : 0;
}
