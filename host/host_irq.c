// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Interrupt delivery of the userspace host: the software NPU drives one
 * line per core; a thread calls the handler the core registered for each
 * line that rose. A line that stays high is delivered once per rising
 * edge, so a handler that cannot clear its source does not spin the CPU.
 */
#include <errno.h>

#include "host_internal.h"

void rnpu_host_irq_line(void *ctx, unsigned int core, bool level)
{
	struct rnpu_host *host = ctx;

	if (core >= RNPU_HOST_MAX_CORES)
		return;
	pthread_mutex_lock(&host->irq_lock);
	if (level && !host->irq[core].level)
		host->irq[core].pending = true;
	host->irq[core].level = level;
	pthread_cond_broadcast(&host->irq_cond);
	pthread_mutex_unlock(&host->irq_lock);
}

static int irq_next_pending(struct rnpu_host *host)
{
	for (int i = 0; i < RNPU_HOST_MAX_CORES; i++)
		if (host->irq[i].pending && host->irq[i].handler)
			return i;
	return -1;
}

static void *irq_thread_main(void *arg)
{
	struct rnpu_host *host = arg;

	pthread_mutex_lock(&host->irq_lock);
	while (!host->stop) {
		int line = irq_next_pending(host);
		rnpu_osal_irq_handler_t fn;
		void *data;

		if (line < 0) {
			pthread_cond_wait(&host->irq_cond, &host->irq_lock);
			continue;
		}
		host->irq[line].pending = false;
		fn = host->irq[line].handler;
		data = host->irq[line].data;
		host->in_handler = line;
		pthread_mutex_unlock(&host->irq_lock);
		fn(data);
		pthread_mutex_lock(&host->irq_lock);
		host->in_handler = -1;
		pthread_cond_broadcast(&host->irq_cond);
	}
	pthread_mutex_unlock(&host->irq_lock);
	return NULL;
}

int rnpu_host_irq_start(struct rnpu_host *host)
{
	int ret;

	pthread_mutex_init(&host->irq_lock, NULL);
	pthread_cond_init(&host->irq_cond, NULL);
	host->in_handler = -1;
	ret = pthread_create(&host->irq_thread, NULL, irq_thread_main, host);
	if (ret) {
		pthread_cond_destroy(&host->irq_cond);
		pthread_mutex_destroy(&host->irq_lock);
		return -ret;
	}
	host->irq_thread_running = true;
	return 0;
}

void rnpu_host_irq_stop(struct rnpu_host *host)
{
	if (!host->irq_thread_running)
		return;
	pthread_mutex_lock(&host->irq_lock);
	host->stop = true;
	pthread_cond_broadcast(&host->irq_cond);
	pthread_mutex_unlock(&host->irq_lock);
	pthread_join(host->irq_thread, NULL);
	pthread_cond_destroy(&host->irq_cond);
	pthread_mutex_destroy(&host->irq_lock);
	host->irq_thread_running = false;
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
		/* A line already high when connected is delivered. */
		host->irq[irq].pending = host->irq[irq].level;
		pthread_cond_broadcast(&host->irq_cond);
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
	while (host->in_handler == (int)irq)
		pthread_cond_wait(&host->irq_cond, &host->irq_lock);
	pthread_mutex_unlock(&host->irq_lock);
}
