/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* Shared helpers of the K230 KPU tests: an nncase-style run. */
#ifndef KPU_TEST_UTIL_H
#define KPU_TEST_UTIL_H

#include <poll.h>
#include <stdint.h>

#include "k230/kpu_ioctl.h"
#include "k230_host.h"
#include "k230_sim.h"
#include "osal_posix.h"

/* Register addresses and control values exactly as the fact sheet gives
 * them (nncase gnne.h, K230 SDK board.h), not from the generated header:
 * the tests check the description against them. */
#define T_KPU_PC_START (0x80400000ull + 0x100)
#define T_KPU_PC_END (0x80400000ull + 0x104)
#define T_KPU_CTRL (0x80400000ull + 0x128)
#define T_KPU_STATUS (0x80400000ull + 0x130)
#define T_KPU_INTR_NUM (0x80400000ull + 0x134)
#define T_AI2D_ACK (0x80400000ull + 0xc00 + 0xa0)
#define T_ENABLE_SET 0x0000000100000001ull
#define T_CPU_INTR_CLEAR 0x0000000400000004ull
#define T_WORK_STATUS(s) (((s) >> 14) & 3u)
#define T_EXCEPTION(s) (((s) >> 22) & 3u)
#define T_RESET_STATUS(s) (((s) >> 24) & 3u)
#define T_INTR_STATUS(s) (((s) >> 31) & 1u)

/* Programs a run of [start, end) and sets GNNE_ENABLE, as the runtime's
 * enable() does. */
static inline void t_kpu_start(struct k230_host *host, uint32_t start, uint32_t end)
{
	k230_host_mem_write32(host, T_KPU_PC_START, start);
	k230_host_mem_write32(host, T_KPU_PC_END, end);
	k230_host_mem_write64(host, T_KPU_CTRL, T_ENABLE_SET);
}

static inline uint32_t t_kpu_status(struct k230_host *host)
{
	uint32_t v;

	k230_host_mem_read32(host, T_KPU_STATUS, &v);
	return v;
}

/* poll() one descriptor for POLLIN: the return of poll, revents in *rev. */
static inline int t_poll1(struct k230_host *host, int fd, int timeout_ms, short *rev)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = k230_host_poll(host, &p, 1, timeout_ms);

	*rev = p.revents;
	return n;
}

static inline void t_quiet_logs(void)
{
	/* Tests provoke errors on purpose; TAP needs "# " on any text. */
	rnpu_posix_set_log_level(0);
}

#endif
