// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * An open MMZ (media memory zone) allocator: physically contiguous blocks
 * from the OS services' DMA memory, cached or not, found by physical or
 * CPU address, with cache maintenance by range and leak accounting.
 */
#include "kpu_internal.h"

#define KPU_MMZ_MMB_NAME 16
#define KPU_MMZ_ZONE_NAME 32

struct kpu_mmz_block {
	struct kpu_mmz_block *next;
	struct rnpu_osal_dma_buf *buf;
	uint64_t phys;
	uint8_t *virt;
	uint64_t size;          /* page-rounded */
	bool cached;
	char mmb[KPU_MMZ_MMB_NAME];
	char zone[KPU_MMZ_ZONE_NAME];
};

struct kpu_mmz {
	struct rnpu_osal_dev *dev;
	/* Protects blocks and stats; held across cache maintenance so a
	 * block cannot be freed under it. */
	struct rnpu_osal_mutex *lock;
	struct kpu_mmz_block *blocks;
	struct kpu_mmz_stats stats;
};

int kpu_mmz_create(struct rnpu_osal_dev *dev, struct kpu_mmz **out)
{
	struct kpu_mmz *mmz;
	int ret;

	if (!dev || !out)
		return -EINVAL;
	mmz = rnpu_osal_zalloc(sizeof(*mmz));
	if (!mmz)
		return -ENOMEM;
	ret = rnpu_osal_mutex_create(&mmz->lock);
	if (ret) {
		rnpu_osal_free(mmz);
		return ret;
	}
	mmz->dev = dev;
	*out = mmz;
	return 0;
}

static void kpu_mmz_block_free(struct kpu_mmz_block *b)
{
	rnpu_osal_dma_put(b->buf);
	rnpu_osal_free(b);
}

unsigned int kpu_mmz_destroy(struct kpu_mmz *mmz)
{
	unsigned int leaked = 0;

	if (!mmz)
		return 0;
	while (mmz->blocks) {
		struct kpu_mmz_block *b = mmz->blocks;

		mmz->blocks = b->next;
		rnpu_osal_log(RNPU_LOG_WARN, "mmz: leak: block \"%s\" in zone \"%s\", phys 0x%llx, %llu bytes",
			      b->mmb, b->zone, (unsigned long long)b->phys,
			      (unsigned long long)b->size);
		kpu_mmz_block_free(b);
		leaked++;
	}
	rnpu_osal_mutex_destroy(mmz->lock);
	rnpu_osal_free(mmz);
	return leaked;
}

static void kpu_mmz_copy_name(char *dst, unsigned int cap, const char *src, const char *dflt)
{
	unsigned int i;

	if (!src)
		src = dflt;
	for (i = 0; i + 1 < cap && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

int kpu_mmz_alloc(struct kpu_mmz *mmz, uint32_t len, bool cached, const char *mmb,
		  const char *zone, uint64_t *phys, void **virt)
{
	struct rnpu_osal_dma_info info;
	struct kpu_mmz_block *b;
	unsigned int flags = RNPU_OSAL_DMA_CONTIGUOUS | RNPU_OSAL_DMA_KMAP | RNPU_OSAL_DMA_ZERO |
			     (cached ? RNPU_OSAL_DMA_CACHEABLE : 0);
	int ret;

	if (!len) {
		rnpu_osal_log(RNPU_LOG_ERR, "mmz: alloc of length 0");
		return -EINVAL;
	}
	b = rnpu_osal_zalloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	ret = rnpu_osal_dma_alloc(mmz->dev, len, flags, &b->buf, &info);
	if (ret) {
		rnpu_osal_log(RNPU_LOG_ERR, "mmz: alloc of %u bytes (%s): error %d", len,
			      cached ? "cached" : "non-cached", ret);
		rnpu_osal_free(b);
		return ret == -EINVAL ? -EINVAL : -ENOMEM;
	}
	b->phys = info.dma_addr;
	b->virt = info.vaddr;
	b->size = info.size;
	b->cached = cached;
	/* The vendor names an unnamed block "null". */
	kpu_mmz_copy_name(b->mmb, sizeof(b->mmb), mmb, "null");
	kpu_mmz_copy_name(b->zone, sizeof(b->zone), zone, "anonymous");
	rnpu_osal_mutex_lock(mmz->lock);
	b->next = mmz->blocks;
	mmz->blocks = b;
	mmz->stats.blocks++;
	mmz->stats.allocs++;
	mmz->stats.bytes += b->size;
	if (mmz->stats.bytes > mmz->stats.peak_bytes)
		mmz->stats.peak_bytes = mmz->stats.bytes;
	rnpu_osal_mutex_unlock(mmz->lock);
	*phys = b->phys;
	*virt = b->virt;
	return 0;
}

int kpu_mmz_free(struct kpu_mmz *mmz, uint64_t phys, void *virt)
{
	struct kpu_mmz_block **pp, *b;

	rnpu_osal_mutex_lock(mmz->lock);
	for (pp = &mmz->blocks; *pp; pp = &(*pp)->next)
		if ((*pp)->phys == phys)
			break;
	b = *pp;
	if (!b) {
		rnpu_osal_mutex_unlock(mmz->lock);
		rnpu_osal_log(RNPU_LOG_ERR, "mmz: free of phys 0x%llx: no block starts there",
			      (unsigned long long)phys);
		return -ENOENT;
	}
	if (virt && virt != (void *)b->virt) {
		rnpu_osal_mutex_unlock(mmz->lock);
		rnpu_osal_log(RNPU_LOG_ERR, "mmz: free of phys 0x%llx with virt %p (block is at %p)",
			      (unsigned long long)phys, virt, (void *)b->virt);
		return -EINVAL;
	}
	*pp = b->next;
	mmz->stats.blocks--;
	mmz->stats.frees++;
	mmz->stats.bytes -= b->size;
	rnpu_osal_mutex_unlock(mmz->lock);
	kpu_mmz_block_free(b);
	return 0;
}

/* Under mmz->lock. Block holding [phys, phys + size), or NULL. */
static struct kpu_mmz_block *kpu_mmz_find_phys(struct kpu_mmz *mmz, uint64_t phys, uint64_t size)
{
	struct kpu_mmz_block *b;

	for (b = mmz->blocks; b; b = b->next)
		if (phys >= b->phys && phys - b->phys < b->size && size <= b->size - (phys - b->phys))
			return b;
	return NULL;
}

int kpu_mmz_phys_to_virt(struct kpu_mmz *mmz, uint64_t phys, uint32_t size, void **virt,
			 bool *cached)
{
	struct kpu_mmz_block *b;

	rnpu_osal_mutex_lock(mmz->lock);
	b = kpu_mmz_find_phys(mmz, phys, size);
	if (b) {
		*virt = b->virt + (phys - b->phys);
		if (cached)
			*cached = b->cached;
	}
	rnpu_osal_mutex_unlock(mmz->lock);
	if (!b) {
		rnpu_osal_log(RNPU_LOG_ERR, "mmz: phys 0x%llx + %u is not inside one block",
			      (unsigned long long)phys, size);
		return -EFAULT;
	}
	return 0;
}

int kpu_mmz_virt_to_phys(struct kpu_mmz *mmz, const void *virt, uint64_t *phys, bool *cached)
{
	const uint8_t *p = virt;
	struct kpu_mmz_block *b;

	rnpu_osal_mutex_lock(mmz->lock);
	for (b = mmz->blocks; b; b = b->next)
		if (p >= b->virt && p < b->virt + b->size)
			break;
	if (b) {
		*phys = b->phys + (uint64_t)(p - b->virt);
		if (cached)
			*cached = b->cached;
	}
	rnpu_osal_mutex_unlock(mmz->lock);
	if (!b) {
		rnpu_osal_log(RNPU_LOG_ERR, "mmz: address %p is not inside a block", virt);
		return -EFAULT;
	}
	return 0;
}

int kpu_mmz_sync(struct kpu_mmz *mmz, uint64_t phys, const void *virt, uint32_t size,
		 unsigned int dir)
{
	struct kpu_mmz_block *b;
	int ret = 0;

	rnpu_osal_mutex_lock(mmz->lock);
	if (phys == 0) {
		/* The whole cache: every cached block. */
		for (b = mmz->blocks; b; b = b->next)
			if (b->cached)
				rnpu_osal_dma_sync(b->buf, 0, b->size, dir);
		goto out;
	}
	b = kpu_mmz_find_phys(mmz, phys, size);
	if (!b || (const uint8_t *)virt != b->virt + (phys - b->phys)) {
		rnpu_osal_log(RNPU_LOG_ERR, "mmz: sync of phys 0x%llx + %u at %p: %s",
			      (unsigned long long)phys, size, virt,
			      b ? "address does not match the block's" : "not inside one block");
		ret = -EFAULT;
		goto out;
	}
	if (b->cached && size)
		rnpu_osal_dma_sync(b->buf, phys - b->phys, size, dir);
out:
	rnpu_osal_mutex_unlock(mmz->lock);
	return ret;
}

void kpu_mmz_get_stats(struct kpu_mmz *mmz, struct kpu_mmz_stats *out)
{
	rnpu_osal_mutex_lock(mmz->lock);
	*out = mmz->stats;
	rnpu_osal_mutex_unlock(mmz->lock);
}
