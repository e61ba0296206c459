// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * OS services on POSIX: formatting and logging. Lines go to stderr, or to
 * a sink a program installs (tests use it to check error messages).
 * RNPU_LOG_LEVEL=err|warn|info|debug picks the threshold (default warn).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "osal.h"
#include "osal_posix.h"

static pthread_mutex_t rnpu_log_lock = PTHREAD_MUTEX_INITIALIZER;
static rnpu_posix_log_sink_t rnpu_log_sink;
static void *rnpu_log_sink_ctx;
static int rnpu_log_threshold = -1;

int rnpu_osal_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

int rnpu_osal_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static int rnpu_log_level_from_env(void)
{
	const char *s = getenv("RNPU_LOG_LEVEL");

	if (!s)
		return RNPU_LOG_WARN;
	if (!strcmp(s, "err") || !strcmp(s, "error"))
		return RNPU_LOG_ERR;
	if (!strcmp(s, "info"))
		return RNPU_LOG_INFO;
	if (!strcmp(s, "debug"))
		return RNPU_LOG_DEBUG;
	if (!strcmp(s, "none"))
		return 0;
	return RNPU_LOG_WARN;
}

void rnpu_posix_set_log_level(int level)
{
	pthread_mutex_lock(&rnpu_log_lock);
	rnpu_log_threshold = level;
	pthread_mutex_unlock(&rnpu_log_lock);
}

void rnpu_posix_set_log_sink(rnpu_posix_log_sink_t sink, void *ctx)
{
	pthread_mutex_lock(&rnpu_log_lock);
	rnpu_log_sink = sink;
	rnpu_log_sink_ctx = ctx;
	pthread_mutex_unlock(&rnpu_log_lock);
}

void rnpu_osal_log(enum rnpu_log_level level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);

	pthread_mutex_lock(&rnpu_log_lock);
	if (rnpu_log_threshold < 0)
		rnpu_log_threshold = rnpu_log_level_from_env();
	if (rnpu_log_sink)
		rnpu_log_sink(rnpu_log_sink_ctx, (int)level, line);
	else if ((int)level <= rnpu_log_threshold)
		fprintf(stderr, "%s\n", line);
	pthread_mutex_unlock(&rnpu_log_lock);
}
