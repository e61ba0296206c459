// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * rnpu.ko: the platform driver for the vendor device-tree node
 * "rockchip,rk3588-rknpu". Probe gathers what the node describes (register
 * windows, interrupts, reset lines, clocks, supplies, power domains),
 * powers the NPU, hands a platform description to the portable core, and
 * registers the DRM device and /dev/rknpu. The NPU is powered only while
 * the core holds power references (runtime PM: rnpu_kmod_pm.c).
 */
#include <drm/drm_drv.h>
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/pm_runtime.h>
#include <linux/seq_file.h>
#include <linux/version.h>

#include "rnpu_kmod.h"

static bool bypass_irq_handler;
module_param(bypass_irq_handler, bool, 0444);
MODULE_PARM_DESC(bypass_irq_handler, "do not handle NPU interrupts (vendor debugging switch)");
static bool bypass_soft_reset;
module_param(bypass_soft_reset, bool, 0444);
MODULE_PARM_DESC(bypass_soft_reset, "never soft-reset the NPU after a timeout");
static uint session_max_bos;
module_param(session_max_bos, uint, 0444);
MODULE_PARM_DESC(session_max_bos, "buffer objects one open file may hold (0 = no limit)");
static ulong session_max_bytes;
module_param(session_max_bytes, ulong, 0444);
MODULE_PARM_DESC(session_max_bytes, "bytes of buffer objects one open file may hold (0 = no limit)");

/* Each core's register space (PC, CNA, CORE, DPU, ...), as the vendor's
 * device tree gives it. */
#define RNPU_CORE_WINDOW 0x10000

static int rnpu_kmod_get_resources(struct platform_device *pdev, struct rnpu_kmod *k)
{
	struct device *dev = &pdev->dev;
	struct rnpu_osal_dev *od = &k->osdev;
	bool named;
	int count, half, i;

	od->dev = dev;
	od->drm = &k->drm;
	for (i = 0; i < RKNPU_MAX_CORES; i++) {
		struct resource *res = platform_get_resource(pdev, IORESOURCE_MEM, i);

		if (!res)
			break;
		if (resource_size(res) < RNPU_CORE_WINDOW) {
			dev_err(dev, "reg: window %d is %pR, a core's registers span %#x bytes\n",
				i, res, RNPU_CORE_WINDOW);
			return -EINVAL;
		}
		/* Not devm_ioremap_resource: the NPU's IOMMU has already
		 * claimed sub-ranges of these windows. */
		od->mmio[i].base = devm_ioremap(dev, res->start, resource_size(res));
		if (!od->mmio[i].base)
			return -ENOMEM;
		k->plat.mmio[i] = &od->mmio[i];
		k->plat.num_mmio++;
	}

	count = platform_irq_count(pdev);
	if (count < 0)
		return count;
	for (i = 0; i < RKNPU_MAX_CORES; i++) {
		od->irqs[i].irq = -ENXIO;
		if (i >= count)
			continue;
		od->irqs[i].irq = platform_get_irq(pdev, i);
		if (od->irqs[i].irq < 0)
			return od->irqs[i].irq;
		k->plat.irq[i] = (unsigned int)i;
		k->plat.num_irqs++;
	}

	count = of_count_phandle_with_args(dev->of_node, "resets", "#reset-cells");
	if (count > RKNPU_MAX_RESETS) {
		dev_err(dev, "resets: %d lines, at most %d\n", count, RKNPU_MAX_RESETS);
		return -EINVAL;
	}
	/* The core asserts srst_a of every core, then srst_h: take them by
	 * name in that order when the node names them, else in its order. */
	named = count > 0 && of_property_count_strings(dev->of_node, "reset-names") == count;
	half = count > 1 ? count / 2 : 1;
	for (i = 0; i < count; i++) {
		char name[16];

		snprintf(name, sizeof(name), "srst_%c%d", i < half ? 'a' : 'h', i % half);
		od->resets[i] = named ? devm_reset_control_get_exclusive(dev, name) :
				devm_reset_control_get_exclusive_by_index(dev, i);
		if (IS_ERR(od->resets[i]))
			return dev_err_probe(dev, PTR_ERR(od->resets[i]), "reset line %d (%s)\n", i,
					     named ? name : "by index");
	}
	od->num_resets = count > 0 ? (unsigned int)count : 0;
	k->plat.num_resets = od->num_resets;
	return 0;
}

/* What both device-tree forms share once the platform description's
 * windows, interrupts and resets are filled in: the core, devfreq, the
 * DRM device, /dev/rknpu and debugfs. @unique is the DRM unique name (the
 * first core's device name, as the vendor's "fdab0000.npu"). */
int rnpu_kmod_start(struct rnpu_kmod *k, const char *unique)
{
	struct device *dev = k->drm.dev;
	int ret;

	k->plat.compatible = RKNPU_RK3588_COMPATIBLE;
	k->plat.unique = unique;
	k->plat.dev = &k->osdev;
	/* The kernel's IOMMU driver owns the NPU's IOMMU and the DMA API
	 * hands out addresses in its domain; the core's own page tables are
	 * for hosts without one. So the core runs in its contiguous mode,
	 * where its regcmd validator checks jobs against those addresses. */
	k->plat.iommu = false;
	k->plat.bypass_irq_handler = bypass_irq_handler;
	k->plat.bypass_soft_reset = bypass_soft_reset;
	k->plat.session_max_bos = session_max_bos;
	k->plat.session_max_bytes = session_max_bytes;
	/* The kernel's devfreq runs the frequency loop (rnpu_kmod_devfreq.c). */
	k->plat.host_devfreq = IS_ENABLED(CONFIG_PM_DEVFREQ);
	rnpu_kmod_thermal_init(k);
	dev_info(dev, "rknpu iommu is %s\n", device_iommu_mapped(k->osdev.dev) ?
		 "enabled, managed by the kernel" : "not found, using non-iommu mode");
	ret = rknpu_probe(&k->plat, &k->rdev);
	if (ret)
		return dev_err_probe(dev, ret, "core probe\n");

	ret = rnpu_kmod_devfreq_init(k);
	if (ret)
		goto err_core;
	ret = drm_dev_register(&k->drm, 0);
	if (ret)
		goto err_devfreq;
	ret = rnpu_kmod_misc_register(k);
	if (ret)
		goto err_drm;
	ret = rnpu_kmod_debugfs_init(k);
	if (ret)
		goto err_misc;
	return 0;

err_misc:
	rnpu_kmod_misc_unregister(k);
err_drm:
	drm_dev_unregister(&k->drm);
err_devfreq:
	rnpu_kmod_devfreq_fini(k);
err_core:
	rknpu_remove(k->rdev);
	return ret;
}

/* The reverse of rnpu_kmod_start(). No file is open (see below). */
void rnpu_kmod_stop(struct rnpu_kmod *k)
{
	rnpu_kmod_debugfs_fini(k);
	rnpu_kmod_misc_unregister(k);
	drm_dev_unplug(&k->drm);
	rnpu_kmod_devfreq_fini(k);
	rknpu_remove(k->rdev);
}

static int rnpu_kmod_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct rnpu_kmod *k;
	int ret;

	k = devm_drm_dev_alloc(dev, &rnpu_drm_driver, struct rnpu_kmod, drm);
	if (IS_ERR(k))
		return PTR_ERR(k);
	platform_set_drvdata(pdev, k);
	k->np = dev->of_node;

	ret = rnpu_kmod_get_resources(pdev, k);
	if (ret)
		return ret;
	ret = rnpu_kmod_pm_init(dev, k);
	if (ret)
		return ret;
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(RNPU_DMA_BITS));
	if (ret)
		return dev_err_probe(dev, ret, "32-bit DMA\n");
	return rnpu_kmod_start(k, dev_name(dev));
}

/* Runs only at module unload (no manual unbind: suppress_bind_attrs), and
 * every open file holds a reference on the module: no file is open here,
 * which is what rknpu_remove() requires. */
static void rnpu_kmod_teardown(struct platform_device *pdev)
{
	rnpu_kmod_stop(platform_get_drvdata(pdev));
}

/* The remove callback returns void from Linux 6.11 on. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
static void rnpu_kmod_remove(struct platform_device *pdev)
{
	rnpu_kmod_teardown(pdev);
}
#else
static int rnpu_kmod_remove(struct platform_device *pdev)
{
	rnpu_kmod_teardown(pdev);
	return 0;
}
#endif

static const struct of_device_id rnpu_kmod_of_match[] = {
	{ .compatible = RKNPU_RK3588_COMPATIBLE },
	{ }
};
MODULE_DEVICE_TABLE(of, rnpu_kmod_of_match);

static struct platform_driver rnpu_kmod_driver = {
	.probe = rnpu_kmod_probe,
	.remove = rnpu_kmod_remove,
	.driver = {
		.name = "RKNPU",
		.of_match_table = rnpu_kmod_of_match,
		.pm = pm_ptr(&rnpu_kmod_pm_ops),
		.suppress_bind_attrs = true,
	},
};

static int __init rnpu_kmod_init(void)
{
	int ret;

	rnpu_linux_fence_init();
	ret = platform_driver_register(&rnpu_kmod_driver);
	if (ret)
		return ret;
	ret = rnpu_kmod_cores_register();
	if (ret)
		platform_driver_unregister(&rnpu_kmod_driver);
	return ret;
}
module_init(rnpu_kmod_init);

static void __exit rnpu_kmod_exit(void)
{
	rnpu_kmod_cores_unregister();
	platform_driver_unregister(&rnpu_kmod_driver);
}
module_exit(rnpu_kmod_exit);

MODULE_DESCRIPTION("RKNPU driver");
MODULE_VERSION("0.9.8");
MODULE_ALIAS("rockchip-rknpu");
MODULE_LICENSE("Dual MIT/GPL");
