// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * SIMD kernels for the MAC loop, chosen at run time from what the host CPU
 * supports (AVX2, and FMA + F16C for binary16): a dot product of four
 * kernels (int8 and int16), and the 6-pixel x 2-kernel tiles of the fast
 * path for int8 (int4 rides them on weights widened to a byte) and fp16.
 *
 * Integer tiles add the same products as the plain loop in sim_mac.c;
 * integer addition is exact and associative here (no partial sum can
 * overflow int32, see dot_i16_kb), so results are identical bit for bit.
 * The fp16 tiles keep the plain loop's order of additions per lane
 * (SIM_ASSUME_FP_ACC_LANES; see tile_f_cvt_np), so they round alike.
 */
#include <string.h>

#include "sim_internal.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
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

/* 64-bit sum of eight int32 lanes (their int32 sum may overflow). */
AVX2 static int64_t hsum64(__m256i v)
{
	__m256i q = _mm256_add_epi64(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(v)),
				     _mm256_cvtepi32_epi64(_mm256_extracti128_si256(v, 1)));
	__m128i s = _mm_add_epi64(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));

	return _mm_cvtsi128_si64(s) + _mm_extract_epi64(s, 1);
}

_Static_assert(SIM_MAC_TILE_PX == 6 && SIM_MAC_TILE_KB == 2, "the tiles are 6 pixels x 2 kernels");
_Static_assert(SIM_CB == 32, "a full channel block is two int8 vectors, four fp32 ones");

/* Where tap @t of channel block @c0 (of @cb channels) of the group's
 * kernel 0 lies in the kernel-group tiling: [block][tap][kernel][channel]. */
static size_t wt_at(const struct sim_tile *tl, size_t c0, size_t cb, size_t t)
{
	return c0 * tl->taps * tl->ng + t * tl->ng * cb;
}

/* The channels past the last multiple of 16 of each block, in 64 bits;
 * kept out of the vector loop so its accumulators stay in registers. */
__attribute__((noinline)) static void tail_i8(const struct sim_tile *tl,
					      int64_t tail[SIM_MAC_TILE_PX][SIM_MAC_TILE_KB])
{
	for (size_t t = 0; t < tl->taps; t++)
		for (size_t c0 = 0; c0 < tl->wc; c0 += SIM_CB) {
			size_t cb = tl->wc - c0 < SIM_CB ? tl->wc - c0 : SIM_CB;
			const int8_t *wt = (const int8_t *)tl->wg + wt_at(tl, c0, cb, t);

			for (size_t i = cb & ~(size_t)15; i < cb; i++)
				for (unsigned int p = 0; p < SIM_MAC_TILE_PX; p++) {
					int32_t x = ((const int16_t *)tl->f[p])[tl->tap_off[t] + c0 + i];

					for (unsigned int j = 0; j < SIM_MAC_TILE_KB; j++)
						tail[p][j] += x * wt[tl->k[j] * cb + i];
				}
		}
}

/* An empty asm that needs both values in vector registers here: without
 * it gcc hoists all products of a step ahead of their additions and
 * spills the accumulators (a third slower). */
#define KEEP_IN_REGISTERS(u, v) __asm__("" : "+x"(u), "+x"(v))

/* Pixel p's feature vector against both kernels' weight vectors. */
#define MADD2(p, i)                                                                \
	do {                                                                       \
		__m256i x_ = _mm256_loadu_si256((const __m256i *)(f##p + (i)));    \
		__asm__("" : "+x"(x_));                                            \
		a##p##0 = _mm256_add_epi32(a##p##0, _mm256_madd_epi16(x_, y0));    \
		a##p##1 = _mm256_add_epi32(a##p##1, _mm256_madd_epi16(x_, y1));    \
		KEEP_IN_REGISTERS(a##p##0, a##p##1);                               \
	} while (0)

/* 16 channels at @i: both kernels' int8 weights widened, then five pixels. */
#define STEP_I8(i)                                                                     \
	do {                                                                           \
		__m256i y0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w0 + (i)))); \
		__m256i y1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w1 + (i)))); \
                                                                                       \
		MADD2(0, i);                                                           \
		MADD2(1, i);                                                           \
		MADD2(2, i);                                                           \
		MADD2(3, i);                                                           \
		MADD2(4, i);                                                           \
		MADD2(5, i);                                                           \
	} while (0)

/* Each pixel's first feature of tap @t, @c0 channels in. */
#define TAP_FEATURES(type, t, c0)                                           \
	const type *f0 = (const type *)tl->f[0] + tl->tap_off[t] + (c0);   \
	const type *f1 = (const type *)tl->f[1] + tl->tap_off[t] + (c0);   \
	const type *f2 = (const type *)tl->f[2] + tl->tap_off[t] + (c0);   \
	const type *f3 = (const type *)tl->f[3] + tl->tap_off[t] + (c0);   \
	const type *f4 = (const type *)tl->f[4] + tl->tap_off[t] + (c0);   \
	const type *f5 = (const type *)tl->f[5] + tl->tap_off[t] + (c0)

/* Five pixels x two kernels in ten int32 vectors: each lane sums the
 * products of the channels congruent to it, over all taps. Exact: see
 * SIM_MAC_TILE_MAX_K; the lanes are added in 64 bits, and so are the
 * channels past the last multiple of 16 of a block (tail_i8). */
AVX2 static void tile_i8_avx2(const struct sim_tile *tl,
			      int64_t out[SIM_MAC_TILE_PX][SIM_MAC_TILE_KB])
{
	__m256i a00 = _mm256_setzero_si256(), a01 = a00, a10 = a00, a11 = a00, a20 = a00;
	__m256i a21 = a00, a30 = a00, a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00;
	int64_t tail[SIM_MAC_TILE_PX][SIM_MAC_TILE_KB] = { { 0 } };
	const int8_t *wg = tl->wg;
	size_t wc = tl->wc, nfull = wc / SIM_CB, rem = wc % SIM_CB;
	size_t bstride = tl->taps * tl->ng * SIM_CB;

	for (size_t t = 0; t < tl->taps; t++) {
		const int8_t *wt = wg + wt_at(tl, 0, SIM_CB, t);
		const int8_t *w0 = wt + tl->k[0] * SIM_CB, *w1 = wt + tl->k[1] * SIM_CB;
		TAP_FEATURES(int16_t, t, 0);

		/* Full blocks: the same kernel's next block is a fixed stride on. */
		for (size_t b = 0; b < nfull; b++) {
			STEP_I8(0);
			STEP_I8(16);
			w0 += bstride;
			w1 += bstride;
			f0 += SIM_CB;
			f1 += SIM_CB;
			f2 += SIM_CB;
			f3 += SIM_CB;
			f4 += SIM_CB;
			f5 += SIM_CB;
		}
		if (rem >= 16) {
			wt = wg + wt_at(tl, nfull * SIM_CB, rem, t);
			w0 = wt + tl->k[0] * rem;
			w1 = wt + tl->k[1] * rem;
			STEP_I8(0);
		}
	}
	if (wc % 16)
		tail_i8(tl, tail);
	out[0][0] = hsum64(a00) + tail[0][0];
	out[0][1] = hsum64(a01) + tail[0][1];
	out[1][0] = hsum64(a10) + tail[1][0];
	out[1][1] = hsum64(a11) + tail[1][1];
	out[2][0] = hsum64(a20) + tail[2][0];
	out[2][1] = hsum64(a21) + tail[2][1];
	out[3][0] = hsum64(a30) + tail[3][0];
	out[3][1] = hsum64(a31) + tail[3][1];
	out[4][0] = hsum64(a40) + tail[4][0];
	out[4][1] = hsum64(a41) + tail[4][1];
	out[5][0] = hsum64(a50) + tail[5][0];
	out[5][1] = hsum64(a51) + tail[5][1];
}

#define AVX2_FMA __attribute__((target("avx2,fma,f16c")))

/* Eight binary16 weights (little-endian, as fetched) as floats; F16C
 * converts every non-NaN value exactly, like sim_half_to_float. */
AVX2_FMA static __m256 half8(const uint16_t *w)
{
	return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)w));
}

/* @n (< 8) binary16 weights as floats, zeros after them. */
AVX2_FMA static __m256 half_tail(const uint16_t *w, size_t n)
{
	uint16_t h[8] = { 0 };

	memcpy(h, w, n * sizeof(uint16_t));
	return half8(h);
}

/* Pixel p's feature vector against both kernels' weight vectors; pixels
 * past the tile's NP (a compile-time constant) drop out. */
#define FMA2(p, x)                                                  \
	do {                                                        \
		if ((p) < NP) {                                     \
			__m256 x_ = (x);                            \
			__asm__("" : "+x"(x_));                     \
			a##p##0 = _mm256_fmadd_ps(x_, y0, a##p##0); \
			a##p##1 = _mm256_fmadd_ps(x_, y1, a##p##1); \
			KEEP_IN_REGISTERS(a##p##0, a##p##1);        \
		}                                                   \
	} while (0)

/* Every pixel's eight channels at @i against y0 and y1, which stay in
 * registers: gcc would otherwise fold panel loads into every FMA as a
 * memory operand, three loads per two FMAs, more than the load ports
 * take. */
#define FMA_PIXELS(i)                               \
	do {                                        \
		KEEP_IN_REGISTERS(y0, y1);          \
		FMA2(0, _mm256_loadu_ps(f0 + (i))); \
		FMA2(1, _mm256_loadu_ps(f1 + (i))); \
		FMA2(2, _mm256_loadu_ps(f2 + (i))); \
		FMA2(3, _mm256_loadu_ps(f3 + (i))); \
		FMA2(4, _mm256_loadu_ps(f4 + (i))); \
		FMA2(5, _mm256_loadu_ps(f5 + (i))); \
	} while (0)

/* The last @r (< 8) channels, at @i: the features masked (past them lie
 * the next tap's or pixel's, maybe infinite), the weights zero. */
#define FMA_PIXELS_TAIL(i, r)                                                              \
	do {                                                                               \
		__m256i m_ = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(r)),               \
						_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); \
                                                                                           \
		KEEP_IN_REGISTERS(y0, y1);                                                 \
		FMA2(0, _mm256_maskload_ps(f0 + (i), m_));                                 \
		FMA2(1, _mm256_maskload_ps(f1 + (i), m_));                                 \
		FMA2(2, _mm256_maskload_ps(f2 + (i), m_));                                 \
		FMA2(3, _mm256_maskload_ps(f3 + (i), m_));                                 \
		FMA2(4, _mm256_maskload_ps(f4 + (i), m_));                                 \
		FMA2(5, _mm256_maskload_ps(f5 + (i), m_));                                 \
	} while (0)

#define LOAD_PART(p)                                                   \
	do {                                                           \
		if ((p) < NP) {                                        \
			a##p##0 = _mm256_loadu_ps(part[p][0]);         \
			a##p##1 = _mm256_loadu_ps(part[p][1]);         \
		}                                                      \
	} while (0)

#define STORE_PART(p)                                                  \
	do {                                                           \
		if ((p) < NP) {                                        \
			_mm256_storeu_ps(part[p][0], a##p##0);         \
			_mm256_storeu_ps(part[p][1], a##p##1);         \
		}                                                      \
	} while (0)

#define ACCUMULATORS                                                                          \
	__m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00;         \
	__m256 a21 = a00, a30 = a00, a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00; \
	LOAD_PART(0);                                                                         \
	LOAD_PART(1);                                                                         \
	LOAD_PART(2);                                                                         \
	LOAD_PART(3);                                                                         \
	LOAD_PART(4);                                                                         \
	LOAD_PART(5)

#define STORE_ACCUMULATORS \
	do {               \
		STORE_PART(0); \
		STORE_PART(1); \
		STORE_PART(2); \
		STORE_PART(3); \
		STORE_PART(4); \
		STORE_PART(5); \
	} while (0)

/*
 * The SIM_ASSUME_FP_ACC_LANES order with one vector lane per partial sum,
 * channels in order, as in the plain loop; the caller walks taps and
 * channel blocks in order, so every lane adds the same products in the
 * same order as the oracle. A product of two binary16 values is exact in
 * binary32, so a fused multiply-add rounds exactly as the plain loop's
 * multiply then add. Past the last full vector of a tap, zero weights and
 * masked features feed the unused lanes; a partial sum that starts at +0
 * never becomes -0 by round-to-nearest addition, so adding +0 leaves it
 * unchanged. NP pixels (1..6): a short tile does only its own work.
 *
 * The first tile of a chunk converts the binary16 weights (F16C converts
 * every non-NaN value exactly, like sim_half_to_float) and leaves them in
 * the panel, one step of 16 floats per 8 channels (kernel 0's eight, then
 * kernel 1's), in the order it uses them; the chunk's other tiles read the
 * panel. The conversion overlaps the first tile's arithmetic instead of
 * being repeated by every tile.
 */
__attribute__((always_inline)) AVX2_FMA static inline void
tile_f_cvt_np(const struct sim_tile *tl, float *panel, size_t t, size_t b0, size_t b1,
	      float part[][SIM_MAC_TILE_KB][SIM_ASSUME_FP_ACC_LANES], const unsigned int NP)
{
	const uint16_t *wg = tl->wg;
	size_t wc = tl->wc, nfull = wc / SIM_CB, rem = wc % SIM_CB;
	size_t bstride = tl->taps * tl->ng * SIM_CB;
	size_t bfull = b1 < nfull ? b1 : nfull;
	TAP_FEATURES(float, t, b0 * SIM_CB);
	ACCUMULATORS;

	_Static_assert(SIM_ASSUME_FP_ACC_LANES == 8, "one 8-lane vector per partial-sum set");
	if (b0 < bfull) {
		const uint16_t *wt = wg + wt_at(tl, b0 * SIM_CB, SIM_CB, t);
		const uint16_t *w0 = wt + tl->k[0] * SIM_CB, *w1 = wt + tl->k[1] * SIM_CB;

		for (size_t b = b0; b < bfull; b++) {
			for (size_t i = 0; i < SIM_CB; i += 8) {
				__m256 y0 = half8(w0 + i), y1 = half8(w1 + i);

				_mm256_store_ps(panel, y0);
				_mm256_store_ps(panel + 8, y1);
				panel += 16;
				FMA_PIXELS(i);
			}
			w0 += bstride;
			w1 += bstride;
			f0 += SIM_CB;
			f1 += SIM_CB;
			f2 += SIM_CB;
			f3 += SIM_CB;
			f4 += SIM_CB;
			f5 += SIM_CB;
		}
	}
	if (rem && b1 > nfull) {
		const uint16_t *wt = wg + wt_at(tl, nfull * SIM_CB, rem, t);
		const uint16_t *w0 = wt + tl->k[0] * rem, *w1 = wt + tl->k[1] * rem;
		size_t i;

		for (i = 0; i + 8 <= rem; i += 8) {
			__m256 y0 = half8(w0 + i), y1 = half8(w1 + i);

			_mm256_store_ps(panel, y0);
			_mm256_store_ps(panel + 8, y1);
			panel += 16;
			FMA_PIXELS(i);
		}
		if (rem % 8) {
			__m256 y0 = half_tail(w0 + i, rem % 8), y1 = half_tail(w1 + i, rem % 8);

			_mm256_store_ps(panel, y0);
			_mm256_store_ps(panel + 8, y1);
			FMA_PIXELS_TAIL(i, rem % 8);
		}
	}
	STORE_ACCUMULATORS;
}

/* @pairs kernel pairs from the panel (pair i at @panel + i * @pstride)
 * into @part (pair i's pixels from part[i * SIM_MAC_TILE_PX]). The
 * channels of [@b0, @b1) are contiguous in the features and the panel. */
__attribute__((always_inline)) AVX2_FMA static inline void
tile_f_np(const struct sim_tile *tl, const float *panel, size_t pstride, size_t pairs, size_t t,
	  size_t b0, size_t b1, float part[][SIM_MAC_TILE_KB][SIM_ASSUME_FP_ACC_LANES],
	  const unsigned int NP)
{
	size_t c0 = b0 * SIM_CB, c1 = b1 * SIM_CB < tl->wc ? b1 * SIM_CB : tl->wc;
	size_t n = c1 > c0 ? c1 - c0 : 0, steps = n / 8, r = n % 8;

	for (size_t pi = 0; pi < pairs; pi++, panel += pstride, part += SIM_MAC_TILE_PX) {
		const float *w = panel;
		TAP_FEATURES(float, t, c0);
		ACCUMULATORS;
		size_t s;

		/* One step per iteration: unrolled, gcc loads the next step's
		 * weights early and spills an accumulator. */
		for (s = 0; s < steps; s++) {
			__m256 y0 = _mm256_load_ps(w + 16 * s), y1 = _mm256_load_ps(w + 16 * s + 8);

			FMA_PIXELS(8 * s);
		}
		w += 16 * steps;
		f0 += 8 * steps;
		f1 += 8 * steps;
		f2 += 8 * steps;
		f3 += 8 * steps;
		f4 += 8 * steps;
		f5 += 8 * steps;
		if (r) {
			__m256 y0 = _mm256_load_ps(w), y1 = _mm256_load_ps(w + 8);

			FMA_PIXELS_TAIL(0, r);
		}
		STORE_ACCUMULATORS;
	}
}

#define TILE_F(n)                                                                        \
	AVX2_FMA static void tile_f_cvt_##n(const struct sim_tile *tl, float *panel,       \
					    size_t t, size_t b0, size_t b1,                \
					    float part[][SIM_MAC_TILE_KB]                  \
						      [SIM_ASSUME_FP_ACC_LANES])           \
	{                                                                                \
		tile_f_cvt_np(tl, panel, t, b0, b1, part, n);                            \
	}                                                                                \
	AVX2_FMA static void tile_f_##n(const struct sim_tile *tl, const float *panel,     \
					size_t pstride, size_t pairs, size_t t, size_t b0, \
					size_t b1,                                         \
					float part[][SIM_MAC_TILE_KB][SIM_ASSUME_FP_ACC_LANES]) \
	{                                                                                \
		tile_f_np(tl, panel, pstride, pairs, t, b0, b1, part, n);                \
	}
TILE_F(1)
TILE_F(2)
TILE_F(3)
TILE_F(4)
TILE_F(5)
TILE_F(6)

/* Pixels 0 .. tl->np - 1 of @part. */
static void tile_f_cvt_avx2(const struct sim_tile *tl, float *panel, size_t t, size_t b0,
			    size_t b1, float part[][SIM_MAC_TILE_KB][SIM_ASSUME_FP_ACC_LANES])
{
	static const sim_tile_f_cvt_fn by_np[] = { tile_f_cvt_1, tile_f_cvt_1, tile_f_cvt_2,
						   tile_f_cvt_3, tile_f_cvt_4, tile_f_cvt_5,
						   tile_f_cvt_6 };

	_Static_assert(SIM_MAC_TILE_PX == 6, "one kernel per tile height");
	by_np[tl->np <= SIM_MAC_TILE_PX ? tl->np : SIM_MAC_TILE_PX](tl, panel, t, b0, b1, part);
}

static void tile_f_avx2(const struct sim_tile *tl, const float *panel, size_t pstride,
			size_t pairs, size_t t, size_t b0, size_t b1,
			float part[][SIM_MAC_TILE_KB][SIM_ASSUME_FP_ACC_LANES])
{
	static const sim_tile_f_fn by_np[] = { tile_f_1, tile_f_1, tile_f_2, tile_f_3,
					       tile_f_4, tile_f_5, tile_f_6 };

	by_np[tl->np <= SIM_MAC_TILE_PX ? tl->np : SIM_MAC_TILE_PX](tl, panel, pstride, pairs, t,
								     b0, b1, part);
}

static int host_simd(void)
{
	/* Cached: the answer cannot change while the process runs. */
	static _Atomic int state; /* 0 unknown, 1 none, 2 avx2, 3 avx2 + fma + f16c */
	int s = atomic_load_explicit(&state, memory_order_relaxed);

	if (s == 0) {
		unsigned int eax, ebx, ecx = 0, edx;

		/* F16C is CPUID leaf 1, ECX bit 29 (not every compiler's
		 * __builtin_cpu_supports knows it). */
		__builtin_cpu_init();
		if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
			ecx = 0;
		s = !__builtin_cpu_supports("avx2")			      ? 1
		    : __builtin_cpu_supports("fma") && (ecx & bit_F16C) ? 3
									: 2;
		atomic_store_explicit(&state, s, memory_order_relaxed);
	}
	return s;
}

const struct sim_mac_fast *sim_mac_fast_kernels(void)
{
	static const struct sim_mac_fast avx2 = { .tile_i8 = tile_i8_avx2 };
	static const struct sim_mac_fast avx2_fma = { .tile_i8 = tile_i8_avx2,
						      .tile_f_cvt = tile_f_cvt_avx2,
						      .tile_f = tile_f_avx2 };
	int s = host_simd();

	return s == 3 ? &avx2_fma : s == 2 ? &avx2 : NULL;
}

sim_dot_kb_fn sim_mac_simd_kernel(void)
{
	return host_simd() >= 2 ? dot_kb_avx2 : NULL;
}

#else

const struct sim_mac_fast *sim_mac_fast_kernels(void)
{
	return NULL;
}

sim_dot_kb_fn sim_mac_simd_kernel(void)
{
	return NULL;
}

#endif
