// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Submit round trip of the smallest job there is: one task, an int8
 * matmul of M=1, K=32, N=16, submitted blocking through the UAPI on the
 * in-process device. Every submit is timed on its own; the table gives the
 * median and the tail of those samples, and the hardware time the driver
 * reported for the same jobs.
 *
 * A second table puts the same job in the two memory-protection modes
 * side by side, submits alternating: contiguous (the validator snapshots
 * the task, copies and checks the program at every submit) and IOMMU
 * (neither; the IOMMU confines the job instead).
 */
#include "bench_util.h"
#include "rnpu/matmul_job.h"

#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#define M 1
#define K 32
#define N 16

static void check_result(struct rnpu_matmul_job *job, const int8_t *a, const int8_t *b)
{
	int32_t c[M * N];
	unsigned int i, j, k;

	BENCH_CHECK(rnpu_matmul_job_get_output(job, c));
	for (i = 0; i < M; i++) {
		for (j = 0; j < N; j++) {
			int32_t want = 0;

			for (k = 0; k < K; k++)
				want += (int32_t)a[i * K + k] * b[k * N + j];
			if (c[i * N + j] != want) {
				fprintf(stderr, "wrong result at (%u, %u): %d, want %d\n", i, j,
					c[i * N + j], want);
				exit(1);
			}
		}
	}
}

/* One process per mode (the in-process device's mode is fixed when the
 * process opens its first device). The two take turns by passing a token
 * over pipes, so their rounds interleave in time under the same load. */
#define MODE_ROUNDS 20

struct mode_result {
	double wall, hw, sw;            /* medians, us; sw = wall - hw_elapse */
};

static void mode_run(int iommu, bool signal_ready, long iters, long warmup, int in_fd, int out_fd,
		     const int8_t *a, const int8_t *b, struct mode_result *res)
{
	struct rnpu_matmul_job *job;
	struct rnpu_submit_req req;
	struct rnpu_dev *dev;
	long per_round = iters / MODE_ROUNDS, n = 0, i;
	double *wall = calloc((size_t)iters, sizeof(double));
	double *hw = calloc((size_t)iters, sizeof(double));
	double *sw = calloc((size_t)iters, sizeof(double));
	uint32_t en = 0;
	char token = 't';
	int round;

	if (!wall || !hw || !sw)
		exit(1);
	setenv("RNPU_IOMMU", iommu ? "1" : "0", 1);
	BENCH_CHECK(rnpu_open("sim", &dev));
	BENCH_CHECK(rnpu_action(dev, RKNPU_GET_IOMMU_EN, &en));
	if ((int)en != iommu) {
		fprintf(stderr, "device did not take RNPU_IOMMU=%d\n", iommu);
		exit(1);
	}
	BENCH_CHECK(rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, M, K, N, 0, &job));
	BENCH_CHECK(rnpu_matmul_job_set_inputs(job, a, b));
	BENCH_CHECK(rnpu_matmul_job_run(job, RKNPU_CORE_AUTO_MASK, &req));
	check_result(job, a, b);
	if (signal_ready && write(out_fd, &token, 1) != 1)
		exit(1);
	for (round = 0; round < MODE_ROUNDS; round++) {
		if (read(in_fd, &token, 1) != 1)
			exit(1);
		for (i = round ? 0 : -warmup; i < per_round; i++) {
			uint64_t t0 = bench_now_ns();

			BENCH_CHECK(rnpu_matmul_job_run(job, RKNPU_CORE_AUTO_MASK, &req));
			if (i < 0)
				continue;
			wall[n] = (double)(bench_now_ns() - t0) / 1000.0;
			hw[n] = (double)req.hw_elapse_ns / 1000.0;
			sw[n] = wall[n] - hw[n];
			n++;
		}
		if (write(out_fd, &token, 1) != 1)
			exit(1);
	}
	check_result(job, a, b);
	res->wall = bench_median(wall, (size_t)n);
	res->hw = bench_median(hw, (size_t)n);
	res->sw = bench_median(sw, (size_t)n);
	rnpu_matmul_job_destroy(job);
	rnpu_close(dev);
	free(wall);
	free(hw);
	free(sw);
}

static void modes_side_by_side(long iters, long warmup, const int8_t *a, const int8_t *b)
{
	int to_child[2], to_parent[2], result[2];
	struct mode_result r[2];
	pid_t pid;
	int status;

	if (pipe(to_child) || pipe(to_parent) || pipe(result))
		exit(1);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		exit(1);
	if (pid == 0) {
		/* IOMMU mode: takes its turn after each parent round. */
		mode_run(1, true, iters, warmup, to_child[0], to_parent[1], a, b, &r[1]);
		if (write(result[1], &r[1], sizeof(r[1])) != (ssize_t)sizeof(r[1]))
			_exit(1);
		_exit(0);
	}
	/* Contiguous mode in the parent; its first turn comes when the
	 * child is ready. */
	mode_run(0, false, iters, warmup, to_parent[0], to_child[1], a, b, &r[0]);
	if (read(result[0], &r[1], sizeof(r[1])) != (ssize_t)sizeof(r[1]) ||
	    waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		exit(1);
	printf("\n| memory protection (same job, two processes taking turns) | submits | "
	       "median us | median hw_elapse us | median us outside the NPU | ratio |\n");
	printf("| --- | --- | --- | --- | --- | --- |\n");
	printf("| contiguous: task snapshot + program copy + validator | %ld | %.1f | %.1f | %.1f "
	       "| %.2f |\n",
	       iters, r[0].wall, r[0].hw, r[0].sw, r[0].sw / r[1].sw);
	printf("| IOMMU: no validator, no copy | %ld | %.1f | %.1f | %.1f | 1.00 |\n", iters,
	       r[1].wall, r[1].hw, r[1].sw);
}

int main(int argc, char **argv)
{
	long iters = bench_arg(argc, argv, "--iters", 2000);
	long warmup = bench_arg(argc, argv, "--warmup", 200);
	struct rnpu_matmul_job *job;
	struct rnpu_submit_req req;
	struct rnpu_dev *dev;
	int8_t a[M * K], b[K * N];
	double *rt, *hw, med, p90, p99, max, hw_med;
	long i;

	rt = calloc((size_t)iters, sizeof(*rt));
	hw = calloc((size_t)iters, sizeof(*hw));
	if (!rt || !hw)
		return 1;
	for (i = 0; i < M * K; i++)
		a[i] = (int8_t)(i * 7 % 23 - 11);
	for (i = 0; i < K * N; i++)
		b[i] = (int8_t)(i * 5 % 19 - 9);
	BENCH_CHECK(rnpu_open("sim", &dev));
	BENCH_CHECK(rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, M, K, N, 0, &job));
	BENCH_CHECK(rnpu_matmul_job_set_inputs(job, a, b));
	/* A fast wrong answer is not a result: check before timing. */
	BENCH_CHECK(rnpu_matmul_job_run(job, RKNPU_CORE_AUTO_MASK, &req));
	check_result(job, a, b);

	for (i = 0; i < warmup; i++)
		BENCH_CHECK(rnpu_matmul_job_run(job, RKNPU_CORE_AUTO_MASK, &req));
	for (i = 0; i < iters; i++) {
		uint64_t t0 = bench_now_ns(), t1;

		BENCH_CHECK(rnpu_matmul_job_run(job, RKNPU_CORE_AUTO_MASK, &req));
		t1 = bench_now_ns();
		rt[i] = (double)(t1 - t0) / 1000.0;
		hw[i] = (double)req.hw_elapse_ns / 1000.0;
	}

	/* Statistics sort the arrays: take each one in its own statement. */
	med = bench_median(rt, (size_t)iters);
	p90 = bench_quantile(rt, (size_t)iters, 0.90);
	p99 = bench_quantile(rt, (size_t)iters, 0.99);
	max = rt[iters - 1];
	hw_med = bench_median(hw, (size_t)iters);
	printf("| job (%s, %u task) | submits | median us | p90 us | p99 us | max us | "
	       "median hw_elapse us |\n", rnpu_transport_name(dev), job->num_tasks);
	printf("| --- | --- | --- | --- | --- | --- | --- |\n");
	printf("| int8 matmul %dx%dx%d, core AUTO, blocking | %ld | %.1f | %.1f | %.1f | %.1f | "
	       "%.1f |\n", M, K, N, iters, med, p90, p99, max, hw_med);

	rnpu_matmul_job_destroy(job);
	rnpu_close(dev);
	free(rt);
	free(hw);
	modes_side_by_side(iters, warmup, a, b);
	return 0;
}
