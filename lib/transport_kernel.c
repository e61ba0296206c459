// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* The kernel transport: a device node of the vendor driver (or of rnpu's
 * kernel module); ioctls and mmap are system calls on its fd. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "drm/rnpu_drm_core.h"
#include "rnpu_internal.h"

struct kernel_ctx {
	int fd;
};

static int kernel_ioctl(void *ctx, unsigned long cmd, void *arg)
{
	struct kernel_ctx *c = ctx;
	int ret;

	do {
		ret = ioctl(c->fd, cmd, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret == -1 ? -errno : 0;
}

static int kernel_mmap(void *ctx, uint64_t offset, size_t length, void **addr)
{
	struct kernel_ctx *c = ctx;
	void *a = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, (off_t)offset);

	if (a == MAP_FAILED)
		return -errno;
	*addr = a;
	return 0;
}

static int kernel_mmap_fd(void *ctx, uint64_t offset, size_t length, int *fd)
{
	/* A kernel node's memory is mapped through the node itself. */
	(void)ctx;
	(void)offset;
	(void)length;
	(void)fd;
	return -EOPNOTSUPP;
}

static void kernel_close(void *ctx)
{
	struct kernel_ctx *c = ctx;

	close(c->fd);
	free(c);
}

/* A board's debugfs (root only, as the vendor creates it). */
static int kernel_debugfs_read(void *ctx, const char *name, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	(void)ctx;
	if (len == 0 || strchr(name, '/') ||
	    snprintf(path, sizeof(path), "/sys/kernel/debug/rknpu/%s", name) >= (int)sizeof(path))
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return (int)n;
}

/* The kernel's fdinfo of the session's fd: its own lines, then the
 * driver's. */
static int kernel_fdinfo_read(void *ctx, char *buf, size_t len)
{
	struct kernel_ctx *c = ctx;
	char path[64];
	size_t got = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", c->fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* seq_file texts may come in several reads. */
	while (got < len - 1) {
		ssize_t n = read(fd, buf + got, len - 1 - got);

		if (n < 0) {
			int err = -errno;

			close(fd);
			return err;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return (int)got;
}

static const struct rnpu_transport_ops kernel_ops = {
	.name = "kernel",
	.ioctl = kernel_ioctl,
	.mmap = kernel_mmap,
	.mmap_fd = kernel_mmap_fd,
	.close = kernel_close,
	.debugfs_read = kernel_debugfs_read,
	.fdinfo_read = kernel_fdinfo_read,
};

/* A DRM node must call itself "rknpu"; the misc node has no VERSION. */
static int kernel_check_drm_name(int fd)
{
	struct rnpu_drm_version v;
	char name[16] = { 0 };

	memset(&v, 0, sizeof(v));
	v.name = (uint64_t)(uintptr_t)name;
	v.name_len = sizeof(name) - 1;
	if (ioctl(fd, RNPU_DRM_IOCTL_VERSION, &v) == -1)
		return -errno;
	return strcmp(name, "rknpu") == 0 ? 0 : -ENODEV;
}

int rnpu_transport_kernel_open(const char *path, const struct rnpu_transport_ops **ops,
			       void **ctx)
{
	struct kernel_ctx *c;
	int fd, ret;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (strncmp(path, "/dev/rknpu", 10) != 0) {
		ret = kernel_check_drm_name(fd);
		if (ret) {
			close(fd);
			return ret;
		}
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->fd = fd;
	*ops = &kernel_ops;
	*ctx = c;
	return 0;
}
