// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Software NPU datapath: int8 and fp16 convolutions/matmuls through real
 * regcmd streams, checked against plain loops written here, plus the
 * configuration errors the model must report instead of computing.
 *
 * Built twice: SIM_TEST_THREADED selects the worker-thread mode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rk3588_regs.h"
#include "rk3588_sim.h"
#include "sim_test_bus.h"
#include "sim_test_stream.h"

#ifndef SIM_TEST_THREADED
#define SIM_TEST_THREADED 0
#endif

#define MEM_SIZE (32u << 20)
#define INT_DPU 0x300u
#define INT_ERR 0x3000u
#define SENTINEL 0xa5u

struct ctx {
	struct fake_bus fb;
	struct rk3588_sim *sim;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	fb_init(&c->fb, MEM_SIZE);
	c->sim = test_sim_create(&c->fb, SIM_TEST_THREADED, 1);
	if (!c->sim)
		return -1;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	rk3588_sim_destroy(c->sim);
	fb_fini(&c->fb);
	free(c);
	return 0;
}

/* Writes a one-task list (body + tail) and runs it to completion. */
static uint32_t run_words(struct ctx *c, const uint64_t *body, size_t n, uint32_t mask)
{
	uint64_t *w = calloc(n + TAIL_WORDS, sizeof(*w));
	uint32_t addr;
	size_t total;

	assert_non_null(w);
	memcpy(w, body, n * sizeof(*w));
	total = n + task_tail(w + n, 0, 0, CONV_OP_EN);
	addr = fb_alloc(&c->fb, total * 8, 64);
	fb_put_words(&c->fb, addr, w, total);
	free(w);
	test_commit(c->sim, 0, addr, amount_for(total), 1, mask);
	rk3588_sim_wait_idle(c->sim, 0);
	return rk3588_sim_mmio_read(c->sim, 0, REG_PC_INTERRUPT_RAW_STATUS);
}

static void clear_irq(struct ctx *c)
{
	rk3588_sim_mmio_write(c->sim, 0, REG_PC_INTERRUPT_CLEAR, RK3588_INT_ALL);
}

static size_t patch_reg(uint64_t *w, size_t n, uint32_t reg, uint32_t value)
{
	for (size_t i = 0; i < n; i++) {
		if (rk3588_regcmd_offset(w[i]) == reg) {
			w[i] = rk3588_regcmd(rk3588_regcmd_target(w[i]), (uint16_t)reg, value);
			return i;
		}
	}
	fail_msg("register 0x%04x not in the stream", reg);
	return 0;
}

static void assert_error_mentions(struct ctx *c, const char *what)
{
	char msg[256];

	assert_true(rk3588_sim_last_error(c->sim, 0, msg, sizeof(msg)));
	if (!strstr(msg, what))
		fail_msg("error \"%s\" does not mention %s", msg, what);
}

static int32_t rd_i32(const uint8_t *p, size_t idx)
{
	p += idx * 4;
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

static uint32_t rd_u32(const uint8_t *p, size_t idx)
{
	return (uint32_t)rd_i32(p, idx);
}

static uint16_t rd_u16(const uint8_t *p, size_t idx)
{
	return (uint16_t)(p[idx * 2] | p[idx * 2 + 1] << 8);
}

/* ---- int8 M=4 K=32 N=32: the published mtx512 stream, literally ------- */

#define IN_ADDR 0xffff0001u
#define WT_ADDR 0xffff0002u
#define OUT_ADDR 0xffff0003u

struct lit {
	uint16_t target;
	uint16_t reg;
	uint32_t value;
};

#define C(reg, v) { RK3588_TARGET_CNA, REG_CNA_##reg, v }
#define K(reg, v) { RK3588_TARGET_CORE, REG_CORE_##reg, v }
#define D(reg, v) { RK3588_TARGET_DPU, REG_DPU_##reg, v }

static const struct lit lit4x32x32[] = {
	D(S_POINTER, 0xe),
	C(CONV_CON1, 0x0), C(CONV_CON2, 0x50), C(CONV_CON3, 0x9),
	C(DATA_SIZE0, 0x00010004), C(DATA_SIZE1, 0x001f0020), C(DATA_SIZE2, 1), C(DATA_SIZE3, 4),
	C(WEIGHT_SIZE0, 0x400), C(WEIGHT_SIZE1, 32), C(WEIGHT_SIZE2, 0x01010020),
	C(CBUF_CON0, 0xb1), C(CBUF_CON1, 1), C(CVT_CON0, 0xb),
	C(CVT_CON1, 0x10000), C(CVT_CON2, 0x10000), C(CVT_CON3, 0x10000), C(CVT_CON4, 0x10000),
	C(FC_CON0, 0), C(FC_CON1, 0), C(PAD_CON0, 0), C(FEATURE_DATA_ADDR, IN_ADDR), C(FC_CON2, 0),
	C(DMA_CON0, 0x000f000f), C(DMA_CON1, 4), C(DMA_CON2, 0),
	C(FC_DATA_SIZE0, 0x00010004), C(FC_DATA_SIZE1, 32),
	C(DCOMP_CTRL, 0), C(DCOMP_REGNUM, 0), C(DCOMP_ADDR0, WT_ADDR),
	C(DCOMP_AMOUNT0, 0), C(DCOMP_AMOUNT1, 0), C(DCOMP_AMOUNT2, 0), C(DCOMP_AMOUNT3, 0),
	C(DCOMP_AMOUNT4, 0), C(DCOMP_AMOUNT5, 0), C(DCOMP_AMOUNT6, 0), C(DCOMP_AMOUNT7, 0),
	C(DCOMP_AMOUNT8, 0), C(DCOMP_AMOUNT9, 0), C(DCOMP_AMOUNT10, 0), C(DCOMP_AMOUNT11, 0),
	C(DCOMP_AMOUNT12, 0), C(DCOMP_AMOUNT13, 0), C(DCOMP_AMOUNT14, 0), C(DCOMP_AMOUNT15, 0),
	C(CVT_CON5, 0), C(PAD_CON1, 0),
	K(MISC_CFG, 0), K(DATAOUT_SIZE_0, 0x00030000), K(DATAOUT_SIZE_1, 31), K(CLIP_TRUNCATE, 0),
	K(RESERVED_3030, 0),
	D(FEATURE_MODE_CFG, 0x1e4), D(DATA_FORMAT, 0x80000000), D(OFFSET_PEND, 0),
	D(DST_BASE_ADDR, OUT_ADDR), D(DST_SURF_STRIDE, 0x40),
	D(DATA_CUBE_WIDTH, 0), D(DATA_CUBE_HEIGHT, 3), D(DATA_CUBE_NOTCH_ADDR, 0),
	D(DATA_CUBE_CHANNEL, 0x001f001f),
	D(BS_CFG, 0x53), D(BS_ALU_CFG, 0), D(BS_MUL_CFG, 0), D(BS_RELUX_CMP_VALUE, 0),
	D(BS_OW_CFG, 0x7fe), D(BS_OW_OP, 0), D(WDMA_SIZE_0, 31), D(WDMA_SIZE_1, 0x00030000),
	D(BN_CFG, 0x53), D(BN_ALU_CFG, 0), D(BN_MUL_CFG, 0), D(BN_RELUX_CMP_VALUE, 0),
	D(EW_CFG, 0x383), D(EW_CVT_OFFSET_VALUE, 0), D(EW_CVT_SCALE_VALUE, 1),
	D(EW_RELUX_CMP_VALUE, 0), D(OUT_CVT_OFFSET, 0), D(OUT_CVT_SCALE, 1), D(OUT_CVT_SHIFT, 0),
	D(EW_OP_VALUE_0, 0), D(EW_OP_VALUE_1, 0), D(EW_OP_VALUE_2, 0), D(EW_OP_VALUE_3, 0),
	D(EW_OP_VALUE_4, 0), D(EW_OP_VALUE_5, 0), D(EW_OP_VALUE_6, 0), D(EW_OP_VALUE_7, 0),
	D(SURFACE_ADD, 0x200), D(RESERVED_40C4, 0),
	D(LUT_ACCESS_CFG, 0), D(LUT_ACCESS_DATA, 0), D(LUT_CFG, 0), D(LUT_INFO, 0),
	D(LUT_LE_START, 0), D(LUT_LE_END, 0), D(LUT_LO_START, 0), D(LUT_LO_END, 0),
	D(LUT_LE_SLOPE_SCALE, 0), D(LUT_LE_SLOPE_SHIFT, 0), D(LUT_LO_SLOPE_SCALE, 0),
	D(LUT_LO_SLOPE_SHIFT, 0),
};

#define NLIT (sizeof(lit4x32x32) / sizeof(lit4x32x32[0]))

static size_t lit4x32x32_words(uint64_t *w, uint32_t in, uint32_t wt, uint32_t out)
{
	for (size_t i = 0; i < NLIT; i++) {
		uint32_t v = lit4x32x32[i].value;

		v = v == IN_ADDR ? in : v == WT_ADDR ? wt : v == OUT_ADDR ? out : v;
		w[i] = rk3588_regcmd(lit4x32x32[i].target, lit4x32x32[i].reg, v);
	}
	return NLIT;
}

static void test_int8_4x32x32_literal_stream(void **state)
{
	enum { M = 4, K = 32, N = 32 };
	struct ctx *c = *state;
	int8_t a[M][K], b[K][N];
	int32_t want[M][N];
	uint64_t w[NLIT];
	uint32_t seed = 0x1234567u;
	uint32_t in = fb_alloc(&c->fb, M * K, 64);
	uint32_t wt = fb_alloc(&c->fb, K * N, 64);
	uint32_t out = fb_alloc(&c->fb, M * N * 4, 64);
	int8_t *pin = fb_ptr(&c->fb, in), *pwt = fb_ptr(&c->fb, wt);
	uint8_t *pout = fb_ptr(&c->fb, out);
	uint32_t raw;

	for (int m = 0; m < M; m++)
		for (int k = 0; k < K; k++)
			a[m][k] = (int8_t)test_rand(&seed);
	for (int k = 0; k < K; k++)
		for (int n = 0; n < N; n++)
			b[k][n] = (int8_t)test_rand(&seed);
	/* Extremes make overflow or sign slips visible. */
	a[0][0] = -128;
	b[0][0] = -128;
	a[1][5] = 127;
	b[5][1] = -128;
	for (int m = 0; m < M; m++)
		for (int n = 0; n < N; n++) {
			int32_t s = 0;

			for (int k = 0; k < K; k++)
				s += a[m][k] * b[k][n];
			want[m][n] = s;
		}

	for (int m = 0; m < M; m++)
		for (int k = 0; k < K; k++)
			pin[(k / 16) * M * 16 + m * 16 + k % 16] = a[m][k];
	for (int k = 0; k < K; k++)
		for (int n = 0; n < N; n++)
			pwt[(k / 32) * 1024 + (n / 32) * 32 * K + (n % 32) * 32 + k % 32] = b[k][n];
	memset(pout, SENTINEL, M * N * 4);

	raw = run_words(c, w, lit4x32x32_words(w, in, wt, out), INT_DPU);
	assert_int_equal(raw & (INT_DPU | INT_ERR), RK3588_INT_DPU_GRP0);
	for (int m = 0; m < M; m++)
		for (int n = 0; n < N; n++) {
			size_t i = (size_t)((n / 4) * M * 4 + m * 4 + n % 4);

			assert_int_equal(rd_i32(pout, i), want[m][n]);
		}
	clear_irq(c);
}

/* ---- generic conv through conv_desc ------------------------------------ */

/* Allocates and fills input/weights for @d from dense arrays. */
static void place(struct ctx *c, struct conv_desc *d, const void *x, const void *wt)
{
	d->in = fb_alloc(&c->fb, conv_in_bytes(d), 64);
	d->wt = fb_alloc(&c->fb, conv_wt_bytes(d), 64);
	d->out = fb_alloc(&c->fb, conv_out_bytes(d), 64);
	pack_input(d, x, fb_ptr(&c->fb, d->in));
	pack_weights(d, wt, fb_ptr(&c->fb, d->wt));
	memset(fb_ptr(&c->fb, d->out), SENTINEL, conv_out_bytes(d));
}

static uint32_t run_desc(struct ctx *c, const struct conv_desc *d, uint32_t mask)
{
	uint64_t w[256];
	size_t n = conv_body(w, d);

	return run_words(c, w, n, mask);
}

/* Plain direct convolution with the pad value outside the input. */
static int64_t conv_ref_i8(const struct conv_desc *d, const int8_t *x, const int8_t *wt,
			   unsigned int oc, unsigned int oy, unsigned int ox)
{
	int64_t s = 0;

	for (unsigned int ky = 0; ky < d->kh; ky++)
		for (unsigned int kx = 0; kx < d->kw; kx++) {
			int iy = (int)(oy * d->sy + ky) - (int)d->pad_t;
			int ix = (int)(ox * d->sx + kx) - (int)d->pad_l;

			for (unsigned int ch = 0; ch < d->c; ch++) {
				int v = (int8_t)d->pad_value;

				if (iy >= 0 && ix >= 0 && iy < (int)d->h && ix < (int)d->w)
					v = x[((size_t)iy * d->w + ix) * d->c + ch];
				s += (int64_t)v *
				     wt[(((size_t)oc * d->kh + ky) * d->kw + kx) * d->c + ch];
			}
		}
	return s;
}

static void conv3x3_case(void **state, bool group_line_off)
{
	struct ctx *c = *state;
	struct conv_desc d = {
		.out_prec = TP_INT32, .w = 7, .h = 7, .c = 32, .kw = 3, .kh = 3, .n = 40,
		.sx = 2, .sy = 2, .pad_l = 1, .pad_t = 1, .pad_value = 3, .out_w = 4, .out_h = 4,
		.group_line_off = group_line_off,
	};
	/* Static so a failed assertion leaves nothing to leak. */
	static int8_t x[7 * 7 * 32], wt[40 * 3 * 3 * 32];
	size_t nx = sizeof(x), nw = sizeof(wt);
	uint32_t seed = 99;

	for (size_t i = 0; i < nx; i++)
		x[i] = (int8_t)test_rand(&seed);
	for (size_t i = 0; i < nw; i++)
		wt[i] = (int8_t)test_rand(&seed);
	place(c, &d, x, wt);
	assert_int_equal(run_desc(c, &d, INT_DPU) & (INT_DPU | INT_ERR), RK3588_INT_DPU_GRP0);

	const uint8_t *out = fb_ptr(&c->fb, d.out);

	for (unsigned int oc = 0; oc < d.n; oc++)
		for (unsigned int oy = 0; oy < d.out_h; oy++)
			for (unsigned int ox = 0; ox < d.out_w; ox++)
				assert_int_equal(rd_i32(out, out_index(&d, oc, oy, ox)),
						 conv_ref_i8(&d, x, wt, oc, oy, ox));
	clear_irq(c);
}

static void test_conv3x3_s2_pad_int8(void **state)
{
	conv3x3_case(state, false);
}

static void test_conv3x3_s2_pad_int8_group_line_off(void **state)
{
	conv3x3_case(state, true);
}

/* Round-half-even shift, then int8 saturation: the CLIP_TRUNCATE and int8
 * output path with a 1x1 conv over several surfaces. */
static void test_int8_out_clip_saturate(void **state)
{
	struct ctx *c = *state;
	struct conv_desc d = {
		.out_prec = TP_INT8, .w = 3, .h = 5, .c = 64, .kw = 1, .kh = 1, .n = 48,
		.sx = 1, .sy = 1, .out_w = 3, .out_h = 5, .clip_shift = 4,
	};
	static int8_t x[3 * 5 * 64], wt[48 * 64];
	size_t nx = sizeof(x), nw = sizeof(wt);
	uint32_t seed = 7;

	for (size_t i = 0; i < nx; i++)
		x[i] = (int8_t)(test_rand(&seed) % 9) - 4;
	for (size_t i = 0; i < nw; i++)
		wt[i] = (int8_t)(test_rand(&seed) % 9) - 4;
	place(c, &d, x, wt);
	assert_int_equal(run_desc(c, &d, INT_DPU) & (INT_DPU | INT_ERR), RK3588_INT_DPU_GRP0);

	const int8_t *out = fb_ptr(&c->fb, d.out);

	for (unsigned int oc = 0; oc < d.n; oc++)
		for (unsigned int oy = 0; oy < d.out_h; oy++)
			for (unsigned int ox = 0; ox < d.out_w; ox++) {
				int64_t s = conv_ref_i8(&d, x, wt, oc, oy, ox);
				int64_t q = s >= 0 ? s / 16 : -((-s + 15) / 16); /* floor */
				int64_t r = s - q * 16;

				if (r > 8 || (r == 8 && (q & 1)))
					q++;
				q = q < -128 ? -128 : q > 127 ? 127 : q;
				assert_int_equal(out[out_index(&d, oc, oy, ox)], q);
			}
	clear_irq(c);
}

/* M < 4 rows in group-line mode needs a negative SURF_STRIDE (M - 4):
 * DMA_CON2 is a signed field. */
static void test_int8_matmul_negative_surf_stride(void **state)
{
	struct ctx *c = *state;

	for (unsigned int m = 1; m <= 3; m++) {
		struct conv_desc d = {
			.out_prec = TP_INT32, .w = 1, .h = m, .c = 64, .kw = 1, .kh = 1, .n = 32,
			.sx = 1, .sy = 1, .out_w = 1, .out_h = m,
		};
		int8_t x[3 * 64], wt[32 * 64];
		uint32_t seed = 31 + m;

		for (size_t i = 0; i < sizeof(x); i++)
			x[i] = (int8_t)test_rand(&seed);
		for (size_t i = 0; i < sizeof(wt); i++)
			wt[i] = (int8_t)test_rand(&seed);
		place(c, &d, x, wt);
		assert_int_equal(run_desc(c, &d, INT_DPU) & (INT_DPU | INT_ERR),
				 RK3588_INT_DPU_GRP0);

		const uint8_t *out = fb_ptr(&c->fb, d.out);

		for (unsigned int oc = 0; oc < d.n; oc++)
			for (unsigned int r = 0; r < m; r++)
				assert_int_equal(rd_i32(out, out_index(&d, oc, r, 0)),
						 conv_ref_i8(&d, x, wt, oc, r, 0));
		clear_irq(c);
	}
}

/* ---- fp16 matmul (mtx512 conventions) ---------------------------------- */

/* Exact binary16 bits of a small integer (|v| < 2048). */
static uint16_t half_of_int(int v)
{
	uint16_t sign = v < 0 ? 0x8000 : 0;
	unsigned int a = (unsigned int)(v < 0 ? -v : v), e = 0;

	if (a == 0)
		return sign;
	while ((a >> e) > 1)
		e++;
	return (uint16_t)(sign | (e + 15) << 10 | ((a << (10 - e)) & 0x3ff));
}

static uint32_t float_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static void fp16_case(void **state, unsigned int out_prec)
{
	enum { M = 5, K = 64, N = 32 };
	struct ctx *c = *state;
	struct conv_desc d = {
		.fp16 = true, .out_prec = out_prec, .w = 1, .h = M, .c = K, .kw = 1, .kh = 1,
		.n = N, .sx = 1, .sy = 1, .out_w = 1, .out_h = M,
	};
	int ia[M][K], ib[N][K];
	uint16_t ha[M][K], hb[N][K];
	uint32_t seed = 4242;

	for (int m = 0; m < M; m++)
		for (int k = 0; k < K; k++) {
			ia[m][k] = (int)(test_rand(&seed) % 9) - 4;
			ha[m][k] = half_of_int(ia[m][k]);
		}
	for (int n = 0; n < N; n++)
		for (int k = 0; k < K; k++) {
			ib[n][k] = (int)(test_rand(&seed) % 9) - 4;
			hb[n][k] = half_of_int(ib[n][k]);
		}
	/* Row 0 x kernels 0/1 sum to 2049 and 2051: fp16 output must round
	 * them to even (2048 and 2052); fp32 keeps them exact. */
	for (int m = 0; m < M; m++)
		for (int k = 0; k < 2; k++) {
			ia[m][k] = m == 0 ? 1 : 0;
			ha[m][k] = half_of_int(ia[m][k]);
		}
	for (int k = 2; k < K; k++) {
		ia[0][k] = 0;
		ha[0][k] = half_of_int(0);
	}
	ib[0][0] = 1024;
	ib[0][1] = 1025;
	ib[1][0] = 1024;
	ib[1][1] = 1027;
	for (int n = 0; n < 2; n++)
		for (int k = 0; k < 2; k++)
			hb[n][k] = half_of_int(ib[n][k]);

	place(c, &d, ha, hb);
	assert_int_equal(run_desc(c, &d, INT_DPU) & (INT_DPU | INT_ERR), RK3588_INT_DPU_GRP0);

	const uint8_t *out = fb_ptr(&c->fb, d.out);

	for (int m = 0; m < M; m++)
		for (int n = 0; n < N; n++) {
			int s = 0;

			for (int k = 0; k < K; k++)
				s += ia[m][k] * ib[n][k];
			size_t i = out_index(&d, (unsigned int)n, (unsigned int)m, 0);

			if (out_prec == TP_FP32) {
				assert_int_equal(rd_u32(out, i), float_bits((float)s));
			} else if (s == 2049) {
				assert_int_equal(rd_u16(out, i), 0x6800); /* 2048 */
			} else if (s == 2051) {
				assert_int_equal(rd_u16(out, i), 0x6802); /* 2052 */
			} else {
				assert_true(s > -2048 && s < 2048);
				assert_int_equal(rd_u16(out, i), half_of_int(s));
			}
		}
	clear_irq(c);
}

static void test_fp16_matmul_to_fp32(void **state)
{
	fp16_case(state, TP_FP32);
}

static void test_fp16_matmul_to_fp16(void **state)
{
	fp16_case(state, TP_FP16);
}

/* ---- errors the model reports instead of computing -------------------- */

static void error_case(void **state, uint32_t reg, uint32_t value, const char *mention)
{
	struct ctx *c = *state;
	struct conv_desc d = {
		.out_prec = TP_INT32, .w = 1, .h = 64, .c = 256, .kw = 1, .kh = 1, .n = 64,
		.sx = 1, .sy = 1, .out_w = 1, .out_h = 64,
	};
	static const int8_t x[64 * 256], wt[64 * 256];
	uint64_t w[256];
	size_t n;
	unsigned int rises_before, rises;
	uint32_t raw;

	place(c, &d, x, wt);
	n = conv_body(w, &d);
	patch_reg(w, n, reg, value);
	fb_irq_state(&c->fb, 0, &rises_before, NULL, NULL);
	raw = run_words(c, w, n, INT_DPU | INT_ERR);
	fb_irq_state(&c->fb, 0, &rises, NULL, NULL);

	/* Misprogramming is reported as a DMA read error (documented choice),
	 * never as completion, and the output stays untouched. */
	assert_int_equal(raw & (INT_DPU | INT_ERR), RK3588_INT_DMA_READ_ERROR);
	assert_int_equal(rises, rises_before + 1);
	assert_int_equal(((uint8_t *)fb_ptr(&c->fb, d.out))[0], SENTINEL);
	assert_error_mentions(c, mention);
	clear_irq(c);
}

static void test_cbuf_data_overflow(void **state)
{
	uint32_t v = 0;

	/* 64 rows x 4 entries x 64 bytes = 16 KiB fits one bank; zero banks
	 * do not. */
	rk3588_set_CNA_CBUF_CON0_DATA_BANK(&v, 0);
	rk3588_set_CNA_CBUF_CON0_WEIGHT_BANK(&v, 12);
	error_case(state, REG_CNA_CBUF_CON0, v, "CNA.CBUF_CON0");
}

static void test_cbuf_weight_overflow(void **state)
{
	uint32_t v = 0;

	/* One kernel group is 32 x 256 bytes = 8 KiB; zero weight banks. */
	rk3588_set_CNA_CBUF_CON0_DATA_BANK(&v, 12);
	rk3588_set_CNA_CBUF_CON0_WEIGHT_BANK(&v, 0);
	error_case(state, REG_CNA_CBUF_CON0, v, "CNA.CBUF_CON0");
}

static void test_cbuf_too_many_banks(void **state)
{
	uint32_t v = 0;

	rk3588_set_CNA_CBUF_CON0_DATA_BANK(&v, 8);
	rk3588_set_CNA_CBUF_CON0_WEIGHT_BANK(&v, 8);
	error_case(state, REG_CNA_CBUF_CON0, v, "CNA.CBUF_CON0");
}

static void test_cbuf_entries_too_small(void **state)
{
	/* A row of 256 int8 channels is 4 entries of 64 bytes. */
	error_case(state, REG_CNA_CBUF_CON1, 3, "CNA.CBUF_CON1");
}

static void test_dpu_bs_reserved_alu_is_error(void **state)
{
	uint32_t v = 0;

	/* ALU active with algorithm 7: only add (2) and minus (4) exist. */
	rk3588_set_DPU_BS_CFG_BS_ALU_ALGO(&v, 7);
	rk3588_set_DPU_BS_CFG_BS_RELU_BYPASS(&v, 1);
	rk3588_set_DPU_BS_CFG_BS_MUL_BYPASS(&v, 1);
	error_case(state, REG_DPU_BS_CFG, v, "DPU.BS_CFG");
}

/* allbilly's elementwise EW_CFG reads its operand through ERDMA; a conv
 * task without DPU_RDMA in the op-enable cannot. */
static void test_dpu_ew_without_rdma_is_error(void **state)
{
	error_case(state, REG_DPU_EW_CFG, 0x108002c0u, "DPU.EW_CFG");
}

static void test_weight_compression_is_error(void **state)
{
	error_case(state, REG_CNA_DCOMP_CTRL, 1, "DCOMP");
}

static void test_alloc_limit_is_error(void **state)
{
	struct ctx *c = *state;

	/* The 64x256 input alone is 16 KiB of working memory. */
	rk3588_sim_set_alloc_limit(c->sim, 4096);
	error_case(state, REG_CNA_FC_CON2, 0, "limit");
	rk3588_sim_set_alloc_limit(c->sim, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int8_4x32x32_literal_stream),
		cmocka_unit_test(test_conv3x3_s2_pad_int8),
		cmocka_unit_test(test_conv3x3_s2_pad_int8_group_line_off),
		cmocka_unit_test(test_int8_out_clip_saturate),
		cmocka_unit_test(test_int8_matmul_negative_surf_stride),
		cmocka_unit_test(test_fp16_matmul_to_fp32),
		cmocka_unit_test(test_fp16_matmul_to_fp16),
		cmocka_unit_test(test_cbuf_data_overflow),
		cmocka_unit_test(test_cbuf_weight_overflow),
		cmocka_unit_test(test_cbuf_too_many_banks),
		cmocka_unit_test(test_cbuf_entries_too_small),
		cmocka_unit_test(test_dpu_bs_reserved_alu_is_error),
		cmocka_unit_test(test_dpu_ew_without_rdma_is_error),
		cmocka_unit_test(test_weight_compression_is_error),
		cmocka_unit_test(test_alloc_limit_is_error),
	};

	return cmocka_run_group_tests_name(SIM_TEST_THREADED ? "sim-conv-threaded" : "sim-conv",
					   tests, setup, teardown);
}
