// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Fault injection: hardware misbehaviour on demand, so that the driver's
 * recovery paths can be tested. A fault is armed for the next task lists
 * started on one core; each start consumes one.
 */
#include <errno.h>

#include "sim_internal.h"

int rk3588_sim_inject_fault(struct rk3588_sim *sim, unsigned int core,
			    enum rk3588_sim_fault fault, unsigned int count, unsigned int slow_ms)
{
	struct sim_core *c;

	if (!sim || core >= sim->num_cores || fault > RK3588_SIM_FAULT_SLOW)
		return -EINVAL;
	/* A hung list must not block the thread that started it. */
	if (fault != RK3588_SIM_FAULT_NONE && !sim->threaded)
		return -EINVAL;
	c = &sim->core[core];
	pthread_mutex_lock(&c->lock);
	c->fault = fault;
	c->fault_count = fault == RK3588_SIM_FAULT_NONE ? 0 : count;
	c->fault_slow_ms = slow_ms;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

enum rk3588_sim_fault sim_fault_take_locked(struct sim_core *c)
{
	if (!c->fault_count)
		return RK3588_SIM_FAULT_NONE;
	c->fault_count--;
	c->stats.faults++;
	sim_trace(c, "injected fault %d on this start", (int)c->fault);
	return c->fault;
}

void rk3588_sim_raise_spurious_irq(struct rk3588_sim *sim, unsigned int core)
{
	struct sim_core *c;

	if (!sim || core >= sim->num_cores)
		return;
	c = &sim->core[core];
	/* A DPU-done status nobody asked for, as a glitch would latch it. */
	pthread_mutex_lock(&c->lock);
	if (c->powered_off) { /* no logic runs without power */
		pthread_mutex_unlock(&c->lock);
		return;
	}
	c->raw |= RK3588_INT_DPU_GRP0;
	c->stats.faults++;
	pthread_mutex_unlock(&c->lock);
	sim_irq_sync(c);
}
