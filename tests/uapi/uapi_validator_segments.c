// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The contiguous-mode validator copies a job's programs into segments of
 * at most 256 KiB (each program whole inside one; a longer program gets a
 * segment of its own), so a job's programs may add up to far more than
 * the largest contiguous allocation the system gives. Every case runs
 * with the host refusing physically contiguous allocations above a size
 * (RNPU_CONTIG_MAX_BYTES, as a kernel without CMA does) and checks the
 * product against the CPU: a job of 1 MiB and more of programs with
 * contiguous memory capped at one segment (so tasks link across segment
 * boundaries); a job whose last program is longer than a segment, capped
 * at that program's own segment; and the 64 MiB per-job limit, still
 * refused with EINVAL and its log line when every program fits the cap.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "rk3588_regs.h"
#include "rnpu/matmul_job.h"
#include "uapi_regcmd.h"
#include "uapi_util.h"

#define SEG_BYTES (256u << 10) /* the validator's segment size (docs/iommu.md) */
#define MM_K 64u
#define MM_N 32u
#define TILE_M 8u

static void set_contig_max(uint64_t bytes)
{
	char s[32];

	snprintf(s, sizeof(s), "%llu", (unsigned long long)bytes);
	assert_int_equal(setenv("RNPU_CONTIG_MAX_BYTES", s, 1), 0);
}

static void fill_inputs(int8_t *a, size_t na, int8_t *b, size_t nb)
{
	for (size_t i = 0; i < na; i++)
		a[i] = (int8_t)((int)(i * 13) % 247 - 123);
	for (size_t i = 0; i < nb; i++)
		b[i] = (int8_t)((int)(i * 17 + 5) % 233 - 116);
}

static void check_product(struct rnpu_matmul_job *job, const int8_t *a, const int8_t *b,
			  uint32_t m)
{
	int32_t *c = calloc((size_t)m * MM_N, sizeof(*c));

	assert_non_null(c);
	assert_int_equal(rnpu_matmul_job_get_output(job, c), 0);
	for (uint32_t r = 0; r < m; r++)
		for (uint32_t col = 0; col < MM_N; col++) {
			int32_t ref = 0;

			for (uint32_t l = 0; l < MM_K; l++)
				ref += a[r * MM_K + l] * b[l * MM_N + col];
			assert_int_equal(c[r * MM_N + col], ref);
		}
	free(c);
}

/* Index of the last op-enable word of @words. */
static size_t last_op_en(const uint64_t *words, size_t nwords)
{
	for (size_t i = nwords; i-- > 0;)
		if (rk3588_regcmd_target(words[i]) == RK3588_TARGET_OP_EN)
			return i;
	fail();
	return 0;
}

static int submit_tasks(struct rnpu_dev *dev, struct rnpu_bo *task_bo, uint32_t n)
{
	struct rnpu_submit_req r;

	memset(&r, 0, sizeof(r));
	r.task_bo = task_bo;
	r.task_count = n;
	r.core_mask = RKNPU_CORE0_MASK;
	r.timeout_ms = 20000;
	return rnpu_submit(dev, &r);
}

static void segments_many_programs(void **state)
{
	enum { T = 32, M = T * TILE_M };
	static int8_t a[M * MM_K], b[MM_K * MM_N];
	struct rnpu_matmul_job *job;
	struct rnpu_bo *task_bo, *probe;
	struct rknpu_task *orig, *tasks;
	struct rnpu_dev *dev;
	uint64_t *words, prog_bytes;
	size_t nwords, e, first_amounts = 0;
	uint32_t reps, n;

	(void)state;
	UAPI_SIM_ONLY("a host limit on contiguous allocations (RNPU_CONTIG_MAX_BYTES)");
	set_contig_max(SEG_BYTES);
	fill_inputs(a, sizeof(a), b, sizeof(b));
	assert_int_equal(rnpu_open(uapi_device(), &dev), 0);
	/* The cap is in force: a page over it is refused (EINVAL, as the
	 * vendor driver reports a failed allocation). */
	log_capture_start();
	assert_int_equal(rnpu_bo_create(dev, SEG_BYTES + 4096, 0, &probe), -EINVAL);
	assert_true(log_has("failed to allocate 266240 buffer", NULL));
	log_capture_stop();
	assert_int_equal(rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, M, MM_K, MM_N, TILE_M,
						&job), 0);
	assert_int_equal(job->num_tasks, T);
	assert_int_equal(rnpu_matmul_job_set_inputs(job, a, b), 0);
	assert_int_equal(rnpu_bo_map(job->regcmd, (void **)&words), 0);
	assert_int_equal(rnpu_bo_map(job->task, (void **)&orig), 0);
	nwords = rnpu_bo_size(job->regcmd) / 8;
	/* Make the chain a ring: the last task's tail (a NOP, then the
	 * amounts word) links back to the first program, whose amount the
	 * first tail already names (all tiles are equal). */
	for (size_t i = 0; i < nwords && !first_amounts; i++)
		if (rk3588_regcmd_target(words[i]) == RK3588_TARGET_PC &&
		    rk3588_regcmd_offset(words[i]) == REG_PC_REGISTER_AMOUNTS)
			first_amounts = i;
	assert_true(first_amounts > 0);
	e = last_op_en(words, nwords);
	assert_int_equal(rk3588_regcmd_offset(words[e - 2]), REG_PC_REGISTER_AMOUNTS);
	words[e - 3] = uapi_regcmd_pc_base(rnpu_bo_dma_addr(job->regcmd));
	words[e - 2] = words[first_amounts];
	assert_int_equal(rnpu_bo_sync(job->regcmd, 0, nwords * 8, RKNPU_MEM_SYNC_TO_DEVICE), 0);
	/* Enough rounds of the ring for 1 MiB of copies: four segments'
	 * worth, so several links cross from one segment to the next. */
	prog_bytes = (uint64_t)(orig[0].regcfg_amount + 4) * 8;
	reps = (uint32_t)((1u << 20) / (prog_bytes * T) + 1);
	n = reps * T;
	assert_true((uint64_t)n * prog_bytes > 4ull * SEG_BYTES);
	assert_int_equal(rnpu_bo_create(dev, (uint64_t)n * sizeof(*tasks), RKNPU_MEM_KERNEL_MAPPING,
					&task_bo), 0);
	assert_int_equal(rnpu_bo_map(task_bo, (void **)&tasks), 0);
	for (uint32_t t = 0; t < n; t++)
		tasks[t] = orig[t % T];
	print_message("# %u tasks of %llu program bytes each\n", n,
		      (unsigned long long)prog_bytes);
	for (unsigned int round = 0; round < 2; round++) {
		assert_int_equal(submit_tasks(dev, task_bo, n), 0);
		check_product(job, a, b, M);
	}
	rnpu_bo_free(task_bo);
	rnpu_matmul_job_destroy(job);
	rnpu_close(dev);
}

static void segments_program_longer_than_segment(void **state)
{
	enum { M = 2 * TILE_M };
	/* The second task's fetch: its words, then zeros up to 320 KiB. */
	const uint64_t long_bytes = 320u << 10;
	const uint32_t long_amount = (uint32_t)(long_bytes / 16 - 1); /* pairs of words */
	static int8_t a[M * MM_K], b[MM_K * MM_N];
	struct rnpu_matmul_job *job;
	struct rnpu_bo *prog, *task_bo;
	struct rknpu_task *orig, *tasks;
	struct rnpu_dev *dev;
	uint64_t *words, *copy, delta;
	size_t nwords, second = 0, linked = 0;

	(void)state;
	UAPI_SIM_ONLY("a host limit on contiguous allocations (RNPU_CONTIG_MAX_BYTES)");
	/* The long program's own segment (512 KiB, the next power of two)
	 * is the largest allocation allowed. */
	set_contig_max(512u << 10);
	fill_inputs(a, sizeof(a), b, sizeof(b));
	assert_int_equal(rnpu_open(uapi_device(), &dev), 0);
	assert_int_equal(rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, M, MM_K, MM_N, TILE_M,
						&job), 0);
	assert_int_equal(job->num_tasks, 2);
	assert_int_equal(rnpu_matmul_job_set_inputs(job, a, b), 0);
	assert_int_equal(rnpu_bo_map(job->regcmd, (void **)&words), 0);
	assert_int_equal(rnpu_bo_map(job->task, (void **)&orig), 0);
	nwords = rnpu_bo_size(job->regcmd) / 8;
	/* The same program moved into a larger buffer: its links shift by
	 * the move, and the first task's tail asks for the long fetch. */
	assert_int_equal(rnpu_bo_create(dev, long_bytes + nwords * 8, 0, &prog), 0);
	assert_int_equal(rnpu_bo_map(prog, (void **)&copy), 0);
	memset(copy, 0, long_bytes + nwords * 8);
	memcpy(copy, words, nwords * 8);
	delta = rnpu_bo_dma_addr(prog) - rnpu_bo_dma_addr(job->regcmd);
	for (size_t i = 0; i < nwords; i++) {
		if (rk3588_regcmd_target(copy[i]) != RK3588_TARGET_PC)
			continue;
		if (rk3588_regcmd_offset(copy[i]) == REG_PC_BASE_ADDRESS && !linked) {
			uint64_t to = (uint64_t)rk3588_get_PC_BASE_ADDRESS_PC_SOURCE_ADDR(
					      rk3588_regcmd_value(copy[i]))
				      << PC_BASE_ADDRESS_PC_SOURCE_ADDR__SHIFT;

			copy[i] = uapi_regcmd_pc_base(to + delta);
			second = (size_t)((to - rnpu_bo_dma_addr(job->regcmd)) / 8);
			linked = i;
		} else if (rk3588_regcmd_offset(copy[i]) == REG_PC_REGISTER_AMOUNTS &&
			   linked && i == linked + 1) {
			copy[i] = uapi_regcmd_pc_amounts(long_amount);
		}
	}
	assert_true(linked > 0 && second > linked);
	assert_true((second * 8) + long_bytes <= long_bytes + nwords * 8);
	assert_true(long_bytes > SEG_BYTES);
	assert_int_equal(rnpu_bo_create(dev, 2 * sizeof(*tasks), RKNPU_MEM_KERNEL_MAPPING,
					&task_bo), 0);
	assert_int_equal(rnpu_bo_map(task_bo, (void **)&tasks), 0);
	tasks[0] = orig[0];
	tasks[1] = orig[1];
	tasks[0].regcmd_addr = rnpu_bo_dma_addr(prog);
	tasks[1].regcmd_addr = rnpu_bo_dma_addr(prog) + second * 8;
	assert_int_equal(submit_tasks(dev, task_bo, 2), 0);
	check_product(job, a, b, M);
	rnpu_bo_free(task_bo);
	rnpu_bo_free(prog);
	rnpu_matmul_job_destroy(job);
	rnpu_close(dev);
}

static void segments_total_bounded(void **state)
{
	struct rnpu_dev *dev;

	(void)state;
	UAPI_SIM_ONLY("a host limit on contiguous allocations (RNPU_CONTIG_MAX_BYTES)");
	/* Every program's segment fits; only the job's total is refused. */
	set_contig_max(1u << 20);
	assert_int_equal(rnpu_open(uapi_device(), &dev), 0);
	uapi_submit_past_copy_limit(dev);
	rnpu_close(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(segments_many_programs),
		cmocka_unit_test(segments_program_longer_than_segment),
		cmocka_unit_test(segments_total_bounded),
	};

	unsetenv("RNPU_IOMMU");
	return cmocka_run_group_tests_name("validator-segments", tests, NULL, NULL);
}
