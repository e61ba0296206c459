// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The EW-stage lookup table: flying-mode DPU tasks (EW operation bypassed,
 * LUT on) over int8/int16/int32 cubes, checked bit for bit against the
 * reference of docs/hw-lut.md (tests/ref/ref_lut.c). Tables are loaded the
 * way the RK3588 programs do it (one LUT_ACCESS_CFG, 513 LUT_ACCESS_DATA in
 * the command stream) or over MMIO; cases cover linear and exponent LE
 * tables, LO, values below and above both tables with their slopes, the
 * three priority bits, SiLU/sigmoid/tanh tables, the table read-back, and
 * malformed uploads and unmodelled modes, which must end with the error
 * status naming the register.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diff_util.h"
#include "rk3588_regs.h"

#define MAX_CASES 160u
#define SMOKE_RANDOM 16u
#define N REF_LUT_ENTRIES
/* Words of a task body: two uploads, the flying task, the LUT registers. */
#define BODY_WORDS (2u * (N + 1u) + 256u)
/* What diff_alloc() fills fresh device memory with. */
#define OUT_FILL 0xa5

enum fn { FN_SIGMOID, FN_TANH, FN_SILU, FN_SQRT, FN_RANDOM };

struct lut_case {
	char name[DIFF_NAME_LEN];
	enum fn fn;
	unsigned int prec, out_prec;   /* TP_INT8/16/32 */
	/* Real value of input x is x / in_scale; entries are f * out_scale. */
	double in_scale, out_scale;
	/* Register programming (tables filled per case). */
	int32_t le_start, le_end, lo_start, lo_end;
	unsigned int le_sel, lo_sel;
	bool le_log;
	int le_offset;
	bool under_lo, over_lo, both_lo;
	bool slopes;                   /* random slopes, else zero */
	bool lo_far;                   /* LO placed where nothing reaches it */
	bool mmio;                     /* tables over MMIO, else in the stream */
	bool relu;
	int32_t lo_in, hi_in;          /* input value range */
	unsigned int w, h, c;
	uint64_t seed;
};

static struct lut_case g_cases[MAX_CASES];
static size_t g_n;

static const char *prec_name(unsigned int p)
{
	return p == TP_INT8 ? "int8" : p == TP_INT16 ? "int16" : "int32";
}

static const char *fn_name(enum fn f)
{
	static const char *const names[] = { "sigmoid", "tanh", "silu", "sqrt", "random" };

	return names[f];
}

static double fn_value(enum fn f, double v)
{
	switch (f) {
	case FN_SIGMOID:
		return 1.0 / (1.0 + exp(-v));
	case FN_TANH:
		return tanh(v);
	case FN_SILU:
		return v / (1.0 + exp(-v));
	case FN_SQRT:
		return v > 0.0 ? sqrt(v) : 0.0;
	default:
		return 0.0;
	}
}

static int16_t q16(double v)
{
	double r = floor(v + 0.5);

	return (int16_t)(r > 32767.0 ? 32767 : r < -32768.0 ? -32768 : r);
}

/* Entry i of a linear table starting at @start with steps of 2^sel. */
static void fill_linear(const struct lut_case *k, int16_t *t, int64_t start, unsigned int sel,
			struct ref_rng *r)
{
	for (int i = 0; i < N; i++) {
		double x = (double)(start + ((int64_t)i << sel)) / k->in_scale;

		t[i] = k->fn == FN_RANDOM ? (int16_t)ref_rng_range(r, -32768, 32767)
					  : q16(fn_value(k->fn, x) * k->out_scale);
	}
}

/* Entry i of an exponent table: the value at start + 2^(i + offset). */
static void fill_log(const struct lut_case *k, int16_t *t, struct ref_rng *r)
{
	for (int i = 0; i < N; i++) {
		int e = i + k->le_offset;
		double x = e > 40 ? 1e12 : ((double)k->le_start + ldexp(1.0, e)) / k->in_scale;

		t[i] = k->fn == FN_RANDOM ? (int16_t)ref_rng_range(r, -32768, 32767)
					  : q16(fn_value(k->fn, x) * k->out_scale);
	}
}

static void *zalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	assert_non_null(p);
	return p;
}

/* ---- streams -------------------------------------------------------------- */

#define DPU_W(reg, val) (w[n++] = rk3588_regcmd(RK3588_TARGET_DPU, (uint16_t)(reg), (val)))

static size_t upload_words(uint64_t *w, size_t n, unsigned int id, const int16_t *t)
{
	uint32_t cfg = 0;

	rk3588_set_DPU_LUT_ACCESS_CFG_LUT_ACCESS_TYPE(&cfg, 1);
	rk3588_set_DPU_LUT_ACCESS_CFG_LUT_TABLE_ID(&cfg, id);
	DPU_W(REG_DPU_LUT_ACCESS_CFG, cfg);
	/* Sign-extended into bits 31:16, as the RK3588 programs write them. */
	for (int i = 0; i < N; i++)
		DPU_W(REG_DPU_LUT_ACCESS_DATA, (uint32_t)(int32_t)t[i]);
	return n;
}

static void upload_mmio(struct diff_ctx *c, unsigned int id, const int16_t *t)
{
	uint32_t cfg = 0;

	rk3588_set_DPU_LUT_ACCESS_CFG_LUT_ACCESS_TYPE(&cfg, 1);
	rk3588_set_DPU_LUT_ACCESS_CFG_LUT_TABLE_ID(&cfg, id);
	rk3588_sim_mmio_write(c->sim, 0, REG_DPU_LUT_ACCESS_CFG, cfg);
	for (int i = 0; i < N; i++)
		rk3588_sim_mmio_write(c->sim, 0, REG_DPU_LUT_ACCESS_DATA, (uint16_t)t[i]);
}

static size_t lut_reg_words(uint64_t *w, size_t n, const struct lut_case *k,
			    const struct ref_lut *l)
{
	uint32_t v = 0;

	rk3588_set_DPU_LUT_CFG_ROAD_SEL(&v, k->le_log);
	rk3588_set_DPU_LUT_CFG_UFLOW_PRIORITY(&v, k->under_lo);
	rk3588_set_DPU_LUT_CFG_OFLOW_PRIORITY(&v, k->over_lo);
	rk3588_set_DPU_LUT_CFG_HYBRID_PRIORITY(&v, k->both_lo);
	if (k->seed & 1) /* allbilly's value; documented as without effect */
		rk3588_set_DPU_LUT_CFG_LO_LE_MUX(&v, 2);
	DPU_W(REG_DPU_LUT_CFG, v);
	v = 0;
	rk3588_set_DPU_LUT_INFO_LO_INDEX_SELECT(&v, k->lo_sel);
	rk3588_set_DPU_LUT_INFO_LE_INDEX_SELECT(&v, k->le_sel);
	rk3588_set_DPU_LUT_INFO_LE_INDEX_OFFSET(&v, (uint8_t)(int8_t)k->le_offset);
	DPU_W(REG_DPU_LUT_INFO, v);
	DPU_W(REG_DPU_LUT_LE_START, (uint32_t)l->le.start);
	DPU_W(REG_DPU_LUT_LE_END, (uint32_t)l->le.end);
	DPU_W(REG_DPU_LUT_LO_START, (uint32_t)l->lo.start);
	DPU_W(REG_DPU_LUT_LO_END, (uint32_t)l->lo.end);
	DPU_W(REG_DPU_LUT_LE_SLOPE_SCALE,
	      ((uint32_t)(uint16_t)l->le.over_scale << 16) | (uint16_t)l->le.under_scale);
	DPU_W(REG_DPU_LUT_LE_SLOPE_SHIFT, (l->le.over_shift << 5) | l->le.under_shift);
	DPU_W(REG_DPU_LUT_LO_SLOPE_SCALE,
	      ((uint32_t)(uint16_t)l->lo.over_scale << 16) | (uint16_t)l->lo.under_scale);
	DPU_W(REG_DPU_LUT_LO_SLOPE_SHIFT, (l->lo.over_shift << 5) | l->lo.under_shift);
	return n;
}

/* Clears EW_LUT_BYPASS in the EW_CFG word of w[n, n + m). */
static void lut_on(uint64_t *w, size_t n, size_t m)
{
	bool found = false;

	for (size_t i = n; i < n + m; i++)
		if (rk3588_regcmd_offset(w[i]) == REG_DPU_EW_CFG) {
			uint32_t v = rk3588_regcmd_value(w[i]);

			rk3588_set_DPU_EW_CFG_EW_LUT_BYPASS(&v, 0);
			w[i] = rk3588_regcmd(rk3588_regcmd_target(w[i]), REG_DPU_EW_CFG, v);
			found = true;
		}
	assert_true(found);
}

/* The flying body of @f with the LUT switched on. */
static size_t lut_task_words(uint64_t *w, size_t n, const struct flying_desc *f)
{
	size_t m = flying_body(w + n, f);

	lut_on(w, n, m);
	return n + m;
}

/* Runs one task of @n body words; returns RAW (cleared). No failure on an
 * error status: the caller decides. */
static uint32_t run_words(struct diff_ctx *c, const uint64_t *body, size_t n, uint32_t op_en)
{
	uint64_t *buf = zalloc(n + TAIL_WORDS, sizeof(uint64_t));
	uint32_t addr = diff_alloc(c, (n + TAIL_WORDS) * 8), raw;

	memcpy(buf, body, n * 8);
	task_tail(buf + n, 0, 0, op_en);
	fb_put_words(&c->fb, addr, buf, n + TAIL_WORDS);
	free(buf);
	test_commit(c->sim, 0, addr, amount_for(n + TAIL_WORDS), 1, DIFF_INT_MASK);
	rk3588_sim_wait_idle(c->sim, 0);
	raw = rk3588_sim_mmio_read(c->sim, 0, REG_PC_INTERRUPT_RAW_STATUS);
	rk3588_sim_mmio_write(c->sim, 0, REG_PC_INTERRUPT_CLEAR, RK3588_INT_ALL);
	return raw;
}

static void expect_ok(struct diff_ctx *c, uint32_t raw)
{
	char msg[256];

	if (raw & (RK3588_INT_DMA_READ_ERROR | RK3588_INT_DMA_WRITE_ERROR)) {
		if (!rk3588_sim_last_error(c->sim, 0, msg, sizeof(msg)))
			snprintf(msg, sizeof(msg), "(no message)");
		fail_msg("the software NPU reported an error (raw 0x%x): %s", raw, msg);
	}
	assert_true(raw & RK3588_INT_DPU_GRP0 || raw & RK3588_INT_DPU_GRP1);
}

static void expect_refused(struct diff_ctx *c, uint32_t raw, const char *mention)
{
	char msg[256];

	assert_int_equal(raw & RK3588_INT_DMA_READ_ERROR, RK3588_INT_DMA_READ_ERROR);
	assert_true(rk3588_sim_last_error(c->sim, 0, msg, sizeof(msg)));
	if (!strstr(msg, mention))
		fail_msg("error \"%s\" does not mention %s", msg, mention);
	print_message("# refused as expected: %s\n", msg);
}

/* ---- one case ------------------------------------------------------------- */

static void make_lut(const struct lut_case *k, struct ref_rng *r, struct ref_lut *l,
		     int16_t *le, int16_t *lo)
{
	memset(l, 0, sizeof(*l));
	l->le = (struct ref_lut_side){ .start = k->le_start, .end = k->le_end, .sel = k->le_sel,
				       .t = le };
	l->lo = (struct ref_lut_side){ .start = k->lo_start, .end = k->lo_end, .sel = k->lo_sel,
				       .t = lo };
	l->le_log = k->le_log;
	l->le_offset = k->le_offset;
	l->under_lo = k->under_lo;
	l->over_lo = k->over_lo;
	l->both_lo = k->both_lo;
	if (k->slopes) {
		struct ref_lut_side *s[2] = { &l->le, &l->lo };

		for (int i = 0; i < 2; i++) {
			s[i]->under_scale = (int16_t)ref_rng_range(r, -32768, 32767);
			s[i]->over_scale = (int16_t)ref_rng_range(r, -32768, 32767);
			s[i]->under_shift = (unsigned int)ref_rng_range(r, 0, 31);
			s[i]->over_shift = (unsigned int)ref_rng_range(r, 0, 31);
		}
	}
	if (k->le_log)
		fill_log(k, le, r);
	else
		fill_linear(k, le, k->le_start, k->le_sel, r);
	fill_linear(k, lo, k->lo_start, k->lo_sel, r);
}

/* Inputs: random over the case's range plus every table edge within it. */
static void make_inputs(const struct lut_case *k, struct ref_rng *r, int32_t *x, size_t n)
{
	const int64_t edges[] = { k->le_start, k->le_end, k->lo_start, k->lo_end,
				  (int64_t)k->le_start + ((int64_t)(N - 1) << k->le_sel),
				  (int64_t)k->lo_start + ((int64_t)(N - 1) << k->lo_sel) };
	size_t j = 0;

	diff_fill_i(r, x, n, k->lo_in, k->hi_in);
	for (size_t e = 0; e < sizeof(edges) / sizeof(edges[0]); e++)
		for (int d = -1; d <= 1; d++) {
			int64_t v = edges[e] + d;

			if (j < n && v >= k->lo_in && v <= k->hi_in)
				x[j++] = (int32_t)v;
		}
	if (j < n)
		x[j++] = k->lo_in;
	if (j < n)
		x[j++] = k->hi_in;
}

static void run_case(void **state)
{
	const struct lut_case *k = *state;
	struct diff_ctx *c = diff_global();
	unsigned int ib = prec_bytes(k->prec), ob = prec_bytes(k->out_prec);
	size_t count = (size_t)k->c * k->h * k->w;
	int32_t *x = zalloc(count, sizeof(int32_t));
	int16_t *le = zalloc(N, sizeof(int16_t)), *lo = zalloc(N, sizeof(int16_t));
	uint64_t *w = zalloc(BODY_WORDS, sizeof(uint64_t));
	struct diff_check chk = { .what = k->name };
	struct dpu_desc dd = { 0 };
	struct flying_desc f = { 0 };
	struct ref_lut l;
	struct ref_rng r;
	size_t n = 0;
	const uint8_t *out;

	diff_case_begin(c);
	ref_rng_seed(&r, k->seed);
	make_lut(k, &r, &l, le, lo);
	make_inputs(k, &r, x, count);

	f = (struct flying_desc){ .w = k->w, .h = k->h, .c = k->c, .in_prec = k->prec,
				  .out_prec = k->out_prec, .dpu = &dd };
	f.in = diff_alloc(c, cube_bytes(k->w, k->h, k->c, ib));
	f.out = diff_alloc(c, cube_bytes(k->w, k->h, k->c, ob));
	diff_pack_i(diff_ptr(c, f.in), x, k->c, k->h, k->w, ib);
	dd.ew.on = true;
	dd.ew.op_bypass = true;
	dd.ew.relu = k->relu;

	if (k->mmio) {
		upload_mmio(c, 0, le);
		upload_mmio(c, 1, lo);
	} else {
		n = upload_words(w, n, 0, le);
		n = upload_words(w, n, 1, lo);
	}
	n = lut_task_words(w, n, &f);
	n = lut_reg_words(w, n, k, &l);
	assert_true(n <= BODY_WORDS);
	expect_ok(c, run_words(c, w, n, EW_OP_EN));

	out = diff_ptr(c, f.out);
	for (unsigned int ch = 0; ch < k->c; ch++)
		for (unsigned int y = 0; y < k->h; y++)
			for (unsigned int xx = 0; xx < k->w; xx++) {
				size_t i = ((size_t)ch * k->h + y) * k->w + xx;
				int64_t want = ref_lut_apply(&l, x[i]);

				if (k->relu && want < 0)
					want = 0;
				want = ref_sat_bits(want, 8 * ob);
				diff_expect_eq(&chk, i,
					       diff_sext(diff_get(out,
								  cube_index(k->w, k->h, ob, ch, y,
									     xx),
								  ob),
							 ob),
					       want);
			}
	free(x);
	free(le);
	free(lo);
	free(w);
	diff_done(&chk);
}

/* An int8 3x3 convolution whose int32 sums go through the LUT (SiLU over
 * +-2^17 in two tables, random slopes beyond): the accumulator path. */
static void test_after_conv(void **state)
{
	enum { H = 7, W = 6, C = 20, CA = 32, O = 24, K = 3 };
	struct diff_ctx *c = diff_global();
	struct lut_case k = { .fn = FN_SILU, .in_scale = 16384, .out_scale = 4096,
			      .le_start = -131072, .le_end = 0, .le_sel = 8, .lo_start = 0,
			      .lo_end = 131072, .lo_sel = 8, .over_lo = true, .both_lo = true,
			      .slopes = true, .seed = 77 };
	struct ref_conv_shape sh = { .c = C, .h = H, .w = W, .o = O, .kh = K, .kw = K,
				     .sy = 1, .sx = 1, .dy = 1, .dx = 1, .pt = 1, .pl = 1,
				     .oh = H, .ow = W };
	struct diff_check chk = { .what = "lut.conv.int8.k3.silu" };
	int32_t *x = zalloc(C * H * W, sizeof(int32_t)), *wt = zalloc(O * C * K * K, 4);
	int8_t *dense = zalloc(O * K * K * CA, 1);
	int64_t *y = zalloc(O * H * W, sizeof(int64_t));
	int16_t le[N], lo[N];
	uint64_t *w = zalloc(BODY_WORDS, sizeof(uint64_t));
	struct dpu_desc dd = { .ew = { .on = true, .op_bypass = true } };
	struct conv_desc d = { 0 };
	struct ref_lut l;
	struct ref_rng r;
	size_t n = 0, m;

	(void)state;
	diff_case_begin(c);
	ref_rng_seed(&r, 0xc0);
	make_lut(&k, &r, &l, le, lo);
	diff_fill_i(&r, x, C * H * W, -128, 127);
	diff_fill_i(&r, wt, O * C * K * K, -128, 127);
	for (unsigned int o = 0; o < O; o++)
		for (unsigned int t = 0; t < K * K; t++)
			for (unsigned int ch = 0; ch < C; ch++)
				dense[((size_t)o * K * K + t) * CA + ch] =
					(int8_t)wt[((size_t)o * C + ch) * K * K + t];
	d = (struct conv_desc){ .out_prec = TP_INT32, .w = W, .h = H, .c = CA, .kw = K, .kh = K,
				.n = O, .sx = 1, .sy = 1, .pad_l = 1, .pad_t = 1, .out_w = W,
				.out_h = H, .dpu = &dd };
	d.in = diff_alloc(c, cube_bytes(W, H, CA, 1));
	diff_pack_i(diff_ptr(c, d.in), x, C, H, W, 1);
	d.wt = diff_alloc(c, conv_wt_bytes(&d));
	pack_weights(&d, dense, diff_ptr(c, d.wt));
	d.out = diff_alloc(c, cube_bytes(W, H, O, 4));

	n = upload_words(w, n, 0, le);
	n = upload_words(w, n, 1, lo);
	m = conv_body(w + n, &d);
	lut_on(w, n, m);
	n = lut_reg_words(w, n + m, &k, &l);
	expect_ok(c, run_words(c, w, n, CONV_OP_EN));

	ref_conv2d_i64(&sh, x, wt, 0, y);
	for (unsigned int o = 0; o < O; o++)
		for (unsigned int yy = 0; yy < H; yy++)
			for (unsigned int xx = 0; xx < W; xx++) {
				size_t i = ((size_t)o * H + yy) * W + xx;
				int64_t want = ref_lut_apply(&l, ref_sat_bits(y[i], 32));

				diff_expect_eq(&chk, i,
					       (int32_t)diff_get(diff_ptr(c, d.out),
								 cube_index(W, H, 4, o, yy, xx), 4),
					       want);
			}
	free(x);
	free(wt);
	free(dense);
	free(y);
	free(w);
	diff_done(&chk);
}

/* ---- the port, malformed uploads, refused modes --------------------------- */

static void read_table(struct diff_ctx *c, unsigned int id, int16_t *t)
{
	uint32_t cfg = 0;

	rk3588_set_DPU_LUT_ACCESS_CFG_LUT_TABLE_ID(&cfg, id);
	rk3588_sim_mmio_write(c->sim, 0, REG_DPU_LUT_ACCESS_CFG, cfg);
	for (int i = 0; i < N; i++)
		t[i] = (int16_t)(uint16_t)rk3588_sim_mmio_read(c->sim, 0, REG_DPU_LUT_ACCESS_DATA);
}

/* A small valid LUT task whose body starts with @pre words. */
static uint32_t lut_task_after(struct diff_ctx *c, const uint64_t *pre, size_t npre,
			       unsigned int prec, uint32_t *out_addr)
{
	static uint64_t w[BODY_WORDS];
	struct dpu_desc dd = { 0 };
	struct flying_desc f = { .w = 4, .h = 2, .c = 8, .in_prec = prec, .out_prec = prec,
				 .dpu = &dd };
	struct lut_case k = { .le_start = -100, .lo_start = 1000, .le_sel = 2, .lo_sel = 2 };
	struct ref_lut l = { .le = { .start = -100 }, .lo = { .start = 1000 } };
	unsigned int eb = prec_bytes(prec);
	size_t n = npre;

	if (npre)
		memcpy(w, pre, npre * 8);
	f.in = diff_alloc(c, cube_bytes(4, 2, 8, eb));
	f.out = diff_alloc(c, cube_bytes(4, 2, 8, eb));
	memset(diff_ptr(c, f.in), 0, cube_bytes(4, 2, 8, eb));
	*out_addr = f.out;
	dd.ew.on = true;
	dd.ew.op_bypass = true;
	n = lut_task_words(w, n, &f);
	n = lut_reg_words(w, n, &k, &l);
	return run_words(c, w, n, EW_OP_EN);
}

/* Tables loaded by a command stream (and by MMIO) read back entry for
 * entry; a DATA write in the read direction changes nothing. */
static void test_readback(void **state)
{
	struct diff_ctx *c = diff_global();
	int16_t t[2][N], got[N];
	static uint64_t w[2 * (N + 1)];
	struct ref_rng r;
	size_t n = 0;
	uint32_t out;

	(void)state;
	diff_case_begin(c);
	ref_rng_seed(&r, 0x10ad);
	for (int i = 0; i < N; i++) {
		t[0][i] = (int16_t)ref_rng_range(&r, -32768, 32767);
		t[1][i] = (int16_t)ref_rng_range(&r, -32768, 32767);
	}
	n = upload_words(w, n, 0, t[0]);
	n = upload_words(w, n, 1, t[1]);
	/* The upload runs as the first words of a LUT task. */
	expect_ok(c, lut_task_after(c, w, n, TP_INT8, &out));
	for (unsigned int id = 0; id < 2; id++) {
		read_table(c, id, got);
		assert_memory_equal(got, t[id], sizeof(got));
	}
	/* The ordinary streams' CFG = 0, DATA = 0 must not touch the table. */
	rk3588_sim_mmio_write(c->sim, 0, REG_DPU_LUT_ACCESS_CFG, 0);
	rk3588_sim_mmio_write(c->sim, 0, REG_DPU_LUT_ACCESS_DATA, 0);
	read_table(c, 0, got);
	assert_memory_equal(got, t[0], sizeof(got));
	/* MMIO upload of LO at an offset start address. */
	rk3588_sim_mmio_write(c->sim, 0, REG_DPU_LUT_ACCESS_CFG, (1u << 17) | (1u << 16) | 500u);
	for (int i = 0; i < 13; i++)
		rk3588_sim_mmio_write(c->sim, 0, REG_DPU_LUT_ACCESS_DATA, (uint16_t)(i * 1000 - 7));
	read_table(c, 1, got);
	for (int i = 0; i < N; i++)
		assert_int_equal(got[i], i >= 500 ? (i - 500) * 1000 - 7 : t[1][i]);
	/* Reads past the last entry return 0. */
	rk3588_sim_mmio_write(c->sim, 0, REG_DPU_LUT_ACCESS_CFG, 1u << 16 | 600u);
	assert_int_equal(rk3588_sim_mmio_read(c->sim, 0, REG_DPU_LUT_ACCESS_DATA), 0);
}

static void test_upload_past_end(void **state)
{
	struct diff_ctx *c = diff_global();
	static uint64_t w[N + 8];
	int16_t t[N] = { 0 };
	size_t n;
	uint32_t out;

	(void)state;
	diff_case_begin(c);
	n = upload_words(w, 0, 0, t);
	w[n++] = rk3588_regcmd(RK3588_TARGET_DPU, REG_DPU_LUT_ACCESS_DATA, 0x1234); /* entry 513 */
	expect_refused(c, lut_task_after(c, w, n, TP_INT16, &out), "DPU.LUT_ACCESS_DATA");
	/* Nothing was written out: the output keeps diff_alloc()'s fill. */
	assert_int_equal(((uint8_t *)diff_ptr(c, out))[0], OUT_FILL);
	/* A new, correct upload recovers. */
	n = upload_words(w, 0, 0, t);
	expect_ok(c, lut_task_after(c, w, n, TP_INT16, &out));
}

static void test_upload_bad_table_id(void **state)
{
	struct diff_ctx *c = diff_global();
	uint64_t w[2];
	uint32_t out;

	(void)state;
	diff_case_begin(c);
	/* Table id 4 reaches bit 18, which is reserved. */
	w[0] = rk3588_regcmd(RK3588_TARGET_DPU, REG_DPU_LUT_ACCESS_CFG, (1u << 17) | (4u << 16));
	w[1] = rk3588_regcmd(RK3588_TARGET_DPU, REG_DPU_LUT_ACCESS_DATA, 7);
	expect_refused(c, lut_task_after(c, w, 2, TP_INT8, &out), "DPU.LUT_ACCESS_CFG");
}

static void test_start_past_end(void **state)
{
	struct diff_ctx *c = diff_global();
	uint64_t w[2];
	uint32_t out;

	(void)state;
	diff_case_begin(c);
	w[0] = rk3588_regcmd(RK3588_TARGET_DPU, REG_DPU_LUT_ACCESS_CFG, (1u << 17) | 1000u);
	w[1] = rk3588_regcmd(RK3588_TARGET_DPU, REG_DPU_LUT_ACCESS_DATA, 7);
	expect_refused(c, lut_task_after(c, w, 2, TP_INT32, &out), "DPU.LUT_ACCESS_DATA");
}

static void test_fp16_refused(void **state)
{
	struct diff_ctx *c = diff_global();
	uint32_t out;

	(void)state;
	diff_case_begin(c);
	expect_refused(c, lut_task_after(c, NULL, 0, TP_FP16, &out), "DPU.EW_CFG");
}

static void test_modes_refused(void **state)
{
	static const uint32_t bad[] = { 1u << 1, 1u << 7, 1u << 2, 3u << 2 };
	struct diff_ctx *c = diff_global();

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t w = rk3588_regcmd(RK3588_TARGET_DPU, REG_DPU_LUT_CFG, bad[i]);
		static uint64_t body[BODY_WORDS];
		struct dpu_desc dd = { .ew = { .on = true, .op_bypass = true } };
		struct flying_desc f = { .w = 2, .h = 1, .c = 8, .in_prec = TP_INT8,
					 .out_prec = TP_INT8, .dpu = &dd };
		size_t n;

		diff_case_begin(c);
		f.in = diff_alloc(c, cube_bytes(2, 1, 8, 1));
		f.out = diff_alloc(c, cube_bytes(2, 1, 8, 1));
		n = lut_task_words(body, 0, &f);
		body[n++] = w; /* after the body: the last LUT_CFG write wins */
		expect_refused(c, run_words(c, body, n, EW_OP_EN), "DPU.LUT_CFG");
	}
}

/* ---- cases ---------------------------------------------------------------- */

static void add(struct lut_case k)
{
	if (g_n >= MAX_CASES)
		return;
	if (!k.w) {
		k.w = 9;
		k.h = 5;
		k.c = 19;
	}
	if (!k.name[0])
		snprintf(k.name, sizeof(k.name), "lut.%s.%s.%s.range_%d_%d.%s",
			 k.le_log ? "le_exp" : k.lo_far ? "le_linear" : "hybrid", prec_name(k.prec),
			 prec_name(k.out_prec), k.lo_in, k.hi_in, fn_name(k.fn));
	k.seed = 0x9e3779b97f4a7c15ull * (g_n + 3);
	g_cases[g_n++] = k;
}

/* LO out of reach: LE decides everything (LO underflows; LE-hit wins). */
#define FAR_LO .lo_start = INT32_MAX, .lo_end = INT32_MAX, .lo_far = true

static void cases(bool full)
{
	static const unsigned int ints[] = { TP_INT8, TP_INT16, TP_INT32 };
	struct ref_rng r;

	/* Sigmoid on [-8, 8] of int16 (4096 per unit), LE alone, both edges. */
	add((struct lut_case){ .fn = FN_SIGMOID, .prec = TP_INT16, .out_prec = TP_INT16,
			       .in_scale = 4096, .out_scale = 32767, .le_start = -32768,
			       .le_end = 32768, .le_sel = 7, FAR_LO, .lo_in = -32768,
			       .hi_in = 32767 });
	/* The same table, values beyond it on both sides (int32 data). */
	add((struct lut_case){ .fn = FN_SIGMOID, .prec = TP_INT32, .out_prec = TP_INT32,
			       .in_scale = 4096, .out_scale = 32767, .le_start = -32768,
			       .le_end = 32768, .le_sel = 7, FAR_LO, .slopes = true,
			       .lo_in = -200000, .hi_in = 200000 });
	/* HM-style SiLU on [-8, 8], 4096x output: LE negative half, LO
	 * positive half, LO on overflow and overlap (allbilly's priorities). */
	add((struct lut_case){ .fn = FN_SILU, .prec = TP_INT16, .out_prec = TP_INT16,
			       .in_scale = 4096, .out_scale = 4096, .le_start = -32768,
			       .le_end = 0, .le_sel = 6, .lo_start = 0, .lo_end = 32768,
			       .lo_sel = 6, .over_lo = true, .both_lo = true, .lo_in = -32768,
			       .hi_in = 32767 });
	add((struct lut_case){ .fn = FN_SILU, .prec = TP_INT32, .out_prec = TP_INT32,
			       .in_scale = 4096, .out_scale = 4096, .le_start = -32768,
			       .le_end = 0, .le_sel = 6, .lo_start = 0, .lo_end = 32768,
			       .lo_sel = 6, .over_lo = true, .both_lo = true, .slopes = true,
			       .lo_in = -100000, .hi_in = 100000, .mmio = true });
	/* allbilly's geometry: [-16384, 16384] in steps of 32, tanh, int16. */
	add((struct lut_case){ .fn = FN_TANH, .prec = TP_INT16, .out_prec = TP_INT16,
			       .in_scale = 4096, .out_scale = 32767, .le_start = -16384,
			       .le_end = 0, .le_sel = 5, .lo_start = 0, .lo_end = 16384,
			       .lo_sel = 5, .over_lo = true, .both_lo = true, .slopes = true,
			       .lo_in = -32768, .hi_in = 32767 });
	/* int8 data: tanh of x / 32 on [-128, 384), int8 and int16 out. */
	add((struct lut_case){ .fn = FN_TANH, .prec = TP_INT8, .out_prec = TP_INT8,
			       .in_scale = 32, .out_scale = 127, .le_start = -128, .le_end = 384,
			       .le_sel = 0, FAR_LO, .lo_in = -128, .hi_in = 127 });
	add((struct lut_case){ .fn = FN_SIGMOID, .prec = TP_INT8, .out_prec = TP_INT16,
			       .in_scale = 16, .out_scale = 32767, .le_start = -64,
			       .le_end = 64, .le_sel = 0, FAR_LO, .slopes = true, .relu = true,
			       .lo_in = -128, .hi_in = 127 });
	/* Steps wider than the 35-bit fraction: the fraction is truncated. */
	for (unsigned int sel = 33; sel <= 37; sel += 2) {
		struct lut_case k = { .fn = FN_RANDOM, .prec = TP_INT32, .out_prec = TP_INT32,
				      .le_start = INT32_MIN, .le_end = INT32_MAX, .le_sel = sel,
				      FAR_LO, .lo_in = INT32_MIN, .hi_in = INT32_MAX };

		snprintf(k.name, sizeof(k.name), "lut.le_linear.int32.select_%u.random", sel);
		add(k);
	}
	/* Exponent LE: sqrt over a wide int32 range, offsets -3, 0, 4. */
	for (int off = -3; off <= 4; off += off < 0 ? 3 : 4)
		add((struct lut_case){ .fn = FN_SQRT, .prec = TP_INT32, .out_prec = TP_INT32,
				       .in_scale = 1024, .out_scale = 64, .le_start = -50,
				       .le_end = 1 << 30, .le_log = true, .le_offset = off,
				       FAR_LO, .slopes = true, .lo_in = -2000,
				       .hi_in = INT32_MAX - 100 });
	/* Every priority combination over overlapping random tables, values
	 * below, inside and above both. */
	for (unsigned int p = 0; p < 8; p++) {
		struct lut_case k = { .fn = FN_RANDOM, .prec = TP_INT32, .out_prec = TP_INT32,
				      .le_start = -3000, .le_end = 2000, .le_sel = 3,
				      .lo_start = -1000, .lo_end = 5000, .lo_sel = 4,
				      .under_lo = p & 1, .over_lo = p & 2, .both_lo = p & 4,
				      .slopes = true, .lo_in = -20000, .hi_in = 20000 };

		snprintf(k.name, sizeof(k.name), "lut.priority.under_%s.over_%s.hybrid_%s",
			 k.under_lo ? "lo" : "le", k.over_lo ? "lo" : "le",
			 k.both_lo ? "lo" : "le");
		add(k);
	}
	/* Seeded random programming. */
	size_t stop = full ? MAX_CASES : g_n + SMOKE_RANDOM;

	ref_rng_seed(&r, 0x1a7);
	while (g_n < stop) {
		struct lut_case k = { .fn = (enum fn)ref_rng_range(&r, 0, 4) };

		k.prec = ints[ref_rng_range(&r, 0, 2)];
		k.out_prec = ints[ref_rng_range(&r, 0, 2)];
		k.in_scale = ldexp(1.0, ref_rng_range(&r, 0, 12));
		k.out_scale = ref_rng_range(&r, 1, 30000);
		k.le_sel = (unsigned int)ref_rng_range(&r, 0, ref_rng_range(&r, 0, 7) ? 20 : 40);
		k.lo_sel = (unsigned int)ref_rng_range(&r, 0, 20);
		k.le_start = ref_rng_range(&r, -40000, 40000);
		k.lo_start = ref_rng_range(&r, -40000, 40000);
		k.le_end = k.le_start + ref_rng_range(&r, 0, 100000);
		k.lo_end = k.lo_start + ref_rng_range(&r, 0, 100000);
		k.le_log = ref_rng_range(&r, 0, 3) == 0;
		k.le_offset = ref_rng_range(&r, -8, 8);
		k.under_lo = ref_rng_range(&r, 0, 1);
		k.over_lo = ref_rng_range(&r, 0, 1);
		k.both_lo = ref_rng_range(&r, 0, 1);
		k.slopes = true;
		k.mmio = ref_rng_range(&r, 0, 1);
		k.relu = ref_rng_range(&r, 0, 3) == 0;
		k.lo_in = k.prec == TP_INT8 ? -128 : k.prec == TP_INT16 ? -32768 : -3000000;
		k.hi_in = k.prec == TP_INT8 ? 127 : k.prec == TP_INT16 ? 32767 : 3000000;
		k.w = (unsigned int)ref_rng_range(&r, 1, 20);
		k.h = (unsigned int)ref_rng_range(&r, 1, 10);
		k.c = (unsigned int)ref_rng_range(&r, 1, 40);
		snprintf(k.name, sizeof(k.name), "lut.random_%zu.%s.%s.%s.%s", g_n,
			 k.le_log ? "le_exp" : "le_linear", prec_name(k.prec),
			 prec_name(k.out_prec), fn_name(k.fn));
		add(k);
	}
}

int main(void)
{
	static struct CMUnitTest tests[MAX_CASES + 8];
	size_t n = 0;

	cases(diff_long());
	tests[n++] = (struct CMUnitTest){ .name = "lut.port.readback", .test_func = test_readback };
	tests[n++] = (struct CMUnitTest){ .name = "lut.conv.int8.k3.silu",
					  .test_func = test_after_conv };
	tests[n++] = (struct CMUnitTest){ .name = "lut.upload.past_end",
					  .test_func = test_upload_past_end };
	tests[n++] = (struct CMUnitTest){ .name = "lut.upload.bad_table_id",
					  .test_func = test_upload_bad_table_id };
	tests[n++] = (struct CMUnitTest){ .name = "lut.upload.start_past_end",
					  .test_func = test_start_past_end };
	tests[n++] = (struct CMUnitTest){ .name = "lut.refused.fp16",
					  .test_func = test_fp16_refused };
	tests[n++] = (struct CMUnitTest){ .name = "lut.refused.expand_cal_mux",
					  .test_func = test_modes_refused };
	for (size_t i = 0; i < g_n; i++)
		tests[n++] = (struct CMUnitTest){ .name = g_cases[i].name, .test_func = run_case,
						  .initial_state = &g_cases[i] };
	return _cmocka_run_group_tests("diff-lut", tests, n, diff_group_setup,
				       diff_group_teardown);
}
