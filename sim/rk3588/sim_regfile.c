// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Per-core register storage with the two ping-pong register groups:
 * every register from a compute block's banked_from offset upwards exists
 * twice; writes land in the group the block's pointer selects.
 */
#include <pthread.h>
#include <string.h>

#include "sim_internal.h"

/* Layout shared by every compute block: S_STATUS, S_POINTER at +0, +4. */
#define S_STATUS_REL 0u
#define S_POINTER_REL (REG_CNA_S_POINTER - REG_CNA_S_STATUS)

/* Every register write of a task list goes through a block lookup, so it
 * is a table by 4 KiB page instead of a walk over the blocks; a page with
 * no block, or more than one, falls back to the walk. Built once from the
 * generated block and register tables, with each block's extent: the end
 * of its last defined register, which bounds what a task snapshots. */
#define PAGE_SHIFT_REGS 12u
#define PAGES (RK3588_SIM_WINDOW_SIZE >> PAGE_SHIFT_REGS)
#define PAGE_NONE 0xffu
#define PAGE_SHARED 0xfeu

static uint8_t page_block[PAGES];
static uint32_t block_extent[SIM_NUM_BLOCKS];
/* What a write to each word does (SIM_WORD_* flags and the compute block),
 * so that an MMIO write needs one load instead of a search of the register
 * table and a block lookup. Derived from the block lookup below and the
 * generated register table; words with side effects keep the full path. */
static uint8_t word_kind[SIM_WORDS];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static bool lookup_block(uint32_t offset, enum rk3588_block *out);
static bool is_compute(enum rk3588_block blk);

static uint8_t kind_of_word(uint32_t offset)
{
	const struct rk3588_reg_info *r = rk3588_reg_lookup(offset);
	enum rk3588_block blk;
	uint8_t kind = SIM_WORD_NO_BLOCK;

	if (r && r->access == RK3588_ACCESS_RO)
		kind |= SIM_WORD_READ_ONLY;
	if (offset == REG_DPU_LUT_ACCESS_CFG || offset == REG_DPU_LUT_ACCESS_DATA)
		kind |= SIM_WORD_SIDE_EFFECT;
	if (lookup_block(offset, &blk) && is_compute(blk)) {
		uint32_t rel = offset - rk3588_blocks[blk].base;

		kind = (uint8_t)((kind & ~SIM_WORD_BLOCK_MASK) | blk);
		if (rel == S_STATUS_REL || rel == S_POINTER_REL)
			kind |= SIM_WORD_SIDE_EFFECT;
		if (offset >= rk3588_blocks[blk].banked_from)
			kind |= SIM_WORD_BANKED;
	}
	return kind;
}

static void build_tables(void)
{
	memset(page_block, PAGE_NONE, sizeof(page_block));
	for (unsigned int b = 0; b < SIM_NUM_BLOCKS; b++) {
		const struct rk3588_block_info *bi = &rk3588_blocks[b];
		uint32_t end = bi->base + bi->size;

		block_extent[b] = bi->base;
		for (uint32_t p = bi->base >> PAGE_SHIFT_REGS; p < PAGES && p << PAGE_SHIFT_REGS < end;
		     p++) {
			bool whole = bi->base <= p << PAGE_SHIFT_REGS &&
				     end >= (p + 1) << PAGE_SHIFT_REGS;

			/* A page only partly covered has offsets of no block. */
			page_block[p] = page_block[p] == PAGE_NONE && whole ? (uint8_t)b : PAGE_SHARED;
		}
	}
	for (size_t i = 0; i < rk3588_num_regs; i++) {
		const struct rk3588_reg_info *r = &rk3588_regs[i];

		if (r->block < SIM_NUM_BLOCKS && r->offset + 4 > block_extent[r->block])
			block_extent[r->block] = r->offset + 4;
	}
	for (uint32_t w = 0; w < SIM_WORDS; w++)
		word_kind[w] = kind_of_word(w * 4);
}

/* The block of @offset from the page table; the table must be built. */
static bool lookup_block(uint32_t offset, enum rk3588_block *out)
{
	const struct rk3588_block_info *b;
	unsigned int pb;

	pb = offset < RK3588_SIM_WINDOW_SIZE ? page_block[offset >> PAGE_SHIFT_REGS] : PAGE_SHARED;
	if (pb == PAGE_NONE)
		return false;
	if (pb != PAGE_SHARED) {
		*out = (enum rk3588_block)pb;
		return true;
	}
	b = rk3588_block_of(offset);
	if (!b)
		return false;
	*out = (enum rk3588_block)(b - rk3588_blocks);
	return true;
}

static bool block_of(uint32_t offset, enum rk3588_block *out)
{
	pthread_once(&tables_once, build_tables);
	return lookup_block(offset, out);
}

uint8_t sim_regfile_word_kind(uint32_t offset)
{
	pthread_once(&tables_once, build_tables);
	return offset < RK3588_SIM_WINDOW_SIZE ? word_kind[offset / 4]
					       : SIM_WORD_NO_BLOCK;
}

uint32_t sim_regfile_extent(enum rk3588_block blk)
{
	pthread_once(&tables_once, build_tables);
	return block_extent[blk];
}

/* Compute blocks are exactly the ones with ping-pong groups. */
static bool is_compute(enum rk3588_block blk)
{
	return rk3588_blocks[blk].banked_from != 0;
}

bool sim_regfile_is_banked(uint32_t offset)
{
	enum rk3588_block blk;

	if (!block_of(offset, &blk) || !is_compute(blk))
		return false;
	return offset >= rk3588_blocks[blk].banked_from;
}

unsigned int sim_regfile_group(const struct sim_regfile *rf, uint32_t offset)
{
	enum rk3588_block blk;

	if (SIM_ASSUME_SINGLE_BANK || !sim_regfile_is_banked(offset) || !block_of(offset, &blk))
		return 0;
	return rf->pointer[blk];
}

void sim_regfile_reset(struct sim_regfile *rf)
{
	/* Every core's register file is reset when the model is created, so
	 * the accessors below read the tables without asking again. */
	pthread_once(&tables_once, build_tables);
	memset(rf, 0, sizeof(*rf));
	for (size_t i = 0; i < rk3588_num_regs; i++) {
		uint32_t off = rk3588_regs[i].offset;

		if (off >= RK3588_SIM_WINDOW_SIZE)
			continue;
		rf->word[0][off / 4] = rk3588_regs[i].reset;
		rf->word[1][off / 4] = rk3588_regs[i].reset;
	}
	for (unsigned int b = 0; b < SIM_NUM_BLOCKS; b++)
		rf->running[b] = -1;
}

static void mark_written(struct sim_regfile *rf, unsigned int g, uint32_t idx)
{
	rf->written[g][idx / 8] |= (uint8_t)(1u << (idx % 8));
}

static void write_s_pointer(struct sim_regfile *rf, enum rk3588_block blk, uint32_t idx,
			    uint32_t value)
{
	uint32_t keep = value;

	/* POINTER, the W1C bits and EXECUTER are state, not storage. */
	rk3588_set_CNA_S_POINTER_POINTER(&keep, 0);
	rk3588_set_CNA_S_POINTER_POINTER_PP_CLEAR(&keep, 0);
	rk3588_set_CNA_S_POINTER_EXECUTER_PP_CLEAR(&keep, 0);
	rk3588_set_CNA_S_POINTER_EXECUTER(&keep, 0);
	rf->word[0][idx] = keep;
	mark_written(rf, 0, idx);

	rf->pointer[blk] = (uint8_t)rk3588_get_CNA_S_POINTER_POINTER(value);
	if (rk3588_get_CNA_S_POINTER_POINTER_PP_CLEAR(value) || SIM_ASSUME_SINGLE_BANK)
		rf->pointer[blk] = 0;
	if (rk3588_get_CNA_S_POINTER_EXECUTER_PP_CLEAR(value))
		rf->executer[blk] = 0;
}

/* A write to a word with side effects (S_STATUS, S_POINTER, the LUT
 * port) or at an offset that is not a whole word. */
static void write_full(struct sim_regfile *rf, uint32_t offset, uint32_t value)
{
	uint32_t idx = offset / 4;
	enum rk3588_block blk;
	unsigned int g = 0;

	/* One lookup: the group follows from the block, as in
	 * sim_regfile_group(). */
	if (block_of(offset, &blk) && is_compute(blk)) {
		uint32_t rel = offset - rk3588_blocks[blk].base;

		if (rel == S_STATUS_REL)
			return;
		if (rel == S_POINTER_REL) {
			write_s_pointer(rf, blk, idx, value);
			return;
		}
		if (!SIM_ASSUME_SINGLE_BANK && offset >= rk3588_blocks[blk].banked_from)
			g = rf->pointer[blk];
	}
	if (offset == REG_DPU_LUT_ACCESS_CFG || offset == REG_DPU_LUT_ACCESS_DATA)
		sim_lut_port_write(&rf->lut, offset, value);
	rf->word[g][idx] = value;
	mark_written(rf, g, idx);
}

/* Plain storage: the group follows from the word's kind. */
static void write_kind(struct sim_regfile *rf, uint32_t offset, uint32_t value, uint8_t kind)
{
	uint32_t idx = offset / 4;
	unsigned int g = 0;

	if (offset & 3u) {
		write_full(rf, offset, value);
		return;
	}
	if (kind & SIM_WORD_SIDE_EFFECT) {
		unsigned int blk = kind & SIM_WORD_BLOCK_MASK;
		uint32_t rel = blk == SIM_WORD_NO_BLOCK ? 0 : offset - rk3588_blocks[blk].base;

		/* S_POINTER (the driver writes two per start) without a second
		 * lookup; S_STATUS and the LUT port as write_full() does. */
		if (blk != SIM_WORD_NO_BLOCK && rel == S_POINTER_REL)
			write_s_pointer(rf, (enum rk3588_block)blk, idx, value);
		else
			write_full(rf, offset, value);
		return;
	}
	if (!SIM_ASSUME_SINGLE_BANK && (kind & SIM_WORD_BANKED))
		g = rf->pointer[kind & SIM_WORD_BLOCK_MASK];
	rf->word[g][idx] = value;
	mark_written(rf, g, idx);
}

void sim_regfile_write(struct sim_regfile *rf, uint32_t offset, uint32_t value)
{
	if (offset >= RK3588_SIM_WINDOW_SIZE)
		return;
	write_kind(rf, offset, value, word_kind[offset / 4]);
}

void sim_regfile_mmio_write(struct sim_regfile *rf, uint32_t offset, uint32_t value)
{
	uint8_t kind;

	if (offset >= RK3588_SIM_WINDOW_SIZE)
		return;
	kind = word_kind[offset / 4];
	/* Read-only registers (identity, status) ignore writes. */
	if (kind & SIM_WORD_READ_ONLY)
		return;
	write_kind(rf, offset, value, kind);
}

uint32_t sim_regfile_s_pointer(const struct sim_regfile *rf, enum rk3588_block blk)
{
	uint32_t v = rf->word[0][(rk3588_blocks[blk].base + S_POINTER_REL) / 4];

	rk3588_set_CNA_S_POINTER_POINTER(&v, rf->pointer[blk]);
	rk3588_set_CNA_S_POINTER_EXECUTER(&v, rf->executer[blk]);
	return v;
}

uint32_t sim_regfile_s_status(const struct sim_regfile *rf, enum rk3588_block blk)
{
	uint32_t v = 0;

	/* Only "operating" (1) is modelled; nothing ever waits in the other
	 * group because tasks run one at a time. */
	if (rf->running[blk] == 0)
		rk3588_set_CNA_S_STATUS_STATUS_0(&v, 1);
	else if (rf->running[blk] == 1)
		rk3588_set_CNA_S_STATUS_STATUS_1(&v, 1);
	return v;
}

static uint32_t read_full(const struct sim_regfile *rf, uint32_t offset)
{
	enum rk3588_block blk;

	if (block_of(offset, &blk) && is_compute(blk)) {
		uint32_t rel = offset - rk3588_blocks[blk].base;

		if (rel == S_STATUS_REL)
			return sim_regfile_s_status(rf, blk);
		if (rel == S_POINTER_REL)
			return sim_regfile_s_pointer(rf, blk);
	}
	return rf->word[sim_regfile_group(rf, offset)][offset / 4];
}

uint32_t sim_regfile_read(const struct sim_regfile *rf, uint32_t offset)
{
	uint8_t kind;
	unsigned int g = 0;

	if (offset >= RK3588_SIM_WINDOW_SIZE)
		return 0;
	kind = word_kind[offset / 4];
	if ((kind & SIM_WORD_SIDE_EFFECT) || (offset & 3u))
		return read_full(rf, offset);
	if (!SIM_ASSUME_SINGLE_BANK && (kind & SIM_WORD_BANKED))
		g = rf->pointer[kind & SIM_WORD_BLOCK_MASK];
	return rf->word[g][offset / 4];
}

uint32_t sim_task_status_idle_flags(void)
{
	const struct rk3588_reg_info *r = rk3588_reg_lookup(REG_PC_TASK_STATUS);

	return r ? r->reset & ~(uint32_t)PC_TASK_STATUS_TASK_COUNTER__MASK : 0;
}

unsigned int sim_regfile_execute(struct sim_regfile *rf, enum rk3588_block blk)
{
	unsigned int g = SIM_ASSUME_SINGLE_BANK ? 0 : rf->pointer[blk];
	uint32_t sptr = rf->word[0][(rk3588_blocks[blk].base + S_POINTER_REL) / 4];

	rf->executer[blk] = (uint8_t)g;
	if (!SIM_ASSUME_SINGLE_BANK && sim_assume_pointer_toggles(sptr))
		rf->pointer[blk] = (uint8_t)(g ^ 1u);
	return g;
}
