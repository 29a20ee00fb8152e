/*
 * Configuration keys: one table drives the defaults, parsing, canonical text and
 * checks. A default is text applied through the same parser as a user's value,
 * so what lsoe_config_get prints is always what lsoe_config_set accepts.
 */
#include "lsoe/config.h"

#include <stddef.h>
#include <string.h>

#include "text.h"

#define NS_PER_S     1000000000ull
#define MS           1000000ull
#define DAY_NS       (86400ull * NS_PER_S)

#define FSIZE(f)     sizeof(((struct lsoe_config *)0)->f)
#define AT(f)        offsetof(struct lsoe_config, f), FSIZE(f)

/* name, kind, offset, size, min, max, default, doc, alias_of, aux_offset, flags, choices */
#define KEY(n, k, f, lo, hi, d, doc) { n, k, AT(f), lo, hi, d, doc, NULL, 0, 0, NULL }
#define KEYX(n, k, f, lo, hi, d, doc, aux, fl, ch) { n, k, AT(f), lo, hi, d, doc, NULL, aux, fl, ch }
#define ALIAS(n, k, f, target) { n, k, AT(f), 0, 0, NULL, "another name for " target, target, 0, 0, NULL }

static const struct lsoe_config_key keys[] = {
	/* Identity */
	KEY("name", LSOE_CFG_TEXT, name, 0, 0, "lsoe",
	    "name of this node, shown in events and logs"),
	KEYX("local-id", LSOE_CFG_LOCAL_ID, local_id, 0, 0, "",
	    "My ID sent in OPEN: 10 octets of hex; empty lets the port derive one",
	    offsetof(struct lsoe_config, local_id_set), 0, NULL),
	KEYX("attributes", LSOE_CFG_OCTETS, attrs, 0, 0, "",
	    "attribute octets sent in OPEN, e.g. \"1 2 3\"",
	    offsetof(struct lsoe_config, attr_count), 0, NULL),
	KEYX("auth-data", LSOE_CFG_HEXDATA, auth, 0, 0, "",
	    "authentication data sent in OPEN, as hex",
	    offsetof(struct lsoe_config, auth_len), 0, NULL),
	KEY("auth-required", LSOE_CFG_BOOL, auth_required, 0, 0, "no",
	    "refuse OPENs that do not carry our auth-data"),

	/* Transport */
	KEY("ethertype", LSOE_CFG_HEX16, ethertype, 0x0600, 0xFFFF, "0x88B5",
	    "EtherType of LSOE frames (unassigned by IANA; 0x88B5 is for local experiments)"),
	KEYX("hello-multicast-macaddr", LSOE_CFG_MAC, hello_mac, 0, 0, "01:80:c2:00:00:0e",
	    "destination of HELLOs; the draft names 01:80:c2:00:00:0e and 01:80:c2:00:00:03",
	    0, LSOE_CFG_F_MULTICAST, NULL),
	KEY("mtu", LSOE_CFG_UINT, mtu, 64, 65535, "1500",
	    "default frame payload size of a port, when the port does not say"),

	/* Timers */
	KEY("hello-interval", LSOE_CFG_DURATION, hello_interval, MS, DAY_NS, "60",
	    "seconds between HELLOs on each port"),
	KEY("retransmit-initial-interval", LSOE_CFG_DURATION, retransmit_initial, MS, DAY_NS, "1",
	    "seconds before the first retransmission of an unacknowledged PDU"),
	KEY("retransmit-exponential-backoff", LSOE_CFG_BOOL, retransmit_backoff, 0, 0, "yes",
	    "double the retransmission interval after each retry"),
	KEY("retransmit-max-drop", LSOE_CFG_UINT, retransmit_max_drop, 1, 100, "3",
	    "sends of a PDU without an ACK (the first included) before the session is dropped"),
	KEY("keepalive-send-interval", LSOE_CFG_DURATION, keepalive_send, MS, DAY_NS, "1",
	    "seconds between KEEPALIVEs on an established session"),
	KEYX("keepalive-receive-timeout", LSOE_CFG_DURATION, keepalive_receive_timeout, MS, DAY_NS, "60",
	    "seconds of silence from a peer before its session is closed; 0 = never",
	    0, LSOE_CFG_F_ZERO_NEVER, NULL),
	KEY("reassembly-timeout", LSOE_CFG_DURATION, reassembly_timeout, MS, DAY_NS, "1",
	    "seconds a partly reassembled PDU is kept"),
	KEY("mac-address-cache-timeout", LSOE_CFG_DURATION, idle_timeout, MS, DAY_NS, "300",
	    "seconds before a silent peer without an established session is forgotten"),

	/* Resource bounds */
	KEY("max-sessions-per-port", LSOE_CFG_UINT, max_sessions_per_port, 1, 65535, "64",
	    "peers tracked on one port at most"),
	KEY("reassembly-max-sources", LSOE_CFG_UINT, reassembly_max_sources, 1, 65536, "256",
	    "partly reassembled PDUs held at once"),
	KEY("reassembly-max-bytes", LSOE_CFG_UINT, reassembly_max_bytes, 65535, 1073741824, "4194304",
	    "octets held for reassembly in all (at least one largest PDU)"),

	/* Port-level */
	KEY("include-ports", LSOE_CFG_TEXT, include_ports, 0, 0, "",
	    "interfaces to run on: glob patterns; empty = every suitable interface"),
	KEY("exclude-ports", LSOE_CFG_TEXT, exclude_ports, 0, 0, "",
	    "interfaces never to run on: glob patterns"),
	KEY("primary-addresses", LSOE_CFG_TEXT, primary_addresses, 0, 0, "",
	    "addresses announced with the Primary flag"),
	KEY("expose-loopback", LSOE_CFG_TEXT, expose_loopback, 0, 0, "none",
	    "loopback addresses announced: addresses, \"all\" or \"none\""),
	KEY("mpls-labels", LSOE_CFG_TEXT, mpls_labels, 0, 0, "",
	    "MPLS labels announced: ADDRESS=LABEL[/LABEL...] ..."),
	KEY("control-socket", LSOE_CFG_TEXT, control_socket, 0, 0, "/run/lsoed.sock",
	    "path of the control socket of lsoed"),
	KEY("control-socket-mode", LSOE_CFG_OCTAL, control_socket_mode, 0, 0777, "0660",
	    "file mode of the control socket"),
	KEY("pidfile", LSOE_CFG_TEXT, pidfile, 0, 0, "",
	    "file lsoed writes its process id to; empty = none"),
	KEY("report-url", LSOE_CFG_TEXT, report_url, 0, 0, "",
	    "URL that receives the JSON reports (py-lsoed: report-rfc7752-url)"),
	ALIAS("report-rfc7752-url", LSOE_CFG_TEXT, report_url, "report-url"),
	/* BGP-LS export (lsoed): the link view to BGP speakers, draft section 16 */
	KEY("bgp-ls-peer", LSOE_CFG_TEXT, bgp_ls_peer, 0, 0, "",
	    "BGP speakers to export the links to: ADDR, ADDR:PORT or [V6]:PORT, space-separated; empty = none"),
	KEY("bgp-ls-local-as", LSOE_CFG_UINT, bgp_ls_local_as, 0, 4294967295ull, "0",
	    "our AS number in the BGP-LS sessions (required with bgp-ls-peer)"),
	KEY("bgp-ls-peer-as", LSOE_CFG_UINT, bgp_ls_peer_as, 0, 4294967295ull, "0",
	    "the peers' AS number; 0 = bgp-ls-local-as (iBGP)"),
	KEY("bgp-ls-router-id", LSOE_CFG_TEXT, bgp_ls_router_id, 0, 0, "",
	    "our BGP Identifier, dotted IPv4; empty = the last 4 octets of local-id"),
	KEYX("bgp-ls-safi", LSOE_CFG_TEXT, bgp_ls_safi, 0, 0, "71",
	    "SAFI of the export: 71 (BGP-LS) or 80 (BGP-LS-SPF)", 0, 0, "71 80"),
	KEY("bgp-ls-hold-time", LSOE_CFG_UINT, bgp_ls_hold_time, 0, 65535, "90",
	    "hold time offered in OPEN, seconds: 0 (none) or 3 to 65535"),
	KEYX("bgp-ls-coalesce-time", LSOE_CFG_DURATION, bgp_ls_coalesce, MS, 60 * NS_PER_S, "0.5",
	    "seconds new or changed links wait, gathering changes, before they are sent; 0 = at once",
	    0, LSOE_CFG_F_ZERO_NEVER, NULL),
	KEY("bgp-ls-protocol-id", LSOE_CFG_UINT, bgp_ls_protocol_id, 1, 255, "7",
	    "Protocol-ID of the Link NLRIs: 7 = BGP (RFC 9086)"),
	KEY("bgp-ls-identifier", LSOE_CFG_UINT, bgp_ls_identifier, 0, 0, "0",
	    "Identifier of the Link NLRIs (64-bit routing universe)"),
	KEYX("log-level", LSOE_CFG_TEXT, log_level, 0, 0, "info",
	    "least severe log messages shown: error, warning, info or debug",
	    0, 0, "error warning info debug"),
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

size_t lsoe_config_key_count(void)
{
	return NKEYS;
}

const struct lsoe_config_key *lsoe_config_key_at(size_t i)
{
	return i < NKEYS ? &keys[i] : NULL;
}

const struct lsoe_config_key *lsoe_config_key_find(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/* The key an alias stands for (the key itself otherwise). */
static const struct lsoe_config_key *resolve(const struct lsoe_config_key *k)
{
	return k && k->alias_of ? lsoe_config_key_find(k->alias_of) : k;
}

/* ---- small text helpers (no <ctype.h> in the core) ---- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool eq_nocase(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

/* A value without leading and trailing white space, copied into buf. */
static bool trimmed(const char *v, char *buf, size_t cap)
{
	while (is_space(*v))
		v++;
	size_t n = strlen(v);
	while (n && is_space(v[n - 1]))
		n--;
	if (n >= cap)
		return false;
	memcpy(buf, v, n);
	buf[n] = '\0';
	return true;
}

static size_t text_len(const char *p, size_t cap)
{
	const char *z = memchr(p, '\0', cap);
	return z ? (size_t)(z - p) : cap;
}

/* ---- field access by size ---- */

static uint64_t load_uint(const void *p, size_t size)
{
	switch (size) {
	case 1: { uint8_t v; memcpy(&v, p, 1); return v; }
	case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
	case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
	default: { uint64_t v; memcpy(&v, p, 8); return v; }
	}
}

static void store_uint(void *p, size_t size, uint64_t x)
{
	switch (size) {
	case 1: { uint8_t v = (uint8_t)x; memcpy(p, &v, 1); break; }
	case 2: { uint16_t v = (uint16_t)x; memcpy(p, &v, 2); break; }
	case 4: { uint32_t v = (uint32_t)x; memcpy(p, &v, 4); break; }
	default: memcpy(p, &x, 8); break;
	}
}

/* The largest value a UINT/HEX16/OCTAL key can hold: its max, or its field's. */
static uint64_t uint_max(const struct lsoe_config_key *k)
{
	uint64_t field = k->size >= 8 ? UINT64_MAX : (1ull << (8 * k->size)) - 1;
	return k->max && k->max < field ? k->max : field;
}

/* ---- what a valid value looks like, for messages ---- */

static void why_duration(const struct lsoe_config_key *k, char *why, size_t cap)
{
	char lo[32], hi[32];
	lsoe_text_seconds(lo, sizeof(lo), k->min);
	lsoe_text_seconds(hi, sizeof(hi), k->max);
	if (k->flags & LSOE_CFG_F_ZERO_NEVER)
		lsoe_fmt(why, cap, "must be 0 (never) or a duration in seconds between %s and %s", lo, hi);
	else
		lsoe_fmt(why, cap, "must be a duration in seconds between %s and %s", lo, hi);
}

static void text_octal(uint64_t v, char *out, size_t cap)
{
	char d[24];
	size_t n = 0;
	do {
		d[sizeof(d) - 1 - n++] = (char)('0' + (v & 7));
		v >>= 3;
	} while (v);
	while (n < 4)
		d[sizeof(d) - 1 - n++] = '0';
	lsoe_fmt(out, cap, "%.*s", (int)n, d + sizeof(d) - n);
}

static void why_kind(const struct lsoe_config_key *k, char *why, size_t cap)
{
	switch (k->kind) {
	case LSOE_CFG_DURATION:
		why_duration(k, why, cap);
		break;
	case LSOE_CFG_UINT:
		lsoe_fmt(why, cap, "must be an integer between %llu and %llu", (unsigned long long)k->min,
		    (unsigned long long)uint_max(k));
		break;
	case LSOE_CFG_BOOL:
		lsoe_fmt(why, cap, "must be yes or no (or true/false, on/off, 1/0)");
		break;
	case LSOE_CFG_MAC:
		if (k->flags & LSOE_CFG_F_MULTICAST)
			lsoe_fmt(why, cap, "must be a multicast MAC address (lowest bit of the first octet set), "
			    "e.g. 01:80:c2:00:00:0e");
		else
			lsoe_fmt(why, cap, "must be a MAC address, e.g. 02:00:00:00:00:01");
		break;
	case LSOE_CFG_LOCAL_ID:
		lsoe_fmt(why, cap, "must be %u octets of hex, e.g. 00:11:22:33:44:55:66:77:88:01",
		    (unsigned)k->size);
		break;
	case LSOE_CFG_HEX16:
		lsoe_fmt(why, cap, "must be a hex number between 0x%04llX and 0x%04llX, e.g. 0x88B5",
		    (unsigned long long)k->min, (unsigned long long)uint_max(k));
		break;
	case LSOE_CFG_OCTETS:
		lsoe_fmt(why, cap, "must be at most %u octet values (0 to 255) separated by spaces or commas, "
		    "e.g. \"1 2 3\"", (unsigned)k->size);
		break;
	case LSOE_CFG_HEXDATA:
		lsoe_fmt(why, cap, "must be at most %u octets of hex, e.g. 0a:1b:2c or 0a1b2c", (unsigned)k->size);
		break;
	case LSOE_CFG_TEXT:
		if (k->choices)
			lsoe_fmt(why, cap, "must be one of: %s", k->choices);
		else
			lsoe_fmt(why, cap, "must be text of at most %u characters without control characters",
			    (unsigned)(k->size - 1));
		break;
	case LSOE_CFG_OCTAL: {
		char lo[24], hi[24];
		text_octal(k->min, lo, sizeof(lo));
		text_octal(uint_max(k), hi, sizeof(hi));
		lsoe_fmt(why, cap, "must be an octal file mode between %s and %s, e.g. 0660", lo, hi);
		break;
	}
	}
}

/* ---- parsers: text to field image; false if the value is not valid ---- */

/*
 * Hex octets: pairs of digits, optionally separated by ':', '-' or white space
 * (never inside a pair), as py-lsoed takes its local-id. At most cap octets.
 */
static bool parse_hex_octets(const char *s, uint8_t *out, size_t cap, size_t *n)
{
	size_t len = 0;
	bool sep_ok = false;
	while (*s) {
		if (*s == ':' || *s == '-' || is_space(*s)) {
			if (!sep_ok)
				return false;
			if (*s == ':' || *s == '-')
				sep_ok = false; /* one ':' or '-' between two octets */
			s++;
			while (is_space(*s))
				s++;
			if (!*s)
				return false;
			continue;
		}
		int hi = lsoe_hexval(*s), lo = hi < 0 ? -1 : lsoe_hexval(s[1]);
		if (lo < 0 || len == cap)
			return false;
		out[len++] = (uint8_t)(hi << 4 | lo);
		s += 2;
		sep_ok = true;
	}
	*n = len;
	return true;
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
	size_t n;
	if (strlen(s) == 12) /* aabbccddeeff */
		return parse_hex_octets(s, mac, 6, &n) && n == 6;
	/* aa:bb:cc:dd:ee:ff or aa-bb-cc-dd-ee-ff */
	if (strlen(s) != 17)
		return false;
	for (size_t i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		int hi = lsoe_hexval(p[0]), lo = lsoe_hexval(p[1]);
		if (hi < 0 || lo < 0 || (i < 5 && p[2] != ':' && p[2] != '-'))
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static bool parse_hex_u64(const char *s, uint64_t *out)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s)
		return false;
	uint64_t v = 0;
	for (; *s; s++) {
		int d = lsoe_hexval(*s);
		if (d < 0 || v >> 60)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return true;
}

static bool parse_octal_u64(const char *s, uint64_t *out)
{
	if (!*s)
		return false;
	uint64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '7' || v >> 60)
			return false;
		v = v << 3 | (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

static bool parse_octet_list(const char *s, uint8_t *out, size_t cap, size_t *n)
{
	size_t len = 0;
	char num[8];
	for (;;) {
		while (is_space(*s))
			s++;
		if (!*s)
			break;
		size_t d = 0;
		while (*s && *s != ',' && !is_space(*s)) {
			if (d + 1 >= sizeof(num))
				return false;
			num[d++] = *s++;
		}
		num[d] = '\0';
		uint64_t v;
		bool hex = num[0] == '0' && (num[1] == 'x' || num[1] == 'X');
		if (!(hex ? parse_hex_u64(num, &v) : lsoe_parse_u64(num, &v)) || v > 255 || len == cap)
			return false;
		out[len++] = (uint8_t)v;
		while (is_space(*s))
			s++;
		if (*s == ',') { /* a comma must sit between two values */
			s++;
			while (is_space(*s))
				s++;
			if (!*s || *s == ',')
				return false;
		}
	}
	*n = len;
	return true;
}

static bool parse_bool(const char *s, bool *b)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t n = strlen(s);
	for (size_t i = 0; i < 4; i++) {
		if (eq_nocase(s, n, yes[i], strlen(yes[i]))) {
			*b = true;
			return true;
		}
		if (eq_nocase(s, n, no[i], strlen(no[i]))) {
			*b = false;
			return true;
		}
	}
	return false;
}

/*
 * Parse v for k into cfg (a scratch copy: on failure the caller discards it).
 * why gets the reason on failure.
 */
static bool parse_into(const struct lsoe_config_key *k, struct lsoe_config *cfg, const char *v, char *why,
    size_t cap)
{
	uint8_t *field = (uint8_t *)cfg + k->offset;
	uint64_t x = 0;
	switch (k->kind) {
	case LSOE_CFG_DURATION:
		if (!lsoe_parse_seconds(v, &x) || ((x < k->min || x > k->max) &&
		    !(x == 0 && (k->flags & LSOE_CFG_F_ZERO_NEVER))))
			goto bad;
		store_uint(field, k->size, x);
		return true;
	case LSOE_CFG_UINT:
		if (!lsoe_parse_u64(v, &x) || x < k->min || x > uint_max(k))
			goto bad;
		store_uint(field, k->size, x);
		return true;
	case LSOE_CFG_HEX16:
		if (!parse_hex_u64(v, &x) || x < k->min || x > uint_max(k))
			goto bad;
		store_uint(field, k->size, x);
		return true;
	case LSOE_CFG_OCTAL:
		if (!parse_octal_u64(v, &x) || x < k->min || x > uint_max(k))
			goto bad;
		store_uint(field, k->size, x);
		return true;
	case LSOE_CFG_BOOL: {
		bool b;
		if (!parse_bool(v, &b))
			goto bad;
		memcpy(field, &b, sizeof(b));
		return true;
	}
	case LSOE_CFG_MAC: {
		uint8_t mac[6];
		if (!parse_mac(v, mac) || ((k->flags & LSOE_CFG_F_MULTICAST) && !(mac[0] & 1)))
			goto bad;
		memcpy(field, mac, 6);
		return true;
	}
	case LSOE_CFG_LOCAL_ID: {
		uint8_t id[LSOE_LOCAL_ID_LEN];
		size_t n = 0;
		bool set = *v != '\0';
		if (k->size > sizeof(id) || (set && (!parse_hex_octets(v, id, k->size, &n) || n != k->size)))
			goto bad;
		if (set)
			memcpy(field, id, k->size);
		else
			memset(field, 0, k->size);
		memcpy((uint8_t *)cfg + k->aux_offset, &set, sizeof(set));
		return true;
	}
	case LSOE_CFG_OCTETS:
	case LSOE_CFG_HEXDATA: {
		uint8_t buf[255];
		size_t n = 0;
		if (k->size > sizeof(buf) ||
		    !(k->kind == LSOE_CFG_OCTETS ? parse_octet_list(v, buf, k->size, &n)
		                                 : parse_hex_octets(v, buf, k->size, &n)))
			goto bad;
		memset(field, 0, k->size);
		memcpy(field, buf, n);
		uint8_t len = (uint8_t)n;
		memcpy((uint8_t *)cfg + k->aux_offset, &len, 1);
		return true;
	}
	case LSOE_CFG_TEXT: {
		size_t n = strlen(v);
		if (k->choices) {
			for (const char *c = k->choices; *c;) {
				size_t w = strcspn(c, " ");
				if (n && w < k->size && eq_nocase(v, n, c, w)) {
					memset(field, 0, k->size);
					memcpy(field, c, w); /* the canonical spelling */
					return true;
				}
				c += w;
				while (*c == ' ')
					c++;
			}
			goto bad;
		}
		if (n >= k->size) {
			lsoe_fmt(why, cap, "must be at most %u characters (this is %zu)", (unsigned)(k->size - 1), n);
			return false;
		}
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)v[i];
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				lsoe_fmt(why, cap, "must not contain control characters");
				return false;
			}
		}
		memset(field, 0, k->size);
		memcpy(field, v, n);
		return true;
	}
	}
bad:
	why_kind(k, why, cap);
	return false;
}

enum lsoe_cfg_result lsoe_config_set(struct lsoe_config *cfg, const char *key, const char *value,
    char *why, size_t cap)
{
	char scratch[8];
	if (!why || !cap) {
		why = scratch;
		cap = sizeof(scratch);
	}
	why[0] = '\0';
	const struct lsoe_config_key *k = resolve(lsoe_config_key_find(key));
	if (!value)
		value = "";
	if (!k) {
		lsoe_fmt(why, cap, "unknown key");
		return LSOE_CFG_UNKNOWN_KEY;
	}
	char v[LSOE_CFG_VALUE_MAX * 2];
	if (!trimmed(value, v, sizeof(v))) { /* longer than any valid value */
		if (k->kind == LSOE_CFG_TEXT && !k->choices)
			lsoe_fmt(why, cap, "must be at most %u characters (this is %zu)", (unsigned)(k->size - 1),
			    strlen(value));
		else
			why_kind(k, why, cap);
		return LSOE_CFG_BAD_VALUE;
	}
	struct lsoe_config tmp = *cfg;
	if (!parse_into(k, &tmp, v, why, cap))
		return LSOE_CFG_BAD_VALUE;
	*cfg = tmp;
	return LSOE_CFG_OK;
}

void lsoe_config_default(struct lsoe_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < NKEYS; i++)
		if (!keys[i].alias_of)
			(void)lsoe_config_set(cfg, keys[i].name, keys[i].def, NULL, 0);
}

/* ---- canonical text ---- */

static void get_hex(char *out, size_t cap, const uint8_t *p, size_t n)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && o + 2 < cap; i++)
		o += lsoe_fmt(out + o, cap - o, "%02x", p[i]);
}

bool lsoe_config_get(const struct lsoe_config *cfg, const char *key, char *out, size_t cap)
{
	const struct lsoe_config_key *k = resolve(lsoe_config_key_find(key));
	if (!k)
		return false;
	if (!cap)
		return true;
	const uint8_t *field = (const uint8_t *)cfg + k->offset;
	out[0] = '\0';
	switch (k->kind) {
	case LSOE_CFG_DURATION:
		lsoe_text_seconds(out, cap, load_uint(field, k->size));
		break;
	case LSOE_CFG_UINT:
		lsoe_fmt(out, cap, "%llu", (unsigned long long)load_uint(field, k->size));
		break;
	case LSOE_CFG_HEX16:
		lsoe_fmt(out, cap, "0x%04llX", (unsigned long long)load_uint(field, k->size));
		break;
	case LSOE_CFG_OCTAL:
		text_octal(load_uint(field, k->size), out, cap);
		break;
	case LSOE_CFG_BOOL: {
		bool b;
		memcpy(&b, field, sizeof(b));
		lsoe_fmt(out, cap, "%s", b ? "yes" : "no");
		break;
	}
	case LSOE_CFG_MAC: {
		char m[18];
		lsoe_fmt(out, cap, "%s", lsoe_text_mac(m, field));
		break;
	}
	case LSOE_CFG_LOCAL_ID: {
		bool set;
		memcpy(&set, (const uint8_t *)cfg + k->aux_offset, sizeof(set));
		if (set)
			lsoe_text_hexcolon(out, cap, field, k->size);
		break;
	}
	case LSOE_CFG_OCTETS: {
		uint8_t n = *((const uint8_t *)cfg + k->aux_offset);
		size_t o = 0;
		for (size_t i = 0; i < n && i < k->size && o < cap; i++)
			o += lsoe_fmt(out + o, cap - o, i ? " %u" : "%u", field[i]);
		break;
	}
	case LSOE_CFG_HEXDATA: {
		uint8_t n = *((const uint8_t *)cfg + k->aux_offset);
		get_hex(out, cap, field, n < k->size ? n : k->size);
		break;
	}
	case LSOE_CFG_TEXT:
		lsoe_fmt(out, cap, "%.*s", (int)text_len((const char *)field, k->size), (const char *)field);
		break;
	}
	return true;
}

/* ---- checks ---- */

/* Is the field of k (set by code, not necessarily through lsoe_config_set) valid? */
static bool field_ok(const struct lsoe_config *cfg, const struct lsoe_config_key *k, char *why, size_t cap)
{
	const uint8_t *field = (const uint8_t *)cfg + k->offset;
	switch (k->kind) {
	case LSOE_CFG_DURATION: {
		uint64_t x = load_uint(field, k->size);
		if ((x >= k->min && x <= k->max) || (x == 0 && (k->flags & LSOE_CFG_F_ZERO_NEVER)))
			return true;
		break;
	}
	case LSOE_CFG_UINT:
	case LSOE_CFG_HEX16:
	case LSOE_CFG_OCTAL: {
		uint64_t x = load_uint(field, k->size);
		if (x >= k->min && x <= uint_max(k))
			return true;
		break;
	}
	case LSOE_CFG_MAC:
		if (!(k->flags & LSOE_CFG_F_MULTICAST) || (field[0] & 1))
			return true;
		break;
	case LSOE_CFG_OCTETS:
	case LSOE_CFG_HEXDATA:
		if (*((const uint8_t *)cfg + k->aux_offset) <= k->size)
			return true;
		break;
	case LSOE_CFG_TEXT: {
		/* Its text must be accepted as it stands. */
		size_t n = text_len((const char *)field, k->size);
		if (n == k->size) {
			lsoe_fmt(why, cap, "is not NUL-terminated");
			return false;
		}
		struct lsoe_config tmp;
		char v[LSOE_CFG_VALUE_MAX];
		if (n >= sizeof(v))
			break;
		memcpy(v, field, n + 1);
		return parse_into(k, &tmp, v, why, cap);
	}
	case LSOE_CFG_BOOL:
	case LSOE_CFG_LOCAL_ID:
		return true;
	}
	why_kind(k, why, cap);
	return false;
}

bool lsoe_config_check(const struct lsoe_config *cfg, char *why, size_t cap)
{
	char scratch[8], r[256];
	if (!why || !cap) {
		why = scratch;
		cap = sizeof(scratch);
	}
	why[0] = '\0';
	for (size_t i = 0; i < NKEYS; i++) {
		if (keys[i].alias_of)
			continue;
		if (!field_ok(cfg, &keys[i], r, sizeof(r))) {
			lsoe_fmt(why, cap, "%s: %s", keys[i].name, r);
			return false;
		}
	}
	if (cfg->keepalive_receive_timeout && cfg->keepalive_receive_timeout <= cfg->keepalive_send) {
		char a[32], b[32];
		lsoe_fmt(why, cap, "keepalive-receive-timeout (%s s) must be greater than keepalive-send-interval "
		    "(%s s), or 0 for never: otherwise a peer's session times out between its keepalives",
		    lsoe_text_seconds(a, sizeof(a), cfg->keepalive_receive_timeout),
		    lsoe_text_seconds(b, sizeof(b), cfg->keepalive_send));
		return false;
	}
	return true;
}
