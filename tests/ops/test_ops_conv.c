// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * conv2d through librnpu on the software NPU against the plain NCHW CPU
 * reference (tests/ref): int8 with input/output zero points, bias,
 * per-channel multiplier and shift, ReLU; depthwise; stride, dilation,
 * asymmetric padding; shapes that need row bands (large spatial sizes,
 * forced small bands) and kernel chunks (many channels); fp16. Each case
 * is named by its parameters. Then the error codes of bad parameters.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rnpu/ops.h"
#include "rnpu_ref.h"

struct conv_case {
	const char *name;
	bool fp16;
	uint32_t h, w, c, o, kh, kw, sy, sx, dy, dx, pt, pb, pl, pr;
	bool dw, relu, bias, quant;
	int32_t zx, zy;
	uint32_t max_rows;
	uint32_t core_mask;
	uint32_t min_tasks;          /* the tiling the case is meant to exercise */
};

static struct rnpu_dev *g_dev;

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	assert_non_null(p);
	return p;
}

static uint32_t out_dim(uint32_t in, uint32_t k, uint32_t s, uint32_t d, uint32_t pa, uint32_t pb)
{
	return (in + pa + pb - (k - 1) * d - 1) / s + 1;
}

static void run_int8(const struct conv_case *k)
{
	struct ref_rng r;
	uint32_t oh = out_dim(k->h, k->kh, k->sy, k->dy, k->pt, k->pb);
	uint32_t ow = out_dim(k->w, k->kw, k->sx, k->dx, k->pl, k->pr);
	uint32_t o = k->dw ? k->c : k->o;
	size_t nx = (size_t)k->c * k->h * k->w, ny = (size_t)o * oh * ow;
	size_t nw = (size_t)(k->dw ? 1 : o) * k->c * k->kh * k->kw;
	int32_t *x_nchw = xcalloc(nx, 4), *w_oihw = xcalloc(nw, 4);
	int8_t *x_nhwc = xcalloc(nx, 1), *w_ohwi = xcalloc(nw, 1), *got = xcalloc(ny, 1);
	int32_t *bias = xcalloc(o, 4);
	int16_t *mult = xcalloc(o, 2);
	uint8_t *shift = xcalloc(o, 1);
	int64_t *acc = xcalloc(ny, 8);
	struct ref_conv_shape s = { .c = k->c, .h = k->h, .w = k->w, .o = o, .kh = k->kh,
				    .kw = k->kw, .sy = k->sy, .sx = k->sx, .dy = k->dy,
				    .dx = k->dx, .pt = k->pt, .pl = k->pl, .oh = oh, .ow = ow,
				    .depthwise = k->dw };
	struct rnpu_conv2d_params p = {
		.dtype = RNPU_DT_INT8, .in_h = k->h, .in_w = k->w, .in_c = k->c, .out_c = o,
		.kh = k->kh, .kw = k->kw, .stride_h = k->sy, .stride_w = k->sx,
		.dilation_h = k->dy, .dilation_w = k->dx, .pad_top = k->pt, .pad_bottom = k->pb,
		.pad_left = k->pl, .pad_right = k->pr, .depthwise = k->dw, .relu = k->relu,
		.in_zero_point = k->zx, .out_zero_point = k->zy, .max_rows_per_task = k->max_rows,
	};
	struct rnpu_op *op;
	size_t bad = 0;
	uint32_t gh, gw, gc;

	ref_rng_seed(&r, 0xc0471 ^ nx ^ ((uint64_t)o << 32));
	for (size_t i = 0; i < nx; i++)
		x_nchw[i] = ref_rng_range(&r, -128, 127);
	for (size_t i = 0; i < nw; i++)
		w_oihw[i] = ref_rng_range(&r, -128, 127);
	for (uint32_t i = 0; i < o; i++)
		bias[i] = k->bias ? ref_rng_range(&r, -50000, 50000) : 0;
	/* NCHW -> NHWC and OIHW -> OHWI by index arithmetic. */
	for (uint32_t c = 0; c < k->c; c++)
		for (uint32_t y = 0; y < k->h; y++)
			for (uint32_t xx = 0; xx < k->w; xx++)
				x_nhwc[((size_t)y * k->w + xx) * k->c + c] =
					(int8_t)x_nchw[((size_t)c * k->h + y) * k->w + xx];
	for (uint32_t oc = 0; oc < (k->dw ? 1 : o); oc++)
		for (uint32_t c = 0; c < k->c; c++)
			for (uint32_t ky = 0; ky < k->kh; ky++)
				for (uint32_t kx = 0; kx < k->kw; kx++) {
					size_t oihw = k->dw ? ((size_t)c * k->kh + ky) * k->kw + kx
							    : (((size_t)oc * k->c + c) * k->kh + ky) *
									      k->kw + kx;
					size_t ohwi = (((size_t)oc * k->kh + ky) * k->kw + kx) * k->c + c;

					w_ohwi[ohwi] = (int8_t)w_oihw[oihw];
				}
	p.weights = w_ohwi;
	p.bias = k->bias ? bias : NULL;
	p.multiplier = k->quant ? mult : NULL;
	p.shift = k->quant ? shift : NULL;

	/* Reference: (x - zx) with zero padding, which is what a zero point
	 * means; the library pads with zx and folds the rest into the bias. */
	for (size_t i = 0; i < nx; i++)
		x_nchw[i] -= k->zx;
	ref_conv2d_i64(&s, x_nchw, w_oihw, 0, acc);
	/* Requantisation that maps each channel's range onto about +-150, so
	 * that most outputs land inside int8 rather than saturating. */
	for (uint32_t oc = 0; oc < o && k->quant; oc++) {
		int64_t peak = 1;

		for (size_t i = (size_t)oc * oh * ow; i < (size_t)(oc + 1) * oh * ow; i++) {
			int64_t v = acc[i] + bias[oc];

			peak = v < 0 && -v > peak ? -v : v > peak ? v : peak;
		}
		mult[oc] = (int16_t)ref_rng_range(&r, 16384, 32767);
		shift[oc] = 0;
		while (shift[oc] < 63 && (peak * mult[oc]) >> shift[oc] > 150)
			shift[oc]++;
	}
	for (uint32_t oc = 0; oc < o && !k->quant; oc++)
		mult[oc] = 1;

	assert_int_equal(rnpu_conv2d_create(g_dev, &p, &op), 0);
	rnpu_op_output_shape(op, &gh, &gw, &gc);
	assert_int_equal(gh, oh);
	assert_int_equal(gw, ow);
	assert_int_equal(gc, o);
	print_message("# %s: %u tasks\n", k->name, rnpu_op_num_tasks(op));
	assert_true(rnpu_op_num_tasks(op) >= k->min_tasks);
	assert_int_equal(rnpu_op_set_input(op, 0, x_nhwc), 0);
	assert_int_equal(rnpu_op_run(op, k->core_mask, NULL), 0);
	assert_int_equal(rnpu_op_get_output(op, got), 0);

	for (uint32_t oc = 0; oc < o; oc++)
		for (uint32_t y = 0; y < oh; y++)
			for (uint32_t xx = 0; xx < ow; xx++) {
				int64_t t = ref_sat_bits(acc[((size_t)oc * oh + y) * ow + xx] +
								 bias[oc],
							 32);
				int64_t want;
				int8_t g = got[((size_t)y * ow + xx) * o + oc];

				t = ref_sat_bits(ref_rshift_round(t * mult[oc], shift[oc],
								  REF_ROUND_HALF_UP),
						 32);
				if (k->relu && t < 0)
					t = 0;
				want = ref_sat_bits(t + k->zy, 8);
				if (g != want && bad++ < 5)
					print_error("%s: out[%u][%u][%u] = %d, want %lld\n", k->name, y,
						    xx, oc, g, (long long)want);
			}
	rnpu_op_destroy(op);
	free(x_nchw);
	free(w_oihw);
	free(x_nhwc);
	free(w_ohwi);
	free(got);
	free(bias);
	free(mult);
	free(shift);
	free(acc);
	assert_int_equal(bad, 0);
}

static void run_fp16(const struct conv_case *k)
{
	struct ref_rng r;
	uint32_t oh = out_dim(k->h, k->kh, k->sy, k->dy, k->pt, k->pb);
	uint32_t ow = out_dim(k->w, k->kw, k->sx, k->dx, k->pl, k->pr);
	uint32_t o = k->dw ? k->c : k->o;
	size_t nx = (size_t)k->c * k->h * k->w, ny = (size_t)o * oh * ow;
	size_t nw = (size_t)(k->dw ? 1 : o) * k->c * k->kh * k->kw;
	uint16_t *xh = xcalloc(nx, 2), *wh = xcalloc(nw, 2), *got = xcalloc(ny, 2);
	uint16_t *x_nhwc = xcalloc(nx, 2), *w_ohwi = xcalloc(nw, 2);
	double *xf = xcalloc(nx, 8), *wf = xcalloc(nw, 8), *y = xcalloc(ny, 8),
	       *mag = xcalloc(ny, 8);
	float *bias = xcalloc(o, 4);
	struct ref_conv_shape s = { .c = k->c, .h = k->h, .w = k->w, .o = o, .kh = k->kh,
				    .kw = k->kw, .sy = k->sy, .sx = k->sx, .dy = k->dy,
				    .dx = k->dx, .pt = k->pt, .pl = k->pl, .oh = oh, .ow = ow,
				    .depthwise = k->dw };
	struct rnpu_conv2d_params p = {
		.dtype = RNPU_DT_FP16, .in_h = k->h, .in_w = k->w, .in_c = k->c, .out_c = o,
		.kh = k->kh, .kw = k->kw, .stride_h = k->sy, .stride_w = k->sx,
		.dilation_h = k->dy, .dilation_w = k->dx, .pad_top = k->pt, .pad_bottom = k->pb,
		.pad_left = k->pl, .pad_right = k->pr, .depthwise = k->dw, .relu = k->relu,
		.max_rows_per_task = k->max_rows,
	};
	struct rnpu_op *op;
	size_t bad = 0;

	ref_rng_seed(&r, 0xf16c0 ^ nx);
	ref_fill_f16(&r, xh, nx, -3, 1);
	ref_fill_f16(&r, wh, nw, -3, 1);
	for (size_t i = 0; i < nx; i++)
		xf[i] = ref_half_to_float(xh[i]);
	for (size_t i = 0; i < nw; i++)
		wf[i] = ref_half_to_float(wh[i]);
	for (uint32_t i = 0; i < o; i++)
		bias[i] = k->bias ? (float)ref_rng_range(&r, -64, 64) / 16.0f : 0.0f;
	for (uint32_t c = 0; c < k->c; c++)
		for (uint32_t yy = 0; yy < k->h; yy++)
			for (uint32_t xx = 0; xx < k->w; xx++)
				x_nhwc[((size_t)yy * k->w + xx) * k->c + c] =
					xh[((size_t)c * k->h + yy) * k->w + xx];
	for (uint32_t oc = 0; oc < (k->dw ? 1 : o); oc++)
		for (uint32_t c = 0; c < k->c; c++)
			for (uint32_t ky = 0; ky < k->kh; ky++)
				for (uint32_t kx = 0; kx < k->kw; kx++) {
					size_t oihw = k->dw ? ((size_t)c * k->kh + ky) * k->kw + kx
							    : (((size_t)oc * k->c + c) * k->kh + ky) *
									      k->kw + kx;

					w_ohwi[(((size_t)oc * k->kh + ky) * k->kw + kx) * k->c + c] =
						wh[oihw];
				}
	p.weights = w_ohwi;
	p.bias = k->bias ? bias : NULL;
	ref_conv2d_f64(&s, xf, wf, 0.0, y, mag);

	assert_int_equal(rnpu_conv2d_create(g_dev, &p, &op), 0);
	assert_true(rnpu_op_num_tasks(op) >= k->min_tasks);
	assert_int_equal(rnpu_op_set_input(op, 0, x_nhwc), 0);
	assert_int_equal(rnpu_op_run(op, k->core_mask, NULL), 0);
	assert_int_equal(rnpu_op_get_output(op, got), 0);
	for (uint32_t oc = 0; oc < o; oc++)
		for (uint32_t yy = 0; yy < oh; yy++)
			for (uint32_t xx = 0; xx < ow; xx++) {
				size_t ri = ((size_t)oc * oh + yy) * ow + xx;
				double want = y[ri] + bias[oc];
				float g = ref_half_to_float(got[((size_t)yy * ow + xx) * o + oc]);
				uint32_t taps = k->kh * k->kw * (k->dw ? 1 : k->c);

				if (k->relu && want < 0)
					want = 0;
				/* The bias adds one more fp32 rounding: one more term. */
				if (!ref_f16_close(g, (float)want, (float)(mag[ri] + bias[oc] *
									    (bias[oc] < 0 ? -1 : 1)),
						   taps + 1, true) &&
				    bad++ < 5)
					print_error("%s: out[%u][%u][%u] = %.6g, want %.6g\n", k->name,
						    yy, xx, oc, g, want);
			}
	rnpu_op_destroy(op);
	free(xh);
	free(wh);
	free(got);
	free(x_nhwc);
	free(w_ohwi);
	free(xf);
	free(wf);
	free(y);
	free(mag);
	free(bias);
	assert_int_equal(bad, 0);
}

static void run_case(void **state)
{
	const struct conv_case *k = *state;

	if (k->fp16)
		run_fp16(k);
	else
		run_int8(k);
}

#define K3 .kh = 3, .kw = 3, .sy = 1, .sx = 1, .dy = 1, .dx = 1
static const struct conv_case g_cases[] = {
	{ .name = "conv.int8.in_8x8x16.k3.p1.out_32.bias.q.relu.zp", .h = 8, .w = 8, .c = 16,
	  .o = 32, K3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true, .quant = true,
	  .relu = true, .zx = 5, .zy = -7, .min_tasks = 1 },
	{ .name = "conv.int8.in_1x1x1.k1.out_1", .h = 1, .w = 1, .c = 1, .o = 1, .kh = 1, .kw = 1,
	  .sy = 1, .sx = 1, .dy = 1, .dx = 1, .min_tasks = 1 },
	{ .name = "conv.int8.in_37x29x19.k5.s2.p2_1_2_0.out_21.q", .h = 37, .w = 29, .c = 19,
	  .o = 21, .kh = 5, .kw = 5, .sy = 2, .sx = 2, .dy = 1, .dx = 1, .pt = 2, .pb = 1,
	  .pl = 2, .pr = 0, .bias = true, .quant = true, .zx = -3, .zy = 4, .min_tasks = 1 },
	{ .name = "conv.int8.in_13x11x24.k3.d2.p2.out_40.relu", .h = 13, .w = 11, .c = 24,
	  .o = 40, .kh = 3, .kw = 3, .sy = 1, .sx = 1, .dy = 2, .dx = 2, .pt = 2, .pb = 2,
	  .pl = 2, .pr = 2, .bias = true, .quant = true, .relu = true, .min_tasks = 1 },
	{ .name = "conv.int8.in_20x9x16.k3.p1.out_16.rows3.tiled", .h = 20, .w = 9, .c = 16,
	  .o = 16, K3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true, .quant = true,
	  .zx = 9, .max_rows = 3, .min_tasks = 7 },
	{ .name = "conv.int8.in_160x160x32.k3.s1.p1.out_32.bands", .h = 160, .w = 160, .c = 32,
	  .o = 32, K3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true, .quant = true,
	  .relu = true, .min_tasks = 2 },
	{ .name = "conv.int8.in_6x8x1280.k3.p1.out_48.kernel_chunks", .h = 6, .w = 8, .c = 1280,
	  .o = 48, K3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true, .quant = true,
	  .min_tasks = 3 },
	{ .name = "conv.int8.in_5x4x2048.k3.p1.out_40.kernel_chunks", .h = 5, .w = 4, .c = 2048,
	  .o = 40, K3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true, .quant = true,
	  .min_tasks = 3 },
	{ .name = "conv.int8.in_4x5x2000.k3.p1.out_25.kernel_chunks_uneven", .h = 4, .w = 5,
	  .c = 2000, .o = 25, K3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true,
	  .quant = true, .zx = 4, .min_tasks = 2 },
	{ .name = "conv.int8.in_4x2100x16.k3.p1.out_16.column_tiles", .h = 4, .w = 2100, .c = 16,
	  .o = 16, K3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true, .quant = true,
	  .zx = 7, .min_tasks = 2 },
	{ .name = "conv.int8.in_7x300x512.k3.s2.p1.out_32.column_tiles", .h = 7, .w = 300,
	  .c = 512, .o = 32, .kh = 3, .kw = 3, .sy = 2, .sx = 2, .dy = 1, .dx = 1, .pt = 1,
	  .pb = 1, .pl = 1, .pr = 1, .bias = true, .quant = true, .relu = true, .min_tasks = 2 },
	{ .name = "dwconv.int8.in_5x700x200.k3.p1.column_tiles", .h = 5, .w = 700, .c = 200, K3,
	  .pt = 1, .pb = 1, .pl = 1, .pr = 1, .dw = true, .bias = true, .quant = true,
	  .min_tasks = 2 },
	{ .name = "conv.int8.in_9x9x512.k1.out_96", .h = 9, .w = 9, .c = 512, .o = 96, .kh = 1,
	  .kw = 1, .sy = 1, .sx = 1, .dy = 1, .dx = 1, .bias = true, .quant = true,
	  .min_tasks = 1 },
	{ .name = "dwconv.int8.in_14x14x40.k3.p1.relu.zp", .h = 14, .w = 14, .c = 40, K3,
	  .pt = 1, .pb = 1, .pl = 1, .pr = 1, .dw = true, .bias = true, .quant = true,
	  .relu = true, .zx = -2, .zy = 3, .min_tasks = 1 },
	{ .name = "dwconv.int8.in_31x17x70.k5.s2.p2.rows4", .h = 31, .w = 17, .c = 70,
	  .kh = 5, .kw = 5, .sy = 2, .sx = 2, .dy = 1, .dx = 1, .pt = 2, .pb = 2, .pl = 2,
	  .pr = 2, .dw = true, .bias = true, .quant = true, .max_rows = 4, .min_tasks = 4 },
	{ .name = "conv.int8.in_64x48x24.k3.p1.out_64.rows4.cores3", .h = 64, .w = 48, .c = 24,
	  .o = 64, K3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true, .quant = true,
	  .max_rows = 4, .core_mask = 0x7, .min_tasks = 16 },
	/* Input channels beyond what one kernel may hold in the CBUF (or the
	 * 14-bit channel field): groups of int32 partial sums added on the
	 * NPU, requantised once. min_tasks counts the groups' tasks plus the
	 * requantisation. */
	{ .name = "conv.int8.in_7x7x4100.k3.s1.p1.out_8", .h = 7, .w = 7, .c = 4100, .o = 8, K3,
	  .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true, .quant = true, .min_tasks = 3 },
	{ .name = "conv.int8.in_6x5x5000.k3.p1.out_40.bias.q.relu.zp", .h = 6, .w = 5,
	  .c = 5000, .o = 40, K3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true,
	  .quant = true, .relu = true, .zx = -11, .zy = 6, .min_tasks = 3 },
	{ .name = "conv.int8.in_5x6x9000.k1.out_24", .h = 5, .w = 6, .c = 9000, .o = 24, .kh = 1,
	  .kw = 1, .sy = 1, .sx = 1, .dy = 1, .dx = 1, .bias = true, .quant = true, .zx = 3,
	  .min_tasks = 1 },
	{ .name = "conv.int8.in_3x4x20000.k1.out_20.channel_field", .h = 3, .w = 4, .c = 20000,
	  .o = 20, .kh = 1, .kw = 1, .sy = 1, .sx = 1, .dy = 1, .dx = 1, .bias = true,
	  .quant = true, .zx = -5, .min_tasks = 3 },
	{ .name = "conv.int8.in_12x9x3000.k3.s2.p1.out_48.rows2.cores3", .h = 12, .w = 9,
	  .c = 3000, .o = 48, .kh = 3, .kw = 3, .sy = 2, .sx = 2, .dy = 1, .dx = 1, .pt = 1,
	  .pb = 1, .pl = 1, .pr = 1, .bias = true, .quant = true, .relu = true, .zx = 1,
	  .max_rows = 2, .core_mask = 0x7, .min_tasks = 9 },
	{ .name = "dwconv.int8.in_6x7x4100.k3.p1.unsplit", .h = 6, .w = 7, .c = 4100, K3,
	  .pt = 1, .pb = 1, .pl = 1, .pr = 1, .dw = true, .bias = true, .quant = true,
	  .zx = 2, .min_tasks = 1 },
	{ .name = "conv.fp16.in_10x10x16.k3.p1.out_20.bias.relu", .fp16 = true, .h = 10, .w = 10,
	  .c = 16, .o = 20, K3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true, .relu = true,
	  .min_tasks = 1 },
	{ .name = "conv.fp16.in_21x13x5.k5.s2.p2.out_17.rows3", .fp16 = true, .h = 21, .w = 13,
	  .c = 5, .o = 17, .kh = 5, .kw = 5, .sy = 2, .sx = 2, .dy = 1, .dx = 1, .pt = 2,
	  .pb = 2, .pl = 2, .pr = 2, .max_rows = 3, .min_tasks = 4 },
	{ .name = "dwconv.fp16.in_12x12x24.k3.p1", .fp16 = true, .h = 12, .w = 12, .c = 24, K3,
	  .pt = 1, .pb = 1, .pl = 1, .pr = 1, .dw = true, .min_tasks = 1 },
};

/* ---- bad arguments ----------------------------------------------------- */

static void expect_refused(const struct rnpu_conv2d_params *p, int err, const char *needle)
{
	struct rnpu_op *op = NULL;
	int ret = rnpu_conv2d_create(g_dev, p, &op);

	if (ret != err || !strstr(rnpu_last_error(g_dev), needle))
		print_error("got %d \"%s\", want %d and \"%s\"\n", ret, rnpu_last_error(g_dev), err,
			    needle);
	assert_int_equal(ret, err);
	assert_null(op);
	assert_non_null(strstr(rnpu_last_error(g_dev), needle));
}

static void test_conv_bad_args(void **state)
{
	static const int8_t w[16 * 3 * 3 * 16000];
	static const uint8_t big_shift[4] = { 0, 64, 0, 0 };
	const struct rnpu_conv2d_params ok = { .dtype = RNPU_DT_INT8, .in_h = 8, .in_w = 8,
					       .in_c = 4, .out_c = 4, .kh = 3, .kw = 3,
					       .weights = w };
	struct rnpu_conv2d_params p;
	struct rnpu_op *op;

	(void)state;
	assert_int_equal(rnpu_conv2d_create(g_dev, &ok, &op), 0);
	rnpu_op_destroy(op);

	p = ok;
	p.dtype = RNPU_DT_INT32;
	expect_refused(&p, -EINVAL, "dtype 4");
	p = ok;
	p.in_c = 0;
	expect_refused(&p, -EINVAL, "sizes must be at least 1");
	p = ok;
	p.weights = NULL;
	expect_refused(&p, -EINVAL, "weights: NULL");
	p = ok;
	p.depthwise = true;
	p.out_c = 8;
	expect_refused(&p, -EINVAL, "out_c 8 must equal in_c 4");
	p = ok;
	p.kh = 11;
	expect_refused(&p, -EINVAL, "does not fit the padded input");
	p = ok;
	p.in_zero_point = 200;
	expect_refused(&p, -EINVAL, "in_zero_point 200");
	p = ok;
	p.out_zero_point = -129;
	expect_refused(&p, -EINVAL, "out_zero_point -129");
	p = ok;
	p.shift = big_shift;
	expect_refused(&p, -EINVAL, "shift[1] = 64");
	p = ok;
	p.pad_top = 16; /* CNA.PAD_CON0.PAD_TOP is 4 bits */
	p.kh = 17;
	p.in_h = 40;
	expect_refused(&p, -ERANGE, "PAD_TOP");
	p = ok;
	p.stride_h = 8; /* CONV_Y_STRIDE is 3 bits */
	expect_refused(&p, -ERANGE, "CONV_Y_STRIDE");
	p = ok;
	p.kw = 2100; /* DATAIN_WIDTH is 11 bits: no window that wide */
	p.in_w = 2200;
	p.in_h = 3;
	p.kh = 1;
	p.in_c = 1;
	expect_refused(&p, -ERANGE, "DATAIN_WIDTH");
	/* fp16 is never split along the input channels (fp32 partial sums
	 * would round differently from one accumulation). */
	p = ok;
	p.dtype = RNPU_DT_FP16;
	p.in_c = 16000; /* 41 rows of 16000 channels do not fit beside the weights */
	p.in_h = 50;
	p.kh = 3;
	p.kw = 1;
	p.dilation_h = 20;
	p.out_c = 1;
	expect_refused(&p, -ERANGE, "DATA_BANK");
	p = ok;
	p.dtype = RNPU_DT_FP16;
	p.in_c = 8000; /* 8 kernels of 3x3x8000 fp16 exceed the weight banks */
	p.out_c = 16;
	expect_refused(&p, -ERANGE, "WEIGHT_BANK");
	p = ok;
	p.depthwise = false; /* int8: split, the same shapes are accepted */
	p.in_c = 16000;
	p.out_c = 16;
	assert_int_equal(rnpu_conv2d_create(g_dev, &p, &op), 0);
	assert_true(rnpu_op_num_tasks(op) >= 3);
	rnpu_op_destroy(op);
	p = ok;
	p.pad_bottom = 3;
	expect_refused(&p, -EINVAL, "pad_bottom 3");
	p = ok;
	p.pad_top = 3;
	expect_refused(&p, -EINVAL, "pad_top 3");
	p = ok;
	p.dtype = RNPU_DT_FP16;
	p.in_zero_point = 1;
	expect_refused(&p, -EINVAL, "fp16: zero points");
	assert_int_equal(rnpu_conv2d_create(g_dev, NULL, &op), -EINVAL);
}

static void test_requant_from_scale(void **state)
{
	static const double scales[] = { 1.0,	  0.5,	    0.75,     1.0 / 3,	 0.0123456,
					 2.5e-5,  7.77e-10, 32767.0,  123.456,	 3.0e-15 };
	int16_t m;
	uint8_t s;

	(void)state;
	for (size_t i = 0; i < sizeof(scales) / sizeof(scales[0]); i++) {
		double got;

		assert_int_equal(rnpu_requant_from_scale(scales[i], &m, &s), 0);
		got = ldexp((double)m, -(int)s);
		if (fabs(got - scales[i]) > ldexp(scales[i], -15))
			print_error("scale %g: %d / 2^%u = %g\n", scales[i], m, s, got);
		assert_true(fabs(got - scales[i]) <= ldexp(scales[i], -15));
		assert_true(m > 0 && s <= 63);
	}
	assert_int_equal(rnpu_requant_from_scale(0.0, &m, &s), -EINVAL);
	assert_int_equal(rnpu_requant_from_scale(-1.0, &m, &s), -EINVAL);
	assert_int_equal(rnpu_requant_from_scale(NAN, &m, &s), -EINVAL);
	assert_int_equal(rnpu_requant_from_scale(40000.0, &m, &s), -EINVAL);
	assert_int_equal(rnpu_requant_from_scale(1e-30, &m, &s), -ERANGE);
	assert_int_equal(rnpu_requant_from_scale(1.0, NULL, &s), -EINVAL);
}

static int setup(void **state)
{
	(void)state;
	return rnpu_open("sim", &g_dev);
}

static int teardown(void **state)
{
	(void)state;
	rnpu_close(g_dev);
	return 0;
}

/* ---- seeded random sweep ------------------------------------------------ */

#define SWEEP_MAX 200u
#define DEEP_MAX 30u
static struct conv_case g_sweep[SWEEP_MAX + DEEP_MAX];
static char g_names[SWEEP_MAX + DEEP_MAX][112];

static bool long_tests(void)
{
	const char *e = getenv("RNPU_LONG_TESTS");

	return e ? e[0] == '1' : RNPU_LONG_TESTS_DEFAULT;
}

/* Random shapes, with wide and deep ones that need column tiles and
 * kernel chunks now and then, under a MAC budget. */
static size_t make_sweep(size_t count, uint64_t budget)
{
	static const uint32_t ks[] = { 1, 3, 5 };
	struct ref_rng r;
	size_t n = 0;

	ref_rng_seed(&r, 0x0b5c0de);
	for (unsigned int tries = 0; n < count && tries < 100000; tries++) {
		struct conv_case k = { 0 };
		uint32_t reach_h, reach_w, oh, ow;
		uint64_t macs;

		k.fp16 = ref_rng_range(&r, 0, 4) == 0;
		k.dw = ref_rng_range(&r, 0, 3) == 0;
		k.h = (uint32_t)ref_rng_range(&r, 1, ref_rng_range(&r, 0, 4) ? 40 : 200);
		k.w = (uint32_t)ref_rng_range(&r, 1, ref_rng_range(&r, 0, 4) ? 40 : 2300);
		k.c = (uint32_t)ref_rng_range(&r, 1, ref_rng_range(&r, 0, 3) ? 64 : 1500);
		k.o = (uint32_t)ref_rng_range(&r, 1, ref_rng_range(&r, 0, 2) ? 48 : 160);
		k.kh = ks[ref_rng_range(&r, 0, 2)];
		k.kw = ref_rng_range(&r, 0, 3) ? k.kh : ks[ref_rng_range(&r, 0, 2)];
		k.sy = (uint32_t)ref_rng_range(&r, 1, 2);
		k.sx = (uint32_t)ref_rng_range(&r, 1, 2);
		k.dy = ref_rng_range(&r, 0, 5) ? 1 : 2;
		k.dx = k.dy;
		reach_h = (k.kh - 1) * k.dy + 1;
		reach_w = (k.kw - 1) * k.dx + 1;
		k.pt = (uint32_t)ref_rng_range(&r, 0, (int32_t)(reach_h / 2));
		k.pb = (uint32_t)ref_rng_range(&r, 0, (int32_t)(reach_h / 2));
		k.pl = (uint32_t)ref_rng_range(&r, 0, (int32_t)(reach_w / 2));
		k.pr = (uint32_t)ref_rng_range(&r, 0, (int32_t)(reach_w / 2));
		k.relu = ref_rng_range(&r, 0, 1);
		k.bias = ref_rng_range(&r, 0, 1);
		k.quant = !k.fp16;
		if (!k.fp16) {
			k.zx = ref_rng_range(&r, -20, 20);
			k.zy = ref_rng_range(&r, -20, 20);
		}
		k.max_rows = ref_rng_range(&r, 0, 2) ? 0 : (uint32_t)ref_rng_range(&r, 1, 6);
		k.core_mask = ref_rng_range(&r, 0, 2) ? 0 : 7;
		if (k.h + k.pt + k.pb < reach_h || k.w + k.pl + k.pr < reach_w)
			continue;
		oh = out_dim(k.h, k.kh, k.sy, k.dy, k.pt, k.pb);
		ow = out_dim(k.w, k.kw, k.sx, k.dx, k.pl, k.pr);
		macs = (uint64_t)oh * ow * k.kh * k.kw * (k.c + 15) / 16 * 16 * (k.dw ? 1 : k.o);
		if (macs > budget)
			continue;
		snprintf(g_names[n], sizeof(g_names[n]),
			 "sweep.%s%s.in_%ux%ux%u.k%ux%u.s%u_%u.d%u.p%u_%u_%u_%u.out_%u%s%s.rows%u.m%u",
			 k.dw ? "dw." : "", k.fp16 ? "fp16" : "int8", k.h, k.w, k.c, k.kh, k.kw,
			 k.sy, k.sx, k.dy, k.pt, k.pb, k.pl, k.pr, k.dw ? k.c : k.o,
			 k.bias ? ".bias" : "", k.relu ? ".relu" : "", k.max_rows, k.core_mask);
		k.name = g_names[n];
		g_sweep[n++] = k;
	}
	return n;
}

/* int8 convolutions too deep for one kernel in the CBUF (input-channel
 * groups), appended after @n sweep cases; their own seed keeps the main
 * sweep's shapes. */
static size_t make_deep_sweep(size_t n, size_t count, uint64_t budget)
{
	static const uint32_t ks[] = { 1, 3, 5 };
	struct ref_rng r;
	size_t end = n + count;

	ref_rng_seed(&r, 0xdee9c0);
	for (unsigned int tries = 0; n < end && tries < 100000; tries++) {
		struct conv_case k = { .dy = 1, .dx = 1, .quant = true };
		uint32_t oh, ow, lo;
		uint64_t macs;

		k.kh = ks[ref_rng_range(&r, 0, 2)];
		k.kw = ref_rng_range(&r, 0, 3) ? k.kh : ks[ref_rng_range(&r, 0, 2)];
		/* More channels than 16 kernels (one output atom) may hold in
		 * 11 banks of 32 KiB; 1x1 beyond the 14-bit channel field. */
		lo = k.kh * k.kw == 1 ? 16400 : 11 * 32768 / (16 * k.kh * k.kw) + 64;
		k.c = (uint32_t)ref_rng_range(&r, (int32_t)lo, (int32_t)lo + 3000);
		k.h = (uint32_t)ref_rng_range(&r, 1, 9);
		k.w = (uint32_t)ref_rng_range(&r, 1, 9);
		k.o = (uint32_t)ref_rng_range(&r, 16, 40);
		k.sy = (uint32_t)ref_rng_range(&r, 1, 2);
		k.sx = (uint32_t)ref_rng_range(&r, 1, 2);
		k.pt = (uint32_t)ref_rng_range(&r, 0, (int32_t)(k.kh / 2));
		k.pb = (uint32_t)ref_rng_range(&r, 0, (int32_t)(k.kh / 2));
		k.pl = (uint32_t)ref_rng_range(&r, 0, (int32_t)(k.kw / 2));
		k.pr = (uint32_t)ref_rng_range(&r, 0, (int32_t)(k.kw / 2));
		k.relu = ref_rng_range(&r, 0, 1);
		k.bias = ref_rng_range(&r, 0, 1);
		k.zx = ref_rng_range(&r, -20, 20);
		k.zy = ref_rng_range(&r, -20, 20);
		k.max_rows = ref_rng_range(&r, 0, 2) ? 0 : (uint32_t)ref_rng_range(&r, 1, 3);
		k.core_mask = ref_rng_range(&r, 0, 2) ? 0 : 7;
		k.min_tasks = 2; /* at least two groups' tasks */
		if (k.h + k.pt + k.pb < k.kh || k.w + k.pl + k.pr < k.kw)
			continue;
		oh = out_dim(k.h, k.kh, k.sy, 1, k.pt, k.pb);
		ow = out_dim(k.w, k.kw, k.sx, 1, k.pl, k.pr);
		macs = (uint64_t)oh * ow * k.kh * k.kw * k.c * k.o;
		if (macs > budget)
			continue;
		snprintf(g_names[n], sizeof(g_names[n]),
			 "sweep.deep.int8.in_%ux%ux%u.k%ux%u.s%u_%u.p%u_%u_%u_%u.out_%u%s%s.rows%u.m%u",
			 k.h, k.w, k.c, k.kh, k.kw, k.sy, k.sx, k.pt, k.pb, k.pl, k.pr, k.o,
			 k.bias ? ".bias" : "", k.relu ? ".relu" : "", k.max_rows, k.core_mask);
		k.name = g_names[n];
		g_sweep[n++] = k;
	}
	return n;
}

int main(void)
{
	enum { N = sizeof(g_cases) / sizeof(g_cases[0]) };
	static struct CMUnitTest tests[N + 2 + SWEEP_MAX + DEEP_MAX];
	size_t ns = long_tests() ? make_sweep(SWEEP_MAX, 1ull << 26) : make_sweep(10, 1ull << 21);

	ns = long_tests() ? make_deep_sweep(ns, DEEP_MAX, 1ull << 26)
			  : make_deep_sweep(ns, 3, 1ull << 23);

	for (size_t i = 0; i < N; i++)
		tests[i] = (struct CMUnitTest){ .name = g_cases[i].name, .test_func = run_case,
						.initial_state = (void *)&g_cases[i] };
	tests[N] = (struct CMUnitTest){ .name = "conv.bad-args", .test_func = test_conv_bad_args };
	tests[N + 1] = (struct CMUnitTest){ .name = "conv.requant-from-scale",
					    .test_func = test_requant_from_scale };
	for (size_t i = 0; i < ns; i++)
		tests[N + 2 + i] = (struct CMUnitTest){ .name = g_sweep[i].name,
							.test_func = run_case,
							.initial_state = &g_sweep[i] };
	return _cmocka_run_group_tests("ops-conv", tests, N + 2 + ns, setup, teardown);
}
