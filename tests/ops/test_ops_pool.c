// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Pooling through librnpu on the software NPU against the plain NCHW CPU
 * reference: max/min/average, int8 and fp16, kernels and strides up to 16,
 * asymmetric padding, row bands; then bad arguments. The average is the
 * window sum times the 17-bit reciprocals of kw and kh (computed here from
 * their definition: nearest value with 10 fraction bits), rounded half up
 * for int8 and to nearest fp16.
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

struct pool_case {
	const char *name;
	bool fp16;
	enum rnpu_pool2d_kind kind;
	uint32_t h, w, c, kh, kw, sy, sx, pt, pb, pl, pr;
	uint32_t max_rows;
	uint32_t min_tasks;
};

static struct rnpu_dev *g_dev;

/* Nearest 1/k with an 11-bit significand (k <= 16, always normal). */
static double recip11(uint32_t k)
{
	double e = floor(log2(1.0 / k));
	double scale = ldexp(1.0, 10 - (int)e);

	return nearbyint(scale / k) / scale;
}

static void run_case(void **state)
{
	const struct pool_case *k = *state;
	uint32_t oh = (k->h + k->pt + k->pb - k->kh) / k->sy + 1;
	uint32_t ow = (k->w + k->pl + k->pr - k->kw) / k->sx + 1;
	size_t nx = (size_t)k->c * k->h * k->w, ny = (size_t)k->c * oh * ow;
	struct ref_pool_shape s = { .c = k->c, .h = k->h, .w = k->w, .kh = k->kh, .kw = k->kw,
				    .sy = k->sy, .sx = k->sx, .pt = k->pt, .pl = k->pl, .oh = oh,
				    .ow = ow };
	struct rnpu_pool2d_params p = { .dtype = k->fp16 ? RNPU_DT_FP16 : RNPU_DT_INT8,
				      .kind = k->kind, .in_h = k->h, .in_w = k->w, .c = k->c,
				      .kh = k->kh, .kw = k->kw, .stride_h = k->sy, .stride_w = k->sx,
				      .pad_top = k->pt, .pad_bottom = k->pb, .pad_left = k->pl,
				      .pad_right = k->pr, .max_rows_per_task = k->max_rows };
	enum ref_pool_op rop = k->kind == RNPU_POOL2D_MAX ? REF_POOL_MAX :
			       k->kind == RNPU_POOL2D_MIN ? REF_POOL_MIN : REF_POOL_AVG_SUM;
	double rw = recip11(k->kw), rh = recip11(k->kh);
	size_t eb = k->fp16 ? 2 : 1;
	uint8_t *x_nhwc = calloc(nx, eb), *got = calloc(ny, eb);
	int32_t *xi = calloc(nx, 4);
	double *xf = calloc(nx, 8), *yf = calloc(ny, 8);
	int64_t *yi = calloc(ny, 8);
	struct rnpu_op *op;
	struct ref_rng r;
	size_t bad = 0;
	uint32_t gh, gw, gc;

	assert_true(x_nhwc && got && xi && xf && yf && yi);
	ref_rng_seed(&r, nx * 7 + k->kind);
	for (uint32_t c = 0; c < k->c; c++)
		for (uint32_t y = 0; y < k->h; y++)
			for (uint32_t x = 0; x < k->w; x++) {
				size_t ni = ((size_t)c * k->h + y) * k->w + x;
				size_t hi = ((size_t)y * k->w + x) * k->c + c;

				if (k->fp16) {
					uint16_t h;

					ref_fill_f16(&r, &h, 1, -4, 4);
					xf[ni] = ref_half_to_float(h);
					((uint16_t *)x_nhwc)[hi] = h;
				} else {
					xi[ni] = ref_rng_range(&r, -128, 127);
					((int8_t *)x_nhwc)[hi] = (int8_t)xi[ni];
				}
			}
	/* Padding: ignored by max/min (type extremes), zero for the average. */
	if (k->fp16)
		ref_pool2d_f64(&s, rop, xf, rop == REF_POOL_MAX ? -INFINITY :
					    rop == REF_POOL_MIN ? INFINITY : 0.0, yf);
	else
		ref_pool2d_i64(&s, rop, xi, rop == REF_POOL_MAX ? -128 : rop == REF_POOL_MIN ? 127 : 0,
			       yi);

	assert_int_equal(rnpu_pool2d_create(g_dev, &p, &op), 0);
	rnpu_op_output_shape(op, &gh, &gw, &gc);
	assert_int_equal(gh, oh);
	assert_int_equal(gw, ow);
	assert_int_equal(gc, k->c);
	print_message("# %s: %u tasks\n", k->name, rnpu_op_num_tasks(op));
	assert_true(rnpu_op_num_tasks(op) >= k->min_tasks);
	assert_int_equal(rnpu_op_set_input(op, 0, x_nhwc), 0);
	assert_int_equal(rnpu_op_run(op, 0, NULL), 0);
	assert_int_equal(rnpu_op_get_output(op, got), 0);
	for (uint32_t c = 0; c < k->c; c++)
		for (uint32_t y = 0; y < oh; y++)
			for (uint32_t x = 0; x < ow; x++) {
				size_t ri = ((size_t)c * oh + y) * ow + x;
				size_t hi = ((size_t)y * ow + x) * k->c + c;

				if (k->fp16) {
					double want = yf[ri];
					float g = ref_half_to_float(((uint16_t *)got)[hi]);

					if (rop == REF_POOL_AVG_SUM) {
						double sum_abs = 0;
						/* Bound of docs/sim.md for fp16 averages. */
						for (uint32_t i = 0; i < k->kh * k->kw; i++)
							sum_abs += 16.0; /* |x| < 2^5 */
						want = want * rw * rh;
						if (fabs(g - want) > ldexp(fabs(want), -11) +
									     k->kh * k->kw *
										     ldexp(sum_abs * rw * rh,
											   -23) +
									     ldexp(1.0, -24) &&
						    bad++ < 5)
							print_error("%s: [%u][%u][%u] %.6g want %.6g\n",
								    k->name, y, x, c, g, want);
						continue;
					}
					if (ref_half_from_double(want) !=
						    ((uint16_t *)got)[hi] &&
					    bad++ < 5)
						print_error("%s: [%u][%u][%u] %.6g want %.6g\n", k->name,
							    y, x, c, g, want);
					continue;
				}
				int64_t want = yi[ri];

				if (rop == REF_POOL_AVG_SUM)
					want = ref_sat_bits((int64_t)floor((double)want * rw * rh + 0.5),
							    8);
				if (((int8_t *)got)[hi] != want && bad++ < 5)
					print_error("%s: [%u][%u][%u] %d want %lld\n", k->name, y, x, c,
						    ((int8_t *)got)[hi], (long long)want);
			}
	rnpu_op_destroy(op);
	free(x_nhwc);
	free(got);
	free(xi);
	free(xf);
	free(yf);
	free(yi);
	assert_int_equal(bad, 0);
}

static const struct pool_case g_cases[] = {
	{ .name = "pool.int8.max.in_16x16x16.k2.s2", .kind = RNPU_POOL2D_MAX, .h = 16, .w = 16,
	  .c = 16, .kh = 2, .kw = 2, .sy = 2, .sx = 2, .min_tasks = 1 },
	{ .name = "pool.int8.avg.in_15x13x20.k3.s2.p1", .kind = RNPU_POOL2D_AVG, .h = 15, .w = 13,
	  .c = 20, .kh = 3, .kw = 3, .sy = 2, .sx = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
	  .min_tasks = 1 },
	{ .name = "pool.int8.min.in_9x11x5.k3x5.s1x2.p2_0_1_3", .kind = RNPU_POOL2D_MIN, .h = 9,
	  .w = 11, .c = 5, .kh = 3, .kw = 5, .sy = 1, .sx = 2, .pt = 2, .pb = 0, .pl = 1, .pr = 3,
	  .min_tasks = 1 },
	{ .name = "pool.int8.max.in_33x7x40.k3.s1.p1.rows4", .kind = RNPU_POOL2D_MAX, .h = 33, .w = 7,
	  .c = 40, .kh = 3, .kw = 3, .sy = 1, .sx = 1, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
	  .max_rows = 4, .min_tasks = 9 },
	{ .name = "pool.int8.avg.in_37x21x16.k5.s3.p2.rows2", .kind = RNPU_POOL2D_AVG, .h = 37,
	  .w = 21, .c = 16, .kh = 5, .kw = 5, .sy = 3, .sx = 3, .pt = 2, .pb = 2, .pl = 2,
	  .pr = 2, .max_rows = 2, .min_tasks = 6 },
	{ .name = "pool.int8.avg.in_16x16x8.k16.s16.global", .kind = RNPU_POOL2D_AVG, .h = 16,
	  .w = 16, .c = 8, .kh = 16, .kw = 16, .sy = 16, .sx = 16, .min_tasks = 1 },
	{ .name = "pool.int8.max.in_224x224x3.k2.s2", .kind = RNPU_POOL2D_MAX, .h = 224, .w = 224,
	  .c = 3, .kh = 2, .kw = 2, .sy = 2, .sx = 2, .min_tasks = 1 },
	{ .name = "pool.fp16.max.in_12x12x12.k3.s2.p1", .fp16 = true, .kind = RNPU_POOL2D_MAX,
	  .h = 12, .w = 12, .c = 12, .kh = 3, .kw = 3, .sy = 2, .sx = 2, .pt = 1, .pb = 1,
	  .pl = 1, .pr = 1, .min_tasks = 1 },
	{ .name = "pool.fp16.min.in_10x10x9.k2.s2.rows2", .fp16 = true, .kind = RNPU_POOL2D_MIN,
	  .h = 10, .w = 10, .c = 9, .kh = 2, .kw = 2, .sy = 2, .sx = 2, .max_rows = 2,
	  .min_tasks = 3 },
	{ .name = "pool.fp16.avg.in_11x9x8.k3.s1.p1", .fp16 = true, .kind = RNPU_POOL2D_AVG, .h = 11,
	  .w = 9, .c = 8, .kh = 3, .kw = 3, .sy = 1, .sx = 1, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
	  .min_tasks = 1 },
};

static void expect_refused(const struct rnpu_pool2d_params *p, int err, const char *needle)
{
	struct rnpu_op *op = NULL;
	int ret = rnpu_pool2d_create(g_dev, p, &op);

	if (ret != err || !strstr(rnpu_last_error(g_dev), needle))
		print_error("got %d \"%s\", want %d and \"%s\"\n", ret, rnpu_last_error(g_dev), err,
			    needle);
	assert_int_equal(ret, err);
	assert_null(op);
}

static void test_bad_args(void **state)
{
	const struct rnpu_pool2d_params ok = { .dtype = RNPU_DT_INT8, .kind = RNPU_POOL2D_MAX,
					     .in_h = 20, .in_w = 20, .c = 4, .kh = 2, .kw = 2 };
	struct rnpu_pool2d_params p;
	struct rnpu_op *op;

	(void)state;
	assert_int_equal(rnpu_pool2d_create(g_dev, &ok, &op), 0);
	rnpu_op_destroy(op);
	p = ok;
	p.dtype = RNPU_DT_FP32;
	expect_refused(&p, -EINVAL, "dtype 5");
	p = ok;
	p.kind = (enum rnpu_pool2d_kind)3;
	expect_refused(&p, -EINVAL, "kind 3");
	p = ok;
	p.c = 0;
	expect_refused(&p, -EINVAL, "sizes must be at least 1");
	p = ok;
	p.kh = 17; /* KERNEL_HEIGHT holds k - 1 in 4 bits */
	expect_refused(&p, -ERANGE, "KERNEL_HEIGHT");
	p = ok;
	p.stride_w = 17;
	expect_refused(&p, -ERANGE, "KERNEL_STRIDE_WIDTH");
	p = ok;
	p.kh = p.kw = 9;
	p.pad_left = 8; /* PAD_LEFT is 3 bits */
	expect_refused(&p, -ERANGE, "PAD_LEFT");
	p = ok;
	p.pad_top = 2;
	expect_refused(&p, -EINVAL, "entirely in the padding");
	p = ok;
	p.kh = 30;
	expect_refused(&p, -EINVAL, "does not fit the padded input");
	assert_int_equal(rnpu_pool2d_create(g_dev, NULL, &op), -EINVAL);
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

int main(void)
{
	enum { N = sizeof(g_cases) / sizeof(g_cases[0]) };
	struct CMUnitTest tests[N + 1];

	for (size_t i = 0; i < N; i++)
		tests[i] = (struct CMUnitTest){ .name = g_cases[i].name, .test_func = run_case,
						.initial_state = (void *)&g_cases[i] };
	tests[N] = (struct CMUnitTest){ .name = "pool.bad-args", .test_func = test_bad_args };
	return _cmocka_run_group_tests("ops-pool", tests, N + 1, setup, teardown);
}
