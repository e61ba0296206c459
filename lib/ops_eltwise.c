// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Elementwise a op b on the DPU in flying mode (DPU + DPU_RDMA): MRDMA
 * reads a, ERDMA reads b per pixel, the EW stage combines them, OUT_CVT
 * requantises. The data is treated as a cube of one atom per pixel (C2
 * channels), W pixels wide: such a cube's native layout is the plain
 * element order, so any tensor works without conversion. Rows beyond the
 * 13-bit cube height are split into tasks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_internal.h"
#include "rk3588_regs.h"
#include "rnpu_internal.h"

#define PREC_INT8 0u
#define PREC_FP16 2u
#define ERDMA_PER_PIXEL 1u
/* EW ALU algorithms. */
#define ALU_MAX 0u
#define ALU_MIN 1u
#define ALU_ADD 2u
#define ALU_MINUS 4u
#define OUT_SHIFT_MAX 31u

struct ew_plan {
	struct rnpu_eltwise_params p;
	unsigned int eb, c2;
	uint32_t width, rows, band;
	uint64_t a_dma, b_dma, out_dma;
};

static uint32_t field_limit(uint32_t mask, unsigned int shift)
{
	return (mask >> shift) + 1;
}

static void emit_task(struct rnpu_regcmd_prog *p, const struct ew_plan *pl, uint32_t r0,
		      uint32_t rows)
{
	const struct rnpu_eltwise_params *e = &pl->p;
	bool fp = e->dtype == RNPU_DT_FP16;
	uint32_t prec = fp ? PREC_FP16 : PREC_INT8;
	uint64_t off = (uint64_t)r0 * pl->width * OPS_ATOM_BYTES;
	uint64_t plane = (uint64_t)pl->width * rows;
	uint32_t esize_code = pl->eb == 1 ? 1 : 2;
	bool mul = e->kind == RNPU_ELTWISE_MUL;
	uint32_t algo = e->kind == RNPU_ELTWISE_ADD   ? ALU_ADD
			: e->kind == RNPU_ELTWISE_SUB ? ALU_MINUS
			: e->kind == RNPU_ELTWISE_MAX ? ALU_MAX
			: e->kind == RNPU_ELTWISE_MIN ? ALU_MIN
						      : 0;
	uint32_t v = 0;

	rnpu_regcmd_task_begin(p);
	ops_emit_dpu_flying_head(p, pl->out_dma + off, plane, pl->width, rows, pl->c2, prec);
	/* EW: the operand per pixel from ERDMA, no operand converter. */
	SET(DPU, EW_CFG, EW_DATA_MODE, ERDMA_PER_PIXEL);
	SET(DPU, EW_CFG, EDATA_SIZE, esize_code);
	/* RKNN sets EQUAL_EN for max/min; kept for the same streams. */
	SET(DPU, EW_CFG, EW_EQUAL_EN, e->kind == RNPU_ELTWISE_MAX || e->kind == RNPU_ELTWISE_MIN);
	SET(DPU, EW_CFG, EW_ALU_ALGO, mul ? 0 : algo);
	SET(DPU, EW_CFG, EW_RELU_BYPASS, !e->relu);
	SET(DPU, EW_CFG, EW_OP_CVT_BYPASS, 1);
	SET(DPU, EW_CFG, EW_LUT_BYPASS, 1);
	SET(DPU, EW_CFG, EW_OP_SRC, 1);
	SET(DPU, EW_CFG, EW_OP_TYPE, mul);
	PUT(DPU, EW_CFG);
	ZERO(DPU, EW_CVT_OFFSET_VALUE);
	ZERO(DPU, EW_CVT_SCALE_VALUE);
	ZERO(DPU, EW_RELUX_CMP_VALUE);
	ZERO(DPU, EW_OP_VALUE_0);
	SET_S(DPU, OUT_CVT_OFFSET, VALUE, e->out_offset);
	PUT(DPU, OUT_CVT_OFFSET);
	SET(DPU, OUT_CVT_SCALE, OUT_CVT_SCALE, e->out_scale ? e->out_scale : 1);
	SET(DPU, OUT_CVT_SCALE, FP32TOFP16_EN, fp);
	PUT(DPU, OUT_CVT_SCALE);
	SET(DPU, OUT_CVT_SHIFT, OUT_CVT_SHIFT, e->out_shift);
	PUT(DPU, OUT_CVT_SHIFT);
	SET(DPU, SURFACE_ADD, SURF_ADD, plane);
	PUT(DPU, SURFACE_ADD);

	ops_emit_rdma_flying_input(p, pl->a_dma + off, pl->width, rows, pl->c2);
	SET(DPU_RDMA, RDMA_ERDMA_CFG, ERDMA_DATA_MODE, ERDMA_PER_PIXEL);
	SET(DPU_RDMA, RDMA_ERDMA_CFG, DATA_SIZE, esize_code);
	PUT(DPU_RDMA, RDMA_ERDMA_CFG);
	SET_ADDR(DPU_RDMA, RDMA_EW_BASE_ADDR, VALUE, pl->b_dma + off);
	PUT(DPU_RDMA, RDMA_EW_BASE_ADDR);
	SET(DPU_RDMA, RDMA_EW_SURF_STRIDE, VALUE, plane);
	PUT(DPU_RDMA, RDMA_EW_SURF_STRIDE);
	ops_emit_rdma_flying_mode(p, prec, fp);
	ZERO(DPU_RDMA, RDMA_EW_SURF_NOTCH);
	rnpu_regcmd_task_end(p, RK3588_OP_EN_DPU | RK3588_OP_EN_DPU_RDMA,
			     RK3588_INT_DPU_GRP0 | RK3588_INT_DPU_GRP1);
}

static void emit_band(struct rnpu_regcmd_prog *p, const void *plan, uint32_t first,
		      uint32_t rows)
{
	emit_task(p, plan, first, rows);
}

static int build(struct rnpu_regcmd_prog *p, const struct ew_plan *pl, uint64_t regcmd_dma,
		 char *err, size_t len)
{
	return ops_build_bands(p, pl->rows, pl->band, emit_band, pl, regcmd_dma, err, len);
}

static int check(const struct rnpu_eltwise_params *e, char *err, size_t len)
{
	if (e->dtype != RNPU_DT_INT8 && e->dtype != RNPU_DT_FP16)
		return ops_refuse(err, len, -EINVAL, "dtype %d: only int8 (0) and fp16 (2)",
				  (int)e->dtype);
	if ((unsigned int)e->kind > RNPU_ELTWISE_MIN)
		return ops_refuse(err, len, -EINVAL, "kind %d: unknown operation", (int)e->kind);
	if (!e->count)
		return ops_refuse(err, len, -EINVAL, "count 0: nothing to compute");
	if (e->out_shift > OUT_SHIFT_MAX)
		return ops_refuse(err, len, -EINVAL, "out_shift %u exceeds %u", e->out_shift,
				  OUT_SHIFT_MAX);
	if (e->dtype == RNPU_DT_FP16 && (e->out_scale || e->out_shift || e->out_offset))
		return ops_refuse(err, len, -EINVAL,
				  "fp16: out_scale, out_shift and out_offset must be 0");
	return 0;
}

static int rebuild(struct rnpu_op *op, struct rnpu_regcmd_prog *prog, uint64_t regcmd_dma,
		   char *err, size_t len)
{
	struct ew_plan *pl = op->plan;

	pl->a_dma = rnpu_bo_dma_addr(op->in[0]);
	pl->b_dma = rnpu_bo_dma_addr(op->in[1]);
	pl->out_dma = rnpu_bo_dma_addr(op->out);
	return build(prog, pl, regcmd_dma, err, len);
}

int rnpu_eltwise_create(struct rnpu_dev *dev, const struct rnpu_eltwise_params *params,
			struct rnpu_op **out)
{
	const uint32_t max_w =
		field_limit(DPU_DATA_CUBE_WIDTH_VALUE__MASK, DPU_DATA_CUBE_WIDTH_VALUE__SHIFT);
	const uint32_t max_h =
		field_limit(DPU_DATA_CUBE_HEIGHT_HEIGHT__MASK, DPU_DATA_CUBE_HEIGHT_HEIGHT__SHIFT);
	char err[RNPU_REGCMD_MSG_LEN + 64] = "";
	struct rnpu_regcmd_prog prog;
	struct rnpu_op *op;
	struct ew_plan pl;
	uint64_t pixels;
	size_t bytes, nwords;
	int ret;

	if (!dev || !params || !out)
		return dev ? rnpu_set_error(dev, -EINVAL, "eltwise: NULL parameters or result")
			   : -EINVAL;
	op = calloc(1, sizeof(*op));
	if (!op)
		return -ENOMEM;
	op->dev = dev;
	op->kind = OPS_ELTWISE;
	op->name = "eltwise";
	memset(&pl, 0, sizeof(pl));
	pl.p = *params;
	ret = check(&pl.p, err, sizeof(err));
	if (ret)
		goto fail;
	pl.eb = rnpu_dtype_size(pl.p.dtype);
	pl.c2 = rnpu_dtype_c2(pl.p.dtype);
	pixels = (pl.p.count + pl.c2 - 1) / pl.c2;
	pl.width = pixels < max_w ? (uint32_t)pixels : max_w;
	if ((pixels + pl.width - 1) / pl.width > UINT32_MAX || pl.p.count > UINT32_MAX) {
		snprintf(err, sizeof(err), "count %llu exceeds 2^32 elements",
			 (unsigned long long)pl.p.count);
		ret = -ERANGE;
		goto fail;
	}
	pl.rows = (uint32_t)((pixels + pl.width - 1) / pl.width);
	pl.band = ops_min(max_h, pl.p.max_rows_per_task ? pl.p.max_rows_per_task : max_h);
	bytes = (size_t)pl.rows * pl.width * OPS_ATOM_BYTES;

	op->in_dt = op->out_dt = pl.p.dtype;
	op->in_h = op->out_h = (uint32_t)pl.p.count;
	op->in_w = op->in_c = op->out_w = op->out_c = 1;
	op->num_inputs = 2;

	ret = build(&prog, &pl, 0, err, sizeof(err));
	if (ret)
		goto fail;
	nwords = prog.nwords;
	rnpu_regcmd_fini(&prog);
	op->in_bytes[0] = op->in_bytes[1] = op->out_bytes = bytes;
	/* Zeroed buffers: the padding of the last row computes on zeros. */
	ret = ops_bo_alloc(op, bytes, &op->in[0], &op->in_map[0]);
	if (!ret)
		ret = ops_bo_alloc(op, bytes, &op->in[1], &op->in_map[1]);
	if (!ret)
		ret = ops_bo_alloc(op, bytes, &op->out, &op->out_map);
	if (!ret)
		ret = ops_alloc_regcmd(op, nwords);
	if (ret)
		goto fail;
	/* The addresses come from the op's buffers, through rebuild(). */
	ret = ops_program(op, &pl, sizeof(pl), rebuild, err, sizeof(err));
	if (ret)
		goto fail;
	*out = op;
	return 0;
fail:
	ret = ops_fail(op, ret, err);
	rnpu_op_destroy(op);
	return ret;
}
