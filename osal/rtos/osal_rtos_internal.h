/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* Shared pieces of the RTOS OS services (not part of any interface). */
#ifndef RNPU_OSAL_RTOS_INTERNAL_H
#define RNPU_OSAL_RTOS_INTERNAL_H

#include "rtos_port.h"

/* Interrupt-safe lock: interrupts off on this CPU, then an atomic flag
 * for the other CPUs. Never sleeps, so any context may take it. */
static inline unsigned long rnpu_rtos_spin_lock(uint32_t *locked)
{
	unsigned long state = rnpu_port_irq_save();

	while (__atomic_exchange_n(locked, 1u, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(locked, __ATOMIC_RELAXED))
			;
	return state;
}

static inline void rnpu_rtos_spin_unlock(uint32_t *locked, unsigned long state)
{
	__atomic_store_n(locked, 0u, __ATOMIC_RELEASE);
	rnpu_port_irq_restore(state);
}

/* Orders normal memory (task descriptors, command buffers the CPU wrote)
 * against register accesses, as Linux's readl/writel do. */
static inline void rnpu_rtos_io_barrier(void)
{
#if defined(RNPU_PORT_IO_BARRIER)
	RNPU_PORT_IO_BARRIER();
#elif defined(__aarch64__)
	__asm__ volatile("dmb osh" ::: "memory");
#elif defined(__arm__)
	__asm__ volatile("dmb" ::: "memory");
#elif defined(__riscv)
	__asm__ volatile("fence iorw, iorw" ::: "memory");
#elif defined(__x86_64__) || defined(__i386__)
	/* Uncached MMIO is strongly ordered on x86: only the compiler may
	 * reorder. */
	__asm__ volatile("" ::: "memory");
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

/* Milliseconds from @now until @deadline (ns), rounded up, at least 1 and
 * below RNPU_PORT_FOREVER; 0 once the deadline has passed. */
static inline unsigned int rnpu_rtos_ms_until(uint64_t now, uint64_t deadline)
{
	uint64_t ms;

	if (now >= deadline)
		return 0;
	ms = (deadline - now + 999999u) / 1000000u;
	return ms >= RNPU_PORT_FOREVER ? RNPU_PORT_FOREVER - 1 : (unsigned int)ms;
}

#endif
