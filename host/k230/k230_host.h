/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * The userspace K230 host: the KPU driver core (drivers/kpu) on the POSIX
 * OS services, wired to the software K230 KPU (sim/k230). It offers the
 * device nodes of the K230 SDK as an open/ioctl/poll/close API with POSIX
 * return conventions (-1 and errno on failure), the /dev/mem view of the
 * KPU and mailbox registers that the runtime writes directly, and the
 * MMZ allocator bound for the kd_mpi_sys_mmz_* functions.
 *
 * One host is one CPU with its own OS. Several hosts, in one process or
 * in processes forked after k230_sim_hw_create(true, ...), can share one
 * software KPU: that is the K230's big and little core contending for the
 * KPU through the mailbox hardware lock.
 */
#ifndef K230_HOST_H
#define K230_HOST_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

struct k230_host;
struct k230_sim_hw;
struct k230_sim;
struct kpu_device;
struct kpu_mmz;

/* Physical addresses of the register windows (K230 SDK board.h). */
#define K230_HOST_KPU_PHYS 0x80400000ull
#define K230_HOST_MAILBOX_PHYS 0x91104000ull
#define K230_HOST_WINDOW 0x1000u

struct k230_host_config {
	struct k230_sim_hw *hw;       /* shared software KPU; NULL = a private one */
	unsigned int cpu;             /* this host's CPU number on @hw */
	unsigned int lock_timeout_ms; /* 0 = driver default */
	unsigned int wait_timeout_ms; /* 0 = driver default */
	bool no_hardlock;             /* probe as if hardlock-1 were taken by another driver */
	bool bind_mmz;                /* bind this host's MMZ for kd_mpi_sys_mmz_* */
};

int k230_host_create(const struct k230_host_config *cfg, struct k230_host **out);
/* Closes what is still open, reports MMZ leaks (returns their count). */
unsigned int k230_host_destroy(struct k230_host *host);

/* K230_GNNE_DEVICE or K230_AI2D_DEVICE: a descriptor >= 3, or -1 with
 * errno ENOENT (other paths), EMFILE, ENOMEM. */
int k230_host_open(struct k230_host *host, const char *path);
/* 0, or -1 with errno: EBADF, or the driver's error. */
int k230_host_ioctl(struct k230_host *host, int fd, unsigned int cmd, void *arg);
/* As poll(2) over this host's descriptors: the number of ready ones, 0
 * on timeout, -1 with errno. A negative timeout waits without limit. The
 * devices only report POLLIN: without it in any events, poll returns 0 at
 * once. */
int k230_host_poll(struct k230_host *host, struct pollfd *fds, unsigned int nfds, int timeout_ms);
int k230_host_close(struct k230_host *host, int fd);

/* The /dev/mem view: aligned accesses inside the KPU or mailbox window;
 * anything else reads 0 and drops writes (and returns false). */
bool k230_host_mem_read32(struct k230_host *host, uint64_t phys, uint32_t *value);
bool k230_host_mem_write32(struct k230_host *host, uint64_t phys, uint32_t value);
bool k230_host_mem_read64(struct k230_host *host, uint64_t phys, uint64_t *value);
bool k230_host_mem_write64(struct k230_host *host, uint64_t phys, uint64_t value);

struct k230_sim *k230_host_sim(struct k230_host *host);
struct k230_sim_hw *k230_host_hw(struct k230_host *host);
struct kpu_device *k230_host_device(struct k230_host *host);
struct kpu_mmz *k230_host_mmz(struct k230_host *host);

struct k230_host_dma_stats {
	uint64_t buffers;      /* alive */
	uint64_t pages;        /* alive */
	uint64_t syncs;        /* rnpu_osal_dma_sync calls that reached memory */
	uint64_t last_sync_phys;   /* physical address of the last range */
	uint64_t last_sync_size;
	unsigned int last_sync_dir;
};
void k230_host_dma_stats(struct k230_host *host, struct k230_host_dma_stats *out);

#endif
