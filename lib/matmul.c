// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Matmul of any size on one to three cores: padding, the N/M/K split, the
 * per-core task ranges, native buffers from the pool, packing, submission.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "rnpu/matmul.h"
#include "rnpu/ops.h"
#include "rnpu/pool.h"
#include "rnpu_internal.h"
#include "task_emit.h"

#define ATOM_BYTES 16u
#define K_ALIGN 32u
#define N_ALIGN 16u
#define MAX_CORES 3u
#define ACC_C2 4u       /* int32/fp32 partial sums per atom */
#define REC_BYTES (TASK_REC_MUL_WORDS * 4u) /* one column's requantisation record */
#define DATA_FLAGS RKNPU_MEM_CACHEABLE
#define TASK_FLAGS (RKNPU_MEM_CACHEABLE | RKNPU_MEM_KERNEL_MAPPING)
/* The slowest rate a job is given before it counts as hung: far below the
 * hardware's 1024 MACs per cycle, above a software NPU under sanitizers. */
#define SLOWEST_MACS_PER_MS 10000u

/* One (N chunk, M rows) piece; its K segments run in order on one core. */
struct mm_unit {
	uint32_t n0, nc, m0, rows;
	uint64_t macs;
};

struct mm_operand {
	struct rnpu_bo *own;   /* internal buffer from the pool */
	struct rnpu_bo *bo;    /* the buffer in use (own or bound) */
	uint64_t offset;
	void *map;             /* CPU address of offset, or NULL */
	size_t size;
};

struct rnpu_matmul {
	struct rnpu_dev *dev;
	struct rnpu_pool *pool;
	struct rnpu_matmul_cfg cfg;
	struct rnpu_mm_layout l;
	uint32_t kp, np;
	uint32_t nseg, seg_k;          /* K segments, all seg_k long but the last */
	uint32_t tile_m;
	struct mm_operand op[3];
	struct rnpu_bo *acc[2];        /* partial sums when nseg > 1 */
	bool per_col;                  /* cfg.col_scale given: records in rec */
	struct rnpu_bo *rec;           /* per-column records, Np of them */
	struct rnpu_bo *regcmd, *task;
	uint32_t ntasks;
	struct mm_unit *units;
	uint32_t nunits;
	uint32_t ncores, core_mask;
	uint64_t freq_hz;              /* for modelled times; 0 if unknown */
	uint32_t unit_core_end[MAX_CORES]; /* units [prev end, end) run on core i */
	struct rnpu_matmul_stats plan;
};

static uint32_t round_up(uint32_t v, uint32_t a)
{
	return (v + a - 1) / a * a;
}

static uint32_t div_up(uint64_t v, uint64_t d)
{
	return (uint32_t)((v + d - 1) / d);
}

/* N padding: 16 channels, or whole 64-kernel groups for int4 (never
 * compacted, docs/hw-facts-int4.md). */
static uint32_t n_align(enum rnpu_mm_type type)
{
	return type == RNPU_MM_INT4_INT16 ? 64u : N_ALIGN;
}

/* Bytes of @elems A/B elements (int4: two per byte). */
static uint64_t in_bytes(const struct rnpu_mm_layout *l, uint64_t elems)
{
	return (elems * l->in_bits + 7) / 8;
}

/* K segments of a K padded to @kp: all seg_k long but the last. */
static void k_segments(enum rnpu_mm_type type, uint32_t kp, uint32_t *nseg, uint32_t *seg_k)
{
	uint32_t kmax = rnpu_matmul_max_k(type);

	*nseg = div_up(kp, kmax);
	*seg_k = round_up(div_up(kp, *nseg), K_ALIGN);
}

uint32_t rnpu_matmul_k_segments(const struct rnpu_matmul *mm)
{
	return mm->nseg;
}

uint32_t rnpu_matmul_k_segment(const struct rnpu_matmul *mm, uint32_t i)
{
	if (i >= mm->nseg)
		return 0;
	return i + 1 < mm->nseg ? mm->seg_k : mm->kp - i * mm->seg_k;
}

/* Byte offset of segment @s inside the native B. */
static uint64_t b_seg_offset(const struct rnpu_matmul *mm, uint32_t s)
{
	return in_bytes(&mm->l, (uint64_t)s * mm->seg_k * mm->np);
}

void rnpu_matmul_padded(const struct rnpu_matmul *mm, uint32_t *kp, uint32_t *np)
{
	if (kp)
		*kp = mm->kp;
	if (np)
		*np = mm->np;
}

size_t rnpu_matmul_native_size(const struct rnpu_matmul *mm, enum rnpu_mm_operand op)
{
	return op <= RNPU_MM_C ? mm->op[op].size : 0;
}

static int check_cfg(struct rnpu_dev *dev, const struct rnpu_matmul_cfg *c)
{
	struct rnpu_mm_layout l;
	uint32_t mask = c->core_mask;

	if (rnpu_matmul_layout(c->type, &l))
		return rnpu_set_error(dev, -EOPNOTSUPP, "matmul: type %d is not supported",
				      (int)c->type);
	if (!c->m || !c->k || !c->n)
		return rnpu_set_error(dev, -EINVAL, "matmul: M, K, N must be >= 1 (got %u, %u, %u)",
				      c->m, c->k, c->n);
	if (c->k > UINT32_MAX - K_ALIGN || c->n > UINT32_MAX - N_ALIGN)
		return rnpu_set_error(dev, -EINVAL, "matmul: K = %u or N = %u too large", c->k,
				      c->n);
	if (mask != 0 && mask != 1 && mask != 2 && mask != 4 && mask != 3 && mask != 7)
		return rnpu_set_error(dev, -EINVAL, "matmul: core_mask 0x%x is not 0, 1, 2, 4, 3"
				      " or 7", mask);
	if (c->col_scale && c->type != RNPU_MM_INT8_INT8 && c->type != RNPU_MM_INT8_INT32)
		return rnpu_set_error(dev, -EOPNOTSUPP, "matmul: col_scale is for int8 x int8"
				      " types only (type %d)", (int)c->type);
	if (c->col_scale && (c->requant.scale || c->requant.shift))
		return rnpu_set_error(dev, -EINVAL, "matmul: requant.scale %u / shift %u must be"
				      " 0 with col_scale", (unsigned int)c->requant.scale,
				      (unsigned int)c->requant.shift);
	if (c->type == RNPU_MM_INT8_INT8 && !c->requant.scale && !c->col_scale)
		return rnpu_set_error(dev, -EINVAL, "matmul: requant.scale is 0 for int8 output");
	if (c->type != RNPU_MM_INT8_INT8 &&
	    (c->requant.scale || c->requant.shift || c->requant.offset))
		return rnpu_set_error(dev, -EINVAL, "matmul: requant is only for int8 output");
	if (c->requant.shift > 47)
		return rnpu_set_error(dev, -EINVAL, "matmul: requant.shift %u exceeds 47",
				      c->requant.shift);
	if (c->type == RNPU_MM_INT4_INT16 && c->relu)
		return rnpu_set_error(dev, -EINVAL, "matmul: relu is not available for int4->int16"
				      " (the int4 path runs every DPU stage bypassed)");
	if (c->type == RNPU_MM_INT4_INT16 &&
	    round_up(c->k, K_ALIGN) > rnpu_matmul_max_k(c->type))
		return rnpu_set_error(dev, -EINVAL, "matmul: K = %u exceeds %u for int4->int16 (K"
				      " segments would add int16 partial sums, which the int4 path"
				      " does not have)", c->k, rnpu_matmul_max_k(c->type));
	return 0;
}

/* The per-column records: column j's scale as a 16-bit multiplier and a
 * shift (rnpu_requant_from_scale), no bias; padding columns get 1. */
static int pack_col_records(struct rnpu_matmul *mm, const double *scale)
{
	uint8_t *rec;
	int ret;

	ret = rnpu_pool_alloc(mm->pool, (size_t)mm->np * REC_BYTES, DATA_FLAGS, &mm->rec);
	if (!ret)
		ret = rnpu_bo_map(mm->rec, (void **)&rec);
	if (ret)
		return rnpu_set_error(mm->dev, ret, "matmul: no memory for %u column records",
				      mm->np);
	for (uint32_t j = 0; j < mm->np; j++) {
		int16_t mul = 1;
		uint8_t shift = 0;

		if (j < mm->cfg.n) {
			ret = rnpu_requant_from_scale(scale[j], &mul, &shift);
			if (ret)
				return rnpu_set_error(mm->dev, ret, "matmul: col_scale[%u] = %g is"
						      " not in (2^-64, 32767]", j, scale[j]);
		}
		task_pack_requant_record((uint32_t *)(rec + (size_t)j * REC_BYTES), 0, mul,
					 shift);
	}
	return rnpu_bo_sync(mm->rec, 0, rnpu_bo_size(mm->rec), RKNPU_MEM_SYNC_TO_DEVICE);
}

/* Splits the work into units and the units into per-core ranges. */
static int plan_units(struct rnpu_matmul *mm)
{
	const uint32_t kg = mm->l.kernel_group;
	uint32_t groups = div_up(mm->np, kg);
	uint32_t gmax = RNPU_MATMUL_MAX_N / kg;
	uint32_t want = 1, nchunks, gpc, mtiles, rows, i, core;
	uint64_t total = 0, cum = 0;
	struct rnpu_matmul_desc d = { .type = mm->cfg.type, .m = mm->cfg.m, .k = mm->seg_k,
				      .n = mm->np < RNPU_MATMUL_MAX_N ? mm->np : RNPU_MATMUL_MAX_N,
				      .max_tile_m = mm->cfg.max_tile_m,
				      .requant = mm->cfg.requant,
				      .partial_out = mm->nseg > 1 || mm->per_col };

	/* Tile rows depend on K alone; plan as the partial-sum tasks. */
	if (d.partial_out)
		d.requant = (struct rnpu_mm_requant){ 0 };
	if (mm->cfg.core_mask == 3)
		want = 2;
	else if (mm->cfg.core_mask == 7)
		want = 3;
	rows = rnpu_matmul_tile_rows(&d);
	if (!rows)
		return -EINVAL;
	mtiles = div_up(mm->cfg.m, rows);
	nchunks = div_up(groups, gmax);
	/* Give every core work: more N chunks first, then shorter tiles. */
	if (nchunks * mtiles < want)
		nchunks = groups < div_up(want, mtiles) ? groups : div_up(want, mtiles);
	/* Equal shares: a unit count the cores divide (4 M tiles on 3 cores
	 * would leave one core twice the work; 3 N chunks of them do not). */
	for (uint32_t nc = nchunks; want > 1 && nc <= groups && nc <= nchunks * want; nc++) {
		if ((nc * mtiles) % want == 0) {
			nchunks = nc;
			break;
		}
	}
	gpc = div_up(groups, nchunks);
	nchunks = div_up(groups, gpc);
	if (nchunks * mtiles < want && mm->cfg.m > mtiles) {
		uint32_t per = div_up(want, nchunks);

		rows = div_up(mm->cfg.m, per < mm->cfg.m ? per : mm->cfg.m);
		mtiles = div_up(mm->cfg.m, rows);
	}
	mm->tile_m = rows;
	mm->nunits = nchunks * mtiles;
	mm->units = calloc(mm->nunits, sizeof(*mm->units));
	if (!mm->units)
		return -ENOMEM;
	for (i = 0; i < mm->nunits; i++) {
		struct mm_unit *u = &mm->units[i];
		uint32_t c = i / mtiles, t = i % mtiles;

		u->n0 = c * gpc * kg;
		u->nc = mm->np - u->n0 < gpc * kg ? mm->np - u->n0 : gpc * kg;
		u->m0 = t * rows;
		u->rows = mm->cfg.m - u->m0 < rows ? mm->cfg.m - u->m0 : rows;
		u->macs = (uint64_t)u->rows * u->nc * mm->kp;
		total += u->macs;
	}
	mm->ncores = want < mm->nunits ? want : mm->nunits;
	mm->core_mask = mm->ncores == want ? mm->cfg.core_mask : (1u << mm->ncores) - 1;
	if (mm->cfg.core_mask == 0 || (mm->cfg.core_mask & (mm->cfg.core_mask - 1)) == 0)
		mm->core_mask = mm->cfg.core_mask;
	/* Contiguous ranges, cut where a core has reached its share of MACs
	 * (or where the remaining units are just enough for the rest). */
	core = 0;
	for (i = 0; i < mm->nunits; i++) {
		uint32_t left_cores = mm->ncores - 1 - core;

		if (left_cores && i > (core ? mm->unit_core_end[core - 1] : 0) &&
		    (cum + mm->units[i].macs / 2 > total * (core + 1) / mm->ncores ||
		     mm->nunits - i == left_cores)) {
			mm->unit_core_end[core] = i;
			core++;
		}
		cum += mm->units[i].macs;
	}
	mm->unit_core_end[core] = mm->nunits;
	return 0;
}

static uint64_t op_addr(const struct rnpu_matmul *mm, enum rnpu_mm_operand op)
{
	return rnpu_bo_dma_addr(mm->op[op].bo) + mm->op[op].offset;
}

/* Builds the whole task list for the current buffer addresses and writes
 * it into the regcmd and task buffers. */
static int build(struct rnpu_matmul *mm)
{
	const struct rnpu_matmul_cfg *c = &mm->cfg;
	struct rnpu_regcmd_prog p;
	struct rknpu_task *tasks;
	uint32_t core_first_task[MAX_CORES] = { 0 }, core = 0;
	void *words;
	int ret;

	memset(&mm->plan, 0, sizeof(mm->plan));
	rnpu_regcmd_init(&p);
	for (uint32_t i = 0; i < mm->nunits; i++) {
		const struct mm_unit *u = &mm->units[i];

		while (i >= mm->unit_core_end[core]) {
			core++;
			core_first_task[core] = (uint32_t)p.ntasks;
		}
		for (uint32_t s = 0; s < mm->nseg; s++) {
			/* Per-column records apply once, after the last K
			 * segment: with several, all write partial sums and an
			 * epilogue task requantises the total. */
			bool last = s + 1 == mm->nseg && !(mm->per_col && mm->nseg > 1);
			uint32_t k0 = s * mm->seg_k;
			struct rnpu_matmul_desc d = {
				.type = c->type, .m = c->m, .k = rnpu_matmul_k_segment(mm, s),
				.n = u->nc, .max_tile_m = mm->tile_m,
				.row_begin = u->m0, .row_count = u->rows,
			};

			d.a_dma = op_addr(mm, RNPU_MM_A) +
				  (uint64_t)(k0 / mm->l.in_c2) * c->m * ATOM_BYTES;
			d.b_dma = op_addr(mm, RNPU_MM_B) + b_seg_offset(mm, s) +
				  in_bytes(&mm->l, (uint64_t)u->n0 * d.k);
			if (last) {
				d.c_dma = op_addr(mm, RNPU_MM_C) +
					  (uint64_t)(u->n0 / mm->l.out_c2) * c->m * ATOM_BYTES;
				d.relu = c->relu;
				d.requant = c->requant;
				if (mm->per_col)
					d.rec_dma = rnpu_bo_dma_addr(mm->rec) +
						    (uint64_t)u->n0 * REC_BYTES;
			} else {
				d.c_dma = rnpu_bo_dma_addr(mm->acc[s % 2]) +
					  (uint64_t)(u->n0 / ACC_C2) * c->m * ATOM_BYTES;
				d.partial_out = true;
			}
			if (s)
				d.acc_dma = rnpu_bo_dma_addr(mm->acc[(s - 1) % 2]) +
					    (uint64_t)(u->n0 / ACC_C2) * c->m * ATOM_BYTES;
			if (rnpu_matmul_append(&d, &p))
				break;
		}
		if (!p.err && mm->per_col && mm->nseg > 1) {
			struct rnpu_matmul_desc d = {
				.type = c->type, .m = c->m, .k = mm->seg_k, .n = u->nc,
				.max_tile_m = mm->tile_m, .row_begin = u->m0,
				.row_count = u->rows, .relu = c->relu, .requant = c->requant,
			};

			d.sums_dma = rnpu_bo_dma_addr(mm->acc[(mm->nseg - 1) % 2]) +
				     (uint64_t)(u->n0 / ACC_C2) * c->m * ATOM_BYTES;
			d.rec_dma = rnpu_bo_dma_addr(mm->rec) + (uint64_t)u->n0 * REC_BYTES;
			d.c_dma = op_addr(mm, RNPU_MM_C) +
				  (uint64_t)(u->n0 / mm->l.out_c2) * c->m * ATOM_BYTES;
			rnpu_matmul_append(&d, &p);
		}
		if (p.err)
			break;
		mm->plan.core_macs[core] += u->macs;
	}
	ret = p.err;
	if (!ret && !mm->regcmd)
		ret = rnpu_pool_alloc(mm->pool, p.nwords * sizeof(uint64_t), DATA_FLAGS, &mm->regcmd);
	if (!ret && rnpu_bo_size(mm->regcmd) < p.nwords * sizeof(uint64_t))
		ret = -EINVAL; /* the program's size does not depend on addresses */
	if (!ret)
		ret = rnpu_regcmd_link(&p, rnpu_bo_dma_addr(mm->regcmd));
	if (!ret && !mm->task)
		ret = rnpu_pool_alloc(mm->pool, p.ntasks * sizeof(struct rknpu_task), TASK_FLAGS,
				      &mm->task);
	if (ret) {
		rnpu_set_error(mm->dev, ret, "matmul %ux%ux%u: %s", c->m, c->k, c->n,
			       p.err ? p.msg : "buffer allocation failed");
		rnpu_regcmd_fini(&p);
		return ret;
	}
	rnpu_bo_map(mm->regcmd, &words);
	memcpy(words, p.words, p.nwords * sizeof(uint64_t));
	rnpu_bo_map(mm->task, (void **)&tasks);
	rnpu_regcmd_fill_tasks(&p, rnpu_bo_dma_addr(mm->regcmd), tasks);
	mm->ntasks = (uint32_t)p.ntasks;
	mm->plan.tasks = mm->ntasks;
	mm->plan.core_mask = mm->core_mask;
	for (uint32_t i = 0; i < mm->ncores; i++) {
		uint32_t end = i + 1 < mm->ncores ? core_first_task[i + 1] : mm->ntasks;

		mm->plan.core_tasks[i] = end - core_first_task[i];
	}
	rnpu_regcmd_fini(&p);
	ret = rnpu_bo_sync(mm->regcmd, 0, rnpu_bo_size(mm->regcmd), RKNPU_MEM_SYNC_TO_DEVICE);
	if (!ret)
		ret = rnpu_bo_sync(mm->task, 0, rnpu_bo_size(mm->task), RKNPU_MEM_SYNC_TO_DEVICE);
	return ret;
}

void rnpu_matmul_destroy(struct rnpu_matmul *mm)
{
	if (!mm)
		return;
	for (int i = 0; i < 3; i++)
		rnpu_pool_put(mm->pool, mm->op[i].own);
	rnpu_pool_put(mm->pool, mm->acc[0]);
	rnpu_pool_put(mm->pool, mm->acc[1]);
	rnpu_pool_put(mm->pool, mm->rec);
	rnpu_pool_put(mm->pool, mm->regcmd);
	rnpu_pool_put(mm->pool, mm->task);
	free(mm->units);
	free(mm);
}

int rnpu_matmul_create(struct rnpu_dev *dev, const struct rnpu_matmul_cfg *cfg,
		       struct rnpu_matmul **out)
{
	struct rnpu_matmul *mm;
	int ret;

	ret = check_cfg(dev, cfg);
	if (ret)
		return ret;
	mm = calloc(1, sizeof(*mm));
	if (!mm)
		return rnpu_set_error(dev, -ENOMEM, "matmul: out of memory");
	mm->dev = dev;
	mm->cfg = *cfg;
	/* The scales are packed into records below; the caller's array
	 * need not outlive create. */
	mm->per_col = cfg->col_scale != NULL;
	mm->cfg.col_scale = NULL;
	mm->pool = rnpu_dev_pool(dev);
	if (rnpu_query(dev, RNPU_QUERY_FREQ_HZ, &mm->freq_hz))
		mm->freq_hz = 0;
	rnpu_matmul_layout(cfg->type, &mm->l);
	mm->kp = round_up(cfg->k, K_ALIGN);
	mm->np = round_up(cfg->n, n_align(cfg->type));
	k_segments(cfg->type, mm->kp, &mm->nseg, &mm->seg_k);
	mm->op[RNPU_MM_A].size = rnpu_matmul_a_size(cfg->type, cfg->m, mm->kp, mm->np);
	mm->op[RNPU_MM_B].size = (size_t)in_bytes(&mm->l, (uint64_t)mm->kp * mm->np);
	mm->op[RNPU_MM_C].size = rnpu_matmul_c_size(cfg->type, cfg->m, mm->kp, mm->np);
	if (!mm->pool) {
		ret = -ENOMEM;
		goto err;
	}
	for (int i = 0; i < 3; i++) {
		if (!mm->op[i].size || mm->op[i].size > (UINT64_C(1) << 32)) {
			ret = rnpu_set_error(dev, -EINVAL, "matmul %ux%ux%u: operand %c needs more"
					     " than the 4 GiB the NPU addresses", cfg->m, cfg->k,
					     cfg->n, 'A' + i);
			goto err;
		}
	}
	ret = plan_units(mm);
	if (ret) {
		/* Let the builder name what it refuses. */
		struct rnpu_regcmd_prog p;
		struct rnpu_matmul_desc d = { .type = cfg->type, .m = cfg->m, .k = mm->seg_k,
					      .n = mm->np < RNPU_MATMUL_MAX_N ? mm->np
									: RNPU_MATMUL_MAX_N,
					      .max_tile_m = cfg->max_tile_m };

		rnpu_regcmd_init(&p);
		rnpu_matmul_append(&d, &p);
		rnpu_set_error(dev, ret, "matmul %ux%ux%u: %s", cfg->m, cfg->k, cfg->n,
			       p.err ? p.msg : "out of memory");
		rnpu_regcmd_fini(&p);
		goto err;
	}
	for (int i = 0; i < 3 && !ret; i++) {
		ret = rnpu_pool_alloc(mm->pool, mm->op[i].size, DATA_FLAGS, &mm->op[i].own);
		if (!ret) {
			mm->op[i].bo = mm->op[i].own;
			ret = rnpu_bo_map(mm->op[i].own, &mm->op[i].map);
		}
	}
	/* An epilogue reads the last segment's sums: one more buffer. */
	for (uint32_t i = 0; i < 2 && i + 1 < mm->nseg + (mm->per_col ? 1u : 0u) && !ret; i++)
		ret = rnpu_pool_alloc(mm->pool, rnpu_matmul_acc_size(cfg->m, mm->np), DATA_FLAGS,
				      &mm->acc[i]);
	if (!ret && mm->per_col)
		ret = pack_col_records(mm, cfg->col_scale);
	if (ret)
		goto err;
	ret = build(mm);
	if (ret)
		goto err;
	*out = mm;
	return 0;
err:
	rnpu_matmul_destroy(mm);
	return ret;
}

int rnpu_matmul_bind(struct rnpu_matmul *mm, enum rnpu_mm_operand op, struct rnpu_bo *bo,
		     uint64_t offset, void *map)
{
	struct mm_operand *o;
	struct mm_operand old;
	int ret;

	if (op > RNPU_MM_C)
		return rnpu_set_error(mm->dev, -EINVAL, "matmul bind: operand %d", (int)op);
	o = &mm->op[op];
	old = *o;
	if (!bo) {
		o->bo = o->own;
		o->offset = 0;
		o->map = NULL;
		rnpu_bo_map(o->own, &o->map);
	} else {
		if (offset % ATOM_BYTES)
			return rnpu_set_error(mm->dev, -EINVAL, "matmul bind %c: offset %" PRIu64
					      " is not %u-byte aligned", 'A' + op, offset,
					      ATOM_BYTES);
		if (offset > rnpu_bo_size(bo) || rnpu_bo_size(bo) - offset < o->size)
			return rnpu_set_error(mm->dev, -EINVAL, "matmul bind %c: %" PRIu64
					      " bytes from offset %" PRIu64 " hold less than the"
					      " %zu needed", 'A' + op, rnpu_bo_size(bo), offset,
					      o->size);
		o->bo = bo;
		o->offset = offset;
		o->map = map;
	}
	if (o->bo == old.bo && o->offset == old.offset)
		return 0;
	ret = build(mm);
	if (ret) {
		*o = old;
		build(mm);
	}
	return ret;
}

struct rnpu_bo *rnpu_matmul_buffer(struct rnpu_matmul *mm, enum rnpu_mm_operand op,
				   uint64_t *offset)
{
	if (op > RNPU_MM_C)
		return NULL;
	if (offset)
		*offset = mm->op[op].offset;
	return mm->op[op].bo;
}

void *rnpu_matmul_map(struct rnpu_matmul *mm, enum rnpu_mm_operand op)
{
	return op <= RNPU_MM_C ? mm->op[op].map : NULL;
}

static void put_elem(void *dst, size_t idx, const void *src, size_t sidx, uint32_t bytes)
{
	switch (bytes) {
	case 1:
		((uint8_t *)dst)[idx] = ((const uint8_t *)src)[sidx];
		break;
	case 2:
		((uint16_t *)dst)[idx] = ((const uint16_t *)src)[sidx];
		break;
	default:
		((uint32_t *)dst)[idx] = ((const uint32_t *)src)[sidx];
		break;
	}
}

/* int4 element @idx of a packed run: two per byte, the even one in the
 * high nibble (docs/hw-facts-int4.md). */
static void put_int4(uint8_t *base, size_t idx, int8_t v)
{
	uint8_t nib = (uint8_t)v & 0x0fu;

	if (idx % 2)
		base[idx / 2] = (uint8_t)((base[idx / 2] & 0xf0u) | nib);
	else
		base[idx / 2] = (uint8_t)((base[idx / 2] & 0x0fu) | (nib << 4));
}

/* int4 operands come one int8_t per element, each in [-8, 7]. */
static int check_int4(struct rnpu_dev *dev, const char *what, const int8_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] < -8 || v[i] > 7)
			return rnpu_set_error(dev, -EINVAL, "matmul: int4 %s[%zu] = %d is outside"
					      " [-8, 7]", what, i, v[i]);
	return 0;
}

static int sync_op(struct rnpu_matmul *mm, enum rnpu_mm_operand op, uint32_t dir)
{
	const struct mm_operand *o = &mm->op[op];

	if (!(rnpu_bo_flags(o->bo) & RKNPU_MEM_CACHEABLE))
		return 0;
	return rnpu_bo_sync(o->bo, o->offset, o->size, dir);
}

static int need_map(struct rnpu_matmul *mm, enum rnpu_mm_operand op)
{
	if (!mm->op[op].map)
		return rnpu_set_error(mm->dev, -EINVAL, "matmul: operand %c is bound without a CPU"
				      " mapping", 'A' + op);
	return 0;
}

int rnpu_matmul_set_a(struct rnpu_matmul *mm, const void *a)
{
	const uint32_t m = mm->cfg.m, k = mm->cfg.k, c2 = mm->l.in_c2;
	uint8_t *dst = mm->op[RNPU_MM_A].map;
	int ret = need_map(mm, RNPU_MM_A);

	if (ret)
		return ret;
	if (mm->l.in_bits == 4) {
		ret = check_int4(mm->dev, "A", a, (size_t)m * k);
		if (ret)
			return ret;
		memset(dst, 0, mm->op[RNPU_MM_A].size);
		for (uint32_t row = 0; row < m; row++)
			for (uint32_t ch = 0; ch < k; ch++)
				put_int4(dst, ((size_t)(ch / c2) * m + row) * c2 + ch % c2,
					 ((const int8_t *)a)[(size_t)row * k + ch]);
		return sync_op(mm, RNPU_MM_A, RKNPU_MEM_SYNC_TO_DEVICE);
	}
	const size_t eb = mm->l.in_bytes;

	/* Padding channels up to Kp must be zero (pooled memory is not). */
	if (k != mm->kp)
		memset(dst, 0, mm->op[RNPU_MM_A].size);
	/* One atom (c2 channels of a row) per copy. */
	for (uint32_t row = 0; row < m; row++)
		for (uint32_t ch = 0; ch < k; ch += c2)
			memcpy(dst + (((size_t)(ch / c2) * m + row) * c2) * eb,
			       (const uint8_t *)a + ((size_t)row * k + ch) * eb,
			       (k - ch < c2 ? k - ch : c2) * eb);
	return sync_op(mm, RNPU_MM_A, RKNPU_MEM_SYNC_TO_DEVICE);
}

size_t rnpu_matmul_b_native_size(enum rnpu_mm_type type, uint32_t k, uint32_t n)
{
	struct rnpu_mm_layout l;

	if (rnpu_matmul_layout(type, &l) || !k || !n || k > UINT32_MAX - K_ALIGN ||
	    n > UINT32_MAX - N_ALIGN)
		return 0;
	return (size_t)in_bytes(&l, (uint64_t)round_up(k, K_ALIGN) * round_up(n, n_align(type)));
}

int rnpu_matmul_pack_b_native(enum rnpu_mm_type type, uint32_t k, uint32_t n, const void *b,
			      bool b_is_n_by_k, void *dst)
{
	struct rnpu_mm_layout l;
	uint32_t kp, np, nseg, seg_k, kg, cb;
	uint8_t *base = dst;

	if (!rnpu_matmul_b_native_size(type, k, n))
		return -EINVAL;
	rnpu_matmul_layout(type, &l);
	kp = round_up(k, K_ALIGN);
	np = round_up(n, n_align(type));
	kg = l.kernel_group;
	cb = l.channel_block;
	k_segments(type, kp, &nseg, &seg_k);
	if (l.in_bits == 4) {
		const int8_t *v = b;

		for (size_t i = 0; i < (size_t)k * n; i++)
			if (v[i] < -8 || v[i] > 7)
				return -EINVAL;
		/* Nibbles are merged into bytes: start from zeros. */
		memset(base, 0, (size_t)in_bytes(&l, (uint64_t)kp * np));
	} else if (k != kp || n != np) {
		memset(base, 0, (size_t)kp * np * l.in_bytes);
	}
	for (uint32_t s = 0; s < nseg; s++) {
		uint32_t k0 = s * seg_k, sk = s + 1 < nseg ? seg_k : kp - k0;
		uint8_t *seg = base + in_bytes(&l, (uint64_t)k0 * np);

		for (uint32_t oc = 0; oc < n; oc++) {
			uint32_t g = oc / kg;
			uint32_t ng = np - g * kg < kg ? np - g * kg : kg;
			size_t gbase = (size_t)g * kg * sk + (size_t)(oc % kg) * cb;

			for (uint32_t c = 0; c < sk && k0 + c < k; c++) {
				size_t src = b_is_n_by_k ? (size_t)oc * k + k0 + c
							 : (size_t)(k0 + c) * n + oc;

				size_t at = gbase + (size_t)(c / cb) * ng * cb + c % cb;

				if (l.in_bits == 4)
					put_int4(seg, at, ((const int8_t *)b)[src]);
				else
					put_elem(seg, at, b, src, l.in_bytes);
			}
		}
	}
	return 0;
}

int rnpu_matmul_set_b(struct rnpu_matmul *mm, const void *b)
{
	return rnpu_matmul_set_b_layout(mm, b, false);
}

int rnpu_matmul_set_b_layout(struct rnpu_matmul *mm, const void *b, bool b_is_n_by_k)
{
	int ret = need_map(mm, RNPU_MM_B);

	if (!ret && mm->l.in_bits == 4)
		ret = check_int4(mm->dev, "B", b, (size_t)mm->cfg.k * mm->cfg.n);
	if (!ret)
		ret = rnpu_matmul_pack_b_native(mm->cfg.type, mm->cfg.k, mm->cfg.n, b, b_is_n_by_k,
						mm->op[RNPU_MM_B].map);
	if (!ret)
		ret = sync_op(mm, RNPU_MM_B, RKNPU_MEM_SYNC_TO_DEVICE);
	return ret;
}

int rnpu_matmul_get_c(struct rnpu_matmul *mm, void *c)
{
	const uint32_t m = mm->cfg.m, n = mm->cfg.n, c2 = mm->l.out_c2;
	const uint8_t *src = mm->op[RNPU_MM_C].map;
	int ret = need_map(mm, RNPU_MM_C);

	if (!ret)
		ret = sync_op(mm, RNPU_MM_C, RKNPU_MEM_SYNC_FROM_DEVICE);
	if (ret)
		return ret;
	const size_t eb = mm->l.out_bytes;

	for (uint32_t row = 0; row < m; row++)
		for (uint32_t ch = 0; ch < n; ch += c2)
			memcpy((uint8_t *)c + ((size_t)row * n + ch) * eb,
			       src + (((size_t)(ch / c2) * m + row) * c2) * eb,
			       (n - ch < c2 ? n - ch : c2) * eb);
	return 0;
}

void rnpu_matmul_get_plan(const struct rnpu_matmul *mm, struct rnpu_matmul_stats *st)
{
	*st = mm->plan;
}

int rnpu_matmul_run(struct rnpu_matmul *mm, struct rnpu_matmul_stats *st)
{
	struct rnpu_submit_req req;
	uint32_t first = 0;
	int ret;

	memset(&req, 0, sizeof(req));
	req.task_bo = mm->task;
	req.task_count = mm->ntasks;
	req.core_mask = mm->core_mask;
	req.timeout_ms = mm->cfg.timeout_ms;
	if (!req.timeout_ms) {
		uint64_t busiest = 0, ms;

		for (uint32_t i = 0; i < MAX_CORES; i++)
			busiest = mm->plan.core_macs[i] > busiest ? mm->plan.core_macs[i] : busiest;
		ms = busiest / SLOWEST_MACS_PER_MS;
		req.timeout_ms = ms > RNPU_DEFAULT_TIMEOUT_MS ? (ms > UINT32_MAX ? UINT32_MAX
										   : (uint32_t)ms)
							      : RNPU_DEFAULT_TIMEOUT_MS;
	}
	if (mm->ncores > 1) {
		for (uint32_t i = 0; i < mm->ncores; i++) {
			req.core_tasks[i].task_start = first;
			req.core_tasks[i].task_number = mm->plan.core_tasks[i];
			first += mm->plan.core_tasks[i];
		}
	}
	uint64_t before[MAX_CORES] = { 0 }, after;
	bool model = st && mm->freq_hz && rnpu_model_cycles(mm->dev, 0, &before[0]) == 0;

	for (uint32_t i = 1; model && i < MAX_CORES; i++)
		rnpu_model_cycles(mm->dev, i, &before[i]);
	ret = rnpu_submit(mm->dev, &req);
	if (st) {
		*st = mm->plan;
		st->hw_elapse_ns = req.hw_elapse_ns;
		if (model) {
			for (uint32_t i = 0; i < MAX_CORES; i++) {
				rnpu_model_cycles(mm->dev, i, &after);
				st->model_ns[i] = (uint64_t)((double)(after - before[i]) * 1e9 /
							     (double)mm->freq_hz);
			}
		}
		if (!ret && mm->ncores == 1) {
			st->core_mask = req.core_mask_used;
			/* Report the single core's share under the core that ran it. */
			for (uint32_t i = 1; i < MAX_CORES; i++) {
				if (req.core_mask_used == (1u << i)) {
					st->core_tasks[i] = st->core_tasks[0];
					st->core_macs[i] = st->core_macs[0];
					st->core_tasks[0] = 0;
					st->core_macs[0] = 0;
				}
			}
		}
	}
	return ret;
}
