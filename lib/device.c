// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* librnpu devices: open by name, raw UAPI access, ACTION, errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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
	rnpu_pool_destroy(dev->pool);
	/* Closing the session first lets the driver finish the jobs still in
	 * flight with their buffers intact; it then releases every handle,
	 * so the objects here only need their mappings and memory freed. */
	dev->ops->close(dev->ctx);
	for (bo = dev->bos; bo; bo = next) {
		next = bo->next;
		if (bo->map)
			munmap(bo->map, bo->size);
		if (bo->imported)
			close(bo->import_fd);
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

int rnpu_model_cycles(struct rnpu_dev *dev, unsigned int core, uint64_t *cycles)
{
	if (!dev->ops->model_cycles)
		return rnpu_set_error(dev, -EOPNOTSUPP, "model cycles: the %s transport has no"
				      " timing model", dev->ops->name);
	if (!cycles)
		return rnpu_set_error(dev, -EINVAL, "model cycles: cycles pointer is NULL");
	if (dev->ops->model_cycles(dev->ctx, core, cycles))
		return rnpu_set_error(dev, -EINVAL, "model cycles: no core %u", core);
	return 0;
}

int rnpu_debugfs_read(struct rnpu_dev *dev, const char *name, char *buf, size_t len)
{
	int ret;

	if (!name || !buf || len == 0)
		return rnpu_set_error(dev, -EINVAL, "debugfs read: %s is NULL or empty",
				      !name ? "name" : "buffer");
	if (!dev->ops->debugfs_read)
		return rnpu_set_error(dev, -EOPNOTSUPP, "debugfs read: the %s transport has no"
				      " debugfs", dev->ops->name);
	ret = dev->ops->debugfs_read(dev->ctx, name, buf, len);
	if (ret < 0)
		return rnpu_set_error(dev, ret, "debugfs read of \"%s\" failed: %d", name, ret);
	return ret;
}

int rnpu_fdinfo_read(struct rnpu_dev *dev, char *buf, size_t len)
{
	int ret;

	if (!buf || len == 0)
		return rnpu_set_error(dev, -EINVAL, "fdinfo read: the buffer is NULL or empty");
	if (!dev->ops->fdinfo_read)
		return rnpu_set_error(dev, -EOPNOTSUPP, "fdinfo read: the %s transport has no"
				      " fdinfo", dev->ops->name);
	ret = dev->ops->fdinfo_read(dev->ctx, buf, len);
	if (ret < 0)
		return rnpu_set_error(dev, ret, "fdinfo read failed: %d", ret);
	return ret;
}

/* Hardware identities the driver reports, and what they imply. */
static const struct {
	uint32_t hw_version;
	uint32_t cores;
	uint32_t int8_macs_per_cycle;
} known_npus[] = {
	{ 0x46495245u, 3, 1024 }, /* RK3588 ("FIRE") */
};

int rnpu_query(struct rnpu_dev *dev, enum rnpu_query_item item, uint64_t *value)
{
	static const uint32_t actions[] = {
		[RNPU_QUERY_HW_VERSION] = RKNPU_GET_HW_VERSION,
		[RNPU_QUERY_DRV_VERSION] = RKNPU_GET_DRV_VERSION,
		[RNPU_QUERY_FREQ_HZ] = RKNPU_GET_FREQ,
		[RNPU_QUERY_VOLT_UV] = RKNPU_GET_VOLT,
		[RNPU_QUERY_SRAM_TOTAL] = RKNPU_GET_TOTAL_SRAM_SIZE,
		[RNPU_QUERY_SRAM_FREE] = RKNPU_GET_FREE_SRAM_SIZE,
		[RNPU_QUERY_IOMMU_ENABLED] = RKNPU_GET_IOMMU_EN,
	};
	uint32_t v = 0;
	int ret;

	if (!value)
		return rnpu_set_error(dev, -EINVAL, "query: value pointer is NULL");
	switch (item) {
	case RNPU_QUERY_CORE_COUNT:
	case RNPU_QUERY_MACS_PER_CYCLE:
		ret = rnpu_action(dev, RKNPU_GET_HW_VERSION, &v);
		if (ret)
			return ret;
		for (size_t i = 0; i < sizeof(known_npus) / sizeof(known_npus[0]); i++) {
			if (known_npus[i].hw_version == v) {
				*value = item == RNPU_QUERY_CORE_COUNT
						 ? known_npus[i].cores
						 : known_npus[i].int8_macs_per_cycle;
				return 0;
			}
		}
		return rnpu_set_error(dev, -ENODEV, "query %d: unknown NPU version 0x%x",
				      (int)item, v);
	case RNPU_QUERY_HW_VERSION:
	case RNPU_QUERY_DRV_VERSION:
	case RNPU_QUERY_FREQ_HZ:
	case RNPU_QUERY_VOLT_UV:
	case RNPU_QUERY_SRAM_TOTAL:
	case RNPU_QUERY_SRAM_FREE:
	case RNPU_QUERY_IOMMU_ENABLED:
		ret = rnpu_action(dev, actions[item], &v);
		if (ret)
			return ret;
		*value = v;
		return 0;
	}
	return rnpu_set_error(dev, -EINVAL, "query: unknown item %d", (int)item);
}
