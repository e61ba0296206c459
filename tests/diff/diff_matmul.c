// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Matrix multiplication as a 1x1 convolution (M rows as the input height,
 * K as channels, N kernels), int16 x int16 with 64-bit accumulation seen by
 * the DPU as int32 after CLIP_TRUNCATE, and int8 for comparison. Rows that
 * do not fit the CBUF are split over chained tasks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diff_util.h"

#define MAX_CASES 200u
#define SMOKE_RANDOM 6u
#define CBUF_BANK 32768u

struct mm_case {
	char name[DIFF_NAME_LEN];
	bool int16;
	unsigned int m, k, n, clip, out_prec;
	uint64_t seed;
};

static struct mm_case g_cases[MAX_CASES];
static size_t g_n;

static void *zalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	assert_non_null(p);
	return p;
}

static unsigned int kalign(const struct mm_case *t)
{
	unsigned int c2 = t->int16 ? 8 : 16;

	return (t->k + c2 - 1) / c2 * c2;
}

/* Rows per task: data banks left after one kernel group of weights. */
static unsigned int rows_per_task(const struct mm_case *t)
{
	unsigned int eb = t->int16 ? 2 : 1, kg = t->int16 ? 16 : 32;
	uint64_t group = (uint64_t)(t->n < kg ? t->n : kg) * kalign(t) * eb;
	unsigned int wb = (unsigned int)((group + CBUF_BANK - 1) / CBUF_BANK);
	unsigned int entries = (kalign(t) * eb + 63) / 64;

	return wb >= 12 ? 0 : (12 - wb) * CBUF_BANK / (entries * 64);
}

static void run_case(void **state)
{
	const struct mm_case *t = *state;
	struct diff_ctx *c = diff_global();
	unsigned int eb = t->int16 ? 2 : 1, ob = prec_bytes(t->out_prec), ka = kalign(t);
	unsigned int rows = rows_per_task(t);
	int32_t lim = t->int16 ? 32767 : 127;
	int16_t *a = zalloc((size_t)t->m * t->k, sizeof(int16_t));
	int16_t *b = zalloc((size_t)t->k * t->n, sizeof(int16_t));
	int64_t *want = zalloc((size_t)t->m * t->n, sizeof(int64_t));
	int32_t *x = zalloc((size_t)t->k * t->m, sizeof(int32_t));
	uint8_t *dense = zalloc((size_t)t->n * ka, eb);
	struct diff_check chk = { .what = t->name };
	static struct diff_list l;
	struct conv_desc d = { 0 };
	struct ref_rng r;
	const uint8_t *out;

	diff_case_begin(c);
	ref_rng_seed(&r, t->seed);
	for (size_t i = 0; i < (size_t)t->m * t->k; i++)
		a[i] = (int16_t)ref_rng_range(&r, -lim - 1, lim);
	for (size_t i = 0; i < (size_t)t->k * t->n; i++)
		b[i] = (int16_t)ref_rng_range(&r, -lim - 1, lim);
	ref_matmul_i16_i64(t->m, t->k, t->n, a, b, want);

	/* A[m][k] is the input pixel (row m) with K channels: NCHW x[k][m]. */
	for (unsigned int i = 0; i < t->m; i++)
		for (unsigned int j = 0; j < t->k; j++)
			x[(size_t)j * t->m + i] = a[(size_t)i * t->k + j];
	for (unsigned int n = 0; n < t->n; n++)
		for (unsigned int j = 0; j < t->k; j++)
			diff_put(dense, (size_t)n * ka + j, eb, (uint32_t)b[(size_t)j * t->n + n]);
	d.int16 = t->int16;
	d.out_prec = t->out_prec;
	d.w = 1;
	d.c = ka;
	d.kw = d.kh = 1;
	d.n = t->n;
	d.sx = d.sy = 1;
	d.out_w = 1;
	d.clip_shift = t->clip;
	d.in_surf_h = t->m;
	d.out_surf_h = t->m;
	d.wt = diff_alloc(c, (size_t)t->n * ka * eb);
	d.h = t->m;
	pack_weights(&d, dense, diff_ptr(c, d.wt));
	uint32_t in = diff_alloc(c, cube_bytes(1, t->m, ka, eb));
	uint32_t outa = diff_alloc(c, cube_bytes(1, t->m, t->n, ob));

	diff_pack_i(diff_ptr(c, in), x, t->k, t->m, 1, eb);
	l.n = 0;
	for (unsigned int m0 = 0; m0 < t->m; m0 += rows) {
		struct conv_desc band = d;
		uint64_t *w = diff_task(&l, CONV_OP_EN);

		band.h = band.out_h = t->m - m0 < rows ? t->m - m0 : rows;
		band.in = in + 16u * m0;
		band.out = outa + 16u * m0;
		diff_task_words(&l, conv_body(w, &band));
	}
	diff_run(c, &l);

	out = diff_ptr(c, outa);
	for (unsigned int i = 0; i < t->m; i++)
		for (unsigned int n = 0; n < t->n; n++) {
			int64_t v = ref_sat_bits(ref_rshift_round(want[(size_t)i * t->n + n], t->clip,
								  REF_ROUND_HALF_EVEN),
						 32);

			diff_expect_eq(&chk, (size_t)i * t->n + n,
				       diff_sext(diff_get(out, cube_index(1, t->m, ob, n, i, 0), ob),
						 ob),
				       ref_sat_bits(v, 8 * ob));
		}
	free(a);
	free(b);
	free(want);
	free(x);
	free(dense);
	diff_done(&chk);
}

static void add(bool int16, unsigned int m, unsigned int k, unsigned int n, unsigned int clip,
		unsigned int out_prec)
{
	struct mm_case *t;

	if (g_n >= MAX_CASES)
		return;
	t = &g_cases[g_n];
	*t = (struct mm_case){ .int16 = int16, .m = m, .k = k, .n = n, .clip = clip,
			       .out_prec = out_prec };
	if (rows_per_task(t) == 0)
		return;
	snprintf(t->name, sizeof(t->name), "matmul.%s.m%u.k%u.n%u%s%s", int16 ? "int16" : "int8",
		 m, k, n, clip ? ".clip" : "",
		 out_prec == TP_INT16 ? ".out_int16" : out_prec == TP_INT8 ? ".out_int8" : "");
	if (clip)
		snprintf(t->name + strlen(t->name), sizeof(t->name) - strlen(t->name), "%u", clip);
	t->seed = 0xd1b54a32d192ed03ull * (g_n + 5);
	g_n++;
}

static void cases(bool full)
{
	struct ref_rng r;

	add(true, 4, 32, 32, 0, TP_INT32);
	add(true, 1, 1, 1, 0, TP_INT32);
	add(true, 37, 100, 45, 0, TP_INT32);
	add(true, 64, 256, 64, 12, TP_INT16);
	add(true, 300, 512, 20, 4, TP_INT32);  /* several row tasks */
	add(true, 9, 2048, 17, 16, TP_INT32);  /* int32 saturation without the shift */
	add(false, 33, 96, 48, 0, TP_INT32);
	add(false, 600, 64, 40, 3, TP_INT8);
	/* CI runs a small seeded sample of the sweep. */
	size_t stop = full ? MAX_CASES : g_n + SMOKE_RANDOM;

	ref_rng_seed(&r, 0x16161616);
	while (g_n < stop) {
		static const unsigned int outs[] = { TP_INT8, TP_INT16, TP_INT32 };
		unsigned int m = (unsigned int)ref_rng_range(&r, 1, 600);
		unsigned int k = (unsigned int)ref_rng_range(&r, 1, 1024);
		unsigned int n = (unsigned int)ref_rng_range(&r, 1, 256);

		if ((uint64_t)m * k * n > (full ? (1ull << 26) : (1ull << 20)))
			continue;
		add(ref_rng_range(&r, 0, 3) != 0, m, k, n,
		    ref_rng_range(&r, 0, 1) ? (unsigned int)ref_rng_range(&r, 0, 31) : 0,
		    outs[ref_rng_range(&r, 0, 2)]);
	}
}

int main(void)
{
	static struct CMUnitTest tests[MAX_CASES];

	cases(diff_long());
	for (size_t i = 0; i < g_n; i++)
		tests[i] = (struct CMUnitTest){ .name = g_cases[i].name, .test_func = run_case,
						.initial_state = &g_cases[i] };
	return _cmocka_run_group_tests("diff-matmul", tests, g_n, diff_group_setup,
				       diff_group_teardown);
}
