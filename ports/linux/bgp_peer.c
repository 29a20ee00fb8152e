/*
 * One BGP-LS export session (RFC 4271's FSM, trimmed to an active, export-only
 * speaker): connect out without blocking, OPEN, KEEPALIVE, the hold timer, and the
 * UPDATEs that bring the peer from what it holds to what we want. Every failure
 * closes the connection and retries after a backoff that doubles (1 s to 60 s) while
 * sessions keep failing, so a peer that refuses us is never hammered.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
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

#define NS                 1000000000ull
#define BACKOFF_MIN_S      1u
#define BACKOFF_MAX_S      60u
#define STABLE_NS          (30 * NS)   /* up this long: the next failure retries after 1 s again */
#define CONNECT_TIMEOUT_NS (5 * NS)
#define OPEN_HOLD_NS       (240 * NS)  /* RFC 4271 8.2.2: a large hold time until OPEN */
#define RETIRE_GRACE_NS    (2 * NS)    /* for the withdrawals and the Cease to leave */
#define TX_CAP             (16 * LSOE_BGP_MSG_MAX)

static const char *const state_names[] = { "idle", "connect", "opensent", "openconfirm", "established" };

struct bgp_peer {
	struct loop_handler sock_h;         /* first: epoll's data.ptr for the socket */
	struct loop_handler timer_h;
	struct bgp *b;
	int epfd, fd, tfd;
	struct bgp_settings s;
	enum bgp_state state;
	uint64_t since;                     /* entered the current state */
	uint64_t retry_at, last_rx, last_ka, deadline;
	unsigned backoff_s;
	uint32_t epoll_events;              /* what the socket is registered for */

	/* negotiated */
	uint16_t hold;
	bool as4;
	uint8_t next_hop[16], next_hop_len;
	uint8_t peer_rid[4];
	bool have_peer_rid;
	uint32_t peer_as_seen;

	uint8_t rx[LSOE_BGP_MSG_MAX];
	size_t rx_len;
	uint8_t tx[TX_CAP];
	size_t tx_len, tx_off;

	struct bgp_routes adv;              /* what the peer holds from us */
	bool dirty;                         /* adv may differ from the route set: sync */
	bool eor_sent;                      /* End-of-RIB after the first full table (RFC 4724 2) */
	bool retiring;                      /* withdraw all, Cease, close for good */
	uint8_t cease_subcode;
	bool cease_sent;
	uint64_t retire_deadline;

	struct bgp_peer *next;              /* in bgp.c's list of retired peers */
	struct bgp_counters c, *totals;
	char last_error[192];
};

static void set_state(struct bgp_peer *p, enum bgp_state s)
{
	if (p->state != s)
		log_debug("bgp %s: %s -> %s", p->s.name, state_names[p->state], state_names[s]);
	p->state = s;
	p->since = lsoed_now();
}

#define COUNT(p, field) ((p)->c.field++, (p)->totals->field++)
#define COUNT_N(p, field, k) ((p)->c.field += (k), (p)->totals->field += (k))

static void rearm(struct bgp_peer *p);

static void watch(struct bgp_peer *p)
{
	if (p->fd < 0)
		return;
	uint32_t ev = EPOLLIN | ((p->state == BGP_CONNECT || p->tx_len > p->tx_off) ? EPOLLOUT : 0);
	if (ev != p->epoll_events && loop_mod(p->epfd, p->fd, ev, &p->sock_h) == 0)
		p->epoll_events = ev;
}

/* Close the connection; unless retiring, try again after the backoff. */
static void drop(struct bgp_peer *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void drop(struct bgp_peer *p, const char *fmt, ...)
{
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->last_error, sizeof(p->last_error), fmt, ap);
		va_end(ap);
	}
	uint64_t now = lsoed_now();
	bool was_up = p->state == BGP_ESTABLISHED;
	if (p->fd >= 0) {
		loop_del(p->epfd, p->fd);
		close(p->fd);
		p->fd = -1;
	}
	p->epoll_events = 0;
	p->rx_len = p->tx_len = p->tx_off = 0;
	bgp_routes_clear(&p->adv); /* a closed session withdraws everything it carried */
	if (was_up && now - p->since >= STABLE_NS)
		p->backoff_s = BACKOFF_MIN_S;
	if (!p->retiring)
		log_warn("bgp %s: %s; retrying in %u s", p->s.name, fmt ? p->last_error : "closed", p->backoff_s);
	set_state(p, BGP_IDLE);
	p->retry_at = now + (uint64_t)p->backoff_s * NS;
	p->backoff_s = p->backoff_s * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : p->backoff_s * 2;
	rearm(p);
}

/* Queue a message; false if the buffer is full (the caller waits for room). */
static bool queue(struct bgp_peer *p, const uint8_t *msg, size_t len)
{
	if (p->tx_off && p->tx_off == p->tx_len)
		p->tx_off = p->tx_len = 0;
	if (TX_CAP - p->tx_len < len) {
		memmove(p->tx, p->tx + p->tx_off, p->tx_len - p->tx_off);
		p->tx_len -= p->tx_off;
		p->tx_off = 0;
		if (TX_CAP - p->tx_len < len)
			return false;
	}
	memcpy(p->tx + p->tx_len, msg, len);
	p->tx_len += len;
	COUNT(p, messages_sent);
	if (msg[18] == LSOE_BGP_KEEPALIVE || msg[18] == LSOE_BGP_OPEN)
		p->last_ka = lsoed_now();
	return true;
}

static size_t tx_room(const struct bgp_peer *p)
{
	return TX_CAP - (p->tx_len - p->tx_off);
}

/* Write what the socket takes; false if the connection broke (already dropped). */
static bool flush(struct bgp_peer *p)
{
	while (p->fd >= 0 && p->tx_off < p->tx_len) {
		ssize_t n = send(p->fd, p->tx + p->tx_off, p->tx_len - p->tx_off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			drop(p, "send: %s", strerror(errno));
			return false;
		}
		p->tx_off += (size_t)n;
	}
	if (p->tx_off == p->tx_len)
		p->tx_off = p->tx_len = 0;
	watch(p);
	return p->fd >= 0;
}

static void notify(struct bgp_peer *p, const struct lsoe_bgp_error *e)
{
	uint8_t msg[64];
	size_t n = lsoe_bgp_notification(e, msg, sizeof(msg));
	if (n && queue(p, msg, n)) {
		COUNT(p, notifications_sent);
		flush(p);
	}
}

/* Send a NOTIFICATION for err, then drop with a log line saying why. */
static void refuse(struct bgp_peer *p, const struct lsoe_bgp_error *err, const char *what)
{
	const char *sub = lsoe_bgp_subcode_name(err->code, err->subcode);
	COUNT(p, rx_errors);
	notify(p, err);
	if (p->fd >= 0)
		drop(p, "%s: %s; sent NOTIFICATION %s%s%s", what, err->why ? err->why : "refused",
		    lsoe_bgp_code_name(err->code), sub ? "/" : "", sub ? sub : "");
}

/* ---- connecting ---- */

static void start_connect(struct bgp_peer *p)
{
	p->fd = socket(p->s.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (p->fd < 0) {
		drop(p, "socket: %s", strerror(errno));
		return;
	}
	int one = 1;
	setsockopt(p->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	set_state(p, BGP_CONNECT);
	if (loop_add(p->epfd, p->fd, EPOLLIN | EPOLLOUT, &p->sock_h) < 0) {
		drop(p, "epoll: %s", strerror(errno));
		return;
	}
	p->epoll_events = EPOLLIN | EPOLLOUT;
	if (connect(p->fd, (struct sockaddr *)&p->s.addr, p->s.addr_len) < 0 && errno != EINPROGRESS) {
		drop(p, "connect: %s", strerror(errno));
		return;
	}
	p->deadline = lsoed_now() + CONNECT_TIMEOUT_NS;
	rearm(p);
}

static void connected(struct bgp_peer *p)
{
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		drop(p, "connect: %s", strerror(err));
		return;
	}
	struct sockaddr_storage local;
	len = sizeof(local);
	p->next_hop_len = 0;
	if (getsockname(p->fd, (struct sockaddr *)&local, &len) == 0) {
		if (local.ss_family == AF_INET) {
			memcpy(p->next_hop, &((struct sockaddr_in *)&local)->sin_addr, 4);
			p->next_hop_len = 4;
		} else if (local.ss_family == AF_INET6) {
			memcpy(p->next_hop, &((struct sockaddr_in6 *)&local)->sin6_addr, 16);
			p->next_hop_len = 16;
		}
	}
	if (!p->next_hop_len) {
		memcpy(p->next_hop, p->s.router_id, 4);
		p->next_hop_len = 4;
	}
	COUNT(p, connects);
	struct lsoe_bgp_open_params op = { p->s.local_as, p->s.hold_time, { 0 }, LSOE_BGP_AFI_LS, p->s.safi };
	memcpy(op.router_id, p->s.router_id, 4);
	uint8_t msg[64];
	size_t n = lsoe_bgp_open(&op, msg, sizeof(msg));
	set_state(p, BGP_OPENSENT);
	p->have_peer_rid = false;
	p->hold = 0;
	p->last_rx = lsoed_now();
	p->deadline = p->last_rx + OPEN_HOLD_NS;
	queue(p, msg, n);
	if (flush(p))
		rearm(p);
}

/* ---- receiving ---- */

static void on_open(struct bgp_peer *p, const uint8_t *msg, size_t len)
{
	struct lsoe_bgp_open_info info;
	struct lsoe_bgp_error err;
	uint32_t expect = p->s.peer_as;
	/* Our own Identifier is refused from an internal peer only (RFC 6286 2.2). */
	const uint8_t *ours = p->s.peer_as == p->s.local_as ? p->s.router_id : NULL;
	if (!lsoe_bgp_parse_open(msg, len, expect, ours, LSOE_BGP_AFI_LS, p->s.safi, &info, &err)) {
		refuse(p, &err, "OPEN refused");
		return;
	}
	memcpy(p->peer_rid, info.router_id, 4);
	p->have_peer_rid = true;
	p->peer_as_seen = info.peer_as;
	if (!info.family) {
		/* RFC 5492: the capability we need is not there; say which, and back off. */
		memset(&err, 0, sizeof(err));
		err.code = LSOE_BGP_ERR_OPEN;
		err.subcode = 7;
		err.data[0] = 1;
		err.data[1] = 4;
		err.data[2] = (uint8_t)(LSOE_BGP_AFI_LS >> 8);
		err.data[3] = (uint8_t)LSOE_BGP_AFI_LS;
		err.data[4] = 0;
		err.data[5] = p->s.safi;
		err.data_len = 6;
		err.why = NULL;
		log_err("bgp %s: the peer does not offer the BGP-LS family (AFI %u SAFI %u) in its OPEN; "
		    "nothing can be exported to it (configure the family on the peer)", p->s.name, LSOE_BGP_AFI_LS,
		    p->s.safi);
		COUNT(p, rx_errors);
		notify(p, &err);
		if (p->fd >= 0)
			drop(p, "peer does not offer AFI %u SAFI %u", LSOE_BGP_AFI_LS, p->s.safi);
		return;
	}
	p->as4 = info.as4;
	p->hold = info.hold_time < p->s.hold_time ? info.hold_time : p->s.hold_time;
	uint8_t ka[LSOE_BGP_HDR_LEN];
	lsoe_bgp_keepalive(ka, sizeof(ka));
	queue(p, ka, sizeof(ka));
	set_state(p, BGP_OPENCONFIRM);
	flush(p);
}

static void log_notification(struct bgp_peer *p, const uint8_t *msg, size_t len)
{
	struct lsoe_bgp_notification_info n;
	struct lsoe_bgp_error err;
	COUNT(p, notifications_received);
	if (!lsoe_bgp_parse_notification(msg, len, &n, &err)) {
		drop(p, "malformed NOTIFICATION");
		return;
	}
	const char *sub = lsoe_bgp_subcode_name(n.code, n.subcode);
	char subtext[16];
	if (!sub) {
		snprintf(subtext, sizeof(subtext), "subcode %u", n.subcode);
		sub = subtext;
	}
	bool refused = n.code == LSOE_BGP_ERR_OPEN && (n.subcode == 7 || n.subcode == 4);
	if (refused)
		log_err("bgp %s: the peer refuses our OPEN (%s): check that it runs the BGP-LS family AFI %u SAFI %u",
		    p->s.name, sub, LSOE_BGP_AFI_LS, p->s.safi);
	drop(p, "received NOTIFICATION %s/%s", lsoe_bgp_code_name(n.code), sub);
}

static void on_message(struct bgp_peer *p, const uint8_t *msg, size_t len)
{
	uint8_t type = msg[18];
	struct lsoe_bgp_error err;
	COUNT(p, messages_received);
	p->last_rx = lsoed_now();
	if (type == LSOE_BGP_NOTIFICATION) {
		log_notification(p, msg, len);
		return;
	}
	switch (p->state) {
	case BGP_OPENSENT:
		if (type == LSOE_BGP_OPEN) {
			on_open(p, msg, len);
			return;
		}
		break;
	case BGP_OPENCONFIRM:
		if (type == LSOE_BGP_KEEPALIVE) {
			set_state(p, BGP_ESTABLISHED);
			COUNT(p, established);
			p->last_error[0] = '\0';
			bgp_routes_clear(&p->adv);
			p->dirty = true;
			p->eor_sent = false;
			log_info("bgp %s: established (AS %u, hold time %u s); exporting the links", p->s.name,
			    p->peer_as_seen, p->hold);
			return;
		}
		break;
	case BGP_ESTABLISHED:
		if (type == LSOE_BGP_KEEPALIVE)
			return;
		if (type == LSOE_BGP_UPDATE) {
			/* We export only; what the peer sends is checked and let go. */
			if (!lsoe_bgp_parse_update(msg, len, &err))
				refuse(p, &err, "malformed UPDATE");
			return;
		}
		if (type == LSOE_BGP_ROUTE_REFRESH) {
			uint16_t afi;
			uint8_t safi;
			if (!lsoe_bgp_parse_route_refresh(msg, len, &afi, &safi, &err)) {
				refuse(p, &err, "malformed ROUTE-REFRESH");
				return;
			}
			if (afi == LSOE_BGP_AFI_LS && safi == p->s.safi) {
				bgp_routes_clear(&p->adv); /* everything is sent again */
				p->dirty = true;
			}
			return;
		}
		break;
	default:
		break;
	}
	memset(&err, 0, sizeof(err));
	err.code = LSOE_BGP_ERR_FSM;
	err.subcode = p->state == BGP_OPENSENT ? 1 : p->state == BGP_OPENCONFIRM ? 2 : 3;
	err.why = "unexpected message";
	char what[64];
	snprintf(what, sizeof(what), "%s in state %s", lsoe_bgp_msg_name(type), state_names[p->state]);
	refuse(p, &err, what);
}

static void on_readable(struct bgp_peer *p)
{
	for (;;) {
		ssize_t n = recv(p->fd, p->rx + p->rx_len, sizeof(p->rx) - p->rx_len, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR)
				continue;
			drop(p, "recv: %s", strerror(errno));
			return;
		}
		if (n == 0) {
			drop(p, "the peer closed the connection");
			return;
		}
		p->rx_len += (size_t)n;
		size_t off = 0;
		while (p->fd >= 0) {
			size_t mlen;
			struct lsoe_bgp_error err;
			int r = lsoe_bgp_frame(p->rx + off, p->rx_len - off, &mlen, &err);
			if (r < 0) {
				refuse(p, &err, "bad message header");
				return;
			}
			if (r == 0)
				break;
			on_message(p, p->rx + off, mlen);
			off += mlen;
		}
		if (p->fd < 0)
			return;
		memmove(p->rx, p->rx + off, p->rx_len - off);
		p->rx_len -= off;
	}
}

static void on_socket(struct loop_handler *h, uint32_t events)
{
	struct bgp_peer *p = (struct bgp_peer *)h;
	if (p->fd < 0)
		return;
	if (p->state == BGP_CONNECT) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			connected(p);
		return;
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		on_readable(p);
	if (p->fd >= 0 && (events & EPOLLOUT))
		flush(p);
	rearm(p);
}

/* ---- timers ---- */

static uint64_t next_deadline(const struct bgp_peer *p)
{
	uint64_t t = UINT64_MAX;
	switch (p->state) {
	case BGP_IDLE:
		t = p->retiring ? UINT64_MAX : p->retry_at;
		break;
	case BGP_CONNECT:
	case BGP_OPENSENT:
		t = p->deadline;
		break;
	case BGP_OPENCONFIRM:
	case BGP_ESTABLISHED:
		if (p->hold) {
			t = p->last_rx + (uint64_t)p->hold * NS;
			uint64_t ka = p->last_ka + (uint64_t)p->hold * NS / 3;
			if (ka < t)
				t = ka;
		}
		break;
	}
	if (p->retiring && p->fd >= 0 && p->retire_deadline < t)
		t = p->retire_deadline;
	return t;
}

static void rearm(struct bgp_peer *p)
{
	uint64_t t = next_deadline(p);
	struct itimerspec its = { 0 };
	if (t != UINT64_MAX) {
		its.it_value.tv_sec = (time_t)(t / NS);
		its.it_value.tv_nsec = (long)(t % NS);
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(p->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void on_timer(struct loop_handler *h, uint32_t events)
{
	struct bgp_peer *p = (struct bgp_peer *)((char *)h - offsetof(struct bgp_peer, timer_h));
	(void)events;
	uint64_t x;
	if (read(p->tfd, &x, sizeof(x)) < 0 && errno != EAGAIN)
		log_warn("bgp %s: timerfd: %s", p->s.name, strerror(errno));
	uint64_t now = lsoed_now();
	if (p->retiring && p->fd >= 0 && now >= p->retire_deadline) {
		drop(p, "closed (retired)");
		return;
	}
	switch (p->state) {
	case BGP_IDLE:
		if (!p->retiring && now >= p->retry_at)
			start_connect(p);
		break;
	case BGP_CONNECT:
		if (now >= p->deadline)
			drop(p, "connect: timed out");
		break;
	case BGP_OPENSENT:
		if (now >= p->deadline) {
			struct lsoe_bgp_error e = { LSOE_BGP_ERR_HOLD_TIMER, 0, { 0 }, 0, "no OPEN" };
			refuse(p, &e, "hold timer expired waiting for OPEN");
		}
		break;
	case BGP_OPENCONFIRM:
	case BGP_ESTABLISHED:
		if (p->hold && now >= p->last_rx + (uint64_t)p->hold * NS) {
			struct lsoe_bgp_error e = { LSOE_BGP_ERR_HOLD_TIMER, 0, { 0 }, 0, "nothing received" };
			refuse(p, &e, "hold timer expired");
			break;
		}
		if (p->hold && now >= p->last_ka + (uint64_t)p->hold * NS / 3) {
			uint8_t ka[LSOE_BGP_HDR_LEN];
			lsoe_bgp_keepalive(ka, sizeof(ka));
			/* A full buffer means the peer reads nothing: its hold timer will say so. */
			if (queue(p, ka, sizeof(ka)))
				flush(p);
			else
				p->last_ka = now;
		}
		break;
	}
	if (p->fd >= 0 || p->state == BGP_IDLE)
		rearm(p);
}

/* ---- sending the difference ---- */

static void send_withdrawals(struct bgp_peer *p, const struct bgp_routes *want, bool *sent)
{
	uint8_t nlris[LSOE_BGP_UNREACH_NLRI_MAX];
	size_t len = 0, count = 0;
	for (size_t i = 0; i < p->adv.n;) {
		const struct bgp_route *r = &p->adv.v[i];
		if (want && bgp_routes_find(want, r) >= 0) {
			i++;
			continue;
		}
		if (len + r->nlri_len > sizeof(nlris))
			break;
		memcpy(nlris + len, r->nlri, r->nlri_len);
		len += r->nlri_len;
		count++;
		bgp_routes_del(&p->adv, r); /* i now holds the next one */
	}
	if (!count)
		return;
	uint8_t msg[LSOE_BGP_MSG_MAX];
	size_t n = lsoe_bgp_update_unreach(LSOE_BGP_AFI_LS, p->s.safi, nlris, len, msg, sizeof(msg));
	queue(p, msg, n);
	COUNT_N(p, withdrawals_sent, count);
	*sent = true;
}

/* One UPDATE announcing the next run of wanted routes that differ, sharing one attribute. */
static bool send_announcement(struct bgp_peer *p, const struct bgp_routes *want)
{
	struct lsoe_bgp_update_params up = { LSOE_BGP_AFI_LS, p->s.safi, p->s.peer_as != p->s.local_as, p->as4,
		p->s.local_as, p->next_hop, p->next_hop_len };
	uint8_t nlris[LSOE_BGP_MSG_MAX];
	size_t len = 0, count = 0;
	const struct bgp_route *first = NULL;
	/* Room for the attributes around the NLRIs: headers, AS paths, next hop. */
	size_t budget = LSOE_BGP_MSG_MAX - LSOE_BGP_HDR_LEN - 4 - 64 - 4 - 16;
	for (size_t i = 0; i < want->n; i++) {
		const struct bgp_route *r = &want->v[i];
		long k = bgp_routes_find(&p->adv, r);
		if (k >= 0 && bgp_route_same_attr(&p->adv.v[k], r))
			continue;
		if (first && !bgp_route_same_attr(first, r))
			continue;
		if (!first) {
			first = r;
			budget -= 4 + r->attr_len;
		}
		if (len + r->nlri_len > budget)
			break;
		memcpy(nlris + len, r->nlri, r->nlri_len);
		len += r->nlri_len;
		count++;
	}
	if (!count)
		return false;
	uint8_t msg[LSOE_BGP_MSG_MAX];
	size_t n = lsoe_bgp_update_reach(&up, nlris, len, first->attr, first->attr_len, msg, sizeof(msg));
	if (!n) {
		log_err("bgp %s: an UPDATE did not fit %u octets; link left out", p->s.name, LSOE_BGP_MSG_MAX);
		return false;
	}
	queue(p, msg, n);
	/* Now the peer holds these: record them (after the message, as first points into want). */
	const struct bgp_route *attr_of = first;
	for (size_t i = 0, left = count; i < want->n && left; i++) {
		const struct bgp_route *r = &want->v[i];
		long k = bgp_routes_find(&p->adv, r);
		if ((k >= 0 && bgp_route_same_attr(&p->adv.v[k], r)) || !bgp_route_same_attr(attr_of, r))
			continue;
		if (!bgp_routes_put(&p->adv, r)) {
			log_err("bgp %s: out of memory recording what was sent", p->s.name);
			break;
		}
		left--;
	}
	COUNT_N(p, updates_sent, count);
	return true;
}

void bgp_peer_mark(struct bgp_peer *p)
{
	p->dirty = true;
}

void bgp_peer_sync(struct bgp_peer *p, const struct bgp_routes *want, bool now)
{
	if ((!p->dirty && !p->retiring) || p->state != BGP_ESTABLISHED || p->fd < 0 || (!now && !p->retiring))
		return; /* (not now: changes are being gathered; p stays dirty) */
	if (p->retiring)
		want = NULL;
	for (;;) {
		if (tx_room(p) < LSOE_BGP_MSG_MAX)
			break; /* still dirty: the next round, when the socket took some */
		bool sent = false;
		send_withdrawals(p, want, &sent);
		if (!sent && !(want && send_announcement(p, want))) {
			p->dirty = false;
			if (want && !p->eor_sent) {
				/* The whole table is there: say so, so a receiver knows the
				   initial set is complete (an empty MP_UNREACH_NLRI). */
				uint8_t eor[64];
				size_t n = lsoe_bgp_update_unreach(LSOE_BGP_AFI_LS, p->s.safi, NULL, 0, eor, sizeof(eor));
				queue(p, eor, n);
				p->eor_sent = true;
			}
			break;
		}
		if (!flush(p))
			return;
	}
	if (p->retiring && !p->adv.n && !p->cease_sent && tx_room(p) >= 64) {
		struct lsoe_bgp_error e = { LSOE_BGP_ERR_CEASE, p->cease_subcode, { 0 }, 0, NULL };
		notify(p, &e);
		p->cease_sent = true;
	}
	if (p->fd >= 0)
		flush(p);
	if (p->retiring && p->cease_sent && p->fd >= 0 && p->tx_len == p->tx_off) {
		log_info("bgp %s: everything withdrawn, closed with a Cease", p->s.name);
		drop(p, NULL);
	}
}

void bgp_peer_retire(struct bgp_peer *p, uint8_t cease_subcode)
{
	p->retiring = true;
	p->cease_subcode = cease_subcode;
	p->retire_deadline = lsoed_now() + RETIRE_GRACE_NS;
	if (p->state != BGP_ESTABLISHED) {
		if (p->fd >= 0 && p->state != BGP_CONNECT) {
			struct lsoe_bgp_error e = { LSOE_BGP_ERR_CEASE, cease_subcode, { 0 }, 0, NULL };
			notify(p, &e);
		}
		if (p->fd >= 0)
			drop(p, NULL);
		rearm(p);
		return;
	}
	rearm(p);
	p->dirty = true;
	bgp_peer_sync(p, NULL, true);
}

bool bgp_peer_closed(const struct bgp_peer *p)
{
	return p->fd < 0;
}

/* ---- life ---- */

struct bgp_peer *bgp_peer_new(struct bgp *b, int epfd, const struct bgp_settings *s, struct bgp_counters *totals)
{
	struct bgp_peer *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->sock_h.fn = on_socket;
	p->timer_h.fn = on_timer;
	p->b = b;
	p->epfd = epfd;
	p->fd = -1;
	p->s = *s;
	p->totals = totals;
	p->backoff_s = BACKOFF_MIN_S;
	p->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (p->tfd < 0 || loop_add(epfd, p->tfd, EPOLLIN, &p->timer_h) < 0) {
		if (p->tfd >= 0)
			close(p->tfd);
		free(p);
		return NULL;
	}
	set_state(p, BGP_IDLE);
	p->retry_at = lsoed_now(); /* connect at once */
	rearm(p);
	return p;
}

void bgp_peer_free(struct bgp_peer *p)
{
	if (!p)
		return;
	if (p->fd >= 0) {
		loop_del(p->epfd, p->fd);
		close(p->fd);
	}
	loop_del(p->epfd, p->tfd);
	close(p->tfd);
	bgp_routes_free(&p->adv);
	free(p);
}

struct bgp_peer **bgp_peer_next(struct bgp_peer *p)
{
	return &p->next;
}

const struct bgp_settings *bgp_peer_settings(const struct bgp_peer *p)
{
	return &p->s;
}

size_t bgp_peer_pending(const struct bgp_peer *p, const struct bgp_routes *want)
{
	if (p->state != BGP_ESTABLISHED)
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < want->n; i++) {
		long k = bgp_routes_find(&p->adv, &want->v[i]);
		n += k < 0 || !bgp_route_same_attr(&p->adv.v[k], &want->v[i]);
	}
	for (size_t i = 0; i < p->adv.n; i++)
		n += bgp_routes_find(want, &p->adv.v[i]) < 0;
	return n;
}

size_t bgp_peer_advertised(const struct bgp_peer *p)
{
	return p->adv.n;
}

bool bgp_settings_equal(const struct bgp_settings *a, const struct bgp_settings *b)
{
	return !strcmp(a->name, b->name) && a->addr_len == b->addr_len && !memcmp(&a->addr, &b->addr, a->addr_len) &&
	    a->local_as == b->local_as && a->peer_as == b->peer_as && !memcmp(a->router_id, b->router_id, 4) &&
	    a->safi == b->safi && a->hold_time == b->hold_time;
}

void bgp_peer_json(const struct bgp_peer *p, yajl_gen g, uint64_t now)
{
	char rid[INET_ADDRSTRLEN] = "";
	if (p->have_peer_rid)
		inet_ntop(AF_INET, p->peer_rid, rid, sizeof(rid));
	char lrid[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, p->s.router_id, lrid, sizeof(lrid));
	yajl_gen_map_open(g);
	lsoe_json_kstr(g, "peer", p->s.name);
	lsoe_json_kstr(g, "state", state_names[p->state]);
	lsoe_json_kseconds(g, "uptime", p->state == BGP_ESTABLISHED ? now - p->since : 0);
	lsoe_json_ku64(g, "links_advertised", p->adv.n);
	lsoe_json_ku64(g, "updates_sent", p->c.updates_sent);
	lsoe_json_ku64(g, "withdrawals_sent", p->c.withdrawals_sent);
	lsoe_json_kstr(g, "last_error", p->last_error);
	lsoe_json_ku64(g, "peer_as", p->s.peer_as);
	lsoe_json_ku64(g, "local_as", p->s.local_as);
	lsoe_json_ku64(g, "safi", p->s.safi);
	lsoe_json_ku64(g, "hold_time", p->state == BGP_ESTABLISHED ? p->hold : 0);
	lsoe_json_kstr(g, "router_id", rid);
	lsoe_json_kstr(g, "local_router_id", lrid);
	lsoe_json_ku64(g, "connects", p->c.connects);
	lsoe_json_ku64(g, "notifications_received", p->c.notifications_received);
	lsoe_json_ku64(g, "notifications_sent", p->c.notifications_sent);
	yajl_gen_map_close(g);
}
