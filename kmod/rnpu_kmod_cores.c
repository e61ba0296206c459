// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Mainline's device tree: one "rockchip,rk3588-rknn-core" node per core,
 * each with its own windows (pc, cna, core), interrupt, clocks, resets,
 * power domain and IOMMU. The kernel probes each node as its own platform
 * device; the core driver takes one NPU with every core. So:
 *  - the core driver ("rnpu-core") gathers one core's resources at its
 *    probe and offers the core as a component;
 *  - a facade device ("rnpu-cores", registered at module load when the
 *    device tree has such nodes, as mainline's rocket driver registers
 *    one) is the component aggregate, matching every enabled core node;
 *    its bind runs once all of them have probed: it orders the cores
 *    (rknpu_core_order(): aliases rknn<N>, else ascending pc address),
 *    puts every core in core 0's IOMMU domain, fills the platform
 *    description in core order and starts the NPU (rnpu_kmod_start());
 *    unbind does the reverse.
 * DMA buffers are allocated on core 0's device: with every core attached to
 * core 0's domain one IOVA is valid on all of them (docs/kmod.md).
 */
#include <drm/drm_drv.h>
#include <linux/component.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/pm_runtime.h>
#include <linux/version.h>

#include "rknpu_soc.h"
#include "rknpu_core_order.h"
#include "rnpu_kmod.h"

/* As the vendor node's device (rnpu_kmod_pm.c): bridges the gaps between
 * the core's delayed releases. */
#define RNPU_CORE_AUTOSUSPEND_MS 50

/* One core node, as its probe found it (all device-managed). */
struct rnpu_kmod_core {
	struct device *dev;
	void __iomem *base;         /* the core's 64 KiB from its pc window */
	struct rknpu_core_key key;  /* pc address and alias: the core order */
	int irq;
	struct reset_control *srst_a, *srst_h;
	struct clk_bulk_data *clks; /* aclk, hclk, npu, pclk */
	int num_clks;
	struct clk *npu_clk;        /* "npu": the rate the core reports and sets */
	struct regulator *supplies[2]; /* "npu", "sram": those the node has */
	unsigned int num_supplies;
	struct iommu_group *group;  /* NULL: the core has no IOMMU */
};

/* The gathered NPU. One per system (the facade is a singleton); bind and
 * unbind are serialised by the component framework's own lock, which is
 * what protects this. */
struct rnpu_kmod_cores {
	struct rnpu_kmod_core *bound[RKNPU_MAX_CORES]; /* in bind order */
	unsigned int num_bound;
	struct rnpu_kmod_core *core[RKNPU_MAX_CORES];  /* in core order */
	unsigned int num;
	struct iommu_domain *domain; /* core 0's; NULL without IOMMUs */
	bool attached[RKNPU_MAX_CORES]; /* core N put in core 0's domain */
};

static struct rnpu_kmod_cores rnpu_cores;
static struct platform_device *rnpu_cores_facade;
static bool rnpu_cores_registered; /* module load and unload only */

/* ---- one core ---------------------------------------------------------- */

static int rnpu_kmod_core_runtime_resume(struct device *dev)
{
	struct rnpu_kmod_core *c = dev_get_drvdata(dev);
	unsigned int i;
	int ret;

	for (i = 0; i < c->num_supplies; i++) {
		ret = regulator_enable(c->supplies[i]);
		if (ret) {
			dev_err(dev, "failed to enable %s supply, ret: %d\n", i ? "sram" : "npu", ret);
			goto err_supplies;
		}
	}
	ret = clk_bulk_prepare_enable(c->num_clks, c->clks);
	if (ret) {
		dev_err(dev, "failed to enable clocks, ret: %d\n", ret);
		goto err_supplies;
	}
	return 0;

err_supplies:
	while (i--)
		regulator_disable(c->supplies[i]);
	return ret;
}

static int rnpu_kmod_core_runtime_suspend(struct device *dev)
{
	struct rnpu_kmod_core *c = dev_get_drvdata(dev);
	unsigned int i = c->num_supplies;

	clk_bulk_disable_unprepare(c->num_clks, c->clks);
	while (i--)
		regulator_disable(c->supplies[i]);
	return 0;
}

/* The facade's system sleep switches the core's domains off first (it
 * was registered after the cores, so it suspends before them). */
static const struct dev_pm_ops rnpu_kmod_core_pm_ops = {
	SYSTEM_SLEEP_PM_OPS(pm_runtime_force_suspend, pm_runtime_force_resume)
	RUNTIME_PM_OPS(rnpu_kmod_core_runtime_suspend, rnpu_kmod_core_runtime_resume, NULL)
};

static int rnpu_kmod_core_bind(struct device *dev, struct device *master, void *data)
{
	struct rnpu_kmod_cores *cs = data;

	if (cs->num_bound >= RKNPU_MAX_CORES) {
		dev_err(dev, "compatible: more than %d %s nodes\n", RKNPU_MAX_CORES,
			RKNPU_RK3588_CORE_COMPATIBLE);
		return -EINVAL;
	}
	cs->bound[cs->num_bound++] = dev_get_drvdata(dev);
	return 0;
}

static void rnpu_kmod_core_unbind(struct device *dev, struct device *master, void *data)
{
	struct rnpu_kmod_cores *cs = data;

	cs->num_bound--;
}

static const struct component_ops rnpu_kmod_core_ops = {
	.bind = rnpu_kmod_core_bind,
	.unbind = rnpu_kmod_core_unbind,
};

static void rnpu_kmod_core_group_put(void *data)
{
	iommu_group_put(data);
}

/* Runs after runtime PM is disabled at unbind: a core still active
 * (autosuspend pending) is switched off here. */
static void rnpu_kmod_core_final_off(void *data)
{
	struct device *dev = data;

	if (!pm_runtime_status_suspended(dev))
		rnpu_kmod_core_runtime_suspend(dev);
	pm_runtime_set_suspended(dev);
}

static int rnpu_kmod_core_clocks(struct device *dev, struct rnpu_kmod_core *c)
{
	static const char *const supplies[] = { "npu", "sram" };
	unsigned int i;

	c->num_clks = devm_clk_bulk_get_all(dev, &c->clks);
	if (c->num_clks < 0)
		return dev_err_probe(dev, c->num_clks, "clocks\n");
	if (c->num_clks == 0) {
		dev_err(dev, "clocks: none in the device tree\n");
		return -ENODEV;
	}
	for (i = 0; i < (unsigned int)c->num_clks; i++)
		if (c->clks[i].id && !strcmp(c->clks[i].id, "npu"))
			c->npu_clk = c->clks[i].clk;

	for (i = 0; i < ARRAY_SIZE(supplies); i++) {
		struct regulator *r = devm_regulator_get_optional(dev, supplies[i]);

		if (IS_ERR(r)) {
			if (PTR_ERR(r) != -ENODEV)
				return dev_err_probe(dev, PTR_ERR(r), "%s-supply\n", supplies[i]);
			continue;
		}
		c->supplies[c->num_supplies++] = r;
	}
	return 0;
}

static int rnpu_kmod_core_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct rnpu_kmod_core *c;
	struct resource *pc;
	int ret;

	if (!IS_ENABLED(CONFIG_PM)) {
		dev_err(dev, "the kernel has no runtime PM (CONFIG_PM)\n");
		return -ENODEV;
	}
	c = devm_kzalloc(dev, sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->dev = dev;
	platform_set_drvdata(pdev, c);

	/* The binding maps pc, cna and core only; the core driver reaches
	 * every block of the core (DPU, DPU_RDMA, ...), so it maps the 64 KiB
	 * from pc, as the vendor node gives it. Not
	 * devm_ioremap_resource: the core's IOMMU lies inside that space. */
	pc = platform_get_resource_byname(pdev, IORESOURCE_MEM, "pc");
	if (!pc) {
		dev_err(dev, "reg-names: no \"pc\" window\n");
		return -EINVAL;
	}
	c->key.pc = pc->start;
	c->key.alias = of_alias_get_id(dev->of_node, RKNPU_CORE_ALIAS_STEM);
	c->base = devm_ioremap(dev, pc->start, RKNPU_CORE_ORDER_SPACE);
	if (!c->base)
		return -ENOMEM;

	c->irq = platform_get_irq(pdev, 0);
	if (c->irq < 0)
		return c->irq;

	c->srst_a = devm_reset_control_get_exclusive(dev, "srst_a");
	if (IS_ERR(c->srst_a))
		return dev_err_probe(dev, PTR_ERR(c->srst_a), "reset srst_a\n");
	c->srst_h = devm_reset_control_get_exclusive(dev, "srst_h");
	if (IS_ERR(c->srst_h))
		return dev_err_probe(dev, PTR_ERR(c->srst_h), "reset srst_h\n");

	ret = rnpu_kmod_core_clocks(dev, c);
	if (ret)
		return ret;

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(RNPU_DMA_BITS));
	if (ret)
		return dev_err_probe(dev, ret, "32-bit DMA\n");
	c->group = iommu_group_get(dev);
	if (c->group) {
		ret = devm_add_action_or_reset(dev, rnpu_kmod_core_group_put, c->group);
		if (ret)
			return ret;
	}

	/* The core's one power domain is the device's own (genpd): runtime
	 * PM switches it, then the clocks. */
	ret = devm_add_action(dev, rnpu_kmod_core_final_off, dev);
	if (ret)
		return ret;
	pm_runtime_set_autosuspend_delay(dev, RNPU_CORE_AUTOSUSPEND_MS);
	pm_runtime_use_autosuspend(dev);
	ret = devm_pm_runtime_enable(dev);
	if (ret)
		return ret;

	return component_add(dev, &rnpu_kmod_core_ops);
}

static void rnpu_kmod_core_teardown(struct platform_device *pdev)
{
	component_del(&pdev->dev, &rnpu_kmod_core_ops);
}

/* The remove callback returns void from Linux 6.11 on. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
static void rnpu_kmod_core_remove(struct platform_device *pdev)
{
	rnpu_kmod_core_teardown(pdev);
}
#else
static int rnpu_kmod_core_remove(struct platform_device *pdev)
{
	rnpu_kmod_core_teardown(pdev);
	return 0;
}
#endif

static const struct of_device_id rnpu_kmod_core_of_match[] = {
	{ .compatible = RKNPU_RK3588_CORE_COMPATIBLE },
	{ }
};
MODULE_DEVICE_TABLE(of, rnpu_kmod_core_of_match);

static struct platform_driver rnpu_kmod_core_driver = {
	.probe = rnpu_kmod_core_probe,
	.remove = rnpu_kmod_core_remove,
	.driver = {
		.name = "rnpu-core",
		.of_match_table = rnpu_kmod_core_of_match,
		.pm = pm_ptr(&rnpu_kmod_core_pm_ops),
		.suppress_bind_attrs = true,
	},
};

/* ---- the gathered NPU -------------------------------------------------- */

static void rnpu_kmod_cores_iommu_leave(struct rnpu_kmod_cores *cs)
{
	unsigned int i = cs->num;

	while (i--) {
		if (cs->attached[i])
			iommu_detach_group(cs->domain, cs->core[i]->group);
		cs->attached[i] = false;
	}
	cs->domain = NULL;
}

/* Every core joins core 0's DMA domain (one page table that each core's
 * IOMMU walks; the Rockchip IOMMU driver keeps a list of the IOMMUs a
 * domain is attached to and invalidates all of them), so the address the
 * DMA API hands out on core 0 is valid on every core. */
static int rnpu_kmod_cores_iommu_join(struct device *dev, struct rnpu_kmod_cores *cs)
{
	unsigned int i, with = 0;
	int ret;

	for (i = 0; i < cs->num; i++)
		with += cs->core[i]->group != NULL;
	if (with == 0)
		return 0;
	for (i = 0; i < cs->num; i++)
		if (!cs->core[i]->group) {
			dev_err(dev, "iommus: core %u (%s) has none while another core has one\n", i,
				dev_name(cs->core[i]->dev));
			return -EINVAL;
		}
	cs->domain = iommu_get_domain_for_dev(cs->core[0]->dev);
	if (!cs->domain) {
		dev_err(dev, "iommus: core 0 (%s) has no domain\n", dev_name(cs->core[0]->dev));
		return -ENODEV;
	}
	for (i = 1; i < cs->num; i++) {
		if (cs->core[i]->group == cs->core[0]->group)
			continue;
		ret = iommu_attach_group(cs->domain, cs->core[i]->group);
		if (ret) {
			dev_err(dev, "iommus: core %u (%s) cannot join core 0's domain: %d\n", i,
				dev_name(cs->core[i]->dev), ret);
			rnpu_kmod_cores_iommu_leave(cs);
			return ret;
		}
		cs->attached[i] = true;
	}
	return 0;
}

/* The bound cores into core order, refused with a log line naming the node
 * and the field. */
static int rnpu_kmod_cores_order(struct device *dev, struct rnpu_kmod_cores *cs,
				 unsigned int expected)
{
	struct rknpu_core_key keys[RKNPU_MAX_CORES];
	unsigned int order[RKNPU_MAX_CORES];
	struct rknpu_core_order_err err;
	unsigned int i;
	int ret;

	for (i = 0; i < cs->num_bound; i++)
		keys[i] = cs->bound[i]->key;
	ret = rknpu_core_order(keys, cs->num_bound, expected, order, &err);
	if (ret) {
		if (err.key < 0)
			dev_err(dev, "%s: %u %s nodes, %u expected: %s\n", err.field, cs->num_bound,
				RKNPU_RK3588_CORE_COMPATIBLE, expected, err.why);
		else
			dev_err(dev, "%pOF: %s (pc %#llx, alias %d): %s\n",
				cs->bound[err.key]->dev->of_node, err.field,
				(unsigned long long)keys[err.key].pc, keys[err.key].alias, err.why);
		return ret;
	}
	for (i = 0; i < cs->num_bound; i++)
		cs->core[i] = cs->bound[order[i]];
	cs->num = cs->num_bound;
	return 0;
}

/* The platform description in core order: windows, interrupts, resets
 * srst_a of every core then srst_h (the core's order, as the vendor node
 * lists them), core 0's device for DMA and the NPU's first power domain,
 * cores 1.. as the further power domains. */
static void rnpu_kmod_cores_describe(struct rnpu_kmod *k, struct rnpu_kmod_cores *cs)
{
	struct rnpu_osal_dev *od = &k->osdev;
	struct rnpu_kmod_core *c0 = cs->core[0];
	unsigned int i;

	od->dev = c0->dev;
	od->drm = &k->drm;
	od->core_clk = c0->npu_clk;
	od->supply = c0->num_supplies ? c0->supplies[0] : NULL;
	for (i = 0; i < RKNPU_MAX_CORES; i++)
		od->irqs[i].irq = -ENXIO;
	for (i = 0; i < cs->num; i++) {
		struct rnpu_kmod_core *c = cs->core[i];

		od->mmio[i].base = c->base;
		k->plat.mmio[i] = &od->mmio[i];
		od->irqs[i].irq = c->irq;
		k->plat.irq[i] = i;
		od->resets[i] = c->srst_a;
		od->resets[cs->num + i] = c->srst_h;
		/* Domain 0 is core 0's device itself (osal_linux_dev.c). */
		od->pd_devs[i] = i ? c->dev : NULL;
	}
	k->plat.num_mmio = cs->num;
	k->plat.num_irqs = cs->num;
	od->num_resets = 2 * cs->num;
	k->plat.num_resets = od->num_resets;
	od->num_pd_devs = cs->num;
	k->np = c0->dev->of_node;
}

static int rnpu_kmod_cores_bind(struct device *dev)
{
	const struct rknpu_soc_data *soc = rknpu_soc_match(RKNPU_RK3588_COMPATIBLE);
	struct rnpu_kmod_cores *cs = &rnpu_cores;
	struct rnpu_kmod *k;
	int ret;

	k = devm_drm_dev_alloc(dev, &rnpu_drm_driver, struct rnpu_kmod, drm);
	if (IS_ERR(k))
		return PTR_ERR(k);
	cs->num_bound = 0;
	ret = component_bind_all(dev, cs);
	if (ret)
		return ret;
	ret = rnpu_kmod_cores_order(dev, cs, soc ? soc->num_cores : RKNPU_MAX_CORES);
	if (ret)
		goto err_unbind;
	ret = rnpu_kmod_cores_iommu_join(dev, cs);
	if (ret)
		goto err_unbind;
	rnpu_kmod_cores_describe(k, cs);
	dev_set_drvdata(dev, k);
	ret = rnpu_kmod_start(k, dev_name(cs->core[0]->dev));
	if (ret)
		goto err_iommu;
	return 0;

err_iommu:
	dev_set_drvdata(dev, NULL);
	rnpu_kmod_cores_iommu_leave(cs);
err_unbind:
	component_unbind_all(dev, cs);
	return ret;
}

/* At module unload (no manual unbind: suppress_bind_attrs), where no file
 * is open: each holds a module reference, and rknpu_remove() requires it.
 * A core unbound while the module stays (its clock or IOMMU provider
 * going away) would break that rule; the vendor form shares the limit. */
static void rnpu_kmod_cores_unbind(struct device *dev)
{
	struct rnpu_kmod_cores *cs = &rnpu_cores;

	rnpu_kmod_stop(dev_get_drvdata(dev));
	dev_set_drvdata(dev, NULL);
	rnpu_kmod_cores_iommu_leave(cs);
	component_unbind_all(dev, cs);
}

static const struct component_master_ops rnpu_kmod_cores_ops = {
	.bind = rnpu_kmod_cores_bind,
	.unbind = rnpu_kmod_cores_unbind,
};

/* System sleep: the core switches its domains off (the cores' own sleep
 * then suspends their clocks and supplies) and back on after resume. */
static int rnpu_kmod_cores_suspend(struct device *dev)
{
	struct rnpu_kmod *k = dev_get_drvdata(dev);

	return k ? rknpu_suspend(k->rdev) : 0;
}

static int rnpu_kmod_cores_resume(struct device *dev)
{
	struct rnpu_kmod *k = dev_get_drvdata(dev);

	return k ? rknpu_resume(k->rdev) : 0;
}

static const struct dev_pm_ops rnpu_kmod_cores_pm_ops = {
	SYSTEM_SLEEP_PM_OPS(rnpu_kmod_cores_suspend, rnpu_kmod_cores_resume)
};

static int rnpu_kmod_cores_probe(struct platform_device *pdev)
{
	struct component_match *match = NULL;
	struct device_node *np;
	unsigned int count = 0;

	for_each_compatible_node(np, NULL, RKNPU_RK3588_CORE_COMPATIBLE) {
		if (!of_device_is_available(np))
			continue;
		if (count == RKNPU_MAX_CORES) {
			dev_err(&pdev->dev, "compatible: more than %d enabled %s nodes (%pOF)\n",
				RKNPU_MAX_CORES, RKNPU_RK3588_CORE_COMPATIBLE, np);
			of_node_put(np);
			return -EINVAL;
		}
		component_match_add_release(&pdev->dev, &match, component_release_of,
					    component_compare_of, of_node_get(np));
		count++;
	}
	if (!match)
		return -ENODEV;
	return component_master_add_with_match(&pdev->dev, &rnpu_kmod_cores_ops, match);
}

static void rnpu_kmod_cores_teardown(struct platform_device *pdev)
{
	component_master_del(&pdev->dev, &rnpu_kmod_cores_ops);
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
static void rnpu_kmod_cores_remove(struct platform_device *pdev)
{
	rnpu_kmod_cores_teardown(pdev);
}
#else
static int rnpu_kmod_cores_remove(struct platform_device *pdev)
{
	rnpu_kmod_cores_teardown(pdev);
	return 0;
}
#endif

static struct platform_driver rnpu_kmod_cores_driver = {
	.probe = rnpu_kmod_cores_probe,
	.remove = rnpu_kmod_cores_remove,
	.driver = {
		.name = "rnpu-cores",
		.pm = pm_sleep_ptr(&rnpu_kmod_cores_pm_ops),
		.suppress_bind_attrs = true,
	},
};

static bool rnpu_kmod_enabled_in_dt(const char *compatible)
{
	struct device_node *np;

	for_each_compatible_node(np, NULL, compatible)
		if (of_device_is_available(np)) {
			of_node_put(np);
			return true;
		}
	return false;
}

/* Only when the device tree has enabled core nodes and no enabled vendor
 * node: a tree with both describes the same NPU twice (the same reset
 * lines, clocks and windows), and the vendor node wins, as in the
 * device-tree probe helper (probe/fdt). */
int rnpu_kmod_cores_register(void)
{
	int ret;

	if (!rnpu_kmod_enabled_in_dt(RKNPU_RK3588_CORE_COMPATIBLE))
		return 0;
	if (rnpu_kmod_enabled_in_dt(RKNPU_RK3588_COMPATIBLE)) {
		pr_info("rnpu: %s nodes left alone: the %s node describes the NPU\n",
			RKNPU_RK3588_CORE_COMPATIBLE, RKNPU_RK3588_COMPATIBLE);
		return 0;
	}
	ret = platform_driver_register(&rnpu_kmod_core_driver);
	if (ret)
		return ret;
	ret = platform_driver_register(&rnpu_kmod_cores_driver);
	if (ret)
		goto err_core;
	rnpu_cores_facade = platform_device_register_simple("rnpu-cores", PLATFORM_DEVID_NONE,
							    NULL, 0);
	if (IS_ERR(rnpu_cores_facade)) {
		ret = PTR_ERR(rnpu_cores_facade);
		rnpu_cores_facade = NULL;
		goto err_facade;
	}
	rnpu_cores_registered = true;
	return 0;

err_facade:
	platform_driver_unregister(&rnpu_kmod_cores_driver);
err_core:
	platform_driver_unregister(&rnpu_kmod_core_driver);
	return ret;
}

/* The facade first: its unbind stops the NPU while every core is there. */
void rnpu_kmod_cores_unregister(void)
{
	if (!rnpu_cores_registered)
		return;
	platform_device_unregister(rnpu_cores_facade);
	platform_driver_unregister(&rnpu_kmod_cores_driver);
	platform_driver_unregister(&rnpu_kmod_core_driver);
	rnpu_cores_facade = NULL;
	rnpu_cores_registered = false;
}
