// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Layout converters against plain index arithmetic: NHWC/NCHW <-> NC1HWC2
 * for every element size (C2 = 16, 8, 4), convolution weights OHWI/OIHW
 * <-> the native kernel-group layout (written here as the sequential order
 * in which the hardware fetches them), both directions, odd sizes; and the
 * refusals.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rnpu/ops.h"
#include "rnpu_ref.h"

static const enum rnpu_dtype g_types[] = { RNPU_DT_INT8, RNPU_DT_INT16, RNPU_DT_FP16,
					   RNPU_DT_INT32, RNPU_DT_FP32 };
static const unsigned int g_sizes[] = { 1, 2, 2, 4, 4 };

static void fill(uint8_t *p, size_t n, uint64_t seed)
{
	struct ref_rng r;

	ref_rng_seed(&r, seed);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)ref_rng_range(&r, 1, 255); /* never 0: padding stays visible */
}

static void test_features(void **state)
{
	static const uint32_t shapes[][3] = { { 1, 1, 1 }, { 3, 5, 7 }, { 4, 4, 16 },
					      { 2, 3, 17 }, { 7, 1, 33 }, { 5, 6, 64 } };

	(void)state;
	for (size_t t = 0; t < 5; t++)
		for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
			unsigned int eb = g_sizes[t], c2 = 16 / eb;
			uint32_t h = shapes[s][0], w = shapes[s][1], c = shapes[s][2];
			size_t n = (size_t)h * w * c, c1 = (c + c2 - 1) / c2;
			size_t bytes = c1 * h * w * 16;
			uint8_t *nhwc = malloc(n * eb), *nchw = malloc(n * eb);
			uint8_t *nat = malloc(bytes), *nat2 = malloc(bytes), *want = calloc(1, bytes);
			uint8_t *back = malloc(n * eb);

			assert_true(nhwc && nchw && nat && nat2 && want && back);
			assert_int_equal(rnpu_native_size(g_types[t], h, w, c), bytes);
			assert_int_equal(rnpu_dtype_c2(g_types[t]), c2);
			fill(nhwc, n * eb, s * 10 + t);
			for (uint32_t y = 0; y < h; y++)
				for (uint32_t x = 0; x < w; x++)
					for (uint32_t ch = 0; ch < c; ch++) {
						size_t hi = ((size_t)y * w + x) * c + ch;
						size_t ci = ((size_t)ch * h + y) * w + x;
						size_t ni = (((ch / c2) * h + y) * w + x) * c2 + ch % c2;

						memcpy(nchw + ci * eb, nhwc + hi * eb, eb);
						memcpy(want + ni * eb, nhwc + hi * eb, eb);
					}
			memset(nat, 0xee, bytes);
			assert_int_equal(rnpu_to_native(g_types[t], RNPU_LAYOUT_NHWC, h, w, c, nhwc,
							nat), 0);
			assert_memory_equal(nat, want, bytes);
			memset(nat2, 0xee, bytes);
			assert_int_equal(rnpu_to_native(g_types[t], RNPU_LAYOUT_NCHW, h, w, c, nchw,
							nat2), 0);
			assert_memory_equal(nat2, want, bytes);
			assert_int_equal(rnpu_from_native(g_types[t], RNPU_LAYOUT_NHWC, h, w, c, want,
							  back), 0);
			assert_memory_equal(back, nhwc, n * eb);
			assert_int_equal(rnpu_from_native(g_types[t], RNPU_LAYOUT_NCHW, h, w, c, want,
							  back), 0);
			assert_memory_equal(back, nchw, n * eb);
			free(nhwc);
			free(nchw);
			free(nat);
			free(nat2);
			free(want);
			free(back);
		}
}

/* The native order written out as the fetch sequence: groups of KG
 * kernels, 32-channel blocks, taps, kernels, channels. */
static void direct_sequence(unsigned int eb, uint32_t o, uint32_t kh, uint32_t kw, uint32_t c,
			    const uint8_t *ohwi, uint8_t *dst)
{
	uint32_t kg = eb == 1 ? 32 : 16, c2 = 16 / eb, ca = (c + c2 - 1) / c2 * c2;
	size_t pos = 0;

	for (uint32_t g0 = 0; g0 < o; g0 += kg)
		for (uint32_t b0 = 0; b0 < ca; b0 += 32)
			for (uint32_t tap = 0; tap < kh * kw; tap++)
				for (uint32_t k = g0; k < o && k < g0 + kg; k++)
					for (uint32_t ch = b0; ch < ca && ch < b0 + 32; ch++, pos++) {
						if (ch < c)
							memcpy(dst + pos * eb,
							       ohwi + (((size_t)k * kh * kw + tap) * c +
								       ch) * eb,
							       eb);
						else
							memset(dst + pos * eb, 0, eb);
					}
}

static void dw_sequence(unsigned int eb, uint32_t kh, uint32_t kw, uint32_t c,
			const uint8_t *hwc, uint8_t *dst)
{
	uint32_t c2 = 16 / eb, ca = (c + c2 - 1) / c2 * c2, blk = 64 / eb;
	size_t pos = 0;

	for (uint32_t b0 = 0; b0 < ca; b0 += blk)
		for (uint32_t tap = 0; tap < kh * kw; tap++)
			for (uint32_t ch = b0; ch < ca && ch < b0 + blk; ch++, pos++) {
				if (ch < c)
					memcpy(dst + pos * eb, hwc + ((size_t)tap * c + ch) * eb, eb);
				else
					memset(dst + pos * eb, 0, eb);
			}
}

static void test_weights(void **state)
{
	static const uint32_t shapes[][4] = { { 1, 1, 1, 1 },  { 33, 3, 3, 20 }, { 16, 1, 1, 64 },
					      { 40, 5, 3, 70 }, { 7, 2, 2, 8 },   { 64, 3, 3, 96 } };

	(void)state;
	for (size_t t = 0; t < 3; t++)
		for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++)
			for (int dw = 0; dw < 2; dw++) {
				unsigned int eb = g_sizes[t];
				uint32_t c = shapes[s][3], o = dw ? c : shapes[s][0];
				uint32_t kh = shapes[s][1], kw = shapes[s][2];
				uint32_t nk = dw ? 1 : o;
				size_t n = (size_t)nk * kh * kw * c;
				size_t bytes = rnpu_native_weights_size(g_types[t], o, kh, kw, c, dw);
				uint8_t *ohwi = malloc(n * eb), *oihw = malloc(n * eb);
				uint8_t *nat = malloc(bytes), *want = malloc(bytes);
				uint8_t *back = malloc(n * eb);

				assert_true(ohwi && oihw && nat && want && back);
				assert_int_equal(bytes, (size_t)nk * kh * kw *
								((c + 16 / eb - 1) / (16 / eb) *
								 (16 / eb)) * eb);
				fill(ohwi, n * eb, s * 100 + t * 10 + dw);
				for (uint32_t k = 0; k < nk; k++)
					for (uint32_t tap = 0; tap < kh * kw; tap++)
						for (uint32_t ch = 0; ch < c; ch++)
							memcpy(oihw + (((size_t)k * c + ch) * kh * kw + tap) *
									      eb,
							       ohwi + (((size_t)k * kh * kw + tap) * c + ch) *
									      eb,
							       eb);
				if (dw)
					dw_sequence(eb, kh, kw, c, ohwi, want);
				else
					direct_sequence(eb, o, kh, kw, c, ohwi, want);
				memset(nat, 0xee, bytes);
				assert_int_equal(rnpu_weights_to_native(g_types[t], RNPU_LAYOUT_NHWC, o,
									kh, kw, c, dw, ohwi, nat), 0);
				assert_memory_equal(nat, want, bytes);
				memset(nat, 0xee, bytes);
				assert_int_equal(rnpu_weights_to_native(g_types[t], RNPU_LAYOUT_NCHW, o,
									kh, kw, c, dw, oihw, nat), 0);
				assert_memory_equal(nat, want, bytes);
				assert_int_equal(rnpu_weights_from_native(g_types[t], RNPU_LAYOUT_NHWC,
									  o, kh, kw, c, dw, want, back),
						 0);
				assert_memory_equal(back, ohwi, n * eb);
				assert_int_equal(rnpu_weights_from_native(g_types[t], RNPU_LAYOUT_NCHW,
									  o, kh, kw, c, dw, want, back),
						 0);
				assert_memory_equal(back, oihw, n * eb);
				free(ohwi);
				free(oihw);
				free(nat);
				free(want);
				free(back);
			}
}

static void test_refusals(void **state)
{
	uint8_t buf[64];

	(void)state;
	assert_int_equal(rnpu_native_size((enum rnpu_dtype)3, 1, 1, 1), 0);
	assert_int_equal(rnpu_dtype_size((enum rnpu_dtype)7), 0);
	assert_int_equal(rnpu_native_size(RNPU_DT_INT8, UINT32_MAX, UINT32_MAX, UINT32_MAX), 0);
	assert_int_equal(rnpu_to_native((enum rnpu_dtype)3, RNPU_LAYOUT_NHWC, 1, 1, 1, buf, buf),
			 -EINVAL);
	assert_int_equal(rnpu_to_native(RNPU_DT_INT8, (enum rnpu_layout)2, 1, 1, 1, buf, buf),
			 -EINVAL);
	assert_int_equal(rnpu_from_native(RNPU_DT_INT8, RNPU_LAYOUT_NHWC, 1, 1, 1, NULL, buf),
			 -EINVAL);
	assert_int_equal(rnpu_weights_to_native(RNPU_DT_INT32, RNPU_LAYOUT_NHWC, 1, 1, 1, 1, false,
						buf, buf),
			 -EINVAL);
	assert_int_equal(rnpu_weights_to_native(RNPU_DT_INT8, RNPU_LAYOUT_NHWC, 2, 1, 1, 3, true,
						buf, buf),
			 -EINVAL);
	assert_int_equal(rnpu_weights_from_native(RNPU_DT_INT8, RNPU_LAYOUT_NHWC, 0, 1, 1, 3, false,
						  buf, buf),
			 -EINVAL);
	assert_int_equal(rnpu_native_weights_size(RNPU_DT_FP32, 1, 1, 1, 1, false), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests_name("ops-layout", tests, NULL, NULL);
}
