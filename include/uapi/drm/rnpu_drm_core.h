/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * The DRM-core ioctls an RKNPU client uses besides the six driver ioctls:
 * VERSION, GET_UNIQUE, GEM_CLOSE, GEM_FLINK, GEM_OPEN, PRIME handle<->fd.
 * Layouts and numbers are Linux's (64-bit userspace). Names carry an rnpu_
 * prefix so this header can be included next to libdrm's drm.h.
 */
#ifndef _UAPI_RNPU_DRM_CORE_H
#define _UAPI_RNPU_DRM_CORE_H

#include "rknpu_ioctl.h"

#define RNPU_DRM_IOCTL_BASE 'd'

struct rnpu_drm_version {
	int version_major;
	int version_minor;
	int version_patchlevel;
	__u64 name_len;  /* in: buffer size; out: full length */
	__u64 name;      /* user pointer */
	__u64 date_len;
	__u64 date;
	__u64 desc_len;
	__u64 desc;
};

struct rnpu_drm_unique {
	__u64 unique_len;
	__u64 unique;    /* user pointer */
};

struct rnpu_drm_gem_close {
	__u32 handle;
	__u32 pad;
};

struct rnpu_drm_gem_flink {
	__u32 handle;
	__u32 name;
};

struct rnpu_drm_gem_open {
	__u32 name;
	__u32 handle;
	__u64 size;
};

struct rnpu_drm_prime_handle {
	__u32 handle;
	__u32 flags;     /* RNPU_DRM_CLOEXEC | RNPU_DRM_RDWR */
	__s32 fd;
};

#define RNPU_DRM_CLOEXEC 02000000u /* O_CLOEXEC */
#define RNPU_DRM_RDWR 02u          /* O_RDWR */

#define RNPU_DRM_IOCTL_VERSION _IOC(_IOC_READ | _IOC_WRITE, RNPU_DRM_IOCTL_BASE, 0x00, 64)
#define RNPU_DRM_IOCTL_GET_UNIQUE _IOC(_IOC_READ | _IOC_WRITE, RNPU_DRM_IOCTL_BASE, 0x01, 16)
#define RNPU_DRM_IOCTL_GEM_CLOSE _IOC(_IOC_WRITE, RNPU_DRM_IOCTL_BASE, 0x09, 8)
#define RNPU_DRM_IOCTL_GEM_FLINK _IOC(_IOC_READ | _IOC_WRITE, RNPU_DRM_IOCTL_BASE, 0x0a, 8)
#define RNPU_DRM_IOCTL_GEM_OPEN _IOC(_IOC_READ | _IOC_WRITE, RNPU_DRM_IOCTL_BASE, 0x0b, 16)
#define RNPU_DRM_IOCTL_PRIME_HANDLE_TO_FD \
	_IOC(_IOC_READ | _IOC_WRITE, RNPU_DRM_IOCTL_BASE, 0x2d, 12)
#define RNPU_DRM_IOCTL_PRIME_FD_TO_HANDLE \
	_IOC(_IOC_READ | _IOC_WRITE, RNPU_DRM_IOCTL_BASE, 0x2e, 12)

_Static_assert(sizeof(struct rnpu_drm_version) == 64, "drm_version is 64 bytes on LP64");
_Static_assert(sizeof(struct rnpu_drm_unique) == 16, "drm_unique size");
_Static_assert(sizeof(struct rnpu_drm_gem_close) == 8, "drm_gem_close size");
_Static_assert(sizeof(struct rnpu_drm_gem_flink) == 8, "drm_gem_flink size");
_Static_assert(sizeof(struct rnpu_drm_gem_open) == 16, "drm_gem_open size");
_Static_assert(sizeof(struct rnpu_drm_prime_handle) == 12, "drm_prime_handle size");
_Static_assert(RNPU_DRM_IOCTL_VERSION == 0xC0406400u, "DRM_IOCTL_VERSION");
_Static_assert(RNPU_DRM_IOCTL_GEM_CLOSE == 0x40086409u, "DRM_IOCTL_GEM_CLOSE");
_Static_assert(RNPU_DRM_IOCTL_PRIME_HANDLE_TO_FD == 0xC00C642Du, "PRIME_HANDLE_TO_FD");

#endif
