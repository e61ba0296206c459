// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Cycle estimate of one task: MAC array time at peak rate, plus DMA time
 * at a fitted bus rate, plus a fixed per-task cost (fetch, pipeline fill);
 * each PC start adds a fixed cost once (start-up and completion latency).
 * The terms are added, not overlapped.
 */
#include "sim_internal.h"

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

uint64_t sim_timing_task_cycles(const struct sim_task *t)
{
	uint64_t rate = t->prec == SIM_PREC_INT8	 ? SIM_MACS_PER_CYCLE_INT8
			: t->prec == SIM_PREC_INT4  ? SIM_MACS_PER_CYCLE_INT4
			: t->prec == SIM_PREC_INT16 ? SIM_MACS_PER_CYCLE_INT16
						    : SIM_MACS_PER_CYCLE_FP16;
	uint64_t bytes = t->bytes_read + t->bytes_written;

	return div_up(t->macs, rate) +
	       div_up(bytes * 1000u, SIM_ASSUME_DMA_MILLIBYTES_PER_CYCLE) +
	       SIM_ASSUME_TASK_OVERHEAD_CYCLES;
}

uint64_t sim_timing_start_cycles(void)
{
	return SIM_ASSUME_START_OVERHEAD_CYCLES;
}
