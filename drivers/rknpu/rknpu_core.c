// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * One NPU core as the driver drives it: the PC-mode commit sequence, the
 * completion interrupt, and the soft reset of all cores.
 */
#include "rknpu_reg.h"

static inline uint32_t rknpu_div_round_up(uint32_t n, uint32_t d)
{
	return (n + d - 1) / d;
}

/* Field packers cannot fail here: every value was validated at submit. */
static uint32_t rknpu_task_con(uint32_t task_number, bool pingpong)
{
	uint32_t v = 0;

	rk3588_set_PC_TASK_CON_TASK_NUMBER(&v, task_number);
	rk3588_set_PC_TASK_CON_TASK_PP_EN(&v, pingpong ? 1 : 0);
	/* The vendor always sets bits 13 and 14 ((0x6 | pp) << 12): the
	 * task-counter clear and an undocumented bit both drivers set. */
	rk3588_set_PC_TASK_CON_TASK_COUNT_CLEAR(&v, 1);
	rk3588_set_PC_TASK_CON_RESERVED_0(&v, 1);
	return v;
}

static uint32_t rknpu_s_pointer(const struct rknpu_soc_data *soc, unsigned int core)
{
	uint32_t v = 0;

	rk3588_set_CNA_S_POINTER_POINTER_PP_EN(&v, 1);
	rk3588_set_CNA_S_POINTER_EXECUTER_PP_EN(&v, 1);
	rk3588_set_CNA_S_POINTER_POINTER_PP_MODE(&v, 1);
	/* Core index in reserved bits, as the vendor programs it. */
	return v + ((uint32_t)core << soc->s_pointer_core_id_shift);
}

uint32_t rknpu_pc_data_amount(const struct rknpu_soc_data *soc, uint32_t regcfg_amount)
{
	return rknpu_div_round_up(regcfg_amount + RKNPU_PC_DATA_EXTRA_AMOUNT,
				  soc->pc_data_amount_scale) - 1;
}

void rknpu_core_commit(struct rknpu_device *rdev, unsigned int core, struct rknpu_job *job)
{
	const struct rknpu_soc_data *soc = rdev->soc;
	struct rknpu_job_core *jc = &job->core[core];
	uint32_t n = jc->remaining < soc->max_submit_number ? jc->remaining : soc->max_submit_number;
	uint32_t first = jc->next_task, last = first + n - 1;
	struct rknpu_task task_first, task_last;
	uint32_t slave = 0, amounts = 0;

	/* The snapshot taken at submit, not the BO userspace still writes. */
	task_first = jc->snap[first - jc->task_start];
	task_last = jc->snap[last - jc->task_start];

	rknpu_iommu_attach_locked(rdev, core, job->iommu_dte);
	rk3588_set_PC_BASE_ADDRESS_PC_SEL(&slave, 1);
	rknpu_write(rdev, core, REG_PC_BASE_ADDRESS, slave);
	if (soc->write_s_pointer) {
		uint32_t sp = rknpu_s_pointer(soc, core);

		rknpu_write(rdev, core, REG_CNA_S_POINTER, sp);
		rknpu_write(rdev, core, REG_CORE_S_POINTER, sp);
	}
	rknpu_write(rdev, core, REG_PC_BASE_ADDRESS, (uint32_t)task_first.regcmd_addr);
	rk3588_set_PC_REGISTER_AMOUNTS_PC_DATA_AMOUNT(
		&amounts, rknpu_pc_data_amount(soc, task_first.regcfg_amount));
	rknpu_write(rdev, core, REG_PC_REGISTER_AMOUNTS, amounts);
	rknpu_write(rdev, core, REG_PC_INTERRUPT_MASK, task_last.int_mask);
	rknpu_write(rdev, core, REG_PC_INTERRUPT_CLEAR, task_first.int_mask);
	rknpu_write(rdev, core, REG_PC_TASK_CON,
		    rknpu_task_con(n, job->args.flags & RKNPU_JOB_PINGPONG));
	rknpu_write(rdev, core, REG_PC_TASK_DMA_BASE_ADDR, (uint32_t)job->args.task_base_addr);

	jc->int_mask = task_last.int_mask;
	jc->last_task = last;
	jc->next_task += n;
	jc->remaining -= n;
	rknpu_dbg(rdev, RKNPU_DBG_JOB, "core%u: commit tasks %u..%u of job %p", core, first, last,
		  (void *)job);

	rknpu_write(rdev, core, REG_PC_OPERATION_ENABLE, 1);
	rknpu_write(rdev, core, REG_PC_OPERATION_ENABLE, 0);
}

uint32_t rknpu_fuzz_status(uint32_t status)
{
	uint32_t fuzzed = 0;
	unsigned int pair;

	/* A task raises the bit of the ping-pong group it ran in; accept
	 * either bit of each pair. Bits 12 and up (DMA errors) are ignored. */
	for (pair = 0; pair < 6; pair++) {
		uint32_t bits = 3u << (2 * pair);

		if (status & bits)
			fuzzed |= bits;
	}
	return fuzzed;
}

void rknpu_core_irq_handler(void *data)
{
	struct rknpu_subcore *sc = data;
	struct rknpu_device *rdev = sc->rdev;
	unsigned int core = sc->index;
	struct rknpu_job *job;
	unsigned long flags;
	uint32_t status, fault_addr = 0;
	bool fault_write = false;

	rnpu_osal_spin_lock_irqsave(rdev->irq_lock, &flags);
	job = sc->job;
	/* The line is shared with the core's IOMMU: a page fault ends this
	 * core's share of the job (the faulting task list has stopped), and
	 * the job fails once all its cores are done. */
	if (rknpu_iommu_irq_locked(rdev, core, &fault_addr, &fault_write)) {
		rknpu_err(rdev, "iommu page fault: core %u, session %u, %s at iova 0x%08x, "
				"job iommu domain id: %d",
			  core, job ? job->file->id : 0u, fault_write ? "write" : "read", fault_addr,
			  job ? (int)job->args.iommu_domain_id : -1);
		status = rknpu_read(rdev, core, REG_PC_INTERRUPT_RAW_STATUS);
		rknpu_write(rdev, core, REG_PC_INTERRUPT_CLEAR, RKNPU_INT_CLEAR);
		if (job) {
			job->core[core].irq_entered = true;
			job->core[core].int_status = status;
			job->mmu_fault = true;
			rknpu_job_core_done_locked(rdev, core);
		} else {
			rknpu_job_next_locked(rdev, core);
		}
		goto out;
	}
	if (!job) {
		rknpu_write(rdev, core, REG_PC_INTERRUPT_CLEAR, RKNPU_INT_CLEAR);
		rknpu_job_next_locked(rdev, core);
		goto out;
	}
	job->core[core].irq_entered = true;
	status = rknpu_read(rdev, core, REG_PC_INTERRUPT_STATUS);
	job->core[core].int_status = status;
	if (rknpu_fuzz_status(status) != job->core[core].int_mask) {
		rknpu_err(rdev, "invalid irq status: %#x, raw status: %#x, require mask: %#x, "
				"task counter: %#x",
			  status, rknpu_read(rdev, core, REG_PC_INTERRUPT_RAW_STATUS),
			  job->core[core].int_mask,
			  rknpu_read(rdev, core, rdev->soc->pc_task_status_offset) &
				  rdev->soc->pc_task_number_mask);
		rknpu_write(rdev, core, REG_PC_INTERRUPT_CLEAR, RKNPU_INT_CLEAR);
		goto out;
	}
	rknpu_write(rdev, core, REG_PC_INTERRUPT_CLEAR, RKNPU_INT_CLEAR);
	rknpu_job_core_done_locked(rdev, core);
out:
	rnpu_osal_spin_unlock_irqrestore(rdev->irq_lock, flags);
}

/* Reset lines are ordered as the vendor's device tree lists them: every
 * core's AXI reset (srst_a0..n), then every core's AHB reset (srst_h0..n). */
static unsigned int rknpu_reset_lines_of(const struct rknpu_device *rdev, uint32_t mask,
					 unsigned int *lines)
{
	unsigned int n = 0, line;

	for (line = 0; line < rdev->plat.num_resets; line++)
		if (mask & (1u << (line % rdev->num_cores)))
			lines[n++] = line;
	return n;
}

/* Widens @mask to every core of a gang job running on one of its cores,
 * then ends those jobs: the reset abandons them in the hardware. */
static uint32_t rknpu_reset_claim_locked(struct rknpu_device *rdev, uint32_t mask)
{
	uint32_t prev;
	unsigned int i;

	do {
		prev = mask;
		for (i = 0; i < rdev->num_cores; i++)
			if ((mask & (1u << i)) && rdev->cores[i].job)
				mask |= rdev->cores[i].job->core_mask;
	} while (mask != prev);
	for (i = 0; i < rdev->num_cores; i++) {
		struct rknpu_job *job = rdev->cores[i].job;

		if ((mask & (1u << i)) && job) {
			rknpu_job_detach_locked(job);
			rknpu_job_end_locked(job, -EINVAL);
		}
	}
	return mask;
}

int rknpu_soft_reset_cores(struct rknpu_device *rdev, uint32_t mask)
{
	unsigned int lines[RKNPU_MAX_RESETS];
	unsigned int i, n;
	unsigned long flags;
	int ret = 0;

	mask &= (1u << rdev->num_cores) - 1;
	if (rknpu_atomic_read_bool(&rdev->bypass_soft_reset)) {
		rknpu_info(rdev, "bypass soft reset");
		return 0;
	}
	if (!mask)
		return 0;
	rnpu_osal_mutex_lock(rdev->reset_lock);
	rnpu_osal_spin_lock_irqsave(rdev->irq_lock, &flags);
	mask = rknpu_reset_claim_locked(rdev, mask);
	__atomic_or_fetch(&rdev->resetting_mask, mask, __ATOMIC_ACQ_REL);
	rnpu_osal_spin_unlock_irqrestore(rdev->irq_lock, flags);
	rnpu_osal_msleep(RKNPU_RESET_SLEEP_MS);

	n = rknpu_reset_lines_of(rdev, mask, lines);
	rknpu_info(rdev, "soft reset, num: %u", n);
	for (i = 0; i < n && !ret; i++)
		ret = rnpu_osal_reset_assert(rdev->plat.dev, lines[i]);
	rnpu_osal_udelay(RKNPU_RESET_HOLD_US);
	/* Deassert whatever was asserted, even after a failure. */
	for (i = 0; i < n; i++) {
		int r = rnpu_osal_reset_deassert(rdev->plat.dev, lines[i]);

		if (!ret)
			ret = r;
	}
	rnpu_osal_udelay(RKNPU_RESET_HOLD_US);
	if (ret)
		rknpu_err(rdev, "failed to soft reset for rknpu: %d", ret);
	/* Unlike the vendor, never leave cores marked as resetting: later
	 * jobs get a chance, and the error is reported. */
	__atomic_and_fetch(&rdev->resetting_mask, ~mask, __ATOMIC_ACQ_REL);
	rnpu_osal_mutex_unlock(rdev->reset_lock);
	/* Jobs queued meanwhile start now. */
	rknpu_job_kick(rdev, mask);
	return ret;
}

int rknpu_soft_reset(struct rknpu_device *rdev)
{
	return rknpu_soft_reset_cores(rdev, (1u << rdev->num_cores) - 1);
}
