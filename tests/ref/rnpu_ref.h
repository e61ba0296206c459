/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * CPU reference for the test suite. Deliberately the plainest code that can
 * compute the answer: no layouts, no tiling, nothing shared with lib/ or sim/,
 * so a bug there cannot hide by being copied here.
 *
 * Matrices are row-major: A[M][K], B[K][N], C[M][N].
 */
#ifndef RNPU_REF_H
#define RNPU_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* C = A x B, exact: int32 cannot overflow while K <= 131072 (|a*b| <= 2^14). */
void ref_matmul_i8_i32(uint32_t m, uint32_t k, uint32_t n, const int8_t *a, const int8_t *b,
		       int32_t *c);

/* Inputs are binary16 bit patterns. Each dot product is summed in double and
 * rounded to float once. When @absdot is not NULL it receives sum(|a*b|)
 * per element, the scale ref_f16_close() needs. */
void ref_matmul_f16_f32(uint32_t m, uint32_t k, uint32_t n, const uint16_t *a, const uint16_t *b,
			float *c, float *absdot);

/* binary16 bit pattern -> float; independent of the library's converter. */
float ref_half_to_float(uint16_t h);

/*
 * Whether an NPU result @got may stand for the reference @want of a length-@k
 * fp16 dot product whose sum of |products| is @absdot.
 *
 * The order and width of the hardware's float accumulation are unknown, so the
 * bound is the classic worst case for summing k terms in binary32:
 *   k * 2^-24 * absdot, doubled for slack;
 * fp16 output (@out_f16) adds one half ulp of the result (2^-10 * |want|,
 * rounding mode also unknown) plus half the smallest subnormal (2^-25).
 * Infinity must match exactly (same sign); NaN must meet NaN.
 */
bool ref_f16_close(float got, float want, float absdot, uint32_t k, bool out_f16);

/* splitmix64: tiny, seedable, same sequence on every platform. */
struct ref_rng {
	uint64_t state;
};

void ref_rng_seed(struct ref_rng *r, uint64_t seed);
uint64_t ref_rng_u64(struct ref_rng *r);
/* Uniform in [lo, hi] (inclusive); lo <= hi. */
int32_t ref_rng_range(struct ref_rng *r, int32_t lo, int32_t hi);
void ref_fill_i8(struct ref_rng *r, int8_t *dst, size_t count, int lo, int hi);
/*
 * Random finite half bit patterns: random sign and mantissa, exponent drawn so
 * that |value| lies in [2^min_exp2, 2^(max_exp2 + 1)); -14 <= min_exp2 <=
 * max_exp2 <= 15. Built directly from bits, so no conversion is involved.
 */
void ref_fill_f16(struct ref_rng *r, uint16_t *dst, size_t count, int min_exp2, int max_exp2);

#ifdef __cplusplus
}
#endif
#endif
