// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * matmul: C = A x B (int8 -> int32) on the NPU through matmul_job.h,
 * checked against a plain triple loop. Exits 0 when every element
 * matches, 1 on a mismatch, 2 on an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnpu/matmul_job.h"

#define M 64
#define K 256
#define N 96

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "sim";
	static int8_t a[M * K], b[K * N];
	static int32_t c[M * N];
	struct rnpu_matmul_job *job;
	struct rnpu_submit_req req;
	struct rnpu_dev *dev;
	unsigned long bad = 0;
	int ret;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: %s [DEVICE]\n"
		       "Multiplies a %dx%d by a %dx%d int8 matrix on the NPU (DEVICE: \"sim\",\n"
		       "the default, or a node such as /dev/dri/card1) and checks the int32\n"
		       "result against the CPU. Exit status 0 ok, 1 mismatch, 2 error.\n",
		       argv[0], M, K, K, N);
		return 0;
	}
	for (int i = 0; i < M * K; i++)
		a[i] = (int8_t)(i * 7 % 251 - 125);
	for (int i = 0; i < K * N; i++)
		b[i] = (int8_t)(i * 13 % 241 - 120);
	ret = rnpu_open(path, &dev);
	if (ret) {
		fprintf(stderr, "rnpu_open(%s): %s\n", path, strerror(-ret));
		return 2;
	}
	ret = rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, M, K, N, 0, &job);
	if (!ret)
		ret = rnpu_matmul_job_set_inputs(job, a, b);
	if (!ret)
		ret = rnpu_matmul_job_run(job, RKNPU_CORE_AUTO_MASK, &req);
	if (!ret)
		ret = rnpu_matmul_job_get_output(job, c);
	if (ret) {
		fprintf(stderr, "matmul: %s\n", rnpu_last_error(dev));
		rnpu_close(dev);
		return 2;
	}
	for (int i = 0; i < M; i++)
		for (int j = 0; j < N; j++) {
			int32_t want = 0;

			for (int k = 0; k < K; k++)
				want += a[i * K + k] * b[k * N + j];
			if (c[i * N + j] != want && bad++ < 5)
				fprintf(stderr, "C[%d][%d]: NPU %d, CPU %d\n", i, j, c[i * N + j],
					want);
		}
	printf("matmul %dx%dx%d int8: %u tasks, %lld ns on the NPU, %s\n", M, K, N,
	       job->num_tasks, (long long)req.hw_elapse_ns, bad ? "MISMATCH" : "matches the CPU");
	rnpu_matmul_job_destroy(job);
	rnpu_close(dev);
	return bad ? 1 : 0;
}
