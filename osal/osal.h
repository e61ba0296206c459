/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * OS services layer: the only way the portable driver core reaches an
 * operating system or hardware. A host (userspace, Linux kernel, RTOS)
 * implements every function declared here; the core calls nothing else.
 *
 * Conventions
 *  - Errors are negative errno values with Linux's numbering (the UAPI's).
 *  - "May sleep" functions must not be called while holding a spinlock.
 *  - "Atomic context" means an interrupt handler or a spinlock holder.
 *  - Every wait takes a bound; there is no unbounded wait in this contract.
 */
#ifndef RNPU_OSAL_H
#define RNPU_OSAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "osal_errno.h"

#if defined(__GNUC__)
#define RNPU_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define RNPU_PRINTF(a, b)
#endif

/* Compiler built-ins, not libc: available in every host including kernels. */
#define rnpu_memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define rnpu_memset(d, c, n) __builtin_memset((d), (c), (n))
#define rnpu_memcmp(a, b, n) __builtin_memcmp((a), (b), (n))

/* Marks a pointer into the caller's (user) address space. */
#define __rnpu_user

/* ---------------------------------------------------------------- memory */

/* Allocates @size zeroed bytes. May sleep. NULL on failure or size 0. */
void *rnpu_osal_zalloc(size_t size);
/* Allocates n * size zeroed bytes; NULL on overflow or failure. May sleep. */
void *rnpu_osal_zalloc_array(size_t n, size_t size);
/* Frees memory from the two functions above; NULL is ignored. Any context
 * that may sleep. */
void rnpu_osal_free(void *p);

/* Copies from/to the caller's address space. Return 0 or -EFAULT. May
 * sleep (page faults). */
int rnpu_osal_copy_from_user(void *dst, const void __rnpu_user *src, size_t n);
int rnpu_osal_copy_to_user(void __rnpu_user *dst, const void *src, size_t n);

/* ------------------------------------------------------------ formatting */

/* printf-style formatting into @buf (always NUL-terminated when size > 0).
 * Supports at least %d %i %u %x %X %lld %llu %llx %zu %zd %s %c %p %% with
 * width, precision, '0' and '-' flags, with the Linux kernel's semantics
 * (notably "%2.d" of 0 prints " 0"). Returns the length the full output
 * would have. Any context. */
int rnpu_osal_snprintf(char *buf, size_t size, const char *fmt, ...) RNPU_PRINTF(3, 4);
int rnpu_osal_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* ---------------------------------------------------------------- logging */

enum rnpu_log_level {
	RNPU_LOG_ERR = 3,
	RNPU_LOG_WARN = 4,
	RNPU_LOG_INFO = 6,
	RNPU_LOG_DEBUG = 7,
};

/* Emits one log line (no trailing newline needed). Any context; must not
 * sleep. The host adds its own prefix (e.g. "RKNPU fdab0000.npu: "). */
void rnpu_osal_log(enum rnpu_log_level level, const char *fmt, ...) RNPU_PRINTF(2, 3);

/* ------------------------------------------------------------------ locks */

struct rnpu_osal_mutex;
struct rnpu_osal_spinlock;

/* Sleeping lock. create: 0 or -ENOMEM (may sleep). lock may sleep;
 * unlock any context that holds it. destroy frees (NULL ignored). */
int rnpu_osal_mutex_create(struct rnpu_osal_mutex **out);
void rnpu_osal_mutex_destroy(struct rnpu_osal_mutex *m);
void rnpu_osal_mutex_lock(struct rnpu_osal_mutex *m);
void rnpu_osal_mutex_unlock(struct rnpu_osal_mutex *m);
/* Non-blocking attempt: true if taken. */
bool rnpu_osal_mutex_trylock(struct rnpu_osal_mutex *m);

/* Interrupt-safe lock: usable from the IRQ handler. The holder must not
 * sleep. @flags stores the interrupt state to restore. */
int rnpu_osal_spinlock_create(struct rnpu_osal_spinlock **out);
void rnpu_osal_spinlock_destroy(struct rnpu_osal_spinlock *l);
void rnpu_osal_spin_lock_irqsave(struct rnpu_osal_spinlock *l, unsigned long *flags);
void rnpu_osal_spin_unlock_irqrestore(struct rnpu_osal_spinlock *l, unsigned long flags);

/* ------------------------------------------------------------- wait queue */

struct rnpu_osal_waitq;

int rnpu_osal_waitq_create(struct rnpu_osal_waitq **out);
void rnpu_osal_waitq_destroy(struct rnpu_osal_waitq *wq);
/* Sleeps until cond(arg) returns true or @timeout_ms elapses. cond is
 * evaluated with no core lock held, before sleeping and after every wake
 * (it may take spinlocks). Returns the remaining time in ms (>= 1) when
 * the condition became true, 0 on timeout. May sleep. Not interruptible by
 * signals (the vendor's blocking submit is not). */
long rnpu_osal_waitq_wait_timeout(struct rnpu_osal_waitq *wq, bool (*cond)(void *arg),
				  void *arg, unsigned int timeout_ms);
/* Wakes every waiter so it re-evaluates its condition. Any context. */
void rnpu_osal_waitq_wake_all(struct rnpu_osal_waitq *wq);

/* ------------------------------------------------------------------- time */

/* Monotonic time in ns. Any context. */
uint64_t rnpu_osal_time_ns(void);
/* Sleeps at least @ms milliseconds. May sleep. */
void rnpu_osal_msleep(unsigned int ms);
/* Busy-waits (or sleeps, if the host can) at least @us microseconds. */
void rnpu_osal_udelay(unsigned int us);

/* ------------------------------------------------- the device and its I/O */

/* The host's handle for one NPU instance: owns MMIO windows, IRQ lines,
 * reset lines, clocks and DMA memory. Opaque to the core. */
struct rnpu_osal_dev;
/* One MMIO window (a core's 64 KiB register space). */
struct rnpu_osal_mmio;

/* 32-bit register access at byte @offset of @io. Any context; no sleep. */
uint32_t rnpu_osal_readl(struct rnpu_osal_mmio *io, uint32_t offset);
void rnpu_osal_writel(struct rnpu_osal_mmio *io, uint32_t offset, uint32_t value);
/* 64-bit register access at 8-byte aligned @offset, for registers wider
 * than 32 bits whose halves must change in one store (the K230 KPU's
 * masked CTRL word). One bus access where the CPU has 64-bit stores; a
 * 32-bit CPU does low word then high word. Any context; no sleep. */
uint64_t rnpu_osal_readq(struct rnpu_osal_mmio *io, uint32_t offset);
void rnpu_osal_writeq(struct rnpu_osal_mmio *io, uint32_t offset, uint64_t value);

typedef void (*rnpu_osal_irq_handler_t)(void *data);
/* Connects @handler to interrupt line @irq (an index the platform
 * description gave). The handler runs in atomic context; the line is
 * shared and level-triggered. 0 or negative errno. May sleep. */
int rnpu_osal_request_irq(struct rnpu_osal_dev *dev, unsigned int irq,
			  rnpu_osal_irq_handler_t handler, void *data);
/* Disconnects and waits until a running handler has returned. May sleep. */
void rnpu_osal_free_irq(struct rnpu_osal_dev *dev, unsigned int irq);

/* Reset lines, by index into the platform's list. 0 or negative errno. */
int rnpu_osal_reset_assert(struct rnpu_osal_dev *dev, unsigned int line);
int rnpu_osal_reset_deassert(struct rnpu_osal_dev *dev, unsigned int line);

/* Clock rate in Hz of clock @idx (0 = the NPU core clock); 0 if unknown. */
uint64_t rnpu_osal_clk_get_rate(struct rnpu_osal_dev *dev, unsigned int idx);
/* Supply voltage in microvolts of the NPU rail; negative errno if none. */
int rnpu_osal_regulator_get_voltage(struct rnpu_osal_dev *dev);

/* Switches power domain @idx of the NPU (an index into the SoC's list; on
 * the RK3588 0 = NPUTOP with core 0, 1 = NPU1, 2 = NPU2). A core's
 * registers must not be touched while its domain is off. The core switches
 * them on in index order and off in reverse. 0 or negative errno. May
 * sleep. */
int rnpu_osal_power_domain_set(struct rnpu_osal_dev *dev, unsigned int idx, bool on);
/* Sets clock @idx (0 = the NPU core clock) to @hz. 0 or negative errno.
 * May sleep. */
int rnpu_osal_clk_set_rate(struct rnpu_osal_dev *dev, unsigned int idx, uint64_t hz);
/* Sets the NPU rail to @uv microvolts. 0 or negative errno (-ENODEV: no
 * regulator). May sleep. */
int rnpu_osal_regulator_set_voltage(struct rnpu_osal_dev *dev, int uv);
/* Temperature of the NPU's thermal zone in millidegrees Celsius: 0 and
 * *mc, or -ENODEV when the host has no sensor. May sleep. */
int rnpu_osal_thermal_get_temp(struct rnpu_osal_dev *dev, int *mc);

/* Applies a nice value to the calling task, as the host's policy allows.
 * Returns 0 or negative errno (the core reports success either way, as the
 * vendor does). May sleep. */
int rnpu_osal_set_nice(int nice);

/* ---------------------------------------------------------- deferred work */

/* Work run later in a context that may sleep (a kernel workqueue, a
 * worker thread). One item is queued at most once at a time. */
struct rnpu_osal_work;
typedef void (*rnpu_osal_work_fn_t)(void *data);

/* 0 or -ENOMEM. May sleep. */
int rnpu_osal_work_create(struct rnpu_osal_work **out, rnpu_osal_work_fn_t fn, void *data);
/* Runs fn(data) after at least @delay_ms (0 = as soon as possible).
 * Returns false if the item was already pending (its delay is not
 * changed). Any context. */
bool rnpu_osal_work_queue(struct rnpu_osal_work *w, unsigned int delay_ms);
/* Cancels a pending run and waits for a running one to return. Returns
 * true if a pending run was cancelled. May sleep; must not be called from
 * the work's own function. */
bool rnpu_osal_work_cancel_sync(struct rnpu_osal_work *w);
/* Frees the item; it must be neither pending nor running. */
void rnpu_osal_work_destroy(struct rnpu_osal_work *w);

/* ----------------------------------------------------------------- fences */

/* A one-shot completion with a status, which userspace sees as a pollable
 * file descriptor (a sync_file on Linux). It becomes ready once, with 0 or
 * a negative errno, and stays ready. */
struct rnpu_osal_fence;

/* A new unsignalled fence. 0 or -ENOMEM/-EMFILE. May sleep. */
int rnpu_osal_fence_create(struct rnpu_osal_fence **out);
/* Signals with @status (0 = success, negative errno = failure). Only the
 * first signal counts. Any context. */
void rnpu_osal_fence_signal(struct rnpu_osal_fence *f, int status);
/* Installs a new fd (close-on-exec) for the fence in the caller's table.
 * 0 and *fd, or negative errno. May sleep. */
int rnpu_osal_fence_export_fd(struct rnpu_osal_fence *f, int *fd);
/* Takes a fence from an fd the caller passed in (FENCE_IN). -EINVAL if the
 * fd is not a fence, -EBADF if it is not open. May sleep. */
int rnpu_osal_fence_import_fd(int fd, struct rnpu_osal_fence **out);
/* Waits until signalled or @timeout_ms elapse. Returns the fence status
 * (0 or negative errno) once signalled, -ETIMEDOUT otherwise. May sleep. */
int rnpu_osal_fence_wait(struct rnpu_osal_fence *f, unsigned int timeout_ms);
/* Drops the core's reference; exported fds keep the signal alive. */
void rnpu_osal_fence_put(struct rnpu_osal_fence *f);

/* -------------------------------------------------------------- DMA memory */

/* Allocation flags for rnpu_osal_dma_alloc. */
#define RNPU_OSAL_DMA_CONTIGUOUS (1u << 0) /* physically contiguous */
#define RNPU_OSAL_DMA_CACHEABLE (1u << 1)  /* CPU mapping cached; needs sync */
#define RNPU_OSAL_DMA_WRITECOMBINE (1u << 2)
#define RNPU_OSAL_DMA_ZERO (1u << 3)       /* contents zeroed */
#define RNPU_OSAL_DMA_DMA32 (1u << 4)      /* device address below 4 GiB */
#define RNPU_OSAL_DMA_KMAP (1u << 5)       /* the core needs a CPU pointer */

#define RNPU_OSAL_SYNC_TO_DEVICE (1u << 0)
#define RNPU_OSAL_SYNC_FROM_DEVICE (1u << 1)

/* A buffer the device can reach; shareable with other processes/devices
 * (it is, or can become, a dma-buf). */
struct rnpu_osal_dma_buf;

struct rnpu_osal_dma_info {
	size_t size;        /* bytes, page-rounded */
	uint64_t dma_addr;  /* address the NPU uses */
	void *vaddr;        /* CPU pointer for the core, or NULL without KMAP */
	bool contiguous;
};

/* Allocates @size bytes (rounded up to the host page size). May sleep.
 * Returns 0, -ENOMEM, or -EINVAL for an unsupported flag combination. */
int rnpu_osal_dma_alloc(struct rnpu_osal_dev *dev, size_t size, unsigned int flags,
			struct rnpu_osal_dma_buf **out, struct rnpu_osal_dma_info *info);
/* Drops the core's reference; memory lives on while exported or mapped.
 * May sleep. */
void rnpu_osal_dma_put(struct rnpu_osal_dma_buf *buf);
/* Cache maintenance for a byte range (already bounds-checked by the core).
 * @dir is a mask of RNPU_OSAL_SYNC_*. May sleep. */
void rnpu_osal_dma_sync(struct rnpu_osal_dma_buf *buf, uint64_t offset, uint64_t size,
			unsigned int dir);
/* Exports as a dma-buf file descriptor (@flags: RNPU_DRM_CLOEXEC/RDWR
 * subset). 0 and *fd, or negative errno. May sleep. */
int rnpu_osal_dma_export_fd(struct rnpu_osal_dma_buf *buf, unsigned int flags, int *fd);
/* Identity of the buffer behind a dma-buf fd, so the core can recognise
 * its own exports: 0 and *id, -EBADF for a bad fd, -EINVAL if not a
 * dma-buf. */
int rnpu_osal_dma_fd_identity(int fd, uint64_t *id);
uint64_t rnpu_osal_dma_identity(struct rnpu_osal_dma_buf *buf);
/* A session's handle @handle now names @buf / no longer does. For an OS
 * that keeps its own per-file table of buffers (Linux: the DRM file's GEM
 * handles, which fdinfo's memory keys and the DRM core read); a no-op
 * elsewhere. @os_file is what rknpu_file_set_os_file() attached (NULL if
 * nothing). Called with the session's lock held; may sleep. Added: 0 or
 * negative errno, and the handle is then not created. */
int rnpu_osal_dma_handle_added(void *os_file, uint32_t handle, struct rnpu_osal_dma_buf *buf);
void rnpu_osal_dma_handle_removed(void *os_file, uint32_t handle, struct rnpu_osal_dma_buf *buf);
/* Imports a foreign dma-buf: maps it for the device. May sleep. 0 or
 * negative errno (-EBADF, -EINVAL, -ENOMEM). info->vaddr is NULL. */
int rnpu_osal_dma_import_fd(struct rnpu_osal_dev *dev, int fd, struct rnpu_osal_dma_buf **out,
			    struct rnpu_osal_dma_info *info);

/* A user mapping request, filled by the host's mmap entry point and
 * completed by rnpu_osal_dma_mmap (the core has validated size/offset). */
struct rnpu_osal_vma;
/* Maps @buf from its first byte into @vma with the cache attributes of
 * @flags (RNPU_OSAL_DMA_*). 0 or negative errno. May sleep. */
int rnpu_osal_dma_mmap(struct rnpu_osal_dma_buf *buf, struct rnpu_osal_vma *vma,
		       unsigned int flags);
/* Maps @head_len bytes of device memory at physical @head_phys (on-chip
 * SRAM the platform described), followed by @buf from its first byte, as
 * one mapping of the length @vma asks for (the head is cut to it). 0 or
 * negative errno (-EOPNOTSUPP where the host cannot). May sleep. */
int rnpu_osal_dma_mmap_split(struct rnpu_osal_dev *dev, uint64_t head_phys, size_t head_len,
			     struct rnpu_osal_dma_buf *buf, struct rnpu_osal_vma *vma,
			     unsigned int flags);
/* Length in bytes the mapping request asks for. */
size_t rnpu_osal_vma_length(const struct rnpu_osal_vma *vma);

#endif
