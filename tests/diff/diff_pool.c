// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * PPU pooling against the reference: average, maximum and minimum, kernel
 * 1..16, stride 1..8, padding 0..7 with a pad value, int8/int16/fp16, the
 * input read by PPU_RDMA (op-enable 0x60) or handed over by the DPU, after
 * a convolution (0x2d) or a flying-mode elementwise operation (0x38).
 * Integer results bit-exact; fp16 maximum/minimum bit-exact, fp16 average
 * within the tolerance documented in docs/sim.md.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diff_util.h"

#define MAX_CASES 400u
#define SMOKE_RANDOM 40u

enum source {
	S_MEMORY, /* PPU_RDMA */
	S_CONV,   /* int8 conv, requantised to int8, into the PPU */
	S_EW,     /* flying-mode int16/fp16 add into the PPU */
};

struct pool_case {
	char name[DIFF_NAME_LEN];
	enum source src;
	unsigned int prec, method;
	unsigned int h, w, c, kh, kw, sy, sx, pt, pb, pl, pr;
	uint32_t recip;  /* fixed fp17 reciprocal bits for both axes; 0 = nearest */
	unsigned int notch;
	uint64_t seed;
};

static struct pool_case g_cases[MAX_CASES];
static size_t g_n;

static void *zalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	assert_non_null(p);
	return p;
}

static unsigned int out_dim(unsigned int in, unsigned int k, unsigned int s, unsigned int a,
			    unsigned int b)
{
	return (in + a + b - k) / s + 1;
}

/* The pooled input, as NCHW element bits of the case's precision. */
struct input {
	uint32_t *bits;
	uint32_t pad_bits;
};

static int64_t ival(uint32_t bits, unsigned int prec)
{
	return diff_sext(bits, prec_bytes(prec));
}

/* ---- sources ------------------------------------------------------------ */

static uint32_t rand_elem(struct ref_rng *r, unsigned int prec)
{
	uint16_t h;

	if (prec == TP_INT8)
		return (uint8_t)ref_rng_range(r, -128, 127);
	if (prec == TP_INT16)
		return (uint16_t)ref_rng_range(r, -32768, 32767);
	ref_fill_f16(r, &h, 1, -6, 6);
	return h;
}

/* Expected int8 conv output (1x1 kernel over 16 channels, requantised). */
static void conv_source(struct diff_ctx *c, struct diff_list *l, const struct pool_case *k,
			struct ref_rng *r, struct input *in, struct dpu_desc *dd)
{
	const unsigned int ci = 16;
	struct ref_conv_shape s = { .c = ci, .h = k->h, .w = k->w, .o = k->c, .kh = 1, .kw = 1,
				    .sy = 1, .sx = 1, .dy = 1, .dx = 1, .oh = k->h, .ow = k->w };
	size_t nx = (size_t)ci * k->h * k->w, nw = (size_t)k->c * ci, ny = (size_t)k->c * k->h * k->w;
	int32_t *x = zalloc(nx, sizeof(int32_t)), *w = zalloc(nw, sizeof(int32_t));
	int64_t *y = zalloc(ny, sizeof(int64_t));
	int8_t *dense = zalloc(nw, 1);
	struct conv_desc d = { 0 };
	uint16_t scale = (uint16_t)ref_rng_range(r, 20000, 65535);
	unsigned int shift = 20;

	diff_fill_i(r, x, nx, -128, 127);
	diff_fill_i(r, w, nw, -128, 127);
	ref_conv2d_i64(&s, x, w, 0, y);
	for (size_t i = 0; i < ny; i++)
		in->bits[i] = (uint8_t)ref_requant(y[i], scale, shift, 0, false,
						   REF_ROUND_HALF_EVEN, 8);
	for (unsigned int o = 0; o < k->c; o++)
		for (unsigned int ch = 0; ch < ci; ch++)
			dense[(size_t)o * ci + ch] = (int8_t)w[(size_t)o * ci + ch];
	memset(dd, 0, sizeof(*dd));
	dd->cvt = true;
	dd->cvt_scale = scale;
	dd->cvt_shift = shift;
	dd->to_ppu = true;
	dd->no_memory = true;
	d.out_prec = TP_INT8;
	d.w = k->w;
	d.h = k->h;
	d.c = ci;
	d.kw = d.kh = 1;
	d.n = k->c;
	d.sx = d.sy = 1;
	d.out_w = k->w;
	d.out_h = k->h;
	d.in = diff_alloc(c, cube_bytes(k->w, k->h, ci, 1));
	diff_pack_i(diff_ptr(c, d.in), x, ci, k->h, k->w, 1);
	d.wt = diff_alloc(c, conv_wt_bytes(&d));
	pack_weights(&d, dense, diff_ptr(c, d.wt));
	d.out = 0;
	d.dpu = dd;
	{
		uint64_t *body = diff_task(l, CONV_OP_EN | PPU_OP_EN);

		diff_task_words(l, conv_body(body, &d));
	}
	free(x);
	free(w);
	free(y);
	free(dense);
}

/* Expected flying-mode a + b (int16 saturating, fp16 rounded). */
static void ew_source(struct diff_ctx *c, struct diff_list *l, const struct pool_case *k,
		      struct ref_rng *r, struct input *in, struct dpu_desc *dd,
		      struct flying_desc *f)
{
	unsigned int eb = prec_bytes(k->prec);
	uint8_t *pa, *pb;

	memset(dd, 0, sizeof(*dd));
	memset(f, 0, sizeof(*f));
	f->w = k->w;
	f->h = k->h;
	f->c = k->c;
	f->in_prec = f->out_prec = k->prec;
	f->in = diff_alloc(c, cube_bytes(k->w, k->h, k->c, eb));
	dd->ew.on = true;
	dd->ew.algo = ALU_ADD;
	dd->ew.op_mem = true;
	dd->ew.esize = eb;
	dd->ew.cvt = k->prec != TP_FP16;
	dd->ew.cvt_scale = 1;
	dd->ew.addr = diff_alloc(c, cube_bytes(k->w, k->h, k->c, eb));
	dd->to_ppu = true;
	dd->no_memory = true;
	pa = diff_ptr(c, f->in);
	pb = diff_ptr(c, dd->ew.addr);
	for (unsigned int ch = 0; ch < k->c; ch++)
		for (unsigned int y = 0; y < k->h; y++)
			for (unsigned int x = 0; x < k->w; x++) {
				size_t i = ((size_t)ch * k->h + y) * k->w + x;
				size_t di = cube_index(k->w, k->h, eb, ch, y, x);
				uint32_t a = rand_elem(r, k->prec), b = rand_elem(r, k->prec);

				diff_put(pa, di, eb, a);
				diff_put(pb, di, eb, b);
				if (k->prec == TP_FP16)
					in->bits[i] = ref_half_from_double(
						(double)ref_half_to_float((uint16_t)a) +
						ref_half_to_float((uint16_t)b));
				else
					in->bits[i] = (uint16_t)ref_sat_bits(
						ival(a, k->prec) + ival(b, k->prec), 16);
			}
	f->dpu = dd;
	{
		uint64_t *w = diff_task(l, EW_OP_EN | PPU_OP_EN);

		diff_task_words(l, flying_body(w, f));
	}
}

/* ---- the case ----------------------------------------------------------- */

static void run_case(void **state)
{
	const struct pool_case *k = *state;
	struct diff_ctx *c = diff_global();
	unsigned int eb = prec_bytes(k->prec);
	unsigned int oh = out_dim(k->h, k->kh, k->sy, k->pt, k->pb);
	unsigned int ow = out_dim(k->w, k->kw, k->sx, k->pl, k->pr);
	size_t n = (size_t)k->c * k->h * k->w, no = (size_t)k->c * oh * ow;
	struct ref_pool_shape s = { .c = k->c, .h = k->h, .w = k->w, .kh = k->kh, .kw = k->kw,
				    .sy = k->sy, .sx = k->sx, .pt = k->pt, .pl = k->pl, .oh = oh,
				    .ow = ow };
	struct diff_check chk = { .what = k->name };
	static struct diff_list l;
	struct input in = { zalloc(n, sizeof(uint32_t)), 0 };
	struct pool_desc p = { 0 };
	struct dpu_desc dd;
	struct flying_desc f;
	struct ref_rng r;
	const uint8_t *out;
	size_t out_bytes;

	diff_case_begin(c);
	ref_rng_seed(&r, k->seed);
	l.n = 0;
	in.pad_bits = rand_elem(&r, k->prec);
	if (k->src == S_CONV) {
		conv_source(c, &l, k, &r, &in, &dd);
	} else if (k->src == S_EW) {
		ew_source(c, &l, k, &r, &in, &dd, &f);
	} else {
		p.in = diff_alloc(c, cube_bytes(k->w, k->h, k->c, eb));
		for (size_t i = 0; i < n; i++)
			in.bits[i] = rand_elem(&r, k->prec);
		for (unsigned int ch = 0; ch < k->c; ch++)
			for (unsigned int y = 0; y < k->h; y++)
				for (unsigned int x = 0; x < k->w; x++)
					diff_put(diff_ptr(c, p.in),
						 cube_index(k->w, k->h, eb, ch, y, x), eb,
						 in.bits[((size_t)ch * k->h + y) * k->w + x]);
	}

	p.prec = k->prec;
	p.method = k->method;
	p.w = k->w;
	p.h = k->h;
	p.c = k->c;
	p.out_w = ow;
	p.out_h = oh;
	p.kw = k->kw;
	p.kh = k->kh;
	p.sx = k->sx;
	p.sy = k->sy;
	p.pad_l = k->pl;
	p.pad_r = k->pr;
	p.pad_t = k->pt;
	p.pad_b = k->pb;
	/* Integers: the register holds the value; fp16: its bits. */
	p.pad_value = k->prec == TP_FP16 ? in.pad_bits : (uint32_t)ival(in.pad_bits, k->prec);
	p.recip_w = k->recip;
	p.recip_h = k->recip;
	p.from_dpu = k->src != S_MEMORY;
	p.out_notch = k->notch;
	out_bytes = cube_bytes(ow + k->notch, oh, k->c, eb);
	p.out = diff_alloc(c, out_bytes);
	if (p.from_dpu) {
		uint64_t *w = l.body[l.n - 1] + l.words[l.n - 1];

		diff_task_words(&l, pool_words(w, &p));
	} else {
		uint64_t *w = diff_task(&l, POOL_OP_EN);

		diff_task_words(&l, pool_words(w, &p));
	}
	diff_run(c, &l);

	out = diff_ptr(c, p.out);
	{
		double rw = ref_fp17_value(k->recip ? k->recip : fp17_bits(1.0 / k->kw));
		double rh = ref_fp17_value(k->recip ? k->recip : fp17_bits(1.0 / k->kh));
		enum ref_pool_op op = k->method == 0 ? REF_POOL_AVG_SUM
				      : k->method == 1 ? REF_POOL_MAX
						       : REF_POOL_MIN;
		int64_t *yi = zalloc(no, sizeof(int64_t));
		double *yf = zalloc(no, sizeof(double)), *mag = zalloc(no, sizeof(double));

		if (k->prec == TP_FP16) {
			double *xf = zalloc(n, sizeof(double)), *xa = zalloc(n, sizeof(double));
			double pad = ref_half_to_float((uint16_t)in.pad_bits);

			for (size_t i = 0; i < n; i++) {
				xf[i] = ref_half_to_float((uint16_t)in.bits[i]);
				xa[i] = fabs(xf[i]);
			}
			ref_pool2d_f64(&s, op, xf, pad, yf);
			ref_pool2d_f64(&s, op, xa, fabs(pad), mag);
			free(xf);
			free(xa);
		} else {
			int32_t *xi = zalloc(n, sizeof(int32_t));

			for (size_t i = 0; i < n; i++)
				xi[i] = (int32_t)ival(in.bits[i], k->prec);
			ref_pool2d_i64(&s, op, xi, (int32_t)ival(in.pad_bits, k->prec), yi);
			free(xi);
		}
		for (unsigned int ch = 0; ch < k->c; ch++)
			for (unsigned int y = 0; y < oh; y++)
				for (unsigned int x = 0; x < ow; x++) {
					size_t i = ((size_t)ch * oh + y) * ow + x;
					unsigned int c2 = 16 / eb;
					size_t atom = (size_t)(ch / c2) * (ow + k->notch) * oh +
						      (size_t)y * (ow + k->notch) + x;
					uint32_t got = diff_get(out, atom * c2 + ch % c2, eb);

					if (k->prec != TP_FP16) {
						int64_t want = yi[i];

						if (k->method == 0)
							want = ref_round_double((double)want * rw * rh,
										REF_ROUND_HALF_UP);
						diff_expect_eq(&chk, i, ival(got, k->prec),
							       ref_sat_bits(want, 8 * eb));
					} else if (k->method != 0) {
						diff_expect_eq(&chk, i, got, ref_half_from_double(yf[i]));
					} else {
						/* fp32 window sum, two fp32 products, one fp16
						 * rounding: a fp16 half-ulp plus the sum's error. */
						double want = yf[i] * rw * rh;
						double tol = ldexp(fabs(want), -11) +
							     (double)k->kh * k->kw * ldexp(mag[i], -23) *
								     rw * rh +
							     ldexp(1.0, -24);

						diff_expect_close(&chk, i,
								  ref_half_to_float((uint16_t)got), want,
								  tol);
					}
				}
		free(yi);
		free(yf);
		free(mag);
	}
	free(in.bits);
	diff_done(&chk);
}

/* ---- cases -------------------------------------------------------------- */

static const char *prec_name(unsigned int p)
{
	return p == TP_INT8 ? "int8" : p == TP_INT16 ? "int16" : "fp16";
}

static void add(struct pool_case k)
{
	static const char *const methods[] = { "avg", "max", "min" };
	static const char *const srcs[] = { "", ".from_conv", ".from_ew" };
	int n;

	if (g_n >= MAX_CASES)
		return;
	if (k.h + k.pt + k.pb < k.kh || k.w + k.pl + k.pr < k.kw)
		return;
	n = snprintf(k.name, sizeof(k.name), "pool.%s.%s.in_%ux%ux%u.k%ux%u.s%ux%u",
		     prec_name(k.prec), methods[k.method], k.h, k.w, k.c, k.kh, k.kw, k.sy, k.sx);
	if (k.pt || k.pb || k.pl || k.pr)
		n += snprintf(k.name + n, sizeof(k.name) - n, ".p%u_%u_%u_%u", k.pt, k.pb, k.pl,
			      k.pr);
	if (k.recip)
		n += snprintf(k.name + n, sizeof(k.name) - n, ".recip_0x%x", k.recip);
	if (k.notch)
		n += snprintf(k.name + n, sizeof(k.name) - n, ".notch%u", k.notch);
	snprintf(k.name + n, sizeof(k.name) - n, "%s", srcs[k.src]);
	k.seed = 0xbf58476d1ce4e5b9ull * (g_n + 3);
	g_cases[g_n++] = k;
}

static void cases(bool full)
{
	static const unsigned int precs[] = { TP_INT8, TP_INT16, TP_FP16 };
	struct ref_rng r;

	for (unsigned int p = 0; p < 3; p++)
		for (unsigned int m = 0; m < 3; m++) {
			add((struct pool_case){ .prec = precs[p], .method = m, .h = 8, .w = 9,
						.c = 20, .kh = 2, .kw = 2, .sy = 2, .sx = 2 });
			add((struct pool_case){ .prec = precs[p], .method = m, .h = 7, .w = 6,
						.c = 9, .kh = 3, .kw = 3, .sy = 1, .sx = 2, .pt = 1,
						.pb = 1, .pl = 1, .pr = 2 });
		}
	/* Global pooling, kernel and stride 16, padding 7, odd kernels. */
	add((struct pool_case){ .prec = TP_FP16, .method = 0, .h = 3, .w = 5, .c = 8, .kh = 3,
				.kw = 5, .sy = 3, .sx = 5 });
	add((struct pool_case){ .prec = TP_INT8, .method = 0, .h = 16, .w = 16, .c = 16,
				.kh = 16, .kw = 16, .sy = 16, .sx = 16 });
	add((struct pool_case){ .prec = TP_INT16, .method = 1, .h = 8, .w = 8, .c = 8, .kh = 8,
				.kw = 8, .sy = 1, .sx = 1, .pt = 7, .pb = 7, .pl = 7, .pr = 7 });
	add((struct pool_case){ .prec = TP_INT8, .method = 2, .h = 13, .w = 11, .c = 3, .kh = 5,
				.kw = 7, .sy = 3, .sx = 2, .pt = 2, .pb = 0, .pl = 3, .pr = 1,
				.notch = 2 });
	/* The reciprocal seen in working streams, 0.5 per axis. */
	add((struct pool_case){ .prec = TP_FP16, .method = 0, .h = 4, .w = 4, .c = 8, .kh = 2,
				.kw = 2, .sy = 1, .sx = 1, .recip = 0x7800 });
	add((struct pool_case){ .prec = TP_INT8, .method = 0, .h = 4, .w = 4, .c = 8, .kh = 4,
				.kw = 4, .sy = 4, .sx = 4, .recip = 0x7800 });
	/* Fed by the DPU. */
	add((struct pool_case){ .src = S_CONV, .prec = TP_INT8, .method = 1, .h = 12, .w = 12,
				.c = 40, .kh = 3, .kw = 3, .sy = 2, .sx = 2, .pt = 1, .pb = 1,
				.pl = 1, .pr = 1 });
	add((struct pool_case){ .src = S_CONV, .prec = TP_INT8, .method = 0, .h = 8, .w = 6,
				.c = 16, .kh = 2, .kw = 2, .sy = 2, .sx = 2 });
	add((struct pool_case){ .src = S_EW, .prec = TP_INT16, .method = 2, .h = 6, .w = 7,
				.c = 12, .kh = 3, .kw = 2, .sy = 1, .sx = 2, .pb = 2 });
	add((struct pool_case){ .src = S_EW, .prec = TP_FP16, .method = 0, .h = 5, .w = 5,
				.c = 8, .kh = 3, .kw = 3, .sy = 2, .sx = 2, .pt = 1, .pb = 1,
				.pl = 1, .pr = 1 });
	/* CI runs a small seeded sample of the sweep. */
	size_t stop = full ? MAX_CASES : g_n + SMOKE_RANDOM;

	ref_rng_seed(&r, 0x9001);
	while (g_n < stop) {
		struct pool_case k = { 0 };

		k.prec = precs[ref_rng_range(&r, 0, 2)];
		k.method = (unsigned int)ref_rng_range(&r, 0, 2);
		k.src = ref_rng_range(&r, 0, 4) == 0 ? (k.prec == TP_INT8 ? S_CONV : S_EW)
						     : S_MEMORY;
		k.h = (unsigned int)ref_rng_range(&r, 1, ref_rng_range(&r, 0, 3) ? 32 : 112);
		k.w = (unsigned int)ref_rng_range(&r, 1, ref_rng_range(&r, 0, 3) ? 32 : 112);
		k.c = (unsigned int)ref_rng_range(&r, 1, 64);
		k.kh = (unsigned int)ref_rng_range(&r, 1, ref_rng_range(&r, 0, 3) ? 4 : 16);
		k.kw = (unsigned int)ref_rng_range(&r, 1, ref_rng_range(&r, 0, 3) ? 4 : 16);
		k.sy = (unsigned int)ref_rng_range(&r, 1, k.kh < 8 ? k.kh : 8);
		k.sx = (unsigned int)ref_rng_range(&r, 1, k.kw < 8 ? k.kw : 8);
		if (ref_rng_range(&r, 0, 1)) {
			k.pt = (unsigned int)ref_rng_range(&r, 0, k.kh - 1 < 7 ? k.kh - 1 : 7);
			k.pb = (unsigned int)ref_rng_range(&r, 0, k.kh - 1 < 7 ? k.kh - 1 : 7);
			k.pl = (unsigned int)ref_rng_range(&r, 0, k.kw - 1 < 7 ? k.kw - 1 : 7);
			k.pr = (unsigned int)ref_rng_range(&r, 0, k.kw - 1 < 7 ? k.kw - 1 : 7);
		}
		k.notch = ref_rng_range(&r, 0, 4) == 0 ? (unsigned int)ref_rng_range(&r, 1, 5) : 0;
		add(k);
	}
}

int main(void)
{
	static struct CMUnitTest tests[MAX_CASES];

	cases(diff_long());
	for (size_t i = 0; i < g_n; i++)
		tests[i] = (struct CMUnitTest){ .name = g_cases[i].name, .test_func = run_case,
						.initial_state = &g_cases[i] };
	return _cmocka_run_group_tests("diff-pool", tests, g_n, diff_group_setup,
				       diff_group_teardown);
}
