// SPDX-License-Identifier: MIT OR GPL-2.0-only
#include <string.h>

#include "rk3588_regs.h"
#include "sim_test_stream.h"

#define CBUF_BANK_BYTES 32768u
#define CBUF_BANKS 12u
#define CBUF_ENTRY_BYTES 64u
#define PREC_FP16 2u

static unsigned int eb_in(const struct conv_desc *d)
{
	return d->fp16 || d->int16 ? 2 : 1;
}

/* Bits per input element: int4 packs two into a byte. */
static unsigned int bits_in(const struct conv_desc *d)
{
	return d->int4 ? 4 : 8 * eb_in(d);
}

/* CNA precision code and the DPU input code it turns into. */
static unsigned int cna_prec(const struct conv_desc *d)
{
	return d->fp16 ? PREC_FP16 : d->int16 ? 1 : d->int4 ? TP_INT4 : 0;
}

static unsigned int bo_out(const struct conv_desc *d)
{
	switch (d->out_prec) {
	case TP_INT8:
		return 1;
	case TP_INT16:
	case TP_FP16:
		return 2;
	default:
		return 4;
	}
}

/* Kernels per group: 32 for int8, 16 for int16/fp16, 64 for int4. */
static unsigned int kg(const struct conv_desc *d)
{
	return d->int4 ? 64 : eb_in(d) == 2 ? 16 : 32;
}

/* Bytes of one kernel (depthwise: the only kernel). */
static unsigned int kernel_bytes(const struct conv_desc *d)
{
	return d->kw * d->kh * d->c * bits_in(d) / 8;
}

static unsigned int kernels(const struct conv_desc *d)
{
	return d->dw ? 1 : d->n;
}

static unsigned int div_up(unsigned int a, unsigned int b)
{
	return (a + b - 1) / b;
}

#define W(tgt, reg, val) (w[n++] = rk3588_regcmd(RK3588_TARGET_##tgt, REG_##reg, (val)))

size_t conv_body(uint64_t *w, const struct conv_desc *d)
{
	static const struct dpu_desc plain = { 0 };
	const struct dpu_desc *dd = d->dpu ? d->dpu : &plain;
	unsigned int bo = bo_out(d);
	unsigned int e = kg(d) * bo / 16; /* atoms per kernel group per pixel */
	/* A row is W pixels of whole 16-byte atoms, the last one partly
	 * filled when C is not a multiple of the atom's channels. */
	unsigned int entries = div_up(d->w * div_up(d->c * bits_in(d), 128) * 16, CBUF_ENTRY_BYTES);
	unsigned int dbank = div_up(d->h * entries * CBUF_ENTRY_BYTES, CBUF_BANK_BYTES);
	unsigned int hw_out = d->out_w * d->out_h;
	unsigned int in_sh = d->in_surf_h ? d->in_surf_h : d->h;
	unsigned int out_sh = d->out_surf_h ? d->out_surf_h : d->out_h;
	unsigned int out_plane = d->out_w * out_sh;
	unsigned int orig = dd->orig_c ? dd->orig_c : d->n;
	unsigned int mode;
	uint32_t v;
	size_t n = 0;

	if (e == 0)
		e = 1;
	if (dbank == 0)
		dbank = 1;

	v = 0;
	rk3588_set_DPU_S_POINTER_POINTER_PP_EN(&v, 1);
	rk3588_set_DPU_S_POINTER_EXECUTER_PP_EN(&v, 1);
	rk3588_set_DPU_S_POINTER_POINTER_PP_MODE(&v, 1);
	W(DPU, DPU_S_POINTER, v);
	if (d->rdma)
		W(DPU_RDMA, DPU_RDMA_S_POINTER, v);

	v = 0;
	rk3588_set_CNA_CONV_CON1_IN_PRECISION(&v, cna_prec(d));
	rk3588_set_CNA_CONV_CON1_PROC_PRECISION(&v, cna_prec(d));
	rk3588_set_CNA_CONV_CON1_GROUP_LINE_OFF(&v, d->group_line_off);
	rk3588_set_CNA_CONV_CON1_CONV_MODE(&v, d->dw ? 3 : 0);
	W(CNA, CNA_CONV_CON1, v);
	v = 0;
	rk3588_set_CNA_CONV_CON2_FEATURE_GRAINS(&v, d->h + 1 > 1023 ? 1023 : d->h + 1);
	W(CNA, CNA_CONV_CON2, v);
	v = 0;
	rk3588_set_CNA_CONV_CON3_CONV_X_STRIDE(&v, d->sx);
	rk3588_set_CNA_CONV_CON3_CONV_Y_STRIDE(&v, d->sy);
	rk3588_set_CNA_CONV_CON3_ATROUS_X_DILATION(&v, d->dx > 1 ? d->dx - 1 : 0);
	rk3588_set_CNA_CONV_CON3_ATROUS_Y_DILATION(&v, d->dy > 1 ? d->dy - 1 : 0);
	W(CNA, CNA_CONV_CON3, v);
	v = 0;
	rk3588_set_CNA_DATA_SIZE0_DATAIN_WIDTH(&v, d->w);
	rk3588_set_CNA_DATA_SIZE0_DATAIN_HEIGHT(&v, d->h);
	W(CNA, CNA_DATA_SIZE0, v);
	v = 0;
	rk3588_set_CNA_DATA_SIZE1_DATAIN_CHANNEL_REAL(&v, d->c - 1);
	rk3588_set_CNA_DATA_SIZE1_DATAIN_CHANNEL(&v, d->c);
	W(CNA, CNA_DATA_SIZE1, v);
	W(CNA, CNA_DATA_SIZE2, d->out_w);
	W(CNA, CNA_DATA_SIZE3, hw_out);
	W(CNA, CNA_WEIGHT_SIZE0, kernel_bytes(d) * kernels(d));
	W(CNA, CNA_WEIGHT_SIZE1, kernel_bytes(d));
	v = 0;
	rk3588_set_CNA_WEIGHT_SIZE2_WEIGHT_WIDTH(&v, d->kw);
	rk3588_set_CNA_WEIGHT_SIZE2_WEIGHT_HEIGHT(&v, d->kh);
	rk3588_set_CNA_WEIGHT_SIZE2_WEIGHT_KERNELS(&v, kernels(d));
	W(CNA, CNA_WEIGHT_SIZE2, v);
	v = 0;
	rk3588_set_CNA_CBUF_CON0_DATA_BANK(&v, dbank);
	rk3588_set_CNA_CBUF_CON0_WEIGHT_BANK(&v, CBUF_BANKS - dbank);
	W(CNA, CNA_CBUF_CON0, v);
	W(CNA, CNA_CBUF_CON1, entries);
	v = 0;
	if (d->cvt) {
		rk3588_set_CNA_CVT_CON0_CVT_TYPE(&v, d->cvt_add_first);
		rk3588_set_CNA_CVT_CON0_ROUND_TYPE(&v, d->cvt_half_up);
		rk3588_set_CNA_CVT_CON0_DATA_SIGN(&v, !d->cvt_unsigned);
		rk3588_set_CNA_CVT_CON0_CVT_TRUNCATE_0(&v, d->cvt_shift[0]);
		rk3588_set_CNA_CVT_CON0_CVT_TRUNCATE_1(&v, d->cvt_shift[1]);
		rk3588_set_CNA_CVT_CON0_CVT_TRUNCATE_2(&v, d->cvt_shift[2]);
		rk3588_set_CNA_CVT_CON0_CVT_TRUNCATE_3(&v, d->cvt_shift[3]);
	} else {
		rk3588_set_CNA_CVT_CON0_CVT_BYPASS(&v, 1);
		rk3588_set_CNA_CVT_CON0_CVT_TYPE(&v, 1);
		rk3588_set_CNA_CVT_CON0_DATA_SIGN(&v, !d->cvt_unsigned);
	}
	W(CNA, CNA_CVT_CON0, v);
	for (unsigned int i = 0; i < 4; i++) {
		static const uint32_t regs[4] = { REG_CNA_CVT_CON1, REG_CNA_CVT_CON2,
						  REG_CNA_CVT_CON3, REG_CNA_CVT_CON4 };

		/* CVT_CON1..4 share one field layout. */
		v = 0;
		rk3588_set_CNA_CVT_CON1_CVT_SCALE0(&v, d->cvt ? d->cvt_scale[i] : 1);
		rk3588_set_CNA_CVT_CON1_CVT_OFFSET0(&v, d->cvt ? d->cvt_offset[i] : 0);
		w[n++] = rk3588_regcmd(RK3588_TARGET_CNA, regs[i], v);
	}
	W(CNA, CNA_FC_CON0, 0);
	W(CNA, CNA_FC_CON1, 0);
	v = 0;
	rk3588_set_CNA_PAD_CON0_PAD_LEFT(&v, d->pad_l);
	rk3588_set_CNA_PAD_CON0_PAD_TOP(&v, d->pad_t);
	W(CNA, CNA_PAD_CON0, v);
	W(CNA, CNA_FEATURE_DATA_ADDR, d->in);
	W(CNA, CNA_FC_CON2, 0);
	v = 0;
	rk3588_set_CNA_DMA_CON0_WEIGHT_BURST_LEN(&v, 15);
	rk3588_set_CNA_DMA_CON0_DATA_BURST_LEN(&v, 15);
	W(CNA, CNA_DMA_CON0, v);
	/* Plain NC1HWC2 in either stride mode: surface pitch W * in_sh atoms. */
	v = 0;
	if (d->group_line_off) {
		W(CNA, CNA_DMA_CON1, d->w);
		rk3588_set_CNA_DMA_CON2_SURF_STRIDE(&v, (int32_t)(d->w * in_sh) - (int32_t)d->w);
	} else {
		W(CNA, CNA_DMA_CON1, 4 * d->w);
		rk3588_set_CNA_DMA_CON2_SURF_STRIDE(&v, (int32_t)(d->w * in_sh) - 4 * (int32_t)d->w);
	}
	W(CNA, CNA_DMA_CON2, v);
	v = 0;
	rk3588_set_CNA_FC_DATA_SIZE0_DMA_WIDTH(&v, d->w);
	rk3588_set_CNA_FC_DATA_SIZE0_DMA_HEIGHT(&v, d->h);
	W(CNA, CNA_FC_DATA_SIZE0, v);
	W(CNA, CNA_FC_DATA_SIZE1, d->c);
	W(CNA, CNA_DCOMP_CTRL, 0);
	W(CNA, CNA_DCOMP_REGNUM, 0);
	W(CNA, CNA_DCOMP_ADDR0, d->wt);
	W(CNA, CNA_CVT_CON5, d->cvt ? d->cvt_mask : 0);
	W(CNA, CNA_PAD_CON1, d->pad_value);

	v = 0;
	rk3588_set_CORE_MISC_CFG_PROC_PRECISION(&v, cna_prec(d));
	rk3588_set_CORE_MISC_CFG_DW_EN(&v, d->dw);
	rk3588_set_CORE_MISC_CFG_QD_EN(&v, d->qd);
	W(CORE, CORE_MISC_CFG, v);
	v = 0;
	rk3588_set_CORE_DATAOUT_SIZE_0_DATAOUT_HEIGHT(&v, d->out_h - 1);
	rk3588_set_CORE_DATAOUT_SIZE_0_DATAOUT_WIDTH(&v, d->out_w - 1);
	W(CORE, CORE_DATAOUT_SIZE_0, v);
	W(CORE, CORE_DATAOUT_SIZE_1, d->n - 1);
	W(CORE, CORE_CLIP_TRUNCATE, d->clip_shift);
	W(CORE, CORE_RESERVED_3030, 0);

	mode = (dd->no_memory ? 0u : 2u) | (dd->to_ppu ? 1u : 0u);
	v = 0;
	rk3588_set_DPU_FEATURE_MODE_CFG_BURST_LEN(&v, 15);
	rk3588_set_DPU_FEATURE_MODE_CFG_OUTPUT_MODE(&v, mode);
	rk3588_set_DPU_FEATURE_MODE_CFG_CONV_MODE(&v, d->dw ? 3 : 0);
	W(DPU, DPU_FEATURE_MODE_CFG, v);
	W(DPU, DPU_OFFSET_PEND, dd->pend);
	W(DPU, DPU_DST_BASE_ADDR, d->out);
	v = 0;
	rk3588_set_DPU_DST_SURF_STRIDE_VALUE(&v, out_plane);
	W(DPU, DPU_DST_SURF_STRIDE, v);
	W(DPU, DPU_DATA_CUBE_WIDTH, d->out_w - 1);
	W(DPU, DPU_DATA_CUBE_HEIGHT, d->out_h - 1);
	W(DPU, DPU_DATA_CUBE_NOTCH_ADDR, 0);
	v = 0;
	rk3588_set_DPU_DATA_CUBE_CHANNEL_ORIG_CHANNEL(&v, orig - 1);
	rk3588_set_DPU_DATA_CUBE_CHANNEL_CHANNEL(&v, d->n - 1);
	W(DPU, DPU_DATA_CUBE_CHANNEL, v);
	W(DPU, DPU_WDMA_SIZE_0, d->n - 1);
	v = 0;
	rk3588_set_DPU_WDMA_SIZE_1_HEIGHT_WDMA(&v, d->out_h - 1);
	rk3588_set_DPU_WDMA_SIZE_1_WIDTH_WDMA(&v, d->out_w - 1);
	W(DPU, DPU_WDMA_SIZE_1, v);
	v = 0;
	rk3588_set_DPU_BS_OW_CFG_SIZE_E_2(&v, e - 1);
	rk3588_set_DPU_BS_OW_CFG_SIZE_E_1(&v, e - 1);
	rk3588_set_DPU_BS_OW_CFG_SIZE_E_0(&v, e - 1);
	rk3588_set_DPU_BS_OW_CFG_OD_BYPASS(&v, !dd->ow);
	rk3588_set_DPU_BS_OW_CFG_OW_SRC(&v, dd->ow_mem);
	W(DPU, DPU_BS_OW_CFG, v);
	v = 0;
	rk3588_set_DPU_BS_OW_OP_OW_OP(&v, (uint16_t)dd->ow_op);
	W(DPU, DPU_BS_OW_OP, v);
	dpu_stage_words(w, &n, dd, cna_prec(d), d->out_prec, d->fp16);
	v = 0;
	rk3588_set_DPU_SURFACE_ADD_SURF_ADD(&v, e * out_plane);
	W(DPU, DPU_SURFACE_ADD, v);
	W(DPU, DPU_RESERVED_40C4, 0);
	if (d->rdma)
		rdma_words(w, &n, dd, d->out_w, d->out_h, d->n, d->dw, NULL);
	return n;
}

size_t task_tail(uint64_t *w, uint32_t next_addr, uint32_t next_amount, uint32_t op_en)
{
	size_t n = 0;

	w[n++] = next_addr ? rk3588_regcmd(RK3588_TARGET_PC, REG_PC_BASE_ADDRESS, next_addr) : 0;
	W(PC, PC_REGISTER_AMOUNTS, next_amount);
	w[n++] = rk3588_regcmd(RK3588_TARGET_PRE_OP, 0, 0);
	w[n++] = rk3588_regcmd(RK3588_TARGET_OP_EN, REG_PC_OPERATION_ENABLE, op_en);
	return n;
}

uint32_t amount_for(size_t words)
{
	return (uint32_t)((words + 1) / 2 - 1);
}

size_t conv_in_bytes(const struct conv_desc *d)
{
	unsigned int c2 = 128 / bits_in(d);

	return (size_t)div_up(d->c, c2) * d->w * d->h * 16;
}

size_t conv_wt_bytes(const struct conv_desc *d)
{
	return (size_t)kernel_bytes(d) * kernels(d);
}

size_t conv_out_bytes(const struct conv_desc *d)
{
	unsigned int c2 = 16 / bo_out(d);

	return (size_t)div_up(d->n, c2) * d->out_w * d->out_h * 16;
}

static void copy_elem(void *dst, size_t di, const void *src, size_t si, unsigned int eb)
{
	memcpy((uint8_t *)dst + di * eb, (const uint8_t *)src + si * eb, eb);
}

void pack_input(const struct conv_desc *d, const void *dense, void *dst)
{
	unsigned int eb = eb_in(d), c2 = 16 / eb;

	for (unsigned int y = 0; y < d->h; y++)
		for (unsigned int x = 0; x < d->w; x++)
			for (unsigned int c = 0; c < d->c; c++) {
				size_t atom = (size_t)(c / c2) * d->h * d->w + (size_t)y * d->w + x;
				size_t di = atom * c2 + c % c2;

				copy_elem(dst, di, dense, ((size_t)y * d->w + x) * d->c + c, eb);
			}
}

/* offset = g*KG*kh*kw*C + j*n_g*kh*kw*CB + (ky*kw+kx)*n_g*cb_j + (oc%KG)*cb_j + c%CB */
void pack_weights(const struct conv_desc *d, const void *dense, void *dst)
{
	unsigned int eb = eb_in(d), g_sz = kg(d), cb = 32;

	for (unsigned int oc = 0; oc < d->n; oc++)
		for (unsigned int ky = 0; ky < d->kh; ky++)
			for (unsigned int kx = 0; kx < d->kw; kx++)
				for (unsigned int c = 0; c < d->c; c++) {
					unsigned int g = oc / g_sz, j = c / cb;
					size_t ng = d->n - g * g_sz < g_sz ? d->n - g * g_sz : g_sz;
					size_t cbj = d->c - j * cb < cb ? d->c - j * cb : cb;
					size_t off = (size_t)g * g_sz * d->kh * d->kw * d->c +
						     (size_t)j * ng * d->kh * d->kw * cb +
						     ((size_t)ky * d->kw + kx) * ng * cbj +
						     (oc % g_sz) * cbj + c % cb;
					size_t tap = ((size_t)oc * d->kh + ky) * d->kw + kx;
					size_t si = tap * d->c + c;

					copy_elem(dst, off, dense, si, eb);
				}
}

size_t out_index(const struct conv_desc *d, unsigned int c, unsigned int y, unsigned int x)
{
	unsigned int c2 = 16 / bo_out(d);
	size_t hw = (size_t)d->out_w * d->out_h;

	return ((c / c2) * hw + (size_t)y * d->out_w + x) * c2 + c % c2;
}

/* [block][ky][kx][channels of the block]: 64-byte blocks of channels. */
void pack_weights_dw(const struct conv_desc *d, const void *dense, void *dst)
{
	unsigned int eb = eb_in(d), blk = 64 / eb;
	size_t pos = 0;

	for (unsigned int c0 = 0; c0 < d->c; c0 += blk) {
		unsigned int cb = d->c - c0 < blk ? d->c - c0 : blk;

		for (unsigned int ky = 0; ky < d->kh; ky++)
			for (unsigned int kx = 0; kx < d->kw; kx++)
				for (unsigned int c = 0; c < cb; c++)
					copy_elem(dst, pos++, dense,
						  ((size_t)ky * d->kw + kx) * d->c + c0 + c, eb);
	}
}

uint32_t test_rand(uint32_t *state)
{
	/* xorshift32: enough spread for test data, identical everywhere. */
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}
