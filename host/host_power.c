// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Power domains, the NPU clock, the rail voltage and the temperature of
 * the simulated RK3588, as OS services for the core. Domains and clock
 * reach the software NPU (its power state and its timing model); every
 * change is also recorded as an event line for tests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host_internal.h"
#include "osal_posix.h"
#include "rk3588_sim.h"
#include "rknpu_device.h"

/* What the boot loader leaves the clock and rail at (the DT's assigned
 * rate; the core then moves to its init OPP). */
#define RK3588_BOOT_CLOCK_HZ 200000000ull
#define RK3588_BOOT_VOLT_UV 750000
#define RNPU_HOST_DEFAULT_OPP_BIN 2 /* L2: the part observed on a ROCK 5B */

void rnpu_host_power_default_config(struct rnpu_host_config *cfg)
{
	const char *bin = getenv("RNPU_OPP_BIN");
	const char *thermal = getenv("RNPU_THERMAL_PATH");
	const char *export_dir = getenv("RNPU_EXPORT_DIR");
	const char *export_on = getenv("RNPU_EXPORT");
	const char *period = getenv("RNPU_EXPORT_PERIOD_MS");
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	const char *model = getenv("RNPU_MODEL_CLOCK");

	cfg->opp_bin = bin ? (unsigned int)strtoul(bin, NULL, 0) : RNPU_HOST_DEFAULT_OPP_BIN;
	if (thermal)
		snprintf(cfg->thermal_path, sizeof(cfg->thermal_path), "%s", thermal);
	if (export_dir && export_dir[0])
		snprintf(cfg->export_dir, sizeof(cfg->export_dir), "%s", export_dir);
	else if (export_on && export_on[0] == '1' && runtime && runtime[0])
		snprintf(cfg->export_dir, sizeof(cfg->export_dir), "%s/rnpu", runtime);
	else if (export_on && export_on[0] == '1')
		snprintf(cfg->export_dir, sizeof(cfg->export_dir), "/tmp/rnpu-%u",
			 (unsigned int)getuid());
	cfg->export_period_ms = period ? (unsigned int)strtoul(period, NULL, 0) : 500;
	cfg->model_clock = model && model[0] == '1';
}

static uint64_t host_model_clock(void *ctx)
{
	struct rnpu_host *host = ctx;

	return __atomic_load_n(&host->model_ns, __ATOMIC_ACQUIRE);
}

int rnpu_host_power_init(struct rnpu_host *host)
{
	unsigned int i;

	pthread_mutex_init(&host->power_lock, NULL);
	/* The software NPU starts powered; the core decides from here. */
	for (i = 0; i < host->cfg.num_cores; i++)
		host->domain_on[i] = true;
	host->clk_hz = RK3588_BOOT_CLOCK_HZ;
	host->volt_uv = RK3588_BOOT_VOLT_UV;
	rk3588_sim_set_clock_hz(host->sim, host->clk_hz);
	rk3588_sim_set_voltage_uv(host->sim, host->volt_uv);
	if (host->cfg.model_clock) {
		host->model_ns = 1000000000ull; /* non-zero: 0 means "never" */
		rnpu_posix_set_clock(host_model_clock, host);
	}
	return 0;
}

void rnpu_host_power_fini(struct rnpu_host *host)
{
	if (host->cfg.model_clock)
		rnpu_posix_set_clock(NULL, NULL);
	pthread_mutex_destroy(&host->power_lock);
}

/* Caller holds power_lock. Drops the oldest lines when full. */
static void host_event_locked(struct rnpu_host *host, const char *fmt, ...)
{
	char line[64];
	size_t n, drop;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");
	n = strlen(line);
	if (host->events_len + n > sizeof(host->events)) {
		char *nl = memchr(host->events + n, '\n', host->events_len - n);

		drop = nl ? (size_t)(nl - host->events) + 1 : host->events_len;
		memmove(host->events, host->events + drop, host->events_len - drop);
		host->events_len -= drop;
	}
	memcpy(host->events + host->events_len, line, n);
	host->events_len += n;
}

size_t rnpu_host_take_events(struct rnpu_host *host, char *buf, size_t len)
{
	size_t n;

	pthread_mutex_lock(&host->power_lock);
	n = host->events_len < len - 1 ? host->events_len : len - 1;
	memcpy(buf, host->events, n);
	buf[n] = '\0';
	host->events_len = 0;
	pthread_mutex_unlock(&host->power_lock);
	return n;
}

int rnpu_osal_power_domain_set(struct rnpu_osal_dev *dev, unsigned int idx, bool on)
{
	struct rnpu_host *host = dev->host;

	if (idx >= host->cfg.num_cores)
		return -EINVAL;
	pthread_mutex_lock(&host->power_lock);
	host->domain_on[idx] = on;
	host_event_locked(host, "pd%u %s", idx, on ? "on" : "off");
	pthread_mutex_unlock(&host->power_lock);
	/* Domain i powers core i; NPUTOP (0) also feeds the others. */
	rk3588_sim_set_power(host->sim, idx, on);
	return 0;
}

uint64_t rnpu_osal_clk_get_rate(struct rnpu_osal_dev *dev, unsigned int idx)
{
	struct rnpu_host *host = dev->host;
	uint64_t hz;

	if (idx != 0)
		return 0;
	pthread_mutex_lock(&host->power_lock);
	hz = host->clk_hz;
	pthread_mutex_unlock(&host->power_lock);
	return hz;
}

int rnpu_osal_clk_set_rate(struct rnpu_osal_dev *dev, unsigned int idx, uint64_t hz)
{
	struct rnpu_host *host = dev->host;

	if (idx != 0 || hz == 0)
		return -EINVAL;
	pthread_mutex_lock(&host->power_lock);
	host->clk_hz = hz;
	host_event_locked(host, "clk %llu", (unsigned long long)hz);
	pthread_mutex_unlock(&host->power_lock);
	/* The timing model runs at the new clock from the next task on. */
	rk3588_sim_set_clock_hz(host->sim, hz);
	return 0;
}

int rnpu_osal_regulator_get_voltage(struct rnpu_osal_dev *dev)
{
	struct rnpu_host *host = dev->host;
	int uv;

	if (host->cfg.no_supply)
		return -ENODEV;
	pthread_mutex_lock(&host->power_lock);
	uv = host->volt_uv;
	pthread_mutex_unlock(&host->power_lock);
	return uv;
}

int rnpu_osal_regulator_set_voltage(struct rnpu_osal_dev *dev, int uv)
{
	struct rnpu_host *host = dev->host;

	if (uv <= 0)
		return -EINVAL;
	pthread_mutex_lock(&host->power_lock);
	host->volt_uv = uv;
	host_event_locked(host, "volt %d", uv);
	pthread_mutex_unlock(&host->power_lock);
	rk3588_sim_set_voltage_uv(host->sim, uv);
	return 0;
}

int rnpu_osal_thermal_get_temp(struct rnpu_osal_dev *dev, int *mc)
{
	struct rnpu_host *host = dev->host;
	char text[32];
	FILE *f;

	if (!host->cfg.thermal_path[0]) {
		*mc = rk3588_sim_temperature_mc(host->sim);
		return 0;
	}
	f = fopen(host->cfg.thermal_path, "re");
	if (!f)
		return -ENODEV;
	if (!fgets(text, sizeof(text), f)) {
		fclose(f);
		return -ENODEV;
	}
	fclose(f);
	*mc = (int)strtol(text, NULL, 10);
	return 0;
}

void rnpu_host_model_time(void *ctx, unsigned int core, uint64_t ns)
{
	struct rnpu_host *host = ctx;

	(void)core;
	__atomic_add_fetch(&host->model_ns, ns, __ATOMIC_ACQ_REL);
}

uint64_t rnpu_host_clock_ns(struct rnpu_host *host)
{
	return host->cfg.model_clock ? host_model_clock(host) : rnpu_osal_time_ns();
}

void rnpu_host_advance_clock(struct rnpu_host *host, uint64_t ns)
{
	__atomic_add_fetch(&host->model_ns, ns, __ATOMIC_ACQ_REL);
}

void rnpu_host_load_tick(struct rnpu_host *host)
{
	rknpu_load_tick(host->rdev);
}
