/*
 * A stand-in for lsoed behind the control socket, for the lsoectl tests: ctl.c on
 * its own epoll loop, answering "show WHAT" with canned state rendered by the real
 * schema functions (lsoe_json_session, lsoe_json_port, lsoe_json_counters, ...,
 * and lsoed's own links_view for "show links"; "show bgp" is written here, in the
 * documented shape, as lsoed's BGP-LS speaker answers), and broadcasting canned events to
 * monitor clients, one every 100 ms, cycling through session_up, encaps, links and
 * session_down. Runs until SIGTERM or SIGINT; SIGHUP closes and reopens the control
 * socket from inside the event batch, as lsoed's reload does.
 *
 *   ctl_test_server PATH [MODE]        MODE in octal, default 0660
 *
 * Besides the documented WHATs it answers, for the server's own tests:
 *   big       a valid answer of about 1.4 MB (more than a socket buffer: EPOLLOUT)
 *   huge      one of more than CTL_OUTPUT_MAX (refused with an error)
 *   badutf8   a port name with invalid UTF-8 (repaired to '?')
 *   broken    an incomplete JSON value (refused with an error)
 *   flood     broadcasts about 6 MB of events at once (slow monitors are dropped)
 *   manylinks "show links" over sessions holding more pairs than LINKS_VIEW_MAX (refused
 *             with an error: the collection's memory is bounded)
 *
 * It provides loop_add/loop_mod/loop_del (loop.h) itself, as lsoed's loop will.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>

#include "ctl.h"
#include "json_event.h"
#include "json_pdu.h"
#include "links_json.h"
#include "lsoe/config.h"
#include "lsoe/event.h"
#include "lsoe/node.h"

#define NODE_NAME "test-node"
#define SEC 1000000000ull

/* ---- loop.h, as lsoed's loop does it ---- */

int loop_add(int epfd, int fd, uint32_t events, struct loop_handler *h)
{
	struct epoll_event ev = {.events = events, .data.ptr = h};
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int loop_mod(int epfd, int fd, uint32_t events, struct loop_handler *h)
{
	struct epoll_event ev = {.events = events, .data.ptr = h};
	return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
}

void loop_del(int epfd, int fd)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
}

/* ---- canned state ---- */

static const uint8_t local_id[LSOE_LOCAL_ID_LEN] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x01};
static const uint8_t peer_b_id[LSOE_LOCAL_ID_LEN] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x02};
static const uint8_t peer_d_id[LSOE_LOCAL_ID_LEN] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x04};
static const uint8_t peer_e_id[LSOE_LOCAL_ID_LEN] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x05};
static const uint8_t attrs_b[] = {1, 2};

static struct lsoe_encap b_v4[1], b_v6[2], a_v4[1], a_v6[1], mpls_v4[1];
static uint8_t mpls_labels[6], link_labels_a[6], link_labels_b[3];
/* B's link view: IPv4 one pair, IPv6 the global and the link-local pair, MPLS-IPv4 with labels. */
static struct lsoe_link b_links_v4[1], b_links_v6[2], b_links_mpls_v4[1];
static struct lsoe_counters node_counters, eth0_counters, eth1_counters;

#define NOW_NS (400 * SEC)

static void setup_state(void)
{
	/* B's IPv4: 192.0.2.0/31 primary; IPv6: 2001:db8::b/127 primary, fe80::ff:fe00:b/64 */
	b_v4[0] = (struct lsoe_encap){.flags = LSOE_ENCAP_PRIMARY, .prefix_len = 31, .addr = {192, 0, 2, 0}};
	b_v6[0] = (struct lsoe_encap){.flags = LSOE_ENCAP_PRIMARY, .prefix_len = 127,
	    .addr = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b}};
	b_v6[1] = (struct lsoe_encap){.prefix_len = 64,
	    .addr = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0, 0, 0x0b}};
	/* What we announce on eth0 */
	a_v4[0] = (struct lsoe_encap){.flags = LSOE_ENCAP_PRIMARY, .prefix_len = 31, .addr = {192, 0, 2, 1}};
	a_v6[0] = (struct lsoe_encap){.flags = LSOE_ENCAP_PRIMARY, .prefix_len = 127,
	    .addr = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a}};
	lsoe_label_put(mpls_labels, 0, 16001, 0, false);
	lsoe_label_put(mpls_labels, 1, 16002, 0, true);
	mpls_v4[0] = (struct lsoe_encap){.flags = LSOE_ENCAP_LOOPBACK, .prefix_len = 32, .nlabels = 2,
	    .addr = {10, 0, 0, 1}, .labels = mpls_labels};

	b_links_v4[0] = (struct lsoe_link){a_v4[0], b_v4[0]};
	b_links_v6[0] = (struct lsoe_link){a_v6[0], b_v6[0]};
	b_links_v6[1].local = (struct lsoe_encap){.prefix_len = 64,
	    .addr = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0, 0, 0x0a}};
	b_links_v6[1].peer = b_v6[1];
	lsoe_label_put(link_labels_a, 0, 16001, 0, false);
	lsoe_label_put(link_labels_a, 1, 16002, 0, true);
	lsoe_label_put(link_labels_b, 0, 17001, 0, true);
	b_links_mpls_v4[0].local = (struct lsoe_encap){.flags = LSOE_ENCAP_PRIMARY, .prefix_len = 31, .nlabels = 2,
	    .addr = {192, 0, 2, 1}, .labels = link_labels_a};
	b_links_mpls_v4[0].peer = (struct lsoe_encap){.prefix_len = 31, .nlabels = 1, .addr = {192, 0, 2, 0},
	    .labels = link_labels_b};

	eth0_counters.rx_frames = 120;
	eth0_counters.tx_frames = 118;
	eth0_counters.rx_pdus = 110;
	eth0_counters.tx_pdus = 112;
	eth0_counters.tx_hellos = 7;
	eth0_counters.rx_dropped = 3;
	eth0_counters.rx_errors[LSOE_E_DGRAM_CHECKSUM] = 3;
	eth0_counters.rx_by_type[lsoe_pdu_type_slot(LSOE_PDU_KEEPALIVE)] = 100;
	eth0_counters.tx_by_type[lsoe_pdu_type_slot(LSOE_PDU_KEEPALIVE)] = 101;
	eth0_counters.sessions_established = 1;
	eth1_counters.rx_frames = 5;
	eth1_counters.tx_frames = 9;
	eth1_counters.sessions_down[LSOE_DOWN_ERROR_ACK] = 1;
	node_counters = eth0_counters;
	node_counters.rx_frames += eth1_counters.rx_frames;
	node_counters.tx_frames += eth1_counters.tx_frames;
	node_counters.sessions_down[LSOE_DOWN_ERROR_ACK] = 1;
	node_counters.alloc_failures = UINT64_MAX; /* a 64-bit value must come through exactly */
}

/*
 * "show bgp": two BGP-LS peers, one established over iBGP (docs/bgp-ls.md's example), one
 * that cannot connect (eBGP, 4-octet AS, SAFI 80, never opened: no Router-ID, no hold time).
 */
static void bgp_peer(yajl_gen g, const char *peer, const char *state, uint64_t uptime_ns, uint64_t links,
    uint64_t updates, uint64_t withdrawals, const char *last_error, uint64_t peer_as, uint64_t safi,
    uint64_t hold, const char *router_id, uint64_t connects)
{
	yajl_gen_map_open(g);
	lsoe_json_kstr(g, "peer", peer);
	lsoe_json_kstr(g, "state", state);
	lsoe_json_kseconds(g, "uptime", uptime_ns);
	lsoe_json_ku64(g, "links_advertised", links);
	lsoe_json_ku64(g, "updates_sent", updates);
	lsoe_json_ku64(g, "withdrawals_sent", withdrawals);
	lsoe_json_kstr(g, "last_error", last_error);
	lsoe_json_ku64(g, "peer_as", peer_as);
	lsoe_json_ku64(g, "local_as", 65000);
	lsoe_json_ku64(g, "safi", safi);
	lsoe_json_ku64(g, "hold_time", hold);
	lsoe_json_kstr(g, "router_id", router_id);
	lsoe_json_ku64(g, "connects", connects);
	lsoe_json_ku64(g, "notifications_received", 0);
	lsoe_json_ku64(g, "notifications_sent", 0);
	yajl_gen_map_close(g);
}

static void bgp_answer(yajl_gen g)
{
	yajl_gen_map_open(g);
	lsoe_json_key(g, "peers");
	yajl_gen_array_open(g);
	bgp_peer(g, "127.0.0.1:1790", "established", 12 * SEC + SEC / 2, 2, 3, 1, "", 65000, 71, 90, "192.0.2.254", 1);
	bgp_peer(g, "[2001:db8::1]:179", "connect", 0, 0, 0, 0, "connect: Connection refused", 4200000000u, 80, 0, "",
	    3);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
}

/* eth0: B established. eth1: C opening (no OPEN from it yet), D held after a hopeless error. */
static void sessions(struct lsoe_session_view out[3])
{
	memset(out, 0, 3 * sizeof(out[0]));
	out[0] = (struct lsoe_session_view){.port = 2, .port_name = "eth0", .peer_mac = {2, 0, 0, 0, 0, 0x0b},
	    .state = LSOE_STATE_ESTABLISHED, .has_peer_id = true, .attrs = attrs_b, .attr_count = 2,
	    .since_ns = NOW_NS - 312 * SEC, .last_rx_ns = NOW_NS - SEC / 2, .our_nonce = 0x11111111,
	    .peer_nonce = 0x22222222, .retransmits = 1};
	memcpy(out[0].peer_id, peer_b_id, sizeof(peer_b_id));
	out[0].encaps_received[0] = out[0].encaps_received[1] = true;
	out[0].encaps[0] = b_v4;
	out[0].encap_count[0] = 1;
	out[0].encaps[1] = b_v6;
	out[0].encap_count[1] = 2;
	out[1] = (struct lsoe_session_view){.port = 3, .port_name = "eth1", .peer_mac = {2, 0, 0, 0, 0, 0x0c},
	    .state = LSOE_STATE_OPENING, .since_ns = NOW_NS - 2 * SEC, .last_rx_ns = NOW_NS - 2 * SEC,
	    .our_nonce = 0x33333333};
	out[2] = (struct lsoe_session_view){.port = 3, .port_name = "eth1", .peer_mac = {2, 0, 0, 0, 0, 0x0d},
	    .state = LSOE_STATE_HOLD, .has_peer_id = true, .since_ns = NOW_NS - 60 * SEC,
	    .last_rx_ns = NOW_NS - 60 * SEC, .our_nonce = 0x44444444, .peer_nonce = 0x55555555, .retransmits = 3};
	memcpy(out[2].peer_id, peer_d_id, sizeof(peer_d_id));
	out[2].encaps_received[2] = true;
	out[2].encaps[2] = mpls_v4;
	out[2].encap_count[2] = 1;
}

/*
 * obj, rendered into its own generator, written into g with the members of extra
 * (another object) spliced in before its closing brace: yajl_gen_number writes
 * text verbatim. This is how the test server adds "ifindex" and "announced" to
 * lsoe_json_port, as lsoed does.
 */
static void splice(yajl_gen g, yajl_gen obj, yajl_gen extra)
{
	const unsigned char *a, *b;
	size_t an, bn;
	yajl_gen_get_buf(obj, &a, &an);
	yajl_gen_get_buf(extra, &b, &bn);
	char *t = malloc(an + bn + 1);
	if (!t)
		abort();
	memcpy(t, a, an - 1);
	size_t o = an - 1;
	if (bn > 2)
		t[o++] = ',';
	memcpy(t + o, b + 1, bn - 2);
	o += bn - 2;
	t[o++] = '}';
	yajl_gen_number(g, t, o);
	free(t);
}

/*
 * "show links" through lsoed's own code: B's pairs on eth0, and on eth1 an established
 * peer E whose IPv4 addresses agree nowhere (a session of this answer only). E is
 * given first, so that the answer's order is links_view's doing.
 */
static bool links_answer(yajl_gen g, char *err, size_t cap)
{
	struct lsoe_session_view s[3], e;
	sessions(s);
	s[0].links[0] = b_links_v4;
	s[0].link_count[0] = 1;
	s[0].links[1] = b_links_v6;
	s[0].link_count[1] = 2;
	s[0].links[2] = b_links_mpls_v4;
	s[0].link_count[2] = 1;
	e = (struct lsoe_session_view){.port = 3, .port_name = "eth1", .peer_mac = {2, 0, 0, 0, 0, 0x0e},
	    .state = LSOE_STATE_ESTABLISHED, .has_peer_id = true, .since_ns = NOW_NS - 10 * SEC,
	    .last_rx_ns = NOW_NS - SEC, .link_incompatible = {true}};
	memcpy(e.peer_id, peer_e_id, sizeof(peer_e_id));
	struct links_view lv = {0};
	links_view_add(&lv, &e);
	for (int i = 2; i >= 0; i--)
		links_view_add(&lv, &s[i]);
	yajl_gen_map_open(g);
	if (!links_view_json(&lv, g, local_id, err, cap))
		return false;
	yajl_gen_map_close(g);
	return true;
}

/* Sessions of 4 x 256 pairs each, until there are more than one answer may hold. */
static bool many_links_answer(yajl_gen g, char *err, size_t cap)
{
	static struct lsoe_link pairs[LSOE_LINKS_MAX];
	for (unsigned i = 0; i < LSOE_LINKS_MAX; i++)
		pairs[i] = b_links_v4[0];
	struct links_view lv = {0};
	for (unsigned n = 0; n <= LINKS_VIEW_MAX / (4 * LSOE_LINKS_MAX); n++) {
		struct lsoe_session_view v = {.port = 2, .port_name = "eth0", .peer_mac = {2, 0, 0, 0, (uint8_t)(n >> 8),
		    (uint8_t)n}, .state = LSOE_STATE_ESTABLISHED, .has_peer_id = true};
		for (unsigned k = 0; k < 4; k++) {
			v.links[k] = pairs;
			v.link_count[k] = LSOE_LINKS_MAX;
		}
		links_view_add(&lv, &v);
	}
	yajl_gen_map_open(g);
	if (!links_view_json(&lv, g, local_id, err, cap))
		return false;
	yajl_gen_map_close(g);
	return true;
}

static void neighbors_list(yajl_gen g)
{
	struct lsoe_session_view s[3];
	sessions(s);
	yajl_gen_array_open(g);
	for (int i = 0; i < 3; i++)
		lsoe_json_session(g, &s[i], NOW_NS);
	yajl_gen_array_close(g);
}

static void encap_list(yajl_gen g, unsigned type, const struct lsoe_encap *e, unsigned n)
{
	yajl_gen_array_open(g);
	for (unsigned i = 0; i < n; i++)
		lsoe_json_encap_entry(g, type, &e[i]);
	yajl_gen_array_close(g);
}

static void port(yajl_gen g, const struct lsoe_port_view *p, bool with_lists)
{
	yajl_gen a = yajl_gen_alloc(NULL), b = yajl_gen_alloc(NULL);
	lsoe_json_port(a, p);
	yajl_gen_map_open(b);
	lsoe_json_kint(b, "ifindex", p->port);
	lsoe_json_key(b, "announced");
	yajl_gen_map_open(b);
	lsoe_json_key(b, "IPV4_ENCAP");
	encap_list(b, LSOE_PDU_IPV4_ENCAP, a_v4, with_lists ? 1 : 0);
	lsoe_json_key(b, "IPV6_ENCAP");
	encap_list(b, LSOE_PDU_IPV6_ENCAP, a_v6, with_lists ? 1 : 0);
	lsoe_json_key(b, "MPLS_IPV4_ENCAP");
	encap_list(b, LSOE_PDU_MPLS_IPV4_ENCAP, mpls_v4, with_lists ? 1 : 0);
	lsoe_json_key(b, "MPLS_IPV6_ENCAP");
	encap_list(b, LSOE_PDU_MPLS_IPV6_ENCAP, NULL, 0);
	yajl_gen_map_close(b);
	yajl_gen_map_close(b);
	splice(g, a, b);
	yajl_gen_free(a);
	yajl_gen_free(b);
}

static void ports(struct lsoe_port_view p[2])
{
	p[0] = (struct lsoe_port_view){.port = 2, .name = "eth0", .mac = {2, 0, 0, 0, 0, 0x0a}, .up = true,
	    .mtu = 1500, .sessions = 1, .encap_types = 0x7, .counters = &eth0_counters};
	p[1] = (struct lsoe_port_view){.port = 3, .name = "eth1", .mac = {2, 0, 0, 0, 0, 0x1a}, .up = false,
	    .mtu = 9000, .sessions = 2, .encap_types = 0x0, .counters = &eth1_counters};
}

static bool show(void *ctx, const char *what, yajl_gen g, char *err, size_t cap)
{
	struct ctl **ctlp = ctx;
	struct lsoe_port_view p[2];
	ports(p);
	if (strcmp(what, "neighbors") == 0) {
		yajl_gen_map_open(g);
		lsoe_json_key(g, "neighbors");
		neighbors_list(g);
		yajl_gen_map_close(g);
	} else if (strcmp(what, "links") == 0) {
		return links_answer(g, err, cap);
	} else if (strcmp(what, "bgp") == 0) {
		bgp_answer(g);
	} else if (strcmp(what, "manylinks") == 0) {
		return many_links_answer(g, err, cap);
	} else if (strcmp(what, "interfaces") == 0) {
		yajl_gen_map_open(g);
		lsoe_json_key(g, "interfaces");
		yajl_gen_array_open(g);
		port(g, &p[0], true);
		port(g, &p[1], false);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	} else if (strcmp(what, "statistics") == 0) {
		struct lsoe_node_memory m = {.bytes = 12345, .peak_bytes = 23456, .sessions = 3, .ports = 2, .timers_armed = 5};
		yajl_gen_map_open(g);
		lsoe_json_kstr(g, "node", NODE_NAME);
		lsoe_json_key(g, "counters");
		lsoe_json_counters(g, &node_counters);
		lsoe_json_key(g, "memory");
		lsoe_json_node_memory(g, &m);
		lsoe_json_key(g, "interfaces");
		yajl_gen_array_open(g);
		for (int i = 0; i < 2; i++) {
			yajl_gen_map_open(g);
			lsoe_json_kstr(g, "port", p[i].name);
			lsoe_json_key(g, "counters");
			lsoe_json_counters(g, p[i].counters);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	} else if (strcmp(what, "config") == 0) {
		struct lsoe_config cfg;
		char why[256], val[LSOE_CFG_VALUE_MAX];
		lsoe_config_default(&cfg);
		lsoe_config_set(&cfg, "name", NODE_NAME, why, sizeof(why));
		lsoe_config_set(&cfg, "local-id", "00:11:22:33:44:55:66:77:88:01", why, sizeof(why));
		lsoe_config_set(&cfg, "attributes", "1 2", why, sizeof(why));
		lsoe_config_set(&cfg, "hello-interval", "30", why, sizeof(why));
		yajl_gen_map_open(g);
		lsoe_json_key(g, "config");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < lsoe_config_key_count(); i++) {
			const struct lsoe_config_key *k = lsoe_config_key_at(i);
			if (lsoe_config_get(&cfg, k->name, val, sizeof(val)))
				lsoe_json_kstr(g, k->name, val);
		}
		yajl_gen_map_close(g);
		yajl_gen_map_close(g);
	} else if (strcmp(what, "topology") == 0) {
		char id[64];
		yajl_gen_map_open(g);
		lsoe_json_kstr(g, "node", NODE_NAME);
		snprintf(id, sizeof(id), "%02x:%02x:%02x:%02x:%02x:%02x:%02x:%02x:%02x:%02x", local_id[0], local_id[1],
		    local_id[2], local_id[3], local_id[4], local_id[5], local_id[6], local_id[7], local_id[8], local_id[9]);
		lsoe_json_kstr(g, "local_id", id);
		lsoe_json_key(g, "neighbors");
		neighbors_list(g);
		yajl_gen_map_close(g);
	} else if (strcmp(what, "big") == 0 || strcmp(what, "huge") == 0) {
		/* About 1.4 MB or 4.8 MB of sessions. */
		struct lsoe_session_view s[3];
		size_t count = strcmp(what, "big") == 0 ? 3000 : 10000;
		sessions(s);
		yajl_gen_map_open(g);
		lsoe_json_key(g, "neighbors");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < count; i++)
			lsoe_json_session(g, &s[i % 3], NOW_NS);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	} else if (strcmp(what, "badutf8") == 0) {
		yajl_gen_map_open(g);
		lsoe_json_kstr(g, "port", "eth\xff\xc3(x");
		yajl_gen_map_close(g);
	} else if (strcmp(what, "broken") == 0) {
		yajl_gen_map_open(g);
		lsoe_json_kstr(g, "port", "eth0");
	} else if (strcmp(what, "flood") == 0) {
		static struct lsoe_encap many[100];
		for (unsigned i = 0; i < 100; i++)
			many[i] = (struct lsoe_encap){.prefix_len = 128, .addr = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, (uint8_t)i}};
		struct lsoe_event ev = {.type = LSOE_EV_ENCAPS, .time_ns = NOW_NS, .port = 2, .port_name = "eth0",
		    .has_peer = true, .peer_mac = {2, 0, 0, 0, 0, 0x0b}, .encap_type = LSOE_PDU_IPV6_ENCAP,
		    .encaps = many, .encap_count = 100};
		size_t len, total = 0;
		unsigned n = 0;
		char *line = lsoe_json_event_line(NODE_NAME, &ev, &len);
		while (line && total < 6u * 1024 * 1024) {
			ctl_broadcast(*ctlp, line, len);
			total += len;
			n++;
		}
		free(line);
		yajl_gen_map_open(g);
		lsoe_json_kint(g, "flooded", n);
		yajl_gen_map_close(g);
	} else {
		snprintf(err, cap,
		    "unknown request 'show %s' (try: show neighbors|links|bgp|interfaces|statistics|config|topology, monitor)",
		    what);
		return false;
	}
	return true;
}

/* ---- the server ---- */

static struct {
	int epfd;
	const char *path;
	mode_t mode;
	struct ctl_ops ops;
	struct ctl *ctl;
} srv;

/* ---- events ---- */

struct ticker {
	struct loop_handler h;
	int fd;
	unsigned next;
};

static void tick(struct loop_handler *h, uint32_t events)
{
	struct ticker *t = (struct ticker *)h;
	uint64_t n;
	(void)events;
	if (read(t->fd, &n, sizeof(n)) < 0)
		return;
	struct lsoe_event ev = {.time_ns = NOW_NS + t->next * SEC / 10, .port = 2, .port_name = "eth0",
	    .has_peer = true, .peer_mac = {2, 0, 0, 0, 0, 0x0b}, .has_peer_id = true};
	memcpy(ev.peer_id, peer_b_id, sizeof(peer_b_id));
	switch (t->next % 4) {
	case 0:
		ev.type = LSOE_EV_SESSION_UP;
		ev.attrs = attrs_b;
		ev.attr_count = 2;
		break;
	case 1:
		ev.type = LSOE_EV_ENCAPS;
		ev.encap_type = LSOE_PDU_IPV6_ENCAP;
		ev.encaps = b_v6;
		ev.encap_count = 2;
		break;
	case 2:
		ev.type = LSOE_EV_LINKS;
		ev.encap_type = LSOE_PDU_IPV6_ENCAP;
		ev.links = b_links_v6;
		ev.link_count = 2;
		memcpy(ev.local_id, local_id, sizeof(local_id));
		break;
	default:
		ev.type = LSOE_EV_SESSION_DOWN;
		ev.reason = LSOE_DOWN_KEEPALIVE_TIMEOUT;
		break;
	}
	t->next++;
	size_t len;
	char *line = lsoe_json_event_line(NODE_NAME, &ev, &len);
	if (line)
		ctl_broadcast(srv.ctl, line, len);
	free(line);
}

struct sigs {
	struct loop_handler h;
	int fd;
	bool stop;
};

/* SIGTERM, SIGINT: stop. SIGHUP: close and reopen the control socket, as lsoed's reload does. */
static void on_signal(struct loop_handler *h, uint32_t events)
{
	struct sigs *s = (struct sigs *)h;
	struct signalfd_siginfo si;
	char err[512];
	(void)events;
	if (read(s->fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	if (si.ssi_signo != SIGHUP) {
		s->stop = true;
		return;
	}
	ctl_close(srv.ctl);
	srv.ctl = ctl_open(srv.epfd, srv.path, srv.mode, &srv.ops, err, sizeof(err));
	if (!srv.ctl) {
		fprintf(stderr, "ctl_test_server: reopen: %s\n", err);
		s->stop = true;
	}
}

int main(int argc, char **argv)
{
	char err[512];

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s PATH [MODE]\n", argv[0]);
		return 2;
	}
	srv.path = argv[1];
	srv.mode = argc == 3 ? (mode_t)strtoul(argv[2], NULL, 8) : 0660;
	srv.ops = (struct ctl_ops){.ctx = &srv.ctl, .show = show};
	setup_state();

	srv.epfd = epoll_create1(EPOLL_CLOEXEC);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN); /* ctl.c uses MSG_NOSIGNAL; this checks nothing else writes */
	struct sigs sg = {.h.fn = on_signal, .fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)};
	struct ticker tk = {.h.fn = tick, .fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)};
	if (srv.epfd < 0 || sg.fd < 0 || tk.fd < 0) {
		perror("setup");
		return 1;
	}
	srv.ctl = ctl_open(srv.epfd, srv.path, srv.mode, &srv.ops, err, sizeof(err));
	if (!srv.ctl) {
		fprintf(stderr, "ctl_test_server: %s\n", err);
		return 1;
	}
	struct itimerspec its = {.it_value = {0, 100000000}, .it_interval = {0, 100000000}};
	timerfd_settime(tk.fd, 0, &its, NULL);
	loop_add(srv.epfd, sg.fd, EPOLLIN, &sg.h);
	loop_add(srv.epfd, tk.fd, EPOLLIN, &tk.h);
	printf("ready\n");
	fflush(stdout);

	while (!sg.stop) {
		struct epoll_event evs[16];
		int n = epoll_wait(srv.epfd, evs, 16, -1);
		if (n < 0 && errno != EINTR) {
			perror("epoll_wait");
			break;
		}
		for (int i = 0; i < n; i++) {
			struct loop_handler *h = evs[i].data.ptr;
			h->fn(h, evs[i].events);
		}
	}
	ctl_close(srv.ctl);
	close(tk.fd);
	close(sg.fd);
	close(srv.epfd);
	return 0;
}
