// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The timing model against the only public RK3588 timings: an int8 matmul
 * M=512 K=2048 N=2048 (about 5.1 ms on one core, 2.8 ms on three) and one
 * fp16 64x256x256 matmul task (hw_elapse_time about 121 us). The task lists
 * are tiled the way the library tiles matmuls (rows only, every kernel in
 * each task); the model's estimate must stay within the error documented in
 * docs/sim.md. Data are zeros: only the estimate matters here.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "rk3588_regs.h"
#include "rk3588_sim.h"
#include "sim_test_bus.h"
#include "sim_test_stream.h"

#define MEM_SIZE (48u << 20)
#define MAX_TASKS 8u
/* Largest error allowed against each published time. */
#define TOLERANCE 0.10

/* Model time in ns of a row-tiled matmul list of @tiles tasks of @rows
 * each (the last gets the rest), all on core 0. */
static double model_ns(bool fp16, unsigned int m, unsigned int k, unsigned int n,
		       unsigned int rows, unsigned int first, unsigned int count)
{
	struct fake_bus fb;
	struct rk3588_sim *sim;
	uint64_t w[MAX_TASKS][256];
	uint32_t addr[MAX_TASKS], amount[MAX_TASKS];
	size_t cnt[MAX_TASKS];
	struct conv_desc d = {
		.fp16 = fp16, .out_prec = fp16 ? TP_FP32 : TP_INT32, .w = 1, .c = k, .kw = 1,
		.kh = 1, .n = n, .sx = 1, .sy = 1, .out_w = 1, .in_surf_h = m, .out_surf_h = m,
	};
	struct rk3588_sim_core_stats s0, s1;
	uint32_t in, out;
	double ns;

	fb_init(&fb, MEM_SIZE);
	assert_non_null(fb.mem);
	sim = test_sim_create(&fb, false, 1);
	assert_non_null(sim);
	in = fb_alloc(&fb, (size_t)m * k * (fp16 ? 2 : 1), 64);
	out = fb_alloc(&fb, (size_t)m * n * 4, 64);
	d.wt = fb_alloc(&fb, (size_t)k * n * (fp16 ? 2 : 1), 64);
	assert_true(count <= MAX_TASKS);
	for (unsigned int i = 0; i < count; i++) {
		unsigned int m0 = (first + i) * rows;
		struct conv_desc t = d;

		t.h = t.out_h = m - m0 < rows ? m - m0 : rows;
		t.in = in + 16u * m0;
		t.out = out + 16u * m0;
		cnt[i] = conv_body(w[i], &t);
		amount[i] = amount_for(cnt[i] + TAIL_WORDS);
		addr[i] = fb_alloc(&fb, 16 * ((size_t)amount[i] + 1), 64);
	}
	for (unsigned int i = 0; i < count; i++) {
		bool last = i + 1 == count;

		cnt[i] += task_tail(w[i] + cnt[i], last ? 0 : addr[i + 1], last ? 0 : amount[i + 1],
				    CONV_OP_EN);
		fb_put_words(&fb, addr[i], w[i], cnt[i]);
	}
	rk3588_sim_get_stats(sim, 0, &s0);
	test_commit(sim, 0, addr[0], amount[0], count, 0x300);
	rk3588_sim_wait_idle(sim, 0);
	assert_int_equal(rk3588_sim_mmio_read(sim, 0, REG_PC_INTERRUPT_STATUS), 0x100);
	rk3588_sim_get_stats(sim, 0, &s1);
	ns = (double)rk3588_sim_cycles_to_ns(sim, s1.total_cycles - s0.total_cycles);
	rk3588_sim_destroy(sim);
	fb_fini(&fb);
	return ns;
}

static void check(const char *what, double model, double published)
{
	double err = (model - published) / published;

	print_message("# %s: model %.1f us, published %.1f us, error %+.1f%%\n", what, model * 1e-3,
		      published * 1e-3, err * 100.0);
	assert_true(fabs(err) <= TOLERANCE);
}

/* int8 K=2048 leaves 10 data banks: 160 rows per task, tasks of 160, 160,
 * 160 and 32 rows. */
static void test_int8_512x2048x2048_one_core(void **state)
{
	(void)state;
	check("int8 512x2048x2048, one core", model_ns(false, 512, 2048, 2048, 160, 0, 4), 5.1e6);
}

/* Three cores share the four tasks 2/1/1; the busiest core sets the time. */
static void test_int8_512x2048x2048_three_cores(void **state)
{
	(void)state;
	check("int8 512x2048x2048, three cores", model_ns(false, 512, 2048, 2048, 160, 0, 2),
	      2.8e6);
}

static void test_fp16_64x256x256_task(void **state)
{
	(void)state;
	check("fp16 64x256x256, one task", model_ns(true, 64, 256, 256, 64, 0, 1), 121e3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int8_512x2048x2048_one_core),
		cmocka_unit_test(test_int8_512x2048x2048_three_cores),
		cmocka_unit_test(test_fp16_64x256x256_task),
	};

	return cmocka_run_group_tests_name("sim-timing", tests, NULL, NULL);
}
