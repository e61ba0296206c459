// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Jobs: validation of a submit, core selection, per-core FIFOs, the gang
 * start of multi-core jobs, chunking past max_submit_number, the blocking
 * wait with the vendor's timeout rules, completion and abort.
 */
#include "rknpu_reg.h"

int rknpu_job_init(struct rknpu_device *rdev)
{
	unsigned int i;
	int ret;

	ret = rnpu_osal_spinlock_create(&rdev->irq_lock);
	if (ret)
		return ret;
	ret = rnpu_osal_mutex_create(&rdev->reset_lock);
	if (ret)
		goto err_spin;
	for (i = 0; i < rdev->num_cores; i++) {
		struct rknpu_subcore *sc = &rdev->cores[i];

		sc->rdev = rdev;
		sc->index = i;
		rknpu_list_init(&sc->todo_list);
		ret = rnpu_osal_waitq_create(&sc->wq);
		if (ret)
			goto err_wq;
	}
	return 0;

err_wq:
	while (i--)
		rnpu_osal_waitq_destroy(rdev->cores[i].wq);
	rnpu_osal_mutex_destroy(rdev->reset_lock);
err_spin:
	rnpu_osal_spinlock_destroy(rdev->irq_lock);
	return ret;
}

void rknpu_job_fini(struct rknpu_device *rdev)
{
	unsigned int i;

	for (i = 0; i < rdev->num_cores; i++)
		rnpu_osal_waitq_destroy(rdev->cores[i].wq);
	rnpu_osal_mutex_destroy(rdev->reset_lock);
	rnpu_osal_spinlock_destroy(rdev->irq_lock);
}

static unsigned int rknpu_popcount(uint32_t v)
{
	unsigned int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

static unsigned int rknpu_lowest_core(uint32_t mask)
{
	unsigned int i = 0;

	while (!(mask & (1u << i)))
		i++;
	return i;
}

/* AUTO: the core with the fewest queued tasks; ties go to the lowest. */
static unsigned int rknpu_pick_core_locked(struct rknpu_device *rdev)
{
	unsigned int i, best = 0;

	for (i = 1; i < rdev->num_cores; i++)
		if (rdev->cores[i].task_num < rdev->cores[best].task_num)
			best = i;
	return best;
}

void rknpu_job_next_locked(struct rknpu_device *rdev, unsigned int core)
{
	struct rknpu_subcore *sc = &rdev->cores[core];
	struct rknpu_job_core *jc;
	struct rknpu_job *job;
	unsigned int i;

	if ((__atomic_load_n(&rdev->resetting_mask, __ATOMIC_ACQUIRE) & (1u << core)) || sc->job ||
	    rknpu_list_empty(&sc->todo_list))
		return;
	jc = rknpu_container_of(sc->todo_list.next, struct rknpu_job_core, todo);
	job = jc->job;
	rknpu_list_del(&jc->todo);
	jc->queued = false;
	sc->job = job;
	__atomic_store_n(&job->hw_commit_time, rnpu_osal_time_ns(), __ATOMIC_RELEASE);
	job->hw_recorder_time = job->hw_commit_time;
	jc->start_time = job->hw_commit_time;
	jc->recorder_time = job->hw_commit_time;
	rknpu_sched_started_locked(rdev, job);
	/* Gang start: a multi-core job runs once every core has taken it. */
	if (--job->run_count == 0) {
		for (i = 0; i < rdev->num_cores; i++)
			if (job->core_mask & (1u << i))
				rknpu_core_commit(rdev, i, job);
	}
}

void rknpu_job_core_done_locked(struct rknpu_device *rdev, unsigned int core)
{
	struct rknpu_subcore *sc = &rdev->cores[core];
	struct rknpu_job *job = sc->job;
	struct rknpu_job_core *jc = &job->core[core];
	uint64_t now;

	if (jc->remaining && !job->mmu_fault) {
		rknpu_core_commit(rdev, core, job); /* next chunk of this core */
		return;
	}
	now = rnpu_osal_time_ns();
	sc->job = NULL;
	sc->task_num -= jc->task_number;
	sc->busy_time += now - jc->recorder_time;
	job->file->engine_ns[core] += now - jc->start_time;
	job->hw_elapse_time = now - job->hw_commit_time;
	if (--job->interrupt_count == 0)
		rknpu_job_end_locked(job, job->mmu_fault ? -EFAULT : 0);
	rknpu_job_next_locked(rdev, core);
}

void rknpu_job_end_locked(struct rknpu_job *job, int ret)
{
	struct rknpu_device *rdev = job->rdev;
	struct rnpu_osal_waitq *wq = rdev->cores[rknpu_lowest_core(job->core_mask)].wq;

	if (job->done)
		return;
	job->ret = ret;
	if (!ret)
		job->flags |= RKNPU_JOB_DONE;
	if (job->fence)
		rnpu_osal_fence_signal(job->fence, ret);
	if (job->async) {
		struct rknpu_file *file = job->file;
		bool first = rknpu_list_empty(&file->done_jobs);

		/* Freeing needs process context; nobody waits for it, so no
		 * thread is woken per job: the session's next submit or close
		 * reaps it, else reap_work shortly after. */
		rknpu_list_add_tail(&job->done_node, &file->done_jobs);
		rknpu_atomic_set_bool(&job->done, true);
		if (first) {
			rnpu_osal_work_queue(file->reap_work, RKNPU_JOB_REAP_DELAY_MS);
			rnpu_osal_waitq_wake_all(file->idle_wq); /* a closing session */
		}
		return;
	}
	/* A blocking submitter frees its job as soon as it sees it done:
	 * nothing of the job may be touched after this store. */
	rknpu_atomic_set_bool(&job->done, true);
	rnpu_osal_waitq_wake_all(wq);
}

static void rknpu_job_free(struct rknpu_job *job)
{
	if (job->watchdog)
		rnpu_osal_work_destroy(job->watchdog);
	if (job->fence)
		rnpu_osal_fence_put(job->fence);
	rknpu_job_release_copies(job);
	if (job->task_obj)
		rknpu_gem_put(job->task_obj);
	rnpu_osal_free(job);
}

/* Fills each participating core's task range following the vendor's
 * subcore_task slot rules, and checks it against the task buffer. */
static int rknpu_job_ranges(struct rknpu_job *job)
{
	struct rknpu_device *rdev = job->rdev;
	const struct rknpu_submit *args = &job->args;
	unsigned int i, slot;
	int ret;

	for (i = 0; i < rdev->num_cores; i++) {
		struct rknpu_job_core *jc = &job->core[i];
		uint32_t chunk;

		if (!(job->core_mask & (1u << i)))
			continue;
		if (rdev->num_cores == 1) {
			jc->task_start = args->task_start;
			jc->task_number = args->task_number;
		} else {
			slot = job->use_core_num == 3 ? i + 2 : i;
			jc->task_start = args->subcore_task[slot].task_start;
			jc->task_number = args->subcore_task[slot].task_number;
		}
		if (jc->task_number == 0) {
			rknpu_err(rdev, "core %u: subcore_task task_number is 0", i);
			return -EINVAL;
		}
		if (jc->task_start >= job->num_tasks_in_bo ||
		    jc->task_number > job->num_tasks_in_bo - jc->task_start) {
			rknpu_err(rdev, "core %u: tasks %u..%u exceed the task buffer of %u tasks", i,
				  jc->task_start, jc->task_start + jc->task_number - 1,
				  job->num_tasks_in_bo);
			return -EINVAL;
		}
		ret = rknpu_job_snapshot(job, jc);
		if (ret)
			return ret;
		/* The first task of every chunk programs PC_DATA_AMOUNT. */
		for (chunk = 0; chunk < jc->task_number; chunk += rdev->soc->max_submit_number) {
			struct rknpu_task t;
			uint32_t amount = 0;

			t = jc->snap[chunk];
			if (t.regcfg_amount > 0xffffu * 2 ||
			    !rk3588_set_PC_REGISTER_AMOUNTS_PC_DATA_AMOUNT(
				    &amount, rknpu_pc_data_amount(rdev->soc, t.regcfg_amount))) {
				rknpu_err(rdev, "task %u: regcfg_amount %u too large for PC_DATA_AMOUNT",
					  jc->task_start + chunk, t.regcfg_amount);
				return -EINVAL;
			}
		}
		jc->job = job;
		jc->next_task = jc->task_start;
		jc->remaining = jc->task_number;
	}
	return 0;
}

static void rknpu_job_schedule(struct rknpu_job *job)
{
	struct rknpu_device *rdev = job->rdev;
	unsigned long flags;
	unsigned int i;

	rnpu_osal_spin_lock_irqsave(rdev->irq_lock, &flags);
	job->run_count = job->use_core_num;
	job->interrupt_count = job->use_core_num;
	rknpu_sched_enqueue_locked(rdev, job);
	/* Armed under irq_lock: neither the watchdog nor the completion can
	 * touch the job before it is fully queued. */
	if (job->async)
		rnpu_osal_work_queue(job->watchdog, job->args.timeout);
	for (i = 0; i < rdev->num_cores; i++)
		if (job->core_mask & (1u << i))
			rknpu_job_next_locked(rdev, i);
	rnpu_osal_spin_unlock_irqrestore(rdev->irq_lock, flags);
}

static bool rknpu_job_wait_cond(void *arg)
{
	struct rknpu_job *job = arg;

	return rknpu_atomic_read_bool(&job->done);
}

/* Takes the job off every core it has not finished on. Returns true if any
 * core had started it. */
/* Takes the job off every core it has not finished on; returns the cores
 * whose hardware may still be running it. */
uint32_t rknpu_job_detach_locked(struct rknpu_job *job)
{
	struct rknpu_device *rdev = job->rdev;
	uint32_t running = 0;
	unsigned int i;

	for (i = 0; i < rdev->num_cores; i++) {
		struct rknpu_job_core *jc = &job->core[i];

		if (!(job->core_mask & (1u << i)))
			continue;
		if (jc->queued) {
			rknpu_list_del(&jc->todo);
			jc->queued = false;
			rdev->cores[i].task_num -= jc->task_number;
		} else if (rdev->cores[i].job == job) {
			rdev->cores[i].job = NULL;
			rdev->cores[i].task_num -= jc->task_number;
			/* Programmed only once every core of the gang took it. */
			if (job->run_count == 0)
				running |= 1u << i;
		}
	}
	return running;
}

void rknpu_job_kick(struct rknpu_device *rdev, uint32_t mask)
{
	unsigned long flags;
	unsigned int i;

	rnpu_osal_spin_lock_irqsave(rdev->irq_lock, &flags);
	for (i = 0; i < rdev->num_cores; i++)
		if (mask & (1u << i))
			rknpu_job_next_locked(rdev, i);
	rnpu_osal_spin_unlock_irqrestore(rdev->irq_lock, flags);
}

/* The interrupt mask the core waits for: the committed chunk's, or for a
 * core that never started the job the one its first chunk would set. */
static uint32_t rknpu_job_core_require_mask(const struct rknpu_job *job,
						const struct rknpu_job_core *jc)
{
	uint32_t n;

	if (jc->next_task != jc->task_start || !jc->snap || !jc->task_number)
		return jc->int_mask;
	n = jc->task_number < job->rdev->soc->max_submit_number ? jc->task_number
								 : job->rdev->soc->max_submit_number;
	return jc->snap[n - 1].int_mask;
}

/* A job ran past its timeout: end it with -ETIMEDOUT (unless it finished
 * meanwhile), log the state of its cores, and reset the cores it was
 * running on. Jobs queued behind it, and other cores, are not touched.
 * Returns the job's result. May sleep. */
static int rknpu_job_timeout(struct rknpu_job *job)
{
	struct rknpu_device *rdev = job->rdev;
	uint64_t commit, elapsed_us;
	unsigned long flags;
	uint32_t running;
	unsigned int i;

	rnpu_osal_spin_lock_irqsave(rdev->irq_lock, &flags);
	if (job->done) {
		rnpu_osal_spin_unlock_irqrestore(rdev->irq_lock, flags);
		return job->ret; /* it completed while we gave up on it */
	}
	running = rknpu_job_detach_locked(job);
	rknpu_job_end_locked(job, -ETIMEDOUT);
	rnpu_osal_spin_unlock_irqrestore(rdev->irq_lock, flags);

	/* A job still queued when its time ran out has no hardware time:
	 * say so, with the time it waited, rather than a time since boot. */
	commit = __atomic_load_n(&job->hw_commit_time, __ATOMIC_ACQUIRE);
	elapsed_us = (rnpu_osal_time_ns() - (commit ? commit : job->create_time)) / 1000;
	rknpu_err(rdev, "job timeout, session %u, flags: %#x:", job->file->id, job->args.flags);
	for (i = 0; i < rdev->num_cores; i++) {
		if (!(job->core_mask & (1u << i)))
			continue;
		rknpu_err(rdev,
			  "\tcore %u irq status: %#x, raw status: %#x, require mask: %#x, "
			  "task counter: %#x, %s: %lluus",
			  i, rknpu_read(rdev, i, REG_PC_INTERRUPT_STATUS),
			  rknpu_read(rdev, i, REG_PC_INTERRUPT_RAW_STATUS),
			  rknpu_job_core_require_mask(job, &job->core[i]),
			  rknpu_read(rdev, i, rdev->soc->pc_task_status_offset) &
				  rdev->soc->pc_task_number_mask,
			  commit ? "elapsed time" : "not started, queued for",
			  (unsigned long long)elapsed_us);
	}
	if (running) {
		rnpu_osal_msleep(RKNPU_ABORT_SLEEP_MS);
		rknpu_soft_reset_cores(rdev, running);
	}
	rknpu_job_kick(rdev, job->core_mask);
	return -ETIMEDOUT;
}

/* Frees the session's ended asynchronous jobs. Process context. */
static void rknpu_job_reap(struct rknpu_file *file)
{
	struct rknpu_device *rdev = file->rdev;
	struct rknpu_list_node ended;
	unsigned long flags;
	uint32_t n = 0;

	/* Every job on done_jobs is still counted here: a session without
	 * async jobs (every blocking submit) skips irq_lock. */
	if (__atomic_load_n(&file->jobs_in_flight, __ATOMIC_ACQUIRE) == 0)
		return;
	rknpu_list_init(&ended);
	rnpu_osal_spin_lock_irqsave(rdev->irq_lock, &flags);
	rknpu_list_splice_init(&file->done_jobs, &ended);
	rnpu_osal_spin_unlock_irqrestore(rdev->irq_lock, flags);
	while (!rknpu_list_empty(&ended)) {
		struct rknpu_job *job = rknpu_container_of(ended.next, struct rknpu_job, done_node);

		rknpu_list_del(&job->done_node);
		/* A watchdog that ended the job may still be resetting. */
		rnpu_osal_work_cancel_sync(job->watchdog);
		rknpu_job_free(job);
		rknpu_power_put_delay(rdev); /* taken at submit */
		n++;
	}
	if (!n)
		return;
	__atomic_sub_fetch(&file->jobs_in_flight, n, __ATOMIC_ACQ_REL);
	rnpu_osal_waitq_wake_all(file->idle_wq);
}

static void rknpu_job_reap_work(void *data)
{
	struct rknpu_file *file = data;

	rknpu_job_reap(file);
	/* The session went quiet: it keeps no program copies either. */
	if (__atomic_load_n(&file->jobs_in_flight, __ATOMIC_ACQUIRE) == 0)
		rknpu_regcmd_copy_cache_trim(file);
}

int rknpu_job_file_init(struct rknpu_file *file)
{
	rknpu_list_init(&file->done_jobs);
	return rnpu_osal_work_create(&file->reap_work, rknpu_job_reap_work, file);
}

/* After rknpu_job_wait_file_idle(): no job of the session is left. */
void rknpu_job_file_fini(struct rknpu_file *file)
{
	rnpu_osal_work_cancel_sync(file->reap_work);
	rnpu_osal_work_destroy(file->reap_work);
}

/* An asynchronous job ran past its timeout: take it off the hardware,
 * reset, and fail its fence. Milliseconds, unlike the vendor's stale-job
 * check which compares the millisecond timeout with microseconds. */
static void rknpu_job_watchdog_work(void *data)
{
	/* The job's end (by completion or here) hands it to the reap. */
	rknpu_job_timeout(data);
}

/* All jobs freed, or some ended and waiting to be reaped. */
static bool rknpu_file_idle_cond(void *arg)
{
	struct rknpu_file *file = arg;
	unsigned long flags;
	bool ended;

	if (__atomic_load_n(&file->jobs_in_flight, __ATOMIC_ACQUIRE) == 0)
		return true;
	rnpu_osal_spin_lock_irqsave(file->rdev->irq_lock, &flags);
	ended = !rknpu_list_empty(&file->done_jobs);
	rnpu_osal_spin_unlock_irqrestore(file->rdev->irq_lock, flags);
	return ended;
}

void rknpu_job_wait_file_idle(struct rknpu_file *file)
{
	unsigned int waited_s = 0;

	/* Every async job ends by completion or by its watchdog, so this
	 * ends; say so if it takes long. */
	for (;;) {
		rknpu_job_reap(file);
		if (__atomic_load_n(&file->jobs_in_flight, __ATOMIC_ACQUIRE) == 0)
			break;
		if (!rnpu_osal_waitq_wait_timeout(file->idle_wq, rknpu_file_idle_cond, file, 1000) &&
		    ++waited_s % 10 == 0)
			rknpu_warn(file->rdev, "session %u: still waiting for %u jobs after %us",
				   file->id, __atomic_load_n(&file->jobs_in_flight, __ATOMIC_ACQUIRE),
				   waited_s);
	}
}

/* The blocking wait of the vendor: up to three waits of `timeout` ms,
 * continuing while the job has not run for `timeout` on the hardware. */
static int rknpu_job_wait(struct rknpu_job *job, unsigned int wait_core)
{
	struct rknpu_device *rdev = job->rdev;
	unsigned int timeout_ms = job->args.timeout;
	unsigned int wait_count;
	long left = 0;

	for (wait_count = 1; wait_count <= RKNPU_JOB_MAX_WAITS; wait_count++) {
		uint64_t commit, elapsed_us, waited_us;
		uint64_t start = rnpu_osal_time_ns();
		bool cont;

		left = rnpu_osal_waitq_wait_timeout(rdev->cores[wait_core].wq, rknpu_job_wait_cond,
						    job, timeout_ms);
		if (left > 0)
			break;
		commit = __atomic_load_n(&job->hw_commit_time, __ATOMIC_ACQUIRE);
		elapsed_us = commit ? (rnpu_osal_time_ns() - commit) / 1000 : 0;
		waited_us = (rnpu_osal_time_ns() - start) / 1000;
		cont = (!commit || elapsed_us < (uint64_t)timeout_ms * 1000) &&
		       wait_count < RKNPU_JOB_MAX_WAITS;
		if (wait_count < RKNPU_JOB_MAX_WAITS)
			rknpu_err(rdev,
				  "job: %p, mask: %#x, job iommu domain id: %d, dev iommu domain id: "
				  "%d, wait_count: %u, continue wait: %d, commit elapse time: "
				  "%lluus, wait time: %lluus, timeout: %uus",
				  (void *)job, job->core_mask, (int)job->args.iommu_domain_id,
				  rdev->iommu_domain_id, wait_count, cont,
				  (unsigned long long)elapsed_us, (unsigned long long)waited_us,
				  timeout_ms * 1000);
		if (!cont)
			break;
	}
	return left > 0 ? 0 : -ETIMEDOUT;
}

/* FENCE_IN: wait (bounded by the submit's timeout, in ms) before the job
 * may start. FENCE_OUT: a new fence fd, signalled when the job ends. */
static int rknpu_job_fences(struct rknpu_job *job, struct rknpu_submit *args)
{
	struct rknpu_device *rdev = job->rdev;
	struct rnpu_osal_fence *in;
	int ret, fd;

	if (args->flags & RKNPU_JOB_FENCE_IN) {
		ret = rnpu_osal_fence_import_fd(args->fence_fd, &in);
		if (ret) {
			rknpu_err(rdev, "invalid fence in fd, fd: %d", args->fence_fd);
			return -EINVAL;
		}
		ret = rnpu_osal_fence_wait(in, args->timeout);
		rnpu_osal_fence_put(in);
		if (ret) {
			rknpu_err(rdev, "Error (%d) waiting for fence!", ret);
			return ret;
		}
		args->fence_fd = -1;
	}
	if (args->flags & RKNPU_JOB_FENCE_OUT) {
		ret = rnpu_osal_fence_create(&job->fence);
		if (ret)
			return ret;
		ret = rnpu_osal_fence_export_fd(job->fence, &fd);
		if (ret)
			return ret;
		args->fence_fd = fd;
	}
	return 0;
}

static int rknpu_submit_validate(struct rknpu_device *rdev, const struct rknpu_submit *args)
{
	uint32_t mask = args->core_mask;

	if (args->task_number == 0) {
		rknpu_err(rdev, "invalid rknpu task number!");
		return -EINVAL;
	}
	if (mask > rdev->soc->core_mask) {
		rknpu_err(rdev, "invalid rknpu core mask: %#x", mask);
		return -EINVAL;
	}
	if (!(args->flags & RKNPU_JOB_PC)) {
		rknpu_err(rdev, "only PC mode jobs are supported, flags: %#x", args->flags);
		return -EINVAL;
	}
	/* The vendor accepts masks without core 0 and a second core (0x5,
	 * 0x6 on RK3588) and then never starts them; refuse them instead. */
	if (mask && rknpu_popcount(mask) > 1 && (mask & (mask + 1)) != 0) {
		rknpu_err(rdev, "unsupported rknpu core mask: %#x", mask);
		return -EINVAL;
	}
	return 0;
}

int rknpu_submit_ioctl(struct rknpu_file *file, void *data)
{
	struct rknpu_device *rdev = file->rdev;
	struct rknpu_submit *args = data;
	struct rknpu_job *job;
	unsigned int wait_core, i;
	uint32_t elapsed_us;
	int ret;

	rknpu_job_reap(file); /* the session's ended async jobs */
	ret = rknpu_submit_validate(rdev, args);
	if (ret)
		return ret;
	job = rnpu_osal_zalloc(sizeof(*job));
	if (!job) {
		rknpu_err(rdev, "failed to allocate rknpu job!");
		return -ENOMEM;
	}
	job->rdev = rdev;
	job->file = file;
	job->args = *args;
	job->create_time = rnpu_osal_time_ns();
	job->task_obj = rknpu_gem_lookup_cookie(rdev, args->task_obj_addr);
	if (!job->task_obj) {
		rknpu_err(rdev, "invalid task object: obj_addr 0x%llx",
			  (unsigned long long)args->task_obj_addr);
		ret = -EINVAL;
		goto out_free;
	}
	/* The cookie is device-wide: a session may only submit a task list it
	 * holds (the driver writes int_status back into it). */
	if (!rknpu_gem_file_holds(file, job->task_obj)) {
		rknpu_err(rdev, "task object 0x%llx is not held by session %u",
			  (unsigned long long)args->task_obj_addr, file->id);
		ret = -EINVAL;
		goto out_free;
	}
	if (!job->task_obj->kvaddr) {
		rknpu_err(rdev, "task object 0x%llx has no kernel mapping (RKNPU_MEM_KERNEL_MAPPING)",
			  (unsigned long long)args->task_obj_addr);
		ret = -EINVAL;
		goto out_free;
	}
	job->tasks = job->task_obj->kvaddr;
	job->num_tasks_in_bo = (uint32_t)(job->task_obj->info.size / sizeof(struct rknpu_task));

	if (args->core_mask == RKNPU_CORE_AUTO_MASK) {
		unsigned long flags;

		rnpu_osal_spin_lock_irqsave(rdev->irq_lock, &flags);
		job->core_mask = 1u << rknpu_pick_core_locked(rdev);
		rnpu_osal_spin_unlock_irqrestore(rdev->irq_lock, flags);
	} else {
		job->core_mask = args->core_mask;
	}
	job->use_core_num = rknpu_popcount(job->core_mask);
	ret = rknpu_job_ranges(job);
	if (ret)
		goto out_free;
	if (rdev->plat.iommu) {
		if (args->iommu_domain_id >= RKNPU_MAX_IOMMU_DOMAINS) {
			rknpu_err(rdev, "invalid iommu domain id: %d, reuse domain id: %d",
				  (int32_t)args->iommu_domain_id, rdev->iommu_domain_id);
			ret = -EINVAL;
			goto out_free;
		}
		ret = rknpu_iommu_job_space(file, (int32_t)args->iommu_domain_id, &job->iommu_dte);
		if (ret)
			goto out_free;
	} else {
		ret = rknpu_validate_job(job);
		if (ret)
			goto out_free;
	}
	ret = rknpu_job_fences(job, args);
	if (ret)
		goto out_free;
	if (args->flags & RKNPU_JOB_NONBLOCK) {
		ret = rnpu_osal_work_create(&job->watchdog, rknpu_job_watchdog_work, job);
		if (ret)
			goto out_free;
		/* The job keeps the NPU powered after the ioctl returns. */
		ret = rknpu_power_get(rdev);
		if (ret)
			goto out_free;
		job->async = true;
		rknpu_atomic_inc(&file->jobs_in_flight);
		/* From here the job belongs to the completion path. */
		rknpu_job_schedule(job);
		return 0;
	}

	rknpu_job_schedule(job);
	wait_core = rknpu_lowest_core(job->core_mask);
	if (rknpu_job_wait(job, wait_core) == 0) {
		ret = job->ret; /* 0, or -EINVAL if a reset abandoned it */
	} else if (!__atomic_load_n(&job->hw_commit_time, __ATOMIC_ACQUIRE)) {
		unsigned long flags;

		/* Never reached the hardware: nothing to reset. */
		rnpu_osal_spin_lock_irqsave(rdev->irq_lock, &flags);
		if (!job->done) {
			rknpu_job_detach_locked(job);
			rknpu_job_end_locked(job, -EINVAL);
		}
		rnpu_osal_spin_unlock_irqrestore(rdev->irq_lock, flags);
		ret = job->ret;
		if (ret)
			rknpu_err(rdev, "job commit failed");
	} else {
		ret = rknpu_job_timeout(job);
	}

	/* Report each core's interrupt status in its last task, as the
	 * vendor does for the task it waited on. */
	for (i = 0; i < rdev->num_cores; i++)
		if ((job->core_mask & (1u << i)) && job->core[i].irq_entered)
			job->tasks[job->core[i].last_task].int_status = job->core[i].int_status;

	if (ret) {
		args->task_counter = rknpu_read(rdev, wait_core, rdev->soc->pc_task_status_offset) &
				     rdev->soc->pc_task_number_mask;
		elapsed_us = (uint32_t)((rnpu_osal_time_ns() - job->create_time) / 1000);
		rknpu_err(rdev, "failed to wait job, task counter: %u, flags: %#x, ret = %d, "
				"elapsed time: %uus",
			  args->task_counter, args->flags, ret, elapsed_us);
		goto out_free;
	}
	args->task_counter = args->task_number;
	args->hw_elapse_time = (int64_t)job->hw_elapse_time;
	if (args->core_mask == RKNPU_CORE_AUTO_MASK)
		args->core_mask = job->core_mask;
out_free:
	if (ret && job->fence)
		rnpu_osal_fence_signal(job->fence, ret);
	rknpu_job_free(job);
	return ret;
}
