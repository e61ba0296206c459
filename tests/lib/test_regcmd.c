// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* Register-program builder: tails, alignment, chaining, fetch amounts and
 * error reporting. Expected words are worked out by hand from the hardware
 * notes (word = target << 48 | value << 16 | offset). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "rk3588_regs.h"
#include "rnpu/regcmd.h"

static void test_fetch_amount(void **state)
{
	(void)state;
	/* ceil((body + 4) / 2) - 1 */
	assert_int_equal(rnpu_regcmd_fetch_amount(0), 1);
	assert_int_equal(rnpu_regcmd_fetch_amount(1), 2);
	assert_int_equal(rnpu_regcmd_fetch_amount(2), 2);
	assert_int_equal(rnpu_regcmd_fetch_amount(104), 53);
	/* Amounts of a captured vendor chain: bodies 108, 13, 12, 17. */
	assert_int_equal(rnpu_regcmd_fetch_amount(108), 55);
	assert_int_equal(rnpu_regcmd_fetch_amount(13), 8);
	assert_int_equal(rnpu_regcmd_fetch_amount(12), 7);
	assert_int_equal(rnpu_regcmd_fetch_amount(17), 10);
}

static void test_single_task(void **state)
{
	struct rnpu_regcmd_prog p;

	(void)state;
	rnpu_regcmd_init(&p);
	rnpu_regcmd_task_begin(&p);
	rnpu_regcmd_emit(&p, RK3588_TARGET_DPU, REG_DPU_S_POINTER, 0xe);
	rnpu_regcmd_emit(&p, RK3588_TARGET_CNA, REG_CNA_DATA_SIZE0, 0x00010004);
	rnpu_regcmd_task_end(&p, 0x0d, 0x300);
	assert_int_equal(rnpu_regcmd_link(&p, 0x40000000), 0);

	assert_int_equal(p.ntasks, 1);
	assert_int_equal(p.tasks[0].word_offset, 0);
	assert_int_equal(p.tasks[0].body_words, 2);
	assert_int_equal(p.tasks[0].enable_mask, 0x0d);
	assert_int_equal(p.tasks[0].int_mask, 0x300);
	/* 2 body + 4 tail, padded to 8 words = 64 bytes. */
	assert_int_equal(p.nwords, 8);
	assert_true(p.words[0] == 0x10010000000e4004ull);
	assert_true(p.words[1] == 0x0201000100041020ull);
	assert_true(p.words[2] == 0);
	assert_true(p.words[3] == 0x0101000000000014ull);
	assert_true(p.words[4] == 0x0041000000000000ull);
	assert_true(p.words[5] == 0x00810000000d0008ull);
	assert_true(p.words[6] == 0);
	assert_true(p.words[7] == 0);
	rnpu_regcmd_fini(&p);
	assert_null(p.words);
	assert_int_equal(p.nwords, 0);
}

static void emit_n(struct rnpu_regcmd_prog *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		rnpu_regcmd_emit(p, RK3588_TARGET_CNA, REG_CNA_PAD_CON1, i);
}

static void test_three_task_chain(void **state)
{
	struct rnpu_regcmd_prog p;

	(void)state;
	rnpu_regcmd_init(&p);
	/* Bodies 3, 9, 2. Task 0 spans 7 words -> next at word 8; task 1 spans
	 * 13 -> next at word 24; task 2 spans 6 -> buffer 32 words. */
	rnpu_regcmd_task_begin(&p);
	emit_n(&p, 3);
	rnpu_regcmd_task_end(&p, 0x0d, 0x300);
	rnpu_regcmd_task_begin(&p);
	emit_n(&p, 9);
	rnpu_regcmd_task_end(&p, 0x18, 0x300);
	rnpu_regcmd_task_begin(&p);
	emit_n(&p, 2);
	rnpu_regcmd_task_end(&p, 0x60, 0xc00);
	assert_int_equal(rnpu_regcmd_link(&p, 0x10000040), 0);

	assert_int_equal(p.ntasks, 3);
	assert_int_equal(p.nwords, 32);
	assert_int_equal(p.tasks[0].word_offset, 0);
	assert_int_equal(p.tasks[1].word_offset, 8);
	assert_int_equal(p.tasks[2].word_offset, 24);
	assert_int_equal(p.tasks[1].body_words, 9);
	assert_int_equal(p.tasks[2].enable_mask, 0x60);
	assert_int_equal(p.tasks[2].int_mask, 0xc00);

	/* Task 0 -> task 1 at 0x10000040 + 64 = 0x10000080, amount ceil(13/2)-1 = 6. */
	assert_true(p.words[3] == 0x0101100000800010ull);
	assert_true(p.words[4] == 0x0101000000060014ull);
	assert_true(p.words[5] == 0x0041000000000000ull);
	assert_true(p.words[6] == 0x00810000000d0008ull);
	assert_true(p.words[7] == 0);
	/* Task 1 -> task 2 at 0x10000040 + 192 = 0x10000100, amount ceil(6/2)-1 = 2. */
	assert_true(p.words[8] == 0x0201000000001184ull);
	assert_true(p.words[17] == 0x0101100001000010ull);
	assert_true(p.words[18] == 0x0101000000020014ull);
	assert_true(p.words[19] == 0x0041000000000000ull);
	assert_true(p.words[20] == 0x0081000000180008ull);
	for (int i = 21; i < 24; i++)
		assert_true(p.words[i] == 0);
	/* Last task: NOP, zero amount. */
	assert_true(p.words[26] == 0);
	assert_true(p.words[27] == 0x0101000000000014ull);
	assert_true(p.words[28] == 0x0041000000000000ull);
	assert_true(p.words[29] == 0x0081000000600008ull);
	assert_true(p.words[30] == 0 && p.words[31] == 0);

	/* Relinking for another address rewrites the links only. */
	assert_int_equal(rnpu_regcmd_link(&p, 0x20000000), 0);
	assert_true(p.words[3] == 0x0101200000400010ull);
	assert_true(p.words[17] == 0x0101200000c00010ull);
	rnpu_regcmd_fini(&p);
}

static void test_field_messages(void **state)
{
	struct rnpu_regcmd_prog p;
	uint32_t v = 0x55;

	(void)state;
	rnpu_regcmd_init(&p);
	assert_true(RNPU_REGCMD_FIELD(&p, &v, CNA, DATA_SIZE0, DATAIN_HEIGHT, 2047));
	assert_int_equal(v, 2047);
	assert_int_equal(p.err, 0);
	assert_false(RNPU_REGCMD_FIELD(&p, &v, CNA, DATA_SIZE0, DATAIN_HEIGHT, 5000));
	assert_int_equal(v, 2047);
	assert_int_equal(p.err, -ERANGE);
	assert_string_equal(p.msg, "CNA.DATA_SIZE0.DATAIN_HEIGHT: 5000 does not fit in 11 bits");
	/* Only the first failure is kept. */
	assert_false(RNPU_REGCMD_FIELD(&p, &v, CNA, DATA_SIZE0, DATAIN_WIDTH, 4096));
	assert_string_equal(p.msg, "CNA.DATA_SIZE0.DATAIN_HEIGHT: 5000 does not fit in 11 bits");
	rnpu_regcmd_fini(&p);

	v = 0;
	assert_true(RNPU_REGCMD_FIELD_S(&p, &v, CNA, DMA_CON2, SURF_STRIDE, -3));
	assert_int_equal(v, 0x0ffffffd);
	assert_false(RNPU_REGCMD_FIELD_S(&p, &v, CNA, DMA_CON2, SURF_STRIDE, -134217729));
	assert_string_equal(p.msg,
			    "CNA.DMA_CON2.SURF_STRIDE: -134217729 does not fit in 28 bits (signed)");
	rnpu_regcmd_fini(&p);

	/* Values wider than 32 bits are refused, not truncated. */
	assert_false(RNPU_REGCMD_FIELD(&p, &v, CNA, WEIGHT_SIZE0, WEIGHT_BYTES, 0x100000000ull));
	assert_string_equal(p.msg,
			    "CNA.WEIGHT_SIZE0.WEIGHT_BYTES: 4294967296 does not fit in 32 bits");
	rnpu_regcmd_fini(&p);

	v = 0;
	assert_true(RNPU_REGCMD_FIELD_ADDR(&p, &v, CNA, DCOMP_ADDR0, VALUE, 0xfffffff0u));
	assert_int_equal(v, 0xfffffff0u);
	assert_false(RNPU_REGCMD_FIELD_ADDR(&p, &v, CNA, DCOMP_ADDR0, VALUE, 0x1008));
	assert_int_equal(p.err, -EINVAL);
	assert_string_equal(p.msg, "CNA.DCOMP_ADDR0.VALUE: address 0x1008 is not 16-byte aligned");
	rnpu_regcmd_fini(&p);
	assert_false(RNPU_REGCMD_FIELD_ADDR(&p, &v, CNA, DCOMP_ADDR0, VALUE, 0x100000000ull));
	assert_int_equal(p.err, -ERANGE);
	assert_string_equal(p.msg, "CNA.DCOMP_ADDR0.VALUE: address 0x100000000 does not fit in 32 bits");
	rnpu_regcmd_fini(&p);
}

static void test_misuse(void **state)
{
	struct rnpu_regcmd_prog p;

	(void)state;
	rnpu_regcmd_init(&p);
	rnpu_regcmd_emit(&p, RK3588_TARGET_CNA, REG_CNA_DATA_SIZE0, 1);
	assert_int_equal(p.err, -EINVAL);
	assert_string_equal(p.msg, "emit of 0x1020 outside a task");
	assert_int_equal(rnpu_regcmd_link(&p, 0), -EINVAL);
	rnpu_regcmd_fini(&p);

	rnpu_regcmd_task_end(&p, 0xd, 0x300);
	assert_string_equal(p.msg, "task_end without task_begin");
	rnpu_regcmd_fini(&p);

	assert_int_equal(rnpu_regcmd_link(&p, 0), -EINVAL);
	assert_string_equal(p.msg, "link: program has no task");
	rnpu_regcmd_fini(&p);

	rnpu_regcmd_task_begin(&p);
	rnpu_regcmd_task_begin(&p);
	assert_string_equal(p.msg, "task_begin: task 0 is still open");
	rnpu_regcmd_fini(&p);

	rnpu_regcmd_task_begin(&p);
	assert_int_equal(rnpu_regcmd_link(&p, 0), -EINVAL);
	assert_string_equal(p.msg, "link: task 0 is still open");
	rnpu_regcmd_fini(&p);

	rnpu_regcmd_task_begin(&p);
	rnpu_regcmd_emit(&p, 0x10001, REG_CNA_DATA_SIZE0, 1);
	assert_string_equal(p.msg, "emit: target 0x10001 / offset 0x1020 is not a 16-bit regcmd field");
	rnpu_regcmd_fini(&p);
}

static void test_link_refusals(void **state)
{
	struct rnpu_regcmd_prog p;

	(void)state;
	rnpu_regcmd_init(&p);
	rnpu_regcmd_task_begin(&p);
	emit_n(&p, 1);
	rnpu_regcmd_task_end(&p, 0xd, 0x300);
	assert_int_equal(rnpu_regcmd_link(&p, 0x1004), -EINVAL);
	assert_string_equal(p.msg, "regcmd: device address 0x1004 is not 16-byte aligned");
	rnpu_regcmd_fini(&p);

	rnpu_regcmd_task_begin(&p);
	emit_n(&p, 1);
	rnpu_regcmd_task_end(&p, 0xd, 0x300);
	/* 8 words = 64 bytes starting 32 bytes below 4 GiB. */
	assert_int_equal(rnpu_regcmd_link(&p, 0xffffffe0u), -ERANGE);
	assert_string_equal(p.msg, "regcmd: 0xffffffe0 + 64 bytes ends beyond the 32-bit device"
				   " address space");
	rnpu_regcmd_fini(&p);
}

static void test_fetch_amount_limit(void **state)
{
	struct rnpu_regcmd_prog p;

	(void)state;
	rnpu_regcmd_init(&p);
	/* 131068 + 4 words = 65536 pairs: amount 65535, the field maximum. */
	rnpu_regcmd_task_begin(&p);
	emit_n(&p, 131068);
	rnpu_regcmd_task_end(&p, 0xd, 0x300);
	assert_int_equal(rnpu_regcmd_link(&p, 0), 0);
	rnpu_regcmd_fini(&p);

	rnpu_regcmd_task_begin(&p);
	emit_n(&p, 131069);
	rnpu_regcmd_task_end(&p, 0xd, 0x300);
	assert_int_equal(rnpu_regcmd_link(&p, 0), -ERANGE);
	assert_string_equal(p.msg, "PC.REGISTER_AMOUNTS.PC_DATA_AMOUNT: 65536 does not fit in 16 bits");
	rnpu_regcmd_fini(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fetch_amount),
		cmocka_unit_test(test_single_task),
		cmocka_unit_test(test_three_task_chain),
		cmocka_unit_test(test_field_messages),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_link_refusals),
		cmocka_unit_test(test_fetch_amount_limit),
	};

	return cmocka_run_group_tests_name("lib-regcmd", tests, NULL, NULL);
}
