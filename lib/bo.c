// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* librnpu buffer objects over MEM_CREATE / MEM_MAP / mmap / MEM_SYNC /
 * MEM_DESTROY and PRIME. */
#define _GNU_SOURCE /* F_GET_SEALS */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "drm/rnpu_drm_core.h"
#include "rnpu_internal.h"

static void bo_link(struct rnpu_dev *dev, struct rnpu_bo *bo)
{
	pthread_mutex_lock(&dev->lock);
	bo->next = dev->bos;
	if (dev->bos)
		dev->bos->prev = bo;
	dev->bos = bo;
	pthread_mutex_unlock(&dev->lock);
}

static void bo_unlink(struct rnpu_dev *dev, struct rnpu_bo *bo)
{
	pthread_mutex_lock(&dev->lock);
	if (bo->prev)
		bo->prev->next = bo->next;
	else
		dev->bos = bo->next;
	if (bo->next)
		bo->next->prev = bo->prev;
	pthread_mutex_unlock(&dev->lock);
}

/* The kernel's dma-buf CPU-access bracket (linux/dma-buf.h layout). */
struct rnpu_dma_buf_sync {
	uint64_t flags;
};
#define RNPU_DMA_BUF_SYNC_READ (1ull << 0)
#define RNPU_DMA_BUF_SYNC_WRITE (2ull << 0)
#define RNPU_DMA_BUF_SYNC_START (0ull << 2)
#define RNPU_DMA_BUF_SYNC_END (1ull << 2)
#define RNPU_DMA_BUF_IOCTL_SYNC _IOW('b', 0, struct rnpu_dma_buf_sync)

/* Asks MEM_CREATE about handle @handle (existing object: no allocation). */
static int bo_query(struct rnpu_dev *dev, struct rnpu_bo *bo)
{
	struct rknpu_mem_create mc = { .handle = bo->handle, .size = 1 };
	int ret = rnpu_ioctl(dev, DRM_IOCTL_RKNPU_MEM_CREATE, &mc);

	if (ret)
		return ret;
	bo->size = mc.size;
	bo->dma_addr = mc.dma_addr;
	bo->obj_addr = mc.obj_addr;
	return 0;
}

int rnpu_bo_create(struct rnpu_dev *dev, uint64_t size, uint32_t flags, struct rnpu_bo **out)
{
	struct rknpu_mem_create mc = { .flags = flags, .size = size };
	struct rnpu_bo *bo;
	int ret;

	if (size == 0)
		return rnpu_set_error(dev, -EINVAL, "buffer size 0");
	if (flags & ~(uint32_t)RKNPU_MEM_MASK)
		return rnpu_set_error(dev, -EINVAL, "flags 0x%x: unknown bits 0x%x", flags,
				      flags & ~(uint32_t)RKNPU_MEM_MASK);
	bo = calloc(1, sizeof(*bo));
	if (!bo)
		return -ENOMEM;
	ret = rnpu_ioctl(dev, DRM_IOCTL_RKNPU_MEM_CREATE, &mc);
	if (ret) {
		free(bo);
		return rnpu_set_error(dev, ret, "MEM_CREATE of %llu bytes, flags 0x%x: %s",
				      (unsigned long long)size, flags, strerror(-ret));
	}
	bo->dev = dev;
	bo->handle = mc.handle;
	bo->flags = flags;
	bo->size = mc.size;
	bo->dma_addr = mc.dma_addr;
	bo->obj_addr = mc.obj_addr;
	bo_link(dev, bo);
	*out = bo;
	return 0;
}

void rnpu_bo_free(struct rnpu_bo *bo)
{
	struct rknpu_mem_destroy md;

	if (!bo)
		return;
	if (bo->map)
		munmap(bo->map, bo->size);
	if (bo->imported)
		close(bo->import_fd);
	md = (struct rknpu_mem_destroy){ .handle = bo->handle, .obj_addr = bo->obj_addr };
	rnpu_ioctl(bo->dev, DRM_IOCTL_RKNPU_MEM_DESTROY, &md);
	bo_unlink(bo->dev, bo);
	free(bo);
}

/* An imported object is mapped through the dma-buf itself: the driver
 * maps only its own objects, while the fd is the exporter's memory on every
 * transport (a memfd of the userspace host, in this process or passed by
 * rnpud, or a kernel dma-buf). */
static int map_import(struct rnpu_bo *bo)
{
	void *a = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, bo->import_fd, 0);

	if (a == MAP_FAILED)
		return rnpu_set_error(bo->dev, -errno,
				      "mapping imported handle %u (fd %d, %llu bytes): %s",
				      bo->handle, bo->import_fd, (unsigned long long)bo->size,
				      strerror(errno));
	bo->map = a;
	return 0;
}

int rnpu_bo_map(struct rnpu_bo *bo, void **ptr)
{
	struct rknpu_mem_map mm = { .handle = bo->handle };
	int ret;

	if (!bo->map && bo->imported) {
		ret = map_import(bo);
		if (ret)
			return ret;
	}
	if (!bo->map) {
		ret = rnpu_ioctl(bo->dev, DRM_IOCTL_RKNPU_MEM_MAP, &mm);
		if (!ret)
			ret = rnpu_mmap(bo->dev, mm.offset, bo->size, &bo->map);
		if (ret)
			return rnpu_set_error(bo->dev, ret, "mapping handle %u: %s", bo->handle,
					      strerror(-ret));
	}
	*ptr = bo->map;
	return 0;
}

/* Cache maintenance of an imported object belongs to its exporter: the
 * dma-buf's CPU-access bracket (end of CPU writes before the device reads,
 * start of CPU reads after it wrote). A memfd has no such ioctl and needs
 * none: the userspace host's memory is coherent. */
static int sync_import(struct rnpu_bo *bo, uint32_t dir)
{
	struct rnpu_dma_buf_sync s = { 0 };

	if (bo->import_memfd)
		return 0;

	if (dir & RKNPU_MEM_SYNC_TO_DEVICE) {
		s.flags = RNPU_DMA_BUF_SYNC_END | RNPU_DMA_BUF_SYNC_READ | RNPU_DMA_BUF_SYNC_WRITE;
		if (ioctl(bo->import_fd, RNPU_DMA_BUF_IOCTL_SYNC, &s) && errno != ENOTTY)
			goto fail;
	}
	if (dir & RKNPU_MEM_SYNC_FROM_DEVICE) {
		s.flags = RNPU_DMA_BUF_SYNC_START | RNPU_DMA_BUF_SYNC_READ |
			  RNPU_DMA_BUF_SYNC_WRITE;
		if (ioctl(bo->import_fd, RNPU_DMA_BUF_IOCTL_SYNC, &s) && errno != ENOTTY)
			goto fail;
	}
	return 0;
fail:
	return rnpu_set_error(bo->dev, -errno, "DMA_BUF_IOCTL_SYNC of imported handle %u: %s",
			      bo->handle, strerror(errno));
}

int rnpu_bo_sync(struct rnpu_bo *bo, uint64_t offset, uint64_t size, uint32_t dir)
{
	struct rknpu_mem_sync ms = { .flags = dir, .obj_addr = bo->obj_addr,
				     .offset = offset, .size = size };
	int ret;

	if (bo->imported) {
		if (offset > bo->size || size > bo->size - offset)
			return rnpu_set_error(bo->dev, -EINVAL,
					      "sync of imported handle %u: [%llu, +%llu) outside"
					      " %llu bytes",
					      bo->handle, (unsigned long long)offset,
					      (unsigned long long)size,
					      (unsigned long long)bo->size);
		return sync_import(bo, dir);
	}
	ret = rnpu_ioctl(bo->dev, DRM_IOCTL_RKNPU_MEM_SYNC, &ms);

	if (ret)
		return rnpu_set_error(bo->dev, ret, "MEM_SYNC handle %u [%llu, +%llu): %s",
				      bo->handle, (unsigned long long)offset,
				      (unsigned long long)size, strerror(-ret));
	return 0;
}

int rnpu_bo_export(struct rnpu_bo *bo, int *fd)
{
	struct rnpu_drm_prime_handle ph = { .handle = bo->handle,
					    .flags = RNPU_DRM_CLOEXEC | RNPU_DRM_RDWR, .fd = -1 };
	int ret = rnpu_ioctl(bo->dev, RNPU_DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph);

	if (ret)
		return rnpu_set_error(bo->dev, ret, "export of handle %u: %s", bo->handle,
				      strerror(-ret));
	bo->shared = true;
	*fd = ph.fd;
	return 0;
}

int rnpu_bo_import(struct rnpu_dev *dev, int fd, struct rnpu_bo **out)
{
	struct rnpu_drm_prime_handle ph = { .fd = fd };
	struct rnpu_bo *bo;
	int ret;

	ret = rnpu_ioctl(dev, RNPU_DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph);
	if (ret)
		return rnpu_set_error(dev, ret, "import of fd %d: %s", fd, strerror(-ret));
	bo = calloc(1, sizeof(*bo));
	if (!bo) {
		struct rnpu_drm_gem_close gc = { .handle = ph.handle };

		rnpu_ioctl(dev, RNPU_DRM_IOCTL_GEM_CLOSE, &gc);
		return -ENOMEM;
	}
	bo->dev = dev;
	bo->handle = ph.handle;
	bo->shared = true;
	bo->imported = true;
	/* Our own reference for mapping: the caller may close @fd. */
	bo->import_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	/* Only a memfd (shmem) answers the seals query; a kernel dma-buf
	 * does not. */
	bo->import_memfd = bo->import_fd >= 0 && fcntl(bo->import_fd, F_GET_SEALS) >= 0;
	ret = bo->import_fd < 0 ? -errno : bo_query(dev, bo);
	if (ret) {
		struct rnpu_drm_gem_close gc = { .handle = ph.handle };

		rnpu_ioctl(dev, RNPU_DRM_IOCTL_GEM_CLOSE, &gc);
		if (bo->import_fd >= 0)
			close(bo->import_fd);
		free(bo);
		return rnpu_set_error(dev, ret, "query of imported handle %u: %s", ph.handle,
				      strerror(-ret));
	}
	bo_link(dev, bo);
	*out = bo;
	return 0;
}

uint32_t rnpu_bo_handle(const struct rnpu_bo *bo)
{
	return bo->handle;
}

uint64_t rnpu_bo_size(const struct rnpu_bo *bo)
{
	return bo->size;
}

uint64_t rnpu_bo_dma_addr(const struct rnpu_bo *bo)
{
	return bo->dma_addr;
}

uint64_t rnpu_bo_obj_addr(const struct rnpu_bo *bo)
{
	return bo->obj_addr;
}

uint32_t rnpu_bo_flags(const struct rnpu_bo *bo)
{
	return bo->flags;
}
