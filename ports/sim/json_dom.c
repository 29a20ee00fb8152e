/*
 * The JSON tree with positions (json_dom.h), built from yajl's callbacks.
 *
 * Positions: yajl tells, inside a callback, how many octets it has consumed: the
 * offset just after the token being reported. Between two tokens there is only
 * white space, comments, ',' and ':' (yajl has checked that), so the start of a
 * token is found by skipping those from the end of the previous one. Offsets only
 * grow, so a cursor that moves forward counting newlines turns them into line and
 * column in one pass over the text, whatever its shape (no index of line starts,
 * which a file of 64 MiB of newlines would make large).
 *
 * Memory: values, strings and the finished item arrays live in an arena freed at
 * once; while a container is open its items collect in a per-depth buffer, reused
 * by the next container at that depth.
 */
#include "json_dom.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "format.h"

/* ---- arena ---- */

struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

#define CHUNK_MIN (64u * 1024)
#define ARENA_ALIGN 8u           /* enough for everything stored: pointers, sizes, the structs below */
#define ALIGN_UP(n) (((n) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))
_Static_assert(_Alignof(struct jd_value) <= ARENA_ALIGN && _Alignof(struct jd_member) <= ARENA_ALIGN &&
    _Alignof(struct jd_value *) <= ARENA_ALIGN, "arena alignment");

struct jd_doc {
	struct chunk *chunks;
	struct jd_value *root;
};

static void *arena_alloc(struct jd_doc *d, size_t n)
{
	if (n > SIZE_MAX / 2)
		return NULL;
	n = ALIGN_UP(n ? n : 1);
	struct chunk *c = d->chunks;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		/* A large block gets its own chunk behind the current one, which keeps its room. */
		if (d->chunks && n > CHUNK_MIN) {
			c->next = d->chunks->next;
			d->chunks->next = c;
		} else {
			c->next = d->chunks;
			d->chunks = c;
		}
	}
	void *p = (unsigned char *)c->data + c->used;
	c->used += n;
	return p;
}

static char *arena_strdup(struct jd_doc *d, const char *s, size_t len)
{
	if (len == SIZE_MAX)
		return NULL;
	char *p = arena_alloc(d, len + 1);
	if (p) {
		if (len)
			memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

void jd_free(struct jd_doc *d)
{
	if (!d)
		return;
	for (struct chunk *c = d->chunks, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(d);
}

const struct jd_value *jd_root(const struct jd_doc *d)
{
	return d ? d->root : NULL;
}

/* ---- the builder ---- */

struct frame {
	struct jd_value *v;          /* the open container */
	struct jd_member *members;   /* objects */
	struct jd_value **values;    /* arrays */
	size_t n;                    /* members or values so far */
	size_t mcap, vcap;           /* capacities of the two buffers */
	const char *key;             /* objects: the key waiting for its value */
	size_t key_len;
	uint32_t key_line, key_col;
};

struct builder {
	const char *text;
	size_t len;
	const char *name;
	yajl_handle h;
	bool completing;             /* inside yajl_complete_parse: offsets are not into text */
	size_t scan;                 /* end of the last token reported */
	size_t nvalues;

	/* The line cursor. */
	size_t cur_off, cur_line_start;
	uint32_t cur_line;

	struct jd_doc *doc;
	struct frame frames[JD_MAX_DEPTH];
	size_t depth;

	bool failed;                 /* a message is in err */
	char *err;
	size_t cap;
};

static void position(struct builder *b, size_t off, uint32_t *line, uint32_t *col)
{
	if (off > b->len)
		off = b->len;
	if (off < b->cur_off) {
		b->cur_off = 0;
		b->cur_line = 1;
		b->cur_line_start = 0;
	}
	const char *t = b->text;
	for (size_t i = b->cur_off; i < off; i++) {
		if (t[i] == '\n') {
			b->cur_line++;
			b->cur_line_start = i + 1;
		}
	}
	b->cur_off = off;
	*line = b->cur_line;
	*col = (uint32_t)(off - b->cur_line_start + 1);
}

__attribute__((format(printf, 3, 4)))
static int fail_at(struct builder *b, size_t off, const char *fmt, ...)
{
	if (b->failed)
		return 0;
	b->failed = true;
	uint32_t line, col;
	position(b, off, &line, &col);
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (b->cap)
		snprintf(b->err, b->cap, "%s:%u:%u: %s", b->name, line, col, msg);
	return 0;
}

/* Skip white space, comments and (if seps) the separators ',' ':' from off. */
static size_t skip_some(const char *t, size_t off, size_t len, bool seps)
{
	while (off < len) {
		char c = t[off];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || (seps && (c == ',' || c == ':'))) {
			off++;
		} else if (c == '/' && off + 1 < len && t[off + 1] == '/') {
			while (off < len && t[off] != '\n')
				off++;
		} else if (c == '/' && off + 1 < len && t[off + 1] == '*') {
			off += 2;
			while (off + 1 < len && !(t[off] == '*' && t[off + 1] == '/'))
				off++;
			off = off + 2 < len ? off + 2 : len;
		} else {
			break;
		}
	}
	return off;
}

static size_t skip(const char *t, size_t off, size_t len)
{
	return skip_some(t, off, len, true);
}

/* The offset where the token being reported starts; moves the scan past it. */
static size_t token_start(struct builder *b)
{
	size_t start = skip(b->text, b->scan, b->len);
	size_t end = b->completing ? b->len : yajl_get_bytes_consumed(b->h);
	b->scan = end >= start && end <= b->len ? end : b->len;
	return start;
}

static struct jd_value *new_value(struct builder *b, enum jd_type type, size_t start)
{
	if (++b->nvalues > JD_MAX_VALUES) {
		fail_at(b, start, "too many values (more than %u)", JD_MAX_VALUES);
		return NULL;
	}
	struct jd_value *v = arena_alloc(b->doc, sizeof(*v));
	if (!v) {
		fail_at(b, start, "out of memory");
		return NULL;
	}
	memset(v, 0, sizeof(*v));
	v->type = type;
	position(b, start, &v->line, &v->col);
	return v;
}

/* Room for item n of an array of cap items of size octets: p, moved maybe, or NULL (p still valid). */
static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	size_t nc = *cap ? *cap * 2 : 8;
	if (nc > SIZE_MAX / size)
		return NULL;
	void *q = realloc(p, nc * size);
	if (q)
		*cap = nc;
	return q;
}

/* Attach a finished (or just opened) value to its parent, or make it the root. */
static int attach(struct builder *b, struct jd_value *v, size_t start)
{
	if (!v)
		return 0;
	if (b->depth == 0) {
		b->doc->root = v;
		return 1;
	}
	struct frame *f = &b->frames[b->depth - 1];
	if (f->v->type == JD_ARRAY) {
		struct jd_value **vs = grow(f->values, &f->vcap, f->n, sizeof(*vs));
		if (!vs)
			return fail_at(b, start, "out of memory");
		f->values = vs;
		f->values[f->n++] = v;
	} else {
		struct jd_member *ms = grow(f->members, &f->mcap, f->n, sizeof(*ms));
		if (!ms)
			return fail_at(b, start, "out of memory");
		f->members = ms;
		struct jd_member *m = &f->members[f->n++];
		m->key = f->key;
		m->key_len = f->key_len;
		m->line = f->key_line;
		m->col = f->key_col;
		m->value = v;
		f->key = NULL;
	}
	return 1;
}

static int cb_null(void *ctx)
{
	struct builder *b = ctx;
	size_t start = token_start(b);
	return attach(b, new_value(b, JD_NULL, start), start);
}

static int cb_boolean(void *ctx, int val)
{
	struct builder *b = ctx;
	size_t start = token_start(b);
	struct jd_value *v = new_value(b, JD_BOOL, start);
	if (v)
		v->u.b = val != 0;
	return attach(b, v, start);
}

static int scalar_text(struct builder *b, enum jd_type type, const char *s, size_t len)
{
	size_t start = token_start(b);
	struct jd_value *v = new_value(b, type, start);
	if (!v)
		return 0;
	v->u.str.s = arena_strdup(b->doc, s, len);
	v->u.str.len = len;
	if (!v->u.str.s)
		return fail_at(b, start, "out of memory");
	return attach(b, v, start);
}

static int cb_number(void *ctx, const char *s, size_t len)
{
	return scalar_text(ctx, JD_NUMBER, s, len);
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
	return scalar_text(ctx, JD_STRING, (const char *)s, len);
}

static int open_container(struct builder *b, enum jd_type type)
{
	size_t start = token_start(b);
	if (b->depth >= JD_MAX_DEPTH)
		return fail_at(b, start, "nested deeper than %d levels", JD_MAX_DEPTH);
	struct jd_value *v = new_value(b, type, start);
	if (!attach(b, v, start))
		return 0;
	struct frame *f = &b->frames[b->depth++];
	f->v = v;
	f->n = 0;
	f->key = NULL;
	return 1;
}

static int cb_start_map(void *ctx)
{
	return open_container(ctx, JD_OBJECT);
}

static int cb_start_array(void *ctx)
{
	return open_container(ctx, JD_ARRAY);
}

static int cb_map_key(void *ctx, const unsigned char *s, size_t len)
{
	struct builder *b = ctx;
	size_t start = token_start(b);
	struct frame *f = &b->frames[b->depth - 1];
	f->key = arena_strdup(b->doc, (const char *)s, len);
	f->key_len = len;
	if (!f->key)
		return fail_at(b, start, "out of memory");
	position(b, start, &f->key_line, &f->key_col);
	return 1;
}

static int key_cmp(const struct jd_member *a, const struct jd_member *c)
{
	size_t n = a->key_len < c->key_len ? a->key_len : c->key_len;
	int r = memcmp(a->key, c->key, n);
	if (r)
		return r;
	return a->key_len < c->key_len ? -1 : a->key_len > c->key_len;
}

/* By key, then by position in the object (the members are contiguous). */
static int member_ptr_cmp(const void *x, const void *y)
{
	const struct jd_member *a = *(const struct jd_member *const *)x, *c = *(const struct jd_member *const *)y;
	int r = key_cmp(a, c);
	if (r)
		return r;
	return a < c ? -1 : a > c;
}

/* The first member (in object order) whose key appeared before it, or NULL; *first is that earlier one. */
static const struct jd_member *find_duplicate(const struct jd_member *m, size_t n, const struct jd_member **first,
    bool *nomem)
{
	const struct jd_member *dup = NULL;
	*nomem = false;
	if (n <= 16) {
		for (size_t i = 1; i < n && !dup; i++)
			for (size_t j = 0; j < i; j++)
				if (key_cmp(&m[i], &m[j]) == 0) {
					dup = &m[i];
					*first = &m[j];
					break;
				}
		return dup;
	}
	const struct jd_member **s = malloc(n * sizeof(*s));
	if (!s) {
		*nomem = true;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		s[i] = &m[i];
	qsort(s, n, sizeof(*s), member_ptr_cmp);
	for (size_t i = 1; i < n; i++) {
		if (key_cmp(s[i - 1], s[i]) == 0 && (!dup || s[i] < dup)) {
			/* s[i - 1] is the previous occurrence of the same key. */
			dup = s[i];
			*first = s[i - 1];
		}
	}
	free(s);
	return dup;
}

static int close_container(void *ctx)
{
	struct builder *b = ctx;
	size_t start = token_start(b);
	struct frame *f = &b->frames[b->depth - 1];
	struct jd_value *v = f->v;
	if (v->type == JD_OBJECT) {
		const struct jd_member *first = NULL;
		bool nomem;
		const struct jd_member *dup = find_duplicate(f->members, f->n, &first, &nomem);
		if (nomem)
			return fail_at(b, start, "out of memory");
		if (dup) {
			char k[LSOE_QUOTABLE_STRLEN];
			lsoe_fmt_quotable(k, sizeof(k), dup->key, dup->key_len);
			/* Reported at the second occurrence, whose position is known already. */
			b->failed = true;
			if (b->cap)
				snprintf(b->err, b->cap, "%s:%u:%u: duplicate key '%s' (first at line %u, column %u)",
				    b->name, dup->line, dup->col, k, first->line, first->col);
			return 0;
		}
		if (f->n) {
			v->u.obj.items = arena_alloc(b->doc, f->n * sizeof(*f->members));
			if (!v->u.obj.items)
				return fail_at(b, start, "out of memory");
			memcpy(v->u.obj.items, f->members, f->n * sizeof(*f->members));
		}
		v->u.obj.n = f->n;
	} else {
		if (f->n) {
			v->u.arr.items = arena_alloc(b->doc, f->n * sizeof(*f->values));
			if (!v->u.arr.items)
				return fail_at(b, start, "out of memory");
			memcpy(v->u.arr.items, f->values, f->n * sizeof(*f->values));
		}
		v->u.arr.n = f->n;
	}
	b->depth--;
	return 1;
}

static const yajl_callbacks callbacks = {
	.yajl_null = cb_null,
	.yajl_boolean = cb_boolean,
	.yajl_number = cb_number,
	.yajl_string = cb_string,
	.yajl_start_map = cb_start_map,
	.yajl_map_key = cb_map_key,
	.yajl_end_map = close_container,
	.yajl_start_array = cb_start_array,
	.yajl_end_array = close_container,
};

/*
 * yajl's message, without its "parse error: " or "lexical error: " and final
 * period. A grammar error is reported at the start of the token that does not
 * fit; a bad character inside a string where yajl found it; a word that is not
 * JSON (tru) at its start.
 */
static void syntax_error(struct builder *b, size_t yajl_off, bool at_end)
{
	unsigned char *e = yajl_get_error(b->h, 0, (const unsigned char *)b->text, b->len);
	const char *m = e ? (const char *)e : "syntax error";
	bool in_string = strncmp(m, "lexical error: ", 15) == 0 &&
	    (strstr(m, "inside string") || strstr(m, "inside a string") || strstr(m, "UTF8 string"));
	if (strncmp(m, "parse error: ", 13) == 0)
		m += 13;
	else if (strncmp(m, "lexical error: ", 15) == 0)
		m += 15;
	size_t n = strlen(m);
	while (n && (m[n - 1] == '\n' || m[n - 1] == ' ' || m[n - 1] == '.'))
		n--;
	size_t off = yajl_off > b->len ? b->len : yajl_off;
	if (in_string && strstr(m, "UTF8")) {
		/* Decode the string from its quote to find where the bad sequence starts (yajl stops after it). */
		const unsigned char *t = (const unsigned char *)b->text;
		for (size_t i = skip(b->text, b->scan, b->len) + 1; i < off; i++) {
			size_t more = t[i] < 0x80 ? 0 : t[i] >= 0xC0 && t[i] < 0xE0 ? 1 : t[i] >= 0xE0 && t[i] < 0xF0 ? 2 :
			    t[i] >= 0xF0 && t[i] < 0xF8 ? 3 : 4;
			bool bad = more == 4;
			for (size_t k = 1; !bad && k <= more; k++)
				bad = i + k >= b->len || (t[i + k] & 0xC0) != 0x80;
			if (bad) {
				off = i;
				break;
			}
			i += more;
		}
	}
	if (at_end) {
		off = b->len;
	} else if (!in_string) {
		/* The token after the last one reported; a separator there is it only if yajl stopped on it. */
		off = skip_some(b->text, b->scan, b->len, false);
		if (off < b->len && (b->text[off] == ',' || b->text[off] == ':') && yajl_off > off + 1)
			off = skip_some(b->text, off + 1, b->len, false);
	}
	fail_at(b, off, "syntax error: %.*s", (int)(n < 200 ? n : 200), m);
	if (e)
		yajl_free_error(b->h, e);
}

struct jd_doc *jd_parse(const char *text, size_t len, const char *name, char *err, size_t cap)
{
	if (cap)
		err[0] = '\0';
	if (!name)
		name = "-";
	if (len > JD_MAX_TEXT) {
		if (cap)
			snprintf(err, cap, "%s: the file is too large (%zu octets; at most %u)", name, len, JD_MAX_TEXT);
		return NULL;
	}
	if (!text)
		text = "";
	struct builder *b = calloc(1, sizeof(*b));
	struct jd_doc *doc = calloc(1, sizeof(*doc));
	if (!b || !doc) {
		free(b);
		free(doc);
		if (cap)
			snprintf(err, cap, "%s: out of memory", name);
		return NULL;
	}
	b->text = text;
	b->len = len;
	b->name = name;
	b->err = err;
	b->cap = cap;
	b->doc = doc;
	b->cur_line = 1;
	b->h = yajl_alloc(&callbacks, NULL, b);
	if (!b->h) {
		fail_at(b, 0, "out of memory");
	} else {
		yajl_config(b->h, yajl_allow_comments, 1);
		yajl_status st = yajl_parse(b->h, (const unsigned char *)text, len);
		if (st == yajl_status_error) {
			syntax_error(b, yajl_get_bytes_consumed(b->h), false);
		} else if (st == yajl_status_ok) {
			b->completing = true;
			st = yajl_complete_parse(b->h);
			if (st == yajl_status_error && !doc->root)
				fail_at(b, len, "empty document: expected a JSON object");
			else if (st == yajl_status_error)
				syntax_error(b, len, true); /* it ended too soon */
		}
		if (!b->failed && st != yajl_status_ok)
			fail_at(b, b->scan, "cannot parse"); /* a callback stopped it without a message */
		if (!b->failed && !doc->root)
			fail_at(b, len, "empty document: expected a JSON object");
		yajl_free(b->h);
	}
	for (size_t i = 0; i < JD_MAX_DEPTH; i++) {
		free(b->frames[i].members);
		free(b->frames[i].values);
	}
	bool failed = b->failed;
	free(b);
	if (failed) {
		jd_free(doc);
		return NULL;
	}
	return doc;
}

const struct jd_member *jd_member(const struct jd_value *obj, const char *key)
{
	if (!obj || obj->type != JD_OBJECT || !key)
		return NULL;
	size_t len = strlen(key);
	for (size_t i = 0; i < obj->u.obj.n; i++) {
		const struct jd_member *m = &obj->u.obj.items[i];
		if (m->key_len == len && memcmp(m->key, key, len) == 0)
			return m;
	}
	return NULL;
}

const struct jd_value *jd_get(const struct jd_value *obj, const char *key)
{
	const struct jd_member *m = jd_member(obj, key);
	return m ? m->value : NULL;
}

const char *jd_type_name(enum jd_type t)
{
	switch (t) {
	case JD_NULL: return "null";
	case JD_BOOL: return "a boolean";
	case JD_NUMBER: return "a number";
	case JD_STRING: return "a string";
	case JD_OBJECT: return "an object";
	case JD_ARRAY: return "an array";
	}
	return "a value";
}
