/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * The Linux sync-file ioctls (SYNC_IOC_FILE_INFO, SYNC_IOC_MERGE,
 * SYNC_IOC_SET_DEADLINE) on the fence fds rnpu hands out, answered as
 * Linux's drivers/dma-buf/sync_file.c answers them. Layouts: docs/uapi.md.
 */
#ifndef DROPIN_SYNC_H
#define DROPIN_SYNC_H

#include <stdbool.h>

/* Returned when @fd is not an rnpu fence or @request is no sync-file
 * ioctl: the caller passes the call on to the kernel. */
#define DROPIN_SYNC_NOT_OURS 1

/* Whether @request belongs to the sync-file ioctl type ('>'). */
bool dropin_sync_request(unsigned long request);

/* 0 or a negative errno (the kernel's), or DROPIN_SYNC_NOT_OURS. */
int dropin_sync_ioctl(int fd, unsigned long request, void *arg);

#endif
