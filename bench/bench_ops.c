// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * bench_ops: int8 conv2d through ops.h on one core and split over two and
 * three cores, side by side in one run (rounds interleave the masks), for a
 * large convolution and a small one, plus what RNPU_OPS_CORES_WHERE_IT_PAYS
 * picks. Prints a markdown table: median wall time per run, the median
 * hw_elapse the driver reports, and the speed-up over one core.
 *
 *   bench_ops [--rounds=N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "rnpu/ops.h"

struct workload {
	const char *name;
	uint32_t h, w, c, o, rows_per_task;
};

static const uint32_t masks[] = { 0x1, 0x3, 0x7, RNPU_OPS_CORES_WHERE_IT_PAYS };

static const char *mask_name(uint32_t m)
{
	switch (m) {
	case 0x1: return "core 0";
	case 0x3: return "cores 0-1";
	case 0x7: return "cores 0-2";
	default: return "where it pays";
	}
}

static void run(struct rnpu_dev *dev, const struct workload *wl, int rounds)
{
	size_t nx = (size_t)wl->h * wl->w * wl->c, nw = (size_t)wl->o * 9 * wl->c;
	int8_t *x = malloc(nx), *wt = malloc(nw), *ref = malloc((size_t)wl->h * wl->w * wl->o),
	       *got = malloc((size_t)wl->h * wl->w * wl->o);
	double wall[4][64], hw[4][64], base = 0;
	struct rnpu_conv2d_params p = { .dtype = RNPU_DT_INT8, .in_h = wl->h, .in_w = wl->w,
					.in_c = wl->c, .out_c = wl->o, .kh = 3, .kw = 3,
					.pad_top = 1, .pad_bottom = 1, .pad_left = 1,
					.pad_right = 1, .max_rows_per_task = wl->rows_per_task };
	int16_t *mult = malloc(wl->o * sizeof(*mult));
	uint8_t *shift = malloc(wl->o);
	struct rnpu_op *op;

	if (!x || !wt || !ref || !got || !mult || !shift)
		exit(1);
	for (size_t i = 0; i < nx; i++)
		x[i] = (int8_t)(i * 7 % 255 - 127);
	for (size_t i = 0; i < nw; i++)
		wt[i] = (int8_t)(i * 11 % 253 - 126);
	for (uint32_t o = 0; o < wl->o; o++) {
		mult[o] = 16384;
		shift[o] = 20;
	}
	p.weights = wt;
	p.multiplier = mult;
	p.shift = shift;
	BENCH_CHECK(rnpu_conv2d_create(dev, &p, &op));
	BENCH_CHECK(rnpu_op_set_input(op, 0, x));
	/* Every mask must give the one-core result. */
	BENCH_CHECK(rnpu_op_run(op, 0x1, NULL));
	BENCH_CHECK(rnpu_op_get_output(op, ref));
	for (int r = 0; r < rounds; r++)
		for (size_t m = 0; m < 4; m++) {
			struct rnpu_submit_req req;
			uint64_t t0 = bench_now_ns();

			BENCH_CHECK(rnpu_op_run(op, masks[m], &req));
			wall[m][r] = (double)(bench_now_ns() - t0) / 1e6;
			hw[m][r] = (double)req.hw_elapse_ns / 1e6;
			if (r == 0) {
				BENCH_CHECK(rnpu_op_get_output(op, got));
				if (memcmp(got, ref, (size_t)wl->h * wl->w * wl->o)) {
					fprintf(stderr, "%s: %s differs from core 0\n", wl->name,
						mask_name(masks[m]));
					exit(1);
				}
			}
		}
	for (size_t m = 0; m < 4; m++) {
		double w = bench_median(wall[m], (size_t)rounds);
		double h = bench_median(hw[m], (size_t)rounds);

		if (m == 0)
			base = w;
		printf("| %s (%u tasks) | %s | %.1f | %.1f | %.2f |\n", wl->name,
		       rnpu_op_num_tasks(op), mask_name(masks[m]), w, h, base / w);
	}
	rnpu_op_destroy(op);
	free(x);
	free(wt);
	free(ref);
	free(got);
	free(mult);
	free(shift);
}

int main(int argc, char **argv)
{
	static const struct workload wls[] = {
		{ "conv 3x3 224x224x32 -> 64", 224, 224, 32, 64, 8 },
		{ "conv 3x3 28x28x32 -> 32", 28, 28, 32, 32, 5 },
	};
	int rounds = (int)bench_arg(argc, argv, "--rounds", 7);
	struct rnpu_dev *dev;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: %s [--rounds=N]\n"
		       "Times int8 3x3 convolutions through librnpu's ops on the software NPU\n"
		       "on one, two and three cores and with the library's own choice, N\n"
		       "interleaved rounds (default 7, at most 64), and prints a markdown table\n"
		       "of median wall and hw_elapse times and the speed-up over one core.\n",
		       argv[0]);
		return 0;
	}
	if (rounds < 1 || rounds > 64)
		rounds = 7;
	BENCH_CHECK(rnpu_open("sim", &dev));
	printf("| workload (int8, sim) | cores | median wall ms | median hw_elapse ms |"
	       " speed-up vs 1 core |\n");
	printf("| --- | --- | --- | --- | --- |\n");
	for (size_t i = 0; i < sizeof(wls) / sizeof(wls[0]); i++)
		run(dev, &wls[i], rounds);
	rnpu_close(dev);
	return 0;
}
