// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Requantisation: OUT_CVT per tensor (multiply-first and add-first, both
 * rounding modes, saturation to int8/int16/int32) and per channel (BS
 * multiplier and shift from memory, and the register multiplier with its
 * separate shift for negative data). The int32 input comes from memory
 * through MRDMA so the cases can aim at exact rounding ties and at the
 * saturation limits, not only at random values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diff_util.h"

#define MAX_CASES 200u

enum kind {
	K_TENSOR,  /* OUT_CVT */
	K_CHANNEL, /* BS MUL + TRT per channel, then OUT_CVT offset */
	K_NEG,     /* BS MUL register, different shifts by sign */
};

struct rq_case {
	char name[DIFF_NAME_LEN];
	enum kind kind;
	bool add_first, half_up;
	unsigned int out_prec;
	unsigned int w, h, c;
	uint64_t seed;
};

static struct rq_case g_cases[MAX_CASES];
static size_t g_n;

static void *zalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	assert_non_null(p);
	return p;
}

/* An input whose product with an odd scale lands exactly halfway for
 * shift @s, or a random one. */
static int32_t pick(struct ref_rng *r, unsigned int s)
{
	/* Small enough that odd * 2^(s-1) stays inside int32. */
	int32_t lim = s >= 30 ? 0 : (int32_t)(((int64_t)1 << (30 - s)) / 2 - 1);
	int64_t odd = 2 * (int64_t)ref_rng_range(r, -(lim < 2000 ? lim : 2000) - 1,
						 lim < 2000 ? lim : 2000) + 1;

	switch (ref_rng_range(r, 0, 5)) {
	case 0:
		if (s == 0)
			return (int32_t)odd;
		return (int32_t)ref_sat_bits(odd * ((int64_t)1 << (s - 1)), 32);
	case 1:
		return ref_rng_range(r, 0, 1) ? INT32_MAX : INT32_MIN;
	default:
		return ref_rng_range(r, -(1 << 24), 1 << 24);
	}
}

static void run_case(void **state)
{
	const struct rq_case *k = *state;
	struct diff_ctx *c = diff_global();
	unsigned int ob = prec_bytes(k->out_prec), bits = 8 * ob;
	size_t n = (size_t)k->c * k->h * k->w;
	int32_t *x = zalloc(n, sizeof(int32_t));
	int32_t *mul = zalloc(k->c, sizeof(int32_t));
	uint32_t *sh = zalloc(k->c, sizeof(uint32_t));
	struct diff_check chk = { .what = k->name };
	static struct diff_list l;
	struct flying_desc f = { 0 };
	struct dpu_desc dd = { 0 };
	enum ref_round mode = k->half_up ? REF_ROUND_HALF_UP : REF_ROUND_HALF_EVEN;
	struct ref_rng r;
	const uint8_t *out;
	uint8_t *in;
	uint16_t scale;
	unsigned int shift, pos_shift, neg_shift;
	int32_t offset;
	int16_t m;

	diff_case_begin(c);
	ref_rng_seed(&r, k->seed);
	scale = (uint16_t)(2 * ref_rng_range(&r, 0, 32767) + 1);
	shift = (unsigned int)ref_rng_range(&r, 1, 24);
	offset = ref_rng_range(&r, -1000, 1000);
	m = (int16_t)(2 * ref_rng_range(&r, -16384, 16383) + 1);
	pos_shift = (unsigned int)ref_rng_range(&r, 0, 30);
	neg_shift = (unsigned int)ref_rng_range(&r, 0, 30);
	for (unsigned int ch = 0; ch < k->c; ch++) {
		mul[ch] = 2 * ref_rng_range(&r, -16384, 16383) + 1;
		sh[ch] = (uint32_t)ref_rng_range(&r, 0, 40);
	}
	for (size_t i = 0; i < n; i++) {
		unsigned int ch = (unsigned int)(i / ((size_t)k->h * k->w));
		unsigned int s = k->kind == K_TENSOR ? shift
				 : k->kind == K_CHANNEL ? sh[ch]
							 : pos_shift;

		x[i] = pick(&r, s);
		/* Negative ties for the negative-data shift. */
		if (k->kind == K_NEG && ref_rng_range(&r, 0, 1)) {
			int32_t v = pick(&r, neg_shift);

			x[i] = v > 0 ? -v : v;
		}
	}

	f.w = k->w;
	f.h = k->h;
	f.c = k->c;
	f.in_prec = TP_INT32;
	f.out_prec = k->out_prec;
	f.in = diff_alloc(c, cube_bytes(k->w, k->h, k->c, 4));
	in = diff_ptr(c, f.in);
	diff_pack_i(in, x, k->c, k->h, k->w, 4);
	f.out = diff_alloc(c, cube_bytes(k->w, k->h, k->c, ob));
	dd.cvt = true;
	dd.cvt_scale = 1;
	if (k->kind == K_TENSOR) {
		dd.cvt_scale = scale;
		dd.cvt_shift = shift;
		dd.cvt_offset = offset;
		dd.cvt_add_first = k->add_first;
		dd.cvt_half_up = k->half_up;
	} else if (k->kind == K_CHANNEL) {
		uint32_t rec = diff_alloc(c, (size_t)k->c * 8);

		for (unsigned int ch = 0; ch < k->c; ch++) {
			diff_put(diff_ptr(c, rec), 2 * ch, 4, (uint32_t)mul[ch]);
			diff_put(diff_ptr(c, rec), 2 * ch + 1, 4, sh[ch]);
		}
		dd.bs.on = true;
		dd.bs.mul = true;
		dd.bs.mul_mem = true;
		dd.bs.shift_mem = true;
		dd.bs.mem = rec;
		dd.cvt_offset = offset;
	} else {
		dd.bs.on = true;
		dd.bs.mul = true;
		dd.bs.mul_value = (uint16_t)m;
		dd.bs.shift = pos_shift;
		dd.bs.shift_neg = neg_shift;
	}
	f.dpu = &dd;
	l.n = 0;
	{
		uint64_t *w = diff_task(&l, EW_OP_EN);

		diff_task_words(&l, flying_body(w, &f));
	}
	diff_run(c, &l);

	out = diff_ptr(c, f.out);
	for (unsigned int ch = 0; ch < k->c; ch++)
		for (unsigned int y = 0; y < k->h; y++)
			for (unsigned int xx = 0; xx < k->w; xx++) {
				size_t i = ((size_t)ch * k->h + y) * k->w + xx;
				int64_t v = x[i], want;

				if (k->kind == K_TENSOR) {
					want = ref_requant(v, scale, shift, offset, k->add_first, mode,
							   bits);
				} else if (k->kind == K_CHANNEL) {
					v = ref_sat_bits(ref_rshift_round(v * mul[ch], sh[ch],
									  REF_ROUND_HALF_UP),
							 32);
					want = ref_sat_bits(v + offset, bits);
				} else {
					v = ref_rshift_round(v * m, v < 0 ? neg_shift : pos_shift,
							     REF_ROUND_HALF_UP);
					want = ref_sat_bits(ref_sat_bits(v, 32), bits);
				}
				diff_expect_eq(&chk, i,
					       diff_sext(diff_get(out, cube_index(k->w, k->h, ob, ch, y,
										  xx),
								  ob),
							 ob),
					       want);
			}
	free(x);
	free(mul);
	free(sh);
	diff_done(&chk);
}

static void add(struct rq_case k)
{
	static const char *const kinds[] = { "tensor", "channel", "bs_mul_neg_shift" };
	static const char *const outs[] = { "int8", "int16", "", "", "int32" };

	if (g_n >= MAX_CASES)
		return;
	snprintf(k.name, sizeof(k.name), "requant.%s%s%s.in_%ux%ux%u.out_%s", kinds[k.kind],
		 k.kind == K_TENSOR ? (k.add_first ? ".add_first" : ".mul_first") : "",
		 k.kind == K_TENSOR ? (k.half_up ? ".half_up" : ".half_even") : "", k.h, k.w, k.c,
		 outs[k.out_prec]);
	k.seed = 0x94d049bb133111ebull * (g_n + 11);
	g_cases[g_n++] = k;
}

static void cases(bool full)
{
	static const unsigned int outs[] = { TP_INT8, TP_INT16, TP_INT32 };
	unsigned int reps = full ? 12 : 1;

	for (unsigned int rep = 0; rep < reps; rep++)
		for (unsigned int o = 0; o < 3; o++) {
			unsigned int w = 4 + rep, h = 3 + rep % 5, c = 5 + 7 * rep;

			for (unsigned int a = 0; a < 2; a++)
				for (unsigned int u = 0; u < 2; u++)
					add((struct rq_case){ .kind = K_TENSOR, .add_first = a,
							      .half_up = u, .out_prec = outs[o],
							      .w = w, .h = h, .c = c });
			add((struct rq_case){ .kind = K_CHANNEL, .out_prec = outs[o], .w = w,
					      .h = h, .c = c + 11 });
			add((struct rq_case){ .kind = K_NEG, .out_prec = outs[o], .w = w, .h = h,
					      .c = c });
		}
}

int main(void)
{
	static struct CMUnitTest tests[MAX_CASES];

	cases(diff_long());
	for (size_t i = 0; i < g_n; i++)
		tests[i] = (struct CMUnitTest){ .name = g_cases[i].name, .test_func = run_case,
						.initial_state = &g_cases[i] };
	return _cmocka_run_group_tests("diff-requant", tests, g_n, diff_group_setup,
				       diff_group_teardown);
}
