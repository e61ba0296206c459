// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * File entry points of both device nodes. Each open is a session of the
 * core (rknpu_file_open); ioctls and mmaps go to the core unchanged, so
 * the DRM node answers the DRM core ioctls (VERSION, GEM_CLOSE, FLINK,
 * PRIME) with the core's own handle table. Its buffers are GEM objects
 * (osal_linux_dma.c) and its handles are mirrored into the DRM file's
 * table at the same numbers, which fdinfo's memory keys read.
 */
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/version.h>

#include "rnpu_kmod.h"

static int rnpu_drm_open(struct drm_device *drm, struct drm_file *file)
{
	struct rnpu_kmod *k = container_of(drm, struct rnpu_kmod, drm);
	struct rknpu_file *session;
	int ret = rknpu_file_open(k->rdev, &session);

	if (ret)
		return ret;
	rknpu_file_set_os_file(session, file);
	file->driver_priv = session;
	return 0;
}

/* Only when the open failed after ours succeeded: a closed file's session
 * has already gone in rnpu_drm_release. */
static void rnpu_drm_postclose(struct drm_device *drm, struct drm_file *file)
{
	rknpu_file_close(file->driver_priv);
	file->driver_priv = NULL;
}

/* The core's session closes first, while the DRM file's handle table is
 * still there: each handle leaves it through the core's hook (dropping
 * its GEM reference once), so DRM's own release of the file's handles
 * (drm_gem_release, before postclose) finds the table empty. */
static int rnpu_drm_release(struct inode *inode, struct file *filp)
{
	struct drm_file *file = filp->private_data;

	rknpu_file_close(file->driver_priv);
	file->driver_priv = NULL;
	return drm_release(inode, filp);
}

static long rnpu_drm_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct drm_file *file = filp->private_data;

	if (drm_dev_is_unplugged(file->minor->dev))
		return -ENODEV;
	return rknpu_ioctl(file->driver_priv, cmd, (void __rnpu_user *)arg);
}

#ifdef CONFIG_COMPAT
/* The UAPI structs hold only fixed-width fields: same layout for 32-bit
 * callers, only the pointer needs converting. */
static long rnpu_drm_compat_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	return rnpu_drm_ioctl(filp, cmd, (unsigned long)compat_ptr(arg));
}
#endif

static int rnpu_drm_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct drm_file *file = filp->private_data;
	struct rnpu_osal_vma req = { .vma = vma };

	if (drm_dev_is_unplugged(file->minor->dev))
		return -ENODEV;
	return rknpu_mmap(file->driver_priv, (u64)vma->vm_pgoff << PAGE_SHIFT, &req);
}

/* The core's per-session usage text in DRM's fdinfo keys
 * (docs/monitoring.md): drm-driver, drm-client-id, drm-engine-npuN,
 * drm-total-memory, drm-resident-memory. */
#define RNPU_KMOD_FDINFO_TEXT 512

static bool rnpu_fdinfo_key_is(const char *line, const char *key)
{
	return !strncmp(line, key, strlen(key));
}

/* Passes each line of the session's text to @emit; with @skip_ids the
 * two identification lines and the memory keys are left out (DRM's
 * helpers print their own). */
static void rnpu_fdinfo_lines(struct rknpu_file *session, bool skip_ids,
			      void (*emit)(void *ctx, const char *line, int len), void *ctx)
{
	char text[RNPU_KMOD_FDINFO_TEXT];
	const char *line = text;
	int len = rknpu_show_fdinfo(session, text, sizeof(text));

	if (len <= 0)
		return;
	while (*line) {
		const char *nl = strchrnul(line, '\n');
		int n = (int)(nl - line) + (*nl ? 1 : 0);

		if (!skip_ids || (!rnpu_fdinfo_key_is(line, "drm-driver:") &&
				  !rnpu_fdinfo_key_is(line, "drm-client-id:") &&
				  !rnpu_fdinfo_key_is(line, "drm-total-memory:") &&
				  !rnpu_fdinfo_key_is(line, "drm-resident-memory:")))
			emit(ctx, line, n);
		line += n;
	}
}

static void rnpu_fdinfo_to_seq(void *ctx, const char *line, int len)
{
	seq_write(ctx, line, len);
}

/* From Linux 6.5 the DRM core's drm_show_fdinfo prints drm-driver and
 * drm-client-id (its own id, unique across DRM devices) and then asks
 * the driver for the rest, whose memory keys (total, shared, resident)
 * drm_show_memory_stats counts from the file's GEM handles; before, the
 * driver's file_operations print everything, memory from the core's
 * count. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
static void rnpu_fdinfo_to_printer(void *ctx, const char *line, int len)
{
	drm_printf(ctx, "%.*s", len, line);
}

static void rnpu_drm_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	rnpu_fdinfo_lines(file->driver_priv, true, rnpu_fdinfo_to_printer, p);
	drm_show_memory_stats(p, file);
}
#define rnpu_drm_fops_show_fdinfo drm_show_fdinfo
#else
static void rnpu_drm_fops_show_fdinfo(struct seq_file *m, struct file *filp)
{
	struct drm_file *file = filp->private_data;

	rnpu_fdinfo_lines(file->driver_priv, false, rnpu_fdinfo_to_seq, m);
}
#endif

static const struct file_operations rnpu_drm_fops = {
	.owner = THIS_MODULE,
	.open = drm_open,
	.release = rnpu_drm_release,
	.unlocked_ioctl = rnpu_drm_ioctl,
#ifdef CONFIG_COMPAT
	.compat_ioctl = rnpu_drm_compat_ioctl,
#endif
	.mmap = rnpu_drm_mmap,
	.poll = drm_poll,
	.read = drm_read,
	.llseek = noop_llseek,
	.show_fdinfo = rnpu_drm_fops_show_fdinfo,
#ifdef FOP_UNSIGNED_OFFSET
	/* From 6.12 drm_open() refuses (WARN, EINVAL) a file without it:
	 * DRM's mmap offsets are unsigned. */
	.fop_flags = FOP_UNSIGNED_OFFSET,
#endif
};

/* Name, description, date and version as the vendor's 0.9.8 reports
 * them; DRM_IOCTL_VERSION itself is answered by the core. */
const struct drm_driver rnpu_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER,
	.open = rnpu_drm_open,
	.postclose = rnpu_drm_postclose,
	.fops = &rnpu_drm_fops,
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	.show_fdinfo = rnpu_drm_show_fdinfo,
#endif
	.name = "rknpu",
	.desc = "RKNPU driver",
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 14, 0)
	.date = "20240828", /* the core reports it in VERSION in any case */
#endif
	.major = 0,
	.minor = 9,
	.patchlevel = 8,
};

/* /dev/rknpu: the misc device of the vendor's non-DRM build. */
static int rnpu_misc_open(struct inode *inode, struct file *filp)
{
	struct rnpu_kmod *k = container_of(filp->private_data, struct rnpu_kmod, misc);
	struct rknpu_file *session;
	int ret = rknpu_file_open(k->rdev, &session);

	if (ret)
		return ret;
	filp->private_data = session;
	return 0;
}

static int rnpu_misc_release(struct inode *inode, struct file *filp)
{
	rknpu_file_close(filp->private_data);
	return 0;
}

static long rnpu_misc_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	return rknpu_ioctl(filp->private_data, cmd, (void __rnpu_user *)arg);
}

#ifdef CONFIG_COMPAT
static long rnpu_misc_compat_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	return rnpu_misc_ioctl(filp, cmd, (unsigned long)compat_ptr(arg));
}
#endif

static int rnpu_misc_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct rnpu_osal_vma req = { .vma = vma };

	return rknpu_mmap(filp->private_data, (u64)vma->vm_pgoff << PAGE_SHIFT, &req);
}

/* /dev/rknpu has no DRM file: the core's text whole, its client id the
 * core's session id. */
static void rnpu_misc_show_fdinfo(struct seq_file *m, struct file *filp)
{
	rnpu_fdinfo_lines(filp->private_data, false, rnpu_fdinfo_to_seq, m);
}

static const struct file_operations rnpu_misc_fops = {
	.owner = THIS_MODULE,
	.open = rnpu_misc_open,
	.release = rnpu_misc_release,
	.unlocked_ioctl = rnpu_misc_ioctl,
#ifdef CONFIG_COMPAT
	.compat_ioctl = rnpu_misc_compat_ioctl,
#endif
	.mmap = rnpu_misc_mmap,
	.llseek = noop_llseek,
	.show_fdinfo = rnpu_misc_show_fdinfo,
};

int rnpu_kmod_misc_register(struct rnpu_kmod *k)
{
	int ret;

	k->misc.minor = MISC_DYNAMIC_MINOR;
	k->misc.name = "rknpu";
	k->misc.fops = &rnpu_misc_fops;
	k->misc.parent = k->drm.dev;
	ret = misc_register(&k->misc);
	if (ret)
		return ret;
	k->misc_registered = true;
	return 0;
}

void rnpu_kmod_misc_unregister(struct rnpu_kmod *k)
{
	if (k->misc_registered)
		misc_deregister(&k->misc);
	k->misc_registered = false;
}
