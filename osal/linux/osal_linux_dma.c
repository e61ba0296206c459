// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Kernel OS services: NPU memory from the DMA API. With an IOMMU attached
 * to the device the DMA API maps scattered pages at contiguous IOVAs;
 * without one it hands out contiguous (CMA) memory. The device's DMA mask
 * is 32 bits (every NPU address register is), so every address fits.
 * Every buffer is a GEM object of the DRM device (no shmem file behind
 * it) whose reference count owns the memory: the core's object holds one
 * reference, each user mapping and each dma-buf exported from it
 * (PRIME) one, and the DRM file's handle table one while any of the
 * core's handles names it (mirrored by the handle hooks). Imported
 * dma-bufs are attached to the NPU device and must come out as one range
 * of NPU addresses.
 * Cacheable buffers (RKNPU_MEM_CACHEABLE) are non-coherent memory from
 * dma_alloc_noncontiguous: cached CPU mappings, one range of NPU
 * addresses, and cache maintenance by MEM_SYNC over the range asked
 * for. The others are coherent (dma_alloc_attrs) and need none.
 */
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/fcntl.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/version.h>

#include "osal_linux.h"

/* The namespace became a string literal in Linux 6.13. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
MODULE_IMPORT_NS("DMA_BUF");
#else
MODULE_IMPORT_NS(DMA_BUF);
#endif

/* From Linux 6.2 on, dma_buf_map_attachment() wants the reservation lock
 * held; the _unlocked variants take it. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define rnpu_dmabuf_map_attachment dma_buf_map_attachment_unlocked
#define rnpu_dmabuf_unmap_attachment dma_buf_unmap_attachment_unlocked
#else
#define rnpu_dmabuf_map_attachment dma_buf_map_attachment
#define rnpu_dmabuf_unmap_attachment dma_buf_unmap_attachment
#endif

struct rnpu_osal_dma_buf {
	struct drm_gem_object gem; /* its refcount owns everything below */
	struct device *dev;
	void *cpu;            /* CPU address, or the DMA API's cookie */
	dma_addr_t dma;
	size_t size;
	unsigned long attrs;
	/* Non-coherent (cacheable) allocation: its pages, mapped for the NPU
	 * at one range from dma (cpu is then the vmap, or NULL). */
	struct sg_table *noncoherent;
	/* Imported from another driver: the dma-buf, our attachment and its
	 * mapping for the NPU (cpu is then NULL). */
	struct dma_buf *import;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
};

static void rnpu_linux_gem_free(struct drm_gem_object *gem);

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
/* For fdinfo's drm-resident-memory: the memory is pinned while it lives. */
static enum drm_gem_object_status rnpu_linux_gem_status(struct drm_gem_object *gem)
{
	return DRM_GEM_OBJECT_RESIDENT;
}
#endif

static const struct drm_gem_object_funcs rnpu_linux_gem_funcs = {
	.free = rnpu_linux_gem_free,
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	.status = rnpu_linux_gem_status,
#endif
};

/* GEM objects not yet freed, and their bytes (all devices). */
static atomic_long_t rnpu_linux_gem_objects = ATOMIC_LONG_INIT(0);
static atomic_long_t rnpu_linux_gem_bytes = ATOMIC_LONG_INIT(0);

void rnpu_linux_dma_live(long *objects, long *bytes)
{
	*objects = atomic_long_read(&rnpu_linux_gem_objects);
	*bytes = atomic_long_read(&rnpu_linux_gem_bytes);
}

/* Once the memory exists: from here on GEM's count owns the buffer. */
static void rnpu_linux_gem_init(struct drm_device *drm, struct rnpu_osal_dma_buf *buf)
{
	buf->gem.funcs = &rnpu_linux_gem_funcs;
	drm_gem_private_object_init(drm, &buf->gem, buf->size);
	atomic_long_inc(&rnpu_linux_gem_objects);
	atomic_long_add((long)buf->size, &rnpu_linux_gem_bytes);
}

/* The pages may be scattered; the DMA API maps them at one range of NPU
 * addresses (one DMA segment: through the IOMMU, or one contiguous
 * allocation without it). Zeroed through the CPU's cache, which is then
 * written back so no dirty line can later land on what the NPU wrote. */
static int rnpu_linux_dma_alloc_noncoherent(struct drm_device *drm, struct rnpu_osal_dma_buf *buf,
					    unsigned int flags,
					    struct rnpu_osal_dma_buf **out,
					    struct rnpu_osal_dma_info *info)
{
	struct sg_table *sgt;

	sgt = dma_alloc_noncontiguous(buf->dev, buf->size, DMA_BIDIRECTIONAL,
				      GFP_KERNEL | __GFP_ZERO, 0);
	if (!sgt)
		goto err_free;
	dma_sync_sgtable_for_device(buf->dev, sgt, DMA_BIDIRECTIONAL);
	if (sgt->nents != 1) {
		dev_err(buf->dev, "cacheable buffer: %zu bytes map to %u NPU ranges, need 1\n",
			buf->size, sgt->nents);
		goto err_pages;
	}
	if (flags & RNPU_OSAL_DMA_KMAP) {
		buf->cpu = dma_vmap_noncontiguous(buf->dev, buf->size, sgt);
		if (!buf->cpu)
			goto err_pages;
	}
	buf->noncoherent = sgt;
	rnpu_linux_gem_init(drm, buf);
	buf->dma = sg_dma_address(sgt->sgl);
	info->size = buf->size;
	info->dma_addr = buf->dma;
	info->vaddr = buf->cpu;
	info->contiguous = true; /* in the NPU's address space */
	*out = buf;
	return 0;

err_pages:
	dma_free_noncontiguous(buf->dev, buf->size, sgt, DMA_BIDIRECTIONAL);
err_free:
	kfree(buf);
	return -ENOMEM;
}

int rnpu_osal_dma_alloc(struct rnpu_osal_dev *dev, size_t size, unsigned int flags,
			struct rnpu_osal_dma_buf **out, struct rnpu_osal_dma_info *info)
{
	struct rnpu_osal_dma_buf *buf;

	if (!size)
		return -EINVAL;
	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	buf->dev = dev->dev;
	buf->size = PAGE_ALIGN(size);
	if (flags & RNPU_OSAL_DMA_CACHEABLE)
		return rnpu_linux_dma_alloc_noncoherent(dev->drm, buf, flags, out, info);
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
	rnpu_linux_gem_init(dev->drm, buf);
	info->size = buf->size;
	info->dma_addr = buf->dma;
	info->vaddr = (flags & RNPU_OSAL_DMA_KMAP) ? buf->cpu : NULL;
	info->contiguous = true; /* contiguous in the NPU's address space */
	*out = buf;
	return 0;
}

/* GEM's free: the last reference (core, mapping, export or handle) went. */
static void rnpu_linux_gem_free(struct drm_gem_object *gem)
{
	struct rnpu_osal_dma_buf *buf = container_of(gem, struct rnpu_osal_dma_buf, gem);

	if (buf->import) {
		rnpu_dmabuf_unmap_attachment(buf->attach, buf->sgt, DMA_BIDIRECTIONAL);
		dma_buf_detach(buf->import, buf->attach);
		dma_buf_put(buf->import);
	} else if (buf->noncoherent) {
		if (buf->cpu)
			dma_vunmap_noncontiguous(buf->dev, buf->cpu);
		dma_free_noncontiguous(buf->dev, buf->size, buf->noncoherent, DMA_BIDIRECTIONAL);
	} else {
		dma_free_attrs(buf->dev, buf->size, buf->cpu, buf->dma, buf->attrs);
	}
	drm_gem_object_release(gem);
	atomic_long_sub((long)buf->size, &rnpu_linux_gem_bytes);
	atomic_long_dec(&rnpu_linux_gem_objects);
	kfree(buf);
}

void rnpu_osal_dma_put(struct rnpu_osal_dma_buf *buf)
{
	if (buf)
		drm_gem_object_put(&buf->gem);
}

/* ------------------------------------------------------------ GEM handles */

/* Mirrors the core's handle into the DRM file's table at the same number,
 * as DRM's own handle creation does (one reference for all of an object's
 * handles, counted in handle_count), so that fdinfo's memory keys and the
 * shared/private split come from DRM. Only the core creates handles here:
 * every ioctl goes to the core, so the number is always free. */
int rnpu_osal_dma_handle_added(void *os_file, uint32_t handle, struct rnpu_osal_dma_buf *buf)
{
	struct drm_file *file = os_file;
	struct drm_gem_object *gem = &buf->gem;
	bool last;
	int ret;

	if (!file)
		return 0; /* /dev/rknpu: no DRM file */
	if (!handle || handle > INT_MAX) {
		dev_err(buf->dev, "GEM handle %u out of the DRM table's range\n", handle);
		return -EINVAL;
	}
	mutex_lock(&gem->dev->object_name_lock);
	if (gem->handle_count++ == 0)
		drm_gem_object_get(gem);
	mutex_unlock(&gem->dev->object_name_lock);
	idr_preload(GFP_KERNEL);
	spin_lock(&file->table_lock);
	ret = idr_alloc(&file->object_idr, gem, (int)handle, (int)handle + 1, GFP_NOWAIT);
	spin_unlock(&file->table_lock);
	idr_preload_end();
	if (ret >= 0)
		return 0;
	dev_err(buf->dev, "GEM handle %u: DRM's table refused it: %d\n", handle, ret);
	mutex_lock(&gem->dev->object_name_lock);
	last = --gem->handle_count == 0;
	mutex_unlock(&gem->dev->object_name_lock);
	if (last)
		drm_gem_object_put(gem);
	return ret == -ENOSPC ? -EEXIST : ret;
}

/* DRM's own handle removal: the last handle drops the table's reference. */
void rnpu_osal_dma_handle_removed(void *os_file, uint32_t handle, struct rnpu_osal_dma_buf *buf)
{
	struct drm_file *file = os_file;

	if (file && drm_gem_handle_delete(file, handle))
		dev_warn(buf->dev, "GEM handle %u was not in the DRM file's table\n", handle);
}

/* Coherent allocations have no cache to maintain (the ordering comes from
 * readl/writel). A non-coherent one is synced piece by piece: each run of
 * physically contiguous pages lies at the same offset of the NPU range,
 * so a single-range sync at dma + offset covers it. The core has checked
 * offset + size against the buffer's size. */
void rnpu_osal_dma_sync(struct rnpu_osal_dma_buf *buf, uint64_t offset, uint64_t size,
			unsigned int dir)
{
	uint64_t start = 0, end = offset + size;
	struct scatterlist *sg;
	unsigned int i;

	if (!buf->noncoherent)
		return;
	for_each_sgtable_sg(buf->noncoherent, sg, i) {
		uint64_t lo = max_t(uint64_t, start, offset);
		uint64_t hi = min_t(uint64_t, start + sg->length, end);

		if (lo < hi) {
			if (dir & RNPU_OSAL_SYNC_TO_DEVICE)
				dma_sync_single_for_device(buf->dev, buf->dma + lo, hi - lo,
							   DMA_TO_DEVICE);
			if (dir & RNPU_OSAL_SYNC_FROM_DEVICE)
				dma_sync_single_for_cpu(buf->dev, buf->dma + lo, hi - lo,
							DMA_FROM_DEVICE);
		}
		start += sg->length;
		if (start >= end)
			break;
	}
}

/* ------------------------------------------------ dma-buf exporter (PRIME) */

/* The pages of a non-coherent buffer in a new table, to be mapped for
 * another device. */
static int rnpu_linux_sgt_copy_pages(struct sg_table *dst, struct sg_table *src)
{
	struct scatterlist *from, *to;
	unsigned int i;
	int ret = sg_alloc_table(dst, src->orig_nents, GFP_KERNEL);

	if (ret)
		return ret;
	to = dst->sgl;
	for_each_sgtable_sg(src, from, i) {
		sg_set_page(to, sg_page(from), from->length, from->offset);
		to = sg_next(to);
	}
	return 0;
}

/* The importer's view: an sg table of the buffer, mapped for its device. */
static struct sg_table *rnpu_dmabuf_map(struct dma_buf_attachment *attach,
					enum dma_data_direction dir)
{
	struct rnpu_osal_dma_buf *buf = attach->dmabuf->priv;
	struct sg_table *sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	int ret;

	if (!sgt)
		return ERR_PTR(-ENOMEM);
	if (buf->noncoherent)
		ret = rnpu_linux_sgt_copy_pages(sgt, buf->noncoherent);
	else
		ret = dma_get_sgtable_attrs(buf->dev, sgt, buf->cpu, buf->dma, buf->size,
					    buf->attrs);
	if (ret)
		goto err_free;
	ret = dma_map_sgtable(attach->dev, sgt, dir, 0);
	if (ret)
		goto err_table;
	return sgt;

err_table:
	sg_free_table(sgt);
err_free:
	kfree(sgt);
	return ERR_PTR(ret);
}

static void rnpu_dmabuf_unmap(struct dma_buf_attachment *attach, struct sg_table *sgt,
			      enum dma_data_direction dir)
{
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(sgt);
}

static void rnpu_dmabuf_release(struct dma_buf *dmabuf)
{
	rnpu_osal_dma_put(dmabuf->priv);
}

/* dma_buf_mmap() has already made vm_pgoff the offset in the buffer, and
 * the dma-buf's file keeps the buffer alive while mapped. */
static int rnpu_dmabuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct rnpu_osal_dma_buf *buf = dmabuf->priv;

	if (buf->noncoherent)
		return dma_mmap_noncontiguous(buf->dev, vma, buf->size, buf->noncoherent);
	return dma_mmap_attrs(buf->dev, vma, buf->cpu, buf->dma, buf->size, buf->attrs);
}

/* DMA_BUF_IOCTL_SYNC and in-kernel CPU access of a cacheable export. */
static int rnpu_dmabuf_begin_cpu(struct dma_buf *dmabuf, enum dma_data_direction dir)
{
	struct rnpu_osal_dma_buf *buf = dmabuf->priv;

	if (buf->noncoherent)
		dma_sync_sgtable_for_cpu(buf->dev, buf->noncoherent, dir);
	return 0;
}

static int rnpu_dmabuf_end_cpu(struct dma_buf *dmabuf, enum dma_data_direction dir)
{
	struct rnpu_osal_dma_buf *buf = dmabuf->priv;

	if (buf->noncoherent)
		dma_sync_sgtable_for_device(buf->dev, buf->noncoherent, dir);
	return 0;
}

static int rnpu_dmabuf_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct rnpu_osal_dma_buf *buf = dmabuf->priv;

	if ((buf->attrs & DMA_ATTR_NO_KERNEL_MAPPING) || (buf->noncoherent && !buf->cpu))
		return -ENOMEM;
	iosys_map_set_vaddr(map, buf->cpu);
	return 0;
}

static const struct dma_buf_ops rnpu_dmabuf_ops = {
	.map_dma_buf = rnpu_dmabuf_map,
	.unmap_dma_buf = rnpu_dmabuf_unmap,
	.release = rnpu_dmabuf_release,
	.mmap = rnpu_dmabuf_mmap,
	.vmap = rnpu_dmabuf_vmap,
	.begin_cpu_access = rnpu_dmabuf_begin_cpu,
	.end_cpu_access = rnpu_dmabuf_end_cpu,
};

/* @flags is the core's RNPU_DRM_CLOEXEC / RNPU_DRM_RDWR subset, which has
 * DRM's values: O_CLOEXEC and O_RDWR. */
int rnpu_osal_dma_export_fd(struct rnpu_osal_dma_buf *buf, unsigned int flags, int *fd)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	struct dma_buf *dmabuf;
	int ret;

	if (buf->import) {
		/* Re-export of an import: hand out the original dma-buf. */
		dmabuf = buf->import;
		get_dma_buf(dmabuf);
	} else {
		info.ops = &rnpu_dmabuf_ops;
		info.size = buf->size;
		info.flags = O_RDWR;
		info.priv = buf;
		drm_gem_object_get(&buf->gem);
		dmabuf = dma_buf_export(&info);
		if (IS_ERR(dmabuf)) {
			rnpu_osal_dma_put(buf);
			return PTR_ERR(dmabuf);
		}
	}
	ret = dma_buf_fd(dmabuf, (int)(flags & (O_CLOEXEC | O_RDWR)));
	if (ret < 0) {
		dma_buf_put(dmabuf);
		return ret;
	}
	*fd = ret;
	return 0;
}

/* Our own exports are identified by their buffer, anything else by the
 * dma-buf, so that re-importing an export finds the original object. */
static uint64_t rnpu_dmabuf_identity(struct dma_buf *dmabuf)
{
	if (dmabuf->ops == &rnpu_dmabuf_ops)
		return (uint64_t)(uintptr_t)dmabuf->priv;
	return (uint64_t)(uintptr_t)dmabuf;
}

static struct dma_buf *rnpu_dmabuf_get(int fd)
{
	struct file *file = fget(fd);
	struct dma_buf *dmabuf;

	if (!file)
		return ERR_PTR(-EBADF);
	fput(file);
	dmabuf = dma_buf_get(fd);
	return IS_ERR(dmabuf) ? ERR_PTR(-EINVAL) : dmabuf;
}

int rnpu_osal_dma_fd_identity(int fd, uint64_t *id)
{
	struct dma_buf *dmabuf = rnpu_dmabuf_get(fd);

	if (IS_ERR(dmabuf))
		return (int)PTR_ERR(dmabuf);
	*id = rnpu_dmabuf_identity(dmabuf);
	dma_buf_put(dmabuf);
	return 0;
}

uint64_t rnpu_osal_dma_identity(struct rnpu_osal_dma_buf *buf)
{
	return buf->import ? rnpu_dmabuf_identity(buf->import) : (uint64_t)(uintptr_t)buf;
}

/* The NPU takes one base address per buffer: the mapping must be one
 * range of device addresses, below 4 GiB. */
static int rnpu_dmabuf_check_range(struct device *dev, struct sg_table *sgt, size_t size)
{
	struct scatterlist *sg;
	dma_addr_t next = 0;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (i && sg_dma_address(sg) != next) {
			dev_err(dev, "PRIME import: dma-buf is not contiguous for the NPU (segment %u)\n", i);
			return -EINVAL;
		}
		next = sg_dma_address(sg) + sg_dma_len(sg);
	}
	if (next - sg_dma_address(sgt->sgl) < size || next > (1ull << 32)) {
		dev_err(dev, "PRIME import: dma-buf at %pad, %zu bytes, is not reachable by the NPU\n",
			&sg_dma_address(sgt->sgl), size);
		return -EINVAL;
	}
	return 0;
}

int rnpu_osal_dma_import_fd(struct rnpu_osal_dev *dev, int fd, struct rnpu_osal_dma_buf **out,
			    struct rnpu_osal_dma_info *info)
{
	struct rnpu_osal_dma_buf *buf;
	struct dma_buf *dmabuf = rnpu_dmabuf_get(fd);
	int ret;

	if (IS_ERR(dmabuf))
		return (int)PTR_ERR(dmabuf);
	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf) {
		ret = -ENOMEM;
		goto err_put;
	}
	buf->dev = dev->dev;
	buf->import = dmabuf;
	buf->size = dmabuf->size;
	buf->attach = dma_buf_attach(dmabuf, dev->dev);
	if (IS_ERR(buf->attach)) {
		ret = (int)PTR_ERR(buf->attach);
		goto err_free;
	}
	buf->sgt = rnpu_dmabuf_map_attachment(buf->attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(buf->sgt)) {
		ret = (int)PTR_ERR(buf->sgt);
		goto err_detach;
	}
	ret = rnpu_dmabuf_check_range(dev->dev, buf->sgt, buf->size);
	if (ret)
		goto err_unmap;
	buf->dma = sg_dma_address(buf->sgt->sgl);
	rnpu_linux_gem_init(dev->drm, buf);
	info->size = buf->size;
	info->dma_addr = buf->dma;
	info->vaddr = NULL;
	info->contiguous = true;
	*out = buf;
	return 0;

err_unmap:
	rnpu_dmabuf_unmap_attachment(buf->attach, buf->sgt, DMA_BIDIRECTIONAL);
err_detach:
	dma_buf_detach(dmabuf, buf->attach);
err_free:
	kfree(buf);
err_put:
	dma_buf_put(dmabuf);
	return ret;
}

/* ------------------------------------------------------------ user mmap */

static void rnpu_linux_vma_open(struct vm_area_struct *vma)
{
	struct rnpu_osal_dma_buf *buf = vma->vm_private_data;

	drm_gem_object_get(&buf->gem);
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

	if (buf->import)
		return -EINVAL; /* mapped through the dma-buf, not here */
	/* The fake offset selected the buffer; the mapping starts at its
	 * first byte. */
	vma->vm_pgoff = 0;
	if (buf->noncoherent)
		ret = dma_mmap_noncontiguous(buf->dev, vma, buf->size, buf->noncoherent);
	else
		ret = dma_mmap_attrs(buf->dev, vma, buf->cpu, buf->dma, buf->size, buf->attrs);
	if (ret)
		return ret;
	vma->vm_ops = &rnpu_linux_vm_ops;
	vma->vm_private_data = buf;
	drm_gem_object_get(&buf->gem);
	return 0;
}

int rnpu_osal_dma_mmap_split(struct rnpu_osal_dev *dev, uint64_t head_phys, size_t head_len,
			     struct rnpu_osal_dma_buf *buf, struct rnpu_osal_vma *req,
			     unsigned int flags)
{
	/* SRAM is handed out in the core's IOMMU mode only, which the module
	 * does not use (the kernel's IOMMU driver owns the IOMMU). */
	return -EOPNOTSUPP;
}

size_t rnpu_osal_vma_length(const struct rnpu_osal_vma *req)
{
	return req->vma->vm_end - req->vma->vm_start;
}
