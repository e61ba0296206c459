/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * Register words for the validator tests: finding the word of a program
 * that writes a register, and making a word that writes one, through the
 * generated register tables (never raw numbers).
 */
#ifndef RNPU_TESTS_UAPI_REGCMD_H
#define RNPU_TESTS_UAPI_REGCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rk3588_regs.h"

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

#endif
