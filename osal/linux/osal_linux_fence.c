// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Kernel OS services: fences are dma_fences on one timeline of the module,
 * shared with userspace as sync_file descriptors (pollable, mergeable with
 * any other driver's fences).
 */
#include <linux/atomic.h>
#include <linux/dma-fence.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/sync_file.h>

#include "osal_linux.h"

/* A fence the core created or imported; @fence holds one reference. */
struct rnpu_osal_fence {
	struct dma_fence *fence;
};

/* The dma_fence of a fence the core created. */
struct rnpu_linux_fence {
	struct dma_fence base;
	spinlock_t lock; /* the dma_fence's own state (dma_fence_init) */
};

static u64 rnpu_fence_context;
static atomic64_t rnpu_fence_seqno = ATOMIC64_INIT(0);

void rnpu_linux_fence_init(void)
{
	rnpu_fence_context = dma_fence_context_alloc(1);
}

static const char *rnpu_fence_driver_name(struct dma_fence *f)
{
	return "rknpu";
}

static const char *rnpu_fence_timeline_name(struct dma_fence *f)
{
	return "rknpu";
}

static const struct dma_fence_ops rnpu_fence_ops = {
	.get_driver_name = rnpu_fence_driver_name,
	.get_timeline_name = rnpu_fence_timeline_name,
};

int rnpu_osal_fence_create(struct rnpu_osal_fence **out)
{
	struct rnpu_osal_fence *f = kzalloc(sizeof(*f), GFP_KERNEL);
	struct rnpu_linux_fence *lf = kzalloc(sizeof(*lf), GFP_KERNEL);

	if (!f || !lf) {
		kfree(f);
		kfree(lf);
		return -ENOMEM;
	}
	spin_lock_init(&lf->lock);
	dma_fence_init(&lf->base, &rnpu_fence_ops, &lf->lock, rnpu_fence_context,
		       (u64)atomic64_inc_return(&rnpu_fence_seqno));
	f->fence = &lf->base;
	*out = f;
	return 0;
}

void rnpu_osal_fence_signal(struct rnpu_osal_fence *f, int status)
{
	unsigned long flags;

	spin_lock_irqsave(f->fence->lock, flags);
	if (!test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &f->fence->flags)) {
		if (status < 0)
			dma_fence_set_error(f->fence, status);
		dma_fence_signal_locked(f->fence);
	}
	spin_unlock_irqrestore(f->fence->lock, flags);
}

int rnpu_osal_fence_export_fd(struct rnpu_osal_fence *f, int *fd)
{
	struct sync_file *sync;
	int n = get_unused_fd_flags(O_CLOEXEC);

	if (n < 0)
		return n;
	sync = sync_file_create(f->fence);
	if (!sync) {
		put_unused_fd(n);
		return -ENOMEM;
	}
	fd_install(n, sync->file);
	*fd = n;
	return 0;
}

int rnpu_osal_fence_import_fd(int fd, struct rnpu_osal_fence **out)
{
	struct rnpu_osal_fence *f;
	struct dma_fence *fence;
	struct file *file = fget(fd);

	if (!file)
		return -EBADF;
	fput(file);
	fence = sync_file_get_fence(fd);
	if (!fence)
		return -EINVAL;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f) {
		dma_fence_put(fence);
		return -ENOMEM;
	}
	f->fence = fence;
	*out = f;
	return 0;
}

int rnpu_osal_fence_wait(struct rnpu_osal_fence *f, unsigned int timeout_ms)
{
	long left = dma_fence_wait_timeout(f->fence, false, msecs_to_jiffies(timeout_ms));

	if (left < 0)
		return (int)left;
	if (left == 0)
		return -ETIMEDOUT;
	return f->fence->error;
}

void rnpu_osal_fence_put(struct rnpu_osal_fence *f)
{
	if (!f)
		return;
	dma_fence_put(f->fence);
	kfree(f);
}
