/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
#ifndef RNPU_LIB_INTERNAL_H
#define RNPU_LIB_INTERNAL_H

#include <pthread.h>

#include "rnpu/rnpu.h"

/* How a device is reached: the same UAPI structs on every transport. */
struct rnpu_transport_ops {
	const char *name;
	int (*ioctl)(void *ctx, unsigned long cmd, void *arg);
	int (*mmap)(void *ctx, uint64_t offset, size_t length, void **addr);
	/* A new fd of the buffer's memory, to be mapped from offset 0. */
	int (*mmap_fd)(void *ctx, uint64_t offset, size_t length, int *fd);
	void (*close)(void *ctx);
	/* Timing-model cycles charged to a core so far; NULL where no model
	 * runs (a kernel node). */
	int (*model_cycles)(void *ctx, unsigned int core, uint64_t *cycles);
	/* The driver's debugfs file @name as text: its length, or negative
	 * errno. */
	int (*debugfs_read)(void *ctx, const char *name, char *buf, size_t len);
	/* The session's fdinfo text: its length, or negative errno; NULL
	 * where the transport cannot read it. */
	int (*fdinfo_read)(void *ctx, char *buf, size_t len);
};

struct rnpu_dev {
	const struct rnpu_transport_ops *ops;
	void *ctx;
	pthread_mutex_t lock;        /* protects error[] and bos */
	char error[256];
	struct rnpu_bo *bos;         /* live objects, freed at close */
	struct rnpu_pool *pool;      /* rnpu_dev_pool(), created under lock */
};

struct rnpu_bo {
	struct rnpu_dev *dev;
	struct rnpu_bo *next, *prev; /* in dev->bos */
	uint32_t handle;
	uint32_t flags;
	uint64_t size;
	uint64_t dma_addr;
	uint64_t obj_addr;
	void *map;                   /* CPU mapping or NULL */
	bool shared;                 /* exported or imported: never recycled */
	bool imported;               /* from rnpu_bo_import: import_fd is valid */
	int import_fd;               /* our dup of the dma-buf fd, mapped by rnpu_bo_map */
	bool import_memfd;           /* that fd is a memfd: coherent, no sync ioctl */
	struct rnpu_pool *pool;      /* the pool that made it, or NULL */
	uint64_t pool_class;         /* its size class there */
};

void rnpu_pool_destroy(struct rnpu_pool *pool);

int rnpu_transport_inproc_open(const struct rnpu_transport_ops **ops, void **ctx);
int rnpu_transport_unix_open(const char *path, const struct rnpu_transport_ops **ops,
			     void **ctx);
int rnpu_transport_kernel_open(const char *path, const struct rnpu_transport_ops **ops,
			       void **ctx);

/* Records a message for rnpu_last_error() and returns @err. */
int rnpu_set_error(struct rnpu_dev *dev, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
