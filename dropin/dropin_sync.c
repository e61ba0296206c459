// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Sync-file ioctls on rnpu fences. An rnpu fence fd is one end of an
 * unnamed Unix stream socket pair (osal/posix/osal_posix_fence.c): it
 * turns readable when the job ends, and a 16-byte record waits in it
 * (s32 status, 4 zero bytes, u64 CLOCK_MONOTONIC signal time in ns). Any
 * holder can peek at the record, in this process or after SCM_RIGHTS from
 * rnpud, so the ioctls need no state: FILE_INFO peeks, MERGE makes a new
 * pair whose record a thread writes once both inputs have theirs.
 *
 * Status as Linux's dma_fence_get_status(): 0 pending, 1 signalled
 * without error, a negative errno signalled with an error. A fence whose
 * producer went away without a record reads as -ECANCELED, as waits do.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dropin_sync.h"

/* Linux include/uapi/linux/sync_file.h (docs/uapi.md). */
struct dropin_sync_merge_data {
	char name[32];
	int32_t fd2;
	int32_t fence;
	uint32_t flags;
	uint32_t pad;
};

struct dropin_sync_fence_info {
	char obj_name[32];
	char driver_name[32];
	int32_t status;
	uint32_t flags;
	uint64_t timestamp_ns;
};

struct dropin_sync_file_info {
	char name[32];
	int32_t status;
	uint32_t flags;
	uint32_t num_fences;
	uint32_t pad;
	uint64_t sync_fence_info;
};

struct dropin_sync_set_deadline {
	uint64_t deadline_ns;
	uint64_t pad;
};

#define SYNC_IOC_MAGIC '>'
#define SYNC_IOC_MERGE _IOWR(SYNC_IOC_MAGIC, 3, struct dropin_sync_merge_data)
#define SYNC_IOC_FILE_INFO _IOWR(SYNC_IOC_MAGIC, 4, struct dropin_sync_file_info)
#define SYNC_IOC_SET_DEADLINE _IOW(SYNC_IOC_MAGIC, 5, struct dropin_sync_set_deadline)

_Static_assert(sizeof(struct dropin_sync_merge_data) == 48, "sync_merge_data");
_Static_assert(sizeof(struct dropin_sync_fence_info) == 80, "sync_fence_info");
_Static_assert(sizeof(struct dropin_sync_file_info) == 56, "sync_file_info");

/* A merged fence waits for its inputs at most as long as a job of the
 * longest timeout rnpu accepts (600 s) can keep its fence pending: the
 * FENCE_IN wait and three job waits, plus the reset. Then it signals
 * -ETIMEDOUT. */
#define SYNC_MERGE_MAX_WAIT_MS (4 * 600000 + 2000)

/* Pointers the kernel would fault on; others are trusted, as everywhere
 * in this library. */
#define SYNC_BAD_POINTER(p) ((uintptr_t)(p) < 4096)

/* Refused arguments are logged with the field and its value. */
#define sync_refuse(err, ...) (fprintf(stderr, "rnpu-run: " __VA_ARGS__), (err))

struct fence_record {
	int32_t status;
	uint32_t zero;
	uint64_t timestamp_ns;
};

bool dropin_sync_request(unsigned long request)
{
	return _IOC_TYPE(request) == SYNC_IOC_MAGIC;
}

static bool unnamed(int fd, int (*get)(int, struct sockaddr *, socklen_t *))
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);

	if (get(fd, (struct sockaddr *)&sa, &len) < 0)
		return errno == ENOTCONN; /* a peer that went away */
	return len <= sizeof(sa.sun_family);
}

/* An unnamed AF_UNIX stream socket with an unnamed peer: what rnpu's
 * fences are (a connection to a listening socket has a named end). */
static bool is_fence(int fd)
{
	int type = 0, domain = 0;
	socklen_t len = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM)
		return false;
	len = sizeof(domain);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 || domain != AF_UNIX)
		return false;
	return unnamed(fd, getsockname) && unnamed(fd, getpeername);
}

/* The fence's state without consuming its record: status (0, 1 or a
 * negative errno) and the signal time (0 while pending). */
static void fence_state(int fd, int32_t *status, uint64_t *timestamp_ns)
{
	struct fence_record rec = { 0 };
	ssize_t n;

	do {
		n = recv(fd, &rec, sizeof(rec), MSG_PEEK | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	*timestamp_ns = 0;
	if (n < 0) {
		*status = errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		return;
	}
	if (n < (ssize_t)sizeof(rec.status)) {
		*status = -ECANCELED; /* closed by its producer without a record */
		return;
	}
	*status = rec.status == 0 ? 1 : rec.status < 0 ? rec.status : -EPROTO;
	if (n == (ssize_t)sizeof(rec))
		*timestamp_ns = rec.timestamp_ns;
}

static int file_info(int fd, void *arg)
{
	struct dropin_sync_file_info info;
	struct dropin_sync_fence_info fi;
	int32_t status;
	uint64_t ts;

	if (SYNC_BAD_POINTER(arg))
		return -EFAULT;
	memcpy(&info, arg, sizeof(info));
	if (info.flags || info.pad)
		return sync_refuse(-EINVAL, "SYNC_IOC_FILE_INFO: flags %#x and pad %#x must be 0\n",
				   info.flags, info.pad);
	fence_state(fd, &status, &ts);
	/* One fence per fd: a merged fence reports itself, not its inputs. */
	if (info.num_fences) {
		uintptr_t dest = (uintptr_t)info.sync_fence_info;

		if (SYNC_BAD_POINTER(dest))
			return sync_refuse(-EFAULT, "SYNC_IOC_FILE_INFO: sync_fence_info %#llx is "
					   "no user pointer\n", (unsigned long long)dest);
		/* As Linux: the names are left alone, status, flags (0) and
		 * timestamp are written. */
		fi.status = status;
		fi.flags = 0;
		fi.timestamp_ns = ts;
		memcpy((void *)(dest + offsetof(struct dropin_sync_fence_info, status)), &fi.status,
		       sizeof(fi) - offsetof(struct dropin_sync_fence_info, status));
	}
	info.status = status;
	info.num_fences = 1;
	memcpy((uint8_t *)arg + offsetof(struct dropin_sync_file_info, status), &info.status,
	       sizeof(info) - offsetof(struct dropin_sync_file_info, status));
	return 0;
}

struct merge {
	int in[2];
	int signal_fd;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Waits for both inputs (bounded), then signals with the first error
 * among them, else success, stamped with the later signal time. */
static void *merge_main(void *arg)
{
	struct merge *m = arg;
	struct fence_record rec = { 0 };
	uint64_t deadline = now_ns() + SYNC_MERGE_MAX_WAIT_MS * 1000000ull;
	bool timed_out = false;
	int i;

	for (i = 0; i < 2; i++) {
		struct pollfd p = { .fd = m->in[i], .events = POLLIN };
		int32_t status;
		uint64_t ts, t;
		int r;

		for (;;) {
			t = now_ns();
			if (t >= deadline) {
				timed_out = true;
				break;
			}
			r = poll(&p, 1, (int)((deadline - t) / 1000000ull) + 1);
			if (r > 0 || (r < 0 && errno != EINTR))
				break;
		}
		if (timed_out)
			break;
		fence_state(m->in[i], &status, &ts);
		if (status < 0 && rec.status == 0)
			rec.status = status;
		if (ts > rec.timestamp_ns)
			rec.timestamp_ns = ts;
	}
	if (timed_out) {
		rec.status = -ETIMEDOUT;
		rec.timestamp_ns = now_ns();
	} else if (!rec.timestamp_ns) {
		rec.timestamp_ns = now_ns();
	}
	/* 16 bytes into an empty socket buffer: never short, never blocks. */
	(void)!write(m->signal_fd, &rec, sizeof(rec));
	close(m->signal_fd);
	close(m->in[0]);
	close(m->in[1]);
	free(m);
	return NULL;
}

static int merge(int fd, void *arg)
{
	struct dropin_sync_merge_data data;
	pthread_attr_t attr;
	pthread_t thread;
	struct merge *m;
	int sv[2], ret;

	if (SYNC_BAD_POINTER(arg))
		return -EFAULT;
	memcpy(&data, arg, sizeof(data));
	if (data.flags || data.pad)
		return sync_refuse(-EINVAL, "SYNC_IOC_MERGE: flags %#x and pad %#x must be 0\n",
				   data.flags, data.pad);
	if (data.fd2 < 0 || fcntl(data.fd2, F_GETFD) < 0 || !is_fence(data.fd2))
		return sync_refuse(-ENOENT, "SYNC_IOC_MERGE: fd2 %d is not a fence\n", data.fd2);
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->in[0] = m->in[1] = m->signal_fd = -1;
	/* The new fd is close-on-exec, as the kernel installs it. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		ret = -errno;
		free(m);
		return ret;
	}
	shutdown(sv[0], SHUT_WR); /* holders wait; only the thread signals */
	m->signal_fd = sv[1];
	m->in[0] = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	m->in[1] = fcntl(data.fd2, F_DUPFD_CLOEXEC, 0);
	ret = m->in[0] < 0 || m->in[1] < 0 ? -errno : 0;
	if (!ret && pthread_attr_init(&attr))
		ret = -ENOMEM;
	if (!ret) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&thread, &attr, merge_main, m))
			ret = -EAGAIN;
		pthread_attr_destroy(&attr);
	}
	if (ret) {
		if (m->in[0] >= 0)
			close(m->in[0]);
		if (m->in[1] >= 0)
			close(m->in[1]);
		close(sv[0]);
		close(sv[1]);
		free(m);
		return ret;
	}
	data.fence = sv[0];
	memcpy((uint8_t *)arg + offsetof(struct dropin_sync_merge_data, fence), &data.fence,
	       sizeof(data.fence));
	return 0;
}

int dropin_sync_ioctl(int fd, unsigned long request, void *arg)
{
	if (!dropin_sync_request(request) || !is_fence(fd))
		return DROPIN_SYNC_NOT_OURS;
	switch (request) {
	case SYNC_IOC_MERGE:
		return merge(fd, arg);
	case SYNC_IOC_FILE_INFO:
		return file_info(fd, arg);
	case SYNC_IOC_SET_DEADLINE: {
		struct dropin_sync_set_deadline dl;

		if (SYNC_BAD_POINTER(arg))
			return -EFAULT;
		memcpy(&dl, arg, sizeof(dl));
		/* A hint the software NPU has no use for. */
		return dl.pad ? sync_refuse(-EINVAL, "SYNC_IOC_SET_DEADLINE: pad %#llx must be 0\n",
					    (unsigned long long)dl.pad) : 0;
	}
	default:
		return -ENOTTY;
	}
}
