// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * SIMD kernels for the int8 MAC loop, chosen at run time from what the host
 * CPU supports. They add the same integer products as the plain loop in
 * sim_mac.c; integer addition is exact and associative here (no partial sum
 * can overflow int32, see dot_i16_kb), so results are identical bit for bit.
 */
#include "sim_internal.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

AVX2 static int32_t hsum(__m256i v)
{
	__m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));

	s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
	s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
	return _mm_cvtsi128_si32(s);
}

/* 16 int16 lanes per step; madd adds adjacent products into int32. */
AVX2 static void dot_kb_avx2(const int16_t *restrict f, const int16_t *restrict w,
			     size_t stride, size_t n, int32_t out[SIM_MAC_KB])
{
	const int16_t *w0 = w, *w1 = w + stride, *w2 = w + 2 * stride, *w3 = w + 3 * stride;
	__m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
	size_t i = 0;

	_Static_assert(SIM_MAC_KB == 4, "the kernel computes four dot products");
	for (; i + 16 <= n; i += 16) {
		__m256i x = _mm256_loadu_si256((const __m256i *)(f + i));

		s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(
						  x, _mm256_loadu_si256((const __m256i *)(w0 + i))));
		s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(
						  x, _mm256_loadu_si256((const __m256i *)(w1 + i))));
		s2 = _mm256_add_epi32(s2, _mm256_madd_epi16(
						  x, _mm256_loadu_si256((const __m256i *)(w2 + i))));
		s3 = _mm256_add_epi32(s3, _mm256_madd_epi16(
						  x, _mm256_loadu_si256((const __m256i *)(w3 + i))));
	}
	out[0] = hsum(s0);
	out[1] = hsum(s1);
	out[2] = hsum(s2);
	out[3] = hsum(s3);
	for (; i < n; i++) {
		int32_t x = f[i];

		out[0] += x * w0[i];
		out[1] += x * w1[i];
		out[2] += x * w2[i];
		out[3] += x * w3[i];
	}
}

sim_dot_kb_fn sim_mac_simd_kernel(void)
{
	/* Cached: the answer cannot change while the process runs. */
	static _Atomic int state; /* 0 unknown, 1 none, 2 avx2 */
	int s = atomic_load_explicit(&state, memory_order_relaxed);

	if (s == 0) {
		__builtin_cpu_init();
		s = __builtin_cpu_supports("avx2") ? 2 : 1;
		atomic_store_explicit(&state, s, memory_order_relaxed);
	}
	return s == 2 ? dot_kb_avx2 : NULL;
}

#else

sim_dot_kb_fn sim_mac_simd_kernel(void)
{
	return NULL;
}

#endif
