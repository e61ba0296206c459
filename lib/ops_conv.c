// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * conv2d on CNA + CORE + DPU (+ DPU_RDMA for the per-channel bias and
 * requantisation records). The output is cut into row bands whose input
 * rows fit the CBUF next to one kernel group's weights; when even one
 * group's weights leave no room, the kernels are split into chunks of
 * fewer kernels, each with its own packed weights. Every (chunk, band) is
 * one task; tasks are independent, so they can be spread over cores.
 *
 * int8 kernels too deep for the CBUF (or for the 14-bit channel field) are
 * split along the input channels: each group's task writes int32 partial
 * sums, every group after the first adding the previous groups' sums
 * through the DPU's EW stage (ERDMA operand, as the K-split matmul does),
 * and a last flying-mode DPU task requantises the total with the same BS
 * records and OUT_CVT as an unsplit convolution. A unit's tasks depend on
 * each other, so they stay consecutive on one core.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_internal.h"
#include "rk3588_regs.h"
#include "rnpu_internal.h"
#include "task_emit.h"

#define KG_8BIT 32u
#define KG_16BIT 16u
#define PARTIAL_BYTES 4u /* int32 partial sums */
#define SHIFT_MAX 63u
#define DW_OUT_ATOMS 4u

struct conv_plan {
	struct rnpu_conv2d_params p;
	unsigned int eb; /* input element bytes */
	unsigned int c2in, c2out;
	uint32_t ca; /* input channels padded to c2in */
	uint32_t cg; /* input channels per group (padded); ca unless split */
	uint32_t nsplit; /* input-channel groups (1: no split) */
	uint32_t kg; /* kernels per group */
	uint32_t oh, ow;
	uint32_t reach_h; /* input rows one output row needs */
	uint32_t kpt;	  /* kernels per task (direct) */
	uint32_t reach_w; /* input columns one output column needs */
	uint32_t band;	  /* output rows per task */
	uint32_t tile_ow; /* output columns per task */
	uint32_t data_banks;
	uint32_t nchunks;      /* kernel chunks (1 for depthwise) */
	uint32_t rec_words;    /* 32-bit slots per channel record */
	size_t wt_bytes_chunk; /* packed weights of a full chunk, 16-aligned */
	size_t wt_total, rec_offset, consts_bytes;
	uint64_t in_dma, out_dma, consts_dma;
	uint64_t acc_dma[2]; /* ping-pong partial sums when split */
};

/* What a task computes: the whole convolution, one input-channel group's
 * int32 partial sums, or the requantisation of the summed groups. */
enum conv_pass {
	PASS_WHOLE,
	PASS_PARTIAL,
	PASS_REQUANT,
};

/* One task's share: a kernel chunk, a band of output rows, a tile of
 * output columns, and the input window they read. */
struct conv_tile {
	uint32_t chunk;
	uint32_t group; /* input-channel group */
	uint32_t oy0, rows, ox0, cols;
	uint32_t iy0, in_rows, ix0, in_cols;
	uint32_t pad_t, pad_l;
};

static uint32_t chunk_kernels(const struct conv_plan *pl, uint32_t chunk)
{
	uint32_t oc0 = chunk * pl->kpt;

	if (pl->p.depthwise)
		return 1;
	return ops_min(pl->kpt, pl->p.out_c - oc0);
}

/* Output channels the DPU writes for a chunk: depthwise writes every
 * (padded) input channel. */
static uint32_t chunk_channels(const struct conv_plan *pl, uint32_t chunk)
{
	return pl->p.depthwise ? pl->ca : chunk_kernels(pl, chunk);
}

/* Padded input channels of group @g: cg, the last group what is left. */
static uint32_t group_channels(const struct conv_plan *pl, uint32_t g)
{
	return g + 1 < pl->nsplit ? pl->cg : pl->ca - g * pl->cg;
}

/* Bytes of one kernel over @ca input channels. */
static uint64_t kernel_bytes_of(const struct conv_plan *pl, uint32_t ca)
{
	return (uint64_t)pl->p.kh * pl->p.kw * ca * pl->eb;
}

static uint64_t kernel_bytes(const struct conv_plan *pl)
{
	return kernel_bytes_of(pl, pl->cg);
}

/* CBUF bytes of one input row of @cols columns: whole 64-byte entries. */
static uint64_t row_bytes(const struct conv_plan *pl, uint32_t cols)
{
	return (uint64_t)ops_div_up((uint64_t)cols * pl->cg * pl->eb, TASK_CBUF_ENTRY_BYTES) *
	       TASK_CBUF_ENTRY_BYTES;
}

uint32_t rnpu_conv2d_out_dim(uint32_t in, uint32_t k, uint32_t stride, uint32_t dilation,
			     uint32_t pad_a, uint32_t pad_b)
{
	uint64_t span = (uint64_t)in + pad_a + pad_b;
	uint64_t reach;

	stride = stride ? stride : 1;
	dilation = dilation ? dilation : 1;
	if (!k)
		return 0;
	reach = (uint64_t)(k - 1) * dilation + 1;
	if (!in || span < reach)
		return 0;
	return (uint32_t)((span - reach) / stride + 1);
}

static int check_params(struct conv_plan *pl, char *err, size_t len)
{
	struct rnpu_conv2d_params *p = &pl->p;

	if (p->dtype != RNPU_DT_INT8 && p->dtype != RNPU_DT_FP16)
		return ops_refuse(err, len, -EINVAL, "dtype %d: only int8 (0) and fp16 (2)",
				  (int)p->dtype);
	if (!p->in_h || !p->in_w || !p->in_c || !p->out_c || !p->kh || !p->kw)
		return ops_refuse(err, len, -EINVAL,
				  "in %ux%ux%u, out_c %u, kernel %ux%u: sizes must be at least 1",
				  p->in_h, p->in_w, p->in_c, p->out_c, p->kh, p->kw);
	if (!p->weights)
		return ops_refuse(err, len, -EINVAL, "weights: NULL");
	if (p->depthwise && p->out_c != p->in_c)
		return ops_refuse(err, len, -EINVAL, "depthwise: out_c %u must equal in_c %u",
				  p->out_c, p->in_c);
	p->stride_h = p->stride_h ? p->stride_h : 1;
	p->stride_w = p->stride_w ? p->stride_w : 1;
	p->dilation_h = p->dilation_h ? p->dilation_h : 1;
	p->dilation_w = p->dilation_w ? p->dilation_w : 1;
	if (p->dtype == RNPU_DT_INT8) {
		if (p->in_zero_point < -128 || p->in_zero_point > 127)
			return ops_refuse(err, len, -EINVAL, "in_zero_point %d outside -128..127",
					  p->in_zero_point);
		if (p->out_zero_point < -128 || p->out_zero_point > 127)
			return ops_refuse(err, len, -EINVAL, "out_zero_point %d outside -128..127",
					  p->out_zero_point);
		for (uint32_t o = 0; p->shift && o < p->out_c; o++)
			if (p->shift[o] > SHIFT_MAX)
				return ops_refuse(err, len, -EINVAL, "shift[%u] = %u exceeds %u", o,
						  p->shift[o], SHIFT_MAX);
	} else if (p->in_zero_point || p->out_zero_point || p->multiplier || p->shift) {
		return ops_refuse(err, len, -EINVAL,
				  "fp16: zero points, multiplier and shift must be 0/NULL");
	}
	pl->oh = rnpu_conv2d_out_dim(p->in_h, p->kh, p->stride_h, p->dilation_h, p->pad_top,
				     p->pad_bottom);
	pl->ow = rnpu_conv2d_out_dim(p->in_w, p->kw, p->stride_w, p->dilation_w, p->pad_left,
				     p->pad_right);
	if (!pl->oh || !pl->ow)
		return ops_refuse(
			err, len, -EINVAL,
			"kernel %ux%u (dilation %u/%u) does not fit the padded input %ux%u", p->kh,
			p->kw, p->dilation_h, p->dilation_w, p->in_h + p->pad_top + p->pad_bottom,
			p->in_w + p->pad_left + p->pad_right);
	/* The window must start inside the input or the programmed padding:
	 * the hardware only pads top/left explicitly. */
	if (p->pad_bottom >= (uint64_t)p->kh * p->dilation_h ||
	    p->pad_right >= (uint64_t)p->kw * p->dilation_w)
		return ops_refuse(err, len, -EINVAL,
				  "pad_bottom %u / pad_right %u: windows entirely in the padding",
				  p->pad_bottom, p->pad_right);
	if (p->pad_top >= (uint64_t)p->kh * p->dilation_h ||
	    p->pad_left >= (uint64_t)p->kw * p->dilation_w)
		return ops_refuse(err, len, -EINVAL,
				  "pad_top %u / pad_left %u: windows entirely in the padding",
				  p->pad_top, p->pad_left);
	return 0;
}

static int plan_tiles(struct conv_plan *pl, char *err, size_t len)
{
	const struct rnpu_conv2d_params *p = &pl->p;
	const uint32_t max_cols =
		CNA_DATA_SIZE0_DATAIN_WIDTH__MASK >> CNA_DATA_SIZE0_DATAIN_WIDTH__SHIFT;
	uint64_t kb = kernel_bytes(pl), group, data_bytes, row_min;
	uint32_t wbanks, max_rows, lim, in_cols;

	pl->reach_h = (p->kh - 1) * p->dilation_h + 1;
	pl->reach_w = (p->kw - 1) * p->dilation_w + 1;
	/* The narrowest task reads reach_w columns of reach_h rows. */
	row_min = row_bytes(pl, ops_min(pl->reach_w, p->in_w));
	if (p->depthwise) {
		pl->kpt = pl->ca;
		group = kb;
	} else {
		/* All kernels in one task unless one group's weights leave no
		 * room even for the narrowest task's rows; then halve the
		 * kernels per task, keeping whole output atoms. */
		pl->kpt = p->out_c;
		for (;;) {
			group = kb * ops_min(pl->kpt, pl->kg);
			wbanks = ops_div_up(group, TASK_CBUF_BANK_BYTES);
			if (wbanks < TASK_CBUF_BANKS &&
			    (uint64_t)(TASK_CBUF_BANKS - wbanks) * TASK_CBUF_BANK_BYTES / row_min >=
				    pl->reach_h)
				break;
			if (ops_min(pl->kpt, pl->kg) <= pl->c2out)
				break;
			/* Chunks start on output atoms (their surfaces). */
			pl->kpt = ops_min(pl->kpt, pl->kg) / 2 / pl->c2out * pl->c2out;
			if (pl->kpt < pl->c2out)
				pl->kpt = pl->c2out;
		}
	}
	wbanks = ops_div_up(group, TASK_CBUF_BANK_BYTES);
	if (wbanks >= TASK_CBUF_BANKS)
		return ops_refuse(err, len, -ERANGE,
				  "CNA.CBUF_CON0.WEIGHT_BANK: a kernel of %ux%ux%u needs %" PRIu64
				  " bytes per group, more than %u banks of %u bytes",
				  p->kh, p->kw, pl->cg, group, TASK_CBUF_BANKS - 1, TASK_CBUF_BANK_BYTES);
	data_bytes = (uint64_t)(TASK_CBUF_BANKS - wbanks) * TASK_CBUF_BANK_BYTES;
	if (data_bytes / row_min < pl->reach_h)
		return ops_refuse(err, len, -ERANGE,
				  "CNA.CBUF_CON0.DATA_BANK: %u input rows of %ux%u (%" PRIu64
				  " bytes each) do not fit %u banks beside the weights",
				  pl->reach_h, ops_min(pl->reach_w, p->in_w), pl->cg, row_min,
				  TASK_CBUF_BANKS - wbanks);
	if (pl->reach_w > max_cols)
		return ops_refuse(
			err, len, -ERANGE,
			"CNA.DATA_SIZE0.DATAIN_WIDTH: a window %u columns wide exceeds %u",
			pl->reach_w, max_cols);

	/* Whole rows when they fit (and the width field allows); otherwise
	 * column tiles sized for two output rows per band. */
	pl->tile_ow = pl->ow;
	if (p->in_w > max_cols || data_bytes / row_bytes(pl, p->in_w) < pl->reach_h) {
		uint64_t rows = ops_min(pl->reach_h + p->stride_h, p->in_h + p->pad_top);
		uint64_t cols = data_bytes / rows / TASK_CBUF_ENTRY_BYTES * TASK_CBUF_ENTRY_BYTES /
				((uint64_t)pl->cg * pl->eb);

		if (cols < pl->reach_w) /* room for reach_h rows only */
			cols = data_bytes / pl->reach_h / TASK_CBUF_ENTRY_BYTES * TASK_CBUF_ENTRY_BYTES /
			       ((uint64_t)pl->cg * pl->eb);
		cols = cols < max_cols ? cols : max_cols;
		pl->tile_ow = ops_min(pl->ow, (uint32_t)((cols - pl->reach_w) / p->stride_w + 1));
	}
	in_cols = ops_min(p->in_w, (pl->tile_ow - 1) * p->stride_w + pl->reach_w);
	max_rows = (uint32_t)(data_bytes / row_bytes(pl, in_cols));
	pl->band = (max_rows - pl->reach_h) / p->stride_h + 1;
	/* FEATURE_GRAINS holds the rows of a band plus one. */
	lim = (CNA_CONV_CON2_FEATURE_GRAINS__MASK >> CNA_CONV_CON2_FEATURE_GRAINS__SHIFT) - 1;
	if (lim >= pl->reach_h)
		pl->band = ops_min(pl->band, (lim - pl->reach_h) / p->stride_h + 1);
	if (p->max_rows_per_task)
		pl->band = ops_min(pl->band, p->max_rows_per_task);
	pl->band = ops_min(pl->band, pl->oh);
	pl->nchunks = p->depthwise ? 1 : ops_div_up(p->out_c, pl->kpt);
	return 0;
}

/* The OHWI weights of @n kernels from @o0, input channels [c0, c0 + nc),
 * as a dense OHWI tensor in @dst. */
static void slice_weights(const struct conv_plan *pl, uint32_t o0, uint32_t n, uint32_t c0,
			  uint32_t nc, unsigned char *dst)
{
	const struct rnpu_conv2d_params *p = &pl->p;
	const unsigned char *w = p->weights;
	size_t taps = (size_t)p->kh * p->kw;

	for (size_t k = 0; k < n * taps; k++)
		memcpy(dst + k * nc * pl->eb,
		       w + ((o0 * taps + k) * p->in_c + c0) * pl->eb, (size_t)nc * pl->eb);
}

/* Packs the weights of every (group, chunk) and the per-channel records. */
static int fill_consts(struct conv_plan *pl, void *consts, char *err, size_t len)
{
	const struct rnpu_conv2d_params *p = &pl->p;
	size_t src_kernel = (size_t)p->kh * p->kw * p->in_c * pl->eb;
	uint32_t nrec = p->depthwise ? pl->ca : p->out_c;
	uint32_t *rec = (uint32_t *)((unsigned char *)consts + pl->rec_offset);
	unsigned char *slice = NULL;
	int ret = 0;

	if (pl->nsplit > 1) {
		slice = malloc((size_t)pl->kpt * p->kh * p->kw * pl->cg * pl->eb);
		if (!slice)
			return ops_refuse(err, len, -ENOMEM, "weights: no memory for a group");
	}
	for (uint32_t g = 0; !ret && g < pl->nsplit; g++)
		for (uint32_t ch = 0; !ret && ch < pl->nchunks; ch++) {
			uint32_t n = chunk_kernels(pl, ch);
			uint32_t c0 = g * pl->cg;
			uint32_t nc = pl->nsplit > 1 ? ops_min(pl->cg, p->in_c - c0) : p->in_c;
			const unsigned char *src =
				(const unsigned char *)p->weights +
				(p->depthwise ? 0 : (size_t)ch * pl->kpt * src_kernel);
			unsigned char *dst = (unsigned char *)consts +
					     ((size_t)g * pl->nchunks + ch) * pl->wt_bytes_chunk;

			if (slice) {
				slice_weights(pl, ch * pl->kpt, n, c0, nc, slice);
				src = slice;
			}
			ret = rnpu_weights_to_native((enum rnpu_dtype)p->dtype, RNPU_LAYOUT_NHWC,
						     p->depthwise ? p->in_c : n, p->kh, p->kw, nc,
						     p->depthwise, src, dst);
		}
	free(slice);
	if (ret)
		return ops_refuse(err, len, ret, "weights: conversion failed");
	for (uint32_t o = 0; o < nrec; o++) {
		uint32_t *r = rec + (size_t)o * pl->rec_words;
		bool real = o < p->out_c;

		if (p->dtype == RNPU_DT_FP16) {
			float b = real && p->bias ? ((const float *)p->bias)[o] : 0.0f;

			memcpy(&r[0], &b, sizeof(b));
			continue;
		}
		/* Zero point of the input folded into the bias: padded cells
		 * hold it, so every tap contributes (x - zp) * w. */
		int64_t b = real && p->bias ? ((const int32_t *)p->bias)[o] : 0;

		if (real && p->in_zero_point) {
			const int8_t *w = (const int8_t *)p->weights;
			int64_t sum = 0;
			size_t taps = (size_t)p->kh * p->kw;

			for (size_t t = 0; t < taps; t++) {
				if (p->depthwise)
					sum += w[t * p->in_c + o];
				else
					for (uint32_t c = 0; c < p->in_c; c++)
						sum += w[((size_t)o * taps + t) * p->in_c + c];
			}
			b -= (int64_t)p->in_zero_point * sum;
		}
		if (b < INT32_MIN || b > INT32_MAX)
			return ops_refuse(err, len, -ERANGE,
					  "bias[%u] with the input zero point folded in (%" PRId64
					  ") exceeds int32",
					  o, b);
		task_pack_requant_record(r, (int32_t)b,
					 real && p->multiplier ? p->multiplier[o] : 1,
					 real && p->shift ? p->shift[o] : 0);
	}
	return 0;
}

/* The input window of output range [o0, o0 + n) along one axis. */
static void window(uint32_t o0, uint32_t n, uint32_t stride, uint32_t pad, uint32_t reach,
		   uint32_t in, uint32_t *i0, uint32_t *count, uint32_t *pad_before)
{
	int64_t first = (int64_t)o0 * stride - pad;
	int64_t end = (int64_t)(o0 + n - 1) * stride - pad + reach;
	uint32_t lo = first < 0 ? 0 : (uint32_t)first;
	uint32_t hi = end > (int64_t)in ? in : (uint32_t)end;

	*pad_before = first < 0 ? (uint32_t)-first : 0;
	/* check_params keeps every window touching the input. */
	*i0 = lo < in ? lo : in - 1;
	*count = hi > *i0 ? hi - *i0 : 1;
}

/* The tile's first element in a partial-sum buffer (int32, 4 channels per
 * atom, the output's planes). */
static uint64_t sum_addr(const struct conv_plan *pl, const struct conv_tile *t, uint64_t base)
{
	uint32_t oc0 = t->chunk * pl->kpt;
	uint64_t plane = (uint64_t)pl->oh * pl->ow * OPS_ATOM_BYTES;

	return base + (uint64_t)(oc0 / (OPS_ATOM_BYTES / PARTIAL_BYTES)) * plane +
	       ((uint64_t)t->oy0 * pl->ow + t->ox0) * OPS_ATOM_BYTES;
}

static void emit_task(struct rnpu_regcmd_prog *p, const struct conv_plan *pl,
		      const struct conv_tile *t, enum conv_pass pass)
{
	const struct rnpu_conv2d_params *c = &pl->p;
	bool fp = c->dtype == RNPU_DT_FP16;
	bool partial = pass == PASS_PARTIAL;
	uint32_t prec = fp ? TASK_PREC_FP16 : TASK_PREC_INT8;
	uint32_t oc0 = c->depthwise ? 0 : t->chunk * pl->kpt;
	uint32_t channels = chunk_channels(pl, t->chunk);
	uint32_t ca = group_channels(pl, t->group);
	uint32_t out_bytes = partial ? PARTIAL_BYTES : fp ? 2 : 1;
	uint64_t plane = (uint64_t)pl->oh * pl->ow * OPS_ATOM_BYTES;
	struct task_desc d = {
		.compute = pass != PASS_REQUANT,
		.depthwise = c->depthwise,
		.prec = prec,
		.elem_bytes = pl->eb,
		.in_dma = pl->in_dma +
			  (uint64_t)t->group * (pl->cg / pl->c2in) * c->in_h * c->in_w *
				  OPS_ATOM_BYTES +
			  ((uint64_t)t->iy0 * c->in_w + t->ix0) * OPS_ATOM_BYTES,
		.in_w = c->in_w,
		.in_h = c->in_h,
		.in_cols = t->in_cols,
		.in_rows = t->in_rows,
		.in_channels = ca,
		.stride_w = c->stride_w,
		.stride_h = c->stride_h,
		.dilation_w = c->dilation_w,
		.dilation_h = c->dilation_h,
		.pad_left = t->pad_l,
		.pad_top = t->pad_t,
		/* Padded cells hold the input zero point (folded into the bias). */
		.pad_value = c->dtype == RNPU_DT_INT8 ? (uint8_t)(int8_t)c->in_zero_point : 0,
		.wt_dma = pl->consts_dma +
			  ((uint64_t)t->group * pl->nchunks + t->chunk) * pl->wt_bytes_chunk,
		.kw = c->kw,
		.kh = c->kh,
		.kernels = chunk_kernels(pl, t->chunk),
		.out_dma = pl->out_dma + (uint64_t)(oc0 / pl->c2out) * plane +
			   ((uint64_t)t->oy0 * pl->ow + t->ox0) * OPS_ATOM_BYTES,
		.out_w = pl->ow,
		.out_h = pl->oh,
		.cols = t->cols,
		.rows = t->rows,
		.channels = channels,
		/* Depthwise writes every padded input channel, in_c real. */
		.orig_channels = c->depthwise ? c->in_c : channels,
		/* 2 for direct int8 and fp16 output; vendor captures program 4
		 * for depthwise (docs/ops.md). */
		.out_atoms = c->depthwise ? DW_OUT_ATOMS : pl->kg * out_bytes / OPS_ATOM_BYTES,
		.dpu_in_prec = pass == PASS_REQUANT ? TASK_PREC_INT32 : prec,
		.out_prec = partial ? TASK_PREC_INT32 : prec,
		/* Bias, and for int8 the multiplier and shift, from the
		 * records; partial sums pass unchanged. */
		.records = !partial,
		.rec_dma = pl->consts_dma + pl->rec_offset + (uint64_t)oc0 * pl->rec_words * 4,
		.rec_mul = !fp,
		.relu = c->relu && !partial ? TASK_RELU_BS : TASK_RELU_NONE,
		/* OUT_CVT adds the output zero point; saturation to int8
		 * follows. */
		.cvt_offset = fp || partial ? 0 : c->out_zero_point,
		.cvt_scale = 1,
	};

	/* Group g writes acc[g % 2] and, after the first, adds
	 * acc[(g - 1) % 2]; the requantisation reads the last group's. */
	if (partial) {
		d.out_dma = sum_addr(pl, t, pl->acc_dma[t->group % 2]);
		d.ew_add = t->group > 0;
		if (d.ew_add)
			d.ew_dma = sum_addr(pl, t, pl->acc_dma[(t->group - 1) % 2]);
	} else if (pass == PASS_REQUANT) {
		d.flying_dma = sum_addr(pl, t, pl->acc_dma[(pl->nsplit - 1) % 2]);
	}
	task_emit(p, &d);
}

static int build(struct rnpu_regcmd_prog *prog, const struct conv_plan *pl, uint64_t regcmd_dma,
		 char *err, size_t len)
{
	struct rnpu_regcmd_prog *p = prog;
	int ret = 0;

	rnpu_regcmd_init(p);
	for (uint32_t ch = 0; !ret && ch < pl->nchunks; ch++)
		for (uint32_t oy0 = 0; !ret && oy0 < pl->oh; oy0 += pl->band)
			for (uint32_t ox0 = 0; !ret && ox0 < pl->ow; ox0 += pl->tile_ow) {
				const struct rnpu_conv2d_params *c = &pl->p;
				struct conv_tile t = { .chunk = ch, .oy0 = oy0, .ox0 = ox0 };

				t.rows = ops_min(pl->band, pl->oh - oy0);
				t.cols = ops_min(pl->tile_ow, pl->ow - ox0);
				window(oy0, t.rows, c->stride_h, c->pad_top, pl->reach_h, c->in_h,
				       &t.iy0, &t.in_rows, &t.pad_t);
				window(ox0, t.cols, c->stride_w, c->pad_left, pl->reach_w, c->in_w,
				       &t.ix0, &t.in_cols, &t.pad_l);
				if (pl->nsplit == 1) {
					emit_task(p, pl, &t, PASS_WHOLE);
				} else {
					for (t.group = 0; t.group < pl->nsplit; t.group++)
						emit_task(p, pl, &t, PASS_PARTIAL);
					emit_task(p, pl, &t, PASS_REQUANT);
				}
				ret = p->err;
			}
	if (!ret)
		ret = rnpu_regcmd_link(p, regcmd_dma);
	if (ret) {
		snprintf(err, len, "%s", p->msg);
		rnpu_regcmd_fini(p);
	}
	return ret;
}

/*
 * Input channels in groups when the whole kernel does not fit: the largest
 * group (a multiple of 32 channels, within the 14-bit channel field) that
 * plans, then as many groups of equal size as that needs. int8 direct
 * convolution only: int32 partial sums add exactly, fp32 ones would round
 * differently from one accumulation. On failure @err keeps the unsplit
 * plan's refusal.
 */
static int plan_split(struct conv_plan *pl, int unsplit_ret, char *err, size_t len)
{
	const uint32_t max_real = (CNA_DATA_SIZE1_DATAIN_CHANNEL_REAL__MASK >>
				   CNA_DATA_SIZE1_DATAIN_CHANNEL_REAL__SHIFT) + 1;
	const uint32_t step = 32;
	char scratch[RNPU_REGCMD_MSG_LEN + 64];
	uint32_t lo = 1, hi = ops_min(pl->ca, max_real) / step, best = 0;

	if (pl->p.dtype != RNPU_DT_INT8 || pl->p.depthwise || pl->ca <= step)
		return unsplit_ret;
	/* Fitting shrinks as groups grow: the largest that plans. */
	while (lo <= hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		pl->cg = mid * step;
		if (plan_tiles(pl, scratch, sizeof(scratch)) == 0) {
			best = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	if (!best || best * step >= pl->ca) {
		pl->cg = pl->ca;
		return unsplit_ret;
	}
	pl->nsplit = ops_div_up(pl->ca, best * step);
	pl->cg = ops_div_up(ops_div_up(pl->ca, pl->nsplit), step) * step;
	pl->nsplit = ops_div_up(pl->ca, pl->cg);
	return plan_tiles(pl, err, len);
}

static int rebuild(struct rnpu_op *op, struct rnpu_regcmd_prog *prog, uint64_t regcmd_dma,
		   char *err, size_t len)
{
	struct conv_plan *pl = op->plan;

	pl->in_dma = rnpu_bo_dma_addr(op->in[0]);
	pl->out_dma = rnpu_bo_dma_addr(op->out);
	pl->consts_dma = rnpu_bo_dma_addr(op->consts);
	for (unsigned int i = 0; i < 2 && pl->nsplit > 1; i++)
		pl->acc_dma[i] = rnpu_bo_dma_addr(op->scratch[i]);
	return build(prog, pl, regcmd_dma, err, len);
}

int rnpu_conv2d_create(struct rnpu_dev *dev, const struct rnpu_conv2d_params *params,
		       struct rnpu_op **out)
{
	struct rnpu_op *op;
	struct conv_plan pl;
	struct rnpu_regcmd_prog prog;
	char err[RNPU_REGCMD_MSG_LEN + 64] = "";
	size_t nwords;
	int ret;

	if (!dev || !params || !out)
		return dev ? rnpu_set_error(dev, -EINVAL, "conv2d: NULL parameters or result")
			   : -EINVAL;
	op = calloc(1, sizeof(*op));
	if (!op)
		return -ENOMEM;
	op->dev = dev;
	op->kind = OPS_CONV2D;
	op->name = "conv2d";
	memset(&pl, 0, sizeof(pl));
	pl.p = *params;
	ret = check_params(&pl, err, sizeof(err));
	if (ret)
		goto fail;
	pl.eb = rnpu_dtype_size((enum rnpu_dtype)pl.p.dtype);
	pl.c2in = rnpu_dtype_c2((enum rnpu_dtype)pl.p.dtype);
	pl.c2out = pl.c2in; /* int8 -> int8, fp16 -> fp16 */
	pl.ca = ops_div_up(pl.p.in_c, pl.c2in) * pl.c2in;
	pl.kg = pl.eb == 1 ? KG_8BIT : KG_16BIT;
	pl.rec_words = pl.p.dtype == RNPU_DT_FP16 ? 1 : TASK_REC_MUL_WORDS;
	pl.cg = pl.ca;
	pl.nsplit = 1;
	ret = plan_tiles(&pl, err, sizeof(err));
	if (ret == -ERANGE || pl.ca > (CNA_DATA_SIZE1_DATAIN_CHANNEL_REAL__MASK >>
				       CNA_DATA_SIZE1_DATAIN_CHANNEL_REAL__SHIFT) + 1)
		ret = plan_split(&pl, ret, err, sizeof(err));
	if (ret)
		goto fail;

	op->in_dt = op->out_dt = (enum rnpu_dtype)pl.p.dtype;
	op->in_h = pl.p.in_h;
	op->in_w = pl.p.in_w;
	op->in_c = pl.p.in_c;
	op->out_h = pl.oh;
	op->out_w = pl.ow;
	op->out_c = pl.p.out_c;
	op->num_inputs = 1;
	op->macs = (uint64_t)pl.oh * pl.ow * pl.p.kh * pl.p.kw * pl.ca *
		   (pl.p.depthwise ? 1 : pl.p.out_c);

	pl.wt_bytes_chunk = rnpu_native_weights_size((enum rnpu_dtype)pl.p.dtype,
						     pl.p.depthwise ? pl.p.in_c : pl.kpt, pl.p.kh,
						     pl.p.kw, pl.nsplit > 1 ? pl.cg : pl.p.in_c,
						     pl.p.depthwise);
	pl.wt_bytes_chunk =
		(pl.wt_bytes_chunk + OPS_ATOM_BYTES - 1) / OPS_ATOM_BYTES * OPS_ATOM_BYTES;
	pl.rec_offset = pl.wt_bytes_chunk * pl.nchunks * pl.nsplit;
	/* A unit's group tasks and its requantisation run in order on one
	 * core. */
	op->tasks_per_unit = pl.nsplit > 1 ? pl.nsplit + 1 : 1;
	pl.consts_bytes =
		pl.rec_offset + (size_t)(pl.p.depthwise ? pl.ca : pl.p.out_c) * pl.rec_words * 4;

	/* Dry run: validates every register value and sizes the program. */
	ret = build(&prog, &pl, 0, err, sizeof(err));
	if (ret)
		goto fail;
	nwords = prog.nwords;
	rnpu_regcmd_fini(&prog);

	op->in_bytes[0] = rnpu_native_size(op->in_dt, pl.p.in_h, pl.p.in_w, pl.p.in_c);
	op->out_bytes = rnpu_native_size(op->out_dt, pl.oh, pl.ow, pl.p.out_c);
	ret = ops_bo_alloc(op, rnpu_native_size(op->in_dt, pl.p.in_h, pl.p.in_w, pl.p.in_c),
			   &op->in[0], &op->in_map[0]);
	if (!ret)
		ret = ops_bo_alloc(op, rnpu_native_size(op->out_dt, pl.oh, pl.ow, pl.p.out_c),
				   &op->out, &op->out_map);
	if (!ret)
		ret = ops_bo_alloc(op, pl.consts_bytes, &op->consts, &op->consts_map);
	for (unsigned int i = 0; !ret && pl.nsplit > 1 && i < 2; i++)
		ret = ops_bo_alloc(op, rnpu_native_size(RNPU_DT_INT32, pl.oh, pl.ow, pl.p.out_c),
				   &op->scratch[i], NULL);
	if (!ret)
		ret = ops_alloc_regcmd(op, nwords);
	if (ret)
		goto fail;
	ret = fill_consts(&pl, op->consts_map, err, sizeof(err));
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
