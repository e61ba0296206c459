// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The completion interrupt's status check (fact sheet 4.8): each pair of
 * bits 0-1 .. 10-11 is a ping-pong group and is widened to both bits when
 * either is set; bits 12 and up (DMA errors and beyond) are dropped. The
 * expected values below are worked out by hand from that rule.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rknpu_internal.h"

static void test_zero_stays_zero(void **state)
{
	(void)state;
	assert_int_equal(rknpu_fuzz_status(0x0), 0x0);
}

static void test_low_bit_of_pair_widens(void **state)
{
	(void)state;
	assert_int_equal(rknpu_fuzz_status(0x1), 0x3);      /* CNA group 0 */
	assert_int_equal(rknpu_fuzz_status(0x4), 0xc);
	assert_int_equal(rknpu_fuzz_status(0x10), 0x30);
	assert_int_equal(rknpu_fuzz_status(0x40), 0xc0);
	assert_int_equal(rknpu_fuzz_status(0x100), 0x300);  /* DPU group 0 */
	assert_int_equal(rknpu_fuzz_status(0x400), 0xc00);
}

static void test_high_bit_of_pair_widens(void **state)
{
	(void)state;
	assert_int_equal(rknpu_fuzz_status(0x2), 0x3);
	assert_int_equal(rknpu_fuzz_status(0x8), 0xc);
	assert_int_equal(rknpu_fuzz_status(0x20), 0x30);
	assert_int_equal(rknpu_fuzz_status(0x80), 0xc0);
	assert_int_equal(rknpu_fuzz_status(0x200), 0x300);  /* DPU group 1 */
	assert_int_equal(rknpu_fuzz_status(0x800), 0xc00);
}

static void test_full_pair_unchanged(void **state)
{
	(void)state;
	assert_int_equal(rknpu_fuzz_status(0x300), 0x300);
	assert_int_equal(rknpu_fuzz_status(0x3), 0x3);
	assert_int_equal(rknpu_fuzz_status(0xfff), 0xfff);
}

static void test_pairs_independent(void **state)
{
	(void)state;
	/* One bit in two different groups: both groups, nothing between. */
	assert_int_equal(rknpu_fuzz_status(0x401), 0xc03);
	assert_int_equal(rknpu_fuzz_status(0x104), 0x30c);
	/* Every even bit, every odd bit: all six groups either way. */
	assert_int_equal(rknpu_fuzz_status(0x555), 0xfff);
	assert_int_equal(rknpu_fuzz_status(0xaaa), 0xfff);
	/* Groups 1, 3, 5 only. */
	assert_int_equal(rknpu_fuzz_status(0x8c4), 0xccc);
}

static void test_bits_12_and_up_ignored(void **state)
{
	(void)state;
	assert_int_equal(rknpu_fuzz_status(0x1000), 0x0);
	assert_int_equal(rknpu_fuzz_status(0x2000), 0x0);
	assert_int_equal(rknpu_fuzz_status(0x3000), 0x0);
	assert_int_equal(rknpu_fuzz_status(0x10000), 0x0);
	assert_int_equal(rknpu_fuzz_status(0x80000000u), 0x0);
	assert_int_equal(rknpu_fuzz_status(0xfffff000u), 0x0);
}

static void test_mixed_with_high_bits(void **state)
{
	(void)state;
	assert_int_equal(rknpu_fuzz_status(0x1ffff), 0xfff); /* INT_CLEAR "all" */
	assert_int_equal(rknpu_fuzz_status(0x10100), 0x300);
	assert_int_equal(rknpu_fuzz_status(0x80000001u), 0x3);
	assert_int_equal(rknpu_fuzz_status(0xffffffffu), 0xfff);
}

static void test_matches_vendor_int_mask(void **state)
{
	(void)state;
	/* librknnrt's usual int_mask is 0x300; the hardware raises only the
	 * bit of the group that ran, and either must be accepted. */
	assert_int_equal(rknpu_fuzz_status(0x100), 0x300);
	assert_int_equal(rknpu_fuzz_status(0x200), 0x300);
	/* A DMA read error next to the done bit does not break the match. */
	assert_int_equal(rknpu_fuzz_status(0x1200), 0x300);
	/* A different group never matches 0x300. */
	assert_int_not_equal(rknpu_fuzz_status(0x400), 0x300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_stays_zero),
		cmocka_unit_test(test_low_bit_of_pair_widens),
		cmocka_unit_test(test_high_bit_of_pair_widens),
		cmocka_unit_test(test_full_pair_unchanged),
		cmocka_unit_test(test_pairs_independent),
		cmocka_unit_test(test_bits_12_and_up_ignored),
		cmocka_unit_test(test_mixed_with_high_bits),
		cmocka_unit_test(test_matches_vendor_int_mask),
	};

	return cmocka_run_group_tests_name("core-irq-status", tests, NULL, NULL);
}
