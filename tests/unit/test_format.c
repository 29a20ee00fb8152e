/*
 * The text forms every program shares (ports/common/format.c): MACs, hex, seconds,
 * and user text quoted into messages, which must stay bounded and printable
 * whatever a hostile file holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "format.h"

static void test_mac_round_trip(void **state)
{
	(void)state;
	const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0xab, 0xff };
	char s[LSOE_MAC_STRLEN];
	assert_string_equal(lsoe_fmt_mac(s, mac), "02:00:5e:10:ab:ff");
	uint8_t back[6];
	assert_true(lsoe_parse_mac(s, back));
	assert_memory_equal(back, mac, 6);
	assert_true(lsoe_parse_mac("02-00-5E-10-AB-FF", back));
	assert_memory_equal(back, mac, 6);
	assert_true(lsoe_parse_mac("02005e10abff", back));
	assert_memory_equal(back, mac, 6);
	assert_true(lsoe_parse_mac("2:0:5e:10:ab:ff", back)); /* one-digit octets */
	assert_memory_equal(back, mac, 6);
}

static void test_mac_rejects(void **state)
{
	(void)state;
	uint8_t m[6];
	assert_false(lsoe_parse_mac("", m));
	assert_false(lsoe_parse_mac("02:00:5e:10:ab", m));       /* short */
	assert_false(lsoe_parse_mac("02:00:5e:10:ab:ff:01", m)); /* long */
	assert_false(lsoe_parse_mac("02:00:5e:10:ab:fg", m));
	assert_false(lsoe_parse_mac("02.00.5e.10.ab.ff", m));
	assert_false(lsoe_parse_mac("02005e10abfg", m));
	assert_false(lsoe_parse_mac("02:00:5e:10:ab:ff ", m));
}

static void test_hex_forms_respect_cap(void **state)
{
	(void)state;
	const uint8_t p[3] = { 0xde, 0xad, 0x01 };
	char s[16];
	assert_string_equal(lsoe_fmt_hexcolon(s, sizeof(s), p, 3), "de:ad:01");
	assert_string_equal(lsoe_fmt_hex(s, sizeof(s), p, 3), "dead01");
	assert_string_equal(lsoe_fmt_hexcolon(s, sizeof(s), p, 0), "");
	/* Too small: cut, terminated, never past cap. */
	memset(s, 'x', sizeof(s));
	lsoe_fmt_hex(s, 5, p, 3);
	assert_string_equal(s, "dead");
	assert_int_equal(s[5], 'x');
	memset(s, 'x', sizeof(s));
	lsoe_fmt_hexcolon(s, 4, p, 3);
	assert_true(strlen(s) < 4);
	assert_int_equal(s[4], 'x');
}

static void test_seconds(void **state)
{
	(void)state;
	char s[LSOE_SECS_STRLEN];
	assert_string_equal(lsoe_fmt_seconds(s, 0), "0");
	assert_string_equal(lsoe_fmt_seconds(s, 60000000000ull), "60");
	assert_string_equal(lsoe_fmt_seconds(s, 12000100000ull), "12.0001");
	assert_string_equal(lsoe_fmt_seconds(s, 1), "0.000000001");
	assert_string_equal(lsoe_fmt_seconds(s, UINT64_MAX), "18446744073.709551615");
}

static void test_quotable_escapes(void **state)
{
	(void)state;
	char s[LSOE_QUOTABLE_STRLEN];
	assert_string_equal(lsoe_fmt_quotable(s, sizeof(s), "node-1", 6), "node-1");
	assert_string_equal(lsoe_fmt_quotable(s, sizeof(s), "a'b\\c\n\x7f", 7), "a\\x27b\\x5cc\\x0a\\x7f");
	/* len counts, not NUL: an embedded NUL is shown, not an end. */
	assert_string_equal(lsoe_fmt_quotable(s, sizeof(s), "a\0b", 3), "a\\x00b");
	/* UTF-8 passes as it is. */
	assert_string_equal(lsoe_fmt_quotable(s, sizeof(s), "\xc3\xa9", 2), "\xc3\xa9");
}

static void test_quotable_is_bounded(void **state)
{
	(void)state;
	char in[1000], s[LSOE_QUOTABLE_STRLEN];
	memset(in, 'k', sizeof(in));
	lsoe_fmt_quotable(s, sizeof(s), in, sizeof(in));
	assert_int_equal(strlen(s), 64 + 3);
	assert_string_equal(s + 64, "...");
	/* The worst case: every octet escaped still fits, with its "...". */
	memset(in, '\n', sizeof(in));
	lsoe_fmt_quotable(s, sizeof(s), in, sizeof(in));
	assert_int_equal(strlen(s), 64 * 4 + 3);
	assert_string_equal(s + 64 * 4, "...");
	/* A small buffer is cut, terminated, and never overrun. */
	char small[12];
	memset(small, 'x', sizeof(small));
	lsoe_fmt_quotable(small, 10, in, sizeof(in));
	assert_true(strlen(small) < 10);
	assert_int_equal(small[10], 'x');
	lsoe_fmt_quotable(small, 0, in, sizeof(in)); /* writes nothing */
	assert_int_equal(small[0], '\\');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_round_trip),
		cmocka_unit_test(test_mac_rejects),
		cmocka_unit_test(test_hex_forms_respect_cap),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_quotable_escapes),
		cmocka_unit_test(test_quotable_is_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
