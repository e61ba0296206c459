// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Sync-file ioctls on the fence fds of the vendor UAPI, as a program
 * written for the kernel driver issues them, under rnpu-run (in process)
 * and rnpu-run --daemon (fences made in rnpud). Layouts and errnos are
 * Linux's (include/uapi/linux/sync_file.h, drivers/dma-buf/sync_file.c;
 * docs/uapi.md); results of the jobs are checked against a CPU matmul.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "drm/rknpu_ioctl.h"
#include "rnpu/matmul_task.h"

/* Linux include/uapi/linux/sync_file.h, written out from its layout. */
struct sync_merge_data {
	char name[32];
	int32_t fd2;
	int32_t fence;
	uint32_t flags;
	uint32_t pad;
};

struct sync_fence_info {
	char obj_name[32];
	char driver_name[32];
	int32_t status;
	uint32_t flags;
	uint64_t timestamp_ns;
};

struct sync_file_info {
	char name[32];
	int32_t status;
	uint32_t flags;
	uint32_t num_fences;
	uint32_t pad;
	uint64_t sync_fence_info;
};

#define SYNC_IOC_MERGE _IOWR('>', 3, struct sync_merge_data)
#define SYNC_IOC_FILE_INFO _IOWR('>', 4, struct sync_file_info)

#define M 2
#define K 32
#define N 16
#define WAIT_MS 30000
/* The job that never raises the interrupt it waits for times out after
 * this; the job queued behind it stays pending at least that long. */
#define HANG_TIMEOUT_MS 3000

struct bo {
	uint32_t handle;
	uint64_t obj_addr, dma_addr, size;
	void *map;
};

struct ctx {
	int fd;
	struct bo a, b, c, regs, task;
	int8_t av[M * K], bv[K * N];
	struct rknpu_task good;
};

static void bo_create(int fd, uint64_t size, uint32_t flags, struct bo *bo)
{
	struct rknpu_mem_create mc = { .flags = flags, .size = size };
	struct rknpu_mem_map mm = { 0 };

	assert_int_equal(ioctl(fd, DRM_IOCTL_RKNPU_MEM_CREATE, &mc), 0);
	mm.handle = mc.handle;
	assert_int_equal(ioctl(fd, DRM_IOCTL_RKNPU_MEM_MAP, &mm), 0);
	bo->handle = mc.handle;
	bo->obj_addr = mc.obj_addr;
	bo->dma_addr = mc.dma_addr;
	bo->size = mc.size;
	bo->map = mmap(NULL, mc.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)mm.offset);
	assert_true(bo->map != MAP_FAILED);
}

static void bo_destroy(int fd, struct bo *bo)
{
	struct rknpu_mem_destroy md = { .handle = bo->handle };

	munmap(bo->map, bo->size);
	assert_int_equal(ioctl(fd, DRM_IOCTL_RKNPU_MEM_DESTROY, &md), 0);
}

static int setup(void **state)
{
	struct rnpu_matmul_desc d = { .type = RNPU_MM_INT8_INT32, .m = M, .k = K, .n = N };
	struct rnpu_regcmd_prog prog;
	char err[RNPU_REGCMD_MSG_LEN];
	struct ctx *c = calloc(1, sizeof(*c));
	int i;

	assert_non_null(c);
	c->fd = open("/dev/dri/card1", O_RDWR | O_CLOEXEC);
	assert_true(c->fd >= 0);
	for (i = 0; i < M * K; i++)
		c->av[i] = (int8_t)(i * 7 % 23 - 11);
	for (i = 0; i < K * N; i++)
		c->bv[i] = (int8_t)(i * 5 % 19 - 9);
	rnpu_regcmd_init(&prog);
	assert_int_equal(rnpu_matmul_build(&d, 0, &prog, err, sizeof(err)), 0);
	bo_create(c->fd, prog.nwords * 8, 0, &c->regs);
	rnpu_regcmd_fini(&prog);
	bo_create(c->fd, rnpu_matmul_a_size(d.type, M, K, N), 0, &c->a);
	bo_create(c->fd, rnpu_matmul_b_size(d.type, M, K, N), 0, &c->b);
	bo_create(c->fd, rnpu_matmul_c_size(d.type, M, K, N), 0, &c->c);
	d.a_dma = c->a.dma_addr;
	d.b_dma = c->b.dma_addr;
	d.c_dma = c->c.dma_addr;
	rnpu_regcmd_init(&prog);
	assert_int_equal(rnpu_matmul_build(&d, c->regs.dma_addr, &prog, err, sizeof(err)), 0);
	assert_int_equal(prog.ntasks, 1);
	memcpy(c->regs.map, prog.words, prog.nwords * 8);
	c->good.enable_mask = prog.tasks[0].enable_mask;
	c->good.int_mask = prog.tasks[0].int_mask;
	c->good.int_clear = RKNPU_INT_CLEAR;
	c->good.regcfg_amount = prog.tasks[0].body_words;
	c->good.regcmd_addr = c->regs.dma_addr;
	rnpu_regcmd_fini(&prog);
	/* Two task slots: [0] the real task, [1] one waiting for an
	 * interrupt bit the program never raises. */
	bo_create(c->fd, 2 * sizeof(struct rknpu_task), RKNPU_MEM_KERNEL_MAPPING, &c->task);
	memcpy(c->task.map, &c->good, sizeof(c->good));
	{
		struct rknpu_task hang = c->good;

		for (i = 0; i < 32 && (hang.int_mask & (1u << i)); i++)
			;
		hang.int_mask |= 1u << i;
		memcpy((uint8_t *)c->task.map + sizeof(hang), &hang, sizeof(hang));
	}
	assert_int_equal(rnpu_matmul_pack_a(d.type, M, K, c->av, c->a.map), 0);
	assert_int_equal(rnpu_matmul_pack_b(d.type, K, N, c->bv, c->b.map), 0);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	bo_destroy(c->fd, &c->task);
	bo_destroy(c->fd, &c->regs);
	bo_destroy(c->fd, &c->c);
	bo_destroy(c->fd, &c->b);
	bo_destroy(c->fd, &c->a);
	close(c->fd);
	free(c);
	return 0;
}

/* A NONBLOCK job with a fence out; @hang picks the task that never ends.
 * With @fence_in, the job waits for that fence first. */
static int submit(struct ctx *c, bool hang, uint32_t timeout_ms, int fence_in, int *fence_out)
{
	struct rknpu_submit s;

	memset(&s, 0, sizeof(s));
	s.flags = RKNPU_JOB_PC | RKNPU_JOB_NONBLOCK | RKNPU_JOB_FENCE_OUT |
		  (fence_in >= 0 ? RKNPU_JOB_FENCE_IN : 0);
	s.timeout = timeout_ms;
	s.task_number = 1;
	s.task_obj_addr = c->task.obj_addr;
	s.core_mask = RKNPU_CORE0_MASK;
	s.fence_fd = fence_in;
	s.subcore_task[0].task_start = hang ? 1 : 0;
	s.subcore_task[0].task_number = 1;
	if (ioctl(c->fd, DRM_IOCTL_RKNPU_SUBMIT, &s) < 0)
		return -errno;
	*fence_out = s.fence_fd;
	return 0;
}

static void check_result(struct ctx *c)
{
	int32_t out[M * N];

	assert_int_equal(rnpu_matmul_unpack_c(RNPU_MM_INT8_INT32, M, N, c->c.map, out), 0);
	for (int m = 0; m < M; m++)
		for (int n = 0; n < N; n++) {
			int32_t want = 0;

			for (int k = 0; k < K; k++)
				want += (int32_t)c->av[m * K + k] * c->bv[k * N + n];
			assert_int_equal(out[m * N + n], want);
		}
}

static bool readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

/* SYNC_IOC_FILE_INFO without fence details: the status; checks that the
 * name is left alone and one fence is reported. */
static int32_t status_of(int fence)
{
	struct sync_file_info info;

	memset(&info, 0, sizeof(info));
	memset(info.name, 'n', sizeof(info.name));
	assert_int_equal(ioctl(fence, SYNC_IOC_FILE_INFO, &info), 0);
	for (size_t i = 0; i < sizeof(info.name); i++)
		assert_int_equal(info.name[i], 'n');
	assert_int_equal(info.num_fences, 1);
	return info.status;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A finished job's fence: status 1; with fence details, the fence's own
 * status, flags 0 and a signal time between submit and now; names left
 * alone. */
static void signalled_fence(void **state)
{
	struct ctx *c = *state;
	struct sync_fence_info fi;
	struct sync_file_info info;
	uint64_t before = now_ns();
	int fence;

	memset(c->c.map, 0x5a, c->c.size);
	assert_int_equal(submit(c, false, 6000, -1, &fence), 0);
	assert_true(readable(fence, WAIT_MS));
	check_result(c);
	assert_int_equal(status_of(fence), 1);

	memset(&info, 0, sizeof(info));
	memset(&fi, 'o', sizeof(fi));
	info.num_fences = 1;
	info.sync_fence_info = (uint64_t)(uintptr_t)&fi;
	assert_int_equal(ioctl(fence, SYNC_IOC_FILE_INFO, &info), 0);
	assert_int_equal(info.status, 1);
	assert_int_equal(info.num_fences, 1);
	assert_int_equal(fi.status, 1);
	assert_int_equal(fi.flags, 0);
	assert_true(fi.timestamp_ns >= before && fi.timestamp_ns <= now_ns());
	for (size_t i = 0; i < sizeof(fi.obj_name); i++)
		assert_int_equal(fi.obj_name[i], 'o');
	/* Asking for more entries than there are is fine. */
	{
		struct sync_fence_info two[2];

		memset(two, 0, sizeof(two));
		info.num_fences = 2;
		info.sync_fence_info = (uint64_t)(uintptr_t)two;
		assert_int_equal(ioctl(fence, SYNC_IOC_FILE_INFO, &info), 0);
		assert_int_equal(info.num_fences, 1);
		assert_int_equal(two[0].status, 1);
		assert_int_equal(two[1].status, 0);
	}
	close(fence);
}

/* A job queued behind one that never finishes: pending (status 0,
 * timestamp 0) until the first times out. The hung job's fence ends with
 * -ETIMEDOUT. A merge of a finished fence and a pending one stays pending
 * until both have signalled; a merge with the failed one carries the
 * error. A merged fence is close-on-exec and works as FENCE_IN. */
static void pending_error_and_merge(void **state)
{
	struct ctx *c = *state;
	struct sync_merge_data md;
	struct sync_fence_info fi;
	struct sync_file_info info;
	int done, hung, queued, both_ok, with_error, after;

	memset(c->c.map, 0x5a, c->c.size);
	assert_int_equal(submit(c, false, 6000, -1, &done), 0);
	assert_true(readable(done, WAIT_MS));
	assert_int_equal(submit(c, true, HANG_TIMEOUT_MS, -1, &hung), 0);
	assert_int_equal(submit(c, false, 6000, -1, &queued), 0);

	/* Both wait for the hung job's timeout. */
	assert_false(readable(queued, 0));
	assert_int_equal(status_of(queued), 0);
	assert_int_equal(status_of(hung), 0);
	memset(&info, 0, sizeof(info));
	memset(&fi, 0x7f, sizeof(fi));
	info.num_fences = 1;
	info.sync_fence_info = (uint64_t)(uintptr_t)&fi;
	assert_int_equal(ioctl(queued, SYNC_IOC_FILE_INFO, &info), 0);
	assert_int_equal(info.status, 0);
	assert_int_equal(fi.status, 0);
	assert_int_equal(fi.timestamp_ns, 0);

	memset(&md, 0, sizeof(md));
	md.fd2 = queued;
	md.fence = -1;
	assert_int_equal(ioctl(done, SYNC_IOC_MERGE, &md), 0);
	both_ok = md.fence;
	assert_true(both_ok >= 0 && both_ok != done && both_ok != queued);
	assert_int_equal(fcntl(both_ok, F_GETFD), FD_CLOEXEC);
	memset(&md, 0, sizeof(md));
	md.fd2 = hung;
	assert_int_equal(ioctl(both_ok, SYNC_IOC_MERGE, &md), 0);
	with_error = md.fence;
	assert_true(with_error >= 0);
	/* One input signalled, the other not: still pending. */
	assert_int_equal(status_of(both_ok), 0);
	assert_false(readable(both_ok, 0));
	assert_int_equal(status_of(with_error), 0);

	/* The merge signals once both inputs have. */
	assert_true(readable(both_ok, WAIT_MS));
	assert_true(readable(queued, 0));
	assert_int_equal(status_of(queued), 1);
	assert_int_equal(status_of(both_ok), 1);
	check_result(c);
	assert_true(readable(with_error, WAIT_MS));
	assert_int_equal(status_of(hung), -ETIMEDOUT);
	assert_int_equal(status_of(with_error), -ETIMEDOUT);

	/* A merged fence is a fence to the driver too (through rnpud it
	 * travels as an fd). */
	memset(c->c.map, 0x5a, c->c.size);
	assert_int_equal(submit(c, false, 6000, both_ok, &after), 0);
	assert_true(readable(after, WAIT_MS));
	assert_int_equal(status_of(after), 1);
	check_result(c);
	close(after);
	assert_int_equal(submit(c, false, 6000, with_error, &after), -ETIMEDOUT);

	close(with_error);
	close(both_ok);
	close(queued);
	close(hung);
	close(done);
}

/* Wrong arguments: the kernel's errnos. */
static void wrong_arguments(void **state)
{
	struct ctx *c = *state;
	struct sync_merge_data md;
	struct sync_file_info info;
	int fence, p[2], closed;

	assert_int_equal(submit(c, false, 6000, -1, &fence), 0);
	assert_true(readable(fence, WAIT_MS));

	memset(&info, 0, sizeof(info));
	info.flags = 1;
	assert_int_equal(ioctl(fence, SYNC_IOC_FILE_INFO, &info), -1);
	assert_int_equal(errno, EINVAL);
	memset(&info, 0, sizeof(info));
	info.pad = 1;
	assert_int_equal(ioctl(fence, SYNC_IOC_FILE_INFO, &info), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ioctl(fence, SYNC_IOC_FILE_INFO, NULL), -1);
	assert_int_equal(errno, EFAULT);
	memset(&info, 0, sizeof(info));
	info.num_fences = 1;
	info.sync_fence_info = 0;
	assert_int_equal(ioctl(fence, SYNC_IOC_FILE_INFO, &info), -1);
	assert_int_equal(errno, EFAULT);

	assert_int_equal(pipe(p), 0);
	closed = dup(p[0]);
	close(closed);
	memset(&md, 0, sizeof(md));
	md.fd2 = fence;
	md.flags = 1;
	assert_int_equal(ioctl(fence, SYNC_IOC_MERGE, &md), -1);
	assert_int_equal(errno, EINVAL);
	md.flags = 0;
	md.pad = 1;
	assert_int_equal(ioctl(fence, SYNC_IOC_MERGE, &md), -1);
	assert_int_equal(errno, EINVAL);
	md.pad = 0;
	md.fd2 = p[0]; /* not a fence */
	assert_int_equal(ioctl(fence, SYNC_IOC_MERGE, &md), -1);
	assert_int_equal(errno, ENOENT);
	md.fd2 = -1;
	assert_int_equal(ioctl(fence, SYNC_IOC_MERGE, &md), -1);
	assert_int_equal(errno, ENOENT);
	md.fd2 = closed;
	assert_int_equal(ioctl(fence, SYNC_IOC_MERGE, &md), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(ioctl(fence, SYNC_IOC_MERGE, NULL), -1);
	assert_int_equal(errno, EFAULT);
	/* Another command of the sync type: the sync file does not know it. */
	assert_int_equal(ioctl(fence, _IOWR('>', 9, struct sync_file_info), &info), -1);
	assert_int_equal(errno, ENOTTY);
	/* A pipe is no sync file: the kernel's answer, untouched. */
	memset(&info, 0, sizeof(info));
	assert_int_equal(ioctl(p[0], SYNC_IOC_FILE_INFO, &info), -1);
	assert_int_equal(errno, ENOTTY);
	close(p[0]);
	close(p[1]);
	close(fence);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signalled_fence),
		cmocka_unit_test(pending_error_and_merge),
		cmocka_unit_test(wrong_arguments),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
