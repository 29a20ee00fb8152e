/*
 * The core's text helpers (core/text.c): lsoe_fmt against the C library's
 * snprintf over a few hundred format/value combinations, truncation and the
 * return value; seconds as text; the number parsers at their edges.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

static unsigned compared;

static void same(int line, const char *what, const char *got, size_t got_ret, const char *want, int want_ret)
{
	compared++;
	if (strcmp(got, want) != 0 || want_ret < 0 || got_ret != (size_t)want_ret)
		fail_msg("line %d: %s: lsoe_fmt gave \"%s\" (%zu), snprintf \"%s\" (%d)", line, what, got, got_ret,
		    want, want_ret);
}

/* The same format and arguments through both; the format stays a literal for -Wformat. */
#define CMP(...) do { \
		char a_[256], b_[256]; \
		size_t ra_ = lsoe_fmt(a_, sizeof(a_), __VA_ARGS__); \
		int rb_ = snprintf(b_, sizeof(b_), __VA_ARGS__); \
		same(__LINE__, #__VA_ARGS__, a_, ra_, b_, rb_); \
	} while (0)

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_fmt_signed(void **state)
{
	(void)state;
	static const int ints[] = { 0, 1, -1, 7, -7, 42, -42, 200, -200, 32767, -32768, 70000, -70000,
		99999, -99999, 123456789, INT_MAX, INT_MIN };
	static const int widths[] = { 0, 1, 6, 12, -6 };
	for (size_t i = 0; i < N(ints); i++) {
		int v = ints[i];
		CMP("%d", v);
		CMP("%i", v);
		CMP("[%5d]", v);
		CMP("[%-5d]", v);
		CMP("[%05d]", v);
		CMP("[%012i]", v);
		CMP("[%1d]", v);
		CMP("%hd", (short)v);
		CMP("[%07hd]", (short)v);
		CMP("%hhd", (signed char)v);
		CMP("[%-4hhi]", (signed char)v);
		CMP("[%.3d]", v);
		CMP("[%8.3d]", v);
		CMP("[%-8.3d]", v);
		CMP("[%.0d]", v);
		for (size_t w = 0; w < N(widths); w++) {
			CMP("[%*d]", widths[w], v);
			CMP("[%0*d]", widths[w], v);
		}
	}
	static const long longs[] = { 0, -1, 1, LONG_MAX, LONG_MIN, 1234567890123L };
	for (size_t i = 0; i < N(longs); i++) {
		CMP("%ld", longs[i]);
		CMP("[%22ld]", longs[i]);
		CMP("[%-22li]", longs[i]);
		CMP("[%022ld]", longs[i]);
	}
	static const long long lls[] = { 0, -1, LLONG_MAX, LLONG_MIN, -9876543210LL };
	for (size_t i = 0; i < N(lls); i++) {
		CMP("%lld", lls[i]);
		CMP("[%025lli]", lls[i]);
		CMP("[%-25lld]", lls[i]);
	}
}

static void test_fmt_unsigned(void **state)
{
	(void)state;
	static const unsigned us[] = { 0, 1, 9, 10, 15, 16, 255, 256, 4095, 65535, 65536, 0xdeadbeefu, UINT_MAX };
	for (size_t i = 0; i < N(us); i++) {
		unsigned v = us[i];
		CMP("%u", v);
		CMP("%x", v);
		CMP("%X", v);
		CMP("[%5u]", v);
		CMP("[%-5x]", v);
		CMP("[%08X]", v);
		CMP("[%02x]", v);
		CMP("%hu", (unsigned short)v);
		CMP("%hx", (unsigned short)v);
		CMP("%hhx", (unsigned char)v);
		CMP("%hhu", (unsigned char)v);
		CMP("[%04hX]", (unsigned short)v);
		CMP("[%.4x]", v);
		CMP("[%*x]", 9, v);
		CMP("[%-*X]", 9, v);
	}
	static const unsigned long uls[] = { 0, 1, ULONG_MAX, 0x123456789abcUL };
	for (size_t i = 0; i < N(uls); i++) {
		CMP("%lu", uls[i]);
		CMP("%lx", uls[i]);
		CMP("[%016lX]", uls[i]);
	}
	static const unsigned long long ulls[] = { 0, ULLONG_MAX, 1ULL << 63, 1000000000000ULL };
	for (size_t i = 0; i < N(ulls); i++) {
		CMP("%llu", ulls[i]);
		CMP("%llx", ulls[i]);
		CMP("[%-24llX]", ulls[i]);
	}
	static const size_t zs[] = { 0, 1, 4096, SIZE_MAX };
	for (size_t i = 0; i < N(zs); i++) {
		CMP("%zu", zs[i]);
		CMP("[%10zx]", zs[i]);
	}
}

/*
 * h and hh take an int (the promoted argument) and print it converted to short
 * or char, as C says; passing a wider value on purpose is what clang's -Wformat
 * objects to, hence the pragma.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
static void test_fmt_short_conversion(void **state)
{
	(void)state;
	static const int ints[] = { 70000, -70000, 200, -200, 65535, 65536, 255, 256, -1, INT_MAX, INT_MIN };
	for (size_t i = 0; i < N(ints); i++) {
		int v = ints[i];
		CMP("%hd", v);
		CMP("%hhd", v);
		CMP("%hu", (unsigned)v);
		CMP("%hhu", (unsigned)v);
		CMP("%hx", (unsigned)v);
		CMP("%hhX", (unsigned)v);
	}
}
#pragma GCC diagnostic pop

static void test_fmt_text(void **state)
{
	(void)state;
	static const char *const strs[] = { "", "a", "hello", "sixteen chars!!!", "with spaces in it" };
	for (size_t i = 0; i < N(strs); i++) {
		const char *s = strs[i];
		CMP("%s", s);
		CMP("[%10s]", s);
		CMP("[%-10s]", s);
		CMP("[%2s]", s);
		CMP("[%.3s]", s);
		CMP("[%.0s]", s);
		CMP("[%8.2s]", s);
		CMP("[%.*s]", 4, s);
		CMP("[%*s]", 7, s);
		CMP("[%*s]", -7, s);
	}
	static const char chars[] = { 'a', 'Z', '0', ' ', '~' };
	for (size_t i = 0; i < N(chars); i++) {
		CMP("%c", chars[i]);
		CMP("[%3c]", chars[i]);
		CMP("[%-3c]", chars[i]);
	}
	CMP("%%");
	CMP("100%%");
	CMP("%% %d%%", 5);
	CMP("plain text");
	CMP("%s", "");
	CMP("%s=%d (0x%04x) %c%%", "mtu", 1500, 1500u, 'k');
	CMP("%s:%u: %s: %s", "lsoed.conf", 12u, "hello-interval", "must be a duration");
	CMP("%02x:%02x:%02x:%02x:%02x:%02x", 1u, 0x80u, 0xc2u, 0u, 0u, 0xeu);
	CMP("%llu.%0*llu", 1ULL, 3, 5ULL);
	/* a string not NUL-terminated, bounded by the precision */
	char raw[3] = { 'a', 'b', 'c' };
	char out[16];
	assert_int_equal(lsoe_fmt(out, sizeof(out), "<%.*s>", 3, raw), 5);
	assert_string_equal(out, "<abc>");
	/* NULL strings print as (null), as glibc does */
	const char *volatile np = NULL;
	lsoe_fmt(out, sizeof(out), "%s", np);
	assert_string_equal(out, "(null)");
}

static void test_fmt_truncation(void **state)
{
	(void)state;
	char want[64];
	int n = snprintf(want, sizeof(want), "%s:%05d:%-6x|%c%%", "key", -42, 0xbeefu, 'z');
	assert_true(n > 0 && (size_t)n < sizeof(want));
	for (size_t cap = 0; cap <= (size_t)n + 2; cap++) {
		char got[64], ref[64];
		memset(got, 0x7f, sizeof(got));
		memset(ref, 0x7f, sizeof(ref));
		size_t r = lsoe_fmt(got, cap, "%s:%05d:%-6x|%c%%", "key", -42, 0xbeefu, 'z');
		int rr = snprintf(ref, cap, "%s:%05d:%-6x|%c%%", "key", -42, 0xbeefu, 'z');
		assert_int_equal(r, (size_t)rr); /* the length it would have written */
		assert_memory_equal(got, ref, sizeof(got)); /* same text, nothing written past cap */
		if (cap)
			assert_int_equal(got[cap - 1 < (size_t)n ? cap - 1 : (size_t)n], '\0');
	}
	/* cap 0 writes nothing at all, and out may then be NULL */
	assert_int_equal(lsoe_fmt(NULL, 0, "%d", 12345), 5);
	/* padding counts too */
	char small[4];
	assert_int_equal(lsoe_fmt(small, sizeof(small), "%10s", "x"), 10);
	assert_string_equal(small, "   ");
}

static void test_fmt_count(void **state)
{
	(void)state;
	/* the tests above ran these many comparisons with snprintf */
	compared = 0;
	test_fmt_signed(state);
	test_fmt_unsigned(state);
	test_fmt_short_conversion(state);
	test_fmt_text(state);
	print_message("lsoe_fmt: %u format/value combinations compared with snprintf\n", compared);
	assert_true(compared >= 300);
}

static void test_text_seconds(void **state)
{
	(void)state;
	static const struct {
		uint64_t ns;
		const char *text;
	} cases[] = {
		{ 0, "0" },
		{ 1, "0.000000001" },
		{ 10, "0.00000001" },
		{ 1000000, "0.001" },
		{ 250000000, "0.25" },
		{ 1000000000, "1" },
		{ 1000000001, "1.000000001" },
		{ 1500000000, "1.5" },
		{ 60000000000ull, "60" },
		{ 86400000000000ull, "86400" },
		{ 123456789012345678ull, "123456789.012345678" },
		{ UINT64_MAX, "18446744073.709551615" },
	};
	for (size_t i = 0; i < N(cases); i++) {
		char out[32];
		assert_string_equal(lsoe_text_seconds(out, sizeof(out), cases[i].ns), cases[i].text);
		uint64_t back;
		assert_true(lsoe_parse_seconds(cases[i].text, &back));
		assert_int_equal(back, cases[i].ns);
	}
	char tiny[4];
	assert_string_equal(lsoe_text_seconds(tiny, sizeof(tiny), 1500000000), "1.5");
	assert_string_equal(lsoe_text_seconds(tiny, sizeof(tiny), 86400000000000ull), "864");
}

static void test_text_mac_hex(void **state)
{
	(void)state;
	const uint8_t mac[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e };
	char m[18];
	assert_string_equal(lsoe_text_mac(m, mac), "01:80:c2:00:00:0e");
	const uint8_t id[10] = { 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0xab };
	char h[40];
	assert_string_equal(lsoe_text_hexcolon(h, sizeof(h), id, 10), "00:11:22:33:44:55:66:77:88:ab");
	assert_string_equal(lsoe_text_hexcolon(h, 9, id, 10), "00:11:22"); /* whole octets only */
	assert_string_equal(lsoe_text_hexcolon(h, 8, id, 10), "00:11");
	assert_string_equal(lsoe_text_hexcolon(h, sizeof(h), id, 0), "");
	assert_int_equal(lsoe_hexval('0'), 0);
	assert_int_equal(lsoe_hexval('9'), 9);
	assert_int_equal(lsoe_hexval('a'), 10);
	assert_int_equal(lsoe_hexval('F'), 15);
	assert_int_equal(lsoe_hexval('g'), -1);
	assert_int_equal(lsoe_hexval(':'), -1);
	assert_int_equal(lsoe_hexval('\0'), -1);
}

static void test_parse_u64(void **state)
{
	(void)state;
	uint64_t v = 77;
	assert_true(lsoe_parse_u64("0", &v));
	assert_int_equal(v, 0);
	assert_true(lsoe_parse_u64("007", &v));
	assert_int_equal(v, 7);
	assert_true(lsoe_parse_u64("18446744073709551615", &v));
	assert_true(v == UINT64_MAX);
	assert_true(lsoe_parse_u64("000000000000000000000000000042", &v));
	assert_int_equal(v, 42);
	static const char *const bad[] = { "", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.0", "1e3",
		"18446744073709551616", "18446744073709551620", "99999999999999999999", "184467440737095516150" };
	for (size_t i = 0; i < N(bad); i++) {
		v = 77;
		if (lsoe_parse_u64(bad[i], &v))
			fail_msg("lsoe_parse_u64 accepted \"%s\"", bad[i]);
		assert_int_equal(v, 77); /* untouched */
	}
}

static void test_parse_seconds(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		uint64_t ns;
	} good[] = {
		{ "0", 0 },
		{ "0.0", 0 },
		{ "1", 1000000000ull },
		{ "1.5", 1500000000ull },
		{ ".5", 500000000ull },
		{ "5.", 5000000000ull },
		{ "60.0", 60000000000ull },
		{ "0.001", 1000000ull },
		{ "0.000000001", 1 },
		{ "1.123456789", 1123456789ull },
		{ "0001.100", 1100000000ull },
		{ "18446744073.709551615", UINT64_MAX },
		{ "18446744073", 18446744073000000000ull },
	};
	for (size_t i = 0; i < N(good); i++) {
		uint64_t ns = 1;
		if (!lsoe_parse_seconds(good[i].s, &ns))
			fail_msg("lsoe_parse_seconds rejected \"%s\"", good[i].s);
		assert_true(ns == good[i].ns);
	}
	static const char *const bad[] = {
		"", ".", "-1", "+1", " 1", "1 ", "1s", "1e3", "1,5", "1..5", "1.5.", "0x10", "inf", "nan",
		"1.1234567890",             /* 10 decimals: finer than a nanosecond */
		"0.0000000001",
		"18446744073.709551616",    /* one nanosecond more than 64 bits hold */
		"18446744074",              /* would wrap around */
		"20000000000",
		"99999999999999999999999",
	};
	for (size_t i = 0; i < N(bad); i++) {
		uint64_t ns = 77;
		if (lsoe_parse_seconds(bad[i], &ns))
			fail_msg("lsoe_parse_seconds accepted \"%s\" as %llu ns", bad[i], (unsigned long long)ns);
		assert_int_equal(ns, 77);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt_signed),
		cmocka_unit_test(test_fmt_unsigned),
		cmocka_unit_test(test_fmt_short_conversion),
		cmocka_unit_test(test_fmt_text),
		cmocka_unit_test(test_fmt_truncation),
		cmocka_unit_test(test_fmt_count),
		cmocka_unit_test(test_text_seconds),
		cmocka_unit_test(test_text_mac_hex),
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_seconds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
