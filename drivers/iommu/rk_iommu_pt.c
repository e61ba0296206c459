// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Rockchip IOMMU v2 page tables for one 4 GiB IOVA space, and the IOVA
 * allocator of that space (a bitmap over its 2^20 pages, next-fit).
 *
 * The directory and all 1024 page tables are one allocation of 1025
 * pages: directory first, table i at page 1 + i. A host that backs memory
 * lazily (the userspace host's memfds) only spends the pages that are
 * written. A directory entry becomes valid when its table gets its first
 * mapping and stays so; an unmapped IOVA has an invalid PTE.
 */
#include "rk_iommu_pt.h"
#include "rk_iommu_regs.h"

#define RK_IOMMU_LO_MASK 0xfffff000ull
#define RK_IOMMU_HI1_MASK 0x0f00000000ull /* address bits 35:32 */
#define RK_IOMMU_HI2_MASK 0xf000000000ull /* address bits 39:36 */
#define RK_IOMMU_HI1_SHIFT 24u            /* bits 35:32 <-> entry bits 11:8 */
#define RK_IOMMU_HI2_SHIFT 32u            /* bits 39:36 <-> entry bits 7:4 */
#define RK_IOMMU_ENTRY_HI1 0x00000f00u
#define RK_IOMMU_ENTRY_HI2 0x000000f0u
#define RK_IOMMU_DTE_INDEX(iova) ((iova) >> 22)
#define RK_IOMMU_PTE_INDEX(iova) (((iova) >> RK_IOMMU_PAGE_SHIFT) & (RK_IOMMU_ENTRIES - 1u))
#define RK_IOMMU_BITMAP_WORDS (RK_IOMMU_SPACE_PAGES / 64u)

struct rk_iommu_space {
	struct rnpu_osal_dma_buf *tables_buf;
	uint64_t tables_phys;           /* directory; table i at + (1 + i) pages */
	uint32_t *tables;               /* CPU view of the same pages */
	uint64_t *bitmap;               /* 1 = IOVA page in use */
	uint32_t hint;                  /* next-fit search start (page) */
	uint32_t used;                  /* pages in use, reserved ones included */
};

uint32_t rk_iommu_mk_entry(uint64_t phys)
{
	return (uint32_t)((phys & RK_IOMMU_LO_MASK) | ((phys & RK_IOMMU_HI1_MASK) >> RK_IOMMU_HI1_SHIFT) |
			  ((phys & RK_IOMMU_HI2_MASK) >> RK_IOMMU_HI2_SHIFT));
}

uint32_t rk_iommu_mk_pte(uint64_t phys, bool writable)
{
	return rk_iommu_mk_entry(phys) | RK_IOMMU_ENTRY_VALID | RK_IOMMU_PTE_READABLE |
	       (writable ? RK_IOMMU_PTE_WRITABLE : 0u);
}

uint64_t rk_iommu_entry_addr(uint32_t entry)
{
	return ((uint64_t)entry & RK_IOMMU_LO_MASK) |
	       (((uint64_t)entry & RK_IOMMU_ENTRY_HI1) << RK_IOMMU_HI1_SHIFT) |
	       (((uint64_t)entry & RK_IOMMU_ENTRY_HI2) << RK_IOMMU_HI2_SHIFT);
}

uint32_t rk_iommu_dte_addr_reg(uint64_t phys)
{
	uint32_t v = 0;

	/* Both fields fit: the directory is page aligned below 2^40. */
	rkiommu_set_MMU_DTE_ADDR_ADDR_31_12(&v, (uint32_t)(phys >> 12) & 0xfffffu);
	rkiommu_set_MMU_DTE_ADDR_ADDR_39_32(&v, (uint32_t)(phys >> 32) & 0xffu);
	return v;
}

static bool rk_iommu_bit(const uint64_t *bm, uint32_t i)
{
	return (bm[i / 64u] >> (i % 64u)) & 1u;
}

static void rk_iommu_set_bits(uint64_t *bm, uint32_t first, uint32_t n, bool on)
{
	uint32_t i;

	for (i = first; i < first + n; i++) {
		if (on)
			bm[i / 64u] |= 1ull << (i % 64u);
		else
			bm[i / 64u] &= ~(1ull << (i % 64u));
	}
}

int rk_iommu_space_create(struct rnpu_osal_dev *dev, struct rk_iommu_space **out)
{
	struct rk_iommu_space *s = rnpu_osal_zalloc(sizeof(*s));
	struct rnpu_osal_dma_info info;
	uint32_t first = RK_IOMMU_FIRST_IOVA >> RK_IOMMU_PAGE_SHIFT;
	int ret;

	if (!s)
		return -ENOMEM;
	s->bitmap = rnpu_osal_zalloc_array(RK_IOMMU_BITMAP_WORDS, sizeof(*s->bitmap));
	if (!s->bitmap) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = rnpu_osal_dma_alloc(dev, (size_t)(1u + RK_IOMMU_ENTRIES) * RK_IOMMU_PAGE_SIZE,
				  RNPU_OSAL_DMA_CONTIGUOUS | RNPU_OSAL_DMA_ZERO | RNPU_OSAL_DMA_KMAP,
				  &s->tables_buf, &info);
	if (ret)
		goto err_bitmap;
	if (!info.vaddr || !info.contiguous || (info.dma_addr & (RK_IOMMU_PAGE_SIZE - 1u))) {
		ret = -ENOMEM;
		goto err_buf;
	}
	s->tables_phys = info.dma_addr;
	s->tables = info.vaddr;
	rk_iommu_set_bits(s->bitmap, 0, first, true);
	s->used = first;
	s->hint = first;
	*out = s;
	return 0;

err_buf:
	rnpu_osal_dma_put(s->tables_buf);
err_bitmap:
	rnpu_osal_free(s->bitmap);
err_free:
	rnpu_osal_free(s);
	return ret;
}

void rk_iommu_space_destroy(struct rk_iommu_space *s)
{
	if (!s)
		return;
	rnpu_osal_dma_put(s->tables_buf);
	rnpu_osal_free(s->bitmap);
	rnpu_osal_free(s);
}

uint32_t rk_iommu_space_dte_reg(const struct rk_iommu_space *s)
{
	return rk_iommu_dte_addr_reg(s->tables_phys);
}

uint32_t rk_iommu_space_pte(const struct rk_iommu_space *s, uint32_t iova)
{
	uint32_t dte = s->tables[RK_IOMMU_DTE_INDEX(iova)];
	uint64_t pt = rk_iommu_entry_addr(dte);

	if (!(dte & RK_IOMMU_ENTRY_VALID) || pt < s->tables_phys + RK_IOMMU_PAGE_SIZE)
		return 0;
	/* The directory entry names the table by physical address; find it
	 * in the CPU view of the same allocation. */
	return s->tables[(pt - s->tables_phys) / sizeof(uint32_t) + RK_IOMMU_PTE_INDEX(iova)];
}

uint32_t rk_iommu_space_used_pages(const struct rk_iommu_space *s)
{
	return s->used;
}

/* First page of a free run of @n pages at or after the hint, wrapping
 * once; RK_IOMMU_SPACE_PAGES if there is none. */
static uint32_t rk_iommu_find_free(const struct rk_iommu_space *s, uint32_t n)
{
	uint32_t pass, start, i, run = 0;

	for (pass = 0; pass < 2; pass++) {
		start = pass ? 0 : s->hint;
		run = 0;
		for (i = start; i < RK_IOMMU_SPACE_PAGES; i++) {
			/* Whole busy words are skipped at once. */
			if (run == 0 && (i % 64u) == 0 && s->bitmap[i / 64u] == ~0ull) {
				i += 63u;
				continue;
			}
			if (rk_iommu_bit(s->bitmap, i)) {
				run = 0;
				continue;
			}
			if (++run == n)
				return i + 1u - n;
		}
	}
	return RK_IOMMU_SPACE_PAGES;
}

static uint32_t *rk_iommu_pte_slot(struct rk_iommu_space *s, uint32_t iova)
{
	uint32_t dte_index = RK_IOMMU_DTE_INDEX(iova);
	uint32_t *dir = s->tables;

	if (!(dir[dte_index] & RK_IOMMU_ENTRY_VALID))
		dir[dte_index] = rk_iommu_mk_entry(s->tables_phys +
						   (uint64_t)(1u + dte_index) * RK_IOMMU_PAGE_SIZE) |
				 RK_IOMMU_ENTRY_VALID;
	return &s->tables[(1u + dte_index) * RK_IOMMU_ENTRIES + RK_IOMMU_PTE_INDEX(iova)];
}

int rk_iommu_space_reserve(struct rk_iommu_space *s, uint64_t size, uint32_t *iova)
{
	uint64_t pages64 = (size + RK_IOMMU_PAGE_SIZE - 1u) >> RK_IOMMU_PAGE_SHIFT;
	uint32_t pages, first;

	if (size == 0 || pages64 > RK_IOMMU_SPACE_PAGES)
		return -EINVAL;
	pages = (uint32_t)pages64;
	first = rk_iommu_find_free(s, pages);
	if (first == RK_IOMMU_SPACE_PAGES)
		return -ENOSPC;
	rk_iommu_set_bits(s->bitmap, first, pages, true);
	s->used += pages;
	s->hint = first + pages < RK_IOMMU_SPACE_PAGES ? first + pages : 0;
	*iova = first << RK_IOMMU_PAGE_SHIFT;
	return 0;
}

void rk_iommu_space_fill(struct rk_iommu_space *s, uint32_t iova, uint64_t phys, uint64_t size)
{
	uint32_t pages = (uint32_t)((size + RK_IOMMU_PAGE_SIZE - 1u) >> RK_IOMMU_PAGE_SHIFT);
	uint32_t first = iova >> RK_IOMMU_PAGE_SHIFT, i;

	for (i = 0; i < pages; i++)
		*rk_iommu_pte_slot(s, (first + i) << RK_IOMMU_PAGE_SHIFT) =
			rk_iommu_mk_pte(phys + (uint64_t)i * RK_IOMMU_PAGE_SIZE, true);
	/* The tables are read by another bus master: publish the entries
	 * before the caller hands out the address. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

int rk_iommu_space_map(struct rk_iommu_space *s, uint64_t phys, uint64_t size, uint32_t *iova)
{
	int ret;

	if (phys & (RK_IOMMU_PAGE_SIZE - 1u))
		return -EINVAL;
	ret = rk_iommu_space_reserve(s, size, iova);
	if (!ret)
		rk_iommu_space_fill(s, *iova, phys, size);
	return ret;
}

void rk_iommu_space_unmap(struct rk_iommu_space *s, uint32_t iova, uint64_t size)
{
	uint32_t pages = (uint32_t)((size + RK_IOMMU_PAGE_SIZE - 1u) >> RK_IOMMU_PAGE_SHIFT);
	uint32_t first = iova >> RK_IOMMU_PAGE_SHIFT, i;

	for (i = 0; i < pages; i++)
		*rk_iommu_pte_slot(s, (first + i) << RK_IOMMU_PAGE_SHIFT) = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	rk_iommu_set_bits(s->bitmap, first, pages, false);
	s->used -= pages;
}
