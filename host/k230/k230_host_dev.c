// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The device half of the OS services for the K230 host: MMIO into the
 * software KPU, its interrupt lines, and DMA memory with DDR addresses.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "k230_host_internal.h"
#include "osal_posix.h"

uint32_t rnpu_osal_readl(struct rnpu_osal_mmio *io, uint32_t offset)
{
	if (io->win == K230_HOST_WIN_MBOX)
		return k230_sim_mbox_read32(io->host->sim, offset);
	return k230_sim_kpu_read32(io->host->sim, offset);
}

void rnpu_osal_writel(struct rnpu_osal_mmio *io, uint32_t offset, uint32_t value)
{
	if (io->win == K230_HOST_WIN_MBOX)
		k230_sim_mbox_write32(io->host->sim, offset, value);
	else
		k230_sim_kpu_write32(io->host->sim, offset, value);
}

uint64_t rnpu_osal_readq(struct rnpu_osal_mmio *io, uint32_t offset)
{
	if (io->win == K230_HOST_WIN_MBOX)
		return rnpu_osal_readl(io, offset) |
		       (uint64_t)rnpu_osal_readl(io, offset + 4) << 32;
	return k230_sim_kpu_read64(io->host->sim, offset);
}

void rnpu_osal_writeq(struct rnpu_osal_mmio *io, uint32_t offset, uint64_t value)
{
	if (io->win == K230_HOST_WIN_MBOX) {
		rnpu_osal_writel(io, offset, (uint32_t)value);
		rnpu_osal_writel(io, offset + 4, (uint32_t)(value >> 32));
	} else {
		k230_sim_kpu_write64(io->host->sim, offset, value);
	}
}

/* Interrupt indexes are the software KPU's line numbers. */
int rnpu_osal_request_irq(struct rnpu_osal_dev *dev, unsigned int irq,
			  rnpu_osal_irq_handler_t handler, void *data)
{
	struct k230_host *host = dev->host;
	int ret = 0;

	if (irq >= K230_SIM_LINE_COUNT || !handler)
		return -EINVAL;
	pthread_mutex_lock(&host->irq_lock);
	if (host->irq[irq].handler) {
		ret = -EBUSY;
	} else {
		host->irq[irq].handler = handler;
		host->irq[irq].data = data;
	}
	pthread_mutex_unlock(&host->irq_lock);
	return ret;
}

void rnpu_osal_free_irq(struct rnpu_osal_dev *dev, unsigned int irq)
{
	struct k230_host *host = dev->host;

	if (irq >= K230_SIM_LINE_COUNT)
		return;
	pthread_mutex_lock(&host->irq_lock);
	host->irq[irq].handler = NULL;
	while (host->irq[irq].running)
		pthread_cond_wait(&host->irq_cond, &host->irq_lock);
	host->irq[irq].data = NULL;
	pthread_mutex_unlock(&host->irq_lock);
}

static void k230_host_deliver(void *ctx, unsigned int line)
{
	struct k230_host *host = ctx;
	rnpu_osal_irq_handler_t handler;
	void *data;

	pthread_mutex_lock(&host->irq_lock);
	handler = host->irq[line].handler;
	data = host->irq[line].data;
	if (handler)
		host->irq[line].running++;
	pthread_mutex_unlock(&host->irq_lock);
	if (!handler)
		return;
	handler(data);
	pthread_mutex_lock(&host->irq_lock);
	host->irq[line].running--;
	pthread_cond_broadcast(&host->irq_cond);
	pthread_mutex_unlock(&host->irq_lock);
}

/* Rising edges run the handler in the context that raised the line, as a
 * CPU takes an interrupt; a thread holding an interrupt-safe lock takes it
 * when it releases the lock. Falling edges need nothing. */
void k230_host_irq_line(void *ctx, enum k230_sim_line line, bool level)
{
	if (!level)
		return;
	if (rnpu_posix_irqs_disabled() && rnpu_posix_defer_irq(k230_host_deliver, ctx, line))
		return;
	k230_host_deliver(ctx, line);
}

static bool k230_host_pages_free(struct k230_host *host, uint32_t first, uint32_t n)
{
	uint32_t i;

	for (i = first; i < first + n; i++)
		if (host->dma_bitmap[i / 64] >> (i % 64) & 1)
			return false;
	return true;
}

static void k230_host_pages_mark(struct k230_host *host, uint32_t first, uint32_t n, bool used)
{
	uint32_t i;

	for (i = first; i < first + n; i++) {
		if (used)
			host->dma_bitmap[i / 64] |= 1ull << (i % 64);
		else
			host->dma_bitmap[i / 64] &= ~(1ull << (i % 64));
	}
}

int rnpu_osal_dma_alloc(struct rnpu_osal_dev *dev, size_t size, unsigned int flags,
			struct rnpu_osal_dma_buf **out, struct rnpu_osal_dma_info *info)
{
	struct k230_host *host = dev->host;
	struct rnpu_osal_dma_buf *buf;
	uint32_t npages, first;
	bool found = false;

	if (!size || size > (size_t)K230_HOST_DMA_PAGES * K230_HOST_PAGE)
		return size ? -ENOMEM : -EINVAL;
	npages = (uint32_t)((size + K230_HOST_PAGE - 1) / K230_HOST_PAGE);
	buf = calloc(1, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	buf->cpu = aligned_alloc(K230_HOST_PAGE, (size_t)npages * K230_HOST_PAGE);
	if (!buf->cpu) {
		free(buf);
		return -ENOMEM;
	}
	/* Contents are always zeroed: cheaper than a leak of old data. */
	memset(buf->cpu, 0, (size_t)npages * K230_HOST_PAGE);
	pthread_mutex_lock(&host->dma_lock);
	for (first = 0; first + npages <= K230_HOST_DMA_PAGES; first++) {
		if (k230_host_pages_free(host, first, npages)) {
			found = true;
			break;
		}
	}
	if (found) {
		k230_host_pages_mark(host, first, npages, true);
		host->dma_stats.buffers++;
		host->dma_stats.pages += npages;
	}
	pthread_mutex_unlock(&host->dma_lock);
	if (!found) {
		free(buf->cpu);
		free(buf);
		return -ENOMEM;
	}
	buf->host = host;
	buf->first_page = first;
	buf->npages = npages;
	buf->phys = K230_HOST_DMA_BASE + (uint64_t)first * K230_HOST_PAGE;
	buf->flags = flags;
	info->size = (size_t)npages * K230_HOST_PAGE;
	info->dma_addr = buf->phys;
	info->vaddr = (flags & RNPU_OSAL_DMA_KMAP) ? buf->cpu : NULL;
	info->contiguous = true;
	*out = buf;
	return 0;
}

void rnpu_osal_dma_put(struct rnpu_osal_dma_buf *buf)
{
	struct k230_host *host;

	if (!buf)
		return;
	host = buf->host;
	pthread_mutex_lock(&host->dma_lock);
	k230_host_pages_mark(host, buf->first_page, buf->npages, false);
	host->dma_stats.buffers--;
	host->dma_stats.pages -= buf->npages;
	pthread_mutex_unlock(&host->dma_lock);
	free(buf->cpu);
	free(buf);
}

/* Memory here is coherent; the call is recorded so tests see what cache
 * maintenance a real system would have done. */
void rnpu_osal_dma_sync(struct rnpu_osal_dma_buf *buf, uint64_t offset, uint64_t size,
			unsigned int dir)
{
	struct k230_host *host = buf->host;

	pthread_mutex_lock(&host->dma_lock);
	host->dma_stats.syncs++;
	host->dma_stats.last_sync_phys = buf->phys + offset;
	host->dma_stats.last_sync_size = size;
	host->dma_stats.last_sync_dir = dir;
	pthread_mutex_unlock(&host->dma_lock);
}
