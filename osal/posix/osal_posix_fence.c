// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * OS services on POSIX: fences. A fence's fd is one end of a Unix stream
 * socket pair. Signalling writes the status (s32, then 4 zero bytes and
 * the CLOCK_MONOTONIC time of the signal in ns as u64: the sync-file
 * timestamp) into the other end and closes it, so the fd turns readable
 * for poll() and stays so, and any process holding the fd reads the status
 * without consuming it (recv with MSG_PEEK of the first 4 bytes) — across
 * fork and SCM_RIGHTS too, with no registry.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "osal.h"
#include "osal_posix.h"

struct rnpu_osal_fence {
	pthread_mutex_t lock;   /* protects signal_fd */
	int fd;                 /* the end userspace waits on */
	int signal_fd;          /* the end we write the status into, -1 after */
};

int rnpu_osal_fence_create(struct rnpu_osal_fence **out)
{
	struct rnpu_osal_fence *f = calloc(1, sizeof(*f));
	int sv[2];

	if (!f)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		int err = -errno;

		free(f);
		return err;
	}
	/* Userspace may wait on the fd but must not signal through it. */
	shutdown(sv[0], SHUT_WR);
	pthread_mutex_init(&f->lock, NULL);
	f->fd = sv[0];
	f->signal_fd = sv[1];
	*out = f;
	return 0;
}

void rnpu_osal_fence_signal(struct rnpu_osal_fence *f, int status)
{
	struct {
		int32_t status;
		uint32_t zero;
		uint64_t timestamp_ns;
	} rec = { .status = status };
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	rec.timestamp_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	pthread_mutex_lock(&f->lock);
	if (f->signal_fd >= 0) {
		/* 16 bytes into an empty socket buffer: never short, never blocks. */
		(void)!write(f->signal_fd, &rec, sizeof(rec));
		close(f->signal_fd);
		f->signal_fd = -1;
	}
	pthread_mutex_unlock(&f->lock);
}

int rnpu_osal_fence_export_fd(struct rnpu_osal_fence *f, int *fd)
{
	int n = fcntl(f->fd, F_DUPFD_CLOEXEC, 0);

	if (n < 0)
		return -errno;
	*fd = n;
	return 0;
}

int rnpu_osal_fence_import_fd(int fd, struct rnpu_osal_fence **out)
{
	struct rnpu_osal_fence *f;
	int type = 0, domain = 0;
	socklen_t len = sizeof(type);

	if (fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM)
		return -EINVAL;
	len = sizeof(domain);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 || domain != AF_UNIX)
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (f->fd < 0) {
		int err = -errno;

		free(f);
		return err;
	}
	f->signal_fd = -1; /* somebody else's fence: we only wait on it */
	pthread_mutex_init(&f->lock, NULL);
	*out = f;
	return 0;
}

int rnpu_posix_fence_fd_wait(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int32_t st;
	ssize_t n;
	int r;

	do {
		r = poll(&p, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	n = recv(fd, &st, sizeof(st), MSG_PEEK | MSG_DONTWAIT);
	if (n == (ssize_t)sizeof(st))
		return st;
	/* Closed without a status: its producer went away. */
	return -ECANCELED;
}

int rnpu_osal_fence_wait(struct rnpu_osal_fence *f, unsigned int timeout_ms)
{
	return rnpu_posix_fence_fd_wait(f->fd, timeout_ms > INT32_MAX ? INT32_MAX : (int)timeout_ms);
}

void rnpu_osal_fence_put(struct rnpu_osal_fence *f)
{
	if (!f)
		return;
	/* An unsignalled fence dropped by its producer reads as cancelled. */
	if (f->signal_fd >= 0)
		close(f->signal_fd);
	close(f->fd);
	pthread_mutex_destroy(&f->lock);
	free(f);
}
