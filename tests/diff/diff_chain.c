// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Multi-task chains: lists whose later tasks read what earlier tasks wrote,
 * all in one PC start, checked against the reference applied step by step:
 *   conv_conv      int8 conv + requant + ReLU, then a conv over its output;
 *   ksplit         a matmul split along K: the second task adds the first
 *                  task's int32 partial sums through ERDMA;
 *   conv_pool_ew   conv into max pooling (DPU -> PPU), then a flying-mode
 *                  elementwise add of the pooled tensor and another one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diff_util.h"

#define MAX_CASES 100u
#define SMOKE_RANDOM 6u

enum chain { C_CONV_CONV, C_KSPLIT, C_CONV_POOL_EW };

struct chain_case {
	char name[DIFF_NAME_LEN];
	enum chain kind;
	unsigned int h, w, c, o1, o2, k;
	uint64_t seed;
};

static struct chain_case g_cases[MAX_CASES];
static size_t g_n;

static void *zalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	assert_non_null(p);
	return p;
}

static unsigned int al16(unsigned int c)
{
	return (c + 15) / 16 * 16;
}

/* One int8 conv task of a chain: k x k, stride 1, "same" padding. */
struct conv_step {
	unsigned int h, w, c, o, k;
	int32_t *x;      /* NCHW input values */
	int32_t *wt;     /* OIHW */
	uint32_t in, out, wdev;
	struct conv_desc d;
};

static void step_weights(struct diff_ctx *c, struct conv_step *s, struct ref_rng *r)
{
	unsigned int ca = al16(s->c), kk = s->k * s->k;
	int8_t *dense = zalloc((size_t)s->o * kk * ca, 1);

	s->wt = zalloc((size_t)s->o * s->c * kk, sizeof(int32_t));
	diff_fill_i(r, s->wt, (size_t)s->o * s->c * kk, -128, 127);
	for (unsigned int o = 0; o < s->o; o++)
		for (unsigned int t = 0; t < kk; t++)
			for (unsigned int ch = 0; ch < s->c; ch++)
				dense[((size_t)o * kk + t) * ca + ch] =
					(int8_t)s->wt[((size_t)o * s->c + ch) * kk + t];
	memset(&s->d, 0, sizeof(s->d));
	s->d.w = s->w;
	s->d.h = s->h;
	s->d.c = ca;
	s->d.kw = s->d.kh = s->k;
	s->d.n = s->o;
	s->d.sx = s->d.sy = 1;
	s->d.pad_l = s->d.pad_t = s->k / 2;
	s->d.out_w = s->w;
	s->d.out_h = s->h;
	s->d.in = s->in;
	s->d.out = s->out;
	s->d.wt = diff_alloc(c, conv_wt_bytes(&s->d));
	pack_weights(&s->d, dense, diff_ptr(c, s->d.wt));
	free(dense);
}

static void step_ref(const struct conv_step *s, const int32_t *x, int64_t *y)
{
	struct ref_conv_shape sh = { .c = s->c, .h = s->h, .w = s->w, .o = s->o, .kh = s->k,
				     .kw = s->k, .sy = 1, .sx = 1, .dy = 1, .dx = 1,
				     .pt = s->k / 2, .pl = s->k / 2, .oh = s->h, .ow = s->w };

	ref_conv2d_i64(&sh, x, s->wt, 0, y);
}

static void add_task(struct diff_list *l, uint32_t op_en, const struct conv_desc *d)
{
	uint64_t *w = diff_task(l, op_en);

	diff_task_words(l, conv_body(w, d));
}

static void check_i(struct diff_check *k, const uint8_t *out, unsigned int eb, unsigned int c,
		    unsigned int h, unsigned int w, const int64_t *want)
{
	for (unsigned int ch = 0; ch < c; ch++)
		for (unsigned int y = 0; y < h; y++)
			for (unsigned int x = 0; x < w; x++) {
				size_t i = ((size_t)ch * h + y) * w + x;

				diff_expect_eq(k, i,
					       diff_sext(diff_get(out, cube_index(w, h, eb, ch, y, x),
								  eb),
							 eb),
					       want[i]);
			}
}

static void conv_conv(const struct chain_case *t, struct diff_ctx *c, struct ref_rng *r,
		      struct diff_check *chk)
{
	static struct diff_list l;
	struct conv_step a = { .h = t->h, .w = t->w, .c = t->c, .o = t->o1, .k = t->k };
	struct conv_step b = { .h = t->h, .w = t->w, .c = t->o1, .o = t->o2, .k = 1 };
	size_t na = (size_t)t->o1 * t->h * t->w, nb = (size_t)t->o2 * t->h * t->w;
	int64_t *ya = zalloc(na, sizeof(int64_t)), *yb = zalloc(nb, sizeof(int64_t));
	int32_t *mid = zalloc(na, sizeof(int32_t));
	struct dpu_desc da = { 0 };
	uint16_t scale = (uint16_t)ref_rng_range(r, 10000, 60000);

	a.x = zalloc((size_t)t->c * t->h * t->w, sizeof(int32_t));
	diff_fill_i(r, a.x, (size_t)t->c * t->h * t->w, -128, 127);
	a.in = diff_alloc(c, cube_bytes(t->w, t->h, al16(t->c), 1));
	diff_pack_i(diff_ptr(c, a.in), a.x, t->c, t->h, t->w, 1);
	a.out = b.in = diff_alloc(c, cube_bytes(t->w, t->h, al16(t->o1), 1));
	b.out = diff_alloc(c, cube_bytes(t->w, t->h, t->o2, 4));
	step_weights(c, &a, r);
	step_weights(c, &b, r);
	a.d.out_prec = TP_INT8;
	b.d.out_prec = TP_INT32;
	/* ReLU in BS, requantisation to int8 in OUT_CVT. */
	da.bs.on = true;
	da.bs.relu = true;
	da.cvt = true;
	da.cvt_scale = scale;
	da.cvt_shift = 18;
	a.d.dpu = &da;
	l.n = 0;
	add_task(&l, CONV_OP_EN, &a.d);
	add_task(&l, CONV_OP_EN, &b.d);
	diff_run(c, &l);

	step_ref(&a, a.x, ya);
	for (size_t i = 0; i < na; i++) {
		int64_t v = ref_sat_bits(ya[i], 32);

		mid[i] = (int32_t)ref_requant(v < 0 ? 0 : v, scale, 18, 0, false,
					      REF_ROUND_HALF_EVEN, 8);
	}
	step_ref(&b, mid, yb);
	for (size_t i = 0; i < nb; i++)
		yb[i] = ref_sat_bits(yb[i], 32);
	check_i(chk, diff_ptr(c, b.out), 4, t->o2, t->h, t->w, yb);
	free(ya);
	free(yb);
	free(mid);
	free(a.x);
	free(a.wt);
	free(b.wt);
}

/* K channels split in two 1x1 convolutions; the second adds the first's
 * int32 result, read through ERDMA. */
static void ksplit(const struct chain_case *t, struct diff_ctx *c, struct ref_rng *r,
		   struct diff_check *chk)
{
	static struct diff_list l;
	unsigned int k1 = t->c / 2, k2 = t->c - k1;
	struct conv_step a = { .h = t->h, .w = t->w, .c = k1, .o = t->o1, .k = 1 };
	struct conv_step b = { .h = t->h, .w = t->w, .c = k2, .o = t->o1, .k = 1 };
	size_t n = (size_t)t->o1 * t->h * t->w;
	int64_t *ya = zalloc(n, sizeof(int64_t)), *yb = zalloc(n, sizeof(int64_t));
	struct dpu_desc db = { 0 };

	a.x = zalloc((size_t)k1 * t->h * t->w, sizeof(int32_t));
	b.x = zalloc((size_t)k2 * t->h * t->w, sizeof(int32_t));
	diff_fill_i(r, a.x, (size_t)k1 * t->h * t->w, -128, 127);
	diff_fill_i(r, b.x, (size_t)k2 * t->h * t->w, -128, 127);
	a.in = diff_alloc(c, cube_bytes(t->w, t->h, al16(k1), 1));
	b.in = diff_alloc(c, cube_bytes(t->w, t->h, al16(k2), 1));
	diff_pack_i(diff_ptr(c, a.in), a.x, k1, t->h, t->w, 1);
	diff_pack_i(diff_ptr(c, b.in), b.x, k2, t->h, t->w, 1);
	a.out = diff_alloc(c, cube_bytes(t->w, t->h, t->o1, 4));
	b.out = diff_alloc(c, cube_bytes(t->w, t->h, t->o1, 4));
	step_weights(c, &a, r);
	step_weights(c, &b, r);
	a.d.out_prec = b.d.out_prec = TP_INT32;
	db.ew.on = true;
	db.ew.algo = ALU_ADD;
	db.ew.op_mem = true;
	db.ew.esize = 4;
	db.ew.addr = a.out;
	b.d.dpu = &db;
	b.d.rdma = true;
	l.n = 0;
	add_task(&l, CONV_OP_EN, &a.d);
	add_task(&l, CONV_OP_EN | RDMA_OP_EN, &b.d);
	diff_run(c, &l);

	step_ref(&a, a.x, ya);
	step_ref(&b, b.x, yb);
	for (size_t i = 0; i < n; i++)
		yb[i] = ref_sat_bits(ref_sat_bits(yb[i], 32) + ref_sat_bits(ya[i], 32), 32);
	check_i(chk, diff_ptr(c, b.out), 4, t->o1, t->h, t->w, yb);
	free(ya);
	free(yb);
	free(a.x);
	free(b.x);
	free(a.wt);
	free(b.wt);
}

/* conv (int8 out) -> 2x2/2 max pool in the PPU -> flying add of another
 * int8 tensor with the identity converter. */
static void conv_pool_ew(const struct chain_case *t, struct diff_ctx *c, struct ref_rng *r,
			 struct diff_check *chk)
{
	static struct diff_list l;
	struct conv_step a = { .h = t->h, .w = t->w, .c = t->c, .o = t->o1, .k = t->k };
	unsigned int ph = t->h / 2, pw = t->w / 2;
	size_t na = (size_t)t->o1 * t->h * t->w, np = (size_t)t->o1 * ph * pw;
	int64_t *ya = zalloc(na, sizeof(int64_t)), *yp = zalloc(np, sizeof(int64_t));
	int32_t *mid = zalloc(na, sizeof(int32_t)), *e = zalloc(np, sizeof(int32_t));
	struct ref_pool_shape ps = { .c = t->o1, .h = t->h, .w = t->w, .kh = 2, .kw = 2,
				     .sy = 2, .sx = 2, .oh = ph, .ow = pw };
	struct dpu_desc da = { 0 }, de = { 0 };
	struct pool_desc p = { 0 };
	struct flying_desc f = { 0 };
	uint32_t pooled;
	uint64_t *w;

	a.x = zalloc((size_t)t->c * t->h * t->w, sizeof(int32_t));
	diff_fill_i(r, a.x, (size_t)t->c * t->h * t->w, -128, 127);
	diff_fill_i(r, e, np, -128, 127);
	a.in = diff_alloc(c, cube_bytes(t->w, t->h, al16(t->c), 1));
	diff_pack_i(diff_ptr(c, a.in), a.x, t->c, t->h, t->w, 1);
	a.out = 0;
	step_weights(c, &a, r);
	a.d.out_prec = TP_INT8;
	da.cvt = true;
	da.cvt_scale = 30000;
	da.cvt_shift = 19;
	da.to_ppu = true;
	da.no_memory = true;
	a.d.dpu = &da;
	pooled = diff_alloc(c, cube_bytes(pw, ph, t->o1, 1));
	p.prec = TP_INT8;
	p.method = 1;
	p.w = t->w;
	p.h = t->h;
	p.c = t->o1;
	p.out_w = pw;
	p.out_h = ph;
	p.kw = p.kh = p.sx = p.sy = 2;
	p.from_dpu = true;
	p.out = pooled;
	f.w = pw;
	f.h = ph;
	f.c = t->o1;
	f.in_prec = f.out_prec = TP_INT8;
	f.in = pooled;
	f.out = diff_alloc(c, cube_bytes(pw, ph, t->o1, 1));
	de.ew.on = true;
	de.ew.algo = ALU_ADD;
	de.ew.op_mem = true;
	de.ew.esize = 1;
	de.ew.cvt = true;
	de.ew.cvt_scale = 1;
	de.ew.addr = diff_alloc(c, cube_bytes(pw, ph, t->o1, 1));
	diff_pack_i(diff_ptr(c, de.ew.addr), e, t->o1, ph, pw, 1);
	f.dpu = &de;
	l.n = 0;
	w = diff_task(&l, CONV_OP_EN | PPU_OP_EN);
	diff_task_words(&l, conv_body(w, &a.d));
	diff_task_words(&l, pool_words(w + l.words[0], &p));
	w = diff_task(&l, EW_OP_EN);
	diff_task_words(&l, flying_body(w, &f));
	diff_run(c, &l);

	step_ref(&a, a.x, ya);
	for (size_t i = 0; i < na; i++)
		mid[i] = (int32_t)ref_requant(ref_sat_bits(ya[i], 32), 30000, 19, 0, false,
					      REF_ROUND_HALF_EVEN, 8);
	ref_pool2d_i64(&ps, REF_POOL_MAX, mid, 0, yp);
	for (size_t i = 0; i < np; i++)
		yp[i] = ref_sat_bits(yp[i] + e[i], 8);
	check_i(chk, diff_ptr(c, f.out), 1, t->o1, ph, pw, yp);
	free(ya);
	free(yp);
	free(mid);
	free(e);
	free(a.x);
	free(a.wt);
}

static void run_case(void **state)
{
	const struct chain_case *t = *state;
	struct diff_ctx *c = diff_global();
	struct diff_check chk = { .what = t->name };
	struct ref_rng r;

	diff_case_begin(c);
	ref_rng_seed(&r, t->seed);
	if (t->kind == C_CONV_CONV)
		conv_conv(t, c, &r, &chk);
	else if (t->kind == C_KSPLIT)
		ksplit(t, c, &r, &chk);
	else
		conv_pool_ew(t, c, &r, &chk);
	diff_done(&chk);
}

static void add(struct chain_case t)
{
	static const char *const kinds[] = { "conv_conv", "ksplit", "conv_pool_ew" };

	if (g_n >= MAX_CASES)
		return;
	if (t.kind == C_CONV_CONV)
		snprintf(t.name, sizeof(t.name), "chain.conv_conv.int8.in_%ux%ux%u.k%u.mid_%u.out_%u",
			 t.h, t.w, t.c, t.k, t.o1, t.o2);
	else
		snprintf(t.name, sizeof(t.name), "chain.%s.int8.in_%ux%ux%u.k%u.out_%u",
			 kinds[t.kind], t.h, t.w, t.c, t.k, t.o1);
	t.seed = 0xa0761d6478bd642full * (g_n + 17);
	g_cases[g_n++] = t;
}

static void cases(bool full)
{
	struct ref_rng r;

	add((struct chain_case){ .kind = C_CONV_CONV, .h = 9, .w = 11, .c = 20, .o1 = 24,
				 .o2 = 40, .k = 3 });
	add((struct chain_case){ .kind = C_KSPLIT, .h = 6, .w = 5, .c = 100, .o1 = 36, .k = 1 });
	add((struct chain_case){ .kind = C_CONV_POOL_EW, .h = 10, .w = 8, .c = 12, .o1 = 20,
				 .k = 3 });
	/* CI runs a small seeded sample of the sweep. */
	size_t stop = full ? MAX_CASES : g_n + SMOKE_RANDOM;

	ref_rng_seed(&r, 0xc4a1);
	while (g_n < stop) {
		struct chain_case t = { 0 };

		t.kind = (enum chain)ref_rng_range(&r, 0, 2);
		t.h = (unsigned int)ref_rng_range(&r, 2, 24);
		t.w = (unsigned int)ref_rng_range(&r, 2, 24);
		t.c = (unsigned int)ref_rng_range(&r, 1, 200);
		t.o1 = (unsigned int)ref_rng_range(&r, 1, 80);
		t.o2 = (unsigned int)ref_rng_range(&r, 1, 80);
		t.k = ref_rng_range(&r, 0, 1) ? 3 : 1;
		if (t.kind == C_KSPLIT) {
			t.k = 1;
			t.c = t.c < 2 ? 2 : t.c;
		}
		add(t);
	}
}

int main(void)
{
	static struct CMUnitTest tests[MAX_CASES];

	cases(diff_long());
	for (size_t i = 0; i < g_n; i++)
		tests[i] = (struct CMUnitTest){ .name = g_cases[i].name, .test_func = run_case,
						.initial_state = &g_cases[i] };
	return _cmocka_run_group_tests("diff-chain", tests, g_n, diff_group_setup,
				       diff_group_teardown);
}
