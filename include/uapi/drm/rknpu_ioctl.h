/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * RKNPU userspace ABI, compatible with the Rockchip vendor driver (0.8.x to
 * 0.9.8). Struct and macro names are the vendor's so that existing programs
 * compile against this header unchanged. Layouts are little-endian with
 * natural alignment; every size and offset is checked at compile time below.
 *
 * ABI variants in use:
 *  - struct rknpu_mem_create exists in three sizes, each a prefix of the
 *    next: 32 bytes (no sram_size), 40 bytes (0.8.x, + sram_size) and
 *    48 bytes (0.9.x, + iommu_domain_id and core_mask/reserved). The driver
 *    accepts all three; missing trailing fields read as zero.
 *  - struct rknpu_submit is 104 bytes in both layouts, but bytes 32..55 mean
 *    iommu_domain_id/reserved/hw_elapse_time in 0.9.x and
 *    regcfg_obj_addr/user_data in 0.8.x. struct rknpu_submit_v08 gives the
 *    old names over the same bytes.
 *  - The RKNPU_MEM_DMA32 bit (bit 7) meant the opposite (NON_DMA32) in 0.8.x.
 */
#ifndef _UAPI_RKNPU_IOCTL_H
#define _UAPI_RKNPU_IOCTL_H

#if defined(__KERNEL__)
#include <linux/types.h>
#include <linux/ioctl.h>
#elif defined(__linux__)
#include <linux/types.h>
#include <linux/ioctl.h>
#else
#include <stdint.h>
typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef uint64_t __u64;
typedef int32_t __s32;
typedef int64_t __s64;
/* Linux's generic ioctl number encoding, for hosts without <linux/ioctl.h>. */
#define _IOC_NRSHIFT 0
#define _IOC_TYPESHIFT 8
#define _IOC_SIZESHIFT 16
#define _IOC_DIRSHIFT 30
#define _IOC_NONE 0U
#define _IOC_WRITE 1U
#define _IOC_READ 2U
#define _IOC(dir, type, nr, size) \
	(((dir) << _IOC_DIRSHIFT) | ((type) << _IOC_TYPESHIFT) | ((nr) << _IOC_NRSHIFT) | \
	 ((size) << _IOC_SIZESHIFT))
#define _IOWR(type, nr, T) _IOC(_IOC_READ | _IOC_WRITE, (type), (nr), sizeof(T))
#define _IOC_NR(nr) (((nr) >> _IOC_NRSHIFT) & 0xffU)
#define _IOC_TYPE(nr) (((nr) >> _IOC_TYPESHIFT) & 0xffU)
#define _IOC_SIZE(nr) (((nr) >> _IOC_SIZESHIFT) & 0x3fffU)
#define _IOC_DIR(nr) (((nr) >> _IOC_DIRSHIFT) & 0x3U)
#endif

/* Register offsets the vendor header exposes (all inside a core window). */
#define RKNPU_OFFSET_VERSION 0x0
#define RKNPU_OFFSET_VERSION_NUM 0x4
#define RKNPU_OFFSET_PC_OP_EN 0x8
#define RKNPU_OFFSET_PC_DATA_ADDR 0x10
#define RKNPU_OFFSET_PC_DATA_AMOUNT 0x14
#define RKNPU_OFFSET_PC_TASK_CONTROL 0x30
#define RKNPU_OFFSET_PC_DMA_BASE_ADDR 0x34
#define RKNPU_OFFSET_INT_MASK 0x20
#define RKNPU_OFFSET_INT_CLEAR 0x24
#define RKNPU_OFFSET_INT_STATUS 0x28
#define RKNPU_OFFSET_INT_RAW_STATUS 0x2c
#define RKNPU_OFFSET_TASK_STATUS 0x3c
#define RKNPU_OFFSET_ENABLE_MASK 0xf008
#define RKNPU_OFFSET_CLR_ALL_RW_AMOUNT 0x8010
#define RKNPU_OFFSET_DT_WR_AMOUNT 0x8034
#define RKNPU_OFFSET_DT_RD_AMOUNT 0x8038
#define RKNPU_OFFSET_WT_RD_AMOUNT 0x803c

#define RKNPU_INT_CLEAR 0x1ffff
#define RKNPU_PC_DATA_EXTRA_AMOUNT 4
#define RKNPU_MAX_CORES 3
#define RKNPU_MAX_SUBCORE_TASKS 5

/* memory type flags of rknpu_mem_create.flags */
enum e_rknpu_mem_type {
	RKNPU_MEM_CONTIGUOUS = 0 << 0,
	RKNPU_MEM_NON_CONTIGUOUS = 1 << 0,
	RKNPU_MEM_NONCACHEABLE = 0 << 1,
	RKNPU_MEM_CACHEABLE = 1 << 1,
	RKNPU_MEM_WRITE_COMBINE = 1 << 2,
	RKNPU_MEM_KERNEL_MAPPING = 1 << 3,
	RKNPU_MEM_IOMMU = 1 << 4,
	RKNPU_MEM_ZEROING = 1 << 5,
	RKNPU_MEM_SECURE = 1 << 6,
	RKNPU_MEM_DMA32 = 1 << 7,           /* 0.8.x: RKNPU_MEM_NON_DMA32 */
	RKNPU_MEM_TRY_ALLOC_SRAM = 1 << 8,
	RKNPU_MEM_TRY_ALLOC_NBUF = 1 << 9,
	RKNPU_MEM_IOMMU_LIMIT_IOVA_ALIGNMENT = 1 << 10,
	RKNPU_MEM_MASK = RKNPU_MEM_NON_CONTIGUOUS | RKNPU_MEM_CACHEABLE |
			 RKNPU_MEM_WRITE_COMBINE | RKNPU_MEM_KERNEL_MAPPING |
			 RKNPU_MEM_IOMMU | RKNPU_MEM_ZEROING | RKNPU_MEM_SECURE |
			 RKNPU_MEM_DMA32 | RKNPU_MEM_TRY_ALLOC_SRAM |
			 RKNPU_MEM_TRY_ALLOC_NBUF |
			 RKNPU_MEM_IOMMU_LIMIT_IOVA_ALIGNMENT
};
#define RKNPU_MEM_NON_DMA32 RKNPU_MEM_DMA32

/* cache sync direction of rknpu_mem_sync.flags */
enum e_rknpu_mem_sync_mode {
	RKNPU_MEM_SYNC_TO_DEVICE = 1 << 0,
	RKNPU_MEM_SYNC_FROM_DEVICE = 1 << 1,
	RKNPU_MEM_SYNC_MASK = RKNPU_MEM_SYNC_TO_DEVICE | RKNPU_MEM_SYNC_FROM_DEVICE
};

/* job flags of rknpu_submit.flags */
enum e_rknpu_job_mode {
	RKNPU_JOB_SLAVE = 0 << 0,
	RKNPU_JOB_PC = 1 << 0,
	RKNPU_JOB_BLOCK = 0 << 1,
	RKNPU_JOB_NONBLOCK = 1 << 1,
	RKNPU_JOB_PINGPONG = 1 << 2,
	RKNPU_JOB_FENCE_IN = 1 << 3,
	RKNPU_JOB_FENCE_OUT = 1 << 4,
	RKNPU_JOB_MASK = RKNPU_JOB_PC | RKNPU_JOB_NONBLOCK | RKNPU_JOB_PINGPONG |
			 RKNPU_JOB_FENCE_IN | RKNPU_JOB_FENCE_OUT
};

/* action codes of rknpu_action.flags */
enum e_rknpu_action {
	RKNPU_GET_HW_VERSION = 0,
	RKNPU_GET_DRV_VERSION = 1,
	RKNPU_GET_FREQ = 2,
	RKNPU_SET_FREQ = 3,
	RKNPU_GET_VOLT = 4,
	RKNPU_SET_VOLT = 5,
	RKNPU_ACT_RESET = 6,
	RKNPU_GET_BW_PRIORITY = 7,
	RKNPU_SET_BW_PRIORITY = 8,
	RKNPU_GET_BW_EXPECT = 9,
	RKNPU_SET_BW_EXPECT = 10,
	RKNPU_GET_BW_TW = 11,
	RKNPU_SET_BW_TW = 12,
	RKNPU_ACT_CLR_TOTAL_RW_AMOUNT = 13,
	RKNPU_GET_DT_WR_AMOUNT = 14,
	RKNPU_GET_DT_RD_AMOUNT = 15,
	RKNPU_GET_WT_RD_AMOUNT = 16,
	RKNPU_GET_TOTAL_RW_AMOUNT = 17,
	RKNPU_GET_IOMMU_EN = 18,
	RKNPU_SET_PROC_NICE = 19,
	RKNPU_POWER_ON = 20,
	RKNPU_POWER_OFF = 21,
	RKNPU_GET_TOTAL_SRAM_SIZE = 22,
	RKNPU_GET_FREE_SRAM_SIZE = 23,
	RKNPU_GET_IOMMU_DOMAIN_ID = 24,
	RKNPU_SET_IOMMU_DOMAIN_ID = 25,
};

/* Core selection of rknpu_submit.core_mask. */
enum e_rknpu_core_mask {
	RKNPU_CORE_AUTO_MASK = 0x00,
	RKNPU_CORE0_MASK = 0x01,
	RKNPU_CORE1_MASK = 0x02,
	RKNPU_CORE2_MASK = 0x04,
};

/* Memory-create argument; see the ABI note at the top for the three sizes. */
struct rknpu_mem_create {
	__u32 handle;
	__u32 flags;
	__u64 size;
	__u64 obj_addr;
	__u64 dma_addr;
	__u64 sram_size;
	__s32 iommu_domain_id;
	__u32 core_mask;
};
#define RKNPU_MEM_CREATE_SIZE_V1 32 /* handle..dma_addr */
#define RKNPU_MEM_CREATE_SIZE_V2 40 /* + sram_size (0.8.x) */
#define RKNPU_MEM_CREATE_SIZE_V3 48 /* + iommu_domain_id, core_mask (0.9.x) */

struct rknpu_mem_map {
	__u32 handle;
	__u32 reserved;
	__u64 offset;
};

struct rknpu_mem_destroy {
	__u32 handle;
	__u32 reserved;
	__u64 obj_addr;
};

struct rknpu_mem_sync {
	__u32 flags;
	__u32 reserved;
	__u64 obj_addr;
	__u64 offset;
	__u64 size;
};

/* One element of the task array in the task buffer. */
struct rknpu_task {
	__u32 flags;
	__u32 op_idx;
	__u32 enable_mask;
	__u32 int_mask;
	__u32 int_clear;
	__u32 int_status;
	__u32 regcfg_amount;
	__u32 regcfg_offset;
	__u64 regcmd_addr;
} __attribute__((packed));

struct rknpu_subcore_task {
	__u32 task_start;
	__u32 task_number;
};

struct rknpu_submit {
	__u32 flags;
	__u32 timeout;
	__u32 task_start;
	__u32 task_number;
	__u32 task_counter;
	__s32 priority;
	__u64 task_obj_addr;
	__u32 iommu_domain_id;
	__u32 reserved;
	__u64 task_base_addr;
	__s64 hw_elapse_time;
	__u32 core_mask;
	__s32 fence_fd;
	struct rknpu_subcore_task subcore_task[5];
};

/* The 0.8.x meaning of the same 104 bytes. */
struct rknpu_submit_v08 {
	__u32 flags;
	__u32 timeout;
	__u32 task_start;
	__u32 task_number;
	__u32 task_counter;
	__s32 priority;
	__u64 task_obj_addr;
	__u64 regcfg_obj_addr;
	__u64 task_base_addr;
	__u64 user_data;
	__u32 core_mask;
	__s32 fence_fd;
	struct rknpu_subcore_task subcore_task[5];
};

struct rknpu_action {
	__u32 flags;
	__u32 value;
};

#define RKNPU_ACTION 0x00
#define RKNPU_SUBMIT 0x01
#define RKNPU_MEM_CREATE 0x02
#define RKNPU_MEM_MAP 0x03
#define RKNPU_MEM_DESTROY 0x04
#define RKNPU_MEM_SYNC 0x05

#define RKNPU_DRM_IOCTL_TYPE 'd'
#define RKNPU_DRM_COMMAND_BASE 0x40
#define RKNPU_MISC_IOCTL_TYPE 'r'

#define RKNPU_IOC_DRM(nr, T) _IOWR(RKNPU_DRM_IOCTL_TYPE, RKNPU_DRM_COMMAND_BASE + (nr), T)
#define RKNPU_IOC_MISC(nr, T) _IOWR(RKNPU_MISC_IOCTL_TYPE, (nr), T)

/* DRM node (/dev/dri/cardN, renderD*) numbers. */
#define DRM_IOCTL_RKNPU_ACTION RKNPU_IOC_DRM(RKNPU_ACTION, struct rknpu_action)
#define DRM_IOCTL_RKNPU_SUBMIT RKNPU_IOC_DRM(RKNPU_SUBMIT, struct rknpu_submit)
#define DRM_IOCTL_RKNPU_MEM_CREATE RKNPU_IOC_DRM(RKNPU_MEM_CREATE, struct rknpu_mem_create)
#define DRM_IOCTL_RKNPU_MEM_MAP RKNPU_IOC_DRM(RKNPU_MEM_MAP, struct rknpu_mem_map)
#define DRM_IOCTL_RKNPU_MEM_DESTROY RKNPU_IOC_DRM(RKNPU_MEM_DESTROY, struct rknpu_mem_destroy)
#define DRM_IOCTL_RKNPU_MEM_SYNC RKNPU_IOC_DRM(RKNPU_MEM_SYNC, struct rknpu_mem_sync)
/* The older, shorter mem_create forms (same nr, smaller size). */
#define DRM_IOCTL_RKNPU_MEM_CREATE_V1 \
	_IOC(_IOC_READ | _IOC_WRITE, RKNPU_DRM_IOCTL_TYPE, \
	     RKNPU_DRM_COMMAND_BASE + RKNPU_MEM_CREATE, RKNPU_MEM_CREATE_SIZE_V1)
#define DRM_IOCTL_RKNPU_MEM_CREATE_V2 \
	_IOC(_IOC_READ | _IOC_WRITE, RKNPU_DRM_IOCTL_TYPE, \
	     RKNPU_DRM_COMMAND_BASE + RKNPU_MEM_CREATE, RKNPU_MEM_CREATE_SIZE_V2)

/* Misc node (/dev/rknpu, DMA-heap build) numbers. */
#define IOCTL_RKNPU_ACTION RKNPU_IOC_MISC(RKNPU_ACTION, struct rknpu_action)
#define IOCTL_RKNPU_SUBMIT RKNPU_IOC_MISC(RKNPU_SUBMIT, struct rknpu_submit)
#define IOCTL_RKNPU_MEM_CREATE RKNPU_IOC_MISC(RKNPU_MEM_CREATE, struct rknpu_mem_create)
#define IOCTL_RKNPU_MEM_MAP RKNPU_IOC_MISC(RKNPU_MEM_MAP, struct rknpu_mem_map)
#define IOCTL_RKNPU_MEM_DESTROY RKNPU_IOC_MISC(RKNPU_MEM_DESTROY, struct rknpu_mem_destroy)
#define IOCTL_RKNPU_MEM_SYNC RKNPU_IOC_MISC(RKNPU_MEM_SYNC, struct rknpu_mem_sync)

/* Layout checks: every number below is from the vendor ABI fact sheet. */
#if defined(__cplusplus)
#define RKNPU_ABI_ASSERT(e, m) static_assert(e, m)
#else
#define RKNPU_ABI_ASSERT(e, m) _Static_assert(e, m)
#endif
#define RKNPU_ABI_OFF(T, f) __builtin_offsetof(struct T, f)
RKNPU_ABI_ASSERT(sizeof(struct rknpu_action) == 8, "rknpu_action size");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_action, value) == 4, "rknpu_action.value");
RKNPU_ABI_ASSERT(sizeof(struct rknpu_mem_create) == 48, "rknpu_mem_create size");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_mem_create, flags) == 4, "mem_create.flags");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_mem_create, size) == 8, "mem_create.size");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_mem_create, obj_addr) == 16, "mem_create.obj_addr");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_mem_create, dma_addr) == 24, "mem_create.dma_addr");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_mem_create, sram_size) == 32, "mem_create.sram_size");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_mem_create, iommu_domain_id) == 40, "mem_create.domain");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_mem_create, core_mask) == 44, "mem_create.core_mask");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_mem_create, sram_size) == RKNPU_MEM_CREATE_SIZE_V1,
		 "32-byte form ends before sram_size");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_mem_create, iommu_domain_id) == RKNPU_MEM_CREATE_SIZE_V2,
		 "40-byte form ends before iommu_domain_id");
RKNPU_ABI_ASSERT(sizeof(struct rknpu_mem_map) == 16, "rknpu_mem_map size");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_mem_map, offset) == 8, "mem_map.offset");
RKNPU_ABI_ASSERT(sizeof(struct rknpu_mem_destroy) == 16, "rknpu_mem_destroy size");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_mem_destroy, obj_addr) == 8, "mem_destroy.obj_addr");
RKNPU_ABI_ASSERT(sizeof(struct rknpu_mem_sync) == 32, "rknpu_mem_sync size");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_mem_sync, obj_addr) == 8, "mem_sync.obj_addr");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_mem_sync, offset) == 16, "mem_sync.offset");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_mem_sync, size) == 24, "mem_sync.size");
RKNPU_ABI_ASSERT(sizeof(struct rknpu_task) == 40, "rknpu_task size");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_task, int_mask) == 12, "task.int_mask");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_task, int_status) == 20, "task.int_status");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_task, regcfg_amount) == 24, "task.regcfg_amount");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_task, regcmd_addr) == 32, "task.regcmd_addr");
RKNPU_ABI_ASSERT(sizeof(struct rknpu_subcore_task) == 8, "rknpu_subcore_task size");
RKNPU_ABI_ASSERT(sizeof(struct rknpu_submit) == 104, "rknpu_submit size");
RKNPU_ABI_ASSERT(sizeof(struct rknpu_submit_v08) == 104, "rknpu_submit_v08 size");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_submit, timeout) == 4, "submit.timeout");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_submit, task_counter) == 16, "submit.task_counter");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_submit, priority) == 20, "submit.priority");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_submit, task_obj_addr) == 24, "submit.task_obj_addr");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_submit, iommu_domain_id) == 32, "submit.iommu_domain_id");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_submit, task_base_addr) == 40, "submit.task_base_addr");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_submit, hw_elapse_time) == 48, "submit.hw_elapse_time");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_submit, core_mask) == 56, "submit.core_mask");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_submit, fence_fd) == 60, "submit.fence_fd");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_submit, subcore_task) == 64, "submit.subcore_task");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_submit_v08, regcfg_obj_addr) == 32, "v08.regcfg_obj_addr");
RKNPU_ABI_ASSERT(RKNPU_ABI_OFF(rknpu_submit_v08, user_data) == 48, "v08.user_data");
RKNPU_ABI_ASSERT(DRM_IOCTL_RKNPU_ACTION == 0xC0086440u, "ACTION cmd");
RKNPU_ABI_ASSERT(DRM_IOCTL_RKNPU_SUBMIT == 0xC0686441u, "SUBMIT cmd");
RKNPU_ABI_ASSERT(DRM_IOCTL_RKNPU_MEM_CREATE == 0xC0306442u, "MEM_CREATE cmd");
RKNPU_ABI_ASSERT(DRM_IOCTL_RKNPU_MEM_CREATE_V2 == 0xC0286442u, "MEM_CREATE 40-byte cmd");
RKNPU_ABI_ASSERT(DRM_IOCTL_RKNPU_MEM_CREATE_V1 == 0xC0206442u, "MEM_CREATE 32-byte cmd");
RKNPU_ABI_ASSERT(DRM_IOCTL_RKNPU_MEM_MAP == 0xC0106443u, "MEM_MAP cmd");
RKNPU_ABI_ASSERT(DRM_IOCTL_RKNPU_MEM_DESTROY == 0xC0106444u, "MEM_DESTROY cmd");
RKNPU_ABI_ASSERT(DRM_IOCTL_RKNPU_MEM_SYNC == 0xC0206445u, "MEM_SYNC cmd");
RKNPU_ABI_ASSERT(IOCTL_RKNPU_ACTION == 0xC0087200u, "misc ACTION cmd");
RKNPU_ABI_ASSERT(IOCTL_RKNPU_SUBMIT == 0xC0687201u, "misc SUBMIT cmd");
RKNPU_ABI_ASSERT(IOCTL_RKNPU_MEM_CREATE == 0xC0307202u, "misc MEM_CREATE cmd");
RKNPU_ABI_ASSERT(IOCTL_RKNPU_MEM_MAP == 0xC0107203u, "misc MEM_MAP cmd");
RKNPU_ABI_ASSERT(IOCTL_RKNPU_MEM_DESTROY == 0xC0107204u, "misc MEM_DESTROY cmd");
RKNPU_ABI_ASSERT(IOCTL_RKNPU_MEM_SYNC == 0xC0207205u, "misc MEM_SYNC cmd");
#undef RKNPU_ABI_OFF
#undef RKNPU_ABI_ASSERT

#endif /* _UAPI_RKNPU_IOCTL_H */
