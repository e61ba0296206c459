// SPDX-License-Identifier: MIT OR GPL-2.0-only
#include <string.h>

#include "rnpu/fp16.h"

#define F32_MAN_BITS 23u
#define F16_MAN_BITS 10u
#define F32_BIAS 127
#define F16_BIAS 15
/* Mantissa bits dropped when a normal float becomes a normal half. */
#define DROP (F32_MAN_BITS - F16_MAN_BITS)

static uint32_t f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static float f32_from_bits(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

/* Shift @m right by @shift with round-to-nearest-even on the dropped bits.
 * A carry out of the mantissa lands in the exponent, which is exactly the
 * right result (next binade, or infinity after 0x7bff). */
static uint32_t shift_rne(uint32_t m, unsigned int shift)
{
	uint32_t kept = m >> shift;
	uint32_t rest = m & ((1u << shift) - 1u);
	uint32_t half = 1u << (shift - 1u);

	if (rest > half || (rest == half && (kept & 1u)))
		kept++;
	return kept;
}

uint16_t rnpu_f32_to_f16(float f)
{
	uint32_t x = f32_bits(f);
	uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
	uint32_t exp = (x >> F32_MAN_BITS) & 0xffu;
	uint32_t man = x & 0x7fffffu;
	int e;

	if (exp == 0xffu) {
		if (man == 0)
			return sign | 0x7c00u;
		/* Keep the top payload bits; force quiet so a payload that lives
		 * only in the low bits cannot turn into infinity. */
		return sign | 0x7e00u | (uint16_t)(man >> DROP);
	}
	/* Float subnormals are below 2^-126, far under half's 2^-25 rounding
	 * threshold. */
	if (exp == 0)
		return sign;

	e = (int)exp - F32_BIAS;
	if (e > F16_BIAS)
		return sign | 0x7c00u;
	if (e >= 1 - F16_BIAS) {
		/* Rounding exponent and mantissa together lets a mantissa carry
		 * move into the exponent. */
		uint32_t em = ((uint32_t)(e + F16_BIAS) << F32_MAN_BITS) | man;

		return sign | (uint16_t)shift_rne(em, DROP);
	}
	/* Subnormal half: value = (man | implicit) * 2^(e-23), unit 2^-24. */
	{
		unsigned int shift = DROP + (unsigned int)(1 - F16_BIAS - e);

		/* Below 2^-25 everything rounds to zero; at exactly 2^-25 the tie
		 * goes to the even neighbour, zero, which shift_rne also gives. */
		if (shift > F32_MAN_BITS + 1u)
			return sign;
		return sign | (uint16_t)shift_rne(man | (1u << F32_MAN_BITS), shift);
	}
}

float rnpu_f16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
	uint32_t exp = (h >> F16_MAN_BITS) & 0x1fu;
	uint32_t man = h & 0x3ffu;
	int e;

	if (exp == 0x1fu)
		return f32_from_bits(sign | 0x7f800000u | (man << DROP));
	if (exp != 0)
		return f32_from_bits(sign | ((exp - F16_BIAS + F32_BIAS) << F32_MAN_BITS) |
				     (man << DROP));
	if (man == 0)
		return f32_from_bits(sign);
	/* Half subnormal: normalise into a float normal. */
	e = 1 - F16_BIAS;
	while (!(man & 0x400u)) {
		man <<= 1;
		e--;
	}
	man &= 0x3ffu;
	return f32_from_bits(sign | ((uint32_t)(e + F32_BIAS) << F32_MAN_BITS) | (man << DROP));
}
