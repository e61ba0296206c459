// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* librknn_rnpu memory: rknn_create_mem*, rknn_destroy_mem, rknn_mem_sync. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rknn_internal.h"

static struct rknn_mem_priv *mems; /* every live memory object, under rknn_lock */

struct rknn_mem_priv *rknn_mem_lookup(const rknn_tensor_mem *mem)
{
	struct rknn_mem_priv *m;

	if (!mem)
		return NULL;
	for (m = mems; m; m = m->next)
		if (m->mem == mem && mem->priv_data == m && m->magic == RKNN_MEM_MAGIC)
			return m;
	return NULL;
}

/* Memory needs a live context unless it is made without one. */
static bool ctx_ok(const char *fn, rknn_context ctx, bool no_context_allowed)
{
	if (no_context_allowed && ctx == 0)
		return true;
	if (rknn_ctx_lookup(ctx))
		return true;
	rknn_log(RKNN_ERR_CTX_INVALID, "%s: invalid context 0x%llx", fn, (unsigned long long)ctx);
	return false;
}

/* Wraps @bo in a new rknn_tensor_mem and registers it. */
static rknn_tensor_mem *mem_new(struct rnpu_bo *bo, void *virt, uint64_t base_dma, uint32_t size,
				int32_t fd, int32_t offset, uint32_t flags)
{
	rknn_tensor_mem *mem = calloc(1, sizeof(*mem));
	struct rknn_mem_priv *m = calloc(1, sizeof(*m));

	if (!mem || !m) {
		free(mem);
		free(m);
		rknn_log(RKNN_ERR_MALLOC_FAIL, "out of memory for a tensor memory struct");
		return NULL;
	}
	mem->virt_addr = virt;
	mem->phys_addr = base_dma;
	mem->fd = fd;
	mem->offset = offset;
	mem->size = size;
	mem->flags = flags;
	mem->priv_data = m;
	m->magic = RKNN_MEM_MAGIC;
	m->mem = mem;
	m->bo = bo;
	m->base_dma = base_dma;
	m->next = mems;
	mems = m;
	return mem;
}

/* Records which buffer @fd is (false if fstat fails). */
static bool fd_identity(int fd, uint64_t *dev_id, uint64_t *ino)
{
	struct stat st;

	if (fstat(fd, &st))
		return false;
	*dev_id = (uint64_t)st.st_dev;
	*ino = (uint64_t)st.st_ino;
	return true;
}

/* A live memory object that owns the buffer @fd refers to, or NULL. */
static struct rknn_mem_priv *owner_of_fd(int fd)
{
	uint64_t dev_id, ino;

	if (!fd_identity(fd, &dev_id, &ino))
		return NULL;
	for (struct rknn_mem_priv *m = mems; m; m = m->next)
		if (m->has_id && m->bo && m->dev_id == dev_id && m->ino == ino)
			return m;
	return NULL;
}

static rknn_tensor_mem *create_inside(const char *fn, rknn_context ctx, uint64_t size,
				      uint32_t rknpu_flags, bool no_context_allowed)
{
	struct rknn_mem_priv *m;
	struct rnpu_dev *dev;
	struct rnpu_bo *bo;
	rknn_tensor_mem *mem = NULL;
	void *map;
	int fd = -1, ret;

	pthread_mutex_lock(&rknn_lock);
	if (!ctx_ok(fn, ctx, no_context_allowed))
		goto out;
	if (size == 0 || size > UINT32_MAX) {
		rknn_log(RKNN_ERR_PARAM_INVALID, "%s: invalid size %llu (1..4 GiB - 1)", fn,
			 (unsigned long long)size);
		goto out;
	}
	dev = rknn_dev_get();
	if (!dev)
		goto out;
	ret = rnpu_pool_alloc(rnpu_dev_pool(dev), size, rknpu_flags, &bo);
	if (ret) {
		rknn_log(RKNN_ERR_MALLOC_FAIL, "%s: allocation of %llu bytes failed: %s", fn,
			 (unsigned long long)size, rnpu_last_error(dev));
		rknn_dev_put();
		goto out;
	}
	rnpu_bo_map(bo, &map);
	/* The vendor hands out a dma-buf fd with every allocation (for RGA and
	 * other devices); an exported buffer is never recycled by the pool. */
	ret = rnpu_bo_export(bo, &fd);
	if (!ret)
		mem = mem_new(bo, map, rnpu_bo_dma_addr(bo), (uint32_t)size, fd, 0,
			      RKNN_TENSOR_MEMORY_FLAGS_ALLOC_INSIDE);
	if (!mem) {
		if (fd >= 0)
			close(fd);
		if (ret)
			rknn_log(RKNN_ERR_MALLOC_FAIL, "%s: dma-buf export failed: %s", fn,
				 rnpu_last_error(dev));
		rnpu_pool_put(rnpu_dev_pool(dev), bo);
		rknn_dev_put();
		goto out;
	}
	m = mem->priv_data;
	m->from_pool = true;
	m->has_id = fd_identity(fd, &m->dev_id, &m->ino);
out:
	pthread_mutex_unlock(&rknn_lock);
	return mem;
}

rknn_tensor_mem *rknn_create_mem(rknn_context ctx, uint32_t size)
{
	return create_inside("rknn_create_mem", ctx, size, RKNPU_MEM_CACHEABLE, false);
}

rknn_tensor_mem *rknn_create_mem2(rknn_context ctx, uint64_t size, uint64_t alloc_flags)
{
	const uint64_t known = RKNN_FLAG_MEMORY_CACHEABLE | RKNN_FLAG_MEMORY_NON_CACHEABLE |
			       RKNN_FLAG_MEMORY_TRY_ALLOC_SRAM | RKNN_MEM_FLAG_ALLOC_NO_CONTEXT;
	uint32_t flags = RKNPU_MEM_CACHEABLE;

	if (alloc_flags & ~known) {
		rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_create_mem2: alloc_flags 0x%llx: unknown"
			 " bits 0x%llx", (unsigned long long)alloc_flags,
			 (unsigned long long)(alloc_flags & ~known));
		return NULL;
	}
	if ((alloc_flags & RKNN_FLAG_MEMORY_CACHEABLE) &&
	    (alloc_flags & RKNN_FLAG_MEMORY_NON_CACHEABLE)) {
		rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_create_mem2: alloc_flags 0x%llx asks for"
			 " cacheable and non-cacheable memory", (unsigned long long)alloc_flags);
		return NULL;
	}
	if (alloc_flags & RKNN_FLAG_MEMORY_NON_CACHEABLE)
		flags = 0;
	/* SRAM is tried by the driver, which falls back to DRAM. */
	if (alloc_flags & RKNN_FLAG_MEMORY_TRY_ALLOC_SRAM)
		flags |= RKNPU_MEM_TRY_ALLOC_SRAM;
	return create_inside("rknn_create_mem2", ctx, size, flags,
			     (alloc_flags & RKNN_MEM_FLAG_ALLOC_NO_CONTEXT) != 0);
}

rknn_tensor_mem *rknn_create_mem_from_fd(rknn_context ctx, int32_t fd, void *virt_addr,
					 uint32_t size, int32_t offset)
{
	struct rknn_mem_priv *owner, *m;
	struct rnpu_dev *dev;
	struct rnpu_bo *bo;
	rknn_tensor_mem *mem = NULL;
	int ret;

	pthread_mutex_lock(&rknn_lock);
	if (!ctx_ok("rknn_create_mem_from_fd", ctx, false))
		goto out;
	if (fd < 0 || size == 0 || offset < 0) {
		rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_create_mem_from_fd: invalid fd %d, size %u"
			 " or offset %d", fd, size, offset);
		goto out;
	}
	dev = rknn_dev_get();
	if (!dev)
		goto out;
	owner = owner_of_fd(fd);
	if (owner) {
		/* Our own buffer (or one already imported): share its object;
		 * the wrapper dies with that memory. */
		if ((uint64_t)offset + size > rnpu_bo_size(owner->bo)) {
			rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_create_mem_from_fd: offset %d + size"
				 " %u exceed the %llu bytes of fd %d", offset, size,
				 (unsigned long long)rnpu_bo_size(owner->bo), fd);
			rknn_dev_put();
			goto out;
		}
		mem = mem_new(owner->bo, virt_addr, owner->base_dma, size, fd, offset,
			      RKNN_TENSOR_MEMORY_FLAGS_FROM_FD);
		if (!mem)
			rknn_dev_put();
		goto out;
	}
	ret = rnpu_bo_import(dev, fd, &bo);
	if (ret) {
		rknn_log(RKNN_ERR_MALLOC_FAIL, "failed to convert fd(%d) to handle: %s", fd,
			 rnpu_last_error(dev));
		rknn_dev_put();
		goto out;
	}
	if ((uint64_t)offset + size > rnpu_bo_size(bo)) {
		rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_create_mem_from_fd: offset %d + size %u"
			 " exceed the %llu bytes of fd %d", offset, size,
			 (unsigned long long)rnpu_bo_size(bo), fd);
		rnpu_bo_free(bo);
		rknn_dev_put();
		goto out;
	}
	mem = mem_new(bo, virt_addr, rnpu_bo_dma_addr(bo), size, fd, offset,
		      RKNN_TENSOR_MEMORY_FLAGS_FROM_FD);
	if (!mem) {
		rnpu_bo_free(bo);
		rknn_dev_put();
		goto out;
	}
	m = mem->priv_data;
	m->own_bo = true;
	m->has_id = fd_identity(fd, &m->dev_id, &m->ino);
out:
	pthread_mutex_unlock(&rknn_lock);
	return mem;
}

rknn_tensor_mem *rknn_create_mem_from_phys(rknn_context ctx, uint64_t phys_addr, void *virt_addr,
					   uint32_t size)
{
	struct rknn_mem_priv *m;
	rknn_tensor_mem *mem = NULL;

	pthread_mutex_lock(&rknn_lock);
	if (!ctx_ok("rknn_create_mem_from_phys", ctx, false))
		goto out;
	/* Userspace cannot map physical memory into the NPU's address space;
	 * what it can wrap is memory this library already gave the NPU. */
	for (m = mems; m; m = m->next) {
		uint64_t start = m->base_dma, len = m->bo ? rnpu_bo_size(m->bo) : 0;

		if (phys_addr >= start && phys_addr - start < len && size <= len - (phys_addr - start))
			break;
	}
	if (!m || size == 0) {
		rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_create_mem_from_phys: 0x%llx + %u is not"
			 " inside NPU memory of this process (rnpu can only wrap addresses of"
			 " rknn_create_mem memory)", (unsigned long long)phys_addr, size);
		goto out;
	}
	if (!rknn_dev_get())
		goto out;
	mem = mem_new(m->bo, virt_addr, phys_addr, size, -1, 0, RKNN_TENSOR_MEMORY_FLAGS_FROM_PHYS);
	if (!mem)
		rknn_dev_put();
out:
	pthread_mutex_unlock(&rknn_lock);
	return mem;
}

rknn_tensor_mem *rknn_create_mem_from_mb_blk(rknn_context ctx, void *mb_blk, int32_t offset)
{
	(void)ctx;
	(void)mb_blk;
	(void)offset;
	rknn_log(RKNN_ERR_FAIL, "rknn_create_mem_from_mb_blk: not implemented (as in the vendor's"
		 " runtime)");
	return NULL;
}

int rknn_destroy_mem(rknn_context ctx, rknn_tensor_mem *mem)
{
	struct rknn_mem_priv *m, **pp;
	struct rnpu_dev *dev;
	int ret = RKNN_SUCC;

	pthread_mutex_lock(&rknn_lock);
	m = rknn_mem_lookup(mem);
	if (!m) {
		ret = rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_destroy_mem: %p is not memory of this"
			       " runtime (or was destroyed)", (void *)mem);
		goto out;
	}
	(void)ctx; /* memory may be freed through any context, or none */
	/* Memory wrapping this buffer through its physical address dies
	 * with it, as the address itself does. */
	for (struct rknn_mem_priv *w = mems; w; w = w->next) {
		if (w != m && w->bo == m->bo && !w->own_bo && !w->from_pool &&
		    (m->from_pool || m->own_bo)) {
			rknn_mm_unbind_mem(w);
			w->bo = NULL;
		}
	}
	rknn_mm_unbind_mem(m);
	for (pp = &mems; *pp != m; pp = &(*pp)->next)
		;
	*pp = m->next;
	dev = rknn_dev_get();
	if (m->from_pool) {
		close(mem->fd);
		rnpu_pool_put(rnpu_dev_pool(dev), m->bo);
	} else if (m->own_bo) {
		rnpu_bo_free(m->bo); /* the caller's fd stays open */
	}
	rknn_dev_put();
	m->magic = 0;
	free(m);
	free(mem);
	rknn_dev_put();
out:
	pthread_mutex_unlock(&rknn_lock);
	return ret;
}

int rknn_mem_sync(rknn_context context, rknn_tensor_mem *mem, rknn_mem_sync_mode mode)
{
	struct rknn_mem_priv *m;
	uint32_t dir = 0;
	int ret = RKNN_SUCC;

	pthread_mutex_lock(&rknn_lock);
	m = rknn_mem_lookup(mem);
	if (!ctx_ok("rknn_mem_sync", context, false)) {
		ret = RKNN_ERR_CTX_INVALID;
		goto out;
	}
	if (!m || !m->bo) {
		ret = rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_mem_sync: invalid mem %p", (void *)mem);
		goto out;
	}
	if (mode & ~RKNN_MEMORY_SYNC_BIDIRECTIONAL || !mode) {
		ret = rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_mem_sync: invalid mode %d", (int)mode);
		goto out;
	}
	if (mode & RKNN_MEMORY_SYNC_TO_DEVICE)
		dir |= RKNPU_MEM_SYNC_TO_DEVICE;
	if (mode & RKNN_MEMORY_SYNC_FROM_DEVICE)
		dir |= RKNPU_MEM_SYNC_FROM_DEVICE;
	/* Non-cacheable and imported memory needs no maintenance. */
	if (rnpu_bo_flags(m->bo) & RKNPU_MEM_CACHEABLE) {
		uint64_t off = m->base_dma - rnpu_bo_dma_addr(m->bo) + (uint64_t)mem->offset;

		if (rnpu_bo_sync(m->bo, off, mem->size, dir))
			ret = rknn_log(RKNN_ERR_FAIL, "rknn_mem_sync: MEM_SYNC failed");
	}
out:
	pthread_mutex_unlock(&rknn_lock);
	return ret;
}
