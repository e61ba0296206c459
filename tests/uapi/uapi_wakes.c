// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Who wakes the software NPU's core workers, counted (never timed): a job
 * on three cores costs its submitting thread one worker wake, the woken
 * worker passes the start on to the other two, every core runs its
 * share, and the result is the CPU's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rk3588_sim.h"
#include "rnpu/matmul.h"
#include "rnpu_host.h"

#define CORES 3u
#define JOBS 12u
/* Large enough that no core's share runs inside the OP_EN write. */
#define M 1u
#define KN 1024u

struct fixture {
	struct rnpu_dev *dev;
	struct rnpu_host *host;
	struct rk3588_sim *sim;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || rnpu_open("sim", &f->dev) || rnpu_host_get_default(&f->host))
		return -1;
	f->sim = rnpu_host_sim(f->host);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rnpu_host_put_default(f->host);
	rnpu_close(f->dev);
	free(f);
	return 0;
}

static void snapshot(struct rk3588_sim *sim, struct rk3588_sim_core_stats st[CORES])
{
	for (unsigned int i = 0; i < CORES; i++)
		rk3588_sim_get_stats(sim, i, &st[i]);
}

static void run_jobs(struct fixture *f, uint32_t core_mask, uint64_t *start_wakes,
		     uint64_t *relay_wakes)
{
	struct rnpu_matmul_cfg cfg = { .type = RNPU_MM_INT8_INT32, .m = M, .k = KN, .n = KN,
				       .core_mask = core_mask };
	int8_t *a = malloc(M * KN), *b = malloc((size_t)KN * KN);
	int32_t *c = malloc(sizeof(int32_t) * M * KN), *ref = malloc(sizeof(int32_t) * M * KN);
	struct rk3588_sim_core_stats before[CORES], after[CORES];
	struct rnpu_matmul *mm = NULL;

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_non_null(ref);
	for (uint32_t i = 0; i < M * KN; i++)
		a[i] = (int8_t)((i * 37u + 5u) % 255u - 127);
	for (uint32_t i = 0; i < KN * KN; i++)
		b[i] = (int8_t)((i * 13u + 1u) % 251u - 125);
	for (uint32_t n = 0; n < KN; n++) {
		int32_t s = 0;

		for (uint32_t k = 0; k < KN; k++)
			s += (int32_t)a[k] * b[(size_t)k * KN + n];
		ref[n] = s;
	}
	assert_int_equal(rnpu_matmul_create(f->dev, &cfg, &mm), 0);
	assert_int_equal(rnpu_matmul_set_b(mm, b), 0);
	assert_int_equal(rnpu_matmul_set_a(mm, a), 0);
	*start_wakes = *relay_wakes = 0;
	for (unsigned int j = 0; j < JOBS; j++) {
		uint64_t starts = 0, relays = 0;

		snapshot(f->sim, before);
		assert_int_equal(rnpu_matmul_run(mm, NULL), 0);
		for (unsigned int i = 0; i < CORES; i++)
			rk3588_sim_wait_idle(f->sim, i);
		snapshot(f->sim, after);
		for (unsigned int i = 0; i < CORES; i++) {
			bool used = core_mask & (1u << i);

			/* Every core of the job ran its one task, no other did. */
			assert_int_equal(after[i].tasks_done - before[i].tasks_done, used ? 1 : 0);
			starts += after[i].start_wakes - before[i].start_wakes;
			relays += after[i].relay_wakes - before[i].relay_wakes;
		}
		/* One wake by the submitter, whatever the core count; the
		 * others (a worker that took its start without sleeping
		 * needs none) come from the woken worker. */
		assert_true(starts <= 1);
		assert_true(starts + relays <= (uint64_t)__builtin_popcount(core_mask));
		*start_wakes += starts;
		*relay_wakes += relays;
		assert_int_equal(rnpu_matmul_get_c(mm, c), 0);
		assert_memory_equal(c, ref, sizeof(int32_t) * M * KN);
	}
	rnpu_matmul_destroy(mm);
	free(a);
	free(b);
	free(c);
	free(ref);
}

/* A three-core job: at most one wake by the submitter per job, the rest
 * passed on; over a dozen jobs the workers slept at least once (between
 * blocking jobs they have nothing to do), so both kinds were counted. */
static void three_core_job_one_wake_by_submitter(void **state)
{
	uint64_t starts, relays;

	run_jobs(*state, 0x7, &starts, &relays);
	print_message("# three cores, %u jobs: %llu wakes by the submitter, %llu passed on\n",
		      JOBS, (unsigned long long)starts, (unsigned long long)relays);
	assert_true(starts >= 1);
	assert_true(relays >= 1);
}

/* One core: a gang of one, nothing to pass on. */
static void one_core_job_nothing_passed_on(void **state)
{
	uint64_t starts, relays;

	run_jobs(*state, 0x1, &starts, &relays);
	assert_true(starts >= 1);
	assert_int_equal(relays, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(three_core_job_one_wake_by_submitter, setup,
						teardown),
		cmocka_unit_test_setup_teardown(one_core_job_nothing_passed_on, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
