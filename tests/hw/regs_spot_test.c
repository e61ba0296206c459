// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Spot checks of the generated register header against numbers taken by
 * hand from the hardware notes. Every expected value here is a literal on
 * purpose: deriving it from the generated code would test nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rk3588_regs.h"

static void test_offsets(void **state)
{
	(void)state;
	assert_int_equal(REG_PC_VERSION, 0x0000);
	assert_int_equal(REG_PC_OPERATION_ENABLE, 0x0008);
	assert_int_equal(REG_PC_BASE_ADDRESS, 0x0010);
	assert_int_equal(REG_PC_REGISTER_AMOUNTS, 0x0014);
	assert_int_equal(REG_PC_INTERRUPT_MASK, 0x0020);
	assert_int_equal(REG_PC_INTERRUPT_CLEAR, 0x0024);
	assert_int_equal(REG_PC_INTERRUPT_STATUS, 0x0028);
	assert_int_equal(REG_PC_INTERRUPT_RAW_STATUS, 0x002c);
	assert_int_equal(REG_PC_TASK_CON, 0x0030);
	assert_int_equal(REG_PC_TASK_DMA_BASE_ADDR, 0x0034);
	assert_int_equal(REG_PC_TASK_STATUS, 0x003c);
	assert_int_equal(REG_CNA_S_POINTER, 0x1004);
	assert_int_equal(REG_CNA_CONV_CON1, 0x100c);
	assert_int_equal(REG_CNA_FEATURE_DATA_ADDR, 0x1070);
	assert_int_equal(REG_CNA_DMA_CON2, 0x1080);
	assert_int_equal(REG_CNA_DCOMP_ADDR0, 0x1110);
	assert_int_equal(REG_CNA_DCOMP_AMOUNT15, 0x117c);
	assert_int_equal(REG_CNA_PAD_CON1, 0x1184);
	assert_int_equal(REG_CORE_S_POINTER, 0x3004);
	assert_int_equal(REG_CORE_MAC_GATING, 0x300c);
	assert_int_equal(REG_CORE_RESERVED_3030, 0x3030);
	assert_int_equal(REG_DPU_S_POINTER, 0x4004);
	assert_int_equal(REG_DPU_DATA_FORMAT, 0x4010);
	assert_int_equal(REG_DPU_DST_BASE_ADDR, 0x4020);
	assert_int_equal(REG_DPU_SURFACE_ADD, 0x40c0);
	assert_int_equal(REG_DPU_RESERVED_40C4, 0x40c4);
	assert_int_equal(REG_DPU_LUT_LO_SLOPE_SHIFT, 0x412c);
	assert_int_equal(REG_DPU_RDMA_S_POINTER, 0x5004);
	assert_int_equal(REG_DPU_RDMA_RDMA_EW_SURF_NOTCH, 0x506c);
	assert_int_equal(REG_PPU_DST_BASE_ADDR, 0x6070);
	assert_int_equal(REG_PPU_MISC_CTRL, 0x60dc);
	assert_int_equal(REG_PPU_RDMA_OPERATION_ENABLE, 0x7008);
	assert_int_equal(REG_PPU_RDMA_RDMA_DATA_FORMAT, 0x7030);
	assert_int_equal(REG_DDMA_CFG_DMA_FIFO_CLR, 0x8014);
	assert_int_equal(REG_DDMA_CFG_STATUS, 0x8030);
	assert_int_equal(REG_DDMA_CLR_ALL_RW_AMOUNT, 0x8010);
	assert_int_equal(REG_DDMA_WT_RD_AMOUNT, 0x803c);
	assert_int_equal(REG_SDMA_CFG_STATUS, 0x9030);
	assert_int_equal(REG_GLOBAL_OPERATION_ENABLE, 0xf008);
}

static void test_codes(void **state)
{
	(void)state;
	assert_int_equal(RK3588_TARGET_PC, 0x0101);
	assert_int_equal(RK3588_TARGET_CNA, 0x0201);
	assert_int_equal(RK3588_TARGET_CORE, 0x0801);
	assert_int_equal(RK3588_TARGET_DPU, 0x1001);
	assert_int_equal(RK3588_TARGET_DPU_RDMA, 0x2001);
	assert_int_equal(RK3588_TARGET_PPU, 0x4001);
	assert_int_equal(RK3588_TARGET_PPU_RDMA, 0x8001);
	assert_int_equal(RK3588_TARGET_OP_EN, 0x0081);
	assert_int_equal(RK3588_TARGET_PRE_OP, 0x0041);
	assert_int_equal(RK3588_TARGET_NOP, 0x0001);

	/* Op-enable masks seen in real streams. */
	assert_int_equal(RK3588_OP_EN_CNA | RK3588_OP_EN_CORE | RK3588_OP_EN_DPU, 0x0d);
	assert_int_equal(RK3588_OP_EN_CNA | RK3588_OP_EN_CORE | RK3588_OP_EN_DPU |
			 RK3588_OP_EN_DPU_RDMA, 0x1d);
	assert_int_equal(RK3588_OP_EN_DPU | RK3588_OP_EN_DPU_RDMA, 0x18);
	assert_int_equal(RK3588_OP_EN_PPU | RK3588_OP_EN_PPU_RDMA, 0x60);

	assert_int_equal(RK3588_INT_CNA_FEATURE_GRP0, 0x1);
	assert_int_equal(RK3588_INT_CNA_FEATURE_GRP1, 0x2);
	assert_int_equal(RK3588_INT_CNA_WEIGHT_GRP0 | RK3588_INT_CNA_WEIGHT_GRP1, 0xc);
	assert_int_equal(RK3588_INT_CNA_CSC_GRP0 | RK3588_INT_CNA_CSC_GRP1, 0x30);
	assert_int_equal(RK3588_INT_CORE_GRP0 | RK3588_INT_CORE_GRP1, 0xc0);
	assert_int_equal(RK3588_INT_DPU_GRP0 | RK3588_INT_DPU_GRP1, 0x300);
	assert_int_equal(RK3588_INT_PPU_GRP0 | RK3588_INT_PPU_GRP1, 0xc00);
	assert_int_equal(RK3588_INT_DMA_READ_ERROR, 0x1000);
	assert_int_equal(RK3588_INT_DMA_WRITE_ERROR, 0x2000);
	assert_int_equal(RK3588_INT_ALL, 0x1ffff);

	assert_int_equal(RK3588_ACCESS_RW, 0);
	assert_int_equal(RK3588_ACCESS_RO, 1);
	assert_int_equal(RK3588_ACCESS_W1C, 2);
}

static void test_pc_fields(void **state)
{
	uint32_t r;

	(void)state;
	assert_int_equal(PC_TASK_CON_TASK_NUMBER__SHIFT, 0);
	assert_int_equal(PC_TASK_CON_TASK_NUMBER__WIDTH, 12);
	assert_int_equal(PC_TASK_CON_TASK_NUMBER__MASK, 0x00000fff);
	assert_int_equal(PC_TASK_CON_TASK_PP_EN__MASK, 0x00001000);
	assert_int_equal(PC_TASK_CON_TASK_COUNT_CLEAR__MASK, 0x00002000);

	/* Vendor commit: ((0x6 | pingpong) << 12) | task_number. */
	r = 0;
	assert_true(rk3588_set_PC_TASK_CON_RESERVED_0(&r, 1));
	assert_true(rk3588_set_PC_TASK_CON_TASK_COUNT_CLEAR(&r, 1));
	assert_true(rk3588_set_PC_TASK_CON_TASK_PP_EN(&r, 1));
	assert_true(rk3588_set_PC_TASK_CON_TASK_NUMBER(&r, 4095));
	assert_int_equal(r, 0x7fff);
	assert_false(rk3588_set_PC_TASK_CON_TASK_NUMBER(&r, 4096));
	assert_int_equal(r, 0x7fff);
	/* Mainline commit value. */
	assert_true(rk3588_set_PC_TASK_CON_TASK_NUMBER(&r, 1));
	assert_int_equal(r, 0x7001);

	/* Slave-mode switch and a 16-byte aligned regcmd address. */
	r = 0;
	assert_true(rk3588_set_PC_BASE_ADDRESS_PC_SEL(&r, 1));
	assert_int_equal(r, 0x1);
	r = 0;
	assert_true(rk3588_set_PC_BASE_ADDRESS_PC_SOURCE_ADDR(&r, 0x12345670u >> 4));
	assert_int_equal(r, 0x12345670);

	/* 104-word body + 4 tail words = 54 word pairs, minus one. */
	r = 0;
	assert_true(rk3588_set_PC_REGISTER_AMOUNTS_PC_DATA_AMOUNT(&r, 53));
	assert_int_equal(r, 53);
	assert_false(rk3588_set_PC_REGISTER_AMOUNTS_PC_DATA_AMOUNT(&r, 0x10000));

	/* Idle TASK_STATUS read on hardware; the counter is the low 12 bits. */
	assert_int_equal(rk3588_get_PC_TASK_STATUS_TASK_COUNTER(0x00005003), 3);
	assert_int_equal(rk3588_get_PC_TASK_STATUS_FIRST_TASK(0x00005000), 1);
	assert_int_equal(rk3588_get_PC_TASK_STATUS_LAST_TASK(0x00005000), 0);

	/* S_POINTER as the drivers write it: pp enables + pp mode, core id in 29:28. */
	r = 0;
	assert_true(rk3588_set_CNA_S_POINTER_POINTER_PP_EN(&r, 1));
	assert_true(rk3588_set_CNA_S_POINTER_EXECUTER_PP_EN(&r, 1));
	assert_true(rk3588_set_CNA_S_POINTER_POINTER_PP_MODE(&r, 1));
	assert_int_equal(r, 0xe);
	assert_true(rk3588_set_CNA_S_POINTER_RESERVED_28(&r, 2));
	assert_int_equal(r, 0x2000000e);
	assert_int_equal(DPU_S_POINTER_EXECUTER__MASK, 0x00010000);
}

static void test_cna_fields(void **state)
{
	uint32_t r;

	(void)state;
	/* CONV_CON1: PROC_PRECISION [9:7], IN_PRECISION [6:4], CONV_MODE [3:0]. */
	assert_int_equal(CNA_CONV_CON1_PROC_PRECISION__SHIFT, 7);
	assert_int_equal(CNA_CONV_CON1_PROC_PRECISION__MASK, 0x00000380);
	assert_int_equal(CNA_CONV_CON1_IN_PRECISION__SHIFT, 4);
	assert_int_equal(CNA_CONV_CON1_IN_PRECISION__MASK, 0x00000070);
	assert_int_equal(CNA_CONV_CON1_CONV_MODE__MASK, 0x0000000f);
	assert_int_equal(CNA_CONV_CON1_GROUP_LINE_OFF__MASK, 0x20000000);
	r = 0;
	assert_true(rk3588_set_CNA_CONV_CON1_PROC_PRECISION(&r, 2));
	assert_true(rk3588_set_CNA_CONV_CON1_IN_PRECISION(&r, 2));
	assert_true(rk3588_set_CNA_CONV_CON1_CONV_MODE(&r, 3));
	assert_int_equal(r, 0x123);
	assert_false(rk3588_set_CNA_CONV_CON1_IN_PRECISION(&r, 8));
	assert_int_equal(r, 0x123);

	/* DMA_CON2.SURF_STRIDE is signed 28-bit. */
	assert_int_equal(CNA_DMA_CON2_SURF_STRIDE__WIDTH, 28);
	r = 0;
	assert_true(rk3588_set_CNA_DMA_CON2_SURF_STRIDE(&r, -3));
	assert_int_equal(r, 0x0ffffffd);
	assert_int_equal(rk3588_get_CNA_DMA_CON2_SURF_STRIDE(0x0ffffffd), -3);
	/* Streams write 0x10000000 - 3M for a negative stride; M = 5: */
	assert_int_equal(rk3588_get_CNA_DMA_CON2_SURF_STRIDE(0x0ffffff1), -15);
	assert_int_equal(rk3588_get_CNA_DMA_CON2_SURF_STRIDE(0xf7ffffff), 0x7ffffff);
	assert_true(rk3588_set_CNA_DMA_CON2_SURF_STRIDE(&r, -0x8000000));
	assert_int_equal(r, 0x08000000);
	assert_false(rk3588_set_CNA_DMA_CON2_SURF_STRIDE(&r, -0x8000001));
	assert_false(rk3588_set_CNA_DMA_CON2_SURF_STRIDE(&r, 0x8000000));
	assert_int_equal(r, 0x08000000);

	/* CVT_CON1 offset is signed 16-bit: -128 (unsigned-to-signed input shift) is 0xff80. */
	r = 0;
	assert_true(rk3588_set_CNA_CVT_CON1_CVT_OFFSET0(&r, -128));
	assert_true(rk3588_set_CNA_CVT_CON1_CVT_SCALE0(&r, 16384));
	assert_int_equal(r, 0x4000ff80);
	assert_int_equal(rk3588_get_CNA_CVT_CON1_CVT_OFFSET0(r), -128);
}

/* The int8 M=4 K=32 N=32 worked example, register by register. */
static void test_worked_example(void **state)
{
	uint32_t r;

	(void)state;
	r = 0;
	assert_true(rk3588_set_CNA_CONV_CON2_FEATURE_GRAINS(&r, 5));
	assert_int_equal(r, 0x50);

	r = 0;
	assert_true(rk3588_set_CNA_DATA_SIZE0_DATAIN_WIDTH(&r, 1));
	assert_true(rk3588_set_CNA_DATA_SIZE0_DATAIN_HEIGHT(&r, 4));
	assert_int_equal(r, 0x00010004);

	r = 0;
	assert_true(rk3588_set_CNA_DATA_SIZE1_DATAIN_CHANNEL_REAL(&r, 31));
	assert_true(rk3588_set_CNA_DATA_SIZE1_DATAIN_CHANNEL(&r, 32));
	assert_int_equal(r, 0x001f0020);

	r = 0;
	assert_true(rk3588_set_CNA_WEIGHT_SIZE2_WEIGHT_WIDTH(&r, 1));
	assert_true(rk3588_set_CNA_WEIGHT_SIZE2_WEIGHT_HEIGHT(&r, 1));
	assert_true(rk3588_set_CNA_WEIGHT_SIZE2_WEIGHT_KERNELS(&r, 32));
	assert_int_equal(r, 0x01010020);

	r = 0;
	assert_true(rk3588_set_CNA_CBUF_CON0_WEIGHT_BANK(&r, 11));
	assert_true(rk3588_set_CNA_CBUF_CON0_DATA_BANK(&r, 1));
	assert_int_equal(r, 0xb1);

	r = 0;
	assert_true(rk3588_set_CNA_CVT_CON0_DATA_SIGN(&r, 1));
	assert_true(rk3588_set_CNA_CVT_CON0_CVT_TYPE(&r, 1));
	assert_true(rk3588_set_CNA_CVT_CON0_CVT_BYPASS(&r, 1));
	assert_int_equal(r, 0xb);

	r = 0;
	assert_true(rk3588_set_CNA_CVT_CON1_CVT_SCALE0(&r, 1));
	assert_int_equal(r, 0x10000);

	r = 0;
	assert_true(rk3588_set_CNA_DMA_CON0_WEIGHT_BURST_LEN(&r, 15));
	assert_true(rk3588_set_CNA_DMA_CON0_DATA_BURST_LEN(&r, 15));
	assert_int_equal(r, 0x000f000f);

	r = 0;
	assert_true(rk3588_set_CORE_DATAOUT_SIZE_0_DATAOUT_HEIGHT(&r, 3));
	assert_int_equal(r, 0x00030000);

	r = 0;
	assert_true(rk3588_set_DPU_FEATURE_MODE_CFG_BURST_LEN(&r, 15));
	assert_true(rk3588_set_DPU_FEATURE_MODE_CFG_OUTPUT_MODE(&r, 2));
	assert_int_equal(r, 0x1e4);

	r = 0;
	assert_true(rk3588_set_DPU_DATA_FORMAT_OUT_PRECISION(&r, 4));
	assert_int_equal(r, 0x80000000);

	r = 0;
	assert_true(rk3588_set_DPU_DST_SURF_STRIDE_VALUE(&r, 4));
	assert_int_equal(r, 0x40);

	r = 0;
	assert_true(rk3588_set_DPU_DATA_CUBE_CHANNEL_ORIG_CHANNEL(&r, 31));
	assert_true(rk3588_set_DPU_DATA_CUBE_CHANNEL_CHANNEL(&r, 31));
	assert_int_equal(r, 0x001f001f);

	r = 0;
	assert_true(rk3588_set_DPU_BS_CFG_BS_RELU_BYPASS(&r, 1));
	assert_true(rk3588_set_DPU_BS_CFG_BS_MUL_BYPASS(&r, 1));
	assert_true(rk3588_set_DPU_BS_CFG_BS_ALU_BYPASS(&r, 1));
	assert_true(rk3588_set_DPU_BS_CFG_BS_BYPASS(&r, 1));
	assert_int_equal(r, 0x53);

	r = 0;
	assert_true(rk3588_set_DPU_BS_OW_CFG_SIZE_E_2(&r, 7));
	assert_true(rk3588_set_DPU_BS_OW_CFG_SIZE_E_1(&r, 7));
	assert_true(rk3588_set_DPU_BS_OW_CFG_SIZE_E_0(&r, 7));
	assert_true(rk3588_set_DPU_BS_OW_CFG_OD_BYPASS(&r, 1));
	assert_int_equal(r, 0x7fe);

	r = 0;
	assert_true(rk3588_set_DPU_EW_CFG_EW_RELU_BYPASS(&r, 1));
	assert_true(rk3588_set_DPU_EW_CFG_EW_OP_CVT_BYPASS(&r, 1));
	assert_true(rk3588_set_DPU_EW_CFG_EW_LUT_BYPASS(&r, 1));
	assert_true(rk3588_set_DPU_EW_CFG_EW_OP_BYPASS(&r, 1));
	assert_true(rk3588_set_DPU_EW_CFG_EW_BYPASS(&r, 1));
	assert_int_equal(r, 0x383);

	r = 0;
	assert_true(rk3588_set_DPU_SURFACE_ADD_SURF_ADD(&r, 32));
	assert_int_equal(r, 0x200);

	/* Tail words. */
	assert_true(rk3588_regcmd(0x1001, 0x4004, 0xe) == 0x10010000000e4004ull);
	assert_true(rk3588_regcmd(0x0101, 0x0014, 0) == 0x0101000000000014ull);
	assert_true(rk3588_regcmd(RK3588_TARGET_PRE_OP, 0, 0) == 0x0041000000000000ull);
	assert_true(rk3588_regcmd(0x0081, 0x0008, 0xd) == 0x00810000000d0008ull);
	assert_true(rk3588_regcmd(RK3588_TARGET_OP_EN, REG_PC_OPERATION_ENABLE, 0x7f) ==
		    0x00810000007f0008ull);

	assert_int_equal(rk3588_regcmd_target(0x00810000000d0008ull), 0x0081);
	assert_int_equal(rk3588_regcmd_offset(0x00810000000d0008ull), 0x0008);
	assert_int_equal(rk3588_regcmd_value(0x00810000000d0008ull), 0xd);
	assert_int_equal(rk3588_regcmd_value(0x0201deadbeef1070ull), 0xdeadbeef);
	assert_int_equal(rk3588_regcmd_offset(0x0201deadbeef1070ull), 0x1070);
}

static void test_lookup(void **state)
{
	const struct rk3588_reg_info *r;

	(void)state;
	assert_string_equal(rk3588_reg_name(0x100c), "CNA.CONV_CON1");
	assert_string_equal(rk3588_reg_name(0x0010), "PC.BASE_ADDRESS");
	assert_string_equal(rk3588_reg_name(0x4004), "DPU.S_POINTER");
	assert_string_equal(rk3588_reg_name(0xf008), "GLOBAL.OPERATION_ENABLE");
	assert_string_equal(rk3588_reg_name(0x0000), "PC.VERSION");
	assert_null(rk3588_reg_name(0x1018));
	assert_null(rk3588_reg_lookup(0x1002));
	assert_null(rk3588_reg_lookup(0x2000));
	assert_null(rk3588_reg_lookup(0xf000));
	assert_null(rk3588_reg_lookup(0x10000));
	assert_null(rk3588_reg_lookup(0xffffffffu));

	r = rk3588_reg_lookup(0x0000);
	assert_non_null(r);
	assert_int_equal(r->reset, 0x46495245);
	assert_int_equal(r->access, RK3588_ACCESS_RO);
	assert_int_equal(r->block, RK3588_BLOCK_PC);
	r = rk3588_reg_lookup(0x0020);
	assert_non_null(r);
	assert_int_equal(r->reset, 0x1ffff);
	r = rk3588_reg_lookup(0x0024);
	assert_non_null(r);
	assert_int_equal(r->access, RK3588_ACCESS_W1C);
	r = rk3588_reg_lookup(0x300c);
	assert_non_null(r);
	assert_int_equal(r->reset, 0x7800800);
	assert_int_equal(r->block, RK3588_BLOCK_CORE);
	r = rk3588_reg_lookup(0x5000);
	assert_non_null(r);
	assert_int_equal(r->access, RK3588_ACCESS_RO);
	r = rk3588_reg_lookup(0x7030);
	assert_non_null(r);
	assert_int_equal(r->block, RK3588_BLOCK_PPU_RDMA);
}

static void test_blocks(void **state)
{
	const struct rk3588_block_info *b;

	(void)state;
	assert_ptr_equal(rk3588_block_of(0x0000), &rk3588_blocks[RK3588_BLOCK_PC]);
	assert_ptr_equal(rk3588_block_of(0x1fff), &rk3588_blocks[RK3588_BLOCK_CNA]);
	assert_null(rk3588_block_of(0x2000));
	assert_null(rk3588_block_of(0x2ffc));
	assert_ptr_equal(rk3588_block_of(0x3000), &rk3588_blocks[RK3588_BLOCK_CORE]);
	assert_ptr_equal(rk3588_block_of(0x4020), &rk3588_blocks[RK3588_BLOCK_DPU]);
	assert_ptr_equal(rk3588_block_of(0x5000), &rk3588_blocks[RK3588_BLOCK_DPU_RDMA]);
	assert_ptr_equal(rk3588_block_of(0x6070), &rk3588_blocks[RK3588_BLOCK_PPU]);
	assert_ptr_equal(rk3588_block_of(0x7fff), &rk3588_blocks[RK3588_BLOCK_PPU_RDMA]);
	assert_ptr_equal(rk3588_block_of(0x8014), &rk3588_blocks[RK3588_BLOCK_DDMA]);
	assert_ptr_equal(rk3588_block_of(0x9030), &rk3588_blocks[RK3588_BLOCK_SDMA]);
	assert_null(rk3588_block_of(0xa000));
	assert_ptr_equal(rk3588_block_of(0xf008), &rk3588_blocks[RK3588_BLOCK_GLOBAL]);
	assert_null(rk3588_block_of(0xf010));
	assert_null(rk3588_block_of(0x10000));

	b = &rk3588_blocks[RK3588_BLOCK_PC];
	assert_string_equal(b->name, "PC");
	assert_int_equal(b->target, 0x0101);
	assert_int_equal(b->op_en_bit, -1);
	assert_int_equal(b->banked_from, 0);
	b = &rk3588_blocks[RK3588_BLOCK_CNA];
	assert_string_equal(b->name, "CNA");
	assert_int_equal(b->base, 0x1000);
	assert_int_equal(b->size, 0x1000);
	assert_int_equal(b->target, 0x0201);
	assert_int_equal(b->op_en_bit, 0);
	assert_int_equal(b->banked_from, 0x1008);
	b = &rk3588_blocks[RK3588_BLOCK_PPU_RDMA];
	assert_int_equal(b->target, 0x8001);
	assert_int_equal(b->op_en_bit, 6);
	assert_int_equal(b->banked_from, 0x7008);
	b = &rk3588_blocks[RK3588_BLOCK_DDMA];
	assert_int_equal(b->target, 0);
	assert_int_equal(b->op_en_bit, -1);
	b = &rk3588_blocks[RK3588_BLOCK_GLOBAL];
	assert_string_equal(b->name, "GLOBAL");
	assert_int_equal(b->base, 0xf000);
	assert_int_equal(b->size, 0x10);

	/* GLOBAL.OPERATION_ENABLE uses the op-enable command's bit order. */
	{
		uint32_t r = 0;

		assert_true(rk3588_set_GLOBAL_OPERATION_ENABLE_CNA_OP_EN(&r, 1));
		assert_true(rk3588_set_GLOBAL_OPERATION_ENABLE_CORE_OP_EN(&r, 1));
		assert_true(rk3588_set_GLOBAL_OPERATION_ENABLE_DPU_OP_EN(&r, 1));
		assert_int_equal(r, 0xd);
		assert_int_equal(GLOBAL_OPERATION_ENABLE_PPU_RDMA_OP_EN__MASK, 0x40);
	}
}

/* The registers whose values are DMA addresses, from the hardware notes:
 * the PC's regcmd source, CNA feature and weight bases, the DPU output,
 * the four DPU_RDMA operand bases, the PPU output and its RDMA input. */
static void test_addr_regs(void **state)
{
	static const uint32_t expected[] = {
		0x0010, 0x1070, 0x1110, 0x4020, 0x5018, 0x5020, 0x502c, 0x5038, 0x6070, 0x701c,
	};

	(void)state;
	assert_int_equal(rk3588_num_addr_regs, sizeof(expected) / sizeof(expected[0]));
	for (unsigned int i = 0; i < rk3588_num_addr_regs; i++) {
		assert_int_equal(rk3588_addr_regs[i], expected[i]);
		assert_true(rk3588_reg_is_addr(expected[i]));
	}
	/* Pitches and sizes named like addresses are not addresses. */
	assert_false(rk3588_reg_is_addr(REG_DPU_DATA_CUBE_NOTCH_ADDR));
	assert_false(rk3588_reg_is_addr(REG_PC_REGISTER_AMOUNTS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_pc_fields),
		cmocka_unit_test(test_cna_fields),
		cmocka_unit_test(test_worked_example),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_addr_regs),
	};

	return cmocka_run_group_tests_name("hw-regs-spot", tests, NULL, NULL);
}
