/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * Register words for the validator tests: finding the word of a program
 * that writes a register, and making a word that writes one, through the
 * generated register tables (never raw numbers).
 */
#ifndef RNPU_TESTS_UAPI_REGCMD_H
#define RNPU_TESTS_UAPI_REGCMD_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rk3588_regs.h"
#include "uapi_util.h"

/* Index of the first word of @words writing @reg, or of an inert word to
 * replace when none does (EW_OP_VALUE_7 = 0, unused by every block
 * configuration, SIM_ASSUME_EW_REG_OPERAND_VALUE0); -1 if neither. With
 * @first_task only the words before the first op-enable word are
 * searched. */
static inline long uapi_regcmd_find(const uint64_t *words, size_t nwords, uint32_t reg,
				    bool first_task)
{
	long inert = -1;

	for (size_t i = 0; i < nwords; i++) {
		uint16_t t = rk3588_regcmd_target(words[i]);

		if (t == RK3588_TARGET_OP_EN && first_task)
			break;
		if (t == 0 || t == RK3588_TARGET_NOP || t == RK3588_TARGET_PRE_OP ||
		    t == RK3588_TARGET_OP_EN)
			continue;
		if (rk3588_regcmd_offset(words[i]) == reg)
			return (long)i;
		if (inert < 0 && rk3588_regcmd_offset(words[i]) == REG_DPU_EW_OP_VALUE_7)
			inert = (long)i;
	}
	return inert;
}

/* The word writing @value to @reg, addressed to @reg's block. */
static inline uint64_t uapi_regcmd_write(uint32_t reg, uint32_t value)
{
	const struct rk3588_block_info *b = rk3588_block_of(reg);

	assert_non_null(b);
	assert_true(b->target != 0);
	return rk3588_regcmd(b->target, (uint16_t)reg, value);
}

/* The PC word pointing the next fetch at device address @dma. */
static inline uint64_t uapi_regcmd_pc_base(uint64_t dma)
{
	uint32_t v = 0;

	assert_true(rk3588_set_PC_BASE_ADDRESS_PC_SOURCE_ADDR(
		&v, (uint32_t)(dma >> PC_BASE_ADDRESS_PC_SOURCE_ADDR__SHIFT)));
	return rk3588_regcmd(RK3588_TARGET_PC, REG_PC_BASE_ADDRESS, v);
}

/* The PC word giving the next fetch's PC_DATA_AMOUNT. */
static inline uint64_t uapi_regcmd_pc_amounts(uint32_t amount)
{
	uint32_t v = 0;

	assert_true(rk3588_set_PC_REGISTER_AMOUNTS_PC_DATA_AMOUNT(&v, amount));
	return rk3588_regcmd(RK3588_TARGET_PC, REG_PC_REGISTER_AMOUNTS, v);
}

/* Submits 65 tasks of one 1 MiB program (the largest fetch, PC_DATA_AMOUNT
 * 65534 at 2 words per unit) that links to itself and starts nothing: 65
 * MiB of copies, over the 64 MiB a job may have. Each program fits a copy
 * segment of its own, so the job's total is what is refused: EINVAL and
 * the validator's line naming the limit and the first task past it, never
 * a failed allocation (no kernel needs CMA to reach the limit). */
static inline void uapi_submit_past_copy_limit(struct rnpu_dev *dev)
{
	const uint32_t regcfg = 0xffffu * 2 - 4, amount = 65534, ntasks = 65;
	const uint64_t bytes = (uint64_t)(amount + 1) * 2 * 8;
	struct rnpu_bo *prog, *task;
	struct rknpu_task *tasks;
	struct rknpu_submit s;
	uint64_t *words;

	assert_int_equal(rnpu_bo_create(dev, bytes, 0, &prog), 0);
	assert_int_equal(rnpu_bo_create(dev, 4096, RKNPU_MEM_KERNEL_MAPPING, &task), 0);
	assert_int_equal(rnpu_bo_map(prog, (void **)&words), 0);
	assert_int_equal(rnpu_bo_map(task, (void **)&tasks), 0);
	memset(words, 0, bytes);
	words[0] = uapi_regcmd_pc_base(rnpu_bo_dma_addr(prog));
	words[1] = uapi_regcmd_pc_amounts(amount);
	words[2] = rk3588_regcmd(RK3588_TARGET_OP_EN, 0x0008, 0);
	memset(tasks, 0, ntasks * sizeof(*tasks));
	for (uint32_t t = 0; t < ntasks; t++) {
		tasks[t].regcmd_addr = rnpu_bo_dma_addr(prog);
		tasks[t].regcfg_amount = regcfg;
	}
	memset(&s, 0, sizeof(s));
	s.flags = RKNPU_JOB_PC;
	s.timeout = 2000;
	s.task_number = ntasks;
	s.task_obj_addr = rnpu_bo_obj_addr(task);
	s.core_mask = RKNPU_CORE0_MASK;
	s.fence_fd = -1;
	for (unsigned int i = 0; i < 3; i++)
		s.subcore_task[i].task_number = ntasks;
	log_capture_start();
	assert_int_equal(rnpu_ioctl(dev, DRM_IOCTL_RKNPU_SUBMIT, &s), -EINVAL);
	assert_true(log_has("regcmd validator", "the job's programs exceed 67108864 bytes"));
	assert_true(log_has("task 64:", NULL)); /* the first 64 fit */
	assert_false(log_has("no memory for a", NULL));
	log_capture_stop();
	rnpu_bo_free(task);
	rnpu_bo_free(prog);
}

#endif
