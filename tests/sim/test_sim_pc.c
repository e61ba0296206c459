// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Software NPU program control: regcmd fetch sizes, tail chaining, task
 * counting, the end-of-list interrupt, error statuses, hung lists, reset,
 * and ping-pong register groups across chained tasks.
 *
 * Built twice: SIM_TEST_THREADED selects the worker-thread mode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <cmocka.h>

#include "rk3588_regs.h"
#include "rk3588_sim.h"
#include "sim_test_bus.h"
#include "sim_test_stream.h"

#ifndef SIM_TEST_THREADED
#define SIM_TEST_THREADED 0
#endif

#define MEM_SIZE (8u << 20)
#define INT_DPU 0x300u
#define INT_ERR 0x3000u
#define SENTINEL 0xa5u
#define M 4
#define K 32
#define N 32
#define MAX_WORDS 512

struct ctx {
	struct fake_bus fb;
	struct rk3588_sim *sim;
};

/* One small int8 matmul task and its expected result. */
struct mm {
	struct conv_desc d;
	int8_t a[M][K];
	int8_t b[N][K];
	int32_t want[M][N];
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	fb_init(&c->fb, MEM_SIZE);
	c->sim = test_sim_create(&c->fb, SIM_TEST_THREADED, 2);
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

static void mm_init(struct ctx *c, struct mm *t, uint32_t seed)
{
	memset(t, 0, sizeof(*t));
	t->d = (struct conv_desc){
		.out_prec = TP_INT32, .w = 1, .h = M, .c = K, .kw = 1, .kh = 1, .n = N,
		.sx = 1, .sy = 1, .out_w = 1, .out_h = M,
	};
	for (int m = 0; m < M; m++)
		for (int k = 0; k < K; k++)
			t->a[m][k] = (int8_t)test_rand(&seed);
	for (int n = 0; n < N; n++)
		for (int k = 0; k < K; k++)
			t->b[n][k] = (int8_t)test_rand(&seed);
	for (int m = 0; m < M; m++)
		for (int n = 0; n < N; n++) {
			int32_t s = 0;

			for (int k = 0; k < K; k++)
				s += t->a[m][k] * t->b[n][k];
			t->want[m][n] = s;
		}
	t->d.in = fb_alloc(&c->fb, conv_in_bytes(&t->d), 64);
	t->d.wt = fb_alloc(&c->fb, conv_wt_bytes(&t->d), 64);
	t->d.out = fb_alloc(&c->fb, conv_out_bytes(&t->d), 64);
	pack_input(&t->d, t->a, fb_ptr(&c->fb, t->d.in));
	pack_weights(&t->d, t->b, fb_ptr(&c->fb, t->d.wt));
	memset(fb_ptr(&c->fb, t->d.out), SENTINEL, conv_out_bytes(&t->d));
}

static bool mm_ok(struct ctx *c, const struct mm *t)
{
	const uint8_t *p = fb_ptr(&c->fb, t->d.out);

	for (int m = 0; m < M; m++)
		for (int n = 0; n < N; n++) {
			size_t i = out_index(&t->d, (unsigned int)n, (unsigned int)m, 0);
			const uint8_t *q = p + i * 4;
			int32_t got = (int32_t)((uint32_t)q[0] | (uint32_t)q[1] << 8 |
						(uint32_t)q[2] << 16 | (uint32_t)q[3] << 24);

			if (got != t->want[m][n])
				return false;
		}
	return true;
}

static bool mm_untouched(struct ctx *c, const struct mm *t)
{
	const uint8_t *p = fb_ptr(&c->fb, t->d.out);

	for (size_t i = 0; i < conv_out_bytes(&t->d); i++)
		if (p[i] != SENTINEL)
			return false;
	return true;
}

/* A task list laid out in device memory. */
struct chain {
	uint32_t addr[4];
	uint32_t amount[4];
	size_t words[4];
	unsigned int count;
};

/* Body of @t, @nops NOP words, then the tail to the next task. */
static size_t task_words(const struct mm *t, uint64_t *w, unsigned int nops, uint32_t next_addr,
			 uint32_t next_amount)
{
	size_t n = conv_body(w, &t->d);

	for (unsigned int i = 0; i < nops; i++)
		w[n++] = i & 1 ? rk3588_regcmd(RK3588_TARGET_NOP, 0, 0) : 0;
	return n + task_tail(w + n, next_addr, next_amount, CONV_OP_EN);
}

/* Lays out @count tasks; nops[i] pads task i so the amounts differ. */
static void build_chain(struct ctx *c, struct chain *ch, const struct mm *t,
			const unsigned int *nops, unsigned int count)
{
	uint64_t w[MAX_WORDS];

	ch->count = count;
	for (unsigned int i = 0; i < count; i++) {
		ch->words[i] = task_words(&t[i], w, nops[i], 0, 0);
		ch->amount[i] = amount_for(ch->words[i]);
		ch->addr[i] = fb_alloc(&c->fb, 16 * ((size_t)ch->amount[i] + 1), 64);
	}
	for (unsigned int i = 0; i < count; i++) {
		bool last = i + 1 == count;
		size_t n = task_words(&t[i], w, nops[i], last ? 0 : ch->addr[i + 1],
				      last ? 0 : ch->amount[i + 1]);

		fb_put_words(&c->fb, ch->addr[i], w, n);
	}
}

static void run(struct ctx *c, uint32_t addr, uint32_t amount, uint32_t tasks, uint32_t mask)
{
	test_commit(c->sim, 0, addr, amount, tasks, mask);
	rk3588_sim_wait_idle(c->sim, 0);
}

static uint32_t rd(struct ctx *c, uint32_t reg)
{
	return rk3588_sim_mmio_read(c->sim, 0, reg);
}

static void wr(struct ctx *c, uint32_t reg, uint32_t v)
{
	rk3588_sim_mmio_write(c->sim, 0, reg, v);
}

static void assert_error_mentions(struct ctx *c, const char *what)
{
	char msg[256];

	assert_true(rk3588_sim_last_error(c->sim, 0, msg, sizeof(msg)));
	if (!strstr(msg, what))
		fail_msg("error \"%s\" does not mention %s", msg, what);
}

static void reset_irq(struct ctx *c)
{
	wr(c, REG_PC_INTERRUPT_CLEAR, RK3588_INT_ALL);
}

/* ---- fetch ------------------------------------------------------------ */

static void test_fetch_exact_words(void **state)
{
	struct ctx *c = *state;
	struct mm t;
	uint64_t w[MAX_WORDS];
	size_t n;
	uint32_t addr, amount;

	mm_init(c, &t, 11);
	n = task_words(&t, w, 0, 0, 0);
	/* Over-fetch by 3 pairs; the extra words are junk after the op-enable
	 * and must be ignored. */
	amount = amount_for(n) + 3;
	while (n < 2 * ((size_t)amount + 1))
		w[n++] = rk3588_regcmd(0x0401, REG_CNA_CONV_CON1, 0xdead);
	addr = fb_alloc(&c->fb, n * 8, 64);
	fb_put_words(&c->fb, addr, w, n);
	fb_clear_log(&c->fb);
	run(c, addr, amount, 1, INT_DPU);

	assert_true(c->fb.nlog >= 1);
	assert_int_equal(c->fb.log[0].addr, addr);
	assert_int_equal(c->fb.log[0].len, 8 * 2 * ((size_t)amount + 1));
	assert_true(mm_ok(c, &t));
	assert_int_equal(rd(c, REG_PC_INTERRUPT_STATUS), RK3588_INT_DPU_GRP0);
	reset_irq(c);
}

/* ---- chaining, counting, the interrupt ---------------------------------- */

static void test_chain_three_tasks(void **state)
{
	struct ctx *c = *state;
	struct mm t[3];
	struct chain ch;
	const unsigned int nops[3] = { 0, 7, 20 };
	unsigned int seen = 0;

	for (unsigned int i = 0; i < 3; i++)
		mm_init(c, &t[i], 100 + i);
	build_chain(c, &ch, t, nops, 3);
	assert_int_not_equal(ch.amount[0], ch.amount[1]);
	assert_int_not_equal(ch.amount[1], ch.amount[2]);
	fb_clear_log(&c->fb);
	run(c, ch.addr[0], ch.amount[0], 3, INT_DPU);

	/* Each task's words are fetched from its own address with its own
	 * amount, in chain order. */
	for (unsigned int i = 0; i < c->fb.nlog && seen < 3; i++) {
		if (c->fb.log[i].addr != ch.addr[seen])
			continue;
		assert_int_equal(c->fb.log[i].len, 16 * ((size_t)ch.amount[seen] + 1));
		seen++;
	}
	assert_int_equal(seen, 3);
	for (unsigned int i = 0; i < 3; i++)
		assert_true(mm_ok(c, &t[i]));
	reset_irq(c);
}

static void test_task_number_counts(void **state)
{
	struct ctx *c = *state;
	struct mm t[3];
	struct chain ch;
	const unsigned int nops[3] = { 2, 0, 5 };
	struct rk3588_sim_core_stats before, after;

	for (unsigned int i = 0; i < 3; i++)
		mm_init(c, &t[i], 200 + i);
	build_chain(c, &ch, t, nops, 3);
	rk3588_sim_get_stats(c->sim, 0, &before);

	/* Two of the three: the third output is never written. */
	run(c, ch.addr[0], ch.amount[0], 2, INT_DPU);
	assert_int_equal(rk3588_get_PC_TASK_STATUS_TASK_COUNTER(rd(c, REG_PC_TASK_STATUS)), 2);
	assert_true(mm_ok(c, &t[0]));
	assert_true(mm_ok(c, &t[1]));
	assert_true(mm_untouched(c, &t[2]));
	reset_irq(c);

	/* TASK_COUNT_CLEAR (set by the commit) restarts the count. */
	run(c, ch.addr[0], ch.amount[0], 3, INT_DPU);
	assert_int_equal(rk3588_get_PC_TASK_STATUS_TASK_COUNTER(rd(c, REG_PC_TASK_STATUS)), 3);
	assert_true(mm_ok(c, &t[2]));
	rk3588_sim_get_stats(c->sim, 0, &after);
	assert_int_equal(after.tasks_done - before.tasks_done, 5);
	assert_int_equal(after.starts - before.starts, 2);
	reset_irq(c);
}

static void test_irq_once_after_last_task(void **state)
{
	struct ctx *c = *state;
	struct mm t[3];
	struct chain ch;
	const unsigned int nops[3] = { 0, 1, 2 };
	unsigned int r0, r1, f0, f1;
	bool level;

	for (unsigned int i = 0; i < 3; i++)
		mm_init(c, &t[i], 300 + i);
	build_chain(c, &ch, t, nops, 3);
	fb_irq_state(&c->fb, 0, &r0, &f0, NULL);
	run(c, ch.addr[0], ch.amount[0], 3, INT_DPU);
	fb_irq_state(&c->fb, 0, &r1, &f1, &level);

	assert_int_equal(r1 - r0, 1);
	assert_int_equal(f1, f0);
	assert_true(level);
	/* Raised only when all three tasks were done. */
	assert_int_equal(rk3588_get_PC_TASK_STATUS_TASK_COUNTER(c->fb.task_status_at_rise[0]), 3);
	assert_int_equal(c->fb.status_at_rise[0], RK3588_INT_DPU_GRP0);

	wr(c, REG_PC_INTERRUPT_CLEAR, RK3588_INT_ALL);
	fb_irq_state(&c->fb, 0, &r1, &f1, &level);
	assert_false(level);
	assert_int_equal(f1 - f0, 1);
	assert_int_equal(r1 - r0, 1);
}

static void test_interrupt_mask_raw_status_clear(void **state)
{
	struct ctx *c = *state;
	struct mm t;
	struct chain ch;
	const unsigned int nops[1] = { 0 };
	bool level;
	uint32_t raw;

	mm_init(c, &t, 400);
	build_chain(c, &ch, &t, nops, 1);
	run(c, ch.addr[0], ch.amount[0], 1, RK3588_INT_ALL);
	raw = rd(c, REG_PC_INTERRUPT_RAW_STATUS);
	assert_int_equal(raw & (INT_DPU | INT_ERR), RK3588_INT_DPU_GRP0);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_STATUS), raw);
	fb_irq_state(&c->fb, 0, NULL, NULL, &level);
	assert_true(level);

	/* Masking everything drops the line but keeps RAW. */
	wr(c, REG_PC_INTERRUPT_MASK, 0);
	fb_irq_state(&c->fb, 0, NULL, NULL, &level);
	assert_false(level);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_STATUS), 0);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_RAW_STATUS), raw);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_MASK), 0);

	/* Unmasking the DPU pair raises it again; STATUS = RAW & MASK. */
	wr(c, REG_PC_INTERRUPT_MASK, INT_DPU);
	fb_irq_state(&c->fb, 0, NULL, NULL, &level);
	assert_true(level);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_STATUS), RK3588_INT_DPU_GRP0);

	/* Write-1-to-clear of the DPU bit leaves STATUS 0: line low. */
	wr(c, REG_PC_INTERRUPT_CLEAR, RK3588_INT_DPU_GRP0);
	fb_irq_state(&c->fb, 0, NULL, NULL, &level);
	assert_false(level);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_STATUS), 0);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_RAW_STATUS), raw & ~RK3588_INT_DPU_GRP0);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_CLEAR), 0);

	wr(c, REG_PC_INTERRUPT_CLEAR, RK3588_INT_ALL);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_RAW_STATUS), 0);
}

/* ---- errors ------------------------------------------------------------- */

/* Runs one task whose body is patched by @edit; returns RAW. */
static uint32_t run_patched(struct ctx *c, struct mm *t, void (*edit)(uint64_t *w, size_t *n))
{
	uint64_t w[MAX_WORDS];
	size_t n = conv_body(w, &t->d);
	uint32_t addr;

	edit(w, &n);
	n += task_tail(w + n, 0, 0, CONV_OP_EN);
	addr = fb_alloc(&c->fb, n * 8, 64);
	fb_put_words(&c->fb, addr, w, n);
	run(c, addr, amount_for(n), 1, INT_DPU | INT_ERR);
	return rd(c, REG_PC_INTERRUPT_RAW_STATUS);
}

static void set_reg(uint64_t *w, size_t n, uint32_t reg, uint32_t value)
{
	for (size_t i = 0; i < n; i++)
		if (rk3588_regcmd_offset(w[i]) == reg)
			w[i] = rk3588_regcmd(rk3588_regcmd_target(w[i]), (uint16_t)reg, value);
}

static void edit_bad_feature(uint64_t *w, size_t *n)
{
	set_reg(w, *n, REG_CNA_FEATURE_DATA_ADDR, 0x40);
}

static void edit_bad_output(uint64_t *w, size_t *n)
{
	set_reg(w, *n, REG_DPU_DST_BASE_ADDR, 0x40);
}

static void edit_unknown_target(uint64_t *w, size_t *n)
{
	w[(*n)++] = rk3588_regcmd(0x0401, REG_CNA_CONV_CON1, 0);
}

static void edit_outside_block(uint64_t *w, size_t *n)
{
	w[(*n)++] = rk3588_regcmd(RK3588_TARGET_CNA, REG_DPU_DATA_FORMAT, 0);
}

static void edit_pc_register(uint64_t *w, size_t *n)
{
	w[(*n)++] = rk3588_regcmd(RK3588_TARGET_PC, REG_PC_INTERRUPT_MASK, 0);
}

static void expect_error(struct ctx *c, void (*edit)(uint64_t *w, size_t *n), uint32_t bit,
			 const char *mention)
{
	struct mm t;
	unsigned int r0, r1;
	struct rk3588_sim_core_stats s0, s1;
	uint32_t raw;

	mm_init(c, &t, 500);
	fb_irq_state(&c->fb, 0, &r0, NULL, NULL);
	rk3588_sim_get_stats(c->sim, 0, &s0);
	raw = run_patched(c, &t, edit);
	fb_irq_state(&c->fb, 0, &r1, NULL, NULL);
	rk3588_sim_get_stats(c->sim, 0, &s1);

	assert_int_equal(raw & (INT_DPU | INT_ERR), bit);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_STATUS), bit);
	assert_int_equal(r1 - r0, 1);
	assert_int_equal(s1.errors - s0.errors, 1);
	assert_int_equal(s1.tasks_done, s0.tasks_done);
	if (bit != RK3588_INT_DMA_WRITE_ERROR)
		assert_true(mm_untouched(c, &t));
	assert_error_mentions(c, mention);
	reset_irq(c);
}

static void test_dma_fault_fetch(void **state)
{
	struct ctx *c = *state;
	unsigned int r0, r1;

	fb_irq_state(&c->fb, 0, &r0, NULL, NULL);
	run(c, 0x100, 3, 1, INT_DPU | INT_ERR);
	fb_irq_state(&c->fb, 0, &r1, NULL, NULL);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_STATUS), RK3588_INT_DMA_READ_ERROR);
	assert_int_equal(r1 - r0, 1);
	assert_error_mentions(c, "regcmd");
	reset_irq(c);
}

static void test_dma_fault_feature(void **state)
{
	expect_error(*state, edit_bad_feature, RK3588_INT_DMA_READ_ERROR, "feature");
}

static void test_dma_fault_output(void **state)
{
	expect_error(*state, edit_bad_output, RK3588_INT_DMA_WRITE_ERROR, "output");
}

static void test_unknown_target(void **state)
{
	expect_error(*state, edit_unknown_target, RK3588_INT_DMA_READ_ERROR,
		     "unknown target 0x0401");
}

static void test_offset_outside_target(void **state)
{
	expect_error(*state, edit_outside_block, RK3588_INT_DMA_READ_ERROR, "outside target CNA");
}

static void test_pc_register_from_stream(void **state)
{
	expect_error(*state, edit_pc_register, RK3588_INT_DMA_READ_ERROR, "PC.INTERRUPT_MASK");
}

/* ---- lists that never complete ------------------------------------------ */

static void test_task_number_zero_no_irq(void **state)
{
	struct ctx *c = *state;
	struct mm t;
	struct chain ch;
	const unsigned int nops[1] = { 0 };
	unsigned int r0, r1;

	mm_init(c, &t, 600);
	build_chain(c, &ch, &t, nops, 1);
	fb_irq_state(&c->fb, 0, &r0, NULL, NULL);
	run(c, ch.addr[0], ch.amount[0], 0, INT_DPU | INT_ERR);
	fb_irq_state(&c->fb, 0, &r1, NULL, NULL);
	assert_int_equal(r1, r0);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_RAW_STATUS), 0);
	assert_true(mm_untouched(c, &t));
}

static void test_missing_op_enable_no_irq(void **state)
{
	struct ctx *c = *state;
	struct mm t;
	uint64_t w[MAX_WORDS];
	size_t n;
	uint32_t addr;
	unsigned int r0, r1;
	struct rk3588_sim_core_stats s0, s1;

	mm_init(c, &t, 700);
	n = task_words(&t, w, 0, 0, 0);
	addr = fb_alloc(&c->fb, n * 8, 64);
	fb_put_words(&c->fb, addr, w, n);
	fb_irq_state(&c->fb, 0, &r0, NULL, NULL);
	rk3588_sim_get_stats(c->sim, 0, &s0);
	/* Two pairs short: the op-enable word is never fetched. */
	run(c, addr, amount_for(n) - 2, 1, INT_DPU | INT_ERR);
	fb_irq_state(&c->fb, 0, &r1, NULL, NULL);
	rk3588_sim_get_stats(c->sim, 0, &s1);
	assert_int_equal(r1, r0);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_RAW_STATUS), 0);
	assert_int_equal(s1.errors - s0.errors, 1);
	assert_true(mm_untouched(c, &t));
	assert_error_mentions(c, "no op-enable");
}

static void test_slave_mode_op_en_ignored(void **state)
{
	struct ctx *c = *state;
	struct rk3588_sim_core_stats s0, s1;
	uint32_t base = 0;

	rk3588_sim_get_stats(c->sim, 0, &s0);
	rk3588_set_PC_BASE_ADDRESS_PC_SEL(&base, 1);
	wr(c, REG_PC_BASE_ADDRESS, base);
	wr(c, REG_PC_OPERATION_ENABLE, 1);
	wr(c, REG_PC_OPERATION_ENABLE, 0);
	rk3588_sim_wait_idle(c->sim, 0);
	rk3588_sim_get_stats(c->sim, 0, &s1);
	assert_int_equal(s1.starts, s0.starts);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_RAW_STATUS), 0);
}

/* ---- reset -------------------------------------------------------------- */

struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint32_t addr;
	unsigned int hits;
	bool reached;
	bool resetting;
};

static struct gate g_gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0 };

/* Parks the third fetch of the task until the reset lines are asserted. */
static void gate_hook(struct fake_bus *fb, uint64_t addr, size_t len)
{
	struct gate *g = fb->hook_ctx;

	if (addr != g->addr)
		return;
	pthread_mutex_lock(&g->lock);
	if (++g->hits != 3) {
		pthread_mutex_unlock(&g->lock);
		return;
	}
	g->reached = true;
	pthread_cond_broadcast(&g->cond);
	while (!g->resetting)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

static void *starter(void *arg)
{
	struct ctx *c = arg;

	rk3588_sim_mmio_write(c->sim, 0, REG_PC_OPERATION_ENABLE, 1);
	return NULL;
}

/* reset_assert waits for the running list to stop, so it needs its own
 * thread while the list is parked in the gate. */
static void *resetter(void *arg)
{
	struct ctx *c = arg;

	rk3588_sim_reset_assert(c->sim, 0);
	return NULL;
}

/* An offset no block uses: plain storage, so it shows whether writes land. */
#define SCRATCH_OFFSET 0x2000u

static void test_reset_abandons_and_restores(void **state)
{
	struct ctx *c = *state;
	struct mm t;
	uint64_t w[MAX_WORDS];
	size_t n;
	uint32_t addr, amount, con = 0;
	unsigned int r0, r1;
	struct rk3588_sim_core_stats s0, s1;
	pthread_t th, rt;

	mm_init(c, &t, 800);
	/* A task that links to itself, started 4095 times. */
	n = task_words(&t, w, 0, 0, 0);
	amount = amount_for(n);
	addr = fb_alloc(&c->fb, n * 8, 64);
	n = task_words(&t, w, 0, addr, amount);
	fb_put_words(&c->fb, addr, w, n);

	g_gate.addr = addr;
	g_gate.hits = 0;
	g_gate.reached = g_gate.resetting = false;
	c->fb.hook_ctx = &g_gate;
	c->fb.read_hook = gate_hook;
	fb_irq_state(&c->fb, 0, &r0, NULL, NULL);
	rk3588_sim_get_stats(c->sim, 0, &s0);

	/* Program everything but the OP_EN, which a second thread issues
	 * because in synchronous mode it only returns at the end. */
	test_commit(c->sim, 0, 0x10, 0, 0, INT_DPU);
	rk3588_sim_wait_idle(c->sim, 0);
	rk3588_set_PC_TASK_CON_TASK_COUNT_CLEAR(&con, 1);
	rk3588_set_PC_TASK_CON_TASK_NUMBER(&con, 4095);
	wr(c, REG_PC_BASE_ADDRESS, addr);
	wr(c, REG_PC_REGISTER_AMOUNTS, amount);
	wr(c, REG_PC_TASK_CON, con);
	wr(c, REG_DPU_DST_SURF_STRIDE, 0x1230);
	assert_int_equal(pthread_create(&th, NULL, starter, c), 0);

	pthread_mutex_lock(&g_gate.lock);
	while (!g_gate.reached)
		pthread_cond_wait(&g_gate.cond, &g_gate.lock);
	pthread_mutex_unlock(&g_gate.lock);

	/* Assert reset, and wait until it took hold: from then on writes are
	 * dropped, so the scratch register stops following them. */
	assert_int_equal(pthread_create(&rt, NULL, resetter, c), 0);
	for (uint32_t k = 1;; k++) {
		wr(c, SCRATCH_OFFSET, k);
		if (rd(c, SCRATCH_OFFSET) != k)
			break;
		sched_yield();
	}
	pthread_mutex_lock(&g_gate.lock);
	g_gate.resetting = true;
	pthread_cond_broadcast(&g_gate.cond);
	pthread_mutex_unlock(&g_gate.lock);
	pthread_join(rt, NULL);

	/* Held in reset: writes are ignored. */
	wr(c, REG_PC_INTERRUPT_MASK, 0x5);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_MASK), 0x1ffff);
	rk3588_sim_reset_deassert(c->sim, 0);
	pthread_join(th, NULL);
	rk3588_sim_wait_idle(c->sim, 0);
	c->fb.read_hook = NULL;

	fb_irq_state(&c->fb, 0, &r1, NULL, NULL);
	rk3588_sim_get_stats(c->sim, 0, &s1);
	assert_int_equal(r1, r0);
	assert_int_equal(s1.tasks_done - s0.tasks_done, 2);
	/* Every register back at its reset value. */
	assert_int_equal(rd(c, REG_PC_INTERRUPT_MASK), 0x1ffff);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_RAW_STATUS), 0);
	assert_int_equal(rd(c, REG_PC_BASE_ADDRESS), 0);
	assert_int_equal(rd(c, REG_PC_REGISTER_AMOUNTS), 0);
	assert_int_equal(rd(c, REG_PC_TASK_CON), 0);
	assert_int_equal(rd(c, REG_PC_TASK_STATUS), 0x5000);
	assert_int_equal(rd(c, REG_CNA_S_POINTER), 0);
	assert_int_equal(rd(c, REG_CNA_CONV_CON1), 0);
	assert_int_equal(rd(c, REG_DPU_DST_SURF_STRIDE), 0);
	assert_int_equal(rd(c, REG_CORE_MAC_GATING), 0x7800800);
	assert_int_equal(rd(c, REG_PC_VERSION), 0x46495245);

	/* And the core works again. */
	mm_init(c, &t, 801);
	n = task_words(&t, w, 0, 0, 0);
	addr = fb_alloc(&c->fb, n * 8, 64);
	fb_put_words(&c->fb, addr, w, n);
	run(c, addr, amount_for(n), 1, INT_DPU);
	assert_true(mm_ok(c, &t));
	reset_irq(c);
}

/* ---- ping-pong groups across chained tasks ----------------------------- */

static void drop_s_pointer(uint64_t *w, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		if (rk3588_regcmd_offset(w[i]) == REG_DPU_S_POINTER)
			w[i] = 0;
}

/* Tasks 1 and 2 program everything (groups 0 and 1); task 3 only moves
 * the addresses and relies on group 0 still holding task 1's setup. */
static void test_pingpong_partial_third_task(void **state)
{
	struct ctx *c = *state;
	struct mm t[3];
	uint64_t w[3][MAX_WORDS];
	size_t n[3];
	uint32_t addr[3], amount[3], sptr = 0;

	for (unsigned int i = 0; i < 3; i++)
		mm_init(c, &t[i], 900 + i);
	for (unsigned int i = 0; i < 2; i++) {
		n[i] = conv_body(w[i], &t[i].d);
		drop_s_pointer(w[i], &n[i]);
	}
	n[2] = 0;
	w[2][n[2]++] = rk3588_regcmd(RK3588_TARGET_CNA, REG_CNA_FEATURE_DATA_ADDR, t[2].d.in);
	w[2][n[2]++] = rk3588_regcmd(RK3588_TARGET_CNA, REG_CNA_DCOMP_ADDR0, t[2].d.wt);
	w[2][n[2]++] = rk3588_regcmd(RK3588_TARGET_DPU, REG_DPU_DST_BASE_ADDR, t[2].d.out);
	for (unsigned int i = 0; i < 3; i++) {
		amount[i] = amount_for(n[i] + TAIL_WORDS);
		addr[i] = fb_alloc(&c->fb, 16 * ((size_t)amount[i] + 1), 64);
	}
	for (int i = 2; i >= 0; i--) {
		size_t m = n[i] + task_tail(w[i] + n[i], i < 2 ? addr[i + 1] : 0,
					    i < 2 ? amount[i + 1] : 0, CONV_OP_EN);

		fb_put_words(&c->fb, addr[i], w[i], m);
	}
	rk3588_set_DPU_S_POINTER_POINTER_PP_EN(&sptr, 1);
	rk3588_set_DPU_S_POINTER_EXECUTER_PP_EN(&sptr, 1);
	rk3588_set_DPU_S_POINTER_POINTER_PP_MODE(&sptr, 1);
	wr(c, REG_DPU_S_POINTER, sptr);

	/* Two tasks: the last ran in group 1, so the DPU bit is grp1. */
	run(c, addr[0], amount[0], 2, INT_DPU);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_STATUS), RK3588_INT_DPU_GRP1);
	assert_true(mm_ok(c, &t[0]));
	assert_true(mm_ok(c, &t[1]));
	reset_irq(c);

	wr(c, REG_DPU_S_POINTER, sptr);
	memset(fb_ptr(&c->fb, t[0].d.out), SENTINEL, conv_out_bytes(&t[0].d));
	run(c, addr[0], amount[0], 3, INT_DPU);
	assert_int_equal(rd(c, REG_PC_INTERRUPT_STATUS), RK3588_INT_DPU_GRP0);
	assert_true(mm_ok(c, &t[0]));
	assert_true(mm_ok(c, &t[2]));
	reset_irq(c);
}

/* ---- driver behaviour ---------------------------------------------------- */

static struct chain g_second;

/* Like a driver's IRQ handler: acknowledge, then commit the next job. */
static void restart_hook(struct fake_bus *fb, unsigned int core)
{
	fb->irq_hook = NULL;
	rk3588_sim_mmio_write(fb->sim, core, REG_PC_INTERRUPT_CLEAR, RK3588_INT_ALL);
	test_commit(fb->sim, core, g_second.addr[0], g_second.amount[0], 1, INT_DPU);
}

static void test_start_from_irq_handler(void **state)
{
	struct ctx *c = *state;
	struct mm t[2];
	struct chain first;
	const unsigned int nops[1] = { 0 };
	unsigned int r0, r1;

	mm_init(c, &t[0], 1000);
	mm_init(c, &t[1], 1001);
	build_chain(c, &first, &t[0], nops, 1);
	build_chain(c, &g_second, &t[1], nops, 1);
	fb_irq_state(&c->fb, 0, &r0, NULL, NULL);
	c->fb.irq_hook = restart_hook;
	run(c, first.addr[0], first.amount[0], 1, INT_DPU);
	rk3588_sim_wait_idle(c->sim, 0);
	fb_irq_state(&c->fb, 0, &r1, NULL, NULL);
	assert_int_equal(r1 - r0, 2);
	assert_true(mm_ok(c, &t[0]));
	assert_true(mm_ok(c, &t[1]));
	reset_irq(c);
}

static void test_two_cores_independent(void **state)
{
	struct ctx *c = *state;
	struct mm t[2];
	struct chain ch[2];
	const unsigned int nops[1] = { 0 };
	unsigned int r0[2], r1[2];

	for (unsigned int i = 0; i < 2; i++) {
		mm_init(c, &t[i], 1100 + i);
		build_chain(c, &ch[i], &t[i], nops, 1);
		fb_irq_state(&c->fb, i, &r0[i], NULL, NULL);
	}
	test_commit(c->sim, 0, ch[0].addr[0], ch[0].amount[0], 1, INT_DPU);
	test_commit(c->sim, 1, ch[1].addr[0], ch[1].amount[0], 1, INT_DPU);
	rk3588_sim_wait_idle(c->sim, 0);
	rk3588_sim_wait_idle(c->sim, 1);
	for (unsigned int i = 0; i < 2; i++) {
		fb_irq_state(&c->fb, i, &r1[i], NULL, NULL);
		assert_int_equal(r1[i] - r0[i], 1);
		assert_true(mm_ok(c, &t[i]));
		assert_int_equal(rk3588_sim_mmio_read(c->sim, i, REG_PC_INTERRUPT_STATUS),
				 RK3588_INT_DPU_GRP0);
		rk3588_sim_mmio_write(c->sim, i, REG_PC_INTERRUPT_CLEAR, RK3588_INT_ALL);
	}
}

/* ---- timing model ------------------------------------------------------- */

static void test_stats_cycle_estimate(void **state)
{
	struct ctx *c = *state;
	struct mm t;
	struct chain ch;
	const unsigned int nops[1] = { 0 };
	struct rk3588_sim_core_stats s0, s1;
	uint64_t bytes, want;

	mm_init(c, &t, 1200);
	build_chain(c, &ch, &t, nops, 1);
	rk3588_sim_get_stats(c->sim, 0, &s0);
	run(c, ch.addr[0], ch.amount[0], 1, INT_DPU);
	rk3588_sim_get_stats(c->sim, 0, &s1);

	/* Documented model: MACs / 1024 + DMA bytes / 7.555 + 2000 per task,
	 * + 80300 for the start (a one-task list: charged to this task). */
	bytes = 16 * ((uint64_t)ch.amount[0] + 1) + conv_in_bytes(&t.d) + conv_wt_bytes(&t.d) +
		conv_out_bytes(&t.d);
	want = (M * K * N + 1023) / 1024 + (bytes * 1000 + 7554) / 7555 + 2000 + 80300;
	assert_int_equal(s1.last_task_cycles, want);
	assert_int_equal(s1.total_cycles - s0.total_cycles, want);
	assert_int_equal(rk3588_sim_cycles_to_ns(c->sim, 2000), 2000);
	rk3588_sim_set_clock_hz(c->sim, 500000000);
	assert_int_equal(rk3588_sim_cycles_to_ns(c->sim, 2000), 4000);
	rk3588_sim_set_clock_hz(c->sim, 1000000000);
	reset_irq(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fetch_exact_words),
		cmocka_unit_test(test_chain_three_tasks),
		cmocka_unit_test(test_task_number_counts),
		cmocka_unit_test(test_irq_once_after_last_task),
		cmocka_unit_test(test_interrupt_mask_raw_status_clear),
		cmocka_unit_test(test_dma_fault_fetch),
		cmocka_unit_test(test_dma_fault_feature),
		cmocka_unit_test(test_dma_fault_output),
		cmocka_unit_test(test_unknown_target),
		cmocka_unit_test(test_offset_outside_target),
		cmocka_unit_test(test_pc_register_from_stream),
		cmocka_unit_test(test_task_number_zero_no_irq),
		cmocka_unit_test(test_missing_op_enable_no_irq),
		cmocka_unit_test(test_slave_mode_op_en_ignored),
		cmocka_unit_test(test_reset_abandons_and_restores),
		cmocka_unit_test(test_pingpong_partial_third_task),
		cmocka_unit_test(test_start_from_irq_handler),
		cmocka_unit_test(test_two_cores_independent),
		cmocka_unit_test(test_stats_cycle_estimate),
	};

	return cmocka_run_group_tests_name(SIM_TEST_THREADED ? "sim-pc-threaded" : "sim-pc", tests,
					   setup, teardown);
}
