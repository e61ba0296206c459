// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Matmul register programs. The single-task program must equal the worked
 * int8 M=4 K=32 N=32 table of the hardware notes (section 8) word for word;
 * its entries are written out here as literal (target, offset, value)
 * triples in stream order.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "rnpu/matmul_task.h"

#define IN_ADDR 0x10000000u
#define WT_ADDR 0x10001000u
#define OUT_ADDR 0x10002000u
#define RC_ADDR 0x10003000u

struct word {
	uint16_t target, reg;
	uint32_t value;
};

static const struct word table8[] = {
	{ 0x1001, 0x4004, 0xe },
	{ 0x0201, 0x100c, 0x0 },
	{ 0x0201, 0x1010, 0x50 },
	{ 0x0201, 0x1014, 0x9 },
	{ 0x0201, 0x1020, 0x00010004 },
	{ 0x0201, 0x1024, 0x001f0020 },
	{ 0x0201, 0x1028, 1 },
	{ 0x0201, 0x102c, 4 },
	{ 0x0201, 0x1030, 0x400 },
	{ 0x0201, 0x1034, 32 },
	{ 0x0201, 0x1038, 0x01010020 },
	{ 0x0201, 0x1040, 0xb1 },
	{ 0x0201, 0x1044, 1 },
	{ 0x0201, 0x104c, 0xb },
	{ 0x0201, 0x1050, 0x10000 },
	{ 0x0201, 0x1054, 0x10000 },
	{ 0x0201, 0x1058, 0x10000 },
	{ 0x0201, 0x105c, 0x10000 },
	{ 0x0201, 0x1060, 0 },
	{ 0x0201, 0x1064, 0 },
	{ 0x0201, 0x1068, 0 },
	{ 0x0201, 0x1070, IN_ADDR },
	{ 0x0201, 0x1074, 0 },
	{ 0x0201, 0x1078, 0x000f000f },
	{ 0x0201, 0x107c, 4 },
	{ 0x0201, 0x1080, 0 },
	{ 0x0201, 0x1084, 0x00010004 },
	{ 0x0201, 0x1088, 32 },
	{ 0x0201, 0x1100, 0 },
	{ 0x0201, 0x1104, 0 },
	{ 0x0201, 0x1110, WT_ADDR },
	{ 0x0201, 0x1140, 0 }, { 0x0201, 0x1144, 0 }, { 0x0201, 0x1148, 0 }, { 0x0201, 0x114c, 0 },
	{ 0x0201, 0x1150, 0 }, { 0x0201, 0x1154, 0 }, { 0x0201, 0x1158, 0 }, { 0x0201, 0x115c, 0 },
	{ 0x0201, 0x1160, 0 }, { 0x0201, 0x1164, 0 }, { 0x0201, 0x1168, 0 }, { 0x0201, 0x116c, 0 },
	{ 0x0201, 0x1170, 0 }, { 0x0201, 0x1174, 0 }, { 0x0201, 0x1178, 0 }, { 0x0201, 0x117c, 0 },
	{ 0x0201, 0x1180, 0 },
	{ 0x0201, 0x1184, 0 },
	{ 0x0801, 0x3010, 0x0 },
	{ 0x0801, 0x3014, 0x00030000 },
	{ 0x0801, 0x3018, 31 },
	{ 0x0801, 0x301c, 0 },
	{ 0x0801, 0x3030, 0 },
	{ 0x1001, 0x400c, 0x1e4 },
	{ 0x1001, 0x4010, 0x80000000 },
	{ 0x1001, 0x4014, 0 },
	{ 0x1001, 0x4020, OUT_ADDR },
	{ 0x1001, 0x4024, 0x40 },
	{ 0x1001, 0x4030, 0 },
	{ 0x1001, 0x4034, 3 },
	{ 0x1001, 0x4038, 0 },
	{ 0x1001, 0x403c, 0x001f001f },
	{ 0x1001, 0x4040, 0x53 },
	{ 0x1001, 0x4044, 0 },
	{ 0x1001, 0x4048, 0 },
	{ 0x1001, 0x404c, 0 },
	{ 0x1001, 0x4050, 0x7fe },
	{ 0x1001, 0x4054, 0 },
	{ 0x1001, 0x4058, 31 },
	{ 0x1001, 0x405c, 0x00030000 },
	{ 0x1001, 0x4060, 0x53 },
	{ 0x1001, 0x4064, 0 },
	{ 0x1001, 0x4068, 0 },
	{ 0x1001, 0x406c, 0 },
	{ 0x1001, 0x4070, 0x383 },
	{ 0x1001, 0x4074, 0 },
	{ 0x1001, 0x4078, 1 },
	{ 0x1001, 0x407c, 0 },
	{ 0x1001, 0x4080, 0 },
	{ 0x1001, 0x4084, 1 },
	{ 0x1001, 0x4088, 0 },
	{ 0x1001, 0x4090, 0 }, { 0x1001, 0x4094, 0 }, { 0x1001, 0x4098, 0 }, { 0x1001, 0x409c, 0 },
	{ 0x1001, 0x40a0, 0 }, { 0x1001, 0x40a4, 0 }, { 0x1001, 0x40a8, 0 }, { 0x1001, 0x40ac, 0 },
	{ 0x1001, 0x40c0, 0x200 },
	{ 0x1001, 0x40c4, 0 },
	{ 0x1001, 0x4100, 0 }, { 0x1001, 0x4104, 0 }, { 0x1001, 0x4108, 0 }, { 0x1001, 0x410c, 0 },
	{ 0x1001, 0x4110, 0 }, { 0x1001, 0x4114, 0 }, { 0x1001, 0x4118, 0 }, { 0x1001, 0x411c, 0 },
	{ 0x1001, 0x4120, 0 }, { 0x1001, 0x4124, 0 }, { 0x1001, 0x4128, 0 }, { 0x1001, 0x412c, 0 },
};

#define BODY_WORDS (sizeof(table8) / sizeof(table8[0]))

static uint64_t word_of(const struct word *w)
{
	return (uint64_t)w->target << 48 | (uint64_t)w->value << 16 | w->reg;
}

static size_t index_of(uint16_t reg)
{
	for (size_t i = 0; i < BODY_WORDS; i++)
		if (table8[i].reg == reg)
			return i;
	fail_msg("register 0x%04x not in the table", reg);
	return 0;
}

static struct rnpu_matmul_desc desc(enum rnpu_mm_type type, uint32_t m, uint32_t k, uint32_t n)
{
	return (struct rnpu_matmul_desc){
		.type = type, .m = m, .k = k, .n = n,
		.a_dma = IN_ADDR, .b_dma = WT_ADDR, .c_dma = OUT_ADDR,
	};
}

/* Compare task @t of @p with the section-8 table patched by @patch. */
static void check_body(const struct rnpu_regcmd_prog *p, size_t t, const struct word *patch,
		       size_t npatch)
{
	struct word want[BODY_WORDS];
	const uint64_t *got = p->words + p->tasks[t].word_offset;

	memcpy(want, table8, sizeof(want));
	for (size_t i = 0; i < npatch; i++)
		want[index_of(patch[i].reg)].value = patch[i].value;
	assert_int_equal(p->tasks[t].body_words, BODY_WORDS);
	for (size_t i = 0; i < BODY_WORDS; i++) {
		if (got[i] != word_of(&want[i]))
			fail_msg("task %zu word %zu (reg 0x%04x): got 0x%016llx want 0x%016llx", t, i,
				 want[i].reg, (unsigned long long)got[i],
				 (unsigned long long)word_of(&want[i]));
	}
}

static void test_section8_int8(void **state)
{
	struct rnpu_matmul_desc d = desc(RNPU_MM_INT8_INT32, 4, 32, 32);
	struct rnpu_regcmd_prog p;
	char err[160] = "x";

	(void)state;
	assert_int_equal(BODY_WORDS, 104);
	assert_int_equal(rnpu_matmul_build(&d, RC_ADDR, &p, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(p.ntasks, 1);
	assert_int_equal(p.tasks[0].word_offset, 0);
	assert_int_equal(p.tasks[0].body_words, 104);
	assert_int_equal(p.tasks[0].enable_mask, 0xd);
	assert_int_equal(p.tasks[0].int_mask, 0x300);
	check_body(&p, 0, NULL, 0);
	/* Tail of the only task, then padding to 112 words (896 bytes). */
	assert_true(p.words[104] == 0);
	assert_true(p.words[105] == 0x0101000000000014ull);
	assert_true(p.words[106] == 0x0041000000000000ull);
	assert_true(p.words[107] == 0x00810000000d0008ull);
	assert_int_equal(p.nwords, 112);
	for (int i = 108; i < 112; i++)
		assert_true(p.words[i] == 0);
	assert_int_equal(rnpu_regcmd_fetch_amount(p.tasks[0].body_words), 53);
	rnpu_regcmd_fini(&p);
}

static void test_fp16_variants(void **state)
{
	/* Same shape in fp16: 2-byte elements double the weight sizes; CNA/CORE
	 * precision 2; DPU out fp32 (5) with 4 atoms per 16-kernel group or
	 * fp16 (2) with 2 atoms and the fp32->fp16 converter on. */
	static const struct word fp32[] = {
		{ 0, 0x100c, 0x120 }, { 0, 0x1030, 0x800 }, { 0, 0x1034, 64 },
		{ 0, 0x3010, 0x200 }, { 0, 0x4010, 0xa8000002 }, { 0, 0x4050, 0x36e },
		{ 0, 0x40c0, 0x100 },
	};
	static const struct word fp16[] = {
		{ 0, 0x100c, 0x120 }, { 0, 0x1030, 0x800 }, { 0, 0x1034, 64 },
		{ 0, 0x3010, 0x200 }, { 0, 0x4010, 0x48000002 }, { 0, 0x4050, 0x126 },
		{ 0, 0x4084, 0x10001 }, { 0, 0x40c0, 0x80 },
	};
	struct rnpu_matmul_desc d = desc(RNPU_MM_FP16_FP32, 4, 32, 32);
	struct rnpu_regcmd_prog p;

	(void)state;
	assert_int_equal(rnpu_matmul_build(&d, RC_ADDR, &p, NULL, 0), 0);
	assert_int_equal(p.ntasks, 1);
	check_body(&p, 0, fp32, sizeof(fp32) / sizeof(fp32[0]));
	rnpu_regcmd_fini(&p);

	d.type = RNPU_MM_FP16_FP16;
	assert_int_equal(rnpu_matmul_build(&d, RC_ADDR, &p, NULL, 0), 0);
	check_body(&p, 0, fp16, sizeof(fp16) / sizeof(fp16[0]));
	rnpu_regcmd_fini(&p);
}

static void test_three_tile_chain(void **state)
{
	/* M = 12 in tiles of 4: each tile is the section-8 program moved 4 rows
	 * (64 bytes) further into A and C, with full-M strides: DMA_CON2 = 12-4,
	 * DST_SURF_STRIDE = 12 atoms, SURFACE_ADD = 8*12 = 96 atoms. Tasks sit
	 * at words 0, 112, 224 = bytes 0, 0x380, 0x700 from the buffer start. */
	struct rnpu_matmul_desc d = desc(RNPU_MM_INT8_INT32, 12, 32, 32);
	struct rnpu_regcmd_prog p;
	const uint32_t rc = 0x20000000u;

	(void)state;
	d.max_tile_m = 4;
	assert_int_equal(rnpu_matmul_build(&d, rc, &p, NULL, 0), 0);
	assert_int_equal(p.ntasks, 3);
	assert_int_equal(p.nwords, 336);
	for (size_t t = 0; t < 3; t++) {
		const struct word patch[] = {
			{ 0, 0x1070, IN_ADDR + 64 * (uint32_t)t },
			{ 0, 0x1080, 8 },
			{ 0, 0x4020, OUT_ADDR + 64 * (uint32_t)t },
			{ 0, 0x4024, 12 << 4 },
			{ 0, 0x40c0, 96 << 4 },
		};

		assert_int_equal(p.tasks[t].word_offset, 112 * t);
		assert_int_equal(p.tasks[t].enable_mask, 0xd);
		assert_int_equal(p.tasks[t].int_mask, 0x300);
		check_body(&p, t, patch, sizeof(patch) / sizeof(patch[0]));
	}
	/* Task 0 -> 0x20000380, task 1 -> 0x20000700; both amounts 53 (0x35). */
	assert_true(p.words[104] == 0x0101200003800010ull);
	assert_true(p.words[105] == 0x0101000000350014ull);
	assert_true(p.words[106] == 0x0041000000000000ull);
	assert_true(p.words[107] == 0x00810000000d0008ull);
	assert_true(p.words[216] == 0x0101200007000010ull);
	assert_true(p.words[217] == 0x0101000000350014ull);
	assert_true(p.words[218] == 0x0041000000000000ull);
	assert_true(p.words[219] == 0x00810000000d0008ull);
	assert_true(p.words[328] == 0);
	assert_true(p.words[329] == 0x0101000000000014ull);
	assert_true(p.words[330] == 0x0041000000000000ull);
	assert_true(p.words[331] == 0x00810000000d0008ull);
	rnpu_regcmd_fini(&p);
}

static void test_short_last_tile(void **state)
{
	/* M = 10 in tiles of 4: 4, 4, 2. The last tile reads rows 8..9. */
	static const struct word last[] = {
		{ 0, 0x1010, 3 << 4 },            /* grains 2 + 1 */
		{ 0, 0x1020, 0x00010002 },
		{ 0, 0x102c, 2 },
		{ 0, 0x1070, IN_ADDR + 128 },
		{ 0, 0x1080, 6 },                 /* 10 - 4 */
		{ 0, 0x1084, 0x00010002 },
		{ 0, 0x3014, 0x00010000 },
		{ 0, 0x4020, OUT_ADDR + 128 },
		{ 0, 0x4024, 10 << 4 },
		{ 0, 0x4034, 1 },
		{ 0, 0x405c, 0x00010000 },
		{ 0, 0x40c0, 80 << 4 },
	};
	struct rnpu_matmul_desc d = desc(RNPU_MM_INT8_INT32, 10, 32, 32);
	struct rnpu_regcmd_prog p;

	(void)state;
	d.max_tile_m = 4;
	assert_int_equal(rnpu_matmul_build(&d, RC_ADDR, &p, NULL, 0), 0);
	assert_int_equal(p.ntasks, 3);
	check_body(&p, 2, last, sizeof(last) / sizeof(last[0]));
	rnpu_regcmd_fini(&p);
}

static uint32_t body_value(const struct rnpu_regcmd_prog *p, size_t t, uint16_t reg)
{
	const uint64_t *w = p->words + p->tasks[t].word_offset;

	for (size_t i = 0; i < p->tasks[t].body_words; i++)
		if ((w[i] & 0xffff) == reg)
			return (uint32_t)(w[i] >> 16);
	fail_msg("register 0x%04x not written by task %zu", reg, t);
	return 0;
}

static void test_default_tiles(void **state)
{
	struct rnpu_matmul_desc d = desc(RNPU_MM_INT8_INT32, 2000, 32, 32);
	struct rnpu_regcmd_prog p;

	(void)state;
	/* A 32-byte row takes one 64-byte CBUF entry, so 11 banks would hold
	 * 5632 rows, but FEATURE_GRAINS (10 bits) caps a tile at 1022 rows,
	 * rounded down to 1020: tiles 1020, 980. 1020 entries of 64 bytes need
	 * 2 data banks (0xa2), and so do 980. */
	assert_int_equal(rnpu_matmul_build(&d, RC_ADDR, &p, NULL, 0), 0);
	assert_int_equal(p.ntasks, 2);
	assert_int_equal(body_value(&p, 0, 0x1020), 0x000103fc);
	assert_int_equal(body_value(&p, 0, 0x1010), 1021 << 4);
	assert_int_equal(body_value(&p, 0, 0x1040), 0xa2);
	assert_int_equal(body_value(&p, 1, 0x1040), 0xa2);
	assert_int_equal(body_value(&p, 1, 0x1020), 0x000103d4);
	assert_int_equal(body_value(&p, 1, 0x1070), IN_ADDR + 1020 * 16);
	assert_int_equal(body_value(&p, 1, 0x1080), 1996);
	rnpu_regcmd_fini(&p);

	/* K = 4096: a 32-kernel group needs 4 banks, leaving 8 for data, which
	 * hold 8 * 32768 / 4096 = 64 rows: tiles 64 (8 data banks, 0x48) and 36
	 * (ceil(36 * 4096 / 32768) = 5 data banks, 0x75). */
	d = desc(RNPU_MM_INT8_INT32, 100, 4096, 32);
	assert_int_equal(rnpu_matmul_build(&d, RC_ADDR, &p, NULL, 0), 0);
	assert_int_equal(p.ntasks, 2);
	assert_int_equal(body_value(&p, 0, 0x1020), 0x00010040);
	assert_int_equal(body_value(&p, 0, 0x1040), 0x48);
	assert_int_equal(body_value(&p, 0, 0x1044), 64);   /* 4096 bytes / 64 */
	assert_int_equal(body_value(&p, 1, 0x1020), 0x00010024);
	assert_int_equal(body_value(&p, 1, 0x1040), 0x75);
	rnpu_regcmd_fini(&p);

	/* A requested tile larger than what fits is clamped. */
	d.max_tile_m = 80;
	assert_int_equal(rnpu_matmul_build(&d, RC_ADDR, &p, NULL, 0), 0);
	assert_int_equal(body_value(&p, 0, 0x1020), 0x00010040);
	rnpu_regcmd_fini(&p);

	/* Largest K: one 32-kernel group of 11264 bytes each fills 11 banks. */
	d = desc(RNPU_MM_INT8_INT32, 5, 11264, 32);
	assert_int_equal(rnpu_matmul_build(&d, RC_ADDR, &p, NULL, 0), 0);
	assert_int_equal(p.ntasks, 3);   /* 2 rows per bank: 2, 2, 1 */
	assert_int_equal(body_value(&p, 0, 0x1040), 0xb1);
	rnpu_regcmd_fini(&p);

	/* M = 1: surface stride 1 - 4 = -3 in 28-bit two's complement. */
	d = desc(RNPU_MM_INT8_INT32, 1, 32, 16);
	assert_int_equal(rnpu_matmul_build(&d, RC_ADDR, &p, NULL, 0), 0);
	assert_int_equal(body_value(&p, 0, 0x1080), 0x0ffffffd);
	rnpu_regcmd_fini(&p);
}

/* Build must fail with @want_ret and exactly @want_msg, leaving @p empty. */
static void refuse(const struct rnpu_matmul_desc *d, uint64_t rc, int want_ret,
		   const char *want_msg)
{
	struct rnpu_regcmd_prog p;
	char err[200];

	assert_int_equal(rnpu_matmul_build(d, rc, &p, err, sizeof(err)), want_ret);
	assert_string_equal(err, want_msg);
	assert_null(p.words);
	assert_null(p.tasks);
	assert_int_equal(p.nwords, 0);
	assert_int_equal(p.ntasks, 0);
}

static void test_refusals(void **state)
{
	struct rnpu_matmul_desc d;

	(void)state;
	d = desc(RNPU_MM_INT8_INT32, 4, 32, 32);
	d.type = (enum rnpu_mm_type)7;
	refuse(&d, RC_ADDR, -EINVAL, "matmul ? 4x32x32: type: unknown matmul type 7");

	d = desc(RNPU_MM_INT8_INT32, 0, 32, 32);
	refuse(&d, RC_ADDR, -EINVAL,
	       "matmul int8->int32 0x32x32: M, K, N must be at least 1 (got 0, 32, 32)");

	d = desc(RNPU_MM_INT8_INT32, 4, 48, 32);
	refuse(&d, RC_ADDR, -EINVAL, "matmul int8->int32 4x48x32: K = 48 is not a multiple of 32");

	d = desc(RNPU_MM_FP16_FP16, 4, 32, 24);
	refuse(&d, RC_ADDR, -EINVAL, "matmul fp16->fp16 4x32x24: N = 24 is not a multiple of 16");

	d = desc(RNPU_MM_FP16_FP32, 4, 16416, 16);
	refuse(&d, RC_ADDR, -ERANGE, "matmul fp16->fp32 4x16416x16: K = 16416: 32832 bytes per"
				     " kernel exceed one 32768-byte CBUF bank");

	/* 32 kernels * 11296 bytes = 361472 bytes = 11.03 banks. */
	d = desc(RNPU_MM_INT8_INT32, 4, 11296, 32);
	refuse(&d, RC_ADDR, -ERANGE, "matmul int8->int32 4x11296x32: K = 11296: one kernel"
				     " group's weights (361472 bytes) do not fit the 11 CBUF"
				     " banks left beside one data bank");

	d = desc(RNPU_MM_INT8_INT32, 4, 32, 32);
	d.a_dma = 0x1008;
	refuse(&d, RC_ADDR, -EINVAL,
	       "matmul int8->int32 4x32x32: A: device address 0x1008 is not 16-byte aligned");

	d = desc(RNPU_MM_INT8_INT32, 4, 32, 32);
	d.b_dma = 0x100000000ull;
	refuse(&d, RC_ADDR, -ERANGE, "matmul int8->int32 4x32x32: B: 0x100000000 + 1024 bytes ends"
				     " beyond the 32-bit device address space");

	/* C is 8 surfaces * 4 rows * 16 bytes = 512 bytes. */
	d = desc(RNPU_MM_INT8_INT32, 4, 32, 32);
	d.c_dma = 0xffffff00u;
	refuse(&d, RC_ADDR, -ERANGE, "matmul int8->int32 4x32x32: C: 0xffffff00 + 512 bytes ends"
				     " beyond the 32-bit device address space");

	d = desc(RNPU_MM_INT8_INT32, 4, 32, 32);
	refuse(&d, 0x1004, -EINVAL,
	       "matmul int8->int32 4x32x32: regcmd: device address 0x1004 is not 16-byte aligned");
	/* One task = 112 words = 896 bytes. */
	refuse(&d, 0xffffff00u, -ERANGE, "matmul int8->int32 4x32x32: regcmd: 0xffffff00 + 896"
					 " bytes ends beyond the 32-bit device address space");

	/* N beyond the DPU's 13-bit channel fields. */
	d = desc(RNPU_MM_INT8_INT32, 4, 32, 8208);
	refuse(&d, RC_ADDR, -ERANGE, "matmul int8->int32 4x32x8208: DPU.DATA_CUBE_CHANNEL.CHANNEL:"
				     " 8207 does not fit in 13 bits");

	/* M beyond the 28-bit SURFACE_ADD (8 * M atoms) while all tensors
	 * still fit below 4 GiB. */
	d = desc(RNPU_MM_INT8_INT32, 33554436, 32, 16);
	d.a_dma = 0;
	d.b_dma = 0x50000000u;
	d.c_dma = 0x60000000u;
	refuse(&d, RC_ADDR, -ERANGE, "matmul int8->int32 33554436x32x16: DPU.SURFACE_ADD.SURF_ADD:"
				     " 268435488 does not fit in 28 bits");
}

/* The epilogue fields: requantisation, ReLU, partial sums, row ranges. */
static void test_epilogue(void **state)
{
	struct rnpu_matmul_desc d;
	struct rnpu_regcmd_prog p;
	struct rnpu_mm_requant q;

	(void)state;
	d = desc(RNPU_MM_INT8_INT32, 4, 32, 32);
	d.requant.scale = 3;
	refuse(&d, RC_ADDR, -EINVAL, "matmul int8->int32 4x32x32: requant: only for int8->int8"
				     " output");
	d = desc(RNPU_MM_INT8_INT8, 4, 32, 32);
	refuse(&d, RC_ADDR, -EINVAL, "matmul int8->int8 4x32x32: requant.scale: 0 for int8->int8"
				     " output");
	d.requant = (struct rnpu_mm_requant){ .scale = 1, .shift = 48 };
	refuse(&d, RC_ADDR, -ERANGE, "matmul int8->int8 4x32x32: requant.shift: 48 exceeds 47");
	d = desc(RNPU_MM_INT8_INT32, 4, 32, 32);
	d.acc_dma = 0x2008;
	refuse(&d, RC_ADDR, -EINVAL, "matmul int8->int32 4x32x32: partial sums: device address"
				     " 0x2008 is not 16-byte aligned");

	/* OUT_CVT carries the requantisation; output int8 (precision 0). */
	d = desc(RNPU_MM_INT8_INT8, 4, 32, 32);
	d.requant = (struct rnpu_mm_requant){ .scale = 40000, .shift = 20, .offset = -5 };
	assert_int_equal(rnpu_matmul_build(&d, RC_ADDR, &p, NULL, 0), 0);
	assert_int_equal(body_value(&p, 0, 0x4084), 40000);          /* OUT_CVT_SCALE */
	assert_int_equal(body_value(&p, 0, 0x4088), (1u << 30) | 20); /* CVT_ROUND | SHIFT */
	assert_int_equal(body_value(&p, 0, 0x4080), (uint32_t)-5);    /* OUT_CVT_OFFSET */
	assert_int_equal(body_value(&p, 0, 0x4010) >> 29, 0);         /* OUT_PRECISION int8 */
	rnpu_regcmd_fini(&p);

	/* A partial-sum operand turns DPU_RDMA on and reads 32-bit ERDMA. */
	d = desc(RNPU_MM_INT8_INT32, 4, 32, 32);
	d.acc_dma = 0x30000000u;
	d.relu = true;
	assert_int_equal(rnpu_matmul_build(&d, RC_ADDR, &p, NULL, 0), 0);
	assert_int_equal(p.tasks[0].enable_mask, 0x1d);
	assert_int_equal(body_value(&p, 0, 0x5038), 0x30000000u);    /* RDMA_EW_BASE_ADDR */
	assert_int_equal(body_value(&p, 0, 0x5034) >> 30, 1);         /* per-pixel ERDMA */
	assert_int_equal((body_value(&p, 0, 0x5034) >> 2) & 3u, 3);   /* 32-bit operands */
	rnpu_regcmd_fini(&p);

	/* Rows: only the range asked for, tiled as the whole. */
	d = desc(RNPU_MM_INT8_INT32, 40, 32, 32);
	d.max_tile_m = 8;
	d.row_begin = 8;
	d.row_count = 20;
	rnpu_regcmd_init(&p);
	assert_int_equal(rnpu_matmul_append(&d, &p), 0);
	assert_int_equal(p.ntasks, 3); /* 8, 8, 4 rows */
	assert_int_equal(body_value(&p, 0, 0x1070), IN_ADDR + 8 * 16);
	rnpu_regcmd_fini(&p);
	d.row_count = 33;
	rnpu_regcmd_init(&p);
	assert_int_equal(rnpu_matmul_append(&d, &p), -EINVAL);
	assert_non_null(strstr(p.msg, "rows 8+33 outside M = 40"));
	rnpu_regcmd_fini(&p);

	/* Multipliers to fixed point: scale in [2^15, 2^16), value kept. */
	assert_int_equal(rnpu_mm_requant_from_float(1.0 / 256.0, 7, &q), 0);
	assert_int_equal(q.scale, 32768);
	assert_int_equal(q.shift, 23);
	assert_int_equal(q.offset, 7);
	assert_int_equal(rnpu_mm_requant_from_float(0.3, 0, &q), 0);
	assert_true(q.scale >= 32768);
	assert_true(fabs(q.scale / (double)(1ull << q.shift) - 0.3) < 0.3 / 32768.0);
	assert_int_equal(rnpu_mm_requant_from_float(0.0, 0, &q), -EINVAL);
	assert_int_equal(rnpu_mm_requant_from_float(-1.0, 0, &q), -EINVAL);
	assert_int_equal(rnpu_mm_requant_from_float(70000.0, 0, &q), -EINVAL);
}

static void test_err_optional(void **state)
{
	struct rnpu_matmul_desc d = desc(RNPU_MM_INT8_INT32, 4, 48, 32);
	struct rnpu_regcmd_prog p;
	char small[8];

	(void)state;
	assert_int_equal(rnpu_matmul_build(&d, RC_ADDR, &p, NULL, 0), -EINVAL);
	assert_int_equal(rnpu_matmul_build(&d, RC_ADDR, &p, small, sizeof(small)), -EINVAL);
	assert_string_equal(small, "matmul ");
	rnpu_regcmd_fini(&p);   /* harmless on the empty program */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_section8_int8),
		cmocka_unit_test(test_fp16_variants),
		cmocka_unit_test(test_three_tile_chain),
		cmocka_unit_test(test_short_last_tile),
		cmocka_unit_test(test_default_tiles),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_epilogue),
		cmocka_unit_test(test_err_optional),
	};

	return cmocka_run_group_tests_name("lib-matmul-task", tests, NULL, NULL);
}
