// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * OS services on POSIX: fences, and the format of userspace fence fds
 * that librnpu, rnpu-run and rnpud share (docs/uapi.md).
 *
 * A fence's fd is the read end of a pipe of one page (the mark that tells
 * a fence from another pipe). Signalling writes a record and closes the
 * write end, so the fd turns readable for poll() and stays so. The record
 * is 16 bytes (s32 status, 4 zero bytes, u64 CLOCK_MONOTONIC time of the
 * signal in ns: the sync-file timestamp), followed by e more bytes for a
 * status of -e. The byte count (FIONREAD) is therefore the status, read
 * by any holder without consuming anything — across fork and SCM_RIGHTS
 * too, with no registry; the timestamp is read through tee(), which does
 * not consume either. A pipe costs about half the syscall time of a Unix
 * socket pair, the fence's whole cost on the async submit path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "osal.h"
#include "osal_posix.h"

struct fence_record {
	int32_t status;
	uint32_t zero;
	uint64_t signal_ns;
};

/* Largest errno a record carries: record plus padding stay within
 * PIPE_BUF, so the one write into the empty pipe is whole and never
 * blocks. Larger ones (none exist) read as -EIO. */
#define FENCE_MAX_ERRNO (4096 - (int)sizeof(struct fence_record))

struct rnpu_osal_fence {
	pthread_mutex_t lock;   /* protects everything below but imported */
	pthread_cond_t cond;    /* signalled turned true */
	int fd;                 /* our wait end, -1 once dropped */
	int signal_fd;          /* the end we write the status into, -1 after */
	bool imported;          /* somebody else's: waited on through fd */
	bool exported;          /* an fd of the wait end went to a caller */
	bool signalled;         /* by rnpu_osal_fence_signal (not for imports) */
	int status;             /* valid once signalled */
	uint64_t signal_ns;     /* valid once signalled */
};

static int fence_page_size(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return page > 0 ? (int)page : 4096;
}

int rnpu_posix_fence_fd_pair(int *wait_fd, int *signal_fd)
{
	int p[2];

	/* The waiter gets the read end only: it cannot signal. */
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	if (fcntl(p[0], F_SETPIPE_SZ, fence_page_size()) < 0) {
		int err = -errno;

		close(p[0]);
		close(p[1]);
		return err;
	}
	*wait_fd = p[0];
	*signal_fd = p[1];
	return 0;
}

/* Writes the record of @status, stamped @signal_ns, and closes the end. */
static void fence_fd_signal_at(int signal_fd, int status, uint64_t signal_ns)
{
	static const char zeros[FENCE_MAX_ERRNO];
	struct fence_record rec = { .status = status, .signal_ns = signal_ns };
	struct iovec iov[2] = { { .iov_base = &rec, .iov_len = sizeof(rec) },
				{ .iov_base = (void *)zeros, .iov_len = 0 } };

	if (status < 0) {
		if (status < -FENCE_MAX_ERRNO)
			rec.status = -EIO;
		iov[1].iov_len = (size_t)-rec.status;
	} else {
		rec.status = 0;
	}
	/* At most PIPE_BUF bytes into an empty pipe of one page: written
	 * whole, never blocks. */
	(void)!writev(signal_fd, iov, 2);
	close(signal_fd);
}

void rnpu_posix_fence_fd_signal(int signal_fd, int status)
{
	fence_fd_signal_at(signal_fd, status, rnpu_posix_monotonic_ns());
}

bool rnpu_posix_fence_fd_is_fence(int fd)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);

	return fl >= 0 && (fl & O_ACCMODE) == O_RDONLY && fstat(fd, &st) == 0 &&
	       S_ISFIFO(st.st_mode) && fcntl(fd, F_GETPIPE_SZ) == fence_page_size();
}

/* The record's signal time, read through a scratch pipe by tee(). */
static uint64_t fence_signal_ns(int fd)
{
	struct fence_record rec = { 0 };
	int p[2];

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return 0;
	if (tee(fd, p[1], sizeof(rec), SPLICE_F_NONBLOCK) != (ssize_t)sizeof(rec) ||
	    read(p[0], &rec, sizeof(rec)) != (ssize_t)sizeof(rec))
		rec.signal_ns = 0;
	close(p[0]);
	close(p[1]);
	return rec.signal_ns;
}

int rnpu_posix_fence_fd_status(int fd, int *status, uint64_t *signal_ns)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = 0;

	if (signal_ns)
		*signal_ns = 0;
	if (ioctl(fd, FIONREAD, &n) < 0)
		return -errno;
	if (n == 0) {
		/* Pending, or closed without a record: its producer went away.
		 * Or signalled since FIONREAD: the count, read again after
		 * poll() said ready, tells (a record never leaves the pipe). */
		if (poll(&p, 1, 0) <= 0) {
			*status = RNPU_POSIX_FENCE_PENDING;
			return 0;
		}
		if (ioctl(fd, FIONREAD, &n) < 0)
			return -errno;
		if (n == 0) {
			*status = -ECANCELED;
			return 0;
		}
	}
	if (n < (int)sizeof(struct fence_record)) {
		*status = -EPROTO;
		return 0;
	}
	*status = n == (int)sizeof(struct fence_record) ? 0 : -(n - (int)sizeof(struct fence_record));
	if (signal_ns)
		*signal_ns = fence_signal_ns(fd);
	return 0;
}

/* Timed waits measure against CLOCK_MONOTONIC, immune to clock setting. */
static void fence_cond_init(struct rnpu_osal_fence *f)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&f->cond, &attr);
	pthread_condattr_destroy(&attr);
}

int rnpu_osal_fence_create(struct rnpu_osal_fence **out)
{
	struct rnpu_osal_fence *f = calloc(1, sizeof(*f));
	int ret;

	if (!f)
		return -ENOMEM;
	ret = rnpu_posix_fence_fd_pair(&f->fd, &f->signal_fd);
	if (ret) {
		free(f);
		return ret;
	}
	pthread_mutex_init(&f->lock, NULL);
	fence_cond_init(f);
	*out = f;
	return 0;
}

/* Once the record is written the core needs no wait end of its own (its
 * wait uses the condition): an exported fence drops it here, so the
 * pipe is torn down by its last waiter's close rather than by the next
 * submit that frees the job. Kept until the signal, it stops the write
 * from raising SIGPIPE in this process when every waiter has gone. */
void rnpu_osal_fence_signal(struct rnpu_osal_fence *f, int status)
{
	pthread_mutex_lock(&f->lock);
	if (f->signal_fd >= 0) {
		f->signal_ns = rnpu_posix_monotonic_ns();
		f->status = status < -FENCE_MAX_ERRNO ? -EIO : status < 0 ? status : 0;
		fence_fd_signal_at(f->signal_fd, status, f->signal_ns);
		f->signal_fd = -1;
		f->signalled = true;
		if (f->exported && f->fd >= 0) {
			close(f->fd);
			f->fd = -1;
		}
		pthread_cond_broadcast(&f->cond);
	}
	pthread_mutex_unlock(&f->lock);
}

/* A new fd of the wait end; after the wait end was dropped, a fresh pipe
 * carrying the same record. */
int rnpu_osal_fence_export_fd(struct rnpu_osal_fence *f, int *fd)
{
	int ret = 0, n = -1, signal_fd;

	pthread_mutex_lock(&f->lock);
	if (f->fd >= 0) {
		n = fcntl(f->fd, F_DUPFD_CLOEXEC, 0);
		if (n < 0)
			ret = -errno;
	} else {
		ret = rnpu_posix_fence_fd_pair(&n, &signal_fd);
		if (!ret)
			fence_fd_signal_at(signal_fd, f->status, f->signal_ns);
	}
	if (!ret) {
		f->exported = true;
		*fd = n;
	}
	pthread_mutex_unlock(&f->lock);
	return ret;
}

int rnpu_osal_fence_import_fd(int fd, struct rnpu_osal_fence **out)
{
	struct rnpu_osal_fence *f;

	if (fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	if (!rnpu_posix_fence_fd_is_fence(fd))
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
	f->imported = true;
	pthread_mutex_init(&f->lock, NULL);
	fence_cond_init(f);
	*out = f;
	return 0;
}

int rnpu_posix_fence_fd_wait(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r, st;

	do {
		r = poll(&p, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	if (rnpu_posix_fence_fd_status(fd, &st, NULL))
		return -EINVAL;
	return st == RNPU_POSIX_FENCE_PENDING ? -ETIMEDOUT : st;
}

/* An imported fence waits on its fd; one of ours on its condition, as it
 * drops its fd when signalled. */
int rnpu_osal_fence_wait(struct rnpu_osal_fence *f, unsigned int timeout_ms)
{
	struct timespec deadline;
	int ret = 0;

	if (f->imported)
		return rnpu_posix_fence_fd_wait(f->fd,
						timeout_ms > INT32_MAX ? INT32_MAX : (int)timeout_ms);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)(timeout_ms / 1000);
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&f->lock);
	while (!f->signalled && ret == 0)
		ret = pthread_cond_timedwait(&f->cond, &f->lock, &deadline);
	ret = f->signalled ? f->status : -ETIMEDOUT;
	pthread_mutex_unlock(&f->lock);
	return ret;
}

void rnpu_osal_fence_put(struct rnpu_osal_fence *f)
{
	if (!f)
		return;
	/* An unsignalled fence dropped by its producer reads as cancelled. */
	if (f->signal_fd >= 0)
		close(f->signal_fd);
	if (f->fd >= 0)
		close(f->fd);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	free(f);
}
