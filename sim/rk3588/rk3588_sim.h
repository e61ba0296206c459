/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * Software model of the RK3588 NPU ("the software NPU").
 *
 * The model is hardware: it sees register reads/writes on each core's 64 KiB
 * MMIO window, reset lines, and DMA through the bus the host gives it. It
 * knows nothing about the driver. It raises one level-triggered interrupt
 * line per core through bus->irq().
 *
 * Threading: in threaded mode each core has a worker thread; a write of 1 to
 * PC.OPERATION_ENABLE hands the programmed task list to that worker and
 * returns at once, like a real MMIO write. mmio_read/mmio_write may be called
 * from any thread. bus->irq() is called from the worker thread (or from the
 * caller of mmio_write for INTERRUPT_CLEAR/MASK changes) with no sim lock
 * held, so the host may call back into the sim from it.
 */
#ifndef RNPU_SIM_RK3588_H
#define RNPU_SIM_RK3588_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RK3588_SIM_MAX_CORES 3
#define RK3588_SIM_WINDOW_SIZE 0x10000u

/* What the host provides: the system bus as the NPU's DMA engines see it. */
struct rk3588_sim_bus {
	void *ctx;
	/* Copy @len bytes from device address @addr. 0, or -EFAULT when any
	 * byte of the range is not backed by memory. */
	int (*dma_read)(void *ctx, uint64_t addr, void *dst, size_t len);
	/* Copy @len bytes to device address @addr. 0 or -EFAULT. */
	int (*dma_write)(void *ctx, uint64_t addr, const void *src, size_t len);
	/* The level of @core's interrupt line changed. */
	void (*irq)(void *ctx, unsigned int core, bool level);
	/* Optional: a task list on @core just ended after @ns of modelled
	 * time (timing model at the current clock); called before its
	 * interrupt, so a host keeping model time can advance its clock. */
	void (*model_time)(void *ctx, unsigned int core, uint64_t ns);
	/* Optional, both or neither: a pointer through which the @len bytes
	 * at (physical) address @addr can be read in place, or NULL when they
	 * are not one run of host memory, or on any doubt (the model then
	 * copies them with dma_read, which reports faults). The bytes stay
	 * readable until dma_unmap(@ptr, @len): the host defers freeing them.
	 * Saves the copy of large weights that every task re-reads. */
	const void *(*dma_map)(void *ctx, uint64_t addr, size_t len);
	void (*dma_unmap)(void *ctx, const void *ptr, size_t len);
	/* Optional: if the calling thread is inside an atomic section (a
	 * driver's interrupt-safe lock), arrange for @fn(@arg, @value) to run
	 * in it when the section ends and return true; else return false.
	 * Starts written in one section then wake one worker, which wakes
	 * the others (a ganged start), instead of one wake per core by the
	 * starting thread. */
	bool (*defer)(void *ctx, void (*fn)(void *arg, unsigned int value), void *arg,
		      unsigned int value);
};

struct rk3588_sim_config {
	unsigned int num_cores;   /* 1..3 */
	bool threaded;            /* worker thread per core; false = run the task
	                           * list synchronously inside the OP_EN write */
	bool trace;               /* log every regcmd word and task to stderr */
};

/* Counters a test or benchmark may read; the driver never sees them. */
struct rk3588_sim_core_stats {
	uint64_t tasks_done;        /* tasks executed since create */
	uint64_t starts;            /* PC starts (OP_EN pulses) */
	uint64_t last_task_cycles;  /* timing-model estimate of the last task */
	uint64_t total_cycles;      /* sum of the estimates */
	uint64_t errors;            /* tasks ended with an error status */
	uint64_t faults;            /* injected faults that took effect */
	uint64_t unpowered_accesses;/* register reads/writes while powered off */
	/* Wakes of this core's worker for a started list (threaded mode):
	 * by the starting thread, once per ganged start, or passed on by the
	 * first woken worker of the gang. A worker that took its list
	 * without sleeping is not counted. */
	uint64_t start_wakes;
	uint64_t relay_wakes;
	bool powered;
};

struct rk3588_sim;

struct rk3588_sim *rk3588_sim_create(const struct rk3588_sim_bus *bus,
				     const struct rk3588_sim_config *cfg);
/* Stops the workers (waiting for a running task to end) and frees. */
void rk3588_sim_destroy(struct rk3588_sim *sim);

uint32_t rk3588_sim_mmio_read(struct rk3588_sim *sim, unsigned int core, uint32_t offset);
void rk3588_sim_mmio_write(struct rk3588_sim *sim, unsigned int core, uint32_t offset,
			   uint32_t value);

/* Reset lines (srst_a/srst_h of one core). While asserted the core is held
 * in reset; deasserting returns every register to its reset value and
 * abandons any running task list (no interrupt is raised for it). */
void rk3588_sim_reset_assert(struct rk3588_sim *sim, unsigned int core);
void rk3588_sim_reset_deassert(struct rk3588_sim *sim, unsigned int core);

/* Power domain of @core (core 0: NPUTOP, which the others depend on).
 * Switching off abandons a running list and loses every register; while
 * off, register reads return 0, writes are dropped, and both are counted
 * in the stats (unpowered_accesses). Core 1 or 2 cannot come on while
 * core 0 is off (the call is ignored and counted). Cores start powered. */
void rk3588_sim_set_power(struct rk3588_sim *sim, unsigned int core, bool on);

/* The NPU rail voltage, for the thermal model (default 825000 uV). */
void rk3588_sim_set_voltage_uv(struct rk3588_sim *sim, int uv);
/* Temperature of the NPU in millidegrees Celsius from the thermal model:
 * the die approaches ambient plus a rise proportional to each core's
 * busy fraction, the clock and the square of the voltage, with a time
 * constant (sim_assumptions.h). Advances the model to now. */
int rk3588_sim_temperature_mc(struct rk3588_sim *sim);

/* Blocks until @core's worker is idle (no task list running). For tests. */
void rk3588_sim_wait_idle(struct rk3588_sim *sim, unsigned int core);

void rk3588_sim_get_stats(struct rk3588_sim *sim, unsigned int core,
			  struct rk3588_sim_core_stats *out);

/* Fault injection (threaded mode only; -EINVAL otherwise). The fault
 * applies to the next @count task lists started on @core:
 *  HANG        the list never completes; only a reset ends it;
 *  LOST_IRQ    the list runs and writes its outputs, but its completion
 *              never registers (no status bit, no interrupt);
 *  BAD_STATUS  the list runs, then the interrupt line rises with a status
 *              that is not the expected one (a DMA read error, whatever
 *              the mask says);
 *  SLOW        the list starts @slow_ms late, then runs normally.
 * NONE disarms. */
enum rk3588_sim_fault {
	RK3588_SIM_FAULT_NONE,
	RK3588_SIM_FAULT_HANG,
	RK3588_SIM_FAULT_LOST_IRQ,
	RK3588_SIM_FAULT_BAD_STATUS,
	RK3588_SIM_FAULT_SLOW,
};
int rk3588_sim_inject_fault(struct rk3588_sim *sim, unsigned int core,
			    enum rk3588_sim_fault fault, unsigned int count, unsigned int slow_ms);
/* Latches a DPU-done status and raises @core's line now (a glitch). */
void rk3588_sim_raise_spurious_irq(struct rk3588_sim *sim, unsigned int core);

/* Core clock the timing model assumes, in Hz (default 1 GHz). */
void rk3588_sim_set_clock_hz(struct rk3588_sim *sim, uint64_t hz);

/* Model time of @cycles at the configured clock, in nanoseconds. */
uint64_t rk3588_sim_cycles_to_ns(struct rk3588_sim *sim, uint64_t cycles);

/* Host memory one task may use for its working buffers (0 = default,
 * 1 GiB). A task needing more ends with an error status. For tests. */
void rk3588_sim_set_alloc_limit(struct rk3588_sim *sim, uint64_t bytes);

/* Datapath of the int8 and fp16 MAC loops: FAST (default) uses SIMD kernels the host
 * CPU supports, PLAIN only the portable C code they are checked against.
 * Results are identical; for tests and benchmarks. */
enum rk3588_sim_datapath {
	RK3588_SIM_DATAPATH_FAST,
	RK3588_SIM_DATAPATH_PLAIN,
};
void rk3588_sim_set_datapath(struct rk3588_sim *sim, enum rk3588_sim_datapath dp);
/* Whether FAST differs from PLAIN on this host (a SIMD kernel exists). */
bool rk3588_sim_fast_datapath_available(void);

/* Host threads the fast datapath may use for one large convolution (each
 * takes a share of the kernels; the task's own thread is one of them).
 * 0 = the RNPU_SIM_MAC_THREADS environment variable, else 1. At most
 * RK3588_SIM_MAX_MAC_THREADS; results do not depend on it. */
#define RK3588_SIM_MAX_MAC_THREADS 16u
void rk3588_sim_set_mac_threads(struct rk3588_sim *sim, unsigned int threads);

/* Copies the message of @core's most recent error status or hung task list
 * (cleared by each start); false when there is none. For tests/tools. */
bool rk3588_sim_last_error(struct rk3588_sim *sim, unsigned int core, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
