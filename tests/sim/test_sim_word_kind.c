// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The per-word table behind the model's register writes, against the
 * generated register and block tables read here with plain scans: every
 * register found at its offset with its access, every offset in its block
 * and group, unknown offsets stored as before; then every word of the
 * window written through MMIO and read back, in both ping-pong groups.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "rk3588_regs.h"
#include "sim_internal.h"
#include "sim_test_bus.h"

/* The generated register at @off, by a scan of the whole table. */
static const struct rk3588_reg_info *reg_at(uint32_t off)
{
	for (unsigned int i = 0; i < rk3588_num_regs; i++)
		if (rk3588_regs[i].offset == off)
			return &rk3588_regs[i];
	return NULL;
}

/* The first block whose range holds @off, or -1. */
static int block_at(uint32_t off)
{
	for (int b = 0; b < RK3588_BLOCK_COUNT; b++)
		if (off >= rk3588_blocks[b].base && off - rk3588_blocks[b].base < rk3588_blocks[b].size)
			return b;
	return -1;
}

static bool compute_block(int b)
{
	return b >= 0 && rk3588_blocks[b].banked_from != 0;
}

/* S_STATUS and S_POINTER open every compute block; the LUT port streams. */
static bool has_side_effect(uint32_t off)
{
	int b = block_at(off);

	if (off == REG_DPU_LUT_ACCESS_CFG || off == REG_DPU_LUT_ACCESS_DATA)
		return true;
	return compute_block(b) && (off == rk3588_blocks[b].base || off == rk3588_blocks[b].base + 4);
}

static void test_every_word_against_tables(void **state)
{
	unsigned int ro = 0, banked = 0, special = 0;

	(void)state;
	for (uint32_t off = 0; off < RK3588_SIM_WINDOW_SIZE; off += 4) {
		const struct rk3588_reg_info *r = reg_at(off);
		int b = block_at(off);
		uint8_t kind = sim_regfile_word_kind(off);
		bool want_ro = r && r->access == RK3588_ACCESS_RO;
		bool want_banked = compute_block(b) && off >= rk3588_blocks[b].banked_from;

		if (((kind & SIM_WORD_READ_ONLY) != 0) != want_ro ||
		    ((kind & SIM_WORD_BANKED) != 0) != want_banked ||
		    ((kind & SIM_WORD_SIDE_EFFECT) != 0) != has_side_effect(off))
			fail_msg("offset 0x%04x: kind 0x%02x, want ro %d banked %d side effect %d", off,
				 kind, want_ro, want_banked, has_side_effect(off));
		if (compute_block(b))
			assert_int_equal(kind & SIM_WORD_BLOCK_MASK, b);
		else
			assert_int_equal(kind & SIM_WORD_BLOCK_MASK, SIM_WORD_NO_BLOCK);
		ro += want_ro;
		banked += want_banked;
		special += has_side_effect(off);
	}
	/* The reference itself is not empty: the XML has read-only identity
	 * and status registers, six compute blocks of two words each plus the
	 * LUT port, and banked ranges. */
	assert_true(ro >= 4);
	assert_int_equal(special, 6 * 2 + 2);
	assert_true(banked > 1000);
	/* Beyond the window nothing is a register of the model. */
	assert_int_equal(sim_regfile_word_kind(RK3588_SIM_WINDOW_SIZE), SIM_WORD_NO_BLOCK);
	assert_int_equal(sim_regfile_word_kind(0xfffffffcu), SIM_WORD_NO_BLOCK);
}

/* Registers whose MMIO access is not storage: PC interrupt, task and
 * start registers, the LUT port, S_STATUS/S_POINTER. */
static bool not_storage(uint32_t off)
{
	switch (off) {
	case REG_PC_INTERRUPT_MASK:
	case REG_PC_INTERRUPT_CLEAR:
	case REG_PC_INTERRUPT_STATUS:
	case REG_PC_INTERRUPT_RAW_STATUS:
	case REG_PC_TASK_CON:
	case REG_PC_TASK_STATUS:
	case REG_PC_OPERATION_ENABLE:
		return true;
	default:
		return has_side_effect(off);
	}
}

static uint32_t pattern(uint32_t off, unsigned int round)
{
	return 0x5a000000u ^ (round << 20) ^ off;
}

/* Every word written through MMIO lands where the tables say: read-only
 * ones keep their reset value, banked ones go to the group the block's
 * pointer selects (@group), everything else to group 0. */
static void write_window(struct rk3588_sim *sim, unsigned int group, unsigned int round)
{
	struct sim_core *c = &sim->core[0];
	unsigned int checked = 0;

	for (uint32_t off = 0; off < RK3588_SIM_WINDOW_SIZE; off += 4) {
		const struct rk3588_reg_info *r;
		int b = block_at(off);
		unsigned int g;
		uint32_t want;

		if (not_storage(off) || sim_iommu_owns(c, off))
			continue;
		r = reg_at(off);
		rk3588_sim_mmio_write(sim, 0, off, pattern(off, round));
		want = r && r->access == RK3588_ACCESS_RO ? r->reset : pattern(off, round);
		g = compute_block(b) && off >= rk3588_blocks[b].banked_from && !SIM_ASSUME_SINGLE_BANK
			    ? group
			    : 0;
		if (rk3588_sim_mmio_read(sim, 0, off) != want || c->rf.word[g][off / 4] != want)
			fail_msg("offset 0x%04x group %u: read 0x%08x, stored 0x%08x, want 0x%08x", off,
				 g, rk3588_sim_mmio_read(sim, 0, off), c->rf.word[g][off / 4], want);
		checked++;
	}
	assert_true(checked > 16000);
}

static void test_every_word_through_mmio(void **state)
{
	struct fake_bus fb;
	struct rk3588_sim *sim;

	(void)state;
	fb_init(&fb, 1u << 16);
	sim = test_sim_create(&fb, false, 1);
	assert_non_null(sim);
	write_window(sim, 0, 0);
	/* Every compute block's pointer to group 1: banked words move there,
	 * and group 0 keeps the first round's values. */
	for (int b = 0; b < RK3588_BLOCK_COUNT; b++) {
		uint32_t v = 0;

		if (!compute_block(b))
			continue;
		rk3588_set_CNA_S_POINTER_POINTER(&v, 1);
		rk3588_sim_mmio_write(sim, 0, rk3588_blocks[b].base + 4, v);
	}
	write_window(sim, 1, 1);
	for (uint32_t off = 0; off < RK3588_SIM_WINDOW_SIZE; off += 4) {
		int b = block_at(off);
		const struct rk3588_reg_info *r = reg_at(off);

		if (not_storage(off) || sim_iommu_owns(&sim->core[0], off) || SIM_ASSUME_SINGLE_BANK ||
		    !compute_block(b) || off < rk3588_blocks[b].banked_from ||
		    (r && r->access == RK3588_ACCESS_RO))
			continue;
		assert_int_equal(sim->core[0].rf.word[0][off / 4], pattern(off, 0));
	}
	rk3588_sim_destroy(sim);
	fb_fini(&fb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_word_against_tables),
		cmocka_unit_test(test_every_word_through_mmio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
