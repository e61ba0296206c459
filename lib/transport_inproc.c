// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* The in-process transport: the driver core and the software NPU live in
 * this process (the userspace host); ioctls are direct calls. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "rk3588_sim.h"
#include "rknpu_device.h"
#include "rnpu_host.h"
#include "rnpu_internal.h"

struct inproc_ctx {
	struct rnpu_host *host;
	struct rknpu_file *file;
};

static int inproc_ioctl(void *ctx, unsigned long cmd, void *arg)
{
	struct inproc_ctx *c = ctx;

	return (int)rknpu_ioctl(c->file, (unsigned int)cmd, arg);
}

static int inproc_mmap(void *ctx, uint64_t offset, size_t length, void **addr)
{
	struct inproc_ctx *c = ctx;

	return rnpu_host_mmap(c->host, c->file, offset, length, PROT_READ | PROT_WRITE, addr);
}

static int inproc_mmap_fd(void *ctx, uint64_t offset, size_t length, int *fd)
{
	struct inproc_ctx *c = ctx;

	return rnpu_host_mmap_fd(c->host, c->file, offset, length, fd);
}

static void inproc_close(void *ctx)
{
	struct inproc_ctx *c = ctx;

	rknpu_file_close(c->file);
	rnpu_host_put_default(c->host);
	free(c);
}

static int inproc_model_cycles(void *ctx, unsigned int core, uint64_t *cycles)
{
	struct inproc_ctx *c = ctx;
	struct rk3588_sim_core_stats st;

	if (core >= 3)
		return -EINVAL;
	rk3588_sim_get_stats(rnpu_host_sim(c->host), core, &st);
	*cycles = st.total_cycles;
	return 0;
}

static int inproc_debugfs_read(void *ctx, const char *name, char *buf, size_t len)
{
	struct inproc_ctx *c = ctx;

	return rknpu_debugfs_show(rnpu_host_device(c->host), name, buf, len);
}

static int inproc_fdinfo_read(void *ctx, char *buf, size_t len)
{
	struct inproc_ctx *c = ctx;

	return rknpu_show_fdinfo(c->file, buf, len);
}

static const struct rnpu_transport_ops inproc_ops = {
	.name = "sim",
	.ioctl = inproc_ioctl,
	.mmap = inproc_mmap,
	.mmap_fd = inproc_mmap_fd,
	.close = inproc_close,
	.model_cycles = inproc_model_cycles,
	.debugfs_read = inproc_debugfs_read,
	.fdinfo_read = inproc_fdinfo_read,
};

int rnpu_transport_inproc_open(const struct rnpu_transport_ops **ops, void **ctx)
{
	struct inproc_ctx *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return -ENOMEM;
	ret = rnpu_host_get_default(&c->host);
	if (ret)
		goto err_free;
	ret = rknpu_file_open(rnpu_host_device(c->host), &c->file);
	if (ret)
		goto err_host;
	*ops = &inproc_ops;
	*ctx = c;
	return 0;

err_host:
	rnpu_host_put_default(c->host);
err_free:
	free(c);
	return ret;
}
