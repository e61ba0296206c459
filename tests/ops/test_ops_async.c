// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Operations queued after fences (rnpu_op_run_after): a chain conv ->
 * elementwise add -> max pool, bound to each other's buffers, queued in
 * one go behind a gate fence the test holds closed - every call returns
 * and no fence of the chain signals until the gate opens - then checked
 * against the CPU reference (tests/ref) composed the same way. A gate that
 * fails, or whose producer goes away, fails the whole chain with its
 * error and nothing runs; an input fence already signalled runs at once; a
 * closed fd is refused; an operation destroyed with its run still waiting
 * releases everything. No fd outlives the test cases.
 *
 * The gate is a fence in the format every rnpu fence has: one end of a
 * Unix stream socket pair; the other end receives a 4-byte status and is
 * closed to signal it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "osal_posix.h"
#include "rnpu/ops.h"
#include "rnpu_ref.h"

enum { H = 10, W = 12, C = 16, O = 32, PK = 2 };
enum { OH = H, OW = W, PH = OH / PK, PW = OW / PK };

struct gate {
	int wait_fd, signal_fd;
};

static struct rnpu_dev *g_dev;

/* Each case has a session of its own and counts fds with it closed: the
 * driver may keep a finished job's buffers and fence until it retires the
 * job, which closing the session forces. */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* A gate in the userspace fence format, held by the test. */
static void gate_make(struct gate *g)
{
	assert_int_equal(rnpu_posix_fence_fd_pair(&g->wait_fd, &g->signal_fd), 0);
}

static void gate_open(struct gate *g, int32_t status)
{
	rnpu_posix_fence_fd_signal(g->signal_fd, status);
	g->signal_fd = -1;
}

/* The three operations of the chain, bound in device memory. */
struct chain {
	struct rnpu_op *conv, *add, *pool;
	int8_t x[H * W * C], w[O * 3 * 3 * C], b_native[O * OH * OW];
	int32_t bias[O];
	int16_t mult[O];
	uint8_t shift[O];
	int8_t want[PH * PW * O];
};

static void chain_make(struct chain *ch, uint64_t seed)
{
	struct ref_rng r;
	struct rnpu_conv2d_params cp = {
		.dtype = RNPU_DT_INT8, .in_h = H, .in_w = W, .in_c = C, .out_c = O, .kh = 3,
		.kw = 3, .pad_top = 1, .pad_bottom = 1, .pad_left = 1, .pad_right = 1,
		.in_zero_point = 3, .out_zero_point = -2, .relu = true,
	};
	struct rnpu_eltwise_params ep = { .dtype = RNPU_DT_INT8, .kind = RNPU_ELTWISE_ADD,
					  .count = sizeof(ch->b_native) };
	struct rnpu_pool2d_params pp = { .dtype = RNPU_DT_INT8, .kind = RNPU_POOL2D_MAX,
					 .in_h = OH, .in_w = OW, .c = O, .kh = PK, .kw = PK };
	struct ref_conv_shape s = { .c = C, .h = H, .w = W, .o = O, .kh = 3, .kw = 3, .sy = 1,
				    .sx = 1, .dy = 1, .dx = 1, .pt = 1, .pl = 1, .oh = OH,
				    .ow = OW };
	struct ref_pool_shape ps = { .c = O, .h = OH, .w = OW, .kh = PK, .kw = PK, .sy = PK,
				     .sx = PK, .oh = PH, .ow = PW };
	static int32_t x32[C * H * W], w32[O * C * 9], sum32[O * OH * OW];
	static int64_t acc[O * OH * OW], pooled[O * PH * PW];

	ref_rng_seed(&r, seed);
	ref_fill_i8(&r, ch->x, sizeof(ch->x), -128, 127);
	ref_fill_i8(&r, ch->w, sizeof(ch->w), -128, 127);
	ref_fill_i8(&r, ch->b_native, sizeof(ch->b_native), -128, 127);
	for (int o = 0; o < O; o++) {
		ch->bias[o] = ref_rng_range(&r, -3000, 3000);
		ch->mult[o] = (int16_t)ref_rng_range(&r, 16384, 32767);
		ch->shift[o] = 22;
	}
	cp.weights = ch->w;
	cp.bias = ch->bias;
	cp.multiplier = ch->mult;
	cp.shift = ch->shift;

	/* Reference: NCHW (x - zp) with zero padding, requantised as
	 * documented, plus b (given in native order: (c, y, x) at
	 * ((c / 16) * OH * OW + y * OW + x) * 16 + c % 16), then max pool. */
	for (int c = 0; c < C; c++)
		for (int y = 0; y < H; y++)
			for (int xx = 0; xx < W; xx++)
				x32[(c * H + y) * W + xx] = ch->x[(y * W + xx) * C + c] - 3;
	for (int o = 0; o < O; o++)
		for (int c = 0; c < C; c++)
			for (int k = 0; k < 9; k++)
				w32[(o * C + c) * 9 + k] = ch->w[(o * 9 + k) * C + c];
	ref_conv2d_i64(&s, x32, w32, 0, acc);
	for (int o = 0; o < O; o++)
		for (int i = 0; i < OH * OW; i++) {
			int64_t t = ref_sat_bits(acc[o * OH * OW + i] + ch->bias[o], 32);
			int64_t b = ch->b_native[((o / 16) * OH * OW + i) * 16 + o % 16];

			t = ref_sat_bits(ref_rshift_round(t * ch->mult[o], ch->shift[o],
							  REF_ROUND_HALF_UP),
					 32);
			t = t < 0 ? 0 : t;
			t = ref_sat_bits(t - 2, 8);
			sum32[o * OH * OW + i] = (int32_t)ref_sat_bits(t + b, 8);
		}
	ref_pool2d_i64(&ps, REF_POOL_MAX, sum32, -128, pooled);
	for (int o = 0; o < O; o++)
		for (int i = 0; i < PH * PW; i++)
			ch->want[i * O + o] = (int8_t)pooled[o * PH * PW + i];

	assert_int_equal(rnpu_conv2d_create(g_dev, &cp, &ch->conv), 0);
	assert_int_equal(rnpu_eltwise_create(g_dev, &ep, &ch->add), 0);
	assert_int_equal(rnpu_pool2d_create(g_dev, &pp, &ch->pool), 0);
	assert_int_equal(rnpu_op_bind_input(ch->add, 0, rnpu_op_output_bo(ch->conv)), 0);
	assert_int_equal(rnpu_op_bind_input(ch->pool, 0, rnpu_op_output_bo(ch->add)), 0);
	assert_int_equal(rnpu_op_set_input(ch->conv, 0, ch->x), 0);
	assert_int_equal(rnpu_op_set_input(ch->add, 1, ch->b_native), 0);
}

static void chain_check(struct chain *ch)
{
	int8_t got[PH * PW * O];

	assert_int_equal(rnpu_op_get_output(ch->pool, got), 0);
	for (size_t i = 0; i < sizeof(got); i++)
		if (got[i] != ch->want[i])
			fail_msg("pooled[%zu] = %d, want %d", i, got[i], ch->want[i]);
}

static void chain_free(struct chain *ch)
{
	/* The consumers first: they borrow the producers' buffers. */
	rnpu_op_destroy(ch->pool);
	rnpu_op_destroy(ch->add);
	rnpu_op_destroy(ch->conv);
}

static void test_chain_behind_gate(void **state)
{
	int fds = count_fds();
	struct chain *ch = calloc(1, sizeof(*ch));
	struct gate g;
	int f1, f2, f3;

	(void)state;
	assert_int_equal(rnpu_open("sim", &g_dev), 0);
	assert_non_null(ch);
	chain_make(ch, 0xa5c1);
	gate_make(&g);
	/* Every call returns while the gate is closed. */
	assert_int_equal(rnpu_op_run_after(ch->conv, RKNPU_CORE_AUTO_MASK, g.wait_fd, &f1), 0);
	assert_int_equal(rnpu_op_run_after(ch->add, RKNPU_CORE_AUTO_MASK, f1, &f2), 0);
	assert_int_equal(rnpu_op_run_after(ch->pool, 0x7, f2, &f3), 0);
	assert_int_equal(rnpu_fence_wait(f1, 0), -EAGAIN);
	assert_int_equal(rnpu_fence_wait(f2, 0), -EAGAIN);
	assert_int_equal(rnpu_fence_wait(f3, 0), -EAGAIN);
	gate_open(&g, 0);
	assert_int_equal(rnpu_fence_wait(f3, 60000), 0);
	assert_int_equal(rnpu_fence_wait(f1, 0), 0);
	assert_int_equal(rnpu_fence_wait(f2, 0), 0);
	chain_check(ch);
	/* Again without a gate, from fresh buffers: whichever fence has
	 * signalled by the time of the next call is an ordinary async run. */
	for (int i = 0; i < 3; i++) {
		struct rnpu_op *op = i == 0 ? ch->conv : i == 1 ? ch->add : ch->pool;
		void *map;

		assert_int_equal(rnpu_bo_map(rnpu_op_output_bo(op), &map), 0);
		memset(map, 0x55, rnpu_bo_size(rnpu_op_output_bo(op)));
	}
	close(f1);
	close(f2);
	close(f3);
	assert_int_equal(rnpu_op_run_after(ch->conv, RKNPU_CORE_AUTO_MASK, -1, &f1), 0);
	assert_int_equal(rnpu_op_run_after(ch->add, RKNPU_CORE_AUTO_MASK, f1, &f2), 0);
	assert_int_equal(rnpu_op_run_after(ch->pool, RKNPU_CORE_AUTO_MASK, f2, &f3), 0);
	assert_int_equal(rnpu_fence_wait(f3, 60000), 0);
	chain_check(ch);
	close(f1);
	close(f2);
	close(f3);
	close(g.wait_fd);
	chain_free(ch);
	free(ch);
	rnpu_close(g_dev);
	assert_int_equal(count_fds(), fds);
}

/* A failing gate fails every run of the chain with its error; a gate
 * whose producer goes away fails it with -ECANCELED. The pool's output
 * keeps what it held. */
static void test_failed_input(void **state)
{
	int fds = count_fds();
	struct chain *ch = calloc(1, sizeof(*ch));
	int8_t before[PH * PW * O], after[PH * PW * O];

	(void)state;
	assert_int_equal(rnpu_open("sim", &g_dev), 0);
	assert_non_null(ch);
	chain_make(ch, 0x7e57);
	assert_int_equal(rnpu_op_get_output(ch->pool, before), 0);
	for (int mode = 0; mode < 2; mode++) {
		struct gate g;
		int f1, f2, f3;
		int want = mode == 0 ? -EIO : -ECANCELED;

		gate_make(&g);
		assert_int_equal(rnpu_op_run_after(ch->conv, 0, g.wait_fd, &f1), 0);
		assert_int_equal(rnpu_op_run_after(ch->add, 0, f1, &f2), 0);
		assert_int_equal(rnpu_op_run_after(ch->pool, 0, f2, &f3), 0);
		if (mode == 0) {
			gate_open(&g, -EIO);
		} else {
			close(g.signal_fd); /* no status: the producer went away */
		}
		assert_int_equal(rnpu_fence_wait(f3, 60000), want);
		assert_int_equal(rnpu_fence_wait(f1, 0), want);
		assert_int_equal(rnpu_fence_wait(f2, 0), want);
		/* Known failed at call time: refused at once. */
		assert_int_equal(rnpu_op_run_after(ch->pool, 0, f2, &f3), want);
		assert_non_null(strstr(rnpu_last_error(g_dev), "input fence"));
		close(f1);
		close(f2);
		close(f3);
		close(g.wait_fd);
	}
	assert_int_equal(rnpu_op_get_output(ch->pool, after), 0);
	assert_memory_equal(before, after, sizeof(before));
	chain_free(ch);
	free(ch);
	rnpu_close(g_dev);
	assert_int_equal(count_fds(), fds);
}

static void test_bad_args(void **state)
{
	int fds = count_fds();
	struct chain *ch = calloc(1, sizeof(*ch));
	int f = -1, closed_fd;

	(void)state;
	assert_int_equal(rnpu_open("sim", &g_dev), 0);
	assert_non_null(ch);
	chain_make(ch, 1);
	closed_fd = dup(0);
	close(closed_fd);
	assert_int_equal(rnpu_op_run_after(ch->conv, 0, closed_fd, &f), -EBADF);
	assert_non_null(strstr(rnpu_last_error(g_dev), "not an open fd"));
	assert_int_equal(rnpu_op_run_after(ch->conv, 0, -1, NULL), -EINVAL);
	assert_int_equal(rnpu_op_run_after(NULL, 0, -1, &f), -EINVAL);
	assert_int_equal(rnpu_op_run_after(ch->conv, 0x10, -1, &f), -EINVAL);
	/* -1: no input fence, runs at once. */
	assert_int_equal(rnpu_op_run_after(ch->conv, 0, -1, &f), 0);
	assert_int_equal(rnpu_fence_wait(f, 60000), 0);
	close(f);
	chain_free(ch);
	free(ch);
	rnpu_close(g_dev);
	assert_int_equal(count_fds(), fds);
}

/* Destroyed while its run still waits: destroy waits for the run to end
 * (here the gate's producer goes away from another thread's point of
 * view: closed before destroy) and frees everything. */
static void test_destroy_pending(void **state)
{
	int fds = count_fds();
	struct chain *ch = calloc(1, sizeof(*ch));
	struct gate g;
	int f1;

	(void)state;
	assert_int_equal(rnpu_open("sim", &g_dev), 0);
	assert_non_null(ch);
	chain_make(ch, 2);
	gate_make(&g);
	assert_int_equal(rnpu_op_run_after(ch->conv, 0, g.wait_fd, &f1), 0);
	gate_open(&g, 0);
	chain_free(ch); /* joins the run, whichever way it went */
	assert_int_equal(rnpu_fence_wait(f1, 60000), 0);
	close(f1);
	close(g.wait_fd);
	free(ch);
	rnpu_close(g_dev);
	assert_int_equal(count_fds(), fds);
}

/* The in-process host's shared memory appears with its first session
 * and stays: made before the first count. */
static int setup(void **state)
{
	struct rnpu_bo *bo;
	int ret;

	(void)state;
	ret = rnpu_open("sim", &g_dev);
	if (!ret)
		ret = rnpu_bo_create(g_dev, 64, 0, &bo);
	if (!ret)
		rnpu_bo_free(bo);
	rnpu_close(g_dev);
	return ret;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_behind_gate),
		cmocka_unit_test(test_failed_input),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_destroy_pending),
	};

	return cmocka_run_group_tests_name("ops-async", tests, setup, NULL);
}
