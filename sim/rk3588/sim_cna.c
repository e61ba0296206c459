// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * CNA: decodes the convolution, checks CBUF capacity, fetches the feature
 * cube (NC1HWC2, 16-byte atoms) and the weights (kernel-group tiles), and lays
 * both out densely so the MAC loop is a contiguous dot product.
 */
#include <string.h>

#include "sim_fp16.h"
#include "sim_internal.h"

#define REG(t, name) sim_task_reg((t), REG_##name)
/* Misprogramming or an unmodelled feature: the task ends with an error. */
#define REFUSE(t, ...) sim_task_fail((t), SIM_ASSUME_ERR_CONFIG_BIT, __VA_ARGS__)

static const uint32_t dcomp_amount_regs[] = {
	REG_CNA_DCOMP_AMOUNT0,	REG_CNA_DCOMP_AMOUNT1,	REG_CNA_DCOMP_AMOUNT2,
	REG_CNA_DCOMP_AMOUNT3,	REG_CNA_DCOMP_AMOUNT4,	REG_CNA_DCOMP_AMOUNT5,
	REG_CNA_DCOMP_AMOUNT6,	REG_CNA_DCOMP_AMOUNT7,	REG_CNA_DCOMP_AMOUNT8,
	REG_CNA_DCOMP_AMOUNT9,	REG_CNA_DCOMP_AMOUNT10, REG_CNA_DCOMP_AMOUNT11,
	REG_CNA_DCOMP_AMOUNT12, REG_CNA_DCOMP_AMOUNT13, REG_CNA_DCOMP_AMOUNT14,
	REG_CNA_DCOMP_AMOUNT15,
};

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

static enum sim_prec prec_of(unsigned int cna_prec)
{
	if (cna_prec == SIM_CNA_PREC_INT8)
		return SIM_PREC_INT8;
	if (cna_prec == SIM_CNA_PREC_INT4)
		return SIM_PREC_INT4;
	return cna_prec == SIM_CNA_PREC_INT16 ? SIM_PREC_INT16 : SIM_PREC_FP16;
}

static int check_mode(struct sim_task *t, struct sim_conv *cv)
{
	uint32_t con1 = REG(t, CNA_CONV_CON1);
	uint32_t con2 = REG(t, CNA_CONV_CON2);
	uint32_t con3 = REG(t, CNA_CONV_CON3);
	uint32_t misc = REG(t, CORE_MISC_CFG);
	uint32_t cvt = REG(t, CNA_CVT_CON0);
	unsigned int in_p = rk3588_get_CNA_CONV_CON1_IN_PRECISION(con1);
	unsigned int proc_p = rk3588_get_CNA_CONV_CON1_PROC_PRECISION(con1);
	unsigned int mode = rk3588_get_CNA_CONV_CON1_CONV_MODE(con1);

	if ((mode != SIM_CONV_MODE_DIRECT && mode != SIM_CONV_MODE_DEPTHWISE) ||
	    rk3588_get_CNA_CONV_CON1_DECONV(con1) || rk3588_get_CNA_CONV_CON1_ARGB_IN(con1) ||
	    rk3588_get_CNA_CONV_CON1_NONALIGN_DMA(con1))
		return REFUSE(t,
			      "CNA.CONV_CON1 = 0x%08x: only direct and depthwise convolution "
			      "with aligned input are modelled",
			      con1);
	if (in_p != proc_p || (in_p != SIM_CNA_PREC_INT8 && in_p != SIM_CNA_PREC_INT16 &&
			       in_p != SIM_CNA_PREC_FP16 && in_p != SIM_CNA_PREC_INT4))
		return REFUSE(t, "CNA.CONV_CON1 = 0x%08x: precision in %u / proc %u not modelled",
			      con1, in_p, proc_p);
	cv->dw = mode == SIM_CONV_MODE_DEPTHWISE;
	if (rk3588_get_CORE_MISC_CFG_PROC_PRECISION(misc) != proc_p ||
	    (bool)rk3588_get_CORE_MISC_CFG_DW_EN(misc) != cv->dw)
		return REFUSE(t, "CORE.MISC_CFG = 0x%08x disagrees with CNA.CONV_CON1 = 0x%08x",
			      misc, con1);
	cv->qd = rk3588_get_CORE_MISC_CFG_QD_EN(misc);
	if (cv->qd && in_p == SIM_CNA_PREC_FP16)
		return REFUSE(t, "CORE.MISC_CFG = 0x%08x: QD_EN window sums are integer only",
			      misc);
	if (rk3588_get_CNA_CONV_CON2_CSC_WO_EN(con2) || rk3588_get_CNA_CONV_CON2_CSC_DO_EN(con2))
		return REFUSE(t, "CNA.CONV_CON2 = 0x%08x: CSC data/weight suppression not modelled",
			      con2);
	if (rk3588_get_CNA_CONV_CON3_NN_MODE(con3) ||
	    !rk3588_get_CNA_CONV_CON3_CONV_X_STRIDE(con3) ||
	    !rk3588_get_CNA_CONV_CON3_CONV_Y_STRIDE(con3))
		return REFUSE(t, "CNA.CONV_CON3 = 0x%08x: multi-core mode or zero stride", con3);
	cv->cvt_on = !rk3588_get_CNA_CVT_CON0_CVT_BYPASS(cvt);
	cv->in_unsigned = in_p != SIM_CNA_PREC_FP16 && !rk3588_get_CNA_CVT_CON0_DATA_SIGN(cvt);
	if (cv->cvt_on && in_p == SIM_CNA_PREC_FP16)
		return REFUSE(t, "CNA.CVT_CON0 = 0x%08x: the input converter on fp16 data is not "
			      "modelled",
			      cvt);
	_Static_assert(SIM_ASSUME_INT4_MATMUL_ONLY, "int4 as the public int4 programs run it");
	if (in_p == SIM_CNA_PREC_INT4 && (cv->cvt_on || cv->dw))
		return REFUSE(t,
			      "CNA.CONV_CON1 = 0x%08x with CNA.CVT_CON0 = 0x%08x: int4 is "
			      "modelled for direct convolution with the converter off only",
			      con1, cvt);
	if (cv->in_unsigned && !cv->cvt_on)
		return REFUSE(t,
			      "CNA.CVT_CON0 = 0x%08x: unsigned integers without the input "
			      "converter are not modelled",
			      cvt);
	if (rk3588_get_CNA_FC_CON0_FC_SKIP_EN(REG(t, CNA_FC_CON0)))
		return REFUSE(t, "CNA.FC_CON0: zero skipping not modelled");
	if (REG(t, CNA_DCOMP_CTRL) || REG(t, CNA_DCOMP_REGNUM))
		return REFUSE(t, "CNA.DCOMP_CTRL/DCOMP_REGNUM: weight decompression not modelled");
	for (size_t i = 0; i < sizeof(dcomp_amount_regs) / sizeof(dcomp_amount_regs[0]); i++)
		if (sim_task_reg(t, dcomp_amount_regs[i]))
			return REFUSE(t, "%s: weight decompression not modelled",
				      rk3588_reg_name(dcomp_amount_regs[i]));

	cv->prec = prec_of(in_p);
	cv->eb = cv->prec == SIM_PREC_INT8 || cv->prec == SIM_PREC_INT4 ? 1 : 2;
	cv->ebits = cv->prec == SIM_PREC_INT4 ? 4 : 8 * cv->eb;
	cv->sx = rk3588_get_CNA_CONV_CON3_CONV_X_STRIDE(con3);
	cv->sy = rk3588_get_CNA_CONV_CON3_CONV_Y_STRIDE(con3);
	_Static_assert(SIM_ASSUME_DILATION_PLUS_ONE, "ATROUS field d: taps d + 1 apart");
	cv->dx = rk3588_get_CNA_CONV_CON3_ATROUS_X_DILATION(con3) + 1;
	cv->dy = rk3588_get_CNA_CONV_CON3_ATROUS_Y_DILATION(con3) + 1;
	return 0;
}

static int check_shapes(struct sim_task *t, struct sim_conv *cv)
{
	uint32_t ds0 = REG(t, CNA_DATA_SIZE0);
	uint32_t ws1 = REG(t, CNA_WEIGHT_SIZE1);
	uint32_t ws2 = REG(t, CNA_WEIGHT_SIZE2);
	uint32_t out0 = REG(t, CORE_DATAOUT_SIZE_0);
	uint32_t pad0 = REG(t, CNA_PAD_CON0);
	uint32_t clip = REG(t, CORE_CLIP_TRUNCATE);
	uint64_t bpk, spatial;

	cv->in_w = rk3588_get_CNA_DATA_SIZE0_DATAIN_WIDTH(ds0);
	cv->in_h = rk3588_get_CNA_DATA_SIZE0_DATAIN_HEIGHT(ds0);
	cv->in_c = rk3588_get_CNA_DATA_SIZE1_DATAIN_CHANNEL(REG(t, CNA_DATA_SIZE1));
	if (!cv->in_w || !cv->in_h || !cv->in_c)
		return REFUSE(t, "CNA.DATA_SIZE0/1: empty input cube");

	cv->kw = rk3588_get_CNA_WEIGHT_SIZE2_WEIGHT_WIDTH(ws2);
	cv->kh = rk3588_get_CNA_WEIGHT_SIZE2_WEIGHT_HEIGHT(ws2);
	cv->kernels = rk3588_get_CNA_WEIGHT_SIZE2_WEIGHT_KERNELS(ws2);
	bpk = rk3588_get_CNA_WEIGHT_SIZE1_WEIGHT_BYTES_PER_KERNEL(ws1);
	/* Bits, so that two int4 channels share a byte. */
	spatial = (uint64_t)cv->kw * cv->kh * cv->ebits;
	if (!cv->kw || !cv->kh || !cv->kernels || !bpk || bpk * 8 % spatial)
		return REFUSE(t, "CNA.WEIGHT_SIZE1/2 = 0x%08x/0x%08x: inconsistent kernel shape",
			      ws1, ws2);
	cv->wc = (unsigned int)(bpk * 8 / spatial);
	if (SIM_ASSUME_WEIGHT_CHANNELS_MATCH && cv->wc != cv->in_c)
		return REFUSE(t, "CNA.WEIGHT_SIZE1: %u channels per kernel, CNA.DATA_SIZE1 has %u",
			      cv->wc, cv->in_c);
	if (cv->dw && cv->kernels != 1)
		return REFUSE(t, "CNA.WEIGHT_SIZE2 = 0x%08x: depthwise weights are one kernel",
			      ws2);
	if (SIM_ASSUME_WEIGHT_BYTES_FROM_KERNELS &&
	    rk3588_get_CNA_WEIGHT_SIZE0_WEIGHT_BYTES(REG(t, CNA_WEIGHT_SIZE0)) < bpk * cv->kernels)
		return REFUSE(t, "CNA.WEIGHT_SIZE0 is smaller than kernels x bytes per kernel");

	cv->out_w = rk3588_get_CORE_DATAOUT_SIZE_0_DATAOUT_WIDTH(out0) + 1;
	cv->out_h = rk3588_get_CORE_DATAOUT_SIZE_0_DATAOUT_HEIGHT(out0) + 1;
	cv->out_c = rk3588_get_CORE_DATAOUT_SIZE_1_DATAOUT_CHANNEL(REG(t, CORE_DATAOUT_SIZE_1)) + 1;
	if (!cv->dw && cv->kernels > cv->out_c)
		return REFUSE(t, "CORE.DATAOUT_SIZE_1: %u channels for %u kernels", cv->out_c,
			      cv->kernels);

	/* Mismatches here only matter to the hardware's sequencing. */
	_Static_assert(SIM_ASSUME_DATAIN_DEFINES_FETCH, "the fetch follows DATA_SIZE0/1");
	if (rk3588_get_CNA_DATA_SIZE2_DATAOUT_WIDTH(REG(t, CNA_DATA_SIZE2)) != cv->out_w ||
	    rk3588_get_CNA_DATA_SIZE3_DATAOUT_ATOMICS(REG(t, CNA_DATA_SIZE3)) !=
		    cv->out_w * cv->out_h)
		sim_trace(t->core, "warning: CNA.DATA_SIZE2/3 disagree with CORE.DATAOUT_SIZE_0");
	if (rk3588_get_CNA_FC_DATA_SIZE0_DMA_WIDTH(REG(t, CNA_FC_DATA_SIZE0)) != cv->in_w ||
	    rk3588_get_CNA_FC_DATA_SIZE0_DMA_HEIGHT(REG(t, CNA_FC_DATA_SIZE0)) != cv->in_h ||
	    rk3588_get_CNA_FC_DATA_SIZE1_DMA_CHANNEL(REG(t, CNA_FC_DATA_SIZE1)) != cv->in_c)
		sim_trace(t->core, "warning: CNA.FC_DATA_SIZE0/1 disagree with CNA.DATA_SIZE0/1");

	cv->pad_l = rk3588_get_CNA_PAD_CON0_PAD_LEFT(pad0);
	cv->pad_t = rk3588_get_CNA_PAD_CON0_PAD_TOP(pad0);
	if (cv->prec == SIM_PREC_INT4) {
		if (cv->kw != 1 || cv->kh != 1 || cv->kernels % SIM_KG_INT4)
			return REFUSE(t,
				      "CNA.WEIGHT_SIZE2 = 0x%08x: int4 is modelled for 1x1 "
				      "kernels in whole groups of %u",
				      ws2, SIM_KG_INT4);
		if (cv->in_c % SIM_CB)
			return REFUSE(t,
				      "CNA.DATA_SIZE1 = 0x%08x: int4 is modelled for whole "
				      "blocks of %u channels",
				      REG(t, CNA_DATA_SIZE1), SIM_CB);
		if (pad0)
			return REFUSE(t, "CNA.PAD_CON0 = 0x%08x: int4 padding is not modelled",
				      pad0);
	}
	cv->clip_shift = rk3588_get_CORE_CLIP_TRUNCATE_CLIP_TRUNCATE(clip);
	cv->clip_half_up = rk3588_get_CORE_CLIP_TRUNCATE_ROUND_TYPE(clip);
	if (cv->prec == SIM_PREC_FP16 && cv->clip_shift && SIM_ASSUME_FP_IGNORES_CLIP)
		sim_trace(t->core, "warning: CORE.CLIP_TRUNCATE ignored for fp16");
	cv->fp_h = (cv->out_h - 1) * cv->sy + (cv->kh - 1) * cv->dy + 1;
	cv->fp_w = (cv->out_w - 1) * cv->sx + (cv->kw - 1) * cv->dx + 1;
	return 0;
}

/* The input converter's per-channel parameters (fact sheet 6.2). */
static int check_converter(struct sim_task *t, struct sim_conv *cv)
{
	static const uint32_t regs[SIM_ASSUME_CNA_CVT_CHANNELS] = {
		REG_CNA_CVT_CON1, REG_CNA_CVT_CON2, REG_CNA_CVT_CON3, REG_CNA_CVT_CON4,
	};
	uint32_t con0 = REG(t, CNA_CVT_CON0);
	unsigned int trunc[SIM_ASSUME_CNA_CVT_CHANNELS] = {
		rk3588_get_CNA_CVT_CON0_CVT_TRUNCATE_0(con0),
		rk3588_get_CNA_CVT_CON0_CVT_TRUNCATE_1(con0),
		rk3588_get_CNA_CVT_CON0_CVT_TRUNCATE_2(con0),
		rk3588_get_CNA_CVT_CON0_CVT_TRUNCATE_3(con0),
	};

	if (!cv->cvt_on)
		return 0;
	cv->cvt_mask = rk3588_get_CNA_CVT_CON5_PER_CHANNEL_CVT_EN(REG(t, CNA_CVT_CON5));
	cv->cvt_add_first = rk3588_get_CNA_CVT_CON0_CVT_TYPE(con0);
	cv->cvt_half_up = rk3588_get_CNA_CVT_CON0_ROUND_TYPE(con0);
	for (unsigned int c = SIM_ASSUME_CNA_CVT_CHANNELS; c < cv->wc && c < 32; c++)
		if (cv->cvt_mask >> c & 1u)
			return REFUSE(t,
				      "CNA.CVT_CON5 = 0x%08x: converter enabled for channel %u; "
				      "parameters exist for channels 0..3 only",
				      cv->cvt_mask, c);
	for (unsigned int c = 0; cv->in_unsigned && c < cv->wc; c++)
		if (c >= SIM_ASSUME_CNA_CVT_CHANNELS || !(cv->cvt_mask >> c & 1u))
			return REFUSE(t,
				      "CNA.CVT_CON5 = 0x%08x: unsigned channel %u bypasses the "
				      "converter (unsigned MAC input not modelled)",
				      cv->cvt_mask, c);
	for (unsigned int n = 0; n < SIM_ASSUME_CNA_CVT_CHANNELS; n++) {
		/* The same field layout in all four registers. */
		uint32_t v = sim_task_reg(t, regs[n]);
		uint32_t scale = rk3588_get_CNA_CVT_CON1_CVT_SCALE0(v);

		if ((cv->cvt_mask >> n & 1u) && n < cv->wc && scale >= 0x8000u)
			return REFUSE(t,
				      "%s = 0x%08x: converter scale 0x%04x (sign not known) not "
				      "modelled",
				      rk3588_reg_name(regs[n]), v, scale);
		cv->cvt_scale[n] = (int32_t)scale;
		cv->cvt_offset[n] = rk3588_get_CNA_CVT_CON1_CVT_OFFSET0(v);
		cv->cvt_shift[n] = trunc[n];
	}
	return 0;
}

/* One fetched integer through the input converter, if it applies. */
static int32_t convert_input(const struct sim_conv *cv, unsigned int c, int32_t x)
{
	int64_t y, lim = cv->prec == SIM_PREC_INT8 ? INT8_MAX : INT16_MAX;

	if (!cv->cvt_on || c >= SIM_ASSUME_CNA_CVT_CHANNELS || !(cv->cvt_mask >> c & 1u))
		return x;
	if (cv->cvt_add_first)
		y = sim_shift_round(((int64_t)x + cv->cvt_offset[c]) * cv->cvt_scale[c],
				    cv->cvt_shift[c], cv->cvt_half_up);
	else
		y = sim_shift_round((int64_t)x * cv->cvt_scale[c], cv->cvt_shift[c],
				    cv->cvt_half_up) +
		    cv->cvt_offset[c];
	_Static_assert(SIM_ASSUME_CNA_CVT_SATURATES, "converted inputs saturate");
	return (int32_t)sim_saturate(y, -lim - 1, lim);
}

/* What one task needs resident in the 12 x 32 KiB CBUF. */
static int check_cbuf(struct sim_task *t, const struct sim_conv *cv)
{
	uint32_t con0 = REG(t, CNA_CBUF_CON0);
	unsigned int dbank = rk3588_get_CNA_CBUF_CON0_DATA_BANK(con0);
	unsigned int wbank = rk3588_get_CNA_CBUF_CON0_WEIGHT_BANK(con0);
	uint64_t entries = rk3588_get_CNA_CBUF_CON1_DATA_ENTRIES(REG(t, CNA_CBUF_CON1));
	uint64_t rows = SIM_ASSUME_CBUF_ROWS_ALL ? cv->in_h : cv->kh;
	uint64_t data = rows * entries * SIM_ASSUME_CBUF_ENTRY_BYTES;
	unsigned int kg = cv->dw ? 1 : sim_kernel_group(cv->prec);
	uint64_t group = div_up((uint64_t)(cv->kernels < kg ? cv->kernels : kg) * cv->kw *
					cv->kh * cv->wc * cv->ebits,
				8);
	/* One input row is W pixels of ceil(C / C2) atoms. */
	uint64_t need_entries = div_up(
		(uint64_t)cv->in_w * div_up(cv->in_c, SIM_ATOM_BYTES * 8 / cv->ebits) *
			SIM_ATOM_BYTES,
		SIM_ASSUME_CBUF_ENTRY_BYTES);

	if (dbank + wbank > SIM_CBUF_BANKS)
		return REFUSE(t, "CNA.CBUF_CON0: %u data + %u weight banks exceed %u", dbank, wbank,
			      SIM_CBUF_BANKS);
	if (data > (uint64_t)dbank * SIM_CBUF_BANK_BYTES)
		return REFUSE(t,
			      "CNA.CBUF_CON0: %llu rows x %llu entries need %llu bytes, "
			      "%u data banks hold %u",
			      (unsigned long long)rows, (unsigned long long)entries,
			      (unsigned long long)data, dbank, dbank * SIM_CBUF_BANK_BYTES);
	if (group > (uint64_t)wbank * SIM_CBUF_BANK_BYTES)
		return REFUSE(t,
			      "CNA.CBUF_CON0: one kernel group needs %llu bytes, "
			      "%u weight banks hold %u",
			      (unsigned long long)group, wbank, wbank * SIM_CBUF_BANK_BYTES);
	_Static_assert(SIM_ASSUME_REUSE_REFETCHES, "CBUF contents are not kept across tasks");
	if (rk3588_get_CNA_CBUF_CON0_WEIGHT_REUSE(con0) ||
	    rk3588_get_CNA_CBUF_CON0_DATA_REUSE(con0))
		sim_trace(t->core, "CNA.CBUF_CON0 reuse bits set: refetching from memory");
	/* Together with the data-bank check this also bounds the feature
	 * fetch to what the CBUF can hold. */
	if (entries < need_entries)
		return REFUSE(t,
			      "CNA.CBUF_CON1: %llu entries per row, a row of the input needs "
			      "%llu",
			      (unsigned long long)entries, (unsigned long long)need_entries);
	return 0;
}

int sim_cna_setup(struct sim_task *t, struct sim_conv *cv)
{
	int rc = check_mode(t, cv);

	if (!rc)
		rc = check_shapes(t, cv);
	if (!rc)
		rc = check_converter(t, cv);
	if (!rc)
		rc = check_cbuf(t, cv);
	t->prec = cv->prec;
	return rc;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

/* Signed int4 element @i of a packed run: two per byte, the even element
 * in the high nibble (docs/sim.md, "int4"). */
static int16_t int4_at(const uint8_t *p, size_t i)
{
	unsigned int nib = i % 2 ? p[i / 2] & 0xfu : p[i / 2] >> 4;

	return (int16_t)((int)(nib ^ 8u) - 8);
}

/* Byte offset of atom (c1, h, 0) from FEATURE_DATA_ADDR; the stride meaning
 * depends on GROUP_LINE_OFF (see SIM_ASSUME_GROUP_LINE_UNIT_BYTES). */
static int64_t feature_row_offset(bool group_line_off, int64_t surf_stride, int64_t line_stride,
				  int64_t w, int64_t c1, int64_t h)
{
	if (group_line_off)
		return (int64_t)SIM_ATOM_BYTES * (c1 * (surf_stride + w) + h * line_stride);
	return (int64_t)SIM_ATOM_BYTES * c1 * (surf_stride + 4 * w) +
	       (int64_t)SIM_ASSUME_GROUP_LINE_UNIT_BYTES * h * line_stride;
}

/* One input row of int8 features with the input converter off
 * (convert_input is then the identity, and the data signed: check_mode
 * refuses unsigned data without the converter): channels c0 .. c0 + 15 of
 * every pixel, the same values without a call per channel. */
static void widen_int8_row(const struct sim_conv *cv, const uint8_t *restrict row,
			   unsigned int ph, unsigned int c0)
{
	unsigned int n = cv->wc - c0 < SIM_ATOM_BYTES ? cv->wc - c0 : SIM_ATOM_BYTES;
	unsigned int pixels = cv->in_w, wc = cv->wc;
	int16_t *restrict pixel0;

	if (cv->pad_l + pixels > cv->fp_w)
		pixels = cv->fp_w > cv->pad_l ? cv->fp_w - cv->pad_l : 0;
	if (!pixels)
		return;
	pixel0 = cv->feat_i16 + ((size_t)ph * cv->fp_w + cv->pad_l) * wc;
	for (unsigned int w = 0; w < pixels; w++) {
		const uint8_t *src = row + (size_t)w * SIM_ATOM_BYTES;
		int16_t *dst = pixel0 + (size_t)w * wc + c0;

		for (unsigned int k = 0; k < n; k++)
			dst[k] = (int8_t)src[k];
	}
}

static int fetch_feature(struct sim_task *t, struct sim_conv *cv)
{
	uint32_t con1 = REG(t, CNA_CONV_CON1);
	bool glo = rk3588_get_CNA_CONV_CON1_GROUP_LINE_OFF(con1);
	int64_t ls = rk3588_get_CNA_DMA_CON1_LINE_STRIDE(REG(t, CNA_DMA_CON1));
	int64_t ss = rk3588_get_CNA_DMA_CON2_SURF_STRIDE(REG(t, CNA_DMA_CON2));
	uint64_t base = sim_dma_addr(
		t, rk3588_get_CNA_FEATURE_DATA_ADDR_VALUE(REG(t, CNA_FEATURE_DATA_ADDR)));
	uint32_t padv = rk3588_get_CNA_PAD_CON1_PAD_VALUE(REG(t, CNA_PAD_CON1));
	unsigned int c2 = SIM_ATOM_BYTES * 8 / cv->ebits;
	unsigned int c1n = (unsigned int)div_up(cv->in_c, c2);
	size_t plane = (size_t)cv->fp_h * cv->fp_w;
	size_t row_bytes = (size_t)cv->in_w * SIM_ATOM_BYTES;
	uint8_t *row;
	int rc = 0;

	_Static_assert(SIM_ASSUME_CHANNEL_REAL_IGNORED, "DATAIN_CHANNEL_REAL is not applied");
	row = sim_task_alloc(t, row_bytes, 1, "feature line buffer");
	if (!row)
		return -1;
	if (cv->prec != SIM_PREC_FP16) {
		cv->feat_i16 = sim_task_alloc_kept(t, plane * cv->wc * sizeof(int16_t), "feature cube");
		if (!cv->feat_i16)
			goto out;
		/* int4 has no padding (check_shapes), so no pad value. */
		int16_t pv = cv->prec == SIM_PREC_INT4	 ? 0
			     : cv->prec == SIM_PREC_INT8 ? sim_assume_pad_int8(padv)
							 : sim_assume_pad_int16(padv);
		int16_t *feat = cv->feat_i16;
		size_t cells = plane * cv->wc;

		for (size_t i = 0; i < cells; i++)
			feat[i] = pv;
	} else {
		cv->feat_f = sim_task_alloc_kept(t, plane * cv->wc * sizeof(float), "feature cube");
		if (!cv->feat_f)
			goto out;
		float pf = sim_half_to_float(sim_assume_pad_fp16_bits(padv));

		for (size_t i = 0; i < plane * cv->wc; i++)
			cv->feat_f[i] = pf;
	}

	for (unsigned int c1 = 0; c1 < c1n && !rc; c1++) {
		if (sim_task_aborted(t))
			break;
		for (unsigned int h = 0; h < cv->in_h; h++) {
			int64_t off = feature_row_offset(glo, ss, ls, cv->in_w, c1, h);

			if (off < 0 && (uint64_t)(-off) > base) {
				rc = sim_task_fail(t, RK3588_INT_DMA_READ_ERROR,
						   "DMA read fault: feature line c1=%u h=%u lies "
						   "below address 0 (CNA.DMA_CON2 = 0x%08x)",
						   c1, h, REG(t, CNA_DMA_CON2));
				break;
			}
			rc = sim_dma_read(t, base + (uint64_t)off, row, row_bytes, "feature line");
			if (rc)
				break;
			unsigned int ph = h + cv->pad_t;

			if (ph >= cv->fp_h)
				continue;
			if (cv->prec == SIM_PREC_INT8 && !cv->cvt_on) {
				if (c1 * c2 < cv->wc)
					widen_int8_row(cv, row, ph, c1 * c2);
				continue;
			}
			for (unsigned int w = 0; w < cv->in_w; w++) {
				unsigned int pw = w + cv->pad_l;

				if (pw >= cv->fp_w)
					break;
				size_t dst = ((size_t)ph * cv->fp_w + pw) * cv->wc;
				const uint8_t *src = row + (size_t)w * SIM_ATOM_BYTES;

				for (unsigned int k = 0; k < c2; k++) {
					unsigned int c = c1 * c2 + k;

					if (c >= cv->wc)
						break;
					_Static_assert(SIM_ASSUME_CNA_CVT_PAD_AFTER,
						       "padding is not converted");
					if (cv->prec == SIM_PREC_INT4)
						cv->feat_i16[dst + c] = int4_at(src, k);
					else if (cv->prec == SIM_PREC_INT8)
						cv->feat_i16[dst + c] = (int16_t)convert_input(
							cv, c,
							cv->in_unsigned ? src[k] : (int8_t)src[k]);
					else if (cv->prec == SIM_PREC_INT16)
						cv->feat_i16[dst + c] = (int16_t)convert_input(
							cv, c,
							cv->in_unsigned ? le16(src + 2 * k)
									: (int16_t)le16(src + 2 * k));
					else
						cv->feat_f[dst + c] =
							sim_half_to_float(le16(src + 2 * k));
				}
			}
		}
	}
out:
	sim_task_free(t, row, row_bytes, 1);
	return t->err ? -1 : rc;
}

/* One packed weight element into the dense copy. */
static void put_weight(struct sim_conv *cv, const uint8_t *src, size_t pos, size_t dst)
{
	if (cv->prec == SIM_PREC_INT4)
		cv->wt_i16[dst] = int4_at(src, pos);
	else if (cv->prec == SIM_PREC_INT8)
		cv->wt_i16[dst] = (int8_t)src[pos];
	else if (cv->prec == SIM_PREC_INT16)
		cv->wt_i16[dst] = (int16_t)le16(src + 2 * pos);
	else
		cv->wt_f[dst] = sim_half_to_float(le16(src + 2 * pos));
}

/* Direct: tiles for group g, channel block j, tap (ky, kx) are
 * [n_g][cb_j]. Depthwise: [block][ky][kx][channels of the block]. The
 * walks visit the packed buffer strictly in order. */
static void unpack_weights(struct sim_conv *cv, const uint8_t *src)
{
	unsigned int kg = sim_kernel_group(cv->prec);
	size_t taps = (size_t)cv->kw * cv->kh;
	size_t per_kernel = taps * cv->wc;
	size_t pos = 0;

	if (cv->dw) {
		unsigned int blk = SIM_ASSUME_DW_BLOCK_BYTES / cv->eb;

		for (unsigned int c0 = 0; c0 < cv->wc; c0 += blk) {
			unsigned int cb = cv->wc - c0 < blk ? cv->wc - c0 : blk;

			for (size_t tap = 0; tap < taps; tap++)
				for (unsigned int c = 0; c < cb; c++)
					put_weight(cv, src, pos++, tap * cv->wc + c0 + c);
		}
		return;
	}
	for (unsigned int g0 = 0; g0 < cv->kernels; g0 += kg) {
		unsigned int ng = cv->kernels - g0 < kg ? cv->kernels - g0 : kg;

		for (unsigned int c0 = 0; c0 < cv->wc; c0 += SIM_CB) {
			unsigned int cb = cv->wc - c0 < SIM_CB ? cv->wc - c0 : SIM_CB;

			for (size_t tap = 0; tap < taps; tap++)
				for (unsigned int k = 0; k < ng; k++) {
					size_t dst = (g0 + k) * per_kernel + tap * cv->wc + c0;

					for (unsigned int c = 0; c < cb; c++)
						put_weight(cv, src, pos++, dst + c);
				}
		}
	}
}

/* The fast datapath's int4 weights: the packed nibbles widened to one
 * int8 each, in the fetched order, so the int8 tiles read them. */
static int fetch_int4_widened(struct sim_task *t, struct sim_conv *cv, uint64_t base,
			      size_t total, size_t src_bytes)
{
	uint8_t *src = sim_task_alloc(t, src_bytes, 1, "packed weights");
	int8_t *wide;
	int rc;

	if (!src)
		return -1;
	rc = sim_dma_read(t, base, src, src_bytes, "weights");
	wide = rc ? NULL : sim_task_alloc_kept(t, total, "widened int4 weights");
	if (wide) {
		for (size_t i = 0; i < total; i++)
			wide[i] = (int8_t)int4_at(src, i);
		cv->wt_raw = (uint8_t *)wide;
		cv->wt_raw_bytes = total;
	}
	sim_task_free(t, src, src_bytes, 1);
	return wide ? 0 : -1;
}

static int fetch_weights(struct sim_task *t, struct sim_conv *cv)
{
	uint64_t base =
		sim_dma_addr(t, (uint64_t)rk3588_get_CNA_DCOMP_ADDR0_VALUE(REG(t, CNA_DCOMP_ADDR0))
					<< CNA_DCOMP_ADDR0_VALUE__SHIFT);
	size_t total = (size_t)cv->kw * cv->kh * cv->wc * cv->kernels;
	size_t src_bytes = (size_t)div_up((uint64_t)total * cv->ebits, 8);
	uint8_t *src;

	/* The fast datapath reads the packed weights as they are, in place
	 * on the bus when it can map them (not int4: its tiles need the
	 * nibbles widened); otherwise for fp16 it fetches them itself, a
	 * block of kernels at a time. */
	cv->fast = sim_mac_fast_for(t, cv);
	if (cv->fast && cv->prec != SIM_PREC_INT4) {
		cv->wt_map = sim_dma_map(t, base, src_bytes);
		if (cv->wt_map) {
			cv->wt_map_bytes = src_bytes;
			return 0;
		}
	}
	if (cv->fast && cv->prec == SIM_PREC_FP16) {
		cv->wt_deferred = true;
		cv->wt_dma = base;
		return 0;
	}
	if (cv->fast && cv->prec == SIM_PREC_INT4)
		return fetch_int4_widened(t, cv, base, total, src_bytes);
	src = sim_task_alloc_kept(t, src_bytes, "packed weights");
	if (!src)
		return -1;
	if (cv->fast) {
		cv->wt_raw = src;
		cv->wt_raw_bytes = src_bytes;
		return sim_dma_read(t, base, src, src_bytes, "weights");
	}
	if (cv->prec != SIM_PREC_FP16)
		cv->wt_i16 = sim_task_alloc(t, total, sizeof(int16_t), "weights");
	else
		cv->wt_f = sim_task_alloc(t, total, sizeof(float), "weights");
	if ((!cv->wt_i16 && !cv->wt_f) || sim_dma_read(t, base, src, src_bytes, "weights")) {
		sim_task_free_kept(t, src, src_bytes);
		return -1;
	}
	unpack_weights(cv, src);
	sim_task_free_kept(t, src, src_bytes);
	return 0;
}

int sim_cna_fetch(struct sim_task *t, struct sim_conv *cv)
{
	int rc = fetch_feature(t, cv);

	if (!rc && !sim_task_aborted(t))
		rc = fetch_weights(t, cv);
	return rc;
}

void sim_conv_release(struct sim_task *t, struct sim_conv *cv)
{
	size_t plane = (size_t)cv->fp_h * cv->fp_w * cv->wc;
	size_t wts = (size_t)cv->kw * cv->kh * cv->wc * cv->kernels;
	size_t acc = (size_t)cv->out_h * cv->out_w * cv->out_c;

	sim_task_free_kept(t, cv->feat_i16, plane * sizeof(int16_t));
	sim_task_free_kept(t, cv->feat_f, plane * sizeof(float));
	sim_task_free(t, cv->wt_i16, wts, sizeof(int16_t));
	sim_task_free(t, cv->wt_f, wts, sizeof(float));
	sim_task_free_kept(t, cv->acc_i, acc * sizeof(int32_t));
	sim_task_free_kept(t, cv->acc_f, acc * sizeof(float));
	sim_task_free(t, cv->wsum, cv->wsum_n, sizeof(int64_t));
	sim_task_free_kept(t, cv->wt_raw, cv->wt_raw_bytes);
	sim_dma_unmap(t, cv->wt_map, cv->wt_map_bytes);
	memset(cv, 0, sizeof(*cv));
}
