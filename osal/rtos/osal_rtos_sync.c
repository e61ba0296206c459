// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * OS services on an RTOS: locks, wait queues and time, all built from the
 * port's counting semaphore, interrupt mask and clock.
 */
#include "osal_rtos_internal.h"

/* A semaphore of one count: unlock may come from any task that holds it,
 * which an RTOS mutex with an owner would refuse. */
struct rnpu_osal_mutex {
	struct rnpu_port_sem *sem;
};

struct rnpu_osal_spinlock {
	uint32_t locked;
};

/* Waiters sleep on one counting semaphore; wake_all gives it once per
 * registered waiter. A give left over when a waiter leaves early only
 * costs a later waiter one extra look at its condition. */
struct rnpu_osal_waitq {
	struct rnpu_port_sem *sem;
	uint32_t waiters;               /* atomic */
};

int rnpu_osal_mutex_create(struct rnpu_osal_mutex **out)
{
	struct rnpu_osal_mutex *m = rnpu_osal_zalloc(sizeof(*m));
	int ret;

	if (!m)
		return -ENOMEM;
	ret = rnpu_port_sem_create(1, &m->sem);
	if (ret) {
		rnpu_osal_free(m);
		return ret;
	}
	*out = m;
	return 0;
}

void rnpu_osal_mutex_destroy(struct rnpu_osal_mutex *m)
{
	if (!m)
		return;
	rnpu_port_sem_destroy(m->sem);
	rnpu_osal_free(m);
}

void rnpu_osal_mutex_lock(struct rnpu_osal_mutex *m)
{
	/* A port whose "forever" is finite returns on timeout: keep going. */
	while (rnpu_port_sem_take(m->sem, RNPU_PORT_FOREVER) != 0)
		;
}

void rnpu_osal_mutex_unlock(struct rnpu_osal_mutex *m)
{
	rnpu_port_sem_give(m->sem);
}

bool rnpu_osal_mutex_trylock(struct rnpu_osal_mutex *m)
{
	return rnpu_port_sem_take(m->sem, 0) == 0;
}

int rnpu_osal_spinlock_create(struct rnpu_osal_spinlock **out)
{
	struct rnpu_osal_spinlock *l = rnpu_osal_zalloc(sizeof(*l));

	if (!l)
		return -ENOMEM;
	*out = l;
	return 0;
}

void rnpu_osal_spinlock_destroy(struct rnpu_osal_spinlock *l)
{
	rnpu_osal_free(l);
}

void rnpu_osal_spin_lock_irqsave(struct rnpu_osal_spinlock *l, unsigned long *flags)
{
	*flags = rnpu_rtos_spin_lock(&l->locked);
}

void rnpu_osal_spin_unlock_irqrestore(struct rnpu_osal_spinlock *l, unsigned long flags)
{
	rnpu_rtos_spin_unlock(&l->locked, flags);
}

int rnpu_osal_waitq_create(struct rnpu_osal_waitq **out)
{
	struct rnpu_osal_waitq *wq = rnpu_osal_zalloc(sizeof(*wq));
	int ret;

	if (!wq)
		return -ENOMEM;
	ret = rnpu_port_sem_create(0, &wq->sem);
	if (ret) {
		rnpu_osal_free(wq);
		return ret;
	}
	*out = wq;
	return 0;
}

void rnpu_osal_waitq_destroy(struct rnpu_osal_waitq *wq)
{
	if (!wq)
		return;
	rnpu_port_sem_destroy(wq->sem);
	rnpu_osal_free(wq);
}

long rnpu_osal_waitq_wait_timeout(struct rnpu_osal_waitq *wq, bool (*cond)(void *arg),
				  void *arg, unsigned int timeout_ms)
{
	uint64_t deadline = rnpu_port_time_ns() + (uint64_t)timeout_ms * 1000000u;
	long left;

	/* Registered before the first look at the condition, with a full
	 * barrier on both sides (here and in wake_all): either the waker sees
	 * this waiter and gives, or this waiter sees the condition true. */
	__atomic_add_fetch(&wq->waiters, 1u, __ATOMIC_SEQ_CST);
	for (;;) {
		unsigned int ms;

		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (cond(arg)) {
			ms = rnpu_rtos_ms_until(rnpu_port_time_ns(), deadline);
			left = ms ? (long)ms : 1;
			break;
		}
		ms = rnpu_rtos_ms_until(rnpu_port_time_ns(), deadline);
		if (!ms) {
			left = 0;
			break;
		}
		/* Taken or timed out, the condition decides next round. */
		(void)rnpu_port_sem_take(wq->sem, ms);
	}
	__atomic_sub_fetch(&wq->waiters, 1u, __ATOMIC_SEQ_CST);
	return left;
}

void rnpu_osal_waitq_wake_all(struct rnpu_osal_waitq *wq)
{
	uint32_t n;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	n = __atomic_load_n(&wq->waiters, __ATOMIC_SEQ_CST);
	while (n--)
		rnpu_port_sem_give(wq->sem);
}

uint64_t rnpu_osal_time_ns(void)
{
	return rnpu_port_time_ns();
}

/* Nobody ever gives it: taking it is a sleep of exactly the timeout, for
 * every task at once. Created on first use; a loser of the race frees its
 * own. */
static struct rnpu_port_sem *rnpu_rtos_sleep_sem;

static struct rnpu_port_sem *rnpu_rtos_get_sleep_sem(void)
{
	struct rnpu_port_sem *s = __atomic_load_n(&rnpu_rtos_sleep_sem, __ATOMIC_ACQUIRE);
	struct rnpu_port_sem *mine, *expected = NULL;

	if (s || rnpu_port_sem_create(0, &mine))
		return s;
	if (__atomic_compare_exchange_n(&rnpu_rtos_sleep_sem, &expected, mine, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return mine;
	rnpu_port_sem_destroy(mine);
	return expected;
}

void rnpu_osal_msleep(unsigned int ms)
{
	uint64_t deadline = rnpu_port_time_ns() + (uint64_t)ms * 1000000u;
	struct rnpu_port_sem *s = rnpu_rtos_get_sleep_sem();
	unsigned int left;

	while ((left = rnpu_rtos_ms_until(rnpu_port_time_ns(), deadline)) != 0) {
		if (s)
			(void)rnpu_port_sem_take(s, left);
		/* else: no memory for a semaphore; spinning still sleeps long enough */
	}
}

void rnpu_osal_udelay(unsigned int us)
{
	uint64_t deadline = rnpu_port_time_ns() + (uint64_t)us * 1000u;

	while (rnpu_port_time_ns() < deadline)
		;
}
