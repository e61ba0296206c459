/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * Error numbers. The UAPI is Linux's, so the core speaks Linux errno values
 * on every host; hosts whose libc differs translate at their boundary.
 */
#ifndef RNPU_OSAL_ERRNO_H
#define RNPU_OSAL_ERRNO_H

#if defined(__KERNEL__)
#include <linux/errno.h>
#elif defined(__linux__)
#include <errno.h>
#else
#define EPERM 1
#define ENOENT 2
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define EBADF 9
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define ERANGE 34
#define ENOSYS 38
#define EOPNOTSUPP 95
#define ETIMEDOUT 110
#endif

#endif
