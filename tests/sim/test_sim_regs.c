// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Software NPU register file seen through MMIO: identity, reset values,
 * read-only registers, plain storage, and the two ping-pong groups.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "rk3588_regs.h"
#include "rk3588_sim.h"
#include "sim_test_bus.h"

struct ctx {
	struct fake_bus fb;
	struct rk3588_sim *sim;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	fb_init(&c->fb, 1u << 16);
	c->sim = test_sim_create(&c->fb, false, 3);
	if (!c->sim)
		return -1;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	rk3588_sim_destroy(c->sim);
	fb_fini(&c->fb);
	free(c);
	return 0;
}

static uint32_t rd(struct ctx *c, uint32_t off)
{
	return rk3588_sim_mmio_read(c->sim, 0, off);
}

static void wr(struct ctx *c, uint32_t off, uint32_t v)
{
	rk3588_sim_mmio_write(c->sim, 0, off, v);
}

static void test_version_registers(void **state)
{
	struct ctx *c = *state;

	for (unsigned int core = 0; core < 3; core++) {
		assert_int_equal(rk3588_sim_mmio_read(c->sim, core, REG_PC_VERSION), 0x46495245);
		assert_int_equal(rk3588_sim_mmio_read(c->sim, core, REG_PC_VERSION_NUM), 0);
	}
	wr(c, REG_PC_VERSION, 0x12345678);
	wr(c, REG_PC_VERSION_NUM, 7);
	assert_int_equal(rd(c, REG_PC_VERSION), 0x46495245);
	assert_int_equal(rd(c, REG_PC_VERSION_NUM), 0);
}

static void test_reset_values(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(rd(c, REG_PC_INTERRUPT_MASK), 0x1ffff);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_RAW_STATUS), 0);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_STATUS), 0);
	assert_int_equal(rd(c, REG_PC_TASK_STATUS) & 0xfff, 0);
	assert_int_equal(rd(c, REG_CORE_MAC_GATING), 0x7800800);
	assert_int_equal(rd(c, REG_CNA_CONV_CON1), 0);
	assert_int_equal(rd(c, REG_DPU_S_POINTER), 0);
}

static void test_unknown_offsets_read_back(void **state)
{
	struct ctx *c = *state;
	/* PC gap, the unused 0x2000 block, an undescribed CNA offset (banked),
	 * DDMA, and the GLOBAL block. */
	const uint32_t offs[] = { 0x0040, 0x2000, 0x2ffc, 0x1ffc, 0x8000, 0xf00c, 0xfffc };

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		wr(c, offs[i], 0xc0de0000u + (uint32_t)i);
		assert_int_equal(rd(c, offs[i]), 0xc0de0000u + (uint32_t)i);
	}
	/* Other cores keep their own copy. */
	assert_int_equal(rk3588_sim_mmio_read(c->sim, 1, 0x2000), 0);
}

static void test_read_only_registers_ignore_writes(void **state)
{
	struct ctx *c = *state;

	wr(c, REG_PC_INTERRUPT_STATUS, 0xffff);
	wr(c, REG_PC_INTERRUPT_RAW_STATUS, 0xffff);
	wr(c, REG_PC_TASK_STATUS, 0xfff);
	wr(c, REG_CNA_S_STATUS, 0x10001);
	wr(c, REG_DPU_S_STATUS, 0x10001);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_STATUS), 0);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_RAW_STATUS), 0);
	assert_int_equal(rd(c, REG_PC_TASK_STATUS) & 0xfff, 0);
	assert_int_equal(rd(c, REG_CNA_S_STATUS), 0);
	assert_int_equal(rd(c, REG_DPU_S_STATUS), 0);
}

static void test_bad_accesses_are_harmless(void **state)
{
	struct ctx *c = *state;

	rk3588_sim_mmio_write(c->sim, 3, REG_PC_INTERRUPT_MASK, 0);
	rk3588_sim_mmio_write(c->sim, 0, 0x10000, 1);
	rk3588_sim_mmio_write(c->sim, 0, REG_CNA_CONV_CON1 + 1, 1);
	assert_int_equal(rk3588_sim_mmio_read(c->sim, 3, REG_PC_VERSION), 0);
	assert_int_equal(rk3588_sim_mmio_read(c->sim, 0, 0x10000), 0);
	assert_int_equal(rk3588_sim_mmio_read(c->sim, 0, REG_PC_VERSION + 2), 0);
	assert_int_equal(rd(c, REG_CNA_CONV_CON1), 0);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_MASK), 0x1ffff);
}

static uint32_t sptr(uint32_t pointer, bool pp)
{
	uint32_t v = 0;

	rk3588_set_CNA_S_POINTER_POINTER(&v, pointer);
	rk3588_set_CNA_S_POINTER_POINTER_PP_EN(&v, pp);
	rk3588_set_CNA_S_POINTER_EXECUTER_PP_EN(&v, pp);
	rk3588_set_CNA_S_POINTER_POINTER_PP_MODE(&v, pp);
	return v;
}

static void test_pingpong_groups(void **state)
{
	struct ctx *c = *state;

	/* Group 0 and group 1 of CNA.CONV_CON1 hold different values. */
	wr(c, REG_CNA_S_POINTER, sptr(0, true));
	wr(c, REG_CNA_CONV_CON1, 0x111);
	wr(c, REG_CNA_S_POINTER, sptr(1, true));
	assert_int_equal(rd(c, REG_CNA_S_POINTER), sptr(1, true));
	assert_int_equal(rd(c, REG_CNA_CONV_CON1), 0);
	wr(c, REG_CNA_CONV_CON1, 0x222);
	assert_int_equal(rd(c, REG_CNA_CONV_CON1), 0x222);
	wr(c, REG_CNA_S_POINTER, sptr(0, true));
	assert_int_equal(rd(c, REG_CNA_CONV_CON1), 0x111);

	/* OPERATION_ENABLE (+0x8) is the first banked register; S_POINTER
	 * itself is not banked. */
	wr(c, REG_CNA_OPERATION_ENABLE, 0);
	wr(c, REG_CNA_S_POINTER, sptr(1, true));
	wr(c, REG_CNA_OPERATION_ENABLE, 1);
	wr(c, REG_CNA_S_POINTER, sptr(0, true));
	assert_int_equal(rd(c, REG_CNA_OPERATION_ENABLE), 0);

	/* POINTER_PP_CLEAR forces group 0 whatever bit 0 says. */
	uint32_t v = sptr(1, true);

	rk3588_set_CNA_S_POINTER_POINTER_PP_CLEAR(&v, 1);
	wr(c, REG_CNA_S_POINTER, v);
	assert_int_equal(rk3588_get_CNA_S_POINTER_POINTER(rd(c, REG_CNA_S_POINTER)), 0);
	assert_int_equal(rd(c, REG_CNA_CONV_CON1), 0x111);

	/* Each block has its own pointer; the PC is not banked at all. */
	wr(c, REG_DPU_S_POINTER, sptr(1, true));
	assert_int_equal(rd(c, REG_CNA_CONV_CON1), 0x111);
	wr(c, REG_DPU_DATA_FORMAT, 0x333);
	wr(c, REG_DPU_S_POINTER, sptr(0, true));
	assert_int_equal(rd(c, REG_DPU_DATA_FORMAT), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_registers),
		cmocka_unit_test(test_reset_values),
		cmocka_unit_test(test_unknown_offsets_read_back),
		cmocka_unit_test(test_read_only_registers_ignore_writes),
		cmocka_unit_test(test_bad_accesses_are_harmless),
		cmocka_unit_test(test_pingpong_groups),
	};

	return cmocka_run_group_tests_name("sim-regs", tests, setup, teardown);
}
