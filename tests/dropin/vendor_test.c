// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * A program written the way a vendor NPU runtime talks to the driver: raw
 * open/ioctl/mmap on /dev/dri/card1 and /dev/rknpu with the UAPI header,
 * no librnpu (only the register-program builder is linked). It is run
 * under rnpu-run, in process and through rnpud, and checks every result
 * against a plain CPU reference.
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
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "drm/rknpu_ioctl.h"
#include "drm/rnpu_drm_core.h"
#include "rnpu/matmul_task.h"
#include "rnpu_ref.h"
#include "sim_test_stream.h"

#define CARD "/dev/dri/card1"

struct bo {
	uint32_t handle;
	uint64_t obj_addr, dma_addr, size;
	void *map;
};

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) == 0 ? 0 : -errno;
}

static void bo_create(int fd, uint64_t size, uint32_t flags, struct bo *bo)
{
	struct rknpu_mem_create mc = { .flags = flags, .size = size };
	struct rknpu_mem_map mm = { 0 };

	assert_int_equal(xioctl(fd, DRM_IOCTL_RKNPU_MEM_CREATE, &mc), 0);
	mm.handle = mc.handle;
	assert_int_equal(xioctl(fd, DRM_IOCTL_RKNPU_MEM_MAP, &mm), 0);
	bo->handle = mc.handle;
	bo->obj_addr = mc.obj_addr;
	bo->dma_addr = mc.dma_addr;
	bo->size = mc.size;
	bo->map = mmap(NULL, mc.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)mm.offset);
	assert_ptr_not_equal(bo->map, MAP_FAILED);
}

static void bo_destroy(int fd, struct bo *bo)
{
	struct rknpu_mem_destroy md = { .handle = bo->handle, .obj_addr = bo->obj_addr };

	munmap(bo->map, bo->size);
	assert_int_equal(xioctl(fd, DRM_IOCTL_RKNPU_MEM_DESTROY, &md), 0);
}

static void sync_bo(int fd, struct bo *bo, uint32_t dir)
{
	struct rknpu_mem_sync ms = { .flags = dir, .obj_addr = bo->obj_addr, .size = bo->size };

	assert_int_equal(xioctl(fd, DRM_IOCTL_RKNPU_MEM_SYNC, &ms), 0);
}

static int open_card(void)
{
	int fd = open(CARD, O_RDWR | O_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

/* librknnrt's probe: VERSION twice (lengths, then strings), GET_UNIQUE. */
static void version_and_unique(void **state)
{
	struct rnpu_drm_version v;
	struct rnpu_drm_unique u;
	char name[32] = "", date[32] = "", desc[32] = "", uniq[32] = "";
	int fd = open_card();

	(void)state;
	memset(&v, 0, sizeof(v));
	assert_int_equal(xioctl(fd, RNPU_DRM_IOCTL_VERSION, &v), 0);
	assert_int_equal(v.name_len, 5);
	assert_int_equal(v.desc_len, 12);
	v.name = (uintptr_t)name;
	v.date = (uintptr_t)date;
	v.desc = (uintptr_t)desc;
	assert_int_equal(xioctl(fd, RNPU_DRM_IOCTL_VERSION, &v), 0);
	assert_string_equal(name, "rknpu");
	assert_string_equal(desc, "RKNPU driver");
	assert_string_equal(date, "20240828");
	assert_int_equal(v.version_major, 0);
	assert_int_equal(v.version_minor, 9);
	assert_int_equal(v.version_patchlevel, 8);
	/* A short buffer gets what fits and the full length. */
	memset(name, 0, sizeof(name));
	v.name_len = 3;
	assert_int_equal(xioctl(fd, RNPU_DRM_IOCTL_VERSION, &v), 0);
	assert_string_equal(name, "rkn");
	assert_int_equal(v.name_len, 5);

	memset(&u, 0, sizeof(u));
	assert_int_equal(xioctl(fd, RNPU_DRM_IOCTL_GET_UNIQUE, &u), 0);
	assert_int_equal(u.unique_len, 12);
	u.unique = (uintptr_t)uniq;
	assert_int_equal(xioctl(fd, RNPU_DRM_IOCTL_GET_UNIQUE, &u), 0);
	assert_string_equal(uniq, "fdab0000.npu");
	/* A bad pointer faults, it does not crash. */
	v.name = 16;
	v.name_len = 5;
	assert_int_equal(xioctl(fd, RNPU_DRM_IOCTL_VERSION, &v), -EFAULT);
	close(fd);
}

static void node_is_char_device(void **state)
{
	struct stat st;
	int fd = open_card();

	(void)state;
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(major(st.st_rdev), 226);
	assert_int_equal(minor(st.st_rdev), 1);
	assert_int_equal(stat("/dev/dri/renderD129", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(minor(st.st_rdev), 129);
	close(fd);
}

/* The 0.8.x runtime's 40-byte mem_create and the 0.9.x 48-byte one: both
 * allocate, and nothing past the caller's size is written. */
static void mem_create_40_and_48(void **state)
{
	uint8_t raw[64];
	struct rknpu_mem_create *mc = (void *)raw;
	struct rknpu_mem_destroy md;
	unsigned int i;
	int fd = open_card();

	(void)state;
	memset(raw, 0xa5, sizeof(raw));
	memset(mc, 0, RKNPU_MEM_CREATE_SIZE_V2);
	mc->size = 5000;
	assert_int_equal(xioctl(fd, DRM_IOCTL_RKNPU_MEM_CREATE_V2, mc), 0);
	assert_int_not_equal(mc->handle, 0);
	assert_int_equal(mc->size, 8192);
	assert_int_equal(mc->dma_addr % 4096, 0);
	assert_int_not_equal(mc->dma_addr, 0);
	for (i = RKNPU_MEM_CREATE_SIZE_V2; i < sizeof(raw); i++)
		assert_int_equal(raw[i], 0xa5);
	md = (struct rknpu_mem_destroy){ .handle = mc->handle };
	assert_int_equal(xioctl(fd, DRM_IOCTL_RKNPU_MEM_DESTROY, &md), 0);

	memset(raw, 0xa5, sizeof(raw));
	memset(mc, 0, sizeof(*mc));
	mc->size = 4096;
	mc->flags = RKNPU_MEM_ZEROING;
	assert_int_equal(xioctl(fd, DRM_IOCTL_RKNPU_MEM_CREATE, mc), 0);
	assert_int_equal(mc->size, 4096);
	for (i = sizeof(*mc); i < sizeof(raw); i++)
		assert_int_equal(raw[i], 0xa5);
	md = (struct rknpu_mem_destroy){ .handle = mc->handle };
	assert_int_equal(xioctl(fd, DRM_IOCTL_RKNPU_MEM_DESTROY, &md), 0);
	assert_int_equal(xioctl(fd, DRM_IOCTL_RKNPU_MEM_DESTROY, &md), -EINVAL);
	close(fd);
}

/* Runs C = A x B through raw ioctls; fills *c_native (caller frees). */
static void run_matmul(int fd, const struct rnpu_matmul_desc *shape, const void *a,
		       const void *b, void *c_rowmajor, int cmd_create_size)
{
	struct rnpu_matmul_desc d = *shape;
	struct rnpu_regcmd_prog prog;
	struct bo ba, bb, bc, breg, btask;
	struct rknpu_submit s;
	struct rknpu_task *tasks;
	char err[RNPU_REGCMD_MSG_LEN] = "";
	size_t i;

	(void)cmd_create_size;
	rnpu_regcmd_init(&prog);
	assert_int_equal(rnpu_matmul_build(&d, 0, &prog, err, sizeof(err)), 0);
	bo_create(fd, prog.nwords * 8, RKNPU_MEM_CACHEABLE, &breg);
	rnpu_regcmd_fini(&prog);
	bo_create(fd, rnpu_matmul_a_size(d.type, d.m, d.k, d.n), RKNPU_MEM_CACHEABLE, &ba);
	bo_create(fd, rnpu_matmul_b_size(d.type, d.m, d.k, d.n), RKNPU_MEM_CACHEABLE, &bb);
	bo_create(fd, rnpu_matmul_c_size(d.type, d.m, d.k, d.n), RKNPU_MEM_CACHEABLE, &bc);
	d.a_dma = ba.dma_addr;
	d.b_dma = bb.dma_addr;
	d.c_dma = bc.dma_addr;
	rnpu_regcmd_init(&prog);
	assert_int_equal(rnpu_matmul_build(&d, breg.dma_addr, &prog, err, sizeof(err)), 0);
	memcpy(breg.map, prog.words, prog.nwords * 8);
	bo_create(fd, prog.ntasks * sizeof(struct rknpu_task),
		  RKNPU_MEM_CACHEABLE | RKNPU_MEM_KERNEL_MAPPING, &btask);
	tasks = btask.map;
	for (i = 0; i < prog.ntasks; i++) {
		memset(&tasks[i], 0, sizeof(tasks[i]));
		tasks[i].op_idx = (uint32_t)i;
		tasks[i].enable_mask = prog.tasks[i].enable_mask;
		tasks[i].int_mask = prog.tasks[i].int_mask;
		tasks[i].int_clear = RKNPU_INT_CLEAR;
		tasks[i].regcfg_amount = prog.tasks[i].body_words;
		tasks[i].regcmd_addr = breg.dma_addr + (uint64_t)prog.tasks[i].word_offset * 8;
	}
	assert_int_equal(rnpu_matmul_pack_a(d.type, d.m, d.k, a, ba.map), 0);
	assert_int_equal(rnpu_matmul_pack_b(d.type, d.k, d.n, b, bb.map), 0);
	sync_bo(fd, &ba, RKNPU_MEM_SYNC_TO_DEVICE);
	sync_bo(fd, &bb, RKNPU_MEM_SYNC_TO_DEVICE);
	sync_bo(fd, &breg, RKNPU_MEM_SYNC_TO_DEVICE);
	sync_bo(fd, &btask, RKNPU_MEM_SYNC_TO_DEVICE);

	memset(&s, 0, sizeof(s));
	s.flags = RKNPU_JOB_PC;
	s.timeout = 6000;
	s.task_number = (uint32_t)prog.ntasks;
	s.task_obj_addr = btask.obj_addr;
	s.core_mask = RKNPU_CORE0_MASK;
	s.fence_fd = -1;
	for (i = 0; i < 3; i++)
		s.subcore_task[i].task_number = (uint32_t)prog.ntasks;
	assert_int_equal(xioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s), 0);
	assert_int_equal(s.task_counter, prog.ntasks);
	assert_true(s.hw_elapse_time > 0);
	sync_bo(fd, &bc, RKNPU_MEM_SYNC_FROM_DEVICE);
	assert_int_equal(rnpu_matmul_unpack_c(d.type, d.m, d.n, bc.map, c_rowmajor), 0);
	rnpu_regcmd_fini(&prog);
	bo_destroy(fd, &btask);
	bo_destroy(fd, &breg);
	bo_destroy(fd, &bc);
	bo_destroy(fd, &bb);
	bo_destroy(fd, &ba);
}

static void matmul_int8(void **state)
{
	enum { M = 48, K = 64, N = 32 };
	struct rnpu_matmul_desc d = { .type = RNPU_MM_INT8_INT32, .m = M, .k = K, .n = N };
	static int8_t a[M * K], b[K * N];
	static int32_t c[M * N], want[M * N];
	struct ref_rng r;
	int fd = open_card();

	(void)state;
	ref_rng_seed(&r, 42);
	ref_fill_i8(&r, a, M * K, -128, 127);
	ref_fill_i8(&r, b, K * N, -128, 127);
	ref_matmul_i8_i32(M, K, N, a, b, want);
	run_matmul(fd, &d, a, b, c, 48);
	assert_memory_equal(c, want, sizeof(c));
	close(fd);
}

static void matmul_fp16(void **state)
{
	enum { M = 16, K = 32, N = 16 };
	struct rnpu_matmul_desc d = { .type = RNPU_MM_FP16_FP32, .m = M, .k = K, .n = N };
	static uint16_t a[M * K], b[K * N];
	static float c[M * N], want[M * N], absdot[M * N];
	struct ref_rng r;
	unsigned int i;
	int fd = open_card();

	(void)state;
	ref_rng_seed(&r, 7);
	ref_fill_f16(&r, a, M * K, -4, 1);
	ref_fill_f16(&r, b, K * N, -4, 1);
	ref_matmul_f16_f32(M, K, N, a, b, want, absdot);
	run_matmul(fd, &d, a, b, c, 48);
	for (i = 0; i < M * N; i++)
		if (!ref_f16_close(c[i], want[i], absdot[i], K, false))
			fail_msg("C[%u] = %g, want %g", i, c[i], want[i]);
	close(fd);
}

/* A 3x3 stride-2 padded int8 convolution whose register program comes
 * from the software NPU tests' stream generator (written from the
 * hardware notes), submitted by hand, checked against tests/ref. */
static void conv3x3_int8(void **state)
{
	enum { W = 7, H = 7, C = 32, KW = 3, KH = 3, O = 40, OW = 4, OH = 4, PAD = 3 };
	struct conv_desc d = {
		.out_prec = TP_INT32, .w = W, .h = H, .c = C, .kw = KW, .kh = KH, .n = O,
		.sx = 2, .sy = 2, .pad_l = 1, .pad_t = 1, .pad_value = PAD, .out_w = OW, .out_h = OH,
	};
	struct ref_conv_shape rs = { .c = C, .h = H, .w = W, .o = O, .kh = KH, .kw = KW,
				     .sy = 2, .sx = 2, .dy = 1, .dx = 1, .pt = 1, .pl = 1,
				     .oh = OH, .ow = OW };
	static int8_t x[H * W * C], wt[O * KH * KW * C];
	static int32_t xr[C * H * W], wr[O * C * KH * KW];
	static int64_t want[O * OH * OW];
	uint64_t words[256];
	struct bo bin, bwt, bout, breg, btask;
	struct rknpu_submit s;
	struct rknpu_task *t;
	struct ref_rng r;
	size_t n, i;
	unsigned int c, y, xx, o, ky, kx;
	int fd = open_card();

	(void)state;
	ref_rng_seed(&r, 3);
	ref_fill_i8(&r, x, sizeof(x), -128, 127);
	ref_fill_i8(&r, wt, sizeof(wt), -128, 127);
	/* The generator packs HWC input and [o][ky][kx][c] weights; the
	 * reference takes NCHW and [o][c][kh][kw]. */
	for (y = 0; y < H; y++)
		for (xx = 0; xx < W; xx++)
			for (c = 0; c < C; c++)
				xr[(c * H + y) * W + xx] = x[(y * W + xx) * C + c];
	for (o = 0; o < O; o++)
		for (ky = 0; ky < KH; ky++)
			for (kx = 0; kx < KW; kx++)
				for (c = 0; c < C; c++)
					wr[((o * C + c) * KH + ky) * KW + kx] =
						wt[((o * KH + ky) * KW + kx) * C + c];
	ref_conv2d_i64(&rs, xr, wr, PAD, want);

	bo_create(fd, conv_in_bytes(&d), 0, &bin);
	bo_create(fd, conv_wt_bytes(&d), 0, &bwt);
	bo_create(fd, conv_out_bytes(&d), 0, &bout);
	d.in = (uint32_t)bin.dma_addr;
	d.wt = (uint32_t)bwt.dma_addr;
	d.out = (uint32_t)bout.dma_addr;
	pack_input(&d, x, bin.map);
	pack_weights(&d, wt, bwt.map);
	n = conv_body(words, &d);
	task_tail(words + n, 0, 0, CONV_OP_EN);
	bo_create(fd, (n + TAIL_WORDS) * 8, 0, &breg);
	memcpy(breg.map, words, (n + TAIL_WORDS) * 8);
	bo_create(fd, sizeof(*t), RKNPU_MEM_KERNEL_MAPPING, &btask);
	t = btask.map;
	memset(t, 0, sizeof(*t));
	t->enable_mask = CONV_OP_EN;
	t->int_mask = 0x300; /* DPU done, either register group */
	t->int_clear = RKNPU_INT_CLEAR;
	t->regcfg_amount = (uint32_t)n;
	t->regcmd_addr = breg.dma_addr;

	memset(&s, 0, sizeof(s));
	s.flags = RKNPU_JOB_PC;
	s.timeout = 6000;
	s.task_number = 1;
	s.task_obj_addr = btask.obj_addr;
	s.core_mask = RKNPU_CORE2_MASK;
	s.fence_fd = -1;
	s.subcore_task[2].task_number = 1;
	assert_int_equal(xioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s), 0);
	assert_int_equal(s.task_counter, 1);
	for (o = 0; o < O; o++)
		for (y = 0; y < OH; y++)
			for (xx = 0; xx < OW; xx++) {
				int32_t got;

				i = out_index(&d, o, y, xx);
				memcpy(&got, (uint8_t *)bout.map + i * 4, 4);
				if (got != want[(o * OH + y) * OW + xx])
					fail_msg("out[%u][%u][%u] = %d, want %lld", o, y, xx, got,
						 (long long)want[(o * OH + y) * OW + xx]);
			}
	bo_destroy(fd, &btask);
	bo_destroy(fd, &breg);
	bo_destroy(fd, &bout);
	bo_destroy(fd, &bwt);
	bo_destroy(fd, &bin);
	close(fd);
}

/* /dev/rknpu speaks the misc numbering. */
static void misc_node(void **state)
{
	struct rknpu_action act = { .flags = RKNPU_GET_DRV_VERSION };
	struct rknpu_mem_create mc = { .size = 4096 };
	struct rknpu_mem_destroy md;
	struct rknpu_mem_map mm = { 0 };
	int fd = open("/dev/rknpu", O_RDWR);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(xioctl(fd, IOCTL_RKNPU_ACTION, &act), 0);
	assert_int_equal(act.value, 908);
	assert_int_equal(xioctl(fd, IOCTL_RKNPU_MEM_CREATE, &mc), 0);
	mm.handle = mc.handle;
	assert_int_equal(xioctl(fd, IOCTL_RKNPU_MEM_MAP, &mm), -EINVAL);
	md = (struct rknpu_mem_destroy){ .handle = mc.handle, .obj_addr = mc.obj_addr };
	assert_int_equal(xioctl(fd, IOCTL_RKNPU_MEM_DESTROY, &md), 0);
	close(fd);
}

/* Dups share the session; closing one keeps the device up. */
static void dup_and_close(void **state)
{
	struct rknpu_action act = { .flags = RKNPU_GET_DRV_VERSION };
	struct bo bo;
	int fd = open_card(), d1, d2;

	(void)state;
	bo_create(fd, 4096, 0, &bo);
	memcpy(bo.map, "hello", 6);
	d1 = dup(fd);
	d2 = fcntl(fd, F_DUPFD_CLOEXEC, 100);
	assert_true(d1 >= 0 && d2 >= 100);
	close(fd);
	assert_int_equal(xioctl(d1, DRM_IOCTL_RKNPU_ACTION, &act), 0);
	assert_int_equal(act.value, 908);
	close(d1);
	/* The buffer still belongs to the session reached through d2. */
	{
		struct rknpu_mem_map mm = { .handle = bo.handle };
		void *again;

		assert_int_equal(xioctl(d2, DRM_IOCTL_RKNPU_MEM_MAP, &mm), 0);
		again = mmap(NULL, 4096, PROT_READ, MAP_SHARED, d2, (off_t)mm.offset);
		assert_ptr_not_equal(again, MAP_FAILED);
		assert_string_equal(again, "hello");
		munmap(again, 4096);
	}
	bo_destroy(d2, &bo);
	close(d2);
	/* The fd number is an ordinary fd again. */
	assert_int_equal(xioctl(d2, DRM_IOCTL_RKNPU_ACTION, &act), -EBADF);
}

/* A dma-buf export is a real fd that maps the same memory; importing it
 * back gives the same handle. */
static void prime_roundtrip(void **state)
{
	struct rnpu_drm_prime_handle ph;
	struct bo bo;
	void *m;
	int fd = open_card();

	(void)state;
	bo_create(fd, 8192, 0, &bo);
	memset(bo.map, 0x3c, 8192);
	ph = (struct rnpu_drm_prime_handle){ .handle = bo.handle, .flags = RNPU_DRM_CLOEXEC };
	assert_int_equal(xioctl(fd, RNPU_DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph), 0);
	assert_true(ph.fd >= 0);
	assert_true(fcntl(ph.fd, F_GETFD) & FD_CLOEXEC);
	m = mmap(NULL, 8192, PROT_READ, MAP_SHARED, ph.fd, 0);
	assert_ptr_not_equal(m, MAP_FAILED);
	assert_int_equal(((uint8_t *)m)[8191], 0x3c);
	munmap(m, 8192);
	ph.handle = 0;
	assert_int_equal(xioctl(fd, RNPU_DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph), 0);
	assert_int_equal(ph.handle, bo.handle);
	close(ph.fd);
	bo_destroy(fd, &bo);
	close(fd);
}

/* A NONBLOCK job's fence fd is pollable; the job ran. */
static void fence_poll(void **state)
{
	struct rknpu_submit s;
	struct rknpu_task *t;
	struct bo task;
	struct pollfd p;
	int fd = open_card();

	(void)state;
	/* A job that never completes (its register program, zeros in the
	 * session's own buffer, enables no block) still signals its fence,
	 * with the timeout's failure. */
	bo_create(fd, 4096, RKNPU_MEM_KERNEL_MAPPING, &task);
	t = task.map;
	memset(t, 0, sizeof(*t));
	t->int_mask = 0x300;
	t->regcfg_amount = 4;
	t->regcmd_addr = task.dma_addr + 2048; /* non-cacheable: no sync */
	memset(&s, 0, sizeof(s));
	s.flags = RKNPU_JOB_PC | RKNPU_JOB_NONBLOCK | RKNPU_JOB_FENCE_OUT;
	s.timeout = 200;
	s.task_number = 1;
	s.task_obj_addr = task.obj_addr;
	s.core_mask = RKNPU_CORE1_MASK;
	s.subcore_task[1].task_number = 1;
	s.fence_fd = -1;
	assert_int_equal(xioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s), 0);
	assert_true(s.fence_fd >= 0);
	p = (struct pollfd){ .fd = s.fence_fd, .events = POLLIN };
	assert_int_equal(poll(&p, 1, 5000), 1);
	assert_true(p.revents & POLLIN);
	close(s.fence_fd);
	bo_destroy(fd, &task);
	close(fd);
}

/* After fork the child's inherited node refuses work; a new open works. */
static void fork_child_view(void **state)
{
	struct rknpu_action act = { .flags = RKNPU_GET_DRV_VERSION };
	int fd = open_card(), status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int ok = xioctl(fd, DRM_IOCTL_RKNPU_ACTION, &act) == -EBADF;
		int fd2 = open(CARD, O_RDWR);

		act.value = 0;
		ok = ok && fd2 >= 0 && xioctl(fd2, DRM_IOCTL_RKNPU_ACTION, &act) == 0 &&
		     act.value == 908;
		close(fd2);
		close(fd);
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* The parent's session is untouched. */
	act.value = 0;
	assert_int_equal(xioctl(fd, DRM_IOCTL_RKNPU_ACTION, &act), 0);
	assert_int_equal(act.value, 908);
	close(fd);
}

/* Reads a whole debugfs file with open/read, as monitoring tools do. */
static void read_debugfs(const char *name, char *buf, size_t len)
{
	char path[96];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/debug/rknpu/%s", name);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, len - 1);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
}

/* The load, power and delayms files in the vendor's formats (the numbers
 * depend on what ran: their shape and ranges are checked). */
static void debugfs_load_power_delayms(void **state)
{
	unsigned int load[3], delay;
	char buf[256], tail;

	(void)state;
	read_debugfs("load", buf, sizeof(buf));
	assert_int_equal(sscanf(buf, "NPU load:  Core0: %u%%, Core1: %u%%, Core2: %u%%,%c", &load[0],
				&load[1], &load[2], &tail), 4);
	assert_int_equal(tail, '\n');
	for (int i = 0; i < 3; i++)
		assert_true(load[i] <= 100);
	read_debugfs("power", buf, sizeof(buf));
	assert_true(!strcmp(buf, "on\n") || !strcmp(buf, "off\n"));
	read_debugfs("delayms", buf, sizeof(buf));
	assert_int_equal(sscanf(buf, "%u%c", &delay, &tail), 2);
	assert_int_equal(tail, '\n');
	assert_int_equal(delay, 3000); /* the vendor's default */
	assert_int_equal(open("/sys/kernel/debug/rknpu/no-such-file", O_RDONLY), -1);
	assert_int_equal(errno, ENOENT);
}

static void debugfs_version(void **state)
{
	char buf[64] = "";
	FILE *f = fopen("/sys/kernel/debug/rknpu/version", "r");

	(void)state;
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "RKNPU driver: v0.9.8\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(version_and_unique),
		cmocka_unit_test(node_is_char_device),
		cmocka_unit_test(mem_create_40_and_48),
		cmocka_unit_test(matmul_int8),
		cmocka_unit_test(matmul_fp16),
		cmocka_unit_test(conv3x3_int8),
		cmocka_unit_test(misc_node),
		cmocka_unit_test(dup_and_close),
		cmocka_unit_test(prime_roundtrip),
		cmocka_unit_test(fence_poll),
		cmocka_unit_test(fork_child_view),
		cmocka_unit_test(debugfs_version),
		cmocka_unit_test(debugfs_load_power_delayms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
