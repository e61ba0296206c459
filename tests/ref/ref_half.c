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
