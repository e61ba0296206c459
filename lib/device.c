// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* librnpu devices: open by name, raw UAPI access, ACTION, errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "rnpu_internal.h"

int rnpu_set_error(struct rnpu_dev *dev, int err, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&dev->lock);
	va_start(ap, fmt);
	vsnprintf(dev->error, sizeof(dev->error), fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&dev->lock);
	return err;
}

int rnpu_open(const char *path, struct rnpu_dev **out)
{
	struct rnpu_dev *dev = calloc(1, sizeof(*dev));
	int ret;

	if (!dev)
		return -ENOMEM;
	pthread_mutex_init(&dev->lock, NULL);
	if (!path || !strcmp(path, "sim"))
		ret = rnpu_transport_inproc_open(&dev->ops, &dev->ctx);
	else if (!strncmp(path, "unix:", 5))
		ret = rnpu_transport_unix_open(path + 5, &dev->ops, &dev->ctx);
	else if (!strcmp(path, "unix"))
		ret = rnpu_transport_unix_open(NULL, &dev->ops, &dev->ctx);
	else if (path[0] == '/')
		ret = rnpu_transport_kernel_open(path, &dev->ops, &dev->ctx);
	else
		ret = -EINVAL; /* neither "sim", "unix:" nor a path */
	if (ret) {
		pthread_mutex_destroy(&dev->lock);
		free(dev);
		return ret;
	}
	*out = dev;
	return 0;
}

void rnpu_close(struct rnpu_dev *dev)
{
	struct rnpu_bo *bo, *next;

	if (!dev)
		return;
	/* Closing the session first lets the driver finish the jobs still in
	 * flight with their buffers intact; it then releases every handle,
	 * so the objects here only need their mappings and memory freed. */
	dev->ops->close(dev->ctx);
	for (bo = dev->bos; bo; bo = next) {
		next = bo->next;
		if (bo->map)
			munmap(bo->map, bo->size);
		free(bo);
	}
	pthread_mutex_destroy(&dev->lock);
	free(dev);
}

const char *rnpu_transport_name(const struct rnpu_dev *dev)
{
	return dev->ops->name;
}

const char *rnpu_last_error(const struct rnpu_dev *dev)
{
	return dev->error;
}

int rnpu_ioctl(struct rnpu_dev *dev, unsigned long cmd, void *arg)
{
	return dev->ops->ioctl(dev->ctx, cmd, arg);
}

int rnpu_mmap(struct rnpu_dev *dev, uint64_t offset, size_t length, void **addr)
{
	return dev->ops->mmap(dev->ctx, offset, length, addr);
}

int rnpu_mmap_fd(struct rnpu_dev *dev, uint64_t offset, size_t length, int *fd)
{
	return dev->ops->mmap_fd(dev->ctx, offset, length, fd);
}

int rnpu_action(struct rnpu_dev *dev, uint32_t action, uint32_t *value)
{
	struct rknpu_action a = { .flags = action, .value = value ? *value : 0 };
	int ret = rnpu_ioctl(dev, DRM_IOCTL_RKNPU_ACTION, &a);

	if (ret)
		return rnpu_set_error(dev, ret, "ACTION %u failed: %s", action, strerror(-ret));
	if (value)
		*value = a.value;
	return 0;
}
