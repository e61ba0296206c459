/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * The OS services for the Linux kernel: what the module's glue
 * (kmod/rnpu_kmod_*.c) fills in for the core. Everything else about the
 * implementation is private to osal/linux.
 */
#ifndef RNPU_OSAL_LINUX_H
#define RNPU_OSAL_LINUX_H

#include <drm/drm_device.h>
#include <linux/clk.h>
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/mm_types.h>
#include <linux/regulator/consumer.h>
#include <linux/reset.h>

#include "osal.h"
#include "rknpu_device.h"

/* One core's register window. */
struct rnpu_osal_mmio {
	void __iomem *base;
};

/* The core's interrupt handler behind one Linux interrupt line. */
struct rnpu_linux_irq {
	int irq;                   /* Linux interrupt number, < 0 if absent */
	rnpu_osal_irq_handler_t handler;
	void *data;
	bool requested;
};

/* The NPU as the core sees it: the platform device and what the glue
 * obtained for it at probe (all device-managed). */
struct rnpu_osal_dev {
	struct device *dev;
	struct drm_device *drm;    /* owner of every buffer's GEM object */
	struct rnpu_osal_mmio mmio[RKNPU_MAX_CORES];
	struct rnpu_linux_irq irqs[RKNPU_MAX_CORES];
	struct reset_control *resets[RKNPU_MAX_RESETS];
	unsigned int num_resets;
	struct clk *core_clk;      /* "clk_npu" (rate for ACTION queries) */
	struct regulator *supply;  /* "rknpu" supply, may be NULL */
	struct thermal_zone_device *thermal; /* the NPU's zone, may be NULL */
	/* Per-core power domains when the node has several (npu0..2);
	 * none when the device's own domain covers the NPU. */
	struct device *pd_devs[RKNPU_MAX_CORES];
	unsigned int num_pd_devs;
};

/* A user mapping request: the VMA DRM's or misc's mmap handed over. */
struct rnpu_osal_vma {
	struct vm_area_struct *vma;
};

/* Buffers whose GEM object is not yet freed, and their bytes, over every
 * device (debugfs gem_objects). */
void rnpu_linux_dma_live(long *objects, long *bytes);

/* Module-wide setup of the fence timeline; 0 or negative errno. */
void rnpu_linux_fence_init(void);

#endif
