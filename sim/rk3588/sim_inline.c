// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Where a started task list runs. Hardware runs it asynchronously; the
 * model may run a tiny one inside the OP_EN write instead of waking the
 * core's worker thread, which saves two thread switches per job and is
 * indistinguishable to a driver except in elapsed time: the interrupt
 * still arrives through the bus after the write, when the writer's
 * interrupts are enabled. Only a single task whose own register writes
 * show it is small qualifies; anything else goes to the worker.
 */
#include <string.h>

#include "sim_internal.h"

#define WORD_BYTES 8u
/* A task at most this large runs inline (a few microseconds of plain C). */
#define SIM_INLINE_MAX_MACS (64u * 1024u)
/* Words inspected: a full matmul/conv body plus its tail. */
#define SIM_INLINE_MAX_WORDS 128u

/* Words looked at together by the filter below. */
#define FILTER_WORDS 8u

typedef uint16_t lanes16 __attribute__((vector_size(16)));

#define SPLAT16(x) { (x), (x), (x), (x), (x), (x), (x), (x) }

/* The three size registers lie among eight consecutive register offsets
 * (0x1020..0x103c): a 16-bit half equal to SIZE_RUN with these bits
 * cleared may be one of them. */
#define SIZE_RUN_BITS 0x1cu
#define SIZE_RUN (REG_CNA_DATA_SIZE0 & ~SIZE_RUN_BITS)
_Static_assert((REG_CNA_DATA_SIZE1 & ~SIZE_RUN_BITS) == SIZE_RUN &&
		       (REG_CNA_WEIGHT_SIZE2 & ~SIZE_RUN_BITS) == SIZE_RUN,
	       "the size registers must share one run of the filter");

/* Whether any of the FILTER_WORDS words at @w may matter to the
 * judgement: one of their 16-bit halves equals the op-enable target or
 * lies in the run of the three CNA size registers (a word's target and
 * offset are two of its halves). Other halves matching only cost a closer
 * look, so the answer is never a wrong "no"; most of a program (the other
 * CNA registers, CORE, DPU) is passed over a vector at a time. */
static bool may_matter(const uint64_t *w)
{
	const lanes16 op_en = SPLAT16(RK3588_TARGET_OP_EN);
	const lanes16 run = SPLAT16(SIZE_RUN);
	const lanes16 run_bits = SPLAT16((uint16_t)~SIZE_RUN_BITS);
	lanes16 any = { 0 };
	uint64_t half[2];

	for (unsigned int i = 0; i < FILTER_WORDS * WORD_BYTES / sizeof(lanes16); i++) {
		lanes16 v;

		memcpy(&v, (const uint8_t *)w + i * sizeof(v), sizeof(v));
		any |= (lanes16)(v == op_en) | (lanes16)((v & run_bits) == run);
	}
	memcpy(half, &any, sizeof(half));
	return (half[0] | half[1]) != 0;
}

bool sim_start_runs_inline(struct sim_core *c, const struct sim_job *job)
{
	uint64_t words[SIM_INLINE_MAX_WORDS];
	uint32_t size0 = 0, size1 = 0, wsize2 = 0;
	bool have0 = false, have1 = false, havew = false;
	uint64_t nwords = 2ull * (job->amount + 1ull), macs;

	if (job->task_number != 1 || nwords > SIM_INLINE_MAX_WORDS)
		return false;
	if (sim_iommu_read(c, job->addr, words, (size_t)nwords * WORD_BYTES, false))
		return false; /* let the worker report the fault */
	for (uint64_t i = 0; i < nwords; i++) {
		uint32_t target, reg, value;

		/* A run of words none of which matters leaves the judgement
		 * as it is: skip it whole. */
		if (i % FILTER_WORDS == 0 && nwords - i >= FILTER_WORDS && !may_matter(&words[i])) {
			i += FILTER_WORDS - 1;
			continue;
		}
		target = rk3588_regcmd_target(words[i]);
		reg = rk3588_regcmd_offset(words[i]);
		value = rk3588_regcmd_value(words[i]);

		if (target == RK3588_TARGET_OP_EN)
			break;
		if (target != RK3588_TARGET_CNA)
			continue;
		if (reg == REG_CNA_DATA_SIZE0) {
			size0 = value;
			have0 = true;
		} else if (reg == REG_CNA_DATA_SIZE1) {
			size1 = value;
			have1 = true;
		} else if (reg == REG_CNA_WEIGHT_SIZE2) {
			wsize2 = value;
			havew = true;
		}
	}
	/* A task relying on state left by an earlier one is not judged. */
	if (!have0 || !have1 || !havew)
		return false;
	macs = (uint64_t)rk3588_get_CNA_DATA_SIZE0_DATAIN_WIDTH(size0) *
	       rk3588_get_CNA_DATA_SIZE0_DATAIN_HEIGHT(size0) *
	       rk3588_get_CNA_DATA_SIZE1_DATAIN_CHANNEL(size1) *
	       rk3588_get_CNA_WEIGHT_SIZE2_WEIGHT_KERNELS(wsize2) *
	       rk3588_get_CNA_WEIGHT_SIZE2_WEIGHT_WIDTH(wsize2) *
	       rk3588_get_CNA_WEIGHT_SIZE2_WEIGHT_HEIGHT(wsize2);
	return macs <= SIM_INLINE_MAX_MACS;
}
