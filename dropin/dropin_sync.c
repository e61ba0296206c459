// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Sync-file ioctls on rnpu fences. An rnpu fence fd is the read end of a
 * one-page pipe (osal/posix/osal_posix_fence.c): it turns readable when
 * the job ends, and its record (status, CLOCK_MONOTONIC signal time) can
 * be read by any holder without consuming it, in this process or after
 * SCM_RIGHTS from rnpud, so the ioctls need no state: FILE_INFO reads the
 * record, MERGE makes a new fence that a thread signals once both inputs
 * have.
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
#include <time.h>
#include <unistd.h>

#include "dropin_sync.h"
#include "osal_posix.h"

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

bool dropin_sync_request(unsigned long request)
{
	return _IOC_TYPE(request) == SYNC_IOC_MAGIC;
}

static bool is_fence(int fd)
{
	return rnpu_posix_fence_fd_is_fence(fd);
}

/* The fence's state without consuming its record: status (0, 1 or a
 * negative errno) and the signal time (0 while pending). */
static void fence_state(int fd, int32_t *status, uint64_t *timestamp_ns)
{
	int st;

	if (rnpu_posix_fence_fd_status(fd, &st, timestamp_ns))
		st = -EBADF; /* is_fence() said it was one */
	*status = st == RNPU_POSIX_FENCE_PENDING ? 0 : st == 0 ? 1 : st;
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
	int32_t first_error = 0;
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
		if (status < 0 && first_error == 0)
			first_error = status;
	}
	/* Signalled now, just after the later input: its own signal time. */
	rnpu_posix_fence_fd_signal(m->signal_fd, timed_out ? -ETIMEDOUT : first_error);
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
	int wait_fd, ret;

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
	ret = rnpu_posix_fence_fd_pair(&wait_fd, &m->signal_fd);
	if (ret) {
		free(m);
		return ret;
	}
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
		close(wait_fd);
		close(m->signal_fd);
		free(m);
		return ret;
	}
	data.fence = wait_fd;
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
