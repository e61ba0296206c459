// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The model's bus master: every access goes through the core's IOMMU to the
 * host's bus, and a refused access becomes the DMA error status instead of
 * a crash.
 */
#include <errno.h>

#include "sim_internal.h"

uint64_t sim_dma_addr(const struct sim_task *t, uint64_t reg_addr)
{
	/* TASK_DMA_BASE_ADDR offsets every data address (TRM); the sum is not
	 * wrapped to 32 bits, so an overflow reaches the bus and faults. */
	return reg_addr + t->dma_base;
}

static bool range_ok(uint64_t addr, size_t len)
{
	return addr <= UINT64_MAX - len;
}

int sim_dma_read(struct sim_task *t, uint64_t addr, void *dst, size_t len, const char *what)
{
	if (len == 0)
		return 0;
	if (!range_ok(addr, len) || sim_iommu_read(t->core, addr, dst, len, true) != 0)
		return sim_task_fail(t, RK3588_INT_DMA_READ_ERROR,
				     "DMA read fault: %s, %zu bytes at 0x%llx", what, len,
				     (unsigned long long)addr);
	t->bytes_read += len;
	return 0;
}

const void *sim_dma_map(struct sim_task *t, uint64_t addr, size_t len)
{
	const void *p;

	if (len == 0 || !range_ok(addr, len))
		return NULL;
	p = sim_iommu_map(t->core, addr, len);
	if (p)
		t->bytes_read += len;
	return p;
}

void sim_dma_unmap(struct sim_task *t, const void *ptr, size_t len)
{
	if (ptr)
		sim_iommu_unmap(t->core, ptr, len);
}

int sim_dma_write(struct sim_task *t, uint64_t addr, const void *src, size_t len,
		  const char *what)
{
	if (len == 0)
		return 0;
	if (!range_ok(addr, len) || sim_iommu_write(t->core, addr, src, len) != 0)
		return sim_task_fail(t, RK3588_INT_DMA_WRITE_ERROR,
				     "DMA write fault: %s, %zu bytes at 0x%llx", what, len,
				     (unsigned long long)addr);
	t->bytes_written += len;
	return 0;
}
