// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Activations y = f(x) through the DPU's lookup table in flying mode
 * (DPU + DPU_RDMA): MRDMA reads x, the EW stage skips its operation and
 * applies the LUT, OUT_CVT drops the table's guard bits with rounding.
 * Each task loads both tables first (one LUT_ACCESS_CFG and 513
 * LUT_ACCESS_DATA words each, as the RK3588 programs do), so any task can
 * run on any core. The data is a cube of one atom per pixel, as for
 * eltwise; see docs/ops.md and docs/hw-lut.md.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_internal.h"
#include "rk3588_regs.h"
#include "rnpu_internal.h"

#define PREC_INT8 0u
#define PREC_INT16 1u
#define LUT_ENTRIES 513u
#define LUT_LE 0u
#define LUT_LO 1u
#define FRAC_MAX 15u
/* int16 data: LE covers [-32768, 0], LO [0, 32768], 2^6 per entry. */
#define INT16_STEP_LOG2 6u
#define INT16_HALF 32768
/* int8 data: LE holds every value from -128 exactly (step 1). */
#define INT8_START (-128)

struct act_plan {
	struct rnpu_activation_params p;
	unsigned int c2;
	uint32_t width, rows, band;
	unsigned int guard;                 /* table = y * 2^guard */
	int16_t table[2][LUT_ENTRIES];
	uint64_t in_dma, out_dma;
};

static double act_value(enum rnpu_activation_kind k, double v)
{
	switch (k) {
	case RNPU_ACT_SIGMOID:
		return 1.0 / (1.0 + exp(-v));
	case RNPU_ACT_TANH:
		return tanh(v);
	default:
		return v / (1.0 + exp(-v));
	}
}

static int16_t entry(double v)
{
	double r = nearbyint(v);

	return (int16_t)(r > INT16_MAX ? INT16_MAX : r < INT16_MIN ? INT16_MIN : r);
}

/* The input value entry @i of table @id stands for. */
static int64_t sample_x(const struct act_plan *pl, unsigned int id, unsigned int i)
{
	if (pl->p.dtype == RNPU_DT_INT8)
		return id == LUT_LE ? INT8_START + (int64_t)i : 0;
	return (id == LUT_LE ? -INT16_HALF : 0) + ((int64_t)i << INT16_STEP_LOG2);
}

/* Guard bits: as many as keep the largest sampled |y| within int16. */
static void make_tables(struct act_plan *pl)
{
	double in_unit = ldexp(1.0, -(int)pl->p.in_frac);
	double out_unit = ldexp(1.0, (int)pl->p.out_frac);
	double peak = 0.0;

	for (unsigned int id = 0; id < 2; id++)
		for (unsigned int i = 0; i < LUT_ENTRIES; i++) {
			double y = fabs(act_value(pl->p.kind, (double)sample_x(pl, id, i) * in_unit));

			peak = y > peak ? y : peak;
		}
	pl->guard = 0;
	while (pl->guard < FRAC_MAX && peak * out_unit * ldexp(1.0, (int)pl->guard + 1) <= INT16_MAX)
		pl->guard++;
	for (unsigned int id = 0; id < 2; id++)
		for (unsigned int i = 0; i < LUT_ENTRIES; i++)
			pl->table[id][i] =
				entry(act_value(pl->p.kind, (double)sample_x(pl, id, i) * in_unit) *
				      out_unit * ldexp(1.0, (int)pl->guard));
}

static void emit_tables(struct rnpu_regcmd_prog *p, const struct act_plan *pl)
{
	uint32_t v = 0;

	for (unsigned int id = 0; id < 2; id++) {
		SET(DPU, LUT_ACCESS_CFG, LUT_ACCESS_TYPE, 1);
		SET(DPU, LUT_ACCESS_CFG, LUT_TABLE_ID, id);
		PUT(DPU, LUT_ACCESS_CFG);
		for (unsigned int i = 0; i < LUT_ENTRIES; i++)
			rnpu_regcmd_emit(p, RK3588_TARGET_DPU, REG_DPU_LUT_ACCESS_DATA,
					 (uint16_t)pl->table[id][i]);
	}
}

static void emit_lut_config(struct rnpu_regcmd_prog *p, const struct act_plan *pl)
{
	bool i8 = pl->p.dtype == RNPU_DT_INT8;
	uint32_t v = 0;

	/* int16: LO answers on overflow and where both tables could; values
	 * at or below -32768 take LE's first entry, 0 LO's first. int8: LO
	 * starts beyond every value, so LE answers alone. */
	SET(DPU, LUT_CFG, HYBRID_PRIORITY, !i8);
	SET(DPU, LUT_CFG, OFLOW_PRIORITY, !i8);
	PUT(DPU, LUT_CFG);
	SET(DPU, LUT_INFO, LO_INDEX_SELECT, i8 ? 0 : INT16_STEP_LOG2);
	SET(DPU, LUT_INFO, LE_INDEX_SELECT, i8 ? 0 : INT16_STEP_LOG2);
	PUT(DPU, LUT_INFO);
	SET(DPU, LUT_LE_START, VALUE, (uint32_t)(i8 ? INT8_START : -INT16_HALF));
	PUT(DPU, LUT_LE_START);
	ZERO(DPU, LUT_LE_END);
	SET(DPU, LUT_LO_START, VALUE, i8 ? (uint32_t)INT32_MAX : 0u);
	PUT(DPU, LUT_LO_START);
	SET(DPU, LUT_LO_END, VALUE, i8 ? (uint32_t)INT32_MAX : (uint32_t)INT16_HALF);
	PUT(DPU, LUT_LO_END);
	/* No value leaves the tables' range: no slopes. */
	ZERO(DPU, LUT_LE_SLOPE_SCALE);
	ZERO(DPU, LUT_LE_SLOPE_SHIFT);
	ZERO(DPU, LUT_LO_SLOPE_SCALE);
	ZERO(DPU, LUT_LO_SLOPE_SHIFT);
}

static void emit_task(struct rnpu_regcmd_prog *p, const struct act_plan *pl, uint32_t r0,
		      uint32_t rows)
{
	uint32_t prec = pl->p.dtype == RNPU_DT_INT8 ? PREC_INT8 : PREC_INT16;
	uint64_t off = (uint64_t)r0 * pl->width * OPS_ATOM_BYTES;
	uint64_t plane = (uint64_t)pl->width * rows;
	uint32_t v = 0;

	rnpu_regcmd_task_begin(p);
	emit_tables(p, pl);
	ops_emit_dpu_flying_head(p, pl->out_dma + off, plane, pl->width, rows, pl->c2, prec);
	/* EW: no operation, the LUT, no ReLU. */
	SET(DPU, EW_CFG, EW_RELU_BYPASS, 1);
	SET(DPU, EW_CFG, EW_OP_CVT_BYPASS, 1);
	SET(DPU, EW_CFG, EW_LUT_BYPASS, 0);
	SET(DPU, EW_CFG, EW_OP_BYPASS, 1);
	PUT(DPU, EW_CFG);
	ZERO(DPU, EW_CVT_OFFSET_VALUE);
	ZERO(DPU, EW_CVT_SCALE_VALUE);
	ZERO(DPU, EW_RELUX_CMP_VALUE);
	ZERO(DPU, EW_OP_VALUE_0);
	emit_lut_config(p, pl);
	ZERO(DPU, OUT_CVT_OFFSET);
	SET(DPU, OUT_CVT_SCALE, OUT_CVT_SCALE, 1);
	PUT(DPU, OUT_CVT_SCALE);
	SET(DPU, OUT_CVT_SHIFT, OUT_CVT_SHIFT, pl->guard);
	PUT(DPU, OUT_CVT_SHIFT);
	SET(DPU, SURFACE_ADD, SURF_ADD, plane);
	PUT(DPU, SURFACE_ADD);

	ops_emit_rdma_flying_input(p, pl->in_dma + off, pl->width, rows, pl->c2);
	SET(DPU_RDMA, RDMA_ERDMA_CFG, ERDMA_DISABLE, 1);
	PUT(DPU_RDMA, RDMA_ERDMA_CFG);
	ZERO(DPU_RDMA, RDMA_EW_BASE_ADDR);
	ops_emit_rdma_flying_mode(p, prec, false);
	rnpu_regcmd_task_end(p, RK3588_OP_EN_DPU | RK3588_OP_EN_DPU_RDMA,
			     RK3588_INT_DPU_GRP0 | RK3588_INT_DPU_GRP1);
}

static void emit_band(struct rnpu_regcmd_prog *p, const void *plan, uint32_t first,
		      uint32_t rows)
{
	emit_task(p, plan, first, rows);
}

static int build(struct rnpu_regcmd_prog *p, const struct act_plan *pl, uint64_t regcmd_dma,
		 char *err, size_t len)
{
	return ops_build_bands(p, pl->rows, pl->band, emit_band, pl, regcmd_dma, err, len);
}

static int check(const struct rnpu_activation_params *a, char *err, size_t len)
{
	if (a->dtype != RNPU_DT_INT8 && a->dtype != RNPU_DT_INT16)
		return ops_refuse(err, len, -EINVAL, "dtype %d: only int8 (0) and int16 (1)",
				  (int)a->dtype);
	if ((unsigned int)a->kind > RNPU_ACT_SILU)
		return ops_refuse(err, len, -EINVAL, "kind %d: unknown activation", (int)a->kind);
	if (!a->count)
		return ops_refuse(err, len, -EINVAL, "count 0: nothing to compute");
	if (a->in_frac > FRAC_MAX || a->out_frac > FRAC_MAX)
		return ops_refuse(err, len, -EINVAL, "in_frac %u / out_frac %u: at most %u",
				  a->in_frac, a->out_frac, FRAC_MAX);
	return 0;
}

static int rebuild(struct rnpu_op *op, struct rnpu_regcmd_prog *prog, uint64_t regcmd_dma,
		   char *err, size_t len)
{
	struct act_plan *pl = op->plan;

	pl->in_dma = rnpu_bo_dma_addr(op->in[0]);
	pl->out_dma = rnpu_bo_dma_addr(op->out);
	return build(prog, pl, regcmd_dma, err, len);
}

int rnpu_activation_create(struct rnpu_dev *dev, const struct rnpu_activation_params *params,
			   struct rnpu_op **out)
{
	const uint32_t max_w = (DPU_DATA_CUBE_WIDTH_VALUE__MASK >> DPU_DATA_CUBE_WIDTH_VALUE__SHIFT) + 1;
	const uint32_t max_h =
		(DPU_DATA_CUBE_HEIGHT_HEIGHT__MASK >> DPU_DATA_CUBE_HEIGHT_HEIGHT__SHIFT) + 1;
	char err[RNPU_REGCMD_MSG_LEN + 64] = "";
	struct rnpu_regcmd_prog prog;
	struct rnpu_op *op;
	struct act_plan *pl;
	uint64_t pixels;
	size_t bytes, nwords;
	int ret;

	if (!dev || !params || !out)
		return dev ? rnpu_set_error(dev, -EINVAL, "activation: NULL parameters or result")
			   : -EINVAL;
	op = calloc(1, sizeof(*op));
	pl = calloc(1, sizeof(*pl));
	if (!op || !pl) {
		free(op);
		free(pl);
		return -ENOMEM;
	}
	op->dev = dev;
	op->kind = OPS_ELTWISE; /* data as it lies, like eltwise */
	op->name = "activation";
	pl->p = *params;
	ret = check(&pl->p, err, sizeof(err));
	if (ret)
		goto fail;
	pl->c2 = rnpu_dtype_c2(pl->p.dtype);
	pixels = (pl->p.count + pl->c2 - 1) / pl->c2;
	pl->width = pixels < max_w ? (uint32_t)pixels : max_w;
	if (pl->p.count > UINT32_MAX) {
		ret = ops_refuse(err, sizeof(err), -ERANGE, "count %llu exceeds 2^32 elements",
				 (unsigned long long)pl->p.count);
		goto fail;
	}
	pl->rows = (uint32_t)((pixels + pl->width - 1) / pl->width);
	pl->band = ops_min(max_h, pl->p.max_rows_per_task ? pl->p.max_rows_per_task : max_h);
	bytes = (size_t)pl->rows * pl->width * OPS_ATOM_BYTES;
	make_tables(pl);

	op->in_dt = op->out_dt = pl->p.dtype;
	op->in_h = op->out_h = (uint32_t)pl->p.count;
	op->in_w = op->in_c = op->out_w = op->out_c = 1;
	op->num_inputs = 1;

	ret = build(&prog, pl, 0, err, sizeof(err));
	if (ret)
		goto fail;
	nwords = prog.nwords;
	rnpu_regcmd_fini(&prog);
	op->in_bytes[0] = op->out_bytes = bytes;
	ret = ops_bo_alloc(op, bytes, &op->in[0], &op->in_map[0]);
	if (!ret)
		ret = ops_bo_alloc(op, bytes, &op->out, &op->out_map);
	if (!ret)
		ret = ops_alloc_regcmd(op, nwords);
	if (ret)
		goto fail;
	ret = ops_program(op, pl, sizeof(*pl), rebuild, err, sizeof(err));
	if (ret)
		goto fail;
	free(pl);
	*out = op;
	return 0;
fail:
	free(pl);
	ret = ops_fail(op, ret, err);
	rnpu_op_destroy(op);
	return ret;
}
