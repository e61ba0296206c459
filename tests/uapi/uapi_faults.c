// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Fault injection: the software NPU hangs, loses an interrupt, reports a
 * bad status, raises a spurious interrupt or runs slowly, and the driver
 * recovers as documented (docs/uapi.md): the faulted job fails with
 * ETIMEDOUT and its core is reset, the next job on that core runs, and
 * another session's job on another core completes correctly meanwhile.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "rk3588_regs.h"
#include "rk3588_sim.h"
#include "rknpu_device.h"
#include "rnpu/matmul_job.h"
#include "rnpu_host.h"
#include "uapi_util.h"

struct fixture {
	struct rnpu_dev *dev;
	struct rnpu_dev *other;   /* a bystander session */
	struct rnpu_host *host;
	struct rk3588_sim *sim;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || rnpu_open("sim", &f->dev) || rnpu_open("sim", &f->other) ||
	    rnpu_host_get_default(&f->host))
		return -1;
	f->sim = rnpu_host_sim(f->host);
	*state = f;
	log_capture_start();
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	log_capture_stop();
	rnpu_host_put_default(f->host);
	rnpu_close(f->other);
	rnpu_close(f->dev);
	free(f);
	return 0;
}

struct mm {
	struct rnpu_matmul_job *job;
	uint32_t m, k, n;
	int8_t a[32 * 256], b[256 * 64];
};

static struct mm *mm_new(struct rnpu_dev *dev, uint32_t m, int salt)
{
	struct mm *mm = calloc(1, sizeof(*mm));

	assert_non_null(mm);
	mm->m = m;
	mm->k = 256;
	mm->n = 64;
	for (size_t i = 0; i < (size_t)m * mm->k; i++)
		mm->a[i] = (int8_t)((int)(i * 7 + (size_t)salt) % 251 - 125);
	for (size_t i = 0; i < (size_t)mm->k * mm->n; i++)
		mm->b[i] = (int8_t)((int)(i * 3 + (size_t)salt * 5) % 241 - 120);
	assert_int_equal(rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, m, mm->k, mm->n, 0,
						&mm->job), 0);
	assert_int_equal(rnpu_matmul_job_set_inputs(mm->job, mm->a, mm->b), 0);
	return mm;
}

static void mm_check(struct mm *mm)
{
	int32_t c[32 * 64];

	assert_int_equal(rnpu_matmul_job_get_output(mm->job, c), 0);
	for (uint32_t r = 0; r < mm->m; r++)
		for (uint32_t col = 0; col < mm->n; col++) {
			int32_t ref = 0;

			for (uint32_t l = 0; l < mm->k; l++)
				ref += mm->a[r * mm->k + l] * mm->b[l * mm->n + col];
			assert_int_equal(c[r * mm->n + col], ref);
		}
}

static void mm_free(struct mm *mm)
{
	rnpu_matmul_job_destroy(mm->job);
	free(mm);
}

static int run_with_timeout(struct mm *mm, uint32_t core, uint32_t timeout_ms,
			    struct rnpu_submit_req *req)
{
	memset(req, 0, sizeof(*req));
	req->task_bo = mm->job->task;
	req->task_count = mm->job->num_tasks;
	req->core_mask = core;
	req->timeout_ms = timeout_ms;
	return rnpu_submit(mm->job->dev, req);
}

static uint64_t faults_on(struct fixture *f, unsigned int core)
{
	struct rk3588_sim_core_stats st;

	rk3588_sim_get_stats(f->sim, core, &st);
	return st.faults;
}

/* Injects @fault on @core, runs a job there (expecting @expect) while a
 * bystander session runs on @other_core, then checks recovery. */
static void fault_case(struct fixture *f, enum rk3588_sim_fault fault, unsigned int core,
		       unsigned int other_core, int expect)
{
	struct mm *victim = mm_new(f->dev, 16, 1), *next = mm_new(f->dev, 8, 2);
	struct mm *bystander = mm_new(f->other, 32, 3);
	uint64_t before = faults_on(f, core);
	struct rnpu_submit_req req;
	int fd = -1;

	assert_int_equal(rk3588_sim_inject_fault(f->sim, core, fault, 1, 0), 0);
	assert_int_equal(rnpu_matmul_job_run_async(bystander->job, 1u << other_core, &fd), 0);
	assert_int_equal(run_with_timeout(victim, 1u << core, 50, &req), expect);
	assert_int_equal(faults_on(f, core), before + 1); /* the fault did happen */
	/* The core was reset and serves the next job correctly. */
	assert_int_equal(run_with_timeout(next, 1u << core, 6000, &req), 0);
	mm_check(next);
	/* The bystander was neither lost nor corrupted. */
	assert_int_equal(rnpu_fence_wait(fd, 10000), 0);
	mm_check(bystander);
	close(fd);
	mm_free(victim);
	mm_free(next);
	mm_free(bystander);
}

static void hung_core(void **state)
{
	fault_case(*state, RK3588_SIM_FAULT_HANG, 1, 0, -ETIMEDOUT);
	assert_true(log_has("core 1 irq status: 0", "task counter: 0,"));
	assert_true(log_has("soft reset, num: 2", NULL));
}

static void lost_irq(void **state)
{
	fault_case(*state, RK3588_SIM_FAULT_LOST_IRQ, 2, 1, -ETIMEDOUT);
	assert_true(log_has("job timeout, session", NULL));
}

static void bad_status(void **state)
{
	fault_case(*state, RK3588_SIM_FAULT_BAD_STATUS, 0, 2, -ETIMEDOUT);
	assert_true(log_has("invalid irq status: 0, raw status: 0x1000, require mask: 0x300", NULL));
}

static void spurious_irq(void **state)
{
	struct fixture *f = *state;
	uint64_t before = faults_on(f, 1);
	struct rnpu_submit_req req;
	struct mm *mm;

	/* While idle (and powered: a switched-off core raises nothing): the
	 * handler finds no job, clears the status and goes. */
	assert_int_equal(rknpu_debugfs_store(rnpu_host_device(f->host), "power", "on\n", 3), 3);
	rk3588_sim_raise_spurious_irq(f->sim, 1);
	assert_int_equal(faults_on(f, 1), before + 1);
	assert_int_equal(rk3588_sim_mmio_read(f->sim, 1, REG_PC_INTERRUPT_RAW_STATUS), 0);
	assert_int_equal(rknpu_debugfs_store(rnpu_host_device(f->host), "power", "off\n", 4), 4);
	mm = mm_new(f->dev, 8, 4);
	assert_int_equal(run_with_timeout(mm, RKNPU_CORE1_MASK, 6000, &req), 0);
	mm_check(mm);
	mm_free(mm);
}

static void slow_core(void **state)
{
	struct fixture *f = *state;
	struct rnpu_submit_req req;
	struct mm *mm = mm_new(f->dev, 8, 5);

	/* 150 ms late is within a 2 s timeout: no error, a longer elapsed time. */
	assert_int_equal(rk3588_sim_inject_fault(f->sim, 2, RK3588_SIM_FAULT_SLOW, 1, 150), 0);
	assert_int_equal(run_with_timeout(mm, RKNPU_CORE2_MASK, 2000, &req), 0);
	assert_true(req.hw_elapse_ns >= 150 * 1000000ll);
	mm_check(mm);
	mm_free(mm);
}

static void inject_refuses_bad_arguments(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rk3588_sim_inject_fault(f->sim, 3, RK3588_SIM_FAULT_HANG, 1, 0), -EINVAL);
	assert_int_equal(rk3588_sim_inject_fault(f->sim, 0, (enum rk3588_sim_fault)99, 1, 0),
			 -EINVAL);
	assert_int_equal(rk3588_sim_inject_fault(f->sim, 0, RK3588_SIM_FAULT_NONE, 0, 0), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(hung_core),
		T(lost_irq),
		T(bad_status),
		T(spurious_irq),
		T(slow_core),
		T(inject_refuses_bad_arguments),
	};

	return cmocka_run_group_tests_name("faults", tests, NULL, NULL);
}
