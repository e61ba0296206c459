// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * OS services on POSIX: fences. A fence's fd is the read end of a pipe of
 * one page (the mark that tells a fence from another pipe). Signalling
 * writes the status into the write end and closes it, so the fd turns
 * readable for poll() and stays so, and any process holding the fd reads
 * the status without consuming it — across fork and SCM_RIGHTS too, with
 * no registry. The status is the number of bytes in the pipe (FIONREAD):
 * 1 for success, 1 + e for -e; none (end of file only) if the producer
 * dropped the fence unsignalled. A pipe costs about half the syscall time
 * of a Unix socket pair, the fence's whole cost on the async submit path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "osal.h"
#include "osal_posix.h"

/* Largest errno a status carries (the kernel's MAX_ERRNO); 1 + it bytes
 * is PIPE_BUF, written at once into the empty pipe, never blocking. */
#define FENCE_MAX_ERRNO 4095

struct rnpu_osal_fence {
	pthread_mutex_t lock;   /* protects signal_fd */
	int fd;                 /* the end userspace waits on */
	int signal_fd;          /* the end we write the status into, -1 after */
};

static int fence_page_size(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return page > 0 ? (int)page : 4096;
}

int rnpu_osal_fence_create(struct rnpu_osal_fence **out)
{
	struct rnpu_osal_fence *f = calloc(1, sizeof(*f));
	int p[2], err;

	if (!f)
		return -ENOMEM;
	/* Userspace gets the read end only: it cannot signal. */
	if (pipe2(p, O_CLOEXEC) < 0) {
		err = -errno;
		goto err_free;
	}
	if (fcntl(p[0], F_SETPIPE_SZ, fence_page_size()) < 0) {
		err = -errno;
		close(p[0]);
		close(p[1]);
		goto err_free;
	}
	pthread_mutex_init(&f->lock, NULL);
	f->fd = p[0];
	f->signal_fd = p[1];
	*out = f;
	return 0;

err_free:
	free(f);
	return err;
}

void rnpu_osal_fence_signal(struct rnpu_osal_fence *f, int status)
{
	static const char zeros[1 + FENCE_MAX_ERRNO];
	size_t len = 1;

	if (status < 0)
		len += status >= -FENCE_MAX_ERRNO ? (size_t)-status : (size_t)EIO;
	pthread_mutex_lock(&f->lock);
	if (f->signal_fd >= 0) {
		/* At most PIPE_BUF bytes into an empty pipe of one page:
		 * written whole, never blocks. */
		(void)!write(f->signal_fd, zeros, len);
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
	struct stat st;
	int fl;

	fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -EBADF;
	/* A fence is the read end of a pipe of one page. */
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode) || (fl & O_ACCMODE) != O_RDONLY ||
	    fcntl(fd, F_GETPIPE_SZ) != fence_page_size())
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

static int fence_status(int fd)
{
	int n = 0;

	if (ioctl(fd, FIONREAD, &n) < 0)
		return -errno;
	/* Closed without a status: its producer went away. */
	if (n <= 0)
		return -ECANCELED;
	return n == 1 ? 0 : -(n - 1);
}

int rnpu_posix_fence_fd_wait(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	do {
		r = poll(&p, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	return fence_status(fd);
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
