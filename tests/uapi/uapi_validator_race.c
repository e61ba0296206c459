// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Time of check and time of use in the contiguous mode: the program and
 * the task list stay writable by userspace after SUBMIT, so a session
 * could let the validator see a harmless program and then swap in one
 * that writes another session's buffer. The job must run what was
 * validated: its output is the matmul of its inputs (checked against a
 * plain CPU product) and the other session's buffer keeps its checksum.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "rk3588_regs.h"
#include "rnpu/matmul_job.h"
#include "uapi_util.h"

#define MM_M 32u
#define MM_K 64u
#define MM_N 32u
#define VICTIM_SIZE (64u * 1024u)
#define ROUNDS 12u
#define MAX_SWAPS 16u

struct fixture {
	struct rnpu_dev *dev, *other;
	struct rnpu_bo *victim;
	uint8_t *victim_map;
	uint64_t victim_sum;
	struct rnpu_matmul_job *job;
	int8_t a[MM_M * MM_K], b[MM_K * MM_N];
	uint64_t *words;
	struct rknpu_task *tasks;
	/* The words a swap replaces: every DPU.DST_BASE_ADDR write. */
	size_t swap_idx[MAX_SWAPS];
	uint64_t good[MAX_SWAPS], bad[MAX_SWAPS];
	size_t nswaps;
	struct rknpu_task good_task0;
	bool stop;
};

static uint64_t checksum(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	size_t nwords;

	if (!f || rnpu_open("sim", &f->dev) || rnpu_open("sim", &f->other))
		return -1;
	if (rnpu_bo_create(f->other, VICTIM_SIZE, 0, &f->victim) ||
	    rnpu_bo_map(f->victim, (void **)&f->victim_map))
		return -1;
	for (size_t i = 0; i < VICTIM_SIZE; i++)
		f->victim_map[i] = (uint8_t)(i * 31 + 7);
	f->victim_sum = checksum(f->victim_map, VICTIM_SIZE);
	for (size_t i = 0; i < sizeof(f->a); i++)
		f->a[i] = (int8_t)((int)(i * 5) % 249 - 124);
	for (size_t i = 0; i < sizeof(f->b); i++)
		f->b[i] = (int8_t)((int)(i * 11 + 3) % 239 - 119);
	/* Four tasks of 8 rows, chained through PC.BASE_ADDRESS. */
	if (rnpu_matmul_job_create(f->dev, RNPU_MM_INT8_INT32, MM_M, MM_K, MM_N, 8, &f->job) ||
	    rnpu_matmul_job_set_inputs(f->job, f->a, f->b) ||
	    rnpu_bo_map(f->job->regcmd, (void **)&f->words) ||
	    rnpu_bo_map(f->job->task, (void **)&f->tasks))
		return -1;
	nwords = rnpu_bo_size(f->job->regcmd) / 8;
	for (size_t i = 0; i < nwords && f->nswaps < MAX_SWAPS; i++) {
		uint64_t w = f->words[i];

		if (rk3588_regcmd_target(w) != RK3588_TARGET_DPU ||
		    rk3588_regcmd_offset(w) != REG_DPU_DST_BASE_ADDR)
			continue;
		f->swap_idx[f->nswaps] = i;
		f->good[f->nswaps] = w;
		f->bad[f->nswaps] = rk3588_regcmd(RK3588_TARGET_DPU, REG_DPU_DST_BASE_ADDR,
						  (uint32_t)rnpu_bo_dma_addr(f->victim));
		f->nswaps++;
	}
	f->good_task0 = f->tasks[0];
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rnpu_matmul_job_destroy(f->job);
	rnpu_bo_free(f->victim);
	rnpu_close(f->other);
	rnpu_close(f->dev);
	free(f);
	return 0;
}

/* Every output write of the program aimed at the victim, and the first
 * task's fetch at the last of the program's words. */
static void swap_in(struct fixture *f)
{
	for (size_t i = 0; i < f->nswaps; i++)
		__atomic_store_n(&f->words[f->swap_idx[i]], f->bad[i], __ATOMIC_RELAXED);
	/* Packed: a plain store (the driver reads the list only in SUBMIT). */
	f->tasks[0].regcmd_addr = f->good_task0.regcmd_addr + rnpu_bo_size(f->job->regcmd) - 16;
}

static void swap_out(struct fixture *f)
{
	for (size_t i = 0; i < f->nswaps; i++)
		__atomic_store_n(&f->words[f->swap_idx[i]], f->good[i], __ATOMIC_RELAXED);
	f->tasks[0].regcmd_addr = f->good_task0.regcmd_addr;
}

static void check_output(struct fixture *f)
{
	static int32_t c[MM_M * MM_N];

	assert_int_equal(rnpu_matmul_job_get_output(f->job, c), 0);
	for (uint32_t r = 0; r < MM_M; r++)
		for (uint32_t col = 0; col < MM_N; col++) {
			int32_t ref = 0;

			for (uint32_t l = 0; l < MM_K; l++)
				ref += f->a[r * MM_K + l] * f->b[l * MM_N + col];
			assert_int_equal(c[r * MM_N + col], ref);
		}
}

static void clear_output(struct fixture *f)
{
	memset(f->job->c_map, 0xa5, rnpu_bo_size(f->job->c));
}

static void validator_race_swap_after_submit(void **state)
{
	struct fixture *f = *state;

	assert_true(f->nswaps >= 2);
	for (unsigned int round = 0; round < ROUNDS; round++) {
		int fd = -1;

		clear_output(f);
		assert_int_equal(rnpu_matmul_job_run_async(f->job, RKNPU_CORE0_MASK, &fd), 0);
		/* SUBMIT has returned; the job may not have started. */
		swap_in(f);
		assert_int_equal(rnpu_fence_wait(fd, 20000), 0);
		close(fd);
		check_output(f);
		swap_out(f);
		assert_int_equal(checksum(f->victim_map, VICTIM_SIZE), f->victim_sum);
	}
}

static void *swapper(void *arg)
{
	struct fixture *f = arg;

	while (!__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE)) {
		swap_in(f);
		sched_yield();
		swap_out(f);
		sched_yield();
	}
	return NULL;
}

static void validator_race_swap_during_job(void **state)
{
	struct fixture *f = *state;

	for (unsigned int round = 0; round < ROUNDS; round++) {
		pthread_t th;
		int fd = -1;

		clear_output(f);
		assert_int_equal(rnpu_matmul_job_run_async(f->job, RKNPU_CORE0_MASK, &fd), 0);
		/* The program flips between the two versions while the job
		 * runs. */
		__atomic_store_n(&f->stop, false, __ATOMIC_RELEASE);
		assert_int_equal(pthread_create(&th, NULL, swapper, f), 0);
		assert_int_equal(rnpu_fence_wait(fd, 20000), 0);
		__atomic_store_n(&f->stop, true, __ATOMIC_RELEASE);
		pthread_join(th, NULL);
		close(fd);
		swap_out(f);
		check_output(f);
		assert_int_equal(checksum(f->victim_map, VICTIM_SIZE), f->victim_sum);
	}
}

static void validator_race_swapped_program_refused(void **state)
{
	struct fixture *f = *state;

	/* Control: the swapped-in version, submitted as it is, is refused
	 * (so the swaps above would have been harmful). */
	swap_in(f);
	swap_out(f);
	for (size_t i = 0; i < f->nswaps; i++)
		f->words[f->swap_idx[i]] = f->bad[i];
	log_capture_start();
	assert_int_equal(rnpu_matmul_job_run(f->job, RKNPU_CORE0_MASK, NULL), -EINVAL);
	assert_true(log_has("regcmd validator", "DPU.DST_BASE_ADDR"));
	log_capture_stop();
	swap_out(f);
	clear_output(f);
	assert_int_equal(rnpu_matmul_job_run(f->job, RKNPU_CORE0_MASK, NULL), 0);
	check_output(f);
	assert_int_equal(checksum(f->victim_map, VICTIM_SIZE), f->victim_sum);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(validator_race_swapped_program_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(validator_race_swap_after_submit, setup, teardown),
		cmocka_unit_test_setup_teardown(validator_race_swap_during_job, setup, teardown),
	};

	unsetenv("RNPU_IOMMU");
	return cmocka_run_group_tests_name("validator-race", tests, NULL, NULL);
}
