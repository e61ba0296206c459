// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * PC_DATA_AMOUNT (fact sheet 4.4, step 3): ceil((regcfg_amount + 4) /
 * scale) - 1, where the 4 extra words are the task's tail and scale is the
 * PC fetch unit (2 regcmd words on RK3588, 1 on rk356x). Numbers are
 * computed by hand here, not with the formula.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rknpu_internal.h"

static const struct rknpu_soc_data *rk3588(void)
{
	const struct rknpu_soc_data *soc = rknpu_soc_match("rockchip,rk3588-rknpu");

	assert_non_null(soc);
	return soc;
}

static void test_rk3588_typical(void **state)
{
	(void)state;
	/* 104 body words + 4 = 108 words = 54 units, programmed as 53. */
	assert_int_equal(rknpu_pc_data_amount(rk3588(), 104), 53);
}

static void test_rk3588_empty_body(void **state)
{
	(void)state;
	/* Only the 4 tail words: 2 units -> 1. */
	assert_int_equal(rknpu_pc_data_amount(rk3588(), 0), 1);
}

static void test_rk3588_odd_rounds_up(void **state)
{
	(void)state;
	/* 13 + 4 = 17 words: 9 units (the last one half used) -> 8. */
	assert_int_equal(rknpu_pc_data_amount(rk3588(), 13), 8);
	/* 1 + 4 = 5 -> 3 units -> 2; 2 + 4 = 6 -> 3 units -> 2. */
	assert_int_equal(rknpu_pc_data_amount(rk3588(), 1), 2);
	assert_int_equal(rknpu_pc_data_amount(rk3588(), 2), 2);
}

static void test_rk3588_vendor_chain(void **state)
{
	(void)state;
	/* Bodies of a captured vendor task chain: 108, 12, 17 words. */
	assert_int_equal(rknpu_pc_data_amount(rk3588(), 108), 55);
	assert_int_equal(rknpu_pc_data_amount(rk3588(), 12), 7);
	assert_int_equal(rknpu_pc_data_amount(rk3588(), 17), 10);
}

static void test_rk3588_field_limit(void **state)
{
	(void)state;
	/* The largest body the submit path accepts (0xffff * 2 words):
	 * 131070 + 4 = 131074 words = 65537 units -> 65536. */
	assert_int_equal(rknpu_pc_data_amount(rk3588(), 131070), 65536);
}

static void test_scale_one(void **state)
{
	const struct rknpu_soc_data *soc = rknpu_soc_match("rockchip,rk3568-rknpu");

	(void)state;
	assert_non_null(soc);
	assert_int_equal(soc->pc_data_amount_scale, 1);
	/* One unit per word: 104 + 4 - 1. */
	assert_int_equal(rknpu_pc_data_amount(soc, 104), 107);
	assert_int_equal(rknpu_pc_data_amount(soc, 0), 3);
	assert_int_equal(rknpu_pc_data_amount(soc, 13), 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rk3588_typical),
		cmocka_unit_test(test_rk3588_empty_body),
		cmocka_unit_test(test_rk3588_odd_rounds_up),
		cmocka_unit_test(test_rk3588_vendor_chain),
		cmocka_unit_test(test_rk3588_field_limit),
		cmocka_unit_test(test_scale_one),
	};

	return cmocka_run_group_tests_name("core-pc-data-amount", tests, NULL, NULL);
}
