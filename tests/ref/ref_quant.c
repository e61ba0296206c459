// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* Fixed-point rounding, saturation and requantisation by plain division. */
#include <math.h>

#include "rnpu_ref.h"

int64_t ref_rshift_round(int64_t v, unsigned int shift, enum ref_round mode)
{
	int64_t d, q, r;

	if (shift == 0)
		return v;
	d = (int64_t)1 << shift;
	/* C division truncates; turn it into floor with a remainder in [0, d). */
	q = v / d;
	r = v % d;
	if (r < 0) {
		q -= 1;
		r += d;
	}
	/* Compare r with d - r rather than 2r with d: no overflow. */
	if (r > d - r)
		return q + 1;
	if (r < d - r)
		return q;
	if (mode == REF_ROUND_HALF_UP)
		return q + 1;
	return (q % 2 == 0) ? q : q + 1;
}

int64_t ref_round_double(double v, enum ref_round mode)
{
	double f = floor(v);
	double frac = v - f; /* exact: v and floor(v) share the binade or less */
	int64_t q = (int64_t)f;

	if (frac > 0.5)
		return q + 1;
	if (frac < 0.5)
		return q;
	if (mode == REF_ROUND_HALF_UP)
		return q + 1;
	return (q % 2 == 0) ? q : q + 1;
}

int64_t ref_clamp(int64_t v, int64_t lo, int64_t hi)
{
	if (v < lo)
		return lo;
	if (v > hi)
		return hi;
	return v;
}

int64_t ref_sat_bits(int64_t v, unsigned int bits)
{
	int64_t hi, lo;

	if (bits >= 64)
		return v;
	hi = ((int64_t)1 << (bits - 1)) - 1;
	lo = -hi - 1;
	return ref_clamp(v, lo, hi);
}

int64_t ref_requant(int64_t x, int64_t scale, unsigned int shift, int64_t offset, bool add_first,
		    enum ref_round mode, unsigned int out_bits)
{
	int64_t y;

	if (add_first)
		y = ref_rshift_round((x + offset) * scale, shift, mode);
	else
		y = ref_rshift_round(x * scale, shift, mode) + offset;
	return ref_sat_bits(y, out_bits);
}

void ref_scale_q15(double scale, int64_t *multiplier, unsigned int *shift)
{
	int e = (int)floor(log2(scale)); /* scale in [2^e, 2^(e+1)) */
	int sh = 14 - e;
	double m;

	if (sh > 63)
		sh = 63;
	m = nearbyint(ldexp(scale, sh));
	if (m > 32767) { /* the mantissa rounded up to 2^15 */
		sh--;
		m = nearbyint(ldexp(scale, sh));
	}
	*multiplier = (int64_t)m;
	*shift = (unsigned int)sh;
}
