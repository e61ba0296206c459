// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * rnpu_matmul's interface: each configuration error with its errno and
 * message, the plan (task ranges per core), binding caller memory (zero
 * copy, errors, unbinding), buffers coming back from the pool, and the
 * offline native-B packer against the documented index formula.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rnpu/matmul.h"
#include "rnpu/pool.h"
#include "rnpu_ref.h"

static struct rnpu_dev *g_dev;

static void refused(const struct rnpu_matmul_cfg *cfg, int err, const char *needle)
{
	struct rnpu_matmul *mm = NULL;

	assert_int_equal(rnpu_matmul_create(g_dev, cfg, &mm), err);
	assert_null(mm);
	if (!strstr(rnpu_last_error(g_dev), needle))
		fail_msg("\"%s\" does not name \"%s\"", rnpu_last_error(g_dev), needle);
}

static void test_create_errors(void **state)
{
	struct rnpu_matmul_cfg c = { .type = RNPU_MM_INT8_INT32, .m = 4, .k = 32, .n = 16 };

	(void)state;
	c.m = 0;
	refused(&c, -EINVAL, "M, K, N must be >= 1 (got 0, 32, 16)");
	c.m = 4;
	c.core_mask = 5;
	refused(&c, -EINVAL, "core_mask 0x5");
	c.core_mask = 8;
	refused(&c, -EINVAL, "core_mask 0x8");
	c.core_mask = 0;
	c.type = (enum rnpu_mm_type)42;
	refused(&c, -EOPNOTSUPP, "type 42 is not supported");
	c.type = RNPU_MM_INT8_INT32;
	c.requant.scale = 1;
	refused(&c, -EINVAL, "requant is only for int8 output");
	c.type = RNPU_MM_INT8_INT8;
	c.requant.scale = 0;
	refused(&c, -EINVAL, "requant.scale is 0");
	c.requant = (struct rnpu_mm_requant){ .scale = 1, .shift = 48 };
	refused(&c, -EINVAL, "requant.shift 48 exceeds 47");
	/* 70000 x 70000 int8 A alone is above 4 GiB. */
	c = (struct rnpu_matmul_cfg){ .type = RNPU_MM_INT8_INT32, .m = 70000, .k = 70000, .n = 16 };
	refused(&c, -EINVAL, "operand A needs more than the 4 GiB");
}

/* Per-column scales: the types that take them, the index of a bad one,
 * and an epilogue task per unit after K segments. */
static void test_col_scale(void **state)
{
	double sc[40];
	struct rnpu_matmul_cfg c = { .type = RNPU_MM_FP16_FP32, .m = 4, .k = 32, .n = 40,
				     .col_scale = sc };
	struct rnpu_matmul_stats st;
	struct rnpu_matmul *mm;

	(void)state;
	for (int i = 0; i < 40; i++)
		sc[i] = 0.001 * (i + 1);
	refused(&c, -EOPNOTSUPP, "col_scale is for int8 x int8 types only");
	c.type = RNPU_MM_INT16_INT32;
	refused(&c, -EOPNOTSUPP, "col_scale is for int8 x int8 types only");
	c.type = RNPU_MM_INT8_INT8;
	c.requant.scale = 3;
	refused(&c, -EINVAL, "requant.scale 3 / shift 0 must be 0 with col_scale");
	c.requant = (struct rnpu_mm_requant){ .shift = 2 };
	refused(&c, -EINVAL, "requant.scale 0 / shift 2 must be 0 with col_scale");
	c.requant = (struct rnpu_mm_requant){ .offset = 5 };
	sc[39] = 0.0;
	refused(&c, -EINVAL, "col_scale[39] = 0 is not in");
	sc[39] = 40000.0;
	refused(&c, -EINVAL, "col_scale[39] = 40000");
	sc[39] = NAN;
	refused(&c, -EINVAL, "col_scale[39] = nan");
	sc[39] = 1e-30;
	refused(&c, -ERANGE, "col_scale[39] = 1e-30");
	sc[39] = 0.04;
	/* int32 output takes no offset. */
	c.type = RNPU_MM_INT8_INT32;
	refused(&c, -EINVAL, "requant is only for int8 output");
	c.requant.offset = 0;
	assert_int_equal(rnpu_matmul_create(g_dev, &c, &mm), 0);
	rnpu_matmul_get_plan(mm, &st);
	assert_int_equal(st.tasks, 1);
	rnpu_matmul_destroy(mm);
	/* Two K segments: two partial-sum tasks and the epilogue, per unit
	 * (two N chunks on two cores). */
	c.k = 8224;
	c.core_mask = 3;
	c.n = 40;
	assert_int_equal(rnpu_matmul_create(g_dev, &c, &mm), 0);
	assert_int_equal(rnpu_matmul_k_segments(mm), 2);
	rnpu_matmul_get_plan(mm, &st);
	assert_int_equal(st.tasks, 6);
	assert_int_equal(st.core_tasks[0], 3);
	assert_int_equal(st.core_tasks[1], 3);
	rnpu_matmul_destroy(mm);
}

static void test_plan(void **state)
{
	struct rnpu_matmul_cfg c = { .type = RNPU_MM_INT8_INT32, .m = 100, .k = 96, .n = 40,
				     .core_mask = 7, .max_tile_m = 16 };
	struct rnpu_matmul_stats st;
	struct rnpu_matmul *mm;
	uint32_t kp, np;
	uint64_t macs = 0;

	(void)state;
	assert_int_equal(rnpu_matmul_create(g_dev, &c, &mm), 0);
	rnpu_matmul_padded(mm, &kp, &np);
	assert_int_equal(kp, 96);
	assert_int_equal(np, 48);
	rnpu_matmul_get_plan(mm, &st);
	/* 7 tiles of at most 16 rows over 3 cores, contiguous, none empty. */
	assert_int_equal(st.tasks, 7);
	assert_int_equal(st.core_mask, 7);
	assert_int_equal(st.core_tasks[0] + st.core_tasks[1] + st.core_tasks[2], 7);
	for (int i = 0; i < 3; i++) {
		assert_true(st.core_tasks[i] >= 2);
		macs += st.core_macs[i];
	}
	assert_int_equal(macs, 100ull * 96 * 48);
	assert_int_equal(rnpu_matmul_k_segments(mm), 1);
	assert_int_equal(rnpu_matmul_k_segment(mm, 0), 96);
	assert_int_equal(rnpu_matmul_k_segment(mm, 1), 0);
	rnpu_matmul_destroy(mm);

	/* One row, one N group: a single unit runs on one core whatever the mask. */
	c = (struct rnpu_matmul_cfg){ .type = RNPU_MM_INT8_INT32, .m = 1, .k = 32, .n = 16,
				      .core_mask = 7 };
	assert_int_equal(rnpu_matmul_create(g_dev, &c, &mm), 0);
	rnpu_matmul_get_plan(mm, &st);
	assert_int_equal(st.tasks, 1);
	assert_int_equal(st.core_mask, 1);
	rnpu_matmul_destroy(mm);

	/* K = 20000: three segments of 6688, 6688 and 6624 (padded 20000). */
	c = (struct rnpu_matmul_cfg){ .type = RNPU_MM_FP16_FP32, .m = 2, .k = 20000, .n = 16 };
	assert_int_equal(rnpu_matmul_create(g_dev, &c, &mm), 0);
	assert_int_equal(rnpu_matmul_k_segments(mm), 3);
	assert_int_equal(rnpu_matmul_k_segment(mm, 0) + rnpu_matmul_k_segment(mm, 1) +
				 rnpu_matmul_k_segment(mm, 2), 20000);
	rnpu_matmul_destroy(mm);
}

/* Caller memory as A, B and C: the NPU reads and writes it in place. */
static void test_bind(void **state)
{
	const uint32_t m = 5, k = 64, n = 32;
	struct rnpu_matmul_cfg c = { .type = RNPU_MM_INT8_INT32, .m = m, .k = k, .n = n };
	int8_t a[5 * 64], b[64 * 32];
	int32_t want[5 * 32], got[5 * 32];
	struct rnpu_matmul *mm;
	struct rnpu_bo *arena, *tiny;
	size_t sa, sb, sc;
	struct ref_rng r;
	uint8_t *base;
	void *map;

	(void)state;
	ref_rng_seed(&r, 5);
	ref_fill_i8(&r, a, sizeof(a), -128, 127);
	ref_fill_i8(&r, b, sizeof(b), -128, 127);
	ref_matmul_i8_i32(m, k, n, a, b, want);
	assert_int_equal(rnpu_matmul_create(g_dev, &c, &mm), 0);
	sa = rnpu_matmul_native_size(mm, RNPU_MM_A);
	sb = rnpu_matmul_native_size(mm, RNPU_MM_B);
	sc = rnpu_matmul_native_size(mm, RNPU_MM_C);
	assert_int_equal(sa, 5 * 64);
	assert_int_equal(sb, 64 * 32);
	assert_int_equal(sc, 5 * 32 * 4);
	assert_int_equal(rnpu_bo_create(g_dev, 3 * 4096, RKNPU_MEM_CACHEABLE, &arena), 0);
	assert_int_equal(rnpu_bo_create(g_dev, 64, RKNPU_MEM_CACHEABLE, &tiny), 0);
	assert_int_equal(rnpu_bo_map(arena, &map), 0);
	base = map;

	assert_int_equal(rnpu_matmul_bind(mm, RNPU_MM_A, arena, 8, base + 8), -EINVAL);
	assert_non_null(strstr(rnpu_last_error(g_dev), "offset 8 is not 16-byte aligned"));
	/* A 4096-byte object (pages) holds 1024 bytes from offset 3072. */
	assert_int_equal(rnpu_matmul_bind(mm, RNPU_MM_B, tiny, 3072, NULL), -EINVAL);
	assert_non_null(strstr(rnpu_last_error(g_dev), "4096 bytes from offset 3072 hold less"
					     " than the 2048 needed"));
	assert_int_equal(rnpu_matmul_bind(mm, (enum rnpu_mm_operand)3, arena, 0, NULL), -EINVAL);

	assert_int_equal(rnpu_matmul_bind(mm, RNPU_MM_A, arena, 0, base), 0);
	assert_int_equal(rnpu_matmul_bind(mm, RNPU_MM_B, arena, 4096, base + 4096), 0);
	assert_int_equal(rnpu_matmul_bind(mm, RNPU_MM_C, arena, 8192, base + 8192), 0);
	assert_ptr_equal(rnpu_matmul_map(mm, RNPU_MM_B), base + 4096);
	assert_ptr_equal(rnpu_matmul_buffer(mm, RNPU_MM_C, NULL), arena);
	assert_int_equal(rnpu_matmul_set_a(mm, a), 0);
	/* B packed offline straight into the arena. */
	assert_int_equal(rnpu_matmul_pack_b_native(RNPU_MM_INT8_INT32, k, n, b, false,
						   base + 4096), 0);
	assert_int_equal(rnpu_bo_sync(arena, 0, 3 * 4096, RKNPU_MEM_SYNC_TO_DEVICE), 0);
	assert_int_equal(rnpu_matmul_run(mm, NULL), 0);
	assert_int_equal(rnpu_matmul_get_c(mm, got), 0);
	assert_memory_equal(got, want, sizeof(want));
	/* Native C int32 (N/4, M, 4) at the arena's third page. */
	assert_int_equal(((int32_t *)(base + 8192))[(1 * m + 2) * 4 + 3], want[2 * n + 7]);

	/* Bound without a CPU address: set/get refuse; unbinding restores. */
	assert_int_equal(rnpu_matmul_bind(mm, RNPU_MM_A, arena, 0, NULL), 0);
	assert_int_equal(rnpu_matmul_set_a(mm, a), -EINVAL);
	assert_non_null(strstr(rnpu_last_error(g_dev), "operand A is bound without a CPU"));
	assert_int_equal(rnpu_matmul_bind(mm, RNPU_MM_A, NULL, 0, NULL), 0);
	assert_int_equal(rnpu_matmul_bind(mm, RNPU_MM_B, NULL, 0, NULL), 0);
	assert_int_equal(rnpu_matmul_bind(mm, RNPU_MM_C, NULL, 0, NULL), 0);
	memset(got, 0, sizeof(got));
	assert_int_equal(rnpu_matmul_set_a(mm, a), 0);
	assert_int_equal(rnpu_matmul_set_b(mm, b), 0);
	assert_int_equal(rnpu_matmul_run(mm, NULL), 0);
	assert_int_equal(rnpu_matmul_get_c(mm, got), 0);
	assert_memory_equal(got, want, sizeof(want));
	rnpu_matmul_destroy(mm);
	rnpu_bo_free(tiny);
	rnpu_bo_free(arena);
}

/* A matmul's buffers return to the device pool and serve the next one. */
/* int4: padding to K 32 / N 64, native sizes at half a byte per element,
 * the native B tiling [N/64][K/32][64][32 nibbles] with the even element
 * in the high nibble (docs/hw-facts-int4.md), refused settings. */
static void test_int4(void **state)
{
	struct rnpu_matmul_cfg c = { .type = RNPU_MM_INT4_INT16, .m = 5, .k = 40, .n = 70 };
	const uint32_t k = 40, n = 70, kp = 64, np = 128;
	int8_t *b = malloc((size_t)k * n), *a = malloc(5 * 40);
	uint8_t *out = malloc((size_t)kp * np / 2);
	struct rnpu_matmul *mm;
	uint32_t gk, gn;

	(void)state;
	assert_non_null(b);
	assert_non_null(a);
	assert_non_null(out);
	for (uint32_t i = 0; i < k * n; i++)
		b[i] = (int8_t)((int)(i * 7 % 16) - 8);
	assert_int_equal(rnpu_matmul_b_native_size(RNPU_MM_INT4_INT16, k, n), kp * np / 2);
	assert_int_equal(rnpu_matmul_pack_b_native(RNPU_MM_INT4_INT16, k, n, b, false, out), 0);
	for (uint32_t j = 0; j < np; j++)
		for (uint32_t q = 0; q < kp; q++) {
			size_t idx = (((size_t)(j / 64) * (kp / 32) + q / 32) * 64 + j % 64) * 32 +
				     q % 32;
			int want = j < n && q < k ? b[(size_t)q * n + j] : 0;

			assert_int_equal(ref_i4_get(out, idx, false), want);
		}
	b[17] = 8;
	assert_int_equal(rnpu_matmul_pack_b_native(RNPU_MM_INT4_INT16, k, n, b, false, out),
			 -EINVAL);
	b[17] = -8;

	assert_int_equal(rnpu_matmul_create(g_dev, &c, &mm), 0);
	rnpu_matmul_padded(mm, &gk, &gn);
	assert_int_equal(gk, kp);
	assert_int_equal(gn, np);
	assert_int_equal(rnpu_matmul_native_size(mm, RNPU_MM_A), 2 * 5 * 16);
	assert_int_equal(rnpu_matmul_native_size(mm, RNPU_MM_B), kp * np / 2);
	assert_int_equal(rnpu_matmul_native_size(mm, RNPU_MM_C), 16 * 5 * 16);
	memset(a, 0, 5 * 40);
	a[3 * 40 + 33] = -9;
	assert_int_equal(rnpu_matmul_set_a(mm, a), -EINVAL);
	if (!strstr(rnpu_last_error(g_dev), "A[153] = -9"))
		fail_msg("\"%s\" does not name the element", rnpu_last_error(g_dev));
	a[3 * 40 + 33] = 7;
	assert_int_equal(rnpu_matmul_set_a(mm, a), 0);
	/* Row 3, channel 33: surface 1, atom row 3, nibble 1 (low half). */
	assert_int_equal(((uint8_t *)rnpu_matmul_map(mm, RNPU_MM_A))[(1 * 5 + 3) * 16], 0x07);
	rnpu_matmul_destroy(mm);

	c.relu = true;
	refused(&c, -EINVAL, "relu is not available for int4");
	c.relu = false;
	c.k = 8193;
	refused(&c, -EINVAL, "K = 8193 exceeds 8192 for int4");
	free(a);
	free(b);
	free(out);
}

static void test_pool_reuse(void **state)
{
	struct rnpu_matmul_cfg c = { .type = RNPU_MM_FP16_FP16, .m = 8, .k = 64, .n = 32 };
	struct rnpu_pool_stats before, after;
	struct rnpu_matmul *mm;

	(void)state;
	assert_int_equal(rnpu_matmul_create(g_dev, &c, &mm), 0);
	rnpu_matmul_destroy(mm);
	rnpu_pool_get_stats(rnpu_dev_pool(g_dev), &before);
	assert_int_equal(before.in_use_bos, 0);
	assert_int_equal(rnpu_matmul_create(g_dev, &c, &mm), 0);
	rnpu_pool_get_stats(rnpu_dev_pool(g_dev), &after);
	assert_int_equal(after.misses, before.misses);
	assert_int_equal(after.hits - before.hits, 5); /* A, B, C, program, task list */
	rnpu_matmul_destroy(mm);
}

/* The native B against the documented formula, with a second K segment:
 * B[k][n] of segment s at seg_off(s) + (((n / 32) * (Ks / 32) + kk / 32) * 32 + n % 32)
 * * 32 + kk % 32, kk = k - segment start, int8. */
static void test_pack_b_segments(void **state)
{
	const uint32_t k = 8224, n = 64, kp = 8224;
	int8_t *b = malloc((size_t)k * n), *out = malloc((size_t)kp * n);
	uint32_t seg0 = 4128, seg1 = kp - seg0; /* two balanced segments */

	(void)state;
	assert_non_null(out);
	for (size_t i = 0; i < (size_t)k * n; i++)
		b[i] = (int8_t)(i * 2654435761u >> 24);
	assert_int_equal(rnpu_matmul_b_native_size(RNPU_MM_INT8_INT32, k, n), (size_t)kp * n);
	assert_int_equal(rnpu_matmul_b_native_size(RNPU_MM_INT8_INT32, 0, n), 0);
	assert_int_equal(rnpu_matmul_pack_b_native(RNPU_MM_INT8_INT32, k, n, b, false, out), 0);
	for (uint32_t kk = 0; kk < k; kk += 7) {
		for (uint32_t nn = 0; nn < n; nn += 3) {
			uint32_t s = kk >= seg0, ks = s ? seg1 : seg0, kl = kk - (s ? seg0 : 0);
			size_t off = s ? (size_t)seg0 * n : 0;
			size_t idx = off + ((((size_t)nn / 32) * (ks / 32) + kl / 32) * 32 + nn % 32) *
						   32 + kl % 32;

			assert_int_equal(out[idx], b[(size_t)kk * n + nn]);
		}
	}
	free(b);
	free(out);
}

static int setup(void **state)
{
	(void)state;
	return rnpu_open("sim", &g_dev);
}

static int teardown(void **state)
{
	(void)state;
	rnpu_close(g_dev);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_col_scale),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_int4),
		cmocka_unit_test(test_pool_reuse),
		cmocka_unit_test(test_pack_b_segments),
	};

	return cmocka_run_group_tests_name("matmul-api", tests, setup, teardown);
}
