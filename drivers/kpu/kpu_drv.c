// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The KPU driver's device and file life: probe (hardware lock
 * reservation, both interrupt lines), open, close, poll.
 */
#include "kpu_internal.h"

int kpu_probe(const struct kpu_platform *plat, struct kpu_device **out)
{
	const struct kpu_soc_data *soc;
	struct kpu_device *kdev;
	int ret;

	if (!plat || !out)
		return -EINVAL;
	soc = kpu_soc_lookup(plat->compatible);
	if (!soc) {
		rnpu_osal_log(RNPU_LOG_ERR, "kpu: no SoC data for compatible \"%s\"",
			      plat->compatible ? plat->compatible : "(null)");
		return -ENODEV;
	}
	if (!plat->dev || !plat->kpu_io) {
		rnpu_osal_log(RNPU_LOG_ERR, "kpu: platform without %s",
			      plat->dev ? "the KPU register window" : "a device");
		return -EINVAL;
	}
	kdev = rnpu_osal_zalloc(sizeof(*kdev));
	if (!kdev)
		return -ENOMEM;
	kdev->soc = soc;
	kdev->plat = *plat;
	if (!kdev->plat.lock_timeout_ms)
		kdev->plat.lock_timeout_ms = soc->lock_timeout_ms;
	if (!kdev->plat.wait_timeout_ms)
		kdev->plat.wait_timeout_ms = soc->wait_timeout_ms;
	ret = rnpu_osal_spinlock_create(&kdev->irq_lock);
	if (ret)
		goto err_free;
	ret = rnpu_osal_waitq_create(&kdev->waitq);
	if (ret)
		goto err_spin;
	ret = rnpu_osal_mutex_create(&kdev->recover_lock);
	if (ret)
		goto err_waitq;
	ret = rnpu_osal_request_irq(plat->dev, plat->irq[KPU_UNIT_GNNE], kpu_gnne_irq, kdev);
	if (ret) {
		rnpu_osal_log(RNPU_LOG_ERR, "kpu: gnne interrupt %u: error %d", plat->irq[KPU_UNIT_GNNE],
			      ret);
		goto err_mutex;
	}
	ret = rnpu_osal_request_irq(plat->dev, plat->irq[KPU_UNIT_AI2D], kpu_ai2d_irq, kdev);
	if (ret) {
		rnpu_osal_log(RNPU_LOG_ERR, "kpu: ai2d interrupt %u: error %d", plat->irq[KPU_UNIT_AI2D],
			      ret);
		goto err_gnne_irq;
	}
	/* As the vendor's driver: without the lock the device still comes
	 * up, and every GNNE ioctl fails. */
	if (plat->hardlock && kpu_hardlock_request(plat->hardlock, soc->kpu_hardlock_id) == 0)
		kdev->has_hardlock = true;
	else
		rnpu_osal_log(RNPU_LOG_ERR, "kpu: cannot reserve hardlock-%u: LOCK/TRYLOCK/UNLOCK will fail",
			      soc->kpu_hardlock_id);
	*out = kdev;
	return 0;

err_gnne_irq:
	rnpu_osal_free_irq(plat->dev, plat->irq[KPU_UNIT_GNNE]);
err_mutex:
	rnpu_osal_mutex_destroy(kdev->recover_lock);
err_waitq:
	rnpu_osal_waitq_destroy(kdev->waitq);
err_spin:
	rnpu_osal_spinlock_destroy(kdev->irq_lock);
err_free:
	rnpu_osal_free(kdev);
	return ret;
}

void kpu_remove(struct kpu_device *kdev)
{
	if (!kdev)
		return;
	rnpu_osal_free_irq(kdev->plat.dev, kdev->plat.irq[KPU_UNIT_AI2D]);
	rnpu_osal_free_irq(kdev->plat.dev, kdev->plat.irq[KPU_UNIT_GNNE]);
	if (kdev->has_hardlock)
		kpu_hardlock_release(kdev->plat.hardlock, kdev->soc->kpu_hardlock_id);
	rnpu_osal_mutex_destroy(kdev->recover_lock);
	rnpu_osal_waitq_destroy(kdev->waitq);
	rnpu_osal_spinlock_destroy(kdev->irq_lock);
	rnpu_osal_free(kdev);
}

void kpu_get_stats(struct kpu_device *kdev, struct kpu_stats *out)
{
	unsigned long flags;
	unsigned int i;

	rnpu_osal_spin_lock_irqsave(kdev->irq_lock, &flags);
	for (i = 0; i < KPU_UNIT_COUNT; i++)
		out->irqs[i] = kdev->unit[i].irqs;
	out->spurious_irqs = kdev->spurious_irqs;
	out->recoveries = kdev->recoveries;
	rnpu_osal_spin_unlock_irqrestore(kdev->irq_lock, flags);
}

int kpu_file_open(struct kpu_device *kdev, enum kpu_unit unit, struct kpu_file **out)
{
	struct kpu_file *file;
	int ret;

	if (!kdev || !out || (unsigned int)unit >= KPU_UNIT_COUNT) {
		rnpu_osal_log(RNPU_LOG_ERR, "kpu: open of unit %d refused", (int)unit);
		return -EINVAL;
	}
	file = rnpu_osal_zalloc(sizeof(*file));
	if (!file)
		return -ENOMEM;
	ret = rnpu_osal_mutex_create(&file->lock);
	if (ret) {
		rnpu_osal_free(file);
		return ret;
	}
	file->kdev = kdev;
	file->unit = unit;
	*out = file;
	return 0;
}

int kpu_file_close(struct kpu_file *file)
{
	if (!file) {
		rnpu_osal_log(RNPU_LOG_ERR, "kpu: close of a NULL handle");
		return -EINVAL;
	}
	rnpu_osal_mutex_lock(file->lock);
	if (file->is_locked) {
		/* A run the handle started must not outlive its lock: the
		 * next owner would find the KPU busy. */
		if (kpu_gnne_busy(file->kdev))
			kpu_gnne_recover(file->kdev, "handle closed with a run in progress");
		kpu_gnne_unlock_locked(file);
	}
	rnpu_osal_mutex_unlock(file->lock);
	rnpu_osal_mutex_destroy(file->lock);
	rnpu_osal_free(file);
	return 0;
}

int kpu_ioctl(struct kpu_file *file, unsigned int cmd, void __rnpu_user *arg)
{
	if (!file) {
		rnpu_osal_log(RNPU_LOG_ERR, "kpu: ioctl 0x%x on a NULL handle", cmd);
		return -EINVAL;
	}
	/* The AI2D device accepts and ignores every command, as the vendor's. */
	if (file->unit == KPU_UNIT_AI2D)
		return 0;
	return kpu_gnne_ioctl(file, cmd, arg);
}

int kpu_poll(struct kpu_file *file, struct rnpu_osal_waitq **wq)
{
	struct kpu_device *kdev;
	unsigned long flags;
	int mask = 0;

	if (!file || !wq) {
		rnpu_osal_log(RNPU_LOG_ERR, "kpu: poll on a NULL handle");
		return -EINVAL;
	}
	kdev = file->kdev;
	rnpu_osal_spin_lock_irqsave(kdev->irq_lock, &flags);
	if (kdev->unit[file->unit].event) {
		kdev->unit[file->unit].event = false;
		mask = K230_KPU_POLLIN;
	}
	rnpu_osal_spin_unlock_irqrestore(kdev->irq_lock, flags);
	*wq = kdev->waitq;
	return mask;
}

bool kpu_poll_pending(struct kpu_file *file)
{
	struct kpu_device *kdev = file->kdev;
	unsigned long flags;
	bool pending;

	rnpu_osal_spin_lock_irqsave(kdev->irq_lock, &flags);
	pending = kdev->unit[file->unit].event;
	rnpu_osal_spin_unlock_irqrestore(kdev->irq_lock, flags);
	return pending;
}
