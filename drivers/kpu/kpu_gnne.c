// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The GNNE (KPU) side: LOCK/TRYLOCK/UNLOCK over the KPU hardware lock,
 * the completion wait with hang recovery, and both interrupt handlers.
 */
#include "k230/kpu_ioctl.h"
#include "kpu_internal.h"

/* One 64-bit CTRL store that sets @fields to @values: CTRL_WMASK has
 * the same bit positions as CTRL, in the high word. */
static uint64_t kpu_ctrl_store(uint32_t fields, uint32_t values)
{
	return ((uint64_t)fields << 32) | (values & fields);
}

/* The vendor's acknowledge: CPU_INTR_CLR with its mask (0x400000004). */
static uint64_t kpu_ctrl_intr_clear(void)
{
	return kpu_ctrl_store(GNNE_CTRL_WMASK_CPU_INTR_CLR__MASK, GNNE_CTRL_CPU_INTR_CLR__MASK);
}

static uint32_t kpu_gnne_status(struct kpu_device *kdev)
{
	return rnpu_osal_readl(kdev->plat.kpu_io, REG_GNNE_STATUS);
}

bool kpu_gnne_busy(struct kpu_device *kdev)
{
	uint32_t work = k230_kpu_get_GNNE_STATUS_KPU_WORK_STATUS(kpu_gnne_status(kdev));

	return work == KPU_WORK_RUNNING || work == KPU_WORK_PENDING;
}

void kpu_gnne_irq(void *data)
{
	struct kpu_device *kdev = data;
	uint32_t status = kpu_gnne_status(kdev);
	bool real = k230_kpu_get_GNNE_STATUS_INTR_STATUS(status);
	unsigned long flags;

	rnpu_osal_writeq(kdev->plat.kpu_io, REG_GNNE_CTRL, kpu_ctrl_intr_clear());
	rnpu_osal_spin_lock_irqsave(kdev->irq_lock, &flags);
	if (real) {
		kdev->unit[KPU_UNIT_GNNE].event = true;
		kdev->unit[KPU_UNIT_GNNE].irqs++;
	} else {
		kdev->spurious_irqs++;
	}
	rnpu_osal_spin_unlock_irqrestore(kdev->irq_lock, flags);
	if (real)
		rnpu_osal_waitq_wake_all(kdev->waitq);
	else
		rnpu_osal_log(RNPU_LOG_WARN, "gnne: interrupt with STATUS 0x%08x (intr_status 0): spurious, ignored",
			      status);
}

void kpu_ai2d_irq(void *data)
{
	struct kpu_device *kdev = data;
	struct rnpu_osal_mmio *io = kdev->plat.kpu_io;
	unsigned long flags;

	/* The vendor's acknowledge: 1, 0, 0, 0 to the four words. */
	rnpu_osal_writel(io, REG_AI2D_INTR_CLEAR, 1);
	rnpu_osal_writel(io, REG_AI2D_INTR_CLEAR1, 0);
	rnpu_osal_writel(io, REG_AI2D_INTR_CLEAR2, 0);
	rnpu_osal_writel(io, REG_AI2D_INTR_CLEAR3, 0);
	rnpu_osal_spin_lock_irqsave(kdev->irq_lock, &flags);
	kdev->unit[KPU_UNIT_AI2D].event = true;
	kdev->unit[KPU_UNIT_AI2D].irqs++;
	rnpu_osal_spin_unlock_irqrestore(kdev->irq_lock, flags);
	rnpu_osal_waitq_wake_all(kdev->waitq);
}

int kpu_gnne_recover(struct kpu_device *kdev, const char *why)
{
	struct rnpu_osal_mmio *io = kdev->plat.kpu_io;
	uint64_t deadline;
	unsigned long flags;
	uint32_t status;
	int ret = -EIO;

	rnpu_osal_mutex_lock(kdev->recover_lock);
	status = kpu_gnne_status(kdev);
	rnpu_osal_log(RNPU_LOG_WARN, "gnne: %s (STATUS 0x%08x, work_status %u): stopping and resetting",
		      why, status, k230_kpu_get_GNNE_STATUS_KPU_WORK_STATUS(status));
	rnpu_osal_writeq(io, REG_GNNE_CTRL, kpu_ctrl_store(GNNE_CTRL_WMASK_GNNE_ENABLE__MASK, 0));
	deadline = rnpu_osal_time_ns() + (uint64_t)kdev->soc->reset_timeout_us * 1000u;
	for (;;) {
		status = kpu_gnne_status(kdev);
		if (k230_kpu_get_GNNE_STATUS_RESET_STATUS(status) == 0) {
			ret = 0;
			break;
		}
		if (rnpu_osal_time_ns() >= deadline) {
			rnpu_osal_log(RNPU_LOG_ERR, "gnne: reset_status still %u after %u us",
				      k230_kpu_get_GNNE_STATUS_RESET_STATUS(status),
				      kdev->soc->reset_timeout_us);
			break;
		}
		rnpu_osal_udelay(10);
	}
	rnpu_osal_writeq(io, REG_GNNE_CTRL, kpu_ctrl_intr_clear());
	rnpu_osal_spin_lock_irqsave(kdev->irq_lock, &flags);
	kdev->unit[KPU_UNIT_GNNE].event = false; /* nothing of the dead run is left */
	kdev->recoveries++;
	rnpu_osal_spin_unlock_irqrestore(kdev->irq_lock, flags);
	rnpu_osal_mutex_unlock(kdev->recover_lock);
	return ret;
}

/* Under file->lock. */
static int kpu_gnne_lock_locked(struct kpu_file *file, unsigned int timeout_ms, bool once)
{
	struct kpu_device *kdev = file->kdev;
	uint64_t deadline = rnpu_osal_time_ns() + (uint64_t)timeout_ms * 1000000u;
	unsigned int tries = 0;

	if (file->is_locked)
		return 0;
	for (;;) {
		if (kpu_hardlock_trylock(kdev->plat.hardlock, kdev->soc->kpu_hardlock_id) == 0) {
			file->is_locked = true;
			return 0;
		}
		if (once)
			return -EBUSY;
		if (rnpu_osal_time_ns() >= deadline) {
			rnpu_osal_log(RNPU_LOG_ERR, "gnne: LOCK: hardlock-%u still taken after %u ms",
				      kdev->soc->kpu_hardlock_id, timeout_ms);
			return -ETIMEDOUT;
		}
		/* Spin briefly (a run takes tens of microseconds), then sleep. */
		if (tries++ < 50)
			rnpu_osal_udelay(20);
		else
			rnpu_osal_msleep(1);
	}
}

int kpu_gnne_unlock_locked(struct kpu_file *file)
{
	if (!file->is_locked)
		return 0;
	kpu_hardlock_unlock(file->kdev->plat.hardlock, file->kdev->soc->kpu_hardlock_id);
	file->is_locked = false;
	return 0;
}

static bool kpu_gnne_event_cond(void *arg)
{
	return kpu_poll_pending(arg);
}

static bool kpu_gnne_take_event(struct kpu_device *kdev)
{
	unsigned long flags;
	bool taken;

	rnpu_osal_spin_lock_irqsave(kdev->irq_lock, &flags);
	taken = kdev->unit[KPU_UNIT_GNNE].event;
	kdev->unit[KPU_UNIT_GNNE].event = false;
	rnpu_osal_spin_unlock_irqrestore(kdev->irq_lock, flags);
	return taken;
}

/* Under file->lock, which holds the KPU lock. */
static int kpu_gnne_wait_locked(struct kpu_file *file, unsigned int timeout_ms)
{
	struct kpu_device *kdev = file->kdev;
	uint64_t deadline = rnpu_osal_time_ns() + (uint64_t)timeout_ms * 1000000u;

	for (;;) {
		uint64_t now = rnpu_osal_time_ns();
		unsigned int left;

		if (kpu_gnne_take_event(kdev))
			return 0;
		if (now >= deadline)
			break;
		left = (unsigned int)((deadline - now + 999999u) / 1000000u);
		rnpu_osal_waitq_wait_timeout(kdev->waitq, kpu_gnne_event_cond, file, left);
	}
	rnpu_osal_log(RNPU_LOG_ERR, "gnne: WAIT: no completion interrupt within %u ms", timeout_ms);
	kpu_gnne_recover(kdev, "run timed out");
	return -ETIMEDOUT;
}

static int kpu_read_timeout(void __rnpu_user *arg, unsigned int fallback, unsigned int *out)
{
	uint32_t ms = 0;

	if (arg && rnpu_osal_copy_from_user(&ms, arg, sizeof(ms)))
		return -EFAULT;
	*out = ms ? ms : fallback;
	return 0;
}

int kpu_gnne_ioctl(struct kpu_file *file, unsigned int cmd, void __rnpu_user *arg)
{
	struct kpu_device *kdev = file->kdev;
	unsigned int ms;
	int ret;

	if (!kdev->has_hardlock) {
		rnpu_osal_log(RNPU_LOG_ERR, "gnne: ioctl 0x%x refused: hardlock-%u was not reserved",
			      cmd, kdev->soc->kpu_hardlock_id);
		return -ENODEV;
	}
	rnpu_osal_mutex_lock(file->lock);
	switch (cmd) {
	case K230_GNNE_IOC_LOCK:
		ret = kpu_gnne_lock_locked(file, kdev->plat.lock_timeout_ms, false);
		break;
	case K230_GNNE_IOC_TRYLOCK:
		ret = kpu_gnne_lock_locked(file, 0, true);
		break;
	case K230_GNNE_IOC_UNLOCK:
		ret = kpu_gnne_unlock_locked(file);
		break;
	case K230_GNNE_IOC_LOCK_TIMEOUT:
		ret = kpu_read_timeout(arg, kdev->plat.lock_timeout_ms, &ms);
		if (!ret)
			ret = kpu_gnne_lock_locked(file, ms, false);
		break;
	case K230_GNNE_IOC_WAIT:
		ret = kpu_read_timeout(arg, kdev->plat.wait_timeout_ms, &ms);
		if (ret)
			break;
		if (!file->is_locked) {
			rnpu_osal_log(RNPU_LOG_ERR, "gnne: WAIT by a handle without the KPU lock");
			ret = -EPERM;
			break;
		}
		ret = kpu_gnne_wait_locked(file, ms);
		break;
	default:
		rnpu_osal_log(RNPU_LOG_ERR, "gnne: unknown ioctl command 0x%x", cmd);
		ret = -EINVAL;
		break;
	}
	rnpu_osal_mutex_unlock(file->lock);
	return ret;
}
