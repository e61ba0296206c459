// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The K230 mailbox hardware locks, shared by both CPUs: reading a lock's
 * register takes it when it reads 0; a non-zero read means another owner
 * holds it; writing 0 releases it. On top, a per-OS reservation so that
 * one driver of this OS owns each lock.
 */
#include "kpu_internal.h"

/* One 32-bit register per lock, lock 0 first, the last one at LAST. */
#define KPU_HARDLOCK_STRIDE sizeof(uint32_t)
#define KPU_HARDLOCK_COUNT ((REG_HARDLOCK_LAST - REG_HARDLOCK_GPIO) / KPU_HARDLOCK_STRIDE + 1)

struct kpu_hardlock {
	struct rnpu_osal_mmio *io;
	/* Protects reserved[]. */
	struct rnpu_osal_mutex *lock;
	uint32_t reserved[(KPU_HARDLOCK_COUNT + 31) / 32];
};

int kpu_hardlock_create(struct rnpu_osal_mmio *mbox_io, struct kpu_hardlock **out)
{
	struct kpu_hardlock *hl;
	int ret;

	if (!mbox_io || !out)
		return -EINVAL;
	hl = rnpu_osal_zalloc(sizeof(*hl));
	if (!hl)
		return -ENOMEM;
	ret = rnpu_osal_mutex_create(&hl->lock);
	if (ret)
		goto err_free;
	hl->io = mbox_io;
	*out = hl;
	return 0;

err_free:
	rnpu_osal_free(hl);
	return ret;
}

void kpu_hardlock_destroy(struct kpu_hardlock *hl)
{
	if (!hl)
		return;
	rnpu_osal_mutex_destroy(hl->lock);
	rnpu_osal_free(hl);
}

static uint32_t kpu_hardlock_reg(unsigned int id)
{
	return REG_HARDLOCK_GPIO + id * KPU_HARDLOCK_STRIDE;
}

int kpu_hardlock_request(struct kpu_hardlock *hl, unsigned int id)
{
	uint32_t bit = 1u << (id % 32);
	int ret = 0;

	if (id >= KPU_HARDLOCK_COUNT) {
		rnpu_osal_log(RNPU_LOG_ERR, "hardlock: request of lock id %u (only %u locks)", id,
			      (unsigned int)KPU_HARDLOCK_COUNT);
		return -EINVAL;
	}
	rnpu_osal_mutex_lock(hl->lock);
	if (hl->reserved[id / 32] & bit) {
		rnpu_osal_log(RNPU_LOG_ERR, "hardlock: request failed, hardlock-%u is in use", id);
		ret = -EBUSY;
	} else {
		hl->reserved[id / 32] |= bit;
	}
	rnpu_osal_mutex_unlock(hl->lock);
	return ret;
}

void kpu_hardlock_release(struct kpu_hardlock *hl, unsigned int id)
{
	if (id >= KPU_HARDLOCK_COUNT)
		return;
	rnpu_osal_mutex_lock(hl->lock);
	hl->reserved[id / 32] &= ~(1u << (id % 32));
	rnpu_osal_mutex_unlock(hl->lock);
}

int kpu_hardlock_trylock(struct kpu_hardlock *hl, unsigned int id)
{
	if (id >= KPU_HARDLOCK_COUNT)
		return -EINVAL;
	/* The read is the acquisition. */
	return rnpu_osal_readl(hl->io, kpu_hardlock_reg(id)) == 0 ? 0 : -EBUSY;
}

void kpu_hardlock_unlock(struct kpu_hardlock *hl, unsigned int id)
{
	if (id >= KPU_HARDLOCK_COUNT)
		return;
	/* No read first (the vendor reads, then writes 0 if it saw the lock
	 * taken): reading a lock that happens to be free would take it. The
	 * caller knows it holds the lock. */
	rnpu_osal_writel(hl->io, kpu_hardlock_reg(id), 0);
}
