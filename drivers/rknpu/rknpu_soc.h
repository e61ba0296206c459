/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* Per-SoC configuration: every difference between RKNPU parts is data here. */
#ifndef RKNPU_SOC_H
#define RKNPU_SOC_H

#include <stdbool.h>
#include <stdint.h>

#define RKNPU_SOC_MAX_CORES 3
#define RKNPU_SOC_MAX_MMU_PER_CORE 2

struct rknpu_soc_data {
	const char *compatible;
	const char *name;
	unsigned int num_cores;         /* = number of IRQs */
	uint32_t core_mask;             /* largest valid submit core mask */
	unsigned int dma_mask_bits;
	uint32_t pc_data_amount_scale;  /* PC fetch unit in regcmd words */
	unsigned int pc_task_number_bits;
	uint32_t pc_task_number_mask;
	uint32_t pc_task_status_offset;
	bool pc_dma_ctrl;
	uint32_t max_submit_number;     /* tasks per PC start */
	uint64_t bw_priority_addr;      /* 0 = no bandwidth-priority window */
	uint32_t bw_priority_length;
	bool has_rw_amount;             /* DDMA read/write amount counters */
	/* Value of CNA/CORE.S_POINTER the vendor writes per core on
	 * multi-core parts: POINTER_PP_EN | EXECUTER_PP_EN | POINTER_PP_MODE
	 * plus the core index at core_id_shift (reserved bits in the TRM). */
	unsigned int s_pointer_core_id_shift;
	bool write_s_pointer;
	uint32_t sram_size;             /* on-chip SRAM usable by the NPU */
	/* Defaults reported before devfreq exists. */
	uint64_t default_freq_hz;
	int default_volt_uv;
	unsigned int num_resets;        /* srst_a0..n, srst_h0..n */
	/* IOMMU instances of each core, as offsets in its register window
	 * (0 entries: the SoC's IOMMU position is not known here). */
	uint32_t mmu_offset[RKNPU_SOC_MAX_CORES][RKNPU_SOC_MAX_MMU_PER_CORE];
	unsigned int num_mmu[RKNPU_SOC_MAX_CORES];
};

/* NULL if no SoC matches. */
const struct rknpu_soc_data *rknpu_soc_match(const char *compatible);

#endif
