/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
#ifndef K230_HOST_INTERNAL_H
#define K230_HOST_INTERNAL_H

#include <pthread.h>

#include "k230_host.h"
#include "k230_sim.h"
#include "kpu_device.h"
#include "osal.h"

#define K230_HOST_MAX_FDS 64
#define K230_HOST_FIRST_FD 3
#define K230_HOST_PAGE 4096u
/* HARDLOCK_KPU of the K230 SDK, for the no_hardlock test switch. */
#define K230_HOST_KPU_HARDLOCK 1u
/* DMA memory: page frames in DDR (below 0x80000000, where MMZ lives on a
 * K230), 256 MiB from 0x10000000. */
#define K230_HOST_DMA_BASE 0x10000000ull
#define K230_HOST_DMA_PAGES 65536u

enum k230_host_window { K230_HOST_WIN_KPU, K230_HOST_WIN_MBOX, K230_HOST_WIN_COUNT };

struct rnpu_osal_mmio {
	struct k230_host *host;
	enum k230_host_window win;
};

struct rnpu_osal_dev {
	struct k230_host *host;
};

struct rnpu_osal_dma_buf {
	struct k230_host *host;
	void *cpu;
	uint64_t phys;
	uint32_t first_page;
	uint32_t npages;
	unsigned int flags;
};

struct k230_host_fd {
	struct kpu_file *file;   /* NULL: slot free */
	unsigned int refs;       /* table's own + calls in progress */
	bool closing;
};

struct k230_host_irq {
	rnpu_osal_irq_handler_t handler;
	void *data;
	unsigned int running;    /* deliveries in progress */
};

struct k230_host {
	struct k230_host_config cfg;
	bool own_hw;
	struct k230_sim_hw *hw;
	struct k230_sim *sim;
	struct rnpu_osal_dev dev;
	struct rnpu_osal_mmio mmio[K230_HOST_WIN_COUNT];
	struct kpu_hardlock *hardlock;
	struct kpu_device *kdev;
	struct kpu_mmz *mmz;

	/* Protects fds[]; fd_cond signals a reference dropped. */
	pthread_mutex_t fd_lock;
	struct k230_host_fd fds[K230_HOST_MAX_FDS];

	/* Protects irq[]; irq_cond signals a delivery finished. */
	pthread_mutex_t irq_lock;
	pthread_cond_t irq_cond;
	struct k230_host_irq irq[K230_SIM_LINE_COUNT];

	/* Protects the DMA page bitmap and counters. */
	pthread_mutex_t dma_lock;
	uint64_t dma_bitmap[K230_HOST_DMA_PAGES / 64];
	struct k230_host_dma_stats dma_stats;
};

void k230_host_irq_line(void *ctx, enum k230_sim_line line, bool level);

#endif
