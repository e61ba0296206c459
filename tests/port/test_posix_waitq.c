// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The POSIX OS services' wait queues under interrupt-safe locks: a wake
 * issued while such a lock is held reaches a sleeping waiter when the
 * lock is released, not before (so the waiter does not run into the lock
 * its waker still holds), and destroying a queue waits for a wake still
 * owed to it by another thread.
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

#include "osal.h"

#define BOUND_MS 10000

struct waiter {
	struct rnpu_osal_waitq *wq;
	int flag;          /* atomic: the condition */
	int tid;           /* atomic: the waiter's thread id once running */
	int woke;          /* atomic */
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
	w->ret = rnpu_osal_waitq_wait_timeout(w->wq, flag_set, &w->flag, BOUND_MS);
	__atomic_store_n(&w->woke, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Thread @tid's scheduler state letter from /proc. */
static char thread_state(int tid)
{
	char path[64], buf[256], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the name may hold spaces */
	return p && p[1] == ' ' ? p[2] : '?';
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
		if (tid && thread_state(tid) == 'S')
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
	usleep(50000);
	__atomic_store_n(&o->releasing, 1, __ATOMIC_RELEASE);
	rnpu_osal_spin_unlock_irqrestore(o->l, flags);
	return NULL;
}

static void destroy_waits_for_owed_wake(void **state)
{
	struct owing o = { 0 };
	pthread_t t;
	int ms;

	(void)state;
	assert_int_equal(rnpu_osal_spinlock_create(&o.l), 0);
	assert_int_equal(rnpu_osal_waitq_create(&o.wq), 0);
	assert_int_equal(pthread_create(&t, NULL, owe_thread, &o), 0);
	for (ms = 0; ms < BOUND_MS && !__atomic_load_n(&o.owes, __ATOMIC_ACQUIRE); ms++)
		usleep(1000);
	assert_true(ms < BOUND_MS);
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

	(void)state;
	assert_int_equal(rnpu_osal_spinlock_create(&l), 0);
	assert_int_equal(rnpu_osal_waitq_create(&wq), 0);
	rnpu_osal_spin_lock_irqsave(l, &flags);
	rnpu_osal_waitq_wake_all(wq);
	rnpu_osal_waitq_destroy(wq);
	rnpu_osal_spin_unlock_irqrestore(l, flags);
	rnpu_osal_spinlock_destroy(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wake_reaches_waiter_at_release),
		cmocka_unit_test(destroy_waits_for_owed_wake),
		cmocka_unit_test(destroy_by_the_thread_owing),
	};

	return cmocka_run_group_tests_name("posix-waitq", tests, NULL, NULL);
}
