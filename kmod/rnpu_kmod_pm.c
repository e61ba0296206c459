// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Power management of the NPU on the kernel's runtime PM. Probe only
 * gathers the supplies, clocks and per-core power domains; the core's
 * power reference count (every ioctl and job, the delayed release of
 * debugfs delayms, the debugfs power file) switches the domains through
 * rnpu_osal_power_domain_set(), which takes and drops runtime PM
 * references (osal/linux/osal_linux_dev.c):
 *   domain 0 on:  the device (runtime resume: supplies, then clocks),
 *                 then npu0;   npu1, npu2 on: their domain;
 *   off in reverse: npu2, npu1, npu0, then the device, whose runtime
 *                 suspend (clocks, then supplies) runs after an
 *                 autosuspend delay.
 * This is the vendor's order (fact sheet 5.1). System sleep switches the
 * core off and forces the device's runtime suspend.
 */
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/pm_domain.h>
#include <linux/pm_runtime.h>

#include "rnpu_kmod.h"

/* The core already delays the release by delayms (3000 ms by default,
 * counted from the first release and not extended, the vendor's rule);
 * the kernel's autosuspend delay only bridges the gaps between releases
 * and re-takes when delayms is set to 0, so the clocks and rails are not
 * switched for every ioctl. Changeable in sysfs
 * (power/autosuspend_delay_ms). */
#define RNPU_KMOD_AUTOSUSPEND_MS 50

static int rnpu_kmod_supplies_on(struct rnpu_kmod *k)
{
	unsigned int i;
	int ret;

	for (i = 0; i < k->num_supplies; i++) {
		ret = regulator_enable(k->supplies[i]);
		if (ret) {
			dev_err(k->drm.dev, "failed to enable %s reg for rknpu, ret: %d\n",
				i ? "mem" : "vdd", ret);
			while (i--)
				regulator_disable(k->supplies[i]);
			return ret;
		}
	}
	return 0;
}

static void rnpu_kmod_supplies_off(struct rnpu_kmod *k)
{
	unsigned int i = k->num_supplies;

	while (i--)
		regulator_disable(k->supplies[i]);
}

static int rnpu_kmod_runtime_resume(struct device *dev)
{
	struct rnpu_kmod *k = dev_get_drvdata(dev);
	int ret;

	ret = rnpu_kmod_supplies_on(k);
	if (ret)
		return ret;
	ret = clk_bulk_prepare_enable(k->num_clks, k->clks);
	if (ret) {
		dev_err(dev, "failed to enable clk for rknpu, ret: %d\n", ret);
		rnpu_kmod_supplies_off(k);
	}
	return ret;
}

static int rnpu_kmod_runtime_suspend(struct device *dev)
{
	struct rnpu_kmod *k = dev_get_drvdata(dev);

	clk_bulk_disable_unprepare(k->num_clks, k->clks);
	rnpu_kmod_supplies_off(k);
	return 0;
}

/* System sleep: the core switches its domains off whatever its count
 * (they come back on resume if it was above 0); then the device itself. */
static int rnpu_kmod_suspend(struct device *dev)
{
	struct rnpu_kmod *k = dev_get_drvdata(dev);
	int ret = rknpu_suspend(k->rdev);

	if (ret)
		return ret;
	return pm_runtime_force_suspend(dev);
}

static int rnpu_kmod_resume(struct device *dev)
{
	struct rnpu_kmod *k = dev_get_drvdata(dev);
	int ret = pm_runtime_force_resume(dev);

	if (ret)
		return ret;
	return rknpu_resume(k->rdev);
}

const struct dev_pm_ops rnpu_kmod_pm_ops = {
	SYSTEM_SLEEP_PM_OPS(rnpu_kmod_suspend, rnpu_kmod_resume)
	RUNTIME_PM_OPS(rnpu_kmod_runtime_suspend, rnpu_kmod_runtime_resume, NULL)
};

static void rnpu_kmod_domains_detach(void *data)
{
	struct rnpu_osal_dev *od = data;

	while (od->num_pd_devs)
		dev_pm_domain_detach(od->pd_devs[--od->num_pd_devs], true);
}

/* Runs after runtime PM is disabled at unbind: a device still active
 * (autosuspend pending) is switched off here. */
static void rnpu_kmod_final_off(void *data)
{
	struct device *dev = data;

	if (!pm_runtime_status_suspended(dev))
		rnpu_kmod_runtime_suspend(dev);
	pm_runtime_set_suspended(dev);
}

int rnpu_kmod_pm_init(struct device *dev, struct rnpu_kmod *k)
{
	static const char *const supplies[] = { "rknpu", "mem" };
	unsigned int i;
	int count, ret;

	if (!IS_ENABLED(CONFIG_PM)) {
		dev_err(dev, "the kernel has no runtime PM (CONFIG_PM)\n");
		return -ENODEV;
	}
	for (i = 0; i < ARRAY_SIZE(supplies); i++) {
		struct regulator *r = devm_regulator_get_optional(dev, supplies[i]);

		if (IS_ERR(r)) {
			if (PTR_ERR(r) != -ENODEV)
				return dev_err_probe(dev, PTR_ERR(r), "supply %s\n", supplies[i]);
			continue;
		}
		k->supplies[k->num_supplies++] = r;
		if (i == 0)
			k->osdev.supply = r;
	}

	k->num_clks = devm_clk_bulk_get_all(dev, &k->clks);
	if (k->num_clks < 0)
		return dev_err_probe(dev, k->num_clks, "clocks\n");
	/* A device-tree node without clocks is a broken node (the vendor
	 * refuses it too); a device without a node (one registered by name,
	 * as on a PC without a device tree) has no clocks to switch. */
	if (k->num_clks == 0 && dev_of_node(dev)) {
		dev_err(dev, "clocks: none in the device tree\n");
		return -ENODEV;
	}
	if (k->num_clks == 0)
		dev_info(dev, "no device-tree node: running without clocks, resets and supplies\n");
	for (i = 0; i < (unsigned int)k->num_clks; i++)
		if (k->clks[i].id && !strcmp(k->clks[i].id, "clk_npu"))
			k->osdev.core_clk = k->clks[i].clk;
	ret = devm_add_action(dev, rnpu_kmod_final_off, dev);
	if (ret)
		return ret;

	/* With several domains the device has none of its own: attach each
	 * core's; the core switches them. With one, the device's runtime PM
	 * switches it. */
	count = of_count_phandle_with_args(dev->of_node, "power-domains", "#power-domain-cells");
	ret = devm_add_action(dev, rnpu_kmod_domains_detach, &k->osdev);
	if (ret)
		return ret;
	for (i = 0; count > 1 && i < (unsigned int)count && i < RKNPU_MAX_CORES; i++) {
		struct device *pd = dev_pm_domain_attach_by_id(dev, i);

		if (IS_ERR_OR_NULL(pd))
			return dev_err_probe(dev, pd ? PTR_ERR(pd) : -ENODEV, "power domain %u\n", i);
		k->osdev.pd_devs[k->osdev.num_pd_devs++] = pd;
	}

	pm_runtime_set_autosuspend_delay(dev, RNPU_KMOD_AUTOSUSPEND_MS);
	pm_runtime_use_autosuspend(dev);
	/* Also undoes use_autosuspend at unbind. */
	return devm_pm_runtime_enable(dev);
}
