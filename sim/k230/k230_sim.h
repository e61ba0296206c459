/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * Software K230 KPU: the GNNE register file with its control and status
 * semantics, the AI2D interrupt acknowledge, the mailbox hardware locks,
 * and a job model that raises the completion interrupt after a
 * programmed time, with fault injection.
 *
 * The hardware state (struct k230_sim_hw) lives in memory that several
 * processes may map (MAP_SHARED), the way the K230's two CPUs each run an
 * OS against one KPU. Each CPU attaches with its own struct k230_sim: its
 * interrupt lines and the timer that ends the runs it started. Everything
 * in k230_sim_hw is guarded by a process-shared mutex, the hardware locks
 * by atomic operations.
 */
#ifndef K230_SIM_H
#define K230_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define K230_SIM_MAX_CPUS 4

/* Interrupt lines of one CPU. */
enum k230_sim_line {
	K230_SIM_LINE_GNNE,
	K230_SIM_LINE_AI2D,
	K230_SIM_LINE_COUNT
};

/* Faults for the next GNNE run (cleared once the run has taken them). */
enum k230_sim_fault {
	K230_SIM_FAULT_NONE = 0,
	K230_SIM_FAULT_HANG = 1u << 0,   /* never finishes (stays running) */
	K230_SIM_FAULT_NO_IRQ = 1u << 1, /* finishes, but raises no interrupt */
};

struct k230_sim_hw;
struct k230_sim;

/* Called with the new level of @line whenever it changes for this CPU,
 * from the context that changed it (the timer thread, or an MMIO access of
 * this CPU). No model lock is held: the callee may access registers. */
typedef void (*k230_sim_irq_fn)(void *ctx, enum k230_sim_line line, bool level);

struct k230_sim_stats {
	uint64_t runs_started;
	uint64_t runs_completed;
	uint64_t runs_aborted;         /* stopped by GNNE_ENABLE = 0 */
	uint64_t enable_while_running; /* ignored starts: two owners collided */
	uint64_t gnne_irqs;            /* completion interrupts raised */
	uint64_t gnne_acks;            /* CPU_INTR_CLR stores */
	uint64_t spurious_irqs;
	uint64_t ai2d_irqs;
	uint64_t ai2d_acks;
	uint64_t hardlock_taken;
	uint64_t hardlock_busy;        /* reads that found the lock taken */
	uint64_t last_ctrl_store;      /* value of the last 64-bit CTRL store */
};

/* Creates the hardware in fresh memory: MAP_SHARED when @cross_process
 * (attach from processes forked afterwards), private otherwise. 0 or
 * negative errno. */
int k230_sim_hw_create(bool cross_process, struct k230_sim_hw **out);
/* Every CPU must have detached (in every process). */
void k230_sim_hw_destroy(struct k230_sim_hw *hw);

/* Attaches CPU @cpu (< K230_SIM_MAX_CPUS, once per CPU) and starts its
 * timer thread. 0 or negative errno. */
int k230_sim_attach(struct k230_sim_hw *hw, unsigned int cpu, k230_sim_irq_fn irq,
		    void *ctx, struct k230_sim **out);
/* Stops the timer; a run this CPU started stays as it is. */
void k230_sim_detach(struct k230_sim *sim);

/* MMIO of the KPU window (0x1000 bytes from 0x80400000). */
uint32_t k230_sim_kpu_read32(struct k230_sim *sim, uint32_t offset);
void k230_sim_kpu_write32(struct k230_sim *sim, uint32_t offset, uint32_t value);
uint64_t k230_sim_kpu_read64(struct k230_sim *sim, uint32_t offset);
void k230_sim_kpu_write64(struct k230_sim *sim, uint32_t offset, uint64_t value);
/* MMIO of the mailbox window (0x1000 bytes from 0x91104000). A read of a
 * hardware lock register has the side effect of taking a free lock. */
uint32_t k230_sim_mbox_read32(struct k230_sim *sim, uint32_t offset);
void k230_sim_mbox_write32(struct k230_sim *sim, uint32_t offset, uint32_t value);

/* ---- controls for tests (not hardware) ---- */

/* Fixed duration of the following runs, 0 = the timing model. */
void k230_sim_set_run_ns(struct k230_sim_hw *hw, uint64_t ns);
/* Arms faults (enum k230_sim_fault mask) for the next GNNE run. */
void k230_sim_inject(struct k230_sim_hw *hw, unsigned int faults);
/* Raises @line of this CPU without any interrupt cause; it falls again at
 * the next acknowledge of that unit. */
void k230_sim_spurious_irq(struct k230_sim *sim, enum k230_sim_line line);
/* Starts an AI2D run of @ns on behalf of this CPU: -EBUSY if one runs. */
int k230_sim_ai2d_start(struct k230_sim *sim, uint64_t ns);
void k230_sim_get_stats(struct k230_sim_hw *hw, struct k230_sim_stats *out);
/* Nanoseconds the model predicts for a run of [pc_start, pc_end). */
uint64_t k230_sim_model_run_ns(uint32_t pc_start, uint32_t pc_end);

#endif
