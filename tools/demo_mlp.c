// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The demo's workload: a two-layer int8 MLP on three NPU cores,
 *   h = relu(requant(x W1))   int8 x int8 -> int8
 *   y = h W2                  int8 x int8 -> int32
 * with h handed from layer 1 to layer 2 in the NPU's native layout
 * without a copy, checked against a CPU computation of the same formula.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demo_mlp.h"
#include "rnpu/matmul.h"

static uint32_t rng(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void fill_i8(int8_t *p, size_t n, uint32_t *seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (int8_t)(rng(seed) % 255u - 127);
}

/* The requantisation rnpu documents for OUT_CVT: round half up, then
 * offset and saturation (rnpu/matmul_task.h). */
static int8_t cpu_requant_relu(int64_t acc, const struct rnpu_mm_requant *q)
{
	int64_t v = acc < 0 ? 0 : acc;

	v = v * q->scale;
	if (q->shift)
		v = (v + ((int64_t)1 << (q->shift - 1))) >> q->shift;
	v += q->offset;
	return (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v);
}

static void print_layer(const char *name, const struct rnpu_matmul_stats *st, double wall_ms)
{
	uint64_t macs = st->core_macs[0] + st->core_macs[1] + st->core_macs[2];

	printf("  %-7s tasks %3u | core0 %3u tasks %5.1f%% %8.3f ms | core1 %3u tasks %5.1f%%"
	       " %8.3f ms | core2 %3u tasks %5.1f%% %8.3f ms | wall %8.2f ms\n",
	       name, st->tasks, st->core_tasks[0], 100.0 * (double)st->core_macs[0] / (double)macs,
	       (double)st->model_ns[0] / 1e6, st->core_tasks[1],
	       100.0 * (double)st->core_macs[1] / (double)macs, (double)st->model_ns[1] / 1e6,
	       st->core_tasks[2], 100.0 * (double)st->core_macs[2] / (double)macs,
	       (double)st->model_ns[2] / 1e6, wall_ms);
}

static uint64_t busiest(const struct rnpu_matmul_stats *st)
{
	uint64_t m = 0;

	for (int i = 0; i < 3; i++)
		m = st->model_ns[i] > m ? st->model_ns[i] : m;
	return m;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int demo_mlp(struct rnpu_dev *dev, const struct demo_mlp_shape *s, uint32_t core_mask,
	     uint32_t seed)
{
	const size_t nx = (size_t)s->batch * s->in, nw1 = (size_t)s->in * s->hidden;
	const size_t nw2 = (size_t)s->hidden * s->out, nh = (size_t)s->batch * s->hidden;
	const size_t ny = (size_t)s->batch * s->out;
	int8_t *x = malloc(nx), *w1 = malloc(nw1), *w2 = malloc(nw2), *h = malloc(nh);
	int32_t *y = malloc(ny * 4);
	struct rnpu_matmul_cfg c1 = { .type = RNPU_MM_INT8_INT8, .m = s->batch, .k = s->in,
				      .n = s->hidden, .core_mask = core_mask, .relu = true };
	struct rnpu_matmul_cfg c2 = { .type = RNPU_MM_INT8_INT32, .m = s->batch, .k = s->hidden,
				      .n = s->out, .core_mask = core_mask };
	struct rnpu_matmul *l1 = NULL, *l2 = NULL;
	struct rnpu_matmul_stats st1, st2;
	size_t bad = 0;
	double t0, t1, t2;
	bool zero_copy = s->hidden % 32 == 0;
	int ret = -ENOMEM;

	if (!x || !w1 || !w2 || !h || !y)
		goto out;
	fill_i8(x, nx, &seed);
	fill_i8(w1, nw1, &seed);
	fill_i8(w2, nw2, &seed);
	/* Spread layer 1's accumulators (about 73^2 * sqrt(in) wide) over int8. */
	ret = rnpu_mm_requant_from_float(40.0 / (5329.0 * sqrt((double)s->in)), 0, &c1.requant);
	if (!ret)
		ret = rnpu_matmul_create(dev, &c1, &l1);
	if (!ret)
		ret = rnpu_matmul_create(dev, &c2, &l2);
	if (!ret)
		ret = rnpu_matmul_set_a(l1, x);
	if (!ret)
		ret = rnpu_matmul_set_b(l1, w1);
	if (!ret)
		ret = rnpu_matmul_set_b(l2, w2);
	if (!ret && zero_copy) {
		/* Layer 1's int8 C (N/16, M, 16) is layer 2's A (K/16, M, 16). */
		uint64_t off;
		struct rnpu_bo *hb = rnpu_matmul_buffer(l1, RNPU_MM_C, &off);

		ret = rnpu_matmul_bind(l2, RNPU_MM_A, hb, off, NULL);
	}
	if (ret) {
		fprintf(stderr, "rnpu-demo: MLP setup: %s\n", rnpu_last_error(dev));
		goto out;
	}
	t0 = now_ms();
	ret = rnpu_matmul_run(l1, &st1);
	t1 = now_ms();
	if (!ret && !zero_copy) {
		ret = rnpu_matmul_get_c(l1, h);
		if (!ret)
			ret = rnpu_matmul_set_a(l2, h);
	}
	if (!ret)
		ret = rnpu_matmul_run(l2, &st2);
	t2 = now_ms();
	if (!ret)
		ret = rnpu_matmul_get_c(l2, y);
	if (ret) {
		fprintf(stderr, "rnpu-demo: MLP run: %s\n", rnpu_last_error(dev));
		goto out;
	}

	/* CPU: the same two layers in plain loops. */
	for (uint32_t b = 0; b < s->batch; b++) {
		for (uint32_t j = 0; j < s->hidden; j++) {
			int64_t acc = 0;

			for (uint32_t i = 0; i < s->in; i++)
				acc += (int64_t)x[(size_t)b * s->in + i] * w1[(size_t)i * s->hidden + j];
			h[(size_t)b * s->hidden + j] = cpu_requant_relu(acc, &c1.requant);
		}
	}
	for (uint32_t b = 0; b < s->batch; b++) {
		for (uint32_t j = 0; j < s->out; j++) {
			int64_t acc = 0;

			for (uint32_t i = 0; i < s->hidden; i++)
				acc += (int64_t)h[(size_t)b * s->hidden + i] * w2[(size_t)i * s->out + j];
			if (y[(size_t)b * s->out + j] != acc && bad++ < 3)
				fprintf(stderr, "  y[%u][%u] = %d, expected %" PRId64 "\n", b, j,
					y[(size_t)b * s->out + j], acc);
		}
	}
	printf("mlp   %ux%u -> %u (int8, requant %u/2^%u, ReLU) -> %u (int32), core mask 0x%x,"
	       " hidden layer %s\n", s->batch, s->in, s->hidden, c1.requant.scale,
	       c1.requant.shift, s->out, st1.core_mask, zero_copy ? "passed on the NPU (no copy)"
								   : "copied by the CPU");
	print_layer("layer 1", &st1, t1 - t0);
	print_layer("layer 2", &st2, t2 - t1);
	printf("  modelled NPU time %.3f ms (busiest core per layer), %.1f GOP/s modelled;"
	       " %s\n", (double)(busiest(&st1) + busiest(&st2)) / 1e6,
	       busiest(&st1) + busiest(&st2)
		       ? 2.0 * ((double)nw1 + (double)nw2) * s->batch /
				 (double)(busiest(&st1) + busiest(&st2))
		       : 0.0,
	       bad ? "FAIL" : "PASS");
	ret = bad ? 1 : 0;
out:
	rnpu_matmul_destroy(l2);
	rnpu_matmul_destroy(l1);
	free(x);
	free(w1);
	free(w2);
	free(h);
	free(y);
	return ret;
}
