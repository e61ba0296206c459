// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Many models at once: small jobs from 1, 2, 4 and 8 sessions (one thread
 * each, a few jobs in flight per session through NONBLOCK submits and
 * fences) on one core and on all three (AUTO), and the async
 * submit-to-signal latency of the smallest job.
 *
 * Throughput is given twice: host wall time, which measures the software
 * stack on this machine's CPUs, and the software NPU's timing model (the
 * busiest core's modelled cycles at the NPU clock), which is what an
 * RK3588 running the same jobs would take. Every job's result is checked
 * against integer dot products before it counts.
 */
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include "bench_util.h"
#include "rnpu/matmul_job.h"

/* One small job: 2 M MACs, above the size the software NPU runs inline. */
#define JM 32
#define JK 256
#define JN 256
#define DEPTH 4 /* jobs in flight per session */

struct session {
	pthread_t thread;
	struct rnpu_dev *dev;
	struct rnpu_matmul_job *job[DEPTH];
	int8_t a[DEPTH][JM * JK], b[JK * JN];
	uint32_t core_mask;          /* 0: job n of session i on core (i + n) % 3 */
	int index;
	long jobs;
	int failed;
};

static void fill(int8_t *v, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		v[i] = (int8_t)((i * 7 + seed * 13) % 23 - 11);
}

static int check(struct session *s, unsigned int slot)
{
	static __thread int32_t c[JM * JN];

	if (rnpu_matmul_job_get_output(s->job[slot], c))
		return -1;
	for (unsigned int i = 0; i < JM; i++)
		for (unsigned int j = 0; j < JN; j++) {
			int32_t want = 0;

			for (unsigned int k = 0; k < JK; k++)
				want += (int32_t)s->a[slot][i * JK + k] * s->b[k * JN + j];
			if (c[i * JN + j] != want)
				return -1;
		}
	return 0;
}

/* Waits for a fence and checks its job; marks the session failed if not. */
static void finish(struct session *s, unsigned int slot, int fd)
{
	if (rnpu_fence_wait(fd, 60000) || check(s, slot))
		s->failed = 1;
	close(fd);
}

static void *session_main(void *arg)
{
	struct session *s = arg;
	int fd[DEPTH];
	long n;

	for (unsigned int i = 0; i < DEPTH; i++)
		fd[i] = -1;
	for (n = 0; n < s->jobs && !s->failed; n++) {
		unsigned int slot = (unsigned int)(n % DEPTH);

		if (fd[slot] >= 0)
			finish(s, slot, fd[slot]);
		uint32_t mask = s->core_mask ? s->core_mask : 1u << ((s->index + n) % 3);

		if (rnpu_matmul_job_run_async(s->job[slot], mask, &fd[slot])) {
			fd[slot] = -1;
			s->failed = 1;
		}
	}
	for (unsigned int i = 0; i < DEPTH; i++)
		if (fd[i] >= 0)
			finish(s, i, fd[i]);
	return NULL;
}

static uint64_t total_cycles(struct rnpu_dev *dev, uint64_t *per_core)
{
	uint64_t max = 0;

	for (unsigned int c = 0; c < 3; c++) {
		BENCH_CHECK(rnpu_model_cycles(dev, c, &per_core[c]));
		if (per_core[c] > max)
			max = per_core[c];
	}
	return max;
}

/* Runs @nsess sessions of @jobs jobs each; returns wall and modelled rates. */
static void run_throughput(int nsess, long jobs, uint32_t core_mask, double *wall_rate,
			   double *model_rate)
{
	struct session *s = calloc((size_t)nsess, sizeof(*s));
	uint64_t before[3], after[3], t0, t1, busiest = 0, hz = 0;

	if (!s)
		exit(1);
	for (int i = 0; i < nsess; i++) {
		BENCH_CHECK(rnpu_open("sim", &s[i].dev));
		fill(s[i].b, sizeof(s[i].b), (unsigned int)i);
		for (unsigned int d = 0; d < DEPTH; d++) {
			fill(s[i].a[d], sizeof(s[i].a[d]), (unsigned int)(i * DEPTH + d + 1));
			BENCH_CHECK(rnpu_matmul_job_create(s[i].dev, RNPU_MM_INT8_INT32, JM, JK, JN, 0,
							   &s[i].job[d]));
			BENCH_CHECK(rnpu_matmul_job_set_inputs(s[i].job[d], s[i].a[d], s[i].b));
		}
		s[i].core_mask = core_mask;
		s[i].index = i;
		s[i].jobs = jobs;
	}
	BENCH_CHECK(rnpu_query(s[0].dev, RNPU_QUERY_FREQ_HZ, &hz));
	total_cycles(s[0].dev, before);
	t0 = bench_now_ns();
	for (int i = 0; i < nsess; i++)
		BENCH_CHECK(pthread_create(&s[i].thread, NULL, session_main, &s[i]));
	for (int i = 0; i < nsess; i++)
		pthread_join(s[i].thread, NULL);
	t1 = bench_now_ns();
	total_cycles(s[0].dev, after);
	for (unsigned int c = 0; c < 3; c++)
		if (after[c] - before[c] > busiest)
			busiest = after[c] - before[c];
	for (int i = 0; i < nsess; i++) {
		if (s[i].failed) {
			fprintf(stderr, "session %d: a job failed or computed a wrong result\n", i);
			exit(1);
		}
		for (unsigned int d = 0; d < DEPTH; d++)
			rnpu_matmul_job_destroy(s[i].job[d]);
		rnpu_close(s[i].dev);
	}
	free(s);
	*wall_rate = (double)nsess * (double)jobs * 1e9 / (double)(t1 - t0);
	*model_rate = busiest ? (double)nsess * (double)jobs * (double)hz / (double)busiest : 0;
}

/* Submit-to-signal of the smallest job: NONBLOCK submit, then poll() on
 * the fence until it is readable. */
static void run_latency(long iters, double *med, double *p99)
{
	enum { M = 1, K = 32, N = 16 };
	int8_t a[M * K], b[K * N];
	struct rnpu_matmul_job *job;
	struct rnpu_dev *dev;
	double *v = calloc((size_t)iters, sizeof(*v));

	if (!v)
		exit(1);
	fill(a, sizeof(a), 1);
	fill(b, sizeof(b), 2);
	BENCH_CHECK(rnpu_open("sim", &dev));
	BENCH_CHECK(rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, M, K, N, 0, &job));
	BENCH_CHECK(rnpu_matmul_job_set_inputs(job, a, b));
	for (long i = -100; i < iters; i++) { /* 100 warm-up rounds */
		struct pollfd p = { .events = POLLIN };
		uint64_t t0 = bench_now_ns();

		BENCH_CHECK(rnpu_matmul_job_run_async(job, RKNPU_CORE_AUTO_MASK, &p.fd));
		if (poll(&p, 1, 60000) != 1 || rnpu_fence_wait(p.fd, 0)) {
			fprintf(stderr, "fence did not signal success\n");
			exit(1);
		}
		if (i >= 0)
			v[i] = (double)(bench_now_ns() - t0) / 1e3;
		close(p.fd);
	}
	*p99 = bench_quantile(v, (size_t)iters, 0.99);
	*med = bench_median(v, (size_t)iters);
	rnpu_matmul_job_destroy(job);
	rnpu_close(dev);
	free(v);
}

int main(int argc, char **argv)
{
	static const int sessions[] = { 1, 2, 4, 8 };
	/* One core; three with the jobs spread over cores 0/1/2 by the
	 * submitter (several models on different cores); three with AUTO. */
	static const uint32_t masks[] = { RKNPU_CORE0_MASK, 0, RKNPU_CORE_AUTO_MASK };
	long jobs = bench_arg(argc, argv, "--jobs", 200);
	long iters = bench_arg(argc, argv, "--iters", 2000);
	bool latency_only = false;
	double wall[3][4], model[3][4], med, p99;

	for (int i = 1; i < argc; i++)
		latency_only |= !strcmp(argv[i], "--latency-only");
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: bench_jobs [--jobs=N] [--iters=N] [--latency-only]\n"
		       "Small-job throughput from 1, 2, 4, 8 sessions on one core and on\n"
		       "three (N jobs per session, default 200), and async submit-to-signal\n"
		       "latency over N submits (default 2000). Prints Markdown tables.\n"
		       "--latency-only skips the throughput runs (for profiling the async\n"
		       "path alone).\n");
		return 0;
	}
	if (latency_only) {
		run_latency(iters, &med, &p99);
		printf("| async job (int8 1x32x16, NONBLOCK + fence, poll) | submits | median us "
		       "| p99 us |\n| --- | --- | --- | --- |\n"
		       "| submit to fence readable | %ld | %.1f | %.1f |\n", iters, med, p99);
		return 0;
	}
	for (int c = 0; c < 3; c++)
		for (int i = 0; i < 4; i++)
			run_throughput(sessions[i], jobs, masks[c], &wall[c][i], &model[c][i]);
	run_latency(iters, &med, &p99);

	printf("| sessions | jobs | wall jobs/s: 1 core | 3 cores spread | 3 cores AUTO "
	       "| modelled jobs/s: 1 core | 3 cores spread | 3 cores AUTO "
	       "| modelled 3 vs 1: spread | AUTO |\n");
	printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
	for (int i = 0; i < 4; i++)
		printf("| %d | %ld | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.2fx | %.2fx |\n",
		       sessions[i], sessions[i] * jobs, wall[0][i], wall[1][i], wall[2][i],
		       model[0][i], model[1][i], model[2][i], model[1][i] / model[0][i],
		       model[2][i] / model[0][i]);
	printf("\n| async job (int8 1x32x16, NONBLOCK + fence, poll) | submits | median us | p99 us |\n");
	printf("| --- | --- | --- | --- |\n");
	printf("| submit to fence readable | %ld | %.1f | %.1f |\n", iters, med, p99);
	return 0;
}
