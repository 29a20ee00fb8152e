/*
 * lsoe-bench engine: the protocol engine at scale.
 *
 * One node, one port, N established sessions with N fake peers driven directly
 * through lsoe_node_input (HELLO, OPEN, ACK from each peer), on a virtual clock.
 *
 *   bytes_per_session        memory the node holds per established session (sessions
 *                            with no peer addresses), hash table and timer heap included
 *   ns_per_keepalive_event   a KEEPALIVE from a peer: the whole receive path (datagram,
 *                            checksum, session lookup, state machine, receive timer)
 *   ns_per_keepalive_send    a keepalive timer firing: the PDU built and sent, the timer re-armed
 *   ns_per_idle_run          lsoe_node_run with nothing due
 *
 * and, at 1,000 sessions whose peers each announce one IPv4 and one IPv6 address:
 *
 *   bytes_per_session_linked      node memory per such session when both addresses share
 *                                 a subnet with ours (one IPv4 and one IPv6 link pair)
 *   link_view_bytes_per_session   what of that the link view holds: the same sessions
 *                                 with addresses in foreign subnets cost this much less
 *                                 (0 since the engine keeps a hash of each view and
 *                                 builds its pairs only for display)
 *   ns_per_link_update            a peer's IPv4 list replaced by one that moves the pair:
 *                                 receive, ACK, the list stored, the link recomputed
 *
 * Each is measured at 1,000 and 10,000 sessions: timer work is O(log n), so the
 * per-event figures should barely move between the two.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "bench.h"
#include "json_pdu.h"
#include "lsoe/node.h"
#include "lsoe/wire.h"

static const char usage_text[] =
    "usage: lsoe-bench engine [--json] [--reps N] [--seconds S]\n\n"
    "One node with 1,000 and with 10,000 established sessions on a virtual clock:\n"
    "  bytes_per_session       node memory per established session\n"
    "  ns_per_keepalive_event  receive path of one KEEPALIVE\n"
    "  ns_per_keepalive_send   one keepalive timer firing (build, send, re-arm)\n"
    "  ns_per_idle_run         lsoe_node_run with nothing due\n"
    "and with 1,000 sessions whose peers announce one IPv4 and one IPv6 address:\n"
    "  bytes_per_session_linked     node memory per session with one IPv4 and one IPv6 link pair\n"
    "  link_view_bytes_per_session  what of it the link view holds\n"
    "  ns_per_link_update           a peer's list that moves its pair: receive, ACK, store, recompute\n";

struct world {
	uint64_t now;
	uint64_t rng;
	uint64_t sent;
	uint32_t npeers;
	uint8_t (*peers)[6];
	struct lsoe_node *node;
	uint8_t ka[64], hello[64], open[64], ack[64];
	size_t ka_len, hello_len, open_len, ack_len;
};

static const uint8_t my_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

static uint64_t w_now(void *ctx) { return ((struct world *)ctx)->now; }

static void w_send(void *ctx, uint32_t port, const uint8_t dst[6], const uint8_t *d, size_t len)
{
	struct world *w = ctx;
	(void)port;
	w->sent += dst[5] + d[len - 1]; /* touch the frame, as a port would */
}

static void w_random(void *ctx, void *buf, size_t n)
{
	struct world *w = ctx;
	uint8_t *p = buf;
	for (size_t i = 0; i < n; i++) {
		w->rng ^= w->rng << 13;
		w->rng ^= w->rng >> 7;
		w->rng ^= w->rng << 17;
		p[i] = (uint8_t)(w->rng >> 24);
	}
}

static void *w_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n);
}

static void w_free(void *ctx, void *p, size_t n)
{
	(void)ctx;
	(void)n;
	free(p);
}

static size_t dgram(const struct lsoe_pdu *pdu_in, uint8_t *out)
{
	struct lsoe_pdu pdu = *pdu_in;
	uint8_t buf[64];
	size_t len;
	struct lsoe_frag f;
	if (lsoe_pdu_encode(&pdu, buf, sizeof(buf), &len) != LSOE_OK || lsoe_frag_init(&f, buf, len, 1500) != LSOE_OK)
		bench_die("engine: cannot build a PDU");
	return lsoe_frag_next(&f, out, 64, NULL);
}

static void build_frames(struct world *w)
{
	struct lsoe_pdu p = { .type = LSOE_PDU_KEEPALIVE };
	w->ka_len = dgram(&p, w->ka);
	p.type = LSOE_PDU_HELLO;
	w->hello_len = dgram(&p, w->hello);
	p.type = LSOE_PDU_OPEN;
	p.u.open.nonce = 0x12345678;
	p.u.open.local_id[9] = 2;
	w->open_len = dgram(&p, w->open);
	memset(&p, 0, sizeof(p));
	p.type = LSOE_PDU_ACK;
	p.u.ack.pdu_type = LSOE_PDU_OPEN;
	w->ack_len = dgram(&p, w->ack);
}

static void input(struct world *w, uint32_t peer, const uint8_t *d, size_t len)
{
	lsoe_node_input(w->node, 1, w->peers[peer], my_mac, d, len);
}

/* A node with n established sessions. */
static void setup(struct world *w, uint32_t n)
{
	memset(w, 0, sizeof(*w));
	w->now = 1000000000ull;
	w->rng = 0x9E3779B97F4A7C15ull;
	w->npeers = n;
	w->peers = calloc(n, 6);
	if (!w->peers)
		bench_die("out of memory");
	for (uint32_t i = 0; i < n; i++) {
		uint8_t m[6] = { 0x02, 0xbe, (uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
		memcpy(w->peers[i], m, 6);
	}
	build_frames(w);

	struct lsoe_config cfg;
	lsoe_config_default(&cfg);
	cfg.local_id[9] = 1;
	cfg.local_id_set = true;
	cfg.max_sessions_per_port = 65535;
	cfg.keepalive_receive_timeout = 86400ull * 1000000000ull; /* the bench never lets a session time out */
	static const struct lsoe_platform pf0 = { .now_ns = w_now, .send = w_send, .random = w_random,
		.alloc = w_alloc, .free = w_free };
	struct lsoe_platform pf = pf0;
	pf.ctx = w;
	w->node = lsoe_node_create(&cfg, &pf);
	if (!w->node || lsoe_node_port_add(w->node, 1, "eth1", my_mac, LSOE_PORT_UP) != LSOE_OK)
		bench_die("engine: cannot create the node");
}

static void establish(struct world *w)
{
	for (uint32_t i = 0; i < w->npeers; i++) {
		input(w, i, w->hello, w->hello_len);
		input(w, i, w->open, w->open_len);
		input(w, i, w->ack, w->ack_len);
	}
	struct lsoe_node_memory m;
	lsoe_node_memory(w->node, &m);
	if (m.sessions != w->npeers)
		bench_die("engine: %u of %u sessions", m.sessions, w->npeers);
}

static void teardown(struct world *w)
{
	lsoe_node_destroy(w->node);
	free(w->peers);
}

static uint64_t work_rx(void *ctx, uint64_t iters)
{
	struct world *w = ctx;
	uint32_t peer = 0;
	for (uint64_t i = 0; i < iters; i++) {
		input(w, peer, w->ka, w->ka_len);
		if (++peer == w->npeers)
			peer = 0;
	}
	return lsoe_node_counters(w->node)->rx_pdus;
}

/*
 * One virtual second: every session's keepalive timer fires once. Every half day of
 * virtual time each peer's KEEPALIVE is fed in (a 1/43,200 part of the work): a fast
 * machine runs more than a day of virtual seconds in a measurement, and the longest
 * receive timeout there is, a day, would otherwise end every session.
 */
static uint64_t work_send(void *ctx, uint64_t iters)
{
	struct world *w = ctx;
	for (uint64_t i = 0; i < iters; i++) {
		w->now += 1000000000ull;
		lsoe_node_run(w->node);
		if (w->now / 1000000000ull % 43200u == 0)
			for (uint32_t peer = 0; peer < w->npeers; peer++)
				input(w, peer, w->ka, w->ka_len);
	}
	return w->sent;
}

static uint64_t work_idle(void *ctx, uint64_t iters)
{
	struct world *w = ctx;
	uint64_t acc = 0;
	for (uint64_t i = 0; i < iters; i++)
		acc += lsoe_node_run(w->node);
	return acc;
}

/* ---- sessions with addresses: what the link view costs ---- */

/* One encapsulation PDU from a peer, as a single datagram. */
static size_t encap_dgram(unsigned type, const struct lsoe_encap *e, uint8_t *out, size_t cap)
{
	struct lsoe_pdu pdu = { .type = (uint8_t)type };
	pdu.u.encap.count = 1;
	pdu.u.encap.entries = e;
	uint8_t buf[64];
	size_t len;
	struct lsoe_frag f;
	if (lsoe_pdu_encode(&pdu, buf, sizeof(buf), &len) != LSOE_OK || lsoe_frag_init(&f, buf, len, 1500) != LSOE_OK)
		bench_die("engine: cannot build an encapsulation PDU");
	return lsoe_frag_next(&f, out, cap, NULL);
}

static void ack_dgram(unsigned type, uint8_t *out, size_t *len)
{
	struct lsoe_pdu p = { .type = LSOE_PDU_ACK };
	p.u.ack.pdu_type = (uint8_t)type;
	*len = dgram(&p, out);
}

/* Peer i's IPv4 address: 10.net.(i / 256).(i % 256 xor alt), /16; IPv6 2001:db8:net::i+2, /64. */
static struct lsoe_encap peer_v4(uint32_t i, uint8_t net, uint8_t alt)
{
	struct lsoe_encap e = { .prefix_len = 16 };
	const uint8_t a[4] = { 10, net, (uint8_t)(i >> 8), (uint8_t)((i & 0xFF) ^ alt) };
	memcpy(e.addr, a, 4);
	return e;
}

static struct lsoe_encap peer_v6(uint32_t i, uint8_t net)
{
	struct lsoe_encap e = { .prefix_len = 64 };
	const uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, net, [12] = (uint8_t)((i + 2) >> 24),
		(uint8_t)((i + 2) >> 16), (uint8_t)((i + 2) >> 8), (uint8_t)(i + 2) };
	memcpy(e.addr, a, 16);
	return e;
}

/*
 * Memory per session once every peer has announced its two addresses and ACKed ours.
 * net 1: in our subnets (10.1.255.254/16, 2001:db8:1::1/64), so each session holds an
 * IPv4 and an IPv6 link pair; net 2: foreign subnets, the same lists and no link.
 */
static double linked_bytes(uint32_t n, uint8_t net)
{
	struct world w;
	setup(&w, n);
	struct lsoe_encap mine4 = { .prefix_len = 16, .addr = { 10, 1, 255, 254 } };
	struct lsoe_encap mine6 = peer_v6(UINT32_MAX, 1); /* 2001:db8:1::1 (peers from ::2) */
	if (lsoe_node_set_encaps(w.node, 1, LSOE_PDU_IPV4_ENCAP, &mine4, 1) != LSOE_OK ||
	    lsoe_node_set_encaps(w.node, 1, LSOE_PDU_IPV6_ENCAP, &mine6, 1) != LSOE_OK)
		bench_die("engine: cannot set the port's addresses");
	struct lsoe_node_memory before, after;
	lsoe_node_memory(w.node, &before);
	establish(&w);
	uint8_t d4[64], d6[64], a4[64], a6[64];
	size_t a4len, a6len;
	ack_dgram(LSOE_PDU_IPV4_ENCAP, a4, &a4len);
	ack_dgram(LSOE_PDU_IPV6_ENCAP, a6, &a6len);
	for (uint32_t i = 0; i < n; i++) {
		struct lsoe_encap e4 = peer_v4(i, net, 0), e6 = peer_v6(i, net);
		size_t l4 = encap_dgram(LSOE_PDU_IPV4_ENCAP, &e4, d4, sizeof(d4));
		size_t l6 = encap_dgram(LSOE_PDU_IPV6_ENCAP, &e6, d6, sizeof(d6));
		input(&w, i, d4, l4);
		input(&w, i, d6, l6);
		input(&w, i, a4, a4len);
		input(&w, i, a6, a6len);
	}
	lsoe_node_memory(w.node, &after);
	if (lsoe_node_counters(w.node)->rx_by_type[LSOE_PDU_IPV6_ENCAP] != n || lsoe_node_unacked(w.node) != 0)
		bench_die("engine: the address exchange did not complete");
	teardown(&w);
	return (double)(after.bytes - before.bytes) / n;
}

struct update_ctx {
	struct world w;
	uint8_t d[2][64];
	size_t len[2];
	uint64_t k;
};

/* Peer 0 alternates between two addresses of our subnet: every PDU moves its pair. */
static uint64_t work_link_update(void *ctx, uint64_t iters)
{
	struct update_ctx *u = ctx;
	for (uint64_t i = 0; i < iters; i++, u->k++)
		input(&u->w, 0, u->d[u->k & 1], u->len[u->k & 1]);
	return lsoe_node_counters(u->w.node)->acks_sent;
}

static double link_update_ns(const struct bench_opts *o, uint32_t n)
{
	static struct update_ctx u;
	memset(&u, 0, sizeof(u));
	setup(&u.w, n);
	struct lsoe_encap mine4 = { .prefix_len = 16, .addr = { 10, 1, 255, 254 } };
	if (lsoe_node_set_encaps(u.w.node, 1, LSOE_PDU_IPV4_ENCAP, &mine4, 1) != LSOE_OK)
		bench_die("engine: cannot set the port's addresses");
	establish(&u.w);
	for (unsigned k = 0; k < 2; k++) {
		struct lsoe_encap e = peer_v4(0, 1, (uint8_t)k);
		u.len[k] = encap_dgram(LSOE_PDU_IPV4_ENCAP, &e, u.d[k], sizeof(u.d[k]));
	}
	double ns = 1e9 / bench_measure(o, work_link_update, &u, 1).median;
	teardown(&u.w);
	return ns;
}

struct figures {
	uint32_t sessions;
	double bytes_per_session, ns_rx, ns_send, ns_idle;
};

struct link_figures {
	uint32_t sessions;
	double bytes_linked, bytes_link_view, ns_update;
};

static void measure_links(const struct bench_opts *o, uint32_t n, struct link_figures *f)
{
	f->sessions = n;
	f->bytes_linked = linked_bytes(n, 1);
	f->bytes_link_view = f->bytes_linked - linked_bytes(n, 2);
	f->ns_update = link_update_ns(o, n);
}

static void measure(const struct bench_opts *o, uint32_t n, struct figures *f)
{
	struct world w;
	setup(&w, n);
	struct lsoe_node_memory before, after;
	lsoe_node_memory(w.node, &before);
	establish(&w);
	lsoe_node_memory(w.node, &after);
	f->sessions = n;
	f->bytes_per_session = (double)(after.bytes - before.bytes) / n;
	f->ns_rx = 1e9 / bench_measure(o, work_rx, &w, 1).median;
	f->ns_send = 1e9 / bench_measure(o, work_send, &w, n).median;
	f->ns_idle = 1e9 / bench_measure(o, work_idle, &w, 1).median;
	lsoe_node_memory(w.node, &after);
	if (after.sessions != n)
		bench_die("engine: sessions were lost during the run (%u of %u)", after.sessions, n);
	teardown(&w);
}

static void report_json(const struct bench_opts *o, const struct figures *small, const struct figures *big,
    const struct link_figures *lf)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	yajl_gen_map_open(g);
	lsoe_json_kstr(g, "benchmark", "engine");
	lsoe_json_kint(g, "sessions", big->sessions);
	lsoe_json_kint(g, "bytes_per_session", (long long)(big->bytes_per_session + 0.5));
	lsoe_json_kint(g, "ns_per_keepalive_event", (long long)(big->ns_rx + 0.5));
	lsoe_json_kint(g, "ns_per_keepalive_send", (long long)(big->ns_send + 0.5));
	lsoe_json_kint(g, "ns_per_idle_run", (long long)(big->ns_idle + 0.5));
	lsoe_json_kint(g, "sessions_small", small->sessions);
	lsoe_json_kint(g, "bytes_per_session_small", (long long)(small->bytes_per_session + 0.5));
	lsoe_json_kint(g, "ns_per_keepalive_event_small", (long long)(small->ns_rx + 0.5));
	lsoe_json_kint(g, "ns_per_keepalive_send_small", (long long)(small->ns_send + 0.5));
	lsoe_json_kint(g, "ns_per_idle_run_small", (long long)(small->ns_idle + 0.5));
	lsoe_json_kint(g, "sessions_linked", lf->sessions);
	lsoe_json_kint(g, "bytes_per_session_linked", (long long)(lf->bytes_linked + 0.5));
	lsoe_json_kint(g, "link_view_bytes_per_session", (long long)(lf->bytes_link_view + 0.5));
	lsoe_json_kint(g, "ns_per_link_update", (long long)(lf->ns_update + 0.5));
	lsoe_json_kint(g, "repetitions", o->reps);
	yajl_gen_map_close(g);
	lsoe_json_print_line(g, stdout);
	yajl_gen_free(g);
}

static void report_text(const struct bench_opts *o, const struct figures *small, const struct figures *big,
    const struct link_figures *lf)
{
	char cpu[256];
	printf("lsoe-bench engine\n");
	printf("  cpu          %s\n", bench_cpu_model(cpu, sizeof(cpu)));
	printf("  repetitions  %u per figure, ~%.3g s each; median reported; 1 thread; virtual clock\n\n", o->reps,
	    o->seconds);
	printf("  %-24s %12s %12s  %s\n", "figure", "1,000", "10,000", "sessions");
	printf("  %-24s %12.0f %12.0f  bytes\n", "bytes_per_session", small->bytes_per_session, big->bytes_per_session);
	printf("  %-24s %12.1f %12.1f  ns\n", "ns_per_keepalive_event", small->ns_rx, big->ns_rx);
	printf("  %-24s %12.1f %12.1f  ns\n", "ns_per_keepalive_send", small->ns_send, big->ns_send);
	printf("  %-24s %12.1f %12.1f  ns\n", "ns_per_idle_run", small->ns_idle, big->ns_idle);
	printf("\n  10x the sessions: keepalive receive x%.2f, keepalive send x%.2f (O(log n) timers: close to 1)\n",
	    big->ns_rx / small->ns_rx, big->ns_send / small->ns_send);
	printf("\n  %u sessions, each peer announcing one IPv4 and one IPv6 address:\n", lf->sessions);
	printf("  %-28s %8.0f  bytes (one IPv4 and one IPv6 link pair)\n", "bytes_per_session_linked", lf->bytes_linked);
	printf("  %-28s %8.0f  bytes (of which the link view)\n", "link_view_bytes_per_session", lf->bytes_link_view);
	printf("  %-28s %8.1f  ns (receive, ACK, store, recompute the link)\n", "ns_per_link_update", lf->ns_update);
}

int bench_engine_main(int argc, char **argv)
{
	struct bench_opts o;
	bench_opts_default(&o);
	int rc = bench_parse_opts(argc, argv, &o, usage_text);
	if (rc >= 0)
		return rc;
	struct figures small, big;
	struct link_figures lf;
	measure(&o, 1000, &small);
	measure(&o, 10000, &big);
	measure_links(&o, 1000, &lf);
	if (o.json)
		report_json(&o, &small, &big, &lf);
	else
		report_text(&o, &small, &big, &lf);
	fflush(stdout);
	return 0;
}
