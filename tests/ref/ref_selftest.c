// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* The reference checked against values worked out by hand. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "rnpu_ref.h"

static void test_i8_small(void **state)
{
	/* [1 2 3; 4 5 6] x [7 8; 9 10; 11 12]: 1*7+2*9+3*11 = 58, 1*8+2*10+3*12 = 64,
	 * 4*7+5*9+6*11 = 139, 4*8+5*10+6*12 = 154. */
	const int8_t a[6] = { 1, 2, 3, 4, 5, 6 };
	const int8_t b[6] = { 7, 8, 9, 10, 11, 12 };
	int32_t c[4];

	(void)state;
	ref_matmul_i8_i32(2, 3, 2, a, b, c);
	assert_int_equal(c[0], 58);
	assert_int_equal(c[1], 64);
	assert_int_equal(c[2], 139);
	assert_int_equal(c[3], 154);
}

static void test_i8_extremes(void **state)
{
	/* Row 0: four (-128)*(-128) = 4*16384 = 65536; row 1: four 127*(-128) = -65024. */
	const int8_t a[8] = { -128, -128, -128, -128, 127, 127, 127, 127 };
	const int8_t b[4] = { -128, -128, -128, -128 };
	int32_t c[2];

	(void)state;
	ref_matmul_i8_i32(2, 4, 1, a, b, c);
	assert_int_equal(c[0], 65536);
	assert_int_equal(c[1], -65024);
}

static void test_half_to_float(void **state)
{
	(void)state;
	assert_true(ref_half_to_float(0x3c00) == 1.0f);
	assert_true(ref_half_to_float(0xc000) == -2.0f);
	assert_true(ref_half_to_float(0x7bff) == 65504.0f);
	assert_true(ref_half_to_float(0x3555) == 0.333251953125f);   /* 1365/4096 */
	assert_true(ref_half_to_float(0x0400) == 6.103515625e-05f);  /* 2^-14 */
	assert_true(ref_half_to_float(0x0001) == 5.9604644775390625e-08f); /* 2^-24 */
	assert_true(ref_half_to_float(0x03ff) == 6.0975551605224609375e-05f); /* 1023*2^-24 */
	assert_true(ref_half_to_float(0x7c00) == INFINITY);
	assert_true(ref_half_to_float(0xfc00) == -INFINITY);
	assert_true(isnan(ref_half_to_float(0x7e00)));
	assert_true(isnan(ref_half_to_float(0xfc01)));
	assert_true(ref_half_to_float(0x8000) == 0.0f);
	assert_true(signbit(ref_half_to_float(0x8000)));
}

static void test_f16_matmul(void **state)
{
	/* [1.5 -2] x [0.25 1; 3 0.5] = [0.375-6, 1.5-1] = [-5.625, 0.5];
	 * sums of |products|: 6.375 and 2.5. */
	const uint16_t a[2] = { 0x3e00, 0xc000 };
	const uint16_t b[4] = { 0x3400, 0x3c00, 0x4200, 0x3800 };
	float c[2], mag[2];

	(void)state;
	ref_matmul_f16_f32(1, 2, 2, a, b, c, mag);
	assert_true(c[0] == -5.625f);
	assert_true(c[1] == 0.5f);
	assert_true(mag[0] == 6.375f);
	assert_true(mag[1] == 2.5f);
}

static void test_f16_single_rounding(void **state)
{
	/* 1 + 2^-24 + 2^-24: float accumulation would lose both small terms
	 * (each addition ties to even = 1.0); the exact sum 1 + 2^-23 is a float. */
	const uint16_t a[3] = { 0x3c00, 0x0001, 0x0001 };
	const uint16_t b[3] = { 0x3c00, 0x3c00, 0x3c00 };
	float c;
	uint32_t bits;

	(void)state;
	ref_matmul_f16_f32(1, 3, 1, a, b, &c, NULL);
	memcpy(&bits, &c, sizeof(bits));
	assert_int_equal(bits, 0x3f800001u);
}

static void test_tolerance(void **state)
{
	(void)state;
	/* k = 32, absdot = 64: tol = 2*32*2^-24*64 = 2^-12 = 0.000244140625. */
	assert_true(ref_f16_close(1.0f, 1.0f, 1.0f, 1, false));
	assert_true(ref_f16_close(1.0002f, 1.0f, 64.0f, 32, false));
	assert_false(ref_f16_close(1.0003f, 1.0f, 64.0f, 32, false));
	/* fp16 out near 1000: one half ulp is 1000/1024 = 0.9765625. */
	assert_true(ref_f16_close(1000.9f, 1000.0f, 0.0f, 1, true));
	assert_false(ref_f16_close(1001.0f, 1000.0f, 0.0f, 1, true));
	assert_false(ref_f16_close(1000.9f, 1000.0f, 0.0f, 1, false));
	assert_true(ref_f16_close(NAN, NAN, 0.0f, 1, false));
	assert_false(ref_f16_close(1.0f, NAN, 0.0f, 1, false));
	assert_false(ref_f16_close(NAN, 1.0f, 0.0f, 1, false));
	assert_true(ref_f16_close(INFINITY, INFINITY, 0.0f, 1, true));
	assert_false(ref_f16_close(-INFINITY, INFINITY, 0.0f, 1, true));
	assert_false(ref_f16_close(65504.0f, INFINITY, 0.0f, 1, true));
}

static void test_rng(void **state)
{
	struct ref_rng r;
	int8_t v[2000];
	uint16_t h[2000];
	bool lo_seen = false, hi_seen = false;

	(void)state;
	/* Published splitmix64 outputs for seed 0. */
	ref_rng_seed(&r, 0);
	assert_true(ref_rng_u64(&r) == 0xe220a8397b1dcdafull);
	assert_true(ref_rng_u64(&r) == 0x6e789e6aa1b965f4ull);
	assert_true(ref_rng_u64(&r) == 0x06c45d188009454full);

	ref_rng_seed(&r, 42);
	ref_fill_i8(&r, v, sizeof(v), -3, 5);
	for (size_t i = 0; i < sizeof(v); i++) {
		assert_in_range(v[i] + 3, 0, 8);
		lo_seen |= v[i] == -3;
		hi_seen |= v[i] == 5;
	}
	assert_true(lo_seen && hi_seen);

	ref_fill_f16(&r, h, 2000, -2, 3);
	for (size_t i = 0; i < 2000; i++) {
		float f = fabsf(ref_half_to_float(h[i]));

		assert_true(f >= 0.25f && f < 16.0f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_i8_small),
		cmocka_unit_test(test_i8_extremes),
		cmocka_unit_test(test_half_to_float),
		cmocka_unit_test(test_f16_matmul),
		cmocka_unit_test(test_f16_single_rounding),
		cmocka_unit_test(test_tolerance),
		cmocka_unit_test(test_rng),
	};

	return cmocka_run_group_tests_name("ref-selftest", tests, NULL, NULL);
}
