/*
 * lsoectl: ask lsoed over its control socket (ctl.h) and show the answer.
 *
 *   lsoectl [-s PATH] show neighbors|links|bgp|interfaces|statistics|config [--json]
 *   lsoectl [-s PATH] show statistics --openmetrics
 *   lsoectl [-s PATH] show topology [--dot|--json]
 *   lsoectl [-s PATH] monitor [--json]
 *
 * Human output is laid out like lldpcli's; --json prints the daemon's JSON as it
 * came (one object; for monitor one line per event, flushed per line); --openmetrics
 * prints the statistics, sessions and BGP-LS peers as Prometheus metrics (openmetrics.h). Whatever
 * the daemon sends is checked before use: at most CTL_OUTPUT_MAX octets a line,
 * valid JSON of bounded depth, the expected shape; every string shown on the
 * terminal has its control characters replaced.
 *
 * Exit status: 0 success; 1 the daemon answered an error, or something that is not
 * a valid answer, or nothing within 5 s; 2 bad usage, or the socket cannot be reached.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "json_read.h"
#include "ctl.h"
#include "lsoe/config.h"
#include "openmetrics.h"

#define DEFAULT_SOCKET "/run/lsoed.sock"
#define ANSWER_TIMEOUT_MS 5000
#define JSON_DEPTH_MAX 32
#define RULE "-------------------------------------------------------------------------------"
#define WIDTH 79

static const char *prog = "lsoectl";
static const char *sock_path = DEFAULT_SOCKET;

static const struct {
	const char *key, *label;
} encap_types[] = {
	{"IPV4_ENCAP", "IPv4"},
	{"IPV6_ENCAP", "IPv6"},
	{"MPLS_IPV4_ENCAP", "MPLS-IPv4"},
	{"MPLS_IPV6_ENCAP", "MPLS-IPv6"},
};
#define N_ENCAP_TYPES (sizeof(encap_types) / sizeof(encap_types[0]))

/* ---- messages and exits ---- */

static void usage(FILE *f)
{
	fprintf(f,
	    "usage: %s [-s PATH] COMMAND [--json]\n"
	    "\n"
	    "commands:\n"
	    "  show neighbors        the LSOE sessions and what each peer announced\n"
	    "  show links            address pairs in one subnet, per peer and type\n"
	    "  show bgp              the BGP-LS export: each peer's session and counters\n"
	    "  show interfaces       the ports, their state and what we announce\n"
	    "  show statistics       counters of the node, of every port and of BGP-LS\n"
	    "                        (--openmetrics: with sessions and BGP-LS peers, as metrics\n"
	    "                        for Prometheus' node_exporter textfile collector)\n"
	    "  show config           the running configuration, as an INI file\n"
	    "  show topology [--dot] this node and its neighbours (--dot: Graphviz)\n"
	    "  monitor               one line per event until interrupted\n"
	    "\n"
	    "options:\n"
	    "  -s, --socket PATH     the control socket (default " DEFAULT_SOCKET ")\n"
	    "  --json                print lsoed's JSON as it is\n"
	    "  -h, --help            this help\n"
	    "\n"
	    "exit status: 0 success, 1 lsoed answered an error (or garbage), 2 bad usage or no lsoed\n",
	    prog);
}

static void fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void fail(int status, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static void bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void bad_usage(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(try '%s --help')\n", prog);
	exit(2);
}

/* stdout failed: a closed pipe (| head) is a normal end; anything else is an error. */
static void check_stdout(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return;
	if (errno == EPIPE)
		exit(0);
	fail(1, "writing the output: %s", strerror(errno));
}

/* ---- safe text ---- */

/*
 * s with every control character (C0, DEL, and C1 as UTF-8) replaced by '?',
 * truncated to fit; in one of a few rotating buffers, so that several can be
 * used in one printf.
 */
static const char *safe(const char *s)
{
	static char ring[8][2048];
	static unsigned next;
	char *out = ring[next++ % 8];
	size_t o = 0, cap = sizeof(ring[0]);
	if (!s)
		s = "";
	for (const unsigned char *p = (const unsigned char *)s; *p && o + 4 < cap; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			out[o++] = '?';
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			out[o++] = '?';
			p++;
		} else {
			out[o++] = (char)*p;
		}
	}
	out[o] = '\0';
	return out;
}

/* ---- JSON access: everything the daemon sent may be missing or of another type ---- */


/* A string member, or dflt. */
static const char *jstr(yajl_val obj, const char *key, const char *dflt)
{
	yajl_val v = lsoe_json_member(obj, key);
	return YAJL_IS_STRING(v) ? v->u.string : dflt;
}

/* A number member as its JSON text (exact, whatever its size), or dflt. */
static const char *jnum(yajl_val obj, const char *key, const char *dflt)
{
	yajl_val v = lsoe_json_member(obj, key);
	return YAJL_IS_NUMBER(v) && v->u.number.r ? v->u.number.r : dflt;
}

static bool jtrue(yajl_val obj, const char *key)
{
	return YAJL_IS_TRUE(lsoe_json_member(obj, key));
}

static yajl_val jarr(yajl_val obj, const char *key)
{
	yajl_val v = lsoe_json_member(obj, key);
	return YAJL_IS_ARRAY(v) ? v : NULL;
}

static size_t alen(yajl_val a)
{
	return YAJL_IS_ARRAY(a) ? a->u.array.len : 0;
}

static yajl_val aget(yajl_val a, size_t i)
{
	return YAJL_IS_ARRAY(a) && i < a->u.array.len ? a->u.array.values[i] : NULL;
}

/* A number's text is "0" (or "0.000...")? Any other text, or not a number, is not zero. */
static bool num_is_zero(const char *t)
{
	if (!t || !*t)
		return false;
	for (; *t; t++)
		if (*t != '0' && *t != '.')
			return false;
	return true;
}

/* Whole seconds of a seconds text ("312.000000000"); 0 if it is not one. */
static uint64_t seconds_of(const char *t)
{
	uint64_t s = 0;
	if (!t)
		return 0;
	for (; *t >= '0' && *t <= '9'; t++) {
		if (s > UINT64_MAX / 10 - 1)
			return UINT64_MAX / 10;
		s = s * 10 + (uint64_t)(*t - '0');
	}
	return s;
}

/*
 * Parse one answer line: no NUL, nesting within JSON_DEPTH_MAX (yajl frees a tree
 * recursively), an object. NULL with why set otherwise. text must end in a NUL.
 */
static yajl_val parse_answer(const char *text, size_t len, char *why, size_t cap)
{
	if (memchr(text, '\0', len)) {
		snprintf(why, cap, "it contains a NUL octet");
		return NULL;
	}
	int depth = 0;
	bool str = false, esc = false;
	for (size_t i = 0; i < len; i++) {
		char ch = text[i];
		if (str) {
			if (esc)
				esc = false;
			else if (ch == '\\')
				esc = true;
			else if (ch == '"')
				str = false;
		} else if (ch == '"') {
			str = true;
		} else if (ch == '[' || ch == '{') {
			if (++depth > JSON_DEPTH_MAX) {
				snprintf(why, cap, "it is nested deeper than %d", JSON_DEPTH_MAX);
				return NULL;
			}
		} else if (ch == ']' || ch == '}') {
			depth--;
		}
	}
	char err[256] = "";
	yajl_val v = yajl_tree_parse(text, err, sizeof(err));
	if (!v) {
		char *nl = strchr(err, '\n');
		if (nl)
			*nl = '\0';
		snprintf(why, cap, "it is not JSON (%s)", err[0] ? safe(err) : "parse error");
		return NULL;
	}
	if (!YAJL_IS_OBJECT(v)) {
		yajl_tree_free(v);
		snprintf(why, cap, "it is not a JSON object");
		return NULL;
	}
	return v;
}

/* ---- the connection ---- */

static int connect_daemon(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n = strlen(sock_path);
	if (n == 0)
		fail(2, "empty socket path");
	if (n >= sizeof(sa.sun_path))
		fail(2, "%s: socket path too long (at most %zu octets)", safe(sock_path), sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, sock_path, n + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fail(2, "socket: %s", strerror(errno));
	/* Bounds connect (a full backlog) and the request. */
	struct timeval tv = {.tv_sec = ANSWER_TIMEOUT_MS / 1000};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;
		const char *hint = "";
		switch (e) {
		case ENOENT:
			hint = " (lsoed does not seem to be running: there is no socket)";
			break;
		case ECONNREFUSED:
			hint = " (lsoed does not seem to be running: nobody listens on the socket)";
			break;
		case EACCES:
		case EPERM:
			hint = " (permission denied: run as root or as a member of the socket's group)";
			break;
		case ENOTDIR:
		case ENOTSOCK:
			hint = " (not a control socket)";
			break;
		case EAGAIN:
		case ETIMEDOUT:
			hint = " (lsoed does not accept connections: busy or hung)";
			break;
		default:
			break;
		}
		fail(2, "cannot connect to %s: %s%s", safe(sock_path), strerror(e), hint);
	}
	return fd;
}

static void send_request(int fd, const char *req)
{
	size_t len = strlen(req), off = 0;
	while (off < len) {
		ssize_t n = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (n > 0)
			off += (size_t)n;
		else if (n < 0 && errno == EINTR)
			continue;
		else
			fail(1, "%s: cannot send the request: %s", safe(sock_path), n < 0 ? strerror(errno) : "nothing sent");
	}
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * Lines from the daemon. Keeps at most CTL_OUTPUT_MAX + 1 octets of one line.
 */
struct reader {
	int fd;
	char *buf;
	size_t start, len, cap;
	bool eof;
};

/*
 * The next line (without its '\n', NUL-terminated in place) into *line, *n.
 * Returns 1 for a line, 0 at the end (a last line without '\n' counts as a
 * line), -1 on a timeout (timeout_ms >= 0 since the call), and exits on errors.
 */
static int read_line(struct reader *r, int timeout_ms, char **line, size_t *n)
{
	uint64_t deadline = timeout_ms >= 0 ? mono_ms() + (uint64_t)timeout_ms : 0;
	for (;;) {
		char *nl = r->len > r->start ? memchr(r->buf + r->start, '\n', r->len - r->start) : NULL;
		if (nl || (r->eof && r->len > r->start)) {
			size_t end = nl ? (size_t)(nl - r->buf) : r->len;
			*line = r->buf + r->start;
			*n = end - r->start;
			r->buf[end] = '\0'; /* room: cap is always len + 1 at least */
			r->start = nl ? end + 1 : end;
			return 1;
		}
		if (r->eof)
			return 0;
		if (r->len - r->start > CTL_OUTPUT_MAX)
			fail(1, "%s: the answer is longer than %u octets without a newline", safe(sock_path),
			    (unsigned)CTL_OUTPUT_MAX);
		if (r->start && r->start == r->len)
			r->start = r->len = 0;
		if (r->start > 0 && r->cap - r->len < 4097) {
			memmove(r->buf, r->buf + r->start, r->len - r->start);
			r->len -= r->start;
			r->start = 0;
		}
		if (r->cap - r->len < 4097) {
			size_t cap = r->cap ? r->cap * 2 : 65536;
			char *b = realloc(r->buf, cap);
			if (!b)
				fail(1, "out of memory");
			r->buf = b;
			r->cap = cap;
		}
		int wait = -1;
		if (timeout_ms >= 0) {
			uint64_t now = mono_ms();
			if (now >= deadline)
				return -1;
			wait = (int)(deadline - now);
		}
		struct pollfd p = {.fd = r->fd, .events = POLLIN};
		int pr = poll(&p, 1, wait);
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			fail(1, "poll: %s", strerror(errno));
		}
		if (pr == 0)
			return -1;
		ssize_t got = recv(r->fd, r->buf + r->len, r->cap - r->len - 1, 0);
		if (got > 0) {
			r->len += (size_t)got;
		} else if (got == 0) {
			r->eof = true;
		} else if (errno == EINTR || errno == EAGAIN) {
			continue;
		} else if (errno == ECONNRESET && r->len > r->start) {
			r->eof = true; /* it answered, then closed without reading all we sent */
		} else {
			fail(1, "%s: reading the answer: %s", safe(sock_path), strerror(errno));
		}
	}
}

/*
 * Ask, and return the first line of the answer (parsed; raw text in *raw, *rawlen),
 * waiting for it at most timeout_ms (-1: for ever). Exits on every failure.
 */
static yajl_val ask(const char *request, int timeout_ms, char **raw, size_t *rawlen, struct reader *r)
{
	int fd = connect_daemon();
	char req[64];
	char *line;
	size_t n;
	char why[512];

	snprintf(req, sizeof(req), "%s\n", request);
	send_request(fd, req);
	*r = (struct reader){.fd = fd};
	int got = read_line(r, timeout_ms, &line, &n);
	if (got < 0)
		fail(1, "%s: no answer from lsoed within %d s", safe(sock_path), timeout_ms / 1000);
	if (got == 0)
		fail(1, "%s: lsoed closed the connection without answering", safe(sock_path));
	yajl_val v = parse_answer(line, n, why, sizeof(why));
	if (!v)
		fail(1, "%s: lsoed's answer is not valid: %s", safe(sock_path), why);
	*raw = line;
	*rawlen = n;
	return v;
}

/* An {"error": ...} answer (one without "event", so that an error event is not taken for one). */
static void check_error(yajl_val v, const char *raw, size_t rawlen, bool json)
{
	const char *e = jstr(v, "error", NULL);
	if (!e || lsoe_json_member(v, "event"))
		return;
	if (json) {
		fwrite(raw, 1, rawlen, stdout);
		fputc('\n', stdout);
	}
	fail(1, "lsoed: %s", safe(e));
}

static void unexpected(const char *what) __attribute__((noreturn));
static void unexpected(const char *what)
{
	fail(1, "%s: unexpected answer from lsoed: %s", safe(sock_path), what);
}

/* ---- common rendering ---- */

/* The type's place in encap_types ("IPV4_ENCAP" is 0); N_ENCAP_TYPES if unknown. */
static size_t type_rank(const char *type)
{
	for (size_t t = 0; t < N_ENCAP_TYPES; t++)
		if (strcmp(type, encap_types[t].key) == 0)
			return t;
	return N_ENCAP_TYPES;
}

/* "IPv4" for "IPV4_ENCAP"; another name as it came (made safe). */
static const char *encap_label(const char *type)
{
	size_t t = type_rank(type);
	return t < N_ENCAP_TYPES ? encap_types[t].label : safe(type);
}

static void header(const char *title)
{
	printf("%s\n%s\n%s\n", RULE, title, RULE);
}

/* "0 day, 00:05:12" */
static const char *duration(uint64_t s)
{
	static char buf[64];
	uint64_t d = s / 86400;
	snprintf(buf, sizeof(buf), "%" PRIu64 " day%s, %02u:%02u:%02u", d, d > 1 ? "s" : "", (unsigned)(s % 86400 / 3600),
	    (unsigned)(s % 3600 / 60), (unsigned)(s % 60));
	return buf;
}

/* One encapsulation entry: "192.0.2.0/31 (primary)", "10.0.0.1/32 label 16/17 (loopback)". */
static void entry_text(char *out, size_t cap, yajl_val e)
{
	size_t o = 0;
	int w;
	const char *addr = jstr(e, "address", "?");
	const char *plen = jnum(e, "prefix_len", "?");
	w = snprintf(out, cap, "%s/%s", safe(addr), safe(plen));
	o = w > 0 && (size_t)w < cap ? (size_t)w : cap - 1;
	yajl_val labels = jarr(e, "labels");
	for (size_t i = 0; i < alen(labels) && o < cap - 1; i++) {
		yajl_val lab = aget(labels, i);
		w = snprintf(out + o, cap - o, "%s%s", i ? "/" : " label ", YAJL_IS_NUMBER(lab) ? safe(lab->u.number.r) : "?");
		o = w > 0 && (size_t)w < cap - o ? o + (size_t)w : cap - 1;
	}
	bool primary = jtrue(e, "primary"), loopback = jtrue(e, "loopback");
	if ((primary || loopback) && o < cap - 1) {
		w = snprintf(out + o, cap - o, " (%s%s%s)", primary ? "primary" : "", primary && loopback ? ", " : "",
		    loopback ? "loopback" : "");
		(void)w;
	}
}

/* "    IPv4:         " (the label column, 14 wide); returns the column the value starts at. */
static int print_label(const char *indent, const char *label)
{
	char lead[64];
	int col = snprintf(lead, sizeof(lead), "%s%-14s", indent, label);
	if (col < 0 || (size_t)col >= sizeof(lead))
		col = (int)sizeof(lead) - 1;
	fputs(lead, stdout);
	return col;
}

/* "    IPv4:         a, b, c": n entries, wrapped at WIDTH columns under the first one. */
static void print_items(const char *indent, const char *label, const yajl_val *items, size_t n, const char *empty)
{
	char item[512];
	int col = print_label(indent, label);
	if (!n) {
		printf("%s\n", empty);
		return;
	}
	int at = col;
	for (size_t i = 0; i < n; i++) {
		entry_text(item, sizeof(item), items[i]);
		int l = (int)strlen(item) + (i + 1 < n ? 1 : 0);
		if (i && at + 1 + l > WIDTH) {
			printf("\n%*s", col, "");
			at = col;
		} else if (i) {
			putchar(' ');
			at++;
		}
		printf("%s%s", item, i + 1 < n ? "," : "");
		at += l;
	}
	putchar('\n');
}

static void print_list(const char *indent, const char *label, yajl_val list, const char *empty)
{
	print_items(indent, label, alen(list) ? list->u.array.values : NULL, alen(list), empty);
}

static void print_kv(const char *indent, const char *label, const char *value)
{
	char k[64];
	snprintf(k, sizeof(k), "%s:", label);
	printf("%s%-14s%s\n", indent, k, value);
}

static const char *attributes_text(yajl_val attrs)
{
	static char buf[1024];
	size_t o = 0;
	if (!alen(attrs))
		return "(none)";
	buf[0] = '\0';
	for (size_t i = 0; i < alen(attrs) && o + 8 < sizeof(buf); i++) {
		yajl_val a = aget(attrs, i);
		int w = snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? ", " : "",
		    YAJL_IS_NUMBER(a) ? safe(a->u.number.r) : "?");
		if (w < 0 || (size_t)w >= sizeof(buf) - o)
			break;
		o += (size_t)w;
	}
	return buf;
}

static bool session_held(yajl_val s)
{
	const char *st = jstr(s, "state", "");
	return jtrue(s, "held") || strcmp(st, "hold") == 0;
}

/* ---- show neighbors ---- */

/*
 * The peer's loopbacks (its own addresses, not link addresses), one line per type:
 * the daemon lists them in type order, so each run of one type is one line.
 */
static void print_loopbacks(yajl_val list)
{
	size_t n = alen(list);
	if (!n) {
		print_kv("  ", "Loopbacks", "(none)");
		return;
	}
	printf("  Loopbacks:\n");
	for (size_t i = 0, end; i < n; i = end) {
		const char *type = jstr(aget(list, i), "type", "?");
		for (end = i + 1; end < n && strcmp(jstr(aget(list, end), "type", "?"), type) == 0; end++)
			;
		char label[64];
		snprintf(label, sizeof(label), "%s:", encap_label(type));
		print_items("    ", label, &list->u.array.values[i], end - i, "(none)");
	}
}

static void print_neighbor(yajl_val s)
{
	const char *state = jstr(s, "state", "?");
	bool est = strcmp(state, "established") == 0;
	char line[256];
	const char *id = jstr(s, "peer_id", "");

	if (est)
		printf("Interface:    %s, via: LSOE, Time: %s\n", safe(jstr(s, "port", "?")),
		    duration(seconds_of(jnum(s, "uptime", "0"))));
	else
		printf("Interface:    %s, via: LSOE, Time: not established\n", safe(jstr(s, "port", "?")));
	printf("  Peer:\n");
	print_kv("    ", "MAC", safe(jstr(s, "peer_mac", "?")));
	print_kv("    ", "ID", *id ? safe(id) : "(not known yet)");
	if (session_held(s))
		print_kv("    ", "State", "held (hopeless error; no automatic restart)");
	else
		print_kv("    ", "State", safe(state));
	print_kv("    ", "Attributes", attributes_text(jarr(s, "attributes")));
	snprintf(line, sizeof(line), "ours %s, peer %s", safe(jstr(s, "our_nonce", "?")),
	    safe(jstr(s, "peer_nonce", "?")));
	print_kv("    ", "Nonces", line);
	print_kv("    ", "Retransmits", safe(jnum(s, "retransmits", "?")));
	printf("  Encapsulations:\n");
	yajl_val enc = lsoe_json_member(s, "encaps");
	for (size_t t = 0; t < N_ENCAP_TYPES; t++) {
		char label[32];
		snprintf(label, sizeof(label), "%s:", encap_types[t].label);
		print_list("    ", label, jarr(enc, encap_types[t].key), "(none)");
	}
	print_loopbacks(jarr(s, "loopbacks"));
}

static void show_neighbors(yajl_val v)
{
	yajl_val list = jarr(v, "neighbors");
	if (!list)
		unexpected("no \"neighbors\" list");
	header("LSOE neighbors:");
	for (size_t i = 0; i < alen(list); i++) {
		print_neighbor(aget(list, i));
		printf("%s\n", RULE);
	}
}

/* ---- show links ---- */

/* One line of the text: a pair, or a type whose addresses agree nowhere. */
struct link_row {
	const char *port, *peer_mac, *type;
	size_t rank;                 /* the type's place in encap_types; N_ENCAP_TYPES if unknown */
	size_t order;                /* its place in the answer: pairs keep the daemon's order */
	bool incompatible;
	yajl_val v;
};

/* Blocks by port and peer, then types in their usual order, pairs before "no common subnet". */
static int link_row_cmp(const void *pa, const void *pb)
{
	const struct link_row *a = pa, *b = pb;
	int c = strcmp(a->port, b->port);
	if (!c)
		c = strcmp(a->peer_mac, b->peer_mac);
	if (!c && a->rank != b->rank)
		c = a->rank < b->rank ? -1 : 1;
	if (!c)
		c = strcmp(a->type, b->type);
	if (!c && a->incompatible != b->incompatible)
		c = a->incompatible ? 1 : -1;
	if (!c && a->order != b->order)
		c = a->order < b->order ? -1 : 1;
	return c;
}

/* "local <-> peer" at column col, the peer on a line of its own when both do not fit. */
static void print_pair(int col, yajl_val row)
{
	char local[512], peer[512];
	entry_text(local, sizeof(local), lsoe_json_member(row, "local"));
	entry_text(peer, sizeof(peer), lsoe_json_member(row, "peer"));
	if (col + strlen(local) + 5 + strlen(peer) <= WIDTH)
		printf("%s <-> %s\n", local, peer);
	else
		printf("%s\n%*s<-> %s\n", local, col, "", peer);
}

static void print_link_block(const struct link_row *r, const char *local_id)
{
	const char *id = jstr(r->v, "peer_id", "");
	printf("Interface:    %s, via: LSOE\n", safe(r->port));
	printf("  Peer:\n");
	print_kv("    ", "MAC", safe(r->peer_mac));
	print_kv("    ", "ID", *id ? safe(id) : "(not known)");
	if (local_id)
		print_kv("  ", "Local ID", safe(local_id));
	printf("  Links:\n");
}

static void show_links(yajl_val v)
{
	yajl_val links = jarr(v, "links"), incompat = jarr(v, "incompatible");
	if (!links)
		unexpected("no \"links\" list");
	size_t n = alen(links) + alen(incompat);
	struct link_row *rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows)
		fail(1, "out of memory");
	const char *local_id = NULL; /* ours: the same in every pair */
	for (size_t i = 0; i < n; i++) {
		bool inc = i >= alen(links);
		yajl_val e = inc ? aget(incompat, i - alen(links)) : aget(links, i);
		const char *type = jstr(e, "type", "?");
		rows[i] = (struct link_row){.port = jstr(e, "port", "?"), .peer_mac = jstr(e, "peer_mac", "?"), .type = type,
		    .rank = type_rank(type), .order = i, .incompatible = inc, .v = e};
		if (!local_id && !inc)
			local_id = jstr(e, "local_id", NULL);
	}
	qsort(rows, n, sizeof(*rows), link_row_cmp);
	header("LSOE links:");
	if (!n)
		printf("(none)\n%s\n", RULE);
	for (size_t i = 0; i < n; i++) {
		const struct link_row *r = &rows[i], *prev = i ? &rows[i - 1] : NULL;
		bool block = !prev || strcmp(prev->port, r->port) != 0 || strcmp(prev->peer_mac, r->peer_mac) != 0;
		if (block)
			print_link_block(r, local_id);
		char label[64];
		snprintf(label, sizeof(label), "%s:", encap_label(r->type));
		bool first_of_type = block || prev->rank != r->rank || strcmp(prev->type, r->type) != 0;
		int col = print_label("    ", first_of_type ? label : "");
		if (r->incompatible)
			printf("no common subnet\n");
		else
			print_pair(col, r->v);
		if (i + 1 == n || strcmp(rows[i + 1].port, r->port) != 0 || strcmp(rows[i + 1].peer_mac, r->peer_mac) != 0)
			printf("%s\n", RULE);
	}
	free(rows);
}

/* ---- show bgp ---- */

/* "12.5" for a seconds text ("12.500000000"); NULL if it is not a finite number >= 0. */
static const char *seconds_text(const char *t)
{
	static char buf[64];
	if (!t)
		return NULL;
	char *end;
	double d = strtod(t, &end);
	if (end == t || *end || !isfinite(d) || d < 0 || d >= 1e15)
		return NULL;
	snprintf(buf, sizeof(buf), "%.1f", d);
	return buf;
}

/*
 * One peer of the BGP-LS export:
 *   Peer: 127.0.0.1:1790
 *     State:        established, up 12.5 s
 *     AS:           local 65000, peer 65000 (iBGP), SAFI 71
 *     ...
 */
static void print_bgp_peer(yajl_val p)
{
	char line[512];
	const char *state = jstr(p, "state", "?");
	bool est = strcmp(state, "established") == 0;
	printf("Peer: %s\n", safe(jstr(p, "peer", "?")));
	const char *up = est ? seconds_text(jnum(p, "uptime", NULL)) : NULL;
	if (est)
		snprintf(line, sizeof(line), "established, up %s s", up ? up : "?");
	else
		snprintf(line, sizeof(line), "%s", safe(state));
	print_kv("  ", "State", line);
	const char *las = jnum(p, "local_as", NULL), *pas = jnum(p, "peer_as", NULL);
	snprintf(line, sizeof(line), "local %s, peer %s%s, SAFI %s", las ? safe(las) : "?", pas ? safe(pas) : "?",
	    !las || !pas ? "" : strcmp(las, pas) == 0 ? " (iBGP)" : " (eBGP)", safe(jnum(p, "safi", "?")));
	print_kv("  ", "AS", line);
	const char *rid = jstr(p, "router_id", NULL);
	print_kv("  ", "Router-ID", !rid ? "?" : *rid ? safe(rid) : "(not known yet)");
	const char *hold = jnum(p, "hold_time", NULL);
	if (!est && (!hold || num_is_zero(hold)))
		snprintf(line, sizeof(line), "(not negotiated yet)");
	else if (!hold)
		snprintf(line, sizeof(line), "?");
	else
		snprintf(line, sizeof(line), "%s s%s", safe(hold), num_is_zero(hold) ? " (no keepalives)" : "");
	print_kv("  ", "Hold time", line);
	snprintf(line, sizeof(line), "%s advertised", safe(jnum(p, "links_advertised", "?")));
	print_kv("  ", "Links", line);
	snprintf(line, sizeof(line), "%s updates, %s withdrawals, %s notifications", safe(jnum(p, "updates_sent", "?")),
	    safe(jnum(p, "withdrawals_sent", "?")), safe(jnum(p, "notifications_sent", "?")));
	print_kv("  ", "Sent", line);
	snprintf(line, sizeof(line), "%s notifications", safe(jnum(p, "notifications_received", "?")));
	print_kv("  ", "Received", line);
	print_kv("  ", "Connects", safe(jnum(p, "connects", "?")));
	const char *e = jstr(p, "last_error", NULL);
	print_kv("  ", "Last error", !e ? "?" : *e ? safe(e) : "(none)");
}

static void show_bgp(yajl_val v)
{
	yajl_val list = jarr(v, "peers");
	if (!list)
		unexpected("no \"peers\" list");
	header("BGP-LS peers:");
	if (!alen(list))
		printf("No BGP-LS peer configured.\n%s\n", RULE);
	for (size_t i = 0; i < alen(list); i++) {
		print_bgp_peer(aget(list, i));
		printf("%s\n", RULE);
	}
}

/* ---- show interfaces ---- */

static bool has_type(yajl_val port, const char *type)
{
	yajl_val t = jarr(port, "encap_types");
	for (size_t i = 0; i < alen(t); i++)
		if (YAJL_IS_STRING(aget(t, i)) && strcmp(aget(t, i)->u.string, type) == 0)
			return true;
	return false;
}

static void show_interfaces(yajl_val v)
{
	yajl_val list = jarr(v, "interfaces");
	if (!list)
		unexpected("no \"interfaces\" list");
	header("LSOE interfaces:");
	for (size_t i = 0; i < alen(list); i++) {
		yajl_val p = aget(list, i);
		char line[256];
		printf("Interface:    %s, ifindex: %s\n", safe(jstr(p, "port", "?")),
		    safe(jnum(p, "ifindex", jnum(p, "port_id", "?"))));
		print_kv("  ", "MAC", safe(jstr(p, "mac", "?")));
		snprintf(line, sizeof(line), "%s%s", jtrue(p, "up") ? "up" : "down", jtrue(p, "loopback") ? ", loopback" : "");
		print_kv("  ", "State", line);
		print_kv("  ", "MTU", safe(jnum(p, "mtu", "?")));
		print_kv("  ", "Sessions", safe(jnum(p, "sessions", "?")));
		yajl_val c = lsoe_json_member(p, "counters");
		if (YAJL_IS_OBJECT(c)) {
			snprintf(line, sizeof(line), "rx %s frames, tx %s frames, %s dropped", safe(jnum(c, "rx_frames", "?")),
			    safe(jnum(c, "tx_frames", "?")), safe(jnum(c, "rx_dropped", "?")));
			print_kv("  ", "Traffic", line);
		}
		/* Lists too long for one PDU: what is left out now, and how often a cut happened. */
		yajl_val left = lsoe_json_member(p, "left_out");
		const char *cuts = YAJL_IS_OBJECT(c) ? jnum(c, "encaps_truncated", NULL) : NULL;
		size_t used = 0;
		line[0] = '\0';
		for (size_t t = 0; t < N_ENCAP_TYPES && used < sizeof(line); t++) {
			const char *k = jnum(left, encap_types[t].key, NULL);
			if (k && !num_is_zero(k))
				used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s %s", used ? ", " : "", safe(k),
				    encap_types[t].label);
		}
		if (used || (cuts && !num_is_zero(cuts))) {
			char cut_line[320];
			snprintf(cut_line, sizeof(cut_line), "%s (lists cut to fit one PDU: encaps_truncated %s)",
			    used ? line : "none", cuts ? safe(cuts) : "?");
			print_kv("  ", "Left out", cut_line);
		}
		printf("  Announced:\n");
		yajl_val ann = lsoe_json_member(p, "announced");
		for (size_t t = 0; t < N_ENCAP_TYPES; t++) {
			char label[32];
			snprintf(label, sizeof(label), "%s:", encap_types[t].label);
			yajl_val l = jarr(ann, encap_types[t].key);
			print_list("    ", label, l, l || has_type(p, encap_types[t].key) ? "(none)" : "(not advertised)");
		}
		printf("%s\n", RULE);
	}
}

/* ---- show statistics ---- */

static void print_counters(yajl_val c, const char *indent)
{
	if (!YAJL_IS_OBJECT(c)) {
		printf("%s(no counters)\n", indent);
		return;
	}
	/* The scalar counters, every one, in the daemon's order. */
	for (size_t i = 0; i < c->u.object.len; i++) {
		yajl_val x = c->u.object.values[i];
		if (YAJL_IS_NUMBER(x))
			printf("%s%-24s %s\n", indent, safe(c->u.object.keys[i]), safe(x->u.number.r));
	}
	/* Per-reason maps (rx_errors, sessions_down, ...): the non-zero ones. */
	for (size_t i = 0; i < c->u.object.len; i++) {
		const char *k = c->u.object.keys[i];
		yajl_val m = c->u.object.values[i];
		if (!YAJL_IS_OBJECT(m) || strcmp(k, "rx_by_type") == 0 || strcmp(k, "tx_by_type") == 0)
			continue;
		bool any = false;
		for (size_t j = 0; j < m->u.object.len; j++) {
			yajl_val x = m->u.object.values[j];
			if (!YAJL_IS_NUMBER(x) || num_is_zero(x->u.number.r))
				continue;
			if (!any)
				printf("%s%s:\n", indent, safe(k));
			any = true;
			printf("%s  %-22s %s\n", indent, safe(m->u.object.keys[j]), safe(x->u.number.r));
		}
		if (!any) {
			char kk[64];
			snprintf(kk, sizeof(kk), "%s:", safe(k));
			printf("%s%-24s (none)\n", indent, kk);
		}
	}
	/* PDUs by type, received and sent side by side: the types with any. */
	yajl_val rx = lsoe_json_member(c, "rx_by_type"), tx = lsoe_json_member(c, "tx_by_type");
	if (YAJL_IS_OBJECT(rx) || YAJL_IS_OBJECT(tx)) {
		yajl_val keys = YAJL_IS_OBJECT(rx) ? rx : tx;
		bool any = false;
		for (size_t j = 0; j < keys->u.object.len; j++) {
			const char *t = keys->u.object.keys[j];
			const char *r = jnum(rx, t, "0"), *s = jnum(tx, t, "0");
			if (num_is_zero(r) && num_is_zero(s))
				continue;
			if (!any)
				printf("%s%-24s %12s %12s\n", indent, "pdus_by_type:", "received", "sent");
			any = true;
			printf("%s  %-22s %12s %12s\n", indent, safe(t), safe(r), safe(s));
		}
		if (!any)
			printf("%s%-24s (none)\n", indent, "pdus_by_type:");
	}
}

/* A flat object of numbers under a title (nothing if it is missing). */
static void print_numbers(yajl_val o, const char *title)
{
	if (!YAJL_IS_OBJECT(o))
		return;
	printf("%s\n", title);
	for (size_t i = 0; i < o->u.object.len; i++)
		if (YAJL_IS_NUMBER(o->u.object.values[i]))
			printf("  %-24s %s\n", safe(o->u.object.keys[i]), safe(o->u.object.values[i]->u.number.r));
}

static void show_statistics(yajl_val v)
{
	char title[256];
	yajl_val counters = lsoe_json_member(v, "counters");
	if (!YAJL_IS_OBJECT(counters))
		unexpected("no \"counters\" object");
	snprintf(title, sizeof(title), "LSOE statistics: node %s", safe(jstr(v, "node", "?")));
	header(title);
	printf("Node:\n");
	print_counters(counters, "  ");
	print_numbers(lsoe_json_member(v, "memory"), "Memory:");
	print_numbers(lsoe_json_member(v, "daemon"), "Daemon:");
	yajl_val bgp = lsoe_json_member(v, "bgp"); /* only when a bgp-ls-peer is configured */
	if (YAJL_IS_OBJECT(bgp)) {
		printf("BGP-LS export:\n");
		print_counters(bgp, "  ");
	}
	printf("%s\n", RULE);
	yajl_val ifs = jarr(v, "interfaces");
	for (size_t i = 0; i < alen(ifs); i++) {
		yajl_val p = aget(ifs, i);
		printf("Interface:    %s\n", safe(jstr(p, "port", "?")));
		print_counters(lsoe_json_member(p, "counters"), "  ");
		printf("%s\n", RULE);
	}
}

/* ---- show statistics --openmetrics ---- */

/*
 * One more answer for the metrics: NULL (and a note on stderr) when the daemon
 * answers an error, so that its families are left out rather than the whole.
 */
static yajl_val ask_optional(const char *request)
{
	struct reader r;
	char *raw;
	size_t rawlen;
	yajl_val v = ask(request, ANSWER_TIMEOUT_MS, &raw, &rawlen, &r);
	free(r.buf);
	close(r.fd);
	const char *e = jstr(v, "error", NULL);
	if (e) {
		fprintf(stderr, "%s: %s: lsoed: %s (its metrics are left out)\n", prog, request, safe(e));
		yajl_tree_free(v);
		return NULL;
	}
	return v;
}

/*
 * Three questions (statistics, neighbors, bgp), then the whole exposition at once:
 * nothing is printed unless every answer came, so that "> file.tmp && mv" replaces
 * a textfile collector's file with a complete one only.
 */
static int show_openmetrics(void)
{
	struct reader r;
	char *raw;
	size_t rawlen;
	yajl_val stats = ask("show statistics", ANSWER_TIMEOUT_MS, &raw, &rawlen, &r);
	check_error(stats, raw, rawlen, false);
	if (!YAJL_IS_OBJECT(lsoe_json_member(stats, "counters")))
		unexpected("no \"counters\" object");
	free(r.buf);
	close(r.fd);
	yajl_val neighbors = ask_optional("show neighbors");
	yajl_val bgp = ask_optional("show bgp");
	size_t len = 0;
	char *text = openmetrics_render(stats, neighbors, bgp, &len);
	if (!text)
		fail(1, "out of memory");
	fwrite(text, 1, len, stdout);
	check_stdout();
	free(text);
	yajl_tree_free(stats);
	yajl_tree_free(neighbors);
	yajl_tree_free(bgp);
	return 0;
}

/* ---- show config ---- */

static bool key_ok(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '-' || *k == '_'))
			return false;
	return true;
}

/* INI, loadable again: "[lsoed]" then "key = value" lines (aliases left out: their key is there). */
static void show_config(yajl_val v)
{
	yajl_val cfg = lsoe_json_member(v, "config");
	if (!YAJL_IS_OBJECT(cfg))
		unexpected("no \"config\" object");
	printf("[lsoed]\n");
	for (size_t i = 0; i < cfg->u.object.len; i++) {
		const char *k = cfg->u.object.keys[i];
		yajl_val x = cfg->u.object.values[i];
		const struct lsoe_config_key *ck = lsoe_config_key_find(k);
		if (!key_ok(k)) {
			printf("# a key lsoectl cannot write: %s\n", safe(k));
			continue;
		}
		if (ck && ck->alias_of)
			continue;
		const char *val = YAJL_IS_STRING(x) ? x->u.string : YAJL_IS_NUMBER(x) ? x->u.number.r
		                : YAJL_IS_TRUE(x) ? "yes" : YAJL_IS_FALSE(x) ? "no" : "";
		val = safe(val);
		printf("%s =%s%s\n", k, *val ? " " : "", val);
	}
}

/* ---- show topology ---- */

/* s escaped for a DOT double-quoted string. */
static const char *dot_esc(const char *s)
{
	static char ring[4][2048];
	static unsigned next;
	char *out = ring[next++ % 4];
	size_t o = 0;
	s = safe(s);
	for (; *s && o + 3 < sizeof(ring[0]); s++) {
		if (*s == '"' || *s == '\\')
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o] = '\0';
	return out;
}

static const char *session_colour(yajl_val s)
{
	if (session_held(s))
		return "red";
	return strcmp(jstr(s, "state", ""), "established") == 0 ? "green" : "orange";
}

/* The peer's node name in the graph: its ID, or its MAC while the ID is not known. */
static void peer_node(yajl_val s, char *out, size_t cap)
{
	const char *id = jstr(s, "peer_id", "");
	if (*id)
		snprintf(out, cap, "id %s", dot_esc(id));
	else
		snprintf(out, cap, "mac %s", dot_esc(jstr(s, "peer_mac", "?")));
}

static void show_topology_dot(yajl_val v, yajl_val list)
{
	const char *name = jstr(v, "node", "?"), *id = jstr(v, "local_id", "");
	printf("graph lsoe {\n");
	printf("\tgraph [label=\"LSOE topology of %s\", labelloc=t, fontname=\"monospace\"];\n", dot_esc(name));
	printf("\tnode [shape=box, fontname=\"monospace\"];\n");
	printf("\tedge [fontname=\"monospace\", fontsize=10];\n");
	printf("\t\"self\" [label=\"%s\\n%s\", style=bold];\n", dot_esc(name), *id ? dot_esc(id) : "(no local id)");
	/* Every peer once, however many sessions lead to it. */
	for (size_t i = 0; i < alen(list); i++) {
		char node[256], other[256];
		yajl_val s = aget(list, i);
		peer_node(s, node, sizeof(node));
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++) {
			peer_node(aget(list, j), other, sizeof(other));
			seen = strcmp(node, other) == 0;
		}
		if (seen)
			continue;
		const char *pid = jstr(s, "peer_id", "");
		if (*pid)
			printf("\t\"%s\" [label=\"%s\"];\n", node, dot_esc(pid));
		else
			printf("\t\"%s\" [label=\"ID not known\\n%s\", style=dashed];\n", node, dot_esc(jstr(s, "peer_mac", "?")));
	}
	/* One edge per session: port, peer MAC, state, the peer's addresses. */
	for (size_t i = 0; i < alen(list); i++) {
		char node[256];
		yajl_val s = aget(list, i);
		peer_node(s, node, sizeof(node));
		printf("\t\"self\" -- \"%s\" [label=\"%s\\n%s\\n%s", node, dot_esc(jstr(s, "port", "?")),
		    dot_esc(jstr(s, "peer_mac", "?")), session_held(s) ? "held" : dot_esc(jstr(s, "state", "?")));
		yajl_val enc = lsoe_json_member(s, "encaps");
		unsigned shown = 0, more = 0;
		for (size_t t = 0; t < N_ENCAP_TYPES; t++) {
			yajl_val l = jarr(enc, encap_types[t].key);
			for (size_t k = 0; k < alen(l); k++) {
				char item[512];
				if (shown == 6) {
					more++;
					continue;
				}
				entry_text(item, sizeof(item), aget(l, k));
				printf("\\n%s", dot_esc(item));
				shown++;
			}
		}
		if (more)
			printf("\\n(+%u more)", more);
		printf("\", color=%s, fontcolor=%s];\n", session_colour(s), session_colour(s));
	}
	printf("}\n");
}

static void show_topology(yajl_val v, bool dot)
{
	yajl_val list = jarr(v, "neighbors");
	if (!list)
		unexpected("no \"neighbors\" list");
	if (dot) {
		show_topology_dot(v, list);
		return;
	}
	const char *id = jstr(v, "local_id", "");
	header("LSOE topology:");
	printf("Node:         %s, ID: %s\n", safe(jstr(v, "node", "?")), *id ? safe(id) : "(none)");
	for (size_t i = 0; i < alen(list); i++) {
		yajl_val s = aget(list, i);
		const char *pid = jstr(s, "peer_id", "");
		printf("  %-10s -- %s (%s), %s\n", safe(jstr(s, "port", "?")), *pid ? safe(pid) : "ID not known",
		    safe(jstr(s, "peer_mac", "?")), session_held(s) ? "held" : safe(jstr(s, "state", "?")));
	}
	printf("%s\n", RULE);
}

/* ---- monitor ---- */

static void print_event(yajl_val e)
{
	char when[32] = "";
	time_t now = time(NULL);
	struct tm tm;
	if (localtime_r(&now, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	const char *ev = jstr(e, "event", "?"), *mac = jstr(e, "peer_mac", "");
	printf("%s %-12s %-10s %-17s ", when, safe(ev), safe(jstr(e, "port", "?")), *mac ? safe(mac) : "-");
	if (strcmp(ev, "session_up") == 0) {
		const char *id = jstr(e, "peer_id", "");
		printf("peer %s, attributes %s\n", *id ? safe(id) : "(not known)", attributes_text(jarr(e, "attributes")));
	} else if (strcmp(ev, "session_down") == 0) {
		const char *text = jstr(e, "text", "");
		printf("reason %s%s%s\n", safe(jstr(e, "reason", "?")), *text ? ": " : "", *text ? safe(text) : "");
	} else if (strcmp(ev, "encaps") == 0) {
		yajl_val l = jarr(e, "encaps");
		printf("%s:", encap_label(jstr(e, "type", "?")));
		if (!alen(l))
			printf(" (none)");
		for (size_t i = 0; i < alen(l); i++) {
			char item[512];
			entry_text(item, sizeof(item), aget(l, i));
			printf("%s %s", i ? "," : "", item);
		}
		putchar('\n');
	} else if (strcmp(ev, "links") == 0) {
		yajl_val l = jarr(e, "links");
		printf("%s:", encap_label(jstr(e, "type", "?")));
		if (!alen(l))
			printf(" (no link)");
		for (size_t i = 0; i < alen(l); i++) {
			char local[512], peer[512];
			entry_text(local, sizeof(local), lsoe_json_member(aget(l, i), "local"));
			entry_text(peer, sizeof(peer), lsoe_json_member(aget(l, i), "peer"));
			printf("%s %s <-> %s", i ? "," : "", local, peer);
		}
		putchar('\n');
	} else if (strcmp(ev, "error") == 0) {
		const char *text = jstr(e, "text", "");
		printf("%s", safe(jstr(e, "error", "?")));
		if (lsoe_json_member(e, "ack_type"))
			printf(": %s etype %s code %s hint %s", safe(jstr(e, "ack_type", "?")), safe(jnum(e, "error_type", "?")),
			    safe(jnum(e, "error_code", "?")), safe(jnum(e, "error_hint", "?")));
		if (*text)
			printf(": %s", safe(text));
		putchar('\n');
	} else {
		putchar('\n');
	}
}

static int monitor(bool json)
{
	struct reader r;
	char *raw;
	size_t rawlen;
	char why[512];

	yajl_val v = ask("monitor", -1, &raw, &rawlen, &r); /* the first event may be hours away */
	for (;;) {
		check_error(v, raw, rawlen, json);
		if (!jstr(v, "event", NULL))
			unexpected("a line that is not an event");
		if (json) {
			fwrite(raw, 1, rawlen, stdout);
			fputc('\n', stdout);
		} else {
			print_event(v);
		}
		check_stdout();
		yajl_tree_free(v);
		int got = read_line(&r, -1, &raw, &rawlen);
		if (got <= 0) {
			fprintf(stderr, "%s: lsoed closed the connection\n", prog);
			return 0;
		}
		if (!(v = parse_answer(raw, rawlen, why, sizeof(why))))
			fail(1, "%s: lsoed sent an event that is not valid: %s", safe(sock_path), why);
	}
}

/* ---- main ---- */

int main(int argc, char **argv)
{
	const char *words[4];
	int nwords = 0;
	bool json = false, dot = false, openmetrics = false, options = true;

	if (argc > 0 && argv[0] && *argv[0]) {
		const char *slash = strrchr(argv[0], '/');
		prog = slash ? slash + 1 : argv[0];
	}
	signal(SIGPIPE, SIG_IGN);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (options && a[0] == '-' && a[1]) {
			if (strcmp(a, "--") == 0) {
				options = false;
			} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
				usage(stdout);
				return 0;
			} else if (strcmp(a, "--json") == 0) {
				json = true;
			} else if (strcmp(a, "--dot") == 0) {
				dot = true;
			} else if (strcmp(a, "--openmetrics") == 0) {
				openmetrics = true;
			} else if (strcmp(a, "-s") == 0 || strcmp(a, "--socket") == 0) {
				if (i + 1 >= argc)
					bad_usage("%s needs a path", a);
				sock_path = argv[++i];
			} else if (strncmp(a, "--socket=", 9) == 0) {
				sock_path = a + 9;
			} else if (strncmp(a, "-s", 2) == 0) {
				sock_path = a + 2;
			} else {
				bad_usage("unknown option '%s'", safe(a));
			}
			continue;
		}
		if (nwords == 3)
			bad_usage("too many words: '%s'", safe(a));
		words[nwords++] = a;
	}
	if (nwords == 0)
		bad_usage("no command");

	static const char *const shows[] = {"neighbors", "links", "bgp", "interfaces", "statistics", "config", "topology"};
	char request[64];
	if (strcmp(words[0], "monitor") == 0) {
		if (nwords != 1)
			bad_usage("monitor takes no argument");
		if (dot)
			bad_usage("--dot is for show topology");
		if (openmetrics)
			bad_usage("--openmetrics is for show statistics");
		return monitor(json);
	}
	if (strcmp(words[0], "show") != 0)
		bad_usage("unknown command '%s'", safe(words[0]));
	if (nwords != 2)
		bad_usage("show what? neighbors, links, bgp, interfaces, statistics, config or topology");
	const char *what = NULL;
	for (size_t i = 0; i < sizeof(shows) / sizeof(shows[0]); i++)
		if (strcmp(words[1], shows[i]) == 0)
			what = shows[i];
	if (!what)
		bad_usage("show what? '%s' is not one of neighbors, links, bgp, interfaces, statistics, config, topology",
		    safe(words[1]));
	if (dot && strcmp(what, "topology") != 0)
		bad_usage("--dot is for show topology");
	if (dot && json)
		bad_usage("--dot and --json exclude each other");
	if (openmetrics && strcmp(what, "statistics") != 0)
		bad_usage("--openmetrics is for show statistics");
	if (openmetrics && json)
		bad_usage("--openmetrics and --json exclude each other");
	if (openmetrics)
		return show_openmetrics();
	snprintf(request, sizeof(request), "show %s", what);

	struct reader r;
	char *raw;
	size_t rawlen;
	yajl_val v = ask(request, ANSWER_TIMEOUT_MS, &raw, &rawlen, &r);
	check_error(v, raw, rawlen, json);
	if (json) {
		fwrite(raw, 1, rawlen, stdout);
		fputc('\n', stdout);
	} else if (strcmp(what, "neighbors") == 0) {
		show_neighbors(v);
	} else if (strcmp(what, "links") == 0) {
		show_links(v);
	} else if (strcmp(what, "bgp") == 0) {
		show_bgp(v);
	} else if (strcmp(what, "interfaces") == 0) {
		show_interfaces(v);
	} else if (strcmp(what, "statistics") == 0) {
		show_statistics(v);
	} else if (strcmp(what, "config") == 0) {
		show_config(v);
	} else {
		show_topology(v, dot);
	}
	check_stdout();
	yajl_tree_free(v);
	free(r.buf);
	close(r.fd);
	return 0;
}
