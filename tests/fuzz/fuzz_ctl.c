/*
 * libFuzzer target: control-socket requests as lsoed's control socket parses and
 * answers them (ports/linux/ctl.c: ctl_answer, the request parser and dispatcher
 * client_request uses, with the UTF-8 repair and the one-JSON-line check of every
 * answer), behind a stub struct ctl_ops whose show returns canned answers.
 *
 * Input: what a client sends, at most 64 KiB. It is framed as client_read_request
 * frames it: the request is what precedes the first '\n' within the first
 * CTL_REQUEST_MAX octets; 1024 octets without one are "request too long" (ctl_answer
 * answers so for a request of 1024 octets or more, which the server never passes); a shorter
 * input without one is the request as a whole (a client that shuts its side without
 * a newline); an empty one is no request. Whatever follows the '\n' is the stub's
 * canned data ("the tail"), so that answers too are fuzzed:
 *
 *   show neighbors    {"neighbors": [{"port": TAIL}]}: TAIL as a JSON string, any
 *                     octets (an interface name is any octets: repaired to UTF-8)
 *   show interfaces   {"interfaces": TAIL}, TAIL written verbatim (yajl_gen_number):
 *                     whatever it is, only one line of valid JSON may go out
 *   show statistics   TAIL decoded as a PDU and rendered by lsoe_json_pdu, if it decodes;
 *                     else {"statistics": {"node": TAIL up to a NUL}}
 *   show config       fails with TAIL as its message (not NUL-terminated if it fills the
 *                     buffer: the server terminates it)
 *   show topology     succeeds without writing anything
 *   show ANYTHING     unknown (fails without a message)
 *
 * Then the whole input is also passed to ctl_answer as one request (any length, any
 * octets). Checks: an answer is one line of valid UTF-8 without NUL, ending in '\n',
 * that parses as one JSON object: {"error": STRING} for a refused request, the stub's
 * answer otherwise; "monitor" exactly for the request monitor; show sees WHAT as
 * printable ASCII without surrounding white space; the same request gives the same
 * answer twice.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "ctl.h"
#include "fuzz.h"
#include "json_pdu.h"
#include "lsoe/pdu.h"

#define FZ_MAX_INPUT (64u * 1024u)

/* loop.h, which the program linking ctl.c provides: never called without a socket. */
int loop_add(int epfd, int fd, uint32_t events, struct loop_handler *h)
{
	(void)epfd, (void)fd, (void)events, (void)h;
	CHECK(!"loop_add called");
	return -1;
}

int loop_mod(int epfd, int fd, uint32_t events, struct loop_handler *h)
{
	(void)epfd, (void)fd, (void)events, (void)h;
	CHECK(!"loop_mod called");
	return -1;
}

void loop_del(int epfd, int fd)
{
	(void)epfd, (void)fd;
	CHECK(!"loop_del called");
}

struct stub {
	const uint8_t *tail;
	size_t tail_len;
	unsigned calls;
	bool wrote;                  /* show wrote an answer */
	bool valid;                  /* ...that is valid JSON whatever the tail (not "interfaces") */
};

static bool stub_show(void *ctx, const char *what, yajl_gen g, char *err, size_t cap)
{
	struct stub *st = ctx;
	st->calls++;
	st->wrote = false;
	st->valid = strcmp(what, "interfaces") != 0;
	size_t wl = strlen(what);
	CHECK(wl < CTL_REQUEST_MAX);
	for (size_t i = 0; i < wl; i++)
		CHECK(((unsigned char)what[i] >= 0x20 && (unsigned char)what[i] < 0x7f) || what[i] == '\t');
	CHECK(wl == 0 || (what[0] != ' ' && what[0] != '\t'));
	CHECK(wl == 0 || (what[wl - 1] != ' ' && what[wl - 1] != '\t'));
	CHECK(err != NULL && cap > 0 && err[0] == '\0');

	if (strcmp(what, "neighbors") == 0) {
		yajl_gen_map_open(g);
		lsoe_json_key(g, "neighbors");
		yajl_gen_array_open(g);
		yajl_gen_map_open(g);
		lsoe_json_key(g, "port");
		yajl_gen_string(g, st->tail, st->tail_len);
		yajl_gen_map_close(g);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	} else if (strcmp(what, "interfaces") == 0) {
		yajl_gen_map_open(g);
		lsoe_json_key(g, "interfaces");
		yajl_gen_number(g, (const char *)st->tail, st->tail_len);
		yajl_gen_map_close(g);
	} else if (strcmp(what, "statistics") == 0) {
		struct lsoe_pdu pdu;
		if (lsoe_pdu_decode(st->tail, st->tail_len, &pdu) == LSOE_OK) {
			lsoe_json_pdu(g, &pdu);
		} else {
			char node[128];
			size_t n = strnlen((const char *)st->tail, st->tail_len < sizeof(node) ? st->tail_len : sizeof(node) - 1);
			memcpy(node, st->tail, n);
			node[n] = '\0';
			yajl_gen_map_open(g);
			lsoe_json_key(g, "statistics");
			yajl_gen_map_open(g);
			lsoe_json_kstr(g, "node", node);
			yajl_gen_map_close(g);
			yajl_gen_map_close(g);
		}
	} else if (strcmp(what, "config") == 0) {
		size_t n = st->tail_len < cap ? st->tail_len : cap;
		if (n)
			memcpy(err, st->tail, n);
		if (n < cap)
			err[n] = '\0';
		return false;
	} else if (strcmp(what, "topology") == 0) {
		return true;
	} else {
		return false;
	}
	st->wrote = true;
	return true;
}

static bool utf8_ok(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint8_t b = p[i];
		size_t len;
		uint32_t cp;
		if (b < 0x80) {
			i++;
			continue;
		}
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
			return false;
		}
		if (len > n - i)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3fu);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

/* Check one answer; returns whether it is an {"error": ...}. */
static bool check_line(const char *line, size_t len)
{
	CHECK(line != NULL && len >= 3 && line[len - 1] == '\n');
	CHECK(memchr(line, '\n', len - 1) == NULL);
	CHECK(memchr(line, '\0', len) == NULL);
	CHECK(utf8_ok((const uint8_t *)line, len - 1));
	char *text = malloc(len);
	CHECK(text != NULL);
	memcpy(text, line, len - 1);
	text[len - 1] = '\0';
	char perr[256];
	yajl_val v = yajl_tree_parse(text, perr, sizeof(perr));
	if (!v)
		fprintf(stderr, "fuzz_ctl: answer does not parse (%s): %s\n", perr, text);
	CHECK(v != NULL && YAJL_IS_OBJECT(v) && v->u.object.len >= 1);
	bool is_error = strcmp(v->u.object.keys[0], "error") == 0;
	if (is_error)
		CHECK(v->u.object.len == 1 && YAJL_IS_STRING(v->u.object.values[0]));
	yajl_tree_free(v);
	free(text);
	return is_error;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The request, trimmed as the server trims it, is exactly "monitor". */
static bool is_monitor(const char *s, size_t n)
{
	while (n && is_ws(s[0]))
		s++, n--;
	while (n && is_ws(s[n - 1]))
		n--;
	return n == 7 && memcmp(s, "monitor", 7) == 0;
}

static void request(struct stub *st, const char *s, size_t n)
{
	const struct ctl_ops ops = { .ctx = st, .show = stub_show };
	char *line = NULL, *line2 = NULL;
	size_t len = 0, len2 = 0;
	st->calls = 0;
	st->wrote = false;
	enum ctl_answer_kind k = ctl_answer(&ops, s, n, &line, &len);
	CHECK(k == CTL_ANSWER_LINE || k == CTL_ANSWER_MONITOR); /* NOMEM: malloc does not fail here */
	CHECK(st->calls <= 1);
	if (k == CTL_ANSWER_MONITOR) {
		CHECK(line == NULL && len == 0 && st->calls == 0);
		CHECK(n < CTL_REQUEST_MAX && is_monitor(s, n));
	} else {
		CHECK(!is_monitor(s, n) || n >= CTL_REQUEST_MAX);
		bool is_error = check_line(line, len);
		/* The stub's answer when it wrote one that is valid; a refusal when it wrote none. */
		CHECK(is_error == !(st->wrote && st->valid) || (st->wrote && !st->valid));
	}
	/* Deterministic. */
	unsigned calls = st->calls;
	CHECK(ctl_answer(&ops, s, n, &line2, &len2) == k);
	CHECK(st->calls == 2 * calls);
	CHECK(len2 == len && (len == 0 || memcmp(line, line2, len) == 0));
	free(line);
	free(line2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FZ_MAX_INPUT)
		return 0;
	char *in = malloc(size ? size : 1); /* exactly the input */
	CHECK(in != NULL);
	if (size)
		memcpy(in, data, size);

	struct stub st = { .tail = (const uint8_t *)"" }; /* no tail: empty, not NULL */
	size_t scan = size < CTL_REQUEST_MAX ? size : CTL_REQUEST_MAX;
	const char *nl = memchr(in, '\n', scan);
	if (nl) {
		size_t n = (size_t)(nl - in);
		st.tail = (const uint8_t *)nl + 1;
		st.tail_len = size - n - 1;
		request(&st, in, n);
	} else if (size >= CTL_REQUEST_MAX) {
		request(&st, in, size); /* "request too long" */
	} else if (size) {
		request(&st, in, size);
	}

	/* The whole input as one request, whatever it holds. */
	st.tail = (const uint8_t *)in;
	st.tail_len = size;
	request(&st, in, size);
	free(in);
	return 0;
}
