// SPDX-License-Identifier: MIT OR GPL-2.0-only
#include <math.h>

#include "rnpu_ref.h"

void ref_matmul_i8_i32(uint32_t m, uint32_t k, uint32_t n, const int8_t *a, const int8_t *b,
		       int32_t *c)
{
	for (uint32_t i = 0; i < m; i++) {
		for (uint32_t j = 0; j < n; j++) {
			int64_t sum = 0;

			for (uint32_t l = 0; l < k; l++)
				sum += (int64_t)a[(size_t)i * k + l] * b[(size_t)l * n + j];
			c[(size_t)i * n + j] = (int32_t)sum;
		}
	}
}

void ref_matmul_f16_f32(uint32_t m, uint32_t k, uint32_t n, const uint16_t *a, const uint16_t *b,
			float *c, float *absdot)
{
	for (uint32_t i = 0; i < m; i++) {
		for (uint32_t j = 0; j < n; j++) {
			double sum = 0.0, mag = 0.0;

			for (uint32_t l = 0; l < k; l++) {
				/* Product of two halves is exact in double. */
				double p = (double)ref_half_to_float(a[(size_t)i * k + l]) *
					   (double)ref_half_to_float(b[(size_t)l * n + j]);

				sum += p;
				mag += fabs(p);
			}
			c[(size_t)i * n + j] = (float)sum;
			if (absdot)
				absdot[(size_t)i * n + j] = (float)mag;
		}
	}
}

bool ref_f16_close(float got, float want, float absdot, uint32_t k, bool out_f16)
{
	double tol;

	if (isnan(want) || isnan(got))
		return isnan(want) && isnan(got);
	if (isinf(want) || isinf(got))
		return got == want;
	tol = 2.0 * (double)k * ldexp(1.0, -24) * (double)absdot;
	if (out_f16)
		tol += ldexp(fabs((double)want), -10) + ldexp(1.0, -25);
	return fabs((double)got - (double)want) <= tol;
}

void ref_matmul_i16_i64(uint32_t m, uint32_t k, uint32_t n, const int16_t *a, const int16_t *b,
			int64_t *c)
{
	for (uint32_t i = 0; i < m; i++)
		for (uint32_t j = 0; j < n; j++) {
			int64_t sum = 0;

			for (uint32_t l = 0; l < k; l++)
				sum += (int64_t)a[(size_t)i * k + l] * b[(size_t)l * n + j];
			c[(size_t)i * n + j] = sum;
		}
}

void ref_matmul_i4_i32(uint32_t m, uint32_t k, uint32_t n, const int8_t *a, const int8_t *b,
		       int32_t *c)
{
	for (uint32_t i = 0; i < m; i++)
		for (uint32_t j = 0; j < n; j++) {
			int64_t sum = 0;

			for (uint32_t l = 0; l < k; l++)
				sum += (int64_t)a[(size_t)i * k + l] * b[(size_t)l * n + j];
			c[(size_t)i * n + j] = (int32_t)sum;
		}
}

void ref_matmul_i4_i16(uint32_t m, uint32_t k, uint32_t n, const int8_t *a, const int8_t *b,
		       int16_t *c)
{
	for (uint32_t i = 0; i < m; i++)
		for (uint32_t j = 0; j < n; j++) {
			int64_t sum = 0;

			for (uint32_t l = 0; l < k; l++)
				sum += (int64_t)a[(size_t)i * k + l] * b[(size_t)l * n + j];
			c[(size_t)i * n + j] = (int16_t)(sum > 32767 ? 32767
							 : sum < -32768 ? -32768 : sum);
		}
}

void ref_fill_i4(struct ref_rng *r, int8_t *dst, size_t count, int lo, int hi)
{
	for (size_t i = 0; i < count; i++)
		dst[i] = (int8_t)ref_rng_range(r, lo, hi);
}

int8_t ref_i4_get(const uint8_t *packed, size_t i, bool even_low)
{
	bool low = (i % 2 == 0) == even_low;
	int v = low ? packed[i / 2] & 0x0f : packed[i / 2] >> 4;

	return (int8_t)(v >= 8 ? v - 16 : v);
}

void ref_i4_set(uint8_t *packed, size_t i, int8_t v, bool even_low)
{
	bool low = (i % 2 == 0) == even_low;
	uint8_t nib = (uint8_t)v & 0x0f;

	if (low)
		packed[i / 2] = (uint8_t)((packed[i / 2] & 0xf0) | nib);
	else
		packed[i / 2] = (uint8_t)((packed[i / 2] & 0x0f) | (nib << 4));
}
