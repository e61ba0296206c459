// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Blocks beyond the convolution path: which interrupt bits pooling,
 * flying-mode DPU and fused tasks raise, that every misprogramming of the
 * DPU_RDMA, PPU and PPU_RDMA ends with an error status naming the register
 * (and leaves the output untouched), and that random corruption of such
 * streams never crashes the model.
 *
 * Built twice: SIM_TEST_THREADED selects the worker-thread mode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rk3588_regs.h"
#include "rk3588_sim.h"
#include "sim_test_bus.h"
#include "sim_test_stream.h"

#ifndef SIM_TEST_THREADED
#define SIM_TEST_THREADED 0
#endif

#define MEM_SIZE (8u << 20)
#define MAX_WORDS 256u
#define SENTINEL 0xa5u
#define INT_ERR (RK3588_INT_DMA_READ_ERROR | RK3588_INT_DMA_WRITE_ERROR)
#define INT_DONE 0xfffu

struct ctx {
	struct fake_bus fb;
	struct rk3588_sim *sim;
	uint32_t cmd;
	/* A 6x5x16 int8 cube and its pooled / elementwise outputs. */
	uint32_t in, op, out;
	struct pool_desc pool;
	struct flying_desc ew;
	struct dpu_desc ew_dpu;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	fb_init(&c->fb, MEM_SIZE);
	c->sim = test_sim_create(&c->fb, SIM_TEST_THREADED, 1);
	if (!c->sim)
		return -1;
	rk3588_sim_set_alloc_limit(c->sim, 1u << 20);
	c->cmd = fb_alloc(&c->fb, (MAX_WORDS + TAIL_WORDS) * 8, 64);
	c->in = fb_alloc(&c->fb, 4096, 64);
	c->op = fb_alloc(&c->fb, 4096, 64);
	c->out = fb_alloc(&c->fb, 4096, 64);
	for (unsigned int i = 0; i < 4096; i++) {
		((uint8_t *)fb_ptr(&c->fb, c->in))[i] = (uint8_t)(i * 37u);
		((uint8_t *)fb_ptr(&c->fb, c->op))[i] = (uint8_t)(i * 11u + 3u);
	}
	c->pool = (struct pool_desc){ .prec = TP_INT8, .method = 1, .w = 5, .h = 6, .c = 16,
				      .out_w = 2, .out_h = 3, .kw = 2, .kh = 2, .sx = 2, .sy = 2,
				      .in = c->in, .out = c->out };
	c->ew_dpu = (struct dpu_desc){ .ew = { .on = true, .algo = ALU_ADD, .op_mem = true,
					       .esize = 1, .addr = c->op, .cvt = true,
					       .cvt_scale = 1 } };
	c->ew = (struct flying_desc){ .w = 5, .h = 6, .c = 16, .in_prec = TP_INT8,
				      .out_prec = TP_INT8, .in = c->in, .out = c->out,
				      .dpu = &c->ew_dpu };
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

static void reset_core(struct ctx *c)
{
	rk3588_sim_reset_assert(c->sim, 0);
	rk3588_sim_reset_deassert(c->sim, 0);
}

/* One task; returns RAW status and clears it. */
static uint32_t run(struct ctx *c, uint64_t *w, size_t n, uint32_t op_en)
{
	uint32_t raw;

	n += task_tail(w + n, 0, 0, op_en);
	fb_put_words(&c->fb, c->cmd, w, n);
	memset(fb_ptr(&c->fb, c->out), SENTINEL, 4096);
	test_commit(c->sim, 0, c->cmd, amount_for(n), 1, RK3588_INT_ALL);
	rk3588_sim_wait_idle(c->sim, 0);
	raw = rk3588_sim_mmio_read(c->sim, 0, REG_PC_INTERRUPT_RAW_STATUS);
	rk3588_sim_mmio_write(c->sim, 0, REG_PC_INTERRUPT_CLEAR, RK3588_INT_ALL);
	return raw;
}

static size_t patch(uint64_t *w, size_t n, uint32_t reg, uint32_t value)
{
	for (size_t i = 0; i < n; i++)
		if (rk3588_regcmd_offset(w[i]) == reg) {
			w[i] = rk3588_regcmd(rk3588_regcmd_target(w[i]), (uint16_t)reg, value);
			return i;
		}
	fail_msg("register 0x%04x not in the stream", reg);
	return 0;
}

/* ---- interrupt bits per block ------------------------------------------ */

static void test_pool_task_raises_ppu_bit(void **state)
{
	struct ctx *c = *state;
	uint64_t w[MAX_WORDS + TAIL_WORDS];
	size_t n = pool_words(w, &c->pool);

	reset_core(c);
	/* PPU group 0 done, nothing from blocks that did not run. */
	assert_int_equal(run(c, w, n, POOL_OP_EN), RK3588_INT_PPU_GRP0);
	assert_int_not_equal(((uint8_t *)fb_ptr(&c->fb, c->out))[0], SENTINEL);
}

static void test_flying_task_raises_dpu_bit(void **state)
{
	struct ctx *c = *state;
	uint64_t w[MAX_WORDS + TAIL_WORDS];
	size_t n = flying_body(w, &c->ew);

	reset_core(c);
	assert_int_equal(run(c, w, n, EW_OP_EN), RK3588_INT_DPU_GRP0);
}

static void test_dpu_into_ppu_raises_both(void **state)
{
	struct ctx *c = *state;
	uint64_t w[MAX_WORDS + TAIL_WORDS];
	struct dpu_desc dd = c->ew_dpu;
	struct flying_desc f = c->ew;
	struct pool_desc p = c->pool;
	size_t n;

	dd.to_ppu = true;
	dd.no_memory = true;
	f.dpu = &dd;
	p.from_dpu = true;
	n = flying_body(w, &f);
	n += pool_words(w + n, &p);
	reset_core(c);
	assert_int_equal(run(c, w, n, EW_OP_EN | PPU_OP_EN),
			 RK3588_INT_DPU_GRP0 | RK3588_INT_PPU_GRP0);
}

/* The second of two chained pooling tasks runs in register group 1 when the
 * stream leaves the pointer alone, and reports that group's bit. */
static void test_group_bit_follows_pointer(void **state)
{
	struct ctx *c = *state;
	uint64_t w[MAX_WORDS + TAIL_WORDS];
	uint64_t w2[MAX_WORDS + TAIL_WORDS];
	size_t n = pool_words(w, &c->pool), n2 = 0;
	uint32_t t2 = fb_alloc(&c->fb, (MAX_WORDS + TAIL_WORDS) * 8, 64);
	uint32_t raw;

	/* Task 2 rewrites everything but S_POINTER: after task 1 the pointers
	 * of PPU and PPU_RDMA have flipped, so its writes and its execution
	 * happen in group 1. */
	for (size_t i = 0; i < n; i++) {
		uint32_t off = rk3588_regcmd_offset(w[i]);

		if (off != REG_PPU_S_POINTER && off != REG_PPU_RDMA_S_POINTER)
			w2[n2++] = w[i];
	}
	n2 += task_tail(w2 + n2, 0, 0, POOL_OP_EN);
	fb_put_words(&c->fb, t2, w2, n2);
	n += task_tail(w + n, t2, amount_for(n2), POOL_OP_EN);
	fb_put_words(&c->fb, c->cmd, w, n);
	reset_core(c);
	test_commit(c->sim, 0, c->cmd, amount_for(n), 2, RK3588_INT_ALL);
	rk3588_sim_wait_idle(c->sim, 0);
	raw = rk3588_sim_mmio_read(c->sim, 0, REG_PC_INTERRUPT_RAW_STATUS);
	rk3588_sim_mmio_write(c->sim, 0, REG_PC_INTERRUPT_CLEAR, RK3588_INT_ALL);
	assert_int_equal(raw, RK3588_INT_PPU_GRP1);
}

/* ---- misprogramming ---------------------------------------------------- */

static void expect_refused(struct ctx *c, uint64_t *w, size_t n, uint32_t op_en,
			   const char *mention)
{
	char msg[256];
	uint32_t raw;

	reset_core(c);
	raw = run(c, w, n, op_en);
	assert_int_equal(raw & INT_ERR, RK3588_INT_DMA_READ_ERROR);
	assert_int_equal(raw & INT_DONE, 0);
	assert_int_equal(((uint8_t *)fb_ptr(&c->fb, c->out))[0], SENTINEL);
	assert_true(rk3588_sim_last_error(c->sim, 0, msg, sizeof(msg)));
	if (!strstr(msg, mention))
		fail_msg("error \"%s\" does not mention %s", msg, mention);
}

static void pool_refused(void **state, uint32_t reg, uint32_t value, uint32_t op_en,
			 const char *mention)
{
	struct ctx *c = *state;
	uint64_t w[MAX_WORDS + TAIL_WORDS];
	size_t n = pool_words(w, &c->pool);

	if (reg)
		patch(w, n, reg, value);
	expect_refused(c, w, n, op_en, mention);
}

static void ew_refused(void **state, uint32_t reg, uint32_t value, uint32_t op_en,
		       const char *mention)
{
	struct ctx *c = *state;
	uint64_t w[MAX_WORDS + TAIL_WORDS];
	size_t n = flying_body(w, &c->ew);

	if (reg)
		patch(w, n, reg, value);
	expect_refused(c, w, n, op_en, mention);
}

static void test_pool_reserved_method(void **state)
{
	uint32_t v = 0;

	rk3588_set_PPU_OPERATION_MODE_CFG_FLYING_MODE(&v, 1);
	rk3588_set_PPU_OPERATION_MODE_CFG_POOLING_METHOD(&v, 3);
	pool_refused(state, REG_PPU_OPERATION_MODE_CFG, v, POOL_OP_EN, "PPU.OPERATION_MODE_CFG");
}

static void test_pool_flying_without_rdma(void **state)
{
	pool_refused(state, 0, 0, PPU_OP_EN, "PPU.OPERATION_MODE_CFG");
}

static void test_pool_32bit_refused(void **state)
{
	uint32_t v = 0;

	rk3588_set_PPU_DATA_FORMAT_PROC_PRECISION(&v, TP_INT32);
	pool_refused(state, REG_PPU_DATA_FORMAT, v, POOL_OP_EN, "PPU.DATA_FORMAT");
}

static void test_pool_windows_outside(void **state)
{
	/* 4 outputs of a 2-wide kernel at stride 2 need 8 columns, 5 exist. */
	pool_refused(state, REG_PPU_DATA_CUBE_OUT_WIDTH, 3, POOL_OP_EN, "PPU.DATA_CUBE_OUT");
}

static void test_pool_rdma_size_mismatch(void **state)
{
	uint32_t v = 0;

	rk3588_set_PPU_RDMA_RDMA_DATA_FORMAT_IN_PRECISION(&v, 2);
	pool_refused(state, REG_PPU_RDMA_RDMA_DATA_FORMAT, v, POOL_OP_EN,
		     "PPU_RDMA.RDMA_DATA_FORMAT");
}

static void test_pool_from_dpu_without_dpu(void **state)
{
	uint32_t v = 0;

	rk3588_set_PPU_OPERATION_MODE_CFG_POOLING_METHOD(&v, 1);
	pool_refused(state, REG_PPU_OPERATION_MODE_CFG, v, POOL_OP_EN, "PPU.OPERATION_MODE_CFG");
}

static void test_ew_flying_without_rdma(void **state)
{
	ew_refused(state, 0, 0, RK3588_OP_EN_DPU, "DPU.FEATURE_MODE_CFG");
}

/* The LUT is modelled, but not its EXPAND_EN mode. */
static void test_ew_lut_refused(void **state)
{
	struct ctx *c = *state;
	uint64_t w[MAX_WORDS + TAIL_WORDS];
	size_t n = flying_body(w, &c->ew), at;
	uint32_t v = 0, lut_cfg = 0;

	rk3588_set_DPU_EW_CFG_EW_RELU_BYPASS(&v, 1);
	rk3588_set_DPU_EW_CFG_EW_OP_BYPASS(&v, 1);
	at = patch(w, n, REG_DPU_EW_CFG, v);
	rk3588_set_DPU_LUT_CFG_EXPAND_EN(&lut_cfg, 1);
	w[n++] = rk3588_regcmd(rk3588_regcmd_target(w[at]), REG_DPU_LUT_CFG, lut_cfg);
	expect_refused(c, w, n, EW_OP_EN, "DPU.LUT_CFG");
}

static void test_ew_integer_div_refused(void **state)
{
	uint32_t v = 0;

	rk3588_set_DPU_EW_CFG_EW_DATA_MODE(&v, 1);
	rk3588_set_DPU_EW_CFG_EDATA_SIZE(&v, 1);
	rk3588_set_DPU_EW_CFG_EW_ALU_ALGO(&v, ALU_DIV);
	rk3588_set_DPU_EW_CFG_EW_RELU_BYPASS(&v, 1);
	rk3588_set_DPU_EW_CFG_EW_LUT_BYPASS(&v, 1);
	rk3588_set_DPU_EW_CFG_EW_OP_SRC(&v, 1);
	ew_refused(state, REG_DPU_EW_CFG, v, EW_OP_EN, "DPU.EW_CFG");
}

static void test_erdma_size_mismatch(void **state)
{
	uint32_t v = 0;

	rk3588_set_DPU_RDMA_RDMA_ERDMA_CFG_ERDMA_DATA_MODE(&v, 1);
	rk3588_set_DPU_RDMA_RDMA_ERDMA_CFG_DATA_SIZE(&v, 2);
	ew_refused(state, REG_DPU_RDMA_RDMA_ERDMA_CFG, v, EW_OP_EN, "DPU_RDMA.RDMA_ERDMA_CFG");
}

static void test_erdma_disabled(void **state)
{
	uint32_t v = 0;

	rk3588_set_DPU_RDMA_RDMA_ERDMA_CFG_ERDMA_DATA_MODE(&v, 1);
	rk3588_set_DPU_RDMA_RDMA_ERDMA_CFG_DATA_SIZE(&v, 1);
	rk3588_set_DPU_RDMA_RDMA_ERDMA_CFG_ERDMA_DISABLE(&v, 1);
	ew_refused(state, REG_DPU_RDMA_RDMA_ERDMA_CFG, v, EW_OP_EN, "DPU_RDMA.RDMA_ERDMA_CFG");
}

static void test_rdma_cube_mismatch(void **state)
{
	ew_refused(state, REG_DPU_RDMA_RDMA_DATA_CUBE_CHANNEL, 31, EW_OP_EN,
		   "DPU_RDMA.RDMA_DATA_CUBE");
}

static void test_mrdma_precision_mismatch(void **state)
{
	uint32_t v = 0;

	rk3588_set_DPU_RDMA_RDMA_FEATURE_MODE_CFG_IN_PRECISION(&v, TP_INT16);
	rk3588_set_DPU_RDMA_RDMA_FEATURE_MODE_CFG_FLYING_MODE(&v, 1);
	ew_refused(state, REG_DPU_RDMA_RDMA_FEATURE_MODE_CFG, v, EW_OP_EN,
		   "DPU_RDMA.RDMA_FEATURE_MODE_CFG");
}

static void test_brdma_use_missing(void **state)
{
	struct ctx *c = *state;
	uint64_t w[MAX_WORDS + TAIL_WORDS];
	struct dpu_desc dd = c->ew_dpu;
	struct flying_desc f = c->ew;
	size_t n;

	dd.bs = (struct stage_desc){ .on = true, .alu = true, .alu_algo = ALU_ADD,
				     .alu_mem = true, .mem = c->op };
	f.dpu = &dd;
	n = flying_body(w, &f);
	patch(w, n, REG_DPU_RDMA_RDMA_BRDMA_CFG, 0);
	expect_refused(c, w, n, EW_OP_EN, "DPU_RDMA.RDMA_BRDMA_CFG");
}

static void test_op_enable_combinations(void **state)
{
	struct ctx *c = *state;
	uint64_t w[MAX_WORDS + TAIL_WORDS];
	size_t n = pool_words(w, &c->pool);

	expect_refused(c, w, n, RK3588_OP_EN_PPU_RDMA, "op-enable");
	expect_refused(c, w, n, POOL_OP_EN | 0x02u, "op-enable");
	expect_refused(c, w, n, RK3588_OP_EN_CNA | RK3588_OP_EN_CORE, "op-enable");
	expect_refused(c, w, n, RK3588_OP_EN_CNA | RK3588_OP_EN_DPU, "op-enable");
}

/* ---- random corruption ---------------------------------------------------- */

static void corrupt(struct ctx *c, const uint64_t *base, size_t n, uint32_t op_en, uint32_t seed)
{
	unsigned int done = 0, failed = 0;

	for (unsigned int round = 0; round < 300; round++) {
		uint64_t w[MAX_WORDS + TAIL_WORDS];
		unsigned int edits = 1 + test_rand(&seed) % 3;
		uint32_t raw;

		memcpy(w, base, n * sizeof(w[0]));
		for (unsigned int e = 0; e < edits; e++) {
			size_t i = test_rand(&seed) % n;
			uint32_t v = test_rand(&seed);

			if (e & 1)
				v = rk3588_regcmd_value(w[i]) ^ (1u << (v % 32));
			else if (v & 1)
				v %= 32;
			w[i] = rk3588_regcmd(rk3588_regcmd_target(w[i]),
					     rk3588_regcmd_offset(w[i]), v);
		}
		reset_core(c);
		raw = run(c, w, n, op_en);
		if (raw & INT_ERR) {
			assert_int_equal(raw & INT_DONE, 0);
			failed++;
		} else if (raw) {
			done++;
		}
	}
	assert_true(done > 0);
	assert_true(failed > 0);
}

static void test_random_pool_corruption(void **state)
{
	struct ctx *c = *state;
	uint64_t w[MAX_WORDS];
	size_t n = pool_words(w, &c->pool);

	corrupt(c, w, n, POOL_OP_EN, 0x5151);
}

static void test_random_ew_corruption(void **state)
{
	struct ctx *c = *state;
	uint64_t w[MAX_WORDS];
	size_t n = flying_body(w, &c->ew);

	corrupt(c, w, n, EW_OP_EN, 0x7e7e);
}

/* A convolution using most decode paths at once: QD_EN with OW, BS bias
 * from BRDMA, EW add from ERDMA, output to memory and to the PPU. */
static void test_random_fused_corruption(void **state)
{
	struct ctx *c = *state;
	uint64_t w[MAX_WORDS];
	struct dpu_desc dd = {
		.bs = { .on = true, .alu = true, .alu_algo = ALU_ADD, .alu_mem = true,
			.relu = true, .mem = c->op },
		.ew = { .on = true, .algo = ALU_ADD, .op_mem = true, .esize = 1, .addr = c->op,
			.cvt = true, .cvt_scale = 1 },
		.ow = true, .ow_op = 3, .cvt = true, .cvt_scale = 1, .cvt_shift = 4,
		.to_ppu = true,
	};
	struct conv_desc d = {
		.out_prec = TP_INT8, .w = 5, .h = 6, .c = 16, .kw = 3, .kh = 3, .n = 16,
		.sx = 1, .sy = 1, .pad_l = 1, .pad_t = 1, .out_w = 5, .out_h = 6, .in = c->in,
		.wt = c->op, .out = c->out, .qd = true, .dpu = &dd, .rdma = true,
	};
	struct pool_desc p = c->pool;
	size_t n;

	p.from_dpu = true;
	p.out = c->out + 2048;
	n = conv_body(w, &d);
	n += pool_words(w + n, &p);
	corrupt(c, w, n, CONV_OP_EN | RDMA_OP_EN | PPU_OP_EN, 0xf00d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_task_raises_ppu_bit),
		cmocka_unit_test(test_flying_task_raises_dpu_bit),
		cmocka_unit_test(test_dpu_into_ppu_raises_both),
		cmocka_unit_test(test_group_bit_follows_pointer),
		cmocka_unit_test(test_pool_reserved_method),
		cmocka_unit_test(test_pool_flying_without_rdma),
		cmocka_unit_test(test_pool_32bit_refused),
		cmocka_unit_test(test_pool_windows_outside),
		cmocka_unit_test(test_pool_rdma_size_mismatch),
		cmocka_unit_test(test_pool_from_dpu_without_dpu),
		cmocka_unit_test(test_ew_flying_without_rdma),
		cmocka_unit_test(test_ew_lut_refused),
		cmocka_unit_test(test_ew_integer_div_refused),
		cmocka_unit_test(test_erdma_size_mismatch),
		cmocka_unit_test(test_erdma_disabled),
		cmocka_unit_test(test_rdma_cube_mismatch),
		cmocka_unit_test(test_mrdma_precision_mismatch),
		cmocka_unit_test(test_brdma_use_missing),
		cmocka_unit_test(test_op_enable_combinations),
		cmocka_unit_test(test_random_pool_corruption),
		cmocka_unit_test(test_random_ew_corruption),
		cmocka_unit_test(test_random_fused_corruption),
	};

	return cmocka_run_group_tests_name(SIM_TEST_THREADED ? "sim-blocks-threaded"
							     : "sim-blocks",
					   tests, setup, teardown);
}
