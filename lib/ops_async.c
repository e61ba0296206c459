// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Runs that start after an input fence without the caller waiting for it.
 * The driver waits for a FENCE_IN inside the submit call (the vendor
 * behaviour), which would block the caller for the whole of the jobs
 * before; so a run whose input fence has not signalled yet goes to a thread
 * of its own that waits for the fence (bounded), submits, waits for its job
 * and signals an output fence of librnpu's own making, in the format every
 * userspace rnpu fence has (osal_posix.h: rnpu_fence_wait, poll, and
 * FENCE_IN of the userspace hosts all read it). A run whose input fence
 * has already signalled is an ordinary asynchronous submit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "ops_internal.h"
#include "osal_posix.h"
#include "rnpu_internal.h"

/* A run's input fence may stand for a chain of earlier runs, each up to its
 * job timeout: the wait allows several. */
#define INPUT_FENCE_WAIT_MS (4 * RNPU_DEFAULT_TIMEOUT_MS)

struct ops_deferred {
	struct ops_deferred *next; /* in op->deferred, the caller's thread only */
	struct rnpu_op *op;
	struct rnpu_submit_req req;
	int in_fd;     /* our duplicate of the input fence */
	int signal_fd; /* the end of the output fence we write the status into */
	pthread_t thread;
	int done; /* set by the thread as it ends (atomic) */
};

static void *deferred_main(void *arg)
{
	struct ops_deferred *d = arg;
	int32_t st = rnpu_fence_wait(d->in_fd, INPUT_FENCE_WAIT_MS);

	if (st == -EAGAIN)
		st = rnpu_set_error(d->op->dev, -ETIMEDOUT,
				    "%s: input fence not signalled after %d ms; the run is"
				    " dropped",
				    d->op->name, INPUT_FENCE_WAIT_MS);
	/* A failed input fails this run: its input is not there. */
	if (st == 0)
		st = rnpu_submit(d->op->dev, &d->req);
	rnpu_posix_fence_fd_signal(d->signal_fd, st);
	close(d->in_fd);
	__atomic_store_n(&d->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Joins the threads of runs that have ended, so that an operation run
 * many times keeps only its pending ones. */
static void reap(struct rnpu_op *op)
{
	struct ops_deferred **link = &op->deferred;

	while (*link) {
		struct ops_deferred *d = *link;

		if (__atomic_load_n(&d->done, __ATOMIC_ACQUIRE)) {
			pthread_join(d->thread, NULL);
			*link = d->next;
			free(d);
		} else {
			link = &d->next;
		}
	}
}

int rnpu_op_run_after(struct rnpu_op *op, uint32_t core_mask, int in_fence_fd, int *fence_fd)
{
	struct ops_deferred *d;
	int ret, st;

	if (!op || !fence_fd)
		return op ? rnpu_set_error(op->dev, -EINVAL, "%s: fence_fd pointer is NULL",
					   op->name)
			  : -EINVAL;
	if (in_fence_fd < 0)
		return rnpu_op_run_async(op, core_mask, fence_fd);
	st = rnpu_fence_wait(in_fence_fd, 0);
	if (st == 0)
		return rnpu_op_run_async(op, core_mask, fence_fd);
	if (st != -EAGAIN)
		return rnpu_set_error(op->dev, st == -EBADF ? -EBADF : st,
				      "%s: input fence %d %s: %d", op->name, in_fence_fd,
				      st == -EBADF ? "is not an open fd" : "failed", st);
	reap(op);
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->op = op;
	d->in_fd = d->signal_fd = -1;
	ret = ops_fill_req(op, core_mask, &d->req);
	if (ret)
		goto fail;
	d->in_fd = fcntl(in_fence_fd, F_DUPFD_CLOEXEC, 0);
	if (d->in_fd < 0) {
		ret = rnpu_set_error(op->dev, -errno, "%s: input fence %d: cannot duplicate",
				     op->name, in_fence_fd);
		goto fail;
	}
	ret = rnpu_posix_fence_fd_pair(fence_fd, &d->signal_fd);
	if (ret)
		goto fail;
	ret = ops_track_fence(op, *fence_fd);
	if (ret)
		goto fail_fence;
	ret = -pthread_create(&d->thread, NULL, deferred_main, d);
	if (ret) {
		/* The tracked dup signals "cancelled" once signal_fd closes. */
		rnpu_set_error(op->dev, ret, "%s: no thread for the deferred run", op->name);
		goto fail_fence;
	}
	d->next = op->deferred;
	op->deferred = d;
	return 0;
fail_fence:
	close(*fence_fd);
	*fence_fd = -1;
fail:
	if (d->signal_fd >= 0)
		close(d->signal_fd);
	if (d->in_fd >= 0)
		close(d->in_fd);
	free(d);
	return ret;
}

void ops_deferred_join(struct rnpu_op *op)
{
	struct ops_deferred *d = op->deferred, *next;

	/* Each thread ends within its input-fence bound plus its job's
	 * timeout. */
	for (; d; d = next) {
		next = d->next;
		pthread_join(d->thread, NULL);
		free(d);
	}
	op->deferred = NULL;
}
