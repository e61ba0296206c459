// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Register program of a matmul as 1x1 convolutions (hardware notes sections
 * 4.2-4.4, 5 and the worked M=4 K=32 N=32 int8 table of section 8, which a
 * single tile of that shape reproduces word for word).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rk3588_regs.h"
#include "rnpu/matmul_task.h"
#include "task_emit.h"

#define ATOM_BYTES 16u
/* Group-line fetch reads 4 lines at a time (section 5.2). */
#define GROUP_LINES 4u
/* A matmul is a convolution one pixel wide. */
#define WIDTH 1u
/* Weight banks one kernel group may take, which bounds K per task list:
 * 8 of the 12 banks leave 4 for at least 16 rows of the longest input
 * row, and 8192 is the K segment the vendor's runtime uses on RK3588. */
#define MAX_WEIGHT_BANKS 8u
/* A per-column record: bias, multiplier and shift slots. */
#define REC_BYTES (TASK_REC_MUL_WORDS * 4u)
/* int4 tasks take their rows as the input width, at most this many: the
 * largest tile of the board-tested int4 program (docs/hw-facts-int4.md). */
#define INT4_MAX_ROWS 128u

struct mm_plan {
	const struct rnpu_matmul_desc *d;
	struct rnpu_mm_layout l;
	uint32_t cna_prec;       /* CNA and CORE input/processing precision */
	uint32_t dpu_out_prec;
	uint32_t out_bytes;      /* bytes per written element */
	uint32_t out_atoms;      /* output atoms per kernel group (SIZE_E + 1) */
	uint32_t weight_banks;   /* banks one kernel group's weights need */
	uint32_t tile_m;
};

static uint32_t div_up(uint64_t a, uint32_t b)
{
	return (uint32_t)((a + b - 1) / b);
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static const char *type_name(enum rnpu_mm_type t)
{
	switch (t) {
	case RNPU_MM_INT8_INT32: return "int8->int32";
	case RNPU_MM_FP16_FP32: return "fp16->fp32";
	case RNPU_MM_FP16_FP16: return "fp16->fp16";
	case RNPU_MM_INT8_INT8: return "int8->int8";
	case RNPU_MM_INT16_INT32: return "int16->int32";
	case RNPU_MM_INT4_INT16: return "int4->int16";
	}
	return "?";
}

/* A tensor must be atom aligned and lie below 4 GiB: every address register
 * on the path is 32 bits wide. */
static int check_buffer(struct rnpu_regcmd_prog *p, const char *what, uint64_t addr, size_t bytes)
{
	const uint64_t limit = UINT64_C(1) << 32;

	if (addr % ATOM_BYTES)
		return rnpu_regcmd_fail(p, -EINVAL, "%s: device address 0x%" PRIx64
					" is not %u-byte aligned", what, addr, ATOM_BYTES);
	if (!bytes || addr >= limit || bytes > limit - addr)
		return rnpu_regcmd_fail(p, -ERANGE, "%s: 0x%" PRIx64 " + %zu bytes ends beyond the"
					" 32-bit device address space", what, addr, bytes);
	return 0;
}

static uint32_t field_max(uint32_t mask, unsigned int shift)
{
	return mask >> shift;
}

/* CBUF bytes one input row occupies: whole 64-byte entries (DATA_ENTRIES). */
static uint64_t cbuf_row_bytes(const struct mm_plan *pl)
{
	return (uint64_t)div_up((uint64_t)pl->d->k * pl->l.in_bits, 8 * TASK_CBUF_ENTRY_BYTES) *
	       TASK_CBUF_ENTRY_BYTES;
}

static bool is_int4(const struct mm_plan *pl)
{
	return pl->l.in_bits == 4;
}

/* Largest tile height all row-count fields and the CBUF data banks allow. */
static uint32_t tile_limit(const struct mm_plan *pl)
{
	uint64_t fit = (uint64_t)(TASK_CBUF_BANKS - pl->weight_banks) * TASK_CBUF_BANK_BYTES /
		       cbuf_row_bytes(pl);
	/* FEATURE_GRAINS holds rows + 1. */
	uint32_t lim = field_max(CNA_CONV_CON2_FEATURE_GRAINS__MASK,
				 CNA_CONV_CON2_FEATURE_GRAINS__SHIFT) - 1;

	lim = min_u32(lim, field_max(CNA_DATA_SIZE0_DATAIN_HEIGHT__MASK,
				     CNA_DATA_SIZE0_DATAIN_HEIGHT__SHIFT));
	lim = min_u32(lim, field_max(CNA_FC_DATA_SIZE0_DMA_HEIGHT__MASK,
				     CNA_FC_DATA_SIZE0_DMA_HEIGHT__SHIFT));
	if (is_int4(pl))
		lim = INT4_MAX_ROWS;
	return fit < lim ? (uint32_t)fit : lim;
}

uint32_t rnpu_matmul_max_k(enum rnpu_mm_type type)
{
	struct rnpu_mm_layout l;

	if (rnpu_matmul_layout(type, &l))
		return 0;
	return MAX_WEIGHT_BANKS * TASK_CBUF_BANK_BYTES * 8 / (l.kernel_group * l.in_bits);
}

int rnpu_mm_requant_from_float(double multiplier, int32_t offset, struct rnpu_mm_requant *out)
{
	int shift = 0;
	double mant;

	if (!(multiplier > 0.0) || multiplier >= 65536.0 || isnan(multiplier))
		return -EINVAL;
	/* Keep the scale in [2^15, 2^16) for 16 significant bits. */
	mant = frexp(multiplier, &shift); /* multiplier = mant * 2^shift, mant in [0.5, 1) */
	shift = 16 - shift;
	if (shift > 47) {
		/* Tiny multipliers lose precision but stay representable. */
		mant = ldexp(multiplier, 47);
		shift = 47;
		if (mant < 0.5)
			return -EINVAL;
		out->scale = (uint16_t)llround(mant);
	} else if (shift < 0) {
		return -EINVAL;
	} else {
		long long sc = llround(ldexp(mant, 16));

		if (sc > 65535) { /* mant rounded up to 1.0 */
			sc = 32768;
			shift--;
			if (shift < 0)
				return -EINVAL;
		}
		out->scale = (uint16_t)sc;
	}
	out->shift = (uint8_t)shift;
	out->offset = offset;
	return 0;
}

static int plan_matmul(struct rnpu_regcmd_prog *p, const struct rnpu_matmul_desc *d,
		       uint64_t regcmd_dma, struct mm_plan *pl)
{
	uint64_t kernel_bytes, group_bytes;
	uint32_t lim;
	int ret;

	memset(pl, 0, sizeof(*pl));
	pl->d = d;
	if (rnpu_matmul_layout(d->type, &pl->l))
		return rnpu_regcmd_fail(p, -EINVAL, "type: unknown matmul type %d", (int)d->type);
	if (!d->m || !d->k || !d->n)
		return rnpu_regcmd_fail(p, -EINVAL, "M, K, N must be at least 1 (got %" PRIu32 ", %"
					PRIu32 ", %" PRIu32 ")", d->m, d->k, d->n);
	/* Weights are fetched in 32-channel blocks and DPU output in 16-channel
	 * groups; other shapes would need zero padding the caller can do. */
	if (d->k % pl->l.channel_block)
		return rnpu_regcmd_fail(p, -EINVAL, "K = %" PRIu32 " is not a multiple of %" PRIu32,
					d->k, pl->l.channel_block);
	if (d->n % (is_int4(pl) ? pl->l.kernel_group : 16))
		return rnpu_regcmd_fail(p, -EINVAL, "N = %" PRIu32 " is not a multiple of %" PRIu32,
					d->n, is_int4(pl) ? pl->l.kernel_group : 16);
	/* The int4 program leaves every DPU stage bypassed (hw-facts-int4.md). */
	if (is_int4(pl) && (d->relu || d->acc_dma || d->partial_out))
		return rnpu_regcmd_fail(p, -EINVAL, "%s: not available for int4->int16",
					d->relu ? "relu" : "K-split partial sums");
	if (d->type != RNPU_MM_INT8_INT8 && (d->requant.scale || d->requant.shift ||
					     d->requant.offset))
		return rnpu_regcmd_fail(p, -EINVAL, "requant: only for int8->int8 output");
	if (d->type == RNPU_MM_INT8_INT8 && !d->partial_out && !d->requant.scale && !d->rec_dma)
		return rnpu_regcmd_fail(p, -EINVAL, "requant.scale: 0 for int8->int8 output");
	if ((d->rec_dma || d->sums_dma) && d->type != RNPU_MM_INT8_INT8 &&
	    d->type != RNPU_MM_INT8_INT32)
		return rnpu_regcmd_fail(p, -EINVAL, "rec_dma: per-column requantisation is for"
					" int8 inputs only, not %s", type_name(d->type));
	if (d->sums_dma && !d->rec_dma)
		return rnpu_regcmd_fail(p, -EINVAL, "sums_dma: an epilogue task needs rec_dma");
	if (d->rec_dma && (d->requant.scale || d->requant.shift))
		return rnpu_regcmd_fail(p, -EINVAL, "requant: scale %u, shift %u with per-column"
					" records (only the offset applies)",
					(unsigned int)d->requant.scale, (unsigned int)d->requant.shift);
	/* BS runs before EW: records on a task that adds earlier sums would
	 * scale only the last segment. */
	if (d->rec_dma && (d->acc_dma || d->partial_out))
		return rnpu_regcmd_fail(p, -EINVAL, "rec_dma: per-column requantisation of K-split"
					" sums needs an epilogue task (sums_dma)");
	if (d->requant.shift > 47)
		return rnpu_regcmd_fail(p, -ERANGE, "requant.shift: %u exceeds 47",
					(unsigned int)d->requant.shift);

	kernel_bytes = (uint64_t)d->k * pl->l.in_bits / 8;
	if (kernel_bytes > TASK_CBUF_BANK_BYTES)
		return rnpu_regcmd_fail(p, -ERANGE, "K = %" PRIu32 ": %" PRIu64 " bytes per kernel"
					" exceed one %u-byte CBUF bank", d->k, kernel_bytes,
					TASK_CBUF_BANK_BYTES);
	group_bytes = kernel_bytes * min_u32(pl->l.kernel_group, d->n);
	pl->weight_banks = div_up(group_bytes, TASK_CBUF_BANK_BYTES);
	if (pl->weight_banks > TASK_CBUF_BANKS - 1)
		return rnpu_regcmd_fail(p, -ERANGE, "K = %" PRIu32 ": one kernel group's weights (%"
					PRIu64 " bytes) do not fit the %u CBUF banks left beside"
					" one data bank", d->k, group_bytes, TASK_CBUF_BANKS - 1);

	if (d->sums_dma) {
		ret = check_buffer(p, "sums", d->sums_dma, rnpu_matmul_acc_size(d->m, d->n));
	} else {
		ret = check_buffer(p, "A", d->a_dma, rnpu_matmul_a_size(d->type, d->m, d->k, d->n));
		if (!ret)
			ret = check_buffer(p, "B", d->b_dma,
					   rnpu_matmul_b_size(d->type, d->m, d->k, d->n));
	}
	if (!ret && d->rec_dma)
		ret = check_buffer(p, "records", d->rec_dma, (size_t)d->n * REC_BYTES);
	if (!ret)
		ret = check_buffer(p, "C", d->c_dma,
				   d->partial_out ? rnpu_matmul_acc_size(d->m, d->n)
						  : rnpu_matmul_c_size(d->type, d->m, d->k, d->n));
	if (!ret && d->acc_dma)
		ret = check_buffer(p, "partial sums", d->acc_dma, rnpu_matmul_acc_size(d->m, d->n));
	if (ret)
		return ret;
	if (regcmd_dma & ((UINT64_C(1) << PC_BASE_ADDRESS_PC_SOURCE_ADDR__SHIFT) - 1))
		return rnpu_regcmd_fail(p, -EINVAL, "regcmd: device address 0x%" PRIx64
					" is not %u-byte aligned", regcmd_dma,
					1u << PC_BASE_ADDRESS_PC_SOURCE_ADDR__SHIFT);

	switch (d->type) {
	case RNPU_MM_INT8_INT32:
		pl->cna_prec = TASK_PREC_INT8;
		pl->dpu_out_prec = TASK_PREC_INT32;
		break;
	case RNPU_MM_INT8_INT8:
		pl->cna_prec = TASK_PREC_INT8;
		pl->dpu_out_prec = TASK_PREC_INT8;
		break;
	case RNPU_MM_INT16_INT32:
		pl->cna_prec = TASK_PREC_INT16;
		pl->dpu_out_prec = TASK_PREC_INT32;
		break;
	case RNPU_MM_INT4_INT16:
		pl->cna_prec = TASK_PREC_INT4;
		pl->dpu_out_prec = TASK_PREC_INT16;
		break;
	default:
		pl->cna_prec = TASK_PREC_FP16;
		pl->dpu_out_prec = d->type == RNPU_MM_FP16_FP32 ? TASK_PREC_FP32 : TASK_PREC_FP16;
		break;
	}
	pl->out_bytes = pl->l.out_bytes;
	if (d->partial_out) {
		/* Partial sums stay in the accumulator's 32-bit type. */
		pl->dpu_out_prec = pl->cna_prec == TASK_PREC_FP16 ? TASK_PREC_FP32 : TASK_PREC_INT32;
		pl->out_bytes = 4;
	}
	/* The DPU writes a kernel group's channels as consecutive surfaces. */
	pl->out_atoms = pl->l.kernel_group * pl->out_bytes / ATOM_BYTES;

	lim = tile_limit(pl);
	if (d->max_tile_m) {
		pl->tile_m = min_u32(d->max_tile_m, lim);
	} else {
		pl->tile_m = lim;
		/* Split tiles keep heights a multiple of the 4-line fetch group,
		 * the only heights the reference generators ran on hardware. */
		if (d->m > lim && lim >= GROUP_LINES)
			pl->tile_m -= lim % GROUP_LINES;
	}
	pl->tile_m = min_u32(pl->tile_m, d->m);
	return 0;
}

/* Rows [m0, m0 + rows) of C as one task: a 1 x rows window of A (every
 * surface the full M apart) against all N kernels of B. */
static void emit_tile(struct rnpu_regcmd_prog *p, const struct mm_plan *pl, uint32_t m0,
		      uint32_t rows)
{
	const struct rnpu_matmul_desc *d = pl->d;
	struct task_desc t = {
		.compute = true,
		.prec = pl->cna_prec,
		.elem_bytes = pl->l.in_bytes,
		.elem_bits = pl->l.in_bits,
		.in_dma = d->a_dma + (uint64_t)m0 * ATOM_BYTES,
		.in_w = WIDTH,
		.in_h = d->m,
		.in_cols = WIDTH,
		.in_rows = rows,
		.in_channels = d->k,
		.stride_w = 1,
		.stride_h = 1,
		.dilation_w = 1,
		.dilation_h = 1,
		.wt_dma = d->b_dma,
		.kw = 1,
		.kh = 1,
		.kernels = d->n,
		.out_dma = d->c_dma + (uint64_t)m0 * ATOM_BYTES,
		.out_w = WIDTH,
		.out_h = d->m,
		.cols = WIDTH,
		.rows = rows,
		.channels = d->n,
		.orig_channels = d->n,
		.out_atoms = pl->out_atoms,
		.dpu_in_prec = pl->cna_prec,
		.out_prec = pl->dpu_out_prec,
		/* The earlier K slices' sums of the same rows, through ERDMA. */
		.ew_add = d->acc_dma != 0,
		.ew_dma = d->acc_dma + (uint64_t)m0 * ATOM_BYTES,
		/* ReLU in BN when nothing is added later, else in EW after the add. */
		.relu = !d->relu ? TASK_RELU_NONE : d->acc_dma ? TASK_RELU_EW : TASK_RELU_BN,
		.cvt_scale = 1,
		.clear_lut = true,
	};

	if (is_int4(pl)) {
		/* The rows become the input width: a 1 x rows window of a
		 * plane M wide and one high, the same atoms as M x 1. */
		t.in_w = d->m;
		t.in_h = 1;
		t.in_cols = rows;
		t.in_rows = 1;
		t.out_w = d->m;
		t.out_h = 1;
		t.cols = rows;
		t.rows = 1;
	}
	if (d->rec_dma) {
		/* Per column: BS multiplies and shifts (rounded half up) the
		 * finished sum, ReLU follows there; OUT_CVT adds the offset. */
		t.records = true;
		t.rec_dma = d->rec_dma;
		t.rec_mul = true;
		t.relu = d->relu ? TASK_RELU_BS : TASK_RELU_NONE;
		t.cvt_offset = pl->dpu_out_prec == TASK_PREC_INT8 ? d->requant.offset : 0;
		if (d->sums_dma) {
			t.compute = false;
			t.flying_dma = d->sums_dma + (uint64_t)m0 * ATOM_BYTES;
			t.dpu_in_prec = TASK_PREC_INT32;
		}
	} else if (pl->dpu_out_prec == TASK_PREC_INT8) {
		/* Requantise: ((acc * scale) >> shift, rounded half up) + offset. */
		t.cvt_offset = d->requant.offset;
		t.cvt_scale = d->requant.scale;
		t.cvt_shift = d->requant.shift;
		t.cvt_round = true;
	}
	task_emit(p, &t);
}

uint32_t rnpu_matmul_tile_rows(const struct rnpu_matmul_desc *d)
{
	struct rnpu_regcmd_prog p;
	struct mm_plan pl;
	uint32_t rows;

	rnpu_regcmd_init(&p);
	rows = plan_matmul(&p, d, 0, &pl) ? 0 : pl.tile_m;
	rnpu_regcmd_fini(&p);
	return rows;
}

int rnpu_matmul_append(const struct rnpu_matmul_desc *d, struct rnpu_regcmd_prog *p)
{
	struct mm_plan pl;
	int ret;

	if (p->err)
		return p->err;
	uint32_t end;

	ret = plan_matmul(p, d, 0, &pl);
	if (!ret && (d->row_begin || d->row_count) &&
	    (d->row_count == 0 || d->row_begin >= d->m || d->row_count > d->m - d->row_begin))
		ret = rnpu_regcmd_fail(p, -EINVAL, "rows %" PRIu32 "+%" PRIu32 " outside M = %"
				       PRIu32, d->row_begin, d->row_count, d->m);
	end = d->row_count ? d->row_begin + d->row_count : d->m;
	for (uint32_t m0 = d->row_begin, rows; !ret && m0 < end; m0 += rows) {
		rows = min_u32(pl.tile_m, end - m0);
		emit_tile(p, &pl, m0, rows);
		ret = p->err;
	}
	if (ret && !p->err)
		rnpu_regcmd_fail(p, ret, "matmul %s %" PRIu32 "x%" PRIu32 "x%" PRIu32 " refused",
				 type_name(d->type), d->m, d->k, d->n);
	return p->err;
}

int rnpu_matmul_build(const struct rnpu_matmul_desc *d, uint64_t regcmd_dma,
		      struct rnpu_regcmd_prog *out, char *err, size_t errlen)
{
	struct mm_plan pl;
	int ret;

	rnpu_regcmd_init(out);
	ret = plan_matmul(out, d, regcmd_dma, &pl);
	for (uint32_t m0 = 0, rows; !ret && m0 < d->m; m0 += rows) {
		rows = min_u32(pl.tile_m, d->m - m0);
		emit_tile(out, &pl, m0, rows);
		ret = out->err;
	}
	if (!ret)
		ret = rnpu_regcmd_link(out, regcmd_dma);
	if (ret) {
		if (err && errlen)
			snprintf(err, errlen, "matmul %s %" PRIu32 "x%" PRIu32 "x%" PRIu32 ": %s",
				 type_name(d->type), d->m, d->k, d->n, out->msg);
		rnpu_regcmd_fini(out);
		return ret;
	}
	if (err && errlen)
		err[0] = '\0';
	return 0;
}
