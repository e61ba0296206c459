// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* librnpu blocking submit over RKNPU_SUBMIT. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>

#include "osal_posix.h"
#include "rnpu_internal.h"

static int submit(struct rnpu_dev *dev, struct rnpu_submit_req *req, uint32_t extra_flags,
		  int *fence_fd)
{
	struct rknpu_submit s;
	unsigned int i;
	int ret;

	if (!req->task_bo || req->task_count == 0)
		return rnpu_set_error(dev, -EINVAL, "submit needs a task buffer and a task count");
	memset(&s, 0, sizeof(s));
	s.flags = RKNPU_JOB_PC | (req->pingpong ? RKNPU_JOB_PINGPONG : 0) | extra_flags;
	s.timeout = req->timeout_ms ? req->timeout_ms : RNPU_DEFAULT_TIMEOUT_MS;
	s.task_start = req->task_start;
	s.task_number = req->task_count;
	s.task_obj_addr = req->task_bo->obj_addr;
	s.core_mask = req->core_mask;
	s.fence_fd = -1;
	if (req->wait_fence) {
		s.flags |= RKNPU_JOB_FENCE_IN;
		s.fence_fd = req->wait_fence_fd;
	}
	if (req->core_mask == RKNPU_CORE_AUTO_MASK || (req->core_mask & (req->core_mask - 1)) == 0) {
		/* One core: the driver reads the slot of whichever core runs
		 * it, so every per-core slot names the same range. */
		for (i = 0; i < 3; i++) {
			s.subcore_task[i].task_start = req->task_start;
			s.subcore_task[i].task_number = req->task_count;
		}
	} else {
		/* Several cores: slots 0..1 for two cores, 2..4 for three. */
		unsigned int base = req->core_mask == 0x7 ? 2 : 0;

		for (i = 0; i < 3; i++)
			s.subcore_task[base + i] = req->core_tasks[i];
	}
	ret = rnpu_ioctl(dev, DRM_IOCTL_RKNPU_SUBMIT, &s);
	req->task_counter = s.task_counter;
	if (ret)
		return rnpu_set_error(dev, ret,
				      "SUBMIT of %u tasks on core mask 0x%x: %s (task counter %u)",
				      req->task_count, req->core_mask, strerror(-ret),
				      s.task_counter);
	if (fence_fd)
		*fence_fd = s.fence_fd;
	if (extra_flags & RKNPU_JOB_NONBLOCK)
		return 0; /* the job has not run yet: nothing more to report */
	req->hw_elapse_ns = s.hw_elapse_time;
	req->core_mask_used = s.core_mask;
	return 0;
}

int rnpu_submit(struct rnpu_dev *dev, struct rnpu_submit_req *req)
{
	return submit(dev, req, 0, NULL);
}

int rnpu_submit_async(struct rnpu_dev *dev, struct rnpu_submit_req *req, int *fence_fd)
{
	return submit(dev, req, RKNPU_JOB_NONBLOCK | RKNPU_JOB_FENCE_OUT, fence_fd);
}

/* The kernel's sync_file status query (linux/sync_file.h layout). */
struct rnpu_sync_file_info {
	char name[32];
	int32_t status;   /* 1 signalled, 0 active, < 0 error */
	uint32_t flags;
	uint32_t num_fences;
	uint32_t pad;
	uint64_t sync_fence_info;
};
#define RNPU_SYNC_IOC_FILE_INFO _IOWR('>', 4, struct rnpu_sync_file_info)

int rnpu_fence_wait(int fence_fd, int timeout_ms)
{
	struct pollfd p = { .fd = fence_fd, .events = POLLIN };
	struct rnpu_sync_file_info info;
	int r, n = 0;

	/* rnpu's userspace fences (osal_posix.h) tell their status by the
	 * bytes waiting in them: a signalled one answers at once, without the
	 * poll() its caller has usually just done. A kernel sync_file has no
	 * FIONREAD (ENOTTY or EINVAL). */
	r = rnpu_posix_fence_fd_status(fence_fd, &n, NULL);
	if (!r && n != RNPU_POSIX_FENCE_PENDING)
		return n;
	if (r && r != -ENOTTY && r != -EINVAL)
		return r;
	do {
		r = poll(&p, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -EAGAIN;
	if (p.revents & POLLNVAL)
		return -EBADF;
	r = rnpu_posix_fence_fd_status(fence_fd, &n, NULL);
	if (!r)
		return n == RNPU_POSIX_FENCE_PENDING ? -EAGAIN : n;
	if (r != -ENOTTY && r != -EINVAL)
		return r;
	/* A kernel sync_file. */
	memset(&info, 0, sizeof(info));
	if (ioctl(fence_fd, RNPU_SYNC_IOC_FILE_INFO, &info) < 0)
		return -errno;
	return info.status < 0 ? info.status : 0;
}
