/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * Register-command streams and tensor packing for the software NPU tests,
 * written from the hardware notes (regcmd format, NC1HWC2 feature layout,
 * kernel-group weight tiling, WDMA addressing), not from the model.
 */
#ifndef RNPU_SIM_TEST_STREAM_H
#define RNPU_SIM_TEST_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* DPU precision codes used by the tests. */
#define TP_INT8 0u
#define TP_INT16 1u
#define TP_FP16 2u
#define TP_INT32 4u
#define TP_FP32 5u
#define TP_INT4 6u

#define CONV_OP_EN 0x0du /* CNA + CORE + DPU */
#define RDMA_OP_EN 0x10u /* DPU_RDMA */
#define PPU_OP_EN 0x20u
#define PPU_RDMA_OP_EN 0x40u
#define EW_OP_EN 0x18u   /* DPU + DPU_RDMA: flying-mode elementwise */
#define POOL_OP_EN 0x60u /* PPU + PPU_RDMA: pooling from memory */
#define TAIL_WORDS 4u

/* ALU algorithms of BS/BN/EW. */
#define ALU_MAX 0u
#define ALU_MIN 1u
#define ALU_ADD 2u
#define ALU_DIV 3u
#define ALU_MINUS 4u
#define ALU_ABS 5u
#define ALU_NEG 6u
#define ALU_FLOOR 7u
#define ALU_CEIL 8u

/* BRDMA/NRDMA DATA_USE bits. */
#define USE_ALU 1u
#define USE_CPEND 2u
#define USE_MUL 4u
#define USE_TRT 8u

/* BS or BN stage; all-zero = bypassed. */
struct stage_desc {
	bool on;
	bool alu;                /* ALU active */
	unsigned int alu_algo;   /* ALU_ADD or ALU_MINUS */
	bool alu_mem;            /* operand per channel from memory */
	uint32_t alu_value;
	bool mul;                /* multiplier active */
	bool mul_mem, shift_mem; /* operand / shift per channel from memory */
	uint16_t mul_value;
	unsigned int shift, shift_neg;
	bool prelu;
	bool relu, relux;
	uint32_t relux_cmp;
	uint32_t mem;            /* per-channel records (BRDMA/NRDMA) */
	unsigned int use;        /* DATA_USE written; 0 = what the stage needs */
};

/* EW stage; all-zero = bypassed. */
struct ew_desc {
	bool on;
	bool op_bypass;
	bool mul;                /* multiplier, else ALU with @algo */
	unsigned int algo;
	bool op_mem;             /* per-pixel operand from ERDMA */
	uint32_t op_value;       /* EW_OP_VALUE_0 */
	unsigned int esize;      /* operand element bytes: 1, 2 or 4 */
	uint32_t addr;           /* ERDMA base: NC1HWC2 with the DPU cube's size */
	unsigned int line_notch, surf_notch;
	bool cvt;                /* operand converter active */
	bool cvt_add_first, cvt_half_up;
	int32_t cvt_offset;
	uint16_t cvt_scale;
	unsigned int cvt_shift;
	unsigned int trunc, trunc_neg;
	bool prelu, relu, relux;
	uint32_t relux_cmp;
	bool equal_en;
};

/* DPU post-processing shared by conv and flying tasks; NULL or all-zero
 * means every stage bypassed, OUT_CVT scale 1, output to memory. */
struct dpu_desc {
	struct stage_desc bs, bn;
	struct ew_desc ew;
	bool ow;                 /* OW/CPEND active (needs QD_EN) */
	bool ow_mem;
	int16_t ow_op;
	bool cvt;                /* use the fields below instead of scale 1 */
	uint16_t cvt_scale;
	unsigned int cvt_shift;
	int32_t cvt_offset;
	bool cvt_add_first, cvt_half_up;
	bool to_ppu;             /* OUTPUT_MODE bit 0 */
	bool no_memory;          /* clear OUTPUT_MODE bit 1 */
	uint16_t pend;           /* OFFSET_PEND */
	unsigned int orig_c;     /* ORIG_CHANNEL + 1; 0 = all channels */
};

struct conv_desc {
	bool fp16;           /* fp16 input, else int8 */
	unsigned int out_prec;
	unsigned int w, h, c; /* input; c a multiple of the atom's channels */
	unsigned int kw, kh, n;
	unsigned int sx, sy, pad_l, pad_t;
	uint32_t pad_value;
	unsigned int out_w, out_h;
	uint32_t in, wt, out;
	bool group_line_off;
	unsigned int clip_shift;
	/* Additions; zero keeps the plain int8/fp16 direct convolution. */
	bool int16;          /* int16 input (fp16 must be false) */
	bool int4;           /* int4 input, two per byte (fp16/int16 false);
			      * pack_input/pack_weights do not handle it */
	bool dw;             /* depthwise: n == c, one kernel of c channels */
	unsigned int dx, dy; /* distance between taps; 0 or 1 = none */
	unsigned int in_surf_h;  /* rows per input surface (0 = h): row tiles */
	unsigned int out_surf_h; /* rows per output surface (0 = out_h) */
	bool qd;             /* CORE.MISC_CFG.QD_EN */
	const struct dpu_desc *dpu;
	bool rdma;           /* the task also runs DPU_RDMA */
	/* CNA input converter; cvt = false leaves it bypassed (signed data). */
	bool cvt;
	bool cvt_unsigned;   /* DATA_SIGN = 0 */
	bool cvt_add_first, cvt_half_up;
	uint32_t cvt_mask;   /* CVT_CON5 */
	uint16_t cvt_scale[4];
	int16_t cvt_offset[4];
	unsigned int cvt_shift[4];
};

/* Flying-mode DPU task: main input from memory through MRDMA. */
struct flying_desc {
	unsigned int w, h, c;     /* cube; c the real channel count */
	unsigned int in_prec, out_prec;
	bool widen;               /* MRDMA_FP16TOFP32_EN (+ FP32TOFP16 for fp16 out) */
	uint32_t in, out;
	unsigned int line_notch, surf_notch; /* MRDMA */
	unsigned int out_notch;   /* DPU NOTCH_ADDR */
	const struct dpu_desc *dpu;
};

/* PPU task (pooling). */
struct pool_desc {
	unsigned int prec;        /* TP_INT8, TP_INT16 or TP_FP16 */
	unsigned int method;      /* 0 avg, 1 max, 2 min */
	unsigned int w, h, c;     /* input cube, c real channels */
	unsigned int out_w, out_h;
	unsigned int kw, kh, sx, sy;
	unsigned int pad_l, pad_r, pad_t, pad_b;
	uint32_t pad_value;
	uint32_t recip_w, recip_h; /* fp17 bits; 0 = nearest to 1/k */
	bool from_dpu;            /* input from the DPU (no PPU_RDMA words) */
	uint32_t in, out;
	unsigned int out_notch;
};

/* Writes the body of one conv task; returns the number of words. */
size_t conv_body(uint64_t *w, const struct conv_desc *d);
/* Appends the 4 tail words; next_addr 0 makes word 0 a NOP. */
size_t task_tail(uint64_t *w, uint32_t next_addr, uint32_t next_amount, uint32_t op_en);
/* REGISTER_AMOUNTS for a buffer of @words command words. */
uint32_t amount_for(size_t words);

/* Byte sizes of the packed tensors. */
size_t conv_in_bytes(const struct conv_desc *d);
size_t conv_wt_bytes(const struct conv_desc *d);
size_t conv_out_bytes(const struct conv_desc *d);

/* Dense input x[h][w][c] (int8 or fp16 bits) -> NC1HWC2 at d->in layout. */
void pack_input(const struct conv_desc *d, const void *dense, void *dst);
/* Dense weights wt[n][ky][kx][c] -> kernel-group / channel-block tiles. */
void pack_weights(const struct conv_desc *d, const void *dense, void *dst);
/* Element index of output (c, y, x) in the NC1HWC2 output. */
size_t out_index(const struct conv_desc *d, unsigned int c, unsigned int y, unsigned int x);

/* Small deterministic generator for test data. */
uint32_t test_rand(uint32_t *state);

/* ---- DPU, flying-mode and pooling streams (sim_test_dpu.c) --------------- */

/* Appends the DPU stage registers (BS, BN, EW, OW, OUT_CVT) of @dd at
 * w[*n]; @in_prec/@out_prec are DPU precision codes. */
void dpu_stage_words(uint64_t *w, size_t *n, const struct dpu_desc *dd, unsigned int in_prec,
		     unsigned int out_prec, bool fp32_data);
/* DPU_RDMA words that serve @dd's memory operands (BRDMA, NRDMA, ERDMA) for
 * a w x h x c cube; @flying adds the MRDMA main input of @f. */
void rdma_words(uint64_t *w, size_t *n, const struct dpu_desc *dd, unsigned int w_, unsigned int h,
		unsigned int c, bool dw, const struct flying_desc *f);
/* Body of a flying-mode DPU task; returns the number of words. */
size_t flying_body(uint64_t *w, const struct flying_desc *f);
/* PPU (and PPU_RDMA unless from_dpu) words; returns the number written. */
size_t pool_words(uint64_t *w, const struct pool_desc *p);

/* Nearest fp17 (sign 16, exponent 15:10 biased 31, fraction 9:0) of a
 * positive value. */
uint32_t fp17_bits(double v);

/* Element bytes of a DPU precision code. */
unsigned int prec_bytes(unsigned int prec);
/* Bytes of an NC1HWC2 cube of w x h x c elements of @eb bytes. */
size_t cube_bytes(unsigned int w, unsigned int h, unsigned int c, unsigned int eb);
/* Element index (in @eb units) of (c, y, x) in a plain NC1HWC2 cube. */
size_t cube_index(unsigned int w, unsigned int h, unsigned int eb, unsigned int c, unsigned int y,
		  unsigned int x);
/* Depthwise weights wt[ky][kx][c] -> [block][ky][kx][block channels]. */
void pack_weights_dw(const struct conv_desc *d, const void *dense, void *dst);

#endif
