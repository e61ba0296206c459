// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * NONBLOCK submit and fences, one case per behaviour: FENCE_OUT fds that
 * poll() and report a status, error fences for jobs the driver aborted,
 * FENCE_IN ordering and its errors, and sessions closed with jobs in
 * flight.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "rnpu/matmul_job.h"
#include "osal.h"
#include "osal_posix.h"
#include "rk3588_sim.h"
#include "rnpu_host.h"
#include "uapi_util.h"

#define PAGE 4096u

static int setup(void **state)
{
	struct rnpu_dev *dev;

	if (rnpu_open("sim", &dev))
		return -1;
	*state = dev;
	log_capture_start();
	return 0;
}

static int teardown(void **state)
{
	log_capture_stop();
	rnpu_close(*state);
	return 0;
}

static bool fd_ready(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* Delays the completion of the next job on @core by @ms in the software
 * NPU, so a test can see it in flight independently of the host's speed. */
static void slow_next_job(unsigned int core, unsigned int ms)
{
	struct rnpu_host *host;

	assert_int_equal(rnpu_host_get_default(&host), 0);
	assert_int_equal(rk3588_sim_inject_fault(rnpu_host_sim(host), core,
						 RK3588_SIM_FAULT_SLOW, 1, ms), 0);
	rnpu_host_put_default(host);
}

/* A matmul with known inputs; check_output() compares with the CPU. */
struct mm {
	struct rnpu_matmul_job *job;
	uint32_t m, k, n;
	int8_t *a, *b;
};

static void mm_create(struct rnpu_dev *dev, struct mm *mm, uint32_t m, uint32_t k, uint32_t n,
		      int salt)
{
	mm->m = m;
	mm->k = k;
	mm->n = n;
	mm->a = malloc((size_t)m * k);
	mm->b = malloc((size_t)k * n);
	assert_non_null(mm->a);
	assert_non_null(mm->b);
	for (size_t i = 0; i < (size_t)m * k; i++)
		mm->a[i] = (int8_t)((int)(i * 7 + salt) % 251 - 125);
	for (size_t i = 0; i < (size_t)k * n; i++)
		mm->b[i] = (int8_t)((int)(i * 13 + salt * 3) % 241 - 120);
	assert_int_equal(rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, m, k, n, 0, &mm->job), 0);
	assert_int_equal(rnpu_matmul_job_set_inputs(mm->job, mm->a, mm->b), 0);
}

/* Compares a sample of rows (all of them for small jobs). */
static void mm_check_output(struct mm *mm)
{
	int32_t *c = malloc(sizeof(int32_t) * mm->m * mm->n);
	uint32_t step = mm->m > 64 ? 17 : 1;

	assert_non_null(c);
	assert_int_equal(rnpu_matmul_job_get_output(mm->job, c), 0);
	for (uint32_t r = 0; r < mm->m; r += step)
		for (uint32_t col = 0; col < mm->n; col++) {
			int32_t ref = 0;

			for (uint32_t l = 0; l < mm->k; l++)
				ref += mm->a[(size_t)r * mm->k + l] * mm->b[(size_t)l * mm->n + col];
			assert_int_equal(c[(size_t)r * mm->n + col], ref);
		}
	free(c);
}

static void mm_destroy(struct mm *mm)
{
	rnpu_matmul_job_destroy(mm->job);
	free(mm->a);
	free(mm->b);
}

/* A task whose regcmd is all zero: the PC never finds an op-enable word. */
static uint64_t make_hanging_task(struct rnpu_dev *dev, uint32_t *handles)
{
	struct rknpu_mem_create task, cmd;
	struct rknpu_task *t;
	uint64_t off;

	assert_int_equal(mem_create(dev, PAGE, RKNPU_MEM_ZEROING, &cmd), 0);
	assert_int_equal(mem_create(dev, PAGE, RKNPU_MEM_KERNEL_MAPPING, &task), 0);
	assert_int_equal(mem_map(dev, task.handle, &off), 0);
	assert_int_equal(rnpu_mmap(dev, off, PAGE, (void **)&t), 0);
	memset(t, 0, sizeof(*t));
	t->int_mask = 0x300;
	t->regcfg_amount = 12;
	t->regcmd_addr = cmd.dma_addr;
	munmap(t, PAGE);
	handles[0] = task.handle;
	handles[1] = cmd.handle;
	return task.obj_addr;
}

static int submit_raw(struct rnpu_dev *dev, uint64_t task_obj, uint32_t flags, uint32_t core,
		      uint32_t timeout, int *fence_fd)
{
	struct rknpu_submit s;
	int ret;

	memset(&s, 0, sizeof(s));
	s.flags = RKNPU_JOB_PC | flags;
	s.timeout = timeout;
	s.task_number = 1;
	s.task_obj_addr = task_obj;
	s.core_mask = core;
	s.fence_fd = *fence_fd;
	for (int i = 0; i < 3; i++)
		s.subcore_task[i] = (struct rknpu_subcore_task){ 0, 1 };
	ret = rnpu_ioctl(dev, DRM_IOCTL_RKNPU_SUBMIT, &s);
	*fence_fd = s.fence_fd;
	return ret;
}

/* The host's fence fd carries every status a job can end with (the
 * largest errno the format carries is 4096 - 16) and the time of its
 * signal, readable any number of times, and an unsignalled fence dropped
 * by its producer reads as cancelled. */
static void fence_status_round_trip(void **state)
{
	static const int statuses[] = { 0, -EINVAL, -EFAULT, -ETIMEDOUT, -4080 };
	struct rnpu_osal_fence *f, *in;
	uint64_t before, signal_ns;
	int fd, st;

	(void)state;
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		assert_int_equal(rnpu_osal_fence_create(&f), 0);
		assert_int_equal(rnpu_osal_fence_export_fd(f, &fd), 0);
		assert_int_equal(rnpu_fence_wait(fd, 0), -EAGAIN);
		assert_int_equal(rnpu_posix_fence_fd_status(fd, &st, &signal_ns), 0);
		assert_int_equal(st, RNPU_POSIX_FENCE_PENDING);
		assert_int_equal(signal_ns, 0);
		before = rnpu_posix_monotonic_ns();
		rnpu_osal_fence_signal(f, statuses[i]);
		rnpu_osal_fence_signal(f, -EBUSY); /* only the first counts */
		assert_int_equal(rnpu_fence_wait(fd, 0), statuses[i]);
		assert_int_equal(rnpu_posix_fence_fd_status(fd, &st, &signal_ns), 0);
		assert_int_equal(st, statuses[i]);
		assert_true(signal_ns >= before && signal_ns <= rnpu_posix_monotonic_ns());
		assert_int_equal(rnpu_fence_wait(fd, 0), statuses[i]);
		/* FENCE_IN takes it and reads the same status. */
		assert_int_equal(rnpu_osal_fence_import_fd(fd, &in), 0);
		assert_int_equal(rnpu_osal_fence_wait(in, 0), statuses[i]);
		rnpu_osal_fence_put(in);
		rnpu_osal_fence_put(f);
		assert_int_equal(rnpu_fence_wait(fd, 0), statuses[i]); /* outlives its producer */
		close(fd);
	}
	/* Beyond what the format carries: reported as -EIO rather than misread. */
	for (int bad = -100000; bad; bad = bad == -100000 ? -4081 : 0) {
		assert_int_equal(rnpu_osal_fence_create(&f), 0);
		assert_int_equal(rnpu_osal_fence_export_fd(f, &fd), 0);
		rnpu_osal_fence_signal(f, bad);
		assert_int_equal(rnpu_fence_wait(fd, 0), -EIO);
		rnpu_osal_fence_put(f);
		close(fd);
	}
	/* Dropped unsignalled. */
	assert_int_equal(rnpu_osal_fence_create(&f), 0);
	assert_int_equal(rnpu_osal_fence_export_fd(f, &fd), 0);
	rnpu_osal_fence_put(f);
	assert_int_equal(rnpu_fence_wait(fd, 1000), -ECANCELED);
	close(fd);
}

/* Open file descriptors of this process (the count's own included). */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The core holds its own wait end of a fence only until it signals it:
 * from then on the pipe lives as long as its waiters' fds, and the core
 * still answers its own waits and exports (a fresh fd with the same
 * record once its end is gone). Signalling after every waiter closed its
 * fd must not kill the process with SIGPIPE. */
static void fence_wait_end_dropped_at_signal(void **state)
{
	struct rnpu_osal_fence *f;
	uint64_t ns1, ns2;
	int fd, fd2, st, before;

	(void)state;
	before = open_fds();
	assert_int_equal(rnpu_osal_fence_create(&f), 0);
	assert_int_equal(rnpu_osal_fence_export_fd(f, &fd), 0);
	assert_int_equal(open_fds(), before + 3); /* ours, the signal end, the caller's */
	assert_int_equal(rnpu_osal_fence_wait(f, 0), -ETIMEDOUT);
	rnpu_osal_fence_signal(f, -EFAULT);
	assert_int_equal(open_fds(), before + 1); /* the caller's only */
	assert_int_equal(rnpu_osal_fence_wait(f, 0), -EFAULT);
	assert_int_equal(rnpu_osal_fence_export_fd(f, &fd2), 0);
	assert_int_equal(rnpu_posix_fence_fd_status(fd, &st, &ns1), 0);
	assert_int_equal(st, -EFAULT);
	assert_int_equal(rnpu_posix_fence_fd_status(fd2, &st, &ns2), 0);
	assert_int_equal(st, -EFAULT);
	assert_true(ns1 != 0 && ns1 == ns2);
	rnpu_osal_fence_put(f);
	assert_int_equal(rnpu_fence_wait(fd2, 0), -EFAULT);
	close(fd);
	close(fd2);

	/* Every waiter gone before the signal. */
	assert_int_equal(rnpu_osal_fence_create(&f), 0);
	assert_int_equal(rnpu_osal_fence_export_fd(f, &fd), 0);
	close(fd);
	rnpu_osal_fence_signal(f, 0);
	assert_int_equal(rnpu_osal_fence_wait(f, 1000), 0);
	rnpu_osal_fence_put(f);
	assert_int_equal(open_fds(), before);
}

struct signaller {
	struct rnpu_osal_fence *f;
	int status;
};

static void *signal_fence(void *arg)
{
	struct signaller *s = arg;

	rnpu_osal_fence_signal(s->f, s->status);
	return NULL;
}

/* A status read racing the signal sees pending or the status, never a
 * fence cancelled: the byte count and poll() are read in two steps. */
static void fence_status_while_signalled(void **state)
{
	(void)state;
	for (int round = 0; round < 500; round++) {
		struct signaller s = { .status = round % 2 ? -EIO : 0 };
		pthread_t t;
		int fd, st, seen = RNPU_POSIX_FENCE_PENDING;

		assert_int_equal(rnpu_osal_fence_create(&s.f), 0);
		assert_int_equal(rnpu_osal_fence_export_fd(s.f, &fd), 0);
		assert_int_equal(pthread_create(&t, NULL, signal_fence, &s), 0);
		while (seen == RNPU_POSIX_FENCE_PENDING) {
			assert_int_equal(rnpu_posix_fence_fd_status(fd, &st, NULL), 0);
			seen = st;
		}
		assert_int_equal(seen, s.status);
		assert_int_equal(pthread_join(t, NULL), 0);
		rnpu_osal_fence_put(s.f);
		close(fd);
	}
}

static void fence_out_blocking(void **state)
{
	struct rnpu_submit_req req;
	struct rknpu_submit s;
	struct mm mm;

	mm_create(*state, &mm, 8, 64, 32, 1);
	memset(&s, 0, sizeof(s));
	(void)req;
	s.flags = RKNPU_JOB_PC | RKNPU_JOB_FENCE_OUT;
	s.timeout = 6000;
	s.task_number = mm.job->num_tasks;
	s.task_obj_addr = rnpu_bo_obj_addr(mm.job->task);
	s.core_mask = RKNPU_CORE1_MASK;
	s.fence_fd = -1;
	s.subcore_task[1] = (struct rknpu_subcore_task){ 0, mm.job->num_tasks };
	assert_int_equal(rnpu_ioctl(*state, DRM_IOCTL_RKNPU_SUBMIT, &s), 0);
	assert_true(s.fence_fd >= 0);
	/* A blocking submit returns after the job: the fence is signalled. */
	assert_true(fd_ready(s.fence_fd));
	assert_int_equal(rnpu_fence_wait(s.fence_fd, 0), 0);
	assert_int_equal(s.task_counter, mm.job->num_tasks);
	close(s.fence_fd);
	mm_check_output(&mm);
	mm_destroy(&mm);
}

static void nonblock_fence_signals(void **state)
{
	struct mm mm;
	int fd = -1;

	mm_create(*state, &mm, 128, 1024, 256, 2);
	assert_int_equal(rnpu_matmul_job_run_async(mm.job, RKNPU_CORE2_MASK, &fd), 0);
	assert_true(fd >= 0);
	assert_int_equal(rnpu_fence_wait(fd, 10000), 0);
	assert_true(fd_ready(fd));
	assert_int_equal(rnpu_fence_wait(fd, 0), 0); /* stays signalled */
	close(fd);
	mm_check_output(&mm);
	mm_destroy(&mm);
}

static void nonblock_returns_before_completion(void **state)
{
	struct mm mm;
	int fd = -1;

	/* The software NPU holds this small job back 300 ms (whatever the
	 * machine's speed or load), the submit must not wait for it: the
	 * fence is seen pending at least once. */
	mm_create(*state, &mm, 8, 64, 32, 3);
	slow_next_job(0, 300);
	assert_int_equal(rnpu_matmul_job_run_async(mm.job, RKNPU_CORE0_MASK, &fd), 0);
	assert_int_equal(rnpu_fence_wait(fd, 0), -EAGAIN);
	assert_int_equal(rnpu_fence_wait(fd, 20000), 0);
	close(fd);
	mm_check_output(&mm);
	mm_destroy(&mm);
}

static void nonblock_poll_many(void **state)
{
	enum { JOBS = 9 };
	static const uint32_t cores[] = { 1, 2, 4, 0 };
	struct pollfd p[JOBS];
	struct mm mm[JOBS];
	int done = 0;

	for (int i = 0; i < JOBS; i++) {
		mm_create(*state, &mm[i], 32 + 8 * (uint32_t)i, 256, 64, 10 + i);
		p[i] = (struct pollfd){ .fd = -1, .events = POLLIN };
		assert_int_equal(rnpu_matmul_job_run_async(mm[i].job, cores[i % 4], &p[i].fd), 0);
	}
	/* poll() on all of them until every fence has signalled. */
	while (done < JOBS) {
		int n = poll(p, JOBS, 20000);

		assert_true(n > 0);
		for (int i = 0; i < JOBS; i++) {
			if (p[i].fd >= 0 && (p[i].revents & POLLIN)) {
				assert_int_equal(rnpu_fence_wait(p[i].fd, 0), 0);
				close(p[i].fd);
				p[i].fd = -1; /* poll ignores negative fds */
				done++;
			}
		}
	}
	for (int i = 0; i < JOBS; i++) {
		mm_check_output(&mm[i]);
		mm_destroy(&mm[i]);
	}
}

static void nonblock_timeout_error_fence(void **state)
{
	uint32_t h[2];
	uint64_t task = make_hanging_task(*state, h);
	uint64_t start = rnpu_osal_time_ns();
	uint64_t waited_ms;
	int fd = -1;
	struct mm mm;

	assert_int_equal(submit_raw(*state, task, RKNPU_JOB_NONBLOCK | RKNPU_JOB_FENCE_OUT,
				    RKNPU_CORE1_MASK, 40, &fd), 0);
	assert_true(fd >= 0);
	assert_int_equal(rnpu_fence_wait(fd, 5000), -ETIMEDOUT);
	waited_ms = (rnpu_osal_time_ns() - start) / 1000000;
	/* Bound: the timeout plus the reset's 100 ms sleep, with slack. */
	assert_true(waited_ms >= 40);
	assert_true(waited_ms < 2000);
	/* The fence fails first; the report and the reset follow. */
	assert_true(log_wait_for("job timeout, session", NULL, 2000));
	assert_true(log_wait_for("core 1 irq status: 0", "require mask: 0x300", 2000));
	assert_true(log_wait_for("soft reset, num: 2", NULL, 2000));
	close(fd);
	assert_int_equal(mem_destroy(*state, h[0]), 0);
	assert_int_equal(mem_destroy(*state, h[1]), 0);
	/* The NPU serves the next job on the same core. */
	mm_create(*state, &mm, 8, 64, 32, 4);
	assert_int_equal(rnpu_matmul_job_run(mm.job, RKNPU_CORE1_MASK, NULL), 0);
	mm_check_output(&mm);
	mm_destroy(&mm);
}

static void blocking_timeout_error_fence(void **state)
{
	uint32_t h[2];
	uint64_t task = make_hanging_task(*state, h);
	int fd = -1;

	assert_int_equal(submit_raw(*state, task, RKNPU_JOB_FENCE_OUT, RKNPU_CORE0_MASK, 30, &fd),
			 -ETIMEDOUT);
	/* The struct is copied back on failure: the fence reports it. */
	assert_true(fd >= 0);
	assert_int_equal(rnpu_fence_wait(fd, 0), -ETIMEDOUT);
	close(fd);
	assert_int_equal(mem_destroy(*state, h[0]), 0);
	assert_int_equal(mem_destroy(*state, h[1]), 0);
}

static void fence_in_orders_jobs(void **state)
{
	struct rnpu_submit_req req;
	struct mm first, second;
	int fd_first = -1;

	mm_create(*state, &first, 8, 64, 32, 5);
	mm_create(*state, &second, 8, 64, 32, 6);
	slow_next_job(0, 300);
	assert_int_equal(rnpu_matmul_job_run_async(first.job, RKNPU_CORE0_MASK, &fd_first), 0);
	/* The second job, on another core, must not start before the first
	 * has signalled: the submit waits for its fence. */
	memset(&req, 0, sizeof(req));
	req.task_bo = second.job->task;
	req.task_count = second.job->num_tasks;
	req.core_mask = RKNPU_CORE2_MASK;
	req.wait_fence = true;
	req.wait_fence_fd = fd_first;
	assert_int_equal(rnpu_submit(*state, &req), 0);
	assert_true(fd_ready(fd_first));
	assert_int_equal(rnpu_fence_wait(fd_first, 0), 0);
	close(fd_first);
	mm_check_output(&first);
	mm_check_output(&second);
	mm_destroy(&first);
	mm_destroy(&second);
}

static void fence_in_bad_fd(void **state)
{
	struct mm mm;
	int fd = -1, pipefd[2];

	mm_create(*state, &mm, 8, 64, 32, 7);
	assert_int_equal(submit_raw(*state, rnpu_bo_obj_addr(mm.job->task), RKNPU_JOB_FENCE_IN,
				    RKNPU_CORE0_MASK, 1000, &fd), -EINVAL);
	assert_true(log_has("invalid fence in fd, fd: -1", NULL));
	assert_int_equal(pipe(pipefd), 0);
	fd = pipefd[0];
	assert_int_equal(submit_raw(*state, rnpu_bo_obj_addr(mm.job->task), RKNPU_JOB_FENCE_IN,
				    RKNPU_CORE0_MASK, 1000, &fd), -EINVAL);
	close(pipefd[0]);
	close(pipefd[1]);
	mm_destroy(&mm);
}

static void fence_in_error_propagates(void **state)
{
	uint32_t h[2];
	uint64_t task = make_hanging_task(*state, h);
	int bad = -1, fd;
	struct mm mm;

	assert_int_equal(submit_raw(*state, task, RKNPU_JOB_NONBLOCK | RKNPU_JOB_FENCE_OUT,
				    RKNPU_CORE2_MASK, 30, &bad), 0);
	assert_int_equal(rnpu_fence_wait(bad, 5000), -ETIMEDOUT);
	mm_create(*state, &mm, 8, 64, 32, 8);
	fd = bad;
	assert_int_equal(submit_raw(*state, rnpu_bo_obj_addr(mm.job->task), RKNPU_JOB_FENCE_IN,
				    RKNPU_CORE0_MASK, 1000, &fd), -ETIMEDOUT);
	assert_true(log_has("Error (-110) waiting for fence!", NULL));
	close(bad);
	mm_destroy(&mm);
	assert_int_equal(mem_destroy(*state, h[0]), 0);
	assert_int_equal(mem_destroy(*state, h[1]), 0);
}

static void fence_in_wait_is_bounded(void **state)
{
	uint64_t start;
	int sv[2], fd;
	struct mm mm;

	/* A fence that never signals (a one-page pipe, a fence's form,
	 * that nobody writes): the submit gives up after its timeout. */
	assert_int_equal(pipe2(sv, O_CLOEXEC), 0);
	assert_true(fcntl(sv[0], F_SETPIPE_SZ, (int)sysconf(_SC_PAGESIZE)) > 0);
	mm_create(*state, &mm, 8, 64, 32, 9);
	fd = sv[0];
	start = rnpu_osal_time_ns();
	assert_int_equal(submit_raw(*state, rnpu_bo_obj_addr(mm.job->task), RKNPU_JOB_FENCE_IN,
				    RKNPU_CORE0_MASK, 50, &fd), -ETIMEDOUT);
	assert_true((rnpu_osal_time_ns() - start) / 1000000 < 2000);
	close(sv[0]);
	close(sv[1]);
	mm_destroy(&mm);
}

static void nonblock_without_fence(void **state)
{
	struct rnpu_dev *dev;
	struct mm mm;
	int fd = -1;
	int32_t *out;
	size_t c_bytes;

	/* A job with no fence still runs; closing the session waits for it,
	 * and the output mapping outlives the session. */
	(void)state;
	assert_int_equal(rnpu_open("sim", &dev), 0);
	mm_create(dev, &mm, 64, 512, 128, 11);
	/* A mapping of our own keeps the output readable past the free. */
	c_bytes = rnpu_bo_size(mm.job->c);
	{
		uint64_t off;

		assert_int_equal(mem_map(dev, rnpu_bo_handle(mm.job->c), &off), 0);
		assert_int_equal(rnpu_mmap(dev, off, c_bytes, (void **)&out), 0);
	}
	assert_int_equal(submit_raw(dev, rnpu_bo_obj_addr(mm.job->task), RKNPU_JOB_NONBLOCK,
				    RKNPU_CORE1_MASK, 6000, &fd), 0);
	assert_int_equal(fd, -1);
	rnpu_close(dev); /* frees the job's buffers once the job is done */
	for (uint32_t col = 0; col < mm.n; col++) {
		int32_t ref = 0;

		for (uint32_t l = 0; l < mm.k; l++)
			ref += mm.a[l] * mm.b[(size_t)l * mm.n + col];
		/* row 0 of the int32 output layout: element n at (n/4)*M*4 + n%4 */
		assert_int_equal(out[(col / 4) * mm.m * 4 + col % 4], ref);
	}
	munmap(out, c_bytes);
	free(mm.a);
	free(mm.b);
	free(mm.job); /* its buffer objects were released with the session */
}

static void close_with_jobs_in_flight(void **state)
{
	uint64_t buffers_before, pages_before, buffers, pages;
	struct rnpu_host *host;
	struct rnpu_dev *dev;
	struct mm mm[3];
	int fd[3];

	(void)state;
	assert_int_equal(rnpu_host_get_default(&host), 0);
	rnpu_host_memory_stats(host, &buffers_before, &pages_before);
	assert_int_equal(rnpu_open("sim", &dev), 0);
	for (int i = 0; i < 3; i++) {
		mm_create(dev, &mm[i], 128, 1024, 256, 20 + i);
		assert_int_equal(rnpu_matmul_job_run_async(mm[i].job, 1u << i, &fd[i]), 0);
	}
	/* Close at once: the jobs finish, then every buffer is released. */
	rnpu_close(dev);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(rnpu_fence_wait(fd[i], 0), 0);
		close(fd[i]);
		free(mm[i].a);
		free(mm[i].b);
		free(mm[i].job);
	}
	rnpu_host_memory_stats(host, &buffers, &pages);
	assert_int_equal(buffers, buffers_before);
	assert_int_equal(pages, pages_before);
	rnpu_host_put_default(host);
}

/* An ended async job holds its task buffer until the driver frees it. A
 * session that stays open and submits nothing more still gets its ended
 * jobs freed, without another submit or a close. */
static void ended_jobs_freed_while_idle(void **state)
{
	uint64_t buffers_before, pages_before, buffers = 0, pages = 0;
	struct rnpu_host *host;
	struct mm mm;
	int fd[4];

	assert_int_equal(rnpu_host_get_default(&host), 0);
	rnpu_host_memory_stats(host, &buffers_before, &pages_before);
	mm_create(*state, &mm, 8, 64, 32, 30);
	for (int i = 0; i < 4; i++)
		assert_int_equal(rnpu_matmul_job_run_async(mm.job, RKNPU_CORE0_MASK, &fd[i]), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(rnpu_fence_wait(fd[i], 10000), 0);
		close(fd[i]);
	}
	mm_check_output(&mm);
	mm_destroy(&mm);
	/* Bounded, generously for a loaded machine. */
	for (int waited_ms = 0; waited_ms < 10000; waited_ms += 5) {
		rnpu_host_memory_stats(host, &buffers, &pages);
		if (buffers == buffers_before)
			break;
		usleep(5000);
	}
	assert_int_equal(buffers, buffers_before);
	assert_int_equal(pages, pages_before);
	rnpu_host_put_default(host);
}

static void timeout_spares_other_cores(void **state)
{
	uint32_t h[2];
	uint64_t task = make_hanging_task(*state, h);
	struct mm big;
	int fd_big = -1, fd_hang = -1;

	/* A long job on core 0 (held back 300 ms past the 20 ms timeout), a
	 * hang on core 1: the hang's reset touches core 1 only, so the job on
	 * core 0 completes correctly. */
	mm_create(*state, &big, 64, 256, 128, 30);
	slow_next_job(0, 300);
	assert_int_equal(rnpu_matmul_job_run_async(big.job, RKNPU_CORE0_MASK, &fd_big), 0);
	assert_int_equal(submit_raw(*state, task, RKNPU_JOB_NONBLOCK | RKNPU_JOB_FENCE_OUT,
				    RKNPU_CORE1_MASK, 20, &fd_hang), 0);
	assert_int_equal(rnpu_fence_wait(fd_hang, 5000), -ETIMEDOUT);
	assert_int_equal(rnpu_fence_wait(fd_big, 20000), 0);
	mm_check_output(&big);
	close(fd_big);
	close(fd_hang);
	mm_destroy(&big);
	assert_int_equal(mem_destroy(*state, h[0]), 0);
	assert_int_equal(mem_destroy(*state, h[1]), 0);
}

static void reset_fails_running_keeps_queued(void **state)
{
	struct mm running, queued;
	int fd_running = -1, fd_queued = -1;
	uint32_t v = 0;

	/* ACT_RESET abandons the job on the hardware (its fence fails with
	 * the vendor's -EINVAL); the job queued behind it runs afterwards. */
	mm_create(*state, &running, 256, 2048, 1024, 31);
	mm_create(*state, &queued, 16, 128, 64, 32);
	assert_int_equal(rnpu_matmul_job_run_async(running.job, RKNPU_CORE2_MASK, &fd_running), 0);
	assert_int_equal(rnpu_matmul_job_run_async(queued.job, RKNPU_CORE2_MASK, &fd_queued), 0);
	assert_int_equal(action(*state, RKNPU_ACT_RESET, &v), 0);
	assert_int_equal(rnpu_fence_wait(fd_running, 5000), -EINVAL);
	assert_int_equal(rnpu_fence_wait(fd_queued, 5000), 0);
	mm_check_output(&queued);
	close(fd_running);
	close(fd_queued);
	mm_destroy(&running);
	mm_destroy(&queued);
}

static void hang_recovery_is_bounded(void **state)
{
	uint32_t h[2];
	uint64_t task = make_hanging_task(*state, h);
	struct mm next;
	uint64_t start, total_ms;
	int fd = -1;

	/* From submitting a job that hangs to the next job on that core
	 * having run: the timeout, plus the abort and reset sleeps (100 ms
	 * each), plus slack for a loaded machine. */
	mm_create(*state, &next, 8, 64, 32, 33);
	start = rnpu_osal_time_ns();
	assert_int_equal(submit_raw(*state, task, RKNPU_JOB_NONBLOCK | RKNPU_JOB_FENCE_OUT,
				    RKNPU_CORE0_MASK, 50, &fd), 0);
	assert_int_equal(rnpu_matmul_job_run(next.job, RKNPU_CORE0_MASK, NULL), 0);
	total_ms = (rnpu_osal_time_ns() - start) / 1000000;
	assert_int_equal(rnpu_fence_wait(fd, 0), -ETIMEDOUT);
	assert_true(total_ms >= 50);
	assert_true(total_ms < 50 + 200 + 1000);
	mm_check_output(&next);
	close(fd);
	mm_destroy(&next);
	assert_int_equal(mem_destroy(*state, h[0]), 0);
	assert_int_equal(mem_destroy(*state, h[1]), 0);
}

static void timeout_before_start_logs_no_hw_time(void **state)
{
	uint32_t h[2];
	uint64_t task = make_hanging_task(*state, h);
	int fd_hang = -1, fd_queued = -1;

	/* A hang holds core 1 for 2 s; a job queued behind it runs out of
	 * its 20 ms while still queued. Its timeout line must not show a
	 * hardware time (it has none: counted from 0 it was the time since
	 * boot) but that it never started. */
	assert_int_equal(submit_raw(*state, task, RKNPU_JOB_NONBLOCK | RKNPU_JOB_FENCE_OUT,
				    RKNPU_CORE1_MASK, 2000, &fd_hang), 0);
	assert_int_equal(submit_raw(*state, task, RKNPU_JOB_NONBLOCK | RKNPU_JOB_FENCE_OUT,
				    RKNPU_CORE1_MASK, 20, &fd_queued), 0);
	assert_int_equal(rnpu_fence_wait(fd_queued, 5000), -ETIMEDOUT);
	assert_true(log_wait_for("core 1 irq status", "not started, queued for", 2000));
	assert_false(log_has("core 1 irq status", "elapsed time"));
	/* The mask it would have waited for, as for a started job. */
	assert_true(log_has("require mask: 0x300, task counter", "not started, queued for"));
	assert_int_equal(rnpu_fence_wait(fd_hang, 10000), -ETIMEDOUT);
	assert_true(log_wait_for("core 1 irq status", "elapsed time", 2000));
	close(fd_hang);
	close(fd_queued);
	assert_int_equal(mem_destroy(*state, h[0]), 0);
	assert_int_equal(mem_destroy(*state, h[1]), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(fence_status_round_trip),
		T(fence_wait_end_dropped_at_signal),
		T(fence_status_while_signalled),
		T(fence_out_blocking),
		T(nonblock_fence_signals),
		T(nonblock_returns_before_completion),
		T(nonblock_poll_many),
		T(nonblock_timeout_error_fence),
		T(blocking_timeout_error_fence),
		T(fence_in_orders_jobs),
		T(fence_in_bad_fd),
		T(fence_in_error_propagates),
		T(fence_in_wait_is_bounded),
		T(nonblock_without_fence),
		T(close_with_jobs_in_flight),
		T(ended_jobs_freed_while_idle),
		T(timeout_spares_other_cores),
		T(reset_fails_running_keeps_queued),
		T(hang_recovery_is_bounded),
		T(timeout_before_start_logs_no_hw_time),
	};

	return cmocka_run_group_tests_name("fences", tests, NULL, NULL);
}
