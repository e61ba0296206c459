// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * A live rnpu host in a known state for the rnpu-top test: files
 * exported (RNPU_EXPORT_DIR), model clock, 800 MHz, powered, core 0 busy
 * for 380 ms of the last window (a job held on the core). Prints "ready"
 * once the files show that state, and ends when stdin closes (or after
 * 60 s), releasing everything.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drm/rknpu_ioctl.h"
#include "rk3588_sim.h"
#include "rknpu_device.h"
#include "rnpu/matmul_job.h"
#include "rnpu/rnpu.h"
#include "rnpu_host.h"

static int fail(const char *what)
{
	fprintf(stderr, "live_host: %s\n", what);
	return 1;
}

int main(void)
{
	struct rnpu_submit_req req = { .core_mask = RKNPU_CORE0_MASK, .timeout_ms = 60000 };
	struct pollfd pfd = { .fd = 0, .events = POLLIN };
	struct rnpu_matmul_job *job;
	struct rknpu_device *rdev;
	struct rnpu_host *host;
	struct rnpu_dev *dev;
	char buf[64];
	int fd, ret;

	if (!getenv("RNPU_EXPORT_DIR") || !getenv("RNPU_MODEL_CLOCK"))
		return fail("needs RNPU_EXPORT_DIR and RNPU_MODEL_CLOCK=1");
	if (rnpu_open("sim", &dev) || rnpu_host_get_default(&host))
		return fail("cannot open the software NPU");
	rdev = rnpu_host_device(host);
	if (rknpu_debugfs_store(rdev, "power", "on\n", 3) != 3 ||
	    rknpu_debugfs_store(rdev, "freq", "800000000\n", 10) != 10)
		return fail("cannot set power and frequency");
	if (rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, 8, 32, 16, 0, &job))
		return fail("cannot build a job");
	req.task_bo = job->task;
	req.task_count = job->num_tasks;
	if (rk3588_sim_inject_fault(rnpu_host_sim(host), 0, RK3588_SIM_FAULT_HANG, 1, 0) ||
	    rnpu_submit_async(dev, &req, &fd))
		return fail("cannot start the job");
	rnpu_host_load_tick(host);
	/* Held on core 0 (the hang) for 380 ms of model time. */
	for (int i = 0; i < 10000; i++) {
		struct rk3588_sim_core_stats st;

		rk3588_sim_get_stats(rnpu_host_sim(host), 0, &st);
		if (st.starts)
			break;
		usleep(1000);
	}
	rnpu_host_advance_clock(host, 380000000ull);
	rnpu_host_load_tick(host);
	rnpu_host_export_sync(host);
	printf("ready\n");
	fflush(stdout);

	while (poll(&pfd, 1, 60000) > 0 && read(0, buf, sizeof(buf)) > 0)
		;
	/* A reset takes the held job off the core. */
	rknpu_debugfs_store(rdev, "reset", "1\n", 2);
	ret = rnpu_fence_wait(fd, 10000);
	close(fd);
	rknpu_debugfs_store(rdev, "power", "off\n", 4);
	rnpu_matmul_job_destroy(job);
	rnpu_host_put_default(host);
	rnpu_close(dev);
	return ret == -EINVAL || ret == -ETIMEDOUT ? 0 : fail("the held job did not end");
}
