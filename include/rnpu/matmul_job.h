/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * A matrix multiplication C = A x B ready to run on an RKNPU: the buffer
 * objects for A, B, C, the register program and the task list, built with
 * the command builder and submitted through the UAPI.
 */
#ifndef RNPU_MATMUL_JOB_H
#define RNPU_MATMUL_JOB_H

#include "rnpu/matmul_task.h"
#include "rnpu/rnpu.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rnpu_matmul_job {
	struct rnpu_dev *dev;
	struct rnpu_matmul_desc desc;
	struct rnpu_bo *a, *b, *c, *regcmd, *task;
	void *a_map, *b_map, *c_map;
	uint32_t num_tasks;
};

/* Allocates and builds. @max_tile_m: rows per task (0 = largest that fits
 * the convolution buffer). Errors: -EINVAL for a shape the hardware cannot
 * run (rnpu_last_error() names the field), allocation errors. */
int rnpu_matmul_job_create(struct rnpu_dev *dev, enum rnpu_mm_type type, uint32_t m,
			   uint32_t k, uint32_t n, uint32_t max_tile_m,
			   struct rnpu_matmul_job **out);
/* A: m x k row-major; B: k x n row-major (int8_t, or fp16 bit patterns). */
int rnpu_matmul_job_set_inputs(struct rnpu_matmul_job *job, const void *a, const void *b);
/* Submits all tasks on @core_mask (AUTO or one core), blocking. @req (may
 * be NULL) receives task counter, elapsed time and the core used. */
int rnpu_matmul_job_run(struct rnpu_matmul_job *job, uint32_t core_mask,
			struct rnpu_submit_req *req);
/* Submits without waiting; *fence_fd is signalled when the job ends. */
int rnpu_matmul_job_run_async(struct rnpu_matmul_job *job, uint32_t core_mask, int *fence_fd);
/* C: m x n row-major (int32_t, float, or fp16 bit patterns). */
int rnpu_matmul_job_get_output(struct rnpu_matmul_job *job, void *c);
void rnpu_matmul_job_destroy(struct rnpu_matmul_job *job);

#ifdef __cplusplus
}
#endif
#endif
