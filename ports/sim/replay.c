/*
 * lsoe-sim replay: the node under test stands in for one station of a real
 * capture. Every frame not sent by that station is delivered to the node at its
 * capture time, in virtual time; the node's own frames go to --out. This is how we
 * check ourselves against captures of the reference implementation.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>
#include <yajl/yajl_gen.h>

#include "config_ini.h"
#include "format.h"
#include "json_event.h"
#include "json_pdu.h"
#include "lsoe/node.h"
#include "lsoe/wire.h"
#include "rng.h"
#include "sim.h"

#define MAX_ADDRS 16

struct replay {
	uint64_t now;
	struct sim_rng rng;
	uint8_t mac[6];
	uint16_t ethertype;
	bool json;
	const char *name;
	pcap_dumper_t *out;
	uint8_t frame[LSOE_ETH_HDR_LEN + LSOE_DGRAM_MAX_LEN + LSOE_ETH_MIN_FRAME];
	uint64_t events, ups, downs, sent;
};

static uint64_t r_now(void *ctx) { return ((struct replay *)ctx)->now; }

static void r_random(void *ctx, void *buf, size_t n)
{
	struct replay *r = ctx;
	uint8_t *p = buf;
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)sim_rng_next(&r->rng);
}

static void *r_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n);
}

static void r_free(void *ctx, void *p, size_t n)
{
	(void)ctx;
	(void)n;
	free(p);
}

static void r_send(void *ctx, uint32_t port, const uint8_t dst[6], const uint8_t *d, size_t len)
{
	struct replay *r = ctx;
	(void)port;
	r->sent++;
	if (!r->out)
		return;
	size_t n = LSOE_ETH_HDR_LEN + len, wire = n < LSOE_ETH_MIN_FRAME ? LSOE_ETH_MIN_FRAME : n;
	lsoe_eth_encode_header(r->frame, dst, r->mac, r->ethertype);
	memcpy(r->frame + LSOE_ETH_HDR_LEN, d, len);
	memset(r->frame + n, 0, wire - n);
	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)(r->now / 1000000000u);
	h.ts.tv_usec = (suseconds_t)(r->now % 1000000000u);
	h.caplen = h.len = (bpf_u_int32)wire;
	pcap_dump((u_char *)r->out, &h, r->frame);
}

static void r_event(void *ctx, const struct lsoe_event *ev)
{
	struct replay *r = ctx;
	r->events++;
	r->ups += ev->type == LSOE_EV_SESSION_UP;
	r->downs += ev->type == LSOE_EV_SESSION_DOWN;
	if (r->json) {
		size_t len;
		char *line = lsoe_json_event_line(r->name, ev, &len);
		if (line) {
			fwrite(line, 1, len, stdout);
			free(line);
		}
		return;
	}
	char mac[LSOE_MAC_STRLEN], id[LSOE_ID_STRLEN];
	printf("%llu.%09llu %s %s %s", (unsigned long long)(ev->time_ns / 1000000000u),
	    (unsigned long long)(ev->time_ns % 1000000000u), ev->port_name, lsoe_event_type_name(ev->type),
	    ev->has_peer ? lsoe_fmt_mac(mac, ev->peer_mac) : "");
	if (ev->has_peer_id)
		printf(" id %s", lsoe_fmt_hexcolon(id, sizeof(id), ev->peer_id, LSOE_LOCAL_ID_LEN));
	if (ev->type == LSOE_EV_SESSION_DOWN)
		printf(" reason %s", lsoe_down_reason_name(ev->reason));
	if (ev->type == LSOE_EV_ENCAPS) {
		printf(" %s:", lsoe_pdu_type_name(ev->encap_type));
		for (unsigned i = 0; i < ev->encap_count; i++) {
			char a[LSOE_ADDR_STRLEN];
			printf(" %s/%u", lsoe_fmt_encap_addr(a, ev->encap_type, &ev->encaps[i]), ev->encaps[i].prefix_len);
		}
	}
	if (ev->type == LSOE_EV_ERROR)
		printf(" %s %s", lsoe_error_kind_name(ev->error), ev->text ? ev->text : "");
	putchar('\n');
}

struct session_sink {
	yajl_gen g;
	uint64_t now;
};

static void replay_session_json(void *ctx, const struct lsoe_session_view *v)
{
	struct session_sink *s = ctx;
	lsoe_json_session(s->g, v, s->now);
}

/* Run every timer due up to t, in order, at its own time. */
static void advance(struct replay *r, struct lsoe_node *n, uint64_t t)
{
	uint64_t d;
	while ((d = lsoe_node_next_deadline(n)) <= t) {
		if (d > r->now)
			r->now = d;
		lsoe_node_run(n);
	}
	if (t > r->now)
		r->now = t;
}

static bool parse_address(const char *s, struct lsoe_encap *e, unsigned *type)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", s);
	char *slash = strchr(buf, '/');
	if (!slash)
		return false;
	*slash = '\0';
	char *end;
	long plen = strtol(slash + 1, &end, 10);
	memset(e, 0, sizeof(*e));
	if (inet_pton(AF_INET, buf, e->addr) == 1 && !*end && plen >= 0 && plen <= 32)
		*type = LSOE_PDU_IPV4_ENCAP;
	else if (inet_pton(AF_INET6, buf, e->addr) == 1 && !*end && plen >= 0 && plen <= 128)
		*type = LSOE_PDU_IPV6_ENCAP;
	else
		return false;
	e->prefix_len = (uint8_t)plen;
	return true;
}

static void usage(FILE *out)
{
	fputs("usage: lsoe-sim replay CAPTURE --as MAC [--ethertype HEX] [--config FILE] [--out PCAP] [--json]\n"
	      "                      [--address ADDR/LEN]... [--seed N] [--tail SECONDS]\n"
	      "  --as MAC          the station the node stands in for; its frames in the capture are skipped\n"
	      "  --ethertype HEX   the EtherType to speak and accept (default: the config's, 0x88B5)\n"
	      "  --config FILE     an lsoed configuration file for the node\n"
	      "  --out PCAP        write the node's own frames there, at their virtual times\n"
	      "  --json            events as JSON lines (the event schema), then a summary object\n"
	      "  --address A/L     announce this address (repeatable; the first of each family is Primary)\n"
	      "  --tail SECONDS    keep running this long after the last frame (default 0)\n",
	    out);
}

int sim_replay_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "as", required_argument, NULL, 'a' }, { "ethertype", required_argument, NULL, 'e' },
		{ "config", required_argument, NULL, 'c' }, { "out", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' }, { "address", required_argument, NULL, 'A' },
		{ "seed", required_argument, NULL, 's' }, { "tail", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	static struct replay r;
	struct lsoe_config cfg;
	lsoe_config_default(&cfg);
	const char *as = NULL, *out_path = NULL, *etype = NULL;
	struct lsoe_encap addrs[MAX_ADDRS];
	unsigned addr_types[MAX_ADDRS], naddrs = 0;
	uint64_t seed = 1, tail = 0;
	char err[1024];
	int c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'a': as = optarg; break;
		case 'e': etype = optarg; break;
		case 'c':
			if (lsoe_config_load_file(&cfg, optarg, err, sizeof(err)) != 0) {
				fprintf(stderr, "lsoe-sim: %s\n", err);
				return 2;
			}
			break;
		case 'o': out_path = optarg; break;
		case 'j': r.json = true; break;
		case 'A':
			if (naddrs == MAX_ADDRS || !parse_address(optarg, &addrs[naddrs], &addr_types[naddrs])) {
				fprintf(stderr, "lsoe-sim: --address: want ADDR/LEN (at most %d): %s\n", MAX_ADDRS, optarg);
				return 2;
			}
			naddrs++;
			break;
		case 's':
			seed = strtoull(optarg, &end, 10);
			if (*end || !*optarg) {
				fprintf(stderr, "lsoe-sim: --seed: not a number: %s\n", optarg);
				return 2;
			}
			break;
		case 't': {
			double t = strtod(optarg, &end);
			if (*end || !*optarg || !(t >= 0) || t > 1e7) {
				fprintf(stderr, "lsoe-sim: --tail: want seconds: %s\n", optarg);
				return 2;
			}
			tail = (uint64_t)(t * 1e9 + 0.5);
			break;
		}
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc || !as) {
		fputs("lsoe-sim replay: need one CAPTURE and --as MAC\n", stderr);
		usage(stderr);
		return 2;
	}
	if (!lsoe_parse_mac(as, r.mac) || lsoe_mac_is_group(r.mac)) {
		fprintf(stderr, "lsoe-sim: --as: not a unicast MAC address: %s\n", as);
		return 2;
	}
	if (etype && lsoe_config_set(&cfg, "ethertype", etype, err, sizeof(err)) != LSOE_CFG_OK) {
		fprintf(stderr, "lsoe-sim: --ethertype %s: %s\n", etype, err);
		return 2;
	}
	if (!cfg.local_id_set) { /* the MAC, right-aligned: unique enough for a replay */
		memset(cfg.local_id, 0, LSOE_LOCAL_ID_LEN);
		memcpy(cfg.local_id + 4, r.mac, 6);
		cfg.local_id_set = true;
	}
	r.ethertype = cfg.ethertype;
	r.name = cfg.name;
	sim_rng_seed(&r.rng, seed, 9, 0);

	const char *path = argv[optind];
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!pc) {
		fprintf(stderr, "lsoe-sim: %s: %s\n", path, errbuf);
		return 2;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		fprintf(stderr, "lsoe-sim: %s: not an Ethernet capture\n", path);
		pcap_close(pc);
		return 2;
	}
	pcap_t *dead = NULL;
	if (out_path) {
		dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
		if (!dead || !(r.out = pcap_dump_open(dead, out_path))) {
			fprintf(stderr, "lsoe-sim: %s: %s\n", out_path, dead ? pcap_geterr(dead) : "cannot open");
			pcap_close(pc);
			if (dead)
				pcap_close(dead);
			return 2;
		}
	}

	struct pcap_pkthdr *h;
	const u_char *data;
	struct lsoe_node *node = NULL;
	uint64_t frames = 0, delivered = 0, own = 0, other = 0;
	int rc;
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		frames++;
		uint64_t t = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
		if (!node) { /* the node starts with the capture */
			r.now = t;
			struct lsoe_platform pf = { .ctx = &r, .now_ns = r_now, .send = r_send, .random = r_random,
				.alloc = r_alloc, .free = r_free, .event = r_event };
			node = lsoe_node_create(&cfg, &pf);
			if (!node || lsoe_node_port_add(node, 1, "eth0", r.mac, LSOE_PORT_UP) != LSOE_OK) {
				fputs("lsoe-sim: cannot create the node\n", stderr);
				return 2;
			}
			for (unsigned type = LSOE_PDU_IPV4_ENCAP; naddrs && type <= LSOE_PDU_IPV6_ENCAP; type++) {
				struct lsoe_encap list[MAX_ADDRS];
				uint16_t k = 0;
				for (unsigned i = 0; i < naddrs; i++)
					if (addr_types[i] == type) {
						list[k] = addrs[i];
						list[k].flags = k == 0 ? LSOE_ENCAP_PRIMARY : 0;
						k++;
					}
				lsoe_node_set_encaps(node, 1, type, list, k);
			}
		}
		struct lsoe_eth eth;
		if (lsoe_eth_decode(data, h->caplen, &eth) != LSOE_OK || eth.ethertype != r.ethertype) {
			other++;
			continue;
		}
		if (memcmp(eth.src, r.mac, 6) == 0) {
			own++;
			continue;
		}
		advance(&r, node, t);
		lsoe_node_input(node, 1, eth.src, eth.dst, eth.payload, eth.payload_len);
		delivered++;
	}
	if (rc == PCAP_ERROR)
		fprintf(stderr, "lsoe-sim: %s: %s\n", path, pcap_geterr(pc));
	if (node)
		advance(&r, node, r.now + tail);

	if (r.json) {
		yajl_gen g = yajl_gen_alloc(NULL);
		yajl_gen_map_open(g);
		lsoe_json_kstr(g, "capture", path);
		lsoe_json_kstr(g, "as", as);
		lsoe_json_ku64(g, "frames", frames);
		lsoe_json_ku64(g, "delivered", delivered);
		lsoe_json_ku64(g, "skipped_own", own);
		lsoe_json_ku64(g, "other", other);
		lsoe_json_ku64(g, "sent", r.sent);
		lsoe_json_ku64(g, "events", r.events);
		lsoe_json_ku64(g, "session_up", r.ups);
		lsoe_json_ku64(g, "session_down", r.downs);
		lsoe_json_key(g, "sessions");
		yajl_gen_array_open(g);
		struct session_sink sv = { g, r.now };
		if (node)
			lsoe_node_foreach_session(node, replay_session_json, &sv);
		yajl_gen_array_close(g);
		lsoe_json_key(g, "counters");
		struct lsoe_counters ctr;
		if (node) {
			lsoe_node_counters_get(node, &ctr);
			lsoe_json_counters(g, &ctr);
		} else
			yajl_gen_null(g);
		yajl_gen_map_close(g);
		lsoe_json_print_line(g, stdout);
		yajl_gen_free(g);
	} else {
		printf("replayed %llu frames: %llu delivered, %llu of %s skipped, %llu not LSOE; the node sent %llu "
		       "datagrams and reported %llu session up, %llu session down\n",
		    (unsigned long long)frames, (unsigned long long)delivered, (unsigned long long)own, as,
		    (unsigned long long)other, (unsigned long long)r.sent, (unsigned long long)r.ups,
		    (unsigned long long)r.downs);
	}
	lsoe_node_destroy(node);
	if (r.out)
		pcap_dump_close(r.out);
	if (dead)
		pcap_close(dead);
	pcap_close(pc);
	return rc == PCAP_ERROR ? 2 : 0;
}
