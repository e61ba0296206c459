// SPDX-License-Identifier: MIT OR GPL-2.0-only
#include <stdio.h>

#include "cpu_ref.h"

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Sum of x * w over the window of output (oy, ox), kernel @o. */
static int64_t window_dot(const struct cpu_conv *c, const int8_t *x, uint32_t oy, uint32_t ox,
			  uint32_t o)
{
	int64_t acc = 0;

	for (uint32_t ky = 0; ky < c->k; ky++)
		for (uint32_t kx = 0; kx < c->k; kx++) {
			int64_t iy = (int64_t)oy * c->stride + ky - c->pad;
			int64_t ix = (int64_t)ox * c->stride + kx - c->pad;
			const int8_t *px, *pw;

			if (iy < 0 || ix < 0 || iy >= c->h || ix >= c->w)
				continue;
			px = x + ((size_t)iy * c->w + ix) * c->c;
			pw = c->weights + (((size_t)o * c->k + ky) * c->k + kx) * c->c;
			for (uint32_t ch = 0; ch < c->c; ch++)
				acc += (int64_t)px[ch] * pw[ch];
		}
	return acc;
}

void cpu_conv_int8(struct cpu_conv *c, const int8_t *x, int8_t *y)
{
	c->oh = (c->h + 2 * c->pad - c->k) / c->stride + 1;
	c->ow = (c->w + 2 * c->pad - c->k) / c->stride + 1;
	for (uint32_t oy = 0; oy < c->oh; oy++)
		for (uint32_t ox = 0; ox < c->ow; ox++)
			for (uint32_t o = 0; o < c->o; o++) {
				int64_t m = c->multiplier ? c->multiplier[o] : 1;
				unsigned int s = c->shift ? c->shift[o] : 0;
				int64_t acc = window_dot(c, x, oy, ox, o);

				acc += c->bias ? c->bias[o] : 0;

				acc = clamp(acc, INT32_MIN, INT32_MAX);
				/* round(acc * m / 2^s), ties up */
				acc = s ? (acc * m + ((int64_t)1 << (s - 1))) >> s : acc * m;
				acc = clamp(acc, INT32_MIN, INT32_MAX);
				if (c->relu && acc < 0)
					acc = 0;
				y[((size_t)oy * c->ow + ox) * c->o + o] =
					(int8_t)clamp(acc, -128, 127);
			}
}

void cpu_maxpool_int8(uint32_t h, uint32_t w, uint32_t c, uint32_t k, const int8_t *x, int8_t *y)
{
	uint32_t oh = h / k, ow = w / k;

	for (uint32_t oy = 0; oy < oh; oy++)
		for (uint32_t ox = 0; ox < ow; ox++)
			for (uint32_t ch = 0; ch < c; ch++) {
				int8_t m = INT8_MIN;

				for (uint32_t i = 0; i < k * k; i++) {
					size_t iy = (size_t)oy * k + i / k;
					size_t ix = (size_t)ox * k + i % k;
					int8_t v = x[(iy * w + ix) * c + ch];

					m = v > m ? v : m;
				}
				y[((size_t)oy * ow + ox) * c + ch] = m;
			}
}

unsigned long cpu_compare(const char *what, const int8_t *got, const int8_t *want,
			  unsigned long n)
{
	unsigned long bad = 0;

	for (unsigned long i = 0; i < n; i++)
		if (got[i] != want[i] && bad++ < 5)
			fprintf(stderr, "%s[%lu]: NPU %d, CPU %d\n", what, i, got[i], want[i]);
	return bad;
}
