// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Misprogramming must never crash the software NPU: corrupted register
 * values, random command words and field maxima all end as a result, an
 * error status or a silent hang, with the sanitizers watching every access.
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

#define MEM_SIZE (4u << 20)
#define ROUNDS 400u
#define MAX_WORDS 256u
/* Small working-memory budget so random sizes stay quick. */
#define ALLOC_LIMIT (64u << 10)

struct ctx {
	struct fake_bus fb;
	struct rk3588_sim *sim;
	struct conv_desc d;
	uint64_t body[MAX_WORDS];
	size_t n;
	uint32_t cmd;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	fb_init(&c->fb, MEM_SIZE);
	c->sim = test_sim_create(&c->fb, false, 1);
	if (!c->sim)
		return -1;
	rk3588_sim_set_alloc_limit(c->sim, ALLOC_LIMIT);
	c->d = (struct conv_desc){
		.out_prec = TP_INT32, .w = 2, .h = 3, .c = 32, .kw = 1, .kh = 1, .n = 32,
		.sx = 1, .sy = 1, .out_w = 2, .out_h = 3,
	};
	c->d.in = fb_alloc(&c->fb, conv_in_bytes(&c->d), 64);
	c->d.wt = fb_alloc(&c->fb, conv_wt_bytes(&c->d), 64);
	c->d.out = fb_alloc(&c->fb, conv_out_bytes(&c->d), 64);
	c->n = conv_body(c->body, &c->d);
	c->cmd = fb_alloc(&c->fb, (MAX_WORDS + TAIL_WORDS) * 8, 64);
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

enum outcome { DONE, FAILED, SILENT };

/* Runs @w as one task; the core must come back idle whatever happened. */
static enum outcome run(struct ctx *c, uint64_t *w, size_t n)
{
	uint32_t raw;
	enum outcome o;

	n += task_tail(w + n, 0, 0, CONV_OP_EN);
	fb_put_words(&c->fb, c->cmd, w, n);
	test_commit(c->sim, 0, c->cmd, amount_for(n), 1, RK3588_INT_ALL);
	rk3588_sim_wait_idle(c->sim, 0);
	raw = rk3588_sim_mmio_read(c->sim, 0, REG_PC_INTERRUPT_RAW_STATUS);
	/* Completion and error are never reported together. */
	if (raw & (RK3588_INT_DMA_READ_ERROR | RK3588_INT_DMA_WRITE_ERROR)) {
		assert_int_equal(raw & (RK3588_INT_DPU_GRP0 | RK3588_INT_DPU_GRP1), 0);
		o = FAILED;
	} else {
		o = raw ? DONE : SILENT;
	}
	rk3588_sim_mmio_write(c->sim, 0, REG_PC_INTERRUPT_CLEAR, RK3588_INT_ALL);
	return o;
}

/* Registers persist between tasks like on hardware; start each case clean. */
static void reset_core(struct ctx *c)
{
	rk3588_sim_reset_assert(c->sim, 0);
	rk3588_sim_reset_deassert(c->sim, 0);
}

static void test_valid_base_stream_completes(void **state)
{
	struct ctx *c = *state;
	uint64_t w[MAX_WORDS + TAIL_WORDS];

	memcpy(w, c->body, c->n * sizeof(w[0]));
	assert_int_equal(run(c, w, c->n), DONE);
	assert_int_equal(rk3588_get_PC_TASK_STATUS_TASK_COUNTER(
				 rk3588_sim_mmio_read(c->sim, 0, REG_PC_TASK_STATUS)),
			 1);
}

static void test_random_register_values(void **state)
{
	struct ctx *c = *state;
	uint32_t seed = 0xfeed;
	unsigned int seen[3] = { 0 };

	for (unsigned int r = 0; r < ROUNDS; r++) {
		uint64_t w[MAX_WORDS + TAIL_WORDS];
		unsigned int edits = 1 + test_rand(&seed) % 4;

		memcpy(w, c->body, c->n * sizeof(w[0]));
		for (unsigned int e = 0; e < edits; e++) {
			size_t i = test_rand(&seed) % c->n;
			uint32_t v = test_rand(&seed);

			/* Mix full random values with small ones and single bit flips. */
			if (e & 1)
				v = rk3588_regcmd_value(w[i]) ^ (1u << (v % 32));
			else if (v & 1)
				v %= 64;
			w[i] = rk3588_regcmd(rk3588_regcmd_target(w[i]),
					     rk3588_regcmd_offset(w[i]), v);
		}
		reset_core(c);
		seen[run(c, w, c->n)]++;
	}
	/* The corruption must exercise both the compute and the error paths. */
	assert_true(seen[DONE] > 0);
	assert_true(seen[FAILED] > 0);
}

static void test_random_words(void **state)
{
	struct ctx *c = *state;
	static const uint16_t targets[] = {
		RK3588_TARGET_CNA, RK3588_TARGET_CORE, RK3588_TARGET_DPU, RK3588_TARGET_DPU_RDMA,
		RK3588_TARGET_PPU, RK3588_TARGET_PPU_RDMA, RK3588_TARGET_PC, RK3588_TARGET_NOP,
		RK3588_TARGET_PRE_OP, 0x0401, 0xffff,
	};
	uint32_t seed = 0xbeef;
	unsigned int seen[3] = { 0 };

	for (unsigned int r = 0; r < ROUNDS; r++) {
		uint64_t w[MAX_WORDS + TAIL_WORDS];
		size_t n = c->n;

		memcpy(w, c->body, n * sizeof(w[0]));
		for (unsigned int e = 0; e < 3; e++) {
			size_t pick = test_rand(&seed) % (sizeof(targets) / sizeof(targets[0]));
			uint16_t tgt = targets[pick];
			uint16_t off = (uint16_t)(test_rand(&seed) & 0xfffc);

			/* Mostly offsets inside the target block, sometimes anywhere. */
			if (tgt == RK3588_TARGET_CNA && (test_rand(&seed) & 3))
				off = (uint16_t)(REG_CNA_S_STATUS | (off & 0x1fc));
			w[test_rand(&seed) % n] = rk3588_regcmd(tgt, off, test_rand(&seed));
		}
		reset_core(c);
		seen[run(c, w, n)]++;
	}
	assert_true(seen[DONE] > 0);
	assert_true(seen[FAILED] > 0);
}

/* Every CNA/CORE/DPU register of the stream set to all ones in turn. */
static void test_field_maxima(void **state)
{
	struct ctx *c = *state;

	for (size_t i = 0; i < c->n; i++) {
		uint64_t w[MAX_WORDS + TAIL_WORDS];

		memcpy(w, c->body, c->n * sizeof(w[0]));
		w[i] = rk3588_regcmd(rk3588_regcmd_target(w[i]), rk3588_regcmd_offset(w[i]),
				     0xffffffffu);
		reset_core(c);
		run(c, w, c->n);
	}
}

/* Long fetches, fetches beyond memory, and a task list linking to itself
 * with a bad tail all come back. */
static void test_pc_edge_cases(void **state)
{
	struct ctx *c = *state;
	uint64_t w[MAX_WORDS + TAIL_WORDS];

	reset_core(c);
	test_commit(c->sim, 0, FB_BASE + MEM_SIZE - 64, 0xffff, 1, RK3588_INT_ALL);
	rk3588_sim_wait_idle(c->sim, 0);
	assert_int_equal(rk3588_sim_mmio_read(c->sim, 0, REG_PC_INTERRUPT_STATUS),
			 RK3588_INT_DMA_READ_ERROR);
	rk3588_sim_mmio_write(c->sim, 0, REG_PC_INTERRUPT_CLEAR, RK3588_INT_ALL);

	test_commit(c->sim, 0, 0xfffffff0u, 0xffff, 4095, RK3588_INT_ALL);
	rk3588_sim_wait_idle(c->sim, 0);
	rk3588_sim_mmio_write(c->sim, 0, REG_PC_INTERRUPT_CLEAR, RK3588_INT_ALL);

	/* Task number larger than the chain: the last tail leaves amount 0,
	 * the next fetch has no op-enable, and the list hangs silently. */
	memcpy(w, c->body, c->n * sizeof(w[0]));
	size_t n = c->n + task_tail(w + c->n, 0, 0, CONV_OP_EN);

	fb_put_words(&c->fb, c->cmd, w, n);
	test_commit(c->sim, 0, c->cmd, amount_for(n), 5, RK3588_INT_ALL);
	rk3588_sim_wait_idle(c->sim, 0);
	assert_int_equal(rk3588_get_PC_TASK_STATUS_TASK_COUNTER(
				 rk3588_sim_mmio_read(c->sim, 0, REG_PC_TASK_STATUS)),
			 1);
	assert_int_equal(rk3588_sim_mmio_read(c->sim, 0, REG_PC_INTERRUPT_RAW_STATUS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_base_stream_completes),
		cmocka_unit_test(test_random_register_values),
		cmocka_unit_test(test_random_words),
		cmocka_unit_test(test_field_maxima),
		cmocka_unit_test(test_pc_edge_cases),
	};

	return cmocka_run_group_tests_name("sim-robust", tests, setup, teardown);
}
