/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * The K230 KPU driver core: the GNNE (KPU) and AI2D devices, the mailbox
 * hardware locks and the MMZ allocator, on the OS services of osal.h only.
 * A host describes the hardware in a struct kpu_platform, probes, and
 * forwards opens, ioctls, polls and closes. Errors are negative errno.
 */
#ifndef KPU_DEVICE_H
#define KPU_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "osal.h"

struct kpu_device;
struct kpu_file;
struct kpu_hardlock;

enum kpu_unit {
	KPU_UNIT_GNNE,
	KPU_UNIT_AI2D,
	KPU_UNIT_COUNT
};

struct kpu_platform {
	const char *compatible;        /* "canaan,k230-kpu" */
	struct rnpu_osal_dev *dev;
	struct rnpu_osal_mmio *kpu_io; /* KPU + FFT + AI2D window, 0x1000 bytes */
	struct kpu_hardlock *hardlock; /* this OS's hardware-lock driver */
	unsigned int irq[KPU_UNIT_COUNT]; /* interrupt indexes for request_irq */
	unsigned int lock_timeout_ms;  /* bound of LOCK; 0 = the SoC default */
	unsigned int wait_timeout_ms;  /* default of K230_GNNE_IOC_WAIT; 0 = SoC default */
};

struct kpu_stats {
	uint64_t irqs[KPU_UNIT_COUNT];
	uint64_t spurious_irqs;        /* GNNE line raised without intr_status */
	uint64_t recoveries;           /* resets after a hang or a close mid-run */
};

/* ---- hardware locks (one per OS, over the mailbox window) ---- */

int kpu_hardlock_create(struct rnpu_osal_mmio *mbox_io, struct kpu_hardlock **out);
void kpu_hardlock_destroy(struct kpu_hardlock *hl);
/* Reserves lock @id for one user of this OS: 0, -EINVAL (bad id) or
 * -EBUSY (already reserved). */
int kpu_hardlock_request(struct kpu_hardlock *hl, unsigned int id);
void kpu_hardlock_release(struct kpu_hardlock *hl, unsigned int id);
/* One attempt: 0 when taken, -EBUSY when another owner holds it. */
int kpu_hardlock_trylock(struct kpu_hardlock *hl, unsigned int id);
void kpu_hardlock_unlock(struct kpu_hardlock *hl, unsigned int id);

/* ---- devices ---- */

/* 0, -ENODEV (unknown compatible), -EINVAL, -ENOMEM or a request_irq
 * error. A hardware lock that cannot be reserved is logged and the device
 * comes up without it (every GNNE ioctl then fails, as the vendor's). */
int kpu_probe(const struct kpu_platform *plat, struct kpu_device **out);
/* Every file must be closed first. */
void kpu_remove(struct kpu_device *kdev);
void kpu_get_stats(struct kpu_device *kdev, struct kpu_stats *out);

int kpu_file_open(struct kpu_device *kdev, enum kpu_unit unit, struct kpu_file **out);
/* Releases the hardware lock the handle holds (stopping a run it left
 * behind), then frees it. NULL gives -EINVAL. */
int kpu_file_close(struct kpu_file *file);
/* Vendor command numbers and rnpu extensions of k230/kpu_ioctl.h. May
 * sleep (bounded). */
int kpu_ioctl(struct kpu_file *file, unsigned int cmd, void __rnpu_user *arg);
/* Never sleeps. Returns K230_KPU_POLLIN and consumes the latched
 * completion if one is there, else 0; *wq is where to sleep until calling
 * again (woken by every interrupt). NULL file: -EINVAL. */
int kpu_poll(struct kpu_file *file, struct rnpu_osal_waitq **wq);
/* True while a completion is latched for the file's unit (consumes
 * nothing): the condition for sleeping on *wq. */
bool kpu_poll_pending(struct kpu_file *file);

/* ---- MMZ allocator ---- */

struct kpu_mmz;
struct kpu_mmz_stats {
	uint64_t blocks;       /* alive now */
	uint64_t bytes;        /* alive now, page-rounded */
	uint64_t peak_bytes;
	uint64_t allocs;
	uint64_t frees;
};

int kpu_mmz_create(struct rnpu_osal_dev *dev, struct kpu_mmz **out);
/* Frees every block still allocated, logging each as a leak; returns the
 * number of leaked blocks. */
unsigned int kpu_mmz_destroy(struct kpu_mmz *mmz);
/* @len bytes (page-rounded) of physically contiguous memory, cached or
 * not. Names may be NULL; longer names are cut to 15/31 characters.
 * 0, -EINVAL (len 0) or -ENOMEM. */
int kpu_mmz_alloc(struct kpu_mmz *mmz, uint32_t len, bool cached, const char *mmb,
		  const char *zone, uint64_t *phys, void **virt);
/* Frees the block at @phys; a non-NULL @virt must be its address.
 * -ENOENT (unknown phys) or -EINVAL (virt does not match). */
int kpu_mmz_free(struct kpu_mmz *mmz, uint64_t phys, void *virt);
/* CPU address of [phys, phys + size) if it lies inside one block: 0 or
 * -EFAULT. */
int kpu_mmz_phys_to_virt(struct kpu_mmz *mmz, uint64_t phys, uint32_t size, void **virt,
			 bool *cached);
/* Physical address of a CPU address inside a block: 0 or -EFAULT. */
int kpu_mmz_virt_to_phys(struct kpu_mmz *mmz, const void *virt, uint64_t *phys, bool *cached);
/* Cache maintenance of [phys, phys + size) (RNPU_OSAL_SYNC_* in @dir),
 * which must lie inside one block with @virt its CPU address; phys 0
 * means every cached block. Non-cached blocks need none. 0 or -EFAULT. */
int kpu_mmz_sync(struct kpu_mmz *mmz, uint64_t phys, const void *virt, uint32_t size,
		 unsigned int dir);
void kpu_mmz_get_stats(struct kpu_mmz *mmz, struct kpu_mmz_stats *out);

/* The instance the vendor-named functions (k230/mpi_sys_api.h) use; NULL
 * unbinds. Returns the previous one. */
struct kpu_mmz *kpu_mmz_bind_default(struct kpu_mmz *mmz);

#endif
