// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The userspace K230 host: builds (or joins) a software K230 KPU, probes
 * the KPU driver core on it, and exposes the device nodes as descriptors.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "k230/kpu_ioctl.h"
#include "k230_host_internal.h"

#define K230_COMPATIBLE "canaan,k230-kpu"
#define K230_POLL_SLICE_MS 1000u

int k230_host_create(const struct k230_host_config *cfg, struct k230_host **out)
{
	struct kpu_platform plat;
	struct k230_host *host;
	int ret;

	if (!cfg || !out)
		return -EINVAL;
	host = calloc(1, sizeof(*host));
	if (!host)
		return -ENOMEM;
	host->cfg = *cfg;
	pthread_mutex_init(&host->fd_lock, NULL);
	pthread_mutex_init(&host->irq_lock, NULL);
	pthread_cond_init(&host->irq_cond, NULL);
	pthread_mutex_init(&host->dma_lock, NULL);
	host->dev.host = host;
	host->mmio[K230_HOST_WIN_KPU] = (struct rnpu_osal_mmio){ host, K230_HOST_WIN_KPU };
	host->mmio[K230_HOST_WIN_MBOX] = (struct rnpu_osal_mmio){ host, K230_HOST_WIN_MBOX };

	host->hw = cfg->hw;
	if (!host->hw) {
		ret = k230_sim_hw_create(false, &host->hw);
		if (ret)
			goto err_free;
		host->own_hw = true;
	}
	ret = k230_sim_attach(host->hw, cfg->cpu, k230_host_irq_line, host, &host->sim);
	if (ret)
		goto err_hw;
	ret = kpu_hardlock_create(&host->mmio[K230_HOST_WIN_MBOX], &host->hardlock);
	if (ret)
		goto err_sim;
	memset(&plat, 0, sizeof(plat));
	plat.compatible = K230_COMPATIBLE;
	plat.dev = &host->dev;
	plat.kpu_io = &host->mmio[K230_HOST_WIN_KPU];
	plat.hardlock = host->hardlock;
	plat.irq[KPU_UNIT_GNNE] = K230_SIM_LINE_GNNE;
	plat.irq[KPU_UNIT_AI2D] = K230_SIM_LINE_AI2D;
	plat.lock_timeout_ms = cfg->lock_timeout_ms;
	plat.wait_timeout_ms = cfg->wait_timeout_ms;
	/* Another driver of this OS holding the lock's reservation. */
	if (cfg->no_hardlock)
		kpu_hardlock_request(host->hardlock, K230_HOST_KPU_HARDLOCK);
	ret = kpu_probe(&plat, &host->kdev);
	if (ret)
		goto err_hardlock;
	ret = kpu_mmz_create(&host->dev, &host->mmz);
	if (ret)
		goto err_probe;
	if (cfg->bind_mmz)
		kpu_mmz_bind_default(host->mmz);
	*out = host;
	return 0;

err_probe:
	kpu_remove(host->kdev);
err_hardlock:
	kpu_hardlock_destroy(host->hardlock);
err_sim:
	k230_sim_detach(host->sim);
err_hw:
	if (host->own_hw)
		k230_sim_hw_destroy(host->hw);
err_free:
	pthread_mutex_destroy(&host->dma_lock);
	pthread_cond_destroy(&host->irq_cond);
	pthread_mutex_destroy(&host->irq_lock);
	pthread_mutex_destroy(&host->fd_lock);
	free(host);
	return ret;
}

unsigned int k230_host_destroy(struct k230_host *host)
{
	unsigned int i, leaks;

	if (!host)
		return 0;
	for (i = 0; i < K230_HOST_MAX_FDS; i++)
		if (host->fds[i].file && !host->fds[i].closing)
			k230_host_close(host, (int)i + K230_HOST_FIRST_FD);
	if (host->cfg.bind_mmz)
		kpu_mmz_bind_default(NULL);
	leaks = kpu_mmz_destroy(host->mmz);
	kpu_remove(host->kdev);
	kpu_hardlock_destroy(host->hardlock);
	/* The software KPU stops after the driver let go of its lines. */
	k230_sim_detach(host->sim);
	if (host->own_hw)
		k230_sim_hw_destroy(host->hw);
	pthread_mutex_destroy(&host->dma_lock);
	pthread_cond_destroy(&host->irq_cond);
	pthread_mutex_destroy(&host->irq_lock);
	pthread_mutex_destroy(&host->fd_lock);
	free(host);
	return leaks;
}

int k230_host_open(struct k230_host *host, const char *path)
{
	struct kpu_file *file;
	enum kpu_unit unit;
	unsigned int i;
	int ret;

	if (path && strcmp(path, K230_GNNE_DEVICE) == 0) {
		unit = KPU_UNIT_GNNE;
	} else if (path && strcmp(path, K230_AI2D_DEVICE) == 0) {
		unit = KPU_UNIT_AI2D;
	} else {
		errno = ENOENT;
		return -1;
	}
	ret = kpu_file_open(host->kdev, unit, &file);
	if (ret) {
		errno = -ret;
		return -1;
	}
	pthread_mutex_lock(&host->fd_lock);
	for (i = 0; i < K230_HOST_MAX_FDS; i++) {
		if (!host->fds[i].file) {
			host->fds[i] = (struct k230_host_fd){ .file = file, .refs = 1 };
			pthread_mutex_unlock(&host->fd_lock);
			return (int)i + K230_HOST_FIRST_FD;
		}
	}
	pthread_mutex_unlock(&host->fd_lock);
	kpu_file_close(file);
	errno = EMFILE;
	return -1;
}

/* A reference on the descriptor's file for one call, or NULL (EBADF). */
static struct kpu_file *k230_host_get(struct k230_host *host, int fd)
{
	struct kpu_file *file = NULL;
	unsigned int i = (unsigned int)(fd - K230_HOST_FIRST_FD);

	if (fd < K230_HOST_FIRST_FD || i >= K230_HOST_MAX_FDS)
		return NULL;
	pthread_mutex_lock(&host->fd_lock);
	if (host->fds[i].file && !host->fds[i].closing) {
		file = host->fds[i].file;
		host->fds[i].refs++;
	}
	pthread_mutex_unlock(&host->fd_lock);
	return file;
}

/* Drops a reference; the last one closes the file. */
static void k230_host_put(struct k230_host *host, int fd)
{
	unsigned int i = (unsigned int)(fd - K230_HOST_FIRST_FD);
	struct kpu_file *file = NULL;

	pthread_mutex_lock(&host->fd_lock);
	if (--host->fds[i].refs == 0) {
		file = host->fds[i].file;
		host->fds[i] = (struct k230_host_fd){ 0 };
	}
	pthread_mutex_unlock(&host->fd_lock);
	if (file)
		kpu_file_close(file);
}

int k230_host_ioctl(struct k230_host *host, int fd, unsigned int cmd, void *arg)
{
	struct kpu_file *file = k230_host_get(host, fd);
	int ret;

	if (!file) {
		errno = EBADF;
		return -1;
	}
	ret = kpu_ioctl(file, cmd, arg);
	k230_host_put(host, fd);
	if (ret) {
		errno = -ret;
		return -1;
	}
	return 0;
}

struct k230_poll_set {
	struct kpu_file *file[K230_HOST_MAX_FDS];
	unsigned int n;
};

static bool k230_host_any_pending(void *arg)
{
	struct k230_poll_set *set = arg;
	unsigned int i;

	for (i = 0; i < set->n; i++)
		if (set->file[i] && kpu_poll_pending(set->file[i]))
			return true;
	return false;
}

int k230_host_poll(struct k230_host *host, struct pollfd *fds, unsigned int nfds, int timeout_ms)
{
	struct rnpu_osal_waitq *wq = NULL;
	struct k230_poll_set set = { .n = nfds };
	uint64_t deadline = 0;
	unsigned int i;
	int ready = 0;

	if (nfds > K230_HOST_MAX_FDS || (nfds && !fds)) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < nfds; i++) {
		set.file[i] = k230_host_get(host, fds[i].fd);
		fds[i].revents = set.file[i] ? 0 : POLLNVAL;
		if (!set.file[i])
			ready++;
	}
	if (timeout_ms > 0)
		deadline = rnpu_osal_time_ns() + (uint64_t)timeout_ms * 1000000u;
	for (;;) {
		uint64_t now;
		unsigned int slice;

		for (i = 0; i < nfds; i++) {
			int mask;

			/* Only a poll for POLLIN may consume the completion. */
			if (!set.file[i] || !(fds[i].events & POLLIN))
				continue;
			mask = kpu_poll(set.file[i], &wq);
			if (mask > 0) {
				fds[i].revents = POLLIN;
				ready++;
			}
		}
		if (ready || timeout_ms == 0 || !wq)
			break;
		now = rnpu_osal_time_ns();
		if (timeout_ms > 0 && now >= deadline)
			break;
		slice = timeout_ms < 0 ? K230_POLL_SLICE_MS :
					 (unsigned int)((deadline - now + 999999u) / 1000000u);
		rnpu_osal_waitq_wait_timeout(wq, k230_host_any_pending, &set, slice);
	}
	for (i = 0; i < nfds; i++)
		if (set.file[i])
			k230_host_put(host, fds[i].fd);
	return ready;
}

int k230_host_close(struct k230_host *host, int fd)
{
	unsigned int i = (unsigned int)(fd - K230_HOST_FIRST_FD);

	if (fd < K230_HOST_FIRST_FD || i >= K230_HOST_MAX_FDS) {
		errno = EBADF;
		return -1;
	}
	pthread_mutex_lock(&host->fd_lock);
	if (!host->fds[i].file || host->fds[i].closing) {
		pthread_mutex_unlock(&host->fd_lock);
		errno = EBADF;
		return -1;
	}
	host->fds[i].closing = true;
	pthread_mutex_unlock(&host->fd_lock);
	k230_host_put(host, fd);
	return 0;
}

static struct rnpu_osal_mmio *k230_host_window(struct k230_host *host, uint64_t phys,
					       unsigned int width, uint32_t *offset)
{
	if (phys % width)
		return NULL;
	if (phys >= K230_HOST_KPU_PHYS && phys - K230_HOST_KPU_PHYS <= K230_HOST_WINDOW - width) {
		*offset = (uint32_t)(phys - K230_HOST_KPU_PHYS);
		return &host->mmio[K230_HOST_WIN_KPU];
	}
	if (phys >= K230_HOST_MAILBOX_PHYS &&
	    phys - K230_HOST_MAILBOX_PHYS <= K230_HOST_WINDOW - width) {
		*offset = (uint32_t)(phys - K230_HOST_MAILBOX_PHYS);
		return &host->mmio[K230_HOST_WIN_MBOX];
	}
	return NULL;
}

bool k230_host_mem_read32(struct k230_host *host, uint64_t phys, uint32_t *value)
{
	uint32_t off;
	struct rnpu_osal_mmio *io = k230_host_window(host, phys, 4, &off);

	*value = io ? rnpu_osal_readl(io, off) : 0;
	return io != NULL;
}

bool k230_host_mem_write32(struct k230_host *host, uint64_t phys, uint32_t value)
{
	uint32_t off;
	struct rnpu_osal_mmio *io = k230_host_window(host, phys, 4, &off);

	if (io)
		rnpu_osal_writel(io, off, value);
	return io != NULL;
}

bool k230_host_mem_read64(struct k230_host *host, uint64_t phys, uint64_t *value)
{
	uint32_t off;
	struct rnpu_osal_mmio *io = k230_host_window(host, phys, 8, &off);

	*value = io ? rnpu_osal_readq(io, off) : 0;
	return io != NULL;
}

bool k230_host_mem_write64(struct k230_host *host, uint64_t phys, uint64_t value)
{
	uint32_t off;
	struct rnpu_osal_mmio *io = k230_host_window(host, phys, 8, &off);

	if (io)
		rnpu_osal_writeq(io, off, value);
	return io != NULL;
}

struct k230_sim *k230_host_sim(struct k230_host *host)
{
	return host->sim;
}

struct k230_sim_hw *k230_host_hw(struct k230_host *host)
{
	return host->hw;
}

struct kpu_device *k230_host_device(struct k230_host *host)
{
	return host->kdev;
}

struct kpu_mmz *k230_host_mmz(struct k230_host *host)
{
	return host->mmz;
}

void k230_host_dma_stats(struct k230_host *host, struct k230_host_dma_stats *out)
{
	pthread_mutex_lock(&host->dma_lock);
	*out = host->dma_stats;
	pthread_mutex_unlock(&host->dma_lock);
}
