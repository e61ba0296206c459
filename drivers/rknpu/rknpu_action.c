// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* The ACTION ioctl: queries and small controls, with the vendor's codes. */
#include "rknpu_reg.h"

static int rknpu_get_hw_version(struct rknpu_device *rdev, uint32_t *value)
{
	*value = rknpu_read(rdev, 0, REG_PC_VERSION) +
		 (rknpu_read(rdev, 0, REG_PC_VERSION_NUM) & 0xffff);
	return 0;
}

int rknpu_action_ioctl(struct rknpu_file *file, void *data)
{
	struct rknpu_device *rdev = file->rdev;
	struct rknpu_action *args = data;
	int volt;

	switch (args->flags) {
	case RKNPU_GET_HW_VERSION:
		return rknpu_get_hw_version(rdev, &args->value);
	case RKNPU_GET_DRV_VERSION:
		args->value = RKNPU_DRIVER_MAJOR * 10000 + RKNPU_DRIVER_MINOR * 100 +
			      RKNPU_DRIVER_PATCHLEVEL;
		return 0;
	case RKNPU_GET_FREQ:
		args->value = (uint32_t)rnpu_osal_clk_get_rate(rdev->plat.dev, 0);
		return 0;
	case RKNPU_GET_VOLT:
		volt = rnpu_osal_regulator_get_voltage(rdev->plat.dev);
		args->value = volt > 0 ? (uint32_t)volt : 0;
		return 0;
	case RKNPU_SET_FREQ:
	case RKNPU_SET_VOLT:
		return -EINVAL; /* the vendor accepts neither through this ioctl */
	case RKNPU_ACT_RESET:
		return rknpu_soft_reset(rdev);
	case RKNPU_GET_BW_PRIORITY:
	case RKNPU_SET_BW_PRIORITY:
	case RKNPU_GET_BW_EXPECT:
	case RKNPU_SET_BW_EXPECT:
	case RKNPU_GET_BW_TW:
	case RKNPU_SET_BW_TW:
		/* Only parts with a bandwidth-priority window (rk356x) have
		 * these; no host describes that window yet. */
		return -EINVAL;
	case RKNPU_ACT_CLR_TOTAL_RW_AMOUNT:
		if (!rdev->soc->has_rw_amount) {
			rknpu_warn(rdev, "Clear rw_amount is not supported on this device!");
			return 0;
		}
		rknpu_write(rdev, 0, RKNPU_OFFSET_CLR_ALL_RW_AMOUNT, 0x80000101);
		rknpu_write(rdev, 0, RKNPU_OFFSET_CLR_ALL_RW_AMOUNT, 0x00000101);
		return 0;
	case RKNPU_GET_DT_WR_AMOUNT:
	case RKNPU_GET_DT_RD_AMOUNT:
	case RKNPU_GET_WT_RD_AMOUNT: {
		static const uint32_t reg[] = { RKNPU_OFFSET_DT_WR_AMOUNT,
						RKNPU_OFFSET_DT_RD_AMOUNT,
						RKNPU_OFFSET_WT_RD_AMOUNT };

		if (!rdev->soc->has_rw_amount) {
			/* value is left as the caller passed it, as the vendor does */
			rknpu_warn(rdev, "Get rw_amount is not supported on this device!");
			return 0;
		}
		args->value = rknpu_read(rdev, 0, reg[args->flags - RKNPU_GET_DT_WR_AMOUNT]) *
			      rdev->soc->pc_data_amount_scale;
		return 0;
	}
	case RKNPU_GET_TOTAL_RW_AMOUNT:
		if (!rdev->soc->has_rw_amount) {
			rknpu_warn(rdev, "Get total_rw_amount is not supported on this device!");
			return 0;
		}
		args->value = (rknpu_read(rdev, 0, RKNPU_OFFSET_DT_WR_AMOUNT) +
			       rknpu_read(rdev, 0, RKNPU_OFFSET_DT_RD_AMOUNT) +
			       rknpu_read(rdev, 0, RKNPU_OFFSET_WT_RD_AMOUNT)) *
			      rdev->soc->pc_data_amount_scale;
		return 0;
	case RKNPU_GET_IOMMU_EN:
		args->value = rdev->plat.iommu ? 1 : 0;
		return 0;
	case RKNPU_SET_PROC_NICE:
		/* The host applies what its policy allows; the answer is 0 as
		 * the vendor's, whatever happened. */
		rnpu_osal_set_nice((int32_t)args->value);
		return 0;
	case RKNPU_POWER_ON:
	case RKNPU_POWER_OFF:
		return -EINVAL;
	case RKNPU_GET_TOTAL_SRAM_SIZE:
		args->value = (uint32_t)rknpu_sram_total_bytes(rdev); /* 0: no SRAM manager */
		return 0;
	case RKNPU_GET_FREE_SRAM_SIZE:
		args->value = (uint32_t)rknpu_sram_free_bytes(rdev);
		return 0;
	case RKNPU_GET_IOMMU_DOMAIN_ID:
		args->value = (uint32_t)rdev->iommu_domain_id;
		return 0;
	case RKNPU_SET_IOMMU_DOMAIN_ID:
		if ((int32_t)args->value < 0 || (int32_t)args->value >= RKNPU_MAX_IOMMU_DOMAINS) {
			rknpu_err(rdev, "invalid iommu domain id: %d, reuse domain id: %d",
				  (int32_t)args->value, rdev->iommu_domain_id);
			return -EINVAL;
		}
		return 0; /* without an IOMMU, domain ids are accepted and ignored */
	default:
		rknpu_err(rdev, "invalid action: %u", args->flags);
		return -EINVAL;
	}
}
