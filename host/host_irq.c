// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Interrupt delivery of the userspace host. The software NPU drives one
 * line per core; on a rising edge the core's handler runs at once in the
 * context that raised the line (a software NPU worker), as a kernel runs a
 * handler on whichever CPU takes the interrupt. Edges that arrive while the
 * line's handler runs (from another thread, or nested from the handler's
 * own register writes) are coalesced and delivered when it returns, so a
 * handler never re-enters itself. A line that stays high is delivered once
 * per rising edge, so a handler that cannot clear its source does not spin.
 */
#include <errno.h>

#include "host_internal.h"
#include "osal_posix.h"

/* Runs the handler of @line while edges are pending. Called with
 * irq_lock held; returns with it held. */
static void irq_deliver_locked(struct rnpu_host *host, unsigned int line)
{
	struct rnpu_host_irq *irq = &host->irq[line];

	if (irq->running)
		return; /* the running delivery loop picks the edge up */
	irq->running = true;
	while (irq->pending && irq->handler) {
		rnpu_osal_irq_handler_t fn = irq->handler;
		void *data = irq->data;

		irq->pending = false;
		pthread_mutex_unlock(&host->irq_lock);
		fn(data);
		pthread_mutex_lock(&host->irq_lock);
	}
	irq->running = false;
	pthread_cond_broadcast(&host->irq_cond);
}

static void irq_deliver_deferred(void *ctx, unsigned int line)
{
	struct rnpu_host *host = ctx;

	pthread_mutex_lock(&host->irq_lock);
	if (host->irq[line].pending && host->irq[line].handler)
		irq_deliver_locked(host, line);
	pthread_mutex_unlock(&host->irq_lock);
}

void rnpu_host_irq_line(void *ctx, unsigned int core, bool level)
{
	struct rnpu_host *host = ctx;
	bool deliver;

	if (core >= RNPU_HOST_MAX_CORES)
		return;
	pthread_mutex_lock(&host->irq_lock);
	if (level && !host->irq[core].level)
		host->irq[core].pending = true;
	host->irq[core].level = level;
	deliver = host->irq[core].pending && host->irq[core].handler;
	/* A thread with interrupts disabled (it holds the core's IRQ-safe
	 * lock, e.g. while committing a job the NPU finished at once) takes
	 * the interrupt when it re-enables them. */
	if (deliver && rnpu_posix_irqs_disabled() &&
	    rnpu_posix_defer_irq(irq_deliver_deferred, host, core))
		deliver = false;
	if (deliver)
		irq_deliver_locked(host, core);
	pthread_mutex_unlock(&host->irq_lock);
}

int rnpu_host_irq_start(struct rnpu_host *host)
{
	pthread_mutex_init(&host->irq_lock, NULL);
	pthread_cond_init(&host->irq_cond, NULL);
	return 0;
}

void rnpu_host_irq_stop(struct rnpu_host *host)
{
	pthread_cond_destroy(&host->irq_cond);
	pthread_mutex_destroy(&host->irq_lock);
}

int rnpu_osal_request_irq(struct rnpu_osal_dev *dev, unsigned int irq,
			  rnpu_osal_irq_handler_t handler, void *data)
{
	struct rnpu_host *host = dev->host;
	int ret = 0;

	if (irq >= RNPU_HOST_MAX_CORES || !handler)
		return -EINVAL;
	pthread_mutex_lock(&host->irq_lock);
	if (host->irq[irq].handler) {
		ret = -EBUSY;
	} else {
		host->irq[irq].handler = handler;
		host->irq[irq].data = data;
		/* A line already high when connected is delivered now. */
		host->irq[irq].pending = host->irq[irq].level;
		irq_deliver_locked(host, irq);
	}
	pthread_mutex_unlock(&host->irq_lock);
	return ret;
}

void rnpu_osal_free_irq(struct rnpu_osal_dev *dev, unsigned int irq)
{
	struct rnpu_host *host = dev->host;

	if (irq >= RNPU_HOST_MAX_CORES)
		return;
	pthread_mutex_lock(&host->irq_lock);
	host->irq[irq].handler = NULL;
	host->irq[irq].data = NULL;
	host->irq[irq].pending = false;
	/* Bounded by the handler's own run time: handlers never sleep. */
	while (host->irq[irq].running)
		pthread_cond_wait(&host->irq_cond, &host->irq_lock);
	pthread_mutex_unlock(&host->irq_lock);
}
