// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The userspace host: builds a simulated RK3588 (three cores at the real
 * addresses and interrupt numbers), describes it to the driver core as a
 * platform, and routes MMIO, interrupts, reset lines and DMA between them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "host_internal.h"
#include "osal_posix.h"
#include "rk3588_sim.h"
#include "rknpu_device.h"
#include "rknpu_soc.h"

/* The RK3588 as its device tree describes it. */
#define RK3588_UNIQUE "fdab0000.npu"

uint32_t rnpu_osal_readl(struct rnpu_osal_mmio *io, uint32_t offset)
{
	return rk3588_sim_mmio_read(io->host->sim, io->core, offset);
}

void rnpu_osal_writel(struct rnpu_osal_mmio *io, uint32_t offset, uint32_t value)
{
	rk3588_sim_mmio_write(io->host->sim, io->core, offset, value);
}

/* The RK3588's registers are all 32 bits wide: low word, then high word. */
uint64_t rnpu_osal_readq(struct rnpu_osal_mmio *io, uint32_t offset)
{
	return rnpu_osal_readl(io, offset) | (uint64_t)rnpu_osal_readl(io, offset + 4) << 32;
}

void rnpu_osal_writeq(struct rnpu_osal_mmio *io, uint32_t offset, uint64_t value)
{
	rnpu_osal_writel(io, offset, (uint32_t)value);
	rnpu_osal_writel(io, offset + 4, (uint32_t)(value >> 32));
}

/* Lines are srst_a0..a2 then srst_h0..h2; a core is held in reset while
 * either of its two lines is asserted. */
int rnpu_osal_reset_assert(struct rnpu_osal_dev *dev, unsigned int line)
{
	struct rnpu_host *host = dev->host;
	unsigned int core = line % RNPU_HOST_MAX_CORES;

	if (line >= RNPU_HOST_RESET_LINES || core >= host->cfg.num_cores)
		return -EINVAL;
	pthread_mutex_lock(&host->reset_lock);
	if (host->reset_count[core]++ == 0)
		rk3588_sim_reset_assert(host->sim, core);
	pthread_mutex_unlock(&host->reset_lock);
	return 0;
}

int rnpu_osal_reset_deassert(struct rnpu_osal_dev *dev, unsigned int line)
{
	struct rnpu_host *host = dev->host;
	unsigned int core = line % RNPU_HOST_MAX_CORES;
	int ret = 0;

	if (line >= RNPU_HOST_RESET_LINES || core >= host->cfg.num_cores)
		return -EINVAL;
	pthread_mutex_lock(&host->reset_lock);
	if (host->reset_count[core] == 0)
		ret = -EINVAL;
	else if (--host->reset_count[core] == 0)
		rk3588_sim_reset_deassert(host->sim, core);
	pthread_mutex_unlock(&host->reset_lock);
	return ret;
}

static int host_dma_read(void *ctx, uint64_t addr, void *dst, size_t len)
{
	struct rnpu_host *host = ctx;

	return rnpu_frames_read(&host->frames, addr, dst, len);
}

static int host_dma_write(void *ctx, uint64_t addr, const void *src, size_t len)
{
	struct rnpu_host *host = ctx;

	return rnpu_frames_write(&host->frames, addr, src, len);
}

static const void *host_dma_map(void *ctx, uint64_t addr, size_t len)
{
	struct rnpu_host *host = ctx;

	return rnpu_frames_pin(&host->frames, addr, len);
}

static void host_dma_unmap(void *ctx, const void *ptr, size_t len)
{
	struct rnpu_host *host = ctx;

	rnpu_frames_unpin(&host->frames, ptr, len);
}

/* The driver starts every core of a job under its interrupt-safe lock:
 * the software NPU wakes its workers once that lock is released. */
static bool host_defer(void *ctx, void (*fn)(void *arg, unsigned int value), void *arg,
		       unsigned int value)
{
	(void)ctx;
	return rnpu_posix_irqs_disabled() && rnpu_posix_defer_irq(fn, arg, value);
}

void rnpu_host_default_config(struct rnpu_host_config *cfg)
{
	const char *dbg = getenv("RNPU_DEBUG");
	const char *trace = getenv("RNPU_SIM_TRACE");

	const char *max_bos = getenv("RNPU_SESSION_MAX_BOS");
	const char *max_bytes = getenv("RNPU_SESSION_MAX_BYTES");
	const char *iommu = getenv("RNPU_IOMMU");
	const char *sram = getenv("RNPU_SRAM_SIZE");
	const char *contig_max = getenv("RNPU_CONTIG_MAX_BYTES");

	memset(cfg, 0, sizeof(*cfg));
	cfg->num_cores = 3;
	cfg->debug_mask = dbg ? rknpu_parse_debug(dbg) : 0;
	cfg->sim_trace = trace && trace[0] == '1';
	cfg->session_max_bos = max_bos ? (uint32_t)strtoul(max_bos, NULL, 0) : 0;
	cfg->session_max_bytes = max_bytes ? strtoull(max_bytes, NULL, 0) : 0;
	cfg->iommu = iommu && iommu[0] == '1';
	cfg->sram_size = sram ? strtoull(sram, NULL, 0) : 0;
	cfg->contig_max_bytes = contig_max ? strtoull(contig_max, NULL, 0) : 0;
	rnpu_host_power_default_config(cfg);
}

int rnpu_host_create(const struct rnpu_host_config *cfg, struct rnpu_host **out)
{
	struct rknpu_platform plat;
	struct rk3588_sim_config scfg;
	struct rk3588_sim_bus bus;
	struct rnpu_host *host;
	unsigned int i;
	int ret;

	/* The simulated part is an RK3588 (three cores), or a one-core part
	 * named by its compatible. */
	if (cfg->compatible ? cfg->num_cores != 1 : cfg->num_cores != RNPU_HOST_MAX_CORES)
		return -EINVAL;
	host = calloc(1, sizeof(*host));
	if (!host)
		return -ENOMEM;
	host->cfg = *cfg;
	host->dev.host = host;
	pthread_mutex_init(&host->reset_lock, NULL);
	rnpu_memfd_pool_init(&host->pool);
	rnpu_slabs_init(&host->slabs);
	pthread_mutex_init(&host->promote_lock, NULL);
	ret = rnpu_frames_init(&host->frames);
	if (ret)
		goto err_pool;

	bus = (struct rk3588_sim_bus){ .ctx = host, .dma_read = host_dma_read,
				       .dma_write = host_dma_write, .irq = rnpu_host_irq_line,
				       .dma_map = host_dma_map, .dma_unmap = host_dma_unmap,
				       .model_time = cfg->model_clock ? rnpu_host_model_time : NULL,
				       .defer = host_defer };
	scfg = (struct rk3588_sim_config){ .num_cores = cfg->num_cores,
					   .threaded = !cfg->sim_synchronous,
					   .trace = cfg->sim_trace };
	ret = rnpu_host_irq_start(host);
	if (ret)
		goto err_frames;
	host->sim = rk3588_sim_create(&bus, &scfg);
	if (!host->sim) {
		ret = -ENOMEM;
		goto err_irq;
	}

	memset(&plat, 0, sizeof(plat));
	plat.compatible = cfg->compatible ? cfg->compatible : RKNPU_RK3588_COMPATIBLE;
	plat.unique = RK3588_UNIQUE;
	plat.dev = &host->dev;
	for (i = 0; i < cfg->num_cores; i++) {
		host->mmio[i] = (struct rnpu_osal_mmio){ .host = host, .core = i };
		plat.mmio[i] = &host->mmio[i];
		plat.irq[i] = i;
	}
	plat.num_mmio = cfg->num_cores;
	plat.num_irqs = cfg->num_cores;
	plat.num_resets = RNPU_HOST_RESET_LINES;
	plat.iommu = cfg->iommu;
	if (cfg->sram_size) {
		struct rnpu_osal_dma_info info;

		ret = rnpu_osal_dma_alloc(&host->dev, cfg->sram_size,
					  RNPU_OSAL_DMA_CONTIGUOUS | RNPU_OSAL_DMA_KMAP, &host->sram,
					  &info);
		if (ret)
			goto err_sim;
		host->sram->shared = true; /* never recycled as a buffer */
		host->sram_phys = info.dma_addr;
		plat.sram_phys = info.dma_addr;
		plat.sram_size = info.size;
		plat.sram_vaddr = info.vaddr;
	}
	plat.bypass_irq_handler = cfg->bypass_irq_handler;
	plat.bypass_soft_reset = cfg->bypass_soft_reset;
	plat.session_max_bos = cfg->session_max_bos;
	plat.session_max_bytes = cfg->session_max_bytes;
	plat.opp_bin = cfg->opp_bin;
	plat.manual_load_tick = cfg->model_clock;
	ret = rnpu_host_power_init(host);
	if (ret)
		goto err_sram;
	ret = rknpu_probe(&plat, &host->rdev);
	if (ret)
		goto err_power;
	rknpu_set_debug(host->rdev, cfg->debug_mask);
	ret = rnpu_host_export_start(host);
	if (ret) {
		rknpu_remove(host->rdev);
		goto err_power;
	}
	*out = host;
	return 0;

err_power:
	rnpu_host_power_fini(host);
err_sram:
	rnpu_osal_dma_put(host->sram);
err_sim:
	rk3588_sim_destroy(host->sim);
	rnpu_host_irq_stop(host);
	goto err_frames;
err_irq:
	rnpu_host_irq_stop(host);
err_frames:
	rnpu_frames_fini(&host->frames);
err_pool:
	rnpu_slabs_fini(&host->slabs);
	pthread_mutex_destroy(&host->promote_lock);
	rnpu_memfd_pool_fini(&host->pool);
	pthread_mutex_destroy(&host->reset_lock);
	free(host);
	return ret;
}

void rnpu_host_destroy(struct rnpu_host *host)
{
	if (!host)
		return;
	/* Order: the core (disconnects its handlers), then the hardware (its
	 * workers may still be returning from an interrupt callback), then
	 * interrupt delivery, then memory. */
	rnpu_host_export_stop(host);
	rknpu_remove(host->rdev);
	rnpu_host_power_fini(host);
	rnpu_osal_dma_put(host->sram);
	rk3588_sim_destroy(host->sim);
	rnpu_host_irq_stop(host);
	rnpu_frames_fini(&host->frames);
	rnpu_memfd_pool_fini(&host->pool);
	rnpu_slabs_fini(&host->slabs);
	pthread_mutex_destroy(&host->promote_lock);
	pthread_mutex_destroy(&host->reset_lock);
	free(host);
}

static pthread_mutex_t default_host_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rnpu_host *default_host; /* protected by default_host_lock */

int rnpu_host_get_default(struct rnpu_host **out)
{
	struct rnpu_host_config cfg;
	int ret = 0;

	pthread_mutex_lock(&default_host_lock);
	if (!default_host) {
		rnpu_host_default_config(&cfg);
		ret = rnpu_host_create(&cfg, &default_host);
	}
	if (!ret) {
		default_host->default_refs++;
		*out = default_host;
	}
	pthread_mutex_unlock(&default_host_lock);
	return ret;
}

void rnpu_host_put_default(struct rnpu_host *host)
{
	pthread_mutex_lock(&default_host_lock);
	if (host == default_host && --host->default_refs == 0) {
		rnpu_host_destroy(host);
		default_host = NULL;
	}
	pthread_mutex_unlock(&default_host_lock);
}

struct rknpu_device *rnpu_host_device(struct rnpu_host *host)
{
	return host->rdev;
}

struct rk3588_sim *rnpu_host_sim(struct rnpu_host *host)
{
	return host->sim;
}

int rnpu_host_mmap(struct rnpu_host *host, struct rknpu_file *file, uint64_t offset,
		   size_t length, int prot, void **addr)
{
	struct rnpu_osal_vma vma = { .length = length, .prot = prot };
	int ret;

	(void)host;
	if (length == 0)
		return -EINVAL;
	ret = rknpu_mmap(file, offset, &vma);
	if (ret)
		return ret;
	*addr = vma.addr;
	return 0;
}

int rnpu_host_mmap_fd(struct rnpu_host *host, struct rknpu_file *file, uint64_t offset,
		      size_t length, int *fd)
{
	struct rnpu_osal_vma vma = { .length = length, .want_fd = true, .fd = -1 };
	int ret;

	(void)host;
	if (length == 0)
		return -EINVAL;
	ret = rknpu_mmap(file, offset, &vma);
	if (ret)
		return ret;
	*fd = vma.fd;
	return 0;
}

void rnpu_host_forget_default(void)
{
	/* The lock may have been held by a thread that did not survive the
	 * fork; the host's own threads are gone too, so it is left alone. */
	pthread_mutex_init(&default_host_lock, NULL);
	default_host = NULL;
}

void rnpu_host_memory_stats(struct rnpu_host *host, uint64_t *buffers, uint64_t *pages)
{
	pthread_rwlock_rdlock(&host->frames.lock);
	*buffers = host->frames.buffers;
	*pages = host->frames.used_frames;
	pthread_rwlock_unlock(&host->frames.lock);
}
