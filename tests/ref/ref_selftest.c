// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* The reference checked against values worked out by hand. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
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

static void test_matmul_i16(void **state)
{
	/* (-32768)*(-32768) + 32767*(-32768) = 2^30 - (2^30 - 2^15) = 32768;
	 * 1000*1000 + 2000*3000 = 7000000. */
	const int16_t a[4] = { -32768, 32767, 1000, 2000 };
	const int16_t b[2] = { -32768, -32768 };
	const int16_t b2[2] = { 1000, 3000 };
	int64_t c[2];

	(void)state;
	ref_matmul_i16_i64(2, 2, 1, a, b, c);
	assert_true(c[0] == 32768);
	ref_matmul_i16_i64(1, 2, 1, a + 2, b2, c);
	assert_true(c[0] == 7000000);
}

/* x = [1 2 3; 4 5 6; 7 8 9], kernel [1 0; 0 -1], pad 1 on top/left:
 * y(oy, ox) = x(oy-1, ox-1) - x(oy, ox). */
/* Hand-worked: [1 -8; 7 3] x [2; -1] = [10; 11]; 1024 x (-8 * -8) = 65536
 * saturates to 32767. Nibbles 0x8 = -8 and 0x7 = 7, both orders. */
static void test_int4(void **state)
{
	const int8_t a[4] = { 1, -8, 7, 3 }, b[2] = { 2, -1 };
	int8_t *big = malloc(1024);
	int32_t c32[2];
	int16_t c16[2];
	uint8_t packed[2] = { 0, 0 };

	(void)state;
	ref_matmul_i4_i32(2, 2, 1, a, b, c32);
	assert_int_equal(c32[0], 10);
	assert_int_equal(c32[1], 11);
	assert_non_null(big);
	memset(big, -8, 1024);
	ref_matmul_i4_i32(1, 1024, 1, big, big, c32);
	assert_int_equal(c32[0], 65536);
	ref_matmul_i4_i16(1, 1024, 1, big, big, c16);
	assert_int_equal(c16[0], 32767);
	big[0] = 7; /* 49 + 1023 x 64 = 65521, still above int16 */
	ref_matmul_i4_i16(1, 1024, 1, big, big, c16);
	assert_int_equal(c16[0], 32767);
	free(big);
	ref_i4_set(packed, 0, -8, true);
	ref_i4_set(packed, 1, 7, true);
	ref_i4_set(packed, 2, -1, false);
	ref_i4_set(packed, 3, 1, false);
	assert_int_equal(packed[0], 0x78);
	assert_int_equal(packed[1], 0xf1);
	assert_int_equal(ref_i4_get(packed, 0, true), -8);
	assert_int_equal(ref_i4_get(packed, 1, true), 7);
	assert_int_equal(ref_i4_get(packed, 0, false), 7);
	assert_int_equal(ref_i4_get(packed, 2, false), -1);
	assert_int_equal(ref_i4_get(packed, 3, false), 1);
}

static void test_conv_pad(void **state)
{
	const int32_t x[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	const int32_t w[4] = { 1, 0, 0, -1 };
	const int64_t want0[9] = { -1, -2, -3, -4, -4, -4, -7, -4, -4 };
	const int64_t want10[9] = { 9, 8, 7, 6, -4, -4, 3, -4, -4 };
	struct ref_conv_shape s = { .c = 1, .h = 3, .w = 3, .o = 1, .kh = 2, .kw = 2,
				    .sy = 1, .sx = 1, .dy = 1, .dx = 1, .pt = 1, .pl = 1,
				    .oh = 3, .ow = 3 };
	double xf[9], wf[4], yf[9], mag[9];
	int64_t y[9];

	(void)state;
	ref_conv2d_i64(&s, x, w, 0, y);
	for (int i = 0; i < 9; i++)
		assert_true(y[i] == want0[i]);
	ref_conv2d_i64(&s, x, w, 10, y);
	for (int i = 0; i < 9; i++)
		assert_true(y[i] == want10[i]);
	for (int i = 0; i < 9; i++)
		xf[i] = x[i];
	for (int i = 0; i < 4; i++)
		wf[i] = w[i];
	ref_conv2d_f64(&s, xf, wf, 0.0, yf, mag);
	for (int i = 0; i < 9; i++)
		assert_true(yf[i] == (double)want0[i]);
	/* (1, 1): |1*1| + |5*-1| = 6. */
	assert_true(mag[4] == 6.0);

	/* Window sums (pad 0): (0, 0) sees only x(0, 0); (1, 1) sees 1+2+4+5. */
	ref_window_sum_i64(&s, x, 0, y);
	assert_true(y[0] == 1);
	assert_true(y[4] == 12);
	assert_true(y[8] == 5 + 6 + 8 + 9);
}

/* x(r, c) = 5r + c on 5x5, 2x2 ones with taps 2 apart:
 * y = x(oy,ox) + x(oy,ox+2) + x(oy+2,ox) + x(oy+2,ox+2) = 4*(5oy+ox) + 24. */
static void test_conv_dilation_stride(void **state)
{
	int32_t x[25];
	const int32_t w[4] = { 1, 1, 1, 1 };
	struct ref_conv_shape s = { .c = 1, .h = 5, .w = 5, .o = 1, .kh = 2, .kw = 2,
				    .sy = 1, .sx = 1, .dy = 2, .dx = 2, .oh = 3, .ow = 3 };
	int64_t y[9];

	(void)state;
	for (int i = 0; i < 25; i++)
		x[i] = i;
	ref_conv2d_i64(&s, x, w, 0, y);
	assert_true(y[0] == 24);
	assert_true(y[5] == 4 * 7 + 24);
	assert_true(y[8] == 72);
	s.sy = s.sx = 2;
	s.oh = s.ow = 2;
	ref_conv2d_i64(&s, x, w, 0, y);
	assert_true(y[0] == 24);
	assert_true(y[1] == 4 * 2 + 24);
	assert_true(y[3] == 72);
}

static void test_conv_channels_depthwise(void **state)
{
	/* Two channels of 1x1: y0 = 3 - 2 = 1, y1 = 2*3 + (-3)*(-2) = 12. */
	const int32_t x[2] = { 3, -2 };
	const int32_t w[4] = { 1, 1, 2, -3 };
	struct ref_conv_shape s = { .c = 2, .h = 1, .w = 1, .o = 2, .kh = 1, .kw = 1,
				    .sy = 1, .sx = 1, .dy = 1, .dx = 1, .oh = 1, .ow = 1 };
	/* Depthwise 1x2 kernels over two 1x2 channels: [1 2].[1 1] = 3,
	 * [3 4].[2 -1] = 2; window sums 3 and 7. */
	const int32_t xd[4] = { 1, 2, 3, 4 };
	const int32_t wd[4] = { 1, 1, 2, -1 };
	struct ref_conv_shape d = { .c = 2, .h = 1, .w = 2, .o = 2, .kh = 1, .kw = 2,
				    .sy = 1, .sx = 1, .dy = 1, .dx = 1, .oh = 1, .ow = 1,
				    .depthwise = true };
	int64_t y[2];

	(void)state;
	ref_conv2d_i64(&s, x, w, 0, y);
	assert_true(y[0] == 1);
	assert_true(y[1] == 12);
	ref_conv2d_i64(&d, xd, wd, 0, y);
	assert_true(y[0] == 3);
	assert_true(y[1] == 2);
	ref_window_sum_i64(&d, xd, 0, y);
	assert_true(y[0] == 3);
	assert_true(y[1] == 7);
}

static void test_rounding(void **state)
{
	(void)state;
	/* 5/2 = 2.5, -5/2 = -2.5, 6/4 = 1.5, -6/4 = -1.5, 7/4 = 1.75, -7/4 = -1.75. */
	assert_true(ref_rshift_round(5, 1, REF_ROUND_HALF_EVEN) == 2);
	assert_true(ref_rshift_round(5, 1, REF_ROUND_HALF_UP) == 3);
	assert_true(ref_rshift_round(-5, 1, REF_ROUND_HALF_EVEN) == -2);
	assert_true(ref_rshift_round(-5, 1, REF_ROUND_HALF_UP) == -2);
	assert_true(ref_rshift_round(6, 2, REF_ROUND_HALF_EVEN) == 2);
	assert_true(ref_rshift_round(-6, 2, REF_ROUND_HALF_EVEN) == -2);
	assert_true(ref_rshift_round(-6, 2, REF_ROUND_HALF_UP) == -1);
	assert_true(ref_rshift_round(7, 2, REF_ROUND_HALF_UP) == 2);
	assert_true(ref_rshift_round(-7, 2, REF_ROUND_HALF_EVEN) == -2);
	assert_true(ref_rshift_round(-9, 3, REF_ROUND_HALF_UP) == -1);
	assert_true(ref_rshift_round(123, 0, REF_ROUND_HALF_UP) == 123);
	assert_true(ref_rshift_round(INT64_MIN, 62, REF_ROUND_HALF_EVEN) == -2);
	assert_true(ref_round_double(2.5, REF_ROUND_HALF_EVEN) == 2);
	assert_true(ref_round_double(2.5, REF_ROUND_HALF_UP) == 3);
	assert_true(ref_round_double(-2.5, REF_ROUND_HALF_UP) == -2);
	assert_true(ref_round_double(-2.5, REF_ROUND_HALF_EVEN) == -2);
	assert_true(ref_round_double(-3.5, REF_ROUND_HALF_EVEN) == -4);
	assert_true(ref_round_double(ldexp(1.0, -80), REF_ROUND_HALF_UP) == 0);
	assert_true(ref_round_double(0.5 + ldexp(1.0, -40), REF_ROUND_HALF_EVEN) == 1);
	assert_true(ref_round_double(-0.75, REF_ROUND_HALF_EVEN) == -1);
	assert_true(ref_sat_bits(200, 8) == 127);
	assert_true(ref_sat_bits(-129, 8) == -128);
	assert_true(ref_sat_bits(-40000, 16) == -32768);
	assert_true(ref_sat_bits(5000000000ll, 32) == 2147483647);
	assert_true(ref_clamp(5, 0, 3) == 3);
}

static void test_requant(void **state)
{
	(void)state;
	/* 1000*3/16 = 187.5 -> 188 (even) -> 183 after -5. */
	assert_true(ref_requant(1000, 3, 4, -5, false, REF_ROUND_HALF_EVEN, 32) == 183);
	/* (1000-5)*3/16 = 186.5625 -> 187. */
	assert_true(ref_requant(1000, 3, 4, -5, true, REF_ROUND_HALF_EVEN, 32) == 187);
	/* Saturates to int8. */
	assert_true(ref_requant(1000, 3, 4, -5, false, REF_ROUND_HALF_EVEN, 8) == 127);
	/* -1000*3/16 = -187.5: even -188, half up -187. */
	assert_true(ref_requant(-1000, 3, 4, 0, false, REF_ROUND_HALF_EVEN, 16) == -188);
	assert_true(ref_requant(-1000, 3, 4, 0, false, REF_ROUND_HALF_UP, 16) == -187);
}

static void test_eltwise(void **state)
{
	(void)state;
	assert_true(ref_ew_i64(REF_EW_MAX, -3, 2) == 2);
	assert_true(ref_ew_i64(REF_EW_MIN, -3, 2) == -3);
	assert_true(ref_ew_i64(REF_EW_ADD, -3, 2) == -1);
	assert_true(ref_ew_i64(REF_EW_SUB, -3, 2) == -5);
	assert_true(ref_ew_i64(REF_EW_MUL, -3, 2) == -6);
	assert_true(ref_ew_i64(REF_EW_ABS, -3, 2) == 3);
	assert_true(ref_ew_i64(REF_EW_NEG, -3, 2) == 3);
	assert_true(ref_ew_f64(REF_EW_DIV, 7.0, 2.0) == 3.5);
	assert_true(ref_ew_f64(REF_EW_FLOOR, -2.5, 0.0) == -3.0);
	assert_true(ref_ew_f64(REF_EW_CEIL, -2.5, 0.0) == -2.0);
	assert_true(ref_ew_f64(REF_EW_SUB, 1.0, 8.0) == -7.0);
	assert_true(ref_ew_f64(REF_EW_ABS, -0.5, 0.0) == 0.5);
}

/* x(r, c) = 4r + c on 4x4. */
static void test_pool(void **state)
{
	int32_t x[16];
	double xf[16], yf[9];
	int64_t y[9];
	struct ref_pool_shape s = { .c = 1, .h = 4, .w = 4, .kh = 2, .kw = 2, .sy = 2, .sx = 2,
				    .oh = 2, .ow = 2 };

	(void)state;
	for (int i = 0; i < 16; i++) {
		x[i] = i;
		xf[i] = i;
	}
	ref_pool2d_i64(&s, REF_POOL_MAX, x, 0, y);
	assert_true(y[0] == 5 && y[1] == 7 && y[2] == 13 && y[3] == 15);
	ref_pool2d_i64(&s, REF_POOL_MIN, x, 0, y);
	assert_true(y[0] == 0 && y[1] == 2 && y[2] == 8 && y[3] == 10);
	ref_pool2d_i64(&s, REF_POOL_AVG_SUM, x, 0, y);
	assert_true(y[0] == 10 && y[1] == 18 && y[2] == 42 && y[3] == 50);

	/* Padding 1 all round with -100: window (0,0) = x(0,0) + 3 pads. */
	s.pt = s.pl = 1;
	s.oh = s.ow = 3;
	ref_pool2d_i64(&s, REF_POOL_MAX, x, -100, y);
	assert_true(y[0] == 0 && y[4] == 10 && y[8] == 15);
	ref_pool2d_i64(&s, REF_POOL_MIN, x, -100, y);
	assert_true(y[0] == -100 && y[4] == 5);
	ref_pool2d_i64(&s, REF_POOL_AVG_SUM, x, -100, y);
	assert_true(y[0] == -300 && y[4] == 30 && y[8] == -285);
	ref_pool2d_f64(&s, REF_POOL_AVG_SUM, xf, -100.0, yf);
	assert_true(yf[0] == -300.0 && yf[4] == 30.0 && yf[8] == -285.0);
	ref_pool2d_f64(&s, REF_POOL_MIN, xf, 0.5, yf);
	assert_true(yf[0] == 0.0 && yf[2] == 0.5);
}

static void test_half_from_double(void **state)
{
	(void)state;
	assert_int_equal(ref_half_from_double(1.0), 0x3c00);
	assert_int_equal(ref_half_from_double(-2.0), 0xc000);
	assert_int_equal(ref_half_from_double(65504.0), 0x7bff);
	assert_int_equal(ref_half_from_double(65519.0), 0x7bff);
	assert_int_equal(ref_half_from_double(65520.0), 0x7c00); /* tie to even: infinity */
	assert_int_equal(ref_half_from_double(2049.0), 0x6800);  /* tie to even: 2048 */
	assert_int_equal(ref_half_from_double(2051.0), 0x6802);  /* tie to even: 2052 */
	assert_int_equal(ref_half_from_double(1.0 / 3.0), 0x3555);
	assert_int_equal(ref_half_from_double(ldexp(1.0, -24)), 0x0001);
	assert_int_equal(ref_half_from_double(ldexp(1.0, -25)), 0x0000); /* tie to even: 0 */
	assert_int_equal(ref_half_from_double(ldexp(3.0, -26)), 0x0001);
	assert_int_equal(ref_half_from_double(ldexp(1023.5, -24)), 0x0400); /* to smallest normal */
	assert_int_equal(ref_half_from_double(-0.0), 0x8000);
	assert_int_equal(ref_half_from_double(1e9), 0x7c00);
	assert_int_equal(ref_half_from_double(NAN) & 0x7c00, 0x7c00);
}

static void test_fp17(void **state)
{
	(void)state;
	assert_true(ref_fp17_value(31u << 10) == 1.0);
	assert_true(ref_fp17_value(0x7800) == 0.5);     /* exponent 30 */
	assert_true(ref_fp17_value((29u << 10) | 341) == 1365.0 / 4096.0);
	assert_true(ref_fp17_value((1u << 16) | (32u << 10) | 512) == -3.0);
	assert_true(ref_fp17_value(0) == 0.0);
}

/* Hand-worked LUT values: table t[i] = 100 i, steps of 16 from 0. */
static void test_lut(void **state)
{
	static int16_t t[REF_LUT_ENTRIES], u[REF_LUT_ENTRIES];
	struct ref_lut l = { 0 };

	(void)state;
	for (int i = 0; i < REF_LUT_ENTRIES; i++) {
		t[i] = (int16_t)(100 * i);
		u[i] = (int16_t)(-i);
	}
	l.le = (struct ref_lut_side){ .start = 0, .end = 512 * 16, .sel = 4, .under_scale = 3,
				      .under_shift = 1, .over_scale = -2, .over_shift = 0,
				      .t = t };
	l.lo = (struct ref_lut_side){ .start = 1000000, .end = 1000000, .sel = 0, .t = u };
	assert_int_equal(ref_lut_apply(&l, 8), 50);     /* half way: 0 and 100 */
	assert_int_equal(ref_lut_apply(&l, 20), 125);   /* 1 + 4/16 */
	assert_int_equal(ref_lut_apply(&l, 17), 106);   /* 106.25, floor */
	assert_int_equal(ref_lut_apply(&l, 0), 0);      /* x <= start: underflow */
	assert_int_equal(ref_lut_apply(&l, -5), -8);    /* floor(-15 / 2) */
	assert_int_equal(ref_lut_apply(&l, 8192), 51200 - 65536); /* 16-bit entry */
	/* Overflow: t[512] + (x - end) * -2. */
	assert_int_equal(ref_lut_apply(&l, 8200), (int16_t)51200 - 16);
	/* Exponent LE from 0, offset 2: x = 12 is 2^3 + 4, index 1, half way. */
	l.le_log = true;
	l.le_offset = 2;
	assert_int_equal(ref_lut_apply(&l, 12), 150);
	/* Below 2^2 it underflows from start + 2^2 = 4: 0 + (3 - 4) * 3 / 2. */
	assert_int_equal(ref_lut_apply(&l, 3), -2);
	/* LO hits; both_lo decides when LE hits too. */
	l.le_log = false;
	l.lo.start = 0;
	l.lo.sel = 10;
	assert_int_equal(ref_lut_apply(&l, 1024), 6400);
	l.both_lo = true;
	assert_int_equal(ref_lut_apply(&l, 1024), -1);
	assert_int_equal(ref_lut_apply(&l, 1536), -2); /* -1.5, floor */
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
		cmocka_unit_test(test_matmul_i16),
		cmocka_unit_test(test_int4),
		cmocka_unit_test(test_conv_pad),
		cmocka_unit_test(test_conv_dilation_stride),
		cmocka_unit_test(test_conv_channels_depthwise),
		cmocka_unit_test(test_rounding),
		cmocka_unit_test(test_requant),
		cmocka_unit_test(test_eltwise),
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_half_from_double),
		cmocka_unit_test(test_fp17),
		cmocka_unit_test(test_lut),
	};

	return cmocka_run_group_tests_name("ref-selftest", tests, NULL, NULL);
}
