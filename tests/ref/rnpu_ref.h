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

/* ---- integer matmul, wider inputs ---------------------------------------- */

/* C = A x B with int16 inputs, exact in 64 bits. */
void ref_matmul_i16_i64(uint32_t m, uint32_t k, uint32_t n, const int16_t *a, const int16_t *b,
			int64_t *c);

/* ---- int4 ------------------------------------------------------------------ */

/*
 * C = A x B with int4 inputs held one per int8_t (each in [-8, 7]), exact in
 * 32 bits (|a*b| <= 64). ref_matmul_i4_i16() saturates each sum to int16,
 * the result the int16 output of RKNN_INT4_MM_INT4_TO_INT16 is checked
 * against (sums outside int16 are an assumption of the model,
 * docs/hw-assumptions.md).
 */
void ref_matmul_i4_i32(uint32_t m, uint32_t k, uint32_t n, const int8_t *a, const int8_t *b,
		       int32_t *c);
void ref_matmul_i4_i16(uint32_t m, uint32_t k, uint32_t n, const int8_t *a, const int8_t *b,
		       int16_t *c);
/* Random int4 values in [lo, hi] (-8 <= lo <= hi <= 7), one per int8_t. */
void ref_fill_i4(struct ref_rng *r, int8_t *dst, size_t count, int lo, int hi);
/*
 * Two's-complement nibble @i of a packed run: element 2j in the low nibble
 * of byte j when @even_low (the RKNN normal layout), else in the high one.
 */
int8_t ref_i4_get(const uint8_t *packed, size_t i, bool even_low);
void ref_i4_set(uint8_t *packed, size_t i, int8_t v, bool even_low);

/* ---- convolution (NCHW, batch 1) ----------------------------------------- */

/*
 * Input x[c][h][w]; weights w[o][c][kh][kw] (depthwise: w[c][kh][kw], o = c);
 * output y[o][oh][ow]. Output (oy, ox), tap (ky, kx) reads input row
 * oy*sy - pt + ky*dy and column ox*sx - pl + kx*dx; outside the input it
 * reads @pad. Right/bottom padding is whatever oh/ow imply. dy, dx are the
 * distances between taps (1 = no dilation).
 */
struct ref_conv_shape {
	uint32_t c, h, w;
	uint32_t o, kh, kw;
	uint32_t sy, sx;
	uint32_t dy, dx;
	uint32_t pt, pl;
	uint32_t oh, ow;
	bool depthwise;
};

void ref_conv2d_i64(const struct ref_conv_shape *s, const int32_t *x, const int32_t *w,
		    int32_t pad, int64_t *y);
/* Same in double; @absdot (may be NULL) receives sum(|x*w|) per output. */
void ref_conv2d_f64(const struct ref_conv_shape *s, const double *x, const double *w, double pad,
		    double *y, double *absdot);
/* Sum of the inputs each output reads (padding included): y[oh][ow] over
 * all channels, or y[c][oh][ow] per channel for depthwise. */
void ref_window_sum_i64(const struct ref_conv_shape *s, const int32_t *x, int32_t pad,
			int64_t *y);

/* ---- fixed-point arithmetic --------------------------------------------- */

enum ref_round {
	REF_ROUND_HALF_EVEN, /* ties to the even neighbour */
	REF_ROUND_HALF_UP,   /* ties toward +infinity */
};

/* v / 2^shift rounded to an integer (shift <= 62). */
int64_t ref_rshift_round(int64_t v, unsigned int shift, enum ref_round mode);
/* A double (|v| < 2^62) rounded to an integer. */
int64_t ref_round_double(double v, enum ref_round mode);
int64_t ref_clamp(int64_t v, int64_t lo, int64_t hi);
/* Saturation to a signed integer of @bits bits (2..64). */
int64_t ref_sat_bits(int64_t v, unsigned int bits);

/*
 * Requantisation as a fixed-point scale: add_first = false gives
 * round(x*scale / 2^shift) + offset, add_first = true gives
 * round((x + offset)*scale / 2^shift); then saturation to @out_bits.
 */
int64_t ref_requant(int64_t x, int64_t scale, unsigned int shift, int64_t offset, bool add_first,
		    enum ref_round mode, unsigned int out_bits);

/*
 * A real scale (2^-49 .. 32767) as the NPU's per-channel multiplier and
 * shift, by the documented rule: multiplier = round(scale * 2^shift),
 * ties to even, with the largest shift (<= 63) that keeps the
 * multiplier within 15 bits.
 */
void ref_scale_q15(double scale, int64_t *multiplier, unsigned int *shift);

/* ---- elementwise ---------------------------------------------------------- */

enum ref_ew_op {
	REF_EW_MAX,
	REF_EW_MIN,
	REF_EW_ADD,
	REF_EW_SUB, /* a - b */
	REF_EW_MUL,
	REF_EW_DIV, /* a / b */
	REF_EW_ABS, /* |a| */
	REF_EW_NEG, /* -a */
	REF_EW_FLOOR,
	REF_EW_CEIL,
};

/* Exact integer result (no saturation); DIV, FLOOR and CEIL are not
 * integer operations and return a unchanged. */
int64_t ref_ew_i64(enum ref_ew_op op, int64_t a, int64_t b);
double ref_ew_f64(enum ref_ew_op op, double a, double b);

/* ---- pooling (NCHW, batch 1) ------------------------------------------- */

enum ref_pool_op {
	REF_POOL_AVG_SUM, /* the window sum; the caller divides */
	REF_POOL_MAX,
	REF_POOL_MIN,
};

/* Window (oy, ox) covers rows oy*sy - pt .. + kh - 1 and columns
 * ox*sx - pl .. + kw - 1; cells outside the input hold @pad. */
struct ref_pool_shape {
	uint32_t c, h, w;
	uint32_t kh, kw, sy, sx, pt, pl;
	uint32_t oh, ow;
};

void ref_pool2d_i64(const struct ref_pool_shape *s, enum ref_pool_op op, const int32_t *x,
		    int32_t pad, int64_t *y);
void ref_pool2d_f64(const struct ref_pool_shape *s, enum ref_pool_op op, const double *x,
		    double pad, double *y);

/* ---- number formats ---------------------------------------------------- */

/* Nearest binary16 (ties to even; overflow to infinity), as bits. */
uint16_t ref_half_from_double(double v);
/* Exact value of a 17-bit float: sign [16], exponent [15:10] (bias 31),
 * fraction [9:0]; exponent 0 is zero/subnormal. */
double ref_fp17_value(uint32_t bits);

/* ---- lookup table (docs/hw-lut.md, NVDLA SDP LUT integer path) --------- */

#define REF_LUT_ENTRIES 513

/* One table: its range, index step 2^sel, and the out-of-range slopes. */
struct ref_lut_side {
	int32_t start, end;
	unsigned int sel;
	int16_t under_scale, over_scale;
	unsigned int under_shift, over_shift;
	const int16_t *t;   /* REF_LUT_ENTRIES entries */
};

struct ref_lut {
	struct ref_lut_side le, lo;
	bool le_log;        /* LE indexed by log2(x - start) - le_offset */
	int le_offset;
	bool under_lo, over_lo, both_lo; /* table picked on underflow,
					  * overflow, and otherwise (true LO) */
};

/* The table's answer for the 32-bit value @x, as the formula in
 * docs/hw-lut.md states it (exact integer arithmetic, floor divisions). */
int64_t ref_lut_apply(const struct ref_lut *l, int64_t x);

#ifdef __cplusplus
}
#endif
#endif
