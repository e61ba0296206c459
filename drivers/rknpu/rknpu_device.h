/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * What a host sees of the RKNPU driver core: probe a device from a platform
 * description, open files (sessions) on it, pass ioctls and mmap requests.
 * Everything the core needs back from the host goes through osal.h.
 */
#ifndef RKNPU_DEVICE_H
#define RKNPU_DEVICE_H

#include "osal.h"

#define RKNPU_MAX_CORES 3
#define RKNPU_MAX_RESETS 8

struct rknpu_device;
struct rknpu_file;

/* The hardware instance as the host found it (device tree, ACPI, a table). */
struct rknpu_platform {
	const char *compatible;        /* e.g. "rockchip,rk3588-rknpu" */
	const char *unique;            /* DRM unique name, e.g. "fdab0000.npu" */
	struct rnpu_osal_dev *dev;
	struct rnpu_osal_mmio *mmio[RKNPU_MAX_CORES];
	unsigned int num_mmio;
	unsigned int irq[RKNPU_MAX_CORES];
	unsigned int num_irqs;
	unsigned int num_resets;       /* reset lines, asserted in index order */
	bool iommu;                    /* an IOMMU translates NPU addresses */
	/* On-chip SRAM the NPU may use ("rockchip,sram"); size 0 = none.
	 * Used in IOMMU mode only, as the vendor does. */
	uint64_t sram_phys;
	uint64_t sram_size;
	void *sram_vaddr;              /* CPU view of it, to clear what is handed out */
	bool bypass_irq_handler;       /* module parameter, read at probe only */
	bool bypass_soft_reset;        /* module parameter; debugfs may change it */
	/* Per-session limits, 0 = none: buffer objects a session may hold
	 * handles to, and the bytes of those objects. */
	uint32_t session_max_bos;
	uint64_t session_max_bytes;
};

/* Debug categories for rknpu_set_debug(); each enables a class of trace. */
#define RKNPU_DBG_REG (1u << 0)    /* every register access, by name */
#define RKNPU_DBG_IOCTL (1u << 1)  /* ioctl entry/exit with errno */
#define RKNPU_DBG_JOB (1u << 2)    /* job scheduling, commit, completion */
#define RKNPU_DBG_GEM (1u << 3)    /* buffer objects */

/* Creates the device: matches the compatible against the SoC table, maps
 * IRQs, reads the hardware version. 0 or negative errno (-ENODEV unknown
 * SoC, -ENXIO missing MMIO window, -EINVAL inconsistent description). */
int rknpu_probe(const struct rknpu_platform *plat, struct rknpu_device **out);
/* Tears the device down. Every file must be closed first. */
void rknpu_remove(struct rknpu_device *rdev);

void rknpu_set_debug(struct rknpu_device *rdev, unsigned int mask);
unsigned int rknpu_parse_debug(const char *spec); /* "reg,job" -> mask */

/* One open of the device node: a session with its own handle table. */
int rknpu_file_open(struct rknpu_device *rdev, struct rknpu_file **out);
/* Releases every handle the session holds. Objects still used by queued
 * jobs or still mapped live until their last user is gone. */
void rknpu_file_close(struct rknpu_file *file);

/* The ioctl entry point: DRM ('d') and misc ('r') numbering. @arg is a
 * pointer in the caller's address space; copied with the DRM core's size
 * rules. Returns 0 or negative errno. */
long rknpu_ioctl(struct rknpu_file *file, unsigned int cmd, void __rnpu_user *arg);

/* The vendor's debugfs "mm" text (SRAM bitmap) into @buf (NUL-terminated
 * when @len > 0). Returns the length of the whole text, which may exceed
 * @len - 1 like snprintf; 0 (empty file) without SRAM. May sleep. */
size_t rknpu_debug_mm_show(struct rknpu_device *rdev, char *buf, size_t len);

/* mmap of the device node at fake offset @offset: validates the request
 * and hands it to rnpu_osal_dma_mmap(). 0 or negative errno. */
int rknpu_mmap(struct rknpu_file *file, uint64_t offset, struct rnpu_osal_vma *vma);

#endif
