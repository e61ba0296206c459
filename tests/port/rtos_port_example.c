// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The smallest port of osal/rtos: one thread, no interrupts, no libc.
 * A static heap with first-fit reuse, semaphores that are plain counters,
 * and a fake clock that moves 1 us per read and jumps over every wait
 * that could never end (nobody else runs to give the semaphore). It is
 * what scripts/build-riscv.sh links the core against to prove that
 * nothing else is needed, and what tests/port runs osal/rtos on.
 * A real port replaces each function with its RTOS's equivalent.
 */
#include "rtos_port.h"
#include "rtos_port_example.h"

/* ------------------------------------------------------------------ heap */

#define EXAMPLE_HEAP_SIZE (1u << 20)
#define EXAMPLE_ALIGN 16u

/* Block header; the payload follows, EXAMPLE_ALIGN-aligned. */
struct example_block {
	size_t size;             /* payload bytes */
	struct example_block *next;
	bool used;
};

static _Alignas(4096) unsigned char example_heap[EXAMPLE_HEAP_SIZE];
static struct example_block *example_first;
static size_t example_heap_used;

static size_t example_round(size_t n)
{
	return (n + EXAMPLE_ALIGN - 1) & ~(size_t)(EXAMPLE_ALIGN - 1);
}

void *rnpu_port_heap_alloc(size_t size)
{
	size_t hdr = example_round(sizeof(struct example_block));
	struct example_block *b;

	if (!size || size > EXAMPLE_HEAP_SIZE)
		return NULL;
	size = example_round(size);
	if (!example_first) {
		example_first = (struct example_block *)example_heap;
		example_first->size = EXAMPLE_HEAP_SIZE - hdr;
		example_first->next = NULL;
		example_first->used = false;
	}
	for (b = example_first; b; b = b->next) {
		if (b->used || b->size < size)
			continue;
		/* Split when the rest can hold a header and a little payload. */
		if (b->size >= size + hdr + EXAMPLE_ALIGN) {
			struct example_block *rest =
				(struct example_block *)((unsigned char *)b + hdr + size);

			rest->size = b->size - size - hdr;
			rest->next = b->next;
			rest->used = false;
			b->next = rest;
			b->size = size;
		}
		b->used = true;
		example_heap_used += b->size;
		return (unsigned char *)b + hdr;
	}
	return NULL;
}

void rnpu_port_heap_free(void *p)
{
	size_t hdr = example_round(sizeof(struct example_block));
	struct example_block *b;

	if (!p)
		return;
	b = (struct example_block *)((unsigned char *)p - hdr);
	b->used = false;
	example_heap_used -= b->size;
	/* Merge with every free block that follows, so sizes come back. */
	while (b->next && !b->next->used) {
		b->size += hdr + b->next->size;
		b->next = b->next->next;
	}
}

size_t rtos_port_example_heap_used(void)
{
	return example_heap_used;
}

/* ------------------------------------------------------------- the clock */

static uint64_t example_now_ns;

uint64_t rnpu_port_time_ns(void)
{
	example_now_ns += 1000; /* a busy-wait on this clock ends */
	return example_now_ns;
}

void rtos_port_example_advance_ms(unsigned int ms)
{
	example_now_ns += (uint64_t)ms * 1000000u;
}

/* ------------------------------------------------------------ interrupts */

static int example_irq_depth;

unsigned long rnpu_port_irq_save(void)
{
	return (unsigned long)example_irq_depth++;
}

void rnpu_port_irq_restore(unsigned long state)
{
	example_irq_depth = (int)state;
}

int rtos_port_example_irq_depth(void)
{
	return example_irq_depth;
}

/* ------------------------------------------------------------ semaphores */

struct rnpu_port_sem {
	unsigned int count;
};

static unsigned int example_sems;

int rnpu_port_sem_create(unsigned int initial, struct rnpu_port_sem **out)
{
	struct rnpu_port_sem *s = rnpu_port_heap_alloc(sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->count = initial;
	example_sems++;
	*out = s;
	return 0;
}

void rnpu_port_sem_destroy(struct rnpu_port_sem *s)
{
	if (!s)
		return;
	example_sems--;
	rnpu_port_heap_free(s);
}

int rnpu_port_sem_take(struct rnpu_port_sem *s, unsigned int timeout_ms)
{
	if (s->count) {
		s->count--;
		return 0;
	}
	/* Single-threaded: nothing can give while we wait, so the wait is
	 * its whole timeout. */
	if (timeout_ms && timeout_ms != RNPU_PORT_FOREVER)
		rtos_port_example_advance_ms(timeout_ms);
	return -ETIMEDOUT;
}

void rnpu_port_sem_give(struct rnpu_port_sem *s)
{
	if (s->count < 0xffffu)
		s->count++;
}

unsigned int rtos_port_example_sem_count(void)
{
	return example_sems;
}

/* ------------------------------------------------------------------ tasks */

int rnpu_port_task_create(void (*entry)(void *arg), void *arg)
{
	/* No tasks: the caller runs rnpu_rtos_work_poll() itself. */
	(void)entry;
	(void)arg;
	return 0;
}

/* -------------------------------------------------------------------- log */

static char example_last_line[RNPU_RTOS_LOG_LINE];
static unsigned int example_lines;

void rnpu_port_log_write(enum rnpu_log_level level, const char *line)
{
	size_t i;

	(void)level;
	for (i = 0; i + 1 < sizeof(example_last_line) && line[i]; i++)
		example_last_line[i] = line[i];
	example_last_line[i] = '\0';
	example_lines++;
}

const char *rtos_port_example_last_log(unsigned int *count)
{
	if (count)
		*count = example_lines;
	return example_last_line;
}

/* ------------------------------------------------------------------ device */

static uint32_t example_irq_enabled;   /* bit per line */
static uint32_t example_reset_asserted; /* bit per line */

int rnpu_port_irq_enable(struct rnpu_osal_dev *dev, unsigned int irq, bool enable)
{
	(void)dev;
	if (irq >= 32)
		return -EINVAL;
	if (enable)
		example_irq_enabled |= 1u << irq;
	else
		example_irq_enabled &= ~(1u << irq);
	return 0;
}

uint32_t rtos_port_example_irq_enabled(void)
{
	return example_irq_enabled;
}

int rnpu_port_reset(struct rnpu_osal_dev *dev, unsigned int line, bool assert)
{
	(void)dev;
	if (line >= 32)
		return -EINVAL;
	if (assert)
		example_reset_asserted |= 1u << line;
	else
		example_reset_asserted &= ~(1u << line);
	return 0;
}

uint32_t rtos_port_example_resets(void)
{
	return example_reset_asserted;
}

/* DMA memory comes from the heap, page-aligned by hand. The NPU is shown
 * a different address than the CPU (a window at 256 MiB), as on boards
 * whose DRAM the device sees elsewhere, and it stays below 4 GiB. */
#define EXAMPLE_DMA_WINDOW 0x10000000u

int rnpu_port_dma_alloc(struct rnpu_osal_dev *dev, size_t size, unsigned int flags,
			void **cpu, uint64_t *dma_addr)
{
	unsigned char *raw, *aligned;

	(void)dev;
	(void)flags;
	if (size > EXAMPLE_HEAP_SIZE)
		return -ENOMEM;
	raw = rnpu_port_heap_alloc(size + RNPU_RTOS_PAGE_SIZE + sizeof(void *));
	if (!raw)
		return -ENOMEM;
	aligned = (unsigned char *)(((uintptr_t)raw + sizeof(void *) + RNPU_RTOS_PAGE_SIZE - 1) &
				    ~(uintptr_t)(RNPU_RTOS_PAGE_SIZE - 1));
	((void **)aligned)[-1] = raw; /* for free */
	*cpu = aligned;
	*dma_addr = EXAMPLE_DMA_WINDOW + (uint64_t)(aligned - example_heap);
	return 0;
}

void rnpu_port_dma_free(struct rnpu_osal_dev *dev, void *cpu, size_t size)
{
	(void)dev;
	(void)size;
	rnpu_port_heap_free(((void **)cpu)[-1]);
}

void rnpu_port_cache_sync(void *cpu, size_t size, unsigned int dir)
{
	/* Coherent: nothing to do. A cached system cleans and/or invalidates
	 * [cpu, cpu + size) rounded out to cache lines here. */
	(void)cpu;
	(void)size;
	(void)dir;
}

/* --------------------------------------- what a compiler needs, no libc */

#if !__STDC_HOSTED__
/* GCC and Clang may emit calls to these four in any freestanding program;
 * an RTOS without a C library provides them. Built without loop-idiom
 * recognition so they do not call themselves. */
#if defined(__GNUC__) && !defined(__clang__)
#define EXAMPLE_NO_IDIOMS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define EXAMPLE_NO_IDIOMS
#endif

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

EXAMPLE_NO_IDIOMS void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

EXAMPLE_NO_IDIOMS void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

EXAMPLE_NO_IDIOMS void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

EXAMPLE_NO_IDIOMS int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}
#endif
