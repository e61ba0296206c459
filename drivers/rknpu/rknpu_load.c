// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The load window: per-core busy time over fixed 1 s windows, as the
 * vendor's debugfs "load" reports it. A job adds its time when it
 * finishes on a core; each window's end adds the running jobs' share so
 * far. The same tick drives devfreq (thermal rule and governor).
 */
#include "rknpu_internal.h"

void rknpu_load_tick(struct rknpu_device *rdev)
{
	uint64_t now, busiest = 0;
	unsigned long flags;
	unsigned int i;

	rnpu_osal_spin_lock_irqsave(rdev->irq_lock, &flags);
	now = rnpu_osal_time_ns();
	for (i = 0; i < rdev->num_cores; i++) {
		struct rknpu_subcore *sc = &rdev->cores[i];

		if (sc->job) {
			struct rknpu_job_core *jc = &sc->job->core[i];

			sc->busy_time += now - jc->recorder_time;
			jc->recorder_time = now;
		}
		sc->total_busy_time = sc->busy_time;
		sc->busy_time = 0;
		if (sc->total_busy_time > busiest)
			busiest = sc->total_busy_time;
	}
	rnpu_osal_spin_unlock_irqrestore(rdev->irq_lock, flags);

	if (rdev->devfreq.present) {
		rnpu_osal_mutex_lock(rdev->devfreq.lock);
		rdev->devfreq.window_busy_ns = busiest;
		rnpu_osal_mutex_unlock(rdev->devfreq.lock);
		rknpu_devfreq_update(rdev);
	}
}

unsigned int rknpu_load_percent(struct rknpu_device *rdev, unsigned int core)
{
	unsigned long flags;
	uint64_t busy;

	rnpu_osal_spin_lock_irqsave(rdev->irq_lock, &flags);
	busy = rdev->cores[core].total_busy_time;
	rnpu_osal_spin_unlock_irqrestore(rdev->irq_lock, flags);
	busy /= RKNPU_LOAD_INTERVAL_NS / 100;
	return busy > 100 ? 100 : (unsigned int)busy;
}

static void rknpu_load_work(void *data)
{
	struct rknpu_device *rdev = data;

	rknpu_load_tick(rdev);
	if (!rknpu_atomic_read_bool(&rdev->load_stopping))
		rnpu_osal_work_queue(rdev->load_work, RKNPU_LOAD_INTERVAL_NS / 1000000);
}

int rknpu_load_init(struct rknpu_device *rdev)
{
	int ret;

	if (rdev->plat.manual_load_tick)
		return 0;
	ret = rnpu_osal_work_create(&rdev->load_work, rknpu_load_work, rdev);
	if (ret)
		return ret;
	rnpu_osal_work_queue(rdev->load_work, RKNPU_LOAD_INTERVAL_NS / 1000000);
	return 0;
}

void rknpu_load_fini(struct rknpu_device *rdev)
{
	if (!rdev->load_work)
		return;
	rknpu_atomic_set_bool(&rdev->load_stopping, true);
	/* A run in progress may re-arm once before it sees the flag; the
	 * second cancel takes that one. */
	rnpu_osal_work_cancel_sync(rdev->load_work);
	rnpu_osal_work_cancel_sync(rdev->load_work);
	rnpu_osal_work_destroy(rdev->load_work);
	rdev->load_work = NULL;
}
