// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * rnpu_fakenpu.ko: a stand-in RK3588 NPU for loading rnpu.ko in a virtual
 * machine that has no NPU and no device tree (x86 Debian kernels).
 *
 * It registers the platform device "RKNPU", which the module's platform
 * driver binds by name, with what the vendor's device-tree node gives the
 * driver: three 64 KiB register windows and three interrupts, one per
 * core. The windows are ordinary guest RAM that the kernel was told to
 * leave alone (boot with memmap=<size>$<addr>, an E820 reserved range); the
 * interrupts come from a software irq_chip.
 *
 * It computes nothing. An hrtimer watches each core's PC registers: when
 * the driver starts a task list (a non-zero PC.TASK_CON: the driver writes
 * the task count there with the counter-clear bit on every start) it
 * consumes the start, reports completion as the hardware does (the task
 * counter in PC.TASK_STATUS, for each ping-pong pair of the last task's
 * interrupt mask the first group's bit in PC.INTERRUPT_STATUS and
 * PC.INTERRUPT_RAW_STATUS) and raises the core's interrupt. The parameter
 * "hang" swallows that many starts without an answer, so the driver's
 * timeout and reset run in a real kernel. Nothing reads the task list or
 * the register commands: output buffers stay as the test wrote them.
 *
 * Like a board's NPU, the device cannot go away under its driver: while a
 * driver is bound to it the module holds a reference on itself (a bus
 * notifier), so unloading it first needs the driver unloaded. The kernel
 * would otherwise unbind the driver from the departing device, with its
 * files still open, which the driver's core does not allow.
 */
#include <linux/hrtimer.h>
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/irqdesc.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/platform_device.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "rk3588_regs.h"

#define FAKENPU_CORES 3
/* Each core's register space, as the vendor's device tree gives it. */
#define FAKENPU_CORE_WINDOW SZ_64K
/* PC.VERSION's value on the RK3588 ("FIRE"; hw/rk3588.xml, reset value). */
#define FAKENPU_PC_VERSION 0x46495245u
/* PC.TASK_STATUS after a soft reset (hw/rk3588.xml, reset value). */
#define FAKENPU_PC_TASK_STATUS_IDLE 0x5000u
/* Interrupt status bits come in ping-pong pairs, six of them (the
 * driver's rknpu_fuzz_status() accepts either bit of a pair). */
#define FAKENPU_INT_PAIRS 6

static unsigned long base = 0x10000000;
module_param(base, ulong, 0444);
MODULE_PARM_DESC(base, "physical address of the three register windows (reserved with memmap=)");
static unsigned int hang;
module_param(hang, uint, 0644);
MODULE_PARM_DESC(hang, "starts to swallow without completing them (the driver then times out)");
static unsigned int poll_us = 200;
module_param(poll_us, uint, 0444);
MODULE_PARM_DESC(poll_us, "how often the registers are watched, in microseconds");
static unsigned int completed;
module_param(completed, uint, 0444);
MODULE_PARM_DESC(completed, "starts completed so far");
static unsigned int swallowed;
module_param(swallowed, uint, 0444);
MODULE_PARM_DESC(swallowed, "starts swallowed so far");

static struct fakenpu {
	void __iomem *regs;
	int irq_base;
	struct hrtimer timer;
	struct platform_device *pdev;
	struct notifier_block bind_nb;
	bool bound; /* a driver is bound: the module holds itself */
} fake;

static void __iomem *fakenpu_reg(unsigned int core, u32 offset)
{
	return fake.regs + core * FAKENPU_CORE_WINDOW + offset;
}

/* The bits a task list that asked for @mask raises: the first bit of each
 * ping-pong pair it named, as a task list run in group 0 does. */
static u32 fakenpu_status_for(u32 mask)
{
	u32 status = 0;
	unsigned int pair;

	for (pair = 0; pair < FAKENPU_INT_PAIRS; pair++)
		if (mask & (3u << (2 * pair)))
			status |= 1u << (2 * pair);
	return status;
}

static void fakenpu_watch_core(unsigned int core)
{
	u32 con = readl(fakenpu_reg(core, REG_PC_TASK_CON));
	u32 mask, status, task_status = 0;

	if (!con)
		return;
	/* Consumed: the next start writes it again. The driver's clear of
	 * the status before each start is applied here too. */
	writel(0, fakenpu_reg(core, REG_PC_TASK_CON));
	writel(0, fakenpu_reg(core, REG_PC_INTERRUPT_STATUS));
	writel(0, fakenpu_reg(core, REG_PC_INTERRUPT_RAW_STATUS));
	/* The start's counter-clear bit zeroes the task counter, so a
	 * swallowed start reads 0 tasks done, as a hung core does. */
	if (rk3588_get_PC_TASK_CON_TASK_COUNT_CLEAR(con))
		writel(FAKENPU_PC_TASK_STATUS_IDLE & ~PC_TASK_STATUS_TASK_COUNTER__MASK,
		       fakenpu_reg(core, REG_PC_TASK_STATUS));
	if (hang) {
		hang--;
		swallowed++;
		return;
	}
	mask = rk3588_get_PC_INTERRUPT_MASK_VALUE(readl(fakenpu_reg(core, REG_PC_INTERRUPT_MASK)));
	status = fakenpu_status_for(mask);
	rk3588_set_PC_TASK_STATUS_TASK_COUNTER(&task_status, rk3588_get_PC_TASK_CON_TASK_NUMBER(con));
	writel(task_status, fakenpu_reg(core, REG_PC_TASK_STATUS));
	writel(status, fakenpu_reg(core, REG_PC_INTERRUPT_RAW_STATUS));
	writel(status, fakenpu_reg(core, REG_PC_INTERRUPT_STATUS));
	completed++;
	generic_handle_irq(fake.irq_base + core);
}

static enum hrtimer_restart fakenpu_tick(struct hrtimer *timer)
{
	unsigned int core;

	for (core = 0; core < FAKENPU_CORES; core++)
		fakenpu_watch_core(core);
	hrtimer_forward_now(timer, ns_to_ktime((u64)poll_us * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

/* Binding and unbinding are serialised by the driver core (device lock),
 * so bound needs no lock of its own. The device is known by its name: a
 * platform device without an id is named exactly that in sysfs, so there
 * is only one (fake.pdev is not set yet when a loaded driver binds it
 * during its registration). */
static int fakenpu_bind_event(struct notifier_block *nb, unsigned long action, void *data)
{
	struct device *dev = data;

	if (dev->bus != &platform_bus_type || strcmp(to_platform_device(dev)->name, "RKNPU"))
		return NOTIFY_DONE;
	if (action == BUS_NOTIFY_BOUND_DRIVER && !fake.bound) {
		__module_get(THIS_MODULE);
		fake.bound = true;
	} else if (action == BUS_NOTIFY_UNBOUND_DRIVER && fake.bound) {
		fake.bound = false;
		module_put(THIS_MODULE);
	}
	return NOTIFY_OK;
}

static int __init fakenpu_init(void)
{
	struct resource res[2 * FAKENPU_CORES] = { };
	unsigned int core;
	int ret;

	fake.regs = ioremap(base, FAKENPU_CORES * FAKENPU_CORE_WINDOW);
	if (!fake.regs) {
		pr_err("rnpu_fakenpu: cannot map %#lx (boot with memmap=%uK$%#lx)\n", base,
		       FAKENPU_CORES * FAKENPU_CORE_WINDOW / SZ_1K, base);
		return -ENOMEM;
	}
	for (core = 0; core < FAKENPU_CORES; core++) {
		unsigned int off;

		for (off = 0; off < FAKENPU_CORE_WINDOW; off += 4)
			writel(0, fakenpu_reg(core, off));
		writel(FAKENPU_PC_VERSION, fakenpu_reg(core, REG_PC_VERSION));
		writel(FAKENPU_PC_TASK_STATUS_IDLE, fakenpu_reg(core, REG_PC_TASK_STATUS));
	}

	fake.irq_base = irq_alloc_descs(-1, 0, FAKENPU_CORES, NUMA_NO_NODE);
	if (fake.irq_base < 0) {
		ret = fake.irq_base;
		goto err_unmap;
	}
	for (core = 0; core < FAKENPU_CORES; core++) {
		unsigned int irq = fake.irq_base + core;
		struct resource mem = DEFINE_RES_MEM(base + core * FAKENPU_CORE_WINDOW,
						     FAKENPU_CORE_WINDOW);
		struct resource line = DEFINE_RES_IRQ(irq);

		irq_set_chip_and_handler(irq, &dummy_irq_chip, handle_simple_irq);
		irq_clear_status_flags(irq, IRQ_NOREQUEST | IRQ_NOPROBE);
		res[core] = mem;
		res[FAKENPU_CORES + core] = line;
	}

	/* Before the device: a driver already loaded binds it at once. */
	fake.bind_nb.notifier_call = fakenpu_bind_event;
	ret = bus_register_notifier(&platform_bus_type, &fake.bind_nb);
	if (ret)
		goto err_descs;

	hrtimer_init(&fake.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	fake.timer.function = fakenpu_tick;
	hrtimer_start(&fake.timer, ns_to_ktime((u64)poll_us * NSEC_PER_USEC), HRTIMER_MODE_REL);

	fake.pdev = platform_device_register_simple("RKNPU", PLATFORM_DEVID_NONE, res,
						    ARRAY_SIZE(res));
	if (IS_ERR(fake.pdev)) {
		ret = PTR_ERR(fake.pdev);
		goto err_timer;
	}
	pr_info("rnpu_fakenpu: RKNPU at %#lx, irqs %d..%d\n", base, fake.irq_base,
		fake.irq_base + FAKENPU_CORES - 1);
	return 0;

err_timer:
	hrtimer_cancel(&fake.timer);
	bus_unregister_notifier(&platform_bus_type, &fake.bind_nb);
err_descs:
	irq_free_descs(fake.irq_base, FAKENPU_CORES);
err_unmap:
	iounmap(fake.regs);
	return ret;
}
module_init(fakenpu_init);

/* No driver is bound here (it would hold the module). The device goes
 * first, while its registers and interrupts still work; then the timer
 * that raises the interrupts, then the interrupts, then the windows. */
static void __exit fakenpu_exit(void)
{
	platform_device_unregister(fake.pdev);
	bus_unregister_notifier(&platform_bus_type, &fake.bind_nb);
	hrtimer_cancel(&fake.timer);
	irq_free_descs(fake.irq_base, FAKENPU_CORES);
	iounmap(fake.regs);
}
module_exit(fakenpu_exit);

MODULE_DESCRIPTION("A stand-in RK3588 NPU for testing rnpu.ko without a board");
MODULE_LICENSE("Dual MIT/GPL");
