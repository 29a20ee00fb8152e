/*
 * The BGP-LS export as configured: the bgp-ls-* keys checked and turned into peers,
 * reloads (a changed peer restarts, a removed one is withdrawn and told Cease), the
 * route set rebuilt when the link view changed, the stop on SIGTERM, and what
 * lsoectl shows.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "bgp.h"
#include "json_event.h"
#include "json_pdu.h"
#include "lsoed.h"

struct bgp {
	struct loop_handler timer_h;        /* the end of a gathering window */
	struct lsoed *d;
	int epfd, tfd;
	struct bgp_peer *peers[BGP_PEERS_MAX];
	size_t n;
	struct bgp_peer *retired;           /* withdrawing, then Cease; freed in bgp_flush once closed */
	struct lsoe_bgpls_params params;
	struct bgp_routes want, prev;
	bool stale, stopping;
	uint64_t coalesce_ns, send_at;      /* a window is open until send_at */
	uint64_t links_dropped;
	struct bgp_counters totals;
};

/* ---- configuration ---- */

static bool parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || v < 1 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

/* ADDR, ADDR:PORT or [V6]:PORT (and [V6]); port 179 by default. */
static bool parse_peer(const char *tok, struct bgp_settings *s)
{
	char host[64];
	uint16_t port = 179;
	const char *colon = strchr(tok, ':');
	if (tok[0] == '[') {
		const char *close = strchr(tok, ']');
		if (!close || (size_t)(close - tok - 1) >= sizeof(host))
			return false;
		memcpy(host, tok + 1, (size_t)(close - tok - 1));
		host[close - tok - 1] = '\0';
		if (close[1] && (close[1] != ':' || !parse_port(close + 2, &port)))
			return false;
	} else if (colon && !strchr(colon + 1, ':')) {
		if ((size_t)(colon - tok) >= sizeof(host) || !parse_port(colon + 1, &port))
			return false;
		memcpy(host, tok, (size_t)(colon - tok));
		host[colon - tok] = '\0';
	} else {
		if (strlen(tok) >= sizeof(host))
			return false;
		strcpy(host, tok);
	}
	memset(&s->addr, 0, sizeof(s->addr));
	struct sockaddr_in *v4 = (struct sockaddr_in *)&s->addr;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&s->addr;
	if (tok[0] != '[' && inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		s->addr_len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		s->addr_len = sizeof(*v6);
	} else {
		return false;
	}
	snprintf(s->name, sizeof(s->name), "%s", tok);
	return true;
}

bool bgp_parse_config(const struct lsoe_config *cfg, struct bgp_settings *out, size_t *n, char *why, size_t cap)
{
	*n = 0;
	if (cfg->bgp_ls_hold_time == 1 || cfg->bgp_ls_hold_time == 2) {
		snprintf(why, cap, "bgp-ls-hold-time must be 0 or between 3 and 65535 (RFC 4271), not %u",
		    cfg->bgp_ls_hold_time);
		return false;
	}
	uint8_t rid[4];
	if (cfg->bgp_ls_router_id[0]) {
		if (inet_pton(AF_INET, cfg->bgp_ls_router_id, rid) != 1 || !(rid[0] | rid[1] | rid[2] | rid[3])) {
			snprintf(why, cap, "bgp-ls-router-id must be a non-zero dotted IPv4 address, e.g. 192.0.2.1, not '%s'",
			    cfg->bgp_ls_router_id);
			return false;
		}
	} else {
		memcpy(rid, cfg->local_id + LSOE_LOCAL_ID_LEN - 4, 4);
	}
	char list[LSOE_CFG_TEXT_MAX];
	snprintf(list, sizeof(list), "%s", cfg->bgp_ls_peer);
	char *save = NULL;
	for (char *tok = strtok_r(list, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		if (*n == BGP_PEERS_MAX) {
			snprintf(why, cap, "bgp-ls-peer: at most %u peers", BGP_PEERS_MAX);
			return false;
		}
		struct bgp_settings *s = &out[*n];
		memset(s, 0, sizeof(*s));
		if (!parse_peer(tok, s)) {
			snprintf(why, cap, "bgp-ls-peer: '%s' is not ADDR, ADDR:PORT or [IPV6]:PORT (numeric addresses)", tok);
			return false;
		}
		for (size_t k = 0; k < *n; k++)
			if (out[k].addr_len == s->addr_len && !memcmp(&out[k].addr, &s->addr, s->addr_len)) {
				snprintf(why, cap, "bgp-ls-peer: '%s' is listed twice", tok);
				return false;
			}
		s->local_as = cfg->bgp_ls_local_as;
		s->peer_as = cfg->bgp_ls_peer_as ? cfg->bgp_ls_peer_as : cfg->bgp_ls_local_as;
		memcpy(s->router_id, rid, 4);
		s->safi = (uint8_t)atoi(cfg->bgp_ls_safi);
		s->hold_time = cfg->bgp_ls_hold_time;
		(*n)++;
	}
	if (*n && !cfg->bgp_ls_local_as) {
		snprintf(why, cap, "bgp-ls-local-as must be set (1 to 4294967295) when bgp-ls-peer is");
		return false;
	}
	if (*n && !(rid[0] | rid[1] | rid[2] | rid[3])) {
		snprintf(why, cap, "bgp-ls-router-id must be set: the last 4 octets of local-id are 0");
		return false;
	}
	return true;
}

/* ---- the set of peers ---- */

static void on_timer(struct loop_handler *h, uint32_t events)
{
	struct bgp *b = (struct bgp *)h;
	uint64_t x;
	(void)events;
	if (read(b->tfd, &x, sizeof(x)) < 0 && errno != EAGAIN)
		log_warn("bgp-ls: timerfd: %s", strerror(errno));
	/* Nothing else: bgp_flush runs before the loop sleeps again and sends. */
}

struct bgp *bgp_open(struct lsoed *d, int epfd)
{
	struct bgp *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->timer_h.fn = on_timer;
	b->d = d;
	b->epfd = epfd;
	b->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (b->tfd < 0 || loop_add(epfd, b->tfd, EPOLLIN, &b->timer_h) < 0) {
		if (b->tfd >= 0)
			close(b->tfd);
		free(b);
		return NULL;
	}
	return b;
}

/* Retired peers live on (withdrawing, then Cease) until closed; bgp_flush frees them. */
static void retire(struct bgp *b, struct bgp_peer *p, uint8_t subcode)
{
	bgp_peer_retire(p, subcode);
	*bgp_peer_next(p) = b->retired;
	b->retired = p;
}

void bgp_configure(struct bgp *b, const struct lsoe_config *cfg)
{
	struct bgp_settings want[BGP_PEERS_MAX];
	size_t n = 0;
	char why[256];
	if (!bgp_parse_config(cfg, want, &n, why, sizeof(why))) {
		log_err("bgp-ls: %s", why); /* load_config checked it: not reached */
		return;
	}
	b->coalesce_ns = cfg->bgp_ls_coalesce;
	struct lsoe_bgpls_params params = { cfg->bgp_ls_protocol_id, cfg->bgp_ls_identifier };
	if (params.protocol_id != b->params.protocol_id || params.identifier != b->params.identifier) {
		b->params = params;
		b->stale = true;
	}
	if (n && !lsoe_bgpls_id_fits(cfg->local_id))
		log_warn("bgp-ls: local-id's first two octets are not 0, so they travel only in the deprecated "
		    "BGP-LS Identifier (TLV 513) of our node descriptors; an ASN||RouterID local-id avoids that");
	struct bgp_peer *keep[BGP_PEERS_MAX] = { 0 };
	for (size_t i = 0; i < b->n; i++) {
		const struct bgp_settings *s = bgp_peer_settings(b->peers[i]);
		size_t k = 0;
		while (k < n && strcmp(want[k].name, s->name) != 0)
			k++;
		if (k < n && bgp_settings_equal(&want[k], s)) {
			keep[k] = b->peers[i];
			continue;
		}
		log_info("bgp %s: %s", s->name, k < n ? "settings changed: restarting" : "no longer configured: withdrawing");
		retire(b, b->peers[i], k < n ? 6 : 3); /* Other Configuration Change, Peer De-configured */
	}
	for (size_t k = 0; k < n; k++) {
		if (!keep[k]) {
			keep[k] = bgp_peer_new(b, b->epfd, &want[k], &b->totals);
			if (!keep[k])
				log_err("bgp %s: cannot start (out of memory or timers)", want[k].name);
			else
				log_info("bgp %s: exporting links, AS %u to AS %u, SAFI %u", want[k].name, want[k].local_as,
				    want[k].peer_as, want[k].safi);
		}
	}
	b->n = 0;
	for (size_t k = 0; k < n; k++)
		if (keep[k])
			b->peers[b->n++] = keep[k];
	b->stale = true;
}

bool bgp_configured(const struct bgp *b)
{
	return b && (b->n || b->retired);
}

void bgp_links_changed(struct bgp *b)
{
	if (b)
		b->stale = true;
}

/* Whether want holds a route prev does not (or with other attributes): something to announce. */
static bool announces(const struct bgp_routes *prev, const struct bgp_routes *want)
{
	for (size_t i = 0; i < want->n; i++) {
		long k = bgp_routes_find(prev, &want->v[i]);
		if (k < 0 || !bgp_route_same_attr(&prev->v[k], &want->v[i]))
			return true;
	}
	return false;
}

static void arm(struct bgp *b, uint64_t at)
{
	struct itimerspec its = { 0 };
	its.it_value.tv_sec = (time_t)(at / 1000000000u);
	its.it_value.tv_nsec = (long)(at % 1000000000u);
	if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
		its.it_value.tv_nsec = 1;
	timerfd_settime(b->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

void bgp_flush(struct bgp *b)
{
	if (!b)
		return;
	uint64_t now = lsoed_now();
	if (b->stale && b->n) {
		struct bgp_routes t = b->prev;
		b->prev = b->want;
		b->want = t;
		uint64_t dropped = 0;
		if (!bgp_routes_build(b->d, &b->params, &b->want, &dropped)) {
			if (!b->links_dropped)
				log_err("bgp-ls: %llu links left out of the export (more than %u, or out of memory)",
				    (unsigned long long)dropped, BGP_ROUTES_MAX);
		}
		b->links_dropped = dropped;
		if (now >= b->send_at && b->coalesce_ns && announces(&b->prev, &b->want)) {
			b->send_at = now + b->coalesce_ns; /* open a gathering window */
			arm(b, b->send_at);
		}
		for (size_t i = 0; i < b->n; i++)
			bgp_peer_mark(b->peers[i]);
	}
	b->stale = false;
	for (size_t i = 0; i < b->n; i++)
		bgp_peer_sync(b->peers[i], &b->want, now >= b->send_at);
	for (struct bgp_peer **pp = &b->retired; *pp;) {
		struct bgp_peer *p = *pp;
		bgp_peer_sync(p, NULL, true);
		if (bgp_peer_closed(p)) {
			*pp = *bgp_peer_next(p);
			bgp_peer_free(p);
		} else {
			pp = bgp_peer_next(p);
		}
	}
}

void bgp_stop(struct bgp *b)
{
	if (!b || b->stopping)
		return;
	b->stopping = true;
	for (size_t i = 0; i < b->n; i++)
		retire(b, b->peers[i], 2); /* Administrative Shutdown */
	b->n = 0;
	bgp_routes_clear(&b->want); /* the loop's next bgp_flush frees what closed (not here: events may be pending) */
}

bool bgp_done(const struct bgp *b)
{
	return !b || (b->n == 0 && b->retired == NULL);
}

void bgp_close(struct bgp *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		bgp_peer_free(b->peers[i]);
	while (b->retired) {
		struct bgp_peer *p = b->retired;
		b->retired = *bgp_peer_next(p);
		bgp_peer_free(p);
	}
	loop_del(b->epfd, b->tfd);
	close(b->tfd);
	bgp_routes_free(&b->want);
	bgp_routes_free(&b->prev);
	free(b);
}

/* ---- lsoectl ---- */

void bgp_json_peers(struct bgp *b, yajl_gen g)
{
	uint64_t now = lsoed_now();
	lsoe_json_key(g, "peers");
	yajl_gen_array_open(g);
	for (size_t i = 0; b && i < b->n; i++)
		bgp_peer_json(b->peers[i], g, now);
	for (struct bgp_peer *p = b ? b->retired : NULL; p; p = *bgp_peer_next(p))
		bgp_peer_json(p, g, now);
	yajl_gen_array_close(g);
}

void bgp_json_stats(struct bgp *b, yajl_gen g)
{
	if (!bgp_configured(b))
		return;
	const struct bgp_counters *c = &b->totals;
	uint64_t advertised = 0;
	for (size_t i = 0; i < b->n; i++)
		advertised += bgp_peer_advertised(b->peers[i]);
	lsoe_json_key(g, "bgp");
	yajl_gen_map_open(g);
	lsoe_json_ku64(g, "connects", c->connects);
	lsoe_json_ku64(g, "established", c->established);
	lsoe_json_ku64(g, "messages_sent", c->messages_sent);
	lsoe_json_ku64(g, "messages_received", c->messages_received);
	lsoe_json_ku64(g, "updates_sent", c->updates_sent);
	lsoe_json_ku64(g, "withdrawals_sent", c->withdrawals_sent);
	lsoe_json_ku64(g, "notifications_sent", c->notifications_sent);
	lsoe_json_ku64(g, "notifications_received", c->notifications_received);
	lsoe_json_ku64(g, "rx_errors", c->rx_errors);
	lsoe_json_ku64(g, "links_advertised", advertised);
	uint64_t pending = 0;
	for (size_t i = 0; i < b->n; i++)
		pending += bgp_peer_pending(b->peers[i], &b->want);
	lsoe_json_ku64(g, "links_pending", pending);
	lsoe_json_ku64(g, "links_exported", b->want.n);
	lsoe_json_ku64(g, "links_dropped", b->links_dropped);
	yajl_gen_map_close(g);
}
