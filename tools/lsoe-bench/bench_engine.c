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
    "  ns_per_idle_run         lsoe_node_run with nothing due\n";

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

/* One virtual second: every session's keepalive timer fires once. */
static uint64_t work_send(void *ctx, uint64_t iters)
{
	struct world *w = ctx;
	for (uint64_t i = 0; i < iters; i++) {
		w->now += 1000000000ull;
		lsoe_node_run(w->node);
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

struct figures {
	uint32_t sessions;
	double bytes_per_session, ns_rx, ns_send, ns_idle;
};

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

static void report_json(const struct bench_opts *o, const struct figures *small, const struct figures *big)
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
	lsoe_json_kint(g, "repetitions", o->reps);
	yajl_gen_map_close(g);
	lsoe_json_print_line(g, stdout);
	yajl_gen_free(g);
}

static void report_text(const struct bench_opts *o, const struct figures *small, const struct figures *big)
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
}

int bench_engine_main(int argc, char **argv)
{
	struct bench_opts o;
	bench_opts_default(&o);
	int rc = bench_parse_opts(argc, argv, &o, usage_text);
	if (rc >= 0)
		return rc;
	struct figures small, big;
	measure(&o, 1000, &small);
	measure(&o, 10000, &big);
	if (o.json)
		report_json(&o, &small, &big);
	else
		report_text(&o, &small, &big);
	fflush(stdout);
	return 0;
}
