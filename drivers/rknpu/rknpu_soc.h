/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* Per-SoC configuration: every difference between RKNPU parts is data here. */
#ifndef RKNPU_SOC_H
#define RKNPU_SOC_H

#include <stdbool.h>
#include <stdint.h>

/* Device-tree compatibles of the RK3588's NPU: the vendor kernel's single
 * node and mainline's node per core. Constants, for match tables. */
#define RKNPU_RK3588_COMPATIBLE "rockchip,rk3588-rknpu"
#define RKNPU_RK3588_CORE_COMPATIBLE "rockchip,rk3588-rknn-core"

#define RKNPU_SOC_MAX_CORES 3
#define RKNPU_SOC_MAX_MMU_PER_CORE 2

/* Leakage/PVTM bins of an OPP row: 0 = base, 1..5 = L1..L5. */
#define RKNPU_OPP_BINS 6

/* One operating point: a frequency and the rail voltage per bin. */
struct rknpu_opp_row {
	uint64_t hz;
	int uv[RKNPU_OPP_BINS];
};

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
	/* Power domains, switched on in index order, off in reverse; domain
	 * i holds core i (the first one must be on for the others). */
	unsigned int num_power_domains;
	/* devfreq: OPP rows in ascending frequency (none = no devfreq), the
	 * boot frequency, and the thermal rule: above thermal_high_mc the
	 * frequency is capped at thermal_cap_hz until the temperature falls
	 * thermal_hyst_mc below the limit. */
	const struct rknpu_opp_row *opps;
	unsigned int num_opps;
	uint64_t init_freq_hz;
	int thermal_high_mc;
	int thermal_hyst_mc;
	uint64_t thermal_cap_hz;
};

/* NULL if no SoC matches. */
const struct rknpu_soc_data *rknpu_soc_match(const char *compatible);

#endif
