// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * bench_requant: what per-column requantisation costs next to a single
 * per-tensor scale, int8 -> int8 through rnpu_matmul, side by side.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "rnpu/matmul.h"

static const char usage_text[] =
	"Usage: bench_requant [OPTIONS]\n"
	"\n"
	"Runs int8 -> int8 matmuls (M x K x N = 8x4096x4096, 64x4096x4096 and\n"
	"8x16384x4096, the last in two K segments) on core 0 and on cores 0-2,\n"
	"each twice with the same resident B and A: requantised with one scale\n"
	"for the whole tensor (the DPU's OUT_CVT) and with a scale per column (BS\n"
	"records read by BRDMA; with K segments one more DPU-only task per unit\n"
	"applies them to the summed partial results). The two are called in\n"
	"turn, so both see the same machine load. Every column's scale is\n"
	"2^-14, which both forms represent exactly: the two outputs must be\n"
	"identical, and are compared after every call. Prints a Markdown table:\n"
	"tasks, the median host wall time of rnpu_matmul_run and the median\n"
	"modelled time of the busiest NPU core for both forms, and their\n"
	"ratios (per column / per tensor).\n"
	"\n"
	"Options:\n"
	"  -r, --runs N     timed calls per form and shape after one warm-up\n"
	"                   (default 5)\n"
	"  -h, --help       show this help and exit\n"
	"\n"
	"Exit status: 0, or 1 if a matmul failed or the outputs differed.\n";

#define SCALE_SHIFT 14

struct shape {
	uint32_t m, k, n, mask;
};

static double busiest_ns(const struct rnpu_matmul_stats *st)
{
	uint64_t m = 0;

	for (int i = 0; i < 3; i++)
		m = st->model_ns[i] > m ? st->model_ns[i] : m;
	return (double)m;
}

static int run_shape(struct rnpu_dev *dev, const struct shape *s, int runs)
{
	const size_t mk = (size_t)s->m * s->k, kn = (size_t)s->k * s->n, mn = (size_t)s->m * s->n;
	double *col = malloc(s->n * sizeof(double));
	int8_t *a = malloc(mk), *b = malloc(kn), *c[2] = { malloc(mn), malloc(mn) };
	double *wall[2] = { calloc((size_t)runs, sizeof(double)),
			    calloc((size_t)runs, sizeof(double)) };
	double *model[2] = { calloc((size_t)runs, sizeof(double)),
			     calloc((size_t)runs, sizeof(double)) };
	struct rnpu_matmul_cfg cfg[2] = {
		{ .type = RNPU_MM_INT8_INT8, .m = s->m, .k = s->k, .n = s->n, .core_mask = s->mask,
		  .requant = { .scale = 1u << 15, .shift = 15 + SCALE_SHIFT } },
		{ .type = RNPU_MM_INT8_INT8, .m = s->m, .k = s->k, .n = s->n, .core_mask = s->mask,
		  .col_scale = col },
	};
	struct rnpu_matmul *mm[2] = { NULL, NULL };
	struct rnpu_matmul_stats st[2];
	int ret = -1;

	if (!col || !a || !b || !c[0] || !c[1] || !wall[0] || !wall[1] || !model[0] || !model[1])
		goto out;
	for (uint32_t j = 0; j < s->n; j++)
		col[j] = 1.0 / (1 << SCALE_SHIFT);
	for (size_t i = 0; i < mk; i++)
		a[i] = (int8_t)(i * 31 + 7);
	for (size_t i = 0; i < kn; i++)
		b[i] = (int8_t)(i * 17 + 3);
	for (int f = 0; f < 2; f++)
		if (rnpu_matmul_create(dev, &cfg[f], &mm[f]) || rnpu_matmul_set_b(mm[f], b) ||
		    rnpu_matmul_set_a(mm[f], a))
			goto out;
	for (int i = -1; i < runs; i++) {
		for (int f = 0; f < 2; f++) {
			uint64_t t0 = bench_now_ns(), t1;

			if (rnpu_matmul_run(mm[f], &st[f]))
				goto out;
			t1 = bench_now_ns();
			if (rnpu_matmul_get_c(mm[f], c[f]))
				goto out;
			if (i >= 0) {
				wall[f][i] = (double)(t1 - t0);
				model[f][i] = busiest_ns(&st[f]);
			}
		}
		if (memcmp(c[0], c[1], mn)) {
			fprintf(stderr, "bench_requant: %ux%ux%u: per-column output differs from"
				" per-tensor\n", s->m, s->k, s->n);
			goto out;
		}
	}
	{
		double w0 = bench_quantile(wall[0], (size_t)runs, 0.5);
		double w1 = bench_quantile(wall[1], (size_t)runs, 0.5);
		double m0 = bench_quantile(model[0], (size_t)runs, 0.5);
		double m1 = bench_quantile(model[1], (size_t)runs, 0.5);

		printf("| %u | %u | %u | %d | %u / %u | %.2f | %.2f | %.3f | %.3f | %.3f | %.3f |\n",
		       s->m, s->k, s->n, s->mask == 7 ? 3 : 1, st[0].tasks, st[1].tasks, w0 / 1e6,
		       w1 / 1e6, w0 > 0 ? w1 / w0 : 0.0, m0 / 1e6, m1 / 1e6,
		       m0 > 0 ? m1 / m0 : 0.0);
		fflush(stdout);
	}
	ret = 0;
out:
	if (ret && (!mm[0] || !mm[1]))
		fprintf(stderr, "bench_requant: %s\n", rnpu_last_error(dev));
	for (int f = 0; f < 2; f++) {
		rnpu_matmul_destroy(mm[f]);
		free(c[f]);
		free(wall[f]);
		free(model[f]);
	}
	free(col);
	free(a);
	free(b);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "runs", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct shape shapes[] = {
		{ 8, 4096, 4096, 1 },  { 8, 4096, 4096, 7 },   { 64, 4096, 4096, 1 },
		{ 64, 4096, 4096, 7 }, { 8, 16384, 4096, 1 }, { 8, 16384, 4096, 7 },
	};
	struct rnpu_dev *dev;
	int runs = 5, opt, fails = 0;

	while ((opt = getopt_long(argc, argv, "r:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r': runs = atoi(optarg) > 0 ? atoi(optarg) : 1; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (rnpu_open("sim", &dev)) {
		fprintf(stderr, "bench_requant: cannot open the software NPU\n");
		return 1;
	}
	printf("| M | K | N | cores | tasks per tensor / per column | run wall ms, per tensor |"
	       " run wall ms, per column | ratio | modelled NPU ms, per tensor | modelled NPU ms,"
	       " per column | ratio |\n");
	printf("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		fails += run_shape(dev, &shapes[i], runs) != 0;
	rnpu_close(dev);
	return fails ? 1 : 0;
}
