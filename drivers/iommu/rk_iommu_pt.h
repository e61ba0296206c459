/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * Rockchip IOMMU v2 page tables: one 32-bit IOVA space (4 GiB, 4 KiB
 * pages) described by a two-level table the IOMMU walks by itself.
 *
 *   IOVA  [31:22] directory index, [21:12] table index, [11:0] offset
 *   DTE/PTE [31:12] address bits 31:12, [11:8] bits 35:32, [7:4] bits 39:36
 *   DTE bit 0 valid; PTE bit 0 valid, bit 1 readable, bit 2 writable
 *   DTE_ADDR register: [31:12] address bits 31:12, [11:4] bits 39:32
 *
 * Facts from Linux drivers/iommu/rockchip-iommu.c (docs/iommu.md). The
 * tables live in device memory from rnpu_osal_dma_alloc so a real or
 * software IOMMU can read them; they are built here for hosts that give the
 * core the IOMMU itself (every host does today). Not thread-safe: the
 * owner serialises calls.
 */
#ifndef RK_IOMMU_PT_H
#define RK_IOMMU_PT_H

#include "osal.h"

#define RK_IOMMU_PAGE_SHIFT 12u
#define RK_IOMMU_PAGE_SIZE (1u << RK_IOMMU_PAGE_SHIFT)
#define RK_IOMMU_ENTRIES 1024u
#define RK_IOMMU_SPACE_PAGES (RK_IOMMU_ENTRIES * RK_IOMMU_ENTRIES)
/* The first IOVA handed out: everything below faults, so small bogus
 * addresses (a zero base plus an offset) never reach memory. */
#define RK_IOMMU_FIRST_IOVA 0x100000u

#define RK_IOMMU_ENTRY_VALID (1u << 0)
#define RK_IOMMU_PTE_READABLE (1u << 1)
#define RK_IOMMU_PTE_WRITABLE (1u << 2)

/* Commands of the MMU's COMMAND register. */
enum rk_iommu_cmd {
	RK_IOMMU_CMD_ENABLE_PAGING = 0,
	RK_IOMMU_CMD_DISABLE_PAGING = 1,
	RK_IOMMU_CMD_ENABLE_STALL = 2,
	RK_IOMMU_CMD_DISABLE_STALL = 3,
	RK_IOMMU_CMD_ZAP_CACHE = 4,
	RK_IOMMU_CMD_PAGE_FAULT_DONE = 5,
	RK_IOMMU_CMD_FORCE_RESET = 6,
};

/* Table entry (DTE or PTE without flags) for a 40-bit physical address. */
uint32_t rk_iommu_mk_entry(uint64_t phys);
/* PTE of a page with read (and optionally write) permission. */
uint32_t rk_iommu_mk_pte(uint64_t phys, bool writable);
/* Physical address an entry points to. */
uint64_t rk_iommu_entry_addr(uint32_t entry);
/* The DTE_ADDR register value for a directory at @phys. */
uint32_t rk_iommu_dte_addr_reg(uint64_t phys);

struct rk_iommu_space;

/* A new empty space: every IOVA faults. 0, -ENOMEM. May sleep. */
int rk_iommu_space_create(struct rnpu_osal_dev *dev, struct rk_iommu_space **out);
void rk_iommu_space_destroy(struct rk_iommu_space *s);
/* What to write to DTE_ADDR to make the IOMMU walk this space. */
uint32_t rk_iommu_space_dte_reg(const struct rk_iommu_space *s);
/* Maps @size bytes (page-rounded) of physically contiguous memory at
 * @phys to a fresh IOVA range, readable and writable. 0 and *iova, or
 * -EINVAL (size 0 or beyond 4 GiB), -ENOSPC (no free IOVA range). */
int rk_iommu_space_map(struct rk_iommu_space *s, uint64_t phys, uint64_t size, uint32_t *iova);
/* The two halves of a map, for ranges built from several pieces: reserve
 * an IOVA range (same errors as map), then fill parts of it with
 * physically contiguous memory (page-aligned @phys and @iova). */
int rk_iommu_space_reserve(struct rk_iommu_space *s, uint64_t size, uint32_t *iova);
void rk_iommu_space_fill(struct rk_iommu_space *s, uint32_t iova, uint64_t phys, uint64_t size);
/* Removes a mapping made by rk_iommu_space_map (or reserve + fill) and
 * frees its IOVA range. */
void rk_iommu_space_unmap(struct rk_iommu_space *s, uint32_t iova, uint64_t size);
/* The PTE the IOMMU would find for @iova (0 when its directory entry is
 * not valid). For tests and debugging. */
uint32_t rk_iommu_space_pte(const struct rk_iommu_space *s, uint32_t iova);
/* Pages of IOVA space in use. */
uint32_t rk_iommu_space_used_pages(const struct rk_iommu_space *s);

#endif
