// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Device OS services for the core unit tests. The core references them
 * (probe, jobs, GEM), so the link needs definitions, but the tests only
 * exercise pure functions: reaching any of these is a test bug, so each
 * one aborts loudly instead of pretending to be hardware.
 */
#include <stdio.h>
#include <stdlib.h>

#include "osal.h"

#define CORE_STUB_UNREACHABLE()                                                          \
	do {                                                                             \
		fprintf(stderr, "core test stub %s called\n", __func__);                 \
		abort();                                                                 \
	} while (0)

uint32_t rnpu_osal_readl(struct rnpu_osal_mmio *io, uint32_t offset)
{
	(void)io;
	(void)offset;
	CORE_STUB_UNREACHABLE();
}

void rnpu_osal_writel(struct rnpu_osal_mmio *io, uint32_t offset, uint32_t value)
{
	(void)io;
	(void)offset;
	(void)value;
	CORE_STUB_UNREACHABLE();
}

int rnpu_osal_request_irq(struct rnpu_osal_dev *dev, unsigned int irq,
			  rnpu_osal_irq_handler_t handler, void *data)
{
	(void)dev;
	(void)irq;
	(void)handler;
	(void)data;
	CORE_STUB_UNREACHABLE();
}

void rnpu_osal_free_irq(struct rnpu_osal_dev *dev, unsigned int irq)
{
	(void)dev;
	(void)irq;
	CORE_STUB_UNREACHABLE();
}

int rnpu_osal_reset_assert(struct rnpu_osal_dev *dev, unsigned int line)
{
	(void)dev;
	(void)line;
	CORE_STUB_UNREACHABLE();
}

int rnpu_osal_reset_deassert(struct rnpu_osal_dev *dev, unsigned int line)
{
	(void)dev;
	(void)line;
	CORE_STUB_UNREACHABLE();
}

uint64_t rnpu_osal_clk_get_rate(struct rnpu_osal_dev *dev, unsigned int idx)
{
	(void)dev;
	(void)idx;
	CORE_STUB_UNREACHABLE();
}

int rnpu_osal_regulator_get_voltage(struct rnpu_osal_dev *dev)
{
	(void)dev;
	CORE_STUB_UNREACHABLE();
}

int rnpu_osal_power_domain_set(struct rnpu_osal_dev *dev, unsigned int idx, bool on)
{
	(void)dev;
	(void)idx;
	(void)on;
	CORE_STUB_UNREACHABLE();
}

int rnpu_osal_clk_set_rate(struct rnpu_osal_dev *dev, unsigned int idx, uint64_t hz)
{
	(void)dev;
	(void)idx;
	(void)hz;
	CORE_STUB_UNREACHABLE();
}

int rnpu_osal_regulator_set_voltage(struct rnpu_osal_dev *dev, int uv)
{
	(void)dev;
	(void)uv;
	CORE_STUB_UNREACHABLE();
}

int rnpu_osal_thermal_get_temp(struct rnpu_osal_dev *dev, int *mc)
{
	(void)dev;
	(void)mc;
	CORE_STUB_UNREACHABLE();
}

int rnpu_osal_set_nice(int nice)
{
	(void)nice;
	CORE_STUB_UNREACHABLE();
}

int rnpu_osal_dma_alloc(struct rnpu_osal_dev *dev, size_t size, unsigned int flags,
			struct rnpu_osal_dma_buf **out, struct rnpu_osal_dma_info *info)
{
	(void)dev;
	(void)size;
	(void)flags;
	(void)out;
	(void)info;
	CORE_STUB_UNREACHABLE();
}

void rnpu_osal_dma_put(struct rnpu_osal_dma_buf *buf)
{
	(void)buf;
	CORE_STUB_UNREACHABLE();
}

void rnpu_osal_dma_sync(struct rnpu_osal_dma_buf *buf, uint64_t offset, uint64_t size,
			unsigned int dir)
{
	(void)buf;
	(void)offset;
	(void)size;
	(void)dir;
	CORE_STUB_UNREACHABLE();
}

int rnpu_osal_dma_export_fd(struct rnpu_osal_dma_buf *buf, unsigned int flags, int *fd)
{
	(void)buf;
	(void)flags;
	(void)fd;
	CORE_STUB_UNREACHABLE();
}

int rnpu_osal_dma_fd_identity(int fd, uint64_t *id)
{
	(void)fd;
	(void)id;
	CORE_STUB_UNREACHABLE();
}

/* No per-file buffer table besides the core's to mirror handles into. */
int rnpu_osal_dma_handle_added(void *os_file, uint32_t handle, struct rnpu_osal_dma_buf *buf)
{
	(void)os_file;
	(void)handle;
	(void)buf;
	return 0;
}

void rnpu_osal_dma_handle_removed(void *os_file, uint32_t handle, struct rnpu_osal_dma_buf *buf)
{
	(void)os_file;
	(void)handle;
	(void)buf;
}

uint64_t rnpu_osal_dma_identity(struct rnpu_osal_dma_buf *buf)
{
	(void)buf;
	CORE_STUB_UNREACHABLE();
}

int rnpu_osal_dma_import_fd(struct rnpu_osal_dev *dev, int fd, struct rnpu_osal_dma_buf **out,
			    struct rnpu_osal_dma_info *info)
{
	(void)dev;
	(void)fd;
	(void)out;
	(void)info;
	CORE_STUB_UNREACHABLE();
}

int rnpu_osal_dma_mmap(struct rnpu_osal_dma_buf *buf, struct rnpu_osal_vma *vma,
		       unsigned int flags)
{
	(void)buf;
	(void)vma;
	(void)flags;
	CORE_STUB_UNREACHABLE();
}

int rnpu_osal_dma_mmap_split(struct rnpu_osal_dev *dev, uint64_t head_phys, size_t head_len,
			     struct rnpu_osal_dma_buf *buf, struct rnpu_osal_vma *vma,
			     unsigned int flags)
{
	(void)dev;
	(void)head_phys;
	(void)head_len;
	(void)buf;
	(void)vma;
	(void)flags;
	CORE_STUB_UNREACHABLE();
}

size_t rnpu_osal_vma_length(const struct rnpu_osal_vma *vma)
{
	(void)vma;
	CORE_STUB_UNREACHABLE();
}
