// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The device as the host sees it: creation, the MMIO windows, reset lines,
 * the interrupt line, and the worker that runs each started task list.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_internal.h"

#define TRACE_ENV "RNPU_SIM_TRACE"

static struct sim_core *core_of(struct rk3588_sim *sim, unsigned int core)
{
	if (!sim || core >= sim->num_cores)
		return NULL;
	return &sim->core[core];
}

/* The line's level from the core's state. Called with the lock held. */
static bool irq_level_locked(struct sim_core *c)
{
	uint32_t mask = c->rf.word[0][REG_PC_INTERRUPT_MASK / 4];

	if (!SIM_ASSUME_ERRORS_MASKABLE)
		mask |= RK3588_INT_DMA_READ_ERROR | RK3588_INT_DMA_WRITE_ERROR;
	/* The line is shared with the core's IOMMU. */
	return !c->in_reset &&
	       (c->irq_forced || (c->raw & mask) != 0 || sim_iommu_irq_pending(c));
}

void sim_irq_sync(struct sim_core *c)
{
	const struct rk3588_sim_bus *bus = &c->sim->bus;

	pthread_mutex_lock(&c->lock);
	/* One deliverer at a time; it re-reads the state after every callback,
	 * so a change made meanwhile (even from inside the callback) is
	 * delivered in order instead of recursing. A fall and rise during one
	 * callback (the handler cleared the status, then the next task list
	 * finished) must still reach the bus as two edges, as a
	 * level-triggered line would re-interrupt: remember the fall. */
	if (c->irq_delivering) {
		if (!irq_level_locked(c))
			c->irq_fell = true;
		pthread_mutex_unlock(&c->lock);
		return;
	}
	c->irq_delivering = true;
	for (;;) {
		bool level = irq_level_locked(c);

		if (c->irq_fell && c->irq_level && level)
			level = false; /* show the missed fall; the rise follows */
		c->irq_fell = false;
		if (level == c->irq_level)
			break;
		c->irq_level = level;
		pthread_mutex_unlock(&c->lock);
		if (bus->irq)
			bus->irq(bus->ctx, c->index, level);
		pthread_mutex_lock(&c->lock);
	}
	c->irq_delivering = false;
	pthread_mutex_unlock(&c->lock);
}

/* End of a task list: RAW bits, idle, then the interrupt line. */
static void finish_job(struct sim_core *c, uint32_t raw)
{
	pthread_mutex_lock(&c->lock);
	if (!atomic_load(&c->abort))
		c->raw |= raw;
	c->busy = false;
	/* A start issued from the IRQ callback must be accepted, so the core
	 * is idle before the line moves. */
	c->completing = true;
	c->completing_thread = pthread_self();
	pthread_cond_broadcast(&c->idle_cond);
	pthread_mutex_unlock(&c->lock);

	sim_irq_sync(c);

	pthread_mutex_lock(&c->lock);
	c->completing = false;
	pthread_cond_broadcast(&c->idle_cond);
	pthread_mutex_unlock(&c->lock);
}

/* Called with the lock held and a job queued; returns with the lock held. */
static void take_and_run(struct sim_core *c)
{
	struct sim_job job = c->job;
	enum rk3588_sim_fault fault = sim_fault_take_locked(c);
	unsigned int slow_ms = c->fault_slow_ms;
	uint64_t cycles;
	uint32_t raw = 0;

	c->has_job = false;
	c->busy = true;
	if (fault == RK3588_SIM_FAULT_HANG) {
		/* Busy until a reset abandons the list. */
		while (!atomic_load(&c->abort) && !c->stop)
			pthread_cond_wait(&c->cond, &c->lock);
		pthread_mutex_unlock(&c->lock);
		finish_job(c, 0);
		pthread_mutex_lock(&c->lock);
		return;
	}
	pthread_mutex_unlock(&c->lock);
	if (fault == RK3588_SIM_FAULT_SLOW) {
		struct timespec ts = { .tv_sec = slow_ms / 1000,
				       .tv_nsec = (long)(slow_ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
	pthread_mutex_lock(&c->lock);
	cycles = c->stats.total_cycles;
	pthread_mutex_unlock(&c->lock);
	raw = sim_pc_run(c, &job);
	if (c->sim->bus.model_time) {
		pthread_mutex_lock(&c->lock);
		cycles = c->stats.total_cycles - cycles;
		pthread_mutex_unlock(&c->lock);
		c->sim->bus.model_time(c->sim->bus.ctx, c->index,
				       rk3588_sim_cycles_to_ns(c->sim, cycles));
	}
	if (fault == RK3588_SIM_FAULT_LOST_IRQ) {
		raw = 0;
	} else if (fault == RK3588_SIM_FAULT_BAD_STATUS) {
		raw = RK3588_INT_DMA_READ_ERROR;
		pthread_mutex_lock(&c->lock);
		c->irq_forced = true;
		pthread_mutex_unlock(&c->lock);
	}
	finish_job(c, raw);
	pthread_mutex_lock(&c->lock);
}

static void *worker(void *arg)
{
	struct sim_core *c = arg;

	sim_wake_worker_policy();
	pthread_mutex_lock(&c->lock);
	for (;;) {
		/* The rest of a ganged start before this core's own list: those
		 * cores sleep until this worker wakes them. */
		if (c->relay) {
			uint32_t relay = c->relay;

			c->relay = 0;
			pthread_mutex_unlock(&c->lock);
			sim_wake_relay(c->sim, relay);
			pthread_mutex_lock(&c->lock);
			continue;
		}
		if (c->stop)
			break;
		if (c->has_job)
			take_and_run(c);
		else
			pthread_cond_wait(&c->cond, &c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* PC.OPERATION_ENABLE := 1 in PC mode. Called with the lock held.
 * Returns true if the worker must be woken (after the unlock, so that it
 * does not wake only to block on the lock). */
static bool start_locked(struct sim_core *c)
{
	struct sim_regfile *rf = &c->rf;
	uint32_t base = rf->word[0][REG_PC_BASE_ADDRESS / 4];

	_Static_assert(SIM_ASSUME_SLAVE_MODE_INERT, "slave mode execution is not modelled");
	if (rk3588_get_PC_BASE_ADDRESS_PC_SEL(base)) {
		sim_trace(c, "OP_EN in slave mode (PC_SEL = 1): not modelled, ignored");
		return false;
	}
	/* Without the ignore rule a start during a run queues behind it. */
	if (c->has_job || (c->busy && SIM_ASSUME_IGNORE_OP_EN_WHILE_BUSY)) {
		sim_trace(c, "OP_EN while a task list runs: ignored");
		return false;
	}
	if (!SIM_ASSUME_COUNTER_PERSISTS)
		c->task_counter = 0;
	c->job.addr = (uint64_t)rk3588_get_PC_BASE_ADDRESS_PC_SOURCE_ADDR(base)
		      << PC_BASE_ADDRESS_PC_SOURCE_ADDR__SHIFT;
	c->job.amount = rk3588_get_PC_REGISTER_AMOUNTS_PC_DATA_AMOUNT(
		rf->word[0][REG_PC_REGISTER_AMOUNTS / 4]);
	c->job.task_number = rk3588_get_PC_TASK_CON_TASK_NUMBER(rf->word[0][REG_PC_TASK_CON / 4]);
	c->job.dma_base = (uint64_t)rk3588_get_PC_TASK_DMA_BASE_ADDR_VALUE(
				  rf->word[0][REG_PC_TASK_DMA_BASE_ADDR / 4])
			  << PC_TASK_DMA_BASE_ADDR_VALUE__SHIFT;
	c->has_job = true;
	c->stats.starts++;
	c->last_error[0] = '\0';
	sim_trace(c, "start: %u task(s) from 0x%llx, amount %u", c->job.task_number,
		  (unsigned long long)c->job.addr, c->job.amount);

	/* An armed fault may hang: never in the starting thread. */
	if (c->sim->threaded && (c->fault_count || !sim_start_runs_inline(c, &c->job)))
		return true;
	/* Synchronous mode: the first caller drains every queued start, so a
	 * start issued from the IRQ callback does not recurse. */
	if (c->sync_running)
		return false;
	c->sync_running = true;
	while (c->has_job && !c->stop)
		take_and_run(c);
	c->sync_running = false;
	return false;
}

static void reset_core_locked(struct sim_core *c)
{
	sim_regfile_reset(&c->rf);
	c->raw = 0;
	c->irq_forced = false;
	c->task_counter = 0;
	c->task_flags = sim_task_status_idle_flags();
	sim_iommu_reset(c);
}

struct rk3588_sim *rk3588_sim_create(const struct rk3588_sim_bus *bus,
				     const struct rk3588_sim_config *cfg)
{
	struct rk3588_sim *sim;
	const char *env = getenv(TRACE_ENV);

	if (!bus || !cfg || !bus->dma_read || !bus->dma_write || cfg->num_cores < 1 ||
	    cfg->num_cores > RK3588_SIM_MAX_CORES)
		return NULL;
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return NULL;
	sim->bus = *bus;
	sim->num_cores = cfg->num_cores;
	sim->threaded = cfg->threaded;
	sim->trace = cfg->trace || (env && strcmp(env, "1") == 0);
	atomic_init(&sim->clock_hz, SIM_DEFAULT_CLOCK_HZ);
	sim_thermal_init(sim);
	atomic_init(&sim->alloc_limit, SIM_ASSUME_MAX_TASK_BYTES);
	atomic_init(&sim->plain, false);
	sim_mac_threads_from_env(sim);
	sim_cpus_from_env(sim);
	atomic_init(&sim->wake_pending, 0);

	for (unsigned int i = 0; i < sim->num_cores; i++) {
		struct sim_core *c = &sim->core[i];

		c->sim = sim;
		c->index = i;
		atomic_init(&c->abort, false);
		pthread_mutex_init(&c->lock, NULL);
		sim_iommu_init(c);
		pthread_cond_init(&c->cond, NULL);
		pthread_cond_init(&c->idle_cond, NULL);
		reset_core_locked(c);
		c->task = calloc(1, sizeof(*c->task));
		if (!c->task)
			goto fail;
		if (sim->threaded) {
			if (sim_cpus_start_thread(sim, i, &c->thread, worker, c) != 0)
				goto fail;
			c->thread_started = true;
		}
	}
	return sim;
fail:
	rk3588_sim_destroy(sim);
	return NULL;
}

void rk3588_sim_destroy(struct rk3588_sim *sim)
{
	if (!sim)
		return;
	for (unsigned int i = 0; i < sim->num_cores; i++) {
		struct sim_core *c = &sim->core[i];

		if (!c->sim)
			continue;
		pthread_mutex_lock(&c->lock);
		/* Stop first: a hung list (fault injection) ends on stop, a
		 * normal one runs to its end. */
		c->stop = true;
		pthread_cond_broadcast(&c->cond);
		while (c->busy || c->completing)
			pthread_cond_wait(&c->idle_cond, &c->lock);
		pthread_mutex_unlock(&c->lock);
		if (c->thread_started)
			pthread_join(c->thread, NULL);
	}
	/* Every worker has ended before any core's lock goes: a worker may
	 * pass a ganged start on to another core until it stops. */
	for (unsigned int i = 0; i < sim->num_cores; i++) {
		struct sim_core *c = &sim->core[i];

		if (!c->sim)
			continue;
		pthread_cond_destroy(&c->cond);
		pthread_cond_destroy(&c->idle_cond);
		pthread_mutex_destroy(&c->lock);
		sim_iommu_fini(c);
		free(c->fetch_buf);
		for (unsigned int k = 0; k < SIM_KEPT_SLOTS; k++)
			free(c->kept[k]);
		free(c->task);
	}
	pthread_mutex_destroy(&sim->thermal_lock);
	free(sim);
}

static bool valid_offset(uint32_t offset)
{
	return offset < RK3588_SIM_WINDOW_SIZE && (offset & 3u) == 0;
}

uint32_t rk3588_sim_mmio_read(struct rk3588_sim *sim, unsigned int core, uint32_t offset)
{
	struct sim_core *c = core_of(sim, core);
	uint32_t v;

	if (!c || !valid_offset(offset))
		return 0;
	if (sim_iommu_may_own(c, offset) && sim_iommu_owns(c, offset))
		return sim_iommu_mmio_read(c, offset);
	pthread_mutex_lock(&c->lock);
	if (sim_power_blocked_locked(c)) {
		pthread_mutex_unlock(&c->lock);
		return SIM_ASSUME_UNPOWERED_READ_VALUE;
	}
	switch (offset) {
	case REG_PC_INTERRUPT_STATUS:
		v = c->raw & c->rf.word[0][REG_PC_INTERRUPT_MASK / 4];
		break;
	case REG_PC_INTERRUPT_RAW_STATUS:
		v = c->raw;
		break;
	case REG_PC_INTERRUPT_CLEAR:
		v = 0;
		break;
	case REG_PC_TASK_STATUS:
		v = c->task_counter | c->task_flags;
		break;
	case REG_DPU_LUT_ACCESS_DATA:
		v = sim_lut_port_read(&c->rf.lut);
		break;
	default:
		v = sim_regfile_read(&c->rf, offset);
		break;
	}
	pthread_mutex_unlock(&c->lock);
	return v;
}

void rk3588_sim_mmio_write(struct rk3588_sim *sim, unsigned int core, uint32_t offset,
			   uint32_t value)
{
	struct sim_core *c = core_of(sim, core);
	bool sync_irq = false, wake_worker = false;

	if (!c || !valid_offset(offset))
		return;
	if (sim_iommu_may_own(c, offset) && sim_iommu_owns(c, offset)) {
		if (sim_iommu_mmio_write(c, offset, value))
			sim_irq_sync(c);
		return;
	}
	pthread_mutex_lock(&c->lock);
	if (sim_power_blocked_locked(c) ||
	    (c->in_reset && SIM_ASSUME_RESET_IGNORES_WRITES)) {
		pthread_mutex_unlock(&c->lock);
		return;
	}
	switch (offset) {
	case REG_PC_INTERRUPT_MASK:
		c->rf.word[0][offset / 4] = value & SIM_ASSUME_INT_MASK_BITS;
		sync_irq = true;
		break;
	case REG_PC_INTERRUPT_CLEAR:
		c->raw &= ~value;
		c->irq_forced = false;
		sync_irq = true;
		break;
	case REG_PC_TASK_CON:
		if (rk3588_get_PC_TASK_CON_TASK_COUNT_CLEAR(value))
			c->task_counter = 0;
		rk3588_set_PC_TASK_CON_TASK_COUNT_CLEAR(&value, 0);
		c->rf.word[0][offset / 4] = value;
		break;
	case REG_PC_OPERATION_ENABLE:
		c->rf.word[0][offset / 4] = value;
		if (rk3588_get_PC_OPERATION_ENABLE_OP_EN(value))
			wake_worker = start_locked(c);
		break;
	default:
		sim_regfile_mmio_write(&c->rf, offset, value);
		break;
	}
	/* A write that leaves the line's level as delivered, while no callback
	 * is delivering (irq_fell is only set during one), changes nothing
	 * sim_irq_sync() would pass on: skip its second hold of the lock. */
	if (sync_irq && !c->irq_delivering && irq_level_locked(c) == c->irq_level)
		sync_irq = false;
	pthread_mutex_unlock(&c->lock);
	if (wake_worker)
		sim_wake_started(c);
	if (sync_irq)
		sim_irq_sync(c);
}

void rk3588_sim_reset_assert(struct rk3588_sim *sim, unsigned int core)
{
	struct sim_core *c = core_of(sim, core);

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->in_reset = true;
	c->has_job = false;
	atomic_store(&c->abort, true);
	/* The worker notices the abort at the next task boundary, inside the
	 * compute loops, or (a hung list) when woken here. */
	pthread_cond_broadcast(&c->cond);
	pthread_cond_broadcast(&c->idle_cond); /* a dropped start is idle too */
	while (c->busy)
		pthread_cond_wait(&c->idle_cond, &c->lock);
	reset_core_locked(c);
	pthread_mutex_unlock(&c->lock);
	sim_irq_sync(c);
}

void rk3588_sim_reset_deassert(struct rk3588_sim *sim, unsigned int core)
{
	struct sim_core *c = core_of(sim, core);

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	if (c->in_reset) {
		reset_core_locked(c);
		c->in_reset = false;
		atomic_store(&c->abort, false);
	}
	pthread_mutex_unlock(&c->lock);
	sim_irq_sync(c);
}

void rk3588_sim_wait_idle(struct rk3588_sim *sim, unsigned int core)
{
	struct sim_core *c = core_of(sim, core);

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	/* From inside the IRQ callback the caller is the completing thread:
	 * waiting for itself would deadlock, and its list is already done. */
	while (c->busy || c->has_job ||
	       (c->completing && !pthread_equal(c->completing_thread, pthread_self())))
		pthread_cond_wait(&c->idle_cond, &c->lock);
	pthread_mutex_unlock(&c->lock);
}

void rk3588_sim_get_stats(struct rk3588_sim *sim, unsigned int core,
			  struct rk3588_sim_core_stats *out)
{
	struct sim_core *c = core_of(sim, core);

	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	*out = c->stats;
	out->powered = !c->powered_off;
	pthread_mutex_unlock(&c->lock);
}

void rk3588_sim_set_clock_hz(struct rk3588_sim *sim, uint64_t hz)
{
	if (sim && hz)
		atomic_store(&sim->clock_hz, hz);
}

uint64_t rk3588_sim_cycles_to_ns(struct rk3588_sim *sim, uint64_t cycles)
{
	uint64_t hz = sim ? atomic_load(&sim->clock_hz) : SIM_DEFAULT_CLOCK_HZ;

	/* Split to keep cycles * 1e9 from overflowing for long runs. */
	return cycles / hz * 1000000000ull + cycles % hz * 1000000000ull / hz;
}

void rk3588_sim_set_alloc_limit(struct rk3588_sim *sim, uint64_t bytes)
{
	if (sim)
		atomic_store(&sim->alloc_limit, bytes ? bytes : SIM_ASSUME_MAX_TASK_BYTES);
}

void rk3588_sim_set_datapath(struct rk3588_sim *sim, enum rk3588_sim_datapath dp)
{
	if (sim)
		atomic_store(&sim->plain, dp == RK3588_SIM_DATAPATH_PLAIN);
}

bool rk3588_sim_fast_datapath_available(void)
{
	return sim_mac_simd_kernel() != NULL;
}

bool rk3588_sim_last_error(struct rk3588_sim *sim, unsigned int core, char *buf, size_t len)
{
	struct sim_core *c = core_of(sim, core);
	bool have;

	if (!c || !buf || !len)
		return false;
	pthread_mutex_lock(&c->lock);
	have = c->last_error[0] != '\0';
	snprintf(buf, len, "%s", c->last_error);
	pthread_mutex_unlock(&c->lock);
	return have;
}
