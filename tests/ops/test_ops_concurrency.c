// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Operations from several threads at once on one device: each thread plans
 * its own conv2d, elementwise and pooling operations and runs them many
 * times with fresh inputs, blocking and asynchronously, on varying cores,
 * checking every result against plain loops. Plus an operation destroyed
 * while its asynchronous job is still queued, and a device closed with
 * jobs in flight.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rnpu/ops.h"

#define THREADS 3
#define ROUNDS 6
#define H 12
#define W 10
#define C 16
#define O 16
#define COUNT 5000u

struct worker {
	struct rnpu_dev *dev;
	unsigned int id;
	int failures;
	char msg[160];
};

static int8_t sat8(int v)
{
	return (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v);
}

static void note_failure(struct worker *wk, const char *what, int ret)
{
	if (!wk->failures++)
		snprintf(wk->msg, sizeof(wk->msg), "thread %u: %s: %d %s", wk->id, what, ret,
			 rnpu_last_error(wk->dev));
}

/* 1x1 convolution with shift 4: y = sat8(round_half_up(sum x*w / 16)). */
static void check_conv(struct worker *wk, const int8_t *x, const int8_t *w, const int8_t *y)
{
	for (int p = 0; p < H * W; p++)
		for (int o = 0; o < O; o++) {
			int acc = 0;

			for (int c = 0; c < C; c++)
				acc += x[p * C + c] * w[o * C + c];
			if (y[p * O + o] != sat8((acc + 8) >> 4)) {
				note_failure(wk, "conv result", y[p * O + o]);
				return;
			}
		}
}

static void *work(void *arg)
{
	struct worker *wk = arg;
	static const uint32_t masks[] = { 0, 1, 2, 4, 3, 7 };
	int8_t x[H * W * C], wt[O * C], y[H * W * O];
	int8_t a[COUNT], b[COUNT], s[COUNT], pooled[H / 2 * W / 2 * C];
	uint8_t shift[O];
	struct rnpu_conv2d_params cp = { .dtype = RNPU_DT_INT8, .in_h = H, .in_w = W, .in_c = C,
					 .out_c = O, .kh = 1, .kw = 1, .weights = wt,
					 .shift = shift, .max_rows_per_task = 2 };
	struct rnpu_eltwise_params ep = { .dtype = RNPU_DT_INT8, .kind = RNPU_ELTWISE_ADD,
					  .count = COUNT, .max_rows_per_task = 1 };
	struct rnpu_pool2d_params pp = { .dtype = RNPU_DT_INT8, .kind = RNPU_POOL2D_MAX, .in_h = H,
				       .in_w = W, .c = C, .kh = 2, .kw = 2 };
	struct rnpu_op *conv = NULL, *ew = NULL, *pool = NULL;
	int ret;

	for (int i = 0; i < O * C; i++)
		wt[i] = (int8_t)((i * 7 + wk->id) % 31 - 15);
	memset(shift, 4, sizeof(shift));
	ret = rnpu_conv2d_create(wk->dev, &cp, &conv);
	if (!ret)
		ret = rnpu_eltwise_create(wk->dev, &ep, &ew);
	if (!ret)
		ret = rnpu_pool2d_create(wk->dev, &pp, &pool);
	if (ret) {
		note_failure(wk, "create", ret);
		goto out;
	}
	for (unsigned int r = 0; r < ROUNDS && !wk->failures; r++) {
		uint32_t mask = masks[(r + wk->id) % 6];
		int fence = -1;

		for (int i = 0; i < H * W * C; i++)
			x[i] = (int8_t)((i * 13 + r * 5 + wk->id) % 255 - 127);
		for (unsigned int i = 0; i < COUNT; i++) {
			a[i] = (int8_t)((i + r) % 200 - 100);
			b[i] = (int8_t)((i * 3 + wk->id) % 256 - 128);
		}
		if ((ret = rnpu_op_set_input(conv, 0, x)) || (ret = rnpu_op_run(conv, mask, NULL)) ||
		    (ret = rnpu_op_get_output(conv, y))) {
			note_failure(wk, "conv", ret);
			break;
		}
		check_conv(wk, x, wt, y);
		if ((ret = rnpu_op_set_input(ew, 0, a)) || (ret = rnpu_op_set_input(ew, 1, b)) ||
		    (ret = rnpu_op_run_async(ew, mask, &fence)) ||
		    (ret = rnpu_fence_wait(fence, 10000)) || (ret = rnpu_op_get_output(ew, s))) {
			note_failure(wk, "eltwise", ret);
			if (fence >= 0)
				close(fence);
			break;
		}
		close(fence);
		for (unsigned int i = 0; i < COUNT; i++)
			if (s[i] != sat8(a[i] + b[i])) {
				note_failure(wk, "eltwise result", (int)i);
				break;
			}
		if ((ret = rnpu_op_set_input(pool, 0, x)) || (ret = rnpu_op_run(pool, 0, NULL)) ||
		    (ret = rnpu_op_get_output(pool, pooled))) {
			note_failure(wk, "pool", ret);
			break;
		}
		for (int oy = 0; oy < H / 2; oy++)
			for (int ox = 0; ox < W / 2; ox++)
				for (int c = 0; c < C; c++) {
					int m = -128;

					for (int k = 0; k < 4; k++) {
						int v = x[((oy * 2 + k / 2) * W + ox * 2 + k % 2) * C + c];

						m = v > m ? v : m;
					}
					if (pooled[(oy * (W / 2) + ox) * C + c] != m)
						note_failure(wk, "pool result", m);
				}
	}
out:
	rnpu_op_destroy(pool);
	rnpu_op_destroy(ew);
	rnpu_op_destroy(conv);
	return NULL;
}

static void test_threads(void **state)
{
	struct worker wk[THREADS];
	pthread_t th[THREADS];
	struct rnpu_dev *dev;

	(void)state;
	assert_int_equal(rnpu_open("sim", &dev), 0);
	for (unsigned int i = 0; i < THREADS; i++) {
		wk[i] = (struct worker){ .dev = dev, .id = i };
		assert_int_equal(pthread_create(&th[i], NULL, work, &wk[i]), 0);
	}
	for (unsigned int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	rnpu_close(dev);
	for (unsigned int i = 0; i < THREADS; i++) {
		if (wk[i].failures)
			print_error("%s\n", wk[i].msg);
		assert_int_equal(wk[i].failures, 0);
	}
}

/* Destroying an operation releases its buffers; the queued job keeps the
 * memory it uses until it ends, and its fence still signals. Closing the
 * device with jobs in flight waits for them and frees what is left. */
static void test_release_mid_job(void **state)
{
	struct rnpu_eltwise_params ep = { .dtype = RNPU_DT_INT8, .kind = RNPU_ELTWISE_MUL,
					  .count = 1u << 20 };
	struct rnpu_op *op, *op2;
	struct rnpu_dev *dev;
	int fence, fence2;

	(void)state;
	assert_int_equal(rnpu_open("sim", &dev), 0);
	assert_int_equal(rnpu_eltwise_create(dev, &ep, &op), 0);
	assert_int_equal(rnpu_eltwise_create(dev, &ep, &op2), 0);
	assert_int_equal(rnpu_op_run_async(op, 7, &fence), 0);
	assert_int_equal(rnpu_op_run_async(op2, 0, &fence2), 0);
	rnpu_op_destroy(op);
	assert_int_equal(rnpu_fence_wait(fence, 10000), 0);
	close(fence);
	/* op2's job may still be queued or running when its buffers and the
	 * device go: close waits for the job, which then has succeeded. */
	rnpu_op_destroy(op2);
	rnpu_close(dev);
	assert_int_equal(rnpu_fence_wait(fence2, 10000), 0);
	close(fence2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_release_mid_job),
	};

	return cmocka_run_group_tests_name("ops-concurrency", tests, NULL, NULL);
}
