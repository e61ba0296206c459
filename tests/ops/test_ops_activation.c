// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * LUT activations (sigmoid, tanh, SiLU) through librnpu on the software NPU
 * against f computed in double on the CPU, within the bound docs/ops.md
 * states: 1 unit of the output for int8 inputs (each reads an exact table
 * entry); for int16, 2 units (entry rounding, the interpolation's floor,
 * the final rounding) plus the linear-interpolation error h^2/8 * max|f''|
 * (h = 64 input units); then bad arguments.
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

struct act_case {
	const char *name;
	enum rnpu_dtype dtype;
	enum rnpu_activation_kind kind;
	uint64_t count;
	uint8_t in_frac, out_frac;
	uint32_t max_rows;
	uint32_t core_mask;
};

static struct rnpu_dev *g_dev;

static double f_of(enum rnpu_activation_kind k, double v)
{
	switch (k) {
	case RNPU_ACT_SIGMOID:
		return 1.0 / (1.0 + exp(-v));
	case RNPU_ACT_TANH:
		return tanh(v);
	default:
		return v / (1.0 + exp(-v));
	}
}

/* Largest |f''| over the reals (sigmoid: 1/(6 sqrt 3); tanh: 4/(3 sqrt 3);
 * SiLU: 1/2, at 0). */
static double f2_max(enum rnpu_activation_kind k)
{
	switch (k) {
	case RNPU_ACT_SIGMOID:
		return 1.0 / (6.0 * sqrt(3.0));
	case RNPU_ACT_TANH:
		return 4.0 / (3.0 * sqrt(3.0));
	default:
		return 0.5;
	}
}

static void run_case(void **state)
{
	const struct act_case *k = *state;
	struct rnpu_activation_params p = { .dtype = k->dtype, .kind = k->kind, .count = k->count,
					    .in_frac = k->in_frac, .out_frac = k->out_frac,
					    .max_rows_per_task = k->max_rows };
	bool i8 = k->dtype == RNPU_DT_INT8;
	size_t eb = i8 ? 1 : 2;
	double lo = i8 ? -128 : -32768, hi = i8 ? 127 : 32767;
	double h = i8 ? 0.0 : ldexp(64.0, -(int)k->in_frac);
	double tol = i8 ? 1.0 : 2.0 + ldexp(h * h / 8.0 * f2_max(k->kind), k->out_frac);
	uint8_t *x = malloc(k->count * eb), *got = malloc(k->count * eb);
	struct rnpu_op *op;
	struct ref_rng r;
	size_t bad = 0;
	double worst = 0.0;

	assert_non_null(x);
	assert_non_null(got);
	ref_rng_seed(&r, k->count * 131 + k->kind);
	for (size_t i = 0; i < k->count; i++) {
		/* Every value of the type early on, then random ones. */
		int32_t v = i < (size_t)(hi - lo + 1) ? (int32_t)(lo + (double)i)
						      : ref_rng_range(&r, (int32_t)lo, (int32_t)hi);

		if (i8)
			((int8_t *)x)[i] = (int8_t)v;
		else
			((int16_t *)x)[i] = (int16_t)v;
	}
	assert_int_equal(rnpu_activation_create(g_dev, &p, &op), 0);
	print_message("# %s: %u tasks, tolerance %.3f\n", k->name, rnpu_op_num_tasks(op), tol);
	assert_int_equal(rnpu_op_set_input(op, 0, x), 0);
	assert_int_equal(rnpu_op_run(op, k->core_mask, NULL), 0);
	memset(got, 0x5a, k->count * eb);
	assert_int_equal(rnpu_op_get_output(op, got), 0);
	for (size_t i = 0; i < k->count; i++) {
		double q = i8 ? ((int8_t *)x)[i] : ((int16_t *)x)[i];
		double g = i8 ? ((int8_t *)got)[i] : ((int16_t *)got)[i];
		double want = ldexp(f_of(k->kind, ldexp(q, -(int)k->in_frac)), k->out_frac);

		want = want > hi ? hi : want < lo ? lo : want;
		if (fabs(g - want) > worst)
			worst = fabs(g - want);
		if (fabs(g - want) > tol && bad++ < 5)
			print_error("%s[%zu]: x %g got %g, want %.3f\n", k->name, i, q, g, want);
	}
	print_message("# %s: largest error %.3f\n", k->name, worst);
	rnpu_op_destroy(op);
	free(x);
	free(got);
	assert_int_equal(bad, 0);
}

static const struct act_case g_cases[] = {
	{ .name = "activation.int8.sigmoid.in_q4.out_q7.n300", .dtype = RNPU_DT_INT8,
	  .kind = RNPU_ACT_SIGMOID, .count = 300, .in_frac = 4, .out_frac = 7 },
	{ .name = "activation.int8.tanh.in_q5.out_q7.n1000", .dtype = RNPU_DT_INT8,
	  .kind = RNPU_ACT_TANH, .count = 1000, .in_frac = 5, .out_frac = 7 },
	{ .name = "activation.int8.silu.in_q4.out_q4.n777", .dtype = RNPU_DT_INT8,
	  .kind = RNPU_ACT_SILU, .count = 777, .in_frac = 4, .out_frac = 4 },
	{ .name = "activation.int8.silu.in_q0.out_q0.saturating", .dtype = RNPU_DT_INT8,
	  .kind = RNPU_ACT_SILU, .count = 256 },
	{ .name = "activation.int16.sigmoid.in_q12.out_q15.n70000", .dtype = RNPU_DT_INT16,
	  .kind = RNPU_ACT_SIGMOID, .count = 70000, .in_frac = 12, .out_frac = 15 },
	{ .name = "activation.int16.tanh.in_q12.out_q14.n66000", .dtype = RNPU_DT_INT16,
	  .kind = RNPU_ACT_TANH, .count = 66000, .in_frac = 12, .out_frac = 14 },
	{ .name = "activation.int16.silu.in_q12.out_q12.n65536", .dtype = RNPU_DT_INT16,
	  .kind = RNPU_ACT_SILU, .count = 65536, .in_frac = 12, .out_frac = 12 },
	{ .name = "activation.int16.silu.in_q8.out_q8.rows1.cores3", .dtype = RNPU_DT_INT16,
	  .kind = RNPU_ACT_SILU, .count = 200000, .in_frac = 8, .out_frac = 8, .max_rows = 1,
	  .core_mask = 0x7 },
};

#define N (sizeof(g_cases) / sizeof(g_cases[0]))

static void expect_refused(const struct rnpu_activation_params *p, int err, const char *needle)
{
	struct rnpu_op *op = NULL;
	int ret = rnpu_activation_create(g_dev, p, &op);

	if (ret != err || !strstr(rnpu_last_error(g_dev), needle))
		fail_msg("got %d \"%s\", want %d and \"%s\"", ret, rnpu_last_error(g_dev), err,
			 needle);
	assert_null(op);
}

static void test_bad_args(void **state)
{
	struct rnpu_activation_params p = { .dtype = RNPU_DT_INT8, .kind = RNPU_ACT_TANH,
					    .count = 10 };
	struct rnpu_op *op;

	(void)state;
	p.dtype = RNPU_DT_FP16;
	expect_refused(&p, -EINVAL, "dtype 2");
	p.dtype = RNPU_DT_INT8;
	p.kind = (enum rnpu_activation_kind)7;
	expect_refused(&p, -EINVAL, "kind 7");
	p.kind = RNPU_ACT_TANH;
	p.count = 0;
	expect_refused(&p, -EINVAL, "count 0");
	p.count = 10;
	p.in_frac = 16;
	expect_refused(&p, -EINVAL, "in_frac 16");
	p.in_frac = 0;
	p.count = 1ull << 33;
	expect_refused(&p, -ERANGE, "count");
	assert_int_equal(rnpu_activation_create(g_dev, NULL, &op), -EINVAL);
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
	struct CMUnitTest tests[N + 1];

	for (size_t i = 0; i < N; i++)
		tests[i] = (struct CMUnitTest){ .name = g_cases[i].name, .test_func = run_case,
						.initial_state = (void *)&g_cases[i] };
	tests[N] = (struct CMUnitTest){ .name = "activation.bad_args", .test_func = test_bad_args };
	return _cmocka_run_group_tests("ops-activation", tests, N + 1, setup, teardown);
}
