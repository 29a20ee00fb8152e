/*
 * lsoed's BGP-LS export (draft section 16): an export-only BGP speaker per
 * bgp-ls-peer, inside the epoll loop. LSOE never waits on it: the engine's links
 * events only mark the export stale; before the loop sleeps, the route set is rebuilt
 * from the engine's view and each Established peer is sent the difference between
 * that set and what it holds from us, as far as its socket takes it. Nothing is
 * queued per change, so a slow or absent peer costs no memory beyond the two sets.
 *
 * New or changed links open a gathering window (bgp-ls-coalesce-time): a session
 * coming up sends its IPv4, IPv6 and MPLS lists and loopbacks in separate PDUs, and
 * an address change is a withdrawal and an announcement; within the window they
 * become one UPDATE per link and a replacement the receiver sees at once. Outside a
 * window a withdrawal leaves at once.
 *
 *   bgp.c          the peers as configured: parsing, reload, stop, JSON for lsoectl
 *   bgp_peer.c     one session: connect, OPEN, hold timer, sending the difference
 *   bgp_routes.c   route sets: built from the engine's view, sorted, compared
 */
#ifndef LSOED_BGP_H
#define LSOED_BGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <yajl/yajl_gen.h>

#include "loop.h"
#include "lsoe/bgpls.h"
#include "lsoe/config.h"

struct lsoed;

/* ---- bgp_routes.c ---- */

/* One exported link as sent: its NLRI and the value of its BGP-LS attribute. */
struct bgp_route {
	uint16_t nlri_len, attr_len;
	uint8_t nlri[LSOE_BGPLS_NLRI_MAX];
	uint8_t attr[LSOE_BGPLS_ATTR_MAX];
};

/* Sorted by NLRI (length, then octets); at most one route per NLRI. */
struct bgp_routes {
	struct bgp_route *v;
	size_t n, cap;
};

#define BGP_ROUTES_MAX 65536u /* links exported at most; more are counted, not sent */

int bgp_route_cmp(const struct bgp_route *a, const struct bgp_route *b); /* by NLRI */
bool bgp_route_same_attr(const struct bgp_route *a, const struct bgp_route *b);
/* Insert or replace (keeps the order); false when out of memory or full. */
bool bgp_routes_put(struct bgp_routes *r, const struct bgp_route *x);
/* Remove the route with x's NLRI, if there. */
void bgp_routes_del(struct bgp_routes *r, const struct bgp_route *x);
void bgp_routes_clear(struct bgp_routes *r);
void bgp_routes_free(struct bgp_routes *r);
/* The index of x's NLRI, or -1. */
long bgp_routes_find(const struct bgp_routes *r, const struct bgp_route *x);

/*
 * The route set of the engine's current link view (every established session's
 * links), with our loopbacks per port from what lsoed announces. *dropped counts
 * the links left out (past BGP_ROUTES_MAX or out of memory).
 */
bool bgp_routes_build(struct lsoed *d, const struct lsoe_bgpls_params *p, struct bgp_routes *out, uint64_t *dropped);

/* ---- bgp.c and bgp_peer.c ---- */

#define BGP_PEERS_MAX 16u

/* What one bgp-ls-peer runs with, from the configuration. */
struct bgp_settings {
	char name[64];                      /* as configured: "127.0.0.1:1790", "[2001:db8::1]:179" */
	struct sockaddr_storage addr;
	socklen_t addr_len;
	uint32_t local_as, peer_as;
	uint8_t router_id[4];
	uint8_t safi;
	uint16_t hold_time;
};

struct bgp_counters {
	uint64_t connects;                  /* TCP connections made */
	uint64_t established;               /* sessions that reached Established */
	uint64_t messages_sent, messages_received;
	uint64_t updates_sent;              /* links announced (NLRIs in MP_REACH_NLRI) */
	uint64_t withdrawals_sent;          /* links withdrawn (NLRIs in MP_UNREACH_NLRI) */
	uint64_t notifications_sent, notifications_received;
	uint64_t rx_errors;                 /* messages refused: malformed or unexpected */
};

enum bgp_state { BGP_IDLE, BGP_CONNECT, BGP_OPENSENT, BGP_OPENCONFIRM, BGP_ESTABLISHED };

struct bgp;
struct bgp_peer;

/*
 * Check the bgp-ls-* keys; fills up to BGP_PEERS_MAX settings. false with why (naming
 * the key) when they are wrong. local_id: for the default router ID.
 */
bool bgp_parse_config(const struct lsoe_config *cfg, struct bgp_settings *out, size_t *n, char *why, size_t cap);

struct bgp *bgp_open(struct lsoed *d, int epfd);
/* Apply a (checked) configuration: peers added, changed (restarted) or removed (withdrawn, Cease). */
void bgp_configure(struct bgp *b, const struct lsoe_config *cfg);
/* The link view changed: the export is stale (cheap; the work happens in bgp_flush). */
void bgp_links_changed(struct bgp *b);
/* Before the loop sleeps: rebuild the route set if stale, let every peer catch up. */
void bgp_flush(struct bgp *b);
/* SIGTERM: withdraw everything, then Cease; bgp_done says when every peer is closed. */
void bgp_stop(struct bgp *b);
bool bgp_done(const struct bgp *b);
void bgp_close(struct bgp *b);
/* "show bgp": {"peers":[...]}'s array; statistics: the "bgp" object (none without peers). */
void bgp_json_peers(struct bgp *b, yajl_gen g);
void bgp_json_stats(struct bgp *b, yajl_gen g);
bool bgp_configured(const struct bgp *b);

/* bgp_peer.c: one session. want: the route set to converge to (NULL: nothing, to withdraw). */
struct bgp_peer *bgp_peer_new(struct bgp *b, int epfd, const struct bgp_settings *s, struct bgp_counters *totals);
/* If marked or not yet caught up; now false: changes are being gathered, wait (unless retiring). */
void bgp_peer_sync(struct bgp_peer *p, const struct bgp_routes *want, bool now);
void bgp_peer_mark(struct bgp_peer *p);  /* the route set changed */
/* Withdraw everything it holds, send Cease (subcode), close; bgp_peer_closed when done. */
void bgp_peer_retire(struct bgp_peer *p, uint8_t cease_subcode);
bool bgp_peer_closed(const struct bgp_peer *p);
/* Freed only between epoll batches (bgp_flush), never from a handler: events may be pending. */
void bgp_peer_free(struct bgp_peer *p);
struct bgp_peer **bgp_peer_next(struct bgp_peer *p); /* link of bgp.c's list of retired peers */
const struct bgp_settings *bgp_peer_settings(const struct bgp_peer *p);
void bgp_peer_json(const struct bgp_peer *p, yajl_gen g, uint64_t now);
size_t bgp_peer_advertised(const struct bgp_peer *p);
/* Links whose announcement or withdrawal the peer has not been sent yet (Established only). */
size_t bgp_peer_pending(const struct bgp_peer *p, const struct bgp_routes *want);
bool bgp_settings_equal(const struct bgp_settings *a, const struct bgp_settings *b);

#endif
