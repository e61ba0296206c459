// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * DPU and its write DMA: decodes the BS, BN, EW and OUT_CVT stages, takes
 * the main input from the CORE or (flying mode) from MRDMA, computes every
 * output element, and writes the cube to memory (section 5.4 addressing)
 * and/or hands it to the PPU. A stage the model does not implement ends
 * the task with an error naming the register, never with silent data.
 */
#include <string.h>

#include "sim_fp16.h"
#include "sim_internal.h"

#define REG(t, name) sim_task_reg((t), REG_##name)
/* Misprogramming or an unmodelled feature: the task ends with an error. */
#define REFUSE(t, ...) sim_task_fail((t), SIM_ASSUME_ERR_CONFIG_BIT, __VA_ARGS__)

static bool int_prec_ok(unsigned int p)
{
	return p == SIM_DPU_PREC_INT8 || p == SIM_DPU_PREC_INT16 || p == SIM_DPU_PREC_INT32;
}

static bool float_prec_ok(unsigned int p)
{
	return p == SIM_DPU_PREC_FP16 || p == SIM_DPU_PREC_FP32;
}

static unsigned int cna_to_dpu_prec(enum sim_prec p)
{
	switch (p) {
	case SIM_PREC_INT8:
		return SIM_DPU_PREC_INT8;
	case SIM_PREC_INT16:
		return SIM_DPU_PREC_INT16;
	case SIM_PREC_INT4:
		return SIM_DPU_PREC_INT4;
	default:
		return SIM_DPU_PREC_FP16;
	}
}

static int check_mode(struct sim_task *t, const struct sim_conv *cv, struct sim_dpu *d)
{
	uint32_t fm = REG(t, DPU_FEATURE_MODE_CFG);
	uint32_t df = REG(t, DPU_DATA_FORMAT);
	unsigned int mode = rk3588_get_DPU_FEATURE_MODE_CFG_OUTPUT_MODE(fm);
	unsigned int conv_mode = rk3588_get_DPU_FEATURE_MODE_CFG_CONV_MODE(fm);
	unsigned int in = rk3588_get_DPU_DATA_FORMAT_IN_PRECISION(df);
	unsigned int proc = rk3588_get_DPU_DATA_FORMAT_PROC_PRECISION(df);
	unsigned int out = rk3588_get_DPU_DATA_FORMAT_OUT_PRECISION(df);

	if (rk3588_get_DPU_FEATURE_MODE_CFG_TP_EN(fm) ||
	    rk3588_get_DPU_FEATURE_MODE_CFG_NONALIGN(fm) ||
	    rk3588_get_DPU_FEATURE_MODE_CFG_RGP_TYPE(fm) ||
	    rk3588_get_DPU_FEATURE_MODE_CFG_COMB_USE(fm))
		return REFUSE(t,
			      "DPU.FEATURE_MODE_CFG = 0x%08x: transpose, non-align, regroup or "
			      "combined reads not modelled",
			      fm);
	d->flying = rk3588_get_DPU_FEATURE_MODE_CFG_FLYING_MODE(fm);
	if (!d->flying && !cv)
		return REFUSE(t,
			      "DPU.FEATURE_MODE_CFG = 0x%08x: main input from the CORE, but "
			      "op-enable 0x%02x does not run CNA and CORE",
			      fm, t->op_en);
	if (d->flying && cv)
		return REFUSE(t,
			      "DPU.FEATURE_MODE_CFG = 0x%08x: flying mode while the CORE also "
			      "runs (its output would go nowhere)",
			      fm);
	if (conv_mode != SIM_CONV_MODE_DIRECT && conv_mode != SIM_CONV_MODE_DEPTHWISE)
		return REFUSE(t, "DPU.FEATURE_MODE_CFG = 0x%08x: CONV_MODE %u is reserved", fm,
			      conv_mode);
	d->dw = conv_mode == SIM_CONV_MODE_DEPTHWISE;
	if ((cv && d->dw != cv->dw) || (!cv && d->dw))
		return REFUSE(t,
			      "DPU.FEATURE_MODE_CFG = 0x%08x: CONV_MODE %u disagrees with the "
			      "CNA's convolution mode",
			      fm, conv_mode);

	/* OUTPUT_MODE: bit0 feeds the PPU, bit1 writes memory. */
	d->to_memory = (mode & 2u) != 0;
	d->to_ppu = (mode & 1u) != 0;
	if (d->to_ppu && !(t->op_en & RK3588_OP_EN_PPU))
		return REFUSE(t,
			      "DPU.FEATURE_MODE_CFG = 0x%08x: output to the PPU, but op-enable "
			      "0x%02x does not run it",
			      fm, t->op_en);
	if (!d->to_memory && !d->to_ppu && !SIM_ASSUME_NO_MEMORY_OUTPUT_OK)
		return REFUSE(t, "DPU.FEATURE_MODE_CFG = 0x%08x: no output", fm);

	if (rk3588_get_DPU_DATA_FORMAT_MC_SURF_OUT(df))
		return REFUSE(t, "DPU.DATA_FORMAT = 0x%08x: MC_SURF_OUT not modelled", df);
	if (cv && in != cna_to_dpu_prec(cv->prec))
		return REFUSE(t,
			      "DPU.DATA_FORMAT = 0x%08x: input precision %u, the CNA delivers "
			      "%u",
			      df, in, cna_to_dpu_prec(cv->prec));
	/* int4 data: int4 processing and int16 output only (the int4
	 * programs' setting, SIM_ASSUME_INT4_MATMUL_ONLY). */
	if (in == SIM_DPU_PREC_INT4 || proc == SIM_DPU_PREC_INT4) {
		if (in != proc || out != SIM_DPU_PREC_INT16)
			return REFUSE(t,
				      "DPU.DATA_FORMAT = 0x%08x: int4 data is modelled with int4 "
				      "processing and int16 output only (in %u, proc %u, out %u)",
				      df, in, proc, out);
		d->is_float = false;
		d->in_prec = in;
		d->out_prec = out;
		d->bo = sim_prec_bytes(out);
		return 0;
	}
	d->is_float = float_prec_ok(in);
	if (!d->is_float && !int_prec_ok(in))
		return REFUSE(t, "DPU.DATA_FORMAT = 0x%08x: input precision %u not modelled", df,
			      in);
	if (d->is_float ? !float_prec_ok(proc) : !int_prec_ok(proc))
		return REFUSE(t,
			      "DPU.DATA_FORMAT = 0x%08x: processing precision %u does not suit "
			      "input precision %u",
			      df, proc, in);
	if (d->is_float ? !float_prec_ok(out) : !int_prec_ok(out))
		return REFUSE(t,
			      "DPU.DATA_FORMAT = 0x%08x: output precision %u not modelled for "
			      "input precision %u",
			      df, out, in);
	d->in_prec = in;
	d->out_prec = out;
	d->bo = sim_prec_bytes(out);
	return 0;
}

/* The fields BS and BN share, read with each block's own accessors. */
struct stage_fields {
	const char *reg;
	uint32_t cfg;
	bool bypass, alu_bypass, alu_src, mul_bypass, prelu, relu_bypass, relux_en;
	unsigned int algo, shift, shift_neg;
	uint32_t operand, alu_value, relux_cmp;
	bool mul_src, trt_src;
};

static void bs_fields(struct sim_task *t, struct stage_fields *f)
{
	uint32_t mul = REG(t, DPU_BS_MUL_CFG);

	f->reg = "DPU.BS_CFG";
	f->cfg = REG(t, DPU_BS_CFG);
	f->bypass = rk3588_get_DPU_BS_CFG_BS_BYPASS(f->cfg);
	f->alu_bypass = rk3588_get_DPU_BS_CFG_BS_ALU_BYPASS(f->cfg);
	f->alu_src = rk3588_get_DPU_BS_CFG_BS_ALU_SRC(f->cfg);
	f->algo = rk3588_get_DPU_BS_CFG_BS_ALU_ALGO(f->cfg);
	f->mul_bypass = rk3588_get_DPU_BS_CFG_BS_MUL_BYPASS(f->cfg);
	f->prelu = rk3588_get_DPU_BS_CFG_BS_MUL_PRELU(f->cfg);
	f->relu_bypass = rk3588_get_DPU_BS_CFG_BS_RELU_BYPASS(f->cfg);
	f->relux_en = rk3588_get_DPU_BS_CFG_BS_RELUX_EN(f->cfg);
	f->operand = rk3588_get_DPU_BS_MUL_CFG_BS_MUL_OPERAND(mul);
	f->shift = rk3588_get_DPU_BS_MUL_CFG_BS_MUL_SHIFT_VALUE(mul);
	f->mul_src = rk3588_get_DPU_BS_MUL_CFG_BS_MUL_SRC(mul);
	f->trt_src = rk3588_get_DPU_BS_MUL_CFG_BS_TRUNCATE_SRC(mul);
	f->shift_neg = rk3588_get_DPU_DATA_FORMAT_BS_MUL_SHIFT_VALUE_NEG(REG(t, DPU_DATA_FORMAT));
	f->alu_value = rk3588_get_DPU_BS_ALU_CFG_VALUE(REG(t, DPU_BS_ALU_CFG));
	f->relux_cmp = rk3588_get_DPU_BS_RELUX_CMP_VALUE_VALUE(REG(t, DPU_BS_RELUX_CMP_VALUE));
}

static void bn_fields(struct sim_task *t, struct stage_fields *f)
{
	uint32_t mul = REG(t, DPU_BN_MUL_CFG);

	f->reg = "DPU.BN_CFG";
	f->cfg = REG(t, DPU_BN_CFG);
	f->bypass = rk3588_get_DPU_BN_CFG_BN_BYPASS(f->cfg);
	f->alu_bypass = rk3588_get_DPU_BN_CFG_BN_ALU_BYPASS(f->cfg);
	f->alu_src = rk3588_get_DPU_BN_CFG_BN_ALU_SRC(f->cfg);
	f->algo = rk3588_get_DPU_BN_CFG_BN_ALU_ALGO(f->cfg);
	f->mul_bypass = rk3588_get_DPU_BN_CFG_BN_MUL_BYPASS(f->cfg);
	f->prelu = rk3588_get_DPU_BN_CFG_BN_MUL_PRELU(f->cfg);
	f->relu_bypass = rk3588_get_DPU_BN_CFG_BN_RELU_BYPASS(f->cfg);
	f->relux_en = rk3588_get_DPU_BN_CFG_BN_RELUX_EN(f->cfg);
	f->operand = rk3588_get_DPU_BN_MUL_CFG_BN_MUL_OPERAND(mul);
	f->shift = rk3588_get_DPU_BN_MUL_CFG_BN_MUL_SHIFT_VALUE(mul);
	f->mul_src = rk3588_get_DPU_BN_MUL_CFG_BN_MUL_SRC(mul);
	f->trt_src = rk3588_get_DPU_BN_MUL_CFG_BN_TRUNCATE_SRC(mul);
	f->shift_neg = rk3588_get_DPU_DATA_FORMAT_BN_MUL_SHIFT_VALUE_NEG(REG(t, DPU_DATA_FORMAT));
	f->alu_value = rk3588_get_DPU_BN_ALU_CFG_VALUE(REG(t, DPU_BN_ALU_CFG));
	f->relux_cmp = rk3588_get_DPU_BN_RELUX_CMP_VALUE_VALUE(REG(t, DPU_BN_RELUX_CMP_VALUE));
}

/* Decodes BS (with its OW sub-stage) or BN. */
static int decode_stage(struct sim_task *t, const struct sim_conv *cv, struct sim_dpu *d,
			struct sim_dpu_stage *s, bool is_bs)
{
	struct stage_fields f;

	if (is_bs)
		bs_fields(t, &f);
	else
		bn_fields(t, &f);
	s->name = is_bs ? "BS" : "BN";
	s->on = !f.bypass;
	if (!s->on)
		return 0;
	s->alu_on = !f.alu_bypass;
	s->alu_algo = f.algo;
	s->alu_mem = f.alu_src;
	s->alu_reg = f.alu_value;
	_Static_assert(SIM_ASSUME_BS_BN_ADD_MINUS_ONLY, "BS/BN ALU: add and minus only");
	if (s->alu_on && s->alu_algo != SIM_ALU_ADD && s->alu_algo != SIM_ALU_MINUS)
		return REFUSE(t, "%s = 0x%08x: ALU algorithm %u is reserved", f.reg, f.cfg,
			      s->alu_algo);
	s->mul_on = !f.mul_bypass;
	s->prelu = f.prelu;
	s->mul_reg = f.operand;
	s->mul_mem = f.mul_src;
	s->shift_mem = f.trt_src;
	s->shift = f.shift;
	s->shift_neg = f.shift_neg;
	s->relu_on = !f.relu_bypass;
	s->relux = f.relux_en;
	s->relux_cmp = f.relux_cmp;

	/* OW/CPEND is part of BS: a bypassed BS skips it too. */
	if (is_bs) {
		uint32_t ow = REG(t, DPU_BS_OW_CFG);

		s->ow_on = !rk3588_get_DPU_BS_OW_CFG_OD_BYPASS(ow);
		s->ow_mem = rk3588_get_DPU_BS_OW_CFG_OW_SRC(ow);
		s->ow_reg = (int16_t)rk3588_get_DPU_BS_OW_OP_OW_OP(REG(t, DPU_BS_OW_OP));
		if (s->ow_on && !s->ow_mem && s->ow_reg == 0 && SIM_ASSUME_OW_ZERO_OK)
			s->ow_on = false;
		if (s->ow_on && (d->is_float || !cv || !cv->qd))
			return REFUSE(t,
				      "DPU.BS_OW_CFG = 0x%08x: OW/CPEND needs the integer window "
				      "sums of CORE.MISC_CFG.QD_EN",
				      ow);
	}
	s->use = 0;
	if (s->alu_on && s->alu_mem)
		s->use |= SIM_USE_ALU;
	if (s->ow_on && s->ow_mem)
		s->use |= SIM_USE_CPEND;
	if (s->mul_on && s->mul_mem)
		s->use |= SIM_USE_MUL;
	if (s->mul_on && s->shift_mem)
		s->use |= SIM_USE_TRT;
	return 0;
}

static int decode_ew(struct sim_task *t, struct sim_dpu *d)
{
	struct sim_dpu_ew *e = &d->ew;
	uint32_t cfg = REG(t, DPU_EW_CFG);
	uint32_t sc = REG(t, DPU_EW_CVT_SCALE_VALUE);
	unsigned int size = rk3588_get_DPU_EW_CFG_EDATA_SIZE(cfg);

	e->on = !rk3588_get_DPU_EW_CFG_EW_BYPASS(cfg);
	if (!e->on)
		return 0;
	e->lut_on = !rk3588_get_DPU_EW_CFG_EW_LUT_BYPASS(cfg);
	if (e->lut_on && sim_dpu_lut_setup(t, d, cfg))
		return -1;
	_Static_assert(SIM_ASSUME_EW_INT_FLOAT_OPS_REFUSED, "EQUAL_EN ignored, BINARY_EN refused");
	if (rk3588_get_DPU_EW_CFG_EW_BINARY_EN(cfg))
		return REFUSE(t, "DPU.EW_CFG = 0x%08x: EW_BINARY_EN not modelled", cfg);
	e->op_on = !rk3588_get_DPU_EW_CFG_EW_OP_BYPASS(cfg);
	e->mul = rk3588_get_DPU_EW_CFG_EW_OP_TYPE(cfg);
	e->algo = rk3588_get_DPU_EW_CFG_EW_ALU_ALGO(cfg);
	if (e->op_on && !e->mul && e->algo > SIM_ALU_CEIL)
		return REFUSE(t, "DPU.EW_CFG = 0x%08x: ALU algorithm %u is reserved", cfg, e->algo);
	if (e->op_on && !e->mul && !d->is_float &&
	    (e->algo == SIM_ALU_DIV || e->algo == SIM_ALU_FLOOR || e->algo == SIM_ALU_CEIL))
		return REFUSE(t,
			      "DPU.EW_CFG = 0x%08x: ALU algorithm %u is a floating-point "
			      "operation, the pipeline is integer",
			      cfg, e->algo);
	e->op_mem = rk3588_get_DPU_EW_CFG_EW_OP_SRC(cfg);
	_Static_assert(SIM_ASSUME_EW_REG_OPERAND_VALUE0, "register operand: EW_OP_VALUE_0");
	e->op_reg = rk3588_get_DPU_EW_OP_VALUE_0_VALUE(REG(t, DPU_EW_OP_VALUE_0));
	e->cvt_on = !rk3588_get_DPU_EW_CFG_EW_OP_CVT_BYPASS(cfg);
	e->cvt_add_first = rk3588_get_DPU_EW_CFG_EW_CVT_TYPE(cfg);
	e->cvt_half_up = rk3588_get_DPU_EW_CFG_EW_CVT_ROUND(cfg);
	e->cvt_offset =
		(int32_t)rk3588_get_DPU_EW_CVT_OFFSET_VALUE_VALUE(REG(t, DPU_EW_CVT_OFFSET_VALUE));
	e->cvt_scale = rk3588_get_DPU_EW_CVT_SCALE_VALUE_EW_OP_CVT_SCALE(sc);
	e->cvt_shift = rk3588_get_DPU_EW_CVT_SCALE_VALUE_EW_OP_CVT_SHIFT(sc);
	e->trunc = rk3588_get_DPU_EW_CVT_SCALE_VALUE_EW_TRUNCATE(sc);
	e->trunc_neg = rk3588_get_DPU_DATA_FORMAT_EW_TRUNCATE_NEG(REG(t, DPU_DATA_FORMAT));
	_Static_assert(SIM_ASSUME_FP_EW_CVT_IDENTITY, "float converters must be the identity");
	if (d->is_float && e->op_on && e->cvt_on &&
	    (e->cvt_scale > 1 || e->cvt_shift || e->cvt_offset))
		return REFUSE(t,
			      "DPU.EW_CVT_SCALE_VALUE/OFFSET_VALUE = 0x%08x/0x%08x: only the "
			      "identity operand converter is modelled for floats",
			      sc, (uint32_t)e->cvt_offset);
	e->prelu = rk3588_get_DPU_EW_CFG_EW_MUL_PRELU(cfg);
	e->relu_on = !rk3588_get_DPU_EW_CFG_EW_RELU_BYPASS(cfg);
	e->relux = rk3588_get_DPU_EW_CFG_EW_RELUX_EN(cfg);
	e->relux_cmp = rk3588_get_DPU_EW_RELUX_CMP_VALUE_VALUE(REG(t, DPU_EW_RELUX_CMP_VALUE));
	if (e->op_on && e->op_mem) {
		_Static_assert(SIM_ASSUME_ERDMA_PER_PIXEL_ONLY, "per-pixel EW operands only");
		if (rk3588_get_DPU_EW_CFG_EW_DATA_MODE(cfg) != 1)
			return REFUSE(t,
				      "DPU.EW_CFG = 0x%08x: EW_DATA_MODE %u not modelled (per "
				      "pixel only)",
				      cfg, rk3588_get_DPU_EW_CFG_EW_DATA_MODE(cfg));
		if (size == 0 || (d->is_float && size == 1))
			return REFUSE(t,
				      "DPU.EW_CFG = 0x%08x: EDATA_SIZE %u not modelled for this "
				      "pipeline",
				      cfg, size);
		e->esize = 1u << (size - 1);
	}
	return 0;
}

static int check_convert(struct sim_task *t, struct sim_dpu *d)
{
	uint32_t scale = REG(t, DPU_OUT_CVT_SCALE);
	uint32_t shift = REG(t, DPU_OUT_CVT_SHIFT);
	uint32_t offset = REG(t, DPU_OUT_CVT_OFFSET);

	d->fp32_to_fp16 = rk3588_get_DPU_OUT_CVT_SCALE_FP32TOFP16_EN(scale);
	if (rk3588_get_DPU_OUT_CVT_SHIFT_MINUS_EXP(shift))
		return REFUSE(t, "DPU.OUT_CVT_SHIFT = 0x%08x: MINUS_EXP not modelled yet", shift);
	if (d->is_float) {
		/* fp32 data needs the narrowing for fp16 output; data already in
		 * fp16 must not be narrowed, nor widened to fp32 output. */
		bool want = d->out_prec == SIM_DPU_PREC_FP16 && !d->fp16_data;

		if (d->fp16_data && d->out_prec == SIM_DPU_PREC_FP32)
			return REFUSE(t,
				      "DPU.DATA_FORMAT: fp32 output of fp16 data needs "
				      "DPU_RDMA.RDMA_FEATURE_MODE_CFG.MRDMA_FP16TOFP32_EN");
		if (d->fp32_to_fp16 != want)
			return REFUSE(t,
				      "DPU.OUT_CVT_SCALE = 0x%08x: FP32TOFP16_EN must be set "
				      "exactly when fp32 data leaves as fp16",
				      scale);
		if (rk3588_get_DPU_OUT_CVT_SHIFT_OUT_CVT_SHIFT(shift) || offset ||
		    (!SIM_ASSUME_FP_IGNORES_CVT_SCALE &&
		     rk3588_get_DPU_OUT_CVT_SCALE_OUT_CVT_SCALE(scale) != 1))
			return REFUSE(t, "DPU.OUT_CVT_SHIFT/OFFSET: float requantisation not "
					 "modelled yet");
		return 0;
	}
	if (d->fp32_to_fp16)
		return REFUSE(t, "DPU.OUT_CVT_SCALE = 0x%08x: FP32TOFP16_EN on an integer pipeline",
			      scale);
	d->cvt_scale = rk3588_get_DPU_OUT_CVT_SCALE_OUT_CVT_SCALE(scale);
	d->cvt_shift = rk3588_get_DPU_OUT_CVT_SHIFT_OUT_CVT_SHIFT(shift);
	d->cvt_offset = (int32_t)rk3588_get_DPU_OUT_CVT_OFFSET_VALUE(offset);
	d->cvt_add_first = rk3588_get_DPU_OUT_CVT_SHIFT_CVT_TYPE(shift);
	d->cvt_half_up = rk3588_get_DPU_OUT_CVT_SHIFT_CVT_ROUND(shift);
	return 0;
}

static int check_cube(struct sim_task *t, const struct sim_conv *cv, struct sim_dpu *d)
{
	uint32_t ch = REG(t, DPU_DATA_CUBE_CHANNEL);
	uint32_t ws0 = REG(t, DPU_WDMA_SIZE_0);
	uint32_t ws1 = REG(t, DPU_WDMA_SIZE_1);
	unsigned int c2 = SIM_ATOM_BYTES / d->bo;

	d->w = rk3588_get_DPU_DATA_CUBE_WIDTH_VALUE(REG(t, DPU_DATA_CUBE_WIDTH)) + 1;
	d->h = rk3588_get_DPU_DATA_CUBE_HEIGHT_HEIGHT(REG(t, DPU_DATA_CUBE_HEIGHT)) + 1;
	d->c = rk3588_get_DPU_DATA_CUBE_CHANNEL_CHANNEL(ch) + 1;
	d->orig_c = rk3588_get_DPU_DATA_CUBE_CHANNEL_ORIG_CHANNEL(ch) + 1;
	if (d->orig_c > d->c)
		d->orig_c = d->c;
	d->c_al = (d->c + c2 - 1) / c2 * c2;
	if (cv && SIM_ASSUME_DPU_CUBE_MATCHES_CORE && (d->w != cv->out_w || d->h != cv->out_h))
		return REFUSE(t, "DPU.DATA_CUBE_WIDTH/HEIGHT %ux%u differ from CORE output %ux%u",
			      d->w, d->h, cv->out_w, cv->out_h);
	if (cv && d->c > cv->out_c) /* never more data than the CORE produces */
		return REFUSE(t, "DPU.DATA_CUBE_CHANNEL: %u channels, CORE produces %u", d->c,
			      cv->out_c);
	if (rk3588_get_DPU_WDMA_SIZE_0_CHANNEL_WDMA(ws0) + 1 != d->c ||
	    rk3588_get_DPU_WDMA_SIZE_1_WIDTH_WDMA(ws1) + 1 != d->w ||
	    rk3588_get_DPU_WDMA_SIZE_1_HEIGHT_WDMA(ws1) + 1 != d->h)
		sim_trace(t->core, "warning: DPU.WDMA_SIZE_0/1 disagree with DPU.DATA_CUBE_*");

	uint32_t ow = REG(t, DPU_BS_OW_CFG);

	if (rk3588_get_DPU_BS_OW_CFG_RGP_CNTER(ow) || rk3588_get_DPU_BS_OW_CFG_TP_ORG_EN(ow))
		return REFUSE(t, "DPU.BS_OW_CFG = 0x%08x: regroup/transpose not modelled", ow);
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

/* int4 sums reach the output unchanged but for the int16 saturation
 * (SIM_ASSUME_INT4_SUM_SATURATES_INT16): every stage must be bypassed and
 * OUT_CVT the identity. */
static int check_int4(struct sim_task *t, const struct sim_dpu *d)
{
	_Static_assert(SIM_ASSUME_INT4_SUM_SATURATES_INT16, "int4 sums saturate to int16");
	if (d->bs.on || d->bn.on || d->ew.on)
		return REFUSE(t, "%s: int4 data is modelled with the BS, BN and EW stages "
				 "bypassed",
			      d->bs.on ? "DPU.BS_CFG" : d->bn.on ? "DPU.BN_CFG" : "DPU.EW_CFG");
	if (d->cvt_scale != 1 || d->cvt_shift || d->cvt_offset)
		return REFUSE(t,
			      "DPU.OUT_CVT_SCALE/SHIFT/OFFSET = %u/%u/%d: int4 data is "
			      "modelled with the identity output converter",
			      d->cvt_scale, d->cvt_shift, d->cvt_offset);
	return 0;
}

int sim_dpu_setup(struct sim_task *t, const struct sim_conv *cv, struct sim_dpu *d)
{
	int rc = check_mode(t, cv, d);

	if (!rc)
		rc = decode_stage(t, cv, d, &d->bs, true);
	if (!rc)
		rc = decode_stage(t, cv, d, &d->bn, false);
	if (!rc)
		rc = decode_ew(t, d);
	if (!rc)
		rc = check_cube(t, cv, d);
	if (!rc)
		rc = sim_rdma_setup(t, d);
	if (!rc) {
		/* Unwidened fp16 from MRDMA stays fp16; the CORE delivers fp32. */
		d->fp16_data = d->is_float && d->flying && d->in_prec == SIM_DPU_PREC_FP16 &&
			       !d->rdma.widen;
		rc = check_convert(t, d);
	}
	if (!rc && d->in_prec == SIM_DPU_PREC_INT4)
		rc = check_int4(t, d);
	return rc;
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

/* Bits of the padding channels above ORIG_CHANNEL. */
static uint32_t pend_bits(const struct sim_dpu *d)
{
	if (!d->is_float)
		return int_bits(d, (int16_t)d->pend);
	if (d->out_prec == SIM_DPU_PREC_FP16)
		return d->pend;
	return float_bits(d, sim_half_to_float(d->pend));
}

static uint32_t element_int(const struct sim_dpu *d, const struct sim_conv *cv, size_t p,
			    unsigned int k)
{
	int64_t x, ws = 0, op;

	if (d->flying) {
		x = d->main.i[p * d->main.c + k];
	} else {
		x = cv->acc_i[p * cv->out_c + k];
		if (cv->wsum)
			ws = cv->dw ? cv->wsum[p * cv->out_c + k] : cv->wsum[p];
	}
	x = sim_dpu_stage_int(&d->bs, x, k, ws);
	x = sim_dpu_stage_int(&d->bn, x, k, 0);
	op = d->eop.i ? d->eop.i[p * d->eop.c + k] : (int32_t)d->ew.op_reg;
	x = sim_dpu_ew_int(&d->ew, x, op);
	return int_bits(d, sim_dpu_out_cvt(d, x));
}

static uint32_t element_float(const struct sim_dpu *d, const struct sim_conv *cv, size_t p,
			      unsigned int k)
{
	float x, op;

	x = d->flying ? d->main.f[p * d->main.c + k] : cv->acc_f[p * cv->out_c + k];
	x = sim_dpu_stage_float(&d->bs, x, k, d->fp16_data);
	x = sim_dpu_stage_float(&d->bn, x, k, d->fp16_data);
	if (d->eop.f) {
		op = d->eop.f[p * d->eop.c + k];
	} else {
		uint32_t bits = d->ew.op_reg;

		memcpy(&op, &bits, sizeof(op));
	}
	x = sim_dpu_ew_float(&d->ew, x, op, d->fp16_data);
	return float_bits(d, x);
}

static void put_le(uint8_t *p, uint32_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* addr(c, h, w) = dst + 16 * ((c / G) * SURF_ADD + ((c % G) / C2) * SURF_STRIDE
 *                 + h * (W + notch) + w) + (c % C2) * bo,   G = E * C2. */
static int wdma(struct sim_task *t, const struct sim_dpu *d)
{
	unsigned int c2 = SIM_ATOM_BYTES / d->bo;
	unsigned int g = d->e * c2;
	unsigned int atoms_c = d->c_al / c2;
	/* Without a notch all lines of one atom column are one run. */
	bool one_run = d->notch == 0;
	size_t run_px = one_run ? (size_t)d->w * d->h : d->w;
	size_t run_bytes = run_px * SIM_ATOM_BYTES;
	uint8_t *buf;
	int rc = 0;

	_Static_assert(SIM_ASSUME_WDMA_WHOLE_ATOMS, "only whole-atom writes are modelled");
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
			const uint32_t *src = d->obits + (size_t)h * d->w * d->c_al + c0;

			for (size_t px = 0; px < run_px; px++)
				for (unsigned int k = 0; k < c2; k++)
					put_le(buf + px * SIM_ATOM_BYTES + k * d->bo,
					       src[px * d->c_al + k], d->bo);
			uint64_t atom = surf + (uint64_t)h * (d->w + d->notch);

			rc = sim_dma_write(t, d->dst + atom * SIM_ATOM_BYTES, buf, run_bytes,
					   "DPU output");
		}
	}
	sim_task_free(t, buf, run_bytes, 1);
	return rc;
}

/* The common case after a convolution, every stage bypassed: element_int
 * reduced to OUT_CVT, and to saturation alone when OUT_CVT is the identity
 * (scale 1, shift 0, offset 0); element_float reduced to the output
 * encoding; without a call per element. */
static bool stages_bypassed(const struct sim_dpu *d, const struct sim_conv *cv)
{
	return !d->flying && cv && !d->bs.on && !d->bn.on && !d->ew.on;
}

static void row_float_only(const struct sim_dpu *d, const float *acc, uint32_t *o, uint32_t pad)
{
	unsigned int n = d->orig_c < d->c_al ? d->orig_c : d->c_al;

	if (d->out_prec == SIM_DPU_PREC_FP32) {
		memcpy(o, acc, n * sizeof(*o));
	} else {
		for (unsigned int k = 0; k < n; k++)
			o[k] = float_bits(d, acc[k]);
	}
	for (unsigned int k = n; k < d->c_al; k++)
		o[k] = pad;
}

static void row_cvt_only(const struct sim_dpu *d, const int32_t *acc, uint32_t *o, uint32_t pad)
{
	bool identity = d->cvt_scale == 1 && d->cvt_shift == 0 && d->cvt_offset == 0;
	unsigned int n = d->orig_c < d->c_al ? d->orig_c : d->c_al;

	if (identity && d->out_prec == SIM_DPU_PREC_INT32) {
		memcpy(o, acc, n * sizeof(*o));
	} else {
		for (unsigned int k = 0; k < n; k++)
			o[k] = int_bits(d, identity ? acc[k] : sim_dpu_out_cvt(d, acc[k]));
	}
	for (unsigned int k = n; k < d->c_al; k++)
		o[k] = pad;
}

int sim_dpu_run(struct sim_task *t, const struct sim_conv *cv, struct sim_dpu *d)
{
	size_t pixels = (size_t)d->w * d->h;
	uint32_t pad = pend_bits(d);
	int rc = sim_rdma_fetch(t, d);

	if (rc || sim_task_aborted(t))
		return rc;
	d->obits = sim_task_alloc(t, pixels * d->c_al, sizeof(uint32_t), "DPU output cube");
	if (!d->obits)
		return -1;
	for (size_t p = 0; p < pixels; p++) {
		uint32_t *o = d->obits + p * d->c_al;

		if (p % 4096 == 0 && sim_task_aborted(t))
			return 0;
		if (stages_bypassed(d, cv)) {
			if (d->is_float)
				row_float_only(d, cv->acc_f + p * cv->out_c, o, pad);
			else
				row_cvt_only(d, cv->acc_i + p * cv->out_c, o, pad);
			continue;
		}
		for (unsigned int k = 0; k < d->c_al; k++) {
			if (k >= d->orig_c)
				o[k] = pad;
			else if (d->is_float)
				o[k] = element_float(d, cv, p, k);
			else
				o[k] = element_int(d, cv, p, k);
		}
	}
	t->dpu_elems += pixels * d->c_al;
	if (d->to_memory && !sim_task_aborted(t))
		rc = wdma(t, d);
	return rc;
}

void sim_dpu_release(struct sim_task *t, struct sim_dpu *d)
{
	sim_task_free(t, d->obits, (size_t)d->w * d->h * d->c_al, sizeof(uint32_t));
	d->obits = NULL;
	sim_cube_free(t, &d->main);
	sim_cube_free(t, &d->eop);
	sim_rdma_release(t, d);
}
