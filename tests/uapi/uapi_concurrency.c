// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Concurrency: several sessions submit at once on cores 0, 1, 2 and AUTO,
 * each checking every result against a plain CPU computation. Run under
 * AddressSanitizer and, in a separate build, ThreadSanitizer.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rnpu/matmul_job.h"

#define ROUNDS 12

struct worker {
	uint32_t core_mask;
	unsigned int id;
	int errors;        /* submit or API failures */
	int mismatches;    /* wrong numbers */
	uint32_t cores_seen;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	enum { M = 24, K = 96, N = 48 };
	int8_t a[M * K], b[K * N];
	int32_t c[M * N];
	struct rnpu_matmul_job *job;
	struct rnpu_submit_req req;
	struct rnpu_dev *dev;

	if (rnpu_open("sim", &dev)) {
		w->errors++;
		return NULL;
	}
	if (rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, M, K, N, 8, &job)) {
		w->errors++;
		rnpu_close(dev);
		return NULL;
	}
	for (unsigned int round = 0; round < ROUNDS; round++) {
		/* Data unique to this worker and round. */
		for (int i = 0; i < M * K; i++)
			a[i] = (int8_t)((i * 7 + (int)w->id * 13 + (int)round) % 251 - 125);
		for (int i = 0; i < K * N; i++)
			b[i] = (int8_t)((i * 11 + (int)w->id * 5 + (int)round * 3) % 241 - 120);
		if (rnpu_matmul_job_set_inputs(job, a, b) ||
		    rnpu_matmul_job_run(job, w->core_mask, &req) ||
		    rnpu_matmul_job_get_output(job, c)) {
			w->errors++;
			continue;
		}
		w->cores_seen |= req.core_mask_used;
		for (int m = 0; m < M; m++) {
			for (int n = 0; n < N; n++) {
				int32_t ref = 0;

				for (int k = 0; k < K; k++)
					ref += a[m * K + k] * b[k * N + n];
				if (c[m * N + n] != ref)
					w->mismatches++;
			}
		}
	}
	rnpu_matmul_job_destroy(job);
	rnpu_close(dev);
	return NULL;
}

static void run_workers(const uint32_t *masks, unsigned int n)
{
	pthread_t t[8];
	struct worker w[8];

	for (unsigned int i = 0; i < n; i++) {
		w[i] = (struct worker){ .core_mask = masks[i], .id = i };
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (unsigned int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(w[i].errors, 0);
		assert_int_equal(w[i].mismatches, 0);
		if (masks[i])
			assert_int_equal(w[i].cores_seen, masks[i]);
	}
}

static void sessions_one_per_core(void **state)
{
	static const uint32_t masks[] = { 1, 2, 4 };

	(void)state;
	run_workers(masks, 3);
}

static void sessions_sharing_cores(void **state)
{
	static const uint32_t masks[] = { 1, 1, 2, 4, 4, 2 };

	(void)state;
	run_workers(masks, 6);
}

static void sessions_auto(void **state)
{
	static const uint32_t masks[] = { 0, 0, 0, 0 };

	(void)state;
	run_workers(masks, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sessions_one_per_core),
		cmocka_unit_test(sessions_sharing_cores),
		cmocka_unit_test(sessions_auto),
	};
	struct rnpu_dev *keep;
	int ret;

	/* One session for the whole run keeps the shared host alive. */
	if (rnpu_open("sim", &keep))
		return 1;
	ret = cmocka_run_group_tests_name("concurrency", tests, NULL, NULL);
	rnpu_close(keep);
	return ret;
}
