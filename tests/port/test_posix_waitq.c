// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The POSIX OS services' wait queues under interrupt-safe locks: a wake
 * issued while such a lock is held reaches a sleeping waiter when the
 * lock is released, not before (so the waiter does not run into the lock
 * its waker still holds), destroying a queue waits for a wake still
 * owed to it by another thread, and no wake is lost between a waiter's
 * test and its sleep (a wake with nobody announced makes no system call).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_threads.h"

#include "osal.h"

#define BOUND_MS 10000

struct waiter {
	struct rnpu_osal_waitq *wq;
	int flag;          /* atomic: the condition */
	int tid;           /* atomic: the waiter's thread id once running */
	int woke;          /* atomic */
	unsigned int timeout_ms; /* 0: BOUND_MS */
	long ret;
};

static bool flag_set(void *arg)
{
	return __atomic_load_n((int *)arg, __ATOMIC_ACQUIRE) != 0;
}

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	__atomic_store_n(&w->tid, gettid(), __ATOMIC_RELEASE);
	w->ret = rnpu_osal_waitq_wait_timeout(w->wq, flag_set, &w->flag,
					      w->timeout_ms ? w->timeout_ms : BOUND_MS);
	__atomic_store_n(&w->woke, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void wake_reaches_waiter_at_release(void **state)
{
	struct rnpu_osal_spinlock *l;
	struct waiter w = { 0 };
	unsigned long flags;
	pthread_t t;
	int ms, tid;

	(void)state;
	assert_int_equal(rnpu_osal_spinlock_create(&l), 0);
	assert_int_equal(rnpu_osal_waitq_create(&w.wq), 0);
	assert_int_equal(pthread_create(&t, NULL, wait_thread, &w), 0);
	/* Asleep in the queue (bounded: the machine may be loaded). */
	for (ms = 0; ms < BOUND_MS; ms++) {
		tid = __atomic_load_n(&w.tid, __ATOMIC_ACQUIRE);
		if (tid && test_thread_state(tid) == 'S')
			break;
		usleep(1000);
	}
	usleep(20000);
	assert_true(ms < BOUND_MS);

	rnpu_osal_spin_lock_irqsave(l, &flags);
	__atomic_store_n(&w.flag, 1, __ATOMIC_RELEASE);
	rnpu_osal_waitq_wake_all(w.wq);
	usleep(100000); /* plenty for a woken thread to return */
	assert_int_equal(__atomic_load_n(&w.woke, __ATOMIC_ACQUIRE), 0);
	rnpu_osal_spin_unlock_irqrestore(l, flags);
	for (ms = 0; ms < BOUND_MS && !__atomic_load_n(&w.woke, __ATOMIC_ACQUIRE); ms++)
		usleep(1000);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(w.ret > 0); /* woken with the condition true, not timed out */
	rnpu_osal_waitq_destroy(w.wq);
	rnpu_osal_spinlock_destroy(l);
}

struct owing {
	struct rnpu_osal_spinlock *l;
	struct rnpu_osal_waitq *wq;
	int owes;      /* atomic: woke under the lock */
	int releasing; /* atomic: about to release the lock */
};

static void *owe_thread(void *arg)
{
	struct owing *o = arg;
	unsigned long flags;

	rnpu_osal_spin_lock_irqsave(o->l, &flags);
	rnpu_osal_waitq_wake_all(o->wq);
	__atomic_store_n(&o->owes, 1, __ATOMIC_RELEASE);
	usleep(300000); /* past the waiter's timeout: the queue is destroyed meanwhile */
	__atomic_store_n(&o->releasing, 1, __ATOMIC_RELEASE);
	rnpu_osal_spin_unlock_irqrestore(o->l, flags);
	return NULL;
}

/* A waiter asleep in @w.wq for at most @timeout_ms (a wake is owed only
 * to a queue with someone asleep in it). */
static void start_sleeper(struct waiter *w, pthread_t *t, unsigned int timeout_ms)
{
	int ms, tid;

	w->timeout_ms = timeout_ms;
	assert_int_equal(pthread_create(t, NULL, wait_thread, w), 0);
	for (ms = 0; ms < BOUND_MS; ms++) {
		tid = __atomic_load_n(&w->tid, __ATOMIC_ACQUIRE);
		if (tid && test_thread_state(tid) == 'S')
			break;
		usleep(1000);
	}
	assert_true(ms < BOUND_MS);
}

static void destroy_waits_for_owed_wake(void **state)
{
	struct owing o = { 0 };
	struct waiter w = { 0 };
	pthread_t t, tw;
	int ms;

	(void)state;
	assert_int_equal(rnpu_osal_spinlock_create(&o.l), 0);
	assert_int_equal(rnpu_osal_waitq_create(&o.wq), 0);
	w.wq = o.wq;
	start_sleeper(&w, &tw, 100);
	assert_int_equal(pthread_create(&t, NULL, owe_thread, &o), 0);
	for (ms = 0; ms < BOUND_MS && !__atomic_load_n(&o.owes, __ATOMIC_ACQUIRE); ms++)
		usleep(1000);
	assert_true(ms < BOUND_MS);
	/* The waiter, not woken yet, times out and leaves the queue. */
	assert_int_equal(pthread_join(tw, NULL), 0);
	assert_int_equal(w.ret, 0);
	rnpu_osal_waitq_destroy(o.wq); /* frees only after the broadcast */
	assert_int_equal(__atomic_load_n(&o.releasing, __ATOMIC_ACQUIRE), 1);
	assert_int_equal(pthread_join(t, NULL), 0);
	rnpu_osal_spinlock_destroy(o.l);
}

/* A queue destroyed by the very thread that owes it a broadcast (still
 * under its lock) is freed at once, and the release touches it no more. */
static void destroy_by_the_thread_owing(void **state)
{
	struct rnpu_osal_spinlock *l;
	struct rnpu_osal_waitq *wq;
	unsigned long flags;

	struct waiter w = { 0 };
	pthread_t tw;

	(void)state;
	assert_int_equal(rnpu_osal_spinlock_create(&l), 0);
	assert_int_equal(rnpu_osal_waitq_create(&wq), 0);
	w.wq = wq;
	start_sleeper(&w, &tw, 100);
	rnpu_osal_spin_lock_irqsave(l, &flags);
	rnpu_osal_waitq_wake_all(wq); /* owed to the sleeper until the release */
	assert_int_equal(pthread_join(tw, NULL), 0); /* it times out meanwhile */
	assert_int_equal(w.ret, 0);
	rnpu_osal_waitq_destroy(wq);
	rnpu_osal_spin_unlock_irqrestore(l, flags);
	rnpu_osal_spinlock_destroy(l);
}

/*
 * Ping-pong over two queues: each round one thread publishes a number and
 * wakes the other, which waits for it with a timeout; a wake lost between
 * a waiter's test and its sleep leaves that waiter asleep until the
 * timeout. Some rounds wake a sleeper, others wake before the other
 * side has announced itself: the window the no-waiter shortcut must not
 * lose a wake in.
 */
#define PINGPONG_ROUNDS 20000
#define PINGPONG_TIMEOUT_MS 5000 /* a lost wake, not a loaded machine */

struct pingpong {
	struct rnpu_osal_waitq *to_b, *to_a;
	unsigned int ping, pong; /* atomic: the round each side has reached */
	int timeouts;            /* atomic */
};

struct reached {
	unsigned int *word, want;
};

/* The condition; when false, every fourth round lingers before saying so,
 * which widens the window between the test and the sleep in which the
 * other side's wake arrives. */
static bool reached(void *arg)
{
	struct reached *r = arg;

	if (__atomic_load_n(r->word, __ATOMIC_ACQUIRE) >= r->want)
		return true;
	if (r->want % 4 == 0)
		usleep(20);
	return false;
}

static void *pong_thread(void *arg)
{
	struct pingpong *p = arg;

	for (unsigned int i = 1; i <= PINGPONG_ROUNDS; i++) {
		struct reached r = { &p->ping, i };

		if (rnpu_osal_waitq_wait_timeout(p->to_b, reached, &r, PINGPONG_TIMEOUT_MS) == 0)
			__atomic_fetch_add(&p->timeouts, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&p->pong, i, __ATOMIC_RELEASE);
		rnpu_osal_waitq_wake_all(p->to_a);
	}
	return NULL;
}

static void no_lost_wake_in_many_rounds(void **state)
{
	struct pingpong p = { 0 };
	int timeouts = 0;
	pthread_t t;

	(void)state;
	assert_int_equal(rnpu_osal_waitq_create(&p.to_b), 0);
	assert_int_equal(rnpu_osal_waitq_create(&p.to_a), 0);
	assert_int_equal(pthread_create(&t, NULL, pong_thread, &p), 0);
	for (unsigned int i = 1; i <= PINGPONG_ROUNDS; i++) {
		struct reached r = { &p.pong, i };

		__atomic_store_n(&p.ping, i, __ATOMIC_RELEASE);
		rnpu_osal_waitq_wake_all(p.to_b);
		if (rnpu_osal_waitq_wait_timeout(p.to_a, reached, &r, PINGPONG_TIMEOUT_MS) == 0)
			timeouts++;
		if (timeouts + __atomic_load_n(&p.timeouts, __ATOMIC_RELAXED)) {
			/* One is a failure; let the other side finish at once. */
			__atomic_store_n(&p.ping, PINGPONG_ROUNDS, __ATOMIC_RELEASE);
			rnpu_osal_waitq_wake_all(p.to_b);
			break;
		}
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(timeouts, 0);
	assert_int_equal(p.timeouts, 0);
	rnpu_osal_waitq_destroy(p.to_a);
	rnpu_osal_waitq_destroy(p.to_b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wake_reaches_waiter_at_release),
		cmocka_unit_test(destroy_waits_for_owed_wake),
		cmocka_unit_test(destroy_by_the_thread_owing),
		cmocka_unit_test(no_lost_wake_in_many_rounds),
	};

	return cmocka_run_group_tests_name("posix-waitq", tests, NULL, NULL);
}
