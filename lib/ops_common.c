// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* The life cycle every operation shares: buffers, task list, layout
 * conversion of inputs and output, blocking and asynchronous runs. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops_internal.h"
#include "rk3588_regs.h"
#include "rnpu_internal.h"

#define TASK_BO_FLAGS (RKNPU_MEM_CACHEABLE | RKNPU_MEM_KERNEL_MAPPING)
#define DATA_BO_FLAGS RKNPU_MEM_CACHEABLE
#define RK3588_CORES 3u
/* Splitting pays once each core gets clearly more work than the cost of
 * one more PC start (about 80k cycles, docs/sim.md): 2^24 MACs is ~16k
 * cycles of int8 MAC time per task, and a core gets at least two tasks. */
#define SPLIT_MIN_MACS_PER_TASK (1u << 24)
#define SPLIT_MIN_TASKS_PER_CORE 2u

uint32_t ops_div_up(uint64_t a, uint32_t b)
{
	return (uint32_t)((a + b - 1) / b);
}

uint32_t ops_min(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static int bo_alloc_flags(struct rnpu_op *op, size_t size, uint32_t flags, struct rnpu_bo **bo,
			  void **map)
{
	uint32_t iommu = 0;
	int ret;

	if (rnpu_action(op->dev, RKNPU_GET_IOMMU_EN, &iommu) == 0 && iommu)
		flags |= RKNPU_MEM_NON_CONTIGUOUS;
	ret = rnpu_bo_create(op->dev, size ? size : OPS_ATOM_BYTES, flags, bo);
	if (!ret && map)
		ret = rnpu_bo_map(*bo, map);
	return ret;
}

int ops_bo_alloc(struct rnpu_op *op, size_t size, struct rnpu_bo **bo, void **map)
{
	return bo_alloc_flags(op, size, DATA_BO_FLAGS, bo, map);
}

int ops_alloc_regcmd(struct rnpu_op *op, size_t prog_words)
{
	return ops_bo_alloc(op, prog_words * sizeof(uint64_t), &op->regcmd, NULL);
}

int ops_install_program(struct rnpu_op *op, const struct rnpu_regcmd_prog *prog)
{
	struct rknpu_task *tasks;
	void *words;
	int ret;

	ret = rnpu_bo_map(op->regcmd, &words);
	if (ret)
		return ret;
	if (prog->nwords * sizeof(uint64_t) > rnpu_bo_size(op->regcmd))
		return -EINVAL;
	memcpy(words, prog->words, prog->nwords * sizeof(uint64_t));
	ret = bo_alloc_flags(op, prog->ntasks * sizeof(struct rknpu_task), TASK_BO_FLAGS, &op->task,
			     (void **)&tasks);
	if (ret)
		return ret;
	rnpu_regcmd_fill_tasks(prog, rnpu_bo_dma_addr(op->regcmd), tasks);
	op->num_tasks = (uint32_t)prog->ntasks;
	ret = rnpu_bo_sync(op->regcmd, 0, rnpu_bo_size(op->regcmd), RKNPU_MEM_SYNC_TO_DEVICE);
	if (!ret)
		ret = rnpu_bo_sync(op->task, 0, rnpu_bo_size(op->task), RKNPU_MEM_SYNC_TO_DEVICE);
	if (!ret && op->consts)
		ret = rnpu_bo_sync(op->consts, 0, rnpu_bo_size(op->consts),
				   RKNPU_MEM_SYNC_TO_DEVICE);
	return ret;
}

int ops_refuse(char *err, size_t len, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return ret;
}

int ops_fail(struct rnpu_op *op, int ret, const char *msg)
{
	return rnpu_set_error(op->dev, ret, "%s: %s", op->name,
			      msg && msg[0] ? msg : "buffer allocation failed");
}

/* The driver holds only the task list of a queued job, so the other
 * buffers must outlive every job still using them: destroy waits for the
 * operation's asynchronous runs, each bounded by twice the job timeout. */
#define DESTROY_WAIT_MS (2 * RNPU_DEFAULT_TIMEOUT_MS)

void rnpu_op_destroy(struct rnpu_op *op)
{
	if (!op)
		return;
	ops_deferred_join(op);
	for (size_t i = 0; i < op->nfences; i++) {
		if (rnpu_fence_wait(op->fences[i], DESTROY_WAIT_MS) == -EAGAIN)
			rnpu_set_error(op->dev, -ETIMEDOUT,
				       "%s: destroy: a job still runs after"
				       " %d ms; freeing its buffers anyway",
				       op->name, DESTROY_WAIT_MS);
		close(op->fences[i]);
	}
	free(op->fences);
	rnpu_bo_free(op->task);
	rnpu_bo_free(op->regcmd);
	rnpu_bo_free(op->consts);
	for (unsigned int i = 0; i < 2; i++)
		rnpu_bo_free(op->scratch[i]);
	if (!op->borrowed[OPS_MAX_INPUTS])
		rnpu_bo_free(op->out);
	for (unsigned int i = 0; i < OPS_MAX_INPUTS; i++)
		if (!op->borrowed[i])
			rnpu_bo_free(op->in[i]);
	free(op->plan);
	free(op);
}

int ops_program(struct rnpu_op *op, const void *plan, size_t size,
		int (*build)(struct rnpu_op *, struct rnpu_regcmd_prog *, uint64_t, char *, size_t),
		char *err, size_t len)
{
	struct rnpu_regcmd_prog prog;
	int ret;

	op->plan = malloc(size);
	if (!op->plan)
		return -ENOMEM;
	memcpy(op->plan, plan, size);
	op->build = build;
	ret = build(op, &prog, rnpu_bo_dma_addr(op->regcmd), err, len);
	if (ret)
		return ret; /* the builder released the program */
	ret = ops_install_program(op, &prog);
	rnpu_regcmd_fini(&prog);
	return ret;
}

/* Rewrites the register program for the buffers now bound; the task list
 * stays valid because the program's layout does not depend on addresses. */
static int reprogram(struct rnpu_op *op)
{
	char err[RNPU_REGCMD_MSG_LEN + 64] = "";
	struct rnpu_regcmd_prog prog;
	void *words;
	int ret = op->build(op, &prog, rnpu_bo_dma_addr(op->regcmd), err, sizeof(err));

	if (ret)
		return ops_fail(op, ret, err);
	ret = rnpu_bo_map(op->regcmd, &words);
	if (!ret && prog.nwords * sizeof(uint64_t) > rnpu_bo_size(op->regcmd))
		ret = -EINVAL;
	if (!ret) {
		memcpy(words, prog.words, prog.nwords * sizeof(uint64_t));
		ret = rnpu_bo_sync(op->regcmd, 0, rnpu_bo_size(op->regcmd),
				   RKNPU_MEM_SYNC_TO_DEVICE);
	}
	rnpu_regcmd_fini(&prog);
	return ret;
}

static int bind(struct rnpu_op *op, unsigned int slot, struct rnpu_bo *bo)
{
	bool output = slot == OPS_MAX_INPUTS;
	struct rnpu_bo **cur = output ? &op->out : &op->in[slot];
	void **map = output ? &op->out_map : &op->in_map[slot];
	size_t need = output ? op->out_bytes : op->in_bytes[slot];
	struct rnpu_bo *old = *cur;
	void *old_map = *map, *new_map;
	bool old_borrowed = op->borrowed[slot];
	int ret;

	if (!bo || bo->dev != op->dev)
		return rnpu_set_error(op->dev, -EINVAL,
				      "%s: bind: buffer object %p is not of this"
				      " device",
				      op->name, (void *)bo);
	if (rnpu_bo_size(bo) < need)
		return rnpu_set_error(op->dev, -EINVAL,
				      "%s: bind: buffer of %llu bytes, the %s"
				      " needs %zu",
				      op->name, (unsigned long long)rnpu_bo_size(bo),
				      output ? "output" : "input", need);
	if (rnpu_bo_dma_addr(bo) % OPS_ATOM_BYTES)
		return rnpu_set_error(op->dev, -EINVAL,
				      "%s: bind: device address 0x%llx is not"
				      " %u-byte aligned",
				      op->name, (unsigned long long)rnpu_bo_dma_addr(bo),
				      OPS_ATOM_BYTES);
	/* An imported buffer may have no CPU mapping here; its owner reads
	 * and writes it through its own. */
	if (rnpu_bo_map(bo, &new_map))
		new_map = NULL;
	*cur = bo;
	*map = new_map;
	op->borrowed[slot] = true;
	ret = reprogram(op);
	if (ret) {
		*cur = old;
		*map = old_map;
		op->borrowed[slot] = old_borrowed;
		return ret;
	}
	if (!old_borrowed)
		rnpu_bo_free(old);
	return 0;
}

int rnpu_op_bind_input(struct rnpu_op *op, unsigned int index, struct rnpu_bo *bo)
{
	if (index >= op->num_inputs)
		return rnpu_set_error(op->dev, -EINVAL, "%s: bind: input index %u (of %u)",
				      op->name, index, op->num_inputs);
	return bind(op, index, bo);
}

int rnpu_op_bind_output(struct rnpu_op *op, struct rnpu_bo *bo)
{
	return bind(op, OPS_MAX_INPUTS, bo);
}

void rnpu_op_output_shape(const struct rnpu_op *op, uint32_t *h, uint32_t *w, uint32_t *c)
{
	if (h)
		*h = op->out_h;
	if (w)
		*w = op->out_w;
	if (c)
		*c = op->out_c;
}

uint32_t rnpu_op_num_tasks(const struct rnpu_op *op)
{
	return op->num_tasks;
}

struct rnpu_bo *rnpu_op_input_bo(struct rnpu_op *op, unsigned int index)
{
	return index < op->num_inputs ? op->in[index] : NULL;
}

struct rnpu_bo *rnpu_op_output_bo(struct rnpu_op *op)
{
	return op->out;
}

int rnpu_op_set_input(struct rnpu_op *op, unsigned int index, const void *data)
{
	size_t bytes;
	int ret;

	if (index >= op->num_inputs || !data)
		return rnpu_set_error(op->dev, -EINVAL, "%s: input index %u (of %u) or data %p",
				      op->name, index, op->num_inputs, data);
	if (!op->in_map[index])
		return rnpu_set_error(op->dev, -EINVAL,
				      "%s: input %u is a bound buffer without a"
				      " CPU mapping here; write it through its own",
				      op->name, index);
	if (op->kind == OPS_ELTWISE) {
		/* Elementwise data is processed as it lies: no conversion. */
		bytes = (size_t)op->in_h * rnpu_dtype_size(op->in_dt);
		memcpy(op->in_map[index], data, bytes);
	} else {
		ret = rnpu_to_native(op->in_dt, RNPU_LAYOUT_NHWC, op->in_h, op->in_w, op->in_c,
				     data, op->in_map[index]);
		if (ret)
			return ret;
	}
	return rnpu_bo_sync(op->in[index], 0, rnpu_bo_size(op->in[index]),
			    RKNPU_MEM_SYNC_TO_DEVICE);
}

int rnpu_op_get_output(struct rnpu_op *op, void *data)
{
	int ret;

	if (!data)
		return rnpu_set_error(op->dev, -EINVAL, "%s: output pointer is NULL", op->name);
	if (!op->out_map)
		return rnpu_set_error(op->dev, -EINVAL,
				      "%s: the output is a bound buffer without a"
				      " CPU mapping here; read it through its own",
				      op->name);
	ret = rnpu_bo_sync(op->out, 0, rnpu_bo_size(op->out), RKNPU_MEM_SYNC_FROM_DEVICE);
	if (ret)
		return ret;
	if (op->kind == OPS_ELTWISE) {
		memcpy(data, op->out_map, (size_t)op->out_h * rnpu_dtype_size(op->out_dt));
		return 0;
	}
	return rnpu_from_native(op->out_dt, RNPU_LAYOUT_NHWC, op->out_h, op->out_w, op->out_c,
				op->out_map, data);
}

static unsigned int popcount3(uint32_t m)
{
	return (m & 1) + ((m >> 1) & 1) + ((m >> 2) & 1);
}

/* The mask "where it pays" stands for: all three cores when each would get
 * at least two sizeable tasks, otherwise whichever core AUTO picks. */
static uint32_t pick_cores(const struct rnpu_op *op, uint32_t core_mask)
{
	if (core_mask != RNPU_OPS_CORES_WHERE_IT_PAYS)
		return core_mask;
	if (op->num_tasks >= RK3588_CORES * SPLIT_MIN_TASKS_PER_CORE &&
	    op->macs / op->num_tasks >= SPLIT_MIN_MACS_PER_TASK)
		return 0x7;
	return RKNPU_CORE_AUTO_MASK;
}

int ops_fill_req(struct rnpu_op *op, uint32_t core_mask, struct rnpu_submit_req *r)
{
	/* Tasks that depend on each other form units a split keeps whole. */
	uint32_t unit = op->tasks_per_unit ? op->tasks_per_unit : 1;
	uint32_t units = op->num_tasks / unit;
	unsigned int ncores;

	core_mask = pick_cores(op, core_mask);
	if (core_mask & ~0x7u)
		return rnpu_set_error(op->dev, -EINVAL, "%s: core_mask 0x%x names no RK3588 core",
				      op->name, core_mask);
	memset(r, 0, sizeof(*r));
	r->task_bo = op->task;
	r->task_count = op->num_tasks;
	ncores = popcount3(core_mask);
	if (ncores <= 1) {
		r->core_mask = core_mask;
		return 0;
	}
	if (core_mask != 0x3 && core_mask != 0x7)
		return rnpu_set_error(op->dev, -EINVAL,
				      "%s: core_mask 0x%x: several cores must be 0x3 or 0x7",
				      op->name, core_mask);
	/* Fewer units than cores: the cores a job names must each get one. */
	if (units < ncores) {
		core_mask = units == 1 ? RKNPU_CORE_AUTO_MASK : 0x3;
		ncores = units;
	}
	r->core_mask = core_mask;
	if (ncores <= 1)
		return 0;
	for (unsigned int i = 0, start = 0; i < ncores; i++) {
		uint32_t n = (units / ncores + (i < units % ncores ? 1 : 0)) * unit;

		r->core_tasks[i].task_start = start;
		r->core_tasks[i].task_number = n;
		start += n;
	}
	return 0;
}

int rnpu_op_run(struct rnpu_op *op, uint32_t core_mask, struct rnpu_submit_req *req)
{
	struct rnpu_submit_req local;
	struct rnpu_submit_req *r = req ? req : &local;
	int ret = ops_fill_req(op, core_mask, r);

	return ret ? ret : rnpu_submit(op->dev, r);
}

/* Keeps a dup of @fd until its job is seen done, dropping finished ones. */
int ops_track_fence(struct rnpu_op *op, int fd)
{
	size_t n = 0;

	for (size_t i = 0; i < op->nfences; i++) {
		if (rnpu_fence_wait(op->fences[i], 0) != -EAGAIN)
			close(op->fences[i]);
		else
			op->fences[n++] = op->fences[i];
	}
	op->nfences = n;
	if (op->nfences == op->fences_cap) {
		size_t cap = op->fences_cap ? 2 * op->fences_cap : 4;
		int *f = realloc(op->fences, cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		op->fences = f;
		op->fences_cap = cap;
	}
	fd = dup(fd);
	if (fd < 0)
		return -errno;
	op->fences[op->nfences++] = fd;
	return 0;
}

int rnpu_op_run_async(struct rnpu_op *op, uint32_t core_mask, int *fence_fd)
{
	struct rnpu_submit_req r;
	int ret;

	if (!fence_fd)
		return rnpu_set_error(op->dev, -EINVAL, "%s: fence_fd pointer is NULL", op->name);
	ret = ops_fill_req(op, core_mask, &r);
	if (!ret)
		ret = rnpu_submit_async(op->dev, &r, fence_fd);
	if (ret)
		return ret;
	ret = ops_track_fence(op, *fence_fd);
	if (ret) {
		/* Without a way to wait for it at destroy, wait for it now. */
		rnpu_fence_wait(*fence_fd, DESTROY_WAIT_MS);
	}
	return 0;
}

/* Values of DPU.FEATURE_MODE_CFG fields (vendor captures). */
#define FLYING_BURST_16 15u
#define FLYING_OUTPUT_TO_MEMORY 2u

void ops_emit_dpu_flying_head(struct rnpu_regcmd_prog *p, uint64_t out_dma, uint64_t plane,
			      uint32_t width, uint32_t rows, uint32_t c2, uint32_t prec)
{
	uint32_t v = 0;

	SET(DPU, S_POINTER, POINTER_PP_MODE, 1);
	SET(DPU, S_POINTER, EXECUTER_PP_EN, 1);
	SET(DPU, S_POINTER, POINTER_PP_EN, 1);
	PUT(DPU, S_POINTER);
	SET(DPU_RDMA, S_POINTER, POINTER_PP_MODE, 1);
	SET(DPU_RDMA, S_POINTER, EXECUTER_PP_EN, 1);
	SET(DPU_RDMA, S_POINTER, POINTER_PP_EN, 1);
	PUT(DPU_RDMA, S_POINTER);

	SET(DPU, FEATURE_MODE_CFG, BURST_LEN, FLYING_BURST_16);
	SET(DPU, FEATURE_MODE_CFG, OUTPUT_MODE, FLYING_OUTPUT_TO_MEMORY);
	SET(DPU, FEATURE_MODE_CFG, FLYING_MODE, 1);
	PUT(DPU, FEATURE_MODE_CFG);
	ZERO(DPU, OFFSET_PEND);
	SET_ADDR(DPU, DST_BASE_ADDR, VALUE, out_dma);
	PUT(DPU, DST_BASE_ADDR);
	SET(DPU, DST_SURF_STRIDE, VALUE, plane);
	PUT(DPU, DST_SURF_STRIDE);
	SET(DPU, DATA_CUBE_WIDTH, VALUE, width - 1);
	PUT(DPU, DATA_CUBE_WIDTH);
	SET(DPU, DATA_CUBE_HEIGHT, HEIGHT, rows - 1);
	PUT(DPU, DATA_CUBE_HEIGHT);
	ZERO(DPU, DATA_CUBE_NOTCH_ADDR);
	SET(DPU, DATA_CUBE_CHANNEL, ORIG_CHANNEL, c2 - 1);
	SET(DPU, DATA_CUBE_CHANNEL, CHANNEL, c2 - 1);
	PUT(DPU, DATA_CUBE_CHANNEL);
	SET(DPU, WDMA_SIZE_0, CHANNEL_WDMA, c2 - 1);
	PUT(DPU, WDMA_SIZE_0);
	SET(DPU, WDMA_SIZE_1, HEIGHT_WDMA, rows - 1);
	SET(DPU, WDMA_SIZE_1, WIDTH_WDMA, width - 1);
	PUT(DPU, WDMA_SIZE_1);
	SET(DPU, BS_OW_CFG, OD_BYPASS, 1);
	PUT(DPU, BS_OW_CFG);
	ZERO(DPU, BS_OW_OP);
	SET(DPU, DATA_FORMAT, OUT_PRECISION, prec);
	SET(DPU, DATA_FORMAT, IN_PRECISION, prec);
	SET(DPU, DATA_FORMAT, PROC_PRECISION, prec);
	PUT(DPU, DATA_FORMAT);
	SET(DPU, BS_CFG, BS_RELU_BYPASS, 1);
	SET(DPU, BS_CFG, BS_MUL_BYPASS, 1);
	SET(DPU, BS_CFG, BS_ALU_BYPASS, 1);
	SET(DPU, BS_CFG, BS_BYPASS, 1);
	PUT(DPU, BS_CFG);
	ZERO(DPU, BS_ALU_CFG);
	ZERO(DPU, BS_MUL_CFG);
	ZERO(DPU, BS_RELUX_CMP_VALUE);
	SET(DPU, BN_CFG, BN_RELU_BYPASS, 1);
	SET(DPU, BN_CFG, BN_MUL_BYPASS, 1);
	SET(DPU, BN_CFG, BN_ALU_BYPASS, 1);
	SET(DPU, BN_CFG, BN_BYPASS, 1);
	PUT(DPU, BN_CFG);
	ZERO(DPU, BN_ALU_CFG);
	ZERO(DPU, BN_MUL_CFG);
	ZERO(DPU, BN_RELUX_CMP_VALUE);
}

int ops_build_bands(struct rnpu_regcmd_prog *p, uint32_t total, uint32_t band,
		    void (*emit)(struct rnpu_regcmd_prog *p, const void *plan, uint32_t first,
				 uint32_t rows),
		    const void *plan, uint64_t regcmd_dma, char *err, size_t len)
{
	int ret = 0;

	rnpu_regcmd_init(p);
	for (uint32_t first = 0; !ret && first < total; first += band) {
		emit(p, plan, first, ops_min(band, total - first));
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

void ops_emit_rdma_flying_input(struct rnpu_regcmd_prog *p, uint64_t src_dma, uint32_t width,
				uint32_t rows, uint32_t c2)
{
	uint32_t v = 0;

	SET(DPU_RDMA, RDMA_DATA_CUBE_WIDTH, VALUE, width - 1);
	PUT(DPU_RDMA, RDMA_DATA_CUBE_WIDTH);
	SET(DPU_RDMA, RDMA_DATA_CUBE_HEIGHT, HEIGHT, rows - 1);
	PUT(DPU_RDMA, RDMA_DATA_CUBE_HEIGHT);
	SET(DPU_RDMA, RDMA_DATA_CUBE_CHANNEL, VALUE, c2 - 1);
	PUT(DPU_RDMA, RDMA_DATA_CUBE_CHANNEL);
	SET_ADDR(DPU_RDMA, RDMA_SRC_BASE_ADDR, VALUE, src_dma);
	PUT(DPU_RDMA, RDMA_SRC_BASE_ADDR);
	ZERO(DPU_RDMA, RDMA_BRDMA_CFG);
	ZERO(DPU_RDMA, RDMA_BS_BASE_ADDR);
	ZERO(DPU_RDMA, RDMA_NRDMA_CFG);
	ZERO(DPU_RDMA, RDMA_BN_BASE_ADDR);
}

void ops_emit_rdma_flying_mode(struct rnpu_regcmd_prog *p, uint32_t prec, bool fp16_to_fp32)
{
	uint32_t v = 0;

	SET(DPU_RDMA, RDMA_FEATURE_MODE_CFG, IN_PRECISION, prec);
	SET(DPU_RDMA, RDMA_FEATURE_MODE_CFG, BURST_LEN, FLYING_BURST_16);
	SET(DPU_RDMA, RDMA_FEATURE_MODE_CFG, PROC_PRECISION, prec);
	SET(DPU_RDMA, RDMA_FEATURE_MODE_CFG, MRDMA_FP16TOFP32_EN, fp16_to_fp32);
	SET(DPU_RDMA, RDMA_FEATURE_MODE_CFG, FLYING_MODE, 1);
	PUT(DPU_RDMA, RDMA_FEATURE_MODE_CFG);
	ZERO(DPU_RDMA, RDMA_SRC_DMA_CFG);
	ZERO(DPU_RDMA, RDMA_SURF_NOTCH);
	ZERO(DPU_RDMA, RDMA_PAD_CFG);
	SET(DPU_RDMA, RDMA_WEIGHT, E_WEIGHT, 1);
	SET(DPU_RDMA, RDMA_WEIGHT, N_WEIGHT, 1);
	SET(DPU_RDMA, RDMA_WEIGHT, B_WEIGHT, 1);
	SET(DPU_RDMA, RDMA_WEIGHT, M_WEIGHT, 1);
	PUT(DPU_RDMA, RDMA_WEIGHT);
}
