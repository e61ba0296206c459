// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* Normal (NHWC / NCHW, OHWI / OIHW) <-> native (NC1HWC2, kernel groups)
 * layout conversion for features and convolution weights. */
#include <errno.h>
#include <string.h>

#include "rnpu/ops.h"

#define ATOM_BYTES 16u
/* Weights: kernels per group for 1- and 2-byte types, channels per block. */
#define KG_8BIT 32u
#define KG_16BIT 16u
#define WEIGHT_CHANNEL_BLOCK 32u
/* Depthwise weights: channel blocks of this many bytes. */
#define DW_BLOCK_BYTES 64u

unsigned int rnpu_dtype_size(enum rnpu_dtype dt)
{
	switch (dt) {
	case RNPU_DT_INT8:
		return 1;
	case RNPU_DT_INT16:
	case RNPU_DT_FP16:
		return 2;
	case RNPU_DT_INT32:
	case RNPU_DT_FP32:
		return 4;
	}
	return 0;
}

unsigned int rnpu_dtype_c2(enum rnpu_dtype dt)
{
	unsigned int eb = rnpu_dtype_size(dt);

	return eb ? ATOM_BYTES / eb : 0;
}

size_t rnpu_native_size(enum rnpu_dtype dt, uint32_t h, uint32_t w, uint32_t c)
{
	unsigned int c2 = rnpu_dtype_c2(dt);
	uint64_t atoms;

	if (!c2)
		return 0;
	atoms = ((uint64_t)c + c2 - 1) / c2 * h;
	if (w && atoms > UINT64_MAX / ATOM_BYTES / w)
		return 0;
	atoms *= w;
	if (atoms > SIZE_MAX / ATOM_BYTES)
		return 0;
	return (size_t)(atoms * ATOM_BYTES);
}

/* Element index of (ch, y, x) in a normal tensor. */
static size_t normal_index(enum rnpu_layout layout, uint32_t h, uint32_t w, uint32_t c,
			   uint32_t ch, uint32_t y, uint32_t x)
{
	if (layout == RNPU_LAYOUT_NCHW)
		return ((size_t)ch * h + y) * w + x;
	return ((size_t)y * w + x) * c + ch;
}

static int convert(enum rnpu_dtype dt, enum rnpu_layout layout, uint32_t h, uint32_t w,
		   uint32_t c, const void *src, void *dst, bool to_native)
{
	unsigned int eb = rnpu_dtype_size(dt), c2 = rnpu_dtype_c2(dt);
	size_t bytes = rnpu_native_size(dt, h, w, c);
	const unsigned char *in = src;
	unsigned char *out = dst;

	if (!eb || (layout != RNPU_LAYOUT_NHWC && layout != RNPU_LAYOUT_NCHW) || !src || !dst ||
	    (!bytes && h && w && c))
		return -EINVAL;
	if (to_native)
		memset(dst, 0, bytes);
	for (uint32_t ch = 0; ch < c; ch++) {
		size_t surface = (size_t)(ch / c2) * h * w;

		for (uint32_t y = 0; y < h; y++)
			for (uint32_t x = 0; x < w; x++) {
				size_t ni = ((surface + (size_t)y * w + x) * c2 + ch % c2) * eb;
				size_t oi = normal_index(layout, h, w, c, ch, y, x) * eb;

				if (to_native)
					memcpy(out + ni, in + oi, eb);
				else
					memcpy(out + oi, in + ni, eb);
			}
	}
	return 0;
}

int rnpu_to_native(enum rnpu_dtype dt, enum rnpu_layout layout, uint32_t h, uint32_t w,
		   uint32_t c, const void *src, void *dst)
{
	return convert(dt, layout, h, w, c, src, dst, true);
}

int rnpu_from_native(enum rnpu_dtype dt, enum rnpu_layout layout, uint32_t h, uint32_t w,
		     uint32_t c, const void *src, void *dst)
{
	return convert(dt, layout, h, w, c, src, dst, false);
}

static bool weight_type_ok(enum rnpu_dtype dt)
{
	return dt == RNPU_DT_INT8 || dt == RNPU_DT_INT16 || dt == RNPU_DT_FP16;
}

size_t rnpu_native_weights_size(enum rnpu_dtype dt, uint32_t o, uint32_t kh, uint32_t kw,
				uint32_t c, bool depthwise)
{
	unsigned int eb = rnpu_dtype_size(dt), c2 = rnpu_dtype_c2(dt);
	uint64_t ca, n;

	if (!weight_type_ok(dt))
		return 0;
	ca = ((uint64_t)c + c2 - 1) / c2 * c2;
	n = (uint64_t)kh * kw * ca * eb;
	if (!depthwise) {
		if (o && n > UINT64_MAX / o)
			return 0;
		n *= o;
	}
	return n > SIZE_MAX ? 0 : (size_t)n;
}

/* Native element index of kernel @oc, tap (ky, kx), channel @ch for a
 * direct convolution of @o kernels of @ca (padded) channels. */
static size_t direct_index(unsigned int kg, uint32_t o, uint32_t kh, uint32_t kw, uint32_t ca,
			   uint32_t oc, uint32_t ky, uint32_t kx, uint32_t ch)
{
	uint32_t cb = WEIGHT_CHANNEL_BLOCK;
	uint32_t g = oc / kg, j = ch / cb;
	/* The last group and block are compacted to what is left. */
	size_t ng = o - g * kg < kg ? o - g * kg : kg;
	size_t cbj = ca - j * cb < cb ? ca - j * cb : cb;

	return (size_t)g * kg * kh * kw * ca + (size_t)j * ng * kh * kw * cb +
	       ((size_t)ky * kw + kx) * ng * cbj + (size_t)(oc % kg) * cbj + ch % cb;
}

static size_t dw_index(unsigned int eb, uint32_t kh, uint32_t kw, uint32_t ca, uint32_t ky,
		       uint32_t kx, uint32_t ch)
{
	uint32_t blk = DW_BLOCK_BYTES / eb;
	uint32_t c0 = ch / blk * blk;
	size_t cb = ca - c0 < blk ? ca - c0 : blk;

	return (size_t)c0 * kh * kw + ((size_t)ky * kw + kx) * cb + ch - c0;
}

static int convert_weights(enum rnpu_dtype dt, enum rnpu_layout layout, uint32_t o, uint32_t kh,
			   uint32_t kw, uint32_t c, bool dw, const void *src, void *dst,
			   bool to_native)
{
	unsigned int eb = rnpu_dtype_size(dt), c2 = rnpu_dtype_c2(dt);
	size_t bytes = rnpu_native_weights_size(dt, o, kh, kw, c, dw);
	unsigned int kg = eb == 1 ? KG_8BIT : KG_16BIT;
	const unsigned char *in = src;
	unsigned char *out = dst;
	uint32_t ca, nk;

	if (!weight_type_ok(dt) || !src || !dst || !bytes || !o || !c ||
	    (layout != RNPU_LAYOUT_NHWC && layout != RNPU_LAYOUT_NCHW) || (dw && o != c))
		return -EINVAL;
	ca = (c + c2 - 1) / c2 * c2;
	nk = dw ? 1 : o;
	if (to_native)
		memset(dst, 0, bytes);
	for (uint32_t oc = 0; oc < nk; oc++)
		for (uint32_t ky = 0; ky < kh; ky++)
			for (uint32_t kx = 0; kx < kw; kx++)
				for (uint32_t ch = 0; ch < c; ch++) {
					size_t ni = dw ? dw_index(eb, kh, kw, ca, ky, kx, ch)
						       : direct_index(kg, o, kh, kw, ca, oc, ky,
								      kx, ch);
					size_t oi;

					if (layout == RNPU_LAYOUT_NHWC)
						oi = (((size_t)oc * kh + ky) * kw + kx) * c + ch;
					else
						oi = (((size_t)oc * c + ch) * kh + ky) * kw + kx;
					if (to_native)
						memcpy(out + ni * eb, in + oi * eb, eb);
					else
						memcpy(out + oi * eb, in + ni * eb, eb);
				}
	return 0;
}

int rnpu_weights_to_native(enum rnpu_dtype dt, enum rnpu_layout layout, uint32_t o, uint32_t kh,
			   uint32_t kw, uint32_t c, bool depthwise, const void *src, void *dst)
{
	return convert_weights(dt, layout, o, kh, kw, c, depthwise, src, dst, true);
}

int rnpu_weights_from_native(enum rnpu_dtype dt, enum rnpu_layout layout, uint32_t o,
			     uint32_t kh, uint32_t kw, uint32_t c, bool depthwise,
			     const void *src, void *dst)
{
	return convert_weights(dt, layout, o, kh, kw, c, depthwise, src, dst, false);
}
