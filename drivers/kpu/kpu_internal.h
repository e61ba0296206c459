/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
#ifndef KPU_INTERNAL_H
#define KPU_INTERNAL_H

#include "k230/kpu_ioctl.h"
#include "k230_kpu_regs.h"
#include "k230_mailbox_regs.h"
#include "kpu_device.h"

/* STATUS.KPU_WORK_STATUS values (nncase gnne.h). */
enum kpu_work_status {
	KPU_WORK_IDLE = 0,
	KPU_WORK_RUNNING = 1,
	KPU_WORK_PENDING = 2,
	KPU_WORK_ERROR = 3,
};

/* Per-SoC data (kpu_soc.c). */
struct kpu_soc_data {
	const char *compatible;
	unsigned int kpu_hardlock_id;    /* the mailbox lock guarding the KPU */
	unsigned int lock_timeout_ms;    /* default bound of LOCK */
	unsigned int wait_timeout_ms;    /* default bound of WAIT */
	unsigned int reset_timeout_us;   /* bound of the wait for reset_status 0 */
};

const struct kpu_soc_data *kpu_soc_lookup(const char *compatible);

struct kpu_unit_state {
	bool event;        /* completion latched, one deep */
	uint64_t irqs;
};

struct kpu_device {
	const struct kpu_soc_data *soc;
	struct kpu_platform plat;
	bool has_hardlock; /* reserved at probe */
	/* Protects unit[], spurious_irqs and recoveries; taken by the
	 * interrupt handlers. */
	struct rnpu_osal_spinlock *irq_lock;
	struct kpu_unit_state unit[KPU_UNIT_COUNT];
	uint64_t spurious_irqs;
	uint64_t recoveries;
	/* Every poller and waiter of both units sleeps here. */
	struct rnpu_osal_waitq *waitq;
	/* Serialises stopping the GNNE (WAIT timeouts, closes mid-run). */
	struct rnpu_osal_mutex *recover_lock;
};

struct kpu_file {
	struct kpu_device *kdev;
	enum kpu_unit unit;
	/* Protects is_locked against concurrent ioctls on the same handle. */
	struct rnpu_osal_mutex *lock;
	bool is_locked;    /* this handle holds the KPU hardware lock */
};

/* kpu_gnne.c */
int kpu_gnne_ioctl(struct kpu_file *file, unsigned int cmd, void __rnpu_user *arg);
void kpu_gnne_irq(void *data);
void kpu_ai2d_irq(void *data);
/* Stops the GNNE, waits for its reset, acknowledges: 0 or -EIO. */
int kpu_gnne_recover(struct kpu_device *kdev, const char *why);
bool kpu_gnne_busy(struct kpu_device *kdev);
int kpu_gnne_unlock_locked(struct kpu_file *file);

#endif
