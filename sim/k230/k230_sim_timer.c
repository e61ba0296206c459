// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Each attached CPU's timer thread: sleeps until the earliest end of a run
 * that CPU started, then lets the model finish it (and raise the line).
 */
#include <errno.h>
#include <time.h>

#include "k230_sim_internal.h"

uint64_t k230_sim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *k230_sim_timer_main(void *arg)
{
	struct k230_sim *sim = arg;

	pthread_mutex_lock(&sim->timer_lock);
	while (!sim->stop) {
		uint64_t next;

		sim->kicked = false;
		pthread_mutex_unlock(&sim->timer_lock);
		next = k230_sim_advance(sim);
		pthread_mutex_lock(&sim->timer_lock);
		if (sim->stop)
			break;
		/* A run started while we looked: look again before sleeping. */
		if (sim->kicked)
			continue;
		if (next == UINT64_MAX) {
			/* A start kicks us; the bound only guards against a
			 * start made by another process for this CPU. */
			next = k230_sim_now_ns() + 100000000ull;
		}
		{
			struct timespec ts = { .tv_sec = (time_t)(next / 1000000000ull),
					       .tv_nsec = (long)(next % 1000000000ull) };

			pthread_cond_timedwait(&sim->timer_cond, &sim->timer_lock, &ts);
		}
	}
	pthread_mutex_unlock(&sim->timer_lock);
	return NULL;
}

void k230_sim_kick_timer(struct k230_sim *sim)
{
	pthread_mutex_lock(&sim->timer_lock);
	sim->kicked = true;
	pthread_cond_signal(&sim->timer_cond);
	pthread_mutex_unlock(&sim->timer_lock);
}

int k230_sim_timer_start(struct k230_sim *sim)
{
	pthread_condattr_t attr;
	int ret;

	if (pthread_mutex_init(&sim->timer_lock, NULL))
		return -ENOMEM;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	ret = pthread_cond_init(&sim->timer_cond, &attr);
	pthread_condattr_destroy(&attr);
	if (ret)
		goto err_mutex;
	sim->stop = false;
	if (pthread_create(&sim->timer, NULL, k230_sim_timer_main, sim))
		goto err_cond;
	return 0;

err_cond:
	pthread_cond_destroy(&sim->timer_cond);
err_mutex:
	pthread_mutex_destroy(&sim->timer_lock);
	return -ENOMEM;
}

void k230_sim_timer_stop(struct k230_sim *sim)
{
	pthread_mutex_lock(&sim->timer_lock);
	sim->stop = true;
	pthread_cond_signal(&sim->timer_cond);
	pthread_mutex_unlock(&sim->timer_lock);
	pthread_join(sim->timer, NULL);
	pthread_cond_destroy(&sim->timer_cond);
	pthread_mutex_destroy(&sim->timer_lock);
}
