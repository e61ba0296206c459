/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * The port interface of the RTOS OS services (osal/rtos/).
 *
 * osal/rtos/ implements every function of osal.h for a system with no libc
 * and no MMU-separated processes. It needs only the 16 functions declared
 * below, which an RTOS (FreeRTOS, Zephyr, RT-Thread, ThreadX, a bare-metal
 * loop...) provides in a file of its own. Everything else (formatting, log
 * levels, mutexes, spinlocks, wait queues, deferred work, fences, DMA
 * bookkeeping, MMIO, interrupt dispatch) is done here, once.
 *
 * Contexts: "any context" means task or interrupt, with or without
 * interrupts disabled, and must neither sleep nor take a lock that an
 * interrupt handler could hold. "Task context" may block.
 *
 * What cannot exist on a bare RTOS, and what osal/rtos does instead:
 *  - user copies: one address space, so rnpu_osal_copy_{from,to}_user are
 *    plain copies that fail with -EFAULT for NULL and for addresses below
 *    RNPU_RTOS_LOWEST_ADDR (a NULL struct member plus an offset).
 *  - file descriptors: there are none. dma-buf export and import, the fd
 *    identity and fence export/import return -EOPNOTSUPP, so PRIME and
 *    FENCE_IN/FENCE_OUT ioctls fail with EOPNOTSUPP. Fences themselves
 *    (create/signal/wait/put) work, for the core's own use.
 *  - mmap: there is no MMU mapping to make. rnpu_osal_dma_mmap hands back
 *    the buffer's CPU address in vma->addr (every task sees all memory),
 *    which is how an application reaches its buffers after RKNPU_MEM_MAP.
 *  - nice: an RTOS task's priority is the porter's decision, so
 *    rnpu_osal_set_nice does nothing and returns 0.
 *  - DMA memory lives as long as the core's reference: nothing else can
 *    hold one.
 */
#ifndef RNPU_RTOS_PORT_H
#define RNPU_RTOS_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "osal.h"

/* Interrupt lines one device may use (indexes in rknpu_platform.irq[]). */
#define RNPU_RTOS_MAX_IRQS 8
/* Pointers below this are never valid "user" pointers. */
#define RNPU_RTOS_LOWEST_ADDR 4096u
/* Granule of DMA allocations; the core expects page-sized rounding. */
#define RNPU_RTOS_PAGE_SIZE 4096u
/* Longest formatted log line; longer lines are cut. Lives on the stack of
 * whoever logs, interrupt handlers included. */
#define RNPU_RTOS_LOG_LINE 256u
/* Timeout value of rnpu_port_sem_take that never expires. */
#define RNPU_PORT_FOREVER 0xffffffffu

/* ----------------------------------------- structures the porter fills */

/* Internal to osal/rtos: one interrupt line's handler. */
struct rnpu_rtos_irq_slot {
	rnpu_osal_irq_handler_t handler;
	void *data;
	uint32_t running;         /* dispatches in progress (atomic) */
};

/* The device: the porter zero-initialises it and fills the first three
 * fields, then passes its address in rknpu_platform.dev. */
struct rnpu_osal_dev {
	void *port;                       /* the porter's own context */
	uint64_t core_clk_hz;             /* clock 0 for RKNPU_GET_FREQ; 0 = unknown */
	int npu_volt_uv;                  /* for RKNPU_GET_VOLT; <= 0 = no regulator */
	/* Optional (NULL = not controllable): switch power domain @idx,
	 * set the NPU clock, read the temperature in millidegrees C. Each
	 * returns 0 or negative errno; task context. */
	int (*power_domain)(struct rnpu_osal_dev *dev, unsigned int idx, bool on);
	int (*set_clock)(struct rnpu_osal_dev *dev, uint64_t hz);
	int (*read_temp)(struct rnpu_osal_dev *dev, int *mc);
	/* Owned by osal/rtos. */
	struct rnpu_rtos_irq_slot irq[RNPU_RTOS_MAX_IRQS];
};

/* One core's register window: the address the CPU reaches it at (the
 * RK3588's are 0xfdab0000, 0xfdac0000, 0xfdad0000 with a flat mapping). */
struct rnpu_osal_mmio {
	uintptr_t base;
};

/* A mapping request: the application sets length, rknpu_mmap() fills
 * addr with the buffer's CPU address. */
struct rnpu_osal_vma {
	size_t length;
	void *addr;
};

/* ------------------------------------------- the port: 16 functions */

/* Heap. Task context. alloc returns memory aligned for any C object, or
 * NULL; free accepts NULL. (malloc/free, pvPortMalloc/vPortFree, k_malloc.) */
void *rnpu_port_heap_alloc(size_t size);
void rnpu_port_heap_free(void *p);

/* Monotonic nanoseconds since any fixed point. Any context. A tick
 * counter scaled to ns is enough; resolution limits udelay. */
uint64_t rnpu_port_time_ns(void);

/* Disables interrupts on the calling CPU and returns the previous state;
 * restore puts that state back. Nest. Any context. */
unsigned long rnpu_port_irq_save(void);
void rnpu_port_irq_restore(unsigned long state);

/* Counting semaphores. osal/rtos builds mutexes (initial 1), wait queues,
 * sleeps and the work queue from them. The count must reach at least
 * 0xffff; a give on a saturated semaphore may be dropped. */
struct rnpu_port_sem;
/* Task context. 0 or negative errno (-ENOMEM). */
int rnpu_port_sem_create(unsigned int initial, struct rnpu_port_sem **out);
/* Task context; nobody waits on it any more. */
void rnpu_port_sem_destroy(struct rnpu_port_sem *s);
/* Takes one count, blocking up to @timeout_ms (0: do not block;
 * RNPU_PORT_FOREVER: no limit). 0 when taken, -ETIMEDOUT otherwise. Task
 * context (any context with timeout 0). */
int rnpu_port_sem_take(struct rnpu_port_sem *s, unsigned int timeout_ms);
/* Adds one count, waking one blocked taker. Any context. */
void rnpu_port_sem_give(struct rnpu_port_sem *s);

/* Starts a task running entry(arg) forever (osal/rtos's one worker, for
 * deferred work; created on the first rnpu_osal_work_create). Stack: 2 KiB
 * plus what the core's work functions use, 4 KiB is ample. Priority: above
 * the application's NPU users. Task context. 0 or negative errno. A system
 * without tasks returns 0 without starting anything and calls
 * rnpu_rtos_work_poll() from its main loop instead. */
int rnpu_port_task_create(void (*entry)(void *arg), void *arg);

/* Writes one complete log line (no trailing newline) somewhere a person
 * can read it: a UART, a ring buffer, the RTOS's logger. Any context. */
void rnpu_port_log_write(enum rnpu_log_level level, const char *line);

/* Unmasks (@enable) or masks interrupt line @irq at the interrupt
 * controller. The porter's interrupt service routine for that line calls
 * rnpu_rtos_irq_dispatch(dev, irq). Task context. 0 or negative errno. */
int rnpu_port_irq_enable(struct rnpu_osal_dev *dev, unsigned int irq, bool enable);

/* Asserts (@assert) or releases reset line @line (index in the platform's
 * list: on the RK3588 srst_a0..a2 then srst_h0..h2). Task context. 0 or
 * negative errno. */
int rnpu_port_reset(struct rnpu_osal_dev *dev, unsigned int line, bool assert);

/* Memory the NPU can reach, physically contiguous, at least @size bytes
 * (a multiple of RNPU_RTOS_PAGE_SIZE), aligned to RNPU_RTOS_PAGE_SIZE.
 * @flags are RNPU_OSAL_DMA_*: CACHEABLE asks for a cached CPU mapping
 * (else uncached or write-combined, as the system can); osal/rtos itself
 * handles ZERO, DMA32 and KMAP. Returns 0 with the CPU pointer and the
 * address the NPU uses for the first byte (they differ when the NPU sees
 * memory through another window), or -ENOMEM. Task context. */
int rnpu_port_dma_alloc(struct rnpu_osal_dev *dev, size_t size, unsigned int flags,
			void **cpu, uint64_t *dma_addr);
void rnpu_port_dma_free(struct rnpu_osal_dev *dev, void *cpu, size_t size);

/* Cache maintenance of a cacheable DMA range before the device reads it
 * (RNPU_OSAL_SYNC_TO_DEVICE: clean) or after it wrote it
 * (RNPU_OSAL_SYNC_FROM_DEVICE: invalidate); both bits may be set. The
 * range need not be cache-line aligned: round outwards. Task context. */
void rnpu_port_cache_sync(void *cpu, size_t size, unsigned int dir);

/* ------------------------------------- what osal/rtos offers the port */

/* The porter's interrupt service routine for line @irq of @dev calls this;
 * it runs the handler the core connected, if any. Interrupt context. */
void rnpu_rtos_irq_dispatch(struct rnpu_osal_dev *dev, unsigned int irq);

/* Runs the deferred work that is due and returns the milliseconds until
 * the next item is (RNPU_PORT_FOREVER if none). The worker task loops on
 * it; a system without tasks calls it from its main loop. Task context. */
unsigned int rnpu_rtos_work_poll(void);

/* Lines above this RNPU_LOG_* level are dropped before formatting
 * (default RNPU_LOG_WARN). Any context. */
void rnpu_rtos_set_log_level(int level);

/* Optional: define RNPU_PORT_IO_BARRIER() (a statement) before including
 * osal/rtos's sources to replace the barrier that orders normal memory
 * against register accesses (built in for Arm, RISC-V and x86). */

#endif
