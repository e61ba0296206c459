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

	/* The task BO is shared with userspace: read each task once. */
	rnpu_memcpy(&task_first, &job->tasks[first], sizeof(task_first));
	rnpu_memcpy(&task_last, &job->tasks[last], sizeof(task_last));

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
	uint32_t status;

	rnpu_osal_spin_lock_irqsave(rdev->irq_lock, &flags);
	job = sc->job;
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

int rknpu_soft_reset(struct rknpu_device *rdev)
{
	unsigned int i;
	int ret = 0;

	if (rknpu_atomic_read_bool(&rdev->bypass_soft_reset)) {
		rknpu_info(rdev, "bypass soft reset");
		return 0;
	}
	/* A reset already in progress serves this request too. */
	if (!rnpu_osal_mutex_trylock(rdev->reset_lock))
		return 0;

	rknpu_atomic_set_bool(&rdev->soft_reseting, true);
	rnpu_osal_msleep(RKNPU_RESET_SLEEP_MS);
	for (i = 0; i < rdev->num_cores; i++)
		rnpu_osal_waitq_wake_all(rdev->cores[i].wq);

	rknpu_info(rdev, "soft reset, num: %u", rdev->plat.num_resets);
	for (i = 0; i < rdev->plat.num_resets; i++) {
		ret = rnpu_osal_reset_assert(rdev->plat.dev, i);
		if (ret)
			goto fail;
	}
	rnpu_osal_udelay(RKNPU_RESET_HOLD_US);
	for (i = 0; i < rdev->plat.num_resets; i++) {
		ret = rnpu_osal_reset_deassert(rdev->plat.dev, i);
		if (ret)
			goto fail;
	}
	rnpu_osal_udelay(RKNPU_RESET_HOLD_US);
	rknpu_atomic_set_bool(&rdev->soft_reseting, false);
	rnpu_osal_mutex_unlock(rdev->reset_lock);
	/* Jobs queued while the reset held every core back start now. */
	rknpu_job_kick(rdev, (1u << rdev->num_cores) - 1);
	return 0;

fail:
	/* Unlike the vendor, do not leave the device marked as resetting
	 * forever: later jobs get a chance, and the error is reported. */
	rknpu_err(rdev, "failed to soft reset for rknpu: %d", ret);
	rknpu_atomic_set_bool(&rdev->soft_reseting, false);
	rnpu_osal_mutex_unlock(rdev->reset_lock);
	rknpu_job_kick(rdev, (1u << rdev->num_cores) - 1);
	return ret;
}
