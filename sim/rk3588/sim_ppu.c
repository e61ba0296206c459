// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * PPU and PPU_RDMA: average, maximum and minimum pooling over a cube that
 * comes from memory (flying mode, through PPU_RDMA) or straight from the
 * DPU, written back in NC1HWC2 atoms.
 */
#include <string.h>

#include "sim_fp16.h"
#include "sim_internal.h"

#define REG(t, name) sim_task_reg((t), REG_##name)
/* Misprogramming or an unmodelled feature: the task ends with an error. */
#define REFUSE(t, ...) sim_task_fail((t), SIM_ASSUME_ERR_CONFIG_BIT, __VA_ARGS__)

/* fp17 reciprocal: sign [16], exponent [15:10] biased by 31, fraction
 * [9:0]; value = mant * 2^exp2 with an 11-bit integer mantissa. */
#define FP17_SIGN (1u << 16)
#define FP17_EXP_SHIFT 10u
#define FP17_EXP_MASK 0x3fu
#define FP17_FRAC_MASK 0x3ffu
#define FP17_BIAS 31
#define FP17_FRAC_BITS 10

static void fp17_split(uint32_t bits, int64_t *mant, int *exp2)
{
	unsigned int e = (bits >> FP17_EXP_SHIFT) & FP17_EXP_MASK;
	int64_t m = bits & FP17_FRAC_MASK;

	if (e != 0)
		m |= 1 << FP17_FRAC_BITS;
	else
		e = 1; /* subnormal: same scale as the smallest normal */
	*mant = (bits & FP17_SIGN) ? -m : m;
	*exp2 = (int)e - FP17_BIAS - FP17_FRAC_BITS;
}

static float fp17_float(uint32_t bits)
{
	int64_t m;
	int e;
	float v;

	fp17_split(bits, &m, &e);
	/* Exact: 11-bit mantissa, exponent within float range. */
	v = (float)m;
	for (; e > 0; e--)
		v *= 2.0f;
	for (; e < 0; e++)
		v *= 0.5f;
	return v;
}

static int check_rdma(struct sim_task *t, struct sim_ppu *p)
{
	uint32_t fmt = REG(t, PPU_RDMA_RDMA_DATA_FORMAT);
	unsigned int size = rk3588_get_PPU_RDMA_RDMA_DATA_FORMAT_IN_PRECISION(fmt);
	unsigned int w = rk3588_get_PPU_RDMA_RDMA_CUBE_IN_WIDTH_VALUE(
				 REG(t, PPU_RDMA_RDMA_CUBE_IN_WIDTH)) + 1;
	unsigned int h = rk3588_get_PPU_RDMA_RDMA_CUBE_IN_HEIGHT_VALUE(
				 REG(t, PPU_RDMA_RDMA_CUBE_IN_HEIGHT)) + 1;
	unsigned int c = rk3588_get_PPU_RDMA_RDMA_CUBE_IN_CHANNEL_VALUE(
				 REG(t, PPU_RDMA_RDMA_CUBE_IN_CHANNEL)) + 1;

	if (!(t->op_en & RK3588_OP_EN_PPU_RDMA))
		return REFUSE(t,
			      "PPU.OPERATION_MODE_CFG: flying mode reads through PPU_RDMA, which "
			      "op-enable 0x%02x does not run",
			      t->op_en);
	if (w != p->in_w || h != p->in_h || c != p->c)
		return REFUSE(t, "PPU_RDMA.RDMA_CUBE_IN_*: %ux%ux%u, the PPU expects %ux%ux%u", w,
			      h, c, p->in_w, p->in_h, p->c);
	/* IN_PRECISION is the element size: 1 8-bit, 2 16-bit, 3 32-bit. */
	if (size == 0 || (1u << (size - 1)) != p->eb)
		return REFUSE(t,
			      "PPU_RDMA.RDMA_DATA_FORMAT = 0x%08x: element size code %u, "
			      "PPU.DATA_FORMAT needs %u-byte elements",
			      fmt, size, p->eb);
	p->src.base = sim_dma_addr(t, rk3588_get_PPU_RDMA_RDMA_SRC_BASE_ADDR_VALUE(
					      REG(t, PPU_RDMA_RDMA_SRC_BASE_ADDR)));
	p->src.line = rk3588_get_PPU_RDMA_RDMA_SRC_LINE_STRIDE_VALUE(
		REG(t, PPU_RDMA_RDMA_SRC_LINE_STRIDE));
	p->src.surf = rk3588_get_PPU_RDMA_RDMA_SRC_SURF_STRIDE_VALUE(
		REG(t, PPU_RDMA_RDMA_SRC_SURF_STRIDE));
	p->src.w = p->in_w;
	p->src.h = p->in_h;
	p->src.c = p->c_al;
	p->src.eb = p->eb;
	p->src.is_float = p->is_float;
	return 0;
}

static int check_dpu_feed(struct sim_task *t, const struct sim_dpu *d, struct sim_ppu *p)
{
	if (!d || !d->to_ppu)
		return REFUSE(t,
			      "PPU.OPERATION_MODE_CFG: input from the DPU, but no DPU output "
			      "goes to the PPU (DPU.FEATURE_MODE_CFG.OUTPUT_MODE bit 0)");
	if (d->out_prec != p->prec)
		return REFUSE(t,
			      "PPU.DATA_FORMAT: precision %u, the DPU delivers precision %u",
			      p->prec, d->out_prec);
	if (d->w != p->in_w || d->h != p->in_h || d->c != p->c)
		return REFUSE(t,
			      "PPU.DATA_CUBE_IN_*: %ux%ux%u, the DPU delivers %ux%ux%u", p->in_w,
			      p->in_h, p->c, d->w, d->h, d->c);
	if (t->op_en & RK3588_OP_EN_PPU_RDMA)
		sim_trace(t->core, "PPU_RDMA enabled but the PPU reads from the DPU");
	return 0;
}

static int check_geometry(struct sim_task *t, struct sim_ppu *p)
{
	uint32_t k = REG(t, PPU_POOLING_KERNEL_CFG);
	uint32_t pad = REG(t, PPU_POOLING_PADDING_CFG);
	unsigned int pr = rk3588_get_PPU_POOLING_PADDING_CFG_PAD_RIGHT(pad);
	unsigned int pb = rk3588_get_PPU_POOLING_PADDING_CFG_PAD_BOTTOM(pad);
	unsigned int oc = rk3588_get_PPU_DATA_CUBE_OUT_CHANNEL_VALUE(
				  REG(t, PPU_DATA_CUBE_OUT_CHANNEL)) + 1;

	p->in_w = rk3588_get_PPU_DATA_CUBE_IN_WIDTH_VALUE(REG(t, PPU_DATA_CUBE_IN_WIDTH)) + 1;
	p->in_h = rk3588_get_PPU_DATA_CUBE_IN_HEIGHT_VALUE(REG(t, PPU_DATA_CUBE_IN_HEIGHT)) + 1;
	p->c = rk3588_get_PPU_DATA_CUBE_IN_CHANNEL_VALUE(REG(t, PPU_DATA_CUBE_IN_CHANNEL)) + 1;
	p->out_w = rk3588_get_PPU_DATA_CUBE_OUT_WIDTH_VALUE(REG(t, PPU_DATA_CUBE_OUT_WIDTH)) + 1;
	p->out_h = rk3588_get_PPU_DATA_CUBE_OUT_HEIGHT_VALUE(REG(t, PPU_DATA_CUBE_OUT_HEIGHT)) + 1;
	p->kw = rk3588_get_PPU_POOLING_KERNEL_CFG_KERNEL_WIDTH(k) + 1;
	p->kh = rk3588_get_PPU_POOLING_KERNEL_CFG_KERNEL_HEIGHT(k) + 1;
	p->sx = rk3588_get_PPU_POOLING_KERNEL_CFG_KERNEL_STRIDE_WIDTH(k) + 1;
	p->sy = rk3588_get_PPU_POOLING_KERNEL_CFG_KERNEL_STRIDE_HEIGHT(k) + 1;
	p->pad_l = rk3588_get_PPU_POOLING_PADDING_CFG_PAD_LEFT(pad);
	p->pad_t = rk3588_get_PPU_POOLING_PADDING_CFG_PAD_TOP(pad);
	if (oc != p->c)
		return REFUSE(t, "PPU.DATA_CUBE_OUT_CHANNEL: %u channels in, %u out", p->c, oc);
	_Static_assert(SIM_ASSUME_PPU_WINDOWS_INSIDE, "windows stay inside the padded input");
	if ((uint64_t)(p->out_w - 1) * p->sx + p->kw > (uint64_t)p->in_w + p->pad_l + pr ||
	    (uint64_t)(p->out_h - 1) * p->sy + p->kh > (uint64_t)p->in_h + p->pad_t + pb)
		return REFUSE(t,
			      "PPU.DATA_CUBE_OUT_WIDTH/HEIGHT: %ux%u outputs of a %ux%u kernel, "
			      "stride %ux%u, need more than the %ux%u padded input",
			      p->out_w, p->out_h, p->kw, p->kh, p->sx, p->sy,
			      p->in_w + p->pad_l + pr, p->in_h + p->pad_t + pb);
	return 0;
}

int sim_ppu_setup(struct sim_task *t, const struct sim_dpu *d, struct sim_ppu *p)
{
	uint32_t mode = REG(t, PPU_OPERATION_MODE_CFG);
	uint32_t fmt = REG(t, PPU_DATA_FORMAT);
	uint32_t misc = REG(t, PPU_MISC_CTRL);
	uint32_t pv = rk3588_get_PPU_PADDING_VALUE_1_CFG_VALUE(REG(t, PPU_PADDING_VALUE_1_CFG));
	unsigned int c2;
	int rc;

	if (rk3588_get_PPU_OPERATION_MODE_CFG_INDEX_EN(mode))
		return REFUSE(t, "PPU.OPERATION_MODE_CFG = 0x%08x: INDEX_EN not modelled", mode);
	p->method = rk3588_get_PPU_OPERATION_MODE_CFG_POOLING_METHOD(mode);
	if (p->method > SIM_POOL_MIN)
		return REFUSE(t, "PPU.OPERATION_MODE_CFG = 0x%08x: pooling method %u is reserved",
			      mode, p->method);
	p->flying = rk3588_get_PPU_OPERATION_MODE_CFG_FLYING_MODE(mode);
	_Static_assert(SIM_ASSUME_PPU_FLYIN_IGNORED, "FLYING_MODE alone selects the input");
	p->prec = rk3588_get_PPU_DATA_FORMAT_PROC_PRECISION(fmt);
	_Static_assert(SIM_ASSUME_PPU_NO_32BIT, "the PPU pools 8- and 16-bit data");
	if (p->prec != SIM_DPU_PREC_INT8 && p->prec != SIM_DPU_PREC_INT16 &&
	    p->prec != SIM_DPU_PREC_FP16)
		return REFUSE(t, "PPU.DATA_FORMAT = 0x%08x: precision %u not modelled", fmt,
			      p->prec);
	if (rk3588_get_PPU_MISC_CTRL_MC_SURF_OUT(misc) || rk3588_get_PPU_MISC_CTRL_NONALIGN(misc))
		return REFUSE(t, "PPU.MISC_CTRL = 0x%08x: MC_SURF_OUT/NONALIGN not modelled", misc);
	p->eb = sim_prec_bytes(p->prec);
	p->is_float = sim_prec_is_float(p->prec);
	rc = check_geometry(t, p);
	if (rc)
		return rc;
	_Static_assert(SIM_ASSUME_PPU_WHOLE_ATOMS, "padding channels are pooled too");
	c2 = SIM_ATOM_BYTES / p->eb;
	p->c_al = (p->c + c2 - 1) / c2 * c2;
	p->recip_w = rk3588_get_PPU_RECIP_KERNEL_WIDTH_VALUE(REG(t, PPU_RECIP_KERNEL_WIDTH));
	p->recip_h = rk3588_get_PPU_RECIP_KERNEL_HEIGHT_VALUE(REG(t, PPU_RECIP_KERNEL_HEIGHT));
	_Static_assert(SIM_ASSUME_PPU_PAD_VALUE, "PADDING_VALUE_1 is the padded cells' value");
	p->pad_i = (int32_t)pv;
	p->pad_f = sim_half_to_float((uint16_t)(pv & 0xffffu));
	_Static_assert(SIM_ASSUME_PPU_OUT_PITCH, "line pitch OUT_W + NOTCH_ADDR");
	p->dst = sim_dma_addr(t, (uint64_t)rk3588_get_PPU_DST_BASE_ADDR_VALUE(
					 REG(t, PPU_DST_BASE_ADDR))
					 << PPU_DST_BASE_ADDR_VALUE__SHIFT);
	p->surf_stride = rk3588_get_PPU_DST_SURF_STRIDE_VALUE(REG(t, PPU_DST_SURF_STRIDE));
	p->notch = rk3588_get_PPU_OPERATION_MODE_CFG_NOTCH_ADDR(mode);
	if (p->flying) {
		if (d && d->to_ppu)
			return REFUSE(t,
				      "PPU.OPERATION_MODE_CFG = 0x%08x: flying mode, but the DPU "
				      "also sends its output to the PPU",
				      mode);
		return check_rdma(t, p);
	}
	return check_dpu_feed(t, d, p);
}

/* The DPU's output bits back into values. */
static int take_dpu(struct sim_task *t, const struct sim_dpu *d, struct sim_ppu *p)
{
	size_t n = (size_t)d->w * d->h * d->c_al;

	if (sim_cube_alloc(t, &p->in, d->w, d->h, d->c_al, p->is_float, "PPU input"))
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint32_t b = d->obits[i];

		if (p->is_float)
			p->in.f[i] = sim_half_to_float((uint16_t)b);
		else if (p->eb == 1)
			p->in.i[i] = (int8_t)b;
		else
			p->in.i[i] = (int16_t)b;
	}
	return 0;
}

/* sum x recip_w x recip_h, exactly, rounded half up. */
static int64_t avg_int(const struct sim_ppu *p, int64_t sum)
{
	int64_t mw, mh, prod;
	int ew, eh, e;

	fp17_split(p->recip_w, &mw, &ew);
	fp17_split(p->recip_h, &mh, &eh);
	/* |sum| < 2^24 (16x16 window of int16), mantissas < 2^11: < 2^46. */
	prod = sum * mw * mh;
	e = ew + eh;
	if (e >= 0) {
		if (prod != 0 && (e >= 62 || (prod < 0 ? -prod : prod) > (INT64_MAX >> e)))
			return prod < 0 ? INT64_MIN : INT64_MAX;
		return prod * ((int64_t)1 << e);
	}
	_Static_assert(SIM_ASSUME_PPU_AVG_INT_HALF_UP, "integer averages round half up");
	return sim_shift_round(prod, (unsigned int)-e, true);
}

static int64_t pool_int(const struct sim_ppu *p, unsigned int oy, unsigned int ox,
			unsigned int k)
{
	int64_t acc = 0;
	bool first = true;

	for (unsigned int ky = 0; ky < p->kh; ky++)
		for (unsigned int kx = 0; kx < p->kw; kx++) {
			int64_t y = (int64_t)oy * p->sy + ky - p->pad_t;
			int64_t x = (int64_t)ox * p->sx + kx - p->pad_l;
			int64_t v = p->pad_i;

			if (y >= 0 && x >= 0 && y < p->in_h && x < p->in_w)
				v = p->in.i[((size_t)y * p->in_w + (size_t)x) * p->c_al + k];
			if (p->method == SIM_POOL_AVG)
				acc += v;
			else if (first || (p->method == SIM_POOL_MAX ? v > acc : v < acc))
				acc = v;
			first = false;
		}
	if (p->method == SIM_POOL_AVG)
		acc = avg_int(p, acc);
	if (p->eb == 1)
		return sim_saturate(acc, INT8_MIN, INT8_MAX);
	return sim_saturate(acc, INT16_MIN, INT16_MAX);
}

static float pool_float(const struct sim_ppu *p, unsigned int oy, unsigned int ox,
			unsigned int k)
{
	float acc = 0.0f;
	bool first = true;

	for (unsigned int ky = 0; ky < p->kh; ky++)
		for (unsigned int kx = 0; kx < p->kw; kx++) {
			int64_t y = (int64_t)oy * p->sy + ky - p->pad_t;
			int64_t x = (int64_t)ox * p->sx + kx - p->pad_l;
			float v = p->pad_f;

			if (y >= 0 && x >= 0 && y < p->in_h && x < p->in_w)
				v = p->in.f[((size_t)y * p->in_w + (size_t)x) * p->c_al + k];
			if (p->method == SIM_POOL_AVG)
				acc += v;
			else if (first || (p->method == SIM_POOL_MAX ? v > acc : v < acc))
				acc = v;
			first = false;
		}
	_Static_assert(SIM_ASSUME_PPU_AVG_FP_ORDER, "sum, times recip_w, times recip_h");
	if (p->method == SIM_POOL_AVG) {
		acc *= fp17_float(p->recip_w);
		acc *= fp17_float(p->recip_h);
	}
	return acc;
}

static uint32_t out_bits(const struct sim_ppu *p, unsigned int oy, unsigned int ox,
			 unsigned int k)
{
	if (p->is_float)
		return sim_float_to_half(pool_float(p, oy, ox, k));
	return (uint32_t)pool_int(p, oy, ox, k);
}

int sim_ppu_run(struct sim_task *t, const struct sim_dpu *d, struct sim_ppu *p)
{
	unsigned int c2 = SIM_ATOM_BYTES / p->eb;
	size_t line_bytes = (size_t)p->out_w * SIM_ATOM_BYTES;
	uint8_t *line;
	int rc;

	_Static_assert(SIM_ASSUME_PPU_RECIP_FP17, "reciprocals are fp17");
	if (p->flying)
		rc = sim_cube_read(t, &p->src, &p->in, "PPU_RDMA input");
	else
		rc = take_dpu(t, d, p);
	if (rc || sim_task_aborted(t))
		return rc;
	line = sim_task_alloc(t, line_bytes, 1, "PPU output line");
	if (!line)
		return -1;
	for (unsigned int c1 = 0; c1 < p->c_al / c2 && !rc; c1++) {
		if (sim_task_aborted(t))
			break;
		for (unsigned int oy = 0; oy < p->out_h && !rc; oy++) {
			uint64_t atom = (uint64_t)c1 * p->surf_stride +
					(uint64_t)oy * (p->out_w + p->notch);

			for (unsigned int ox = 0; ox < p->out_w; ox++)
				for (unsigned int k = 0; k < c2; k++) {
					uint32_t v = out_bits(p, oy, ox, c1 * c2 + k);
					uint8_t *q = line + (size_t)ox * SIM_ATOM_BYTES + k * p->eb;

					for (unsigned int b = 0; b < p->eb; b++)
						q[b] = (uint8_t)(v >> (8 * b));
				}
			rc = sim_dma_write(t, p->dst + atom * SIM_ATOM_BYTES, line, line_bytes,
					   "PPU output");
		}
	}
	t->ppu_elems += (uint64_t)p->out_w * p->out_h * p->c_al * p->kw * p->kh;
	sim_task_free(t, line, line_bytes, 1);
	return rc;
}

void sim_ppu_release(struct sim_task *t, struct sim_ppu *p)
{
	sim_cube_free(t, &p->in);
}
