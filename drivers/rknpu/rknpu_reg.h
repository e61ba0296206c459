/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * Register access for the core. Every MMIO access goes through these two
 * functions, so the RKNPU_DBG_REG category traces each one by name
 * ("core1: W PC.BASE_ADDRESS <- 0x00000001").
 */
#ifndef RKNPU_REG_H
#define RKNPU_REG_H

#include "rk3588_regs.h"
#include "rknpu_internal.h"

static inline const char *rknpu_reg_name(uint32_t offset)
{
	const char *name = rk3588_reg_name(offset);

	return name ? name : "UNKNOWN";
}

static inline uint32_t rknpu_read(struct rknpu_device *rdev, unsigned int core, uint32_t offset)
{
	uint32_t value = rnpu_osal_readl(rdev->plat.mmio[core], offset);

	if (rdev->debug & RKNPU_DBG_REG)
		rnpu_osal_log(RNPU_LOG_DEBUG, "RKNPU: core%u: R %s -> 0x%08x", core,
			      rknpu_reg_name(offset), value);
	return value;
}

static inline void rknpu_write(struct rknpu_device *rdev, unsigned int core, uint32_t offset,
			       uint32_t value)
{
	if (rdev->debug & RKNPU_DBG_REG)
		rnpu_osal_log(RNPU_LOG_DEBUG, "RKNPU: core%u: W %s <- 0x%08x", core,
			      rknpu_reg_name(offset), value);
	rnpu_osal_writel(rdev->plat.mmio[core], offset, value);
}

#endif
