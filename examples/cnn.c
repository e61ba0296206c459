// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * cnn: a small quantised layer stack on the NPU - conv 3x3 (16 -> 32,
 * ReLU) -> max pool 2x2 -> conv 3x3 (32 -> 16) - with the layers chained
 * in device memory: each layer reads the previous layer's output buffer
 * in native layout, so data crosses to the CPU only at the ends. Checked
 * against the plain CPU loops of cpu_ref.c. Exit status 0 ok, 1 mismatch,
 * 2 error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_ref.h"
#include "rnpu/ops.h"

#define H 48
#define W 48
#define C0 16
#define C1 32
#define C2 16

struct layer_data {
	int8_t w[C1 * 3 * 3 * C1];
	int32_t bias[C1];
	int16_t mult[C1];
	uint8_t shift[C1];
};

static void make_layer(struct layer_data *d, uint32_t o, uint32_t c, unsigned int seed)
{
	for (size_t i = 0; i < (size_t)o * 9 * c; i++)
		d->w[i] = (int8_t)((i * 37 + seed) % 255 - 127);
	for (uint32_t i = 0; i < o; i++) {
		d->bias[i] = (int32_t)(i * 997 % 20001) - 10000;
		d->mult[i] = (int16_t)(16384 + i * 311 % 16000);
		d->shift[i] = 21;
	}
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "sim";
	static int8_t x[H * W * C0], t1[H * W * C1], t2[H / 2 * W / 2 * C1];
	static int8_t want[H / 2 * W / 2 * C2], got[H / 2 * W / 2 * C2];
	static struct layer_data l1, l2;
	struct rnpu_conv2d_params p1 = { .dtype = RNPU_DT_INT8, .in_h = H, .in_w = W, .in_c = C0,
					 .out_c = C1, .kh = 3, .kw = 3, .pad_top = 1,
					 .pad_bottom = 1, .pad_left = 1, .pad_right = 1,
					 .relu = true };
	struct rnpu_pool2d_params pp = { .dtype = RNPU_DT_INT8, .kind = RNPU_POOL2D_MAX, .in_h = H,
				       .in_w = W, .c = C1, .kh = 2, .kw = 2 };
	struct rnpu_conv2d_params p2 = p1;
	struct cpu_conv r1 = { .h = H, .w = W, .c = C0, .o = C1, .k = 3, .stride = 1, .pad = 1,
			       .relu = true };
	struct cpu_conv r2 = { .h = H / 2, .w = W / 2, .c = C1, .o = C2, .k = 3, .stride = 1,
			       .pad = 1 };
	struct rnpu_op *conv1 = NULL, *pool = NULL, *conv2 = NULL;
	struct rnpu_dev *dev;
	unsigned long bad = 0;
	int ret;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: %s [DEVICE]\n"
		       "Runs conv 3x3 (%d->%d, ReLU) -> max pool 2x2 -> conv 3x3 (%d->%d) on a\n"
		       "%dx%dx%d int8 tensor on the NPU, layers chained in device memory,\n"
		       "and checks the result against the CPU (DEVICE: \"sim\", the default,\n"
		       "or a device node). Exit status 0 ok, 1 mismatch, 2 error.\n",
		       argv[0], C0, C1, C1, C2, H, W, C0);
		return 0;
	}
	for (size_t i = 0; i < sizeof(x); i++)
		x[i] = (int8_t)(i * 101 % 256 - 128);
	make_layer(&l1, C1, C0, 3);
	make_layer(&l2, C2, C1, 11);
	p1.weights = l1.w;
	p1.bias = l1.bias;
	p1.multiplier = l1.mult;
	p1.shift = l1.shift;
	p2.in_h = H / 2;
	p2.in_w = W / 2;
	p2.in_c = C1;
	p2.out_c = C2;
	p2.relu = false;
	p2.weights = l2.w;
	p2.bias = l2.bias;
	p2.multiplier = l2.mult;
	p2.shift = l2.shift;

	ret = rnpu_open(path, &dev);
	if (ret) {
		fprintf(stderr, "rnpu_open(%s): %s\n", path, strerror(-ret));
		return 2;
	}
	ret = rnpu_conv2d_create(dev, &p1, &conv1);
	if (!ret)
		ret = rnpu_pool2d_create(dev, &pp, &pool);
	if (!ret)
		ret = rnpu_conv2d_create(dev, &p2, &conv2);
	/* Chain: each layer reads the previous one's native output. */
	if (!ret)
		ret = rnpu_op_bind_input(pool, 0, rnpu_op_output_bo(conv1));
	if (!ret)
		ret = rnpu_op_bind_input(conv2, 0, rnpu_op_output_bo(pool));
	if (!ret)
		ret = rnpu_op_set_input(conv1, 0, x);
	if (!ret)
		ret = rnpu_op_run(conv1, RNPU_OPS_CORES_WHERE_IT_PAYS, NULL);
	if (!ret)
		ret = rnpu_op_run(pool, RKNPU_CORE_AUTO_MASK, NULL);
	if (!ret)
		ret = rnpu_op_run(conv2, RNPU_OPS_CORES_WHERE_IT_PAYS, NULL);
	if (!ret)
		ret = rnpu_op_get_output(conv2, got);
	if (ret) {
		fprintf(stderr, "cnn: %s\n", rnpu_last_error(dev));
	} else {
		r1.weights = l1.w;
		r1.bias = l1.bias;
		r1.multiplier = l1.mult;
		r1.shift = l1.shift;
		r2.weights = l2.w;
		r2.bias = l2.bias;
		r2.multiplier = l2.mult;
		r2.shift = l2.shift;
		cpu_conv_int8(&r1, x, t1);
		cpu_maxpool_int8(H, W, C1, 2, t1, t2);
		cpu_conv_int8(&r2, t2, want);
		bad = cpu_compare("cnn", got, want, sizeof(want));
		printf("cnn %dx%dx%d: conv(%u tasks) -> pool -> conv(%u tasks), %s\n", H, W, C0,
		       rnpu_op_num_tasks(conv1), rnpu_op_num_tasks(conv2),
		       bad ? "MISMATCH" : "matches the CPU");
	}
	/* The pooling and second convolution only borrow their inputs. */
	rnpu_op_destroy(conv2);
	rnpu_op_destroy(pool);
	rnpu_op_destroy(conv1);
	rnpu_close(dev);
	return ret ? 2 : bad ? 1 : 0;
}
