// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Throughput of the software NPU's plain C datapath on the benchmark shape:
 * int8 256x4096x4096 as four chained M=64 tasks (each fits the CBUF: 8 data
 * banks for 64 rows of 4096 channels, 4 weight banks for 32 kernels). A
 * sample of outputs is checked against a plain dot product. Long test only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "rk3588_regs.h"
#include "rk3588_sim.h"
#include "sim_test_bus.h"
#include "sim_test_stream.h"

#define MM 256u
#define KK 4096u
#define NN 4096u
#define TILE 64u
#define TASKS (MM / TILE)
#define SAMPLES 256u

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void test_int8_256x4096x4096(void **state)
{
	struct fake_bus fb;
	struct rk3588_sim *sim;
	struct conv_desc d[TASKS];
	int8_t *a = malloc((size_t)MM * KK), *b = malloc((size_t)NN * KK);
	uint64_t w[TASKS][256];
	size_t n[TASKS];
	uint32_t addr[TASKS], amount[TASKS], seed = 5;
	uint32_t wt;
	double t0, t1;
	struct rk3588_sim_core_stats st;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	fb_init(&fb, 64u << 20);
	assert_non_null(fb.mem);
	sim = test_sim_create(&fb, false, 1);
	assert_non_null(sim);

	for (size_t i = 0; i < (size_t)MM * KK; i++)
		a[i] = (int8_t)test_rand(&seed);
	for (size_t i = 0; i < (size_t)NN * KK; i++)
		b[i] = (int8_t)test_rand(&seed);

	for (unsigned int t = 0; t < TASKS; t++) {
		d[t] = (struct conv_desc){
			.out_prec = TP_INT32, .w = 1, .h = TILE, .c = KK, .kw = 1, .kh = 1,
			.n = NN, .sx = 1, .sy = 1, .out_w = 1, .out_h = TILE,
		};
		d[t].in = fb_alloc(&fb, conv_in_bytes(&d[t]), 64);
		d[t].out = fb_alloc(&fb, conv_out_bytes(&d[t]), 64);
		pack_input(&d[t], a + (size_t)t * TILE * KK, fb_ptr(&fb, d[t].in));
	}
	wt = fb_alloc(&fb, conv_wt_bytes(&d[0]), 64);
	pack_weights(&d[0], b, fb_ptr(&fb, wt));
	for (unsigned int t = 0; t < TASKS; t++) {
		d[t].wt = wt;
		n[t] = conv_body(w[t], &d[t]);
		amount[t] = amount_for(n[t] + TAIL_WORDS);
		addr[t] = fb_alloc(&fb, 16 * ((size_t)amount[t] + 1), 64);
	}
	for (unsigned int t = 0; t < TASKS; t++) {
		bool last = t + 1 == TASKS;
		size_t m = n[t] + task_tail(w[t] + n[t], last ? 0 : addr[t + 1],
					    last ? 0 : amount[t + 1], CONV_OP_EN);

		fb_put_words(&fb, addr[t], w[t], m);
	}

	t0 = now();
	test_commit(sim, 0, addr[0], amount[0], TASKS, 0x300);
	rk3588_sim_wait_idle(sim, 0);
	t1 = now();
	assert_int_equal(rk3588_sim_mmio_read(sim, 0, REG_PC_INTERRUPT_STATUS), 0x100);

	for (unsigned int s = 0; s < SAMPLES; s++) {
		unsigned int r = test_rand(&seed) % MM, col = test_rand(&seed) % NN;
		unsigned int t = r / TILE;
		const uint8_t *q = (const uint8_t *)fb_ptr(&fb, d[t].out) +
				   out_index(&d[t], col, r % TILE, 0) * 4;
		int32_t want = 0;

		for (unsigned int k = 0; k < KK; k++)
			want += a[(size_t)r * KK + k] * b[(size_t)col * KK + k];
		assert_int_equal((int32_t)((uint32_t)q[0] | (uint32_t)q[1] << 8 |
					   (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24),
				 want);
	}
	rk3588_sim_get_stats(sim, 0, &st);
	printf("# int8 %ux%ux%u in %u tasks: %.3f s host, %.2f GMAC/s; model %llu cycles"
	       " (%.3f ms at 1 GHz)\n",
	       MM, KK, NN, TASKS, t1 - t0, (double)MM * KK * NN / (t1 - t0) * 1e-9,
	       (unsigned long long)st.total_cycles, (double)st.total_cycles * 1e-6);

	rk3588_sim_destroy(sim);
	fb_fini(&fb);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int8_256x4096x4096),
	};

	return cmocka_run_group_tests_name("sim-speed", tests, NULL, NULL);
}
