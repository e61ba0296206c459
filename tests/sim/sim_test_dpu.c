// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Test-side register streams for the DPU stages, DPU_RDMA (flying mode and
 * memory operands) and the PPU, written from the hardware notes' register
 * descriptions, not from the model.
 */
#include <math.h>

#include "rk3588_regs.h"
#include "sim_test_stream.h"

#define W(tgt, reg, val) (w[(*n)++] = rk3588_regcmd(RK3588_TARGET_##tgt, REG_##reg, (val)))

unsigned int prec_bytes(unsigned int prec)
{
	switch (prec) {
	case TP_INT8:
		return 1;
	case TP_INT16:
	case TP_FP16:
		return 2;
	default:
		return 4;
	}
}

size_t cube_bytes(unsigned int w, unsigned int h, unsigned int c, unsigned int eb)
{
	unsigned int c2 = 16 / eb;

	return (size_t)((c + c2 - 1) / c2) * w * h * 16;
}

size_t cube_index(unsigned int w, unsigned int h, unsigned int eb, unsigned int c, unsigned int y,
		  unsigned int x)
{
	unsigned int c2 = 16 / eb;

	return ((size_t)(c / c2) * w * h + (size_t)y * w + x) * c2 + c % c2;
}

uint32_t fp17_bits(double v)
{
	int e;
	double f = frexp(v, &e); /* v = f * 2^e, 0.5 <= f < 1 */
	double frac = nearbyint((2.0 * f - 1.0) * 1024.0);

	e -= 1;
	if (frac >= 1024.0) {
		frac = 0.0;
		e += 1;
	}
	return ((uint32_t)(e + 31) << 10) | (uint32_t)frac;
}

static unsigned int needs(const struct stage_desc *s, bool ow_mem)
{
	unsigned int use = 0;

	if (s->alu && s->alu_mem)
		use |= USE_ALU;
	if (ow_mem)
		use |= USE_CPEND;
	if (s->mul && s->mul_mem)
		use |= USE_MUL;
	if (s->mul && s->shift_mem)
		use |= USE_TRT;
	return s->use ? s->use : use;
}

static void bs_words(uint64_t *w, size_t *n, const struct stage_desc *s)
{
	uint32_t v = 0;

	rk3588_set_DPU_BS_CFG_BS_ALU_ALGO(&v, s->alu ? s->alu_algo : 0);
	rk3588_set_DPU_BS_CFG_BS_ALU_SRC(&v, s->alu_mem);
	rk3588_set_DPU_BS_CFG_BS_RELUX_EN(&v, s->relux);
	rk3588_set_DPU_BS_CFG_BS_RELU_BYPASS(&v, !s->relu);
	rk3588_set_DPU_BS_CFG_BS_MUL_PRELU(&v, s->prelu);
	rk3588_set_DPU_BS_CFG_BS_MUL_BYPASS(&v, !s->mul);
	rk3588_set_DPU_BS_CFG_BS_ALU_BYPASS(&v, !s->alu);
	rk3588_set_DPU_BS_CFG_BS_BYPASS(&v, !s->on);
	W(DPU, DPU_BS_CFG, v);
	W(DPU, DPU_BS_ALU_CFG, s->alu_value);
	v = 0;
	rk3588_set_DPU_BS_MUL_CFG_BS_MUL_OPERAND(&v, s->mul_value);
	rk3588_set_DPU_BS_MUL_CFG_BS_MUL_SHIFT_VALUE(&v, s->shift);
	rk3588_set_DPU_BS_MUL_CFG_BS_TRUNCATE_SRC(&v, s->shift_mem);
	rk3588_set_DPU_BS_MUL_CFG_BS_MUL_SRC(&v, s->mul_mem);
	W(DPU, DPU_BS_MUL_CFG, v);
	W(DPU, DPU_BS_RELUX_CMP_VALUE, s->relux_cmp);
}

static void bn_words(uint64_t *w, size_t *n, const struct stage_desc *s)
{
	uint32_t v = 0;

	rk3588_set_DPU_BN_CFG_BN_ALU_ALGO(&v, s->alu ? s->alu_algo : 0);
	rk3588_set_DPU_BN_CFG_BN_ALU_SRC(&v, s->alu_mem);
	rk3588_set_DPU_BN_CFG_BN_RELUX_EN(&v, s->relux);
	rk3588_set_DPU_BN_CFG_BN_RELU_BYPASS(&v, !s->relu);
	rk3588_set_DPU_BN_CFG_BN_MUL_PRELU(&v, s->prelu);
	rk3588_set_DPU_BN_CFG_BN_MUL_BYPASS(&v, !s->mul);
	rk3588_set_DPU_BN_CFG_BN_ALU_BYPASS(&v, !s->alu);
	rk3588_set_DPU_BN_CFG_BN_BYPASS(&v, !s->on);
	W(DPU, DPU_BN_CFG, v);
	W(DPU, DPU_BN_ALU_CFG, s->alu_value);
	v = 0;
	rk3588_set_DPU_BN_MUL_CFG_BN_MUL_OPERAND(&v, s->mul_value);
	rk3588_set_DPU_BN_MUL_CFG_BN_MUL_SHIFT_VALUE(&v, s->shift);
	rk3588_set_DPU_BN_MUL_CFG_BN_TRUNCATE_SRC(&v, s->shift_mem);
	rk3588_set_DPU_BN_MUL_CFG_BN_MUL_SRC(&v, s->mul_mem);
	W(DPU, DPU_BN_MUL_CFG, v);
	W(DPU, DPU_BN_RELUX_CMP_VALUE, s->relux_cmp);
}

/* EDATA_SIZE / ERDMA DATA_SIZE code of an element size. */
static unsigned int size_code(unsigned int bytes)
{
	return bytes == 1 ? 1 : bytes == 2 ? 2 : 3;
}

static void ew_words(uint64_t *w, size_t *n, const struct ew_desc *e)
{
	uint32_t v = 0;

	rk3588_set_DPU_EW_CFG_EW_CVT_TYPE(&v, e->cvt_add_first);
	rk3588_set_DPU_EW_CFG_EW_CVT_ROUND(&v, e->cvt_half_up);
	rk3588_set_DPU_EW_CFG_EW_DATA_MODE(&v, 1);
	rk3588_set_DPU_EW_CFG_EDATA_SIZE(&v, size_code(e->esize ? e->esize : 1));
	rk3588_set_DPU_EW_CFG_EW_EQUAL_EN(&v, e->equal_en);
	rk3588_set_DPU_EW_CFG_EW_ALU_ALGO(&v, e->mul ? 0 : e->algo);
	rk3588_set_DPU_EW_CFG_EW_RELUX_EN(&v, e->relux);
	rk3588_set_DPU_EW_CFG_EW_RELU_BYPASS(&v, !e->relu);
	rk3588_set_DPU_EW_CFG_EW_OP_CVT_BYPASS(&v, !e->cvt);
	rk3588_set_DPU_EW_CFG_EW_LUT_BYPASS(&v, 1);
	rk3588_set_DPU_EW_CFG_EW_OP_SRC(&v, e->op_mem);
	rk3588_set_DPU_EW_CFG_EW_MUL_PRELU(&v, e->prelu);
	rk3588_set_DPU_EW_CFG_EW_OP_TYPE(&v, e->mul);
	rk3588_set_DPU_EW_CFG_EW_OP_BYPASS(&v, e->op_bypass);
	rk3588_set_DPU_EW_CFG_EW_BYPASS(&v, !e->on);
	W(DPU, DPU_EW_CFG, v);
	W(DPU, DPU_EW_CVT_OFFSET_VALUE, (uint32_t)e->cvt_offset);
	v = 0;
	rk3588_set_DPU_EW_CVT_SCALE_VALUE_EW_TRUNCATE(&v, e->trunc);
	rk3588_set_DPU_EW_CVT_SCALE_VALUE_EW_OP_CVT_SHIFT(&v, e->cvt_shift);
	rk3588_set_DPU_EW_CVT_SCALE_VALUE_EW_OP_CVT_SCALE(&v, e->cvt_scale);
	W(DPU, DPU_EW_CVT_SCALE_VALUE, v);
	W(DPU, DPU_EW_RELUX_CMP_VALUE, e->relux_cmp);
	W(DPU, DPU_EW_OP_VALUE_0, e->op_value);
}

void dpu_stage_words(uint64_t *w, size_t *n, const struct dpu_desc *dd, unsigned int in_prec,
		     unsigned int out_prec, bool fp32_data)
{
	bool is_float = in_prec == TP_FP16 || in_prec == TP_FP32;
	uint32_t v = 0;

	rk3588_set_DPU_DATA_FORMAT_OUT_PRECISION(&v, out_prec);
	rk3588_set_DPU_DATA_FORMAT_IN_PRECISION(&v, in_prec);
	rk3588_set_DPU_DATA_FORMAT_EW_TRUNCATE_NEG(&v, dd->ew.trunc_neg);
	rk3588_set_DPU_DATA_FORMAT_BN_MUL_SHIFT_VALUE_NEG(&v, dd->bn.shift_neg);
	rk3588_set_DPU_DATA_FORMAT_BS_MUL_SHIFT_VALUE_NEG(&v, dd->bs.shift_neg);
	rk3588_set_DPU_DATA_FORMAT_PROC_PRECISION(&v, in_prec);
	W(DPU, DPU_DATA_FORMAT, v);
	bs_words(w, n, &dd->bs);
	bn_words(w, n, &dd->bn);
	ew_words(w, n, &dd->ew);
	W(DPU, DPU_OUT_CVT_OFFSET, dd->cvt ? (uint32_t)dd->cvt_offset : 0);
	v = 0;
	rk3588_set_DPU_OUT_CVT_SCALE_OUT_CVT_SCALE(&v, dd->cvt ? dd->cvt_scale : 1);
	rk3588_set_DPU_OUT_CVT_SCALE_FP32TOFP16_EN(&v, is_float && fp32_data && out_prec == TP_FP16);
	W(DPU, DPU_OUT_CVT_SCALE, v);
	v = 0;
	if (dd->cvt) {
		rk3588_set_DPU_OUT_CVT_SHIFT_CVT_TYPE(&v, dd->cvt_add_first);
		rk3588_set_DPU_OUT_CVT_SHIFT_CVT_ROUND(&v, dd->cvt_half_up);
		rk3588_set_DPU_OUT_CVT_SHIFT_OUT_CVT_SHIFT(&v, dd->cvt_shift);
	}
	W(DPU, DPU_OUT_CVT_SHIFT, v);
}

void rdma_words(uint64_t *w, size_t *n, const struct dpu_desc *dd, unsigned int w_, unsigned int h,
		unsigned int c, bool dw, const struct flying_desc *f)
{
	const struct ew_desc *e = &dd->ew;
	unsigned int bs_use = dd->bs.on ? needs(&dd->bs, dd->ow && dd->ow_mem) : 0;
	unsigned int bn_use = dd->bn.on ? needs(&dd->bn, false) : 0;
	bool ew_mem = e->on && !e->op_bypass && e->op_mem;
	uint32_t v;

	W(DPU_RDMA, DPU_RDMA_RDMA_DATA_CUBE_WIDTH, w_ - 1);
	v = 0;
	rk3588_set_DPU_RDMA_RDMA_DATA_CUBE_HEIGHT_HEIGHT(&v, h - 1);
	rk3588_set_DPU_RDMA_RDMA_DATA_CUBE_HEIGHT_EW_LINE_NOTCH_ADDR(&v, e->line_notch);
	W(DPU_RDMA, DPU_RDMA_RDMA_DATA_CUBE_HEIGHT, v);
	W(DPU_RDMA, DPU_RDMA_RDMA_DATA_CUBE_CHANNEL, c - 1);
	W(DPU_RDMA, DPU_RDMA_RDMA_SRC_BASE_ADDR, f ? f->in : 0);
	v = 0;
	rk3588_set_DPU_RDMA_RDMA_BRDMA_CFG_BRDMA_DATA_USE(&v, bs_use);
	W(DPU_RDMA, DPU_RDMA_RDMA_BRDMA_CFG, v);
	W(DPU_RDMA, DPU_RDMA_RDMA_BS_BASE_ADDR, dd->bs.mem);
	v = 0;
	rk3588_set_DPU_RDMA_RDMA_NRDMA_CFG_NRDMA_DATA_USE(&v, bn_use);
	W(DPU_RDMA, DPU_RDMA_RDMA_NRDMA_CFG, v);
	W(DPU_RDMA, DPU_RDMA_RDMA_BN_BASE_ADDR, dd->bn.mem);
	v = 0;
	rk3588_set_DPU_RDMA_RDMA_ERDMA_CFG_ERDMA_DATA_MODE(&v, 1);
	rk3588_set_DPU_RDMA_RDMA_ERDMA_CFG_DATA_SIZE(&v, size_code(e->esize ? e->esize : 1));
	rk3588_set_DPU_RDMA_RDMA_ERDMA_CFG_ERDMA_DISABLE(&v, !ew_mem);
	W(DPU_RDMA, DPU_RDMA_RDMA_ERDMA_CFG, v);
	W(DPU_RDMA, DPU_RDMA_RDMA_EW_BASE_ADDR, e->addr);
	v = 0;
	rk3588_set_DPU_RDMA_RDMA_EW_SURF_STRIDE_VALUE(&v, w_ * h);
	W(DPU_RDMA, DPU_RDMA_RDMA_EW_SURF_STRIDE, v);
	v = 0;
	rk3588_set_DPU_RDMA_RDMA_FEATURE_MODE_CFG_IN_PRECISION(&v, f ? f->in_prec : 0);
	rk3588_set_DPU_RDMA_RDMA_FEATURE_MODE_CFG_BURST_LEN(&v, 15);
	rk3588_set_DPU_RDMA_RDMA_FEATURE_MODE_CFG_PROC_PRECISION(&v, f ? f->in_prec : 0);
	rk3588_set_DPU_RDMA_RDMA_FEATURE_MODE_CFG_MRDMA_DISABLE(&v, !f);
	rk3588_set_DPU_RDMA_RDMA_FEATURE_MODE_CFG_MRDMA_FP16TOFP32_EN(&v, f && f->widen);
	rk3588_set_DPU_RDMA_RDMA_FEATURE_MODE_CFG_CONV_MODE(&v, dw ? 3 : 0);
	rk3588_set_DPU_RDMA_RDMA_FEATURE_MODE_CFG_FLYING_MODE(&v, f != NULL);
	W(DPU_RDMA, DPU_RDMA_RDMA_FEATURE_MODE_CFG, v);
	v = 0;
	rk3588_set_DPU_RDMA_RDMA_SRC_DMA_CFG_LINE_NOTCH_ADDR(&v, f ? f->line_notch : 0);
	W(DPU_RDMA, DPU_RDMA_RDMA_SRC_DMA_CFG, v);
	v = 0;
	rk3588_set_DPU_RDMA_RDMA_SURF_NOTCH_SURF_NOTCH_ADDR(&v, f ? f->surf_notch : 0);
	W(DPU_RDMA, DPU_RDMA_RDMA_SURF_NOTCH, v);
	W(DPU_RDMA, DPU_RDMA_RDMA_PAD_CFG, 0);
	W(DPU_RDMA, DPU_RDMA_RDMA_WEIGHT, 0x01010101u);
	v = 0;
	rk3588_set_DPU_RDMA_RDMA_EW_SURF_NOTCH_EW_SURF_NOTCH(&v, e->surf_notch);
	W(DPU_RDMA, DPU_RDMA_RDMA_EW_SURF_NOTCH, v);
}

size_t flying_body(uint64_t *w, const struct flying_desc *f)
{
	static const struct dpu_desc plain = { 0 };
	const struct dpu_desc *dd = f->dpu ? f->dpu : &plain;
	unsigned int orig = dd->orig_c ? dd->orig_c : f->c;
	bool is_float = f->in_prec == TP_FP16 || f->in_prec == TP_FP32;
	bool fp32_data = f->in_prec == TP_FP32 || f->widen;
	uint32_t v = 0;
	size_t cnt = 0, *n = &cnt;

	rk3588_set_DPU_S_POINTER_POINTER_PP_EN(&v, 1);
	rk3588_set_DPU_S_POINTER_EXECUTER_PP_EN(&v, 1);
	rk3588_set_DPU_S_POINTER_POINTER_PP_MODE(&v, 1);
	W(DPU, DPU_S_POINTER, v);
	W(DPU_RDMA, DPU_RDMA_S_POINTER, v);

	v = 0;
	rk3588_set_DPU_FEATURE_MODE_CFG_BURST_LEN(&v, 15);
	rk3588_set_DPU_FEATURE_MODE_CFG_OUTPUT_MODE(&v,
						    (dd->no_memory ? 0u : 2u) | (dd->to_ppu ? 1u : 0u));
	rk3588_set_DPU_FEATURE_MODE_CFG_FLYING_MODE(&v, 1);
	W(DPU, DPU_FEATURE_MODE_CFG, v);
	W(DPU, DPU_OFFSET_PEND, dd->pend);
	W(DPU, DPU_DST_BASE_ADDR, f->out);
	v = 0;
	rk3588_set_DPU_DST_SURF_STRIDE_VALUE(&v, (f->w + f->out_notch) * f->h);
	W(DPU, DPU_DST_SURF_STRIDE, v);
	W(DPU, DPU_DATA_CUBE_WIDTH, f->w - 1);
	W(DPU, DPU_DATA_CUBE_HEIGHT, f->h - 1);
	v = 0;
	rk3588_set_DPU_DATA_CUBE_NOTCH_ADDR_NOTCH_ADDR_1(&v, f->out_notch);
	rk3588_set_DPU_DATA_CUBE_NOTCH_ADDR_NOTCH_ADDR_0(&v, f->out_notch);
	W(DPU, DPU_DATA_CUBE_NOTCH_ADDR, v);
	v = 0;
	rk3588_set_DPU_DATA_CUBE_CHANNEL_ORIG_CHANNEL(&v, orig - 1);
	rk3588_set_DPU_DATA_CUBE_CHANNEL_CHANNEL(&v, f->c - 1);
	W(DPU, DPU_DATA_CUBE_CHANNEL, v);
	W(DPU, DPU_WDMA_SIZE_0, f->c - 1);
	v = 0;
	rk3588_set_DPU_WDMA_SIZE_1_HEIGHT_WDMA(&v, f->h - 1);
	rk3588_set_DPU_WDMA_SIZE_1_WIDTH_WDMA(&v, f->w - 1);
	W(DPU, DPU_WDMA_SIZE_1, v);
	/* One atom per kernel group: surfaces follow each other directly. */
	v = 0;
	rk3588_set_DPU_BS_OW_CFG_OD_BYPASS(&v, 1);
	W(DPU, DPU_BS_OW_CFG, v);
	W(DPU, DPU_BS_OW_OP, 0);
	dpu_stage_words(w, n, dd, f->in_prec, f->out_prec, !is_float || fp32_data);
	v = 0;
	rk3588_set_DPU_SURFACE_ADD_SURF_ADD(&v, (f->w + f->out_notch) * f->h);
	W(DPU, DPU_SURFACE_ADD, v);
	rdma_words(w, n, dd, f->w, f->h, f->c, false, f);
	return cnt;
}

size_t pool_words(uint64_t *w, const struct pool_desc *p)
{
	unsigned int eb = prec_bytes(p->prec);
	uint32_t rw = p->recip_w ? p->recip_w : fp17_bits(1.0 / p->kw);
	uint32_t rh = p->recip_h ? p->recip_h : fp17_bits(1.0 / p->kh);
	uint32_t v = 0;
	size_t cnt = 0, *n = &cnt;

	rk3588_set_PPU_S_POINTER_POINTER_PP_EN(&v, 1);
	rk3588_set_PPU_S_POINTER_EXECUTER_PP_EN(&v, 1);
	rk3588_set_PPU_S_POINTER_POINTER_PP_MODE(&v, 1);
	W(PPU, PPU_S_POINTER, v);
	if (!p->from_dpu)
		W(PPU_RDMA, PPU_RDMA_S_POINTER, v);
	W(PPU, PPU_DATA_CUBE_IN_WIDTH, p->w - 1);
	W(PPU, PPU_DATA_CUBE_IN_HEIGHT, p->h - 1);
	W(PPU, PPU_DATA_CUBE_IN_CHANNEL, p->c - 1);
	W(PPU, PPU_DATA_CUBE_OUT_WIDTH, p->out_w - 1);
	W(PPU, PPU_DATA_CUBE_OUT_HEIGHT, p->out_h - 1);
	W(PPU, PPU_DATA_CUBE_OUT_CHANNEL, p->c - 1);
	v = 0;
	rk3588_set_PPU_OPERATION_MODE_CFG_NOTCH_ADDR(&v, p->out_notch);
	rk3588_set_PPU_OPERATION_MODE_CFG_FLYING_MODE(&v, !p->from_dpu);
	rk3588_set_PPU_OPERATION_MODE_CFG_POOLING_METHOD(&v, p->method);
	W(PPU, PPU_OPERATION_MODE_CFG, v);
	v = 0;
	rk3588_set_PPU_POOLING_KERNEL_CFG_KERNEL_STRIDE_HEIGHT(&v, p->sy - 1);
	rk3588_set_PPU_POOLING_KERNEL_CFG_KERNEL_STRIDE_WIDTH(&v, p->sx - 1);
	rk3588_set_PPU_POOLING_KERNEL_CFG_KERNEL_HEIGHT(&v, p->kh - 1);
	rk3588_set_PPU_POOLING_KERNEL_CFG_KERNEL_WIDTH(&v, p->kw - 1);
	W(PPU, PPU_POOLING_KERNEL_CFG, v);
	W(PPU, PPU_RECIP_KERNEL_WIDTH, rw);
	W(PPU, PPU_RECIP_KERNEL_HEIGHT, rh);
	v = 0;
	rk3588_set_PPU_POOLING_PADDING_CFG_PAD_BOTTOM(&v, p->pad_b);
	rk3588_set_PPU_POOLING_PADDING_CFG_PAD_RIGHT(&v, p->pad_r);
	rk3588_set_PPU_POOLING_PADDING_CFG_PAD_TOP(&v, p->pad_t);
	rk3588_set_PPU_POOLING_PADDING_CFG_PAD_LEFT(&v, p->pad_l);
	W(PPU, PPU_POOLING_PADDING_CFG, v);
	W(PPU, PPU_PADDING_VALUE_1_CFG, p->pad_value);
	W(PPU, PPU_PADDING_VALUE_2_CFG, 0);
	v = 0;
	rk3588_set_PPU_DST_BASE_ADDR_VALUE(&v, p->out >> 4);
	W(PPU, PPU_DST_BASE_ADDR, v);
	v = 0;
	rk3588_set_PPU_DST_SURF_STRIDE_VALUE(&v, (p->out_w + p->out_notch) * p->out_h);
	W(PPU, PPU_DST_SURF_STRIDE, v);
	v = 0;
	rk3588_set_PPU_DATA_FORMAT_INDEX_ADD(&v, (p->out_w + p->out_notch) * p->out_h);
	rk3588_set_PPU_DATA_FORMAT_DPU_FLYIN(&v, p->from_dpu);
	rk3588_set_PPU_DATA_FORMAT_PROC_PRECISION(&v, p->prec);
	W(PPU, PPU_DATA_FORMAT, v);
	v = 0;
	rk3588_set_PPU_MISC_CTRL_BURST_LEN(&v, 3);
	W(PPU, PPU_MISC_CTRL, v);
	if (p->from_dpu)
		return cnt;
	W(PPU_RDMA, PPU_RDMA_RDMA_CUBE_IN_WIDTH, p->w - 1);
	W(PPU_RDMA, PPU_RDMA_RDMA_CUBE_IN_HEIGHT, p->h - 1);
	W(PPU_RDMA, PPU_RDMA_RDMA_CUBE_IN_CHANNEL, p->c - 1);
	W(PPU_RDMA, PPU_RDMA_RDMA_SRC_BASE_ADDR, p->in);
	v = 0;
	rk3588_set_PPU_RDMA_RDMA_SRC_LINE_STRIDE_VALUE(&v, p->w);
	W(PPU_RDMA, PPU_RDMA_RDMA_SRC_LINE_STRIDE, v);
	v = 0;
	rk3588_set_PPU_RDMA_RDMA_SRC_SURF_STRIDE_VALUE(&v, p->w * p->h);
	W(PPU_RDMA, PPU_RDMA_RDMA_SRC_SURF_STRIDE, v);
	v = 0;
	rk3588_set_PPU_RDMA_RDMA_DATA_FORMAT_IN_PRECISION(&v, eb == 1 ? 1 : 2);
	W(PPU_RDMA, PPU_RDMA_RDMA_DATA_FORMAT, v);
	return cnt;
}
