// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* Kernel OS services: mutexes, IRQ-safe spinlocks and wait queues. */
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "osal_linux.h"

struct rnpu_osal_mutex {
	struct mutex lock; /* whatever the core's caller says it protects */
};

struct rnpu_osal_spinlock {
	spinlock_t lock; /* whatever the core's caller says it protects */
};

struct rnpu_osal_waitq {
	wait_queue_head_t wq;
};

int rnpu_osal_mutex_create(struct rnpu_osal_mutex **out)
{
	struct rnpu_osal_mutex *m = kzalloc(sizeof(*m), GFP_KERNEL);

	if (!m)
		return -ENOMEM;
	mutex_init(&m->lock);
	*out = m;
	return 0;
}

void rnpu_osal_mutex_destroy(struct rnpu_osal_mutex *m)
{
	if (!m)
		return;
	mutex_destroy(&m->lock);
	kfree(m);
}

void rnpu_osal_mutex_lock(struct rnpu_osal_mutex *m)
{
	mutex_lock(&m->lock);
}

void rnpu_osal_mutex_unlock(struct rnpu_osal_mutex *m)
{
	mutex_unlock(&m->lock);
}

bool rnpu_osal_mutex_trylock(struct rnpu_osal_mutex *m)
{
	return mutex_trylock(&m->lock);
}

int rnpu_osal_spinlock_create(struct rnpu_osal_spinlock **out)
{
	struct rnpu_osal_spinlock *l = kzalloc(sizeof(*l), GFP_KERNEL);

	if (!l)
		return -ENOMEM;
	spin_lock_init(&l->lock);
	*out = l;
	return 0;
}

void rnpu_osal_spinlock_destroy(struct rnpu_osal_spinlock *l)
{
	kfree(l);
}

/* The lock is taken here and released in another function: tell sparse. */
void rnpu_osal_spin_lock_irqsave(struct rnpu_osal_spinlock *l, unsigned long *flags)
	__acquires(&l->lock)
{
	unsigned long f;

	spin_lock_irqsave(&l->lock, f);
	*flags = f;
}

void rnpu_osal_spin_unlock_irqrestore(struct rnpu_osal_spinlock *l, unsigned long flags)
	__releases(&l->lock)
{
	spin_unlock_irqrestore(&l->lock, flags);
}

int rnpu_osal_waitq_create(struct rnpu_osal_waitq **out)
{
	struct rnpu_osal_waitq *wq = kzalloc(sizeof(*wq), GFP_KERNEL);

	if (!wq)
		return -ENOMEM;
	init_waitqueue_head(&wq->wq);
	*out = wq;
	return 0;
}

void rnpu_osal_waitq_destroy(struct rnpu_osal_waitq *wq)
{
	kfree(wq);
}

/* Uninterruptible like the vendor's blocking submit; wait_event_timeout
 * re-tests the condition after queueing itself, so no wake-up is lost. */
long rnpu_osal_waitq_wait_timeout(struct rnpu_osal_waitq *wq, bool (*cond)(void *arg),
				  void *arg, unsigned int timeout_ms)
{
	long left = wait_event_timeout(wq->wq, cond(arg), msecs_to_jiffies(timeout_ms));

	if (left <= 0)
		return 0;
	return max_t(long, 1, (long)jiffies_to_msecs(left));
}

void rnpu_osal_waitq_wake_all(struct rnpu_osal_waitq *wq)
{
	wake_up_all(&wq->wq);
}
