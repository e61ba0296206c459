// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Power: a reference count around every ioctl and job, power domains
 * switched in the SoC's order on the first reference and off after the
 * last, a delayed release that later ioctls do not extend, and system
 * suspend/resume.
 */
#include "rknpu_internal.h"

/* Domains on in index order (the top domain first: the others depend on
 * it); on failure the ones already on go off again. Caller holds
 * power_lock. */
static int rknpu_power_on_locked(struct rknpu_device *rdev)
{
	unsigned int i;
	int ret;

	if (rdev->domains_on)
		return 0;
	for (i = 0; i < rdev->soc->num_power_domains; i++) {
		ret = rnpu_osal_power_domain_set(rdev->plat.dev, i, true);
		if (ret) {
			rknpu_err(rdev, "failed to get pm runtime for npu%u, ret: %d", i, ret);
			goto err_unwind;
		}
	}
	rdev->domains_on = true;
	return 0;

err_unwind:
	while (i--)
		rnpu_osal_power_domain_set(rdev->plat.dev, i, false);
	return ret;
}

/* Domains off in reverse order. Caller holds power_lock. */
static int rknpu_power_off_locked(struct rknpu_device *rdev)
{
	unsigned int i = rdev->soc->num_power_domains;
	int ret, first_err = 0;

	if (!rdev->domains_on)
		return 0;
	while (i--) {
		ret = rnpu_osal_power_domain_set(rdev->plat.dev, i, false);
		if (ret && !first_err) {
			rknpu_err(rdev, "failed to put pm runtime for npu%u, ret: %d", i, ret);
			first_err = ret;
		}
	}
	rdev->domains_on = false;
	return first_err;
}

static int rknpu_power_count(struct rknpu_device *rdev)
{
	return __atomic_load_n(&rdev->power_refcount, __ATOMIC_ACQUIRE);
}

static void rknpu_power_off_work(void *data)
{
	rknpu_power_put(data);
}

int rknpu_power_init(struct rknpu_device *rdev)
{
	int ret;

	ret = rnpu_osal_mutex_create(&rdev->power_lock);
	if (ret)
		return ret;
	ret = rnpu_osal_work_create(&rdev->power_off_work, rknpu_power_off_work, rdev);
	if (ret) {
		rnpu_osal_mutex_destroy(rdev->power_lock);
		return ret;
	}
	__atomic_store_n(&rdev->power_put_delay_ms, RKNPU_POWER_PUT_DELAY_MS, __ATOMIC_RELAXED);
	return 0;
}

void rknpu_power_fini(struct rknpu_device *rdev)
{
	rnpu_osal_work_cancel_sync(rdev->power_off_work);
	rnpu_osal_mutex_lock(rdev->power_lock);
	rknpu_power_off_locked(rdev);
	__atomic_store_n(&rdev->power_refcount, 0, __ATOMIC_RELEASE);
	rnpu_osal_mutex_unlock(rdev->power_lock);
	rnpu_osal_work_destroy(rdev->power_off_work);
	rnpu_osal_mutex_destroy(rdev->power_lock);
}

/* Takes a reference if the count is above @floor, without the lock:
 * only the transitions to and from 0 (and the handing over of the last
 * reference) need power_lock. */
static bool rknpu_power_adjust_above(struct rknpu_device *rdev, int floor, int delta)
{
	int cur = __atomic_load_n(&rdev->power_refcount, __ATOMIC_ACQUIRE);

	while (cur > floor)
		if (__atomic_compare_exchange_n(&rdev->power_refcount, &cur, cur + delta, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

int rknpu_power_get(struct rknpu_device *rdev)
{
	int ret = 0;

	/* Already on (and not suspended): one more reference. */
	if (!rknpu_atomic_read_bool(&rdev->suspended) && rknpu_power_adjust_above(rdev, 0, 1))
		return 0;
	rnpu_osal_mutex_lock(rdev->power_lock);
	if (rdev->suspended) {
		/* The system froze its tasks; whatever still calls must not
		 * reach a switched-off core. */
		rknpu_warn(rdev, "power requested while suspended");
		ret = -EBUSY;
	} else if (rknpu_power_count(rdev) == 0) {
		ret = rknpu_power_on_locked(rdev);
	}
	if (!ret)
		__atomic_add_fetch(&rdev->power_refcount, 1, __ATOMIC_ACQ_REL);
	rnpu_osal_mutex_unlock(rdev->power_lock);
	return ret;
}

void rknpu_power_put(struct rknpu_device *rdev)
{
	rnpu_osal_mutex_lock(rdev->power_lock);
	if (rknpu_power_count(rdev) <= 0) {
		rknpu_warn(rdev, "power put without a reference");
		rnpu_osal_mutex_unlock(rdev->power_lock);
		return;
	}
	if (__atomic_sub_fetch(&rdev->power_refcount, 1, __ATOMIC_ACQ_REL) == 0 &&
	    rknpu_power_off_locked(rdev)) {
		/* Keep the reference and try again later, as the vendor does. */
		__atomic_add_fetch(&rdev->power_refcount, 1, __ATOMIC_ACQ_REL);
		rnpu_osal_work_queue(rdev->power_off_work,
				     __atomic_load_n(&rdev->power_put_delay_ms, __ATOMIC_RELAXED));
	}
	rnpu_osal_mutex_unlock(rdev->power_lock);
}

void rknpu_power_put_delay(struct rknpu_device *rdev)
{
	uint32_t delay = __atomic_load_n(&rdev->power_put_delay_ms, __ATOMIC_RELAXED);

	if (delay == 0) {
		rknpu_power_put(rdev);
		return;
	}
	/* Not the last reference: just drop it. */
	if (rknpu_power_adjust_above(rdev, 1, -1))
		return;
	rnpu_osal_mutex_lock(rdev->power_lock);
	/* The last reference is handed to the off work; while it is pending
	 * a new last reference is not queued again, so the delay runs from
	 * the first release, not the latest. */
	if (rknpu_power_count(rdev) == 1)
		rnpu_osal_work_queue(rdev->power_off_work, delay);
	else if (rknpu_power_count(rdev) > 1)
		__atomic_sub_fetch(&rdev->power_refcount, 1, __ATOMIC_ACQ_REL);
	rnpu_osal_mutex_unlock(rdev->power_lock);
}

bool rknpu_power_is_on(struct rknpu_device *rdev)
{
	return rknpu_power_count(rdev) > 0;
}

void rknpu_power_cmdline(struct rknpu_device *rdev, bool on)
{
	bool put = false;

	if (on) {
		if (rknpu_power_get(rdev) == 0) {
			rnpu_osal_mutex_lock(rdev->power_lock);
			rdev->cmdline_refcount++;
			rnpu_osal_mutex_unlock(rdev->power_lock);
		}
		rknpu_info(rdev, "rknpu power is on!");
		return;
	}
	/* "off" drops every reference "on" took. */
	rnpu_osal_mutex_lock(rdev->power_lock);
	if (rknpu_power_count(rdev) > 0 && rdev->cmdline_refcount > 0) {
		__atomic_sub_fetch(&rdev->power_refcount, rdev->cmdline_refcount - 1,
				   __ATOMIC_ACQ_REL);
		rdev->cmdline_refcount = 0;
		put = true;
	}
	rnpu_osal_mutex_unlock(rdev->power_lock);
	if (put)
		rknpu_power_put(rdev);
	if (!rknpu_power_is_on(rdev))
		rknpu_info(rdev, "rknpu power is off!");
}

int rknpu_suspend(struct rknpu_device *rdev)
{
	int ret;

	rnpu_osal_mutex_lock(rdev->power_lock);
	rknpu_atomic_set_bool(&rdev->suspended, true);
	ret = rknpu_power_off_locked(rdev);
	rnpu_osal_mutex_unlock(rdev->power_lock);
	return ret;
}

int rknpu_resume(struct rknpu_device *rdev)
{
	int ret = 0;

	rnpu_osal_mutex_lock(rdev->power_lock);
	rknpu_atomic_set_bool(&rdev->suspended, false);
	if (rknpu_power_count(rdev) > 0)
		ret = rknpu_power_on_locked(rdev);
	rnpu_osal_mutex_unlock(rdev->power_lock);
	return ret;
}
