// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* Half conversion against bit patterns worked out from the binary16 format. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "rnpu/fp16.h"

static float bits_f32(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

static uint32_t f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static void test_to_half_normals(void **state)
{
	(void)state;
	assert_int_equal(rnpu_f32_to_f16(1.0f), 0x3c00);
	assert_int_equal(rnpu_f32_to_f16(-2.0f), 0xc000);
	assert_int_equal(rnpu_f32_to_f16(0.5f), 0x3800);
	assert_int_equal(rnpu_f32_to_f16(65504.0f), 0x7bff);
	assert_int_equal(rnpu_f32_to_f16(6.103515625e-05f), 0x0400); /* 2^-14 */
	assert_int_equal(rnpu_f32_to_f16(0.0f), 0x0000);
	assert_int_equal(rnpu_f32_to_f16(-0.0f), 0x8000);
}

static void test_to_half_subnormals(void **state)
{
	(void)state;
	assert_int_equal(rnpu_f32_to_f16(5.9604644775390625e-08f), 0x0001);  /* 2^-24 */
	assert_int_equal(rnpu_f32_to_f16(-5.9604644775390625e-08f), 0x8001);
	assert_int_equal(rnpu_f32_to_f16(6.0975551605224609375e-05f), 0x03ff); /* 1023*2^-24 */
	/* 2^-25 is the tie between 0 and 2^-24: even is 0. Anything above it
	 * rounds to 2^-24. */
	assert_int_equal(rnpu_f32_to_f16(2.98023223876953125e-08f), 0x0000);
	assert_int_equal(rnpu_f32_to_f16(bits_f32(0x33000001u)), 0x0001);
	/* 3*2^-25 ties between 1 and 2 units: even is 2. */
	assert_int_equal(rnpu_f32_to_f16(8.94069671630859375e-08f), 0x0002);
	/* Float subnormals and tiny normals flush to signed zero. */
	assert_int_equal(rnpu_f32_to_f16(bits_f32(0x00000001u)), 0x0000);
	assert_int_equal(rnpu_f32_to_f16(bits_f32(0x80400000u)), 0x8000);
	assert_int_equal(rnpu_f32_to_f16(1e-20f), 0x0000);
}

static void test_to_half_ties_to_even(void **state)
{
	(void)state;
	/* 1 + 2^-11 sits halfway between 0x3c00 and 0x3c01: keep even 0x3c00. */
	assert_int_equal(rnpu_f32_to_f16(1.00048828125f), 0x3c00);
	/* 1 + 3*2^-11 halfway between 0x3c01 and 0x3c02: go to even 0x3c02. */
	assert_int_equal(rnpu_f32_to_f16(1.00146484375f), 0x3c02);
	/* A hair above the tie rounds up. */
	assert_int_equal(rnpu_f32_to_f16(bits_f32(0x3f801001u)), 0x3c01);
	/* 2049 between 2048 (0x6800) and 2050 (0x6801): even is 2048. */
	assert_int_equal(rnpu_f32_to_f16(2049.0f), 0x6800);
	assert_int_equal(rnpu_f32_to_f16(2051.0f), 0x6802);
	/* 2047.5 between 2047 (0x67ff, odd) and 2048: carry into the exponent. */
	assert_int_equal(rnpu_f32_to_f16(2047.5f), 0x6800);
}

static void test_to_half_overflow(void **state)
{
	(void)state;
	/* Halfway between 65504 (odd mantissa) and 65536 (= infinity) goes to
	 * the even side, which is infinity; just below stays finite. */
	assert_int_equal(rnpu_f32_to_f16(65519.99609375f), 0x7bff);
	assert_int_equal(rnpu_f32_to_f16(65520.0f), 0x7c00);
	assert_int_equal(rnpu_f32_to_f16(-65520.0f), 0xfc00);
	assert_int_equal(rnpu_f32_to_f16(1e6f), 0x7c00);
	assert_int_equal(rnpu_f32_to_f16(-3.4e38f), 0xfc00);
	assert_int_equal(rnpu_f32_to_f16(INFINITY), 0x7c00);
	assert_int_equal(rnpu_f32_to_f16(-INFINITY), 0xfc00);
}

static void test_to_half_nan(void **state)
{
	uint16_t h;

	(void)state;
	h = rnpu_f32_to_f16(NAN);
	assert_int_equal(h & 0x7c00, 0x7c00);
	assert_int_not_equal(h & 0x03ff, 0);
	/* Payload only in bits the half drops: must stay NaN, not become inf. */
	h = rnpu_f32_to_f16(bits_f32(0x7f800001u));
	assert_int_equal(h & 0x7c00, 0x7c00);
	assert_int_not_equal(h & 0x03ff, 0);
	h = rnpu_f32_to_f16(bits_f32(0xffc00000u));
	assert_int_equal(h, 0xfe00);
}

static void test_to_float(void **state)
{
	(void)state;
	assert_true(rnpu_f16_to_f32(0x3c00) == 1.0f);
	assert_true(rnpu_f16_to_f32(0xc000) == -2.0f);
	assert_true(rnpu_f16_to_f32(0x7bff) == 65504.0f);
	assert_true(rnpu_f16_to_f32(0x0400) == 6.103515625e-05f);
	assert_true(rnpu_f16_to_f32(0x0001) == 5.9604644775390625e-08f);
	assert_true(rnpu_f16_to_f32(0x8001) == -5.9604644775390625e-08f);
	assert_true(rnpu_f16_to_f32(0x03ff) == 6.0975551605224609375e-05f);
	assert_true(rnpu_f16_to_f32(0x3555) == 0.333251953125f);
	assert_true(rnpu_f16_to_f32(0x7c00) == INFINITY);
	assert_true(rnpu_f16_to_f32(0xfc00) == -INFINITY);
	assert_true(isnan(rnpu_f16_to_f32(0x7e00)));
	assert_true(isnan(rnpu_f16_to_f32(0x7c01)));
	assert_int_equal(f32_bits(rnpu_f16_to_f32(0x8000)), 0x80000000u);
}

static void test_round_trip_all(void **state)
{
	(void)state;
	for (uint32_t h = 0; h <= 0xffff; h++) {
		uint16_t back = rnpu_f32_to_f16(rnpu_f16_to_f32((uint16_t)h));

		if ((h & 0x7c00) == 0x7c00 && (h & 0x03ff)) {
			/* NaN stays NaN with its sign and top payload bits (quieted). */
			assert_int_equal(back, h | 0x0200);
		} else {
			assert_int_equal(back, h);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_to_half_normals),
		cmocka_unit_test(test_to_half_subnormals),
		cmocka_unit_test(test_to_half_ties_to_even),
		cmocka_unit_test(test_to_half_overflow),
		cmocka_unit_test(test_to_half_nan),
		cmocka_unit_test(test_to_float),
		cmocka_unit_test(test_round_trip_all),
	};

	return cmocka_run_group_tests_name("lib-fp16", tests, NULL, NULL);
}
