// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Register program of a matmul as 1x1 convolutions (hardware notes sections
 * 4.2-4.4, 5 and the worked M=4 K=32 N=32 int8 table of section 8, which a
 * single tile of that shape reproduces word for word).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rk3588_regs.h"
#include "rnpu/matmul_task.h"

#define ATOM_BYTES 16u
#define CBUF_BANKS 12u
#define CBUF_BANK_BYTES 32768u
/* CBUF_CON1.DATA_ENTRIES counts 64-byte units of one input row. */
#define CBUF_ENTRY_BYTES 64u

/* Precision codes: CNA/CORE and DPU enums (sections 4.2, 4.4). */
enum {
	PREC_INT8 = 0,
	PREC_INT16 = 1,
	PREC_FP16 = 2,
	PREC_INT32 = 4,
	PREC_FP32 = 5,
};

/* DMA burst-length code for 16-beat bursts; only affects timing. */
#define BURST_16 15u
/* FEATURE_MODE_CFG.OUTPUT_MODE: results go to memory, not the PPU. */
#define OUTPUT_TO_MEMORY 2u
/* Group-line fetch reads 4 lines at a time: LINE_STRIDE is 4 x the line
 * pitch and the surface pitch is SURF_STRIDE + 4 x width (section 5.2). */
#define GROUP_LINES 4u
/* A matmul is a convolution one pixel wide. */
#define WIDTH 1u
/* Weight banks one kernel group may take, which bounds K per task list:
 * 8 of the 12 banks leave 4 for at least 16 rows of the longest input
 * row, and 8192 is the K segment the vendor's runtime uses on RK3588. */
#define MAX_WEIGHT_BANKS 8u
/* DPU ALU algorithm "add" and the ERDMA/EW element size code of 32 bits. */
#define EW_ALU_ADD 2u
#define EW_SIZE_32BIT 3u
/* ERDMA per-pixel operand (one value per output element). */
#define ERDMA_PER_PIXEL 1u
/* DPU_RDMA.RDMA_WEIGHT: equal arbitration weights for its four readers. */
#define RDMA_EQUAL_WEIGHTS 0x01010101u

struct mm_plan {
	const struct rnpu_matmul_desc *d;
	struct rnpu_mm_layout l;
	uint32_t cna_prec;       /* CNA and CORE input/processing precision */
	uint32_t dpu_out_prec;
	uint32_t out_bytes;      /* bytes per written element */
	uint32_t out_atoms;      /* output atoms per kernel group (SIZE_E + 1) */
	uint32_t weight_banks;   /* banks one kernel group's weights need */
	uint32_t tile_m;
};

static uint32_t div_up(uint64_t a, uint32_t b)
{
	return (uint32_t)((a + b - 1) / b);
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static const char *type_name(enum rnpu_mm_type t)
{
	switch (t) {
	case RNPU_MM_INT8_INT32: return "int8->int32";
	case RNPU_MM_FP16_FP32: return "fp16->fp32";
	case RNPU_MM_FP16_FP16: return "fp16->fp16";
	case RNPU_MM_INT8_INT8: return "int8->int8";
	case RNPU_MM_INT16_INT32: return "int16->int32";
	}
	return "?";
}

/* A tensor must be atom aligned and lie below 4 GiB: every address register
 * on the path is 32 bits wide. */
static int check_buffer(struct rnpu_regcmd_prog *p, const char *what, uint64_t addr, size_t bytes)
{
	const uint64_t limit = UINT64_C(1) << 32;

	if (addr % ATOM_BYTES)
		return rnpu_regcmd_fail(p, -EINVAL, "%s: device address 0x%" PRIx64
					" is not %u-byte aligned", what, addr, ATOM_BYTES);
	if (!bytes || addr >= limit || bytes > limit - addr)
		return rnpu_regcmd_fail(p, -ERANGE, "%s: 0x%" PRIx64 " + %zu bytes ends beyond the"
					" 32-bit device address space", what, addr, bytes);
	return 0;
}

static uint32_t field_max(uint32_t mask, unsigned int shift)
{
	return mask >> shift;
}

/* CBUF bytes one input row occupies: whole 64-byte entries (DATA_ENTRIES). */
static uint64_t cbuf_row_bytes(const struct mm_plan *pl)
{
	return (uint64_t)div_up((uint64_t)pl->d->k * pl->l.in_bytes, CBUF_ENTRY_BYTES) *
	       CBUF_ENTRY_BYTES;
}

/* Largest tile height all row-count fields and the CBUF data banks allow. */
static uint32_t tile_limit(const struct mm_plan *pl)
{
	uint64_t fit = (uint64_t)(CBUF_BANKS - pl->weight_banks) * CBUF_BANK_BYTES /
		       cbuf_row_bytes(pl);
	/* FEATURE_GRAINS holds rows + 1. */
	uint32_t lim = field_max(CNA_CONV_CON2_FEATURE_GRAINS__MASK,
				 CNA_CONV_CON2_FEATURE_GRAINS__SHIFT) - 1;

	lim = min_u32(lim, field_max(CNA_DATA_SIZE0_DATAIN_HEIGHT__MASK,
				     CNA_DATA_SIZE0_DATAIN_HEIGHT__SHIFT));
	lim = min_u32(lim, field_max(CNA_FC_DATA_SIZE0_DMA_HEIGHT__MASK,
				     CNA_FC_DATA_SIZE0_DMA_HEIGHT__SHIFT));
	return fit < lim ? (uint32_t)fit : lim;
}

uint32_t rnpu_matmul_max_k(enum rnpu_mm_type type)
{
	struct rnpu_mm_layout l;

	if (rnpu_matmul_layout(type, &l))
		return 0;
	return MAX_WEIGHT_BANKS * CBUF_BANK_BYTES / (l.kernel_group * l.in_bytes);
}

int rnpu_mm_requant_from_float(double multiplier, int32_t offset, struct rnpu_mm_requant *out)
{
	int shift = 0;
	double mant;

	if (!(multiplier > 0.0) || multiplier >= 65536.0 || isnan(multiplier))
		return -EINVAL;
	/* Keep the scale in [2^15, 2^16) for 16 significant bits. */
	mant = frexp(multiplier, &shift); /* multiplier = mant * 2^shift, mant in [0.5, 1) */
	shift = 16 - shift;
	if (shift > 47) {
		/* Tiny multipliers lose precision but stay representable. */
		mant = ldexp(multiplier, 47);
		shift = 47;
		if (mant < 0.5)
			return -EINVAL;
		out->scale = (uint16_t)llround(mant);
	} else if (shift < 0) {
		return -EINVAL;
	} else {
		long long sc = llround(ldexp(mant, 16));

		if (sc > 65535) { /* mant rounded up to 1.0 */
			sc = 32768;
			shift--;
			if (shift < 0)
				return -EINVAL;
		}
		out->scale = (uint16_t)sc;
	}
	out->shift = (uint8_t)shift;
	out->offset = offset;
	return 0;
}

static int plan_matmul(struct rnpu_regcmd_prog *p, const struct rnpu_matmul_desc *d,
		       uint64_t regcmd_dma, struct mm_plan *pl)
{
	uint64_t kernel_bytes, group_bytes;
	uint32_t lim;
	int ret;

	memset(pl, 0, sizeof(*pl));
	pl->d = d;
	if (rnpu_matmul_layout(d->type, &pl->l))
		return rnpu_regcmd_fail(p, -EINVAL, "type: unknown matmul type %d", (int)d->type);
	if (!d->m || !d->k || !d->n)
		return rnpu_regcmd_fail(p, -EINVAL, "M, K, N must be at least 1 (got %" PRIu32 ", %"
					PRIu32 ", %" PRIu32 ")", d->m, d->k, d->n);
	/* Weights are fetched in 32-channel blocks and DPU output in 16-channel
	 * groups; other shapes would need zero padding the caller can do. */
	if (d->k % pl->l.channel_block)
		return rnpu_regcmd_fail(p, -EINVAL, "K = %" PRIu32 " is not a multiple of %" PRIu32,
					d->k, pl->l.channel_block);
	if (d->n % 16)
		return rnpu_regcmd_fail(p, -EINVAL, "N = %" PRIu32 " is not a multiple of 16", d->n);
	if (d->type != RNPU_MM_INT8_INT8 && (d->requant.scale || d->requant.shift ||
					     d->requant.offset))
		return rnpu_regcmd_fail(p, -EINVAL, "requant: only for int8->int8 output");
	if (d->type == RNPU_MM_INT8_INT8 && !d->partial_out && !d->requant.scale)
		return rnpu_regcmd_fail(p, -EINVAL, "requant.scale: 0 for int8->int8 output");
	if (d->requant.shift > 47)
		return rnpu_regcmd_fail(p, -ERANGE, "requant.shift: %u exceeds 47",
					(unsigned int)d->requant.shift);

	kernel_bytes = (uint64_t)d->k * pl->l.in_bytes;
	if (kernel_bytes > CBUF_BANK_BYTES)
		return rnpu_regcmd_fail(p, -ERANGE, "K = %" PRIu32 ": %" PRIu64 " bytes per kernel"
					" exceed one %u-byte CBUF bank", d->k, kernel_bytes,
					CBUF_BANK_BYTES);
	group_bytes = kernel_bytes * min_u32(pl->l.kernel_group, d->n);
	pl->weight_banks = div_up(group_bytes, CBUF_BANK_BYTES);
	if (pl->weight_banks > CBUF_BANKS - 1)
		return rnpu_regcmd_fail(p, -ERANGE, "K = %" PRIu32 ": one kernel group's weights (%"
					PRIu64 " bytes) do not fit the %u CBUF banks left beside"
					" one data bank", d->k, group_bytes, CBUF_BANKS - 1);

	ret = check_buffer(p, "A", d->a_dma, rnpu_matmul_a_size(d->type, d->m, d->k, d->n));
	if (!ret)
		ret = check_buffer(p, "B", d->b_dma, rnpu_matmul_b_size(d->type, d->m, d->k, d->n));
	if (!ret)
		ret = check_buffer(p, "C", d->c_dma,
				   d->partial_out ? rnpu_matmul_acc_size(d->m, d->n)
						  : rnpu_matmul_c_size(d->type, d->m, d->k, d->n));
	if (!ret && d->acc_dma)
		ret = check_buffer(p, "partial sums", d->acc_dma, rnpu_matmul_acc_size(d->m, d->n));
	if (ret)
		return ret;
	if (regcmd_dma & ((UINT64_C(1) << PC_BASE_ADDRESS_PC_SOURCE_ADDR__SHIFT) - 1))
		return rnpu_regcmd_fail(p, -EINVAL, "regcmd: device address 0x%" PRIx64
					" is not %u-byte aligned", regcmd_dma,
					1u << PC_BASE_ADDRESS_PC_SOURCE_ADDR__SHIFT);

	switch (d->type) {
	case RNPU_MM_INT8_INT32:
		pl->cna_prec = PREC_INT8;
		pl->dpu_out_prec = PREC_INT32;
		break;
	case RNPU_MM_INT8_INT8:
		pl->cna_prec = PREC_INT8;
		pl->dpu_out_prec = PREC_INT8;
		break;
	case RNPU_MM_INT16_INT32:
		pl->cna_prec = PREC_INT16;
		pl->dpu_out_prec = PREC_INT32;
		break;
	default:
		pl->cna_prec = PREC_FP16;
		pl->dpu_out_prec = d->type == RNPU_MM_FP16_FP32 ? PREC_FP32 : PREC_FP16;
		break;
	}
	pl->out_bytes = pl->l.out_bytes;
	if (d->partial_out) {
		/* Partial sums stay in the accumulator's 32-bit type. */
		pl->dpu_out_prec = pl->cna_prec == PREC_FP16 ? PREC_FP32 : PREC_INT32;
		pl->out_bytes = 4;
	}
	/* The DPU writes a kernel group's channels as consecutive surfaces. */
	pl->out_atoms = pl->l.kernel_group * pl->out_bytes / ATOM_BYTES;

	lim = tile_limit(pl);
	if (d->max_tile_m) {
		pl->tile_m = min_u32(d->max_tile_m, lim);
	} else {
		pl->tile_m = lim;
		/* Split tiles keep heights a multiple of the 4-line fetch group,
		 * the only heights the reference generators ran on hardware. */
		if (d->m > lim && lim >= GROUP_LINES)
			pl->tile_m -= lim % GROUP_LINES;
	}
	pl->tile_m = min_u32(pl->tile_m, d->m);
	return 0;
}

/* Register-building shorthands: SET packs a field into v, PUT emits v and
 * clears it, ZERO emits a register the path leaves at 0. */
#define SET(BLK, R, F, val) RNPU_REGCMD_FIELD(p, &v, BLK, R, F, (val))
#define SET_S(BLK, R, F, val) RNPU_REGCMD_FIELD_S(p, &v, BLK, R, F, (val))
#define SET_ADDR(BLK, R, F, addr) RNPU_REGCMD_FIELD_ADDR(p, &v, BLK, R, F, (addr))
#define PUT(BLK, R)                                                                      \
	do {                                                                             \
		rnpu_regcmd_emit(p, RK3588_TARGET_##BLK, REG_##BLK##_##R, v);            \
		v = 0;                                                                   \
	} while (0)
#define ZERO(BLK, R) rnpu_regcmd_emit(p, RK3588_TARGET_##BLK, REG_##BLK##_##R, 0)

static void emit_cna(struct rnpu_regcmd_prog *p, const struct mm_plan *pl, uint32_t m0,
		     uint32_t rows)
{
	static const uint16_t dcomp_amounts[] = {
		REG_CNA_DCOMP_AMOUNT0, REG_CNA_DCOMP_AMOUNT1, REG_CNA_DCOMP_AMOUNT2,
		REG_CNA_DCOMP_AMOUNT3, REG_CNA_DCOMP_AMOUNT4, REG_CNA_DCOMP_AMOUNT5,
		REG_CNA_DCOMP_AMOUNT6, REG_CNA_DCOMP_AMOUNT7, REG_CNA_DCOMP_AMOUNT8,
		REG_CNA_DCOMP_AMOUNT9, REG_CNA_DCOMP_AMOUNT10, REG_CNA_DCOMP_AMOUNT11,
		REG_CNA_DCOMP_AMOUNT12, REG_CNA_DCOMP_AMOUNT13, REG_CNA_DCOMP_AMOUNT14,
		REG_CNA_DCOMP_AMOUNT15,
	};
	const struct rnpu_matmul_desc *d = pl->d;
	uint32_t elem = pl->l.in_bytes;
	uint32_t data_banks = div_up(rows * cbuf_row_bytes(pl), CBUF_BANK_BYTES);
	uint32_t v = 0;

	SET(CNA, CONV_CON1, PROC_PRECISION, pl->cna_prec);
	SET(CNA, CONV_CON1, IN_PRECISION, pl->cna_prec);
	PUT(CNA, CONV_CON1);
	/* Buffer the whole tile before computing, as every matmul generator does. */
	SET(CNA, CONV_CON2, FEATURE_GRAINS, (uint64_t)rows + 1);
	PUT(CNA, CONV_CON2);
	SET(CNA, CONV_CON3, CONV_Y_STRIDE, 1);
	SET(CNA, CONV_CON3, CONV_X_STRIDE, 1);
	PUT(CNA, CONV_CON3);
	SET(CNA, DATA_SIZE0, DATAIN_WIDTH, WIDTH);
	SET(CNA, DATA_SIZE0, DATAIN_HEIGHT, rows);
	PUT(CNA, DATA_SIZE0);
	SET(CNA, DATA_SIZE1, DATAIN_CHANNEL_REAL, d->k - 1);
	SET(CNA, DATA_SIZE1, DATAIN_CHANNEL, d->k);
	PUT(CNA, DATA_SIZE1);
	SET(CNA, DATA_SIZE2, DATAOUT_WIDTH, WIDTH);
	PUT(CNA, DATA_SIZE2);
	SET(CNA, DATA_SIZE3, DATAOUT_ATOMICS, (uint64_t)rows * WIDTH);
	PUT(CNA, DATA_SIZE3);
	SET(CNA, WEIGHT_SIZE0, WEIGHT_BYTES, (uint64_t)d->k * d->n * elem);
	PUT(CNA, WEIGHT_SIZE0);
	SET(CNA, WEIGHT_SIZE1, WEIGHT_BYTES_PER_KERNEL, (uint64_t)d->k * elem);
	PUT(CNA, WEIGHT_SIZE1);
	SET(CNA, WEIGHT_SIZE2, WEIGHT_WIDTH, 1);
	SET(CNA, WEIGHT_SIZE2, WEIGHT_HEIGHT, 1);
	SET(CNA, WEIGHT_SIZE2, WEIGHT_KERNELS, d->n);
	PUT(CNA, WEIGHT_SIZE2);
	/* Data gets what the tile needs, weights the rest. */
	SET(CNA, CBUF_CON0, WEIGHT_BANK, CBUF_BANKS - data_banks);
	SET(CNA, CBUF_CON0, DATA_BANK, data_banks);
	PUT(CNA, CBUF_CON0);
	SET(CNA, CBUF_CON1, DATA_ENTRIES, div_up((uint64_t)d->k * elem, CBUF_ENTRY_BYTES));
	PUT(CNA, CBUF_CON1);
	/* Input converter bypassed; int8 data is signed. */
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
	ZERO(CNA, PAD_CON0);
	/* A tile starts m0 rows (atoms) into every surface of the full A. */
	SET_ADDR(CNA, FEATURE_DATA_ADDR, VALUE, d->a_dma + (uint64_t)m0 * ATOM_BYTES);
	PUT(CNA, FEATURE_DATA_ADDR);
	ZERO(CNA, FC_CON2);
	SET(CNA, DMA_CON0, WEIGHT_BURST_LEN, BURST_16);
	SET(CNA, DMA_CON0, DATA_BURST_LEN, BURST_16);
	PUT(CNA, DMA_CON0);
	SET(CNA, DMA_CON1, LINE_STRIDE, GROUP_LINES * WIDTH);
	PUT(CNA, DMA_CON1);
	/* Surface pitch is the full M, so tiles stride over the whole tensor. */
	SET_S(CNA, DMA_CON2, SURF_STRIDE, (int64_t)d->m * WIDTH - GROUP_LINES * WIDTH);
	PUT(CNA, DMA_CON2);
	SET(CNA, FC_DATA_SIZE0, DMA_WIDTH, WIDTH);
	SET(CNA, FC_DATA_SIZE0, DMA_HEIGHT, rows);
	PUT(CNA, FC_DATA_SIZE0);
	SET(CNA, FC_DATA_SIZE1, DMA_CHANNEL, d->k);
	PUT(CNA, FC_DATA_SIZE1);
	/* Decompression off; DCOMP_ADDR0 still carries the weight address. */
	ZERO(CNA, DCOMP_CTRL);
	ZERO(CNA, DCOMP_REGNUM);
	SET_ADDR(CNA, DCOMP_ADDR0, VALUE, d->b_dma);
	PUT(CNA, DCOMP_ADDR0);
	for (size_t i = 0; i < sizeof(dcomp_amounts) / sizeof(dcomp_amounts[0]); i++)
		rnpu_regcmd_emit(p, RK3588_TARGET_CNA, dcomp_amounts[i], 0);
	ZERO(CNA, CVT_CON5);
	ZERO(CNA, PAD_CON1);
}

static void emit_core(struct rnpu_regcmd_prog *p, const struct mm_plan *pl, uint32_t rows)
{
	uint32_t v = 0;

	SET(CORE, MISC_CFG, PROC_PRECISION, pl->cna_prec);
	PUT(CORE, MISC_CFG);
	SET(CORE, DATAOUT_SIZE_0, DATAOUT_HEIGHT, rows - 1);
	SET(CORE, DATAOUT_SIZE_0, DATAOUT_WIDTH, WIDTH - 1);
	PUT(CORE, DATAOUT_SIZE_0);
	SET(CORE, DATAOUT_SIZE_1, DATAOUT_CHANNEL, pl->d->n - 1);
	PUT(CORE, DATAOUT_SIZE_1);
	ZERO(CORE, CLIP_TRUNCATE);
	ZERO(CORE, RESERVED_3030);
}

static void emit_dpu(struct rnpu_regcmd_prog *p, const struct mm_plan *pl, uint32_t m0,
		     uint32_t rows)
{
	static const uint16_t zero_tail[] = {
		REG_DPU_EW_OP_VALUE_0, REG_DPU_EW_OP_VALUE_1, REG_DPU_EW_OP_VALUE_2,
		REG_DPU_EW_OP_VALUE_3, REG_DPU_EW_OP_VALUE_4, REG_DPU_EW_OP_VALUE_5,
		REG_DPU_EW_OP_VALUE_6, REG_DPU_EW_OP_VALUE_7,
	};
	static const uint16_t lut[] = {
		REG_DPU_LUT_ACCESS_CFG, REG_DPU_LUT_ACCESS_DATA, REG_DPU_LUT_CFG,
		REG_DPU_LUT_INFO, REG_DPU_LUT_LE_START, REG_DPU_LUT_LE_END,
		REG_DPU_LUT_LO_START, REG_DPU_LUT_LO_END, REG_DPU_LUT_LE_SLOPE_SCALE,
		REG_DPU_LUT_LE_SLOPE_SHIFT, REG_DPU_LUT_LO_SLOPE_SCALE,
		REG_DPU_LUT_LO_SLOPE_SHIFT,
	};
	const struct rnpu_matmul_desc *d = pl->d;
	uint32_t e = pl->out_atoms;
	uint32_t v = 0;

	SET(DPU, FEATURE_MODE_CFG, BURST_LEN, BURST_16);
	SET(DPU, FEATURE_MODE_CFG, OUTPUT_MODE, OUTPUT_TO_MEMORY);
	PUT(DPU, FEATURE_MODE_CFG);
	SET(DPU, DATA_FORMAT, OUT_PRECISION, pl->dpu_out_prec);
	SET(DPU, DATA_FORMAT, IN_PRECISION, pl->cna_prec);
	SET(DPU, DATA_FORMAT, PROC_PRECISION, pl->cna_prec);
	PUT(DPU, DATA_FORMAT);
	ZERO(DPU, OFFSET_PEND);
	SET_ADDR(DPU, DST_BASE_ADDR, VALUE, d->c_dma + (uint64_t)m0 * ATOM_BYTES);
	PUT(DPU, DST_BASE_ADDR);
	/* Output surfaces are full-M apart (field counts atoms). */
	SET(DPU, DST_SURF_STRIDE, VALUE, (uint64_t)d->m * WIDTH);
	PUT(DPU, DST_SURF_STRIDE);
	SET(DPU, DATA_CUBE_WIDTH, VALUE, WIDTH - 1);
	PUT(DPU, DATA_CUBE_WIDTH);
	SET(DPU, DATA_CUBE_HEIGHT, HEIGHT, rows - 1);
	PUT(DPU, DATA_CUBE_HEIGHT);
	ZERO(DPU, DATA_CUBE_NOTCH_ADDR);
	SET(DPU, DATA_CUBE_CHANNEL, CHANNEL, d->n - 1);
	SET(DPU, DATA_CUBE_CHANNEL, ORIG_CHANNEL, d->n - 1);
	PUT(DPU, DATA_CUBE_CHANNEL);
	/* BS, BN and EW all bypassed: the accumulator goes out unchanged. */
	SET(DPU, BS_CFG, BS_RELU_BYPASS, 1);
	SET(DPU, BS_CFG, BS_MUL_BYPASS, 1);
	SET(DPU, BS_CFG, BS_ALU_BYPASS, 1);
	SET(DPU, BS_CFG, BS_BYPASS, 1);
	PUT(DPU, BS_CFG);
	ZERO(DPU, BS_ALU_CFG);
	ZERO(DPU, BS_MUL_CFG);
	ZERO(DPU, BS_RELUX_CMP_VALUE);
	SET(DPU, BS_OW_CFG, SIZE_E_2, e - 1);
	SET(DPU, BS_OW_CFG, SIZE_E_1, e - 1);
	SET(DPU, BS_OW_CFG, SIZE_E_0, e - 1);
	SET(DPU, BS_OW_CFG, OD_BYPASS, 1);
	PUT(DPU, BS_OW_CFG);
	ZERO(DPU, BS_OW_OP);
	SET(DPU, WDMA_SIZE_0, CHANNEL_WDMA, d->n - 1);
	PUT(DPU, WDMA_SIZE_0);
	SET(DPU, WDMA_SIZE_1, HEIGHT_WDMA, rows - 1);
	SET(DPU, WDMA_SIZE_1, WIDTH_WDMA, WIDTH - 1);
	PUT(DPU, WDMA_SIZE_1);
	/* ReLU in BN when nothing is added later, else in EW after the add. */
	SET(DPU, BN_CFG, BN_RELU_BYPASS, !(d->relu && !d->acc_dma));
	SET(DPU, BN_CFG, BN_MUL_BYPASS, 1);
	SET(DPU, BN_CFG, BN_ALU_BYPASS, 1);
	SET(DPU, BN_CFG, BN_BYPASS, !(d->relu && !d->acc_dma));
	PUT(DPU, BN_CFG);
	ZERO(DPU, BN_ALU_CFG);
	ZERO(DPU, BN_MUL_CFG);
	ZERO(DPU, BN_RELUX_CMP_VALUE);
	if (d->acc_dma) {
		/* Add the earlier K slices' sums, one per output element, with
		 * the operand converter on as the identity (a fused add is
		 * dropped on hardware with the converter bypassed). */
		SET(DPU, EW_CFG, EW_DATA_MODE, ERDMA_PER_PIXEL);
		SET(DPU, EW_CFG, EDATA_SIZE, EW_SIZE_32BIT);
		SET(DPU, EW_CFG, EW_ALU_ALGO, EW_ALU_ADD);
		SET(DPU, EW_CFG, EW_RELU_BYPASS, !d->relu);
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
	if (pl->dpu_out_prec == PREC_INT8) {
		/* Requantise: ((acc * scale) >> shift, rounded half up) + offset. */
		SET_S(DPU, OUT_CVT_OFFSET, VALUE, d->requant.offset);
		PUT(DPU, OUT_CVT_OFFSET);
		SET(DPU, OUT_CVT_SCALE, OUT_CVT_SCALE, d->requant.scale);
		PUT(DPU, OUT_CVT_SCALE);
		SET(DPU, OUT_CVT_SHIFT, CVT_ROUND, 1);
		SET(DPU, OUT_CVT_SHIFT, OUT_CVT_SHIFT, d->requant.shift);
		PUT(DPU, OUT_CVT_SHIFT);
	} else {
		ZERO(DPU, OUT_CVT_OFFSET);
		SET(DPU, OUT_CVT_SCALE, OUT_CVT_SCALE, 1);
		if (pl->dpu_out_prec == PREC_FP16)
			SET(DPU, OUT_CVT_SCALE, FP32TOFP16_EN, 1);
		PUT(DPU, OUT_CVT_SCALE);
		ZERO(DPU, OUT_CVT_SHIFT);
	}
	for (size_t i = 0; i < sizeof(zero_tail) / sizeof(zero_tail[0]); i++)
		rnpu_regcmd_emit(p, RK3588_TARGET_DPU, zero_tail[i], 0);
	/* Kernel groups are e surfaces apart (field counts atoms). */
	SET(DPU, SURFACE_ADD, SURF_ADD, (uint64_t)e * d->m * WIDTH);
	PUT(DPU, SURFACE_ADD);
	ZERO(DPU, RESERVED_40C4);
	for (size_t i = 0; i < sizeof(lut) / sizeof(lut[0]); i++)
		rnpu_regcmd_emit(p, RK3588_TARGET_DPU, lut[i], 0);
}

/* ERDMA reads the partial sums of the same rows: an int32/fp32 cube of
 * the tile's size whose surfaces are the full M apart. */
static void emit_rdma(struct rnpu_regcmd_prog *p, const struct mm_plan *pl, uint32_t m0,
		      uint32_t rows)
{
	const struct rnpu_matmul_desc *d = pl->d;
	uint32_t v = 0;

	SET(DPU_RDMA, RDMA_DATA_CUBE_WIDTH, VALUE, WIDTH - 1);
	PUT(DPU_RDMA, RDMA_DATA_CUBE_WIDTH);
	SET(DPU_RDMA, RDMA_DATA_CUBE_HEIGHT, HEIGHT, rows - 1);
	PUT(DPU_RDMA, RDMA_DATA_CUBE_HEIGHT);
	SET(DPU_RDMA, RDMA_DATA_CUBE_CHANNEL, VALUE, d->n - 1);
	PUT(DPU_RDMA, RDMA_DATA_CUBE_CHANNEL);
	ZERO(DPU_RDMA, RDMA_SRC_BASE_ADDR);
	ZERO(DPU_RDMA, RDMA_BRDMA_CFG);
	ZERO(DPU_RDMA, RDMA_BS_BASE_ADDR);
	ZERO(DPU_RDMA, RDMA_NRDMA_CFG);
	ZERO(DPU_RDMA, RDMA_BN_BASE_ADDR);
	SET(DPU_RDMA, RDMA_ERDMA_CFG, ERDMA_DATA_MODE, ERDMA_PER_PIXEL);
	SET(DPU_RDMA, RDMA_ERDMA_CFG, DATA_SIZE, EW_SIZE_32BIT);
	PUT(DPU_RDMA, RDMA_ERDMA_CFG);
	SET_ADDR(DPU_RDMA, RDMA_EW_BASE_ADDR, VALUE, d->acc_dma + (uint64_t)m0 * ATOM_BYTES);
	PUT(DPU_RDMA, RDMA_EW_BASE_ADDR);
	SET(DPU_RDMA, RDMA_EW_SURF_STRIDE, VALUE, (uint64_t)d->m * WIDTH);
	PUT(DPU_RDMA, RDMA_EW_SURF_STRIDE);
	SET(DPU_RDMA, RDMA_FEATURE_MODE_CFG, BURST_LEN, BURST_16);
	SET(DPU_RDMA, RDMA_FEATURE_MODE_CFG, MRDMA_DISABLE, 1);
	PUT(DPU_RDMA, RDMA_FEATURE_MODE_CFG);
	ZERO(DPU_RDMA, RDMA_SRC_DMA_CFG);
	ZERO(DPU_RDMA, RDMA_SURF_NOTCH);
	ZERO(DPU_RDMA, RDMA_PAD_CFG);
	rnpu_regcmd_emit(p, RK3588_TARGET_DPU_RDMA, REG_DPU_RDMA_RDMA_WEIGHT, RDMA_EQUAL_WEIGHTS);
	/* The rows of the other tiles lie between two surfaces. */
	SET(DPU_RDMA, RDMA_EW_SURF_NOTCH, EW_SURF_NOTCH, (uint64_t)(d->m - rows) * WIDTH);
	PUT(DPU_RDMA, RDMA_EW_SURF_NOTCH);
}

static void emit_tile(struct rnpu_regcmd_prog *p, const struct mm_plan *pl, uint32_t m0,
		      uint32_t rows)
{
	uint32_t enable = RK3588_OP_EN_CNA | RK3588_OP_EN_CORE | RK3588_OP_EN_DPU;
	uint32_t v = 0;

	rnpu_regcmd_task_begin(p);
	/* DPU ping-pong pointer first, as the reference streams do; CNA and
	 * CORE pointers are set by the driver over MMIO. */
	SET(DPU, S_POINTER, POINTER_PP_MODE, 1);
	SET(DPU, S_POINTER, EXECUTER_PP_EN, 1);
	SET(DPU, S_POINTER, POINTER_PP_EN, 1);
	if (pl->d->acc_dma) {
		rnpu_regcmd_emit(p, RK3588_TARGET_DPU, REG_DPU_S_POINTER, v);
		PUT(DPU_RDMA, S_POINTER);
		enable |= RK3588_OP_EN_DPU_RDMA;
	} else {
		PUT(DPU, S_POINTER);
	}
	emit_cna(p, pl, m0, rows);
	emit_core(p, pl, rows);
	emit_dpu(p, pl, m0, rows);
	if (pl->d->acc_dma)
		emit_rdma(p, pl, m0, rows);
	rnpu_regcmd_task_end(p, enable, RK3588_INT_DPU_GRP0 | RK3588_INT_DPU_GRP1);
}

uint32_t rnpu_matmul_tile_rows(const struct rnpu_matmul_desc *d)
{
	struct rnpu_regcmd_prog p;
	struct mm_plan pl;
	uint32_t rows;

	rnpu_regcmd_init(&p);
	rows = plan_matmul(&p, d, 0, &pl) ? 0 : pl.tile_m;
	rnpu_regcmd_fini(&p);
	return rows;
}

int rnpu_matmul_append(const struct rnpu_matmul_desc *d, struct rnpu_regcmd_prog *p)
{
	struct mm_plan pl;
	int ret;

	if (p->err)
		return p->err;
	uint32_t end;

	ret = plan_matmul(p, d, 0, &pl);
	if (!ret && (d->row_begin || d->row_count) &&
	    (d->row_count == 0 || d->row_begin >= d->m || d->row_count > d->m - d->row_begin))
		ret = rnpu_regcmd_fail(p, -EINVAL, "rows %" PRIu32 "+%" PRIu32 " outside M = %"
				       PRIu32, d->row_begin, d->row_count, d->m);
	end = d->row_count ? d->row_begin + d->row_count : d->m;
	for (uint32_t m0 = d->row_begin, rows; !ret && m0 < end; m0 += rows) {
		rows = min_u32(pl.tile_m, end - m0);
		emit_tile(p, &pl, m0, rows);
		ret = p->err;
	}
	if (ret && !p->err)
		rnpu_regcmd_fail(p, ret, "matmul %s %" PRIu32 "x%" PRIu32 "x%" PRIu32 " refused",
				 type_name(d->type), d->m, d->k, d->n);
	return p->err;
}

int rnpu_matmul_build(const struct rnpu_matmul_desc *d, uint64_t regcmd_dma,
		      struct rnpu_regcmd_prog *out, char *err, size_t errlen)
{
	struct mm_plan pl;
	int ret;

	rnpu_regcmd_init(out);
	ret = plan_matmul(out, d, regcmd_dma, &pl);
	for (uint32_t m0 = 0, rows; !ret && m0 < d->m; m0 += rows) {
		rows = min_u32(pl.tile_m, d->m - m0);
		emit_tile(out, &pl, m0, rows);
		ret = out->err;
	}
	if (!ret)
		ret = rnpu_regcmd_link(out, regcmd_dma);
	if (ret) {
		if (err && errlen)
			snprintf(err, errlen, "matmul %s %" PRIu32 "x%" PRIu32 "x%" PRIu32 ": %s",
				 type_name(d->type), d->m, d->k, d->n, out->msg);
		rnpu_regcmd_fini(out);
		return ret;
	}
	if (err && errlen)
		err[0] = '\0';
	return 0;
}
