// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * DPU_RDMA: the DPU's read engines. MRDMA brings the main input in flying
 * mode, ERDMA the per-pixel EW operand, BRDMA/NRDMA the per-channel BS/BN
 * operands. Setup checks that the engines the DPU configuration needs are
 * enabled and agree with it; fetch reads exactly that.
 */
#include <string.h>

#include "sim_internal.h"

#define REG(t, name) sim_task_reg((t), REG_##name)
/* Misprogramming or an unmodelled feature: the task ends with an error. */
#define REFUSE(t, ...) sim_task_fail((t), SIM_ASSUME_ERR_CONFIG_BIT, __VA_ARGS__)

static unsigned int popcount4(unsigned int v)
{
	return (v & 1u) + ((v >> 1) & 1u) + ((v >> 2) & 1u) + ((v >> 3) & 1u);
}

static const char *first_user(const struct sim_dpu *d, bool m, bool e, bool b)
{
	if (m)
		return "DPU.FEATURE_MODE_CFG (flying mode)";
	if (e)
		return "DPU.EW_CFG (memory operand)";
	return b ? "DPU.BS_CFG (memory operand)" : "DPU.BN_CFG (memory operand)";
}

/* Pitches of one reader: line W + line notch, surface lines x H + surface
 * notch, all in atoms. */
static void set_src(struct sim_cube_src *s, uint64_t base, const struct sim_dpu *d,
		    uint64_t line_notch, uint64_t surf_notch, unsigned int eb, bool is_float)
{
	_Static_assert(SIM_ASSUME_RDMA_NOTCH_PITCH, "RDMA pitches come from the notches");
	s->base = base;
	s->w = d->w;
	s->h = d->h;
	s->c = d->c;
	s->line = d->w + line_notch;
	s->surf = s->line * d->h + surf_notch;
	s->eb = eb;
	s->is_float = is_float;
}

static int setup_mrdma(struct sim_task *t, struct sim_dpu *d, uint32_t fm)
{
	unsigned int in = rk3588_get_DPU_RDMA_RDMA_FEATURE_MODE_CFG_IN_PRECISION(fm);
	uint32_t dma = REG(t, DPU_RDMA_RDMA_SRC_DMA_CFG);
	uint64_t base = rk3588_get_DPU_RDMA_RDMA_SRC_BASE_ADDR_VALUE(
		REG(t, DPU_RDMA_RDMA_SRC_BASE_ADDR));

	if (rk3588_get_DPU_RDMA_RDMA_FEATURE_MODE_CFG_MRDMA_DISABLE(fm))
		return REFUSE(t,
			      "DPU_RDMA.RDMA_FEATURE_MODE_CFG = 0x%08x: MRDMA disabled in flying "
			      "mode",
			      fm);
	if (in != d->in_prec)
		return REFUSE(t,
			      "DPU_RDMA.RDMA_FEATURE_MODE_CFG = 0x%08x: input precision %u, "
			      "DPU.DATA_FORMAT says %u",
			      fm, in, d->in_prec);
	d->rdma.widen = rk3588_get_DPU_RDMA_RDMA_FEATURE_MODE_CFG_MRDMA_FP16TOFP32_EN(fm);
	if (d->rdma.widen && in != SIM_DPU_PREC_FP16)
		return REFUSE(t,
			      "DPU_RDMA.RDMA_FEATURE_MODE_CFG = 0x%08x: MRDMA_FP16TOFP32_EN on "
			      "non-fp16 input",
			      fm);
	set_src(&d->rdma.mrdma, sim_dma_addr(t, base), d,
		rk3588_get_DPU_RDMA_RDMA_SRC_DMA_CFG_LINE_NOTCH_ADDR(dma),
		rk3588_get_DPU_RDMA_RDMA_SURF_NOTCH_SURF_NOTCH_ADDR(
			REG(t, DPU_RDMA_RDMA_SURF_NOTCH)),
		sim_prec_bytes(in), d->is_float);
	return 0;
}

static int setup_erdma(struct sim_task *t, struct sim_dpu *d)
{
	uint32_t cfg = REG(t, DPU_RDMA_RDMA_ERDMA_CFG);
	unsigned int size = rk3588_get_DPU_RDMA_RDMA_ERDMA_CFG_DATA_SIZE(cfg);
	uint64_t base =
		rk3588_get_DPU_RDMA_RDMA_EW_BASE_ADDR_VALUE(REG(t, DPU_RDMA_RDMA_EW_BASE_ADDR));

	if (rk3588_get_DPU_RDMA_RDMA_ERDMA_CFG_ERDMA_DISABLE(cfg))
		return REFUSE(t,
			      "DPU_RDMA.RDMA_ERDMA_CFG = 0x%08x: ERDMA disabled, but DPU.EW_CFG "
			      "reads its operand from memory",
			      cfg);
	if (rk3588_get_DPU_RDMA_RDMA_ERDMA_CFG_ERDMA_DATA_MODE(cfg) != 1 ||
	    rk3588_get_DPU_RDMA_RDMA_ERDMA_CFG_SURF_MODE(cfg) ||
	    rk3588_get_DPU_RDMA_RDMA_ERDMA_CFG_NONALIGN(cfg))
		return REFUSE(t,
			      "DPU_RDMA.RDMA_ERDMA_CFG = 0x%08x: only per-pixel, aligned, "
			      "single-surface-series operands are modelled",
			      cfg);
	if (size == 0 || (1u << (size - 1)) != d->ew.esize)
		return REFUSE(t,
			      "DPU_RDMA.RDMA_ERDMA_CFG = 0x%08x: DATA_SIZE %u disagrees with "
			      "DPU.EW_CFG.EDATA_SIZE",
			      cfg, size);
	set_src(&d->rdma.erdma, sim_dma_addr(t, base), d,
		rk3588_get_DPU_RDMA_RDMA_DATA_CUBE_HEIGHT_EW_LINE_NOTCH_ADDR(
			REG(t, DPU_RDMA_RDMA_DATA_CUBE_HEIGHT)),
		rk3588_get_DPU_RDMA_RDMA_EW_SURF_NOTCH_EW_SURF_NOTCH(
			REG(t, DPU_RDMA_RDMA_EW_SURF_NOTCH)),
		d->ew.esize, d->is_float);
	d->rdma.erdma_on = true;
	return 0;
}

/* The record layout is the register's DATA_USE; the stage's needs must be
 * a subset of it. */
static int setup_operands(struct sim_task *t, struct sim_dpu_stage *s, uint32_t use,
			  uint64_t addr, const char *reg)
{
	unsigned int need = s->use;

	if (!need)
		return 0;
	if ((use & need) != need)
		return REFUSE(t,
			      "%s: DATA_USE 0x%x lacks operands the %s stage reads from memory "
			      "(0x%x)",
			      reg, use, s->name, need);
	s->use = use;
	s->op_addr = sim_dma_addr(t, addr);
	return 0;
}

int sim_rdma_setup(struct sim_task *t, struct sim_dpu *d)
{
	bool need_m = d->flying;
	bool need_e = d->ew.on && d->ew.op_on && d->ew.op_mem;
	bool need_b = d->bs.on && d->bs.use;
	bool need_n = d->bn.on && d->bn.use;
	uint32_t fm = REG(t, DPU_RDMA_RDMA_FEATURE_MODE_CFG);
	int rc = 0;

	d->rdma.enabled = (t->op_en & RK3588_OP_EN_DPU_RDMA) != 0;
	if (!need_m && !need_e && !need_b && !need_n)
		return 0;
	_Static_assert(SIM_ASSUME_MEM_OPERAND_NEEDS_RDMA, "memory operands need DPU_RDMA");
	if (!d->rdma.enabled)
		return REFUSE(t,
			      "op-enable 0x%02x: %s reads through DPU_RDMA, which is not "
			      "enabled",
			      t->op_en, first_user(d, need_m, need_e, need_b));
	if (rk3588_get_DPU_RDMA_RDMA_FEATURE_MODE_CFG_FLYING_MODE(fm) != d->flying ||
	    rk3588_get_DPU_RDMA_RDMA_FEATURE_MODE_CFG_CONV_MODE(fm) !=
		    (d->dw ? SIM_CONV_MODE_DEPTHWISE : SIM_CONV_MODE_DIRECT))
		return REFUSE(t,
			      "DPU_RDMA.RDMA_FEATURE_MODE_CFG = 0x%08x: flying/conv mode "
			      "disagrees with DPU.FEATURE_MODE_CFG",
			      fm);
	if (rk3588_get_DPU_RDMA_RDMA_FEATURE_MODE_CFG_COMB_USE(fm) ||
	    rk3588_get_DPU_RDMA_RDMA_SRC_DMA_CFG_UNPOOLING_EN(REG(t, DPU_RDMA_RDMA_SRC_DMA_CFG)))
		return REFUSE(t,
			      "DPU_RDMA.RDMA_FEATURE_MODE_CFG/RDMA_SRC_DMA_CFG: combined reads "
			      "and unpooling not modelled");
	if (need_m || need_e) {
		unsigned int w = rk3588_get_DPU_RDMA_RDMA_DATA_CUBE_WIDTH_VALUE(
					 REG(t, DPU_RDMA_RDMA_DATA_CUBE_WIDTH)) + 1;
		unsigned int h = rk3588_get_DPU_RDMA_RDMA_DATA_CUBE_HEIGHT_HEIGHT(
					 REG(t, DPU_RDMA_RDMA_DATA_CUBE_HEIGHT)) + 1;
		unsigned int c = rk3588_get_DPU_RDMA_RDMA_DATA_CUBE_CHANNEL_VALUE(
					 REG(t, DPU_RDMA_RDMA_DATA_CUBE_CHANNEL)) + 1;

		if (w != d->w || h != d->h || c != d->c)
			return REFUSE(t,
				      "DPU_RDMA.RDMA_DATA_CUBE_*: %ux%ux%u, the DPU cube is "
				      "%ux%ux%u",
				      w, h, c, d->w, d->h, d->c);
	}
	if (need_m)
		rc = setup_mrdma(t, d, fm);
	if (!rc && need_e)
		rc = setup_erdma(t, d);
	if (!rc && need_b)
		rc = setup_operands(
			t, &d->bs,
			rk3588_get_DPU_RDMA_RDMA_BRDMA_CFG_BRDMA_DATA_USE(
				REG(t, DPU_RDMA_RDMA_BRDMA_CFG)),
			rk3588_get_DPU_RDMA_RDMA_BS_BASE_ADDR_VALUE(REG(t, DPU_RDMA_RDMA_BS_BASE_ADDR)),
			"DPU_RDMA.RDMA_BRDMA_CFG");
	if (!rc && need_n) {
		uint32_t use = rk3588_get_DPU_RDMA_RDMA_NRDMA_CFG_NRDMA_DATA_USE(
			REG(t, DPU_RDMA_RDMA_NRDMA_CFG));

		if (use & SIM_USE_CPEND)
			return REFUSE(t, "DPU_RDMA.RDMA_NRDMA_CFG: BN has no CPEND operand");
		rc = setup_operands(
			t, &d->bn, use,
			rk3588_get_DPU_RDMA_RDMA_BN_BASE_ADDR_VALUE(REG(t, DPU_RDMA_RDMA_BN_BASE_ADDR)),
			"DPU_RDMA.RDMA_NRDMA_CFG");
	}
	return rc;
}

/* One record per channel: a 32-bit slot for each DATA_USE bit, in bit
 * order (ALU, CPEND, MUL, TRT). */
static int fetch_operands(struct sim_task *t, struct sim_dpu_stage *s, unsigned int c,
			  const char *what)
{
	uint32_t **dst[4] = { &s->op_alu, &s->op_cpend, &s->op_mul, &s->op_trt };
	unsigned int slots = popcount4(s->use);
	size_t bytes = (size_t)c * slots * 4;
	uint8_t *raw;
	int rc;

	_Static_assert(SIM_ASSUME_RDMA_OPERAND_SLOTS, "32-bit slots in DATA_USE bit order");
	if (!s->on || !s->use)
		return 0;
	raw = sim_task_alloc(t, bytes, 1, what);
	if (!raw)
		return -1;
	rc = sim_dma_read(t, s->op_addr, raw, bytes, what);
	for (unsigned int b = 0, slot = 0; b < 4 && !rc; b++) {
		if (!(s->use & (1u << b)))
			continue;
		*dst[b] = sim_task_alloc(t, c, sizeof(uint32_t), what);
		if (!*dst[b]) {
			rc = -1;
			break;
		}
		for (unsigned int k = 0; k < c; k++) {
			const uint8_t *p = raw + ((size_t)k * slots + slot) * 4;

			(*dst[b])[k] = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
				       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		}
		slot++;
	}
	sim_task_free(t, raw, bytes, 1);
	return rc;
}

int sim_rdma_fetch(struct sim_task *t, struct sim_dpu *d)
{
	int rc = 0;

	if (d->flying)
		rc = sim_cube_read(t, &d->rdma.mrdma, &d->main, "MRDMA main input");
	if (!rc && d->rdma.erdma_on)
		rc = sim_cube_read(t, &d->rdma.erdma, &d->eop, "ERDMA operand");
	if (!rc)
		rc = fetch_operands(t, &d->bs, d->c, "BRDMA operands");
	if (!rc)
		rc = fetch_operands(t, &d->bn, d->c, "NRDMA operands");
	return rc;
}

static void free_operands(struct sim_task *t, struct sim_dpu_stage *s, unsigned int c)
{
	uint32_t **p[4] = { &s->op_alu, &s->op_cpend, &s->op_mul, &s->op_trt };

	for (unsigned int i = 0; i < 4; i++) {
		sim_task_free(t, *p[i], c, sizeof(uint32_t));
		*p[i] = NULL;
	}
}

void sim_rdma_release(struct sim_task *t, struct sim_dpu *d)
{
	free_operands(t, &d->bs, d->c);
	free_operands(t, &d->bn, d->c);
}
