// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * conv: one int8 convolution (3x3, stride 1, padding 1, bias, per-channel
 * requantisation, ReLU) on the NPU through ops.h, checked against the
 * plain CPU loops of cpu_ref.c. Exit status 0 ok, 1 mismatch, 2 error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_ref.h"
#include "rnpu/ops.h"

#define H 40
#define W 40
#define C 24
#define O 48

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "sim";
	static int8_t x[H * W * C], wt[O * 3 * 3 * C], got[H * W * O], want[H * W * O];
	static int32_t bias[O];
	static int16_t mult[O];
	static uint8_t shift[O];
	struct cpu_conv ref = { .h = H, .w = W, .c = C, .o = O, .k = 3, .stride = 1, .pad = 1,
				.weights = wt, .bias = bias, .multiplier = mult, .shift = shift,
				.relu = true };
	struct rnpu_conv2d_params p = { .dtype = RNPU_DT_INT8, .in_h = H, .in_w = W, .in_c = C,
					.out_c = O, .kh = 3, .kw = 3, .pad_top = 1,
					.pad_bottom = 1, .pad_left = 1, .pad_right = 1,
					.relu = true, .weights = wt, .bias = bias,
					.multiplier = mult, .shift = shift };
	struct rnpu_submit_req req;
	struct rnpu_dev *dev;
	struct rnpu_op *op;
	unsigned long bad;
	int ret;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: %s [DEVICE]\n"
		       "Runs a %dx%dx%d -> %d int8 3x3 convolution with bias, per-channel\n"
		       "requantisation and ReLU on the NPU (DEVICE: \"sim\", the default, or a\n"
		       "node such as /dev/dri/card1) and checks it against the CPU.\n"
		       "Exit status 0 ok, 1 mismatch, 2 error.\n", argv[0], H, W, C, O);
		return 0;
	}
	for (size_t i = 0; i < sizeof(x); i++)
		x[i] = (int8_t)(i * 29 % 253 - 126);
	for (size_t i = 0; i < sizeof(wt); i++)
		wt[i] = (int8_t)(i * 17 % 239 - 119);
	for (int o = 0; o < O; o++) {
		bias[o] = (o - O / 2) * 1000;
		mult[o] = (int16_t)(20000 + 100 * o);
		shift[o] = 22;
	}
	ret = rnpu_open(path, &dev);
	if (ret) {
		fprintf(stderr, "rnpu_open(%s): %s\n", path, strerror(-ret));
		return 2;
	}
	ret = rnpu_conv2d_create(dev, &p, &op);
	if (!ret)
		ret = rnpu_op_set_input(op, 0, x);
	if (!ret)
		ret = rnpu_op_run(op, RNPU_OPS_CORES_WHERE_IT_PAYS, &req);
	if (!ret)
		ret = rnpu_op_get_output(op, got);
	if (ret) {
		fprintf(stderr, "conv: %s\n", rnpu_last_error(dev));
		rnpu_close(dev);
		return 2;
	}
	cpu_conv_int8(&ref, x, want);
	bad = cpu_compare("conv", got, want, (unsigned long)ref.oh * ref.ow * O);
	printf("conv %dx%dx%d -> %ux%ux%d: %u tasks, %s\n", H, W, C, ref.oh, ref.ow, O,
	       rnpu_op_num_tasks(op), bad ? "MISMATCH" : "matches the CPU");
	rnpu_op_destroy(op);
	rnpu_close(dev);
	return bad ? 1 : 0;
}
