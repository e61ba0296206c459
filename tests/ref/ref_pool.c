// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* Pooling windows visited cell by cell, padding cells included. */
#include "rnpu_ref.h"

static bool inside(const struct ref_pool_shape *s, int64_t iy, int64_t ix)
{
	return iy >= 0 && ix >= 0 && iy < s->h && ix < s->w;
}

void ref_pool2d_i64(const struct ref_pool_shape *s, enum ref_pool_op op, const int32_t *x,
		    int32_t pad, int64_t *y)
{
	for (uint32_t c = 0; c < s->c; c++)
		for (uint32_t oy = 0; oy < s->oh; oy++)
			for (uint32_t ox = 0; ox < s->ow; ox++) {
				int64_t acc = 0;
				bool first = true;

				for (uint32_t ky = 0; ky < s->kh; ky++)
					for (uint32_t kx = 0; kx < s->kw; kx++) {
						int64_t iy = (int64_t)oy * s->sy - s->pt + ky;
						int64_t ix = (int64_t)ox * s->sx - s->pl + kx;
						int64_t v = pad;

						if (inside(s, iy, ix))
							v = x[((size_t)c * s->h + (size_t)iy) * s->w +
							      (size_t)ix];
						if (op == REF_POOL_AVG_SUM)
							acc += v;
						else if (first || (op == REF_POOL_MAX ? v > acc : v < acc))
							acc = v;
						first = false;
					}
				y[((size_t)c * s->oh + oy) * s->ow + ox] = acc;
			}
}

void ref_pool2d_f64(const struct ref_pool_shape *s, enum ref_pool_op op, const double *x,
		    double pad, double *y)
{
	for (uint32_t c = 0; c < s->c; c++)
		for (uint32_t oy = 0; oy < s->oh; oy++)
			for (uint32_t ox = 0; ox < s->ow; ox++) {
				double acc = 0.0;
				bool first = true;

				for (uint32_t ky = 0; ky < s->kh; ky++)
					for (uint32_t kx = 0; kx < s->kw; kx++) {
						int64_t iy = (int64_t)oy * s->sy - s->pt + ky;
						int64_t ix = (int64_t)ox * s->sx - s->pl + kx;
						double v = pad;

						if (inside(s, iy, ix))
							v = x[((size_t)c * s->h + (size_t)iy) * s->w +
							      (size_t)ix];
						if (op == REF_POOL_AVG_SUM)
							acc += v;
						else if (first || (op == REF_POOL_MAX ? v > acc : v < acc))
							acc = v;
						first = false;
					}
				y[((size_t)c * s->oh + oy) * s->ow + ox] = acc;
			}
}
