// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The cores' IOMMUs (Rockchip IOMMU v2): their registers inside the core
 * windows, and the translation of every DMA access of the core through
 * the two-level table the driver built in memory. Without paging enabled
 * addresses pass through unchanged (the contiguous mode).
 *
 * There is no TLB: every access walks the tables, so ZAP commands have
 * nothing to drop and a stale mapping can never be used.
 */
#include <errno.h>
#include <string.h>

#include "rk_iommu_regs.h"
#include "sim_internal.h"

#define MMU_PAGE_SIZE 4096u
#define MMU_ENTRY_VALID (1u << 0)
#define MMU_PTE_READABLE (1u << 1)
#define MMU_PTE_WRITABLE (1u << 2)

/* Where each core's instances sit in its window (RK3588 device tree:
 * fdab9000 and fdaba000 for core 0, fdaca000, fdada000). */
static const uint32_t mmu_base[RK3588_SIM_MAX_CORES][SIM_MMU_MAX_PER_CORE] = {
	{ 0x9000u, 0xa000u },
	{ 0xa000u, 0 },
	{ 0xa000u, 0 },
};
static const unsigned int mmu_count[RK3588_SIM_MAX_CORES] = { 2, 1, 1 };

static void mmu_reset(struct sim_mmu *m)
{
	m->dte_addr = 0;
	m->fault_addr = 0;
	m->rawstat = 0;
	m->mask = 0;
	m->auto_gating = 0;
	m->paging = false;
	m->stall = false;
	m->fault_active = false;
	m->fault_write = false;
	atomic_store(&m->paging_on, false);
	atomic_store(&m->irq_on, false);
}

/* After every change of rawstat or mask. Called with m->lock held. */
static void mmu_update_irq(struct sim_mmu *m)
{
	atomic_store(&m->irq_on, (m->rawstat & m->mask) != 0);
}

void sim_iommu_init(struct sim_core *c)
{
	c->num_mmu = mmu_count[c->index];
	c->mmu_first = UINT32_MAX;
	for (unsigned int i = 0; i < c->num_mmu; i++) {
		if (mmu_base[c->index][i] < c->mmu_first)
			c->mmu_first = mmu_base[c->index][i];
		pthread_mutex_init(&c->mmu[i].lock, NULL);
		atomic_init(&c->mmu[i].paging_on, false);
		atomic_init(&c->mmu[i].irq_on, false);
		mmu_reset(&c->mmu[i]);
	}
}

void sim_iommu_fini(struct sim_core *c)
{
	for (unsigned int i = 0; i < c->num_mmu; i++)
		pthread_mutex_destroy(&c->mmu[i].lock);
}

void sim_iommu_reset(struct sim_core *c)
{
	for (unsigned int i = 0; i < c->num_mmu; i++) {
		pthread_mutex_lock(&c->mmu[i].lock);
		mmu_reset(&c->mmu[i]);
		pthread_mutex_unlock(&c->mmu[i].lock);
	}
}

static struct sim_mmu *mmu_at(struct sim_core *c, uint32_t offset, uint32_t *reg)
{
	for (unsigned int i = 0; i < c->num_mmu; i++) {
		if (offset >= mmu_base[c->index][i] &&
		    offset - mmu_base[c->index][i] < RK_IOMMU_WINDOW_SIZE) {
			*reg = offset - mmu_base[c->index][i];
			return &c->mmu[i];
		}
	}
	return NULL;
}

bool sim_iommu_owns(struct sim_core *c, uint32_t offset)
{
	uint32_t reg;

	return mmu_at(c, offset, &reg) != NULL;
}

bool sim_iommu_irq_pending(struct sim_core *c)
{
	bool pending = false;

	for (unsigned int i = 0; i < c->num_mmu; i++)
		pending |= atomic_load(&c->mmu[i].irq_on);
	return pending;
}

uint32_t sim_iommu_mmio_read(struct sim_core *c, uint32_t offset)
{
	uint32_t reg, v = 0;
	struct sim_mmu *m = mmu_at(c, offset, &reg);

	if (!m)
		return 0;
	pthread_mutex_lock(&m->lock);
	switch (reg) {
	case REG_MMU_DTE_ADDR:
		v = m->dte_addr;
		break;
	case REG_MMU_STATUS:
		v = 0;
		/* No walk is ever pending between accesses. */
		rkiommu_set_MMU_STATUS_IDLE(&v, 1);
		rkiommu_set_MMU_STATUS_REPLAY_BUFFER_EMPTY(&v, 1);
		rkiommu_set_MMU_STATUS_PAGING_ENABLED(&v, m->paging);
		rkiommu_set_MMU_STATUS_PAGE_FAULT_ACTIVE(&v, m->fault_active);
		rkiommu_set_MMU_STATUS_STALL_ACTIVE(&v, m->stall);
		rkiommu_set_MMU_STATUS_PAGE_FAULT_IS_WRITE(&v, m->fault_write);
		rkiommu_set_MMU_STATUS_STALL_NOT_ACTIVE(&v, !m->stall);
		break;
	case REG_MMU_PAGE_FAULT_ADDR:
		v = m->fault_addr;
		break;
	case REG_MMU_INT_RAWSTAT:
		v = m->rawstat;
		break;
	case REG_MMU_INT_MASK:
		v = m->mask;
		break;
	case REG_MMU_INT_STATUS:
		v = m->rawstat & m->mask;
		break;
	case REG_MMU_AUTO_GATING:
		v = m->auto_gating;
		break;
	default:
		break; /* COMMAND, ZAP_ONE_LINE, INT_CLEAR and holes read 0 */
	}
	pthread_mutex_unlock(&m->lock);
	return v;
}

/* Returns true when the interrupt line may have changed. */
bool sim_iommu_mmio_write(struct sim_core *c, uint32_t offset, uint32_t value)
{
	uint32_t reg;
	struct sim_mmu *m = mmu_at(c, offset, &reg);
	bool irq = false;

	if (!m)
		return false;
	pthread_mutex_lock(&m->lock);
	switch (reg) {
	case REG_MMU_DTE_ADDR:
		/* Only the address fields exist (bits 3:0 read back 0). */
		m->dte_addr = value & (MMU_DTE_ADDR_ADDR_31_12__MASK | MMU_DTE_ADDR_ADDR_39_32__MASK);
		break;
	case REG_MMU_COMMAND:
		switch (rkiommu_get_MMU_COMMAND_CMD(value)) {
		case SIM_MMU_CMD_ENABLE_PAGING:
			m->paging = true;
			atomic_store(&m->paging_on, true);
			break;
		case SIM_MMU_CMD_DISABLE_PAGING:
			m->paging = false;
			atomic_store(&m->paging_on, false);
			break;
		case SIM_MMU_CMD_ENABLE_STALL:
			m->stall = true;
			break;
		case SIM_MMU_CMD_DISABLE_STALL:
			m->stall = false;
			break;
		case SIM_MMU_CMD_PAGE_FAULT_DONE:
			m->fault_active = false;
			m->fault_write = false;
			break;
		case SIM_MMU_CMD_FORCE_RESET:
			mmu_reset(m);
			irq = true;
			break;
		default:
			break; /* ZAP_CACHE: no TLB to drop */
		}
		break;
	case REG_MMU_INT_CLEAR:
		m->rawstat &= ~value;
		irq = true;
		break;
	case REG_MMU_INT_MASK:
		m->mask = value & RKIOMMU_INT_ALL;
		irq = true;
		break;
	case REG_MMU_AUTO_GATING:
		m->auto_gating = value;
		break;
	default:
		break; /* read-only registers and ZAP_ONE_LINE */
	}
	mmu_update_irq(m);
	pthread_mutex_unlock(&m->lock);
	return irq;
}

static uint64_t entry_addr(uint32_t e)
{
	return ((uint64_t)e & 0xfffff000u) | (((uint64_t)e & 0xf00u) << 24) |
	       (((uint64_t)e & 0xf0u) << 32);
}

static void latch_fault(struct sim_mmu *m, uint32_t iova, bool write, uint32_t bit)
{
	pthread_mutex_lock(&m->lock);
	/* The first fault is kept until PAGE_FAULT_DONE. */
	if (!m->fault_active) {
		m->fault_active = true;
		m->fault_addr = iova;
		m->fault_write = write;
	}
	m->rawstat |= bit;
	mmu_update_irq(m);
	pthread_mutex_unlock(&m->lock);
}

/* The instance serving @c's reads or writes and, when it is paging, its
 * directory's address in @dir. */
static struct sim_mmu *mmu_for(struct sim_core *c, bool write, bool *paging, uint64_t *dir)
{
	/* Which instance serves which traffic of a core with two. */
	struct sim_mmu *m = &c->mmu[write && c->num_mmu > 1 ? SIM_ASSUME_MMU_WRITE_INSTANCE
							    : SIM_ASSUME_MMU_READ_INSTANCE];

	*dir = 0;
	*paging = atomic_load(&m->paging_on);
	if (*paging) {
		pthread_mutex_lock(&m->lock);
		*paging = m->paging;
		*dir = ((uint64_t)rkiommu_get_MMU_DTE_ADDR_ADDR_31_12(m->dte_addr) << 12) |
		       ((uint64_t)rkiommu_get_MMU_DTE_ADDR_ADDR_39_32(m->dte_addr) << 32);
		pthread_mutex_unlock(&m->lock);
	}
	return m;
}

/* Physical address of @addr through the tables at @dir; 0 or the fault
 * interrupt bit (the caller latches it if it reports faults). */
static uint32_t translate(const struct rk3588_sim_bus *bus, uint64_t dir, uint64_t addr,
			  bool write, uint64_t *phys)
{
	uint32_t iova = (uint32_t)addr, dte, pte;

	/* IOVAs are 32 bits wide: nothing lies above 4 GiB. */
	if (addr >> 32)
		return RKIOMMU_INT_PAGE_FAULT;
	if (bus->dma_read(bus->ctx, dir + 4u * (iova >> 22), &dte, sizeof(dte)))
		return RKIOMMU_INT_BUS_ERROR;
	if (!(dte & MMU_ENTRY_VALID))
		return RKIOMMU_INT_PAGE_FAULT;
	if (bus->dma_read(bus->ctx, entry_addr(dte) + 4u * ((iova >> 12) & 0x3ffu), &pte,
			  sizeof(pte)))
		return RKIOMMU_INT_BUS_ERROR;
	if (!(pte & MMU_ENTRY_VALID) || !(pte & (write ? MMU_PTE_WRITABLE : MMU_PTE_READABLE)))
		return RKIOMMU_INT_PAGE_FAULT;
	*phys = entry_addr(pte) + (iova & (MMU_PAGE_SIZE - 1u));
	return 0;
}

/* Exactly one of @rd (a read) and @wr (a write) is set. */
static int access(struct sim_core *c, uint64_t addr, uint8_t *rd, const uint8_t *wr, size_t len,
		  bool report)
{
	bool write = wr != NULL;
	const struct rk3588_sim_bus *bus = &c->sim->bus;
	uint64_t dir;
	bool paging;
	struct sim_mmu *m = mmu_for(c, write, &paging, &dir);

	if (!paging)
		return write ? bus->dma_write(bus->ctx, addr, wr, len)
			     : bus->dma_read(bus->ctx, addr, rd, len);

	while (len) {
		size_t chunk = MMU_PAGE_SIZE - ((uint32_t)addr & (MMU_PAGE_SIZE - 1u));
		uint64_t phys;
		uint32_t fault;
		int rc;

		if (chunk > len)
			chunk = len;
		fault = translate(bus, dir, addr, write, &phys);
		if (fault) {
			if (report)
				latch_fault(m, (uint32_t)addr, write, fault);
			return -EFAULT;
		}
		if (write) {
			rc = bus->dma_write(bus->ctx, phys, wr, chunk);
			wr += chunk;
		} else {
			rc = bus->dma_read(bus->ctx, phys, rd, chunk);
			rd += chunk;
		}
		if (rc)
			return rc;
		addr += chunk;
		len -= chunk;
	}
	return 0;
}

const void *sim_iommu_map(struct sim_core *c, uint64_t addr, size_t len)
{
	const struct rk3588_sim_bus *bus = &c->sim->bus;
	uint64_t dir, first = addr, phys, next = 0;
	bool paging;

	if (!bus->dma_map || !bus->dma_unmap || len == 0)
		return NULL;
	mmu_for(c, false, &paging, &dir);
	if (paging) {
		/* In place only if the pages lie one after the other in
		 * physical memory; any fault is left to the copy to report. */
		for (uint64_t a = addr; a < addr + len;
		     a += MMU_PAGE_SIZE - ((uint32_t)a & (MMU_PAGE_SIZE - 1u))) {
			if (translate(bus, dir, a, false, &phys) || (a != addr && phys != next))
				return NULL;
			if (a == addr)
				first = phys;
			next = phys + MMU_PAGE_SIZE - ((uint32_t)a & (MMU_PAGE_SIZE - 1u));
		}
	}
	return bus->dma_map(bus->ctx, first, len);
}

void sim_iommu_unmap(struct sim_core *c, const void *ptr, size_t len)
{
	const struct rk3588_sim_bus *bus = &c->sim->bus;

	if (ptr && bus->dma_unmap)
		bus->dma_unmap(bus->ctx, ptr, len);
}

int sim_iommu_read(struct sim_core *c, uint64_t addr, void *dst, size_t len, bool report)
{
	return access(c, addr, dst, NULL, len, report);
}

int sim_iommu_write(struct sim_core *c, uint64_t addr, const void *src, size_t len)
{
	return access(c, addr, NULL, src, len, true);
}
