// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The register words of one CNA + CORE + DPU (+ DPU_RDMA) task described
 * by a struct task_desc (hardware notes sections 4.2-4.4 and 5).
 */
#include "task_emit.h"

/* The SET/PUT/ZERO shorthands only: no ops_common.c dependency, so the
 * drop-in builders can link this file alone. */
#include "ops_internal.h"
#include "rk3588_regs.h"

#define CONV_MODE_DIRECT 0u
#define CONV_MODE_DEPTHWISE 3u
/* DMA burst-length code for 16-beat bursts; only affects timing. */
#define BURST_16 15u
/* FEATURE_MODE_CFG.OUTPUT_MODE: results go to memory, not the PPU. */
#define OUTPUT_TO_MEMORY 2u
/* Group-line fetch reads 4 lines at a time: LINE_STRIDE is 4 x the line
 * pitch and the surface pitch is SURF_STRIDE + 4 x the window width. */
#define GROUP_LINES 4u
/* ALU algorithm "add" of BS/BN/EW. */
#define ALU_ADD 2u
/* BRDMA DATA_USE bits: ALU, MUL, TRT slots of a record. */
#define USE_ALU 1u
#define USE_MUL 4u
#define USE_TRT 8u
/* ERDMA/EW element-size codes. */
#define ESIZE_8BIT 1u
#define ESIZE_32BIT 3u
/* ERDMA per-pixel operand (one value per output element). */
#define ERDMA_PER_PIXEL 1u

static uint32_t div_up(uint64_t a, uint32_t b)
{
	return (uint32_t)((a + b - 1) / b);
}

static uint32_t conv_mode(const struct task_desc *t)
{
	return t->depthwise ? CONV_MODE_DEPTHWISE : CONV_MODE_DIRECT;
}

static bool uses_rdma(const struct task_desc *t)
{
	return t->records || t->ew_add || !t->compute;
}

static void emit_cna(struct rnpu_regcmd_prog *p, const struct task_desc *t)
{
	static const uint16_t dcomp_amounts[] = {
		REG_CNA_DCOMP_AMOUNT0,	REG_CNA_DCOMP_AMOUNT1,	REG_CNA_DCOMP_AMOUNT2,
		REG_CNA_DCOMP_AMOUNT3,	REG_CNA_DCOMP_AMOUNT4,	REG_CNA_DCOMP_AMOUNT5,
		REG_CNA_DCOMP_AMOUNT6,	REG_CNA_DCOMP_AMOUNT7,	REG_CNA_DCOMP_AMOUNT8,
		REG_CNA_DCOMP_AMOUNT9,	REG_CNA_DCOMP_AMOUNT10, REG_CNA_DCOMP_AMOUNT11,
		REG_CNA_DCOMP_AMOUNT12, REG_CNA_DCOMP_AMOUNT13, REG_CNA_DCOMP_AMOUNT14,
		REG_CNA_DCOMP_AMOUNT15,
	};
	uint32_t bits = t->elem_bits ? t->elem_bits : 8 * t->elem_bytes;
	/* int4 rows are counted per pixel, as the int4 program does. */
	uint32_t entries = t->elem_bits == 4
				   ? t->in_cols * div_up((uint64_t)t->in_channels * bits,
							 8 * TASK_CBUF_ENTRY_BYTES)
				   : div_up((uint64_t)t->in_cols * t->in_channels * t->elem_bytes,
					    TASK_CBUF_ENTRY_BYTES);
	/* Data gets the banks the window needs, weights the rest. */
	uint32_t data_banks = div_up((uint64_t)t->in_rows * entries * TASK_CBUF_ENTRY_BYTES,
					 TASK_CBUF_BANK_BYTES);
	uint64_t kernel_bytes = (uint64_t)t->kh * t->kw * t->in_channels * bits / 8;
	uint32_t v = 0;

	SET(CNA, CONV_CON1, CONV_MODE, conv_mode(t));
	SET(CNA, CONV_CON1, PROC_PRECISION, t->prec);
	SET(CNA, CONV_CON1, IN_PRECISION, t->prec);
	PUT(CNA, CONV_CON1);
	/* The whole window is buffered before computing. */
	SET(CNA, CONV_CON2, FEATURE_GRAINS, (uint64_t)t->in_rows + 1);
	PUT(CNA, CONV_CON2);
	SET(CNA, CONV_CON3, CONV_Y_STRIDE, t->stride_h);
	SET(CNA, CONV_CON3, CONV_X_STRIDE, t->stride_w);
	SET(CNA, CONV_CON3, ATROUS_Y_DILATION, t->dilation_h - 1);
	SET(CNA, CONV_CON3, ATROUS_X_DILATION, t->dilation_w - 1);
	PUT(CNA, CONV_CON3);
	SET(CNA, DATA_SIZE0, DATAIN_WIDTH, t->in_cols);
	SET(CNA, DATA_SIZE0, DATAIN_HEIGHT, t->in_rows);
	PUT(CNA, DATA_SIZE0);
	SET(CNA, DATA_SIZE1, DATAIN_CHANNEL_REAL, t->in_channels - 1);
	SET(CNA, DATA_SIZE1, DATAIN_CHANNEL, t->in_channels);
	PUT(CNA, DATA_SIZE1);
	SET(CNA, DATA_SIZE2, DATAOUT_WIDTH, t->cols);
	PUT(CNA, DATA_SIZE2);
	SET(CNA, DATA_SIZE3, DATAOUT_ATOMICS, (uint64_t)t->cols * t->rows);
	PUT(CNA, DATA_SIZE3);
	SET(CNA, WEIGHT_SIZE0, WEIGHT_BYTES, kernel_bytes * t->kernels);
	PUT(CNA, WEIGHT_SIZE0);
	SET(CNA, WEIGHT_SIZE1, WEIGHT_BYTES_PER_KERNEL, kernel_bytes);
	PUT(CNA, WEIGHT_SIZE1);
	SET(CNA, WEIGHT_SIZE2, WEIGHT_WIDTH, t->kw);
	SET(CNA, WEIGHT_SIZE2, WEIGHT_HEIGHT, t->kh);
	SET(CNA, WEIGHT_SIZE2, WEIGHT_KERNELS, t->kernels);
	PUT(CNA, WEIGHT_SIZE2);
	SET(CNA, CBUF_CON0, WEIGHT_BANK, TASK_CBUF_BANKS - data_banks);
	SET(CNA, CBUF_CON0, DATA_BANK, data_banks);
	PUT(CNA, CBUF_CON0);
	SET(CNA, CBUF_CON1, DATA_ENTRIES, entries);
	PUT(CNA, CBUF_CON1);
	/* Input converter bypassed; integer data is signed. */
	SET(CNA, CVT_CON0, DATA_SIGN, 1);
	SET(CNA, CVT_CON0, CVT_TYPE, 1);
	SET(CNA, CVT_CON0, CVT_BYPASS, 1);
	PUT(CNA, CVT_CON0);
	SET(CNA, CVT_CON1, CVT_SCALE0, 1);
	PUT(CNA, CVT_CON1);
	SET(CNA, CVT_CON2, CVT_SCALE1, 1);
	PUT(CNA, CVT_CON2);
	SET(CNA, CVT_CON3, CVT_SCALE2, 1);
	PUT(CNA, CVT_CON3);
	SET(CNA, CVT_CON4, CVT_SCALE3, 1);
	PUT(CNA, CVT_CON4);
	ZERO(CNA, FC_CON0);
	ZERO(CNA, FC_CON1);
	SET(CNA, PAD_CON0, PAD_LEFT, t->pad_left);
	SET(CNA, PAD_CON0, PAD_TOP, t->pad_top);
	PUT(CNA, PAD_CON0);
	SET_ADDR(CNA, FEATURE_DATA_ADDR, VALUE, t->in_dma);
	PUT(CNA, FEATURE_DATA_ADDR);
	ZERO(CNA, FC_CON2);
	SET(CNA, DMA_CON0, WEIGHT_BURST_LEN, BURST_16);
	SET(CNA, DMA_CON0, DATA_BURST_LEN, BURST_16);
	PUT(CNA, DMA_CON0);
	/* Pitches of the full plane: a window reads inside the whole tensor. */
	SET(CNA, DMA_CON1, LINE_STRIDE, (uint64_t)GROUP_LINES * t->in_w);
	PUT(CNA, DMA_CON1);
	SET_S(CNA, DMA_CON2, SURF_STRIDE,
	      (int64_t)t->in_w * t->in_h - (int64_t)GROUP_LINES * t->in_cols);
	PUT(CNA, DMA_CON2);
	SET(CNA, FC_DATA_SIZE0, DMA_WIDTH, t->in_cols);
	SET(CNA, FC_DATA_SIZE0, DMA_HEIGHT, t->in_rows);
	PUT(CNA, FC_DATA_SIZE0);
	SET(CNA, FC_DATA_SIZE1, DMA_CHANNEL, t->in_channels);
	PUT(CNA, FC_DATA_SIZE1);
	/* Decompression off; DCOMP_ADDR0 still carries the weight address. */
	ZERO(CNA, DCOMP_CTRL);
	ZERO(CNA, DCOMP_REGNUM);
	SET_ADDR(CNA, DCOMP_ADDR0, VALUE, t->wt_dma);
	PUT(CNA, DCOMP_ADDR0);
	for (size_t i = 0; i < sizeof(dcomp_amounts) / sizeof(dcomp_amounts[0]); i++)
		rnpu_regcmd_emit(p, RK3588_TARGET_CNA, dcomp_amounts[i], 0);
	ZERO(CNA, CVT_CON5);
	SET(CNA, PAD_CON1, PAD_VALUE, t->pad_value);
	PUT(CNA, PAD_CON1);
}

static void emit_core(struct rnpu_regcmd_prog *p, const struct task_desc *t)
{
	uint32_t v = 0;

	SET(CORE, MISC_CFG, PROC_PRECISION, t->prec);
	SET(CORE, MISC_CFG, DW_EN, t->depthwise);
	PUT(CORE, MISC_CFG);
	SET(CORE, DATAOUT_SIZE_0, DATAOUT_HEIGHT, t->rows - 1);
	SET(CORE, DATAOUT_SIZE_0, DATAOUT_WIDTH, t->cols - 1);
	PUT(CORE, DATAOUT_SIZE_0);
	SET(CORE, DATAOUT_SIZE_1, DATAOUT_CHANNEL, t->channels - 1);
	PUT(CORE, DATAOUT_SIZE_1);
	ZERO(CORE, CLIP_TRUNCATE);
	ZERO(CORE, RESERVED_3030);
}

static void emit_dpu(struct rnpu_regcmd_prog *p, const struct task_desc *t)
{
	static const uint16_t ew_values[] = {
		REG_DPU_EW_OP_VALUE_1, REG_DPU_EW_OP_VALUE_2, REG_DPU_EW_OP_VALUE_3,
		REG_DPU_EW_OP_VALUE_4, REG_DPU_EW_OP_VALUE_5, REG_DPU_EW_OP_VALUE_6,
		REG_DPU_EW_OP_VALUE_7,
	};
	static const uint16_t lut[] = {
		REG_DPU_LUT_ACCESS_CFG,	    REG_DPU_LUT_ACCESS_DATA,	REG_DPU_LUT_CFG,
		REG_DPU_LUT_INFO,	    REG_DPU_LUT_LE_START,	REG_DPU_LUT_LE_END,
		REG_DPU_LUT_LO_START,	    REG_DPU_LUT_LO_END,		REG_DPU_LUT_LE_SLOPE_SCALE,
		REG_DPU_LUT_LE_SLOPE_SHIFT, REG_DPU_LUT_LO_SLOPE_SCALE, REG_DPU_LUT_LO_SLOPE_SHIFT,
	};
	uint32_t notch = t->out_w - t->cols; /* the rest of each output line */
	uint64_t plane = (uint64_t)t->out_w * t->out_h;
	uint32_t e = t->out_atoms;
	bool bn_relu = t->relu == TASK_RELU_BN;
	uint32_t v = 0;

	SET(DPU, FEATURE_MODE_CFG, BURST_LEN, BURST_16);
	SET(DPU, FEATURE_MODE_CFG, CONV_MODE, conv_mode(t));
	SET(DPU, FEATURE_MODE_CFG, OUTPUT_MODE, OUTPUT_TO_MEMORY);
	SET(DPU, FEATURE_MODE_CFG, FLYING_MODE, !t->compute);
	PUT(DPU, FEATURE_MODE_CFG);
	SET(DPU, DATA_FORMAT, OUT_PRECISION, t->out_prec);
	SET(DPU, DATA_FORMAT, IN_PRECISION, t->dpu_in_prec);
	SET(DPU, DATA_FORMAT, PROC_PRECISION, t->dpu_in_prec);
	PUT(DPU, DATA_FORMAT);
	ZERO(DPU, OFFSET_PEND);
	SET_ADDR(DPU, DST_BASE_ADDR, VALUE, t->out_dma);
	PUT(DPU, DST_BASE_ADDR);
	/* Output surfaces are a full plane apart (field counts atoms). */
	SET(DPU, DST_SURF_STRIDE, VALUE, plane);
	PUT(DPU, DST_SURF_STRIDE);
	SET(DPU, DATA_CUBE_WIDTH, VALUE, t->cols - 1);
	PUT(DPU, DATA_CUBE_WIDTH);
	SET(DPU, DATA_CUBE_HEIGHT, HEIGHT, t->rows - 1);
	PUT(DPU, DATA_CUBE_HEIGHT);
	SET(DPU, DATA_CUBE_NOTCH_ADDR, NOTCH_ADDR_1, notch);
	SET(DPU, DATA_CUBE_NOTCH_ADDR, NOTCH_ADDR_0, notch);
	PUT(DPU, DATA_CUBE_NOTCH_ADDR);
	SET(DPU, DATA_CUBE_CHANNEL, CHANNEL, t->channels - 1);
	SET(DPU, DATA_CUBE_CHANNEL, ORIG_CHANNEL, t->orig_channels - 1);
	PUT(DPU, DATA_CUBE_CHANNEL);
	/* BS: the records' bias (ALU add) and, with @rec_mul, multiplier and
	 * shift; without records the accumulator passes unchanged. */
	if (t->records) {
		SET(DPU, BS_CFG, BS_ALU_ALGO, ALU_ADD);
		SET(DPU, BS_CFG, BS_ALU_SRC, 1);
		SET(DPU, BS_CFG, BS_RELU_BYPASS, t->relu != TASK_RELU_BS);
		SET(DPU, BS_CFG, BS_MUL_BYPASS, !t->rec_mul);
	} else {
		SET(DPU, BS_CFG, BS_RELU_BYPASS, 1);
		SET(DPU, BS_CFG, BS_MUL_BYPASS, 1);
		SET(DPU, BS_CFG, BS_ALU_BYPASS, 1);
		SET(DPU, BS_CFG, BS_BYPASS, 1);
	}
	PUT(DPU, BS_CFG);
	ZERO(DPU, BS_ALU_CFG);
	if (t->records && t->rec_mul) {
		SET(DPU, BS_MUL_CFG, BS_TRUNCATE_SRC, 1);
		SET(DPU, BS_MUL_CFG, BS_MUL_SRC, 1);
	}
	PUT(DPU, BS_MUL_CFG);
	ZERO(DPU, BS_RELUX_CMP_VALUE);
	SET(DPU, BS_OW_CFG, SIZE_E_2, e - 1);
	SET(DPU, BS_OW_CFG, SIZE_E_1, e - 1);
	SET(DPU, BS_OW_CFG, SIZE_E_0, e - 1);
	SET(DPU, BS_OW_CFG, OD_BYPASS, 1);
	PUT(DPU, BS_OW_CFG);
	ZERO(DPU, BS_OW_OP);
	SET(DPU, WDMA_SIZE_0, CHANNEL_WDMA, t->channels - 1);
	PUT(DPU, WDMA_SIZE_0);
	SET(DPU, WDMA_SIZE_1, HEIGHT_WDMA, t->rows - 1);
	SET(DPU, WDMA_SIZE_1, WIDTH_WDMA, t->cols - 1);
	PUT(DPU, WDMA_SIZE_1);
	SET(DPU, BN_CFG, BN_RELU_BYPASS, !bn_relu);
	SET(DPU, BN_CFG, BN_MUL_BYPASS, 1);
	SET(DPU, BN_CFG, BN_ALU_BYPASS, 1);
	SET(DPU, BN_CFG, BN_BYPASS, !bn_relu);
	PUT(DPU, BN_CFG);
	ZERO(DPU, BN_ALU_CFG);
	ZERO(DPU, BN_MUL_CFG);
	ZERO(DPU, BN_RELUX_CMP_VALUE);
	if (t->ew_add) {
		/* One operand per output element, with the operand converter
		 * on as the identity: hardware drops a fused add with it
		 * bypassed (docs/ops.md). */
		SET(DPU, EW_CFG, EW_DATA_MODE, ERDMA_PER_PIXEL);
		SET(DPU, EW_CFG, EDATA_SIZE, ESIZE_32BIT);
		SET(DPU, EW_CFG, EW_ALU_ALGO, ALU_ADD);
		SET(DPU, EW_CFG, EW_RELU_BYPASS, t->relu != TASK_RELU_EW);
		SET(DPU, EW_CFG, EW_LUT_BYPASS, 1);
		SET(DPU, EW_CFG, EW_OP_SRC, 1);
	} else {
		SET(DPU, EW_CFG, EW_RELU_BYPASS, 1);
		SET(DPU, EW_CFG, EW_OP_CVT_BYPASS, 1);
		SET(DPU, EW_CFG, EW_LUT_BYPASS, 1);
		SET(DPU, EW_CFG, EW_OP_BYPASS, 1);
		SET(DPU, EW_CFG, EW_BYPASS, 1);
	}
	PUT(DPU, EW_CFG);
	ZERO(DPU, EW_CVT_OFFSET_VALUE);
	SET(DPU, EW_CVT_SCALE_VALUE, EW_OP_CVT_SCALE, 1);
	PUT(DPU, EW_CVT_SCALE_VALUE);
	ZERO(DPU, EW_RELUX_CMP_VALUE);
	/* ((x * scale) >> shift, optionally rounded half up) + offset;
	 * saturation to the output type follows. */
	SET_S(DPU, OUT_CVT_OFFSET, VALUE, t->cvt_offset);
	PUT(DPU, OUT_CVT_OFFSET);
	SET(DPU, OUT_CVT_SCALE, OUT_CVT_SCALE, t->cvt_scale);
	SET(DPU, OUT_CVT_SCALE, FP32TOFP16_EN, t->out_prec == TASK_PREC_FP16);
	PUT(DPU, OUT_CVT_SCALE);
	SET(DPU, OUT_CVT_SHIFT, CVT_ROUND, t->cvt_round);
	SET(DPU, OUT_CVT_SHIFT, OUT_CVT_SHIFT, t->cvt_shift);
	PUT(DPU, OUT_CVT_SHIFT);
	ZERO(DPU, EW_OP_VALUE_0);
	for (size_t i = 0; t->clear_lut && i < sizeof(ew_values) / sizeof(ew_values[0]); i++)
		rnpu_regcmd_emit(p, RK3588_TARGET_DPU, ew_values[i], 0);
	/* Kernel groups are e surfaces apart (field counts atoms). */
	SET(DPU, SURFACE_ADD, SURF_ADD, (uint64_t)e * plane);
	PUT(DPU, SURFACE_ADD);
	ZERO(DPU, RESERVED_40C4);
	for (size_t i = 0; t->clear_lut && i < sizeof(lut) / sizeof(lut[0]); i++)
		rnpu_regcmd_emit(p, RK3588_TARGET_DPU, lut[i], 0);
}

/* The EW operand and the flying cube are read at the tile's first element
 * and step lines and surfaces of the full output plane. */
static void emit_rdma(struct rnpu_regcmd_prog *p, const struct task_desc *t)
{
	bool flying = !t->compute, add = t->ew_add;
	uint32_t line_notch = t->out_w - t->cols;
	uint64_t surf_notch = (uint64_t)t->out_w * (t->out_h - t->rows);
	uint32_t v = 0;

	SET(DPU_RDMA, RDMA_DATA_CUBE_WIDTH, VALUE, t->cols - 1);
	PUT(DPU_RDMA, RDMA_DATA_CUBE_WIDTH);
	SET(DPU_RDMA, RDMA_DATA_CUBE_HEIGHT, HEIGHT, t->rows - 1);
	if (add)
		SET(DPU_RDMA, RDMA_DATA_CUBE_HEIGHT, EW_LINE_NOTCH_ADDR, line_notch);
	PUT(DPU_RDMA, RDMA_DATA_CUBE_HEIGHT);
	SET(DPU_RDMA, RDMA_DATA_CUBE_CHANNEL, VALUE, t->channels - 1);
	PUT(DPU_RDMA, RDMA_DATA_CUBE_CHANNEL);
	SET_ADDR(DPU_RDMA, RDMA_SRC_BASE_ADDR, VALUE, flying ? t->flying_dma : 0);
	PUT(DPU_RDMA, RDMA_SRC_BASE_ADDR);
	if (t->records)
		SET(DPU_RDMA, RDMA_BRDMA_CFG, BRDMA_DATA_USE,
		    t->rec_mul ? USE_ALU | USE_MUL | USE_TRT : USE_ALU);
	PUT(DPU_RDMA, RDMA_BRDMA_CFG);
	SET_ADDR(DPU_RDMA, RDMA_BS_BASE_ADDR, VALUE, t->records ? t->rec_dma : 0);
	PUT(DPU_RDMA, RDMA_BS_BASE_ADDR);
	ZERO(DPU_RDMA, RDMA_NRDMA_CFG);
	ZERO(DPU_RDMA, RDMA_BN_BASE_ADDR);
	SET(DPU_RDMA, RDMA_ERDMA_CFG, ERDMA_DATA_MODE, ERDMA_PER_PIXEL);
	SET(DPU_RDMA, RDMA_ERDMA_CFG, DATA_SIZE, add ? ESIZE_32BIT : ESIZE_8BIT);
	SET(DPU_RDMA, RDMA_ERDMA_CFG, ERDMA_DISABLE, !add);
	PUT(DPU_RDMA, RDMA_ERDMA_CFG);
	SET_ADDR(DPU_RDMA, RDMA_EW_BASE_ADDR, VALUE, add ? t->ew_dma : 0);
	PUT(DPU_RDMA, RDMA_EW_BASE_ADDR);
	SET(DPU_RDMA, RDMA_EW_SURF_STRIDE, VALUE,
	    add ? (uint64_t)t->out_w * t->out_h : (uint64_t)t->cols * t->rows);
	PUT(DPU_RDMA, RDMA_EW_SURF_STRIDE);
	if (flying) {
		SET(DPU_RDMA, RDMA_FEATURE_MODE_CFG, IN_PRECISION, TASK_PREC_INT32);
		SET(DPU_RDMA, RDMA_FEATURE_MODE_CFG, PROC_PRECISION, TASK_PREC_INT32);
		SET(DPU_RDMA, RDMA_FEATURE_MODE_CFG, FLYING_MODE, 1);
	}
	SET(DPU_RDMA, RDMA_FEATURE_MODE_CFG, BURST_LEN, BURST_16);
	SET(DPU_RDMA, RDMA_FEATURE_MODE_CFG, MRDMA_DISABLE, !flying);
	SET(DPU_RDMA, RDMA_FEATURE_MODE_CFG, CONV_MODE, conv_mode(t));
	PUT(DPU_RDMA, RDMA_FEATURE_MODE_CFG);
	if (flying)
		SET(DPU_RDMA, RDMA_SRC_DMA_CFG, LINE_NOTCH_ADDR, line_notch);
	PUT(DPU_RDMA, RDMA_SRC_DMA_CFG);
	if (flying)
		SET(DPU_RDMA, RDMA_SURF_NOTCH, SURF_NOTCH_ADDR, surf_notch);
	PUT(DPU_RDMA, RDMA_SURF_NOTCH);
	ZERO(DPU_RDMA, RDMA_PAD_CFG);
	/* Equal arbitration weights for the four read engines. */
	SET(DPU_RDMA, RDMA_WEIGHT, E_WEIGHT, 1);
	SET(DPU_RDMA, RDMA_WEIGHT, N_WEIGHT, 1);
	SET(DPU_RDMA, RDMA_WEIGHT, B_WEIGHT, 1);
	SET(DPU_RDMA, RDMA_WEIGHT, M_WEIGHT, 1);
	PUT(DPU_RDMA, RDMA_WEIGHT);
	if (add)
		SET(DPU_RDMA, RDMA_EW_SURF_NOTCH, EW_SURF_NOTCH, surf_notch);
	PUT(DPU_RDMA, RDMA_EW_SURF_NOTCH);
}

void task_pack_requant_record(uint32_t *rec, int32_t bias, int16_t multiplier, uint8_t shift)
{
	rec[0] = (uint32_t)bias;
	rec[1] = (uint32_t)(uint16_t)multiplier;
	rec[2] = shift;
}

void task_emit(struct rnpu_regcmd_prog *p, const struct task_desc *t)
{
	uint32_t enable = RK3588_OP_EN_DPU;
	uint32_t v = 0;

	if (uses_rdma(t))
		enable |= RK3588_OP_EN_DPU_RDMA;
	if (t->compute)
		enable |= RK3588_OP_EN_CNA | RK3588_OP_EN_CORE;
	rnpu_regcmd_task_begin(p);
	/* Ping-pong pointers of the DPU side first, as the reference streams
	 * do; CNA and CORE pointers are set by the driver over MMIO. */
	SET(DPU, S_POINTER, POINTER_PP_MODE, 1);
	SET(DPU, S_POINTER, EXECUTER_PP_EN, 1);
	SET(DPU, S_POINTER, POINTER_PP_EN, 1);
	PUT(DPU, S_POINTER);
	if (enable & RK3588_OP_EN_DPU_RDMA) {
		SET(DPU_RDMA, S_POINTER, POINTER_PP_MODE, 1);
		SET(DPU_RDMA, S_POINTER, EXECUTER_PP_EN, 1);
		SET(DPU_RDMA, S_POINTER, POINTER_PP_EN, 1);
		PUT(DPU_RDMA, S_POINTER);
	}
	if (t->compute) {
		emit_cna(p, t);
		emit_core(p, t);
	}
	emit_dpu(p, t);
	if (enable & RK3588_OP_EN_DPU_RDMA)
		emit_rdma(p, t);
	rnpu_regcmd_task_end(p, enable, RK3588_INT_DPU_GRP0 | RK3588_INT_DPU_GRP1);
}
