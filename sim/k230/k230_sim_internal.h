/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
#ifndef K230_SIM_INTERNAL_H
#define K230_SIM_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "k230_kpu_regs.h"
#include "k230_mailbox_regs.h"
#include "k230_sim.h"

#define K230_SIM_WINDOW 0x1000u
#define K230_SIM_NO_OWNER 0xffffffffu

/* STATUS field values (nncase gnne.h). */
enum k230_sim_work { K230_WORK_IDLE = 0, K230_WORK_RUNNING = 1, K230_WORK_ERROR = 3 };
enum k230_sim_exception { K230_EXC_NONE = 0, K230_EXC_ILLEGAL_INSN = 1 };
enum k230_sim_reset { K230_RESET_NORMAL = 0, K230_RESET_FLUSHING_BUS = 1 };

/* One unit's run (the GNNE's or the AI2D's). */
struct k230_sim_run {
	bool active;
	bool hang;          /* never ends by itself */
	bool no_irq;        /* ends without raising the interrupt */
	uint32_t owner;     /* CPU that started it */
	uint64_t end_ns;
};

/* The hardware, in memory all attached processes map. */
struct k230_sim_hw {
	bool cross_process;
	size_t map_size;
	/* Protects everything below except hardlock[] (atomics). */
	pthread_mutex_t lock;
	uint32_t kpu[K230_SIM_WINDOW / 4];  /* plain storage of the window */
	uint32_t ctrl;                      /* current CTRL fields */
	uint32_t work_status;
	uint32_t exception;
	uint64_t reset_end_ns;              /* reset_status 1 until then */
	bool gnne_intr;                     /* STATUS.intr_status */
	uint32_t intr_num;
	bool ai2d_intr;
	struct k230_sim_run gnne;
	struct k230_sim_run ai2d;
	uint64_t run_ns;                    /* test override, 0 = model */
	unsigned int faults;                /* armed for the next run */
	/* Line level per CPU (PLIC input). */
	bool line[K230_SIM_MAX_CPUS][K230_SIM_LINE_COUNT];
	bool attached[K230_SIM_MAX_CPUS];
	struct k230_sim_stats stats;
	uint32_t hardlock[128];             /* 0 free, else owner CPU + 1 */
};

/* One CPU's attachment (process-local). */
struct k230_sim {
	struct k230_sim_hw *hw;
	unsigned int cpu;
	k230_sim_irq_fn irq;
	void *ctx;
	/* Timer: protects stop and kicked; cond is signalled when this CPU
	 * starts a run (kicked stays set until the timer has looked). */
	pthread_mutex_t timer_lock;
	pthread_cond_t timer_cond;
	bool stop;
	bool kicked;
	pthread_t timer;
};

uint64_t k230_sim_now_ns(void);
/* Runs the ends that are due for @sim's CPU; returns the next deadline of
 * this CPU's runs (UINT64_MAX if none). */
uint64_t k230_sim_advance(struct k230_sim *sim);
void k230_sim_kick_timer(struct k230_sim *sim);
int k230_sim_timer_start(struct k230_sim *sim);
void k230_sim_timer_stop(struct k230_sim *sim);

#endif
