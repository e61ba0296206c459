// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Device probe/remove, sessions, and the ioctl table with the DRM core's
 * argument-size rules (so 32/40/48-byte mem_create all work).
 */
#include "drm/rnpu_drm_core.h"
#include "rknpu_reg.h"

typedef int (*rknpu_ioctl_fn)(struct rknpu_file *file, void *data);

struct rknpu_ioctl_desc {
	const char *name;
	rknpu_ioctl_fn fn;
	uint32_t size; /* the driver's struct size */
};

static size_t rknpu_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* DRM's rule for the strings of VERSION: copy what fits, report the full
 * length. */
static int rknpu_copy_field(__u64 user_ptr, __u64 *user_len, const char *value)
{
	size_t len = rknpu_strlen(value);
	size_t n = len < *user_len ? len : (size_t)*user_len;

	*user_len = len;
	if (n && user_ptr &&
	    rnpu_osal_copy_to_user((void __rnpu_user *)(uintptr_t)user_ptr, value, n))
		return -EFAULT;
	return 0;
}

static int rknpu_version_ioctl(struct rknpu_file *file, void *data)
{
	struct rnpu_drm_version *v = data;
	int ret;

	v->version_major = RKNPU_DRIVER_MAJOR;
	v->version_minor = RKNPU_DRIVER_MINOR;
	v->version_patchlevel = RKNPU_DRIVER_PATCHLEVEL;
	ret = rknpu_copy_field(v->name, &v->name_len, RKNPU_DRIVER_NAME);
	if (!ret)
		ret = rknpu_copy_field(v->date, &v->date_len, RKNPU_DRIVER_DATE);
	if (!ret)
		ret = rknpu_copy_field(v->desc, &v->desc_len, RKNPU_DRIVER_DESC);
	return ret;
}

static int rknpu_get_unique_ioctl(struct rknpu_file *file, void *data)
{
	struct rnpu_drm_unique *u = data;
	const char *unique = file->rdev->plat.unique ? file->rdev->plat.unique : "";
	size_t len = rknpu_strlen(unique);

	/* DRM copies only into a buffer large enough for the whole name. */
	if (u->unique_len >= len && len && u->unique &&
	    rnpu_osal_copy_to_user((void __rnpu_user *)(uintptr_t)u->unique, unique, len))
		return -EFAULT;
	u->unique_len = len;
	return 0;
}

/* Driver ioctls, indexed by nr - 0x40 (DRM) or nr (misc). */
static const struct rknpu_ioctl_desc rknpu_driver_ioctls[] = {
	[RKNPU_ACTION] = { "RKNPU_ACTION", rknpu_action_ioctl, sizeof(struct rknpu_action) },
	[RKNPU_SUBMIT] = { "RKNPU_SUBMIT", rknpu_submit_ioctl, sizeof(struct rknpu_submit) },
	[RKNPU_MEM_CREATE] = { "RKNPU_MEM_CREATE", rknpu_gem_create_ioctl,
			       sizeof(struct rknpu_mem_create) },
	[RKNPU_MEM_MAP] = { "RKNPU_MEM_MAP", rknpu_gem_map_ioctl, sizeof(struct rknpu_mem_map) },
	[RKNPU_MEM_DESTROY] = { "RKNPU_MEM_DESTROY", rknpu_gem_destroy_ioctl,
				sizeof(struct rknpu_mem_destroy) },
	[RKNPU_MEM_SYNC] = { "RKNPU_MEM_SYNC", rknpu_gem_sync_ioctl,
			     sizeof(struct rknpu_mem_sync) },
};

#define RKNPU_NUM_DRIVER_IOCTLS (sizeof(rknpu_driver_ioctls) / sizeof(rknpu_driver_ioctls[0]))
#define RKNPU_DRM_COMMAND_END 0xa0
/* The DRM core's mode-setting range: a render-only device answers
 * EOPNOTSUPP there. */
#define RKNPU_DRM_MODE_FIRST 0xa0
#define RKNPU_DRM_MODE_LAST 0xcf

static const struct rknpu_ioctl_desc *rknpu_drm_core_ioctl(unsigned int nr)
{
	static const struct rknpu_ioctl_desc version = { "DRM_IOCTL_VERSION",
							 rknpu_version_ioctl, 64 };
	static const struct rknpu_ioctl_desc unique = { "DRM_IOCTL_GET_UNIQUE",
							rknpu_get_unique_ioctl, 16 };
	static const struct rknpu_ioctl_desc gem_close = { "DRM_IOCTL_GEM_CLOSE",
							   rknpu_gem_close_ioctl, 8 };
	static const struct rknpu_ioctl_desc gem_flink = { "DRM_IOCTL_GEM_FLINK",
							   rknpu_gem_flink_ioctl, 8 };
	static const struct rknpu_ioctl_desc gem_open = { "DRM_IOCTL_GEM_OPEN",
							  rknpu_gem_open_ioctl, 16 };
	static const struct rknpu_ioctl_desc h2fd = { "DRM_IOCTL_PRIME_HANDLE_TO_FD",
						      rknpu_prime_handle_to_fd_ioctl, 12 };
	static const struct rknpu_ioctl_desc fd2h = { "DRM_IOCTL_PRIME_FD_TO_HANDLE",
						      rknpu_prime_fd_to_handle_ioctl, 12 };

	switch (nr) {
	case 0x00: return &version;
	case 0x01: return &unique;
	case 0x09: return &gem_close;
	case 0x0a: return &gem_flink;
	case 0x0b: return &gem_open;
	case 0x2d: return &h2fd;
	case 0x2e: return &fd2h;
	default: return NULL;
	}
}

long rknpu_ioctl(struct rknpu_file *file, unsigned int cmd, void __rnpu_user *arg)
{
	struct rknpu_device *rdev = file->rdev;
	unsigned int nr = _IOC_NR(cmd), dir = _IOC_DIR(cmd);
	uint32_t usize = _IOC_SIZE(cmd), in_size, out_size, ksize;
	const struct rknpu_ioctl_desc *desc = NULL;
	uint64_t stack_buf[16];
	void *kdata = stack_buf;
	int ret;

	if (_IOC_TYPE(cmd) == RKNPU_MISC_IOCTL_TYPE) {
		/* The misc node dispatches on nr and copies the 0.9.8 size,
		 * except mem_create which copies exactly what the caller
		 * declared (any of the three forms). */
		if (nr >= RKNPU_NUM_DRIVER_IOCTLS || nr == RKNPU_MEM_MAP)
			return -EINVAL;
		desc = &rknpu_driver_ioctls[nr];
		if (nr != RKNPU_MEM_CREATE)
			usize = desc->size;
		else if (usize > desc->size)
			usize = desc->size;
		in_size = out_size = usize;
	} else {
		if (nr >= RKNPU_DRM_COMMAND_BASE && nr < RKNPU_DRM_COMMAND_END) {
			if (nr - RKNPU_DRM_COMMAND_BASE < RKNPU_NUM_DRIVER_IOCTLS)
				desc = &rknpu_driver_ioctls[nr - RKNPU_DRM_COMMAND_BASE];
		} else if (nr >= RKNPU_DRM_MODE_FIRST && nr <= RKNPU_DRM_MODE_LAST) {
			return -EOPNOTSUPP;
		} else {
			desc = rknpu_drm_core_ioctl(nr);
		}
		if (!desc) {
			rknpu_dbg(rdev, RKNPU_DBG_IOCTL, "unknown ioctl 0x%08x", cmd);
			return -EINVAL;
		}
		in_size = (dir & _IOC_WRITE) ? usize : 0;
		out_size = (dir & _IOC_READ) ? usize : 0;
	}

	ksize = desc->size;
	if (in_size > ksize)
		ksize = in_size;
	if (out_size > ksize)
		ksize = out_size;
	if (ksize > sizeof(stack_buf)) {
		kdata = rnpu_osal_zalloc(ksize);
		if (!kdata)
			return -ENOMEM;
	}
	rnpu_memset(kdata, 0, ksize);
	if (in_size && rnpu_osal_copy_from_user(kdata, arg, in_size)) {
		ret = -EFAULT;
		goto out;
	}
	/* Driver ioctls run powered; the release is delayed (power.c). */
	if (desc >= rknpu_driver_ioctls && desc < rknpu_driver_ioctls + RKNPU_NUM_DRIVER_IOCTLS) {
		ret = rknpu_power_get(rdev);
		if (!ret) {
			ret = desc->fn(file, kdata);
			rknpu_power_put_delay(rdev);
		}
	} else {
		ret = desc->fn(file, kdata);
	}
	/* Like DRM, the struct goes back even when the handler failed. */
	if (out_size && rnpu_osal_copy_to_user(arg, kdata, out_size))
		ret = -EFAULT;
out:
	rknpu_dbg(rdev, RKNPU_DBG_IOCTL, "file %u: %s -> %d", file->id, desc->name, ret);
	if (kdata != stack_buf)
		rnpu_osal_free(kdata);
	return ret;
}

int rknpu_file_open(struct rknpu_device *rdev, struct rknpu_file **out)
{
	struct rknpu_file *file = rnpu_osal_zalloc(sizeof(*file));
	int ret;

	if (!file)
		return -ENOMEM;
	ret = rnpu_osal_mutex_create(&file->lock);
	if (ret)
		goto err_free;
	ret = rnpu_osal_waitq_create(&file->idle_wq);
	if (ret)
		goto err_mutex;
	file->rdev = rdev;
	file->id = rknpu_atomic_inc(&rdev->next_file_id);
	ret = rknpu_job_file_init(file);
	if (ret)
		goto err_waitq;
	ret = rknpu_iommu_file_init(file);
	if (ret)
		goto err_jobs;
	rknpu_handles_init(&file->handles);
	rnpu_osal_mutex_lock(rdev->files_lock);
	rknpu_list_add_tail(&file->node, &rdev->files);
	rnpu_osal_mutex_unlock(rdev->files_lock);
	*out = file;
	return 0;

err_jobs:
	rknpu_job_file_fini(file);
err_waitq:
	rnpu_osal_waitq_destroy(file->idle_wq);
err_mutex:
	rnpu_osal_mutex_destroy(file->lock);
err_free:
	rnpu_osal_free(file);
	return ret;
}

void rknpu_file_set_os_file(struct rknpu_file *file, void *os_file)
{
	file->os_file = os_file;
}

void rknpu_file_close(struct rknpu_file *file)
{
	if (!file)
		return;
	/* Jobs of this session still on the NPU end first (each is bounded
	 * by its watchdog); then every handle goes. */
	rknpu_job_wait_file_idle(file);
	rknpu_job_file_fini(file);
	rnpu_osal_mutex_lock(file->rdev->files_lock);
	rknpu_list_del(&file->node);
	rnpu_osal_mutex_unlock(file->rdev->files_lock);
	rknpu_gem_release_handles(file);
	rknpu_regcmd_copy_cache_fini(file);
	rknpu_iommu_file_fini(file);
	rnpu_osal_waitq_destroy(file->idle_wq);
	rnpu_osal_mutex_destroy(file->lock);
	rnpu_osal_free(file);
}

void rknpu_set_debug(struct rknpu_device *rdev, unsigned int mask)
{
	__atomic_store_n(&rdev->debug, mask, __ATOMIC_RELAXED);
}

static bool rknpu_word_is(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!word[i] || word[i] != s[i])
			return false;
	return word[len] == '\0';
}

unsigned int rknpu_parse_debug(const char *spec)
{
	static const struct {
		const char *name;
		unsigned int mask;
	} cats[] = {
		{ "reg", RKNPU_DBG_REG }, { "ioctl", RKNPU_DBG_IOCTL }, { "job", RKNPU_DBG_JOB },
		{ "gem", RKNPU_DBG_GEM }, { "all", ~0u },
	};
	unsigned int mask = 0;
	size_t i;

	while (spec && *spec) {
		size_t len = 0;

		while (spec[len] && spec[len] != ',')
			len++;
		for (i = 0; i < sizeof(cats) / sizeof(cats[0]); i++)
			if (rknpu_word_is(spec, len, cats[i].name))
				mask |= cats[i].mask;
		spec += len;
		if (*spec == ',')
			spec++;
	}
	return mask;
}

int rknpu_probe(const struct rknpu_platform *plat, struct rknpu_device **out)
{
	const struct rknpu_soc_data *soc = rknpu_soc_match(plat->compatible);
	struct rknpu_device *rdev;
	unsigned int i;
	int ret;

	if (!soc) {
		rnpu_osal_log(RNPU_LOG_ERR, "RKNPU: no matching SoC for compatible \"%s\"",
			      plat->compatible ? plat->compatible : "(null)");
		return -ENODEV;
	}
	if (plat->num_mmio < soc->num_cores) {
		rnpu_osal_log(RNPU_LOG_ERR, "RKNPU: %s needs %u register windows, platform has %u",
			      soc->name, soc->num_cores, plat->num_mmio);
		return -ENXIO;
	}
	if (plat->num_irqs < soc->num_cores || plat->num_resets > RKNPU_MAX_RESETS) {
		rnpu_osal_log(RNPU_LOG_ERR, "RKNPU: %s needs %u interrupts, platform has %u",
			      soc->name, soc->num_cores, plat->num_irqs);
		return -EINVAL;
	}
	rdev = rnpu_osal_zalloc(sizeof(*rdev));
	if (!rdev)
		return -ENOMEM;
	rdev->soc = soc;
	rdev->plat = *plat;
	rdev->num_cores = soc->num_cores;
	rdev->bypass_soft_reset = plat->bypass_soft_reset;
	ret = rknpu_iommu_check_soc(rdev);
	if (ret)
		goto err_free;

	rknpu_list_init(&rdev->files);
	ret = rnpu_osal_mutex_create(&rdev->files_lock);
	if (ret)
		goto err_free;
	ret = rknpu_gem_init(rdev);
	if (ret)
		goto err_files;
	ret = rknpu_job_init(rdev);
	if (ret)
		goto err_gem;
	ret = rknpu_sram_init(rdev);
	if (ret)
		goto err_job;
	if (plat->bypass_irq_handler) {
		rknpu_warn(rdev, "bypass irq handler!");
	} else {
		for (i = 0; i < rdev->num_cores; i++) {
			ret = rnpu_osal_request_irq(plat->dev, plat->irq[i], rknpu_core_irq_handler,
						    &rdev->cores[i]);
			if (ret) {
				rknpu_err(rdev, "failed to request irq %u: %d", plat->irq[i], ret);
				goto err_irq;
			}
		}
	}
	rknpu_info(rdev, "rknpu iommu is %s", plat->iommu ? "enabled, using iommu mode"
							  : "not found!, using non-iommu mode");
	ret = rknpu_power_init(rdev);
	if (ret)
		goto err_irq_all;
	/* Powered for the identity read, then off: after probe the NPU is
	 * off until the first ioctl. */
	ret = rknpu_power_get(rdev);
	if (ret)
		goto err_power;
	rdev->hw_version = rknpu_read(rdev, 0, REG_PC_VERSION) +
			   (rknpu_read(rdev, 0, REG_PC_VERSION_NUM) & 0xffff);
	rknpu_power_put(rdev);
	ret = rknpu_devfreq_init(rdev);
	if (ret)
		goto err_power;
	ret = rknpu_load_init(rdev);
	if (ret)
		goto err_devfreq;
	*out = rdev;
	return 0;

err_devfreq:
	rknpu_devfreq_fini(rdev);
err_power:
	rknpu_power_fini(rdev);
err_irq_all:
	i = plat->bypass_irq_handler ? 0 : rdev->num_cores;
err_irq:
	while (i--)
		rnpu_osal_free_irq(plat->dev, plat->irq[i]);
	rknpu_sram_fini(rdev);
err_job:
	rknpu_job_fini(rdev);
err_gem:
	rknpu_gem_fini(rdev);
err_files:
	rnpu_osal_mutex_destroy(rdev->files_lock);
err_free:
	rnpu_osal_free(rdev);
	return ret;
}

void rknpu_remove(struct rknpu_device *rdev)
{
	unsigned int i;

	if (!rdev)
		return;
	rknpu_load_fini(rdev);
	rknpu_power_fini(rdev);
	rknpu_devfreq_fini(rdev);
	if (!rdev->plat.bypass_irq_handler)
		for (i = 0; i < rdev->num_cores; i++)
			rnpu_osal_free_irq(rdev->plat.dev, rdev->plat.irq[i]);
	rknpu_sram_fini(rdev);
	rknpu_job_fini(rdev);
	rknpu_gem_fini(rdev);
	rnpu_osal_mutex_destroy(rdev->files_lock);
	rnpu_osal_free(rdev);
}
