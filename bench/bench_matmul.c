// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * A large int8 matmul (256 x 4096 x 4096 by default) through the UAPI on
 * one core of the in-process device, and the same shape through OpenBLAS's
 * cblas_sgemm (float data) in the same process, side by side. Throughput is
 * 2*M*K*N operations over the median wall time of the runs.
 */
#include "bench_util.h"
#include "rnpu/matmul_job.h"

#ifdef RNPU_BENCH_HAVE_OPENBLAS
#include <cblas.h>
#endif

static double gops(double m, double k, double n, double seconds)
{
	return 2.0 * m * k * n / seconds / 1e9;
}

/* Spot-checks a handful of outputs against an exact integer dot product:
 * the full reference would take longer than the benchmark. */
static void spot_check(const int8_t *a, const int8_t *b, const int32_t *c, uint32_t m,
		       uint32_t k, uint32_t n)
{
	static const double where[][2] = { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 0.5, 0.5 },
					   { 0.37, 0.91 }, { 1, 1 } };
	size_t s;

	for (s = 0; s < sizeof(where) / sizeof(where[0]); s++) {
		uint32_t i = (uint32_t)(where[s][0] * (m - 1)), j = (uint32_t)(where[s][1] * (n - 1));
		int64_t want = 0;
		uint32_t x;

		for (x = 0; x < k; x++)
			want += (int32_t)a[(size_t)i * k + x] * b[(size_t)x * n + j];
		if (c[(size_t)i * n + j] != want) {
			fprintf(stderr, "wrong result at (%u, %u): %d, want %lld\n", i, j,
				c[(size_t)i * n + j], (long long)want);
			exit(1);
		}
	}
}

static double run_npu(uint32_t m, uint32_t k, uint32_t n, long runs, const int8_t *a,
		      const int8_t *b, uint32_t *tasks, double *hw_ms)
{
	struct rnpu_matmul_job *job;
	struct rnpu_submit_req req;
	struct rnpu_dev *dev;
	double *t = calloc((size_t)runs, sizeof(*t)), *hw = calloc((size_t)runs, sizeof(*hw));
	int32_t *c = malloc((size_t)m * n * sizeof(*c));
	double med;
	long r;

	if (!t || !hw || !c)
		exit(1);
	BENCH_CHECK(rnpu_open("sim", &dev));
	BENCH_CHECK(rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, m, k, n, 0, &job));
	BENCH_CHECK(rnpu_matmul_job_set_inputs(job, a, b));
	*tasks = job->num_tasks;
	for (r = 0; r < runs; r++) {
		uint64_t t0 = bench_now_ns();

		BENCH_CHECK(rnpu_matmul_job_run(job, RKNPU_CORE0_MASK, &req));
		t[r] = (double)(bench_now_ns() - t0) / 1e9;
		hw[r] = (double)req.hw_elapse_ns / 1e6;
	}
	BENCH_CHECK(rnpu_matmul_job_get_output(job, c));
	spot_check(a, b, c, m, k, n);
	med = bench_median(t, (size_t)runs);
	*hw_ms = bench_median(hw, (size_t)runs);
	rnpu_matmul_job_destroy(job);
	rnpu_close(dev);
	free(t);
	free(hw);
	free(c);
	return med;
}

#ifdef RNPU_BENCH_HAVE_OPENBLAS
static double run_sgemm(uint32_t m, uint32_t k, uint32_t n, long runs, const float *a,
			const float *b, float *c, int threads)
{
	double *t = calloc((size_t)runs, sizeof(*t)), med;
	long r;

	if (!t)
		exit(1);
	openblas_set_num_threads(threads);
	/* One untimed call: OpenBLAS starts its threads lazily. */
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.0f, a,
		    (int)k, b, (int)n, 0.0f, c, (int)n);
	for (r = 0; r < runs; r++) {
		uint64_t t0 = bench_now_ns();

		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.0f,
			    a, (int)k, b, (int)n, 0.0f, c, (int)n);
		t[r] = (double)(bench_now_ns() - t0) / 1e9;
	}
	med = bench_median(t, (size_t)runs);
	free(t);
	return med;
}
#endif

int main(int argc, char **argv)
{
	uint32_t m = (uint32_t)bench_arg(argc, argv, "--m", 256);
	uint32_t k = (uint32_t)bench_arg(argc, argv, "--k", 4096);
	uint32_t n = (uint32_t)bench_arg(argc, argv, "--n", 4096);
	long runs = bench_arg(argc, argv, "--runs", 5);
	size_t i;
	int8_t *a = malloc((size_t)m * k), *b = malloc((size_t)k * n);
	double t_npu, hw_ms, npu_gops;
	uint32_t tasks;

	if (!a || !b)
		return 1;
	/* Deterministic small integers, exactly representable as floats. */
	for (i = 0; i < (size_t)m * k; i++)
		a[i] = (int8_t)((i * 2654435761u >> 13) % 255 - 127);
	for (i = 0; i < (size_t)k * n; i++)
		b[i] = (int8_t)((i * 2246822519u >> 11) % 255 - 127);

	t_npu = run_npu(m, k, n, runs, a, b, &tasks, &hw_ms);
	npu_gops = gops(m, k, n, t_npu);
	printf("| implementation (%ux%ux%u) | data | median wall ms | GOP/s | vs NPU |\n", m, k, n);
	printf("| --- | --- | --- | --- | --- |\n");
	printf("| rnpu_matmul_job, sim, core 0 (%u tasks; hw_elapse %.1f ms) | int8 -> int32 | "
	       "%.1f | %.2f | 1.00 |\n", tasks, hw_ms, t_npu * 1e3, npu_gops);
#ifdef RNPU_BENCH_HAVE_OPENBLAS
	{
		float *fa = malloc((size_t)m * k * sizeof(float));
		float *fb = malloc((size_t)k * n * sizeof(float));
		float *fc = malloc((size_t)m * n * sizeof(float));
		int all = openblas_get_num_procs();
		double t;

		if (!fa || !fb || !fc)
			return 1;
		for (i = 0; i < (size_t)m * k; i++)
			fa[i] = a[i];
		for (i = 0; i < (size_t)k * n; i++)
			fb[i] = b[i];
		t = run_sgemm(m, k, n, runs, fa, fb, fc, 1);
		printf("| OpenBLAS cblas_sgemm (%s kernels), 1 thread | float | %.1f | %.2f | %.2f |\n",
		       openblas_get_corename(), t * 1e3, gops(m, k, n, t), gops(m, k, n, t) / npu_gops);
		if (all > 1) {
			t = run_sgemm(m, k, n, runs, fa, fb, fc, all);
			printf("| OpenBLAS cblas_sgemm, %d threads | float | %.1f | %.2f | %.2f |\n", all,
			       t * 1e3, gops(m, k, n, t), gops(m, k, n, t) / npu_gops);
		}
		printf("\nOpenBLAS build: %s.\n", openblas_get_config());
		free(fa);
		free(fb);
		free(fc);
	}
#else
	printf("| OpenBLAS cblas_sgemm | float | - | - | not built: OpenBLAS not found |\n");
	fprintf(stderr, "bench_matmul: built without OpenBLAS, sgemm comparison skipped\n");
#endif
	free(a);
	free(b);
	return 0;
}
