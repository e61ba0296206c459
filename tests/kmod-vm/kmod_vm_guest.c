// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * /init of the test virtual machine (scripts/kmod-vm.sh): loads drm.ko,
 * rnpu_fakenpu.ko and rnpu.ko, exercises the module through its device
 * nodes and debugfs, unloads it and powers off. Results go to the second
 * serial port (/dev/ttyS1) as TAP; the kernel's console is the first, so
 * the two never interleave. Every check compares with an independent
 * expectation: an errno of docs/uapi.md, a golden string of the userspace
 * host's tests, a byte pattern this program wrote, a value the stand-in
 * NPU was told to produce.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "drm/rknpu_ioctl.h"
#include "drm/rnpu_drm_core.h"

#define PAGE 4096u
#define RENDER "/dev/dri/renderD128"
#define CARD "/dev/dri/card0"
#define MISC "/dev/rknpu"
#define DEBUGFS "/sys/kernel/debug/rknpu/"
#define FAKE_PARAM "/sys/module/rnpu_fakenpu/parameters/"
/* The task interrupt mask of a one-task list (pair 4: DPU done), and what
 * the stand-in NPU reports for it: the first bit of the pair. */
#define TASK_INT_MASK 0x300u
#define TASK_INT_STATUS 0x100u

static FILE *out;
static unsigned int test_no, failures;
static bool case_failed;
static char case_why[512];

static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	fflush(out);
}

/* A failed check marks the case and keeps the first reason. */
#define CHECK(cond, ...)                                                               \
	do {                                                                           \
		if (!(cond)) {                                                         \
			if (!case_failed)                                              \
				snprintf(case_why, sizeof(case_why), __VA_ARGS__);     \
			diag("%s:%d: %s", __func__, __LINE__, #cond);                  \
			case_failed = true;                                            \
		}                                                                      \
	} while (0)
#define CHECK_ERRNO(expr, err)                                                         \
	do {                                                                           \
		errno = 0;                                                             \
		long r_ = (long)(expr);                                                \
		CHECK(r_ == -1 && errno == (err), "%s: want errno %d (%s), got %ld errno %d (%s)", \
		      #expr, err, strerror(err), r_, errno, strerror(errno));          \
	} while (0)
#define CHECK_OK(expr)                                                                 \
	do {                                                                           \
		errno = 0;                                                             \
		long r_ = (long)(expr);                                                \
		CHECK(r_ >= 0, "%s: %ld, errno %d (%s)", #expr, r_, errno, strerror(errno)); \
	} while (0)

/* The running kernel's "major.minor" (6.1, 6.12): each case is named
 * after it, so that one run per kernel counts each case once. */
static char kernel_label[32];
/* The same as major * 100 + minor (601, 612); 0 if unknown. */
static unsigned int kernel_version;

static void run(const char *case_name, void (*fn)(void))
{
	char name[128];

	if (!strncmp(case_name, "kmod-vm-", 8) && kernel_label[0])
		snprintf(name, sizeof(name), "kmod-vm-%s-%s", kernel_label, case_name + 8);
	else
		snprintf(name, sizeof(name), "%s", case_name);
	case_failed = false;
	case_why[0] = 0;
	fn();
	test_no++;
	if (case_failed) {
		/* One TAP line. */
		for (char *c = case_why; *c; c++)
			if (*c == '\n' || *c == '\t')
				*c = ' ';
		failures++;
		fprintf(out, "not ok %u - %s # %s\n", test_no, name, case_why);
	} else {
		fprintf(out, "ok %u - %s\n", test_no, name);
	}
	fflush(out);
}

/* ------------------------------------------------------------ helpers */

static int open_dev(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	return fd;
}

static int read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, got = 0;

	buf[0] = 0;
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + got, size - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	buf[got] = 0;
	return n < 0 ? -1 : (int)got;
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static long read_number(const char *path)
{
	char buf[64];

	if (read_text(path, buf, sizeof(buf)) < 0)
		return -1;
	return strtol(buf, NULL, 0);
}

static int mem_create(int fd, uint64_t size, uint32_t flags, struct rknpu_mem_create *mc)
{
	memset(mc, 0, sizeof(*mc));
	mc->size = size;
	mc->flags = flags;
	return ioctl(fd, DRM_IOCTL_RKNPU_MEM_CREATE, mc);
}

static int mem_destroy(int fd, uint32_t handle)
{
	struct rknpu_mem_destroy d = { .handle = handle };

	return ioctl(fd, DRM_IOCTL_RKNPU_MEM_DESTROY, &d);
}

static void *mem_mmap(int fd, uint32_t handle, size_t size)
{
	struct rknpu_mem_map m = { .handle = handle };
	void *p;

	if (ioctl(fd, DRM_IOCTL_RKNPU_MEM_MAP, &m))
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)m.offset);
	return p == MAP_FAILED ? NULL : p;
}

static int action(int fd, uint32_t code, uint32_t *value)
{
	struct rknpu_action a = { .flags = code, .value = *value };
	int ret = ioctl(fd, DRM_IOCTL_RKNPU_ACTION, &a);

	*value = a.value;
	return ret;
}

static uint8_t pattern(uint32_t seed, size_t i)
{
	return (uint8_t)(i * 131u + seed * 7u + (i >> 9));
}

static void fill(void *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)p)[i] = pattern(seed, i);
}

static size_t first_mismatch(const void *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		if (((const uint8_t *)p)[i] != pattern(seed, i))
			return i;
	return n;
}

/* A task list of @ntasks tasks whose register commands are zero: the
 * regcmd validator accepts it, the stand-in NPU completes it. */
struct job_bufs {
	struct rknpu_mem_create task, cmd;
};

static bool job_bufs_make(int fd, struct job_bufs *b, uint32_t ntasks)
{
	struct rknpu_task *t;

	if (mem_create(fd, PAGE, RKNPU_MEM_ZEROING, &b->cmd) ||
	    mem_create(fd, PAGE, RKNPU_MEM_KERNEL_MAPPING, &b->task))
		return false;
	t = mem_mmap(fd, b->task.handle, PAGE);
	if (!t)
		return false;
	for (uint32_t i = 0; i < ntasks; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].int_mask = TASK_INT_MASK;
		t[i].regcfg_amount = 12;
		t[i].regcmd_addr = b->cmd.dma_addr;
	}
	munmap(t, PAGE);
	return true;
}

static void job_bufs_free(int fd, struct job_bufs *b)
{
	mem_destroy(fd, b->task.handle);
	mem_destroy(fd, b->cmd.handle);
}

static void submit_init(struct rknpu_submit *s, const struct job_bufs *b, uint32_t ntasks,
			uint32_t core_mask, uint32_t timeout_ms)
{
	memset(s, 0, sizeof(*s));
	s->flags = RKNPU_JOB_PC;
	s->timeout = timeout_ms;
	s->task_number = ntasks;
	s->task_obj_addr = b->task.obj_addr;
	s->core_mask = core_mask;
	s->fence_fd = -1;
	for (int i = 0; i < 5; i++)
		s->subcore_task[i] = (struct rknpu_subcore_task){ 0, ntasks };
}

/* The kernel log so far, for the lines the driver must have written. */
static bool kmsg_has(const char *a, const char *b)
{
	static char log[1 << 20];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log) - 1);
	char *line, *save;

	if (n < 0)
		return false;
	log[n] = 0;
	for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strstr(line, a) && (!b || strstr(line, b)))
			return true;
	return false;
}

/* -------------------------------------------------------------- cases */

/* rnpu.ko's parameters at the next load. */
static const char *rnpu_params = "";

static void load_modules(void)
{
	/* params NULL: the stand-in's base, or rnpu_params for rnpu.ko. */
	static const struct { const char *path, *params; } mods[] = {
		{ "/modules/drm.ko", "" },
		{ "/modules/rnpu_fakenpu.ko", NULL },
		{ "/modules/rnpu.ko", NULL },
	};
	char params[128];

	snprintf(params, sizeof(params), "base=%s", getenv("FAKENPU_BASE") ?: "0x10000000");
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		int fd = open(mods[i].path, O_RDONLY | O_CLOEXEC);

		CHECK(fd >= 0, "open %s: %s", mods[i].path, strerror(errno));
		if (fd < 0)
			continue;
		CHECK_OK(syscall(SYS_finit_module, fd,
				 mods[i].params ?: (i == 2 ? rnpu_params : params), 0));
		close(fd);
	}
}

static void device_nodes(void)
{
	const char *nodes[] = { RENDER, CARD, MISC };
	struct stat st;

	for (size_t i = 0; i < 3; i++) {
		CHECK(stat(nodes[i], &st) == 0 && S_ISCHR(st.st_mode), "%s: not a character device",
		      nodes[i]);
	}
	/* The DRM nodes are DRM's major, the misc node misc's. */
	CHECK(stat(RENDER, &st) == 0 && major(st.st_rdev) == 226 && minor(st.st_rdev) == 128,
	      "renderD128 is not 226:128");
	CHECK(stat(MISC, &st) == 0 && major(st.st_rdev) == 10, "/dev/rknpu is not a misc device");
	/* The three windows sit where the kernel was told to reserve RAM
	 * (memmap=), one 64 KiB window per core. */
	{
		static char iomem[16384];
		unsigned long long b = strtoull(getenv("FAKENPU_BASE") ?: "0x10000000", NULL, 0);

		CHECK(read_text("/proc/iomem", iomem, sizeof(iomem)) > 0, "no /proc/iomem");
		for (unsigned int core = 0; core < 3; core++) {
			char want[64];

			snprintf(want, sizeof(want), "%llx-%llx : RKNPU", b + core * 0x10000ull,
				 b + core * 0x10000ull + 0xffff);
			CHECK(strstr(iomem, want), "/proc/iomem has no '%s'", want);
		}
		for (char *save, *l = strtok_r(iomem, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			if (strstr(l, "RKNPU") || strstr(l, "Reserved"))
				diag("iomem: %s", l);
	}
}

static void drm_version(void)
{
	const char *nodes[] = { RENDER, CARD };

	for (size_t i = 0; i < 2; i++) {
		char name[32] = "", date[32] = "", desc[64] = "";
		struct rnpu_drm_version v = {
			.name_len = sizeof(name) - 1, .name = (uintptr_t)name,
			.date_len = sizeof(date) - 1, .date = (uintptr_t)date,
			.desc_len = sizeof(desc) - 1, .desc = (uintptr_t)desc,
		};
		int fd = open_dev(nodes[i]);

		if (fd < 0)
			continue;
		CHECK_OK(ioctl(fd, RNPU_DRM_IOCTL_VERSION, &v));
		CHECK(!strcmp(name, "rknpu") && v.name_len == 5, "%s: name '%s' (%llu)", nodes[i],
		      name, (unsigned long long)v.name_len);
		CHECK(!strcmp(desc, "RKNPU driver"), "desc '%s'", desc);
		CHECK(!strcmp(date, "20240828"), "date '%s'", date);
		CHECK(v.version_major == 0 && v.version_minor == 9 && v.version_patchlevel == 8,
		      "version %d.%d.%d", v.version_major, v.version_minor, v.version_patchlevel);
		/* A bad string pointer: EFAULT (docs/uapi.md). */
		v.name = 8;
		v.name_len = 16;
		CHECK_ERRNO(ioctl(fd, RNPU_DRM_IOCTL_VERSION, &v), EFAULT);
		close(fd);
	}
}

static void drm_get_unique(void)
{
	char unique[64] = "";
	struct rnpu_drm_unique u = { .unique_len = sizeof(unique) - 1, .unique = (uintptr_t)unique };
	int fd = open_dev(RENDER);

	if (fd < 0)
		return;
	/* The device's name: the stand-in registers "RKNPU" with no id (a
	 * board's is "fdab0000.npu"). */
	CHECK_OK(ioctl(fd, RNPU_DRM_IOCTL_GET_UNIQUE, &u));
	CHECK(!strcmp(unique, "RKNPU") && u.unique_len == 5, "unique '%s' (%llu)", unique,
	      (unsigned long long)u.unique_len);
	close(fd);
}

static void action_queries(void)
{
	int fd = open_dev(RENDER), misc = open_dev(MISC);
	uint32_t v;

	if (fd < 0 || misc < 0)
		goto out;
	v = 0;
	CHECK_OK(action(fd, RKNPU_GET_HW_VERSION, &v));
	CHECK(v == 0x46495245, "hw version %#x", v);
	v = 0;
	CHECK_OK(action(fd, RKNPU_GET_DRV_VERSION, &v));
	CHECK(v == 908, "drv version %u", v);
	v = 7;
	CHECK_OK(action(fd, RKNPU_GET_IOMMU_EN, &v));
	CHECK(v == 0, "iommu_en %u without an IOMMU", v);
	v = 5;
	CHECK_OK(action(fd, RKNPU_GET_TOTAL_SRAM_SIZE, &v));
	CHECK(v == 0, "total sram %u", v);
	v = 9;
	CHECK_OK(action(fd, RKNPU_GET_IOMMU_DOMAIN_ID, &v));
	CHECK(v == 0, "domain id %u", v);
	v = 3;
	CHECK_OK(action(fd, RKNPU_SET_IOMMU_DOMAIN_ID, &v));
	v = 16;
	CHECK_ERRNO(action(fd, RKNPU_SET_IOMMU_DOMAIN_ID, &v), EINVAL);
	v = 0;
	CHECK_ERRNO(action(fd, RKNPU_SET_FREQ, &v), EINVAL);
	CHECK_ERRNO(action(fd, RKNPU_SET_VOLT, &v), EINVAL);
	CHECK_ERRNO(action(fd, RKNPU_POWER_ON, &v), EINVAL);
	CHECK_ERRNO(action(fd, RKNPU_POWER_OFF, &v), EINVAL);
	for (uint32_t code = RKNPU_GET_BW_PRIORITY; code <= RKNPU_SET_BW_TW; code++)
		CHECK_ERRNO(action(fd, code, &v), EINVAL);
	CHECK_ERRNO(action(fd, 26, &v), EINVAL);
	CHECK_ERRNO(action(fd, 0xffffffffu, &v), EINVAL);
	v = 0;
	CHECK_OK(action(fd, RKNPU_SET_PROC_NICE, &v));
	/* No clock and no supply on the stand-in: both read 0. */
	v = 5;
	CHECK_OK(action(fd, RKNPU_GET_FREQ, &v));
	CHECK(v == 0, "freq %u without a clock", v);
	v = 5;
	CHECK_OK(action(fd, RKNPU_GET_VOLT, &v));
	CHECK(v == 0, "volt %u without a supply", v);
	/* The misc node answers its own numbering. */
	{
		struct rknpu_action a = { .flags = RKNPU_GET_DRV_VERSION };

		CHECK_OK(ioctl(misc, IOCTL_RKNPU_ACTION, &a));
		CHECK(a.value == 908, "misc drv version %u", a.value);
	}
out:
	if (fd >= 0)
		close(fd);
	if (misc >= 0)
		close(misc);
}

static void mem_every_flag(void)
{
	static const uint32_t flags[] = {
		RKNPU_MEM_CONTIGUOUS,
		RKNPU_MEM_NON_CONTIGUOUS,
		RKNPU_MEM_CACHEABLE,
		RKNPU_MEM_CACHEABLE | RKNPU_MEM_NON_CONTIGUOUS,
		RKNPU_MEM_WRITE_COMBINE,
		RKNPU_MEM_KERNEL_MAPPING,
		RKNPU_MEM_KERNEL_MAPPING | RKNPU_MEM_CACHEABLE,
		RKNPU_MEM_IOMMU,
		RKNPU_MEM_ZEROING,
		RKNPU_MEM_ZEROING | RKNPU_MEM_CACHEABLE,
		RKNPU_MEM_SECURE,
		RKNPU_MEM_DMA32,
		RKNPU_MEM_TRY_ALLOC_SRAM,
		RKNPU_MEM_TRY_ALLOC_NBUF,
		RKNPU_MEM_IOMMU_LIMIT_IOVA_ALIGNMENT,
		RKNPU_MEM_MASK,
	};
	const size_t size = 3 * PAGE + 100, rounded = 4 * PAGE;
	int fd = open_dev(RENDER);

	if (fd < 0)
		return;
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct rknpu_mem_create mc;
		struct rknpu_mem_sync sync;
		uint8_t *p;
		size_t bad;
		int sync_ret;

		if (mem_create(fd, size, flags[i], &mc)) {
			CHECK(0, "flags %#x: MEM_CREATE: %s", flags[i], strerror(errno));
			continue;
		}
		CHECK(mc.handle != 0 && mc.obj_addr != 0, "flags %#x: handle %u", flags[i], mc.handle);
		CHECK(mc.size == rounded || mc.size == size, "flags %#x: size %llu", flags[i],
		      (unsigned long long)mc.size);
		CHECK(mc.dma_addr && mc.dma_addr % PAGE == 0 && mc.dma_addr + rounded <= (1ull << 32),
		      "flags %#x: dma_addr %#llx", flags[i], (unsigned long long)mc.dma_addr);
		CHECK(mc.flags == flags[i], "flags rewritten: %#x -> %#x", flags[i], mc.flags);
		p = mem_mmap(fd, mc.handle, rounded);
		CHECK(p, "flags %#x: mmap: %s", flags[i], strerror(errno));
		if (p) {
			if (flags[i] & RKNPU_MEM_ZEROING)
				for (size_t j = 0; j < rounded; j++)
					if (p[j]) {
						CHECK(0, "flags %#x: byte %zu not zero", flags[i], j);
						break;
					}
			fill(p, rounded, (uint32_t)i);
			munmap(p, rounded);
		}
		/* MEM_SYNC: cacheable objects only, in range (docs/uapi.md). */
		memset(&sync, 0, sizeof(sync));
		sync.obj_addr = mc.obj_addr;
		sync.size = rounded;
		sync.flags = RKNPU_MEM_SYNC_TO_DEVICE | RKNPU_MEM_SYNC_FROM_DEVICE;
		errno = 0;
		sync_ret = ioctl(fd, DRM_IOCTL_RKNPU_MEM_SYNC, &sync);
		if (flags[i] & RKNPU_MEM_CACHEABLE) {
			CHECK(sync_ret == 0, "flags %#x: MEM_SYNC: %s", flags[i], strerror(errno));
			sync.flags = RKNPU_MEM_SYNC_TO_DEVICE;
			sync.offset = PAGE;
			sync.size = 100;
			CHECK_OK(ioctl(fd, DRM_IOCTL_RKNPU_MEM_SYNC, &sync));
			sync.flags = RKNPU_MEM_SYNC_FROM_DEVICE;
			CHECK_OK(ioctl(fd, DRM_IOCTL_RKNPU_MEM_SYNC, &sync));
			sync.size = rounded;
			CHECK_ERRNO(ioctl(fd, DRM_IOCTL_RKNPU_MEM_SYNC, &sync), EINVAL);
			sync.offset = ~0ull - 10;
			sync.size = 100;
			CHECK_ERRNO(ioctl(fd, DRM_IOCTL_RKNPU_MEM_SYNC, &sync), EINVAL);
		} else {
			CHECK(sync_ret == -1 && errno == EINVAL, "flags %#x: MEM_SYNC %d errno %d",
			      flags[i], sync_ret, errno);
		}
		/* A second mapping reads what the first wrote. */
		p = mem_mmap(fd, mc.handle, rounded);
		CHECK(p, "flags %#x: second mmap: %s", flags[i], strerror(errno));
		if (p) {
			bad = first_mismatch(p, rounded, (uint32_t)i);
			CHECK(bad == rounded, "flags %#x: byte %zu reads back %#x", flags[i], bad, p[bad]);
			munmap(p, rounded);
		}
		CHECK_OK(mem_destroy(fd, mc.handle));
		CHECK_ERRNO(mem_destroy(fd, mc.handle), EINVAL);
	}
	close(fd);
}

static void mem_bad_arguments(void)
{
	struct rknpu_mem_create mc;
	struct rknpu_mem_map map = { .handle = 0x7777 };
	struct rknpu_mem_sync sync = { .flags = RKNPU_MEM_SYNC_TO_DEVICE, .obj_addr = 0x1234, .size = 1 };
	int fd = open_dev(RENDER);
	void *p;

	if (fd < 0)
		return;
	CHECK_ERRNO(mem_create(fd, 0, 0, &mc), EINVAL);
	CHECK_ERRNO(mem_create(fd, (1ull << 32) + PAGE, 0, &mc), EINVAL);
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_RKNPU_MEM_MAP, &map), ENOENT);
	CHECK_ERRNO(mem_destroy(fd, 0), EINVAL);
	CHECK_ERRNO(mem_destroy(fd, 0x7777), EINVAL);
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_RKNPU_MEM_SYNC, &sync), EINVAL);
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_RKNPU_MEM_CREATE, (void *)8), EFAULT);
	/* mmap longer than the object, and at an offset inside it. */
	if (mem_create(fd, PAGE, 0, &mc) == 0) {
		map.handle = mc.handle;
		CHECK_OK(ioctl(fd, DRM_IOCTL_RKNPU_MEM_MAP, &map));
		CHECK(map.offset >= (1ull << 32), "fake offset %#llx below 4 GiB",
		      (unsigned long long)map.offset);
		errno = 0;
		p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, (off_t)map.offset);
		CHECK(p == MAP_FAILED && errno == EINVAL, "mmap too long: errno %d", errno);
		errno = 0;
		p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, (off_t)(map.offset + PAGE));
		CHECK(p == MAP_FAILED && errno == EINVAL, "mmap inside: errno %d", errno);
		CHECK_OK(mem_destroy(fd, mc.handle));
	}
	/* Mode setting on a render-only device. */
	CHECK_ERRNO(ioctl(fd, _IOC(_IOC_READ | _IOC_WRITE, 'd', 0xA0, 16), &mc), EOPNOTSUPP);
	close(fd);
}

static void prime_export_import(void)
{
	int fd = open_dev(RENDER), other = open_dev(CARD);
	struct rknpu_mem_create mc;
	struct rnpu_drm_prime_handle ph;
	struct rnpu_drm_gem_close gc;
	uint8_t *p;
	int buf_fd;

	if (fd < 0 || other < 0 || mem_create(fd, 2 * PAGE, 0, &mc))
		goto out;
	p = mem_mmap(fd, mc.handle, 2 * PAGE);
	CHECK(p, "mmap: %s", strerror(errno));
	if (!p)
		goto out;
	fill(p, 2 * PAGE, 41);
	munmap(p, 2 * PAGE);

	ph = (struct rnpu_drm_prime_handle){ .handle = mc.handle, .flags = 0x4000 };
	CHECK_ERRNO(ioctl(fd, RNPU_DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph), EINVAL);
	ph = (struct rnpu_drm_prime_handle){ .handle = 0x7777, .flags = RNPU_DRM_CLOEXEC };
	CHECK_ERRNO(ioctl(fd, RNPU_DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph), ENOENT);
	ph = (struct rnpu_drm_prime_handle){ .handle = mc.handle,
					     .flags = RNPU_DRM_CLOEXEC | RNPU_DRM_RDWR };
	CHECK_OK(ioctl(fd, RNPU_DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph));
	buf_fd = ph.fd;
	CHECK(buf_fd >= 0 && (fcntl(buf_fd, F_GETFD) & FD_CLOEXEC), "exported fd %d", buf_fd);
	if (buf_fd < 0)
		goto destroy;
	/* The dma-buf maps the bytes written through the DRM node. */
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, buf_fd, 0);
	CHECK(p != MAP_FAILED, "dma-buf mmap: %s", strerror(errno));
	if (p != MAP_FAILED) {
		size_t bad = first_mismatch(p, 2 * PAGE, 41);

		CHECK(bad == 2 * PAGE, "dma-buf byte %zu", bad);
		munmap(p, 2 * PAGE);
	}
	/* Imported by its own session: the same handle; by another: the
	 * same memory under a new handle. */
	ph = (struct rnpu_drm_prime_handle){ .fd = buf_fd };
	CHECK_OK(ioctl(fd, RNPU_DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph));
	CHECK(ph.handle == mc.handle, "own import: handle %u, want %u", ph.handle, mc.handle);
	ph = (struct rnpu_drm_prime_handle){ .fd = buf_fd };
	CHECK_OK(ioctl(other, RNPU_DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph));
	p = ph.handle ? mem_mmap(other, ph.handle, 2 * PAGE) : NULL;
	CHECK(p, "mmap of the import: %s", strerror(errno));
	if (p) {
		size_t bad = first_mismatch(p, 2 * PAGE, 41);

		CHECK(bad == 2 * PAGE, "imported byte %zu", bad);
		munmap(p, 2 * PAGE);
	}
	gc = (struct rnpu_drm_gem_close){ .handle = ph.handle };
	CHECK_OK(ioctl(other, RNPU_DRM_IOCTL_GEM_CLOSE, &gc));
	CHECK_ERRNO(ioctl(other, RNPU_DRM_IOCTL_GEM_CLOSE, &gc), EINVAL);
	/* Not a dma-buf; not a file. */
	ph = (struct rnpu_drm_prime_handle){ .fd = fd };
	CHECK_ERRNO(ioctl(other, RNPU_DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph), EINVAL);
	ph = (struct rnpu_drm_prime_handle){ .fd = 999 };
	CHECK_ERRNO(ioctl(other, RNPU_DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph), EBADF);
	close(buf_fd);
destroy:
	CHECK_OK(mem_destroy(fd, mc.handle));
out:
	if (fd >= 0)
		close(fd);
	if (other >= 0)
		close(other);
}

static void gem_flink_open_close(void)
{
	int fd = open_dev(RENDER), other = open_dev(RENDER);
	struct rknpu_mem_create mc;
	struct rnpu_drm_gem_flink fl;
	struct rnpu_drm_gem_open op;
	struct rnpu_drm_gem_close gc;
	uint8_t *p;

	if (fd < 0 || other < 0 || mem_create(fd, PAGE, 0, &mc))
		goto out;
	p = mem_mmap(fd, mc.handle, PAGE);
	if (p) {
		fill(p, PAGE, 77);
		munmap(p, PAGE);
	}
	fl = (struct rnpu_drm_gem_flink){ .handle = 0x7777 };
	CHECK_ERRNO(ioctl(fd, RNPU_DRM_IOCTL_GEM_FLINK, &fl), ENOENT);
	fl = (struct rnpu_drm_gem_flink){ .handle = mc.handle };
	CHECK_OK(ioctl(fd, RNPU_DRM_IOCTL_GEM_FLINK, &fl));
	CHECK(fl.name != 0, "flink name 0");
	op = (struct rnpu_drm_gem_open){ .name = fl.name };
	CHECK_OK(ioctl(other, RNPU_DRM_IOCTL_GEM_OPEN, &op));
	CHECK(op.handle != 0 && op.size == PAGE, "gem open: handle %u size %llu", op.handle,
	      (unsigned long long)op.size);
	p = op.handle ? mem_mmap(other, op.handle, PAGE) : NULL;
	CHECK(p, "mmap of the opened name: %s", strerror(errno));
	if (p) {
		CHECK(first_mismatch(p, PAGE, 77) == PAGE, "opened object differs");
		munmap(p, PAGE);
	}
	op = (struct rnpu_drm_gem_open){ .name = fl.name + 1000 };
	CHECK_ERRNO(ioctl(other, RNPU_DRM_IOCTL_GEM_OPEN, &op), ENOENT);
	gc = (struct rnpu_drm_gem_close){ .handle = mc.handle };
	CHECK_OK(ioctl(fd, RNPU_DRM_IOCTL_GEM_CLOSE, &gc));
	CHECK_ERRNO(ioctl(fd, RNPU_DRM_IOCTL_GEM_CLOSE, &gc), EINVAL);
	CHECK_ERRNO(mem_destroy(fd, mc.handle), EINVAL);
out:
	if (fd >= 0)
		close(fd);
	if (other >= 0)
		close(other); /* drops the opened handle, the last one */
}

static void submit_one(int fd, uint32_t ntasks, uint32_t core_mask, uint32_t want_core)
{
	struct job_bufs b;
	struct rknpu_submit s;
	struct rknpu_task *t;

	if (!job_bufs_make(fd, &b, ntasks)) {
		CHECK(0, "job buffers: %s", strerror(errno));
		return;
	}
	submit_init(&s, &b, ntasks, core_mask, 5000);
	CHECK_OK(ioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s));
	CHECK(s.task_counter == ntasks, "core mask %#x: task counter %u, want %u", core_mask,
	      s.task_counter, ntasks);
	CHECK(s.core_mask == want_core, "core mask %#x ran on %#x, want %#x", core_mask, s.core_mask,
	      want_core);
	CHECK(s.hw_elapse_time > 0, "hw_elapse_time %lld", (long long)s.hw_elapse_time);
	/* The interrupt status the NPU reported, written back into the last
	 * task. */
	t = mem_mmap(fd, b.task.handle, PAGE);
	if (t) {
		CHECK(t[ntasks - 1].int_status == TASK_INT_STATUS, "int_status %#x, want %#x",
		      t[ntasks - 1].int_status, TASK_INT_STATUS);
		munmap(t, PAGE);
	}
	job_bufs_free(fd, &b);
}

static void submit_blocking(void)
{
	int fd = open_dev(RENDER);
	long before = read_number(FAKE_PARAM "completed");

	if (fd < 0)
		return;
	submit_one(fd, 1, RKNPU_CORE0_MASK, RKNPU_CORE0_MASK);
	submit_one(fd, 1, RKNPU_CORE1_MASK, RKNPU_CORE1_MASK);
	submit_one(fd, 1, RKNPU_CORE2_MASK, RKNPU_CORE2_MASK);
	submit_one(fd, 1, RKNPU_CORE_AUTO_MASK, RKNPU_CORE0_MASK);
	/* All three cores, one task list each. */
	submit_one(fd, 1, RKNPU_CORE0_MASK | RKNPU_CORE1_MASK | RKNPU_CORE2_MASK,
		   RKNPU_CORE0_MASK | RKNPU_CORE1_MASK | RKNPU_CORE2_MASK);
	/* Seven starts reached the device, each completed once. */
	CHECK(read_number(FAKE_PARAM "completed") - before == 7, "the device completed %ld starts",
	      read_number(FAKE_PARAM "completed") - before);
	close(fd);
}

static void submit_bad_arguments(void)
{
	int fd = open_dev(RENDER);
	struct job_bufs b;
	struct rknpu_submit s;

	if (fd < 0 || !job_bufs_make(fd, &b, 1))
		goto out;
	submit_init(&s, &b, 1, RKNPU_CORE0_MASK, 1000);
	s.task_number = 0;
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s), EINVAL);
	submit_init(&s, &b, 1, 8, 1000);
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s), EINVAL);
	submit_init(&s, &b, 1, RKNPU_CORE0_MASK, 1000);
	s.flags = 0;
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s), EINVAL);
	submit_init(&s, &b, 1, RKNPU_CORE0_MASK, 1000);
	s.task_obj_addr = 0xffffff8000001234ull;
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s), EINVAL);
	submit_init(&s, &b, 103, RKNPU_CORE0_MASK, 1000);
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s), EINVAL);
	/* A task list without a kernel mapping. */
	submit_init(&s, &b, 1, RKNPU_CORE0_MASK, 1000);
	s.task_obj_addr = b.cmd.obj_addr;
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s), EINVAL);
	/* FENCE_IN with an fd that is no fence. */
	submit_init(&s, &b, 1, RKNPU_CORE0_MASK, 1000);
	s.flags |= RKNPU_JOB_FENCE_IN;
	s.fence_fd = fd;
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s), EINVAL);
	job_bufs_free(fd, &b);
out:
	if (fd >= 0)
		close(fd);
}

static void submit_nonblock_fence(void)
{
	int fd = open_dev(RENDER);
	struct job_bufs b;
	struct rknpu_submit s, s2;
	struct pollfd pfd;

	if (fd < 0 || !job_bufs_make(fd, &b, 1))
		goto out;
	submit_init(&s, &b, 1, RKNPU_CORE2_MASK, 5000);
	s.flags |= RKNPU_JOB_NONBLOCK | RKNPU_JOB_FENCE_OUT;
	CHECK_OK(ioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s));
	CHECK(s.fence_fd >= 0 && (fcntl(s.fence_fd, F_GETFD) & FD_CLOEXEC), "fence fd %d",
	      s.fence_fd);
	if (s.fence_fd >= 0) {
		pfd = (struct pollfd){ .fd = s.fence_fd, .events = POLLIN };
		CHECK(poll(&pfd, 1, 10000) == 1 && (pfd.revents & POLLIN), "fence not signalled");
		/* It stays signalled. */
		CHECK(poll(&pfd, 1, 0) == 1, "fence unsignalled again");
		/* A job waiting on it as FENCE_IN runs. */
		submit_init(&s2, &b, 1, RKNPU_CORE0_MASK, 5000);
		s2.flags |= RKNPU_JOB_FENCE_IN;
		s2.fence_fd = s.fence_fd;
		CHECK_OK(ioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s2));
		CHECK(s2.task_counter == 1, "fenced job: task counter %u", s2.task_counter);
		close(s.fence_fd);
	}
	job_bufs_free(fd, &b);
out:
	if (fd >= 0)
		close(fd);
}

static void submit_hang_then_recover(void)
{
	int fd = open_dev(RENDER);
	struct job_bufs b;
	struct rknpu_submit s;

	if (fd < 0 || !job_bufs_make(fd, &b, 1))
		goto out;
	CHECK_OK(write_text(FAKE_PARAM "hang", "1"));
	submit_init(&s, &b, 1, RKNPU_CORE1_MASK, 100);
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s), ETIMEDOUT);
	CHECK(read_number(FAKE_PARAM "hang") == 0, "the device did not see the start");
	/* As the userspace host's submit_timeout_then_recover expects. */
	CHECK(kmsg_has("failed to wait job, task counter: 0", "ret = -110"),
	      "no timeout line in the kernel log");
	CHECK(kmsg_has("core 1 irq status: 0", "require mask: 0x300, task counter: 0x0"),
	      "no status line for core 1 in the kernel log");
	CHECK(kmsg_has("soft reset", NULL), "no soft reset line in the kernel log");
	/* The next job on that core runs. */
	submit_init(&s, &b, 1, RKNPU_CORE1_MASK, 5000);
	CHECK_OK(ioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s));
	CHECK(s.task_counter == 1, "after the reset: task counter %u", s.task_counter);
	job_bufs_free(fd, &b);
out:
	if (fd >= 0)
		close(fd);
}

static void close_with_job_in_flight(void)
{
	int fd = open_dev(RENDER);
	struct job_bufs b;
	struct rknpu_submit s;

	if (fd < 0 || !job_bufs_make(fd, &b, 1)) {
		if (fd >= 0)
			close(fd);
		return;
	}
	/* A job that will never complete, and one queued behind it; the
	 * file closes with both, its buffers still held. */
	CHECK_OK(write_text(FAKE_PARAM "hang", "1"));
	submit_init(&s, &b, 1, RKNPU_CORE2_MASK, 300);
	s.flags |= RKNPU_JOB_NONBLOCK;
	CHECK_OK(ioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s));
	CHECK_OK(ioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s));
	CHECK_OK(close(fd));
	write_text(FAKE_PARAM "hang", "0");
	/* The NPU serves a new file afterwards. */
	fd = open_dev(RENDER);
	if (fd >= 0) {
		submit_one(fd, 1, RKNPU_CORE2_MASK, RKNPU_CORE2_MASK);
		close(fd);
	}
}

static void debugfs_files(void)
{
	char buf[256];
	unsigned int l0, l1, l2;

	CHECK(read_text(DEBUGFS "version", buf, sizeof(buf)) > 0 &&
		      !strcmp(buf, "RKNPU driver: v0.9.8\n"), "version '%s'", buf);
	CHECK(read_text(DEBUGFS "load", buf, sizeof(buf)) > 0 &&
		      sscanf(buf, "NPU load:  Core0: %u%%, Core1: %u%%, Core2: %u%%,", &l0, &l1,
			     &l2) == 3 && buf[strlen(buf) - 1] == '\n',
	      "load '%s'", buf);
	CHECK(read_text(DEBUGFS "delayms", buf, sizeof(buf)) > 0 && !strcmp(buf, "3000\n"),
	      "delayms '%s'", buf);
	CHECK(read_text(DEBUGFS "reset", buf, sizeof(buf)) > 0 && !strcmp(buf, "on\n"),
	      "reset '%s'", buf);
	CHECK(read_text(DEBUGFS "mm", buf, sizeof(buf)) == 0, "mm '%s'", buf);
	CHECK(read_text(DEBUGFS "freq", buf, sizeof(buf)) > 0, "freq unreadable");
	diag("debugfs freq: %s", strtok(buf, "\n") ?: "");
	CHECK(read_text(DEBUGFS "volt", buf, sizeof(buf)) > 0, "volt unreadable");
	diag("debugfs volt: %s", strtok(buf, "\n") ?: "");
	/* power follows the core's references: on while a file holds one
	 * (debugfs "power" write), off again after delayms 0. */
	CHECK_OK(write_text(DEBUGFS "delayms", "0\n"));
	CHECK(read_text(DEBUGFS "delayms", buf, sizeof(buf)) > 0 && !strcmp(buf, "0\n"),
	      "delayms after write '%s'", buf);
	CHECK_OK(write_text(DEBUGFS "power", "on\n"));
	CHECK(read_text(DEBUGFS "power", buf, sizeof(buf)) > 0 && !strcmp(buf, "on\n"),
	      "power after 'on' '%s'", buf);
	CHECK_OK(write_text(DEBUGFS "power", "off\n"));
	/* Earlier jobs' last reference may still sit in the delayed
	 * release (3000 ms from its first release): bounded wait. */
	for (int waited = 0; waited < 100; waited++) {
		if (read_text(DEBUGFS "power", buf, sizeof(buf)) > 0 && !strcmp(buf, "off\n"))
			break;
		usleep(50000);
	}
	CHECK(!strcmp(buf, "off\n"), "power 5 s after 'off' '%s'", buf);
	CHECK_OK(write_text(DEBUGFS "delayms", "3000\n"));
	/* The vendor's modes: the four writable files 0644, the rest 0444. */
	{
		static const char *const files[] = { "version", "load", "power", "freq",
						     "volt", "delayms", "reset", "mm" };
		struct stat st;

		for (size_t i = 0; i < 8; i++) {
			char path[128];
			bool rw = !strcmp(files[i], "power") || !strcmp(files[i], "freq") ||
				  !strcmp(files[i], "delayms") || !strcmp(files[i], "reset");

			snprintf(path, sizeof(path), DEBUGFS "%s", files[i]);
			CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == (rw ? 0644u : 0444u),
			      "%s: mode %o", files[i], st.st_mode & 0777);
		}
	}
}

/* The text of /proc/self/fdinfo/@fd. */
static bool fdinfo_of(int fd, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	return read_text(path, buf, size) > 0;
}

static void fdinfo_usage_stats(void)
{
	const char *nodes[] = { RENDER, MISC };
	char buf[2048];

	for (size_t i = 0; i < 2; i++) {
		int fd = open_dev(nodes[i]);
		struct rknpu_mem_create mc;

		if (fd < 0)
			continue;
		/* 64 KiB of buffers: DRM's units (docs/monitoring.md). */
		memset(&mc, 0, sizeof(mc));
		mc.size = 64 * 1024;
		CHECK_OK(ioctl(fd, i ? IOCTL_RKNPU_MEM_CREATE : DRM_IOCTL_RKNPU_MEM_CREATE, &mc));
		CHECK(fdinfo_of(fd, buf, sizeof(buf)), "%s: no fdinfo", nodes[i]);
		CHECK(strstr(buf, "drm-driver:\trknpu\n") && strstr(buf, "drm-client-id:\t") &&
			      strstr(buf, "drm-engine-npu0:\t0 ns\n") &&
			      strstr(buf, "drm-engine-npu2:\t0 ns\n") &&
			      strstr(buf, "drm-total-memory:\t64 KiB\n") &&
			      strstr(buf, "drm-resident-memory:\t64 KiB\n"),
		      "%s: fdinfo '%s'", nodes[i], buf);
		close(fd);
	}
}

static void misc_node_buffers(void)
{
	int fd = open_dev(MISC);
	struct rknpu_mem_create mc = { .size = 2 * PAGE, .flags = RKNPU_MEM_KERNEL_MAPPING };
	struct rknpu_mem_map map = { 0 };
	struct rknpu_mem_destroy d = { 0 };

	if (fd < 0)
		return;
	CHECK_OK(ioctl(fd, IOCTL_RKNPU_MEM_CREATE, &mc));
	CHECK(mc.handle && mc.dma_addr && mc.dma_addr % PAGE == 0 && mc.dma_addr < (1ull << 32),
	      "misc MEM_CREATE: handle %u dma %#llx", mc.handle, (unsigned long long)mc.dma_addr);
	/* MEM_MAP is the DRM path's; the misc numbering refuses it. */
	map.handle = mc.handle;
	CHECK_ERRNO(ioctl(fd, RKNPU_IOC_MISC(RKNPU_MEM_MAP, struct rknpu_mem_map), &map), EINVAL);
	d.handle = mc.handle;
	d.obj_addr = mc.obj_addr;
	CHECK_OK(ioctl(fd, IOCTL_RKNPU_MEM_DESTROY, &d));
	CHECK_ERRNO(ioctl(fd, RKNPU_IOC_MISC(0x3f, struct rknpu_action), &d), EINVAL);
	close(fd);
}

/* What outlives its file: a mapping, an exported dma-buf. Each keeps the
 * module loaded; the module unloads once they are gone. */
static void lifetimes_past_close(void)
{
	int fd = open_dev(RENDER), buf_fd = -1;
	struct rknpu_mem_create mc;
	struct rnpu_drm_prime_handle ph;
	uint8_t *p = NULL, *q;

	if (fd < 0 || mem_create(fd, 2 * PAGE, 0, &mc))
		goto out;
	p = mem_mmap(fd, mc.handle, 2 * PAGE);
	CHECK(p, "mmap: %s", strerror(errno));
	if (!p)
		goto out;
	fill(p, 2 * PAGE, 93);
	ph = (struct rnpu_drm_prime_handle){ .handle = mc.handle, .flags = RNPU_DRM_RDWR };
	CHECK_OK(ioctl(fd, RNPU_DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph));
	buf_fd = ph.fd;
	/* An open file: the module stays. */
	errno = 0;
	CHECK(syscall(SYS_delete_module, "rnpu", O_NONBLOCK) == -1 &&
		      (errno == EWOULDBLOCK || errno == EBUSY),
	      "rmmod with a file open: errno %d", errno);
	CHECK_OK(mem_destroy(fd, mc.handle));
	CHECK_OK(close(fd));
	fd = -1;
	/* The mapping still reads the pattern, and so does the dma-buf. */
	CHECK(first_mismatch(p, 2 * PAGE, 93) == 2 * PAGE, "mapping lost its bytes after close");
	munmap(p, 2 * PAGE);
	p = NULL;
	if (buf_fd >= 0) {
		q = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, buf_fd, 0);
		CHECK(q != MAP_FAILED && first_mismatch(q, 2 * PAGE, 93) == 2 * PAGE,
		      "dma-buf after close of its file");
		if (q != MAP_FAILED)
			munmap(q, 2 * PAGE);
		errno = 0;
		CHECK(syscall(SYS_delete_module, "rnpu", O_NONBLOCK) == -1 &&
			      (errno == EWOULDBLOCK || errno == EBUSY),
		      "rmmod with a dma-buf open: errno %d", errno);
	}
out:
	if (p)
		munmap(p, 2 * PAGE);
	if (buf_fd >= 0)
		close(buf_fd);
	if (fd >= 0)
		close(fd);
}

/* The tree's own program through librnpu's kernel transport: rnpu-demo
 * opens the card by path and runs int8 and fp16 matrix multiplications on
 * each core with real register-command streams, which the module's regcmd
 * validator must accept. The stand-in computes nothing, so every job must
 * complete and every result differ from the CPU: "6 failed, 0 errors" (an
 * error is a job or buffer the kernel refused). */
static void rnpu_demo_on_the_card(void)
{
	static char text[8192];
	char *argv[] = { "/bin/rnpu-demo", "-d", CARD, "-s", "4x64x32", "--no-mlp", NULL };
	int pipefd[2], status = -1;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	/* Only this case's lines count for the validator check below (the
	 * console keeps them all). */
	klogctl(5 /* SYSLOG_ACTION_CLEAR */, NULL, 0);
	CHECK_OK(pipe(pipefd));
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		alarm(120); /* bounded, whatever happens */
		execv(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	while (got < sizeof(text) - 1 && (n = read(pipefd[0], text + got, sizeof(text) - 1 - got)) > 0)
		got += (size_t)n;
	text[got] = 0;
	close(pipefd[0]);
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "rnpu-demo did not run");
	for (char *save, *l = strtok_r(strdup(text), "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		diag("rnpu-demo: %s", l);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1, "rnpu-demo exit status %#x", status);
	CHECK(strstr(text, "rnpu-demo: device " CARD " (kernel), hw version 0x46495245, driver 0.9.8"),
	      "rnpu-demo did not open the card through the kernel transport");
	CHECK(strstr(text, "rnpu-demo: 6 failed, 0 errors"), "rnpu-demo: jobs were refused");
	CHECK(!kmsg_has("regcmd validator", "session"), "the validator refused a job");
}

/* System sleep through the kernel's pm_test "devices" level: the
 * module's suspend switches the NPU off with a file open, a buffer mapped
 * and the power held on; after its resume the buffer holds its bytes, the
 * power is on again and a job completes. */
static void system_sleep(void)
{
	int fd = open_dev(RENDER);
	struct rknpu_mem_create mc;
	uint8_t *p = NULL;
	char buf[64];

	if (fd < 0 || mem_create(fd, PAGE, 0, &mc))
		goto out;
	p = mem_mmap(fd, mc.handle, PAGE);
	CHECK(p, "mmap: %s", strerror(errno));
	if (!p)
		goto out;
	fill(p, PAGE, 5);
	/* Power on through debugfs, so that suspend finds it on. */
	CHECK_OK(write_text(DEBUGFS "power", "on\n"));
	/* The kernel's sleep test: every device's suspend callbacks run,
	 * then after pm_test_delay its resume callbacks (qemu's RTC does not
	 * wake a suspend-to-idle guest). Returns after the resume. */
	CHECK_OK(write_text("/sys/power/pm_test", "devices"));
	CHECK_OK(write_text("/sys/power/state", "freeze"));
	write_text("/sys/power/pm_test", "none");
	CHECK(kmsg_has("PM: suspend exit", NULL), "no suspend exit in the kernel log");
	CHECK(!kmsg_has("RKNPU", "failed") && !kmsg_has("RKNPU", "error"),
	      "the module's suspend or resume failed");
	CHECK(first_mismatch(p, PAGE, 5) == PAGE, "buffer changed across the sleep");
	CHECK(read_text(DEBUGFS "power", buf, sizeof(buf)) > 0 && !strcmp(buf, "on\n"),
	      "power after resume '%s'", buf);
	CHECK_OK(write_text(DEBUGFS "power", "off\n"));
	submit_one(fd, 1, RKNPU_CORE0_MASK, RKNPU_CORE0_MASK);
	CHECK_OK(mem_destroy(fd, mc.handle));
out:
	if (p)
		munmap(p, PAGE);
	if (fd >= 0)
		close(fd);
}

/* ------------------------------------------------------ GEM objects */

/* The module's debugfs gem_objects: GEM objects alive, their bytes. */
static bool gem_live(long *objects, long *bytes)
{
	char buf[128];

	return read_text(DEBUGFS "gem_objects", buf, sizeof(buf)) > 0 &&
	       sscanf(buf, "objects: %ld\nbytes: %ld\n", objects, bytes) == 2;
}

/* Whether every GEM object has been freed within 5 s (an ended job's
 * references go in the core's reaper). */
static bool gem_all_freed(long *objects, long *bytes)
{
	*objects = *bytes = -1;
	for (int waited = 0; waited < 100; waited++) {
		if (gem_live(objects, bytes) && *objects == 0 && *bytes == 0)
			return true;
		usleep(50000);
	}
	return false;
}

/* The value of fdinfo key @key of @fd in @val; how many lines have it
 * (-1: no fdinfo). */
static int fdinfo_value(int fd, const char *key, char *val, size_t size)
{
	char buf[2048], *line, *save;
	size_t len = strlen(key);
	int found = 0;

	val[0] = 0;
	if (!fdinfo_of(fd, buf, sizeof(buf)))
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, key, len) && line[len] == ':' && line[len + 1] == '\t') {
			snprintf(val, size, "%s", line + len + 2);
			found++;
		}
	}
	return found;
}

/* fdinfo key @key of @fd is @want, on exactly one line. */
#define CHECK_FDINFO(fd, key, want)                                                     \
	do {                                                                            \
		char val_[64];                                                          \
		int n_ = fdinfo_value(fd, key, val_, sizeof(val_));                     \
		CHECK(n_ == 1 && !strcmp(val_, want), "%s: '%s' on %d lines, want '%s'", \
		      key, val_, n_, want);                                             \
	} while (0)

/* drm-shared-memory comes only from DRM's drm_show_memory_stats (6.5 on);
 * before, fdinfo is the core's text, which has total and resident only. */
#define CHECK_FDINFO_SHARED(fd, want)                                           \
	do {                                                                    \
		if (kernel_version >= 605) {                                    \
			CHECK_FDINFO(fd, "drm-shared-memory", want);            \
		} else {                                                        \
			char val_[64];                                          \
			int n_ = fdinfo_value(fd, "drm-shared-memory", val_, sizeof(val_)); \
			CHECK(n_ == 0, "drm-shared-memory on %d lines before 6.5, want none", n_); \
		}                                                               \
	} while (0)

/* DRM's memory keys count the file's GEM handles (drm_show_memory_stats):
 * the bytes this case allocated, the shared part once another file holds
 * a handle to the same buffer, back when handles go. */
static void gem_fdinfo_memory_stats(void)
{
	int fd = open_dev(RENDER), other = open_dev(CARD), buf_fd = -1;
	struct rknpu_mem_create small, mid, big;
	struct rnpu_drm_prime_handle ph;
	struct rnpu_drm_gem_close gc;
	long objects, bytes;

	CHECK(gem_all_freed(&objects, &bytes), "before: %ld GEM objects, %ld bytes alive", objects,
	      bytes);
	if (fd < 0 || other < 0 || mem_create(fd, PAGE, 0, &small) ||
	    mem_create(fd, 64 * 1024, RKNPU_MEM_CACHEABLE, &mid) ||
	    mem_create(fd, 1024 * 1024, RKNPU_MEM_KERNEL_MAPPING, &big)) {
		CHECK(0, "three buffers: %s", strerror(errno));
		goto out;
	}
	/* 4 KiB + 64 KiB + 1 MiB = 1092 KiB, DRM's unit rule. */
	CHECK_FDINFO(fd, "drm-total-memory", "1092 KiB");
	CHECK_FDINFO_SHARED(fd, "0");
	CHECK_FDINFO(fd, "drm-resident-memory", "1092 KiB");
	CHECK_FDINFO(other, "drm-total-memory", "0");
	CHECK(gem_live(&objects, &bytes) && objects == 3 && bytes == 1092 * 1024,
	      "%ld GEM objects, %ld bytes alive, want 3, %d", objects, bytes, 1092 * 1024);
	/* The 64 KiB buffer in another file through PRIME: shared in both. */
	ph = (struct rnpu_drm_prime_handle){ .handle = mid.handle, .flags = RNPU_DRM_CLOEXEC };
	CHECK_OK(ioctl(fd, RNPU_DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph));
	buf_fd = ph.fd;
	ph = (struct rnpu_drm_prime_handle){ .fd = buf_fd };
	CHECK_OK(ioctl(other, RNPU_DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph));
	CHECK_FDINFO(fd, "drm-total-memory", "1092 KiB");
	CHECK_FDINFO_SHARED(fd, "64 KiB");
	CHECK_FDINFO(other, "drm-total-memory", "64 KiB");
	CHECK_FDINFO_SHARED(other, "64 KiB");
	CHECK(gem_live(&objects, &bytes) && objects == 3,
	      "%ld GEM objects after the import of an own export, want 3", objects);
	gc = (struct rnpu_drm_gem_close){ .handle = ph.handle };
	CHECK_OK(ioctl(other, RNPU_DRM_IOCTL_GEM_CLOSE, &gc));
	CHECK_FDINFO(other, "drm-total-memory", "0");
	CHECK_FDINFO_SHARED(fd, "0");
	CHECK_OK(mem_destroy(fd, big.handle));
	CHECK_FDINFO(fd, "drm-total-memory", "68 KiB");
	CHECK_FDINFO(fd, "drm-resident-memory", "68 KiB");
out:
	if (buf_fd >= 0)
		close(buf_fd);
	if (fd >= 0)
		close(fd);
	if (other >= 0)
		close(other);
	CHECK(gem_all_freed(&objects, &bytes), "after close: %ld GEM objects, %ld bytes alive",
	      objects, bytes);
}

/* The DRM device's debugfs directory (/sys/kernel/debug/dri/N) by its
 * name file; 0 or -1. */
static int dri_debugfs_dir(char *dir, size_t size)
{
	char path[96], buf[256];

	for (int n = 0; n < 256; n++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%d/name", n);
		if (read_text(path, buf, sizeof(buf)) > 0 && !strncmp(buf, "rknpu ", 6)) {
			snprintf(dir, size, "/sys/kernel/debug/dri/%d", n);
			return 0;
		}
	}
	return -1;
}

/* Lines of debugfs clients naming this process on DRM minor @minor. */
static int dri_clients_of_mine(const char *dir, int minor)
{
	static char buf[8192];
	char path[128], comm[32], *line, *save;
	int pid, min, n = 0;

	snprintf(path, sizeof(path), "%s/clients", dir);
	if (read_text(path, buf, sizeof(buf)) <= 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%31s %d %d", comm, &pid, &min) == 3 && pid == getpid() &&
		    min == minor)
			n++;
	return n;
}

/* DRM's debugfs: the device's clients (its DRM files) come and go with
 * the files; gem_names exists because the driver is a GEM driver, with
 * only its header: flink names are the core's (docs/kmod.md). */
static void gem_dri_debugfs(void)
{
	char dir[64], path[128], buf[512];
	int fd, card;
	struct rknpu_mem_create mc;
	struct rnpu_drm_gem_flink fl;

	CHECK(dri_debugfs_dir(dir, sizeof(dir)) == 0, "no /sys/kernel/debug/dri/N/name 'rknpu ...'");
	if (case_failed)
		return;
	diag("DRM debugfs: %s", dir);
	CHECK(dri_clients_of_mine(dir, 128) == 0 && dri_clients_of_mine(dir, 0) == 0,
	      "clients of pid %d before open", getpid());
	fd = open_dev(RENDER);
	card = open_dev(CARD);
	if (fd < 0 || card < 0)
		goto out;
	CHECK(dri_clients_of_mine(dir, 128) == 1 && dri_clients_of_mine(dir, 0) == 1,
	      "clients of pid %d: render %d, card %d, want 1 and 1", getpid(),
	      dri_clients_of_mine(dir, 128), dri_clients_of_mine(dir, 0));
	if (!mem_create(fd, PAGE, 0, &mc)) {
		fl = (struct rnpu_drm_gem_flink){ .handle = mc.handle };
		CHECK_OK(ioctl(fd, RNPU_DRM_IOCTL_GEM_FLINK, &fl));
	}
	snprintf(path, sizeof(path), "%s/gem_names", dir);
	CHECK(read_text(path, buf, sizeof(buf)) > 0 && strstr(buf, "name") &&
		      strstr(buf, "handles") && strchr(buf, '\n') == buf + strlen(buf) - 1,
	      "gem_names '%s'", buf);
out:
	if (fd >= 0)
		close(fd);
	if (card >= 0)
		close(card);
	CHECK(dri_clients_of_mine(dir, 128) == 0 && dri_clients_of_mine(dir, 0) == 0,
	      "clients of pid %d after close", getpid());
}

/* A GEM object outlives the handle that created it while a mapping and a
 * dma-buf hold it; the last of them frees it. */
static void gem_outlives_handle(void)
{
	int fd = open_dev(RENDER), buf_fd = -1;
	struct rknpu_mem_create mc;
	struct rnpu_drm_prime_handle ph;
	long objects, bytes, refs;
	uint8_t *p = NULL, *q = MAP_FAILED;

	CHECK(gem_all_freed(&objects, &bytes), "before: %ld GEM objects alive", objects);
	if (fd < 0 || mem_create(fd, 2 * PAGE, 0, &mc))
		goto out;
	p = mem_mmap(fd, mc.handle, 2 * PAGE);
	CHECK(p, "mmap: %s", strerror(errno));
	if (!p)
		goto out;
	fill(p, 2 * PAGE, 57);
	ph = (struct rnpu_drm_prime_handle){ .handle = mc.handle, .flags = RNPU_DRM_RDWR };
	CHECK_OK(ioctl(fd, RNPU_DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph));
	buf_fd = ph.fd;
	CHECK_OK(mem_destroy(fd, mc.handle));
	/* No handle: nothing in the file's table, the object still alive. */
	CHECK_FDINFO(fd, "drm-total-memory", "0");
	CHECK(gem_live(&objects, &bytes) && objects == 1 && bytes == 2 * PAGE,
	      "without a handle: %ld GEM objects, %ld bytes, want 1, %u", objects, bytes, 2 * PAGE);
	CHECK(first_mismatch(p, 2 * PAGE, 57) == 2 * PAGE, "mapping lost its bytes");
	munmap(p, 2 * PAGE);
	p = NULL;
	CHECK(gem_live(&objects, &bytes) && objects == 1, "after munmap: %ld GEM objects, want 1",
	      objects);
	if (buf_fd >= 0) {
		q = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, buf_fd, 0);
		CHECK(q != MAP_FAILED && first_mismatch(q, 2 * PAGE, 57) == 2 * PAGE,
		      "dma-buf lost its bytes");
		close(buf_fd);
		buf_fd = -1;
		/* The dma-buf's mapping holds it after its fd closed. */
		CHECK(gem_live(&objects, &bytes) && objects == 1,
		      "dma-buf mapped, fd closed: %ld GEM objects, want 1", objects);
		if (q != MAP_FAILED)
			munmap(q, 2 * PAGE);
		q = MAP_FAILED;
	}
	CHECK(gem_all_freed(&objects, &bytes), "last user gone: %ld GEM objects alive", objects);
out:
	if (p)
		munmap(p, 2 * PAGE);
	if (q != MAP_FAILED)
		munmap(q, 2 * PAGE);
	if (buf_fd >= 0)
		close(buf_fd);
	if (fd >= 0)
		close(fd);
	refs = read_number("/sys/module/rnpu/refcnt");
	CHECK(refs == 0, "rnpu refcnt %ld with everything closed", refs);
}

/* A file closed with buffers and a job the NPU never finishes: close
 * waits for the job's watchdog, and every GEM object the file held goes,
 * but the one exported and mapped through its dma-buf, which goes with
 * that mapping. (A mapping through the DRM node would keep the file
 * itself open.) */
static void gem_close_with_buffers_and_job(void)
{
	int fd = open_dev(RENDER), buf_fd = -1;
	struct job_bufs b;
	struct rknpu_submit s;
	struct rknpu_mem_create extra;
	struct rnpu_drm_prime_handle ph;
	struct timespec t0, t1;
	long objects, bytes;
	uint8_t *p = MAP_FAILED;

	CHECK(gem_all_freed(&objects, &bytes), "before: %ld GEM objects alive", objects);
	if (fd < 0 || !job_bufs_make(fd, &b, 1) || mem_create(fd, 16 * PAGE, 0, &extra)) {
		CHECK(0, "buffers: %s", strerror(errno));
		goto out;
	}
	ph = (struct rnpu_drm_prime_handle){ .handle = b.cmd.handle,
					     .flags = RNPU_DRM_CLOEXEC | RNPU_DRM_RDWR };
	CHECK_OK(ioctl(fd, RNPU_DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph));
	buf_fd = ph.fd;
	if (buf_fd >= 0)
		p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, buf_fd, 0);
	CHECK(p != MAP_FAILED, "dma-buf mmap: %s", strerror(errno));
	CHECK(gem_live(&objects, &bytes) && objects == 3 && bytes == 18 * PAGE,
	      "%ld GEM objects, %ld bytes, want 3, %u", objects, bytes, 18 * PAGE);
	CHECK_OK(write_text(FAKE_PARAM "hang", "1"));
	submit_init(&s, &b, 1, RKNPU_CORE1_MASK, 300);
	s.flags |= RKNPU_JOB_NONBLOCK;
	CHECK_OK(ioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_OK(close(fd));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fd = -1;
	diag("close with the job in flight took %ld ms",
	     (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	write_text(FAKE_PARAM "hang", "0");
	CHECK(gem_live(&objects, &bytes) && objects == 1 && bytes == PAGE,
	      "after close: %ld GEM objects, %ld bytes, want 1, %u (the exported one)", objects,
	      bytes, PAGE);
out:
	if (p != MAP_FAILED)
		munmap(p, PAGE);
	if (buf_fd >= 0)
		close(buf_fd);
	if (fd >= 0)
		close(fd);
	CHECK(gem_all_freed(&objects, &bytes), "at the end: %ld GEM objects, %ld bytes alive",
	      objects, bytes);
	CHECK(read_number("/sys/module/rnpu/refcnt") == 0, "rnpu refcnt %ld at the end",
	      read_number("/sys/module/rnpu/refcnt"));
}

static void unload_modules(void)
{
	long refs = read_number("/sys/module/rnpu/refcnt");
	struct stat st;

	CHECK(refs == 0, "rnpu refcnt %ld with every file closed", refs);
	CHECK_OK(syscall(SYS_delete_module, "rnpu", O_NONBLOCK));
	CHECK(stat("/sys/module/rnpu", &st) != 0, "/sys/module/rnpu still there");
	CHECK(stat(RENDER, &st) != 0 && stat(MISC, &st) != 0, "device nodes still there");
	CHECK_OK(syscall(SYS_delete_module, "rnpu_fakenpu", O_NONBLOCK));
	CHECK_OK(syscall(SYS_delete_module, "drm", O_NONBLOCK));
}

/* The module again: load, one job, unload, to see that the first unload
 * left nothing behind that a second load trips over. */
static void reload(void)
{
	load_modules();
	if (!case_failed) {
		int fd = open_dev(RENDER);

		if (fd >= 0) {
			submit_one(fd, 1, RKNPU_CORE_AUTO_MASK, RKNPU_CORE0_MASK);
			close(fd);
		}
	}
	unload_modules();
}

/* debugfs volt without a vdd supply reads 0, as GET_VOLT answers for the
 * same state (the vendor prints the voltage unsigned; a NULL-guarded read
 * of a missing supply gives 0), never an errno such as -19. */
static void debugfs_volt_no_supply(void)
{
	int fd = open_dev(RENDER);
	char buf[64];
	uint32_t v = 12345;

	CHECK(read_text(DEBUGFS "volt", buf, sizeof(buf)) > 0 && !strcmp(buf, "0\n"),
	      "volt '%s'", buf);
	if (fd >= 0) {
		CHECK_OK(action(fd, RKNPU_GET_VOLT, &v));
		CHECK(v == 0, "GET_VOLT %u without a supply", v);
		close(fd);
	}
}

/* The largest "elapsed time: Nus" in the kernel log (-1: none). */
static long long kmsg_max_elapsed_us(void)
{
	static char log[1 << 20];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log) - 1);
	long long max = -1, v;
	char *p;

	if (n < 0)
		return -1;
	log[n] = 0;
	for (p = log; (p = strstr(p, "elapsed time: ")); p++)
		if (sscanf(p, "elapsed time: %lldus", &v) == 1 && v > max)
			max = v;
	return max;
}

/* A job still queued behind a hung one when its own timeout ends it never
 * reached the NPU: its timeout lines say so, with its time in the queue;
 * no line counts an elapsed time from 0 (the time since boot). */
static void timeout_before_start_log(void)
{
	int fd = open_dev(RENDER);
	struct job_bufs b;
	struct rknpu_submit hung, queued;
	struct pollfd pfd;
	long long max;

	if (fd < 0 || !job_bufs_make(fd, &b, 1))
		goto out;
	klogctl(5 /* SYSLOG_ACTION_CLEAR */, NULL, 0);
	CHECK_OK(write_text(FAKE_PARAM "hang", "1"));
	submit_init(&hung, &b, 1, RKNPU_CORE1_MASK, 1500);
	hung.flags |= RKNPU_JOB_NONBLOCK | RKNPU_JOB_FENCE_OUT;
	CHECK_OK(ioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &hung));
	submit_init(&queued, &b, 1, RKNPU_CORE1_MASK, 50);
	queued.flags |= RKNPU_JOB_NONBLOCK | RKNPU_JOB_FENCE_OUT;
	CHECK_OK(ioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &queued));
	if (queued.fence_fd >= 0) {
		pfd = (struct pollfd){ .fd = queued.fence_fd, .events = POLLIN };
		CHECK(poll(&pfd, 1, 10000) == 1, "queued job's fence not signalled");
		close(queued.fence_fd);
	}
	if (hung.fence_fd >= 0) {
		pfd = (struct pollfd){ .fd = hung.fence_fd, .events = POLLIN };
		CHECK(poll(&pfd, 1, 10000) == 1, "hung job's fence not signalled");
		close(hung.fence_fd);
	}
	write_text(FAKE_PARAM "hang", "0");
	/* The watchdog's lines follow the fence: bounded wait for them. */
	for (int waited = 0; waited < 100 && !kmsg_has("core 1 irq status", "elapsed time"); waited++)
		usleep(20000);
	CHECK(kmsg_has("core 1 irq status", "not started, queued for"),
	      "no 'not started' line for the queued job");
	max = kmsg_max_elapsed_us();
	diag("largest elapsed time logged: %lld us", max);
	CHECK(max >= 0 && max < 10 * 1000 * 1000, "elapsed time %lld us, not the job's", max);
	job_bufs_free(fd, &b);
out:
	if (fd >= 0)
		close(fd);
}

/* The stand-in cannot be unloaded while the driver is bound to its
 * device (it holds itself), so the device never vanishes under rnpu;
 * once rnpu is gone it unloads, and rnpu binds a re-registered device. */
static void fakenpu_unload_while_bound(void)
{
	struct stat st;
	long refs = read_number("/sys/module/rnpu_fakenpu/refcnt");

	/* The bind's reference, and one per interrupt the driver requested
	 * (the kernel takes the irq_desc owner's module). */
	diag("rnpu_fakenpu refcnt while bound: %ld", refs);
	CHECK(refs >= 1, "stand-in refcnt %ld while bound", refs);
	errno = 0;
	CHECK(syscall(SYS_delete_module, "rnpu_fakenpu", O_NONBLOCK) == -1 &&
		      (errno == EWOULDBLOCK || errno == EBUSY),
	      "rmmod rnpu_fakenpu while bound: errno %d", errno);
	CHECK(stat(RENDER, &st) == 0, "device node gone after the refused unload");
	CHECK(stat("/sys/bus/platform/devices/RKNPU/driver", &st) == 0, "driver unbound");
}

/* Runs @argv with @env, its output (stdout and stderr) in @text; bounded
 * by @seconds. Returns the wait status, -1 if it did not run. */
static int run_program(char *const argv[], char *const env[], unsigned int seconds, char *text,
		       size_t size)
{
	int pipefd[2], status = -1;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	text[0] = 0;
	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		alarm(seconds); /* bounded, whatever happens */
		execve(argv[0], argv, env);
		_exit(127);
	}
	close(pipefd[1]);
	while (got < size - 1 && (n = read(pipefd[0], text + got, size - 1 - got)) > 0)
		got += (size_t)n;
	text[got] = 0;
	close(pipefd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* One of the tree's UAPI tests (tests/uapi/) with RNPU_UAPI_DEVICE set to
 * the render node: its cases open the module's node instead of the
 * software NPU and find the driver's lines in the kernel log. It skips
 * exactly the cases that need the software NPU (UAPI_SIM_ONLY: a product
 * the NPU computes, its hang, clock, rail, reset lines or counters, the
 * board's device name, a memfd taken as a dma-buf, CMA): @want_skipped of
 * them; every other case must pass. */
static void uapi_test_on_render(const char *name, unsigned int want_skipped)
{
	static char text[1 << 16];
	char path[64];
	char *argv[] = { path, NULL };
	char *env[] = { "RNPU_UAPI_DEVICE=" RENDER, "CMOCKA_MESSAGE_OUTPUT=TAP", NULL };
	unsigned int passed = 0, skipped = 0, failed = 0;
	char *line, *save;
	int status;

	snprintf(path, sizeof(path), "/bin/%s", name);
	status = run_program(argv, env, 240, text, sizeof(text));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* cmocka's TAP: "ok N - name", "not ok N - name", a skip is
		 * "not ok N # SKIP name"; other lines are its diagnostics. */
		if (strstr(line, "# SKIP") && strstr(line, "ok ")) {
			skipped++;
		} else if (!strncmp(line, "not ok", 6)) {
			failed++;
			diag("%s: %s", name, line);
		} else if (!strncmp(line, "ok ", 3)) {
			passed++;
		} else if (line[0] && !strstr(line, "needs the software NPU")) {
			diag("%s: %s", name, line);
		}
	}
	diag("%s on " RENDER ": %u passed, %u skipped, %u failed", name, passed, skipped, failed);
	CHECK(status == 0, "%s exit status %#x, %u failed", name, status, failed);
	CHECK(failed == 0 && passed > 0, "%s: %u failed, %u passed", name, failed, passed);
	CHECK(skipped == want_skipped, "%s skipped %u cases, not the %u that need the software NPU",
	      name, skipped, want_skipped);
}

static void uapi_conformance_on_render(void)
{
	uapi_test_on_render("uapi_conformance", 13);
}

/* The regcmd validator's refusals and acceptances (a job it accepts must
 * complete; the product is not compared). The 64 MiB per-job limit is
 * reached with program copies in 1 MiB segments: no CMA needed. */
static void uapi_validator_on_render(void)
{
	uapi_test_on_render("uapi_validator", 0);
}

/* The validator's memory of accepted programs, counted in the render
 * file's fdinfo (products not compared). */
static void uapi_validator_cache_on_render(void)
{
	uapi_test_on_render("uapi_validator_cache", 0);
}

/* The per-session limits (tests/uapi/uapi_limits.c) with the module
 * loaded as that test's host configures itself: session_max_bos=8,
 * session_max_bytes=65536. Loads, runs and unloads the module. */
static void uapi_limits_on_render(void)
{
	rnpu_params = "session_max_bos=8 session_max_bytes=65536";
	load_modules();
	rnpu_params = "";
	if (!case_failed)
		uapi_test_on_render("uapi_limits", 0);
	unload_modules();
}

int main(void)
{
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	{
		FILE *f = fopen("/proc/sys/kernel/osrelease", "r");
		unsigned int major, minor;

		if (f && fscanf(f, "%u.%u", &major, &minor) == 2) {
			snprintf(kernel_label, sizeof(kernel_label), "%u.%u", major, minor);
			kernel_version = major * 100 + minor;
		}
		if (f)
			fclose(f);
	}
	out = fopen("/dev/ttyS1", "w");
	if (!out)
		out = stdout;

	fprintf(out, "TAP version 13\n");
	run("kmod-vm-load", load_modules);
	if (!case_failed) {
		run("kmod-vm-device-nodes", device_nodes);
		run("kmod-vm-drm-version", drm_version);
		run("kmod-vm-drm-get-unique", drm_get_unique);
		run("kmod-vm-action-queries", action_queries);
		run("kmod-vm-mem-every-flag", mem_every_flag);
		run("kmod-vm-mem-bad-arguments", mem_bad_arguments);
		run("kmod-vm-prime-export-import", prime_export_import);
		run("kmod-vm-gem-flink-open-close", gem_flink_open_close);
		run("kmod-vm-submit-blocking", submit_blocking);
		run("kmod-vm-submit-bad-arguments", submit_bad_arguments);
		run("kmod-vm-submit-nonblock-fence", submit_nonblock_fence);
		run("kmod-vm-submit-hang-then-recover", submit_hang_then_recover);
		run("kmod-vm-close-with-job-in-flight", close_with_job_in_flight);
		run("kmod-vm-debugfs-files", debugfs_files);
		run("kmod-vm-fdinfo-usage-stats", fdinfo_usage_stats);
		run("kmod-vm-misc-node-buffers", misc_node_buffers);
		run("kmod-vm-lifetimes-past-close", lifetimes_past_close);
		run("kmod-vm-rnpu-demo-on-the-card", rnpu_demo_on_the_card);
		run("kmod-vm-system-sleep-test", system_sleep);
		run("kmod-vm-gem-fdinfo-memory-stats", gem_fdinfo_memory_stats);
		run("kmod-vm-gem-dri-debugfs", gem_dri_debugfs);
		run("kmod-vm-gem-outlives-handle", gem_outlives_handle);
		run("kmod-vm-gem-close-with-buffers-and-job", gem_close_with_buffers_and_job);
		run("kmod-vm-debugfs-volt-no-supply", debugfs_volt_no_supply);
		run("kmod-vm-timeout-before-start-log", timeout_before_start_log);
		run("kmod-vm-fakenpu-unload-while-bound", fakenpu_unload_while_bound);
		run("kmod-vm-uapi-conformance-render", uapi_conformance_on_render);
		run("kmod-vm-uapi-validator-render", uapi_validator_on_render);
		run("kmod-vm-uapi-validator-cache-render", uapi_validator_cache_on_render);
		run("kmod-vm-unload", unload_modules);
		run("kmod-vm-reload", reload);
		run("kmod-vm-uapi-limits-render", uapi_limits_on_render);
	}
	fprintf(out, "1..%u\n", test_no);
	fprintf(out, "# kmod-vm: %u failed\n", failures);
	fclose(out);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
