// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* librnpu blocking submit over RKNPU_SUBMIT. */
#include <errno.h>
#include <string.h>

#include "rnpu_internal.h"

int rnpu_submit(struct rnpu_dev *dev, struct rnpu_submit_req *req)
{
	struct rknpu_submit s;
	unsigned int i;
	int ret;

	if (!req->task_bo || req->task_count == 0)
		return rnpu_set_error(dev, -EINVAL, "submit needs a task buffer and a task count");
	memset(&s, 0, sizeof(s));
	s.flags = RKNPU_JOB_PC | (req->pingpong ? RKNPU_JOB_PINGPONG : 0);
	s.timeout = req->timeout_ms ? req->timeout_ms : RNPU_DEFAULT_TIMEOUT_MS;
	s.task_start = req->task_start;
	s.task_number = req->task_count;
	s.task_obj_addr = req->task_bo->obj_addr;
	s.core_mask = req->core_mask;
	s.fence_fd = -1;
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
	req->hw_elapse_ns = s.hw_elapse_time;
	req->core_mask_used = s.core_mask;
	return 0;
}
