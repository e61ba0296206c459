// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Kernel OS services of the device: registers, interrupt lines, reset
 * lines, clock rate and supply voltage, from what the module's probe
 * obtained (struct rnpu_osal_dev).
 */
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/pm_runtime.h>
#include <linux/thermal.h>

#include "osal_linux.h"

uint32_t rnpu_osal_readl(struct rnpu_osal_mmio *io, uint32_t offset)
{
	return readl(io->base + offset);
}

void rnpu_osal_writel(struct rnpu_osal_mmio *io, uint32_t offset, uint32_t value)
{
	writel(value, io->base + offset);
}

/* One 64-bit access on 64-bit CPUs; elsewhere the lo-hi helpers do low
 * word then high word, as osal.h allows. */
uint64_t rnpu_osal_readq(struct rnpu_osal_mmio *io, uint32_t offset)
{
	return readq(io->base + offset);
}

void rnpu_osal_writeq(struct rnpu_osal_mmio *io, uint32_t offset, uint64_t value)
{
	writeq(value, io->base + offset);
}

/* The line is shared with the NPU's IOMMU; the core's handler reads its
 * own status and leaves the IOMMU's alone. */
static irqreturn_t rnpu_linux_irq(int irq, void *data)
{
	struct rnpu_linux_irq *line = data;

	line->handler(line->data);
	return IRQ_HANDLED;
}

int rnpu_osal_request_irq(struct rnpu_osal_dev *dev, unsigned int irq,
			  rnpu_osal_irq_handler_t handler, void *data)
{
	struct rnpu_linux_irq *line;
	int ret;

	if (irq >= RKNPU_MAX_CORES || dev->irqs[irq].irq < 0 || dev->irqs[irq].requested)
		return -EINVAL;
	line = &dev->irqs[irq];
	line->handler = handler;
	line->data = data;
	ret = devm_request_irq(dev->dev, line->irq, rnpu_linux_irq, IRQF_SHARED,
			       dev_name(dev->dev), line);
	if (ret)
		return ret;
	line->requested = true;
	return 0;
}

void rnpu_osal_free_irq(struct rnpu_osal_dev *dev, unsigned int irq)
{
	if (irq >= RKNPU_MAX_CORES || !dev->irqs[irq].requested)
		return;
	devm_free_irq(dev->dev, dev->irqs[irq].irq, &dev->irqs[irq]);
	dev->irqs[irq].requested = false;
}

int rnpu_osal_reset_assert(struct rnpu_osal_dev *dev, unsigned int line)
{
	if (line >= dev->num_resets)
		return -EINVAL;
	return reset_control_assert(dev->resets[line]);
}

int rnpu_osal_reset_deassert(struct rnpu_osal_dev *dev, unsigned int line)
{
	if (line >= dev->num_resets)
		return -EINVAL;
	return reset_control_deassert(dev->resets[line]);
}

uint64_t rnpu_osal_clk_get_rate(struct rnpu_osal_dev *dev, unsigned int idx)
{
	return (idx == 0 && dev->core_clk) ? clk_get_rate(dev->core_clk) : 0;
}

int rnpu_osal_regulator_get_voltage(struct rnpu_osal_dev *dev)
{
	return dev->supply ? regulator_get_voltage(dev->supply) : -ENODEV;
}

/* Runtime PM references (kmod/rnpu_kmod_pm.c has the order): domain 0
 * carries the device itself, taken before npu0 and dropped after it with
 * autosuspend; each attached per-core domain is taken and dropped
 * synchronously, so that "off" has happened when the core goes on. */
int rnpu_osal_power_domain_set(struct rnpu_osal_dev *dev, unsigned int idx, bool on)
{
	struct device *pd = idx < dev->num_pd_devs ? dev->pd_devs[idx] : NULL;
	int ret;

	if (!on) {
		if (pd)
			pm_runtime_put_sync(pd);
		if (idx == 0) {
			pm_runtime_mark_last_busy(dev->dev);
			pm_runtime_put_autosuspend(dev->dev);
		}
		return 0;
	}
	if (idx == 0) {
		ret = pm_runtime_resume_and_get(dev->dev);
		if (ret) {
			dev_err(dev->dev, "failed to get pm runtime for rknpu, ret: %d\n", ret);
			return ret;
		}
	}
	if (pd) {
		ret = pm_runtime_resume_and_get(pd);
		if (ret) {
			if (idx == 0)
				pm_runtime_put_autosuspend(dev->dev);
			return ret;
		}
	}
	return 0;
}

int rnpu_osal_clk_set_rate(struct rnpu_osal_dev *dev, unsigned int idx, uint64_t hz)
{
	if (idx != 0 || !dev->core_clk)
		return -ENODEV;
	return clk_set_rate(dev->core_clk, (unsigned long)hz);
}

int rnpu_osal_regulator_set_voltage(struct rnpu_osal_dev *dev, int uv)
{
	return dev->supply ? regulator_set_voltage(dev->supply, uv, uv) : -ENODEV;
}

/* The zone the module found at probe; the kernel reports millidegrees,
 * the core's unit. */
int rnpu_osal_thermal_get_temp(struct rnpu_osal_dev *dev, int *mc)
{
	if (!dev->thermal)
		return -ENODEV;
	return thermal_zone_get_temp(dev->thermal, mc);
}
