// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The SIMD int8 MAC kernel against the plain C loop it replaces: the same
 * streams run with each datapath must write identical bytes, and both must
 * equal a dot product computed here. Skipped on hosts without a SIMD kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rk3588_regs.h"
#include "rk3588_sim.h"
#include "sim_test_bus.h"
#include "sim_test_stream.h"

#define MEM_SIZE (16u << 20)

static uint32_t run(struct fake_bus *fb, struct rk3588_sim *sim, struct conv_desc *d,
		    enum rk3588_sim_datapath dp)
{
	uint64_t w[256];
	size_t n = conv_body(w, d);
	uint32_t addr, raw;

	n += task_tail(w + n, 0, 0, CONV_OP_EN);
	addr = fb_alloc(fb, n * 8, 64);
	fb_put_words(fb, addr, w, n);
	memset(fb_ptr(fb, d->out), 0xa5, conv_out_bytes(d));
	rk3588_sim_set_datapath(sim, dp);
	test_commit(sim, 0, addr, amount_for(n), 1, 0x3300);
	rk3588_sim_wait_idle(sim, 0);
	raw = rk3588_sim_mmio_read(sim, 0, REG_PC_INTERRUPT_RAW_STATUS);
	rk3588_sim_mmio_write(sim, 0, REG_PC_INTERRUPT_CLEAR, RK3588_INT_ALL);
	return raw & 0x3300;
}

static void test_fast_equals_plain(void **state)
{
	/* Channel counts around the 16-lane step, kernel counts around the
	 * 4-kernel block, extreme values included. */
	static const unsigned int chans[] = { 16, 32, 48, 64, 112, 256, 4096 };
	static const unsigned int kerns[] = { 1, 3, 4, 5, 33 };
	struct fake_bus fb;
	struct rk3588_sim *sim;
	uint32_t seed = 0xfa57;

	(void)state;
	if (!rk3588_sim_fast_datapath_available())
		skip();
	fb_init(&fb, MEM_SIZE);
	assert_non_null(fb.mem);
	sim = test_sim_create(&fb, false, 1);
	assert_non_null(sim);
	for (size_t ci = 0; ci < sizeof(chans) / sizeof(chans[0]); ci++)
		for (size_t ki = 0; ki < sizeof(kerns) / sizeof(kerns[0]); ki++) {
			/* Wide kernels only where a kernel group fits the CBUF. */
			unsigned int kw = chans[ci] > 256 ? 1 : 3;
			struct conv_desc d = {
				.out_prec = TP_INT32, .w = 3, .h = 2, .c = chans[ci], .kw = kw,
				.kh = 1, .n = kerns[ki], .sx = 1, .sy = 1, .pad_l = kw / 2,
				.pad_value = 0x80, .out_w = 3, .out_h = 2,
			};
			size_t nx = (size_t)d.w * d.h * d.c, nw = (size_t)d.n * d.kw * d.c;
			int8_t *x = malloc(nx), *wt = malloc(nw);
			uint8_t *plain;
			size_t ob = conv_out_bytes(&d);

			assert_non_null(x);
			assert_non_null(wt);
			for (size_t i = 0; i < nx; i++)
				x[i] = (i % 7 == 0) ? -128 : (int8_t)test_rand(&seed);
			for (size_t i = 0; i < nw; i++)
				wt[i] = (i % 5 == 0) ? -128 : (int8_t)test_rand(&seed);
			fb.next = FB_BASE;
			d.in = fb_alloc(&fb, conv_in_bytes(&d), 64);
			d.wt = fb_alloc(&fb, conv_wt_bytes(&d), 64);
			d.out = fb_alloc(&fb, ob, 64);
			pack_input(&d, x, fb_ptr(&fb, d.in));
			pack_weights(&d, wt, fb_ptr(&fb, d.wt));
			plain = malloc(ob);
			assert_non_null(plain);
			assert_int_equal(run(&fb, sim, &d, RK3588_SIM_DATAPATH_PLAIN), 0x100);
			memcpy(plain, fb_ptr(&fb, d.out), ob);
			assert_int_equal(run(&fb, sim, &d, RK3588_SIM_DATAPATH_FAST), 0x100);
			assert_memory_equal(plain, fb_ptr(&fb, d.out), ob);

			/* Both against the definition (pad value -128 outside). */
			for (unsigned int oc = 0; oc < d.n; oc++)
				for (unsigned int oy = 0; oy < d.out_h; oy++)
					for (unsigned int ox = 0; ox < d.out_w; ox++) {
						int64_t s = 0;
						const uint8_t *q = plain + out_index(&d, oc, oy, ox) * 4;

						for (unsigned int kx = 0; kx < d.kw; kx++) {
							int ix = (int)ox + (int)kx - (int)(kw / 2);

							for (unsigned int ch = 0; ch < d.c; ch++) {
								int v = ix < 0 || ix >= (int)d.w
										? -128
										: x[((size_t)oy * d.w + ix) *
											    d.c +
										    ch];

								s += (int64_t)v *
								     wt[((size_t)oc * d.kw + kx) * d.c + ch];
							}
						}
						assert_int_equal((int32_t)((uint32_t)q[0] |
									   (uint32_t)q[1] << 8 |
									   (uint32_t)q[2] << 16 |
									   (uint32_t)q[3] << 24),
								 s);
					}
			free(plain);
			free(x);
			free(wt);
		}
	rk3588_sim_destroy(sim);
	fb_fini(&fb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_equals_plain),
	};

	return cmocka_run_group_tests_name("sim-fastpath", tests, NULL, NULL);
}
