// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Buffer objects: allocation, the obj_addr cookie table, per-session
 * handles, fake mmap offsets, cache sync, flink names and dma-buf sharing.
 *
 * obj_addr is an opaque cookie, never a pointer: low 32 bits = slot + 1,
 * high 32 bits = a per-slot generation tag mixed with a per-device salt,
 * so a stale or forged cookie fails the lookup instead of reaching memory.
 */
#include "drm/rnpu_drm_core.h"
#include "rknpu_internal.h"

#define RKNPU_OBJS_INITIAL 256u
#define RKNPU_OBJS_MAX (1u << 24)

int rknpu_gem_init(struct rknpu_device *rdev)
{
	int ret = rnpu_osal_mutex_create(&rdev->obj_lock);

	if (ret)
		return ret;
	/* The salt only needs to differ between devices and boots. */
	rdev->cookie_salt = (rnpu_osal_time_ns() * 0x9e3779b97f4a7c15ull) ^ (uintptr_t)rdev;
	return 0;
}

void rknpu_gem_fini(struct rknpu_device *rdev)
{
	uint32_t i, leaked = 0;

	for (i = 0; i < rdev->obj_used; i++)
		if (rdev->objs[i])
			leaked++;
	if (leaked)
		rknpu_err(rdev, "%u buffer objects still alive at remove", leaked);
	rnpu_osal_free(rdev->objs);
	rnpu_osal_free(rdev->obj_generation);
	rnpu_osal_free(rdev->obj_free);
	rnpu_osal_mutex_destroy(rdev->obj_lock);
}

static int rknpu_objs_grow(struct rknpu_device *rdev)
{
	uint32_t cap = rdev->obj_capacity ? rdev->obj_capacity * 2 : RKNPU_OBJS_INITIAL;
	struct rknpu_gem_object **objs;
	uint32_t *gen, *free_slots;

	if (rdev->obj_capacity >= RKNPU_OBJS_MAX)
		return -ENOSPC;
	objs = rnpu_osal_zalloc_array(cap, sizeof(*objs));
	gen = rnpu_osal_zalloc_array(cap, sizeof(*gen));
	free_slots = rnpu_osal_zalloc_array(cap, sizeof(*free_slots));
	if (!objs || !gen || !free_slots) {
		rnpu_osal_free(objs);
		rnpu_osal_free(gen);
		rnpu_osal_free(free_slots);
		return -ENOMEM;
	}
	if (rdev->obj_capacity) {
		rnpu_memcpy(objs, rdev->objs, rdev->obj_capacity * sizeof(*objs));
		rnpu_memcpy(gen, rdev->obj_generation, rdev->obj_capacity * sizeof(*gen));
		rnpu_memcpy(free_slots, rdev->obj_free, rdev->obj_free_count * sizeof(*free_slots));
	}
	rnpu_osal_free(rdev->objs);
	rnpu_osal_free(rdev->obj_generation);
	rnpu_osal_free(rdev->obj_free);
	rdev->objs = objs;
	rdev->obj_generation = gen;
	rdev->obj_free = free_slots;
	rdev->obj_capacity = cap;
	return 0;
}

static uint64_t rknpu_make_cookie(const struct rknpu_device *rdev, uint32_t slot)
{
	uint32_t tag = (rdev->obj_generation[slot] * 0x9e3779b1u) ^ (uint32_t)(rdev->cookie_salt >> 17);

	return ((uint64_t)tag << 32) | (uint64_t)(slot + 1);
}

/* Gives @obj a slot and a cookie. Caller holds obj_lock. */
static int rknpu_objs_insert_locked(struct rknpu_device *rdev, struct rknpu_gem_object *obj)
{
	uint32_t slot;
	int ret;

	if (rdev->obj_free_count) {
		slot = rdev->obj_free[--rdev->obj_free_count];
	} else {
		if (rdev->obj_used == rdev->obj_capacity) {
			ret = rknpu_objs_grow(rdev);
			if (ret)
				return ret;
		}
		slot = rdev->obj_used++;
	}
	rdev->objs[slot] = obj;
	obj->slot = slot;
	obj->cookie = rknpu_make_cookie(rdev, slot);
	return 0;
}

static void rknpu_objs_remove_locked(struct rknpu_device *rdev, struct rknpu_gem_object *obj)
{
	rdev->objs[obj->slot] = NULL;
	rdev->obj_generation[obj->slot]++;
	rdev->obj_free[rdev->obj_free_count++] = obj->slot;
}

void rknpu_gem_get(struct rknpu_gem_object *obj)
{
	rknpu_atomic_inc(&obj->refcount);
}

/* Drops one reference unless it is the last one; true if dropped. */
static bool rknpu_ref_put_unless_last(uint32_t *ref)
{
	uint32_t v = __atomic_load_n(ref, __ATOMIC_RELAXED);

	while (v > 1) {
		if (__atomic_compare_exchange_n(ref, &v, v - 1, false, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return true;
	}
	return false;
}

static void rknpu_gem_free(struct rknpu_gem_object *obj)
{
	rknpu_dbg(obj->rdev, RKNPU_DBG_GEM, "free object slot %u size %zu", obj->slot,
		  obj->info.size);
	rknpu_sram_free(obj->rdev, obj->sram_phys, obj->sram_size);
	rnpu_osal_dma_put(obj->buf);
	rnpu_osal_free(obj);
}

void rknpu_gem_put(struct rknpu_gem_object *obj)
{
	struct rknpu_device *rdev = obj->rdev;

	if (rknpu_ref_put_unless_last(&obj->refcount))
		return;
	/* The last reference may go: decide under obj_lock so that a
	 * concurrent cookie/name lookup cannot revive a dying object. */
	rnpu_osal_mutex_lock(rdev->obj_lock);
	if (rknpu_atomic_dec(&obj->refcount) != 0) {
		rnpu_osal_mutex_unlock(rdev->obj_lock);
		return;
	}
	rknpu_objs_remove_locked(rdev, obj);
	rnpu_osal_mutex_unlock(rdev->obj_lock);
	rknpu_gem_free(obj);
}

struct rknpu_gem_object *rknpu_gem_lookup_cookie(struct rknpu_device *rdev, uint64_t cookie)
{
	uint32_t slot = (uint32_t)cookie - 1;
	struct rknpu_gem_object *obj = NULL;

	if ((uint32_t)cookie == 0)
		return NULL;
	rnpu_osal_mutex_lock(rdev->obj_lock);
	if (slot < rdev->obj_used && rdev->objs[slot] && rdev->objs[slot]->cookie == cookie) {
		obj = rdev->objs[slot];
		rknpu_gem_get(obj);
	}
	rnpu_osal_mutex_unlock(rdev->obj_lock);
	return obj;
}

bool rknpu_gem_file_holds(struct rknpu_file *file, const struct rknpu_gem_object *obj)
{
	bool held;

	rnpu_osal_mutex_lock(file->lock);
	/* The creator's own handle first; otherwise (imports, or the creator
	 * closed that handle) the table is searched. */
	held = (obj->creator_id == file->id &&
		rknpu_handles_get(&file->handles, obj->creator_handle) == obj) ||
	       rknpu_handles_find(&file->handles, obj) != 0;
	rnpu_osal_mutex_unlock(file->lock);
	return held;
}

struct rknpu_gem_object *rknpu_gem_lookup_handle(struct rknpu_file *file, uint32_t handle)
{
	struct rknpu_gem_object *obj;

	rnpu_osal_mutex_lock(file->lock);
	obj = rknpu_handles_get(&file->handles, handle);
	if (obj)
		rknpu_gem_get(obj);
	rnpu_osal_mutex_unlock(file->lock);
	return obj;
}

/* Whether @file may hold one more object of @size bytes. Caller holds
 * file->lock. 0, -ENOSPC (object count) or -ENOMEM (bytes). */
static int rknpu_session_limit_check(struct rknpu_file *file, uint64_t size)
{
	const struct rknpu_platform *plat = &file->rdev->plat;

	if (plat->session_max_bos && file->handles.live >= plat->session_max_bos) {
		rknpu_err(file->rdev, "session %u: buffer limit of %u objects reached", file->id,
			  plat->session_max_bos);
		return -ENOSPC;
	}
	if (plat->session_max_bytes && (size > plat->session_max_bytes ||
					file->mem_bytes > plat->session_max_bytes - size)) {
		rknpu_err(file->rdev,
			  "session %u: memory limit of %llu bytes reached (%llu in use, %llu asked)",
			  file->id, (unsigned long long)plat->session_max_bytes,
			  (unsigned long long)file->mem_bytes, (unsigned long long)size);
		return -ENOMEM;
	}
	return 0;
}

/* Creates a handle in @file that owns one new reference to @obj; the
 * object counts against the session's limits while the handle lives. */
static int rknpu_gem_handle_create(struct rknpu_file *file, struct rknpu_gem_object *obj,
				   uint32_t *handle)
{
	int ret;

	/* The session's IOVA exists before its handle does, so every
	 * handle a job may name is mapped. */
	ret = rknpu_iommu_map_obj(file, obj);
	if (ret)
		return ret;
	rknpu_gem_get(obj);
	rnpu_osal_mutex_lock(file->lock);
	ret = rknpu_session_limit_check(file, obj->info.size);
	if (!ret)
		ret = rknpu_handles_alloc(&file->handles, obj, handle);
	if (!ret) {
		ret = rnpu_osal_dma_handle_added(file->os_file, *handle, obj->buf);
		if (ret)
			rknpu_handles_remove(&file->handles, *handle);
	}
	if (!ret) {
		file->mem_bytes += obj->info.size;
		if (!obj->creator_id) {
			obj->creator_id = file->id;
			obj->creator_handle = *handle;
		}
	}
	rnpu_osal_mutex_unlock(file->lock);
	if (ret) {
		rknpu_iommu_unmap_obj(file, obj);
		rknpu_gem_put(obj);
	}
	return ret;
}

static int rknpu_gem_handle_delete(struct rknpu_file *file, uint32_t handle)
{
	struct rknpu_gem_object *obj;

	rnpu_osal_mutex_lock(file->lock);
	obj = rknpu_handles_remove(&file->handles, handle);
	if (obj) {
		file->mem_bytes -= obj->info.size;
		rnpu_osal_dma_handle_removed(file->os_file, handle, obj->buf);
	}
	rnpu_osal_mutex_unlock(file->lock);
	if (!obj)
		return -EINVAL;
	rknpu_iommu_unmap_obj(file, obj);
	rknpu_gem_put(obj);
	return 0;
}

void rknpu_gem_release_handles(struct rknpu_file *file)
{
	struct rknpu_handle_table *t = &file->handles;
	uint32_t i;

	/* The session is closing: nobody else can use this table now. */
	for (i = 0; i < t->used; i++) {
		if (t->entries[i]) {
			rnpu_osal_dma_handle_removed(file->os_file, i + 1, t->entries[i]->buf);
			rknpu_iommu_unmap_obj(file, t->entries[i]);
			rknpu_gem_put(t->entries[i]);
			t->entries[i] = NULL;
		}
	}
	rknpu_handles_fini(t);
}

/* A new object with one reference (the caller's). */
static struct rknpu_gem_object *rknpu_gem_alloc_object(struct rknpu_device *rdev,
						       struct rnpu_osal_dma_buf *buf,
						       const struct rnpu_osal_dma_info *info)
{
	struct rknpu_gem_object *obj = rnpu_osal_zalloc(sizeof(*obj));
	int ret;

	if (!obj)
		return NULL;
	obj->refcount = 1;
	obj->rdev = rdev;
	obj->buf = buf;
	obj->info = *info;
	rnpu_osal_mutex_lock(rdev->obj_lock);
	ret = rknpu_objs_insert_locked(rdev, obj);
	rnpu_osal_mutex_unlock(rdev->obj_lock);
	if (ret) {
		rnpu_osal_free(obj);
		return NULL;
	}
	return obj;
}

static void rknpu_mem_create_report(struct rknpu_file *file, struct rknpu_mem_create *args,
				    const struct rknpu_gem_object *obj)
{
	args->size = obj->info.size;
	args->obj_addr = obj->cookie;
	/* With an IOMMU: the session's own IOVA for the object. */
	args->dma_addr = rknpu_iommu_obj_addr(file, obj);
	args->sram_size = obj->sram_size;
}

static unsigned int rknpu_gem_osal_flags(struct rknpu_device *rdev, uint32_t flags)
{
	unsigned int of = RNPU_OSAL_DMA_DMA32; /* every NPU address register is 32-bit */

	if (!rdev->plat.iommu || !(flags & RKNPU_MEM_NON_CONTIGUOUS))
		of |= RNPU_OSAL_DMA_CONTIGUOUS;
	if (flags & RKNPU_MEM_CACHEABLE)
		of |= RNPU_OSAL_DMA_CACHEABLE;
	else if (flags & RKNPU_MEM_WRITE_COMBINE)
		of |= RNPU_OSAL_DMA_WRITECOMBINE;
	if (flags & RKNPU_MEM_ZEROING)
		of |= RNPU_OSAL_DMA_ZERO;
	/* Without an IOMMU the regcmd validator reads every object. */
	if ((flags & RKNPU_MEM_KERNEL_MAPPING) || !rdev->plat.iommu)
		of |= RNPU_OSAL_DMA_KMAP;
	return of;
}

/* Puts up to the object's size (or the caller's sram_size, if smaller)
 * of SRAM in front of it; on shortage it stays in memory alone. The
 * memory keeps its full size, as the vendor allocates it. */
static void rknpu_gem_try_sram(struct rknpu_device *rdev, struct rknpu_gem_object *obj,
			       uint64_t sram_size)
{
	uint64_t want = obj->info.size, free_bytes = rknpu_sram_free_bytes(rdev), phys;
	int ret;

	if (!rdev->sram)
		return;
	if (sram_size) {
		sram_size = (sram_size + RKNPU_PAGE_SIZE - 1) & ~(uint64_t)(RKNPU_PAGE_SIZE - 1);
		if (want > sram_size)
			want = sram_size;
	}
	if (want > free_bytes)
		want = free_bytes;
	if (!want)
		return;
	ret = rknpu_sram_alloc(rdev, want, &phys);
	if (ret) {
		rknpu_warn(rdev, "mm allocate %llu failed, ret: %d, free size: %llu",
			   (unsigned long long)want, ret,
			   (unsigned long long)rknpu_sram_free_bytes(rdev));
		return;
	}
	obj->sram_phys = phys;
	obj->sram_size = want;
}

int rknpu_gem_create_ioctl(struct rknpu_file *file, void *data)
{
	struct rknpu_device *rdev = file->rdev;
	struct rknpu_mem_create *args = data;
	struct rknpu_gem_object *obj;
	struct rnpu_osal_dma_buf *buf;
	struct rnpu_osal_dma_info info;
	uint32_t handle;
	int ret;

	/* An existing handle is reported, not reallocated (used after a
	 * PRIME import to learn obj_addr/dma_addr). */
	if (args->handle) {
		obj = rknpu_gem_lookup_handle(file, args->handle);
		if (obj) {
			rknpu_mem_create_report(file, args, obj);
			rknpu_gem_put(obj);
			return 0;
		}
	}
	if (args->size == 0) {
		rknpu_err(rdev, "invalid buffer size: 0");
		return -EINVAL;
	}
	if (args->size > (1ull << 32)) {
		/* The NPU sees 32-bit addresses: nothing larger can be mapped. */
		rknpu_err(rdev, "invalid buffer size: %llu (limit 4 GiB)",
			  (unsigned long long)args->size);
		return -EINVAL;
	}
	if (args->iommu_domain_id < 0 || args->iommu_domain_id >= RKNPU_MAX_IOMMU_DOMAINS) {
		rknpu_err(rdev, "invalid iommu domain id: %d, reuse domain id: %d",
			  args->iommu_domain_id, rdev->iommu_domain_id);
		return -EINVAL;
	}
	if ((args->flags & RKNPU_MEM_NON_CONTIGUOUS) && !rdev->plat.iommu &&
	    !rknpu_atomic_read_bool(&rdev->warned_noncontig)) {
		rknpu_atomic_set_bool(&rdev->warned_noncontig, true);
		rknpu_warn(rdev, "non-contiguous allocation is not supported without IOMMU, "
				 "falling back to contiguous buffer");
	}

	/* Refuse before allocating; the handle creation checks again. */
	rnpu_osal_mutex_lock(file->lock);
	ret = rknpu_session_limit_check(file, (args->size + RKNPU_PAGE_SIZE - 1) &
						      ~(uint64_t)(RKNPU_PAGE_SIZE - 1));
	rnpu_osal_mutex_unlock(file->lock);
	if (ret)
		return ret;
	ret = rnpu_osal_dma_alloc(rdev->plat.dev, (size_t)args->size,
				  rknpu_gem_osal_flags(rdev, args->flags), &buf, &info);
	if (ret) {
		/* The vendor reports allocation failures as EINVAL. */
		rknpu_err(rdev, "failed to allocate %llu buffer.", (unsigned long long)args->size);
		return -EINVAL;
	}
	obj = rknpu_gem_alloc_object(rdev, buf, &info);
	if (!obj) {
		rnpu_osal_dma_put(buf);
		return -ENOMEM;
	}
	obj->flags = args->flags;
	obj->osal_flags = rknpu_gem_osal_flags(rdev, args->flags);
	obj->kvaddr = (args->flags & RKNPU_MEM_KERNEL_MAPPING) ? info.vaddr : NULL;
	obj->iommu_domain_id = args->iommu_domain_id;
	if (args->flags & RKNPU_MEM_TRY_ALLOC_SRAM)
		rknpu_gem_try_sram(rdev, obj, args->sram_size);

	ret = rknpu_gem_handle_create(file, obj, &handle);
	rknpu_gem_put(obj); /* the handle owns the object now */
	if (ret)
		return ret;
	args->handle = handle;
	rknpu_mem_create_report(file, args, obj);
	rknpu_dbg(rdev, RKNPU_DBG_GEM, "file %u: handle %u size %llu dma 0x%llx flags 0x%x",
		  file->id, handle, (unsigned long long)args->size,
		  (unsigned long long)args->dma_addr, args->flags);
	return 0;
}

int rknpu_gem_map_ioctl(struct rknpu_file *file, void *data)
{
	struct rknpu_mem_map *args = data;
	struct rknpu_gem_object *obj = rknpu_gem_lookup_handle(file, args->handle);
	int ret = 0;

	if (!obj)
		return -ENOENT;
	if (obj->imported)
		ret = -EINVAL; /* imported objects are mapped through their exporter */
	else
		args->offset = RKNPU_MMAP_OFFSET_START + ((uint64_t)obj->slot << RKNPU_MMAP_SLOT_SHIFT);
	rknpu_gem_put(obj);
	return ret;
}

int rknpu_gem_destroy_ioctl(struct rknpu_file *file, void *data)
{
	struct rknpu_mem_destroy *args = data;

	/* The DRM path identifies the object by handle; obj_addr is ignored. */
	return rknpu_gem_handle_delete(file, args->handle);
}

int rknpu_gem_sync_ioctl(struct rknpu_file *file, void *data)
{
	struct rknpu_device *rdev = file->rdev;
	struct rknpu_mem_sync *args = data;
	struct rknpu_gem_object *obj = rknpu_gem_lookup_cookie(rdev, args->obj_addr);
	int ret = 0;

	if (!obj) {
		rknpu_err(rdev, "mem sync: unknown obj_addr 0x%llx",
			  (unsigned long long)args->obj_addr);
		return -EINVAL;
	}
	if (!(obj->flags & RKNPU_MEM_CACHEABLE) || obj->imported) {
		rknpu_err(rdev, "mem sync: obj_addr 0x%llx is %s, only cacheable objects sync",
			  (unsigned long long)args->obj_addr,
			  obj->imported ? "imported" : "not cacheable");
		ret = -EINVAL;
		goto out;
	}
	if (args->offset > obj->info.size || args->size > obj->info.size - args->offset) {
		rknpu_err(rdev, "mem sync out of bounds: offset %llu size %llu object size %zu",
			  (unsigned long long)args->offset, (unsigned long long)args->size,
			  obj->info.size);
		ret = -EINVAL;
		goto out;
	}
	if (args->flags & (RKNPU_MEM_SYNC_TO_DEVICE | RKNPU_MEM_SYNC_FROM_DEVICE))
		rnpu_osal_dma_sync(obj->buf, args->offset, args->size,
				   args->flags & (RNPU_OSAL_SYNC_TO_DEVICE | RNPU_OSAL_SYNC_FROM_DEVICE));
out:
	rknpu_gem_put(obj);
	return ret;
}

int rknpu_gem_close_ioctl(struct rknpu_file *file, void *data)
{
	struct rnpu_drm_gem_close *args = data;

	return rknpu_gem_handle_delete(file, args->handle);
}

int rknpu_gem_flink_ioctl(struct rknpu_file *file, void *data)
{
	struct rnpu_drm_gem_flink *args = data;
	struct rknpu_gem_object *obj = rknpu_gem_lookup_handle(file, args->handle);

	if (!obj)
		return -ENOENT;
	rnpu_osal_mutex_lock(file->rdev->obj_lock);
	obj->flinked = true;
	rnpu_osal_mutex_unlock(file->rdev->obj_lock);
	args->name = obj->slot + 1;
	rknpu_gem_put(obj);
	return 0;
}

int rknpu_gem_open_ioctl(struct rknpu_file *file, void *data)
{
	struct rknpu_device *rdev = file->rdev;
	struct rnpu_drm_gem_open *args = data;
	struct rknpu_gem_object *obj = NULL;
	uint32_t handle;
	int ret;

	rnpu_osal_mutex_lock(rdev->obj_lock);
	if (args->name && args->name - 1 < rdev->obj_used && rdev->objs[args->name - 1] &&
	    rdev->objs[args->name - 1]->flinked) {
		obj = rdev->objs[args->name - 1];
		rknpu_gem_get(obj);
	}
	rnpu_osal_mutex_unlock(rdev->obj_lock);
	if (!obj)
		return -ENOENT;
	ret = rknpu_gem_handle_create(file, obj, &handle);
	if (!ret) {
		args->handle = handle;
		args->size = obj->info.size;
	}
	rknpu_gem_put(obj);
	return ret;
}

int rknpu_prime_handle_to_fd_ioctl(struct rknpu_file *file, void *data)
{
	struct rnpu_drm_prime_handle *args = data;
	struct rknpu_gem_object *obj;
	int ret, fd;

	if (args->flags & ~(RNPU_DRM_CLOEXEC | RNPU_DRM_RDWR))
		return -EINVAL;
	obj = rknpu_gem_lookup_handle(file, args->handle);
	if (!obj)
		return -ENOENT;
	ret = rnpu_osal_dma_export_fd(obj->buf, args->flags, &fd);
	if (!ret) {
		rnpu_osal_mutex_lock(file->rdev->obj_lock);
		if (!obj->exported) {
			obj->identity = rnpu_osal_dma_identity(obj->buf);
			obj->exported = true;
		}
		rnpu_osal_mutex_unlock(file->rdev->obj_lock);
		args->fd = fd;
	}
	rknpu_gem_put(obj);
	return ret;
}

/* An object of this device already behind dma-buf @id, with a reference. */
static struct rknpu_gem_object *rknpu_gem_find_identity(struct rknpu_device *rdev, uint64_t id)
{
	struct rknpu_gem_object *obj = NULL;
	uint32_t i;

	rnpu_osal_mutex_lock(rdev->obj_lock);
	for (i = 0; i < rdev->obj_used; i++) {
		if (rdev->objs[i] && rdev->objs[i]->exported && rdev->objs[i]->identity == id) {
			obj = rdev->objs[i];
			rknpu_gem_get(obj);
			break;
		}
	}
	rnpu_osal_mutex_unlock(rdev->obj_lock);
	return obj;
}

int rknpu_prime_fd_to_handle_ioctl(struct rknpu_file *file, void *data)
{
	struct rknpu_device *rdev = file->rdev;
	struct rnpu_drm_prime_handle *args = data;
	struct rknpu_gem_object *obj;
	struct rnpu_osal_dma_buf *buf;
	struct rnpu_osal_dma_info info;
	uint64_t id;
	uint32_t handle;
	int ret;

	ret = rnpu_osal_dma_fd_identity(args->fd, &id);
	if (ret)
		return ret;
	obj = rknpu_gem_find_identity(rdev, id);
	if (!obj) {
		ret = rnpu_osal_dma_import_fd(rdev->plat.dev, args->fd, &buf, &info);
		if (ret)
			return ret;
		obj = rknpu_gem_alloc_object(rdev, buf, &info);
		if (!obj) {
			rnpu_osal_dma_put(buf);
			return -ENOMEM;
		}
		obj->imported = true;
		obj->flags = info.contiguous ? RKNPU_MEM_CONTIGUOUS : RKNPU_MEM_NON_CONTIGUOUS;
		obj->identity = id;
		obj->exported = true;
	}
	/* One handle per object and session, as DRM's PRIME does. */
	rnpu_osal_mutex_lock(file->lock);
	handle = rknpu_handles_find(&file->handles, obj);
	rnpu_osal_mutex_unlock(file->lock);
	if (!handle)
		ret = rknpu_gem_handle_create(file, obj, &handle);
	if (!ret)
		args->handle = handle;
	rknpu_gem_put(obj);
	return ret;
}

int rknpu_mmap(struct rknpu_file *file, uint64_t offset, struct rnpu_osal_vma *vma)
{
	struct rknpu_device *rdev = file->rdev;
	struct rknpu_gem_object *obj = NULL;
	uint64_t rel = offset - RKNPU_MMAP_OFFSET_START;
	uint32_t slot = (uint32_t)(rel >> RKNPU_MMAP_SLOT_SHIFT);
	int ret;

	if (offset < RKNPU_MMAP_OFFSET_START || (rel & ((1ull << RKNPU_MMAP_SLOT_SHIFT) - 1)))
		return -EINVAL; /* maps always start at an object's beginning */
	rnpu_osal_mutex_lock(rdev->obj_lock);
	if (slot < rdev->obj_used && rdev->objs[slot]) {
		obj = rdev->objs[slot];
		rknpu_gem_get(obj);
	}
	rnpu_osal_mutex_unlock(rdev->obj_lock);
	if (!obj)
		return -EINVAL;
	/* As the DRM core: the session must hold a handle for the object. */
	if (!rknpu_gem_file_holds(file, obj)) {
		ret = -EACCES;
		goto out;
	}
	if (rnpu_osal_vma_length(vma) > obj->info.size) {
		ret = -EINVAL;
		goto out;
	}
	/* An object with SRAM: the CPU sees what the NPU sees, SRAM first. */
	if (obj->sram_size)
		ret = rnpu_osal_dma_mmap_split(rdev->plat.dev, obj->sram_phys, obj->sram_size,
					       obj->buf, vma, obj->osal_flags);
	else
		ret = rnpu_osal_dma_mmap(obj->buf, vma, obj->osal_flags);
out:
	rknpu_gem_put(obj);
	return ret;
}
