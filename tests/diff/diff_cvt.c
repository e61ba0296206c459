// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The CNA input converter (CVT_CON0..5) against the plain reference: the
 * fetched integers are converted per channel (ref_requant: scale, rounding
 * shift, offset, in either order, saturated to the input precision), then
 * convolved with padding that is already in the converted domain; the
 * int32 accumulators are compared exactly. Signed and unsigned int8, int16,
 * both rounding modes at exact ties, saturation, and channels the mask
 * leaves alone. Then every refused programming of the converter: the task
 * ends with the error status and a message naming the register.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diff_util.h"
#include "rk3588_regs.h"

#define MAX_CASES 32u

struct cvt_case {
	char name[DIFF_NAME_LEN];
	bool int16, is_unsigned, add_first, half_up;
	unsigned int w, h, c, o, k, p;
	uint32_t mask;
	uint16_t scale[4];
	int16_t offset[4];
	unsigned int shift[4];
	int32_t pad;          /* PAD_VALUE, converted domain */
	int32_t lo, hi;       /* raw input range */
	uint64_t seed;
};

static struct cvt_case g_cases[MAX_CASES];
static size_t g_n;

static void *zalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	assert_non_null(p);
	return p;
}

static unsigned int out_dim(const struct cvt_case *k, unsigned int in)
{
	return in + 2 * k->p - k->k + 1;
}

static void fill_desc(const struct cvt_case *k, struct conv_desc *d)
{
	*d = (struct conv_desc){
		.int16 = k->int16, .out_prec = TP_INT32, .w = k->w, .h = k->h, .c = k->c,
		.kw = k->k, .kh = k->k, .n = k->o, .sx = 1, .sy = 1, .pad_l = k->p,
		.pad_t = k->p, .pad_value = (uint32_t)k->pad & (k->int16 ? 0xffffu : 0xffu),
		.out_w = out_dim(k, k->w), .out_h = out_dim(k, k->h), .cvt = true,
		.cvt_unsigned = k->is_unsigned, .cvt_add_first = k->add_first,
		.cvt_half_up = k->half_up, .cvt_mask = k->mask,
	};
	for (unsigned int i = 0; i < 4; i++) {
		d->cvt_scale[i] = k->scale[i];
		d->cvt_offset[i] = k->offset[i];
		d->cvt_shift[i] = k->shift[i];
	}
}

static void run_case(void **state)
{
	const struct cvt_case *k = *state;
	struct diff_ctx *c = diff_global();
	unsigned int eb = k->int16 ? 2 : 1;
	size_t nx = (size_t)k->c * k->h * k->w, nw = (size_t)k->o * k->c * k->k * k->k;
	int32_t *raw = zalloc(nx, sizeof(int32_t)), *conv = zalloc(nx, sizeof(int32_t));
	int32_t *wt = zalloc(nw, sizeof(int32_t));
	uint8_t *dense = zalloc(nw, eb), *hwc = zalloc(nx, eb);
	struct ref_conv_shape s = { .c = k->c, .h = k->h, .w = k->w, .o = k->o, .kh = k->k,
				    .kw = k->k, .sy = 1, .sx = 1, .dy = 1, .dx = 1, .pt = k->p,
				    .pl = k->p, .oh = out_dim(k, k->h), .ow = out_dim(k, k->w) };
	int64_t *want = zalloc((size_t)k->o * s.oh * s.ow, sizeof(int64_t));
	struct diff_check chk = { .what = k->name };
	static struct diff_list l;
	struct conv_desc d;
	struct ref_rng r;
	const uint8_t *out;

	diff_case_begin(c);
	ref_rng_seed(&r, k->seed);
	/* NCHW raw inputs, their converted values, OIHW weights. */
	for (unsigned int ch = 0; ch < k->c; ch++)
		for (size_t i = 0; i < (size_t)k->h * k->w; i++) {
			size_t at = (size_t)ch * k->h * k->w + i;
			bool on = ch < 4 && (k->mask >> ch & 1u);

			raw[at] = (int32_t)ref_rng_range(&r, k->lo, k->hi);
			conv[at] = on ? (int32_t)ref_requant(raw[at], k->scale[ch], k->shift[ch],
							     k->offset[ch], k->add_first,
							     k->half_up ? REF_ROUND_HALF_UP
									: REF_ROUND_HALF_EVEN,
							     8 * eb)
				      : raw[at];
		}
	diff_fill_i(&r, wt, nw, k->int16 ? -32768 : -128, k->int16 ? 32767 : 127);
	ref_conv2d_i64(&s, conv, wt, k->pad, want);

	fill_desc(k, &d);
	for (unsigned int o = 0; o < k->o; o++)
		for (unsigned int t = 0; t < k->k * k->k; t++)
			for (unsigned int ch = 0; ch < k->c; ch++)
				diff_put(dense, ((size_t)o * k->k * k->k + t) * k->c + ch, eb,
					 (uint32_t)wt[((size_t)o * k->c + ch) * k->k * k->k + t]);
	for (unsigned int ch = 0; ch < k->c; ch++)
		for (size_t i = 0; i < (size_t)k->h * k->w; i++)
			diff_put(hwc, i * k->c + ch, eb, (uint32_t)raw[(size_t)ch * k->h * k->w + i]);
	d.in = diff_alloc(c, conv_in_bytes(&d));
	d.wt = diff_alloc(c, conv_wt_bytes(&d));
	d.out = diff_alloc(c, conv_out_bytes(&d));
	pack_input(&d, hwc, diff_ptr(c, d.in));
	pack_weights(&d, dense, diff_ptr(c, d.wt));
	l.n = 0;
	diff_task_words(&l, conv_body(diff_task(&l, CONV_OP_EN), &d));
	diff_run(c, &l);

	out = diff_ptr(c, d.out);
	for (unsigned int o = 0; o < k->o; o++)
		for (unsigned int y = 0; y < s.oh; y++)
			for (unsigned int x = 0; x < s.ow; x++) {
				size_t i = ((size_t)o * s.oh + y) * s.ow + x;

				diff_expect_eq(&chk, i,
					       diff_sext(diff_get(out, out_index(&d, o, y, x), 4), 4),
					       ref_sat_bits(want[i], 32));
			}
	free(raw);
	free(conv);
	free(wt);
	free(dense);
	free(hwc);
	free(want);
	diff_done(&chk);
}

static void add(struct cvt_case k)
{
	struct cvt_case *t;

	if (g_n >= MAX_CASES)
		return;
	t = &g_cases[g_n];
	*t = k;
	/* Channel 0's parameters; the rest are in the table below. */
	snprintf(t->name, sizeof(t->name),
		 "cvt.%s%s.in_%ux%ux%u.k%u.p%u.out_%u.%s.%s.mask_%x.s%u.t%u.o%d",
		 k.is_unsigned ? "u" : "", k.int16 ? "int16" : "int8", k.w, k.h, k.c, k.k, k.p, k.o,
		 k.add_first ? "add_first" : "mul_first", k.half_up ? "half_up" : "half_even",
		 k.mask, k.scale[0], k.shift[0], k.offset[0]);
	t->seed = 0x9e3779b97f4a7c15ull * (g_n + 11);
	g_n++;
}

static void cases(void)
{
	/* The Mesa uint8 -> int8 conversion: x * 16384 >> 14, offset -128. */
	add((struct cvt_case){ .is_unsigned = true, .w = 9, .h = 7, .c = 1, .o = 16, .k = 3,
			       .p = 1, .mask = 0xffff, .scale = { 16384 }, .shift = { 14 },
			       .offset = { -128 }, .pad = -128, .lo = 0, .hi = 255 });
	/* Its variant for inputs that also feed an add: scale 32388 >> 15. */
	add((struct cvt_case){ .is_unsigned = true, .w = 6, .h = 5, .c = 3, .o = 8, .k = 3,
			       .p = 1, .mask = 0x7, .scale = { 32388, 32388, 32388 },
			       .shift = { 15, 15, 15 }, .offset = { -128, -128, -128 }, .pad = 3,
			       .lo = 0, .hi = 255 });
	/* Every input an exact tie (odd values, shift 1): both rounding modes. */
	for (int up = 0; up < 2; up++)
		add((struct cvt_case){ .w = 5, .h = 4, .c = 4, .o = 5, .k = 1, .mask = 0xf,
				       .half_up = up, .scale = { 1, 3, 5, 1 },
				       .shift = { 1, 1, 1, 2 }, .offset = { 0, 7, -9, 1 },
				       .lo = -128, .hi = 127 });
	/* Add first, large scales: saturation at both ends. */
	add((struct cvt_case){ .add_first = true, .w = 7, .h = 3, .c = 4, .o = 33, .k = 3,
			       .p = 1, .mask = 0xf, .scale = { 300, 7, 32767, 2 },
			       .shift = { 2, 0, 10, 0 }, .offset = { 20, -5, 1000, -300 }, .pad = 5,
			       .lo = -128, .hi = 127 });
	/* Only channels 0 and 2 converted; 1 and 3 and the rest pass unchanged. */
	add((struct cvt_case){ .w = 4, .h = 4, .c = 32, .o = 7, .k = 3, .p = 1, .mask = 0x5,
			       .scale = { 3, 0, 2 }, .shift = { 1, 0, 0 }, .offset = { 4, 0, -7 },
			       .pad = -2, .lo = -128, .hi = 127 });
	/* int16, signed and unsigned. */
	add((struct cvt_case){ .int16 = true, .w = 5, .h = 5, .c = 2, .o = 9, .k = 3, .p = 1,
			       .mask = 0x3, .scale = { 12345, 3 }, .shift = { 13, 1 },
			       .offset = { -77, 30000 }, .pad = 100, .lo = -32768, .hi = 32767 });
	add((struct cvt_case){ .int16 = true, .is_unsigned = true, .add_first = true,
			       .half_up = true, .w = 3, .h = 6, .c = 1, .o = 4, .k = 1, .mask = 1,
			       .scale = { 1 }, .shift = { 1 }, .offset = { -32768 },
			       .lo = 0, .hi = 65535 });
}

/* ---- refusals ------------------------------------------------------------ */

struct refusal {
	const char *name;
	const char *reg;          /* the message must name it */
	struct conv_desc d;
};

static void run_refusal(void **state)
{
	const struct refusal *f = *state;
	struct diff_ctx *c = diff_global();
	struct conv_desc d = f->d;
	uint64_t w[DIFF_MAX_WORDS];
	size_t n;
	uint32_t addr, raw;
	char msg[256] = "";

	diff_case_begin(c);
	d.in = diff_alloc(c, conv_in_bytes(&d));
	d.wt = diff_alloc(c, conv_wt_bytes(&d));
	d.out = diff_alloc(c, conv_out_bytes(&d));
	memset(diff_ptr(c, d.out), 0x5a, conv_out_bytes(&d));
	n = conv_body(w, &d);
	n += task_tail(w + n, 0, 0, CONV_OP_EN);
	addr = diff_alloc(c, n * 8);
	fb_put_words(&c->fb, addr, w, n);
	test_commit(c->sim, 0, addr, amount_for(n), 1, DIFF_INT_MASK);
	rk3588_sim_wait_idle(c->sim, 0);
	raw = rk3588_sim_mmio_read(c->sim, 0, REG_PC_INTERRUPT_RAW_STATUS);
	rk3588_sim_mmio_write(c->sim, 0, REG_PC_INTERRUPT_CLEAR, RK3588_INT_ALL);
	assert_true(raw & RK3588_INT_DMA_READ_ERROR);
	assert_true(rk3588_sim_last_error(c->sim, 0, msg, sizeof(msg)));
	print_message("# %s\n", msg);
	assert_non_null(strstr(msg, f->reg));
	/* Refused before any data moved. */
	for (size_t i = 0; i < conv_out_bytes(&d); i++)
		assert_int_equal(((const uint8_t *)diff_ptr(c, d.out))[i], 0x5a);
}

/* A small int8 1x1 convolution with the converter on; each entry changes
 * one thing. */
static struct conv_desc base_desc(void)
{
	return (struct conv_desc){ .out_prec = TP_INT32, .w = 4, .h = 4, .c = 16, .kw = 1,
				   .kh = 1, .n = 4, .sx = 1, .sy = 1, .out_w = 4, .out_h = 4,
				   .cvt = true, .cvt_mask = 1, .cvt_scale = { 1, 1, 1, 1 } };
}

static struct refusal g_refusals[5];

static size_t refusals(void)
{
	struct conv_desc d;
	size_t n = 0;

	d = base_desc();
	d.fp16 = true;
	d.c = 8;
	g_refusals[n++] = (struct refusal){ "cvt.refused.fp16_input", "CNA.CVT_CON0", d };
	d = base_desc();
	d.cvt_mask = 0x1f;
	g_refusals[n++] = (struct refusal){ "cvt.refused.channel_4_enabled", "CNA.CVT_CON5", d };
	d = base_desc();
	d.cvt_mask = 0x7;
	d.cvt_scale[2] = 0x8000;
	g_refusals[n++] = (struct refusal){ "cvt.refused.scale_0x8000", "CNA.CVT_CON3", d };
	d = base_desc();
	d.c = 3;
	d.cvt_unsigned = true;
	d.cvt_mask = 0x5;
	g_refusals[n++] = (struct refusal){ "cvt.refused.unsigned_channel_unconverted",
					    "CNA.CVT_CON5", d };
	d = base_desc();
	d.cvt = false;
	d.cvt_unsigned = true;
	g_refusals[n++] = (struct refusal){ "cvt.refused.unsigned_without_converter",
					    "CNA.CVT_CON0", d };
	return n;
}

int main(void)
{
	static struct CMUnitTest tests[MAX_CASES + 8];
	size_t nt = 0;

	cases();
	for (size_t i = 0; i < g_n; i++)
		tests[nt++] = (struct CMUnitTest){ .name = g_cases[i].name, .test_func = run_case,
						   .initial_state = &g_cases[i] };
	for (size_t i = 0, nr = refusals(); i < nr; i++)
		tests[nt++] = (struct CMUnitTest){ .name = g_refusals[i].name,
						   .test_func = run_refusal,
						   .initial_state = &g_refusals[i] };
	return _cmocka_run_group_tests("diff-cvt", tests, nt, diff_group_setup,
				       diff_group_teardown);
}
