/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* Helpers of the monitoring tests: the default host, file texts, jobs
 * that stay on a core until their watchdog ends them. */
#ifndef RNPU_TESTS_MONITOR_UTIL_H
#define RNPU_TESTS_MONITOR_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drm/rknpu_ioctl.h"
#include "osal_posix.h"
#include "rk3588_sim.h"
#include "rknpu_device.h"
#include "rnpu/matmul_job.h"
#include "rnpu/rnpu.h"
#include "rnpu_host.h"

/* Soft resets seen in the log (the sink also keeps stderr quiet). */
static unsigned int g_resets;

static void mon_log_sink(void *ctx, int level, const char *line)
{
	(void)ctx;
	(void)level;
	if (strstr(line, "soft reset, num"))
		__atomic_add_fetch(&g_resets, 1, __ATOMIC_ACQ_REL);
}

/* Waits (up to 10 s) until @n soft resets have been logged in total. */
static inline bool wait_resets(unsigned int n)
{
	for (unsigned int ms = 0; ms < 10000; ms += 5) {
		if (__atomic_load_n(&g_resets, __ATOMIC_ACQUIRE) >= n)
			return true;
		usleep(5000);
	}
	return false;
}

static inline unsigned int resets_so_far(void)
{
	return __atomic_load_n(&g_resets, __ATOMIC_ACQUIRE);
}

struct mon {
	struct rnpu_dev *dev;
	struct rnpu_host *host;
	struct rknpu_device *rdev;
	struct rk3588_sim *sim;
};

static inline int mon_open(struct mon *m)
{
	memset(m, 0, sizeof(*m));
	rnpu_posix_set_log_sink(mon_log_sink, NULL);
	if (rnpu_open("sim", &m->dev) || rnpu_host_get_default(&m->host))
		return -1;
	m->rdev = rnpu_host_device(m->host);
	m->sim = rnpu_host_sim(m->host);
	return 0;
}

static inline void mon_close(struct mon *m)
{
	rnpu_host_put_default(m->host);
	rnpu_close(m->dev);
	rnpu_posix_set_log_sink(NULL, NULL);
}

/* The text of debugfs file @name (static buffer, valid until the next call). */
static inline const char *show(struct mon *m, const char *name)
{
	static char buf[1024];

	if (rknpu_debugfs_show(m->rdev, name, buf, sizeof(buf)) < 0)
		return "(error)";
	return buf;
}

static inline const char *show_devfreq(struct mon *m, const char *name)
{
	static char buf[1024];

	if (rknpu_devfreq_show(m->rdev, name, buf, sizeof(buf)) < 0)
		return "(error)";
	return buf;
}

static inline long store(struct mon *m, const char *name, const char *text)
{
	return rknpu_debugfs_store(m->rdev, name, text, strlen(text));
}

/* A small int8 matmul job. */
static inline struct rnpu_matmul_job *small_job(struct mon *m)
{
	struct rnpu_matmul_job *job = NULL;

	if (rnpu_matmul_job_create(m->dev, RNPU_MM_INT8_INT32, 8, 32, 16, 0, &job))
		return NULL;
	return job;
}

/* Starts @job on @mask with a hang armed on each of its cores: it stays
 * on the hardware until its watchdog (@timeout_ms, real time) ends it.
 * Returns the fence fd, or -1. */
static inline int start_hung(struct mon *m, struct rnpu_matmul_job *job, uint32_t mask,
			     unsigned int timeout_ms)
{
	struct rnpu_submit_req req = { .task_bo = job->task, .task_count = job->num_tasks,
				       .core_mask = mask, .timeout_ms = timeout_ms };
	struct rk3588_sim_core_stats st;
	uint64_t starts[3];
	int fd = -1;

	for (unsigned int i = 0; i < 3; i++) {
		rk3588_sim_get_stats(m->sim, i, &st);
		starts[i] = st.starts;
		if ((mask & (1u << i)) &&
		    rk3588_sim_inject_fault(m->sim, i, RK3588_SIM_FAULT_HANG, 1, 0))
			return -1;
	}
	if (rnpu_submit_async(m->dev, &req, &fd))
		return -1;
	/* On the hardware once every core started it (a reset still running
	 * holds it back); only then is its time counted. */
	for (unsigned int ms = 0; ms < 10000; ms += 1) {
		bool all = true;

		for (unsigned int i = 0; i < 3; i++) {
			rk3588_sim_get_stats(m->sim, i, &st);
			if ((mask & (1u << i)) && st.starts == starts[i])
				all = false;
		}
		if (all)
			return fd;
		usleep(1000);
	}
	close(fd);
	return -1;
}

/* Waits for a job started by start_hung() to time out and for its
 * reset to begin (from then on new jobs wait for the reset to end), so
 * the next job is not caught by it. @resets: resets expected by then. */
static inline int end_hung(int fd, unsigned int resets)
{
	int ret = rnpu_fence_wait(fd, 10000);

	close(fd);
	if (!wait_resets(resets))
		return -EAGAIN;
	return ret;
}

/* The host's event log since the last call (static buffer). */
static inline const char *events(struct mon *m)
{
	static char buf[4096];

	rnpu_host_take_events(m->host, buf, sizeof(buf));
	return buf;
}

/* A temperature file for the host's thermal reader, in millidegrees. */
static char g_temp_path[64];

static inline int set_temp(int mc)
{
	FILE *f = fopen(g_temp_path, "w");

	if (!f)
		return -1;
	fprintf(f, "%d\n", mc);
	return fclose(f);
}

/* The devfreq tests' host: a temperature file at 45 C, the model clock
 * (load windows close when the test says), no exported files. Called
 * before mon_open(). */
static inline int thermal_env(void)
{
	int fd;

	snprintf(g_temp_path, sizeof(g_temp_path), "/tmp/rnpu-temp-XXXXXX");
	fd = mkstemp(g_temp_path);
	if (fd < 0)
		return -1;
	close(fd);
	if (set_temp(45000))
		return -1;
	setenv("RNPU_THERMAL_PATH", g_temp_path, 1);
	setenv("RNPU_MODEL_CLOCK", "1", 1);
	unsetenv("RNPU_EXPORT");
	unsetenv("RNPU_EXPORT_DIR");
	return 0;
}

/* Powers the NPU off, closes, removes the temperature file. */
static inline int thermal_teardown(void **state)
{
	store(*state, "power", "off\n");
	mon_close(*state);
	unlink(g_temp_path);
	return 0;
}

/* Unpowered register accesses over all cores (must stay 0). */
static inline uint64_t unpowered_accesses(struct mon *m)
{
	struct rk3588_sim_core_stats st;
	uint64_t n = 0;

	for (unsigned int i = 0; i < 3; i++) {
		rk3588_sim_get_stats(m->sim, i, &st);
		n += st.unpowered_accesses;
	}
	return n;
}

#endif
