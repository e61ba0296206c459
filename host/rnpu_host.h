/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * The userspace host: the driver core and the software NPU bound together
 * in one process. It fills the core's OS services with POSIX ones, routes
 * MMIO to the software NPU, delivers its interrupts to the core, and
 * models physical memory as a frame table whose pages belong to memfds.
 */
#ifndef RNPU_HOST_H
#define RNPU_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rnpu_host;
struct rknpu_device;
struct rknpu_file;
struct rk3588_sim;

struct rnpu_host_config {
	unsigned int num_cores;     /* 3 (an RK3588), or 1 with compatible */
	/* NULL: "rockchip,rk3588-rknpu". A one-core part (e.g.
	 * "rockchip,rk3568-rknpu") runs on core 0 of the software NPU. */
	const char *compatible;
	bool sim_synchronous;       /* run task lists inside the OP_EN write */
	bool sim_trace;             /* log every regcmd word */
	unsigned int debug_mask;    /* RKNPU_DBG_* for the core */
	bool bypass_irq_handler;
	bool bypass_soft_reset;
	uint32_t session_max_bos;   /* 0 = no limit */
	uint64_t session_max_bytes; /* 0 = no limit */
	bool iommu;                 /* NPU addresses go through the IOMMUs */
	uint64_t sram_size;         /* on-chip SRAM for the NPU (IOMMU mode); 0 = none */
	/* Physically contiguous allocations above this many bytes fail with
	 * -ENOMEM, as on a kernel without CMA; 0 = no limit. For tests. */
	uint64_t contig_max_bytes;
	unsigned int opp_bin;       /* OPP voltage bin: 0 base, 1..5 L1..L5 */
	/* Temperature source: a file holding millidegrees C (as
	 * /sys/class/thermal/thermal_zoneN/temp); empty = the software
	 * NPU's thermal model. */
	char thermal_path[256];
	/* Time of the core is model time: it advances only by the software
	 * NPU's modelled job durations and rnpu_host_advance_clock(), and
	 * the load window closes only on rnpu_host_load_tick(). For tests. */
	bool model_clock;
	/* Export the debugfs files, devfreq attributes, temperature and
	 * per-session fdinfo as plain files under this directory ("" = no
	 * export); see docs/monitoring.md. */
	char export_dir[256];
	unsigned int export_period_ms; /* refresh period (default 500) */
	/* No vdd supply: the regulator service answers -ENODEV, as a
	 * device without one does on Linux. For tests. */
	bool no_supply;
};

/* Fills @cfg with defaults, then applies from the environment:
 * RNPU_DEBUG (e.g. "reg,job"), RNPU_SIM_TRACE=1, the per-session
 * limits RNPU_SESSION_MAX_BOS and RNPU_SESSION_MAX_BYTES, RNPU_IOMMU=1
 * (IOMMU mode: per-session address spaces), RNPU_SRAM_SIZE (bytes of
 * on-chip SRAM, used in IOMMU mode), RNPU_OPP_BIN
 * (default 2), RNPU_THERMAL_PATH, and the file export: RNPU_EXPORT=1
 * exports under $XDG_RUNTIME_DIR/rnpu (else /tmp/rnpu-$UID),
 * RNPU_EXPORT_DIR=<dir> under <dir>, RNPU_EXPORT_PERIOD_MS, and
 * RNPU_MODEL_CLOCK=1 (tests). */
void rnpu_host_default_config(struct rnpu_host_config *cfg);
int rnpu_host_create(const struct rnpu_host_config *cfg, struct rnpu_host **out);
/* Every file must be closed first. */
void rnpu_host_destroy(struct rnpu_host *host);

/* The process-wide host that rnpu_open("sim") uses: created on the first
 * get, destroyed on the last put. */
int rnpu_host_get_default(struct rnpu_host **out);
void rnpu_host_put_default(struct rnpu_host *host);

struct rknpu_device *rnpu_host_device(struct rnpu_host *host);
struct rk3588_sim *rnpu_host_sim(struct rnpu_host *host);

/* mmap of a session's buffer at fake offset @offset, as the device node's
 * mmap would do: 0 and *addr, or negative errno. Unmap with munmap(). */
int rnpu_host_mmap(struct rnpu_host *host, struct rknpu_file *file, uint64_t offset,
		   size_t length, int prot, void **addr);

/* The same validation as rnpu_host_mmap(), but instead of mapping hands
 * out in *fd a new close-on-exec fd of the buffer's memory (a memfd; map
 * it from offset 0) for another address space to map. Such a buffer is
 * never recycled. 0 or negative errno. */
int rnpu_host_mmap_fd(struct rnpu_host *host, struct rknpu_file *file, uint64_t offset,
		      size_t length, int *fd);

/* In a child process after fork(): forgets the inherited default host
 * without touching it (its threads did not survive the fork), so that
 * the next rnpu_host_get_default() builds a fresh one. */
void rnpu_host_forget_default(void);

/* Buffers alive in the frame table and pages they use (leak checks). */
void rnpu_host_memory_stats(struct rnpu_host *host, uint64_t *buffers, uint64_t *pages);

/* Power, clock and voltage events the core caused, one per line ("pd0
 * on", "volt 825000", "clk 1000000000"), oldest first, since the last
 * call; clears them. For tests. */
size_t rnpu_host_take_events(struct rnpu_host *host, char *buf, size_t len);
/* Model clock (cfg.model_clock): the core's current time in ns, and
 * moving it forward. */
uint64_t rnpu_host_clock_ns(struct rnpu_host *host);
void rnpu_host_advance_clock(struct rnpu_host *host, uint64_t ns);
/* Closes the core's load window now (model clock). */
void rnpu_host_load_tick(struct rnpu_host *host);
/* Writes every exported file now (the export thread does so
 * periodically) and applies writes found in them. 0 or negative errno. */
int rnpu_host_export_sync(struct rnpu_host *host);
/* The export directory in use, or NULL. */
const char *rnpu_host_export_dir(struct rnpu_host *host);

#endif
