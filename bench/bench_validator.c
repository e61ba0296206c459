// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * bench_validator: what the contiguous mode's memory of accepted programs
 * saves the submitting thread. Two copies of one int8 matmul job live in
 * one session: one is submitted unchanged (its tasks are taken from the
 * session's memory after the first submit), the other with an inert word
 * of every task's program flipped before each submit (every task is
 * checked word by word again). The two are submitted alternately, so both
 * see the same load.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "rk3588_regs.h"
#include "rnpu/matmul_job.h"

static const char usage_text[] =
	"Usage: bench_validator [--iters=N] [--warmup=N]\n"
	"\n"
	"On the in-process software NPU in contiguous mode (no IOMMU), submits\n"
	"two copies of an int8 matmul job (K = 64, N = 64, 8 rows per task;\n"
	"M = 8, 64 and 256: 1, 8 and 32 tasks) alternately, blocking, on core 0:\n"
	"one unchanged, whose tasks the validator takes as identical to programs\n"
	"it accepted before; one whose DPU.EW_OP_VALUE_7 word (unused: the\n"
	"matmul bypasses the EW stage) is flipped in every task before each\n"
	"submit, so that every task is checked word by word again. Prints a\n"
	"Markdown table: per submit, the median CPU time of the submitting\n"
	"thread (CLOCK_THREAD_CPUTIME_ID: the ioctl, the validator, the commit;\n"
	"not the time it sleeps while the NPU runs) of each, their difference\n"
	"per task, their ratio, and the session's fdinfo counters\n"
	"(rknpu-regcmd-validated, rknpu-regcmd-reused) over the timed submits of\n"
	"each job, which show that each submit took the path it is named after.\n"
	"Both products are checked against the CPU before and after timing.\n"
	"\n"
	"Options:\n"
	"  --iters=N    timed submits of each job per shape (default 2000)\n"
	"  --warmup=N   untimed submits of each first (default 100)\n"
	"  --help       show this help and exit\n"
	"\n"
	"Exit status: 0, or 1 if a submit failed or a product was wrong.\n";

#define K 64u
#define N 64u
#define TILE_M 8u

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void check_product(struct rnpu_matmul_job *job, const int8_t *a, const int8_t *b,
			  uint32_t m)
{
	int32_t *c = calloc((size_t)m * N, sizeof(*c));
	uint32_t i, j, l;

	if (!c)
		exit(1);
	memset(job->c_map, 0, (size_t)m * N * sizeof(*c));
	BENCH_CHECK(rnpu_bo_sync(job->c, 0, rnpu_bo_size(job->c), RKNPU_MEM_SYNC_TO_DEVICE));
	BENCH_CHECK(rnpu_matmul_job_run(job, RKNPU_CORE0_MASK, NULL));
	BENCH_CHECK(rnpu_matmul_job_get_output(job, c));
	for (i = 0; i < m; i++)
		for (j = 0; j < N; j++) {
			int32_t want = 0;

			for (l = 0; l < K; l++)
				want += (int32_t)a[i * K + l] * b[l * N + j];
			if (c[i * N + j] != want) {
				fprintf(stderr, "wrong product at (%u, %u): %d, want %d\n", i, j,
					c[i * N + j], want);
				exit(1);
			}
		}
	free(c);
}

struct counts {
	uint64_t validated, reused;
};

static uint64_t fdinfo_value(const char *text, const char *key)
{
	const char *at = strstr(text, key);

	if (!at) {
		fprintf(stderr, "no %s in the session's fdinfo\n", key);
		exit(1);
	}
	return strtoull(at + strlen(key), NULL, 10);
}

static struct counts counts_of(struct rnpu_dev *dev)
{
	char text[2048];
	struct counts c;

	if (rnpu_fdinfo_read(dev, text, sizeof(text)) <= 0)
		exit(1);
	c.validated = fdinfo_value(text, "rknpu-regcmd-validated:");
	c.reused = fdinfo_value(text, "rknpu-regcmd-reused:");
	return c;
}

/* The words of @job's program writing the unused EW operand register. */
static size_t inert_words(struct rnpu_matmul_job *job, uint64_t **words, size_t *at, size_t max)
{
	size_t nwords = rnpu_bo_size(job->regcmd) / 8, i, n = 0;

	BENCH_CHECK(rnpu_bo_map(job->regcmd, (void **)words));
	for (i = 0; i < nwords && n < max; i++) {
		uint16_t t = rk3588_regcmd_target((*words)[i]);

		if (t != 0 && t != RK3588_TARGET_NOP && t != RK3588_TARGET_PRE_OP &&
		    t != RK3588_TARGET_OP_EN && t != RK3588_TARGET_PC &&
		    rk3588_regcmd_offset((*words)[i]) == REG_DPU_EW_OP_VALUE_7)
			at[n++] = i;
	}
	return n;
}

static void run_shape(struct rnpu_dev *dev, uint32_t m, long iters, long warmup)
{
	struct rnpu_matmul_job *same, *flipped;
	int8_t *a = malloc((size_t)m * K), *b = malloc((size_t)K * N);
	double *t_same = calloc((size_t)iters, sizeof(double));
	double *t_flip = calloc((size_t)iters, sizeof(double));
	size_t at[256], n_inert;
	struct counts sum_same = { 0, 0 }, sum_flip = { 0, 0 };
	uint64_t *words;
	double med_same, med_flip;
	long i;

	if (!a || !b || !t_same || !t_flip)
		exit(1);
	for (i = 0; i < (long)(m * K); i++)
		a[i] = (int8_t)(i * 7 % 23 - 11);
	for (i = 0; i < (long)(K * N); i++)
		b[i] = (int8_t)(i * 5 % 19 - 9);
	BENCH_CHECK(rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, m, K, N, TILE_M, &same));
	BENCH_CHECK(rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, m, K, N, TILE_M, &flipped));
	BENCH_CHECK(rnpu_matmul_job_set_inputs(same, a, b));
	BENCH_CHECK(rnpu_matmul_job_set_inputs(flipped, a, b));
	n_inert = inert_words(flipped, &words, at, sizeof(at) / sizeof(at[0]));
	if (n_inert != flipped->num_tasks) {
		fprintf(stderr, "%zu EW_OP_VALUE_7 words in %u tasks\n", n_inert,
			flipped->num_tasks);
		exit(1);
	}
	check_product(same, a, b, m);
	check_product(flipped, a, b, m);
	for (i = -warmup; i < iters; i++) {
		struct counts c0 = counts_of(dev), c1, c2;
		uint64_t t0, t1, t2, t3;
		size_t w;

		t0 = thread_cpu_ns();
		BENCH_CHECK(rnpu_matmul_job_run(same, RKNPU_CORE0_MASK, NULL));
		t1 = thread_cpu_ns();
		c1 = counts_of(dev);
		for (w = 0; w < n_inert; w++)
			words[at[w]] ^= 1; /* the value's low bit */
		BENCH_CHECK(rnpu_bo_sync(flipped->regcmd, 0, rnpu_bo_size(flipped->regcmd),
					 RKNPU_MEM_SYNC_TO_DEVICE));
		t2 = thread_cpu_ns();
		BENCH_CHECK(rnpu_matmul_job_run(flipped, RKNPU_CORE0_MASK, NULL));
		t3 = thread_cpu_ns();
		c2 = counts_of(dev);
		if (i < 0)
			continue;
		t_same[i] = (double)(t1 - t0) / 1000.0;
		t_flip[i] = (double)(t3 - t2) / 1000.0;
		sum_same.validated += c1.validated - c0.validated;
		sum_same.reused += c1.reused - c0.reused;
		sum_flip.validated += c2.validated - c1.validated;
		sum_flip.reused += c2.reused - c1.reused;
	}
	check_product(same, a, b, m);
	check_product(flipped, a, b, m);
	med_same = bench_median(t_same, (size_t)iters);
	med_flip = bench_median(t_flip, (size_t)iters);
	printf("| %u | %u | %ld | %.1f | %llu / %llu | %.1f | %llu / %llu | %.2f | %.2f |\n", m,
	       same->num_tasks, iters, med_same, (unsigned long long)sum_same.validated,
	       (unsigned long long)sum_same.reused, med_flip,
	       (unsigned long long)sum_flip.validated, (unsigned long long)sum_flip.reused,
	       (med_flip - med_same) / same->num_tasks, med_same / med_flip);
	rnpu_matmul_job_destroy(same);
	rnpu_matmul_job_destroy(flipped);
	free(a);
	free(b);
	free(t_same);
	free(t_flip);
}

int main(int argc, char **argv)
{
	static const uint32_t ms[] = { 8, 64, 256 };
	long iters = bench_arg(argc, argv, "--iters", 2000);
	long warmup = bench_arg(argc, argv, "--warmup", 100);
	struct rnpu_dev *dev;
	uint32_t en = 1;
	size_t i;

	for (i = 1; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_text, stdout);
			return 0;
		}
		if (strncmp(argv[i], "--iters=", 8) && strncmp(argv[i], "--warmup=", 9)) {
			fprintf(stderr, "bench_validator: unknown argument %s\n%s", argv[i],
				usage_text);
			return 1;
		}
	}
	if (iters < 1 || warmup < 0) {
		fprintf(stderr, "bench_validator: --iters must be 1 or more, --warmup 0 or more\n");
		return 1;
	}
	setenv("RNPU_IOMMU", "0", 1);
	BENCH_CHECK(rnpu_open("sim", &dev));
	BENCH_CHECK(rnpu_action(dev, RKNPU_GET_IOMMU_EN, &en));
	if (en) {
		fprintf(stderr, "bench_validator: the device is in IOMMU mode: nothing to validate\n");
		return 1;
	}
	printf("| M | tasks | submits each | unchanged: thread CPU us | validated / reused | "
	       "flipped: thread CPU us | validated / reused | saved us per task | "
	       "unchanged / flipped |\n");
	printf("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
		run_shape(dev, ms[i], iters, warmup);
	rnpu_close(dev);
	return 0;
}
