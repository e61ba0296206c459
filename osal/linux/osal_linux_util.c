// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Kernel OS services without a device: memory, user copies, formatting,
 * logging, time, nice values and deferred work.
 */
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "osal_linux.h"

void *rnpu_osal_zalloc(size_t size)
{
	return size ? kvzalloc(size, GFP_KERNEL) : NULL;
}

void *rnpu_osal_zalloc_array(size_t n, size_t size)
{
	return (n && size) ? kvcalloc(n, size, GFP_KERNEL) : NULL;
}

void rnpu_osal_free(void *p)
{
	kvfree(p);
}

int rnpu_osal_copy_from_user(void *dst, const void __rnpu_user *src, size_t n)
{
	return copy_from_user(dst, (const void __user *)src, n) ? -EFAULT : 0;
}

int rnpu_osal_copy_to_user(void __rnpu_user *dst, const void *src, size_t n)
{
	return copy_to_user((void __user *)dst, src, n) ? -EFAULT : 0;
}

int rnpu_osal_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* The kernel's vsnprintf checks formats: let callers' be checked too. */
__printf(3, 0) int rnpu_osal_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int rnpu_osal_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

void rnpu_osal_log(enum rnpu_log_level level, const char *fmt, ...)
{
	struct va_format vaf;
	va_list ap;

	va_start(ap, fmt);
	vaf.fmt = fmt;
	vaf.va = &ap;
	switch (level) {
	case RNPU_LOG_ERR:
		pr_err("RKNPU: %pV\n", &vaf);
		break;
	case RNPU_LOG_WARN:
		pr_warn("RKNPU: %pV\n", &vaf);
		break;
	case RNPU_LOG_INFO:
		pr_info("RKNPU: %pV\n", &vaf);
		break;
	default:
		pr_debug("RKNPU: %pV\n", &vaf);
		break;
	}
	va_end(ap);
}

uint64_t rnpu_osal_time_ns(void)
{
	return ktime_get_ns();
}

void rnpu_osal_msleep(unsigned int ms)
{
	msleep(ms);
}

/* Busy-waits: callers may hold spinlocks. udelay() is only accurate up to
 * a few milliseconds on some architectures, hence the split. */
void rnpu_osal_udelay(unsigned int us)
{
	if (us >= 1000)
		mdelay(us / 1000);
	udelay(us % 1000);
}

int rnpu_osal_set_nice(int nice)
{
	set_user_nice(current, clamp(nice, MIN_NICE, MAX_NICE));
	return 0;
}

/* Deferred work: a delayed work item on the system workqueue. */
struct rnpu_osal_work {
	struct delayed_work dwork;
	rnpu_osal_work_fn_t fn;
	void *data;
};

static void rnpu_linux_work_run(struct work_struct *work)
{
	struct rnpu_osal_work *w = container_of(to_delayed_work(work), struct rnpu_osal_work, dwork);

	w->fn(w->data);
}

int rnpu_osal_work_create(struct rnpu_osal_work **out, rnpu_osal_work_fn_t fn, void *data)
{
	struct rnpu_osal_work *w = kzalloc(sizeof(*w), GFP_KERNEL);

	if (!w)
		return -ENOMEM;
	INIT_DELAYED_WORK(&w->dwork, rnpu_linux_work_run);
	w->fn = fn;
	w->data = data;
	*out = w;
	return 0;
}

bool rnpu_osal_work_queue(struct rnpu_osal_work *w, unsigned int delay_ms)
{
	return queue_delayed_work(system_wq, &w->dwork, msecs_to_jiffies(delay_ms));
}

bool rnpu_osal_work_cancel_sync(struct rnpu_osal_work *w)
{
	return cancel_delayed_work_sync(&w->dwork);
}

void rnpu_osal_work_destroy(struct rnpu_osal_work *w)
{
	kfree(w);
}
