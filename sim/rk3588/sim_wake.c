// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Who wakes the core workers. A driver starts a multi-core job with one
 * OP_EN write per core, back to back under its interrupt-safe lock; on the
 * chip each is an MMIO write, here each would be a wake-up of a sleeping
 * thread, paid by the starting thread (on a VM a cross-CPU interrupt of
 * microseconds per core). The wakes of one atomic section are collected
 * instead: when the section ends the starting thread wakes the first
 * worker only, and that worker wakes the others before running its own
 * list, so the starter pays one wake per job, not one per core.
 */
#define _GNU_SOURCE /* SCHED_BATCH */
#include <sched.h>

#include "sim_internal.h"

/* Whether @c's worker still has to take its start; counts the wake. */
static bool claim_wake(struct sim_core *c, uint32_t relay, bool relayed)
{
	bool wake;

	pthread_mutex_lock(&c->lock);
	/* A worker that is running its list already (it took the start
	 * without sleeping), or a start a reset dropped, needs no wake. The
	 * worker looks at @relay before it takes its own start, both under
	 * the lock, so the rest of the gang never waits behind its list. */
	wake = c->has_job && !c->busy;
	if (wake) {
		c->relay |= relay;
		if (relayed)
			c->stats.relay_wakes++;
		else
			c->stats.start_wakes++;
	}
	pthread_mutex_unlock(&c->lock);
	return wake;
}

/* Wakes the first worker of @mask that has a start to take and hands it
 * the rest of @mask. */
static void wake_gang(struct rk3588_sim *sim, uint32_t mask)
{
	for (unsigned int i = 0; i < sim->num_cores && mask; i++) {
		struct sim_core *c = &sim->core[i];

		if (!(mask & (1u << i)))
			continue;
		mask &= ~(1u << i);
		if (claim_wake(c, mask, false)) {
			pthread_cond_broadcast(&c->cond);
			return;
		}
	}
}

static void wake_pending(void *arg, unsigned int unused)
{
	struct rk3588_sim *sim = arg;
	uint32_t mask = atomic_exchange(&sim->wake_pending, 0);

	(void)unused;
	if (mask)
		wake_gang(sim, mask);
}

void sim_wake_started(struct sim_core *c)
{
	struct rk3588_sim *sim = c->sim;

	/* Whichever thread ends its section first wakes every start pending
	 * by then; a later one finds its own start taken care of. */
	atomic_fetch_or(&sim->wake_pending, 1u << c->index);
	if (sim->bus.defer && sim->bus.defer(sim->bus.ctx, wake_pending, sim, 0))
		return;
	wake_pending(sim, 0);
}

void sim_wake_relay(struct rk3588_sim *sim, uint32_t mask)
{
	/* Each from here: the relaying worker pays, and no core of the gang
	 * waits for another worker to be scheduled first. */
	for (unsigned int i = 0; i < sim->num_cores; i++) {
		struct sim_core *c = &sim->core[i];

		if ((mask & (1u << i)) && claim_wake(c, 0, true))
			pthread_cond_broadcast(&c->cond);
	}
}

void sim_wake_worker_policy(void)
{
#ifdef SCHED_BATCH
	struct sched_param sp = { .sched_priority = 0 };

	/* A woken worker must not preempt the thread that woke it: that one
	 * is about to sleep until the job ends (a preempted submitter pays
	 * two more switches), and a worker passing a gang on would otherwise
	 * displace it from its CPU. A batch thread waits for the next tick or
	 * an idle CPU instead; it is still woken and run, so nothing waits
	 * longer than a scheduler tick. Best effort: on failure the default
	 * policy stays. */
	(void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
#endif
}
