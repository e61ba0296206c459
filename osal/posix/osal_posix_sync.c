// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* OS services on POSIX: locks and wait queues over pthreads (on Linux, a
 * wait queue sleeps on a futex). */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#ifdef __linux__
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "osal.h"
#include "osal_posix.h"

static uint64_t rnpu_posix_now_ns(void);
static void waitq_wake(struct rnpu_osal_waitq *wq);

struct rnpu_osal_mutex {
	pthread_mutex_t m;
};

/* In userspace there are no interrupts to mask: a spinlock is a mutex
 * (the IRQ "handler" runs on the host's delivery thread). */
struct rnpu_osal_spinlock {
	pthread_mutex_t m;
};

/*
 * A waiter samples the generation, tests its condition, announces itself in
 * @waiters and sleeps while the generation is unchanged; a wake bumps the
 * generation and makes a system call only if someone is announced. Both
 * sides write one counter and then read the other (with full fences), so
 * a waker that reads no waiter has bumped the generation before the
 * waiter's sleep compares it, and that sleep returns at once.
 */
struct rnpu_osal_waitq {
	unsigned int generation; /* atomic: bumped by every wake (the futex word) */
	unsigned int waiters;    /* atomic: threads announced to sleep */
	unsigned int owed;       /* atomic: wakes deferred past a lock */
#ifndef __linux__
	pthread_mutex_t m;       /* protects nothing but the condition variable's sleep */
	pthread_cond_t cond;
#endif
};

int rnpu_osal_mutex_create(struct rnpu_osal_mutex **out)
{
	struct rnpu_osal_mutex *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	pthread_mutex_init(&m->m, NULL);
	*out = m;
	return 0;
}

void rnpu_osal_mutex_destroy(struct rnpu_osal_mutex *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->m);
	free(m);
}

void rnpu_osal_mutex_lock(struct rnpu_osal_mutex *m)
{
	pthread_mutex_lock(&m->m);
}

void rnpu_osal_mutex_unlock(struct rnpu_osal_mutex *m)
{
	pthread_mutex_unlock(&m->m);
}

bool rnpu_osal_mutex_trylock(struct rnpu_osal_mutex *m)
{
	return pthread_mutex_trylock(&m->m) == 0;
}

int rnpu_osal_spinlock_create(struct rnpu_osal_spinlock **out)
{
	struct rnpu_osal_spinlock *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	pthread_mutex_init(&l->m, NULL);
	*out = l;
	return 0;
}

void rnpu_osal_spinlock_destroy(struct rnpu_osal_spinlock *l)
{
	if (!l)
		return;
	pthread_mutex_destroy(&l->m);
	free(l);
}

/*
 * Interrupt masking, modelled per thread: while a thread holds an
 * interrupt-safe lock its "interrupts are disabled", and an interrupt the
 * host raises on it is held back and taken when the outermost lock is
 * released, as a CPU takes a pending interrupt when it re-enables them.
 */
#define RNPU_POSIX_MAX_DEFERRED 32 /* lines of every host in the process */

struct rnpu_deferred_irq {
	void (*fn)(void *ctx, unsigned int arg);
	void *ctx;
	unsigned int arg;
};

static __thread unsigned int irq_disable_depth;
static __thread struct rnpu_deferred_irq deferred[RNPU_POSIX_MAX_DEFERRED];
static __thread unsigned int ndeferred;

/* Wait queues woken under an interrupt-safe lock, broadcast once the
 * outermost one is released (see rnpu_osal_waitq_wake_all). */
static __thread struct rnpu_osal_waitq *owed[RNPU_POSIX_MAX_DEFERRED];
static __thread unsigned int nowed;

bool rnpu_posix_irqs_disabled(void)
{
	return irq_disable_depth > 0;
}

bool rnpu_posix_defer_irq(void (*fn)(void *ctx, unsigned int arg), void *ctx, unsigned int arg)
{
	for (unsigned int i = 0; i < ndeferred; i++)
		if (deferred[i].fn == fn && deferred[i].ctx == ctx && deferred[i].arg == arg)
			return true; /* already pending */
	if (ndeferred == RNPU_POSIX_MAX_DEFERRED)
		return false;
	deferred[ndeferred++] = (struct rnpu_deferred_irq){ fn, ctx, arg };
	return true;
}

static void run_deferred_irqs(void)
{
	/* A handler may take the lock again and defer more: drain in order. */
	for (unsigned int i = 0; i < ndeferred; i++) {
		struct rnpu_deferred_irq d = deferred[i];

		d.fn(d.ctx, d.arg);
	}
	ndeferred = 0;
}

void rnpu_osal_spin_lock_irqsave(struct rnpu_osal_spinlock *l, unsigned long *flags)
{
	*flags = 0;
	pthread_mutex_lock(&l->m);
	irq_disable_depth++;
}

void rnpu_osal_spin_unlock_irqrestore(struct rnpu_osal_spinlock *l, unsigned long flags)
{
	(void)flags;
	pthread_mutex_unlock(&l->m);
	if (--irq_disable_depth != 0)
		return;
	while (nowed) {
		struct rnpu_osal_waitq *wq = owed[--nowed];

		waitq_wake(wq);
		/* The last touch of wq: its destroy waits for this. */
		__atomic_fetch_sub(&wq->owed, 1, __ATOMIC_RELEASE);
	}
	if (ndeferred)
		run_deferred_irqs();
}

int rnpu_osal_waitq_create(struct rnpu_osal_waitq **out)
{
	struct rnpu_osal_waitq *wq = calloc(1, sizeof(*wq));

	if (!wq)
		return -ENOMEM;
#ifndef __linux__
	pthread_condattr_t attr;

	pthread_mutex_init(&wq->m, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&wq->cond, &attr);
	pthread_condattr_destroy(&attr);
#endif
	*out = wq;
	return 0;
}

void rnpu_osal_waitq_destroy(struct rnpu_osal_waitq *wq)
{
	uint64_t deadline;

	if (!wq)
		return;
	/* Owed by this very thread (destroyed under an interrupt-safe lock):
	 * dropped here rather than waited for, which would never end. */
	for (unsigned int i = 0; i < nowed; i++) {
		if (owed[i] != wq)
			continue;
		owed[i] = owed[--nowed];
		__atomic_fetch_sub(&wq->owed, 1, __ATOMIC_RELAXED);
		break;
	}
	/* A broadcast owed by a thread that has just released its lock is
	 * microseconds away; should that thread stall for a second, the
	 * queue is leaked rather than freed under it. */
	if (__atomic_load_n(&wq->owed, __ATOMIC_ACQUIRE)) {
		deadline = rnpu_posix_now_ns() + 1000000000ull;
		while (__atomic_load_n(&wq->owed, __ATOMIC_ACQUIRE)) {
			if (rnpu_posix_now_ns() >= deadline)
				return;
			sched_yield();
		}
	}
#ifndef __linux__
	pthread_cond_destroy(&wq->cond);
	pthread_mutex_destroy(&wq->m);
#endif
	free(wq);
}

static uint64_t rnpu_posix_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Sleeps until the generation differs from @gen, a wake or the absolute
 * CLOCK_MONOTONIC time @ts; returns at once if it already differs. */
static void waitq_sleep(struct rnpu_osal_waitq *wq, unsigned int gen, const struct timespec *ts)
{
#ifdef __linux__
	/* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC time; EAGAIN
	 * (the word changed), EINTR and ETIMEDOUT all end the sleep, the
	 * caller re-tests. */
	syscall(SYS_futex, &wq->generation, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, gen, ts,
		NULL, FUTEX_BITSET_MATCH_ANY);
#else
	pthread_mutex_lock(&wq->m);
	while (__atomic_load_n(&wq->generation, __ATOMIC_RELAXED) == gen) {
		if (pthread_cond_timedwait(&wq->cond, &wq->m, ts) != 0)
			break;
	}
	pthread_mutex_unlock(&wq->m);
#endif
}

/* Wakes every thread in waitq_sleep. */
static void waitq_wake(struct rnpu_osal_waitq *wq)
{
#ifdef __linux__
	syscall(SYS_futex, &wq->generation, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, NULL, NULL,
		0);
#else
	/* A sleeper compares the generation under m: taking m orders this
	 * broadcast after its compare, so it is asleep or saw the bump. */
	pthread_mutex_lock(&wq->m);
	pthread_mutex_unlock(&wq->m);
	pthread_cond_broadcast(&wq->cond);
#endif
}

long rnpu_osal_waitq_wait_timeout(struct rnpu_osal_waitq *wq, bool (*cond)(void *arg),
				  void *arg, unsigned int timeout_ms)
{
	uint64_t deadline = rnpu_posix_now_ns() + (uint64_t)timeout_ms * 1000000ull;
	struct timespec ts = { .tv_sec = (time_t)(deadline / 1000000000ull),
			       .tv_nsec = (long)(deadline % 1000000000ull) };
	uint64_t now;

	for (;;) {
		/* Sample the wake generation before testing the condition, so
		 * a wake between the test and the sleep is not lost. Acquire:
		 * what the waker wrote before its bump is seen by the test. */
		unsigned int gen = __atomic_load_n(&wq->generation, __ATOMIC_ACQUIRE);

		if (cond(arg)) {
			now = rnpu_posix_now_ns();
			return now >= deadline ? 1 : (long)((deadline - now) / 1000000ull) + 1;
		}
		__atomic_fetch_add(&wq->waiters, 1, __ATOMIC_SEQ_CST);
		__atomic_thread_fence(__ATOMIC_SEQ_CST); /* announce, then compare */
		waitq_sleep(wq, gen, &ts);
		__atomic_fetch_sub(&wq->waiters, 1, __ATOMIC_RELEASE);
		if (rnpu_posix_now_ns() >= deadline)
			return cond(arg) ? 1 : 0;
	}
}

void rnpu_osal_waitq_wake_all(struct rnpu_osal_waitq *wq)
{
	bool defer = irq_disable_depth > 0;

	__atomic_fetch_add(&wq->generation, 1, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* bump, then look for sleepers */
	/* Nobody announced: a waiter still to come compares the new
	 * generation and does not sleep, so there is no one to wake (this
	 * saves a system call on every completion nobody waits for). */
	if (!__atomic_load_n(&wq->waiters, __ATOMIC_RELAXED))
		return;
	/* Under an interrupt-safe lock (a completion waking its submitter)
	 * the wake waits for the lock's release: on a VM it is a
	 * cross-CPU wake-up taking microseconds, and the woken submitter,
	 * running at once, would otherwise find the lock still held by its
	 * waker at its next submit and sleep a second time. A waiter that
	 * tests the condition meanwhile sees the new generation. */
	for (unsigned int i = 0; defer && i < nowed; i++)
		if (owed[i] == wq)
			return; /* already owed */
	if (defer && nowed < RNPU_POSIX_MAX_DEFERRED) {
		__atomic_fetch_add(&wq->owed, 1, __ATOMIC_RELAXED);
		owed[nowed++] = wq;
		return;
	}
	waitq_wake(wq);
}
