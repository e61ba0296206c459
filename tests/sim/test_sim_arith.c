// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The model's number formats in isolation: binary16 conversions with
 * round-to-nearest-even, and the rounding right shift of CORE/DPU. Every
 * expected value is a literal worked out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sim_fp16.h"
#include "sim_internal.h"

static float f_of(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

static uint32_t bits_of(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static void test_half_to_float(void **state)
{
	(void)state;
	assert_int_equal(bits_of(sim_half_to_float(0x3c00)), 0x3f800000);    /* 1.0 */
	assert_int_equal(bits_of(sim_half_to_float(0xc000)), 0xc0000000);    /* -2.0 */
	assert_int_equal(bits_of(sim_half_to_float(0x7bff)), 0x477fe000);    /* 65504 */
	assert_int_equal(bits_of(sim_half_to_float(0x0001)), 0x33800000);    /* 2^-24 */
	assert_int_equal(bits_of(sim_half_to_float(0x03ff)), 0x387fc000);    /* max subnormal */
	assert_int_equal(bits_of(sim_half_to_float(0x0400)), 0x38800000);    /* 2^-14 */
	assert_int_equal(bits_of(sim_half_to_float(0x8000)), 0x80000000);    /* -0 */
	assert_int_equal(bits_of(sim_half_to_float(0x7c00)), 0x7f800000);    /* inf */
	assert_true((bits_of(sim_half_to_float(0x7e00)) & 0x7fc00000) == 0x7fc00000);
}

static void test_float_to_half_rne(void **state)
{
	(void)state;
	assert_int_equal(sim_float_to_half(1.0f), 0x3c00);
	assert_int_equal(sim_float_to_half(-0.0f), 0x8000);
	/* 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even (1). */
	assert_int_equal(sim_float_to_half(f_of(0x3f801000)), 0x3c00);
	/* 1 + 3*2^-11 is halfway between odd 0x3c01 and even 0x3c02. */
	assert_int_equal(sim_float_to_half(f_of(0x3f803000)), 0x3c02);
	/* Just above the tie rounds up. */
	assert_int_equal(sim_float_to_half(f_of(0x3f801001)), 0x3c01);
	assert_int_equal(sim_float_to_half(65504.0f), 0x7bff);
	assert_int_equal(sim_float_to_half(65519.0f), 0x7bff);
	/* 65520 ties between 65504 (odd) and 65536 (overflow): infinity. */
	assert_int_equal(sim_float_to_half(65520.0f), 0x7c00);
	assert_int_equal(sim_float_to_half(-1e10f), 0xfc00);
	assert_int_equal(sim_float_to_half(f_of(0x7f800000)), 0x7c00);
	assert_true((sim_float_to_half(f_of(0x7fc00000)) & 0x7e00) == 0x7e00);
	/* Subnormals: 2^-24 exact, 2^-25 ties to 0, 1.5*2^-24 ties to 2*2^-24. */
	assert_int_equal(sim_float_to_half(f_of(0x33800000)), 0x0001);
	assert_int_equal(sim_float_to_half(f_of(0x33000000)), 0x0000);
	assert_int_equal(sim_float_to_half(f_of(0x33000001)), 0x0001);
	assert_int_equal(sim_float_to_half(f_of(0x33c00000)), 0x0002);
	assert_int_equal(sim_float_to_half(f_of(0x387fc000)), 0x03ff);
	/* Largest subnormal plus a half unit rounds up to the smallest normal. */
	assert_int_equal(sim_float_to_half(f_of(0x387fe000)), 0x0400);
	assert_int_equal(sim_float_to_half(1e-10f), 0x0000);
}

static void test_shift_round(void **state)
{
	(void)state;
	assert_int_equal(sim_shift_round(5, 0, false), 5);
	assert_int_equal(sim_shift_round(5, 1, false), 2);   /* 2.5 -> 2 */
	assert_int_equal(sim_shift_round(7, 1, false), 4);   /* 3.5 -> 4 */
	assert_int_equal(sim_shift_round(-5, 1, false), -2); /* -2.5 -> -2 */
	assert_int_equal(sim_shift_round(-7, 1, false), -4); /* -3.5 -> -4 */
	assert_int_equal(sim_shift_round(5, 1, true), 3);    /* 2.5 -> 3 */
	assert_int_equal(sim_shift_round(-5, 1, true), -2);  /* -2.5 -> -2 (toward +inf) */
	assert_int_equal(sim_shift_round(9, 2, false), 2);   /* 2.25 -> 2 */
	assert_int_equal(sim_shift_round(11, 2, false), 3);  /* 2.75 -> 3 */
	assert_int_equal(sim_shift_round(-11, 2, false), -3);
	assert_int_equal(sim_shift_round(INT64_MIN, 62, false), -2);
	assert_int_equal(sim_saturate(300, -128, 127), 127);
	assert_int_equal(sim_saturate(-300, -128, 127), -128);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_half_to_float),
		cmocka_unit_test(test_float_to_half_rne),
		cmocka_unit_test(test_shift_round),
	};

	return cmocka_run_group_tests_name("sim-arith", tests, NULL, NULL);
}
