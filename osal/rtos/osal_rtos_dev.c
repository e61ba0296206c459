// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * OS services on an RTOS: the device. Registers through volatile pointers,
 * interrupts dispatched from the porter's service routine, reset lines,
 * the clock and supply the porter describes, and DMA memory from the
 * port's contiguous allocator. No file descriptors: see rtos_port.h.
 */
#include "osal_rtos_internal.h"

#define RNPU_RTOS_DMA_FLAGS                                                             \
	(RNPU_OSAL_DMA_CONTIGUOUS | RNPU_OSAL_DMA_CACHEABLE | RNPU_OSAL_DMA_WRITECOMBINE | \
	 RNPU_OSAL_DMA_ZERO | RNPU_OSAL_DMA_DMA32 | RNPU_OSAL_DMA_KMAP)

struct rnpu_osal_dma_buf {
	struct rnpu_osal_dev *dev;
	void *cpu;
	uint64_t dma_addr;
	size_t size;
	unsigned int flags;
};

uint32_t rnpu_osal_readl(struct rnpu_osal_mmio *io, uint32_t offset)
{
	uint32_t v = *(volatile uint32_t *)(io->base + offset);

	rnpu_rtos_io_barrier(); /* no later memory read passes the register read */
	return v;
}

void rnpu_osal_writel(struct rnpu_osal_mmio *io, uint32_t offset, uint32_t value)
{
	rnpu_rtos_io_barrier(); /* memory written so far is visible to the NPU first */
	*(volatile uint32_t *)(io->base + offset) = value;
}

uint64_t rnpu_osal_readq(struct rnpu_osal_mmio *io, uint32_t offset)
{
	uint64_t v;

#if UINTPTR_MAX > 0xffffffffu
	v = *(volatile uint64_t *)(io->base + offset);
#else
	v = *(volatile uint32_t *)(io->base + offset);
	v |= (uint64_t)*(volatile uint32_t *)(io->base + offset + 4) << 32;
#endif
	rnpu_rtos_io_barrier();
	return v;
}

void rnpu_osal_writeq(struct rnpu_osal_mmio *io, uint32_t offset, uint64_t value)
{
	rnpu_rtos_io_barrier();
#if UINTPTR_MAX > 0xffffffffu
	*(volatile uint64_t *)(io->base + offset) = value;
#else
	*(volatile uint32_t *)(io->base + offset) = (uint32_t)value;
	*(volatile uint32_t *)(io->base + offset + 4) = (uint32_t)(value >> 32);
#endif
}

int rnpu_osal_request_irq(struct rnpu_osal_dev *dev, unsigned int irq,
			  rnpu_osal_irq_handler_t handler, void *data)
{
	struct rnpu_rtos_irq_slot *slot;
	int ret;

	if (irq >= RNPU_RTOS_MAX_IRQS || !handler)
		return -EINVAL;
	slot = &dev->irq[irq];
	if (__atomic_load_n(&slot->handler, __ATOMIC_ACQUIRE))
		return -EBUSY;
	slot->data = data;
	/* Published after data: a dispatch that sees the handler sees data. */
	__atomic_store_n(&slot->handler, handler, __ATOMIC_SEQ_CST);
	ret = rnpu_port_irq_enable(dev, irq, true);
	if (ret)
		__atomic_store_n(&slot->handler, NULL, __ATOMIC_SEQ_CST);
	return ret;
}

void rnpu_rtos_irq_dispatch(struct rnpu_osal_dev *dev, unsigned int irq)
{
	struct rnpu_rtos_irq_slot *slot;
	rnpu_osal_irq_handler_t handler;

	if (irq >= RNPU_RTOS_MAX_IRQS)
		return;
	slot = &dev->irq[irq];
	/* Counted before the handler is read, so free_irq either sees this
	 * dispatch running or this dispatch sees no handler. */
	__atomic_add_fetch(&slot->running, 1u, __ATOMIC_SEQ_CST);
	handler = __atomic_load_n(&slot->handler, __ATOMIC_SEQ_CST);
	if (handler)
		handler(slot->data);
	__atomic_sub_fetch(&slot->running, 1u, __ATOMIC_SEQ_CST);
}

void rnpu_osal_free_irq(struct rnpu_osal_dev *dev, unsigned int irq)
{
	struct rnpu_rtos_irq_slot *slot;

	if (irq >= RNPU_RTOS_MAX_IRQS)
		return;
	slot = &dev->irq[irq];
	(void)rnpu_port_irq_enable(dev, irq, false);
	__atomic_store_n(&slot->handler, NULL, __ATOMIC_SEQ_CST);
	/* A handler running on another CPU finishes quickly. */
	while (__atomic_load_n(&slot->running, __ATOMIC_SEQ_CST))
		rnpu_osal_msleep(1);
	slot->data = NULL;
}

int rnpu_osal_reset_assert(struct rnpu_osal_dev *dev, unsigned int line)
{
	return rnpu_port_reset(dev, line, true);
}

int rnpu_osal_reset_deassert(struct rnpu_osal_dev *dev, unsigned int line)
{
	return rnpu_port_reset(dev, line, false);
}

uint64_t rnpu_osal_clk_get_rate(struct rnpu_osal_dev *dev, unsigned int idx)
{
	return idx == 0 ? dev->core_clk_hz : 0;
}

int rnpu_osal_regulator_get_voltage(struct rnpu_osal_dev *dev)
{
	return dev->npu_volt_uv > 0 ? dev->npu_volt_uv : -ENODEV;
}

int rnpu_osal_power_domain_set(struct rnpu_osal_dev *dev, unsigned int idx, bool on)
{
	/* Without a hook the domains are always on (a board that powers the
	 * NPU before the RTOS starts). */
	return dev->power_domain ? dev->power_domain(dev, idx, on) : 0;
}

int rnpu_osal_clk_set_rate(struct rnpu_osal_dev *dev, unsigned int idx, uint64_t hz)
{
	int ret;

	if (idx != 0)
		return -EINVAL;
	if (!dev->set_clock)
		return hz == dev->core_clk_hz ? 0 : -EOPNOTSUPP;
	ret = dev->set_clock(dev, hz);
	if (!ret)
		dev->core_clk_hz = hz;
	return ret;
}

int rnpu_osal_regulator_set_voltage(struct rnpu_osal_dev *dev, int uv)
{
	/* The rail is the board's: only its present value is "settable", so
	 * without control the core runs without devfreq. */
	if (dev->npu_volt_uv <= 0)
		return -ENODEV;
	return uv == dev->npu_volt_uv ? 0 : -EOPNOTSUPP;
}

int rnpu_osal_thermal_get_temp(struct rnpu_osal_dev *dev, int *mc)
{
	return dev->read_temp ? dev->read_temp(dev, mc) : -ENODEV;
}

int rnpu_osal_set_nice(int nice)
{
	(void)nice; /* task priorities are the porter's design, not a request's */
	return 0;
}

int rnpu_osal_dma_alloc(struct rnpu_osal_dev *dev, size_t size, unsigned int flags,
			struct rnpu_osal_dma_buf **out, struct rnpu_osal_dma_info *info)
{
	struct rnpu_osal_dma_buf *buf;
	size_t rounded;
	void *cpu;
	uint64_t dma;
	int ret;

	if (!size || (flags & ~RNPU_RTOS_DMA_FLAGS) ||
	    (flags & (RNPU_OSAL_DMA_CACHEABLE | RNPU_OSAL_DMA_WRITECOMBINE)) ==
		    (RNPU_OSAL_DMA_CACHEABLE | RNPU_OSAL_DMA_WRITECOMBINE))
		return -EINVAL;
	if (size > (size_t)-1 - (RNPU_RTOS_PAGE_SIZE - 1))
		return -ENOMEM;
	rounded = (size + RNPU_RTOS_PAGE_SIZE - 1) & ~(size_t)(RNPU_RTOS_PAGE_SIZE - 1);
	buf = rnpu_osal_zalloc(sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	/* Every allocation is contiguous: without an IOMMU nothing else
	 * would work, so CONTIGUOUS needs no special case. */
	ret = rnpu_port_dma_alloc(dev, rounded, flags, &cpu, &dma);
	if (ret) {
		rnpu_osal_free(buf);
		return -ENOMEM;
	}
	if ((flags & RNPU_OSAL_DMA_DMA32) &&
	    (dma >= (1ull << 32) || rounded > (1ull << 32) - dma)) {
		rnpu_port_dma_free(dev, cpu, rounded);
		rnpu_osal_free(buf);
		return -ENOMEM;
	}
	if (flags & RNPU_OSAL_DMA_ZERO) {
		rnpu_memset(cpu, 0, rounded);
		/* The zeros must reach memory before the NPU or an uncached
		 * alias reads it. */
		if (flags & RNPU_OSAL_DMA_CACHEABLE)
			rnpu_port_cache_sync(cpu, rounded, RNPU_OSAL_SYNC_TO_DEVICE);
	}
	buf->dev = dev;
	buf->cpu = cpu;
	buf->dma_addr = dma;
	buf->size = rounded;
	buf->flags = flags;
	info->size = rounded;
	info->dma_addr = dma;
	info->vaddr = (flags & RNPU_OSAL_DMA_KMAP) ? cpu : NULL;
	info->contiguous = true;
	*out = buf;
	return 0;
}

void rnpu_osal_dma_put(struct rnpu_osal_dma_buf *buf)
{
	/* Nothing but the core can hold a reference here (no exports, no
	 * mappings to outlive): the memory goes now. */
	if (!buf)
		return;
	rnpu_port_dma_free(buf->dev, buf->cpu, buf->size);
	rnpu_osal_free(buf);
}

void rnpu_osal_dma_sync(struct rnpu_osal_dma_buf *buf, uint64_t offset, uint64_t size,
			unsigned int dir)
{
	if (!(buf->flags & RNPU_OSAL_DMA_CACHEABLE) || !size || !dir)
		return;
	rnpu_port_cache_sync((char *)buf->cpu + offset, (size_t)size, dir);
}

int rnpu_osal_dma_export_fd(struct rnpu_osal_dma_buf *buf, unsigned int flags, int *fd)
{
	(void)buf;
	(void)flags;
	(void)fd;
	return -EOPNOTSUPP; /* no file descriptors, no other processes */
}

int rnpu_osal_dma_fd_identity(int fd, uint64_t *id)
{
	(void)fd;
	(void)id;
	return -EOPNOTSUPP;
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
	return (uintptr_t)buf;
}

int rnpu_osal_dma_import_fd(struct rnpu_osal_dev *dev, int fd, struct rnpu_osal_dma_buf **out,
			    struct rnpu_osal_dma_info *info)
{
	(void)dev;
	(void)fd;
	(void)out;
	(void)info;
	return -EOPNOTSUPP;
}

int rnpu_osal_dma_mmap(struct rnpu_osal_dma_buf *buf, struct rnpu_osal_vma *vma,
		       unsigned int flags)
{
	/* One address space: the "mapping" is the buffer itself, with the
	 * cache attributes it was allocated with. */
	(void)flags;
	vma->addr = buf->cpu;
	return 0;
}

int rnpu_osal_dma_mmap_split(struct rnpu_osal_dev *dev, uint64_t head_phys, size_t head_len,
			     struct rnpu_osal_dma_buf *buf, struct rnpu_osal_vma *vma,
			     unsigned int flags)
{
	/* One flat address space: SRAM and the buffer cannot be made to
	 * look adjacent. */
	(void)dev;
	(void)head_phys;
	(void)head_len;
	(void)buf;
	(void)vma;
	(void)flags;
	return -EOPNOTSUPP;
}

size_t rnpu_osal_vma_length(const struct rnpu_osal_vma *vma)
{
	return vma->length;
}
