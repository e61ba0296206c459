/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* Controls of the POSIX OS services that programs (not the core) use. */
#ifndef RNPU_OSAL_POSIX_H
#define RNPU_OSAL_POSIX_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*rnpu_posix_log_sink_t)(void *ctx, int level, const char *line);

/* Every log line goes to @sink instead of stderr (NULL restores stderr). */
void rnpu_posix_set_log_sink(rnpu_posix_log_sink_t sink, void *ctx);
/* Threshold for stderr output (an RNPU_LOG_* level; 0 = silent). */
void rnpu_posix_set_log_level(int level);

/* True while the calling thread holds an interrupt-safe lock, i.e. its
 * interrupts are "disabled" (hosts deliver interrupts accordingly). */
bool rnpu_posix_irqs_disabled(void);
/* Runs fn(ctx, arg) on the calling thread when it releases its outermost
 * interrupt-safe lock. false if too many are pending already. */
bool rnpu_posix_defer_irq(void (*fn)(void *ctx, unsigned int arg), void *ctx, unsigned int arg);

/* Userspace fence fds (the format is in osal_posix_fence.c and
 * docs/uapi.md), shared by librnpu, rnpu-run and rnpud. */

/* A new fence: *wait_fd for waiters, *signal_fd for its producer. */
int rnpu_posix_fence_fd_pair(int *wait_fd, int *signal_fd);
/* Signals with @status (0 or a negative errno) and closes @signal_fd. */
void rnpu_posix_fence_fd_signal(int signal_fd, int status);
/* Whether @fd is a fence fd of this format. */
bool rnpu_posix_fence_fd_is_fence(int fd);
#define RNPU_POSIX_FENCE_PENDING 1
/* Reads the state of fence fd @fd without consuming it: *status gets
 * RNPU_POSIX_FENCE_PENDING, or once signalled 0, the negative errno the
 * job failed with, or -ECANCELED if its producer vanished; *signal_ns
 * (may be NULL) the CLOCK_MONOTONIC time of the signal, 0 while pending.
 * Returns 0, or a negative errno if @fd cannot be one (no FIONREAD: a
 * kernel sync_file, say). */
int rnpu_posix_fence_fd_status(int fd, int *status, uint64_t *signal_ns);
/* Waits up to @timeout_ms (-1: forever) for a fence fd of this host and
 * returns its status: 0, a negative errno the job failed with,
 * -ETIMEDOUT, or -ECANCELED if its producer vanished. */
int rnpu_posix_fence_fd_wait(int fd, int timeout_ms);

/* Replaces the monotonic clock of rnpu_osal_time_ns() by @now(ctx) (a
 * model clock for tests); NULL restores the real clock. Process-wide. */
void rnpu_posix_set_clock(uint64_t (*now)(void *ctx), void *ctx);
/* The real monotonic clock in ns, whatever the clock above (delays of
 * deferred work run on it). */
uint64_t rnpu_posix_monotonic_ns(void);

#endif
