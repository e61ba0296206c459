// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* Per-SoC tables, from the vendor 0.9.8 configuration (see docs). */
#include "rknpu_soc.h"

#include <stddef.h>

/* RK3588 npu_opp_table (opp-supported-hw 0xf9): µV for base, L1..L5. */
static const struct rknpu_opp_row rk3588_opps[] = {
	{ 300000000ull, { 700000, 687500, 675000, 675000, 675000, 675000 } },
	{ 400000000ull, { 700000, 687500, 675000, 675000, 675000, 675000 } },
	{ 500000000ull, { 700000, 687500, 675000, 675000, 675000, 675000 } },
	{ 600000000ull, { 700000, 687500, 675000, 675000, 675000, 675000 } },
	{ 700000000ull, { 700000, 700000, 700000, 687500, 675000, 675000 } },
	{ 800000000ull, { 750000, 750000, 737500, 725000, 712500, 700000 } },
	{ 900000000ull, { 800000, 787500, 775000, 762500, 750000, 737500 } },
	{ 1000000000ull, { 850000, 837500, 825000, 812500, 800000, 787500 } },
};

static const struct rknpu_soc_data rknpu_soc_table[] = {
	{
		.compatible = RKNPU_RK3588_COMPATIBLE,
		.name = "rk3588",
		.num_cores = 3,
		.core_mask = 0x7,
		.dma_mask_bits = 40,
		.pc_data_amount_scale = 2,
		.pc_task_number_bits = 12,
		.pc_task_number_mask = 0xfff,
		.pc_task_status_offset = 0x3c,
		.pc_dma_ctrl = false,
		.max_submit_number = 4095,
		.has_rw_amount = false,
		.s_pointer_core_id_shift = 28,
		.write_s_pointer = true,
		.default_freq_hz = 1000000000ull,
		.default_volt_uv = 825000,
		.num_resets = 6,
		/* Device tree: fdab9000 + fdaba000, fdaca000, fdada000. */
		.mmu_offset = { { 0x9000, 0xa000 }, { 0xa000 }, { 0xa000 } },
		.num_mmu = { 2, 1, 1 },
		.num_power_domains = 3,
		.opps = rk3588_opps,
		.num_opps = sizeof(rk3588_opps) / sizeof(rk3588_opps[0]),
		.init_freq_hz = 1000000000ull,
		.thermal_high_mc = 85000,
		.thermal_hyst_mc = 5000,
		.thermal_cap_hz = 800000000ull,
	},
	{
		.compatible = "rockchip,rk3568-rknpu",
		.name = "rk356x",
		.num_cores = 1,
		.core_mask = 0x1,
		.dma_mask_bits = 32,
		.pc_data_amount_scale = 1,
		.pc_task_number_bits = 12,
		.pc_task_number_mask = 0xfff,
		.pc_task_status_offset = 0x3c,
		.max_submit_number = 4095,
		.bw_priority_addr = 0xfe180008,
		.bw_priority_length = 0x10,
		.has_rw_amount = true,
		.default_freq_hz = 1000000000ull,
		.default_volt_uv = 825000,
		.num_resets = 2,
		.num_power_domains = 1,
	},
	{
		.compatible = "rockchip,rv1106-rknpu",
		.name = "rv1106",
		.num_cores = 1,
		.core_mask = 0x1,
		.dma_mask_bits = 32,
		.pc_data_amount_scale = 2,
		.pc_task_number_bits = 16,
		.pc_task_number_mask = 0xffff,
		.pc_task_status_offset = 0x3c,
		.max_submit_number = 65535,
		.has_rw_amount = true,
		.default_freq_hz = 1000000000ull,
		.default_volt_uv = 825000,
		.num_resets = 2,
		.num_power_domains = 1,
	},
};

static bool rknpu_str_equal(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

const struct rknpu_soc_data *rknpu_soc_match(const char *compatible)
{
	size_t i;

	if (!compatible)
		return NULL;
	for (i = 0; i < sizeof(rknpu_soc_table) / sizeof(rknpu_soc_table[0]); i++)
		if (rknpu_str_equal(rknpu_soc_table[i].compatible, compatible))
			return &rknpu_soc_table[i];
	return NULL;
}
