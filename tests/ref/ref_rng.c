// SPDX-License-Identifier: MIT OR GPL-2.0-only
#include "rnpu_ref.h"

void ref_rng_seed(struct ref_rng *r, uint64_t seed)
{
	r->state = seed;
}

/* splitmix64 (Steele, Lea, Flood 2014): Weyl step, then a bit mixer. */
uint64_t ref_rng_u64(struct ref_rng *r)
{
	uint64_t z;

	r->state += 0x9e3779b97f4a7c15ull;
	z = r->state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

int32_t ref_rng_range(struct ref_rng *r, int32_t lo, int32_t hi)
{
	uint64_t span = (uint64_t)((int64_t)hi - lo) + 1;

	/* Modulo bias is < 2^-31 here; irrelevant for test data. */
	return (int32_t)((int64_t)lo + (int64_t)(ref_rng_u64(r) % span));
}

void ref_fill_i8(struct ref_rng *r, int8_t *dst, size_t count, int lo, int hi)
{
	for (size_t i = 0; i < count; i++)
		dst[i] = (int8_t)ref_rng_range(r, lo, hi);
}

void ref_fill_f16(struct ref_rng *r, uint16_t *dst, size_t count, int min_exp2, int max_exp2)
{
	for (size_t i = 0; i < count; i++) {
		int e = ref_rng_range(r, min_exp2, max_exp2);
		uint16_t sign = (uint16_t)(ref_rng_u64(r) & 1) << 15;
		uint16_t frac = (uint16_t)(ref_rng_u64(r) & 1023);

		dst[i] = sign | (uint16_t)((e + 15) << 10) | frac;
	}
}
