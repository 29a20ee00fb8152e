/*
 * A small JSON document tree with positions, for files written by people (the
 * simulator's scenarios): every value and every object key knows its line and
 * column, so that a message can point at it. Built with yajl's callback parser
 * (comments allowed, strings checked as UTF-8); objects keep their key order and
 * a key twice in one object is an error. Bounded for hostile input: at most
 * JD_MAX_DEPTH levels of nesting, JD_MAX_TEXT octets of text and JD_MAX_VALUES
 * values.
 *
 * Lines and columns count from 1; a column counts octets (a tab is one).
 */
#ifndef LSOE_SIM_JSON_DOM_H
#define LSOE_SIM_JSON_DOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JD_MAX_DEPTH  64
#define JD_MAX_TEXT   (64u * 1024 * 1024)
#define JD_MAX_VALUES (2u * 1024 * 1024)

enum jd_type { JD_NULL, JD_BOOL, JD_NUMBER, JD_STRING, JD_OBJECT, JD_ARRAY };

struct jd_value;

struct jd_member {
	const char *key;             /* NUL-terminated (it may also contain a NUL: see key_len) */
	size_t key_len;
	uint32_t line, col;          /* of the key's opening quote */
	struct jd_value *value;
};

struct jd_value {
	enum jd_type type;
	uint32_t line, col;          /* of the value's first character ('{' or '[' for containers) */
	union {
		bool b;                  /* JD_BOOL */
		struct {                 /* JD_STRING: the decoded text; JD_NUMBER: the number as written */
			const char *s;       /* NUL-terminated */
			size_t len;
		} str;
		struct {
			struct jd_member *items;
			size_t n;
		} obj;
		struct {
			struct jd_value **items;
			size_t n;
		} arr;
	} u;
};

struct jd_doc;

/*
 * Parse text (len octets; it need not be NUL-terminated). On error returns NULL
 * and writes "NAME:LINE:COLUMN: message" into err (cap octets).
 */
struct jd_doc *jd_parse(const char *text, size_t len, const char *name, char *err, size_t cap);
const struct jd_value *jd_root(const struct jd_doc *doc);
void jd_free(struct jd_doc *doc);

/* The value of key in an object (NULL if absent or obj is not an object). */
const struct jd_value *jd_get(const struct jd_value *obj, const char *key);
/* The member of that key, with the key's position (NULL if absent). */
const struct jd_member *jd_member(const struct jd_value *obj, const char *key);

/* "a string", "a number", "an object", ... for messages. */
const char *jd_type_name(enum jd_type t);

#endif
