// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * IOMMU mode: every session has its own IOMMU domain, as mainline's
 * per-file domains, and within it up to 16 separate 4 GiB address spaces
 * selected by iommu_domain_id, as the vendor's domains. An object gets an
 * IOVA in the space of its domain id in every session holding a handle to
 * it; a job runs with the space of its submit's domain id programmed into
 * the IOMMUs of its cores. A DMA outside the session's mappings faults:
 * the job ends with -EFAULT, the log names the address, the session goes
 * on.
 *
 * The page tables are built by drivers/iommu/rk_iommu_pt.c; the IOMMU
 * registers are reached through the core's register windows with the
 * accessors generated from hw/rk_iommu.xml.
 */
#include "rk_iommu_pt.h"
#include "rk_iommu_regs.h"
#include "rknpu_reg.h"

/* One object's mapping in a session: valid while count > 0. */
struct rknpu_iommu_map {
	uint32_t iova;
	uint32_t count;                 /* handles of the session to the object */
};

struct rknpu_iommu_domain {
	/* Protects space[] and maps[]; sleeps allowed (allocations). Taken
	 * without file->lock held. */
	struct rnpu_osal_mutex *lock;
	struct rk_iommu_space *space[RKNPU_MAX_IOMMU_DOMAINS];
	struct rknpu_iommu_map *maps;   /* indexed by object slot */
	uint32_t maps_cap;
};

int rknpu_iommu_file_init(struct rknpu_file *file)
{
	struct rknpu_iommu_domain *d;
	int ret;

	if (!file->rdev->plat.iommu)
		return 0;
	d = rnpu_osal_zalloc(sizeof(*d));
	if (!d)
		return -ENOMEM;
	ret = rnpu_osal_mutex_create(&d->lock);
	if (ret) {
		rnpu_osal_free(d);
		return ret;
	}
	file->iommu = d;
	return 0;
}

void rknpu_iommu_file_fini(struct rknpu_file *file)
{
	struct rknpu_iommu_domain *d = file->iommu;
	unsigned int i;

	if (!d)
		return;
	for (i = 0; i < RKNPU_MAX_IOMMU_DOMAINS; i++)
		rk_iommu_space_destroy(d->space[i]);
	rnpu_osal_free(d->maps);
	rnpu_osal_mutex_destroy(d->lock);
	rnpu_osal_free(d);
	file->iommu = NULL;
}

/* The space of @domain_id, created on first use. Caller holds d->lock. */
static int rknpu_iommu_space_locked(struct rknpu_file *file, int32_t domain_id,
				    struct rk_iommu_space **out)
{
	struct rknpu_iommu_domain *d = file->iommu;
	int ret;

	if (!d->space[domain_id]) {
		ret = rk_iommu_space_create(file->rdev->plat.dev, &d->space[domain_id]);
		if (ret) {
			rknpu_err(file->rdev, "session %u: failed to allocate iommu domain %d: %d",
				  file->id, domain_id, ret);
			return ret;
		}
	}
	*out = d->space[domain_id];
	return 0;
}

static int rknpu_iommu_maps_grow_locked(struct rknpu_iommu_domain *d, uint32_t slot)
{
	uint32_t cap = d->maps_cap ? d->maps_cap : 64u;
	struct rknpu_iommu_map *maps;

	while (cap <= slot)
		cap *= 2u;
	maps = rnpu_osal_zalloc_array(cap, sizeof(*maps));
	if (!maps)
		return -ENOMEM;
	if (d->maps_cap)
		rnpu_memcpy(maps, d->maps, (size_t)d->maps_cap * sizeof(*maps));
	rnpu_osal_free(d->maps);
	d->maps = maps;
	d->maps_cap = cap;
	return 0;
}

/* Maps the object's SRAM part (if any) and then its memory, in one IOVA
 * range. Caller holds d->lock. */
static int rknpu_iommu_map_parts(struct rk_iommu_space *s, const struct rknpu_gem_object *obj,
				 uint32_t *iova)
{
	uint64_t total = obj->sram_size + obj->info.size;
	int ret = rk_iommu_space_reserve(s, total, iova);

	if (ret)
		return ret;
	if (obj->sram_size)
		rk_iommu_space_fill(s, *iova, obj->sram_phys, obj->sram_size);
	rk_iommu_space_fill(s, *iova + (uint32_t)obj->sram_size, obj->info.dma_addr, obj->info.size);
	return 0;
}

int rknpu_iommu_map_obj(struct rknpu_file *file, struct rknpu_gem_object *obj)
{
	struct rknpu_iommu_domain *d = file->iommu;
	struct rk_iommu_space *s;
	struct rknpu_iommu_map *m;
	int ret = 0;

	if (!d)
		return 0;
	if (!obj->info.contiguous) {
		/* Every host today hands out physically contiguous memory. */
		rknpu_err(file->rdev, "session %u: cannot map non-contiguous memory (object %u)",
			  file->id, obj->slot);
		return -EINVAL;
	}
	rnpu_osal_mutex_lock(d->lock);
	if (obj->slot >= d->maps_cap) {
		ret = rknpu_iommu_maps_grow_locked(d, obj->slot);
		if (ret)
			goto out;
	}
	m = &d->maps[obj->slot];
	if (m->count) {
		m->count++;
		goto out;
	}
	ret = rknpu_iommu_space_locked(file, obj->iommu_domain_id, &s);
	if (ret)
		goto out;
	ret = rknpu_iommu_map_parts(s, obj, &m->iova);
	if (ret) {
		rknpu_err(file->rdev, "session %u: iommu domain %d has no room for %llu bytes: %d",
			  file->id, obj->iommu_domain_id,
			  (unsigned long long)(obj->sram_size + obj->info.size), ret);
		goto out;
	}
	m->count = 1;
out:
	rnpu_osal_mutex_unlock(d->lock);
	return ret;
}

void rknpu_iommu_unmap_obj(struct rknpu_file *file, struct rknpu_gem_object *obj)
{
	struct rknpu_iommu_domain *d = file->iommu;
	struct rknpu_iommu_map *m;

	if (!d)
		return;
	rnpu_osal_mutex_lock(d->lock);
	if (obj->slot < d->maps_cap) {
		m = &d->maps[obj->slot];
		if (m->count && --m->count == 0)
			rk_iommu_space_unmap(d->space[obj->iommu_domain_id], m->iova,
					     obj->sram_size + obj->info.size);
	}
	rnpu_osal_mutex_unlock(d->lock);
}

uint64_t rknpu_iommu_obj_addr(struct rknpu_file *file, const struct rknpu_gem_object *obj)
{
	struct rknpu_iommu_domain *d = file->iommu;
	uint64_t addr = obj->info.dma_addr;

	if (!d)
		return addr;
	/* Never a physical address: 0 if the session has not mapped it. */
	addr = 0;
	rnpu_osal_mutex_lock(d->lock);
	if (obj->slot < d->maps_cap && d->maps[obj->slot].count)
		addr = d->maps[obj->slot].iova;
	rnpu_osal_mutex_unlock(d->lock);
	return addr;
}

int rknpu_iommu_job_space(struct rknpu_file *file, int32_t domain_id, uint32_t *dte)
{
	struct rknpu_iommu_domain *d = file->iommu;
	struct rk_iommu_space *s;
	int ret;

	if (!d)
		return 0;
	rnpu_osal_mutex_lock(d->lock);
	ret = rknpu_iommu_space_locked(file, domain_id, &s);
	if (!ret)
		*dte = rk_iommu_space_dte_reg(s);
	rnpu_osal_mutex_unlock(d->lock);
	return ret;
}

static const char *rknpu_mmu_reg_name(uint32_t reg)
{
	const char *name = rkiommu_reg_name(reg);

	return name ? name : "UNKNOWN";
}

static uint32_t rknpu_mmu_read(struct rknpu_device *rdev, unsigned int core, unsigned int i,
			       uint32_t reg)
{
	uint32_t v = rnpu_osal_readl(rdev->plat.mmio[core], rdev->soc->mmu_offset[core][i] + reg);

	if (rdev->debug & RKNPU_DBG_REG)
		rnpu_osal_log(RNPU_LOG_DEBUG, "RKNPU: core%u: R IOMMU%u %s -> 0x%08x", core, i,
			      rknpu_mmu_reg_name(reg), v);
	return v;
}

static void rknpu_mmu_write(struct rknpu_device *rdev, unsigned int core, unsigned int i,
			    uint32_t reg, uint32_t value)
{
	if (rdev->debug & RKNPU_DBG_REG)
		rnpu_osal_log(RNPU_LOG_DEBUG, "RKNPU: core%u: W IOMMU%u %s <- 0x%08x", core, i,
			      rknpu_mmu_reg_name(reg), value);
	rnpu_osal_writel(rdev->plat.mmio[core], rdev->soc->mmu_offset[core][i] + reg, value);
}

static uint32_t rknpu_mmu_cmd(enum rk_iommu_cmd cmd)
{
	uint32_t v = 0;

	rkiommu_set_MMU_COMMAND_CMD(&v, (uint32_t)cmd);
	return v;
}

void rknpu_iommu_attach_locked(struct rknpu_device *rdev, unsigned int core, uint32_t dte)
{
	unsigned int i;

	if (!rdev->plat.iommu)
		return;
	/* Every start: a reset may have cleared the IOMMU, and the previous
	 * job may have belonged to another session. */
	for (i = 0; i < rdev->soc->num_mmu[core]; i++) {
		rknpu_mmu_write(rdev, core, i, REG_MMU_DTE_ADDR, dte);
		rknpu_mmu_write(rdev, core, i, REG_MMU_COMMAND, rknpu_mmu_cmd(RK_IOMMU_CMD_ZAP_CACHE));
		rknpu_mmu_write(rdev, core, i, REG_MMU_INT_MASK, RKIOMMU_INT_ALL);
		rknpu_mmu_write(rdev, core, i, REG_MMU_COMMAND,
				rknpu_mmu_cmd(RK_IOMMU_CMD_ENABLE_PAGING));
	}
}

bool rknpu_iommu_irq_locked(struct rknpu_device *rdev, unsigned int core, uint32_t *fault_addr,
			    bool *is_write)
{
	bool fault = false;
	unsigned int i;

	if (!rdev->plat.iommu)
		return false;
	for (i = 0; i < rdev->soc->num_mmu[core]; i++) {
		uint32_t st = rknpu_mmu_read(rdev, core, i, REG_MMU_INT_STATUS);
		uint32_t status;

		if (!st)
			continue;
		status = rknpu_mmu_read(rdev, core, i, REG_MMU_STATUS);
		if (!fault) {
			*fault_addr = rknpu_mmu_read(rdev, core, i, REG_MMU_PAGE_FAULT_ADDR);
			*is_write = rkiommu_get_MMU_STATUS_PAGE_FAULT_IS_WRITE(status);
		}
		fault = true;
		if (st & RKIOMMU_INT_BUS_ERROR)
			rknpu_err(rdev, "core %u: iommu bus error walking the page table", core);
		rknpu_mmu_write(rdev, core, i, REG_MMU_COMMAND, rknpu_mmu_cmd(RK_IOMMU_CMD_ZAP_CACHE));
		rknpu_mmu_write(rdev, core, i, REG_MMU_COMMAND,
				rknpu_mmu_cmd(RK_IOMMU_CMD_PAGE_FAULT_DONE));
		rknpu_mmu_write(rdev, core, i, REG_MMU_INT_CLEAR, st);
	}
	return fault;
}

int rknpu_iommu_check_soc(struct rknpu_device *rdev)
{
	unsigned int i;

	if (!rdev->plat.iommu)
		return 0;
	for (i = 0; i < rdev->num_cores; i++) {
		if (!rdev->soc->num_mmu[i]) {
			rknpu_err(rdev, "%s: IOMMU position of core %u unknown, cannot use iommu mode",
				  rdev->soc->name, i);
			return -EINVAL;
		}
	}
	return 0;
}
