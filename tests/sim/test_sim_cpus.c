// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * RNPU_SIM_CPUS: the software NPU's worker threads run on the listed CPUs
 * (each worker's affinity, read back from the kernel, is exactly that
 * set), the creating thread keeps its own, and a malformed or out-of-range
 * list is logged naming the value and leaves the workers unpinned.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_threads.h"

#include "sim_test_bus.h"

#define MAX_THREADS 64
#define BOUND_MS 10000

/* Thread ids of this process. */
static int list_threads(int *tids, int max)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) && n < max)
		if (e->d_name[0] != '.')
			tids[n++] = atoi(e->d_name);
	closedir(d);
	return n;
}

/* Creates a three-core threaded model with RNPU_SIM_CPUS = @env (NULL:
 * unset) and checks that every worker's affinity is @want once it has
 * started (asleep waiting for work). Returns what the model logged. */
static void check_workers(const char *env, const cpu_set_t *want, char *log, size_t loglen)
{
	int before[MAX_THREADS], after[MAX_THREADS], nb, na, workers = 0, saved;
	cpu_set_t own_before, own_after;
	struct fake_bus fb;
	FILE *err = tmpfile();
	size_t n;

	assert_non_null(err);
	if (env)
		setenv("RNPU_SIM_CPUS", env, 1);
	else
		unsetenv("RNPU_SIM_CPUS");
	assert_int_equal(sched_getaffinity(0, sizeof(own_before), &own_before), 0);
	nb = list_threads(before, MAX_THREADS);
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(err), 2);
	fb_init(&fb, 1 << 16);
	fb.sim = test_sim_create(&fb, true, 3);
	fflush(stderr);
	dup2(saved, 2); /* the model logs at create; failures below must show */
	close(saved);
	assert_non_null(fb.sim);
	na = list_threads(after, MAX_THREADS);
	for (int i = 0; i < na; i++) {
		bool old = false;
		cpu_set_t got;
		int ms;

		for (int j = 0; j < nb; j++)
			old |= before[j] == after[i];
		if (old)
			continue;
		workers++;
		for (ms = 0; ms < BOUND_MS && test_thread_state(after[i]) != 'S'; ms++)
			usleep(1000);
		assert_true(ms < BOUND_MS);
		assert_int_equal(sched_getaffinity(after[i], sizeof(got), &got), 0);
		assert_true(CPU_EQUAL(&got, want));
	}
	assert_int_equal(workers, 3);
	assert_int_equal(sched_getaffinity(0, sizeof(own_after), &own_after), 0);
	assert_true(CPU_EQUAL(&own_before, &own_after)); /* the caller is not moved */
	rk3588_sim_destroy(fb.sim);
	fb_fini(&fb);
	rewind(err);
	n = fread(log, 1, loglen - 1, err);
	log[n] = '\0';
	fclose(err);
	unsetenv("RNPU_SIM_CPUS");
}

static void *nothing(void *arg)
{
	return arg;
}

/* Threads a runtime starts along with the first thread of the process
 * (ThreadSanitizer's own) exist before the first model is counted. */
static int setup(void **state)
{
	pthread_t t;

	(void)state;
	if (pthread_create(&t, NULL, nothing, NULL))
		return -1;
	return pthread_join(t, NULL);
}

/* The highest and lowest CPUs this process may run on. */
static void allowed_cpus(int *lo, int *hi)
{
	cpu_set_t own;

	assert_int_equal(sched_getaffinity(0, sizeof(own), &own), 0);
	*lo = -1;
	for (int c = 0; c < 64; c++) {
		if (!CPU_ISSET(c, &own))
			continue;
		if (*lo < 0)
			*lo = c;
		*hi = c;
	}
	assert_true(*lo >= 0);
}

static void workers_on_the_listed_cpus(void **state)
{
	char env[64], log[512];
	cpu_set_t want;
	int lo = -1, hi = -1;

	(void)state;
	allowed_cpus(&lo, &hi);
	CPU_ZERO(&want);
	CPU_SET(hi, &want);
	snprintf(env, sizeof(env), "%d", hi);
	check_workers(env, &want, log, sizeof(log));
	assert_string_equal(log, "");
	CPU_SET(lo, &want);
	snprintf(env, sizeof(env), "%d,%d", lo, hi);
	check_workers(env, &want, log, sizeof(log));
	assert_string_equal(log, "");
}

static void bad_lists_are_named_and_ignored(void **state)
{
	static const char *const bad[] = { "x", "1-", "3-1", "64", "0,,1", "1;2", "-1" };
	char log[512], want_line[128];
	cpu_set_t own;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(own), &own), 0);
	check_workers(NULL, &own, log, sizeof(log)); /* unset: not pinned */
	assert_string_equal(log, "");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		check_workers(bad[i], &own, log, sizeof(log));
		snprintf(want_line, sizeof(want_line), "sim: RNPU_SIM_CPUS=\"%s\" is not a list of"
			 " CPUs 0-63", bad[i]);
		if (!strstr(log, want_line))
			fail_msg("for \"%s\" the log was \"%s\"", bad[i], log);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(workers_on_the_listed_cpus),
		cmocka_unit_test(bad_lists_are_named_and_ignored),
	};

	return cmocka_run_group_tests_name("sim-cpus", tests, setup, NULL);
}
