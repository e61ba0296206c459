/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* Timing and statistics shared by the benchmarks. */
#ifndef RNPU_BENCH_UTIL_H
#define RNPU_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @v in place and returns the value at quantile @q (0..1), by the
 * nearest-rank rule so that a reported p99 is an observed sample. */
static inline double bench_quantile(double *v, size_t n, double q)
{
	size_t rank;

	qsort(v, n, sizeof(*v), bench_cmp_double);
	rank = (size_t)(q * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

static inline double bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Parses "--name=value" style integer options; returns @def if absent. */
static inline long bench_arg(int argc, char **argv, const char *name, long def)
{
	size_t len = strlen(name);
	int i;

	for (i = 1; i < argc; i++)
		if (!strncmp(argv[i], name, len) && argv[i][len] == '=')
			return strtol(argv[i] + len + 1, NULL, 0);
	return def;
}

#define BENCH_CHECK(expr)                                                                \
	do {                                                                             \
		int bench_ret_ = (expr);                                                 \
		if (bench_ret_) {                                                        \
			fprintf(stderr, "%s:%d: %s failed: %d\n", __FILE__, __LINE__, #expr,   \
				bench_ret_);                                             \
			exit(1);                                                         \
		}                                                                        \
	} while (0)

#endif
