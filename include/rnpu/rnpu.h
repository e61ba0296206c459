/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * librnpu: userspace access to an RKNPU through the vendor UAPI.
 *
 * The same calls work over the in-process software NPU ("sim") and over a
 * kernel node ("/dev/dri/card1", "/dev/rknpu"). Every function returns 0 or
 * a negative errno value; rnpu_last_error() tells why the last call of a
 * device failed, in words.
 *
 * Thread safety: a device may be used from several threads at once, except
 * that rnpu_close() must not run while another call on the same device is
 * in progress; a buffer object must not be freed while another thread uses
 * it.
 */
#ifndef RNPU_RNPU_H
#define RNPU_RNPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drm/rknpu_ioctl.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rnpu_dev;
struct rnpu_bo;

/* Opens a device. @path: "sim" (or NULL) for the in-process software NPU,
 * "unix:SOCKET" for a running rnpud ("unix" alone: its default socket,
 * see docs/dropin.md; -ENOENT/-ECONNREFUSED if none listens there), or a
 * device node path. -ENOENT if the node does not exist, -ENODEV if it
 * is not an RKNPU (DRM name other than "rknpu"). */
int rnpu_open(const char *path, struct rnpu_dev **out);
/* Closes the session: jobs still in flight finish first (each bounded by
 * its timeout), then every buffer object the caller did not free is
 * released; their rnpu_bo pointers become invalid. */
void rnpu_close(struct rnpu_dev *dev);

/* "sim", "unix" or "kernel". */
const char *rnpu_transport_name(const struct rnpu_dev *dev);
/* A description of the last failure on @dev ("" if none). */
const char *rnpu_last_error(const struct rnpu_dev *dev);

/* Raw UAPI access: any DRM or RKNPU ioctl with the vendor structs. */
int rnpu_ioctl(struct rnpu_dev *dev, unsigned long cmd, void *arg);
/* mmap of a fake offset from RKNPU_MEM_MAP; unmap with munmap(). */
int rnpu_mmap(struct rnpu_dev *dev, uint64_t offset, size_t length, void **addr);

/* The same checks as rnpu_mmap(), but gives a new close-on-exec fd of the
 * buffer's memory instead, to be mapped from offset 0 as the caller likes
 * (how rnpu-run serves mmap). -EOPNOTSUPP on a kernel node. */
int rnpu_mmap_fd(struct rnpu_dev *dev, uint64_t offset, size_t length, int *fd);

/* ACTION: @action is an RKNPU_GET_* / RKNPU_SET_* code. */
int rnpu_action(struct rnpu_dev *dev, uint32_t action, uint32_t *value);

/* Buffer objects. @flags: RKNPU_MEM_* (the task list needs
 * RKNPU_MEM_KERNEL_MAPPING). */
int rnpu_bo_create(struct rnpu_dev *dev, uint64_t size, uint32_t flags, struct rnpu_bo **out);
/* Destroys the handle and unmaps; the memory lives on while a queued job,
 * an exported fd or another session still uses it. */
void rnpu_bo_free(struct rnpu_bo *bo);
/* CPU mapping, created on first use and kept until free. An imported
 * object is mapped through its dma-buf: the exporter's memory, no copy. */
int rnpu_bo_map(struct rnpu_bo *bo, void **ptr);
/* Cache maintenance of [offset, offset + size): @dir is a mask of
 * RKNPU_MEM_SYNC_TO_DEVICE / RKNPU_MEM_SYNC_FROM_DEVICE. Only for
 * RKNPU_MEM_CACHEABLE buffers (-EINVAL otherwise). For an imported object
 * it is the dma-buf's CPU-access bracket (DMA_BUF_IOCTL_SYNC; nothing to
 * do for a memfd), whatever its flags. */
int rnpu_bo_sync(struct rnpu_bo *bo, uint64_t offset, uint64_t size, uint32_t dir);
/* dma-buf sharing: export gives a new fd (close it when done). Import
 * keeps its own duplicate of @fd, so the caller may close it at once. */
int rnpu_bo_export(struct rnpu_bo *bo, int *fd);
int rnpu_bo_import(struct rnpu_dev *dev, int fd, struct rnpu_bo **out);

uint32_t rnpu_bo_handle(const struct rnpu_bo *bo);
uint64_t rnpu_bo_size(const struct rnpu_bo *bo);
uint64_t rnpu_bo_dma_addr(const struct rnpu_bo *bo);
uint64_t rnpu_bo_obj_addr(const struct rnpu_bo *bo);
/* The RKNPU_MEM_* flags it was created with (0 for imported objects). */
uint32_t rnpu_bo_flags(const struct rnpu_bo *bo);

/* Device facts for rnpu_query(). */
enum rnpu_query_item {
	RNPU_QUERY_CORE_COUNT,       /* NPU cores (3 on RK3588) */
	RNPU_QUERY_HW_VERSION,       /* PC VERSION + VERSION_NUM (0x46495245 on RK3588) */
	RNPU_QUERY_DRV_VERSION,      /* major * 10000 + minor * 100 + patch (908) */
	RNPU_QUERY_FREQ_HZ,          /* NPU clock */
	RNPU_QUERY_VOLT_UV,          /* NPU supply */
	RNPU_QUERY_SRAM_TOTAL,       /* bytes of on-chip SRAM for the NPU (0: none) */
	RNPU_QUERY_SRAM_FREE,
	RNPU_QUERY_IOMMU_ENABLED,    /* 1 when buffers are mapped through an IOMMU */
	RNPU_QUERY_MACS_PER_CYCLE,   /* int8 MACs per cycle of one core */
};

/* Cycles the software NPU's timing model has charged to @core (0..2) since
 * it started: the difference around a job is its modelled NPU time (at
 * RNPU_QUERY_FREQ_HZ). -EOPNOTSUPP on a kernel node (real hardware). */
int rnpu_model_cycles(struct rnpu_dev *dev, unsigned int core, uint64_t *cycles);

/* Reads the driver's debugfs file @name ("version", "load", "power",
 * "freq", "volt", "delayms", "reset", "mm") as its text, NUL-terminated in
 * @buf: the vendor's bytes (the in-process host and rnpud produce them;
 * on a kernel node /sys/kernel/debug/rknpu/@name is read, which needs
 * root). Returns the text's length (truncated to @len - 1), or -ENOENT
 * for an unknown name, or another negative errno. */
int rnpu_debugfs_read(struct rnpu_dev *dev, const char *name, char *buf, size_t len);

/* Reads this session's usage text in DRM's fdinfo keys (docs/monitoring.md),
 * NUL-terminated in @buf: the in-process host's core, or on a kernel node
 * /proc/self/fdinfo/FD of the session's fd (with the kernel's own lines).
 * Returns the text's length (truncated to @len - 1); -EOPNOTSUPP through
 * rnpud, or another negative errno. */
int rnpu_fdinfo_read(struct rnpu_dev *dev, char *buf, size_t len);

/* Answers @item in *value. -EINVAL for an unknown item; the ACTION's
 * error otherwise. */
int rnpu_query(struct rnpu_dev *dev, enum rnpu_query_item item, uint64_t *value);

#define RNPU_DEFAULT_TIMEOUT_MS 6000

/* One blocking submission of a range of the task list in @task_bo. */
struct rnpu_submit_req {
	struct rnpu_bo *task_bo;     /* array of struct rknpu_task */
	uint32_t task_start;
	uint32_t task_count;
	uint32_t core_mask;          /* RKNPU_CORE_AUTO_MASK, 1, 2, 4, 3 or 7 */
	/* For masks of several cores: each core's range (core i uses
	 * core_tasks[i]); ignored for single-core and AUTO submits. */
	struct rknpu_subcore_task core_tasks[3];
	uint32_t timeout_ms;         /* 0 = RNPU_DEFAULT_TIMEOUT_MS */
	bool pingpong;
	/* Start only after this fence fd has signalled (waited for in the
	 * submit call, up to timeout_ms); its failure fails the submit. */
	bool wait_fence;
	int wait_fence_fd;
	/* out */
	uint32_t task_counter;       /* tasks completed */
	int64_t hw_elapse_ns;        /* hardware time of the job */
	uint32_t core_mask_used;     /* the core AUTO picked */
};

int rnpu_submit(struct rnpu_dev *dev, struct rnpu_submit_req *req);

/* Queues the job and returns at once. *fence_fd receives a pollable file
 * descriptor (POLLIN once the job has ended; close it when done); the
 * outputs are in the buffers once it signals success. task_counter,
 * hw_elapse_ns and core_mask_used are not filled for async jobs. */
int rnpu_submit_async(struct rnpu_dev *dev, struct rnpu_submit_req *req, int *fence_fd);

/* Waits for a fence fd (-1 timeout: forever). Returns 0 if its job
 * succeeded, the job's negative errno if it failed (-ETIMEDOUT for a job
 * the driver timed out), -EAGAIN if @timeout_ms passed first, -ECANCELED
 * if its producer went away. poll() on the fd works as well. */
int rnpu_fence_wait(int fence_fd, int timeout_ms);

#ifdef __cplusplus
}
#endif
#endif
