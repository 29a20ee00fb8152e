/*
 * openmetrics.c: lsoed's answers as metric families (openmetrics.h).
 *
 *   lsoe_node_<counter>_total                      the node's counters, every scalar one
 *   lsoe_node_<map>_total{reason|type}             its per-reason and per-type maps
 *   lsoe_port_<counter>_total{port}, ..._total{port,reason|type}   each port's
 *   lsoe_memory_<key>                              gauges: the engine's memory
 *   lsoe_daemon_<key>_total, lsoe_daemon_reports_queued            lsoed's own
 *   lsoe_bgp_<key>_total, lsoe_bgp_links_*        the BGP-LS export, over its peers
 *   lsoe_sessions{port,state}                      sessions by state, from "show neighbors"
 *   lsoe_bgp_peer_*{peer}                          each BGP-LS peer, from "show bgp"
 *
 * every one with node="NAME" (the statistics' "node") when the daemon names itself,
 * so that several daemons on one host (one per network namespace) write distinct
 * series. Counter and map names are taken from the answer as they come, so a
 * counter the engine gains appears without a change here.
 *
 * Families are collected first (samples appended to their family, series checked
 * against the ones already written), then written in the order they were met.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "lsoe/node.h"
#include "openmetrics.h"

#define KEY_MAX 100          /* longest JSON key taken into a metric name */
#define LABEL_VALUE_MAX 512  /* octets of a label value kept (cut at a character boundary) */

/* ---- growing text ---- */

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* ---- string -> index map (open addressing, FNV-1a) ---- */

struct strmap {
	char **keys;
	size_t *vals;
	size_t cap, n;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

static size_t *map_find(const struct strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	for (size_t i = hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->keys[i])
			return NULL;
		if (strcmp(m->keys[i], key) == 0)
			return &m->vals[i];
	}
}

/* Takes key (malloc()ed) whatever happens. False when out of memory. */
static bool map_put_owned(struct strmap *m, char *key, size_t val)
{
	if (!key)
		return false;
	if (2 * (m->n + 1) > m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		char **keys = calloc(cap, sizeof(*keys));
		size_t *vals = calloc(cap, sizeof(*vals));
		if (!keys || !vals) {
			free(keys);
			free(vals);
			free(key);
			return false;
		}
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->keys[i])
				continue;
			size_t j = hash(m->keys[i]) & (cap - 1);
			while (keys[j])
				j = (j + 1) & (cap - 1);
			keys[j] = m->keys[i];
			vals[j] = m->vals[i];
		}
		free(m->keys);
		free(m->vals);
		m->keys = keys;
		m->vals = vals;
		m->cap = cap;
	}
	size_t i = hash(key) & (m->cap - 1);
	while (m->keys[i])
		i = (i + 1) & (m->cap - 1);
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return true;
}

static void map_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	*m = (struct strmap){0};
}

/* ---- families and series ---- */

struct family {
	char *name, *help;
	const char *type;
	struct buf lines;
};

struct om {
	struct family *fam;
	size_t nfam, capfam;
	struct strmap fam_index; /* name -> index in fam */
	struct strmap series;    /* "name{labels}" written */
	char node[LABEL_VALUE_MAX * 2 + 16]; /* 'node="..."' or "" */
	bool oom;
};

/* A number's text a Prometheus or OpenMetrics parser takes as a float (for a counter: not negative). */
static bool value_ok(const char *t, bool counter)
{
	if (!t || !((*t >= '0' && *t <= '9') || *t == '-'))
		return false;
	char *end;
	errno = 0;
	double d = strtod(t, &end);
	if (end == t || *end || !isfinite(d))
		return false;
	return !(counter && d < 0);
}

/* HELP text: one line, no backslash or double quote (0.0.4 and OpenMetrics escape them differently). */
static void help_text(char *out, size_t cap, const char *s)
{
	size_t o = 0;
	for (; *s && o + 1 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		out[o++] = c == '"' ? '\'' : c == '\\' ? '/' : c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	out[o] = '\0';
}

static struct family *family_get(struct om *m, const char *name, const char *type, const char *help)
{
	size_t *at = map_find(&m->fam_index, name);
	if (at)
		return strcmp(m->fam[*at].type, type) == 0 ? &m->fam[*at] : NULL; /* one type per name */
	if (m->nfam == m->capfam) {
		size_t cap = m->capfam ? 2 * m->capfam : 64;
		struct family *f = realloc(m->fam, cap * sizeof(*f));
		if (!f) {
			m->oom = true;
			return NULL;
		}
		m->fam = f;
		m->capfam = cap;
	}
	char h[512];
	help_text(h, sizeof(h), help);
	struct family *f = &m->fam[m->nfam];
	*f = (struct family){.name = strdup(name), .help = strdup(h), .type = type};
	if (!f->name || !f->help || !map_put_owned(&m->fam_index, strdup(name), m->nfam)) {
		free(f->name);
		free(f->help);
		m->oom = true;
		return NULL;
	}
	m->nfam++;
	return f;
}

/*
 * One sample: name{labels} value, labels the text between the braces ("" for none).
 * Left out when the value is not one (value_ok), when name is a family of another
 * type, or when the series was written already.
 */
static void sample(struct om *m, const char *name, const char *type, const char *help, const char *labels,
    const char *value)
{
	if (m->oom || !value_ok(value, strcmp(type, "counter") == 0))
		return;
	struct family *f = family_get(m, name, type, help);
	if (!f)
		return;
	struct buf key = {0};
	puts_(&key, name);
	if (*labels) {
		puts_(&key, "{");
		puts_(&key, labels);
		puts_(&key, "}");
	}
	if (key.oom) {
		free(key.p);
		m->oom = true;
		return;
	}
	if (map_find(&m->series, key.p)) {
		free(key.p);
		return;
	}
	puts_(&f->lines, key.p);
	puts_(&f->lines, " ");
	puts_(&f->lines, value);
	puts_(&f->lines, "\n");
	if (f->lines.oom || !map_put_owned(&m->series, key.p, 0))
		m->oom = true;
}

static void sample_u(struct om *m, const char *name, const char *type, const char *help, const char *labels,
    uint64_t v)
{
	char t[32];
	snprintf(t, sizeof(t), "%llu", (unsigned long long)v);
	sample(m, name, type, help, labels, t);
}

/* ---- labels ---- */

/*
 * Appends ',name="value"' (no comma first in an empty set) to a label set, the value
 * escaped as both formats say (\\, \", \n), other control characters (C0, DEL, C1)
 * replaced by '?', cut after LABEL_VALUE_MAX octets at a character boundary. An empty
 * value is no label (Prometheus makes no difference): nothing is appended.
 */
static void label(struct buf *b, const char *name, const char *value)
{
	if (!*value)
		return;
	if (b->len)
		puts_(b, ",");
	puts_(b, name);
	puts_(b, "=\"");
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)value; *p; p++, n++) {
		if (n >= LABEL_VALUE_MAX && (*p & 0xc0) != 0x80)
			break;
		if (*p == '\\')
			puts_(b, "\\\\");
		else if (*p == '"')
			puts_(b, "\\\"");
		else if (*p == '\n')
			puts_(b, "\\n");
		else if (*p < 0x20 || *p == 0x7f)
			puts_(b, "?");
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			puts_(b, "?");
			p++;
		} else
			put(b, (const char *)p, 1);
	}
	puts_(b, "\"");
}

/* A label set starting with the node's label. */
static void labels_start(const struct om *m, struct buf *b)
{
	*b = (struct buf){0};
	puts_(b, m->node);
}

static const char *labels_text(struct om *m, struct buf *b)
{
	if (b->oom)
		m->oom = true;
	return b->p ? b->p : "";
}

/* ---- JSON access: anything may be missing or of another type ---- */


static const char *jstr(yajl_val obj, const char *key)
{
	yajl_val v = lsoe_json_member(obj, key);
	return YAJL_IS_STRING(v) ? v->u.string : NULL;
}

static const char *jnum(yajl_val obj, const char *key)
{
	yajl_val v = lsoe_json_member(obj, key);
	return YAJL_IS_NUMBER(v) ? v->u.number.r : NULL;
}

static yajl_val jarr(yajl_val obj, const char *key)
{
	yajl_val v = lsoe_json_member(obj, key);
	return YAJL_IS_ARRAY(v) ? v : NULL;
}

/* A key that can be part of a metric name as it is: lower-case snake_case. */
static bool key_ok(const char *k)
{
	size_t n = 0;
	if (!k || !*k)
		return false;
	for (; *k; k++, n++)
		if (n >= KEY_MAX || !((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '_'))
			return false;
	return true;
}

/* A gauge's name may not end as a counter's or a summary's samples do (parsers and promtool read them so). */
static bool gauge_name_ok(const char *name)
{
	static const char *const reserved[] = {"_total", "_count", "_sum", "_bucket"};
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		size_t r = strlen(reserved[i]);
		if (n >= r && strcmp(name + n - r, reserved[i]) == 0)
			return false;
	}
	return true;
}

static bool in_list(const char *const *list, const char *k)
{
	for (; list && *list; list++)
		if (strcmp(*list, k) == 0)
			return true;
	return false;
}

static const char *doc_of(const char *const (*docs)[2], const char *k)
{
	for (; docs && (*docs)[0]; docs++)
		if (strcmp((*docs)[0], k) == 0)
			return (*docs)[1];
	return NULL;
}

/* ---- counter objects: the node's, each port's, the daemon's, the BGP-LS export's, the memory ---- */

static const char *engine_doc(const char *k)
{
	for (size_t i = 0; i < lsoe_counter_count(); i++)
		if (strcmp(lsoe_counter_name(i), k) == 0)
			return lsoe_counter_doc(i);
	return NULL;
}

static const char *const map_docs[][2] = {
	{"rx_errors", "frames or PDUs dropped, per reason"},
	{"rx_by_type", "valid PDUs received, per PDU type"},
	{"tx_by_type", "PDUs sent, per PDU type"},
	{"sessions_down", "sessions closed, per reason"},
	{NULL, NULL},
};

static const char *const daemon_docs[][2] = {
	{"tx_dropped", "frames the packet socket refused to send"},
	{"rx_vlan_skipped", "tagged frames seen on a parent interface (they arrive again on the VLAN port)"},
	{"rx_truncated", "frames larger than any port's MTU"},
	{"rx_kernel_dropped", "frames the kernel dropped before lsoed read them"},
	{"netlink_resyncs", "rtnetlink resynchronisations"},
	{"reports_sent", "report-url posts sent"},
	{"report_failures", "report-url posts that failed (each attempt)"},
	{"reports_dropped", "report-url posts dropped: queue full"},
	{"reports_queued", "report-url posts waiting"},
	{NULL, NULL},
};

static const char *const bgp_docs[][2] = {
	{"connects", "TCP connections opened"},
	{"established", "sessions established"},
	{"messages_sent", "BGP messages sent"},
	{"messages_received", "BGP messages received"},
	{"updates_sent", "links advertised in UPDATEs"},
	{"withdrawals_sent", "links withdrawn in UPDATEs"},
	{"notifications_sent", "NOTIFICATIONs sent"},
	{"notifications_received", "NOTIFICATIONs received"},
	{"rx_errors", "malformed messages received"},
	{"links_advertised", "links the peers hold"},
	{"links_pending", "links waiting to be sent"},
	{"links_exported", "links of the link view to export"},
	{"links_dropped", "links left out of the export (beyond its bound)"},
	{NULL, NULL},
};

static const char *const memory_docs[][2] = {
	{"bytes", "memory the protocol engine holds, in bytes"},
	{"peak_bytes", "the most memory the protocol engine held, in bytes"},
	{"sessions", "sessions the protocol engine holds"},
	{"ports", "ports the protocol engine holds"},
	{"timers_armed", "timers armed in the protocol engine"},
	{NULL, NULL},
};

struct group {
	const char *prefix;              /* "lsoe_node_" */
	const char *scope;               /* the HELP's first words */
	const char *const (*docs)[2];    /* key -> description; engine_doc when NULL */
	const char *const *gauges;       /* the scalar keys that are gauges */
	bool all_gauges;                 /* every scalar a gauge; maps left out */
};

static const char *const daemon_gauges[] = {"reports_queued", NULL};
static const char *const bgp_gauges[] = {"links_advertised", "links_pending", "links_exported", "links_dropped", NULL};

static const struct group node_group = {"lsoe_node_", "LSOE node, all ports", NULL, NULL, false};
static const struct group port_group = {"lsoe_port_", "LSOE port", NULL, NULL, false};
static const struct group daemon_group = {"lsoe_daemon_", "lsoed", daemon_docs, daemon_gauges, false};
static const struct group bgp_group = {"lsoe_bgp_", "BGP-LS export, all peers", bgp_docs, bgp_gauges, false};
static const struct group memory_group = {"lsoe_memory_", "LSOE engine", memory_docs, NULL, true};

/*
 * Every number of obj as a sample of PREFIX<key>_total (a counter) or PREFIX<key> (a
 * gauge), and every object of numbers in it (a map: rx_errors, sessions_down, ...)
 * as PREFIX<key>_total{reason="<its key>"} (type= for the per-type maps).
 */
static void counters(struct om *m, yajl_val obj, const struct group *g, const char *labels)
{
	char name[256], help[512];
	if (!YAJL_IS_OBJECT(obj))
		return;
	for (size_t i = 0; i < obj->u.object.len && !m->oom; i++) {
		const char *k = obj->u.object.keys[i];
		yajl_val v = obj->u.object.values[i];
		if (!key_ok(k))
			continue;
		const char *doc = g->docs ? doc_of(g->docs, k) : engine_doc(k);
		if (YAJL_IS_NUMBER(v)) {
			bool gauge = g->all_gauges || in_list(g->gauges, k);
			snprintf(name, sizeof(name), "%s%s%s", g->prefix, k, gauge ? "" : "_total");
			if (gauge && !gauge_name_ok(name))
				continue;
			snprintf(help, sizeof(help), "%s: %s", g->scope, doc ? doc : k);
			sample(m, name, gauge ? "gauge" : "counter", help, labels, v->u.number.r);
		} else if (YAJL_IS_OBJECT(v) && !g->all_gauges) {
			bool per_type = strcmp(k, "rx_by_type") == 0 || strcmp(k, "tx_by_type") == 0;
			const char *mdoc = doc_of(map_docs, k);
			snprintf(name, sizeof(name), "%s%s_total", g->prefix, k);
			if (mdoc)
				snprintf(help, sizeof(help), "%s: %s", g->scope, mdoc);
			else
				snprintf(help, sizeof(help), "%s: %s, per %s", g->scope, doc ? doc : k, per_type ? "type" : "reason");
			for (size_t j = 0; j < v->u.object.len && !m->oom; j++) {
				yajl_val x = v->u.object.values[j];
				if (!YAJL_IS_NUMBER(x) || !v->u.object.keys[j] || !*v->u.object.keys[j])
					continue; /* an unnamed reason would be the scalar's series */
				struct buf l = {0};
				put(&l, labels, strlen(labels));
				label(&l, per_type ? "type" : "reason", v->u.object.keys[j]);
				sample(m, name, "counter", help, labels_text(m, &l), x->u.number.r);
				free(l.p);
			}
		}
	}
}

/* ---- sessions by port and state, from "show neighbors" ---- */

static const char *const session_states[] = {"opening", "established", "held"};
#define SESSIONS_HELP "LSOE sessions, per port and state (opening, established, held: stopped after a hopeless error)"

struct tally {
	struct strmap index; /* label text -> entry */
	char **labels;
	uint64_t *count;
	size_t n, cap;
	struct strmap ports;
};

static size_t tally_entry(struct om *m, struct tally *t, const char *port, const char *state)
{
	struct buf l;
	labels_start(m, &l);
	label(&l, "port", port);
	label(&l, "state", state);
	const char *text = labels_text(m, &l);
	size_t *at = map_find(&t->index, text);
	if (at || m->oom) {
		free(l.p);
		return at ? *at : SIZE_MAX;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		char **labels = realloc(t->labels, cap * sizeof(*labels));
		if (labels)
			t->labels = labels;
		uint64_t *count = realloc(t->count, cap * sizeof(*count));
		if (count)
			t->count = count;
		if (!labels || !count) {
			free(l.p);
			m->oom = true;
			return SIZE_MAX;
		}
		t->cap = cap;
	}
	if (!map_put_owned(&t->index, strdup(text), t->n)) {
		free(l.p);
		m->oom = true;
		return SIZE_MAX;
	}
	t->labels[t->n] = l.p ? l.p : strdup("");
	t->count[t->n] = 0;
	return t->n++;
}

/* A port's three usual states, at 0 unless counted. */
static void tally_port(struct om *m, struct tally *t, const char *port)
{
	if (map_find(&t->ports, port))
		return;
	if (!map_put_owned(&t->ports, strdup(port), 0)) {
		m->oom = true;
		return;
	}
	for (size_t s = 0; s < sizeof(session_states) / sizeof(session_states[0]); s++)
		tally_entry(m, t, port, session_states[s]);
}

static void sessions(struct om *m, yajl_val stats, yajl_val neighbors)
{
	yajl_val list = jarr(neighbors, "neighbors");
	if (!list)
		return;
	struct tally t = {0};
	yajl_val ifs = jarr(stats, "interfaces");
	for (size_t i = 0; ifs && i < ifs->u.array.len && !m->oom; i++) {
		const char *port = jstr(ifs->u.array.values[i], "port");
		if (port && *port)
			tally_port(m, &t, port);
	}
	for (size_t i = 0; i < list->u.array.len && !m->oom; i++) {
		yajl_val s = list->u.array.values[i];
		const char *port = jstr(s, "port"), *state = jstr(s, "state");
		if (!port || !*port || !state || !*state)
			continue;
		if (YAJL_IS_TRUE(lsoe_json_member(s, "held")) || strcmp(state, "hold") == 0)
			state = "held";
		tally_port(m, &t, port);
		size_t e = tally_entry(m, &t, port, state);
		if (e != SIZE_MAX)
			t.count[e]++;
	}
	for (size_t e = 0; e < t.n; e++) {
		sample_u(m, "lsoe_sessions", "gauge", SESSIONS_HELP, t.labels[e], t.count[e]);
		free(t.labels[e]);
	}
	free(t.labels);
	free(t.count);
	map_free(&t.index);
	map_free(&t.ports);
}

/* ---- BGP-LS peers, from "show bgp" ---- */

static const char *const bgp_states[] = {"idle", "connect", "opensent", "openconfirm", "established"};
#define BGP_STATE_HELP "BGP-LS peer: 1 for the session's state, 0 for the others"

static const struct {
	const char *key, *name, *type, *help;
} bgp_peer_numbers[] = {
	{"uptime", "lsoe_bgp_peer_uptime_seconds", "gauge", "BGP-LS peer: seconds in established, 0 in any other state"},
	{"links_advertised", "lsoe_bgp_peer_links_advertised", "gauge", "BGP-LS peer: links (address pairs) it holds from us"},
	{"hold_time", "lsoe_bgp_peer_hold_time_seconds", "gauge", "BGP-LS peer: negotiated hold time (0 before established)"},
	{"updates_sent", "lsoe_bgp_peer_updates_sent_total", "counter", "BGP-LS peer: links advertised in UPDATEs"},
	{"withdrawals_sent", "lsoe_bgp_peer_withdrawals_sent_total", "counter", "BGP-LS peer: links withdrawn in UPDATEs"},
	{"notifications_sent", "lsoe_bgp_peer_notifications_sent_total", "counter", "BGP-LS peer: NOTIFICATIONs sent"},
	{"notifications_received", "lsoe_bgp_peer_notifications_received_total", "counter",
	    "BGP-LS peer: NOTIFICATIONs received"},
	{"connects", "lsoe_bgp_peer_connects_total", "counter", "BGP-LS peer: TCP connections opened"},
};

static void bgp_peer(struct om *m, yajl_val p)
{
	const char *peer = jstr(p, "peer"), *state = jstr(p, "state");
	if (!peer || !*peer)
		return;
	struct buf l;
	labels_start(m, &l);
	label(&l, "peer", peer);
	const char *labels = labels_text(m, &l);
	if (state && *state) {
		bool known = false;
		sample_u(m, "lsoe_bgp_peer_up", "gauge", "BGP-LS peer: 1 when the session is established, else 0", labels,
		    strcmp(state, "established") == 0);
		for (size_t s = 0; s < sizeof(bgp_states) / sizeof(bgp_states[0]); s++) {
			struct buf ls = {0};
			put(&ls, labels, strlen(labels));
			label(&ls, "state", bgp_states[s]);
			bool now = strcmp(state, bgp_states[s]) == 0;
			known |= now;
			sample_u(m, "lsoe_bgp_peer_state", "gauge", BGP_STATE_HELP, labels_text(m, &ls), now);
			free(ls.p);
		}
		if (!known) {
			struct buf ls = {0};
			put(&ls, labels, strlen(labels));
			label(&ls, "state", state);
			sample_u(m, "lsoe_bgp_peer_state", "gauge", BGP_STATE_HELP, labels_text(m, &ls), 1);
			free(ls.p);
		}
	}
	for (size_t i = 0; i < sizeof(bgp_peer_numbers) / sizeof(bgp_peer_numbers[0]); i++) {
		const char *v = jnum(p, bgp_peer_numbers[i].key);
		if (v)
			sample(m, bgp_peer_numbers[i].name, bgp_peer_numbers[i].type, bgp_peer_numbers[i].help, labels, v);
	}
	/* The session's parameters, as labels of a constant 1. */
	static const char *const info[] = {"local_as", "peer_as", "safi", "router_id"};
	struct buf li = {0};
	put(&li, labels, strlen(labels));
	for (size_t i = 0; i < sizeof(info) / sizeof(info[0]); i++) {
		const char *v = jnum(p, info[i]);
		label(&li, info[i], v ? v : jstr(p, info[i]) ? jstr(p, info[i]) : "");
	}
	sample_u(m, "lsoe_bgp_peer_info", "gauge", "BGP-LS peer: its AS numbers, SAFI and BGP Identifier, as labels",
	    labels_text(m, &li), 1);
	free(li.p);
	free(l.p);
}

/* ---- the whole ---- */

char *openmetrics_render(yajl_val stats, yajl_val neighbors, yajl_val bgp, size_t *len)
{
	struct om m = {0};
	const char *node = jstr(stats, "node");
	if (node && *node) {
		struct buf l = {0};
		label(&l, "node", node);
		if (l.oom || l.len >= sizeof(m.node))
			m.oom = true;
		else
			memcpy(m.node, l.p, l.len + 1);
		free(l.p);
	}
	const char *base = m.node;
	counters(&m, lsoe_json_member(stats, "counters"), &node_group, base);
	counters(&m, lsoe_json_member(stats, "memory"), &memory_group, base);
	counters(&m, lsoe_json_member(stats, "daemon"), &daemon_group, base);
	counters(&m, lsoe_json_member(stats, "bgp"), &bgp_group, base);
	yajl_val ifs = jarr(stats, "interfaces");
	for (size_t i = 0; ifs && i < ifs->u.array.len && !m.oom; i++) {
		yajl_val p = ifs->u.array.values[i];
		const char *port = jstr(p, "port");
		if (!port || !*port)
			continue;
		struct buf l;
		labels_start(&m, &l);
		label(&l, "port", port);
		counters(&m, lsoe_json_member(p, "counters"), &port_group, labels_text(&m, &l));
		free(l.p);
	}
	sessions(&m, stats, neighbors);
	yajl_val peers = jarr(bgp, "peers");
	for (size_t i = 0; peers && i < peers->u.array.len && !m.oom; i++)
		bgp_peer(&m, peers->u.array.values[i]);

	struct buf out = {0};
	for (size_t i = 0; i < m.nfam; i++) {
		struct family *f = &m.fam[i];
		if (!m.oom && f->lines.len) {
			puts_(&out, "# HELP ");
			puts_(&out, f->name);
			puts_(&out, " ");
			puts_(&out, f->help);
			puts_(&out, "\n# TYPE ");
			puts_(&out, f->name);
			puts_(&out, " ");
			puts_(&out, f->type);
			puts_(&out, "\n");
			put(&out, f->lines.p, f->lines.len);
		}
		free(f->name);
		free(f->help);
		free(f->lines.p);
	}
	puts_(&out, "# EOF\n");
	free(m.fam);
	map_free(&m.fam_index);
	map_free(&m.series);
	if (m.oom || out.oom) {
		free(out.p);
		return NULL;
	}
	*len = out.len;
	return out.p;
}
