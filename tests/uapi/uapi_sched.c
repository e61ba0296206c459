// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Scheduling between sessions: a session flooding a core cannot push
 * another session's job back by more than the documented bound (one queued
 * job per other session plus the running one), and priority >= 1 gets a
 * larger share without starving normal jobs.
 */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rk3588_sim.h"
#include "rnpu/matmul_job.h"
#include "rnpu_host.h"

#define FLOOD 12
/* Each job a few milliseconds on the software NPU, so completions on one
 * core are well separated in time. */
#define JM 64
#define JK 512
#define JN 256

/* Holds the next job on core 0 back 300 ms in the software NPU, so every
 * job submitted after it is queued when the scheduler picks the next one,
 * however slow the host is at submitting. */
static void hold_first_job(void)
{
	struct rnpu_host *host;

	assert_int_equal(rnpu_host_get_default(&host), 0);
	assert_int_equal(rk3588_sim_inject_fault(rnpu_host_sim(host), 0,
						 RK3588_SIM_FAULT_SLOW, 1, 300), 0);
	rnpu_host_put_default(host);
}

static struct rnpu_matmul_job *make_job(struct rnpu_dev *dev)
{
	static int8_t a[JM * JK], b[JK * JN];
	struct rnpu_matmul_job *job;

	assert_int_equal(rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, JM, JK, JN, 0, &job), 0);
	assert_int_equal(rnpu_matmul_job_set_inputs(job, a, b), 0);
	return job;
}

static int submit(struct rnpu_matmul_job *job)
{
	struct rnpu_submit_req r;
	int fd = -1;

	memset(&r, 0, sizeof(r));
	r.task_bo = job->task;
	r.task_count = job->num_tasks;
	r.core_mask = RKNPU_CORE0_MASK;
	assert_int_equal(rnpu_submit_async(job->dev, &r, &fd), 0);
	return fd;
}

/* Raw submit with a priority (librnpu's request has no priority yet). */
static int submit_prio(struct rnpu_matmul_job *job, int32_t priority)
{
	struct rknpu_submit s;

	memset(&s, 0, sizeof(s));
	s.flags = RKNPU_JOB_PC | RKNPU_JOB_NONBLOCK | RKNPU_JOB_FENCE_OUT;
	s.timeout = 20000;
	s.task_number = job->num_tasks;
	s.priority = priority;
	s.task_obj_addr = rnpu_bo_obj_addr(job->task);
	s.core_mask = RKNPU_CORE0_MASK;
	s.fence_fd = -1;
	s.subcore_task[0] = (struct rknpu_subcore_task){ 0, job->num_tasks };
	assert_int_equal(rnpu_ioctl(job->dev, DRM_IOCTL_RKNPU_SUBMIT, &s), 0);
	return s.fence_fd;
}

/* Waits for all fds, recording the order in which they signalled. */
static void completion_order(int *fds, unsigned int n, unsigned int *rank)
{
	struct pollfd *p = calloc(n, sizeof(*p));
	unsigned int done = 0;

	assert_non_null(p);
	for (unsigned int i = 0; i < n; i++)
		p[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	while (done < n) {
		unsigned int batch = done;

		assert_true(poll(p, n, 30000) > 0);
		for (unsigned int i = 0; i < n; i++) {
			if (p[i].fd >= 0 && (p[i].revents & POLLIN)) {
				assert_int_equal(rnpu_fence_wait(p[i].fd, 0), 0);
				rank[i] = batch; /* fences seen in one wake share a rank */
				p[i].fd = -1;
				done++;
			}
		}
	}
	free(p);
}

static void flood_does_not_starve_newcomer(void **state)
{
	struct rnpu_dev *flooder, *newcomer;
	struct rnpu_matmul_job *jobs[FLOOD + 1];
	unsigned int rank[FLOOD + 1];
	int fds[FLOOD + 1];

	(void)state;
	assert_int_equal(rnpu_open("sim", &flooder), 0);
	assert_int_equal(rnpu_open("sim", &newcomer), 0);
	for (int i = 0; i < FLOOD; i++)
		jobs[i] = make_job(flooder);
	jobs[FLOOD] = make_job(newcomer);
	hold_first_job();
	for (int i = 0; i < FLOOD; i++)
		fds[i] = submit(jobs[i]);
	fds[FLOOD] = submit(jobs[FLOOD]);
	completion_order(fds, FLOOD + 1, rank);
	/* FIFO would finish it last (rank 12); the bound is the running job
	 * plus one queued job of the other session. */
	print_message("# newcomer finished after %u of %d flood jobs\n", rank[FLOOD], FLOOD);
	assert_true(rank[FLOOD] <= 2);
	for (int i = 0; i <= FLOOD; i++) {
		close(fds[i]);
		rnpu_matmul_job_destroy(jobs[i]);
	}
	rnpu_close(newcomer);
	rnpu_close(flooder);
}

static void priority_gets_larger_share(void **state)
{
	struct rnpu_dev *normal, *high;
	struct rnpu_matmul_job *jobs[2 * FLOOD];
	unsigned int rank[2 * FLOOD], early_high = 0, early_normal = 0;
	int fds[2 * FLOOD];

	(void)state;
	assert_int_equal(rnpu_open("sim", &normal), 0);
	assert_int_equal(rnpu_open("sim", &high), 0);
	for (int i = 0; i < FLOOD; i++) {
		jobs[2 * i] = make_job(normal);
		jobs[2 * i + 1] = make_job(high);
	}
	hold_first_job();
	for (int i = 0; i < FLOOD; i++) {
		fds[2 * i] = submit_prio(jobs[2 * i], 0);
		fds[2 * i + 1] = submit_prio(jobs[2 * i + 1], 1);
	}
	completion_order(fds, 2 * FLOOD, rank);
	/* Among the first 9 completions, weights 2:1 give about 6:3. */
	for (int i = 0; i < 2 * FLOOD; i++) {
		if (rank[i] >= 9)
			continue;
		if (i % 2)
			early_high++;
		else
			early_normal++;
	}
	print_message("# first 9: %u priority, %u normal\n", early_high, early_normal);
	assert_true(early_high >= 5);
	assert_true(early_normal >= 2); /* weighted, not strict: no starvation */
	for (int i = 0; i < 2 * FLOOD; i++) {
		close(fds[i]);
		rnpu_matmul_job_destroy(jobs[i]);
	}
	rnpu_close(high);
	rnpu_close(normal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(flood_does_not_starve_newcomer),
		cmocka_unit_test(priority_gets_larger_share),
	};

	return cmocka_run_group_tests_name("sched", tests, NULL, NULL);
}
