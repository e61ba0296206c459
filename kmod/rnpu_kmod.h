/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* The Linux module's device: the DRM device, /dev/rknpu and the core. */
#ifndef RNPU_KMOD_H
#define RNPU_KMOD_H

#include <drm/drm_device.h>
#include <linux/devfreq.h>
#include <linux/pm_qos.h>
#include <linux/miscdevice.h>

#include "osal_linux.h"
#include "rknpu_device.h"
#include "rknpu_soc.h"

/* The SoC's compatible, for the core's SoC table, whichever form the
 * device tree takes. */
/* Every NPU address register is 32 bits wide. */
#define RNPU_DMA_BITS 32

struct rnpu_kmod_cores;

struct rnpu_kmod {
	struct drm_device drm;        /* /dev/dri/cardN, renderDN: name "rknpu" */
	struct miscdevice misc;       /* /dev/rknpu, the vendor's misc numbering */
	bool misc_registered;
	struct rnpu_osal_dev osdev;   /* what the core's device services use */
	struct rknpu_platform plat;
	struct rknpu_device *rdev;
	struct clk_bulk_data *clks;
	int num_clks;
	struct regulator *supplies[2]; /* "rknpu" (vdd), "mem", those present */
	unsigned int num_supplies;
	struct devfreq_dev_profile devfreq_profile;
	struct devfreq *devfreq;      /* NULL: the kernel has no simple_ondemand */
	/* A debugfs "freq" pin as devfreq limits (both at the rate, or at
	 * their defaults when nothing is pinned). */
	struct dev_pm_qos_request pin_min;
	struct dev_pm_qos_request pin_max;
	struct dentry *debugfs;
	struct rnpu_kmod_dbg_file *dbg_files; /* one per debugfs file */
	/* The NPU's device-tree node: the vendor node, or core 0's. */
	struct device_node *np;
	struct thermal_cooling_device *cooling; /* NULL: none registered */
};

extern const struct drm_driver rnpu_drm_driver;

/* rnpu_kmod_debugfs.c: /sys/kernel/debug/rknpu/ from the core's files. */
int rnpu_kmod_debugfs_init(struct rnpu_kmod *k);
void rnpu_kmod_debugfs_fini(struct rnpu_kmod *k);

/* rnpu_kmod_pm.c: supplies, clocks, power domains on runtime PM. */
extern const struct dev_pm_ops rnpu_kmod_pm_ops;
int rnpu_kmod_pm_init(struct device *dev, struct rnpu_kmod *k);

/* rnpu_kmod_devfreq.c: the kernel's devfreq and thermal zone. */
int rnpu_kmod_devfreq_init(struct rnpu_kmod *k);
void rnpu_kmod_devfreq_fini(struct rnpu_kmod *k);
/* Applies the core's debugfs "freq" pin (after a write). */
void rnpu_kmod_devfreq_update(struct rnpu_kmod *k);
void rnpu_kmod_thermal_init(struct rnpu_kmod *k);

/* rnpu_kmod_drv.c: what both device-tree forms share after their probe
 * filled the platform description. */
int rnpu_kmod_start(struct rnpu_kmod *k, const char *unique);
void rnpu_kmod_stop(struct rnpu_kmod *k);

/* rnpu_kmod_cores.c: mainline's node per core, gathered into one NPU. */
int rnpu_kmod_cores_register(void);
void rnpu_kmod_cores_unregister(void);

int rnpu_kmod_misc_register(struct rnpu_kmod *k);
void rnpu_kmod_misc_unregister(struct rnpu_kmod *k);

#endif
