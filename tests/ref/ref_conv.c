// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* Direct convolution, one output at a time, straight from the definition. */
#include <math.h>

#include "rnpu_ref.h"

/* Input value at (c, iy, ix), or @pad outside the input. */
static int32_t at_i(const struct ref_conv_shape *s, const int32_t *x, int32_t pad, uint32_t c,
		    int64_t iy, int64_t ix)
{
	if (iy < 0 || ix < 0 || iy >= s->h || ix >= s->w)
		return pad;
	return x[((size_t)c * s->h + (size_t)iy) * s->w + (size_t)ix];
}

static double at_f(const struct ref_conv_shape *s, const double *x, double pad, uint32_t c,
		   int64_t iy, int64_t ix)
{
	if (iy < 0 || ix < 0 || iy >= s->h || ix >= s->w)
		return pad;
	return x[((size_t)c * s->h + (size_t)iy) * s->w + (size_t)ix];
}

static int64_t row_of(const struct ref_conv_shape *s, uint32_t oy, uint32_t ky)
{
	return (int64_t)oy * s->sy - s->pt + (int64_t)ky * s->dy;
}

static int64_t col_of(const struct ref_conv_shape *s, uint32_t ox, uint32_t kx)
{
	return (int64_t)ox * s->sx - s->pl + (int64_t)kx * s->dx;
}

/* Index of weight (o, c, ky, kx); depthwise kernels have one channel. */
static size_t w_index(const struct ref_conv_shape *s, uint32_t o, uint32_t c, uint32_t ky,
		      uint32_t kx)
{
	size_t per_o = s->depthwise ? 1 : s->c;
	size_t ci = s->depthwise ? 0 : c;

	return (((size_t)o * per_o + ci) * s->kh + ky) * s->kw + kx;
}

void ref_conv2d_i64(const struct ref_conv_shape *s, const int32_t *x, const int32_t *w,
		    int32_t pad, int64_t *y)
{
	uint32_t outs = s->depthwise ? s->c : s->o;

	for (uint32_t o = 0; o < outs; o++)
		for (uint32_t oy = 0; oy < s->oh; oy++)
			for (uint32_t ox = 0; ox < s->ow; ox++) {
				int64_t sum = 0;
				uint32_t c0 = s->depthwise ? o : 0;
				uint32_t c1 = s->depthwise ? o + 1 : s->c;

				for (uint32_t c = c0; c < c1; c++)
					for (uint32_t ky = 0; ky < s->kh; ky++)
						for (uint32_t kx = 0; kx < s->kw; kx++)
							sum += (int64_t)at_i(s, x, pad, c,
									     row_of(s, oy, ky),
									     col_of(s, ox, kx)) *
							       w[w_index(s, o, c, ky, kx)];
				y[((size_t)o * s->oh + oy) * s->ow + ox] = sum;
			}
}

void ref_conv2d_f64(const struct ref_conv_shape *s, const double *x, const double *w, double pad,
		    double *y, double *absdot)
{
	uint32_t outs = s->depthwise ? s->c : s->o;

	for (uint32_t o = 0; o < outs; o++)
		for (uint32_t oy = 0; oy < s->oh; oy++)
			for (uint32_t ox = 0; ox < s->ow; ox++) {
				double sum = 0.0, mag = 0.0;
				uint32_t c0 = s->depthwise ? o : 0;
				uint32_t c1 = s->depthwise ? o + 1 : s->c;

				for (uint32_t c = c0; c < c1; c++)
					for (uint32_t ky = 0; ky < s->kh; ky++)
						for (uint32_t kx = 0; kx < s->kw; kx++) {
							double p = at_f(s, x, pad, c,
									row_of(s, oy, ky),
									col_of(s, ox, kx)) *
								   w[w_index(s, o, c, ky, kx)];

							sum += p;
							mag += fabs(p);
						}
				y[((size_t)o * s->oh + oy) * s->ow + ox] = sum;
				if (absdot)
					absdot[((size_t)o * s->oh + oy) * s->ow + ox] = mag;
			}
}

void ref_window_sum_i64(const struct ref_conv_shape *s, const int32_t *x, int32_t pad,
			int64_t *y)
{
	uint32_t planes = s->depthwise ? s->c : 1;

	for (uint32_t p = 0; p < planes; p++)
		for (uint32_t oy = 0; oy < s->oh; oy++)
			for (uint32_t ox = 0; ox < s->ow; ox++) {
				int64_t sum = 0;
				uint32_t c0 = s->depthwise ? p : 0;
				uint32_t c1 = s->depthwise ? p + 1 : s->c;

				for (uint32_t c = c0; c < c1; c++)
					for (uint32_t ky = 0; ky < s->kh; ky++)
						for (uint32_t kx = 0; kx < s->kw; kx++)
							sum += at_i(s, x, pad, c, row_of(s, oy, ky),
								    col_of(s, ox, kx));
				y[((size_t)p * s->oh + oy) * s->ow + ox] = sum;
			}
}
