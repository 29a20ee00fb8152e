/*
 * libFuzzer target: rtnetlink messages as lsoed handles them (ports/linux/netlink_msg.c
 * parsing RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR and RTM_DELADDR into the interface
 * table; ifaces.c turning the table into ports and announcements of a real engine).
 *
 * Input: a stream of netlink messages (struct nlmsghdr and payload, host byte order,
 * as the kernel sends them), at most 64 KiB. It is cut into batches, one batch being
 * one recv's worth: each NLMSG_DONE message ends a batch (and belongs to it). A batch
 * that ends with NLMSG_DONE is handled as netlink_dump handles a dump (the table
 * marked unseen, the messages applied, what was not seen swept away); what follows
 * the last NLMSG_DONE (with any malformed tail: libmnl stops at it) as a batch of
 * notifications. Either way ifaces_sync then brings the engine in line, as lsoed
 * does after each. Each batch is copied to a buffer of exactly its size, so ASan sees
 * any read past it.
 *
 * The whole input is run three times, from an empty table and a new engine each time,
 * under three configurations: the defaults; include/exclude patterns, primary
 * addresses, every loopback exposed and MPLS labels; a list of exposed loopbacks and
 * a label stack.
 *
 * The daemon around the table is reduced to what the handlers touch: struct lsoed
 * with its configuration, a real engine (lsoe_node, on a platform that sends nothing)
 * and no packet socket (d->pkt is NULL, so packet.c is never called: its functions
 * here abort). log_msg formats and discards; lsoed_rearm only asks the engine.
 *
 * Checks after every batch: the table is well formed (unique ifindexes, names
 * terminated, at most 512 addresses per interface, each of a known family and none
 * twice); after a dump everything left was seen in it; after ifaces_sync an interface
 * is a port exactly when lsoed_selects it, and the engine has exactly those ports.
 * At the end everything is freed (LeakSanitizer reports what is not).
 */
#define _GNU_SOURCE
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "lsoe/node.h"
#include "lsoed.h"

#define FZ_MAX_INPUT   (64u * 1024u)
#define FZ_MAX_ADDRS   512u /* ifaces.c: MAX_ENTRIES */

/* ---- what lsoed.c, log.c and packet.c would provide ---- */

void log_msg(int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	(void)level;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap); /* formatted, so the arguments are used, then dropped */
	va_end(ap);
}

void lsoed_rearm(struct lsoed *d)
{
	(void)lsoe_node_next_deadline(d->node);
}

/* The BGP-LS export only hears that the view may have changed. */
struct bgp;
void bgp_links_changed(struct bgp *b);
void bgp_links_changed(struct bgp *b)
{
	(void)b;
}

bool packet_membership(struct packet *p, int ifindex, const uint8_t group[6], bool join)
{
	(void)p, (void)ifindex, (void)group, (void)join;
	CHECK(!"packet_membership called without a packet socket");
	return false;
}

bool packet_fit_mtu(struct packet *p, uint32_t mtu)
{
	(void)p, (void)mtu;
	CHECK(!"packet_fit_mtu called without a packet socket");
	return false;
}

/* ---- the engine's platform ---- */

struct fz_platform {
	uint64_t now;
	uint64_t rng;
	uint64_t frames;
};

static uint64_t pf_now(void *ctx)
{
	struct fz_platform *p = ctx;
	return p->now += 1000;
}

static void pf_send(void *ctx, uint32_t port, const uint8_t dst[6], const uint8_t *dgram, size_t len)
{
	struct fz_platform *p = ctx;
	(void)port, (void)dst, (void)dgram, (void)len;
	p->frames++;
}

static void pf_random(void *ctx, void *buf, size_t n)
{
	struct fz_platform *p = ctx;
	uint8_t *b = buf;
	for (size_t i = 0; i < n; i++) {
		p->rng ^= p->rng << 13;
		p->rng ^= p->rng >> 7;
		p->rng ^= p->rng << 17;
		b[i] = (uint8_t)p->rng;
	}
}

static void *pf_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n);
}

static void pf_free(void *ctx, void *ptr, size_t n)
{
	(void)ctx, (void)n;
	free(ptr);
}

static void pf_log(void *ctx, enum lsoe_log_level level, const char *subsystem, const char *msg)
{
	(void)ctx, (void)level, (void)subsystem, (void)msg;
}

static void pf_event(void *ctx, const struct lsoe_event *ev)
{
	(void)ctx, (void)ev;
}

/* ---- configurations ---- */

static void set(struct lsoe_config *cfg, const char *key, const char *value)
{
	char why[256];
	if (lsoe_config_set(cfg, key, value, why, sizeof(why)) != LSOE_CFG_OK) {
		fprintf(stderr, "fuzz_netlink: %s = %s: %s\n", key, value, why);
		abort();
	}
}

static void make_config(struct lsoe_config *cfg, int variant)
{
	lsoe_config_default(cfg);
	set(cfg, "local-id", "00:11:22:33:44:55:66:77:88:99");
	switch (variant) {
	case 1:
		set(cfg, "include-ports", "* eth?");
		set(cfg, "exclude-ports", "ex* docker*");
		set(cfg, "primary-addresses", "10.0.0.1 2001:db8::1/64");
		set(cfg, "expose-loopback", "all");
		set(cfg, "mpls-labels", "10.0.0.1=16 2001:db8::1=17/18 127.0.0.1=3");
		break;
	case 2:
		set(cfg, "expose-loopback", "127.0.0.1 ::1 10.255.0.1");
		set(cfg, "mpls-labels", "10.255.0.1=100/200/300/400/500/600/700/800 ::1=1");
		set(cfg, "mtu", "64");
		break;
	default:
		break;
	}
}

/* ---- checks ---- */

struct port_count {
	uint32_t n;
};

static void count_port(void *ctx, const struct lsoe_port_view *p)
{
	(void)p;
	((struct port_count *)ctx)->n++;
}

static void check_table(struct lsoed *d, bool after_dump)
{
	struct ifaces *t = &d->ifaces;
	CHECK(t->n <= t->cap && (t->cap == 0) == (t->v == NULL));
	uint32_t ports = 0;
	for (size_t k = 0; k < t->n; k++) {
		const struct iface *i = t->v[k];
		CHECK(i != NULL);
		for (size_t j = 0; j < k; j++)
			CHECK(t->v[j]->ifindex != i->ifindex);
		CHECK(strnlen(i->name, sizeof(i->name)) < sizeof(i->name));
		CHECK(i->naddrs <= i->addrs_cap && i->addrs_cap <= FZ_MAX_ADDRS);
		CHECK(!after_dump || i->seen);
		for (size_t a = 0; a < i->naddrs; a++) {
			const struct if_addr *x = &i->addrs[a];
			CHECK(x->family == AF_INET || x->family == AF_INET6);
			CHECK(!after_dump || x->seen);
			for (size_t b = 0; b < a; b++)
				CHECK(i->addrs[b].family != x->family ||
				    memcmp(i->addrs[b].addr, x->addr, x->family == AF_INET ? 4 : 16) != 0);
		}
		CHECK(i->is_port == lsoed_selects(d, i));
		CHECK(!i->member); /* no packet socket: never in the group */
		for (int e = 0; e < 4; e++)
			CHECK(i->is_port || (!i->announced_set[e] && i->announced[e] == NULL));
		ports += i->is_port;
	}
	struct port_count pc = { 0 };
	lsoe_node_foreach_port(d->node, count_port, &pc);
	CHECK(pc.n == ports);
}

/* ---- one run ---- */

static void run(const uint8_t *data, size_t size, int variant)
{
	struct fz_platform fp = { .now = 1000000000ull, .rng = 0x9E3779B97F4A7C15ull };
	struct lsoe_platform pf = {
		.ctx = &fp, .now_ns = pf_now, .send = pf_send, .random = pf_random, .alloc = pf_alloc,
		.free = pf_free, .log = pf_log, .event = pf_event,
	};
	struct lsoed *d = calloc(1, sizeof(*d));
	CHECK(d != NULL);
	d->epfd = d->timerfd = -1;
	make_config(&d->cfg, variant);
	d->node = lsoe_node_create(&d->cfg, &pf);
	CHECK(d->node != NULL);

	size_t off = 0;
	while (off < size) {
		/* The batch: up to and including the next NLMSG_DONE, or everything left. */
		bool dump = false;
		size_t end = size;
		for (size_t m = off; size - m >= sizeof(struct nlmsghdr);) {
			const struct nlmsghdr *nlh = (const struct nlmsghdr *)(data + m);
			if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > size - m)
				break; /* malformed: the rest goes with this batch */
			size_t next = m + (((size_t)nlh->nlmsg_len + 3) & ~(size_t)3);
			m = next < size ? next : size; /* the last message need not be padded */
			if (nlh->nlmsg_type == NLMSG_DONE) {
				dump = true;
				end = m;
				break;
			}
		}
		size_t len = end - off;
		uint8_t *buf = malloc(len);
		CHECK(buf != NULL);
		memcpy(buf, data + off, len);
		if (dump)
			netlink_dump_mark(d);
		int rc = netlink_handle_buffer(d, buf, len, 0, 0);
		CHECK(rc >= -1 && rc <= MNL_CB_OK);
		if (dump)
			netlink_dump_sweep(d);
		ifaces_sync(d);
		check_table(d, dump);
		free(buf);
		off = end;
	}

	ifaces_free(&d->ifaces);
	lsoe_node_destroy(d->node);
	free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FZ_MAX_INPUT)
		return 0;
	/* Messages are 4-aligned in a buffer from malloc, as in lsoed's receive buffer. */
	uint8_t *copy = malloc(size ? size : 1);
	CHECK(copy != NULL);
	if (size)
		memcpy(copy, data, size);
	for (int variant = 0; variant < 3; variant++)
		run(copy, size, variant);
	free(copy);
	return 0;
}
