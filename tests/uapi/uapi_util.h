/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* Helpers shared by the UAPI conformance tests. */
#ifndef RNPU_TESTS_UAPI_UTIL_H
#define RNPU_TESTS_UAPI_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>

#include "drm/rnpu_drm_core.h"
#include "osal_posix.h"
#include "rnpu/rnpu.h"

/* The device the tests open: RNPU_UAPI_DEVICE names a kernel node (e.g.
 * /dev/dri/renderD128, to run them against rnpu.ko; docs/kmod.md),
 * unset the in-process software NPU ("sim"). */
static inline const char *uapi_device(void)
{
	const char *dev = getenv("RNPU_UAPI_DEVICE");

	return dev && *dev ? dev : "sim";
}

static inline bool uapi_on_kernel(void)
{
	return strcmp(uapi_device(), "sim") != 0;
}

/* Skips the case on a kernel node, saying what it needs that only the
 * software NPU gives here (results it computes, its statistics, its
 * clock, memory a VM's kernel does not have). */
#define UAPI_SIM_ONLY(why)                                                               \
	do {                                                                             \
		if (uapi_on_kernel()) {                                                  \
			printf("# %s needs the software NPU: %s\n", __func__, why);       \
			skip();                                                          \
		}                                                                        \
	} while (0)

/* On a kernel node the driver's lines are the kernel log's, read with
 * klogctl (root): cleared when a case starts, searched by log_has(). */
static inline bool uapi_klog_has(const char *a, const char *b)
{
	static char text[1 << 18];
	char *line, *save;
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, text, (int)sizeof(text) - 1);

	if (n < 0)
		return false;
	text[n] = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strstr(line, a) && (!b || strstr(line, b)))
			return true;
	return false;
}

/* Captured log lines, so tests can check that errors are explained. */
struct log_capture {
	pthread_mutex_t lock;
	char lines[64][512];
	unsigned int count;
};

static struct log_capture g_log = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void log_sink(void *ctx, int level, const char *line)
{
	struct log_capture *c = ctx;

	(void)level;
	pthread_mutex_lock(&c->lock);
	snprintf(c->lines[c->count % 64], sizeof(c->lines[0]), "%s", line);
	c->count++;
	pthread_mutex_unlock(&c->lock);
}

static inline void log_capture_start(void)
{
	if (uapi_on_kernel())
		klogctl(5 /* SYSLOG_ACTION_CLEAR */, NULL, 0);
	pthread_mutex_lock(&g_log.lock);
	g_log.count = 0;
	pthread_mutex_unlock(&g_log.lock);
	rnpu_posix_set_log_sink(log_sink, &g_log);
}

static inline void log_capture_stop(void)
{
	rnpu_posix_set_log_sink(NULL, NULL);
}

/* True if a captured line contains every one of the NULL-terminated
 * fragments. */
static inline bool log_has(const char *a, const char *b)
{
	bool found = false;

	if (uapi_on_kernel())
		return uapi_klog_has(a, b);
	pthread_mutex_lock(&g_log.lock);
	for (unsigned int i = 0; i < g_log.count && i < 64 && !found; i++)
		found = strstr(g_log.lines[i], a) && (!b || strstr(g_log.lines[i], b));
	pthread_mutex_unlock(&g_log.lock);
	return found;
}

/* log_has(), polled for up to @ms: for lines written by work that runs
 * after the event a test waited for. */
static inline bool log_wait_for(const char *a, const char *b, unsigned int ms)
{
	for (unsigned int waited = 0; waited < ms; waited += 5) {
		if (log_has(a, b))
			return true;
		usleep(5000);
	}
	return log_has(a, b);
}

static inline int mem_create(struct rnpu_dev *dev, uint64_t size, uint32_t flags,
			     struct rknpu_mem_create *out)
{
	memset(out, 0, sizeof(*out));
	out->size = size;
	out->flags = flags;
	return rnpu_ioctl(dev, DRM_IOCTL_RKNPU_MEM_CREATE, out);
}

static inline int mem_destroy(struct rnpu_dev *dev, uint32_t handle)
{
	struct rknpu_mem_destroy d = { .handle = handle };

	return rnpu_ioctl(dev, DRM_IOCTL_RKNPU_MEM_DESTROY, &d);
}

static inline int mem_map(struct rnpu_dev *dev, uint32_t handle, uint64_t *offset)
{
	struct rknpu_mem_map m = { .handle = handle };
	int ret = rnpu_ioctl(dev, DRM_IOCTL_RKNPU_MEM_MAP, &m);

	*offset = m.offset;
	return ret;
}

static inline int action(struct rnpu_dev *dev, uint32_t code, uint32_t *value)
{
	struct rknpu_action a = { .flags = code, .value = *value };
	int ret = rnpu_ioctl(dev, DRM_IOCTL_RKNPU_ACTION, &a);

	*value = a.value;
	return ret;
}

#endif
