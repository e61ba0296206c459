// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * libFuzzer target over the driver core's ioctl and mmap entry points, in
 * the in-process host (core + software NPU).
 *
 * One host lives for the whole process; each input opens a few sessions,
 * runs a sequence of records against them, and closes everything again, so
 * LeakSanitizer and the host's buffer counters can check that nothing is
 * left behind. A record is
 *
 *     u8 file   session index (mod FUZZ_FILES)
 *     u8 op     what to do (mod OP_COUNT, see enum fuzz_op)
 *     u8 fix    which fields to replace with values the harness has seen
 *     u8 pick   which of those values (index into the harness tables)
 *     payload   op_info[op].len bytes: the ioctl struct, or op arguments
 *
 * (tests/fuzz/make_corpus.py writes seeds in this format.)
 *
 * The core treats every ioctl argument as a user pointer, so the harness
 * never lets a fuzzed pointer through: pointer fields become harness
 * buffers or NULL, fd fields become harness-owned fds or -1. Everything
 * else reaches the core as the fuzzer wrote it, except what would only make
 * an iteration slow: submit timeouts (blocking waits, nonblocking jobs'
 * watchdogs, FENCE_IN waits) are cut to at most 20 ms, and buffer
 * sizes are folded below 64 MiB (sizes past 4 GiB still go through, to
 * reach the size check).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "drm/rknpu_ioctl.h"
#include "drm/rnpu_drm_core.h"
#include "osal_posix.h"
#include "rk3588_sim.h"
#include "rknpu_device.h"
#include "rnpu/matmul_task.h"
#include "rnpu_host.h"

#define FUZZ_FILES 3
/* A failing submit costs up to ~0.3 s (three waits, abort, reset): the
 * record cap bounds one input at about 10 s. */
#define FUZZ_MAX_RECORDS 32
#define FUZZ_TABLE 32
#define FUZZ_MAX_TIMEOUT_MS 20
#define FUZZ_SIZE_FOLD (64ull << 20)
#define FUZZ_RAW_BUF 16384          /* _IOC_SIZE can name up to 16383 bytes */
#define FUZZ_STR_BUF 64
#define FUZZ_SIM_ALLOC_LIMIT (64ull << 20)

enum fuzz_op {
	OP_ACTION_D, OP_ACTION_R,
	OP_SUBMIT_D, OP_SUBMIT_R,
	OP_CREATE48_D, OP_CREATE40_D, OP_CREATE32_D,
	OP_CREATE48_R, OP_CREATE40_R, OP_CREATE32_R,
	OP_MAP_D, OP_MAP_R,
	OP_DESTROY_D, OP_DESTROY_R,
	OP_SYNC_D, OP_SYNC_R,
	OP_GEM_CLOSE, OP_GEM_FLINK, OP_GEM_OPEN,
	OP_PRIME_TO_FD, OP_PRIME_FROM_FD,
	OP_VERSION, OP_GET_UNIQUE,
	OP_RAW,         /* any command number over a zeroed harness buffer */
	OP_MMAP,        /* rnpu_host_mmap of an offset, optional write, munmap */
	OP_PROGRAM,     /* a valid matmul program written into known buffers */
	OP_DEBUG,       /* switch the core's trace categories */
	OP_COUNT
};

/* Payload sizes. Ioctl ops carry their struct; the rest their arguments. */
#define RAW_PAYLOAD 108    /* u32 cmd + 104 struct bytes (a whole submit) */
#define MMAP_PAYLOAD 48    /* u64 offset, u32 length, u32 at, u8 n, 31 bytes */
#define PROGRAM_PAYLOAD 8

static const struct {
	unsigned int cmd;
	unsigned int len;
} op_info[OP_COUNT] = {
	[OP_ACTION_D] = { DRM_IOCTL_RKNPU_ACTION, sizeof(struct rknpu_action) },
	[OP_ACTION_R] = { IOCTL_RKNPU_ACTION, sizeof(struct rknpu_action) },
	[OP_SUBMIT_D] = { DRM_IOCTL_RKNPU_SUBMIT, sizeof(struct rknpu_submit) },
	[OP_SUBMIT_R] = { IOCTL_RKNPU_SUBMIT, sizeof(struct rknpu_submit) },
	[OP_CREATE48_D] = { DRM_IOCTL_RKNPU_MEM_CREATE, RKNPU_MEM_CREATE_SIZE_V3 },
	[OP_CREATE40_D] = { DRM_IOCTL_RKNPU_MEM_CREATE_V2, RKNPU_MEM_CREATE_SIZE_V2 },
	[OP_CREATE32_D] = { DRM_IOCTL_RKNPU_MEM_CREATE_V1, RKNPU_MEM_CREATE_SIZE_V1 },
	[OP_CREATE48_R] = { IOCTL_RKNPU_MEM_CREATE, RKNPU_MEM_CREATE_SIZE_V3 },
	[OP_CREATE40_R] = { _IOC(_IOC_READ | _IOC_WRITE, RKNPU_MISC_IOCTL_TYPE, RKNPU_MEM_CREATE,
				 RKNPU_MEM_CREATE_SIZE_V2), RKNPU_MEM_CREATE_SIZE_V2 },
	[OP_CREATE32_R] = { _IOC(_IOC_READ | _IOC_WRITE, RKNPU_MISC_IOCTL_TYPE, RKNPU_MEM_CREATE,
				 RKNPU_MEM_CREATE_SIZE_V1), RKNPU_MEM_CREATE_SIZE_V1 },
	[OP_MAP_D] = { DRM_IOCTL_RKNPU_MEM_MAP, sizeof(struct rknpu_mem_map) },
	[OP_MAP_R] = { IOCTL_RKNPU_MEM_MAP, sizeof(struct rknpu_mem_map) },
	[OP_DESTROY_D] = { DRM_IOCTL_RKNPU_MEM_DESTROY, sizeof(struct rknpu_mem_destroy) },
	[OP_DESTROY_R] = { IOCTL_RKNPU_MEM_DESTROY, sizeof(struct rknpu_mem_destroy) },
	[OP_SYNC_D] = { DRM_IOCTL_RKNPU_MEM_SYNC, sizeof(struct rknpu_mem_sync) },
	[OP_SYNC_R] = { IOCTL_RKNPU_MEM_SYNC, sizeof(struct rknpu_mem_sync) },
	[OP_GEM_CLOSE] = { RNPU_DRM_IOCTL_GEM_CLOSE, sizeof(struct rnpu_drm_gem_close) },
	[OP_GEM_FLINK] = { RNPU_DRM_IOCTL_GEM_FLINK, sizeof(struct rnpu_drm_gem_flink) },
	[OP_GEM_OPEN] = { RNPU_DRM_IOCTL_GEM_OPEN, sizeof(struct rnpu_drm_gem_open) },
	[OP_PRIME_TO_FD] = { RNPU_DRM_IOCTL_PRIME_HANDLE_TO_FD,
			     sizeof(struct rnpu_drm_prime_handle) },
	[OP_PRIME_FROM_FD] = { RNPU_DRM_IOCTL_PRIME_FD_TO_HANDLE,
			       sizeof(struct rnpu_drm_prime_handle) },
	[OP_VERSION] = { RNPU_DRM_IOCTL_VERSION, sizeof(struct rnpu_drm_version) },
	[OP_GET_UNIQUE] = { RNPU_DRM_IOCTL_GET_UNIQUE, sizeof(struct rnpu_drm_unique) },
	[OP_RAW] = { 0, RAW_PAYLOAD },
	[OP_MMAP] = { 0, MMAP_PAYLOAD },
	[OP_PROGRAM] = { 0, PROGRAM_PAYLOAD },
	[OP_DEBUG] = { 0, 1 },
};

/* What a command reaches inside the core, decided as rknpu_ioctl() does:
 * misc numbering by nr alone, anything else by nr in the DRM ranges. */
enum fuzz_target {
	T_NONE, T_ACTION, T_SUBMIT, T_CREATE, T_MAP, T_DESTROY, T_SYNC,
	T_VERSION, T_UNIQUE, T_CLOSE, T_FLINK, T_OPEN, T_TO_FD, T_FROM_FD,
};

static enum fuzz_target cmd_target(unsigned int cmd)
{
	static const enum fuzz_target drv[] = { T_ACTION, T_SUBMIT, T_CREATE,
						T_MAP, T_DESTROY, T_SYNC };
	unsigned int nr = _IOC_NR(cmd);

	if (_IOC_TYPE(cmd) == RKNPU_MISC_IOCTL_TYPE)
		return nr < 6 ? drv[nr] : T_NONE;
	if (nr >= RKNPU_DRM_COMMAND_BASE && nr < RKNPU_DRM_COMMAND_BASE + 6)
		return drv[nr - RKNPU_DRM_COMMAND_BASE];
	switch (nr) {
	case 0x00: return T_VERSION;
	case 0x01: return T_UNIQUE;
	case 0x09: return T_CLOSE;
	case 0x0a: return T_FLINK;
	case 0x0b: return T_OPEN;
	case 0x2d: return T_TO_FD;
	case 0x2e: return T_FROM_FD;
	default: return T_NONE;
	}
}

/* ---------------------------------------------------------- run state */

struct known_bo {
	unsigned int file;
	uint32_t handle;
	uint64_t size;
	uint64_t cookie;
	uint64_t dma;
};

struct fuzz_run {
	struct rknpu_file *files[FUZZ_FILES];
	struct known_bo bos[FUZZ_TABLE];
	unsigned int nbos;
	uint64_t offsets[FUZZ_TABLE];
	unsigned int noffsets;
	uint32_t names[FUZZ_TABLE];
	unsigned int nnames;
	int fds[FUZZ_TABLE];            /* every fd here is closed at the end */
	unsigned int nfds;
	uint32_t program_tasks;         /* tasks of the last OP_PROGRAM */
	uint64_t program_task_cookie;
	char str[3][FUZZ_STR_BUF];
};

static struct rnpu_host *fuzz_host;
static unsigned char *fuzz_raw;
static bool fuzz_verbose;         /* RNPU_FUZZ_VERBOSE: one line per call */

static void discard_log(void *ctx, int level, const char *line)
{
	(void)ctx;
	(void)level;
	(void)line;
}

static void fuzz_cleanup(void)
{
	rnpu_host_destroy(fuzz_host);
	fuzz_host = NULL;
	free(fuzz_raw);
	fuzz_raw = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct rnpu_host_config cfg;
	int ret;

	(void)argc;
	(void)argv;
	/* Log lines are still formatted (that code is fuzzed too), just not
	 * printed, unless RNPU_FUZZ_LOG asks for them. */
	if (!getenv("RNPU_FUZZ_LOG"))
		rnpu_posix_set_log_sink(discard_log, NULL);
	fuzz_verbose = getenv("RNPU_FUZZ_VERBOSE") != NULL;
	rnpu_host_default_config(&cfg);
	/* RNPU_SIM_TRACE may stay on for replaying a reproducer; the core's
	 * trace categories are the fuzzer's to choose (OP_DEBUG). */
	cfg.debug_mask = 0;
	ret = rnpu_host_create(&cfg, &fuzz_host);
	if (ret) {
		fprintf(stderr, "fuzz_ioctl: host creation failed: %d\n", ret);
		abort();
	}
	/* Fuzzed register programs may describe huge tensors; keep each
	 * task's working memory well inside the fuzzer's RSS limit. */
	rk3588_sim_set_alloc_limit(rnpu_host_sim(fuzz_host), FUZZ_SIM_ALLOC_LIMIT);
	fuzz_raw = malloc(FUZZ_RAW_BUF);
	if (!fuzz_raw)
		abort();
	atexit(fuzz_cleanup);
	return 0;
}

/* --------------------------------------------------------- input reader */

struct reader {
	const uint8_t *p;
	size_t left;
};

/* Copies @n bytes, zero-filling past the end of the input. */
static void take(struct reader *r, void *dst, size_t n)
{
	size_t k = n < r->left ? n : r->left;

	memcpy(dst, r->p, k);
	memset((uint8_t *)dst + k, 0, n - k);
	r->p += k;
	r->left -= k;
}

static uint8_t take_u8(struct reader *r)
{
	uint8_t v;

	take(r, &v, 1);
	return v;
}

/* ------------------------------------------------------ harness tables */

static void remember_fd(struct fuzz_run *run, int fd)
{
	if (fd < 0)
		return;
	if (run->nfds < FUZZ_TABLE)
		run->fds[run->nfds++] = fd;
	else
		close(fd); /* the table is full; the harness still owns it */
}

static void remember_bo(struct fuzz_run *run, unsigned int file, uint32_t handle,
			const struct rknpu_mem_create *mc)
{
	struct known_bo *b = &run->bos[run->nbos % FUZZ_TABLE];

	b->file = file;
	b->handle = handle;
	b->size = mc ? mc->size : 0;
	b->cookie = mc ? mc->obj_addr : 0;
	b->dma = mc ? mc->dma_addr : 0;
	run->nbos++;
	if (fuzz_verbose)
		fprintf(stderr, "fuzz_ioctl: bo %u: file %u handle %u size %llu dma 0x%llx\n",
			run->nbos - 1, file, handle, (unsigned long long)b->size,
			(unsigned long long)b->dma);
}

static const struct known_bo *pick_bo(const struct fuzz_run *run, uint8_t pick)
{
	unsigned int n = run->nbos < FUZZ_TABLE ? run->nbos : FUZZ_TABLE;

	return n ? &run->bos[pick % n] : NULL;
}

static uint32_t pick_handle(const struct fuzz_run *run, uint8_t pick)
{
	const struct known_bo *b = pick_bo(run, pick);

	return b ? b->handle : 0;
}

static uint64_t pick_cookie(const struct fuzz_run *run, uint8_t pick)
{
	const struct known_bo *b = pick_bo(run, pick);

	return b ? b->cookie : 0;
}

static uint64_t pick_offset(const struct fuzz_run *run, uint8_t pick)
{
	unsigned int n = run->noffsets < FUZZ_TABLE ? run->noffsets : FUZZ_TABLE;

	return n ? run->offsets[pick % n] : 0;
}

static int pick_fd(const struct fuzz_run *run, uint8_t pick)
{
	/* One extra choice stands for "no fd at all". */
	unsigned int n = run->nfds;

	return (pick % (n + 1)) < n ? run->fds[pick % (n + 1)] : -1;
}

/* A page-sized memfd and a not-page-sized one: foreign dma-bufs; plus a
 * pipe, which is not a dma-buf at all. */
static void make_foreign_fds(struct fuzz_run *run)
{
	static const size_t sizes[] = { 4096, 8192, 100 };
	int p[2];
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int fd = memfd_create("fuzz-foreign", MFD_CLOEXEC | MFD_ALLOW_SEALING);

		if (fd < 0)
			continue;
		if (ftruncate(fd, (off_t)sizes[i]) < 0) {
			close(fd);
			continue;
		}
		remember_fd(run, fd);
	}
	if (pipe2(p, O_CLOEXEC) == 0) {
		remember_fd(run, p[0]);
		remember_fd(run, p[1]);
	}
}

/* ------------------------------------------------- argument sanitising */

/* fix bits: which fields the harness replaces with known values. */
#define FIX_HANDLE 0x01u
#define FIX_COOKIE 0x02u
#define FIX_RANGE 0x04u   /* submit: task ranges of the last program */
#define FIX_NAME 0x08u
#define FIX_PC 0x10u      /* submit: set the PC flag */
#define FIX_NULLPTR 0x20u /* GET_UNIQUE, VERSION name: NULL instead of a buffer;
			   * VERSION date and desc use the next two bits */

static void fix_submit(struct fuzz_run *run, struct rknpu_submit *s, uint8_t fix, uint8_t pick)
{
	unsigned int i;

	/* A blocking wait may take up to three timeouts, then an abort; a
	 * nonblocking job's watchdog and a FENCE_IN wait use the same value:
	 * the timeout is what bounds the iteration. */
	s->timeout %= FUZZ_MAX_TIMEOUT_MS + 1;
	s->flags &= RKNPU_JOB_MASK;
	if (fix & FIX_PC)
		s->flags |= RKNPU_JOB_PC;
	/* FENCE_IN reads an fd: one of the harness's (a fence from an
	 * earlier FENCE_OUT, a dma-buf, a pipe) or -1. */
	s->fence_fd = pick_fd(run, pick);
	if (fix & FIX_COOKIE)
		s->task_obj_addr = run->program_tasks ? run->program_task_cookie
						      : pick_cookie(run, pick);
	if ((fix & FIX_RANGE) && run->program_tasks) {
		s->task_obj_addr = run->program_task_cookie;
		/* PC_DMA_BASE_ADDR offsets every data address of the program;
		 * the builder wrote absolute ones. */
		s->task_base_addr = 0;
		s->task_start = 0;
		s->task_number = run->program_tasks;
		for (i = 0; i < RKNPU_MAX_SUBCORE_TASKS; i++)
			s->subcore_task[i] = (struct rknpu_subcore_task){ 0, run->program_tasks };
	}
}

static void fix_create(struct fuzz_run *run, struct rknpu_mem_create *mc, unsigned int len,
		       uint8_t fix, uint8_t pick)
{
	if (fix & FIX_HANDLE)
		mc->handle = pick_handle(run, pick);
	if (len >= 16 && mc->size > FUZZ_SIZE_FOLD && mc->size <= (1ull << 32))
		mc->size %= FUZZ_SIZE_FOLD;
}

static void fix_version(struct fuzz_run *run, struct rnpu_drm_version *v, uint8_t fix)
{
	__u64 *lens[3] = { &v->name_len, &v->date_len, &v->desc_len };
	__u64 *ptrs[3] = { &v->name, &v->date, &v->desc };
	unsigned int i;

	for (i = 0; i < 3; i++) {
		if (fix & (FIX_NULLPTR << i)) {
			*ptrs[i] = 0; /* a length query: any length is fine */
		} else {
			*ptrs[i] = (uintptr_t)run->str[i];
			*lens[i] %= FUZZ_STR_BUF + 1;
		}
	}
}

static void fix_unique(struct fuzz_run *run, struct rnpu_drm_unique *u, uint8_t fix)
{
	if (fix & FIX_NULLPTR) {
		u->unique = 0;
	} else {
		u->unique = (uintptr_t)run->str[0];
		u->unique_len %= FUZZ_STR_BUF + 1;
	}
}

/* Makes @buf safe to hand to the core as command @cmd's argument. */
static void sanitise(struct fuzz_run *run, unsigned int cmd, void *buf, unsigned int len,
		     uint8_t fix, uint8_t pick)
{
	switch (cmd_target(cmd)) {
	case T_ACTION: {
		struct rknpu_action *a = buf;

		/* SET_PROC_NICE renices the fuzzer itself: ask for the nice
		 * value it already has. */
		if (a->flags == RKNPU_SET_PROC_NICE)
			a->value = (uint32_t)getpriority(PRIO_PROCESS, 0);
		break;
	}
	case T_SUBMIT:
		fix_submit(run, buf, fix, pick);
		break;
	case T_CREATE:
		fix_create(run, buf, len, fix, pick);
		break;
	case T_MAP:
	case T_DESTROY:
	case T_CLOSE:
	case T_FLINK:
		/* handle is the first field of all four */
		if (fix & FIX_HANDLE)
			*(uint32_t *)buf = pick_handle(run, pick);
		if (cmd_target(cmd) == T_DESTROY && (fix & FIX_COOKIE))
			((struct rknpu_mem_destroy *)buf)->obj_addr = pick_cookie(run, pick);
		break;
	case T_SYNC: {
		struct rknpu_mem_sync *s = buf;
		const struct known_bo *b = pick_bo(run, pick);

		if (fix & FIX_COOKIE)
			s->obj_addr = pick_cookie(run, pick);
		if ((fix & FIX_RANGE) && b && b->size) {
			s->offset %= b->size + 1;
			s->size %= b->size - s->offset + 1;
		}
		break;
	}
	case T_OPEN: {
		struct rnpu_drm_gem_open *o = buf;

		if ((fix & FIX_NAME) && run->nnames)
			o->name = run->names[pick % (run->nnames < FUZZ_TABLE ? run->nnames
									    : FUZZ_TABLE)];
		break;
	}
	case T_TO_FD: {
		struct rnpu_drm_prime_handle *p = buf;

		if (fix & FIX_HANDLE)
			p->handle = pick_handle(run, pick);
		p->fd = -1;
		break;
	}
	case T_FROM_FD:
		((struct rnpu_drm_prime_handle *)buf)->fd = pick_fd(run, pick);
		break;
	case T_VERSION:
		fix_version(run, buf, fix);
		break;
	case T_UNIQUE:
		fix_unique(run, buf, fix);
		break;
	case T_NONE:
		break;
	}
}

/* Learns handles, cookies, offsets and names from a successful call. */
static void harvest(struct fuzz_run *run, unsigned int file, unsigned int cmd, const void *buf,
		    unsigned int len)
{
	bool out = _IOC_TYPE(cmd) == RKNPU_MISC_IOCTL_TYPE || (_IOC_DIR(cmd) & _IOC_READ);

	if (!out)
		return;
	switch (cmd_target(cmd)) {
	case T_CREATE: {
		struct rknpu_mem_create mc;

		memset(&mc, 0, sizeof(mc));
		memcpy(&mc, buf, len < sizeof(mc) ? len : sizeof(mc));
		if (len >= 4)
			remember_bo(run, file, mc.handle, len >= 32 ? &mc : NULL);
		break;
	}
	case T_MAP:
		if (len >= sizeof(struct rknpu_mem_map))
			run->offsets[run->noffsets++ % FUZZ_TABLE] =
				((const struct rknpu_mem_map *)buf)->offset;
		break;
	case T_FLINK:
		if (len >= sizeof(struct rnpu_drm_gem_flink))
			run->names[run->nnames++ % FUZZ_TABLE] =
				((const struct rnpu_drm_gem_flink *)buf)->name;
		break;
	case T_OPEN:
		if (len >= 8)
			remember_bo(run, file, ((const struct rnpu_drm_gem_open *)buf)->handle,
				    NULL);
		break;
	case T_FROM_FD:
		if (len >= 4)
			remember_bo(run, file, ((const struct rnpu_drm_prime_handle *)buf)->handle,
				    NULL);
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------------- ops */

static bool fd_known(const struct fuzz_run *run, int fd)
{
	unsigned int i;

	for (i = 0; i < run->nfds; i++)
		if (run->fds[i] == fd)
			return true;
	return false;
}

/* Widens a DRM-numbered command so that the struct comes back to the
 * harness with at least @need bytes: an fd the core installs but the
 * harness never sees could not be closed. */
static unsigned int copy_back_at_least(unsigned int cmd, unsigned int need)
{
	if (_IOC_TYPE(cmd) == RKNPU_MISC_IOCTL_TYPE)
		return cmd; /* the misc node always copies its whole struct */
	if ((_IOC_DIR(cmd) & _IOC_READ) && _IOC_SIZE(cmd) >= need)
		return cmd;
	return _IOC(_IOC_DIR(cmd) | _IOC_READ, _IOC_TYPE(cmd), _IOC_NR(cmd),
		    _IOC_SIZE(cmd) < need ? need : _IOC_SIZE(cmd));
}

static void do_ioctl(struct fuzz_run *run, unsigned int file, unsigned int cmd, void *buf,
		     unsigned int len, uint8_t fix, uint8_t pick)
{
	enum fuzz_target t = cmd_target(cmd);
	bool fence_out = false;
	long ret;

	sanitise(run, cmd, buf, len, fix, pick);
	if (t == T_TO_FD)
		cmd = copy_back_at_least(cmd, sizeof(struct rnpu_drm_prime_handle));
	/* The core reads the submit's flags only if they were copied in. */
	if (t == T_SUBMIT && (_IOC_TYPE(cmd) == RKNPU_MISC_IOCTL_TYPE ||
			      ((_IOC_DIR(cmd) & _IOC_WRITE) && _IOC_SIZE(cmd) >= 4)) &&
	    (((struct rknpu_submit *)buf)->flags & RKNPU_JOB_FENCE_OUT)) {
		fence_out = true;
		cmd = copy_back_at_least(cmd, offsetof(struct rknpu_submit, fence_fd) + 4);
	}
	ret = rknpu_ioctl(run->files[file], cmd, buf);
	if (fuzz_verbose) {
		char msg[256];
		unsigned int c;

		fprintf(stderr, "fuzz_ioctl: file %u cmd 0x%08x -> %ld\n", file, cmd, ret);
		for (c = 0; t == T_SUBMIT && c < 3; c++)
			if (rk3588_sim_last_error(rnpu_host_sim(fuzz_host), c, msg, sizeof(msg)))
				fprintf(stderr, "fuzz_ioctl:   core %u: %s\n", c, msg);
	}
	if (t == T_TO_FD && ret == 0)
		remember_fd(run, ((struct rnpu_drm_prime_handle *)buf)->fd);
	/* A fence fd comes back even when the job itself failed. */
	if (fence_out) {
		int fd = ((struct rknpu_submit *)buf)->fence_fd;

		if (fd >= 0 && !fd_known(run, fd))
			remember_fd(run, fd);
	}
	if (ret == 0)
		harvest(run, file, cmd, buf, _IOC_SIZE(cmd));
}

static void op_raw(struct fuzz_run *run, unsigned int file, struct reader *r, uint8_t fix,
		   uint8_t pick)
{
	uint32_t cmd;
	unsigned int size;

	take(r, &cmd, sizeof(cmd));
	/* The core may read or write _IOC_SIZE(cmd) bytes (or its own struct
	 * size, whichever is larger): the buffer covers both. */
	memset(fuzz_raw, 0, FUZZ_RAW_BUF);
	take(r, fuzz_raw, RAW_PAYLOAD - sizeof(cmd));
	size = _IOC_SIZE(cmd);
	do_ioctl(run, file, cmd, fuzz_raw, size, fix, pick);
}

static void op_mmap(struct fuzz_run *run, unsigned int file, struct reader *r, uint8_t fix,
		    uint8_t pick)
{
	uint8_t bytes[31];
	uint64_t offset;
	uint32_t length, at;
	uint8_t n;
	void *addr;
	int ret;

	take(r, &offset, sizeof(offset));
	take(r, &length, sizeof(length));
	take(r, &at, sizeof(at));
	n = take_u8(r);
	take(r, bytes, sizeof(bytes));
	if (fix & FIX_HANDLE)
		offset = pick_offset(run, pick);
	if (fix & FIX_RANGE) {
		const struct known_bo *b = pick_bo(run, pick);

		length = b && b->size ? (uint32_t)(length % b->size) + 1 : 4096;
	}
	ret = rnpu_host_mmap(fuzz_host, run->files[file], offset, length,
			     PROT_READ | PROT_WRITE, &addr);
	if (fuzz_verbose)
		fprintf(stderr, "fuzz_ioctl: file %u mmap 0x%llx +%u -> %d\n", file,
			(unsigned long long)offset, length, ret);
	if (ret)
		return;
	/* The map starts at the buffer's first byte and is length long. */
	n %= sizeof(bytes) + 1;
	if (n && length >= n) {
		at %= length - n + 1;
		memcpy((uint8_t *)addr + at, bytes, n);
	}
	munmap(addr, length);
}

/* Maps known BO @b through its own session, as a client would. */
static void *map_bo(struct fuzz_run *run, const struct known_bo *b)
{
	struct rknpu_mem_map mm = { .handle = b->handle };
	void *addr;

	if (rknpu_ioctl(run->files[b->file], DRM_IOCTL_RKNPU_MEM_MAP, &mm))
		return NULL;
	if (rnpu_host_mmap(fuzz_host, run->files[b->file], mm.offset, b->size,
			   PROT_READ | PROT_WRITE, &addr))
		return NULL;
	return addr;
}

static uint64_t align64(uint64_t v)
{
	return (v + 63) & ~63ull;
}

/* Builds a small matmul's register program and task list into known
 * buffers so that submits can run real work, which random bytes would
 * almost never describe. */
static void op_program(struct fuzz_run *run, struct reader *r)
{
	uint8_t arg[PROGRAM_PAYLOAD];
	const struct known_bo *task, *regcmd, *data;
	struct rnpu_matmul_desc d;
	struct rnpu_regcmd_prog prog;
	size_t a_size, b_size, c_size, i;
	struct rknpu_task *tasks;
	void *words;

	take(r, arg, sizeof(arg));
	task = pick_bo(run, arg[0]);
	regcmd = pick_bo(run, arg[1]);
	data = pick_bo(run, arg[2]);
	if (!task || !regcmd || !data || !task->size || !regcmd->size || !data->size)
		return;
	memset(&d, 0, sizeof(d));
	d.type = (enum rnpu_mm_type)(arg[3] % 3);
	d.k = 32 * (1 + arg[5] % 2);
	d.n = 16 * (1 + arg[6] % 2);
	if (arg[4] & 0x80) {
		/* One row per task and more tasks than one PC start may run
		 * (4095): the core issues the list in chunks, if the list
		 * finishes within the timeout, and aborts it mid-run if not. */
		d.m = 4096 + (arg[4] & 0x7f);
		d.max_tile_m = 1;
	} else {
		d.m = 1 + arg[4] % 8;
		d.max_tile_m = arg[7] % 4;
	}
	a_size = rnpu_matmul_a_size(d.type, d.m, d.k, d.n);
	b_size = rnpu_matmul_b_size(d.type, d.m, d.k, d.n);
	c_size = rnpu_matmul_c_size(d.type, d.m, d.k, d.n);
	if (!a_size || !b_size || !c_size ||
	    align64(a_size) + align64(b_size) + c_size > data->size)
		return;
	d.a_dma = data->dma;
	d.b_dma = data->dma + align64(a_size);
	d.c_dma = data->dma + align64(a_size) + align64(b_size);
	rnpu_regcmd_init(&prog);
	if (rnpu_matmul_build(&d, regcmd->dma, &prog, NULL, 0) ||
	    prog.nwords * sizeof(uint64_t) > regcmd->size ||
	    prog.ntasks * sizeof(struct rknpu_task) > task->size)
		goto out;
	words = map_bo(run, regcmd);
	if (!words)
		goto out;
	memcpy(words, prog.words, prog.nwords * sizeof(uint64_t));
	munmap(words, regcmd->size);
	tasks = map_bo(run, task);
	if (!tasks)
		goto out;
	for (i = 0; i < prog.ntasks; i++) {
		memset(&tasks[i], 0, sizeof(tasks[i]));
		tasks[i].op_idx = (uint32_t)i;
		tasks[i].enable_mask = prog.tasks[i].enable_mask;
		tasks[i].int_mask = prog.tasks[i].int_mask;
		tasks[i].int_clear = RKNPU_INT_CLEAR;
		tasks[i].regcfg_amount = prog.tasks[i].body_words;
		tasks[i].regcmd_addr = regcmd->dma + prog.tasks[i].word_offset * sizeof(uint64_t);
	}
	munmap(tasks, task->size);
	run->program_tasks = (uint32_t)prog.ntasks;
	run->program_task_cookie = task->cookie;
	if (fuzz_verbose)
		fprintf(stderr, "fuzz_ioctl: program %ux%ux%u type %d: %zu tasks\n", d.m, d.k, d.n,
			(int)d.type, prog.ntasks);
out:
	rnpu_regcmd_fini(&prog);
}

static void run_record(struct fuzz_run *run, struct reader *r)
{
	/* Aligned like the structs the payload is read as. */
	_Alignas(8) uint8_t payload[sizeof(struct rknpu_submit)];
	uint8_t hdr[4];
	unsigned int file, op;

	take(r, hdr, sizeof(hdr));
	file = hdr[0] % FUZZ_FILES;
	op = hdr[1] % OP_COUNT;
	switch (op) {
	case OP_RAW:
		op_raw(run, file, r, hdr[2], hdr[3]);
		break;
	case OP_MMAP:
		op_mmap(run, file, r, hdr[2], hdr[3]);
		break;
	case OP_PROGRAM:
		op_program(run, r);
		break;
	case OP_DEBUG:
		rknpu_set_debug(rnpu_host_device(fuzz_host), take_u8(r) & 0xf);
		break;
	default:
		take(r, payload, op_info[op].len);
		do_ioctl(run, file, op_info[op].cmd, payload, op_info[op].len, hdr[2], hdr[3]);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_run run;
	struct reader r = { data, size };
	uint64_t buffers = 0, pages = 0;
	unsigned int i, n;

	memset(&run, 0, sizeof(run));
	for (i = 0; i < FUZZ_FILES; i++)
		if (rknpu_file_open(rnpu_host_device(fuzz_host), &run.files[i]))
			abort();
	make_foreign_fds(&run);

	for (n = 0; n < FUZZ_MAX_RECORDS && r.left; n++)
		run_record(&run, &r);

	/* Let a task list the core gave up on finish before its buffers go,
	 * so the next input starts from an idle NPU. */
	for (i = 0; i < 3; i++)
		rk3588_sim_wait_idle(rnpu_host_sim(fuzz_host), i);
	rknpu_set_debug(rnpu_host_device(fuzz_host), 0);
	for (i = 0; i < run.nfds; i++)
		close(run.fds[i]);
	for (i = 0; i < FUZZ_FILES; i++)
		rknpu_file_close(run.files[i]);

	/* With every session closed and every exported fd gone, no buffer
	 * object may survive: anything left is a reference leak in the core. */
	rnpu_host_memory_stats(fuzz_host, &buffers, &pages);
	if (buffers) {
		fprintf(stderr, "fuzz_ioctl: %llu buffer objects (%llu pages) outlive their "
				"sessions\n", (unsigned long long)buffers, (unsigned long long)pages);
		abort();
	}
	return 0;
}
