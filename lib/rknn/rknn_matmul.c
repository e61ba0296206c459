// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* librknn_rnpu matmul API on librnpu's rnpu_matmul. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rknn_internal.h"
#include "rnpu/ops.h"

static const char *const op_names[3] = { "A", "B", "C" };

/* Which rknn types rnpu runs, and as what. */
static int map_type(rknn_matmul_type t, enum rnpu_mm_type *out)
{
	switch (t) {
	case RKNN_FLOAT16_MM_FLOAT16_TO_FLOAT32:
		*out = RNPU_MM_FP16_FP32;
		return 0;
	case RKNN_INT8_MM_INT8_TO_INT32:
		*out = RNPU_MM_INT8_INT32;
		return 0;
	case RKNN_INT8_MM_INT8_TO_INT8:
		*out = RNPU_MM_INT8_INT8;
		return 0;
	case RKNN_FLOAT16_MM_FLOAT16_TO_FLOAT16:
		*out = RNPU_MM_FP16_FP16;
		return 0;
	case RKNN_INT4_MM_INT4_TO_INT16:
		*out = RNPU_MM_INT4_INT16;
		return 0;
	case RKNN_FLOAT16_MM_INT4_TO_FLOAT32:
	case RKNN_FLOAT16_MM_INT4_TO_FLOAT16:
	case RKNN_INT8_MM_INT4_TO_INT32:
	case RKNN_FLOAT16_MM_INT4_TO_BFLOAT16:
	case RKNN_INT8_MM_INT4_TO_FLOAT16:
		return rknn_log(RKNN_ERR_PARAM_INVALID, "unsupported matmul dtype %s: rnpu's int4"
				" path is int4 x int4 -> int16 only (mixed int4 types are not"
				" documented)", get_matmul_type_string(t));
	case RKNN_FLOAT16_MM_INT8_TO_FLOAT32:
	case RKNN_FLOAT16_MM_INT8_TO_FLOAT16:
	case RKNN_INT8_MM_INT8_TO_FLOAT32:
		return rknn_log(RKNN_ERR_PARAM_INVALID, "unsupported matmul dtype %s: rnpu has no"
				" mixed-precision or dequantising path", get_matmul_type_string(t));
	}
	return rknn_log(RKNN_ERR_PARAM_INVALID, "unsupported matmul dtype %d", (int)t);
}

static rknn_tensor_type in_type(enum rnpu_mm_type t)
{
	if (t == RNPU_MM_INT4_INT16)
		return RKNN_TENSOR_INT4;
	return t == RNPU_MM_FP16_FP32 || t == RNPU_MM_FP16_FP16 ? RKNN_TENSOR_FLOAT16
								 : RKNN_TENSOR_INT8;
}

/* Bits per A/B element. */
static uint32_t in_bits(enum rnpu_mm_type t)
{
	return t == RNPU_MM_INT4_INT16 ? 4 : t == RNPU_MM_FP16_FP32 || t == RNPU_MM_FP16_FP16 ? 16
											    : 8;
}

/* N granularity of the native B tile: 32 int8, 16 fp16, 64 int4. */
static uint32_t n_tile(enum rnpu_mm_type t)
{
	return 256 / in_bits(t);
}

/* Bytes of @elems A/B elements; int4 takes half a byte each. */
static uint32_t in_size(enum rnpu_mm_type t, uint64_t elems)
{
	return (uint32_t)((elems * in_bits(t) + 7) / 8);
}

static rknn_tensor_type out_type(enum rnpu_mm_type t)
{
	switch (t) {
	case RNPU_MM_FP16_FP32: return RKNN_TENSOR_FLOAT32;
	case RNPU_MM_FP16_FP16: return RKNN_TENSOR_FLOAT16;
	case RNPU_MM_INT8_INT8: return RKNN_TENSOR_INT8;
	case RNPU_MM_INT4_INT16: return RKNN_TENSOR_INT16;
	default: return RKNN_TENSOR_INT32;
	}
}

static void set_attr(rknn_matmul_tensor_attr *a, const char *name, rknn_tensor_type type,
		     uint32_t bytes, int n_dims, const uint32_t *dims)
{
	memset(a, 0, sizeof(*a));
	strcpy(a->name, name);
	a->n_dims = (uint32_t)n_dims;
	memcpy(a->dims, dims, sizeof(uint32_t) * (size_t)n_dims);
	a->size = bytes;
	a->type = type;
}

/* The io_attr rknn_matmul_create reports (RK3588 native sub-sizes). */
static void fill_io_attr(const rknn_matmul_info *info, enum rnpu_mm_type t, uint32_t m,
			 uint32_t k, uint32_t n, rknn_matmul_io_attr *io)
{
	uint32_t ob = t == RNPU_MM_INT8_INT8 ? 1
		      : t == RNPU_MM_FP16_FP16 || t == RNPU_MM_INT4_INT16 ? 2 : 4;
	/* 16-byte rows: 16 int8, 8 fp16 or 32 int4 channels of A. */
	uint32_t s_k = 128 / in_bits(t), s_n = n_tile(t), s_nc = 16 / ob;
	uint32_t sa = in_size(t, (uint64_t)m * k), sb = in_size(t, (uint64_t)k * n);

	if (info->AC_layout == RKNN_MM_LAYOUT_NATIVE) {
		uint32_t da[3] = { k / s_k, m, s_k }, dc[3] = { n / s_nc, m, s_nc };

		set_attr(&io->A, "A", in_type(t), sa, 3, da);
		set_attr(&io->C, "C", out_type(t), m * n * ob, 3, dc);
	} else {
		uint32_t da[2] = { m, k }, dc[2] = { m, n };

		set_attr(&io->A, "A", in_type(t), sa, 2, da);
		set_attr(&io->C, "C", out_type(t), m * n * ob, 2, dc);
	}
	if (info->B_layout == RKNN_MM_LAYOUT_NATIVE) {
		uint32_t db[4] = { n / s_n, k / 32, s_n, 32 };

		set_attr(&io->B, "B", in_type(t), sb, 4, db);
	} else if (info->B_layout == RKNN_MM_LAYOUT_TP_NORM) {
		uint32_t db[2] = { n, k };

		set_attr(&io->B, "B", in_type(t), sb, 2, db);
	} else {
		uint32_t db[2] = { k, n };

		set_attr(&io->B, "B", in_type(t), sb, 2, db);
	}
}

/* Checks what a shape needs under @info's layouts. */
static int check_shape(const char *fn, const rknn_matmul_info *info, enum rnpu_mm_type t,
		       int32_t m, int32_t k, int32_t n)
{
	uint32_t n_align = n_tile(t);
	uint64_t elems;

	if (m < 1 || k < 1 || n < 1)
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: M = %d, K = %d, N = %d must be >= 1",
				fn, m, k, n);
	elems = (uint64_t)(m > k ? m : k) * (uint64_t)(k > n ? k : n) * 4;
	if ((uint64_t)m * (uint64_t)n * 4 > UINT32_MAX || (uint64_t)k * (uint64_t)n * 2 > UINT32_MAX ||
	    elems > UINT32_MAX)
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: %dx%dx%d: a matrix exceeds 4 GiB", fn,
				m, k, n);
	if ((info->B_layout == RKNN_MM_LAYOUT_NATIVE || info->AC_layout == RKNN_MM_LAYOUT_NATIVE) &&
	    (k % 32 || n % (int32_t)n_align))
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: native layouts need K %% 32 == 0 and N"
				" %% %u == 0 (K = %d, N = %d)", fn, n_align, k, n);
	if (t == RNPU_MM_INT4_INT16 && (uint32_t)k > rnpu_matmul_max_k(t))
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: K = %d exceeds %u: rnpu's int4 path"
				" has no K split (int16 partial sums)", fn, k,
				rnpu_matmul_max_k(t));
	return 0;
}

/* B's quantisation: per layer, or per channel (column) for the int8
 * types the vendor's header names (2 and 3). */
static int check_b_quant(const char *fn, const rknn_matmul_info *info, enum rnpu_mm_type t)
{
	switch (info->B_quant_type) {
	case RKNN_QUANT_TYPE_PER_LAYER_SYM:
		return 0;
	case RKNN_QUANT_TYPE_PER_CHANNEL_SYM:
		if (t == RNPU_MM_INT8_INT32 || t == RNPU_MM_INT8_INT8)
			return 0;
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: info->B_quant_type = %d: per-channel"
				" B is only for types %d and %d, not %s", fn, info->B_quant_type,
				RKNN_INT8_MM_INT8_TO_INT32, RKNN_INT8_MM_INT8_TO_INT8,
				get_matmul_type_string(info->type));
	case RKNN_QUANT_TYPE_PER_LAYER_ASYM:
	case RKNN_QUANT_TYPE_PER_CHANNEL_ASYM:
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: info->B_quant_type = %d: B zero"
				" points are not supported (sum((B - zB) * A) needs a correction"
				" per row of A that the NPU's per-channel stage cannot apply)", fn,
				info->B_quant_type);
	case RKNN_QUANT_TYPE_PER_GROUP_SYM:
	case RKNN_QUANT_TYPE_PER_GROUP_ASYM:
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: info->B_quant_type = %d (group_size"
				" %d): per-group B is not supported (each K group's sum needs its"
				" own scale before the groups are added, which the int32"
				" accumulation cannot do exactly)", fn, info->B_quant_type,
				info->group_size);
	}
	return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: info->B_quant_type = %d is not 0..5", fn,
			info->B_quant_type);
}

static int check_info(const char *fn, const rknn_matmul_info *info, enum rnpu_mm_type *t)
{
	int ret;

	ret = map_type(info->type, t);
	if (ret)
		return ret;
	if (info->B_layout < RKNN_MM_LAYOUT_NORM || info->B_layout > RKNN_MM_LAYOUT_TP_NORM)
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: info->B_layout = %d is not 0, 1 or 2",
				fn, info->B_layout);
	if (info->AC_layout != RKNN_MM_LAYOUT_NORM && info->AC_layout != RKNN_MM_LAYOUT_NATIVE)
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: info->AC_layout = %d is not 0 or 1", fn,
				info->AC_layout);
	if (info->AC_quant_type != RKNN_QUANT_TYPE_PER_LAYER_SYM)
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: info->AC_quant_type = %d: only"
				" per-layer symmetric (0) is supported", fn, info->AC_quant_type);
	ret = check_b_quant(fn, info, *t);
	if (ret)
		return ret;
	if (info->iommu_domain_id < 0 || info->iommu_domain_id > 15)
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: info->iommu_domain_id = %d is not in"
				" 0..15", fn, info->iommu_domain_id);
	return 0;
}

static int create_common(const char *fn, rknn_matmul_ctx *ctx, rknn_matmul_info *info,
			 int nshapes, const rknn_matmul_shape *shapes, rknn_matmul_io_attr *io,
			 bool dynamic)
{
	struct rknn_mm_ctx *c;
	enum rnpu_mm_type t = RNPU_MM_INT8_INT32;
	int ret;

	if (!ctx || !info || !io || (dynamic && !shapes))
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: ctx, info, io_attr%s must not be NULL",
				fn, dynamic ? " and shapes" : "");
	ret = check_info(fn, info, &t);
	if (ret)
		return ret;
	if (nshapes < 1 || nshapes > RKNN_MAX_DYNAMIC_SHAPE_NUM)
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: shape_num = %d is not in 1..%d", fn,
				nshapes, RKNN_MAX_DYNAMIC_SHAPE_NUM);
	for (int i = 0; i < nshapes; i++) {
		const rknn_matmul_shape *s = dynamic ? &shapes[i] : NULL;
		int32_t m = s ? s->M : info->M, k = s ? s->K : info->K, n = s ? s->N : info->N;

		ret = check_shape(fn, info, t, m, k, n);
		if (ret)
			return ret;
		if (s && info->B_layout != RKNN_MM_LAYOUT_TP_NORM &&
		    (s->K != shapes[0].K || s->N != shapes[0].N))
			return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: shape %d (%dx%dx%d): only M may"
					" vary unless B_layout is TP_NORM", fn, i, s->M, s->K, s->N);
		if (s && info->B_quant_type == RKNN_QUANT_TYPE_PER_CHANNEL_SYM &&
		    s->N != shapes[0].N)
			return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: shape %d (%dx%dx%d): per-channel"
					" B needs one N for all shapes (%d)", fn, i, s->M, s->K,
					s->N, shapes[0].N);
	}
	c = calloc(1, sizeof(*c));
	if (c)
		c->shapes = calloc((size_t)nshapes, sizeof(*c->shapes));
	if (c && c->shapes && info->B_quant_type == RKNN_QUANT_TYPE_PER_CHANNEL_SYM) {
		c->nb_scales = dynamic ? shapes[0].N : info->N;
		c->b_scales = malloc((size_t)c->nb_scales * sizeof(float));
		for (int i = 0; c->b_scales && i < c->nb_scales; i++)
			c->b_scales[i] = 1.0f;
	}
	if (!c || !c->shapes || (c->nb_scales && !c->b_scales)) {
		if (c) {
			free(c->shapes);
			free(c);
		}
		return rknn_log(RKNN_ERR_MALLOC_FAIL, "%s: out of memory", fn);
	}
	pthread_mutex_init(&c->lock, NULL);
	c->info = *info;
	c->type = t;
	c->nshapes = nshapes;
	c->dynamic = dynamic;
	for (int i = 0; i < 3; i++)
		c->scale[i] = 1.0f;
	for (int i = 0; i < nshapes; i++) {
		struct mm_shape *sh = &c->shapes[i];

		sh->shape = dynamic ? shapes[i]
				    : (rknn_matmul_shape){ .M = info->M, .K = info->K, .N = info->N };
		fill_io_attr(info, t, (uint32_t)sh->shape.M, (uint32_t)sh->shape.K,
			     (uint32_t)sh->shape.N, &sh->attr);
		io[i] = sh->attr;
	}
	pthread_mutex_lock(&rknn_lock);
	c->dev = rknn_dev_get();
	ret = c->dev ? rknn_ctx_add(c, ctx) : RKNN_ERR_DEVICE_UNAVAILABLE;
	if (ret && ret != RKNN_ERR_DEVICE_UNAVAILABLE)
		rknn_dev_put();
	pthread_mutex_unlock(&rknn_lock);
	if (ret) {
		pthread_mutex_destroy(&c->lock);
		free(c->b_scales);
		free(c->shapes);
		free(c);
	}
	return ret;
}

int rknn_matmul_create(rknn_matmul_ctx *ctx, rknn_matmul_info *info, rknn_matmul_io_attr *io_attr)
{
	return create_common("rknn_matmul_create", ctx, info, 1, NULL, io_attr, false);
}

int rknn_matmul_create_dynamic_shape(rknn_matmul_ctx *ctx, rknn_matmul_info *info, int shape_num,
				     rknn_matmul_shape dynamic_shapes[],
				     rknn_matmul_io_attr io_attrs[])
{
	return create_common("rknn_matmul_create_dynamic_shape", ctx, info, shape_num,
			     dynamic_shapes, io_attrs, true);
}

static void drop_shapes(struct rknn_mm_ctx *c)
{
	for (int i = 0; i < c->nshapes; i++) {
		rnpu_matmul_destroy(c->shapes[i].mm);
		c->shapes[i].mm = NULL;
	}
}

int rknn_matmul_destroy(rknn_matmul_ctx ctx)
{
	struct rknn_mm_ctx *c;

	pthread_mutex_lock(&rknn_lock);
	c = rknn_ctx_lookup(ctx);
	if (!c) {
		pthread_mutex_unlock(&rknn_lock);
		return rknn_log(RKNN_ERR_CTX_INVALID, "rknn_matmul_destroy: invalid context 0x%llx",
				(unsigned long long)ctx);
	}
	rknn_ctx_remove(ctx);
	/* Waits for a run in progress on another thread. */
	pthread_mutex_lock(&c->lock);
	drop_shapes(c);
	pthread_mutex_unlock(&c->lock);
	pthread_mutex_destroy(&c->lock);
	free(c->b_scales);
	free(c->shapes);
	free(c);
	rknn_dev_put();
	pthread_mutex_unlock(&rknn_lock);
	return RKNN_SUCC;
}

/* Where a bound memory object's data starts: its buffer, the byte offset
 * inside it and the CPU address (NULL if the caller gave none). */
static void mem_place(const struct rknn_mem_priv *m, uint64_t *off, void **cpu)
{
	const rknn_tensor_mem *mem = m->mem;

	*off = m->base_dma - rnpu_bo_dma_addr(m->bo) + (uint64_t)mem->offset;
	*cpu = mem->virt_addr ? (char *)mem->virt_addr + mem->offset : NULL;
}

static bool is_native(const struct rknn_mm_ctx *c, int op)
{
	if (op == RNPU_MM_B)
		return c->info.B_layout == RKNN_MM_LAYOUT_NATIVE;
	return c->info.AC_layout == RKNN_MM_LAYOUT_NATIVE;
}

/* The largest of B's per-channel scales: int32 results of type 2 are
 * given in units of sA x this (the "normalised" B scale). */
static float b_scale_max(const struct rknn_mm_ctx *c)
{
	float mx = c->b_scales[0];

	for (int i = 1; i < c->nb_scales; i++)
		mx = c->b_scales[i] > mx ? c->b_scales[i] : mx;
	return mx;
}

/* Per-column factors for per-channel B: sA x sB[n] / sC for int8
 * output, sB[n] / max(sB) for int32 output. */
static int col_scales(const struct rknn_mm_ctx *c, double **out)
{
	double *col = malloc((size_t)c->nb_scales * sizeof(double));
	double norm = b_scale_max(c);

	if (!col)
		return rknn_log(RKNN_ERR_MALLOC_FAIL, "rknn_matmul_run: out of memory");
	for (int n = 0; n < c->nb_scales; n++) {
		double f = c->type == RNPU_MM_INT8_INT8
				   ? (double)c->scale[0] * c->b_scales[n] / c->scale[2]
				   : c->b_scales[n] / norm;
		int16_t mul;
		uint8_t shift;

		if (rnpu_requant_from_scale(f, &mul, &shift)) {
			free(col);
			return rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_matmul_run: column %d: the"
					" scales give a requantisation factor %g outside"
					" (2^-64, 32767]", n, f);
		}
		col[n] = f;
	}
	*out = col;
	return 0;
}

/* The current shape's rnpu_matmul, created on first use with the
 * context's cores and quantisation, natively bound operands attached. */
static int current_mm(struct rknn_mm_ctx *c, struct rnpu_matmul **out)
{
	struct mm_shape *sh = &c->shapes[c->cur];
	int ret;

	if (!sh->mm) {
		struct rnpu_matmul_cfg cfg = { .type = c->type, .m = (uint32_t)sh->shape.M,
					       .k = (uint32_t)sh->shape.K,
					       .n = (uint32_t)sh->shape.N,
					       .core_mask = c->core_mask };

		double *col = NULL;

		if (c->b_scales) {
			ret = col_scales(c, &col);
			if (ret)
				return ret;
			cfg.col_scale = col;
			cfg.requant.offset = c->type == RNPU_MM_INT8_INT8 ? c->zp[2] : 0;
		} else if (c->type == RNPU_MM_INT8_INT8) {
			double mult = (double)c->scale[0] * c->scale[1] / c->scale[2];

			if (rnpu_mm_requant_from_float(mult, c->zp[2], &cfg.requant))
				return rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_matmul_run: the scales"
						" give a requantisation factor %g that does not fit"
						" a 16-bit scale and shift", mult);
		}
		ret = rnpu_matmul_create(c->dev, &cfg, &sh->mm);
		free(col);
		if (ret)
			return rknn_log(RKNN_ERR_MALLOC_FAIL, "rknn_matmul: %s",
					rnpu_last_error(c->dev));
	}
	for (int op = 0; op < 3; op++) {
		const struct rknn_mem_priv *m = c->bind[op].mem;
		uint64_t off;
		void *cpu;

		if (!is_native(c, op) || !m || !m->bo)
			continue;
		if (m->mem->size < rnpu_matmul_native_size(sh->mm, (enum rnpu_mm_operand)op))
			continue; /* bound for another shape; checked at run */
		mem_place(m, &off, &cpu);
		ret = rnpu_matmul_bind(sh->mm, (enum rnpu_mm_operand)op, m->bo, off, cpu);
		if (ret)
			return rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_matmul: binding %s: %s",
					op_names[op], rnpu_last_error(c->dev));
	}
	*out = sh->mm;
	return 0;
}

int rknn_matmul_set_io_mem(rknn_matmul_ctx ctx, rknn_tensor_mem *mem,
			   rknn_matmul_tensor_attr *attr)
{
	struct rknn_mem_priv *m;
	struct rknn_mm_ctx *c;
	const rknn_matmul_tensor_attr *want = NULL;
	int op, ret = RKNN_SUCC;

	if (!attr)
		return rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_matmul_set_io_mem: attr is NULL");
	/* The memory is looked up and the context locked under the registry
	 * lock, so the memory cannot be destroyed in between. */
	pthread_mutex_lock(&rknn_lock);
	m = rknn_mem_lookup(mem);
	c = m && m->bo ? rknn_ctx_lookup(ctx) : NULL;
	if (c)
		pthread_mutex_lock(&c->lock);
	pthread_mutex_unlock(&rknn_lock);
	if (!m || !m->bo)
		return rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_matmul_set_io_mem: mem %p is not"
				" memory of this runtime", (void *)mem);
	if (!c)
		return rknn_log(RKNN_ERR_CTX_INVALID, "rknn_matmul_set_io_mem: invalid context"
				" 0x%llx", (unsigned long long)ctx);
	for (op = 0; op < 3; op++)
		if (!strncmp(attr->name, op_names[op], RKNN_MAX_NAME_LEN))
			break;
	if (op == 3) {
		ret = rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_matmul_set_io_mem: attr->name \"%.16s\""
			       " is not A, B or C", attr->name);
		goto out;
	}
	want = op == 0 ? &c->shapes[c->cur].attr.A : op == 1 ? &c->shapes[c->cur].attr.B
							      : &c->shapes[c->cur].attr.C;
	if (mem->size < want->size) {
		ret = rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_matmul_set_io_mem: mem size %u < %s"
			       " size %u", mem->size, op_names[op], want->size);
		goto out;
	}
	if (!is_native(c, op) && !mem->virt_addr) {
		ret = rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_matmul_set_io_mem: %s in a normal"
			       " layout needs mem->virt_addr to convert it", op_names[op]);
		goto out;
	}
	c->bind[op].mem = m;
out:
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int rknn_matmul_set_core_mask(rknn_matmul_ctx context, rknn_core_mask core_mask)
{
	struct rknn_mm_ctx *c = rknn_ctx_get_locked("rknn_matmul_set_core_mask", context);
	uint32_t mask = (uint32_t)core_mask;
	int ret = RKNN_SUCC;

	if (!c)
		return RKNN_ERR_CTX_INVALID;
	if (mask == RKNN_NPU_CORE_ALL)
		mask = RKNN_NPU_CORE_0_1_2;
	if (mask != 0 && mask != 1 && mask != 2 && mask != 4 && mask != 3 && mask != 7) {
		ret = rknn_log(RKNN_ERR_FAIL, "Not support core mask: %#x", (unsigned int)core_mask);
	} else if (mask != c->core_mask) {
		c->core_mask = mask;
		drop_shapes(c);
	}
	pthread_mutex_unlock(&c->lock);
	return ret;
}

/* The matrix @params names (0..2), or -1 after logging why not. */
static int quant_op(const char *fn, const rknn_quant_params *params)
{
	if (!params) {
		rknn_log(RKNN_ERR_PARAM_INVALID, "%s: params is NULL", fn);
		return -1;
	}
	for (int op = 0; op < 3; op++)
		if (!strncmp(params->name, op_names[op], RKNN_MAX_NAME_LEN))
			return op;
	rknn_log(RKNN_ERR_PARAM_INVALID, "%s: params->name \"%.16s\" is not A, B or C", fn,
		 params->name);
	return -1;
}

/* B's per-channel scales (and zero points, which must be 0): all checked
 * before any is stored. */
static int set_b_channels(const char *fn, struct rknn_mm_ctx *c, const rknn_quant_params *params)
{
	if (!params->scale)
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: B: params->scale is NULL", fn);
	if (params->scale_len != c->nb_scales)
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: B: params->scale_len = %d, per-channel"
				" B (info->B_quant_type = 2) needs N = %d", fn,
				params->scale_len, c->nb_scales);
	for (int i = 0; i < c->nb_scales; i++)
		if (!(params->scale[i] > 0.0f) || !isfinite(params->scale[i]))
			return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: B: params->scale[%d] = %g is not"
					" a positive finite number", fn, i,
					(double)params->scale[i]);
	if (params->zp && params->zp_len != c->nb_scales)
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: B: params->zp_len = %d, expected N ="
				" %d (or zp NULL)", fn, params->zp_len, c->nb_scales);
	for (int i = 0; params->zp && i < c->nb_scales; i++)
		if (params->zp[i])
			return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: B: params->zp[%d] = %d: B is"
					" symmetric (0)", fn, i, params->zp[i]);
	memcpy(c->b_scales, params->scale, (size_t)c->nb_scales * sizeof(float));
	drop_shapes(c);
	return RKNN_SUCC;
}

int rknn_matmul_set_quant_params(rknn_matmul_ctx context, rknn_quant_params *params)
{
	const char *fn = "rknn_matmul_set_quant_params";
	struct rknn_mm_ctx *c;
	int op = quant_op(fn, params), ret = RKNN_SUCC;

	if (op < 0)
		return RKNN_ERR_PARAM_INVALID;
	c = rknn_ctx_get_locked(fn, context);
	if (!c)
		return RKNN_ERR_CTX_INVALID;
	if (op == 1 && c->b_scales) {
		ret = set_b_channels(fn, c, params);
		goto out;
	}
	if (!params->scale || params->scale_len != 1 || !(params->scale[0] > 0.0f) ||
	    !isfinite(params->scale[0])) {
		ret = rknn_log(RKNN_ERR_PARAM_INVALID, "%s: %s needs one positive finite scale"
			       " (scale_len = %d; per-channel scales are not supported)", fn,
			       op_names[op], params->scale_len);
		goto out;
	}
	if (params->zp && params->zp_len != 1) {
		ret = rknn_log(RKNN_ERR_PARAM_INVALID, "%s: %s zp_len = %d, expected 1", fn,
			       op_names[op], params->zp_len);
		goto out;
	}
	if (params->zp && op != 2 && params->zp[0] != 0) {
		ret = rknn_log(RKNN_ERR_PARAM_INVALID, "%s: %s zero point %d: A and B are"
			       " symmetric (0)", fn, op_names[op], params->zp[0]);
		goto out;
	}
	if (params->zp && (params->zp[0] < -128 || params->zp[0] > 127)) {
		ret = rknn_log(RKNN_ERR_PARAM_INVALID, "%s: C zero point %d is outside int8", fn,
			       params->zp[0]);
		goto out;
	}
	c->scale[op] = params->scale[0];
	c->zp[op] = params->zp ? params->zp[0] : 0;
	if (c->type == RNPU_MM_INT8_INT8)
		drop_shapes(c);
out:
	pthread_mutex_unlock(&c->lock);
	return ret;
}

/* Per-channel B: the N scales (zero points 0) into arrays of at least N
 * and the normalised scale max(sB) into *scale. */
static int get_b_channels(const char *fn, const struct rknn_mm_ctx *c, rknn_quant_params *params,
			  float *scale)
{
	if (params->scale && params->scale_len > 0 && params->scale_len < c->nb_scales)
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: B: params->scale_len = %d < N = %d",
				fn, params->scale_len, c->nb_scales);
	if (params->zp && params->zp_len > 0 && params->zp_len < c->nb_scales)
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: B: params->zp_len = %d < N = %d", fn,
				params->zp_len, c->nb_scales);
	if (params->scale && params->scale_len > 0)
		memcpy(params->scale, c->b_scales, (size_t)c->nb_scales * sizeof(float));
	if (params->zp && params->zp_len > 0)
		memset(params->zp, 0, (size_t)c->nb_scales * sizeof(int32_t));
	if (scale)
		*scale = b_scale_max(c);
	return RKNN_SUCC;
}

int rknn_matmul_get_quant_params(rknn_matmul_ctx ctx, rknn_quant_params *params, float *scale)
{
	const char *fn = "rknn_matmul_get_quant_params";
	struct rknn_mm_ctx *c;
	int op = quant_op(fn, params);

	if (op < 0)
		return RKNN_ERR_PARAM_INVALID;
	c = rknn_ctx_get_locked(fn, ctx);
	if (!c)
		return RKNN_ERR_CTX_INVALID;
	if (op == 1 && c->b_scales) {
		int ret = get_b_channels(fn, c, params, scale);

		pthread_mutex_unlock(&c->lock);
		return ret;
	}
	if (params->scale && params->scale_len >= 1)
		params->scale[0] = c->scale[op];
	if (params->zp && params->zp_len >= 1)
		params->zp[0] = c->zp[op];
	if (scale)
		*scale = c->scale[op];
	pthread_mutex_unlock(&c->lock);
	return RKNN_SUCC;
}

int rknn_matmul_set_dynamic_shape(rknn_matmul_ctx ctx, rknn_matmul_shape *shape)
{
	const char *fn = "rknn_matmul_set_dynamic_shape";
	struct rknn_mm_ctx *c;
	int ret;

	if (!shape)
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: shape is NULL", fn);
	c = rknn_ctx_get_locked(fn, ctx);
	if (!c)
		return RKNN_ERR_CTX_INVALID;
	ret = rknn_log(RKNN_ERR_PARAM_INVALID, "%s: %dx%dx%d is not one of the context's shapes",
		       fn, shape->M, shape->K, shape->N);
	for (int i = 0; i < c->nshapes; i++) {
		const rknn_matmul_shape *s = &c->shapes[i].shape;

		if (s->M == shape->M && s->K == shape->K && s->N == shape->N) {
			c->cur = i;
			ret = RKNN_SUCC;
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return ret;
}

/* int4 in the RKNN normal layouts: two per byte, the even element in the
 * low nibble (docs/rknn.md); librnpu takes one int8_t per element. NULL
 * when out of memory. */
static int8_t *unpack_int4(const void *src, size_t count)
{
	const uint8_t *p = src;
	int8_t *out = malloc(count ? count : 1);

	for (size_t i = 0; out && i < count; i++) {
		unsigned int nib = i % 2 ? p[i / 2] >> 4 : p[i / 2] & 0xfu;

		out[i] = (int8_t)((int)(nib ^ 8u) - 8);
	}
	return out;
}

/* A or B from a normal layout into the native buffer. */
static int set_normal(const struct rknn_mm_ctx *c, struct rnpu_matmul *mm, int op,
		      const void *cpu)
{
	const rknn_matmul_shape *s = &c->shapes[c->cur].shape;
	bool tp = c->info.B_layout == RKNN_MM_LAYOUT_TP_NORM;
	int8_t *tmp;
	int ret;

	if (c->type != RNPU_MM_INT4_INT16)
		return op == 0 ? rnpu_matmul_set_a(mm, cpu) : rnpu_matmul_set_b_layout(mm, cpu, tp);
	tmp = unpack_int4(cpu, (size_t)(op == 0 ? s->M : s->N) * (size_t)s->K);
	if (!tmp)
		return -ENOMEM;
	ret = op == 0 ? rnpu_matmul_set_a(mm, tmp) : rnpu_matmul_set_b_layout(mm, tmp, tp);
	free(tmp);
	return ret;
}

/* Cache maintenance of a natively bound operand's memory. */
static int sync_bound(const struct rknn_mem_priv *m, size_t size, uint32_t dir)
{
	uint64_t off;
	void *cpu;

	if (!(rnpu_bo_flags(m->bo) & RKNPU_MEM_CACHEABLE))
		return 0;
	mem_place(m, &off, &cpu);
	return rnpu_bo_sync(m->bo, off, size, dir);
}

int rknn_matmul_run(rknn_matmul_ctx ctx)
{
	const char *fn = "rknn_matmul_run";
	struct rknn_mm_ctx *c = rknn_ctx_get_locked(fn, ctx);
	const struct mm_shape *sh;
	struct rnpu_matmul *mm = NULL;
	int ret;

	if (!c)
		return RKNN_ERR_CTX_INVALID;
	sh = &c->shapes[c->cur];
	for (int op = 0; op < 3; op++) {
		const struct rknn_mem_priv *m = c->bind[op].mem;
		const rknn_matmul_tensor_attr *a = op == 0 ? &sh->attr.A
						   : op == 1 ? &sh->attr.B : &sh->attr.C;

		if (!m || !m->bo) {
			ret = rknn_log(RKNN_ERR_PARAM_INVALID, "%s: no memory set for %s (call"
				       " rknn_matmul_set_io_mem)", fn, op_names[op]);
			goto out;
		}
		if (m->mem->size < a->size) {
			ret = rknn_log(RKNN_ERR_PARAM_INVALID, "%s: %s memory of %u bytes is too"
				       " small for shape %dx%dx%d (%u)", fn, op_names[op],
				       m->mem->size, sh->shape.M, sh->shape.K, sh->shape.N, a->size);
			goto out;
		}
	}
	ret = current_mm(c, &mm);
	if (ret)
		goto out;
	/* Normal layouts are converted on every run, so the caller may
	 * change the data in place between runs. */
	for (int op = 0; op < 2 && !ret; op++) {
		const struct rknn_mem_priv *m = c->bind[op].mem;
		uint64_t off;
		void *cpu;

		mem_place(m, &off, &cpu);
		if (is_native(c, op))
			ret = sync_bound(m, rnpu_matmul_native_size(mm, (enum rnpu_mm_operand)op),
					 RKNPU_MEM_SYNC_TO_DEVICE);
		else
			ret = set_normal(c, mm, op, cpu);
	}
	if (!ret)
		ret = rnpu_matmul_run(mm, NULL);
	if (!ret) {
		const struct rknn_mem_priv *m = c->bind[2].mem;
		uint64_t off;
		void *cpu;

		mem_place(m, &off, &cpu);
		if (is_native(c, 2))
			ret = sync_bound(m, rnpu_matmul_native_size(mm, RNPU_MM_C),
					 RKNPU_MEM_SYNC_FROM_DEVICE);
		else
			ret = rnpu_matmul_get_c(mm, cpu);
	}
	if (ret == -ETIMEDOUT)
		ret = rknn_log(RKNN_ERR_TIMEOUT, "%s: the NPU job timed out", fn);
	else if (ret)
		ret = rknn_log(RKNN_ERR_FAIL, "%s: failed (%d)", fn, ret);
out:
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int rknn_B_normal_layout_to_native_layout(void *B_input, void *B_output, int K, int N,
					  rknn_matmul_info *info)
{
	const char *fn = "rknn_B_normal_layout_to_native_layout";
	enum rnpu_mm_type t = RNPU_MM_INT8_INT32;
	int ret;

	if (!B_input || !B_output || !info)
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: B_input, B_output and info must not be"
				" NULL", fn);
	ret = map_type(info->type, &t);
	if (ret)
		return ret;
	if (K < 1 || N < 1 || K % 32 || N % (int)n_tile(t))
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: K = %d must be a multiple of 32 and N"
				" = %d of the native tile", fn, K, N);
	if (t == RNPU_MM_INT4_INT16) {
		/* Packed int4 in, as the normal B layout holds it. */
		int8_t *tmp = unpack_int4(B_input, (size_t)K * (size_t)N);

		if (!tmp)
			return rknn_log(RKNN_ERR_MALLOC_FAIL, "%s: out of memory", fn);
		ret = rnpu_matmul_pack_b_native(t, (uint32_t)K, (uint32_t)N, tmp, false, B_output);
		free(tmp);
		if (ret)
			return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: %dx%d is too large for int4",
					fn, K, N);
		return RKNN_SUCC;
	}
	if (rnpu_matmul_pack_b_native(t, (uint32_t)K, (uint32_t)N, B_input, false, B_output))
		return rknn_log(RKNN_ERR_PARAM_INVALID, "%s: %dx%d is too large", fn, K, N);
	return RKNN_SUCC;
}
