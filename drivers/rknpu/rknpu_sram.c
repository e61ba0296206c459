// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * On-chip SRAM for buffer objects (RKNPU_MEM_TRY_ALLOC_SRAM): a bitmap of
 * page-sized chunks over the region the platform names, allocated first
 * fit, as the vendor's SRAM manager does. Only used in IOMMU mode, where an
 * object's SRAM part and its memory can form one device address range.
 */
#include "rknpu_internal.h"

int rknpu_sram_init(struct rknpu_device *rdev)
{
	const struct rknpu_platform *plat = &rdev->plat;
	uint64_t start, end;
	struct rknpu_sram *s;
	int ret;

	if (!plat->sram_size)
		return 0;
	if (!plat->iommu) {
		rknpu_info(rdev, "sram needs iommu mode, not used");
		return 0;
	}
	/* Whole pages only: start rounded up, end rounded down. */
	start = (plat->sram_phys + RKNPU_PAGE_SIZE - 1) & ~(uint64_t)(RKNPU_PAGE_SIZE - 1);
	end = (plat->sram_phys + plat->sram_size) & ~(uint64_t)(RKNPU_PAGE_SIZE - 1);
	if (end <= start || end - start > 0x80000000ull) {
		rknpu_err(rdev, "invalid sram region: [%#llx, %#llx)",
			  (unsigned long long)plat->sram_phys,
			  (unsigned long long)(plat->sram_phys + plat->sram_size));
		return -EINVAL;
	}
	s = rnpu_osal_zalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->base = start;
	s->chunk_size = RKNPU_PAGE_SIZE;
	s->total_chunks = (uint32_t)((end - start) / RKNPU_PAGE_SIZE);
	s->free_chunks = s->total_chunks;
	s->bitmap = rnpu_osal_zalloc_array((s->total_chunks + 63u) / 64u, sizeof(*s->bitmap));
	ret = s->bitmap ? rnpu_osal_mutex_create(&s->lock) : -ENOMEM;
	if (ret) {
		rnpu_osal_free(s->bitmap);
		rnpu_osal_free(s);
		return ret;
	}
	rdev->sram = s;
	rknpu_info(rdev, "sram region: [%#llx, %#llx), sram size: %#x", (unsigned long long)start,
		   (unsigned long long)end, (unsigned int)(end - start));
	return 0;
}

void rknpu_sram_fini(struct rknpu_device *rdev)
{
	struct rknpu_sram *s = rdev->sram;

	if (!s)
		return;
	if (s->free_chunks != s->total_chunks)
		rknpu_err(rdev, "%u sram chunks still allocated at remove",
			  s->total_chunks - s->free_chunks);
	rnpu_osal_mutex_destroy(s->lock);
	rnpu_osal_free(s->bitmap);
	rnpu_osal_free(s);
	rdev->sram = NULL;
}

static void rknpu_sram_mark(struct rknpu_sram *s, uint32_t first, uint32_t n, bool used)
{
	uint32_t i;

	for (i = first; i < first + n; i++) {
		if (used)
			s->bitmap[i / 64u] |= 1ull << (i % 64u);
		else
			s->bitmap[i / 64u] &= ~(1ull << (i % 64u));
	}
}

int rknpu_sram_alloc(struct rknpu_device *rdev, uint64_t size, uint64_t *phys)
{
	struct rknpu_sram *s = rdev->sram;
	uint64_t chunks64;
	uint32_t chunks, i, run = 0;
	int ret = -ENOMEM;

	if (!s)
		return -ENODEV;
	if (size == 0)
		return -EINVAL;
	chunks64 = (size + s->chunk_size - 1) / s->chunk_size;
	if (chunks64 > s->total_chunks)
		return -ENOMEM;
	chunks = (uint32_t)chunks64;
	rnpu_osal_mutex_lock(s->lock);
	for (i = 0; i < s->total_chunks; i++) {
		run = rknpu_sram_chunk_used(s, i) ? 0 : run + 1;
		if (run == chunks) {
			rknpu_sram_mark(s, i + 1 - chunks, chunks, true);
			s->free_chunks -= chunks;
			*phys = s->base + (uint64_t)(i + 1 - chunks) * s->chunk_size;
			ret = 0;
			break;
		}
	}
	rnpu_osal_mutex_unlock(s->lock);
	/* SRAM passes between sessions: nothing of the last owner shows. */
	if (!ret && rdev->plat.sram_vaddr)
		rnpu_memset((uint8_t *)rdev->plat.sram_vaddr + (*phys - rdev->plat.sram_phys), 0,
			    (size_t)chunks * s->chunk_size);
	return ret;
}

void rknpu_sram_free(struct rknpu_device *rdev, uint64_t phys, uint64_t size)
{
	struct rknpu_sram *s = rdev->sram;
	uint32_t first, chunks;

	if (!s || !size)
		return;
	first = (uint32_t)((phys - s->base) / s->chunk_size);
	chunks = (uint32_t)((size + s->chunk_size - 1) / s->chunk_size);
	rnpu_osal_mutex_lock(s->lock);
	rknpu_sram_mark(s, first, chunks, false);
	s->free_chunks += chunks;
	rnpu_osal_mutex_unlock(s->lock);
}

uint64_t rknpu_sram_total_bytes(struct rknpu_device *rdev)
{
	struct rknpu_sram *s = rdev->sram;

	return s ? (uint64_t)s->total_chunks * s->chunk_size : 0;
}

uint64_t rknpu_sram_free_bytes(struct rknpu_device *rdev)
{
	struct rknpu_sram *s = rdev->sram;
	uint64_t v;

	if (!s)
		return 0;
	rnpu_osal_mutex_lock(s->lock);
	v = (uint64_t)s->free_chunks * s->chunk_size;
	rnpu_osal_mutex_unlock(s->lock);
	return v;
}
