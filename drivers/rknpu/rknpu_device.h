/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * What a host sees of the RKNPU driver core: probe a device from a platform
 * description, open files (sessions) on it, pass ioctls and mmap requests.
 * Everything the core needs back from the host goes through osal.h.
 */
#ifndef RKNPU_DEVICE_H
#define RKNPU_DEVICE_H

#include "osal.h"

#define RKNPU_MAX_CORES 3
#define RKNPU_MAX_RESETS 8

struct rknpu_device;
struct rknpu_file;

/* The hardware instance as the host found it (device tree, ACPI, a table). */
struct rknpu_platform {
	const char *compatible;        /* e.g. "rockchip,rk3588-rknpu" */
	const char *unique;            /* DRM unique name, e.g. "fdab0000.npu" */
	struct rnpu_osal_dev *dev;
	struct rnpu_osal_mmio *mmio[RKNPU_MAX_CORES];
	unsigned int num_mmio;
	unsigned int irq[RKNPU_MAX_CORES];
	unsigned int num_irqs;
	unsigned int num_resets;       /* reset lines, asserted in index order */
	bool iommu;                    /* an IOMMU translates NPU addresses */
	/* On-chip SRAM the NPU may use ("rockchip,sram"); size 0 = none.
	 * Used in IOMMU mode only, as the vendor does. */
	uint64_t sram_phys;
	uint64_t sram_size;
	void *sram_vaddr;              /* CPU view of it, to clear what is handed out */
	bool bypass_irq_handler;       /* module parameter, read at probe only */
	bool bypass_soft_reset;        /* module parameter; debugfs may change it */
	/* Per-session limits, 0 = none: buffer objects a session may hold
	 * handles to, and the bytes of those objects. */
	uint32_t session_max_bos;
	uint64_t session_max_bytes;
	/* Voltage column of the OPP table (0 = base, 1..5 = leakage bins
	 * L1..L5; what an eFuse would select). */
	unsigned int opp_bin;
	/* The host calls rknpu_load_tick() itself (e.g. on a model clock)
	 * instead of the core's 1 s timer. */
	bool manual_load_tick;
	/* The host's OS runs the frequency loop (Linux devfreq): the core's
	 * load tick then reads the temperature but leaves the operating
	 * point, a debugfs "freq" write only records the rate
	 * (rknpu_devfreq_pinned_hz()) for the host to honour, and the host
	 * applies rates through rknpu_devfreq_policy() and
	 * rknpu_devfreq_set(). */
	bool host_devfreq;
};

/* Debug categories for rknpu_set_debug(); each enables a class of trace. */
#define RKNPU_DBG_REG (1u << 0)    /* every register access, by name */
#define RKNPU_DBG_IOCTL (1u << 1)  /* ioctl entry/exit with errno */
#define RKNPU_DBG_JOB (1u << 2)    /* job scheduling, commit, completion */
#define RKNPU_DBG_GEM (1u << 3)    /* buffer objects */

/* Creates the device: matches the compatible against the SoC table, maps
 * IRQs, reads the hardware version. 0 or negative errno (-ENODEV unknown
 * SoC, -ENXIO missing MMIO window, -EINVAL inconsistent description). */
int rknpu_probe(const struct rknpu_platform *plat, struct rknpu_device **out);
/* Tears the device down. Every file must be closed first. */
void rknpu_remove(struct rknpu_device *rdev);

void rknpu_set_debug(struct rknpu_device *rdev, unsigned int mask);
unsigned int rknpu_parse_debug(const char *spec); /* "reg,job" -> mask */

/* One open of the device node: a session with its own handle table. */
int rknpu_file_open(struct rknpu_device *rdev, struct rknpu_file **out);
/* Attaches the host's own file object, passed to the OS services' handle
 * hooks (rnpu_osal_dma_handle_added/removed); set before the first ioctl. */
void rknpu_file_set_os_file(struct rknpu_file *file, void *os_file);
/* Releases every handle the session holds. Objects still used by queued
 * jobs or still mapped live until their last user is gone. */
void rknpu_file_close(struct rknpu_file *file);

/* The ioctl entry point: DRM ('d') and misc ('r') numbering. @arg is a
 * pointer in the caller's address space; copied with the DRM core's size
 * rules. Returns 0 or negative errno. */
long rknpu_ioctl(struct rknpu_file *file, unsigned int cmd, void __rnpu_user *arg);

/* The vendor's debugfs "mm" text (SRAM bitmap) into @buf (NUL-terminated
 * when @len > 0). Returns the length of the whole text, which may exceed
 * @len - 1 like snprintf; 0 (empty file) without SRAM. May sleep. */
size_t rknpu_debug_mm_show(struct rknpu_device *rdev, char *buf, size_t len);

/* mmap of the device node at fake offset @offset: validates the request
 * and hands it to rnpu_osal_dma_mmap(). 0 or negative errno. */
int rknpu_mmap(struct rknpu_file *file, uint64_t offset, struct rnpu_osal_vma *vma);

/* ------------------------------------------------------ observability */

/* The vendor's debugfs files, in the order the vendor creates them. */
extern const char *const rknpu_debugfs_names[];
extern const unsigned int rknpu_debugfs_count;
/* The text a read of debugfs file @name returns, byte for byte, NUL-
 * terminated in @buf. Returns its length (truncated to len - 1 if @len is
 * too small), or -ENOENT for an unknown name. May sleep. */
int rknpu_debugfs_show(struct rknpu_device *rdev, const char *name, char *buf, size_t len);
/* A write of @len bytes to file @name with the vendor's rules (the last
 * byte is dropped; length limits; parse errors). Returns @len or negative
 * errno. May sleep. */
long rknpu_debugfs_store(struct rknpu_device *rdev, const char *name, const char *buf,
			 size_t len);
/* Whether the vendor gives debugfs file @name a write handler (mode 0644). */
bool rknpu_debugfs_writable(const char *name);

/* The devfreq attributes (as /sys/class/devfreq/<dev>/ shows them). */
extern const char *const rknpu_devfreq_attr_names[];
extern const unsigned int rknpu_devfreq_attr_count;
int rknpu_devfreq_show(struct rknpu_device *rdev, const char *name, char *buf, size_t len);
long rknpu_devfreq_store(struct rknpu_device *rdev, const char *name, const char *buf,
			 size_t len);

/* Usage of one session in the DRM fdinfo format (drm-driver, drm-client-id,
 * drm-engine-npuN in ns, drm-total-memory, drm-resident-memory). Returns
 * the length written (truncated like snprintf). */
int rknpu_show_fdinfo(struct rknpu_file *file, char *buf, size_t len);

/* Calls @fn with the fdinfo text of every open session (in open order),
 * holding the session list lock: @fn must not open or close sessions. */
void rknpu_fdinfo_foreach(struct rknpu_device *rdev,
			  void (*fn)(void *ctx, unsigned int client_id, const char *text),
			  void *ctx);

/* ------------------------------------- devfreq run by the host's OS loop */

/* How an operating point is chosen for a rate. */
enum rknpu_opp_pick {
	RKNPU_OPP_AT_LEAST,     /* the lowest at or above it, else the highest */
	RKNPU_OPP_AT_MOST,      /* the highest at or below it, else the lowest */
	RKNPU_OPP_NEAREST,      /* the closest; a tie goes up */
};

/* Row @idx of the SoC's OPP table (ascending): 0 and the rate and the
 * voltage of the platform's bin, -ENOENT past the end, -ENODEV without
 * devfreq. For hosts whose OS needs the table when the firmware gives
 * none. */
int rknpu_devfreq_opp(struct rknpu_device *rdev, unsigned int idx, uint64_t *hz, int *uv);
/* The rate the core allows when the host's governor proposes
 * @proposed_hz, and how to round it to an operating point: the thermal
 * cap limits it (then at most). Reads the temperature. May sleep. */
uint64_t rknpu_devfreq_policy(struct rknpu_device *rdev, uint64_t proposed_hz,
			      enum rknpu_opp_pick *pick);
/* The rate the last debugfs "freq" write asked for while the host runs
 * the loop (the vendor governor's target), or 0 when none is pinned (no
 * write yet, or a write of 0). The fact sheet's OPP layer rounds it to
 * the nearest point. */
uint64_t rknpu_devfreq_pinned_hz(struct rknpu_device *rdev);
/* Moves to @hz at @uv microvolts (0: leave the rail alone), the rail
 * before the clock going up and after it going down, as every path of
 * the core does; the debugfs freq and volt files then read them. 0 or
 * negative errno. May sleep. */
int rknpu_devfreq_set(struct rknpu_device *rdev, uint64_t hz, int uv);
/* The last load window for the host's governor: the busiest core's busy
 * ns, the window's length and the current rate. -ENODEV without devfreq. */
int rknpu_devfreq_status(struct rknpu_device *rdev, uint64_t *busy_ns, uint64_t *window_ns,
			 uint64_t *cur_hz);

/* Closes the current load window (normally the core's 1 s timer does). */
void rknpu_load_tick(struct rknpu_device *rdev);

/* System sleep: suspend switches the NPU off whatever the references,
 * resume restores it. May sleep. 0 or negative errno. */
int rknpu_suspend(struct rknpu_device *rdev);
int rknpu_resume(struct rknpu_device *rdev);

#endif
