/*
 * The control socket server (ctl.h). Everything is non-blocking and bounded:
 *
 *   - at most CTL_CLIENTS_MAX clients, in a fixed array of slots (a slot is never
 *     freed while the ctl lives, so an epoll event still queued for a client that
 *     was just closed finds a free slot and is ignored: no use after free);
 *   - a request line of at most CTL_REQUEST_MAX octets, read into the slot;
 *   - pending output of at most CTL_OUTPUT_MAX octets per client;
 *   - a client must send its request within CTL_REQUEST_TIMEOUT_S and read its
 *     answer within CTL_ANSWER_TIMEOUT_S, so idle connections cannot hold the
 *     slots for ever (monitor clients have no deadline: they are bounded by their
 *     output instead);
 *   - one spare file descriptor is kept so that when the process runs out of them
 *     a pending connection can still be accepted and refused instead of leaving the
 *     listener readable for ever (a busy loop);
 *   - ctl_close may be called from an event handler (a reload): events for c that
 *     epoll_wait already returned in the same batch must still find valid memory.
 *     So a closed ctl is not freed at once but retired, with every descriptor closed
 *     and every slot free (its handlers then do nothing). The next ctl_open takes
 *     the retired ones over and frees them the first time one of its own handlers
 *     runs: an event for the new ctl comes from a later epoll_wait than any batch
 *     in which the old ones were closed.
 *
 * Every answer is checked before it is sent: invalid UTF-8 octets (an interface
 * name is any octets) are replaced by '?', and the text must parse as exactly one
 * JSON value, so a client never receives a broken line.
 */
#define _GNU_SOURCE

#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_parse.h>

#include "json_pdu.h"

#define CTL_REQUEST_TIMEOUT_S 10   /* from accept to a complete request line */
#define CTL_ANSWER_TIMEOUT_S 60    /* from the request to the last octet of the answer read */
#define CTL_DRAIN_MAX 65536        /* unread request octets discarded before close */
#define CTL_ACCEPT_BURST (2 * CTL_CLIENTS_MAX) /* connections accepted per wake-up */
#define CTL_ECHO_MAX 64            /* octets of a bad request quoted back */
#define CTL_HINT "(try: show neighbors|links|bgp|interfaces|statistics|config|topology, monitor)"

enum client_state {
	CL_FREE,        /* slot unused */
	CL_REQUEST,     /* reading the request line */
	CL_ANSWER,      /* writing the one answer; closed once it is out */
	CL_MONITOR,     /* fed by ctl_broadcast until it goes */
};

struct ctl_client {
	struct loop_handler h;  /* first: its address is epoll's data.ptr */
	struct ctl *c;
	int fd;
	enum client_state st;
	bool rd_eof;            /* monitor: the peer shut its write side, stop reading */
	uint32_t events;        /* registered with epoll */
	uint64_t deadline_ns;   /* CL_REQUEST, CL_ANSWER: dropped past it */
	size_t inlen;
	char in[CTL_REQUEST_MAX];
	char *out;              /* pending output: out[off, len) */
	size_t off, len, cap;
};

struct ctl_timer {
	struct loop_handler h;  /* first */
	struct ctl *c;
	int fd;
	bool armed;
};

struct ctl {
	struct loop_handler h;  /* first: the listener */
	int epfd, fd, spare_fd;
	struct ctl_ops ops;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool have_ino;
	dev_t dev;
	ino_t ino;
	struct ctl_timer timer;
	unsigned nclients, next_slot;
	struct ctl *graveyard;  /* ctls retired before this one was opened: freed at its first event */
	struct ctl *next_retired;
	struct ctl_client clients[CTL_CLIENTS_MAX];
};

/* Closed ctls whose memory may still be named by events of the current epoll batch. */
static struct ctl *retired;

static void bury(struct ctl *c)
{
	while (c->graveyard) {
		struct ctl *old = c->graveyard;
		c->graveyard = old->next_retired;
		free(old);
	}
}

/* ---- small helpers ---- */

static void seterr(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t cap, const char *fmt, ...)
{
	if (!err || !cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if it is not one. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char b = p[0];
	size_t len;
	uint32_t cp;
	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf) {
		len = 2;
		cp = b & 0x1fu;
	} else if (b >= 0xe0 && b <= 0xef) {
		len = 3;
		cp = b & 0x0fu;
	} else if (b >= 0xf0 && b <= 0xf4) {
		len = 4;
		cp = b & 0x07u;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Replace every octet that is not part of valid UTF-8 by '?'. Returns how many were. */
static size_t utf8_repair(char *s, size_t n)
{
	unsigned char *p = (unsigned char *)s;
	size_t fixed = 0;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq(p + i, n - i);
		if (l == 0) {
			p[i++] = '?';
			fixed++;
		} else {
			i += l;
		}
	}
	return fixed;
}

static bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq(p + i, n - i);
		if (l == 0)
			return false;
		i += l;
	}
	return true;
}

/* Exactly one complete JSON value (white space around it allowed). */
static bool json_valid(const char *s, size_t n)
{
	yajl_handle p = yajl_alloc(NULL, NULL, NULL);
	if (!p)
		return false;
	bool ok = yajl_parse(p, (const unsigned char *)s, n) == yajl_status_ok &&
	          yajl_complete_parse(p) == yajl_status_ok;
	yajl_free(p);
	return ok;
}

/* The text of a request, fit to be quoted: printable ASCII only, at most CTL_ECHO_MAX octets. */
static void echo_text(char *out, size_t cap, const char *s, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 4 < cap; i++) {
		if (i == CTL_ECHO_MAX) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		unsigned char ch = (unsigned char)s[i];
		out[o++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	out[o] = '\0';
}

/* {"error": text}\n, malloc'd; NULL if memory runs out. */
static char *error_line(const char *text, size_t *len)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	char *line = NULL;
	const unsigned char *buf;
	size_t n;
	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	lsoe_json_kstr(g, "error", text);
	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &buf, &n) == yajl_gen_status_ok && (line = malloc(n + 1)) != NULL) {
		memcpy(line, buf, n);
		line[n] = '\n';
		*len = n + 1;
		utf8_repair(line, n);
	}
	yajl_gen_free(g);
	return line;
}

/* Read and discard what the peer sent and we did not read, so that closing does not reset it. */
static void drain(int fd)
{
	char buf[4096];
	size_t total = 0;
	while (total < CTL_DRAIN_MAX) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			total += (size_t)n;
		else if (n < 0 && errno == EINTR)
			continue;
		else
			break;
	}
}

/* Refuse a connection we will not serve: one error line, best effort, and close. */
static void refuse(int fd, const char *text)
{
	size_t len = 0;
	char *line = error_line(text, &len);
	if (line) {
		ssize_t r;
		do
			r = send(fd, line, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		while (r < 0 && errno == EINTR);
		free(line);
	}
	drain(fd);
	close(fd);
}

/* ---- the timer: request and answer deadlines ---- */

static void timer_arm(struct ctl *c, bool on)
{
	if (c->timer.fd < 0 || c->timer.armed == on)
		return;
	struct itimerspec its = {0};
	if (on) {
		its.it_value.tv_sec = 1;
		its.it_interval.tv_sec = 1;
	}
	if (timerfd_settime(c->timer.fd, 0, &its, NULL) == 0)
		c->timer.armed = on;
}

/* ---- clients ---- */

static void client_close(struct ctl_client *cl, bool graceful)
{
	struct ctl *c = cl->c;
	if (cl->st == CL_FREE)
		return;
	loop_del(c->epfd, cl->fd);
	if (graceful)
		drain(cl->fd);
	close(cl->fd);
	free(cl->out);
	cl->out = NULL;
	cl->off = cl->len = cl->cap = 0;
	cl->inlen = 0;
	cl->fd = -1;
	cl->st = CL_FREE;
	cl->rd_eof = false;
	cl->events = 0;
	c->nclients--;
}

static size_t pending(const struct ctl_client *cl)
{
	return cl->len - cl->off;
}

/* Queue n octets. False if the client would then hold more than CTL_OUTPUT_MAX, or no memory. */
static bool out_append(struct ctl_client *cl, const char *p, size_t n)
{
	size_t have = pending(cl);
	if (n > CTL_OUTPUT_MAX - have)
		return false;
	if (cl->off && (cl->off >= have || cl->cap - cl->len < n)) {
		memmove(cl->out, cl->out + cl->off, have);
		cl->off = 0;
		cl->len = have;
	}
	if (cl->cap - cl->len < n) {
		size_t want = cl->len + n, cap = cl->cap ? cl->cap : 4096;
		while (cap < want)
			cap *= 2;
		if (cap > CTL_OUTPUT_MAX)
			cap = CTL_OUTPUT_MAX;
		char *q = realloc(cl->out, cap);
		if (!q)
			return false;
		cl->out = q;
		cl->cap = cap;
	}
	memcpy(cl->out + cl->len, p, n);
	cl->len += n;
	return true;
}

/* Send what is pending. False if the connection failed (the client must be closed). */
static bool out_flush(struct ctl_client *cl)
{
	while (pending(cl)) {
		ssize_t n = send(cl->fd, cl->out + cl->off, pending(cl), MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			cl->off += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			break;
		} else {
			return false;
		}
	}
	if (!pending(cl)) {
		cl->off = cl->len = 0;
		if (cl->cap > 65536) { /* a burst is over: give the memory back */
			free(cl->out);
			cl->out = NULL;
			cl->cap = 0;
		}
	}
	return true;
}

/* Register what the client's state needs: input while reading, output while some is pending. */
static bool client_update(struct ctl_client *cl)
{
	uint32_t want = 0;
	if (cl->st == CL_REQUEST || (cl->st == CL_MONITOR && !cl->rd_eof))
		want |= EPOLLIN;
	if (pending(cl))
		want |= EPOLLOUT;
	if (want == cl->events)
		return true;
	if (loop_mod(cl->c->epfd, cl->fd, want, &cl->h) != 0)
		return false;
	cl->events = want;
	return true;
}

/* Flush, then close an answered client once its answer is out; false if the client is gone. */
static bool client_progress(struct ctl_client *cl)
{
	if (!out_flush(cl)) {
		client_close(cl, false);
		return false;
	}
	if (cl->st == CL_ANSWER && !pending(cl)) {
		client_close(cl, true);
		return false;
	}
	if (!client_update(cl)) {
		client_close(cl, false);
		return false;
	}
	return true;
}

/* Answer with one line (a complete JSON value and its '\n') and close once it is out. */
static void client_answer(struct ctl_client *cl, const char *line, size_t len)
{
	cl->st = CL_ANSWER;
	cl->deadline_ns = now_ns() + (uint64_t)CTL_ANSWER_TIMEOUT_S * 1000000000u;
	/* Most answers fit the socket buffer: send at once, queue only the rest. */
	while (!pending(cl) && len) {
		ssize_t n = send(cl->fd, line, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			line += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			break;
		} else {
			client_close(cl, false);
			return;
		}
	}
	if (!len) {
		client_close(cl, true);
		return;
	}
	if (!out_append(cl, line, len)) {
		client_close(cl, false);
		return;
	}
	client_progress(cl);
}

static void client_error(struct ctl_client *cl, const char *text)
{
	size_t len = 0;
	char *line = error_line(text, &len);
	if (!line) {
		client_close(cl, false);
		return;
	}
	client_answer(cl, line, len);
	free(line);
}

/* ---- requests and their answers (ctl_answer: no socket involved) ---- */

/* An error answer: {"error": text}\n. */
static enum ctl_answer_kind answer_error(const char *text, char **line, size_t *len)
{
	*line = error_line(text, len);
	return *line ? CTL_ANSWER_LINE : CTL_ANSWER_NOMEM;
}

static enum ctl_answer_kind answer_show(const struct ctl_ops *ops, const char *what, char **line, size_t *len)
{
	char err[256] = "";
	char text[512];
	const unsigned char *buf;
	size_t n;
	yajl_gen g;

	if (!ops->show)
		return answer_error("show is not available", line, len);
	if (!(g = yajl_gen_alloc(NULL)))
		return answer_error("out of memory", line, len);
	bool ok = ops->show(ops->ctx, what, g, err, sizeof(err));
	if (!ok) {
		yajl_gen_free(g);
		err[sizeof(err) - 1] = '\0';
		if (!err[0]) {
			char echo[CTL_ECHO_MAX + 8];
			echo_text(echo, sizeof(echo), what, strlen(what));
			snprintf(text, sizeof(text), "unknown request 'show %s' " CTL_HINT, echo);
			return answer_error(text, line, len);
		}
		return answer_error(err, line, len);
	}
	if (yajl_gen_get_buf(g, &buf, &n) != yajl_gen_status_ok || n == 0) {
		yajl_gen_free(g);
		return answer_error("internal error: empty answer", line, len);
	}
	if (n + 1 > CTL_OUTPUT_MAX) {
		yajl_gen_free(g);
		snprintf(text, sizeof(text), "answer too large (%zu octets, the limit is %u)", n + 1,
		    (unsigned)CTL_OUTPUT_MAX);
		return answer_error(text, line, len);
	}
	char *out = malloc(n + 1);
	if (!out) {
		yajl_gen_free(g);
		return answer_error("out of memory", line, len);
	}
	memcpy(out, buf, n);
	out[n] = '\n';
	yajl_gen_free(g);
	utf8_repair(out, n);
	if (memchr(out, '\n', n) || !json_valid(out, n)) {
		free(out);
		return answer_error("internal error: the answer is not one line of JSON", line, len);
	}
	*line = out;
	*len = n + 1;
	return CTL_ANSWER_LINE;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

enum ctl_answer_kind ctl_answer(const struct ctl_ops *ops, const char *s, size_t n, char **line, size_t *len)
{
	char req[CTL_REQUEST_MAX + 1];
	char text[256];
	char echo[CTL_ECHO_MAX + 8];

	*line = NULL;
	*len = 0;
	if (n >= CTL_REQUEST_MAX) {
		snprintf(text, sizeof(text), "request too long (%d octets without a newline)", CTL_REQUEST_MAX);
		return answer_error(text, line, len);
	}
	while (n && is_space(s[0])) {
		s++;
		n--;
	}
	while (n && is_space(s[n - 1]))
		n--;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 && ch != '\t') /* NUL and other controls: not a request */
			goto unknown;
		if (ch >= 0x7f)
			goto unknown;
	}
	memcpy(req, s, n);
	req[n] = '\0';
	if (strcmp(req, "monitor") == 0)
		return CTL_ANSWER_MONITOR;
	if (n > 4 && strncmp(req, "show", 4) == 0 && is_space(req[4])) {
		const char *what = req + 5;
		while (is_space(*what))
			what++;
		return answer_show(ops, what, line, len);
	}
unknown:
	echo_text(echo, sizeof(echo), s, n);
	snprintf(text, sizeof(text), "unknown request '%s' " CTL_HINT, echo);
	return answer_error(text, line, len);
}

/* One request line (without its '\n'). */
static void client_request(struct ctl_client *cl, const char *s, size_t n)
{
	char *line = NULL;
	size_t len = 0;
	enum ctl_answer_kind k = ctl_answer(&cl->c->ops, s, n, &line, &len);
	if (cl->st != CL_REQUEST) { /* the ctl was closed meanwhile, by ops->show (see ctl_close) */
		free(line);
		return;
	}
	switch (k) {
	case CTL_ANSWER_MONITOR:
		cl->st = CL_MONITOR;
		cl->inlen = 0;
		if (!client_update(cl))
			client_close(cl, false);
		return;
	case CTL_ANSWER_LINE:
		client_answer(cl, line, len);
		free(line);
		return;
	case CTL_ANSWER_NOMEM:
		break;
	}
	client_close(cl, false);
}

static void client_read_request(struct ctl_client *cl)
{
	for (;;) {
		if (cl->inlen >= CTL_REQUEST_MAX) {
			char text[128];
			snprintf(text, sizeof(text), "request too long (%d octets without a newline)", CTL_REQUEST_MAX);
			client_error(cl, text);
			return;
		}
		ssize_t n = recv(cl->fd, cl->in + cl->inlen, CTL_REQUEST_MAX - cl->inlen, MSG_DONTWAIT);
		if (n > 0) {
			char *nl = memchr(cl->in + cl->inlen, '\n', (size_t)n);
			cl->inlen += (size_t)n;
			if (nl) {
				client_request(cl, cl->in, (size_t)(nl - cl->in));
				return;
			}
		} else if (n == 0) {
			/* The peer shut its side: take what came as the request (a client
			 * that sends no final newline), or go if nothing did. */
			if (cl->inlen)
				client_request(cl, cl->in, cl->inlen);
			else
				client_close(cl, false);
			return;
		} else if (errno == EINTR) {
			continue;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			return;
		} else {
			client_close(cl, false);
			return;
		}
	}
}

/* A monitor client sends nothing useful: discard it, notice when it shuts its side. */
static bool client_read_monitor(struct ctl_client *cl)
{
	char buf[4096];
	size_t total = 0;
	while (total < 65536) {
		ssize_t n = recv(cl->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			total += (size_t)n;
		} else if (n == 0) {
			cl->rd_eof = true;
			break;
		} else if (errno == EINTR) {
			continue;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			break;
		} else {
			client_close(cl, false);
			return false;
		}
	}
	if (!client_update(cl)) {
		client_close(cl, false);
		return false;
	}
	return true;
}

static void client_fn(struct loop_handler *h, uint32_t events)
{
	struct ctl_client *cl = (struct ctl_client *)h;
	if (cl->st == CL_FREE || cl->fd < 0)
		return; /* an event queued before the client was closed */
	bury(cl->c);
	if (events & (EPOLLERR | EPOLLHUP)) {
		/* The slot may have been reused since the event was queued: ask again. */
		struct pollfd p = {.fd = cl->fd, .events = POLLIN | POLLOUT};
		if (poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP | POLLNVAL))) {
			client_close(cl, false);
			return;
		}
	}
	if ((events & EPOLLIN) && cl->st == CL_REQUEST) {
		client_read_request(cl);
		return;
	}
	if ((events & EPOLLIN) && cl->st == CL_MONITOR && !cl->rd_eof) {
		if (!client_read_monitor(cl))
			return;
	}
	if (cl->st != CL_FREE && cl->st != CL_REQUEST)
		client_progress(cl);
}

static void client_new(struct ctl *c, int fd)
{
	struct ctl_client *cl = NULL;
	for (unsigned i = 0; i < CTL_CLIENTS_MAX; i++) {
		unsigned k = (c->next_slot + i) % CTL_CLIENTS_MAX;
		if (c->clients[k].st == CL_FREE) {
			cl = &c->clients[k];
			c->next_slot = (k + 1) % CTL_CLIENTS_MAX;
			break;
		}
	}
	if (!cl) {
		refuse(fd, "too many clients");
		return;
	}
	cl->h.fn = client_fn;
	cl->c = c;
	cl->fd = fd;
	cl->st = CL_REQUEST;
	cl->rd_eof = false;
	cl->inlen = 0;
	cl->off = cl->len = cl->cap = 0;
	cl->out = NULL;
	cl->deadline_ns = now_ns() + (uint64_t)CTL_REQUEST_TIMEOUT_S * 1000000000u;
	cl->events = EPOLLIN;
	if (loop_add(c->epfd, fd, EPOLLIN, &cl->h) != 0) {
		cl->st = CL_FREE;
		cl->fd = -1;
		refuse(fd, "internal error: cannot register the connection");
		return;
	}
	c->nclients++;
	timer_arm(c, true);
}

/* ---- listener and timer ---- */

static void listener_fn(struct loop_handler *h, uint32_t events)
{
	struct ctl *c = (struct ctl *)h;
	(void)events;
	if (c->fd < 0)
		return;
	bury(c);
	for (unsigned i = 0; i < CTL_ACCEPT_BURST; i++) {
		int fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			client_new(c, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
			continue;
		if ((errno == EMFILE || errno == ENFILE) && c->spare_fd >= 0) {
			/* Out of descriptors: use the spare one to take the connection and refuse it. */
			close(c->spare_fd);
			fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (fd >= 0)
				refuse(fd, "lsoed is out of file descriptors");
			c->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			if (fd >= 0)
				continue;
		}
		break; /* EAGAIN, or a resource error: try again at the next event */
	}
}

static void timer_fn(struct loop_handler *h, uint32_t events)
{
	struct ctl_timer *t = (struct ctl_timer *)h;
	struct ctl *c = t->c;
	uint64_t ticks;
	(void)events;
	if (t->fd < 0)
		return;
	bury(c);
	while (read(t->fd, &ticks, sizeof(ticks)) < 0 && errno == EINTR)
		;
	uint64_t now = now_ns();
	bool waiting = false;
	for (unsigned i = 0; i < CTL_CLIENTS_MAX; i++) {
		struct ctl_client *cl = &c->clients[i];
		if (cl->st != CL_REQUEST && cl->st != CL_ANSWER)
			continue;
		if (now < cl->deadline_ns) {
			waiting = true;
		} else if (cl->st == CL_REQUEST) {
			char text[96];
			snprintf(text, sizeof(text), "no request within %d s", CTL_REQUEST_TIMEOUT_S);
			client_error(cl, text);
			if (cl->st == CL_ANSWER)
				waiting = true; /* its answer did not go out at once */
		} else {
			client_close(cl, false);
		}
	}
	if (!waiting)
		timer_arm(c, false);
}

/* ---- the API ---- */

/* An existing file at path: remove it if it is a dead socket; refuse anything else. */
static bool clear_path(const char *path, char *err, size_t cap)
{
	struct stat st;
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return true;
		seterr(err, cap, "control socket %s: %s", path, strerror(errno));
		return false;
	}
	if (!S_ISSOCK(st.st_mode)) {
		seterr(err, cap, "control socket %s: the file exists and is not a socket; refusing to replace it", path);
		return false;
	}
	/* A socket: is somebody listening on it (another lsoed)? */
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0) {
		seterr(err, cap, "socket: %s", strerror(errno));
		return false;
	}
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int r = connect(s, (struct sockaddr *)&sa, sizeof(sa));
	int e = errno;
	close(s);
	if (r == 0 || e == EAGAIN || e == EINPROGRESS) {
		seterr(err, cap, "control socket %s: another process is listening on it (is lsoed already running?)", path);
		return false;
	}
	if (e != ECONNREFUSED && e != ENOENT) {
		seterr(err, cap, "control socket %s: %s", path, strerror(e));
		return false;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		seterr(err, cap, "control socket %s: cannot remove the stale socket: %s", path, strerror(errno));
		return false;
	}
	return true;
}

struct ctl *ctl_open(int epfd, const char *path, mode_t mode, const struct ctl_ops *ops, char *err, size_t cap)
{
	struct ctl *c;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	bool bound = false;

	if (!path || !*path) {
		seterr(err, cap, "control socket: empty path");
		return NULL;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		seterr(err, cap, "control socket %s: path too long (at most %zu octets)", path, sizeof(sa.sun_path) - 1);
		return NULL;
	}
	if (!ops || epfd < 0) {
		seterr(err, cap, "control socket %s: bad arguments", path);
		return NULL;
	}
	if (!(c = calloc(1, sizeof(*c)))) {
		seterr(err, cap, "control socket %s: out of memory", path);
		return NULL;
	}
	c->h.fn = listener_fn;
	c->epfd = epfd;
	c->fd = c->spare_fd = c->timer.fd = -1;
	c->ops = *ops;
	c->timer.h.fn = timer_fn;
	c->timer.c = c;
	memcpy(c->path, path, strlen(path) + 1);
	for (unsigned i = 0; i < CTL_CLIENTS_MAX; i++) {
		c->clients[i].fd = -1;
		c->clients[i].c = c;
		c->clients[i].h.fn = client_fn;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);

	if (!clear_path(path, err, cap))
		goto fail;
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		seterr(err, cap, "control socket %s: socket: %s", path, strerror(errno));
		goto fail;
	}
	/* Created with the final mode (never more open than asked), then chmod'ed to it exactly. */
	mode_t old = umask((mode_t)(~mode & 0777));
	int r = bind(c->fd, (struct sockaddr *)&sa, sizeof(sa));
	int e = errno;
	umask(old);
	if (r != 0) {
		seterr(err, cap, "control socket %s: bind: %s", path, strerror(e));
		goto fail;
	}
	bound = true;
	if (chmod(path, mode & 07777) != 0) {
		seterr(err, cap, "control socket %s: chmod %04o: %s", path, (unsigned)(mode & 07777), strerror(errno));
		goto fail;
	}
	struct stat st;
	if (lstat(path, &st) == 0) {
		c->have_ino = true;
		c->dev = st.st_dev;
		c->ino = st.st_ino;
	}
	if (listen(c->fd, SOMAXCONN) != 0) {
		seterr(err, cap, "control socket %s: listen: %s", path, strerror(errno));
		goto fail;
	}
	if ((c->timer.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0) {
		seterr(err, cap, "control socket %s: timerfd: %s", path, strerror(errno));
		goto fail;
	}
	c->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC); /* best effort */
	if (loop_add(epfd, c->fd, EPOLLIN, &c->h) != 0) {
		seterr(err, cap, "control socket %s: epoll: %s", path, strerror(errno));
		goto fail;
	}
	if (loop_add(epfd, c->timer.fd, EPOLLIN, &c->timer.h) != 0) {
		seterr(err, cap, "control socket %s: epoll: %s", path, strerror(errno));
		loop_del(epfd, c->fd);
		goto fail;
	}
	c->graveyard = retired;
	retired = NULL;
	return c;

fail:
	if (c->fd >= 0)
		close(c->fd);
	if (bound)
		unlink(path);
	if (c->timer.fd >= 0)
		close(c->timer.fd);
	if (c->spare_fd >= 0)
		close(c->spare_fd);
	free(c);
	return NULL;
}

void ctl_broadcast(struct ctl *c, const char *line, size_t len)
{
	char *copy = NULL;
	if (!c || !line || !len)
		return;
	bool nl = line[len - 1] == '\n';
	size_t body = nl ? len - 1 : len;
	if (!nl || !utf8_valid(line, body)) {
		/* Repair a copy: valid UTF-8 and the final newline. */
		if (len > CTL_OUTPUT_MAX || !(copy = malloc(body + 1)))
			return;
		memcpy(copy, line, body);
		utf8_repair(copy, body);
		copy[body] = '\n';
		line = copy;
		len = body + 1;
	}
	for (unsigned i = 0; i < CTL_CLIENTS_MAX; i++) {
		struct ctl_client *cl = &c->clients[i];
		if (cl->st != CL_MONITOR)
			continue;
		size_t sent = 0;
		bool failed = false;
		while (!pending(cl) && sent < len) {
			ssize_t n = send(cl->fd, line + sent, len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n > 0)
				sent += (size_t)n;
			else if (n < 0 && errno == EINTR)
				continue;
			else {
				failed = !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
				break;
			}
		}
		if (failed) {
			client_close(cl, false);
			continue;
		}
		if (sent < len) {
			/* A client that does not keep up is dropped past CTL_OUTPUT_MAX. */
			if (!out_append(cl, line + sent, len - sent) || !client_update(cl))
				client_close(cl, false);
		}
	}
	free(copy);
}

void ctl_close(struct ctl *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < CTL_CLIENTS_MAX; i++)
		client_close(&c->clients[i], false);
	if (c->fd >= 0) {
		loop_del(c->epfd, c->fd);
		close(c->fd);
	}
	if (c->timer.fd >= 0) {
		loop_del(c->epfd, c->timer.fd);
		close(c->timer.fd);
	}
	if (c->spare_fd >= 0)
		close(c->spare_fd);
	c->fd = c->timer.fd = c->spare_fd = -1;
	/* Remove the socket file, unless somebody has replaced it since. */
	struct stat st;
	if (c->have_ino && lstat(c->path, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino)
		unlink(c->path);
	/* Retire it, with those it had not freed yet (see the top of this file). */
	while (c->graveyard) {
		struct ctl *old = c->graveyard;
		c->graveyard = old->next_retired;
		old->next_retired = retired;
		retired = old;
	}
	c->next_retired = retired;
	retired = c;
}
