/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
#ifndef RNPU_HOST_INTERNAL_H
#define RNPU_HOST_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "osal.h"
#include "rnpu_host.h"

#define RNPU_HOST_PAGE_SHIFT 12
#define RNPU_HOST_PAGE_SIZE (1u << RNPU_HOST_PAGE_SHIFT)
/* Device-physical space: 32-bit, the NPU's address registers. The first
 * 1 MiB is never handed out so that small bogus addresses fault. */
#define RNPU_HOST_PHYS_FRAMES (1u << 20)
#define RNPU_HOST_FIRST_FRAME 256u
#define RNPU_HOST_MAX_CORES 3
#define RNPU_HOST_RESET_LINES 6
/* In-place DMA reads at once: a few per core is plenty (one per task). */
#define RNPU_HOST_MAX_PINS 8

/* Physical memory: frame number -> host address of that page. */
struct rnpu_frames {
	/* Protects bitmap, page[], hint and counters. DMA walks hold it for
	 * reading, so a buffer cannot be unmapped under a running copy. */
	pthread_rwlock_t lock;
	uint64_t *bitmap;           /* 1 = frame in use */
	uint8_t **page;
	uint32_t hint;              /* next-fit search start */
	uint64_t used_frames;
	uint64_t buffers;
	/* Protects pins[]; taken inside @lock when both are held. */
	pthread_mutex_t pin_lock;
	pthread_cond_t unpinned;    /* a pin was released */
	/* In-place reads (rnpu_frames_pin) still in use: unmapping their
	 * frames waits for them. */
	struct rnpu_frame_pin {
		const uint8_t *ptr;
		uint32_t first, count; /* frames; count 0 = slot free */
	} pins[RNPU_HOST_MAX_PINS];
};

int rnpu_frames_init(struct rnpu_frames *f);
void rnpu_frames_fini(struct rnpu_frames *f);
/* Maps @npages pages starting at @host_addr to contiguous frames. */
int rnpu_frames_map(struct rnpu_frames *f, uint8_t *host_addr, uint32_t npages, uint32_t *pfn);
void rnpu_frames_unmap(struct rnpu_frames *f, uint32_t pfn, uint32_t npages);
/* Copies across frames; -EFAULT if any page is unmapped. */
int rnpu_frames_read(struct rnpu_frames *f, uint64_t addr, void *dst, size_t len);
int rnpu_frames_write(struct rnpu_frames *f, uint64_t addr, const void *src, size_t len);
/* Host pointer to [@addr, @addr + @len) when it is one run of host memory
 * (NULL otherwise, or when all pins are taken); its buffer cannot be
 * unmapped until rnpu_frames_unpin. */
const void *rnpu_frames_pin(struct rnpu_frames *f, uint64_t addr, size_t len);
void rnpu_frames_unpin(struct rnpu_frames *f, const void *ptr, size_t len);

/* Freed, never-shared memfds kept for reuse, by page count. */
#define RNPU_POOL_MAX_PAGES 64u
#define RNPU_POOL_PER_CLASS 64u
struct rnpu_memfd_pool {
	pthread_mutex_t lock;       /* protects every class */
	struct {
		int fd[RNPU_POOL_PER_CLASS];
		void *addr[RNPU_POOL_PER_CLASS];
		unsigned int count;
	} cls[RNPU_POOL_MAX_PAGES + 1];
};

/* Slab memfds for buffers of up to RNPU_SLAB_MAX_PAGES pages (host_slab.c). */
#define RNPU_SLAB_PAGES 512u
#define RNPU_SLAB_MAX_PAGES 16u
struct rnpu_slab {
	int fd;
	uint8_t *addr;              /* the whole slab, mapped once */
	uint64_t used[RNPU_SLAB_PAGES / 64]; /* slabs lock */
	uint32_t used_pages;        /* slabs lock */
};
struct rnpu_slabs {
	pthread_mutex_t lock;       /* protects every field and slab bitmaps */
	struct rnpu_slab **slab;
	uint32_t count, cap;
	uint32_t hint;              /* no slab before it has room */
};
void rnpu_slabs_init(struct rnpu_slabs *s);
void rnpu_slabs_fini(struct rnpu_slabs *s);
int rnpu_slab_alloc(struct rnpu_slabs *s, uint32_t npages, struct rnpu_slab **slab,
		    uint32_t *first);
void rnpu_slab_free(struct rnpu_slabs *s, struct rnpu_slab *sl, uint32_t first, uint32_t npages);

struct rnpu_osal_dev {
	struct rnpu_host *host;
};

struct rnpu_osal_mmio {
	struct rnpu_host *host;
	unsigned int core;
};

struct rnpu_host_irq {
	rnpu_osal_irq_handler_t handler;
	void *data;
	bool pending;               /* rising edge not yet delivered */
	bool level;
	bool running;               /* a delivery loop runs the handler */
};

struct rnpu_host {
	struct rnpu_host_config cfg;
	struct rnpu_osal_dev dev;
	struct rnpu_osal_mmio mmio[RNPU_HOST_MAX_CORES];
	struct rk3588_sim *sim;
	struct rknpu_device *rdev;
	struct rnpu_frames frames;
	struct rnpu_memfd_pool pool;
	struct rnpu_slabs slabs;
	/* Serialises giving slab buffers a memfd of their own. */
	pthread_mutex_t promote_lock;

	/* Interrupt delivery: protects irq[]; irq_cond signals the end of a
	 * delivery loop (free_irq waits for it). */
	pthread_mutex_t irq_lock;
	pthread_cond_t irq_cond;
	struct rnpu_host_irq irq[RNPU_HOST_MAX_CORES];

	/* Reset lines: protects reset_count. */
	pthread_mutex_t reset_lock;
	unsigned int reset_count[RNPU_HOST_MAX_CORES]; /* asserted lines per core */

	unsigned int default_refs;  /* under the default-host lock */

	/* The NPU's on-chip SRAM: one buffer the platform names (NULL if
	 * none), mapped by physical address for SRAM-backed objects. */
	struct rnpu_osal_dma_buf *sram;
	uint64_t sram_phys;

	/* Power, clock, voltage (host_power.c): protects the fields below. */
	pthread_mutex_t power_lock;
	bool domain_on[RNPU_HOST_MAX_CORES];
	uint64_t clk_hz;
	int volt_uv;
	char events[4096];          /* recent events, newline separated */
	size_t events_len;
	uint64_t model_ns;          /* model clock (atomic) */

	struct rnpu_host_export *export; /* host_export.c, NULL if off */
};

struct rnpu_osal_dma_buf {
	struct rnpu_host *host;
	/* A small buffer lives in a slab until it is exported or mapped by
	 * userspace, then gets its own memfd (fd >= 0) at the same address. */
	struct rnpu_slab *slab;
	uint32_t slab_first;
	int fd;                     /* -1 while in a slab (promote_lock) */
	uint8_t *addr;              /* host mapping used for DMA */
	size_t size;
	uint32_t pfn;
	uint32_t npages;
	bool shared;                /* exported or imported: never pooled */
	uint64_t identity;
};

struct rnpu_osal_vma {
	size_t length;
	int prot;
	void *addr;                 /* out */
	/* Instead of mapping, hand out a dup of the buffer's memfd in fd so
	 * that another address space (a drop-in client) maps it itself. */
	bool want_fd;
	int fd;                     /* out, with want_fd */
};

void rnpu_host_power_default_config(struct rnpu_host_config *cfg);
int rnpu_host_power_init(struct rnpu_host *host);
void rnpu_host_power_fini(struct rnpu_host *host);
void rnpu_host_model_time(void *ctx, unsigned int core, uint64_t ns);
int rnpu_host_export_start(struct rnpu_host *host);
void rnpu_host_export_stop(struct rnpu_host *host);
int rnpu_host_irq_start(struct rnpu_host *host);
void rnpu_host_irq_stop(struct rnpu_host *host);
void rnpu_host_irq_line(void *ctx, unsigned int core, bool level);
void rnpu_memfd_pool_init(struct rnpu_memfd_pool *pool);
void rnpu_memfd_pool_fini(struct rnpu_memfd_pool *pool);

#endif
