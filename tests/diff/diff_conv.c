// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Convolution through the whole pipeline (CNA, CORE, DPU BS/BN/OUT_CVT,
 * WDMA) against the plain NCHW reference: direct and depthwise, int8,
 * int16 and fp16, stride, padding, dilation, bias, ReLU/ReLUX/PReLU, the
 * OW zero-point term, per-tensor and per-channel requantisation. Inputs too
 * large for the CBUF are split into row bands, one task each, run as one
 * chained task list.
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
#define CBUF_BANK 32768u
#define CBUF_BANKS 12u

enum quant {
	Q_NONE,    /* int32 / fp out, OUT_CVT identity */
	Q_TENSOR,  /* OUT_CVT scale, shift, offset */
	Q_CHANNEL, /* BS multiplier and shift per channel from memory */
};

struct conv_case {
	char name[DIFF_NAME_LEN];
	unsigned int in_prec, out_prec; /* TP_* codes */
	unsigned int h, w, c, o, k, s, p, d;
	bool dw;
	enum quant q;
	bool half_up;       /* OUT_CVT rounding */
	bool bias, relu, relux, prelu, ow;
	unsigned int clip;
	uint64_t seed;
};

static struct conv_case g_cases[MAX_CASES];

static unsigned int out_dim(unsigned int in, unsigned int k, unsigned int s, unsigned int p,
			    unsigned int d)
{
	return (in + 2 * p - d * (k - 1) - 1) / s + 1;
}

static unsigned int in_bytes(const struct conv_case *k)
{
	return k->in_prec == TP_INT8 ? 1 : 2;
}

static unsigned int align_c(const struct conv_case *k)
{
	unsigned int c2 = 16 / in_bytes(k);

	return (k->c + c2 - 1) / c2 * c2;
}

/* Weight bytes one kernel group keeps in the CBUF. */
static uint64_t group_bytes(const struct conv_case *k)
{
	unsigned int kg = in_bytes(k) == 1 ? 32 : 16;
	unsigned int n = k->dw ? 1 : (k->o < kg ? k->o : kg);

	return (uint64_t)n * k->k * k->k * align_c(k) * in_bytes(k);
}

/* Input rows one task may hold next to the weights. */
static unsigned int max_rows(const struct conv_case *k)
{
	unsigned int wb = (unsigned int)((group_bytes(k) + CBUF_BANK - 1) / CBUF_BANK);
	unsigned int entries = (k->w * align_c(k) * in_bytes(k) + 63) / 64;

	if (wb >= CBUF_BANKS)
		return 0;
	return (CBUF_BANKS - wb) * CBUF_BANK / (entries * 64);
}

static bool feasible(const struct conv_case *k)
{
	unsigned int need = (k->k - 1) * k->d + 1;

	return k->h + 2 * k->p >= need && k->w + 2 * k->p >= need && max_rows(k) >= need &&
	       k->k <= 31 && k->p <= 15 && (k->d - 1) <= 31 && k->s <= 7;
}

static const char *prec_name(unsigned int p)
{
	switch (p) {
	case TP_INT8:
		return "int8";
	case TP_INT16:
		return "int16";
	case TP_FP16:
		return "fp16";
	case TP_INT32:
		return "int32";
	default:
		return "fp32";
	}
}

static void name_case(struct conv_case *k)
{
	int n = snprintf(k->name, sizeof(k->name), "%s.%s.in_%ux%ux%u.k%u.s%u.p%u",
			 k->dw ? "dwconv" : "conv", prec_name(k->in_prec), k->h, k->w, k->c, k->k,
			 k->s, k->p);

	if (k->d > 1)
		n += snprintf(k->name + n, sizeof(k->name) - n, ".d%u", k->d);
	if (!k->dw)
		n += snprintf(k->name + n, sizeof(k->name) - n, ".out_%u", k->o);
	n += snprintf(k->name + n, sizeof(k->name) - n, ".%s", prec_name(k->out_prec));
	if (k->clip)
		n += snprintf(k->name + n, sizeof(k->name) - n, ".clip%u", k->clip);
	if (k->ow)
		n += snprintf(k->name + n, sizeof(k->name) - n, ".ow");
	if (k->bias)
		n += snprintf(k->name + n, sizeof(k->name) - n, ".bias");
	if (k->q == Q_TENSOR)
		n += snprintf(k->name + n, sizeof(k->name) - n, ".q_tensor%s",
			      k->half_up ? "_up" : "");
	if (k->q == Q_CHANNEL)
		n += snprintf(k->name + n, sizeof(k->name) - n, ".q_channel");
	if (k->prelu)
		n += snprintf(k->name + n, sizeof(k->name) - n, ".prelu");
	if (k->relu)
		snprintf(k->name + n, sizeof(k->name) - n, k->relux ? ".relux" : ".relu");
}

/* ---- the expected pipeline, built from reference primitives ------------- */

struct post {
	int32_t *bias;         /* [o] */
	int32_t *mul;          /* [o], Q_CHANNEL */
	uint32_t *shift;       /* [o], Q_CHANNEL */
	int16_t ow_op;
	int16_t slope;         /* PReLU multiplier (BN) */
	unsigned int slope_shift;
	int32_t relux_cmp;
	uint16_t cvt_scale;
	unsigned int cvt_shift;
	int32_t cvt_offset;
};

static int64_t sat32(int64_t v)
{
	return ref_sat_bits(v, 32);
}

static int64_t expect_int(const struct conv_case *k, const struct post *q, unsigned int o,
			  int64_t acc, int64_t wsum)
{
	unsigned int bits = 8 * prec_bytes(k->out_prec);
	int64_t x = sat32(ref_rshift_round(acc, k->clip, REF_ROUND_HALF_EVEN));

	/* BS: OW term, bias, per-channel multiplier, activation. */
	if (k->ow)
		x = sat32(x + (int64_t)q->ow_op * wsum);
	if (k->bias)
		x = sat32(x + q->bias[o]);
	if (k->q == Q_CHANNEL)
		x = sat32(ref_rshift_round(x * q->mul[o], q->shift[o], REF_ROUND_HALF_UP));
	if (k->relu) {
		x = x < 0 ? 0 : x;
		if (k->relux && x > q->relux_cmp)
			x = q->relux_cmp;
	}
	/* BN: PReLU on negative values only. */
	if (k->prelu && x < 0)
		x = sat32(ref_rshift_round(x * q->slope, q->slope_shift, REF_ROUND_HALF_UP));
	if (k->q == Q_TENSOR)
		return ref_requant(x, q->cvt_scale, q->cvt_shift, q->cvt_offset, false,
				   k->half_up ? REF_ROUND_HALF_UP : REF_ROUND_HALF_EVEN, bits);
	return ref_sat_bits(x, bits);
}

/* ---- the stream --------------------------------------------------------- */

static void fill_dpu(const struct conv_case *k, const struct post *q, struct dpu_desc *dd,
		     uint32_t bs_mem)
{
	memset(dd, 0, sizeof(*dd));
	dd->orig_c = k->dw ? k->c : k->o;
	if (k->bias || k->q == Q_CHANNEL || k->relu || k->ow) {
		dd->bs.on = true;
		dd->bs.alu = k->bias;
		dd->bs.alu_algo = ALU_ADD;
		dd->bs.alu_mem = true;
		dd->bs.mul = k->q == Q_CHANNEL;
		dd->bs.mul_mem = true;
		dd->bs.shift_mem = true;
		dd->bs.relu = k->relu;
		dd->bs.relux = k->relux;
		dd->bs.relux_cmp = (uint32_t)q->relux_cmp;
		dd->bs.mem = bs_mem;
	}
	if (k->ow) {
		dd->ow = true;
		dd->ow_op = q->ow_op;
	}
	if (k->prelu) {
		dd->bn.on = true;
		dd->bn.mul = true;
		dd->bn.prelu = true;
		dd->bn.mul_value = (uint16_t)q->slope;
		dd->bn.shift = 0;
		dd->bn.shift_neg = q->slope_shift;
	}
	if (k->q == Q_TENSOR) {
		dd->cvt = true;
		dd->cvt_scale = q->cvt_scale;
		dd->cvt_shift = q->cvt_shift;
		dd->cvt_offset = q->cvt_offset;
		dd->cvt_half_up = k->half_up;
	}
}

/* BRDMA records: ALU, MUL, TRT slots per channel, as the stage uses them. */
static uint32_t put_records(struct diff_ctx *c, const struct conv_case *k, const struct post *q,
			    unsigned int nch)
{
	unsigned int slots = (k->bias ? 1 : 0) + (k->q == Q_CHANNEL ? 2 : 0);
	uint32_t addr;
	uint8_t *p;

	if (!slots)
		return 0;
	addr = diff_alloc(c, (size_t)nch * slots * 4);
	p = diff_ptr(c, addr);
	for (unsigned int o = 0; o < nch; o++) {
		unsigned int s = 0;

		if (k->bias)
			diff_put(p, (size_t)o * slots + s++, 4, (uint32_t)q->bias[o]);
		if (k->q == Q_CHANNEL) {
			diff_put(p, (size_t)o * slots + s++, 4, (uint32_t)q->mul[o]);
			diff_put(p, (size_t)o * slots + s++, 4, q->shift[o]);
		}
	}
	return addr;
}

/* Splits the output rows into bands whose input rows fit the CBUF and
 * appends one task per band. */
static void add_bands(struct diff_list *l, const struct conv_case *k, struct conv_desc *full,
		      const struct dpu_desc *dd)
{
	unsigned int oh = full->out_h, ow = full->out_w;
	unsigned int reach = (k->k - 1) * k->d + 1;
	unsigned int rows = max_rows(k);
	unsigned int band = (rows - reach) / k->s + 1;

	for (unsigned int oy0 = 0; oy0 < oh; oy0 += band) {
		unsigned int oy1 = oy0 + band < oh ? oy0 + band : oh;
		int64_t top = (int64_t)oy0 * k->s - k->p;
		int64_t bot = (int64_t)(oy1 - 1) * k->s - k->p + reach;
		unsigned int iy0 = top < 0 ? 0 : (unsigned int)top;
		unsigned int iy1 = bot > (int64_t)k->h ? k->h : (unsigned int)bot;
		struct conv_desc d = *full;
		uint64_t *w = diff_task(l, CONV_OP_EN | (d.rdma ? RDMA_OP_EN : 0));

		d.h = iy1 > iy0 ? iy1 - iy0 : 1;
		d.pad_t = top < 0 ? (unsigned int)-top : 0;
		d.in = full->in + 16u * iy0 * k->w;
		d.in_surf_h = k->h;
		d.out_h = oy1 - oy0;
		d.out = full->out + 16u * oy0 * ow;
		d.out_surf_h = oh;
		d.dpu = dd;
		diff_task_words(l, conv_body(w, &d));
	}
}

/* Random test data and post-processing operands of one case. */
struct data {
	int32_t *xi, *wi;      /* integer inputs (NCHW, OIHW / CHW) */
	uint16_t *xh, *wh;     /* fp16 inputs */
	int64_t *yi, *ws;
	double *yf, *mag, *xf, *wf;
	struct post q;
	int32_t pad;
};

static void free_data(struct data *v)
{
	free(v->xi);
	free(v->wi);
	free(v->xh);
	free(v->wh);
	free(v->yi);
	free(v->ws);
	free(v->yf);
	free(v->mag);
	free(v->xf);
	free(v->wf);
	free(v->q.bias);
	free(v->q.mul);
	free(v->q.shift);
}

static void *zalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	assert_non_null(p);
	return p;
}

static void make_data(const struct conv_case *k, struct ref_rng *r, struct data *v, size_t nx,
		      size_t nw, unsigned int nout)
{
	bool fl = k->in_prec == TP_FP16;
	int32_t lim = k->in_prec == TP_INT8 ? 127 : 32767;

	if (fl) {
		v->xh = zalloc(nx, sizeof(uint16_t));
		v->wh = zalloc(nw, sizeof(uint16_t));
		diff_fill_h(r, v->xh, nx, -3, 1);
		diff_fill_h(r, v->wh, nw, -3, 1);
		v->xf = zalloc(nx, sizeof(double));
		v->wf = zalloc(nw, sizeof(double));
		for (size_t i = 0; i < nx; i++)
			v->xf[i] = ref_half_to_float(v->xh[i]);
		for (size_t i = 0; i < nw; i++)
			v->wf[i] = ref_half_to_float(v->wh[i]);
		v->pad = 0;
	} else {
		v->xi = zalloc(nx, sizeof(int32_t));
		v->wi = zalloc(nw, sizeof(int32_t));
		diff_fill_i(r, v->xi, nx, -lim - 1, lim);
		diff_fill_i(r, v->wi, nw, -lim - 1, lim);
		v->pad = ref_rng_range(r, -lim - 1, lim);
	}
	v->q.bias = zalloc(nout, sizeof(int32_t));
	v->q.mul = zalloc(nout, sizeof(int32_t));
	v->q.shift = zalloc(nout, sizeof(uint32_t));
	for (unsigned int o = 0; o < nout; o++) {
		v->q.bias[o] = ref_rng_range(r, -(1 << 20), 1 << 20);
		v->q.mul[o] = ref_rng_range(r, 1, 32767);
		v->q.shift[o] = (uint32_t)ref_rng_range(r, 8, 24);
	}
	v->q.ow_op = (int16_t)ref_rng_range(r, -128, 128);
	v->q.slope = (int16_t)ref_rng_range(r, 1, 32767);
	v->q.slope_shift = (unsigned int)ref_rng_range(r, 13, 17);
	v->q.relux_cmp = ref_rng_range(r, 0, 1 << 18);
	v->q.cvt_scale = (uint16_t)ref_rng_range(r, 1, 65535);
	v->q.cvt_shift = (unsigned int)ref_rng_range(r, 16, 30);
	v->q.cvt_offset = ref_rng_range(r, -20, 20);
	/* Keep ReLUX and per-tensor scales where they bite for int16 too. */
	if (k->in_prec == TP_INT16)
		v->q.cvt_shift += 8;
}

/* Dense weights as the packers want them: [o][ky][kx][c_al] or
 * depthwise [ky][kx][c_al], channels beyond c zero. */
static void *dense_weights(const struct conv_case *k, const struct data *v)
{
	unsigned int eb = in_bytes(k), ca = align_c(k), nk = k->dw ? 1 : k->o;
	uint8_t *dst = zalloc((size_t)nk * k->k * k->k * ca, eb);

	for (unsigned int o = 0; o < nk; o++)
		for (unsigned int ky = 0; ky < k->k; ky++)
			for (unsigned int kx = 0; kx < k->k; kx++)
				for (unsigned int ch = 0; ch < k->c; ch++) {
					size_t di = (((size_t)o * k->k + ky) * k->k + kx) * ca + ch;
					size_t si = k->dw ? ((size_t)ch * k->k + ky) * k->k + kx
							  : (((size_t)o * k->c + ch) * k->k + ky) *
									    k->k +
								    kx;
					uint32_t bits = v->wh ? v->wh[si] : (uint32_t)v->wi[si];

					diff_put(dst, di, eb, bits);
				}
	return dst;
}

static void run_case(void **state)
{
	const struct conv_case *k = *state;
	struct diff_ctx *c = diff_global();
	unsigned int ie = in_bytes(k), oe = prec_bytes(k->out_prec), ca = align_c(k);
	unsigned int oh = out_dim(k->h, k->k, k->s, k->p, k->d);
	unsigned int ow = out_dim(k->w, k->k, k->s, k->p, k->d);
	unsigned int nout = k->dw ? k->c : k->o;
	unsigned int nker = k->dw ? ca : k->o;
	bool fl = k->in_prec == TP_FP16;
	struct ref_conv_shape s = { .c = k->c, .h = k->h, .w = k->w, .o = nout, .kh = k->k,
				    .kw = k->k, .sy = k->s, .sx = k->s, .dy = k->d, .dx = k->d,
				    .pt = k->p, .pl = k->p, .oh = oh, .ow = ow, .depthwise = k->dw };
	size_t nx = (size_t)k->c * k->h * k->w;
	size_t nw = (size_t)(k->dw ? 1 : k->o) * k->c * k->k * k->k;
	size_t ny = (size_t)nout * oh * ow;
	struct diff_check chk = { .what = k->name };
	static struct diff_list l;
	struct ref_rng r;
	struct data v = { 0 };
	struct dpu_desc dd;
	struct conv_desc d;
	void *dense;
	const uint8_t *out;

	diff_case_begin(c);
	ref_rng_seed(&r, k->seed);
	make_data(k, &r, &v, nx, nw, nker);

	/* Reference. */
	if (fl) {
		v.yf = zalloc(ny, sizeof(double));
		v.mag = zalloc(ny, sizeof(double));
		ref_conv2d_f64(&s, v.xf, v.wf, 0.0, v.yf, v.mag);
	} else {
		v.yi = zalloc(ny, sizeof(int64_t));
		ref_conv2d_i64(&s, v.xi, v.wi, v.pad, v.yi);
		if (k->ow) {
			/* The CORE sums every channel it fetches, the alignment
			 * channels (zero inside, the pad value outside) too. */
			struct ref_conv_shape sa = s;
			int32_t *xa = zalloc((size_t)ca * k->h * k->w, sizeof(int32_t));

			memcpy(xa, v.xi, nx * sizeof(int32_t));
			sa.c = k->dw ? k->c : ca;
			v.ws = zalloc((size_t)(k->dw ? k->c : 1) * oh * ow, sizeof(int64_t));
			ref_window_sum_i64(&sa, xa, v.pad, v.ws);
			free(xa);
		}
	}

	/* Device. */
	memset(&d, 0, sizeof(d));
	d.fp16 = fl;
	d.int16 = k->in_prec == TP_INT16;
	d.out_prec = k->out_prec;
	d.w = k->w;
	d.h = k->h;
	d.c = ca;
	d.kw = d.kh = k->k;
	d.n = nker;
	d.sx = d.sy = k->s;
	d.pad_l = d.pad_t = k->p;
	d.pad_value = (uint32_t)(uint16_t)(int16_t)v.pad;
	d.out_w = ow;
	d.out_h = oh;
	d.dw = k->dw;
	d.dx = d.dy = k->d;
	d.qd = k->ow;
	d.clip_shift = k->clip;
	d.in = diff_alloc(c, cube_bytes(k->w, k->h, ca, ie));
	if (fl)
		diff_pack_h(diff_ptr(c, d.in), v.xh, k->c, k->h, k->w);
	else
		diff_pack_i(diff_ptr(c, d.in), v.xi, k->c, k->h, k->w, ie);
	d.wt = diff_alloc(c, conv_wt_bytes(&d));
	dense = dense_weights(k, &v);
	if (k->dw)
		pack_weights_dw(&d, dense, diff_ptr(c, d.wt));
	else
		pack_weights(&d, dense, diff_ptr(c, d.wt));
	free(dense);
	d.out = diff_alloc(c, cube_bytes(ow, oh, nker, oe));
	fill_dpu(k, &v.q, &dd, put_records(c, k, &v.q, nker));
	d.rdma = dd.bs.mem != 0;
	l.n = 0;
	add_bands(&l, k, &d, &dd);
	diff_run(c, &l);

	out = diff_ptr(c, d.out);
	for (unsigned int o = 0; o < nout; o++)
		for (unsigned int y = 0; y < oh; y++)
			for (unsigned int x = 0; x < ow; x++) {
				size_t ri = ((size_t)o * oh + y) * ow + x;
				uint32_t got = diff_get(out, cube_index(ow, oh, oe, o, y, x), oe);

				if (fl) {
					double want = v.yf[ri] < 0 && k->relu ? 0.0 : v.yf[ri];
					float g = oe == 2 ? ref_half_to_float((uint16_t)got) : 0.0f;

					if (oe == 4)
						memcpy(&g, &got, sizeof(g));
					chk.total++;
					if (!ref_f16_close(g, (float)want, (float)v.mag[ri],
							   k->k * k->k * (k->dw ? 1 : k->c), oe == 2) &&
					    chk.bad++ < 5)
						print_error("%s[%zu]: got %.9g, want %.9g\n", k->name,
							    ri, g, want);
					continue;
				}
				int64_t ws = 0;

				if (k->ow)
					ws = v.ws[k->dw ? ri : (size_t)y * ow + x];
				diff_expect_eq(&chk, ri, diff_sext(got, oe),
					       expect_int(k, &v.q, o, v.yi[ri], ws));
			}
	free_data(&v);
	diff_done(&chk);
}

/* ---- the sweep ---------------------------------------------------------- */

static size_t g_n;

static void add(struct conv_case k)
{
	if (g_n >= MAX_CASES || !feasible(&k))
		return;
	if (k.d == 0)
		k.d = 1;
	name_case(&k);
	k.seed = 0x9e3779b97f4a7c15ull * (g_n + 1) ^ 0xc0de;
	g_cases[g_n++] = k;
}

#define I8 .in_prec = TP_INT8
#define I16 .in_prec = TP_INT16
#define F16 .in_prec = TP_FP16

/* Hand-picked cases: every feature at least once, sizes from 1 to 224. */
static void smoke(void)
{
	add((struct conv_case){ I8, .out_prec = TP_INT8, .h = 28, .w = 28, .c = 32, .o = 64,
				.k = 3, .s = 2, .p = 1, .d = 1, .q = Q_TENSOR, .bias = true,
				.relu = true });
	add((struct conv_case){ I8, .out_prec = TP_INT32, .h = 1, .w = 1, .c = 1, .o = 1, .k = 1,
				.s = 1, .d = 1 });
	add((struct conv_case){ I8, .out_prec = TP_INT32, .h = 1, .w = 1, .c = 512, .o = 512,
				.k = 1, .s = 1, .d = 1 });
	add((struct conv_case){ I8, .out_prec = TP_INT8, .h = 224, .w = 224, .c = 3, .o = 16,
				.k = 3, .s = 2, .p = 1, .d = 1, .q = Q_TENSOR, .half_up = true,
				.bias = true });
	add((struct conv_case){ I8, .out_prec = TP_INT8, .h = 13, .w = 11, .c = 20, .o = 40,
				.k = 5, .s = 1, .p = 2, .d = 1, .q = Q_CHANNEL, .bias = true,
				.relu = true, .relux = true });
	add((struct conv_case){ I8, .out_prec = TP_INT16, .h = 9, .w = 12, .c = 16, .o = 33,
				.k = 7, .s = 2, .p = 3, .d = 1, .q = Q_CHANNEL });
	add((struct conv_case){ I8, .out_prec = TP_INT32, .h = 9, .w = 9, .c = 16, .o = 16,
				.k = 3, .s = 1, .p = 2, .d = 2 });
	add((struct conv_case){ I8, .out_prec = TP_INT32, .h = 12, .w = 10, .c = 24, .o = 8,
				.k = 3, .s = 2, .p = 1, .d = 3, .clip = 3 });
	add((struct conv_case){ I8, .out_prec = TP_INT8, .h = 10, .w = 10, .c = 16, .o = 32,
				.k = 3, .s = 1, .p = 1, .d = 1, .ow = true, .bias = true,
				.q = Q_TENSOR });
	add((struct conv_case){ I8, .out_prec = TP_INT32, .h = 8, .w = 6, .c = 40, .o = 24,
				.k = 1, .s = 1, .d = 1, .bias = true, .prelu = true });
	add((struct conv_case){ I8, .out_prec = TP_INT8, .h = 14, .w = 14, .c = 40, .k = 3, .s = 1,
				.p = 1, .d = 1, .dw = true, .q = Q_TENSOR, .bias = true,
				.relu = true });
	add((struct conv_case){ I8, .out_prec = TP_INT32, .h = 15, .w = 15, .c = 70, .k = 5,
				.s = 2, .p = 2, .d = 1, .dw = true });
	add((struct conv_case){ I8, .out_prec = TP_INT8, .h = 9, .w = 9, .c = 16, .k = 3, .s = 1,
				.p = 1, .d = 1, .dw = true, .ow = true, .q = Q_TENSOR });
	add((struct conv_case){ I16, .out_prec = TP_INT32, .h = 8, .w = 8, .c = 16, .o = 24,
				.k = 3, .s = 1, .p = 1, .d = 1 });
	add((struct conv_case){ I16, .out_prec = TP_INT16, .h = 7, .w = 5, .c = 12, .o = 20,
				.k = 3, .s = 2, .p = 1, .d = 1, .clip = 8, .q = Q_TENSOR,
				.bias = true, .relu = true });
	add((struct conv_case){ I16, .out_prec = TP_INT32, .h = 6, .w = 6, .c = 20, .k = 3,
				.s = 1, .p = 1, .d = 1, .dw = true, .clip = 2 });
	add((struct conv_case){ F16, .out_prec = TP_FP32, .h = 10, .w = 10, .c = 16, .o = 20,
				.k = 3, .s = 1, .p = 1, .d = 1 });
	add((struct conv_case){ F16, .out_prec = TP_FP16, .h = 11, .w = 9, .c = 5, .o = 17,
				.k = 5, .s = 2, .p = 2, .d = 1, .relu = true });
	add((struct conv_case){ F16, .out_prec = TP_FP16, .h = 12, .w = 12, .c = 24, .k = 3,
				.s = 1, .p = 1, .d = 2, .dw = true });
}

/* Seeded random shapes under a MAC budget; @count cases at most. */
static void sweep(size_t count, uint64_t budget)
{
	static const unsigned int ks[] = { 1, 3, 5, 7 };
	static const unsigned int outs[] = { TP_INT8, TP_INT16, TP_INT32 };
	struct ref_rng r;

	ref_rng_seed(&r, 0x5eedc0de);
	size_t stop = g_n + count < MAX_CASES ? g_n + count : MAX_CASES;

	for (unsigned int tries = 0; g_n < stop && tries < 20000; tries++) {
		struct conv_case k = { 0 };
		unsigned int pick = (unsigned int)ref_rng_range(&r, 0, 9);
		uint64_t macs;

		k.in_prec = pick < 6 ? TP_INT8 : pick < 8 ? TP_INT16 : TP_FP16;
		k.dw = ref_rng_range(&r, 0, 3) == 0;
		k.h = (unsigned int)ref_rng_range(&r, 1, ref_rng_range(&r, 0, 3) ? 40 : 224);
		k.w = (unsigned int)ref_rng_range(&r, 1, ref_rng_range(&r, 0, 3) ? 40 : 224);
		k.c = (unsigned int)ref_rng_range(&r, 1, ref_rng_range(&r, 0, 2) ? 64 : 512);
		k.o = (unsigned int)ref_rng_range(&r, 1, ref_rng_range(&r, 0, 2) ? 64 : 512);
		k.k = ks[ref_rng_range(&r, 0, 3)];
		k.s = (unsigned int)ref_rng_range(&r, 1, 2);
		k.p = (unsigned int)ref_rng_range(&r, 0, k.k / 2);
		k.d = ref_rng_range(&r, 0, 5) == 0 ? 2 : 1;
		if (k.in_prec == TP_FP16) {
			k.out_prec = ref_rng_range(&r, 0, 1) ? TP_FP16 : TP_FP32;
			k.relu = ref_rng_range(&r, 0, 1);
		} else {
			k.out_prec = outs[ref_rng_range(&r, 0, 2)];
			k.q = (enum quant)ref_rng_range(&r, 0, 2);
			k.half_up = ref_rng_range(&r, 0, 1);
			k.bias = ref_rng_range(&r, 0, 1);
			k.relu = ref_rng_range(&r, 0, 1);
			k.relux = k.relu && ref_rng_range(&r, 0, 1);
			k.prelu = ref_rng_range(&r, 0, 3) == 0;
			k.ow = ref_rng_range(&r, 0, 3) == 0;
			k.clip = ref_rng_range(&r, 0, 3) == 0 ? (unsigned int)ref_rng_range(&r, 1, 8)
							     : 0;
		}
		if (k.h + 2 * k.p < (k.k - 1) * k.d + 1 || k.w + 2 * k.p < (k.k - 1) * k.d + 1)
			continue;
		macs = (uint64_t)out_dim(k.h, k.k, k.s, k.p, k.d) * out_dim(k.w, k.k, k.s, k.p, k.d) *
		       (k.dw ? 1 : k.o) * k.k * k.k * ((k.c + 15) / 16 * 16);
		if (macs > budget)
			continue;
		add(k);
	}
}

int main(void)
{
	static struct CMUnitTest tests[MAX_CASES];

	smoke();
	if (diff_long())
		sweep(MAX_CASES, 1ull << 27);
	else
		sweep(24, 1ull << 21);
	for (size_t i = 0; i < g_n; i++)
		tests[i] = (struct CMUnitTest){ .name = g_cases[i].name, .test_func = run_case,
						.initial_state = &g_cases[i] };
	return _cmocka_run_group_tests("diff-conv", tests, g_n, diff_group_setup,
				       diff_group_teardown);
}
