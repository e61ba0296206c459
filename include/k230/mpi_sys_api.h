/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * The K230 SDK's MMZ functions (mpi_sys_api.h of the K230 MPP), with the
 * SDK's names, signatures and error codes, implemented by rnpu's open
 * allocator (drivers/kpu/kpu_mmz.c) so that a runtime written against the
 * SDK links without the closed libsys. The instance they use is bound
 * with kpu_mmz_bind_default() (the userspace K230 host does it).
 * Signatures and codes: docs/k230.md.
 */
#ifndef K230_MPI_SYS_API_H
#define K230_MPI_SYS_API_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef K230_SDK_TYPES
#define K230_SDK_TYPES
typedef int32_t k_s32;
typedef uint32_t k_u32;
typedef uint64_t k_u64;
typedef char k_char;
typedef enum { K_FALSE = 0, K_TRUE = 1 } k_bool;
#endif

typedef struct {
	k_u64 phy_addr; /* physical address behind the virtual address */
	k_bool cached;  /* mapped cached */
} k_sys_virmem_info;

/* Error codes: 0xA0000000 | module << 16 | level << 13 | code, level 4
 * (error); module 3 = MMZ user device, 5 = SYS. */
#define K230_DEF_ERR(module, code) \
	((k_s32)(0xA0000000u | ((k_u32)(module) << 16) | (4u << 13) | (k_u32)(code)))
#define K_ERR_MMZ_USERDEV_ILLEGAL_PARAM K230_DEF_ERR(3, 3)
#define K_ERR_MMZ_USERDEV_UNEXIST K230_DEF_ERR(3, 5)
#define K_ERR_MMZ_USERDEV_NULL_PTR K230_DEF_ERR(3, 6)
#define K_ERR_MMZ_USERDEV_NOMEM K230_DEF_ERR(3, 12)
#define K_ERR_MMZ_USERDEV_NOTREADY K230_DEF_ERR(3, 16)
#define K_ERR_MMZ_USERDEV_BADADDR K230_DEF_ERR(3, 17)
#define K_ERR_SYS_NULL_PTR K230_DEF_ERR(5, 6)

/* Non-cached block of @len bytes; @mmb (block name) and @zone may be NULL. */
k_s32 kd_mpi_sys_mmz_alloc(k_u64 *phy_addr, void **virt_addr, const k_char *mmb,
			   const k_char *zone, k_u32 len);
/* Cached block: flush before the device reads what the CPU wrote. */
k_s32 kd_mpi_sys_mmz_alloc_cached(k_u64 *phy_addr, void **virt_addr, const k_char *mmb,
				  const k_char *zone, k_u32 len);
/* CPU address of an MMZ physical range (one address space: the block's
 * own mapping); NULL if the range is not inside one block. */
void *kd_mpi_sys_mmap(k_u64 phy_addr, k_u32 size);
void *kd_mpi_sys_mmap_cached(k_u64 phy_addr, k_u32 size);
/* 0, or K_ERR_MMZ_USERDEV_BADADDR if the range is not inside one block. */
k_s32 kd_mpi_sys_munmap(void *virt_addr, k_u32 size);
/* Clean and invalidate [phy_addr, +size) (phy_addr 0: every cached block). */
k_s32 kd_mpi_sys_mmz_flush_cache(k_u64 phy_addr, void *virt_addr, k_u32 size);
/* Frees the block at @phy_addr; @virt_addr may be NULL. */
k_s32 kd_mpi_sys_mmz_free(k_u64 phy_addr, void *virt_addr);
k_s32 kd_mpi_sys_get_virmem_info(const void *virt_addr, k_sys_virmem_info *mem_info);

#ifdef __cplusplus
}
#endif

#endif
