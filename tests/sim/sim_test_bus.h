/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * A fake system bus for the software NPU tests: one malloc'd block of memory
 * at a fixed device address (anything outside it faults), a log of DMA
 * reads, and a recorder for the interrupt line.
 */
#ifndef RNPU_SIM_TEST_BUS_H
#define RNPU_SIM_TEST_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rk3588_sim.h"

#define FB_BASE 0x10000000u
#define FB_LOG_MAX 4096u

struct fb_read {
	uint64_t addr;
	size_t len;
};

struct fake_bus {
	uint8_t *mem;
	size_t size;
	uint64_t next; /* bump allocator, device address */

	pthread_mutex_t lock;
	struct fb_read log[FB_LOG_MAX];
	unsigned int nlog;

	struct rk3588_sim *sim; /* for reads from the IRQ callback */
	unsigned int rises[RK3588_SIM_MAX_CORES];
	unsigned int falls[RK3588_SIM_MAX_CORES];
	bool level[RK3588_SIM_MAX_CORES];
	uint32_t task_status_at_rise[RK3588_SIM_MAX_CORES];
	uint32_t status_at_rise[RK3588_SIM_MAX_CORES];

	/* Called on every rising edge from the IRQ callback (no lock held),
	 * like a driver's interrupt handler. */
	void (*irq_hook)(struct fake_bus *fb, unsigned int core);

	/* Called before every DMA read, without any bus lock held. */
	void (*read_hook)(struct fake_bus *fb, uint64_t addr, size_t len);
	void *hook_ctx;

	/* In-place reads (dma_map): refused when @no_map is set or a
	 * read_hook watches the reads; @maps counts those granted and
	 * @mapped those not yet released (both under @lock). */
	bool no_map;
	unsigned int maps, mapped;
};

void fb_init(struct fake_bus *fb, size_t size);
void fb_fini(struct fake_bus *fb);
struct rk3588_sim_bus fb_ops(struct fake_bus *fb);

/* Zeroed region of @size bytes, aligned to @align; returns its address. */
uint32_t fb_alloc(struct fake_bus *fb, size_t size, size_t align);
void *fb_ptr(struct fake_bus *fb, uint64_t addr);
void fb_clear_log(struct fake_bus *fb);

/* Snapshot of @core's IRQ recorder. */
void fb_irq_state(struct fake_bus *fb, unsigned int core, unsigned int *rises,
		  unsigned int *falls, bool *level);

/* Little-endian stores of command words / values into device memory. */
void fb_put_words(struct fake_bus *fb, uint64_t addr, const uint64_t *words, size_t n);

/* A sim on @fb (1 core unless @cores), recorded in fb->sim for the IRQ hook. */
struct rk3588_sim *test_sim_create(struct fake_bus *fb, bool threaded, unsigned int cores);

/* The vendor driver's PC-mode commit (slave mode, S_POINTERs, address,
 * amount, masks, TASK_CON with count clear, OP_EN pulse); no wait. */
void test_commit(struct rk3588_sim *sim, unsigned int core, uint32_t addr, uint32_t amount,
		 uint32_t tasks, uint32_t int_mask);

#endif
