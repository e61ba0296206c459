// SPDX-License-Identifier: MIT OR GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rk3588_regs.h"
#include "sim_test_bus.h"

static bool in_range(const struct fake_bus *fb, uint64_t addr, size_t len)
{
	return addr >= FB_BASE && addr - FB_BASE <= fb->size && len <= fb->size - (addr - FB_BASE);
}

static int fb_read(void *ctx, uint64_t addr, void *dst, size_t len)
{
	struct fake_bus *fb = ctx;

	if (fb->read_hook)
		fb->read_hook(fb, addr, len);
	pthread_mutex_lock(&fb->lock);
	if (fb->nlog < FB_LOG_MAX)
		fb->log[fb->nlog++] = (struct fb_read){ addr, len };
	pthread_mutex_unlock(&fb->lock);
	if (!in_range(fb, addr, len))
		return -EFAULT;
	memcpy(dst, fb->mem + (addr - FB_BASE), len);
	return 0;
}

static int fb_write(void *ctx, uint64_t addr, const void *src, size_t len)
{
	struct fake_bus *fb = ctx;

	if (!in_range(fb, addr, len))
		return -EFAULT;
	memcpy(fb->mem + (addr - FB_BASE), src, len);
	return 0;
}

static void fb_irq(void *ctx, unsigned int core, bool level)
{
	struct fake_bus *fb = ctx;
	uint32_t task_status = 0, status = 0;
	bool rise;

	if (core >= RK3588_SIM_MAX_CORES)
		abort();
	/* The sim holds no lock here, so reading it back is allowed. */
	if (level && fb->sim) {
		task_status = rk3588_sim_mmio_read(fb->sim, core, REG_PC_TASK_STATUS);
		status = rk3588_sim_mmio_read(fb->sim, core, REG_PC_INTERRUPT_STATUS);
	}
	pthread_mutex_lock(&fb->lock);
	rise = level && !fb->level[core];
	if (rise) {
		fb->rises[core]++;
		fb->task_status_at_rise[core] = task_status;
		fb->status_at_rise[core] = status;
	}
	if (!level && fb->level[core])
		fb->falls[core]++;
	fb->level[core] = level;
	pthread_mutex_unlock(&fb->lock);
	if (rise && fb->irq_hook)
		fb->irq_hook(fb, core);
}

static const void *fb_map(void *ctx, uint64_t addr, size_t len)
{
	struct fake_bus *fb = ctx;
	const void *p = NULL;

	pthread_mutex_lock(&fb->lock);
	if (!fb->no_map && !fb->read_hook && in_range(fb, addr, len)) {
		if (fb->nlog < FB_LOG_MAX)
			fb->log[fb->nlog++] = (struct fb_read){ addr, len };
		fb->maps++;
		fb->mapped++;
		p = fb->mem + (addr - FB_BASE);
	}
	pthread_mutex_unlock(&fb->lock);
	return p;
}

static void fb_unmap(void *ctx, const void *ptr, size_t len)
{
	struct fake_bus *fb = ctx;

	(void)len;
	pthread_mutex_lock(&fb->lock);
	if (!ptr || !fb->mapped)
		abort(); /* the model released what it never mapped */
	fb->mapped--;
	pthread_mutex_unlock(&fb->lock);
}

void fb_init(struct fake_bus *fb, size_t size)
{
	memset(fb, 0, sizeof(*fb));
	fb->mem = calloc(1, size);
	fb->size = fb->mem ? size : 0;
	fb->next = FB_BASE;
	pthread_mutex_init(&fb->lock, NULL);
}

void fb_fini(struct fake_bus *fb)
{
	free(fb->mem);
	pthread_mutex_destroy(&fb->lock);
}

struct rk3588_sim_bus fb_ops(struct fake_bus *fb)
{
	return (struct rk3588_sim_bus){
		.ctx = fb,
		.dma_read = fb_read,
		.dma_write = fb_write,
		.irq = fb_irq,
		.dma_map = fb_map,
		.dma_unmap = fb_unmap,
	};
}

uint32_t fb_alloc(struct fake_bus *fb, size_t size, size_t align)
{
	uint64_t a = (fb->next + align - 1) / align * align;

	if (a + size > FB_BASE + fb->size)
		abort();
	fb->next = a + size;
	return (uint32_t)a;
}

void *fb_ptr(struct fake_bus *fb, uint64_t addr)
{
	return fb->mem + (addr - FB_BASE);
}

void fb_clear_log(struct fake_bus *fb)
{
	pthread_mutex_lock(&fb->lock);
	fb->nlog = 0;
	pthread_mutex_unlock(&fb->lock);
}

void fb_irq_state(struct fake_bus *fb, unsigned int core, unsigned int *rises,
		  unsigned int *falls, bool *level)
{
	pthread_mutex_lock(&fb->lock);
	if (rises)
		*rises = fb->rises[core];
	if (falls)
		*falls = fb->falls[core];
	if (level)
		*level = fb->level[core];
	pthread_mutex_unlock(&fb->lock);
}

void fb_put_words(struct fake_bus *fb, uint64_t addr, const uint64_t *words, size_t n)
{
	uint8_t *p = fb_ptr(fb, addr);

	for (size_t i = 0; i < n; i++)
		for (unsigned int b = 0; b < 8; b++)
			p[i * 8 + b] = (uint8_t)(words[i] >> (8 * b));
}

struct rk3588_sim *test_sim_create(struct fake_bus *fb, bool threaded, unsigned int cores)
{
	struct rk3588_sim_bus bus = fb_ops(fb);
	struct rk3588_sim_config cfg = {
		.num_cores = cores ? cores : 1,
		.threaded = threaded,
		.trace = false,
	};

	fb->sim = rk3588_sim_create(&bus, &cfg);
	return fb->sim;
}

void test_commit(struct rk3588_sim *sim, unsigned int core, uint32_t addr, uint32_t amount,
		 uint32_t tasks, uint32_t int_mask)
{
	uint32_t sptr = 0, con = 0, base = 0;

	rk3588_set_CNA_S_POINTER_POINTER_PP_EN(&sptr, 1);
	rk3588_set_CNA_S_POINTER_EXECUTER_PP_EN(&sptr, 1);
	rk3588_set_CNA_S_POINTER_POINTER_PP_MODE(&sptr, 1);
	rk3588_set_PC_TASK_CON_RESERVED_0(&con, 1);
	rk3588_set_PC_TASK_CON_TASK_COUNT_CLEAR(&con, 1);
	rk3588_set_PC_TASK_CON_TASK_NUMBER(&con, tasks);
	rk3588_set_PC_BASE_ADDRESS_PC_SEL(&base, 1);

	rk3588_sim_mmio_write(sim, core, REG_PC_BASE_ADDRESS, base);
	rk3588_sim_mmio_write(sim, core, REG_CNA_S_POINTER, sptr);
	rk3588_sim_mmio_write(sim, core, REG_CORE_S_POINTER, sptr);
	rk3588_sim_mmio_write(sim, core, REG_PC_BASE_ADDRESS, addr);
	rk3588_sim_mmio_write(sim, core, REG_PC_REGISTER_AMOUNTS, amount);
	rk3588_sim_mmio_write(sim, core, REG_PC_INTERRUPT_MASK, int_mask);
	rk3588_sim_mmio_write(sim, core, REG_PC_INTERRUPT_CLEAR, int_mask);
	rk3588_sim_mmio_write(sim, core, REG_PC_TASK_CON, con);
	rk3588_sim_mmio_write(sim, core, REG_PC_TASK_DMA_BASE_ADDR, 0);
	rk3588_sim_mmio_write(sim, core, REG_PC_OPERATION_ENABLE, 1);
	rk3588_sim_mmio_write(sim, core, REG_PC_OPERATION_ENABLE, 0);
}
