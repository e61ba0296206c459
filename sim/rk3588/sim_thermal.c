// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * A first-order thermal model of the NPU die: it moves towards ambient
 * plus a rise per busy core (scaled by clock and voltage squared) with a
 * fixed time constant. Busy time is the timing model's, so a loaded
 * software NPU heats up and an idle one cools down.
 */
#include <time.h>

#include "sim_internal.h"

#define SIM_NOMINAL_UV 825000.0

void sim_thermal_init(struct rk3588_sim *sim)
{
	pthread_mutex_init(&sim->thermal_lock, NULL);
	atomic_init(&sim->volt_uv, (int)SIM_NOMINAL_UV);
	sim->thermal_mc = SIM_ASSUME_THERMAL_AMBIENT_MC;
}

void rk3588_sim_set_voltage_uv(struct rk3588_sim *sim, int uv)
{
	if (sim && uv > 0)
		atomic_store(&sim->volt_uv, uv);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int rk3588_sim_temperature_mc(struct rk3588_sim *sim)
{
	uint64_t now = now_ns(), cycles[RK3588_SIM_MAX_CORES], dt;
	double rise = 0, scale, volt, target, alpha;
	unsigned int i;
	int mc;

	for (i = 0; i < sim->num_cores; i++) {
		struct sim_core *c = &sim->core[i];

		pthread_mutex_lock(&c->lock);
		cycles[i] = c->stats.total_cycles;
		pthread_mutex_unlock(&c->lock);
	}
	pthread_mutex_lock(&sim->thermal_lock);
	dt = sim->thermal_last_ns ? now - sim->thermal_last_ns : 0;
	if (dt) {
		volt = atomic_load(&sim->volt_uv) / SIM_NOMINAL_UV;
		scale = (double)atomic_load(&sim->clock_hz) / 1e9 * volt * volt;
		for (i = 0; i < sim->num_cores; i++) {
			double busy = (double)rk3588_sim_cycles_to_ns(
				sim, cycles[i] - sim->thermal_last_cycles[i]);

			rise += (busy > (double)dt ? 1.0 : busy / (double)dt) *
				SIM_ASSUME_THERMAL_RISE_MC_PER_CORE * scale;
		}
		target = SIM_ASSUME_THERMAL_AMBIENT_MC + rise;
		alpha = (double)dt / ((double)SIM_ASSUME_THERMAL_TAU_MS * 1e6 + (double)dt);
		sim->thermal_mc += (target - sim->thermal_mc) * alpha;
	}
	sim->thermal_last_ns = now;
	for (i = 0; i < sim->num_cores; i++)
		sim->thermal_last_cycles[i] = cycles[i];
	mc = (int)sim->thermal_mc;
	pthread_mutex_unlock(&sim->thermal_lock);
	return mc;
}
