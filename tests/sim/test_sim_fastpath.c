// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The fast MAC datapath (SIMD tile kernels, int8 and fp16) against the
 * plain C loops it replaces: the same streams run with each datapath must
 * write identical bytes, and both must equal a convolution computed here
 * (exactly for int8, within the binary32 summation bound for fp16).
 * Skipped on hosts without a SIMD kernel.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>
#include <cmocka.h>

#include "rk3588_regs.h"
#include "rk3588_sim.h"
#include "sim_test_bus.h"
#include "sim_test_stream.h"

#define MEM_SIZE (16u << 20)

/* Host threads for the fast datapath (the threaded build of this test
 * runs in the concurrency suite, under ThreadSanitizer in CI). */
#ifndef FASTPATH_MAC_THREADS
#define FASTPATH_MAC_THREADS 1
#endif

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
	if ((raw & 0x3300) != 0x100) {
		char msg[256];

		if (rk3588_sim_last_error(sim, 0, msg, sizeof(msg)))
			print_message("# refused: %s\n", msg);
	}
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

/* ---- convolutions: shapes around every edge of the tile kernels ------- */

/* A convolution shape; the name is how a failure reports it. */
struct conv_shape {
	const char *name;
	unsigned int w, h, c, kw, kh, n, sx, sy, pad, dil;
};

/* Channel counts around the 16/32-channel steps and blocks (3, 17, 40, 48),
 * kernel counts around the 2-kernel tile and the 32/16-kernel groups, pixel
 * counts that leave partial 6-pixel tiles, stride, padding and dilation. */
static const struct conv_shape shapes[] = {
	{ "in_9x7x64.k3.s1.p1.out_64", 9, 7, 64, 3, 3, 64, 1, 1, 1, 1 },
	{ "in_11x9x3.k3.s2.p1.out_16", 11, 9, 3, 3, 3, 16, 2, 2, 1, 1 },
	{ "in_6x5x40.k3.s1.p0.out_7", 6, 5, 40, 3, 3, 7, 1, 1, 0, 1 },
	{ "in_7x3x48.k1.s1.p0.out_33", 7, 3, 48, 1, 1, 33, 1, 1, 0, 1 },
	{ "in_9x8x17.k5x3.s1.p2.d2.out_35", 9, 8, 17, 5, 3, 35, 1, 1, 2, 2 },
	{ "in_4x4x96.k2.s2.p0.out_1", 4, 4, 96, 2, 2, 1, 2, 2, 0, 1 },
	{ "in_1x13x80.k1.s1.p0.out_50", 1, 13, 80, 1, 1, 50, 1, 1, 0, 1 },
	/* One output pixel; pixel counts one past and exactly at whole
	 * 6-pixel tiles; single and odd channel counts (only the 64-bit
	 * tail; a 16-channel step and a tail; a partial block after full
	 * ones); stride 2 with padding on odd sizes. */
	{ "in_1x1x64.k1.s1.p0.out_40", 1, 1, 64, 1, 1, 40, 1, 1, 0, 1 },
	{ "in_3x3x5.k3.s1.p0.out_9", 3, 3, 5, 3, 3, 9, 1, 1, 0, 1 },
	{ "in_7x1x33.k1.s1.p0.out_3", 7, 1, 33, 1, 1, 3, 1, 1, 0, 1 },
	{ "in_12x1x16.k1.s1.p0.out_2", 12, 1, 16, 1, 1, 2, 1, 1, 0, 1 },
	{ "in_5x5x1.k3.s1.p1.out_5", 5, 5, 1, 3, 3, 5, 1, 1, 1, 1 },
	{ "in_13x7x47.k3.s2.p1.out_19", 13, 7, 47, 3, 3, 19, 2, 2, 1, 1 },
	{ "in_5x3x1400.k1.s1.p0.out_3", 5, 3, 1400, 1, 1, 3, 1, 1, 0, 1 },
	{ "in_17x9x8.k2x3.s2x1.p1.out_31", 17, 9, 8, 2, 3, 31, 2, 1, 1, 1 },
	/* The fp16 tiles' channel chunks (8 blocks), kernel blocks (32) and
	 * pixel groups (6 tiles): several taps over two chunks, the second
	 * ending in a partial block, with a partial kernel block; 37 pixels
	 * (one past six whole tiles); tiles of two and three pixels. */
	{ "in_5x4x300.k3.s1.p1.out_37", 5, 4, 300, 3, 3, 37, 1, 1, 1, 1 },
	{ "in_37x1x24.k1.s1.p0.out_4", 37, 1, 24, 1, 1, 4, 1, 1, 0, 1 },
	{ "in_2x1x264.k1.s1.p0.out_6", 2, 1, 264, 1, 1, 6, 1, 1, 0, 1 },
	{ "in_3x1x7.k1.s1.p0.out_34", 3, 1, 7, 1, 1, 34, 1, 1, 0, 1 },
	/* fp16: seven tiles (a group of six, each after the first reading
	 * the weights the first converted, then one alone), whose last chunk
	 * is only a partial block of six channels: no whole 8-channel step,
	 * only the masked one. */
	{ "in_7x6x1030.k1.s1.p0.out_9", 7, 6, 1030, 1, 1, 9, 1, 1, 0, 1 },
	/* Large enough (10M MACs) to be split over MAC threads, in uneven
	 * shares with a partial last kernel block. */
	{ "in_1x40x1024.k1.s1.p0.out_255", 1, 40, 1024, 1, 1, 255, 1, 1, 0, 1 },
};

static unsigned int out_size(unsigned int in, unsigned int k, unsigned int s, unsigned int pad,
			     unsigned int dil)
{
	return (in + 2 * pad - (k - 1) * dil - 1) / s + 1;
}

/* binary16 bits to double, written out from the format. */
static double half_value(uint16_t h)
{
	int e = (h >> 10) & 0x1f;
	double m = h & 0x3ff, v = e ? ldexp(1024 + m, e - 25) : ldexp(m, -24);

	return h & 0x8000 ? -v : v;
}

/* Random binary16 values in [2^-6, 2^5) in magnitude, with some zeros and
 * subnormals: sums that round at every step. */
static uint16_t random_half(uint32_t *seed)
{
	uint32_t r = test_rand(seed);

	if (r % 23 == 0)
		return (uint16_t)(r & 0x83ff & ~0x7c00u); /* zero or subnormal */
	return (uint16_t)((r & 0x8000) | ((9 + (r >> 16) % 11) << 10) | ((r >> 4) & 0x3ff));
}

static uint32_t le32(const uint8_t *q)
{
	return (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
}

static void run_shape(struct fake_bus *fb, struct rk3588_sim *sim, const struct conv_shape *sh,
		      bool fp16, uint32_t *seed)
{
	unsigned int eb = fp16 ? 2 : 1;
	struct conv_desc d = {
		.fp16 = fp16, .out_prec = fp16 ? TP_FP32 : TP_INT32, .w = sh->w, .h = sh->h,
		.c = sh->c, .kw = sh->kw, .kh = sh->kh, .n = sh->n, .sx = sh->sx, .sy = sh->sy,
		.pad_l = sh->pad, .pad_t = sh->pad, .pad_value = 0, .dx = sh->dil, .dy = sh->dil,
		.out_w = out_size(sh->w, sh->kw, sh->sx, sh->pad, sh->dil),
		.out_h = out_size(sh->h, sh->kh, sh->sy, sh->pad, sh->dil),
	};
	size_t nx = (size_t)d.w * d.h * d.c, nw = (size_t)d.n * d.kh * d.kw * d.c;
	uint8_t *x = malloc(nx * eb), *wt = malloc(nw * eb), *plain;
	size_t ob = conv_out_bytes(&d);

	print_message("# %s.%s\n", fp16 ? "fp16" : "int8", sh->name);
	assert_non_null(x);
	assert_non_null(wt);
	for (size_t i = 0; i < nx; i++) {
		if (fp16) {
			uint16_t h = random_half(seed);

			memcpy(x + 2 * i, &h, 2);
		} else {
			x[i] = (uint8_t)(i % 11 == 0 ? 0x80 : test_rand(seed));
		}
	}
	for (size_t i = 0; i < nw; i++) {
		if (fp16) {
			uint16_t h = random_half(seed);

			memcpy(wt + 2 * i, &h, 2);
		} else {
			wt[i] = (uint8_t)(i % 13 == 0 ? 0x80 : test_rand(seed));
		}
	}
	fb->next = FB_BASE;
	d.in = fb_alloc(fb, conv_in_bytes(&d), 64);
	d.wt = fb_alloc(fb, conv_wt_bytes(&d), 64);
	d.out = fb_alloc(fb, ob, 64);
	pack_input(&d, x, fb_ptr(fb, d.in));
	pack_weights(&d, wt, fb_ptr(fb, d.wt));
	plain = malloc(ob);
	assert_non_null(plain);
	assert_int_equal(run(fb, sim, &d, RK3588_SIM_DATAPATH_PLAIN), 0x100);
	memcpy(plain, fb_ptr(fb, d.out), ob);
	assert_int_equal(run(fb, sim, &d, RK3588_SIM_DATAPATH_FAST), 0x100);
	assert_memory_equal(plain, fb_ptr(fb, d.out), ob);

	/* Both against the definition; padding reads 0. */
	for (unsigned int oc = 0; oc < d.n; oc++)
		for (unsigned int oy = 0; oy < d.out_h; oy++)
			for (unsigned int ox = 0; ox < d.out_w; ox++) {
				int64_t si = 0;
				double sf = 0, mag = 0;
				uint32_t got = le32(plain + out_index(&d, oc, oy, ox) * 4);

				for (unsigned int ky = 0; ky < d.kh; ky++)
					for (unsigned int kx = 0; kx < d.kw; kx++) {
						int iy = (int)(oy * d.sy + ky * sh->dil) - (int)sh->pad;
						int ix = (int)(ox * d.sx + kx * sh->dil) - (int)sh->pad;

						if (iy < 0 || iy >= (int)d.h || ix < 0 || ix >= (int)d.w)
							continue;
						for (unsigned int ch = 0; ch < d.c; ch++) {
							size_t xi = ((size_t)iy * d.w + ix) * d.c + ch;
							size_t wi = (((size_t)oc * d.kh + ky) * d.kw + kx) *
									    d.c +
								    ch;

							if (fp16) {
								uint16_t hx, hw;
								double p;

								memcpy(&hx, x + 2 * xi, 2);
								memcpy(&hw, wt + 2 * wi, 2);
								p = half_value(hx) * half_value(hw);
								sf += p;
								mag += fabs(p);
							} else {
								si += (int64_t)(int8_t)x[xi] * (int8_t)wt[wi];
							}
						}
					}
				if (fp16) {
					float f;
					double k = (double)d.kh * d.kw * d.c;

					memcpy(&f, &got, 4);
					assert_true(fabs(f - sf) <= 2 * k * ldexp(mag, -24) + 1e-30);
				} else {
					assert_int_equal((int32_t)got, si);
				}
			}
	free(plain);
	free(x);
	free(wt);
}

/* @copied: the bus refuses in-place reads, so the fast datapath copies the
 * weights (int8: all at once; fp16: a kernel block at a time). Otherwise
 * it must have read them in place, and released every mapping. */
static void shapes_case(bool fp16, bool copied)
{
	struct fake_bus fb;
	struct rk3588_sim *sim;
	uint32_t seed = fp16 ? 0xf16u : 0x1a7u;

	if (!rk3588_sim_fast_datapath_available())
		skip();
	fb_init(&fb, MEM_SIZE);
	assert_non_null(fb.mem);
	fb.no_map = copied;
	sim = test_sim_create(&fb, false, 1);
	assert_non_null(sim);
	rk3588_sim_set_mac_threads(sim, FASTPATH_MAC_THREADS);
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		run_shape(&fb, sim, &shapes[i], fp16, &seed);
	if (copied)
		assert_int_equal(fb.maps, 0);
	else
		assert_true(fb.maps >= sizeof(shapes) / sizeof(shapes[0]));
	assert_int_equal(fb.mapped, 0);
	rk3588_sim_destroy(sim);
	fb_fini(&fb);
}

/* ---- int8 extremes: every product at its largest magnitude ------------ */

/* Value @i of a pattern: 0 all -128, 1 all 127, 2 by channel parity. */
static int8_t extreme(unsigned int pattern, size_t i, unsigned int c)
{
	if (pattern == 0)
		return -128;
	if (pattern == 1)
		return 127;
	return (i % c) % 2 ? 127 : -128;
}

/* Features and weights (and the padding) at -128/127 only: the largest
 * products 2^14 in every lane of the tiles, sums far from int32's
 * limits only because the CBUF bounds K. With CLIP_TRUNCATE the
 * rounding of those sums is compared with the plain datapath; without,
 * both must equal the sum computed here. */
/* int4 element @i of a packed run, the even one in the high nibble
 * (docs/hw-facts-int4.md). */
static void put_nibble(uint8_t *p, size_t i, int v)
{
	if (i % 2)
		p[i / 2] = (uint8_t)((p[i / 2] & 0xf0) | (v & 0x0f));
	else
		p[i / 2] = (uint8_t)((p[i / 2] & 0x0f) | ((v & 0x0f) << 4));
}

/* int4 matmul tiles (rows as the width, int16 output): the fast datapath
 * (int4 weights widened for the int8 tiles) writes the same bytes as the
 * plain one, and both equal the saturated sums computed here. */
static void test_int4_fast_equals_plain(void **state)
{
	static const unsigned int shapes[][3] = {
		{ 1, 32, 64 }, { 7, 96, 128 }, { 13, 1024, 64 }, { 128, 256, 192 }, { 5, 4096, 64 },
	};
	struct fake_bus fb;
	struct rk3588_sim *sim;
	uint32_t seed = 0x1414;

	(void)state;
	if (!rk3588_sim_fast_datapath_available())
		skip();
	fb_init(&fb, MEM_SIZE);
	assert_non_null(fb.mem);
	sim = test_sim_create(&fb, false, 1);
	assert_non_null(sim);
	rk3588_sim_set_mac_threads(sim, FASTPATH_MAC_THREADS);
	for (size_t si = 0; si < sizeof(shapes) / sizeof(shapes[0]); si++) {
		unsigned int m = shapes[si][0], k = shapes[si][1], n = shapes[si][2];
		struct conv_desc d = { .int4 = true, .out_prec = TP_INT16, .w = m, .h = 1, .c = k,
				       .kw = 1, .kh = 1, .n = n, .sx = 1, .sy = 1, .out_w = m,
				       .out_h = 1 };
		int8_t *a = malloc((size_t)m * k), *b = malloc((size_t)k * n);
		size_t ob = conv_out_bytes(&d);
		uint8_t *plain = malloc(ob), *in, *wt;

		assert_non_null(a);
		assert_non_null(b);
		assert_non_null(plain);
		/* The last shape's sums leave int16: mostly -8 x -8. */
		for (size_t i = 0; i < (size_t)m * k; i++)
			a[i] = si == 4 ? (i % 9 ? -8 : 7) : (int8_t)((int)(test_rand(&seed) % 16) - 8);
		for (size_t i = 0; i < (size_t)k * n; i++)
			b[i] = si == 4 ? (i % 11 ? -8 : 7) : (int8_t)((int)(test_rand(&seed) % 16) - 8);
		fb.next = FB_BASE;
		d.in = fb_alloc(&fb, conv_in_bytes(&d), 64);
		d.wt = fb_alloc(&fb, conv_wt_bytes(&d), 64);
		d.out = fb_alloc(&fb, ob, 64);
		in = fb_ptr(&fb, d.in);
		wt = fb_ptr(&fb, d.wt);
		for (unsigned int i = 0; i < m; i++)
			for (unsigned int q = 0; q < k; q++)
				put_nibble(in, ((size_t)(q / 32) * m + i) * 32 + q % 32, a[i * k + q]);
		for (unsigned int j = 0; j < n; j++)
			for (unsigned int q = 0; q < k; q++)
				put_nibble(wt, (((size_t)(j / 64) * (k / 32) + q / 32) * 64 + j % 64) * 32 +
						       q % 32,
					   b[(size_t)q * n + j]);
		assert_int_equal(run(&fb, sim, &d, RK3588_SIM_DATAPATH_PLAIN), 0x100);
		memcpy(plain, fb_ptr(&fb, d.out), ob);
		assert_int_equal(run(&fb, sim, &d, RK3588_SIM_DATAPATH_FAST), 0x100);
		assert_memory_equal(plain, fb_ptr(&fb, d.out), ob);
		for (unsigned int i = 0; i < m; i++)
			for (unsigned int j = 0; j < n; j++) {
				const uint8_t *q = plain + out_index(&d, j, 0, i) * 2;
				int64_t s = 0;

				for (unsigned int c = 0; c < k; c++)
					s += a[i * k + c] * b[(size_t)c * n + j];
				s = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
				assert_int_equal((int16_t)(q[0] | q[1] << 8), s);
			}
		free(a);
		free(b);
		free(plain);
	}
	rk3588_sim_destroy(sim);
	fb_fini(&fb);
}

static void test_int8_extremes(void **state)
{
	static const struct conv_shape ext_shapes[] = {
		{ "in_3x1x4096.k1.s1.p0.out_5", 3, 1, 4096, 1, 1, 5, 1, 1, 0, 1 },
		{ "in_9x7x64.k3.s2.p1.out_35", 9, 7, 64, 3, 3, 35, 2, 2, 1, 1 },
		{ "in_7x7x47.k3.s1.p1.out_3", 7, 7, 47, 3, 3, 3, 1, 1, 1, 1 },
	};
	struct fake_bus fb;
	struct rk3588_sim *sim;

	(void)state;
	if (!rk3588_sim_fast_datapath_available())
		skip();
	fb_init(&fb, MEM_SIZE);
	assert_non_null(fb.mem);
	sim = test_sim_create(&fb, false, 1);
	assert_non_null(sim);
	rk3588_sim_set_mac_threads(sim, FASTPATH_MAC_THREADS);
	for (size_t si = 0; si < sizeof(ext_shapes) / sizeof(ext_shapes[0]); si++)
		for (unsigned int xp = 0; xp < 3; xp++)
			for (unsigned int wp = 0; wp < 3; wp++)
				for (unsigned int clip = 0; clip <= 7; clip += 7) {
					const struct conv_shape *sh = &ext_shapes[si];
					struct conv_desc d = {
						.out_prec = TP_INT32, .w = sh->w, .h = sh->h,
						.c = sh->c, .kw = sh->kw, .kh = sh->kh, .n = sh->n,
						.sx = sh->sx, .sy = sh->sy, .pad_l = sh->pad,
						.pad_t = sh->pad, .pad_value = xp == 1 ? 0x7f : 0x80,
						.clip_shift = clip,
						.out_w = out_size(sh->w, sh->kw, sh->sx, sh->pad, 1),
						.out_h = out_size(sh->h, sh->kh, sh->sy, sh->pad, 1),
					};
					size_t nx = (size_t)d.w * d.h * d.c;
					size_t nw = (size_t)d.n * d.kh * d.kw * d.c;
					int8_t *x = malloc(nx), *wt = malloc(nw);
					size_t ob = conv_out_bytes(&d);
					uint8_t *plain = malloc(ob);

					print_message("# %s x%u w%u clip %u\n", sh->name, xp, wp, clip);
					assert_non_null(x);
					assert_non_null(wt);
					assert_non_null(plain);
					for (size_t i = 0; i < nx; i++)
						x[i] = extreme(xp, i, d.c);
					for (size_t i = 0; i < nw; i++)
						wt[i] = extreme(wp, i, d.c);
					fb.next = FB_BASE;
					d.in = fb_alloc(&fb, conv_in_bytes(&d), 64);
					d.wt = fb_alloc(&fb, conv_wt_bytes(&d), 64);
					d.out = fb_alloc(&fb, ob, 64);
					pack_input(&d, x, fb_ptr(&fb, d.in));
					pack_weights(&d, wt, fb_ptr(&fb, d.wt));
					assert_int_equal(run(&fb, sim, &d, RK3588_SIM_DATAPATH_PLAIN),
							 0x100);
					memcpy(plain, fb_ptr(&fb, d.out), ob);
					assert_int_equal(run(&fb, sim, &d, RK3588_SIM_DATAPATH_FAST),
							 0x100);
					assert_memory_equal(plain, fb_ptr(&fb, d.out), ob);
					for (unsigned int oc = 0; oc < d.n && !clip; oc++)
						for (unsigned int oy = 0; oy < d.out_h; oy++)
							for (unsigned int ox = 0; ox < d.out_w; ox++) {
								int64_t sum = 0;

								for (unsigned int t = 0; t < d.kh * d.kw; t++) {
									int iy = (int)(oy * d.sy + t / d.kw) -
										 (int)sh->pad;
									int ix = (int)(ox * d.sx + t % d.kw) -
										 (int)sh->pad;
									bool in = iy >= 0 && iy < (int)d.h &&
										  ix >= 0 && ix < (int)d.w;

									for (unsigned int ch = 0; ch < d.c; ch++) {
										int v = in ? x[((size_t)iy * d.w + ix) *
												       d.c + ch]
											   : (xp == 1 ? 127 : -128);

										sum += (int64_t)v *
										       wt[((size_t)oc * d.kh * d.kw +
											   t) * d.c + ch];
									}
								}
								assert_int_equal(
									(int32_t)le32(plain +
										      out_index(&d, oc, oy,
												ox) * 4),
									sum);
							}
					free(plain);
					free(x);
					free(wt);
				}
	rk3588_sim_destroy(sim);
	fb_fini(&fb);
}

static void test_int8_conv_shapes(void **state)
{
	(void)state;
	shapes_case(false, false);
}

static void test_fp16_conv_shapes(void **state)
{
	(void)state;
	shapes_case(true, false);
}

static void test_int8_conv_shapes_copied(void **state)
{
	(void)state;
	shapes_case(false, true);
}

static void test_fp16_conv_shapes_copied(void **state)
{
	(void)state;
	shapes_case(true, true);
}

/* ---- fp16 weights fetched a kernel block at a time --------------------- */

/* 40 fp16 kernels whose first 32 (one kernel block) end exactly at the end
 * of memory: the fast datapath fetches the second block while the MACs
 * run. Either datapath must end the task with a DMA read error naming the
 * weights, leave the output untouched, and leak nothing (ASan). */
static void test_fp16_weight_fault(void **state)
{
	struct conv_desc d = {
		.fp16 = true, .out_prec = TP_FP32, .w = 6, .h = 1, .c = 64, .kw = 1, .kh = 1,
		.n = 40, .sx = 1, .sy = 1, .out_w = 6, .out_h = 1,
	};
	static const enum rk3588_sim_datapath dps[] = { RK3588_SIM_DATAPATH_PLAIN,
							RK3588_SIM_DATAPATH_FAST };
	size_t kernel_bytes = (size_t)d.c * 2;
	struct fake_bus fb;
	struct rk3588_sim *sim;

	(void)state;
	if (!rk3588_sim_fast_datapath_available())
		skip();
	fb_init(&fb, MEM_SIZE);
	assert_non_null(fb.mem);
	sim = test_sim_create(&fb, false, 1);
	assert_non_null(sim);
	rk3588_sim_set_mac_threads(sim, FASTPATH_MAC_THREADS);
	d.in = fb_alloc(&fb, conv_in_bytes(&d), 64);
	d.out = fb_alloc(&fb, conv_out_bytes(&d), 64);
	d.wt = (uint32_t)(FB_BASE + MEM_SIZE - 32 * kernel_bytes);
	for (size_t i = 0; i < sizeof(dps) / sizeof(dps[0]); i++) {
		char msg[256] = "";

		assert_int_equal(run(&fb, sim, &d, dps[i]), RK3588_INT_DMA_READ_ERROR);
		assert_true(rk3588_sim_last_error(sim, 0, msg, sizeof(msg)));
		assert_non_null(strstr(msg, "weights"));
		for (size_t b = 0; b < conv_out_bytes(&d); b++)
			assert_int_equal(((uint8_t *)fb_ptr(&fb, d.out))[b], 0xa5);
	}
	rk3588_sim_destroy(sim);
	fb_fini(&fb);
}

/* ---- fp16 on several MAC threads --------------------------------------- */

/* Above the 8M MACs that split a task over threads, with kernel blocks
 * (32 kernels) not a multiple of 2 or 3 and a partial last one: two pixel
 * groups of six tiles; one group, which the threads cut into groups of
 * fewer tiles (channels ending in a partial block and chunk); nine taps;
 * one tile, whose blocks the threads cut by kernel pairs. */
static const struct conv_shape thread_shapes[] = {
	{ "in_6x1x2048.k1.s1.p0.out_700", 6, 1, 2048, 1, 1, 700, 1, 1, 0, 1 },
	{ "in_8x8x1024.k1.s1.p0.out_150", 8, 8, 1024, 1, 1, 150, 1, 1, 0, 1 },
	{ "in_32x1x1200.k1.s1.p0.out_219", 32, 1, 1200, 1, 1, 219, 1, 1, 0, 1 },
	{ "in_6x6x320.k3.s1.p1.out_100", 6, 6, 320, 3, 3, 100, 1, 1, 1, 1 },
};

static void test_fp16_thread_counts(void **state)
{
	struct fake_bus fb;
	struct rk3588_sim *sim;
	uint32_t seed = 0x7f16u;

	(void)state;
	if (!rk3588_sim_fast_datapath_available())
		skip();
	fb_init(&fb, MEM_SIZE);
	assert_non_null(fb.mem);
	sim = test_sim_create(&fb, false, 1);
	assert_non_null(sim);
	/* Weights read in place, then fetched a block at a time. */
	for (unsigned int copied = 0; copied <= 1; copied++) {
		fb.no_map = copied;
		for (unsigned int threads = 1; threads <= 3; threads++) {
			print_message("# %u MAC threads, weights %s\n", threads,
				      copied ? "copied" : "in place");
			rk3588_sim_set_mac_threads(sim, threads);
			for (size_t i = 0; i < sizeof(thread_shapes) / sizeof(thread_shapes[0]); i++)
				run_shape(&fb, sim, &thread_shapes[i], true, &seed);
		}
	}
	assert_int_equal(fb.maps, 3 * sizeof(thread_shapes) / sizeof(thread_shapes[0]));
	assert_int_equal(fb.mapped, 0);
	rk3588_sim_destroy(sim);
	fb_fini(&fb);
}

/* 150 kernels of 1024 channels over 64 pixels (9.8M MACs, 5 kernel
 * blocks) whose first three blocks end exactly at the end of memory: on
 * several threads block 3 is fetched ahead while blocks 1 and 2 are
 * computed. The task must end with a DMA read error naming the weights,
 * the output untouched, nothing leaked, on 1 to 3 threads. */
static void test_fp16_fault_ahead(void **state)
{
	struct conv_desc d = {
		.fp16 = true, .out_prec = TP_FP32, .w = 8, .h = 8, .c = 1024, .kw = 1, .kh = 1,
		.n = 150, .sx = 1, .sy = 1, .out_w = 8, .out_h = 8,
	};
	size_t kernel_bytes = (size_t)d.c * 2;
	struct fake_bus fb;
	struct rk3588_sim *sim;

	(void)state;
	if (!rk3588_sim_fast_datapath_available())
		skip();
	fb_init(&fb, MEM_SIZE);
	assert_non_null(fb.mem);
	sim = test_sim_create(&fb, false, 1);
	assert_non_null(sim);
	d.in = fb_alloc(&fb, conv_in_bytes(&d), 64);
	d.out = fb_alloc(&fb, conv_out_bytes(&d), 64);
	d.wt = (uint32_t)(FB_BASE + MEM_SIZE - 3 * 32 * kernel_bytes);
	for (unsigned int threads = 1; threads <= 3; threads++) {
		char msg[256] = "";

		rk3588_sim_set_mac_threads(sim, threads);
		assert_int_equal(run(&fb, sim, &d, RK3588_SIM_DATAPATH_FAST),
				 RK3588_INT_DMA_READ_ERROR);
		assert_true(rk3588_sim_last_error(sim, 0, msg, sizeof(msg)));
		assert_non_null(strstr(msg, "weights"));
		for (size_t b = 0; b < conv_out_bytes(&d); b++)
			assert_int_equal(((uint8_t *)fb_ptr(&fb, d.out))[b], 0xa5);
	}
	rk3588_sim_destroy(sim);
	fb_fini(&fb);
}

/* Parks the task's thread in its fetch of one weight block until the
 * reset lines are asserted; the other MAC threads meanwhile finish the
 * blocks before it and wait for it. */
struct block_gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t addr;
	bool reached, resetting;
};

static void block_gate_hook(struct fake_bus *fb, uint64_t addr, size_t len)
{
	struct block_gate *g = fb->hook_ctx;

	(void)len;
	if (addr != g->addr)
		return;
	pthread_mutex_lock(&g->lock);
	g->reached = true;
	pthread_cond_broadcast(&g->cond);
	while (!g->resetting)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

static void *reset_core0(void *arg)
{
	rk3588_sim_reset_assert(arg, 0);
	return NULL;
}

/* An offset no block uses: plain storage, so it shows whether writes land. */
#define SCRATCH_OFFSET 0x2000u

/* A reset while the task's thread fetches block 2 of 5 and the other MAC
 * threads compute or wait: the task stops with no interrupt and no
 * output; after the reset the same task on the same threads gives the
 * plain datapath's bytes. */
static void test_fp16_abort_in_block(void **state)
{
	struct conv_desc d = {
		.fp16 = true, .out_prec = TP_FP32, .w = 8, .h = 8, .c = 1024, .kw = 1, .kh = 1,
		.n = 150, .sx = 1, .sy = 1, .out_w = 8, .out_h = 8,
	};
	size_t nx = (size_t)d.w * d.h * d.c, nw = (size_t)d.n * d.c, ob = conv_out_bytes(&d);
	uint16_t *x = malloc(nx * 2), *wt = malloc(nw * 2);
	uint8_t *plain = malloc(ob);
	uint32_t seed = 0xab0u;
	struct block_gate g = { .lock = PTHREAD_MUTEX_INITIALIZER,
				.cond = PTHREAD_COND_INITIALIZER };
	struct fake_bus fb;
	struct rk3588_sim *sim;
	uint64_t w[256];
	size_t n;
	uint32_t cmd;

	(void)state;
	if (!rk3588_sim_fast_datapath_available())
		skip();
	assert_non_null(x);
	assert_non_null(wt);
	assert_non_null(plain);
	for (size_t i = 0; i < nx; i++)
		x[i] = random_half(&seed);
	for (size_t i = 0; i < nw; i++)
		wt[i] = random_half(&seed);
	fb_init(&fb, MEM_SIZE);
	assert_non_null(fb.mem);
	sim = test_sim_create(&fb, true, 1);
	assert_non_null(sim);
	d.in = fb_alloc(&fb, conv_in_bytes(&d), 64);
	d.wt = fb_alloc(&fb, conv_wt_bytes(&d), 4096);
	d.out = fb_alloc(&fb, ob, 64);
	pack_input(&d, x, fb_ptr(&fb, d.in));
	pack_weights(&d, wt, fb_ptr(&fb, d.wt));
	assert_int_equal(run(&fb, sim, &d, RK3588_SIM_DATAPATH_PLAIN), 0x100);
	memcpy(plain, fb_ptr(&fb, d.out), ob);
	n = conv_body(w, &d);
	n += task_tail(w + n, 0, 0, CONV_OP_EN);
	cmd = fb_alloc(&fb, n * 8, 64);
	fb_put_words(&fb, cmd, w, n);
	g.addr = d.wt + 2 * 32 * (uint64_t)d.c * 2;
	for (unsigned int threads = 1; threads <= 3; threads++) {
		unsigned int r0, r1;
		struct timespec until;
		pthread_t rt;

		print_message("# %u MAC threads\n", threads);
		rk3588_sim_set_mac_threads(sim, threads);
		rk3588_sim_set_datapath(sim, RK3588_SIM_DATAPATH_FAST);
		memset(fb_ptr(&fb, d.out), 0xa5, ob);
		g.reached = g.resetting = false;
		fb.hook_ctx = &g;
		fb.read_hook = block_gate_hook;
		fb_irq_state(&fb, 0, &r0, NULL, NULL);
		test_commit(sim, 0, cmd, amount_for(n), 1, 0x3300);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 60;
		pthread_mutex_lock(&g.lock);
		while (!g.reached && pthread_cond_timedwait(&g.cond, &g.lock, &until) == 0)
			;
		pthread_mutex_unlock(&g.lock);
		assert_true(g.reached);
		/* Reset, and once it took hold (writes dropped) let the fetch
		 * go on into the abort. */
		assert_int_equal(pthread_create(&rt, NULL, reset_core0, sim), 0);
		for (uint32_t k = 1;; k++) {
			rk3588_sim_mmio_write(sim, 0, SCRATCH_OFFSET, k);
			if (rk3588_sim_mmio_read(sim, 0, SCRATCH_OFFSET) != k)
				break;
			sched_yield();
		}
		pthread_mutex_lock(&g.lock);
		g.resetting = true;
		pthread_cond_broadcast(&g.cond);
		pthread_mutex_unlock(&g.lock);
		pthread_join(rt, NULL);
		fb.read_hook = NULL;
		rk3588_sim_reset_deassert(sim, 0);
		rk3588_sim_wait_idle(sim, 0);
		fb_irq_state(&fb, 0, &r1, NULL, NULL);
		assert_int_equal(r1, r0);
		for (size_t b = 0; b < ob; b++)
			assert_int_equal(((uint8_t *)fb_ptr(&fb, d.out))[b], 0xa5);

		rk3588_sim_set_mac_threads(sim, threads);
		assert_int_equal(run(&fb, sim, &d, RK3588_SIM_DATAPATH_FAST), 0x100);
		assert_memory_equal(plain, fb_ptr(&fb, d.out), ob);
	}
	rk3588_sim_destroy(sim);
	fb_fini(&fb);
	free(plain);
	free(x);
	free(wt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_equals_plain),
		cmocka_unit_test(test_int8_conv_shapes),
		cmocka_unit_test(test_fp16_conv_shapes),
		cmocka_unit_test(test_int8_conv_shapes_copied),
		cmocka_unit_test(test_fp16_conv_shapes_copied),
		cmocka_unit_test(test_int8_extremes),
		cmocka_unit_test(test_int4_fast_equals_plain),
		cmocka_unit_test(test_fp16_weight_fault),
		cmocka_unit_test(test_fp16_thread_counts),
		cmocka_unit_test(test_fp16_fault_ahead),
		cmocka_unit_test(test_fp16_abort_in_block),
	};

	return cmocka_run_group_tests_name(FASTPATH_MAC_THREADS > 1 ? "sim-fastpath-threaded"
								    : "sim-fastpath",
					   tests, NULL, NULL);
}
