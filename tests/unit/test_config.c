/*
 * Configuration: the key table (core/config.c) and the INI loader
 * (ports/common/config_ini.c).
 *
 * Every key's default; set/get round trips for every key, the canonical text
 * accepted again; each kind's rejections with their messages, the struct left
 * unchanged; aliases; lsoe_config_check. Then the loader: a py-lsoed
 * configuration file loads unchanged; the configparser syntax it may use; and
 * every error names the file, the line and the key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config_ini.h"
#include "lsoe/config.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *get(const struct lsoe_config *c, const char *key)
{
	static char buf[4][LSOE_CFG_VALUE_MAX];
	static unsigned next;
	char *out = buf[next++ % 4];
	if (!lsoe_config_get(c, key, out, LSOE_CFG_VALUE_MAX))
		fail_msg("lsoe_config_get: unknown key %s", key);
	return out;
}

static void set_ok(struct lsoe_config *c, const char *key, const char *value)
{
	char why[256];
	if (lsoe_config_set(c, key, value, why, sizeof(why)) != LSOE_CFG_OK)
		fail_msg("%s = \"%s\": %s", key, value, why);
}

/* Equal in every key, except (if not NULL) the keys listed. */
static void assert_same_config(const struct lsoe_config *a, const struct lsoe_config *b, const char *const *except)
{
	for (size_t i = 0; i < lsoe_config_key_count(); i++) {
		const struct lsoe_config_key *k = lsoe_config_key_at(i);
		bool skip = false;
		for (size_t j = 0; except && except[j]; j++)
			skip = skip || strcmp(except[j], k->name) == 0 ||
			    (k->alias_of && strcmp(except[j], k->alias_of) == 0);
		if (skip)
			continue;
		const char *va = get(a, k->name), *vb = get(b, k->name);
		if (strcmp(va, vb) != 0)
			fail_msg("%s differs: \"%s\" vs \"%s\"", k->name, va, vb);
	}
}

/* ---- the table ---- */

static void test_table(void **state)
{
	(void)state;
	size_t n = lsoe_config_key_count();
	assert_true(n >= 30);
	assert_null(lsoe_config_key_at(n));
	assert_null(lsoe_config_key_find("no-such-key"));
	assert_null(lsoe_config_key_find(""));
	assert_null(lsoe_config_key_find("Hello-Interval")); /* the table is lower-case; the INI loader folds */
	for (size_t i = 0; i < n; i++) {
		const struct lsoe_config_key *k = lsoe_config_key_at(i);
		assert_non_null(k);
		assert_ptr_equal(lsoe_config_key_find(k->name), k); /* names are unique */
		for (const char *p = k->name; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
				fail_msg("key %s: not lower-case and hyphenated", k->name);
		assert_non_null(k->doc);
		assert_true(strlen(k->doc) > 10);
		assert_null(strchr(k->doc, '\n'));
		assert_true(k->offset + k->size <= sizeof(struct lsoe_config));
		if (k->alias_of) {
			const struct lsoe_config_key *t = lsoe_config_key_find(k->alias_of);
			assert_non_null(t);
			assert_null(t->alias_of);
			assert_int_equal(t->offset, k->offset);
			assert_int_equal(t->kind, k->kind);
		} else {
			assert_non_null(k->def);
			if (k->kind == LSOE_CFG_DURATION || k->kind == LSOE_CFG_UINT)
				assert_true(k->min <= k->max);
		}
	}
}

/* ---- defaults ---- */

static const struct {
	const char *key, *text;
} defaults[] = {
	{ "name", "lsoe" },
	{ "local-id", "" },
	{ "attributes", "" },
	{ "auth-data", "" },
	{ "auth-required", "no" },
	{ "ethertype", "0x88B5" },
	{ "hello-multicast-macaddr", "01:80:c2:00:00:0e" },
	{ "mtu", "1500" },
	{ "hello-interval", "60" },
	{ "retransmit-initial-interval", "1" },
	{ "retransmit-exponential-backoff", "yes" },
	{ "retransmit-max-drop", "3" },
	{ "keepalive-send-interval", "1" },
	{ "keepalive-receive-timeout", "60" },
	{ "reassembly-timeout", "1" },
	{ "mac-address-cache-timeout", "300" },
	{ "max-sessions-per-port", "64" },
	{ "reassembly-max-sources", "256" },
	{ "reassembly-max-bytes", "4194304" },
	{ "include-ports", "" },
	{ "exclude-ports", "" },
	{ "primary-addresses", "" },
	{ "expose-loopback", "none" },
	{ "mpls-labels", "" },
	{ "control-socket", "/run/lsoed.sock" },
	{ "control-socket-mode", "0660" },
	{ "pidfile", "" },
	{ "report-url", "" },
	{ "bgp-ls-peer", "" },
	{ "bgp-ls-local-as", "0" },
	{ "bgp-ls-peer-as", "0" },
	{ "bgp-ls-router-id", "" },
	{ "bgp-ls-safi", "71" },
	{ "bgp-ls-hold-time", "90" },
	{ "bgp-ls-coalesce-time", "0.5" },
	{ "bgp-ls-protocol-id", "7" },
	{ "bgp-ls-identifier", "0" },
	{ "report-rfc7752-url", "" },
	{ "log-level", "info" },
};

static void test_defaults(void **state)
{
	(void)state;
	struct lsoe_config c;
	memset(&c, 0xa5, sizeof(c));
	lsoe_config_default(&c);

	/* the fields */
	assert_string_equal(c.name, "lsoe");
	assert_false(c.local_id_set);
	static const uint8_t zero_id[LSOE_LOCAL_ID_LEN];
	assert_memory_equal(c.local_id, zero_id, sizeof(zero_id));
	assert_int_equal(c.attr_count, 0);
	assert_int_equal(c.auth_len, 0);
	assert_false(c.auth_required);
	assert_int_equal(c.ethertype, 0x88B5);
	static const uint8_t mac[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e };
	assert_memory_equal(c.hello_mac, mac, 6);
	assert_int_equal(c.mtu, 1500);
	assert_int_equal(c.hello_interval, 60000000000ull);
	assert_int_equal(c.retransmit_initial, 1000000000ull);
	assert_true(c.retransmit_backoff);
	assert_int_equal(c.retransmit_max_drop, 3);
	assert_int_equal(c.keepalive_send, 1000000000ull);
	assert_int_equal(c.keepalive_receive_timeout, 60000000000ull);
	assert_int_equal(c.reassembly_timeout, 1000000000ull);
	assert_int_equal(c.idle_timeout, 300000000000ull);
	assert_int_equal(c.max_sessions_per_port, 64);
	assert_int_equal(c.reassembly_max_sources, 256);
	assert_int_equal(c.reassembly_max_bytes, 4194304);
	assert_string_equal(c.include_ports, "");
	assert_string_equal(c.exclude_ports, "");
	assert_string_equal(c.primary_addresses, "");
	assert_string_equal(c.expose_loopback, "none");
	assert_string_equal(c.mpls_labels, "");
	assert_string_equal(c.control_socket, "/run/lsoed.sock");
	assert_int_equal(c.control_socket_mode, 0660);
	assert_string_equal(c.pidfile, "");
	assert_string_equal(c.report_url, "");
	assert_string_equal(c.log_level, "info");

	/* the text of every key, and every key is listed here */
	assert_int_equal(N(defaults), lsoe_config_key_count());
	for (size_t i = 0; i < N(defaults); i++) {
		assert_non_null(lsoe_config_key_find(defaults[i].key));
		assert_string_equal(get(&c, defaults[i].key), defaults[i].text);
	}
	/* the default text in the table is what get prints (canonical) */
	for (size_t i = 0; i < lsoe_config_key_count(); i++) {
		const struct lsoe_config_key *k = lsoe_config_key_at(i);
		if (!k->alias_of)
			assert_string_equal(get(&c, k->name), k->def);
	}
	char why[256] = "x";
	assert_true(lsoe_config_check(&c, why, sizeof(why)));
	assert_string_equal(why, "");
}

/* ---- round trips ---- */

static const struct {
	const char *key, *in, *out;
} samples[] = {
	{ "name", "node-1", "node-1" },
	{ "name", "  spine 3\t", "spine 3" },
	{ "name", "", "" },
	{ "name", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk", /* 63 */
	  "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk" },
	{ "name", "n\xc3\xa9ud", "n\xc3\xa9ud" },
	{ "local-id", "00:11:22:33:44:55:66:77:88:01", "00:11:22:33:44:55:66:77:88:01" },
	{ "local-id", "00-11-22-33-44-55-66-77-88-AB", "00:11:22:33:44:55:66:77:88:ab" },
	{ "local-id", "00 11 22 33 44 55 66 77 88 ab", "00:11:22:33:44:55:66:77:88:ab" },
	{ "local-id", "0011 2233:4455-6677  88Ab", "00:11:22:33:44:55:66:77:88:ab" },
	{ "local-id", "00112233445566778801", "00:11:22:33:44:55:66:77:88:01" },
	{ "local-id", "", "" },
	{ "attributes", "1 2 3", "1 2 3" },
	{ "attributes", "1,2, 3 ,4", "1 2 3 4" },
	{ "attributes", "0x10 255 0", "16 255 0" },
	{ "attributes", "", "" },
	{ "auth-data", "DE:AD:be:ef", "deadbeef" },
	{ "auth-data", "00 01 02", "000102" },
	{ "auth-data", "cafe", "cafe" },
	{ "auth-data", "", "" },
	{ "auth-required", "YES", "yes" },
	{ "auth-required", "no", "no" },
	{ "auth-required", "True", "yes" },
	{ "auth-required", "off", "no" },
	{ "auth-required", "On", "yes" },
	{ "auth-required", "1", "yes" },
	{ "auth-required", "0", "no" },
	{ "auth-required", "FALSE", "no" },
	{ "ethertype", "0x88b5", "0x88B5" },
	{ "ethertype", "0X0600", "0x0600" },
	{ "ethertype", "88B6", "0x88B6" },
	{ "ethertype", "0xffff", "0xFFFF" },
	{ "hello-multicast-macaddr", "01-80-C2-00-00-0E", "01:80:c2:00:00:0e" },
	{ "hello-multicast-macaddr", "01:80:c2:00:00:03", "01:80:c2:00:00:03" },
	{ "hello-multicast-macaddr", "FF-FF-FF-FF-FF-FF", "ff:ff:ff:ff:ff:ff" },
	{ "hello-multicast-macaddr", "333300000001", "33:33:00:00:00:01" },
	{ "mtu", "64", "64" },
	{ "mtu", "9000", "9000" },
	{ "mtu", "65535", "65535" },
	{ "hello-interval", "60.0", "60" },
	{ "hello-interval", "0.001", "0.001" },
	{ "hello-interval", "86400", "86400" },
	{ "hello-interval", "2.50", "2.5" },
	{ "retransmit-initial-interval", "1.000000001", "1.000000001" },
	{ "retransmit-initial-interval", ".25", "0.25" },
	{ "retransmit-exponential-backoff", "no", "no" },
	{ "retransmit-exponential-backoff", "yes", "yes" },
	{ "retransmit-max-drop", "1", "1" },
	{ "retransmit-max-drop", "100", "100" },
	{ "keepalive-send-interval", "0.5", "0.5" },
	{ "keepalive-receive-timeout", "0", "0" },
	{ "keepalive-receive-timeout", "0.0", "0" },
	{ "keepalive-receive-timeout", "0.001", "0.001" },
	{ "keepalive-receive-timeout", "3600", "3600" },
	{ "reassembly-timeout", "5.", "5" },
	{ "mac-address-cache-timeout", "300.0", "300" },
	{ "max-sessions-per-port", "1", "1" },
	{ "max-sessions-per-port", "65535", "65535" },
	{ "reassembly-max-sources", "1", "1" },
	{ "reassembly-max-sources", "65536", "65536" },
	{ "reassembly-max-bytes", "65535", "65535" },
	{ "reassembly-max-bytes", "1073741824", "1073741824" },
	{ "include-ports", "eth* swp[0-9]*", "eth* swp[0-9]*" },
	{ "exclude-ports", "docker0 veth*", "docker0 veth*" },
	{ "primary-addresses", "192.0.2.1 2001:db8::1", "192.0.2.1 2001:db8::1" },
	{ "expose-loopback", "all", "all" },
	{ "expose-loopback", "10.0.0.1", "10.0.0.1" },
	{ "mpls-labels", "192.0.2.1=100/200", "192.0.2.1=100/200" },
	{ "control-socket", "/tmp/lsoed-test.sock", "/tmp/lsoed-test.sock" },
	{ "control-socket-mode", "600", "0600" },
	{ "control-socket-mode", "0777", "0777" },
	{ "control-socket-mode", "0", "0000" },
	{ "control-socket-mode", "00007", "0007" },
	{ "pidfile", "/run/lsoed.pid", "/run/lsoed.pid" },
	{ "report-url", "http://127.0.0.1:8080/lsoe?a=1;b=2", "http://127.0.0.1:8080/lsoe?a=1;b=2" },
	{ "report-rfc7752-url", "http://[2001:db8::1]/bgp-ls", "http://[2001:db8::1]/bgp-ls" },
	{ "bgp-ls-peer", "127.0.0.1:1790 [2001:db8::1]:179 192.0.2.9", "127.0.0.1:1790 [2001:db8::1]:179 192.0.2.9" },
	{ "bgp-ls-local-as", "4200000000", "4200000000" },
	{ "bgp-ls-peer-as", "65001", "65001" },
	{ "bgp-ls-router-id", "192.0.2.1", "192.0.2.1" },
	{ "bgp-ls-safi", "80", "80" },
	{ "bgp-ls-hold-time", "3", "3" },
	{ "bgp-ls-coalesce-time", "0", "0" },
	{ "bgp-ls-coalesce-time", "2.25", "2.25" },
	{ "bgp-ls-protocol-id", "4", "4" },
	{ "bgp-ls-identifier", "18446744073709551615", "18446744073709551615" },
	{ "log-level", "DEBUG", "debug" },
	{ "log-level", "warning", "warning" },
	{ "log-level", " Error ", "error" },
	{ "log-level", "info", "info" },
};

static void test_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(samples); i++) {
		struct lsoe_config c;
		lsoe_config_default(&c);
		set_ok(&c, samples[i].key, samples[i].in);
		const char *out = get(&c, samples[i].key);
		if (strcmp(out, samples[i].out) != 0)
			fail_msg("%s = \"%s\": got \"%s\", want \"%s\"", samples[i].key, samples[i].in, out,
			    samples[i].out);
		/* the canonical text is accepted again and is a fixed point */
		struct lsoe_config d;
		lsoe_config_default(&d);
		set_ok(&d, samples[i].key, out);
		assert_string_equal(get(&d, samples[i].key), samples[i].out);
		assert_same_config(&c, &d, NULL);
	}
	/* every key has samples, and the default of every key goes round as well */
	struct lsoe_config c;
	lsoe_config_default(&c);
	for (size_t i = 0; i < lsoe_config_key_count(); i++) {
		const struct lsoe_config_key *k = lsoe_config_key_at(i);
		bool found = false;
		for (size_t j = 0; j < N(samples); j++)
			found = found || strcmp(samples[j].key, k->name) == 0;
		if (!found)
			fail_msg("key %s has no round-trip sample", k->name);
		char text[LSOE_CFG_VALUE_MAX];
		snprintf(text, sizeof(text), "%s", get(&c, k->name));
		set_ok(&c, k->name, text);
		assert_string_equal(get(&c, k->name), text);
	}
}

static void test_round_trip_fields(void **state)
{
	(void)state;
	struct lsoe_config c;
	lsoe_config_default(&c);
	set_ok(&c, "local-id", "00-11-22-33-44-55-66-77-88-01");
	assert_true(c.local_id_set);
	static const uint8_t id[10] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x01 };
	assert_memory_equal(c.local_id, id, 10);
	set_ok(&c, "local-id", "");
	assert_false(c.local_id_set);

	set_ok(&c, "attributes", "7, 8, 9");
	assert_int_equal(c.attr_count, 3);
	assert_int_equal(c.attrs[0], 7);
	assert_int_equal(c.attrs[2], 9);
	set_ok(&c, "auth-data", "01:02:03:04");
	assert_int_equal(c.auth_len, 4);
	assert_int_equal(c.auth[3], 4);
	set_ok(&c, "ethertype", "0x8885");
	assert_int_equal(c.ethertype, 0x8885);
	set_ok(&c, "keepalive-receive-timeout", "0");
	assert_int_equal(c.keepalive_receive_timeout, 0);
	set_ok(&c, "hello-interval", "0.25");
	assert_int_equal(c.hello_interval, 250000000ull);
	set_ok(&c, "control-socket-mode", "0600");
	assert_int_equal(c.control_socket_mode, 0600);
	set_ok(&c, "retransmit-exponential-backoff", "off");
	assert_false(c.retransmit_backoff);
	set_ok(&c, "mac-address-cache-timeout", "10");
	assert_int_equal(c.idle_timeout, 10000000000ull);

	/* the largest values: 255 attributes, 255 octets of auth-data, full text fields */
	char big[2 * LSOE_CFG_VALUE_MAX];
	size_t o = 0;
	for (int i = 0; i < 255; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, i ? ",255" : "255");
	set_ok(&c, "attributes", big);
	assert_int_equal(c.attr_count, 255);
	const char *a = get(&c, "attributes");
	assert_int_equal(strlen(a), 255 * 4 - 1);
	assert_true(strlen(a) < LSOE_CFG_VALUE_MAX);
	set_ok(&c, "attributes", a);
	o = 0;
	for (int i = 0; i < 255; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, i ? ":%02x" : "%02x", i);
	set_ok(&c, "auth-data", big);
	assert_int_equal(c.auth_len, 255);
	assert_int_equal(c.auth[254], 254);
	assert_int_equal(strlen(get(&c, "auth-data")), 510);
	memset(big, 'p', LSOE_CFG_TEXT_MAX - 1);
	big[LSOE_CFG_TEXT_MAX - 1] = '\0';
	set_ok(&c, "include-ports", big);
	assert_string_equal(get(&c, "include-ports"), big);
	memset(big, 's', LSOE_CFG_PATH_MAX - 1);
	big[LSOE_CFG_PATH_MAX - 1] = '\0';
	set_ok(&c, "control-socket", big);
	assert_string_equal(c.control_socket, big);

	/* get truncates to cap and NUL-terminates */
	char small[5];
	assert_true(lsoe_config_get(&c, "hello-multicast-macaddr", small, sizeof(small)));
	assert_string_equal(small, "01:8");
	assert_false(lsoe_config_get(&c, "no-such-key", small, sizeof(small)));
}

/* ---- rejections ---- */

static const char *const why_duration = "must be a duration in seconds between 0.001 and 86400";
static const char *const why_local_id = "must be 10 octets of hex, e.g. 00:11:22:33:44:55:66:77:88:01";
static const char *const why_bool = "must be yes or no (or true/false, on/off, 1/0)";
static const char *const why_mcast =
    "must be a multicast MAC address (lowest bit of the first octet set), e.g. 01:80:c2:00:00:0e";

static const struct {
	const char *key, *value, *why; /* why: the exact message, or NULL to only expect a rejection */
} rejects[] = {
	/* DURATION */
	{ "hello-interval", "abc", "must be a duration in seconds between 0.001 and 86400" },
	{ "hello-interval", "0", NULL },
	{ "hello-interval", "0.0009", NULL },
	{ "hello-interval", "86400.000000001", NULL },
	{ "hello-interval", "86401", NULL },
	{ "hello-interval", "-1", NULL },
	{ "hello-interval", "1e3", NULL },
	{ "hello-interval", "1.0000000001", NULL },
	{ "hello-interval", "", NULL },
	{ "hello-interval", "1 s", NULL },
	{ "hello-interval", "18446744074", NULL },
	{ "retransmit-initial-interval", "0", NULL },
	{ "keepalive-send-interval", "0", NULL },
	{ "reassembly-timeout", "100000", NULL },
	{ "mac-address-cache-timeout", "0", NULL },
	{ "keepalive-receive-timeout", "0.0005",
	  "must be 0 (never) or a duration in seconds between 0.001 and 86400" },
	{ "keepalive-receive-timeout", "86400.5", NULL },
	{ "keepalive-receive-timeout", "never", NULL },
	/* UINT */
	{ "mtu", "63", "must be an integer between 64 and 65535" },
	{ "mtu", "65536", NULL },
	{ "mtu", "1500.0", NULL },
	{ "mtu", "0x5dc", NULL },
	{ "mtu", "-1", NULL },
	{ "mtu", "", NULL },
	{ "mtu", "99999999999999999999999", NULL },
	{ "retransmit-max-drop", "0", "must be an integer between 1 and 100" },
	{ "retransmit-max-drop", "101", NULL },
	{ "max-sessions-per-port", "0", "must be an integer between 1 and 65535" },
	{ "max-sessions-per-port", "65536", NULL },
	{ "reassembly-max-sources", "0", NULL },
	{ "reassembly-max-bytes", "65534", "must be an integer between 65535 and 1073741824" },
	{ "reassembly-max-bytes", "4294967296", NULL },
	/* BOOL */
	{ "auth-required", "maybe", "must be yes or no (or true/false, on/off, 1/0)" },
	{ "auth-required", "yess", NULL },
	{ "auth-required", "2", NULL },
	{ "auth-required", "", NULL },
	{ "retransmit-exponential-backoff", "y", NULL },
	{ "retransmit-exponential-backoff", "enabled", NULL },
	/* MAC */
	{ "hello-multicast-macaddr", "00:11:22:33:44:55", why_mcast },
	{ "hello-multicast-macaddr", "02-00-00-00-00-01", why_mcast },
	{ "hello-multicast-macaddr", "01:80:c2:00:00", NULL },
	{ "hello-multicast-macaddr", "01:80:c2:00:00:0e:00", NULL },
	{ "hello-multicast-macaddr", "01:80:c2:00:00:0g", NULL },
	{ "hello-multicast-macaddr", "1:80:c2:0:0:e", NULL },
	{ "hello-multicast-macaddr", "01.80.c2.00.00.0e", NULL },
	{ "hello-multicast-macaddr", "", NULL },
	/* LOCAL_ID */
	{ "local-id", "00:11:22:33:44:55:66:77:88:99:aa", why_local_id },
	{ "local-id", "00:11:22:33:44:55:66:77:88", why_local_id },
	{ "local-id", "0011223344556677880", why_local_id },
	{ "local-id", "001122334455667788011", why_local_id },
	{ "local-id", "0:011:22:33:44:55:66:77:88:01", why_local_id },
	{ "local-id", "00::11:22:33:44:55:66:77:88:01", why_local_id },
	{ "local-id", ":00:11:22:33:44:55:66:77:88:01", why_local_id },
	{ "local-id", "00:11:22:33:44:55:66:77:88:01:", why_local_id },
	{ "local-id", "zz:11:22:33:44:55:66:77:88:01", why_local_id },
	{ "local-id", "lsoe-node-1", why_local_id },
	/* HEX16 */
	{ "ethertype", "0x05FF", "must be a hex number between 0x0600 and 0xFFFF, e.g. 0x88B5" },
	{ "ethertype", "0x10000", NULL },
	{ "ethertype", "0x", NULL },
	{ "ethertype", "88b5h", NULL },
	{ "ethertype", "", NULL },
	/* OCTETS */
	{ "attributes", "256",
	  "must be at most 255 octet values (0 to 255) separated by spaces or commas, e.g. \"1 2 3\"" },
	{ "attributes", "1,,2", NULL },
	{ "attributes", "1,", NULL },
	{ "attributes", ",1", NULL },
	{ "attributes", "a", NULL },
	{ "attributes", "-1", NULL },
	{ "attributes", "1;2", NULL },
	/* HEXDATA */
	{ "auth-data", "abc", "must be at most 255 octets of hex, e.g. 0a:1b:2c or 0a1b2c" },
	{ "auth-data", "zz", NULL },
	{ "auth-data", "0xab", NULL },
	{ "auth-data", "ab::cd", NULL },
	/* TEXT */
	{ "name", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl", /* 64 */
	  "must be at most 63 characters (this is 64)" },
	{ "name", "a\x01z", "must not contain control characters" },
	{ "report-url", "http://x/\x7f", "must not contain control characters" },
	{ "log-level", "verbose", "must be one of: error warning info debug" },
	{ "bgp-ls-safi", "72", "must be one of: 71 80" },
	{ "bgp-ls-protocol-id", "0", "must be an integer between 1 and 255" },
	{ "bgp-ls-local-as", "4294967296", "must be an integer between 0 and 4294967295" },
	{ "log-level", "", "must be one of: error warning info debug" },
	{ "log-level", "warn", NULL },
	{ "log-level", "infos", NULL },
	/* OCTAL */
	{ "control-socket-mode", "0800", "must be an octal file mode between 0000 and 0777, e.g. 0660" },
	{ "control-socket-mode", "01000", NULL },
	{ "control-socket-mode", "rw-rw----", NULL },
	{ "control-socket-mode", "", NULL },
	{ "control-socket-mode", "-1", NULL },
};

static void test_rejections(void **state)
{
	(void)state;
	struct lsoe_config c, before;
	lsoe_config_default(&c);
	set_ok(&c, "local-id", "00:11:22:33:44:55:66:77:88:01");
	set_ok(&c, "attributes", "1 2");
	set_ok(&c, "auth-data", "abcd");
	before = c;
	for (size_t i = 0; i < N(rejects); i++) {
		char why[256] = "";
		enum lsoe_cfg_result r = lsoe_config_set(&c, rejects[i].key, rejects[i].value, why, sizeof(why));
		if (r != LSOE_CFG_BAD_VALUE)
			fail_msg("%s = \"%s\" was accepted (%d)", rejects[i].key, rejects[i].value, (int)r);
		if (rejects[i].why && strcmp(why, rejects[i].why) != 0)
			fail_msg("%s = \"%s\": \"%s\", want \"%s\"", rejects[i].key, rejects[i].value, why, rejects[i].why);
		if (strncmp(why, "must ", 5) != 0)
			fail_msg("%s = \"%s\": unclear message \"%s\"", rejects[i].key, rejects[i].value, why);
		assert_same_config(&c, &before, NULL); /* unchanged */
	}
	/* each duration key says its own range */
	char why[256];
	assert_int_equal(lsoe_config_set(&c, "hello-interval", "x", why, sizeof(why)), LSOE_CFG_BAD_VALUE);
	assert_string_equal(why, why_duration);
	assert_int_equal(lsoe_config_set(&c, "auth-required", "x", why, sizeof(why)), LSOE_CFG_BAD_VALUE);
	assert_string_equal(why, why_bool);

	/* too many values for the field */
	char big[3 * LSOE_CFG_VALUE_MAX];
	size_t o = 0;
	for (int i = 0; i < 256; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, i ? " %d" : "%d", i);
	assert_int_equal(lsoe_config_set(&c, "attributes", big, why, sizeof(why)), LSOE_CFG_BAD_VALUE);
	o = 0;
	for (int i = 0; i < 256; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "%02x", i);
	assert_int_equal(lsoe_config_set(&c, "auth-data", big, why, sizeof(why)), LSOE_CFG_BAD_VALUE);

	/* text one character too long for each text field: rejected, never truncated */
	static const struct {
		const char *key;
		size_t size;
	} texts[] = {
		{ "name", LSOE_CFG_NAME_MAX }, { "include-ports", LSOE_CFG_TEXT_MAX },
		{ "exclude-ports", LSOE_CFG_TEXT_MAX }, { "primary-addresses", LSOE_CFG_TEXT_MAX },
		{ "expose-loopback", LSOE_CFG_TEXT_MAX }, { "mpls-labels", LSOE_CFG_TEXT_MAX },
		{ "control-socket", LSOE_CFG_PATH_MAX }, { "pidfile", LSOE_CFG_TEXT_MAX },
		{ "report-url", LSOE_CFG_TEXT_MAX }, { "report-rfc7752-url", LSOE_CFG_TEXT_MAX },
	};
	for (size_t i = 0; i < N(texts); i++) {
		memset(big, 'x', texts[i].size);
		big[texts[i].size] = '\0';
		assert_int_equal(lsoe_config_set(&c, texts[i].key, big, why, sizeof(why)), LSOE_CFG_BAD_VALUE);
		char want[128];
		snprintf(want, sizeof(want), "must be at most %zu characters (this is %zu)", texts[i].size - 1,
		    texts[i].size);
		assert_string_equal(why, want);
		big[texts[i].size - 1] = '\0';
		set_ok(&c, texts[i].key, big);
		assert_string_equal(get(&c, texts[i].key), big);
	}
	/* a value longer than any key accepts */
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(lsoe_config_set(&c, "mtu", big, why, sizeof(why)), LSOE_CFG_BAD_VALUE);

	/* unknown keys, and a NULL or short why */
	c = before;
	assert_int_equal(lsoe_config_set(&c, "hello_interval", "5", why, sizeof(why)), LSOE_CFG_UNKNOWN_KEY);
	assert_string_equal(why, "unknown key");
	assert_int_equal(lsoe_config_set(&c, "", "5", why, sizeof(why)), LSOE_CFG_UNKNOWN_KEY);
	assert_int_equal(lsoe_config_set(&c, "mtu", "1", NULL, 0), LSOE_CFG_BAD_VALUE);
	char tiny[8];
	assert_int_equal(lsoe_config_set(&c, "mtu", "1", tiny, sizeof(tiny)), LSOE_CFG_BAD_VALUE);
	assert_string_equal(tiny, "must be");
	assert_same_config(&c, &before, NULL);
}

/* ---- aliases ---- */

static void test_aliases(void **state)
{
	(void)state;
	const struct lsoe_config_key *k = lsoe_config_key_find("report-rfc7752-url");
	assert_non_null(k);
	assert_string_equal(k->alias_of, "report-url");
	struct lsoe_config c;
	lsoe_config_default(&c);
	set_ok(&c, "report-rfc7752-url", "http://collector/lsoe");
	assert_string_equal(c.report_url, "http://collector/lsoe");
	assert_string_equal(get(&c, "report-url"), "http://collector/lsoe");
	assert_string_equal(get(&c, "report-rfc7752-url"), "http://collector/lsoe");
	set_ok(&c, "report-url", "http://other/");
	assert_string_equal(get(&c, "report-rfc7752-url"), "http://other/");
	char why[256];
	memset(why, 0, sizeof(why));
	char big[LSOE_CFG_TEXT_MAX + 1];
	memset(big, 'u', LSOE_CFG_TEXT_MAX);
	big[LSOE_CFG_TEXT_MAX] = '\0';
	assert_int_equal(lsoe_config_set(&c, "report-rfc7752-url", big, why, sizeof(why)), LSOE_CFG_BAD_VALUE);
	assert_string_equal(c.report_url, "http://other/");
}

/* ---- checks ---- */

static void check_gives(const struct lsoe_config *c, const char *why_want)
{
	char why[512];
	bool ok = lsoe_config_check(c, why, sizeof(why));
	if (!why_want) {
		if (!ok)
			fail_msg("lsoe_config_check: %s", why);
		return;
	}
	assert_false(ok);
	assert_string_equal(why, why_want);
}

static void test_check(void **state)
{
	(void)state;
	struct lsoe_config c;
	lsoe_config_default(&c);
	check_gives(&c, NULL);
	assert_true(lsoe_config_check(&c, NULL, 0));

	set_ok(&c, "keepalive-receive-timeout", "1");
	check_gives(&c, "keepalive-receive-timeout (1 s) must be greater than keepalive-send-interval (1 s), "
	    "or 0 for never: otherwise a peer's session times out between its keepalives");
	assert_false(lsoe_config_check(&c, NULL, 0));
	set_ok(&c, "keepalive-send-interval", "2.5");
	set_ok(&c, "keepalive-receive-timeout", "0.5");
	check_gives(&c, "keepalive-receive-timeout (0.5 s) must be greater than keepalive-send-interval "
	    "(2.5 s), or 0 for never: otherwise a peer's session times out between its keepalives");
	set_ok(&c, "keepalive-receive-timeout", "0");
	check_gives(&c, NULL);
	set_ok(&c, "keepalive-receive-timeout", "2.500000001");
	check_gives(&c, NULL);

	/* fields set by code, not through lsoe_config_set, are checked as well */
	lsoe_config_default(&c);
	c.mtu = 10;
	check_gives(&c, "mtu: must be an integer between 64 and 65535");
	lsoe_config_default(&c);
	c.hello_interval = 0;
	check_gives(&c, "hello-interval: must be a duration in seconds between 0.001 and 86400");
	lsoe_config_default(&c);
	c.keepalive_receive_timeout = 1;
	check_gives(&c, "keepalive-receive-timeout: must be 0 (never) or a duration in seconds between 0.001 "
	    "and 86400");
	lsoe_config_default(&c);
	c.hello_mac[0] = 0x02;
	check_gives(&c, "hello-multicast-macaddr: must be a multicast MAC address (lowest bit of the first "
	    "octet set), e.g. 01:80:c2:00:00:0e");
	lsoe_config_default(&c);
	c.ethertype = 0x0100;
	check_gives(&c, "ethertype: must be a hex number between 0x0600 and 0xFFFF, e.g. 0x88B5");
	lsoe_config_default(&c);
	c.control_socket_mode = 04755;
	check_gives(&c, "control-socket-mode: must be an octal file mode between 0000 and 0777, e.g. 0660");
	lsoe_config_default(&c);
	c.retransmit_max_drop = 0;
	check_gives(&c, "retransmit-max-drop: must be an integer between 1 and 100");
	lsoe_config_default(&c);
	memcpy(c.log_level, "loud", 5);
	check_gives(&c, "log-level: must be one of: error warning info debug");
	lsoe_config_default(&c);
	memset(c.name, 'n', sizeof(c.name));
	check_gives(&c, "name: is not NUL-terminated");
	lsoe_config_default(&c);
	c.pidfile[0] = '\n';
	check_gives(&c, "pidfile: must not contain control characters");
	/* no local-id is fine: the ports derive one */
	lsoe_config_default(&c);
	assert_false(c.local_id_set);
	check_gives(&c, NULL);
}

/* ---- the INI loader ---- */

/* py-lsoed's configuration, as its users have it: every key it knows, at its defaults. */
static const char pylsoed_conf[] =
    "# LSOE daemon configuration (py-lsoed)\n"
    "\n"
    "[lsoed]\n"
    "\n"
    "# Initial retransmission interval, in seconds\n"
    "retransmit-initial-interval = 1.0\n"
    "\n"
    "# Double the retransmission interval after each attempt\n"
    "retransmit-exponential-backoff = yes\n"
    "\n"
    "# Number of unacknowledged transmissions before the session is dropped\n"
    "retransmit-max-drop = 3\n"
    "\n"
    "# KEEPALIVE transmission interval, in seconds\n"
    "keepalive-send-interval = 1.0\n"
    "\n"
    "# Time without a KEEPALIVE before the session is closed, in seconds (0 = never)\n"
    "keepalive-receive-timeout = 60.0\n"
    "\n"
    "# HELLO transmission interval, in seconds\n"
    "hello-interval = 60.0\n"
    "\n"
    "; Reassembly and MAC address cache timeouts, in seconds\n"
    "reassembly-timeout = 1.0\n"
    "mac-address-cache-timeout = 300.0\n"
    "\n"
    "# Destination MAC address of HELLO PDUs\n"
    "hello-multicast-macaddr = 01-80-C2-00-00-0E\n"
    "\n"
    "# Local ID (default: derived from /sys/class/dmi/id/product_uuid)\n"
    "#local-id = 00:11:22:33:44:55:66:77:88:99\n"
    "\n"
    "# Where to send the JSON reports (default: do not send them)\n"
    "#report-rfc7752-url = http://localhost:8080/\n";

static int load(struct lsoe_config *c, const char *text, char *err, size_t cap)
{
	return lsoe_config_load_string(c, text, "test.conf", err, cap);
}

static void load_ok(struct lsoe_config *c, const char *text)
{
	char err[512];
	if (load(c, text, err, sizeof(err)) != 0)
		fail_msg("load failed: %s", err);
}

static void load_fails(const char *text, const char *want)
{
	struct lsoe_config c, before;
	lsoe_config_default(&c);
	set_ok(&c, "name", "before");
	before = c;
	char err[512] = "";
	if (load(&c, text, err, sizeof(err)) == 0)
		fail_msg("loaded, but should fail with \"%s\"", want);
	if (strcmp(err, want) != 0)
		fail_msg("error \"%s\", want \"%s\"", err, want);
	assert_same_config(&c, &before, NULL); /* nothing applied */
}

static void test_ini_pylsoed(void **state)
{
	(void)state;
	struct lsoe_config def, c;
	lsoe_config_default(&def);
	c = def;
	load_ok(&c, pylsoed_conf);
	assert_same_config(&c, &def, NULL);

	/* the same with its commented keys set */
	char text[4096];
	snprintf(text, sizeof(text), "%s%s", pylsoed_conf,
	    "local-id = 00 11 22 33 44 55 66 77 88 99\n"
	    "report-rfc7752-url = http://localhost:8080/\n");
	c = def;
	load_ok(&c, text);
	const char *const changed[] = { "local-id", "report-url", NULL };
	assert_same_config(&c, &def, changed);
	assert_string_equal(get(&c, "local-id"), "00:11:22:33:44:55:66:77:88:99");
	assert_true(c.local_id_set);
	assert_string_equal(c.report_url, "http://localhost:8080/");

	/* and with values other than the defaults, in py-lsoed's spelling */
	c = def;
	load_ok(&c, "[lsoed]\n"
	    "retransmit-initial-interval = 0.5\n"
	    "retransmit-exponential-backoff = no\n"
	    "retransmit-max-drop = 5\n"
	    "keepalive-send-interval = 2.0\n"
	    "keepalive-receive-timeout = 0\n"
	    "hello-interval = 10.0\n"
	    "reassembly-timeout = 2.5\n"
	    "mac-address-cache-timeout = 600.0\n"
	    "hello-multicast-macaddr = FF-FF-FF-FF-FF-FF\n"
	    "local-id = 6c736f652d6e6f64652d\n");
	assert_int_equal(c.retransmit_initial, 500000000ull);
	assert_false(c.retransmit_backoff);
	assert_int_equal(c.retransmit_max_drop, 5);
	assert_int_equal(c.keepalive_send, 2000000000ull);
	assert_int_equal(c.keepalive_receive_timeout, 0);
	assert_int_equal(c.hello_interval, 10000000000ull);
	assert_int_equal(c.reassembly_timeout, 2500000000ull);
	assert_int_equal(c.idle_timeout, 600000000000ull);
	assert_string_equal(get(&c, "hello-multicast-macaddr"), "ff:ff:ff:ff:ff:ff");
	assert_memory_equal(c.local_id, "lsoe-node-", 10);
}

static void test_ini_syntax(void **state)
{
	(void)state;
	struct lsoe_config def, c;
	lsoe_config_default(&def);

	/* empty, comments only, an empty section */
	c = def;
	load_ok(&c, "");
	load_ok(&c, "# nothing\n; at all\n\n   \n");
	load_ok(&c, "[lsoed]\n");
	assert_same_config(&c, &def, NULL);

	/* key: value, white space, case-insensitive keys and booleans, [lsoe] */
	c = def;
	load_ok(&c, "  [lsoe]  \n"
	    "hello-interval: 2.5\n"
	    "mtu\t=\t9000 \t\n"
	    "Retransmit-Exponential-Backoff = OFF\n"
	    "AUTH-REQUIRED: True\n"
	    "name=n1\n"
	    "include-ports =\n");
	assert_int_equal(c.hello_interval, 2500000000ull);
	assert_int_equal(c.mtu, 9000);
	assert_false(c.retransmit_backoff);
	assert_true(c.auth_required);
	assert_string_equal(c.name, "n1");
	assert_string_equal(c.include_ports, "");

	/* comments: '#' and ';' lines; ';' after white space ends a value, '#' does not */
	c = def;
	load_ok(&c, "; leading\n[lsoed] ; the section\n# hello-interval = 1\n"
	    "hello-interval = 5 ; five seconds\n"
	    "report-url = http://x/a;b\n"
	    "    ; an indented comment\n");
	assert_int_equal(c.hello_interval, 5000000000ull);
	assert_string_equal(c.report_url, "http://x/a;b");
	load_fails("[lsoed]\nhello-interval = 5 # five\n",
	    "test.conf:2: hello-interval: must be a duration in seconds between 0.001 and 86400");

	/* duplicates: the last wins; through an alias as well; the section may come back */
	c = def;
	load_ok(&c, "[lsoed]\nmtu = 1000\nreport-url = a\n[lsoe]\nmtu = 2000\nreport-rfc7752-url = b\n");
	assert_int_equal(c.mtu, 2000);
	assert_string_equal(c.report_url, "b");

	/* multi-line values (configparser): indented lines continue, joined with a space */
	c = def;
	load_ok(&c, "[lsoed]\ninclude-ports = eth0\n    eth1 ; a comment\n\n  # a comment line\n\teth2\n"
	    "mtu = 9000\n  \nexclude-ports = lo\n");
	assert_string_equal(c.include_ports, "eth0 eth1 eth2");
	assert_int_equal(c.mtu, 9000);
	assert_string_equal(c.exclude_ports, "lo");
	c = def;
	load_ok(&c, "[lsoed]\nauth-data = 00 01 02 03 04 05 06 07\n  08 09 0a 0b\n");
	assert_string_equal(get(&c, "auth-data"), "000102030405060708090a0b");
	/* a scalar over two lines is checked whole, at its first line */
	load_fails("[lsoed]\nmtu = 1500\n  9000\n", "test.conf:2: mtu: must be an integer between 64 and 65535 "
	    "(an indented line continues the value above it: line 3)");
	/* as in configparser, an indented key after a key continues its value */
	load_fails("[lsoed]\nhello-interval = 2.5\n  mtu = 9000\n",
	    "test.conf:2: hello-interval: must be a duration in seconds between 0.001 and 86400 "
	    "(an indented line continues the value above it: line 3)");
	load_fails("[lsoed]\nname = x\n  y\n\n  z\nhello-interval = 1\n  2\n  3\n",
	    "test.conf:6: hello-interval: must be a duration in seconds between 0.001 and 86400 "
	    "(an indented line continues the value above it: lines 7 to 8)");
	/* an indented key right after a section header is a key */
	c = def;
	load_ok(&c, "[lsoed]\n  mtu = 1400\n");
	assert_int_equal(c.mtu, 1400);

	/* CRLF line ends, a UTF-8 byte order mark, no newline at the end */
	c = def;
	load_ok(&c, "\xEF\xBB\xBF[lsoed]\r\nmtu = 1280\r\nname = crlf\r\nhello-interval = 7");
	assert_int_equal(c.mtu, 1280);
	assert_string_equal(c.name, "crlf");
	assert_int_equal(c.hello_interval, 7000000000ull);

	/* the longest line that fits */
	char text[1024];
	int n = snprintf(text, sizeof(text), "[lsoed]\ninclude-ports = ");
	while (n < 8 + 199)
		text[n++] = 'e';
	snprintf(text + n, sizeof(text) - (size_t)n, "\nmtu = 1300\n");
	c = def;
	load_ok(&c, text);
	assert_int_equal(strlen(c.include_ports), 199 - strlen("include-ports = "));
	assert_int_equal(c.mtu, 1300);

	/* values are applied on top of what cfg holds */
	c = def;
	set_ok(&c, "name", "kept");
	load_ok(&c, "[lsoed]\nmtu = 1400\n");
	assert_string_equal(c.name, "kept");
}

static void test_ini_errors(void **state)
{
	(void)state;
	load_fails("[lsoed]\nhello-interval = 5\nfoo = 1\n", "test.conf:3: unknown key 'foo'");
	load_fails("[lsoed]\nhello_interval = 5\n", "test.conf:2: unknown key 'hello_interval'");
	load_fails("[lsoed]\n= 5\n", "test.conf:2: a value without a key name");
	load_fails("[lsoed]\n# ok\n\nmtu = 1500\nhello-interval = 0\n",
	    "test.conf:5: hello-interval: must be a duration in seconds between 0.001 and 86400");
	load_fails("[lsoed]\nlocal-id = 00:11:22:33:44:55:66:77:88:99:aa\n",
	    "test.conf:2: local-id: must be 10 octets of hex, e.g. 00:11:22:33:44:55:66:77:88:01");
	load_fails("[lsoed]\nhello-multicast-macaddr = 00-11-22-33-44-55\n",
	    "test.conf:2: hello-multicast-macaddr: must be a multicast MAC address (lowest bit of the first "
	    "octet set), e.g. 01:80:c2:00:00:0e");
	load_fails("[lsoed]\nRetransmit-Exponential-Backoff = perhaps\n",
	    "test.conf:2: retransmit-exponential-backoff: must be yes or no (or true/false, on/off, 1/0)");
	load_fails("[lsoed]\nreport-rfc7752-url = \x01\n",
	    "test.conf:2: report-rfc7752-url: must not contain control characters");
	load_fails("[lsoed]\nmtu = 9000\n[global]\nmtu = 1500\n",
	    "test.conf:3: unknown section [global]: the settings go under [lsoed]");
	load_fails("[DEFAULT]\n", "test.conf:1: unknown section [DEFAULT]: the settings go under [lsoed]");
	load_fails("[LSOED]\n", "test.conf:1: unknown section [LSOED]: the settings go under [lsoed]");
	load_fails("# config\nhello-interval = 5\n[lsoed]\n",
	    "test.conf:2: key 'hello-interval' is outside a section: put it under [lsoed]");
	load_fails("[lsoed\nmtu = 1500\n", "test.conf:1: a section header without its ']'");
	load_fails("[lsoed ; comment]\n", "test.conf:1: a section header without its ']'");
	load_fails("[lsoed]\nmtu = 1500\njust some words\n",
	    "test.conf:3: expected 'key = value', a [section] header or a comment");
	/* the first error stops the load */
	load_fails("[lsoed]\nmtu = 1\nfoo = 2\n[bar]\n", "test.conf:2: mtu: must be an integer between 64 and 65535");
	load_fails("[lsoed]\nfoo = 2\nmtu = 1\n", "test.conf:2: unknown key 'foo'");
	/* the checks across keys, after the whole file */
	load_fails("[lsoed]\nkeepalive-receive-timeout = 0.5\nmtu = 1500\n",
	    "test.conf: keepalive-receive-timeout (0.5 s) must be greater than keepalive-send-interval (1 s), "
	    "or 0 for never: otherwise a peer's session times out between its keepalives");
	/* a line too long for libinih's buffer */
	char text[4096];
	int n = snprintf(text, sizeof(text), "[lsoed]\ninclude-ports = ");
	while (n < 8 + 200)
		text[n++] = 'e';
	snprintf(text + n, sizeof(text) - (size_t)n, "\nmtu = 1300\n");
	load_fails(text, "test.conf:2: the line is too long (at most 199 characters; a value can go on over "
	    "indented lines)");
	/* a value too long for its key, over continuation lines */
	n = snprintf(text, sizeof(text), "[lsoed]\nname = a\n");
	for (int i = 0; i < 10; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "  abcdefgh\n");
	load_fails(text, "test.conf:2: name: must be at most 63 characters (this is 91) "
	    "(an indented line continues the value above it: lines 3 to 12)");
	/* longer than the loader holds */
	n = snprintf(text, sizeof(text), "[lsoed]\nmpls-labels = a\n");
	for (int i = 0; i < 25; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "  %0*d\n", 98, i);
	load_fails(text, "test.conf:2: mpls-labels: the value is too long (at most 2047 characters)");
	/* no err buffer */
	struct lsoe_config c;
	lsoe_config_default(&c);
	assert_int_equal(lsoe_config_load_string(&c, "[x]\n", "t", NULL, 0), -1);
	char small[12];
	assert_int_equal(lsoe_config_load_string(&c, "[x]\n", "test.conf", small, sizeof(small)), -1);
	assert_string_equal(small, "test.conf:1");
}

static void test_ini_file(void **state)
{
	(void)state;
	struct lsoe_config def, c;
	lsoe_config_default(&def);
	c = def;
	char err[512];
	assert_int_equal(lsoe_config_load_file(&c, "/nonexistent-lsoe-dir/lsoed.conf", err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent-lsoe-dir/lsoed.conf: No such file or directory");

	const char *tmp = getenv("TMPDIR");
	char path[512];
	snprintf(path, sizeof(path), "%s/lsoe-test-config-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(pylsoed_conf, f);
	fputs("local-id = 00:11:22:33:44:55:66:77:88:99\nmtu = 9000\n", f);
	assert_int_equal(fclose(f), 0);
	if (lsoe_config_load_file(&c, path, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.mtu, 9000);
	assert_true(c.local_id_set);
	const char *const changed[] = { "local-id", "mtu", NULL };
	assert_same_config(&c, &def, changed);

	/* errors in a file name the file */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[lsoed]\n\nmtu = 9000\nhello-interval = soon\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(lsoe_config_load_file(&c, path, err, sizeof(err)), -1);
	char want[1024];
	snprintf(want, sizeof(want), "%s:4: hello-interval: must be a duration in seconds between 0.001 and 86400",
	    path);
	assert_string_equal(err, want);
	/* a long line in a file */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[lsoed]\nname = ", f);
	for (int i = 0; i < 300; i++)
		fputc('x', f);
	fputs("\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(lsoe_config_load_file(&c, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: the line is too long (at most 199 characters; a value can go on over "
	    "indented lines)", path);
	assert_string_equal(err, want);
	/* a line of exactly 199 characters before its newline fits */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[lsoed]\ninclude-ports = ", f);
	for (size_t i = strlen("include-ports = "); i < 199; i++)
		fputc('y', f);
	fputs("\nmtu = 1280\n", f);
	assert_int_equal(fclose(f), 0);
	if (lsoe_config_load_file(&c, path, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.mtu, 1280);
	assert_int_equal(strlen(c.include_ports), 199 - strlen("include-ports = "));
	assert_int_equal(unlink(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_fields),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_ini_pylsoed),
		cmocka_unit_test(test_ini_syntax),
		cmocka_unit_test(test_ini_errors),
		cmocka_unit_test(test_ini_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
