// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* The per-SoC table: the RK3588 entry against the fact sheet (1.5, 1.6)
 * and compatible-string matching. */
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

static void test_rk3588_matches(void **state)
{
	(void)state;
	assert_string_equal(rk3588()->compatible, "rockchip,rk3588-rknpu");
	/* Matching twice gives the same entry, not a copy. */
	assert_ptr_equal(rk3588(), rknpu_soc_match("rockchip,rk3588-rknpu"));
}

static void test_rk3588_cores(void **state)
{
	(void)state;
	assert_int_equal(rk3588()->num_cores, 3);
	assert_int_equal(rk3588()->core_mask, 0x7);
}

static void test_rk3588_pc_fields(void **state)
{
	const struct rknpu_soc_data *soc = rk3588();

	(void)state;
	assert_int_equal(soc->pc_data_amount_scale, 2);
	assert_int_equal(soc->pc_task_number_bits, 12);
	assert_int_equal(soc->pc_task_number_mask, 0xfff);
	assert_int_equal(soc->pc_task_status_offset, 0x3c);
	assert_false(soc->pc_dma_ctrl);
	assert_int_equal(soc->max_submit_number, 4095);
	/* The mask is exactly the field width. */
	assert_int_equal(soc->pc_task_number_mask, (1u << soc->pc_task_number_bits) - 1);
}

static void test_rk3588_platform_fields(void **state)
{
	const struct rknpu_soc_data *soc = rk3588();

	(void)state;
	assert_int_equal(soc->dma_mask_bits, 40);
	assert_int_equal(soc->bw_priority_addr, 0);
	assert_int_equal(soc->bw_priority_length, 0);
	assert_false(soc->has_rw_amount);
	assert_int_equal(soc->num_resets, 6); /* srst_a0..2, srst_h0..2 */
	assert_true(soc->write_s_pointer);
	/* core1's S_POINTER is 0x1000000e: the index sits at bit 28. */
	assert_int_equal(soc->s_pointer_core_id_shift, 28);
}

static void test_unknown_compatible(void **state)
{
	(void)state;
	assert_null(rknpu_soc_match("rockchip,rk9999-rknpu"));
	assert_null(rknpu_soc_match(""));
	assert_null(rknpu_soc_match(NULL));
}

static void test_no_partial_match(void **state)
{
	(void)state;
	/* Prefixes and extensions of a known string are different devices. */
	assert_null(rknpu_soc_match("rockchip,rk3588"));
	assert_null(rknpu_soc_match("rockchip,rk3588-rknpu-extra"));
	assert_null(rknpu_soc_match("rockchip,rk3588-rknpu "));
	assert_null(rknpu_soc_match("Rockchip,RK3588-RKNPU"));
}

static void test_other_soc_distinct(void **state)
{
	const struct rknpu_soc_data *rk3568 = rknpu_soc_match("rockchip,rk3568-rknpu");

	(void)state;
	assert_non_null(rk3568);
	assert_ptr_not_equal(rk3568, rk3588());
	assert_int_equal(rk3568->num_cores, 1);
	assert_int_equal(rk3568->core_mask, 0x1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rk3588_matches),
		cmocka_unit_test(test_rk3588_cores),
		cmocka_unit_test(test_rk3588_pc_fields),
		cmocka_unit_test(test_rk3588_platform_fields),
		cmocka_unit_test(test_unknown_compatible),
		cmocka_unit_test(test_no_partial_match),
		cmocka_unit_test(test_other_soc_distinct),
	};

	return cmocka_run_group_tests_name("core-soc-table", tests, NULL, NULL);
}
