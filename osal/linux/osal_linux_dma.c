// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Kernel OS services: NPU memory from the DMA API. With an IOMMU attached
 * to the device the DMA API maps scattered pages at contiguous IOVAs;
 * without one it hands out contiguous (CMA) memory. The device's DMA mask
 * is 32 bits (every NPU address register is), so every address fits.
 * Buffers are reference-counted: the core's reference and one per user
 * mapping.
 */
#include <linux/dma-mapping.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "osal_linux.h"

struct rnpu_osal_dma_buf {
	struct kref ref;
	struct device *dev;
	void *cpu;            /* CPU address, or the DMA API's cookie */
	dma_addr_t dma;
	size_t size;
	unsigned long attrs;
};

int rnpu_osal_dma_alloc(struct rnpu_osal_dev *dev, size_t size, unsigned int flags,
			struct rnpu_osal_dma_buf **out, struct rnpu_osal_dma_info *info)
{
	struct rnpu_osal_dma_buf *buf;

	if (!size)
		return -EINVAL;
	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	kref_init(&buf->ref);
	buf->dev = dev->dev;
	buf->size = PAGE_ALIGN(size);
	if (flags & RNPU_OSAL_DMA_WRITECOMBINE)
		buf->attrs |= DMA_ATTR_WRITE_COMBINE;
	if (!(flags & RNPU_OSAL_DMA_KMAP))
		buf->attrs |= DMA_ATTR_NO_KERNEL_MAPPING;
	/* dma_alloc_attrs memory is always zeroed. */
	buf->cpu = dma_alloc_attrs(buf->dev, buf->size, &buf->dma, GFP_KERNEL, buf->attrs);
	if (!buf->cpu) {
		kfree(buf);
		return -ENOMEM;
	}
	info->size = buf->size;
	info->dma_addr = buf->dma;
	info->vaddr = (flags & RNPU_OSAL_DMA_KMAP) ? buf->cpu : NULL;
	info->contiguous = true; /* contiguous in the NPU's address space */
	*out = buf;
	return 0;
}

static void rnpu_linux_dma_release(struct kref *ref)
{
	struct rnpu_osal_dma_buf *buf = container_of(ref, struct rnpu_osal_dma_buf, ref);

	dma_free_attrs(buf->dev, buf->size, buf->cpu, buf->dma, buf->attrs);
	kfree(buf);
}

void rnpu_osal_dma_put(struct rnpu_osal_dma_buf *buf)
{
	if (buf)
		kref_put(&buf->ref, rnpu_linux_dma_release);
}

/* The DMA API's allocations are coherent for the device: there is no
 * cache to maintain, only the ordering, which readl/writel give. */
void rnpu_osal_dma_sync(struct rnpu_osal_dma_buf *buf, uint64_t offset, uint64_t size,
			unsigned int dir)
{
}

/* PRIME needs a dma-buf exporter for these buffers: not yet written. */
int rnpu_osal_dma_export_fd(struct rnpu_osal_dma_buf *buf, unsigned int flags, int *fd)
{
	return -EOPNOTSUPP;
}

int rnpu_osal_dma_fd_identity(int fd, uint64_t *id)
{
	return -EOPNOTSUPP;
}

uint64_t rnpu_osal_dma_identity(struct rnpu_osal_dma_buf *buf)
{
	return (uint64_t)(uintptr_t)buf;
}

int rnpu_osal_dma_import_fd(struct rnpu_osal_dev *dev, int fd, struct rnpu_osal_dma_buf **out,
			    struct rnpu_osal_dma_info *info)
{
	return -EOPNOTSUPP;
}

static void rnpu_linux_vma_open(struct vm_area_struct *vma)
{
	struct rnpu_osal_dma_buf *buf = vma->vm_private_data;

	kref_get(&buf->ref);
}

static void rnpu_linux_vma_close(struct vm_area_struct *vma)
{
	rnpu_osal_dma_put(vma->vm_private_data);
}

static const struct vm_operations_struct rnpu_linux_vm_ops = {
	.open = rnpu_linux_vma_open,
	.close = rnpu_linux_vma_close,
};

int rnpu_osal_dma_mmap(struct rnpu_osal_dma_buf *buf, struct rnpu_osal_vma *req,
		       unsigned int flags)
{
	struct vm_area_struct *vma = req->vma;
	int ret;

	/* The fake offset selected the buffer; the mapping starts at its
	 * first byte. */
	vma->vm_pgoff = 0;
	ret = dma_mmap_attrs(buf->dev, vma, buf->cpu, buf->dma, buf->size, buf->attrs);
	if (ret)
		return ret;
	vma->vm_ops = &rnpu_linux_vm_ops;
	vma->vm_private_data = buf;
	kref_get(&buf->ref);
	return 0;
}

size_t rnpu_osal_vma_length(const struct rnpu_osal_vma *req)
{
	return req->vma->vm_end - req->vma->vm_start;
}
