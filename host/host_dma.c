// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * DMA memory of the userspace host. Every buffer is a memfd: that memfd is
 * its dma-buf (export hands out a dup, import accepts any memfd). Its pages
 * are entered in the frame table so the software NPU reaches them by
 * physical address. Buffers of up to 16 pages start in a shared slab memfd
 * (host_slab.c) and get a memfd of their own, mapped over the same
 * address, when they are first exported or mapped by userspace. Larger
 * buffers never shared nor mapped by a process are kept in a pool and
 * zeroed on reuse, which spares the system calls of memfd creation on the
 * hot create/destroy path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drm/rnpu_drm_core.h"
#include "host_internal.h"

void rnpu_memfd_pool_init(struct rnpu_memfd_pool *pool)
{
	memset(pool, 0, sizeof(*pool));
	pthread_mutex_init(&pool->lock, NULL);
}

void rnpu_memfd_pool_fini(struct rnpu_memfd_pool *pool)
{
	unsigned int c, i;

	for (c = 0; c <= RNPU_POOL_MAX_PAGES; c++) {
		for (i = 0; i < pool->cls[c].count; i++) {
			munmap(pool->cls[c].addr[i], (size_t)c * RNPU_HOST_PAGE_SIZE);
			close(pool->cls[c].fd[i]);
		}
	}
	pthread_mutex_destroy(&pool->lock);
}

static bool pool_take(struct rnpu_memfd_pool *pool, uint32_t npages, int *fd, void **addr)
{
	bool ok = false;

	if (npages > RNPU_POOL_MAX_PAGES)
		return false;
	pthread_mutex_lock(&pool->lock);
	if (pool->cls[npages].count) {
		unsigned int i = --pool->cls[npages].count;

		*fd = pool->cls[npages].fd[i];
		*addr = pool->cls[npages].addr[i];
		ok = true;
	}
	pthread_mutex_unlock(&pool->lock);
	return ok;
}

static bool pool_give(struct rnpu_memfd_pool *pool, uint32_t npages, int fd, void *addr)
{
	bool ok = false;

	if (npages > RNPU_POOL_MAX_PAGES)
		return false;
	pthread_mutex_lock(&pool->lock);
	if (pool->cls[npages].count < RNPU_POOL_PER_CLASS) {
		unsigned int i = pool->cls[npages].count++;

		pool->cls[npages].fd[i] = fd;
		pool->cls[npages].addr[i] = addr;
		ok = true;
	}
	pthread_mutex_unlock(&pool->lock);
	return ok;
}

static int memfd_new(size_t size, int *fd, void **addr)
{
	int f = memfd_create("rnpu-bo", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	void *a;

	if (f < 0)
		return -errno;
	if (ftruncate(f, (off_t)size) < 0) {
		int err = -errno;

		close(f);
		return err;
	}
	a = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
	if (a == MAP_FAILED) {
		int err = -errno;

		close(f);
		return err;
	}
	*fd = f;
	*addr = a;
	return 0;
}

static void buf_fill_info(const struct rnpu_osal_dma_buf *buf, struct rnpu_osal_dma_info *info,
			  bool kmap)
{
	info->size = buf->size;
	info->dma_addr = (uint64_t)buf->pfn << RNPU_HOST_PAGE_SHIFT;
	info->vaddr = kmap ? buf->addr : NULL;
	info->contiguous = true;
}

int rnpu_osal_dma_alloc(struct rnpu_osal_dev *dev, size_t size, unsigned int flags,
			struct rnpu_osal_dma_buf **out, struct rnpu_osal_dma_info *info)
{
	struct rnpu_host *host = dev->host;
	struct rnpu_osal_dma_buf *buf;
	void *addr = NULL;
	int fd = -1, ret;
	size_t rounded;

	if (size == 0 || size > (size_t)RNPU_HOST_PHYS_FRAMES * RNPU_HOST_PAGE_SIZE)
		return -EINVAL;
	if ((flags & RNPU_OSAL_DMA_CONTIGUOUS) && host->cfg.contig_max_bytes &&
	    size > host->cfg.contig_max_bytes)
		return -ENOMEM;
	rounded = (size + RNPU_HOST_PAGE_SIZE - 1) & ~(size_t)(RNPU_HOST_PAGE_SIZE - 1);
	buf = calloc(1, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	buf->host = host;
	buf->size = rounded;
	buf->npages = (uint32_t)(rounded >> RNPU_HOST_PAGE_SHIFT);
	if (buf->npages <= RNPU_SLAB_MAX_PAGES) {
		/* Slab pages read zero: fresh, or punched when freed. */
		ret = rnpu_slab_alloc(&host->slabs, buf->npages, &buf->slab, &buf->slab_first);
		if (ret) {
			free(buf);
			return ret;
		}
		addr = buf->slab->addr + (size_t)buf->slab_first * RNPU_HOST_PAGE_SIZE;
	} else if (pool_take(&host->pool, buf->npages, &fd, &addr)) {
		/* A reused buffer may hold another session's data: always
		 * clear it, whatever the ZERO flag says. */
		memset(addr, 0, rounded);
	} else {
		ret = memfd_new(rounded, &fd, &addr);
		if (ret) {
			free(buf);
			return ret;
		}
	}
	buf->fd = fd;
	buf->addr = addr;
	ret = rnpu_frames_map(&host->frames, buf->addr, buf->npages, &buf->pfn);
	if (ret) {
		if (buf->slab) {
			rnpu_slab_free(&host->slabs, buf->slab, buf->slab_first, buf->npages);
		} else {
			munmap(addr, rounded);
			close(fd);
		}
		free(buf);
		return ret;
	}
	buf_fill_info(buf, info, flags & RNPU_OSAL_DMA_KMAP);
	*out = buf;
	return 0;
}

/* Gives a slab buffer a memfd of its own, mapped over the same address
 * (the core's CPU pointer and the frame table stay valid), so it can be
 * shared or mapped without exposing its slab neighbours. */
static int buf_promote(struct rnpu_osal_dma_buf *buf)
{
	struct rnpu_host *host = buf->host;
	size_t done = 0;
	int f, ret = 0;

	pthread_mutex_lock(&host->promote_lock);
	if (buf->fd >= 0)
		goto out;
	f = memfd_create("rnpu-bo", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (f < 0 || ftruncate(f, (off_t)buf->size) < 0) {
		ret = -errno;
		if (f >= 0)
			close(f);
		goto out;
	}
	/* No DMA while the pages move (walks hold the lock for reading). */
	pthread_rwlock_wrlock(&host->frames.lock);
	while (done < buf->size) {
		ssize_t n = pwrite(f, buf->addr + done, buf->size - done, (off_t)done);

		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (done != buf->size ||
	    mmap(buf->addr, buf->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, f, 0) ==
		    MAP_FAILED) {
		ret = -ENOMEM;
		close(f);
	} else {
		buf->fd = f;
	}
	pthread_rwlock_unlock(&host->frames.lock);
out:
	pthread_mutex_unlock(&host->promote_lock);
	return ret;
}

static void buf_put_slab(struct rnpu_osal_dma_buf *buf)
{
	struct rnpu_host *host = buf->host;

	if (buf->fd >= 0) {
		/* Put the slab's pages back under the address first. */
		if (mmap(buf->addr, buf->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 buf->slab->fd, (off_t)buf->slab_first * RNPU_HOST_PAGE_SIZE) == MAP_FAILED)
			return; /* keep the slot: its address range is not the slab's */
		close(buf->fd);
	}
	rnpu_slab_free(&host->slabs, buf->slab, buf->slab_first, buf->npages);
}

void rnpu_osal_dma_put(struct rnpu_osal_dma_buf *buf)
{
	if (!buf)
		return;
	rnpu_frames_unmap(&buf->host->frames, buf->pfn, buf->npages);
	if (buf->slab) {
		buf_put_slab(buf);
	} else if (buf->shared || !pool_give(&buf->host->pool, buf->npages, buf->fd, buf->addr)) {
		munmap(buf->addr, buf->size);
		close(buf->fd);
	}
	free(buf);
}

void rnpu_osal_dma_sync(struct rnpu_osal_dma_buf *buf, uint64_t offset, uint64_t size,
			unsigned int dir)
{
	/* The host's CPU and the software NPU share coherent memory; a full
	 * barrier orders the CPU's accesses against the NPU's. */
	(void)buf;
	(void)offset;
	(void)size;
	(void)dir;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

int rnpu_osal_dma_export_fd(struct rnpu_osal_dma_buf *buf, unsigned int flags, int *fd)
{
	int f, ret = buf_promote(buf);

	if (ret)
		return ret;
	f = fcntl(buf->fd, (flags & RNPU_DRM_CLOEXEC) ? F_DUPFD_CLOEXEC : F_DUPFD, 0);
	if (f < 0)
		return -errno;
	buf->shared = true;
	*fd = f;
	return 0;
}

int rnpu_osal_dma_fd_identity(int fd, uint64_t *id)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -EBADF;
	/* Only memfds stand in for dma-bufs here. */
	if (fcntl(fd, F_GET_SEALS) < 0)
		return -EINVAL;
	*id = (uint64_t)st.st_ino ^ ((uint64_t)st.st_dev << 48);
	return 0;
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
	uint64_t id = 0;

	if (!buf->identity && buf_promote(buf) == 0 &&
	    rnpu_osal_dma_fd_identity(buf->fd, &id) == 0)
		buf->identity = id;
	return buf->identity;
}

int rnpu_osal_dma_import_fd(struct rnpu_osal_dev *dev, int fd, struct rnpu_osal_dma_buf **out,
			    struct rnpu_osal_dma_info *info)
{
	struct rnpu_osal_dma_buf *buf;
	struct stat st;
	uint64_t id;
	int ret;

	ret = rnpu_osal_dma_fd_identity(fd, &id);
	if (ret)
		return ret;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 ||
	    (uint64_t)st.st_size > (uint64_t)RNPU_HOST_PHYS_FRAMES * RNPU_HOST_PAGE_SIZE)
		return -EINVAL;
	buf = calloc(1, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	buf->host = dev->host;
	buf->shared = true;
	buf->identity = id;
	buf->size = ((size_t)st.st_size + RNPU_HOST_PAGE_SIZE - 1) & ~(size_t)(RNPU_HOST_PAGE_SIZE - 1);
	buf->npages = (uint32_t)(buf->size >> RNPU_HOST_PAGE_SHIFT);
	buf->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (buf->fd < 0) {
		ret = -errno;
		goto err_free;
	}
	/* Map only what the file really holds: pages past its end would
	 * raise SIGBUS when the NPU touched them. */
	if ((size_t)st.st_size != buf->size) {
		ret = -EINVAL;
		goto err_close;
	}
	buf->addr = mmap(NULL, buf->size, PROT_READ | PROT_WRITE, MAP_SHARED, buf->fd, 0);
	if (buf->addr == MAP_FAILED) {
		ret = -errno;
		goto err_close;
	}
	ret = rnpu_frames_map(&dev->host->frames, buf->addr, buf->npages, &buf->pfn);
	if (ret)
		goto err_unmap;
	buf_fill_info(buf, info, false);
	*out = buf;
	return 0;

err_unmap:
	munmap(buf->addr, buf->size);
err_close:
	close(buf->fd);
err_free:
	free(buf);
	return ret;
}

int rnpu_osal_dma_mmap(struct rnpu_osal_dma_buf *buf, struct rnpu_osal_vma *vma,
		       unsigned int flags)
{
	/* Cache attributes have no meaning on the host's coherent memory. */
	int ret = buf_promote(buf);
	void *a;

	(void)flags;
	if (ret)
		return ret;
	if (vma->want_fd) {
		vma->fd = fcntl(buf->fd, F_DUPFD_CLOEXEC, 0);
		if (vma->fd < 0)
			return -errno;
		/* Mapped elsewhere: the memfd must never be recycled for
		 * another buffer while that mapping may live. */
		buf->shared = true;
		return 0;
	}
	a = mmap(NULL, vma->length, vma->prot, MAP_SHARED, buf->fd, 0);
	if (a == MAP_FAILED)
		return -errno;
	/* The mapping may outlive the buffer (munmap is the caller's): the
	 * memfd must not be recycled for another buffer, or another session. */
	buf->shared = true;
	vma->addr = a;
	return 0;
}

int rnpu_osal_dma_mmap_split(struct rnpu_osal_dev *dev, uint64_t head_phys, size_t head_len,
			     struct rnpu_osal_dma_buf *buf, struct rnpu_osal_vma *vma,
			     unsigned int flags)
{
	struct rnpu_host *host = dev->host;
	struct rnpu_osal_dma_buf *sram = host->sram;
	uint8_t *a;
	int ret = buf_promote(buf), sram_fd;
	off_t sram_off;

	(void)flags;
	if (ret)
		return ret;
	if (head_len > vma->length)
		head_len = vma->length;
	if (!sram || head_phys < host->sram_phys ||
	    head_phys - host->sram_phys > sram->size ||
	    head_len > sram->size - (head_phys - host->sram_phys) || vma->length - head_len > buf->size)
		return -EINVAL;
	/* A small SRAM region may sit in a slab. */
	sram_fd = sram->slab && sram->fd < 0 ? sram->slab->fd : sram->fd;
	sram_off = sram->slab && sram->fd < 0 ? (off_t)sram->slab_first * RNPU_HOST_PAGE_SIZE : 0;
	/* Reserve the whole range, then lay both files over it. */
	a = mmap(NULL, vma->length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		return -errno;
	if (mmap(a, head_len, vma->prot, MAP_SHARED | MAP_FIXED, sram_fd,
		 sram_off + (off_t)(head_phys - host->sram_phys)) == MAP_FAILED ||
	    (vma->length > head_len &&
	     mmap(a + head_len, vma->length - head_len, vma->prot, MAP_SHARED | MAP_FIXED, buf->fd,
		  0) == MAP_FAILED)) {
		int err = -errno;

		munmap(a, vma->length);
		return err;
	}
	vma->addr = a;
	return 0;
}

size_t rnpu_osal_vma_length(const struct rnpu_osal_vma *vma)
{
	return vma->length;
}

int rnpu_osal_set_nice(int nice)
{
	/* Lowering the nice value needs privileges the caller may lack;
	 * the host applies what the OS allows. */
	if (setpriority(PRIO_PROCESS, 0, nice) < 0)
		return -errno;
	return 0;
}
