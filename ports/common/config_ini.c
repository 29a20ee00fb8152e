/*
 * The configuration file, parsed by libinih through our own line reader: the
 * reader numbers the lines (Debian's libinih is built without
 * INI_HANDLER_LINENO, so the handler is not told the line), sees section
 * headers and syntax errors first, and stops the parse at the first error
 * (libinih itself would go on to the end of the file).
 *
 * What Debian 12's libinih 55 does, checked against the installed library
 * (INI_ALLOW_INLINE_COMMENTS=1, INI_INLINE_COMMENT_PREFIXES=";",
 * INI_START_COMMENT_PREFIXES=";#", INI_ALLOW_MULTILINE=1, INI_MAX_LINE=200):
 *  - Lines whose first non-blank character is '#' or ';' are comments.
 *  - Inline comments: on a "key = value" or "[section]" line, a ';' preceded by
 *    white space starts a comment: "a = 1 ; x" gives "1", but "a = x;y" gives
 *    "x;y". '#' never starts an inline comment: "a = 1 # x" gives "1 # x"
 *    (which then fails as a number). On a continuation line libinih 55 keeps
 *    the ';' part; we cut it there too, so that the rule is the same everywhere.
 *    Python's configparser (py-lsoed) has no inline comments at all: it would
 *    read "1 ; x" and fail on it, so a file py-lsoed accepts reads the same here
 *    unless a text value (a URL) contains " ;".
 *  - "key: value" is the same as "key = value"; the first '=' or ':' separates.
 *  - An indented line after a key continues its value (configparser's
 *    multi-line values); we join the lines with one space and check the whole
 *    value once, reporting errors at the key's line.
 *  - The line buffer is 200 octets: a longer line is an error here (libinih
 *    would silently split it), with a hint to continue on indented lines.
 * configparser lower-cases key names: so do we. Duplicate keys: the last wins.
 */
#include "config_ini.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct loader {
	const char *name;        /* the file, in messages */
	FILE *f;                 /* read from f, or else from text */
	const char *text;
	int line;                /* of the line last read */
	bool failed;
	char *err;
	size_t cap;

	bool in_section;         /* after [lsoed] */
	bool have_name;          /* a key was seen since the last section header (libinih's prev_name) */
	bool continuation;       /* the line last read continues the value of the pending key */

	/* The key being read: its value may go on over the next indented lines. */
	bool pending;
	bool too_long;
	int key_line;
	int first_cont, last_cont; /* the lines that continued its value (0: none) */
	char key[64];
	char value[2 * LSOE_CFG_VALUE_MAX];
	size_t vlen;

	struct lsoe_config cfg;  /* a working copy; the caller's is replaced on success */
};

__attribute__((format(printf, 2, 3)))
static void fail(struct loader *l, const char *fmt, ...)
{
	if (l->failed)
		return;
	l->failed = true;
	if (l->cap) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(l->err, l->cap, fmt, ap);
		va_end(ap);
	}
}

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* libinih's find_chars_or_comment: the first of chars, or of a ';' after white space. */
static const char *find_chars_or_comment(const char *s, const char *chars)
{
	bool was_space = false;
	while (*s && (!chars || !strchr(chars, *s)) && !(was_space && *s == ';')) {
		was_space = is_space((unsigned char)*s);
		s++;
	}
	return s;
}

static int next_char(struct loader *l)
{
	if (l->f)
		return getc(l->f);
	return *l->text ? (unsigned char)*l->text++ : EOF;
}

/* Set the pending key. False (and failed) if its value is not valid. */
static bool commit(struct loader *l)
{
	if (!l->pending)
		return true;
	l->pending = false;
	if (l->too_long) {
		fail(l, "%s:%d: %s: the value is too long (at most %zu characters)", l->name, l->key_line, l->key,
		    sizeof(l->value) - 1);
		return false;
	}
	char why[256], more[128] = "";
	if (lsoe_config_set(&l->cfg, l->key, l->value, why, sizeof(why)) != LSOE_CFG_OK) {
		if (l->first_cont && l->first_cont == l->last_cont)
			snprintf(more, sizeof(more), " (an indented line continues the value above it: line %d)",
			    l->first_cont);
		else if (l->first_cont)
			snprintf(more, sizeof(more), " (an indented line continues the value above it: lines %d to %d)",
			    l->first_cont, l->last_cont);
		fail(l, "%s:%d: %s: %s%s", l->name, l->key_line, l->key, why, more);
		return false;
	}
	return true;
}

static void append(struct loader *l, const char *s, size_t n)
{
	if (l->vlen + n >= sizeof(l->value)) {
		l->too_long = true;
		return;
	}
	memcpy(l->value + l->vlen, s, n);
	l->vlen += n;
	l->value[l->vlen] = '\0';
}

/* The ini_reader: one line into str (num octets), classified before libinih sees it. */
static char *read_line(char *str, int num, void *stream)
{
	struct loader *l = stream;
	if (l->failed || num < 3)
		return NULL;
	size_t n = 0, max = (size_t)num - 1;
	bool eol = false;
	int c = EOF;
	while (n < max && (c = next_char(l)) != EOF) {
		if (c == '\0') {
			fail(l, "%s:%d: the line contains a NUL character", l->name, l->line + 1);
			return NULL;
		}
		str[n++] = (char)c;
		if (c == '\n') {
			eol = true;
			break;
		}
	}
	str[n] = '\0';
	if (n == 0) { /* end of input: the last key is complete */
		commit(l);
		return NULL;
	}
	l->line++;
	if (!eol && n == max && (c = next_char(l)) != EOF && c != '\n') {
		fail(l, "%s:%d: the line is too long (at most %zu characters; a value can go on over indented lines)",
		    l->name, l->line, max);
		return NULL;
	}

	const char *p = str;
	if (l->line == 1 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
		p += 3; /* a UTF-8 byte order mark */
	bool indented = is_space((unsigned char)*p);
	while (is_space((unsigned char)*p))
		p++;
	l->continuation = false;
	if (!*p || *p == '#' || *p == ';')
		return str; /* blank or comment: a value may go on after it, as in configparser */
	if (indented && l->have_name) {
		l->continuation = true;
		return str;
	}
	if (!commit(l))
		return NULL;
	if (*p == '[') {
		const char *end = find_chars_or_comment(p + 1, "]");
		if (*end != ']') {
			fail(l, "%s:%d: a section header without its ']'", l->name, l->line);
			return NULL;
		}
		const char *s = p + 1;
		while (s < end && is_space((unsigned char)*s))
			s++;
		size_t len = (size_t)(end - s);
		while (len && is_space((unsigned char)s[len - 1]))
			len--;
		if (!((len == 5 && memcmp(s, "lsoed", 5) == 0) || (len == 4 && memcmp(s, "lsoe", 4) == 0))) {
			fail(l, "%s:%d: unknown section [%.*s]: the settings go under [lsoed]", l->name, l->line,
			    (int)(len > 60 ? 60 : len), s);
			return NULL;
		}
		l->in_section = true;
		l->have_name = false;
		return str;
	}
	const char *sep = find_chars_or_comment(p, "=:");
	if (*sep != '=' && *sep != ':') {
		fail(l, "%s:%d: expected 'key = value', a [section] header or a comment", l->name, l->line);
		return NULL;
	}
	l->have_name = true;
	return str;
}

/* The ini_handler: called for every key line and continuation line. */
static int on_value(void *user, const char *section, const char *name, const char *value)
{
	struct loader *l = user;
	(void)section; /* we follow the sections ourselves (libinih's are cut at 49 characters) */
	if (l->failed)
		return 0;
	if (l->continuation) {
		if (!l->pending)
			return 1;
		size_t n = (size_t)(find_chars_or_comment(value, NULL) - value);
		while (n && is_space((unsigned char)value[n - 1]))
			n--;
		if (n) {
			append(l, " ", 1);
			append(l, value, n);
			if (!l->first_cont)
				l->first_cont = l->line;
			l->last_cont = l->line;
		}
		return 1;
	}
	size_t len = strlen(name);
	if (!l->in_section) {
		fail(l, "%s:%d: key '%.60s' is outside a section: put it under [lsoed]", l->name, l->line, name);
		return 0;
	}
	if (!len) {
		fail(l, "%s:%d: a value without a key name", l->name, l->line);
		return 0;
	}
	/* configparser lower-cases key names */
	bool known = len < sizeof(l->key);
	if (known) {
		for (size_t i = 0; i <= len; i++)
			l->key[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
		known = lsoe_config_key_find(l->key) != NULL;
	}
	if (!known) {
		fail(l, "%s:%d: unknown key '%.60s'", l->name, l->line, name);
		return 0;
	}
	l->pending = true;
	l->too_long = false;
	l->key_line = l->line;
	l->first_cont = l->last_cont = 0;
	l->vlen = 0;
	l->value[0] = '\0';
	append(l, value, strlen(value));
	return 1;
}

static int load(struct lsoe_config *cfg, struct loader *l)
{
	l->cfg = *cfg;
	int r = ini_parse_stream(read_line, l, on_value, l);
	if (l->f && ferror(l->f))
		fail(l, "%s: %s", l->name, strerror(errno ? errno : EIO));
	if (r > 0)
		fail(l, "%s:%d: syntax error", l->name, r); /* caught by read_line before libinih sees it */
	else if (r < 0)
		fail(l, "%s: cannot be parsed (libinih error %d)", l->name, r);
	char why[256];
	if (!l->failed && !lsoe_config_check(&l->cfg, why, sizeof(why)))
		fail(l, "%s: %s", l->name, why);
	if (l->failed)
		return -1;
	*cfg = l->cfg;
	return 0;
}

static void init(struct loader *l, const char *name, char *err, size_t cap)
{
	memset(l, 0, sizeof(*l));
	l->name = name;
	l->err = err;
	l->cap = err ? cap : 0;
	if (l->cap)
		err[0] = '\0';
}

int lsoe_config_load_string(struct lsoe_config *cfg, const char *text, const char *name, char *err, size_t cap)
{
	struct loader l;
	init(&l, name, err, cap);
	l.text = text;
	return load(cfg, &l);
}

int lsoe_config_load_file(struct lsoe_config *cfg, const char *path, char *err, size_t cap)
{
	struct loader l;
	init(&l, path, err, cap);
	l.f = fopen(path, "r");
	if (!l.f) {
		fail(&l, "%s: %s", path, strerror(errno));
		return -1;
	}
	errno = 0;
	int r = load(cfg, &l);
	fclose(l.f);
	return r;
}
