// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The software K230 KPU: GNNE control/status semantics, the AI2D
 * acknowledge, the run model and its faults. See k230_sim.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "k230_sim_assumptions.h"
#include "k230_sim_internal.h"

int k230_sim_hw_create(bool cross_process, struct k230_sim_hw **out)
{
	size_t size = sizeof(struct k230_sim_hw);
	pthread_mutexattr_t attr;
	struct k230_sim_hw *hw;
	int ret;

	hw = mmap(NULL, size, PROT_READ | PROT_WRITE,
		  MAP_ANONYMOUS | (cross_process ? MAP_SHARED : MAP_PRIVATE), -1, 0);
	if (hw == MAP_FAILED)
		return -ENOMEM;
	hw->cross_process = cross_process;
	hw->map_size = size;
	pthread_mutexattr_init(&attr);
	if (cross_process)
		pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	ret = pthread_mutex_init(&hw->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	if (ret) {
		munmap(hw, size);
		return -ENOMEM;
	}
	hw->gnne.owner = K230_SIM_NO_OWNER;
	hw->ai2d.owner = K230_SIM_NO_OWNER;
	*out = hw;
	return 0;
}

void k230_sim_hw_destroy(struct k230_sim_hw *hw)
{
	if (!hw)
		return;
	pthread_mutex_destroy(&hw->lock);
	munmap(hw, hw->map_size);
}

int k230_sim_attach(struct k230_sim_hw *hw, unsigned int cpu, k230_sim_irq_fn irq,
		    void *ctx, struct k230_sim **out)
{
	struct k230_sim *sim;
	int ret;

	if (cpu >= K230_SIM_MAX_CPUS || !irq)
		return -EINVAL;
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return -ENOMEM;
	pthread_mutex_lock(&hw->lock);
	if (hw->attached[cpu]) {
		pthread_mutex_unlock(&hw->lock);
		free(sim);
		return -EBUSY;
	}
	hw->attached[cpu] = true;
	pthread_mutex_unlock(&hw->lock);
	sim->hw = hw;
	sim->cpu = cpu;
	sim->irq = irq;
	sim->ctx = ctx;
	ret = k230_sim_timer_start(sim);
	if (ret) {
		pthread_mutex_lock(&hw->lock);
		hw->attached[cpu] = false;
		pthread_mutex_unlock(&hw->lock);
		free(sim);
		return ret;
	}
	*out = sim;
	return 0;
}

void k230_sim_detach(struct k230_sim *sim)
{
	if (!sim)
		return;
	k230_sim_timer_stop(sim);
	pthread_mutex_lock(&sim->hw->lock);
	sim->hw->attached[sim->cpu] = false;
	pthread_mutex_unlock(&sim->hw->lock);
	free(sim);
}

/* Line levels of this CPU, taken before a change under the lock and
 * compared after it, so callbacks run without the lock. */
struct k230_sim_levels {
	bool level[K230_SIM_LINE_COUNT];
};

static void k230_sim_snapshot(struct k230_sim *sim, struct k230_sim_levels *l)
{
	memcpy(l->level, sim->hw->line[sim->cpu], sizeof(l->level));
}

static void k230_sim_notify(struct k230_sim *sim, const struct k230_sim_levels *before,
			    const struct k230_sim_levels *after)
{
	unsigned int i;

	for (i = 0; i < K230_SIM_LINE_COUNT; i++)
		if (before->level[i] != after->level[i])
			sim->irq(sim->ctx, (enum k230_sim_line)i, after->level[i]);
}

static void k230_sim_lower_all(struct k230_sim_hw *hw, enum k230_sim_line line)
{
	unsigned int cpu;

	for (cpu = 0; cpu < K230_SIM_MAX_CPUS; cpu++)
		hw->line[cpu][line] = false;
}

uint64_t k230_sim_model_run_ns(uint32_t pc_start, uint32_t pc_end)
{
	uint64_t bytes = pc_end > pc_start ? (uint64_t)(pc_end - pc_start) : 0;

	return K230_SIM_ASSUME_RUN_OVERHEAD_NS + bytes * K230_SIM_ASSUME_NS_PER_INSN_BYTE;
}

/* A GNNE run ends: status, interrupt count and the starter's line. */
static void k230_sim_gnne_finish(struct k230_sim_hw *hw)
{
	hw->gnne.active = false;
	hw->work_status = hw->exception ? K230_WORK_ERROR : K230_WORK_IDLE;
	hw->stats.runs_completed++;
	if (hw->gnne.no_irq)
		return;
	hw->gnne_intr = true;
	hw->intr_num++;
	hw->stats.gnne_irqs++;
	if (hw->gnne.owner < K230_SIM_MAX_CPUS)
		hw->line[hw->gnne.owner][K230_SIM_LINE_GNNE] = true;
}

uint64_t k230_sim_advance(struct k230_sim *sim)
{
	struct k230_sim_hw *hw = sim->hw;
	struct k230_sim_levels before, after;
	uint64_t now = k230_sim_now_ns(), next = UINT64_MAX;

	pthread_mutex_lock(&hw->lock);
	k230_sim_snapshot(sim, &before);
	if (hw->gnne.active && hw->gnne.owner == sim->cpu && !hw->gnne.hang) {
		if (hw->gnne.end_ns <= now)
			k230_sim_gnne_finish(hw);
		else
			next = hw->gnne.end_ns;
	}
	if (hw->ai2d.active && hw->ai2d.owner == sim->cpu) {
		if (hw->ai2d.end_ns <= now) {
			hw->ai2d.active = false;
			hw->ai2d_intr = true;
			hw->stats.ai2d_irqs++;
			hw->line[sim->cpu][K230_SIM_LINE_AI2D] = true;
		} else if (hw->ai2d.end_ns < next) {
			next = hw->ai2d.end_ns;
		}
	}
	k230_sim_snapshot(sim, &after);
	pthread_mutex_unlock(&hw->lock);
	k230_sim_notify(sim, &before, &after);
	return next;
}

/* GNNE_ENABLE written 1 by @cpu. Returns true if the timer must look. */
static bool k230_sim_gnne_start(struct k230_sim_hw *hw, unsigned int cpu)
{
	uint32_t pc_start = hw->kpu[REG_GNNE_PC_START / 4];
	uint32_t pc_end = hw->kpu[REG_GNNE_PC_END / 4];

	if (hw->gnne.active) {
		hw->stats.enable_while_running++;
		return false;
	}
	hw->stats.runs_started++;
	hw->gnne.owner = cpu;
	hw->gnne.hang = hw->faults & K230_SIM_FAULT_HANG;
	hw->gnne.no_irq = hw->faults & K230_SIM_FAULT_NO_IRQ;
	hw->faults = 0;
	hw->exception = K230_EXC_NONE;
	hw->gnne.active = true;
	hw->work_status = K230_WORK_RUNNING;
	if (K230_SIM_ASSUME_EMPTY_PROGRAM_IS_ILLEGAL && pc_end <= pc_start) {
		hw->exception = K230_EXC_ILLEGAL_INSN;
		k230_sim_gnne_finish(hw);
		return false;
	}
	hw->gnne.end_ns = k230_sim_now_ns() +
			  (hw->run_ns ? hw->run_ns : k230_sim_model_run_ns(pc_start, pc_end));
	return !hw->gnne.hang;
}

/* The 64-bit CTRL store: each field changes only with its mask bit. */
static bool k230_sim_ctrl_store(struct k230_sim *sim, uint32_t value, uint32_t mask)
{
	struct k230_sim_hw *hw = sim->hw;
	bool kick = false;

	if ((mask & GNNE_CTRL_WMASK_CPU_INTR_CLR__MASK) && (value & GNNE_CTRL_CPU_INTR_CLR__MASK)) {
		hw->gnne_intr = false;
		hw->stats.gnne_acks++;
		k230_sim_lower_all(hw, K230_SIM_LINE_GNNE);
	}
	/* CPU_INTR_CLR is an action, not a state. */
	mask &= ~GNNE_CTRL_WMASK_CPU_INTR_CLR__MASK;
	hw->ctrl = (hw->ctrl & ~mask) | (value & mask);
	if (mask & GNNE_CTRL_WMASK_GNNE_ENABLE__MASK) {
		if (value & GNNE_CTRL_GNNE_ENABLE__MASK) {
			kick = k230_sim_gnne_start(hw, sim->cpu);
		} else {
			if (hw->gnne.active)
				hw->stats.runs_aborted++;
			hw->gnne.active = false;
			hw->gnne.owner = K230_SIM_NO_OWNER;
			hw->work_status = K230_WORK_IDLE;
			hw->exception = K230_EXC_NONE;
			hw->reset_end_ns = k230_sim_now_ns() + K230_SIM_ASSUME_RESET_NS;
		}
	}
	return kick;
}

static uint32_t k230_sim_status(struct k230_sim_hw *hw)
{
	uint32_t status = 0;
	bool resetting = k230_sim_now_ns() < hw->reset_end_ns;

	k230_kpu_set_GNNE_STATUS_KPU_WORK_STATUS(&status,
						 resetting ? K230_WORK_IDLE : hw->work_status);
	k230_kpu_set_GNNE_STATUS_EXCEPTION_STATUS(&status, hw->exception);
	k230_kpu_set_GNNE_STATUS_RESET_STATUS(&status,
					      resetting ? K230_RESET_FLUSHING_BUS : K230_RESET_NORMAL);
	k230_kpu_set_GNNE_STATUS_AI2D_BUSY(&status, hw->ai2d.active);
	k230_kpu_set_GNNE_STATUS_INTR_STATUS(&status, hw->gnne_intr);
	return status;
}

static uint32_t k230_sim_read_locked(struct k230_sim_hw *hw, uint32_t offset)
{
	switch (offset) {
	case REG_GNNE_STATUS:
		return k230_sim_status(hw);
	case REG_GNNE_STATUS_INTR_NUM:
		return hw->intr_num;
	case REG_GNNE_CTRL:
		return hw->ctrl;
	case REG_GNNE_CTRL_WMASK:
		return 0; /* masks are write-only */
	default:
		return hw->kpu[offset / 4];
	}
}

static bool k230_sim_offset_ok(uint32_t offset, uint32_t width)
{
	return offset % width == 0 && offset <= K230_SIM_WINDOW - width;
}

uint32_t k230_sim_kpu_read32(struct k230_sim *sim, uint32_t offset)
{
	uint32_t v;

	if (!k230_sim_offset_ok(offset, 4))
		return 0;
	pthread_mutex_lock(&sim->hw->lock);
	v = k230_sim_read_locked(sim->hw, offset);
	pthread_mutex_unlock(&sim->hw->lock);
	return v;
}

uint64_t k230_sim_kpu_read64(struct k230_sim *sim, uint32_t offset)
{
	uint64_t v;

	if (!k230_sim_offset_ok(offset, 8))
		return 0;
	pthread_mutex_lock(&sim->hw->lock);
	v = k230_sim_read_locked(sim->hw, offset) |
	    (uint64_t)k230_sim_read_locked(sim->hw, offset + 4) << 32;
	pthread_mutex_unlock(&sim->hw->lock);
	return v;
}

static void k230_sim_write_locked(struct k230_sim_hw *hw, uint32_t offset, uint32_t value)
{
	const struct k230_kpu_reg_info *reg = k230_kpu_reg_lookup(offset);

	if (reg && reg->access == K230_KPU_ACCESS_RO)
		return;
	hw->kpu[offset / 4] = value;
	if (offset == REG_AI2D_INTR_CLEAR && value == K230_SIM_ASSUME_AI2D_ACK_VALUE) {
		hw->ai2d_intr = false;
		hw->stats.ai2d_acks++;
		k230_sim_lower_all(hw, K230_SIM_LINE_AI2D);
	}
}

void k230_sim_kpu_write32(struct k230_sim *sim, uint32_t offset, uint32_t value)
{
	struct k230_sim_levels before, after;

	if (!k230_sim_offset_ok(offset, 4))
		return;
	pthread_mutex_lock(&sim->hw->lock);
	k230_sim_snapshot(sim, &before);
	/* A lone half of CTRL is data only (K230_SIM_ASSUME_CTRL_NEEDS_64BIT_STORE). */
	k230_sim_write_locked(sim->hw, offset, value);
	k230_sim_snapshot(sim, &after);
	pthread_mutex_unlock(&sim->hw->lock);
	k230_sim_notify(sim, &before, &after);
}

void k230_sim_kpu_write64(struct k230_sim *sim, uint32_t offset, uint64_t value)
{
	struct k230_sim_levels before, after;
	bool kick = false;

	if (!k230_sim_offset_ok(offset, 8))
		return;
	pthread_mutex_lock(&sim->hw->lock);
	k230_sim_snapshot(sim, &before);
	if (offset == REG_GNNE_CTRL) {
		sim->hw->stats.last_ctrl_store = value;
		kick = k230_sim_ctrl_store(sim, (uint32_t)value, (uint32_t)(value >> 32));
	} else {
		k230_sim_write_locked(sim->hw, offset, (uint32_t)value);
		k230_sim_write_locked(sim->hw, offset + 4, (uint32_t)(value >> 32));
	}
	k230_sim_snapshot(sim, &after);
	pthread_mutex_unlock(&sim->hw->lock);
	k230_sim_notify(sim, &before, &after);
	if (kick)
		k230_sim_kick_timer(sim);
}

void k230_sim_set_run_ns(struct k230_sim_hw *hw, uint64_t ns)
{
	pthread_mutex_lock(&hw->lock);
	hw->run_ns = ns;
	pthread_mutex_unlock(&hw->lock);
}

void k230_sim_inject(struct k230_sim_hw *hw, unsigned int faults)
{
	pthread_mutex_lock(&hw->lock);
	hw->faults |= faults;
	pthread_mutex_unlock(&hw->lock);
}

void k230_sim_spurious_irq(struct k230_sim *sim, enum k230_sim_line line)
{
	struct k230_sim_levels before, after;

	if ((unsigned int)line >= K230_SIM_LINE_COUNT)
		return;
	pthread_mutex_lock(&sim->hw->lock);
	k230_sim_snapshot(sim, &before);
	sim->hw->line[sim->cpu][line] = true;
	sim->hw->stats.spurious_irqs++;
	k230_sim_snapshot(sim, &after);
	pthread_mutex_unlock(&sim->hw->lock);
	k230_sim_notify(sim, &before, &after);
}

int k230_sim_ai2d_start(struct k230_sim *sim, uint64_t ns)
{
	struct k230_sim_hw *hw = sim->hw;

	pthread_mutex_lock(&hw->lock);
	if (hw->ai2d.active) {
		pthread_mutex_unlock(&hw->lock);
		return -EBUSY;
	}
	hw->ai2d.active = true;
	hw->ai2d.owner = sim->cpu;
	hw->ai2d.end_ns = k230_sim_now_ns() + ns;
	pthread_mutex_unlock(&hw->lock);
	k230_sim_kick_timer(sim);
	return 0;
}

void k230_sim_get_stats(struct k230_sim_hw *hw, struct k230_sim_stats *out)
{
	pthread_mutex_lock(&hw->lock);
	*out = hw->stats;
	pthread_mutex_unlock(&hw->lock);
}
