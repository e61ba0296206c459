// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * OS services on an RTOS: deferred work run by one worker task, and
 * fences (without file descriptors: see rtos_port.h).
 */
#include "osal_rtos_internal.h"

struct rnpu_osal_work {
	rnpu_osal_work_fn_t fn;
	void *data;
	uint64_t deadline;              /* ns; under the queue lock */
	bool pending;                   /* on the queue; under the queue lock */
	struct rnpu_osal_work *next;
};

/* The queue, sorted by deadline. work_queue may run in an interrupt
 * handler, so it is guarded by the interrupt-safe lock, held only to link
 * or unlink one item. */
static uint32_t rnpu_rtos_work_lock;
static struct rnpu_osal_work *rnpu_rtos_work_head;
static struct rnpu_osal_work *rnpu_rtos_work_running; /* atomic */
static struct rnpu_port_sem *rnpu_rtos_work_kick;     /* wakes the worker */
static struct rnpu_osal_waitq *rnpu_rtos_work_done;   /* a run ended */

enum { WORKER_NONE, WORKER_STARTING, WORKER_READY };
static uint32_t rnpu_rtos_worker_state; /* atomic */

static void rnpu_rtos_worker(void *arg)
{
	(void)arg;
	for (;;)
		(void)rnpu_port_sem_take(rnpu_rtos_work_kick, rnpu_rtos_work_poll());
}

/* Creates the worker once; concurrent first callers wait for the winner. */
static int rnpu_rtos_worker_start(void)
{
	int ret;

	for (;;) {
		uint32_t st = __atomic_load_n(&rnpu_rtos_worker_state, __ATOMIC_ACQUIRE);

		if (st == WORKER_READY)
			return 0;
		if (st == WORKER_NONE &&
		    __atomic_compare_exchange_n(&rnpu_rtos_worker_state, &st, WORKER_STARTING,
						false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			break;
		if (st == WORKER_STARTING)
			rnpu_osal_msleep(1);
	}

	ret = rnpu_port_sem_create(0, &rnpu_rtos_work_kick);
	if (ret)
		goto fail;
	ret = rnpu_osal_waitq_create(&rnpu_rtos_work_done);
	if (ret)
		goto fail_sem;
	ret = rnpu_port_task_create(rnpu_rtos_worker, NULL);
	if (ret)
		goto fail_wq;
	__atomic_store_n(&rnpu_rtos_worker_state, WORKER_READY, __ATOMIC_RELEASE);
	return 0;

fail_wq:
	rnpu_osal_waitq_destroy(rnpu_rtos_work_done);
	rnpu_rtos_work_done = NULL;
fail_sem:
	rnpu_port_sem_destroy(rnpu_rtos_work_kick);
	rnpu_rtos_work_kick = NULL;
fail:
	__atomic_store_n(&rnpu_rtos_worker_state, WORKER_NONE, __ATOMIC_RELEASE);
	return ret;
}

unsigned int rnpu_rtos_work_poll(void)
{
	for (;;) {
		unsigned long irq = rnpu_rtos_spin_lock(&rnpu_rtos_work_lock);
		struct rnpu_osal_work *w = rnpu_rtos_work_head;
		unsigned int ms;

		if (!w) {
			rnpu_rtos_spin_unlock(&rnpu_rtos_work_lock, irq);
			return RNPU_PORT_FOREVER;
		}
		ms = rnpu_rtos_ms_until(rnpu_port_time_ns(), w->deadline);
		if (ms) {
			rnpu_rtos_spin_unlock(&rnpu_rtos_work_lock, irq);
			return ms;
		}
		rnpu_rtos_work_head = w->next;
		w->pending = false;
		__atomic_store_n(&rnpu_rtos_work_running, w, __ATOMIC_SEQ_CST);
		rnpu_rtos_spin_unlock(&rnpu_rtos_work_lock, irq);

		w->fn(w->data);

		__atomic_store_n(&rnpu_rtos_work_running, NULL, __ATOMIC_SEQ_CST);
		if (rnpu_rtos_work_done)
			rnpu_osal_waitq_wake_all(rnpu_rtos_work_done);
	}
}

int rnpu_osal_work_create(struct rnpu_osal_work **out, rnpu_osal_work_fn_t fn, void *data)
{
	struct rnpu_osal_work *w;
	int ret = rnpu_rtos_worker_start();

	if (ret)
		return ret;
	w = rnpu_osal_zalloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fn = fn;
	w->data = data;
	*out = w;
	return 0;
}

bool rnpu_osal_work_queue(struct rnpu_osal_work *w, unsigned int delay_ms)
{
	uint64_t deadline = rnpu_port_time_ns() + (uint64_t)delay_ms * 1000000u;
	struct rnpu_osal_work **pos;
	unsigned long irq;

	irq = rnpu_rtos_spin_lock(&rnpu_rtos_work_lock);
	if (w->pending) {
		rnpu_rtos_spin_unlock(&rnpu_rtos_work_lock, irq);
		return false;
	}
	w->deadline = deadline;
	for (pos = &rnpu_rtos_work_head; *pos && (*pos)->deadline <= deadline; pos = &(*pos)->next)
		;
	w->next = *pos;
	*pos = w;
	w->pending = true;
	rnpu_rtos_spin_unlock(&rnpu_rtos_work_lock, irq);
	rnpu_port_sem_give(rnpu_rtos_work_kick);
	return true;
}

static bool rnpu_rtos_work_not_running(void *arg)
{
	return __atomic_load_n(&rnpu_rtos_work_running, __ATOMIC_SEQ_CST) != arg;
}

bool rnpu_osal_work_cancel_sync(struct rnpu_osal_work *w)
{
	struct rnpu_osal_work **pos;
	bool cancelled = false;
	unsigned long irq;

	irq = rnpu_rtos_spin_lock(&rnpu_rtos_work_lock);
	if (w->pending) {
		for (pos = &rnpu_rtos_work_head; *pos != w; pos = &(*pos)->next)
			;
		*pos = w->next;
		w->pending = false;
		cancelled = true;
	}
	rnpu_rtos_spin_unlock(&rnpu_rtos_work_lock, irq);
	/* The worker wakes the queue after every run; the bound only guards
	 * against a port whose semaphore lost a give. */
	while (!rnpu_rtos_work_not_running(w))
		rnpu_osal_waitq_wait_timeout(rnpu_rtos_work_done, rnpu_rtos_work_not_running, w, 10);
	return cancelled;
}

void rnpu_osal_work_destroy(struct rnpu_osal_work *w)
{
	rnpu_osal_free(w);
}

/* ----------------------------------------------------------------- fences */

enum { FENCE_UNSIGNALLED, FENCE_SIGNALLING, FENCE_SIGNALLED };

struct rnpu_osal_fence {
	uint32_t state;                 /* atomic */
	int status;                     /* valid once state is SIGNALLED */
	struct rnpu_osal_waitq *wq;
};

int rnpu_osal_fence_create(struct rnpu_osal_fence **out)
{
	struct rnpu_osal_fence *f = rnpu_osal_zalloc(sizeof(*f));
	int ret;

	if (!f)
		return -ENOMEM;
	ret = rnpu_osal_waitq_create(&f->wq);
	if (ret) {
		rnpu_osal_free(f);
		return ret;
	}
	*out = f;
	return 0;
}

void rnpu_osal_fence_signal(struct rnpu_osal_fence *f, int status)
{
	uint32_t expected = FENCE_UNSIGNALLED;

	/* Lock-free, for interrupt handlers: the first signaller claims the
	 * fence, publishes the status, then the state. */
	if (!__atomic_compare_exchange_n(&f->state, &expected, FENCE_SIGNALLING, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;
	f->status = status;
	__atomic_store_n(&f->state, FENCE_SIGNALLED, __ATOMIC_RELEASE);
	rnpu_osal_waitq_wake_all(f->wq);
}

int rnpu_osal_fence_export_fd(struct rnpu_osal_fence *f, int *fd)
{
	(void)f;
	(void)fd;
	return -EOPNOTSUPP; /* no file descriptors on an RTOS */
}

int rnpu_osal_fence_import_fd(int fd, struct rnpu_osal_fence **out)
{
	(void)fd;
	(void)out;
	return -EOPNOTSUPP;
}

static bool rnpu_rtos_fence_done(void *arg)
{
	struct rnpu_osal_fence *f = arg;

	return __atomic_load_n(&f->state, __ATOMIC_ACQUIRE) == FENCE_SIGNALLED;
}

int rnpu_osal_fence_wait(struct rnpu_osal_fence *f, unsigned int timeout_ms)
{
	if (!rnpu_osal_waitq_wait_timeout(f->wq, rnpu_rtos_fence_done, f, timeout_ms))
		return -ETIMEDOUT;
	return f->status;
}

void rnpu_osal_fence_put(struct rnpu_osal_fence *f)
{
	if (!f)
		return;
	rnpu_osal_waitq_destroy(f->wq);
	rnpu_osal_free(f);
}
