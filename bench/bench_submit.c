// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Submit round trip of the smallest job there is: one task, an int8
 * matmul of M=1, K=32, N=16, submitted blocking through the UAPI on the
 * in-process device. Every submit is timed on its own; the table gives the
 * median and the tail of those samples, and the hardware time the driver
 * reported for the same jobs.
 */
#include "bench_util.h"
#include "rnpu/matmul_job.h"

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
	return 0;
}
