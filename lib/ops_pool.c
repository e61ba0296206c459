// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Pooling on the PPU reading through PPU_RDMA (op-enable PPU +
 * PPU_RDMA). The output is cut into row bands (at most the 13-bit cube
 * height, or max_rows_per_task); each band reads the input rows its
 * windows cover, with the top padding only in the first band and the
 * bottom padding only in the last.
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
#define PREC_FP16 2u
/* PPU_RDMA element-size codes. */
#define RDMA_8BIT 1u
#define RDMA_16BIT 2u
#define POOL_METHOD_AVG 0u
#define POOL_METHOD_MAX 1u
#define POOL_METHOD_MIN 2u
#define PPU_BURST_LEN 3u
/* fp16 bit patterns of -inf and +inf: the padding of max and min pooling. */
#define FP16_NEG_INF 0xfc00u
#define FP16_POS_INF 0x7c00u
/* 17-bit float of the reciprocals: sign [16], exponent [15:10] biased by
 * 31, fraction [9:0] (hw-assumptions.md, SIM_ASSUME_PPU_RECIP_FP17). */
#define FP17_BIAS 31
#define FP17_FRAC_BITS 10

struct pool_plan {
	struct rnpu_pool2d_params p;
	unsigned int eb;
	uint32_t oh, ow, band;
	uint64_t in_dma, out_dma;
};

/* Nearest fp17 of 1/k (k in 1..16: always a normal number). */
static uint32_t fp17_reciprocal(uint32_t k)
{
	int exp;
	double frac = frexp(1.0 / k, &exp); /* 1/k = frac * 2^exp, 0.5 <= frac < 1 */
	double mant = nearbyint((2.0 * frac - 1.0) * (1 << FP17_FRAC_BITS));

	exp -= 1;
	if (mant >= (1 << FP17_FRAC_BITS)) {
		mant = 0;
		exp += 1;
	}
	return ((uint32_t)(exp + FP17_BIAS) << FP17_FRAC_BITS) | (uint32_t)mant;
}

static uint32_t pad_value(const struct rnpu_pool2d_params *p)
{
	bool fp = p->dtype == RNPU_DT_FP16;

	switch (p->kind) {
	case RNPU_POOL2D_MAX: return fp ? FP16_NEG_INF : (uint32_t)INT8_MIN;
	case RNPU_POOL2D_MIN: return fp ? FP16_POS_INF : (uint32_t)INT8_MAX;
	default: return 0;
	}
}

static void emit_task(struct rnpu_regcmd_prog *p, const struct pool_plan *pl, uint32_t oy0,
		      uint32_t oy1)
{
	const struct rnpu_pool2d_params *q = &pl->p;
	int64_t top = (int64_t)oy0 * q->stride_h - q->pad_top;
	int64_t bot = (int64_t)(oy1 - 1) * q->stride_h - q->pad_top + q->kh;
	uint32_t iy0 = top < 0 ? 0 : (uint32_t)top;
	uint32_t iy1 = bot > (int64_t)q->in_h ? q->in_h : (uint32_t)bot;
	uint32_t pad_b = bot > (int64_t)q->in_h ? (uint32_t)(bot - q->in_h) : 0;
	uint32_t in_rows = iy1 - iy0;
	uint32_t rows = oy1 - oy0;
	uint32_t method = q->kind == RNPU_POOL2D_MAX   ? POOL_METHOD_MAX
			  : q->kind == RNPU_POOL2D_MIN ? POOL_METHOD_MIN
						     : POOL_METHOD_AVG;
	uint64_t in_plane = (uint64_t)q->in_w * q->in_h;
	uint64_t out_plane = (uint64_t)pl->ow * pl->oh;
	uint32_t v = 0;

	rnpu_regcmd_task_begin(p);
	SET(PPU, S_POINTER, POINTER_PP_MODE, 1);
	SET(PPU, S_POINTER, EXECUTER_PP_EN, 1);
	SET(PPU, S_POINTER, POINTER_PP_EN, 1);
	PUT(PPU, S_POINTER);
	SET(PPU_RDMA, S_POINTER, POINTER_PP_MODE, 1);
	SET(PPU_RDMA, S_POINTER, EXECUTER_PP_EN, 1);
	SET(PPU_RDMA, S_POINTER, POINTER_PP_EN, 1);
	PUT(PPU_RDMA, S_POINTER);
	SET(PPU, DATA_CUBE_IN_WIDTH, VALUE, q->in_w - 1);
	PUT(PPU, DATA_CUBE_IN_WIDTH);
	SET(PPU, DATA_CUBE_IN_HEIGHT, VALUE, in_rows - 1);
	PUT(PPU, DATA_CUBE_IN_HEIGHT);
	SET(PPU, DATA_CUBE_IN_CHANNEL, VALUE, q->c - 1);
	PUT(PPU, DATA_CUBE_IN_CHANNEL);
	SET(PPU, DATA_CUBE_OUT_WIDTH, VALUE, pl->ow - 1);
	PUT(PPU, DATA_CUBE_OUT_WIDTH);
	SET(PPU, DATA_CUBE_OUT_HEIGHT, VALUE, rows - 1);
	PUT(PPU, DATA_CUBE_OUT_HEIGHT);
	SET(PPU, DATA_CUBE_OUT_CHANNEL, VALUE, q->c - 1);
	PUT(PPU, DATA_CUBE_OUT_CHANNEL);
	SET(PPU, OPERATION_MODE_CFG, FLYING_MODE, 1);
	SET(PPU, OPERATION_MODE_CFG, POOLING_METHOD, method);
	PUT(PPU, OPERATION_MODE_CFG);
	SET(PPU, POOLING_KERNEL_CFG, KERNEL_STRIDE_HEIGHT, q->stride_h - 1);
	SET(PPU, POOLING_KERNEL_CFG, KERNEL_STRIDE_WIDTH, q->stride_w - 1);
	SET(PPU, POOLING_KERNEL_CFG, KERNEL_HEIGHT, q->kh - 1);
	SET(PPU, POOLING_KERNEL_CFG, KERNEL_WIDTH, q->kw - 1);
	PUT(PPU, POOLING_KERNEL_CFG);
	SET(PPU, RECIP_KERNEL_WIDTH, VALUE, fp17_reciprocal(q->kw));
	PUT(PPU, RECIP_KERNEL_WIDTH);
	SET(PPU, RECIP_KERNEL_HEIGHT, VALUE, fp17_reciprocal(q->kh));
	PUT(PPU, RECIP_KERNEL_HEIGHT);
	SET(PPU, POOLING_PADDING_CFG, PAD_BOTTOM, pad_b);
	SET(PPU, POOLING_PADDING_CFG, PAD_RIGHT, q->pad_right);
	SET(PPU, POOLING_PADDING_CFG, PAD_TOP, top < 0 ? (uint32_t)-top : 0);
	SET(PPU, POOLING_PADDING_CFG, PAD_LEFT, q->pad_left);
	PUT(PPU, POOLING_PADDING_CFG);
	SET(PPU, PADDING_VALUE_1_CFG, VALUE, pad_value(q));
	PUT(PPU, PADDING_VALUE_1_CFG);
	ZERO(PPU, PADDING_VALUE_2_CFG);
	SET_ADDR(PPU, DST_BASE_ADDR, VALUE, pl->out_dma + (uint64_t)oy0 * pl->ow * OPS_ATOM_BYTES);
	PUT(PPU, DST_BASE_ADDR);
	SET(PPU, DST_SURF_STRIDE, VALUE, out_plane);
	PUT(PPU, DST_SURF_STRIDE);
	SET(PPU, DATA_FORMAT, INDEX_ADD, out_plane);
	SET(PPU, DATA_FORMAT, PROC_PRECISION, q->dtype == RNPU_DT_FP16 ? PREC_FP16 : PREC_INT8);
	PUT(PPU, DATA_FORMAT);
	SET(PPU, MISC_CTRL, BURST_LEN, PPU_BURST_LEN);
	PUT(PPU, MISC_CTRL);
	SET(PPU_RDMA, RDMA_CUBE_IN_WIDTH, VALUE, q->in_w - 1);
	PUT(PPU_RDMA, RDMA_CUBE_IN_WIDTH);
	SET(PPU_RDMA, RDMA_CUBE_IN_HEIGHT, VALUE, in_rows - 1);
	PUT(PPU_RDMA, RDMA_CUBE_IN_HEIGHT);
	SET(PPU_RDMA, RDMA_CUBE_IN_CHANNEL, VALUE, q->c - 1);
	PUT(PPU_RDMA, RDMA_CUBE_IN_CHANNEL);
	SET_ADDR(PPU_RDMA, RDMA_SRC_BASE_ADDR, VALUE,
		 pl->in_dma + (uint64_t)iy0 * q->in_w * OPS_ATOM_BYTES);
	PUT(PPU_RDMA, RDMA_SRC_BASE_ADDR);
	SET(PPU_RDMA, RDMA_SRC_LINE_STRIDE, VALUE, q->in_w);
	PUT(PPU_RDMA, RDMA_SRC_LINE_STRIDE);
	SET(PPU_RDMA, RDMA_SRC_SURF_STRIDE, VALUE, in_plane);
	PUT(PPU_RDMA, RDMA_SRC_SURF_STRIDE);
	SET(PPU_RDMA, RDMA_DATA_FORMAT, IN_PRECISION, pl->eb == 1 ? RDMA_8BIT : RDMA_16BIT);
	PUT(PPU_RDMA, RDMA_DATA_FORMAT);
	rnpu_regcmd_task_end(p, RK3588_OP_EN_PPU | RK3588_OP_EN_PPU_RDMA,
			     RK3588_INT_PPU_GRP0 | RK3588_INT_PPU_GRP1);
}

static void emit_band(struct rnpu_regcmd_prog *p, const void *plan, uint32_t first,
		      uint32_t rows)
{
	const struct pool_plan *pl = plan;

	emit_task(p, pl, first, first + rows);
}

static int build(struct rnpu_regcmd_prog *p, const struct pool_plan *pl, uint64_t regcmd_dma,
		 char *err, size_t len)
{
	return ops_build_bands(p, pl->oh, pl->band, emit_band, pl, regcmd_dma, err, len);
}

static int check(struct pool_plan *pl, char *err, size_t len)
{
	struct rnpu_pool2d_params *q = &pl->p;
	uint32_t max_h =
		(PPU_DATA_CUBE_OUT_HEIGHT_VALUE__MASK >> PPU_DATA_CUBE_OUT_HEIGHT_VALUE__SHIFT) + 1;

	if (q->dtype != RNPU_DT_INT8 && q->dtype != RNPU_DT_FP16)
		return ops_refuse(err, len, -EINVAL, "dtype %d: only int8 (0) and fp16 (2)",
				  (int)q->dtype);
	if ((unsigned int)q->kind > RNPU_POOL2D_MIN)
		return ops_refuse(err, len, -EINVAL, "kind %d: unknown pooling", (int)q->kind);
	if (!q->in_h || !q->in_w || !q->c || !q->kh || !q->kw)
		return ops_refuse(err, len, -EINVAL,
				  "in %ux%ux%u, kernel %ux%u: sizes must be at least 1", q->in_h,
				  q->in_w, q->c, q->kh, q->kw);
	q->stride_h = q->stride_h ? q->stride_h : q->kh;
	q->stride_w = q->stride_w ? q->stride_w : q->kw;
	pl->oh = rnpu_conv2d_out_dim(q->in_h, q->kh, q->stride_h, 1, q->pad_top, q->pad_bottom);
	pl->ow = rnpu_conv2d_out_dim(q->in_w, q->kw, q->stride_w, 1, q->pad_left, q->pad_right);
	if (!pl->oh || !pl->ow)
		return ops_refuse(err, len, -EINVAL,
				  "kernel %ux%u does not fit the padded input %ux%u", q->kh, q->kw,
				  q->in_h + q->pad_top + q->pad_bottom,
				  q->in_w + q->pad_left + q->pad_right);
	if (q->pad_top >= q->kh || q->pad_bottom >= q->kh || q->pad_left >= q->kw ||
	    q->pad_right >= q->kw)
		return snprintf(err, len,
				"padding %u/%u/%u/%u (top/bottom/left/right): a window would lie"
				" entirely in the padding of kernel %ux%u",
				q->pad_top, q->pad_bottom, q->pad_left, q->pad_right, q->kh, q->kw),
		       -EINVAL;
	pl->band = q->max_rows_per_task ? ops_min(q->max_rows_per_task, max_h) : max_h;
	pl->band = ops_min(pl->band, pl->oh);
	return 0;
}

static int rebuild(struct rnpu_op *op, struct rnpu_regcmd_prog *prog, uint64_t regcmd_dma,
		   char *err, size_t len)
{
	struct pool_plan *pl = op->plan;

	pl->in_dma = rnpu_bo_dma_addr(op->in[0]);
	pl->out_dma = rnpu_bo_dma_addr(op->out);
	return build(prog, pl, regcmd_dma, err, len);
}

int rnpu_pool2d_create(struct rnpu_dev *dev, const struct rnpu_pool2d_params *params,
		     struct rnpu_op **out)
{
	char err[RNPU_REGCMD_MSG_LEN + 64] = "";
	struct rnpu_regcmd_prog prog;
	struct rnpu_op *op;
	struct pool_plan pl;
	size_t nwords;
	int ret;

	if (!dev || !params || !out)
		return dev ? rnpu_set_error(dev, -EINVAL, "pool: NULL parameters or result")
			   : -EINVAL;
	op = calloc(1, sizeof(*op));
	if (!op)
		return -ENOMEM;
	op->dev = dev;
	op->kind = OPS_POOL;
	op->name = "pool";
	memset(&pl, 0, sizeof(pl));
	pl.p = *params;
	ret = check(&pl, err, sizeof(err));
	if (ret)
		goto fail;
	pl.eb = rnpu_dtype_size(pl.p.dtype);
	op->in_dt = op->out_dt = pl.p.dtype;
	op->in_h = pl.p.in_h;
	op->in_w = pl.p.in_w;
	op->in_c = op->out_c = pl.p.c;
	op->out_h = pl.oh;
	op->out_w = pl.ow;
	op->num_inputs = 1;

	ret = build(&prog, &pl, 0, err, sizeof(err));
	if (ret)
		goto fail;
	nwords = prog.nwords;
	rnpu_regcmd_fini(&prog);
	op->in_bytes[0] = rnpu_native_size(pl.p.dtype, pl.p.in_h, pl.p.in_w, pl.p.c);
	op->out_bytes = rnpu_native_size(pl.p.dtype, pl.oh, pl.ow, pl.p.c);
	ret = ops_bo_alloc(op, rnpu_native_size(pl.p.dtype, pl.p.in_h, pl.p.in_w, pl.p.c),
			   &op->in[0], &op->in_map[0]);
	if (!ret)
		ret = ops_bo_alloc(op, rnpu_native_size(pl.p.dtype, pl.oh, pl.ow, pl.p.c), &op->out,
				   &op->out_map);
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
