// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* Native tensor layouts of the matmul path (hardware notes section 5). */
#include <errno.h>
#include <string.h>

#include "rnpu/matmul_task.h"

/* Feature maps are stored in 16-byte atoms of C2 channels of one pixel. */
#define ATOM_BYTES 16u

int rnpu_matmul_layout(enum rnpu_mm_type type, struct rnpu_mm_layout *out)
{
	switch (type) {
	case RNPU_MM_INT8_INT32:
		*out = (struct rnpu_mm_layout){ .in_bytes = 1, .out_bytes = 4, .kernel_group = 32 };
		break;
	case RNPU_MM_FP16_FP32:
		*out = (struct rnpu_mm_layout){ .in_bytes = 2, .out_bytes = 4, .kernel_group = 16 };
		break;
	case RNPU_MM_FP16_FP16:
		*out = (struct rnpu_mm_layout){ .in_bytes = 2, .out_bytes = 2, .kernel_group = 16 };
		break;
	case RNPU_MM_INT8_INT8:
		*out = (struct rnpu_mm_layout){ .in_bytes = 1, .out_bytes = 1, .kernel_group = 32 };
		break;
	case RNPU_MM_INT16_INT32:
		*out = (struct rnpu_mm_layout){ .in_bytes = 2, .out_bytes = 4, .kernel_group = 16 };
		break;
	case RNPU_MM_INT4_INT16:
		/* Half a byte per element: in_bytes 0 makes byte math fail loudly. */
		*out = (struct rnpu_mm_layout){ .in_bits = 4, .out_bytes = 2, .kernel_group = 64 };
		break;
	default:
		return -EINVAL;
	}
	if (!out->in_bits)
		out->in_bits = 8 * out->in_bytes;
	out->in_c2 = 8 * ATOM_BYTES / out->in_bits;
	out->out_c2 = ATOM_BYTES / out->out_bytes;
	out->channel_block = 32;
	return 0;
}

/* surfaces * rows * 16 bytes, 0 on overflow. */
static size_t cube_bytes(uint32_t rows, uint32_t channels, uint32_t c2)
{
	uint64_t surfaces = ((uint64_t)channels + c2 - 1) / c2;

	if (rows && surfaces > (uint64_t)SIZE_MAX / ATOM_BYTES / rows)
		return 0;
	return (size_t)(surfaces * rows * ATOM_BYTES);
}

size_t rnpu_matmul_a_size(enum rnpu_mm_type type, uint32_t m, uint32_t k, uint32_t n)
{
	struct rnpu_mm_layout l;

	(void)n;
	if (rnpu_matmul_layout(type, &l))
		return 0;
	return cube_bytes(m, k, l.in_c2);
}

size_t rnpu_matmul_b_size(enum rnpu_mm_type type, uint32_t m, uint32_t k, uint32_t n)
{
	struct rnpu_mm_layout l;
	uint64_t elems = (uint64_t)k * n;

	(void)m;
	if (rnpu_matmul_layout(type, &l))
		return 0;
	/* Compacted groups and blocks leave no holes. */
	if (elems > (uint64_t)SIZE_MAX / l.in_bits)
		return 0;
	return (size_t)((elems * l.in_bits + 7) / 8);
}

size_t rnpu_matmul_c_size(enum rnpu_mm_type type, uint32_t m, uint32_t k, uint32_t n)
{
	struct rnpu_mm_layout l;

	(void)k;
	if (rnpu_matmul_layout(type, &l))
		return 0;
	return cube_bytes(m, n, l.out_c2);
}

size_t rnpu_matmul_acc_size(uint32_t m, uint32_t n)
{
	return cube_bytes(m, n, ATOM_BYTES / 4);
}

/* Element index of (row, ch) in a W = 1 NC1HWC2 cube of @rows rows. */
static size_t cube_index(uint32_t rows, uint32_t c2, uint32_t row, uint32_t ch)
{
	return ((size_t)(ch / c2) * rows + row) * c2 + ch % c2;
}

/* int4 element @idx of a packed run: two per byte, even index high. */
static void put_int4(unsigned char *base, size_t idx, int8_t v)
{
	unsigned char nib = (unsigned char)v & 0x0fu;

	if (idx % 2)
		base[idx / 2] = (unsigned char)((base[idx / 2] & 0xf0u) | nib);
	else
		base[idx / 2] = (unsigned char)((base[idx / 2] & 0x0fu) | (nib << 4));
}

static int int4_range(const int8_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] < -8 || v[i] > 7)
			return -EINVAL;
	return 0;
}

int rnpu_matmul_pack_a(enum rnpu_mm_type type, uint32_t m, uint32_t k, const void *a_rowmajor,
		       void *dst)
{
	const unsigned char *src = a_rowmajor;
	unsigned char *out = dst;
	struct rnpu_mm_layout l;

	if (rnpu_matmul_layout(type, &l))
		return -EINVAL;
	memset(dst, 0, rnpu_matmul_a_size(type, m, k, 0));
	if (l.in_bits == 4) {
		if (int4_range(a_rowmajor, (size_t)m * k))
			return -EINVAL;
		for (uint32_t row = 0; row < m; row++)
			for (uint32_t ch = 0; ch < k; ch++)
				put_int4(out, cube_index(m, l.in_c2, row, ch),
					 ((const int8_t *)a_rowmajor)[(size_t)row * k + ch]);
		return 0;
	}
	for (uint32_t row = 0; row < m; row++)
		for (uint32_t ch = 0; ch < k; ch++)
			memcpy(out + cube_index(m, l.in_c2, row, ch) * l.in_bytes,
			       src + ((size_t)row * k + ch) * l.in_bytes, l.in_bytes);
	return 0;
}

int rnpu_matmul_pack_b(enum rnpu_mm_type type, uint32_t k, uint32_t n, const void *b_k_by_n,
		       void *dst)
{
	const unsigned char *src = b_k_by_n;
	unsigned char *out = dst;
	struct rnpu_mm_layout l;

	if (rnpu_matmul_layout(type, &l))
		return -EINVAL;
	if (l.in_bits == 4) {
		if (int4_range(b_k_by_n, (size_t)k * n) || n % l.kernel_group)
			return -EINVAL;
		memset(dst, 0, rnpu_matmul_b_size(type, 0, k, n));
	}
	for (uint32_t oc = 0; oc < n; oc++) {
		uint32_t kg = l.kernel_group, cb = l.channel_block;
		uint32_t g = oc / kg;
		/* Kernels in this group: the last group holds only what is left. */
		uint32_t ng = n - g * kg < kg ? n - g * kg : kg;

		for (uint32_t c = 0; c < k; c++) {
			uint32_t j = c / cb;
			uint32_t cbj = k - j * cb < cb ? k - j * cb : cb;
			size_t idx = (size_t)g * kg * k          /* earlier groups */
				   + (size_t)j * ng * cb         /* earlier blocks of this group */
				   + (size_t)(oc % kg) * cbj     /* earlier kernels of this block */
				   + c % cb;

			if (l.in_bits == 4)
				put_int4(out, idx, ((const int8_t *)b_k_by_n)[(size_t)c * n + oc]);
			else
				memcpy(out + idx * l.in_bytes,
				       src + ((size_t)c * n + oc) * l.in_bytes, l.in_bytes);
		}
	}
	return 0;
}

int rnpu_matmul_unpack_c(enum rnpu_mm_type type, uint32_t m, uint32_t n, const void *src,
			 void *c_rowmajor)
{
	const unsigned char *in = src;
	unsigned char *out = c_rowmajor;
	struct rnpu_mm_layout l;

	if (rnpu_matmul_layout(type, &l))
		return -EINVAL;
	for (uint32_t row = 0; row < m; row++)
		for (uint32_t ch = 0; ch < n; ch++)
			memcpy(out + ((size_t)row * n + ch) * l.out_bytes,
			       in + cube_index(m, l.out_c2, row, ch) * l.out_bytes, l.out_bytes);
	return 0;
}
