// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Stress: 8 sessions submit small jobs of mixed types and shapes on every
 * core and AUTO, blocking and asynchronously, and check every output
 * against a plain CPU computation. Bounded in count and in time. CI runs a
 * short count (also under ThreadSanitizer); RNPU_LONG_TESTS=1 or
 * -Dlong_tests=true runs 10,000 jobs per session.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "osal.h"
#include "rnpu/fp16.h"
#include "rnpu/matmul_job.h"

#define SESSIONS 8
#define TIME_BUDGET_NS (240ull * 1000000000ull)

struct session {
	unsigned int id;
	unsigned int jobs;
	uint64_t deadline;
	/* results */
	unsigned int done;
	unsigned int errors;
	unsigned int mismatches;
	char first_error[160];
};

static uint32_t rng(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void record_error(struct session *s, const char *what, struct rnpu_dev *dev)
{
	if (!s->errors++)
		snprintf(s->first_error, sizeof(s->first_error), "%s: %s", what,
			 dev ? rnpu_last_error(dev) : "");
}

/* One job: random type, shape, core and mode; returns after checking. */
static void one_job(struct session *s, struct rnpu_dev *dev, uint32_t *seed)
{
	static const uint32_t cores[] = { RKNPU_CORE_AUTO_MASK, 1, 2, 4 };
	const bool fp16 = rng(seed) % 2;
	const uint32_t m = 1 + rng(seed) % 48, k = 32 * (1 + rng(seed) % 6);
	const uint32_t n = 16 * (1 + rng(seed) % 6);
	const uint32_t core = cores[rng(seed) % 4];
	const bool async = rng(seed) % 2;
	const size_t in_bytes = fp16 ? 2 : 1;
	int32_t *ai = malloc(sizeof(int32_t) * m * k), *bi = malloc(sizeof(int32_t) * k * n);
	void *a = malloc(in_bytes * m * k), *b = malloc(in_bytes * k * n);
	void *c = malloc(4 * (size_t)m * n);
	struct rnpu_matmul_job *job = NULL;
	int fd = -1, ret;

	if (!ai || !bi || !a || !b || !c) {
		record_error(s, "out of memory", NULL);
		goto out;
	}
	/* Small integers: exact in int8 and fp16 and in their fp32 sums. */
	for (size_t i = 0; i < (size_t)m * k; i++) {
		ai[i] = (int32_t)(rng(seed) % (fp16 ? 9 : 255)) - (fp16 ? 4 : 127);
		if (fp16)
			((uint16_t *)a)[i] = rnpu_f32_to_f16((float)ai[i]);
		else
			((int8_t *)a)[i] = (int8_t)ai[i];
	}
	for (size_t i = 0; i < (size_t)k * n; i++) {
		bi[i] = (int32_t)(rng(seed) % (fp16 ? 9 : 255)) - (fp16 ? 4 : 127);
		if (fp16)
			((uint16_t *)b)[i] = rnpu_f32_to_f16((float)bi[i]);
		else
			((int8_t *)b)[i] = (int8_t)bi[i];
	}
	ret = rnpu_matmul_job_create(dev, fp16 ? RNPU_MM_FP16_FP32 : RNPU_MM_INT8_INT32, m, k, n,
				     1 + rng(seed) % 16, &job);
	if (!ret)
		ret = rnpu_matmul_job_set_inputs(job, a, b);
	if (!ret && async) {
		ret = rnpu_matmul_job_run_async(job, core, &fd);
		if (!ret)
			ret = rnpu_fence_wait(fd, 30000);
		if (fd >= 0)
			close(fd);
	} else if (!ret) {
		ret = rnpu_matmul_job_run(job, core, NULL);
	}
	if (!ret)
		ret = rnpu_matmul_job_get_output(job, c);
	if (ret) {
		record_error(s, async ? "async job" : "blocking job", dev);
		goto out;
	}
	for (uint32_t r = 0; r < m; r++) {
		for (uint32_t col = 0; col < n; col++) {
			int32_t ref = 0;

			for (uint32_t l = 0; l < k; l++)
				ref += ai[(size_t)r * k + l] * bi[(size_t)l * n + col];
			if (fp16 ? ((float *)c)[(size_t)r * n + col] != (float)ref
				 : ((int32_t *)c)[(size_t)r * n + col] != ref)
				s->mismatches++;
		}
	}
	s->done++;
out:
	rnpu_matmul_job_destroy(job);
	free(ai);
	free(bi);
	free(a);
	free(b);
	free(c);
}

static void *session_main(void *arg)
{
	struct session *s = arg;
	uint32_t seed = 0x9e3779b9u ^ (s->id * 2654435761u);
	struct rnpu_dev *dev;

	if (rnpu_open("sim", &dev)) {
		record_error(s, "open", NULL);
		return NULL;
	}
	for (unsigned int j = 0; j < s->jobs && rnpu_osal_time_ns() < s->deadline; j++)
		one_job(s, dev, &seed);
	rnpu_close(dev);
	return NULL;
}

static void stress_sessions(void **state)
{
	const char *env = getenv("RNPU_LONG_TESTS");
	const bool full = RNPU_LONG_TESTS_DEFAULT || (env && env[0] == '1');
	struct session s[SESSIONS];
	pthread_t t[SESSIONS];
	unsigned int total = 0;

	(void)state;
	for (unsigned int i = 0; i < SESSIONS; i++) {
		s[i] = (struct session){ .id = i, .jobs = full ? 10000 : 40,
					 .deadline = rnpu_osal_time_ns() + TIME_BUDGET_NS };
		assert_int_equal(pthread_create(&t[i], NULL, session_main, &s[i]), 0);
	}
	for (unsigned int i = 0; i < SESSIONS; i++)
		pthread_join(t[i], NULL);
	for (unsigned int i = 0; i < SESSIONS; i++) {
		if (s[i].errors)
			print_error("session %u: %u errors, first: %s\n", i, s[i].errors,
				    s[i].first_error);
		assert_int_equal(s[i].errors, 0);
		assert_int_equal(s[i].mismatches, 0);
		total += s[i].done;
	}
	print_message("# stress: %u jobs verified across %d sessions\n", total, SESSIONS);
	/* The time budget may cut a long run short, never the CI count. */
	if (!full)
		assert_int_equal(total, SESSIONS * 40);
	assert_true(total > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stress_sessions),
	};
	struct rnpu_dev *keep;
	int ret;

	if (rnpu_open("sim", &keep))
		return 1;
	ret = cmocka_run_group_tests_name("stress", tests, NULL, NULL);
	rnpu_close(keep);
	return ret;
}
