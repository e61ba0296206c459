// SPDX-License-Identifier: MIT OR GPL-2.0-only
#include <math.h>

#include "rnpu_ref.h"

/* Straight from the binary16 definition, with arithmetic instead of bit
 * moves so it shares no technique with the library's converter. */
float ref_half_to_float(uint16_t h)
{
	int sign = (h >> 15) & 1;
	int exp = (h >> 10) & 31;
	int frac = h & 1023;
	double v;

	if (exp == 31)
		v = frac ? NAN : INFINITY;
	else if (exp == 0)
		v = ldexp((double)frac, -24);
	else
		v = ldexp((double)(1024 + frac), exp - 25);
	return (float)(sign ? -v : v);
}

/* Search the binary16 grid arithmetically: scale |v| to an integer
 * significand at the right exponent, round it, rebuild the bits. */
uint16_t ref_half_from_double(double v)
{
	uint16_t sign = signbit(v) ? 0x8000 : 0;
	double a = fabs(v);
	int e;
	double m, r;

	if (isnan(v))
		return (uint16_t)(sign | 0x7e00);
	if (a == 0.0)
		return sign;
	/* a = f * 2^e with 0.5 <= f < 1; normal halves have e - 1 >= -14. */
	frexp(a, &e);
	if (e - 1 < -14)
		e = -13;
	/* 11 significant bits: the unit in the last place is 2^(e - 11). */
	m = ldexp(a, 11 - e);
	r = nearbyint(m); /* default rounding mode: ties to even */
	if (r >= 2048.0) {
		r /= 2.0;
		e += 1;
	}
	if (e - 1 > 15)
		return (uint16_t)(sign | 0x7c00);
	if (r < 1024.0) /* subnormal (or rounded to zero) */
		return (uint16_t)(sign | (uint16_t)r);
	return (uint16_t)(sign | (uint16_t)((e - 1 + 15) << 10) | ((uint16_t)r - 1024));
}

double ref_fp17_value(uint32_t bits)
{
	int exp = (int)((bits >> 10) & 63);
	int frac = (int)(bits & 1023);
	double v;

	if (exp == 0)
		v = ldexp((double)frac, -30 - 10);
	else
		v = ldexp((double)(1024 + frac), exp - 31 - 10);
	return ((bits >> 16) & 1) ? -v : v;
}
