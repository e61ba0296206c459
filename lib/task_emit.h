/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * One CNA + CORE + DPU (+ DPU_RDMA) task as plain data, and the one emitter
 * of its register words. conv2d (ops_conv.c) and matmul (matmul_task.c)
 * both describe their tasks with it: the feature and weight fetch, the CBUF
 * split, the CORE's MAC configuration, the DPU's BS/BN/EW/OUT_CVT stages and
 * the write-out are programmed here once.
 *
 * Cubes are in the native layout (16-byte atoms, channel surfaces of a full
 * plane): a task reads a window of the input plane and writes a tile of the
 * output plane, both addressed at the window's or tile's first atom.
 */
#ifndef RNPU_TASK_EMIT_H
#define RNPU_TASK_EMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "rnpu/regcmd.h"

/* CNA/CORE/DPU precision codes (hardware notes sections 4.2, 4.4). */
enum task_prec {
	TASK_PREC_INT8 = 0,
	TASK_PREC_INT16 = 1,
	TASK_PREC_FP16 = 2,
	TASK_PREC_INT32 = 4,
	TASK_PREC_FP32 = 5,
	TASK_PREC_INT4 = 6,
};

#define TASK_CBUF_BANKS 12u
#define TASK_CBUF_BANK_BYTES 32768u
/* CBUF_CON1.DATA_ENTRIES counts 64-byte units of one input row. */
#define TASK_CBUF_ENTRY_BYTES 64u

/* Where ReLU applies: BS after the records, BN when nothing is added
 * later, EW after the added operand. */
enum task_relu {
	TASK_RELU_NONE,
	TASK_RELU_BS,
	TASK_RELU_BN,
	TASK_RELU_EW,
};

struct task_desc {
	/* CNA + CORE compute the task; false: the DPU reads an int32 cube
	 * from memory instead (flying mode, MRDMA at @flying_dma). */
	bool compute;
	bool depthwise;
	uint32_t prec;      /* CNA/CORE input and processing precision */
	uint32_t elem_bytes; /* bytes per input element */
	uint32_t elem_bits;  /* 4 for int4 (two per byte); 0: 8 x elem_bytes */

	/* Input: the full plane (line and surface pitches), then the window
	 * this task reads, starting at @in_dma. */
	uint64_t in_dma;
	uint32_t in_w, in_h;
	uint32_t in_cols, in_rows, in_channels;
	uint32_t stride_w, stride_h;
	uint32_t dilation_w, dilation_h; /* distance between taps, at least 1 */
	uint32_t pad_left, pad_top;
	uint32_t pad_value; /* raw element bits the padding reads */

	/* Weights: @kernels kernels of kw x kh x in_channels at @wt_dma. */
	uint64_t wt_dma;
	uint32_t kw, kh, kernels;

	/* Output: the full plane, then the tile written at @out_dma. */
	uint64_t out_dma;
	uint32_t out_w, out_h;
	uint32_t cols, rows;
	uint32_t channels;      /* channels written */
	uint32_t orig_channels; /* real channels among them */
	uint32_t out_atoms;     /* atoms per kernel group (BS_OW_CFG.SIZE_E + 1) */

	/* DPU stages. */
	uint32_t dpu_in_prec; /* DPU input and processing precision */
	uint32_t out_prec;
	bool records;      /* BS adds per-channel records read by BRDMA (bias;
			    * with @rec_mul also multiplier and shift); false:
			    * BS bypassed */
	uint64_t rec_dma;
	bool rec_mul;
	bool ew_add;       /* EW adds the int32/fp32 cube at @ew_dma */
	uint64_t ew_dma;
	uint64_t flying_dma;
	enum task_relu relu;
	int32_t cvt_offset; /* OUT_CVT: ((x * scale) >> shift) + offset */
	uint32_t cvt_scale;
	uint32_t cvt_shift;
	bool cvt_round;
	/* Clear EW_OP_VALUE_1..7 and the LUT registers as the vendor's
	 * matmul streams do (the worked tables are reproduced word for word). */
	bool clear_lut;
};

/* 32-bit slots of a per-channel record with bias, multiplier and shift
 * (the ALU, MUL and TRT slots BRDMA reads for @records with @rec_mul). */
#define TASK_REC_MUL_WORDS 3u

/* Writes one such record: the BS stage computes
 * round_half_up((x + bias) * multiplier / 2^shift), saturated to int32. */
void task_pack_requant_record(uint32_t *rec, int32_t bias, int16_t multiplier, uint8_t shift);

/*
 * Appends @t as one task to @p: S_POINTERs, the blocks' registers and the
 * op-enable tail. DPU_RDMA is programmed when the task reads records, an
 * EW operand or a flying cube. Field values that do not fit record the
 * sticky error in @p.
 */
void task_emit(struct rnpu_regcmd_prog *p, const struct task_desc *t);

#endif
