// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * int4 x int4 -> int16 matrix multiplication on the software NPU against
 * the plain reference, in the geometry the public int4 programs run on the
 * board (docs/sim.md, "int4"): each tile of at most 128 rows is its own
 * task, its A rows the input width (height 1), A packed per tile as
 * [K/32][rows][16 bytes], B as [N/64][K/32][64 kernels][16 bytes], C per tile
 * as [N/8][rows][8 x int16]; two elements per byte, the even one in the
 * high nibble. K is padded to 32 and N to 64 with zeros.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diff_util.h"

#define MAX_CASES 120u
#define SMOKE_RANDOM 6u
#define CBUF_BANK 32768u
#define CBUF_BANKS 12u
#define KG 64u       /* kernels per weight group */
#define CB 32u       /* channels per 16-byte atom and weight block */
#define OUT_C2 8u    /* int16 channels per output atom */
#define MAX_ROWS 128u /* rows per task in the public programs */

struct i4_case {
	char name[DIFF_NAME_LEN];
	unsigned int m, k, n;
	bool extreme;         /* values only -8 and 7: sums leave int16 */
	uint64_t seed;
};

static struct i4_case g_cases[MAX_CASES];
static size_t g_n;

static unsigned int up(unsigned int v, unsigned int a)
{
	return (v + a - 1) / a * a;
}

static void *zalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	assert_non_null(p);
	return p;
}

/* Rows per task: the data banks left beside one weight group, at most
 * MAX_ROWS; a row takes ceil(K / 128) 64-byte CBUF entries. */
static unsigned int rows_per_task(unsigned int kp)
{
	unsigned int wb = (KG * kp / 2 + CBUF_BANK - 1) / CBUF_BANK;
	unsigned int row = (kp + 127) / 128 * 64;
	unsigned int fit = wb >= CBUF_BANKS ? 0 : (CBUF_BANKS - wb) * CBUF_BANK / row;

	return fit < MAX_ROWS ? fit : MAX_ROWS;
}

/* Hardware nibble order: element 2j in the high nibble of byte j. */
static void put_i4(uint8_t *base, size_t idx, int8_t v)
{
	ref_i4_set(base, idx, v, false);
}

static void run_case(void **state)
{
	const struct i4_case *t = *state;
	struct diff_ctx *c = diff_global();
	unsigned int kp = up(t->k, CB), np = up(t->n, KG), rows = rows_per_task(kp);
	int8_t *a = zalloc((size_t)t->m * t->k, 1);
	int8_t *b = zalloc((size_t)t->k * t->n, 1);
	int16_t *want = zalloc((size_t)t->m * t->n, sizeof(int16_t));
	uint32_t *tile_in = zalloc(DIFF_MAX_TASKS, sizeof(uint32_t));
	uint32_t *tile_out = zalloc(DIFF_MAX_TASKS, sizeof(uint32_t));
	struct diff_check chk = { .what = t->name };
	static struct diff_list l;
	struct ref_rng r;
	uint32_t wt;
	uint8_t *wp;

	diff_case_begin(c);
	ref_rng_seed(&r, t->seed);
	if (t->extreme) {
		for (size_t i = 0; i < (size_t)t->m * t->k; i++)
			a[i] = ref_rng_range(&r, 0, 7) ? -8 : 7;
		for (size_t i = 0; i < (size_t)t->k * t->n; i++)
			b[i] = ref_rng_range(&r, 0, 7) ? -8 : 7;
	} else {
		ref_fill_i4(&r, a, (size_t)t->m * t->k, -8, 7);
		ref_fill_i4(&r, b, (size_t)t->k * t->n, -8, 7);
	}
	ref_matmul_i4_i16(t->m, t->k, t->n, a, b, want);

	/* B: tile (n / 64, k / 32) holds 64 kernels of 32 channels. */
	wt = diff_alloc(c, (size_t)np * kp / 2);
	wp = diff_ptr(c, wt);
	memset(wp, 0, (size_t)np * kp / 2);
	for (unsigned int j = 0; j < t->n; j++)
		for (unsigned int q = 0; q < t->k; q++) {
			size_t tile = (size_t)(j / KG) * (kp / CB) + q / CB;

			put_i4(wp, (tile * KG + j % KG) * CB + q % CB, b[(size_t)q * t->n + j]);
		}

	l.n = 0;
	assert_true(rows > 0);
	assert_true((t->m + rows - 1) / rows <= DIFF_MAX_TASKS);
	for (unsigned int m0 = 0, ti = 0; m0 < t->m; m0 += rows, ti++) {
		unsigned int mt = t->m - m0 < rows ? t->m - m0 : rows;
		struct conv_desc d = { 0 };
		uint8_t *ap;

		tile_in[ti] = diff_alloc(c, (size_t)mt * kp / 2);
		tile_out[ti] = diff_alloc(c, (size_t)mt * np * 2);
		ap = diff_ptr(c, tile_in[ti]);
		memset(ap, 0, (size_t)mt * kp / 2);
		for (unsigned int i = 0; i < mt; i++)
			for (unsigned int q = 0; q < t->k; q++)
				put_i4(ap, ((size_t)(q / CB) * mt + i) * CB + q % CB,
				       a[(size_t)(m0 + i) * t->k + q]);
		d.int4 = true;
		d.out_prec = TP_INT16;
		d.w = mt;
		d.h = 1;
		d.c = kp;
		d.kw = d.kh = 1;
		d.n = np;
		d.sx = d.sy = 1;
		d.out_w = mt;
		d.out_h = 1;
		d.qd = true;
		d.in = tile_in[ti];
		d.wt = wt;
		d.out = tile_out[ti];
		diff_task_words(&l, conv_body(diff_task(&l, CONV_OP_EN), &d));
	}
	diff_run(c, &l);

	for (unsigned int m0 = 0, ti = 0; m0 < t->m; m0 += rows, ti++) {
		unsigned int mt = t->m - m0 < rows ? t->m - m0 : rows;
		const uint8_t *out = diff_ptr(c, tile_out[ti]);

		for (unsigned int i = 0; i < mt; i++)
			for (unsigned int j = 0; j < t->n; j++) {
				size_t at = ((size_t)(j / OUT_C2) * mt + i) * OUT_C2 + j % OUT_C2;

				diff_expect_eq(&chk, (size_t)(m0 + i) * t->n + j,
					       diff_sext(diff_get(out, at, 2), 2),
					       want[(size_t)(m0 + i) * t->n + j]);
			}
	}
	free(a);
	free(b);
	free(want);
	free(tile_in);
	free(tile_out);
	diff_done(&chk);
}

static void add(unsigned int m, unsigned int k, unsigned int n, bool extreme)
{
	struct i4_case *t;

	if (g_n >= MAX_CASES || !rows_per_task(up(k, CB)) ||
	    (m + rows_per_task(up(k, CB)) - 1) / rows_per_task(up(k, CB)) > DIFF_MAX_TASKS)
		return;
	t = &g_cases[g_n];
	*t = (struct i4_case){ .m = m, .k = k, .n = n, .extreme = extreme };
	snprintf(t->name, sizeof(t->name), "matmul.int4.m_%u.k_%u.n_%u%s", m, k, n,
		 extreme ? ".saturating" : "");
	t->seed = 0x9e3779b97f4a7c15ull * (g_n + 11);
	g_n++;
}

static void cases(bool full)
{
	struct ref_rng r;

	add(1, 32, 64, false);
	add(7, 100, 33, false);
	add(128, 2048, 64, false);  /* the largest tile of the public programs */
	add(300, 96, 130, false);   /* three tiles, three kernel groups */
	add(40, 4096, 70, false);   /* rows limited by the CBUF */
	add(4, 1024, 64, true);     /* sums beyond int16 saturate */
	/* CI runs a small seeded sample of the sweep. */
	size_t stop = full ? MAX_CASES : g_n + SMOKE_RANDOM;

	ref_rng_seed(&r, 0x4444);
	while (g_n < stop) {
		unsigned int m = (unsigned int)ref_rng_range(&r, 1, 300);
		unsigned int k = (unsigned int)ref_rng_range(&r, 1, 4096);
		unsigned int n = (unsigned int)ref_rng_range(&r, 1, 256);

		if ((uint64_t)m * k * n > (full ? (1ull << 26) : (1ull << 21)))
			continue;
		add(m, k, n, ref_rng_range(&r, 0, 7) == 0);
	}
}

int main(void)
{
	static struct CMUnitTest tests[MAX_CASES];

	cases(diff_long());
	for (size_t i = 0; i < g_n; i++)
		tests[i] = (struct CMUnitTest){ .name = g_cases[i].name, .test_func = run_case,
						.initial_state = &g_cases[i] };
	return _cmocka_run_group_tests("diff-int4", tests, g_n, diff_group_setup,
				       diff_group_teardown);
}
