// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The K230 SDK's MMZ entry points over the open allocator: argument
 * checks and error codes as the SDK's library, memory from kpu_mmz.
 */
#include "k230/mpi_sys_api.h"
#include "kpu_internal.h"

/* The bound instance; the vendor API has no handle argument. Written by
 * the host before use, read atomically. */
static struct kpu_mmz *kpu_mmz_default;

struct kpu_mmz *kpu_mmz_bind_default(struct kpu_mmz *mmz)
{
	return __atomic_exchange_n(&kpu_mmz_default, mmz, __ATOMIC_ACQ_REL);
}

static struct kpu_mmz *kpu_mmz_get(void)
{
	struct kpu_mmz *mmz = __atomic_load_n(&kpu_mmz_default, __ATOMIC_ACQUIRE);

	if (!mmz)
		rnpu_osal_log(RNPU_LOG_ERR, "mmz: no allocator bound (the SDK's \"cannot open /dev/mmz_userdev\")");
	return mmz;
}

static k_s32 kpu_mmz_errno_to_k(int err)
{
	switch (err) {
	case 0:
		return 0;
	case -EINVAL:
		return K_ERR_MMZ_USERDEV_ILLEGAL_PARAM;
	case -ENOMEM:
		return K_ERR_MMZ_USERDEV_NOMEM;
	case -ENOENT:
		return K_ERR_MMZ_USERDEV_UNEXIST;
	default:
		return K_ERR_MMZ_USERDEV_BADADDR;
	}
}

static k_s32 kpu_mmz_alloc_common(k_u64 *phy_addr, void **virt_addr, const k_char *mmb,
				  const k_char *zone, k_u32 len, bool cached)
{
	struct kpu_mmz *mmz;

	if (!phy_addr || !virt_addr) {
		rnpu_osal_log(RNPU_LOG_ERR, "mmz: alloc with a NULL %s pointer",
			      phy_addr ? "virt_addr" : "phy_addr");
		return K_ERR_SYS_NULL_PTR;
	}
	mmz = kpu_mmz_get();
	if (!mmz)
		return K_ERR_MMZ_USERDEV_NOTREADY;
	return kpu_mmz_errno_to_k(kpu_mmz_alloc(mmz, len, cached, mmb, zone, phy_addr, virt_addr));
}

k_s32 kd_mpi_sys_mmz_alloc(k_u64 *phy_addr, void **virt_addr, const k_char *mmb,
			   const k_char *zone, k_u32 len)
{
	return kpu_mmz_alloc_common(phy_addr, virt_addr, mmb, zone, len, false);
}

k_s32 kd_mpi_sys_mmz_alloc_cached(k_u64 *phy_addr, void **virt_addr, const k_char *mmb,
				  const k_char *zone, k_u32 len)
{
	return kpu_mmz_alloc_common(phy_addr, virt_addr, mmb, zone, len, true);
}

static void *kpu_mmz_map(k_u64 phy_addr, k_u32 size)
{
	struct kpu_mmz *mmz = kpu_mmz_get();
	void *virt;

	if (!mmz || !size || kpu_mmz_phys_to_virt(mmz, phy_addr, size, &virt, NULL))
		return NULL;
	return virt;
}

/* One address space: a block has one mapping, whatever attribute is
 * asked (docs/k230.md). */
void *kd_mpi_sys_mmap(k_u64 phy_addr, k_u32 size)
{
	return kpu_mmz_map(phy_addr, size);
}

void *kd_mpi_sys_mmap_cached(k_u64 phy_addr, k_u32 size)
{
	return kpu_mmz_map(phy_addr, size);
}

k_s32 kd_mpi_sys_munmap(void *virt_addr, k_u32 size)
{
	struct kpu_mmz *mmz = kpu_mmz_get();
	uint64_t phys;
	void *check;

	if (!mmz)
		return K_ERR_MMZ_USERDEV_NOTREADY;
	if (!virt_addr)
		return K_ERR_SYS_NULL_PTR;
	if (kpu_mmz_virt_to_phys(mmz, virt_addr, &phys, NULL) ||
	    kpu_mmz_phys_to_virt(mmz, phys, size, &check, NULL))
		return K_ERR_MMZ_USERDEV_BADADDR;
	return 0;
}

k_s32 kd_mpi_sys_mmz_flush_cache(k_u64 phy_addr, void *virt_addr, k_u32 size)
{
	struct kpu_mmz *mmz;

	if (!virt_addr) {
		rnpu_osal_log(RNPU_LOG_ERR, "mmz: flush of phys 0x%llx with a NULL virt_addr",
			      (unsigned long long)phy_addr);
		return K_ERR_SYS_NULL_PTR;
	}
	mmz = kpu_mmz_get();
	if (!mmz)
		return K_ERR_MMZ_USERDEV_NOTREADY;
	return kpu_mmz_errno_to_k(kpu_mmz_sync(mmz, phy_addr, virt_addr, size,
					       RNPU_OSAL_SYNC_TO_DEVICE | RNPU_OSAL_SYNC_FROM_DEVICE));
}

k_s32 kd_mpi_sys_mmz_free(k_u64 phy_addr, void *virt_addr)
{
	struct kpu_mmz *mmz = kpu_mmz_get();

	if (!mmz)
		return K_ERR_MMZ_USERDEV_NOTREADY;
	return kpu_mmz_errno_to_k(kpu_mmz_free(mmz, phy_addr, virt_addr));
}

k_s32 kd_mpi_sys_get_virmem_info(const void *virt_addr, k_sys_virmem_info *mem_info)
{
	struct kpu_mmz *mmz;
	bool cached;

	if (!virt_addr || !mem_info) {
		rnpu_osal_log(RNPU_LOG_ERR, "mmz: get_virmem_info with a NULL %s",
			      virt_addr ? "mem_info" : "virt_addr");
		return K_ERR_SYS_NULL_PTR;
	}
	mmz = kpu_mmz_get();
	if (!mmz)
		return K_ERR_MMZ_USERDEV_NOTREADY;
	if (kpu_mmz_virt_to_phys(mmz, virt_addr, &mem_info->phy_addr, &cached))
		return K_ERR_MMZ_USERDEV_BADADDR;
	mem_info->cached = cached ? K_TRUE : K_FALSE;
	return 0;
}
