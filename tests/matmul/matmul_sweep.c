// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Differential matmul: int8 -> int32 and fp16 -> fp32 / fp16 on the
 * software NPU through the vendor UAPI, against the independent CPU
 * reference (tests/ref), over a seeded sweep of shapes. Each case is named
 * by its parameters, e.g. "matmul.int8.m64.k256.n128.core1".
 *
 * The sweep: M in 1..544, K a multiple of 32 up to 4096, N a multiple of 16
 * up to 4096, kept inside the CBUF limits (the M rows of one task must fit
 * the data banks; larger M is tiled by the builder and chained by the PC).
 * CI runs a bounded subset; -Dlong_tests=true (or RNPU_LONG_TESTS=1) runs
 * the full sweep.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rnpu/matmul_job.h"
#include "rnpu_ref.h"

#define CBUF_BANK_BYTES 32768u
#define CBUF_DATA_BANKS_MAX 11u

struct mm_case {
	enum rnpu_mm_type type;
	uint32_t m, k, n;
	uint32_t core_mask;
	uint64_t seed;
	char name[96];
};

static struct rnpu_dev *g_dev;

static const char *type_name(enum rnpu_mm_type t)
{
	switch (t) {
	case RNPU_MM_INT8_INT32: return "int8";
	case RNPU_MM_FP16_FP32: return "fp16.f32";
	default: return "fp16.f16";
	}
}

static void run_int8(const struct mm_case *c)
{
	size_t mk = (size_t)c->m * c->k, kn = (size_t)c->k * c->n, mn = (size_t)c->m * c->n;
	int8_t *a = malloc(mk), *b = malloc(kn);
	int32_t *got = malloc(mn * 4), *want = malloc(mn * 4);
	struct rnpu_matmul_job *job;
	struct rnpu_submit_req req;
	struct ref_rng rng;
	size_t bad = 0;

	assert_non_null(a);
	assert_non_null(got);
	ref_rng_seed(&rng, c->seed);
	ref_fill_i8(&rng, a, mk, -128, 127);
	ref_fill_i8(&rng, b, kn, -128, 127);
	ref_matmul_i8_i32(c->m, c->k, c->n, a, b, want);

	assert_int_equal(rnpu_matmul_job_create(g_dev, c->type, c->m, c->k, c->n, 0, &job), 0);
	assert_int_equal(rnpu_matmul_job_set_inputs(job, a, b), 0);
	assert_int_equal(rnpu_matmul_job_run(job, c->core_mask, &req), 0);
	assert_int_equal(req.task_counter, job->num_tasks);
	assert_int_equal(req.core_mask_used, c->core_mask);
	assert_int_equal(rnpu_matmul_job_get_output(job, got), 0);
	for (size_t i = 0; i < mn; i++) {
		if (got[i] != want[i] && bad++ < 4)
			print_error("C[%zu][%zu] = %d, reference %d\n", i / c->n, i % c->n, got[i],
				    want[i]);
	}
	rnpu_matmul_job_destroy(job);
	free(a);
	free(b);
	free(got);
	free(want);
	assert_int_equal(bad, 0);
}

static void run_fp16(const struct mm_case *c)
{
	size_t mk = (size_t)c->m * c->k, kn = (size_t)c->k * c->n, mn = (size_t)c->m * c->n;
	uint16_t *a = malloc(mk * 2), *b = malloc(kn * 2);
	float *want = malloc(mn * 4), *absdot = malloc(mn * 4), *got = malloc(mn * 4);
	uint16_t *got16 = malloc(mn * 2);
	bool out16 = c->type == RNPU_MM_FP16_FP16;
	struct rnpu_matmul_job *job;
	struct rnpu_submit_req req;
	struct ref_rng rng;
	size_t bad = 0;

	assert_non_null(a);
	assert_non_null(got16);
	ref_rng_seed(&rng, c->seed);
	/* Magnitudes 2^-3..2^2 keep fp16 sums of up to 4096 terms finite. */
	ref_fill_f16(&rng, a, mk, -3, 2);
	ref_fill_f16(&rng, b, kn, -3, 2);
	ref_matmul_f16_f32(c->m, c->k, c->n, a, b, want, absdot);

	assert_int_equal(rnpu_matmul_job_create(g_dev, c->type, c->m, c->k, c->n, 0, &job), 0);
	assert_int_equal(rnpu_matmul_job_set_inputs(job, a, b), 0);
	assert_int_equal(rnpu_matmul_job_run(job, c->core_mask, &req), 0);
	assert_int_equal(req.task_counter, job->num_tasks);
	assert_int_equal(rnpu_matmul_job_get_output(job, out16 ? (void *)got16 : (void *)got), 0);
	for (size_t i = 0; i < mn; i++) {
		float g = out16 ? ref_half_to_float(got16[i]) : got[i];

		if (!ref_f16_close(g, want[i], absdot[i], c->k, out16) && bad++ < 4)
			print_error("C[%zu][%zu] = %.9g, reference %.9g (|dot| %.6g)\n", i / c->n,
				    i % c->n, (double)g, (double)want[i], (double)absdot[i]);
	}
	rnpu_matmul_job_destroy(job);
	free(a);
	free(b);
	free(want);
	free(absdot);
	free(got);
	free(got16);
	assert_int_equal(bad, 0);
}

static void run_case(void **state)
{
	const struct mm_case *c = *state;

	if (c->type == RNPU_MM_INT8_INT32)
		run_int8(c);
	else
		run_fp16(c);
}

/* Largest M whose rows fit the data banks in one task (the builder tiles
 * beyond it; the sweep also covers tiled shapes). */
static uint32_t rows_per_task(enum rnpu_mm_type t, uint32_t k)
{
	uint32_t elem = t == RNPU_MM_INT8_INT32 ? 1 : 2;

	return CBUF_DATA_BANKS_MAX * CBUF_BANK_BYTES / (k * elem);
}

static void add_case(struct mm_case *cases, size_t *n, enum rnpu_mm_type t, uint32_t m,
		     uint32_t k, uint32_t nn, uint64_t seed)
{
	static const uint32_t cores[] = { 1, 2, 4 };
	struct mm_case *c = &cases[(*n)++];

	c->type = t;
	c->m = m;
	c->k = k;
	c->n = nn;
	c->core_mask = cores[*n % 3];
	c->seed = seed;
	snprintf(c->name, sizeof(c->name), "matmul.%s.m%u.k%u.n%u.core%d", type_name(t), m, k, nn,
		 __builtin_ctz(c->core_mask));
}

static size_t build_cases(struct mm_case *cases, size_t cap, bool full)
{
	static const enum rnpu_mm_type types[] = { RNPU_MM_INT8_INT32, RNPU_MM_FP16_FP32,
						   RNPU_MM_FP16_FP16 };
	/* MAC budget per case, so the sanitizer build stays quick in CI. */
	const uint64_t mac_budget = full ? (1ull << 33) : (1ull << 24);
	const size_t random_per_type = full ? 60 : 10;
	struct ref_rng rng;
	size_t n = 0;

	ref_rng_seed(&rng, 0x5eed);
	for (size_t t = 0; t < 3; t++) {
		enum rnpu_mm_type ty = types[t];

		/* Edges of the sweep. */
		add_case(cases, &n, ty, 1, 32, 16, ref_rng_u64(&rng));
		add_case(cases, &n, ty, 544, 32, 16, ref_rng_u64(&rng));
		add_case(cases, &n, ty, 1, 4096, 16, ref_rng_u64(&rng));
		add_case(cases, &n, ty, 4, 32, 4096, ref_rng_u64(&rng));
		add_case(cases, &n, ty, rows_per_task(ty, 4096), 4096, 32, ref_rng_u64(&rng));
		add_case(cases, &n, ty, rows_per_task(ty, 1024) + 1, 1024, 48, ref_rng_u64(&rng));
		for (size_t i = 0; i < random_per_type && n < cap; i++) {
			uint32_t m, k, nn;

			do {
				m = (uint32_t)ref_rng_range(&rng, 1, 544);
				k = 32u * (uint32_t)ref_rng_range(&rng, 1, 128);
				nn = 16u * (uint32_t)ref_rng_range(&rng, 1, 256);
			} while ((uint64_t)m * k * nn > mac_budget);
			add_case(cases, &n, ty, m, k, nn, ref_rng_u64(&rng));
		}
	}
	return n;
}

static int group_setup(void **state)
{
	(void)state;
	return rnpu_open("sim", &g_dev);
}

static int group_teardown(void **state)
{
	(void)state;
	rnpu_close(g_dev);
	return 0;
}

int main(void)
{
	const char *env = getenv("RNPU_LONG_TESTS");
	bool full = RNPU_LONG_TESTS_DEFAULT || (env && env[0] == '1');
	static struct mm_case cases[256];
	struct CMUnitTest tests[256];
	size_t n = build_cases(cases, 256, full);

	for (size_t i = 0; i < n; i++) {
		tests[i] = (struct CMUnitTest){ .name = cases[i].name, .test_func = run_case,
						.initial_state = &cases[i] };
	}
	return _cmocka_run_group_tests("matmul", tests, n, group_setup, group_teardown);
}
