// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * OS services on POSIX: deferred work. One worker thread per process runs
 * queued items in deadline order; it starts with the first item and lives
 * as long as the process (a forked child starts its own).
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "osal.h"
#include "osal_posix.h"

struct rnpu_osal_work {
	rnpu_osal_work_fn_t fn;
	void *data;
	uint64_t deadline;            /* monotonic ns */
	bool pending;                 /* on the queue */
	struct rnpu_osal_work *next;
};

/* The queue: protects every item's pending/next/deadline, head, running. */
static pthread_mutex_t wq_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wq_cond;       /* queue changed or a run ended */
static pthread_once_t wq_once = PTHREAD_ONCE_INIT;
static struct rnpu_osal_work *wq_head; /* sorted by deadline */
static struct rnpu_osal_work *wq_running;
static bool wq_thread_started;
static pthread_t wq_thread;

static void *wq_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&wq_lock);
	for (;;) {
		struct rnpu_osal_work *w = wq_head;
		uint64_t now = rnpu_posix_monotonic_ns();

		if (!w) {
			pthread_cond_wait(&wq_cond, &wq_lock);
			continue;
		}
		if (w->deadline > now) {
			struct timespec ts = { .tv_sec = (time_t)(w->deadline / 1000000000ull),
					       .tv_nsec = (long)(w->deadline % 1000000000ull) };

			pthread_cond_timedwait(&wq_cond, &wq_lock, &ts);
			continue;
		}
		wq_head = w->next;
		w->pending = false;
		wq_running = w;
		pthread_mutex_unlock(&wq_lock);
		w->fn(w->data);
		pthread_mutex_lock(&wq_lock);
		wq_running = NULL;
		pthread_cond_broadcast(&wq_cond);
	}
	return NULL;
}

/* fork(): the queue lock must not be copied while the worker holds it.
 * The child has no worker and its inherited items belong to the parent's
 * devices, which the child never uses: it starts with an empty queue and
 * starts its own worker with its first item. */
static void wq_atfork_prepare(void)
{
	pthread_mutex_lock(&wq_lock);
}

static void wq_atfork_parent(void)
{
	pthread_mutex_unlock(&wq_lock);
}

static void wq_cond_init(void)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&wq_cond, &attr);
	pthread_condattr_destroy(&attr);
}

static void wq_atfork_child(void)
{
	/* The parent's worker may have been waiting on the condition: a
	 * fresh one has no phantom waiter. */
	wq_cond_init();
	wq_head = NULL;
	wq_running = NULL;
	wq_thread_started = false;
	pthread_mutex_unlock(&wq_lock);
}

static void wq_init(void)
{
	wq_cond_init();
	pthread_atfork(wq_atfork_prepare, wq_atfork_parent, wq_atfork_child);
}

int rnpu_osal_work_create(struct rnpu_osal_work **out, rnpu_osal_work_fn_t fn, void *data)
{
	struct rnpu_osal_work *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	pthread_once(&wq_once, wq_init);
	w->fn = fn;
	w->data = data;
	*out = w;
	return 0;
}

bool rnpu_osal_work_queue(struct rnpu_osal_work *w, unsigned int delay_ms)
{
	struct rnpu_osal_work **pos;
	bool queued = false;

	pthread_mutex_lock(&wq_lock);
	if (!wq_thread_started) {
		pthread_attr_t attr;

		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		wq_thread_started = pthread_create(&wq_thread, &attr, wq_main, NULL) == 0;
		pthread_attr_destroy(&attr);
	}
	if (!w->pending) {
		w->deadline = rnpu_posix_monotonic_ns() + (uint64_t)delay_ms * 1000000ull;
		for (pos = &wq_head; *pos && (*pos)->deadline <= w->deadline; pos = &(*pos)->next)
			;
		w->next = *pos;
		*pos = w;
		w->pending = true;
		queued = true;
		/* The worker sleeps until the head's deadline: only a new head
		 * changes when it must wake (a watchdog queued behind an earlier
		 * deadline costs no thread switch). */
		if (wq_head == w)
			pthread_cond_broadcast(&wq_cond);
	}
	pthread_mutex_unlock(&wq_lock);
	return queued;
}

bool rnpu_osal_work_cancel_sync(struct rnpu_osal_work *w)
{
	struct rnpu_osal_work **pos;
	bool cancelled = false;

	pthread_mutex_lock(&wq_lock);
	if (w->pending) {
		for (pos = &wq_head; *pos != w; pos = &(*pos)->next)
			;
		*pos = w->next;
		w->pending = false;
		cancelled = true;
	}
	while (wq_running == w)
		pthread_cond_wait(&wq_cond, &wq_lock);
	pthread_mutex_unlock(&wq_lock);
	return cancelled;
}

void rnpu_osal_work_destroy(struct rnpu_osal_work *w)
{
	free(w);
}
