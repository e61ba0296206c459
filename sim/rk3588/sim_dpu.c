// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * DPU and its write DMA. v0 models the path with BS, BN and EW bypassed:
 * OUT_CVT, the output precision conversion, and WDMA addressing (section
 * 5.4). Any active stage that is not modelled ends the task with an error
 * naming the register, rather than producing silently wrong data.
 */
#include <string.h>

#include "sim_fp16.h"
#include "sim_internal.h"

#define REG(t, name) sim_task_reg((t), REG_##name)
/* Misprogramming or an unmodelled feature: the task ends with an error. */
#define REFUSE(t, ...) sim_task_fail((t), SIM_ASSUME_ERR_CONFIG_BIT, __VA_ARGS__)

static int check_stages(struct sim_task *t)
{
	uint32_t bs = REG(t, DPU_BS_CFG);
	uint32_t bn = REG(t, DPU_BN_CFG);
	uint32_t ew = REG(t, DPU_EW_CFG);
	uint32_t ow = REG(t, DPU_BS_OW_CFG);
	uint32_t ow_op = rk3588_get_DPU_BS_OW_OP_OW_OP(REG(t, DPU_BS_OW_OP));

	if (!rk3588_get_DPU_BS_CFG_BS_BYPASS(bs))
		return REFUSE(t, "DPU.BS_CFG = 0x%08x: BS stage not modelled yet", bs);
	if (!rk3588_get_DPU_BN_CFG_BN_BYPASS(bn))
		return REFUSE(t, "DPU.BN_CFG = 0x%08x: BN stage not modelled yet", bn);
	if (!rk3588_get_DPU_EW_CFG_EW_BYPASS(ew))
		return REFUSE(t, "DPU.EW_CFG = 0x%08x: EW stage not modelled yet", ew);
	if ((!rk3588_get_DPU_BS_OW_CFG_OD_BYPASS(ow) && !(SIM_ASSUME_OW_ZERO_OK && ow_op == 0)) ||
	    rk3588_get_DPU_BS_OW_CFG_OW_SRC(ow) || rk3588_get_DPU_BS_OW_CFG_RGP_CNTER(ow) ||
	    rk3588_get_DPU_BS_OW_CFG_TP_ORG_EN(ow))
		return REFUSE(t, "DPU.BS_OW_CFG = 0x%08x: OW/CPEND or regroup not modelled yet",
			      ow);
	return 0;
}

static int check_mode(struct sim_task *t, const struct sim_conv *cv, struct sim_dpu *d)
{
	uint32_t fm = REG(t, DPU_FEATURE_MODE_CFG);
	uint32_t df = REG(t, DPU_DATA_FORMAT);
	unsigned int in_code = cv->prec == SIM_PREC_INT8 ? SIM_DPU_PREC_INT8 : SIM_DPU_PREC_FP16;
	unsigned int out = rk3588_get_DPU_DATA_FORMAT_OUT_PRECISION(df);
	unsigned int mode = rk3588_get_DPU_FEATURE_MODE_CFG_OUTPUT_MODE(fm);

	/* OUTPUT_MODE: bit0 feeds the PPU, bit1 writes memory. */
	if (rk3588_get_DPU_FEATURE_MODE_CFG_FLYING_MODE(fm) ||
	    rk3588_get_DPU_FEATURE_MODE_CFG_CONV_MODE(fm) ||
	    rk3588_get_DPU_FEATURE_MODE_CFG_TP_EN(fm) ||
	    rk3588_get_DPU_FEATURE_MODE_CFG_NONALIGN(fm) ||
	    rk3588_get_DPU_FEATURE_MODE_CFG_RGP_TYPE(fm) || (mode & 1u))
		return REFUSE(t,
			      "DPU.FEATURE_MODE_CFG = 0x%08x: flying, depthwise, transpose, "
			      "non-align, regroup or PPU output not modelled yet",
			      fm);
	d->to_memory = (mode & 2u) != 0;
	if (!d->to_memory && !SIM_ASSUME_NO_MEMORY_OUTPUT_OK)
		return REFUSE(t, "DPU.FEATURE_MODE_CFG = 0x%08x: no output", fm);

	if (rk3588_get_DPU_DATA_FORMAT_IN_PRECISION(df) != in_code ||
	    rk3588_get_DPU_DATA_FORMAT_PROC_PRECISION(df) != in_code ||
	    rk3588_get_DPU_DATA_FORMAT_MC_SURF_OUT(df))
		return REFUSE(t,
			      "DPU.DATA_FORMAT = 0x%08x: input/proc precision must match the "
			      "CNA (%u); MC_SURF_OUT not modelled",
			      df, in_code);

	bool ok;

	if (cv->prec == SIM_PREC_INT8)
		ok = out == SIM_DPU_PREC_INT8 || out == SIM_DPU_PREC_INT16 ||
		     out == SIM_DPU_PREC_INT32;
	else
		ok = out == SIM_DPU_PREC_FP16 || out == SIM_DPU_PREC_FP32;
	if (!ok)
		return REFUSE(t,
			      "DPU.DATA_FORMAT = 0x%08x: output precision %u not modelled "
			      "for this input",
			      df, out);
	d->out_prec = out;
	if (out == SIM_DPU_PREC_INT8)
		d->bo = 1;
	else if (out == SIM_DPU_PREC_INT16 || out == SIM_DPU_PREC_FP16)
		d->bo = 2;
	else
		d->bo = 4;
	return 0;
}

static int check_convert(struct sim_task *t, const struct sim_conv *cv, struct sim_dpu *d)
{
	uint32_t scale = REG(t, DPU_OUT_CVT_SCALE);
	uint32_t shift = REG(t, DPU_OUT_CVT_SHIFT);
	uint32_t offset = REG(t, DPU_OUT_CVT_OFFSET);
	bool fp16_en = rk3588_get_DPU_OUT_CVT_SCALE_FP32TOFP16_EN(scale);

	if (rk3588_get_DPU_OUT_CVT_SHIFT_MINUS_EXP(shift))
		return REFUSE(t, "DPU.OUT_CVT_SHIFT = 0x%08x: MINUS_EXP not modelled yet", shift);
	if (cv->prec == SIM_PREC_FP16) {
		if (fp16_en != (d->out_prec == SIM_DPU_PREC_FP16))
			return REFUSE(t,
				      "DPU.OUT_CVT_SCALE = 0x%08x: FP32TOFP16_EN must be set "
				      "exactly for fp16 output",
				      scale);
		if (rk3588_get_DPU_OUT_CVT_SHIFT_OUT_CVT_SHIFT(shift) || offset ||
		    (!SIM_ASSUME_FP_IGNORES_CVT_SCALE &&
		     rk3588_get_DPU_OUT_CVT_SCALE_OUT_CVT_SCALE(scale) != 1))
			return REFUSE(t, "DPU.OUT_CVT_SHIFT/OFFSET: float requantisation not "
					 "modelled yet");
		return 0;
	}
	if (fp16_en)
		return REFUSE(t, "DPU.OUT_CVT_SCALE = 0x%08x: FP32TOFP16_EN on an integer pipeline",
			      scale);
	d->cvt_scale = rk3588_get_DPU_OUT_CVT_SCALE_OUT_CVT_SCALE(scale);
	d->cvt_shift = rk3588_get_DPU_OUT_CVT_SHIFT_OUT_CVT_SHIFT(shift);
	d->cvt_offset = rk3588_get_DPU_OUT_CVT_OFFSET_VALUE(offset);
	d->cvt_add_first = rk3588_get_DPU_OUT_CVT_SHIFT_CVT_TYPE(shift);
	d->cvt_half_up = rk3588_get_DPU_OUT_CVT_SHIFT_CVT_ROUND(shift);
	return 0;
}

static int check_cube(struct sim_task *t, const struct sim_conv *cv, struct sim_dpu *d)
{
	uint32_t ch = REG(t, DPU_DATA_CUBE_CHANNEL);
	uint32_t ws0 = REG(t, DPU_WDMA_SIZE_0);
	uint32_t ws1 = REG(t, DPU_WDMA_SIZE_1);

	d->w = rk3588_get_DPU_DATA_CUBE_WIDTH_VALUE(REG(t, DPU_DATA_CUBE_WIDTH)) + 1;
	d->h = rk3588_get_DPU_DATA_CUBE_HEIGHT_HEIGHT(REG(t, DPU_DATA_CUBE_HEIGHT)) + 1;
	d->c = rk3588_get_DPU_DATA_CUBE_CHANNEL_CHANNEL(ch) + 1;
	d->orig_c = rk3588_get_DPU_DATA_CUBE_CHANNEL_ORIG_CHANNEL(ch) + 1;
	if (d->orig_c > d->c)
		d->orig_c = d->c;
	if (SIM_ASSUME_DPU_CUBE_MATCHES_CORE && (d->w != cv->out_w || d->h != cv->out_h))
		return REFUSE(t, "DPU.DATA_CUBE_WIDTH/HEIGHT %ux%u differ from CORE output %ux%u",
			      d->w, d->h, cv->out_w, cv->out_h);
	if (d->c > cv->out_c) /* never more data than the CORE produces */
		return REFUSE(t, "DPU.DATA_CUBE_CHANNEL: %u channels, CORE produces %u", d->c,
			      cv->out_c);
	if (rk3588_get_DPU_WDMA_SIZE_0_CHANNEL_WDMA(ws0) + 1 != d->c ||
	    rk3588_get_DPU_WDMA_SIZE_1_WIDTH_WDMA(ws1) + 1 != d->w ||
	    rk3588_get_DPU_WDMA_SIZE_1_HEIGHT_WDMA(ws1) + 1 != d->h)
		sim_trace(t->core, "warning: DPU.WDMA_SIZE_0/1 disagree with DPU.DATA_CUBE_*");

	uint32_t ow = REG(t, DPU_BS_OW_CFG);

	d->e = rk3588_get_DPU_BS_OW_CFG_SIZE_E_0(ow) + 1;
	if (SIM_ASSUME_SIZE_E0_ONLY && (rk3588_get_DPU_BS_OW_CFG_SIZE_E_1(ow) + 1 != d->e ||
					rk3588_get_DPU_BS_OW_CFG_SIZE_E_2(ow) + 1 != d->e))
		sim_trace(t->core, "warning: DPU.BS_OW_CFG SIZE_E_1/2 differ from SIZE_E_0; "
				   "SIZE_E_0 is used");
	d->dst = sim_dma_addr(t, rk3588_get_DPU_DST_BASE_ADDR_VALUE(REG(t, DPU_DST_BASE_ADDR)) &
					 ~(uint64_t)SIM_ASSUME_DST_BASE_IGNORED_BITS);
	d->surf_add = rk3588_get_DPU_SURFACE_ADD_SURF_ADD(REG(t, DPU_SURFACE_ADD));
	d->surf_stride = rk3588_get_DPU_DST_SURF_STRIDE_VALUE(REG(t, DPU_DST_SURF_STRIDE));
	d->notch =
		rk3588_get_DPU_DATA_CUBE_NOTCH_ADDR_NOTCH_ADDR_0(REG(t, DPU_DATA_CUBE_NOTCH_ADDR));
	d->pend = (uint16_t)rk3588_get_DPU_OFFSET_PEND_VALUE(REG(t, DPU_OFFSET_PEND));
	return 0;
}

int sim_dpu_setup(struct sim_task *t, const struct sim_conv *cv, struct sim_dpu *d)
{
	int rc = check_stages(t);

	if (!rc)
		rc = check_mode(t, cv, d);
	if (!rc)
		rc = check_convert(t, cv, d);
	if (!rc)
		rc = check_cube(t, cv, d);
	return rc;
}

static int64_t out_cvt(const struct sim_dpu *d, int64_t x)
{
	int64_t s = d->cvt_scale;

	if (!SIM_ASSUME_OUT_CVT_SCALE_UNSIGNED)
		s = (int16_t)d->cvt_scale;
	if (d->cvt_add_first)
		return sim_shift_round((x + d->cvt_offset) * s, d->cvt_shift, d->cvt_half_up);
	return sim_shift_round(x * s, d->cvt_shift, d->cvt_half_up) + d->cvt_offset;
}

static void put_le(uint8_t *p, uint32_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t int_bits(const struct sim_dpu *d, int64_t v)
{
	switch (d->out_prec) {
	case SIM_DPU_PREC_INT8:
		return (uint32_t)(uint8_t)(int8_t)sim_saturate(v, INT8_MIN, INT8_MAX);
	case SIM_DPU_PREC_INT16:
		return (uint32_t)(uint16_t)(int16_t)sim_saturate(v, INT16_MIN, INT16_MAX);
	default:
		return (uint32_t)(int32_t)sim_saturate(v, INT32_MIN, INT32_MAX);
	}
}

static uint32_t float_bits(const struct sim_dpu *d, float f)
{
	uint32_t u;

	if (d->out_prec == SIM_DPU_PREC_FP16)
		return sim_float_to_half(f);
	memcpy(&u, &f, sizeof(u));
	return u;
}

/* Element bits of channel @c at pixel @p (OFFSET_PEND above ORIG_CHANNEL). */
static uint32_t element(const struct sim_conv *cv, const struct sim_dpu *d, size_t p,
			unsigned int c)
{
	if (c >= d->orig_c) {
		if (cv->prec == SIM_PREC_INT8)
			return int_bits(d, (int16_t)d->pend);
		if (d->out_prec == SIM_DPU_PREC_FP16)
			return d->pend;
		return float_bits(d, sim_half_to_float(d->pend));
	}
	size_t i = p * cv->out_c + c;

	if (cv->prec == SIM_PREC_INT8)
		return int_bits(d, out_cvt(d, cv->acc_i[i]));
	return float_bits(d, cv->acc_f[i]);
}

/* addr(c, h, w) = dst + 16 * ((c / G) * SURF_ADD + ((c % G) / C2) * SURF_STRIDE
 *                 + h * (W + notch) + w) + (c % C2) * bo,   G = E * C2. */
int sim_dpu_run(struct sim_task *t, const struct sim_conv *cv, const struct sim_dpu *d)
{
	unsigned int c2 = SIM_ATOM_BYTES / d->bo;
	unsigned int g = d->e * c2;
	unsigned int atoms_c = (d->c + c2 - 1) / c2;
	/* Without a notch all lines of one atom column are one run. */
	bool one_run = d->notch == 0;
	size_t run_px = one_run ? (size_t)d->w * d->h : d->w;
	size_t run_bytes = run_px * SIM_ATOM_BYTES;
	uint8_t *buf;
	int rc = 0;

	_Static_assert(SIM_ASSUME_WDMA_WHOLE_ATOMS, "only whole-atom writes are modelled");
	if (!d->to_memory)
		return 0;
	buf = sim_task_alloc(t, run_bytes, 1, "output run buffer");
	if (!buf)
		return -1;

	for (unsigned int a = 0; a < atoms_c && !rc; a++) {
		unsigned int c0 = a * c2;
		uint64_t surf = (uint64_t)(c0 / g) * d->surf_add +
				(uint64_t)((c0 % g) / c2) * d->surf_stride;

		if (sim_task_aborted(t))
			break;
		for (unsigned int h = 0; h < d->h && !rc; h += one_run ? d->h : 1) {
			size_t p0 = (size_t)h * d->w;

			for (size_t px = 0; px < run_px; px++)
				for (unsigned int k = 0; k < c2; k++)
					put_le(buf + px * SIM_ATOM_BYTES + k * d->bo,
					       element(cv, d, p0 + px, c0 + k), d->bo);
			uint64_t atom = surf + (uint64_t)h * (d->w + d->notch);

			rc = sim_dma_write(t, d->dst + atom * SIM_ATOM_BYTES, buf, run_bytes,
					   "DPU output");
		}
	}
	sim_task_free(t, buf, run_bytes, 1);
	return rc;
}
