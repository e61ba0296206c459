// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * librknn_rnpu from several threads at once, the way LLM runtimes use it:
 * one matmul context per core, each thread creating, running and
 * destroying its own contexts and memory while the others do the same,
 * with one shared weight buffer bound to every context. Results are
 * checked against the CPU reference; runs under ThreadSanitizer too.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rknn_matmul_api.h"
#include "rnpu_ref.h"

#define THREADS 3
#define ROUNDS 6
#define DIM_M 4
#define DIM_K 64
#define DIM_N 32

static rknn_tensor_mem *shared_b;
static int8_t b_rows[DIM_K * DIM_N];

struct worker {
	int id;
	int errors;
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	int8_t a[DIM_M * DIM_K];
	int32_t want[DIM_M * DIM_N];
	struct ref_rng r;

	ref_rng_seed(&r, 1000 + (uint64_t)w->id);
	for (int round = 0; round < ROUNDS; round++) {
		rknn_matmul_info info;
		rknn_matmul_io_attr io;
		rknn_matmul_ctx ctx = 0;
		rknn_tensor_mem *ma, *mc;

		memset(&info, 0, sizeof(info));
		info.M = DIM_M;
		info.K = DIM_K;
		info.N = DIM_N;
		info.type = RKNN_INT8_MM_INT8_TO_INT32;
		if (rknn_matmul_create(&ctx, &info, &io) ||
		    rknn_matmul_set_core_mask(ctx, (rknn_core_mask)(1 << (w->id % 3)))) {
			w->errors++;
			continue;
		}
		ma = rknn_create_mem(ctx, io.A.size);
		mc = rknn_create_mem(ctx, io.C.size);
		if (!ma || !mc) {
			w->errors++;
		} else {
			ref_fill_i8(&r, a, sizeof(a), -128, 127);
			memcpy(ma->virt_addr, a, sizeof(a));
			ref_matmul_i8_i32(DIM_M, DIM_K, DIM_N, a, b_rows, want);
			if (rknn_matmul_set_io_mem(ctx, ma, &io.A) ||
			    rknn_matmul_set_io_mem(ctx, shared_b, &io.B) ||
			    rknn_matmul_set_io_mem(ctx, mc, &io.C) || rknn_matmul_run(ctx) ||
			    memcmp(mc->virt_addr, want, sizeof(want)))
				w->errors++;
		}
		if (ma)
			rknn_destroy_mem(ctx, ma);
		if (mc)
			rknn_destroy_mem(ctx, mc);
		if (rknn_matmul_destroy(ctx))
			w->errors++;
	}
	return NULL;
}

static void test_contexts_in_parallel(void **state)
{
	struct worker w[THREADS];
	pthread_t t[THREADS];
	struct ref_rng r;

	(void)state;
	ref_rng_seed(&r, 77);
	ref_fill_i8(&r, b_rows, sizeof(b_rows), -128, 127);
	shared_b = rknn_create_mem2(0, sizeof(b_rows), RKNN_MEM_FLAG_ALLOC_NO_CONTEXT);
	assert_non_null(shared_b);
	memcpy(shared_b->virt_addr, b_rows, sizeof(b_rows));
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .id = i };
		assert_int_equal(pthread_create(&t[i], NULL, worker, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].errors, 0);
	}
	assert_int_equal(rknn_destroy_mem(0, shared_b), RKNN_SUCC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contexts_in_parallel),
	};

	setenv("RNPU_RKNN_LOG", "0", 1);
	return cmocka_run_group_tests_name("rknn-threads", tests, NULL, NULL);
}
