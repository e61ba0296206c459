// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Cycle estimate of one task: MAC array time at peak rate, plus DMA time
 * at a fixed bus width, plus a fixed per-task cost (fetch, pipeline fill,
 * completion). The three are added, not overlapped: an upper-bound model
 * until measurements say how much the hardware hides.
 */
#include "sim_internal.h"

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

uint64_t sim_timing_task_cycles(const struct sim_task *t)
{
	uint64_t rate = t->prec == SIM_PREC_INT8 ? SIM_MACS_PER_CYCLE_INT8
						 : SIM_MACS_PER_CYCLE_FP16;
	uint64_t bytes = t->bytes_read + t->bytes_written;

	return div_up(t->macs, rate) + div_up(bytes, SIM_ASSUME_DMA_BYTES_PER_CYCLE) +
	       SIM_ASSUME_TASK_OVERHEAD_CYCLES;
}
