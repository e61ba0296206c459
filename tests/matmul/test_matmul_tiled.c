// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Matmul of any size (rnpu_matmul_*) on the software NPU against the
 * independent CPU reference: padding of odd K and N, N chunks, M tiles,
 * K segments accumulated on the NPU, one to three cores, every type.
 * Names read "tiled.<type>.m<M>.k<K>.n<N>.mask<cores>[.tile<rows>][.relu]";
 * ".percol" cases requantise every column with its own scale
 * (rnpu_matmul_cfg.col_scale), ".small" ones use inputs in -3..3 so that
 * rounding ties are frequent.
 * The biggest LLM-shaped cases run only with RNPU_LONG_TESTS=1.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rnpu/matmul.h"
#include "rnpu/pool.h"
#include "rnpu_ref.h"

struct tiled_case {
	enum rnpu_mm_type type;
	uint32_t m, k, n, mask, tile;
	bool relu, long_only;
	bool per_col;     /* col_scale: a scale per column */
	int8_t lim;       /* inputs in -lim..lim (0: the full int8 range) */
	char name[96];
};

static struct rnpu_dev *g_dev;

/* A requantisation that maps the accumulators of @k int8 products
 * (|acc| up to a few thousand times sqrt(k)) onto the int8 range. */
static const struct rnpu_mm_requant test_requant = { .scale = 53687, .shift = 24, .offset = 3 };

static const char *type_name(enum rnpu_mm_type t)
{
	switch (t) {
	case RNPU_MM_INT8_INT32: return "int8";
	case RNPU_MM_INT8_INT8: return "int8.i8";
	case RNPU_MM_INT16_INT32: return "int16";
	case RNPU_MM_FP16_FP32: return "fp16.f32";
	case RNPU_MM_INT4_INT16: return "int4.i16";
	default: return "fp16.f16";
	}
}

static void *zalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	assert_non_null(p);
	return p;
}

/* Column n's scale: a base that maps sums of k products of inputs up to
 * @lim onto tens, times 2^-6..2^6 and a mantissa; every fourth column
 * is a power of two (ties of the rounding happen when the sum is an odd
 * multiple of half its inverse). */
static double col_scale_of(const struct tiled_case *c, uint32_t n)
{
	double lim = c->lim ? c->lim : 128;
	double base = 64.0 / (lim * lim * 0.6 * sqrt((double)c->k));

	if (c->type == RNPU_MM_INT8_INT32)
		base = 1.0; /* int32 out: a normalised scale, at most 1 */
	if (n % 4 == 3)
		return ldexp(1.0, (int)floor(log2(base)) - (int)(n % 3));
	return base * ldexp(1.0 + (double)((n * 7) % 11) / 16.0, (int)(n % 13) - 12 +
			    (c->type == RNPU_MM_INT8_INT32 ? 0 : 6));
}

/* Column requantisation of one sum: round half up, int32, ReLU, then
 * the offset and int8 saturation for int8 output. */
static int32_t ref_out_col(const struct tiled_case *c, int64_t acc, double scale)
{
	int64_t mul, t;
	unsigned int shift;

	ref_scale_q15(scale, &mul, &shift);
	t = ref_sat_bits(ref_rshift_round(acc * mul, shift, REF_ROUND_HALF_UP), 32);
	if (c->relu && t < 0)
		t = 0;
	if (c->type == RNPU_MM_INT8_INT8)
		return (int32_t)ref_sat_bits(t + test_requant.offset, 8);
	return (int32_t)t;
}

static int32_t ref_out_int(const struct tiled_case *c, int64_t acc)
{
	if (c->relu && acc < 0)
		acc = 0;
	if (c->type == RNPU_MM_INT8_INT8)
		return (int32_t)ref_requant(acc, test_requant.scale, test_requant.shift,
					    test_requant.offset, false, REF_ROUND_HALF_UP, 8);
	return (int32_t)ref_sat_bits(acc, 32);
}

static void check_plan(const struct tiled_case *c, const struct rnpu_matmul_stats *st)
{
	uint32_t sum = 0;
	int cores = c->mask == 7 ? 3 : c->mask == 3 ? 2 : 1;

	for (int i = 0; i < 3; i++)
		sum += st->core_tasks[i];
	assert_int_equal(sum, st->tasks);
	if (cores > 1) {
		assert_int_equal(st->core_mask, c->mask);
		for (int i = 0; i < cores; i++)
			assert_true(st->core_tasks[i] > 0);
	}
	assert_true(st->hw_elapse_ns > 0);
}

static void run_case(void **state)
{
	const struct tiled_case *c = *state;
	size_t mk = (size_t)c->m * c->k, kn = (size_t)c->k * c->n, mn = (size_t)c->m * c->n;
	bool is_fp = c->type == RNPU_MM_FP16_FP32 || c->type == RNPU_MM_FP16_FP16;
	bool in16 = is_fp || c->type == RNPU_MM_INT16_INT32;
	struct rnpu_matmul_cfg cfg = { .type = c->type, .m = c->m, .k = c->k, .n = c->n,
				       .core_mask = c->mask, .relu = c->relu,
				       .max_tile_m = c->tile };
	void *a = zalloc(mk, in16 ? 2 : 1), *b = zalloc(kn, in16 ? 2 : 1);
	void *got = zalloc(mn, 4);
	struct rnpu_matmul_stats st;
	struct rnpu_matmul *mm;
	struct ref_rng rng;
	size_t bad = 0;

	double *scales = zalloc(c->n, sizeof(double));
	size_t ties = 0, far = 0;

	for (uint32_t j = 0; j < c->n; j++)
		scales[j] = col_scale_of(c, j);
	if (c->per_col) {
		cfg.col_scale = scales;
		if (c->type == RNPU_MM_INT8_INT8)
			cfg.requant.offset = test_requant.offset;
	} else if (c->type == RNPU_MM_INT8_INT8) {
		cfg.requant = test_requant;
	}
	ref_rng_seed(&rng, (uint64_t)c->m * 1000003u + c->k * 101u + c->n);
	if (is_fp) {
		ref_fill_f16(&rng, a, mk, -3, 1);
		ref_fill_f16(&rng, b, kn, -3, 1);
	} else if (in16) {
		for (size_t i = 0; i < mk; i++)
			((int16_t *)a)[i] = (int16_t)ref_rng_range(&rng, -32768, 32767);
		for (size_t i = 0; i < kn; i++)
			((int16_t *)b)[i] = (int16_t)ref_rng_range(&rng, -32768, 32767);
	} else if (c->type == RNPU_MM_INT4_INT16) {
		ref_fill_i4(&rng, a, mk, -8, 7);
		ref_fill_i4(&rng, b, kn, -8, 7);
	} else {
		ref_fill_i8(&rng, a, mk, c->lim ? -c->lim : -128, c->lim ? c->lim : 127);
		ref_fill_i8(&rng, b, kn, c->lim ? -c->lim : -128, c->lim ? c->lim : 127);
	}

	assert_int_equal(rnpu_matmul_create(g_dev, &cfg, &mm), 0);
	assert_int_equal(rnpu_matmul_set_a(mm, a), 0);
	assert_int_equal(rnpu_matmul_set_b(mm, b), 0);
	if (rnpu_matmul_run(mm, &st))
		fail_msg("run: %s", rnpu_last_error(g_dev));
	check_plan(c, &st);
	assert_int_equal(rnpu_matmul_get_c(mm, got), 0);
	print_message("# %s: %u tasks, K segments %u, cores %u/%u/%u, hw %.3f ms\n", c->name,
		      st.tasks, rnpu_matmul_k_segments(mm), st.core_tasks[0], st.core_tasks[1],
		      st.core_tasks[2], (double)st.hw_elapse_ns / 1e6);
	rnpu_matmul_destroy(mm);

	if (is_fp) {
		float *want = zalloc(mn, 4), *absdot = zalloc(mn, 4);
		bool out16 = c->type == RNPU_MM_FP16_FP16;

		ref_matmul_f16_f32(c->m, c->k, c->n, a, b, want, absdot);
		for (size_t i = 0; i < mn; i++) {
			float g = out16 ? ref_half_to_float(((uint16_t *)got)[i]) : ((float *)got)[i];
			float w = c->relu && want[i] < 0 ? 0.0f : want[i];

			if (!ref_f16_close(g, w, absdot[i], c->k, out16) && bad++ < 4)
				print_error("C[%zu][%zu] = %.9g, reference %.9g\n", i / c->n,
					    i % c->n, (double)g, (double)w);
		}
		free(want);
		free(absdot);
	} else if (c->type == RNPU_MM_INT4_INT16) {
		int16_t *want = zalloc(mn, 2);

		ref_matmul_i4_i16(c->m, c->k, c->n, a, b, want);
		for (size_t i = 0; i < mn; i++)
			if (((int16_t *)got)[i] != want[i] && bad++ < 4)
				print_error("C[%zu][%zu] = %d, reference %d\n", i / c->n, i % c->n,
					    ((int16_t *)got)[i], want[i]);
		free(want);
	} else {
		int64_t *acc = zalloc(mn, 8);

		if (in16) {
			ref_matmul_i16_i64(c->m, c->k, c->n, a, b, acc);
		} else {
			int32_t *acc32 = zalloc(mn, 4);

			ref_matmul_i8_i32(c->m, c->k, c->n, a, b, acc32);
			for (size_t i = 0; i < mn; i++)
				acc[i] = acc32[i];
			free(acc32);
		}
		for (size_t i = 0; i < mn; i++) {
			double sc = scales[i % c->n];
			int32_t w = c->per_col ? ref_out_col(c, acc[i], sc) : ref_out_int(c, acc[i]);
			int32_t g = c->type == RNPU_MM_INT8_INT8 ? ((int8_t *)got)[i]
								  : ((int32_t *)got)[i];

			if (g != w && bad++ < 4)
				print_error("C[%zu][%zu] = %d, reference %d\n", i / c->n, i % c->n,
					    g, w);
			if (!c->per_col)
				continue;
			/* The real-valued result, rounded half up, within one
			 * step (the 15-bit multiplier's error) where not
			 * saturated; exact ties counted. */
			double x = (double)acc[i] * sc;
			double r = floor(x + 0.5);

			if (c->relu && r < 0)
				r = 0;
			if (c->type == RNPU_MM_INT8_INT8)
				r += test_requant.offset;
			if (x - floor(x) == 0.5 && x < 0)
				ties++;
			if (fabs(r) < 120 && fabs((double)g - r) > 1 && far++ < 4)
				print_error("C[%zu][%zu] = %d, real-valued %.3f\n", i / c->n,
					    i % c->n, g, r);
		}
		free(acc);
	}
	if (c->per_col)
		print_message("# %s: %zu negative ties\n", c->name, ties);
	free(a);
	free(b);
	free(got);
	free(scales);
	assert_int_equal(bad, 0);
	assert_int_equal(far, 0);
}

#define CASE(t, m_, k_, n_, mask_, tile_, relu_, long_)                                    \
	{ .type = (t), .m = (m_), .k = (k_), .n = (n_), .mask = (mask_), .tile = (tile_),     \
	  .relu = (relu_), .long_only = (long_) }
#define PERCOL(t, m_, k_, n_, mask_, tile_, relu_, lim_)                                   \
	{ .type = (t), .m = (m_), .k = (k_), .n = (n_), .mask = (mask_), .tile = (tile_),     \
	  .relu = (relu_), .per_col = true, .lim = (lim_) }

static struct tiled_case cases[] = {
	/* Odd sizes: K and N padded with zeros. */
	CASE(RNPU_MM_INT8_INT32, 7, 100, 33, 1, 0, false, false),
	CASE(RNPU_MM_FP16_FP32, 7, 100, 33, 2, 0, false, false),
	CASE(RNPU_MM_FP16_FP16, 7, 100, 33, 4, 0, false, false),
	CASE(RNPU_MM_INT8_INT8, 7, 100, 33, 0, 0, false, false),
	CASE(RNPU_MM_INT16_INT32, 7, 100, 33, 1, 0, false, false),
	CASE(RNPU_MM_INT8_INT8, 5, 64, 48, 7, 0, true, false),
	CASE(RNPU_MM_INT8_INT32, 9, 200, 70, 3, 0, true, false),
	/* M tiles spread over cores; N split when M is one tile. */
	CASE(RNPU_MM_INT8_INT32, 100, 96, 40, 7, 16, false, false),
	CASE(RNPU_MM_FP16_FP32, 33, 64, 64, 3, 8, false, false),
	CASE(RNPU_MM_INT8_INT32, 1, 4096, 4096, 7, 0, false, false),
	CASE(RNPU_MM_FP16_FP16, 1, 4096, 4096, 7, 0, false, false),
	CASE(RNPU_MM_INT8_INT32, 128, 2048, 2048, 7, 0, false, false),
	CASE(RNPU_MM_INT16_INT32, 16, 1024, 256, 7, 0, false, false),
	/* N beyond one task's 8192 kernels. */
	CASE(RNPU_MM_INT8_INT32, 2, 64, 8224, 1, 0, false, false),
	/* K beyond one segment: partial sums added on the NPU. */
	CASE(RNPU_MM_INT8_INT32, 3, 8224, 48, 1, 0, false, false),
	CASE(RNPU_MM_INT8_INT32, 5, 20000, 33, 7, 0, true, false),
	CASE(RNPU_MM_FP16_FP32, 3, 8224, 32, 3, 0, false, false),
	CASE(RNPU_MM_FP16_FP16, 2, 16400, 16, 1, 0, false, false),
	CASE(RNPU_MM_INT8_INT8, 4, 9000, 64, 7, 0, true, false),
	/* Per-column requantisation through every split. */
	PERCOL(RNPU_MM_INT8_INT8, 7, 100, 33, 1, 0, false, 0),
	PERCOL(RNPU_MM_INT8_INT32, 9, 200, 70, 3, 0, true, 0),
	PERCOL(RNPU_MM_INT8_INT8, 100, 96, 40, 7, 16, false, 0),
	PERCOL(RNPU_MM_INT8_INT8, 1, 512, 1000, 7, 0, true, 0),
	PERCOL(RNPU_MM_INT8_INT8, 2, 64, 8224, 1, 0, false, 0),
	PERCOL(RNPU_MM_INT8_INT8, 3, 8224, 48, 1, 0, false, 0),
	PERCOL(RNPU_MM_INT8_INT8, 5, 20000, 33, 7, 0, true, 0),
	PERCOL(RNPU_MM_INT8_INT32, 4, 9000, 64, 7, 0, false, 0),
	/* Small inputs: sums small enough for power-of-two scales to tie. */
	PERCOL(RNPU_MM_INT8_INT8, 64, 32, 64, 0, 0, false, 3),
	PERCOL(RNPU_MM_INT8_INT32, 33, 40, 48, 3, 0, false, 3),
	/* int4: odd sizes padded (K to 32, N to 64), tiles of at most 128
	 * rows, N chunks, three cores; K up to its single-segment 8192. */
	CASE(RNPU_MM_INT4_INT16, 7, 100, 33, 1, 0, false, false),
	CASE(RNPU_MM_INT4_INT16, 300, 200, 130, 7, 0, false, false),
	CASE(RNPU_MM_INT4_INT16, 1, 4096, 4096, 7, 0, false, false),
	CASE(RNPU_MM_INT4_INT16, 40, 8192, 70, 3, 0, false, false),
	CASE(RNPU_MM_INT4_INT16, 100, 96, 64, 2, 24, false, false),
	/* LLM-shaped, long only. */
	CASE(RNPU_MM_INT8_INT32, 8, 4096, 11008, 7, 0, false, true),
	CASE(RNPU_MM_INT8_INT32, 544, 544, 4096, 7, 0, false, true),
	CASE(RNPU_MM_FP16_FP32, 128, 2048, 2048, 7, 0, false, true),
};

static int group_setup(void **state)
{
	(void)state;
	return rnpu_open("sim", &g_dev);
}

static int group_teardown(void **state)
{
	(void)state;
	rnpu_close(g_dev);
	return 0;
}

int main(void)
{
	const char *env = getenv("RNPU_LONG_TESTS");
	bool full = RNPU_LONG_TESTS_DEFAULT || (env && env[0] == '1');
	const size_t ncases = sizeof(cases) / sizeof(cases[0]);
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0])];
	size_t n = 0;

	for (size_t i = 0; i < ncases; i++) {
		struct tiled_case *c = &cases[i];

		if (c->long_only && !full)
			continue;
		snprintf(c->name, sizeof(c->name), "tiled.%s.m%u.k%u.n%u.mask%u%s%s%s%s",
			 type_name(c->type), c->m, c->k, c->n, c->mask, c->tile ? ".tiles" : "",
			 c->relu ? ".relu" : "", c->per_col ? ".percol" : "",
			 c->lim ? ".small" : "");
		tests[n++] = (struct CMUnitTest){ .name = c->name, .test_func = run_case,
						  .initial_state = c };
	}
	return _cmocka_run_group_tests("matmul-tiled", tests, n, group_setup, group_teardown);
}
