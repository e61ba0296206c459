// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * PC: fetches each task's regcmd words by DMA, decodes them into the block
 * registers, starts the blocks at the op-enable word, follows the tail
 * links to the next task, and reports the end of the list.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

#define WORD_BYTES 8u
/* A word the model refuses ends the task with the config error. */
#define REFUSE(t, ...) sim_task_fail((t), SIM_ASSUME_ERR_CONFIG_BIT, __VA_ARGS__)

enum task_end {
	TASK_DONE,
	TASK_FAILED,   /* error status, the list ends with an interrupt */
	TASK_HUNG,     /* the hardware would wait forever: no interrupt */
	TASK_ABANDONED,
};

static bool is_compute(enum rk3588_block b)
{
	return rk3588_blocks[b].banked_from != 0;
}

static uint32_t op_en_mask(enum rk3588_block b)
{
	int bit = rk3588_blocks[b].op_en_bit;

	return bit < 0 ? 0 : 1u << bit;
}

static bool block_of_target(uint32_t target, enum rk3588_block *out)
{
	for (unsigned int b = 0; b < SIM_NUM_BLOCKS; b++) {
		if (is_compute((enum rk3588_block)b) && rk3588_blocks[b].target == target) {
			*out = (enum rk3588_block)b;
			return true;
		}
	}
	return false;
}

static uint64_t word_at(const uint8_t *p)
{
	uint64_t w = 0;

	for (unsigned int i = 0; i < WORD_BYTES; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

static int fetch(struct sim_core *c, struct sim_task *t, uint64_t addr, size_t nwords)
{
	size_t bytes = nwords * WORD_BYTES;

	if (bytes > c->fetch_cap) {
		uint8_t *nb = realloc(c->fetch_buf, bytes);

		if (!nb)
			return sim_task_fail(t, SIM_ASSUME_ERR_CONFIG_BIT,
					     "regcmd fetch: host out of memory");
		c->fetch_buf = nb;
		c->fetch_cap = bytes;
	}
	if (addr > UINT64_MAX - bytes || sim_iommu_read(c, addr, c->fetch_buf, bytes, true) != 0)
		return sim_task_fail(t, RK3588_INT_DMA_READ_ERROR,
				     "DMA read fault: regcmd fetch of %zu words at 0x%llx", nwords,
				     (unsigned long long)addr);
	t->bytes_read += bytes;
	return 0;
}

/* Called with c->lock held. */
static void write_reg_locked(struct sim_core *c, uint32_t offset, uint32_t value)
{
	sim_regfile_write(&c->rf, offset, value);
	sim_trace_reg(c, offset, value);
}

/* Copies the groups the enabled blocks execute; flips their pointers.
 * Tasks read only the defined registers of the compute blocks, so only
 * those ranges are copied (about 1 KiB instead of the whole 72 KiB
 * window, which was most of the model's time for a small task). */
static void start_blocks(struct sim_core *c, struct sim_task *t)
{
	struct sim_regfile *rf = &c->rf;

	pthread_mutex_lock(&c->lock);
	for (unsigned int b = 0; b < SIM_NUM_BLOCKS; b++) {
		const struct rk3588_block_info *bi = &rk3588_blocks[b];
		uint32_t lo = bi->base / 4, end = sim_regfile_extent((enum rk3588_block)b) / 4;
		unsigned int g;

		if (!is_compute((enum rk3588_block)b))
			continue;
		if (t->op_en & op_en_mask((enum rk3588_block)b)) {
			g = sim_regfile_execute(rf, (enum rk3588_block)b);
			rf->running[b] = (int8_t)g;
		} else {
			g = SIM_ASSUME_SINGLE_BANK ? 0 : rf->pointer[b];
		}
		t->group[b] = (uint8_t)g;
		/* Compute blocks start on a byte of the written bitmap. */
		memcpy(&t->regs[lo], &rf->word[0][lo], (end - lo) * sizeof(t->regs[0]));
		memcpy(&t->written[lo / 8], &rf->written[0][lo / 8], (end - lo + 7) / 8);
		if (g == 0)
			continue;
		for (uint32_t i = bi->banked_from / 4; i < end; i++) {
			uint8_t bit = (uint8_t)(1u << (i % 8));

			t->regs[i] = rf->word[1][i];
			t->written[i / 8] = (uint8_t)((t->written[i / 8] & ~bit) |
						      (rf->written[1][i / 8] & bit));
		}
	}
	pthread_mutex_unlock(&c->lock);
}

static void stop_blocks(struct sim_core *c)
{
	pthread_mutex_lock(&c->lock);
	for (unsigned int b = 0; b < SIM_NUM_BLOCKS; b++)
		c->rf.running[b] = -1;
	pthread_mutex_unlock(&c->lock);
}

/* RAW bits a finished task reports: each block's bit of the group it ran. */
static uint32_t done_bits(const struct sim_task *t)
{
	uint32_t bits = 0;

	if (t->op_en & RK3588_OP_EN_DPU)
		bits |= t->group[RK3588_BLOCK_DPU] ? RK3588_INT_DPU_GRP1 : RK3588_INT_DPU_GRP0;
	if (t->op_en & RK3588_OP_EN_PPU)
		bits |= t->group[RK3588_BLOCK_PPU] ? RK3588_INT_PPU_GRP1 : RK3588_INT_PPU_GRP0;
	if (SIM_ASSUME_RAW_CNA_CORE_BITS && (t->op_en & RK3588_OP_EN_CORE))
		bits |= t->group[RK3588_BLOCK_CORE] ? RK3588_INT_CORE_GRP1 : RK3588_INT_CORE_GRP0;
	if (SIM_ASSUME_RAW_CNA_CORE_BITS && (t->op_en & RK3588_OP_EN_CNA))
		bits |= t->group[RK3588_BLOCK_CNA]
				? RK3588_INT_CNA_FEATURE_GRP1 | RK3588_INT_CNA_WEIGHT_GRP1 |
					  RK3588_INT_CNA_CSC_GRP1
				: RK3588_INT_CNA_FEATURE_GRP0 | RK3588_INT_CNA_WEIGHT_GRP0 |
					  RK3588_INT_CNA_CSC_GRP0;
	return bits;
}

/* Applies one PC-target word; only the tail link registers are accepted.
 * Called with c->lock held: false for a word the model refuses. */
static bool pc_word_locked(struct sim_core *c, uint64_t w, uint64_t *next_addr,
			   uint32_t *next_amount)
{
	uint32_t off = rk3588_regcmd_offset(w);
	uint32_t val = rk3588_regcmd_value(w);

	if (off == REG_PC_BASE_ADDRESS) {
		*next_addr = (uint64_t)rk3588_get_PC_BASE_ADDRESS_PC_SOURCE_ADDR(val)
			     << PC_BASE_ADDRESS_PC_SOURCE_ADDR__SHIFT;
	} else if (off == REG_PC_REGISTER_AMOUNTS) {
		*next_amount = rk3588_get_PC_REGISTER_AMOUNTS_PC_DATA_AMOUNT(val);
	} else if (SIM_ASSUME_PC_WRITES_TAIL_ONLY) {
		return false;
	}
	write_reg_locked(c, off, val);
	return true;
}

enum refusal {
	REFUSED_PC_WORD,
	REFUSED_TARGET,
	REFUSED_OFFSET,
};

/* Decodes words up to the op-enable. 1 = op-enable found, 0 = not found,
 * negative = a word the model refuses. The register file is locked once
 * for the whole program rather than per word: the lock round trips were
 * a fifth of the model's time for a small task. */
static int decode(struct sim_core *c, struct sim_task *t, size_t nwords, uint64_t *next_addr,
		  uint32_t *next_amount)
{
	enum rk3588_block blk = RK3588_BLOCK_CNA;
	uint32_t blk_target = 0; /* consecutive words mostly share a target */
	enum refusal why = REFUSED_TARGET;
	uint64_t w = 0;
	int ret = 0;
	size_t i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < nwords; i++) {
		uint32_t target, off;

		w = word_at(c->fetch_buf + i * WORD_BYTES);
		target = rk3588_regcmd_target(w);
		off = rk3588_regcmd_offset(w);
		if (w == 0 || target == RK3588_TARGET_NOP)
			continue;
		if (target == RK3588_TARGET_PRE_OP)
			continue;
		if (target == RK3588_TARGET_OP_EN) {
			t->op_en = rk3588_regcmd_value(w);
			sim_trace(c, "op-enable 0x%02x", t->op_en);
			ret = 1;
			break;
		}
		if (target == RK3588_TARGET_PC) {
			if (!pc_word_locked(c, w, next_addr, next_amount)) {
				why = REFUSED_PC_WORD;
				ret = -EIO;
				break;
			}
			continue;
		}
		if (target != blk_target) {
			if (!block_of_target(target, &blk)) {
				why = REFUSED_TARGET;
				ret = -EIO;
				break;
			}
			blk_target = target;
		}
		if (off - rk3588_blocks[blk].base >= rk3588_blocks[blk].size) {
			why = REFUSED_OFFSET;
			ret = -EIO;
			break;
		}
		write_reg_locked(c, off, rk3588_regcmd_value(w));
	}
	pthread_mutex_unlock(&c->lock);
	if (ret >= 0)
		return ret;
	/* sim_task_fail() takes the lock itself. */
	switch (why) {
	case REFUSED_PC_WORD: {
		const char *name = rk3588_reg_name(rk3588_regcmd_offset(w));

		return sim_task_fail(t, SIM_ASSUME_ERR_CONFIG_BIT,
				     "regcmd word %zu (0x%016llx): %s is not writable by a task",
				     i, (unsigned long long)w, name ? name : "PC register");
	}
	case REFUSED_TARGET:
		return REFUSE(t, "regcmd word %zu (0x%016llx): unknown target 0x%04x", i,
			      (unsigned long long)w, rk3588_regcmd_target(w));
	case REFUSED_OFFSET:
	default:
		return REFUSE(t,
			      "regcmd word %zu (0x%016llx): offset 0x%04x is outside "
			      "target %s",
			      i, (unsigned long long)w, rk3588_regcmd_offset(w),
			      rk3588_blocks[blk].name);
	}
}

static void count_task(struct sim_core *c, const struct sim_task *t, enum task_end end,
		       bool first)
{
	pthread_mutex_lock(&c->lock);
	if (end == TASK_DONE) {
		uint64_t cycles = sim_timing_task_cycles(t);

		if (first)
			cycles += sim_timing_start_cycles();
		c->task_counter = (c->task_counter + 1) & PC_TASK_STATUS_TASK_COUNTER__MASK;
		c->stats.tasks_done++;
		c->stats.last_task_cycles = cycles;
		c->stats.total_cycles += cycles;
	} else if (end == TASK_FAILED || end == TASK_HUNG) {
		c->stats.errors++;
		if (end == TASK_FAILED && !SIM_ASSUME_ERROR_TASK_NOT_COUNTED)
			c->task_counter = (c->task_counter + 1) & PC_TASK_STATUS_TASK_COUNTER__MASK;
	}
	pthread_mutex_unlock(&c->lock);
}

/* TASK_STATUS above the counter: the idle pattern, with FIRST_TASK and
 * LAST_TASK describing the running task while a list executes. */
static void set_flags(struct sim_core *c, bool running, bool first, bool last)
{
	uint32_t v = sim_task_status_idle_flags();

	if (running && SIM_ASSUME_TASK_STATUS_FLAGS) {
		rk3588_set_PC_TASK_STATUS_FIRST_TASK(&v, first);
		rk3588_set_PC_TASK_STATUS_LAST_TASK(&v, last);
	}
	pthread_mutex_lock(&c->lock);
	c->task_flags = v;
	pthread_mutex_unlock(&c->lock);
}

static enum task_end run_task(struct sim_core *c, struct sim_task *t, uint64_t *addr,
			      uint32_t *amount)
{
	size_t nwords = 2 * ((size_t)*amount + 1);
	uint64_t fetch_addr = *addr;
	uint64_t next_addr = *addr;
	uint32_t next_amount = *amount;
	int found;

	if (SIM_ASSUME_FETCH_USES_TASK_DMA_BASE)
		fetch_addr += t->dma_base;
	sim_trace(c, "fetch %zu words at 0x%llx", nwords, (unsigned long long)fetch_addr);
	if (fetch(c, t, fetch_addr, nwords))
		return TASK_FAILED;
	found = decode(c, t, nwords, &next_addr, &next_amount);
	if (found < 0)
		return TASK_FAILED;
	if (found == 0 && !SIM_ASSUME_MISSING_OP_EN_HANGS) {
		sim_task_fail(t, SIM_ASSUME_ERR_CONFIG_BIT,
			      "no op-enable word among the %zu words fetched at 0x%llx", nwords,
			      (unsigned long long)fetch_addr);
		return TASK_FAILED;
	}
	if (found == 0) {
		pthread_mutex_lock(&c->lock);
		snprintf(c->last_error, sizeof(c->last_error),
			 "no op-enable word among the %zu words fetched at 0x%llx", nwords,
			 (unsigned long long)fetch_addr);
		pthread_mutex_unlock(&c->lock);
		sim_trace(c, "error: no op-enable word among the %zu fetched words; the "
			     "hardware would wait here forever",
			  nwords);
		return TASK_HUNG;
	}
	*addr = next_addr;
	*amount = next_amount;

	start_blocks(c, t);
	int rc = sim_exec_task(t);

	stop_blocks(c);
	if (sim_task_aborted(t))
		return TASK_ABANDONED;
	return rc ? TASK_FAILED : TASK_DONE;
}

static void task_init(struct sim_task *t, struct sim_core *c, const struct sim_job *job)
{
	t->core = c;
	t->op_en = 0;
	t->dma_base = job->dma_base;
	t->err = 0;
	t->bytes_read = 0;
	t->bytes_written = 0;
	t->macs = 0;
	t->dpu_elems = 0;
	t->ppu_elems = 0;
	t->alloc_used = 0;
	t->prec = SIM_PREC_INT8;
}

uint32_t sim_pc_run(struct sim_core *c, const struct sim_job *job)
{
	struct sim_task *t = c->task;
	uint64_t addr = job->addr;
	uint32_t amount = job->amount;
	uint32_t raw = 0;

	_Static_assert(SIM_ASSUME_TASK_NUMBER_ZERO_SILENT, "TASK_NUMBER 0 must stay silent");
	if (job->task_number == 0) {
		sim_trace(c, "TASK_NUMBER is 0: nothing runs and no interrupt follows");
		return 0;
	}
	for (uint32_t i = 0; i < job->task_number; i++) {
		bool last = i + 1 == job->task_number;
		enum task_end end;

		if (atomic_load(&c->abort)) {
			raw = 0;
			break;
		}
		set_flags(c, true, i == 0, last);
		task_init(t, c, job);
		end = run_task(c, t, &addr, &amount);
		count_task(c, t, end, i == 0);
		if (end == TASK_ABANDONED || end == TASK_HUNG) {
			raw = 0;
			break;
		}
		if (end == TASK_FAILED) {
			raw = t->err;
			break;
		}
		if (last || !SIM_ASSUME_RAW_ONLY_LAST_TASK)
			raw |= done_bits(t);
	}
	set_flags(c, false, false, false);
	return raw;
}
