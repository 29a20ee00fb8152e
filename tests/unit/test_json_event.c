/*
 * The JSON schema of events and node state (ports/common/json_event.c): every
 * object is rendered, parsed back with yajl's tree parser and checked key by key,
 * in order, with the JSON type and value of each. Shapes must not depend on how
 * many items there are (0, 1, 3 entries) nor on the values (zero or not).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "json_event.h"
#include "lsoe/event.h"
#include "lsoe/node.h"
#include "lsoe/pdu.h"


/* ---- rendering and parsing ---- */

/* The text yajl produced, copied so the generator can be freed. */
static char *take(yajl_gen g)
{
	const unsigned char *buf;
	size_t n;
	assert_int_equal(yajl_gen_get_buf(g, &buf, &n), yajl_gen_status_ok);
	char *s = malloc(n + 1);
	assert_non_null(s);
	memcpy(s, buf, n);
	s[n] = '\0';
	yajl_gen_free(g);
	return s;
}

static yajl_val parse(const char *text)
{
	char err[256];
	yajl_val v = yajl_tree_parse(text, err, sizeof(err));
	if (!v)
		fail_msg("JSON does not parse (%s): %s", err, text);
	return v;
}

static char *render_event(const char *node, const struct lsoe_event *ev)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	assert_non_null(g);
	lsoe_json_event(g, node, ev);
	return take(g);
}

static yajl_val parse_event(const char *node, const struct lsoe_event *ev)
{
	char *s = render_event(node, ev);
	yajl_val v = parse(s);
	free(s);
	return v;
}

static yajl_val parse_session(const struct lsoe_session_view *s, uint64_t now)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	assert_non_null(g);
	lsoe_json_session(g, s, now);
	char *t = take(g);
	yajl_val v = parse(t);
	free(t);
	return v;
}

static yajl_val parse_port(const struct lsoe_port_view *p)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	assert_non_null(g);
	lsoe_json_port(g, p);
	char *t = take(g);
	yajl_val v = parse(t);
	free(t);
	return v;
}

static yajl_val parse_counters(const struct lsoe_counters *c)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	assert_non_null(g);
	lsoe_json_counters(g, c);
	char *t = take(g);
	yajl_val v = parse(t);
	free(t);
	return v;
}

/* ---- checking ---- */

static yajl_val get(yajl_val obj, const char *key)
{
	assert_true(YAJL_IS_OBJECT(obj));
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(obj, path, yajl_t_any);
	if (!v)
		fail_msg("missing key \"%s\"", key);
	return v;
}

/* The object has exactly these keys, in this order (NULL-terminated). */
static void keys_are(yajl_val obj, const char *const *keys)
{
	assert_true(YAJL_IS_OBJECT(obj));
	size_t n = 0;
	while (keys[n])
		n++;
	for (size_t i = 0; i < obj->u.object.len && i < n; i++)
		if (strcmp(obj->u.object.keys[i], keys[i]) != 0)
			fail_msg("key %zu is \"%s\", expected \"%s\"", i, obj->u.object.keys[i], keys[i]);
	if (obj->u.object.len != n)
		fail_msg("%zu keys, expected %zu", obj->u.object.len, n);
}

/* Two objects have the same keys in the same order, recursively through objects. */
static yajl_type kind(yajl_val v)
{
	return YAJL_IS_FALSE(v) ? yajl_t_true : v->type; /* a boolean is a boolean */
}

static void same_shape(yajl_val a, yajl_val b)
{
	assert_int_equal(kind(a), kind(b));
	if (!YAJL_IS_OBJECT(a))
		return;
	assert_int_equal(a->u.object.len, b->u.object.len);
	for (size_t i = 0; i < a->u.object.len; i++) {
		assert_string_equal(a->u.object.keys[i], b->u.object.keys[i]);
		same_shape(a->u.object.values[i], b->u.object.values[i]);
	}
}

static void str_is(yajl_val obj, const char *key, const char *want)
{
	yajl_val v = get(obj, key);
	if (!YAJL_IS_STRING(v))
		fail_msg("\"%s\" is not a string", key);
	assert_string_equal(YAJL_GET_STRING(v), want);
}

static void int_is(yajl_val obj, const char *key, long long want)
{
	yajl_val v = get(obj, key);
	if (!YAJL_IS_INTEGER(v))
		fail_msg("\"%s\" is not an integer", key);
	assert_int_equal(YAJL_GET_INTEGER(v), want);
}

/* An unsigned integer written verbatim: compare the number's text. */
static void num_text_is(yajl_val obj, const char *key, const char *want)
{
	yajl_val v = get(obj, key);
	if (!YAJL_IS_NUMBER(v))
		fail_msg("\"%s\" is not a number", key);
	assert_string_equal(YAJL_GET_NUMBER(v), want);
}

/* Seconds: a non-integer JSON number with exactly this text. */
static void seconds_is(yajl_val obj, const char *key, const char *want)
{
	yajl_val v = get(obj, key);
	if (!YAJL_IS_DOUBLE(v))
		fail_msg("\"%s\" is not a decimal number", key);
	assert_string_equal(YAJL_GET_NUMBER(v), want);
}

static void bool_is(yajl_val obj, const char *key, bool want)
{
	yajl_val v = get(obj, key);
	if (!(YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)))
		fail_msg("\"%s\" is not a boolean", key);
	assert_int_equal(YAJL_IS_TRUE(v), want);
}

/* An array of exactly these integers. */
static void ints_are(yajl_val arr, const long long *want, size_t n)
{
	if (!YAJL_IS_ARRAY(arr))
		fail_msg("not an array");
	assert_int_equal(arr->u.array.len, n);
	for (size_t i = 0; i < n; i++) {
		assert_true(YAJL_IS_INTEGER(arr->u.array.values[i]));
		assert_int_equal(YAJL_GET_INTEGER(arr->u.array.values[i]), want[i]);
	}
}

static yajl_val array_of(yajl_val obj, const char *key, size_t len)
{
	yajl_val v = get(obj, key);
	if (!YAJL_IS_ARRAY(v))
		fail_msg("\"%s\" is not an array", key);
	assert_int_equal(v->u.array.len, len);
	return v;
}

/* ---- fixtures ---- */

static const uint8_t MAC_A[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t PEER_ID[LSOE_LOCAL_ID_LEN] = { 0x00, 0x80, 0x0b, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0xff };
#define PEER_ID_TEXT "00:80:0b:ad:be:ef:01:02:03:ff"

static struct lsoe_event base_event(enum lsoe_event_type type)
{
	struct lsoe_event ev = { .type = type, .time_ns = 12000000000ull, .port = 3, .port_name = "eth0" };
	ev.has_peer = true;
	memcpy(ev.peer_mac, MAC_A, 6);
	ev.has_peer_id = true;
	memcpy(ev.peer_id, PEER_ID, sizeof(PEER_ID));
	return ev;
}

static void common_is(yajl_val v, const char *event)
{
	seconds_is(v, "time", "12.000000000");
	str_is(v, "node", "r1");
	str_is(v, "event", event);
	str_is(v, "port", "eth0");
	int_is(v, "port_id", 3);
	str_is(v, "peer_mac", "02:00:00:00:00:0a");
	str_is(v, "peer_id", PEER_ID_TEXT);
}

#define COMMON_KEYS "time", "node", "event", "port", "port_id", "peer_mac", "peer_id"

/* ---- time ---- */

static void test_seconds_text(void **state)
{
	(void)state;
	char buf[LSOE_SECONDS_STRLEN];
	assert_string_equal(lsoe_json_seconds(buf, 0), "0.000000000");
	assert_string_equal(lsoe_json_seconds(buf, 1500000000ull), "1.500000000");
	assert_string_equal(lsoe_json_seconds(buf, 123456789ull), "0.123456789");
	assert_string_equal(lsoe_json_seconds(buf, 12000000000ull), "12.000000000");
	assert_string_equal(lsoe_json_seconds(buf, 1ull), "0.000000001");
	assert_string_equal(lsoe_json_seconds(buf, UINT64_MAX), "18446744073.709551615");
}

static void test_event_time(void **state)
{
	(void)state;
	static const struct {
		uint64_t ns;
		const char *text;
		double d;
	} cases[] = {
		{ 0, "0.000000000", 0.0 },
		{ 1500000000ull, "1.500000000", 1.5 },
		{ 123456789ull, "0.123456789", 0.123456789 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lsoe_event ev = base_event(LSOE_EV_SESSION_DOWN);
		ev.time_ns = cases[i].ns;
		char *s = render_event("r1", &ev);
		/* Written verbatim: the text itself carries the 9 decimals. */
		char want[64];
		snprintf(want, sizeof(want), "{\"time\":%s,", cases[i].text);
		assert_memory_equal(s, want, strlen(want));
		yajl_val v = parse(s);
		seconds_is(v, "time", cases[i].text);
		assert_true(YAJL_GET_DOUBLE(get(v, "time")) == cases[i].d);
		yajl_tree_free(v);
		free(s);
	}
}

/* ---- events ---- */

static void test_session_up(void **state)
{
	(void)state;
	static const uint8_t attrs[3] = { 1, 2, 200 };
	static const long long want[3] = { 1, 2, 200 };
	static const char *const keys[] = { COMMON_KEYS, "attributes", NULL };
	for (unsigned n = 0; n <= 3; n++) {
		struct lsoe_event ev = base_event(LSOE_EV_SESSION_UP);
		ev.attrs = n ? attrs : NULL;
		ev.attr_count = (uint8_t)n;
		yajl_val v = parse_event("r1", &ev);
		keys_are(v, keys);
		common_is(v, "session_up");
		ints_are(get(v, "attributes"), want, n);
		yajl_tree_free(v);
	}
}

static void test_session_down(void **state)
{
	(void)state;
	static const char *const keys[] = { COMMON_KEYS, "reason", NULL };
	static const char *const reasons[LSOE_DOWN_COUNT] = {
		"keepalive_timeout", "retransmit_limit", "peer_restart", "port_down", "error_ack", "shutdown",
	};
	for (unsigned r = 0; r < LSOE_DOWN_COUNT; r++) {
		struct lsoe_event ev = base_event(LSOE_EV_SESSION_DOWN);
		ev.reason = (enum lsoe_down_reason)r;
		yajl_val v = parse_event("r1", &ev);
		keys_are(v, keys);
		common_is(v, "session_down");
		str_is(v, "reason", reasons[r]);
		yajl_tree_free(v);
	}
	/* Peer ID not known yet: same keys, an empty string. */
	struct lsoe_event ev = base_event(LSOE_EV_SESSION_DOWN);
	ev.has_peer_id = false;
	ev.reason = LSOE_DOWN_RETRANSMIT_LIMIT;
	yajl_val v = parse_event("r1", &ev);
	keys_are(v, keys);
	str_is(v, "peer_id", "");
	str_is(v, "peer_mac", "02:00:00:00:00:0a");
	str_is(v, "reason", "retransmit_limit");
	yajl_tree_free(v);
	/* When the engine can say why (a receive timeout shorter than the peer's spacing): a text too. */
	static const char *const keys_text[] = { COMMON_KEYS, "reason", "text", NULL };
	ev = base_event(LSOE_EV_SESSION_DOWN);
	ev.reason = LSOE_DOWN_KEEPALIVE_TIMEOUT;
	ev.text = "keepalive-receive-timeout (1 s) is shorter than the peer's keepalive spacing observed (2 s)";
	v = parse_event("r1", &ev);
	keys_are(v, keys_text);
	str_is(v, "reason", "keepalive_timeout");
	str_is(v, "text", ev.text);
	yajl_tree_free(v);
}

static void test_port_without_name(void **state)
{
	(void)state;
	static const char *const keys[] = { COMMON_KEYS, "reason", NULL };
	const char *names[] = { NULL, "" };
	for (unsigned i = 0; i < 2; i++) {
		struct lsoe_event ev = base_event(LSOE_EV_SESSION_DOWN);
		ev.port = 4000000000u;
		ev.port_name = names[i];
		yajl_val v = parse_event(NULL, &ev);
		keys_are(v, keys);
		str_is(v, "port", "4000000000");
		int_is(v, "port_id", 4000000000ll);
		str_is(v, "node", "");
		yajl_tree_free(v);
	}
}

/* Four entries to pick from: the IPv4 form uses addr[0..3]. */
static void fill_entries(struct lsoe_encap e[3], uint8_t labels[3][9])
{
	memset(e, 0, 3 * sizeof(*e));
	e[0].flags = LSOE_ENCAP_PRIMARY;
	e[0].prefix_len = 31;
	memcpy(e[0].addr, (const uint8_t[]){ 10, 0, 0, 1 }, 4);
	e[1].flags = LSOE_ENCAP_LOOPBACK;
	e[1].prefix_len = 32;
	memcpy(e[1].addr, (const uint8_t[]){ 192, 168, 1, 255 }, 4);
	e[2].flags = LSOE_ENCAP_PRIMARY | LSOE_ENCAP_LOOPBACK;
	e[2].prefix_len = 0;
	memcpy(e[2].addr, (const uint8_t[]){ 172, 16, 0, 9 }, 4);
	/* Labels: entry 0 none, entry 1 one, entry 2 three (1048575 is the largest). */
	lsoe_label_put(labels[1], 0, 16, 0, true);
	lsoe_label_put(labels[2], 0, 100, 5, false);
	lsoe_label_put(labels[2], 1, 0, 0, false);
	lsoe_label_put(labels[2], 2, 1048575, 7, true);
	e[0].nlabels = 0;
	e[0].labels = NULL;
	e[1].nlabels = 1;
	e[1].labels = labels[1];
	e[2].nlabels = 3;
	e[2].labels = labels[2];
}

static void v6_addrs(struct lsoe_encap e[3])
{
	static const uint8_t a0[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t a1[16] = { 0xfe, 0x80, [14] = 0xab, [15] = 0xcd };
	static const uint8_t a2[16] = { [15] = 1 };
	memcpy(e[0].addr, a0, 16);
	memcpy(e[1].addr, a1, 16);
	memcpy(e[2].addr, a2, 16);
	e[0].prefix_len = 64;
	e[1].prefix_len = 10;
	e[2].prefix_len = 128;
}

static const char *const tnames[] = { "IPV4_ENCAP", "IPV6_ENCAP", "MPLS_IPV4_ENCAP", "MPLS_IPV6_ENCAP" };

/* The three entries as type t carries them (IPv6 addresses for the IPv6 types, labels only for MPLS). */
static void typed_entries(unsigned t, struct lsoe_encap e[3], uint8_t labels[3][9])
{
	fill_entries(e, labels);
	if (lsoe_encap_addr_len(t) == 16)
		v6_addrs(e);
	if (!lsoe_encap_is_mpls(t))
		for (unsigned i = 0; i < 3; i++)
			e[i].nlabels = 0;
}

/* Entry i of typed_entries(t) as JSON: its address text and its labels. */
static void entry_is(yajl_val x, unsigned t, unsigned i)
{
	static const char *const v4[] = { "10.0.0.1", "192.168.1.255", "172.16.0.9" };
	static const char *const v6[] = { "2001:db8::1", "fe80::abcd", "::1" };
	static const long long l2[] = { 100, 0, 1048575 }, l1[] = { 16 };
	str_is(x, "address", lsoe_encap_addr_len(t) == 16 ? v6[i] : v4[i]);
	yajl_val lab = get(x, "labels");
	if (!lsoe_encap_is_mpls(t) || i == 0)
		ints_are(lab, NULL, 0);
	else if (i == 1)
		ints_are(lab, l1, 1);
	else
		ints_are(lab, l2, 3);
}

static void test_encaps(void **state)
{
	(void)state;
	static const char *const keys[] = { COMMON_KEYS, "type", "encaps", NULL };
	static const char *const entry_keys[] = { "primary", "loopback", "address", "prefix_len", "labels", NULL };
	static const unsigned counts[] = { 0, 1, 3 };

	for (unsigned t = LSOE_PDU_IPV4_ENCAP; t <= LSOE_PDU_MPLS_IPV6_ENCAP; t++) {
		for (unsigned c = 0; c < 3; c++) {
			unsigned n = counts[c];
			struct lsoe_encap e[3];
			uint8_t labels[3][9];
			typed_entries(t, e, labels);
			struct lsoe_event ev = base_event(LSOE_EV_ENCAPS);
			ev.encap_type = (uint8_t)t;
			ev.encaps = n ? e : NULL;
			ev.encap_count = (uint16_t)n;
			yajl_val v = parse_event("r1", &ev);
			keys_are(v, keys);
			common_is(v, "encaps");
			str_is(v, "type", tnames[t - LSOE_PDU_IPV4_ENCAP]);
			yajl_val list = array_of(v, "encaps", n);
			for (unsigned i = 0; i < n; i++) {
				yajl_val en = list->u.array.values[i];
				keys_are(en, entry_keys);
				bool_is(en, "primary", i != 1);
				bool_is(en, "loopback", i != 0);
				entry_is(en, t, i);
				int_is(en, "prefix_len", e[i].prefix_len);
			}
			yajl_tree_free(v);
		}
	}
}

static void test_links(void **state)
{
	(void)state;
	static const char *const keys[] = { COMMON_KEYS, "local_id", "type", "links", NULL };
	static const char *const pair_keys[] = { "local", "peer", NULL };
	static const char *const end_keys[] = { "address", "prefix_len", "primary", "labels", NULL };
	static const uint8_t local_id[LSOE_LOCAL_ID_LEN] = { 0x4c, 0x53, 0x4f, 0x45, 0, 0, 0, 0, 0x01, 0x02 };

	for (unsigned t = LSOE_PDU_IPV4_ENCAP; t <= LSOE_PDU_MPLS_IPV6_ENCAP; t++) {
		for (unsigned n = 0; n <= 2; n++) {
			struct lsoe_encap e[3];
			uint8_t labels[3][9];
			typed_entries(t, e, labels);
			/* pair i: ours is entry i, the peer's entry i + 1 (flags as the entries have them) */
			struct lsoe_link pairs[2];
			for (unsigned i = 0; i < 2; i++) {
				pairs[i].local = e[i];
				pairs[i].peer = e[i + 1];
			}
			struct lsoe_event ev = base_event(LSOE_EV_LINKS);
			memcpy(ev.local_id, local_id, sizeof(local_id));
			ev.encap_type = (uint8_t)t;
			ev.links = n ? pairs : NULL;
			ev.link_count = (uint16_t)n;
			yajl_val v = parse_event("r1", &ev);
			keys_are(v, keys);
			common_is(v, "links");
			str_is(v, "local_id", "4c:53:4f:45:00:00:00:00:01:02");
			str_is(v, "type", tnames[t - LSOE_PDU_IPV4_ENCAP]);
			yajl_val list = array_of(v, "links", n);
			for (unsigned i = 0; i < n; i++) {
				yajl_val pr = list->u.array.values[i];
				keys_are(pr, pair_keys);
				for (unsigned end = 0; end < 2; end++) {
					unsigned k = i + end; /* the entry this end shows */
					yajl_val x = get(pr, end ? "peer" : "local");
					keys_are(x, end_keys);
					entry_is(x, t, k);
					int_is(x, "prefix_len", e[k].prefix_len);
					bool_is(x, "primary", k != 1);
				}
			}
			yajl_tree_free(v);
		}
	}
}

static void test_error_ack_kinds(void **state)
{
	(void)state;
	static const char *const keys[] = { COMMON_KEYS, "error", "ack_type", "error_type", "error_code", "error_hint",
		"text", NULL };
	static const struct {
		enum lsoe_error_kind kind;
		const char *name;
		uint8_t ack_type;
		const char *ack_name;
	} cases[] = {
		{ LSOE_ERRK_ACK_RECEIVED, "error_ack_received", LSOE_PDU_OPEN, "OPEN" },
		{ LSOE_ERRK_ACK_SENT, "error_ack_sent", LSOE_PDU_MPLS_IPV6_ENCAP, "MPLS_IPV6_ENCAP" },
		{ LSOE_ERRK_ADDR_CONFLICT, "address_conflict", LSOE_PDU_IPV4_ENCAP, "IPV4_ENCAP" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lsoe_event ev = base_event(LSOE_EV_ERROR);
		ev.error = cases[i].kind;
		ev.ack_pdu_type = cases[i].ack_type;
		ev.etype = LSOE_ETYPE_HOPELESS;
		ev.code = 4095;
		ev.hint = 65535;
		ev.text = "detail";
		yajl_val v = parse_event("r1", &ev);
		keys_are(v, keys);
		common_is(v, "error");
		str_is(v, "error", cases[i].name);
		str_is(v, "ack_type", cases[i].ack_name);
		int_is(v, "error_type", 3);
		int_is(v, "error_code", 4095);
		int_is(v, "error_hint", 65535);
		str_is(v, "text", "detail");
		yajl_tree_free(v);
	}
	/* An ACK-less error sent to a peer we have no ID for. */
	struct lsoe_event ev = base_event(LSOE_EV_ERROR);
	ev.has_peer_id = false;
	ev.error = LSOE_ERRK_ACK_SENT;
	ev.ack_pdu_type = LSOE_PDU_KEEPALIVE;
	ev.etype = LSOE_ETYPE_WARNING;
	ev.code = 1;
	ev.text = NULL;
	yajl_val v = parse_event("r1", &ev);
	keys_are(v, keys);
	str_is(v, "peer_id", "");
	str_is(v, "ack_type", "KEEPALIVE");
	int_is(v, "error_type", 1);
	int_is(v, "error_code", 1);
	int_is(v, "error_hint", 0);
	str_is(v, "text", "");
	yajl_tree_free(v);
}

static void test_error_other_kinds(void **state)
{
	(void)state;
	static const char *const keys[] = { COMMON_KEYS, "error", "text", NULL };
	static const struct {
		enum lsoe_error_kind kind;
		const char *name;
		bool peer;
	} cases[] = {
		{ LSOE_ERRK_NOMEM, "out_of_memory", false },
		{ LSOE_ERRK_SESSION_CAP, "session_cap", true },
		{ LSOE_ERRK_HOLD, "hold", true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lsoe_event ev = base_event(LSOE_EV_ERROR);
		ev.has_peer = cases[i].peer;
		ev.has_peer_id = cases[i].peer;
		ev.error = cases[i].kind;
		ev.ack_pdu_type = LSOE_PDU_OPEN; /* ignored for these kinds */
		ev.text = i == 0 ? NULL : "some \"quoted\" text";
		yajl_val v = parse_event("r1", &ev);
		keys_are(v, keys);
		str_is(v, "event", "error");
		str_is(v, "error", cases[i].name);
		str_is(v, "peer_mac", cases[i].peer ? "02:00:00:00:00:0a" : "");
		str_is(v, "peer_id", cases[i].peer ? PEER_ID_TEXT : "");
		str_is(v, "text", i == 0 ? "" : "some \"quoted\" text");
		yajl_tree_free(v);
	}
}

static void test_event_line(void **state)
{
	(void)state;
	static const uint8_t attrs[2] = { 7, 9 };
	struct lsoe_event ev = base_event(LSOE_EV_SESSION_UP);
	ev.attrs = attrs;
	ev.attr_count = 2;
	ev.time_ns = 123456789ull;
	size_t len = 0;
	char *line = lsoe_json_event_line("r1", &ev, &len);
	assert_non_null(line);
	assert_int_equal(len, strlen(line));
	assert_true(len > 2);
	assert_int_equal(line[len - 1], '\n');
	assert_null(memchr(line, '\n', len - 1)); /* one line */
	assert_string_equal(line,
	    "{\"time\":0.123456789,\"node\":\"r1\",\"event\":\"session_up\",\"port\":\"eth0\",\"port_id\":3,"
	    "\"peer_mac\":\"02:00:00:00:00:0a\",\"peer_id\":\"" PEER_ID_TEXT "\",\"attributes\":[7,9]}\n");
	/* The same text as the generator form. */
	char *obj = render_event("r1", &ev);
	assert_int_equal(strlen(obj), len - 1);
	assert_memory_equal(obj, line, len - 1);
	free(obj);
	free(line);
	/* len is optional. */
	line = lsoe_json_event_line("r1", &ev, NULL);
	assert_non_null(line);
	free(line);
}

/* ---- session view ---- */

static void test_session_views(void **state)
{
	(void)state;
	static const char *const keys[] = { "port", "port_id", "peer_mac", "peer_id", "state", "held", "uptime", "since",
		"last_rx", "attributes", "our_nonce", "peer_nonce", "retransmits", "encaps", "loopbacks", NULL };
	static const char *const lo_keys[] = { "type", "address", "prefix_len", "primary", "labels", NULL };
	static const char *const enc_keys[] = { "IPV4_ENCAP", "IPV6_ENCAP", "MPLS_IPV4_ENCAP", "MPLS_IPV6_ENCAP", NULL };
	static const uint8_t attrs[1] = { 42 };
	static const long long want_attrs[1] = { 42 };
	struct lsoe_encap e[3];
	uint8_t labels[3][9];
	fill_entries(e, labels);

	/* opening: nothing known from the peer yet */
	struct lsoe_session_view s = { .port = 3, .port_name = "eth0", .state = LSOE_STATE_OPENING,
		.since_ns = 5000000000ull, .last_rx_ns = 5250000000ull, .our_nonce = 0xdeadbeef };
	memcpy(s.peer_mac, MAC_A, 6);
	yajl_val v = parse_session(&s, 9000000000ull);
	keys_are(v, keys);
	str_is(v, "port", "eth0");
	int_is(v, "port_id", 3);
	str_is(v, "peer_mac", "02:00:00:00:00:0a");
	str_is(v, "peer_id", "");
	str_is(v, "state", "opening");
	seconds_is(v, "uptime", "0.000000000");
	seconds_is(v, "since", "5.000000000");
	seconds_is(v, "last_rx", "5.250000000");
	ints_are(get(v, "attributes"), NULL, 0);
	str_is(v, "our_nonce", "0xdeadbeef");
	str_is(v, "peer_nonce", "0x00000000");
	int_is(v, "retransmits", 0);
	yajl_val enc = get(v, "encaps");
	keys_are(enc, enc_keys);
	for (unsigned i = 0; i < 4; i++)
		array_of(enc, enc_keys[i], 0);
	array_of(v, "loopbacks", 0);
	yajl_tree_free(v);

	/* established: peer ID, attributes, some encapsulations (one received empty) */
	s.state = LSOE_STATE_ESTABLISHED;
	s.has_peer_id = true;
	memcpy(s.peer_id, PEER_ID, sizeof(PEER_ID));
	s.attrs = attrs;
	s.attr_count = 1;
	s.peer_nonce = 0x1;
	s.retransmits = 7;
	s.encaps_received[0] = true;
	s.encaps[0] = e;
	s.encap_count[0] = 1;
	s.encaps_received[1] = true; /* received, empty */
	s.encaps_received[2] = true;
	s.encaps[2] = e;
	s.encap_count[2] = 3;
	v = parse_session(&s, 9123456789ull);
	keys_are(v, keys);
	str_is(v, "state", "established");
	str_is(v, "peer_id", PEER_ID_TEXT);
	seconds_is(v, "uptime", "4.123456789");
	seconds_is(v, "since", "5.000000000");
	ints_are(get(v, "attributes"), want_attrs, 1);
	str_is(v, "peer_nonce", "0x00000001");
	int_is(v, "retransmits", 7);
	enc = get(v, "encaps");
	keys_are(enc, enc_keys);
	yajl_val l4 = array_of(enc, "IPV4_ENCAP", 1);
	str_is(l4->u.array.values[0], "address", "10.0.0.1");
	ints_are(get(l4->u.array.values[0], "labels"), NULL, 0);
	array_of(enc, "IPV6_ENCAP", 0);
	yajl_val m4 = array_of(enc, "MPLS_IPV4_ENCAP", 3);
	static const long long l2[] = { 100, 0, 1048575 };
	ints_are(get(m4->u.array.values[2], "labels"), l2, 3);
	array_of(enc, "MPLS_IPV6_ENCAP", 0);
	/* The peer's loopbacks: its entries flagged Loopback, in type then list order, labels kept. */
	yajl_val lo = array_of(v, "loopbacks", 2);
	keys_are(lo->u.array.values[0], lo_keys);
	str_is(lo->u.array.values[0], "type", "MPLS_IPV4_ENCAP");
	str_is(lo->u.array.values[0], "address", "192.168.1.255");
	int_is(lo->u.array.values[0], "prefix_len", 32);
	bool_is(lo->u.array.values[0], "primary", false);
	static const long long l1[] = { 16 };
	ints_are(get(lo->u.array.values[0], "labels"), l1, 1);
	keys_are(lo->u.array.values[1], lo_keys);
	str_is(lo->u.array.values[1], "address", "172.16.0.9");
	int_is(lo->u.array.values[1], "prefix_len", 0);
	bool_is(lo->u.array.values[1], "primary", true);
	ints_are(get(lo->u.array.values[1], "labels"), l2, 3);
	yajl_tree_free(v);

	/* established, clock not past since (never negative) */
	v = parse_session(&s, 4000000000ull);
	seconds_is(v, "uptime", "0.000000000");
	yajl_tree_free(v);

	/* hold: no uptime; no port name */
	s.state = LSOE_STATE_HOLD;
	s.port_name = NULL;
	v = parse_session(&s, 9123456789ull);
	keys_are(v, keys);
	str_is(v, "state", "opening"); /* held: shown as opening, with held true */
	assert_true(YAJL_IS_TRUE(yajl_tree_get(v, (const char *[]){ "held", NULL }, yajl_t_any)));
	str_is(v, "port", "3");
	seconds_is(v, "uptime", "0.000000000");
	yajl_tree_free(v);
}

/* ---- counters, port, memory ---- */

static void is_uint(yajl_val x)
{
	assert_true(YAJL_IS_NUMBER(x));
	const char *t = YAJL_GET_NUMBER(x);
	assert_true(*t != '\0');
	assert_int_equal(strspn(t, "0123456789"), strlen(t));
}

static void check_counter_keys(yajl_val c)
{
	assert_true(YAJL_IS_OBJECT(c));
	size_t n = lsoe_counter_count();
	assert_int_equal(c->u.object.len, n + 4);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(c->u.object.keys[i], lsoe_counter_name(i));
	assert_string_equal(c->u.object.keys[n], "rx_errors");
	assert_string_equal(c->u.object.keys[n + 1], "rx_by_type");
	assert_string_equal(c->u.object.keys[n + 2], "tx_by_type");
	assert_string_equal(c->u.object.keys[n + 3], "sessions_down");

	yajl_val e = get(c, "rx_errors");
	assert_true(YAJL_IS_OBJECT(e));
	assert_int_equal(e->u.object.len, LSOE_ERR_COUNT - 1);
	for (unsigned i = 1; i < LSOE_ERR_COUNT; i++)
		assert_string_equal(e->u.object.keys[i - 1], lsoe_err_name((enum lsoe_err)i));

	static const char *const types[] = { "HELLO", "OPEN", "KEEPALIVE", "ACK", "IPV4_ENCAP", "IPV6_ENCAP",
		"MPLS_IPV4_ENCAP", "MPLS_IPV6_ENCAP", "VENDOR", NULL };
	keys_are(get(c, "rx_by_type"), types);
	keys_are(get(c, "tx_by_type"), types);
	static const char *const reasons[] = { "keepalive_timeout", "retransmit_limit", "peer_restart", "port_down",
		"error_ack", "shutdown", NULL };
	keys_are(get(c, "sessions_down"), reasons);

	/* Every leaf is an unsigned integer (written verbatim: UINT64_MAX is beyond yajl's long long). */
	for (size_t i = 0; i < c->u.object.len; i++) {
		yajl_val x = c->u.object.values[i];
		if (YAJL_IS_OBJECT(x)) {
			for (size_t j = 0; j < x->u.object.len; j++)
				is_uint(x->u.object.values[j]);
		} else {
			is_uint(x);
		}
	}
}

static void test_counters(void **state)
{
	(void)state;
	struct lsoe_counters *zero = calloc(1, sizeof(*zero));
	struct lsoe_counters *full = malloc(sizeof(*full));
	assert_non_null(zero);
	assert_non_null(full);
	/* Every field non-zero and distinct, one at the top of the range. */
	uint64_t *w = (uint64_t *)full;
	for (size_t i = 0; i < sizeof(*full) / sizeof(uint64_t); i++)
		w[i] = 1000 + i;
	full->rx_frames = UINT64_MAX;
	full->rx_errors[LSOE_E_DGRAM_CHECKSUM] = 77;
	full->rx_by_type[lsoe_pdu_type_slot(LSOE_PDU_VENDOR)] = 5;
	full->tx_by_type[LSOE_PDU_HELLO] = 6;
	full->sessions_down[LSOE_DOWN_SHUTDOWN] = 8;
	full->vendor_pdus = 9;

	yajl_val vz = parse_counters(zero);
	yajl_val vf = parse_counters(full);
	check_counter_keys(vz);
	check_counter_keys(vf);
	same_shape(vz, vf);

	for (size_t i = 0; i < lsoe_counter_count(); i++)
		int_is(vz, lsoe_counter_name(i), 0);
	num_text_is(vf, "rx_frames", "18446744073709551615");
	int_is(vf, "vendor_pdus", 9);
	int_is(vf, "rx_pdus", (long long)full->rx_pdus);
	int_is(get(vf, "rx_errors"), "bad_checksum", 77);
	int_is(get(vz, "rx_errors"), "bad_checksum", 0);
	int_is(get(vf, "rx_errors"), "no_such_session", (long long)full->rx_errors[LSOE_E_NO_SESSION]);
	int_is(get(vf, "rx_by_type"), "VENDOR", 5);
	int_is(get(vf, "tx_by_type"), "HELLO", 6);
	int_is(get(vf, "rx_by_type"), "MPLS_IPV6_ENCAP", (long long)full->rx_by_type[7]);
	int_is(get(vf, "sessions_down"), "shutdown", 8);
	int_is(get(vz, "sessions_down"), "shutdown", 0);

	yajl_tree_free(vz);
	yajl_tree_free(vf);
	free(zero);
	free(full);
}

static void test_port_view(void **state)
{
	(void)state;
	static const char *const keys[] = { "port", "port_id", "mac", "up", "loopback", "mtu", "sessions", "encap_types",
		"counters", NULL };
	struct lsoe_counters *c = calloc(1, sizeof(*c));
	assert_non_null(c);
	c->tx_hellos = 12;
	struct lsoe_port_view p = { .port = 1, .name = "swp1", .up = true, .loopback = false, .mtu = 1500,
		.sessions = 2, .encap_types = 0x5, .counters = c };
	memcpy(p.mac, MAC_A, 6);
	yajl_val v = parse_port(&p);
	keys_are(v, keys);
	str_is(v, "port", "swp1");
	int_is(v, "port_id", 1);
	str_is(v, "mac", "02:00:00:00:00:0a");
	bool_is(v, "up", true);
	bool_is(v, "loopback", false);
	int_is(v, "mtu", 1500);
	int_is(v, "sessions", 2);
	yajl_val t = array_of(v, "encap_types", 2);
	assert_string_equal(YAJL_GET_STRING(t->u.array.values[0]), "IPV4_ENCAP");
	assert_string_equal(YAJL_GET_STRING(t->u.array.values[1]), "MPLS_IPV4_ENCAP");
	check_counter_keys(get(v, "counters"));
	int_is(get(v, "counters"), "tx_hellos", 12);

	/* A down loopback with no types, no name and no counters: same shape. */
	struct lsoe_port_view q = { .port = 9, .up = false, .loopback = true, .mtu = 65535 };
	yajl_val w = parse_port(&q);
	keys_are(w, keys);
	same_shape(v, w);
	str_is(w, "port", "9");
	bool_is(w, "up", false);
	bool_is(w, "loopback", true);
	int_is(w, "mtu", 65535);
	str_is(w, "mac", "00:00:00:00:00:00");
	array_of(w, "encap_types", 0);
	int_is(get(w, "counters"), "tx_hellos", 0);

	/* All four types, in type order. */
	q.encap_types = 0xF;
	yajl_val x = parse_port(&q);
	t = array_of(x, "encap_types", 4);
	static const char *const all[] = { "IPV4_ENCAP", "IPV6_ENCAP", "MPLS_IPV4_ENCAP", "MPLS_IPV6_ENCAP" };
	for (unsigned i = 0; i < 4; i++)
		assert_string_equal(YAJL_GET_STRING(t->u.array.values[i]), all[i]);

	yajl_tree_free(v);
	yajl_tree_free(w);
	yajl_tree_free(x);
	free(c);
}

static void test_node_memory(void **state)
{
	(void)state;
	static const char *const keys[] = { "bytes", "peak_bytes", "sessions", "ports", "timers_armed", NULL };
	struct lsoe_node_memory m = { .bytes = 4096, .peak_bytes = 8192, .sessions = 3, .ports = 2, .timers_armed = 5 };
	yajl_gen g = yajl_gen_alloc(NULL);
	assert_non_null(g);
	lsoe_json_node_memory(g, &m);
	char *t = take(g);
	yajl_val v = parse(t);
	keys_are(v, keys);
	int_is(v, "bytes", 4096);
	int_is(v, "peak_bytes", 8192);
	int_is(v, "sessions", 3);
	int_is(v, "ports", 2);
	int_is(v, "timers_armed", 5);
	yajl_tree_free(v);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seconds_text),
		cmocka_unit_test(test_event_time),
		cmocka_unit_test(test_session_up),
		cmocka_unit_test(test_session_down),
		cmocka_unit_test(test_port_without_name),
		cmocka_unit_test(test_encaps),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_error_ack_kinds),
		cmocka_unit_test(test_error_other_kinds),
		cmocka_unit_test(test_event_line),
		cmocka_unit_test(test_session_views),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_port_view),
		cmocka_unit_test(test_node_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
