// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * RNPU_SIM_CPUS: the host CPUs the software NPU's worker threads may run
 * on. On an RK3588 the NPU is separate silicon that neither takes the
 * caller's CPU time nor evicts its caches; keeping the workers off the
 * caller's CPU models that on a host (bench_llm --sim-apart). Unset, the
 * workers run wherever the scheduler puts them.
 */
#define _GNU_SOURCE /* pthread_setaffinity_np, CPU_SET */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

#define CPUS_ENV "RNPU_SIM_CPUS"

/* "2", "1-3", "1,3-5": a set of CPUs below SIM_MAX_HOST_CPUS. 0, or -1 at
 * the first malformed or out-of-range item. */
static int parse_cpu_list(const char *s, uint64_t *mask)
{
	uint64_t m = 0;

	while (*s) {
		char *end;
		unsigned long lo = strtoul(s, &end, 10), hi = lo;

		if (end == s)
			return -1;
		s = end;
		if (*s == '-') {
			hi = strtoul(++s, &end, 10);
			if (end == s)
				return -1;
			s = end;
		}
		if (lo > hi || hi >= SIM_MAX_HOST_CPUS)
			return -1;
		for (unsigned long c = lo; c <= hi; c++)
			m |= 1ull << c;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	if (!m)
		return -1;
	*mask = m;
	return 0;
}

/* Read once, when the model is created: a worker must not scan the
 * environment. A bad value is logged and ignored. */
void sim_cpus_from_env(struct rk3588_sim *sim)
{
	const char *env = getenv(CPUS_ENV);

	sim->worker_cpus = 0;
	if (!env || !*env)
		return;
	if (parse_cpu_list(env, &sim->worker_cpus))
		fprintf(stderr, "sim: %s=\"%s\" is not a list of CPUs 0-%d (e.g. 1-3 or 1,3);"
			" ignored\n", CPUS_ENV, env, SIM_MAX_HOST_CPUS - 1);
}

/* The set goes on the thread before it first runs (glibc applies an
 * attribute's affinity while the new thread is held at its start), so no
 * worker ever runs elsewhere and a reader of its affinity never sees the
 * old set. If the set cannot be applied the worker is started unpinned,
 * with a log line. */
int sim_cpus_start_thread(const struct rk3588_sim *sim, unsigned int core, pthread_t *thread,
			  void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	cpu_set_t set;
	int ret;

	if (!sim->worker_cpus)
		return pthread_create(thread, NULL, fn, arg);
	CPU_ZERO(&set);
	for (int c = 0; c < SIM_MAX_HOST_CPUS; c++)
		if (sim->worker_cpus & (1ull << c))
			CPU_SET(c, &set);
	ret = pthread_attr_init(&attr);
	if (ret)
		return ret;
	/* Threads this worker starts (MAC helpers) inherit the set. */
	ret = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	if (!ret)
		ret = pthread_create(thread, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	if (ret) {
		fprintf(stderr, "sim core%u: %s: cannot run on CPUs 0x%llx (%s); left unpinned\n",
			core, CPUS_ENV, (unsigned long long)sim->worker_cpus, strerror(ret));
		ret = pthread_create(thread, NULL, fn, arg);
	}
	return ret;
}
