// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Rockchip IOMMU v2 page tables: entry encodings against values worked out
 * by hand from the format (docs/iommu.md), and the IOVA allocator of one
 * space. Runs the table builder on a minimal OS-services stand-in whose
 * "physical" memory is ordinary heap memory.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rk_iommu_pt.h"

/* ---- OS services the table builder uses ------------------------------- */

#define FAKE_PHYS 0x1234560000ull /* above 4 GiB: exercises the high bits */

struct rnpu_osal_dma_buf {
	void *mem;
};

void *rnpu_osal_zalloc(size_t size)
{
	return size ? calloc(1, size) : NULL;
}

void *rnpu_osal_zalloc_array(size_t n, size_t size)
{
	return n && size ? calloc(n, size) : NULL;
}

void rnpu_osal_free(void *p)
{
	free(p);
}

int rnpu_osal_dma_alloc(struct rnpu_osal_dev *dev, size_t size, unsigned int flags,
			struct rnpu_osal_dma_buf **out, struct rnpu_osal_dma_info *info)
{
	struct rnpu_osal_dma_buf *b = calloc(1, sizeof(*b));

	(void)dev;
	(void)flags;
	if (!b || !(b->mem = aligned_alloc(4096, size))) {
		free(b);
		return -ENOMEM;
	}
	memset(b->mem, 0, size);
	info->size = size;
	info->dma_addr = FAKE_PHYS;
	info->vaddr = b->mem;
	info->contiguous = true;
	*out = b;
	return 0;
}

void rnpu_osal_dma_put(struct rnpu_osal_dma_buf *b)
{
	if (b)
		free(b->mem);
	free(b);
}

/* ---- tests -------------------------------------------------------------- */

static void pt_entry_encoding(void **state)
{
	(void)state;
	/* 0x12_3456_7000: bits 31:12 stay, 35:32 (0x2) -> 11:8, 39:36 (0x1) -> 7:4. */
	assert_int_equal(rk_iommu_mk_entry(0x1234567000ull), 0x34567210u);
	assert_int_equal(rk_iommu_mk_pte(0x1234567000ull, true), 0x34567217u);
	assert_int_equal(rk_iommu_mk_pte(0x1234567000ull, false), 0x34567213u);
	assert_int_equal(rk_iommu_entry_addr(0x34567217u), 0x1234567000ull);
	/* 0xa_bcde_f000: 35:32 = 0xa; 0xf0_0000_1000: 39:36 = 0xf. */
	assert_int_equal(rk_iommu_mk_entry(0xabcdef000ull), 0xbcdefa00u);
	assert_int_equal(rk_iommu_entry_addr(0xbcdefa01u), 0xabcdef000ull);
	assert_int_equal(rk_iommu_mk_entry(0xf000001000ull), 0x000010f0u);
	assert_int_equal(rk_iommu_entry_addr(0x000010f1u), 0xf000001000ull);
	/* Below 4 GiB the entry is the address itself. */
	assert_int_equal(rk_iommu_mk_pte(0x00100000ull, true), 0x00100007u);
	/* DTE_ADDR register: bits 39:32 in 11:4. */
	assert_int_equal(rk_iommu_dte_addr_reg(0x1234567000ull), 0x34567120u);
	assert_int_equal(rk_iommu_dte_addr_reg(0xff00001000ull), 0x00001ff0u);
}

static void pt_map_unmap(void **state)
{
	struct rk_iommu_space *s;
	uint32_t a, b, c;

	(void)state;
	assert_int_equal(rk_iommu_space_create(NULL, &s), 0);
	assert_int_equal(rk_iommu_space_dte_reg(s), rk_iommu_dte_addr_reg(FAKE_PHYS));
	assert_int_equal(rk_iommu_space_map(s, 0x80000000ull, 3 * 4096, &a), 0);
	assert_int_equal(a, RK_IOMMU_FIRST_IOVA);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(rk_iommu_space_pte(s, a + i * 4096 + 123),
				 0x80000000u + i * 4096 + 7);
	assert_int_equal(rk_iommu_space_pte(s, a + 3 * 4096), 0);
	assert_int_equal(rk_iommu_space_pte(s, 0), 0);
	/* A range crossing a directory entry (4 MiB boundary). */
	assert_int_equal(rk_iommu_space_map(s, 0x90000000ull, 4u << 20, &b), 0);
	assert_int_equal(b, a + 3 * 4096);
	assert_int_equal(rk_iommu_space_pte(s, b + (4u << 20) - 4096),
			 0x90000000u + (4u << 20) - 4096 + 7);
	rk_iommu_space_unmap(s, a, 3 * 4096);
	assert_int_equal(rk_iommu_space_pte(s, a), 0);
	assert_int_equal(rk_iommu_space_pte(s, b), 0x90000007u);
	/* Next fit: the freed range is used once the rest is searched. */
	assert_int_equal(rk_iommu_space_map(s, 0xa0000000ull, 4096, &c), 0);
	assert_int_equal(c, b + (4u << 20));
	assert_int_equal(rk_iommu_space_used_pages(s), 256u + 1024u + 1u);
	rk_iommu_space_destroy(s);
}

static void pt_space_limits(void **state)
{
	struct rk_iommu_space *s;
	uint32_t iova;

	(void)state;
	assert_int_equal(rk_iommu_space_create(NULL, &s), 0);
	assert_int_equal(rk_iommu_space_reserve(s, 0, &iova), -EINVAL);
	assert_int_equal(rk_iommu_space_reserve(s, (1ull << 32) + 1, &iova), -EINVAL);
	assert_int_equal(rk_iommu_space_map(s, 0x1001, 4096, &iova), -EINVAL);
	/* Everything above the first megabyte fits once, then nothing. */
	assert_int_equal(rk_iommu_space_reserve(s, (1ull << 32) - RK_IOMMU_FIRST_IOVA, &iova), 0);
	assert_int_equal(iova, RK_IOMMU_FIRST_IOVA);
	assert_int_equal(rk_iommu_space_reserve(s, 4096, &iova), -ENOSPC);
	rk_iommu_space_unmap(s, 0xfffff000u, 4096);
	assert_int_equal(rk_iommu_space_reserve(s, 4096, &iova), 0);
	assert_int_equal(iova, 0xfffff000u);
	rk_iommu_space_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pt_entry_encoding),
		cmocka_unit_test(pt_map_unmap),
		cmocka_unit_test(pt_space_limits),
	};

	return cmocka_run_group_tests_name("iommu-pt", tests, NULL, NULL);
}
