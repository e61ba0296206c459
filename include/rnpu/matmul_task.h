/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * C[M][N] = A[M][K] x B[K][N] on one NPU core, run as a 1x1 convolution
 * (width 1, height M rows, K input channels, N kernels) through CNA, CORE
 * and DPU. M is split into row tiles, one task each, chained through the
 * regcmd tails; every tile reads and writes the full-M tensors, so A and C
 * each stay one tensor in the NPU's native layout.
 *
 * Native layouts (what pack/unpack convert to and from):
 *   A: NC1HWC2 with H = M, W = 1: element (m, k) at (k / C2) * M * C2 +
 *      m * C2 + k % C2, C2 = 16 (int8) or 8 (int16, fp16).
 *   B: kernel groups of KG kernels (32 int8, 16 int16/fp16), inside each group
 *      32-channel blocks of [kernel][channel]; a last, partial kernel group
 *      is compacted to its real kernel count.
 *   C: NC1HWC2 with C2 = 4 (int32, fp32), 8 (fp16) or 16 (int8).
 * fp16 values are binary16 bit patterns (uint16_t).
 *
 * int4 (RNPU_MM_INT4_INT16, docs/hw-facts-int4.md): two elements per byte,
 * the even one in the high nibble; A has C2 = 32, B kernel groups of 64
 * (N a multiple of 64, never compacted), C is int16 with C2 = 8. Each task
 * takes at most 128 rows as its input width (height 1), the geometry the
 * board-tested int4 program runs; the tensors keep the layouts above.
 */
#ifndef RNPU_MATMUL_TASK_H
#define RNPU_MATMUL_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rnpu/regcmd.h"

#ifdef __cplusplus
extern "C" {
#endif

enum rnpu_mm_type {
	RNPU_MM_INT8_INT32,  /* int8 x int8 -> int32, exact */
	RNPU_MM_FP16_FP32,   /* fp16 x fp16 -> fp32 */
	RNPU_MM_FP16_FP16,   /* fp16 x fp16 -> fp16 */
	RNPU_MM_INT8_INT8,   /* int8 x int8 -> int8 through the DPU's OUT_CVT */
	RNPU_MM_INT16_INT32, /* int16 x int16 -> int32 (saturated) */
	RNPU_MM_INT4_INT16,  /* int4 x int4 -> int16 (sums saturate to int16) */
};

/*
 * Fixed-point requantisation of the int32 accumulator to int8 (OUT_CVT):
 * out = saturate_int8(round_half_up(acc * scale / 2^shift) + offset).
 * rnpu_mm_requant_from_float() derives scale/shift from a real multiplier.
 */
struct rnpu_mm_requant {
	uint16_t scale;
	uint8_t shift;       /* 0..47 */
	int32_t offset;
};

/* scale/shift with scale * 2^-shift closest to @multiplier (> 0, < 2^16);
 * 0, or -EINVAL for a multiplier that cannot be represented. */
int rnpu_mm_requant_from_float(double multiplier, int32_t offset, struct rnpu_mm_requant *out);

struct rnpu_matmul_desc {
	enum rnpu_mm_type type;
	uint32_t m, k, n;          /* K % 32 == 0, N % 16 == 0 (int4: N % 64 == 0) */
	uint64_t a_dma, b_dma, c_dma; /* 16-byte aligned device addresses below 4 GiB */
	uint32_t max_tile_m;       /* rows per task at most; 0 = largest that fits */
	/* K-split accumulation and epilogue; all zero for a plain matmul. */
	uint64_t acc_dma;          /* partial sums to add (layout of an int32/fp32 C, through
				    * ERDMA), 0 = none */
	bool partial_out;          /* write int32/fp32 partial sums, not the type's output */
	bool relu;                 /* max(x, 0) after the accumulation */
	struct rnpu_mm_requant requant; /* RNPU_MM_INT8_INT8 only */
	/* Only rows [row_begin, row_begin + row_count) of M (0, 0: all),
	 * tiled as the whole would be; A and C keep their full-M layout. */
	uint32_t row_begin, row_count;
	/* Per-column requantisation (RNPU_MM_INT8_INT8 and RNPU_MM_INT8_INT32):
	 * @rec_dma holds one record per kernel of this task list (bias 0,
	 * multiplier, shift: 3 x 32 bits, as rnpu_matmul_create() packs them)
	 * that the DPU's BS stage applies to the finished sum, 0 = none. With
	 * records, requant.scale and .shift must be 0 (OUT_CVT only adds
	 * .offset) and acc_dma must be 0 (BS runs before the EW add; K-split
	 * sums are requantised by a separate epilogue task, see @sums_dma). */
	uint64_t rec_dma;
	/* Epilogue only: no A or B, the DPU reads the finished int32 sums of
	 * all K segments here (partial-sum layout) and writes C; 0 = none. */
	uint64_t sums_dma;
};


/* Per-type geometry of the native layouts. */
struct rnpu_mm_layout {
	uint32_t in_bytes;       /* bytes per A/B element */
	uint32_t out_bytes;      /* bytes per C element */
	uint32_t in_c2;          /* A channels per 16-byte atom */
	uint32_t out_c2;         /* C channels per 16-byte atom */
	uint32_t kernel_group;   /* B kernels per group */
	uint32_t channel_block;  /* B channels per block */
	uint32_t in_bits;        /* bits per A/B element: 4, 8 or 16 (int4: in_bytes 0) */
};

/* 0, or -EINVAL for an unknown type. */
int rnpu_matmul_layout(enum rnpu_mm_type type, struct rnpu_mm_layout *out);

/*
 * Build the register program for @d, to be copied to device address
 * @regcmd_dma (16-byte aligned; 64 makes every task 64-byte aligned).
 * @out is initialised here. On success returns 0 and the caller owns @out
 * (release with rnpu_regcmd_fini()); out->tasks[i] give each task's word
 * offset, body size (regcfg_amount), enable and interrupt masks. On refusal
 * returns -EINVAL (shape or argument the builder does not support) or
 * -ERANGE (a value beyond a register field, the CBUF or the 32-bit address
 * space) or -ENOMEM, leaves @out empty and puts a message naming the
 * offending quantity or register field into @err (when not NULL).
 */
int rnpu_matmul_build(const struct rnpu_matmul_desc *d, uint64_t regcmd_dma,
		      struct rnpu_regcmd_prog *out, char *err, size_t errlen);

/*
 * Appends the tasks of @d to @p (opened with rnpu_regcmd_init(), linked
 * later with rnpu_regcmd_link()), so several matmuls (slices of a larger
 * one) form one task list. Returns p->err; the message is in p->msg.
 */
int rnpu_matmul_append(const struct rnpu_matmul_desc *d, struct rnpu_regcmd_prog *p);

/* Largest K (elements) and N one task list of rnpu_matmul_append() takes
 * for @type; larger problems are split by rnpu_matmul_create(). */
uint32_t rnpu_matmul_max_k(enum rnpu_mm_type type);
/* Rows per task the builder uses for @d (0 if it refuses @d). */
uint32_t rnpu_matmul_tile_rows(const struct rnpu_matmul_desc *d);
#define RNPU_MATMUL_MAX_N 8192u

/* Bytes of an int32/fp32 partial-sum tensor of m x n (C layout, C2 = 4). */
size_t rnpu_matmul_acc_size(uint32_t m, uint32_t n);

/* Bytes of each native tensor; 0 for an unknown type or size overflow. */
size_t rnpu_matmul_a_size(enum rnpu_mm_type type, uint32_t m, uint32_t k, uint32_t n);
size_t rnpu_matmul_b_size(enum rnpu_mm_type type, uint32_t m, uint32_t k, uint32_t n);
size_t rnpu_matmul_c_size(enum rnpu_mm_type type, uint32_t m, uint32_t k, uint32_t n);

/*
 * Layout conversion. Row-major inputs: A is m x k (int8_t or uint16_t;
 * int4: one int8_t per element, each in [-8, 7]), B is k x n; C comes out
 * m x n (int32_t, float, uint16_t or int16_t). @dst must hold
 * the matching *_size() bytes; padding bytes are zeroed. 0 or -EINVAL.
 */
int rnpu_matmul_pack_a(enum rnpu_mm_type type, uint32_t m, uint32_t k, const void *a_rowmajor,
		       void *dst);
int rnpu_matmul_pack_b(enum rnpu_mm_type type, uint32_t k, uint32_t n, const void *b_k_by_n,
		       void *dst);
int rnpu_matmul_unpack_c(enum rnpu_mm_type type, uint32_t m, uint32_t n, const void *src,
			 void *c_rowmajor);

#ifdef __cplusplus
}
#endif
#endif
