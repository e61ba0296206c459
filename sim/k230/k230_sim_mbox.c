// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The mailbox's hardware locks: reading a free lock takes it (the read
 * returns 0), reading a taken one returns non-zero, writing 0 frees it.
 * Atomic operations on memory every attached process maps, so the locks
 * exclude across processes as they do across the K230's two CPUs.
 */
#include "k230_sim_assumptions.h"
#include "k230_sim_internal.h"

static bool k230_sim_lock_index(uint32_t offset, unsigned int *idx)
{
	if (offset < REG_HARDLOCK_GPIO || offset > REG_HARDLOCK_LAST ||
	    (offset - REG_HARDLOCK_GPIO) % sizeof(uint32_t))
		return false;
	*idx = (offset - REG_HARDLOCK_GPIO) / sizeof(uint32_t);
	return true;
}

uint32_t k230_sim_mbox_read32(struct k230_sim *sim, uint32_t offset)
{
	struct k230_sim_hw *hw = sim->hw;
	uint32_t expected = 0;
	unsigned int idx;
	bool taken;

	if (!k230_sim_lock_index(offset, &idx))
		return 0;
	taken = __atomic_compare_exchange_n(&hw->hardlock[idx], &expected, sim->cpu + 1u, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	pthread_mutex_lock(&hw->lock);
	if (taken)
		hw->stats.hardlock_taken++;
	else
		hw->stats.hardlock_busy++;
	pthread_mutex_unlock(&hw->lock);
	return taken ? 0 : expected;
}

void k230_sim_mbox_write32(struct k230_sim *sim, uint32_t offset, uint32_t value)
{
	unsigned int idx;

	if (!k230_sim_lock_index(offset, &idx))
		return;
	if (value != 0 && K230_SIM_ASSUME_HARDLOCK_NONZERO_WRITE_IGNORED)
		return;
	__atomic_store_n(&sim->hw->hardlock[idx], 0u, __ATOMIC_RELEASE);
}
