/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * Thread helpers for tests that need to know whether a thread of this
 * process has gone to sleep (read from /proc, Linux only).
 */
#ifndef RNPU_TEST_THREADS_H
#define RNPU_TEST_THREADS_H

#include <stdio.h>
#include <string.h>

/* Thread @tid's scheduler state letter from /proc ('S' asleep), '?' if
 * it cannot be read. */
static inline char test_thread_state(int tid)
{
	char path[64], buf[256], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the name may hold spaces */
	return p && p[1] == ' ' ? p[2] : '?';
}

#endif
