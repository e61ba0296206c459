// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Power domains of the cores: a powered-off core loses its state, runs
 * nothing, and every register access to it is counted (a driver must
 * never make one). Core 0 sits in NPUTOP, which the others depend on.
 */
#include "sim_internal.h"

bool sim_power_blocked_locked(struct sim_core *c)
{
	if (!c->powered_off)
		return false;
	c->stats.unpowered_accesses++;
	return true;
}

static bool core_is_off(struct rk3588_sim *sim, unsigned int core)
{
	struct sim_core *c = &sim->core[core];
	bool off;

	pthread_mutex_lock(&c->lock);
	off = c->powered_off;
	pthread_mutex_unlock(&c->lock);
	return off;
}

/* Counted like an access: a sequence a real SoC would not survive. */
static void count_violation(struct sim_core *c)
{
	pthread_mutex_lock(&c->lock);
	c->stats.unpowered_accesses++;
	pthread_mutex_unlock(&c->lock);
}

void rk3588_sim_set_power(struct rk3588_sim *sim, unsigned int core, bool on)
{
	struct sim_core *c;
	unsigned int i;

	if (!sim || core >= sim->num_cores)
		return;
	c = &sim->core[core];
	if (on) {
		if (core != 0 && core_is_off(sim, 0)) {
			count_violation(c);
			return;
		}
		pthread_mutex_lock(&c->lock);
		if (!c->powered_off) {
			pthread_mutex_unlock(&c->lock);
			return;
		}
		c->powered_off = false;
		pthread_mutex_unlock(&c->lock);
		/* Power-on reset: registers at their reset values. */
		rk3588_sim_reset_deassert(sim, core);
		return;
	}
	if (core == 0)
		for (i = 1; i < sim->num_cores; i++)
			if (!core_is_off(sim, i))
				count_violation(c);
	if (core_is_off(sim, core))
		return;
	/* Like a reset held forever: the running list is abandoned without
	 * an interrupt and the registers are lost. */
	rk3588_sim_reset_assert(sim, core);
	pthread_mutex_lock(&c->lock);
	c->powered_off = true;
	pthread_mutex_unlock(&c->lock);
}
