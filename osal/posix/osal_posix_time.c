// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* OS services on POSIX: monotonic time and sleeps. */
#include <errno.h>
#include <time.h>

#include "osal.h"
#include "osal_posix.h"

static void *clock_ctx;
static uint64_t (*clock_fn)(void *ctx);

void rnpu_posix_set_clock(uint64_t (*now)(void *ctx), void *ctx)
{
	__atomic_store_n(&clock_ctx, ctx, __ATOMIC_RELEASE);
	__atomic_store_n(&clock_fn, now, __ATOMIC_RELEASE);
}

uint64_t rnpu_osal_time_ns(void)
{
	uint64_t (*fn)(void *) = __atomic_load_n(&clock_fn, __ATOMIC_ACQUIRE);

	if (fn)
		return fn(__atomic_load_n(&clock_ctx, __ATOMIC_ACQUIRE));
	return rnpu_posix_monotonic_ns();
}

uint64_t rnpu_posix_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void rnpu_posix_sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull),
			       .tv_nsec = (long)(ns % 1000000000ull) };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

void rnpu_osal_msleep(unsigned int ms)
{
	rnpu_posix_sleep_ns((uint64_t)ms * 1000000ull);
}

void rnpu_osal_udelay(unsigned int us)
{
	rnpu_posix_sleep_ns((uint64_t)us * 1000ull);
}
