// SPDX-License-Identifier: MIT OR GPL-2.0-only
#include <string.h>

#include "sim_fp16.h"

#define H_MAN_BITS 10u
#define F_MAN_BITS 23u
#define MAN_DROP (F_MAN_BITS - H_MAN_BITS)
#define H_EXP_MAX 31
#define F_EXP_MAX 255u
#define BIAS_DIFF (127 - 15)

static uint32_t bits_of(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static float float_of(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

float sim_half_to_float(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
	uint32_t exp = (h >> H_MAN_BITS) & 0x1fu;
	uint32_t man = h & 0x3ffu;

	if (exp == 0) {
		/* Zero or subnormal: man * 2^-24 is exact in a float. */
		float v = (float)man * 0x1p-24f;

		return sign ? -v : v;
	}
	if (exp == H_EXP_MAX)
		return float_of(sign | 0x7f800000u | (man << MAN_DROP));
	return float_of(sign | ((exp + BIAS_DIFF) << F_MAN_BITS) | (man << MAN_DROP));
}

/* @q is the truncated result, @rem the dropped bits, @half their midpoint. */
static uint32_t round_even(uint32_t q, uint32_t rem, uint32_t half)
{
	if (rem > half || (rem == half && (q & 1u)))
		q++;
	return q;
}

uint16_t sim_float_to_half(float f)
{
	uint32_t x = bits_of(f);
	uint32_t sign = (x >> 16) & 0x8000u;
	uint32_t fexp = (x >> F_MAN_BITS) & F_EXP_MAX;
	uint32_t man = x & 0x7fffffu;
	int e = (int)fexp - BIAS_DIFF;

	if (fexp == F_EXP_MAX) {
		if (man)
			return (uint16_t)(sign | 0x7e00u | (man >> MAN_DROP));
		return (uint16_t)(sign | 0x7c00u);
	}
	if (e >= H_EXP_MAX)
		return (uint16_t)(sign | 0x7c00u);
	if (e <= 0) {
		/* Below 2^-25 everything rounds to zero. */
		if (e < -10)
			return (uint16_t)sign;
		man |= 1u << F_MAN_BITS;
		unsigned int shift = (unsigned int)(MAN_DROP + 1 - e);
		uint32_t q = round_even(man >> shift, man & ((1u << shift) - 1u),
					1u << (shift - 1u));
		/* A carry into bit 10 is the smallest normal: still correct. */
		return (uint16_t)(sign | q);
	}
	/* A mantissa carry ripples into the exponent, up to infinity. */
	uint32_t q = round_even(((uint32_t)e << H_MAN_BITS) | (man >> MAN_DROP),
				man & ((1u << MAN_DROP) - 1u), 1u << (MAN_DROP - 1u));
	return (uint16_t)(sign | q);
}
