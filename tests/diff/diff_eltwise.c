// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The DPU on its own (flying mode, op-enable 0x18): elementwise operations
 * with an ERDMA or register operand, the EW operand converter, BS/BN with
 * register and per-channel memory operands (BRDMA/NRDMA), and OUT_CVT, for
 * int8/int16/int32/fp16/fp32 data; plus the EW operand fused into an int8
 * convolution (op-enable 0x1d). Integer results bit-exact; fp16 and fp32
 * single operations too (see docs/sim.md for why), checked against the
 * reference in double rounded once.
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
#define OP_MUL 100u /* EW multiplier instead of an ALU algorithm */

enum family {
	F_EW,    /* flying: main (MRDMA) op operand (ERDMA or register) */
	F_BSBN,  /* flying: BS ALU (register) + BN MUL (per channel, memory) */
	F_FUSED, /* conv int8 + EW add of an int8 operand through the converter */
};

struct ew_case {
	char name[DIFF_NAME_LEN];
	enum family fam;
	unsigned int prec, out_prec; /* main input and output, TP_* */
	unsigned int op;             /* ALU_* or OP_MUL */
	unsigned int h, w, c;
	bool reg_op;                 /* EW operand from EW_OP_VALUE_0 */
	bool widen;                  /* fp16 through fp32 */
	bool cvt;                    /* EW operand converter (integers) */
	bool relu;
	unsigned int line_notch, surf_notch;
	uint64_t seed;
};

static struct ew_case g_cases[MAX_CASES];
static size_t g_n;

static const char *prec_name(unsigned int p)
{
	static const char *const names[] = { "int8", "int16", "fp16", "bf16", "int32", "fp32" };

	return p < 6 ? names[p] : "?";
}

static const char *op_name(unsigned int op)
{
	static const char *const names[] = { "max", "min", "add", "div", "sub",
					     "abs", "neg", "floor", "ceil" };

	return op == OP_MUL ? "mul" : op < 9 ? names[op] : "?";
}

static bool is_float(unsigned int p)
{
	return p == TP_FP16 || p == TP_FP32;
}

static enum ref_ew_op ref_op(unsigned int op)
{
	switch (op) {
	case ALU_MAX:
		return REF_EW_MAX;
	case ALU_MIN:
		return REF_EW_MIN;
	case ALU_ADD:
		return REF_EW_ADD;
	case ALU_DIV:
		return REF_EW_DIV;
	case ALU_MINUS:
		return REF_EW_SUB;
	case ALU_ABS:
		return REF_EW_ABS;
	case ALU_NEG:
		return REF_EW_NEG;
	case ALU_FLOOR:
		return REF_EW_FLOOR;
	case ALU_CEIL:
		return REF_EW_CEIL;
	default:
		return REF_EW_MUL;
	}
}

static void *zalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	assert_non_null(p);
	return p;
}

/* ---- values ------------------------------------------------------------- */

/* Random element bits of precision @p; floats are never zero (divisors). */
static uint32_t rand_bits(struct ref_rng *r, unsigned int p)
{
	uint16_t h;

	switch (p) {
	case TP_INT8:
		return (uint32_t)(uint8_t)ref_rng_range(r, -128, 127);
	case TP_INT16:
		return (uint32_t)(uint16_t)ref_rng_range(r, -32768, 32767);
	case TP_INT32:
		/* Mostly moderate values, sometimes near the limits. */
		if (ref_rng_range(r, 0, 3) == 0)
			return (uint32_t)ref_rng_range(r, INT32_MIN, INT32_MAX);
		return (uint32_t)ref_rng_range(r, -100000, 100000);
	case TP_FP16:
		ref_fill_f16(r, &h, 1, -4, 4);
		return h;
	default: {
		float f = (float)ldexp((double)ref_rng_range(r, -(1 << 23), 1 << 23),
				       ref_rng_range(r, -30, -10));

		if (f == 0.0f)
			f = 1.0f;
		uint32_t u;

		memcpy(&u, &f, sizeof(u));
		return u;
	}
	}
}

static double float_of(uint32_t bits, unsigned int p)
{
	float f;

	if (p == TP_FP16)
		return ref_half_to_float((uint16_t)bits);
	memcpy(&f, &bits, sizeof(f));
	return f;
}

static uint32_t bits_of_double(double v, unsigned int p)
{
	float f;
	uint32_t u;

	if (p == TP_FP16)
		return ref_half_from_double(v);
	f = (float)v;
	memcpy(&u, &f, sizeof(u));
	return u;
}

/* ---- expected values from reference primitives -------------------------- */

struct params {
	int32_t cvt_offset;
	uint16_t cvt_scale;
	unsigned int cvt_shift;
	bool cvt_add_first, cvt_up;
	unsigned int trunc, trunc_neg;
	uint32_t reg;               /* register operand bits */
	int32_t bs_add;             /* F_BSBN */
	int32_t *bn_mul;            /* F_BSBN, [c] */
	uint32_t *bn_shift;         /* F_BSBN, [c] */
	uint16_t out_scale;         /* F_FUSED requantisation */
	unsigned int out_shift;
	int32_t out_offset;
};

static int64_t sat32(int64_t v)
{
	return ref_sat_bits(v, 32);
}

static int64_t expect_int(const struct ew_case *k, const struct params *q, int64_t a, int64_t b,
			  unsigned int ch)
{
	unsigned int bits = 8 * prec_bytes(k->out_prec);
	int64_t x = a;

	if (k->fam == F_BSBN) {
		x = sat32(x + q->bs_add);
		x = sat32(ref_rshift_round(x * q->bn_mul[ch], q->bn_shift[ch], REF_ROUND_HALF_UP));
		if (k->relu && x < 0)
			x = 0;
		return ref_sat_bits(x, bits);
	}
	if (k->cvt) {
		enum ref_round m = q->cvt_up ? REF_ROUND_HALF_UP : REF_ROUND_HALF_EVEN;

		b = q->cvt_add_first ? ref_rshift_round(sat32(b + q->cvt_offset) * q->cvt_scale,
							 q->cvt_shift, m)
				     : ref_rshift_round(b * q->cvt_scale, q->cvt_shift, m) +
					       q->cvt_offset;
		b = sat32(b);
	}
	if (k->op == OP_MUL) {
		/* The multiplier takes the operand's low 16 bits, signed. */
		int64_t m = (int16_t)(uint16_t)((uint64_t)b & 0xffffu);

		x = sat32(ref_rshift_round(x * m, x < 0 ? q->trunc_neg : q->trunc,
					   REF_ROUND_HALF_UP));
	} else {
		x = sat32(ref_ew_i64(ref_op(k->op), x, b));
	}
	if (k->relu && x < 0)
		x = 0;
	if (k->fam == F_FUSED)
		return ref_requant(x, q->out_scale, q->out_shift, q->out_offset, false,
				   REF_ROUND_HALF_EVEN, bits);
	return ref_sat_bits(x, bits);
}

static double expect_float(const struct ew_case *k, double a, double b)
{
	double x = ref_ew_f64(ref_op(k->op), a, b);

	if (k->relu && x < 0.0)
		x = 0.0;
	return x;
}

/* ---- streams ------------------------------------------------------------ */

static void fill_ew(const struct ew_case *k, const struct params *q, struct ew_desc *e,
		    uint32_t addr, unsigned int esize)
{
	memset(e, 0, sizeof(*e));
	e->on = true;
	e->mul = k->op == OP_MUL;
	e->algo = k->op == OP_MUL ? 0 : k->op;
	e->op_mem = !k->reg_op;
	e->op_value = q->reg;
	e->esize = esize;
	e->addr = addr;
	e->line_notch = k->line_notch;
	e->surf_notch = k->surf_notch;
	e->cvt = k->cvt;
	e->cvt_add_first = q->cvt_add_first;
	e->cvt_half_up = q->cvt_up;
	e->cvt_offset = q->cvt_offset;
	e->cvt_scale = q->cvt_scale;
	e->cvt_shift = q->cvt_shift;
	e->trunc = q->trunc;
	e->trunc_neg = q->trunc_neg;
	e->relu = k->relu;
	e->equal_en = k->op == ALU_MAX || k->op == ALU_MIN;
}

/* Writes a w x h x c NC1HWC2 cube with line/surface notches. */
static void put_cube(uint8_t *dst, const uint32_t *v, const struct ew_case *k, unsigned int eb,
		     bool notched)
{
	unsigned int c2 = 16 / eb;
	size_t line = k->w + (notched ? k->line_notch : 0);
	size_t surf = line * k->h + (notched ? k->surf_notch : 0);

	for (unsigned int ch = 0; ch < k->c; ch++)
		for (unsigned int y = 0; y < k->h; y++)
			for (unsigned int x = 0; x < k->w; x++) {
				size_t atom = (ch / c2) * surf + y * line + x;

				diff_put(dst, atom * c2 + ch % c2, eb,
					 v[((size_t)ch * k->h + y) * k->w + x]);
			}
}

static size_t notched_bytes(const struct ew_case *k, unsigned int eb)
{
	unsigned int c2 = 16 / eb;

	return ((k->c + c2 - 1) / c2) *
	       ((size_t)(k->w + k->line_notch) * k->h + k->surf_notch) * 16 + 16;
}

static void make_params(const struct ew_case *k, struct ref_rng *r, struct params *q)
{
	memset(q, 0, sizeof(*q));
	/* Identity converter unless the case asks for a real one (floats only
	 * accept the identity). */
	q->cvt_scale = 1;
	if (k->cvt) {
		q->cvt_scale = (uint16_t)ref_rng_range(r, 1, 65535);
		q->cvt_shift = (unsigned int)ref_rng_range(r, 0, 20);
		q->cvt_offset = ref_rng_range(r, -300, 300);
		q->cvt_add_first = ref_rng_range(r, 0, 1);
		q->cvt_up = ref_rng_range(r, 0, 1);
	}
	if (k->op == OP_MUL && !is_float(k->prec)) {
		q->trunc = (unsigned int)ref_rng_range(r, 0, 12);
		q->trunc_neg = (unsigned int)ref_rng_range(r, 0, 12);
	}
	if (is_float(k->prec)) {
		/* An fp16 value in fp32 bits: rounding the result once to fp16
		 * then matches the reference exactly. */
		float f = (float)float_of(rand_bits(r, TP_FP16), TP_FP16);

		memcpy(&q->reg, &f, sizeof(f));
	} else {
		q->reg = rand_bits(r, k->prec == TP_INT32 ? TP_INT32 : TP_INT16);
		q->reg = (uint32_t)diff_sext(q->reg, k->prec == TP_INT32 ? 4 : 2);
	}
	q->bs_add = ref_rng_range(r, -5000, 5000);
	q->out_scale = (uint16_t)ref_rng_range(r, 1000, 65535);
	q->out_shift = (unsigned int)ref_rng_range(r, 16, 22);
	q->out_offset = ref_rng_range(r, -10, 10);
}

static void run_flying(const struct ew_case *k, struct diff_ctx *c, struct ref_rng *r)
{
	unsigned int ib = prec_bytes(k->prec), ob = prec_bytes(k->out_prec);
	unsigned int esize = ib;
	size_t n = (size_t)k->c * k->h * k->w;
	uint32_t *a = zalloc(n, sizeof(uint32_t)), *b = zalloc(n, sizeof(uint32_t));
	struct diff_check chk = { .what = k->name };
	static struct diff_list l;
	struct flying_desc f = { 0 };
	struct dpu_desc dd = { 0 };
	struct params q;
	const uint8_t *out;

	make_params(k, r, &q);
	q.bn_mul = zalloc(k->c, sizeof(int32_t));
	q.bn_shift = zalloc(k->c, sizeof(uint32_t));
	for (size_t i = 0; i < n; i++) {
		a[i] = rand_bits(r, k->prec);
		b[i] = rand_bits(r, k->prec);
	}
	f.w = k->w;
	f.h = k->h;
	f.c = k->c;
	f.in_prec = k->prec;
	f.out_prec = k->out_prec;
	f.widen = k->widen;
	f.line_notch = k->line_notch;
	f.surf_notch = k->surf_notch;
	f.in = diff_alloc(c, notched_bytes(k, ib));
	put_cube(diff_ptr(c, f.in), a, k, ib, true);
	f.out = diff_alloc(c, cube_bytes(k->w, k->h, k->c, ob));
	if (k->fam == F_EW) {
		uint32_t eaddr = diff_alloc(c, notched_bytes(k, esize));

		put_cube(diff_ptr(c, eaddr), b, k, esize, true);
		fill_ew(k, &q, &dd.ew, eaddr, esize);
	} else {
		uint32_t rec = diff_alloc(c, (size_t)k->c * 8);

		for (unsigned int ch = 0; ch < k->c; ch++) {
			q.bn_mul[ch] = ref_rng_range(r, -32768, 32767);
			q.bn_shift[ch] = (uint32_t)ref_rng_range(r, 0, 15);
			diff_put(diff_ptr(c, rec), 2 * ch, 4, (uint32_t)q.bn_mul[ch]);
			diff_put(diff_ptr(c, rec), 2 * ch + 1, 4, q.bn_shift[ch]);
		}
		dd.bs.on = true;
		dd.bs.alu = true;
		dd.bs.alu_algo = ALU_ADD;
		dd.bs.alu_value = (uint32_t)q.bs_add;
		dd.bn.on = true;
		dd.bn.mul = true;
		dd.bn.mul_mem = true;
		dd.bn.shift_mem = true;
		dd.bn.relu = k->relu;
		dd.bn.mem = rec;
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
			for (unsigned int x = 0; x < k->w; x++) {
				size_t i = ((size_t)ch * k->h + y) * k->w + x;
				uint32_t got = diff_get(out, cube_index(k->w, k->h, ob, ch, y, x), ob);

				if (is_float(k->prec)) {
					double bb = k->reg_op ? float_of(q.reg, TP_FP32)
							      : float_of(b[i], k->prec);
					double want = expect_float(k, float_of(a[i], k->prec), bb);

					diff_expect_eq(&chk, i, got, bits_of_double(want, k->out_prec));
					continue;
				}
				int64_t bb = k->reg_op ? (int32_t)q.reg : diff_sext(b[i], esize);

				diff_expect_eq(&chk, i, diff_sext(got, ob),
					       expect_int(k, &q, diff_sext(a[i], ib), bb, ch));
			}
	free(a);
	free(b);
	free(q.bn_mul);
	free(q.bn_shift);
	diff_done(&chk);
}

/* int8 3x3 convolution whose int32 result gets an int8 operand added
 * through the converter, then requantised to int8 (a residual add). */
static void run_fused(const struct ew_case *k, struct diff_ctx *c, struct ref_rng *r)
{
	unsigned int ca = (k->c + 15) / 16 * 16, o = k->c, kk = 3;
	struct ref_conv_shape s = { .c = k->c, .h = k->h, .w = k->w, .o = o, .kh = kk, .kw = kk,
				    .sy = 1, .sx = 1, .dy = 1, .dx = 1, .pt = 1, .pl = 1,
				    .oh = k->h, .ow = k->w };
	size_t nx = (size_t)k->c * k->h * k->w, nw = (size_t)o * k->c * kk * kk;
	int32_t *x = zalloc(nx, sizeof(int32_t)), *wt = zalloc(nw, sizeof(int32_t));
	int64_t *y = zalloc((size_t)o * k->h * k->w, sizeof(int64_t));
	uint32_t *b = zalloc((size_t)o * k->h * k->w, sizeof(uint32_t));
	int8_t *dense = zalloc((size_t)o * kk * kk * ca, 1);
	struct diff_check chk = { .what = k->name };
	static struct diff_list l;
	struct dpu_desc dd = { 0 };
	struct conv_desc d = { 0 };
	struct params q;
	const uint8_t *out;

	make_params(k, r, &q);
	diff_fill_i(r, x, nx, -128, 127);
	diff_fill_i(r, wt, nw, -128, 127);
	for (size_t i = 0; i < (size_t)o * k->h * k->w; i++)
		b[i] = rand_bits(r, TP_INT8);
	ref_conv2d_i64(&s, x, wt, 0, y);
	for (unsigned int oc = 0; oc < o; oc++)
		for (unsigned int t = 0; t < kk * kk; t++)
			for (unsigned int ch = 0; ch < k->c; ch++)
				dense[((size_t)oc * kk * kk + t) * ca + ch] =
					(int8_t)wt[((size_t)oc * k->c + ch) * kk * kk + t];

	d.out_prec = k->out_prec;
	d.w = k->w;
	d.h = k->h;
	d.c = ca;
	d.kw = d.kh = kk;
	d.n = o;
	d.sx = d.sy = 1;
	d.pad_l = d.pad_t = 1;
	d.out_w = k->w;
	d.out_h = k->h;
	d.in = diff_alloc(c, cube_bytes(k->w, k->h, ca, 1));
	diff_pack_i(diff_ptr(c, d.in), x, k->c, k->h, k->w, 1);
	d.wt = diff_alloc(c, conv_wt_bytes(&d));
	pack_weights(&d, dense, diff_ptr(c, d.wt));
	d.out = diff_alloc(c, cube_bytes(k->w, k->h, o, 1));
	{
		uint32_t eaddr = diff_alloc(c, notched_bytes(k, 1));

		put_cube(diff_ptr(c, eaddr), b, k, 1, true);
		fill_ew(k, &q, &dd.ew, eaddr, 1);
	}
	dd.cvt = true;
	dd.cvt_scale = q.out_scale;
	dd.cvt_shift = q.out_shift;
	dd.cvt_offset = q.out_offset;
	d.dpu = &dd;
	d.rdma = true;
	l.n = 0;
	{
		uint64_t *w = diff_task(&l, CONV_OP_EN | RDMA_OP_EN);

		diff_task_words(&l, conv_body(w, &d));
	}
	diff_run(c, &l);

	out = diff_ptr(c, d.out);
	for (unsigned int oc = 0; oc < o; oc++)
		for (unsigned int yy = 0; yy < k->h; yy++)
			for (unsigned int xx = 0; xx < k->w; xx++) {
				size_t i = ((size_t)oc * k->h + yy) * k->w + xx;
				int64_t acc = ref_sat_bits(y[i], 32);

				diff_expect_eq(&chk, i,
					       diff_sext(diff_get(out, cube_index(k->w, k->h, 1, oc,
										  yy, xx),
								  1),
							 1),
					       expect_int(k, &q, acc, diff_sext(b[i], 1), oc));
			}
	free(x);
	free(wt);
	free(y);
	free(b);
	free(dense);
	diff_done(&chk);
}

static void run_case(void **state)
{
	const struct ew_case *k = *state;
	struct diff_ctx *c = diff_global();
	struct ref_rng r;

	diff_case_begin(c);
	ref_rng_seed(&r, k->seed);
	if (k->fam == F_FUSED)
		run_fused(k, c, &r);
	else
		run_flying(k, c, &r);
}

/* ---- cases -------------------------------------------------------------- */

static void add(struct ew_case k)
{
	int n;

	if (g_n >= MAX_CASES)
		return;
	if (k.out_prec == 0 && k.prec != TP_INT8)
		k.out_prec = k.prec;
	if (k.fam == F_BSBN)
		n = snprintf(k.name, sizeof(k.name), "dpu.%s.bs_add.bn_mul_channel",
			     prec_name(k.prec));
	else if (k.fam == F_FUSED)
		n = snprintf(k.name, sizeof(k.name), "conv_ew.int8.%s", op_name(k.op));
	else
		n = snprintf(k.name, sizeof(k.name), "ew.%s.%s", prec_name(k.prec), op_name(k.op));
	n += snprintf(k.name + n, sizeof(k.name) - n, ".%ux%ux%u", k.h, k.w, k.c);
	if (k.out_prec != k.prec)
		n += snprintf(k.name + n, sizeof(k.name) - n, ".out_%s", prec_name(k.out_prec));
	if (k.reg_op)
		n += snprintf(k.name + n, sizeof(k.name) - n, ".reg");
	if (k.widen)
		n += snprintf(k.name + n, sizeof(k.name) - n, ".widen");
	if (k.cvt)
		n += snprintf(k.name + n, sizeof(k.name) - n, ".cvt");
	if (k.line_notch || k.surf_notch)
		n += snprintf(k.name + n, sizeof(k.name) - n, ".notch%u_%u", k.line_notch,
			      k.surf_notch);
	if (k.relu)
		snprintf(k.name + n, sizeof(k.name) - n, ".relu");
	k.seed = 0x2545f4914f6cdd1dull * (g_n + 7);
	g_cases[g_n++] = k;
}

static void cases(bool full)
{
	static const unsigned int int_ops[] = { ALU_MAX, ALU_MIN, ALU_ADD, ALU_MINUS,
						ALU_ABS, ALU_NEG, OP_MUL };
	static const unsigned int fp_ops[] = { ALU_MAX, ALU_MIN, ALU_ADD, ALU_DIV, ALU_MINUS,
					       ALU_ABS, ALU_NEG, ALU_FLOOR, ALU_CEIL, OP_MUL };
	static const unsigned int ints[] = { TP_INT8, TP_INT16, TP_INT32 };
	struct ref_rng r;

	/* Every operation once per precision. */
	for (unsigned int p = 0; p < 3; p++)
		for (unsigned int i = 0; i < 7; i++)
			add((struct ew_case){ .fam = F_EW, .prec = ints[p], .out_prec = ints[p],
					      .op = int_ops[i], .h = 3, .w = 5, .c = 20,
					      .cvt = ints[p] != TP_INT32 && i % 2 });
	for (unsigned int i = 0; i < 10; i++) {
		add((struct ew_case){ .fam = F_EW, .prec = TP_FP16, .out_prec = TP_FP16,
				      .op = fp_ops[i], .h = 2, .w = 7, .c = 12, .widen = i % 2 });
		add((struct ew_case){ .fam = F_EW, .prec = TP_FP32, .out_prec = TP_FP32,
				      .op = fp_ops[i], .h = 1, .w = 9, .c = 6 });
	}
	/* Register operand, notches, widening to fp32 out, ReLU, requant. */
	add((struct ew_case){ .fam = F_EW, .prec = TP_INT16, .out_prec = TP_INT16, .op = ALU_ADD,
			      .h = 4, .w = 4, .c = 8, .reg_op = true, .relu = true });
	add((struct ew_case){ .fam = F_EW, .prec = TP_FP16, .out_prec = TP_FP16, .op = OP_MUL,
			      .h = 3, .w = 3, .c = 8, .reg_op = true, .widen = true });
	add((struct ew_case){ .fam = F_EW, .prec = TP_INT8, .out_prec = TP_INT8, .op = ALU_MINUS,
			      .h = 5, .w = 6, .c = 40, .line_notch = 3, .surf_notch = 7,
			      .cvt = true, .relu = true });
	add((struct ew_case){ .fam = F_EW, .prec = TP_FP16, .out_prec = TP_FP32, .op = ALU_ADD,
			      .h = 4, .w = 5, .c = 9, .widen = true });
	add((struct ew_case){ .fam = F_EW, .prec = TP_INT8, .out_prec = TP_INT32, .op = OP_MUL,
			      .h = 2, .w = 2, .c = 17, .cvt = true });
	add((struct ew_case){ .fam = F_BSBN, .prec = TP_INT16, .out_prec = TP_INT16, .h = 3,
			      .w = 4, .c = 11, .relu = true });
	add((struct ew_case){ .fam = F_BSBN, .prec = TP_INT32, .out_prec = TP_INT8, .h = 2,
			      .w = 3, .c = 5 });
	add((struct ew_case){ .fam = F_FUSED, .prec = TP_INT8, .out_prec = TP_INT8, .op = ALU_ADD,
			      .h = 6, .w = 7, .c = 24, .cvt = true, .relu = true });
	add((struct ew_case){ .fam = F_FUSED, .prec = TP_INT8, .out_prec = TP_INT8,
			      .op = OP_MUL, .h = 5, .w = 5, .c = 16, .cvt = true });
	/* CI runs a small seeded sample of the sweep. */
	size_t stop = full ? MAX_CASES : g_n + SMOKE_RANDOM;

	ref_rng_seed(&r, 0xe1e11e);
	while (g_n < stop) {
		struct ew_case k = { .fam = F_EW };
		unsigned int p = (unsigned int)ref_rng_range(&r, 0, 4);

		k.prec = p < 3 ? ints[p] : p == 3 ? TP_FP16 : TP_FP32;
		k.out_prec = k.prec;
		if (!is_float(k.prec)) {
			k.op = int_ops[ref_rng_range(&r, 0, 6)];
			k.out_prec = ints[ref_rng_range(&r, 0, 2)];
			k.cvt = k.prec != TP_INT32 && ref_rng_range(&r, 0, 1);
			if (ref_rng_range(&r, 0, 5) == 0)
				k.fam = (enum family)ref_rng_range(&r, 1, 2);
			if (k.fam == F_FUSED) {
				k.prec = k.out_prec = TP_INT8;
				k.op = ref_rng_range(&r, 0, 1) ? ALU_ADD : OP_MUL;
			}
		} else {
			k.op = fp_ops[ref_rng_range(&r, 0, 9)];
			k.widen = k.prec == TP_FP16 && ref_rng_range(&r, 0, 1);
			if (k.widen && ref_rng_range(&r, 0, 1))
				k.out_prec = TP_FP32;
		}
		k.h = (unsigned int)ref_rng_range(&r, 1, 40);
		k.w = (unsigned int)ref_rng_range(&r, 1, 40);
		k.c = (unsigned int)ref_rng_range(&r, 1, 70);
		k.reg_op = k.fam == F_EW && ref_rng_range(&r, 0, 4) == 0;
		k.relu = ref_rng_range(&r, 0, 1);
		if (k.fam != F_FUSED && ref_rng_range(&r, 0, 3) == 0) {
			k.line_notch = (unsigned int)ref_rng_range(&r, 0, 5);
			k.surf_notch = (unsigned int)ref_rng_range(&r, 0, 20);
		}
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
	return _cmocka_run_group_tests("diff-eltwise", tests, g_n, diff_group_setup,
				       diff_group_teardown);
}
