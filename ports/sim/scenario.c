/*
 * The scenario parser (format: sim-scenarios/README.md; structure: scenario.h).
 *
 * The file becomes a JSON tree with positions (json_dom.c), which is then read
 * section by section: the topology first (every later name refers to it), its
 * addresses, the link properties, each node's configuration and loopbacks, then events,
 * processes and expectations. Everything is checked as it is read, and the first
 * problem is reported as FILE:LINE:COLUMN: message, at the value (or, for an
 * unknown key, the key) it is about. Every object's keys are checked against the
 * keys it may have, with a suggestion for a near miss.
 *
 * Numbers of seconds are converted from their decimal text exactly (not through a
 * double), rounded to the nearest nanosecond; probabilities are doubles.
 */
#include "scenario.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format.h"
#include "json_dom.h"
#include "lsoe/event.h"

#define NS_PER_S     1000000000ull
#define MAX_SECONDS  10000000ull                 /* 10^7 s, about 116 days */
#define MAX_NS       (MAX_SECONDS * NS_PER_S)

#define MAX_SOURCES  (1u << 24)                  /* mac_flood */
#define MAX_RATE     1000000000u

/* Bounds on what a file can make us allocate beyond its own size. */
#define MAX_EXPECTS      10000
#define MAX_PROCS        10000
#define MAX_TARGETS      1000000                 /* process targets in all ("all" expands) */
#define MAX_CONFIG_SETS  10000                   /* keys set by config events in all (1 KiB each) */

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- name tables ---- */

/* Node names to indexes, open addressing; the names are the node specs' own. */
struct smap {
	size_t cap;                  /* a power of two, or 0 */
	const char **keys;
	int *vals;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static bool smap_init(struct smap *m, size_t n)
{
	size_t cap = 16;
	while (cap < 2 * n + 2)
		cap *= 2;
	m->keys = calloc(cap, sizeof(*m->keys));
	m->vals = calloc(cap, sizeof(*m->vals));
	m->cap = cap;
	return m->keys && m->vals;
}

static void smap_free(struct smap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static int smap_get(const struct smap *m, const char *k)
{
	if (!m->cap)
		return -1;
	for (size_t i = hash_str(k) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->keys[i])
			return -1;
		if (strcmp(m->keys[i], k) == 0)
			return m->vals[i];
	}
}

/* Insert k (kept: it must outlive the table); returns the value already there (and inserts nothing), -1 if inserted. */
static int smap_put(struct smap *m, const char *k, int v)
{
	for (size_t i = hash_str(k) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->keys[i]) {
			m->keys[i] = k;
			m->vals[i] = v;
			return -1;
		}
		if (strcmp(m->keys[i], k) == 0)
			return m->vals[i];
	}
}

/*
 * Link names ("a-b" and "b-a") to link indexes. Only their hashes are stored: a
 * candidate is confirmed against its ends' names, so no name is kept per link.
 */
struct lmap {
	size_t cap;                  /* a power of two, or 0 */
	uint64_t *h;                 /* 0: empty */
	uint32_t *v;                 /* link index << 1 | 1 for "b-a" */
};

static bool lmap_init(struct lmap *m, size_t n)
{
	size_t cap = 16;
	while (cap < 2 * n + 2)
		cap *= 2;
	m->h = calloc(cap, sizeof(*m->h));
	m->v = calloc(cap, sizeof(*m->v));
	m->cap = cap;
	return m->h && m->v;
}

static void lmap_free(struct lmap *m)
{
	free(m->h);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* The FNV-1a hash of x "-" y (hash_str of the joined name, without writing it). */
static uint64_t hash_joined(const char *x, const char *y)
{
	uint64_t h = 1469598103934665603ull;
	for (const char *p[3] = { x, "-", y }, **q = p; q < p + 3; q++)
		for (const char *c = *q; *c; c++) {
			h ^= (unsigned char)*c;
			h *= 1099511628211ull;
		}
	return h ? h : 1;
}

/* strcmp of x1 "-" y1 with x2 "-" y2, without writing them. */
static int joined_cmp(const char *x1, const char *y1, const char *x2, const char *y2)
{
	const char *p1[3] = { x1, "-", y1 }, *p2[3] = { x2, "-", y2 };
	const char *s = p1[0], *t = p2[0];
	int i = 0, j = 0;
	for (;;) {
		while (!*s && i < 2)
			s = p1[++i];
		while (!*t && j < 2)
			t = p2[++j];
		if (*s != *t || !*s)
			return (unsigned char)*s < (unsigned char)*t ? -1 : (unsigned char)*s > (unsigned char)*t;
		s++;
		t++;
	}
}

/* Whether s is x "-" y. */
static bool is_joined(const char *s, const char *x, const char *y)
{
	size_t lx = strlen(x);
	return strncmp(s, x, lx) == 0 && s[lx] == '-' && strcmp(s + lx + 1, y) == 0;
}

/*
 * The link named x "-" y (either way round; y NULL: x is the whole name), or -1.
 * h: the name's hash.
 */
static int lmap_find(const struct lmap *m, const struct sim_scenario *sc, const char *x, const char *y, uint64_t h)
{
	if (!m->cap)
		return -1;
	for (size_t i = h & (m->cap - 1); m->h[i]; i = (i + 1) & (m->cap - 1)) {
		if (m->h[i] != h)
			continue;
		const struct sim_link_spec *l = &sc->links[m->v[i] >> 1];
		const char *na = sc->nodes[l->a].name, *nb = sc->nodes[l->b].name;
		if (m->v[i] & 1) {
			const char *t = na;
			na = nb;
			nb = t;
		}
		if (y ? joined_cmp(x, y, na, nb) == 0 : is_joined(x, na, nb))
			return (int)(m->v[i] >> 1);
	}
	return -1;
}

/* The link named s (either way round), or -1. */
static int lmap_get(const struct lmap *m, const struct sim_scenario *sc, const char *s)
{
	uint64_t h = hash_str(s);
	return lmap_find(m, sc, s, NULL, h ? h : 1);
}

static void lmap_put(struct lmap *m, uint64_t h, uint32_t link, bool rev)
{
	size_t i = h & (m->cap - 1);
	while (m->h[i])
		i = (i + 1) & (m->cap - 1);
	m->h[i] = h;
	m->v[i] = link << 1 | (rev ? 1u : 0u);
}

/* Unordered node pairs, for duplicate links. */
struct pset {
	size_t cap;
	uint64_t *e;                 /* 0: empty */
};

static bool pset_init(struct pset *s, size_t n)
{
	size_t cap = 16;
	while (cap < 2 * n + 2)
		cap *= 2;
	s->e = calloc(cap, sizeof(*s->e));
	s->cap = cap;
	return s->e != NULL;
}

static uint64_t pair_key(int a, int b)
{
	uint64_t lo = (uint64_t)(a < b ? a : b), hi = (uint64_t)(a < b ? b : a);
	return ((lo << 32) | hi) + 1;
}

/* The slot of k, or the empty slot where it would go. */
static size_t pset_slot(const struct pset *s, uint64_t k)
{
	size_t i = (size_t)((k * 0x9E3779B97F4A7C15ull) >> 17) & (s->cap - 1);
	while (s->e[i] && s->e[i] != k)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static bool pset_has(const struct pset *s, uint64_t k)
{
	return s->e[pset_slot(s, k)] == k;
}

/* Adds the pair; false if it was there already. */
static bool pset_add(struct pset *s, uint64_t k)
{
	size_t i = pset_slot(s, k);
	if (s->e[i])
		return false;
	s->e[i] = k;
	return true;
}

/* ---- the parser's state and messages ---- */

struct P {
	const char *file;            /* in messages */
	char *err;
	size_t cap;
	bool failed;
	struct sim_scenario *sc;
	struct smap node_map;        /* node name -> index */
	struct lmap link_map;        /* "a-b" and "b-a" -> link index */
	size_t nodes_cap, links_cap; /* allocated */
	struct pset pairs;
	struct lsoe_config base;     /* defaults + "defaults" */
	size_t targets, config_sets; /* totals, against MAX_TARGETS and MAX_CONFIG_SETS */
};

__attribute__((format(printf, 4, 0)))
static bool vfail(struct P *p, uint32_t line, uint32_t col, const char *fmt, va_list ap)
{
	if (p->failed)
		return false;
	p->failed = true;
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (p->cap) {
		if (line)
			snprintf(p->err, p->cap, "%s:%u:%u: %s", p->file, line, col, msg);
		else
			snprintf(p->err, p->cap, "%s: %s", p->file, msg);
	}
	return false;
}

/* At a value (NULL: no position). Always returns false. */
__attribute__((format(printf, 3, 4)))
static bool fail_v(struct P *p, const struct jd_value *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(p, v ? v->line : 0, v ? v->col : 0, fmt, ap);
	va_end(ap);
	return false;
}

/* At an object's key. */
__attribute__((format(printf, 3, 4)))
static bool fail_m(struct P *p, const struct jd_member *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(p, m->line, m->col, fmt, ap);
	va_end(ap);
	return false;
}

#define SHOWV(buf, v) lsoe_fmt_quotable((buf), sizeof(buf), (v)->u.str.s, (v)->u.str.len)
#define SHOWK(buf, m) lsoe_fmt_quotable((buf), sizeof(buf), (m)->key, (m)->key_len)

/* Levenshtein distance, or a large number beyond 2 (and for long strings). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64 || (la > lb ? la - lb : lb - la) > 2)
		return 99;
	size_t row[66];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* " (did you mean 'x'?)" for the nearest candidate within 2 edits, else "". */
struct suggest {
	const char *word;
	const char *best;
	size_t d;
};

static void suggest_try(struct suggest *s, const char *cand)
{
	if (!cand || !s->word)
		return;
	size_t d = distance(s->word, cand);
	if (d <= 2 && d < s->d) {
		s->d = d;
		s->best = cand;
	}
}

static const char *suggest_text(char *out, size_t cap, const struct suggest *s)
{
	if (s->best)
		snprintf(out, cap, " (did you mean '%s'?)", s->best);
	else if (cap)
		out[0] = '\0';
	return out;
}

static const char *did_you_mean(char *out, size_t cap, const char *word, const char *const *cands, size_t n)
{
	struct suggest s = { word, NULL, 99 };
	for (size_t i = 0; i < n; i++)
		suggest_try(&s, cands[i]);
	return suggest_text(out, cap, &s);
}

/* ---- types ---- */

/* Every key of obj must be one of allowed (NULL-terminated). */
static bool check_keys(struct P *p, const struct jd_value *obj, const char *const *allowed, const char *where)
{
	for (size_t i = 0; i < obj->u.obj.n; i++) {
		const struct jd_member *m = &obj->u.obj.items[i];
		bool ok = false;
		size_t n = 0;
		for (; allowed[n]; n++)
			if (strlen(allowed[n]) == m->key_len && memcmp(allowed[n], m->key, m->key_len) == 0)
				ok = true;
		if (!ok) {
			char k[LSOE_QUOTABLE_STRLEN], dym[128];
			SHOWK(k, m);
			return fail_m(p, m, "unknown key '%s' in %s%s", k, where,
			    did_you_mean(dym, sizeof(dym), strlen(m->key) == m->key_len ? m->key : NULL, allowed, n));
		}
	}
	return true;
}

static bool want_object(struct P *p, const struct jd_value *v, const char *label)
{
	if (v->type != JD_OBJECT)
		return fail_v(p, v, "%s: expected an object, not %s", label, jd_type_name(v->type));
	return true;
}

static bool want_array(struct P *p, const struct jd_value *v, const char *label, const char *of)
{
	if (v->type != JD_ARRAY)
		return fail_v(p, v, "%s: expected a list of %s", label, of);
	return true;
}

static bool want_bool(struct P *p, const struct jd_value *v, const char *label, bool *out)
{
	if (v->type != JD_BOOL)
		return fail_v(p, v, "%s: expected true or false", label);
	*out = v->u.b;
	return true;
}

/* A string without NUL characters. */
static bool want_string(struct P *p, const struct jd_value *v, const char *label, const char *what)
{
	if (v->type != JD_STRING)
		return fail_v(p, v, "%s: expected %s", label, what);
	if (strlen(v->u.str.s) != v->u.str.len)
		return fail_v(p, v, "%s: contains a NUL character", label);
	return true;
}

static bool is_str(const struct jd_value *v, const char *s)
{
	return v->type == JD_STRING && strlen(s) == v->u.str.len && memcmp(v->u.str.s, s, v->u.str.len) == 0;
}

/* A required key: its value, or NULL (and failed). */
static const struct jd_value *need(struct P *p, const struct jd_value *obj, const char *key, const char *where)
{
	const struct jd_value *v = jd_get(obj, key);
	if (!v)
		fail_v(p, obj, "missing key '%s' in %s", key, where);
	return v;
}

enum dec { DEC_OK, DEC_NEG, DEC_BIG };

/*
 * A JSON number (as written) times 10^shift, as an integer: rounded to the
 * nearest (halves up) if round, else *inexact says whether digits were dropped.
 */
static enum dec decimal(const char *s, int shift, bool round, uint64_t *out, bool *inexact)
{
	bool neg = *s == '-';
	if (neg)
		s++;
	const char *ip = s;
	size_t ni = 0;
	while (s[ni] >= '0' && s[ni] <= '9')
		ni++;
	const char *fp = s + ni;
	size_t nf = 0;
	if (*fp == '.') {
		fp++;
		while (fp[nf] >= '0' && fp[nf] <= '9')
			nf++;
	}
	const char *ep = fp + nf;
	long long e = 0;
	if (*ep == 'e' || *ep == 'E') {
		ep++;
		bool eneg = *ep == '-';
		if (*ep == '-' || *ep == '+')
			ep++;
		for (; *ep >= '0' && *ep <= '9'; ep++)
			if (e < 100000000)
				e = e * 10 + (*ep - '0');
		if (eneg)
			e = -e;
	}
	/* The digits ip[0..ni) fp[0..nf) are D; D[k] is worth 10^(ni - 1 - k + e + shift). */
	size_t nd = ni + nf;
	size_t fz = 0;
	while (fz < nd && (fz < ni ? ip[fz] : fp[fz - ni]) == '0')
		fz++;
	*out = 0;
	*inexact = false;
	if (fz == nd)
		return DEC_OK; /* zero, or minus zero */
	if (neg)
		return DEC_NEG;
	long long e0 = (long long)ni + e + shift; /* digits of D left of the point */
	if (e0 - (long long)fz > 20)
		return DEC_BIG;
	uint64_t x = 0;
	for (long long k = (long long)fz; k < e0; k++) {
		unsigned d = (size_t)k < nd ? (unsigned)(((size_t)k < ni ? ip[k] : fp[k - (long long)ni]) - '0') : 0;
		if (x > (UINT64_MAX - d) / 10)
			return DEC_BIG;
		x = x * 10 + d;
	}
	size_t first_dropped = e0 > 0 ? (size_t)e0 : 0;
	for (size_t k = first_dropped > fz ? first_dropped : fz; k < nd; k++)
		if ((k < ni ? ip[k] : fp[k - ni]) != '0')
			*inexact = true;
	if (round && e0 >= 0 && (size_t)e0 < nd) {
		size_t k = (size_t)e0;
		if ((k < ni ? ip[k] : fp[k - ni]) >= '5') {
			if (x == UINT64_MAX)
				return DEC_BIG;
			x++;
		}
	}
	*out = x;
	return DEC_OK;
}

/* A number of seconds, to nanoseconds. */
static bool want_time(struct P *p, const struct jd_value *v, const char *label, uint64_t *ns)
{
	if (v->type != JD_NUMBER)
		return fail_v(p, v, "%s: expected a number of seconds", label);
	bool inexact;
	switch (decimal(v->u.str.s, 9, true, ns, &inexact)) {
	case DEC_NEG:
		return fail_v(p, v, "%s: must not be negative", label);
	case DEC_BIG:
		return fail_v(p, v, "%s: must be at most %llu seconds", label, MAX_SECONDS);
	case DEC_OK:
		break;
	}
	if (*ns > MAX_NS)
		return fail_v(p, v, "%s: must be at most %llu seconds", label, MAX_SECONDS);
	return true;
}

static bool want_time_pos(struct P *p, const struct jd_value *v, const char *label, uint64_t *ns)
{
	if (!want_time(p, v, label, ns))
		return false;
	if (*ns == 0)
		return fail_v(p, v, "%s: must be greater than 0", label);
	return true;
}

/* A whole number in [min, max]. */
static bool want_uint(struct P *p, const struct jd_value *v, const char *label, uint64_t min, uint64_t max,
    uint64_t *out)
{
	if (v->type != JD_NUMBER)
		return fail_v(p, v, "%s: expected a whole number", label);
	bool inexact;
	enum dec r = decimal(v->u.str.s, 0, false, out, &inexact);
	if (r == DEC_OK && inexact)
		return fail_v(p, v, "%s: expected a whole number", label);
	if (r == DEC_NEG || (r == DEC_OK && *out < min))
		return fail_v(p, v, "%s: must be at least %llu", label, (unsigned long long)min);
	if (r == DEC_BIG || *out > max)
		return fail_v(p, v, "%s: must be at most %llu", label, (unsigned long long)max);
	return true;
}

static bool want_prob(struct P *p, const struct jd_value *v, const char *label, double *out)
{
	if (v->type != JD_NUMBER)
		return fail_v(p, v, "%s: expected a probability (a number from 0 to 1)", label);
	double x = strtod(v->u.str.s, NULL);
	if (!isfinite(x) || x < 0 || x > 1)
		return fail_v(p, v, "%s: must be between 0 and 1", label);
	*out = x == 0 ? 0.0 : x; /* no minus zero */
	return true;
}

/* ---- addresses ---- */

/* "ADDR/LEN" */
static bool parse_addr(struct P *p, const struct jd_value *v, const char *label, struct sim_addr *a)
{
	if (!want_string(p, v, label, "an address with its prefix length, e.g. \"10.0.0.1/31\""))
		return false;
	char buf[64], s[LSOE_QUOTABLE_STRLEN];
	const char *slash = strchr(v->u.str.s, '/');
	size_t alen = slash ? (size_t)(slash - v->u.str.s) : 0;
	memset(a, 0, sizeof(*a));
	if (!slash || alen == 0 || alen >= sizeof(buf))
		return fail_v(p, v, "%s: '%s' is not ADDRESS/LENGTH, e.g. \"10.0.0.1/31\" or \"2001:db8::1/127\"", label,
		    SHOWV(s, v));
	memcpy(buf, v->u.str.s, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, a->addr) == 1)
		a->family = 4;
	else if (inet_pton(AF_INET6, buf, a->addr) == 1)
		a->family = 6;
	else
		return fail_v(p, v, "%s: '%s' is not an IPv4 or IPv6 address", label, SHOWV(s, v));
	const char *l = slash + 1;
	unsigned len = 0, max = a->family == 4 ? 32 : 128;
	size_t nl = 0;
	for (; l[nl] >= '0' && l[nl] <= '9' && nl < 4; nl++)
		len = len * 10 + (unsigned)(l[nl] - '0');
	if (nl == 0 || l[nl] || len > max)
		return fail_v(p, v, "%s: '%s': the prefix length must be a number from 0 to %u", label, SHOWV(s, v), max);
	a->prefix_len = (uint8_t)len;
	return true;
}

/* A list of at most max "ADDR/LEN" replacing *list; the first of each family is Primary. */
static bool parse_addr_list(struct P *p, const struct jd_value *v, const char *label, unsigned max,
    struct sim_addr **list, unsigned *n)
{
	if (!want_array(p, v, label, "addresses (\"ADDR/LEN\")"))
		return false;
	if (v->u.arr.n > max)
		return fail_v(p, v, "%s: at most %u addresses", label, max);
	free(*list);
	*list = NULL;
	*n = 0;
	if (v->u.arr.n == 0)
		return true;
	struct sim_addr *out = calloc(v->u.arr.n, sizeof(*out));
	if (!out)
		return fail_v(p, v, "out of memory");
	*list = out; /* freed with the scenario, even if this fails below */
	bool have4 = false, have6 = false;
	for (size_t i = 0; i < v->u.arr.n; i++) {
		struct sim_addr *a = &out[i];
		if (!parse_addr(p, v->u.arr.items[i], label, a))
			return false;
		for (size_t j = 0; j < i; j++)
			if (out[j].family == a->family && memcmp(out[j].addr, a->addr, 16) == 0) {
				char s[LSOE_QUOTABLE_STRLEN];
				return fail_v(p, v->u.arr.items[i], "%s: '%s' is listed twice", label,
				    SHOWV(s, v->u.arr.items[i]));
			}
		bool *have = a->family == 4 ? &have4 : &have6;
		a->primary = !*have;
		*have = true;
	}
	*n = (unsigned)v->u.arr.n;
	return true;
}

/*
 * Link i's generated addresses at one end (side 0: a): a /31 of 10.0.0.0/8 and a /127
 * of 2001:db8::/32 numbered by the index, each Primary. Computed when needed, not stored.
 */
static void gen_addrs(size_t i, int side, struct sim_addr out[2])
{
	memset(out, 0, 2 * sizeof(*out));
	uint32_t v4 = (10u << 24) + 2u * (uint32_t)i + (side ? 1u : 0u);
	out[0].family = 4;
	out[0].prefix_len = 31;
	out[0].primary = true;
	for (int k = 0; k < 4; k++)
		out[0].addr[k] = (uint8_t)(v4 >> (24 - 8 * k));
	static const uint8_t prefix[4] = { 0x20, 0x01, 0x0d, 0xb8 };
	out[1].family = 6;
	out[1].prefix_len = 127;
	out[1].primary = true;
	memcpy(out[1].addr, prefix, 4);
	out[1].addr[4] = (uint8_t)(i >> 24);
	out[1].addr[5] = (uint8_t)(i >> 16);
	out[1].addr[6] = (uint8_t)(i >> 8);
	out[1].addr[7] = (uint8_t)i;
	out[1].addr[15] = side ? 0x0b : 0x0a;
}

/* A copy of the generated pair (NULL, 0 without addresses), for a list the file may then replace. */
static bool gen_addrs_copy(const struct sim_scenario *sc, size_t i, int side, struct sim_addr **list, unsigned *n)
{
	*list = NULL;
	*n = 0;
	if (!sc->addresses)
		return true;
	if (!(*list = malloc(2 * sizeof(**list))))
		return false;
	gen_addrs(i, side, *list);
	*n = 2;
	return true;
}

/* ---- topology ---- */

/* Node names: 1 to 63 of [A-Za-z0-9_.-], not starting with '-' or '.'. */
static bool name_ok(const char *s, size_t len)
{
	if (len == 0 || len >= SIM_NAME_MAX || s[0] == '-' || s[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		    c == '-' || c == '.'))
			return false;
	}
	return true;
}

size_t sim_topology_max_nodes = SIM_MAX_NODES, sim_topology_max_links = SIM_MAX_LINKS;

static bool alloc_topology(struct P *p, const struct jd_value *at, uint64_t nodes, uint64_t links)
{
	if (nodes > sim_topology_max_nodes)
		return fail_v(p, at, "the topology has %llu nodes; at most %zu", (unsigned long long)nodes,
		    sim_topology_max_nodes);
	if (links > sim_topology_max_links)
		return fail_v(p, at, "the topology has %llu links; at most %zu", (unsigned long long)links,
		    sim_topology_max_links);
	struct sim_scenario *sc = p->sc;
	sc->nodes = calloc(nodes ? nodes : 1, sizeof(*sc->nodes));
	sc->links = calloc(links ? links : 1, sizeof(*sc->links));
	p->nodes_cap = (size_t)nodes;
	p->links_cap = (size_t)links;
	if (!sc->nodes || !sc->links || !smap_init(&p->node_map, nodes) || !lmap_init(&p->link_map, 2 * links) ||
	    !pset_init(&p->pairs, links))
		return fail_v(p, at, "out of memory");
	return true;
}

static bool add_node(struct P *p, const struct jd_value *at, const char *name)
{
	struct sim_scenario *sc = p->sc;
	char s[LSOE_QUOTABLE_STRLEN];
	if (sc->nnodes >= p->nodes_cap)
		return fail_v(p, at, "too many nodes");
	if (!name_ok(name, strlen(name)))
		return fail_v(p, at, "'%s' is not a valid node name (1 to %d letters, digits, '_', '-' or '.', "
		    "not starting with '-' or '.')", lsoe_fmt_quotable(s, sizeof(s), name, strlen(name)), SIM_NAME_MAX - 1);
	struct sim_node_spec *n = &sc->nodes[sc->nnodes];
	snprintf(n->name, sizeof(n->name), "%s", name);
	if (smap_put(&p->node_map, n->name, (int)sc->nnodes) >= 0)
		return fail_v(p, at, "node '%s' is listed twice", name);
	sc->nnodes++;
	return true;
}

static bool add_link(struct P *p, const struct jd_value *at, int a, int b)
{
	struct sim_scenario *sc = p->sc;
	if (sc->nlinks >= p->links_cap)
		return fail_v(p, at, "too many links");
	const char *na = sc->nodes[a].name, *nb = sc->nodes[b].name;
	if (a == b)
		return fail_v(p, at, "a link from node '%s' to itself", na);
	if (!pset_add(&p->pairs, pair_key(a, b)))
		return fail_v(p, at, "a second link between '%s' and '%s' (a link is named by its ends)", na, nb);
	struct sim_link_spec *l = &sc->links[sc->nlinks];
	uint32_t idx = (uint32_t)sc->nlinks;
	/* Either name of this link ("a-b", "b-a") must be no other link's (nor, both ways round, its own). */
	uint64_t h = hash_joined(na, nb), hr = hash_joined(nb, na);
	int r = lmap_find(&p->link_map, sc, na, nb, h);
	if (r < 0)
		r = joined_cmp(nb, na, na, nb) == 0 ? (int)idx : lmap_find(&p->link_map, sc, nb, na, hr);
	if (r >= 0) {
		char name[SIM_LINK_NAME_MAX], other[SIM_LINK_NAME_MAX];
		snprintf(name, sizeof(name), "%s-%s", na, nb);
		return fail_v(p, at, "the link '%s' has the same name as link '%s' (node names with '-' make "
		    "link names ambiguous)", name, r == (int)idx ? name : sim_link_name(sc, &sc->links[r], other));
	}
	lmap_put(&p->link_map, h, idx, false);
	lmap_put(&p->link_map, hr, idx, true);
	l->a = a;
	l->b = b;
	l->a_port = ++sc->nodes[a].nports;
	l->b_port = ++sc->nodes[b].nports;
	l->addrs = SIM_GEN_ADDRS;
	sc->nlinks++;
	return true;
}

/* A generated node, its name from a format. */
__attribute__((format(printf, 3, 4)))
static bool gen_node(struct P *p, const struct jd_value *at, const char *fmt, ...)
{
	char name[SIM_NAME_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	return add_node(p, at, name);
}

/* xorshift64*, seeded through splitmix64: the random topology's own generator. */
static uint64_t splitmix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static bool topo_count(struct P *p, const struct jd_value *t, const char *key, uint64_t min, uint64_t *out)
{
	const struct jd_value *v = need(p, t, key, "the topology");
	return v && want_uint(p, v, key, min, SIM_MAX_NODES, out);
}

static bool parse_topology(struct P *p, const struct jd_value *t)
{
	static const char *const types[] = { "pair", "chain", "ring", "clos", "clos3", "random", "explicit" };
	static const char *const k_pair[] = { "type", NULL };
	static const char *const k_chain[] = { "type", "nodes", NULL };
	static const char *const k_clos[] = { "type", "spines", "leaves", NULL };
	static const char *const k_clos3[] = { "type", "pods", "spines_per_pod", "leaves_per_pod", "super_spines", NULL };
	static const char *const k_random[] = { "type", "nodes", "degree", "graph_seed", NULL };
	static const char *const k_explicit[] = { "type", "nodes", "links", NULL };
	if (!want_object(p, t, "topology"))
		return false;
	const struct jd_value *tv = need(p, t, "type", "the topology");
	if (!tv || !want_string(p, tv, "type", "a topology type (pair, chain, ring, clos, clos3, random, explicit)"))
		return false;
	size_t type = N(types);
	for (size_t i = 0; i < N(types); i++)
		if (is_str(tv, types[i]))
			type = i;
	if (type == N(types)) {
		char s[LSOE_QUOTABLE_STRLEN], dym[128];
		return fail_v(p, tv, "unknown topology type '%s'%s; the types are pair, chain, ring, clos, clos3, random "
		    "and explicit", SHOWV(s, tv), did_you_mean(dym, sizeof(dym), tv->u.str.s, types, N(types)));
	}
	static const char *const *const keys[] = { k_pair, k_chain, k_chain, k_clos, k_clos3, k_random, k_explicit };
	char where[64];
	snprintf(where, sizeof(where), "a %s topology", types[type]);
	if (!check_keys(p, t, keys[type], where))
		return false;

	uint64_t n = 0, s = 0, l = 0;
	switch (type) {
	case 0: /* pair */
		return alloc_topology(p, t, 2, 1) && add_node(p, t, "a") && add_node(p, t, "b") && add_link(p, t, 0, 1);
	case 1: /* chain */
	case 2: /* ring */
		if (!topo_count(p, t, "nodes", type == 1 ? 2 : 3, &n) ||
		    !alloc_topology(p, jd_get(t, "nodes"), n, type == 1 ? n - 1 : n))
			return false;
		for (uint64_t i = 1; i <= n; i++)
			if (!gen_node(p, t, "n%llu", (unsigned long long)i))
				return false;
		for (uint64_t i = 0; i + 1 < n; i++)
			if (!add_link(p, t, (int)i, (int)i + 1))
				return false;
		return type == 1 || add_link(p, t, (int)n - 1, 0);
	case 3: /* clos */
		if (!topo_count(p, t, "spines", 1, &s) || !topo_count(p, t, "leaves", 1, &l) ||
		    !alloc_topology(p, t, s + l, s * l))
			return false;
		for (uint64_t j = 1; j <= s; j++)
			if (!gen_node(p, t, "spine%llu", (unsigned long long)j))
				return false;
		for (uint64_t i = 1; i <= l; i++)
			if (!gen_node(p, t, "leaf%llu", (unsigned long long)i))
				return false;
		for (uint64_t i = 0; i < l; i++)
			for (uint64_t j = 0; j < s; j++)
				if (!add_link(p, t, (int)(s + i), (int)j))
					return false;
		return true;
	case 4: { /* clos3 */
		uint64_t pods, sup;
		if (!topo_count(p, t, "pods", 1, &pods) || !topo_count(p, t, "spines_per_pod", 1, &s) ||
		    !topo_count(p, t, "leaves_per_pod", 1, &l) || !topo_count(p, t, "super_spines", 1, &sup))
			return false;
		if (sup % s)
			return fail_v(p, jd_get(t, "super_spines"), "super_spines: must be a multiple of spines_per_pod "
			    "(%llu): the super-spines are split into one plane per pod spine", (unsigned long long)s);
		uint64_t plane = sup / s;
		if (!alloc_topology(p, t, pods * (l + s) + sup, pods * (l * s + sup)))
			return false;
		/* Per pod its leaves, then its spines; then the super-spines. */
		for (uint64_t q = 1; q <= pods; q++) {
			for (uint64_t i = 1; i <= l; i++)
				if (!gen_node(p, t, "pod%llu-leaf%llu", (unsigned long long)q, (unsigned long long)i))
					return false;
			for (uint64_t j = 1; j <= s; j++)
				if (!gen_node(p, t, "pod%llu-spine%llu", (unsigned long long)q, (unsigned long long)j))
					return false;
		}
		for (uint64_t k = 1; k <= sup; k++)
			if (!gen_node(p, t, "super%llu", (unsigned long long)k))
				return false;
		uint64_t super0 = pods * (l + s);
		for (uint64_t q = 0; q < pods; q++) {
			uint64_t base = q * (l + s);
			for (uint64_t i = 0; i < l; i++)
				for (uint64_t j = 0; j < s; j++)
					if (!add_link(p, t, (int)(base + i), (int)(base + l + j)))
						return false;
			for (uint64_t j = 0; j < s; j++)
				for (uint64_t k = 0; k < plane; k++)
					if (!add_link(p, t, (int)(base + l + j), (int)(super0 + j * plane + k)))
						return false;
		}
		return true;
	}
	case 5: { /* random */
		uint64_t d, seed = 1;
		if (!topo_count(p, t, "nodes", 3, &n))
			return false;
		const struct jd_value *dv = need(p, t, "degree", "the topology");
		if (!dv || !want_uint(p, dv, "degree", 2, SIM_MAX_NODES, &d))
			return false;
		if (d >= n)
			return fail_v(p, dv, "degree: must be less than the number of nodes (%llu)", (unsigned long long)n);
		const struct jd_value *gv = jd_get(t, "graph_seed");
		if (gv && !want_uint(p, gv, "graph_seed", 0, UINT64_MAX, &seed))
			return false;
		uint64_t target = n * d / 2;
		if (!alloc_topology(p, t, n, target))
			return false;
		for (uint64_t i = 1; i <= n; i++)
			if (!gen_node(p, t, "n%llu", (unsigned long long)i))
				return false;
		for (uint64_t i = 0; i < n; i++)
			if (!add_link(p, t, (int)i, (int)((i + 1) % n)))
				return false;
		uint64_t st = splitmix64(seed);
		if (!st)
			st = 1;
		while (p->sc->nlinks < target) {
			int u = (int)(xorshift(&st) % n), v = (int)(xorshift(&st) % n);
			if (u == v)
				continue;
			int a = u < v ? u : v, b = u < v ? v : u;
			bool seen = pset_has(&p->pairs, pair_key(a, b));
			if (!seen && !add_link(p, t, a, b))
				return false;
		}
		return true;
	}
	default: { /* explicit */
		const struct jd_value *nv = need(p, t, "nodes", "the topology");
		if (!nv || !want_array(p, nv, "nodes", "node names"))
			return false;
		const struct jd_value *lv = jd_get(t, "links");
		if (lv && !want_array(p, lv, "links", "links ([\"x\", \"y\"])"))
			return false;
		if (nv->u.arr.n == 0)
			return fail_v(p, nv, "nodes: expected at least one node");
		if (!alloc_topology(p, nv, nv->u.arr.n, lv ? lv->u.arr.n : 0))
			return false;
		for (size_t i = 0; i < nv->u.arr.n; i++) {
			const struct jd_value *e = nv->u.arr.items[i];
			if (!want_string(p, e, "nodes", "a node name") || !add_node(p, e, e->u.str.s))
				return false;
		}
		for (size_t i = 0; lv && i < lv->u.arr.n; i++) {
			const struct jd_value *e = lv->u.arr.items[i];
			if (e->type != JD_ARRAY || e->u.arr.n != 2)
				return fail_v(p, e, "links: each link is a list of two node names, e.g. [\"x\", \"y\"]");
			int ends[2];
			for (int k = 0; k < 2; k++) {
				const struct jd_value *x = e->u.arr.items[k];
				if (!want_string(p, x, "links", "a node name"))
					return false;
				ends[k] = smap_get(&p->node_map, x->u.str.s);
				if (ends[k] < 0) {
					char sn[LSOE_QUOTABLE_STRLEN];
					return fail_v(p, x, "unknown node '%s' (not in the topology's nodes)", SHOWV(sn, x));
				}
			}
			if (!add_link(p, e, ends[0], ends[1]))
				return false;
		}
		return true;
	}
	}
}

/* ---- names in the rest of the file ---- */

static const char *suggest_node(struct P *p, char *out, size_t cap, const char *word)
{
	struct suggest s = { word, NULL, 99 };
	for (size_t i = 0; i < p->sc->nnodes && p->sc->nnodes <= 5000; i++)
		suggest_try(&s, p->sc->nodes[i].name);
	return suggest_text(out, cap, &s);
}

static const char *suggest_link(struct P *p, char *out, size_t cap, const char *word)
{
	struct suggest s = { word, NULL, 99 };
	char name[SIM_LINK_NAME_MAX], best[SIM_LINK_NAME_MAX];
	for (size_t i = 0; i < p->sc->nlinks && p->sc->nlinks <= 5000; i++) {
		const char *was = s.best;
		suggest_try(&s, sim_link_name(p->sc, &p->sc->links[i], name));
		if (s.best != was) /* keep the best: name is rewritten */
			s.best = memcpy(best, name, sizeof(best));
	}
	return suggest_text(out, cap, &s);
}

static bool resolve_node(struct P *p, const struct jd_value *v, const char *label, int *out)
{
	if (!want_string(p, v, label, "a node name"))
		return false;
	*out = smap_get(&p->node_map, v->u.str.s);
	if (*out < 0) {
		char s[LSOE_QUOTABLE_STRLEN], dym[128];
		return fail_v(p, v, "%s: unknown node '%s'%s", label, SHOWV(s, v),
		    suggest_node(p, dym, sizeof(dym), v->u.str.s));
	}
	return true;
}

static bool resolve_link(struct P *p, const struct jd_value *v, const char *label, int *out)
{
	if (!want_string(p, v, label, "a link name (\"x-y\")"))
		return false;
	*out = lmap_get(&p->link_map, p->sc, v->u.str.s);
	if (*out < 0) {
		char s[LSOE_QUOTABLE_STRLEN], dym[128];
		return fail_v(p, v, "%s: unknown link '%s'%s", label, SHOWV(s, v),
		    suggest_link(p, dym, sizeof(dym), v->u.str.s));
	}
	return true;
}

/* A list of names (links or nodes), or "all" if allow_all; no name twice. */
static bool resolve_list(struct P *p, const struct jd_value *v, const char *label, bool links, bool allow_all,
    int **out, size_t *n)
{
	struct sim_scenario *sc = p->sc;
	*out = NULL;
	*n = 0;
	if (allow_all && is_str(v, "all")) {
		size_t cnt = links ? sc->nlinks : sc->nnodes;
		if (cnt == 0)
			return fail_v(p, v, "%s: the topology has no %s", label, links ? "links" : "nodes");
		*out = malloc(cnt * sizeof(**out));
		if (!*out)
			return fail_v(p, v, "out of memory");
		for (size_t i = 0; i < cnt; i++)
			(*out)[i] = (int)i;
		*n = cnt;
		return true;
	}
	if (v->type != JD_ARRAY)
		return fail_v(p, v, "%s: expected a list of %s names%s", label, links ? "link" : "node",
		    allow_all ? " or \"all\"" : "");
	if (v->u.arr.n == 0)
		return fail_v(p, v, "%s: expected at least one %s name", label, links ? "link" : "node");
	int *a = malloc(v->u.arr.n * sizeof(*a));
	size_t cnt = links ? sc->nlinks : sc->nnodes;
	uint8_t *seen = calloc(cnt ? cnt : 1, 1);
	if (!a || !seen) {
		free(a);
		free(seen);
		return fail_v(p, v, "out of memory");
	}
	for (size_t i = 0; i < v->u.arr.n; i++) {
		const struct jd_value *e = v->u.arr.items[i];
		if (!(links ? resolve_link(p, e, label, &a[i]) : resolve_node(p, e, label, &a[i])))
			goto bad;
		if (seen[a[i]]) {
			char s[LSOE_QUOTABLE_STRLEN];
			fail_v(p, e, "%s: '%s' is listed twice", label, SHOWV(s, e));
			goto bad;
		}
		seen[a[i]] = 1;
	}
	free(seen);
	*out = a;
	*n = v->u.arr.n;
	return true;
bad:
	free(a);
	free(seen);
	return false;
}

/* ---- configuration ---- */

/* The text lsoe_config_set gets for a JSON value: strings as they are, numbers as written, true/false, lists joined. */
static bool config_text(struct P *p, const struct jd_value *v, const char *key, char *out, size_t cap)
{
	size_t o = 0;
	const struct jd_value *one = v;
	size_t n = 1;
	if (v->type == JD_ARRAY) {
		n = v->u.arr.n;
		out[0] = '\0';
	}
	for (size_t i = 0; i < n; i++) {
		if (v->type == JD_ARRAY)
			one = v->u.arr.items[i];
		char num[64];
		const char *s;
		size_t len;
		switch (one->type) {
		case JD_STRING:
			if (strlen(one->u.str.s) != one->u.str.len)
				return fail_v(p, one, "%s: contains a NUL character", key);
			s = one->u.str.s;
			len = one->u.str.len;
			break;
		case JD_NUMBER: {
			/* An exponent is not understood by the configuration's parser: write the value out. */
			s = one->u.str.s;
			len = one->u.str.len;
			uint64_t ns;
			bool inexact;
			if (strpbrk(s, "eE") && decimal(s, 9, true, &ns, &inexact) == DEC_OK) {
				uint64_t frac = ns % NS_PER_S;
				int w = snprintf(num, sizeof(num), "%llu", (unsigned long long)(ns / NS_PER_S));
				if (frac) {
					snprintf(num + w, sizeof(num) - (size_t)w, ".%09llu", (unsigned long long)frac);
					size_t e = strlen(num);
					while (num[e - 1] == '0')
						num[--e] = '\0';
				}
				s = num;
				len = strlen(num);
			}
			break;
		}
		case JD_BOOL:
			if (v->type == JD_ARRAY)
				goto type;
			s = one->u.b ? "yes" : "no";
			len = strlen(s);
			break;
		default:
			goto type;
		}
		if (o + len + 2 > cap)
			return fail_v(p, v, "%s: the value is too long (at most %zu characters)", key, cap - 1);
		if (i)
			out[o++] = ' ';
		memcpy(out + o, s, len);
		o += len;
		out[o] = '\0';
	}
	return true;
type:
	return fail_v(p, one, "%s: expected a string, a number, true/false or a list of them", key);
}

static const char *suggest_config_key(char *out, size_t cap, const char *word)
{
	struct suggest s = { word, NULL, 99 };
	for (size_t i = 0; i < lsoe_config_key_count(); i++)
		suggest_try(&s, lsoe_config_key_at(i)->name);
	return suggest_text(out, cap, &s);
}

/*
 * Apply an object of INI keys to cfg. If kv is not NULL the pairs are also
 * stored there (a config event).
 */
static bool apply_config(struct P *p, const struct jd_value *obj, const char *label, struct lsoe_config *cfg,
    struct sim_kv *kv)
{
	if (!want_object(p, obj, label))
		return false;
	for (size_t i = 0; i < obj->u.obj.n; i++) {
		const struct jd_member *m = &obj->u.obj.items[i];
		char k[LSOE_QUOTABLE_STRLEN], dym[128];
		SHOWK(k, m);
		if (m->key_len != strlen(m->key) || m->key_len >= sizeof(kv->key) || !lsoe_config_key_find(m->key))
			return fail_m(p, m, "unknown configuration key '%s'%s", k,
			    suggest_config_key(dym, sizeof(dym), m->key_len == strlen(m->key) ? m->key : NULL));
		if (strcmp(m->key, "name") == 0)
			return fail_m(p, m, "name: a node's name is its name in the topology");
		char value[LSOE_CFG_VALUE_MAX], why[256];
		if (!config_text(p, m->value, k, value, sizeof(value)))
			return false;
		enum lsoe_cfg_result r = lsoe_config_set(cfg, m->key, value, why, sizeof(why));
		if (r == LSOE_CFG_UNKNOWN_KEY)
			return fail_m(p, m, "unknown configuration key '%s'", k);
		if (r != LSOE_CFG_OK)
			return fail_v(p, m->value, "%s: %s", k, why);
		if (kv) {
			snprintf(kv[i].key, sizeof(kv[i].key), "%s", m->key);
			snprintf(kv[i].value, sizeof(kv[i].value), "%s", value);
		}
	}
	return true;
}

/*
 * Shared configurations: a configuration is about 5 KB and most nodes of a large
 * topology have the same one, so each distinct one is stored once (sc->cfgs) and
 * nodes point to it. Interned by their octets: every copy starts as a struct copy of
 * the same base and changes only through lsoe_config_set, so equal ones compare equal.
 */
struct cfg_table {
	size_t cap;                  /* slots, a power of two */
	uint32_t *slot;              /* 0: empty, else index + 1 into sc->cfgs */
	uint64_t *hash;              /* per sc->cfgs entry */
};

static uint64_t cfg_hash(const struct lsoe_config *c)
{
	const uint8_t *b = (const uint8_t *)c;
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < sizeof(*c); i++) {
		h ^= b[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* The shared copy of c (*fresh: made now); NULL when out of memory. sc->cfgs has room for nnodes. */
static const struct lsoe_config *cfg_intern(struct sim_scenario *sc, struct cfg_table *t,
    const struct lsoe_config *c, bool *fresh)
{
	uint64_t h = cfg_hash(c);
	size_t i = (size_t)((h * 0x9E3779B97F4A7C15ull) >> 20) & (t->cap - 1);
	for (; t->slot[i]; i = (i + 1) & (t->cap - 1)) {
		uint32_t k = t->slot[i] - 1;
		if (t->hash[k] == h && memcmp(sc->cfgs[k], c, sizeof(*c)) == 0) {
			*fresh = false;
			return sc->cfgs[k];
		}
	}
	struct lsoe_config *copy = malloc(sizeof(*copy));
	if (!copy)
		return NULL;
	*copy = *c;
	t->hash[sc->ncfgs] = h;
	sc->cfgs[sc->ncfgs++] = copy;
	t->slot[i] = (uint32_t)sc->ncfgs;
	*fresh = true;
	return copy;
}

void sim_default_local_id(size_t node, uint8_t out[LSOE_LOCAL_ID_LEN])
{
	uint32_t id = (uint32_t)node + 1;
	memset(out, 0, LSOE_LOCAL_ID_LEN);
	out[LSOE_LOCAL_ID_LEN - 4] = (uint8_t)(id >> 24);
	out[LSOE_LOCAL_ID_LEN - 3] = (uint8_t)(id >> 16);
	out[LSOE_LOCAL_ID_LEN - 2] = (uint8_t)(id >> 8);
	out[LSOE_LOCAL_ID_LEN - 1] = (uint8_t)id;
}

void sim_config_complete(const struct sim_scenario *sc, size_t node, struct lsoe_config *cfg)
{
	/* As lsoe_config_set(cfg, "name", ...) stores it (checked when parsed). */
	memset(cfg->name, 0, sizeof(cfg->name));
	memcpy(cfg->name, sc->nodes[node].name, strlen(sc->nodes[node].name));
	if (!cfg->local_id_set) {
		sim_default_local_id(node, cfg->local_id);
		cfg->local_id_set = true;
	}
}

void sim_node_config(const struct sim_scenario *sc, size_t node, struct lsoe_config *out)
{
	*out = *sc->nodes[node].cfg;
	sim_config_complete(sc, node, out);
}

static bool parse_configs(struct P *p, const struct jd_value *root)
{
	struct sim_scenario *sc = p->sc;
	const struct jd_value *defs = jd_get(root, "defaults"), *nodes = jd_get(root, "nodes");
	lsoe_config_default(&p->base);
	if (defs && !apply_config(p, defs, "defaults", &p->base, NULL))
		return false;
	size_t nn = sc->nnodes ? sc->nnodes : 1;
	struct cfg_table t = { .cap = 16 };
	while (t.cap < 2 * nn + 2)
		t.cap *= 2;
	t.slot = calloc(t.cap, sizeof(*t.slot));
	t.hash = calloc(nn, sizeof(*t.hash));
	sc->cfgs = calloc(nn, sizeof(*sc->cfgs));
	/* scratch: a node's overrides on the base; whole: a configuration completed for checking */
	struct lsoe_config *scratch = malloc(sizeof(*scratch)), *whole = malloc(sizeof(*whole));
	const struct jd_value **per = calloc(nn, sizeof(*per));
	bool ok = true;
	if (!per || !t.slot || !t.hash || !sc->cfgs || !scratch || !whole)
		ok = fail_v(p, root, "out of memory");
	if (ok && nodes && !want_object(p, nodes, "nodes"))
		ok = false;
	for (size_t i = 0; ok && nodes && i < nodes->u.obj.n; i++) {
		const struct jd_member *m = &nodes->u.obj.items[i];
		int idx = m->key_len == strlen(m->key) ? smap_get(&p->node_map, m->key) : -1;
		if (idx < 0) {
			char k[LSOE_QUOTABLE_STRLEN], dym[128];
			ok = fail_m(p, m, "nodes: unknown node '%s'%s", SHOWK(k, m),
			    suggest_node(p, dym, sizeof(dym), m->key_len == strlen(m->key) ? m->key : NULL));
		} else {
			per[idx] = m->value;
			ok = want_object(p, m->value, m->key);
		}
	}
	const struct lsoe_config *base = NULL; /* the base's shared copy, once interned */
	for (size_t i = 0; ok && i < sc->nnodes; i++) {
		struct sim_node_spec *n = &sc->nodes[i];
		const struct lsoe_config *c = &p->base;
		char why[512];
		if (per[i]) {
			*scratch = p->base;
			if (!apply_config(p, per[i], n->name, scratch, NULL)) {
				ok = false;
				break;
			}
			c = scratch;
		}
		if (lsoe_config_set(whole, "name", n->name, why, sizeof(why)) != LSOE_CFG_OK) {
			ok = fail_v(p, root, "node %s: name: %s", n->name, why);
			break;
		}
		bool fresh = false;
		n->cfg = c == &p->base && base ? base : cfg_intern(sc, &t, c, &fresh);
		if (!n->cfg) {
			ok = fail_v(p, root, "out of memory");
			break;
		}
		if (c == &p->base)
			base = n->cfg;
		/* Nodes sharing a configuration differ only in name (checked above) and local ID (any is valid). */
		if (!fresh)
			continue;
		*whole = *n->cfg;
		sim_config_complete(sc, i, whole);
		if (!lsoe_config_check(whole, why, sizeof(why))) {
			const struct jd_value *at = per[i] ? per[i] : defs;
			ok = at ? fail_v(p, at, "node %s: %s", n->name, why) : fail_v(p, NULL, "node %s: %s", n->name, why);
		}
	}
	free(per);
	free(scratch);
	free(whole);
	free(t.slot);
	free(t.hash);
	return ok;
}

/* ---- links ---- */

static const char *const dir_keys[] = { "delay", "jitter", "reorder_delay", "loss", "duplicate", "reorder",
	"corrupt", NULL };

/* The keys of dir_keys present in obj, into d (and d2 if not NULL). */
static bool apply_dir(struct P *p, const struct jd_value *obj, struct sim_dir *d, struct sim_dir *d2)
{
	for (size_t k = 0; dir_keys[k]; k++) {
		const struct jd_value *v = jd_get(obj, dir_keys[k]);
		if (!v)
			continue;
		uint64_t t = 0;
		double x = 0;
		if (k < 3 ? !want_time(p, v, dir_keys[k], &t) : !want_prob(p, v, dir_keys[k], &x))
			return false;
		for (struct sim_dir *o = d; o; o = o == d ? d2 : NULL) {
			switch (k) {
			case 0: o->delay = t; break;
			case 1: o->jitter = t; break;
			case 2: o->reorder_delay = t; break;
			case 3: o->loss = x; break;
			case 4: o->duplicate = x; break;
			case 5: o->reorder = x; break;
			default: o->corrupt = x; break;
			}
		}
	}
	return true;
}

static bool parse_links(struct P *p, const struct jd_value *root)
{
	static const char *const link_keys[] = { "delay", "jitter", "reorder_delay", "loss", "duplicate", "reorder",
		"corrupt", "a_to_b", "b_to_a", "a_addresses", "b_addresses", NULL };
	struct sim_scenario *sc = p->sc;
	struct sim_dir base = { .delay = 100000 }; /* 100 µs */
	const struct jd_value *ld = jd_get(root, "link_defaults");
	if (ld && (!want_object(p, ld, "link_defaults") || !check_keys(p, ld, dir_keys, "link_defaults") ||
	    !apply_dir(p, ld, &base, NULL)))
		return false;
	/* dirs[0] for every link; a link the file configures gets two of its own. */
	const struct jd_value *lv = jd_get(root, "links");
	if (lv && !want_object(p, lv, "links"))
		return false;
	size_t nconf = lv ? lv->u.obj.n : 0;
	sc->dirs = calloc(1 + 2 * nconf, sizeof(*sc->dirs));
	sc->link_addrs = calloc(nconf ? nconf : 1, sizeof(*sc->link_addrs));
	if (!sc->dirs || !sc->link_addrs)
		return fail_v(p, lv ? lv : root, "out of memory");
	sc->dirs[0] = base;
	sc->ndirs = 1;
	for (size_t i = 0; i < sc->nlinks; i++)
		sc->links[i].ab = sc->links[i].ba = 0;
	if (!lv)
		return true;
	uint8_t *seen = calloc(sc->nlinks ? sc->nlinks : 1, 1);
	if (!seen)
		return fail_v(p, lv, "out of memory");
	bool ok = true;
	for (size_t i = 0; ok && i < lv->u.obj.n; i++) {
		const struct jd_member *m = &lv->u.obj.items[i];
		const struct jd_value *o = m->value;
		char k[LSOE_QUOTABLE_STRLEN], dym[128], where[LSOE_QUOTABLE_STRLEN + 16];
		SHOWK(k, m);
		int idx = m->key_len == strlen(m->key) ? lmap_get(&p->link_map, sc, m->key) : -1;
		if (idx < 0) {
			ok = fail_m(p, m, "links: unknown link '%s'%s", k,
			    suggest_link(p, dym, sizeof(dym), m->key_len == strlen(m->key) ? m->key : NULL));
			break;
		}
		struct sim_link_spec *l = &sc->links[idx];
		char name[SIM_LINK_NAME_MAX];
		if (seen[idx]) {
			ok = fail_m(p, m, "links: link '%s' is configured twice", sim_link_name(sc, l, name));
			break;
		}
		seen[idx] = 1;
		snprintf(where, sizeof(where), "links.%s", k);
		l->ab = (uint32_t)sc->ndirs++;
		l->ba = (uint32_t)sc->ndirs++;
		sc->dirs[l->ab] = sc->dirs[l->ba] = base;
		struct sim_dir *ab = &sc->dirs[l->ab], *ba = &sc->dirs[l->ba];
		if (!want_object(p, o, k) || !check_keys(p, o, link_keys, where) || !apply_dir(p, o, ab, ba)) {
			ok = false;
			break;
		}
		const char *dn[2] = { "a_to_b", "b_to_a" };
		for (int d = 0; ok && d < 2; d++) {
			const struct jd_value *dv = jd_get(o, dn[d]);
			char w2[LSOE_QUOTABLE_STRLEN + 32];
			snprintf(w2, sizeof(w2), "links.%s.%s", k, dn[d]);
			if (dv)
				ok = want_object(p, dv, dn[d]) && check_keys(p, dv, dir_keys, w2) &&
				    apply_dir(p, dv, d ? ba : ab, NULL);
		}
		const struct jd_value *av = jd_get(o, "a_addresses"), *bv = jd_get(o, "b_addresses");
		if (ok && (av || bv)) {
			/* The file's lists; an end it does not list keeps the generated pair. */
			struct sim_link_addrs *la = &sc->link_addrs[sc->nlink_addrs++];
			l->addrs = (uint32_t)(sc->nlink_addrs - 1);
			if (!gen_addrs_copy(sc, (size_t)idx, 0, &la->a, &la->na) ||
			    !gen_addrs_copy(sc, (size_t)idx, 1, &la->b, &la->nb))
				ok = fail_v(p, o, "out of memory");
		}
		if (ok && av)
			ok = parse_addr_list(p, av, "a_addresses", SIM_MAX_ADDRS, &sc->link_addrs[l->addrs].a,
			    &sc->link_addrs[l->addrs].na);
		if (ok && bv)
			ok = parse_addr_list(p, bv, "b_addresses", SIM_MAX_ADDRS, &sc->link_addrs[l->addrs].b,
			    &sc->link_addrs[l->addrs].nb);
	}
	free(seen);
	return ok;
}

/* ---- loopbacks ---- */

/*
 * "loopbacks": { "NODE": ["ADDR/LEN", ...] }: the node's own addresses, flagged
 * Loopback (never Primary), which every one of its ports announces after its link's.
 */
static bool parse_loopbacks(struct P *p, const struct jd_value *v)
{
	struct sim_scenario *sc = p->sc;
	if (!want_object(p, v, "loopbacks"))
		return false;
	if (!sc->addresses && v->u.obj.n)
		return fail_v(p, v, "loopbacks: \"addresses\": false announces no addresses, loopbacks included");
	for (size_t i = 0; i < v->u.obj.n; i++) {
		const struct jd_member *m = &v->u.obj.items[i];
		int idx = m->key_len == strlen(m->key) ? smap_get(&p->node_map, m->key) : -1;
		if (idx < 0) {
			char k[LSOE_QUOTABLE_STRLEN], dym[128];
			return fail_m(p, m, "loopbacks: unknown node '%s'%s", SHOWK(k, m),
			    suggest_node(p, dym, sizeof(dym), m->key_len == strlen(m->key) ? m->key : NULL));
		}
		struct sim_node_spec *n = &sc->nodes[idx];
		char label[SIM_NAME_MAX + 16];
		snprintf(label, sizeof(label), "loopbacks.%s", n->name);
		if (!parse_addr_list(p, m->value, label, SIM_MAX_LOOPBACKS, &n->loopbacks, &n->nloopbacks))
			return false;
		for (unsigned k = 0; k < n->nloopbacks; k++) {
			n->loopbacks[k].primary = false;
			n->loopbacks[k].loopback = true;
		}
	}
	return true;
}

/* ---- events ---- */

static const char *const event_types[] = {
	[SE_LINK_DOWN] = "link_down", [SE_LINK_UP] = "link_up", [SE_LINK_CUT] = "link_cut",
	[SE_LINK_HEAL] = "link_heal", [SE_CRASH] = "crash", [SE_RESTART] = "restart",
	[SE_ADDRESS_ADD] = "address_add", [SE_ADDRESS_REMOVE] = "address_remove", [SE_CONFIG] = "config",
	[SE_PARTITION] = "partition", [SE_HEAL] = "heal", [SE_DROP] = "drop", [SE_MAC_FLOOD] = "mac_flood",
};

/* An enum name from a list, with a suggestion when it is not one. */
static bool want_enum(struct P *p, const struct jd_value *v, const char *label, const char *const *names, size_t n,
    const char *what, int *out)
{
	if (!want_string(p, v, label, what))
		return false;
	for (size_t i = 0; i < n; i++)
		if (names[i] && is_str(v, names[i])) {
			*out = (int)i;
			return true;
		}
	char s[LSOE_QUOTABLE_STRLEN], dym[128], list[512];
	size_t o = 0;
	list[0] = '\0';
	for (size_t i = 0; i < n; i++)
		if (names[i] && o + strlen(names[i]) + 3 < sizeof(list))
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", o ? ", " : "", names[i]);
	return fail_v(p, v, "%s: unknown %s '%s'%s; expected one of: %s", label, what, SHOWV(s, v),
	    did_you_mean(dym, sizeof(dym), v->u.str.s, names, n), list);
}

static bool want_pdu(struct P *p, const struct jd_value *v, const char *label, int *out)
{
	const char *names[256];
	for (unsigned t = 0; t < 256; t++)
		names[t] = lsoe_pdu_type_name(t);
	return want_enum(p, v, label, names, 256, "PDU type", out);
}

/* The port of a node: "port": "ethN", or "link": a link the node is an end of. */
static bool want_port(struct P *p, const struct jd_value *e, int node, const char *where, uint32_t *port, int *link)
{
	struct sim_scenario *sc = p->sc;
	const struct jd_value *pv = jd_get(e, "port"), *lv = jd_get(e, "link");
	char s[LSOE_QUOTABLE_STRLEN];
	if (pv && lv)
		return fail_v(p, lv, "give either 'port' or 'link' in %s, not both", where);
	if (!pv && !lv)
		return fail_v(p, e, "missing key 'port' (or 'link') in %s", where);
	if (lv) {
		if (!resolve_link(p, lv, "link", link))
			return false;
		const struct sim_link_spec *l = &sc->links[*link];
		char name[SIM_LINK_NAME_MAX];
		if (l->a != node && l->b != node)
			return fail_v(p, lv, "link: node '%s' is not an end of link '%s'", sc->nodes[node].name,
			    sim_link_name(sc, l, name));
		*port = l->a == node ? l->a_port : l->b_port;
		return true;
	}
	if (!want_string(p, pv, "port", "a port name (\"eth1\")"))
		return false;
	const char *t = pv->u.str.s;
	uint64_t x = 0;
	size_t i = 3;
	bool ok = strncmp(t, "eth", 3) == 0 && t[3] >= '1' && t[3] <= '9';
	for (; ok && t[i] >= '0' && t[i] <= '9' && i < 12; i++)
		x = x * 10 + (uint64_t)(t[i] - '0');
	if (!ok || t[i] || x < 1 || x > sc->nodes[node].nports) {
		if (sc->nodes[node].nports == 0)
			return fail_v(p, pv, "port: node '%s' has no ports", sc->nodes[node].name);
		return fail_v(p, pv, "port: node '%s' has no port '%s' (its ports are eth1 to eth%u)", sc->nodes[node].name,
		    SHOWV(s, pv), sc->nodes[node].nports);
	}
	*port = (uint32_t)x;
	return true;
}

static bool parse_event(struct P *p, const struct jd_value *e, struct sim_event_spec *ev)
{
	static const char *const k_link[] = { "at", "type", "link", NULL };
	static const char *const k_crash[] = { "at", "type", "node", "restart_after", NULL };
	static const char *const k_restart[] = { "at", "type", "node", NULL };
	static const char *const k_addr[] = { "at", "type", "node", "port", "link", "address", NULL };
	static const char *const k_config[] = { "at", "type", "node", "set", NULL };
	static const char *const k_part[] = { "at", "type", "nodes", NULL };
	static const char *const k_heal[] = { "at", "type", NULL };
	static const char *const k_drop[] = { "at", "type", "link", "direction", "pdu", "ack_of", "until", NULL };
	static const char *const k_flood[] = { "at", "type", "node", "port", "link", "sources", "rate", "pdu", NULL };
	static const char *const *const keys[] = {
		[SE_LINK_DOWN] = k_link, [SE_LINK_UP] = k_link, [SE_LINK_CUT] = k_link, [SE_LINK_HEAL] = k_link,
		[SE_CRASH] = k_crash, [SE_RESTART] = k_restart, [SE_ADDRESS_ADD] = k_addr, [SE_ADDRESS_REMOVE] = k_addr,
		[SE_CONFIG] = k_config, [SE_PARTITION] = k_part, [SE_HEAL] = k_heal, [SE_DROP] = k_drop,
		[SE_MAC_FLOOD] = k_flood,
	};
	struct sim_scenario *sc = p->sc;
	ev->link = -1;
	ev->node = -1;
	ev->pdu = -1;
	ev->ack_of = -1;
	ev->dir = 2;
	if (!want_object(p, e, "events"))
		return false;
	const struct jd_value *tv = need(p, e, "type", "an event");
	int kind = 0; /* set by want_enum on success; initialised for -O2 flow analysis */
	if (!tv || !want_enum(p, tv, "type", event_types, N(event_types), "event type", &kind))
		return false;
	ev->kind = (enum sim_event_kind)kind;
	char where[64];
	snprintf(where, sizeof(where), "a %s event", event_types[kind]);
	if (!check_keys(p, e, keys[kind], where))
		return false;
	const struct jd_value *v = need(p, e, "at", where);
	if (!v || !want_time(p, v, "at", &ev->at))
		return false;

	switch (ev->kind) {
	case SE_LINK_DOWN:
	case SE_LINK_UP:
	case SE_LINK_CUT:
	case SE_LINK_HEAL:
		v = need(p, e, "link", where);
		return v && resolve_link(p, v, "link", &ev->link);
	case SE_CRASH:
		v = jd_get(e, "restart_after");
		if (v && !want_time_pos(p, v, "restart_after", &ev->restart_after))
			return false;
		/* fall through */
	case SE_RESTART:
		v = need(p, e, "node", where);
		return v && resolve_node(p, v, "node", &ev->node);
	case SE_ADDRESS_ADD:
	case SE_ADDRESS_REMOVE:
		v = need(p, e, "node", where);
		if (!v || !resolve_node(p, v, "node", &ev->node) || !want_port(p, e, ev->node, where, &ev->port, &ev->link))
			return false;
		v = need(p, e, "address", where);
		return v && parse_addr(p, v, "address", &ev->addr);
	case SE_CONFIG: {
		v = need(p, e, "node", where);
		if (!v)
			return false;
		if (is_str(v, "*"))
			ev->node = -2;
		else if (!resolve_node(p, v, "node", &ev->node))
			return false;
		const struct jd_value *set = need(p, e, "set", where);
		if (!set || !want_object(p, set, "set"))
			return false;
		p->config_sets += set->u.obj.n;
		if (p->config_sets > MAX_CONFIG_SETS)
			return fail_v(p, set, "set: too many configuration changes in the events (at most %d in all)",
			    MAX_CONFIG_SETS);
		ev->set = calloc(set->u.obj.n ? set->u.obj.n : 1, sizeof(*ev->set));
		if (!ev->set)
			return fail_v(p, set, "out of memory");
		ev->nset = set->u.obj.n;
		/* Checked on a copy of the node's configuration (of the common one for "*"). */
		struct lsoe_config *scratch = malloc(sizeof(*scratch));
		if (!scratch)
			return fail_v(p, set, "out of memory");
		if (ev->node >= 0)
			sim_node_config(sc, (size_t)ev->node, scratch);
		else
			*scratch = p->base;
		bool ok = apply_config(p, set, "set", scratch, ev->set);
		free(scratch);
		return ok;
	}
	case SE_PARTITION:
		v = need(p, e, "nodes", where);
		return v && resolve_list(p, v, "nodes", false, false, &ev->nodes, &ev->nnodes);
	case SE_HEAL:
		return true;
	case SE_DROP: {
		static const char *const dirs[] = { "a_to_b", "b_to_a", "both" };
		v = need(p, e, "link", where);
		if (!v || !resolve_link(p, v, "link", &ev->link))
			return false;
		v = jd_get(e, "direction");
		if (v && !want_enum(p, v, "direction", dirs, N(dirs), "direction", &ev->dir))
			return false;
		v = need(p, e, "pdu", where);
		if (!v || !want_pdu(p, v, "pdu", &ev->pdu))
			return false;
		v = jd_get(e, "ack_of");
		if (v) {
			if (ev->pdu != LSOE_PDU_ACK)
				return fail_v(p, v, "ack_of: only for \"pdu\": \"ACK\"");
			if (!want_pdu(p, v, "ack_of", &ev->ack_of))
				return false;
		}
		ev->until = UINT64_MAX;
		v = jd_get(e, "until");
		if (v) {
			if (!want_time(p, v, "until", &ev->until))
				return false;
			if (ev->until <= ev->at)
				return fail_v(p, v, "until: must be later than 'at'");
		}
		return true;
	}
	case SE_MAC_FLOOD: {
		uint64_t x;
		v = need(p, e, "node", where);
		if (!v || !resolve_node(p, v, "node", &ev->node) || !want_port(p, e, ev->node, where, &ev->port, &ev->link))
			return false;
		v = need(p, e, "sources", where);
		if (!v || !want_uint(p, v, "sources", 1, MAX_SOURCES, &x))
			return false;
		ev->sources = (uint32_t)x;
		ev->rate = 10000;
		v = jd_get(e, "rate");
		if (v) {
			if (!want_uint(p, v, "rate", 1, MAX_RATE, &x))
				return false;
			ev->rate = (uint32_t)x;
		}
		ev->pdu = LSOE_PDU_HELLO;
		v = jd_get(e, "pdu");
		if (v) {
			static const char *const kinds[] = { "HELLO", "FRAGMENT" };
			int k;
			if (!want_enum(p, v, "pdu", kinds, N(kinds), "flood PDU", &k))
				return false;
			ev->pdu = k == 0 ? LSOE_PDU_HELLO : -1;
		}
		return true;
	}
	}
	return true;
}

struct order {
	uint64_t at;
	size_t i;
};

static int order_cmp(const void *x, const void *y)
{
	const struct order *a = x, *b = y;
	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

static bool parse_events(struct P *p, const struct jd_value *v)
{
	struct sim_scenario *sc = p->sc;
	if (!want_array(p, v, "events", "events"))
		return false;
	size_t n = v->u.arr.n;
	sc->events = calloc(n ? n : 1, sizeof(*sc->events));
	if (!sc->events)
		return fail_v(p, v, "out of memory");
	for (size_t i = 0; i < n; i++) {
		sc->nevents = i + 1; /* what parse_event allocated is freed with it */
		if (!parse_event(p, v->u.arr.items[i], &sc->events[i]))
			return false;
	}
	/* Sort by time, keeping the file's order among equal times. */
	struct order *o = malloc((n ? n : 1) * sizeof(*o));
	struct sim_event_spec *sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (!o || !sorted) {
		free(o);
		free(sorted);
		return fail_v(p, v, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		o[i] = (struct order){ sc->events[i].at, i };
	qsort(o, n, sizeof(*o), order_cmp);
	for (size_t i = 0; i < n; i++)
		sorted[i] = sc->events[o[i].i];
	free(o);
	free(sc->events);
	sc->events = sorted;
	return true;
}

/* ---- processes ---- */

static bool parse_process(struct P *p, const struct jd_value *e, struct sim_process_spec *pr)
{
	static const char *const types[] = { [SP_FLAP] = "flap", [SP_CRASH] = "crash" };
	static const char *const k_flap[] = { "type", "links", "mean_up", "mean_down", "from", "until", NULL };
	static const char *const k_crash[] = { "type", "nodes", "mean_up", "mean_down", "from", "until", NULL };
	if (!want_object(p, e, "processes"))
		return false;
	const struct jd_value *tv = need(p, e, "type", "a process");
	int kind = 0; /* set by want_enum on success; initialised for -O2 flow analysis */
	if (!tv || !want_enum(p, tv, "type", types, N(types), "process type", &kind))
		return false;
	pr->kind = (enum sim_process_kind)kind;
	char where[64];
	snprintf(where, sizeof(where), "a %s process", types[kind]);
	if (!check_keys(p, e, kind == SP_FLAP ? k_flap : k_crash, where))
		return false;
	bool links = kind == SP_FLAP;
	const struct jd_value *v = need(p, e, links ? "links" : "nodes", where);
	if (!v || !resolve_list(p, v, links ? "links" : "nodes", links, true, &pr->targets, &pr->ntargets))
		return false;
	p->targets += pr->ntargets;
	if (p->targets > MAX_TARGETS)
		return fail_v(p, v, "%s: too many process targets (at most %d in all processes)", links ? "links" : "nodes",
		    MAX_TARGETS);
	if (!(v = need(p, e, "mean_up", where)) || !want_time_pos(p, v, "mean_up", &pr->mean_up))
		return false;
	if (!(v = need(p, e, "mean_down", where)) || !want_time_pos(p, v, "mean_down", &pr->mean_down))
		return false;
	pr->from = 0;
	pr->until = UINT64_MAX;
	if ((v = jd_get(e, "from")) && !want_time(p, v, "from", &pr->from))
		return false;
	if ((v = jd_get(e, "until"))) {
		if (!want_time(p, v, "until", &pr->until))
			return false;
		if (pr->until <= pr->from)
			return fail_v(p, v, "until: must be later than 'from'");
	}
	return true;
}

/* ---- expectations ---- */

static bool want_between(struct P *p, const struct jd_value *v, uint64_t *t1, uint64_t *t2)
{
	if (v->type != JD_ARRAY || v->u.arr.n != 2)
		return fail_v(p, v, "between: expected [t1, t2] (two numbers of seconds)");
	if (!want_time(p, v->u.arr.items[0], "between", t1) || !want_time(p, v->u.arr.items[1], "between", t2))
		return false;
	if (*t2 < *t1)
		return fail_v(p, v, "between: t2 must not be before t1");
	return true;
}

static int u64_cmp(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

static bool parse_expect(struct P *p, const struct jd_value *e, struct sim_expect_spec *x)
{
	static const char *const types[] = {
		[SX_SESSIONS_OPEN] = "sessions_open", [SX_SESSION_DOWN] = "session_down",
		[SX_NO_SESSION_DOWN] = "no_session_down", [SX_NO_FLAPS_AFTER] = "no_flaps_after",
		[SX_ENCAPS_MATCH] = "encaps_match", [SX_COUNTER] = "counter", [SX_SENT_TIMES] = "sent_times",
		[SX_MEMORY] = "memory", [SX_LINKS_MATCH] = "links_match",
	};
	static const char *const k_open[] = { "type", "by", "sessions", NULL };
	static const char *const k_down[] = { "type", "session", "between", "reason", "node", NULL };
	static const char *const k_nodown[] = { "type", "between", "sessions", NULL };
	static const char *const k_flaps[] = { "type", "time", NULL };
	static const char *const k_at[] = { "type", "at", NULL }; /* encaps_match, links_match */
	static const char *const k_counter[] = { "type", "name", "node", "min", "max", "equals", NULL };
	static const char *const k_sent[] = { "type", "node", "pdu", "times", "from", "until", "ack_of", NULL };
	static const char *const k_mem[] = { "type", "node", "max_bytes", NULL };
	static const char *const *const keys[] = {
		[SX_SESSIONS_OPEN] = k_open, [SX_SESSION_DOWN] = k_down, [SX_NO_SESSION_DOWN] = k_nodown,
		[SX_NO_FLAPS_AFTER] = k_flaps, [SX_ENCAPS_MATCH] = k_at, [SX_COUNTER] = k_counter,
		[SX_SENT_TIMES] = k_sent, [SX_MEMORY] = k_mem, [SX_LINKS_MATCH] = k_at,
	};
	struct sim_scenario *sc = p->sc;
	x->node = -1;
	x->pdu = -1;
	x->ack_of = -1;
	if (!want_object(p, e, "expect"))
		return false;
	/* "FILE:LINE:COL", with the file's base name if the whole path does not fit. */
	int w = snprintf(x->where, sizeof(x->where), "%s:%u:%u", p->file, e->line, e->col);
	if (w < 0 || (size_t)w >= sizeof(x->where)) {
		const char *base = strrchr(p->file, '/');
		snprintf(x->where, sizeof(x->where), "%s:%u:%u", base ? base + 1 : p->file, e->line, e->col);
	}
	const struct jd_value *tv = need(p, e, "type", "an expectation");
	int kind = 0; /* set by want_enum on success; initialised for -O2 flow analysis */
	if (!tv || !want_enum(p, tv, "type", types, N(types), "expectation type", &kind))
		return false;
	x->kind = (enum sim_expect_kind)kind;
	char where[64];
	snprintf(where, sizeof(where), "a %s expectation", types[kind]);
	if (!check_keys(p, e, keys[kind], where))
		return false;
	const struct jd_value *v;
	uint64_t u;
	switch (x->kind) {
	case SX_SESSIONS_OPEN:
		if (!(v = need(p, e, "by", where)) || !want_time(p, v, "by", &x->t1))
			return false;
		x->t2 = x->t1;
		return !(v = jd_get(e, "sessions")) || resolve_list(p, v, "sessions", true, false, &x->links, &x->nlinks);
	case SX_SESSION_DOWN: {
		if (!(v = need(p, e, "session", where)))
			return false;
		int l;
		if (!resolve_link(p, v, "session", &l))
			return false;
		x->links = malloc(sizeof(*x->links));
		if (!x->links)
			return fail_v(p, v, "out of memory");
		x->links[0] = l;
		x->nlinks = 1;
		if (!(v = need(p, e, "between", where)) || !want_between(p, v, &x->t1, &x->t2))
			return false;
		if ((v = jd_get(e, "reason"))) {
			const char *names[LSOE_DOWN_COUNT];
			for (int r = 0; r < LSOE_DOWN_COUNT; r++)
				names[r] = lsoe_down_reason_name((enum lsoe_down_reason)r);
			if (!want_enum(p, v, "reason", names, LSOE_DOWN_COUNT, "reason", &x->reason))
				return false;
			x->has_reason = true;
		}
		if ((v = jd_get(e, "node"))) {
			if (!resolve_node(p, v, "node", &x->node))
				return false;
			char name[SIM_LINK_NAME_MAX];
			if (sc->links[l].a != x->node && sc->links[l].b != x->node)
				return fail_v(p, v, "node: '%s' is not an end of link '%s'", sc->nodes[x->node].name,
				    sim_link_name(sc, &sc->links[l], name));
		}
		return true;
	}
	case SX_NO_SESSION_DOWN:
		if (!(v = need(p, e, "between", where)) || !want_between(p, v, &x->t1, &x->t2))
			return false;
		return !(v = jd_get(e, "sessions")) || resolve_list(p, v, "sessions", true, false, &x->links, &x->nlinks);
	case SX_NO_FLAPS_AFTER:
		if (!(v = need(p, e, "time", where)) || !want_time(p, v, "time", &x->t1))
			return false;
		x->t2 = x->t1;
		return true;
	case SX_ENCAPS_MATCH:
	case SX_LINKS_MATCH:
		x->t1 = x->t2 = UINT64_MAX;
		if ((v = jd_get(e, "at"))) {
			if (!want_time(p, v, "at", &x->t1))
				return false;
			x->t2 = x->t1;
		}
		return true;
	case SX_COUNTER:
		if (!(v = need(p, e, "name", where)) || !want_string(p, v, "name", "a counter name"))
			return false;
		if (v->u.str.len == 0 || v->u.str.len >= sizeof(x->counter))
			return fail_v(p, v, "name: a counter name has 1 to %zu characters", sizeof(x->counter) - 1);
		memcpy(x->counter, v->u.str.s, v->u.str.len + 1);
		if ((v = jd_get(e, "node")) && !resolve_node(p, v, "node", &x->node))
			return false;
		if ((v = jd_get(e, "min"))) {
			if (!want_uint(p, v, "min", 0, UINT64_MAX, &x->min))
				return false;
			x->has_min = true;
		}
		if ((v = jd_get(e, "max"))) {
			if (!want_uint(p, v, "max", 0, UINT64_MAX, &x->max))
				return false;
			x->has_max = true;
			if (x->has_min && x->max < x->min)
				return fail_v(p, v, "max: must not be less than min");
		}
		/* "equals": a number (min = max = it) or another counter's name. */
		if ((v = jd_get(e, "equals"))) {
			if (x->has_min || x->has_max)
				return fail_v(p, v, "equals: not with min or max");
			if (v->type == JD_NUMBER) {
				if (!want_uint(p, v, "equals", 0, UINT64_MAX, &x->min))
					return false;
				x->max = x->min;
				x->has_min = x->has_max = true;
			} else {
				if (!want_string(p, v, "equals", "a number or a counter name"))
					return false;
				if (v->u.str.len == 0 || v->u.str.len >= sizeof(x->equals))
					return fail_v(p, v, "equals: a counter name has 1 to %zu characters", sizeof(x->equals) - 1);
				memcpy(x->equals, v->u.str.s, v->u.str.len + 1);
			}
		}
		return true;
	case SX_SENT_TIMES:
		if (!(v = need(p, e, "node", where)) || !resolve_node(p, v, "node", &x->node))
			return false;
		if (!(v = need(p, e, "pdu", where)) || !want_pdu(p, v, "pdu", &x->pdu))
			return false;
		if ((v = jd_get(e, "ack_of"))) {
			if (x->pdu != LSOE_PDU_ACK)
				return fail_v(p, v, "ack_of: only for \"pdu\": \"ACK\"");
			if (!want_pdu(p, v, "ack_of", &x->ack_of))
				return false;
		}
		if ((v = jd_get(e, "from")) && !want_time(p, v, "from", &x->t1))
			return false;
		x->t2 = UINT64_MAX;
		if ((v = jd_get(e, "until"))) {
			if (!want_time(p, v, "until", &x->t2))
				return false;
			if (x->t2 <= x->t1)
				return fail_v(p, v, "until: must be later than 'from'");
		}
		if (!(v = need(p, e, "times", where)) || !want_array(p, v, "times", "numbers of seconds"))
			return false;
		x->times = malloc((v->u.arr.n ? v->u.arr.n : 1) * sizeof(*x->times));
		if (!x->times)
			return fail_v(p, v, "out of memory");
		x->ntimes = v->u.arr.n;
		for (size_t i = 0; i < v->u.arr.n; i++)
			if (!want_time(p, v->u.arr.items[i], "times", &x->times[i]))
				return false;
		qsort(x->times, x->ntimes, sizeof(*x->times), u64_cmp);
		return true;
	case SX_MEMORY:
		if ((v = jd_get(e, "node")) && !resolve_node(p, v, "node", &x->node))
			return false;
		if (!(v = need(p, e, "max_bytes", where)) || !want_uint(p, v, "max_bytes", 1, UINT64_MAX, &u))
			return false;
		x->max = u;
		x->has_max = true;
		return true;
	}
	return true;
}

/* ---- the file ---- */

static bool parse_root(struct P *p, const struct jd_value *root)
{
	static const char *const top[] = { "name", "description", "duration", "seed", "addresses", "mpls", "defaults",
		"link_defaults", "topology", "nodes", "links", "loopbacks", "events", "processes", "expect", NULL };
	struct sim_scenario *sc = p->sc;
	if (root->type != JD_OBJECT)
		return fail_v(p, root, "a scenario is a JSON object ({ ... }), not %s", jd_type_name(root->type));
	if (!check_keys(p, root, top, "the scenario"))
		return false;
	const struct jd_value *v;
	if ((v = jd_get(root, "name"))) {
		if (!want_string(p, v, "name", "a string"))
			return false;
		if (v->u.str.len == 0 || v->u.str.len >= sizeof(sc->name))
			return fail_v(p, v, "name: 1 to %zu characters", sizeof(sc->name) - 1);
		memcpy(sc->name, v->u.str.s, v->u.str.len + 1);
	}
	if ((v = jd_get(root, "description")) && !want_string(p, v, "description", "a string"))
		return false;
	if (!(v = need(p, root, "duration", "the scenario")) || !want_time_pos(p, v, "duration", &sc->duration))
		return false;
	sc->seed = 1;
	if ((v = jd_get(root, "seed")) && !want_uint(p, v, "seed", 0, UINT64_MAX, &sc->seed))
		return false;
	sc->addresses = true;
	if ((v = jd_get(root, "addresses")) && !want_bool(p, v, "addresses", &sc->addresses))
		return false;
	if ((v = jd_get(root, "mpls")) && !want_bool(p, v, "mpls", &sc->mpls))
		return false;
	if (!(v = need(p, root, "topology", "the scenario")) || !parse_topology(p, v))
		return false;
	if (!parse_links(p, root) || !parse_configs(p, root))
		return false;
	if ((v = jd_get(root, "loopbacks")) && !parse_loopbacks(p, v))
		return false;
	if ((v = jd_get(root, "events")) && !parse_events(p, v))
		return false;
	if ((v = jd_get(root, "processes"))) {
		if (!want_array(p, v, "processes", "processes"))
			return false;
		if (v->u.arr.n > MAX_PROCS)
			return fail_v(p, v, "processes: at most %d", MAX_PROCS);
		sc->procs = calloc(v->u.arr.n ? v->u.arr.n : 1, sizeof(*sc->procs));
		if (!sc->procs)
			return fail_v(p, v, "out of memory");
		for (size_t i = 0; i < v->u.arr.n; i++) {
			sc->nprocs = i + 1;
			if (!parse_process(p, v->u.arr.items[i], &sc->procs[i]))
				return false;
		}
	}
	if ((v = jd_get(root, "expect"))) {
		if (!want_array(p, v, "expect", "expectations"))
			return false;
		if (v->u.arr.n > MAX_EXPECTS)
			return fail_v(p, v, "expect: at most %d expectations", MAX_EXPECTS);
		sc->expects = calloc(v->u.arr.n ? v->u.arr.n : 1, sizeof(*sc->expects));
		if (!sc->expects)
			return fail_v(p, v, "out of memory");
		for (size_t i = 0; i < v->u.arr.n; i++) {
			sc->nexpects = i + 1;
			if (!parse_expect(p, v->u.arr.items[i], &sc->expects[i]))
				return false;
		}
	}
	return true;
}

/* The default name: the file's base name without ".json", cut to fit at a character boundary. */
static void default_name(struct sim_scenario *sc, const char *file)
{
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	size_t n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".json") == 0)
		n -= 5;
	if (n >= sizeof(sc->name)) {
		n = sizeof(sc->name) - 1;
		while (n && ((unsigned char)base[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(sc->name, base, n);
	sc->name[n] = '\0';
	if (!n)
		snprintf(sc->name, sizeof(sc->name), "scenario");
}

bool sim_scenario_parse(struct sim_scenario *sc, const char *text, size_t len, const char *name, char *err,
    size_t cap)
{
	memset(sc, 0, sizeof(*sc));
	if (cap)
		err[0] = '\0';
	if (!name)
		name = "-";
	struct P *p = calloc(1, sizeof(*p));
	if (!p) {
		if (cap)
			snprintf(err, cap, "%s: out of memory", name);
		return false;
	}
	p->file = name;
	p->err = err;
	p->cap = cap;
	p->sc = sc;
	struct jd_doc *doc = jd_parse(text, len, name, err, cap);
	bool ok = doc && parse_root(p, jd_root(doc));
	jd_free(doc);
	smap_free(&p->node_map);
	lmap_free(&p->link_map);
	free(p->pairs.e);
	free(p);
	if (!ok) {
		sim_scenario_free(sc);
		return false;
	}
	snprintf(sc->path, sizeof(sc->path), "%s", name);
	if (!sc->name[0])
		default_name(sc, name);
	return true;
}

bool sim_scenario_load(struct sim_scenario *sc, const char *path, char *err, size_t cap)
{
	memset(sc, 0, sizeof(*sc));
	if (cap)
		err[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (cap)
			snprintf(err, cap, "%s: %s", path, strerror(errno));
		return false;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		if (cap)
			snprintf(err, cap, "%s: is a directory", path);
		return false;
	}
	/* Read to the end (whatever the file is), at most one octet past the limit. */
	size_t n = 0, size = 64 * 1024;
	char *buf = malloc(size);
	bool ok = buf != NULL;
	const char *why = "out of memory";
	while (ok) {
		if (n == size) {
			if (size > JD_MAX_TEXT) {
				why = NULL;
				break;
			}
			size_t ns = size * 2 > (size_t)JD_MAX_TEXT + 1 ? (size_t)JD_MAX_TEXT + 1 : size * 2;
			char *nb = realloc(buf, ns);
			if (!nb) {
				ok = false;
				break;
			}
			buf = nb;
			size = ns;
		}
		ssize_t r = read(fd, buf + n, size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			why = strerror(errno);
			ok = false;
		} else if (r == 0) {
			break;
		} else {
			n += (size_t)r;
		}
	}
	close(fd);
	if (ok && n > JD_MAX_TEXT) {
		if (cap)
			snprintf(err, cap, "%s: the file is too large (more than %u octets)", path, JD_MAX_TEXT);
		free(buf);
		return false;
	}
	if (!ok) {
		if (cap)
			snprintf(err, cap, "%s: %s", path, why);
		free(buf);
		return false;
	}
	ok = sim_scenario_parse(sc, buf, n, path, err, cap);
	free(buf);
	return ok;
}

void sim_scenario_free(struct sim_scenario *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; sc->events && i < sc->nevents; i++) {
		free(sc->events[i].set);
		free(sc->events[i].nodes);
	}
	for (size_t i = 0; sc->procs && i < sc->nprocs; i++)
		free(sc->procs[i].targets);
	for (size_t i = 0; sc->expects && i < sc->nexpects; i++) {
		free(sc->expects[i].links);
		free(sc->expects[i].times);
	}
	for (size_t i = 0; sc->link_addrs && i < sc->nlink_addrs; i++) {
		free(sc->link_addrs[i].a);
		free(sc->link_addrs[i].b);
	}
	free(sc->link_addrs);
	free(sc->dirs);
	for (size_t i = 0; sc->nodes && i < sc->nnodes; i++)
		free(sc->nodes[i].loopbacks);
	for (size_t i = 0; sc->cfgs && i < sc->ncfgs; i++)
		free(sc->cfgs[i]);
	free(sc->cfgs);
	free(sc->nodes);
	free(sc->links);
	free(sc->events);
	free(sc->procs);
	free(sc->expects);
	memset(sc, 0, sizeof(*sc));
}

const struct sim_addr *sim_link_addrs(const struct sim_scenario *sc, size_t link, int side, struct sim_addr buf[2],
    unsigned *n)
{
	const struct sim_link_spec *l = &sc->links[link];
	if (l->addrs != SIM_GEN_ADDRS) {
		const struct sim_link_addrs *la = &sc->link_addrs[l->addrs];
		*n = side ? la->nb : la->na;
		return side ? la->b : la->a;
	}
	if (!sc->addresses) {
		*n = 0;
		return NULL;
	}
	gen_addrs(link, side, buf);
	*n = 2;
	return buf;
}

const char *sim_link_name(const struct sim_scenario *sc, const struct sim_link_spec *l, char buf[SIM_LINK_NAME_MAX])
{
	snprintf(buf, SIM_LINK_NAME_MAX, "%s-%s", sc->nodes[l->a].name, sc->nodes[l->b].name);
	return buf;
}

int sim_link_name_cmp(const struct sim_scenario *sc, const struct sim_link_spec *x, const struct sim_link_spec *y)
{
	return joined_cmp(sc->nodes[x->a].name, sc->nodes[x->b].name, sc->nodes[y->a].name, sc->nodes[y->b].name);
}

int sim_scenario_node(const struct sim_scenario *sc, const char *name)
{
	for (size_t i = 0; name && i < sc->nnodes; i++)
		if (strcmp(sc->nodes[i].name, name) == 0)
			return (int)i;
	return -1;
}

int sim_scenario_link(const struct sim_scenario *sc, const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < sc->nlinks; i++)
		if (is_joined(name, sc->nodes[sc->links[i].a].name, sc->nodes[sc->links[i].b].name))
			return (int)i;
	/* "b-a" */
	for (size_t i = 0; i < sc->nlinks; i++) {
		const char *na = sc->nodes[sc->links[i].a].name, *nb = sc->nodes[sc->links[i].b].name;
		size_t lb = strlen(nb);
		if (strncmp(name, nb, lb) == 0 && name[lb] == '-' && strcmp(name + lb + 1, na) == 0)
			return (int)i;
	}
	return -1;
}
