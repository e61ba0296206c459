// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * osal/rtos's own vsnprintf against literal expected strings: the kernel's
 * rules the core's messages rely on, every length modifier the core uses,
 * truncation and the returned length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "osal.h"

/* Formats into a buffer of @size and checks text and returned length. */
#define CHECK(size, expect, ret, ...)                                   \
	do {                                                             \
		char buf_[128];                                          \
		int n_ = rnpu_osal_snprintf(buf_, (size), __VA_ARGS__); \
		assert_string_equal(buf_, (expect));                     \
		assert_int_equal(n_, (ret));                             \
	} while (0)
#define EXPECT(expect, ...) CHECK(128, expect, (int)sizeof(expect) - 1, __VA_ARGS__)

/* No format attribute: lets a test pass directives a compiler would
 * reject, to see how the formatter copes. */
static int fmt_raw(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = rnpu_osal_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* Directives a compiler warns about (they mean something else in ISO C)
 * go through fmt_raw. */
#define EXPECT_RAW(expect, ...)                                                    \
	do {                                                                       \
		char buf_[64];                                                     \
		assert_int_equal(fmt_raw(buf_, sizeof(buf_), __VA_ARGS__),         \
				 (int)sizeof(expect) - 1);                         \
		assert_string_equal(buf_, (expect));                               \
	} while (0)

static void test_kernel_rules(void **state)
{
	(void)state;
	EXPECT(" 0", "%2.d", 0);      /* C would print "  " */
	EXPECT("0", "%.0d", 0);
	EXPECT("0", "%.d", 0);
	EXPECT("0x0", "%#x", 0);      /* C would print "0" */
	EXPECT("0x1f", "%#x", 0x1f);
	EXPECT("0X1F", "%#X", 0x1f);
	EXPECT("0", "%#o", 0);
	EXPECT("017", "%#o", 15);
}

static void test_kernel_rules_raw(void **state)
{
	(void)state;
	EXPECT_RAW("00007", "%05.3d", 7);   /* C ignores '0' with a precision */
	EXPECT_RAW("-42  |", "%-05d|", -42); /* '-' beats '0' */
	EXPECT_RAW("(null)", "%s", (const char *)NULL);
}

static void test_integers(void **state)
{
	(void)state;
	EXPECT("42 -42 42", "%d %i %u", 42, -42, 42u);
	EXPECT("-2147483648", "%d", (int)(-2147483647 - 1));
	EXPECT("4294967295", "%u", 4294967295u);
	EXPECT("18446744073709551615", "%llu", 18446744073709551615ull);
	EXPECT("-9223372036854775808", "%lld", (long long)(-9223372036854775807ll - 1));
	EXPECT("ffffffffffffffff", "%llx", 0xffffffffffffffffull);
	EXPECT("123456789", "%zu", (size_t)123456789);
	EXPECT("-5", "%zd", (ptrdiff_t)-5);
	EXPECT("-7 7", "%ld %lu", -7l, 7ul);
	EXPECT("-1 255", "%hhd %hhu", (signed char)-1, (unsigned char)255);
	EXPECT("-1 65535", "%hd %hu", (short)-1, (unsigned short)65535);
	/* Wider values are cut to the length, as the promotion rules imply. */
	EXPECT_RAW("-1 44", "%hhd %hhu", 0xff, 0x12c);
	EXPECT("-3 3", "%td %jd", (ptrdiff_t)-3, (intmax_t)3);
	EXPECT("deadbeef DEADBEEF", "%x %X", 0xdeadbeefu, 0xdeadbeefu);
	EXPECT("17", "%o", 15u);
}

static void test_width_and_flags(void **state)
{
	(void)state;
	EXPECT("0000002a", "%08x", 0x2a);
	EXPECT("   42", "%5d", 42);
	EXPECT("42   |", "%-5d|", 42);
	EXPECT("-0042", "%05d", -42);
	EXPECT("+42 +0", "%+d %+d", 42, 0);
	EXPECT(" 42", "% d", 42);
	EXPECT("0x002a", "%#06x", 0x2a);
	EXPECT("  0x2a", "%#6x", 0x2a);
	EXPECT("00042", "%.5d", 42);
	EXPECT("-00042", "%.5d", -42);
	EXPECT("   42", "%*d", 5, 42);
	EXPECT("42   |", "%*d|", -5, 42);
	EXPECT("00042", "%.*d", 5, 42);
	EXPECT("42", "%.*d", -1, 42);
	EXPECT("12345", "%3d", 12345); /* width never truncates */
}

static void test_strings_and_chars(void **state)
{
	(void)state;
	EXPECT("ab   |", "%-5s|", "ab");
	EXPECT("   ab", "%5s", "ab");
	EXPECT("abc", "%.3s", "abcdef");
	EXPECT("  abc", "%5.3s", "abcdef");
	EXPECT("x", "%c", 'x');
	EXPECT("  x|x  ", "%3c|%-3c", 'x', 'x');
	EXPECT("100%", "%d%%", 100);
	EXPECT("", "%s", "");
	EXPECT("plain text", "plain text");
}

static void test_pointers(void **state)
{
	(void)state;
	EXPECT("0x1234", "%p", (void *)(uintptr_t)0x1234);
	EXPECT("0xabcdef", "%p", (void *)(uintptr_t)0xabcdef);
	EXPECT("(null)", "%p", (void *)NULL);
	EXPECT("    0x10", "%8p", (void *)(uintptr_t)0x10);
	EXPECT("0x10    |", "%-8p|", (void *)(uintptr_t)0x10);
}

static void test_truncation(void **state)
{
	char buf[8] = "XXXXXXX";

	(void)state;
	CHECK(5, "abcd", 6, "abcdef");
	CHECK(1, "", 6, "abcdef");
	CHECK(6, "12345", 10, "%d", 1234567890);
	CHECK(4, "0x1", 10, "%#x", 0x12345678u);
	/* size 0: nothing written, length still reported. */
	assert_int_equal(rnpu_osal_snprintf(buf, 0, "%s", "hello"), 5);
	assert_string_equal(buf, "XXXXXXX");
	assert_int_equal(rnpu_osal_snprintf(NULL, 0, "%d-%d", 12, 34), 5);
}

static void test_odd_directives(void **state)
{
	char buf[32];

	(void)state;
	/* Unknown conversions print as written; a trailing '%' prints. */
	assert_int_equal(fmt_raw(buf, sizeof(buf), "a%kb"), 4);
	assert_string_equal(buf, "a%kb");
	assert_int_equal(fmt_raw(buf, sizeof(buf), "a%-5kb"), 6);
	assert_string_equal(buf, "a%-5kb");
	assert_int_equal(fmt_raw(buf, sizeof(buf), "50%"), 3);
	assert_string_equal(buf, "50%");
	/* Absurd widths are capped instead of spinning. */
	assert_int_equal(fmt_raw(buf, sizeof(buf), "%999999999d", 1), 4096);
}

static void test_core_messages(void **state)
{
	(void)state;
	/* Lines the core really logs. */
	EXPECT("RKNPU: core1: W PC.BASE_ADDRESS <- 0x00000001",
	       "RKNPU: core%u: W %s <- 0x%08x", 1u, "PC.BASE_ADDRESS", 1u);
	EXPECT("invalid irq status: 0x300, raw status: 0x0, require mask: 0x300",
	       "invalid irq status: %#x, raw status: %#x, require mask: %#x", 0x300u, 0u,
	       0x300u);
	EXPECT("elapsed time: 1234us", "elapsed time: %lluus", 1234ull);
	EXPECT("free object slot 3 size 4096", "free object slot %u size %zu", 3u, (size_t)4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_rules),
		cmocka_unit_test(test_kernel_rules_raw),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_width_and_flags),
		cmocka_unit_test(test_strings_and_chars),
		cmocka_unit_test(test_pointers),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_odd_directives),
		cmocka_unit_test(test_core_messages),
	};

	return cmocka_run_group_tests_name("port-printf", tests, NULL, NULL);
}
