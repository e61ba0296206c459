// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* Matmul jobs: buffers, packing, the task list and its submission. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rnpu/matmul_job.h"
#include "rnpu_internal.h"

/* librknnrt's flags (the task list needs a kernel mapping); the
 * non-contiguous bit is only asked for where an IOMMU can honour it. */
#define TASK_BO_FLAGS (RKNPU_MEM_CACHEABLE | RKNPU_MEM_KERNEL_MAPPING)
#define DATA_BO_FLAGS RKNPU_MEM_CACHEABLE

static int job_alloc(struct rnpu_dev *dev, size_t size, uint32_t flags, struct rnpu_bo **bo,
		     void **map)
{
	uint32_t iommu = 0;
	int ret;

	if (rnpu_action(dev, RKNPU_GET_IOMMU_EN, &iommu) == 0 && iommu)
		flags |= RKNPU_MEM_NON_CONTIGUOUS;
	ret = rnpu_bo_create(dev, size, flags, bo);

	if (!ret && map)
		ret = rnpu_bo_map(*bo, map);
	return ret;
}

void rnpu_matmul_job_destroy(struct rnpu_matmul_job *job)
{
	if (!job)
		return;
	rnpu_bo_free(job->task);
	rnpu_bo_free(job->regcmd);
	rnpu_bo_free(job->c);
	rnpu_bo_free(job->b);
	rnpu_bo_free(job->a);
	free(job);
}

/* Copies the program into the regcmd buffer (already allocated at the
 * address the chain links were computed for) and writes the task list. */
static int job_fill_tasks(struct rnpu_matmul_job *job, const struct rnpu_regcmd_prog *prog)
{
	struct rknpu_task *tasks;
	void *words;
	int ret;

	ret = rnpu_bo_map(job->regcmd, &words);
	if (ret)
		return ret;
	memcpy(words, prog->words, prog->nwords * sizeof(uint64_t));
	ret = job_alloc(job->dev, prog->ntasks * sizeof(struct rknpu_task), TASK_BO_FLAGS,
			&job->task, (void **)&tasks);
	if (ret)
		return ret;
	rnpu_regcmd_fill_tasks(prog, rnpu_bo_dma_addr(job->regcmd), tasks);
	job->num_tasks = (uint32_t)prog->ntasks;
	ret = rnpu_bo_sync(job->regcmd, 0, rnpu_bo_size(job->regcmd), RKNPU_MEM_SYNC_TO_DEVICE);
	if (!ret)
		ret = rnpu_bo_sync(job->task, 0, rnpu_bo_size(job->task), RKNPU_MEM_SYNC_TO_DEVICE);
	return ret;
}

int rnpu_matmul_job_create(struct rnpu_dev *dev, enum rnpu_mm_type type, uint32_t m,
			   uint32_t k, uint32_t n, uint32_t max_tile_m,
			   struct rnpu_matmul_job **out)
{
	struct rnpu_matmul_job *job = calloc(1, sizeof(*job));
	struct rnpu_regcmd_prog prog;
	char err[RNPU_REGCMD_MSG_LEN] = "";
	size_t nwords;
	int ret;

	if (!job)
		return -ENOMEM;
	job->dev = dev;
	job->desc = (struct rnpu_matmul_desc){ .type = type, .m = m, .k = k, .n = n,
					       .max_tile_m = max_tile_m };
	/* A dry run validates the shape and sizes the program before
	 * anything is allocated; the real build needs the buffer addresses. */
	rnpu_regcmd_init(&prog);
	ret = rnpu_matmul_build(&job->desc, 0, &prog, err, sizeof(err));
	nwords = prog.nwords;
	rnpu_regcmd_fini(&prog);
	if (ret)
		goto err;
	ret = job_alloc(dev, rnpu_matmul_a_size(type, m, k, n), DATA_BO_FLAGS, &job->a, &job->a_map);
	if (!ret)
		ret = job_alloc(dev, rnpu_matmul_b_size(type, m, k, n), DATA_BO_FLAGS, &job->b,
				&job->b_map);
	if (!ret)
		ret = job_alloc(dev, rnpu_matmul_c_size(type, m, k, n), DATA_BO_FLAGS, &job->c,
				&job->c_map);
	if (!ret)
		ret = job_alloc(dev, nwords * sizeof(uint64_t), DATA_BO_FLAGS, &job->regcmd, NULL);
	if (ret)
		goto err;
	job->desc.a_dma = rnpu_bo_dma_addr(job->a);
	job->desc.b_dma = rnpu_bo_dma_addr(job->b);
	job->desc.c_dma = rnpu_bo_dma_addr(job->c);
	rnpu_regcmd_init(&prog);
	ret = rnpu_matmul_build(&job->desc, rnpu_bo_dma_addr(job->regcmd), &prog, err, sizeof(err));
	if (!ret && prog.nwords != nwords)
		ret = -EINVAL; /* the program size does not depend on addresses */
	if (!ret)
		ret = job_fill_tasks(job, &prog);
	rnpu_regcmd_fini(&prog);
	if (ret)
		goto err;
	*out = job;
	return 0;
err:
	rnpu_matmul_job_destroy(job);
	return rnpu_set_error(dev, ret, "matmul %ux%ux%u: %s", m, k, n,
			      err[0] ? err : "buffer allocation failed");
}

int rnpu_matmul_job_set_inputs(struct rnpu_matmul_job *job, const void *a, const void *b)
{
	const struct rnpu_matmul_desc *d = &job->desc;
	int ret = rnpu_matmul_pack_a(d->type, d->m, d->k, a, job->a_map);

	if (!ret)
		ret = rnpu_matmul_pack_b(d->type, d->k, d->n, b, job->b_map);
	if (!ret)
		ret = rnpu_bo_sync(job->a, 0, rnpu_bo_size(job->a), RKNPU_MEM_SYNC_TO_DEVICE);
	if (!ret)
		ret = rnpu_bo_sync(job->b, 0, rnpu_bo_size(job->b), RKNPU_MEM_SYNC_TO_DEVICE);
	return ret;
}

int rnpu_matmul_job_run(struct rnpu_matmul_job *job, uint32_t core_mask,
			struct rnpu_submit_req *req)
{
	struct rnpu_submit_req local;
	struct rnpu_submit_req *r = req ? req : &local;

	memset(r, 0, sizeof(*r));
	r->task_bo = job->task;
	r->task_start = 0;
	r->task_count = job->num_tasks;
	r->core_mask = core_mask;
	return rnpu_submit(job->dev, r);
}

int rnpu_matmul_job_run_async(struct rnpu_matmul_job *job, uint32_t core_mask, int *fence_fd)
{
	struct rnpu_submit_req r;

	memset(&r, 0, sizeof(r));
	r.task_bo = job->task;
	r.task_count = job->num_tasks;
	r.core_mask = core_mask;
	return rnpu_submit_async(job->dev, &r, fence_fd);
}

int rnpu_matmul_job_get_output(struct rnpu_matmul_job *job, void *c)
{
	int ret = rnpu_bo_sync(job->c, 0, rnpu_bo_size(job->c), RKNPU_MEM_SYNC_FROM_DEVICE);

	if (ret)
		return ret;
	return rnpu_matmul_unpack_c(job->desc.type, job->desc.m, job->desc.n, job->c_map, c);
}
