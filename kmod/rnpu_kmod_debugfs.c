// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The vendor's debugfs files under /sys/kernel/debug/rknpu/: every file
 * the portable core knows (rknpu_debugfs_names), its text produced by
 * rknpu_debugfs_show() and its writes handled by rknpu_debugfs_store(), so
 * the bytes are the ones the userspace host's files and tests check.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "rknpu_device.h"
#include "rnpu_kmod.h"

/* The longest text: the SRAM bitmap of "mm". */
#define RNPU_KMOD_DEBUGFS_TEXT 4096

struct rnpu_kmod_dbg_file {
	struct rnpu_kmod *k;
	const char *name;
};

static ssize_t rnpu_kmod_dbg_read(struct file *filp, char __user *ubuf, size_t len,
				  loff_t *ppos)
{
	struct rnpu_kmod_dbg_file *f = filp->private_data;
	char *text = kmalloc(RNPU_KMOD_DEBUGFS_TEXT, GFP_KERNEL);
	ssize_t ret;
	int n;

	if (!text)
		return -ENOMEM;
	n = rknpu_debugfs_show(f->k->rdev, f->name, text, RNPU_KMOD_DEBUGFS_TEXT);
	ret = n < 0 ? n : simple_read_from_buffer(ubuf, len, ppos, text, (size_t)n);
	kfree(text);
	return ret;
}

static ssize_t rnpu_kmod_dbg_write(struct file *filp, const char __user *ubuf, size_t len,
				   loff_t *ppos)
{
	struct rnpu_kmod_dbg_file *f = filp->private_data;
	char buf[32];
	long ret;

	/* The core checks each file's limit; anything longer is refused
	 * before the copy. */
	if (len > sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	ret = rknpu_debugfs_store(f->k->rdev, f->name, buf, len);
	/* The core pinned the rate; devfreq applies it now, as the vendor's
	 * write forces a devfreq evaluation. */
	if (ret > 0 && !strcmp(f->name, "freq"))
		rnpu_kmod_devfreq_update(f->k);
	return ret;
}

static const struct file_operations rnpu_kmod_dbg_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = rnpu_kmod_dbg_read,
	.write = rnpu_kmod_dbg_write,
	.llseek = default_llseek,
};

/* Not one of the vendor's files: the GEM objects alive (buffers whose
 * last reference, be it a handle, a mapping, an export or a job's, has
 * not gone yet), to see every buffer freed. */
static int rnpu_kmod_gem_objects_show(struct seq_file *m, void *unused)
{
	long objects, bytes;

	rnpu_linux_dma_live(&objects, &bytes);
	seq_printf(m, "objects: %ld\nbytes: %ld\n", objects, bytes);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rnpu_kmod_gem_objects);

int rnpu_kmod_debugfs_init(struct rnpu_kmod *k)
{
	unsigned int i;

	k->dbg_files = devm_kcalloc(k->drm.dev, rknpu_debugfs_count, sizeof(*k->dbg_files),
				    GFP_KERNEL);
	if (!k->dbg_files)
		return -ENOMEM;
	k->debugfs = debugfs_create_dir("rknpu", NULL);
	for (i = 0; i < rknpu_debugfs_count; i++) {
		struct rnpu_kmod_dbg_file *f = &k->dbg_files[i];

		f->k = k;
		f->name = rknpu_debugfs_names[i];
		debugfs_create_file(f->name, rknpu_debugfs_writable(f->name) ? 0644 : 0444,
				    k->debugfs, f, &rnpu_kmod_dbg_fops);
	}
	debugfs_create_file("gem_objects", 0444, k->debugfs, NULL, &rnpu_kmod_gem_objects_fops);
	return 0;
}

void rnpu_kmod_debugfs_fini(struct rnpu_kmod *k)
{
	debugfs_remove_recursive(k->debugfs);
}
