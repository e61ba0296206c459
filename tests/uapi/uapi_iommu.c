// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * IOMMU mode (RNPU_IOMMU=1): each session has its own address spaces.
 * A task pointed at another session's IOVA faults: the job fails with
 * EFAULT, the log names the address, the other session's memory is
 * untouched and both sessions go on working. iommu_domain_id selects a
 * second 4 GiB space of the session. A shared object has an address of its
 * own in each session holding it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "rk3588_regs.h"
#include "rnpu/matmul_job.h"
#include "uapi_util.h"

#define MM_M 16u
#define MM_K 64u
#define MM_N 32u
#define VICTIM_SIZE (256u * 1024u)
#define FILLER_SIZE (16u * 1024u * 1024u)

struct mm {
	struct rnpu_matmul_job *job;
	int8_t a[MM_M * MM_K], b[MM_K * MM_N];
};

static struct mm *mm_new(struct rnpu_dev *dev, int salt)
{
	struct mm *mm = calloc(1, sizeof(*mm));

	assert_non_null(mm);
	for (size_t i = 0; i < sizeof(mm->a); i++)
		mm->a[i] = (int8_t)((int)(i * 7 + (size_t)salt) % 251 - 125);
	for (size_t i = 0; i < sizeof(mm->b); i++)
		mm->b[i] = (int8_t)((int)(i * 3 + (size_t)salt * 5) % 241 - 120);
	assert_int_equal(rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, MM_M, MM_K, MM_N, 0,
						&mm->job), 0);
	assert_int_equal(rnpu_matmul_job_set_inputs(mm->job, mm->a, mm->b), 0);
	return mm;
}

/* C against a plain CPU product. */
static void mm_check_c(const struct mm *mm, const int32_t *c)
{
	for (uint32_t r = 0; r < MM_M; r++)
		for (uint32_t col = 0; col < MM_N; col++) {
			int32_t ref = 0;

			for (uint32_t l = 0; l < MM_K; l++)
				ref += mm->a[r * MM_K + l] * mm->b[l * MM_N + col];
			assert_int_equal(c[r * MM_N + col], ref);
		}
}

static void mm_run_and_check(struct mm *mm)
{
	int32_t c[MM_M * MM_N];

	assert_int_equal(rnpu_matmul_job_run(mm->job, RKNPU_CORE0_MASK, NULL), 0);
	assert_int_equal(rnpu_matmul_job_get_output(mm->job, c), 0);
	mm_check_c(mm, c);
}

static void mm_free(struct mm *mm)
{
	rnpu_matmul_job_destroy(mm->job);
	free(mm);
}

/* Rewrites every write of @reg in the job's register program to @value;
 * returns how many words changed. */
static unsigned int patch_reg(struct mm *mm, uint32_t reg, uint32_t value)
{
	uint64_t *words;
	unsigned int n = 0;

	assert_int_equal(rnpu_bo_map(mm->job->regcmd, (void **)&words), 0);
	for (size_t i = 0; i < rnpu_bo_size(mm->job->regcmd) / 8; i++) {
		if (rk3588_regcmd_offset(words[i]) == reg && rk3588_regcmd_target(words[i]) != 0) {
			words[i] = rk3588_regcmd(rk3588_regcmd_target(words[i]), (uint16_t)reg, value);
			n++;
		}
	}
	return n;
}

static uint64_t checksum(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static void iommu_reported(void **state)
{
	uint32_t v = 0;

	(void)state;
	struct rnpu_dev *dev;

	assert_int_equal(rnpu_open("sim", &dev), 0);
	assert_int_equal(action(dev, RKNPU_GET_IOMMU_EN, &v), 0);
	assert_int_equal(v, 1);
	rnpu_close(dev);
}

/* Session B's task reads (@write false) or writes session A's buffer
 * through A's IOVA, which B's space does not map. */
static void fault_case(bool write)
{
	struct rnpu_dev *a, *b;
	struct rnpu_bo *filler, *victim;
	struct mm *mm_b, *mm_a;
	uint8_t *vmap;
	uint64_t sum;
	uint32_t victim_iova;
	char addr[32];

	assert_int_equal(rnpu_open("sim", &a), 0);
	assert_int_equal(rnpu_open("sim", &b), 0);
	/* A's victim lies above everything B will ever map. */
	assert_int_equal(rnpu_bo_create(a, FILLER_SIZE, 0, &filler), 0);
	assert_int_equal(rnpu_bo_create(a, VICTIM_SIZE, 0, &victim), 0);
	assert_int_equal(rnpu_bo_map(victim, (void **)&vmap), 0);
	for (size_t i = 0; i < VICTIM_SIZE; i++)
		vmap[i] = (uint8_t)(i * 13 + 5);
	sum = checksum(vmap, VICTIM_SIZE);
	victim_iova = (uint32_t)rnpu_bo_dma_addr(victim);

	mm_b = mm_new(b, 1);
	assert_true(rnpu_bo_dma_addr(mm_b->job->task) + rnpu_bo_size(mm_b->job->task) <=
		    victim_iova);
	assert_true(rnpu_bo_dma_addr(mm_b->job->regcmd) + rnpu_bo_size(mm_b->job->regcmd) <=
		    victim_iova);
	if (write)
		assert_int_equal(patch_reg(mm_b, REG_DPU_DST_BASE_ADDR, victim_iova), 1);
	else
		assert_int_equal(patch_reg(mm_b, REG_CNA_FEATURE_DATA_ADDR, victim_iova), 1);

	log_capture_start();
	assert_int_equal(rnpu_matmul_job_run(mm_b->job, RKNPU_CORE0_MASK, NULL), -EFAULT);
	snprintf(addr, sizeof(addr), "at iova 0x%08x", victim_iova);
	assert_true(log_has("iommu page fault", addr));
	assert_true(log_has(write ? "write" : "read", addr));
	log_capture_stop();

	/* A's memory is unchanged, and both sessions work on. */
	assert_int_equal(checksum(vmap, VICTIM_SIZE), sum);
	mm_free(mm_b);
	mm_b = mm_new(b, 2);
	mm_run_and_check(mm_b);
	mm_a = mm_new(a, 3);
	mm_run_and_check(mm_a);
	assert_int_equal(checksum(vmap, VICTIM_SIZE), sum);

	mm_free(mm_a);
	mm_free(mm_b);
	rnpu_bo_free(victim);
	rnpu_bo_free(filler);
	rnpu_close(b);
	rnpu_close(a);
}

static void iommu_fault_read(void **state)
{
	(void)state;
	fault_case(false);
}

static void iommu_fault_write(void **state)
{
	(void)state;
	fault_case(true);
}

/* A mem_create in @domain of the same size as @bo, with @bo's
 * contents. */
static void clone_into_domain(struct rnpu_dev *dev, struct rnpu_bo *bo, int32_t domain,
			      struct rknpu_mem_create *out)
{
	void *src, *dst;
	uint64_t off;

	memset(out, 0, sizeof(*out));
	out->size = rnpu_bo_size(bo);
	out->flags = RKNPU_MEM_KERNEL_MAPPING; /* the task list needs it */
	out->iommu_domain_id = domain;
	assert_int_equal(rnpu_ioctl(dev, DRM_IOCTL_RKNPU_MEM_CREATE, out), 0);
	assert_int_equal(rnpu_bo_map(bo, &src), 0);
	assert_int_equal(mem_map(dev, out->handle, &off), 0);
	assert_int_equal(rnpu_mmap(dev, off, out->size, &dst), 0);
	memcpy(dst, src, out->size);
	munmap(dst, out->size);
}

static int submit_domain(struct rnpu_dev *dev, uint64_t task_obj, uint32_t ntasks,
			 uint32_t domain)
{
	struct rknpu_submit s;

	memset(&s, 0, sizeof(s));
	s.flags = RKNPU_JOB_PC;
	s.timeout = 6000;
	s.task_number = ntasks;
	s.task_obj_addr = task_obj;
	s.iommu_domain_id = domain;
	s.core_mask = RKNPU_CORE1_MASK;
	s.fence_fd = -1;
	for (unsigned int i = 0; i < 3; i++)
		s.subcore_task[i].task_number = ntasks;
	return rnpu_ioctl(dev, DRM_IOCTL_RKNPU_SUBMIT, &s);
}

static void iommu_domain_id(void **state)
{
	struct rknpu_mem_create a1, b1, c1, r1, t1;
	struct rnpu_dev *dev;
	struct mm *mm;
	int32_t c[MM_M * MM_N], *c0;
	uint64_t off;
	void *map;

	(void)state;
	assert_int_equal(rnpu_open("sim", &dev), 0);
	mm = mm_new(dev, 4);
	/* The same objects again in domain 1: a second space, so the same
	 * addresses, now naming other memory. */
	clone_into_domain(dev, mm->job->a, 1, &a1);
	clone_into_domain(dev, mm->job->b, 1, &b1);
	clone_into_domain(dev, mm->job->c, 1, &c1);
	clone_into_domain(dev, mm->job->regcmd, 1, &r1);
	clone_into_domain(dev, mm->job->task, 1, &t1);
	assert_int_equal(a1.dma_addr, rnpu_bo_dma_addr(mm->job->a));
	assert_int_equal(b1.dma_addr, rnpu_bo_dma_addr(mm->job->b));
	assert_int_equal(c1.dma_addr, rnpu_bo_dma_addr(mm->job->c));
	assert_int_equal(r1.dma_addr, rnpu_bo_dma_addr(mm->job->regcmd));

	/* Run in domain 1: the output lands in the domain-1 copy of C only. */
	assert_int_equal(submit_domain(dev, t1.obj_addr, mm->job->num_tasks, 1), 0);
	assert_int_equal(mem_map(dev, c1.handle, &off), 0);
	assert_int_equal(rnpu_mmap(dev, off, c1.size, &map), 0);
	memcpy(c, map, sizeof(c));
	munmap(map, c1.size);
	/* The C buffer holds the raw output layout: compare through the
	 * library by copying it into the domain-0 C. */
	assert_int_equal(rnpu_bo_map(mm->job->c, (void **)&c0), 0);
	for (size_t i = 0; i < c1.size / sizeof(int32_t); i++)
		assert_int_equal(c0[i], 0); /* domain 0 untouched */
	assert_int_equal(mem_map(dev, c1.handle, &off), 0);
	assert_int_equal(rnpu_mmap(dev, off, c1.size, &map), 0);
	memcpy(c0, map, c1.size);
	munmap(map, c1.size);
	assert_int_equal(rnpu_matmul_job_get_output(mm->job, c), 0);
	mm_check_c(mm, c);

	/* A space where nothing is mapped: the first fetch faults. */
	log_capture_start();
	assert_int_equal(submit_domain(dev, t1.obj_addr, mm->job->num_tasks, 2), -EFAULT);
	assert_true(log_has("iommu page fault", "job iommu domain id: 2"));
	/* Domain ids beyond 15 are refused. */
	assert_int_equal(submit_domain(dev, t1.obj_addr, mm->job->num_tasks, 16), -EINVAL);
	assert_true(log_has("invalid iommu domain id: 16", NULL));
	log_capture_stop();

	/* Domain 0 still works. */
	memset(c0, 0, c1.size);
	mm_run_and_check(mm);

	mm_free(mm);
	rnpu_close(dev); /* the domain-1 objects go with the session */
}

/* An object shared with another session is mapped in that session's
 * space too, at an address of its own, and a job there reaches it. */
static void iommu_shared_object(void **state)
{
	struct rnpu_dev *a, *b;
	struct rnpu_bo *filler;
	struct mm *owner, *user;
	struct rnpu_drm_gem_flink fl = { 0 };
	struct rnpu_drm_gem_open op = { 0 };
	struct rnpu_drm_gem_close cl = { 0 };
	struct rknpu_mem_create info;
	int32_t c[MM_M * MM_N];

	(void)state;
	assert_int_equal(rnpu_open("sim", &a), 0);
	assert_int_equal(rnpu_open("sim", &b), 0);
	/* B's addresses are shifted, so the shared object's two addresses
	 * differ. */
	assert_int_equal(rnpu_bo_create(b, 64 * 4096, 0, &filler), 0);
	owner = mm_new(a, 5);
	user = mm_new(b, 5); /* the same inputs */
	fl.handle = rnpu_bo_handle(owner->job->c);
	assert_int_equal(rnpu_ioctl(a, RNPU_DRM_IOCTL_GEM_FLINK, &fl), 0);
	op.name = fl.name;
	assert_int_equal(rnpu_ioctl(b, RNPU_DRM_IOCTL_GEM_OPEN, &op), 0);
	memset(&info, 0, sizeof(info));
	info.handle = op.handle;
	assert_int_equal(rnpu_ioctl(b, DRM_IOCTL_RKNPU_MEM_CREATE, &info), 0);
	assert_true(info.dma_addr != 0);
	assert_true(info.dma_addr != rnpu_bo_dma_addr(owner->job->c));

	/* B computes into A's C through B's own address for it. */
	assert_int_equal(patch_reg(user, REG_DPU_DST_BASE_ADDR, (uint32_t)info.dma_addr), 1);
	assert_int_equal(rnpu_matmul_job_run(user->job, RKNPU_CORE2_MASK, NULL), 0);
	assert_int_equal(rnpu_matmul_job_get_output(owner->job, c), 0);
	mm_check_c(owner, c);

	/* Once B drops its handle, the address faults in B again. */
	cl.handle = op.handle;
	assert_int_equal(rnpu_ioctl(b, RNPU_DRM_IOCTL_GEM_CLOSE, &cl), 0);
	log_capture_start();
	assert_int_equal(rnpu_matmul_job_run(user->job, RKNPU_CORE2_MASK, NULL), -EFAULT);
	assert_true(log_has("iommu page fault", "write"));
	log_capture_stop();

	mm_free(user);
	mm_free(owner);
	rnpu_bo_free(filler);
	rnpu_close(b);
	rnpu_close(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(iommu_reported),
		cmocka_unit_test(iommu_fault_read),
		cmocka_unit_test(iommu_fault_write),
		cmocka_unit_test(iommu_domain_id),
		cmocka_unit_test(iommu_shared_object),
	};

	setenv("RNPU_IOMMU", "1", 1);
	return cmocka_run_group_tests_name("iommu", tests, NULL, NULL);
}
