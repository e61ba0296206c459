// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Elementwise operations through librnpu on the software NPU against the
 * CPU reference: int8 add/sub/mul/max/min with ReLU and requantisation,
 * fp16 add/sub/mul/max/min (bit-exact: one rounding of an exact result),
 * sizes that need several rows and several tasks; then bad arguments.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rnpu/ops.h"
#include "rnpu_ref.h"

struct ew_case {
	const char *name;
	bool fp16;
	enum rnpu_eltwise_kind kind;
	uint64_t count;
	bool relu;
	uint16_t scale;
	uint8_t shift;
	int32_t offset;
	uint32_t max_rows;
	uint32_t core_mask;
	uint32_t min_tasks;
};

static struct rnpu_dev *g_dev;

static enum ref_ew_op ref_op(enum rnpu_eltwise_kind k)
{
	switch (k) {
	case RNPU_ELTWISE_ADD:
		return REF_EW_ADD;
	case RNPU_ELTWISE_SUB:
		return REF_EW_SUB;
	case RNPU_ELTWISE_MUL:
		return REF_EW_MUL;
	case RNPU_ELTWISE_MAX:
		return REF_EW_MAX;
	default:
		return REF_EW_MIN;
	}
}

static void run_case(void **state)
{
	const struct ew_case *k = *state;
	struct rnpu_eltwise_params p = { .dtype = k->fp16 ? RNPU_DT_FP16 : RNPU_DT_INT8,
					 .kind = k->kind, .count = k->count, .relu = k->relu,
					 .out_scale = k->scale, .out_shift = k->shift,
					 .out_offset = k->offset, .max_rows_per_task = k->max_rows };
	size_t eb = k->fp16 ? 2 : 1;
	uint8_t *a = malloc(k->count * eb), *b = malloc(k->count * eb), *got = malloc(k->count * eb);
	struct rnpu_op *op;
	struct ref_rng r;
	size_t bad = 0;

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(got);
	ref_rng_seed(&r, k->count * 31 + k->kind);
	if (k->fp16) {
		ref_fill_f16(&r, (uint16_t *)a, k->count, -6, 6);
		ref_fill_f16(&r, (uint16_t *)b, k->count, -6, 6);
	} else {
		ref_fill_i8(&r, (int8_t *)a, k->count, -128, 127);
		ref_fill_i8(&r, (int8_t *)b, k->count, -128, 127);
	}
	assert_int_equal(rnpu_eltwise_create(g_dev, &p, &op), 0);
	print_message("# %s: %u tasks\n", k->name, rnpu_op_num_tasks(op));
	assert_true(rnpu_op_num_tasks(op) >= k->min_tasks);
	assert_int_equal(rnpu_op_set_input(op, 0, a), 0);
	assert_int_equal(rnpu_op_set_input(op, 1, b), 0);
	assert_int_equal(rnpu_op_run(op, k->core_mask, NULL), 0);
	memset(got, 0x5a, k->count * eb);
	assert_int_equal(rnpu_op_get_output(op, got), 0);
	for (size_t i = 0; i < k->count; i++) {
		if (k->fp16) {
			double x = ref_half_to_float(((uint16_t *)a)[i]);
			double y = ref_half_to_float(((uint16_t *)b)[i]);
			double want_v = ref_ew_f64(ref_op(k->kind), x, y);
			uint16_t want, g = ((uint16_t *)got)[i];

			if (k->relu && want_v < 0)
				want_v = 0;
			want = ref_half_from_double(want_v);
			if (g != want && bad++ < 5)
				print_error("%s[%zu]: got 0x%04x, want 0x%04x\n", k->name, i, g, want);
			continue;
		}
		int64_t v = ref_ew_i64(ref_op(k->kind), ((int8_t *)a)[i], ((int8_t *)b)[i]);
		int64_t want;

		if (k->relu && v < 0)
			v = 0;
		want = ref_requant(v, k->scale ? k->scale : 1, k->shift, k->offset, false,
				   REF_ROUND_HALF_EVEN, 8);
		if (((int8_t *)got)[i] != want && bad++ < 5)
			print_error("%s[%zu]: got %d, want %lld\n", k->name, i, ((int8_t *)got)[i],
				    (long long)want);
	}
	rnpu_op_destroy(op);
	free(a);
	free(b);
	free(got);
	assert_int_equal(bad, 0);
}

static const struct ew_case g_cases[] = {
	{ .name = "eltwise.int8.add.n1000", .kind = RNPU_ELTWISE_ADD, .count = 1000, .min_tasks = 1 },
	{ .name = "eltwise.int8.sub.n4097.relu", .kind = RNPU_ELTWISE_SUB, .count = 4097,
	  .relu = true, .min_tasks = 1 },
	{ .name = "eltwise.int8.mul.n777.shift7", .kind = RNPU_ELTWISE_MUL, .count = 777,
	  .shift = 7, .min_tasks = 1 },
	{ .name = "eltwise.int8.mul.n5000.scale_shift_offset", .kind = RNPU_ELTWISE_MUL,
	  .count = 5000, .scale = 23117, .shift = 22, .offset = -5, .min_tasks = 1 },
	{ .name = "eltwise.int8.max.n333", .kind = RNPU_ELTWISE_MAX, .count = 333, .min_tasks = 1 },
	{ .name = "eltwise.int8.min.n17", .kind = RNPU_ELTWISE_MIN, .count = 17, .min_tasks = 1 },
	{ .name = "eltwise.int8.add.n1000000.rows", .kind = RNPU_ELTWISE_ADD, .count = 1000000,
	  .scale = 3, .shift = 2, .offset = 1, .min_tasks = 1 },
	{ .name = "eltwise.int8.add.n300000.rows1.cores3", .kind = RNPU_ELTWISE_ADD,
	  .count = 300000, .max_rows = 1, .core_mask = 0x7, .min_tasks = 3 },
	{ .name = "eltwise.fp16.add.n999", .fp16 = true, .kind = RNPU_ELTWISE_ADD, .count = 999,
	  .min_tasks = 1 },
	{ .name = "eltwise.fp16.sub.n1024.relu", .fp16 = true, .kind = RNPU_ELTWISE_SUB,
	  .count = 1024, .relu = true, .min_tasks = 1 },
	{ .name = "eltwise.fp16.mul.n200000.rows2", .fp16 = true, .kind = RNPU_ELTWISE_MUL,
	  .count = 200000, .max_rows = 2, .min_tasks = 2 },
	{ .name = "eltwise.fp16.max.n100", .fp16 = true, .kind = RNPU_ELTWISE_MAX, .count = 100,
	  .min_tasks = 1 },
	{ .name = "eltwise.fp16.min.n101", .fp16 = true, .kind = RNPU_ELTWISE_MIN, .count = 101,
	  .min_tasks = 1 },
};

static void expect_refused(const struct rnpu_eltwise_params *p, int err, const char *needle)
{
	struct rnpu_op *op = NULL;
	int ret = rnpu_eltwise_create(g_dev, p, &op);

	if (ret != err || !strstr(rnpu_last_error(g_dev), needle))
		print_error("got %d \"%s\", want %d and \"%s\"\n", ret, rnpu_last_error(g_dev), err,
			    needle);
	assert_int_equal(ret, err);
	assert_null(op);
}

static void test_bad_args(void **state)
{
	const struct rnpu_eltwise_params ok = { .dtype = RNPU_DT_INT8, .kind = RNPU_ELTWISE_ADD,
						.count = 64 };
	struct rnpu_eltwise_params p;
	struct rnpu_op *op;
	uint8_t buf[64] = { 0 };
	int fence = -1;

	(void)state;
	p = ok;
	p.dtype = RNPU_DT_INT16;
	expect_refused(&p, -EINVAL, "dtype 1");
	p = ok;
	p.kind = (enum rnpu_eltwise_kind)9;
	expect_refused(&p, -EINVAL, "kind 9");
	p = ok;
	p.count = 0;
	expect_refused(&p, -EINVAL, "count 0");
	p = ok;
	p.out_shift = 32;
	expect_refused(&p, -EINVAL, "out_shift 32");
	p = ok;
	p.count = 1ull << 33;
	expect_refused(&p, -ERANGE, "count 8589934592");
	p = ok;
	p.dtype = RNPU_DT_FP16;
	p.out_offset = 1;
	expect_refused(&p, -EINVAL, "fp16: out_scale");
	assert_int_equal(rnpu_eltwise_create(g_dev, NULL, &op), -EINVAL);

	/* Bad arguments of the shared run/input calls. */
	assert_int_equal(rnpu_eltwise_create(g_dev, &ok, &op), 0);
	assert_int_equal(rnpu_op_set_input(op, 2, buf), -EINVAL);
	assert_non_null(strstr(rnpu_last_error(g_dev), "input index 2"));
	assert_int_equal(rnpu_op_set_input(op, 0, NULL), -EINVAL);
	assert_int_equal(rnpu_op_get_output(op, NULL), -EINVAL);
	assert_int_equal(rnpu_op_run(op, 0x8, NULL), -EINVAL);
	assert_non_null(strstr(rnpu_last_error(g_dev), "core_mask 0x8"));
	assert_int_equal(rnpu_op_run(op, 0x5, NULL), -EINVAL);
	assert_int_equal(rnpu_op_run_async(op, 0, NULL), -EINVAL);
	assert_null(rnpu_op_input_bo(op, 2));
	assert_non_null(rnpu_op_input_bo(op, 1));
	/* Binding the caller's buffers: refusals, then a run through them. */
	{
		struct rnpu_bo *small, *a_bo, *out_bo;
		int8_t *a_map, *out_map;

		struct rnpu_eltwise_params big_p = ok;
		struct rnpu_op *big;

		/* 2^20 elements need 1 MiB; a page is too small. */
		big_p.count = 1u << 20;
		assert_int_equal(rnpu_eltwise_create(g_dev, &big_p, &big), 0);
		assert_int_equal(rnpu_bo_create(g_dev, 4096, 0, &small), 0);
		assert_int_equal(rnpu_op_bind_input(big, 0, small), -EINVAL);
		assert_non_null(strstr(rnpu_last_error(g_dev), "buffer of 4096 bytes"));
		assert_int_equal(rnpu_op_bind_output(big, small), -EINVAL);
		assert_int_equal(rnpu_op_bind_input(big, 0, NULL), -EINVAL);
		assert_int_equal(rnpu_op_bind_input(big, 2, small), -EINVAL);
		assert_non_null(strstr(rnpu_last_error(g_dev), "input index 2"));
		rnpu_op_destroy(big);
		rnpu_bo_free(small);
		assert_int_equal(rnpu_bo_create(g_dev, 4096, 0, &a_bo), 0);
		assert_int_equal(rnpu_bo_create(g_dev, 4096, 0, &out_bo), 0);
		assert_int_equal(rnpu_bo_map(a_bo, (void **)&a_map), 0);
		assert_int_equal(rnpu_bo_map(out_bo, (void **)&out_map), 0);
		assert_int_equal(rnpu_op_bind_input(op, 0, a_bo), 0);
		assert_int_equal(rnpu_op_bind_output(op, out_bo), 0);
		for (int i = 0; i < 64; i++) {
			a_map[i] = (int8_t)(i - 32);
			buf[i] = (uint8_t)(3 * i);
		}
		assert_int_equal(rnpu_op_set_input(op, 1, buf), 0);
		assert_int_equal(rnpu_op_run(op, 0, NULL), 0);
		for (int i = 0; i < 64; i++) {
			int s = (i - 32) + (int8_t)(uint8_t)(3 * i);

			assert_int_equal(out_map[i], s > 127 ? 127 : s < -128 ? -128 : s);
		}
		rnpu_op_destroy(op);
		rnpu_bo_free(a_bo);
		rnpu_bo_free(out_bo);
		assert_int_equal(rnpu_eltwise_create(g_dev, &ok, &op), 0);
	}
	/* The async run works and its fence signals success. */
	assert_int_equal(rnpu_op_run_async(op, 0, &fence), 0);
	assert_int_equal(rnpu_fence_wait(fence, 5000), 0);
	close(fence);
	rnpu_op_destroy(op);
	rnpu_op_destroy(NULL);
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
	tests[N] = (struct CMUnitTest){ .name = "eltwise.bad-args", .test_func = test_bad_args };
	return _cmocka_run_group_tests("ops-eltwise", tests, N + 1, setup, teardown);
}
