// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The regcmd validator of the contiguous mode: every address register of
 * the register description (rk3588_addr_regs[], generated from the addr
 * attribute of hw/rk3588.xml), pointed at another session's buffer, makes
 * the submit fail with EINVAL and a log line naming the register and the
 * address; the victim's memory is untouched and the unmodified job still
 * runs correctly. Regcmd fetches outside the session's buffers, or running
 * past the end of one, are refused the same way.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "rk3588_regs.h"
#include "rnpu/matmul_job.h"
#include "uapi_util.h"

#define MM_M 16u
#define MM_K 64u
#define MM_N 32u
#define VICTIM_SIZE (64u * 1024u)

struct fixture {
	struct rnpu_dev *dev, *other;
	struct rnpu_bo *victim;
	uint8_t *victim_map;
	struct rnpu_matmul_job *job;
	int8_t a[MM_M * MM_K], b[MM_K * MM_N];
	uint64_t *words;
	size_t nwords;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || rnpu_open("sim", &f->dev) || rnpu_open("sim", &f->other))
		return -1;
	if (rnpu_bo_create(f->other, VICTIM_SIZE, 0, &f->victim) ||
	    rnpu_bo_map(f->victim, (void **)&f->victim_map))
		return -1;
	for (size_t i = 0; i < VICTIM_SIZE; i++)
		f->victim_map[i] = (uint8_t)(i * 29 + 3);
	for (size_t i = 0; i < sizeof(f->a); i++)
		f->a[i] = (int8_t)((int)(i * 7) % 251 - 125);
	for (size_t i = 0; i < sizeof(f->b); i++)
		f->b[i] = (int8_t)((int)(i * 3 + 11) % 241 - 120);
	/* Two tasks of 8 rows: the program chains through PC.BASE_ADDRESS. */
	if (rnpu_matmul_job_create(f->dev, RNPU_MM_INT8_INT32, MM_M, MM_K, MM_N, 8, &f->job) ||
	    rnpu_matmul_job_set_inputs(f->job, f->a, f->b) ||
	    rnpu_bo_map(f->job->regcmd, (void **)&f->words))
		return -1;
	f->nwords = rnpu_bo_size(f->job->regcmd) / 8;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rnpu_matmul_job_destroy(f->job);
	rnpu_bo_free(f->victim);
	rnpu_close(f->other);
	rnpu_close(f->dev);
	free(f);
	return 0;
}

static void run_and_check(struct fixture *f)
{
	int32_t c[MM_M * MM_N];

	assert_int_equal(rnpu_matmul_job_run(f->job, RKNPU_CORE0_MASK, NULL), 0);
	assert_int_equal(rnpu_matmul_job_get_output(f->job, c), 0);
	for (uint32_t r = 0; r < MM_M; r++)
		for (uint32_t col = 0; col < MM_N; col++) {
			int32_t ref = 0;

			for (uint32_t l = 0; l < MM_K; l++)
				ref += f->a[r * MM_K + l] * f->b[l * MM_N + col];
			assert_int_equal(c[r * MM_N + col], ref);
		}
}

static bool victim_intact(const struct fixture *f)
{
	for (size_t i = 0; i < VICTIM_SIZE; i++)
		if (f->victim_map[i] != (uint8_t)(i * 29 + 3))
			return false;
	return true;
}

/* Index of the first word writing @reg, or of an inert word to replace
 * when the program does not write it (EW_OP_VALUE_7 = 0, unused by every
 * block configuration, SIM_ASSUME_EW_REG_OPERAND_VALUE0); -1 if neither. */
static long word_for(const struct fixture *f, uint32_t reg)
{
	long inert = -1;

	for (size_t i = 0; i < f->nwords; i++) {
		uint16_t t = rk3588_regcmd_target(f->words[i]);

		if (t == 0 || t == RK3588_TARGET_NOP || t == RK3588_TARGET_PRE_OP ||
		    t == RK3588_TARGET_OP_EN)
			continue;
		if (rk3588_regcmd_offset(f->words[i]) == reg)
			return (long)i;
		if (inert < 0 && rk3588_regcmd_offset(f->words[i]) == REG_DPU_EW_OP_VALUE_7)
			inert = (long)i;
	}
	return inert;
}

static uint64_t write_of(uint32_t reg, uint32_t value)
{
	const struct rk3588_block_info *b = rk3588_block_of(reg);

	assert_non_null(b);
	assert_true(b->target != 0);
	return rk3588_regcmd(b->target, (uint16_t)reg, value);
}

static void validator_every_address_register(void **state)
{
	struct fixture *f = *state;
	uint32_t victim = (uint32_t)rnpu_bo_dma_addr(f->victim);
	char value[64];

	assert_true(rk3588_num_addr_regs >= 10);
	run_and_check(f);
	for (unsigned int i = 0; i < rk3588_num_addr_regs; i++) {
		uint32_t reg = rk3588_addr_regs[i];
		long w = word_for(f, reg);
		uint64_t saved;

		print_message("# %s\n", rk3588_reg_name(reg));
		assert_true(w >= 0);
		saved = f->words[w];
		f->words[w] = write_of(reg, victim);
		log_capture_start();
		assert_int_equal(rnpu_matmul_job_run(f->job, RKNPU_CORE0_MASK, NULL), -EINVAL);
		if (reg == REG_PC_BASE_ADDRESS) {
			/* The next fetch is what lands outside. */
			snprintf(value, sizeof(value), "at 0x%llx is outside",
				 (unsigned long long)victim);
			assert_true(log_has("regcmd validator", value));
		} else {
			snprintf(value, sizeof(value), "%s = 0x%08x", rk3588_reg_name(reg), victim);
			assert_true(log_has("regcmd validator", value));
		}
		log_capture_stop();
		f->words[w] = saved;
		assert_true(victim_intact(f));
	}
	/* Nothing was left behind: the job still runs. */
	run_and_check(f);
}

static void validator_accepts_own_buffers(void **state)
{
	struct fixture *f = *state;
	uint32_t own = (uint32_t)rnpu_bo_dma_addr(f->job->c);
	long w = word_for(f, REG_PPU_DST_BASE_ADDR);
	uint64_t saved;

	/* The PPU is not enabled by the matmul: pointing its output at one of
	 * the session's own buffers is accepted and changes nothing. */
	assert_true(w >= 0);
	saved = f->words[w];
	f->words[w] = write_of(REG_PPU_DST_BASE_ADDR, own);
	run_and_check(f);
	f->words[w] = saved;
}

static void validator_dma_base_counts(void **state)
{
	struct fixture *f = *state;
	struct rnpu_bo *task = f->job->task;
	struct rknpu_submit s;
	char line[96];

	/* TASK_DMA_BASE_ADDR moves every data address: a base that shifts
	 * the (valid) addresses onto the other session's buffer is refused. */
	memset(&s, 0, sizeof(s));
	s.flags = RKNPU_JOB_PC;
	s.timeout = 6000;
	s.task_number = f->job->num_tasks;
	s.task_obj_addr = rnpu_bo_obj_addr(task);
	s.core_mask = RKNPU_CORE0_MASK;
	s.fence_fd = -1;
	s.task_base_addr = 0x40000000u;
	for (unsigned int i = 0; i < 3; i++)
		s.subcore_task[i].task_number = f->job->num_tasks;
	log_capture_start();
	assert_int_equal(rnpu_ioctl(f->dev, DRM_IOCTL_RKNPU_SUBMIT, &s), -EINVAL);
	snprintf(line, sizeof(line), "(dma base 0x%llx)", (unsigned long long)s.task_base_addr);
	assert_true(log_has("regcmd validator", line));
	log_capture_stop();
}

static void validator_fetch_past_end(void **state)
{
	struct fixture *f = *state;
	struct rknpu_task *t;
	uint64_t saved;

	/* The first task's fetch starts inside the regcmd buffer but runs
	 * past its end. */
	assert_int_equal(rnpu_bo_map(f->job->task, (void **)&t), 0);
	saved = t[0].regcmd_addr;
	t[0].regcmd_addr = rnpu_bo_dma_addr(f->job->regcmd) + rnpu_bo_size(f->job->regcmd) - 16;
	log_capture_start();
	assert_int_equal(rnpu_matmul_job_run(f->job, RKNPU_CORE0_MASK, NULL), -EINVAL);
	assert_true(log_has("regcmd validator", "regcmd fetch"));
	log_capture_stop();
	t[0].regcmd_addr = saved;
	run_and_check(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(validator_every_address_register, setup, teardown),
		cmocka_unit_test_setup_teardown(validator_accepts_own_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(validator_dma_base_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(validator_fetch_past_end, setup, teardown),
	};

	unsetenv("RNPU_IOMMU");
	return cmocka_run_group_tests_name("validator", tests, NULL, NULL);
}
