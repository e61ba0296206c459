/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * Matrix multiplication of any size on one to three NPU cores:
 * C[M][N] = A[M][K] x B[K][N].
 *
 * K is padded to a multiple of 32 and N to a multiple of 16 (int4: 64)
 * with zeros (Kp, Np). The work is split into tasks the command builder can run:
 *   - N into chunks of at most 8192 kernels (DPU channel fields), and into
 *     at least as many chunks as there are cores when M is one tile;
 *   - M into row tiles that fit the CBUF data banks;
 *   - K into segments of at most rnpu_matmul_max_k() (8192) elements; each
 *     later segment adds the earlier segments' int32/fp32 partial sums on
 *     the NPU (DPU EW stage, operand read by ERDMA), and only the last one
 *     applies ReLU and the output conversion.
 * The (N chunk, M tile) units, each with its K segments in order, are
 * divided into one contiguous task range per core, balanced by MACs.
 *
 * Native layouts (what rnpu_matmul_map() exposes, and what bound buffers
 * must hold) are those of rnpu/matmul_task.h for the padded sizes, except
 * that B is stored as ceil(Kp / max_k) K segments, each a native B of
 * (segment K) x Np, one after the other (the RK3588 vendor runtime's
 * "K segment" rule).
 */
#ifndef RNPU_MATMUL_H
#define RNPU_MATMUL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rnpu/matmul_task.h"
#include "rnpu/rnpu.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rnpu_matmul;

struct rnpu_matmul_cfg {
	enum rnpu_mm_type type;
	uint32_t m, k, n;            /* each >= 1 */
	/* 0 (AUTO: one core, the driver picks), 1, 2, 4 (that core), 3 or 7
	 * (those cores, each running its own share of the tasks). A problem
	 * with fewer units of work than cores uses fewer cores. */
	uint32_t core_mask;
	bool relu;                   /* max(x, 0) before the output conversion */
	struct rnpu_mm_requant requant; /* RNPU_MM_INT8_INT8 */
	uint32_t max_tile_m;         /* rows per task at most; 0 = as many as fit */
	/* Job timeout; 0 = RNPU_DEFAULT_TIMEOUT_MS, raised for large jobs to
	 * one second per 10 million MACs of the busiest core, so that a
	 * software NPU on a slow host is not taken for a hung one. */
	uint32_t timeout_ms;
	/* Per-column requantisation (RNPU_MM_INT8_INT8 and RNPU_MM_INT8_INT32),
	 * NULL = none: n real scales, each in (0, 32767], copied at create.
	 * Column j's int32 sum over all of K becomes
	 *   t = round_half_up(sum * mul[j] / 2^shift[j]), saturated to int32,
	 *   t = max(t, 0) with relu,
	 *   C = t (int32), or saturate_int8(t + requant.offset) (int8),
	 * mul/shift being rnpu_requant_from_scale(col_scale[j]) (16-bit
	 * multiplier, so a relative error of at most 2^-15 on the scale).
	 * requant.scale and requant.shift must then be 0. */
	const double *col_scale;
};

enum rnpu_mm_operand { RNPU_MM_A, RNPU_MM_B, RNPU_MM_C };

struct rnpu_matmul_stats {
	uint32_t tasks;              /* tasks in the list */
	uint32_t core_mask;          /* cores the last run used */
	uint32_t core_tasks[3];      /* tasks per core */
	uint64_t core_macs[3];       /* MACs (padded sizes) per core */
	int64_t hw_elapse_ns;        /* the job's hardware time, from the driver */
	/* Software NPU only: the timing model's time per core for this run
	 * (0 on hardware, or when other jobs shared the cores meanwhile they
	 * are included). */
	uint64_t model_ns[3];
};

/*
 * Plans the task list and allocates the native buffers (from the
 * device's pool). -EINVAL with rnpu_last_error() naming the field for a
 * bad configuration; -EOPNOTSUPP for a type the NPU path does not have.
 */
int rnpu_matmul_create(struct rnpu_dev *dev, const struct rnpu_matmul_cfg *cfg,
		       struct rnpu_matmul **out);
/* Returns its buffers to the device pool; call before rnpu_close(), which
 * frees them itself. A matmul may be used by one thread at a time. */
void rnpu_matmul_destroy(struct rnpu_matmul *mm);

void rnpu_matmul_padded(const struct rnpu_matmul *mm, uint32_t *kp, uint32_t *np);
/* Bytes of an operand's native buffer. */
size_t rnpu_matmul_native_size(const struct rnpu_matmul *mm, enum rnpu_mm_operand op);
/* K segments of the native B and the K of segment @i. */
uint32_t rnpu_matmul_k_segments(const struct rnpu_matmul *mm);
uint32_t rnpu_matmul_k_segment(const struct rnpu_matmul *mm, uint32_t i);

/*
 * Uses @bo from @offset (16-byte aligned) as the native buffer of @op
 * instead of the internal one (zero copy); NULL returns to the internal
 * buffer. @map is the CPU address of that offset (NULL if the caller
 * never lets librnpu touch it). The task list is rebuilt for the new
 * address. -EINVAL if the buffer is too small or misaligned.
 */
int rnpu_matmul_bind(struct rnpu_matmul *mm, enum rnpu_mm_operand op, struct rnpu_bo *bo,
		     uint64_t offset, void *map);
/* The buffer holding the operand's native data and its offset there
 * (the internal one unless bound): lets one matmul's int8 C feed the next
 * one's A without a copy, the two native layouts being the same. */
struct rnpu_bo *rnpu_matmul_buffer(struct rnpu_matmul *mm, enum rnpu_mm_operand op,
				   uint64_t *offset);
/* CPU address of the operand's native buffer (NULL if bound without one). */
void *rnpu_matmul_map(struct rnpu_matmul *mm, enum rnpu_mm_operand op);

/* Row-major data in and out: A is m x k, B k x n, C m x n (int8_t,
 * int16_t or fp16 bits in; int32_t, int8_t, float or fp16 bits out).
 * RNPU_MM_INT4_INT16 takes one int8_t per int4 element (-EINVAL with the
 * index named for a value outside [-8, 7]) and gives int16_t; K may be at
 * most rnpu_matmul_max_k() (8192): there is no int4 K split.
 * They pack into / unpack from the native buffers and sync caches. */
int rnpu_matmul_set_a(struct rnpu_matmul *mm, const void *a);
int rnpu_matmul_set_b(struct rnpu_matmul *mm, const void *b);
int rnpu_matmul_get_c(struct rnpu_matmul *mm, void *c);
/* B given as n x k row-major (transposed) when @b_is_n_by_k. */
int rnpu_matmul_set_b_layout(struct rnpu_matmul *mm, const void *b, bool b_is_n_by_k);

/* The native B of a k x n B without a device (weights can be converted
 * once, offline): rnpu_matmul_b_native_size() bytes (0 for a bad type or
 * size) written by rnpu_matmul_pack_b_native(), 0 or -EINVAL. */
size_t rnpu_matmul_b_native_size(enum rnpu_mm_type type, uint32_t k, uint32_t n);
int rnpu_matmul_pack_b_native(enum rnpu_mm_type type, uint32_t k, uint32_t n, const void *b,
			      bool b_is_n_by_k, void *dst);

/* Runs the task list, blocking. @st (may be NULL) gets the statistics. */
int rnpu_matmul_run(struct rnpu_matmul *mm, struct rnpu_matmul_stats *st);
/* The split without running: tasks and MACs per core. */
void rnpu_matmul_get_plan(const struct rnpu_matmul *mm, struct rnpu_matmul_stats *st);

#ifdef __cplusplus
}
#endif
#endif
